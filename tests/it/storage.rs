//! The storage behaviour suite: the same assertions on SQLite and PostgreSQL.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use musubi_storage::{JobStatus, NewJob, RunOutcome, StorageError};
use serde_json::json;

use crate::support::{TestDb, both_backends};

both_backends!(
    migrate_is_idempotent,
    claims_due_jobs_in_order_once,
    future_jobs_wait_for_their_time,
    dedupe_key_queues_once,
    completion_queues_follow_ups_atomically,
    expired_lease_is_reclaimed_and_fenced,
    failure_retries_then_fails_for_good,
    dead_worker_on_last_attempt_fails_job,
    concurrent_claimers_never_share_a_job,
    payload_round_trips_unicode_json,
);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap()
}

fn job(n: u32) -> NewJob {
    NewJob::new("probe", json!({ "n": n }))
}

async fn migrate_is_idempotent(db: TestDb) {
    let again = db.storage.migrate().await.unwrap();
    assert!(
        again.applied.is_empty(),
        "second migrate applied {:?}",
        again.applied
    );
    assert!(again.already_applied >= 1);
    db.storage.ping().await.unwrap();
    let tables: Vec<String> = db
        .storage
        .schema()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    for t in ["jobs", "job_runs", "schema_migrations"] {
        assert!(
            tables.contains(&t.to_owned()),
            "missing table {t} in {tables:?}"
        );
    }
}

async fn claims_due_jobs_in_order_once(db: TestDb) {
    let s = &db.storage;
    let ids = s
        .enqueue_jobs(&[job(1), job(2), job(3)], t0())
        .await
        .unwrap();
    assert_eq!(ids.len(), 3);
    let first = s
        .claim_jobs("w1", t0(), Duration::seconds(60), 2)
        .await
        .unwrap();
    assert_eq!(first.iter().map(|c| c.id).collect::<Vec<_>>(), ids[..2]);
    assert!(first.iter().all(|c| c.attempt == 1 && c.kind == "probe"));
    let second = s
        .claim_jobs("w2", t0(), Duration::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(second.iter().map(|c| c.id).collect::<Vec<_>>(), ids[2..]);
    assert!(
        s.claim_jobs("w3", t0(), Duration::seconds(60), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let counts = s.job_counts().await.unwrap();
    assert_eq!((counts.queued, counts.running), (0, 3));
    let runs = s.job_runs(ids[0]).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(
        (runs[0].worker.as_str(), runs[0].attempt, runs[0].outcome),
        ("w1", 1, None)
    );
}

async fn future_jobs_wait_for_their_time(db: TestDb) {
    let s = &db.storage;
    let later = t0() + Duration::minutes(10);
    let ids = s.enqueue_jobs(&[job(1).run_at(later)], t0()).await.unwrap();
    assert!(
        s.claim_jobs("w", t0() + Duration::minutes(9), Duration::seconds(60), 5)
            .await
            .unwrap()
            .is_empty()
    );
    let got = s
        .claim_jobs("w", later, Duration::seconds(60), 5)
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, ids[0]);
}

async fn dedupe_key_queues_once(db: TestDb) {
    let s = &db.storage;
    let a = s
        .enqueue_jobs(&[job(1).dedupe_key("mail:42")], t0())
        .await
        .unwrap();
    let b = s
        .enqueue_jobs(&[job(2).dedupe_key("mail:42"), job(3)], t0())
        .await
        .unwrap();
    assert_eq!(a.len(), 1);
    assert_eq!(b.len(), 1, "only the job without a duplicate key is queued");
    let stored = s.job(a[0]).await.unwrap().unwrap();
    assert_eq!(
        stored.payload,
        json!({"n": 1}),
        "the first job is kept unchanged"
    );
    assert_eq!(s.job_counts().await.unwrap().queued, 2);
}

async fn completion_queues_follow_ups_atomically(db: TestDb) {
    let s = &db.storage;
    s.enqueue_jobs(&[job(1)], t0()).await.unwrap();
    let claim = s
        .claim_jobs("w", t0(), Duration::seconds(60), 1)
        .await
        .unwrap()
        .remove(0);
    let done_at = t0() + Duration::seconds(5);
    s.complete_job(&claim, done_at, &[job(10), job(11)])
        .await
        .unwrap();
    let stored = s.job(claim.id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Done);
    assert_eq!(stored.finished_at, Some(done_at));
    assert_eq!(stored.attempts, 1);
    let runs = s.job_runs(claim.id).await.unwrap();
    assert_eq!(runs[0].outcome, Some(RunOutcome::Succeeded));
    assert_eq!(s.job_counts().await.unwrap().queued, 2);
    // A second completion is refused and queues nothing more.
    let again = s.complete_job(&claim, done_at, &[job(12)]).await;
    assert!(
        matches!(again, Err(StorageError::LeaseLost(id)) if id == claim.id),
        "{again:?}"
    );
    assert_eq!(s.job_counts().await.unwrap().queued, 2);
    // Done jobs are never claimed again.
    let next = s
        .claim_jobs("w", t0() + Duration::days(1), Duration::seconds(60), 10)
        .await
        .unwrap();
    assert!(next.iter().all(|c| c.id != claim.id));
}

async fn expired_lease_is_reclaimed_and_fenced(db: TestDb) {
    let s = &db.storage;
    let id = s.enqueue_jobs(&[job(1)], t0()).await.unwrap()[0];
    let a = s
        .claim_jobs("dead", t0(), Duration::seconds(30), 1)
        .await
        .unwrap()
        .remove(0);
    // Before the lease ends nobody else gets it.
    assert!(
        s.claim_jobs("b", t0() + Duration::seconds(29), Duration::seconds(30), 1)
            .await
            .unwrap()
            .is_empty()
    );
    let b = s
        .claim_jobs("b", t0() + Duration::seconds(30), Duration::seconds(30), 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!((b.id, b.attempt), (id, 2));
    assert_ne!(a.lease_token, b.lease_token);
    // The old holder can neither complete nor fail the job any more.
    assert!(matches!(
        s.complete_job(&a, t0() + Duration::seconds(31), &[]).await,
        Err(StorageError::LeaseLost(_))
    ));
    assert!(matches!(
        s.fail_job(&a, t0() + Duration::seconds(31), "x", None)
            .await,
        Err(StorageError::LeaseLost(_))
    ));
    s.complete_job(&b, t0() + Duration::seconds(40), &[])
        .await
        .unwrap();
    let runs = s.job_runs(id).await.unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(
        (runs[0].worker.as_str(), runs[0].outcome),
        ("dead", Some(RunOutcome::Abandoned))
    );
    assert_eq!(
        (runs[1].worker.as_str(), runs[1].outcome),
        ("b", Some(RunOutcome::Succeeded))
    );
}

async fn failure_retries_then_fails_for_good(db: TestDb) {
    let s = &db.storage;
    let id = s
        .enqueue_jobs(&[job(1).max_attempts(2)], t0())
        .await
        .unwrap()[0];
    let c1 = s
        .claim_jobs("w", t0(), Duration::seconds(60), 1)
        .await
        .unwrap()
        .remove(0);
    let retry_at = t0() + Duration::seconds(20);
    s.fail_job(
        &c1,
        t0() + Duration::seconds(1),
        "smtp busy",
        Some(retry_at),
    )
    .await
    .unwrap();
    let stored = s.job(id).await.unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.last_error.as_deref()),
        (JobStatus::Queued, Some("smtp busy"))
    );
    assert!(
        s.claim_jobs(
            "w",
            retry_at - Duration::seconds(1),
            Duration::seconds(60),
            1
        )
        .await
        .unwrap()
        .is_empty()
    );
    let c2 = s
        .claim_jobs("w", retry_at, Duration::seconds(60), 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(c2.attempt, 2);
    s.fail_job(&c2, retry_at, "bad address", None)
        .await
        .unwrap();
    let stored = s.job(id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Failed);
    assert_eq!(stored.last_error.as_deref(), Some("bad address"));
    assert!(stored.finished_at.is_some());
    let runs = s.job_runs(id).await.unwrap();
    assert_eq!(
        runs.iter().map(|r| r.outcome).collect::<Vec<_>>(),
        [Some(RunOutcome::Failed); 2]
    );
    assert_eq!(runs[0].error.as_deref(), Some("smtp busy"));
    assert_eq!(s.job_counts().await.unwrap().failed, 1);
}

async fn dead_worker_on_last_attempt_fails_job(db: TestDb) {
    let s = &db.storage;
    let id = s
        .enqueue_jobs(&[job(1).max_attempts(1)], t0())
        .await
        .unwrap()[0];
    s.claim_jobs("dead", t0(), Duration::seconds(10), 1)
        .await
        .unwrap();
    assert!(
        s.claim_jobs("w", t0() + Duration::seconds(11), Duration::seconds(10), 1)
            .await
            .unwrap()
            .is_empty()
    );
    let stored = s.job(id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Failed);
    assert!(stored.last_error.unwrap().contains("worker lost"));
    assert_eq!(
        s.job_runs(id).await.unwrap()[0].outcome,
        Some(RunOutcome::Abandoned)
    );
}

async fn concurrent_claimers_never_share_a_job(db: TestDb) {
    let s = Arc::clone(&db.storage);
    let jobs: Vec<NewJob> = (0..300).map(job).collect();
    s.enqueue_jobs(&jobs, t0()).await.unwrap();
    let mut tasks = Vec::new();
    for w in 0..8 {
        let s = Arc::clone(&s);
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = s
                    .claim_jobs(&format!("w{w}"), t0(), Duration::seconds(600), 7)
                    .await
                    .unwrap();
                if got.is_empty() {
                    return mine;
                }
                for c in got {
                    s.complete_job(&c, t0(), &[]).await.unwrap();
                    mine.push(c.id);
                }
            }
        }));
    }
    let mut seen = HashSet::new();
    for t in tasks {
        for id in t.await.unwrap() {
            assert!(seen.insert(id), "job {id} was claimed twice");
        }
    }
    assert_eq!(seen.len(), 300);
    assert_eq!(s.job_counts().await.unwrap().done, 300);
}

async fn payload_round_trips_unicode_json(db: TestDb) {
    let payload = json!({"件名": "東京ビッグサイト 清掃業務", "amount": 12_345_678_901_i64, "nested": [1, null, "ｶﾅ"]});
    let id = db
        .storage
        .enqueue_jobs(&[NewJob::new("probe", payload.clone())], t0())
        .await
        .unwrap()[0];
    assert_eq!(db.storage.job(id).await.unwrap().unwrap().payload, payload);
    let c = db
        .storage
        .claim_jobs("w", t0(), Duration::seconds(5), 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(c.payload, payload);
    assert!(db.storage.job(id + 1000).await.unwrap().is_none());
}
