//! PostgreSQL: tenders (案件), their versions, transitions, questions,
//! applications, attachments, favourites and notification events.
//!
//! `tenders.content` holds the whole [`TenderContent`] as JSONB; the columns
//! beside it (status, kind, category, method, title, prefecture, submission
//! deadline) copy what lists, filters and the scheduler query, and every
//! write of the content rewrites them with it. Writes lock the tender row
//! (`FOR UPDATE`) before checking the status or version they compare and
//! set, so two writers of one tender are serialised and the loser sees the
//! winner's change. Events are expanded to one row per recipient inside the
//! writing transaction; imports write every table with `UNNEST`, one
//! statement per table for a whole chunk of tenders.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musubi_domain::Prefecture;
use musubi_domain::tender::{
    Category, ContractMethod, TenderContent, TenderKind, TenderStatus, Transition,
};
use musubi_domain::transparency::entry::LogEntry;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, Postgres, Row, Transaction};

use super::accounts::{clamp_limit, clamp_offset, corrupt, db_error, insert_audit, parse};
use super::transparency::log_tender_event;
use super::{PgStore, insert_jobs};
use crate::{
    Application, ApplicationOrigin, ApplicationStatus, Attachment, Audience, AuditEntry, EventKind,
    NewAttachment, NewEvent, NewJob, NewTransition, NotificationEvent, OrgId, Page, Paging,
    Question, Result, StorageError, Tender, TenderId, TenderImport, TenderQuery, TenderStore,
    TenderSummary, TenderVersion, TransitionRecord, UserId,
};

/// Tenders per statement in an import (callers send about this many).
const IMPORT_CHUNK: usize = 1_000;

/// The columns of a [`Tender`], from `tenders t` joined to `organizations o`.
macro_rules! tender_columns {
    () => {
        "t.id, t.buyer_id, o.name AS buyer_name, t.status, t.content, t.version,
         t.next_transition_at, t.cancel_reason, t.created_by, t.created_at, t.updated_at,
         t.published_at"
    };
}

/// The columns of a [`TenderSummary`], from `tenders t` joined to `organizations o`.
macro_rules! summary_columns {
    () => {
        "t.id, t.buyer_id, o.name AS buyer_name, t.kind, t.category, t.method, t.status,
         t.title, t.prefecture, t.version, t.published_at, t.submission_closes_at, t.updated_at"
    };
}

macro_rules! application_columns {
    () => {
        "a.id, a.tender_id, a.supplier_id, o.name AS supplier_name, a.origin, a.status,
         a.created_by, a.created_at, a.decided_by, a.decided_at, a.reason"
    };
}

fn conflict(code: &str) -> StorageError {
    StorageError::Conflict(code.to_owned())
}

/// [`db_error`], plus the one unique constraint of applications.
fn application_error(e: sqlx::Error) -> StorageError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
        && db.constraint() == Some("tender_applications_tender_id_supplier_id_key")
    {
        return conflict("already_applied");
    }
    db_error(e)
}

/// The copies of the content that sit beside it in `tenders`.
struct Columns<'a> {
    kind: &'static str,
    category: &'static str,
    method: &'static str,
    title: &'a str,
    prefecture: Option<&'static str>,
    submission_closes_at: DateTime<Utc>,
}

fn columns(content: &TenderContent) -> Columns<'_> {
    Columns {
        kind: content.kind.code(),
        category: content.category.code(),
        method: content.method.code(),
        title: &content.title,
        prefecture: content.place.prefecture().map(|p| p.code()),
        submission_closes_at: content.schedule.submission_closes_at,
    }
}

fn content_json(content: &TenderContent) -> Result<String> {
    serde_json::to_string(content)
        .map_err(|e| StorageError::Database(sqlx::Error::Encode(e.into())))
}

/// The status a step leads to from `from`: the state machine's answer, or
/// the step's own target when the caller recorded a step the machine would
/// not take from here (the service checked it; history is kept as given).
fn step_target(from: TenderStatus, transition: Transition) -> TenderStatus {
    from.apply(transition)
        .unwrap_or_else(|_| transition.target())
}

pub(super) fn status_from(field: &'static str, value: &str) -> Result<TenderStatus> {
    parse(field, value, TenderStatus::parse)
}

fn content_from_row(row: &PgRow, field: &'static str) -> Result<TenderContent> {
    let Json(value): Json<serde_json::Value> = row.try_get("content")?;
    serde_json::from_value(value).map_err(|e| corrupt(field, e))
}

fn tender_from_row(row: &PgRow) -> Result<Tender> {
    Ok(Tender {
        id: row.try_get("id")?,
        buyer: row.try_get("buyer_id")?,
        buyer_name: row.try_get("buyer_name")?,
        status: status_from("tenders.status", row.try_get("status")?)?,
        content: content_from_row(row, "tenders.content")?,
        version: row.try_get("version")?,
        next_transition_at: row.try_get("next_transition_at")?,
        cancel_reason: row.try_get("cancel_reason")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        published_at: row.try_get("published_at")?,
    })
}

fn summary_from_row(row: &PgRow) -> Result<TenderSummary> {
    let prefecture: Option<&str> = row.try_get("prefecture")?;
    Ok(TenderSummary {
        id: row.try_get("id")?,
        buyer: row.try_get("buyer_id")?,
        buyer_name: row.try_get("buyer_name")?,
        kind: parse("tenders.kind", row.try_get("kind")?, TenderKind::parse)?,
        category: parse(
            "tenders.category",
            row.try_get("category")?,
            Category::parse,
        )?,
        method: parse(
            "tenders.method",
            row.try_get("method")?,
            ContractMethod::parse,
        )?,
        status: status_from("tenders.status", row.try_get("status")?)?,
        title: row.try_get("title")?,
        prefecture: prefecture
            .map(|p| parse("tenders.prefecture", p, Prefecture::parse))
            .transpose()?,
        version: row.try_get("version")?,
        published_at: row.try_get("published_at")?,
        submission_closes_at: row.try_get("submission_closes_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn version_from_row(row: &PgRow) -> Result<TenderVersion> {
    Ok(TenderVersion {
        version: row.try_get("version")?,
        content: content_from_row(row, "tender_versions.content")?,
        reason: row.try_get("reason")?,
        changed_by: row.try_get("changed_by")?,
        changed_at: row.try_get("changed_at")?,
    })
}

fn transition_from_row(row: &PgRow) -> Result<TransitionRecord> {
    Ok(TransitionRecord {
        seq: row.try_get("seq")?,
        transition: parse(
            "tender_transitions.transition",
            row.try_get("transition")?,
            Transition::parse,
        )?,
        from: status_from(
            "tender_transitions.from_status",
            row.try_get("from_status")?,
        )?,
        to: status_from("tender_transitions.to_status", row.try_get("to_status")?)?,
        at: row.try_get("at")?,
        recorded_at: row.try_get("recorded_at")?,
        actor: row.try_get("actor")?,
        reason: row.try_get("reason")?,
    })
}

fn question_from_row(row: &PgRow) -> Result<Question> {
    Ok(Question {
        id: row.try_get("id")?,
        tender_id: row.try_get("tender_id")?,
        asked_by: row.try_get("asked_by")?,
        asker_org: row.try_get("asker_org")?,
        question: row.try_get("question")?,
        asked_at: row.try_get("asked_at")?,
        answer: row.try_get("answer")?,
        answered_by: row.try_get("answered_by")?,
        answered_at: row.try_get("answered_at")?,
    })
}

fn application_from_row(row: &PgRow) -> Result<Application> {
    let origin: &str = row.try_get("origin")?;
    let status: &str = row.try_get("status")?;
    Ok(Application {
        id: row.try_get("id")?,
        tender_id: row.try_get("tender_id")?,
        supplier: row.try_get("supplier_id")?,
        supplier_name: row.try_get("supplier_name")?,
        origin: ApplicationOrigin::parse(origin)
            .ok_or_else(|| corrupt("tender_applications.origin", origin))?,
        status: ApplicationStatus::parse(status)
            .ok_or_else(|| corrupt("tender_applications.status", status))?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
        reason: row.try_get("reason")?,
    })
}

fn attachment_from_row(row: &PgRow) -> Result<Attachment> {
    Ok(Attachment {
        id: row.try_get("id")?,
        tender_id: row.try_get("tender_id")?,
        title: row.try_get("title")?,
        filename: row.try_get("filename")?,
        content_type: row.try_get("content_type")?,
        size: row.try_get("size")?,
        sha256: row.try_get("sha256")?,
        replaces: row.try_get("replaces")?,
        superseded_by: row.try_get("superseded_by")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_at: row.try_get("uploaded_at")?,
    })
}

pub(super) fn event_from_row(row: &PgRow) -> Result<NotificationEvent> {
    let kind: &str = row.try_get("kind")?;
    Ok(NotificationEvent {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        kind: EventKind::parse(kind).ok_or_else(|| corrupt("notification_events.kind", kind))?,
        tender_id: row.try_get("tender_id")?,
        detail: row.try_get::<Json<serde_json::Value>, _>("detail")?.0,
        created_at: row.try_get("created_at")?,
        read_at: row.try_get("read_at")?,
    })
}

/// Locks a tender's row for the rest of the transaction and returns its
/// status, version and `updated_at`; `NotFound` if there is no such tender.
///
/// `FOR UPDATE` (not `FOR NO KEY UPDATE`) on purpose: it also waits for, and
/// then holds off, the key-share locks that inserting a question, an
/// application, a favourite or a bid takes on the tender (a bid also holds
/// it `FOR SHARE`), so the participants an event is expanded to are exactly
/// those who took part before the change.
pub(super) async fn lock_tender(
    tx: &mut Transaction<'static, Postgres>,
    id: TenderId,
) -> Result<(TenderStatus, i64, DateTime<Utc>)> {
    let row =
        sqlx::query("SELECT status, version, updated_at FROM tenders WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StorageError::NotFound)?;
    Ok((
        status_from("tenders.status", row.try_get("status")?)?,
        row.try_get("version")?,
        row.try_get("updated_at")?,
    ))
}

/// Records `steps` from `from` (numbered after the tender's last step) and
/// returns the status they lead to. The tender row must be locked.
async fn insert_transitions(
    tx: &mut Transaction<'static, Postgres>,
    tender: TenderId,
    from: TenderStatus,
    steps: &[NewTransition],
    now: DateTime<Utc>,
) -> Result<TenderStatus> {
    if steps.is_empty() {
        return Ok(from);
    }
    let last: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(seq), 0) FROM tender_transitions WHERE tender_id = $1",
    )
    .bind(tender)
    .fetch_one(&mut **tx)
    .await?;
    let mut rows = TransitionColumns::default();
    let to = rows.push(tender, last, from, steps, |_| now);
    rows.write(tx).await?;
    Ok(to)
}

/// Moves a tender whose row the caller's transaction locked and found at
/// `from` through `steps`: records each, and sets the status they lead to,
/// `next_transition_at`, a cancellation's reason and (for a publication)
/// `published_at`. Shared by every compare-and-set transition: the
/// scheduler's and the buyer's steps, the opening and the award.
pub(super) async fn advance(
    tx: &mut Transaction<'static, Postgres>,
    id: TenderId,
    from: TenderStatus,
    steps: &[NewTransition],
    next_transition_at: Option<DateTime<Utc>>,
    cancel_reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let to = insert_transitions(tx, id, from, steps, now).await?;
    let published_at = steps
        .iter()
        .find(|s| s.transition == Transition::Publish)
        .map(|s| s.at);
    sqlx::query(
        "UPDATE tenders SET status = $2, next_transition_at = $3,
             cancel_reason = COALESCE($4, cancel_reason),
             published_at = COALESCE(published_at, $5), updated_at = $6
         WHERE id = $1",
    )
    .bind(id)
    .bind(to.code())
    .bind(next_transition_at)
    .bind(cancel_reason)
    .bind(published_at)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Events, audit line and jobs: the tail of a write to a tender.
pub(super) async fn finish_write(
    tx: &mut Transaction<'static, Postgres>,
    tender: TenderId,
    events: &[NewEvent],
    audit: Option<&AuditEntry>,
    jobs: &[NewJob],
    now: DateTime<Utc>,
) -> Result<()> {
    insert_events(tx, tender, events, now).await?;
    if let Some(audit) = audit {
        insert_audit(tx, audit, Some(tender), now).await?;
    }
    insert_jobs(tx, jobs, now).await?;
    Ok(())
}

/// Writes one notification row per recipient of each event, and the job
/// that mails them; returns the events' ids.
pub(super) async fn insert_events(
    tx: &mut Transaction<'static, Postgres>,
    tender: TenderId,
    events: &[NewEvent],
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for event in events {
        let (sql, who) = match event.audience {
            // UNION keeps each person once, however many ways they take part.
            Audience::Participants => (
                "INSERT INTO notification_events (user_id, kind, tender_id, detail, created_at)
                 SELECT r.user_id, $2, $1, $3, $4 FROM (
                     SELECT m.user_id FROM tender_applications a
                     JOIN memberships m ON m.organization_id = a.supplier_id
                     WHERE a.tender_id = $1
                     UNION SELECT m.user_id FROM bids b
                     JOIN memberships m ON m.organization_id = b.bidder_org_id
                     WHERE b.tender_id = $1
                     UNION SELECT asked_by FROM tender_questions WHERE tender_id = $1
                     UNION SELECT user_id FROM tender_favourites WHERE tender_id = $1
                 ) r
                 ORDER BY r.user_id RETURNING id",
                None,
            ),
            Audience::Organization(org) => (
                "INSERT INTO notification_events (user_id, kind, tender_id, detail, created_at)
                 SELECT user_id, $2, $1, $3, $4 FROM memberships
                 WHERE organization_id = $5 ORDER BY user_id RETURNING id",
                Some(org),
            ),
            Audience::User(user) => (
                "INSERT INTO notification_events (user_id, kind, tender_id, detail, created_at)
                 VALUES ($5, $2, $1, $3, $4) RETURNING id",
                Some(user),
            ),
        };
        let mut query = sqlx::query(sql)
            .bind(tender)
            .bind(event.kind.as_str())
            .bind(Json(&event.detail))
            .bind(now);
        if let Some(who) = who {
            query = query.bind(who);
        }
        for row in query.fetch_all(&mut **tx).await.map_err(db_error)? {
            ids.push(row.try_get::<i64, _>(0)?);
        }
    }
    // Their mail, queued with them: sent once they commit, never without them.
    if !ids.is_empty() {
        insert_jobs(tx, &[crate::notify_email_job(&ids)], now).await?;
    }
    Ok(ids)
}

/// Transition rows of one or many tenders, one array per column.
#[derive(Default)]
struct TransitionColumns {
    tender: Vec<i64>,
    seq: Vec<i64>,
    transition: Vec<&'static str>,
    from: Vec<&'static str>,
    to: Vec<&'static str>,
    at: Vec<DateTime<Utc>>,
    recorded_at: Vec<DateTime<Utc>>,
    actor: Vec<Option<i64>>,
    reason: Vec<Option<String>>,
}

impl TransitionColumns {
    /// Adds `steps` walked from `from`, numbered after `last`; returns the
    /// status reached.
    fn push(
        &mut self,
        tender: TenderId,
        last: i64,
        mut from: TenderStatus,
        steps: &[NewTransition],
        recorded_at: impl Fn(&NewTransition) -> DateTime<Utc>,
    ) -> TenderStatus {
        for (seq, step) in (last + 1..).zip(steps) {
            let to = step_target(from, step.transition);
            self.tender.push(tender);
            self.seq.push(seq);
            self.transition.push(step.transition.code());
            self.from.push(from.code());
            self.to.push(to.code());
            self.at.push(step.at);
            self.recorded_at.push(recorded_at(step));
            self.actor.push(step.actor);
            self.reason.push(step.reason.clone());
            from = to;
        }
        from
    }

    async fn write(&self, tx: &mut Transaction<'static, Postgres>) -> Result<()> {
        if self.tender.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO tender_transitions
                 (tender_id, seq, transition, from_status, to_status, at, recorded_at, actor, reason)
             SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                 $6::timestamptz[], $7::timestamptz[], $8::bigint[], $9::text[])",
        )
        .bind(&self.tender)
        .bind(&self.seq)
        .bind(&self.transition)
        .bind(&self.from)
        .bind(&self.to)
        .bind(&self.at)
        .bind(&self.recorded_at)
        .bind(&self.actor)
        .bind(&self.reason)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
        Ok(())
    }
}

/// A value bound to a list query.
enum Arg {
    Text(&'static str),
    Texts(Vec<&'static str>),
    Int(i64),
    OptInt(Option<i64>),
}

fn bind_all<'q>(
    mut query: Query<'q, Postgres, PgArguments>,
    args: &'q [Arg],
) -> Query<'q, Postgres, PgArguments> {
    for arg in args {
        query = match arg {
            Arg::Text(s) => query.bind(*s),
            Arg::Texts(v) => query.bind(v),
            Arg::Int(n) => query.bind(*n),
            Arg::OptInt(n) => query.bind(*n),
        };
    }
    query
}

/// The shape of a list of tenders: `{with} … FROM {from}{filter} ORDER BY
/// {order}`, where `from` names the tenders `t`.
struct ListSql {
    with: &'static str,
    from: &'static str,
    filter: String,
    order: &'static str,
    args: Vec<Arg>,
}

impl PgStore {
    /// The exact count and one page of a list, from one snapshot.
    async fn summaries(
        &self,
        list: ListSql,
        paging: Paging,
        counted: bool,
    ) -> Result<Page<TenderSummary>> {
        let ListSql {
            with,
            from,
            filter,
            order,
            mut args,
        } = list;
        let offset = clamp_offset(paging.offset);
        let limit = clamp_limit(paging.limit);
        let mut tx = self
            .pool()
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        let count_sql = format!("{with} SELECT COUNT(*) FROM {from}{filter}");
        let mut total: i64 = if counted {
            bind_all(sqlx::query(AssertSqlSafe(count_sql)), &args)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?
        } else {
            i64::MAX
        };
        let mut items = Vec::new();
        if total > offset {
            let n = args.len();
            args.push(Arg::Int(offset));
            args.push(Arg::Int(limit));
            let page_sql = format!(
                "{with} SELECT {} FROM {from} JOIN organizations o ON o.id = t.buyer_id{filter}
                 ORDER BY {order} OFFSET ${} LIMIT ${}",
                summary_columns!(),
                n + 1,
                n + 2,
            );
            let rows = bind_all(sqlx::query(AssertSqlSafe(page_sql)), &args)
                .fetch_all(&mut *tx)
                .await?;
            items = rows
                .iter()
                .map(summary_from_row)
                .collect::<Result<Vec<_>>>()?;
        }
        tx.commit().await?;
        if !counted {
            total = offset + items.len() as i64;
        }
        Ok(Page {
            items,
            total: u64::try_from(total).unwrap_or(0),
        })
    }
}

/// The tender columns of a chunk of imports, one array per column.
#[derive(Default)]
struct ImportColumns<'a> {
    id: Vec<i64>,
    buyer: Vec<i64>,
    status: Vec<&'static str>,
    kind: Vec<&'static str>,
    category: Vec<&'static str>,
    method: Vec<&'static str>,
    title: Vec<&'a str>,
    prefecture: Vec<Option<&'static str>>,
    closes: Vec<DateTime<Utc>>,
    content: Vec<String>,
    next: Vec<Option<DateTime<Utc>>>,
    created_by: Vec<i64>,
    created_at: Vec<DateTime<Utc>>,
    updated_at: Vec<DateTime<Utc>>,
    published_at: Vec<Option<DateTime<Utc>>>,
    cancel_reason: Vec<Option<&'a str>>,
}

/// Versions, questions and attachments of a chunk of imports.
#[derive(Default)]
struct ImportChildren<'a> {
    version_tender: Vec<i64>,
    version_by: Vec<i64>,
    q_tender: Vec<i64>,
    q_asked_by: Vec<i64>,
    q_org: Vec<i64>,
    q_question: Vec<&'a str>,
    q_answer: Vec<&'a str>,
    q_answered_by: Vec<i64>,
    q_at: Vec<DateTime<Utc>>,
    a_tender: Vec<i64>,
    a_title: Vec<&'a str>,
    a_filename: Vec<&'a str>,
    a_content_type: Vec<&'a str>,
    a_size: Vec<i64>,
    a_sha256: Vec<&'a str>,
    a_replaces: Vec<Option<i64>>,
    a_by: Vec<i64>,
    a_at: Vec<DateTime<Utc>>,
}

impl<'a> ImportChildren<'a> {
    fn push(&mut self, id: TenderId, t: &'a TenderImport) {
        if t.published_at.is_some() {
            // Version 1, as published (by its author).
            self.version_tender.push(id);
            self.version_by.push(t.created_by);
        }
        for (asker, org, question, answer, asked_at) in &t.questions {
            self.q_tender.push(id);
            self.q_asked_by.push(*asker);
            self.q_org.push(*org);
            self.q_question.push(question);
            self.q_answer.push(answer);
            // Answered by the tender's author, at once.
            self.q_answered_by.push(t.created_by);
            self.q_at.push(*asked_at);
        }
        for a in &t.attachments {
            self.a_tender.push(id);
            self.a_title.push(&a.title);
            self.a_filename.push(&a.filename);
            self.a_content_type.push(&a.content_type);
            self.a_size.push(a.size);
            self.a_sha256.push(&a.sha256);
            self.a_replaces.push(a.replaces);
            self.a_by.push(t.created_by);
            self.a_at.push(t.created_at);
        }
    }

    async fn write(&self, tx: &mut Transaction<'static, Postgres>) -> Result<()> {
        if !self.version_tender.is_empty() {
            // The content is copied from the rows just written rather than
            // sent twice.
            sqlx::query(
                "INSERT INTO tender_versions (tender_id, version, content, reason, changed_by, changed_at)
                 SELECT t.id, 1, t.content, NULL, c.changed_by, t.published_at
                 FROM UNNEST($1::bigint[], $2::bigint[]) AS c(id, changed_by)
                 JOIN tenders t ON t.id = c.id",
            )
            .bind(&self.version_tender)
            .bind(&self.version_by)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
        if !self.q_tender.is_empty() {
            sqlx::query(
                "INSERT INTO tender_questions
                     (tender_id, asked_by, asker_org, question, asked_at, answer, answered_by, answered_at)
                 SELECT c.tender, c.asked_by, c.org, c.question, c.at, c.answer, c.answered_by, c.at
                 FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[],
                     $6::bigint[], $7::timestamptz[])
                     AS c(tender, asked_by, org, question, answer, answered_by, at)",
            )
            .bind(&self.q_tender)
            .bind(&self.q_asked_by)
            .bind(&self.q_org)
            .bind(&self.q_question)
            .bind(&self.q_answer)
            .bind(&self.q_answered_by)
            .bind(&self.q_at)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
        if !self.a_tender.is_empty() {
            let ids: Vec<i64> = sqlx::query_scalar(
                "INSERT INTO tender_attachments
                     (tender_id, title, filename, content_type, size, sha256, replaces, uploaded_by, uploaded_at)
                 SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[],
                     $6::text[], $7::bigint[], $8::bigint[], $9::timestamptz[])
                 RETURNING id",
            )
            .bind(&self.a_tender)
            .bind(&self.a_title)
            .bind(&self.a_filename)
            .bind(&self.a_content_type)
            .bind(&self.a_size)
            .bind(&self.a_sha256)
            .bind(&self.a_replaces)
            .bind(&self.a_by)
            .bind(&self.a_at)
            .fetch_all(&mut **tx)
            .await
            .map_err(db_error)?;
            if self.a_replaces.iter().any(Option::is_some) {
                sqlx::query(
                    "UPDATE tender_attachments old SET superseded_by = new.id
                     FROM tender_attachments new
                     WHERE new.id = ANY($1) AND new.replaces = old.id",
                )
                .bind(&ids)
                .execute(&mut **tx)
                .await?;
            }
        }
        Ok(())
    }
}

impl<'a> ImportColumns<'a> {
    fn push(&mut self, id: TenderId, t: &'a TenderImport) -> Result<()> {
        let c = columns(&t.content);
        let last_step = t.transitions.iter().map(|s| s.at).max();
        self.id.push(id);
        self.buyer.push(t.buyer);
        self.status.push(t.status.code());
        self.kind.push(c.kind);
        self.category.push(c.category);
        self.method.push(c.method);
        self.title.push(c.title);
        self.prefecture.push(c.prefecture);
        self.closes.push(c.submission_closes_at);
        self.content.push(content_json(&t.content)?);
        self.next.push(t.next_transition_at);
        self.created_by.push(t.created_by);
        self.created_at.push(t.created_at);
        // Last changed by the latest of its facts.
        self.updated_at.push(
            [Some(t.created_at), t.published_at, last_step]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(t.created_at),
        );
        self.published_at.push(t.published_at);
        // A cancelled tender keeps the reason its 中止 step gave.
        self.cancel_reason
            .push(if t.status == TenderStatus::Cancelled {
                t.transitions
                    .iter()
                    .rev()
                    .find(|s| s.transition == Transition::Cancel)
                    .and_then(|s| s.reason.as_deref())
            } else {
                None
            });
        Ok(())
    }

    async fn write(&self, tx: &mut Transaction<'static, Postgres>) -> Result<()> {
        sqlx::query(
            "INSERT INTO tenders (id, buyer_id, status, kind, category, method, title, prefecture,
                 submission_closes_at, content, version, next_transition_at, created_by,
                 created_at, updated_at, published_at, cancel_reason)
             SELECT c.id, c.buyer, c.status, c.kind, c.category, c.method, c.title, c.prefecture,
                 c.closes, c.content::jsonb, 1, c.next, c.created_by, c.created_at, c.updated_at,
                 c.published_at, c.cancel_reason
             FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                 $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::text[],
                 $11::timestamptz[], $12::bigint[], $13::timestamptz[], $14::timestamptz[],
                 $15::timestamptz[], $16::text[])
                 AS c(id, buyer, status, kind, category, method, title, prefecture, closes,
                      content, next, created_by, created_at, updated_at, published_at,
                      cancel_reason)",
        )
        .bind(&self.id)
        .bind(&self.buyer)
        .bind(&self.status)
        .bind(&self.kind)
        .bind(&self.category)
        .bind(&self.method)
        .bind(&self.title)
        .bind(&self.prefecture)
        .bind(&self.closes)
        .bind(&self.content)
        .bind(&self.next)
        .bind(&self.created_by)
        .bind(&self.created_at)
        .bind(&self.updated_at)
        .bind(&self.published_at)
        .bind(&self.cancel_reason)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
        Ok(())
    }
}

#[async_trait]
impl TenderStore for PgStore {
    async fn create_tender(
        &self,
        buyer: OrgId,
        creator: UserId,
        content: &TenderContent,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<TenderId> {
        let c = columns(content);
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tenders (buyer_id, status, kind, category, method, title, prefecture,
                 submission_closes_at, content, version, created_by, created_at, updated_at)
             VALUES ($1, 'draft', $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $10)
             RETURNING id",
        )
        .bind(buyer)
        .bind(c.kind)
        .bind(c.category)
        .bind(c.method)
        .bind(c.title)
        .bind(c.prefecture)
        .bind(c.submission_closes_at)
        .bind(Json(content))
        .bind(creator)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        insert_audit(&mut tx, &audit, Some(id), now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn tender(&self, id: TenderId) -> Result<Option<Tender>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            tender_columns!(),
            " FROM tenders t JOIN organizations o ON o.id = t.buyer_id WHERE t.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(tender_from_row).transpose()
    }

    async fn update_draft(
        &self,
        id: TenderId,
        content: &TenderContent,
        expected_updated_at: DateTime<Utc>,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let (status, _, updated_at) = lock_tender(&mut tx, id).await?;
        if status != TenderStatus::Draft {
            return Err(conflict("not_draft"));
        }
        // The column keeps microseconds; so does the bound value.
        if updated_at.timestamp_micros() != expected_updated_at.timestamp_micros() {
            return Err(conflict("stale_version"));
        }
        let c = columns(content);
        sqlx::query(
            "UPDATE tenders SET kind = $2, category = $3, method = $4, title = $5, prefecture = $6,
                 submission_closes_at = $7, content = $8, updated_at = $9
             WHERE id = $1",
        )
        .bind(id)
        .bind(c.kind)
        .bind(c.category)
        .bind(c.method)
        .bind(c.title)
        .bind(c.prefecture)
        .bind(c.submission_closes_at)
        .bind(Json(content))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        insert_audit(&mut tx, &audit, Some(id), now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn publish_tender(
        &self,
        id: TenderId,
        transition: &NewTransition,
        next_transition_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        audit: AuditEntry,
        jobs: &[NewJob],
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let (status, _, _) = lock_tender(&mut tx, id).await?;
        if status != TenderStatus::Draft {
            return Err(conflict("not_draft"));
        }
        let to =
            insert_transitions(&mut tx, id, status, std::slice::from_ref(transition), now).await?;
        sqlx::query(
            "UPDATE tenders SET status = $2, version = 1, next_transition_at = $3,
                 published_at = $4, updated_at = $5
             WHERE id = $1",
        )
        .bind(id)
        .bind(to.code())
        .bind(next_transition_at)
        .bind(transition.at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // The content as published is version 1 of the history, from the
        // instant the publication took effect.
        sqlx::query(
            "INSERT INTO tender_versions (tender_id, version, content, reason, changed_by, changed_at)
             SELECT id, 1, content, NULL, $2, $3 FROM tenders WHERE id = $1",
        )
        .bind(id)
        .bind(transition.actor.or(audit.actor))
        .bind(transition.at)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        log_tender_event(&mut tx, id, LogEntry::TenderPublished, now).await?;
        finish_write(&mut tx, id, &[], Some(&audit), jobs, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn amend_tender(
        &self,
        id: TenderId,
        content: &TenderContent,
        reason: &str,
        expected_version: i64,
        expected_status: TenderStatus,
        next_transition_at: Option<DateTime<Utc>>,
        actor: UserId,
        now: DateTime<Utc>,
        events: &[NewEvent],
        audit: AuditEntry,
        jobs: &[NewJob],
    ) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        let (status, version, _) = lock_tender(&mut tx, id).await?;
        if version != expected_version {
            return Err(conflict("stale_version"));
        }
        if status != expected_status {
            return Err(conflict("status_changed"));
        }
        let version = version + 1;
        let c = columns(content);
        sqlx::query(
            "UPDATE tenders SET kind = $2, category = $3, method = $4, title = $5, prefecture = $6,
                 submission_closes_at = $7, content = $8, version = $9, next_transition_at = $10,
                 updated_at = $11
             WHERE id = $1",
        )
        .bind(id)
        .bind(c.kind)
        .bind(c.category)
        .bind(c.method)
        .bind(c.title)
        .bind(c.prefecture)
        .bind(c.submission_closes_at)
        .bind(Json(content))
        .bind(version)
        .bind(next_transition_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO tender_versions (tender_id, version, content, reason, changed_by, changed_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(version)
        .bind(Json(content))
        .bind(reason)
        .bind(actor)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        log_tender_event(&mut tx, id, LogEntry::TenderAmended, now).await?;
        finish_write(&mut tx, id, events, Some(&audit), jobs, now).await?;
        tx.commit().await?;
        Ok(version)
    }

    async fn transition_tender(
        &self,
        id: TenderId,
        expected_status: TenderStatus,
        steps: &[NewTransition],
        next_transition_at: Option<DateTime<Utc>>,
        cancel_reason: Option<&str>,
        now: DateTime<Utc>,
        events: &[NewEvent],
        audit: Option<AuditEntry>,
        jobs: &[NewJob],
    ) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let (status, _, _) = lock_tender(&mut tx, id).await?;
        if status != expected_status {
            // Someone else moved it; the rollback on drop releases the lock.
            return Ok(false);
        }
        advance(
            &mut tx,
            id,
            status,
            steps,
            next_transition_at,
            cancel_reason,
            now,
        )
        .await?;
        if steps.iter().any(|s| s.transition == Transition::Cancel) {
            log_tender_event(&mut tx, id, LogEntry::TenderCancelled, now).await?;
        }
        finish_write(&mut tx, id, events, audit.as_ref(), jobs, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn due_tenders(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<TenderId>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM tenders WHERE next_transition_at <= $1
             ORDER BY next_transition_at, id LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?)
    }

    async fn next_transition_at(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(
            sqlx::query_scalar("SELECT MIN(next_transition_at) FROM tenders")
                .fetch_one(self.pool())
                .await?,
        )
    }

    async fn tender_versions(&self, id: TenderId) -> Result<Vec<TenderVersion>> {
        let rows = sqlx::query(
            "SELECT version, content, reason, changed_by, changed_at FROM tender_versions
             WHERE tender_id = $1 ORDER BY version",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(version_from_row).collect()
    }

    async fn tender_transitions(&self, id: TenderId) -> Result<Vec<TransitionRecord>> {
        let rows = sqlx::query(
            "SELECT seq, transition, from_status, to_status, at, recorded_at, actor, reason
             FROM tender_transitions WHERE tender_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(transition_from_row).collect()
    }

    async fn public_tenders_after(&self, after: TenderId, limit: u32) -> Result<Vec<Tender>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            tender_columns!(),
            " FROM tenders t JOIN organizations o ON o.id = t.buyer_id
             WHERE t.id > $1 AND t.status <> 'draft' ORDER BY t.id LIMIT $2"
        ))
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(tender_from_row).collect()
    }

    async fn list_tenders(&self, query: &TenderQuery) -> Result<Page<TenderSummary>> {
        let mut args = Vec::new();
        let mut filter = String::from(" WHERE t.published_at IS NOT NULL");
        let mut add = |sql: &str, arg: Arg| {
            args.push(arg);
            filter.push_str(&sql.replace('?', &format!("${}", args.len())));
        };
        if let Some(kind) = query.kind {
            add(" AND t.kind = ?", Arg::Text(kind.code()));
        }
        if let Some(category) = query.category {
            add(" AND t.category = ?", Arg::Text(category.code()));
        }
        if !query.statuses.is_empty() {
            let codes = query.statuses.iter().map(|s| s.code()).collect();
            add(" AND t.status = ANY(?::text[])", Arg::Texts(codes));
        }
        if let Some(prefecture) = query.prefecture {
            add(" AND t.prefecture = ?", Arg::Text(prefecture.code()));
        }
        if let Some(buyer) = query.buyer {
            add(" AND t.buyer_id = ?", Arg::Int(buyer));
        }
        self.summaries(
            ListSql {
                with: "",
                from: "tenders t",
                filter,
                order: "t.published_at DESC, t.id DESC",
                args,
            },
            query.paging,
            !query.without_total,
        )
        .await
    }

    async fn buyer_tenders(&self, buyer: OrgId, paging: Paging) -> Result<Page<TenderSummary>> {
        self.summaries(
            ListSql {
                with: "",
                from: "tenders t",
                filter: " WHERE t.buyer_id = $1".into(),
                order: "t.updated_at DESC, t.id DESC",
                args: vec![Arg::Int(buyer)],
            },
            paging,
            true,
        )
        .await
    }

    async fn ask_question(
        &self,
        tender: TenderId,
        asker: UserId,
        asker_org: OrgId,
        question: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tender_questions (tender_id, asked_by, asker_org, question, asked_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(tender)
        .bind(asker)
        .bind(asker_org)
        .bind(question)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        insert_audit(&mut tx, &audit, Some(id), now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn answer_question(
        &self,
        tender: TenderId,
        question: i64,
        answer: &str,
        actor: UserId,
        now: DateTime<Utc>,
        events: &[NewEvent],
        audit: AuditEntry,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let updated = sqlx::query(
            "UPDATE tender_questions SET answer = $3, answered_by = $4, answered_at = $5
             WHERE id = $2 AND tender_id = $1",
        )
        .bind(tender)
        .bind(question)
        .bind(answer)
        .bind(actor)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if updated.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        insert_events(&mut tx, tender, events, now).await?;
        insert_audit(&mut tx, &audit, Some(question), now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn questions(&self, tender: TenderId) -> Result<Vec<Question>> {
        let rows = sqlx::query(
            "SELECT id, tender_id, asked_by, asker_org, question, asked_at, answer, answered_by,
                 answered_at
             FROM tender_questions WHERE tender_id = $1 ORDER BY id",
        )
        .bind(tender)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(question_from_row).collect()
    }

    async fn create_application(
        &self,
        tender: TenderId,
        supplier: OrgId,
        origin: ApplicationOrigin,
        actor: UserId,
        now: DateTime<Utc>,
        events: &[NewEvent],
        audit: AuditEntry,
    ) -> Result<i64> {
        // A nomination is the buyer's decision, taken as it is made.
        let (status, decided) = match origin {
            ApplicationOrigin::Application => (ApplicationStatus::Pending, None),
            ApplicationOrigin::Nomination => (ApplicationStatus::Accepted, Some((actor, now))),
        };
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tender_applications
                 (tender_id, supplier_id, origin, status, created_by, created_at, decided_by, decided_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(tender)
        .bind(supplier)
        .bind(origin.as_str())
        .bind(status.as_str())
        .bind(actor)
        .bind(now)
        .bind(decided.map(|(by, _)| by))
        .bind(decided.map(|(_, at)| at))
        .fetch_one(&mut *tx)
        .await
        .map_err(application_error)?;
        insert_events(&mut tx, tender, events, now).await?;
        insert_audit(&mut tx, &audit, Some(id), now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn decide_application(
        &self,
        tender: TenderId,
        application: i64,
        status: ApplicationStatus,
        reason: Option<&str>,
        actor: UserId,
        now: DateTime<Utc>,
        events: &[NewEvent],
        audit: AuditEntry,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let current: Option<String> = sqlx::query_scalar(
            "SELECT status FROM tender_applications WHERE id = $2 AND tender_id = $1 FOR UPDATE",
        )
        .bind(tender)
        .bind(application)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(current) = current else {
            return Err(StorageError::NotFound);
        };
        if current != ApplicationStatus::Pending.as_str() {
            return Err(conflict("already_decided"));
        }
        sqlx::query(
            "UPDATE tender_applications SET status = $2, reason = $3, decided_by = $4, decided_at = $5
             WHERE id = $1",
        )
        .bind(application)
        .bind(status.as_str())
        .bind(reason)
        .bind(actor)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        insert_events(&mut tx, tender, events, now).await?;
        insert_audit(&mut tx, &audit, Some(application), now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn applications(&self, tender: TenderId) -> Result<Vec<Application>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            application_columns!(),
            " FROM tender_applications a JOIN organizations o ON o.id = a.supplier_id
              WHERE a.tender_id = $1 ORDER BY a.id"
        ))
        .bind(tender)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(application_from_row).collect()
    }

    async fn application_of(
        &self,
        tender: TenderId,
        supplier: OrgId,
    ) -> Result<Option<Application>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            application_columns!(),
            " FROM tender_applications a JOIN organizations o ON o.id = a.supplier_id
              WHERE a.tender_id = $1 AND a.supplier_id = $2"
        ))
        .bind(tender)
        .bind(supplier)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(application_from_row).transpose()
    }

    async fn add_attachment(
        &self,
        tender: TenderId,
        attachment: &NewAttachment,
        actor: UserId,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        if let Some(old) = attachment.replaces {
            // Locked so two replacements of one file cannot both succeed.
            let current: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM tender_attachments
                 WHERE id = $1 AND tender_id = $2 AND superseded_by IS NULL FOR UPDATE",
            )
            .bind(old)
            .bind(tender)
            .fetch_optional(&mut *tx)
            .await?;
            if current.is_none() {
                return Err(StorageError::NotFound);
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tender_attachments
                 (tender_id, title, filename, content_type, size, sha256, replaces, uploaded_by, uploaded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(tender)
        .bind(&attachment.title)
        .bind(&attachment.filename)
        .bind(&attachment.content_type)
        .bind(attachment.size)
        .bind(&attachment.sha256)
        .bind(attachment.replaces)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        if let Some(old) = attachment.replaces {
            sqlx::query("UPDATE tender_attachments SET superseded_by = $2 WHERE id = $1")
                .bind(old)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        insert_audit(&mut tx, &audit, Some(id), now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn attachments(&self, tender: TenderId) -> Result<Vec<Attachment>> {
        let rows = sqlx::query("SELECT * FROM tender_attachments WHERE tender_id = $1 ORDER BY id")
            .bind(tender)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(attachment_from_row).collect()
    }

    async fn attachment(&self, tender: TenderId, id: i64) -> Result<Option<Attachment>> {
        let row = sqlx::query("SELECT * FROM tender_attachments WHERE id = $1 AND tender_id = $2")
            .bind(id)
            .bind(tender)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(attachment_from_row).transpose()
    }

    async fn add_tender_favourite(
        &self,
        user: UserId,
        tender: TenderId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO tender_favourites (user_id, tender_id, created_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(user)
        .bind(tender)
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn remove_tender_favourite(&self, user: UserId, tender: TenderId) -> Result<()> {
        sqlx::query("DELETE FROM tender_favourites WHERE user_id = $1 AND tender_id = $2")
            .bind(user)
            .bind(tender)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn is_tender_favourite(&self, user: UserId, tender: TenderId) -> Result<bool> {
        Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM tender_favourites WHERE user_id = $1 AND tender_id = $2)",
        )
        .bind(user)
        .bind(tender)
        .fetch_one(self.pool())
        .await?)
    }

    async fn my_tenders(
        &self,
        user: UserId,
        org: Option<OrgId>,
        paging: Paging,
    ) -> Result<Page<TenderSummary>> {
        self.summaries(
            ListSql {
                with: "WITH mine AS (
                     SELECT tender_id FROM tender_favourites WHERE user_id = $1
                     UNION SELECT tender_id FROM tender_applications WHERE supplier_id = $2
                     UNION SELECT tender_id FROM tender_questions WHERE asker_org = $2)",
                from: "mine JOIN tenders t ON t.id = mine.tender_id",
                // Never a draft (nobody outside the buyer may see one).
                filter: " WHERE t.status <> 'draft'".into(),
                order: "t.updated_at DESC, t.id DESC",
                args: vec![Arg::Int(user), Arg::OptInt(org)],
            },
            paging,
            true,
        )
        .await
    }

    async fn notification_events(
        &self,
        user: UserId,
        paging: Paging,
    ) -> Result<Page<NotificationEvent>> {
        let mut tx = self
            .pool()
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM notification_events WHERE user_id = $1")
                .bind(user)
                .fetch_one(&mut *tx)
                .await?;
        let rows = sqlx::query(
            "SELECT id, user_id, kind, tender_id, detail, created_at, read_at FROM notification_events
             WHERE user_id = $1 ORDER BY id DESC OFFSET $2 LIMIT $3",
        )
        .bind(user)
        .bind(clamp_offset(paging.offset))
        .bind(clamp_limit(paging.limit))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Page {
            items: rows.iter().map(event_from_row).collect::<Result<_>>()?,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    async fn import_tenders(&self, tenders: &[TenderImport]) -> Result<u64> {
        let mut tx = self.pool().begin().await?;
        for chunk in tenders.chunks(IMPORT_CHUNK) {
            // Ids drawn up front pair each tender with its rows without
            // relying on the order of `RETURNING`.
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT nextval(pg_get_serial_sequence('tenders', 'id')) FROM generate_series(1, $1)",
            )
            .bind(chunk.len() as i64)
            .fetch_all(&mut *tx)
            .await?;
            let mut rows = ImportColumns::default();
            let mut children = ImportChildren::default();
            let mut transitions = TransitionColumns::default();
            for (&id, t) in ids.iter().zip(chunk) {
                rows.push(id, t)?;
                children.push(id, t);
                transitions.push(id, 0, TenderStatus::Draft, &t.transitions, |s| s.at);
            }
            rows.write(&mut tx).await?;
            transitions.write(&mut tx).await?;
            children.write(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(tenders.len() as u64)
    }
}
