//! The job worker on both databases: retries with back-off, permanent
//! failures, panics, follow-up chains, and a clean stop.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use musubi_app::jobs::{
    JobError, JobHandler, JobOutput, Registry, Worker, WorkerConfig, probe_job,
};
use musubi_app::{Clock, ManualClock};
use musubi_storage::{ClaimedJob, JobStatus, NewJob, RunOutcome};
use serde_json::json;

use crate::support::{TestDb, both_backends};

both_backends!(
    retries_with_backoff_until_success,
    unknown_kind_fails_without_retry,
    panicking_handler_is_a_failed_attempt,
    follow_ups_run_after_their_parent,
    worker_drains_and_stops_cleanly,
);

fn config() -> WorkerConfig {
    WorkerConfig {
        worker_id: "test-worker".into(),
        concurrency: 4,
        lease: Duration::from_secs(60),
        poll_interval: Duration::from_millis(20),
        base_backoff: Duration::from_secs(10),
        max_backoff: Duration::from_secs(3600),
    }
}

fn clock() -> ManualClock {
    ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
}

async fn retries_with_backoff_until_success(db: TestDb) {
    let clock = clock();
    let worker = Worker::new(
        Arc::clone(&db.storage),
        Arc::new(clock.clone()),
        Registry::standard(),
        config(),
    );
    let id = db
        .storage
        .enqueue_jobs(&[probe_job(0, 2)], clock.now())
        .await
        .unwrap()[0];

    let r = worker.run_until_idle().await.unwrap();
    assert_eq!((r.succeeded, r.retried, r.failed), (0, 1, 0));
    let job = db.storage.job(id).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Queued);
    // First retry after base back-off (10 s ± 20 %), never sooner.
    let wait = job.run_at - clock.now();
    assert!(
        wait >= chrono::Duration::seconds(8) && wait <= chrono::Duration::seconds(12),
        "{wait}"
    );
    assert_eq!(
        worker.run_until_idle().await.unwrap().retried,
        0,
        "not due yet"
    );

    clock.set(job.run_at);
    assert_eq!(worker.run_until_idle().await.unwrap().retried, 1);
    let job = db.storage.job(id).await.unwrap().unwrap();
    // The second back-off doubles.
    let wait = job.run_at - clock.now();
    assert!(
        wait >= chrono::Duration::seconds(16) && wait <= chrono::Duration::seconds(24),
        "{wait}"
    );

    clock.set(job.run_at);
    assert_eq!(worker.run_until_idle().await.unwrap().succeeded, 1);
    let job = db.storage.job(id).await.unwrap().unwrap();
    assert_eq!((job.status, job.attempts), (JobStatus::Done, 3));
    let outcomes: Vec<_> = db
        .storage
        .job_runs(id)
        .await
        .unwrap()
        .iter()
        .map(|r| r.outcome)
        .collect();
    assert_eq!(
        outcomes,
        [
            Some(RunOutcome::Failed),
            Some(RunOutcome::Failed),
            Some(RunOutcome::Succeeded)
        ]
    );
}

async fn unknown_kind_fails_without_retry(db: TestDb) {
    let clock = clock();
    let worker = Worker::new(
        Arc::clone(&db.storage),
        Arc::new(clock.clone()),
        Registry::standard(),
        config(),
    );
    let id = db
        .storage
        .enqueue_jobs(&[NewJob::new("no.such.kind", json!({}))], clock.now())
        .await
        .unwrap()[0];
    let r = worker.run_until_idle().await.unwrap();
    assert_eq!(r.failed, 1);
    let job = db.storage.job(id).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Failed);
    assert!(
        job.last_error
            .unwrap()
            .contains("no handler for job kind 'no.such.kind'")
    );
}

struct Panics;

#[async_trait]
impl JobHandler for Panics {
    fn kind(&self) -> &'static str {
        "test.panics"
    }
    async fn run(&self, _job: &ClaimedJob) -> Result<JobOutput, JobError> {
        panic!("boom");
    }
}

async fn panicking_handler_is_a_failed_attempt(db: TestDb) {
    let clock = clock();
    let mut registry = Registry::standard();
    registry.register(Panics);
    let worker = Worker::new(
        Arc::clone(&db.storage),
        Arc::new(clock.clone()),
        registry,
        config(),
    );
    let id = db
        .storage
        .enqueue_jobs(
            &[NewJob::new("test.panics", json!({})).max_attempts(2)],
            clock.now(),
        )
        .await
        .unwrap()[0];
    assert_eq!(worker.run_until_idle().await.unwrap().retried, 1);
    clock.advance(chrono::Duration::hours(1));
    assert_eq!(worker.run_until_idle().await.unwrap().failed, 1);
    let job = db.storage.job(id).await.unwrap().unwrap();
    assert_eq!(
        (job.status, job.last_error.as_deref()),
        (JobStatus::Failed, Some("handler panicked"))
    );
}

/// Counts down: each job queues the next until zero.
struct Chain(Arc<AtomicUsize>);

#[async_trait]
impl JobHandler for Chain {
    fn kind(&self) -> &'static str {
        "test.chain"
    }
    async fn run(&self, job: &ClaimedJob) -> Result<JobOutput, JobError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        let left = job.payload["left"]
            .as_u64()
            .ok_or_else(|| JobError::Permanent("no left".into()))?;
        let follow_ups = if left == 0 {
            vec![]
        } else {
            vec![NewJob::new("test.chain", json!({ "left": left - 1 }))]
        };
        Ok(JobOutput { follow_ups })
    }
}

async fn follow_ups_run_after_their_parent(db: TestDb) {
    let clock = clock();
    let runs = Arc::new(AtomicUsize::new(0));
    let mut registry = Registry::new();
    registry.register(Chain(Arc::clone(&runs)));
    let worker = Worker::new(
        Arc::clone(&db.storage),
        Arc::new(clock.clone()),
        registry,
        config(),
    );
    db.storage
        .enqueue_jobs(
            &[NewJob::new("test.chain", json!({ "left": 4 }))],
            clock.now(),
        )
        .await
        .unwrap();
    let r = worker.run_until_idle().await.unwrap();
    assert_eq!(r.succeeded, 5);
    assert_eq!(runs.load(Ordering::SeqCst), 5);
    assert_eq!(db.storage.job_counts().await.unwrap().done, 5);
}

async fn worker_drains_and_stops_cleanly(db: TestDb) {
    let worker = Worker::new(
        Arc::clone(&db.storage),
        Arc::new(musubi_app::SystemClock),
        Registry::standard(),
        config(),
    );
    let jobs: Vec<_> = (0..20).map(|_| probe_job(20, 0)).collect();
    db.storage.enqueue_jobs(&jobs, Utc::now()).await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(worker.clone().run(async {
        let _ = rx.await;
    }));
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while db.storage.job_counts().await.unwrap().done < 20 {
        assert!(
            std::time::Instant::now() < deadline,
            "worker did not drain the queue"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A job queued while it runs is picked up promptly once the worker is woken.
    db.storage
        .enqueue_jobs(&[probe_job(0, 0)], Utc::now())
        .await
        .unwrap();
    worker.wake();
    while db.storage.job_counts().await.unwrap().done < 21 {
        assert!(
            std::time::Instant::now() < deadline,
            "worker missed the new job"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), handle)
        .await
        .expect("worker stops")
        .unwrap();
}
