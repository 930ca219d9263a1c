//! The bid pages: the submission with its files (answered at once by the
//! 受付票 with the salt and the files' digests, shown this once), 辞退, the
//! receipt to print later, the public results (入札結果) of every round, the
//! buyer's 落札者決定 and 再度入札. A form that fails is shown again with its
//! messages and the status the service answered (422 for input, 409 for a
//! state that does not allow it); the tender page holds the forms otherwise.

use askama::Template;
use axum::extract::{FromRequest, Path, RawQuery, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;
use musubi_app::sealing::{BidderReceipt, Receipt};
use musubi_app::tenders::bids::{BidAttachment, RebidInput};
use musubi_app::transparency::ReceiptProof;
use musubi_app::{RequestCtx, ServiceError};
use musubi_domain::tender::{AwardMethod, TenderStatus};
use musubi_domain::{Access, Principal};
use musubi_storage::ApplicationStatus;
use serde::Deserialize;

use super::upload::{self, Submission};
use super::{
    AttachmentRow, BidFormValues, BidSection, FileAccess, RoundView, notice, receipt_times,
    round_view, tender_section,
};
use crate::WebState;
use crate::auth::{Caller, CsrfToken};
use crate::error::AppResult;
use crate::extract::WebForm;
use crate::handlers::accounts::FormErrors;
use crate::handlers::tenders::display::{self, Named, pick};
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

/// The messages about the files (one per file) of a failed submission.
fn file_errors(lang: Lang, e: &ServiceError) -> Vec<String> {
    match e {
        ServiceError::Invalid(f) => {
            f.0.iter()
                .filter(|e| e.field == "attachments")
                .map(|e| match lang {
                    Lang::Ja => e.message_ja.clone(),
                    Lang::En => e.message_en.clone(),
                })
                .collect()
        }
        _ => Vec::new(),
    }
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
    /// The files the commitment covers (listed at submission only).
    attachments: Vec<AttachmentRow>,
    /// The bidder's copy as JSON, and as a `data:` URL to save it.
    json: Option<String>,
    download_href: Option<String>,
    download_name: String,
    /// ログ登録番号: the bid's entry in the transparency log, and the size
    /// of the signed tree head its proof is against (none for a bid
    /// received before the log existed).
    log: Option<(u64, u64)>,
}

/// The log index and the proven tree size of a receipt's proof.
fn log_of(p: &ReceiptProof) -> (u64, u64) {
    (p.log_index, p.tree_head.tree_size)
}

impl ReceiptPage {
    fn new(
        chrome: Chrome,
        bid_id: i64,
        title: String,
        receipt: &Receipt,
        salt: Option<&BidderReceipt>,
        attachments: &[BidAttachment],
        withdrawn: Option<String>,
    ) -> ReceiptPage {
        let lang = chrome.lang;
        let received_at = chrono::DateTime::parse_from_rfc3339(&receipt.received_at)
            .map(|t| t.with_timezone(&chrono::Utc))
            .ok();
        let (received, received_wareki) = received_at
            .map(|t| receipt_times(lang, t))
            .unwrap_or_default();
        // The bidder's copy keeps the files' digests beside the salt: both
        // are needed to recompute the commitment at the opening.
        let json = salt.and_then(|b| {
            let mut copy = serde_json::to_value(b).ok()?;
            if !attachments.is_empty() {
                copy["attachments"] = serde_json::to_value(attachments).ok()?;
            }
            serde_json::to_string_pretty(&copy).ok()
        });
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
            attachments: attachments
                .iter()
                .map(|a| AttachmentRow {
                    name: a.name.clone(),
                    size: display::size(lang, a.size),
                    sha256: a.sha256.clone(),
                    href: None,
                })
                .collect(),
            json,
            download_href,
            download_name: format!("receipt-tender{}-bid{bid_id}.json", receipt.tender_id),
            // The bidder's copy carries its proof; a stored receipt's is
            // added by the caller.
            log: salt.and_then(|b| b.transparency.as_ref()).map(log_of),
            chrome,
        }
    }
}

/// `POST /tenders/{id}/bids`: 入札 (見積・提案の提出), a form or — with
/// files — a multipart form whose action carries `?_csrf=`; answers with
/// the 受付票 right away, the salt shown this once.
pub async fn submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    req: Request,
) -> AppResult<Response> {
    let p = caller.require(Access::Supplier)?.principal();
    let Submission { input, files } = if upload::is_multipart(&req) {
        upload::read_multipart(&state, req).await?
    } else {
        let WebForm(f) = WebForm::<BidForm>::from_request(req, &state).await?;
        Submission {
            input: musubi_app::tenders::BidInput {
                amount: f.amount,
                lottery_number: f.lottery_number,
                proposal: f.proposal,
            },
            files: Vec::new(),
        }
    };
    let had_files = files.iter().any(|f| !f.bytes.is_empty());
    match state
        .services
        .submit_bid_with_files(&p, id, &input, files, &ctx)
        .await
    {
        Ok(submitted) => {
            let title = state.services.tender_for(Some(&p), id).await?.content.title;
            let lang = chrome.lang;
            let page = ReceiptPage::new(
                chrome,
                submitted.bid_id,
                title,
                &submitted.receipt.receipt,
                Some(&submitted.receipt),
                &submitted.attachments,
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
            let file_errors = file_errors(chrome.lang, &e);
            let errors = FormErrors::from_service(chrome.lang, e)?;
            let form = BidFormValues {
                amount: input.amount,
                lottery_number: input.lottery_number,
                proposal: input.proposal,
                had_files,
                errors,
                file_errors,
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
    let mut page = ReceiptPage::new(chrome, own.bid_id, title, &receipt, None, &[], withdrawn);
    page.log = state
        .services
        .receipt_proof(&receipt.commitment)
        .await?
        .as_ref()
        .map(log_of);
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

// --- results, the award and 再度入札 --------------------------------------------------------

#[derive(Debug, Clone)]
pub struct AwardRow {
    pub bidder: String,
    pub amount: Option<String>,
    pub amount_incl: Option<String>,
    pub decided: String,
}

/// The buyer's 再度入札 form: what was typed, what was wrong, who may bid.
#[derive(Debug, Clone, Default)]
pub struct RebidForm {
    pub submission_opens_at: String,
    pub submission_closes_at: String,
    pub opening_at: String,
    pub errors: FormErrors,
    /// Those the last round allows to bid again.
    pub bidders: Vec<String>,
}

impl RebidForm {
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
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
    /// Proposals: the buyer scores them before the award.
    scoring_href: Option<String>,
    rebid: Option<RebidForm>,
    notice: Option<&'static str>,
    failure: Option<String>,
}

/// What failed on the results page: the award (its message) or the
/// 再度入札 form, with the status to answer.
enum Failed {
    Award(String),
    Rebid(RebidForm),
}

async fn render_results(
    state: &WebState,
    chrome: Chrome,
    csrf: String,
    caller: &Caller,
    id: i64,
    query: Option<&str>,
    failed: Option<(Failed, StatusCode)>,
) -> AppResult<Response> {
    let lang = chrome.lang;
    let p = caller.principal();
    let s = &state.services;
    let view = s.tender_view(p.as_ref(), id).await?;
    let results = s.tender_results(p.as_ref(), id).await?;
    let t = &view.tender;
    let files = FileAccess {
        tender_id: id,
        public: super::priced(t.content.kind),
        buyer: view.is_buyer,
        viewer_org: p.as_ref().and_then(Principal::org_id),
    };
    let rounds: Vec<RoundView> = results
        .openings
        .iter()
        .map(|r| round_view(lang, r, &files))
        .collect();
    let winner = results.openings.last().and_then(super::record_winner);
    let award = results.award.as_ref().map(|a| AwardRow {
        bidder: a.bidder_name.clone(),
        amount: a.amount_tax_exclusive.map(|x| super::yen_excl(lang, x)),
        amount_incl: a.amount_tax_inclusive.map(|x| super::yen_incl(lang, x)),
        decided: display::time(lang, a.decided_at),
    });
    let can_award = view.is_buyer
        && award.is_none()
        && winner.is_some()
        && matches!(t.status, TenderStatus::Opened | TenderStatus::Evaluating);
    let pending = rounds.last().is_some_and(|r| r.pending);
    let scoring_href = (view.is_buyer && pending && t.status == TenderStatus::Evaluating)
        .then(|| format!("/tenders/{id}/scoring"));
    let (failure, rebid_failed, status) = match failed {
        Some((Failed::Award(m), s)) => (Some(m), None, s),
        Some((Failed::Rebid(f), s)) => (None, Some(f), s),
        None => (None, None, StatusCode::OK),
    };
    let rebid = (view.is_buyer
        && t.status == TenderStatus::Unsuccessful
        && t.content.award_method != AwardMethod::ProposalEvaluation)
        .then(|| {
            let mut form = rebid_failed.unwrap_or_default();
            form.bidders = rounds
                .last()
                .map(|r| r.rebid_bidders.clone())
                .unwrap_or_default();
            form
        });
    let page = ResultsPage {
        id,
        title: t.content.title.clone(),
        status: t.status.name_in(lang),
        rounds,
        award,
        can_award,
        winner: winner.map(|w| w.1),
        scoring_href,
        rebid,
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

/// A refusal's message in the page's language.
fn refusal_message(lang: Lang, e: ServiceError, fallback: (&'static str, &'static str)) -> String {
    match (lang, e) {
        (Lang::Ja, ServiceError::Refused { message_ja, .. }) => message_ja,
        (_, ServiceError::Refused { message_en, .. }) => message_en,
        _ => pick(lang, fallback.0, fallback.1).to_owned(),
    }
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
            let message = refusal_message(
                chrome.lang,
                e,
                ("落札者を決定できませんでした。", "The award failed."),
            );
            let failed = Some((Failed::Award(message), status));
            render_results(&state, chrome, csrf.0, &caller, id, None, failed).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct RebidFields {
    #[serde(default)]
    submission_opens_at: String,
    #[serde(default)]
    submission_closes_at: String,
    #[serde(default)]
    opening_at: String,
}

/// `POST /tenders/{id}/rebid`: 再度入札 of a 不調 tender; to the tender page
/// with a notice, or the results page again with the form's messages.
pub async fn rebid(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    WebForm(f): WebForm<RebidFields>,
) -> AppResult<Response> {
    let p = caller.require(Access::ApprovedBuyer)?.principal();
    let input = RebidInput {
        submission_opens_at: f.submission_opens_at,
        submission_closes_at: f.submission_closes_at,
        opening_at: f.opening_at,
    };
    match state.services.start_rebid(&p, id, &input, &ctx).await {
        Ok(_) => Ok(Redirect::to(&format!("/tenders/{id}?bid=rebid#bid")).into_response()),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Refused { .. })) => {
            let status = status_of(&e);
            let form = RebidForm {
                submission_opens_at: input.submission_opens_at,
                submission_closes_at: input.submission_closes_at,
                opening_at: input.opening_at,
                errors: FormErrors::from_service(chrome.lang, e)?,
                ..RebidForm::default()
            };
            let failed = Some((Failed::Rebid(form), status));
            render_results(&state, chrome, csrf.0, &caller, id, None, failed).await
        }
        Err(e) => Err(e.into()),
    }
}
