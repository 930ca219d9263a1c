//! Bid attachments, technical scores and 再度入札 through HTTP, on both
//! databases: the page's multipart form (its CSRF token in the action) and
//! the API's, the receipt listing the files, downloads refused before the
//! opening and served after it; the buyer's scoring page and API, locked;
//! proposals scored after the opening and ranked; the 再度入札 form on the
//! results page and the round-2 form for the bidders it allows.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use musubi_app::ManualClock;
use musubi_domain::{OrgKind, Principal};
use reqwest::Method;
use serde_json::{Value, json};

use crate::bids_web::tender_body;
use crate::portal::{Client, Reply};
use crate::support::{
    TestDb, both_backends, eligible_supplier, org_member, serve_in_process, session_client,
};

both_backends!(attachments_and_rebid_over_http, scores_over_http);

/// 2026-12-01 09:00 JST, as in `bids_web`.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
}

fn day(n: i64) -> DateTime<Utc> {
    t0() + chrono::Duration::days(n)
}

/// `tender_body`'s opening.
fn opening() -> DateTime<Utc> {
    day(12) + chrono::Duration::hours(1)
}

const BREAKDOWN: &[u8] = "%PDF-1.7\n% 工事費内訳書：直接工事費 812,000円\n%%EOF\n".as_bytes();

fn code(r: &Reply) -> &str {
    r.body["error"]["code"].as_str().unwrap_or_default()
}

/// A multipart body: (name, filename, bytes) parts.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "musubi-bid-boundary-42";
    let mut body = Vec::new();
    for (name, filename, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let disposition = match filename {
            Some(f) => format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ),
            None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
        };
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// POSTs a multipart body with the client's cookies; with `header`, the
/// CSRF token as the API takes it (a page's form carries it in its action).
async fn post_multipart(
    c: &Client,
    path: &str,
    parts: &[(&str, Option<&str>, &[u8])],
    header: bool,
) -> Reply {
    let (content_type, body) = multipart(parts);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let cookies: Vec<String> = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut req = http
        .post(format!("{}{path}", c.base))
        .header("content-type", content_type)
        .header("cookie", cookies.join("; "))
        .body(body);
    if header && let Some(csrf) = c.cookies.get("musubi_csrf") {
        req = req.header("x-csrf-token", csrf);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    Reply {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        headers,
    }
}

struct App {
    db: TestDb,
    base: String,
    services: musubi_app::Services,
    clock: ManualClock,
}

impl App {
    async fn new(db: TestDb) -> App {
        let clock = ManualClock::new(t0());
        let (base, services) = serve_in_process(&db, &clock).await;
        App {
            db,
            base,
            services,
            clock,
        }
    }

    async fn at(&self, at: DateTime<Utc>) {
        self.clock.set(at);
        let r = self.services.advance_due_tenders(at).await.unwrap();
        assert_eq!(r.failed, 0, "{r:?}");
    }

    async fn client(&self, p: &Principal) -> Client {
        session_client(&*self.db.storage, &self.base, p, t0()).await
    }

    async fn buyer(&self) -> (Principal, Client) {
        let p = org_member(
            &*self.db.storage,
            "keiyaku@city.example.jp",
            OrgKind::PublicBody,
            "架空市役所",
            t0(),
        )
        .await;
        let c = self.client(&p).await;
        (p, c)
    }

    async fn supplier(&self, email: &str, name: &str) -> (Principal, Client) {
        let p = eligible_supplier(&self.services, email, name, t0()).await;
        let c = self.client(&p).await;
        (p, c)
    }
}

async fn publish(buyer: &mut Client, body: Value) -> i64 {
    let r = buyer.post("/api/v1/tenders", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    let r = buyer
        .post(&format!("/api/v1/tenders/{id}/publish"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    id
}

fn with(mut body: Value, fields: Value) -> Value {
    for (k, v) in fields.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

async fn attachments_and_rebid_over_http(db: TestDb) {
    let app = App::new(db).await;
    let (_, mut buyer) = app.buyer().await;
    let (toyo_p, mut toyo) = app
        .supplier("sato@toyo.example.jp", "株式会社東洋清掃")
        .await;
    let (_, mut naniwa) = app
        .supplier("info@naniwa.example.jp", "浪速商事株式会社")
        .await;
    let (_, mut late) = app
        .supplier("info@late.example.jp", "遅参工業株式会社")
        .await;
    let mut anon = Client::new(&app.base);
    anon.get("/").await;
    // 予定価格 ¥1,200,000, 最低制限価格 ¥1,000,000 (see `tender_body`).
    let id = publish(&mut buyer, tender_body()).await;
    let failing = publish(
        &mut buyer,
        with(tender_body(), json!({"title": "公用車の購入"})),
    )
    .await;
    app.at(day(3)).await;

    // The form takes the 内訳書, as multipart with its token in the action.
    let r = toyo.get(&format!("/tenders/{id}")).await;
    for s in [
        "enctype=\"multipart/form-data\"",
        &format!("action=\"/tenders/{id}/bids?_csrf="),
        "name=\"attachments\"",
        "内訳書（任意）",
        "開札後は入札結果とともに公開されます。",
    ] {
        assert!(r.text.contains(s), "{s} missing from the bid form");
    }
    let parts: [(&str, Option<&str>, &[u8]); 3] = [
        ("amount", None, b"1150000"),
        ("lottery_number", None, b"042"),
        ("attachments", Some("内訳書.pdf"), BREAKDOWN),
    ];
    let form = format!("/tenders/{id}/bids");
    let r = post_multipart(&toyo, &form, &parts, false).await;
    assert_eq!(r.status, 403, "no token, no bid: {}", r.text);
    let csrf = toyo.cookies["musubi_csrf"].clone();
    let r = post_multipart(&toyo, &format!("{form}?_csrf={csrf}"), &parts, false).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let digest = musubi_app::blobs::BlobStore::digest(BREAKDOWN);
    for s in [
        "提出を受け付けました",
        "data-test=\"receipt-attachments\"",
        "内訳書.pdf",
        digest.as_str(),
        "data-test=\"receipt-json\"",
    ] {
        assert!(r.text.contains(s), "{s} missing from the fresh receipt");
    }
    // A bad file is shown beside the form, which keeps the amount.
    let r = post_multipart(
        &naniwa,
        &format!("{form}?_csrf={}", naniwa.cookies["musubi_csrf"]),
        &[
            ("amount", None, b"1160000"),
            ("lottery_number", None, b"707"),
            ("attachments", Some("setup.exe"), b"MZ"),
        ],
        false,
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("data-test=\"file-error\"") && r.text.contains("setup.exe："));
    assert!(r.text.contains("value=\"1160000\""));
    assert!(r.text.contains("添付ファイルを選択し直してください"));

    // The API: one 内訳書 at most; then 201 with the file listed.
    let api = format!("/api/v1/tenders/{id}/bids");
    let r = post_multipart(
        &naniwa,
        &api,
        &[
            ("amount", None, b"1160000"),
            ("lottery_number", None, b"707"),
            ("attachments", Some("a.pdf"), BREAKDOWN),
            ("attachments", Some("b.pdf"), BREAKDOWN),
        ],
        true,
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (422, "validation_failed"),
        "{}",
        r.text
    );
    assert_eq!(
        r.body["error"]["field_codes"]["attachments"],
        json!(["too_many_attachments"])
    );
    let r = post_multipart(
        &naniwa,
        &api,
        &[
            ("amount", None, b"1160000"),
            ("lottery_number", None, b"707"),
            (
                "attachments",
                Some("uchiwake.xlsx"),
                b"PK\x03\x04 breakdown",
            ),
        ],
        true,
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let naniwa_bid = r.body["bid_id"].as_i64().unwrap();
    assert_eq!(r.body["attachments"][0]["name"], "uchiwake.xlsx");
    assert_eq!(r.body["attachments"][0]["index"], 1);
    // Nothing to download before the opening, for anyone.
    let download = format!("/tenders/{id}/bids/{naniwa_bid}/attachments/1");
    let api_download = format!("/api/v1/tenders/{id}/bids/{naniwa_bid}/attachments/1");
    for c in [&mut naniwa, &mut buyer, &mut anon] {
        assert_eq!(c.get(&download).await.status, 404);
        let r = c.get(&api_download).await;
        assert_eq!(r.status, 404, "{}", r.text);
    }

    // The second tender fails: one bid above the 予定価格, one below the
    // 最低制限価格.
    for (c, amount, lottery) in [
        (&mut toyo, "1300000", "111"),
        (&mut naniwa, "900000", "222"),
    ] {
        let r = c
            .post(
                &format!("/api/v1/tenders/{failing}/bids"),
                json!({"amount": amount, "lottery_number": lottery}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }

    // After the opening the 内訳書 is public with the amounts.
    app.at(opening()).await;
    let r = anon.get(&format!("/tenders/{id}/results")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("data-test=\"result-attachments\""));
    assert!(r.text.contains(&format!("href=\"{download}\"")));
    let r = anon.get(&download).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text.as_bytes(), b"PK\x03\x04 breakdown");
    assert!(
        r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''uchiwake.xlsx")
    );
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    assert_eq!(anon.get(&api_download).await.status, 200);
    let r = anon.get(&format!("/api/v1/tenders/{id}/results")).await;
    let listed: Vec<&str> = r.body["openings"][0]["bids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["attachments"][0]["name"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["内訳書.pdf", "uchiwake.xlsx"]);

    // --- 不調: the buyer holds a 再度入札 from the results page. ---
    let r = buyer.get(&format!("/tenders/{failing}")).await;
    assert!(r.text.contains("data-test=\"rebid-panel\""), "{}", r.text);
    let results = format!("/tenders/{failing}/results");
    let r = buyer.get(&results).await;
    for s in [
        "data-test=\"rebid-form\"",
        "参加できる事業者：株式会社東洋清掃",
        "data-test=\"rebid-eligible\"",
    ] {
        assert!(r.text.contains(s), "{s} missing from the results page");
    }
    let r = anon.get(&results).await;
    assert!(!r.text.contains("data-test=\"rebid-form\""));
    let rebid_at = opening() + chrono::Duration::hours(1);
    app.clock.set(rebid_at);
    let closes2 = rebid_at + chrono::Duration::hours(3);
    let opening2 = closes2 + chrono::Duration::minutes(30);
    let r = buyer
        .form(
            &format!("/tenders/{failing}/rebid"),
            &[
                ("submission_opens_at", ""),
                ("submission_closes_at", &closes2.to_rfc3339()),
                ("opening_at", &rebid_at.to_rfc3339()),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("class=\"field-error\""), "{}", r.text);
    assert!(r.text.contains(&closes2.to_rfc3339()), "the input is kept");
    let r = buyer
        .post(
            &format!("/api/v1/tenders/{failing}/rebid"),
            json!({"submission_closes_at": "明日の正午", "opening_at": opening2.to_rfc3339()}),
        )
        .await;
    assert_eq!(
        r.body["error"]["field_codes"]["submission_closes_at"],
        json!(["datetime_invalid"]),
        "{}",
        r.text
    );
    let r = toyo
        .post(
            &format!("/api/v1/tenders/{failing}/rebid"),
            json!({"submission_closes_at": closes2.to_rfc3339(), "opening_at": opening2.to_rfc3339()}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (403, "buyer_approval_required")
    );
    let r = buyer
        .form(
            &format!("/tenders/{failing}/rebid"),
            &[
                ("submission_closes_at", &closes2.to_rfc3339()),
                ("opening_at", &opening2.to_rfc3339()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(
        r.headers["location"],
        format!("/tenders/{failing}?bid=rebid#bid").as_str()
    );
    let r = buyer.get(&format!("/tenders/{failing}?bid=rebid")).await;
    assert!(r.text.contains("再度入札を開始しました。"), "{}", r.text);
    let r = buyer
        .post(
            &format!("/api/v1/tenders/{failing}/rebid"),
            json!({"submission_closes_at": closes2.to_rfc3339(), "opening_at": opening2.to_rfc3339()}),
        )
        .await;
    assert_eq!((r.status.as_u16(), code(&r)), (409, "rebid_not_possible"));

    // Round 2: the form for the bidder above the 予定価格; a note for the
    // disqualified one and for one who never bid.
    let r = toyo.get(&format!("/tenders/{failing}")).await;
    assert!(r.text.contains("（第2回・再度入札）"), "{}", r.text);
    assert!(r.text.contains("data-test=\"bid-form\""));
    for c in [&mut naniwa, &mut late] {
        let r = c.get(&format!("/tenders/{failing}")).await;
        assert!(!r.text.contains("data-test=\"bid-form\""));
        assert!(
            r.text.contains("この再度入札には、前回の入札に参加し"),
            "{}",
            r.text
        );
        let r = c
            .post(
                &format!("/api/v1/tenders/{failing}/bids"),
                json!({"amount": "1100000", "lottery_number": "333"}),
            )
            .await;
        assert_eq!((r.status.as_u16(), code(&r)), (403, "not_rebid_eligible"));
    }
    let r = toyo
        .post(
            &format!("/api/v1/tenders/{failing}/bids"),
            json!({"amount": "1190000", "lottery_number": "444"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["receipt"]["round"], 2);
    app.at(opening2).await;
    let r = anon.get(&results).await;
    for s in [
        "開札結果（第1回）",
        "開札結果（第2回・再度入札）",
        "有効な入札がないため、不調となりました。",
        "落札候補者：株式会社東洋清掃",
        "1,190,000円",
    ] {
        assert!(
            r.text.contains(s),
            "{s} missing from the results of both rounds"
        );
    }
    let r = anon
        .get(&format!("/api/v1/tenders/{failing}/results"))
        .await;
    assert_eq!(
        r.body["openings"][1]["winner"]["bidder_org_id"],
        toyo_p.org_id().unwrap()
    );
}

async fn scores_over_http(db: TestDb) {
    let app = App::new(db).await;
    let (_, mut buyer) = app.buyer().await;
    let (toyo_p, mut toyo) = app
        .supplier("sato@toyo.example.jp", "株式会社東洋清掃")
        .await;
    let (naniwa_p, mut naniwa) = app
        .supplier("info@naniwa.example.jp", "浪速商事株式会社")
        .await;
    let toyo_org = toyo_p.org_id().unwrap();
    let naniwa_org = naniwa_p.org_id().unwrap();
    let mut anon = Client::new(&app.base);
    anon.get("/").await;
    let id = publish(
        &mut buyer,
        with(
            tender_body(),
            json!({"award_method": "best_value_additive"}),
        ),
    )
    .await;
    let proposals = publish(
        &mut buyer,
        with(
            tender_body(),
            json!({
                "kind": "proposal",
                "title": "観光案内サイト構築の企画提案",
                "award_method": "proposal_evaluation",
                "reserve_price": 5000000,
                "minimum_price": "",
            }),
        ),
    )
    .await;
    let r = toyo
        .post(&format!("/api/v1/tenders/{id}/applications"), json!({}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);

    // 総合評価: the buyer is reminded, and scores on the scoring page.
    let r = buyer.get(&format!("/tenders/{id}")).await;
    assert!(r.text.contains("data-test=\"scoring-panel\""), "{}", r.text);
    assert!(r.text.contains("未確定です。開札日時"));
    let page = format!("/tenders/{id}/scoring");
    let r = buyer.get(&page).await;
    assert_eq!(r.status, 200, "{}", r.text);
    for s in [
        "技術評価点の入力・確定",
        "価格点（加算方式の配点）",
        "株式会社東洋清掃",
        &format!("name=\"score_{toyo_org}\""),
        "data-test=\"lock-scores\"",
    ] {
        assert!(r.text.contains(s), "{s} missing from the scoring page");
    }
    assert_eq!(toyo.get(&page).await.status, 403);
    let r = buyer.get(&format!("{page}?lang=en")).await;
    assert!(r.text.contains("<html lang=\"en\"") && r.text.contains("Price points (additive)"));
    assert!(r.text.contains("Lock the scores"));
    buyer.get("/?lang=ja").await;
    let r = buyer
        .form(
            &page,
            &[
                ("price_points", "30"),
                (&format!("score_{toyo_org}"), "abc"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text
            .contains("株式会社東洋清掃：技術評価点「abc」は正しくありません"),
        "{}",
        r.text
    );
    assert!(r.text.contains("value=\"abc\""));
    let r = buyer
        .form(
            &page,
            &[
                ("price_points", "30"),
                (&format!("score_{toyo_org}"), "60"),
                ("extra_org", &naniwa_org.to_string()),
                ("extra_points", "45.5"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(
        r.headers["location"],
        format!("{page}?scoring=saved").as_str()
    );
    let r = buyer.get(&format!("{page}?scoring=saved")).await;
    assert!(r.text.contains("保存しました。") && r.text.contains("浪速商事株式会社"));
    let api = format!("/api/v1/tenders/{id}/scoring");
    let r = buyer.get(&api).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["phase"], "before_opening");
    assert_eq!(r.body["price_points"], 30);
    assert_eq!(r.body["editable"], true);
    let points: Vec<&str> = r.body["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["technical_points"].as_str().unwrap())
        .collect();
    assert_eq!(points, ["60", "45.5"]);
    let r = buyer
        .send(
            Method::PUT,
            &api,
            Some(json!({"scores": [{"bidder_org_id": toyo_org, "technical_points": 10001}]})),
        )
        .await;
    assert_eq!(
        r.body["error"]["field_codes"]["scores"],
        json!(["technical_points_out_of_range"]),
        "{}",
        r.text
    );
    let r = buyer.form(&format!("{page}/lock"), &[]).await;
    assert_eq!(r.status, 303, "{}", r.text);
    let r = buyer.get(&format!("{page}?scoring=locked")).await;
    assert!(r.text.contains("技術評価点を確定しました。") && r.text.contains("確定済み"));
    assert!(!r.text.contains("data-test=\"scoring-form\""));
    let r = buyer.post(&format!("{api}/lock"), json!({})).await;
    assert_eq!((r.status.as_u16(), code(&r)), (409, "scores_locked"));
    let r = buyer
        .send(Method::PUT, &api, Some(json!({"price_points": 40})))
        .await;
    assert_eq!((r.status.as_u16(), code(&r)), (409, "scores_locked"));

    // Proposals, submitted with a document.
    app.at(day(3)).await;
    for (c, amount, lottery) in [
        (&mut toyo, "1150000", "123"),
        (&mut naniwa, "1100000", "456"),
    ] {
        let r = c
            .post(
                &format!("/api/v1/tenders/{id}/bids"),
                json!({"amount": amount, "lottery_number": lottery}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let mut proposal_bids = Vec::new();
    for (c, text, lottery) in [
        (&toyo, "提案：多言語対応の観光案内", "100"),
        (&naniwa, "提案：地図中心の観光案内", "200"),
    ] {
        let r = post_multipart(
            c,
            &format!("/api/v1/tenders/{proposals}/bids"),
            &[
                ("proposal", None, text.as_bytes()),
                ("lottery_number", None, lottery.as_bytes()),
                ("attachments", Some("企画提案書.pdf"), b"%PDF-1.7 proposal"),
            ],
            true,
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        proposal_bids.push(r.body["bid_id"].as_i64().unwrap());
    }

    // 総合評価 opened with the locked scores: 60 + 30 × (1 − 1,150,000 /
    // 1,200,000) = 61.25 against 45.5 + 2.5 = 48.
    app.at(opening()).await;
    let r = anon.get(&format!("/tenders/{id}/results")).await;
    for s in [
        "61.2500",
        "48.0000",
        "技術点 60",
        "技術点 45.5",
        "落札候補者：株式会社東洋清掃",
    ] {
        assert!(r.text.contains(s), "{s} missing from the results");
    }

    // Proposals: opened, waiting for their scores; the text and the
    // documents are for the buyer and the bidder only.
    let results = format!("/tenders/{proposals}/results");
    let r = anon.get(&format!("{results}?lang=en")).await;
    assert!(
        r.text.contains("Under evaluation: the ranking follows"),
        "{}",
        r.text
    );
    anon.get("/?lang=ja").await;
    let r = anon.get(&results).await;
    assert!(
        r.text
            .contains("審査中：開封した提案の評価点が確定されると"),
        "{}",
        r.text
    );
    assert!(!r.text.contains("提案：多言語対応の観光案内"));
    assert!(r.text.contains("は発注機関と提出者のみ閲覧できます"));
    assert!(r.text.contains("企画提案書.pdf") && !r.text.contains("data-test=\"attachment-link\""));
    let doc = format!(
        "/tenders/{proposals}/bids/{}/attachments/1",
        proposal_bids[0]
    );
    assert_eq!(anon.get(&doc).await.status, 403);
    assert_eq!(naniwa.get(&doc).await.status, 403);
    assert_eq!(toyo.get(&doc).await.status, 200);
    let r = buyer.get(&results).await;
    assert!(r.text.contains("提案：多言語対応の観光案内"));
    assert!(r.text.contains("data-test=\"attachment-link\""));
    assert!(r.text.contains("data-test=\"scoring-link\""));
    let r = buyer
        .post(&format!("/api/v1/tenders/{proposals}/award"), json!({}))
        .await;
    assert_eq!((r.status.as_u16(), code(&r)), (409, "scores_not_locked"));
    let page = format!("/tenders/{proposals}/scoring");
    let r = buyer.get(&page).await;
    assert!(
        r.text.contains("提案の評価（評価点の入力・確定）")
            && r.text.contains("提案内容を確認する")
    );
    let r = buyer.form(&format!("{page}/lock"), &[]).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("評価点が入力されていない提案があります"));
    let r = buyer
        .form(
            &page,
            &[
                (&format!("score_{toyo_org}"), "70"),
                (&format!("score_{naniwa_org}"), "85.25"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let r = buyer.form(&format!("{page}/lock"), &[]).await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(
        r.headers["location"],
        format!("{results}?bid=scored").as_str()
    );
    let r = buyer.get(&format!("{results}?bid=scored")).await;
    for s in [
        "評価点を確定しました。",
        "受託候補者（最優秀提案者）：浪速商事株式会社",
        "85.2500",
        "data-test=\"award\"",
    ] {
        assert!(r.text.contains(s), "{s} missing from the ranked results");
    }
    let r = buyer
        .form(&format!("/tenders/{proposals}/award"), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let r = anon
        .get(&format!("/api/v1/tenders/{proposals}/results"))
        .await;
    assert_eq!(r.body["status"], "awarded");
    assert_eq!(r.body["award"]["bidder_org_id"], naniwa_org);
}
