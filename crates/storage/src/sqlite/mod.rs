//! SQLite: the embedded default. WAL mode, foreign keys on, a busy timeout,
//! and write transactions that take the write lock up front (`BEGIN
//! IMMEDIATE`) so two processes never deadlock upgrading a read lock.
//!
//! Durability: `synchronous=FULL`, so a commit has reached the disk (the WAL
//! is synced) before it returns and survives a power cut, not only a crash
//! of the process (which is all `NORMAL` promises in WAL mode). A bid's
//! receipt is a legal promise. Bids and API tokens' `last_used_at` go
//! through group commits ([`crate::group_commit`]) so the syncs do not cap
//! the rate of requests.

mod accounts;
mod alerts;
mod bids;
mod companies;
mod coordination;
mod invitations;
mod tenders;
mod transparency;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row, Sqlite, Transaction};

use crate::group_commit::GroupCommit;
use crate::jobs::new_lease_token;
use crate::migrate::{Migration, MigrationReport, pending};
use crate::{
    Backend, COALESCE_PREFIX, ClaimedJob, Job, JobCounts, JobId, JobRun, JobStatus, KindFilter,
    NewJob, Result, RunOutcome, Storage, StorageError, TableSchema,
};

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "jobs",
        sql: include_str!("../../migrations/sqlite/0001_jobs.sql"),
    },
    Migration {
        version: 2,
        name: "accounts",
        sql: include_str!("../../migrations/sqlite/0002_accounts.sql"),
    },
    Migration {
        version: 3,
        name: "tenders",
        sql: include_str!("../../migrations/sqlite/0003_tenders.sql"),
    },
    Migration {
        version: 4,
        name: "tender_list_index",
        sql: include_str!("../../migrations/sqlite/0004_tender_list_index.sql"),
    },
    Migration {
        version: 5,
        name: "bids",
        sql: include_str!("../../migrations/sqlite/0005_bids.sql"),
    },
    Migration {
        version: 6,
        name: "transparency",
        sql: include_str!("../../migrations/sqlite/0006_transparency.sql"),
    },
    Migration {
        version: 7,
        name: "alerts",
        sql: include_str!("../../migrations/sqlite/0007_alerts.sql"),
    },
    Migration {
        version: 8,
        name: "coordination",
        sql: include_str!("../../migrations/sqlite/0008_coordination.sql"),
    },
];

pub struct SqliteStore {
    /// One connection: SQLite has a single writer, so writers queue here
    /// instead of spinning on SQLITE_BUSY.
    write: SqlitePool,
    read: SqlitePool,
    /// Bids, many per transaction on `write`.
    bid_intake: GroupCommit<bids::BidIntake>,
    /// API tokens' `last_used_at`, many per transaction on `write`.
    token_touches: GroupCommit<accounts::TokenTouches>,
}

/// Most writes in one group commit (bounds how long a commit holds the
/// writer).
const GROUP_BATCH: usize = 256;

impl SqliteStore {
    /// The connection settings [`SqliteStore::open`] uses for `path` (also
    /// the raw-commit baseline of `musubi bench bids`).
    pub fn connect_options(path: &Path) -> Result<SqliteConnectOptions> {
        Ok(SqliteConnectOptions::from_str("sqlite:")
            .map_err(StorageError::from)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Directory pages touch many index pages: keep them in memory
            // (16 MiB page cache per connection, the file memory-mapped).
            .pragma("cache_size", "-16384")
            .pragma("mmap_size", "268435456"))
    }

    /// Opens (creating if missing) the database file at `path`.
    pub async fn open(path: &Path) -> Result<Self> {
        let options = Self::connect_options(path)?;
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await
            .map_err(|e| StorageError::Unavailable(format!("{}: {e}", path.display())))?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .map_err(|e| StorageError::Unavailable(format!("{}: {e}", path.display())))?;
        let bid_intake = GroupCommit::new(bids::BidIntake::new(write.clone()), GROUP_BATCH);
        let token_touches =
            GroupCommit::new(accounts::TokenTouches::new(write.clone()), GROUP_BATCH);
        Ok(SqliteStore {
            write,
            read,
            bid_intake,
            token_touches,
        })
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.write.begin_with("BEGIN IMMEDIATE").await?)
    }
}

pub(crate) fn to_us(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn from_us(field: &'static str, us: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(us).ok_or_else(|| StorageError::Corrupt {
        field,
        message: format!("timestamp {us} out of range"),
    })
}

pub(crate) fn opt_from_us(field: &'static str, us: Option<i64>) -> Result<Option<DateTime<Utc>>> {
    us.map(|us| from_us(field, us)).transpose()
}

fn json_from_text(field: &'static str, text: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| StorageError::Corrupt {
        field,
        message: e.to_string(),
    })
}

async fn insert_jobs(
    tx: &mut Transaction<'static, Sqlite>,
    jobs: &[NewJob],
    now: DateTime<Utc>,
) -> Result<Vec<JobId>> {
    let mut ids = Vec::with_capacity(jobs.len());
    for job in jobs {
        let row = sqlx::query(
            "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, dedupe_key, created_at, updated_at)
             VALUES (?1, ?2, 'queued', 0, ?3, ?4, ?5, ?6, ?6)
             ON CONFLICT (dedupe_key) DO NOTHING
             RETURNING id",
        )
        .bind(&job.kind)
        .bind(job.payload.to_string())
        .bind(i64::from(job.max_attempts))
        .bind(to_us(job.run_at.unwrap_or(now)))
        .bind(&job.dedupe_key)
        .bind(to_us(now))
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(row) = row {
            ids.push(row.try_get("id")?);
        }
    }
    Ok(ids)
}

fn job_from_row(row: &SqliteRow) -> Result<Job> {
    Ok(Job {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        payload: json_from_text("jobs.payload", row.try_get("payload")?)?,
        status: JobStatus::parse(row.try_get("status")?)?,
        attempts: row.try_get::<i64, _>("attempts")? as u32,
        max_attempts: row.try_get::<i64, _>("max_attempts")? as u32,
        run_at: from_us("jobs.run_at", row.try_get("run_at")?)?,
        dedupe_key: row.try_get("dedupe_key")?,
        last_error: row.try_get("last_error")?,
        created_at: from_us("jobs.created_at", row.try_get("created_at")?)?,
        finished_at: opt_from_us("jobs.finished_at", row.try_get("finished_at")?)?,
    })
}

#[async_trait]
impl Storage for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    async fn migrate(&self) -> Result<MigrationReport> {
        let mut tx = self.begin_write().await?;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT    NOT NULL,
                checksum   TEXT    NOT NULL,
                applied_at INTEGER NOT NULL
            ) STRICT",
        )
        .execute(&mut *tx)
        .await?;
        let applied: Vec<(i64, String)> =
            sqlx::query_as("SELECT version, checksum FROM schema_migrations ORDER BY version")
                .fetch_all(&mut *tx)
                .await?;
        let todo = pending(MIGRATIONS, &applied)?;
        let mut report = MigrationReport {
            applied: Vec::new(),
            already_applied: applied.len(),
        };
        // One transaction for the lot: SQLite DDL is transactional, and a
        // half-migrated file is worse than none.
        for m in todo {
            sqlx::raw_sql(m.sql).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?1, ?2, ?3, ?4)")
                .bind(m.version)
                .bind(m.name)
                .bind(m.checksum())
                .bind(to_us(Utc::now()))
                .execute(&mut *tx)
                .await?;
            report.applied.push(m.label());
        }
        tx.commit().await?;
        Ok(report)
    }

    async fn schema(&self) -> Result<Vec<TableSchema>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
             ORDER BY m.name, p.name",
        )
        .fetch_all(&self.read)
        .await?;
        Ok(crate::group_columns(rows))
    }

    async fn analyze(&self) -> Result<()> {
        sqlx::query("ANALYZE").execute(&self.write).await?;
        Ok(())
    }

    async fn enqueue_jobs(&self, jobs: &[NewJob], now: DateTime<Utc>) -> Result<Vec<JobId>> {
        let mut tx = self.begin_write().await?;
        let ids = insert_jobs(&mut tx, jobs, now).await?;
        tx.commit().await?;
        Ok(ids)
    }

    async fn claim_jobs_of(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: u32,
        kinds: &KindFilter,
    ) -> Result<Vec<ClaimedJob>> {
        let (mode, prefix) = kinds.sql_args();
        let token = new_lease_token();
        let now_us = to_us(now);
        let until = now + lease;
        let mut tx = self.begin_write().await?;
        // Jobs whose worker died on their last allowed attempt fail for good.
        sqlx::query(
            "UPDATE job_runs SET outcome = 'abandoned', finished_at = ?1
             WHERE outcome IS NULL AND job_id IN (
                 SELECT id FROM jobs WHERE status = 'running' AND locked_until <= ?1 AND attempts >= max_attempts)",
        )
        .bind(now_us)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE jobs SET status = 'failed', finished_at = ?1, updated_at = ?1,
                 last_error = 'worker lost on the last attempt', locked_by = NULL, lease_token = NULL, locked_until = NULL
             WHERE status = 'running' AND locked_until <= ?1 AND attempts >= max_attempts",
        )
        .bind(now_us)
        .execute(&mut *tx)
        .await?;
        // The claim itself is one statement, so no other writer can slip in
        // between choosing a job and taking it. A coalescing key is released:
        // a change after this claim must queue a job of its own.
        let rows = sqlx::query(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = ?1,
                 lease_token = ?2, locked_until = ?3, updated_at = ?4,
                 dedupe_key = CASE WHEN substr(dedupe_key, 1, length(?8)) = ?8
                                   THEN NULL ELSE dedupe_key END
             WHERE id IN (
                 SELECT id FROM jobs
                 WHERE status IN ('queued', 'running')
                   AND ((status = 'queued' AND run_at <= ?4)
                     OR (status = 'running' AND locked_until <= ?4))
                   AND (?6 = 'all'
                     OR (?6 = 'only' AND substr(kind, 1, length(?7)) = ?7)
                     OR (?6 = 'except' AND substr(kind, 1, length(?7)) <> ?7))
                 ORDER BY run_at, id
                 LIMIT ?5)
             RETURNING id, kind, payload, attempts, max_attempts",
        )
        .bind(worker)
        .bind(&token)
        .bind(to_us(until))
        .bind(now_us)
        .bind(i64::from(limit))
        .bind(mode)
        .bind(prefix)
        .bind(COALESCE_PREFIX)
        .fetch_all(&mut *tx)
        .await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            claimed.push(ClaimedJob {
                id: row.try_get("id")?,
                kind: row.try_get("kind")?,
                payload: json_from_text("jobs.payload", row.try_get("payload")?)?,
                attempt: row.try_get::<i64, _>("attempts")? as u32,
                max_attempts: row.try_get::<i64, _>("max_attempts")? as u32,
                lease_token: token.clone(),
                locked_until: until,
            });
        }
        claimed.sort_by_key(|c| c.id);
        for c in &claimed {
            // A run still open belongs to a worker whose lease expired.
            sqlx::query(
                "UPDATE job_runs SET outcome = 'abandoned', finished_at = ?2
                 WHERE job_id = ?1 AND outcome IS NULL",
            )
            .bind(c.id)
            .bind(now_us)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO job_runs (job_id, attempt, worker, started_at) VALUES (?1, ?2, ?3, ?4)",
            )
            .bind(c.id)
            .bind(i64::from(c.attempt))
            .bind(worker)
            .bind(now_us)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(claimed)
    }

    async fn complete_job(
        &self,
        claim: &ClaimedJob,
        now: DateTime<Utc>,
        follow_ups: &[NewJob],
    ) -> Result<()> {
        let now_us = to_us(now);
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE jobs SET status = 'done', finished_at = ?3, updated_at = ?3, last_error = NULL,
                 locked_by = NULL, lease_token = NULL, locked_until = NULL
             WHERE id = ?1 AND lease_token = ?2 AND status = 'running'",
        )
        .bind(claim.id)
        .bind(&claim.lease_token)
        .bind(now_us)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StorageError::LeaseLost(claim.id));
        }
        sqlx::query(
            "UPDATE job_runs SET outcome = 'succeeded', finished_at = ?3
             WHERE job_id = ?1 AND attempt = ?2 AND outcome IS NULL",
        )
        .bind(claim.id)
        .bind(i64::from(claim.attempt))
        .bind(now_us)
        .execute(&mut *tx)
        .await?;
        insert_jobs(&mut tx, follow_ups, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn fail_job(
        &self,
        claim: &ClaimedJob,
        now: DateTime<Utc>,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let now_us = to_us(now);
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE jobs SET status = CASE WHEN ?4 IS NULL THEN 'failed' ELSE 'queued' END,
                 run_at = COALESCE(?4, run_at),
                 finished_at = CASE WHEN ?4 IS NULL THEN ?3 ELSE NULL END,
                 updated_at = ?3, last_error = ?5,
                 locked_by = NULL, lease_token = NULL, locked_until = NULL
             WHERE id = ?1 AND lease_token = ?2 AND status = 'running'",
        )
        .bind(claim.id)
        .bind(&claim.lease_token)
        .bind(now_us)
        .bind(retry_at.map(to_us))
        .bind(error)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StorageError::LeaseLost(claim.id));
        }
        sqlx::query(
            "UPDATE job_runs SET outcome = 'failed', finished_at = ?3, error = ?4
             WHERE job_id = ?1 AND attempt = ?2 AND outcome IS NULL",
        )
        .bind(claim.id)
        .bind(i64::from(claim.attempt))
        .bind(now_us)
        .bind(error)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn job(&self, id: JobId) -> Result<Option<Job>> {
        let row = sqlx::query("SELECT * FROM jobs WHERE id = ?1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(job_from_row).transpose()
    }

    async fn job_runs(&self, id: JobId) -> Result<Vec<JobRun>> {
        let rows = sqlx::query("SELECT * FROM job_runs WHERE job_id = ?1 ORDER BY attempt")
            .bind(id)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(JobRun {
                    job_id: row.try_get("job_id")?,
                    attempt: row.try_get::<i64, _>("attempt")? as u32,
                    worker: row.try_get("worker")?,
                    started_at: from_us("job_runs.started_at", row.try_get("started_at")?)?,
                    finished_at: opt_from_us("job_runs.finished_at", row.try_get("finished_at")?)?,
                    outcome: row
                        .try_get::<Option<String>, _>("outcome")?
                        .as_deref()
                        .map(RunOutcome::parse)
                        .transpose()?,
                    error: row.try_get("error")?,
                })
            })
            .collect()
    }

    async fn job_counts(&self) -> Result<JobCounts> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, COUNT(*) FROM jobs GROUP BY status")
                .fetch_all(&self.read)
                .await?;
        Ok(crate::counts_from(rows))
    }
}
