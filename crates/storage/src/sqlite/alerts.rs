//! Saved searches, their alerts and the inbox's read state on SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::tenders::{event_from_row, insert_events};
use super::{SqliteStore, from_us, insert_jobs, json_from_text, to_us};
use crate::{
    AlertFrequency, AlertHit, AlertStore, Audience, Digest, EventKind, MailRecipient, NewEvent,
    NewSavedSearch, NotificationEvent, Result, SavedSearch, SavedSearchId, SavedSearchUpdate,
    StorageError, TenderId, UserId,
};

fn saved_search_from_row(row: &SqliteRow) -> Result<SavedSearch> {
    let frequency: &str = row.try_get("frequency")?;
    Ok(SavedSearch {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        name: row.try_get("name")?,
        query: row.try_get("query")?,
        criteria: json_from_text("saved_searches.criteria", row.try_get("criteria")?)?,
        frequency: AlertFrequency::parse(frequency).ok_or_else(|| StorageError::Corrupt {
            field: "saved_searches.frequency",
            message: format!("unknown frequency {frequency:?}"),
        })?,
        email: row.try_get::<i64, _>("email")? != 0,
        created_at: from_us("saved_searches.created_at", row.try_get("created_at")?)?,
        updated_at: from_us("saved_searches.updated_at", row.try_get("updated_at")?)?,
    })
}

fn id_list(ids: &[i64]) -> String {
    serde_json::to_string(ids).expect("integers serialise")
}

#[async_trait]
impl AlertStore for SqliteStore {
    async fn create_saved_search(
        &self,
        new: &NewSavedSearch,
        max: u32,
        now: DateTime<Utc>,
    ) -> Result<SavedSearch> {
        let mut tx = self.begin_write().await?;
        let held: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM saved_searches WHERE user_id = ?1")
                .bind(new.user_id)
                .fetch_one(&mut *tx)
                .await?;
        if held >= i64::from(max) {
            return Err(StorageError::Conflict("saved_search_limit".into()));
        }
        let row = sqlx::query(
            "INSERT INTO saved_searches
                 (user_id, name, query, criteria, frequency, email, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING *",
        )
        .bind(new.user_id)
        .bind(&new.name)
        .bind(&new.query)
        .bind(new.criteria.to_string())
        .bind(new.frequency.as_str())
        .bind(i64::from(new.email))
        .bind(to_us(now))
        .fetch_one(&mut *tx)
        .await?;
        let saved = saved_search_from_row(&row)?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn saved_search(&self, id: SavedSearchId) -> Result<Option<SavedSearch>> {
        sqlx::query("SELECT * FROM saved_searches WHERE id = ?1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .as_ref()
            .map(saved_search_from_row)
            .transpose()
    }

    async fn saved_searches_of(&self, user: UserId) -> Result<Vec<SavedSearch>> {
        sqlx::query("SELECT * FROM saved_searches WHERE user_id = ?1 ORDER BY id")
            .bind(user)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(saved_search_from_row)
            .collect()
    }

    async fn update_saved_search(
        &self,
        id: SavedSearchId,
        user: UserId,
        update: &SavedSearchUpdate,
        now: DateTime<Utc>,
    ) -> Result<Option<SavedSearch>> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "UPDATE saved_searches SET name = ?3, frequency = ?4, email = ?5,
                 updated_at = ?6, revision = revision + 1
             WHERE id = ?1 AND user_id = ?2 RETURNING *",
        )
        .bind(id)
        .bind(user)
        .bind(&update.name)
        .bind(update.frequency.as_str())
        .bind(i64::from(update.email))
        .bind(to_us(now))
        .fetch_optional(&mut *tx)
        .await?;
        let saved = row.as_ref().map(saved_search_from_row).transpose()?;
        if saved.is_some() && update.frequency != AlertFrequency::Daily {
            // A search that no longer sends digests drops what waited for
            // one: it must not arrive as new if the digest is turned on again.
            sqlx::query(
                "UPDATE saved_search_hits SET digested_at = ?2
                 WHERE saved_search_id = ?1 AND digested_at IS NULL",
            )
            .bind(id)
            .bind(to_us(now))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(saved)
    }

    async fn delete_saved_search(&self, id: SavedSearchId, user: UserId) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM saved_searches WHERE id = ?1 AND user_id = ?2")
            .bind(id)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    async fn set_saved_search_email(
        &self,
        id: SavedSearchId,
        email: bool,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE saved_searches SET email = ?2, updated_at = ?3, revision = revision + 1
                 WHERE id = ?1",
        )
        .bind(id)
        .bind(i64::from(email))
        .bind(to_us(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    async fn saved_searches_version(&self) -> Result<(i64, i64, i64)> {
        Ok(sqlx::query_as(
            "SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(SUM(revision), 0)
             FROM saved_searches",
        )
        .fetch_one(&self.read)
        .await?)
    }

    async fn alerting_saved_searches(&self, frequency: AlertFrequency) -> Result<Vec<SavedSearch>> {
        sqlx::query("SELECT * FROM saved_searches WHERE frequency = ?1 ORDER BY id")
            .bind(frequency.as_str())
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(saved_search_from_row)
            .collect()
    }

    async fn record_alert_hits(&self, hits: &[AlertHit], now: DateTime<Utc>) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let mut new = 0;
        for hit in hits {
            let inserted = sqlx::query(
                "INSERT INTO saved_search_hits (saved_search_id, tender_id, created_at, digested_at)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            )
            .bind(hit.saved_search_id)
            .bind(hit.tender_id)
            .bind(to_us(now))
            .bind((!hit.for_digest).then(|| to_us(now)))
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                continue;
            }
            new += 1;
            if !hit.for_digest {
                // Its event, and through it the job that mails it.
                insert_events(
                    &mut tx,
                    hit.tender_id,
                    &[NewEvent {
                        kind: EventKind::SavedSearchMatch,
                        audience: Audience::User(hit.user_id),
                        detail: hit.detail.clone(),
                    }],
                    now,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(new)
    }

    async fn pending_digest_hits(&self) -> Result<Vec<(SavedSearchId, TenderId)>> {
        Ok(sqlx::query_as(
            "SELECT h.saved_search_id, h.tender_id FROM saved_search_hits h
             JOIN saved_searches s ON s.id = h.saved_search_id
             WHERE h.digested_at IS NULL AND s.frequency = 'daily'
             ORDER BY h.saved_search_id, h.tender_id",
        )
        .fetch_all(&self.read)
        .await?)
    }

    async fn record_digest(&self, digest: &Digest, now: DateTime<Utc>) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let mut recorded = 0;
        for hit in &digest.hits {
            let marked = sqlx::query(
                "UPDATE saved_search_hits SET digested_at = ?3
                 WHERE saved_search_id = ?1 AND tender_id = ?2 AND digested_at IS NULL",
            )
            .bind(digest.saved_search_id)
            .bind(hit.tender_id)
            .bind(to_us(now))
            .execute(&mut *tx)
            .await?;
            if marked.rows_affected() == 0 {
                continue;
            }
            recorded += 1;
            // In the inbox only: the digest is the mail.
            sqlx::query(
                "INSERT INTO notification_events (user_id, kind, tender_id, detail, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .bind(hit.user_id)
            .bind(EventKind::SavedSearchMatch.as_str())
            .bind(hit.tender_id)
            .bind(hit.detail.to_string())
            .bind(to_us(now))
            .execute(&mut *tx)
            .await?;
        }
        if recorded > 0
            && let Some(mail) = &digest.mail
        {
            insert_jobs(&mut tx, std::slice::from_ref(mail), now).await?;
        }
        tx.commit().await?;
        Ok(recorded)
    }

    async fn saved_search_hits(
        &self,
        id: SavedSearchId,
        limit: u32,
    ) -> Result<Vec<(TenderId, DateTime<Utc>)>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT tender_id, created_at FROM saved_search_hits WHERE saved_search_id = ?1
             ORDER BY created_at DESC, tender_id DESC LIMIT ?2",
        )
        .bind(id)
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|(t, at)| Ok((t, from_us("saved_search_hits.created_at", at)?)))
            .collect()
    }

    async fn unread_events(&self, user: UserId) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM notification_events WHERE user_id = ?1 AND read_at IS NULL",
        )
        .bind(user)
        .fetch_one(&self.read)
        .await?)
    }

    async fn mark_events_read(
        &self,
        user: UserId,
        ids: Option<&[i64]>,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let done = match ids {
            Some(ids) => {
                sqlx::query(
                    "UPDATE notification_events SET read_at = ?2
                     WHERE user_id = ?1 AND read_at IS NULL
                       AND id IN (SELECT value FROM json_each(?3))",
                )
                .bind(user)
                .bind(to_us(now))
                .bind(id_list(ids))
                .execute(&mut *tx)
                .await?
            }
            None => {
                sqlx::query(
                    "UPDATE notification_events SET read_at = ?2
                     WHERE user_id = ?1 AND read_at IS NULL",
                )
                .bind(user)
                .bind(to_us(now))
                .execute(&mut *tx)
                .await?
            }
        };
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    async fn events_by_ids(&self, ids: &[i64]) -> Result<Vec<NotificationEvent>> {
        sqlx::query(
            "SELECT * FROM notification_events
             WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id",
        )
        .bind(id_list(ids))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(event_from_row)
        .collect()
    }

    async fn mail_recipients(&self, users: &[UserId]) -> Result<Vec<MailRecipient>> {
        let rows = sqlx::query(
            "SELECT id, email, display_name, locale, event_mail FROM users
             WHERE id IN (SELECT value FROM json_each(?1)) AND suspended_at IS NULL
             ORDER BY id",
        )
        .bind(id_list(users))
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MailRecipient {
                    user_id: r.try_get("id")?,
                    email: r.try_get("email")?,
                    display_name: r.try_get("display_name")?,
                    locale: r.try_get("locale")?,
                    event_mail: r.try_get::<i64, _>("event_mail")? != 0,
                })
            })
            .collect()
    }

    async fn set_event_mail(&self, user: UserId, on: bool, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE users SET event_mail = ?2, updated_at = ?3 WHERE id = ?1")
            .bind(user)
            .bind(i64::from(on))
            .bind(to_us(now))
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }
}
