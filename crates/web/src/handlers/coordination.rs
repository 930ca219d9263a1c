//! Coordinators (コーディネーター): the dashboard, a tender's share and
//! recommend forms with its おすすめ企業, introductions and their outcomes,
//! and the KPIs — pages under `/coordinator`, JSON under
//! `/api/v1/coordinator`. The buyer's tender page shows
//! コーディネーターからの推薦 ([`tender_section`]).
//!
//! The services (`musubi_app::coordination`) decide what is allowed; a
//! failed form is shown again with its messages and the status of the
//! failure.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, SecondsFormat, Utc};
use http::{Method, StatusCode};
use musubi_app::coordination::{
    CoordinationTender, Dashboard, IntroductionInput, KpiPeriod, OutcomeInput, ShareResult,
};
use musubi_app::matching::RecommendedSupplier;
use musubi_app::{RequestCtx, ServiceError};
use musubi_domain::coordination::IntroductionStatus;
use musubi_domain::tender::TenderStatus;
use musubi_domain::{Access, Prefecture, Principal, Region, TaxExclusive, Yen};
use musubi_storage::{CoordinationKpis, Introduction, Kpi, Page, Paging, Recommendation, Tender};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::WebState;
use crate::auth::{Caller, CsrfToken};
use crate::error::{AppError, AppResult};
use crate::extract::{ApiJson, WebForm, query_value};
use crate::handlers::tenders::display::{self, Named, pick};
use crate::i18n::Lang;
use crate::routes::{RouteDef, route};
use crate::views::{Chrome, html_page};

pub fn routes() -> Vec<RouteDef> {
    use Access::Coordinator as C;
    use Method as M;
    vec![
        route(M::GET, "/coordinator", C, get(dashboard_page)),
        route(M::GET, "/coordinator/tenders/{id}", C, get(tender_page)),
        route(
            M::POST,
            "/coordinator/tenders/{id}/share",
            C,
            post(share_submit),
        ),
        route(
            M::POST,
            "/coordinator/tenders/{id}/recommend",
            C,
            post(recommend_submit),
        ),
        route(
            M::GET,
            "/coordinator/introductions",
            C,
            get(introductions_page),
        ),
        route(
            M::POST,
            "/coordinator/introductions",
            C,
            post(introduction_submit),
        ),
        route(
            M::POST,
            "/coordinator/introductions/{id}/outcome",
            C,
            post(outcome_submit),
        ),
        route(M::GET, "/coordinator/kpis", C, get(kpis_page)),
        route(
            M::GET,
            "/api/v1/coordinator/dashboard",
            C,
            get(api_dashboard),
        ),
        route(
            M::GET,
            "/api/v1/coordinator/tenders/{id}",
            C,
            get(api_tender),
        ),
        route(
            M::GET,
            "/api/v1/coordinator/tenders/{id}/share-preview",
            C,
            get(api_share_preview),
        ),
        route(
            M::POST,
            "/api/v1/coordinator/tenders/{id}/shares",
            C,
            post(api_share),
        ),
        route(
            M::POST,
            "/api/v1/coordinator/tenders/{id}/recommendations",
            C,
            post(api_recommend),
        ),
        route(
            M::GET,
            "/api/v1/coordinator/introductions",
            C,
            get(api_introductions),
        ),
        route(
            M::POST,
            "/api/v1/coordinator/introductions",
            C,
            post(api_introduce),
        ),
        route(
            M::POST,
            "/api/v1/coordinator/introductions/{id}/outcome",
            C,
            post(api_outcome),
        ),
        route(M::GET, "/api/v1/coordinator/kpis", C, get(api_kpis)),
    ]
}

// --- shared helpers ------------------------------------------------------------------

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn invalid_parameter(ja: &'static str, en: &'static str) -> AppError {
    AppError::bad_request("invalid_parameter", ja, en)
}

fn region_param(q: Option<&str>) -> AppResult<Option<Region>> {
    let v = query_value(q, "region");
    if v.trim().is_empty() {
        return Ok(None);
    }
    Region::parse(&v).map(Some).map_err(|_| {
        invalid_parameter(
            "地方（region）の指定が正しくありません（例：kanto、kyushu_okinawa）。",
            "Unknown region (e.g. kanto, kyushu_okinawa).",
        )
    })
}

fn period_param(q: Option<&str>) -> AppResult<KpiPeriod> {
    KpiPeriod::parse(&query_value(q, "period")).ok_or_else(|| {
        invalid_parameter(
            "期間（period）は all、fy（今年度）、30d（直近30日）のいずれかを指定してください。",
            "period must be all, fy (this fiscal year) or 30d (the last 30 days).",
        )
    })
}

fn paging_param(q: Option<&str>) -> AppResult<Paging> {
    let num = |key: &str, default: u64, max: u64| -> AppResult<u64> {
        let v = query_value(q, key);
        if v.trim().is_empty() {
            return Ok(default);
        }
        v.trim()
            .parse::<u64>()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| {
                invalid_parameter(
                    "offset・limit には0以上の整数（limit は1〜100）を指定してください。",
                    "offset and limit must be whole numbers (limit 1 to 100).",
                )
            })
    };
    let limit = num("limit", 50, 100)?;
    if limit == 0 {
        return Err(invalid_parameter(
            "limit には1〜100の整数を指定してください。",
            "limit must be from 1 to 100.",
        ));
    }
    Ok(Paging {
        offset: num("offset", 0, u64::from(u32::MAX))?,
        limit: limit as u32,
    })
}

/// A form's failure: the messages to show and the status to answer with.
/// Errors that are no form's (not found, denied, storage) become the page.
fn form_failure(lang: Lang, e: ServiceError) -> AppResult<(StatusCode, Vec<String>)> {
    match e {
        ServiceError::Invalid(fields) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            fields
                .0
                .iter()
                .map(|f| match lang {
                    Lang::Ja => f.message_ja.clone(),
                    Lang::En => f.message_en.clone(),
                })
                .collect(),
        )),
        ServiceError::Refused {
            status,
            message_ja,
            message_en,
            ..
        } => Ok((
            StatusCode::from_u16(status).unwrap_or(StatusCode::CONFLICT),
            vec![match lang {
                Lang::Ja => message_ja,
                Lang::En => message_en,
            }],
        )),
        e => Err(e.into()),
    }
}

fn region_name(lang: Lang, r: Option<Region>) -> String {
    r.map_or_else(
        || pick(lang, "未登録", "Unknown").to_owned(),
        |r| r.name_in(lang).to_owned(),
    )
}

fn prefecture_name(lang: Lang, code: &str) -> String {
    Prefecture::parse(code).map_or_else(|_| code.to_owned(), |p| p.name_in(lang).to_owned())
}

fn yen(lang: Lang, amount: i64) -> String {
    display::price(lang, TaxExclusive::new(Yen::new(amount)))
}

/// The regions for a form's select, with the chosen one marked.
#[derive(Debug, Clone)]
pub struct RegionOption {
    pub code: &'static str,
    pub name: &'static str,
    pub selected: bool,
}

fn region_options(lang: Lang, chosen: Option<Region>) -> Vec<RegionOption> {
    Region::ALL
        .iter()
        .map(|r| RegionOption {
            code: r.code(),
            name: r.name_in(lang),
            selected: Some(*r) == chosen,
        })
        .collect()
}

// --- JSON shapes ------------------------------------------------------------------------

fn supplier_json(s: &RecommendedSupplier) -> Value {
    json!({
        "org_id": s.org_id,
        "name": s.name,
        "prefecture": s.prefecture,
        "points": s.points,
        "reasons": s.reasons.iter().map(|r| json!({ "code": r.code, "label_ja": r.label_ja, "label_en": r.label_en })).collect::<Vec<_>>(),
    })
}

fn recommendation_json(r: &Recommendation) -> Value {
    json!({
        "id": r.id,
        "coordinator_id": r.coordinator,
        "coordinator_name": r.coordinator_name,
        "supplier_id": r.supplier,
        "supplier_name": r.supplier_name,
        "region": r.region.code(),
        "note": r.note,
        "applied": r.applied,
        "created_at": rfc3339(r.created_at),
    })
}

fn introduction_json(i: &Introduction) -> Value {
    json!({
        "id": i.id,
        "coordinator_id": i.coordinator,
        "coordinator_name": i.coordinator_name,
        "buyer_id": i.buyer,
        "buyer_name": i.buyer_name,
        "supplier_id": i.supplier,
        "supplier_name": i.supplier_name,
        "tender_id": i.tender,
        "tender_title": i.tender_title,
        "region": i.region.map(Region::code),
        "note": i.note,
        "status": i.status.code(),
        "meeting_on": i.meeting_on.map(|d| d.format("%Y-%m-%d").to_string()),
        "contract_amount": i.contract_amount,
        "outcome_note": i.outcome_note,
        "created_at": rfc3339(i.created_at),
        "updated_at": rfc3339(i.updated_at),
    })
}

fn kpi_json(k: &Kpi) -> Value {
    json!({
        "shares": k.shares,
        "recipients": k.recipients,
        "recommendations": k.recommendations,
        "applications": k.applications,
        "awards": k.awards,
        "introductions": k.introductions,
        "meetings": k.meetings,
        "won": k.won,
        "won_amount": k.won_amount,
    })
}

fn kpis_json(period: KpiPeriod, k: &CoordinationKpis) -> Value {
    json!({
        "period": period.code(),
        "coordinators": k.coordinators.iter().map(|c| {
            let mut v = kpi_json(&c.kpi);
            v["coordinator_id"] = json!(c.coordinator);
            v["name"] = json!(c.name);
            v
        }).collect::<Vec<_>>(),
        "regions": k.regions.iter().map(|r| {
            let mut v = kpi_json(&r.kpi);
            v["region"] = json!(r.region.map(Region::code));
            v
        }).collect::<Vec<_>>(),
    })
}

fn dashboard_json(d: &Dashboard) -> Value {
    json!({
        "areas": d.areas.iter().map(|p| p.code()).collect::<Vec<_>>(),
        "new_tenders": d.new_tenders.iter().map(|t| json!({
            "tender_id": t.id,
            "title": t.title,
            "buyer_name": t.buyer_name,
            "status": t.status.code(),
            "prefecture": t.prefecture.map(|p| p.code()),
            "published_at": rfc3339(t.published_at),
            "submission_closes_at": rfc3339(t.submission_closes_at),
        })).collect::<Vec<_>>(),
        "few_eligible": d.few_eligible.iter().map(|t| json!({
            "tender_id": t.id,
            "title": t.title,
            "buyer_name": t.buyer_name,
            "status": t.status.code(),
            "prefecture": t.prefecture.map(|p| p.code()),
            "submission_closes_at": rfc3339(t.submission_closes_at),
            "eligible_suppliers": t.eligible,
        })).collect::<Vec<_>>(),
    })
}

// --- the dashboard ------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct TenderLine {
    pub id: i64,
    pub title: String,
    pub buyer_name: String,
    pub place: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub when: String,
    pub deadline: String,
    pub eligible: usize,
}

#[derive(Template)]
#[template(path = "coordination/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    areas: String,
    new_tenders: Vec<TenderLine>,
    few: Vec<TenderLine>,
    few_threshold: usize,
    new_days: i64,
}

fn place_name(lang: Lang, p: Option<Prefecture>) -> String {
    p.map_or_else(
        || pick(lang, "オンライン・全国", "Online / nationwide").to_owned(),
        |p| p.name_in(lang).to_owned(),
    )
}

async fn dashboard_page(
    State(state): State<WebState>,
    chrome: Chrome,
    caller: Caller,
) -> AppResult<Response> {
    let p = caller.require(Access::Coordinator)?.principal();
    let lang = chrome.lang;
    let d = state.services.coordinator_dashboard(&p).await?;
    let areas = if d.areas.is_empty() {
        pick(
            lang,
            "全国（担当地域の指定なし）",
            "Nationwide (no areas assigned)",
        )
        .to_owned()
    } else {
        d.areas
            .iter()
            .map(|a| a.name_in(lang))
            .collect::<Vec<_>>()
            .join(pick(lang, "、", ", "))
    };
    let page = DashboardPage {
        areas,
        new_tenders: d
            .new_tenders
            .iter()
            .map(|t| TenderLine {
                id: t.id,
                title: t.title.clone(),
                buyer_name: t.buyer_name.clone(),
                place: place_name(lang, t.prefecture),
                status: t.status.name_in(lang),
                status_class: display::status_class(t.status),
                when: display::time(lang, t.published_at),
                deadline: display::time(lang, t.submission_closes_at),
                eligible: 0,
            })
            .collect(),
        few: d
            .few_eligible
            .iter()
            .map(|t| TenderLine {
                id: t.id,
                title: t.title.clone(),
                buyer_name: t.buyer_name.clone(),
                place: place_name(lang, t.prefecture),
                status: t.status.name_in(lang),
                status_class: display::status_class(t.status),
                when: String::new(),
                deadline: display::time(lang, t.submission_closes_at),
                eligible: t.eligible,
            })
            .collect(),
        few_threshold: musubi_app::coordination::FEW_ELIGIBLE,
        new_days: musubi_app::coordination::NEW_TENDER_DAYS,
        chrome,
    };
    html_page(lang, &page)
}

async fn api_dashboard(State(state): State<WebState>, caller: Caller) -> AppResult<Response> {
    let p = caller.require(Access::Coordinator)?.principal();
    let d = state.services.coordinator_dashboard(&p).await?;
    Ok(axum::Json(dashboard_json(&d)).into_response())
}

// --- a tender: share and recommend ------------------------------------------------------

#[derive(Debug, Clone)]
pub struct SupplierLine {
    pub org_id: i64,
    pub name: String,
    pub place: String,
    pub reasons: String,
}

#[derive(Debug, Clone)]
pub struct ShareLine {
    pub when: String,
    pub coordinator: String,
    pub region: String,
    pub recipients: i64,
    pub note: String,
}

#[derive(Debug, Clone)]
pub struct RecommendationLine {
    pub when: String,
    pub coordinator: String,
    pub supplier_id: i64,
    pub supplier: String,
    pub note: String,
    pub applied: bool,
}

fn supplier_lines(lang: Lang, list: &[RecommendedSupplier]) -> Vec<SupplierLine> {
    list.iter()
        .map(|s| SupplierLine {
            org_id: s.org_id,
            name: s.name.clone(),
            place: prefecture_name(lang, &s.prefecture),
            reasons: s
                .reasons
                .iter()
                .map(|r| match lang {
                    Lang::Ja => r.label_ja.clone(),
                    Lang::En => r.label_en.clone(),
                })
                .collect::<Vec<_>>()
                .join(pick(lang, "・", " · ")),
        })
        .collect()
}

fn recommendation_lines(lang: Lang, list: &[Recommendation]) -> Vec<RecommendationLine> {
    list.iter()
        .map(|r| RecommendationLine {
            when: display::time(lang, r.created_at),
            coordinator: r.coordinator_name.clone(),
            supplier_id: r.supplier,
            supplier: r.supplier_name.clone(),
            note: r.note.clone(),
            applied: r.applied,
        })
        .collect()
}

/// The recipients a share to a region would reach, before sharing.
#[derive(Debug, Clone)]
pub struct Preview {
    pub region: String,
    pub list: Vec<SupplierLine>,
}

#[derive(Template)]
#[template(path = "coordination/tender.html")]
struct TenderPage {
    chrome: Chrome,
    csrf: String,
    id: i64,
    title: String,
    buyer_name: String,
    place: String,
    status: &'static str,
    status_class: &'static str,
    deadline: String,
    open: bool,
    shareable: bool,
    regions: Vec<RegionOption>,
    /// The suppliers a share to the chosen region would reach.
    preview: Option<Preview>,
    suggested: Vec<SupplierLine>,
    shares: Vec<ShareLine>,
    recommendations: Vec<RecommendationLine>,
    /// Which form failed, and why.
    failure: Option<(&'static str, Vec<String>)>,
    notice: Option<String>,
    note_share: String,
    note_recommend: String,
    supplier_typed: String,
}

impl TenderPage {
    fn failed(&self, form: &str) -> Option<&Vec<String>> {
        self.failure
            .as_ref()
            .filter(|(f, _)| *f == form)
            .map(|(_, m)| m)
    }
}

struct TenderForms {
    region: Option<Region>,
    failure: Option<(&'static str, Vec<String>)>,
    notice: Option<String>,
    note_share: String,
    note_recommend: String,
    supplier_typed: String,
}

#[allow(clippy::too_many_arguments)]
async fn render_tender(
    state: &WebState,
    chrome: Chrome,
    csrf: String,
    p: &Principal,
    id: i64,
    forms: TenderForms,
    status: StatusCode,
) -> AppResult<Response> {
    let lang = chrome.lang;
    let s = &state.services;
    let CoordinationTender {
        tender,
        open,
        shareable,
        shares,
        recommendations,
        suggested,
    } = s.coordination_tender(p, id).await?;
    let preview = match forms.region {
        Some(r) if shareable => Some(Preview {
            region: r.name_in(lang).to_owned(),
            list: supplier_lines(lang, &s.share_preview(p, id, r).await?),
        }),
        _ => None,
    };
    let t = &tender;
    let page = TenderPage {
        csrf,
        id,
        title: t.content.title.clone(),
        buyer_name: t.buyer_name.clone(),
        place: display::place(lang, &t.content.place),
        status: t.status.name_in(lang),
        status_class: display::status_class(t.status),
        deadline: display::time(lang, t.content.schedule.submission_closes_at),
        open,
        shareable,
        regions: region_options(lang, forms.region),
        preview,
        suggested: supplier_lines(lang, &suggested),
        shares: shares
            .iter()
            .map(|sh| ShareLine {
                when: display::time(lang, sh.created_at),
                coordinator: sh.coordinator_name.clone(),
                region: sh.region.name_in(lang).to_owned(),
                recipients: sh.recipients,
                note: sh.note.clone(),
            })
            .collect(),
        recommendations: recommendation_lines(lang, &recommendations),
        failure: forms.failure,
        notice: forms.notice,
        note_share: forms.note_share,
        note_recommend: forms.note_recommend,
        supplier_typed: forms.supplier_typed,
        chrome,
    };
    let mut res = html_page(lang, &page)?;
    *res.status_mut() = status;
    Ok(res)
}

async fn tender_page(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    Path(id): Path<i64>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let p = caller.require(Access::Coordinator)?.principal();
    let lang = chrome.lang;
    let region = region_param(q.as_deref())?;
    let notice = match query_value(q.as_deref(), "done").as_str() {
        "shared" => Some(
            pick(
                lang,
                "案件を共有しました。共有先の企業にお知らせとメールが届きます。",
                "The tender was shared; the suppliers get a notification and a mail.",
            )
            .to_owned(),
        ),
        "recommended" => Some(
            pick(
                lang,
                "企業を発注者に推薦しました。発注者と企業にお知らせが届きます。",
                "The supplier was recommended; the buyer and the supplier are notified.",
            )
            .to_owned(),
        ),
        _ => None,
    };
    let forms = TenderForms {
        region,
        failure: None,
        notice,
        note_share: String::new(),
        note_recommend: String::new(),
        supplier_typed: query_value(q.as_deref(), "supplier"),
    };
    render_tender(&state, chrome, csrf.0, &p, id, forms, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
struct ShareForm {
    #[serde(default)]
    region: String,
    #[serde(default)]
    note: String,
}

async fn share_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    WebForm(form): WebForm<ShareForm>,
) -> AppResult<Response> {
    let p = caller.require(Access::Coordinator)?.principal();
    let lang = chrome.lang;
    match state
        .services
        .share_tender(&p, id, &form.region, &form.note, &ctx)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/coordinator/tenders/{id}?done=shared")).into_response())
        }
        Err(e) => {
            let (status, messages) = form_failure(lang, e)?;
            let forms = TenderForms {
                region: Region::parse(&form.region).ok(),
                failure: Some(("share", messages)),
                notice: None,
                note_share: form.note,
                note_recommend: String::new(),
                supplier_typed: String::new(),
            };
            render_tender(&state, chrome, csrf.0, &p, id, forms, status).await
        }
    }
}

#[derive(Deserialize, Default)]
struct RecommendForm {
    #[serde(default)]
    supplier: String,
    #[serde(default)]
    note: String,
}

async fn recommend_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    WebForm(form): WebForm<RecommendForm>,
) -> AppResult<Response> {
    let p = caller.require(Access::Coordinator)?.principal();
    let lang = chrome.lang;
    match state
        .services
        .recommend_supplier(&p, id, &form.supplier, &form.note, &ctx)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/coordinator/tenders/{id}?done=recommended")).into_response(),
        ),
        Err(e) => {
            let (status, messages) = form_failure(lang, e)?;
            let forms = TenderForms {
                region: None,
                failure: Some(("recommend", messages)),
                notice: None,
                note_share: String::new(),
                note_recommend: form.note,
                supplier_typed: form.supplier,
            };
            render_tender(&state, chrome, csrf.0, &p, id, forms, status).await
        }
    }
}

fn share_json(id: i64, r: &ShareResult) -> Value {
    json!({
        "id": r.id,
        "tender_id": id,
        "region": r.region.code(),
        "recipients": r.recipients.iter().map(supplier_json).collect::<Vec<_>>(),
    })
}

async fn api_tender(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.require(Access::Coordinator)?.principal();
    let t = state.services.coordination_tender(&p, id).await?;
    Ok(axum::Json(json!({
        "tender_id": id,
        "title": t.tender.content.title,
        "buyer_name": t.tender.buyer_name,
        "status": t.tender.status.code(),
        "open": t.open,
        "shareable": t.shareable,
        "shares": t.shares.iter().map(|s| json!({
            "id": s.id,
            "coordinator_id": s.coordinator,
            "coordinator_name": s.coordinator_name,
            "region": s.region.code(),
            "note": s.note,
            "recipients": s.recipients,
            "created_at": rfc3339(s.created_at),
        })).collect::<Vec<_>>(),
        "recommendations": t.recommendations.iter().map(recommendation_json).collect::<Vec<_>>(),
        "suggested_suppliers": t.suggested.iter().map(supplier_json).collect::<Vec<_>>(),
    }))
    .into_response())
}

async fn api_share_preview(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let p = caller.require(Access::Coordinator)?.principal();
    let region = region_param(q.as_deref())?.ok_or_else(|| {
        invalid_parameter(
            "地方（region）を指定してください。",
            "Give the region (e.g. region=kyushu_okinawa).",
        )
    })?;
    let list = state.services.share_preview(&p, id, region).await?;
    Ok(axum::Json(json!({
        "tender_id": id,
        "region": region.code(),
        "suppliers": list.iter().map(supplier_json).collect::<Vec<_>>(),
    }))
    .into_response())
}

#[derive(Deserialize)]
struct ShareBody {
    region: String,
    note: String,
}

async fn api_share(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ShareBody>,
) -> AppResult<Response> {
    let p = caller.require(Access::Coordinator)?.principal();
    let r = state
        .services
        .share_tender(&p, id, &body.region, &body.note, &ctx)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(share_json(id, &r))).into_response())
}

#[derive(Deserialize)]
struct RecommendBody {
    supplier_id: i64,
    note: String,
}

async fn api_recommend(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RecommendBody>,
) -> AppResult<Response> {
    let p = caller.require(Access::Coordinator)?.principal();
    let rec = state
        .services
        .recommend_supplier(&p, id, &body.supplier_id.to_string(), &body.note, &ctx)
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({ "id": rec, "tender_id": id, "supplier_id": body.supplier_id })),
    )
        .into_response())
}

// --- introductions ------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct IntroductionLine {
    pub id: i64,
    pub when: String,
    pub coordinator: String,
    pub buyer_id: i64,
    pub buyer: String,
    pub supplier_id: i64,
    pub supplier: String,
    pub tender: Option<(i64, String)>,
    pub region: String,
    pub note: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub meeting_on: String,
    pub amount: String,
    pub outcome_note: String,
    pub is_final: bool,
}

#[derive(Template)]
#[template(path = "coordination/introductions.html")]
struct IntroductionsPage {
    chrome: Chrome,
    csrf: String,
    items: Vec<IntroductionLine>,
    total: u64,
    all: bool,
    is_admin: bool,
    statuses: Vec<(&'static str, &'static str)>,
    failure: Option<(i64, Vec<String>)>,
    typed: IntroductionForm,
    notice: Option<&'static str>,
}

impl IntroductionsPage {
    /// The failure of the form of introduction `id` (0: the new one).
    fn failed(&self, id: i64) -> Option<&Vec<String>> {
        self.failure
            .as_ref()
            .filter(|(f, _)| *f == id)
            .map(|(_, m)| m)
    }
}

fn introduction_line(lang: Lang, i: &Introduction) -> IntroductionLine {
    IntroductionLine {
        id: i.id,
        when: display::time(lang, i.created_at),
        coordinator: i.coordinator_name.clone(),
        buyer_id: i.buyer,
        buyer: i.buyer_name.clone(),
        supplier_id: i.supplier,
        supplier: i.supplier_name.clone(),
        tender: i
            .tender
            .map(|t| (t, i.tender_title.clone().unwrap_or_default())),
        region: region_name(lang, i.region),
        note: i.note.clone(),
        status: match lang {
            Lang::Ja => i.status.name_ja(),
            Lang::En => i.status.name_en(),
        },
        status_code: i.status.code(),
        meeting_on: i
            .meeting_on
            .map(|d| display::date(lang, d))
            .unwrap_or_default(),
        amount: i.contract_amount.map(|a| yen(lang, a)).unwrap_or_default(),
        outcome_note: i.outcome_note.clone().unwrap_or_default(),
        is_final: i.status.is_final(),
    }
}

#[derive(Deserialize, Default, Debug, Clone)]
struct IntroductionForm {
    #[serde(default)]
    buyer: String,
    #[serde(default)]
    supplier: String,
    #[serde(default)]
    tender: String,
    #[serde(default)]
    note: String,
}

#[allow(clippy::too_many_arguments)]
async fn render_introductions(
    state: &WebState,
    chrome: Chrome,
    csrf: String,
    p: &Principal,
    all: bool,
    failure: Option<(i64, Vec<String>)>,
    typed: IntroductionForm,
    notice: Option<&'static str>,
    status: StatusCode,
) -> AppResult<Response> {
    let lang = chrome.lang;
    let page: Page<Introduction> = state
        .services
        .introductions_for(
            p,
            all,
            Paging {
                offset: 0,
                limit: 100,
            },
        )
        .await?;
    let view = IntroductionsPage {
        csrf,
        items: page
            .items
            .iter()
            .map(|i| introduction_line(lang, i))
            .collect(),
        total: page.total,
        all: all && p.is_platform_admin(),
        is_admin: p.is_platform_admin(),
        statuses: [
            IntroductionStatus::MeetingHeld,
            IntroductionStatus::Won,
            IntroductionStatus::Lost,
        ]
        .iter()
        .map(|s| {
            (
                s.code(),
                match lang {
                    Lang::Ja => s.name_ja(),
                    Lang::En => s.name_en(),
                },
            )
        })
        .collect(),
        failure,
        typed,
        notice,
        chrome,
    };
    let mut res = html_page(lang, &view)?;
    *res.status_mut() = status;
    Ok(res)
}

async fn introductions_page(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let p = caller.require(Access::Coordinator)?.principal();
    let all = query_value(q.as_deref(), "all") == "1";
    let notice = match query_value(q.as_deref(), "done").as_str() {
        "created" => Some(pick(
            chrome.lang,
            "紹介を記録しました。",
            "The introduction was recorded.",
        )),
        "outcome" => Some(pick(
            chrome.lang,
            "結果を記録しました。",
            "The outcome was recorded.",
        )),
        _ => None,
    };
    let typed = IntroductionForm {
        buyer: query_value(q.as_deref(), "buyer"),
        supplier: query_value(q.as_deref(), "supplier"),
        tender: query_value(q.as_deref(), "tender"),
        note: String::new(),
    };
    render_introductions(
        &state,
        chrome,
        csrf.0,
        &p,
        all,
        None,
        typed,
        notice,
        StatusCode::OK,
    )
    .await
}

async fn introduction_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    WebForm(form): WebForm<IntroductionForm>,
) -> AppResult<Response> {
    let p = caller.require(Access::Coordinator)?.principal();
    let input = IntroductionInput {
        buyer: form.buyer.clone(),
        supplier: form.supplier.clone(),
        tender: form.tender.clone(),
        note: form.note.clone(),
    };
    match state.services.create_introduction(&p, &input, &ctx).await {
        Ok(_) => Ok(Redirect::to("/coordinator/introductions?done=created").into_response()),
        Err(e) => {
            let (status, messages) = form_failure(chrome.lang, e)?;
            render_introductions(
                &state,
                chrome,
                csrf.0,
                &p,
                false,
                Some((0, messages)),
                form,
                None,
                status,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
struct OutcomeForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    meeting_on: String,
    #[serde(default)]
    contract_amount: String,
    #[serde(default)]
    note: String,
}

impl From<OutcomeForm> for OutcomeInput {
    fn from(f: OutcomeForm) -> Self {
        OutcomeInput {
            status: f.status,
            meeting_on: f.meeting_on,
            contract_amount: f.contract_amount,
            note: f.note,
        }
    }
}

async fn outcome_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    WebForm(form): WebForm<OutcomeForm>,
) -> AppResult<Response> {
    let p = caller.require(Access::Coordinator)?.principal();
    match state
        .services
        .record_introduction_outcome(&p, id, &form.into(), &ctx)
        .await
    {
        Ok(_) => Ok(Redirect::to("/coordinator/introductions?done=outcome").into_response()),
        Err(e) => {
            let (status, messages) = form_failure(chrome.lang, e)?;
            render_introductions(
                &state,
                chrome,
                csrf.0,
                &p,
                false,
                Some((id, messages)),
                IntroductionForm::default(),
                None,
                status,
            )
            .await
        }
    }
}

async fn api_introductions(
    State(state): State<WebState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let p = caller.require(Access::Coordinator)?.principal();
    let paging = paging_param(q.as_deref())?;
    let all = match query_value(q.as_deref(), "all").as_str() {
        "" | "0" | "false" => false,
        "1" | "true" => true,
        _ => {
            return Err(invalid_parameter(
                "all には true または false を指定してください。",
                "all must be true or false.",
            ));
        }
    };
    let page = state.services.introductions_for(&p, all, paging).await?;
    Ok(axum::Json(json!({
        "items": page.items.iter().map(introduction_json).collect::<Vec<_>>(),
        "total": page.total,
        "offset": paging.offset,
        "limit": paging.limit,
    }))
    .into_response())
}

#[derive(Deserialize)]
struct IntroductionBody {
    buyer_id: i64,
    supplier_id: i64,
    #[serde(default)]
    tender_id: Option<i64>,
    note: String,
}

async fn api_introduce(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    ApiJson(body): ApiJson<IntroductionBody>,
) -> AppResult<Response> {
    let p = caller.require(Access::Coordinator)?.principal();
    let input = IntroductionInput {
        buyer: body.buyer_id.to_string(),
        supplier: body.supplier_id.to_string(),
        tender: body.tender_id.map(|t| t.to_string()).unwrap_or_default(),
        note: body.note,
    };
    let s = &state.services;
    let id = s.create_introduction(&p, &input, &ctx).await?;
    let intro = s.introduction_for(&p, id).await?;
    Ok((StatusCode::CREATED, axum::Json(introduction_json(&intro))).into_response())
}

#[derive(Deserialize)]
struct OutcomeBody {
    status: String,
    #[serde(default)]
    meeting_on: Option<String>,
    #[serde(default)]
    contract_amount: Option<i64>,
    #[serde(default)]
    note: Option<String>,
}

async fn api_outcome(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<OutcomeBody>,
) -> AppResult<Response> {
    let p = caller.require(Access::Coordinator)?.principal();
    let input = OutcomeInput {
        status: body.status,
        meeting_on: body.meeting_on.unwrap_or_default(),
        contract_amount: body
            .contract_amount
            .map(|a| a.to_string())
            .unwrap_or_default(),
        note: body.note.unwrap_or_default(),
    };
    let intro = state
        .services
        .record_introduction_outcome(&p, id, &input, &ctx)
        .await?;
    Ok(axum::Json(introduction_json(&intro)).into_response())
}

// --- KPIs -------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct KpiLine {
    pub label: String,
    pub shares: i64,
    pub recipients: i64,
    pub recommendations: i64,
    pub applications: i64,
    pub awards: i64,
    pub introductions: i64,
    pub meetings: i64,
    pub won: i64,
    pub won_amount: String,
}

fn kpi_line(lang: Lang, label: String, k: &Kpi) -> KpiLine {
    KpiLine {
        label,
        shares: k.shares,
        recipients: k.recipients,
        recommendations: k.recommendations,
        applications: k.applications,
        awards: k.awards,
        introductions: k.introductions,
        meetings: k.meetings,
        won: k.won,
        won_amount: yen(lang, k.won_amount),
    }
}

#[derive(Template)]
#[template(path = "coordination/kpis.html")]
struct KpisPage {
    chrome: Chrome,
    periods: Vec<(&'static str, &'static str, bool)>,
    coordinators: Vec<KpiLine>,
    regions: Vec<KpiLine>,
}

async fn kpis_page(
    State(state): State<WebState>,
    chrome: Chrome,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let p = caller.require(Access::Coordinator)?.principal();
    let lang = chrome.lang;
    let period = period_param(q.as_deref())?;
    let k = state.services.coordination_kpis(&p, period).await?;
    let page = KpisPage {
        periods: [
            (KpiPeriod::All, "全期間", "All time"),
            (KpiPeriod::FiscalYear, "今年度", "This fiscal year"),
            (KpiPeriod::Days30, "直近30日", "Last 30 days"),
        ]
        .iter()
        .map(|(pd, ja, en)| (pd.code(), pick(lang, ja, en), *pd == period))
        .collect(),
        coordinators: k
            .coordinators
            .iter()
            .map(|c| kpi_line(lang, c.name.clone(), &c.kpi))
            .collect(),
        regions: k
            .regions
            .iter()
            .map(|r| kpi_line(lang, region_name(lang, r.region), &r.kpi))
            .collect(),
        chrome,
    };
    html_page(lang, &page)
}

async fn api_kpis(
    State(state): State<WebState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let p = caller.require(Access::Coordinator)?.principal();
    let period = period_param(q.as_deref())?;
    let k = state.services.coordination_kpis(&p, period).await?;
    Ok(axum::Json(kpis_json(period, &k)).into_response())
}

// --- the tender page section ------------------------------------------------------------

/// コーディネーターからの推薦 on the tender page.
#[derive(Debug, Clone)]
pub struct TenderSection {
    pub ja: bool,
    pub rows: Vec<RecommendationLine>,
    /// For coordinators: where they share and recommend this tender.
    pub coordinator_href: Option<String>,
}

/// The section for the tender's buyer (its recommendations) and for
/// coordinators (the same, and a link to their page); `None` for everyone
/// else, or when the buyer has none to see. The page stays up without it
/// if the services cannot answer.
pub async fn tender_section(
    state: &WebState,
    lang: Lang,
    principal: Option<&Principal>,
    tender: &Tender,
) -> Option<TenderSection> {
    let p = principal?;
    let list = match state
        .services
        .coordinator_recommendations(Some(p), tender)
        .await
    {
        Ok(list) => list?,
        Err(e) => {
            tracing::warn!(error = %e, tender = tender.id, "coordinator recommendations for the tender page");
            return None;
        }
    };
    let coordinator_href = (p.is_coordinator() && tender.status != TenderStatus::Draft)
        .then(|| format!("/coordinator/tenders/{}", tender.id));
    if list.is_empty() && coordinator_href.is_none() {
        return None;
    }
    Some(TenderSection {
        ja: lang == Lang::Ja,
        rows: recommendation_lines(lang, &list),
        coordinator_href,
    })
}
