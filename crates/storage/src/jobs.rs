//! The outbox: jobs queued by changes, claimed by workers under a lease.

use chrono::{DateTime, Utc};
use serde_json::Value;

pub type JobId = i64;

/// A job to queue. `kind` picks the handler; `payload` is its input.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub kind: String,
    pub payload: Value,
    /// Earliest run time; `None` means now.
    pub run_at: Option<DateTime<Utc>>,
    /// Jobs with the same key are queued once (an idempotency key): a job
    /// whose key is already held by a queued or done job is skipped. Keys
    /// made by [`NewJob::coalesce_key`] are held only while their job waits
    /// to be claimed.
    pub dedupe_key: Option<String>,
    pub max_attempts: u32,
}

impl NewJob {
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;

    pub fn new(kind: impl Into<String>, payload: Value) -> Self {
        NewJob {
            kind: kind.into(),
            payload,
            run_at: None,
            dedupe_key: None,
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
        }
    }

    pub fn run_at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }

    pub fn dedupe_key(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }

    /// Queues the job unless one with the same key is still waiting to be
    /// claimed; once a worker claims it, the key is free again. For jobs that
    /// read the current state when they run (search indexing): a burst of
    /// changes queues one job, and a change made after the claim — which the
    /// running job may not have seen — queues a new one, so none is lost.
    ///
    /// Both stores make the skip safe against a concurrent claim: SQLite has
    /// one writer, and PostgreSQL locks the waiting job until the skipping
    /// transaction commits, so that job cannot run before the change is
    /// visible.
    pub fn coalesce_key(mut self, key: impl AsRef<str>) -> Self {
        self.dedupe_key = Some(format!("{COALESCE_PREFIX}{}", key.as_ref()));
        self
    }

    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }
}

/// The prefix that marks a [`NewJob::coalesce_key`]: claims release such keys.
pub const COALESCE_PREFIX: &str = "coalesce:";

/// Which kinds of job a worker claims. Kinds are matched by prefix
/// (`"search."`), so a family of jobs can stay with the one process that can
/// run them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum KindFilter {
    #[default]
    All,
    /// Only kinds starting with this prefix.
    Only(String),
    /// Every kind except those starting with this prefix.
    Except(String),
}

impl KindFilter {
    /// `(mode, prefix)` for the claim's SQL: mode `all`, `only` or `except`.
    pub(crate) fn sql_args(&self) -> (&'static str, &str) {
        match self {
            KindFilter::All => ("all", ""),
            KindFilter::Only(p) => ("only", p),
            KindFilter::Except(p) => ("except", p),
        }
    }

    /// Whether a job of `kind` is claimed under this filter.
    pub fn admits(&self, kind: &str) -> bool {
        match self {
            KindFilter::All => true,
            KindFilter::Only(p) => kind.starts_with(p.as_str()),
            KindFilter::Except(p) => !kind.starts_with(p.as_str()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }

    pub(crate) fn parse(s: &str) -> crate::Result<Self> {
        Ok(match s {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "done" => JobStatus::Done,
            "failed" => JobStatus::Failed,
            other => {
                return Err(crate::StorageError::Corrupt {
                    field: "jobs.status",
                    message: format!("unknown status {other:?}"),
                });
            }
        })
    }
}

/// A stored job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: JobId,
    pub kind: String,
    pub payload: Value,
    pub status: JobStatus,
    pub attempts: u32,
    pub max_attempts: u32,
    pub run_at: DateTime<Utc>,
    pub dedupe_key: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A job claimed by a worker. The lease token fences out a worker whose lease
/// expired: its late `complete_job`/`fail_job` is refused.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    pub id: JobId,
    pub kind: String,
    pub payload: Value,
    /// This attempt's number, starting at 1.
    pub attempt: u32,
    pub max_attempts: u32,
    pub lease_token: String,
    pub locked_until: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    Succeeded,
    Failed,
    /// The worker vanished (crash, kill) before finishing; its lease expired.
    Abandoned,
}

impl RunOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            RunOutcome::Succeeded => "succeeded",
            RunOutcome::Failed => "failed",
            RunOutcome::Abandoned => "abandoned",
        }
    }

    pub(crate) fn parse(s: &str) -> crate::Result<Self> {
        Ok(match s {
            "succeeded" => RunOutcome::Succeeded,
            "failed" => RunOutcome::Failed,
            "abandoned" => RunOutcome::Abandoned,
            other => {
                return Err(crate::StorageError::Corrupt {
                    field: "job_runs.outcome",
                    message: format!("unknown outcome {other:?}"),
                });
            }
        })
    }
}

/// One attempt at a job: the ledger that shows every job ran exactly once.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRun {
    pub job_id: JobId,
    pub attempt: u32,
    pub worker: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `None` while the run is under way.
    pub outcome: Option<RunOutcome>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    pub queued: i64,
    pub running: i64,
    pub done: i64,
    pub failed: i64,
}

pub(crate) fn new_lease_token() -> String {
    use rand::Rng;
    let bytes: [u8; 16] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
