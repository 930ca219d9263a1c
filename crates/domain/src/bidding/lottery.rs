//! 電子くじ: the electronic lottery that breaks a tie between equal best bids.
//!
//! The rule, exactly as the glossary states it:
//!
//! 1. Each bidder enters a three-digit くじ番号 ([`LotteryNumber`]) with the bid.
//! 2. Its decided number (決定くじ番号) is
//!    `(entered number + last three digits of the receipt time in Unix
//!    seconds) mod 1000`.
//! 3. The tied bidders are numbered 0, 1, 2, … in order of receipt.
//! 4. The winner is the bidder whose number is
//!    `(Σ decided numbers) mod (count of tied bidders)`.
//!
//! Details the glossary leaves open, decided here:
//!
//! - "Unix seconds" are whole seconds, rounded down: a receipt at
//!   `…210.999` counts as `…210`. "Last three digits" is the non-negative
//!   remainder mod 1000 (it matters only for receipts before 1970).
//! - Order of receipt is by the full receipt instant (sub-second precision
//!   included); two receipts at exactly the same instant are ordered by bid
//!   id, so the numbering never depends on the order the entries are given.
//!
//! Every input (bid, entered number, receipt instant) and every derived
//! figure is in the [`LotteryDraw`], which is published at opening so anyone
//! can recompute it.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::text::{self, DigitsError};

/// A くじ番号: a three-digit number, 000–999, entered with a bid.
///
/// Parsed from exactly three digits (full-width digits are folded, surrounding
/// whitespace trimmed): "007" is a くじ番号, "7" is not, because the bidder is
/// asked for three digits and a short entry is more likely a slip than a
/// choice. Displayed and serialised as three digits with leading zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LotteryNumber(u16);

/// Why a value is not a くじ番号.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LotteryNumberError {
    #[error("lottery number is empty")]
    Empty,
    #[error("lottery number may contain only digits, found {found:?} at position {position}")]
    InvalidCharacter { found: char, position: usize },
    #[error("lottery number must have 3 digits, found {found}")]
    InvalidLength { found: usize },
    #[error("lottery number {value} is out of range (000 to 999)")]
    OutOfRange { value: u16 },
}

impl LotteryNumberError {
    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "lottery_number_empty",
            Self::InvalidCharacter { .. } => "lottery_number_invalid_character",
            Self::InvalidLength { .. } => "lottery_number_length",
            Self::OutOfRange { .. } => "lottery_number_out_of_range",
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match self {
            Self::Empty => "くじ番号（3桁の数字）を入力してください。".to_owned(),
            Self::InvalidCharacter { found, position } => format!(
                "くじ番号は数字のみで入力してください（{position}文字目に「{found}」が含まれています）。"
            ),
            Self::InvalidLength { found } => format!(
                "くじ番号は000〜999の3桁の数字で入力してください（入力された桁数：{found}桁）。"
            ),
            Self::OutOfRange { value } => {
                format!("くじ番号{value}は範囲外です。000〜999の3桁の数字を指定してください。")
            }
        }
    }

    /// English message for the UI.
    pub fn message_en(&self) -> String {
        match self {
            Self::Empty => "Enter a lottery number (3 digits).".to_owned(),
            Self::InvalidCharacter { found, position } => format!(
                "A lottery number may contain only digits (found \"{found}\" at position {position})."
            ),
            Self::InvalidLength { found } => format!(
                "Enter the lottery number as 3 digits, 000 to 999 ({found} digits entered)."
            ),
            Self::OutOfRange { value } => {
                format!("Lottery number {value} is out of range; use 000 to 999.")
            }
        }
    }
}

impl_domain_error!(LotteryNumberError);

impl From<DigitsError> for LotteryNumberError {
    fn from(e: DigitsError) -> Self {
        match e {
            DigitsError::Empty => Self::Empty,
            DigitsError::InvalidCharacter { found, position } => {
                Self::InvalidCharacter { found, position }
            }
        }
    }
}

impl LotteryNumber {
    /// Number of digits.
    pub const LENGTH: usize = 3;
    /// The largest number, 999.
    pub const MAX: u16 = 999;

    /// The number `value`, 0..=999.
    pub fn new(value: u16) -> Result<Self, LotteryNumberError> {
        if value > Self::MAX {
            return Err(LotteryNumberError::OutOfRange { value });
        }
        Ok(Self(value))
    }

    /// Parses exactly three digits, e.g. "418", "007" or "０４２".
    pub fn parse(input: &str) -> Result<Self, LotteryNumberError> {
        let digits = text::digits(input)?;
        if digits.len() != Self::LENGTH {
            return Err(LotteryNumberError::InvalidLength {
                found: digits.len(),
            });
        }
        let value = digits.iter().fold(0u16, |acc, d| acc * 10 + u16::from(*d));
        Ok(Self(value))
    }

    /// The number, 0..=999.
    pub const fn value(self) -> u16 {
        self.0
    }

    /// `(self + other) mod 1000`; both are below 1000, so so is the result.
    fn add_mod(self, other: u16) -> Self {
        Self((self.0 + other % 1000) % 1000)
    }
}

/// Three digits with leading zeros: "007".
impl fmt::Display for LotteryNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

impl TryFrom<u16> for LotteryNumber {
    type Error = LotteryNumberError;
    fn try_from(value: u16) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<LotteryNumber> for u16 {
    fn from(n: LotteryNumber) -> u16 {
        n.0
    }
}

impl_string_conversions!(LotteryNumber, LotteryNumberError);

/// One tied bid taking part in a draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotteryEntry {
    pub bid_id: i64,
    /// The くじ番号 the bidder entered.
    pub entered: LotteryNumber,
    /// When the server accepted the bid (受付日時), as on its receipt.
    pub received_at: DateTime<Utc>,
}

impl LotteryEntry {
    /// The receipt time in whole Unix seconds, rounded down.
    pub fn receipt_seconds(&self) -> i64 {
        self.received_at.timestamp()
    }

    /// The last three digits of [`LotteryEntry::receipt_seconds`], 0..=999.
    pub fn receipt_digits(&self) -> u16 {
        // rem_euclid(1000) is in 0..1000, so the cast is lossless.
        self.receipt_seconds().rem_euclid(1000) as u16
    }

    /// (entered + receipt digits) mod 1000.
    pub fn decided(&self) -> LotteryNumber {
        self.entered.add_mod(self.receipt_digits())
    }

    /// Order of receipt: the instant, then the bid id for exact ties.
    fn receipt_order(&self, other: &Self) -> std::cmp::Ordering {
        self.received_at
            .cmp(&other.received_at)
            .then(self.bid_id.cmp(&other.bid_id))
    }
}

/// One bidder's line in a published draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DrawnEntry {
    /// The bidder's number in order of receipt, from 0.
    pub index: usize,
    pub bid_id: i64,
    pub entered: LotteryNumber,
    pub received_at: DateTime<Utc>,
    /// `received_at` in whole Unix seconds (rounded down).
    pub receipt_seconds: i64,
    /// The last three digits of `receipt_seconds`.
    pub receipt_digits: u16,
    /// 決定くじ番号: `(entered + receipt_digits) mod 1000`.
    pub decided: LotteryNumber,
}

/// The record of one draw: every input and every step, in order of receipt.
///
/// Only [`draw`] makes one. There is no `Deserialize`: a stored or published
/// draw is checked by drawing again from its entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotteryDraw {
    entries: Vec<DrawnEntry>,
    sum: u64,
    count: usize,
    winner_index: usize,
    winner_bid_id: i64,
}

impl LotteryDraw {
    /// The bidders in order of receipt; `entries()[i].index == i`.
    pub fn entries(&self) -> &[DrawnEntry] {
        &self.entries
    }

    /// Σ decided numbers.
    pub fn sum(&self) -> u64 {
        self.sum
    }

    /// How many bidders took part (at least one).
    pub fn count(&self) -> usize {
        self.count
    }

    /// `sum mod count`: the winner's number in order of receipt.
    pub fn winner_index(&self) -> usize {
        self.winner_index
    }

    /// The winning bid.
    pub fn winner_bid_id(&self) -> i64 {
        self.winner_bid_id
    }

    /// The winner's line.
    pub fn winner(&self) -> Option<&DrawnEntry> {
        self.entries.get(self.winner_index)
    }

    /// The entries the draw was made from, in order of receipt.
    pub fn inputs(&self) -> Vec<LotteryEntry> {
        self.entries
            .iter()
            .map(|e| LotteryEntry {
                bid_id: e.bid_id,
                entered: e.entered,
                received_at: e.received_at,
            })
            .collect()
    }
}

/// Why a draw cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LotteryError {
    #[error("a lottery needs at least one entry")]
    NoEntries,
    #[error("bid {bid_id} is entered more than once")]
    DuplicateBid { bid_id: i64 },
}

impl LotteryError {
    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoEntries => "lottery_no_entries",
            Self::DuplicateBid { .. } => "lottery_duplicate_bid",
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match self {
            Self::NoEntries => "くじの対象となる入札がありません。".to_owned(),
            Self::DuplicateBid { bid_id } => {
                format!("入札（ID：{bid_id}）がくじの対象に重複して含まれています。")
            }
        }
    }

    /// English message for the UI.
    pub fn message_en(&self) -> String {
        match self {
            Self::NoEntries => "There are no bids to draw lots between.".to_owned(),
            Self::DuplicateBid { bid_id } => {
                format!("Bid {bid_id} is entered in the lottery more than once.")
            }
        }
    }
}

impl_domain_error!(LotteryError);

/// Draws lots between `entries`, given in any order.
///
/// One entry is a valid draw that it wins (the formula gives index 0). The
/// evaluation only draws when two or more bids tie, so a winner without a
/// lottery has no draw at all ([`super::Outcome::Winner`]'s `by_lottery` is
/// `None`).
pub fn draw(entries: &[LotteryEntry]) -> Result<LotteryDraw, LotteryError> {
    let mut ids: Vec<i64> = entries.iter().map(|e| e.bid_id).collect();
    ids.sort_unstable();
    if let Some(pair) = ids.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(LotteryError::DuplicateBid { bid_id: pair[0] });
    }
    draw_distinct(entries.to_vec()).ok_or(LotteryError::NoEntries)
}

/// [`draw`] for entries whose bid ids are known to be distinct; `None` only
/// when there are none.
pub(crate) fn draw_distinct(mut entries: Vec<LotteryEntry>) -> Option<LotteryDraw> {
    entries.sort_by(LotteryEntry::receipt_order);
    let drawn: Vec<DrawnEntry> = entries
        .iter()
        .enumerate()
        .map(|(index, e)| DrawnEntry {
            index,
            bid_id: e.bid_id,
            entered: e.entered,
            received_at: e.received_at,
            receipt_seconds: e.receipt_seconds(),
            receipt_digits: e.receipt_digits(),
            decided: e.decided(),
        })
        .collect();
    let sum: u64 = drawn.iter().map(|e| u64::from(e.decided.value())).sum();
    let count = drawn.len();
    // usize → u64 is lossless on every supported platform; the remainder is
    // below `count`, so it fits back into usize.
    let winner_index = sum.checked_rem(count as u64)? as usize;
    let winner_bid_id = drawn.get(winner_index)?.bid_id;
    Some(LotteryDraw {
        entries: drawn,
        sum,
        count,
        winner_index,
        winner_bid_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, TimeZone};
    use proptest::prelude::*;
    use serde::Deserialize;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};

    fn n(s: &str) -> LotteryNumber {
        LotteryNumber::parse(s).unwrap()
    }

    /// A wall-clock time in Japan as a UTC instant, through chrono's own
    /// offset arithmetic (independent of crate::time).
    fn jst(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        FixedOffset::east_opt(9 * 3600)
            .unwrap()
            .with_ymd_and_hms(y, mo, d, h, mi, s)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn entry(bid_id: i64, entered: &str, received_at: DateTime<Utc>) -> LotteryEntry {
        LotteryEntry {
            bid_id,
            entered: n(entered),
            received_at,
        }
    }

    fn glossary_entries() -> Vec<LotteryEntry> {
        vec![
            entry(11, "418", jst(2005, 3, 1, 11, 30, 10)),
            entry(22, "210", jst(2005, 3, 5, 14, 20, 40)),
            entry(33, "861", jst(2005, 3, 14, 16, 48, 0)),
        ]
    }

    #[test]
    fn glossary_worked_example() {
        let entries = glossary_entries();
        // The receipt digits, from chrono's Unix seconds.
        let digits: Vec<i64> = entries
            .iter()
            .map(|e| e.received_at.timestamp() % 1000)
            .collect();
        assert_eq!(digits, [210, 40, 480]);
        let draw = draw(&entries).unwrap();
        let decided: Vec<u16> = draw.entries().iter().map(|e| e.decided.value()).collect();
        assert_eq!(decided, [628, 250, 341]);
        assert_eq!(draw.sum(), 1219);
        assert_eq!(draw.count(), 3);
        assert_eq!(draw.winner_index(), 1);
        assert_eq!(draw.winner_bid_id(), 22);
        assert_eq!(draw.winner().unwrap().bid_id, 22);
        let indexes: Vec<usize> = draw.entries().iter().map(|e| e.index).collect();
        assert_eq!(indexes, [0, 1, 2]);
        assert_eq!(draw.entries()[0].receipt_seconds, 1_109_644_210);
        assert_eq!(draw.entries()[0].receipt_digits, 210);
        assert_eq!(draw.inputs(), entries);
    }

    #[test]
    fn glossary_example_in_any_order() {
        let entries = glossary_entries();
        let expected = draw(&entries).unwrap();
        for order in [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ] {
            let shuffled: Vec<_> = order.iter().map(|&i| entries[i]).collect();
            assert_eq!(draw(&shuffled).unwrap(), expected, "{order:?}");
        }
    }

    #[test]
    fn only_whole_seconds_count() {
        let base = jst(2005, 3, 1, 11, 30, 10);
        let late = base + chrono::Duration::milliseconds(999);
        let e = entry(1, "418", late);
        assert_eq!(e.receipt_seconds(), base.timestamp());
        assert_eq!(e.decided(), n("628"));
        // Sub-second precision still orders receipts within one second.
        let early = entry(2, "000", base + chrono::Duration::milliseconds(1));
        let draw = draw(&[e, early]).unwrap();
        let ids: Vec<i64> = draw.entries().iter().map(|e| e.bid_id).collect();
        assert_eq!(ids, [2, 1]);
    }

    #[test]
    fn same_instant_is_ordered_by_bid_id() {
        let t = jst(2026, 4, 1, 10, 0, 0);
        let a = entry(7, "100", t);
        let b = entry(3, "200", t);
        let d1 = draw(&[a, b]).unwrap();
        let d2 = draw(&[b, a]).unwrap();
        assert_eq!(d1, d2);
        assert_eq!(d1.entries()[0].bid_id, 3);
    }

    #[test]
    fn decided_number_wraps_and_handles_old_instants() {
        // 999 + 999 = 1998 → 998.
        let t = DateTime::from_timestamp(1_000_999, 0).unwrap();
        assert_eq!(entry(1, "999", t).decided(), n("998"));
        // Before 1970 the last three digits are the non-negative remainder:
        // −1 s → 999.
        let t = DateTime::from_timestamp(-1, 500_000_000).unwrap();
        let e = entry(1, "001", t);
        assert_eq!(e.receipt_seconds(), -1);
        assert_eq!(e.receipt_digits(), 999);
        assert_eq!(e.decided(), n("000"));
    }

    #[test]
    fn single_entry_wins_and_errors() {
        let only = entry(5, "123", jst(2026, 1, 5, 9, 0, 0));
        let d = draw(&[only]).unwrap();
        assert_eq!((d.count(), d.winner_index(), d.winner_bid_id()), (1, 0, 5));
        assert_eq!(draw(&[]), Err(LotteryError::NoEntries));
        let dup = draw(&[only, entry(5, "456", jst(2026, 1, 6, 9, 0, 0))]).unwrap_err();
        assert_eq!(dup, LotteryError::DuplicateBid { bid_id: 5 });
        assert_eq!(dup.code(), "lottery_duplicate_bid");
        assert!(dup.message_ja().contains('5'));
        assert_eq!(LotteryError::NoEntries.code(), "lottery_no_entries");
        assert!(!LotteryError::NoEntries.message_en().is_empty());
    }

    #[test]
    fn lottery_numbers_parse() {
        assert_eq!(n("418").value(), 418);
        assert_eq!(n("007").value(), 7);
        assert_eq!(n("000").value(), 0);
        assert_eq!(n(" ９９９ ").value(), 999);
        assert_eq!(n("007").to_string(), "007");
        assert_eq!(LotteryNumber::try_from(42u16).unwrap().to_string(), "042");
        assert_eq!(u16::from(n("042")), 42);
        assert_eq!("123".parse::<LotteryNumber>(), Ok(n("123")));
        assert_eq!(String::from(n("005")), "005");
        use LotteryNumberError::*;
        assert_eq!(LotteryNumber::parse(""), Err(Empty));
        assert_eq!(LotteryNumber::parse("7"), Err(InvalidLength { found: 1 }));
        assert_eq!(
            LotteryNumber::parse("1234"),
            Err(InvalidLength { found: 4 })
        );
        assert_eq!(
            LotteryNumber::parse("12a"),
            Err(InvalidCharacter {
                found: 'a',
                position: 3
            })
        );
        assert!(LotteryNumber::parse("-12").is_err());
        assert!(LotteryNumber::parse("1 2").is_err());
        assert_eq!(
            LotteryNumber::try_from(1000u16),
            Err(OutOfRange { value: 1000 })
        );
        assert_eq!(
            LotteryNumber::parse("7").unwrap_err().code(),
            "lottery_number_length"
        );
        for e in [
            Empty,
            InvalidCharacter {
                found: 'x',
                position: 1,
            },
            InvalidLength { found: 2 },
            OutOfRange { value: 1000 },
        ] {
            assert!(e.code().starts_with("lottery_number_"));
            assert!(!e.message_ja().is_empty());
            assert!(!e.message_en().is_empty());
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn lottery_number_serde_goes_through_parse() {
        let de: StrDeserializer<DeError> = "042".into_deserializer();
        assert_eq!(LotteryNumber::deserialize(de).unwrap(), n("042"));
        let de: StrDeserializer<DeError> = "42".into_deserializer();
        assert!(LotteryNumber::deserialize(de).is_err());
    }

    fn arb_entry() -> impl Strategy<Value = LotteryEntry> {
        (
            any::<i64>(),
            0u16..=999,
            -100_000_000i64..4_000_000_000,
            0u32..1_000_000_000,
        )
            .prop_map(|(bid_id, entered, secs, nanos)| LotteryEntry {
                bid_id,
                entered: LotteryNumber::new(entered).unwrap(),
                received_at: DateTime::from_timestamp(secs, nanos).unwrap(),
            })
    }

    proptest! {
        #[test]
        fn parse_round_trips(v in 0u16..=999) {
            let number = LotteryNumber::new(v).unwrap();
            prop_assert_eq!(number.to_string().len(), 3);
            prop_assert_eq!(LotteryNumber::parse(&number.to_string()), Ok(number));
        }

        #[test]
        fn draw_follows_the_rule_in_any_order(
            entries in proptest::collection::vec(arb_entry(), 1..8)
                .prop_filter("distinct bids", |v| {
                    let mut ids: Vec<_> = v.iter().map(|e| e.bid_id).collect();
                    ids.sort_unstable();
                    ids.windows(2).all(|w| w[0] != w[1])
                })
                .prop_shuffle(),
        ) {
            let d = draw(&entries).unwrap();
            let mut reversed = entries.clone();
            reversed.reverse();
            prop_assert_eq!(&draw(&reversed).unwrap(), &d);
            prop_assert_eq!(d.count(), entries.len());
            let mut sum = 0u64;
            for (i, e) in d.entries().iter().enumerate() {
                prop_assert_eq!(e.index, i);
                let secs = e.received_at.timestamp();
                prop_assert_eq!(e.receipt_seconds, secs);
                let expected = (i64::from(e.entered.value()) + secs.rem_euclid(1000)) % 1000;
                prop_assert_eq!(i64::from(e.decided.value()), expected);
                sum += u64::from(e.decided.value());
                if i > 0 {
                    let prev = &d.entries()[i - 1];
                    prop_assert!((prev.received_at, prev.bid_id) < (e.received_at, e.bid_id));
                }
            }
            prop_assert_eq!(d.sum(), sum);
            prop_assert_eq!(d.winner_index() as u64, sum % entries.len() as u64);
            prop_assert_eq!(d.winner_bid_id(), d.entries()[d.winner_index()].bid_id);
        }
    }
}
