//! Server-rendered pages: the top page, with the newest tenders.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use http::Method;
use musubi_domain::Access;

use crate::WebState;
use crate::error::AppResult;
use crate::handlers::tenders::{NewestTender, newest_tenders};
use crate::routes::{RouteDef, route};
use crate::views::{Chrome, html_page};

/// How many tenders the top page lists under 新着案件.
pub const NEWEST_TENDERS: u32 = 10;

pub fn routes() -> Vec<RouteDef> {
    vec![route(Method::GET, "/", Access::Public, get(home))]
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    /// 新着案件: the most recently published tenders, a plain list.
    pub newest: Vec<NewestTender>,
}

/// `GET /`: what Musubi is and does, and the newest tenders.
pub async fn home(State(state): State<WebState>, chrome: Chrome) -> AppResult<Response> {
    let newest = newest_tenders(&state, chrome.lang, NEWEST_TENDERS).await;
    html_page(chrome.lang, &HomePage { chrome, newest })
}
