//! The buyer's technical scores (技術評価点): the scoring page and its API.
//!
//! 総合評価: 価格点 or 基礎点 and each participant's points, locked before the
//! opening. Proposals: each opened proposal's points, locked during 審査中,
//! after which the ranking is on the results page. The form keeps what was
//! typed when it fails; every message about the scores is listed, naming
//! the bidder.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use http::StatusCode;
use musubi_app::tenders::bids::{ScoringInput, ScoringView};
use musubi_app::{RequestCtx, ServiceError};
use musubi_domain::bidding::{MAX_POINTS, ScoringPhase};
use musubi_domain::tender::TenderStatus;
use musubi_domain::{Access, Principal};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::WebState;
use crate::auth::{Caller, CsrfToken};
use crate::error::{AppError, AppResult};
use crate::extract::{ApiJson, WebForm};
use crate::handlers::tenders::display::{self, Named, pick};
use crate::i18n::Lang;
use crate::views::{Chrome, html_page_status};

/// One line of the score table.
#[derive(Debug, Clone)]
pub struct ScoreLine {
    pub org: i64,
    pub name: String,
    /// The points as stored, or as typed after a failure.
    pub value: String,
    pub entered: Option<String>,
    /// The opened proposal, to read on the results page.
    pub proposal_href: Option<String>,
}

#[derive(Template)]
#[template(path = "bids/scoring.html")]
struct ScoringPage {
    chrome: Chrome,
    csrf: String,
    id: i64,
    title: String,
    status: &'static str,
    method: &'static str,
    /// 総合評価 (before the opening) rather than proposals (after it).
    before_opening: bool,
    uses_price_points: bool,
    uses_base_points: bool,
    price_points: String,
    base_points: String,
    max_points: u32,
    locked: Option<String>,
    /// Why nothing can be entered now (locked, opened, …).
    closed: Option<String>,
    editable: bool,
    lines: Vec<ScoreLine>,
    /// 総合評価: a supplier not in the list, by its organisation number.
    extra_org: String,
    extra_points: String,
    notice: Option<&'static str>,
    /// The messages of a failed form: the whole form, then each field.
    errors: Vec<String>,
}

/// What was typed into the form (kept after a failure).
#[derive(Debug, Default)]
struct Typed {
    price_points: Option<String>,
    base_points: Option<String>,
    scores: Vec<(i64, String)>,
    extra_org: String,
    extra_points: String,
}

fn scoring_page(
    chrome: Chrome,
    csrf: String,
    v: &ScoringView,
    typed: Option<&Typed>,
    notice: Option<&'static str>,
    errors: Vec<String>,
) -> ScoringPage {
    let lang = chrome.lang;
    let typed_score = |org: i64| {
        typed.and_then(|t| {
            t.scores
                .iter()
                .find(|(o, _)| *o == org)
                .map(|(_, v)| v.clone())
        })
    };
    let lines = v
        .rows
        .iter()
        .map(|r| ScoreLine {
            org: r.bidder,
            name: r.bidder_name.clone(),
            value: typed_score(r.bidder)
                .or_else(|| r.points.map(|p| p.to_string()))
                .unwrap_or_default(),
            entered: r.entered_at.map(|t| display::time(lang, t)),
            proposal_href: r
                .bid_id
                .map(|b| format!("/tenders/{}/results#bid-{b}", v.tender_id)),
        })
        .collect();
    let points = |typed: Option<&Option<String>>, stored: Option<u32>| match typed {
        Some(Some(t)) => t.clone(),
        _ => stored.map(|p| p.to_string()).unwrap_or_default(),
    };
    ScoringPage {
        id: v.tender_id,
        title: v.title.clone(),
        status: v.status.name_in(lang),
        method: v.method.name_in(lang),
        before_opening: v.phase == ScoringPhase::BeforeOpening,
        uses_price_points: v.uses_price_points,
        uses_base_points: v.uses_base_points,
        price_points: points(typed.map(|t| &t.price_points), v.price_points),
        base_points: points(typed.map(|t| &t.base_points), v.base_points),
        max_points: MAX_POINTS,
        locked: v.locked_at.map(|t| display::time(lang, t)),
        closed: v.closed.as_ref().map(|(ja, en)| {
            if lang == Lang::Ja {
                ja.clone()
            } else {
                en.clone()
            }
        }),
        editable: v.editable(),
        lines,
        extra_org: typed.map(|t| t.extra_org.clone()).unwrap_or_default(),
        extra_points: typed.map(|t| t.extra_points.clone()).unwrap_or_default(),
        notice,
        errors,
        csrf,
        chrome,
    }
}

/// The messages of a refused or invalid form, the whole form's first.
fn messages(lang: Lang, e: &ServiceError) -> Vec<String> {
    let pick_lang = |ja: &String, en: &String| {
        if lang == Lang::Ja {
            ja.clone()
        } else {
            en.clone()
        }
    };
    match e {
        ServiceError::Invalid(f) => {
            f.0.iter()
                .map(|e| pick_lang(&e.message_ja, &e.message_en))
                .collect()
        }
        ServiceError::Refused {
            message_ja,
            message_en,
            ..
        } => vec![pick_lang(message_ja, message_en)],
        _ => Vec::new(),
    }
}

fn status_of(e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::Refused { status, .. } => {
            StatusCode::from_u16(*status).unwrap_or(StatusCode::CONFLICT)
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// The notice for `?scoring=` after a redirect.
fn scoring_notice(lang: Lang, query: Option<&str>) -> Option<&'static str> {
    let code = crate::extract::form_pairs(query.unwrap_or_default())
        .into_iter()
        .find(|(k, _)| k == "scoring")
        .map(|(_, v)| v)?;
    match code.as_str() {
        "saved" => Some(pick(lang, "保存しました。", "Saved.")),
        "locked" => Some(pick(
            lang,
            "技術評価点を確定しました。開札時にこの評価点で評価します。",
            "The scores are locked; the opening will evaluate with them.",
        )),
        _ => None,
    }
}

/// `GET /tenders/{id}/scoring`: the buyer's scoring page.
pub async fn page_get(
    state: &WebState,
    chrome: Chrome,
    csrf: String,
    p: &Principal,
    id: i64,
    query: Option<&str>,
) -> AppResult<Response> {
    let view = state.services.tender_scoring(p, id).await?;
    let lang = chrome.lang;
    let notice = scoring_notice(lang, query);
    html_page_status(
        lang,
        &scoring_page(chrome, csrf, &view, None, notice, Vec::new()),
        StatusCode::OK,
    )
}

pub async fn page(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    Path(id): Path<i64>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let p = caller.require(Access::ApprovedBuyer)?.principal();
    page_get(&state, chrome, csrf.0, &p, id, q.as_deref()).await
}

/// The form's fields: `price_points`, `base_points`, `score_{org}` for each
/// line, and `extra_org` / `extra_points` for a supplier not listed.
fn typed_of(pairs: Vec<(String, String)>) -> Typed {
    let mut t = Typed::default();
    for (k, v) in pairs {
        match k.as_str() {
            "price_points" => t.price_points = Some(v),
            "base_points" => t.base_points = Some(v),
            "extra_org" => t.extra_org = v,
            "extra_points" => t.extra_points = v,
            _ => {
                if let Some(org) = k.strip_prefix("score_").and_then(|o| o.parse().ok()) {
                    t.scores.push((org, v));
                }
            }
        }
    }
    t
}

/// `POST /tenders/{id}/scoring`: saves the form; back to the page.
pub async fn save(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = caller.require(Access::ApprovedBuyer)?.principal();
    let lang = chrome.lang;
    let typed = typed_of(pairs);
    let mut input = ScoringInput {
        price_points: typed.price_points.clone(),
        base_points: typed.base_points.clone(),
        scores: typed.scores.clone(),
    };
    let extra = !typed.extra_org.trim().is_empty() || !typed.extra_points.trim().is_empty();
    let result = match typed.extra_org.trim().parse::<i64>() {
        Ok(org) if org > 0 => {
            input.scores.push((org, typed.extra_points.clone()));
            state.services.save_scoring(&p, id, &input, &ctx).await
        }
        _ if !extra => state.services.save_scoring(&p, id, &input, &ctx).await,
        _ => Err(ServiceError::field(
            "extra_org",
            "bidder_unknown",
            "追加する事業者の組織番号を数字で入力してください。",
            "Enter the organisation number of the supplier to add.",
        )),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/tenders/{id}/scoring?scoring=saved")).into_response()),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Refused { .. })) => {
            let status = status_of(&e);
            let errors = messages(lang, &e);
            let view = state.services.tender_scoring(&p, id).await?;
            let page = scoring_page(chrome, csrf.0, &view, Some(&typed), None, errors);
            html_page_status(lang, &page, status)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /tenders/{id}/scoring/lock`: 評価の確定. 総合評価 back to the page;
/// proposals to the results, ranked.
pub async fn lock(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.require(Access::ApprovedBuyer)?.principal();
    let lang = chrome.lang;
    match state.services.lock_scoring(&p, id, &ctx).await {
        Ok(v) if v.phase == ScoringPhase::AfterOpening => {
            let outcome = if v.status == TenderStatus::Unsuccessful {
                "unsuccessful"
            } else {
                "scored"
            };
            Ok(Redirect::to(&format!("/tenders/{id}/results?bid={outcome}")).into_response())
        }
        Ok(_) => Ok(Redirect::to(&format!("/tenders/{id}/scoring?scoring=locked")).into_response()),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Refused { .. })) => {
            let status = status_of(&e);
            let errors = messages(lang, &e);
            let view = state.services.tender_scoring(&p, id).await?;
            let page = scoring_page(chrome, csrf.0, &view, None, None, errors);
            html_page_status(lang, &page, status)
        }
        Err(e) => Err(e.into()),
    }
}

// --- JSON -------------------------------------------------------------------------------

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn scoring_json(v: &ScoringView) -> Value {
    json!({
        "tender_id": v.tender_id,
        "status": v.status.code(),
        "award_method": v.method.code(),
        "phase": match v.phase {
            ScoringPhase::BeforeOpening => "before_opening",
            ScoringPhase::AfterOpening => "after_opening",
        },
        "price_points": v.price_points,
        "base_points": v.base_points,
        "locked_at": v.locked_at.map(rfc3339),
        "editable": v.editable(),
        "closed_reason": v.closed.as_ref().map(|(ja, en)| json!({ "ja": ja, "en": en })),
        "scores": v.rows.iter().map(|r| json!({
            "bidder_org_id": r.bidder,
            "bidder_name": r.bidder_name,
            "technical_points": r.points.map(|p| p.to_string()),
            "entered_at": r.entered_at.map(rfc3339),
            "bid_id": r.bid_id,
        })).collect::<Vec<_>>(),
    })
}

/// `GET /api/v1/tenders/{id}/scoring`.
pub async fn api_get(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.require(Access::ApprovedBuyer)?.principal();
    let v = state.services.tender_scoring(&p, id).await?;
    Ok(axum::Json(scoring_json(&v)).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct ScoreBody {
    bidder_org_id: i64,
    /// "45.5" or 45.5.
    technical_points: Value,
}

#[derive(Debug, Default, Deserialize)]
pub struct ScoringBody {
    #[serde(default)]
    price_points: Option<Value>,
    #[serde(default)]
    base_points: Option<Value>,
    #[serde(default)]
    scores: Vec<ScoreBody>,
}

/// A number or a string as typed; `null` as empty.
fn as_typed(v: &Value) -> Result<String, AppError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Null => Ok(String::new()),
        _ => Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            "点数は数値または文字列で指定してください。",
            "Points must be a number or a string.",
        )),
    }
}

/// `PUT /api/v1/tenders/{id}/scoring`: `{"price_points"?, "base_points"?,
/// "scores": [{"bidder_org_id", "technical_points"}]}`.
pub async fn api_save(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ScoringBody>,
) -> AppResult<Response> {
    let p = caller.require(Access::ApprovedBuyer)?.principal();
    let input = ScoringInput {
        price_points: body.price_points.as_ref().map(as_typed).transpose()?,
        base_points: body.base_points.as_ref().map(as_typed).transpose()?,
        scores: body
            .scores
            .iter()
            .map(|s| Ok((s.bidder_org_id, as_typed(&s.technical_points)?)))
            .collect::<Result<_, AppError>>()?,
    };
    let v = state.services.save_scoring(&p, id, &input, &ctx).await?;
    Ok(axum::Json(scoring_json(&v)).into_response())
}

/// `POST /api/v1/tenders/{id}/scoring/lock`.
pub async fn api_lock(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.require(Access::ApprovedBuyer)?.principal();
    let v = state.services.lock_scoring(&p, id, &ctx).await?;
    Ok(axum::Json(scoring_json(&v)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_is_read_by_name() {
        let t = typed_of(vec![
            ("_csrf".into(), "x".into()),
            ("price_points".into(), "30".into()),
            ("score_12".into(), "45.5".into()),
            ("score_x".into(), "1".into()),
            ("extra_org".into(), "7".into()),
        ]);
        assert_eq!(t.price_points.as_deref(), Some("30"));
        assert_eq!(t.base_points, None);
        assert_eq!(t.scores, [(12, "45.5".to_owned())]);
        assert_eq!(t.extra_org, "7");
        assert_eq!(as_typed(&json!(45.5)).unwrap(), "45.5");
        assert_eq!(as_typed(&json!("４５")).unwrap(), "４５");
        assert!(as_typed(&json!([1])).is_err());
    }
}
