//! What the transparency log records: one [`LogEntry`] per bidding event,
//! as the exact bytes its leaf hash covers ([`LogEntry::to_bytes`]).
//!
//! The bytes are UTF-8 JSON with a `"type"` key first, the other keys in the
//! order declared here, no whitespace. Readers hash the bytes they are given
//! (the API serves them verbatim) and parse them; nobody has to reproduce the
//! encoding.
//!
//! What an entry holds is chosen so that the log is public from the start
//! without telling anything sealed:
//!
//! - a tender's publication, 訂正 and 中止: the SHA-256 of its content as the
//!   public sees it (prices sealed: [`public_content_sha256`]), so nobody can
//!   recover a sealed 予定価格 by trying amounts against the hash;
//! - a bid received or withdrawn: its commitment **only** — not the tender,
//!   not the bidder, so the log does not tell how many bids a tender has
//!   before its opening (the commitment is salted: it tells nothing);
//! - an opening: every bid of the round with its commitment, and for each
//!   opened bid the canonical bid and the salt, so anyone can recompute the
//!   commitment and the evaluation (`musubi audit`);
//! - an award (落札者決定): the winning bid and amounts.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::Hash;
use crate::tender::TenderContent;

/// One bidding event as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum LogEntry {
    #[serde(rename = "tender.published")]
    TenderPublished(TenderEvent),
    #[serde(rename = "tender.amended")]
    TenderAmended(TenderEvent),
    #[serde(rename = "tender.cancelled")]
    TenderCancelled(TenderEvent),
    #[serde(rename = "bid.received")]
    BidReceived { commitment: String },
    #[serde(rename = "bid.withdrawn")]
    BidWithdrawn { commitment: String },
    #[serde(rename = "opening")]
    Opening(OpeningEntry),
    #[serde(rename = "award")]
    Award(AwardEntry),
}

/// A tender's publication, amendment or cancellation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenderEvent {
    pub tender_id: i64,
    /// The content version in force after the event.
    pub version: i64,
    /// [`public_content_sha256`] of that version.
    pub content_sha256: String,
    /// RFC 3339, UTC, microseconds.
    pub at: String,
}

/// An opening (開札) of one round, projected from the published record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningEntry {
    pub tender_id: i64,
    pub round: u32,
    pub opened_at: String,
    /// The award method's code (`lowest_price`, …).
    pub award_method: String,
    pub reserve_price: Option<i64>,
    pub minimum_price: Option<i64>,
    pub price_points: Option<u32>,
    pub base_points: Option<u32>,
    pub bids: Vec<OpenedBid>,
    /// The winning bid as the server evaluated it; `None` for 不調 or while
    /// proposals wait for their scores.
    pub winner_bid_id: Option<i64>,
    pub evaluation_pending: bool,
}

/// One bid of an opened round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenedBid {
    pub bid_id: i64,
    pub commitment: String,
    /// `submitted` or `withdrawn`.
    pub state: String,
    pub received_at: String,
    /// The canonical bid JSON the commitment covers (absent for a withdrawn
    /// or unreadable bid).
    pub canonical: Option<String>,
    /// The bidder's salt, 64 hex digits, revealed at the opening.
    pub salt: Option<String>,
    /// 技術評価点 locked before the opening (総合評価), as written in the record.
    pub technical_points: Option<String>,
    pub valid: bool,
}

/// 落札者決定.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardEntry {
    pub tender_id: i64,
    pub round: u32,
    pub bid_id: i64,
    pub bidder_org_id: i64,
    pub amount_tax_exclusive: Option<i64>,
    pub amount_tax_inclusive: Option<i64>,
    pub decided_at: String,
}

impl LogEntry {
    /// The bytes the leaf hash covers.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a log entry always serialises")
    }

    /// Parses entry bytes as served by the log.
    pub fn parse(bytes: &[u8]) -> Result<LogEntry, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The `"type"` value, e.g. `bid.received`.
    pub fn kind(&self) -> &'static str {
        match self {
            LogEntry::TenderPublished(_) => "tender.published",
            LogEntry::TenderAmended(_) => "tender.amended",
            LogEntry::TenderCancelled(_) => "tender.cancelled",
            LogEntry::BidReceived { .. } => "bid.received",
            LogEntry::BidWithdrawn { .. } => "bid.withdrawn",
            LogEntry::Opening(_) => "opening",
            LogEntry::Award(_) => "award",
        }
    }

    /// The tender an entry is about (`None` for bids: their entries do not
    /// say).
    pub fn tender_id(&self) -> Option<i64> {
        match self {
            LogEntry::TenderPublished(t)
            | LogEntry::TenderAmended(t)
            | LogEntry::TenderCancelled(t) => Some(t.tender_id),
            LogEntry::BidReceived { .. } | LogEntry::BidWithdrawn { .. } => None,
            LogEntry::Opening(o) => Some(o.tender_id),
            LogEntry::Award(a) => Some(a.tender_id),
        }
    }
}

/// The time format of every entry: RFC 3339, UTC, six fractional digits.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// SHA-256 (64 lower-case hex digits) of a tender's content as the public
/// sees it before the opening: the 最低制限価格 removed, and the 予定価格
/// too unless it is published in advance. (Hashing a sealed price would let
/// anyone find it by trying amounts.)
pub fn public_content_sha256(content: &TenderContent) -> String {
    let mut public = content.clone();
    public.minimum_price = None;
    if !public.reserve_price_publication.is_public_before_opening() {
        public.reserve_price = None;
    }
    let bytes = serde_json::to_vec(&public).expect("tender content always serialises");
    Hash::from_bytes(Sha256::digest(&bytes).into()).to_hex()
}

impl OpeningEntry {
    /// The log's projection of a published opening record (see
    /// `musubi_app::tenders::bids::open_round` for the record's fields).
    /// Proposal texts and bidder names stay out: the first are the bidders'
    /// know-how, the second are in the results the server publishes.
    pub fn from_record(record: &Value) -> OpeningEntry {
        let int = |v: &Value| v.as_i64();
        let string = |v: &Value| v.as_str().map(str::to_owned);
        let small = |v: &Value| v.as_u64().and_then(|n| u32::try_from(n).ok());
        let bids = record["bids"]
            .as_array()
            .map(|bids| {
                bids.iter()
                    .map(|b| OpenedBid {
                        bid_id: int(&b["bid_id"]).unwrap_or_default(),
                        commitment: string(&b["commitment"]).unwrap_or_default(),
                        state: string(&b["state"]).unwrap_or_default(),
                        received_at: string(&b["received_at"]).unwrap_or_default(),
                        canonical: string(&b["canonical"]),
                        salt: string(&b["salt"]),
                        technical_points: string(&b["technical_points"]),
                        valid: b["state"].as_str() == Some("submitted")
                            && b["valid"].as_bool() != Some(false),
                    })
                    .collect()
            })
            .unwrap_or_default();
        OpeningEntry {
            tender_id: int(&record["tender_id"]).unwrap_or_default(),
            round: small(&record["round"]).unwrap_or_default(),
            opened_at: string(&record["opened_at"]).unwrap_or_default(),
            award_method: string(&record["award_method"]).unwrap_or_default(),
            reserve_price: int(&record["reserve_price"]),
            minimum_price: int(&record["minimum_price"]),
            price_points: small(&record["price_points"]),
            base_points: small(&record["base_points"]),
            bids,
            winner_bid_id: int(&record["winner"]["bid_id"]),
            evaluation_pending: record["evaluation_pending"].as_bool() == Some(true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bytes_are_tagged_compact_json_in_declared_order() {
        let e = LogEntry::BidReceived {
            commitment: "ab".repeat(32),
        };
        assert_eq!(
            String::from_utf8(e.to_bytes()).unwrap(),
            format!(
                r#"{{"type":"bid.received","commitment":"{}"}}"#,
                "ab".repeat(32)
            )
        );
        let t = LogEntry::TenderCancelled(TenderEvent {
            tender_id: 7,
            version: 2,
            content_sha256: "00".repeat(32),
            at: "2026-04-01T00:00:00.000000Z".into(),
        });
        assert_eq!(
            String::from_utf8(t.to_bytes()).unwrap(),
            format!(
                r#"{{"type":"tender.cancelled","tender_id":7,"version":2,"content_sha256":"{}","at":"2026-04-01T00:00:00.000000Z"}}"#,
                "00".repeat(32)
            )
        );
        assert_eq!(LogEntry::parse(&t.to_bytes()).unwrap(), t);
        assert_eq!(t.kind(), "tender.cancelled");
        assert_eq!(t.tender_id(), Some(7));
    }

    #[test]
    fn an_opening_keeps_commitments_and_reveals_but_not_proposals() {
        let record = json!({
            "version": 2, "tender_id": 5, "round": 1,
            "opened_at": "2026-04-01T01:00:00.000000Z",
            "award_method": "lowest_price", "reserve_price": 1000, "minimum_price": null,
            "price_points": null, "base_points": null,
            "bids": [
                {"bid_id": 1, "bidder_name": "A", "state": "submitted", "commitment": "c1",
                 "received_at": "t1", "canonical": "{}", "salt": "s1", "proposal": "secret",
                 "commitment_verified": true},
                {"bid_id": 2, "state": "withdrawn", "commitment": "c2", "received_at": "t2"},
                {"bid_id": 3, "state": "submitted", "commitment": "c3", "received_at": "t3",
                 "valid": false, "invalid_reason": "unreadable"},
            ],
            "winner": {"bid_id": 1},
            "evaluation_pending": false,
        });
        let o = OpeningEntry::from_record(&record);
        assert_eq!(o.tender_id, 5);
        assert_eq!(o.reserve_price, Some(1000));
        assert_eq!(o.winner_bid_id, Some(1));
        assert_eq!(
            o.bids.iter().map(|b| b.valid).collect::<Vec<_>>(),
            [true, false, false]
        );
        assert_eq!(o.bids[0].salt.as_deref(), Some("s1"));
        let bytes = String::from_utf8(LogEntry::Opening(o).to_bytes()).unwrap();
        assert!(!bytes.contains("secret") && !bytes.contains("bidder_name"));
    }
}
