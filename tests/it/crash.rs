//! SIGKILL a real worker process while jobs are queued and running, start
//! two fresh workers, and check that every job ran to completion exactly
//! once, on both databases.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use chrono::Utc;
use musubi_app::jobs::probe_job;
use musubi_storage::{JobStatus, RunOutcome};

use crate::support::{ChildGuard, TestDb, both_backends};

both_backends!(killed_worker_loses_and_repeats_nothing);

const JOBS: i64 = 60;
const LEASE_SECS: u64 = 2;

fn spawn_worker(db: &TestDb) -> ChildGuard {
    let child = db
        .musubi()
        .args(["worker", "--worker-concurrency", "4", "--job-poll-ms", "20"])
        .args(["--job-lease-secs", &LEASE_SECS.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start musubi worker");
    ChildGuard(child)
}

async fn killed_worker_loses_and_repeats_nothing(db: TestDb) {
    let jobs: Vec<_> = (0..JOBS).map(|_| probe_job(150, 0)).collect();
    let ids = db.storage.enqueue_jobs(&jobs, Utc::now()).await.unwrap();
    assert_eq!(ids.len() as i64, JOBS);

    let mut victim = spawn_worker(&db);
    let deadline = Instant::now() + Duration::from_secs(60);
    // Kill it while some jobs are done, some running and the rest queued.
    loop {
        let c = db.storage.job_counts().await.unwrap();
        if c.done >= 4 && c.running >= 1 && c.queued >= 1 {
            break;
        }
        assert!(Instant::now() < deadline, "worker never got going: {c:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    victim.0.kill().expect("SIGKILL the worker");
    victim.0.wait().unwrap();
    let at_kill = db.storage.job_counts().await.unwrap();
    assert!(
        at_kill.running >= 1,
        "the kill must leave jobs mid-run: {at_kill:?}"
    );
    let killed_worker = {
        let mut w = None;
        for id in &ids {
            if let Some(run) = db
                .storage
                .job_runs(*id)
                .await
                .unwrap()
                .into_iter()
                .find(|r| r.outcome.is_none())
            {
                w = Some(run.worker);
                break;
            }
        }
        w.expect("an open run of the killed worker")
    };

    let _a = spawn_worker(&db);
    let _b = spawn_worker(&db);
    loop {
        let c = db.storage.job_counts().await.unwrap();
        // The probes, not the jobs a worker queues itself (the scheduler's
        // daily digest).
        let mut probes_done = 0;
        for id in &ids {
            if db.storage.job(*id).await.unwrap().unwrap().status == JobStatus::Done {
                probes_done += 1;
            }
        }
        if probes_done == JOBS {
            break;
        }
        assert!(c.failed == 0, "no job may fail: {c:?}");
        assert!(
            Instant::now() < deadline,
            "jobs not finished after restart: {c:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut abandoned = 0;
    let mut succeeded_by: HashMap<String, usize> = HashMap::new();
    for id in &ids {
        let job = db.storage.job(*id).await.unwrap().unwrap();
        assert_eq!(job.status, JobStatus::Done, "job {id}");
        let runs = db.storage.job_runs(*id).await.unwrap();
        let ok: Vec<_> = runs
            .iter()
            .filter(|r| r.outcome == Some(RunOutcome::Succeeded))
            .collect();
        assert_eq!(ok.len(), 1, "job {id} must succeed exactly once: {runs:?}");
        *succeeded_by.entry(ok[0].worker.clone()).or_default() += 1;
        for r in &runs {
            match r.outcome {
                Some(RunOutcome::Succeeded) => {}
                Some(RunOutcome::Abandoned) => {
                    abandoned += 1;
                    assert_eq!(
                        r.worker, killed_worker,
                        "only the killed worker's runs are abandoned"
                    );
                    // The retry started only after the dead run's lease ran out.
                    assert!(
                        ok[0].started_at
                            >= r.started_at + chrono::Duration::seconds(LEASE_SECS as i64),
                        "job {id} re-ran before the lease expired: {runs:?}"
                    );
                }
                other => panic!("job {id} has an unexpected run outcome {other:?}: {runs:?}"),
            }
        }
    }
    assert_eq!(
        abandoned, at_kill.running,
        "each job running at the kill was abandoned once"
    );
    assert!(
        succeeded_by.len() >= 2,
        "work was shared across workers: {succeeded_by:?}"
    );
}
