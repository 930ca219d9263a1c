//! The transparency log's use cases (issue 7): signed tree heads, proofs,
//! entries, and the part of a bid's receipt that proves it was logged.
//!
//! The store appends every bidding event to the log in the event's own
//! transaction (see `musubi_storage::transparency`). Here the log is signed
//! and read:
//!
//! - **Tree heads** are signed with the log's Ed25519 key
//!   (`<data-dir>/keys/transparency-signing.key`, published at
//!   `/api/v1/transparency/public-key`): by the scheduler at a regular
//!   interval ([`TREE_HEAD_INTERVAL`]) and on demand — whenever a reader or
//!   a receipt asks for the latest head while the log has grown since. At most
//!   one head is stored per tree size.
//! - **Proofs** (RFC 9162 §2.1.3, §2.1.4) are assembled from the O(log n)
//!   stored subtree hashes a plan names, in one query.
//! - **Receipts** carry [`ReceiptProof`]: the log index of their
//!   `bid.received` entry, its inclusion proof and the signed head it is
//!   proven against.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, SecondsFormat, Utc};
use musubi_domain::transparency::entry::LogEntry;
use musubi_domain::transparency::{
    Hash, NodeId, ProofPlan, TreeHead, consistency_proof_plan, inclusion_proof_plan, leaf_hash,
};
use musubi_storage::{MAX_LOG_ENTRIES_PER_READ, StoredLogEntry, StoredTreeHead};
use serde::{Deserialize, Serialize};

use crate::sealing::signing::{key_id_of, verify};
use crate::{ServiceError, ServiceResult, Services};

/// The log's signing key file in `<data-dir>/keys/`.
pub const TRANSPARENCY_SIGNING_KEY_FILE: &str = "transparency-signing.key";

/// Heads signed for receipts, by tree size (see [`Services::receipt_head`]).
pub(crate) type RecentHeads = std::collections::BTreeMap<u64, SignedTreeHead>;

/// Receipt heads kept in memory (the oldest go first).
const RECEIPT_HEADS_KEPT: usize = 4096;

/// How often the scheduler signs a new head when the log has grown.
pub const TREE_HEAD_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// A signed tree head as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedTreeHead {
    pub tree_size: u64,
    /// RFC 3339, UTC, milliseconds (what the signature covers).
    pub timestamp: String,
    pub root_hash: Hash,
    /// The log key's id (16 hex digits).
    pub key_id: String,
    /// Standard base64 of the Ed25519 signature of
    /// `TreeHead::signed_bytes` (see `musubi_domain::transparency::tree_head`).
    pub signature: String,
}

impl SignedTreeHead {
    fn of(stored: &StoredTreeHead) -> SignedTreeHead {
        SignedTreeHead {
            tree_size: stored.tree_size,
            timestamp: stored
                .signed_at
                .to_rfc3339_opts(SecondsFormat::Millis, true),
            root_hash: stored.root_hash,
            key_id: stored.key_id.clone(),
            signature: STANDARD.encode(&stored.signature),
        }
    }

    /// The head as signed.
    pub fn tree_head(&self) -> Result<TreeHead, String> {
        let at = DateTime::parse_from_rfc3339(&self.timestamp)
            .map_err(|e| format!("timestamp {:?}: {e}", self.timestamp))?
            .with_timezone(&Utc);
        TreeHead::new(self.tree_size, at, self.root_hash).map_err(|e| e.to_string())
    }

    /// Checks the signature with the log's public key (32 bytes).
    pub fn verify(&self, public_key: &[u8]) -> Result<(), String> {
        if key_id_of(public_key) != self.key_id {
            return Err(format!(
                "signed by key {}, not by the log key {}",
                self.key_id,
                key_id_of(public_key)
            ));
        }
        let signature = STANDARD
            .decode(&self.signature)
            .map_err(|e| format!("signature is not base64: {e}"))?;
        let head = self.tree_head()?;
        if verify(public_key, &head.signed_bytes(), &signature) {
            Ok(())
        } else {
            Err("the signature does not match the tree head".into())
        }
    }
}

/// An inclusion proof (RFC 9162 §2.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    pub leaf_index: u64,
    pub tree_size: u64,
    pub leaf_hash: Hash,
    pub audit_path: Vec<Hash>,
}

/// A consistency proof (RFC 9162 §2.1.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProof {
    pub first: u64,
    pub second: u64,
    pub proof: Vec<Hash>,
}

/// One log entry as served: `entry` holds the exact bytes the leaf hash
/// covers (`SHA-256(0x00 ‖ UTF-8 bytes of entry)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntryView {
    pub index: u64,
    pub kind: String,
    pub leaf_hash: Hash,
    pub entry: String,
    pub appended_at: DateTime<Utc>,
}

impl LogEntryView {
    fn of(e: StoredLogEntry) -> LogEntryView {
        LogEntryView {
            index: e.index,
            kind: e.kind,
            leaf_hash: e.leaf_hash,
            entry: e.entry,
            appended_at: e.appended_at,
        }
    }
}

/// What a bid's receipt carries about the log: proof that its
/// `bid.received` entry (its commitment) is in the log the signed head
/// commits to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptProof {
    pub log_index: u64,
    pub leaf_hash: Hash,
    pub inclusion_proof: Vec<Hash>,
    pub tree_head: SignedTreeHead,
    /// The log's public key (standard base64), for checking offline; compare
    /// it with the one the server publishes.
    pub log_public_key: String,
}

/// The leaf hash of a commitment's `bid.received` entry.
pub fn received_leaf_hash(commitment: &str) -> Hash {
    leaf_hash(
        &LogEntry::BidReceived {
            commitment: commitment.to_owned(),
        }
        .to_bytes(),
    )
}

fn bad_size(ja: &str, en: &str) -> ServiceError {
    ServiceError::refused(400, "invalid_tree_size", ja.to_owned(), en.to_owned())
}

impl Services {
    /// The log's public key (standard base64) and its id.
    pub fn log_public_key(&self) -> ServiceResult<(String, String)> {
        let keys = self.bid_keys()?;
        Ok((
            keys.log_signer.public_key_base64(),
            keys.log_signer.key_id().to_owned(),
        ))
    }

    /// The latest signed tree head, signing one first if the log has grown
    /// since the last (on demand; at most one head per size).
    pub async fn latest_tree_head(&self) -> ServiceResult<SignedTreeHead> {
        let (size, root) = self.storage.log_state().await?;
        if let Some(latest) = self.storage.latest_tree_head().await?
            && latest.tree_size >= size
        {
            return Ok(SignedTreeHead::of(&latest));
        }
        self.sign_tree_head(size, root).await
    }

    /// Signs and stores the head of `size` (another process may have signed
    /// it first: then that one is the head).
    async fn sign_tree_head(&self, size: u64, root: Hash) -> ServiceResult<SignedTreeHead> {
        let _one_at_a_time = self.tree_head_signing.lock().await;
        if let Some(head) = self.storage.tree_head(size).await? {
            return Ok(SignedTreeHead::of(&head));
        }
        let stored = self.signed(size, root)?;
        if !self.storage.insert_tree_head(&stored).await? {
            let theirs = self
                .storage
                .tree_head(size)
                .await?
                .ok_or_else(|| ServiceError::Internal(format!("tree head {size} vanished")))?;
            return Ok(SignedTreeHead::of(&theirs));
        }
        Ok(SignedTreeHead::of(&stored))
    }

    /// A head of `size` and `root`, signed now (not stored).
    fn signed(&self, size: u64, root: Hash) -> ServiceResult<StoredTreeHead> {
        let keys = self.bid_keys()?;
        let head = TreeHead::new(size, self.clock.now(), root)
            .map_err(|e| ServiceError::Internal(format!("tree head: {e}")))?;
        Ok(StoredTreeHead {
            tree_size: size,
            root_hash: root,
            signed_at: head.timestamp(),
            key_id: keys.log_signer.key_id().to_owned(),
            signature: keys.log_signer.sign(&head.signed_bytes()).to_vec(),
        })
    }

    /// The head a receipt for leaf `index` is proven against: the smallest
    /// head that holds it among those this process signed for receipts and
    /// those stored, else one signed now for the whole tree.
    ///
    /// Receipt heads are kept in memory, not stored: a bid batch's receipts
    /// must not wait for another durable write (on SQLite, another fsync on
    /// the one writer the bids queue for). A receipt carries its head, and
    /// `musubi verify --server` proves it consistent with the latest one from
    /// the stored subtree hashes, so nothing needs the head stored. Reading
    /// a receipt again gives the same head while this process runs.
    async fn receipt_head(&self, index: u64) -> ServiceResult<SignedTreeHead> {
        let cached = |heads: &RecentHeads| heads.range(index + 1..).next().map(|(_, h)| h.clone());
        // The smallest of both: heads only grow, so once one holds the
        // entry, the smallest never changes (a head the scheduler stores
        // meanwhile is larger).
        let in_memory = cached(&self.receipt_heads.lock().unwrap_or_else(|e| e.into_inner()));
        let stored = self
            .storage
            .tree_head_covering(index)
            .await?
            .map(|h| SignedTreeHead::of(&h));
        if let Some(head) = [in_memory, stored]
            .into_iter()
            .flatten()
            .min_by_key(|h| h.tree_size)
        {
            return Ok(head);
        }
        // One signature for all the receipts of a batch: those that waited
        // here find the head the first one signed.
        let _one_at_a_time = self.tree_head_signing.lock().await;
        if let Some(head) = cached(&self.receipt_heads.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(head);
        }
        let (size, root) = self.storage.log_state().await?;
        let head = SignedTreeHead::of(&self.signed(size, root)?);
        let mut heads = self.receipt_heads.lock().unwrap_or_else(|e| e.into_inner());
        heads.insert(size, head.clone());
        while heads.len() > RECEIPT_HEADS_KEPT {
            heads.pop_first();
        }
        Ok(head)
    }

    /// The signed head of exactly `tree_size`, if one was signed.
    pub async fn tree_head_of_size(&self, tree_size: u64) -> ServiceResult<SignedTreeHead> {
        self.storage
            .tree_head(tree_size)
            .await?
            .map(|h| SignedTreeHead::of(&h))
            .ok_or_else(|| {
                ServiceError::refused(
                    404,
                    "tree_head_not_found",
                    format!("木の大きさ {tree_size} の署名付きツリーヘッドはありません。"),
                    format!("No signed tree head has size {tree_size}."),
                )
            })
    }

    /// Checks that a proof may be asked against `tree_size`.
    async fn check_tree_size(&self, tree_size: u64) -> ServiceResult<()> {
        let (size, _) = self.storage.log_state().await?;
        if tree_size > size {
            return Err(bad_size(
                &format!("木の大きさ {tree_size} は現在のログの大きさ（{size}件）を超えています。"),
                &format!("Tree size {tree_size} is beyond the log's current size ({size})."),
            ));
        }
        Ok(())
    }

    /// The proof a plan names, and the hashes of `extra` nodes, in one read.
    async fn assemble(
        &self,
        plan: &ProofPlan,
        extra: &[NodeId],
    ) -> ServiceResult<(Vec<Hash>, Vec<Option<Hash>>)> {
        let mut wanted = plan.nodes();
        wanted.extend_from_slice(extra);
        let found: std::collections::HashMap<_, _> =
            self.storage.log_nodes(&wanted).await?.into_iter().collect();
        let proof = plan
            .assemble(|id| found.get(&id).copied())
            .map_err(|e| ServiceError::Internal(format!("transparency log: {e}")))?;
        Ok((
            proof,
            extra.iter().map(|id| found.get(id).copied()).collect(),
        ))
    }

    /// Inclusion proof of leaf `index` in the tree of `tree_size`.
    pub async fn inclusion_proof(
        &self,
        index: u64,
        tree_size: u64,
    ) -> ServiceResult<InclusionProof> {
        self.check_tree_size(tree_size).await?;
        self.inclusion_proof_in(index, tree_size).await
    }

    /// [`Services::inclusion_proof`] in a tree known to exist (a signed
    /// head's): one read.
    async fn inclusion_proof_in(
        &self,
        index: u64,
        tree_size: u64,
    ) -> ServiceResult<InclusionProof> {
        let plan = inclusion_proof_plan(index, tree_size).map_err(proof_error)?;
        let leaf = NodeId { level: 0, index };
        let (audit_path, extra) = self.assemble(&plan, &[leaf]).await?;
        Ok(InclusionProof {
            leaf_index: index,
            tree_size,
            leaf_hash: extra[0].ok_or(ServiceError::NotFound)?,
            audit_path,
        })
    }

    /// Inclusion proof of the first leaf with this hash.
    pub async fn inclusion_proof_by_hash(
        &self,
        leaf: &Hash,
        tree_size: u64,
    ) -> ServiceResult<InclusionProof> {
        let index = self.storage.log_index_of(leaf).await?.ok_or_else(|| {
            ServiceError::refused(
                404,
                "leaf_not_found",
                "このハッシュ値の記録はログにありません。",
                "No log entry has this leaf hash.",
            )
        })?;
        if index >= tree_size {
            return Err(bad_size(
                &format!(
                    "この記録（{index}番）は大きさ {tree_size} の木にはまだ含まれていません。"
                ),
                &format!("Entry {index} is not yet in the tree of size {tree_size}."),
            ));
        }
        self.inclusion_proof(index, tree_size).await
    }

    /// Consistency proof between the trees of `first` and `second` entries.
    pub async fn consistency_proof(
        &self,
        first: u64,
        second: u64,
    ) -> ServiceResult<ConsistencyProof> {
        self.check_tree_size(second).await?;
        let proof = if first == second {
            Vec::new()
        } else {
            let plan = consistency_proof_plan(first, second).map_err(proof_error)?;
            self.assemble(&plan, &[]).await?.0
        };
        Ok(ConsistencyProof {
            first,
            second,
            proof,
        })
    }

    /// Entries `start..end` (at most 1,000 per call).
    pub async fn log_entries(&self, start: u64, end: u64) -> ServiceResult<Vec<LogEntryView>> {
        if end <= start {
            return Err(ServiceError::refused(
                400,
                "invalid_range",
                "end は start より大きい値を指定してください。",
                "end must be greater than start.",
            ));
        }
        let end = end.min(start.saturating_add(MAX_LOG_ENTRIES_PER_READ));
        Ok(self
            .storage
            .log_entries(start, end)
            .await?
            .into_iter()
            .map(LogEntryView::of)
            .collect())
    }

    /// The log part of a receipt: `None` if the commitment is not logged
    /// (a receipt from before the log existed). Proven against the first
    /// head that holds the entry ([`Services::receipt_head`]), so a receipt
    /// reads the same every time: it does not tell its bidder how the log
    /// grew since (`musubi verify --server` proves that part).
    pub async fn receipt_proof(&self, commitment: &str) -> ServiceResult<Option<ReceiptProof>> {
        let leaf = received_leaf_hash(commitment);
        let Some(index) = self.storage.log_index_of(&leaf).await? else {
            return Ok(None);
        };
        let head = self.receipt_head(index).await?;
        let proof = self.inclusion_proof_in(index, head.tree_size).await?;
        Ok(Some(ReceiptProof {
            log_index: index,
            leaf_hash: leaf,
            inclusion_proof: proof.audit_path,
            tree_head: head,
            log_public_key: self.log_public_key()?.0,
        }))
    }
}

fn proof_error(e: musubi_domain::transparency::ProofError) -> ServiceError {
    ServiceError::refused(400, e.code(), e.message_ja(), e.message_en())
}

pub mod audit;
pub mod verify;
