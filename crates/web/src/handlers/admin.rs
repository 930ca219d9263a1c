//! Platform administration: approving buyers, people and roles, suspension,
//! the audit log. JSON under `/api/v1/admin`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use http::{Method, StatusCode};
use musubi_app::RequestCtx;
use musubi_domain::{Access, Approval, PlatformRole, Prefecture};
use musubi_storage::{AuditRecord, Organization, Page, Paging, User};
use serde::Deserialize;
use serde_json::json;

use crate::WebState;
use crate::auth::{Caller, CsrfToken};
use crate::error::{AppError, AppResult};
use crate::extract::{ApiJson, WebForm};
use crate::handlers::organizations::org_json;
use crate::i18n::Lang;
use crate::routes::{RouteDef, route};
use crate::views::{Chrome, html_page};

pub fn routes() -> Vec<RouteDef> {
    use Access::PlatformAdmin as A;
    use Method as M;
    vec![
        route(M::GET, "/admin", A, get(dashboard)),
        route(
            M::POST,
            "/admin/organizations/{id}/approve",
            A,
            post(approve_submit),
        ),
        route(
            M::POST,
            "/admin/organizations/{id}/reject",
            A,
            post(reject_submit),
        ),
        route(M::GET, "/admin/users", A, get(users_page)),
        route(
            M::POST,
            "/admin/users/{id}/suspend",
            A,
            post(suspend_submit),
        ),
        route(
            M::POST,
            "/admin/users/{id}/reinstate",
            A,
            post(reinstate_submit),
        ),
        route(M::POST, "/admin/users/{id}/role", A, post(role_submit)),
        route(M::GET, "/admin/audit", A, get(audit_page)),
        route(
            M::POST,
            "/api/v1/admin/organizations/{id}/decision",
            A,
            post(api_decide),
        ),
        route(M::GET, "/api/v1/admin/users", A, get(api_users)),
        route(
            M::POST,
            "/api/v1/admin/users/{id}/suspension",
            A,
            post(api_suspension),
        ),
        route(M::PUT, "/api/v1/admin/users/{id}/role", A, put(api_role)),
        route(M::GET, "/api/v1/admin/audit", A, get(api_audit)),
    ]
}

#[derive(Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    offset: u64,
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    actor: Option<i64>,
}

impl PageQuery {
    fn paging(&self) -> Paging {
        Paging {
            offset: self.offset,
            limit: self.limit.unwrap_or(50).clamp(1, 200),
        }
    }
}

fn user_json(u: &User) -> serde_json::Value {
    json!({
        "id": u.id,
        "email": u.email.as_str(),
        "display_name": u.display_name,
        "platform_role": u.platform_role.code(),
        "email_verified": u.email_verified_at.is_some(),
        "suspended_at": u.suspended_at,
        "suspended_reason": u.suspended_reason,
        "created_at": u.created_at,
    })
}

fn audit_json(r: &AuditRecord) -> serde_json::Value {
    json!({
        "id": r.id,
        "at": r.at,
        "actor_user_id": r.entry.actor,
        "ip": r.entry.ip,
        "action": r.entry.action,
        "subject_type": r.entry.subject_type,
        "subject_id": r.entry.subject_id,
        "detail": r.entry.detail,
    })
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    chrome: Chrome,
    csrf: String,
    pending: Page<Organization>,
    notice: Option<String>,
}

async fn dashboard(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
) -> AppResult<Response> {
    let auth = caller.require(Access::PlatformAdmin)?;
    let pending = state
        .services
        .organizations(
            &auth.principal(),
            Some(Approval::Pending),
            Paging {
                offset: 0,
                limit: 200,
            },
        )
        .await?;
    let lang = chrome.lang;
    html_page(
        lang,
        &Dashboard {
            chrome,
            csrf: csrf.0,
            pending,
            notice: None,
        },
    )
}

#[derive(Deserialize, Default)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

#[allow(clippy::too_many_arguments)]
async fn decide(
    state: &WebState,
    chrome: Chrome,
    csrf: String,
    caller: &Caller,
    ctx: &RequestCtx,
    id: i64,
    approve: bool,
    reason: &str,
) -> AppResult<Response> {
    let auth = caller.require(Access::PlatformAdmin)?;
    match state
        .services
        .decide_buyer(&auth.principal(), id, approve, reason, ctx)
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin").into_response()),
        Err(e) => {
            let err = AppError::from(e);
            let pending = state
                .services
                .organizations(
                    &auth.principal(),
                    Some(Approval::Pending),
                    Paging {
                        offset: 0,
                        limit: 200,
                    },
                )
                .await?;
            let lang = chrome.lang;
            let notice = Some(err.message(lang).to_owned());
            let mut res = html_page(
                lang,
                &Dashboard {
                    chrome,
                    csrf,
                    pending,
                    notice,
                },
            )?;
            *res.status_mut() = err.status();
            Ok(res)
        }
    }
}

async fn approve_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    decide(&state, chrome, csrf.0, &caller, &ctx, id, true, "").await
}

async fn reject_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    WebForm(form): WebForm<ReasonForm>,
) -> AppResult<Response> {
    decide(
        &state,
        chrome,
        csrf.0,
        &caller,
        &ctx,
        id,
        false,
        &form.reason,
    )
    .await
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    chrome: Chrome,
    csrf: String,
    users: Page<User>,
}

async fn users_page(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let auth = caller.require(Access::PlatformAdmin)?;
    let users = state.services.users(&auth.principal(), q.paging()).await?;
    let lang = chrome.lang;
    html_page(
        lang,
        &UsersPage {
            chrome,
            csrf: csrf.0,
            users,
        },
    )
}

async fn suspend_submit(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    WebForm(form): WebForm<ReasonForm>,
) -> AppResult<Response> {
    let auth = caller.require(Access::PlatformAdmin)?;
    state
        .services
        .set_suspension(&auth.principal(), id, true, &form.reason, &ctx)
        .await?;
    Ok(Redirect::to("/admin/users").into_response())
}

async fn reinstate_submit(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let auth = caller.require(Access::PlatformAdmin)?;
    state
        .services
        .set_suspension(&auth.principal(), id, false, "", &ctx)
        .await?;
    Ok(Redirect::to("/admin/users").into_response())
}

#[derive(Deserialize, Default)]
struct RoleForm {
    #[serde(default)]
    role: String,
    /// Comma-separated prefecture codes for coordinators.
    #[serde(default)]
    areas: String,
}

fn parse_role(role: &str, areas: &[String]) -> Result<(PlatformRole, Vec<Prefecture>), AppError> {
    let role = PlatformRole::parse(role).map_err(|_| {
        AppError::bad_request(
            "invalid_role",
            "権限の指定が正しくありません。",
            "Unknown role.",
        )
    })?;
    let mut prefectures = Vec::new();
    for a in areas.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
        // A region (e.g. "kanto", 関東) stands for all its prefectures.
        if let Ok(region) = musubi_domain::Region::parse(a) {
            for p in region.prefectures() {
                if !prefectures.contains(p) {
                    prefectures.push(*p);
                }
            }
            continue;
        }
        prefectures.push(Prefecture::parse(a).map_err(|_| {
            AppError::bad_request(
                "invalid_prefecture",
                format!("都道府県「{a}」が正しくありません。"),
                format!("Unknown prefecture '{a}'."),
            )
        })?);
    }
    Ok((role, prefectures))
}

async fn role_submit(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    WebForm(form): WebForm<RoleForm>,
) -> AppResult<Response> {
    let auth = caller.require(Access::PlatformAdmin)?;
    let areas: Vec<String> = form
        .areas
        .split([',', ' ', '、'])
        .map(str::to_owned)
        .collect();
    let (role, prefectures) = parse_role(&form.role, &areas)?;
    state
        .services
        .set_platform_role(&auth.principal(), id, role, &prefectures, &ctx)
        .await?;
    Ok(Redirect::to("/admin/users").into_response())
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    chrome: Chrome,
    records: Page<AuditRecord>,
    rows: Vec<(String, String)>,
}

async fn audit_page(
    State(state): State<WebState>,
    chrome: Chrome,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let auth = caller.require(Access::PlatformAdmin)?;
    let records = state
        .services
        .audit_log(&auth.principal(), q.actor, q.paging())
        .await?;
    let lang = chrome.lang;
    let rows = records
        .items
        .iter()
        .map(|r| {
            let when = if lang == Lang::Ja {
                musubi_domain::format_japan_datetime(r.at)
            } else {
                musubi_domain::format_japan_datetime_en(r.at)
            };
            (when, r.entry.detail.to_string())
        })
        .collect();
    html_page(
        lang,
        &AuditPage {
            chrome,
            records,
            rows,
        },
    )
}

#[derive(Deserialize)]
struct Decision {
    approve: bool,
    #[serde(default)]
    reason: String,
}

async fn api_decide(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(d): ApiJson<Decision>,
) -> AppResult<Response> {
    let auth = caller.require(Access::PlatformAdmin)?;
    state
        .services
        .decide_buyer(&auth.principal(), id, d.approve, &d.reason, &ctx)
        .await?;
    let org = state.services.organization(id).await?;
    Ok(axum::Json(org_json(&org)).into_response())
}

async fn api_users(
    State(state): State<WebState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let auth = caller.require(Access::PlatformAdmin)?;
    let users = state.services.users(&auth.principal(), q.paging()).await?;
    Ok(axum::Json(json!({ "total": users.total, "items": users.items.iter().map(user_json).collect::<Vec<_>>() })).into_response())
}

#[derive(Deserialize)]
struct Suspension {
    suspend: bool,
    #[serde(default)]
    reason: String,
}

async fn api_suspension(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(s): ApiJson<Suspension>,
) -> AppResult<Response> {
    let auth = caller.require(Access::PlatformAdmin)?;
    state
        .services
        .set_suspension(&auth.principal(), id, s.suspend, &s.reason, &ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
struct RoleBody {
    role: String,
    #[serde(default)]
    prefectures: Vec<String>,
}

async fn api_role(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RoleBody>,
) -> AppResult<Response> {
    let auth = caller.require(Access::PlatformAdmin)?;
    let (role, prefectures) = parse_role(&b.role, &b.prefectures)?;
    state
        .services
        .set_platform_role(&auth.principal(), id, role, &prefectures, &ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn api_audit(
    State(state): State<WebState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let auth = caller.require(Access::PlatformAdmin)?;
    let records = state
        .services
        .audit_log(&auth.principal(), q.actor, q.paging())
        .await?;
    Ok(axum::Json(json!({ "total": records.total, "items": records.items.iter().map(audit_json).collect::<Vec<_>>() })).into_response())
}
