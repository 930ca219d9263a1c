//! The harness itself: lookups, waits, forms, scripts, screenshots, and what
//! a failed lookup reports.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::browser::{Browser, failures_dir};
use crate::support::TestDb;
use crate::web::start_server;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finds_waits_runs_scripts_and_takes_screenshots() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let db = TestDb::sqlite().await;
    let (_server, base) = start_server(&db, &[]);
    browser.goto(&format!("{base}/")).await;

    let links = browser
        .execute(
            "return document.querySelectorAll('.site-nav li a').length;",
            &[],
        )
        .await;
    assert!(links.as_u64().unwrap() > 1, "{links}");
    assert_eq!(json!(browser.find_all(".site-nav li a").await.len()), links);
    assert!(browser.try_find("#no-such-thing").await.is_none());
    assert!(browser.find_all("#no-such-thing").await.is_empty());
    let brand = browser.find("a.brand").await;
    assert_eq!(brand.attr("href").await.as_deref(), Some("/"));
    assert_eq!(brand.prop("href").await, json!(format!("{base}/")));
    assert_eq!(brand.attr("data-nothing").await, None);
    assert!(browser.page_source().await.contains("site-header"));

    let sum = browser
        .execute(
            "return arguments[0] + arguments[1];",
            &[json!(2), json!(40)],
        )
        .await;
    assert_eq!(sum, json!(42));
    let tag = browser
        .execute("return arguments[0].tagName;", &[brand.as_arg()])
        .await;
    assert_eq!(tag, "A");

    // Something that appears later is waited for.
    browser
        .execute(
            "setTimeout(() => {
                 const p = document.createElement('p');
                 p.id = 'late';
                 p.textContent = 'あとから来ました';
                 document.querySelector('main').append(p);
             }, 400);",
            &[],
        )
        .await;
    browser.wait_for_text("#late", "あとから").await;

    // A same-document link changes only the URL's fragment.
    browser
        .execute(
            "document.querySelector('main')
                 .insertAdjacentHTML('afterbegin', '<a id=\"t-frag\" href=\"#late\">↓</a>');",
            &[],
        )
        .await;
    browser.follow("#t-frag").await;
    browser.wait_for_url(|u| u.ends_with("/#late")).await;
    browser.back().await;
    browser.wait_for_url(|u| u == format!("{base}/")).await;

    let dir = tempfile::tempdir().unwrap();
    let shot = dir.path().join("deeper/top.png");
    browser.screenshot(&shot).await;
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(png.len() > 1000, "a suspiciously small screenshot");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fills_and_submits_a_form() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let db = TestDb::sqlite().await;
    let (_server, base) = start_server(&db, &[]);
    browser.goto(&format!("{base}/")).await;
    assert_eq!(browser.html_lang().await, "ja");

    // The portal has no form of its own yet: put one on its page.
    browser
        .execute(
            r#"document.querySelector('main').insertAdjacentHTML('beforeend', `
                <form id="t" action="/" method="get">
                  <input id="t-q" name="q" value="前の値">
                  <select id="t-lang" name="lang">
                    <option value="ja">日本語</option><option value="en">English</option>
                  </select>
                  <input id="t-c" type="checkbox" name="c" value="yes">
                  <button id="t-go" type="submit">検索</button>
                </form>`);"#,
            &[],
        )
        .await;
    browser
        .fill(&[("#t-q", "入札 案件"), ("#t-lang", "en"), ("#t-c", "true")])
        .await;
    assert_eq!(browser.find("#t-q").await.value().await, "入札 案件");
    assert_eq!(browser.find("#t-lang").await.value().await, "en");
    assert_eq!(browser.find("#t-c").await.prop("checked").await, true);

    browser.submit("#t-go").await;
    let url = browser.current_url().await;
    assert!(url.contains("lang=en") && url.contains("c=yes"), "{url}");
    assert!(
        url.contains("q=%E5%85%A5%E6%9C%AD+%E6%A1%88%E4%BB%B6"),
        "{url}"
    );
    assert_eq!(browser.html_lang().await, "en");
    assert!(browser.try_find("#t").await.is_none(), "still the old page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_find_names_the_selector_page_and_screenshot() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let db = TestDb::sqlite().await;
    let (_server, base) = start_server(&db, &[]);
    browser.goto(&format!("{base}/")).await;
    browser.set_wait(Duration::from_millis(300));

    let browser = Arc::new(browser);
    let b = Arc::clone(&browser);
    let failed = tokio::spawn(async move {
        b.find("#there-is-no-such-element").await;
    })
    .await
    .expect_err("find must fail");
    let payload = failed.into_panic();
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("`#there-is-no-such-element`"), "{message}");
    assert!(message.contains(&format!("{base}/")), "{message}");
    assert!(message.contains("結び"), "the title: {message}");
    let shot = message
        .lines()
        .find_map(|l| l.trim().strip_prefix("screenshot: "))
        .unwrap_or_else(|| panic!("no screenshot in: {message}"))
        .trim();
    let path = std::path::Path::new(shot);
    assert!(path.starts_with(failures_dir()), "{message}");
    let name = path.file_name().unwrap().to_str().unwrap();
    assert!(
        name.starts_with("browser-harness-a_failed_find_names_the_selector_page_and_screenshot-"),
        "{name}"
    );
    let png = std::fs::read(path).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    // An expected failure: leave nothing for people to puzzle over.
    std::fs::remove_file(path).unwrap();
}
