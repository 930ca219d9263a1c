//! The transparency log on PostgreSQL (see [`crate::transparency`]). Appends
//! lock the one `transparency_head` row until their commit; every writer
//! takes it last, after its tender rows, so writers never wait on each other
//! in a cycle.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musubi_domain::transparency::entry::{LogEntry, TenderEvent, public_content_sha256, timestamp};
use musubi_domain::transparency::{Hash, NodeId};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use super::PgStore;
use crate::transparency::{
    MAX_LOG_ENTRIES_PER_READ, StoredLogEntry, StoredTreeHead, TransparencyStore, append_rows,
    frontier_of, hash_from, to_i64, to_u64,
};
use crate::{Result, StorageError, TenderId};

/// Appends `entries` in the caller's write transaction; the index of the
/// first.
pub(super) async fn append_log(
    conn: &mut PgConnection,
    entries: &[LogEntry],
    now: DateTime<Utc>,
) -> Result<u64> {
    let (size, peaks): (i64, Vec<u8>) =
        sqlx::query_as("SELECT size, peaks FROM transparency_head WHERE id = 1 FOR UPDATE")
            .fetch_one(&mut *conn)
            .await?;
    let mut frontier = frontier_of(size, &peaks)?;
    let first = frontier.size();
    let rows = append_rows(&mut frontier, entries)?;
    // One statement per table, whatever the number of rows.
    let indexes: Vec<i64> = rows.entries.iter().map(|e| e.0).collect();
    let kinds: Vec<&str> = rows.entries.iter().map(|e| e.1).collect();
    let texts: Vec<&str> = rows.entries.iter().map(|e| e.2.as_str()).collect();
    let leaves: Vec<&[u8]> = rows
        .entries
        .iter()
        .map(|e| e.3.as_bytes().as_slice())
        .collect();
    sqlx::query(
        "INSERT INTO transparency_entries (idx, kind, entry, leaf_hash, appended_at)
         SELECT i, k, e, l, $5 FROM unnest($1::int8[], $2::text[], $3::text[], $4::bytea[]) AS r (i, k, e, l)",
    )
    .bind(&indexes)
    .bind(&kinds)
    .bind(&texts)
    .bind(&leaves)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let levels: Vec<i16> = rows.nodes.iter().map(|n| n.0).collect();
    let node_indexes: Vec<i64> = rows.nodes.iter().map(|n| n.1).collect();
    let hashes: Vec<&[u8]> = rows
        .nodes
        .iter()
        .map(|n| n.2.as_bytes().as_slice())
        .collect();
    sqlx::query(
        "INSERT INTO transparency_nodes (level, idx, hash)
         SELECT * FROM unnest($1::int2[], $2::int8[], $3::bytea[])",
    )
    .bind(&levels)
    .bind(&node_indexes)
    .bind(&hashes)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE transparency_head SET size = $1, peaks = $2 WHERE id = 1")
        .bind(to_i64("transparency_head.size", frontier.size())?)
        .bind(frontier.to_bytes())
        .execute(&mut *conn)
        .await?;
    Ok(first)
}

/// Logs the bids of a group commit that were stored (`Ok` in `results`),
/// in their order, with one append at the end of the batch.
pub(super) async fn log_received<T>(
    conn: &mut PgConnection,
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
    conn: &mut PgConnection,
    tender: TenderId,
    make: fn(TenderEvent) -> LogEntry,
    now: DateTime<Utc>,
) -> Result<()> {
    let (version, content): (i64, sqlx::types::Json<serde_json::Value>) =
        sqlx::query_as("SELECT version, content FROM tenders WHERE id = $1")
            .bind(tender)
            .fetch_one(&mut *conn)
            .await?;
    let content = serde_json::from_value(content.0).map_err(|e| StorageError::Corrupt {
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

fn entry_from_row(row: &PgRow) -> Result<StoredLogEntry> {
    Ok(StoredLogEntry {
        index: to_u64("transparency_entries.idx", row.try_get("idx")?)?,
        kind: row.try_get("kind")?,
        entry: row.try_get("entry")?,
        leaf_hash: hash_from("transparency_entries.leaf_hash", row.try_get("leaf_hash")?)?,
        appended_at: row.try_get("appended_at")?,
    })
}

fn head_from_row(row: &PgRow) -> Result<StoredTreeHead> {
    Ok(StoredTreeHead {
        tree_size: to_u64(
            "transparency_tree_heads.tree_size",
            row.try_get("tree_size")?,
        )?,
        root_hash: hash_from(
            "transparency_tree_heads.root_hash",
            row.try_get("root_hash")?,
        )?,
        signed_at: row.try_get("signed_at")?,
        key_id: row.try_get("key_id")?,
        signature: row.try_get("signature")?,
    })
}

#[async_trait]
impl TransparencyStore for PgStore {
    async fn append_log_entries(&self, entries: &[LogEntry], now: DateTime<Utc>) -> Result<u64> {
        let mut tx = self.pool().begin().await?;
        let first = append_log(&mut tx, entries, now).await?;
        tx.commit().await?;
        Ok(first)
    }

    async fn log_state(&self) -> Result<(u64, Hash)> {
        let (size, peaks): (i64, Vec<u8>) =
            sqlx::query_as("SELECT size, peaks FROM transparency_head WHERE id = 1")
                .fetch_one(self.pool())
                .await?;
        let frontier = frontier_of(size, &peaks)?;
        Ok((frontier.size(), frontier.root()))
    }

    async fn log_entries(&self, start: u64, end: u64) -> Result<Vec<StoredLogEntry>> {
        let end = end.min(start.saturating_add(MAX_LOG_ENTRIES_PER_READ));
        let rows = sqlx::query(
            "SELECT idx, kind, entry, leaf_hash, appended_at FROM transparency_entries
             WHERE idx >= $1 AND idx < $2 ORDER BY idx",
        )
        .bind(to_i64("start", start)?)
        .bind(to_i64("end", end)?)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(entry_from_row).collect()
    }

    async fn log_index_of(&self, leaf_hash: &Hash) -> Result<Option<u64>> {
        let idx: Option<i64> =
            sqlx::query_scalar("SELECT min(idx) FROM transparency_entries WHERE leaf_hash = $1")
                .bind(leaf_hash.as_bytes().as_slice())
                .fetch_one(self.pool())
                .await?;
        idx.map(|i| to_u64("transparency_entries.idx", i))
            .transpose()
    }

    async fn log_nodes(&self, nodes: &[NodeId]) -> Result<Vec<(NodeId, Hash)>> {
        if nodes.is_empty() {
            return Ok(Vec::new());
        }
        // Leaves from the entries, the rest from the nodes.
        let (leaves, inner): (Vec<&NodeId>, Vec<&NodeId>) =
            nodes.iter().partition(|n| n.level == 0);
        let levels: Vec<i16> = inner.iter().map(|n| i16::from(n.level)).collect();
        let indexes = inner
            .iter()
            .map(|n| to_i64("transparency_nodes.idx", n.index))
            .collect::<Result<Vec<i64>>>()?;
        let leaf_indexes = leaves
            .iter()
            .map(|n| to_i64("transparency_entries.idx", n.index))
            .collect::<Result<Vec<i64>>>()?;
        let q = sqlx::query(
            "SELECT n.level, n.idx, n.hash FROM transparency_nodes n
             JOIN unnest($1::int2[], $2::int8[]) AS want (level, idx)
               ON n.level = want.level AND n.idx = want.idx
             UNION ALL
             SELECT 0::int2, e.idx, e.leaf_hash FROM transparency_entries e
             WHERE e.idx = ANY($3::int8[])",
        )
        .bind(&levels)
        .bind(&indexes)
        .bind(&leaf_indexes);
        let rows = q.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                let level: i16 = row.try_get("level")?;
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
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tree_size) DO NOTHING",
        )
        .bind(to_i64("tree_size", head.tree_size)?)
        .bind(head.root_hash.as_bytes().as_slice())
        .bind(head.signed_at)
        .bind(&head.key_id)
        .bind(&head.signature)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn latest_tree_head(&self) -> Result<Option<StoredTreeHead>> {
        let row =
            sqlx::query("SELECT * FROM transparency_tree_heads ORDER BY tree_size DESC LIMIT 1")
                .fetch_optional(self.pool())
                .await?;
        row.as_ref().map(head_from_row).transpose()
    }

    async fn tree_head(&self, tree_size: u64) -> Result<Option<StoredTreeHead>> {
        let row = sqlx::query("SELECT * FROM transparency_tree_heads WHERE tree_size = $1")
            .bind(to_i64("tree_size", tree_size)?)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(head_from_row).transpose()
    }

    async fn tree_head_covering(&self, index: u64) -> Result<Option<StoredTreeHead>> {
        let row = sqlx::query(
            "SELECT * FROM transparency_tree_heads WHERE tree_size > $1
             ORDER BY tree_size LIMIT 1",
        )
        .bind(to_i64("index", index)?)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(head_from_row).transpose()
    }
}
