//! Server-rendered pages (for now only the top page).

use axum::Router;
use axum::response::Response;
use axum::routing::get;

use crate::WebState;
use crate::error::AppResult;
use crate::views::{Chrome, HomePage, html_page};

pub fn routes() -> Router<WebState> {
    Router::new().route("/", get(home))
}

/// `GET /`: what Musubi is and does.
pub async fn home(chrome: Chrome) -> AppResult<Response> {
    html_page(chrome.lang, &HomePage { chrome })
}
