//! The coordinator journey, in two real browsers: a coordinator of 関東
//! signs in, opens a tender of 東京都 and shares it to 九州・沖縄 with a
//! note; a supplier in 福岡 signs in, finds the share in its お知らせ, opens
//! the tender and applies (参加申請); the coordinator's KPIs then show one
//! share and one application that followed it.
//!
//! The people and the published tender are made through storage and the
//! services; from signing in on, everything happens in the browsers. The
//! portal runs in this process on a [`ClockedServer`] (the tender's
//! schedule is fixed in December 2026).

use chrono::Duration;
use musubi_app::secrets::hash_password;
use musubi_domain::tender::Eligibility;

use crate::browser::Browser;
use crate::browser::harness::{ClockedServer, can_sign_in};
use crate::coordination::{coordinator, supplier, t0};
use crate::portal::PASSWORD;
use crate::support::{TestDb, org_member, published, tender_content};

const COORDINATOR: &str = "chosei@musubi.example.jp";
const COORDINATOR_NAME: &str = "調整 役子";
const SUPPLIER: &str = "eigyo@hakata-bungu.example.jp";
const TITLE: &str = "庁舎で使用する事務用品の購入";
const NOTE: &str = "九州の文具メーカーの皆様も参加できます。締切にご注意ください。";

/// A buyer of 東京都 with a tender open to suppliers nationwide, a
/// coordinator of 関東 and a 0911 maker in 福岡 who may sign in; the
/// tender's id.
async fn cast(db: &TestDb, server: &ClockedServer) -> i64 {
    let hash = hash_password(PASSWORD.to_owned()).await.unwrap();
    let svc = &server.services;
    let buyer = org_member(
        &*db.storage,
        "keiyaku@city.example.jp",
        musubi_domain::OrgKind::PublicBody,
        "架空市役所",
        t0(),
    )
    .await;
    let c = coordinator(svc, COORDINATOR, COORDINATOR_NAME).await;
    can_sign_in(db, &c, &hash).await;
    let s = supplier(svc, SUPPLIER, "株式会社博多文具", "40", "0911").await;
    can_sign_in(db, &s, &hash).await;
    let mut content = tender_content(TITLE, t0());
    content.eligibility = Eligibility::default();
    published(
        &*db.storage,
        buyer.org_id().unwrap(),
        buyer.user_id,
        &content,
        t0(),
    )
    .await
}

async fn sign_in(b: &Browser, base: &str, email: &str) {
    b.goto(&format!("{base}/login")).await;
    b.fill(&[("#email", email), ("#password", PASSWORD)]).await;
    b.submit("[data-test=login-submit]").await;
    b.wait_for_url(|u| u == format!("{base}/account")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_shares_a_tender_to_another_region_and_a_supplier_there_applies() {
    let db = TestDb::sqlite().await;
    let (coordinating, supplying, (server, id)) =
        tokio::join!(Browser::start(), Browser::start(), async {
            let server = ClockedServer::start(&db, t0() + Duration::hours(1)).await;
            let id = cast(&db, &server).await;
            (server, id)
        });
    let (Some(c), Some(s)) = (coordinating, supplying) else {
        return;
    };
    let base = server.base.as_str();
    let tender_url = format!("{base}/tenders/{id}");

    // ----- 1. The coordinator finds the tender on the dashboard and shares it. -----
    sign_in(&c, base, COORDINATOR).await;
    c.follow("[data-test=nav-coordinator]").await;
    c.wait_for_url(|u| u == format!("{base}/coordinator")).await;
    c.wait_for_text("[data-test=few-eligible]", TITLE).await;
    c.goto(&tender_url).await;
    c.wait_for_text(
        "[data-test=coordinator-recommendations]",
        "コーディネーターからの推薦",
    )
    .await;
    c.follow("[data-test=coordinate-tender]").await;
    c.wait_for_url(|u| u == format!("{base}/coordinator/tenders/{id}"))
        .await;
    // Without a note the form comes back and says why.
    c.fill(&[("[data-test=share-region]", "kyushu_okinawa")])
        .await;
    c.submit("[data-test=share-submit]").await;
    c.wait_for_text(
        "[data-test=share-error]",
        "メモ（連絡事項）を入力してください",
    )
    .await;
    c.fill(&[
        ("[data-test=share-region]", "kyushu_okinawa"),
        ("[data-test=share-note]", NOTE),
    ])
    .await;
    c.submit("[data-test=share-submit]").await;
    c.wait_for_text("[data-test=coordination-notice]", "案件を共有しました")
        .await;
    let row = c.wait_for_text("[data-test=share-row]", "九州・沖縄").await;
    let shown = row.text().await;
    assert!(
        shown.contains(COORDINATOR_NAME) && shown.contains(NOTE),
        "{shown}"
    );

    // ----- 2. The supplier in 福岡 sees it in お知らせ and applies. -----
    sign_in(&s, base, SUPPLIER).await;
    s.goto(&format!("{base}/notifications")).await;
    let item = s.wait_for_text("[data-test=inbox-item]", TITLE).await;
    assert!(item.text().await.contains("コーディネーター"));
    s.follow("[data-test=inbox-item] a").await;
    s.wait_for_url(|u| u == tender_url).await;
    s.submit("[data-test=apply]").await;
    s.wait_for_text("[data-test=my-application]", "申請状況")
        .await;

    // ----- 3. The coordinator's KPIs: one share, one application after it. -----
    c.goto(&format!("{base}/coordinator/kpis")).await;
    let row = format!("[data-test=kpi-coordinator][data-label='{COORDINATOR_NAME}']");
    c.wait_for_text(&format!("{row} [data-kpi=shares]"), "1")
        .await;
    assert_eq!(
        c.find(&format!("{row} [data-kpi=recipients]"))
            .await
            .text()
            .await,
        "1"
    );
    assert_eq!(
        c.find(&format!("{row} [data-kpi=applications]"))
            .await
            .text()
            .await,
        "1"
    );
    let region = "[data-test=kpi-region][data-label='九州・沖縄']";
    assert_eq!(
        c.find(&format!("{region} [data-kpi=applications]"))
            .await
            .text()
            .await,
        "1"
    );
}
