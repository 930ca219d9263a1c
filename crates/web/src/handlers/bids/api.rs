//! The JSON API of sealed bids: the same services as the pages, answered as
//! JSON. Refusals keep the services' codes (`not_accepting_bids`,
//! `bid_exists`, `not_nominated`, `not_rebid_eligible`, `no_bid`,
//! `results_not_available`, `award_not_possible`, `no_winner`,
//! `scores_not_locked`, `rebid_not_possible`, …; `validation_failed` with
//! `fields` and `field_codes`).

use axum::extract::{FromRequest, Path, Request, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use http::StatusCode;
use musubi_app::RequestCtx;
use musubi_app::tenders::bids::RebidInput;
use musubi_app::tenders::{AwardView, BidInput, TenderResults};
use musubi_domain::Access;
use serde::Deserialize;
use serde_json::{Value, json};

use super::upload::{self, Submission};
use crate::WebState;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn invalid_body(detail: &str) -> AppError {
    AppError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
        format!("項目の型または必須項目に誤りがあります: {detail}"),
        format!("The body does not have the expected fields: {detail}"),
    )
}

/// A JSON body as the bid input: the amount may be sent as a number
/// (`1234567`) or a string (`"1,234,567"`); the くじ番号 should be a string
/// (`"042"`: a number loses its leading zeros and is refused for its length).
fn bid_input(v: Value) -> AppResult<BidInput> {
    let Value::Object(mut m) = v else {
        return Err(invalid_body("the body must be a JSON object"));
    };
    for v in m.values_mut() {
        if let Value::Number(n) = v {
            *v = Value::String(n.to_string());
        }
    }
    serde_json::from_value(Value::Object(m)).map_err(|e| invalid_body(&e.to_string()))
}

/// `POST /api/v1/tenders/{id}/bids`: 入札 (見積・提案の提出), as JSON or —
/// with files in `attachments` — as multipart/form-data. Answers 201 with
/// the bid's id, the bidder's receipt, which alone carries the salt, and the
/// files the commitment covers.
pub async fn submit(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    req: Request,
) -> AppResult<Response> {
    let p = caller.require(Access::Supplier)?.principal();
    let Submission { input, files } = if upload::is_multipart(&req) {
        upload::read_multipart(&state, req).await?
    } else {
        let ApiJson(body) = ApiJson::<Value>::from_request(req, &state).await?;
        Submission {
            input: bid_input(body)?,
            files: Vec::new(),
        }
    };
    let submitted = state
        .services
        .submit_bid_with_files(&p, id, &input, files, &ctx)
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({
            "bid_id": submitted.bid_id,
            "receipt": submitted.receipt,
            "attachments": submitted.attachments,
        })),
    )
        .into_response())
}

/// `POST /api/v1/tenders/{id}/rebid`: 再度入札 of the buyer's 不調 tender,
/// `{"submission_opens_at"?, "submission_closes_at", "opening_at"}`.
pub async fn rebid(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RebidInput>,
) -> AppResult<Response> {
    let p = caller.require(Access::ApprovedBuyer)?.principal();
    let started = state.services.start_rebid(&p, id, &input, &ctx).await?;
    Ok(axum::Json(json!({
        "tender_id": id,
        "status": "tendering",
        "round": started.round,
        "submission_opens_at": rfc3339(started.submission_opens_at),
        "submission_closes_at": rfc3339(started.submission_closes_at),
        "opening_at": rfc3339(started.opening_at),
        "bidders": started
            .bidders
            .iter()
            .map(|(org, name)| json!({ "bidder_org_id": org, "bidder_name": name }))
            .collect::<Vec<_>>(),
    }))
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct WithdrawBody {
    #[serde(default)]
    reason: String,
}

/// `POST /api/v1/tenders/{id}/bids/{bid}/withdraw`: 辞退, `{"reason": …}`.
pub async fn withdraw(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path((id, bid)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<WithdrawBody>,
) -> AppResult<Response> {
    let p = caller.require(Access::Supplier)?.principal();
    let bid_id = state
        .services
        .withdraw_bid(&p, id, Some(bid), &body.reason, &ctx)
        .await?;
    Ok(axum::Json(json!({ "bid_id": bid_id, "state": "withdrawn" })).into_response())
}

/// `GET /api/v1/bids/{bid}/receipt`: the stored receipt (without the salt,
/// which was given once, at submission), for the bidder's members, with the
/// transparency log's proof against the latest tree head.
pub async fn receipt(
    State(state): State<WebState>,
    caller: Caller,
    Path(bid): Path<i64>,
) -> AppResult<Response> {
    let p = caller.require(Access::Supplier)?.principal();
    let (own, title) = state.services.bid_receipt(&p, bid).await?;
    let transparency = match own.receipt["commitment"].as_str() {
        Some(c) => state.services.receipt_proof(c).await?,
        None => None,
    };
    Ok(axum::Json(json!({
        "bid_id": own.bid_id,
        "tender_id": own.receipt.get("tender_id").cloned().unwrap_or(Value::Null),
        "tender_title": title,
        "round": own.round,
        "state": own.state,
        "received_at": rfc3339(own.received_at),
        "withdrawn_at": own.withdrawn_at.map(rfc3339),
        "receipt": own.receipt,
        "transparency": transparency,
    }))
    .into_response())
}

/// An award as the API answers it (the service's `AwardView`).
fn award_json(a: &AwardView) -> Value {
    json!({
        "bid_id": a.bid_id,
        "round": a.round,
        "bidder_org_id": a.bidder_org_id,
        "bidder_name": a.bidder_name,
        "amount_tax_exclusive": a.amount_tax_exclusive,
        "amount_tax_inclusive": a.amount_tax_inclusive,
        "decided_at": rfc3339(a.decided_at),
    })
}

fn results_json(r: &TenderResults) -> Value {
    json!({
        "tender_id": r.tender_id,
        "status": r.status.code(),
        "openings": r.openings,
        "award": r.award.as_ref().map(award_json),
    })
}

/// `GET /api/v1/tenders/{id}/results`: every opened round's record and the
/// award; 404 `results_not_available` before the opening.
pub async fn results(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.principal();
    let r = state.services.tender_results(p.as_ref(), id).await?;
    Ok(axum::Json(results_json(&r)).into_response())
}

/// `POST /api/v1/tenders/{id}/award`: 落札者決定 of the winner the opening
/// determined.
pub async fn award(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.require(Access::ApprovedBuyer)?.principal();
    let a = state.services.confirm_award(&p, id, &ctx).await?;
    Ok(axum::Json(award_json(&a)).into_response())
}

/// `GET /api/v1/receipt-key`: the public key receipts are signed with.
pub async fn receipt_key(State(state): State<WebState>) -> AppResult<Response> {
    let (public_key, key_id) = state.services.receipt_public_key()?;
    Ok(axum::Json(json!({
        "algorithm": "Ed25519",
        "public_key": public_key,
        "key_id": key_id,
    }))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_may_be_numbers() {
        let i = bid_input(json!({"amount": 1234567, "lottery_number": "042"})).unwrap();
        assert_eq!(i.amount, "1234567");
        assert_eq!(i.lottery_number, "042");
        assert_eq!(i.proposal, "");
        assert_eq!(bid_input(json!([1])).unwrap_err().code(), "invalid_body");
        assert_eq!(
            bid_input(json!({"amount": true})).unwrap_err().code(),
            "invalid_body"
        );
    }
}
