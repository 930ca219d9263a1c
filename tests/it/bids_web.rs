//! Sealed bidding through HTTP, on both databases: the JSON API and the
//! pages on top of the bid services, served in this process on a manual
//! clock that the test moves (the scheduler's pass is run by hand with
//! `advance_due_tenders`). A supplier submits and gets a receipt that checks
//! out with the published key; nothing of a bid reaches the buyer or the
//! public before the opening; 辞退 works; after the opening the results
//! show every bid and the buyer decides the award.

use std::sync::Arc;

use base64::Engine as _;
use chrono::{DateTime, Duration, TimeZone, Utc};
use musubi_app::sealing::{BidderReceipt, CanonicalBid, Receipt, commit};
use musubi_app::{AppConfig, ManualClock, Services};
use musubi_domain::{OrgKind, Principal};
use musubi_storage::NewSession;
use reqwest::Method;
use serde_json::{Value, json};

use crate::portal::{Client, Reply, profile_body};
use crate::support::{TestDb, both_backends, org_member};

both_backends!(sealed_bidding_over_http, a_tie_is_drawn_by_lottery);

/// 2026-12-01 09:00 JST.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
}

/// The web application in this process, on `clock`.
struct App {
    base: String,
    services: Services,
    clock: ManualClock,
}

async fn serve(db: &TestDb) -> App {
    let clock = ManualClock::new(t0());
    let services = Services::new(
        Arc::clone(&db.storage),
        Arc::new(clock.clone()),
        AppConfig {
            base_url: "http://musubi.test".into(),
            data_dir: db.data_path().to_path_buf(),
            ..AppConfig::default()
        },
    );
    let state = musubi_web::WebState::new(services.clone(), musubi_web::WebConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(musubi_web::serve(
        listener,
        musubi_web::router(state),
        std::future::pending(),
    ));
    App {
        base: format!("http://{addr}"),
        services,
        clock,
    }
}

impl App {
    /// Moves the clock to `at` and makes the scheduler's due steps.
    async fn at(&self, at: DateTime<Utc>) {
        self.clock.set(at);
        let report = self.services.advance_due_tenders(at).await.unwrap();
        assert_eq!(report.failed, 0, "{report:?}");
    }

    /// A browser signed in as `p` (a session made in storage), holding its
    /// CSRF cookie.
    async fn client(&self, db: &TestDb, p: &Principal) -> Client {
        let token = format!("sess{}", crate::support::rand_u64());
        db.storage
            .create_session(
                &NewSession {
                    token_hash: musubi_app::secrets::token_digest(&token),
                    user_id: p.user_id,
                    csrf_token: "unused".into(),
                    ip: None,
                    user_agent: None,
                    expires_at: t0() + Duration::days(365),
                },
                t0(),
            )
            .await
            .unwrap();
        let mut c = Client::new(&self.base);
        c.cookies.insert("musubi_session".into(), token);
        let r = c.get("/").await;
        assert_eq!(r.status, 200);
        assert!(c.cookies.contains_key("musubi_csrf"));
        c
    }
}

fn code(r: &Reply) -> &str {
    r.body["error"]["code"].as_str().unwrap_or_default()
}

fn field_codes(r: &Reply, field: &str) -> Vec<String> {
    r.body["error"]["field_codes"][field]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A 一般競争 入札 for goods open to any registered supplier: submissions
/// from day 2 to day 12, opening an hour later; 予定価格 sealed until then.
pub(crate) fn tender_body() -> Value {
    let day = |d: i64| (t0() + Duration::days(d)).to_rfc3339();
    json!({
        "kind": "sealed_bid",
        "title": "庁舎清掃用品の購入",
        "summary": "本庁舎で使用する清掃用品一式を購入する。",
        "category": "goods",
        "jsic": ["1511"],
        "place": "13",
        "method": "open",
        "questions_until": day(8),
        "submission_opens_at": day(2),
        "submission_closes_at": day(12),
        "opening_at": (t0() + Duration::days(12) + Duration::hours(1)).to_rfc3339(),
        "reserve_price": 1200000,
        "reserve_price_publication": "at_opening",
        "minimum_price": 1000000,
        "award_method": "lowest_price",
        "contact_department": "総務部 契約課",
    })
}

const AMOUNT: i64 = 1_098_765;

async fn sealed_bidding_over_http(db: TestDb) {
    let app = serve(&db).await;
    let storage = &*db.storage;
    let buyer_p = org_member(
        storage,
        "keiyaku@city.example.jp",
        OrgKind::PublicBody,
        "架空市役所",
        t0(),
    )
    .await;
    let supplier_p = org_member(
        storage,
        "sato@toyo.example.jp",
        OrgKind::Supplier,
        "株式会社東洋清掃",
        t0(),
    )
    .await;
    let second_p = org_member(
        storage,
        "info@naniwa.example.jp",
        OrgKind::Supplier,
        "浪速商事株式会社",
        t0(),
    )
    .await;
    let mut buyer = app.client(&db, &buyer_p).await;
    let mut supplier = app.client(&db, &supplier_p).await;
    let mut second = app.client(&db, &second_p).await;
    let mut anon = Client::new(&app.base);
    anon.get("/").await;
    for (c, p) in [(&mut supplier, &supplier_p), (&mut second, &second_p)] {
        let org = p.org_id().unwrap();
        let r = c
            .send(
                Method::PUT,
                &format!("/api/v1/companies/{org}/profile"),
                Some(profile_body()),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }

    // --- A published tender, not yet taking bids. ---
    let r = buyer.post("/api/v1/tenders", tender_body()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    let r = buyer
        .post(&format!("/api/v1/tenders/{id}/publish"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let bids = format!("/api/v1/tenders/{id}/bids");
    let r = supplier
        .post(&bids, json!({"amount": AMOUNT, "lottery_number": "042"}))
        .await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (409, "not_accepting_bids"),
        "{}",
        r.text
    );
    let r = supplier.get(&format!("/tenders/{id}")).await;
    assert!(r.text.contains("提出は受付開始日時"), "{}", r.text);
    assert!(!r.text.contains("data-test=\"bid-form\""));

    // --- Submissions open. ---
    app.at(t0() + Duration::days(3)).await;
    let r = supplier.get(&format!("/tenders/{id}")).await;
    assert_eq!(r.status, 200);
    for s in [
        "data-test=\"bid-form\"",
        "入札書の提出",
        "金額（税抜・円）",
        "くじ番号（3桁の数字）",
        "提出後は、金額等を確認することも変更することもできません。",
        "辞退でき",
    ] {
        assert!(r.text.contains(s), "{s} missing from the supplier's page");
    }
    let r = supplier.get(&format!("/tenders/{id}?lang=en")).await;
    assert!(r.text.contains("<html lang=\"en\""));
    assert!(
        r.text
            .contains("Once submitted, the amount can be neither viewed nor changed.")
    );
    assert!(r.text.contains("Submit the bid"));
    supplier.get("/?lang=ja").await;
    // Only suppliers see a form; the buyer and the public nothing of bids.
    let r = buyer.get(&format!("/tenders/{id}")).await;
    assert!(!r.text.contains("data-test=\"bid-section\""), "{}", r.text);
    let r = anon.get(&format!("/tenders/{id}")).await;
    assert!(!r.text.contains("data-test=\"bid-form\""));

    // Bad input: each field with its code; nothing stored.
    let r = supplier
        .post(&bids, json!({"amount": "abc", "lottery_number": "42"}))
        .await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (422, "validation_failed"),
        "{}",
        r.text
    );
    assert_eq!(field_codes(&r, "amount"), ["money_invalid_character"]);
    assert_eq!(field_codes(&r, "lottery_number"), ["lottery_number_length"]);
    let r = supplier
        .post(&bids, json!({"amount": 0, "lottery_number": "４２１"}))
        .await;
    assert_eq!(
        field_codes(&r, "amount"),
        ["amount_not_positive"],
        "{}",
        r.text
    );
    assert!(field_codes(&r, "lottery_number").is_empty(), "{}", r.text);
    let r = supplier.post(&bids, json!([AMOUNT])).await;
    assert_eq!((r.status.as_u16(), code(&r)), (422, "invalid_body"));
    // The form shows the messages beside the fields (Japanese) and keeps the input.
    let r = supplier
        .form(
            &format!("/tenders/{id}/bids"),
            &[("amount", "12x"), ("lottery_number", "7")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text
            .contains("くじ番号は000〜999の3桁の数字で入力してください"),
        "{}",
        r.text
    );
    assert!(r.text.contains("value=\"12x\"") && r.text.contains("class=\"field-error\""));
    let r = supplier.get(&format!("/api/v1/tenders/{id}/results")).await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (404, "results_not_available")
    );

    // --- A bid through the API: 201, the receipt with its salt. ---
    let r = supplier
        .post(&bids, json!({"amount": AMOUNT, "lottery_number": "042"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let bid_id = r.body["bid_id"].as_i64().unwrap();
    let copy: BidderReceipt = serde_json::from_value(r.body["receipt"].clone()).unwrap();
    let receipt = copy.receipt.clone();
    assert_eq!(receipt.tender_id, id);
    assert_eq!(receipt.round, 1);
    assert_eq!(receipt.bidder_org_id, supplier_p.org_id().unwrap());
    assert_eq!(receipt.bidder_name, "株式会社東洋清掃");
    assert_eq!(receipt.received_at, "2026-12-04T00:00:00.000000Z");
    assert!(r.text.contains(&copy.salt) && copy.salt.len() == 64);
    // It checks out with the published key, and commits to what was sent.
    let r = anon.get("/api/v1/receipt-key").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["algorithm"], "Ed25519");
    assert_eq!(r.body["key_id"], receipt.key_id.as_str());
    let public_key = base64::engine::general_purpose::STANDARD
        .decode(r.body["public_key"].as_str().unwrap())
        .unwrap();
    receipt.verify(&public_key).expect("the receipt verifies");
    let canonical = CanonicalBid {
        tender_id: id,
        round: 1,
        bidder_org_id: supplier_p.org_id().unwrap(),
        amount_yen: Some(AMOUNT),
        lottery_number: Some("042".into()),
        proposal_sha256: None,
        attachments_sha256: vec![],
    };
    receipt
        .verify_opening(&public_key, &canonical, &copy.salt().unwrap())
        .expect("the commitment is to this bid");
    assert_eq!(
        commit(&canonical, &copy.salt().unwrap())
            .unwrap()
            .to_string(),
        receipt.commitment
    );
    let mut forged = receipt.clone();
    forged.bidder_name.push('株');
    assert!(forged.verify(&public_key).is_err());

    // One standing bid per organisation.
    let r = supplier
        .post(
            &bids,
            json!({"amount": "1,000,001", "lottery_number": "001"}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (409, "bid_exists"),
        "{}",
        r.text
    );

    // The bidder sees that it bid, when, and its receipt — never the amount.
    let r = supplier.get(&format!("/tenders/{id}")).await;
    assert!(
        r.text
            .contains("入札済み（受付日時 2026年12月4日 09:00:00）"),
        "{}",
        r.text
    );
    assert!(r.text.contains(&format!("href=\"/bids/{bid_id}/receipt\"")));
    assert!(r.text.contains("辞退する"));
    assert!(!r.text.contains("data-test=\"bid-form\""));
    let r = supplier
        .get(&format!("/api/v1/bids/{bid_id}/receipt"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["tender_title"], "庁舎清掃用品の購入");
    assert_eq!(r.body["state"], "submitted");
    let stored: Receipt = serde_json::from_value(r.body["receipt"].clone()).unwrap();
    assert_eq!(stored, receipt);
    assert!(r.body["receipt"].get("salt").is_none());
    assert!(!r.text.contains(&copy.salt) && !r.text.contains("1098765"));
    let r = second.get(&format!("/api/v1/bids/{bid_id}/receipt")).await;
    assert_eq!(r.status, 404, "another supplier: {}", r.text);
    let r = buyer.get(&format!("/api/v1/bids/{bid_id}/receipt")).await;
    assert_eq!((r.status.as_u16(), code(&r)), (403, "supplier_required"));
    let r = supplier.get(&format!("/bids/{bid_id}/receipt")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    for s in [
        "受付票",
        "庁舎清掃用品の購入",
        "株式会社東洋清掃",
        "2026年12月4日 09:00:00",
        "令和8年12月4日 09:00:00",
        "第1回",
        &receipt.commitment,
        &receipt.signature,
        &receipt.key_id,
        "ソルト（秘密の値）は提出時の受付票にのみ記載",
    ] {
        assert!(r.text.contains(s), "{s} missing from the receipt page");
    }
    assert!(!r.text.contains(&copy.salt) && !r.text.contains("1,098,765"));
    let r = supplier
        .get(&format!("/bids/{bid_id}/receipt?lang=en"))
        .await;
    assert!(r.text.contains("<html lang=\"en\"") && r.text.contains("Receipt"));
    assert!(r.text.contains("2026-12-04 09:00:00 JST"));
    supplier.get("/?lang=ja").await;

    // --- Before the opening nothing of the bid reaches anyone else. ---
    for (who, c) in [("buyer", &mut buyer), ("anonymous", &mut anon)] {
        for path in [
            format!("/tenders/{id}"),
            format!("/tenders/{id}?lang=en"),
            format!("/api/v1/tenders/{id}"),
            format!("/tenders/{id}/history"),
            format!("/api/v1/tenders/{id}/transitions"),
        ] {
            let r = c.get(&path).await;
            assert_eq!(r.status, 200, "{who} {path}");
            for secret in ["1098765", "1,098,765", &receipt.commitment, &copy.salt] {
                assert!(!r.text.contains(secret), "{who} {path} shows {secret}");
            }
            assert!(!r.text.contains("入札済み"), "{who} {path}");
        }
        c.get("/?lang=ja").await;
        let r = c.get(&format!("/api/v1/tenders/{id}/results")).await;
        assert_eq!(
            (r.status.as_u16(), code(&r)),
            (404, "results_not_available"),
            "{who}"
        );
        let r = c.get(&format!("/tenders/{id}/results")).await;
        assert_eq!(r.status, 404, "{who}");
        assert!(r.text.contains("開札前のため"), "{who}: {}", r.text);
    }

    // --- 辞退: a second supplier submits through the form, then withdraws. ---
    app.clock.set(t0() + Duration::days(4));
    let r = second
        .form(
            &format!("/tenders/{id}/bids"),
            &[("amount", "1,150,000"), ("lottery_number", "７０７")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for s in [
        "提出を受け付けました",
        "受付票",
        "data-test=\"receipt-salt\"",
        "JSONで保存",
        "download=\"receipt-tender",
        "href=\"data:application/json;charset=utf-8,",
        "data-test=\"receipt-json\"",
        "浪速商事株式会社",
    ] {
        assert!(r.text.contains(s), "{s} missing from the fresh receipt");
    }
    assert_eq!(r.headers["cache-control"], "no-store");
    let r = second.get(&format!("/tenders/{id}")).await;
    assert!(r.text.contains("入札済み"), "{}", r.text);
    // A reason is required.
    let r = second
        .form(&format!("/tenders/{id}/bids/withdraw"), &[("reason", " ")])
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text.contains("辞退理由を入力してください。"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("class=\"field-error\"")
            && r.text.contains("<details class=\"danger-zone\" open>")
    );
    let r = second
        .form(
            &format!("/tenders/{id}/bids/withdraw"),
            &[("reason", "配送体制が整わないため")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(
        r.headers["location"],
        format!("/tenders/{id}?bid=withdrawn#bid").as_str()
    );
    let r = second.get(&format!("/tenders/{id}?bid=withdrawn")).await;
    assert!(r.text.contains("辞退を受け付けました。"), "{}", r.text);
    assert!(r.text.contains("data-test=\"bid-withdrawn\""));
    assert!(
        r.text.contains("data-test=\"bid-form\""),
        "it may bid again"
    );
    // Again through the API: submit, withdraw, nothing left to withdraw.
    let r = second
        .post(&bids, json!({"amount": "1150000", "lottery_number": "707"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let second_bid = r.body["bid_id"].as_i64().unwrap();
    let withdraw = format!("/api/v1/tenders/{id}/bids/{second_bid}/withdraw");
    let r = second.post(&withdraw, json!({"reason": ""})).await;
    assert_eq!(field_codes(&r, "reason"), ["required"], "{}", r.text);
    let r = supplier
        .post(&withdraw, json!({"reason": "他社の入札"}))
        .await;
    assert_eq!(r.status, 404, "not the supplier's bid: {}", r.text);
    let r = second
        .post(&withdraw, json!({"reason": "辞退します"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body, json!({"bid_id": second_bid, "state": "withdrawn"}));
    let r = second
        .post(&withdraw, json!({"reason": "辞退します"}))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = second
        .get(&format!("/api/v1/bids/{second_bid}/receipt"))
        .await;
    assert_eq!(r.body["state"], "withdrawn", "{}", r.text);

    // After the deadline: no more bids, no more 辞退.
    app.at(t0() + Duration::days(12)).await;
    let r = second
        .post(&bids, json!({"amount": AMOUNT, "lottery_number": "123"}))
        .await;
    assert_eq!((r.status.as_u16(), code(&r)), (409, "not_accepting_bids"));
    let r = supplier
        .post(
            &format!("/api/v1/tenders/{id}/bids/{bid_id}/withdraw"),
            json!({"reason": "遅すぎる辞退"}),
        )
        .await;
    assert_eq!((r.status.as_u16(), code(&r)), (409, "not_accepting_bids"));
    let r = anon.get(&format!("/api/v1/tenders/{id}")).await;
    assert!(!r.text.contains("1098765"));

    // --- 開札: the results list every bid. ---
    app.at(t0() + Duration::days(12) + Duration::hours(1)).await;
    let r = anon.get(&format!("/api/v1/tenders/{id}")).await;
    assert_eq!(r.body["status"], "opened", "{}", r.text);
    let r = anon.get(&format!("/api/v1/tenders/{id}/results")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["tender_id"], id);
    assert_eq!(r.body["status"], "opened");
    assert!(r.body["award"].is_null());
    let opening = &r.body["openings"][0];
    assert_eq!(opening["round"], 1);
    assert_eq!(opening["reserve_price"], 1200000);
    assert_eq!(opening["minimum_price"], 1000000);
    let listed = opening["bids"].as_array().unwrap();
    assert_eq!(listed.len(), 3, "{}", r.text);
    let ours = listed.iter().find(|b| b["bid_id"] == bid_id).unwrap();
    assert_eq!(ours["amount"], AMOUNT);
    assert_eq!(ours["lottery_number"], "042");
    assert_eq!(ours["salt"], copy.salt.as_str());
    assert_eq!(ours["commitment"], receipt.commitment.as_str());
    assert_eq!(ours["commitment_verified"], true);
    assert_eq!(
        listed.iter().filter(|b| b["state"] == "withdrawn").count(),
        2
    );
    assert_eq!(opening["winner"]["bid_id"], bid_id);
    assert_eq!(opening["winner"]["amount_tax_inclusive"], 1208641);
    assert_eq!(
        opening["evaluation"]["result"]["outcome"]["by_lottery"],
        Value::Null
    );

    let r = anon.get(&format!("/tenders/{id}/results")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    for s in [
        "入札結果",
        "株式会社東洋清掃",
        "1,098,765円",
        "042",
        "有効",
        "辞退",
        "配送体制が整わないため",
        "1,200,000円（税抜）",
        "1,000,000円（税抜）",
        "落札候補者：株式会社東洋清掃",
        "1,208,641円（税込）",
        "一致（検証済み）",
        &copy.salt,
        &receipt.commitment,
        "落札者はまだ決定していません。",
        &format!("href=\"/api/v1/tenders/{id}/results\""),
    ] {
        assert!(r.text.contains(s), "{s} missing from the results page");
    }
    assert!(
        !r.text.contains("data-test=\"award\""),
        "only the buyer decides"
    );
    let r = anon.get(&format!("/tenders/{id}/results?lang=en")).await;
    assert!(r.text.contains("<html lang=\"en\"") && r.text.contains("Bid results"));
    assert!(r.text.contains("¥1,098,765") && r.text.contains("Withdrawn"));
    anon.get("/?lang=ja").await;
    let r = anon.get(&format!("/tenders/{id}")).await;
    assert!(r.text.contains(&format!("href=\"/tenders/{id}/results\"")));
    assert!(r.text.contains("入札結果"));
    let r = supplier.get(&format!("/tenders/{id}")).await;
    assert!(r.text.contains(&format!("href=\"/bids/{bid_id}/receipt\"")));
    assert!(!r.text.contains("辞退する"));

    // --- 落札者決定 by the buyer. ---
    let r = buyer.get(&format!("/tenders/{id}")).await;
    assert!(r.text.contains("data-test=\"award\""), "{}", r.text);
    assert!(r.text.contains("落札候補者は「株式会社東洋清掃」です"));
    let r = supplier
        .post(&format!("/api/v1/tenders/{id}/award"), json!({}))
        .await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (403, "buyer_approval_required")
    );
    let r = buyer.form(&format!("/tenders/{id}/award"), &[]).await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(
        r.headers["location"],
        format!("/tenders/{id}/results?bid=awarded").as_str()
    );
    let r = buyer
        .get(&format!("/tenders/{id}/results?bid=awarded"))
        .await;
    assert!(r.text.contains("落札者を決定しました。"), "{}", r.text);
    assert!(r.text.contains("data-test=\"award-decided\""));
    assert!(!r.text.contains("data-test=\"award\""), "decided once");
    assert!(r.text.contains("落札金額（税込）") && r.text.contains("1,208,641円（税込）"));
    let r = anon.get(&format!("/api/v1/tenders/{id}")).await;
    assert_eq!(r.body["status"], "awarded", "{}", r.text);
    let r = anon.get(&format!("/api/v1/tenders/{id}/results")).await;
    assert_eq!(r.body["status"], "awarded");
    assert_eq!(r.body["award"]["bid_id"], bid_id, "{}", r.text);
    assert_eq!(r.body["award"]["bidder_name"], "株式会社東洋清掃");
    assert_eq!(r.body["award"]["amount_tax_exclusive"], AMOUNT);
    assert_eq!(r.body["award"]["amount_tax_inclusive"], 1208641);
    // Once only.
    let r = buyer
        .post(&format!("/api/v1/tenders/{id}/award"), json!({}))
        .await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (409, "award_not_possible"),
        "{}",
        r.text
    );
    let r = buyer.form(&format!("/tenders/{id}/award"), &[]).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("data-test=\"award-error\""), "{}", r.text);
}

/// Two equal lowest bids: the 電子くじ decides, and the results page shows
/// its inputs and computation as the record has them.
async fn a_tie_is_drawn_by_lottery(db: TestDb) {
    let app = serve(&db).await;
    let storage = &*db.storage;
    let buyer_p = org_member(
        storage,
        "keiyaku@town.example.jp",
        OrgKind::PublicBody,
        "架空町役場",
        t0(),
    )
    .await;
    let mut buyer = app.client(&db, &buyer_p).await;
    let r = buyer.post("/api/v1/tenders", tender_body()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    let r = buyer
        .post(&format!("/api/v1/tenders/{id}/publish"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.at(t0() + Duration::days(3)).await;
    for (i, (email, name, lottery)) in [
        ("a@kita.example.jp", "北日本資材株式会社", "123"),
        ("b@minami.example.jp", "南海物産株式会社", "987"),
    ]
    .into_iter()
    .enumerate()
    {
        let p = org_member(storage, email, OrgKind::Supplier, name, t0()).await;
        let mut c = app.client(&db, &p).await;
        let org = p.org_id().unwrap();
        let r = c
            .send(
                Method::PUT,
                &format!("/api/v1/companies/{org}/profile"),
                Some(profile_body()),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        app.clock
            .set(t0() + Duration::days(3) + Duration::seconds(17 * i as i64 + 5));
        let r = c
            .post(
                &format!("/api/v1/tenders/{id}/bids"),
                json!({"amount": "1,100,000", "lottery_number": lottery}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    app.at(t0() + Duration::days(12) + Duration::hours(1)).await;

    let mut anon = Client::new(&app.base);
    let r = anon.get(&format!("/api/v1/tenders/{id}/results")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let draw = &r.body["openings"][0]["evaluation"]["result"]["outcome"]["by_lottery"];
    let entries = draw["entries"].as_array().expect("a lottery was drawn");
    assert_eq!(entries.len(), 2, "{}", r.text);
    let decided: Vec<&str> = entries
        .iter()
        .map(|e| e["decided"].as_str().unwrap())
        .collect();
    let sum: u64 = decided.iter().map(|d| d.parse::<u64>().unwrap()).sum();
    assert_eq!(draw["sum"], sum);
    let index = sum % 2;
    assert_eq!(draw["winner_index"], index);
    let winner_bid = entries[index as usize]["bid_id"].clone();
    assert_eq!(r.body["openings"][0]["winner"]["bid_id"], winner_bid);
    let winner_name = r.body["openings"][0]["winner"]["bidder_name"]
        .as_str()
        .unwrap()
        .to_owned();

    let r = anon.get(&format!("/tenders/{id}/results")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    for s in [
        "電子くじ".to_owned(),
        "data-test=\"lottery\"".to_owned(),
        "決定くじ番号の合計".to_owned(),
        format!(
            "({} + {}) = {sum}; {sum} mod 2 = {index}",
            decided[0], decided[1]
        ),
        format!("落札候補者：{winner_name}"),
        "（電子くじにより決定）".to_owned(),
        "123".to_owned(),
        "987".to_owned(),
    ] {
        assert!(r.text.contains(&s), "{s} missing from the results page");
    }
    let r = anon.get(&format!("/tenders/{id}/results?lang=en")).await;
    assert!(r.text.contains("Electronic lottery") && r.text.contains("(decided by lottery)"));
}
