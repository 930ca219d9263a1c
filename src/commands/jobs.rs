//! `musubi jobs …`: look at the queue, or exercise it with probe jobs.

use anyhow::{Context, Result};
use musubi_app::jobs::probe_job;

use super::open_storage;
use crate::cli::{GlobalArgs, JobsCommand};

pub async fn run(global: &GlobalArgs, cmd: JobsCommand) -> Result<()> {
    let storage = open_storage(global, true).await?;
    match cmd {
        JobsCommand::Status => {
            let c = storage.job_counts().await.context("counting jobs")?;
            println!(
                "queued {}  running {}  done {}  failed {}",
                c.queued, c.running, c.done, c.failed
            );
        }
        JobsCommand::Probe {
            count,
            sleep_ms,
            fail_attempts,
        } => {
            let jobs: Vec<_> = (0..count)
                .map(|_| probe_job(sleep_ms, fail_attempts))
                .collect();
            let ids = storage
                .enqueue_jobs(&jobs, chrono::Utc::now())
                .await
                .context("queueing probe jobs")?;
            match (ids.first(), ids.last()) {
                (Some(first), Some(last)) => {
                    println!("queued {} probe jobs (ids {first}..={last})", ids.len())
                }
                _ => println!("queued no probe jobs"),
            }
        }
    }
    Ok(())
}
