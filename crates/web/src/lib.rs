//! Musubi web shell: the axum router with its middleware, language
//! negotiation, metrics, server-rendered pages and embedded static assets.
//!
//! - [`error`]: [`AppError`], the one error type that maps to HTTP;
//! - [`i18n`]: [`Lang`] (extractor), [`SetLangCookie`], the [`i18n::Texts`] catalogue;
//! - [`metrics`]: the hand-written Prometheus registry;
//! - [`middleware`]: request ids, tracing, metrics, security headers, errors…;
//! - [`handlers`]: one module per resource;
//! - [`views`]: askama views for `templates/`.

pub mod auth;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod i18n;
pub mod metrics;
pub mod middleware;
pub mod routes;
pub mod views;

#[cfg(test)]
mod tests;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state, map_response};
use musubi_storage::Storage;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use error::{AppError, AppResult};
pub use i18n::{Lang, SetLangCookie};
pub use metrics::Metrics;
pub use middleware::RequestId;

/// Settings of the web layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebConfig {
    /// Requests still running after this get a 503 `timeout` error.
    pub request_timeout: Duration,
    /// Larger request bodies get a 413 (file uploads have their own,
    /// larger limit: [`routes::RouteDef::with_body_limit`]).
    pub body_limit_bytes: usize,
    /// Mark cookies `Secure` (set when the site is served over HTTPS).
    pub secure_cookies: bool,
    /// Show a "demonstration site" banner on every page.
    pub demo: bool,
    /// Dev-mailbox mode (no SMTP): mail is in this directory, shown at `/dev/mailbox`.
    pub dev_mail_dir: Option<std::path::PathBuf>,
    /// Reverse proxies whose `X-Forwarded-For` is believed. Without them the
    /// socket peer is the client (for the audit log and rate limits).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            request_timeout: Duration::from_secs(30),
            body_limit_bytes: 10 * 1024 * 1024,
            secure_cookies: false,
            demo: false,
            dev_mail_dir: None,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Shared state of every handler; cheap to clone.
#[derive(Clone)]
pub struct WebState {
    pub services: musubi_app::Services,
    pub storage: Arc<dyn Storage>,
    pub metrics: Metrics,
    pub config: Arc<WebConfig>,
}

impl WebState {
    pub fn new(services: musubi_app::Services, config: WebConfig) -> Self {
        let storage: Arc<dyn Storage> = services.storage.clone();
        WebState {
            services,
            storage,
            metrics: Metrics::new(),
            config: Arc::new(config),
        }
    }
}

/// The whole application with its middleware (see [`middleware`] for the order).
pub fn router(state: WebState) -> Router {
    build(state, Router::new())
}

/// [`router`] with `extra` routes under the same middleware (for tests).
pub(crate) fn build(state: WebState, extra: Router<WebState>) -> Router {
    let limit = state.config.body_limit_bytes;
    let layers = ServiceBuilder::new()
        .layer(from_fn(middleware::request_id))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(middleware::make_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(from_fn_with_state(state.clone(), middleware::track_metrics))
        .layer(map_response(middleware::security_headers))
        .layer(CompressionLayer::new())
        .layer(from_fn_with_state(state.clone(), middleware::remember_lang))
        .layer(from_fn_with_state(state.clone(), middleware::render_errors))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(from_fn_with_state(state.clone(), middleware::timeout))
        .layer(from_fn_with_state(state.clone(), routes::limit_body))
        .layer(DefaultBodyLimit::max(limit));

    routes::build(routes::all())
        .merge(handlers::dev_mailbox::routes_for(&state.config))
        .merge(extra)
        .fallback(handlers::not_found)
        .layer(from_fn_with_state(state.clone(), auth::authenticate))
        .layer(layers)
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` resolves; then stops
/// accepting connections and waits for in-flight requests to finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "listening");
    }
    let app = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
