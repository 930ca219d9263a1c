//! Every route with the access it requires: the one table that decides who
//! may call what. [`build`] mounts each route behind a check of its
//! [`Access`]; the authorization matrix test walks [`table`] and fails on
//! any route it does not know.

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use http::Method;
use musubi_domain::{Access, Denial};

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
    }
}

/// All routes of the application, from each resource's module.
pub fn all() -> Vec<RouteDef> {
    let mut defs = Vec::new();
    defs.extend(crate::handlers::pages::routes());
    defs.extend(crate::handlers::health::routes());
    defs.extend(crate::handlers::assets::routes());
    defs.extend(crate::handlers::accounts::routes());
    defs.extend(crate::handlers::organizations::routes());
    defs.extend(crate::handlers::companies::routes());
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
        let handler = if access == Access::Public {
            def.handler
        } else {
            def.handler
                .route_layer(from_fn_with_state(access, require_access))
        };
        router = router.route(def.path, handler);
    }
    router
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
