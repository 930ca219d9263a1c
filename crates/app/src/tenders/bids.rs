//! Sealed bids: submission (with the 受付票), 辞退, the opening (開札) the
//! scheduler makes at the opening time, the public results and the award
//! (落札者決定).
//!
//! Secrecy: before the opening nothing about any bid leaves this module
//! except to its own bidder, and even the bidder gets only the receipt (the
//! Japanese rule: a submitted amount can be neither viewed nor changed). The
//! content is sealed under the tender's data key before it reaches the
//! store; only [`Services::open_round`] unseals it.
//!
//! The parts beside this file:
//!
//! - `files`: a bid's attachments (内訳書, 提案書類), sealed under the tender
//!   key like the bid, and their download after the opening;
//! - `scoring`: the buyer's technical scores (総合評価: entered and locked
//!   before the opening; proposals: after it) and the ranking they give;
//! - `rebid`: 再度入札 after 不調, among the bidders the rule allows.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use musubi_domain::bidding::{
    EvaluationInput, EvaluationInputError, EvaluationTerms, LotteryNumber, Outcome, RevealedBid,
    ScoringPhase, TechnicalPoints, evaluate,
};
use musubi_domain::tender::{ContractMethod, TenderKind, TenderStatus, Transition};
use musubi_domain::{Access, Principal, TaxExclusive, TaxRate, authz};
use musubi_storage::{
    ApplicationStatus, Audience, Award, BidState, EventKind, NewAward, NewBid, NewEvent,
    NewOpening, NewTransition, OrgId, StorageError, StoredBid, Tender, TenderId,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{audit, not_found, refused_status};
use crate::blobs::BlobStore;
use crate::error::{FieldErrors, ServiceError, ServiceResult};
use crate::sealing::{
    BidAad, BidderReceipt, CanonicalBid, MasterKey, RECEIPT_SIGNING_KEY_FILE, Receipt,
    ReceiptFields, Salt, SigningKeyPair, TenderKey, commit, verify_commitment,
};
use crate::{RequestCtx, Services};

mod files;
mod rebid;
mod scoring;

use files::SealedFile;
pub use files::{
    BidAttachment, BidFile, MAX_BID_FILE_BYTES, MAX_BID_FILES_PRICED, MAX_BID_FILES_PROPOSAL,
    MAX_BID_FILES_TOTAL_BYTES,
};
pub use rebid::{RebidInput, RebidStarted, rebid_bidders_of};
pub use scoring::{ScoreRow, ScoringInput, ScoringView};

/// Longest proposal text (企画提案), in characters.
pub const MAX_PROPOSAL_CHARS: usize = 20_000;
/// Version of the opening record's layout. 2 added each bid's
/// `attachments`, `evaluation_pending` (proposals scored after the opening),
/// `evaluation_error_message` and the round's `submission_closes_at`; a
/// version-1 record reads as one without them.
pub const OPENING_RECORD_VERSION: u32 = 2;

/// The keys sealed bidding needs: the master key that wraps tender keys, the
/// receipt-signing key and the transparency log's key. All live outside the
/// database.
pub struct BidKeys {
    pub master: MasterKey,
    pub signer: SigningKeyPair,
    /// Signs the transparency log's tree heads (its own key: a receipt key
    /// and a log key are published and rotated separately).
    pub log_signer: SigningKeyPair,
}

impl BidKeys {
    /// From `MUSUBI_MASTER_KEY` or `<data-dir>/keys/`, created on first use.
    pub fn load(data_dir: &std::path::Path) -> ServiceResult<BidKeys> {
        let master = MasterKey::load_or_create(data_dir)
            .map_err(|e| ServiceError::Internal(format!("master key: {e}")))?;
        let signer = SigningKeyPair::load_or_create(data_dir, RECEIPT_SIGNING_KEY_FILE)
            .map_err(|e| ServiceError::Internal(format!("receipt signing key: {e}")))?;
        let log_signer = SigningKeyPair::load_or_create(
            data_dir,
            crate::transparency::TRANSPARENCY_SIGNING_KEY_FILE,
        )
        .map_err(|e| ServiceError::Internal(format!("transparency log signing key: {e}")))?;
        Ok(BidKeys {
            master,
            signer,
            log_signer,
        })
    }
}

/// What a supplier submits. Strings as typed; checked here.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BidInput {
    /// 入札金額 (税抜) for quotations and sealed bids.
    #[serde(default)]
    pub amount: String,
    /// くじ番号: three digits.
    #[serde(default)]
    pub lottery_number: String,
    /// 提案内容 for proposals and needs.
    #[serde(default)]
    pub proposal: String,
}

/// What the sealed blob holds (never stored in the clear).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SealedContent {
    amount: Option<i64>,
    lottery_number: String,
    proposal: Option<String>,
    salt: String,
    /// The attachments: their names and digests, and where their sealed
    /// bytes are. Absent from bids sealed before attachments existed.
    #[serde(default)]
    attachments: Vec<SealedFile>,
}

/// The answer to a submission: the bid and the bidder's copy of the
/// receipt, which alone carries the salt, and the attachments the
/// commitment covers (listed to the bidder here only: they stay sealed).
#[derive(Debug, Clone, Serialize)]
pub struct SubmittedBid {
    pub bid_id: i64,
    pub receipt: BidderReceipt,
    pub attachments: Vec<BidAttachment>,
}

/// A bidder's own bid as the bidder may see it before the opening: that it
/// exists, when it was received, its receipt — never the amount.
#[derive(Debug, Clone, Serialize)]
pub struct OwnBid {
    pub bid_id: i64,
    pub round: u32,
    pub state: &'static str,
    pub received_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub receipt: Value,
}

impl OwnBid {
    fn of(b: &StoredBid) -> OwnBid {
        OwnBid {
            bid_id: b.id,
            round: b.round,
            state: b.state.as_str(),
            received_at: b.received_at,
            withdrawn_at: b.withdrawn_at,
            receipt: b.receipt.clone(),
        }
    }
}

/// The public results of a tender: every opened round's record and the
/// award.
#[derive(Debug, Clone, Serialize)]
pub struct TenderResults {
    pub tender_id: TenderId,
    pub status: TenderStatus,
    pub openings: Vec<Value>,
    pub award: Option<AwardView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AwardView {
    pub bid_id: i64,
    pub round: u32,
    pub bidder_org_id: OrgId,
    pub bidder_name: String,
    pub amount_tax_exclusive: Option<i64>,
    pub amount_tax_inclusive: Option<i64>,
    pub decided_at: DateTime<Utc>,
}

impl AwardView {
    pub fn of(a: &Award) -> AwardView {
        AwardView {
            bid_id: a.bid_id,
            round: a.round,
            bidder_org_id: a.bidder,
            bidder_name: a.bidder_name.clone(),
            amount_tax_exclusive: a.amount_tax_exclusive,
            amount_tax_inclusive: a.amount_tax_inclusive,
            decided_at: a.decided_at,
        }
    }
}

fn not_accepting(status: TenderStatus) -> ServiceError {
    refused_status(
        "not_accepting_bids",
        status,
        "現在、この案件は入札（提出）を受け付けていません。",
        "This tender is not accepting submissions now",
    )
}

fn bid_exists() -> ServiceError {
    ServiceError::refused(
        409,
        "bid_exists",
        "この案件には既に入札（提出）済みです。提出後の金額の確認・変更はできません。変更が必要な場合は辞退のうえ、受付期間内に改めて提出してください。",
        "Your organisation has already submitted to this tender. A submission can be neither viewed nor changed; withdraw it and submit again within the window if needed.",
    )
}

fn store_refusal(e: StorageError, status: TenderStatus) -> ServiceError {
    match e {
        StorageError::Conflict(c) if c == "bid_exists" => bid_exists(),
        StorageError::Conflict(c) if c == "not_accepting_bids" => not_accepting(status),
        e => e.into(),
    }
}

impl Services {
    /// The sealing keys, loaded from the data dir (or the environment) the
    /// first time they are needed.
    pub fn bid_keys(&self) -> ServiceResult<Arc<BidKeys>> {
        let mut slot = self.bid_keys.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = slot.as_ref() {
            return Ok(Arc::clone(k));
        }
        let keys = Arc::new(BidKeys::load(&self.config.data_dir)?);
        *slot = Some(Arc::clone(&keys));
        Ok(keys)
    }

    /// These services with the given keys (tests; a process that loaded them).
    pub fn with_bid_keys(self, keys: Arc<BidKeys>) -> Self {
        *self.bid_keys.lock().unwrap_or_else(|e| e.into_inner()) = Some(keys);
        self
    }

    /// The round bids now go to: one more than the rounds opened.
    async fn current_round(&self, tender: TenderId) -> ServiceResult<u32> {
        Ok(self.storage.opened_rounds(tender).await? + 1)
    }

    /// The tender's data key, created (and stored wrapped) by the first bid.
    async fn tender_key(&self, keys: &BidKeys, tender: TenderId) -> ServiceResult<TenderKey> {
        let now = self.clock.now();
        let row = match self.storage.tender_key(tender).await? {
            Some(row) => row,
            None => {
                let wrapped = keys.master.wrap(&TenderKey::generate(), tender);
                self.storage
                    .tender_key_or_insert(tender, wrapped.as_bytes(), &keys.master.key_id(), now)
                    .await?
            }
        };
        keys.master
            .unwrap(&row.wrapped, tender)
            .map_err(|e| ServiceError::Internal(format!("tender {tender}: {e}")))
    }

    /// Whether `org` may bid in `round`: eligible, nominated where the method
    /// nominates, and in a 再度入札 among the bidders the previous round
    /// allows ([`rebid`]).
    async fn check_may_bid(&self, tender: &Tender, org: OrgId, round: u32) -> ServiceResult<()> {
        if round > 1 && !self.rebid_bidders(tender.id).await?.contains(&org) {
            return Err(ServiceError::refused(
                403,
                "not_rebid_eligible",
                "再度入札には、前回の入札に参加し、辞退・無効・失格とならなかった事業者のみ参加できます。",
                "Only the bidders of the previous round whose bid was not withdrawn, invalid or disqualified may take part in the rebid.",
            ));
        }
        if matches!(
            tender.content.method,
            ContractMethod::Selective | ContractMethod::SelectiveByApplication
        ) {
            let nominated = self
                .storage
                .application_of(tender.id, org)
                .await?
                .is_some_and(|a| a.status == ApplicationStatus::Accepted);
            if !nominated {
                return Err(ServiceError::refused(
                    403,
                    "not_nominated",
                    "この案件は指名された事業者のみ入札できます。",
                    "Only nominated suppliers may bid on this tender.",
                ));
            }
        }
        self.check_eligible(tender, org).await
    }

    /// 入札 (or 見積・提案の提出) without attachments: see
    /// [`Self::submit_bid_with_files`].
    pub async fn submit_bid(
        &self,
        principal: &Principal,
        id: TenderId,
        input: &BidInput,
        ctx: &RequestCtx,
    ) -> ServiceResult<SubmittedBid> {
        self.submit_bid_with_files(principal, id, input, Vec::new(), ctx)
            .await
    }

    /// 入札 (or 見積・提案の提出) with its attachments (内訳書, 提案書類):
    /// checks, seals the content and each file, signs the receipt and stores
    /// it; the receipt is issued only after the commit.
    pub async fn submit_bid_with_files(
        &self,
        principal: &Principal,
        id: TenderId,
        input: &BidInput,
        files: Vec<BidFile>,
        ctx: &RequestCtx,
    ) -> ServiceResult<SubmittedBid> {
        authz::check(Some(principal), Access::Supplier)?;
        let org = principal.org_id().ok_or_else(not_found)?;
        // One "now" for the whole request: the receipt time.
        let now = self.clock.now();
        let tender = self.tender_for(Some(principal), id).await?;
        let schedule = Self::schedule_of(&tender)?;
        // The deadline decides, whatever the status says (see
        // `accepts_bids_at`): a bid received before it is taken even if the
        // scheduler closed the tender while the request was on its way.
        if !schedule.accepts_bids_at(tender.status, now) {
            return Err(not_accepting(tender.status));
        }
        if matches!(
            tender.status,
            TenderStatus::Published | TenderStatus::ApplicationsClosed
        ) {
            self.advance_tender(id, now).await?;
        }
        // Every problem of the form at once: the fields and the files.
        let (mut content, files) = match (
            parse_bid(tender.content.kind, input),
            files::check_files(tender.content.kind, files),
        ) {
            (Ok(content), Ok(files)) => (content, files),
            (Err(ServiceError::Invalid(mut a)), Err(ServiceError::Invalid(b))) => {
                a.0.extend(b.0);
                return Err(ServiceError::Invalid(a));
            }
            (Err(e), _) | (_, Err(e)) => return Err(e),
        };
        let round = self.current_round(id).await?;
        self.check_may_bid(&tender, org, round).await?;
        let keys = self.bid_keys()?;
        let key = self.tender_key(&keys, id).await?;
        let aad = BidAad {
            tender_id: id,
            round,
            bidder_org_id: org,
        };
        content.attachments = self.seal_files(&key, &aad, files).await?;
        let bidder_name = self
            .storage
            .organization(org)
            .await?
            .map(|o| o.name)
            .unwrap_or_default();

        let salt = Salt::generate();
        let canonical = canonical_bid(id, round, org, &content);
        let commitment =
            commit(&canonical, &salt).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let sealed_content = SealedContent {
            salt: salt.to_hex(),
            ..content
        };
        let plaintext = serde_json::to_vec(&sealed_content)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let sealed = key.seal(&plaintext, &aad);
        let receipt = Receipt::sign(
            ReceiptFields {
                tender_id: id,
                round,
                bidder_org_id: org,
                bidder_name,
                received_at: now,
                commitment,
            },
            &keys.signer,
        );
        let receipt_json =
            serde_json::to_value(&receipt).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let bid_id = self
            .storage
            .insert_bid(
                &NewBid {
                    tender_id: id,
                    round,
                    bidder: org,
                    submitted_by: principal.user_id,
                    received_at: now,
                    commitment: commitment.to_string(),
                    sealed,
                    receipt: receipt_json,
                },
                &[],
            )
            .await
            .map_err(|e| store_refusal(e, tender.status))?;
        let _ = ctx;
        let mut receipt = BidderReceipt::new(receipt, &salt);
        // The commit appended the bid's `bid.received` entry: the receipt
        // proves it against a head signed now.
        receipt.transparency = self.receipt_proof(&commitment.to_string()).await?;
        Ok(SubmittedBid {
            bid_id,
            receipt,
            attachments: files::listed(&sealed_content.attachments),
        })
    }

    /// 辞退: withdraws the organisation's bid of the current round, before
    /// the deadline, with a reason.
    pub async fn withdraw_bid(
        &self,
        principal: &Principal,
        id: TenderId,
        bid: Option<i64>,
        reason: &str,
        ctx: &RequestCtx,
    ) -> ServiceResult<i64> {
        authz::check(Some(principal), Access::Supplier)?;
        let org = principal.org_id().ok_or_else(not_found)?;
        let now = self.clock.now();
        let reason = super::reason_field("reason", "辞退理由", "reason for withdrawal", reason)?;
        let tender = self.tender_for(Some(principal), id).await?;
        let schedule = Self::schedule_of(&tender)?;
        if !schedule.accepts_bids_at(tender.status, now) {
            return Err(not_accepting(tender.status));
        }
        let round = self.current_round(id).await?;
        if let Some(b) = bid {
            let own = self.storage.bid(b).await?;
            if !own.is_some_and(|o| o.bidder == org && o.tender_id == id && o.round == round) {
                return Err(not_found());
            }
        }
        let _ = ctx;
        self.storage
            .withdraw_bid(id, round, org, &reason, now, &[])
            .await
            .map_err(|e| store_refusal(e, tender.status))?
            .ok_or_else(|| {
                ServiceError::refused(
                    404,
                    "no_bid",
                    "辞退できる入札がありません。",
                    "There is no submitted bid to withdraw.",
                )
            })
    }

    /// The organisation's own bids on a tender (no amounts).
    pub async fn own_bids(
        &self,
        principal: &Principal,
        id: TenderId,
    ) -> ServiceResult<Vec<OwnBid>> {
        let Some(org) = principal.org_id() else {
            return Ok(Vec::new());
        };
        Ok(self
            .storage
            .bids_of(id, org)
            .await?
            .iter()
            .map(OwnBid::of)
            .collect())
    }

    /// A receipt, for its bidder's members only (later printing). The salt
    /// was given once, at submission; it is not kept readable.
    pub async fn bid_receipt(
        &self,
        principal: &Principal,
        bid: i64,
    ) -> ServiceResult<(OwnBid, String)> {
        let b = self.storage.bid(bid).await?.ok_or_else(not_found)?;
        if principal.org_id() != Some(b.bidder) {
            return Err(not_found());
        }
        let tender = self
            .storage
            .tender(b.tender_id)
            .await?
            .ok_or_else(not_found)?;
        Ok((OwnBid::of(&b), tender.content.title))
    }

    /// The receipt-signing public key (base64) and its id, published so
    /// anyone can check a receipt.
    pub fn receipt_public_key(&self) -> ServiceResult<(String, String)> {
        let keys = self.bid_keys()?;
        Ok((
            keys.signer.public_key_base64(),
            keys.signer.key_id().to_owned(),
        ))
    }

    /// The public results; 404 until the first opening (nothing about the
    /// bids exists for anyone before). A proposal round scored after its
    /// opening comes with the ranking its locked scores give
    /// ([`scoring::complete_record`]).
    pub async fn tender_results(
        &self,
        principal: Option<&Principal>,
        id: TenderId,
    ) -> ServiceResult<TenderResults> {
        let tender = self.tender_for(principal, id).await?;
        let openings = self.completed_openings(&tender).await?;
        if openings.is_empty() {
            return Err(ServiceError::refused(
                404,
                "results_not_available",
                "開札前のため、入札結果はまだ公開されていません。",
                "The results are not public before the opening.",
            ));
        }
        let mut openings = openings;
        let buyer = Self::is_buyer_of(principal, &tender);
        let viewer = principal.and_then(|p| p.org_id());
        for record in &mut openings {
            withhold_proposals(record, buyer, viewer);
        }
        let award = self.storage.award(id).await?.map(|a| AwardView::of(&a));
        Ok(TenderResults {
            tender_id: id,
            status: tender.status,
            openings,
            award,
        })
    }

    /// Every opened round's record, a proposal round with the evaluation its
    /// locked scores give.
    async fn completed_openings(&self, tender: &Tender) -> ServiceResult<Vec<Value>> {
        let openings = self.storage.openings(tender.id).await?;
        let pending = openings
            .iter()
            .any(|o| o.record["evaluation_pending"].as_bool() == Some(true));
        let mut records: Vec<Value> = openings.into_iter().map(|o| o.record).collect();
        if pending {
            let scoring = self.storage.scoring(tender.id).await?;
            let scores = self.storage.technical_scores(tender.id).await?;
            for record in &mut records {
                scoring::complete_record(record, &scoring, &scores);
            }
        }
        Ok(records)
    }

    /// 落札者決定: the buyer confirms the winner the opening determined.
    pub async fn confirm_award(
        &self,
        principal: &Principal,
        id: TenderId,
        ctx: &RequestCtx,
    ) -> ServiceResult<AwardView> {
        let tender = self.own_tender(principal, id).await?;
        if !matches!(
            tender.status,
            TenderStatus::Opened | TenderStatus::Evaluating
        ) {
            return Err(refused_status(
                "award_not_possible",
                tender.status,
                "開札後（審査中を含む）でなければ落札者を決定できません。",
                "An award can be decided only after the opening",
            ));
        }
        let openings = self.completed_openings(&tender).await?;
        let last = openings.last().ok_or_else(not_found)?;
        if last["evaluation_pending"].as_bool() == Some(true) {
            return Err(ServiceError::refused(
                409,
                "scores_not_locked",
                "提案の評価点が確定されていないため、落札者（受託候補者）を決定できません。評価点を入力し、確定してください。",
                "The proposals' scores are not locked yet: enter and lock them before deciding the award.",
            ));
        }
        let round = last["round"].as_u64().and_then(|r| u32::try_from(r).ok());
        let winner = last.get("winner").cloned().unwrap_or(Value::Null);
        let Some(bid_id) = winner.get("bid_id").and_then(Value::as_i64) else {
            return Err(ServiceError::refused(
                409,
                "no_winner",
                "落札候補者がいません（有効な入札がありません）。",
                "There is no winning bid to award.",
            ));
        };
        let bid = self.storage.bid(bid_id).await?.ok_or_else(not_found)?;
        let now = self.clock.now();
        let award = NewAward {
            tender_id: id,
            round: round.ok_or_else(|| {
                ServiceError::Internal(format!("tender {id}: a record without its round"))
            })?,
            bid_id,
            bidder: bid.bidder,
            amount_tax_exclusive: winner.get("amount").and_then(Value::as_i64),
            amount_tax_inclusive: winner.get("amount_tax_inclusive").and_then(Value::as_i64),
            decided_by: principal.user_id,
            decided_at: now,
        };
        let done = self
            .storage
            .record_award(
                &award,
                tender.status,
                &NewTransition {
                    transition: Transition::Award,
                    at: now,
                    actor: Some(principal.user_id),
                    reason: None,
                },
                &[NewEvent {
                    kind: EventKind::TenderAwarded,
                    audience: Audience::Participants,
                    detail: json!({ "title": tender.content.title }),
                }],
                audit("tender.award", Some(id), principal, ctx),
                &[crate::search::tender_job(id)],
            )
            .await?;
        if !done {
            return Err(refused_status(
                "award_not_possible",
                tender.status,
                "落札者は既に決定されているか、状態が変わりました。",
                "The award was already decided or the status changed",
            ));
        }
        self.wake_worker();
        let stored = self.storage.award(id).await?.ok_or_else(not_found)?;
        Ok(AwardView::of(&stored))
    }

    /// 開札 of the current round: unseals every bid, checks it against its
    /// commitment, evaluates, and returns the record to publish with the
    /// steps that follow the opening (不調 when no bid is valid) and the
    /// events. Writes nothing: the scheduler stores it with the step.
    ///
    /// 総合評価 is evaluated only with scores locked before the opening;
    /// without them the round is not evaluated (`evaluation_error`
    /// `technical_scores_not_locked`) and ends 不調. Proposals are scored
    /// after the opening: the round goes to 審査中 with
    /// `evaluation_pending`, and the locked scores complete it later.
    pub(super) async fn open_round(
        &self,
        tender: &Tender,
        now: DateTime<Utc>,
    ) -> ServiceResult<(NewOpening, Vec<Transition>, Vec<NewEvent>)> {
        let id = tender.id;
        let round = self.current_round(id).await?;
        let bids = self.storage.round_bids(id, round).await?;
        let scoring = self.storage.scoring(id).await?;
        let scores = if scoring.locked_at.is_some() {
            self.storage.technical_scores(id).await?
        } else {
            Vec::new()
        };
        let key = if bids.is_empty() {
            None
        } else {
            let keys = self.bid_keys()?;
            Some(self.tender_key(&keys, id).await?)
        };
        let c = &tender.content;
        let mut published = Vec::with_capacity(bids.len());
        let mut revealed = Vec::new();
        for b in &bids {
            let mut entry = json!({
                "bid_id": b.id,
                "bidder_org_id": b.bidder,
                "bidder_name": b.bidder_name,
                "received_at": b.received_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                "state": b.state.as_str(),
                "commitment": b.commitment,
            });
            if b.state == BidState::Withdrawn {
                entry["withdraw_reason"] = json!(b.withdraw_reason);
                published.push(entry);
                continue;
            }
            let aad = BidAad {
                tender_id: id,
                round,
                bidder_org_id: b.bidder,
            };
            let opened = key
                .as_ref()
                .and_then(|k| k.open(&b.sealed, &aad).ok())
                .and_then(|p| serde_json::from_slice::<SealedContent>(&p).ok());
            let Some(content) = opened else {
                entry["valid"] = json!(false);
                entry["invalid_reason"] = json!("unreadable");
                published.push(entry);
                continue;
            };
            let canonical = canonical_bid(id, round, b.bidder, &content);
            let matches = match (content.salt.parse::<Salt>(), b.commitment.parse()) {
                (Ok(salt), Ok(commitment)) => verify_commitment(&canonical, &salt, &commitment),
                _ => false,
            };
            entry["amount"] = json!(content.amount);
            entry["lottery_number"] = json!(content.lottery_number);
            entry["proposal_sha256"] = json!(canonical.proposal_sha256);
            entry["proposal"] = json!(content.proposal);
            entry["attachments"] = json!(files::listed(&content.attachments));
            entry["salt"] = json!(content.salt);
            entry["canonical"] = json!(canonical.canonical_json().ok());
            entry["commitment_verified"] = json!(matches);
            if !matches {
                entry["valid"] = json!(false);
                entry["invalid_reason"] = json!("commitment_mismatch");
                published.push(entry);
                continue;
            }
            let points = scores
                .iter()
                .find(|s| s.bidder == b.bidder)
                .and_then(|s| TechnicalPoints::from_hundredths(s.points_hundredths).ok());
            entry["technical_points"] = json!(points.map(|p| p.to_string()));
            revealed.push(RevealedBid {
                bid_id: b.id,
                price: content
                    .amount
                    .map(|a| TaxExclusive::new(musubi_domain::Yen::new(a))),
                lottery: LotteryNumber::parse(&content.lottery_number).ok(),
                received_at: b.received_at,
                technical_points: points,
            });
            published.push(entry);
        }
        let terms = EvaluationTerms {
            method: c.award_method,
            reserve_price: c.reserve_price,
            minimum_price: c.minimum_price,
            price_points: scoring.price_points,
            base_points: scoring.base_points,
        };
        let locked = scoring.locked_at.is_some();
        let mut pending = false;
        let (evaluation, winner, input_error) = match ScoringPhase::of(c.award_method) {
            Some(ScoringPhase::BeforeOpening) if !locked => {
                (Value::Null, Value::Null, Some(RoundError::ScoresNotLocked))
            }
            Some(ScoringPhase::AfterOpening) if !locked && !revealed.is_empty() => {
                pending = true;
                (Value::Null, Value::Null, None)
            }
            _ => match evaluate_round(terms, revealed, |bid_id| {
                bids.iter()
                    .find(|b| b.id == bid_id)
                    .map(|b| (b.bidder, b.bidder_name.clone()))
            }) {
                Ok((evaluation, winner)) => (evaluation, winner, None),
                Err(e) => (Value::Null, Value::Null, Some(RoundError::Terms(e))),
            },
        };
        let record = json!({
            "version": OPENING_RECORD_VERSION,
            "tender_id": id,
            "round": round,
            "opened_at": now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "kind": c.kind.code(),
            "award_method": c.award_method.code(),
            "reserve_price": c.reserve_price.map(|p| p.amount().amount()),
            "minimum_price": c.minimum_price.map(|p| p.amount().amount()),
            "price_points": scoring.price_points,
            "base_points": scoring.base_points,
            "scores_locked_at": scoring.locked_at,
            "bids": published,
            "evaluation": evaluation,
            "evaluation_pending": pending,
            "evaluation_error": input_error.as_ref().map(RoundError::code),
            "evaluation_error_message": input_error.as_ref().map(|e| json!({
                "ja": e.message_ja(),
                "en": e.message_en(),
            })),
            "winner": winner,
            "submission_closes_at": c.schedule.submission_closes_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "receipt_public_key": self.bid_keys().ok().map(|k| k.signer.public_key_base64()),
        });
        let unsuccessful = winner.is_null() && !pending;
        let mut steps = Vec::new();
        let mut events = vec![NewEvent {
            kind: EventKind::TenderOpened,
            audience: Audience::Participants,
            detail: json!({ "title": c.title }),
        }];
        if unsuccessful {
            steps.push(Transition::DeclareUnsuccessful);
            events.push(NewEvent {
                kind: EventKind::TenderUnsuccessful,
                audience: Audience::Participants,
                detail: json!({ "title": c.title }),
            });
        } else if c.award_method.needs_evaluation() {
            // Scored methods show the ranking under evaluation until the
            // buyer confirms; proposals wait there for their scores.
            steps.push(Transition::StartEvaluation);
        }
        Ok((
            NewOpening {
                tender_id: id,
                round,
                opened_at: now,
                record,
            },
            steps,
            events,
        ))
    }
}

/// Why a round could not be evaluated.
#[derive(Debug)]
enum RoundError {
    /// 総合評価 whose technical scores were not locked before the opening.
    ScoresNotLocked,
    /// The terms (prices, points) do not allow an evaluation.
    Terms(EvaluationInputError),
}

impl RoundError {
    fn code(&self) -> &'static str {
        match self {
            RoundError::ScoresNotLocked => "technical_scores_not_locked",
            RoundError::Terms(e) => e.code(),
        }
    }

    fn message_ja(&self) -> String {
        match self {
            RoundError::ScoresNotLocked => {
                "技術評価点が開札前に確定されていなかったため、評価を行えませんでした。".to_owned()
            }
            RoundError::Terms(e) => e.message_ja(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            RoundError::ScoresNotLocked => {
                "The technical scores were not locked before the opening, so the bids could not be evaluated.".to_owned()
            }
            RoundError::Terms(e) => e.message_en(),
        }
    }
}

/// The evaluation of a round as published (`{"input", "result"}`) and its
/// winner (`null` for 不調), naming the bidder through `bidder_of`.
fn evaluate_round(
    terms: EvaluationTerms,
    revealed: Vec<RevealedBid>,
    bidder_of: impl Fn(i64) -> Option<(OrgId, String)>,
) -> Result<(Value, Value), EvaluationInputError> {
    let input = EvaluationInput::new(terms, revealed)?;
    let e = evaluate(&input);
    let winner = match e.outcome() {
        Outcome::Winner { bid_id, price, .. } => {
            let with_tax = e.award_price(TaxRate::STANDARD).ok().flatten();
            let name = bidder_of(*bid_id);
            json!({
                "bid_id": bid_id,
                "bidder_org_id": name.as_ref().map(|n| n.0),
                "bidder_name": name.map(|n| n.1),
                "amount": price.map(|p| p.amount().amount()),
                "amount_tax_inclusive": with_tax.map(|p| p.amount().amount()),
            })
        }
        Outcome::Unsuccessful => Value::Null,
    };
    Ok((json!({ "input": input, "result": e }), winner))
}

/// Checks the input for the tender's kind; the salt is added later.
/// A proposal's text is the bidder's know-how: like its documents (see
/// `files.rs`), only the buyer and the bidder read it. Everyone else keeps
/// its SHA-256, which the published canonical bid and commitment cover, so
/// the opening stays verifiable.
fn withhold_proposals(record: &mut Value, buyer: bool, viewer: Option<OrgId>) {
    if buyer {
        return;
    }
    let Some(bids) = record.get_mut("bids").and_then(Value::as_array_mut) else {
        return;
    };
    for entry in bids {
        let own = viewer.is_some_and(|org| entry["bidder_org_id"].as_i64() == Some(org));
        if !own && entry.get("proposal").is_some_and(|p| !p.is_null()) {
            entry["proposal"] = Value::Null;
            entry["proposal_withheld"] = json!(true);
        }
    }
}

fn parse_bid(kind: TenderKind, input: &BidInput) -> ServiceResult<SealedContent> {
    let mut e = FieldErrors::new();
    let priced = matches!(kind, TenderKind::Rfq | TenderKind::SealedBid);
    let amount = if priced {
        e.take("amount", TaxExclusive::parse(input.amount.trim()))
            .map(|a| a.amount().amount())
            .filter(|a| {
                if *a <= 0 {
                    e.add(
                        "amount",
                        "amount_not_positive",
                        "入札金額は1円以上で入力してください。",
                        "The amount must be at least ¥1.",
                    );
                    false
                } else {
                    true
                }
            })
    } else {
        None
    };
    let lottery = e.take(
        "lottery_number",
        LotteryNumber::parse(input.lottery_number.trim()),
    );
    let proposal = if priced {
        None
    } else {
        e.text(
            "proposal",
            "提案内容",
            "proposal",
            &input.proposal,
            MAX_PROPOSAL_CHARS,
        );
        Some(input.proposal.trim().to_owned())
    };
    e.into_result()?;
    Ok(SealedContent {
        amount,
        lottery_number: lottery.map(|l| l.to_string()).unwrap_or_default(),
        proposal,
        salt: String::new(),
        attachments: Vec::new(),
    })
}

/// The canonical form of a bid, as committed at submission and checked at
/// the opening (see `crate::sealing::commitment`).
fn canonical_bid(
    tender: TenderId,
    round: u32,
    bidder: OrgId,
    content: &SealedContent,
) -> CanonicalBid {
    CanonicalBid {
        tender_id: tender,
        round,
        bidder_org_id: bidder,
        amount_yen: content.amount,
        lottery_number: Some(content.lottery_number.clone()),
        proposal_sha256: content
            .proposal
            .as_deref()
            .map(|p| BlobStore::digest(p.as_bytes())),
        attachments_sha256: content
            .attachments
            .iter()
            .map(|f| f.sha256.clone())
            .collect(),
    }
}
