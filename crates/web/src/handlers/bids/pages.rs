//! The bid pages: the submission (answered at once by the 受付票 with the
//! salt, shown this once), 辞退, the receipt to print later, the public
//! results (入札結果) and the buyer's 落札者決定. A form that fails is shown
//! again with its messages and the status the service answered (422 for
//! input, 409 for a state that does not allow it); the tender page holds
//! the forms otherwise.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;
use musubi_app::sealing::{BidderReceipt, Receipt};
use musubi_app::{RequestCtx, ServiceError};
use musubi_domain::tender::TenderStatus;
use musubi_domain::{Access, Principal};
use musubi_storage::ApplicationStatus;
use serde::Deserialize;

use super::{
    BidFormValues, BidSection, RoundView, notice, receipt_times, round_view, tender_section,
};
use crate::WebState;
use crate::auth::{Caller, CsrfToken};
use crate::error::AppResult;
use crate::extract::WebForm;
use crate::handlers::accounts::FormErrors;
use crate::handlers::tenders::display::{Named, pick};
use crate::i18n::Lang;
use crate::views::{Chrome, html_page, html_page_status};

/// The HTTP status a refusal answers with, for a form shown again.
fn status_of(e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::Refused { status, .. } => {
            StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST)
        }
        _ => StatusCode::BAD_REQUEST,
    }
}

/// Whether the supplier's application or nomination was accepted (指名).
async fn nominated(state: &WebState, p: &Principal, id: i64) -> AppResult<bool> {
    Ok(state
        .services
        .applications_for(p, id)
        .await?
        .first()
        .is_some_and(|a| a.status == ApplicationStatus::Accepted))
}

// --- the forms shown again --------------------------------------------------------------

#[derive(Template)]
#[template(path = "bids/form.html")]
struct FormPage {
    chrome: Chrome,
    csrf: String,
    id: i64,
    title: String,
    bid: BidSection,
}

/// The bid section of tender `id` alone, with what was typed and what was
/// wrong, answered with `status`.
async fn form_again(
    state: &WebState,
    chrome: Chrome,
    csrf: String,
    p: &Principal,
    id: i64,
    form: BidFormValues,
    status: StatusCode,
) -> AppResult<Response> {
    let lang = chrome.lang;
    let view = state.services.tender_view(Some(p), id).await?;
    let nominated = nominated(state, p, id).await?;
    let now = state.services.clock.now();
    let mut bid = tender_section(state, lang, Some(p), &view, nominated, now).await?;
    bid.form = form;
    let page = FormPage {
        title: view.tender.content.title.clone(),
        id,
        bid,
        csrf,
        chrome,
    };
    html_page_status(lang, &page, status)
}

// --- submission and the receipt ------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct BidForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    lottery_number: String,
    #[serde(default)]
    proposal: String,
}

#[derive(Template)]
#[template(path = "bids/receipt.html")]
struct ReceiptPage {
    chrome: Chrome,
    /// Just submitted: the salt is on this page, and only here.
    fresh: bool,
    bid_id: i64,
    tender_id: i64,
    tender_title: String,
    bidder_name: String,
    round: u32,
    received: String,
    received_wareki: String,
    received_exact: String,
    commitment: String,
    signature: String,
    key_id: String,
    version: u32,
    withdrawn: Option<String>,
    salt: Option<String>,
    /// The bidder's copy as JSON, and as a `data:` URL to save it.
    json: Option<String>,
    download_href: Option<String>,
    download_name: String,
}

impl ReceiptPage {
    fn new(
        chrome: Chrome,
        bid_id: i64,
        title: String,
        receipt: &Receipt,
        salt: Option<&BidderReceipt>,
        withdrawn: Option<String>,
    ) -> ReceiptPage {
        let lang = chrome.lang;
        let received_at = chrono::DateTime::parse_from_rfc3339(&receipt.received_at)
            .map(|t| t.with_timezone(&chrono::Utc))
            .ok();
        let (received, received_wareki) = received_at
            .map(|t| receipt_times(lang, t))
            .unwrap_or_default();
        let json = salt.and_then(|b| serde_json::to_string_pretty(b).ok());
        let download_href = json.as_ref().map(|j| {
            format!(
                "data:application/json;charset=utf-8,{}",
                crate::routes::percent_encode(j)
            )
        });
        ReceiptPage {
            fresh: salt.is_some(),
            bid_id,
            tender_id: receipt.tender_id,
            tender_title: title,
            bidder_name: receipt.bidder_name.clone(),
            round: receipt.round,
            received,
            received_wareki,
            received_exact: receipt.received_at.clone(),
            commitment: receipt.commitment.clone(),
            signature: receipt.signature.clone(),
            key_id: receipt.key_id.clone(),
            version: receipt.version,
            withdrawn,
            salt: salt.map(|b| b.salt.clone()),
            json,
            download_href,
            download_name: format!("receipt-tender{}-bid{bid_id}.json", receipt.tender_id),
            chrome,
        }
    }
}

/// `POST /tenders/{id}/bids`: 入札 (見積・提案の提出); answers with the 受付票
/// right away, the salt shown this once.
pub async fn submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    WebForm(f): WebForm<BidForm>,
) -> AppResult<Response> {
    let p = caller.require(Access::Supplier)?.principal();
    let input = musubi_app::tenders::BidInput {
        amount: f.amount.clone(),
        lottery_number: f.lottery_number.clone(),
        proposal: f.proposal.clone(),
    };
    match state.services.submit_bid(&p, id, &input, &ctx).await {
        Ok(submitted) => {
            let title = state.services.tender_for(Some(&p), id).await?.content.title;
            let lang = chrome.lang;
            let page = ReceiptPage::new(
                chrome,
                submitted.bid_id,
                title,
                &submitted.receipt.receipt,
                Some(&submitted.receipt),
                None,
            );
            let mut res = html_page(lang, &page)?;
            // The salt is in this answer alone: keep it out of caches.
            res.headers_mut().insert(
                http::header::CACHE_CONTROL,
                http::HeaderValue::from_static("no-store"),
            );
            Ok(res)
        }
        Err(e) => {
            let status = status_of(&e);
            let errors = FormErrors::from_service(chrome.lang, e)?;
            let form = BidFormValues {
                amount: f.amount,
                lottery_number: f.lottery_number,
                proposal: f.proposal,
                errors,
                failed: "bid",
                ..BidFormValues::default()
            };
            form_again(&state, chrome, csrf.0, &p, id, form, status).await
        }
    }
}

/// `GET /bids/{bid}/receipt`: the 受付票 to print, for the bidder's members
/// (without the salt: it was given at submission).
pub async fn receipt_page(
    State(state): State<WebState>,
    chrome: Chrome,
    caller: Caller,
    Path(bid): Path<i64>,
) -> AppResult<Response> {
    let p = caller.require(Access::Supplier)?.principal();
    let (own, title) = state.services.bid_receipt(&p, bid).await?;
    let receipt: Receipt = serde_json::from_value(own.receipt.clone())
        .map_err(|e| ServiceError::Internal(format!("stored receipt of bid {bid}: {e}")))?;
    let lang = chrome.lang;
    let withdrawn = own
        .withdrawn_at
        .map(|t| crate::handlers::tenders::display::time(lang, t));
    let page = ReceiptPage::new(chrome, own.bid_id, title, &receipt, None, withdrawn);
    html_page(lang, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    bid: String,
}

/// `POST /tenders/{id}/bids/withdraw`: 辞退 with its reason; back to the
/// tender page with a notice.
pub async fn withdraw(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    WebForm(f): WebForm<WithdrawForm>,
) -> AppResult<Response> {
    let p = caller.require(Access::Supplier)?.principal();
    let bid = f.bid.trim().parse::<i64>().ok();
    match state
        .services
        .withdraw_bid(&p, id, bid, &f.reason, &ctx)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/tenders/{id}?bid=withdrawn#bid")).into_response()),
        Err(e) => {
            let status = status_of(&e);
            let errors = FormErrors::from_service(chrome.lang, e)?;
            let form = BidFormValues {
                reason: f.reason,
                errors,
                failed: "withdraw",
                ..BidFormValues::default()
            };
            form_again(&state, chrome, csrf.0, &p, id, form, status).await
        }
    }
}

// --- results and the award ---------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct AwardRow {
    pub bidder: String,
    pub amount: Option<String>,
    pub amount_incl: Option<String>,
    pub decided: String,
}

#[derive(Template)]
#[template(path = "bids/results.html")]
struct ResultsPage {
    chrome: Chrome,
    csrf: String,
    id: i64,
    title: String,
    status: &'static str,
    rounds: Vec<RoundView>,
    award: Option<AwardRow>,
    can_award: bool,
    winner: Option<String>,
    notice: Option<&'static str>,
    failure: Option<String>,
}

async fn render_results(
    state: &WebState,
    chrome: Chrome,
    csrf: String,
    caller: &Caller,
    id: i64,
    query: Option<&str>,
    failure: Option<(String, StatusCode)>,
) -> AppResult<Response> {
    let lang = chrome.lang;
    let p = caller.principal();
    let s = &state.services;
    let view = s.tender_view(p.as_ref(), id).await?;
    let results = s.tender_results(p.as_ref(), id).await?;
    let t = &view.tender;
    let rounds: Vec<RoundView> = results
        .openings
        .iter()
        .map(|r| round_view(lang, r))
        .collect();
    let winner = results.openings.last().and_then(super::record_winner);
    let award = results.award.as_ref().map(|a| AwardRow {
        bidder: a.bidder_name.clone(),
        amount: a.amount_tax_exclusive.map(|x| super::yen_excl(lang, x)),
        amount_incl: a.amount_tax_inclusive.map(|x| super::yen_incl(lang, x)),
        decided: crate::handlers::tenders::display::time(lang, a.decided_at),
    });
    let can_award = view.is_buyer
        && award.is_none()
        && winner.is_some()
        && matches!(t.status, TenderStatus::Opened | TenderStatus::Evaluating);
    let (failure, status) = match failure {
        Some((m, s)) => (Some(m), s),
        None => (None, StatusCode::OK),
    };
    let page = ResultsPage {
        id,
        title: t.content.title.clone(),
        status: t.status.name_in(lang),
        rounds,
        award,
        can_award,
        winner: winner.map(|w| w.1),
        notice: notice(lang, query),
        failure,
        csrf,
        chrome,
    };
    html_page_status(lang, &page, status)
}

/// `GET /tenders/{id}/results`: 入札結果, public after the opening.
pub async fn results_page(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    Path(id): Path<i64>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    render_results(&state, chrome, csrf.0, &caller, id, q.as_deref(), None).await
}

/// `POST /tenders/{id}/award`: 落札者決定; back to the results with a notice.
pub async fn award(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = caller.require(Access::ApprovedBuyer)?.principal();
    match state.services.confirm_award(&p, id, &ctx).await {
        Ok(_) => Ok(Redirect::to(&format!("/tenders/{id}/results?bid=awarded")).into_response()),
        Err(e @ ServiceError::Refused { .. }) => {
            let status = status_of(&e);
            let message = match (chrome.lang, e) {
                (Lang::Ja, ServiceError::Refused { message_ja, .. }) => message_ja,
                (_, ServiceError::Refused { message_en, .. }) => message_en,
                _ => pick(
                    chrome.lang,
                    "落札者を決定できませんでした。",
                    "The award failed.",
                )
                .to_owned(),
            };
            render_results(
                &state,
                chrome,
                csrf.0,
                &caller,
                id,
                None,
                Some((message, status)),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
