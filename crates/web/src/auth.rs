//! Who is asking: session cookies, API tokens, and protection against
//! cross-site request forgery.
//!
//! - A browser signs in and gets `musubi_session` (HttpOnly, SameSite=Lax,
//!   Secure over HTTPS). The server keeps only a digest of it.
//! - The API also takes `Authorization: Bearer mbk_…` (personal tokens;
//!   read-only tokens may only read).
//! - Every state-changing request that relies on cookies must carry the
//!   CSRF token — form field `_csrf` or header `X-CSRF-Token` (a file
//!   upload form: `?_csrf=` in its action) — equal to the `musubi_csrf`
//!   cookie (double submit). Bearer requests carry no ambient
//!   credentials and need none.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use musubi_app::RequestCtx;
use musubi_app::accounts::principal;
use musubi_domain::{Access, Principal};
use musubi_storage::{SessionRecord, TokenScope};

use crate::WebState;
use crate::error::AppError;

pub const SESSION_COOKIE: &str = "musubi_session";
pub const CSRF_COOKIE: &str = "musubi_csrf";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Session { token: String },
    Bearer { scope: TokenScope },
}

/// A signed-in request.
#[derive(Debug, Clone)]
pub struct Auth {
    pub session: SessionRecord,
    pub via: Via,
}

impl Auth {
    pub fn principal(&self) -> Principal {
        principal(&self.session)
    }
}

/// The caller, if signed in. Never rejects: use [`Caller::require`].
#[derive(Debug, Clone, Default)]
pub struct Caller(pub Option<Auth>);

impl Caller {
    /// The signed-in caller allowed `access`, or the error to answer with.
    pub fn require(&self, access: Access) -> Result<&Auth, AppError> {
        let principal = self.0.as_ref().map(Auth::principal);
        musubi_domain::authz::check(principal.as_ref(), access)
            .map_err(|d| AppError::from(musubi_app::ServiceError::Denied(d)))?;
        self.0.as_ref().ok_or_else(|| {
            AppError::from(musubi_app::ServiceError::Denied(
                musubi_domain::Denial::SignInRequired,
            ))
        })
    }

    pub fn principal(&self) -> Option<Principal> {
        self.0.as_ref().map(Auth::principal)
    }
}

impl FromRequestParts<WebState> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &WebState) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Caller>()
            .cloned()
            .unwrap_or_default())
    }
}

/// The CSRF token for forms on this page.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

impl FromRequestParts<WebState> for CsrfToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &WebState) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .unwrap_or(CsrfToken(String::new())))
    }
}

impl FromRequestParts<WebState> for RequestCtx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        Ok(request_ctx(parts, &state.config.trusted_proxies))
    }
}

/// The client address and user agent. The address is the socket peer, or,
/// when the peer is a trusted proxy, the right-most `X-Forwarded-For` entry
/// that is not itself a trusted proxy (entries further left are whatever
/// the client claimed, so they are never believed).
fn request_ctx(parts: &Parts, trusted: &[std::net::IpAddr]) -> RequestCtx {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let ip = peer.map(|peer| client_ip(peer, &parts.headers, trusted).to_string());
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(200).collect());
    RequestCtx { ip, user_agent }
}

pub fn client_ip(
    peer: std::net::IpAddr,
    headers: &HeaderMap,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|h| h.trim().parse().ok())
        .collect();
    hops.into_iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .unwrap_or(peer)
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// `Set-Cookie` value for one of our cookies.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}");
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie is ASCII")
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn valid_token_shape(s: &str) -> bool {
    !s.is_empty() && s.len() <= 100 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Authenticates the request, enforces CSRF on cookie-authenticated writes,
/// and makes sure the browser has a CSRF cookie.
pub async fn authenticate(State(state): State<WebState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let unsafe_method = !is_safe(&parts.method);

    // 1. Bearer token (API clients).
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let mut caller = Caller(None);
    if let Some(token) = bearer {
        match state.services.bearer(&token).await {
            Ok(Some((api_token, session))) => {
                if unsafe_method && api_token.scope == TokenScope::Read {
                    return AppError::new(
                        StatusCode::FORBIDDEN,
                        "token_read_only",
                        "このAPIトークンは参照専用です。更新には読み書き可能なトークンをご利用ください。",
                        "This API token is read-only. Use a read-write token to make changes.",
                    )
                    .into_response();
                }
                caller = Caller(Some(Auth {
                    session,
                    via: Via::Bearer {
                        scope: api_token.scope,
                    },
                }));
            }
            Ok(None) => {
                return AppError::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    "APIトークンが無効です。",
                    "The API token is not valid.",
                )
                .into_response();
            }
            Err(e) => return AppError::from(e).into_response(),
        }
        parts.extensions.insert(caller);
        return next.run(Request::from_parts(parts, body)).await;
    }

    // 2. Session cookie (browsers).
    if let Some(token) = cookie(&parts.headers, SESSION_COOKIE).filter(|t| valid_token_shape(t)) {
        match state.services.session(&token).await {
            Ok(Some(session)) => {
                caller = Caller(Some(Auth {
                    session,
                    via: Via::Session { token },
                }))
            }
            Ok(None) => {}
            Err(e) => return AppError::from(e).into_response(),
        }
    }

    // 3. CSRF: double submit, for every cookie-carrying write.
    let csrf_cookie = cookie(&parts.headers, CSRF_COOKIE).filter(|t| valid_token_shape(t));
    let mut body = body;
    // JSON without a session cookie carries no ambient credentials, and a
    // cross-site page cannot send JSON without a CORS preflight we never
    // grant; forms and cookie-carrying requests need the token.
    let has_session = caller.0.is_some() || cookie(&parts.headers, SESSION_COOKIE).is_some();
    if unsafe_method && (has_session || !is_json(&parts.headers)) {
        let header_token = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let presented = match header_token {
            Some(t) => Some(t),
            None if is_form(&parts.headers) => {
                let limit = state.config.body_limit_bytes;
                let bytes = match to_bytes(body, limit).await {
                    Ok(b) => b,
                    Err(_) => return AppError::payload_too_large().into_response(),
                };
                let field = form_field(&bytes, CSRF_FIELD);
                body = Body::from(bytes);
                field
            }
            // A file upload form can carry no header, and its body is too
            // large to buffer here: its action URL carries `?_csrf=`. Only
            // upload routes take the token from the URL.
            None if is_multipart(&parts.headers)
                && crate::routes::large_body_limit(&parts.method, parts.uri.path()).is_some() =>
            {
                parts.uri.query().and_then(|q| {
                    crate::extract::form_pairs(q)
                        .into_iter()
                        .find(|(k, _)| k == CSRF_FIELD)
                        .map(|(_, v)| v)
                })
            }
            None => None,
        };
        let ok = matches!((&csrf_cookie, &presented), (Some(c), Some(p)) if !c.is_empty() && constant_time_eq(c, p));
        if !ok {
            return AppError::new(
                StatusCode::FORBIDDEN,
                "csrf_failed",
                "送信元を確認できなかったため、処理を中止しました。ページを再読み込みしてから、もう一度お試しください。",
                "The request could not be verified as coming from this site. Reload the page and try again.",
            )
            .into_response();
        }
    }

    let (csrf, new_cookie) = match csrf_cookie {
        Some(c) => (c, false),
        None => (musubi_app::secrets::new_token(""), true),
    };
    parts.extensions.insert(CsrfToken(csrf.clone()));
    parts.extensions.insert(caller);
    let mut res = next.run(Request::from_parts(parts, body)).await;
    if new_cookie {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(
                CSRF_COOKIE,
                &csrf,
                60 * 60 * 24 * 365,
                state.config.secure_cookies,
            ),
        );
    }
    res
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    crate::extract::form_pairs(std::str::from_utf8(body).unwrap_or_default())
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_form_fields_and_cookies() {
        assert_eq!(
            form_field(b"a=1&_csrf=abc_123&b=%E7%B5%90", "_csrf").as_deref(),
            Some("abc_123")
        );
        assert_eq!(crate::extract::form_pairs("n=%E7%B5%90+x")[0].1, "結 x");
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("lang=en; musubi_csrf=tok; other=1"),
        );
        assert_eq!(cookie(&h, CSRF_COOKIE).as_deref(), Some("tok"));
        assert!(constant_time_eq("abc", "abc") && !constant_time_eq("abc", "abd"));
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: std::net::IpAddr = "10.0.0.1".parse().unwrap();
        let peer: std::net::IpAddr = "203.0.113.9".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("1.2.3.4, 198.51.100.7, 10.0.0.1"),
        );
        // Not from a proxy: the header is ignored.
        assert_eq!(client_ip(peer, &h, &[proxy]), peer);
        // From the proxy: the right-most untrusted hop; a spoofed left part is ignored.
        assert_eq!(client_ip(proxy, &h, &[proxy]).to_string(), "198.51.100.7");
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &[proxy]), proxy);
    }
}
