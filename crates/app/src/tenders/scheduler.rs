//! The scheduler: makes the time-driven steps of every tender (windows
//! opening and closing, 開札) when their instant comes.
//!
//! Each step is written with a compare-and-set on the tender's status, so
//! two schedulers (or a scheduler and a request that catches a tender up)
//! never make one step twice. A scheduler that was down catches up in one
//! pass: `due_transitions` gives every missed step, each recorded with the
//! instant it was scheduled for. The clock is the services' clock, so tests
//! drive weeks of a tender's life with a `ManualClock`.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use musubi_domain::tender::Transition;
use musubi_storage::{BidId, BidState, NewTransition, TenderId};
use tokio::sync::Notify;

use crate::Services;
use crate::error::ServiceResult;

/// Longest sleep between passes, so a tender changed by another process is
/// picked up without a wake-up.
const MAX_IDLE: Duration = Duration::from_secs(30);
/// The least wait after a pass that failed somewhere.
const FAILURE_PAUSE: Duration = Duration::from_secs(5);
/// Tenders taken per query.
const BATCH: u32 = 500;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SchedulerReport {
    pub tenders: usize,
    pub steps: usize,
    /// Tenders whose steps could not be made (logged; retried next pass).
    pub failed: usize,
}

/// Makes the steps of one tender due at `now`. `None` if there was nothing
/// to write or another scheduler wrote first; otherwise how many steps were
/// made (0 when only a stale due mark was corrected).
pub(super) async fn advance(
    services: &Services,
    id: TenderId,
    now: DateTime<Utc>,
) -> ServiceResult<Option<usize>> {
    let Some(tender) = services.storage.tender(id).await? else {
        return Ok(None);
    };
    if tender.status == musubi_domain::tender::TenderStatus::Draft {
        return Ok(None);
    }
    let schedule = Services::schedule_of(&tender)?;
    let due = schedule.due_transitions(tender.status, now);
    let stale_mark = tender.next_transition_at.is_some_and(|at| at <= now);
    if due.is_empty() && !stale_mark {
        return Ok(None);
    }
    let mut status = tender.status;
    let mut steps = Vec::with_capacity(due.len());
    for step in &due {
        status = status
            .apply(*step)
            .map_err(|e| crate::ServiceError::Internal(e.to_string()))?;
        steps.push(NewTransition {
            transition: *step,
            at: schedule.scheduled_at(*step).unwrap_or(now),
            actor: None,
            reason: None,
        });
    }
    // A new status is a new search document (a pass that only corrects the
    // due mark changes nothing searchable).
    let search_jobs = if steps.is_empty() {
        Vec::new()
    } else {
        vec![crate::search::tender_job(id)]
    };
    let moved = if due.contains(&Transition::Open) {
        // 開札: the opening record is written with the step, once.
        let (opening, after, events) = services.open_round(&tender, now).await?;
        for step in after {
            status = status
                .apply(step)
                .map_err(|e| crate::ServiceError::Internal(e.to_string()))?;
            steps.push(NewTransition {
                transition: step,
                at: schedule.opening_at(),
                actor: None,
                reason: None,
            });
        }
        // Stored only if the round still holds the bids it read: one
        // received before the deadline may commit after the read (the next
        // pass opens with it).
        let read = bids_read(&opening.record);
        services
            .storage
            .record_opening_of(
                &opening,
                Some(&read),
                tender.status,
                &steps,
                schedule.next_transition_at(status),
                &events,
                &search_jobs,
            )
            .await?
    } else {
        services
            .storage
            .transition_tender(
                id,
                tender.status,
                &steps,
                schedule.next_transition_at(status),
                None,
                now,
                &[],
                None,
                &search_jobs,
            )
            .await?
    };
    if moved {
        if !steps.is_empty() {
            services.wake_worker();
        }
        correct_next_due(services, id, now).await?;
    }
    Ok(moved.then_some(steps.len()))
}

/// The round's bids, `(id, state)`, as an opening record lists them (see
/// `open_round`: every bid of the round, withdrawn ones included).
fn bids_read(record: &serde_json::Value) -> Vec<(BidId, BidState)> {
    record["bids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| {
            Some((
                b["bid_id"].as_i64()?,
                BidState::parse(b["state"].as_str()?)?,
            ))
        })
        .collect()
}

/// An amendment that committed between our read and our write moved the
/// schedule; the due instant we wrote came from the old one. Recompute it
/// from what is stored now (the compare-and-set on the status keeps this
/// from undoing a newer step).
async fn correct_next_due(
    services: &Services,
    id: TenderId,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let Some(tender) = services.storage.tender(id).await? else {
        return Ok(());
    };
    let schedule = Services::schedule_of(&tender)?;
    let next = if tender.status.is_final() {
        None
    } else {
        schedule.next_transition_at(tender.status)
    };
    if next != tender.next_transition_at {
        services
            .storage
            .transition_tender(id, tender.status, &[], next, None, now, &[], None, &[])
            .await?;
    }
    Ok(())
}

impl Services {
    /// One pass: every tender with a step due at `now`.
    pub async fn advance_due_tenders(&self, now: DateTime<Utc>) -> ServiceResult<SchedulerReport> {
        let mut report = SchedulerReport::default();
        loop {
            let ids = self.storage.due_tenders(now, BATCH).await?;
            if ids.is_empty() {
                return Ok(report);
            }
            let mut wrote = 0;
            for id in &ids {
                // One tender that cannot be moved must not hold up the rest.
                match advance(self, *id, now).await {
                    Ok(Some(steps)) => {
                        wrote += 1;
                        report.tenders += 1;
                        report.steps += steps;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        report.failed += 1;
                        tracing::error!(tender = id, error = %e, "cannot make the tender's due steps");
                    }
                }
            }
            // Tenders this pass could not move would come back forever.
            if wrote == 0 || ids.len() < BATCH as usize {
                return Ok(report);
            }
        }
    }
}

/// Runs passes until `stop` resolves: at the next due instant, when woken
/// (a tender was published or amended), and at least every 30 seconds; and
/// signs the transparency log's head every `TREE_HEAD_INTERVAL`.
pub async fn run_scheduler(
    services: Services,
    wake: Arc<Notify>,
    stop: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(stop);
    tracing::info!("tender scheduler started");
    let mut last_tree_head: Option<std::time::Instant> = None;
    let mut digest_queued: Option<chrono::NaiveDate> = None;
    loop {
        // The saved searches' daily digest, queued once it is due (once per
        // day: the job's key; a restart after 07:00 queues the day's).
        let due = crate::alerts::due_digest_day(services.clock.now());
        if digest_queued != Some(due) {
            match services
                .storage
                .enqueue_jobs(&[crate::alerts::digest_job(due)], services.clock.now())
                .await
            {
                Ok(_) => digest_queued = Some(due),
                Err(e) => tracing::warn!(error = %e, "queuing the daily digest failed"),
            }
        }
        // The transparency log's regular signed head (when it has grown).
        if last_tree_head.is_none_or(|t| t.elapsed() >= crate::transparency::TREE_HEAD_INTERVAL) {
            last_tree_head = Some(std::time::Instant::now());
            if let Err(e) = services.latest_tree_head().await {
                tracing::warn!(error = %e, "signing the transparency log's tree head failed");
            }
        }
        let now = services.clock.now();
        // After a failed pass, wait a little: a tender that cannot be moved
        // stays due and must not turn the loop into a spin.
        let mut pause = Duration::ZERO;
        match services.advance_due_tenders(now).await {
            Ok(r) => {
                if r.steps > 0 {
                    tracing::info!(tenders = r.tenders, steps = r.steps, "tender steps made");
                }
                if r.failed > 0 {
                    pause = FAILURE_PAUSE;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "tender scheduler pass failed");
                pause = FAILURE_PAUSE;
            }
        }
        let sleep = match services.storage.next_transition_at().await {
            Ok(Some(at)) => (at - services.clock.now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .min(MAX_IDLE),
            _ => MAX_IDLE,
        }
        .max(pause);
        tokio::select! {
            _ = &mut stop => break,
            _ = wake.notified() => {}
            // At least a millisecond: a step due "now" that could not be
            // made must not spin.
            _ = tokio::time::sleep(sleep.max(Duration::from_millis(1))) => {}
        }
    }
    tracing::info!("tender scheduler stopped");
}
