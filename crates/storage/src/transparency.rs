//! The transparency log's storage (RFC 9162 Merkle tree of bidding events).
//!
//! The store appends an entry **itself**, in the transaction of the event it
//! records, so no event can commit without its entry nor an entry without
//! its event, and the log's order is the order the events committed in:
//!
//! | write                                    | entry                      |
//! |------------------------------------------|----------------------------|
//! | `publish_tender`                         | `tender.published`         |
//! | `amend_tender`                           | `tender.amended`           |
//! | `transition_tender` with a cancellation  | `tender.cancelled`         |
//! | `insert_bid`                             | `bid.received`             |
//! | `withdraw_bid`                           | `bid.withdrawn`            |
//! | `record_opening_of`                      | `opening`                  |
//! | `record_award`                           | `award`                    |
//!
//! (Imported tenders — demo data, bulk imports — are not bidding events and
//! are not logged.) An append reads the tree's size and frontier from the one
//! `transparency_head` row (locked on PostgreSQL), stores the entry, its leaf
//! hash and every complete subtree the leaf completes, and writes the head
//! back: O(log n) per leaf, and a proof reads O(log n) stored nodes.
//!
//! Signing tree heads is the app's (the key is outside the database); the
//! store keeps the signed heads.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musubi_domain::transparency::entry::LogEntry;
use musubi_domain::transparency::{Frontier, Hash, NodeId, leaf_hash};

use crate::Result;

/// One stored leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLogEntry {
    pub index: u64,
    /// The entry's `"type"`.
    pub kind: String,
    /// The exact bytes the leaf hash covers (UTF-8 JSON).
    pub entry: String,
    pub leaf_hash: Hash,
    pub appended_at: DateTime<Utc>,
}

/// A signed tree head as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTreeHead {
    pub tree_size: u64,
    pub root_hash: Hash,
    /// The signed timestamp (milliseconds are what the signature covers).
    pub signed_at: DateTime<Utc>,
    pub key_id: String,
    pub signature: Vec<u8>,
}

/// The most entries one read returns.
pub const MAX_LOG_ENTRIES_PER_READ: u64 = 1000;

#[async_trait]
pub trait TransparencyStore: Send + Sync {
    /// Appends entries that have no event of their own in the store (the
    /// events above append theirs in their own transactions). Returns the
    /// index of the first.
    async fn append_log_entries(&self, entries: &[LogEntry], now: DateTime<Utc>) -> Result<u64>;

    /// The tree's size and root hash now.
    async fn log_state(&self) -> Result<(u64, Hash)>;

    /// Entries `start..end` (at most [`MAX_LOG_ENTRIES_PER_READ`]), in order.
    async fn log_entries(&self, start: u64, end: u64) -> Result<Vec<StoredLogEntry>>;

    /// The index of the first leaf with this hash.
    async fn log_index_of(&self, leaf_hash: &Hash) -> Result<Option<u64>>;

    /// The stored hashes of these complete subtrees (missing ones are left
    /// out), in one query.
    async fn log_nodes(&self, nodes: &[NodeId]) -> Result<Vec<(NodeId, Hash)>>;

    /// Stores a signed head; `false` if one of that size is stored already.
    async fn insert_tree_head(&self, head: &StoredTreeHead) -> Result<bool>;

    /// The signed head of the largest size.
    async fn latest_tree_head(&self) -> Result<Option<StoredTreeHead>>;

    /// The signed head of exactly this size.
    async fn tree_head(&self, tree_size: u64) -> Result<Option<StoredTreeHead>>;

    /// The smallest signed head that holds leaf `index` (the first signed
    /// after it was appended).
    async fn tree_head_covering(&self, index: u64) -> Result<Option<StoredTreeHead>>;
}

/// The rows one append writes, computed before any is written.
pub(crate) struct AppendRows {
    /// Index, kind, bytes and leaf hash of each entry.
    pub entries: Vec<(i64, &'static str, String, Hash)>,
    /// Every complete subtree above the leaves the entries complete.
    pub nodes: Vec<(i16, i64, Hash)>,
}

/// Pushes `entries` onto `frontier` and returns the rows to store.
pub(crate) fn append_rows(frontier: &mut Frontier, entries: &[LogEntry]) -> Result<AppendRows> {
    let mut rows = AppendRows {
        entries: Vec::with_capacity(entries.len()),
        nodes: Vec::with_capacity(entries.len() * 2),
    };
    for entry in entries {
        let bytes = entry.to_bytes();
        let leaf = leaf_hash(&bytes);
        let index = to_i64("transparency_entries.idx", frontier.size())?;
        rows.entries.push((
            index,
            entry.kind(),
            String::from_utf8(bytes).expect("entries are JSON"),
            leaf,
        ));
        // Level 0 is the entry's own leaf hash: not stored twice.
        for (node, hash) in frontier.push(leaf).into_iter().filter(|(n, _)| n.level > 0) {
            rows.nodes.push((
                i16::from(node.level),
                to_i64("transparency_nodes.idx", node.index)?,
                hash,
            ));
        }
    }
    Ok(rows)
}

/// The head row's frontier.
pub(crate) fn frontier_of(size: i64, peaks: &[u8]) -> Result<Frontier> {
    Frontier::from_bytes(to_u64("transparency_head.size", size)?, peaks).map_err(|e| {
        crate::StorageError::Corrupt {
            field: "transparency_head.peaks",
            message: e.to_string(),
        }
    })
}

/// `i64` columns hold the log's `u64` indexes and sizes.
pub(crate) fn to_i64(field: &'static str, n: u64) -> Result<i64> {
    i64::try_from(n).map_err(|_| crate::StorageError::Corrupt {
        field,
        message: format!("{n} is out of range"),
    })
}

pub(crate) fn to_u64(field: &'static str, n: i64) -> Result<u64> {
    u64::try_from(n).map_err(|_| crate::StorageError::Corrupt {
        field,
        message: format!("{n} is negative"),
    })
}

pub(crate) fn hash_from(field: &'static str, bytes: &[u8]) -> Result<Hash> {
    let arr: [u8; 32] = bytes.try_into().map_err(|_| crate::StorageError::Corrupt {
        field,
        message: format!("{} bytes, not 32", bytes.len()),
    })?;
    Ok(Hash::from_bytes(arr))
}
