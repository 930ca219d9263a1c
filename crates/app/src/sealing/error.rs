//! What loading keys, opening sealed data, building commitments and checking
//! receipts can fail with. Messages name the variable or file at fault and
//! never contain key material.

use std::path::PathBuf;

/// Loading or creating a key (`MUSUBI_MASTER_KEY`, a key file).
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The environment variable is set but does not hold a key.
    #[error(
        "{var} is not 32 bytes of base64 or hex (it has {chars} characters; expected 44 base64 or 64 hex digits)"
    )]
    EnvMalformed { var: &'static str, chars: usize },
    /// The environment variable is set but not valid Unicode.
    #[error("{var} is not valid Unicode text (expected 44 base64 or 64 hex digits)")]
    EnvNotUnicode { var: &'static str },
    /// A key file exists but cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A key file exists but does not hold a key (truncated or edited).
    #[error(
        "{} does not hold a 32-byte key in base64 or hex (truncated or edited?); restore it from a backup — it is never replaced automatically",
        path.display()
    )]
    FileMalformed { path: PathBuf },
    /// A missing key file (or its directory) cannot be created.
    #[error("cannot create {}: {source}", path.display())]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Opening a sealed bid or unwrapping a tender key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// Too short to hold the header, nonce and tag.
    #[error("the {what} is too short ({len} bytes) to be valid")]
    Truncated { what: &'static str, len: usize },
    /// A format version this build does not know.
    #[error("the {what} has format version {version}, which this version of Musubi does not know")]
    UnsupportedVersion { what: &'static str, version: u8 },
    /// The tender key was wrapped under another master key.
    #[error(
        "the tender key was wrapped by master key {wrapped_by}, but the master key in use is {in_use} (check MUSUBI_MASTER_KEY or keys/master.key)"
    )]
    WrongMasterKey { wrapped_by: String, in_use: String },
    /// Authentication failed: wrong key, bound to another tender/round/bidder,
    /// or altered.
    #[error(
        "the {what} does not open: it was sealed with another key or for another {binding}, or it was altered"
    )]
    Decrypt {
        what: &'static str,
        binding: &'static str,
    },
}

/// A [`CanonicalBid`](super::CanonicalBid) field that cannot be encoded canonically.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommitmentError {
    #[error("{field} must be {expected}")]
    InvalidField {
        field: &'static str,
        expected: &'static str,
    },
}

/// Text that is not the hex form of a salt, commitment or similar value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {what} is {digits} hexadecimal digits")]
pub struct ParseHexError {
    pub what: &'static str,
    pub digits: usize,
}

/// Checking a receipt (受付票).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("receipt version {0} is not known to this version of Musubi")]
    UnsupportedVersion(u32),
    #[error("the public key is not a valid Ed25519 public key (32 bytes)")]
    MalformedPublicKey,
    #[error("the receipt was signed by key {receipt_key_id}, not by the given key {public_key_id}")]
    WrongKey {
        receipt_key_id: String,
        public_key_id: String,
    },
    #[error("the receipt's signature is not 64 bytes of base64")]
    MalformedSignature,
    #[error("the receipt's signature does not match its contents: it was altered or forged")]
    BadSignature,
    #[error(
        "the receipt is for tender {receipt}, round {receipt_round}, bidder {receipt_bidder}, not for the opened bid (tender {bid}, round {bid_round}, bidder {bid_bidder})"
    )]
    OtherBid {
        receipt: i64,
        receipt_round: u32,
        receipt_bidder: i64,
        bid: i64,
        bid_round: u32,
        bid_bidder: i64,
    },
    #[error("the receipt's commitment is not 64 hexadecimal digits")]
    MalformedCommitment,
    #[error("the opened bid and salt do not match the receipt's commitment")]
    CommitmentMismatch,
    #[error("the bid cannot be encoded canonically: {0}")]
    Bid(#[from] CommitmentError),
}
