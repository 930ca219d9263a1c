//! Router-level tests: the whole middleware stack, driven with `oneshot`,
//! on a fresh SQLite database in a temporary directory.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::response::Response;
use axum::routing::get;
use http::{Request, StatusCode, header};
use musubi_storage::{SqliteStore, Storage};
use tempfile::TempDir;
use tower::ServiceExt as _;

use crate::{WebConfig, WebState, build, router};

struct TestApp {
    state: WebState,
    _dir: TempDir,
}

async fn app_with(config: WebConfig) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("musubi.db"))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let storage: Arc<dyn Storage> = Arc::new(store);
    TestApp {
        state: WebState::new(
            musubi_app::Services::new(
                storage,
                Arc::new(musubi_app::SystemClock),
                musubi_app::AppConfig {
                    base_url: "http://musubi.test".into(),
                    ..Default::default()
                },
            ),
            config,
        ),
        _dir: dir,
    }
}

async fn app() -> TestApp {
    app_with(WebConfig::default()).await
}

impl TestApp {
    fn router(&self) -> Router {
        router(self.state.clone())
    }

    async fn send(&self, req: Request<Body>) -> Response {
        self.router().oneshot(req).await.unwrap()
    }

    async fn get(&self, uri: &str) -> Response {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }
}

fn hdr(res: &Response, name: impl header::AsHeaderName) -> &str {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

/// The `Set-Cookie` value for cookie `name`, if the response sets it.
fn set_cookie<'a>(res: &'a Response, name: &str) -> Option<&'a str> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
}

async fn text(res: Response) -> String {
    let bytes = to_bytes(res.into_body(), usize::MAX).await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn healthz_is_ok_with_request_id_and_security_headers() {
    let app = app().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(hdr(&res, "x-content-type-options"), "nosniff");
    assert_eq!(hdr(&res, "x-frame-options"), "DENY");
    assert_eq!(
        hdr(&res, "referrer-policy"),
        "strict-origin-when-cross-origin"
    );
    let csp = hdr(&res, "content-security-policy");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(!csp.contains("http"), "{csp}");
    assert_eq!(hdr(&res, "x-request-id").len(), 36);
    assert_eq!(text(res).await, "ok");
}

#[tokio::test]
async fn request_id_is_kept_when_valid_and_replaced_otherwise() {
    let app = app().await;
    let req = Request::get("/healthz")
        .header("x-request-id", "abc-123.XYZ")
        .body(Body::empty())
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(hdr(&res, "x-request-id"), "abc-123.XYZ");

    let req = Request::get("/healthz")
        .header("x-request-id", "bad id with spaces")
        .body(Body::empty())
        .unwrap();
    let res = app.send(req).await;
    let id = hdr(&res, "x-request-id");
    assert_ne!(id, "bad id with spaces");
    assert!(crate::middleware::is_valid_request_id(id));
}

#[tokio::test]
async fn readyz_pings_storage() {
    let app = app().await;
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn metrics_are_prometheus_text() {
    let app = app().await;
    // One request first, so that the HTTP metrics have samples.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    assert_eq!(app.get("/nowhere").await.status(), StatusCode::NOT_FOUND);
    let res = app.get("/metrics").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(hdr(&res, "content-type").starts_with("text/plain; version=0.0.4"));
    let body = text(res).await;
    for expected in [
        r#"musubi_http_requests_total{method="GET",route="/healthz",status="200"} 1"#,
        r#"musubi_http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
        r#"musubi_http_request_duration_seconds_count{route="/healthz"} 1"#,
        "# TYPE musubi_http_requests_in_flight gauge",
        "musubi_http_requests_in_flight 1",
        r#"musubi_jobs{status="queued"} 0"#,
        r#"musubi_jobs{status="failed"} 0"#,
        &format!(
            r#"musubi_build_info{{version="{}",backend="sqlite"}} 1"#,
            env!("CARGO_PKG_VERSION")
        ),
    ] {
        assert!(
            body.lines().any(|l| l == expected),
            "missing {expected:?} in\n{body}"
        );
    }
}

#[tokio::test]
async fn static_assets_with_etag() {
    let app = app().await;
    let res = app.get("/static/musubi.css").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(hdr(&res, "content-type"), "text/css; charset=utf-8");
    assert_eq!(hdr(&res, "cache-control"), "public, max-age=300");
    let etag = hdr(&res, "etag").to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");
    assert!(text(res).await.contains("--ai"));

    let versioned = crate::handlers::assets::url("musubi.css");
    let res = app.get(&versioned).await;
    assert_eq!(
        hdr(&res, "cache-control"),
        "public, max-age=31536000, immutable"
    );

    let req = Request::get("/static/musubi.css")
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(hdr(&res, "etag"), etag);
    assert!(text(res).await.is_empty());

    let res = app.get("/static/favicon.svg").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(hdr(&res, "content-type"), "image/svg+xml");

    let res = app.get("/static/nope.css").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app.get("/static/..%2FCargo.toml").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn top_page_is_japanese_by_default() {
    let app = app().await;
    let res = app.get("/").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(hdr(&res, "content-type"), "text/html; charset=utf-8");
    assert_eq!(hdr(&res, "content-language"), "ja");
    assert!(
        set_cookie(&res, "lang").is_none(),
        "no language cookie without ?lang"
    );
    assert!(
        set_cookie(&res, "musubi_csrf").is_some(),
        "a CSRF cookie for the forms"
    );
    let html = text(res).await;
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"ja\">"));
    assert!(html.contains("結び Musubi"));
    assert!(html.contains("電子入札"));
    assert!(html.contains("オープンデータ"));
    assert!(html.contains(r#"href="/?lang=en""#));
    assert!(html.contains("/static/musubi.css?v="));
    assert!(!html.contains("http://") && !html.contains("https://"));
}

#[tokio::test]
async fn top_page_in_english_with_query_sets_cookie() {
    let app = app().await;
    let res = app.get("/?lang=en").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        set_cookie(&res, "lang"),
        Some("lang=en; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly")
    );
    let html = text(res).await;
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Open data"));
    assert!(html.contains(r#"href="/?lang=ja""#));
}

#[tokio::test]
async fn secure_cookie_when_configured() {
    let app = app_with(WebConfig {
        secure_cookies: true,
        ..WebConfig::default()
    })
    .await;
    let res = app.get("/?lang=ja").await;
    assert!(hdr(&res, "set-cookie").ends_with("; Secure"));
}

#[tokio::test]
async fn language_from_cookie_and_accept_language() {
    let app = app().await;
    let req = Request::get("/")
        .header(header::COOKIE, "lang=en")
        .header(header::ACCEPT_LANGUAGE, "ja")
        .body(Body::empty())
        .unwrap();
    assert!(
        text(app.send(req).await)
            .await
            .contains("<html lang=\"en\">")
    );

    let req = Request::get("/")
        .header(header::ACCEPT_LANGUAGE, "fr;q=1, en;q=0.5")
        .body(Body::empty())
        .unwrap();
    assert!(
        text(app.send(req).await)
            .await
            .contains("<html lang=\"en\">")
    );
}

#[tokio::test]
async fn not_found_page_in_both_languages() {
    let app = app().await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(hdr(&res, "content-type"), "text/html; charset=utf-8");
    let id = hdr(&res, "x-request-id").to_owned();
    let html = text(res).await;
    assert!(html.contains("<html lang=\"ja\">"));
    assert!(html.contains("ページが見つかりません"));
    assert!(html.contains("not_found"));
    assert!(html.contains(&id), "the request id is shown");
    assert!(html.contains(r#"href="/no/such/page?lang=en""#));

    let res = app.get("/no/such/page?lang=en").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(set_cookie(&res, "lang").is_some_and(|c| c.starts_with("lang=en;")));
    let html = text(res).await;
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Page not found"));
}

#[tokio::test]
async fn api_errors_are_json() {
    let app = app().await;
    let req = Request::get("/api/v1/nothing")
        .header(header::ACCEPT_LANGUAGE, "en")
        .body(Body::empty())
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(hdr(&res, "content-type"), "application/json");
    let v: serde_json::Value = serde_json::from_str(&text(res).await).unwrap();
    assert_eq!(v["error"]["code"], "not_found");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("The page")
    );

    let res = app.get("/api/v1/nothing").await;
    let v: serde_json::Value = serde_json::from_str(&text(res).await).unwrap();
    assert!(v["error"]["message"].as_str().unwrap().contains("ページ"));
}

#[tokio::test]
async fn method_not_allowed_is_rendered() {
    let app = app().await;
    // With a valid CSRF token, so that the method is what is wrong.
    let res = app
        .send(
            Request::post("/")
                .header(header::COOKIE, "musubi_csrf=abc123")
                .header("x-csrf-token", "abc123")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(hdr(&res, "allow").contains("GET"));
    assert!(text(res).await.contains("method_not_allowed"));
}

#[tokio::test]
async fn body_limit_gives_413() {
    let app = app_with(WebConfig {
        body_limit_bytes: 16,
        ..WebConfig::default()
    })
    .await;
    let req = Request::post("/")
        .header(header::CONTENT_LENGTH, "17")
        .body(Body::from(vec![b'x'; 17]))
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(text(res).await.contains("payload_too_large"));
}

#[tokio::test]
async fn html_is_gzipped_when_accepted() {
    let app = app().await;
    let req = Request::get("/")
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(hdr(&res, "content-encoding"), "gzip");
}

fn test_routes() -> Router<WebState> {
    Router::new()
        .route(
            "/test/panic",
            get(|| async {
                if true {
                    panic!("boom");
                }
                "unreachable"
            }),
        )
        .route(
            "/test/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
}

#[tokio::test]
async fn panics_become_500_pages() {
    let app = app().await;
    let router = build(app.state.clone(), test_routes());
    let res = router
        .oneshot(Request::get("/test/panic").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!hdr(&res, "x-request-id").is_empty());
    let html = text(res).await;
    assert!(html.contains("システムエラーが発生しました"));
    assert!(html.contains("internal_error"));
    assert!(!html.contains("boom"));
}

#[tokio::test]
async fn slow_requests_time_out() {
    let app = app_with(WebConfig {
        request_timeout: Duration::from_millis(50),
        ..WebConfig::default()
    })
    .await;
    let router = build(app.state.clone(), test_routes());
    let req = Request::get("/test/slow?lang=en")
        .body(Body::empty())
        .unwrap();
    let res = router.oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let html = text(res).await;
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("timeout"));
}

#[tokio::test]
async fn serve_shuts_down_gracefully() {
    let app = app().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(crate::serve(listener, app.router(), async {
        let _ = rx.await;
    }));
    tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("server stops")
        .unwrap()
        .unwrap();
}
