//! SQLite: sealed bids (入札), their openings (開札), the scoring of 総合評価
//! and awards (落札者決定).
//!
//! Every write runs in one `BEGIN IMMEDIATE` transaction: with one writer,
//! each guard (the round takes bids, one standing bid per bidder and round,
//! scores not locked, one opening per round, one award) is a read that no
//! other write can slip in behind before the commit. The partial unique
//! index on standing bids backs the bid guard all the same. Receipts and
//! opening records are JSON text; instants are microseconds.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musubi_domain::tender::TenderStatus;
use musubi_domain::transparency::entry::{LogEntry, OpeningEntry};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};

use super::accounts::{count, map_conflict, page_bounds};
use super::tenders::{advance, current_status, finish_write};
use super::transparency::{append_log, log_received};
use super::{SqliteStore, from_us, insert_jobs, json_from_text, opt_from_us, to_us};
use crate::bids::{award_entry, bids_unchanged, takes_bids};
use crate::group_commit::Flush;
use crate::{
    AuditEntry, Award, BidId, BidState, BidStore, NewAward, NewBid, NewEvent, NewJob, NewOpening,
    NewRebid, NewTransition, Opening, OrgId, Page, Paging, Result, ScoreLock, Scoring,
    StorageError, StoredBid, TechnicalScore, TenderId, TenderKeyRow, UserId,
};

/// The columns of a [`StoredBid`] from `bids b JOIN organizations o`.
macro_rules! bid_cols {
    () => {
        "b.id, b.tender_id, b.round, b.bidder_org_id, o.name AS bidder_name, b.submitted_by, \
         b.received_at, b.commitment, b.sealed, b.receipt, b.state, b.withdrawn_at, \
         b.withdraw_reason"
    };
}

/// `SELECT … FROM` for an [`Award`]: the award, its tender, the buyer and
/// the bidder.
macro_rules! select_awards {
    () => {
        "SELECT a.tender_id, a.round, a.bid_id, a.bidder_org_id, bo.name AS bidder_name, \
         a.amount_tax_exclusive, a.amount_tax_inclusive, a.decided_by, a.decided_at, \
         t.title AS tender_title, t.buyer_id, o.name AS buyer_name \
         FROM awards a JOIN tenders t ON t.id = a.tender_id \
         JOIN organizations o ON o.id = t.buyer_id \
         JOIN organizations bo ON bo.id = a.bidder_org_id"
    };
}

// --- values ------------------------------------------------------------------------

/// A round or points as written: the schema keeps them in 32-bit integers
/// (PostgreSQL's `INTEGER`), and both databases refuse the same values.
fn int4(field: &'static str, n: u32) -> Result<i64> {
    if i32::try_from(n).is_err() {
        return Err(StorageError::Database(sqlx::Error::Encode(
            format!("{field}: {n} is out of range").into(),
        )));
    }
    Ok(i64::from(n))
}

fn u32_from(field: &'static str, n: i64) -> Result<u32> {
    u32::try_from(n).map_err(|_| StorageError::Corrupt {
        field,
        message: format!("{n} is out of range"),
    })
}

fn opt_u32_from(field: &'static str, n: Option<i64>) -> Result<Option<u32>> {
    n.map(|n| u32_from(field, n)).transpose()
}

fn opt_int4(field: &'static str, n: Option<u32>) -> Result<Option<i64>> {
    n.map(|n| int4(field, n)).transpose()
}

// --- rows ---------------------------------------------------------------------------

fn key_from_row(row: &SqliteRow) -> Result<TenderKeyRow> {
    Ok(TenderKeyRow {
        tender_id: row.try_get("tender_id")?,
        wrapped: row.try_get("wrapped")?,
        master_key_id: row.try_get("master_key_id")?,
        created_at: from_us("tender_keys.created_at", row.try_get("created_at")?)?,
    })
}

fn bid_from_row(row: &SqliteRow) -> Result<StoredBid> {
    let state: &str = row.try_get("state")?;
    Ok(StoredBid {
        id: row.try_get("id")?,
        tender_id: row.try_get("tender_id")?,
        round: u32_from("bids.round", row.try_get("round")?)?,
        bidder: row.try_get("bidder_org_id")?,
        bidder_name: row.try_get("bidder_name")?,
        submitted_by: row.try_get("submitted_by")?,
        received_at: from_us("bids.received_at", row.try_get("received_at")?)?,
        commitment: row.try_get("commitment")?,
        sealed: row.try_get("sealed")?,
        receipt: json_from_text("bids.receipt", row.try_get("receipt")?)?,
        state: BidState::parse(state).ok_or_else(|| StorageError::Corrupt {
            field: "bids.state",
            message: format!("unknown state {state:?}"),
        })?,
        withdrawn_at: opt_from_us("bids.withdrawn_at", row.try_get("withdrawn_at")?)?,
        withdraw_reason: row.try_get("withdraw_reason")?,
    })
}

fn opening_from_row(row: &SqliteRow) -> Result<Opening> {
    Ok(Opening {
        tender_id: row.try_get("tender_id")?,
        round: u32_from("bid_openings.round", row.try_get("round")?)?,
        opened_at: from_us("bid_openings.opened_at", row.try_get("opened_at")?)?,
        record: json_from_text("bid_openings.record", row.try_get("record")?)?,
    })
}

fn award_from_row(row: &SqliteRow) -> Result<Award> {
    Ok(Award {
        tender_id: row.try_get("tender_id")?,
        round: u32_from("awards.round", row.try_get("round")?)?,
        bid_id: row.try_get("bid_id")?,
        bidder: row.try_get("bidder_org_id")?,
        bidder_name: row.try_get("bidder_name")?,
        amount_tax_exclusive: row.try_get("amount_tax_exclusive")?,
        amount_tax_inclusive: row.try_get("amount_tax_inclusive")?,
        decided_by: row.try_get("decided_by")?,
        decided_at: from_us("awards.decided_at", row.try_get("decided_at")?)?,
        tender_title: row.try_get("tender_title")?,
        buyer: row.try_get("buyer_id")?,
        buyer_name: row.try_get("buyer_name")?,
    })
}

fn score_from_row(row: &SqliteRow) -> Result<TechnicalScore> {
    Ok(TechnicalScore {
        tender_id: row.try_get("tender_id")?,
        bidder: row.try_get("bidder_org_id")?,
        bidder_name: row.try_get("bidder_name")?,
        points_hundredths: u32_from(
            "technical_scores.points_hundredths",
            row.try_get("points_hundredths")?,
        )?,
        entered_by: row.try_get("entered_by")?,
        entered_at: from_us("technical_scores.entered_at", row.try_get("entered_at")?)?,
    })
}

// --- guards, inside the writing transaction -------------------------------------------

async fn is_opened(conn: &mut SqliteConnection, tender: TenderId, round: i64) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM bid_openings WHERE tender_id = ?1 AND round = ?2)",
    )
    .bind(tender)
    .bind(round)
    .fetch_one(&mut *conn)
    .await?)
}

/// Round `round` takes bids: the tender is `tendering`, or `closed` (a bid
/// the service received before the deadline may commit after the scheduler
/// closed), and the round is not opened (else
/// `Conflict("not_accepting_bids")`); `NotFound` without the tender.
async fn check_accepting(conn: &mut SqliteConnection, tender: TenderId, round: i64) -> Result<()> {
    let (status, _) = current_status(conn, tender).await?;
    if !takes_bids(status) || is_opened(conn, tender, round).await? {
        return Err(StorageError::Conflict("not_accepting_bids".into()));
    }
    Ok(())
}

/// `Conflict("scores_locked")` once the tender's scores are locked.
async fn check_unlocked(conn: &mut SqliteConnection, tender: TenderId) -> Result<()> {
    let locked_at: Option<Option<i64>> =
        sqlx::query_scalar("SELECT locked_at FROM tender_scoring WHERE tender_id = ?1")
            .bind(tender)
            .fetch_optional(&mut *conn)
            .await?;
    if matches!(locked_at, Some(Some(_))) {
        return Err(StorageError::Conflict("scores_locked".into()));
    }
    Ok(())
}

// --- intake (group commit) ------------------------------------------------------

/// A bid waiting for its commit.
pub(super) struct PendingBid {
    bid: NewBid,
    jobs: Vec<NewJob>,
}

/// Stores queued bids on the writer connection, many per `BEGIN IMMEDIATE`
/// transaction (see [`crate::group_commit`]): with synchronous=FULL each
/// commit waits for the disk, so the bids that arrive during one commit
/// share the next.
pub(super) struct BidIntake {
    write: SqlitePool,
}

impl BidIntake {
    pub(super) fn new(write: SqlitePool) -> Self {
        BidIntake { write }
    }
}

/// Why a round refuses every bid of a batch (checked once per batch: the
/// write lock keeps the answer until the commit).
#[derive(Clone, Copy)]
enum Refusal {
    NoTender,
    NotAccepting,
}

impl Flush for BidIntake {
    type Item = PendingBid;
    type Output = BidId;

    async fn flush(&self, items: Vec<PendingBid>) -> Result<Vec<Result<BidId>>> {
        let mut tx = self.write.begin_with("BEGIN IMMEDIATE").await?;
        let mut rounds: HashMap<(TenderId, i64), Option<Refusal>> = HashMap::new();
        let mut results = Vec::with_capacity(items.len());
        for PendingBid { bid, jobs } in &items {
            let round = match int4("bids.round", bid.round) {
                Ok(r) => r,
                Err(e) => {
                    results.push(Err(e));
                    continue;
                }
            };
            let refusal = match rounds.get(&(bid.tender_id, round)) {
                Some(r) => *r,
                None => {
                    let r = match check_accepting(&mut tx, bid.tender_id, round).await {
                        Ok(()) => None,
                        Err(StorageError::NotFound) => Some(Refusal::NoTender),
                        Err(StorageError::Conflict(_)) => Some(Refusal::NotAccepting),
                        Err(e) => return Err(e),
                    };
                    rounds.insert((bid.tender_id, round), r);
                    r
                }
            };
            match refusal {
                Some(Refusal::NoTender) => results.push(Err(StorageError::NotFound)),
                Some(Refusal::NotAccepting) => {
                    results.push(Err(StorageError::Conflict("not_accepting_bids".into())))
                }
                None if jobs.is_empty() => {
                    // One statement: atomic by itself, no savepoint needed.
                    results.push(item_outcome(insert_one(&mut tx, bid, round).await)?);
                }
                None => {
                    sqlx::query("SAVEPOINT bid").execute(&mut *tx).await?;
                    let written = match insert_one(&mut tx, bid, round).await {
                        Ok(id) => insert_jobs(&mut tx, jobs, bid.received_at)
                            .await
                            .map(|_| id),
                        Err(e) => Err(e),
                    };
                    let outcome = item_outcome(written)?;
                    let end = if outcome.is_ok() {
                        "RELEASE bid"
                    } else {
                        "ROLLBACK TO bid; RELEASE bid"
                    };
                    sqlx::raw_sql(end).execute(&mut *tx).await?;
                    results.push(outcome);
                }
            }
        }
        log_received(&mut tx, &items, &results, |p| &p.bid).await?;
        tx.commit().await?;
        Ok(results)
    }
}

/// An item's refusal stays its own; any other error fails the batch (SQLite
/// may have rolled the whole transaction back, e.g. on a full disk).
fn item_outcome(r: Result<BidId>) -> Result<Result<BidId>> {
    match r {
        Ok(id) => Ok(Ok(id)),
        Err(e @ (StorageError::Conflict(_) | StorageError::NotFound)) => Ok(Err(e)),
        Err(e) => Err(e),
    }
}

/// Inserts the bid unless its bidder has a standing bid in the round
/// (`Conflict("bid_exists")`).
async fn insert_one(conn: &mut SqliteConnection, bid: &NewBid, round: i64) -> Result<BidId> {
    let id: Option<BidId> = sqlx::query_scalar(
        "INSERT INTO bids (tender_id, round, bidder_org_id, submitted_by, received_at,
             commitment, sealed, receipt, state)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'submitted'
         WHERE NOT EXISTS (SELECT 1 FROM bids WHERE tender_id = ?1 AND round = ?2
                              AND bidder_org_id = ?3 AND state = 'submitted')
         RETURNING id",
    )
    .bind(bid.tender_id)
    .bind(round)
    .bind(bid.bidder)
    .bind(bid.submitted_by)
    .bind(to_us(bid.received_at))
    .bind(&bid.commitment)
    .bind(&bid.sealed)
    .bind(bid.receipt.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(|e| map_conflict(e, &[("bids.", "bid_exists")]))?;
    id.ok_or_else(|| StorageError::Conflict("bid_exists".into()))
}

impl SqliteStore {
    /// Bids of one tender matching `filter` (on `b`, binding `?2`), in
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
                bid_cols!(),
                " FROM bids b JOIN organizations o ON o.id = b.bidder_org_id
                 WHERE b.tender_id = ?1 AND {} ORDER BY b.received_at, b.id"
            ),
            filter
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tender)
            .bind(arg)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(bid_from_row).collect()
    }
}

#[async_trait]
impl BidStore for SqliteStore {
    async fn tender_key_or_insert(
        &self,
        tender: TenderId,
        candidate: &[u8],
        master_key_id: &str,
        now: DateTime<Utc>,
    ) -> Result<TenderKeyRow> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO tender_keys (tender_id, wrapped, master_key_id, created_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (tender_id) DO NOTHING",
        )
        .bind(tender)
        .bind(candidate)
        .bind(master_key_id)
        .bind(to_us(now))
        .execute(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[]))?;
        let row = sqlx::query("SELECT * FROM tender_keys WHERE tender_id = ?1")
            .bind(tender)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        key_from_row(&row)
    }

    async fn tender_key(&self, tender: TenderId) -> Result<Option<TenderKeyRow>> {
        let row = sqlx::query("SELECT * FROM tender_keys WHERE tender_id = ?1")
            .bind(tender)
            .fetch_optional(&self.read)
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
        let mut tx = self.begin_write().await?;
        check_accepting(&mut tx, tender, round).await?;
        let withdrawn: Option<(BidId, String)> = sqlx::query_as(
            "UPDATE bids SET state = 'withdrawn', withdrawn_at = ?4, withdraw_reason = ?5
             WHERE tender_id = ?1 AND round = ?2 AND bidder_org_id = ?3 AND state = 'submitted'
             RETURNING id, commitment",
        )
        .bind(tender)
        .bind(round)
        .bind(bidder)
        .bind(to_us(now))
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
            bid_cols!(),
            " FROM bids b JOIN organizations o ON o.id = b.bidder_org_id WHERE b.id = ?1"
        ))
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(bid_from_row).transpose()
    }

    async fn bids_of(&self, tender: TenderId, bidder: OrgId) -> Result<Vec<StoredBid>> {
        self.bids_where(tender, "b.bidder_org_id = ?2", bidder)
            .await
    }

    async fn round_bids(&self, tender: TenderId, round: u32) -> Result<Vec<StoredBid>> {
        self.bids_where(tender, "b.round = ?2", i64::from(round))
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
        let mut tx = self.begin_write().await?;
        let (status, _) = current_status(&mut tx, tender).await?;
        if status != expected_status || is_opened(&mut tx, tender, round).await? {
            // Opened already, or moved on: nothing is written.
            return Ok(false);
        }
        // In the write transaction: no bid of the round commits between
        // this read and ours.
        let stored: Vec<(BidId, String)> = sqlx::query_as(
            "SELECT id, state FROM bids WHERE tender_id = ?1 AND round = ?2 ORDER BY id",
        )
        .bind(tender)
        .bind(round)
        .fetch_all(&mut *tx)
        .await?;
        if !bids_unchanged(bids_read, &stored) {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO bid_openings (tender_id, round, opened_at, record) VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(tender)
        .bind(round)
        .bind(to_us(now))
        .bind(opening.record.to_string())
        .execute(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[]))?;
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
        let rows = sqlx::query("SELECT * FROM bid_openings WHERE tender_id = ?1 ORDER BY round")
            .bind(tender)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(opening_from_row).collect()
    }

    async fn opened_rounds(&self, tender: TenderId) -> Result<u32> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM bid_openings WHERE tender_id = ?1")
            .bind(tender)
            .fetch_one(&self.read)
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
        let mut tx = self.begin_write().await?;
        let (status, _) = current_status(&mut tx, tender).await?;
        let awarded: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM awards WHERE tender_id = ?1)")
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
             SELECT tender_id, round, id, bidder_org_id, ?4, ?5, ?6, ?7 FROM bids
             WHERE id = ?1 AND tender_id = ?2 AND round = ?3 AND bidder_org_id = ?8
               AND state = 'submitted'",
        )
        .bind(award.bid_id)
        .bind(tender)
        .bind(int4("awards.round", award.round)?)
        .bind(award.amount_tax_exclusive)
        .bind(award.amount_tax_inclusive)
        .bind(award.decided_by)
        .bind(to_us(now))
        .bind(award.bidder)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[]))?;
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
        let row = sqlx::query(concat!(select_awards!(), " WHERE a.tender_id = ?1"))
            .bind(tender)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(award_from_row).transpose()
    }

    async fn awards(&self, paging: Paging) -> Result<Page<Award>> {
        let (offset, limit) = page_bounds(paging.offset, paging.limit);
        let mut tx = self.read.begin().await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM awards")
            .fetch_one(&mut *tx)
            .await?;
        let rows = sqlx::query(concat!(
            select_awards!(),
            " ORDER BY a.decided_at DESC, a.tender_id DESC LIMIT ?1 OFFSET ?2"
        ))
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Page {
            items: rows.iter().map(award_from_row).collect::<Result<_>>()?,
            total: count("awards", total)?,
        })
    }

    async fn awards_after(&self, after: TenderId, limit: u32) -> Result<Vec<Award>> {
        let rows = sqlx::query(concat!(
            select_awards!(),
            " WHERE a.tender_id > ?1 ORDER BY a.tender_id LIMIT ?2"
        ))
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(award_from_row).collect()
    }

    async fn scoring(&self, tender: TenderId) -> Result<Scoring> {
        let row = sqlx::query(
            "SELECT price_points, base_points, locked_at, locked_by FROM tender_scoring
             WHERE tender_id = ?1",
        )
        .bind(tender)
        .fetch_optional(&self.read)
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
            locked_at: opt_from_us("tender_scoring.locked_at", row.try_get("locked_at")?)?,
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
        let mut tx = self.begin_write().await?;
        check_unlocked(&mut tx, tender).await?;
        sqlx::query(
            "INSERT INTO tender_scoring (tender_id, price_points, base_points) VALUES (?1, ?2, ?3)
             ON CONFLICT (tender_id) DO UPDATE
                 SET price_points = excluded.price_points, base_points = excluded.base_points",
        )
        .bind(tender)
        .bind(price_points)
        .bind(base_points)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[]))?;
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
        let mut tx = self.begin_write().await?;
        check_unlocked(&mut tx, tender).await?;
        sqlx::query(
            "INSERT INTO technical_scores
                 (tender_id, bidder_org_id, points_hundredths, entered_by, entered_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (tender_id, bidder_org_id) DO UPDATE
                 SET points_hundredths = excluded.points_hundredths,
                     entered_by = excluded.entered_by, entered_at = excluded.entered_at",
        )
        .bind(tender)
        .bind(bidder)
        .bind(points)
        .bind(by)
        .bind(to_us(now))
        .execute(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[]))?;
        tx.commit().await?;
        Ok(())
    }

    async fn lock_scores(&self, tender: TenderId, by: UserId, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        check_unlocked(&mut tx, tender).await?;
        sqlx::query(
            "INSERT INTO tender_scoring (tender_id, locked_at, locked_by) VALUES (?1, ?2, ?3)
             ON CONFLICT (tender_id) DO UPDATE
                 SET locked_at = excluded.locked_at, locked_by = excluded.locked_by",
        )
        .bind(tender)
        .bind(to_us(now))
        .bind(by)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[]))?;
        tx.commit().await?;
        Ok(())
    }

    async fn technical_scores(&self, tender: TenderId) -> Result<Vec<TechnicalScore>> {
        let rows = sqlx::query(
            "SELECT s.tender_id, s.bidder_org_id, o.name AS bidder_name, s.points_hundredths,
                 s.entered_by, s.entered_at
             FROM technical_scores s JOIN organizations o ON o.id = s.bidder_org_id
             WHERE s.tender_id = ?1 ORDER BY s.bidder_org_id",
        )
        .bind(tender)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(score_from_row).collect()
    }

    async fn lock_scores_guarded(&self, lock: &ScoreLock) -> Result<bool> {
        let tender = lock.tender_id;
        let mut tx = self.begin_write().await?;
        let (status, _) = current_status(&mut tx, tender).await?;
        let opened: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM bid_openings WHERE tender_id = ?1")
                .bind(tender)
                .fetch_one(&mut *tx)
                .await?;
        if opened != i64::from(lock.expected_openings)
            || lock.expected_status.is_some_and(|s| s != status)
        {
            return Ok(false);
        }
        check_unlocked(&mut tx, tender).await?;
        sqlx::query(
            "INSERT INTO tender_scoring (tender_id, locked_at, locked_by) VALUES (?1, ?2, ?3)
             ON CONFLICT (tender_id) DO UPDATE
                 SET locked_at = excluded.locked_at, locked_by = excluded.locked_by",
        )
        .bind(tender)
        .bind(to_us(lock.at))
        .bind(lock.by)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[]))?;
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
        let content = serde_json::to_string(&rebid.content).map_err(|e| StorageError::Corrupt {
            field: "tenders.content",
            message: e.to_string(),
        })?;
        let now = to_us(rebid.now);
        let mut tx = self.begin_write().await?;
        let (status, version) = current_status(&mut tx, tender).await?;
        if status != TenderStatus::Unsuccessful || version != rebid.expected_version {
            return Ok(false);
        }
        let version = version + 1;
        // Only the schedule changes: the other denormalised columns stay.
        sqlx::query(
            "UPDATE tenders SET content = ?2, submission_closes_at = ?3, version = ?4,
                 updated_at = ?5
             WHERE id = ?1",
        )
        .bind(tender)
        .bind(&content)
        .bind(to_us(rebid.content.schedule.submission_closes_at))
        .bind(version)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO tender_versions (tender_id, version, content, reason, changed_by, changed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(tender)
        .bind(version)
        .bind(&content)
        .bind(&rebid.reason)
        .bind(rebid.actor)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[("tender_versions.", "stale_version")]))?;
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
