//! The sealed-bidding journey, in two real browsers, on a clock the test
//! moves: three suppliers sign in, one after another, and submit their
//! 入札書 (two at the same price, one below the 最低制限価格); each gets the
//! 受付票 with its salt, opens it again from the tender page and prints it.
//! The clock passes the deadline and the opening time; the scheduler makes
//! the 開札; a signed-out visitor reads every bid, the prices and the
//! 電子くじ's computation; the buyer decides the award and the public
//! results name the 落札者.
//!
//! The people and the published tender are made through storage and the
//! JSON API (the tender journey walks posting through the pages); from
//! signing in on, everything happens in the browsers. The portal runs in
//! this process on a [`ClockedServer`], since `musubi serve` reads the
//! system clock and a deadline would be days away.

use std::time::Instant;

use base64::Engine as _;
use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use musubi_app::sealing::BidderReceipt;
use musubi_app::secrets::hash_password;
use musubi_domain::tender::TenderStatus;
use musubi_domain::{OrgKind, Principal};
use reqwest::Method;
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::browser::harness::{ClockedServer, can_sign_in};
use crate::portal::{Client, PASSWORD, profile_body};
use crate::support::{TestDb, org_member};

const BUYER: &str = "keiyaku@city.example.jp";
const BUYER_ORG: &str = "架空市役所";
const TITLE: &str = "庁舎清掃用品の購入（単価契約）";

/// 予定価格 and 最低制限価格 (税抜), sealed until the opening.
const RESERVE: i64 = 1_200_000;
const MINIMUM: i64 = 1_000_000;

/// A supplier of the journey and the bid it submits.
struct Bidder {
    email: &'static str,
    org: &'static str,
    /// 金額（税抜）as typed.
    typed: &'static str,
    amount: &'static str,
    lottery: &'static str,
    /// When the server receives it (Japan time), as the receipt shows it.
    received: (u32, u32, u32, u32),
}

/// In order of receipt. The first two tie at the lowest price; the third
/// is lower still but below the 最低制限価格, so it is disqualified (失格).
const BIDDERS: [Bidder; 3] = [
    Bidder {
        email: "sato@toyo-insatsu.example.jp",
        org: "株式会社東洋印刷",
        typed: "1050000",
        amount: "1,050,000円",
        lottery: "418",
        received: (4, 11, 30, 10),
    },
    Bidder {
        email: "info@naniwa-shoji.example.jp",
        org: "浪速商事株式会社",
        typed: "1,050,000",
        amount: "1,050,000円",
        lottery: "210",
        received: (7, 14, 20, 41),
    },
    Bidder {
        email: "eigyo@kitanihon.example.jp",
        org: "北日本資材株式会社",
        typed: "980000",
        amount: "980,000円",
        lottery: "861",
        received: (9, 16, 48, 0),
    },
];

/// The 電子くじ between the two tied bids, worked out by hand with the
/// glossary's rule. 2026-12-04 11:30:10 JST is Unix 1796351410 and
/// 2026-12-07 14:20:41 JST is 1796620841, so the decided numbers are
/// (418 + 410) mod 1000 = 828 and (210 + 841) mod 1000 = 51; Σ = 879 and
/// 879 mod 2 = 1: the second bidder by receipt, 浪速商事, wins.
const DRAW: [(&str, i64, &str); 2] = [
    ("株式会社東洋印刷", 1_796_351_410, "828"),
    ("浪速商事株式会社", 1_796_620_841, "051"),
];
const WINNER: &str = "浪速商事株式会社";

/// A moment of December 2026, Japan time.
fn jst(day: u32, h: u32, m: u32, s: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(9 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 12, day, h, m, s)
        .unwrap()
        .with_timezone(&Utc)
}

/// When the story starts: 2026-12-01 09:00 JST.
fn t0() -> DateTime<Utc> {
    jst(1, 9, 0, 0)
}

/// Submissions from 12-03 09:00 to 12-13 09:00, 開札 at 12-13 10:00 (JST).
fn submission_opens() -> DateTime<Utc> {
    jst(3, 9, 0, 0)
}
fn deadline() -> DateTime<Utc> {
    jst(13, 9, 0, 0)
}
fn opening() -> DateTime<Utc> {
    jst(13, 10, 0, 0)
}

/// What a bidder kept from the submission: the receipt as shown.
struct Kept {
    bid_id: i64,
    commitment: String,
    signature: String,
    salt: String,
    copy: BidderReceipt,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suppliers_bid_and_print_receipts_the_opening_comes_the_buyer_awards() {
    let started = Instant::now();
    let db = TestDb::sqlite().await;
    // The people and the tender are made while the two Chromiums start.
    let (bidder, public, (server, id)) = tokio::join!(Browser::start(), Browser::start(), async {
        let server = ClockedServer::start(&db, t0()).await;
        let id = cast(&db, &server).await;
        (server, id)
    });
    let (Some(b), Some(anon)) = (bidder, public) else {
        return;
    };
    let base = server.base.as_str();
    let tender_url = format!("{base}/tenders/{id}");
    let results_url = format!("{tender_url}/results");

    // ----- 1. Submissions open (the scheduler's step at the opening instant). -----
    server.set_clock(submission_opens());
    server.wait_for_status(id, TenderStatus::Tendering).await;
    anon.goto(&tender_url).await;
    anon.wait_for_text("[data-test=status]", "受付中").await;
    anon.wait_for_text("#bid", "入札（提出）には").await;
    page_ok(&anon, "the tender page, signed out").await;

    // ----- 2. Each supplier signs in from the tender page, bids and prints. -----
    let mut kept = Vec::new();
    for (i, s) in BIDDERS.iter().enumerate() {
        let (day, h, m, sec) = s.received;
        let at = jst(day, h, m, sec);
        server.set_clock(at);

        b.goto(&tender_url).await;
        b.wait_for_text("[data-test=tender-title]", TITLE).await;
        b.follow("#bid a[href^='/login']").await;
        b.wait_for_url(|u| u.contains("/login?next=")).await;
        b.fill(&[("#email", s.email), ("#password", PASSWORD)])
            .await;
        b.submit("[data-test=login-submit]").await;
        b.wait_for_url(|u| u == tender_url).await;
        b.wait_for_text("#bid h3", "入札書の提出").await;
        page_ok(&b, "the tender page with the bid form").await;
        if i == 0 {
            // A くじ番号 of two digits: the form comes back (422) with the
            // message in Japanese and what was typed; nothing is submitted.
            b.fill(&[("#bid_amount", s.typed), ("#bid_lottery", "41")])
                .await;
            b.submit("[data-test=submit-bid]").await;
            b.wait_for_text(
                "#bid_lottery ~ .field-error",
                "くじ番号は000〜999の3桁の数字で入力してください",
            )
            .await;
            assert_eq!(b.find("#bid_amount").await.value().await, s.typed);
            assert_eq!(
                b.find("#bid_lottery").await.attr("aria-invalid").await,
                Some("true".to_owned())
            );
            only_http_error(&b, 422, "the bid form with an error").await;
        }
        b.fill(&[("#bid_amount", s.typed), ("#bid_lottery", s.lottery)])
            .await;
        b.submit("[data-test=submit-bid]").await;

        // The 受付票, straight away, with the salt shown this once.
        b.wait_for_text("[data-test=receipt-fresh]", "提出を受け付けました")
            .await;
        page_ok(&b, "the receipt after submission").await;
        let fresh = receipt_shown(&b, at).await;
        assert!(
            b.title().await.starts_with("受付票: "),
            "{}",
            b.title().await
        );
        let salt = b.find("[data-test=receipt-salt]").await.text().await;
        assert!(is_hex(&salt, 64), "the salt: {salt:?}");
        let json = b.find("[data-test=receipt-json]").await.text().await;
        let copy: BidderReceipt = serde_json::from_str(&json)
            .unwrap_or_else(|e| panic!("the receipt's JSON ({e}): {json}"));
        assert_eq!(copy.salt, salt);
        assert_eq!(copy.receipt.commitment, fresh.0);
        assert_eq!(copy.receipt.signature, fresh.1);
        assert_eq!(copy.receipt.bidder_name, s.org);
        assert_eq!(copy.receipt.tender_id, id);
        let download = b.find("[data-test=receipt-download]").await;
        assert!(
            download
                .attr("href")
                .await
                .is_some_and(|h| h.starts_with("data:application/json")),
            "the JSON is saved from the page"
        );
        // Nobody, the bidder included, reads the amount again before 開札.
        assert!(!b.page_source().await.contains(s.amount));

        // Back on the tender page: submitted, no amount, the receipt to print.
        b.goto(&tender_url).await;
        let done = b
            .wait_for_text("[data-test=bid-done]", "入札済み")
            .await
            .text()
            .await;
        let (western, _) = receipt_times(at);
        assert!(
            done.contains(&format!("入札済み（受付日時 {western}）")),
            "{done}"
        );
        assert!(b.try_find("[data-test=bid-form]").await.is_none());
        let page = b.find("main").await.text().await;
        assert!(
            !page.contains(s.amount) && !page.contains(s.typed),
            "the amount is shown before the opening: {page}"
        );
        b.follow("[data-test=receipt-link]").await;
        let receipt_url = b.wait_for_url(|u| u.ends_with("/receipt")).await;
        let bid_id: i64 = receipt_url
            .strip_prefix(&format!("{base}/bids/"))
            .and_then(|r| r.strip_suffix("/receipt"))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("not a receipt address: {receipt_url}"));
        b.wait_for_text("[data-test=receipt-page] h1", "受付票")
            .await;
        page_ok(&b, "the printable receipt").await;
        let shown = facts(&b, ".receipt-facts").await;
        for (k, v) in [
            ("案件名", format!("{TITLE}（案件番号 {id}）")),
            ("入札者", s.org.to_owned()),
            ("受付番号", bid_id.to_string()),
        ] {
            assert!(
                shown.contains(&(k.to_owned(), v.clone())),
                "{k} {v} not on the receipt: {shown:?}"
            );
        }
        assert_eq!(receipt_shown(&b, at).await, fresh, "the same receipt");
        assert!(b.try_find("[data-test=receipt-salt]").await.is_none());
        b.wait_for_text("[data-test=receipt-no-salt]", "ソルト")
            .await;
        assert_prints(&b).await;
        if i == 0 {
            // The receipt in English: Japan time said so, the era kept.
            b.follow("[data-testid=lang-switch]").await;
            b.wait_for_url(|u| u.contains("lang=en")).await;
            assert_eq!(b.html_lang().await, "en");
            b.wait_for_text("[data-test=receipt-page] h1", "Receipt")
                .await;
            let en = b.find("[data-test=receipt-received]").await.text().await;
            assert!(en.starts_with("2026-12-04 11:30:10 JST\n"), "{en}");
            assert!(
                en.contains("令和8年12月4日 11:30:10 (Japanese era)"),
                "{en}"
            );
            page_ok_in(&b, "the receipt in English", "en").await;
            b.follow("[data-testid=lang-switch]").await;
            b.wait_for_url(|u| u.contains("lang=ja")).await;
            b.wait_for_text("[data-test=receipt-page] h1", "受付票")
                .await;
        }
        kept.push(Kept {
            bid_id,
            commitment: fresh.0,
            signature: fresh.1,
            salt,
            copy,
        });

        sign_out(&b, base).await;
    }

    // ----- 3. Before the opening, nothing of a bid is public. -----
    anon.goto(&results_url).await;
    anon.wait_for_text(".error-status", "404").await;
    anon.wait_for_text("main", "開札前のため、入札結果はまだ公開されていません。")
        .await;
    only_http_error(&anon, 404, "the results before the opening").await;

    // The deadline passes (締切), then the opening time (開札 by the scheduler).
    server.set_clock(deadline() + Duration::minutes(30));
    server.wait_for_status(id, TenderStatus::Closed).await;
    anon.goto(&tender_url).await;
    anon.wait_for_text("[data-test=status]", "締切（開札待ち）")
        .await;
    assert!(anon.try_find("[data-test=results-link]").await.is_none());
    // Opened before any request could catch the tender up: the scheduler's
    // pass made the 開札.
    server.set_clock(opening());
    server.wait_for_status(id, TenderStatus::Opened).await;

    // ----- 4. The results, signed out: every bid, the prices, the lottery. -----
    anon.refresh().await;
    anon.wait_for_text("[data-test=status]", "開札済み").await;
    anon.follow("[data-test=results-link]").await;
    anon.wait_for_url(|u| u == results_url).await;
    anon.wait_for_text("h1", "入札結果").await;
    page_ok(&anon, "the results").await;
    anon.wait_for_text("[data-test=no-award]", "落札者はまだ決定していません")
        .await;
    assert!(anon.try_find("[data-test=award]").await.is_none());
    assert_eq!(
        anon.find("[data-test=reserve-price]").await.text().await,
        "1,200,000円（税抜）"
    );
    assert_eq!(
        anon.find("[data-test=minimum-price]").await.text().await,
        "1,000,000円（税抜）"
    );
    let round = facts(&anon, "[data-test=round] dl.facts").await;
    let fact = |k: &str| {
        round
            .iter()
            .find(|(t, _)| t == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {k} in {round:?}"))
    };
    assert_eq!(fact("開札日時"), "2026年12月13日 10:00:00");
    assert_eq!(fact("落札者決定方式"), "最低価格");
    assert_eq!(
        fact("結果"),
        format!(
            "落札候補者：{WINNER}（入札番号 {}）（電子くじにより決定）",
            kept[1].bid_id
        )
    );
    assert_eq!(fact("落札候補金額（税抜）"), "1,050,000円（税抜）");
    assert_eq!(fact("落札候補金額（税込）"), "1,155,000円（税込）");

    let rows = rows_of(&anon, "[data-test=result-bid]").await;
    assert_eq!(rows.len(), BIDDERS.len(), "{rows:?}");
    for (i, (row, s)) in rows.iter().zip(&BIDDERS).enumerate() {
        let (day, h, m, sec) = s.received;
        let (western, _) = receipt_times(jst(day, h, m, sec));
        assert!(row[0].starts_with(s.org), "{row:?}");
        assert_eq!(row[0].contains("落札候補"), s.org == WINNER, "{row:?}");
        assert_eq!(row[1], s.amount, "{row:?}");
        assert_eq!(row[2], s.lottery, "{row:?}");
        assert_eq!(row[3], western, "{row:?}");
        if i < 2 {
            assert_eq!(row[4], "有効", "{row:?}");
            assert_eq!(row[5], "1位", "{row:?}");
        } else {
            assert!(row[4].starts_with("失格"), "{row:?}");
            assert!(row[4].contains("最低制限価格"), "{row:?}");
        }
    }
    // What each bidder kept checks out against what is published.
    let checks = rows_of(&anon, "[data-test=result-check]").await;
    assert_eq!(checks.len(), kept.len(), "{checks:?}");
    for (row, k) in checks.iter().zip(&kept) {
        assert_eq!(row[2], k.commitment, "{row:?}");
        assert_eq!(row[3], k.salt, "{row:?}");
        assert_eq!(row[4], "一致（検証済み）", "{row:?}");
    }
    let public_key = anon
        .execute(
            "const p = [...document.querySelectorAll('[data-test=round] p.meta')]
                 .find(p => p.textContent.includes('公開鍵'));
             return p ? p.querySelector('code').textContent : null;",
            &[],
        )
        .await;
    let public_key = base64::engine::general_purpose::STANDARD
        .decode(public_key.as_str().expect("the receipt key is published"))
        .expect("the key is base64");
    for k in &kept {
        k.copy
            .receipt
            .verify(&public_key)
            .expect("a printed receipt verifies with the published key");
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(&k.signature)
                .map(|s| s.len()),
            Ok(64),
            "an Ed25519 signature"
        );
    }

    // The 電子くじ, with what anyone needs to recompute it.
    let draw = rows_of(&anon, "[data-test=lottery] tbody tr").await;
    assert_eq!(draw.len(), DRAW.len(), "{draw:?}");
    for (i, (row, (org, seconds, decided))) in draw.iter().zip(DRAW).enumerate() {
        let s = &BIDDERS[i];
        assert_eq!(row[0], i.to_string(), "{row:?}");
        assert!(row[1].starts_with(org), "{row:?}");
        assert_eq!(row[1].contains("当選"), org == WINNER, "{row:?}");
        assert_eq!(row[2], s.lottery, "{row:?}");
        assert_eq!(
            row[4],
            format!("{seconds}（{}）", seconds % 1000),
            "{row:?}"
        );
        assert_eq!(row[5], decided, "{row:?}");
    }
    let lottery = facts(&anon, ".tender-table:has([data-test=lottery]) + dl.facts").await;
    assert_eq!(
        lottery,
        [
            ("決定くじ番号の合計", "879"),
            ("件数", "2"),
            ("当選番号", "1"),
            ("計算", "(828 + 051) = 879; 879 mod 2 = 1"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );

    // Japanese first; the same results in English.
    anon.follow("[data-testid=lang-switch]").await;
    anon.wait_for_url(|u| u.contains("lang=en")).await;
    assert_eq!(anon.html_lang().await, "en");
    anon.wait_for_text("h1", "Bid results").await;
    anon.wait_for_text("[data-test=outcome]", "(decided by lottery)")
        .await;
    assert_eq!(
        anon.find("[data-test=reserve-price]").await.text().await,
        "¥1,200,000 (excl. tax)"
    );
    let en = rows_of(&anon, "[data-test=result-bid]").await;
    assert_eq!(en[0][1], "¥1,050,000", "{en:?}");
    assert!(en[2][4].starts_with("Disqualified"), "{en:?}");
    page_ok_in(&anon, "the results in English", "en").await;
    anon.follow("[data-testid=lang-switch]").await;
    anon.wait_for_url(|u| u.contains("lang=ja")).await;
    anon.wait_for_text("h1", "入札結果").await;

    // ----- 5. The buyer decides the award. -----
    server.set_clock(opening() + Duration::minutes(30));
    b.goto(&format!("{base}/login")).await;
    b.fill(&[("#email", BUYER), ("#password", PASSWORD)]).await;
    b.submit("[data-test=login-submit]").await;
    b.wait_for_url(|u| u == format!("{base}/account")).await;
    b.goto(&tender_url).await;
    b.wait_for_text("[data-test=status]", "開札済み").await;
    b.wait_for_text(
        "[data-test=award-panel]",
        &format!("開札の結果、落札候補者は「{WINNER}」です。"),
    )
    .await;
    page_ok(&b, "the buyer's tender page after the opening").await;
    b.submit("[data-test=award-panel] [data-test=award]").await;
    b.wait_for_url(|u| u == format!("{results_url}?bid=awarded"))
        .await;
    b.wait_for_text("[data-test=results-notice]", "落札者を決定しました。")
        .await;
    page_ok(&b, "the results after the award").await;
    assert!(b.try_find("[data-test=award]").await.is_none());
    assert!(b.try_find("[data-test=award-error]").await.is_none());

    // ----- 6. The public results name the 落札者. -----
    anon.refresh().await;
    anon.wait_for_text("[data-test=status]", "落札者決定").await;
    assert_eq!(
        facts(&anon, "[data-test=award-decided]").await,
        [
            ("落札者", WINNER),
            ("落札金額（税込）", "1,155,000円（税込）"),
            ("落札金額（税抜）", "1,050,000円（税抜）"),
            ("落札者決定日時", "2026年12月13日 10:30"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    assert!(anon.try_find("[data-test=no-award]").await.is_none());
    page_ok(&anon, "the results after the award").await;
    anon.goto(&tender_url).await;
    anon.wait_for_text("[data-test=status]", "落札者決定").await;
    page_ok(&anon, "the awarded tender page").await;

    eprintln!(
        "bid journey: {:.1} s (two Chromiums, three bids, one server on a manual clock)",
        started.elapsed().as_secs_f64()
    );
}

// ----- the cast ---------------------------------------------------------------------

/// The buyer (approved) and the suppliers (with complete profiles), who
/// sign in with [`PASSWORD`]; the tender, published at `t0`. Its id.
async fn cast(db: &TestDb, server: &ClockedServer) -> i64 {
    let hash = hash_password(PASSWORD.to_owned()).await.unwrap();
    member(db, BUYER, OrgKind::PublicBody, BUYER_ORG, &hash).await;
    for s in &BIDDERS {
        let p = member(db, s.email, OrgKind::Supplier, s.org, &hash).await;
        let mut c = api_client(server, s.email).await;
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

    let mut buyer = api_client(server, BUYER).await;
    let r = buyer
        .post(
            "/api/v1/tenders",
            json!({
                "kind": "sealed_bid",
                "title": TITLE,
                "summary": "本庁舎で使用する清掃用品一式を単価契約により購入する。",
                "category": "goods",
                "jsic": ["1511"],
                "place": "13",
                "method": "open",
                "questions_until": jst(8, 17, 0, 0).to_rfc3339(),
                "submission_opens_at": submission_opens().to_rfc3339(),
                "submission_closes_at": deadline().to_rfc3339(),
                "opening_at": opening().to_rfc3339(),
                "reserve_price": RESERVE,
                "reserve_price_publication": "at_opening",
                "minimum_price": MINIMUM,
                "award_method": "lowest_price",
                "contact_department": "総務部 契約課",
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    let r = buyer
        .post(&format!("/api/v1/tenders/{id}/publish"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    id
}

/// [`org_member`] who can sign in: the password set, the address verified
/// (as the link in the mail would).
async fn member(db: &TestDb, email: &str, kind: OrgKind, org: &str, hash: &str) -> Principal {
    let p = org_member(&*db.storage, email, kind, org, t0()).await;
    can_sign_in(db, &p, hash).await;
    p
}

async fn api_client(server: &ClockedServer, email: &str) -> Client {
    let mut c = Client::new(&server.base);
    let r = c
        .post(
            "/api/v1/auth/login",
            json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    c
}

// ----- in the browser ----------------------------------------------------------------

async fn sign_out(b: &Browser, base: &str) {
    b.goto(&format!("{base}/account")).await;
    b.submit("[data-test=logout]").await;
    b.wait_for_url(|u| u == format!("{base}/")).await;
    b.find("[data-test=nav-login]").await;
}

/// The receipt time as the pages write it: Japan time, and in 和暦.
fn receipt_times(t: DateTime<Utc>) -> (String, String) {
    let j = t.with_timezone(&FixedOffset::east_opt(9 * 3600).unwrap());
    let clock = j.format("%H:%M:%S");
    let day = j.format("%-m月%-d日");
    (
        format!("{}年{day} {clock}", j.format("%Y")),
        // December 2026 is in 令和8年 (2018 + 8).
        format!("令和8年{day} {clock}"),
    )
}

/// The receipt on the page: its received time is `at` (Japan time, 和暦, and
/// the exact instant); returns the commitment and the signature shown.
async fn receipt_shown(b: &Browser, at: DateTime<Utc>) -> (String, String) {
    let received = b.find("[data-test=receipt-received]").await.text().await;
    let lines: Vec<&str> = received.lines().map(str::trim).collect();
    let (western, wareki) = receipt_times(at);
    assert_eq!(lines.len(), 3, "{received:?}");
    assert_eq!(lines[0], western);
    assert_eq!(lines[1], wareki);
    let exact = DateTime::parse_from_rfc3339(lines[2])
        .unwrap_or_else(|e| panic!("the exact instant {:?}: {e}", lines[2]));
    assert_eq!(exact, at);
    let commitment = b.find("[data-test=receipt-commitment]").await.text().await;
    assert!(
        is_hex(&commitment, 64),
        "a SHA-256 commitment: {commitment:?}"
    );
    let signature = b.find("[data-test=receipt-signature]").await.text().await;
    assert!(!signature.is_empty());
    (commitment, signature)
}

/// The receipt prints: `window.print` is there; under print media the site's
/// navigation, search, footer and every `.no-print` part are hidden while the
/// receipt is shown; and Chromium prints it to a one-page PDF.
async fn assert_prints(b: &Browser) {
    assert_eq!(
        b.execute("return typeof window.print;", &[]).await,
        "function"
    );
    let hidden =
        "return ['.site-nav', '.header-search', '.lang-switch', '.site-footer', '.no-print']
        .flatMap(css => [...document.querySelectorAll(css)])
        .filter(el => getComputedStyle(el).display !== 'none').length;";
    let shown_on_screen = b.execute(hidden, &[]).await;
    assert!(
        shown_on_screen.as_u64().unwrap_or(0) >= 4,
        "navigation is shown on screen: {shown_on_screen}"
    );
    cdp(b, "Emulation.setEmulatedMedia", json!({ "media": "print" })).await;
    assert_eq!(
        b.execute("return matchMedia('print').matches;", &[]).await,
        true
    );
    assert_eq!(b.execute(hidden, &[]).await, 0, "navigation shown in print");
    assert!(
        b.find("[data-test=receipt-commitment]")
            .await
            .is_displayed()
            .await
    );
    assert!(
        b.find("[data-test=receipt-signature]")
            .await
            .is_displayed()
            .await
    );
    assert!(b.find(".receipt h1").await.is_displayed().await);
    cdp(b, "Emulation.setEmulatedMedia", json!({ "media": "" })).await;
    assert_eq!(
        b.execute("return matchMedia('print').matches;", &[]).await,
        false
    );

    let r = b.post("/print", json!({ "background": false })).await;
    let pdf = b.ok("print the page", r).await;
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(pdf.as_str().unwrap_or_default())
        .expect("the printed PDF is base64");
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let text = String::from_utf8_lossy(&pdf);
    // Each page is a `/Type /Page` object (the tree's root is `/Type /Pages`).
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    assert_eq!(pages, 1, "the receipt prints on one page");
}

/// Runs a Chrome DevTools command through chromedriver.
async fn cdp(b: &Browser, cmd: &str, params: Value) {
    let r = b
        .post("/goog/cdp/execute", json!({ "cmd": cmd, "params": params }))
        .await;
    b.ok(&format!("DevTools {cmd}"), r).await;
}

/// The browser console's errors since the last call (reading empties it).
async fn console_errors(b: &Browser) -> Vec<String> {
    let r = b.post("/se/log", json!({ "type": "browser" })).await;
    let log = b.ok("read the browser console", r).await;
    log.as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// [`page_ok`] for a page answered with an error `status` on purpose: the
/// console reports that status and nothing else.
async fn only_http_error(b: &Browser, status: u16, what: &str) {
    let errors = console_errors(b).await;
    assert!(
        errors.len() == 1 && errors[0].contains(&format!("status of {status}")),
        "on {what}, the console should report only the {status}: {errors:#?}"
    );
    page_ok(b, what).await;
}

/// The page is in Japanese with English offered second, and the console
/// has no errors.
async fn page_ok(b: &Browser, what: &str) {
    page_ok_in(b, what, "ja").await;
}

async fn page_ok_in(b: &Browser, what: &str, lang: &str) {
    assert_eq!(b.html_lang().await, lang, "the language of {what}");
    let (label, other) = if lang == "ja" {
        ("English", "en")
    } else {
        ("日本語", "ja")
    };
    let switch = b.find("[data-testid=lang-switch]").await;
    assert_eq!(switch.text().await, label, "the language switch on {what}");
    assert_eq!(switch.attr("hreflang").await.as_deref(), Some(other));
    let errors = console_errors(b).await;
    assert!(errors.is_empty(), "console errors on {what}: {errors:#?}");
}

/// The terms and descriptions of the `<dl>` matching `css`, as shown.
async fn facts(b: &Browser, css: &str) -> Vec<(String, String)> {
    let dl = b.find(css).await;
    let pairs = b
        .execute(
            "return [...arguments[0].querySelectorAll(':scope > dt')]
                 .map(dt => [dt.innerText.trim(), dt.nextElementSibling.innerText.trim()]);",
            &[dl.as_arg()],
        )
        .await;
    serde_json::from_value(pairs).unwrap_or_else(|e| panic!("the facts of {css}: {e}"))
}

/// The cells of every table row matching `css`, as shown.
async fn rows_of(b: &Browser, css: &str) -> Vec<Vec<String>> {
    b.find(css).await;
    let rows = b
        .execute(
            "return [...document.querySelectorAll(arguments[0])]
                 .map(tr => [...tr.cells].map(td => td.innerText.trim()));",
            &[json!(css)],
        )
        .await;
    serde_json::from_value(rows).unwrap_or_else(|e| panic!("the rows {css}: {e}"))
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|c| c.is_ascii_hexdigit())
}
