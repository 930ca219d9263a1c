//! The search API: `GET /api/v1/search/tenders` and
//! `GET /api/v1/search/companies`, with the parameters of the pages (and
//! `per_page`, at most 50).

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use musubi_search::{AwardDoc, FacetCount, Facets};
use serde_json::{Value, json};

use super::pages::{load_companies, load_tenders, refusal};
use super::{CompanyParams, TenderParams};
use crate::WebState;
use crate::error::AppResult;

pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn counts(c: &[FacetCount]) -> Value {
    c.iter()
        .map(|c| json!({ "value": c.value, "count": c.count }))
        .collect()
}

fn facets_json(f: &Facets) -> Value {
    json!({
        "kind": counts(&f.kind),
        "category": counts(&f.category),
        "method": counts(&f.method),
        "status": counts(&f.status),
        "prefecture": counts(&f.prefecture),
        "awarded": counts(&f.awarded),
    })
}

/// A tender's award in the API (the awards database's fields).
pub(crate) fn award_json(a: &AwardDoc) -> Value {
    json!({
        "winner": {
            "id": a.winner_id,
            "name": a.winner_name,
            "corporate_number": a.winner_corporate_number,
        },
        "amount_tax_exclusive": a.amount_tax_exclusive,
        "amount_tax_inclusive": a.amount_tax_inclusive,
        "awarded_at": rfc3339(a.awarded_at),
    })
}

/// `GET /api/v1/search/tenders`.
pub async fn tenders(State(state): State<WebState>, RawQuery(q): RawQuery) -> AppResult<Response> {
    let params = TenderParams::parse(q.as_deref());
    let query = params.to_query(true).map_err(super::Problems::into_error)?;
    let page = match state.services.search_tenders(&query.search).await {
        Ok(p) => p,
        Err(e) => return Err(refusal(e)?.into_error()),
    };
    let ids: Vec<i64> = page.hits.iter().map(|h| h.id).collect();
    let tenders = load_tenders(&state, &ids).await?;
    let base = state.services.config.base_url.trim_end_matches('/');
    let items: Vec<Value> = page
        .hits
        .iter()
        .zip(&tenders)
        .filter_map(|(h, t)| {
            let t = t.as_ref()?;
            let c = &t.content;
            let s = &c.schedule;
            Some(json!({
                "id": t.id,
                "url": format!("{base}/tenders/{}", t.id),
                "title": c.title,
                "title_html": h.title_html,
                "snippet_html": h.snippet_html,
                "score": h.score,
                "status": t.status.code(),
                "kind": c.kind.code(),
                "category": c.category.code(),
                "method": c.method.code(),
                "buyer": { "id": t.buyer, "name": t.buyer_name },
                "prefecture": c.place.prefecture().map(|p| p.code()),
                "amended": t.is_amended(),
                "published_at": t.published_at.map(rfc3339),
                "submission_closes_at": rfc3339(s.submission_closes_at),
                "opening_at": rfc3339(s.opening_at),
                "award": h.award.as_ref().map(award_json),
            }))
        })
        .collect();
    Ok(axum::Json(json!({
        "total": page.total,
        "page": query.page,
        "per_page": query.per_page,
        "items": items,
        "facets": facets_json(&page.facets),
    }))
    .into_response())
}

/// `GET /api/v1/search/companies`.
pub async fn companies(
    State(state): State<WebState>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let params = CompanyParams::parse(q.as_deref());
    let query = params.to_query(true).map_err(super::Problems::into_error)?;
    let page = match state.services.search_companies(&query.search).await {
        Ok(p) => p,
        Err(e) => return Err(refusal(e)?.into_error()),
    };
    let ids: Vec<i64> = page.hits.iter().map(|h| h.id).collect();
    let profiles = load_companies(&state, &ids).await?;
    let items: Vec<Value> = page
        .hits
        .iter()
        .zip(&profiles)
        .filter_map(|(h, p)| {
            let p = p.as_ref()?;
            let (o, d) = (&p.organization, &p.data);
            Some(json!({
                "id": o.id,
                "url": format!("/companies/{}", o.id),
                "name": o.name,
                "name_kana": o.name_kana,
                "name_html": h.name_html,
                "snippet_html": h.snippet_html,
                "score": h.score,
                "prefecture": { "code": d.prefecture.code(), "name": d.prefecture.name_ja() },
                "jsic": d.jsic.iter().map(|j| j.to_string()).collect::<Vec<_>>(),
                "certifications": d.certifications.iter().map(|c| c.code()).collect::<Vec<_>>(),
                "grades": d.grades.iter().map(|(c, g)| format!("{}:{}", c.code(), g.code())).collect::<Vec<_>>(),
                "updated_at": rfc3339(p.updated_at),
            }))
        })
        .collect();
    Ok(axum::Json(json!({
        "total": page.total,
        "page": query.page,
        "per_page": query.per_page,
        "items": items,
        "facets": { "prefecture": counts(&page.facets.prefecture) },
    }))
    .into_response())
}
