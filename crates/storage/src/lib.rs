//! Storage: one trait ([`Storage`]), one implementation per database.
//!
//! Each implementation owns its SQL and its migrations (`migrations/sqlite`,
//! `migrations/postgres`); the behaviour suite in `tests/it/storage` runs the
//! same assertions against both, and a schema test keeps their tables and
//! columns identical.
//!
//! Derived work (search indexing, mail, notifications) is queued in the `jobs`
//! table *in the same transaction* as the change that causes it: write methods
//! take the jobs to enqueue and insert them before committing.

mod accounts;
mod alerts;
mod bids;
mod coordination;
mod error;
mod group_commit;
mod jobs;
mod migrate;
mod postgres;
mod sqlite;
mod tenders;
mod transparency;
mod url;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub use accounts::*;
pub use alerts::*;
pub use bids::*;
pub use coordination::*;
pub use error::StorageError;
pub use jobs::{
    COALESCE_PREFIX, ClaimedJob, Job, JobCounts, JobId, JobRun, JobStatus, KindFilter, NewJob,
    RunOutcome,
};
pub use migrate::MigrationReport;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use tenders::*;
pub use transparency::*;
pub use url::{DatabaseUrl, DatabaseUrlError};

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// Which database an implementation talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A table and its columns, as the database reports them (for the drift test).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSchema {
    pub name: String,
    pub columns: Vec<String>,
}

/// Everything Musubi stores goes through this trait.
#[async_trait]
pub trait Storage:
    AccountStore
    + AlertStore
    + OrganizationStore
    + InvitationStore
    + CompanyStore
    + AuditStore
    + TenderStore
    + BidStore
    + TransparencyStore
    + CoordinationStore
    + Send
    + Sync
    + 'static
{
    fn backend(&self) -> Backend;

    /// Cheap round trip to the database, for `/readyz`.
    async fn ping(&self) -> Result<()>;

    /// Applies pending migrations; refuses to run if an applied one was edited.
    async fn migrate(&self) -> Result<MigrationReport>;

    /// Tables and columns of the current schema, sorted by name.
    async fn schema(&self) -> Result<Vec<TableSchema>>;

    /// Refreshes the query planner's statistics (after bulk imports, which
    /// otherwise leave the planner guessing until the next automatic run).
    async fn analyze(&self) -> Result<()>;

    // --- jobs (the outbox) -------------------------------------------------

    /// Queues jobs on their own. Changes that cause jobs enqueue them in their
    /// own transaction instead; this is for jobs with no such change.
    /// A job whose `dedupe_key` is already queued or done is skipped (a
    /// [`NewJob::coalesce_key`] only while queued).
    async fn enqueue_jobs(&self, jobs: &[NewJob], now: DateTime<Utc>) -> Result<Vec<JobId>>;

    /// Atomically claims up to `limit` due jobs for `worker`: queued jobs whose
    /// `run_at` has come, and running jobs whose lease expired (their worker
    /// died). Each claim gets a fresh lease token and a row in `job_runs`,
    /// and releases the job's coalescing key.
    async fn claim_jobs(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: u32,
    ) -> Result<Vec<ClaimedJob>> {
        self.claim_jobs_of(worker, now, lease, limit, &KindFilter::All)
            .await
    }

    /// [`Storage::claim_jobs`], of the kinds `kinds` admits only.
    async fn claim_jobs_of(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: u32,
        kinds: &KindFilter,
    ) -> Result<Vec<ClaimedJob>>;

    /// Marks a claimed job done and queues its follow-up jobs in one
    /// transaction. Fails with [`StorageError::LeaseLost`] if the lease expired
    /// and the job was claimed again meanwhile.
    async fn complete_job(
        &self,
        claim: &ClaimedJob,
        now: DateTime<Utc>,
        follow_ups: &[NewJob],
    ) -> Result<()>;

    /// Records a failed attempt. With `retry_at` the job is queued again for
    /// then; without it the job is failed for good.
    async fn fail_job(
        &self,
        claim: &ClaimedJob,
        now: DateTime<Utc>,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()>;

    async fn job(&self, id: JobId) -> Result<Option<Job>>;
    async fn job_runs(&self, id: JobId) -> Result<Vec<JobRun>>;
    async fn job_counts(&self) -> Result<JobCounts>;
}

/// Opens the database named by `url` (without migrating it).
pub async fn connect(url: &DatabaseUrl) -> Result<Arc<dyn Storage>> {
    Ok(match url {
        DatabaseUrl::Sqlite(path) => Arc::new(SqliteStore::open(path).await?),
        DatabaseUrl::Postgres(url) => Arc::new(PgStore::connect(url).await?),
    })
}

/// Groups `(table, column)` rows, already sorted, into [`TableSchema`]s.
fn group_columns(rows: Vec<(String, String)>) -> Vec<TableSchema> {
    let mut tables: Vec<TableSchema> = Vec::new();
    for (table, column) in rows {
        match tables.last_mut() {
            Some(t) if t.name == table => t.columns.push(column),
            _ => tables.push(TableSchema {
                name: table,
                columns: vec![column],
            }),
        }
    }
    tables
}

fn counts_from(rows: Vec<(String, i64)>) -> JobCounts {
    let mut counts = JobCounts::default();
    for (status, n) in rows {
        match status.as_str() {
            "queued" => counts.queued = n,
            "running" => counts.running = n,
            "done" => counts.done = n,
            "failed" => counts.failed = n,
            _ => {}
        }
    }
    counts
}
