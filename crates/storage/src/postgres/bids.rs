//! PostgreSQL: sealed bids (入札), their openings (開札), the scoring of
//! 総合評価 and awards (落札者決定).
//!
//! The guards run under row locks, so concurrent writers see each other:
//! a bid or a withdrawal holds the tender row `FOR SHARE` (bids do not wait
//! for each other) while the opening and the award lock it `FOR UPDATE`
//! (through `lock_tender`), so an opening waits for the bids in flight and
//! sees them, and a bid that waited for an opening sees the round opened.
//! Two standing bids of one bidder and round meet at the partial unique
//! index; scoring writes lock the tender's `tender_scoring` row, created on
//! first use. Receipts and opening records are JSONB.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musubi_domain::tender::TenderStatus;
use musubi_domain::transparency::entry::{LogEntry, OpeningEntry};
use sqlx::postgres::{PgPool, PgRow};
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, Postgres, Row, Transaction};

use super::accounts::{clamp_limit, clamp_offset, corrupt, db_error};
use super::tenders::{advance, finish_write, lock_tender, status_from};
use super::transparency::{append_log, log_received};
use super::{PgStore, insert_jobs};
use crate::bids::{award_entry, bids_unchanged, takes_bids};
use crate::group_commit::Flush;
use crate::{
    AuditEntry, Award, BidId, BidState, BidStore, NewAward, NewBid, NewEvent, NewJob, NewOpening,
    NewRebid, NewTransition, Opening, OrgId, Page, Paging, Result, ScoreLock, Scoring,
    StorageError, StoredBid, TechnicalScore, TenderId, TenderKeyRow, UserId,
};

/// The columns of a [`StoredBid`] from `bids b JOIN organizations o`.
macro_rules! bid_columns {
    () => {
        "b.id, b.tender_id, b.round, b.bidder_org_id, o.name AS bidder_name, b.submitted_by,
         b.received_at, b.commitment, b.sealed, b.receipt, b.state, b.withdrawn_at,
         b.withdraw_reason"
    };
}

/// `SELECT … FROM` for an [`Award`]: the award, its tender, the buyer and
/// the bidder.
macro_rules! select_awards {
    () => {
        "SELECT a.tender_id, a.round, a.bid_id, a.bidder_org_id, bo.name AS bidder_name,
             a.amount_tax_exclusive, a.amount_tax_inclusive, a.decided_by, a.decided_at,
             t.title AS tender_title, t.buyer_id, o.name AS buyer_name
         FROM awards a JOIN tenders t ON t.id = a.tender_id
         JOIN organizations o ON o.id = t.buyer_id
         JOIN organizations bo ON bo.id = a.bidder_org_id"
    };
}

fn conflict(code: &str) -> StorageError {
    StorageError::Conflict(code.to_owned())
}

/// [`db_error`], plus the one standing bid per bidder and round.
fn bid_error(e: sqlx::Error) -> StorageError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
        && db.constraint() == Some("bids_one_submitted")
    {
        return conflict("bid_exists");
    }
    db_error(e)
}

// --- values ------------------------------------------------------------------------

/// A round or points as written to an `INTEGER` column.
fn int4(field: &'static str, n: u32) -> Result<i32> {
    i32::try_from(n).map_err(|_| {
        StorageError::Database(sqlx::Error::Encode(
            format!("{field}: {n} is out of range").into(),
        ))
    })
}

fn opt_int4(field: &'static str, n: Option<u32>) -> Result<Option<i32>> {
    n.map(|n| int4(field, n)).transpose()
}

fn u32_from(field: &'static str, n: i32) -> Result<u32> {
    u32::try_from(n).map_err(|e| corrupt(field, e))
}

fn opt_u32_from(field: &'static str, n: Option<i32>) -> Result<Option<u32>> {
    n.map(|n| u32_from(field, n)).transpose()
}

// --- rows ---------------------------------------------------------------------------

fn key_from_row(row: &PgRow) -> Result<TenderKeyRow> {
    Ok(TenderKeyRow {
        tender_id: row.try_get("tender_id")?,
        wrapped: row.try_get("wrapped")?,
        master_key_id: row.try_get("master_key_id")?,
        created_at: row.try_get("created_at")?,
    })
}

fn bid_from_row(row: &PgRow) -> Result<StoredBid> {
    let state: &str = row.try_get("state")?;
    Ok(StoredBid {
        id: row.try_get("id")?,
        tender_id: row.try_get("tender_id")?,
        round: u32_from("bids.round", row.try_get("round")?)?,
        bidder: row.try_get("bidder_org_id")?,
        bidder_name: row.try_get("bidder_name")?,
        submitted_by: row.try_get("submitted_by")?,
        received_at: row.try_get("received_at")?,
        commitment: row.try_get("commitment")?,
        sealed: row.try_get("sealed")?,
        receipt: row.try_get::<Json<serde_json::Value>, _>("receipt")?.0,
        state: BidState::parse(state).ok_or_else(|| corrupt("bids.state", state))?,
        withdrawn_at: row.try_get("withdrawn_at")?,
        withdraw_reason: row.try_get("withdraw_reason")?,
    })
}

fn opening_from_row(row: &PgRow) -> Result<Opening> {
    Ok(Opening {
        tender_id: row.try_get("tender_id")?,
        round: u32_from("bid_openings.round", row.try_get("round")?)?,
        opened_at: row.try_get("opened_at")?,
        record: row.try_get::<Json<serde_json::Value>, _>("record")?.0,
    })
}

fn award_from_row(row: &PgRow) -> Result<Award> {
    Ok(Award {
        tender_id: row.try_get("tender_id")?,
        round: u32_from("awards.round", row.try_get("round")?)?,
        bid_id: row.try_get("bid_id")?,
        bidder: row.try_get("bidder_org_id")?,
        bidder_name: row.try_get("bidder_name")?,
        amount_tax_exclusive: row.try_get("amount_tax_exclusive")?,
        amount_tax_inclusive: row.try_get("amount_tax_inclusive")?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
        tender_title: row.try_get("tender_title")?,
        buyer: row.try_get("buyer_id")?,
        buyer_name: row.try_get("buyer_name")?,
    })
}

fn score_from_row(row: &PgRow) -> Result<TechnicalScore> {
    Ok(TechnicalScore {
        tender_id: row.try_get("tender_id")?,
        bidder: row.try_get("bidder_org_id")?,
        bidder_name: row.try_get("bidder_name")?,
        points_hundredths: u32_from(
            "technical_scores.points_hundredths",
            row.try_get("points_hundredths")?,
        )?,
        entered_by: row.try_get("entered_by")?,
        entered_at: row.try_get("entered_at")?,
    })
}

// --- guards, inside the writing transaction -------------------------------------------

async fn is_opened(
    tx: &mut Transaction<'static, Postgres>,
    tender: TenderId,
    round: i32,
) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM bid_openings WHERE tender_id = $1 AND round = $2)",
    )
    .bind(tender)
    .bind(round)
    .fetch_one(&mut **tx)
    .await?)
}

/// Round `round` takes bids: the tender is `tendering`, or `closed` (a bid
/// the service received before the deadline may commit after the scheduler
/// closed), and the round is not opened (else
/// `Conflict("not_accepting_bids")`); `NotFound` without the tender. Holds the tender row `FOR SHARE` until the commit: an opening
/// cannot slip in between this check and the bid.
async fn check_accepting(
    tx: &mut Transaction<'static, Postgres>,
    tender: TenderId,
    round: i32,
) -> Result<()> {
    let status: String = sqlx::query_scalar("SELECT status FROM tenders WHERE id = $1 FOR SHARE")
        .bind(tender)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StorageError::NotFound)?;
    // A statement after the lock: it sees an opening that committed while
    // this transaction waited for it.
    if !takes_bids(status_from("tenders.status", &status)?) || is_opened(tx, tender, round).await? {
        return Err(conflict("not_accepting_bids"));
    }
    Ok(())
}

// --- intake (group commit) ------------------------------------------------------

/// A bid waiting for its commit.
pub(super) struct PendingBid {
    bid: NewBid,
    jobs: Vec<NewJob>,
}

/// Stores queued bids, many per transaction (see [`crate::group_commit`]):
/// the bids that arrive during one commit's WAL flush share the next.
pub(super) struct BidIntake {
    pool: PgPool,
}

impl BidIntake {
    pub(super) fn new(pool: PgPool) -> Self {
        BidIntake { pool }
    }
}

impl Flush for BidIntake {
    type Item = PendingBid;
    type Output = BidId;

    async fn flush(&self, items: Vec<PendingBid>) -> Result<Vec<Result<BidId>>> {
        let mut tx = self.pool.begin().await?;
        // Each round's check once, outside the savepoints: a row lock taken
        // in a savepoint that is rolled back would be lost. The `FOR SHARE`
        // lock keeps the answer until the commit.
        let mut rounds: HashMap<(TenderId, i32), Option<StorageError>> = HashMap::new();
        for PendingBid { bid, .. } in &items {
            let Ok(round) = int4("bids.round", bid.round) else {
                continue;
            };
            if let Entry::Vacant(slot) = rounds.entry((bid.tender_id, round)) {
                slot.insert(match check_accepting(&mut tx, bid.tender_id, round).await {
                    Ok(()) => None,
                    Err(e @ (StorageError::NotFound | StorageError::Conflict(_))) => Some(e),
                    Err(e) => return Err(e),
                });
            }
        }
        let mut results = Vec::with_capacity(items.len());
        for PendingBid { bid, jobs } in &items {
            let round = match int4("bids.round", bid.round) {
                Ok(r) => r,
                Err(e) => {
                    results.push(Err(e));
                    continue;
                }
            };
            match &rounds[&(bid.tender_id, round)] {
                Some(StorageError::NotFound) => {
                    results.push(Err(StorageError::NotFound));
                    continue;
                }
                Some(_) => {
                    results.push(Err(conflict("not_accepting_bids")));
                    continue;
                }
                None => {}
            }
            // Any failed statement aborts a PostgreSQL transaction: each bid
            // under its own savepoint, so its refusal is its own.
            sqlx::query("SAVEPOINT bid").execute(&mut *tx).await?;
            let written = match insert_one(&mut tx, bid, round).await {
                Ok(id) => insert_jobs(&mut tx, jobs, bid.received_at)
                    .await
                    .map(|_| id),
                Err(e) => Err(e),
            };
            match written {
                Ok(id) => {
                    sqlx::query("RELEASE SAVEPOINT bid")
                        .execute(&mut *tx)
                        .await?;
                    results.push(Ok(id));
                }
                Err(e @ (StorageError::Conflict(_) | StorageError::NotFound)) => {
                    sqlx::query("ROLLBACK TO SAVEPOINT bid")
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("RELEASE SAVEPOINT bid")
                        .execute(&mut *tx)
                        .await?;
                    results.push(Err(e));
                }
                // Anything else fails the batch: nothing of it commits.
                Err(e) => return Err(e),
            }
        }
        // The log's head is locked last, after the tenders: the order every
        // writer takes them in, so no two wait for each other.
        log_received(&mut tx, &items, &results, |p| &p.bid).await?;
        tx.commit().await?;
        Ok(results)
    }
}

/// Inserts the bid unless its bidder has a standing bid in the round
/// (`Conflict("bid_exists")`); two first bids racing past the check (from
/// two processes) meet at the unique index.
async fn insert_one(
    tx: &mut Transaction<'static, Postgres>,
    bid: &NewBid,
    round: i32,
) -> Result<BidId> {
    let id: Option<BidId> = sqlx::query_scalar(
        "INSERT INTO bids (tender_id, round, bidder_org_id, submitted_by, received_at,
             commitment, sealed, receipt, state)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, 'submitted'
         WHERE NOT EXISTS (SELECT 1 FROM bids WHERE tender_id = $1 AND round = $2
                              AND bidder_org_id = $3 AND state = 'submitted')
         RETURNING id",
    )
    .bind(bid.tender_id)
    .bind(round)
    .bind(bid.bidder)
    .bind(bid.submitted_by)
    .bind(bid.received_at)
    .bind(&bid.commitment)
    .bind(&bid.sealed)
    .bind(Json(&bid.receipt))
    .fetch_optional(&mut **tx)
    .await
    .map_err(bid_error)?;
    id.ok_or_else(|| conflict("bid_exists"))
}

/// How a scoring write locks the tender's scoring row.
#[derive(Clone, Copy)]
enum ScoringLock {
    /// Changes the set-up itself.
    Update,
    /// Enters one score: scores of several bidders go in side by side.
    Share,
}

/// Creates the tender's scoring row if missing and locks it; then
/// `Conflict("scores_locked")` once the scores are locked. `NotFound`
/// without the tender.
async fn check_unlocked(
    tx: &mut Transaction<'static, Postgres>,
    tender: TenderId,
    lock: ScoringLock,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO tender_scoring (tender_id) VALUES ($1) ON CONFLICT (tender_id) DO NOTHING",
    )
    .bind(tender)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    let sql = match lock {
        ScoringLock::Update => {
            "SELECT locked_at FROM tender_scoring WHERE tender_id = $1 FOR UPDATE"
        }
        ScoringLock::Share => "SELECT locked_at FROM tender_scoring WHERE tender_id = $1 FOR SHARE",
    };
    let locked_at: Option<DateTime<Utc>> = sqlx::query_scalar(sql)
        .bind(tender)
        .fetch_one(&mut **tx)
        .await?;
    if locked_at.is_some() {
        return Err(conflict("scores_locked"));
    }
    Ok(())
}

impl PgStore {
    /// Bids of one tender matching `filter` (on `b`, binding `$2`), in
    /// receipt order.
    async fn bids_where(
        &self,
        tender: TenderId,
        filter: &'static str,
        arg: i64,
    ) -> Result<Vec<StoredBid>> {
        let sql = format!(
            concat!(
                "SELECT ",
                bid_columns!(),
                " FROM bids b JOIN organizations o ON o.id = b.bidder_org_id
                 WHERE b.tender_id = $1 AND {} ORDER BY b.received_at, b.id"
            ),
            filter
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(tender)
            .bind(arg)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(bid_from_row).collect()
    }
}

#[async_trait]
impl BidStore for PgStore {
    async fn tender_key_or_insert(
        &self,
        tender: TenderId,
        candidate: &[u8],
        master_key_id: &str,
        now: DateTime<Utc>,
    ) -> Result<TenderKeyRow> {
        // A racing first insert makes this one wait, then do nothing; the
        // next statement sees the key that was stored.
        sqlx::query(
            "INSERT INTO tender_keys (tender_id, wrapped, master_key_id, created_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (tender_id) DO NOTHING",
        )
        .bind(tender)
        .bind(candidate)
        .bind(master_key_id)
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(db_error)?;
        let row = sqlx::query("SELECT * FROM tender_keys WHERE tender_id = $1")
            .bind(tender)
            .fetch_one(self.pool())
            .await?;
        key_from_row(&row)
    }

    async fn tender_key(&self, tender: TenderId) -> Result<Option<TenderKeyRow>> {
        let row = sqlx::query("SELECT * FROM tender_keys WHERE tender_id = $1")
            .bind(tender)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(key_from_row).transpose()
    }

    async fn insert_bid(&self, bid: &NewBid, jobs: &[NewJob]) -> Result<BidId> {
        self.bid_intake
            .submit(PendingBid {
                bid: bid.clone(),
                jobs: jobs.to_vec(),
            })
            .await
    }

    async fn withdraw_bid(
        &self,
        tender: TenderId,
        round: u32,
        bidder: OrgId,
        reason: &str,
        now: DateTime<Utc>,
        jobs: &[NewJob],
    ) -> Result<Option<BidId>> {
        let round = int4("bids.round", round)?;
        let mut tx = self.pool().begin().await?;
        check_accepting(&mut tx, tender, round).await?;
        let withdrawn: Option<(BidId, String)> = sqlx::query_as(
            "UPDATE bids SET state = 'withdrawn', withdrawn_at = $4, withdraw_reason = $5
             WHERE tender_id = $1 AND round = $2 AND bidder_org_id = $3 AND state = 'submitted'
             RETURNING id, commitment",
        )
        .bind(tender)
        .bind(round)
        .bind(bidder)
        .bind(now)
        .bind(reason)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id, commitment)) = withdrawn else {
            // Nothing to withdraw: nothing written, no jobs.
            return Ok(None);
        };
        append_log(&mut tx, &[LogEntry::BidWithdrawn { commitment }], now).await?;
        insert_jobs(&mut tx, jobs, now).await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    async fn bid(&self, id: BidId) -> Result<Option<StoredBid>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            bid_columns!(),
            " FROM bids b JOIN organizations o ON o.id = b.bidder_org_id WHERE b.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(bid_from_row).transpose()
    }

    async fn bids_of(&self, tender: TenderId, bidder: OrgId) -> Result<Vec<StoredBid>> {
        self.bids_where(tender, "b.bidder_org_id = $2", bidder)
            .await
    }

    async fn round_bids(&self, tender: TenderId, round: u32) -> Result<Vec<StoredBid>> {
        self.bids_where(tender, "b.round = $2", i64::from(round))
            .await
    }

    async fn record_opening_of(
        &self,
        opening: &NewOpening,
        bids_read: Option<&[(BidId, BidState)]>,
        expected_status: TenderStatus,
        steps: &[NewTransition],
        next_transition_at: Option<DateTime<Utc>>,
        events: &[NewEvent],
        jobs: &[NewJob],
    ) -> Result<bool> {
        let tender = opening.tender_id;
        let round = int4("bid_openings.round", opening.round)?;
        let now = opening.opened_at;
        let mut tx = self.pool().begin().await?;
        let (status, _, _) = lock_tender(&mut tx, tender).await?;
        if status != expected_status || is_opened(&mut tx, tender, round).await? {
            // Opened already, or moved on: the rollback on drop writes nothing.
            return Ok(false);
        }
        // The tender row is locked: a bid or 辞退 of the round (which holds
        // it `FOR SHARE`) cannot commit between this read and ours.
        let stored: Vec<(BidId, String)> = sqlx::query_as(
            "SELECT id, state FROM bids WHERE tender_id = $1 AND round = $2 ORDER BY id",
        )
        .bind(tender)
        .bind(round)
        .fetch_all(&mut *tx)
        .await?;
        if !bids_unchanged(bids_read, &stored) {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO bid_openings (tender_id, round, opened_at, record) VALUES ($1, $2, $3, $4)",
        )
        .bind(tender)
        .bind(round)
        .bind(now)
        .bind(Json(&opening.record))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        let entry = LogEntry::Opening(OpeningEntry::from_record(&opening.record));
        append_log(&mut tx, &[entry], now).await?;
        advance(
            &mut tx,
            tender,
            status,
            steps,
            next_transition_at,
            None,
            now,
        )
        .await?;
        finish_write(&mut tx, tender, events, None, jobs, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn openings(&self, tender: TenderId) -> Result<Vec<Opening>> {
        let rows = sqlx::query("SELECT * FROM bid_openings WHERE tender_id = $1 ORDER BY round")
            .bind(tender)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(opening_from_row).collect()
    }

    async fn opened_rounds(&self, tender: TenderId) -> Result<u32> {
        let n: i32 =
            sqlx::query_scalar("SELECT count(*)::int4 FROM bid_openings WHERE tender_id = $1")
                .bind(tender)
                .fetch_one(self.pool())
                .await?;
        u32_from("bid_openings.round", n)
    }

    async fn record_award(
        &self,
        award: &NewAward,
        expected_status: TenderStatus,
        step: &NewTransition,
        events: &[NewEvent],
        audit: AuditEntry,
        jobs: &[NewJob],
    ) -> Result<bool> {
        let tender = award.tender_id;
        let now = award.decided_at;
        let round = int4("awards.round", award.round)?;
        let mut tx = self.pool().begin().await?;
        let (status, _, _) = lock_tender(&mut tx, tender).await?;
        let awarded: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM awards WHERE tender_id = $1)")
                .bind(tender)
                .fetch_one(&mut *tx)
                .await?;
        if status != expected_status || awarded {
            return Ok(false);
        }
        // Only a standing bid of this tender, round and bidder can win.
        let inserted = sqlx::query(
            "INSERT INTO awards (tender_id, round, bid_id, bidder_org_id, amount_tax_exclusive,
                 amount_tax_inclusive, decided_by, decided_at)
             SELECT tender_id, round, id, bidder_org_id, $4, $5, $6, $7 FROM bids
             WHERE id = $1 AND tender_id = $2 AND round = $3 AND bidder_org_id = $8
               AND state = 'submitted'",
        )
        .bind(award.bid_id)
        .bind(tender)
        .bind(round)
        .bind(award.amount_tax_exclusive)
        .bind(award.amount_tax_inclusive)
        .bind(award.decided_by)
        .bind(now)
        .bind(award.bidder)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if inserted.rows_affected() != 1 {
            return Err(StorageError::NotFound);
        }
        append_log(&mut tx, &[award_entry(award)], now).await?;
        advance(
            &mut tx,
            tender,
            status,
            std::slice::from_ref(step),
            None,
            None,
            now,
        )
        .await?;
        finish_write(&mut tx, tender, events, Some(&audit), jobs, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn award(&self, tender: TenderId) -> Result<Option<Award>> {
        let row = sqlx::query(concat!(select_awards!(), " WHERE a.tender_id = $1"))
            .bind(tender)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(award_from_row).transpose()
    }

    async fn awards(&self, paging: Paging) -> Result<Page<Award>> {
        let offset = clamp_offset(paging.offset);
        let limit = clamp_limit(paging.limit);
        // The count and the page from one snapshot.
        let mut tx = self
            .pool()
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM awards")
            .fetch_one(&mut *tx)
            .await?;
        let rows = sqlx::query(concat!(
            select_awards!(),
            " ORDER BY a.decided_at DESC, a.tender_id DESC OFFSET $1 LIMIT $2"
        ))
        .bind(offset)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Page {
            items: rows.iter().map(award_from_row).collect::<Result<_>>()?,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    async fn awards_after(&self, after: TenderId, limit: u32) -> Result<Vec<Award>> {
        let rows = sqlx::query(concat!(
            select_awards!(),
            " WHERE a.tender_id > $1 ORDER BY a.tender_id LIMIT $2"
        ))
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(award_from_row).collect()
    }

    async fn scoring(&self, tender: TenderId) -> Result<Scoring> {
        let row = sqlx::query(
            "SELECT price_points, base_points, locked_at, locked_by FROM tender_scoring
             WHERE tender_id = $1",
        )
        .bind(tender)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(Scoring::default());
        };
        Ok(Scoring {
            price_points: opt_u32_from(
                "tender_scoring.price_points",
                row.try_get("price_points")?,
            )?,
            base_points: opt_u32_from("tender_scoring.base_points", row.try_get("base_points")?)?,
            locked_at: row.try_get("locked_at")?,
            locked_by: row.try_get("locked_by")?,
        })
    }

    async fn set_scoring_points(
        &self,
        tender: TenderId,
        price_points: Option<u32>,
        base_points: Option<u32>,
    ) -> Result<()> {
        let price_points = opt_int4("tender_scoring.price_points", price_points)?;
        let base_points = opt_int4("tender_scoring.base_points", base_points)?;
        let mut tx = self.pool().begin().await?;
        check_unlocked(&mut tx, tender, ScoringLock::Update).await?;
        sqlx::query(
            "UPDATE tender_scoring SET price_points = $2, base_points = $3 WHERE tender_id = $1",
        )
        .bind(tender)
        .bind(price_points)
        .bind(base_points)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_technical_score(
        &self,
        tender: TenderId,
        bidder: OrgId,
        points_hundredths: u32,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let points = int4("technical_scores.points_hundredths", points_hundredths)?;
        let mut tx = self.pool().begin().await?;
        check_unlocked(&mut tx, tender, ScoringLock::Share).await?;
        sqlx::query(
            "INSERT INTO technical_scores
                 (tender_id, bidder_org_id, points_hundredths, entered_by, entered_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (tender_id, bidder_org_id) DO UPDATE
                 SET points_hundredths = EXCLUDED.points_hundredths,
                     entered_by = EXCLUDED.entered_by, entered_at = EXCLUDED.entered_at",
        )
        .bind(tender)
        .bind(bidder)
        .bind(points)
        .bind(by)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await?;
        Ok(())
    }

    async fn lock_scores(&self, tender: TenderId, by: UserId, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        check_unlocked(&mut tx, tender, ScoringLock::Update).await?;
        sqlx::query(
            "UPDATE tender_scoring SET locked_at = $2, locked_by = $3 WHERE tender_id = $1",
        )
        .bind(tender)
        .bind(now)
        .bind(by)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await?;
        Ok(())
    }

    async fn technical_scores(&self, tender: TenderId) -> Result<Vec<TechnicalScore>> {
        let rows = sqlx::query(
            "SELECT s.tender_id, s.bidder_org_id, o.name AS bidder_name, s.points_hundredths,
                 s.entered_by, s.entered_at
             FROM technical_scores s JOIN organizations o ON o.id = s.bidder_org_id
             WHERE s.tender_id = $1 ORDER BY s.bidder_org_id",
        )
        .bind(tender)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(score_from_row).collect()
    }

    async fn lock_scores_guarded(&self, lock: &ScoreLock) -> Result<bool> {
        let tender = lock.tender_id;
        let mut tx = self.pool().begin().await?;
        // The tender row first, as the opening takes it: an opening in
        // flight commits before this lock reads the rounds, or after it.
        let (status, _, _) = lock_tender(&mut tx, tender).await?;
        let opened: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM bid_openings WHERE tender_id = $1")
                .bind(tender)
                .fetch_one(&mut *tx)
                .await?;
        if opened != i64::from(lock.expected_openings)
            || lock.expected_status.is_some_and(|s| s != status)
        {
            return Ok(false);
        }
        check_unlocked(&mut tx, tender, ScoringLock::Update).await?;
        sqlx::query(
            "UPDATE tender_scoring SET locked_at = $2, locked_by = $3 WHERE tender_id = $1",
        )
        .bind(tender)
        .bind(lock.at)
        .bind(lock.by)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if !lock.steps.is_empty() {
            advance(
                &mut tx,
                tender,
                status,
                &lock.steps,
                lock.next_transition_at,
                None,
                lock.at,
            )
            .await?;
        }
        finish_write(
            &mut tx,
            tender,
            &lock.events,
            Some(&lock.audit),
            &lock.jobs,
            lock.at,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn start_rebid(&self, rebid: &NewRebid) -> Result<bool> {
        let tender = rebid.tender_id;
        let mut tx = self.pool().begin().await?;
        let (status, version, _) = lock_tender(&mut tx, tender).await?;
        if status != TenderStatus::Unsuccessful || version != rebid.expected_version {
            return Ok(false);
        }
        let version = version + 1;
        // Only the schedule changes: the other denormalised columns stay.
        sqlx::query(
            "UPDATE tenders SET content = $2, submission_closes_at = $3, version = $4,
                 updated_at = $5
             WHERE id = $1",
        )
        .bind(tender)
        .bind(Json(&rebid.content))
        .bind(rebid.content.schedule.submission_closes_at)
        .bind(version)
        .bind(rebid.now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO tender_versions (tender_id, version, content, reason, changed_by, changed_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(tender)
        .bind(version)
        .bind(Json(&rebid.content))
        .bind(&rebid.reason)
        .bind(rebid.actor)
        .bind(rebid.now)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        advance(
            &mut tx,
            tender,
            status,
            std::slice::from_ref(&rebid.step),
            rebid.next_transition_at,
            None,
            rebid.now,
        )
        .await?;
        finish_write(
            &mut tx,
            tender,
            &rebid.events,
            Some(&rebid.audit),
            &rebid.jobs,
            rebid.now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
