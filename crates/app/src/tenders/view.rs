//! What a viewer may see of a tender and its questions.

use chrono::{DateTime, Utc};
use musubi_domain::tender::{TenderContent, TenderStatus};
use musubi_storage::{OrgId, Question, Tender};
use serde::Serialize;

/// Hides the prices that are sealed for this viewer: the 最低制限価格 until
/// opening, and the 予定価格 too unless it was published in advance. The
/// buyer sees both.
pub(super) fn seal_prices(content: &mut TenderContent, status: TenderStatus, is_buyer: bool) {
    if is_buyer || prices_revealed(status) {
        return;
    }
    content.minimum_price = None;
    if !content.reserve_price_publication.is_public_before_opening() {
        content.reserve_price = None;
    }
}

/// The 予定価格 as anyone may see it (the search index, lists): when it
/// is published in advance, or once 開札 has happened; sealed otherwise.
pub(crate) fn public_reserve_price(
    content: &TenderContent,
    status: TenderStatus,
) -> Option<musubi_domain::TaxExclusive> {
    if prices_revealed(status) || content.reserve_price_publication.is_public_before_opening() {
        content.reserve_price
    } else {
        None
    }
}

/// Whether 開札 has happened (or the tender ended after it).
fn prices_revealed(status: TenderStatus) -> bool {
    matches!(
        status,
        TenderStatus::Opened
            | TenderStatus::Evaluating
            | TenderStatus::Awarded
            | TenderStatus::Unsuccessful
    )
}

/// A tender as one viewer may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct TenderView {
    pub tender: Tender,
    /// The viewer acts for the buyer (sees drafts, sealed prices, all Q&A).
    pub is_buyer: bool,
    /// The 予定価格 is held back from this viewer until opening.
    pub reserve_price_sealed: bool,
}

impl TenderView {
    pub fn new(mut tender: Tender, is_buyer: bool) -> Self {
        let had_reserve = tender.content.reserve_price.is_some();
        seal_prices(&mut tender.content, tender.status, is_buyer);
        let reserve_price_sealed = had_reserve && tender.content.reserve_price.is_none();
        TenderView {
            tender,
            is_buyer,
            reserve_price_sealed,
        }
    }
}

/// A question as one viewer may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionView {
    pub id: i64,
    pub question: String,
    pub asked_at: DateTime<Utc>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    /// Asked by the viewer's organisation.
    pub mine: bool,
    /// Only the buyer sees who asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asker_org: Option<OrgId>,
}

impl QuestionView {
    /// `None` if the viewer may not see the question (unanswered, not
    /// theirs, not the buyer).
    pub fn for_viewer(q: Question, is_buyer: bool, viewer_org: Option<OrgId>) -> Option<Self> {
        let mine = viewer_org == Some(q.asker_org);
        if q.answer.is_none() && !is_buyer && !mine {
            return None;
        }
        Some(QuestionView {
            id: q.id,
            question: q.question,
            asked_at: q.asked_at,
            answer: q.answer,
            answered_at: q.answered_at,
            mine,
            asker_org: is_buyer.then_some(q.asker_org),
        })
    }
}
