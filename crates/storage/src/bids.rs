//! Sealed bids (入札), their opening (開札), technical scores for 総合評価
//! and awards (落札者決定).
//!
//! The store never sees a bid in the clear: a bid arrives sealed (AEAD
//! ciphertext under the tender's data key) with its commitment and signed
//! receipt, and the tender's data key arrives wrapped by the master key,
//! which never reaches the database. What the opening revealed is stored as
//! one JSON record per round, written in the same transaction as the status
//! step to `opened`, so a round is opened exactly once.
//!
//! Every guard against a race is here, in the writing transaction: a bid is
//! accepted only while the tender is `tendering` and its round is not
//! opened; one submitted bid per bidder and round; scores change only until
//! they are locked; an award is recorded once.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::{
    AuditEntry, NewEvent, NewJob, NewTransition, OrgId, Page, Paging, Result, TenderId, UserId,
};
use musubi_domain::tender::{TenderContent, TenderStatus};
use musubi_domain::transparency::entry::{AwardEntry, LogEntry, timestamp};

pub type BidId = i64;

/// Whether a bid still stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BidState {
    Submitted,
    /// 辞退 before the deadline.
    Withdrawn,
}

impl BidState {
    pub fn as_str(self) -> &'static str {
        match self {
            BidState::Submitted => "submitted",
            BidState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "submitted" => Some(BidState::Submitted),
            "withdrawn" => Some(BidState::Withdrawn),
            _ => None,
        }
    }
}

/// A tender's data key as stored: wrapped by the master key `master_key_id`.
#[derive(Debug, Clone, PartialEq)]
pub struct TenderKeyRow {
    pub tender_id: TenderId,
    pub wrapped: Vec<u8>,
    pub master_key_id: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewBid {
    pub tender_id: TenderId,
    /// 1 for the first round, 2… for 再入札.
    pub round: u32,
    pub bidder: OrgId,
    pub submitted_by: UserId,
    /// The server's receipt time (the request's "now").
    pub received_at: DateTime<Utc>,
    /// Hex SHA-256 commitment (see `musubi_app::sealing`).
    pub commitment: String,
    /// The sealed content: only the opening can read it.
    pub sealed: Vec<u8>,
    /// The signed receipt (without the bidder's salt).
    pub receipt: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredBid {
    pub id: BidId,
    pub tender_id: TenderId,
    pub round: u32,
    pub bidder: OrgId,
    /// The bidder organisation's name (joined).
    pub bidder_name: String,
    pub submitted_by: UserId,
    pub received_at: DateTime<Utc>,
    pub commitment: String,
    pub sealed: Vec<u8>,
    pub receipt: Value,
    pub state: BidState,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdraw_reason: Option<String>,
}

/// What an opening revealed and decided, for one round.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOpening {
    pub tender_id: TenderId,
    pub round: u32,
    pub opened_at: DateTime<Utc>,
    /// The published record: every bid with its amount, salt and
    /// commitment, the prices, the evaluation and the lottery.
    pub record: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Opening {
    pub tender_id: TenderId,
    pub round: u32,
    pub opened_at: DateTime<Utc>,
    pub record: Value,
}

/// The buyer's scoring set-up for 総合評価 and proposals: the points the
/// notice states, and when the technical scores were locked (they must be
/// before the opening of a 総合評価 tender).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scoring {
    /// 価格点 (加算方式).
    pub price_points: Option<u32>,
    /// 基礎点 (除算方式).
    pub base_points: Option<u32>,
    pub locked_at: Option<DateTime<Utc>>,
    pub locked_by: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TechnicalScore {
    pub tender_id: TenderId,
    pub bidder: OrgId,
    pub bidder_name: String,
    /// Hundredths of a point.
    pub points_hundredths: u32,
    pub entered_by: UserId,
    pub entered_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAward {
    pub tender_id: TenderId,
    pub round: u32,
    pub bid_id: BidId,
    pub bidder: OrgId,
    /// 落札金額 税抜 / 税込 (None for proposals without a price).
    pub amount_tax_exclusive: Option<i64>,
    pub amount_tax_inclusive: Option<i64>,
    pub decided_by: UserId,
    pub decided_at: DateTime<Utc>,
}

/// An award with what a list of awards shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Award {
    pub tender_id: TenderId,
    pub round: u32,
    pub bid_id: BidId,
    pub bidder: OrgId,
    pub bidder_name: String,
    pub amount_tax_exclusive: Option<i64>,
    pub amount_tax_inclusive: Option<i64>,
    pub decided_by: UserId,
    pub decided_at: DateTime<Utc>,
    /// Joined from the tender.
    pub tender_title: String,
    pub buyer: OrgId,
    pub buyer_name: String,
}

#[async_trait]
pub trait BidStore: Send + Sync {
    /// The tender's wrapped data key, stored from `candidate` if it has none
    /// yet (the first bid). Two first bids racing both get the one stored.
    async fn tender_key_or_insert(
        &self,
        tender: TenderId,
        candidate: &[u8],
        master_key_id: &str,
        now: DateTime<Utc>,
    ) -> Result<TenderKeyRow>;

    async fn tender_key(&self, tender: TenderId) -> Result<Option<TenderKeyRow>>;

    /// Stores a submitted bid and queues `jobs`, in one transaction that
    /// first checks: the tender [`takes_bids`] and round `bid.round` is not
    /// opened (else `Conflict("not_accepting_bids")`); the bidder has no
    /// submitted bid in the round (else `Conflict("bid_exists")`). Bids that
    /// arrive together share the transaction (a group commit), each with its
    /// own checks and outcome; the answer comes after the commit.
    async fn insert_bid(&self, bid: &NewBid, jobs: &[NewJob]) -> Result<BidId>;

    /// 辞退: marks the bidder's submitted bid of `round` withdrawn, with the
    /// same tender checks as [`Self::insert_bid`]. `Ok(None)` if the bidder
    /// has no submitted bid in the round; else the bid's id.
    #[allow(clippy::too_many_arguments)]
    async fn withdraw_bid(
        &self,
        tender: TenderId,
        round: u32,
        bidder: OrgId,
        reason: &str,
        now: DateTime<Utc>,
        jobs: &[NewJob],
    ) -> Result<Option<BidId>>;

    async fn bid(&self, id: BidId) -> Result<Option<StoredBid>>;

    /// One bidder's bids on a tender, every round and state, oldest first.
    async fn bids_of(&self, tender: TenderId, bidder: OrgId) -> Result<Vec<StoredBid>>;

    /// Every bid of a round, submitted and withdrawn, in receipt order
    /// (`received_at`, then id). For the opening only.
    async fn round_bids(&self, tender: TenderId, round: u32) -> Result<Vec<StoredBid>>;

    /// The opening: stores `opening` and moves the tender from
    /// `expected_status` through `steps` (recorded like
    /// `TenderStore::transition_tender`, with `next_transition_at` and the
    /// events and jobs), all in one transaction. `Ok(false)` and nothing
    /// written if the status is no longer `expected_status` or the round was
    /// already opened. Does not compare the round's bids with the record:
    /// the scheduler uses [`Self::record_opening_of`].
    #[allow(clippy::too_many_arguments)]
    async fn record_opening(
        &self,
        opening: &NewOpening,
        expected_status: TenderStatus,
        steps: &[NewTransition],
        next_transition_at: Option<DateTime<Utc>>,
        events: &[NewEvent],
        jobs: &[NewJob],
    ) -> Result<bool> {
        self.record_opening_of(
            opening,
            None,
            expected_status,
            steps,
            next_transition_at,
            events,
            jobs,
        )
        .await
    }

    /// [`Self::record_opening`], also `Ok(false)` with nothing written
    /// unless the round's bids, `(id, state)`, are still `bids_read`: a bid
    /// or 辞退 received before the deadline may commit while the tender is
    /// `closed`, after the opening read the round; the next pass reads it
    /// again rather than publish an opening without it.
    #[allow(clippy::too_many_arguments)]
    async fn record_opening_of(
        &self,
        opening: &NewOpening,
        bids_read: Option<&[(BidId, BidState)]>,
        expected_status: TenderStatus,
        steps: &[NewTransition],
        next_transition_at: Option<DateTime<Utc>>,
        events: &[NewEvent],
        jobs: &[NewJob],
    ) -> Result<bool>;

    /// Every opened round of a tender, first round first.
    async fn openings(&self, tender: TenderId) -> Result<Vec<Opening>>;

    /// How many rounds of a tender are opened, without reading their
    /// records (a bid's round is this plus one; an opened round's record
    /// holds every bid, so [`Self::openings`] is no read for a hot path).
    async fn opened_rounds(&self, tender: TenderId) -> Result<u32>;

    /// 落札者決定: stores the award and moves the tender from
    /// `expected_status` by `step` (Award), in one transaction with the
    /// events, audit line and jobs. `Ok(false)` and nothing written if the
    /// status moved or an award exists.
    #[allow(clippy::too_many_arguments)]
    async fn record_award(
        &self,
        award: &NewAward,
        expected_status: TenderStatus,
        step: &NewTransition,
        events: &[NewEvent],
        audit: AuditEntry,
        jobs: &[NewJob],
    ) -> Result<bool>;

    async fn award(&self, tender: TenderId) -> Result<Option<Award>>;

    /// Awards, most recent decision first (the awards database and its CSV).
    async fn awards(&self, paging: Paging) -> Result<Page<Award>>;

    /// Awards decided after `after` (keyset on tender id, for the search
    /// index rebuild), in tender id order.
    async fn awards_after(&self, after: TenderId, limit: u32) -> Result<Vec<Award>>;

    /// The tender's scoring set-up (default: none).
    async fn scoring(&self, tender: TenderId) -> Result<Scoring>;

    /// Sets the points of the set-up. `Conflict("scores_locked")` once locked.
    async fn set_scoring_points(
        &self,
        tender: TenderId,
        price_points: Option<u32>,
        base_points: Option<u32>,
    ) -> Result<()>;

    /// Enters or replaces one bidder's technical score.
    /// `Conflict("scores_locked")` once locked.
    async fn set_technical_score(
        &self,
        tender: TenderId,
        bidder: OrgId,
        points_hundredths: u32,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// Locks the scores; `Conflict("scores_locked")` if already locked.
    async fn lock_scores(&self, tender: TenderId, by: UserId, now: DateTime<Utc>) -> Result<()>;

    async fn technical_scores(&self, tender: TenderId) -> Result<Vec<TechnicalScore>>;

    /// 評価の確定: locks the scores and writes what follows ([`ScoreLock`])
    /// in one transaction. `Ok(false)` and nothing written if the tender no
    /// longer has `expected_openings` opened rounds or (when given) is no
    /// longer in `expected_status`; `Conflict("scores_locked")` if locked.
    async fn lock_scores_guarded(&self, lock: &ScoreLock) -> Result<bool>;

    /// 再度入札: saves the content with the new window as version
    /// `expected_version + 1` and moves the tender from `unsuccessful` by the
    /// Rebid step, with the events, audit line and jobs, in one transaction.
    /// `Ok(false)` and nothing written unless the tender is still
    /// `unsuccessful` at `expected_version`.
    async fn start_rebid(&self, rebid: &NewRebid) -> Result<bool>;
}

/// Locking the technical scores ([`BidStore::lock_scores_guarded`]): the
/// guards that must still hold, and what the lock leads to.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreLock {
    pub tender_id: TenderId,
    pub by: UserId,
    pub at: DateTime<Utc>,
    /// The rounds opened when the service decided (0 for 総合評価, whose
    /// scores must be locked before the first opening).
    pub expected_openings: u32,
    /// The status the service saw, when it matters (a proposal's 審査中).
    pub expected_status: Option<TenderStatus>,
    /// Steps after the lock (不調 when the scores leave no valid bid); with
    /// none, the status and `next_transition_at` stay as they are.
    pub steps: Vec<NewTransition>,
    pub next_transition_at: Option<DateTime<Utc>>,
    pub events: Vec<NewEvent>,
    pub audit: AuditEntry,
    pub jobs: Vec<NewJob>,
}

/// A 再度入札 ([`BidStore::start_rebid`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NewRebid {
    pub tender_id: TenderId,
    /// The tender's content with the new submission window and opening.
    pub content: TenderContent,
    /// Recorded with the new version (e.g. 再度入札（第2回）).
    pub reason: String,
    pub expected_version: i64,
    /// Rebid: unsuccessful → tendering.
    pub step: NewTransition,
    pub next_transition_at: Option<DateTime<Utc>>,
    pub actor: UserId,
    pub now: DateTime<Utc>,
    pub events: Vec<NewEvent>,
    pub audit: AuditEntry,
    pub jobs: Vec<NewJob>,
}

/// Whether a tender in `status` may store a bid or a withdrawal of a round
/// that is not opened yet. `closed` too: the service decides by the instant
/// it received the request (before the deadline), and the commit may land
/// just after the scheduler closed the tender.
pub(crate) fn takes_bids(status: TenderStatus) -> bool {
    matches!(status, TenderStatus::Tendering | TenderStatus::Closed)
}

/// Whether the round's bids as stored (`(id, state)` in id order) are those
/// an opening read (`None`: not compared).
pub(crate) fn bids_unchanged(
    read: Option<&[(BidId, BidState)]>,
    stored: &[(BidId, String)],
) -> bool {
    let Some(read) = read else { return true };
    let mut read: Vec<(BidId, &str)> = read.iter().map(|(id, s)| (*id, s.as_str())).collect();
    read.sort_unstable();
    read.len() == stored.len()
        && read
            .iter()
            .zip(stored)
            .all(|(r, s)| r.0 == s.0 && r.1 == s.1)
}

/// The log entry of an award (落札者決定).
pub(crate) fn award_entry(award: &NewAward) -> LogEntry {
    LogEntry::Award(AwardEntry {
        tender_id: award.tender_id,
        round: award.round,
        bid_id: award.bid_id,
        bidder_org_id: award.bidder,
        amount_tax_exclusive: award.amount_tax_exclusive,
        amount_tax_inclusive: award.amount_tax_inclusive,
        decided_at: timestamp(award.decided_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_opening_compares_ids_and_states_in_any_order() {
        use BidState::{Submitted, Withdrawn};
        let stored = |v: &[(BidId, &str)]| -> Vec<(BidId, String)> {
            v.iter().map(|(id, s)| (*id, s.to_string())).collect()
        };
        let now = stored(&[(3, "submitted"), (7, "withdrawn")]);
        assert!(bids_unchanged(
            Some(&[(7, Withdrawn), (3, Submitted)]),
            &now
        ));
        assert!(bids_unchanged(None, &now));
        // A bid committed after the read; a 辞退 after the read; a bid gone.
        assert!(!bids_unchanged(Some(&[(3, Submitted)]), &now));
        assert!(!bids_unchanged(
            Some(&[(3, Submitted), (7, Submitted)]),
            &now
        ));
        assert!(!bids_unchanged(
            Some(&[(3, Submitted), (7, Withdrawn), (9, Submitted)]),
            &now
        ));
        assert!(bids_unchanged(Some(&[]), &[]));
    }
}
