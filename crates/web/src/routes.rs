//! Every route with the access it requires: the one table that decides who
//! may call what. [`build`] mounts each route behind a check of its
//! [`Access`]; the authorization matrix test walks [`table`] and fails on
//! any route it does not know.
//!
//! Request bodies are limited to [`crate::WebConfig::body_limit_bytes`],
//! except on the few routes that declare a larger limit of their own
//! ([`RouteDef::with_body_limit`], file uploads): [`limit_body`].

use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use http::{Method, header};
use musubi_domain::{Access, Denial};
use tower::{Layer as _, ServiceExt as _};
use tower_http::limit::RequestBodyLimitLayer;

use crate::WebState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::middleware::is_api_path;

/// One route: method, path template, required access, handler.
pub struct RouteDef {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub handler: MethodRouter<WebState>,
    /// A body limit larger than the site's (file uploads), if any.
    pub body_limit: Option<usize>,
}

impl RouteDef {
    /// Lets this route take bodies up to `bytes` (instead of
    /// [`crate::WebConfig::body_limit_bytes`]).
    pub fn with_body_limit(mut self, bytes: usize) -> RouteDef {
        self.body_limit = Some(bytes);
        self
    }
}

pub fn route(
    method: Method,
    path: &'static str,
    access: Access,
    handler: MethodRouter<WebState>,
) -> RouteDef {
    RouteDef {
        method,
        path,
        access,
        handler,
        body_limit: None,
    }
}

/// All routes of the application, from each resource's module.
pub fn all() -> Vec<RouteDef> {
    let mut defs = Vec::new();
    defs.extend(crate::handlers::pages::routes());
    defs.extend(crate::handlers::health::routes());
    defs.extend(crate::handlers::assets::routes());
    defs.extend(crate::handlers::accounts::routes());
    defs.extend(crate::handlers::alerts::routes());
    defs.extend(crate::handlers::organizations::routes());
    defs.extend(crate::handlers::companies::routes());
    defs.extend(crate::handlers::tenders::routes());
    defs.extend(crate::handlers::bids::routes());
    defs.extend(crate::handlers::search::routes());
    defs.extend(crate::handlers::awards::routes());
    defs.extend(crate::handlers::recommendations::routes());
    defs.extend(crate::handlers::coordination::routes());
    defs.extend(crate::handlers::transparency::routes());
    defs.extend(crate::handlers::admin::routes());
    defs.extend(crate::handlers::api_docs::routes());
    defs
}

/// (method, path, access) of every route, for the matrix test and docs.
pub fn table() -> Vec<(Method, &'static str, Access)> {
    all()
        .into_iter()
        .map(|d| (d.method, d.path, d.access))
        .collect()
}

/// Mounts every route behind its access check.
pub fn build(defs: Vec<RouteDef>) -> Router<WebState> {
    let mut router = Router::new();
    for def in defs {
        let access = def.access;
        let mut handler = if access == Access::Public {
            def.handler
        } else {
            def.handler
                .route_layer(from_fn_with_state(access, require_access))
        };
        if let Some(bytes) = def.body_limit {
            // Inside the site-wide default, so it wins for this route.
            handler = handler.layer(DefaultBodyLimit::max(bytes));
        }
        router = router.route(def.path, handler);
    }
    router
}

/// (method, path template, limit) of the routes with a larger body limit.
fn large_body_routes() -> &'static [(Method, &'static str, usize)] {
    static ROUTES: OnceLock<Vec<(Method, &'static str, usize)>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        all()
            .into_iter()
            .filter_map(|d| d.body_limit.map(|n| (d.method, d.path, n)))
            .collect()
    })
}

/// Whether `path` matches the template (`{name}` stands for one segment).
fn path_matches(template: &str, path: &str) -> bool {
    let mut t = template.split('/');
    let mut p = path.split('/');
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(ts), Some(ps)) => {
                let wildcard = ts.starts_with('{') && ts.ends_with('}') && !ps.is_empty();
                if !wildcard && ts != ps {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// The larger body limit of the route `method` `path`, if it declares one.
pub fn large_body_limit(method: &Method, path: &str) -> Option<usize> {
    large_body_routes()
        .iter()
        .find(|(m, t, _)| m == method && path_matches(t, path))
        .map(|(_, _, n)| *n)
}

/// Limits request bodies: the site's limit, or the route's own larger one.
/// A body declared too large is refused before it is read; one that turns
/// out too large while streaming fails the extractor reading it. Uploads
/// refused for size answer `attachment_too_large`, others `payload_too_large`.
pub async fn limit_body(State(state): State<WebState>, req: Request, next: Next) -> Response {
    let large = large_body_limit(req.method(), req.uri().path());
    let limit = large.unwrap_or(state.config.body_limit_bytes);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return match large {
            Some(_) => crate::handlers::tenders::attachment_too_large().into_response(),
            None => AppError::payload_too_large().into_response(),
        };
    }
    let next = next.map_request(|r: http::Request<_>| r.map(Body::new));
    match RequestBodyLimitLayer::new(limit)
        .layer(next)
        .oneshot(req)
        .await
    {
        Ok(res) => res.map(Body::new),
        Err(never) => match never {},
    }
}

async fn require_access(State(access): State<Access>, req: Request, next: Next) -> Response {
    let caller = req
        .extensions()
        .get::<Caller>()
        .cloned()
        .unwrap_or_default();
    let principal = caller.principal();
    match musubi_domain::authz::check(principal.as_ref(), access) {
        Ok(()) => next.run(req).await,
        // People (not API clients) who are not signed in go to the login page and come back.
        Err(Denial::SignInRequired)
            if !is_api_path(req.uri().path()) && req.method() == Method::GET =>
        {
            let next = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            Redirect::to(&format!("/login?next={}", percent_encode(next))).into_response()
        }
        Err(d) => AppError::from(musubi_app::ServiceError::Denied(d)).into_response(),
    }
}

/// Percent-encodes a value for a query parameter (keeping `/` readable).
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_paths() {
        assert!(path_matches(
            "/tenders/{id}/attachments",
            "/tenders/12/attachments"
        ));
        assert!(!path_matches(
            "/tenders/{id}/attachments",
            "/tenders//attachments"
        ));
        assert!(!path_matches(
            "/tenders/{id}/attachments",
            "/tenders/12/attachments/3"
        ));
        assert!(!path_matches("/tenders/{id}", "/tenders/12/attachments"));
        assert_eq!(
            large_body_limit(&Method::POST, "/api/v1/tenders/7/attachments"),
            Some(crate::handlers::tenders::UPLOAD_BODY_LIMIT)
        );
        assert_eq!(
            large_body_limit(&Method::GET, "/api/v1/tenders/7/attachments"),
            None
        );
        assert_eq!(
            large_body_limit(&Method::POST, "/tenders/7/questions"),
            None
        );
    }
}
