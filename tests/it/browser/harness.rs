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

// ----- a server on a clock the test moves ------------------------------------------

/// The portal served from this test process on a [`musubi_app::ManualClock`], with the
/// tender scheduler running on that same clock, for journeys that span the
/// weeks of a tender's life (deadline, 開札).
///
/// `musubi serve` reads the system clock, so a browser journey against it
/// cannot reach a deadline; this is the test-only way (nothing in the binary
/// changes). [`ClockedServer::set_clock`] moves time and wakes the scheduler,
/// which then makes the steps due exactly as in `serve` (`run_scheduler`).
/// No job worker runs: mail and index jobs stay queued in the outbox.
pub struct ClockedServer {
    pub base: String,
    pub services: musubi_app::Services,
    pub clock: musubi_app::ManualClock,
    wake: Arc<tokio::sync::Notify>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl ClockedServer {
    /// Serves `db` on 127.0.0.1 (a port of its own) with the clock at `start`.
    pub async fn start(db: &TestDb, start: chrono::DateTime<chrono::Utc>) -> ClockedServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let clock = musubi_app::ManualClock::new(start);
        let wake = Arc::new(tokio::sync::Notify::new());
        let mut services = musubi_app::Services::new(
            Arc::clone(&db.storage),
            Arc::new(clock.clone()),
            musubi_app::AppConfig {
                base_url: base.clone(),
                data_dir: db.data_path().to_path_buf(),
                ..musubi_app::AppConfig::default()
            },
        );
        // Publications and amendments wake it, as in `serve`.
        services.scheduler_wake = Some(Arc::clone(&wake));
        let scheduler = tokio::spawn(musubi_app::tenders::run_scheduler(
            services.clone(),
            Arc::clone(&wake),
            std::future::pending(),
        ));
        let state = musubi_web::WebState::new(services.clone(), musubi_web::WebConfig::default());
        let server = tokio::spawn(async move {
            musubi_web::serve(listener, musubi_web::router(state), std::future::pending())
                .await
                .expect("serve the portal");
        });
        ClockedServer {
            base,
            services,
            clock,
            wake,
            tasks: vec![scheduler, server],
        }
    }

    /// Sets the clock to `at` and wakes the scheduler, which makes the steps
    /// due by then (see [`ClockedServer::wait_for_status`]).
    pub fn set_clock(&self, at: chrono::DateTime<chrono::Utc>) {
        self.clock.set(at);
        self.wake.notify_one();
    }

    /// Waits (10 s at most) until tender `id` has `status` in the database.
    pub async fn wait_for_status(&self, id: i64, status: musubi_domain::tender::TenderStatus) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let tender = self.services.storage.tender(id).await.unwrap();
            let seen = tender.map(|t| t.status);
            if seen == Some(status) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "tender {id} never became {status:?} (it is {seen:?} at {})",
                musubi_app::Clock::now(&self.clock)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for ClockedServer {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Gives `p` (made straight in storage) the password of `hash` and a
/// verified address, as the link in the mail would: a person who can sign in.
pub async fn can_sign_in(db: &TestDb, p: &musubi_domain::Principal, hash: &str) {
    use musubi_app::secrets::token_digest;
    use musubi_storage::{AuditEntry, TokenPurpose};
    let s = &*db.storage;
    let at = chrono::Utc::now();
    let audit = |action| AuditEntry::new(action, "user", Some(p.user_id));
    s.change_password(p.user_id, hash, None, at, audit("user.password"))
        .await
        .unwrap();
    let token = format!("verify{}", crate::support::rand_u64());
    s.add_user_token(
        p.user_id,
        TokenPurpose::VerifyEmail,
        &token_digest(&token),
        at + chrono::Duration::hours(1),
        at,
        &[],
    )
    .await
    .unwrap();
    let verified = s
        .verify_email(&token_digest(&token), at, audit("user.verify_email"))
        .await
        .unwrap();
    assert_eq!(verified, Some(p.user_id));
}
