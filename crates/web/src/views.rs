//! Askama views: the data each template in `templates/` needs.
//!
//! Every page embeds a [`Chrome`] (language, texts, language switch, asset
//! URLs) used by `base.html`.

use askama::Template;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::response::{Html, IntoResponse, Response};
use http::request::Parts;
use http::{HeaderValue, Uri, header};

use crate::error::{AppError, AppResult};
use crate::handlers::assets;
use crate::i18n::{Lang, Texts, switch_href};
use crate::middleware::RequestId;
use crate::{WebConfig, WebState};

/// What the layout needs on every page.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub lang: Lang,
    pub t: &'static Texts,
    /// Current path and query with `lang` set to the other language.
    pub switch_href: String,
    pub switch_lang: Lang,
    pub css_href: String,
    pub icon_href: String,
    pub demo: bool,
    /// The signed-in person's name, for the header.
    pub signed_in: Option<String>,
    /// Coordinators (and platform admins) get a link to their pages.
    pub coordinator: bool,
    /// The signed-in person's unread notifications (お知らせ), for the header.
    pub unread: i64,
}

impl Chrome {
    pub fn new(lang: Lang, uri: &Uri, config: &WebConfig) -> Chrome {
        Chrome {
            lang,
            t: lang.texts(),
            switch_href: switch_href(uri, lang.other()),
            switch_lang: lang.other(),
            css_href: assets::url("musubi.css"),
            icon_href: assets::url("favicon.svg"),
            demo: config.demo,
            signed_in: None,
            coordinator: false,
            unread: 0,
        }
    }
}

impl FromRequestParts<WebState> for Chrome {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_request_parts(parts, state).await?;
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or(&parts.uri, |o| &o.0);
        let mut chrome = Chrome::new(lang, uri, &state.config);
        chrome.signed_in = parts
            .extensions
            .get::<crate::auth::Caller>()
            .and_then(|c| c.0.as_ref())
            .map(|a| a.session.user.display_name.clone());
        chrome.coordinator = parts
            .extensions
            .get::<crate::auth::Caller>()
            .and_then(crate::auth::Caller::principal)
            .is_some_and(|p| p.is_coordinator());
        if let Some(a) = parts
            .extensions
            .get::<crate::auth::Caller>()
            .and_then(|c| c.0.as_ref())
        {
            // One indexed count; a failure only hides the badge.
            chrome.unread = state
                .services
                .unread_notifications(&a.principal())
                .await
                .unwrap_or(0);
        }
        Ok(chrome)
    }
}

/// Renders a page with the headers every HTML page carries.
pub fn html_page(lang: Lang, template: &impl Template) -> AppResult<Response> {
    let body = template.render()?;
    let mut res = Html(body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.code()),
    );
    // The language depends on the cookie and Accept-Language.
    h.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    Ok(res)
}

/// [`html_page`] with another status (a form shown again with its errors: 422).
pub fn html_page_status(
    lang: Lang,
    template: &impl Template,
    status: http::StatusCode,
) -> AppResult<Response> {
    let mut res = html_page(lang, template)?;
    *res.status_mut() = status;
    Ok(res)
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub status: u16,
    pub title: &'static str,
    pub message: String,
    pub code: &'static str,
    pub request_id: Option<String>,
}

impl ErrorPage {
    pub fn new(chrome: Chrome, error: &AppError, request_id: Option<RequestId>) -> ErrorPage {
        ErrorPage {
            status: error.status().as_u16(),
            title: chrome.t.status_title(error.status()),
            message: error.message(chrome.lang).to_owned(),
            code: error.code(),
            request_id: request_id.map(|r| r.as_str().to_owned()),
            chrome,
        }
    }

    pub fn render_html(&self) -> askama::Result<String> {
        self.render()
    }
}
