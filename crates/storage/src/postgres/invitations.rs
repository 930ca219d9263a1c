//! Invitations on PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musubi_domain::{EmailAddress, OrgRole};
use sqlx::Row;
use sqlx::postgres::PgRow;

use super::accounts::{db_error, insert_audit, parse};
use super::{PgStore, insert_jobs};
use crate::{AuditEntry, Invitation, InvitationStore, NewJob, OrgId, Result, StorageError, UserId};

fn invitation_from_row(row: &PgRow) -> Result<Invitation> {
    Ok(Invitation {
        id: row.try_get("id")?,
        organization_id: row.try_get("organization_id")?,
        email: parse(
            "invitations.email",
            row.try_get::<&str, _>("email")?,
            EmailAddress::parse,
        )?,
        role: parse(
            "invitations.role",
            row.try_get::<&str, _>("role")?,
            OrgRole::parse,
        )?,
        invited_by: row.try_get("invited_by")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        accepted_at: row.try_get("accepted_at")?,
    })
}

#[async_trait]
impl InvitationStore for PgStore {
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
        let inviter = audit
            .actor
            .ok_or_else(|| StorageError::Conflict("inviter_required".into()))?;
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO invitations (token_hash, organization_id, email, role, invited_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(token_hash)
        .bind(org)
        .bind(email.as_str())
        .bind(role.code())
        .bind(inviter)
        .bind(now)
        .bind(expires_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        insert_audit(&mut tx, &audit, Some(org), now).await?;
        insert_jobs(&mut tx, jobs, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn invitation(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Invitation>> {
        let row = sqlx::query("SELECT * FROM invitations WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2")
            .bind(token_hash)
            .bind(now)
            .fetch_optional(self.pool())
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
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query(
            "SELECT * FROM invitations WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2 FOR UPDATE",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(inv) = row.as_ref().map(invitation_from_row).transpose()? else {
            return Ok(None);
        };
        let email: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&mut *tx)
            .await?;
        if email.as_deref() != Some(inv.email.as_str()) {
            return Err(StorageError::Conflict("invitation_email_mismatch".into()));
        }
        sqlx::query("INSERT INTO memberships (user_id, organization_id, role, created_at) VALUES ($1, $2, $3, $4)")
            .bind(user)
            .bind(inv.organization_id)
            .bind(inv.role.code())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        sqlx::query("UPDATE invitations SET accepted_at = $2 WHERE id = $1")
            .bind(inv.id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        insert_audit(&mut tx, &audit, Some(inv.organization_id), now).await?;
        tx.commit().await?;
        Ok(Some(inv.organization_id))
    }

    async fn open_invitations(&self, org: OrgId, now: DateTime<Utc>) -> Result<Vec<Invitation>> {
        let rows = sqlx::query(
            "SELECT * FROM invitations WHERE organization_id = $1 AND accepted_at IS NULL AND expires_at > $2
             ORDER BY created_at DESC, id DESC",
        )
        .bind(org)
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(invitation_from_row).collect()
    }
}
