//! Operational endpoints: liveness, readiness and Prometheus metrics.

use std::time::Duration;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderValue, StatusCode, header};

use http::Method;
use musubi_domain::Access;

use crate::WebState;
use crate::metrics::{self, render_build_info, render_jobs};
use crate::routes::{RouteDef, route};

/// How long `/readyz` and `/metrics` wait for the database.
const STORAGE_TIMEOUT: Duration = Duration::from_secs(5);

pub fn routes() -> Vec<RouteDef> {
    vec![
        route(Method::GET, "/healthz", Access::Public, get(healthz)),
        route(Method::GET, "/readyz", Access::Public, get(readyz)),
        route(Method::GET, "/metrics", Access::Public, get(metrics)),
    ]
}

/// `GET /healthz`: the process is alive (does not touch the database).
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: 200 when the database answers, 503 with a short reason
/// otherwise (details go to the log only).
pub async fn readyz(State(state): State<WebState>) -> Response {
    match tokio::time::timeout(STORAGE_TIMEOUT, state.storage.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready: database unavailable",
            )
                .into_response()
        }
        Err(_) => {
            tracing::warn!("readiness check timed out");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready: database timed out",
            )
                .into_response()
        }
    }
}

/// `GET /metrics`: Prometheus text format 0.0.4. Job gauges are read from
/// storage now; if that fails they are left out (and the failure logged).
pub async fn metrics(State(state): State<WebState>) -> Response {
    let mut out = String::with_capacity(4096);
    state.metrics.render_http(&mut out);
    match tokio::time::timeout(STORAGE_TIMEOUT, state.storage.job_counts()).await {
        Ok(Ok(counts)) => render_jobs(&mut out, &counts),
        Ok(Err(e)) => tracing::warn!(error = %e, "metrics: job counts unavailable"),
        Err(_) => tracing::warn!("metrics: job counts timed out"),
    }
    render_build_info(
        &mut out,
        env!("CARGO_PKG_VERSION"),
        state.storage.backend().as_str(),
    );
    let mut res = out.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(metrics::CONTENT_TYPE),
    );
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
