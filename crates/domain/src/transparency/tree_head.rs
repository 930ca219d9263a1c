//! The tree head the log signs: its size, when, and its root.
//!
//! # Signed bytes (`musubi-tree-head-v1`)
//!
//! The signature (Ed25519, made in the app crate) covers exactly
//! [`TreeHead::signed_bytes`], 68 bytes:
//!
//! | bytes   | content                                                  |
//! |---------|----------------------------------------------------------|
//! | 0..20   | ASCII `musubi-tree-head-v1` and a line feed (`0x0a`)     |
//! | 20..28  | tree size, unsigned 64-bit big-endian                    |
//! | 28..36  | timestamp, milliseconds since 1970-01-01T00:00:00Z, u64 BE |
//! | 36..68  | root hash, 32 bytes                                      |
//!
//! The prefix names the format and version, so a signature over these bytes
//! can never be taken for a signature over anything else the key signs
//! (receipts), and a later format gets a new prefix. Never change this
//! layout: published signatures depend on it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Hash;

/// The domain-separation prefix of [`TreeHead::signed_bytes`].
pub const SIGNED_PREFIX: &[u8; 20] = b"musubi-tree-head-v1\n";

/// A tree head: the log's size and root at an instant, to be signed.
///
/// The timestamp is kept to the millisecond (what is signed), never before
/// 1970.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawTreeHead")]
pub struct TreeHead {
    tree_size: u64,
    timestamp: DateTime<Utc>,
    root_hash: Hash,
}

/// The unchecked serde shape, so deserialising goes through [`TreeHead::new`].
#[derive(Deserialize)]
struct RawTreeHead {
    tree_size: u64,
    timestamp: DateTime<Utc>,
    root_hash: Hash,
}

impl TryFrom<RawTreeHead> for TreeHead {
    type Error = TreeHeadError;
    fn try_from(raw: RawTreeHead) -> Result<Self, Self::Error> {
        TreeHead::new(raw.tree_size, raw.timestamp, raw.root_hash)
    }
}

/// Why values do not make a [`TreeHead`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeHeadError {
    #[error("tree head timestamp {timestamp} is before 1970")]
    TimestampBeforeEpoch { timestamp: DateTime<Utc> },
}

impl TreeHeadError {
    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TimestampBeforeEpoch { .. } => "tree_head_timestamp_before_epoch",
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match self {
            Self::TimestampBeforeEpoch { .. } => {
                "ツリーヘッドの日時が1970年より前になっています。".to_owned()
            }
        }
    }

    /// English message for the UI.
    pub fn message_en(&self) -> String {
        match self {
            Self::TimestampBeforeEpoch { .. } => {
                "The tree head's timestamp is before 1970.".to_owned()
            }
        }
    }
}

impl_domain_error!(TreeHeadError);

impl TreeHead {
    /// The head of a tree of `tree_size` leaves with root `root_hash` at
    /// `timestamp`, truncated to the millisecond.
    pub fn new(
        tree_size: u64,
        timestamp: DateTime<Utc>,
        root_hash: Hash,
    ) -> Result<Self, TreeHeadError> {
        let millis = timestamp.timestamp_millis();
        if millis < 0 {
            return Err(TreeHeadError::TimestampBeforeEpoch { timestamp });
        }
        let timestamp = DateTime::from_timestamp_millis(millis)
            .expect("a millisecond count taken from a DateTime converts back");
        Ok(Self {
            tree_size,
            timestamp,
            root_hash,
        })
    }

    /// How many entries the log held.
    pub fn tree_size(&self) -> u64 {
        self.tree_size
    }

    /// When the head was made, to the millisecond.
    pub fn timestamp(&self) -> DateTime<Utc> {
        self.timestamp
    }

    /// [`TreeHead::timestamp`] in milliseconds since the Unix epoch, as signed.
    pub fn timestamp_millis(&self) -> u64 {
        // `new` refuses instants before the epoch.
        self.timestamp.timestamp_millis().unsigned_abs()
    }

    /// The Merkle tree root (MTH) over the first `tree_size` entries.
    pub fn root_hash(&self) -> Hash {
        self.root_hash
    }

    /// The exact bytes a signature covers; see the module documentation.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(SIGNED_PREFIX.len() + 8 + 8 + Hash::LEN);
        out.extend_from_slice(SIGNED_PREFIX);
        out.extend_from_slice(&self.tree_size.to_be_bytes());
        out.extend_from_slice(&self.timestamp_millis().to_be_bytes());
        out.extend_from_slice(self.root_hash.as_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn signed_bytes_are_pinned() {
        let root = Hash::parse("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
            .unwrap();
        // 2026-04-01T00:00:00.123456789Z: the nanoseconds are dropped.
        let at = Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap()
            + chrono::Duration::nanoseconds(123_456_789);
        let head = TreeHead::new(0x0102_0304_0506_0708, at, root).unwrap();
        // 1_775_001_600_123 ms = 0x0000_019d_4657_007b.
        let mut expected = b"musubi-tree-head-v1\n".to_vec();
        expected.extend_from_slice(&[0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]);
        expected.extend_from_slice(&[0x00, 0x00, 0x01, 0x9d, 0x46, 0x57, 0x00, 0x7b]);
        expected.extend_from_slice(&[
            0x5d, 0xc9, 0xda, 0x79, 0xa7, 0x06, 0x59, 0xa9, 0xad, 0x55, 0x9c, 0xb7, 0x01, 0xde,
            0xd9, 0xa2, 0xab, 0x9d, 0x82, 0x3a, 0xad, 0x2f, 0x49, 0x60, 0xcf, 0xe3, 0x70, 0xef,
            0xf4, 0x60, 0x43, 0x28,
        ]);
        assert_eq!(head.signed_bytes(), expected);
        assert_eq!(head.signed_bytes().len(), 68);
        assert_eq!(head.timestamp_millis(), 1_775_001_600_123);
        assert_eq!(
            head.timestamp(),
            Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap()
                + chrono::Duration::milliseconds(123)
        );
        assert_eq!(head.tree_size(), 0x0102_0304_0506_0708);
        assert_eq!(head.root_hash(), root);
    }

    #[test]
    fn timestamps_before_1970_are_refused() {
        let root = crate::transparency::empty_root();
        let before = Utc.with_ymd_and_hms(1969, 12, 31, 23, 59, 59).unwrap();
        let err = TreeHead::new(0, before, root).unwrap_err();
        assert_eq!(err.code(), "tree_head_timestamp_before_epoch");
        let epoch = DateTime::UNIX_EPOCH;
        let head = TreeHead::new(0, epoch, root).unwrap();
        assert_eq!(&head.signed_bytes()[20..36], &[0u8; 16]);
    }
}
