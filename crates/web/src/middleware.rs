//! The middleware stack, in the order a request meets it (see [`crate::router`]):
//!
//! 1. [`request_id`]: keeps a valid incoming `x-request-id`, otherwise makes
//!    one, and echoes it on the response;
//! 2. tracing (`TraceLayer` with [`make_span`]: method, path, route, request id);
//! 3. [`track_metrics`]: request counter, duration histogram, in-flight gauge
//!    (not for the bid routes, whose counts would reveal bids);
//! 4. [`security_headers`];
//! 5. gzip compression;
//! 6. [`remember_lang`]: `?lang=` sets the `lang` cookie;
//! 7. [`render_errors`]: turns [`AppError`] responses into JSON (`/api/…`)
//!    or an HTML page in the user's language;
//! 8. panic catching ([`panic_response`]);
//! 9. [`timeout`];
//! 10. request body limit.

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::{Body, HttpBody as _};
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use http::header::{self, HeaderName, HeaderValue};
use http::request::Parts;
use http::{Method, StatusCode};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use tracing::Span;

use crate::WebState;
use crate::error::AppError;
use crate::i18n::{Lang, SetLangCookie};
use crate::views::{Chrome, ErrorPage};

pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest request id we accept from a client.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// The id of the current request, in the request extensions (and extractable
/// by handlers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(Arc<str>);

impl RequestId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A fresh random id, formatted like a version 4 UUID.
    pub fn generate() -> RequestId {
        thread_local! {
            static RNG: RefCell<StdRng> = RefCell::new(StdRng::from_os_rng());
        }
        let mut n: u128 = RNG.with(|rng| rng.borrow_mut().random());
        // Version 4, variant 10xx.
        n = (n & !(0xf << 76)) | (0x4 << 76);
        n = (n & !(0x3 << 62)) | (0x2 << 62);
        let hex = format!("{n:032x}");
        RequestId(
            format!(
                "{}-{}-{}-{}-{}",
                &hex[0..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..32]
            )
            .into(),
        )
    }

    /// An incoming id, if it is safe to keep: 1 to 128 characters among
    /// ASCII letters, digits and `-_.:+/=` (no spaces or quotes, so it cannot
    /// forge log lines or break headers).
    pub fn parse(s: &str) -> Option<RequestId> {
        is_valid_request_id(s).then(|| RequestId(s.into()))
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn is_valid_request_id(s: &str) -> bool {
    (1..=MAX_REQUEST_ID_LEN).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:+/=".contains(&b))
}

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<RequestId>()
            .cloned()
            .unwrap_or_else(RequestId::generate))
    }
}

/// Keeps a valid incoming `x-request-id`, otherwise generates one; stores it
/// in the request (header and extension) and echoes it on the response.
pub async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .and_then(RequestId::parse)
        .unwrap_or_else(RequestId::generate);
    let value = HeaderValue::from_str(id.as_str()).expect("request ids are visible ASCII");
    req.headers_mut()
        .insert(X_REQUEST_ID.clone(), value.clone());
    req.extensions_mut().insert(id);
    let mut res = next.run(req).await;
    res.headers_mut().insert(X_REQUEST_ID.clone(), value);
    res
}

/// The route label: the matched path template, or `"unmatched"`.
fn route_of(req: &Request) -> &str {
    req.extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
}

/// The span of a request, for `TraceLayer::make_span_with`.
pub fn make_span(req: &Request) -> Span {
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map_or("", RequestId::as_str);
    tracing::info_span!(
        "request",
        method = %req.method(),
        path = %logged_path(req.uri().path()),
        route = route_of(req),
        request_id,
    )
}

/// The path as the access log shows it: on the bid routes without the
/// ids (`/api/v1/tenders/{id}/bids`), so the log does not tell which tender
/// is getting bids before its opening.
fn logged_path(path: &str) -> std::borrow::Cow<'_, str> {
    if counted(path) {
        return path.into();
    }
    path.split('/')
        .map(|seg| {
            if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
                "{id}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
        .into()
}

/// Bounded set of method labels for metrics.
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Whether requests to `route` are counted. `/metrics` is public, and a
/// count of requests to the bid routes (submit, withdraw, receipts, bid
/// attachments) would tell how many bids a tender got before its opening.
fn counted(route: &str) -> bool {
    !route.contains("/bids")
}

pub async fn track_metrics(State(state): State<WebState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = method_label(req.method());
    let route = route_of(&req).to_owned();
    if !counted(&route) {
        return next.run(req).await;
    }
    let _in_flight = state.metrics.start_request();
    let res = next.run(req).await;
    state.metrics.observe_request(
        method,
        &route,
        res.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    res
}

/// Only our own origin: nothing is loaded from elsewhere.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

/// Adds the security headers a handler has not set itself.
pub async fn security_headers<B>(mut res: Response<B>) -> Response<B> {
    let h = res.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    ] {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    res
}

/// A request with a valid `?lang=` gets the `lang` cookie set on its response
/// (unless the handler already set one).
pub async fn remember_lang(State(state): State<WebState>, req: Request, next: Next) -> Response {
    let chosen = Lang::from_query(req.uri().query());
    let mut res = next.run(req).await;
    if let Some(lang) = chosen {
        let already = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|v| v.as_bytes().starts_with(b"lang="));
        if !already {
            let cookie = SetLangCookie::new(lang, state.config.secure_cookies);
            res.headers_mut()
                .append(header::SET_COOKIE, cookie.header_value());
        }
    }
    res
}

/// Whether `path` belongs to the JSON API.
pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Negotiates the language (stored in the request for the [`Lang`]
/// extractor) and renders error responses: those carrying an [`AppError`],
/// and bare error statuses from the router or other layers (an empty body,
/// or any 413).
pub async fn render_errors(
    State(state): State<WebState>,
    mut req: Request,
    next: Next,
) -> Response {
    let lang = Lang::negotiate(req.uri(), req.headers());
    req.extensions_mut().insert(lang);
    let uri = req.uri().clone();
    let request_id = req.extensions().get::<RequestId>().cloned();

    let res = next.run(req).await;
    let status = res.status();
    let error = match res.extensions().get::<AppError>() {
        Some(e) => e.clone(),
        None if (status.is_client_error() || status.is_server_error())
            && (status == StatusCode::PAYLOAD_TOO_LARGE
                || res.body().size_hint().exact() == Some(0)) =>
        {
            AppError::from_status(status)
        }
        None => return res,
    };

    let (mut parts, _) = res.into_parts();
    for name in [
        header::CONTENT_TYPE,
        header::CONTENT_LENGTH,
        header::CONTENT_ENCODING,
        header::ETAG,
        header::LAST_MODIFIED,
    ] {
        parts.headers.remove(name);
    }
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));

    let rendered = if is_api_path(uri.path()) {
        (error.status(), Json(error.to_json(lang))).into_response()
    } else {
        let chrome = Chrome::new(lang, &uri, &state.config);
        let page = ErrorPage::new(chrome, &error, request_id);
        match page.render_html() {
            Ok(html) => (error.status(), Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "error page rendering failed");
                let text = format!("{} ({})\n", error.message(lang), error.code());
                (error.status(), text).into_response()
            }
        }
    };
    let (rendered_parts, body) = rendered.into_parts();
    parts.status = rendered_parts.status;
    parts.headers.extend(rendered_parts.headers);
    Response::from_parts(parts, body)
}

/// The response for a panicking handler (for `CatchPanicLayer::custom`): a
/// 500 [`AppError`], rendered like any other by [`render_errors`].
pub fn panic_response(err: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("(non-string panic payload)");
    tracing::error!(panic = detail, "handler panicked");
    AppError::internal().into_response()
}

/// Stops handlers that run longer than `WebConfig::request_timeout`.
pub async fn timeout(State(state): State<WebState>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(state.config.request_timeout, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!(
                timeout_ms = state.config.request_timeout.as_millis() as u64,
                "request timed out"
            );
            AppError::timeout().into_response()
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn bid_paths_are_logged_without_ids() {
        assert_eq!(
            super::logged_path("/api/v1/tenders/42/bids/7/withdraw"),
            "/api/v1/tenders/{id}/bids/{id}/withdraw"
        );
        assert_eq!(super::logged_path("/tenders/42"), "/tenders/42");
    }
    use super::*;

    #[test]
    fn request_id_validation() {
        assert!(is_valid_request_id("abc-123"));
        assert!(is_valid_request_id("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(is_valid_request_id(
            "Root=1-5759e988-bd862e3fe1be46a994272793"
        ));
        assert!(is_valid_request_id(&"a".repeat(MAX_REQUEST_ID_LEN)));
        assert!(!is_valid_request_id(""));
        assert!(!is_valid_request_id(&"a".repeat(MAX_REQUEST_ID_LEN + 1)));
        assert!(!is_valid_request_id("has space"));
        assert!(!is_valid_request_id("quote\"d"));
        assert!(!is_valid_request_id("new\nline"));
        assert!(!is_valid_request_id("日本語"));
        assert!(!is_valid_request_id("semi;colon"));
    }

    #[test]
    fn generated_ids_are_uuid_v4_shaped_and_valid() {
        let a = RequestId::generate();
        let b = RequestId::generate();
        assert_ne!(a, b);
        let s = a.as_str();
        assert_eq!(s.len(), 36);
        assert!(is_valid_request_id(s));
        let groups: Vec<&str> = s.split('-').collect();
        assert_eq!(
            groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(groups[2].starts_with('4'));
        assert!(matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
    }

    #[test]
    fn api_paths() {
        assert!(is_api_path("/api"));
        assert!(is_api_path("/api/v1/x"));
        assert!(!is_api_path("/apis"));
        assert!(!is_api_path("/"));
    }
}
