//! SQLite: coordinators' shares, recommendations, introductions and KPIs.
//! Every write is one `BEGIN IMMEDIATE` transaction with its audit line and
//! its notification events (whose mail job `insert_events` queues).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use musubi_domain::coordination::IntroductionStatus;
use musubi_domain::{Prefecture, Region};
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Row};

use super::accounts::{count, insert_audit, map_conflict, page_bounds, parse_stored};
use super::tenders::{insert_events, status_from};
use super::{SqliteStore, from_us, to_us};
use crate::coordination::{
    INTRO_KPI_SQL, KPI_COORDINATORS_SQL, KpiRows, TOUCH_KPI_SQL, assemble_kpis, kpi_sql,
};
use crate::{
    AreaTender, Audience, AuditEntry, CoordinationKpis, CoordinationStore, Introduction,
    IntroductionOutcome, NewEvent, NewIntroduction, NewRecommendation, NewShare, OrgId, Page,
    Paging, Recommendation, Result, Share, StorageError, TenderId, UserId,
};

fn region_from(field: &'static str, s: &str) -> Result<Region> {
    parse_stored::<Region>(field, s)
}

fn introduction_from_row(row: &SqliteRow) -> Result<Introduction> {
    let status: String = row.try_get("status")?;
    Ok(Introduction {
        id: row.try_get("id")?,
        coordinator: row.try_get("coordinator_id")?,
        coordinator_name: row.try_get("coordinator_name")?,
        buyer: row.try_get("buyer_id")?,
        buyer_name: row.try_get("buyer_name")?,
        supplier: row.try_get("supplier_id")?,
        supplier_name: row.try_get("supplier_name")?,
        tender: row.try_get("tender_id")?,
        tender_title: row.try_get("tender_title")?,
        region: row
            .try_get::<Option<String>, _>("region")?
            .map(|r| region_from("coordination_introductions.region", &r))
            .transpose()?,
        note: row.try_get("note")?,
        status: IntroductionStatus::parse(&status).map_err(|e| StorageError::Corrupt {
            field: "coordination_introductions.status",
            message: e.to_string(),
        })?,
        meeting_on: row.try_get::<Option<NaiveDate>, _>("meeting_on")?,
        contract_amount: row.try_get("contract_amount")?,
        outcome_note: row.try_get("outcome_note")?,
        created_at: from_us(
            "coordination_introductions.created_at",
            row.try_get("created_at")?,
        )?,
        updated_at: from_us(
            "coordination_introductions.updated_at",
            row.try_get("updated_at")?,
        )?,
    })
}

const INTRODUCTION_SELECT: &str =
    "SELECT i.id, i.coordinator_id, u.display_name AS coordinator_name,
        i.buyer_id, b.name AS buyer_name, i.supplier_id, s.name AS supplier_name,
        i.tender_id, t.title AS tender_title, i.region, i.note, i.status, i.meeting_on,
        i.contract_amount, i.outcome_note, i.created_at, i.updated_at
     FROM coordination_introductions i
     JOIN users u ON u.id = i.coordinator_id
     JOIN organizations b ON b.id = i.buyer_id
     JOIN organizations s ON s.id = i.supplier_id
     LEFT JOIN tenders t ON t.id = i.tender_id";

#[async_trait]
impl CoordinationStore for SqliteStore {
    async fn create_share(
        &self,
        share: &NewShare,
        now: DateTime<Utc>,
        events: &[NewEvent],
        audit: AuditEntry,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO coordination_shares (coordinator_id, tender_id, region, note, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        )
        .bind(share.coordinator)
        .bind(share.tender)
        .bind(share.region.code())
        .bind(&share.note)
        .bind(to_us(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[]))?;
        // Only suppliers no share of this tender reached yet, decided in
        // this transaction: two shares at once (a double click, two
        // coordinators) never tell a supplier twice.
        let mut reached = Vec::new();
        for supplier in &share.recipients {
            let inserted = sqlx::query(
                "INSERT INTO coordination_share_recipients (share_id, supplier_id)
                 SELECT ?1, ?2 WHERE NOT EXISTS (
                     SELECT 1 FROM coordination_share_recipients r
                     JOIN coordination_shares s ON s.id = r.share_id
                     WHERE s.tender_id = ?3 AND r.supplier_id = ?2)
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(supplier)
            .bind(share.tender)
            .execute(&mut *tx)
            .await
            .map_err(|e| map_conflict(e, &[]))?;
            if inserted.rows_affected() > 0 {
                reached.push(*supplier);
            }
        }
        if reached.is_empty() {
            return Err(StorageError::Conflict("already_shared".into()));
        }
        let events: Vec<NewEvent> = events
            .iter()
            .filter(|e| match e.audience {
                Audience::Organization(org) => reached.contains(&org),
                _ => true,
            })
            .cloned()
            .collect();
        insert_events(&mut tx, share.tender, &events, now).await?;
        insert_audit(&mut tx, &audit, Some(id), now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn tender_shares(&self, tender: TenderId) -> Result<Vec<Share>> {
        let rows = sqlx::query(
            "SELECT s.id, s.coordinator_id, u.display_name, s.tender_id, s.region, s.note,
                    s.created_at,
                    (SELECT COUNT(*) FROM coordination_share_recipients r WHERE r.share_id = s.id) AS n
             FROM coordination_shares s JOIN users u ON u.id = s.coordinator_id
             WHERE s.tender_id = ?1 ORDER BY s.id DESC",
        )
        .bind(tender)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Share {
                    id: row.try_get("id")?,
                    coordinator: row.try_get("coordinator_id")?,
                    coordinator_name: row.try_get("display_name")?,
                    tender: row.try_get("tender_id")?,
                    region: region_from("coordination_shares.region", row.try_get("region")?)?,
                    note: row.try_get("note")?,
                    recipients: row.try_get("n")?,
                    created_at: from_us(
                        "coordination_shares.created_at",
                        row.try_get("created_at")?,
                    )?,
                })
            })
            .collect()
    }

    async fn shared_suppliers(&self, tender: TenderId) -> Result<Vec<OrgId>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT r.supplier_id FROM coordination_share_recipients r
             JOIN coordination_shares s ON s.id = r.share_id
             WHERE s.tender_id = ?1 ORDER BY r.supplier_id",
        )
        .bind(tender)
        .fetch_all(&self.read)
        .await?)
    }

    async fn create_recommendation(
        &self,
        rec: &NewRecommendation,
        now: DateTime<Utc>,
        events: &[NewEvent],
        audit: AuditEntry,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO coordination_recommendations
                 (coordinator_id, tender_id, supplier_id, region, note, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
        )
        .bind(rec.coordinator)
        .bind(rec.tender)
        .bind(rec.supplier)
        .bind(rec.region.code())
        .bind(&rec.note)
        .bind(to_us(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            map_conflict(
                e,
                &[("coordination_recommendations.", "already_recommended")],
            )
        })?;
        insert_events(&mut tx, rec.tender, events, now).await?;
        insert_audit(&mut tx, &audit, Some(id), now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn tender_recommendations(&self, tender: TenderId) -> Result<Vec<Recommendation>> {
        let rows = sqlx::query(
            "SELECT c.id, c.coordinator_id, u.display_name, c.tender_id, c.supplier_id,
                    o.name AS supplier_name, c.region, c.note, c.created_at,
                    (EXISTS (SELECT 1 FROM tender_applications a
                             WHERE a.tender_id = c.tender_id AND a.supplier_id = c.supplier_id
                               AND a.origin = 'application' AND a.created_at >= c.created_at)
                     OR EXISTS (SELECT 1 FROM bids b
                             WHERE b.tender_id = c.tender_id AND b.bidder_org_id = c.supplier_id
                               AND b.received_at >= c.created_at)) AS applied
             FROM coordination_recommendations c
             JOIN users u ON u.id = c.coordinator_id
             JOIN organizations o ON o.id = c.supplier_id
             WHERE c.tender_id = ?1 ORDER BY c.id",
        )
        .bind(tender)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Recommendation {
                    id: row.try_get("id")?,
                    coordinator: row.try_get("coordinator_id")?,
                    coordinator_name: row.try_get("display_name")?,
                    tender: row.try_get("tender_id")?,
                    supplier: row.try_get("supplier_id")?,
                    supplier_name: row.try_get("supplier_name")?,
                    region: region_from(
                        "coordination_recommendations.region",
                        row.try_get("region")?,
                    )?,
                    note: row.try_get("note")?,
                    created_at: from_us(
                        "coordination_recommendations.created_at",
                        row.try_get("created_at")?,
                    )?,
                    applied: row.try_get::<i64, _>("applied")? != 0,
                })
            })
            .collect()
    }

    async fn create_introduction(
        &self,
        intro: &NewIntroduction,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64> {
        let now_us = to_us(now);
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO coordination_introductions
                 (coordinator_id, buyer_id, supplier_id, tender_id, region, note, status,
                  created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'introduced', ?7, ?7) RETURNING id",
        )
        .bind(intro.coordinator)
        .bind(intro.buyer)
        .bind(intro.supplier)
        .bind(intro.tender)
        .bind(intro.region.map(Region::code))
        .bind(&intro.note)
        .bind(now_us)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[]))?;
        insert_audit(&mut tx, &audit, Some(id), now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn record_introduction_outcome(
        &self,
        id: i64,
        expected: IntroductionStatus,
        outcome: &IntroductionOutcome,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE coordination_introductions
             SET status = ?3, meeting_on = ?4, contract_amount = ?5, outcome_note = ?6,
                 updated_at = ?7
             WHERE id = ?1 AND status = ?2",
        )
        .bind(id)
        .bind(expected.code())
        .bind(outcome.status.code())
        .bind(outcome.meeting_on)
        .bind(outcome.contract_amount)
        .bind(&outcome.outcome_note)
        .bind(to_us(now))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT id FROM coordination_introductions WHERE id = ?1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            return Err(match exists {
                Some(_) => StorageError::Conflict("stale_status".into()),
                None => StorageError::NotFound,
            });
        }
        insert_audit(&mut tx, &audit, Some(id), now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn introduction(&self, id: i64) -> Result<Option<Introduction>> {
        let sql = format!("{INTRODUCTION_SELECT} WHERE i.id = ?1");
        sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .as_ref()
            .map(introduction_from_row)
            .transpose()
    }

    async fn introductions(
        &self,
        coordinator: Option<UserId>,
        paging: Paging,
    ) -> Result<Page<Introduction>> {
        let (offset, limit) = page_bounds(paging.offset, paging.limit);
        let mut tx = self.read.begin().await?;
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM coordination_introductions
             WHERE ?1 IS NULL OR coordinator_id = ?1",
        )
        .bind(coordinator)
        .fetch_one(&mut *tx)
        .await?;
        let sql = format!(
            "{INTRODUCTION_SELECT} WHERE ?1 IS NULL OR i.coordinator_id = ?1
             ORDER BY i.id DESC LIMIT ?2 OFFSET ?3"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(coordinator)
            .bind(limit)
            .bind(offset)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Page {
            items: rows
                .iter()
                .map(introduction_from_row)
                .collect::<Result<_>>()?,
            total: count("coordination_introductions", total)?,
        })
    }

    async fn area_tenders(
        &self,
        prefectures: &[Prefecture],
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<AreaTender>> {
        // Codes are two digits from the enum, safe to inline.
        let filter = if prefectures.is_empty() {
            String::new()
        } else {
            let codes: Vec<String> = prefectures
                .iter()
                .map(|p| format!("'{}'", p.code()))
                .collect();
            format!("AND t.prefecture IN ({})", codes.join(", "))
        };
        let sql = format!(
            "SELECT t.id, t.title, o.name AS buyer_name, t.status, t.prefecture,
                    t.published_at, t.submission_closes_at
             FROM tenders t JOIN organizations o ON o.id = t.buyer_id
             WHERE t.published_at IS NOT NULL AND t.published_at >= ?1 {filter}
             ORDER BY t.published_at DESC, t.id DESC LIMIT ?2"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(to_us(since))
            .bind(i64::from(limit))
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(AreaTender {
                    id: row.try_get("id")?,
                    title: row.try_get("title")?,
                    buyer_name: row.try_get("buyer_name")?,
                    status: status_from("tenders.status", row.try_get("status")?)?,
                    prefecture: row
                        .try_get::<Option<String>, _>("prefecture")?
                        .map(|p| parse_stored::<Prefecture>("tenders.prefecture", &p))
                        .transpose()?,
                    published_at: from_us("tenders.published_at", row.try_get("published_at")?)?,
                    submission_closes_at: from_us(
                        "tenders.submission_closes_at",
                        row.try_get("submission_closes_at")?,
                    )?,
                })
            })
            .collect()
    }

    async fn coordination_kpis(&self, since: Option<DateTime<Utc>>) -> Result<CoordinationKpis> {
        let p = since.map(|_| "?1");
        let since_us = since.map(to_us);
        // The period is bound only where the SQL has its placeholder.
        let query = |sql: String| {
            let q = sqlx::query(AssertSqlSafe(sql));
            match since_us {
                Some(us) => q.bind(us),
                None => q,
            }
        };
        let mut tx = self.read.begin().await?;
        let t_coord = keyed(
            &query(kpi_sql(TOUCH_KPI_SQL, "coordinator_id", p))
                .fetch_all(&mut *tx)
                .await?,
            touch_numbers,
        )?;
        let i_coord = keyed(
            &query(kpi_sql(INTRO_KPI_SQL, "coordinator_id", p))
                .fetch_all(&mut *tx)
                .await?,
            intro_numbers,
        )?;
        let t_region = keyed(
            &query(kpi_sql(TOUCH_KPI_SQL, "region", p))
                .fetch_all(&mut *tx)
                .await?,
            touch_numbers,
        )?;
        let i_region = keyed(
            &query(kpi_sql(INTRO_KPI_SQL, "region", p))
                .fetch_all(&mut *tx)
                .await?,
            intro_numbers,
        )?;
        let names: Vec<(i64, String)> = sqlx::query_as(KPI_COORDINATORS_SQL)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        assemble_kpis(names, t_coord, i_coord, t_region, i_region)
    }
}

/// One KPI query's rows: the key (first column) and its numbers.
fn keyed<K, const N: usize>(
    rows: &[SqliteRow],
    numbers: fn(&SqliteRow) -> Result<[i64; N]>,
) -> Result<KpiRows<K, N>>
where
    K: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    rows.iter()
        .map(|r| Ok((r.try_get::<K, _>(0)?, String::new(), numbers(r)?)))
        .collect()
}

fn touch_numbers(r: &SqliteRow) -> Result<[i64; 5]> {
    Ok([
        r.try_get("shares")?,
        r.try_get("recipients")?,
        r.try_get("recommendations")?,
        r.try_get("applications")?,
        r.try_get("awards")?,
    ])
}

fn intro_numbers(r: &SqliteRow) -> Result<[i64; 4]> {
    Ok([
        r.try_get("introductions")?,
        r.try_get("meetings")?,
        r.try_get("won")?,
        r.try_get("won_amount")?,
    ])
}
