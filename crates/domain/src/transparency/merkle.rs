//! The Merkle tree of RFC 9162 §2.1, shaped for a database that stores only
//! the hash of every complete aligned subtree.
//!
//! # Storage model
//!
//! A [`NodeId`] `{ level, index }` names the complete subtree
//! `D[index·2^level .. (index+1)·2^level)`; level 0 is the leaves. Those
//! hashes never change once written, so the database keeps nothing else.
//!
//! Appending needs only the tree size and its [`Frontier`]: the hashes of the
//! complete subtrees of the binary decomposition of the size ("peaks", largest
//! first). [`Frontier::push`] returns the nodes a new leaf completes (for the
//! caller to insert) and [`Frontier::root`] is the tree head's root.
//!
//! # Proofs
//!
//! Every hash an RFC 9162 proof holds is MTH(D[a..b)) of a [`Range`] that is
//! either a complete aligned subtree or a range ending at the tree size; the
//! latter is the right fold of the complete subtrees of its binary
//! decomposition, which are stored nodes too. So a proof is made in two steps
//! that keep the storage out of this crate: [`inclusion_proof_plan`] /
//! [`consistency_proof_plan`] say which ranges, in the RFC's order;
//! [`ProofPlan::nodes`] lists the stored nodes they need (fetch them in one
//! query) and [`ProofPlan::assemble`] folds them into the proof. A plan needs
//! O(log n) nodes: at most one per level plus the size's peaks.
//!
//! [`verify_inclusion`] and [`verify_consistency`] are the RFC's iterative
//! algorithms (§2.1.3.2, §2.1.4.2), written from the RFC and not from the
//! generator, so each checks the other. [`root_of`], [`inclusion_proof_ref`]
//! and [`consistency_proof_ref`] are the RFC's recursive definitions over a
//! slice of leaf hashes: O(n), the reference for tests and benchmarks.

use std::fmt;

use super::{Hash, empty_root, node_hash};

/// A complete aligned subtree: the hash MTH(D[index·2^level .. (index+1)·2^level)).
///
/// Level 0 is the leaf hashes; level `l` has `2^l` leaves. Only meaningful
/// when the whole range lies inside the tree (`end() <= size`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    pub level: u8,
    pub index: u64,
}

impl NodeId {
    /// The subtree `{ level, index }`.
    pub const fn new(level: u8, index: u64) -> Self {
        Self { level, index }
    }

    /// The leaf at `index`.
    pub const fn leaf(index: u64) -> Self {
        Self { level: 0, index }
    }

    /// How many leaves it covers, `2^level`.
    pub const fn leaves(self) -> u64 {
        1 << self.level
    }

    /// Its first leaf.
    pub const fn start(self) -> u64 {
        self.index << self.level
    }

    /// One past its last leaf.
    pub const fn end(self) -> u64 {
        self.start() + self.leaves()
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "level {} index {}", self.level, self.index)
    }
}

/// Why a proof cannot be made or does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("the tree is empty: there is nothing to prove")]
    EmptyTree,
    #[error("leaf index {index} is not in a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("a consistency proof needs an old tree size of at least 1")]
    OldSizeZero,
    #[error("old tree size {old_size} is larger than new tree size {new_size}")]
    OldSizeAfterNew { old_size: u64, new_size: u64 },
    #[error("the proof has the wrong number of hashes for these tree sizes")]
    Malformed,
    #[error("the proof does not lead to the given root hash")]
    RootMismatch,
    #[error("the proof does not lead to the given old root hash")]
    OldRootMismatch,
    #[error("the proof does not lead to the given new root hash")]
    NewRootMismatch,
    #[error("the stored tree has no node at {0}")]
    MissingNode(NodeId),
}

impl ProofError {
    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::EmptyTree => "proof_empty_tree",
            Self::IndexOutOfRange { .. } => "proof_index_out_of_range",
            Self::OldSizeZero => "proof_old_size_zero",
            Self::OldSizeAfterNew { .. } => "proof_old_size_after_new",
            Self::Malformed => "proof_malformed",
            Self::RootMismatch => "proof_root_mismatch",
            Self::OldRootMismatch => "proof_old_root_mismatch",
            Self::NewRootMismatch => "proof_new_root_mismatch",
            Self::MissingNode(_) => "proof_node_missing",
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match self {
            Self::EmptyTree => "透明性ログにまだ記録がないため、証明を作成できません。".to_owned(),
            Self::IndexOutOfRange { index, size } => format!(
                "記録番号{index}は、記録数{size}件のログに含まれていません（記録番号は0から{}までです）。",
                size.saturating_sub(1)
            ),
            Self::OldSizeZero => "整合性証明の旧ログサイズには1以上を指定してください。".to_owned(),
            Self::OldSizeAfterNew { old_size, new_size } => format!(
                "旧ログサイズ（{old_size}）が新ログサイズ（{new_size}）より大きいため、整合性証明を作成できません。"
            ),
            Self::Malformed => {
                "証明のハッシュ値の数が、指定されたログサイズと合いません。".to_owned()
            }
            Self::RootMismatch => "証明から求めたルートハッシュが一致しません。".to_owned(),
            Self::OldRootMismatch => "証明から求めた旧ルートハッシュが一致しません。".to_owned(),
            Self::NewRootMismatch => "証明から求めた新ルートハッシュが一致しません。".to_owned(),
            Self::MissingNode(node) => format!(
                "透明性ログのノード（レベル{}、番号{}）が見つかりません。",
                node.level, node.index
            ),
        }
    }

    /// English message for the UI.
    pub fn message_en(&self) -> String {
        match self {
            Self::EmptyTree => {
                "The transparency log is empty, so there is nothing to prove.".to_owned()
            }
            Self::IndexOutOfRange { index, size } => {
                format!("Entry {index} is not in a log of {size} entries.")
            }
            Self::OldSizeZero => {
                "A consistency proof needs an old log size of at least 1.".to_owned()
            }
            Self::OldSizeAfterNew { old_size, new_size } => format!(
                "The old log size ({old_size}) is larger than the new log size ({new_size})."
            ),
            Self::Malformed => {
                "The proof has the wrong number of hashes for the given log sizes.".to_owned()
            }
            Self::RootMismatch => "The proof does not lead to the given root hash.".to_owned(),
            Self::OldRootMismatch => {
                "The proof does not lead to the given old root hash.".to_owned()
            }
            Self::NewRootMismatch => {
                "The proof does not lead to the given new root hash.".to_owned()
            }
            Self::MissingNode(node) => format!("The log has no node at {node}."),
        }
    }
}

impl_domain_error!(ProofError);

/// Why stored parts do not make a [`Frontier`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrontierError {
    #[error("a tree of size {size} has {expected} peaks, found {found}")]
    PeakCount {
        size: u64,
        expected: u32,
        found: usize,
    },
    #[error("frontier bytes must be a multiple of 32, found {found}")]
    ByteLength { found: usize },
}

impl FrontierError {
    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::PeakCount { .. } => "frontier_peak_count",
            Self::ByteLength { .. } => "frontier_byte_length",
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match self {
            Self::PeakCount {
                size,
                expected,
                found,
            } => format!(
                "透明性ログの状態が壊れています（記録数{size}件には{expected}個の部分木が必要ですが、{found}個あります）。"
            ),
            Self::ByteLength { found } => format!(
                "透明性ログの状態が壊れています（長さ{found}バイトは32の倍数ではありません）。"
            ),
        }
    }

    /// English message for the UI.
    pub fn message_en(&self) -> String {
        match self {
            Self::PeakCount {
                size,
                expected,
                found,
            } => format!(
                "The transparency log state is corrupt: a log of {size} entries has {expected} peaks, found {found}."
            ),
            Self::ByteLength { found } => format!(
                "The transparency log state is corrupt: {found} bytes is not a multiple of 32."
            ),
        }
    }
}

impl_domain_error!(FrontierError);

/// The largest power of two smaller than `n` (RFC 9162 §2.1.1's `k`), `n >= 2`.
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// What an append needs to know of the tree: its size and the hashes of the
/// complete subtrees of the size's binary decomposition ("peaks"), left to
/// right, largest first — one per set bit of the size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    peaks: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn empty() -> Self {
        Self {
            size: 0,
            peaks: Vec::new(),
        }
    }

    /// A frontier from its stored parts; the peak count must be
    /// `size.count_ones()`.
    pub fn from_parts(size: u64, peaks: Vec<Hash>) -> Result<Self, FrontierError> {
        let expected = size.count_ones();
        if peaks.len() != expected as usize {
            return Err(FrontierError::PeakCount {
                size,
                expected,
                found: peaks.len(),
            });
        }
        Ok(Self { size, peaks })
    }

    /// A frontier from `size` and [`Frontier::to_bytes`].
    pub fn from_bytes(size: u64, bytes: &[u8]) -> Result<Self, FrontierError> {
        if !bytes.len().is_multiple_of(Hash::LEN) {
            return Err(FrontierError::ByteLength { found: bytes.len() });
        }
        let peaks = bytes
            .chunks_exact(Hash::LEN)
            .map(|chunk| {
                let mut b = [0u8; 32];
                b.copy_from_slice(chunk);
                Hash::from_bytes(b)
            })
            .collect();
        Self::from_parts(size, peaks)
    }

    /// The peaks concatenated, 32 bytes each, largest first; the size is
    /// stored beside them.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.peaks.len() * Hash::LEN);
        for peak in &self.peaks {
            out.extend_from_slice(peak.as_bytes());
        }
        out
    }

    /// The tree size (number of leaves).
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The peak hashes, largest subtree first.
    pub fn peaks(&self) -> &[Hash] {
        &self.peaks
    }

    /// The peaks' node ids, in the same order as [`Frontier::peaks`].
    pub fn peak_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        Range {
            start: 0,
            end: self.size,
        }
        .subtrees()
    }

    /// Appends a leaf hash and returns every node it completes: the leaf
    /// itself (level 0) first, then each parent it completes, lowest first.
    /// O(log n), one small allocation.
    ///
    /// # Panics
    ///
    /// If the tree already holds `u64::MAX` leaves.
    pub fn push(&mut self, leaf: Hash) -> Vec<(NodeId, Hash)> {
        let index = self.size;
        let new_size = index
            .checked_add(1)
            .expect("a transparency log holds fewer than 2^64 entries");
        // Each trailing one bit of the size is a peak the new leaf completes
        // a parent with.
        let merges = index.trailing_ones();
        let mut completed = Vec::with_capacity(merges as usize + 1);
        let mut hash = leaf;
        completed.push((NodeId::leaf(index), hash));
        for level in 1..=merges {
            let left = self
                .peaks
                .pop()
                .expect("a frontier holds one peak per set bit of its size");
            hash = node_hash(&left, &hash);
            // index < u64::MAX, so at most 63 trailing ones: level fits a u8.
            completed.push((NodeId::new(level as u8, index >> level), hash));
        }
        self.peaks.push(hash);
        self.size = new_size;
        completed
    }

    /// The root hash MTH of the whole tree: the right fold of the peaks,
    /// `node_hash(p0, node_hash(p1, …))`; SHA-256("") for the empty tree.
    pub fn root(&self) -> Hash {
        fold_right(self.peaks.iter().copied()).unwrap_or_else(empty_root)
    }
}

/// `node_hash(h0, node_hash(h1, … hk))`, or `None` for no hashes.
fn fold_right(hashes: impl DoubleEndedIterator<Item = Hash>) -> Option<Hash> {
    hashes.rev().reduce(|right, left| node_hash(&left, &right))
}

/// The leaves `start..end` whose hash MTH(D[start..end)) is one element of a
/// proof.
///
/// Plans only hold ranges that are a complete aligned subtree or end at the
/// tree size, so the range is the binary decomposition of its length from
/// `start`, largest part first, each part a stored [`NodeId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    start: u64,
    end: u64,
}

impl Range {
    /// The first leaf.
    pub fn start(self) -> u64 {
        self.start
    }

    /// One past the last leaf.
    pub fn end(self) -> u64 {
        self.end
    }

    /// The complete aligned subtrees whose right fold is MTH of the range,
    /// largest (leftmost) first.
    pub fn subtrees(self) -> impl Iterator<Item = NodeId> {
        let mut start = self.start;
        let end = self.end;
        std::iter::from_fn(move || {
            if start >= end {
                return None;
            }
            let level = 63 - (end - start).leading_zeros();
            debug_assert_eq!(start % (1 << level), 0, "plans hold aligned ranges");
            let node = NodeId::new(level as u8, start >> level);
            start += 1 << level;
            Some(node)
        })
    }
}

/// The ranges an RFC 9162 proof is made of, in the RFC's order; see the
/// module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofPlan {
    ranges: Vec<Range>,
}

impl ProofPlan {
    /// One range per proof element, in proof order.
    pub fn ranges(&self) -> &[Range] {
        &self.ranges
    }

    /// How many hashes the proof has.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Whether the proof is empty (a one-leaf tree, or equal sizes).
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Every stored node the proof needs, each once, sorted: fetch them in
    /// one query. O(log n) of them.
    pub fn nodes(&self) -> Vec<NodeId> {
        let mut nodes: Vec<NodeId> = self.ranges.iter().flat_map(|r| r.subtrees()).collect();
        nodes.sort_unstable();
        nodes.dedup();
        nodes
    }

    /// The proof, from the stored nodes `fetch` returns; a node it does not
    /// have is [`ProofError::MissingNode`].
    pub fn assemble(
        &self,
        mut fetch: impl FnMut(NodeId) -> Option<Hash>,
    ) -> Result<Vec<Hash>, ProofError> {
        let mut proof = Vec::with_capacity(self.ranges.len());
        let mut parts = Vec::new();
        for range in &self.ranges {
            parts.clear();
            for node in range.subtrees() {
                parts.push(fetch(node).ok_or(ProofError::MissingNode(node))?);
            }
            let hash = fold_right(parts.iter().copied()).expect("a plan's ranges are not empty");
            proof.push(hash);
        }
        Ok(proof)
    }
}

/// The plan of the inclusion proof of leaf `index` in a tree of `size`
/// leaves: PATH(index, `D[size]`) of RFC 9162 §2.1.3.1, leaf's sibling first.
pub fn inclusion_proof_plan(index: u64, size: u64) -> Result<ProofPlan, ProofError> {
    check_inclusion_args(index, size)?;
    let mut ranges = Vec::with_capacity((64 - size.leading_zeros()) as usize);
    // Walk down from the root to the leaf; the RFC's recursion emits the
    // deepest sibling first, hence the reverse at the end.
    let (mut lo, mut hi) = (0, size);
    while hi - lo > 1 {
        let mid = lo + split(hi - lo);
        if index < mid {
            ranges.push(Range {
                start: mid,
                end: hi,
            });
            hi = mid;
        } else {
            ranges.push(Range {
                start: lo,
                end: mid,
            });
            lo = mid;
        }
    }
    ranges.reverse();
    Ok(ProofPlan { ranges })
}

/// The plan of the consistency proof between the trees of `old_size` and
/// `new_size` leaves: PROOF(old_size, `D[new_size]`) of RFC 9162 §2.1.4.1.
/// Equal sizes have the empty proof.
pub fn consistency_proof_plan(old_size: u64, new_size: u64) -> Result<ProofPlan, ProofError> {
    check_consistency_args(old_size, new_size)?;
    let mut ranges = Vec::with_capacity((64 - new_size.leading_zeros()) as usize + 1);
    // SUBPROOF(m, D[lo..hi), complete) walked down; invariant lo < m <= hi.
    let (mut lo, mut hi, mut complete) = (0, new_size, true);
    loop {
        if old_size == hi {
            if !complete {
                ranges.push(Range { start: lo, end: hi });
            }
            break;
        }
        let mid = lo + split(hi - lo);
        if old_size <= mid {
            ranges.push(Range {
                start: mid,
                end: hi,
            });
            hi = mid;
        } else {
            ranges.push(Range {
                start: lo,
                end: mid,
            });
            lo = mid;
            complete = false;
        }
    }
    ranges.reverse();
    Ok(ProofPlan { ranges })
}

fn check_inclusion_args(index: u64, size: u64) -> Result<(), ProofError> {
    if size == 0 {
        return Err(ProofError::EmptyTree);
    }
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    Ok(())
}

fn check_consistency_args(old_size: u64, new_size: u64) -> Result<(), ProofError> {
    if old_size == 0 {
        return Err(ProofError::OldSizeZero);
    }
    if old_size > new_size {
        return Err(ProofError::OldSizeAfterNew { old_size, new_size });
    }
    Ok(())
}

/// Checks that `leaf` is at `index` in the tree of `size` leaves whose root is
/// `root`: RFC 9162 §2.1.3.2, step by step.
pub fn verify_inclusion(
    leaf: Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: Hash,
) -> Result<(), ProofError> {
    // 1. leaf_index must be below tree_size.
    check_inclusion_args(index, size)?;
    // 2.–3.
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = leaf;
    // 4.
    for p in proof {
        if sn == 0 {
            return Err(ProofError::Malformed);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    // 5.
    if sn != 0 {
        return Err(ProofError::Malformed);
    }
    if r != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Checks that the tree of `new_size` leaves with root `new_root` extends the
/// tree of `old_size` leaves with root `old_root`: RFC 9162 §2.1.4.2, step by
/// step. Equal sizes are consistent with the empty proof and equal roots; an
/// old size of 0 has no proof ([`ProofError::OldSizeZero`]).
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: Hash,
    new_root: Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    check_consistency_args(old_size, new_size)?;
    if old_size == new_size {
        // SUBPROOF(m, D[m], true) is empty: nothing to fold, the roots must
        // simply be the same.
        if !proof.is_empty() {
            return Err(ProofError::Malformed);
        }
        if old_root != new_root {
            return Err(ProofError::NewRootMismatch);
        }
        return Ok(());
    }
    // 1.
    if proof.is_empty() {
        return Err(ProofError::Malformed);
    }
    // 2. A power-of-two old tree is a node of the new one: the proof leaves
    // out its hash, which the verifier has.
    let prepended = old_size.is_power_of_two().then_some(old_root);
    let mut path = prepended.iter().chain(proof);
    // 3.
    let (mut fn_, mut sn) = (old_size - 1, new_size - 1);
    // 4.
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    // 5.
    let first = *path.next().expect("the path has at least one hash");
    let (mut fr, mut sr) = (first, first);
    // 6.
    for c in path {
        if sn == 0 {
            return Err(ProofError::Malformed);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    // 7.
    if sn != 0 {
        return Err(ProofError::Malformed);
    }
    if fr != old_root {
        return Err(ProofError::OldRootMismatch);
    }
    if sr != new_root {
        return Err(ProofError::NewRootMismatch);
    }
    Ok(())
}

/// Reference: MTH(`D[n]`) by RFC 9162 §2.1.1's recursive definition over the
/// leaf hashes. O(n): for tests and benchmark baselines; the log itself uses
/// [`Frontier::root`].
pub fn root_of(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n as u64) as usize;
            node_hash(&root_of(&leaves[..k]), &root_of(&leaves[k..]))
        }
    }
}

/// Reference: PATH(index, `D[n]`) by RFC 9162 §2.1.3.1's recursive definition
/// over all the leaf hashes. O(n): for tests and benchmark baselines; the log
/// uses [`inclusion_proof_plan`].
pub fn inclusion_proof_ref(leaves: &[Hash], index: u64) -> Result<Vec<Hash>, ProofError> {
    check_inclusion_args(index, leaves.len() as u64)?;
    fn path(m: usize, d: &[Hash]) -> Vec<Hash> {
        if d.len() <= 1 {
            return Vec::new();
        }
        let k = split(d.len() as u64) as usize;
        let (mut proof, sibling) = if m < k {
            (path(m, &d[..k]), root_of(&d[k..]))
        } else {
            (path(m - k, &d[k..]), root_of(&d[..k]))
        };
        proof.push(sibling);
        proof
    }
    // index < leaves.len(), so it fits in usize.
    Ok(path(index as usize, leaves))
}

/// Reference: PROOF(old_size, `D[n]`) by RFC 9162 §2.1.4.1's recursive
/// definition (SUBPROOF) over all the leaf hashes. O(n): for tests and
/// benchmark baselines; the log uses [`consistency_proof_plan`].
pub fn consistency_proof_ref(leaves: &[Hash], old_size: u64) -> Result<Vec<Hash>, ProofError> {
    check_consistency_args(old_size, leaves.len() as u64)?;
    fn subproof(m: usize, d: &[Hash], complete: bool) -> Vec<Hash> {
        if m == d.len() {
            return if complete {
                Vec::new()
            } else {
                vec![root_of(d)]
            };
        }
        let k = split(d.len() as u64) as usize;
        let (mut proof, sibling) = if m <= k {
            (subproof(m, &d[..k], complete), root_of(&d[k..]))
        } else {
            (subproof(m - k, &d[k..], false), root_of(&d[..k]))
        };
        proof.push(sibling);
        proof
    }
    // old_size <= leaves.len(), so it fits in usize.
    Ok(subproof(old_size as usize, leaves, true))
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use sha2::{Digest, Sha256};

    use super::*;
    use crate::transparency::leaf_hash;

    fn h(hex: &str) -> Hash {
        Hash::parse(hex).unwrap()
    }

    fn hs(hexes: &[&str]) -> Vec<Hash> {
        hexes.iter().map(|x| h(x)).collect()
    }

    /// `hash` with bit `bit` (0..256) flipped.
    fn flip(hash: Hash, bit: usize) -> Hash {
        let mut bytes = hash.to_bytes();
        bytes[(bit / 8) % 32] ^= 1 << (bit % 8);
        Hash::from_bytes(bytes)
    }

    /// Distinct leaves, so that no proof element equals another by chance.
    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    /// Every node completed while pushing `leaves` into a frontier, as the
    /// database would hold them.
    fn stored_nodes(leaves: &[Hash]) -> HashMap<NodeId, Hash> {
        let mut frontier = Frontier::empty();
        let mut nodes = HashMap::new();
        for leaf in leaves {
            for (id, hash) in frontier.push(*leaf) {
                assert!(nodes.insert(id, hash).is_none(), "{id} completed twice");
            }
        }
        nodes
    }

    /// Assembles `plan` from the stored nodes of the tree of `size` leaves
    /// only: a plan that reaches past the tree fails here.
    fn assemble(plan: &ProofPlan, nodes: &HashMap<NodeId, Hash>, size: u64) -> Vec<Hash> {
        plan.assemble(|id| {
            if id.end() <= size {
                nodes.get(&id).copied()
            } else {
                None
            }
        })
        .unwrap()
    }

    // Trees built by hand from RFC 9162 §2.1.1, with SHA-256 over explicit
    // byte strings: nothing from the code under test.
    #[test]
    fn roots_of_hand_built_trees() {
        fn sha(parts: &[&[u8]]) -> [u8; 32] {
            let bytes: Vec<u8> = parts.concat();
            Sha256::digest(&bytes).into()
        }
        let entries: [&[u8]; 7] = [b"a", b"bc", b"", b"def", b"\x00", b"\x01\x02", b"g"];
        let l: Vec<[u8; 32]> = entries.iter().map(|e| sha(&[&[0x00], e])).collect();
        let n = |a: &[u8; 32], b: &[u8; 32]| sha(&[&[0x01], a, b]);
        let expected: [(usize, [u8; 32]); 5] = [
            (1, l[0]),
            (2, n(&l[0], &l[1])),
            (3, n(&n(&l[0], &l[1]), &l[2])),
            (5, n(&n(&n(&l[0], &l[1]), &n(&l[2], &l[3])), &l[4])),
            (
                7,
                n(
                    &n(&n(&l[0], &l[1]), &n(&l[2], &l[3])),
                    &n(&n(&l[4], &l[5]), &l[6]),
                ),
            ),
        ];
        let hashes: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();
        for (size, root) in expected {
            let mut frontier = Frontier::empty();
            for leaf in &hashes[..size] {
                frontier.push(*leaf);
            }
            assert_eq!(frontier.root(), Hash::from_bytes(root), "size {size}");
            assert_eq!(
                root_of(&hashes[..size]),
                Hash::from_bytes(root),
                "size {size}"
            );
        }
        let empty: [u8; 32] = Sha256::digest(b"").into();
        assert_eq!(Frontier::empty().root(), Hash::from_bytes(empty));
        assert_eq!(root_of(&[]), Hash::from_bytes(empty));
    }

    // The RFC 6962 test vectors every Certificate Transparency implementation
    // checks against, from github.com/transparency-dev/merkle (formerly
    // google/certificate-transparency-go merkle): testonly/constants.go
    // (LeafInputs, NodeHashes, RootHashes, CompactTrees) and
    // proof/verify_test.go (inclusionProofs, consistencyProofs; leaf numbers
    // there are 1-based).
    const VECTOR_LEAVES: [&[u8]; 8] = [
        b"",
        b"\x00",
        b"\x10",
        b"\x20\x21",
        b"\x30\x31",
        b"\x40\x41\x42\x43",
        b"\x50\x51\x52\x53\x54\x55\x56\x57",
        b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
    ];

    const VECTOR_ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    /// NodeHashes: `[level][index]`.
    const VECTOR_NODES: [&[&str]; 4] = [
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
        ],
        &[
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        ],
        &[
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
        &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
    ];

    fn vector_leaves() -> Vec<Hash> {
        VECTOR_LEAVES.iter().map(|e| leaf_hash(e)).collect()
    }

    #[test]
    fn rfc6962_vectors_roots_and_nodes() {
        let leaves = vector_leaves();
        let mut frontier = Frontier::empty();
        let mut nodes = HashMap::new();
        assert_eq!(frontier.root(), h(VECTOR_ROOTS[0]));
        for (i, leaf) in leaves.iter().enumerate() {
            nodes.extend(frontier.push(*leaf));
            assert_eq!(frontier.root(), h(VECTOR_ROOTS[i + 1]), "size {}", i + 1);
            assert_eq!(root_of(&leaves[..=i]), h(VECTOR_ROOTS[i + 1]));
        }
        let mut expected = HashMap::new();
        for (level, hashes) in VECTOR_NODES.iter().enumerate() {
            for (index, hash) in hashes.iter().enumerate() {
                expected.insert(NodeId::new(level as u8, index as u64), h(hash));
            }
        }
        assert_eq!(nodes, expected);
        // CompactTrees for size 7: nh[2][0], nh[1][2], nh[0][6].
        let frontier7 = Frontier::from_parts(
            7,
            hs(&[VECTOR_NODES[2][0], VECTOR_NODES[1][2], VECTOR_NODES[0][6]]),
        )
        .unwrap();
        assert_eq!(frontier7.root(), h(VECTOR_ROOTS[7]));
        assert_eq!(
            frontier7.peak_ids().collect::<Vec<_>>(),
            [NodeId::new(2, 0), NodeId::new(1, 2), NodeId::new(0, 6)]
        );
    }

    #[test]
    fn rfc6962_vectors_inclusion_proofs() {
        let leaves = vector_leaves();
        let nodes = stored_nodes(&leaves);
        let cases: [(u64, u64, Vec<Hash>); 5] = [
            (0, 1, vec![]),
            (
                0,
                8,
                hs(&[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ]),
            ),
            (
                5,
                8,
                hs(&[
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ]),
            ),
            (
                2,
                3,
                hs(&["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
            ),
            (
                1,
                5,
                hs(&[
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ]),
            ),
        ];
        for (index, size, proof) in cases {
            let plan = inclusion_proof_plan(index, size).unwrap();
            assert_eq!(assemble(&plan, &nodes, size), proof, "{index} in {size}");
            assert_eq!(
                inclusion_proof_ref(&leaves[..size as usize], index).unwrap(),
                proof
            );
            let root = h(VECTOR_ROOTS[size as usize]);
            verify_inclusion(leaves[index as usize], index, size, &proof, root).unwrap();
        }
    }

    #[test]
    fn rfc6962_vectors_consistency_proofs() {
        let leaves = vector_leaves();
        let nodes = stored_nodes(&leaves);
        let cases: [(u64, u64, Vec<Hash>); 5] = [
            (1, 1, vec![]),
            (
                1,
                8,
                hs(&[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ]),
            ),
            (
                6,
                8,
                hs(&[
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ]),
            ),
            (
                2,
                5,
                hs(&[
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ]),
            ),
            (
                6,
                7,
                hs(&[
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ]),
            ),
        ];
        for (old, new, proof) in cases {
            let plan = consistency_proof_plan(old, new).unwrap();
            assert_eq!(assemble(&plan, &nodes, new), proof, "{old} to {new}");
            assert_eq!(
                consistency_proof_ref(&leaves[..new as usize], old).unwrap(),
                proof
            );
            let (old_root, new_root) =
                (h(VECTOR_ROOTS[old as usize]), h(VECTOR_ROOTS[new as usize]));
            verify_consistency(old, new, old_root, new_root, &proof).unwrap();
        }
    }

    const MAX_SIZE: u64 = 70;

    #[test]
    fn push_completes_every_aligned_subtree_exactly_once() {
        let leaves = leaves(MAX_SIZE);
        let mut frontier = Frontier::empty();
        let mut seen = HashSet::new();
        for (i, leaf) in leaves.iter().enumerate() {
            let completed = frontier.push(*leaf);
            assert_eq!(completed[0], (NodeId::leaf(i as u64), *leaf));
            for (k, (id, hash)) in completed.iter().enumerate() {
                // Lowest first, each the parent of the one before, ending at
                // the new leaf.
                assert_eq!(usize::from(id.level), k);
                assert_eq!(id.end(), i as u64 + 1);
                let slice = &leaves[id.start() as usize..id.end() as usize];
                assert_eq!(*hash, root_of(slice), "{id}");
                assert!(seen.insert(*id), "{id} completed twice");
            }
            let size = i as u64 + 1;
            assert_eq!(frontier.size(), size);
            assert_eq!(frontier.root(), root_of(&leaves[..=i]), "size {size}");
            let peaks: Vec<Hash> = frontier
                .peak_ids()
                .map(|id| root_of(&leaves[id.start() as usize..id.end() as usize]))
                .collect();
            assert_eq!(frontier.peaks(), peaks);
        }
        // Every complete aligned subtree of a 70-leaf tree: ⌊70 / 2^l⌋ per level.
        let all: usize = (0..7).map(|l| (MAX_SIZE >> l) as usize).sum();
        assert_eq!(seen.len(), all);
    }

    #[test]
    fn every_inclusion_proof_up_to_70_matches_the_rfc_and_fails_when_tampered() {
        let leaves = leaves(MAX_SIZE);
        let nodes = stored_nodes(&leaves);
        let mut bit = 0usize;
        // Cycles through all 256 bit positions over the run.
        let mut next_bit = || {
            bit = (bit + 97) % 256;
            bit
        };
        for size in 1..=MAX_SIZE {
            let tree = &leaves[..size as usize];
            let root = root_of(tree);
            for index in 0..size {
                let leaf = tree[index as usize];
                let plan = inclusion_proof_plan(index, size).unwrap();
                let proof = assemble(&plan, &nodes, size);
                assert_eq!(
                    proof,
                    inclusion_proof_ref(tree, index).unwrap(),
                    "{index} in {size}"
                );
                assert_eq!(verify_inclusion(leaf, index, size, &proof, root), Ok(()));

                for i in 0..proof.len() {
                    let mut bad = proof.clone();
                    bad[i] = flip(bad[i], next_bit());
                    assert!(verify_inclusion(leaf, index, size, &bad, root).is_err());
                }
                let bad_leaf = flip(leaf, next_bit());
                assert!(verify_inclusion(bad_leaf, index, size, &proof, root).is_err());
                let bad_root = flip(root, next_bit());
                assert!(verify_inclusion(leaf, index, size, &proof, bad_root).is_err());
                for b in 0..64 - size.leading_zeros() {
                    let other = index ^ (1 << b);
                    assert!(
                        verify_inclusion(leaf, other, size, &proof, root).is_err(),
                        "{index} in {size} verified as {other}"
                    );
                }
                if let Some((_, shorter)) = proof.split_last() {
                    assert_eq!(
                        verify_inclusion(leaf, index, size, shorter, root),
                        Err(ProofError::Malformed)
                    );
                }
                let mut longer = proof.clone();
                longer.push(root);
                assert!(verify_inclusion(leaf, index, size, &longer, root).is_err());
            }
        }
    }

    #[test]
    fn every_consistency_proof_up_to_70_matches_the_rfc_and_fails_when_tampered() {
        let leaves = leaves(MAX_SIZE);
        let nodes = stored_nodes(&leaves);
        let roots: Vec<Hash> = (0..=MAX_SIZE as usize)
            .map(|n| root_of(&leaves[..n]))
            .collect();
        let mut bit = 0usize;
        let mut next_bit = || {
            bit = (bit + 89) % 256;
            bit
        };
        for new in 1..=MAX_SIZE {
            let tree = &leaves[..new as usize];
            let new_root = roots[new as usize];
            for old in 1..=new {
                let old_root = roots[old as usize];
                let plan = consistency_proof_plan(old, new).unwrap();
                let proof = assemble(&plan, &nodes, new);
                assert_eq!(
                    proof,
                    consistency_proof_ref(tree, old).unwrap(),
                    "{old} to {new}"
                );
                assert_eq!(
                    verify_consistency(old, new, old_root, new_root, &proof),
                    Ok(())
                );
                if old == new {
                    assert!(proof.is_empty());
                }

                for i in 0..proof.len() {
                    let mut bad = proof.clone();
                    bad[i] = flip(bad[i], next_bit());
                    assert!(verify_consistency(old, new, old_root, new_root, &bad).is_err());
                }
                let bad_old = flip(old_root, next_bit());
                assert!(verify_consistency(old, new, bad_old, new_root, &proof).is_err());
                let bad_new = flip(new_root, next_bit());
                assert!(verify_consistency(old, new, old_root, bad_new, &proof).is_err());
                for b in 0..64 - new.leading_zeros() {
                    let other = old ^ (1 << b);
                    assert!(
                        verify_consistency(other, new, old_root, new_root, &proof).is_err(),
                        "{old} to {new} verified from {other}"
                    );
                }
                if let Some((_, shorter)) = proof.split_last() {
                    assert!(verify_consistency(old, new, old_root, new_root, shorter).is_err());
                }
                let mut longer = proof.clone();
                longer.push(new_root);
                assert!(verify_consistency(old, new, old_root, new_root, &longer).is_err());
            }
        }
    }

    #[test]
    fn plans_need_logarithmically_many_nodes() {
        let bits = |n: u64| (64 - n.leading_zeros()) as usize;
        let sizes = [
            1u64,
            2,
            3,
            (1 << 20) - 1,
            1 << 20,
            (1 << 20) + 1,
            (1 << 20) + 12_345,
            (1 << 21) - 1,
            u64::MAX,
        ];
        for size in sizes {
            let probes = [0, 1, size / 3, size / 2, size.saturating_sub(2), size - 1];
            for index in probes.into_iter().filter(|&i| i < size) {
                let plan = inclusion_proof_plan(index, size).unwrap();
                let nodes = plan.nodes();
                assert!(nodes.len() <= 2 * 64, "{index} in {size}: {}", nodes.len());
                // One sibling per level, plus the size's peaks.
                assert!(nodes.len() <= 2 * bits(size), "{index} in {size}");
                assert!(nodes.iter().all(|id| id.end() <= size));
                assert!(nodes.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
            }
            for old in probes.into_iter().filter(|&o| o >= 1) {
                let plan = consistency_proof_plan(old, size).unwrap();
                let nodes = plan.nodes();
                assert!(nodes.len() <= 2 * 64, "{old} to {size}: {}", nodes.len());
                assert!(nodes.len() <= 2 * bits(size) + 1, "{old} to {size}");
                assert!(nodes.iter().all(|id| id.end() <= size));
                assert!(nodes.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
            }
        }
    }

    #[test]
    fn missing_nodes_are_named() {
        let plan = inclusion_proof_plan(0, 5).unwrap();
        // PATH(0, D[5]) = leaf 1, MTH(D[2..4)), MTH(D[4..5)).
        assert_eq!(
            plan.nodes(),
            [NodeId::new(0, 1), NodeId::new(0, 4), NodeId::new(1, 1)]
        );
        let err = plan
            .assemble(|id| (id != NodeId::new(1, 1)).then(|| leaf_hash(b"x")))
            .unwrap_err();
        assert_eq!(err, ProofError::MissingNode(NodeId::new(1, 1)));
        assert_eq!(err.code(), "proof_node_missing");
        assert!(err.message_ja().contains("レベル1"));
    }

    #[test]
    fn bad_arguments_are_errors_not_panics() {
        let x = leaf_hash(b"x");
        assert_eq!(inclusion_proof_plan(0, 0), Err(ProofError::EmptyTree));
        assert_eq!(
            inclusion_proof_plan(5, 5),
            Err(ProofError::IndexOutOfRange { index: 5, size: 5 })
        );
        assert_eq!(consistency_proof_plan(0, 5), Err(ProofError::OldSizeZero));
        assert_eq!(consistency_proof_plan(0, 0), Err(ProofError::OldSizeZero));
        assert_eq!(
            consistency_proof_plan(6, 5),
            Err(ProofError::OldSizeAfterNew {
                old_size: 6,
                new_size: 5
            })
        );
        assert_eq!(consistency_proof_plan(5, 5).map(|p| p.is_empty()), Ok(true));
        assert_eq!(inclusion_proof_ref(&[], 0), Err(ProofError::EmptyTree));
        assert_eq!(consistency_proof_ref(&[x], 0), Err(ProofError::OldSizeZero));
        assert_eq!(
            verify_inclusion(x, 0, 0, &[], x),
            Err(ProofError::EmptyTree)
        );
        assert_eq!(
            verify_inclusion(x, 1, 1, &[], x),
            Err(ProofError::IndexOutOfRange { index: 1, size: 1 })
        );
        assert_eq!(verify_inclusion(x, 0, 1, &[], x), Ok(()));
        assert_eq!(
            verify_inclusion(x, 0, 1, &[], flip(x, 0)),
            Err(ProofError::RootMismatch)
        );
        assert_eq!(
            verify_consistency(0, 3, x, x, &[]),
            Err(ProofError::OldSizeZero)
        );
        assert_eq!(
            verify_consistency(4, 3, x, x, &[x]),
            Err(ProofError::OldSizeAfterNew {
                old_size: 4,
                new_size: 3
            })
        );
        // Equal sizes: the empty proof, and the same root.
        assert_eq!(verify_consistency(3, 3, x, x, &[]), Ok(()));
        assert_eq!(
            verify_consistency(3, 3, x, flip(x, 9), &[]),
            Err(ProofError::NewRootMismatch)
        );
        assert_eq!(
            verify_consistency(3, 3, x, x, &[x]),
            Err(ProofError::Malformed)
        );
        assert_eq!(
            verify_consistency(3, 4, x, x, &[]),
            Err(ProofError::Malformed)
        );
        for err in [
            ProofError::EmptyTree,
            ProofError::OldSizeZero,
            ProofError::Malformed,
            ProofError::RootMismatch,
        ] {
            assert!(!err.message_ja().is_empty() && !err.message_en().is_empty());
        }
    }

    #[test]
    fn frontier_bytes_round_trip_and_bad_parts_are_refused() {
        let mut frontier = Frontier::empty();
        assert!(frontier.to_bytes().is_empty());
        assert_eq!(Frontier::from_bytes(0, &[]), Ok(Frontier::empty()));
        for leaf in leaves(11) {
            frontier.push(leaf);
            let bytes = frontier.to_bytes();
            assert_eq!(bytes.len(), 32 * frontier.size().count_ones() as usize);
            let back = Frontier::from_bytes(frontier.size(), &bytes).unwrap();
            assert_eq!(back, frontier);
            assert_eq!(back.root(), frontier.root());
        }
        // 11 = 8 + 2 + 1: three peaks, in that order.
        let bytes = frontier.to_bytes();
        assert_eq!(&bytes[..32], frontier.peaks()[0].as_bytes());
        assert_eq!(&bytes[64..], frontier.peaks()[2].as_bytes());

        // A frontier restored from its parts carries on as if never stored.
        let all = leaves(12);
        let mut restored = Frontier::from_parts(11, frontier.peaks().to_vec()).unwrap();
        assert_eq!(restored.push(all[11]), frontier.push(all[11]));
        assert_eq!(restored.root(), root_of(&all));

        assert_eq!(
            Frontier::from_parts(11, frontier.peaks()[..2].to_vec()),
            Err(FrontierError::PeakCount {
                size: 11,
                expected: 3,
                found: 2
            })
        );
        assert_eq!(
            Frontier::from_parts(0, vec![all[0]]).map_err(|e| e.code()),
            Err("frontier_peak_count")
        );
        assert_eq!(
            Frontier::from_bytes(12, &bytes[..40]),
            Err(FrontierError::ByteLength { found: 40 })
        );
        assert_eq!(
            Frontier::from_bytes(12, &bytes).map_err(|e| e.code()),
            Err("frontier_peak_count")
        );
    }
}
