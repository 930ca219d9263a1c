//! SQLite: people, sessions, API tokens, organisations and the audit log.
//!
//! Every write runs in one `BEGIN IMMEDIATE` transaction together with its
//! audit line and the jobs it causes; an error returns before the commit, so
//! nothing is half-written.

use std::fmt::Display;
use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use musubi_domain::{
    Approval, EmailAddress, Membership, OrgKind, OrgRole, PlatformRole, Prefecture,
};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, SqlitePool, Transaction};

use super::{SqliteStore, from_us, insert_jobs, json_from_text, opt_from_us, to_us};
use crate::group_commit::Flush;
use crate::{
    AccountStore, ApiToken, AuditEntry, AuditRecord, AuditStore, Member, MemberImport, NewJob,
    NewOrganization, NewSession, NewUser, OrgId, Organization, OrganizationStore, Page, Paging,
    Result, SessionRecord, StorageError, TokenPurpose, TokenScope, User, UserId,
};

/// How long a token's `last_used_at` may lag behind its real last use: a busy
/// client costs one write a minute, not one per request.
const LAST_USED_GRANULARITY: Duration = Duration::minutes(1);

/// Default and largest page sizes for every paged list.
pub(super) const DEFAULT_LIMIT: u32 = 20;
pub(super) const MAX_LIMIT: u32 = 200;

// --- columns, shared by the queries that join users / organisations --------

macro_rules! user_cols {
    () => {
        "u.id AS u_id, u.email AS u_email, u.password_hash AS u_password_hash, \
         u.display_name AS u_display_name, u.locale AS u_locale, \
         u.platform_role AS u_platform_role, u.email_verified_at AS u_email_verified_at, \
         u.suspended_at AS u_suspended_at, u.suspended_reason AS u_suspended_reason, \
         u.created_at AS u_created_at"
    };
}

/// The membership of `u`, from `LEFT JOIN memberships m … LEFT JOIN organizations mo …`.
macro_rules! membership_cols {
    () => {
        "m.organization_id AS m_org_id, m.role AS m_role, mo.kind AS m_kind, \
         mo.approval AS m_approval"
    };
}

macro_rules! membership_joins {
    () => {
        " LEFT JOIN memberships m ON m.user_id = u.id \
          LEFT JOIN organizations mo ON mo.id = m.organization_id "
    };
}

macro_rules! org_cols {
    () => {
        "o.id AS o_id, o.kind AS o_kind, o.name AS o_name, o.name_kana AS o_name_kana, \
         o.corporate_number AS o_corporate_number, o.approval AS o_approval, \
         o.approval_reason AS o_approval_reason, o.decided_at AS o_decided_at, \
         o.created_at AS o_created_at"
    };
}
pub(super) use org_cols;

// --- small helpers -------------------------------------------------------------

/// Parses a stored canonical string back into its domain type.
pub(super) fn parse_stored<T>(field: &'static str, s: &str) -> Result<T>
where
    T: FromStr,
    T::Err: Display,
{
    s.parse().map_err(|e: T::Err| StorageError::Corrupt {
        field,
        message: format!("{s:?}: {e}"),
    })
}

pub(super) fn count(field: &'static str, n: i64) -> Result<u64> {
    u64::try_from(n).map_err(|_| StorageError::Corrupt {
        field,
        message: format!("negative count {n}"),
    })
}

/// `(offset, limit)` as SQLite integers; the limit is clamped to 1..=200,
/// 0 meaning the default of 20.
pub(super) fn page_bounds(offset: u64, limit: u32) -> (i64, i64) {
    let limit = if limit == 0 {
        DEFAULT_LIMIT
    } else {
        limit.min(MAX_LIMIT)
    };
    (i64::try_from(offset).unwrap_or(i64::MAX), i64::from(limit))
}

/// Maps a failed statement: unique violations whose message names one of
/// `rules`' `table.column`s become `Conflict(code)`; a missing referenced row
/// (foreign key) becomes `NotFound`; anything else stays a database error.
pub(super) fn map_conflict(e: sqlx::Error, rules: &[(&str, &str)]) -> StorageError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            let message = db.message();
            if let Some((_, code)) = rules.iter().find(|(column, _)| message.contains(column)) {
                return StorageError::Conflict((*code).to_owned());
            }
        } else if db.is_foreign_key_violation() {
            return StorageError::NotFound;
        }
    }
    e.into()
}

/// Writes one audit line in the caller's transaction. A subject the caller
/// could not know yet (a row this write creates) is filled with `subject`.
pub(super) async fn insert_audit(
    tx: &mut Transaction<'static, Sqlite>,
    audit: &AuditEntry,
    subject: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_user_id, ip, action, subject_type, subject_id, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .bind(to_us(now))
    .bind(audit.actor)
    .bind(&audit.ip)
    .bind(&audit.action)
    .bind(&audit.subject_type)
    .bind(audit.subject_id.or(subject))
    .bind(audit.detail.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn user_from_row(row: &SqliteRow) -> Result<User> {
    Ok(User {
        id: row.try_get("u_id")?,
        email: parse_stored::<EmailAddress>("users.email", row.try_get("u_email")?)?,
        password_hash: row.try_get("u_password_hash")?,
        display_name: row.try_get("u_display_name")?,
        locale: row.try_get("u_locale")?,
        platform_role: parse_stored::<PlatformRole>(
            "users.platform_role",
            row.try_get("u_platform_role")?,
        )?,
        email_verified_at: opt_from_us(
            "users.email_verified_at",
            row.try_get("u_email_verified_at")?,
        )?,
        suspended_at: opt_from_us("users.suspended_at", row.try_get("u_suspended_at")?)?,
        suspended_reason: row.try_get("u_suspended_reason")?,
        created_at: from_us("users.created_at", row.try_get("u_created_at")?)?,
    })
}

fn membership_from_row(row: &SqliteRow) -> Result<Option<Membership>> {
    let Some(org_id) = row.try_get::<Option<i64>, _>("m_org_id")? else {
        return Ok(None);
    };
    Ok(Some(Membership {
        org_id,
        kind: parse_stored::<OrgKind>("organizations.kind", row.try_get("m_kind")?)?,
        approval: parse_stored::<Approval>("organizations.approval", row.try_get("m_approval")?)?,
        role: parse_stored::<OrgRole>("memberships.role", row.try_get("m_role")?)?,
    }))
}

pub(super) fn org_from_row(row: &SqliteRow) -> Result<Organization> {
    Ok(Organization {
        id: row.try_get("o_id")?,
        kind: parse_stored::<OrgKind>("organizations.kind", row.try_get("o_kind")?)?,
        name: row.try_get("o_name")?,
        name_kana: row.try_get("o_name_kana")?,
        corporate_number: row
            .try_get::<Option<&str>, _>("o_corporate_number")?
            .map(|s| parse_stored("organizations.corporate_number", s))
            .transpose()?,
        approval: parse_stored::<Approval>("organizations.approval", row.try_get("o_approval")?)?,
        approval_reason: row.try_get("o_approval_reason")?,
        decided_at: opt_from_us("organizations.decided_at", row.try_get("o_decided_at")?)?,
        created_at: from_us("organizations.created_at", row.try_get("o_created_at")?)?,
    })
}

fn token_scope(s: &str) -> Result<TokenScope> {
    match s {
        "read" => Ok(TokenScope::Read),
        "write" => Ok(TokenScope::Write),
        other => Err(StorageError::Corrupt {
            field: "api_tokens.scope",
            message: format!("unknown scope {other:?}"),
        }),
    }
}

fn api_token_from_row(row: &SqliteRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: row.try_get("t_id")?,
        user_id: row.try_get("t_user_id")?,
        name: row.try_get("t_name")?,
        prefix: row.try_get("t_prefix")?,
        scope: token_scope(row.try_get("t_scope")?)?,
        created_at: from_us("api_tokens.created_at", row.try_get("t_created_at")?)?,
        last_used_at: opt_from_us("api_tokens.last_used_at", row.try_get("t_last_used_at")?)?,
        revoked_at: opt_from_us("api_tokens.revoked_at", row.try_get("t_revoked_at")?)?,
    })
}

macro_rules! api_token_cols {
    () => {
        "t.id AS t_id, t.user_id AS t_user_id, t.name AS t_name, t.prefix AS t_prefix, \
         t.scope AS t_scope, t.created_at AS t_created_at, t.last_used_at AS t_last_used_at, \
         t.revoked_at AS t_revoked_at"
    };
}

impl SqliteStore {
    /// Marks a one-time token used, if it is live: its user, or `None`.
    async fn use_user_token(
        tx: &mut Transaction<'static, Sqlite>,
        token_hash: &str,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>> {
        let user: Option<i64> = sqlx::query_scalar(
            "UPDATE user_tokens SET used_at = ?3
             WHERE token_hash = ?1 AND purpose = ?2 AND used_at IS NULL AND expires_at > ?3
             RETURNING user_id",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(to_us(now))
        .fetch_optional(&mut **tx)
        .await?;
        Ok(user)
    }
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_user(
        &self,
        user: &NewUser,
        now: DateTime<Utc>,
        audit: AuditEntry,
        jobs: &[NewJob],
    ) -> Result<UserId> {
        let now_us = to_us(now);
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, password_hash, display_name, locale, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             RETURNING id",
        )
        .bind(user.email.as_str())
        .bind(&user.password_hash)
        .bind(&user.display_name)
        .bind(&user.locale)
        .bind(now_us)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[("users.email", "email_taken")]))?;
        insert_audit(&mut tx, &audit, Some(id), now).await?;
        insert_jobs(&mut tx, jobs, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn user(&self, id: UserId) -> Result<Option<User>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_cols!(),
            " FROM users u WHERE u.id = ?1"
        ))
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn user_by_email(&self, email: &EmailAddress) -> Result<Option<User>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_cols!(),
            " FROM users u WHERE u.email = ?1"
        ))
        .bind(email.as_str())
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn list_users(&self, paging: Paging) -> Result<Page<User>> {
        let (offset, limit) = page_bounds(paging.offset, paging.limit);
        let mut conn = self.read.acquire().await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&mut *conn)
            .await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            user_cols!(),
            " FROM users u ORDER BY u.created_at DESC, u.id DESC LIMIT ?1 OFFSET ?2"
        ))
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *conn)
        .await?;
        Ok(Page {
            items: rows.iter().map(user_from_row).collect::<Result<_>>()?,
            total: count("users", total)?,
        })
    }

    async fn add_user_token(
        &self,
        user_id: UserId,
        purpose: TokenPurpose,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
        jobs: &[NewJob],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO user_tokens (token_hash, user_id, purpose, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(to_us(now))
        .bind(to_us(expires_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[("user_tokens.token_hash", "token_taken")]))?;
        insert_jobs(&mut tx, jobs, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn verify_email(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<Option<UserId>> {
        let mut tx = self.begin_write().await?;
        let Some(user_id) =
            Self::use_user_token(&mut tx, token_hash, TokenPurpose::VerifyEmail, now).await?
        else {
            return Ok(None);
        };
        sqlx::query(
            "UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?2), updated_at = ?2
             WHERE id = ?1",
        )
        .bind(user_id)
        .bind(to_us(now))
        .execute(&mut *tx)
        .await?;
        insert_audit(&mut tx, &audit, Some(user_id), now).await?;
        tx.commit().await?;
        Ok(Some(user_id))
    }

    async fn reset_password(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<Option<UserId>> {
        let now_us = to_us(now);
        let mut tx = self.begin_write().await?;
        let Some(user_id) =
            Self::use_user_token(&mut tx, token_hash, TokenPurpose::ResetPassword, now).await?
        else {
            return Ok(None);
        };
        sqlx::query("UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1")
            .bind(user_id)
            .bind(password_hash)
            .bind(now_us)
            .execute(&mut *tx)
            .await?;
        // Other reset links sent earlier die with this one.
        sqlx::query(
            "UPDATE user_tokens SET used_at = ?2
             WHERE user_id = ?1 AND purpose = 'reset_password' AND used_at IS NULL",
        )
        .bind(user_id)
        .bind(now_us)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = ?1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        insert_audit(&mut tx, &audit, Some(user_id), now).await?;
        tx.commit().await?;
        Ok(Some(user_id))
    }

    async fn change_password(
        &self,
        user_id: UserId,
        password_hash: &str,
        keep_session: Option<i64>,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let updated =
            sqlx::query("UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1")
                .bind(user_id)
                .bind(password_hash)
                .bind(to_us(now))
                .execute(&mut *tx)
                .await?;
        if updated.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = ?1 AND (?2 IS NULL OR id <> ?2)")
            .bind(user_id)
            .bind(keep_session)
            .execute(&mut *tx)
            .await?;
        insert_audit(&mut tx, &audit, Some(user_id), now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn update_user_settings(
        &self,
        user_id: UserId,
        display_name: &str,
        locale: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE users SET display_name = ?2, locale = ?3, updated_at = ?4 WHERE id = ?1",
        )
        .bind(user_id)
        .bind(display_name)
        .bind(locale)
        .bind(to_us(now))
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        insert_audit(&mut tx, &audit, Some(user_id), now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_suspension(
        &self,
        user_id: UserId,
        reason: Option<&str>,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        let now_us = to_us(now);
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE users SET suspended_at = CASE WHEN ?2 IS NULL THEN NULL ELSE ?3 END,
                 suspended_reason = ?2, updated_at = ?3
             WHERE id = ?1",
        )
        .bind(user_id)
        .bind(reason)
        .bind(now_us)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        if reason.is_some() {
            sqlx::query("DELETE FROM sessions WHERE user_id = ?1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        insert_audit(&mut tx, &audit, Some(user_id), now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_platform_role(
        &self,
        user_id: UserId,
        role: PlatformRole,
        areas: &[Prefecture],
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let updated =
            sqlx::query("UPDATE users SET platform_role = ?2, updated_at = ?3 WHERE id = ?1")
                .bind(user_id)
                .bind(role.code())
                .bind(to_us(now))
                .execute(&mut *tx)
                .await?;
        if updated.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        sqlx::query("DELETE FROM coordinator_areas WHERE user_id = ?1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        for area in areas {
            sqlx::query(
                "INSERT INTO coordinator_areas (user_id, prefecture) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING",
            )
            .bind(user_id)
            .bind(area.code())
            .execute(&mut *tx)
            .await?;
        }
        insert_audit(&mut tx, &audit, Some(user_id), now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn coordinator_areas(&self, user_id: UserId) -> Result<Vec<Prefecture>> {
        let codes: Vec<String> = sqlx::query_scalar(
            "SELECT prefecture FROM coordinator_areas WHERE user_id = ?1 ORDER BY prefecture",
        )
        .bind(user_id)
        .fetch_all(&self.read)
        .await?;
        codes
            .iter()
            .map(|c| parse_stored("coordinator_areas.prefecture", c))
            .collect()
    }

    async fn create_session(&self, session: &NewSession, now: DateTime<Utc>) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, ip, user_agent, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             RETURNING id",
        )
        .bind(&session.token_hash)
        .bind(session.user_id)
        .bind(&session.csrf_token)
        .bind(&session.ip)
        .bind(&session.user_agent)
        .bind(to_us(now))
        .bind(to_us(session.expires_at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[("sessions.token_hash", "token_taken")]))?;
        tx.commit().await?;
        Ok(id)
    }

    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionRecord>> {
        let row = sqlx::query(concat!(
            "SELECT s.id AS s_id, s.csrf_token AS s_csrf_token, s.expires_at AS s_expires_at, ",
            user_cols!(),
            ", ",
            membership_cols!(),
            " FROM sessions s JOIN users u ON u.id = s.user_id",
            membership_joins!(),
            "WHERE s.token_hash = ?1 AND s.expires_at > ?2"
        ))
        .bind(token_hash)
        .bind(to_us(now))
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SessionRecord {
            id: row.try_get("s_id")?,
            csrf_token: row.try_get("s_csrf_token")?,
            expires_at: from_us("sessions.expires_at", row.try_get("s_expires_at")?)?,
            user: user_from_row(&row)?,
            membership: membership_from_row(&row)?,
        }))
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn record_login_attempt(
        &self,
        email: &str,
        ip: &str,
        succeeded: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO login_attempts (email, ip, succeeded, attempted_at) VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(email.to_lowercase())
        .bind(ip)
        .bind(i64::from(succeeded))
        .bind(to_us(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn failed_logins_since(
        &self,
        email: &str,
        ip: &str,
        since: DateTime<Utc>,
    ) -> Result<(u32, u32)> {
        let (by_email, by_ip): (i64, i64) = sqlx::query_as(
            "SELECT
                 (SELECT COUNT(*) FROM login_attempts
                  WHERE email = ?1 AND attempted_at >= ?3 AND succeeded = 0),
                 (SELECT COUNT(*) FROM login_attempts
                  WHERE ip = ?2 AND attempted_at >= ?3 AND succeeded = 0)",
        )
        .bind(email.to_lowercase())
        .bind(ip)
        .bind(to_us(since))
        .fetch_one(&self.read)
        .await?;
        let clamp = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
        Ok((clamp(by_email), clamp(by_ip)))
    }

    async fn create_api_token(
        &self,
        user_id: UserId,
        name: &str,
        token_hash: &str,
        prefix: &str,
        scope: TokenScope,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_hash, prefix, scope, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             RETURNING id",
        )
        .bind(user_id)
        .bind(name)
        .bind(token_hash)
        .bind(prefix)
        .bind(scope.as_str())
        .bind(to_us(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[("api_tokens.token_hash", "token_taken")]))?;
        insert_audit(&mut tx, &audit, Some(id), now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn api_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(ApiToken, SessionRecord)>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            api_token_cols!(),
            ", ",
            user_cols!(),
            ", ",
            membership_cols!(),
            " FROM api_tokens t JOIN users u ON u.id = t.user_id",
            membership_joins!(),
            "WHERE t.token_hash = ?1 AND t.revoked_at IS NULL"
        ))
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut token = api_token_from_row(&row)?;
        let stale = token
            .last_used_at
            .is_none_or(|at| at <= now - LAST_USED_GRANULARITY);
        if stale {
            // Noted with the other requests' notes in one commit: each
            // commit waits for the disk (synchronous=FULL).
            self.token_touches.submit((token.id, now)).await?;
            token.last_used_at = Some(now);
        }
        let record = SessionRecord {
            // An API call has no session: the record carries the token's id,
            // no CSRF token (bearer tokens need none) and never expires.
            id: token.id,
            csrf_token: String::new(),
            expires_at: DateTime::<Utc>::MAX_UTC,
            user: user_from_row(&row)?,
            membership: membership_from_row(&row)?,
        };
        Ok(Some((token, record)))
    }

    async fn list_api_tokens(&self, user_id: UserId) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            api_token_cols!(),
            " FROM api_tokens t WHERE t.user_id = ?1 ORDER BY t.created_at DESC, t.id DESC"
        ))
        .bind(user_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(api_token_from_row).collect()
    }

    async fn revoke_api_token(
        &self,
        user_id: UserId,
        token_id: i64,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE api_tokens SET revoked_at = ?3
             WHERE id = ?1 AND user_id = ?2 AND revoked_at IS NULL",
        )
        .bind(token_id)
        .bind(user_id)
        .bind(to_us(now))
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        insert_audit(&mut tx, &audit, Some(token_id), now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn import_members(
        &self,
        members: &[MemberImport],
        now: DateTime<Utc>,
    ) -> Result<Vec<UserId>> {
        let now_us = to_us(now);
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::with_capacity(members.len());
        // A few statements per chunk, the rows passed as one JSON array.
        for chunk in members.chunks(1000) {
            let users: Vec<serde_json::Value> = chunk
                .iter()
                .map(|m| {
                    serde_json::json!([
                        m.user.email.as_str(),
                        m.user.password_hash,
                        m.user.display_name,
                        m.user.locale
                    ])
                })
                .collect();
            let mut new: Vec<i64> = sqlx::query_scalar(
                "INSERT INTO users (email, password_hash, display_name, locale,
                     email_verified_at, created_at, updated_at)
                 SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
                        json_extract(value, '$[2]'), json_extract(value, '$[3]'), ?2, ?2, ?2
                 FROM json_each(?1) ORDER BY key
                 RETURNING id",
            )
            .bind(serde_json::Value::Array(users).to_string())
            .bind(now_us)
            .fetch_all(&mut *tx)
            .await
            .map_err(|e| map_conflict(e, &[("users.email", "email_taken")]))?;
            // Inserted in array order under the write lock, the new ids are
            // consecutive: the member at index `i` is `first + i`.
            new.sort_unstable();
            let first = new.first().copied().unwrap_or_default();
            if new.len() != chunk.len() || new.last().copied() != Some(first + new.len() as i64 - 1)
            {
                return Err(StorageError::Corrupt {
                    field: "users.id",
                    message: "imported users did not get consecutive ids".into(),
                });
            }
            let rows: Vec<serde_json::Value> = chunk
                .iter()
                .zip(&new)
                .map(|(m, id)| {
                    let t = m.api_token.as_ref();
                    serde_json::json!([
                        id,
                        m.org,
                        m.role.code(),
                        t.map(|t| &t.name),
                        t.map(|t| &t.token_hash),
                        t.map(|t| &t.prefix),
                        t.map(|t| t.scope.as_str()),
                    ])
                })
                .collect();
            let rows = serde_json::Value::Array(rows).to_string();
            sqlx::query(
                "INSERT INTO memberships (user_id, organization_id, role, created_at)
                 SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
                        json_extract(value, '$[2]'), ?2
                 FROM json_each(?1)",
            )
            .bind(&rows)
            .bind(now_us)
            .execute(&mut *tx)
            .await
            .map_err(|e| map_conflict(e, &[]))?;
            sqlx::query(
                "INSERT INTO api_tokens (user_id, name, token_hash, prefix, scope, created_at)
                 SELECT json_extract(value, '$[0]'), json_extract(value, '$[3]'),
                        json_extract(value, '$[4]'), json_extract(value, '$[5]'),
                        json_extract(value, '$[6]'), ?2
                 FROM json_each(?1) WHERE json_extract(value, '$[4]') IS NOT NULL",
            )
            .bind(&rows)
            .bind(now_us)
            .execute(&mut *tx)
            .await
            .map_err(|e| map_conflict(e, &[("api_tokens.token_hash", "token_taken")]))?;
            sqlx::query(
                "INSERT INTO audit_log (at, action, subject_type, subject_id, detail)
                 SELECT ?2, 'member.import', 'user', json_extract(value, '$[0]'),
                        json_object('organization_id', json_extract(value, '$[1]'),
                                    'role', json_extract(value, '$[2]'),
                                    'api_token', json_extract(value, '$[5]'))
                 FROM json_each(?1)",
            )
            .bind(&rows)
            .bind(now_us)
            .execute(&mut *tx)
            .await?;
            ids.extend(new);
        }
        tx.commit().await?;
        Ok(ids)
    }
}

/// Notes API tokens' use (`last_used_at`), many per transaction (see
/// [`crate::group_commit`]): a commit of its own per token would make every
/// first call of a minute wait for a disk sync of its own.
pub(super) struct TokenTouches {
    write: SqlitePool,
}

impl TokenTouches {
    pub(super) fn new(write: SqlitePool) -> Self {
        TokenTouches { write }
    }
}

impl Flush for TokenTouches {
    type Item = (i64, DateTime<Utc>);
    type Output = ();

    async fn flush(&self, items: Vec<(i64, DateTime<Utc>)>) -> Result<Vec<Result<()>>> {
        let mut tx = self.write.begin_with("BEGIN IMMEDIATE").await?;
        for (id, at) in &items {
            sqlx::query(
                "UPDATE api_tokens SET last_used_at = ?2
                 WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at <= ?3)",
            )
            .bind(id)
            .bind(to_us(*at))
            .bind(to_us(*at - LAST_USED_GRANULARITY))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(items.iter().map(|_| Ok(())).collect())
    }
}

/// Conflicts of inserting an organisation and its first member.
const ORG_CONFLICTS: &[(&str, &str)] = &[
    ("organizations.corporate_number", "corporate_number_taken"),
    ("memberships.user_id", "already_member"),
];

#[async_trait]
impl OrganizationStore for SqliteStore {
    async fn create_organization(
        &self,
        org: &NewOrganization,
        creator: UserId,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<OrgId> {
        let now_us = to_us(now);
        let approval = if org.kind.is_buyer() {
            Approval::Pending
        } else {
            Approval::NotRequired
        };
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organizations (kind, name, name_kana, corporate_number, approval, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
             RETURNING id",
        )
        .bind(org.kind.code())
        .bind(&org.name)
        .bind(&org.name_kana)
        .bind(org.corporate_number.as_ref().map(|n| n.as_str()))
        .bind(approval.code())
        .bind(now_us)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, ORG_CONFLICTS))?;
        sqlx::query(
            "INSERT INTO memberships (user_id, organization_id, role, created_at)
             VALUES (?1, ?2, 'admin', ?3)",
        )
        .bind(creator)
        .bind(id)
        .bind(now_us)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, ORG_CONFLICTS))?;
        insert_audit(&mut tx, &audit, Some(id), now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn organization(&self, id: OrgId) -> Result<Option<Organization>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            org_cols!(),
            " FROM organizations o WHERE o.id = ?1"
        ))
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(org_from_row).transpose()
    }

    async fn update_organization(
        &self,
        id: OrgId,
        name: &str,
        name_kana: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
        jobs: &[NewJob],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE organizations SET name = ?2, name_kana = ?3, updated_at = ?4 WHERE id = ?1",
        )
        .bind(id)
        .bind(name)
        .bind(name_kana)
        .bind(to_us(now))
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        insert_audit(&mut tx, &audit, Some(id), now).await?;
        insert_jobs(&mut tx, jobs, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_organizations(
        &self,
        approval: Option<Approval>,
        paging: Paging,
    ) -> Result<Page<Organization>> {
        let (offset, limit) = page_bounds(paging.offset, paging.limit);
        let approval = approval.map(Approval::code);
        let mut conn = self.read.acquire().await?;
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM organizations WHERE ?1 IS NULL OR approval = ?1",
        )
        .bind(approval)
        .fetch_one(&mut *conn)
        .await?;
        // Two statements rather than `?1 IS NULL OR …`, so the filtered list
        // walks the (approval, created_at) index.
        let rows = match approval {
            Some(approval) => {
                sqlx::query(concat!(
                    "SELECT ",
                    org_cols!(),
                    " FROM organizations o WHERE o.approval = ?1
                     ORDER BY o.created_at DESC, o.id DESC LIMIT ?2 OFFSET ?3"
                ))
                .bind(approval)
                .bind(limit)
                .bind(offset)
                .fetch_all(&mut *conn)
                .await?
            }
            None => {
                sqlx::query(concat!(
                    "SELECT ",
                    org_cols!(),
                    " FROM organizations o
                     ORDER BY o.created_at DESC, o.id DESC LIMIT ?1 OFFSET ?2"
                ))
                .bind(limit)
                .bind(offset)
                .fetch_all(&mut *conn)
                .await?
            }
        };
        Ok(Page {
            items: rows.iter().map(org_from_row).collect::<Result<_>>()?,
            total: count("organizations", total)?,
        })
    }

    async fn members(&self, org: OrgId) -> Result<Vec<Member>> {
        let rows = sqlx::query(
            "SELECT u.id, u.display_name, u.email, m.role
             FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.organization_id = ?1
             ORDER BY m.created_at, u.id",
        )
        .bind(org)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Member {
                    user_id: row.try_get("id")?,
                    display_name: row.try_get("display_name")?,
                    email: parse_stored("users.email", row.try_get("email")?)?,
                    role: parse_stored("memberships.role", row.try_get("role")?)?,
                })
            })
            .collect()
    }

    async fn decide_approval(
        &self,
        org: OrgId,
        approve: bool,
        reason: Option<&str>,
        now: DateTime<Utc>,
        audit: AuditEntry,
        jobs: &[NewJob],
    ) -> Result<()> {
        let decision = if approve {
            Approval::Approved
        } else {
            Approval::Rejected
        };
        let now_us = to_us(now);
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE organizations SET approval = ?2, approval_reason = ?3, decided_by = ?4,
                 decided_at = ?5, updated_at = ?5
             WHERE id = ?1 AND approval = 'pending'",
        )
        .bind(org)
        .bind(decision.code())
        .bind(reason)
        .bind(audit.actor)
        .bind(now_us)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[]))?;
        if updated.rows_affected() == 0 {
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT id FROM organizations WHERE id = ?1")
                    .bind(org)
                    .fetch_optional(&mut *tx)
                    .await?;
            return Err(match exists {
                Some(_) => StorageError::Conflict("not_pending".into()),
                None => StorageError::NotFound,
            });
        }
        insert_audit(&mut tx, &audit, Some(org), now).await?;
        insert_jobs(&mut tx, jobs, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_member(
        &self,
        org: OrgId,
        user: UserId,
        role: OrgRole,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO memberships (user_id, organization_id, role, created_at)
             VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(user)
        .bind(org)
        .bind(role.code())
        .bind(to_us(now))
        .execute(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[("memberships.user_id", "already_member")]))?;
        insert_audit(&mut tx, &audit, Some(org), now).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn audit_log(&self, actor: Option<UserId>, paging: Paging) -> Result<Page<AuditRecord>> {
        let (offset, limit) = page_bounds(paging.offset, paging.limit);
        let mut conn = self.read.acquire().await?;
        let (total, rows) = match actor {
            Some(actor) => {
                let total: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE actor_user_id = ?1")
                        .bind(actor)
                        .fetch_one(&mut *conn)
                        .await?;
                let rows = sqlx::query(
                    "SELECT * FROM audit_log WHERE actor_user_id = ?1
                     ORDER BY at DESC, id DESC LIMIT ?2 OFFSET ?3",
                )
                .bind(actor)
                .bind(limit)
                .bind(offset)
                .fetch_all(&mut *conn)
                .await?;
                (total, rows)
            }
            None => {
                let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
                    .fetch_one(&mut *conn)
                    .await?;
                let rows = sqlx::query(
                    "SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT ?1 OFFSET ?2",
                )
                .bind(limit)
                .bind(offset)
                .fetch_all(&mut *conn)
                .await?;
                (total, rows)
            }
        };
        let items = rows
            .iter()
            .map(|row| {
                Ok(AuditRecord {
                    id: row.try_get("id")?,
                    at: from_us("audit_log.at", row.try_get("at")?)?,
                    entry: AuditEntry {
                        actor: row.try_get("actor_user_id")?,
                        ip: row.try_get("ip")?,
                        action: row.try_get("action")?,
                        subject_type: row.try_get("subject_type")?,
                        subject_id: row.try_get("subject_id")?,
                        detail: json_from_text("audit_log.detail", row.try_get("detail")?)?,
                    },
                })
            })
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            total: count("audit_log", total)?,
        })
    }
}
