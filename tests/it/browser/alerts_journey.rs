//! The alert journey, in a real browser against the real binary: a supplier
//! searches, saves the search; a buyer publishes a matching tender (and one
//! that does not match); the supplier sees the unread badge, finds the
//! tender in お知らせ and opens it; the mail arrives in the dev mailbox with
//! the tender's link and a one-click unsubscribe link.

use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use serde_json::json;

use crate::browser::Browser;
use crate::portal::{
    Client, PASSWORD, Server, approved_buyer, create_admin, start, supplier_with_profile,
    wait_for_mail,
};
use crate::support::TestDb;

const ADMIN: &str = "office@musubi.example.jp";
const BUYER: &str = "keiyaku@city.example.jp";
const SUPPLIER: &str = "suzuki@clean.example.jp";
const MATCHING: &str = "市民会館清掃業務委託（令和9年度）";
const OTHER: &str = "道路照明灯修繕工事";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supplier_saves_a_search_and_is_told_of_a_new_tender_in_the_inbox_and_by_mail() {
    let started = Instant::now();
    let db = TestDb::sqlite().await;
    let (browser, (server, mut buyer)) = tokio::join!(Browser::start(), async {
        create_admin(&db, ADMIN);
        let server = start(&db);
        let buyer = cast(&server).await;
        (server, buyer)
    });
    let Some(b) = browser else {
        return;
    };
    let base = server.base.as_str();

    // ----- 1. The supplier searches and saves the search. -----
    b.goto(&format!("{base}/login")).await;
    b.fill(&[("#email", SUPPLIER), ("#password", PASSWORD)])
        .await;
    b.submit("[data-test=login-submit]").await;
    b.wait_for_url(|u| u == format!("{base}/account")).await;
    b.goto(&format!("{base}/search?q=清掃&prefecture=13")).await;
    b.wait_for_text("[data-test=total]", "検索結果").await;
    assert_eq!(b.find("[data-test=save-name]").await.value().await, "清掃");
    b.find("[data-test=save-name]").await.clear().await;
    b.fill(&[("[data-test=save-name]", "都内の清掃業務")]).await;
    b.submit("[data-test=save-search-submit]").await;
    b.wait_for_url(|u| u.starts_with(&format!("{base}/saved-searches")))
        .await;
    b.wait_for_text("[data-test=notice]", "検索条件を保存しました")
        .await;
    let row = b
        .wait_for_text("[data-test=saved-search]", "都内の清掃業務")
        .await;
    assert!(row.text().await.contains("即時"));
    assert!(b.try_find("[data-test=nav-unread]").await.is_none());

    // ----- 2. The buyer publishes two tenders; one matches. -----
    publish(&mut buyer, OTHER, "道路照明灯の修繕。").await;
    let tender = publish(
        &mut buyer,
        MATCHING,
        "市民会館の日常清掃及び定期清掃を委託する。",
    )
    .await;

    // ----- 3. The badge, the inbox, the tender. -----
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        b.goto(&format!("{base}/saved-searches")).await;
        if b.try_find("[data-test=nav-unread]").await.is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "no unread notification in 30 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(b.find("[data-test=nav-unread]").await.text().await, "1");
    b.follow("[data-test=nav-notifications]").await;
    b.wait_for_url(|u| u == format!("{base}/notifications"))
        .await;
    let item = b.wait_for_text("[data-test=inbox-item]", MATCHING).await;
    let text = item.text().await;
    assert!(
        text.contains("都内の清掃業務") && text.contains("未読"),
        "{text}"
    );
    assert!(!b.page_source().await.contains(OTHER));
    b.follow("[data-test=inbox-item] a").await;
    b.wait_for_url(|u| u == format!("{base}/tenders/{tender}"))
        .await;
    b.wait_for_text("[data-test=tender-title]", MATCHING).await;
    // Read now: no badge.
    assert!(b.try_find("[data-test=nav-unread]").await.is_none());

    // ----- 4. The mail. -----
    let body = wait_for_mail(&server.mail_dir, SUPPLIER, "新着案件").await;
    assert!(body.contains(MATCHING), "{body}");
    assert!(body.contains(&format!("{base}/tenders/{tender}")), "{body}");
    assert!(body.contains("/alerts/unsubscribe?target=s"), "{body}");
    assert!(!body.contains(OTHER));
    println!(
        "alert journey took {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// An approved buyer (its API client) and a supplier with a profile.
async fn cast(server: &Server) -> Client {
    let buyer = approved_buyer(
        server,
        ADMIN,
        BUYER,
        "契約 花子",
        "架空市役所",
        "カクウシヤクショ",
    )
    .await;
    supplier_with_profile(
        server,
        SUPPLIER,
        "鈴木 一郎",
        "鈴木清掃株式会社",
        "スズキセイソウ",
        "7000012050002",
    )
    .await;
    buyer
}

/// Posts and publishes a tender in 東京都 through the API; its id.
async fn publish(buyer: &mut Client, title: &str, summary: &str) -> i64 {
    let today = musubi_domain::japan_date(Utc::now());
    let day = |n: i64| (today + TimeDelta::days(n)).format("%Y-%m-%d").to_string();
    let r = buyer
        .post(
            "/api/v1/tenders",
            json!({
                "kind": "sealed_bid", "title": title, "summary": summary,
                "category": "services", "jsic": ["9221"], "place": "13", "method": "open",
                "questions_until": format!("{}T17:00", day(5)),
                "submission_opens_at": format!("{}T09:00", day(2)),
                "submission_closes_at": format!("{}T17:00", day(14)),
                "opening_at": format!("{}T10:00", day(15)),
                "award_method": "lowest_price", "reserve_price": 3000000,
                "reserve_price_publication": "at_opening",
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
