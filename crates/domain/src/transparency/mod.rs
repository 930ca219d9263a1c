//! The pure core of Musubi's transparency log: an append-only Merkle tree of
//! bidding events, exactly as RFC 9162 (Certificate Transparency 2.0) §2.1
//! defines it, so that any RFC 6962/9162 verifier can check our proofs.
//!
//! - [`Hash`](struct@Hash): a SHA-256 value, shown and serialised as 64 lower-case hex digits;
//!   [`leaf_hash`], [`node_hash`] and [`empty_root`] are the RFC's hashes
//!   (`0x00` and `0x01` prefixes keep leaves and interior nodes apart).
//! - [`merkle`]: the tree as the database keeps it — the hash of every
//!   complete aligned subtree ([`NodeId`]) and the [`Frontier`] an append
//!   needs — proof *plans* that say which stored nodes a proof is made of
//!   ([`inclusion_proof_plan`], [`consistency_proof_plan`], [`ProofPlan`]),
//!   the RFC's verification algorithms ([`verify_inclusion`],
//!   [`verify_consistency`]), and O(n) reference implementations of the RFC's
//!   recursive definitions for tests and benchmark baselines.
//! - [`tree_head`]: the [`TreeHead`] a log signs and the exact bytes signed.
//! - [`entry`]: what is logged — one [`entry::LogEntry`] per bidding event.
//!
//! No I/O and no crypto beyond SHA-256: the signature (Ed25519) is made in the
//! app crate over [`TreeHead::signed_bytes`].

pub mod entry;
pub mod merkle;
pub mod tree_head;

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::text;

pub use merkle::{
    Frontier, FrontierError, NodeId, ProofError, ProofPlan, Range, consistency_proof_plan,
    consistency_proof_ref, inclusion_proof_plan, inclusion_proof_ref, root_of, verify_consistency,
    verify_inclusion,
};
pub use tree_head::{TreeHead, TreeHeadError};

/// A SHA-256 hash: a leaf hash, an interior node hash or a tree root.
///
/// Shown (`Display`, `Debug`) and serialised as 64 lower-case hex digits;
/// parsed from 64 hex digits of either case.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Hash([u8; 32]);

/// Why a string is not a [`Hash`](struct@Hash).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashParseError {
    #[error("hash must have 64 hex digits, found {found}")]
    InvalidLength { found: usize },
    #[error("hash may contain only hex digits, found {found:?} at position {position}")]
    InvalidCharacter { found: char, position: usize },
}

impl HashParseError {
    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidLength { .. } => "hash_length",
            Self::InvalidCharacter { .. } => "hash_invalid_character",
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match self {
            Self::InvalidLength { found } => {
                format!("ハッシュ値は16進数64桁で入力してください（入力された桁数：{found}桁）。")
            }
            Self::InvalidCharacter { found, position } => format!(
                "ハッシュ値は16進数（0〜9、a〜f）のみで入力してください（{position}文字目に「{found}」が含まれています）。"
            ),
        }
    }

    /// English message for the UI.
    pub fn message_en(&self) -> String {
        match self {
            Self::InvalidLength { found } => {
                format!("Enter the hash as 64 hex digits ({found} characters entered).")
            }
            Self::InvalidCharacter { found, position } => format!(
                "A hash may contain only hex digits 0-9 and a-f (found \"{found}\" at position {position})."
            ),
        }
    }
}

impl_domain_error!(HashParseError);

impl Hash {
    /// Length in bytes.
    pub const LEN: usize = 32;

    /// The hash with these bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 32 bytes, by value.
    pub const fn to_bytes(self) -> [u8; 32] {
        self.0
    }

    /// 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(64);
        for b in self.0 {
            out.push(char::from(DIGITS[usize::from(b >> 4)]));
            out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
        }
        out
    }

    /// Parses 64 hex digits of either case (surrounding whitespace trimmed,
    /// full-width characters folded, as every parser here does).
    pub fn parse(input: &str) -> Result<Self, HashParseError> {
        let normalized = text::normalize(input);
        let mut nibbles = [0u8; 64];
        let mut count = 0;
        for (i, c) in normalized.chars().enumerate() {
            let Some(value) = c.to_digit(16) else {
                return Err(HashParseError::InvalidCharacter {
                    found: c,
                    position: i + 1,
                });
            };
            if count < nibbles.len() {
                // to_digit(16) is below 16, so the cast is lossless.
                nibbles[count] = value as u8;
            }
            count += 1;
        }
        if count != nibbles.len() {
            return Err(HashParseError::InvalidLength { found: count });
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(nibbles.chunks_exact(2)) {
            *byte = (pair[0] << 4) | pair[1];
        }
        Ok(Self(bytes))
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Hex, not a list of 32 numbers, so test failures and logs are readable.
impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl From<[u8; 32]> for Hash {
    fn from(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl From<Hash> for [u8; 32] {
    fn from(hash: Hash) -> Self {
        hash.0
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl_string_conversions!(Hash, HashParseError);

fn sha256(parts: &[&[u8]]) -> Hash {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    Hash(hasher.finalize().into())
}

/// The hash of a leaf (RFC 9162 §2.1.1): `SHA-256(0x00 ‖ entry)`.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    sha256(&[&[0x00], entry])
}

/// The hash of an interior node (RFC 9162 §2.1.1):
/// `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    sha256(&[&[0x01], &left.0, &right.0])
}

/// The root of the empty tree (RFC 9162 §2.1.1): `SHA-256("")`.
pub fn empty_root() -> Hash {
    sha256(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_is_lower_case() {
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            // i < 32, so i * 8 + 7 fits in a byte.
            *b = (i as u8) * 8 + 7;
        }
        let hash = Hash::from_bytes(bytes);
        let hex = hash.to_hex();
        assert_eq!(
            hex,
            "070f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7ff"
        );
        assert_eq!(hex.parse::<Hash>(), Ok(hash));
        assert_eq!(Hash::parse(&hex.to_uppercase()), Ok(hash));
        assert_eq!(hash.to_string(), hex);
        assert_eq!(format!("{hash:?}"), format!("Hash({hex})"));
    }

    #[test]
    fn parse_errors_are_typed() {
        assert_eq!(
            Hash::parse("abc"),
            Err(HashParseError::InvalidLength { found: 3 })
        );
        assert_eq!(
            Hash::parse(&"0".repeat(65)),
            Err(HashParseError::InvalidLength { found: 65 })
        );
        assert_eq!(
            Hash::parse(""),
            Err(HashParseError::InvalidLength { found: 0 })
        );
        let mut bad = "0".repeat(64);
        bad.replace_range(9..10, "g");
        let err = Hash::parse(&bad).unwrap_err();
        assert_eq!(
            err,
            HashParseError::InvalidCharacter {
                found: 'g',
                position: 10
            }
        );
        assert_eq!(err.code(), "hash_invalid_character");
        assert!(err.message_ja().contains("10文字目"));
    }

    #[test]
    fn serde_is_the_hex_string() {
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error as DeError, StrDeserializer};

        let hash = empty_root();
        let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        // `into = "String"`: serialising goes through this conversion.
        assert_eq!(String::from(hash), hex);
        let de: StrDeserializer<DeError> = hex.into_deserializer();
        assert_eq!(Hash::deserialize(de).unwrap(), hash);
        let de: StrDeserializer<DeError> = "e3b0".into_deserializer();
        assert!(Hash::deserialize(de).is_err());
    }

    #[test]
    fn hashes_are_the_rfc_ones() {
        // Written out byte by byte from RFC 9162 §2.1.1, not through the
        // functions under test.
        let digest = |bytes: &[u8]| Hash(Sha256::digest(bytes).into());
        assert_eq!(leaf_hash(b"abc"), digest(b"\x00abc"));
        let (l, r) = (digest(b"left"), digest(b"right"));
        let mut node = vec![0x01];
        node.extend_from_slice(l.as_bytes());
        node.extend_from_slice(r.as_bytes());
        assert_eq!(node_hash(&l, &r), digest(&node));
        assert_ne!(node_hash(&l, &r), node_hash(&r, &l));
        assert_eq!(
            empty_root().to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
