//! The `probe` job: a diagnostic that exercises the whole pipeline (queue,
//! claim, lease, retry, completion) without touching anything else.
//! `musubi jobs probe` queues a batch so an operator can watch it drain.

use std::time::Duration;

use async_trait::async_trait;
use musubi_storage::{ClaimedJob, NewJob};
use serde::{Deserialize, Serialize};

use super::{JobError, JobHandler, JobOutput};

pub const PROBE_KIND: &str = "probe";

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct ProbePayload {
    /// How long each run takes.
    #[serde(default)]
    sleep_ms: u64,
    /// The first this many attempts fail (to watch retries and back-off).
    #[serde(default)]
    fail_attempts: u32,
}

pub fn probe_job(sleep_ms: u64, fail_attempts: u32) -> NewJob {
    NewJob::new(
        PROBE_KIND,
        serde_json::to_value(ProbePayload {
            sleep_ms,
            fail_attempts,
        })
        .expect("plain struct serialises"),
    )
}

pub struct ProbeHandler;

#[async_trait]
impl JobHandler for ProbeHandler {
    fn kind(&self) -> &'static str {
        PROBE_KIND
    }

    async fn run(&self, job: &ClaimedJob) -> Result<JobOutput, JobError> {
        let p: ProbePayload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::Permanent(format!("bad probe payload: {e}")))?;
        tokio::time::sleep(Duration::from_millis(p.sleep_ms)).await;
        if job.attempt <= p.fail_attempts {
            return Err(JobError::Retry(format!(
                "probe failing on purpose (attempt {} of {} failing)",
                job.attempt, p.fail_attempts
            )));
        }
        Ok(JobOutput::default())
    }
}
