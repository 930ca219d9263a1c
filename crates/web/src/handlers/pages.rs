//! Server-rendered pages (for now only the top page).

use axum::response::Response;
use axum::routing::get;
use http::Method;
use musubi_domain::Access;

use crate::error::AppResult;
use crate::routes::{RouteDef, route};
use crate::views::{Chrome, HomePage, html_page};

pub fn routes() -> Vec<RouteDef> {
    vec![route(Method::GET, "/", Access::Public, get(home))]
}

/// `GET /`: what Musubi is and does.
pub async fn home(chrome: Chrome) -> AppResult<Response> {
    html_page(chrome.lang, &HomePage { chrome })
}
