//! SQLite: tenders (案件), their versions (訂正), status transitions,
//! questions, applications, attachments, favourites and notification events.
//!
//! `tenders.content` is the whole [`TenderContent`] as JSON text; the columns
//! beside it (status, kind, category, method, title, prefecture, submission
//! deadline) copy what lists, filters and the scheduler query and are always
//! written together with it. Every write runs in one `BEGIN IMMEDIATE`
//! transaction with its audit line, its notification events (one row per
//! recipient, the audience resolved inside the transaction) and its jobs.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musubi_domain::tender::{TenderContent, TenderStatus, Transition};
use musubi_domain::transparency::entry::LogEntry;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Row, Sqlite, SqliteConnection, Transaction};

use super::accounts::{count, insert_audit, map_conflict, page_bounds, parse_stored};
use super::transparency::log_tender_event;
use super::{SqliteStore, from_us, insert_jobs, json_from_text, opt_from_us, to_us};
use crate::{
    Application, ApplicationOrigin, ApplicationStatus, Attachment, Audience, AuditEntry, EventKind,
    NewAttachment, NewEvent, NewJob, NewTransition, NotificationEvent, OrgId, Page, Paging,
    Question, Result, StorageError, Tender, TenderId, TenderImport, TenderQuery, TenderStore,
    TenderSummary, TenderVersion, TransitionRecord, UserId,
};

/// The columns of a [`TenderSummary`] from `tenders t JOIN organizations o`.
macro_rules! summary_cols {
    () => {
        "t.id, t.buyer_id, o.name AS buyer_name, t.kind, t.category, t.method, t.status, \
         t.title, t.prefecture, t.version, t.published_at, t.submission_closes_at, t.updated_at"
    };
}

/// The columns of a [`Tender`] from `tenders t JOIN organizations o`.
macro_rules! tender_cols {
    () => {
        "t.id, t.buyer_id, o.name AS buyer_name, t.status, t.content, t.version, \
         t.next_transition_at, t.cancel_reason, t.created_by, t.created_at, t.updated_at, \
         t.published_at"
    };
}

/// The columns of an [`Application`] from `tender_applications a JOIN organizations o`.
macro_rules! application_cols {
    () => {
        "a.id, a.tender_id, a.supplier_id, o.name AS supplier_name, a.origin, a.status, \
         a.created_by, a.created_at, a.decided_by, a.decided_at, a.reason"
    };
}

/// SQLite's limit on bound parameters per statement (SQLITE_MAX_VARIABLE_NUMBER).
const MAX_BINDS: usize = 32_766;

/// Most rows in one multi-row `INSERT` of an import.
const MAX_ROWS_PER_INSERT: usize = 500;

// --- content and its copied columns ---------------------------------------------

fn content_to_text(content: &TenderContent) -> Result<String> {
    serde_json::to_string(content).map_err(|e| StorageError::Corrupt {
        field: "tenders.content",
        message: e.to_string(),
    })
}

fn content_from_text(field: &'static str, text: &str) -> Result<TenderContent> {
    serde_json::from_str(text).map_err(|e| StorageError::Corrupt {
        field,
        message: e.to_string(),
    })
}

/// What the columns beside `content` hold, taken from it.
struct Columns<'c> {
    kind: &'static str,
    category: &'static str,
    method: &'static str,
    title: &'c str,
    prefecture: Option<&'static str>,
    submission_closes_at: i64,
    content: String,
}

impl<'c> Columns<'c> {
    fn of(content: &'c TenderContent) -> Result<Self> {
        Ok(Columns {
            kind: content.kind.code(),
            category: content.category.code(),
            method: content.method.code(),
            title: &content.title,
            prefecture: content.place.prefecture().map(|p| p.code()),
            submission_closes_at: to_us(content.schedule.submission_closes_at),
            content: content_to_text(content)?,
        })
    }
}

// --- rows --------------------------------------------------------------------------

pub(super) fn status_from(field: &'static str, s: &str) -> Result<TenderStatus> {
    parse_stored(field, s)
}

fn tender_from_row(row: &SqliteRow) -> Result<Tender> {
    Ok(Tender {
        id: row.try_get("id")?,
        buyer: row.try_get("buyer_id")?,
        buyer_name: row.try_get("buyer_name")?,
        status: status_from("tenders.status", row.try_get("status")?)?,
        content: content_from_text("tenders.content", row.try_get("content")?)?,
        version: row.try_get("version")?,
        next_transition_at: opt_from_us(
            "tenders.next_transition_at",
            row.try_get("next_transition_at")?,
        )?,
        cancel_reason: row.try_get("cancel_reason")?,
        created_by: row.try_get("created_by")?,
        created_at: from_us("tenders.created_at", row.try_get("created_at")?)?,
        updated_at: from_us("tenders.updated_at", row.try_get("updated_at")?)?,
        published_at: opt_from_us("tenders.published_at", row.try_get("published_at")?)?,
    })
}

fn summary_from_row(row: &SqliteRow) -> Result<TenderSummary> {
    Ok(TenderSummary {
        id: row.try_get("id")?,
        buyer: row.try_get("buyer_id")?,
        buyer_name: row.try_get("buyer_name")?,
        kind: parse_stored("tenders.kind", row.try_get("kind")?)?,
        category: parse_stored("tenders.category", row.try_get("category")?)?,
        method: parse_stored("tenders.method", row.try_get("method")?)?,
        status: status_from("tenders.status", row.try_get("status")?)?,
        title: row.try_get("title")?,
        prefecture: row
            .try_get::<Option<&str>, _>("prefecture")?
            .map(|p| parse_stored("tenders.prefecture", p))
            .transpose()?,
        version: row.try_get("version")?,
        published_at: opt_from_us("tenders.published_at", row.try_get("published_at")?)?,
        submission_closes_at: from_us(
            "tenders.submission_closes_at",
            row.try_get("submission_closes_at")?,
        )?,
        updated_at: from_us("tenders.updated_at", row.try_get("updated_at")?)?,
    })
}

fn question_from_row(row: &SqliteRow) -> Result<Question> {
    Ok(Question {
        id: row.try_get("id")?,
        tender_id: row.try_get("tender_id")?,
        asked_by: row.try_get("asked_by")?,
        asker_org: row.try_get("asker_org")?,
        question: row.try_get("question")?,
        asked_at: from_us("tender_questions.asked_at", row.try_get("asked_at")?)?,
        answer: row.try_get("answer")?,
        answered_by: row.try_get("answered_by")?,
        answered_at: opt_from_us("tender_questions.answered_at", row.try_get("answered_at")?)?,
    })
}

fn application_from_row(row: &SqliteRow) -> Result<Application> {
    let origin: &str = row.try_get("origin")?;
    let status: &str = row.try_get("status")?;
    Ok(Application {
        id: row.try_get("id")?,
        tender_id: row.try_get("tender_id")?,
        supplier: row.try_get("supplier_id")?,
        supplier_name: row.try_get("supplier_name")?,
        origin: ApplicationOrigin::parse(origin).ok_or_else(|| StorageError::Corrupt {
            field: "tender_applications.origin",
            message: format!("unknown origin {origin:?}"),
        })?,
        status: ApplicationStatus::parse(status).ok_or_else(|| StorageError::Corrupt {
            field: "tender_applications.status",
            message: format!("unknown status {status:?}"),
        })?,
        created_by: row.try_get("created_by")?,
        created_at: from_us("tender_applications.created_at", row.try_get("created_at")?)?,
        decided_by: row.try_get("decided_by")?,
        decided_at: opt_from_us("tender_applications.decided_at", row.try_get("decided_at")?)?,
        reason: row.try_get("reason")?,
    })
}

fn attachment_from_row(row: &SqliteRow) -> Result<Attachment> {
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
        uploaded_at: from_us(
            "tender_attachments.uploaded_at",
            row.try_get("uploaded_at")?,
        )?,
    })
}

pub(super) fn event_from_row(row: &SqliteRow) -> Result<NotificationEvent> {
    let kind: &str = row.try_get("kind")?;
    Ok(NotificationEvent {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        kind: EventKind::parse(kind).ok_or_else(|| StorageError::Corrupt {
            field: "notification_events.kind",
            message: format!("unknown kind {kind:?}"),
        })?,
        tender_id: row.try_get("tender_id")?,
        detail: json_from_text("notification_events.detail", row.try_get("detail")?)?,
        created_at: from_us("notification_events.created_at", row.try_get("created_at")?)?,
        read_at: super::opt_from_us("notification_events.read_at", row.try_get("read_at")?)?,
    })
}

// --- writes shared by several methods --------------------------------------------

/// The tender's status, or `NotFound`.
pub(super) async fn current_status(
    conn: &mut SqliteConnection,
    id: TenderId,
) -> Result<(TenderStatus, i64)> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT status, version FROM tenders WHERE id = ?1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let (status, version) = row.ok_or(StorageError::NotFound)?;
    Ok((status_from("tenders.status", &status)?, version))
}

/// Records `steps` from `from`, numbered after the tender's last step; the
/// status each leads to is the state machine's. Returns the final status.
async fn insert_transitions(
    conn: &mut SqliteConnection,
    id: TenderId,
    from: TenderStatus,
    steps: &[NewTransition],
    now: DateTime<Utc>,
) -> Result<TenderStatus> {
    let last: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(seq), 0) FROM tender_transitions WHERE tender_id = ?1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let mut status = from;
    for (i, step) in steps.iter().enumerate() {
        let to = step_target(status, step.transition);
        sqlx::query(
            "INSERT INTO tender_transitions
                 (tender_id, seq, transition, from_status, to_status, at, recorded_at, actor, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .bind(id)
        .bind(last + 1 + i as i64)
        .bind(step.transition.code())
        .bind(status.code())
        .bind(to.code())
        .bind(to_us(step.at))
        .bind(to_us(now))
        .bind(step.actor)
        .bind(&step.reason)
        .execute(&mut *conn)
        .await
        .map_err(|e| map_conflict(e, &[("tender_transitions.", "stale_transition")]))?;
        status = to;
    }
    Ok(status)
}

/// Moves a tender whose status the caller's transaction found to be `from`
/// through `steps`: records each, and sets the status they lead to,
/// `next_transition_at`, a cancellation's reason and (for a publication)
/// `published_at`. Shared by every compare-and-set transition: the
/// scheduler's and the buyer's steps, the opening and the award.
pub(super) async fn advance(
    conn: &mut SqliteConnection,
    id: TenderId,
    from: TenderStatus,
    steps: &[NewTransition],
    next_transition_at: Option<DateTime<Utc>>,
    cancel_reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let to = insert_transitions(conn, id, from, steps, now).await?;
    let published_at = steps
        .iter()
        .find(|s| s.transition == Transition::Publish)
        .map(|s| to_us(s.at));
    sqlx::query(
        "UPDATE tenders SET status = ?2, next_transition_at = ?3,
             cancel_reason = COALESCE(?4, cancel_reason),
             published_at = COALESCE(published_at, ?5), updated_at = ?6
         WHERE id = ?1",
    )
    .bind(id)
    .bind(to.code())
    .bind(next_transition_at.map(to_us))
    .bind(cancel_reason)
    .bind(published_at)
    .bind(to_us(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Where `transition` leads from `from`. Steps arrive checked against the
/// state machine; should one not be allowed, its target is still the one
/// status the step can lead to.
fn step_target(from: TenderStatus, transition: Transition) -> TenderStatus {
    from.apply(transition)
        .unwrap_or_else(|_| transition.target())
}

/// Writes one notification event row per recipient of each event, and the
/// job that mails them; returns the events' ids.
pub(super) async fn insert_events(
    tx: &mut Transaction<'static, Sqlite>,
    tender: TenderId,
    events: &[NewEvent],
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let now_us = to_us(now);
    let mut ids = Vec::new();
    for event in events {
        let detail = event.detail.to_string();
        let kind = event.kind.as_str();
        let query = match event.audience {
            // UNION: each person once, however many ways they take part.
            Audience::Participants => sqlx::query(
                "INSERT INTO notification_events (user_id, kind, tender_id, detail, created_at)
                 SELECT user_id, ?2, ?1, ?3, ?4 FROM (
                     SELECT m.user_id AS user_id FROM tender_applications a
                     JOIN memberships m ON m.organization_id = a.supplier_id
                     WHERE a.tender_id = ?1
                     UNION SELECT m.user_id FROM bids b
                     JOIN memberships m ON m.organization_id = b.bidder_org_id
                     WHERE b.tender_id = ?1
                     UNION SELECT asked_by FROM tender_questions WHERE tender_id = ?1
                     UNION SELECT user_id FROM tender_favourites WHERE tender_id = ?1)
                 ORDER BY user_id RETURNING id",
            )
            .bind(tender)
            .bind(kind)
            .bind(detail)
            .bind(now_us),
            Audience::Organization(org) => sqlx::query(
                "INSERT INTO notification_events (user_id, kind, tender_id, detail, created_at)
                 SELECT user_id, ?2, ?1, ?3, ?4 FROM memberships WHERE organization_id = ?5
                 ORDER BY user_id RETURNING id",
            )
            .bind(tender)
            .bind(kind)
            .bind(detail)
            .bind(now_us)
            .bind(org),
            Audience::User(user) => sqlx::query(
                "INSERT INTO notification_events (user_id, kind, tender_id, detail, created_at)
                 VALUES (?5, ?2, ?1, ?3, ?4) RETURNING id",
            )
            .bind(tender)
            .bind(kind)
            .bind(detail)
            .bind(now_us)
            .bind(user),
        };
        let rows = query
            .fetch_all(&mut **tx)
            .await
            .map_err(|e| map_conflict(e, &[]))?;
        for row in rows {
            ids.push(row.try_get::<i64, _>(0)?);
        }
    }
    // Their mail, queued with them: sent once they commit, never without them.
    if !ids.is_empty() {
        insert_jobs(tx, &[crate::notify_email_job(&ids)], now).await?;
    }
    Ok(ids)
}

/// Audit line, events and jobs: the tail of every write.
pub(super) async fn finish_write(
    tx: &mut Transaction<'static, Sqlite>,
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

// --- lists ---------------------------------------------------------------------------

/// A bound value of a query built at run time.
enum Arg {
    Int(i64),
    Text(&'static str),
}

fn bind_args<'q>(
    mut q: sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments>,
    args: &'q [Arg],
) -> sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments> {
    for arg in args {
        q = match arg {
            Arg::Int(i) => q.bind(*i),
            Arg::Text(s) => q.bind(*s),
        };
    }
    q
}

impl SqliteStore {
    /// One page of summaries and the exact total, read in one transaction so
    /// the two agree. `count_sql` and `page_sql` take the same `args`;
    /// `page_sql` is followed by `LIMIT ? OFFSET ?`.
    async fn summary_page(
        &self,
        count_sql: String,
        page_sql: String,
        args: &[Arg],
        paging: Paging,
        counted: bool,
    ) -> Result<Page<TenderSummary>> {
        let (offset, limit) = page_bounds(paging.offset, paging.limit);
        let mut tx = self.read.begin().await?;
        let mut total: i64 = if counted {
            bind_args(sqlx::query(AssertSqlSafe(count_sql)), args)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?
        } else {
            i64::MAX
        };
        let items = if total > offset {
            let rows = bind_args(
                sqlx::query(AssertSqlSafe(format!("{page_sql} LIMIT ? OFFSET ?"))),
                args,
            )
            .bind(limit)
            .bind(offset)
            .fetch_all(&mut *tx)
            .await?;
            rows.iter()
                .map(summary_from_row)
                .collect::<Result<Vec<_>>>()?
        } else {
            Vec::new()
        };
        tx.commit().await?;
        if !counted {
            total = offset + items.len() as i64;
        }
        Ok(Page {
            items,
            total: count("tenders", total)?,
        })
    }
}

// --- import -----------------------------------------------------------------------------

/// One multi-row `INSERT` per `rows_per_statement` rows: `head` followed by
/// `(?, …), (?, …)` with `width` placeholders per row. Each full chunk has the
/// same text, so the statement is prepared once and reused.
fn values_sql(head: &str, width: usize, rows: usize) -> String {
    let row = format!("({})", vec!["?"; width].join(", "));
    let mut sql = String::with_capacity(head.len() + rows * (row.len() + 2));
    sql.push_str(head);
    sql.push_str(" VALUES ");
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&row);
    }
    sql
}

fn rows_per_statement(width: usize) -> usize {
    (MAX_BINDS / width).clamp(1, MAX_ROWS_PER_INSERT)
}

/// A value of an imported row.
enum Cell {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
}

/// Inserts `rows` (each `width` values) into `head` in multi-row statements.
async fn insert_rows(
    conn: &mut SqliteConnection,
    head: &str,
    width: usize,
    rows: Vec<Vec<Cell>>,
) -> Result<()> {
    let per = rows_per_statement(width);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Cell>> = rows.by_ref().take(per).collect();
        let sql = values_sql(head, width, chunk.len());
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for row in chunk {
            debug_assert_eq!(row.len(), width);
            for value in row {
                q = match value {
                    Cell::Int(v) => q.bind(v),
                    Cell::OptInt(v) => q.bind(v),
                    Cell::Text(v) => q.bind(v),
                    Cell::OptText(v) => q.bind(v),
                };
            }
        }
        q.execute(&mut *conn)
            .await
            .map_err(|e| map_conflict(e, &[]))?;
    }
    Ok(())
}

/// When an imported tender last changed: its latest known instant.
fn import_updated_at(t: &TenderImport) -> DateTime<Utc> {
    t.transitions
        .iter()
        .map(|s| s.at)
        .chain(t.published_at)
        .fold(t.created_at, DateTime::max)
}

/// Imports `chunk`: the tenders in multi-row statements (their new ids are
/// consecutive under the write lock), then their versions, transitions,
/// questions and attachments, likewise.
async fn import_chunk(conn: &mut SqliteConnection, chunk: &[TenderImport]) -> Result<()> {
    const TENDER_WIDTH: usize = 16;
    let mut tender_rows = Vec::with_capacity(chunk.len());
    let mut contents = Vec::with_capacity(chunk.len());
    for t in chunk {
        let cols = Columns::of(&t.content)?;
        // A cancelled tender keeps the reason its 中止 step gave.
        let cancel_reason = if t.status == TenderStatus::Cancelled {
            t.transitions
                .iter()
                .rev()
                .find(|s| s.transition == Transition::Cancel)
                .and_then(|s| s.reason.clone())
        } else {
            None
        };
        contents.push(cols.content.clone());
        tender_rows.push(vec![
            Cell::Int(t.buyer),
            Cell::Text(t.status.code().to_owned()),
            Cell::Text(cols.kind.to_owned()),
            Cell::Text(cols.category.to_owned()),
            Cell::Text(cols.method.to_owned()),
            Cell::Text(cols.title.to_owned()),
            Cell::OptText(cols.prefecture.map(str::to_owned)),
            Cell::Int(cols.submission_closes_at),
            Cell::Text(cols.content),
            Cell::Int(1),
            Cell::OptInt(t.next_transition_at.map(to_us)),
            Cell::OptText(cancel_reason),
            Cell::Int(t.created_by),
            Cell::Int(to_us(t.created_at)),
            Cell::Int(to_us(import_updated_at(t))),
            Cell::OptInt(t.published_at.map(to_us)),
        ]);
    }
    let before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM tenders")
        .fetch_one(&mut *conn)
        .await?;
    insert_rows(
        conn,
        "INSERT INTO tenders (buyer_id, status, kind, category, method, title, prefecture,
             submission_closes_at, content, version, next_transition_at, cancel_reason,
             created_by, created_at, updated_at, published_at)",
        TENDER_WIDTH,
        tender_rows,
    )
    .await?;
    // Inserted in order under the write lock with AUTOINCREMENT, the new ids
    // follow the largest id there was: the tender at index `i` is `first + i`.
    let (n, min, max): (i64, Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MIN(id), MAX(id) FROM tenders WHERE id > ?1")
            .bind(before)
            .fetch_one(&mut *conn)
            .await?;
    let first = min.unwrap_or(before + 1);
    if n != chunk.len() as i64 || max != Some(first + n - 1) {
        return Err(StorageError::Corrupt {
            field: "tenders.id",
            message: "imported tenders did not get consecutive ids".into(),
        });
    }

    let mut versions = Vec::new();
    let mut transitions = Vec::new();
    let mut questions = Vec::new();
    let mut attachments = Vec::new();
    for (i, (t, content)) in chunk.iter().zip(contents).enumerate() {
        let id = first + i as i64;
        if let Some(published_at) = t.published_at {
            versions.push(vec![
                Cell::Int(id),
                Cell::Int(1),
                Cell::Text(content),
                Cell::OptInt(Some(t.created_by)),
                Cell::Int(to_us(published_at)),
            ]);
        }
        let mut status = TenderStatus::Draft;
        for (seq, step) in t.transitions.iter().enumerate() {
            let to = step_target(status, step.transition);
            transitions.push(vec![
                Cell::Int(id),
                Cell::Int(seq as i64 + 1),
                Cell::Text(step.transition.code().to_owned()),
                Cell::Text(status.code().to_owned()),
                Cell::Text(to.code().to_owned()),
                Cell::Int(to_us(step.at)),
                Cell::Int(to_us(step.at)),
                Cell::OptInt(step.actor),
                Cell::OptText(step.reason.clone()),
            ]);
            status = to;
        }
        // The import carries no answerer or answer time: the tender's creator
        // answered, recorded at the instant asked.
        for (asker, asker_org, question, answer, asked_at) in &t.questions {
            questions.push(vec![
                Cell::Int(id),
                Cell::Int(*asker),
                Cell::Int(*asker_org),
                Cell::Text(question.clone()),
                Cell::Int(to_us(*asked_at)),
                Cell::Text(answer.clone()),
                Cell::Int(t.created_by),
                Cell::Int(to_us(*asked_at)),
            ]);
        }
        // Uploaded by the creator while drafting; `replaces` names no row
        // of an import (ids do not exist yet) and is ignored.
        for a in &t.attachments {
            attachments.push(vec![
                Cell::Int(id),
                Cell::Text(a.title.clone()),
                Cell::Text(a.filename.clone()),
                Cell::Text(a.content_type.clone()),
                Cell::Int(a.size),
                Cell::Text(a.sha256.clone()),
                Cell::Int(t.created_by),
                Cell::Int(to_us(t.created_at)),
            ]);
        }
    }
    insert_rows(
        conn,
        "INSERT INTO tender_versions (tender_id, version, content, changed_by, changed_at)",
        5,
        versions,
    )
    .await?;
    insert_rows(
        conn,
        "INSERT INTO tender_transitions
             (tender_id, seq, transition, from_status, to_status, at, recorded_at, actor, reason)",
        9,
        transitions,
    )
    .await?;
    insert_rows(
        conn,
        "INSERT INTO tender_questions
             (tender_id, asked_by, asker_org, question, asked_at, answer, answered_by, answered_at)",
        8,
        questions,
    )
    .await?;
    insert_rows(
        conn,
        "INSERT INTO tender_attachments
             (tender_id, title, filename, content_type, size, sha256, uploaded_by, uploaded_at)",
        8,
        attachments,
    )
    .await?;
    Ok(())
}

/// Tenders per chunk of an import (all chunks share its one transaction).
const IMPORT_CHUNK: usize = 1000;

#[async_trait]
impl TenderStore for SqliteStore {
    async fn create_tender(
        &self,
        buyer: OrgId,
        creator: UserId,
        content: &TenderContent,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<TenderId> {
        let cols = Columns::of(content)?;
        let now_us = to_us(now);
        let mut tx = self.begin_write().await?;
        let id: TenderId = sqlx::query_scalar(
            "INSERT INTO tenders (buyer_id, status, kind, category, method, title, prefecture,
                 submission_closes_at, content, version, created_by, created_at, updated_at)
             VALUES (?1, 'draft', ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10, ?10)
             RETURNING id",
        )
        .bind(buyer)
        .bind(cols.kind)
        .bind(cols.category)
        .bind(cols.method)
        .bind(cols.title)
        .bind(cols.prefecture)
        .bind(cols.submission_closes_at)
        .bind(&cols.content)
        .bind(creator)
        .bind(now_us)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[]))?;
        insert_audit(&mut tx, &audit, Some(id), now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn tender(&self, id: TenderId) -> Result<Option<Tender>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            tender_cols!(),
            " FROM tenders t JOIN organizations o ON o.id = t.buyer_id WHERE t.id = ?1"
        ))
        .bind(id)
        .fetch_optional(&self.read)
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
        let cols = Columns::of(content)?;
        let mut tx = self.begin_write().await?;
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT status, updated_at FROM tenders WHERE id = ?1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let (status, updated_at) = row.ok_or(StorageError::NotFound)?;
        // A published draft also has a newer `updated_at`: say why first.
        if status_from("tenders.status", &status)? != TenderStatus::Draft {
            return Err(StorageError::Conflict("not_draft".into()));
        }
        if updated_at != to_us(expected_updated_at) {
            return Err(StorageError::Conflict("stale_version".into()));
        }
        sqlx::query(
            "UPDATE tenders SET kind = ?2, category = ?3, method = ?4, title = ?5,
                 prefecture = ?6, submission_closes_at = ?7, content = ?8, updated_at = ?9
             WHERE id = ?1 AND status = 'draft' AND updated_at = ?10",
        )
        .bind(id)
        .bind(cols.kind)
        .bind(cols.category)
        .bind(cols.method)
        .bind(cols.title)
        .bind(cols.prefecture)
        .bind(cols.submission_closes_at)
        .bind(&cols.content)
        .bind(to_us(now))
        .bind(updated_at)
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
        let mut tx = self.begin_write().await?;
        let (status, _) = current_status(&mut tx, id).await?;
        if status != TenderStatus::Draft {
            return Err(StorageError::Conflict("not_draft".into()));
        }
        let to =
            insert_transitions(&mut tx, id, status, std::slice::from_ref(transition), now).await?;
        sqlx::query(
            "UPDATE tenders SET status = ?2, next_transition_at = ?3, published_at = ?4,
                 updated_at = ?5
             WHERE id = ?1",
        )
        .bind(id)
        .bind(to.code())
        .bind(next_transition_at.map(to_us))
        .bind(to_us(transition.at))
        .bind(to_us(now))
        .execute(&mut *tx)
        .await?;
        // The content as published is version 1 of the history.
        sqlx::query(
            "INSERT INTO tender_versions (tender_id, version, content, reason, changed_by, changed_at)
             SELECT id, version, content, NULL, ?2, ?3 FROM tenders WHERE id = ?1",
        )
        .bind(id)
        .bind(transition.actor.or(audit.actor))
        .bind(to_us(transition.at))
        .execute(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[("tender_versions.", "stale_version")]))?;
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
        let cols = Columns::of(content)?;
        let now_us = to_us(now);
        let mut tx = self.begin_write().await?;
        let (status, version) = current_status(&mut tx, id).await?;
        if version != expected_version {
            return Err(StorageError::Conflict("stale_version".into()));
        }
        if status != expected_status {
            return Err(StorageError::Conflict("status_changed".into()));
        }
        let version = expected_version + 1;
        sqlx::query(
            "UPDATE tenders SET kind = ?2, category = ?3, method = ?4, title = ?5,
                 prefecture = ?6, submission_closes_at = ?7, content = ?8, version = ?9,
                 next_transition_at = ?10, updated_at = ?11
             WHERE id = ?1",
        )
        .bind(id)
        .bind(cols.kind)
        .bind(cols.category)
        .bind(cols.method)
        .bind(cols.title)
        .bind(cols.prefecture)
        .bind(cols.submission_closes_at)
        .bind(&cols.content)
        .bind(version)
        .bind(next_transition_at.map(to_us))
        .bind(now_us)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO tender_versions (tender_id, version, content, reason, changed_by, changed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(id)
        .bind(version)
        .bind(&cols.content)
        .bind(reason)
        .bind(actor)
        .bind(now_us)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[("tender_versions.", "stale_version")]))?;
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
        let mut tx = self.begin_write().await?;
        let (status, _) = current_status(&mut tx, id).await?;
        if status != expected_status {
            // Someone else moved it: the step happened once. Nothing is
            // written (the transaction rolls back on drop).
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
            "SELECT id FROM tenders
             WHERE next_transition_at IS NOT NULL AND next_transition_at <= ?1
             ORDER BY next_transition_at, id
             LIMIT ?2",
        )
        .bind(to_us(now))
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?)
    }

    async fn next_transition_at(&self) -> Result<Option<DateTime<Utc>>> {
        let next: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(next_transition_at) FROM tenders WHERE next_transition_at IS NOT NULL",
        )
        .fetch_one(&self.read)
        .await?;
        opt_from_us("tenders.next_transition_at", next)
    }

    async fn tender_versions(&self, id: TenderId) -> Result<Vec<TenderVersion>> {
        let rows = sqlx::query(
            "SELECT version, content, reason, changed_by, changed_at FROM tender_versions
             WHERE tender_id = ?1 ORDER BY version",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TenderVersion {
                    version: row.try_get("version")?,
                    content: content_from_text("tender_versions.content", row.try_get("content")?)?,
                    reason: row.try_get("reason")?,
                    changed_by: row.try_get("changed_by")?,
                    changed_at: from_us("tender_versions.changed_at", row.try_get("changed_at")?)?,
                })
            })
            .collect()
    }

    async fn tender_transitions(&self, id: TenderId) -> Result<Vec<TransitionRecord>> {
        let rows = sqlx::query(
            "SELECT seq, transition, from_status, to_status, at, recorded_at, actor, reason
             FROM tender_transitions WHERE tender_id = ?1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TransitionRecord {
                    seq: row.try_get("seq")?,
                    transition: parse_stored(
                        "tender_transitions.transition",
                        row.try_get("transition")?,
                    )?,
                    from: status_from(
                        "tender_transitions.from_status",
                        row.try_get("from_status")?,
                    )?,
                    to: status_from("tender_transitions.to_status", row.try_get("to_status")?)?,
                    at: from_us("tender_transitions.at", row.try_get("at")?)?,
                    recorded_at: from_us(
                        "tender_transitions.recorded_at",
                        row.try_get("recorded_at")?,
                    )?,
                    actor: row.try_get("actor")?,
                    reason: row.try_get("reason")?,
                })
            })
            .collect()
    }

    async fn public_tenders_after(&self, after: TenderId, limit: u32) -> Result<Vec<Tender>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            tender_cols!(),
            " FROM tenders t JOIN organizations o ON o.id = t.buyer_id
             WHERE t.id > ?1 AND t.status <> 'draft' ORDER BY t.id LIMIT ?2"
        ))
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(tender_from_row).collect()
    }

    async fn list_tenders(&self, query: &TenderQuery) -> Result<Page<TenderSummary>> {
        let mut filter = String::from(" WHERE t.published_at IS NOT NULL");
        let mut args = Vec::new();
        if let Some(kind) = query.kind {
            filter.push_str(" AND t.kind = ?");
            args.push(Arg::Text(kind.code()));
        }
        if let Some(category) = query.category {
            filter.push_str(" AND t.category = ?");
            args.push(Arg::Text(category.code()));
        }
        if !query.statuses.is_empty() {
            let mut codes: Vec<&'static str> = query.statuses.iter().map(|s| s.code()).collect();
            codes.sort_unstable();
            codes.dedup();
            filter.push_str(" AND t.status IN (");
            for (i, code) in codes.into_iter().enumerate() {
                filter.push_str(if i == 0 { "?" } else { ", ?" });
                args.push(Arg::Text(code));
            }
            filter.push(')');
        }
        if let Some(prefecture) = query.prefecture {
            filter.push_str(" AND t.prefecture = ?");
            args.push(Arg::Text(prefecture.code()));
        }
        if let Some(buyer) = query.buyer {
            filter.push_str(" AND t.buyer_id = ?");
            args.push(Arg::Int(buyer));
        }
        let count_sql = format!("SELECT COUNT(*) FROM tenders t{filter}");
        let page_sql = format!(
            concat!(
                "SELECT ",
                summary_cols!(),
                " FROM tenders t JOIN organizations o ON o.id = t.buyer_id{}",
                " ORDER BY t.published_at DESC, t.id DESC"
            ),
            filter
        );
        self.summary_page(
            count_sql,
            page_sql,
            &args,
            query.paging,
            !query.without_total,
        )
        .await
    }

    async fn buyer_tenders(&self, buyer: OrgId, paging: Paging) -> Result<Page<TenderSummary>> {
        self.summary_page(
            "SELECT COUNT(*) FROM tenders t WHERE t.buyer_id = ?".to_owned(),
            concat!(
                "SELECT ",
                summary_cols!(),
                " FROM tenders t JOIN organizations o ON o.id = t.buyer_id
                 WHERE t.buyer_id = ? ORDER BY t.updated_at DESC, t.id DESC"
            )
            .to_owned(),
            &[Arg::Int(buyer)],
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
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tender_questions (tender_id, asked_by, asker_org, question, asked_at)
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        )
        .bind(tender)
        .bind(asker)
        .bind(asker_org)
        .bind(question)
        .bind(to_us(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[]))?;
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
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE tender_questions SET answer = ?3, answered_by = ?4, answered_at = ?5
             WHERE id = ?1 AND tender_id = ?2",
        )
        .bind(question)
        .bind(tender)
        .bind(answer)
        .bind(actor)
        .bind(to_us(now))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StorageError::NotFound);
        }
        insert_events(&mut tx, tender, events, now).await?;
        insert_audit(&mut tx, &audit, Some(question), now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn questions(&self, tender: TenderId) -> Result<Vec<Question>> {
        let rows = sqlx::query("SELECT * FROM tender_questions WHERE tender_id = ?1 ORDER BY id")
            .bind(tender)
            .fetch_all(&self.read)
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
        let now_us = to_us(now);
        // A nomination is the buyer's decision, taken as it is recorded.
        let (status, decided_by, decided_at) = match origin {
            ApplicationOrigin::Application => (ApplicationStatus::Pending, None, None),
            ApplicationOrigin::Nomination => {
                (ApplicationStatus::Accepted, Some(actor), Some(now_us))
            }
        };
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tender_applications
                 (tender_id, supplier_id, origin, status, created_by, created_at, decided_by, decided_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
        )
        .bind(tender)
        .bind(supplier)
        .bind(origin.as_str())
        .bind(status.as_str())
        .bind(actor)
        .bind(now_us)
        .bind(decided_by)
        .bind(decided_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[("tender_applications.", "already_applied")]))?;
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
        let mut tx = self.begin_write().await?;
        let current: Option<String> = sqlx::query_scalar(
            "SELECT status FROM tender_applications WHERE id = ?1 AND tender_id = ?2",
        )
        .bind(application)
        .bind(tender)
        .fetch_optional(&mut *tx)
        .await?;
        let current = current.ok_or(StorageError::NotFound)?;
        if current != ApplicationStatus::Pending.as_str() {
            return Err(StorageError::Conflict("already_decided".into()));
        }
        sqlx::query(
            "UPDATE tender_applications SET status = ?2, decided_by = ?3, decided_at = ?4,
                 reason = ?5
             WHERE id = ?1 AND status = 'pending'",
        )
        .bind(application)
        .bind(status.as_str())
        .bind(actor)
        .bind(to_us(now))
        .bind(reason)
        .execute(&mut *tx)
        .await?;
        insert_events(&mut tx, tender, events, now).await?;
        insert_audit(&mut tx, &audit, Some(application), now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn applications(&self, tender: TenderId) -> Result<Vec<Application>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            application_cols!(),
            " FROM tender_applications a JOIN organizations o ON o.id = a.supplier_id
             WHERE a.tender_id = ?1 ORDER BY a.id"
        ))
        .bind(tender)
        .fetch_all(&self.read)
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
            application_cols!(),
            " FROM tender_applications a JOIN organizations o ON o.id = a.supplier_id
             WHERE a.tender_id = ?1 AND a.supplier_id = ?2"
        ))
        .bind(tender)
        .bind(supplier)
        .fetch_optional(&self.read)
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
        let mut tx = self.begin_write().await?;
        if let Some(old) = attachment.replaces {
            let current: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM tender_attachments
                 WHERE id = ?1 AND tender_id = ?2 AND superseded_by IS NULL",
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
            "INSERT INTO tender_attachments (tender_id, title, filename, content_type, size,
                 sha256, replaces, uploaded_by, uploaded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
        )
        .bind(tender)
        .bind(&attachment.title)
        .bind(&attachment.filename)
        .bind(&attachment.content_type)
        .bind(attachment.size)
        .bind(&attachment.sha256)
        .bind(attachment.replaces)
        .bind(actor)
        .bind(to_us(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[]))?;
        if let Some(old) = attachment.replaces {
            sqlx::query("UPDATE tender_attachments SET superseded_by = ?2 WHERE id = ?1")
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
        let rows = sqlx::query("SELECT * FROM tender_attachments WHERE tender_id = ?1 ORDER BY id")
            .bind(tender)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(attachment_from_row).collect()
    }

    async fn attachment(&self, tender: TenderId, id: i64) -> Result<Option<Attachment>> {
        let row = sqlx::query("SELECT * FROM tender_attachments WHERE id = ?1 AND tender_id = ?2")
            .bind(id)
            .bind(tender)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(attachment_from_row).transpose()
    }

    async fn add_tender_favourite(
        &self,
        user: UserId,
        tender: TenderId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO tender_favourites (user_id, tender_id, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (user_id, tender_id) DO NOTHING",
        )
        .bind(user)
        .bind(tender)
        .bind(to_us(now))
        .execute(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[]))?;
        tx.commit().await?;
        Ok(())
    }

    async fn remove_tender_favourite(&self, user: UserId, tender: TenderId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM tender_favourites WHERE user_id = ?1 AND tender_id = ?2")
            .bind(user)
            .bind(tender)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn is_tender_favourite(&self, user: UserId, tender: TenderId) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM tender_favourites WHERE user_id = ?1 AND tender_id = ?2",
        )
        .bind(user)
        .bind(tender)
        .fetch_optional(&self.read)
        .await?;
        Ok(found.is_some())
    }

    async fn my_tenders(
        &self,
        user: UserId,
        org: Option<OrgId>,
        paging: Paging,
    ) -> Result<Page<TenderSummary>> {
        // UNION: a tender found several ways is listed once. Without an
        // organisation, `= NULL` matches nothing.
        const MINE: &str = "WITH mine (id) AS (
                 SELECT tender_id FROM tender_favourites WHERE user_id = ?
                 UNION SELECT tender_id FROM tender_applications WHERE supplier_id = ?
                 UNION SELECT tender_id FROM tender_questions WHERE asker_org = ?) ";
        let org = org.unwrap_or(-1);
        self.summary_page(
            format!(
                "{MINE}SELECT COUNT(*) FROM mine JOIN tenders t ON t.id = mine.id
                 WHERE t.status <> 'draft'"
            ),
            format!(
                concat!(
                    "{}SELECT ",
                    summary_cols!(),
                    " FROM mine JOIN tenders t ON t.id = mine.id
                     JOIN organizations o ON o.id = t.buyer_id
                     WHERE t.status <> 'draft'
                     ORDER BY t.updated_at DESC, t.id DESC"
                ),
                MINE
            ),
            &[Arg::Int(user), Arg::Int(org), Arg::Int(org)],
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
        let (offset, limit) = page_bounds(paging.offset, paging.limit);
        let mut tx = self.read.begin().await?;
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM notification_events WHERE user_id = ?1")
                .bind(user)
                .fetch_one(&mut *tx)
                .await?;
        let rows = sqlx::query(
            "SELECT * FROM notification_events WHERE user_id = ?1
             ORDER BY id DESC LIMIT ?2 OFFSET ?3",
        )
        .bind(user)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Page {
            items: rows.iter().map(event_from_row).collect::<Result<_>>()?,
            total: count("notification_events", total)?,
        })
    }

    async fn import_tenders(&self, tenders: &[TenderImport]) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        for chunk in tenders.chunks(IMPORT_CHUNK) {
            import_chunk(&mut tx, chunk).await?;
        }
        tx.commit().await?;
        Ok(tenders.len() as u64)
    }
}
