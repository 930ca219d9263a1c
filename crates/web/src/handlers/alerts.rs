//! Alerts and the inbox: saved searches (検索条件の保存) with their alerts,
//! the notification inbox (お知らせ) with unread counts, Atom feeds (a saved
//! search's, a buyer's) and one-click unsubscribe. HTML and JSON share the
//! services in `musubi_app::alerts`.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, SecondsFormat, Utc};
use http::{Method, StatusCode, header};
use musubi_app::ServiceError;
use musubi_app::alerts::{SavedSearchChange, SavedSearchInput, Unsubscribed};
use musubi_domain::{Access, Principal};
use musubi_search::{Sort, TenderSearch};
use musubi_storage::{AlertFrequency, Paging, SavedSearch};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::WebState;
use crate::auth::{Caller, CsrfToken};
use crate::error::{AppError, AppResult};
use crate::extract::{ApiJson, WebForm, form_pairs, query_value};
use crate::handlers::accounts::FormErrors;
use crate::handlers::search::TenderParams;
use crate::handlers::tenders::{display, event_text, page_param as page_of};
use crate::i18n::Lang;
use crate::routes::{RouteDef, route};
use crate::views::{Chrome, html_page, html_page_status};

/// Notifications on one page of the inbox.
const INBOX_PAGE: u32 = 30;
/// Entries of an Atom feed.
const FEED_ENTRIES: usize = 50;

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    use Method as M;
    vec![
        route(M::GET, "/notifications", SignedIn, get(inbox_page)),
        route(
            M::POST,
            "/notifications/read",
            SignedIn,
            post(inbox_read_all),
        ),
        route(
            M::POST,
            "/notifications/settings",
            SignedIn,
            post(inbox_settings),
        ),
        route(M::GET, "/saved-searches", SignedIn, get(saved_page)),
        route(M::POST, "/saved-searches", SignedIn, post(saved_create)),
        route(
            M::POST,
            "/saved-searches/{id}",
            SignedIn,
            post(saved_update),
        ),
        route(
            M::POST,
            "/saved-searches/{id}/delete",
            SignedIn,
            post(saved_delete),
        ),
        route(
            M::GET,
            "/saved-searches/{id}/feed.atom",
            Public,
            get(saved_feed),
        ),
        route(M::GET, "/buyers/{id}/feed.atom", Public, get(buyer_feed)),
        route(M::GET, "/alerts/unsubscribe", Public, get(unsubscribe_page)),
        route(
            M::POST,
            "/alerts/unsubscribe",
            Public,
            post(unsubscribe_submit),
        ),
        route(M::GET, "/api/v1/saved-searches", SignedIn, get(api_list)),
        route(
            M::POST,
            "/api/v1/saved-searches",
            SignedIn,
            post(api_create),
        ),
        route(
            M::GET,
            "/api/v1/saved-searches/{id}",
            SignedIn,
            get(api_get),
        ),
        route(
            M::PATCH,
            "/api/v1/saved-searches/{id}",
            SignedIn,
            axum::routing::patch(api_update),
        ),
        route(
            M::DELETE,
            "/api/v1/saved-searches/{id}",
            SignedIn,
            axum::routing::delete(api_delete),
        ),
        route(M::GET, "/api/v1/me/notifications", SignedIn, get(api_inbox)),
        route(
            M::POST,
            "/api/v1/me/notifications/read",
            SignedIn,
            post(api_read),
        ),
        route(
            M::GET,
            "/api/v1/me/notification-settings",
            SignedIn,
            get(api_settings),
        ),
        route(
            M::PUT,
            "/api/v1/me/notification-settings",
            SignedIn,
            axum::routing::put(api_settings_put),
        ),
    ]
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn frequency_label(lang: Lang, f: AlertFrequency) -> &'static str {
    match f {
        AlertFrequency::Instant => display::pick(lang, "即時", "Instant"),
        AlertFrequency::Daily => display::pick(lang, "毎日（朝7時）", "Daily (7:00 JST)"),
        AlertFrequency::None => display::pick(lang, "通知しない", "No alerts"),
    }
}

/// A saved search's criteria from the list's query string, parsed as the
/// list parses it (what is wrong is told per parameter).
fn search_of(query: &str) -> Result<(String, TenderSearch), ServiceError> {
    let query = query.trim().trim_start_matches('?');
    let params = TenderParams::parse(Some(query));
    match params.to_query(false) {
        Ok(q) => {
            let clean = TenderParams {
                page: String::new(),
                sort: String::new(),
                ..params
            };
            let qs = clean.query_string();
            Ok((
                qs,
                TenderSearch {
                    sort: Sort::default(),
                    ..q.search
                },
            ))
        }
        Err(problems) => {
            let mut e = musubi_app::FieldErrors::new();
            e.add(
                "query",
                "invalid_search",
                problems.messages(true).join(" "),
                problems.messages(false).join(" "),
            );
            Err(ServiceError::Invalid(e))
        }
    }
}

// --- the inbox -------------------------------------------------------------------------

struct InboxRow {
    id: i64,
    when: String,
    text: String,
    href: Option<String>,
    unread: bool,
}

#[derive(Template)]
#[template(path = "alerts/inbox.html")]
struct InboxPage {
    chrome: Chrome,
    csrf: String,
    rows: Vec<InboxRow>,
    unread: i64,
    total: u64,
    page: u64,
    pages: u64,
    event_mail: bool,
    saved: bool,
}

fn has_flag(query: Option<&str>, key: &str) -> bool {
    form_pairs(query.unwrap_or_default())
        .iter()
        .any(|(k, _)| k == key)
}

/// `GET /notifications`: お知らせ, newest first; what this page shows is
/// marked read once shown (shown as 未読 this time).
async fn inbox_page(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    let lang = chrome.lang;
    let s = &state.services;
    let page_no = page_of(q.as_deref());
    let page = s
        .notification_events(
            &p,
            Paging {
                offset: (page_no - 1).saturating_mul(u64::from(INBOX_PAGE)),
                limit: INBOX_PAGE,
            },
        )
        .await?;
    let unread = s.unread_notifications(&p).await?;
    let rows: Vec<InboxRow> = page
        .items
        .iter()
        .map(|e| InboxRow {
            id: e.id,
            when: display::time(lang, e.created_at),
            text: event_text(lang, e),
            href: e.tender_id.map(|id| format!("/tenders/{id}")),
            unread: e.read_at.is_none(),
        })
        .collect();
    let shown: Vec<i64> = rows.iter().filter(|r| r.unread).map(|r| r.id).collect();
    let view = InboxPage {
        csrf: csrf.0,
        rows,
        unread,
        total: page.total,
        page: page_no,
        pages: page.total.div_ceil(u64::from(INBOX_PAGE)).max(1),
        event_mail: s.event_mail_on(&p).await?,
        saved: has_flag(q.as_deref(), "saved"),
        chrome,
    };
    let res = html_page(lang, &view)?;
    if !shown.is_empty() {
        s.mark_notifications_read(&p, Some(&shown)).await?;
    }
    Ok(res)
}

/// `POST /notifications/read`: すべて既読にする.
async fn inbox_read_all(State(state): State<WebState>, caller: Caller) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    state.services.mark_notifications_read(&p, None).await?;
    Ok(Redirect::to("/notifications").into_response())
}

#[derive(Debug, Deserialize)]
struct SettingsForm {
    #[serde(default)]
    event_mail: String,
}

/// `POST /notifications/settings`: mail for notifications on or off.
async fn inbox_settings(
    State(state): State<WebState>,
    caller: Caller,
    WebForm(f): WebForm<SettingsForm>,
) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    let on = matches!(f.event_mail.as_str(), "1" | "on" | "true");
    state.services.set_event_mail(&p, on).await?;
    Ok(Redirect::to("/notifications?saved=1").into_response())
}

// --- saved searches: pages -------------------------------------------------------------

struct SavedRow {
    id: i64,
    name: String,
    href: String,
    frequency: &'static str,
    frequency_code: &'static str,
    email: bool,
    feed_url: String,
    created: String,
}

#[derive(Template)]
#[template(path = "alerts/saved_searches.html")]
struct SavedPage {
    chrome: Chrome,
    csrf: String,
    rows: Vec<SavedRow>,
    frequencies: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    notice: Option<&'static str>,
    max: u32,
}

async fn saved_view(
    state: &WebState,
    chrome: Chrome,
    csrf: String,
    p: &Principal,
    errors: FormErrors,
    notice: Option<&'static str>,
) -> AppResult<SavedPage> {
    let lang = chrome.lang;
    let s = &state.services;
    let mut rows = Vec::new();
    for x in s.saved_searches(p).await? {
        rows.push(SavedRow {
            id: x.id,
            href: format!("/search?{}", x.query),
            name: x.name.clone(),
            frequency: frequency_label(lang, x.frequency),
            frequency_code: x.frequency.as_str(),
            email: x.email,
            feed_url: s.saved_search_feed_url(&x)?,
            created: display::time(lang, x.created_at),
        });
    }
    Ok(SavedPage {
        csrf,
        rows,
        frequencies: AlertFrequency::ALL
            .iter()
            .map(|f| (f.as_str(), frequency_label(lang, *f)))
            .collect(),
        errors,
        notice,
        max: musubi_app::alerts::MAX_SAVED_SEARCHES,
        chrome,
    })
}

/// `GET /saved-searches`: 保存した検索条件.
async fn saved_page(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    let lang = chrome.lang;
    let notice = ["saved", "updated", "deleted"]
        .into_iter()
        .find(|k| has_flag(q.as_deref(), k));
    let notice = notice.map(|k| match k {
        "saved" => display::pick(
            lang,
            "検索条件を保存しました。新着案件をお知らせします。",
            "Saved. New matching tenders will be announced.",
        ),
        "updated" => display::pick(lang, "変更を保存しました。", "Changes saved."),
        _ => display::pick(lang, "削除しました。", "Deleted."),
    });
    let view = saved_view(&state, chrome, csrf.0, &p, FormErrors::none(lang), notice).await?;
    html_page(lang, &view)
}

#[derive(Debug, Deserialize)]
struct SavedForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    query: String,
    #[serde(default)]
    frequency: String,
    #[serde(default)]
    email: String,
}

fn checked(v: &str) -> bool {
    matches!(v, "1" | "on" | "true")
}

/// A failed form: the list again with the messages.
async fn saved_failed(
    state: &WebState,
    chrome: Chrome,
    csrf: String,
    p: &Principal,
    e: ServiceError,
) -> AppResult<Response> {
    let lang = chrome.lang;
    let status = match &e {
        ServiceError::Refused { status, .. } => {
            StatusCode::from_u16(*status).unwrap_or(StatusCode::CONFLICT)
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let errors = FormErrors::from_service(lang, e)?;
    let view = saved_view(state, chrome, csrf, p, errors, None).await?;
    html_page_status(lang, &view, status)
}

/// `POST /saved-searches`: この条件を保存 (from the search page).
async fn saved_create(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    WebForm(f): WebForm<SavedForm>,
) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    let r = match search_of(&f.query) {
        Ok((query, search)) => {
            state
                .services
                .create_saved_search(
                    &p,
                    SavedSearchInput {
                        name: f.name,
                        query,
                        search,
                        frequency: f.frequency,
                        email: checked(&f.email),
                    },
                )
                .await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(Redirect::to("/saved-searches?saved=1").into_response()),
        Err(e) => saved_failed(&state, chrome, csrf.0, &p, e).await,
    }
}

/// `POST /saved-searches/{id}`: name, frequency and mail.
async fn saved_update(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    Path(id): Path<i64>,
    WebForm(f): WebForm<SavedForm>,
) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    let r = state
        .services
        .update_saved_search(
            &p,
            id,
            SavedSearchChange {
                name: f.name,
                frequency: f.frequency,
                email: checked(&f.email),
            },
        )
        .await;
    match r {
        Ok(_) => Ok(Redirect::to("/saved-searches?updated=1").into_response()),
        Err(ServiceError::NotFound) => Err(ServiceError::NotFound.into()),
        Err(e) => saved_failed(&state, chrome, csrf.0, &p, e).await,
    }
}

/// `POST /saved-searches/{id}/delete`.
async fn saved_delete(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    state.services.delete_saved_search(&p, id).await?;
    Ok(Redirect::to("/saved-searches?deleted=1").into_response())
}

// --- feeds -----------------------------------------------------------------------------

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// An Atom feed (RFC 4287) of the newest tenders `search` finds.
async fn tender_feed(
    state: &WebState,
    feed_id: &str,
    title: &str,
    self_url: &str,
    alternate: &str,
    search: TenderSearch,
    // The feed's `updated` while it has no entry (a fixed instant: a feed
    // that did not change must read the same).
    empty_updated: DateTime<Utc>,
) -> AppResult<Response> {
    let s = &state.services;
    let base = s.config.base_url.trim_end_matches('/').to_owned();
    let page = s
        .search_tenders(&TenderSearch {
            sort: Sort::Newest,
            offset: 0,
            limit: FEED_ENTRIES,
            ..search
        })
        .await?;
    let mut entries = String::new();
    let mut updated: Option<DateTime<Utc>> = None;
    for hit in &page.hits {
        let Ok(t) = s.tender_for(None, hit.id).await else {
            continue;
        };
        let when = t.updated_at;
        updated = Some(updated.map_or(when, |u| u.max(when)));
        let c = &t.content;
        let summary = format!(
            "{}｜{}｜提出締切 {}",
            t.buyer_name,
            t.status.name_ja(),
            musubi_domain::format_japan_datetime(c.schedule.submission_closes_at)
        );
        entries.push_str(&format!(
            "<entry><id>{base}/tenders/{id}</id><title>{title}</title>\
             <link rel=\"alternate\" type=\"text/html\" href=\"{base}/tenders/{id}\"/>\
             <published>{published}</published><updated>{updated}</updated>\
             <author><name>{buyer}</name></author><summary>{summary}</summary></entry>\n",
            id = t.id,
            title = xml(&c.title),
            published = rfc3339(t.published_at.unwrap_or(t.created_at)),
            updated = rfc3339(when),
            buyer = xml(&t.buyer_name),
            summary = xml(&summary),
        ));
    }
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"ja\">\n\
         <id>{base}{feed_id}</id><title>{title}</title>\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{self_url}\"/>\
         <link rel=\"alternate\" type=\"text/html\" href=\"{base}{alternate}\"/>\
         <updated>{updated}</updated><generator>Musubi</generator>\n{entries}</feed>\n",
        title = xml(title),
        self_url = xml(self_url),
        alternate = xml(alternate),
        updated = rfc3339(updated.unwrap_or(empty_updated)),
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response())
}

/// `GET /saved-searches/{id}/feed.atom?token=…`: the newest tenders the
/// saved search finds (the token from the saved searches page).
async fn saved_feed(
    State(state): State<WebState>,
    Path(id): Path<i64>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let token = query_value(q.as_deref(), "token");
    let saved = state.services.saved_search_for_feed(id, &token).await?;
    let search = musubi_app::Services::saved_search_criteria(&saved)?;
    let self_url = state.services.saved_search_feed_url(&saved)?;
    tender_feed(
        &state,
        &format!("/saved-searches/{id}/feed.atom"),
        &format!("結び 新着案件: {}", saved.name),
        &self_url,
        &format!("/search?{}", saved.query),
        search,
        saved.created_at,
    )
    .await
}

/// `GET /buyers/{id}/feed.atom`: a buyer's newest published tenders.
async fn buyer_feed(State(state): State<WebState>, Path(id): Path<i64>) -> AppResult<Response> {
    let org = state.services.organization(id).await?;
    let base = state.services.config.base_url.trim_end_matches('/');
    tender_feed(
        &state,
        &format!("/buyers/{id}/feed.atom"),
        &format!("結び {} の案件", org.name),
        &format!("{base}/buyers/{id}/feed.atom"),
        &format!("/search?buyer={id}"),
        TenderSearch {
            buyer: Some(id),
            ..Default::default()
        },
        org.created_at,
    )
    .await
}

// --- one-click unsubscribe -------------------------------------------------------------

#[derive(Template)]
#[template(path = "alerts/unsubscribe.html")]
struct UnsubscribePage {
    chrome: Chrome,
    csrf: String,
    target: String,
    token: String,
    what: String,
    done: bool,
}

fn what_of(lang: Lang, u: &Unsubscribed) -> String {
    match (u, lang) {
        (Unsubscribed::SavedSearch(s), Lang::Ja) => {
            format!("検索条件「{}」の新着案件メール", s.name)
        }
        (Unsubscribed::SavedSearch(s), Lang::En) => {
            format!("new-tender mail for the saved search “{}”", s.name)
        }
        (Unsubscribed::EventMail(_), Lang::Ja) => {
            "案件のお知らせメール（訂正・中止・開札結果・落札など）".into()
        }
        (Unsubscribed::EventMail(_), Lang::En) => {
            "tender notification mail (amendments, cancellations, results, awards)".into()
        }
    }
}

/// `GET /alerts/unsubscribe?target=…&token=…`: what the link stops, with
/// the button (a GET never changes anything: mail scanners follow links).
async fn unsubscribe_page(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    unsubscribe_view(&state, chrome, csrf, q.as_deref(), false).await
}

/// `POST /alerts/unsubscribe?target=…&token=…`: stops it. Also the RFC 8058
/// one-click POST a mail client sends (`List-Unsubscribe=One-Click`, no
/// cookies, so no CSRF token is needed: the link's token is the proof).
async fn unsubscribe_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    unsubscribe_view(&state, chrome, csrf, q.as_deref(), true).await
}

/// What the link names, stopped first when `stop`.
async fn unsubscribe_view(
    state: &WebState,
    chrome: Chrome,
    csrf: CsrfToken,
    q: Option<&str>,
    stop: bool,
) -> AppResult<Response> {
    let target = query_value(q, "target");
    let token = query_value(q, "token");
    let what = if stop {
        state.services.unsubscribe(&target, &token).await?
    } else {
        state.services.unsubscribe_target(&target, &token).await?
    };
    let lang = chrome.lang;
    let view = UnsubscribePage {
        csrf: csrf.0,
        what: what_of(lang, &what),
        target,
        token,
        done: stop,
        chrome,
    };
    html_page(lang, &view)
}

// --- the API ---------------------------------------------------------------------------

fn saved_json(state: &WebState, s: &SavedSearch) -> AppResult<Value> {
    Ok(json!({
        "id": s.id,
        "name": s.name,
        "query": s.query,
        "frequency": s.frequency.as_str(),
        "email": s.email,
        "feed_url": state.services.saved_search_feed_url(s)?,
        "search_url": format!("{}/search?{}", state.services.config.base_url.trim_end_matches('/'), s.query),
        "created_at": rfc3339(s.created_at),
        "updated_at": rfc3339(s.updated_at),
    }))
}

/// `GET /api/v1/saved-searches`.
async fn api_list(State(state): State<WebState>, caller: Caller) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    let items = state
        .services
        .saved_searches(&p)
        .await?
        .iter()
        .map(|s| saved_json(&state, s))
        .collect::<AppResult<Vec<_>>>()?;
    Ok(axum::Json(json!({ "items": items })).into_response())
}

#[derive(Debug, Deserialize)]
struct SavedBody {
    #[serde(default)]
    name: String,
    /// Required: a saved search says what it looks for.
    query: String,
    #[serde(default)]
    frequency: String,
    #[serde(default = "yes")]
    email: bool,
}

fn yes() -> bool {
    true
}

/// `POST /api/v1/saved-searches`: `{name, query, frequency, email}`.
async fn api_create(
    State(state): State<WebState>,
    caller: Caller,
    ApiJson(b): ApiJson<SavedBody>,
) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    let (query, search) = search_of(&b.query)?;
    let saved = state
        .services
        .create_saved_search(
            &p,
            SavedSearchInput {
                name: b.name,
                query,
                search,
                frequency: b.frequency,
                email: b.email,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(saved_json(&state, &saved)?)).into_response())
}

/// `GET /api/v1/saved-searches/{id}`.
async fn api_get(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    let s = state.services.own_saved_search(&p, id).await?;
    Ok(axum::Json(saved_json(&state, &s)?).into_response())
}

#[derive(Debug, Deserialize)]
struct SavedPatch {
    name: Option<String>,
    frequency: Option<String>,
    email: Option<bool>,
}

/// `PATCH /api/v1/saved-searches/{id}`: fields left out keep their value.
async fn api_update(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<SavedPatch>,
) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    let current = state.services.own_saved_search(&p, id).await?;
    let saved = state
        .services
        .update_saved_search(
            &p,
            id,
            SavedSearchChange {
                name: b.name.unwrap_or(current.name),
                frequency: b
                    .frequency
                    .unwrap_or_else(|| current.frequency.as_str().to_owned()),
                email: b.email.unwrap_or(current.email),
            },
        )
        .await?;
    Ok(axum::Json(saved_json(&state, &saved)?).into_response())
}

/// `DELETE /api/v1/saved-searches/{id}`.
async fn api_delete(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    state.services.delete_saved_search(&p, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn per_page_of(query: Option<&str>) -> AppResult<u32> {
    let raw = query_value(query, "per_page");
    if raw.is_empty() {
        return Ok(20);
    }
    raw.parse::<u32>()
        .ok()
        .filter(|n| (1..=100).contains(n))
        .ok_or_else(|| {
            AppError::bad_request(
                "invalid_per_page",
                "per_page は1から100までの整数で指定してください。",
                "per_page must be a whole number from 1 to 100.",
            )
        })
}

/// `GET /api/v1/me/notifications?page=&per_page=`: the inbox, newest first,
/// each with `read`, and the unread count.
async fn api_inbox(
    State(state): State<WebState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    let page_no = page_of(q.as_deref());
    let per = per_page_of(q.as_deref())?;
    let s = &state.services;
    let page = s
        .notification_events(
            &p,
            Paging {
                offset: (page_no - 1).saturating_mul(u64::from(per)),
                limit: per,
            },
        )
        .await?;
    let base = s.config.base_url.trim_end_matches('/');
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|e| {
            json!({
                "id": e.id,
                "kind": e.kind.as_str(),
                "text_ja": event_text(Lang::Ja, e),
                "text_en": event_text(Lang::En, e),
                "tender_id": e.tender_id,
                "tender_url": e.tender_id.map(|id| format!("{base}/tenders/{id}")),
                "detail": e.detail,
                "created_at": rfc3339(e.created_at),
                "read": e.read_at.is_some(),
                "read_at": e.read_at.map(rfc3339),
            })
        })
        .collect();
    Ok(axum::Json(json!({
        "total": page.total,
        "unread": s.unread_notifications(&p).await?,
        "page": page_no,
        "per_page": per,
        "items": items,
    }))
    .into_response())
}

#[derive(Debug, Deserialize)]
struct ReadBody {
    /// Omitted: all.
    ids: Option<Vec<i64>>,
}

/// `POST /api/v1/me/notifications/read`: `{"ids": [..]}` or `{}` for all.
async fn api_read(
    State(state): State<WebState>,
    caller: Caller,
    ApiJson(b): ApiJson<ReadBody>,
) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    if b.ids.as_ref().is_some_and(|ids| ids.len() > 1000) {
        return Err(AppError::bad_request(
            "too_many_ids",
            "一度に既読にできるのは1,000件までです。",
            "At most 1,000 ids at a time.",
        ));
    }
    let s = &state.services;
    let marked = s.mark_notifications_read(&p, b.ids.as_deref()).await?;
    Ok(axum::Json(json!({
        "marked": marked,
        "unread": s.unread_notifications(&p).await?,
    }))
    .into_response())
}

/// `GET /api/v1/me/notification-settings`.
async fn api_settings(State(state): State<WebState>, caller: Caller) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    let on = state.services.event_mail_on(&p).await?;
    Ok(axum::Json(json!({ "event_mail": on })).into_response())
}

#[derive(Debug, Deserialize)]
struct SettingsBody {
    event_mail: bool,
}

/// `PUT /api/v1/me/notification-settings`: `{"event_mail": bool}`.
async fn api_settings_put(
    State(state): State<WebState>,
    caller: Caller,
    ApiJson(b): ApiJson<SettingsBody>,
) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    state.services.set_event_mail(&p, b.event_mail).await?;
    Ok(axum::Json(json!({ "event_mail": b.event_mail })).into_response())
}
