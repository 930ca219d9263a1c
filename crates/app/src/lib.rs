//! Musubi services: the use cases that HTTP handlers and CLI commands share,
//! the clock they read, and the worker that drains the outbox.
//!
//! Handlers stay thin: they parse a request, call one service function and
//! render the result as HTML or JSON. Rules live in `musubi-domain`; data
//! lives behind `musubi-storage`.

pub mod accounts;
pub mod admin;
pub mod alerts;
pub mod awards;
pub mod blobs;
pub mod clock;
pub mod companies;
pub mod coordination;
pub mod demo;
pub mod error;
pub mod jobs;
pub mod mail;
pub mod matching;
pub mod organizations;
pub mod sealing;
pub mod search;
pub mod secrets;
pub mod seed;
pub mod tenders;
pub mod throttle;
pub mod transparency;

use std::sync::Arc;

use musubi_storage::Storage;
use tokio::sync::Notify;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{FieldError, FieldErrors, ServiceError, ServiceResult};

/// Registrations and password-reset mails one address may cause per hour.
pub const MAILS_PER_ADDRESS_PER_HOUR: usize = 20;

/// Settings the services need.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The portal's public address, for links in mail (no trailing slash).
    pub base_url: String,
    /// Where files live (attachments under `blobs/`).
    pub data_dir: std::path::PathBuf,
    /// The minimum 公告期間 in days between publication and the submission
    /// deadline.
    pub min_publication_days: u32,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            base_url: String::new(),
            data_dir: std::path::PathBuf::from("data"),
            min_publication_days: musubi_domain::tender::DEFAULT_MIN_PUBLICATION_DAYS,
        }
    }
}

/// Who is asking, for the audit log and rate limits.
#[derive(Debug, Clone, Default)]
pub struct RequestCtx {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The use cases, shared by HTTP handlers and CLI commands. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub storage: Arc<dyn Storage>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<AppConfig>,
    /// Wakes the job worker after queuing jobs, so mail goes out at once.
    pub worker_wake: Option<Arc<Notify>>,
    /// Registrations and reset mails per client address.
    pub mail_throttle: Arc<throttle::Throttle>,
    /// Wakes the tender scheduler after a publication or an amendment.
    pub scheduler_wake: Option<Arc<Notify>>,
    /// The full-text index, in the one process that owns it (`serve`;
    /// `None` elsewhere: searches then answer "unavailable", and this
    /// process's worker must not claim `search.*` jobs).
    pub search: Option<Arc<musubi_search::SearchIndex>>,
    /// Serialises index writes (jobs and rebuilds) with their reads of the
    /// database, so an older read never overwrites a newer one.
    search_writes: Arc<tokio::sync::Mutex<()>>,
    /// The sealing keys, loaded on first use (see `tenders::bids`).
    bid_keys: Arc<std::sync::Mutex<Option<Arc<tenders::BidKeys>>>>,
    /// One tree head signed at a time in this process (see `transparency`).
    tree_head_signing: Arc<tokio::sync::Mutex<()>>,
    /// The in-memory candidates of recommendations (see `matching`).
    matching: Arc<matching::Snapshot>,
    /// The alerting saved searches, parsed (see `alerts`).
    alerting: Arc<alerts::AlertingCache>,
    /// Tree heads signed for receipts, kept in memory (see `transparency`).
    receipt_heads: Arc<std::sync::Mutex<transparency::RecentHeads>>,
}

impl Services {
    pub fn new(storage: Arc<dyn Storage>, clock: Arc<dyn Clock>, config: AppConfig) -> Self {
        Services {
            storage,
            clock,
            config: Arc::new(config),
            worker_wake: None,
            scheduler_wake: None,
            search: None,
            search_writes: Arc::new(tokio::sync::Mutex::new(())),
            bid_keys: Arc::new(std::sync::Mutex::new(None)),
            tree_head_signing: Arc::new(tokio::sync::Mutex::new(())),
            matching: Arc::default(),
            alerting: Arc::default(),
            receipt_heads: Arc::new(std::sync::Mutex::new(Default::default())),
            mail_throttle: Arc::new(throttle::Throttle::new(
                MAILS_PER_ADDRESS_PER_HOUR,
                chrono::Duration::hours(1),
            )),
        }
    }

    /// These services with the search index (the process that owns it).
    pub fn with_search(mut self, index: Arc<musubi_search::SearchIndex>) -> Self {
        self.search = Some(index);
        self
    }

    fn wake_worker(&self) {
        if let Some(w) = &self.worker_wake {
            w.notify_one();
        }
    }
}

/// The calendar year in Japan at `now` (for "year founded ≤ this year").
pub fn japan_year(now: chrono::DateTime<chrono::Utc>) -> i32 {
    use chrono::Datelike;
    musubi_domain::japan_date(now).year()
}
