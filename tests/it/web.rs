//! The real server, end to end: start `musubi serve`, talk HTTP to it, stop
//! it with SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::{ChildGuard, TestDb, both_backends};

both_backends!(serves_health_pages_and_metrics);

/// Starts `musubi serve` on a free port; returns the guard and base URL.
pub fn start_server(db: &TestDb, extra: &[&str]) -> (ChildGuard, String) {
    let mut child = db
        .musubi()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start musubi serve");
    let stdout = child.stdout.take().unwrap();
    let guard = ChildGuard(child);
    let mut line = String::new();
    let mut reader = BufReader::new(stdout);
    while !line.contains("http://") {
        line.clear();
        let n = reader.read_line(&mut line).unwrap();
        assert!(n > 0, "server exited before listening");
    }
    let url = line[line.find("http://").unwrap()..]
        .trim()
        .trim_end_matches('/')
        .to_owned();
    (guard, url)
}

async fn serves_health_pages_and_metrics(db: TestDb) {
    let (mut server, base) = start_server(&db, &[]);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let r = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-request-id"));
    assert_eq!(
        http.get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // Japanese by default.
    let r = http.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains(r#"<html lang="ja""#), "{page}");
    assert!(page.contains("結び"));
    assert!(page.contains("入札"));

    // English with ?lang=en, remembered by a cookie.
    let r = http.get(format!("{base}/?lang=en")).send().await.unwrap();
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("lang=en"))
        .expect("lang cookie set");
    let page = r.text().await.unwrap();
    assert!(page.contains(r#"<html lang="en""#), "{page}");
    assert!(
        page.contains("bidding") || page.contains("Bidding"),
        "{page}"
    );
    let page = http
        .get(format!("{base}/"))
        .header("cookie", cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"<html lang="en""#),
        "cookie must keep English"
    );
    let page = http
        .get(format!("{base}/"))
        .header("accept-language", "en-GB,en;q=0.9,ja;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"<html lang="en""#),
        "Accept-Language must choose English"
    );

    // Not found: a Japanese page for people, a stable code for the API.
    let r = http
        .get(format!("{base}/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("見つかりません"));
    let r = http
        .get(format!("{base}/api/v1/no-such-thing"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");

    let metrics = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("musubi_http_requests_total{"), "{metrics}");
    assert!(
        metrics.contains(r#"musubi_jobs{status="queued"}"#),
        "{metrics}"
    );

    // SIGTERM: a graceful, successful exit.
    let pid = server.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            assert!(status.success(), "serve exited with {status}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "serve did not stop on SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
