//! The transparency log on SQLite (see [`crate::transparency`]). The single
//! writer connection orders appends; no lock is needed beyond the write
//! transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musubi_domain::transparency::entry::{LogEntry, TenderEvent, public_content_sha256, timestamp};
use musubi_domain::transparency::{Hash, NodeId};
use sqlx::{Row, SqliteConnection};

use super::{SqliteStore, from_us, to_us};
use crate::transparency::{
    MAX_LOG_ENTRIES_PER_READ, StoredLogEntry, StoredTreeHead, TransparencyStore, append_rows,
    frontier_of, hash_from, to_i64, to_u64,
};
use crate::{Result, StorageError, TenderId};

/// Appends `entries` in the caller's write transaction; the index of the
/// first.
pub(super) async fn append_log(
    conn: &mut SqliteConnection,
    entries: &[LogEntry],
    now: DateTime<Utc>,
) -> Result<u64> {
    let (size, peaks): (i64, Vec<u8>) =
        sqlx::query_as("SELECT size, peaks FROM transparency_head WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
    let mut frontier = frontier_of(size, &peaks)?;
    let first = frontier.size();
    let rows = append_rows(&mut frontier, entries)?;
    let at = to_us(now);
    // Many rows per statement: one statement per row would cost more in
    // round trips to SQLite's thread than in SQLite itself.
    for chunk in rows.entries.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO transparency_entries (idx, kind, entry, leaf_hash, appended_at) VALUES {}",
            vec!["(?, ?, ?, ?, ?)"; chunk.len()].join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (index, kind, entry, leaf) in chunk {
            q = q
                .bind(*index)
                .bind(*kind)
                .bind(entry.as_str())
                .bind(leaf.as_bytes().as_slice())
                .bind(at);
        }
        q.execute(&mut *conn).await?;
    }
    for chunk in rows.nodes.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO transparency_nodes (level, idx, hash) VALUES {}",
            vec!["(?, ?, ?)"; chunk.len()].join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (level, index, hash) in chunk {
            q = q.bind(*level).bind(*index).bind(hash.as_bytes().as_slice());
        }
        q.execute(&mut *conn).await?;
    }
    sqlx::query("UPDATE transparency_head SET size = ?1, peaks = ?2 WHERE id = 1")
        .bind(to_i64("transparency_head.size", frontier.size())?)
        .bind(frontier.to_bytes())
        .execute(&mut *conn)
        .await?;
    Ok(first)
}

/// Rows per multi-row `INSERT` (5 parameters each: well under SQLite's
/// limit of 32,766).
const ROWS_PER_STATEMENT: usize = 500;

/// Logs the bids of a group commit that were stored (`Ok` in `results`),
/// in their order, with one append at the end of the batch.
pub(super) async fn log_received<T>(
    conn: &mut SqliteConnection,
    items: &[T],
    results: &[Result<crate::BidId>],
    bid: impl Fn(&T) -> &crate::NewBid,
) -> Result<()> {
    let stored: Vec<&crate::NewBid> = items
        .iter()
        .zip(results)
        .filter(|(_, r)| r.is_ok())
        .map(|(item, _)| bid(item))
        .collect();
    let Some(last) = stored.iter().map(|b| b.received_at).max() else {
        return Ok(());
    };
    let entries: Vec<LogEntry> = stored
        .iter()
        .map(|b| LogEntry::BidReceived {
            commitment: b.commitment.clone(),
        })
        .collect();
    append_log(conn, &entries, last).await?;
    Ok(())
}

/// Logs a tender's publication, amendment or cancellation with the content
/// version it now has.
pub(super) async fn log_tender_event(
    conn: &mut SqliteConnection,
    tender: TenderId,
    make: fn(TenderEvent) -> LogEntry,
    now: DateTime<Utc>,
) -> Result<()> {
    let (version, content): (i64, String) =
        sqlx::query_as("SELECT version, content FROM tenders WHERE id = ?1")
            .bind(tender)
            .fetch_one(&mut *conn)
            .await?;
    let content = serde_json::from_str(&content).map_err(|e| StorageError::Corrupt {
        field: "tenders.content",
        message: e.to_string(),
    })?;
    let event = TenderEvent {
        tender_id: tender,
        version,
        content_sha256: public_content_sha256(&content),
        at: timestamp(now),
    };
    append_log(conn, &[make(event)], now).await?;
    Ok(())
}

fn entry_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<StoredLogEntry> {
    Ok(StoredLogEntry {
        index: to_u64("transparency_entries.idx", row.try_get("idx")?)?,
        kind: row.try_get("kind")?,
        entry: row.try_get("entry")?,
        leaf_hash: hash_from("transparency_entries.leaf_hash", row.try_get("leaf_hash")?)?,
        appended_at: from_us(
            "transparency_entries.appended_at",
            row.try_get("appended_at")?,
        )?,
    })
}

fn head_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<StoredTreeHead> {
    Ok(StoredTreeHead {
        tree_size: to_u64(
            "transparency_tree_heads.tree_size",
            row.try_get("tree_size")?,
        )?,
        root_hash: hash_from(
            "transparency_tree_heads.root_hash",
            row.try_get("root_hash")?,
        )?,
        signed_at: from_us(
            "transparency_tree_heads.signed_at",
            row.try_get("signed_at")?,
        )?,
        key_id: row.try_get("key_id")?,
        signature: row.try_get("signature")?,
    })
}

#[async_trait]
impl TransparencyStore for SqliteStore {
    async fn append_log_entries(&self, entries: &[LogEntry], now: DateTime<Utc>) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let first = append_log(&mut tx, entries, now).await?;
        tx.commit().await?;
        Ok(first)
    }

    async fn log_state(&self) -> Result<(u64, Hash)> {
        let (size, peaks): (i64, Vec<u8>) =
            sqlx::query_as("SELECT size, peaks FROM transparency_head WHERE id = 1")
                .fetch_one(&self.read)
                .await?;
        let frontier = frontier_of(size, &peaks)?;
        Ok((frontier.size(), frontier.root()))
    }

    async fn log_entries(&self, start: u64, end: u64) -> Result<Vec<StoredLogEntry>> {
        let end = end.min(start.saturating_add(MAX_LOG_ENTRIES_PER_READ));
        let rows = sqlx::query(
            "SELECT idx, kind, entry, leaf_hash, appended_at FROM transparency_entries
             WHERE idx >= ?1 AND idx < ?2 ORDER BY idx",
        )
        .bind(to_i64("start", start)?)
        .bind(to_i64("end", end)?)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(entry_from_row).collect()
    }

    async fn log_index_of(&self, leaf_hash: &Hash) -> Result<Option<u64>> {
        let idx: Option<i64> =
            sqlx::query_scalar("SELECT min(idx) FROM transparency_entries WHERE leaf_hash = ?1")
                .bind(leaf_hash.as_bytes().as_slice())
                .fetch_one(&self.read)
                .await?;
        idx.map(|i| to_u64("transparency_entries.idx", i))
            .transpose()
    }

    async fn log_nodes(&self, nodes: &[NodeId]) -> Result<Vec<(NodeId, Hash)>> {
        if nodes.is_empty() {
            return Ok(Vec::new());
        }
        // One statement: leaves from the entries, the rest from the nodes.
        let (leaves, inner): (Vec<&NodeId>, Vec<&NodeId>) =
            nodes.iter().partition(|n| n.level == 0);
        let mut parts = Vec::new();
        if !inner.is_empty() {
            parts.push(format!(
                "SELECT level, idx, hash FROM transparency_nodes WHERE (level, idx) IN (VALUES {})",
                vec!["(?, ?)"; inner.len()].join(", ")
            ));
        }
        if !leaves.is_empty() {
            parts.push(format!(
                "SELECT 0 AS level, idx, leaf_hash AS hash FROM transparency_entries WHERE idx IN ({})",
                vec!["?"; leaves.len()].join(", ")
            ));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(parts.join(" UNION ALL ")));
        for n in &inner {
            q = q
                .bind(i64::from(n.level))
                .bind(to_i64("transparency_nodes.idx", n.index)?);
        }
        for n in &leaves {
            q = q.bind(to_i64("transparency_entries.idx", n.index)?);
        }
        let rows = q.fetch_all(&self.read).await?;
        rows.iter()
            .map(|row| {
                let level: i64 = row.try_get("level")?;
                Ok((
                    NodeId {
                        level: u8::try_from(level).map_err(|_| StorageError::Corrupt {
                            field: "transparency_nodes.level",
                            message: format!("{level}"),
                        })?,
                        index: to_u64("transparency_nodes.idx", row.try_get("idx")?)?,
                    },
                    hash_from("transparency_nodes.hash", row.try_get("hash")?)?,
                ))
            })
            .collect()
    }

    async fn insert_tree_head(&self, head: &StoredTreeHead) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO transparency_tree_heads (tree_size, root_hash, signed_at, key_id, signature)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (tree_size) DO NOTHING",
        )
        .bind(to_i64("tree_size", head.tree_size)?)
        .bind(head.root_hash.as_bytes().as_slice())
        .bind(to_us(head.signed_at))
        .bind(&head.key_id)
        .bind(&head.signature)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn latest_tree_head(&self) -> Result<Option<StoredTreeHead>> {
        let row =
            sqlx::query("SELECT * FROM transparency_tree_heads ORDER BY tree_size DESC LIMIT 1")
                .fetch_optional(&self.read)
                .await?;
        row.as_ref().map(head_from_row).transpose()
    }

    async fn tree_head(&self, tree_size: u64) -> Result<Option<StoredTreeHead>> {
        let row = sqlx::query("SELECT * FROM transparency_tree_heads WHERE tree_size = ?1")
            .bind(to_i64("tree_size", tree_size)?)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(head_from_row).transpose()
    }

    async fn tree_head_covering(&self, index: u64) -> Result<Option<StoredTreeHead>> {
        let row = sqlx::query(
            "SELECT * FROM transparency_tree_heads WHERE tree_size > ?1
             ORDER BY tree_size LIMIT 1",
        )
        .bind(to_i64("index", index)?)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(head_from_row).transpose()
    }
}
