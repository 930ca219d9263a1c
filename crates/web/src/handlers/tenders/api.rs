//! The JSON API of tenders: the same services as the pages, answered as
//! JSON. Refusals keep the services' codes (`tender_not_editable`,
//! `questions_closed`, `applications_closed`, …; `validation_failed` with
//! `fields` and `field_codes`).

use axum::extract::{FromRequest, Path, RawQuery, Request, State};
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};
use musubi_app::tenders::TenderInput;
use musubi_app::{RequestCtx, ServiceError};
use musubi_domain::{Access, OrgKind, Principal};
use musubi_storage::{Page, TenderSummary};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    ListParams, PAGE_SIZE, application_json, attachment_json, event_json, page_param, paging,
    question_json, rfc3339, summary_json, tender_json, transition_json, versions_json,
};
use crate::WebState;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;

/// Most tenders per page of the API.
const MAX_PER_PAGE: u32 = 100;

fn per_page(query: Option<&str>) -> u32 {
    crate::extract::form_pairs(query.unwrap_or_default())
        .into_iter()
        .find(|(k, _)| k == "per_page")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(PAGE_SIZE)
        .clamp(1, MAX_PER_PAGE)
}

fn page_json(state: &WebState, page: &Page<TenderSummary>, no: u64, per: u32) -> Response {
    axum::Json(json!({
        "total": page.total,
        "page": no,
        "per_page": per,
        "items": page.items.iter().map(|s| summary_json(state, s)).collect::<Vec<_>>(),
    }))
    .into_response()
}

/// `GET /api/v1/tenders`.
pub async fn list(State(state): State<WebState>, RawQuery(q): RawQuery) -> AppResult<Response> {
    let params = ListParams::parse(q.as_deref());
    let per = per_page(q.as_deref());
    let page = state.services.list_tenders(&params.to_query(per)?).await?;
    Ok(page_json(&state, &page, params.page, per))
}

/// A JSON body as the form input: numbers are taken for the string fields
/// (a price sent as `1200000`), so what `GET` answers can be sent back.
fn input_from_json(v: Value) -> AppResult<TenderInput> {
    let Value::Object(mut m) = v else {
        return Err(invalid_body("the body must be a JSON object"));
    };
    for (k, v) in m.iter_mut() {
        if k != "version" {
            stringify_numbers(v);
        }
    }
    serde_json::from_value(Value::Object(m)).map_err(|e| invalid_body(&e.to_string()))
}

fn stringify_numbers(v: &mut Value) {
    match v {
        Value::Number(n) => *v = Value::String(n.to_string()),
        Value::Array(items) => items.iter_mut().for_each(stringify_numbers),
        _ => {}
    }
}

fn invalid_body(detail: &str) -> AppError {
    AppError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
        format!("項目の型または必須項目に誤りがあります: {detail}"),
        format!("The body does not have the expected fields: {detail}"),
    )
}

async fn view_json(state: &WebState, p: Option<&Principal>, id: i64) -> AppResult<Value> {
    let view = state.services.tender_view(p, id).await?;
    Ok(tender_json(state, &view))
}

/// `POST /api/v1/tenders`: a draft.
pub async fn create(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    ApiJson(body): ApiJson<Value>,
) -> AppResult<Response> {
    let p = caller.require(Access::ApprovedBuyer)?.principal();
    let input = input_from_json(body)?;
    let id = state.services.create_tender(&p, &input, &ctx).await?;
    let v = view_json(&state, Some(&p), id).await?;
    Ok((StatusCode::CREATED, axum::Json(v)).into_response())
}

/// `GET /api/v1/tenders/{id}`.
pub async fn show(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.principal();
    Ok(axum::Json(view_json(&state, p.as_ref(), id).await?).into_response())
}

/// `PATCH /api/v1/tenders/{id}`: a draft's change, or an amendment (訂正)
/// with `reason`. Fields left out keep their value.
pub async fn update(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> AppResult<Response> {
    let p = caller.require(Access::ApprovedBuyer)?.principal();
    let Value::Object(changes) = body else {
        return Err(invalid_body("the body must be a JSON object"));
    };
    let current = state.services.tender_for(Some(&p), id).await?;
    // The stored values, instants to the second and beyond.
    let mut base = match serde_json::to_value(TenderInput::from_content(&current.content)) {
        Ok(Value::Object(m)) => m,
        _ => return Err(AppError::internal()),
    };
    let s = &current.content.schedule;
    for (k, t) in [
        ("application_opens_at", s.application_opens_at),
        ("application_closes_at", s.application_closes_at),
        ("questions_until", Some(s.questions_until)),
        ("submission_opens_at", Some(s.submission_opens_at)),
        ("submission_closes_at", Some(s.submission_closes_at)),
        ("opening_at", Some(s.opening_at)),
    ] {
        base.insert(k.into(), t.map(rfc3339).unwrap_or_default().into());
    }
    // `null` clears a field.
    for (k, v) in changes {
        let v = match (v, base.get(&k)) {
            (Value::Null, Some(Value::Array(_))) => Value::Array(Vec::new()),
            (Value::Null, Some(Value::String(_))) => Value::String(String::new()),
            (v, _) => v,
        };
        base.insert(k, v);
    }
    let input = input_from_json(Value::Object(base))?;
    state.services.update_tender(&p, id, &input, &ctx).await?;
    Ok(axum::Json(view_json(&state, Some(&p), id).await?).into_response())
}

/// `POST /api/v1/tenders/{id}/publish`: 公告.
pub async fn publish(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.require(Access::ApprovedBuyer)?.principal();
    state.services.publish_tender(&p, id, &ctx).await?;
    Ok(axum::Json(view_json(&state, Some(&p), id).await?).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct ReasonBody {
    #[serde(default)]
    reason: String,
}

/// `POST /api/v1/tenders/{id}/cancel`: 中止, `{"reason": …}`.
pub async fn cancel(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> AppResult<Response> {
    let p = caller.require(Access::ApprovedBuyer)?.principal();
    state
        .services
        .cancel_tender(&p, id, &body.reason, &ctx)
        .await?;
    Ok(axum::Json(view_json(&state, Some(&p), id).await?).into_response())
}

/// `GET /api/v1/tenders/{id}/versions`.
pub async fn versions(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.principal();
    let versions = state.services.tender_versions(p.as_ref(), id).await?;
    Ok(axum::Json(versions_json(&versions)).into_response())
}

/// `GET /api/v1/tenders/{id}/transitions`.
pub async fn transitions(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.principal();
    let items = state.services.tender_transitions(p.as_ref(), id).await?;
    Ok(axum::Json(json!({
        "items": items.iter().map(transition_json).collect::<Vec<_>>()
    }))
    .into_response())
}

/// `GET /api/v1/tenders/{id}/questions`.
pub async fn questions(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.principal();
    let items = state.services.questions_for(p.as_ref(), id).await?;
    Ok(axum::Json(json!({
        "items": items.iter().map(question_json).collect::<Vec<_>>()
    }))
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct QuestionBody {
    #[serde(default)]
    question: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct AnswerBody {
    #[serde(default)]
    answer: String,
}

async fn question_reply(
    state: &WebState,
    p: &Principal,
    id: i64,
    qid: i64,
    status: StatusCode,
) -> AppResult<Response> {
    let q = state
        .services
        .questions_for(Some(p), id)
        .await?
        .into_iter()
        .find(|q| q.id == qid)
        .ok_or_else(AppError::internal)?;
    Ok((status, axum::Json(question_json(&q))).into_response())
}

/// `POST /api/v1/tenders/{id}/questions`: `{"question": …}`.
pub async fn ask(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<QuestionBody>,
) -> AppResult<Response> {
    let p = caller.require(Access::Supplier)?.principal();
    let qid = state
        .services
        .ask_question(&p, id, &body.question, &ctx)
        .await?;
    question_reply(&state, &p, id, qid, StatusCode::CREATED).await
}

/// `POST /api/v1/tenders/{id}/questions/{qid}/answer`: `{"answer": …}`.
pub async fn answer(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path((id, qid)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<AnswerBody>,
) -> AppResult<Response> {
    let p = caller.require(Access::ApprovedBuyer)?.principal();
    state
        .services
        .answer_question(&p, id, qid, &body.answer, &ctx)
        .await?;
    question_reply(&state, &p, id, qid, StatusCode::OK).await
}

/// `GET /api/v1/tenders/{id}/applications`: all for the buyer, its own for
/// a supplier.
pub async fn applications(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    let items = state.services.applications_for(&p, id).await?;
    Ok(axum::Json(json!({
        "items": items.iter().map(application_json).collect::<Vec<_>>()
    }))
    .into_response())
}

async fn application_reply(
    state: &WebState,
    p: &Principal,
    id: i64,
    aid: i64,
    status: StatusCode,
) -> AppResult<Response> {
    let a = state
        .services
        .applications_for(p, id)
        .await?
        .into_iter()
        .find(|a| a.id == aid)
        .ok_or_else(AppError::internal)?;
    Ok((status, axum::Json(application_json(&a))).into_response())
}

/// `POST /api/v1/tenders/{id}/applications`: a supplier applies (参加申請;
/// no body needed); the buyer nominates (指名) with `{"supplier": id}`.
pub async fn apply_or_nominate(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    req: Request,
) -> AppResult<Response> {
    let p = caller.require(Access::OrgMember)?.principal();
    let supplier = p.membership.is_some_and(|m| m.kind == OrgKind::Supplier);
    if supplier {
        let aid = state.services.apply_for_tender(&p, id, &ctx).await?;
        return application_reply(&state, &p, id, aid, StatusCode::CREATED).await;
    }
    caller.require(Access::ApprovedBuyer)?;
    let empty = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .is_some_and(|v| v.as_bytes() == b"0");
    let body = if empty {
        Value::Null
    } else {
        ApiJson::<Value>::from_request(req, &state).await?.0
    };
    let supplier = match &body["supplier"] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    let Some(supplier) = supplier else {
        return Err(ServiceError::field(
            "supplier",
            "required",
            "指名する企業の番号（supplier）を指定してください。",
            "Give the id of the supplier to nominate (supplier).",
        )
        .into());
    };
    let aid = state
        .services
        .nominate_supplier(&p, id, supplier, &ctx)
        .await?;
    application_reply(&state, &p, id, aid, StatusCode::CREATED).await
}

#[derive(Debug, Default, Deserialize)]
pub struct DecisionBody {
    #[serde(default)]
    accept: Option<bool>,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /api/v1/tenders/{id}/applications/{aid}/decision`: 指名 or 非指名.
pub async fn decide(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path((id, aid)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> AppResult<Response> {
    let p = caller.require(Access::ApprovedBuyer)?.principal();
    let Some(accept) = body.accept else {
        return Err(ServiceError::field(
            "accept",
            "required",
            "指名する（true）か否か（false）を指定してください。",
            "Say whether to accept the application (accept: true or false).",
        )
        .into());
    };
    state
        .services
        .decide_application(&p, id, aid, accept, body.reason.as_deref(), &ctx)
        .await?;
    application_reply(&state, &p, id, aid, StatusCode::OK).await
}

/// `GET /api/v1/tenders/{id}/attachments`: every file, superseded ones
/// included (the files themselves need sign-in).
pub async fn attachments(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.principal();
    let items = state.services.attachments_for(p.as_ref(), id).await?;
    Ok(axum::Json(json!({
        "items": items.iter().map(attachment_json).collect::<Vec<_>>()
    }))
    .into_response())
}

/// `PUT /api/v1/tenders/{id}/favourite`.
pub async fn favourite_on(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    state.services.favourite_tender(&p, id, true).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /api/v1/tenders/{id}/favourite`.
pub async fn favourite_off(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    state.services.favourite_tender(&p, id, false).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/buyer/tenders`: the organisation's tenders, drafts included.
pub async fn buyer_tenders(
    State(state): State<WebState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let p = caller.require(Access::ApprovedBuyer)?.principal();
    let (no, per) = (page_param(q.as_deref()), per_page(q.as_deref()));
    let page = state.services.buyer_tenders(&p, paging(no, per)).await?;
    Ok(page_json(&state, &page, no, per))
}

/// `GET /api/v1/me/tenders`: マイ案件 (favourited, applied for, asked about).
pub async fn my_tenders(
    State(state): State<WebState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    let (no, per) = (page_param(q.as_deref()), per_page(q.as_deref()));
    let page = state.services.my_tenders(&p, paging(no, per)).await?;
    Ok(page_json(&state, &page, no, per))
}

/// `GET /api/v1/me/events`: the caller's notification events, newest first.
pub async fn events(
    State(state): State<WebState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let p = caller.require(Access::SignedIn)?.principal();
    let (no, per) = (page_param(q.as_deref()), per_page(q.as_deref()));
    let page = state
        .services
        .notification_events(&p, paging(no, per))
        .await?;
    Ok(axum::Json(json!({
        "total": page.total,
        "page": no,
        "per_page": per,
        "items": page.items.iter().map(|e| event_json(&state, e)).collect::<Vec<_>>(),
    }))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_taken_for_strings() {
        let i = input_from_json(json!({
            "title": "件名",
            "reserve_price": 1200000,
            "jsic": [1511, "E"],
            "version": 3,
        }))
        .unwrap();
        assert_eq!(i.reserve_price, "1200000");
        assert_eq!(i.jsic, ["1511", "E"]);
        assert_eq!(i.version, Some(3), "version stays a number");
        assert_eq!(
            input_from_json(json!([1])).unwrap_err().code(),
            "invalid_body"
        );
    }
}
