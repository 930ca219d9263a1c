//! Saved searches (検索条件の保存) and their alerts, and the notification
//! inbox's read state and mail setting.
//!
//! An alert is recorded once per (saved search, tender) — `saved_search_hits`
//! is the memory that makes a re-run (a retried job, a crash) alert nothing
//! twice — together with its in-app event and the job that mails it, in one
//! transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{NewJob, NotificationEvent, Result, TenderId, UserId};

pub type SavedSearchId = i64;

/// How a saved search alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertFrequency {
    /// One alert per matching tender, as soon as it is published.
    Instant,
    /// One digest a day of the day's matching tenders.
    Daily,
    /// Kept for searching, no alerts.
    None,
}

impl AlertFrequency {
    pub const ALL: [AlertFrequency; 3] = [
        AlertFrequency::Instant,
        AlertFrequency::Daily,
        AlertFrequency::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertFrequency::Instant => "instant",
            AlertFrequency::Daily => "daily",
            AlertFrequency::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SavedSearch {
    pub id: SavedSearchId,
    pub user_id: UserId,
    pub name: String,
    /// The tender list's query string (`q=…&prefecture=13`).
    pub query: String,
    /// The search as parsed (a serialised `TenderSearch`).
    pub criteria: Value,
    pub frequency: AlertFrequency,
    /// Alerts by mail too (in-app always, unless the frequency is `None`).
    pub email: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewSavedSearch {
    pub user_id: UserId,
    pub name: String,
    pub query: String,
    pub criteria: Value,
    pub frequency: AlertFrequency,
    pub email: bool,
}

/// What the owner may change of a saved search (the search itself is
/// replaced by saving a new one).
#[derive(Debug, Clone, PartialEq)]
pub struct SavedSearchUpdate {
    pub name: String,
    pub frequency: AlertFrequency,
    pub email: bool,
}

/// A tender a saved search found; `detail` is its event's.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertHit {
    pub saved_search_id: SavedSearchId,
    pub user_id: UserId,
    pub tender_id: TenderId,
    pub detail: Value,
    /// A daily search's hit: it waits for the digest (no event yet).
    pub for_digest: bool,
}

/// One digest of one saved search: the hits it reports, recorded at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    pub saved_search_id: SavedSearchId,
    pub hits: Vec<AlertHit>,
    /// The digest's mail, when the search alerts by mail.
    pub mail: Option<NewJob>,
}

/// Who gets mail about an event, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct MailRecipient {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    /// "ja" or "en".
    pub locale: String,
    /// Mail for notification events (訂正, 中止 …) is on.
    pub event_mail: bool,
}

#[async_trait]
pub trait AlertStore {
    /// Saves a search, refused with `Conflict` once the person has `max` of them.
    async fn create_saved_search(
        &self,
        new: &NewSavedSearch,
        max: u32,
        now: DateTime<Utc>,
    ) -> Result<SavedSearch>;
    async fn saved_search(&self, id: SavedSearchId) -> Result<Option<SavedSearch>>;
    /// A person's saved searches, oldest first.
    async fn saved_searches_of(&self, user: UserId) -> Result<Vec<SavedSearch>>;
    /// `None` when there is no such saved search of `user`. Leaving `Daily`
    /// drops the hits that waited for a digest.
    async fn update_saved_search(
        &self,
        id: SavedSearchId,
        user: UserId,
        update: &SavedSearchUpdate,
        now: DateTime<Utc>,
    ) -> Result<Option<SavedSearch>>;
    /// False when there is no such saved search of `user`.
    async fn delete_saved_search(&self, id: SavedSearchId, user: UserId) -> Result<bool>;
    /// Mail on or off (one-click unsubscribe); false when it does not exist.
    async fn set_saved_search_email(
        &self,
        id: SavedSearchId,
        email: bool,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// A fingerprint of all saved searches — (count, highest id, sum of
    /// their revisions) — that changes whenever one is added, changed or
    /// deleted, whatever the clocks say: caches of them compare it instead of
    /// re-reading them.
    async fn saved_searches_version(&self) -> Result<(i64, i64, i64)>;
    /// Every saved search that alerts `frequency`ly.
    async fn alerting_saved_searches(&self, frequency: AlertFrequency) -> Result<Vec<SavedSearch>>;
    /// Records the hits not recorded before — an instant one with its in-app
    /// event and (through the event) the job that mails it, a daily one
    /// waiting for the digest; returns how many were new.
    async fn record_alert_hits(&self, hits: &[AlertHit], now: DateTime<Utc>) -> Result<usize>;
    /// The hits waiting for a digest, of searches that are still daily:
    /// (saved search, tender), by saved search then tender.
    async fn pending_digest_hits(&self) -> Result<Vec<(SavedSearchId, TenderId)>>;
    /// Records a digest: the hits still waiting are marked digested, each
    /// with its in-app event (no mail of its own), and the digest mail is
    /// queued if any was; returns how many were. A digest recorded before
    /// (a re-run) records nothing.
    async fn record_digest(&self, digest: &Digest, now: DateTime<Utc>) -> Result<usize>;
    /// Tenders a saved search has alerted about, newest first.
    async fn saved_search_hits(
        &self,
        id: SavedSearchId,
        limit: u32,
    ) -> Result<Vec<(TenderId, DateTime<Utc>)>>;

    /// How many of a person's events are unread.
    async fn unread_events(&self, user: UserId) -> Result<i64>;
    /// Marks some (`Some(ids)`) or all of a person's events read; returns how many changed.
    async fn mark_events_read(
        &self,
        user: UserId,
        ids: Option<&[i64]>,
        now: DateTime<Utc>,
    ) -> Result<u64>;
    /// Events by id (any person's: for the mail job).
    async fn events_by_ids(&self, ids: &[i64]) -> Result<Vec<NotificationEvent>>;
    async fn mail_recipients(&self, users: &[UserId]) -> Result<Vec<MailRecipient>>;
    /// Mail for notification events on or off.
    async fn set_event_mail(&self, user: UserId, on: bool, now: DateTime<Utc>) -> Result<()>;
}
