//! The commitment a receipt carries: a hash of the canonical bid and a salt
//! only the bidder receives. At the opening the amount and the salt are
//! revealed and anyone can recompute it:
//!
//! ```text
//! commitment = SHA-256( "musubi-bid-commitment-v1\n" ‖ canonical JSON ‖ "\n" ‖ salt as 64 lower-case hex )
//! ```
//!
//! The canonical JSON is described on [`CanonicalBid::canonical_json`].
//! Without the salt (32 random bytes) the commitment reveals nothing, not
//! even to someone who tries every plausible amount.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::error::{CommitmentError, ParseHexError};
use super::{from_hex, is_sha256_hex, random_bytes, to_hex};

const DOMAIN: &[u8] = b"musubi-bid-commitment-v1\n";

/// What a bid commits to. The field order is the canonical order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanonicalBid {
    pub tender_id: i64,
    /// 1 for the first round, 2… for each 再入札.
    pub round: u32,
    pub bidder_org_id: i64,
    /// The tax-exclusive amount in yen; `None` for a proposal.
    pub amount_yen: Option<i64>,
    /// The 電子くじ number: exactly 3 ASCII digits.
    pub lottery_number: Option<String>,
    /// SHA-256 of the proposal text, 64 lower-case hex digits.
    pub proposal_sha256: Option<String>,
    /// SHA-256 of each attachment, 64 lower-case hex digits, in upload order.
    pub attachments_sha256: Vec<String>,
}

impl CanonicalBid {
    /// Checks that every string has its restricted form, so the canonical
    /// JSON never needs escaping and any JSON library reproduces it.
    pub fn validate(&self) -> Result<(), CommitmentError> {
        if let Some(n) = &self.lottery_number
            && !(n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(CommitmentError::InvalidField {
                field: "lottery_number",
                expected: "exactly 3 ASCII digits",
            });
        }
        if let Some(h) = &self.proposal_sha256
            && !is_sha256_hex(h)
        {
            return Err(CommitmentError::InvalidField {
                field: "proposal_sha256",
                expected: "64 lower-case hexadecimal digits",
            });
        }
        if !self.attachments_sha256.iter().all(|h| is_sha256_hex(h)) {
            return Err(CommitmentError::InvalidField {
                field: "attachments_sha256",
                expected: "a list of 64 lower-case hexadecimal digits each",
            });
        }
        Ok(())
    }

    /// The canonical encoding: UTF-8 JSON with exactly the keys `tender_id`,
    /// `round`, `bidder_org_id`, `amount_yen`, `lottery_number`,
    /// `proposal_sha256`, `attachments_sha256` in this order, no whitespace,
    /// integers as JSON numbers (decimal, no exponent), `null` for `None`,
    /// the attachments as an array (`[]` when there are none). For example
    ///
    /// ```text
    /// {"tender_id":12,"round":1,"bidder_org_id":34,"amount_yen":1500000,"lottery_number":"042","proposal_sha256":null,"attachments_sha256":[]}
    /// ```
    pub fn canonical_json(&self) -> Result<String, CommitmentError> {
        self.validate()?;
        // serde_json writes struct fields in declaration order, without
        // whitespace; validated strings need no escaping. The tests pin the
        // exact bytes.
        Ok(serde_json::to_string(self).expect("a CanonicalBid always serialises"))
    }
}

/// The bidder's secret salt: 32 random bytes, shown as 64 lower-case hex
/// digits. Wiped on drop; `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Salt(Zeroizing<[u8; 32]>);

impl Salt {
    pub fn generate() -> Salt {
        Salt(Zeroizing::new(random_bytes()))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Salt {
        Salt(Zeroizing::new(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 64 lower-case hex digits (also what `Display` writes).
    pub fn to_hex(&self) -> String {
        to_hex(self.0.as_slice())
    }
}

impl fmt::Debug for Salt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Salt(..)")
    }
}

impl fmt::Display for Salt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// 64 hex digits; upper case is accepted and written back in lower case.
impl FromStr for Salt {
    type Err = ParseHexError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        from_hex::<32>(s)
            .map(Salt::from_bytes)
            .ok_or(ParseHexError {
                what: "salt",
                digits: 64,
            })
    }
}

/// SHA-256 of the canonical bid and the salt; shown as 64 lower-case hex
/// digits (`Display`, `FromStr`, and as a string in JSON).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Commitment([u8; 32]);

impl Commitment {
    pub fn from_bytes(bytes: [u8; 32]) -> Commitment {
        Commitment(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Commitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&to_hex(&self.0))
    }
}

impl fmt::Debug for Commitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Commitment({self})")
    }
}

/// 64 hex digits; upper case is accepted and written back in lower case.
impl FromStr for Commitment {
    type Err = ParseHexError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        from_hex::<32>(s).map(Commitment).ok_or(ParseHexError {
            what: "commitment",
            digits: 64,
        })
    }
}

impl Serialize for Commitment {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Commitment {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// `SHA-256("musubi-bid-commitment-v1\n" ‖ canonical JSON ‖ "\n" ‖ salt hex)`.
pub fn commit(bid: &CanonicalBid, salt: &Salt) -> Result<Commitment, CommitmentError> {
    let json = bid.canonical_json()?;
    let mut hasher = Sha256::new();
    hasher.update(DOMAIN);
    hasher.update(json.as_bytes());
    hasher.update(b"\n");
    hasher.update(salt.to_hex().as_bytes());
    Ok(Commitment(hasher.finalize().into()))
}

/// Whether `bid` and `salt` give `commitment` (false for a bid that cannot
/// be encoded canonically).
pub fn verify_commitment(bid: &CanonicalBid, salt: &Salt, commitment: &Commitment) -> bool {
    commit(bid, salt).is_ok_and(|c| c == *commitment)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SALT_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    fn price_bid() -> CanonicalBid {
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

    fn sha256_hex(bytes: &[u8]) -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn known_answer_for_a_price_bid() {
        let salt: Salt = SALT_HEX.parse().unwrap();
        let expected_json = r#"{"tender_id":12,"round":1,"bidder_org_id":34,"amount_yen":1500000,"lottery_number":"042","proposal_sha256":null,"attachments_sha256":[]}"#;
        assert_eq!(price_bid().canonical_json().unwrap(), expected_json);

        let preimage = "musubi-bid-commitment-v1\n{\"tender_id\":12,\"round\":1,\"bidder_org_id\":34,\"amount_yen\":1500000,\"lottery_number\":\"042\",\"proposal_sha256\":null,\"attachments_sha256\":[]}\n000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
        let commitment = commit(&price_bid(), &salt).unwrap();
        assert_eq!(commitment.to_string(), sha256_hex(preimage.as_bytes()));
        assert!(verify_commitment(&price_bid(), &salt, &commitment));
    }

    #[test]
    fn known_answer_for_a_proposal() {
        let proposal = sha256_hex("技術提案書".as_bytes());
        let (a, b) = (sha256_hex(b"a.pdf"), sha256_hex(b"b.pdf"));
        let bid = CanonicalBid {
            tender_id: 9_007_199_254_740_993,
            round: 2,
            bidder_org_id: 5,
            amount_yen: None,
            lottery_number: None,
            proposal_sha256: Some(proposal.clone()),
            attachments_sha256: vec![a.clone(), b.clone()],
        };
        let json = format!(
            "{{\"tender_id\":9007199254740993,\"round\":2,\"bidder_org_id\":5,\"amount_yen\":null,\"lottery_number\":null,\"proposal_sha256\":\"{proposal}\",\"attachments_sha256\":[\"{a}\",\"{b}\"]}}"
        );
        assert_eq!(bid.canonical_json().unwrap(), json);
        let salt = Salt::from_bytes([0xff; 32]);
        let preimage = format!("musubi-bid-commitment-v1\n{json}\n{}", "ff".repeat(32));
        assert_eq!(
            commit(&bid, &salt).unwrap().to_string(),
            sha256_hex(preimage.as_bytes())
        );
    }

    #[test]
    fn any_change_changes_the_commitment() {
        let salt = Salt::generate();
        let base = commit(&price_bid(), &salt).unwrap();
        let h = "ab".repeat(32);
        let changes: Vec<fn(&mut CanonicalBid)> = vec![
            |b| b.tender_id += 1,
            |b| b.round += 1,
            |b| b.bidder_org_id += 1,
            |b| b.amount_yen = Some(1_500_001),
            |b| b.amount_yen = None,
            |b| b.lottery_number = Some("043".into()),
            |b| b.lottery_number = None,
            |b| b.proposal_sha256 = Some("ab".repeat(32)),
            |b| b.attachments_sha256.push("cd".repeat(32)),
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut bid = price_bid();
            change(&mut bid);
            let c = commit(&bid, &salt).unwrap();
            assert_ne!(c, base, "change {i}");
            assert!(!verify_commitment(&bid, &salt, &base), "change {i}");
        }
        // Attachment order matters.
        let mut one = price_bid();
        one.attachments_sha256 = vec![h.clone(), "cd".repeat(32)];
        let mut two = price_bid();
        two.attachments_sha256 = vec!["cd".repeat(32), h];
        assert_ne!(commit(&one, &salt).unwrap(), commit(&two, &salt).unwrap());

        let other_salt = Salt::generate();
        assert_ne!(commit(&price_bid(), &other_salt).unwrap(), base);
        assert!(!verify_commitment(&price_bid(), &other_salt, &base));
        assert!(verify_commitment(&price_bid(), &salt, &base));
    }

    #[test]
    fn strings_that_would_need_escaping_are_refused() {
        let field = |b: CanonicalBid| match b.canonical_json() {
            Err(CommitmentError::InvalidField { field, .. }) => field,
            Ok(json) => panic!("accepted {json}"),
        };
        for n in ["42", "0420", "04a", "０４２", "04\""] {
            let bid = CanonicalBid {
                lottery_number: Some(n.into()),
                ..price_bid()
            };
            assert_eq!(field(bid.clone()), "lottery_number", "{n}");
            assert!(!verify_commitment(
                &bid,
                &Salt::generate(),
                &Commitment([0; 32])
            ));
        }
        for h in ["AB".repeat(32), "ab".repeat(31), "xy".repeat(32)] {
            let bid = CanonicalBid {
                proposal_sha256: Some(h.clone()),
                ..price_bid()
            };
            assert_eq!(field(bid), "proposal_sha256");
            let bid = CanonicalBid {
                attachments_sha256: vec!["ab".repeat(32), h],
                ..price_bid()
            };
            assert_eq!(field(bid), "attachments_sha256");
        }
        let message = price_bid_with_lottery("1")
            .canonical_json()
            .unwrap_err()
            .to_string();
        assert_eq!(message, "lottery_number must be exactly 3 ASCII digits");
    }

    fn price_bid_with_lottery(n: &str) -> CanonicalBid {
        CanonicalBid {
            lottery_number: Some(n.into()),
            ..price_bid()
        }
    }

    #[test]
    fn salt_and_commitment_text_forms() {
        let salt: Salt = SALT_HEX.parse().unwrap();
        assert_eq!(salt.to_string(), SALT_HEX);
        assert_eq!(salt.as_bytes()[31], 0x1f);
        assert_eq!(format!("{salt:?}"), "Salt(..)");
        assert_eq!(SALT_HEX.to_uppercase().parse::<Salt>().unwrap(), salt);
        let err = "abc".parse::<Salt>().unwrap_err();
        assert_eq!(err.to_string(), "a salt is 64 hexadecimal digits");
        assert_ne!(Salt::generate(), Salt::generate());
        assert_eq!(Salt::generate().to_string().len(), 64);

        let c = commit(&price_bid(), &salt).unwrap();
        let text = c.to_string();
        assert!(is_sha256_hex(&text));
        assert_eq!(text.parse::<Commitment>().unwrap(), c);
        assert!(text[1..].parse::<Commitment>().is_err());
        assert!(format!("{text}0").parse::<Commitment>().is_err());
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, format!("\"{text}\""));
        assert_eq!(serde_json::from_str::<Commitment>(&json).unwrap(), c);
        assert!(serde_json::from_str::<Commitment>("\"zz\"").is_err());
    }
}
