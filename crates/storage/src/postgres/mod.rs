//! PostgreSQL: the production database. Claims use `FOR UPDATE SKIP LOCKED`
//! so any number of workers share the queue without blocking each other.

mod accounts;
mod alerts;
mod bids;
mod coordination;
mod invitations;
mod tenders;
mod transparency;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::types::Json;
use sqlx::{Postgres, Row, Transaction};

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
        sql: include_str!("../../migrations/postgres/0001_jobs.sql"),
    },
    Migration {
        version: 2,
        name: "accounts",
        sql: include_str!("../../migrations/postgres/0002_accounts.sql"),
    },
    Migration {
        version: 3,
        name: "tenders",
        sql: include_str!("../../migrations/postgres/0003_tenders.sql"),
    },
    Migration {
        version: 4,
        name: "tender_list_index",
        sql: include_str!("../../migrations/postgres/0004_tender_list_index.sql"),
    },
    Migration {
        version: 5,
        name: "bids",
        sql: include_str!("../../migrations/postgres/0005_bids.sql"),
    },
    Migration {
        version: 6,
        name: "transparency",
        sql: include_str!("../../migrations/postgres/0006_transparency.sql"),
    },
    Migration {
        version: 7,
        name: "alerts",
        sql: include_str!("../../migrations/postgres/0007_alerts.sql"),
    },
    Migration {
        version: 8,
        name: "coordination",
        sql: include_str!("../../migrations/postgres/0008_coordination.sql"),
    },
];

/// Serialises concurrent `migrate` calls from several servers starting at once.
const MIGRATION_LOCK: i64 = 0x6d75_7375_6269; // "musubi"

pub struct PgStore {
    pool: PgPool,
    /// Bids, many per transaction (see [`crate::group_commit`]).
    bid_intake: GroupCommit<bids::BidIntake>,
    /// API tokens' `last_used_at`, many per statement.
    token_touches: GroupCommit<accounts::TokenTouches>,
}

/// Most writes in one group commit (bounds how long a commit holds the
/// writer).
const GROUP_BATCH: usize = 256;

impl PgStore {
    pub async fn connect(url: &str) -> Result<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StorageError::Unavailable(e.to_string()))?
            .application_name("musubi");
        Self::connect_with(options).await
    }

    pub async fn connect_with(options: PgConnectOptions) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| StorageError::Unavailable(e.to_string()))?;
        let bid_intake = GroupCommit::new(bids::BidIntake::new(pool.clone()), GROUP_BATCH);
        let token_touches =
            GroupCommit::new(accounts::TokenTouches::new(pool.clone()), GROUP_BATCH);
        Ok(PgStore {
            pool,
            bid_intake,
            token_touches,
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

async fn insert_jobs(
    tx: &mut Transaction<'static, Postgres>,
    jobs: &[NewJob],
    now: DateTime<Utc>,
) -> Result<Vec<JobId>> {
    let mut ids = Vec::with_capacity(jobs.len());
    for job in jobs {
        let coalescing = job
            .dedupe_key
            .as_deref()
            .is_some_and(|k| k.starts_with(COALESCE_PREFIX));
        // A coalescing key held by a waiting job: lock that job (DO UPDATE
        // locks the row even when its WHERE updates nothing) so no worker
        // claims it before this transaction's change is visible; claims skip
        // locked rows.
        let sql = if coalescing {
            "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, dedupe_key, created_at, updated_at)
             VALUES ($1, $2, 'queued', 0, $3, $4, $5, $6, $6)
             ON CONFLICT (dedupe_key) DO UPDATE SET dedupe_key = EXCLUDED.dedupe_key WHERE FALSE
             RETURNING id"
        } else {
            "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, dedupe_key, created_at, updated_at)
             VALUES ($1, $2, 'queued', 0, $3, $4, $5, $6, $6)
             ON CONFLICT (dedupe_key) DO NOTHING
             RETURNING id"
        };
        let row = sqlx::query(sql)
            .bind(&job.kind)
            .bind(Json(&job.payload))
            .bind(job.max_attempts as i32)
            .bind(job.run_at.unwrap_or(now))
            .bind(&job.dedupe_key)
            .bind(now)
            .fetch_optional(&mut **tx)
            .await?;
        if let Some(row) = row {
            ids.push(row.try_get("id")?);
        }
    }
    Ok(ids)
}

fn job_from_row(row: &PgRow) -> Result<Job> {
    Ok(Job {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        payload: row.try_get::<Json<serde_json::Value>, _>("payload")?.0,
        status: JobStatus::parse(row.try_get("status")?)?,
        attempts: row.try_get::<i32, _>("attempts")? as u32,
        max_attempts: row.try_get::<i32, _>("max_attempts")? as u32,
        run_at: row.try_get("run_at")?,
        dedupe_key: row.try_get("dedupe_key")?,
        last_error: row.try_get("last_error")?,
        created_at: row.try_get("created_at")?,
        finished_at: row.try_get("finished_at")?,
    })
}

#[async_trait]
impl Storage for PgStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn migrate(&self) -> Result<MigrationReport> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *tx)
            .await?;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version    BIGINT      PRIMARY KEY,
                name       TEXT        NOT NULL,
                checksum   TEXT        NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL
            )",
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
        for m in todo {
            sqlx::raw_sql(m.sql).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
                .bind(m.version)
                .bind(m.name)
                .bind(m.checksum())
                .bind(Utc::now())
                .execute(&mut *tx)
                .await?;
            report.applied.push(m.label());
        }
        tx.commit().await?;
        Ok(report)
    }

    async fn schema(&self) -> Result<Vec<TableSchema>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema()
             ORDER BY table_name, column_name",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(crate::group_columns(rows))
    }

    async fn analyze(&self) -> Result<()> {
        // VACUUM as well for the tenders: after a bulk import the visibility
        // map is empty and counting from an index would visit every row.
        // (Separate statements: VACUUM may not share a query string.)
        sqlx::raw_sql(
            "ANALYZE organizations, company_profiles, company_jsic, company_grades, company_certifications",
        )
        .execute(&self.pool)
        .await?;
        sqlx::raw_sql(
            "VACUUM (ANALYZE) tenders, tender_transitions, tender_versions, tender_questions, tender_attachments",
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn enqueue_jobs(&self, jobs: &[NewJob], now: DateTime<Utc>) -> Result<Vec<JobId>> {
        let mut tx = self.pool.begin().await?;
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
        let until = now + lease;
        let mut tx = self.pool.begin().await?;
        // Jobs whose worker died on their last allowed attempt fail for good.
        let exhausted: Vec<(i64,)> = sqlx::query_as(
            "UPDATE jobs SET status = 'failed', finished_at = $1, updated_at = $1,
                 last_error = 'worker lost on the last attempt', locked_by = NULL, lease_token = NULL, locked_until = NULL
             WHERE id IN (
                 SELECT id FROM jobs
                 WHERE status = 'running' AND locked_until <= $1 AND attempts >= max_attempts
                 FOR UPDATE SKIP LOCKED)
             RETURNING id",
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        let exhausted: Vec<i64> = exhausted.into_iter().map(|(id,)| id).collect();
        sqlx::query(
            "UPDATE job_runs SET outcome = 'abandoned', finished_at = $2
             WHERE job_id = ANY($1) AND outcome IS NULL",
        )
        .bind(&exhausted)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let rows = sqlx::query(
            "WITH picked AS (
                 SELECT id FROM jobs
                 WHERE status IN ('queued', 'running')
                   AND ((status = 'queued' AND run_at <= $4)
                     OR (status = 'running' AND locked_until <= $4 AND attempts < max_attempts))
                   AND ($6 = 'all'
                     OR ($6 = 'only' AND substr(kind, 1, length($7)) = $7)
                     OR ($6 = 'except' AND substr(kind, 1, length($7)) <> $7))
                 ORDER BY run_at, id
                 LIMIT $5
                 FOR UPDATE SKIP LOCKED)
             UPDATE jobs SET status = 'running', attempts = jobs.attempts + 1, locked_by = $1,
                 lease_token = $2, locked_until = $3, updated_at = $4,
                 -- A coalescing key is released: a change after this claim
                 -- must queue a job of its own.
                 dedupe_key = CASE WHEN substr(jobs.dedupe_key, 1, length($8)) = $8
                                   THEN NULL ELSE jobs.dedupe_key END
             FROM picked WHERE jobs.id = picked.id
             RETURNING jobs.id, jobs.kind, jobs.payload, jobs.attempts, jobs.max_attempts",
        )
        .bind(worker)
        .bind(&token)
        .bind(until)
        .bind(now)
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
                payload: row.try_get::<Json<serde_json::Value>, _>("payload")?.0,
                attempt: row.try_get::<i32, _>("attempts")? as u32,
                max_attempts: row.try_get::<i32, _>("max_attempts")? as u32,
                lease_token: token.clone(),
                locked_until: until,
            });
        }
        claimed.sort_by_key(|c| c.id);
        let ids: Vec<i64> = claimed.iter().map(|c| c.id).collect();
        let attempts: Vec<i32> = claimed.iter().map(|c| c.attempt as i32).collect();
        // A run still open belongs to a worker whose lease expired.
        sqlx::query(
            "UPDATE job_runs SET outcome = 'abandoned', finished_at = $2
             WHERE job_id = ANY($1) AND outcome IS NULL",
        )
        .bind(&ids)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO job_runs (job_id, attempt, worker, started_at)
             SELECT * FROM UNNEST($1::bigint[], $2::int[]) AS c(job_id, attempt), (SELECT $3::text, $4::timestamptz) AS w",
        )
        .bind(&ids)
        .bind(&attempts)
        .bind(worker)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn complete_job(
        &self,
        claim: &ClaimedJob,
        now: DateTime<Utc>,
        follow_ups: &[NewJob],
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE jobs SET status = 'done', finished_at = $3, updated_at = $3, last_error = NULL,
                 locked_by = NULL, lease_token = NULL, locked_until = NULL
             WHERE id = $1 AND lease_token = $2 AND status = 'running'",
        )
        .bind(claim.id)
        .bind(&claim.lease_token)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StorageError::LeaseLost(claim.id));
        }
        sqlx::query(
            "UPDATE job_runs SET outcome = 'succeeded', finished_at = $3
             WHERE job_id = $1 AND attempt = $2 AND outcome IS NULL",
        )
        .bind(claim.id)
        .bind(claim.attempt as i32)
        .bind(now)
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
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE jobs SET status = CASE WHEN $4::timestamptz IS NULL THEN 'failed' ELSE 'queued' END,
                 run_at = COALESCE($4, run_at),
                 finished_at = CASE WHEN $4::timestamptz IS NULL THEN $3 ELSE NULL END,
                 updated_at = $3, last_error = $5,
                 locked_by = NULL, lease_token = NULL, locked_until = NULL
             WHERE id = $1 AND lease_token = $2 AND status = 'running'",
        )
        .bind(claim.id)
        .bind(&claim.lease_token)
        .bind(now)
        .bind(retry_at)
        .bind(error)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StorageError::LeaseLost(claim.id));
        }
        sqlx::query(
            "UPDATE job_runs SET outcome = 'failed', finished_at = $3, error = $4
             WHERE job_id = $1 AND attempt = $2 AND outcome IS NULL",
        )
        .bind(claim.id)
        .bind(claim.attempt as i32)
        .bind(now)
        .bind(error)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn job(&self, id: JobId) -> Result<Option<Job>> {
        let row = sqlx::query("SELECT * FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(job_from_row).transpose()
    }

    async fn job_runs(&self, id: JobId) -> Result<Vec<JobRun>> {
        let rows = sqlx::query("SELECT * FROM job_runs WHERE job_id = $1 ORDER BY attempt")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(JobRun {
                    job_id: row.try_get("job_id")?,
                    attempt: row.try_get::<i32, _>("attempt")? as u32,
                    worker: row.try_get("worker")?,
                    started_at: row.try_get("started_at")?,
                    finished_at: row.try_get("finished_at")?,
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
                .fetch_all(&self.pool)
                .await?;
        Ok(crate::counts_from(rows))
    }
}
