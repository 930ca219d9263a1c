//! The receipt (受付票) a bidder gets at submission: who bid on what, when,
//! and the bid's commitment, signed by the server with Ed25519.
//!
//! The signed message is `"musubi-receipt-v1\n"` followed by the canonical
//! JSON of every field but `signature` ([`Receipt::signed_bytes`]). The salt
//! is never signed nor kept by the server: only the bidder's copy
//! ([`BidderReceipt`]) carries it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::commitment::{CanonicalBid, Commitment, Salt, commit};
use super::error::ReceiptError;
use super::signing::{SIGNATURE_LEN, SigningKeyPair, key_id_of, verify};

/// The receipt format this build writes and checks.
pub const RECEIPT_VERSION: u32 = 1;

const DOMAIN: &[u8] = b"musubi-receipt-v1\n";

/// What the server states in a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptFields {
    pub tender_id: i64,
    pub round: u32,
    pub bidder_org_id: i64,
    /// The bidder's name at submission, as shown on the receipt.
    pub bidder_name: String,
    /// Written with microseconds; finer digits are dropped.
    pub received_at: DateTime<Utc>,
    pub commitment: Commitment,
}

/// A signed receipt, as stored, sent and published. Its JSON form has these
/// keys in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub version: u32,
    pub tender_id: i64,
    pub round: u32,
    pub bidder_org_id: i64,
    pub bidder_name: String,
    /// RFC 3339, UTC, six fractional digits, `Z`: `2026-04-01T00:00:00.123456Z`.
    pub received_at: String,
    /// 64 lower-case hex digits.
    pub commitment: String,
    /// The signing key's id (16 hex digits).
    pub key_id: String,
    /// Standard base64 (padded) of the 64-byte Ed25519 signature of
    /// [`signed_bytes`](Receipt::signed_bytes).
    pub signature: String,
}

/// The signed part, in canonical order.
#[derive(Serialize)]
struct SignedBody<'a> {
    version: u32,
    tender_id: i64,
    round: u32,
    bidder_org_id: i64,
    bidder_name: &'a str,
    received_at: &'a str,
    commitment: &'a str,
    key_id: &'a str,
}

impl Receipt {
    /// Signs `fields` with `key`.
    pub fn sign(fields: ReceiptFields, key: &SigningKeyPair) -> Receipt {
        let mut receipt = Receipt {
            version: RECEIPT_VERSION,
            tender_id: fields.tender_id,
            round: fields.round,
            bidder_org_id: fields.bidder_org_id,
            bidder_name: fields.bidder_name,
            received_at: fields
                .received_at
                .to_rfc3339_opts(SecondsFormat::Micros, true),
            commitment: fields.commitment.to_string(),
            key_id: key.key_id().to_string(),
            signature: String::new(),
        };
        receipt.signature = STANDARD.encode(key.sign(&receipt.signed_bytes()));
        receipt
    }

    /// `"musubi-receipt-v1\n"` ‖ the UTF-8 JSON of `version`, `tender_id`,
    /// `round`, `bidder_org_id`, `bidder_name`, `received_at`, `commitment`,
    /// `key_id` in this order, without whitespace (strings escaped only for
    /// `"`, `\` and control characters).
    pub fn signed_bytes(&self) -> Vec<u8> {
        let body = SignedBody {
            version: self.version,
            tender_id: self.tender_id,
            round: self.round,
            bidder_org_id: self.bidder_org_id,
            bidder_name: &self.bidder_name,
            received_at: &self.received_at,
            commitment: &self.commitment,
            key_id: &self.key_id,
        };
        let mut bytes = DOMAIN.to_vec();
        serde_json::to_writer(&mut bytes, &body).expect("a receipt body always serialises");
        bytes
    }

    /// Checks the signature against `public_key` (its 32 bytes).
    pub fn verify(&self, public_key: &[u8]) -> Result<(), ReceiptError> {
        if self.version != RECEIPT_VERSION {
            return Err(ReceiptError::UnsupportedVersion(self.version));
        }
        if public_key.len() != super::signing::PUBLIC_KEY_LEN {
            return Err(ReceiptError::MalformedPublicKey);
        }
        let public_key_id = key_id_of(public_key);
        if self.key_id != public_key_id {
            return Err(ReceiptError::WrongKey {
                receipt_key_id: self.key_id.clone(),
                public_key_id,
            });
        }
        let signature = STANDARD
            .decode(&self.signature)
            .ok()
            .filter(|s| s.len() == SIGNATURE_LEN)
            .ok_or(ReceiptError::MalformedSignature)?;
        if verify(public_key, &self.signed_bytes(), &signature) {
            Ok(())
        } else {
            Err(ReceiptError::BadSignature)
        }
    }

    /// The commitment, parsed.
    pub fn commitment(&self) -> Result<Commitment, ReceiptError> {
        self.commitment
            .parse()
            .map_err(|_| ReceiptError::MalformedCommitment)
    }

    /// The check anyone can make at the opening (開札): the receipt is
    /// genuine, it is for this tender, round and bidder, and the revealed bid
    /// and salt give its commitment.
    pub fn verify_opening(
        &self,
        public_key: &[u8],
        bid: &CanonicalBid,
        salt: &Salt,
    ) -> Result<(), ReceiptError> {
        self.verify(public_key)?;
        if (self.tender_id, self.round, self.bidder_org_id)
            != (bid.tender_id, bid.round, bid.bidder_org_id)
        {
            return Err(ReceiptError::OtherBid {
                receipt: self.tender_id,
                receipt_round: self.round,
                receipt_bidder: self.bidder_org_id,
                bid: bid.tender_id,
                bid_round: bid.round,
                bid_bidder: bid.bidder_org_id,
            });
        }
        if commit(bid, salt)? == self.commitment()? {
            Ok(())
        } else {
            Err(ReceiptError::CommitmentMismatch)
        }
    }
}

/// The bidder's copy: the receipt's fields, then `salt` (64 hex digits) and
/// `transparency` (the log's proof), in one JSON object. The salt is not signed; keep it secret until the
/// opening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidderReceipt {
    #[serde(flatten)]
    pub receipt: Receipt,
    pub salt: String,
    /// Proof that the transparency log holds the bid's commitment (not
    /// signed with the receipt: it is checked against the log's signed
    /// tree head it carries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transparency: Option<crate::transparency::ReceiptProof>,
}

impl BidderReceipt {
    pub fn new(receipt: Receipt, salt: &Salt) -> BidderReceipt {
        BidderReceipt {
            receipt,
            salt: salt.to_hex(),
            transparency: None,
        }
    }

    /// The salt, parsed.
    pub fn salt(&self) -> Result<Salt, super::error::ParseHexError> {
        self.salt.parse()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::sealing::from_hex;

    fn bid() -> CanonicalBid {
        CanonicalBid {
            tender_id: 12,
            round: 1,
            bidder_org_id: 34,
            amount_yen: Some(1_500_000),
            lottery_number: Some("042".into()),
            proposal_sha256: None,
            attachments_sha256: vec![],
        }
    }

    fn fields(commitment: Commitment) -> ReceiptFields {
        ReceiptFields {
            tender_id: 12,
            round: 1,
            bidder_org_id: 34,
            bidder_name: "株式会社\"結び\"\\".into(),
            received_at: Utc
                .with_ymd_and_hms(2026, 4, 1, 0, 0, 0)
                .unwrap()
                .checked_add_signed(chrono::Duration::nanoseconds(123_456_789))
                .unwrap(),
            commitment,
        }
    }

    #[test]
    fn signs_and_verifies_with_the_public_key_alone() {
        let key = SigningKeyPair::generate();
        let salt = Salt::generate();
        let receipt = Receipt::sign(fields(commit(&bid(), &salt).unwrap()), &key);
        assert_eq!(receipt.version, 1);
        assert_eq!(receipt.received_at, "2026-04-01T00:00:00.123456Z");
        assert_eq!(receipt.key_id, key.key_id());
        receipt.verify(&key.public_key_bytes()).unwrap();

        // Through JSON, checked by someone with only the base64 public key.
        let json = serde_json::to_string(&receipt).unwrap();
        let back: Receipt = serde_json::from_str(&json).unwrap();
        let public = STANDARD.decode(key.public_key_base64()).unwrap();
        back.verify(&public).unwrap();
        back.verify_opening(&public, &bid(), &salt).unwrap();
    }

    #[test]
    fn signed_bytes_are_the_documented_canonical_json() {
        let key = SigningKeyPair::from_secret_bytes(&[7; 32]);
        let commitment = Commitment::from_bytes([0xab; 32]);
        let receipt = Receipt::sign(fields(commitment), &key);
        let expected = format!(
            "musubi-receipt-v1\n{{\"version\":1,\"tender_id\":12,\"round\":1,\"bidder_org_id\":34,\"bidder_name\":\"株式会社\\\"結び\\\"\\\\\",\"received_at\":\"2026-04-01T00:00:00.123456Z\",\"commitment\":\"{}\",\"key_id\":\"{}\"}}",
            "ab".repeat(32),
            key.key_id()
        );
        assert_eq!(String::from_utf8(receipt.signed_bytes()).unwrap(), expected);
        let signature = STANDARD.decode(&receipt.signature).unwrap();
        assert!(verify(
            &key.public_key_bytes(),
            expected.as_bytes(),
            &signature
        ));
        // Ed25519 is deterministic: the same key and fields, the same signature.
        assert_eq!(Receipt::sign(fields(commitment), &key), receipt);
    }

    #[test]
    fn any_altered_field_or_signature_fails() {
        let key = SigningKeyPair::generate();
        let public = key.public_key_bytes();
        let receipt = Receipt::sign(fields(Commitment::from_bytes([1; 32])), &key);
        let changes: Vec<fn(&mut Receipt)> = vec![
            |r| r.tender_id += 1,
            |r| r.round += 1,
            |r| r.bidder_org_id += 1,
            |r| r.bidder_name.push('株'),
            |r| r.received_at = "2026-04-01T00:00:00.123457Z".into(),
            |r| r.commitment = "02".repeat(32),
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut r = receipt.clone();
            change(&mut r);
            assert_eq!(
                r.verify(&public),
                Err(ReceiptError::BadSignature),
                "change {i}"
            );
        }

        let mut r = receipt.clone();
        let mut sig = STANDARD.decode(&r.signature).unwrap();
        sig[0] ^= 1;
        r.signature = STANDARD.encode(&sig);
        assert_eq!(r.verify(&public), Err(ReceiptError::BadSignature));
        r.signature = STANDARD.encode(&sig[..63]);
        assert_eq!(r.verify(&public), Err(ReceiptError::MalformedSignature));
        r.signature = "not base64!".into();
        assert_eq!(r.verify(&public), Err(ReceiptError::MalformedSignature));

        let mut r = receipt.clone();
        r.version = 2;
        assert_eq!(r.verify(&public), Err(ReceiptError::UnsupportedVersion(2)));

        let other = SigningKeyPair::generate();
        assert_eq!(
            receipt.verify(&other.public_key_bytes()),
            Err(ReceiptError::WrongKey {
                receipt_key_id: key.key_id().into(),
                public_key_id: other.key_id().into(),
            })
        );
        // Claiming the other key's id does not help a forger.
        let mut r = receipt.clone();
        r.key_id = other.key_id().into();
        assert_eq!(
            r.verify(&other.public_key_bytes()),
            Err(ReceiptError::BadSignature)
        );
        assert_eq!(
            receipt.verify(&public[..31]),
            Err(ReceiptError::MalformedPublicKey)
        );
    }

    #[test]
    fn opening_check_needs_the_same_bid_and_salt() {
        let key = SigningKeyPair::generate();
        let public = key.public_key_bytes();
        let salt = Salt::generate();
        let receipt = Receipt::sign(fields(commit(&bid(), &salt).unwrap()), &key);
        receipt.verify_opening(&public, &bid(), &salt).unwrap();

        let cheaper = CanonicalBid {
            amount_yen: Some(1_400_000),
            ..bid()
        };
        assert_eq!(
            receipt.verify_opening(&public, &cheaper, &salt),
            Err(ReceiptError::CommitmentMismatch)
        );
        assert_eq!(
            receipt.verify_opening(&public, &bid(), &Salt::generate()),
            Err(ReceiptError::CommitmentMismatch)
        );
        let other_round = CanonicalBid { round: 2, ..bid() };
        assert!(matches!(
            receipt.verify_opening(&public, &other_round, &salt),
            Err(ReceiptError::OtherBid { bid_round: 2, .. })
        ));
    }

    #[test]
    fn bidder_copy_carries_the_unsigned_salt() {
        let key = SigningKeyPair::generate();
        let salt = Salt::from_bytes(from_hex::<32>(&"5a".repeat(32)).unwrap());
        let receipt = Receipt::sign(fields(commit(&bid(), &salt).unwrap()), &key);
        let copy = BidderReceipt::new(receipt.clone(), &salt);
        let json = serde_json::to_value(&copy).unwrap();
        let keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            keys.len(),
            10,
            "the nine receipt fields and the salt: {keys:?}"
        );
        assert_eq!(json["salt"], "5a".repeat(32));
        assert_eq!(json["tender_id"], 12);
        assert!(
            !String::from_utf8(receipt.signed_bytes())
                .unwrap()
                .contains(&"5a".repeat(32))
        );

        let back: BidderReceipt = serde_json::from_value(json).unwrap();
        assert_eq!(back, copy);
        back.receipt.verify(&key.public_key_bytes()).unwrap();
        back.receipt
            .verify_opening(&key.public_key_bytes(), &bid(), &back.salt().unwrap())
            .unwrap();
        // The server's copy deserialises from the bidder's too (salt ignored).
        let server: Receipt = serde_json::from_str(&serde_json::to_string(&copy).unwrap()).unwrap();
        assert_eq!(server, receipt);
    }
}
