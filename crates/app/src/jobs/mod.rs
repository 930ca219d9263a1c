//! The outbox worker: claims due jobs under a lease, runs their handler,
//! records the outcome, retries failures with exponential back-off.
//!
//! Guarantees, on SQLite and PostgreSQL alike:
//! - a job is claimed by one worker at a time (single-statement claim on
//!   SQLite, `FOR UPDATE SKIP LOCKED` on PostgreSQL);
//! - a job whose completion was committed never runs again;
//! - a job whose worker died is claimed again once its lease expires, and
//!   the dead run is recorded as abandoned in `job_runs`;
//! - a handler that outlives its lease is cut off first (its timeout is
//!   shorter than the lease), so two live runs of one job never overlap.
//!
//! A handler's follow-up jobs are queued in the same transaction that marks
//! the job done, so a crash cannot lose them or queue them twice.

mod probe;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use musubi_storage::{ClaimedJob, KindFilter, NewJob, Storage, StorageError};
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;
use tracing::{Instrument, debug, info, info_span, warn};

pub use probe::{PROBE_KIND, ProbeHandler, probe_job};

use crate::Clock;

/// What a successful run hands back: jobs to queue atomically with its completion.
#[derive(Debug, Default)]
pub struct JobOutput {
    pub follow_ups: Vec<NewJob>,
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt (network down, SMTP busy, …).
    #[error("{0}")]
    Retry(String),
    /// Will never succeed (bad payload, unknown kind): fail without retrying.
    #[error("{0}")]
    Permanent(String),
}

#[async_trait]
pub trait JobHandler: Send + Sync + 'static {
    /// The `kind` this handler runs.
    fn kind(&self) -> &'static str;
    async fn run(&self, job: &ClaimedJob) -> Result<JobOutput, JobError>;
}

/// Handlers by kind.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// The handlers every Musubi process runs.
    pub fn standard() -> Self {
        let mut r = Self::new();
        r.register(ProbeHandler);
        r
    }

    pub fn register(&mut self, handler: impl JobHandler) -> &mut Self {
        self.handlers.insert(handler.kind(), Arc::new(handler));
        self
    }

    fn get(&self, kind: &str) -> Option<Arc<dyn JobHandler>> {
        self.handlers.get(kind).cloned()
    }
}

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Names this process in `jobs.locked_by` and `job_runs.worker`.
    pub worker_id: String,
    /// Jobs run at once by this worker.
    pub concurrency: usize,
    /// How long a claim is exclusive. A dead worker's jobs wait this long.
    pub lease: Duration,
    /// How often to look for due jobs when nobody wakes the worker.
    pub poll_interval: Duration,
    /// First retry delay; doubles each attempt up to `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            worker_id: default_worker_id(),
            concurrency: 4,
            lease: Duration::from_secs(300),
            poll_interval: Duration::from_millis(500),
            base_backoff: Duration::from_secs(5),
            max_backoff: Duration::from_secs(3600),
        }
    }
}

fn default_worker_id() -> String {
    use rand::Rng;
    format!(
        "pid{}-{:04x}",
        std::process::id(),
        rand::rng().random::<u16>()
    )
}

impl WorkerConfig {
    /// Handlers are cut off before their lease ends, so a reclaimed job never
    /// has two live runs.
    fn handler_timeout(&self) -> Duration {
        self.lease.mul_f64(0.8)
    }

    /// Delay before retry number `attempt` (1-based), with ±20 % jitter so
    /// a burst of failures does not retry in lockstep.
    pub fn backoff(&self, attempt: u32) -> Duration {
        use rand::Rng;
        let exp = 2u32.saturating_pow(attempt.saturating_sub(1).min(30));
        let plain = self.base_backoff.saturating_mul(exp).min(self.max_backoff);
        plain.mul_f64(rand::rng().random_range(0.8..=1.2))
    }
}

/// Drains the jobs table. Cheap to clone; all clones share one wake-up signal.
#[derive(Clone)]
pub struct Worker {
    storage: Arc<dyn Storage>,
    clock: Arc<dyn Clock>,
    registry: Registry,
    config: Arc<WorkerConfig>,
    /// The kinds this worker claims (all, unless some must stay with
    /// another process: search jobs run where the index is).
    kinds: Arc<KindFilter>,
    wake: Arc<Notify>,
}

/// What a bounded run did (for `run_until_idle`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DrainReport {
    pub succeeded: usize,
    pub retried: usize,
    pub failed: usize,
}

enum Outcome {
    Succeeded,
    Retried,
    Failed,
    LeaseLost,
}

impl Worker {
    pub fn new(
        storage: Arc<dyn Storage>,
        clock: Arc<dyn Clock>,
        registry: Registry,
        config: WorkerConfig,
    ) -> Self {
        Worker {
            storage,
            clock,
            registry,
            config: Arc::new(config),
            kinds: Arc::new(KindFilter::All),
            wake: Arc::new(Notify::new()),
        }
    }

    /// Claims only the kinds `kinds` admits; the others wait for a worker
    /// that takes them (they are neither run nor failed here).
    pub fn with_kinds(mut self, kinds: KindFilter) -> Self {
        self.kinds = Arc::new(kinds);
        self
    }

    pub fn kinds(&self) -> &KindFilter {
        &self.kinds
    }

    /// Tells the worker that jobs were just queued, so it need not wait for
    /// its next poll.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// The signal [`Worker::wake`] uses, for services that queue jobs.
    pub fn waker(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }

    pub fn config(&self) -> &WorkerConfig {
        &self.config
    }

    /// Runs until `shutdown` resolves, then lets jobs under way finish.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let slots = Arc::new(Semaphore::new(self.config.concurrency.max(1)));
        let mut running = JoinSet::new();
        tokio::pin!(shutdown);
        info!(worker = %self.config.worker_id, "job worker started");
        loop {
            while running.try_join_next().is_some() {}
            let free = slots.available_permits();
            let claimed = if free == 0 {
                Vec::new()
            } else {
                match self
                    .storage
                    .claim_jobs_of(
                        &self.config.worker_id,
                        self.clock.now(),
                        lease_as_chrono(self.config.lease),
                        free as u32,
                        &self.kinds,
                    )
                    .await
                {
                    Ok(jobs) => jobs,
                    Err(e) => {
                        warn!(error = %e, "claiming jobs failed; will retry");
                        Vec::new()
                    }
                }
            };
            let idle = claimed.is_empty();
            for job in claimed {
                let permit = Arc::clone(&slots)
                    .acquire_owned()
                    .await
                    .expect("semaphore never closed");
                let this = self.clone();
                running.spawn(async move {
                    this.execute(job).await;
                    drop(permit);
                });
            }
            if !idle && slots.available_permits() > 0 {
                // More may be due right away: look again, unless told to stop.
                tokio::select! {
                    biased;
                    _ = &mut shutdown => break,
                    _ = std::future::ready(()) => {}
                }
                continue;
            }
            // Idle, or every slot busy: wait for a reason to look again.
            tokio::select! {
                _ = &mut shutdown => break,
                _ = self.wake.notified(), if idle => {}
                _ = tokio::time::sleep(self.config.poll_interval), if idle => {}
                Some(_) = running.join_next(), if !running.is_empty() => {}
            }
        }
        info!(
            in_flight = running.len(),
            "job worker stopping; letting jobs under way finish"
        );
        while running.join_next().await.is_some() {}
    }

    /// Runs due jobs until none is left (tests and one-shot commands).
    pub async fn run_until_idle(&self) -> Result<DrainReport, StorageError> {
        let mut report = DrainReport::default();
        loop {
            let jobs = self
                .storage
                .claim_jobs_of(
                    &self.config.worker_id,
                    self.clock.now(),
                    lease_as_chrono(self.config.lease),
                    self.config.concurrency.max(1) as u32,
                    &self.kinds,
                )
                .await?;
            if jobs.is_empty() {
                return Ok(report);
            }
            let mut set = JoinSet::new();
            for job in jobs {
                let this = self.clone();
                set.spawn(async move { this.execute(job).await });
            }
            while let Some(done) = set.join_next().await {
                match done {
                    Ok(Outcome::Succeeded) => report.succeeded += 1,
                    Ok(Outcome::Retried) => report.retried += 1,
                    Ok(Outcome::Failed) => report.failed += 1,
                    Ok(Outcome::LeaseLost) | Err(_) => {}
                }
            }
        }
    }

    async fn execute(&self, job: ClaimedJob) -> Outcome {
        let span = info_span!("job", id = job.id, kind = %job.kind, attempt = job.attempt);
        async {
            let result = match self.registry.get(&job.kind) {
                None => Err(JobError::Permanent(format!(
                    "no handler for job kind '{}'",
                    job.kind
                ))),
                Some(handler) => {
                    // Run in its own task so a panicking handler is an
                    // ordinary failure, not a dead worker.
                    let job2 = job.clone();
                    let task = tokio::spawn(async move { handler.run(&job2).await });
                    let abort = task.abort_handle();
                    match tokio::time::timeout(self.config.handler_timeout(), task).await {
                        Ok(Ok(result)) => result,
                        Ok(Err(join)) if join.is_panic() => {
                            Err(JobError::Retry("handler panicked".to_owned()))
                        }
                        Ok(Err(join)) => Err(JobError::Retry(format!("handler stopped: {join}"))),
                        Err(_) => {
                            abort.abort();
                            Err(JobError::Retry(format!(
                                "handler timed out after {:?}",
                                self.config.handler_timeout()
                            )))
                        }
                    }
                }
            };
            self.record(&job, result).await
        }
        .instrument(span)
        .await
    }

    async fn record(&self, job: &ClaimedJob, result: Result<JobOutput, JobError>) -> Outcome {
        let now = self.clock.now();
        let (stored, outcome) = match result {
            Ok(output) => {
                let queued_more = !output.follow_ups.is_empty();
                let r = self
                    .storage
                    .complete_job(job, now, &output.follow_ups)
                    .await;
                if r.is_ok() && queued_more {
                    self.wake();
                }
                debug!("job succeeded");
                (r, Outcome::Succeeded)
            }
            Err(e) => {
                let retry_at = match &e {
                    JobError::Retry(_) if job.attempt < job.max_attempts => {
                        Some(now + lease_as_chrono(self.config.backoff(job.attempt)))
                    }
                    _ => None,
                };
                warn!(error = %e, retry_at = ?retry_at, "job failed");
                let outcome = if retry_at.is_some() {
                    Outcome::Retried
                } else {
                    Outcome::Failed
                };
                (
                    self.storage
                        .fail_job(job, now, &e.to_string(), retry_at)
                        .await,
                    outcome,
                )
            }
        };
        match stored {
            Ok(()) => outcome,
            Err(StorageError::LeaseLost(id)) => {
                warn!(job = id, "lease lost: another worker took the job over");
                Outcome::LeaseLost
            }
            Err(e) => {
                // The lease will expire and another attempt will follow.
                warn!(error = %e, "could not record the job's outcome");
                Outcome::LeaseLost
            }
        }
    }
}

fn lease_as_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}
