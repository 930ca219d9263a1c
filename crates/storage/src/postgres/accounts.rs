//! PostgreSQL: people, sessions, tokens, organisations and the audit log.
//! Company profiles and the directory live in [`companies`].
//!
//! Every write that carries an [`AuditEntry`] writes it in the same
//! transaction as the change, and the jobs it causes with it (the outbox).

mod companies;

use std::fmt::Display;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musubi_domain::{
    Approval, EmailAddress, Membership, OrgKind, OrgRole, PlatformRole, Prefecture,
};
use sqlx::postgres::{PgPool, PgRow};
use sqlx::types::Json;
use sqlx::{Postgres, Row, Transaction};

use super::{PgStore, insert_jobs};
use crate::group_commit::Flush;
use crate::{
    AccountStore, ApiToken, AuditEntry, AuditRecord, AuditStore, Member, MemberImport, NewJob,
    NewOrganization, NewSession, NewUser, OrgId, Organization, OrganizationStore, Page, Paging,
    Result, SessionRecord, StorageError, TokenPurpose, TokenScope, User, UserId,
};

/// The user columns every user query selects, from `users u`.
macro_rules! user_columns {
    () => {
        "u.id, u.email, u.password_hash, u.display_name, u.locale, u.platform_role,
         u.email_verified_at, u.suspended_at, u.suspended_reason, u.created_at"
    };
}

/// The membership a signed-in person acts under, from `memberships m` and
/// `organizations mo` (both left-joined: a person may belong to none).
macro_rules! membership_columns {
    () => {
        "m.organization_id AS m_org_id, m.role AS m_role, mo.kind AS m_kind, mo.approval AS m_approval"
    };
}

macro_rules! membership_joins {
    () => {
        " LEFT JOIN memberships m ON m.user_id = u.id
          LEFT JOIN organizations mo ON mo.id = m.organization_id "
    };
}

macro_rules! organization_columns {
    () => {
        "o.id, o.kind, o.name, o.name_kana, o.corporate_number, o.approval,
         o.approval_reason, o.decided_at, o.created_at"
    };
}

/// Default and largest page sizes of every list.
pub(super) const DEFAULT_LIMIT: u32 = 20;
pub(super) const MAX_LIMIT: u32 = 200;

/// A page size in `1..=MAX_LIMIT`; 0 means the default.
pub(super) fn clamp_limit(limit: u32) -> i64 {
    i64::from(if limit == 0 {
        DEFAULT_LIMIT
    } else {
        limit.min(MAX_LIMIT)
    })
}

pub(super) fn clamp_offset(offset: u64) -> i64 {
    i64::try_from(offset).unwrap_or(i64::MAX)
}

/// A stored value the domain refuses.
pub(super) fn corrupt(field: &'static str, e: impl Display) -> StorageError {
    StorageError::Corrupt {
        field,
        message: e.to_string(),
    }
}

/// Parses a stored value with a domain parser, reporting `field` if it fails.
pub(super) fn parse<T, E: Display>(
    field: &'static str,
    value: &str,
    parser: impl FnOnce(&str) -> std::result::Result<T, E>,
) -> Result<T> {
    parser(value).map_err(|e| corrupt(field, e))
}

/// Turns unique violations into the conflicts the traits promise, and a
/// reference to a missing row into `NotFound`.
pub(super) fn db_error(e: sqlx::Error) -> StorageError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            let code = match db.constraint() {
                Some("users_email_key") => Some("email_taken"),
                Some("organizations_corporate_number_key") => Some("corporate_number_taken"),
                Some("memberships_pkey") => Some("already_member"),
                Some(
                    "sessions_token_hash_key"
                    | "user_tokens_token_hash_key"
                    | "api_tokens_token_hash_key",
                ) => Some("token_taken"),
                _ => None,
            };
            if let Some(code) = code {
                return StorageError::Conflict(code.to_owned());
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
    tx: &mut Transaction<'static, Postgres>,
    audit: &AuditEntry,
    subject: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_user_id, ip, action, subject_type, subject_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now)
    .bind(audit.actor)
    .bind(&audit.ip)
    .bind(&audit.action)
    .bind(&audit.subject_type)
    .bind(audit.subject_id.or(subject))
    .bind(Json(&audit.detail))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn user_from_row(row: &PgRow) -> Result<User> {
    let email: String = row.try_get("email")?;
    let role: String = row.try_get("platform_role")?;
    Ok(User {
        id: row.try_get("id")?,
        email: parse("users.email", &email, EmailAddress::parse)?,
        password_hash: row.try_get("password_hash")?,
        display_name: row.try_get("display_name")?,
        locale: row.try_get("locale")?,
        platform_role: parse("users.platform_role", &role, PlatformRole::parse)?,
        email_verified_at: row.try_get("email_verified_at")?,
        suspended_at: row.try_get("suspended_at")?,
        suspended_reason: row.try_get("suspended_reason")?,
        created_at: row.try_get("created_at")?,
    })
}

fn membership_from_row(row: &PgRow) -> Result<Option<Membership>> {
    let Some(org_id) = row.try_get::<Option<i64>, _>("m_org_id")? else {
        return Ok(None);
    };
    let role: String = row.try_get("m_role")?;
    let kind: String = row.try_get("m_kind")?;
    let approval: String = row.try_get("m_approval")?;
    Ok(Some(Membership {
        org_id,
        kind: parse("organizations.kind", &kind, OrgKind::parse)?,
        approval: parse("organizations.approval", &approval, Approval::parse)?,
        role: parse("memberships.role", &role, OrgRole::parse)?,
    }))
}

pub(super) fn organization_from_row(row: &PgRow) -> Result<Organization> {
    let kind: String = row.try_get("kind")?;
    let approval: String = row.try_get("approval")?;
    let corporate_number: Option<String> = row.try_get("corporate_number")?;
    Ok(Organization {
        id: row.try_get("id")?,
        kind: parse("organizations.kind", &kind, OrgKind::parse)?,
        name: row.try_get("name")?,
        name_kana: row.try_get("name_kana")?,
        corporate_number: corporate_number
            .as_deref()
            .map(|n| {
                parse(
                    "organizations.corporate_number",
                    n,
                    musubi_domain::CorporateNumber::parse,
                )
            })
            .transpose()?,
        approval: parse("organizations.approval", &approval, Approval::parse)?,
        approval_reason: row.try_get("approval_reason")?,
        decided_at: row.try_get("decided_at")?,
        created_at: row.try_get("created_at")?,
    })
}

fn api_token_from_row(row: &PgRow) -> Result<ApiToken> {
    let scope: String = row.try_get("t_scope")?;
    Ok(ApiToken {
        id: row.try_get("t_id")?,
        user_id: row.try_get("t_user_id")?,
        name: row.try_get("t_name")?,
        prefix: row.try_get("t_prefix")?,
        scope: match scope.as_str() {
            "read" => TokenScope::Read,
            "write" => TokenScope::Write,
            other => {
                return Err(corrupt(
                    "api_tokens.scope",
                    format!("unknown scope {other:?}"),
                ));
            }
        },
        created_at: row.try_get("t_created_at")?,
        last_used_at: row.try_get("t_last_used_at")?,
        revoked_at: row.try_get("t_revoked_at")?,
    })
}

fn audit_from_row(row: &PgRow) -> Result<AuditRecord> {
    Ok(AuditRecord {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        entry: AuditEntry {
            actor: row.try_get("actor_user_id")?,
            ip: row.try_get("ip")?,
            action: row.try_get("action")?,
            subject_type: row.try_get("subject_type")?,
            subject_id: row.try_get("subject_id")?,
            detail: row.try_get::<Json<serde_json::Value>, _>("detail")?.0,
        },
    })
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn to_u32(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// An `UPDATE` that must hit the row, or the row does not exist.
fn must_affect(result: sqlx::postgres::PgQueryResult) -> Result<()> {
    if result.rows_affected() == 0 {
        Err(StorageError::NotFound)
    } else {
        Ok(())
    }
}

impl PgStore {
    /// Marks a one-time token used and returns its user, if it is still good.
    async fn use_token(
        tx: &mut Transaction<'static, Postgres>,
        token_hash: &str,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "UPDATE user_tokens SET used_at = $3
             WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
             RETURNING user_id",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(now)
        .fetch_optional(&mut **tx)
        .await?;
        Ok(row.map(|(id,)| id))
    }
}

#[async_trait]
impl AccountStore for PgStore {
    async fn create_user(
        &self,
        user: &NewUser,
        now: DateTime<Utc>,
        audit: AuditEntry,
        jobs: &[NewJob],
    ) -> Result<UserId> {
        let mut tx = self.pool.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (email, password_hash, display_name, locale, platform_role, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'user', $5, $5)
             RETURNING id",
        )
        .bind(user.email.as_str())
        .bind(&user.password_hash)
        .bind(&user.display_name)
        .bind(&user.locale)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        insert_audit(&mut tx, &audit, Some(id), now).await?;
        insert_jobs(&mut tx, jobs, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn user(&self, id: UserId) -> Result<Option<User>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users u WHERE u.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn user_by_email(&self, email: &EmailAddress) -> Result<Option<User>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users u WHERE u.email = $1"
        ))
        .bind(email.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn list_users(&self, paging: Paging) -> Result<Page<User>> {
        let mut tx = self.pool.begin().await?;
        let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(&mut *tx)
            .await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users u ORDER BY u.created_at DESC, u.id DESC OFFSET $1 LIMIT $2"
        ))
        .bind(clamp_offset(paging.offset))
        .bind(clamp_limit(paging.limit))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Page {
            items: rows.iter().map(user_from_row).collect::<Result<_>>()?,
            total: to_u64(total),
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
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO user_tokens (token_hash, user_id, purpose, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
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
        let mut tx = self.pool.begin().await?;
        let Some(user_id) =
            Self::use_token(&mut tx, token_hash, TokenPurpose::VerifyEmail, now).await?
        else {
            return Ok(None);
        };
        sqlx::query(
            "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $2), updated_at = $2
             WHERE id = $1",
        )
        .bind(user_id)
        .bind(now)
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
        let mut tx = self.pool.begin().await?;
        let Some(user_id) =
            Self::use_token(&mut tx, token_hash, TokenPurpose::ResetPassword, now).await?
        else {
            return Ok(None);
        };
        sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(password_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        // Other reset links sent earlier die with this one.
        sqlx::query(
            "UPDATE user_tokens SET used_at = $2
             WHERE user_id = $1 AND purpose = 'reset_password' AND used_at IS NULL",
        )
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
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
        let mut tx = self.pool.begin().await?;
        must_affect(
            sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
                .bind(user_id)
                .bind(password_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?,
        )?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2")
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
        let mut tx = self.pool.begin().await?;
        must_affect(
            sqlx::query(
                "UPDATE users SET display_name = $2, locale = $3, updated_at = $4 WHERE id = $1",
            )
            .bind(user_id)
            .bind(display_name)
            .bind(locale)
            .bind(now)
            .execute(&mut *tx)
            .await?,
        )?;
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
        let mut tx = self.pool.begin().await?;
        let suspended_at = reason.map(|_| now);
        must_affect(
            sqlx::query(
                "UPDATE users SET suspended_at = $2, suspended_reason = $3, updated_at = $4
                 WHERE id = $1",
            )
            .bind(user_id)
            .bind(suspended_at)
            .bind(reason)
            .bind(now)
            .execute(&mut *tx)
            .await?,
        )?;
        if reason.is_some() {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
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
        let mut tx = self.pool.begin().await?;
        must_affect(
            sqlx::query("UPDATE users SET platform_role = $2, updated_at = $3 WHERE id = $1")
                .bind(user_id)
                .bind(role.code())
                .bind(now)
                .execute(&mut *tx)
                .await?,
        )?;
        sqlx::query("DELETE FROM coordinator_areas WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let codes: Vec<&str> = areas.iter().map(|p| p.code()).collect();
        sqlx::query(
            "INSERT INTO coordinator_areas (user_id, prefecture)
             SELECT DISTINCT $1::bigint, p FROM UNNEST($2::text[]) AS a(p)",
        )
        .bind(user_id)
        .bind(&codes)
        .execute(&mut *tx)
        .await?;
        insert_audit(&mut tx, &audit, Some(user_id), now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn coordinator_areas(&self, user_id: UserId) -> Result<Vec<Prefecture>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT prefecture FROM coordinator_areas WHERE user_id = $1 ORDER BY prefecture",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|(p,)| parse("coordinator_areas.prefecture", p, Prefecture::parse))
            .collect()
    }

    async fn create_session(&self, session: &NewSession, now: DateTime<Utc>) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, ip, user_agent, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             RETURNING id",
        )
        .bind(&session.token_hash)
        .bind(session.user_id)
        .bind(&session.csrf_token)
        .bind(&session.ip)
        .bind(&session.user_agent)
        .bind(now)
        .bind(session.expires_at)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(id)
    }

    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionRecord>> {
        let row = sqlx::query(concat!(
            "SELECT s.id AS s_id, s.csrf_token AS s_csrf_token, s.expires_at AS s_expires_at, ",
            user_columns!(),
            ", ",
            membership_columns!(),
            " FROM sessions s JOIN users u ON u.id = s.user_id",
            membership_joins!(),
            "WHERE s.token_hash = $1 AND s.expires_at > $2"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(SessionRecord {
            id: row.try_get("s_id")?,
            csrf_token: row.try_get("s_csrf_token")?,
            expires_at: row.try_get("s_expires_at")?,
            user: user_from_row(&row)?,
            membership: membership_from_row(&row)?,
        }))
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn record_login_attempt(
        &self,
        email: &str,
        ip: &str,
        succeeded: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO login_attempts (email, ip, succeeded, attempted_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(email.to_lowercase())
        .bind(ip)
        .bind(succeeded)
        .bind(now)
        .execute(&self.pool)
        .await?;
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
                  WHERE email = $1 AND attempted_at >= $3 AND NOT succeeded),
                 (SELECT COUNT(*) FROM login_attempts
                  WHERE ip = $2 AND attempted_at >= $3 AND NOT succeeded)",
        )
        .bind(email.to_lowercase())
        .bind(ip)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok((to_u32(by_email), to_u32(by_ip)))
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
        let mut tx = self.pool.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO api_tokens (user_id, name, token_hash, prefix, scope, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             RETURNING id",
        )
        .bind(user_id)
        .bind(name)
        .bind(token_hash)
        .bind(prefix)
        .bind(scope.as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
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
            "SELECT t.id AS t_id, t.user_id AS t_user_id, t.name AS t_name, t.prefix AS t_prefix,
                    t.scope AS t_scope, t.created_at AS t_created_at,
                    t.last_used_at AS t_last_used_at, t.revoked_at AS t_revoked_at, ",
            user_columns!(),
            ", ",
            membership_columns!(),
            " FROM api_tokens t JOIN users u ON u.id = t.user_id",
            membership_joins!(),
            "WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let mut token = api_token_from_row(&row)?;
        // Noted at most once a minute (to spare the writes), and with the
        // other requests' notes in one commit (each waits for the WAL flush).
        if token
            .last_used_at
            .is_none_or(|at| at <= now - LAST_USED_GRANULARITY)
        {
            self.token_touches.submit((token.id, now)).await?;
            token.last_used_at = Some(now);
        }
        let session = SessionRecord {
            id: token.id,
            csrf_token: String::new(),
            expires_at: DateTime::<Utc>::MAX_UTC,
            user: user_from_row(&row)?,
            membership: membership_from_row(&row)?,
        };
        Ok(Some((token, session)))
    }

    async fn list_api_tokens(&self, user_id: UserId) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT t.id AS t_id, t.user_id AS t_user_id, t.name AS t_name, t.prefix AS t_prefix,
                    t.scope AS t_scope, t.created_at AS t_created_at,
                    t.last_used_at AS t_last_used_at, t.revoked_at AS t_revoked_at
             FROM api_tokens t WHERE t.user_id = $1
             ORDER BY t.created_at DESC, t.id DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
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
        let mut tx = self.pool.begin().await?;
        must_affect(
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = $3
                 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
            )
            .bind(token_id)
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?,
        )?;
        insert_audit(&mut tx, &audit, Some(token_id), now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn import_members(
        &self,
        members: &[MemberImport],
        now: DateTime<Utc>,
    ) -> Result<Vec<UserId>> {
        let mut tx = self.pool.begin().await?;
        let mut ids = Vec::with_capacity(members.len());
        for chunk in members.chunks(1000) {
            // Ids drawn up front pair each member with its rows without
            // relying on the order of `RETURNING`.
            let new: Vec<(i64,)> = sqlx::query_as(
                "SELECT nextval(pg_get_serial_sequence('users', 'id')) FROM generate_series(1, $1)",
            )
            .bind(chunk.len() as i64)
            .fetch_all(&mut *tx)
            .await?;
            let new: Vec<i64> = new.into_iter().map(|(id,)| id).collect();
            sqlx::query(
                "INSERT INTO users (id, email, password_hash, display_name, locale,
                     email_verified_at, created_at, updated_at)
                 SELECT u.*, $6, $6, $6
                 FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
                     AS u(id, email, hash, name, locale)",
            )
            .bind(&new)
            .bind(column(chunk, |m| m.user.email.as_str()))
            .bind(column(chunk, |m| m.user.password_hash.as_str()))
            .bind(column(chunk, |m| m.user.display_name.as_str()))
            .bind(column(chunk, |m| m.user.locale.as_str()))
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            let orgs: Vec<i64> = chunk.iter().map(|m| m.org).collect();
            sqlx::query(
                "INSERT INTO memberships (user_id, organization_id, role, created_at)
                 SELECT m.*, $4 FROM UNNEST($1::bigint[], $2::bigint[], $3::text[]) AS m",
            )
            .bind(&new)
            .bind(&orgs)
            .bind(column(chunk, |m| m.role.code()))
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            let tokens: Vec<(i64, &crate::ApiTokenImport)> = new
                .iter()
                .zip(chunk)
                .filter_map(|(id, m)| Some((*id, m.api_token.as_ref()?)))
                .collect();
            sqlx::query(
                "INSERT INTO api_tokens (user_id, name, token_hash, prefix, scope, created_at)
                 SELECT t.*, $6 FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t",
            )
            .bind(tokens.iter().map(|(id, _)| *id).collect::<Vec<_>>())
            .bind(tokens.iter().map(|(_, t)| t.name.as_str()).collect::<Vec<_>>())
            .bind(tokens.iter().map(|(_, t)| t.token_hash.as_str()).collect::<Vec<_>>())
            .bind(tokens.iter().map(|(_, t)| t.prefix.as_str()).collect::<Vec<_>>())
            .bind(tokens.iter().map(|(_, t)| t.scope.as_str()).collect::<Vec<_>>())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            let details: Vec<String> = chunk
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "organization_id": m.org,
                        "role": m.role.code(),
                        "api_token": m.api_token.as_ref().map(|t| &t.prefix),
                    })
                    .to_string()
                })
                .collect();
            sqlx::query(
                "INSERT INTO audit_log (at, action, subject_type, subject_id, detail)
                 SELECT $1, 'member.import', 'user', a.id, a.detail::jsonb
                 FROM UNNEST($2::bigint[], $3::text[]) AS a(id, detail)",
            )
            .bind(now)
            .bind(&new)
            .bind(&details)
            .execute(&mut *tx)
            .await?;
            ids.extend(new);
        }
        tx.commit().await?;
        Ok(ids)
    }
}

#[async_trait]
impl OrganizationStore for PgStore {
    async fn create_organization(
        &self,
        org: &NewOrganization,
        creator: UserId,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<OrgId> {
        let approval = if org.kind.is_buyer() {
            Approval::Pending
        } else {
            Approval::NotRequired
        };
        let mut tx = self.pool.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO organizations (kind, name, name_kana, corporate_number, approval, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)
             RETURNING id",
        )
        .bind(org.kind.code())
        .bind(&org.name)
        .bind(&org.name_kana)
        .bind(org.corporate_number.as_ref().map(|n| n.as_str()))
        .bind(approval.code())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        sqlx::query(
            "INSERT INTO memberships (user_id, organization_id, role, created_at)
             VALUES ($1, $2, 'admin', $3)",
        )
        .bind(creator)
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        insert_audit(&mut tx, &audit, Some(id), now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn organization(&self, id: OrgId) -> Result<Option<Organization>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            organization_columns!(),
            " FROM organizations o WHERE o.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(organization_from_row).transpose()
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
        let mut tx = self.pool.begin().await?;
        must_affect(
            sqlx::query(
                "UPDATE organizations SET name = $2, name_kana = $3, updated_at = $4 WHERE id = $1",
            )
            .bind(id)
            .bind(name)
            .bind(name_kana)
            .bind(now)
            .execute(&mut *tx)
            .await?,
        )?;
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
        // Two statements rather than `$1 IS NULL OR …`, so each keeps its index.
        let mut tx = self.pool.begin().await?;
        let (total, rows) = match approval {
            Some(approval) => {
                let (total,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM organizations WHERE approval = $1")
                        .bind(approval.code())
                        .fetch_one(&mut *tx)
                        .await?;
                let rows = sqlx::query(concat!(
                    "SELECT ",
                    organization_columns!(),
                    " FROM organizations o WHERE o.approval = $1
                      ORDER BY o.created_at DESC, o.id DESC OFFSET $2 LIMIT $3"
                ))
                .bind(approval.code())
                .bind(clamp_offset(paging.offset))
                .bind(clamp_limit(paging.limit))
                .fetch_all(&mut *tx)
                .await?;
                (total, rows)
            }
            None => {
                let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM organizations")
                    .fetch_one(&mut *tx)
                    .await?;
                let rows = sqlx::query(concat!(
                    "SELECT ",
                    organization_columns!(),
                    " FROM organizations o
                      ORDER BY o.created_at DESC, o.id DESC OFFSET $1 LIMIT $2"
                ))
                .bind(clamp_offset(paging.offset))
                .bind(clamp_limit(paging.limit))
                .fetch_all(&mut *tx)
                .await?;
                (total, rows)
            }
        };
        tx.commit().await?;
        Ok(Page {
            items: rows
                .iter()
                .map(organization_from_row)
                .collect::<Result<_>>()?,
            total: to_u64(total),
        })
    }

    async fn members(&self, org: OrgId) -> Result<Vec<Member>> {
        let rows = sqlx::query(
            "SELECT u.id, u.display_name, u.email, m.role
             FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.organization_id = $1
             ORDER BY m.created_at, u.id",
        )
        .bind(org)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let email: String = row.try_get("email")?;
                let role: String = row.try_get("role")?;
                Ok(Member {
                    user_id: row.try_get("id")?,
                    display_name: row.try_get("display_name")?,
                    email: parse("users.email", &email, EmailAddress::parse)?,
                    role: parse("memberships.role", &role, OrgRole::parse)?,
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
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE organizations
             SET approval = $2, approval_reason = $3, decided_at = $4, decided_by = $5, updated_at = $4
             WHERE id = $1 AND approval = 'pending'",
        )
        .bind(org)
        .bind(decision.code())
        .bind(reason)
        .bind(now)
        .bind(audit.actor)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if updated.rows_affected() == 0 {
            let exists: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM organizations WHERE id = $1")
                    .bind(org)
                    .fetch_optional(&mut *tx)
                    .await?;
            return Err(match exists {
                Some(_) => StorageError::Conflict("not_pending".to_owned()),
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
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO memberships (user_id, organization_id, role, created_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(user)
        .bind(org)
        .bind(role.code())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        insert_audit(&mut tx, &audit, Some(org), now).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl AuditStore for PgStore {
    async fn audit_log(&self, actor: Option<UserId>, paging: Paging) -> Result<Page<AuditRecord>> {
        // Two statements rather than `$1 IS NULL OR …`, so each keeps its index.
        let mut tx = self.pool.begin().await?;
        let (total, rows) = match actor {
            Some(actor) => {
                let (total,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE actor_user_id = $1")
                        .bind(actor)
                        .fetch_one(&mut *tx)
                        .await?;
                let rows = sqlx::query(
                    "SELECT id, at, actor_user_id, ip, action, subject_type, subject_id, detail
                     FROM audit_log WHERE actor_user_id = $1
                     ORDER BY at DESC, id DESC OFFSET $2 LIMIT $3",
                )
                .bind(actor)
                .bind(clamp_offset(paging.offset))
                .bind(clamp_limit(paging.limit))
                .fetch_all(&mut *tx)
                .await?;
                (total, rows)
            }
            None => {
                let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log")
                    .fetch_one(&mut *tx)
                    .await?;
                let rows = sqlx::query(
                    "SELECT id, at, actor_user_id, ip, action, subject_type, subject_id, detail
                     FROM audit_log ORDER BY at DESC, id DESC OFFSET $1 LIMIT $2",
                )
                .bind(clamp_offset(paging.offset))
                .bind(clamp_limit(paging.limit))
                .fetch_all(&mut *tx)
                .await?;
                (total, rows)
            }
        };
        tx.commit().await?;
        Ok(Page {
            items: rows.iter().map(audit_from_row).collect::<Result<_>>()?,
            total: to_u64(total),
        })
    }
}

/// How long a token's `last_used_at` may lag behind its real last use.
const LAST_USED_GRANULARITY: chrono::Duration = chrono::Duration::minutes(1);

/// Notes API tokens' use (`last_used_at`), many per statement (see
/// [`crate::group_commit`]).
pub(super) struct TokenTouches {
    pool: PgPool,
}

impl TokenTouches {
    pub(super) fn new(pool: PgPool) -> Self {
        TokenTouches { pool }
    }
}

impl Flush for TokenTouches {
    type Item = (i64, DateTime<Utc>);
    type Output = ();

    async fn flush(&self, items: Vec<(i64, DateTime<Utc>)>) -> Result<Vec<Result<()>>> {
        let (ids, ats): (Vec<i64>, Vec<DateTime<Utc>>) = items.iter().copied().unzip();
        sqlx::query(
            "UPDATE api_tokens t SET last_used_at = u.at
             FROM UNNEST($1::bigint[], $2::timestamptz[]) AS u(id, at)
             WHERE t.id = u.id AND (t.last_used_at IS NULL OR t.last_used_at <= u.at - $3::interval)",
        )
        .bind(&ids)
        .bind(&ats)
        .bind(LAST_USED_GRANULARITY)
        .execute(&self.pool)
        .await?;
        Ok(items.iter().map(|_| Ok(())).collect())
    }
}

/// One text column of imported members, for `UNNEST`.
fn column(members: &[MemberImport], f: fn(&MemberImport) -> &str) -> Vec<&str> {
    members.iter().map(f).collect()
}
