//! Recommendations (おすすめ): `GET /api/v1/tenders/{id}/recommended-suppliers`
//! (おすすめ企業: the suppliers that fit a tender, for its buyer and for
//! coordinators) and `GET /api/v1/recommendations/tenders` (おすすめ案件:
//! the open tenders that fit the caller's company), and the two page
//! sections built from the same services: おすすめ企業 on the tender page,
//! おすすめ案件 on マイ案件.
//!
//! The services (`musubi_app::matching`) rank and decide who may see what;
//! every recommendation carries its reasons, shown as tags (each with its
//! stable code in `data-reason`) and answered in the API with both labels.

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, SecondsFormat, Utc};
use http::Method;
use musubi_app::ServiceError;
use musubi_app::matching::{ReasonView, RecommendedSupplier, RecommendedTender};
use musubi_app::tenders::TenderView;
use musubi_domain::tender::TenderStatus;
use musubi_domain::{Access, Prefecture, Principal};
use serde_json::{Value, json};

use crate::WebState;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::handlers::tenders::display::{self, Named};
use crate::i18n::Lang;
use crate::routes::{RouteDef, route};

pub const SUPPLIERS_API_PATH: &str = "/api/v1/tenders/{id}/recommended-suppliers";
pub const TENDERS_API_PATH: &str = "/api/v1/recommendations/tenders";

/// Recommendations answered when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 10;
/// The most one call answers (the services' bound).
pub const MAX_LIMIT: u32 = musubi_app::matching::MAX_LIMIT;
/// Rows of a page section: enough to choose from, short enough to read.
const SECTION_LIMIT: u32 = 10;

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    use Method as M;
    vec![
        route(
            M::GET,
            SUPPLIERS_API_PATH,
            BuyerOrCoordinator,
            get(api_suppliers),
        ),
        route(M::GET, TENDERS_API_PATH, Supplier, get(api_tenders)),
    ]
}

// --- the API ------------------------------------------------------------------------

fn invalid_limit() -> AppError {
    AppError::bad_request(
        "invalid_limit",
        format!("件数（limit）は1から{MAX_LIMIT}までの整数で指定してください。"),
        format!("limit must be a whole number from 1 to {MAX_LIMIT}."),
    )
}

/// `?limit=`: [`DEFAULT_LIMIT`] when absent; anything but one whole number
/// in 1..=[`MAX_LIMIT`] is refused rather than clamped, so a client never
/// silently gets fewer than it asked for.
fn limit_param(query: Option<&str>) -> AppResult<u32> {
    let values: Vec<String> = crate::extract::form_pairs(query.unwrap_or_default())
        .into_iter()
        .filter(|(k, _)| k == "limit")
        .map(|(_, v)| v)
        .collect();
    match values.as_slice() {
        [] => Ok(DEFAULT_LIMIT),
        [v] => v
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(invalid_limit),
        _ => Err(invalid_limit()),
    }
}

/// RFC 3339 in UTC, as every instant in the API.
fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn reasons_json(reasons: &[ReasonView]) -> Value {
    reasons
        .iter()
        .map(|r| json!({ "code": r.code, "label_ja": r.label_ja, "label_en": r.label_en }))
        .collect()
}

fn supplier_json(s: &RecommendedSupplier) -> Value {
    json!({
        "org_id": s.org_id,
        "name": s.name,
        "prefecture": s.prefecture,
        "points": s.points,
        "reasons": reasons_json(&s.reasons),
    })
}

fn tender_json(t: &RecommendedTender) -> Value {
    json!({
        "tender_id": t.tender_id,
        "title": t.title,
        "buyer_name": t.buyer_name,
        "status": t.status.code(),
        "submission_closes_at": rfc3339(t.submission_closes_at),
        "points": t.points,
        "reasons": reasons_json(&t.reasons),
    })
}

/// `GET /api/v1/tenders/{id}/recommended-suppliers?limit=N`: おすすめ企業,
/// best first.
async fn api_suppliers(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let p = caller.require(Access::BuyerOrCoordinator)?.principal();
    let limit = limit_param(q.as_deref())?;
    let suppliers = state.services.recommended_suppliers(&p, id, limit).await?;
    Ok(axum::Json(json!({
        "tender_id": id,
        "suppliers": suppliers.iter().map(supplier_json).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// `GET /api/v1/recommendations/tenders?limit=N`: おすすめ案件 for the
/// caller's company, best first.
async fn api_tenders(
    State(state): State<WebState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let p = caller.require(Access::Supplier)?.principal();
    let limit = limit_param(q.as_deref())?;
    let tenders = state.services.recommended_tenders(&p, limit).await?;
    Ok(axum::Json(json!({
        "tenders": tenders.iter().map(tender_json).collect::<Vec<_>>(),
    }))
    .into_response())
}

// --- the page sections --------------------------------------------------------------

/// One reason as a tag, in the page's language.
#[derive(Debug, Clone)]
pub struct ReasonTag {
    pub code: &'static str,
    pub label: String,
}

fn tags(lang: Lang, reasons: &[ReasonView]) -> Vec<ReasonTag> {
    reasons
        .iter()
        .map(|r| ReasonTag {
            code: r.code,
            label: match lang {
                Lang::Ja => r.label_ja.clone(),
                Lang::En => r.label_en.clone(),
            },
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct SupplierRow {
    pub org_id: i64,
    pub name: String,
    pub prefecture: String,
    pub reasons: Vec<ReasonTag>,
}

/// おすすめ企業 on the tender page.
#[derive(Debug, Clone)]
pub struct SuppliersSection {
    pub ja: bool,
    pub rows: Vec<SupplierRow>,
    /// The recommendations could not be worked out just now.
    pub unavailable: bool,
}

/// Whether suppliers may still be brought to a tender in `status`: from the
/// draft until the submissions close (not once it is opened, decided or
/// cancelled).
fn takes_part(status: TenderStatus) -> bool {
    use TenderStatus as S;
    matches!(
        status,
        S::Draft | S::Published | S::AcceptingApplications | S::ApplicationsClosed | S::Tendering
    )
}

/// おすすめ企業 for the tender page: shown to the tender's buyer and to
/// coordinators (and platform admins) while suppliers can still take part;
/// `None` for everyone else. The page stays up without it if the services
/// cannot answer.
pub async fn tender_section(
    state: &WebState,
    lang: Lang,
    principal: Option<&Principal>,
    view: &TenderView,
) -> Option<SuppliersSection> {
    let p = principal?;
    let t = &view.tender;
    if !(view.is_buyer || p.is_coordinator()) || !takes_part(t.status) {
        return None;
    }
    let (rows, unavailable) = match state
        .services
        .recommended_suppliers(p, t.id, SECTION_LIMIT)
        .await
    {
        Ok(list) => (
            list.iter()
                .map(|s| SupplierRow {
                    org_id: s.org_id,
                    name: s.name.clone(),
                    prefecture: Prefecture::parse(&s.prefecture)
                        .map_or_else(|_| s.prefecture.clone(), |p| p.name_in(lang).to_owned()),
                    reasons: tags(lang, &s.reasons),
                })
                .collect(),
            false,
        ),
        Err(ServiceError::NotFound | ServiceError::Denied(_)) => return None,
        Err(e) => {
            tracing::warn!(error = %e, tender = t.id, "recommended suppliers for the tender page");
            (Vec::new(), true)
        }
    };
    Some(SuppliersSection {
        ja: lang == Lang::Ja,
        rows,
        unavailable,
    })
}

#[derive(Debug, Clone)]
pub struct TenderRow {
    pub id: i64,
    pub title: String,
    pub buyer_name: String,
    /// The submission deadline in Japan time.
    pub deadline: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub reasons: Vec<ReasonTag>,
}

/// おすすめ案件 on マイ案件.
#[derive(Debug, Clone)]
pub struct TendersSection {
    pub ja: bool,
    pub rows: Vec<TenderRow>,
    pub unavailable: bool,
    /// Where the company's profile (industries, business description) is edited.
    pub profile_href: String,
}

/// おすすめ案件 for マイ案件: for members of a supplier company; `None` for
/// everyone else. The page stays up without it if the services cannot answer.
pub async fn my_section(
    state: &WebState,
    lang: Lang,
    principal: &Principal,
) -> Option<TendersSection> {
    musubi_domain::authz::check(Some(principal), Access::Supplier).ok()?;
    let org = principal.org_id()?;
    let (rows, unavailable) = match state
        .services
        .recommended_tenders(principal, SECTION_LIMIT)
        .await
    {
        Ok(list) => (
            list.iter()
                .map(|t| TenderRow {
                    id: t.tender_id,
                    title: t.title.clone(),
                    buyer_name: t.buyer_name.clone(),
                    deadline: display::time(lang, t.submission_closes_at),
                    status: t.status.name_in(lang),
                    status_class: display::status_class(t.status),
                    reasons: tags(lang, &t.reasons),
                })
                .collect(),
            false,
        ),
        Err(e) => {
            tracing::warn!(error = %e, org, "recommended tenders for マイ案件");
            (Vec::new(), true)
        }
    };
    Some(TendersSection {
        ja: lang == Lang::Ja,
        rows,
        unavailable,
        profile_href: format!("/companies/{org}/edit"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_is_one_whole_number_in_range() {
        assert_eq!(limit_param(None).unwrap(), DEFAULT_LIMIT);
        assert_eq!(limit_param(Some("other=1")).unwrap(), DEFAULT_LIMIT);
        assert_eq!(limit_param(Some("limit=1")).unwrap(), 1);
        assert_eq!(limit_param(Some("limit=50")).unwrap(), 50);
        for bad in [
            "limit=0",
            "limit=51",
            "limit=-1",
            "limit=",
            "limit=x",
            "limit=2.5",
            "limit=1&limit=2",
        ] {
            assert_eq!(
                limit_param(Some(bad)).unwrap_err().code(),
                "invalid_limit",
                "{bad}"
            );
        }
    }
}
