//! The cryptography of sealed bids (封緘入札): nobody — the buyer included —
//! reads a bid before the opening (開札), and every bidder can later prove
//! what they submitted.
//!
//! Four parts, each in its own file:
//!
//! - [`keys`] — the [`MasterKey`] (outside the database: `MUSUBI_MASTER_KEY`
//!   or `<data-dir>/keys/master.key`), the per-tender [`TenderKey`] and its
//!   [`WrappedKey`] form, the only form the database ever holds.
//! - [`seal`] — [`TenderKey::seal`] / [`TenderKey::open`]: bid contents
//!   encrypted at rest, bound by [`BidAad`] to one tender, round and bidder.
//! - [`commitment`] — the [`CanonicalBid`], its canonical bytes, the bidder's
//!   secret [`Salt`] and the [`Commitment`] anyone can recompute at opening.
//! - [`receipt`] — the 受付票: a [`Receipt`] signed with Ed25519 by the
//!   server's [`SigningKeyPair`] ([`signing`], reusable for the transparency
//!   log), and the bidder's copy [`BidderReceipt`] that also carries the salt.
//!
//! # The flow
//!
//! ```text
//! start-up     master = MasterKey::load_or_create(data_dir)?
//!              signer = SigningKeyPair::load_or_create(data_dir, RECEIPT_SIGNING_KEY_FILE)?
//! publication  key = TenderKey::generate();  store master.wrap(&key, tender_id).into_bytes()
//! submission   key = master.unwrap(&stored, tender_id)?
//!              salt = Salt::generate();  c = commit(&canonical_bid, &salt)?
//!              store key.seal(&bid_bytes, &BidAad { tender_id, round, bidder_org_id })
//!              store receipt = Receipt::sign(ReceiptFields { …, commitment: c }, &signer)
//!              give the bidder BidderReceipt::new(receipt, &salt) — and forget the salt
//! opening      bid_bytes = key.open(&sealed, &aad)?;  publish the amount and the salt
//!              anyone: receipt.verify_opening(&public_key, &canonical_bid, &salt)
//! ```
//!
//! (`tests::the_whole_flow` runs exactly this.)
//!
//! # Algorithms
//!
//! - Encryption: XChaCha20-Poly1305 (AEAD, 256-bit keys, 192-bit nonces drawn
//!   at random for every message — random nonces of that size never repeat in
//!   practice, so no counter has to be kept in the database).
//! - Signatures: Ed25519 (RFC 8032), verified strictly
//!   (`verify_strict`: no small-order keys, no malleable signatures).
//! - Hashes: SHA-256.
//! - Randomness: the operating system's generator (`rand::rngs::OsRng`).
//!
//! All integers in binary formats are big-endian; `i64` as two's complement.
//!
//! # Key files and `MUSUBI_MASTER_KEY`
//!
//! A key (the master key, or an Ed25519 secret key's 32 seed bytes) is 32
//! bytes, written as standard base64 with padding (44 characters) and a
//! newline, so a file's content can be pasted into `MUSUBI_MASTER_KEY`. On
//! reading, base64 (padded or not) or 64 hexadecimal digits are accepted;
//! surrounding whitespace is ignored. A missing file is created once, with
//! mode 0600 in a directory of mode 0700, by writing a temporary file and
//! linking it into place (which, unlike a rename, never replaces a file
//! another process created meanwhile). An existing file is never overwritten:
//! losing the master key makes every sealed bid unreadable, so a damaged file
//! is an error to fix by restoring a backup, never a reason to make a new key.
//!
//! A key id is the first 8 bytes of SHA-256 of the key (for Ed25519: of the
//! 32-byte public key), as 16 lower-case hexadecimal digits.
//!
//! # Binary formats
//!
//! Wrapped tender key (81 bytes), key = master key:
//!
//! ```text
//! 0x01 ‖ master key id (8 bytes) ‖ nonce (24) ‖ ciphertext of the tender key (32) ‖ tag (16)
//! AAD = "musubi-tender-key-v1\n" ‖ 0x01 ‖ master key id (8) ‖ tender_id (i64, 8)
//! ```
//!
//! Sealed bid (41 + plaintext length bytes), key = the tender key:
//!
//! ```text
//! 0x01 ‖ nonce (24) ‖ ciphertext (plaintext length) ‖ tag (16)
//! AAD = "musubi-sealed-bid-v1\n" ‖ 0x01 ‖ tender_id (i64, 8) ‖ round (u32, 4) ‖ bidder_org_id (i64, 8)
//! ```
//!
//! # Commitment
//!
//! ```text
//! commitment = SHA-256( "musubi-bid-commitment-v1\n" ‖ canonical JSON ‖ "\n" ‖ salt )
//! ```
//!
//! where `salt` is the 64 lower-case hex digits of the 32 salt bytes (as ASCII
//! text), and the canonical JSON is UTF-8 JSON with exactly these keys in this
//! order, no whitespace, integers as JSON numbers, `null` for absent values:
//!
//! ```text
//! {"tender_id":12,"round":1,"bidder_org_id":34,"amount_yen":1500000,"lottery_number":"042","proposal_sha256":null,"attachments_sha256":["<64 hex>",…]}
//! ```
//!
//! Every string in it is restricted (`lottery_number`: exactly 3 ASCII digits;
//! hashes: 64 lower-case hex digits), so no string ever needs escaping and
//! Python reproduces it with
//! `json.dumps(bid, separators=(",", ":")).encode()` on a dict built in the
//! key order above. The commitment is shown as 64 lower-case hex digits.
//!
//! # Receipt (受付票)
//!
//! The signed message is
//!
//! ```text
//! "musubi-receipt-v1\n" ‖ canonical JSON of the signed fields
//! ```
//!
//! with the canonical JSON holding exactly these keys in this order, no
//! whitespace, strings as `serde_json` writes them (UTF-8, not `\u`-escaped
//! except `"`, `\` and control characters — Python:
//! `json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()`):
//!
//! ```text
//! {"version":1,"tender_id":12,"round":1,"bidder_org_id":34,"bidder_name":"株式会社結び","received_at":"2026-04-01T00:00:00.123456Z","commitment":"<64 hex>","key_id":"<16 hex>"}
//! ```
//!
//! `received_at` is RFC 3339 in UTC with exactly six fractional digits and
//! `Z`. The receipt as stored and sent is those fields plus `"signature"`
//! (standard base64 with padding of the 64 signature bytes); the bidder's
//! copy adds `"salt"`, which is not signed: the server forgets it.

pub mod commitment;
pub mod error;
pub mod keys;
pub mod receipt;
pub mod seal;
pub mod signing;

pub use commitment::{CanonicalBid, Commitment, Salt, commit, verify_commitment};
pub use error::{CommitmentError, KeyError, ParseHexError, ReceiptError, SealError};
pub use keys::{KeySource, MASTER_KEY_ENV, MasterKey, TenderKey, WrappedKey};
pub use receipt::{BidderReceipt, RECEIPT_VERSION, Receipt, ReceiptFields};
pub use seal::BidAad;
pub use signing::{RECEIPT_SIGNING_KEY_FILE, SigningKeyPair, key_id_of, verify};

/// Lower-case hexadecimal of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Exactly `N` bytes from `2N` hexadecimal digits (either case).
pub(crate) fn from_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let s = s.as_bytes();
    if s.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in s.chunks_exact(2).enumerate() {
        out[i] = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(out)
}

/// Whether `s` is 64 lower-case hex digits (a SHA-256 as this module writes it).
pub(crate) fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `N` bytes from the operating system's random generator.
///
/// # Panics
///
/// If the operating system cannot give random bytes — as `rand::rng()`
/// does: nothing secret can be made without them.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    use rand::TryRngCore;
    let mut bytes = [0u8; N];
    if let Err(e) = rand::rngs::OsRng.try_fill_bytes(&mut bytes) {
        panic!("the operating system's random number generator failed: {e}");
    }
    bytes
}

/// The first 8 bytes of SHA-256 of `bytes`, as 16 hex digits.
pub(crate) fn short_id(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    to_hex(&Sha256::digest(bytes)[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_flow() {
        let data = tempfile::tempdir().unwrap();
        let master = MasterKey::resolve(None, data.path()).unwrap();
        let signer = SigningKeyPair::load_or_create(data.path(), RECEIPT_SIGNING_KEY_FILE).unwrap();

        // Publication: the database keeps only the wrapped key.
        let stored = master.wrap(&TenderKey::generate(), 7).into_bytes();

        // Submission.
        let key = master.unwrap(&stored, 7).unwrap();
        let bid = CanonicalBid {
            tender_id: 7,
            round: 1,
            bidder_org_id: 1001,
            amount_yen: Some(9_800_000),
            lottery_number: Some("317".into()),
            proposal_sha256: None,
            attachments_sha256: vec![],
        };
        let aad = BidAad {
            tender_id: 7,
            round: 1,
            bidder_org_id: 1001,
        };
        let salt = Salt::generate();
        let sealed = key.seal(bid.canonical_json().unwrap().as_bytes(), &aad);
        let receipt = Receipt::sign(
            ReceiptFields {
                tender_id: 7,
                round: 1,
                bidder_org_id: 1001,
                bidder_name: "結び建設株式会社".into(),
                received_at: chrono::Utc::now(),
                commitment: commit(&bid, &salt).unwrap(),
            },
            &signer,
        );
        let for_bidder =
            serde_json::to_string(&BidderReceipt::new(receipt.clone(), &salt)).unwrap();
        drop((key, salt));

        // Opening, after a restart: the same keys come back from the files.
        let master = MasterKey::resolve(None, data.path()).unwrap();
        let signer = SigningKeyPair::load_or_create(data.path(), RECEIPT_SIGNING_KEY_FILE).unwrap();
        let key = master.unwrap(&stored, 7).unwrap();
        let opened: CanonicalBid =
            serde_json::from_slice(&key.open(&sealed, &aad).unwrap()).unwrap();
        assert_eq!(opened, bid);
        let bidder: BidderReceipt = serde_json::from_str(&for_bidder).unwrap();
        let public = signer.public_key_bytes();
        receipt
            .verify_opening(&public, &opened, &bidder.salt().unwrap())
            .unwrap();
    }

    #[test]
    fn hex_round_trips_and_rejects_bad_digits() {
        assert_eq!(to_hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(from_hex::<4>("000fa5ff"), Some([0x00, 0x0f, 0xa5, 0xff]));
        assert_eq!(from_hex::<4>("000FA5FF"), Some([0x00, 0x0f, 0xa5, 0xff]));
        assert_eq!(from_hex::<4>("000fa5f"), None);
        assert_eq!(from_hex::<4>("000fa5fg"), None);
        assert_eq!(from_hex::<2>("+1ab"), None);
        assert!(is_sha256_hex(&"ab".repeat(32)));
        assert!(!is_sha256_hex(&"AB".repeat(32)));
        assert_ne!(random_bytes::<32>(), random_bytes::<32>());
    }
}
