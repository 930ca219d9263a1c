//! Smoke journeys: what a visitor does, in a real browser, against `musubi serve`.

use crate::browser::Browser;
use crate::support::TestDb;
use crate::web::start_server;

/// The header's language switch. TODO: select by a stable hook once the
/// template has one (`data-testid="lang-switch"` asked for); until then, by
/// the link's target.
const SWITCH_TO_ENGLISH: &str = r#".site-header a[href*="lang=en"]"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn japanese_first_then_english_remembered() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let db = TestDb::sqlite().await;
    let (_server, base) = start_server(&db, &[]);

    // A Japanese visitor gets the Japanese top page.
    browser.goto(&format!("{base}/")).await;
    assert_eq!(browser.html_lang().await, "ja");
    assert!(browser.title().await.contains("結び"));
    browser.wait_for_text(".brand-name", "結び").await;
    assert!(browser.find("main").await.is_displayed().await);

    // The language switch leads to the English page…
    let switch = browser.find(SWITCH_TO_ENGLISH).await;
    assert_eq!(switch.text().await, "English");
    assert_eq!(switch.attr("hreflang").await.as_deref(), Some("en"));
    browser.follow(SWITCH_TO_ENGLISH).await;
    browser.wait_for_url(|u| u.contains("lang=en")).await;
    assert_eq!(browser.html_lang().await, "en");
    browser
        .wait_for_text(".brand-tagline", "electronic bidding")
        .await;
    assert_eq!(
        browser
            .find(".site-header .lang-switch a")
            .await
            .text()
            .await,
        "日本語"
    );

    // …and English stays (the `lang` cookie) on a page opened without `?lang=`.
    browser.goto(&format!("{base}/")).await;
    assert_eq!(browser.current_url().await, format!("{base}/"));
    assert_eq!(browser.html_lang().await, "en");
    browser
        .wait_for_text(".brand-tagline", "electronic bidding")
        .await;
    browser.refresh().await;
    assert_eq!(browser.html_lang().await, "en");
}
