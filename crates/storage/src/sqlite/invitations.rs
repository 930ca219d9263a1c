//! Invitations on SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musubi_domain::{EmailAddress, OrgRole};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::accounts::{insert_audit, map_conflict, parse_stored};
use super::{SqliteStore, from_us, insert_jobs, opt_from_us, to_us};
use crate::{AuditEntry, Invitation, InvitationStore, NewJob, OrgId, Result, StorageError, UserId};

fn invitation_from_row(row: &SqliteRow) -> Result<Invitation> {
    Ok(Invitation {
        id: row.try_get("id")?,
        organization_id: row.try_get("organization_id")?,
        email: parse_stored("invitations.email", row.try_get::<&str, _>("email")?)?,
        role: parse_stored("invitations.role", row.try_get::<&str, _>("role")?)?,
        invited_by: row.try_get("invited_by")?,
        created_at: from_us("invitations.created_at", row.try_get("created_at")?)?,
        expires_at: from_us("invitations.expires_at", row.try_get("expires_at")?)?,
        accepted_at: opt_from_us("invitations.accepted_at", row.try_get("accepted_at")?)?,
    })
}

#[async_trait]
impl InvitationStore for SqliteStore {
    async fn create_invitation(
        &self,
        org: OrgId,
        email: &EmailAddress,
        role: OrgRole,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
        audit: AuditEntry,
        jobs: &[NewJob],
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO invitations (token_hash, organization_id, email, role, invited_by, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        )
        .bind(token_hash)
        .bind(org)
        .bind(email.as_str())
        .bind(role.code())
        .bind(audit.actor.ok_or_else(|| StorageError::Conflict("inviter_required".into()))?)
        .bind(to_us(now))
        .bind(to_us(expires_at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[("invitations.token_hash", "token_taken")]))?;
        let id: i64 = row.try_get("id")?;
        insert_audit(&mut tx, &audit, Some(org), now).await?;
        insert_jobs(&mut tx, jobs, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn invitation(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Invitation>> {
        let row = sqlx::query("SELECT * FROM invitations WHERE token_hash = ?1 AND accepted_at IS NULL AND expires_at > ?2")
            .bind(token_hash)
            .bind(to_us(now))
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(invitation_from_row).transpose()
    }

    async fn accept_invitation(
        &self,
        token_hash: &str,
        user: UserId,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<Option<OrgId>> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT * FROM invitations WHERE token_hash = ?1 AND accepted_at IS NULL AND expires_at > ?2")
            .bind(token_hash)
            .bind(to_us(now))
            .fetch_optional(&mut *tx)
            .await?;
        let Some(inv) = row.as_ref().map(invitation_from_row).transpose()? else {
            return Ok(None);
        };
        let email: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = ?1")
            .bind(user)
            .fetch_optional(&mut *tx)
            .await?;
        if email.as_deref() != Some(inv.email.as_str()) {
            return Err(StorageError::Conflict("invitation_email_mismatch".into()));
        }
        sqlx::query("INSERT INTO memberships (user_id, organization_id, role, created_at) VALUES (?1, ?2, ?3, ?4)")
            .bind(user)
            .bind(inv.organization_id)
            .bind(inv.role.code())
            .bind(to_us(now))
            .execute(&mut *tx)
            .await
            .map_err(|e| map_conflict(e, &[("memberships.user_id", "already_member")]))?;
        sqlx::query("UPDATE invitations SET accepted_at = ?2 WHERE id = ?1")
            .bind(inv.id)
            .bind(to_us(now))
            .execute(&mut *tx)
            .await?;
        insert_audit(&mut tx, &audit, Some(inv.organization_id), now).await?;
        tx.commit().await?;
        Ok(Some(inv.organization_id))
    }

    async fn open_invitations(&self, org: OrgId, now: DateTime<Utc>) -> Result<Vec<Invitation>> {
        let rows = sqlx::query(
            "SELECT * FROM invitations WHERE organization_id = ?1 AND accepted_at IS NULL AND expires_at > ?2
             ORDER BY created_at DESC, id DESC",
        )
        .bind(org)
        .bind(to_us(now))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(invitation_from_row).collect()
    }
}
