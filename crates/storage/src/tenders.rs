//! Tenders (案件) and everything hanging off them before bids: versions
//! (訂正), status transitions, questions, applications and nominations,
//! attachments (metadata; the bytes live content-addressed in the data dir),
//! favourites, and notification events.
//!
//! Values arrive already checked by the service (the content's schedule was
//! validated, transitions were allowed by the domain's state machine); the
//! store keeps them and guards against races with compare-and-set on the
//! status and version.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musubi_domain::Prefecture;
use musubi_domain::tender::{
    Category, ContractMethod, TenderContent, TenderKind, TenderStatus, Transition,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{AuditEntry, NewJob, OrgId, Page, Paging, Result, UserId};

pub type TenderId = i64;

/// A tender as stored: the current content plus its life-cycle facts.
#[derive(Debug, Clone, PartialEq)]
pub struct Tender {
    pub id: TenderId,
    pub buyer: OrgId,
    /// The buyer organisation's name (joined, for pages and lists).
    pub buyer_name: String,
    pub status: TenderStatus,
    pub content: TenderContent,
    /// 1 for a draft and at publication; +1 for each amendment (訂正).
    pub version: i64,
    /// When the next time-driven transition is due (`None`: none pending).
    pub next_transition_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

impl Tender {
    /// Whether the tender was amended after publication (訂正あり).
    pub fn is_amended(&self) -> bool {
        self.version > 1
    }
}

/// One line of a list of tenders.
#[derive(Debug, Clone, PartialEq)]
pub struct TenderSummary {
    pub id: TenderId,
    pub buyer: OrgId,
    pub buyer_name: String,
    pub kind: TenderKind,
    pub category: Category,
    pub method: ContractMethod,
    pub status: TenderStatus,
    pub title: String,
    /// `None` for an online place.
    pub prefecture: Option<Prefecture>,
    pub version: i64,
    pub published_at: Option<DateTime<Utc>>,
    pub submission_closes_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Filters of the public list (newest publication first). Drafts are never
/// listed here. Empty / `None` means "any".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TenderQuery {
    pub kind: Option<TenderKind>,
    pub category: Option<Category>,
    pub statuses: Vec<TenderStatus>,
    pub prefecture: Option<Prefecture>,
    pub buyer: Option<OrgId>,
    pub paging: Paging,
    /// Skip the exact count (a "newest" box needs none, and counting a
    /// million rows is the slow part): `total` is then `offset` + the items.
    pub without_total: bool,
}

/// A saved version of a published tender's content.
#[derive(Debug, Clone, PartialEq)]
pub struct TenderVersion {
    pub version: i64,
    pub content: TenderContent,
    /// Why it changed (`None` for the version published first).
    pub reason: Option<String>,
    pub changed_by: Option<UserId>,
    pub changed_at: DateTime<Utc>,
}

/// One recorded step of the life cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct TransitionRecord {
    pub seq: i64,
    pub transition: Transition,
    pub from: TenderStatus,
    pub to: TenderStatus,
    /// The instant the step took effect: the scheduled instant for
    /// time-driven steps (even when the scheduler ran late), the moment of
    /// the decision otherwise.
    pub at: DateTime<Utc>,
    /// When it was written (differs from `at` after a catch-up).
    pub recorded_at: DateTime<Utc>,
    /// `None` for the scheduler.
    pub actor: Option<UserId>,
    pub reason: Option<String>,
}

/// A step to record, with the instant it takes effect.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTransition {
    pub transition: Transition,
    pub at: DateTime<Utc>,
    pub actor: Option<UserId>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub id: i64,
    pub tender_id: TenderId,
    /// Private: shown only to the asker's organisation and the buyer.
    pub asked_by: UserId,
    pub asker_org: OrgId,
    pub question: String,
    pub asked_at: DateTime<Utc>,
    pub answer: Option<String>,
    pub answered_by: Option<UserId>,
    pub answered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Waiting for the buyer.
    Pending,
    /// 指名: may take part.
    Accepted,
    /// 非指名.
    Rejected,
}

impl ApplicationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Pending => "pending",
            ApplicationStatus::Accepted => "accepted",
            ApplicationStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(ApplicationStatus::Pending),
            "accepted" => Some(ApplicationStatus::Accepted),
            "rejected" => Some(ApplicationStatus::Rejected),
            _ => None,
        }
    }
}

/// How a supplier came to take part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationOrigin {
    /// 希望申請 / 参加申請 by the supplier.
    Application,
    /// 指名 by the buyer (指名競争), accepted from the start.
    Nomination,
}

impl ApplicationOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationOrigin::Application => "application",
            ApplicationOrigin::Nomination => "nomination",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "application" => Some(ApplicationOrigin::Application),
            "nomination" => Some(ApplicationOrigin::Nomination),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Application {
    pub id: i64,
    pub tender_id: TenderId,
    pub supplier: OrgId,
    pub supplier_name: String,
    pub origin: ApplicationOrigin,
    pub status: ApplicationStatus,
    /// Who applied (or nominated).
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAttachment {
    /// Shown name, e.g. 仕様書.
    pub title: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    /// Lower-case hex SHA-256 of the bytes; also their name in the blob store.
    pub sha256: String,
    /// The attachment this one replaces (it is kept, marked superseded).
    pub replaces: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub id: i64,
    pub tender_id: TenderId,
    pub title: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub replaces: Option<i64>,
    /// Set when a newer file replaced this one.
    pub superseded_by: Option<i64>,
    pub uploaded_by: UserId,
    pub uploaded_at: DateTime<Utc>,
}

/// Why a notification event exists; delivery comes with notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A deadline moved (訂正).
    TenderDeadlineChanged,
    /// Any other amendment.
    TenderAmended,
    TenderCancelled,
    QuestionAnswered,
    ApplicationAccepted,
    ApplicationRejected,
    /// 指名 by the buyer.
    Nominated,
    /// 開札: the results are public.
    TenderOpened,
    /// 落札者決定.
    TenderAwarded,
    /// 不調: no valid bid.
    TenderUnsuccessful,
    /// A newly published tender matches one of the person's saved searches
    /// (`detail.saved_search_id`, `detail.saved_search_name`).
    SavedSearchMatch,
    /// A coordinator shared the tender with the supplier's region, with a note.
    TenderShared,
    /// To a buyer: a coordinator recommends a supplier for the tender.
    SupplierRecommended,
    /// To a supplier: a coordinator recommended it to the buyer of the tender.
    RecommendedToApply,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::TenderDeadlineChanged => "tender_deadline_changed",
            EventKind::TenderAmended => "tender_amended",
            EventKind::TenderCancelled => "tender_cancelled",
            EventKind::QuestionAnswered => "question_answered",
            EventKind::ApplicationAccepted => "application_accepted",
            EventKind::ApplicationRejected => "application_rejected",
            EventKind::Nominated => "nominated",
            EventKind::TenderOpened => "tender_opened",
            EventKind::TenderAwarded => "tender_awarded",
            EventKind::TenderUnsuccessful => "tender_unsuccessful",
            EventKind::SavedSearchMatch => "saved_search_match",
            EventKind::TenderShared => "tender_shared",
            EventKind::SupplierRecommended => "supplier_recommended",
            EventKind::RecommendedToApply => "recommended_to_apply",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            EventKind::TenderDeadlineChanged,
            EventKind::TenderAmended,
            EventKind::TenderCancelled,
            EventKind::QuestionAnswered,
            EventKind::ApplicationAccepted,
            EventKind::ApplicationRejected,
            EventKind::Nominated,
            EventKind::TenderOpened,
            EventKind::TenderAwarded,
            EventKind::TenderUnsuccessful,
            EventKind::SavedSearchMatch,
            EventKind::TenderShared,
            EventKind::SupplierRecommended,
            EventKind::RecommendedToApply,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// Who an event is for, resolved by the store inside the transaction that
/// makes the change (so nobody who took part is missed by a race).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Every member of organisations that applied, were nominated or bid
    /// (any state), users who asked a question, and users who favourited
    /// the tender.
    Participants,
    /// Every member of one organisation.
    Organization(OrgId),
    /// One person.
    User(UserId),
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub kind: EventKind,
    pub audience: Audience,
    pub detail: Value,
}

/// A notification event for one person.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationEvent {
    pub id: i64,
    pub user_id: UserId,
    pub kind: EventKind,
    pub tender_id: Option<TenderId>,
    pub detail: Value,
    pub created_at: DateTime<Utc>,
    /// When the person read it (opened the inbox item or marked it read).
    pub read_at: Option<DateTime<Utc>>,
}

/// Job kind that mails notification events to those who get event mail;
/// queued with the events, in their transaction (payload `{"events": [ids]}`).
pub const NOTIFY_EMAIL_KIND: &str = "notify.email";

/// The `notify.email` job for events just written.
pub fn notify_email_job(event_ids: &[i64]) -> NewJob {
    NewJob::new(
        NOTIFY_EMAIL_KIND,
        serde_json::json!({ "events": event_ids }),
    )
}

/// A tender the store should create as is (demo data, imports): content,
/// status and the transitions that led there.
#[derive(Debug, Clone, PartialEq)]
pub struct TenderImport {
    pub buyer: OrgId,
    pub created_by: UserId,
    pub status: TenderStatus,
    pub content: TenderContent,
    pub next_transition_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub transitions: Vec<NewTransition>,
    /// Answered questions: (asker user, asker org, question, answer, asked_at).
    pub questions: Vec<(UserId, OrgId, String, String, DateTime<Utc>)>,
    /// Attachments whose bytes are already in the blob store.
    pub attachments: Vec<NewAttachment>,
}

/// Tenders and what hangs off them.
#[async_trait]
pub trait TenderStore: Send + Sync {
    /// Creates a draft (version 1, status `draft`).
    async fn create_tender(
        &self,
        buyer: OrgId,
        creator: UserId,
        content: &TenderContent,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<TenderId>;

    async fn tender(&self, id: TenderId) -> Result<Option<Tender>>;

    /// Replaces a draft's content in place (no version is kept for drafts).
    /// `Conflict("stale_version")` if `expected_updated_at` differs,
    /// `Conflict("not_draft")` if it was published meanwhile.
    async fn update_draft(
        &self,
        id: TenderId,
        content: &TenderContent,
        expected_updated_at: DateTime<Utc>,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()>;

    /// Publishes a draft: status `published`, version 1 saved, the
    /// transition recorded, `next_transition_at` set.
    /// `Conflict("not_draft")` unless it is a draft.
    async fn publish_tender(
        &self,
        id: TenderId,
        transition: &NewTransition,
        next_transition_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        audit: AuditEntry,
        jobs: &[NewJob],
    ) -> Result<()>;

    /// Saves an amendment (訂正) as version `expected_version + 1` with its
    /// reason, and the events for it. `Conflict("stale_version")` if the
    /// version moved; `Conflict("status_changed")` unless the status is still
    /// `expected_status`.
    #[allow(clippy::too_many_arguments)]
    async fn amend_tender(
        &self,
        id: TenderId,
        content: &TenderContent,
        reason: &str,
        expected_version: i64,
        expected_status: TenderStatus,
        next_transition_at: Option<DateTime<Utc>>,
        actor: UserId,
        now: DateTime<Utc>,
        events: &[NewEvent],
        audit: AuditEntry,
        jobs: &[NewJob],
    ) -> Result<i64>;

    /// Moves a tender from `expected_status` through `steps` (already checked
    /// against the state machine), recording each; sets the final status,
    /// `next_transition_at` and (for a cancellation) the reason. Returns
    /// `false` and changes nothing if the status is no longer
    /// `expected_status` (someone else moved it: the step happened once).
    #[allow(clippy::too_many_arguments)]
    async fn transition_tender(
        &self,
        id: TenderId,
        expected_status: TenderStatus,
        steps: &[NewTransition],
        next_transition_at: Option<DateTime<Utc>>,
        cancel_reason: Option<&str>,
        now: DateTime<Utc>,
        events: &[NewEvent],
        audit: Option<AuditEntry>,
        jobs: &[NewJob],
    ) -> Result<bool>;

    /// Tenders whose `next_transition_at` has come, earliest first.
    async fn due_tenders(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<TenderId>>;
    /// The earliest pending `next_transition_at` of any tender.
    async fn next_transition_at(&self) -> Result<Option<DateTime<Utc>>>;

    async fn tender_versions(&self, id: TenderId) -> Result<Vec<TenderVersion>>;
    async fn tender_transitions(&self, id: TenderId) -> Result<Vec<TransitionRecord>>;

    /// Up to `limit` public tenders (never drafts) whose id is above `after`,
    /// in id order (keyset paging: rebuilding the search index streams them
    /// all).
    async fn public_tenders_after(&self, after: TenderId, limit: u32) -> Result<Vec<Tender>>;

    /// Public tenders (never drafts) matching the filters, newest first.
    async fn list_tenders(&self, query: &TenderQuery) -> Result<Page<TenderSummary>>;
    /// All of a buyer's tenders, drafts included, most recently updated first.
    async fn buyer_tenders(&self, buyer: OrgId, paging: Paging) -> Result<Page<TenderSummary>>;

    /// A question, private until answered.
    async fn ask_question(
        &self,
        tender: TenderId,
        asker: UserId,
        asker_org: OrgId,
        question: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64>;
    /// Answers (or corrects an answer to) a question of this tender.
    /// `NotFound` if the question is not this tender's.
    #[allow(clippy::too_many_arguments)]
    async fn answer_question(
        &self,
        tender: TenderId,
        question: i64,
        answer: &str,
        actor: UserId,
        now: DateTime<Utc>,
        events: &[NewEvent],
        audit: AuditEntry,
    ) -> Result<()>;
    /// Every question of a tender, oldest first.
    async fn questions(&self, tender: TenderId) -> Result<Vec<Question>>;

    /// Records an application or a nomination. `Conflict("already_applied")`
    /// if the supplier already has one for this tender.
    #[allow(clippy::too_many_arguments)]
    async fn create_application(
        &self,
        tender: TenderId,
        supplier: OrgId,
        origin: ApplicationOrigin,
        actor: UserId,
        now: DateTime<Utc>,
        events: &[NewEvent],
        audit: AuditEntry,
    ) -> Result<i64>;
    /// Accepts or rejects a pending application. `NotFound` if it is not
    /// this tender's; `Conflict("already_decided")` unless pending.
    #[allow(clippy::too_many_arguments)]
    async fn decide_application(
        &self,
        tender: TenderId,
        application: i64,
        status: ApplicationStatus,
        reason: Option<&str>,
        actor: UserId,
        now: DateTime<Utc>,
        events: &[NewEvent],
        audit: AuditEntry,
    ) -> Result<()>;
    /// A tender's applications, oldest first.
    async fn applications(&self, tender: TenderId) -> Result<Vec<Application>>;
    /// A supplier's application for a tender, if any.
    async fn application_of(
        &self,
        tender: TenderId,
        supplier: OrgId,
    ) -> Result<Option<Application>>;

    /// Records an uploaded file; with `replaces`, marks that one superseded.
    /// `NotFound` if `replaces` is not a current attachment of this tender.
    async fn add_attachment(
        &self,
        tender: TenderId,
        attachment: &NewAttachment,
        actor: UserId,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64>;
    /// Every attachment of a tender, superseded ones included, oldest first.
    async fn attachments(&self, tender: TenderId) -> Result<Vec<Attachment>>;
    async fn attachment(&self, tender: TenderId, id: i64) -> Result<Option<Attachment>>;

    async fn add_tender_favourite(
        &self,
        user: UserId,
        tender: TenderId,
        now: DateTime<Utc>,
    ) -> Result<()>;
    async fn remove_tender_favourite(&self, user: UserId, tender: TenderId) -> Result<()>;
    async fn is_tender_favourite(&self, user: UserId, tender: TenderId) -> Result<bool>;

    /// The supplier's tenders: favourited by `user`, applied for, or asked
    /// about by `org`; most recently updated first.
    async fn my_tenders(
        &self,
        user: UserId,
        org: Option<OrgId>,
        paging: Paging,
    ) -> Result<Page<TenderSummary>>;

    /// A person's notification events, newest first.
    async fn notification_events(
        &self,
        user: UserId,
        paging: Paging,
    ) -> Result<Page<NotificationEvent>>;

    /// Creates tenders as given, in one transaction (demo data, imports).
    async fn import_tenders(&self, tenders: &[TenderImport]) -> Result<u64>;
}
