//! Organisations: create one, see and edit it, its members; JSON under
//! `/api/v1/organizations`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, patch, post};
use http::{Method, StatusCode};
use musubi_app::RequestCtx;
use musubi_app::organizations::OrganizationInput;
use musubi_domain::{Access, Approval, OrgKind};
use musubi_storage::{Invitation, Member, Organization, Paging};
use serde::Deserialize;
use serde_json::json;

use crate::WebState;
use crate::auth::{Caller, CsrfToken};
use crate::error::AppResult;
use crate::extract::{ApiJson, WebForm};
use crate::handlers::accounts::FormErrors;
use crate::i18n::Lang;
use crate::routes::{RouteDef, route};
use crate::views::{Chrome, html_page, html_page_status};

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    use Method as M;
    vec![
        route(M::GET, "/organizations/new", SignedIn, get(new_form)),
        route(M::POST, "/organizations", SignedIn, post(create_submit)),
        route(M::GET, "/organizations/{id}", SignedIn, get(show)),
        route(
            M::POST,
            "/organizations/{id}",
            SignedIn,
            post(update_submit),
        ),
        route(
            M::GET,
            "/api/v1/organizations",
            PlatformAdmin,
            get(api_list),
        ),
        route(M::POST, "/api/v1/organizations", SignedIn, post(api_create)),
        route(M::GET, "/api/v1/organizations/{id}", Public, get(api_show)),
        route(
            M::PATCH,
            "/api/v1/organizations/{id}",
            SignedIn,
            patch(api_update),
        ),
        route(
            M::POST,
            "/organizations/{id}/invitations",
            SignedIn,
            post(invite_submit),
        ),
        route(M::GET, "/invitations/accept", Public, get(accept_page)),
        route(
            M::POST,
            "/invitations/accept",
            SignedIn,
            post(accept_submit),
        ),
        route(
            M::GET,
            "/api/v1/organizations/{id}/invitations",
            SignedIn,
            get(api_invitations),
        ),
        route(
            M::POST,
            "/api/v1/organizations/{id}/invitations",
            SignedIn,
            post(api_invite),
        ),
        route(
            M::POST,
            "/api/v1/invitations/accept",
            SignedIn,
            post(api_accept),
        ),
    ]
}

pub fn org_json(o: &Organization) -> serde_json::Value {
    json!({
        "id": o.id,
        "kind": o.kind.code(),
        "name": o.name,
        "name_kana": o.name_kana,
        "corporate_number": o.corporate_number.as_ref().map(|c| c.to_string()),
        "approval": o.approval.code(),
        "approval_reason": o.approval_reason,
        "decided_at": o.decided_at,
        "created_at": o.created_at,
    })
}

fn member_json(m: &Member) -> serde_json::Value {
    json!({ "user_id": m.user_id, "display_name": m.display_name, "email": m.email.as_str(), "role": m.role.code() })
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct OrgForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    name_kana: String,
    #[serde(default)]
    corporate_number: String,
}

impl From<OrgForm> for OrganizationInput {
    fn from(f: OrgForm) -> Self {
        OrganizationInput {
            kind: f.kind,
            name: f.name,
            name_kana: f.name_kana,
            corporate_number: f.corporate_number,
        }
    }
}

#[derive(Template)]
#[template(path = "organizations/new.html")]
struct NewPage {
    chrome: Chrome,
    csrf: String,
    form: OrgForm,
    kinds: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
}

fn kinds(lang: Lang) -> Vec<(&'static str, &'static str)> {
    OrgKind::ALL
        .iter()
        .map(|k| {
            (
                k.code(),
                if lang == Lang::Ja {
                    k.name_ja()
                } else {
                    k.name_en()
                },
            )
        })
        .collect()
}

async fn new_form(chrome: Chrome, csrf: CsrfToken) -> AppResult<Response> {
    let lang = chrome.lang;
    let form = OrgForm {
        kind: "supplier".into(),
        ..Default::default()
    };
    html_page(
        lang,
        &NewPage {
            kinds: kinds(lang),
            chrome,
            csrf: csrf.0,
            form,
            errors: FormErrors::default(),
        },
    )
}

async fn create_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    WebForm(form): WebForm<OrgForm>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let lang = chrome.lang;
    match state
        .services
        .create_organization(&auth.principal(), &form.clone().into(), &ctx)
        .await
    {
        Ok(id) => {
            let to = if form.kind == "supplier" {
                format!("/companies/{id}/edit")
            } else {
                format!("/organizations/{id}")
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let errors = FormErrors::from_service(lang, e)?;
            html_page_status(
                lang,
                &NewPage {
                    kinds: kinds(lang),
                    chrome,
                    csrf: csrf.0,
                    form,
                    errors,
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "organizations/show.html")]
struct ShowPage {
    chrome: Chrome,
    csrf: String,
    org: Organization,
    kind_label: &'static str,
    approval_label: &'static str,
    members: Vec<Member>,
    invitations: Vec<Invitation>,
    can_edit: bool,
    form: OrgForm,
    errors: FormErrors,
}

async fn render_show(
    state: &WebState,
    chrome: Chrome,
    csrf: String,
    caller: &Caller,
    id: i64,
    form: Option<OrgForm>,
    errors: FormErrors,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let principal = auth.principal();
    let members = state.services.members(&principal, id).await?;
    let org = state.services.organization(id).await?;
    let lang = chrome.lang;
    let form = form.unwrap_or_else(|| OrgForm {
        name: org.name.clone(),
        name_kana: org.name_kana.clone(),
        ..Default::default()
    });
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let invitations = if principal.is_admin_of(id) {
        state.services.open_invitations(&principal, id).await?
    } else {
        Vec::new()
    };
    let page = ShowPage {
        invitations,
        kind_label: if lang == Lang::Ja {
            org.kind.name_ja()
        } else {
            org.kind.name_en()
        },
        approval_label: if lang == Lang::Ja {
            org.approval.name_ja()
        } else {
            org.approval.name_en()
        },
        can_edit: principal.is_admin_of(id),
        chrome,
        csrf,
        org,
        members,
        form,
        errors,
    };
    html_page_status(lang, &page, status)
}

async fn show(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    render_show(
        &state,
        chrome,
        csrf.0,
        &caller,
        id,
        None,
        FormErrors::default(),
    )
    .await
}

async fn update_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    WebForm(form): WebForm<OrgForm>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let lang = chrome.lang;
    match state
        .services
        .update_organization(&auth.principal(), id, &form.name, &form.name_kana, &ctx)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/organizations/{id}")).into_response()),
        Err(e) => {
            let errors = FormErrors::from_service(lang, e)?;
            render_show(&state, chrome, csrf.0, &caller, id, Some(form), errors).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    approval: Option<String>,
    #[serde(default)]
    offset: u64,
    #[serde(default)]
    limit: Option<u32>,
}

async fn api_list(
    State(state): State<WebState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let auth = caller.require(Access::PlatformAdmin)?;
    let approval = match q.approval.as_deref() {
        None | Some("") => None,
        Some(a) => Some(Approval::parse(a).map_err(|_| {
            crate::error::AppError::bad_request(
                "invalid_parameter",
                "approval の値が正しくありません。",
                "Unknown approval status.",
            )
        })?),
    };
    let paging = Paging {
        offset: q.offset,
        limit: q.limit.unwrap_or(50).clamp(1, 200),
    };
    let page = state
        .services
        .organizations(&auth.principal(), approval, paging)
        .await?;
    Ok(axum::Json(json!({ "total": page.total, "items": page.items.iter().map(org_json).collect::<Vec<_>>() })).into_response())
}

async fn api_create(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    ApiJson(form): ApiJson<OrgForm>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let id = state
        .services
        .create_organization(&auth.principal(), &form.into(), &ctx)
        .await?;
    let org = state.services.organization(id).await?;
    Ok((StatusCode::CREATED, axum::Json(org_json(&org))).into_response())
}

async fn api_show(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let org = state.services.organization(id).await?;
    let mut body = org_json(&org);
    // Members are listed only for the organisation's own people and admins.
    if let Some(p) = caller.principal()
        && (p.org_id() == Some(id) || p.is_platform_admin())
    {
        let members = state.services.members(&p, id).await?;
        body["members"] = members.iter().map(member_json).collect();
    }
    Ok(axum::Json(body).into_response())
}

#[derive(Deserialize)]
struct OrgPatch {
    name: Option<String>,
    name_kana: Option<String>,
}

async fn api_update(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<OrgPatch>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let org = state.services.organization(id).await?;
    let name = body.name.unwrap_or(org.name);
    let kana = body.name_kana.unwrap_or(org.name_kana);
    state
        .services
        .update_organization(&auth.principal(), id, &name, &kana, &ctx)
        .await?;
    let org = state.services.organization(id).await?;
    Ok(axum::Json(org_json(&org)).into_response())
}

#[derive(Deserialize, Default)]
struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

async fn invite_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    WebForm(form): WebForm<InviteForm>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let lang = chrome.lang;
    match state
        .services
        .invite(&auth.principal(), id, &form.email, &form.role, &ctx)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/organizations/{id}")).into_response()),
        Err(e) => {
            let errors = FormErrors::from_service(lang, e)?;
            render_show(&state, chrome, csrf.0, &caller, id, None, errors).await
        }
    }
}

#[derive(Deserialize, Default)]
struct TokenParam {
    #[serde(default)]
    token: String,
}

#[derive(Template)]
#[template(path = "organizations/accept.html")]
struct AcceptPage {
    chrome: Chrome,
    csrf: String,
    token: String,
    org: Organization,
    invitation: Invitation,
    signed_in: bool,
    next: String,
}

async fn accept_page(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    Query(q): Query<TokenParam>,
) -> AppResult<Response> {
    let (invitation, org) = state.services.invitation(&q.token).await?;
    let lang = chrome.lang;
    let next = crate::routes::percent_encode(&format!("/invitations/accept?token={}", q.token));
    html_page(
        lang,
        &AcceptPage {
            chrome,
            csrf: csrf.0,
            token: q.token,
            org,
            invitation,
            signed_in: caller.0.is_some(),
            next,
        },
    )
}

async fn accept_submit(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    WebForm(form): WebForm<TokenParam>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let org = state
        .services
        .accept_invitation(&auth.principal(), &form.token, &ctx)
        .await?;
    Ok(Redirect::to(&format!("/organizations/{org}")).into_response())
}

fn invitation_json(i: &Invitation) -> serde_json::Value {
    json!({
        "id": i.id,
        "email": i.email.as_str(),
        "role": i.role.code(),
        "invited_by": i.invited_by,
        "created_at": i.created_at,
        "expires_at": i.expires_at,
    })
}

async fn api_invitations(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let items = state
        .services
        .open_invitations(&auth.principal(), id)
        .await?;
    Ok(
        axum::Json(json!({ "items": items.iter().map(invitation_json).collect::<Vec<_>>() }))
            .into_response(),
    )
}

/// Fields default to empty so that permission is decided before validation.
#[derive(Deserialize)]
struct ApiInvite {
    #[serde(default)]
    email: String,
    #[serde(default = "member_role")]
    role: String,
}

fn member_role() -> String {
    "member".into()
}

async fn api_invite(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ApiInvite>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let inv = state
        .services
        .invite(&auth.principal(), id, &b.email, &b.role, &ctx)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(json!({ "id": inv }))).into_response())
}

#[derive(Deserialize)]
struct ApiAccept {
    token: String,
}

async fn api_accept(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    ApiJson(b): ApiJson<ApiAccept>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let org = state
        .services
        .accept_invitation(&auth.principal(), &b.token, &ctx)
        .await?;
    Ok(axum::Json(json!({ "organization_id": org })).into_response())
}
