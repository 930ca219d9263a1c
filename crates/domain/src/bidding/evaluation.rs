//! 落札者決定: from the revealed bids to a winner or 不調.
//!
//! [`evaluate`] takes an [`EvaluationInput`] (the tender's [`EvaluationTerms`]
//! and its [`RevealedBid`]s) and gives an [`Evaluation`]: each bid either
//! valid, with its rank (and score, for 総合評価 and proposals), or excluded
//! with an [`Exclusion`]; and the [`Outcome`].
//!
//! The rules:
//!
//! - **Exclusions**, checked in this order; a bid shows the first that
//!   applies ([`Exclusion`]): no price (for a price-based method), a price of
//!   ¥0 or less, above the 予定価格, below the 最低制限価格, no technical points
//!   (総合評価 and proposals), no くじ番号. A price exactly at the 予定価格 or
//!   at the 最低制限価格 is valid.
//! - **Scores** (higher is better), all exact fractions:
//!   - 最低価格: the lowest price wins; there is no score.
//!   - 加算方式: `technical + price points × (1 − price / 予定価格)`.
//!   - 除算方式: `(base points + technical) / price`.
//!   - 企画提案: `technical`; a price, if given, is checked against the
//!     予定価格 (提案上限額) and 最低制限価格 but does not score.
//! - **Winner**: the best valid bid. Bids with exactly the same best score
//!   (the same lowest price, for 最低価格) go to the 電子くじ
//!   ([`super::lottery`]); a single best bid wins without one. No valid bid:
//!   不調 ([`Outcome::Unsuccessful`]).
//!
//! Decisions the glossary leaves open:
//!
//! - Every bid must carry a くじ番号, whatever the method, because any
//!   method can end in a tie and a bid's validity must not depend on the
//!   other bids. A bid without one is excluded ([`Exclusion::LotteryNumberMissing`]).
//! - 加算方式 without a 予定価格 (or without its price points), and 除算方式
//!   without its base points, are input errors ([`EvaluationInputError`]),
//!   not a tender where every bid is excluded: the terms are the buyer's, not
//!   the bidders', mistake. So are a 最低制限価格 above the 予定価格 and a
//!   bid id given twice.
//! - Points that a method does not use (price points for 最低価格, technical
//!   points on a 最低価格 bid) are ignored.
//! - Scores are published both exactly (`"n/d"`) and rounded half-up for
//!   reading: 4 decimal places, or 10 for 除算方式, whose scores are points
//!   per yen and so very small. Ranks and ties use the exact value only.

use std::cmp::Ordering;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::lottery::{self, LotteryDraw, LotteryEntry, LotteryNumber};
use crate::money::{MoneyError, TaxExclusive, TaxInclusive, TaxRate};
use crate::tender::AwardMethod;
use crate::text;

/// The most points any score part may have: technical points, 価格点 and
/// 基礎点 are each 0..=10,000 points.
pub const MAX_POINTS: u32 = 10_000;

/// Technical evaluation points (技術評価点), exact to 1/100 of a point.
///
/// Parsed from "40", "45.5" or "45.25" (full-width digits folded); at most two
/// decimal places, never negative, at most [`MAX_POINTS`]. Displayed without
/// trailing zeros ("45.5") and serialised as that string, so no float ever
/// carries a score.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct TechnicalPoints(u32);

/// Why a value is not valid technical points.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TechnicalPointsError {
    #[error("technical points are empty")]
    Empty,
    #[error("technical points must not be negative")]
    Negative,
    #[error("technical points {input:?} are not a number such as 45.5")]
    Invalid { input: String },
    #[error("technical points have at most 2 decimal places, found {input:?}")]
    TooPrecise { input: String },
    #[error("technical points are out of range (0 to {MAX_POINTS})")]
    OutOfRange,
}

impl TechnicalPointsError {
    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "technical_points_empty",
            Self::Negative => "technical_points_negative",
            Self::Invalid { .. } => "technical_points_invalid",
            Self::TooPrecise { .. } => "technical_points_too_precise",
            Self::OutOfRange => "technical_points_out_of_range",
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match self {
            Self::Empty => "技術評価点を入力してください。".to_owned(),
            Self::Negative => "技術評価点には0点以上を入力してください。".to_owned(),
            Self::Invalid { input } => format!(
                "技術評価点「{input}」は正しくありません。「45.5」のように数値で入力してください。"
            ),
            Self::TooPrecise { input } => {
                format!("技術評価点「{input}」は小数点以下2桁までで入力してください。")
            }
            Self::OutOfRange => {
                format!("技術評価点は0点から{MAX_POINTS}点の範囲で入力してください。")
            }
        }
    }

    /// English message for the UI.
    pub fn message_en(&self) -> String {
        match self {
            Self::Empty => "Enter the technical points.".to_owned(),
            Self::Negative => "Technical points cannot be negative.".to_owned(),
            Self::Invalid { input } => {
                format!("\"{input}\" is not a valid score; enter a number such as 45.5.")
            }
            Self::TooPrecise { input } => {
                format!("\"{input}\" has too many decimals; use at most 2 decimal places.")
            }
            Self::OutOfRange => {
                format!("Technical points must be between 0 and {MAX_POINTS}.")
            }
        }
    }
}

impl_domain_error!(TechnicalPointsError);

impl TechnicalPoints {
    /// 0 points.
    pub const ZERO: TechnicalPoints = TechnicalPoints(0);
    /// [`MAX_POINTS`] points.
    pub const MAX: TechnicalPoints = TechnicalPoints(MAX_POINTS * 100);

    /// `hundredths` / 100 points, e.g. 4550 → 45.5.
    pub fn from_hundredths(hundredths: u32) -> Result<Self, TechnicalPointsError> {
        if hundredths > Self::MAX.0 {
            return Err(TechnicalPointsError::OutOfRange);
        }
        Ok(Self(hundredths))
    }

    /// A whole number of points.
    pub fn from_points(points: u32) -> Result<Self, TechnicalPointsError> {
        points
            .checked_mul(100)
            .ok_or(TechnicalPointsError::OutOfRange)
            .and_then(Self::from_hundredths)
    }

    /// The points × 100, exactly.
    pub const fn hundredths(self) -> u32 {
        self.0
    }

    /// Parses "40", "45.5", "45.25" or "４５．５".
    pub fn parse(input: &str) -> Result<Self, TechnicalPointsError> {
        let s = text::normalize(input);
        if s.is_empty() {
            return Err(TechnicalPointsError::Empty);
        }
        if s.starts_with(['-', '\u{2212}', '▲', '△']) {
            return Err(TechnicalPointsError::Negative);
        }
        let (whole, fraction) = match s.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (s.as_str(), ""),
        };
        let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        let malformed = whole.is_empty()
            || !all_digits(whole)
            || !all_digits(fraction)
            || (fraction.is_empty() && s.contains('.'));
        if malformed {
            return Err(TechnicalPointsError::Invalid { input: s });
        }
        if fraction.len() > 2 {
            return Err(TechnicalPointsError::TooPrecise { input: s });
        }
        let number = |part: &str| {
            part.bytes().try_fold(0u32, |acc, b| {
                acc.checked_mul(10)?.checked_add(u32::from(b - b'0'))
            })
        };
        let cents = match fraction.len() {
            0 => Some(0),
            1 => number(fraction).map(|tenths| tenths * 10),
            _ => number(fraction),
        };
        number(whole)
            .and_then(|w| w.checked_mul(100)?.checked_add(cents?))
            .ok_or(TechnicalPointsError::OutOfRange)
            .and_then(Self::from_hundredths)
    }
}

/// "40", "45.5", "45.25".
impl fmt::Display for TechnicalPoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, cents) = (self.0 / 100, self.0 % 100);
        match cents {
            0 => write!(f, "{whole}"),
            c if c % 10 == 0 => write!(f, "{whole}.{}", c / 10),
            c => write!(f, "{whole}.{c:02}"),
        }
    }
}

impl_string_conversions!(TechnicalPoints, TechnicalPointsError);

/// The rules one tender is evaluated by, fixed before bidding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationTerms {
    pub method: AwardMethod,
    /// 予定価格 (税抜): bids above it are excluded. Required for 加算方式.
    #[serde(default)]
    pub reserve_price: Option<TaxExclusive>,
    /// 最低制限価格 (税抜): bids below it are excluded.
    #[serde(default)]
    pub minimum_price: Option<TaxExclusive>,
    /// 価格点 (price-points allotment), 加算方式 only, 0..=[`MAX_POINTS`].
    #[serde(default)]
    pub price_points: Option<u32>,
    /// 基礎点 (base points), 除算方式 only, 0..=[`MAX_POINTS`].
    #[serde(default)]
    pub base_points: Option<u32>,
}

impl EvaluationTerms {
    /// Terms for `method` with no prices or points set yet.
    pub fn new(method: AwardMethod) -> Self {
        Self {
            method,
            reserve_price: None,
            minimum_price: None,
            price_points: None,
            base_points: None,
        }
    }

    /// Whether the terms are complete and consistent for their method; the
    /// same check [`EvaluationInput::new`] makes.
    pub fn check(&self) -> Result<(), EvaluationInputError> {
        Rule::of(self).map(|_| ())
    }
}

/// The method with what it needs, checked: what [`evaluate`] works from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    LowestPrice,
    Additive { reserve: i128, price_points: i128 },
    Division { base_points: i128 },
    Proposal,
}

impl Rule {
    fn of(terms: &EvaluationTerms) -> Result<Rule, EvaluationInputError> {
        use EvaluationInputError as E;
        for points in [terms.price_points, terms.base_points]
            .into_iter()
            .flatten()
        {
            if points > MAX_POINTS {
                return Err(E::PointsOutOfRange { points });
            }
        }
        if terms.reserve_price.is_some_and(|r| r.amount().amount() < 1) {
            return Err(E::ReservePriceNotPositive);
        }
        if terms.minimum_price.is_some_and(|m| m.amount().amount() < 1) {
            return Err(E::MinimumPriceNotPositive);
        }
        if let (Some(minimum), Some(reserve)) = (terms.minimum_price, terms.reserve_price)
            && minimum > reserve
        {
            return Err(E::MinimumAboveReserve { minimum, reserve });
        }
        Ok(match terms.method {
            AwardMethod::LowestPrice => Rule::LowestPrice,
            AwardMethod::BestValueAdditive => Rule::Additive {
                reserve: terms
                    .reserve_price
                    .map(|r| i128::from(r.amount().amount()))
                    .ok_or(E::ReservePriceRequired)?,
                price_points: terms
                    .price_points
                    .map(i128::from)
                    .ok_or(E::PricePointsRequired)?,
            },
            AwardMethod::BestValueDivision => Rule::Division {
                base_points: terms
                    .base_points
                    .map(i128::from)
                    .ok_or(E::BasePointsRequired)?,
            },
            AwardMethod::ProposalEvaluation => Rule::Proposal,
        })
    }

    fn needs_price(self) -> bool {
        self != Rule::Proposal
    }

    /// Decimal places of the published score.
    fn display_places(self) -> u32 {
        match self {
            Rule::Division { .. } => 10,
            _ => 4,
        }
    }
}

/// A bid as revealed at 開札, with what the evaluation added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevealedBid {
    pub bid_id: i64,
    /// 入札金額 (税抜); `None` for a proposal without a price.
    #[serde(default)]
    pub price: Option<TaxExclusive>,
    /// The くじ番号 entered with the bid.
    #[serde(default)]
    pub lottery: Option<LotteryNumber>,
    /// 受付日時, from the receipt.
    pub received_at: DateTime<Utc>,
    /// 技術評価点 (総合評価) or the proposal's score, once evaluated.
    #[serde(default)]
    pub technical_points: Option<TechnicalPoints>,
}

impl RevealedBid {
    fn receipt_order(&self, other: &Self) -> Ordering {
        self.received_at
            .cmp(&other.received_at)
            .then(self.bid_id.cmp(&other.bid_id))
    }
}

/// What [`evaluate`] needs: checked terms and bids with distinct ids, kept
/// in order of receipt (then bid id), so two inputs with the same bids in
/// another order are equal.
///
/// Serialised as `{"terms": …, "bids": […]}`; deserialising goes through
/// [`EvaluationInput::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "InputRecord")]
pub struct EvaluationInput {
    terms: EvaluationTerms,
    bids: Vec<RevealedBid>,
    #[serde(skip)]
    rule: Rule,
}

#[derive(Deserialize)]
struct InputRecord {
    terms: EvaluationTerms,
    #[serde(default)]
    bids: Vec<RevealedBid>,
}

impl TryFrom<InputRecord> for EvaluationInput {
    type Error = EvaluationInputError;
    fn try_from(record: InputRecord) -> Result<Self, Self::Error> {
        Self::new(record.terms, record.bids)
    }
}

impl EvaluationInput {
    /// Checks the terms ([`EvaluationTerms::check`]) and that no bid id
    /// appears twice. No bids at all is fine: the outcome is 不調.
    pub fn new(
        terms: EvaluationTerms,
        mut bids: Vec<RevealedBid>,
    ) -> Result<Self, EvaluationInputError> {
        let rule = Rule::of(&terms)?;
        let mut ids: Vec<i64> = bids.iter().map(|b| b.bid_id).collect();
        ids.sort_unstable();
        if let Some(pair) = ids.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(EvaluationInputError::DuplicateBid { bid_id: pair[0] });
        }
        bids.sort_by(RevealedBid::receipt_order);
        Ok(Self { terms, bids, rule })
    }

    pub fn terms(&self) -> &EvaluationTerms {
        &self.terms
    }

    /// The bids in order of receipt.
    pub fn bids(&self) -> &[RevealedBid] {
        &self.bids
    }
}

/// Why terms and bids cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvaluationInputError {
    #[error("best value (additive) needs a reserve price")]
    ReservePriceRequired,
    #[error("best value (additive) needs its price points")]
    PricePointsRequired,
    #[error("best value (division) needs its base points")]
    BasePointsRequired,
    #[error("{points} points is out of range (0 to {MAX_POINTS})")]
    PointsOutOfRange { points: u32 },
    #[error("the reserve price must be at least ¥1")]
    ReservePriceNotPositive,
    #[error("the minimum price must be at least ¥1")]
    MinimumPriceNotPositive,
    #[error(
        "the minimum price {} is above the reserve price {}",
        .minimum.amount(),
        .reserve.amount()
    )]
    MinimumAboveReserve {
        minimum: TaxExclusive,
        reserve: TaxExclusive,
    },
    #[error("bid {bid_id} appears more than once")]
    DuplicateBid { bid_id: i64 },
}

impl EvaluationInputError {
    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ReservePriceRequired => "evaluation_reserve_price_required",
            Self::PricePointsRequired => "evaluation_price_points_required",
            Self::BasePointsRequired => "evaluation_base_points_required",
            Self::PointsOutOfRange { .. } => "evaluation_points_out_of_range",
            Self::ReservePriceNotPositive => "evaluation_reserve_price_not_positive",
            Self::MinimumPriceNotPositive => "evaluation_minimum_price_not_positive",
            Self::MinimumAboveReserve { .. } => "evaluation_minimum_above_reserve",
            Self::DuplicateBid { .. } => "evaluation_duplicate_bid",
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match self {
            Self::ReservePriceRequired => {
                "総合評価（加算方式）では予定価格を設定してください。".to_owned()
            }
            Self::PricePointsRequired => {
                "総合評価（加算方式）では価格点を設定してください。".to_owned()
            }
            Self::BasePointsRequired => {
                "総合評価（除算方式）では基礎点を設定してください。".to_owned()
            }
            Self::PointsOutOfRange { points } => format!(
                "配点{points}点は範囲外です。0点から{MAX_POINTS}点の範囲で設定してください。"
            ),
            Self::ReservePriceNotPositive => {
                "予定価格には1円以上の金額を設定してください。".to_owned()
            }
            Self::MinimumPriceNotPositive => {
                "最低制限価格には1円以上の金額を設定してください。".to_owned()
            }
            Self::MinimumAboveReserve { minimum, reserve } => format!(
                "最低制限価格（{}）が予定価格（{}）を上回っています。",
                minimum.amount().format_ja(),
                reserve.amount().format_ja()
            ),
            Self::DuplicateBid { bid_id } => {
                format!("入札（ID：{bid_id}）が重複しています。")
            }
        }
    }

    /// English message for the UI.
    pub fn message_en(&self) -> String {
        match self {
            Self::ReservePriceRequired => {
                "Set a reserve price for best value (additive).".to_owned()
            }
            Self::PricePointsRequired => {
                "Set the price points for best value (additive).".to_owned()
            }
            Self::BasePointsRequired => "Set the base points for best value (division).".to_owned(),
            Self::PointsOutOfRange { points } => {
                format!("{points} points is out of range; use 0 to {MAX_POINTS}.")
            }
            Self::ReservePriceNotPositive => "The reserve price must be at least ¥1.".to_owned(),
            Self::MinimumPriceNotPositive => "The minimum price must be at least ¥1.".to_owned(),
            Self::MinimumAboveReserve { minimum, reserve } => format!(
                "The minimum price ({}) is above the reserve price ({}).",
                minimum.amount(),
                reserve.amount()
            ),
            Self::DuplicateBid { bid_id } => format!("Bid {bid_id} appears more than once."),
        }
    }
}

impl_domain_error!(EvaluationInputError);

code_enum!(
    /// Why a bid cannot win (無効・失格の理由). Checked in declaration
    /// order; a bid shows the first that applies.
    Exclusion, "exclusion reason", {
        /// A price-based method, but no price.
        PriceMissing => "price_missing", "入札金額なし", "No price";
        /// ¥0 or less.
        PriceNotPositive => "price_not_positive", "入札金額不正", "Invalid price";
        /// 予定価格超過: strictly above the 予定価格.
        AboveReservePrice => "above_reserve_price", "予定価格超過", "Above the reserve price";
        /// 最低制限価格未満 (失格): strictly below the 最低制限価格.
        BelowMinimumPrice => "below_minimum_price", "最低制限価格未満", "Below the minimum price";
        /// 総合評価 or proposal, but no technical points.
        TechnicalPointsMissing => "technical_points_missing", "技術評価点なし", "No technical score";
        /// No くじ番号.
        LotteryNumberMissing => "lottery_number_missing", "くじ番号なし", "No lottery number";
    }
);

impl Exclusion {
    /// A sentence for the bidder and the results page, in Japanese.
    pub fn message_ja(self) -> &'static str {
        match self {
            Exclusion::PriceMissing => "入札金額が記載されていないため、無効です。",
            Exclusion::PriceNotPositive => "入札金額が0円以下のため、無効です。",
            Exclusion::AboveReservePrice => "入札金額が予定価格を超えているため、無効です。",
            Exclusion::BelowMinimumPrice => "入札金額が最低制限価格を下回っているため、失格です。",
            Exclusion::TechnicalPointsMissing => "技術評価点がないため、評価の対象外です。",
            Exclusion::LotteryNumberMissing => "くじ番号が入力されていないため、無効です。",
        }
    }

    /// The same sentence in English.
    pub fn message_en(self) -> &'static str {
        match self {
            Exclusion::PriceMissing => "The bid states no price, so it is invalid.",
            Exclusion::PriceNotPositive => "The price is ¥0 or less, so the bid is invalid.",
            Exclusion::AboveReservePrice => "The price is above the reserve price.",
            Exclusion::BelowMinimumPrice => {
                "The price is below the minimum price, so the bid is disqualified."
            }
            Exclusion::TechnicalPointsMissing => {
                "The bid has no technical score, so it cannot be evaluated."
            }
            Exclusion::LotteryNumberMissing => "The bid has no lottery number, so it is invalid.",
        }
    }
}

/// An exact score: a reduced fraction with a positive denominator.
///
/// Compared exactly (never through floats), so two scores are equal — and go
/// to the lottery — only when they are the same number. Displayed and
/// serialised exactly as `"n/d"` (or `"n"`); [`Score::to_decimal`] rounds for
/// reading.
///
/// Scores come only from [`evaluate`], whose numerators stay below 2^90 and
/// denominators below 2^80, well inside `i128` for every operation here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Score {
    numerator: i128,
    denominator: i128,
}

impl Score {
    /// `numerator / denominator`, reduced; `denominator` must be positive.
    fn new(numerator: i128, denominator: i128) -> Self {
        let divisor = gcd(numerator.unsigned_abs(), denominator.unsigned_abs()).max(1);
        // The divisor divides the denominator, so it fits in i128.
        let divisor = i128::try_from(divisor).unwrap_or(1);
        Self {
            numerator: numerator / divisor,
            denominator: denominator / divisor,
        }
    }

    pub fn numerator(self) -> i128 {
        self.numerator
    }

    /// Always positive.
    pub fn denominator(self) -> i128 {
        self.denominator
    }

    /// The score with `places` decimal places (at most 18), rounded half up
    /// (away from zero): 2/3 → "0.6667" for 4 places.
    pub fn to_decimal(self, places: u32) -> String {
        let places = places.min(18);
        let den = self.denominator.unsigned_abs();
        let num = self.numerator.unsigned_abs();
        let (mut whole, mut rest) = (num / den, num % den);
        let mut fraction: u128 = 0;
        for _ in 0..places {
            rest *= 10;
            fraction = fraction * 10 + rest / den;
            rest %= den;
        }
        if rest * 2 >= den {
            fraction += 1;
            if fraction == 10u128.pow(places) {
                fraction = 0;
                whole += 1;
            }
        }
        let sign = if self.numerator < 0 && (whole != 0 || fraction != 0) {
            "-"
        } else {
            ""
        };
        if places == 0 {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole}.{fraction:0width$}", width = places as usize)
        }
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_fractions(
            self.numerator,
            self.denominator,
            other.numerator,
            other.denominator,
        )
    }
}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Exactly, "n/d", or "n" for a whole number.
impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.denominator == 1 {
            write!(f, "{}", self.numerator)
        } else {
            write!(f, "{}/{}", self.numerator, self.denominator)
        }
    }
}

impl Serialize for Score {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `a/b` against `c/d` for positive `b` and `d`: by cross-multiplication in
/// `i128`, or, if a product would overflow, by continued fractions.
fn cmp_fractions(a: i128, b: i128, c: i128, d: i128) -> Ordering {
    match (a.checked_mul(d), c.checked_mul(b)) {
        (Some(ad), Some(cb)) => ad.cmp(&cb),
        _ => cmp_continued(a, b, c, d),
    }
}

/// `a/b` against `c/d` (`b`, `d` > 0) without any multiplication: compare
/// the whole parts, then the reciprocals of the remainders, as Euclid's
/// algorithm does; each step at least halves the numbers, so it ends.
fn cmp_continued(mut a: i128, mut b: i128, mut c: i128, mut d: i128) -> Ordering {
    loop {
        let (q1, r1) = (a.div_euclid(b), a.rem_euclid(b));
        let (q2, r2) = (c.div_euclid(d), c.rem_euclid(d));
        if q1 != q2 {
            return q1.cmp(&q2);
        }
        match (r1 == 0, r2 == 0) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            // r1/b against r2/d is d/r2 against b/r1 (reciprocals, sides
            // swapped).
            (false, false) => (a, b, c, d) = (d, r2, b, r1),
        }
    }
}

/// How one bid came out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum BidStatus {
    /// A valid bid. `rank` is 1 for the best; equal bids share a rank and
    /// the next rank skips (1, 1, 3). `score` is `None` for 最低価格.
    Valid {
        rank: usize,
        score: Option<Score>,
        /// The score rounded half up for reading (4 decimal places, 10 for
        /// 除算方式).
        score_display: Option<String>,
    },
    Excluded {
        reason: Exclusion,
    },
}

impl BidStatus {
    pub fn is_valid(&self) -> bool {
        matches!(self, BidStatus::Valid { .. })
    }

    pub fn rank(&self) -> Option<usize> {
        match self {
            BidStatus::Valid { rank, .. } => Some(*rank),
            BidStatus::Excluded { .. } => None,
        }
    }

    pub fn score(&self) -> Option<Score> {
        match self {
            BidStatus::Valid { score, .. } => *score,
            BidStatus::Excluded { .. } => None,
        }
    }

    pub fn exclusion(&self) -> Option<Exclusion> {
        match self {
            BidStatus::Valid { .. } => None,
            BidStatus::Excluded { reason } => Some(*reason),
        }
    }
}

/// One line of the published result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvaluatedBid {
    pub bid_id: i64,
    /// 入札金額 (税抜), as bid.
    pub price: Option<TaxExclusive>,
    #[serde(flatten)]
    pub status: BidStatus,
}

/// 落札者決定 or 不調.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// 落札: the winning bid and its price (税抜; `None` for a proposal
    /// without one). `by_lottery` is the 電子くじ that chose it among bids
    /// with the same best score, `None` when it was the single best.
    Winner {
        bid_id: i64,
        price: Option<TaxExclusive>,
        by_lottery: Option<LotteryDraw>,
    },
    /// 不調: no valid bid.
    Unsuccessful,
}

impl Outcome {
    pub fn winner_bid_id(&self) -> Option<i64> {
        match self {
            Outcome::Winner { bid_id, .. } => Some(*bid_id),
            Outcome::Unsuccessful => None,
        }
    }

    /// 落札金額 (税込): the winning price plus consumption tax at `rate`,
    /// fraction under ¥1 dropped. `Ok(None)` for 不調 or a winner without a
    /// price; an error only if the sum overflows.
    pub fn award_price(&self, rate: TaxRate) -> Result<Option<TaxInclusive>, MoneyError> {
        match self {
            Outcome::Winner {
                price: Some(price), ..
            } => price.with_tax(rate).map(Some),
            _ => Ok(None),
        }
    }
}

/// The result of [`evaluate`]: every bid in order of receipt, and the
/// outcome. There is no `Deserialize`: a stored result is recomputed from
/// its input ([`verify`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    method: AwardMethod,
    bids: Vec<EvaluatedBid>,
    outcome: Outcome,
}

impl Evaluation {
    pub fn method(&self) -> AwardMethod {
        self.method
    }

    /// Every bid, in order of receipt (then bid id).
    pub fn bids(&self) -> &[EvaluatedBid] {
        &self.bids
    }

    /// One bid's line.
    pub fn bid(&self, bid_id: i64) -> Option<&EvaluatedBid> {
        self.bids.iter().find(|b| b.bid_id == bid_id)
    }

    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    pub fn winner_bid_id(&self) -> Option<i64> {
        self.outcome.winner_bid_id()
    }

    /// See [`Outcome::award_price`].
    pub fn award_price(&self, rate: TaxRate) -> Result<Option<TaxInclusive>, MoneyError> {
        self.outcome.award_price(rate)
    }
}

/// A bid that passed every check.
struct Candidate {
    lottery: LotteryNumber,
    /// Higher is better; for 最低価格 it is −price.
    merit: Score,
    /// The published score; `None` for 最低価格.
    score: Option<Score>,
}

fn judge(input: &EvaluationInput, bid: &RevealedBid) -> Result<Candidate, Exclusion> {
    let terms = &input.terms;
    let rule = input.rule;
    match bid.price {
        Some(price) => {
            if price.amount().amount() < 1 {
                return Err(Exclusion::PriceNotPositive);
            }
            if terms.reserve_price.is_some_and(|reserve| price > reserve) {
                return Err(Exclusion::AboveReservePrice);
            }
            if terms.minimum_price.is_some_and(|minimum| price < minimum) {
                return Err(Exclusion::BelowMinimumPrice);
            }
        }
        None if rule.needs_price() => return Err(Exclusion::PriceMissing),
        None => {}
    }
    let price = || {
        bid.price
            .map(|p| i128::from(p.amount().amount()))
            .ok_or(Exclusion::PriceMissing)
    };
    let technical = || {
        bid.technical_points
            .map(|t| i128::from(t.hundredths()))
            .ok_or(Exclusion::TechnicalPointsMissing)
    };
    // Technical points are in hundredths, hence the factors of 100.
    let (merit, score) = match rule {
        Rule::LowestPrice => (Score::new(-price()?, 1), None),
        Rule::Additive {
            reserve,
            price_points,
        } => {
            let (price, technical) = (price()?, technical()?);
            // technical + P × (1 − b/R) = (t·R + 100·P·(R − b)) / (100·R)
            let score = Score::new(
                technical * reserve + 100 * price_points * (reserve - price),
                100 * reserve,
            );
            (score, Some(score))
        }
        Rule::Division { base_points } => {
            let (price, technical) = (price()?, technical()?);
            // (base + technical) / b = (100·base + t) / (100·b)
            let score = Score::new(100 * base_points + technical, 100 * price);
            (score, Some(score))
        }
        Rule::Proposal => {
            let score = Score::new(technical()?, 100);
            (score, Some(score))
        }
    };
    let lottery = bid.lottery.ok_or(Exclusion::LotteryNumberMissing)?;
    Ok(Candidate {
        lottery,
        merit,
        score,
    })
}

/// 落札者決定: the result of `input`. A pure function: the same input (in
/// any bid order) always gives the same evaluation.
pub fn evaluate(input: &EvaluationInput) -> Evaluation {
    let places = input.rule.display_places();
    let judged: Vec<(&RevealedBid, Result<Candidate, Exclusion>)> =
        input.bids.iter().map(|b| (b, judge(input, b))).collect();
    let merits: Vec<Score> = judged
        .iter()
        .filter_map(|(_, j)| j.as_ref().ok().map(|c| c.merit))
        .collect();
    let best = merits.iter().max().copied();
    // Best first, so a rank is a binary search: counting the better merits
    // bid by bid is quadratic, seconds at 10,000 bids.
    let mut ranked = merits.clone();
    ranked.sort_unstable_by(|a, b| b.cmp(a));

    let bids = judged
        .iter()
        .map(|(bid, judgement)| EvaluatedBid {
            bid_id: bid.bid_id,
            price: bid.price,
            status: match judgement {
                Ok(c) => BidStatus::Valid {
                    rank: 1 + ranked.partition_point(|m| *m > c.merit),
                    score: c.score,
                    score_display: c.score.map(|s| s.to_decimal(places)),
                },
                Err(reason) => BidStatus::Excluded { reason: *reason },
            },
        })
        .collect();

    let tied: Vec<(&RevealedBid, &Candidate)> = judged
        .iter()
        .filter_map(|(bid, j)| match j {
            Ok(c) if Some(c.merit) == best => Some((*bid, c)),
            _ => None,
        })
        .collect();
    let outcome = match tied.as_slice() {
        [] => Outcome::Unsuccessful,
        [(only, _)] => Outcome::Winner {
            bid_id: only.bid_id,
            price: only.price,
            by_lottery: None,
        },
        [first, ..] => {
            let entries = tied
                .iter()
                .map(|(bid, c)| LotteryEntry {
                    bid_id: bid.bid_id,
                    entered: c.lottery,
                    received_at: bid.received_at,
                })
                .collect();
            // Ids are distinct (EvaluationInput::new) and there are at least
            // two entries, so the draw exists and names one of them.
            let draw = lottery::draw_distinct(entries);
            let winner = draw
                .as_ref()
                .and_then(|d| tied.iter().find(|(b, _)| b.bid_id == d.winner_bid_id()))
                .unwrap_or(first);
            Outcome::Winner {
                bid_id: winner.0.bid_id,
                price: winner.0.price,
                by_lottery: draw,
            }
        }
    };

    Evaluation {
        method: input.terms.method,
        bids,
        outcome,
    }
}

/// Whether `published` is exactly what `input` gives: how the results page,
/// or anyone holding the published inputs, checks a result.
pub fn verify(input: &EvaluationInput, published: &Evaluation) -> bool {
    evaluate(input) == *published
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Yen;
    use chrono::{FixedOffset, TimeZone};
    use proptest::prelude::*;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};

    use AwardMethod::*;

    fn yen(n: i64) -> TaxExclusive {
        TaxExclusive::new(Yen::new(n))
    }

    fn pts(s: &str) -> TechnicalPoints {
        TechnicalPoints::parse(s).unwrap()
    }

    fn jst(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        FixedOffset::east_opt(9 * 3600)
            .unwrap()
            .with_ymd_and_hms(y, mo, d, h, mi, s)
            .unwrap()
            .with_timezone(&Utc)
    }

    /// A price bid received `minute` minutes into a fixed day.
    fn bid(bid_id: i64, price: i64, minute: u32) -> RevealedBid {
        RevealedBid {
            bid_id,
            price: Some(yen(price)),
            lottery: Some(LotteryNumber::new(123).unwrap()),
            received_at: jst(2026, 5, 11, 9, minute, 0),
            technical_points: None,
        }
    }

    fn scored(bid_id: i64, price: i64, technical: &str, minute: u32) -> RevealedBid {
        RevealedBid {
            technical_points: Some(pts(technical)),
            ..bid(bid_id, price, minute)
        }
    }

    fn terms(method: AwardMethod) -> EvaluationTerms {
        EvaluationTerms::new(method)
    }

    fn with_prices(method: AwardMethod, reserve: i64, minimum: Option<i64>) -> EvaluationTerms {
        EvaluationTerms {
            reserve_price: Some(yen(reserve)),
            minimum_price: minimum.map(yen),
            ..terms(method)
        }
    }

    fn run(terms: EvaluationTerms, bids: Vec<RevealedBid>) -> Evaluation {
        evaluate(&EvaluationInput::new(terms, bids).unwrap())
    }

    fn status(e: &Evaluation, bid_id: i64) -> &BidStatus {
        &e.bid(bid_id).unwrap().status
    }

    fn display(e: &Evaluation, bid_id: i64) -> String {
        match status(e, bid_id) {
            BidStatus::Valid { score_display, .. } => score_display.clone().unwrap(),
            other => panic!("bid {bid_id} is {other:?}"),
        }
    }

    // ---- 最低価格 ----

    #[test]
    fn lowest_price_wins() {
        let e = run(
            with_prices(LowestPrice, 1_000_000, Some(800_000)),
            vec![bid(1, 950_000, 1), bid(2, 900_000, 2), bid(3, 990_000, 3)],
        );
        assert_eq!(
            e.outcome(),
            &Outcome::Winner {
                bid_id: 2,
                price: Some(yen(900_000)),
                by_lottery: None
            }
        );
        let ranks: Vec<_> = e.bids().iter().map(|b| b.status.rank()).collect();
        assert_eq!(ranks, [Some(2), Some(1), Some(3)]);
        assert_eq!(status(&e, 2).score(), None);
        assert_eq!(e.method(), LowestPrice);
        assert_eq!(e.winner_bid_id(), Some(2));
    }

    #[test]
    fn no_ceiling_or_floor_means_no_limit() {
        let e = run(terms(LowestPrice), vec![bid(1, 5, 1), bid(2, i64::MAX, 2)]);
        assert_eq!(e.winner_bid_id(), Some(1));
        assert!(e.bids().iter().all(|b| b.status.is_valid()));
    }

    #[test]
    fn each_exclusion_reason() {
        let no_price = RevealedBid {
            price: None,
            ..bid(1, 0, 1)
        };
        let no_lottery = RevealedBid {
            lottery: None,
            ..bid(6, 900_000, 6)
        };
        let e = run(
            with_prices(LowestPrice, 1_000_000, Some(800_000)),
            vec![
                no_price,
                bid(2, 0, 2),
                bid(3, -5, 3),
                bid(4, 1_000_001, 4),
                bid(5, 799_999, 5),
                no_lottery,
            ],
        );
        let reasons: Vec<_> = e.bids().iter().map(|b| b.status.exclusion()).collect();
        use Exclusion::*;
        assert_eq!(
            reasons,
            [
                Some(PriceMissing),
                Some(PriceNotPositive),
                Some(PriceNotPositive),
                Some(AboveReservePrice),
                Some(BelowMinimumPrice),
                Some(LotteryNumberMissing),
            ]
        );
        assert_eq!(e.outcome(), &Outcome::Unsuccessful);
        assert_eq!(e.award_price(TaxRate::STANDARD), Ok(None));

        // Technical points, for each method that needs them.
        for method in [BestValueAdditive, BestValueDivision, ProposalEvaluation] {
            let terms = EvaluationTerms {
                price_points: Some(30),
                base_points: Some(100),
                ..with_prices(method, 1_000_000, None)
            };
            let e = run(terms, vec![bid(1, 900_000, 1)]);
            assert_eq!(
                status(&e, 1).exclusion(),
                Some(TechnicalPointsMissing),
                "{method}"
            );
            assert_eq!(e.outcome(), &Outcome::Unsuccessful);
        }
    }

    #[test]
    fn exclusions_report_the_first_reason() {
        let bad = RevealedBid {
            lottery: None,
            technical_points: None,
            ..bid(1, 2_000_000, 1)
        };
        let terms = EvaluationTerms {
            price_points: Some(30),
            ..with_prices(BestValueAdditive, 1_000_000, None)
        };
        let e = run(terms, vec![bad]);
        assert_eq!(
            status(&e, 1).exclusion(),
            Some(Exclusion::AboveReservePrice)
        );
        let bad = RevealedBid {
            lottery: None,
            technical_points: None,
            ..bid(1, 900_000, 1)
        };
        let e = run(terms, vec![bad]);
        assert_eq!(
            status(&e, 1).exclusion(),
            Some(Exclusion::TechnicalPointsMissing)
        );
    }

    #[test]
    fn exactly_at_the_ceiling_or_floor_is_valid() {
        let e = run(
            with_prices(LowestPrice, 1_000_000, Some(800_000)),
            vec![bid(1, 1_000_000, 1), bid(2, 800_000, 2)],
        );
        assert!(status(&e, 1).is_valid());
        assert!(status(&e, 2).is_valid());
        assert_eq!(e.winner_bid_id(), Some(2));
        // Floor equal to ceiling: only that exact price is valid.
        let e = run(
            with_prices(LowestPrice, 1_000_000, Some(1_000_000)),
            vec![bid(1, 1_000_000, 1), bid(2, 999_999, 2)],
        );
        assert!(status(&e, 1).is_valid());
        assert_eq!(
            status(&e, 2).exclusion(),
            Some(Exclusion::BelowMinimumPrice)
        );
        assert_eq!(e.winner_bid_id(), Some(1));
    }

    #[test]
    fn all_excluded_or_no_bids_is_unsuccessful() {
        let e = run(with_prices(LowestPrice, 1_000, None), vec![]);
        assert_eq!(e.outcome(), &Outcome::Unsuccessful);
        assert!(e.bids().is_empty());
        let e = run(
            with_prices(LowestPrice, 1_000, None),
            vec![bid(1, 1_001, 1), bid(2, 5_000, 2)],
        );
        assert_eq!(e.outcome(), &Outcome::Unsuccessful);
        assert_eq!(e.winner_bid_id(), None);
    }

    // ---- ties and the lottery ----

    /// The glossary's three bidders, all at the same lowest price.
    fn glossary_bids() -> Vec<RevealedBid> {
        let b = |bid_id, lottery: &str, at| RevealedBid {
            bid_id,
            price: Some(yen(900_000)),
            lottery: Some(LotteryNumber::parse(lottery).unwrap()),
            received_at: at,
            technical_points: None,
        };
        vec![
            b(11, "418", jst(2005, 3, 1, 11, 30, 10)),
            b(22, "210", jst(2005, 3, 5, 14, 20, 40)),
            b(33, "861", jst(2005, 3, 14, 16, 48, 0)),
        ]
    }

    #[test]
    fn equal_lowest_prices_go_to_the_lottery() {
        let mut bids = glossary_bids();
        // A dearer bid takes no part in the draw.
        bids.push(RevealedBid {
            bid_id: 44,
            price: Some(yen(950_000)),
            received_at: jst(2005, 3, 20, 9, 0, 0),
            ..bids[0]
        });
        let e = run(with_prices(LowestPrice, 1_000_000, None), bids.clone());
        let Outcome::Winner {
            bid_id,
            price,
            by_lottery: Some(draw),
        } = e.outcome()
        else {
            panic!("expected a lottery: {:?}", e.outcome());
        };
        assert_eq!((*bid_id, *price), (22, Some(yen(900_000))));
        let ids: Vec<_> = draw.entries().iter().map(|d| d.bid_id).collect();
        assert_eq!(ids, [11, 22, 33]);
        assert_eq!(draw.sum(), 1219);
        assert_eq!(draw.winner_index(), 1);
        let ranks: Vec<_> = e.bids().iter().map(|b| b.status.rank()).collect();
        assert_eq!(ranks, [Some(1), Some(1), Some(1), Some(4)]);

        bids.reverse();
        let again = run(with_prices(LowestPrice, 1_000_000, None), bids);
        assert_eq!(again, e);
    }

    #[test]
    fn equal_scores_from_different_bids_tie_exactly() {
        // R = 10,000,000, 価格点 50:
        // bid 1: 40 + 50 × (1 − 0.9) = 45; bid 2: 35 + 50 × (1 − 0.8) = 45.
        let terms = EvaluationTerms {
            price_points: Some(50),
            ..with_prices(BestValueAdditive, 10_000_000, None)
        };
        let bids = vec![
            scored(1, 9_000_000, "40", 1),
            scored(2, 8_000_000, "35", 2),
            scored(3, 9_500_000, "42", 3),
        ];
        let e = run(terms, bids);
        assert_eq!(display(&e, 1), "45.0000");
        assert_eq!(display(&e, 2), "45.0000");
        assert_eq!(status(&e, 1).score(), status(&e, 2).score());
        let Outcome::Winner { by_lottery, .. } = e.outcome() else {
            panic!("expected a winner");
        };
        assert_eq!(by_lottery.as_ref().map(|d| d.count()), Some(2));
        assert!([1, 2].contains(&e.winner_bid_id().unwrap()));
        assert_eq!(status(&e, 3).rank(), Some(3));
    }

    // ---- 総合評価 ----

    #[test]
    fn additive_hand_computed() {
        // R = 10,000,000, 価格点 30.
        //   bid 1: 40    + 30 × (1 − 9,000,000/10,000,000) = 40 + 3   = 43
        //   bid 2: 38.5  + 30 × (1 − 8,000,000/10,000,000) = 38.5 + 6 = 44.5
        //   bid 3: 45.25 + 30 × (1 − 9,500,000/10,000,000) = 45.25 + 1.5 = 46.75
        let terms = EvaluationTerms {
            price_points: Some(30),
            ..with_prices(BestValueAdditive, 10_000_000, Some(7_000_000))
        };
        let e = run(
            terms,
            vec![
                scored(1, 9_000_000, "40", 1),
                scored(2, 8_000_000, "38.5", 2),
                scored(3, 9_500_000, "45.25", 3),
            ],
        );
        assert_eq!(display(&e, 1), "43.0000");
        assert_eq!(display(&e, 2), "44.5000");
        assert_eq!(display(&e, 3), "46.7500");
        assert_eq!(status(&e, 3).score().unwrap().to_string(), "187/4");
        assert_eq!(status(&e, 1).score().unwrap().to_string(), "43");
        let ranks: Vec<_> = e.bids().iter().map(|b| b.status.rank()).collect();
        assert_eq!(ranks, [Some(3), Some(2), Some(1)]);
        // The best score wins, not the lowest price.
        assert_eq!(
            e.outcome(),
            &Outcome::Winner {
                bid_id: 3,
                price: Some(yen(9_500_000)),
                by_lottery: None
            }
        );
        assert_eq!(
            e.award_price(TaxRate::STANDARD),
            Ok(Some(TaxInclusive::new(Yen::new(10_450_000))))
        );
    }

    #[test]
    fn additive_rounds_half_up_for_display_only() {
        // R = 3,000,000, 価格点 20: bid 2,000,000 → 20 × 1/3 = 6.6666…
        // and 価格点 10 → 3.3333…
        let terms = |points| EvaluationTerms {
            price_points: Some(points),
            ..with_prices(BestValueAdditive, 3_000_000, None)
        };
        let e = run(terms(20), vec![scored(1, 2_000_000, "0", 1)]);
        assert_eq!(display(&e, 1), "6.6667");
        assert_eq!(status(&e, 1).score().unwrap().to_string(), "20/3");
        let e = run(terms(10), vec![scored(1, 2_000_000, "50", 1)]);
        assert_eq!(display(&e, 1), "53.3333");
        // Bid at the ceiling: no price points at all.
        let e = run(terms(10), vec![scored(1, 3_000_000, "50", 1)]);
        assert_eq!(display(&e, 1), "50.0000");
    }

    #[test]
    fn division_hand_computed() {
        // 基礎点 100.
        //   bid 1: (100 + 50)   / 10,000,000 = 0.000015
        //   bid 2: (100 + 60)   / 11,000,000 = 0.0000145454…
        //   bid 3: (100 + 45.5) /  9,700,001 = 0.0000149999984…
        let terms = EvaluationTerms {
            base_points: Some(100),
            ..with_prices(BestValueDivision, 12_000_000, None)
        };
        let bids = vec![
            scored(1, 10_000_000, "50", 1),
            scored(2, 11_000_000, "60", 2),
            scored(3, 9_700_001, "45.5", 3),
        ];
        let e = run(terms, bids.clone());
        assert_eq!(display(&e, 1), "0.0000150000");
        assert_eq!(display(&e, 2), "0.0000145455");
        assert_eq!(display(&e, 3), "0.0000150000");
        assert_eq!(status(&e, 1).score().unwrap().to_string(), "3/200000");
        // Equal when rounded, but not equal: bid 1 wins outright.
        assert_eq!(
            e.outcome(),
            &Outcome::Winner {
                bid_id: 1,
                price: Some(yen(10_000_000)),
                by_lottery: None
            }
        );
        let ranks: Vec<_> = e.bids().iter().map(|b| b.status.rank()).collect();
        assert_eq!(ranks, [Some(1), Some(3), Some(2)]);

        // (100 + 45.5) / 9,700,000 = 0.000015 exactly: a tie with bid 1.
        let mut bids = bids;
        bids.push(scored(4, 9_700_000, "45.5", 4));
        let e = run(terms, bids);
        assert_eq!(status(&e, 4).score(), status(&e, 1).score());
        let Outcome::Winner {
            bid_id,
            by_lottery: Some(draw),
            ..
        } = e.outcome()
        else {
            panic!("expected a lottery: {:?}", e.outcome());
        };
        let drawn: Vec<_> = draw.entries().iter().map(|d| d.bid_id).collect();
        assert_eq!(drawn, [1, 4]);
        assert!([1, 4].contains(bid_id));
    }

    #[test]
    fn division_does_not_need_a_reserve_price() {
        let terms = EvaluationTerms {
            base_points: Some(0),
            ..terms(BestValueDivision)
        };
        let e = run(
            terms,
            vec![scored(1, 1_000, "10", 1), scored(2, 2_000, "10", 2)],
        );
        assert_eq!(display(&e, 1), "0.0100000000");
        assert_eq!(e.winner_bid_id(), Some(1));
    }

    #[test]
    fn proposals_score_technical_points_only() {
        let proposal = |bid_id, technical: &str, minute| RevealedBid {
            price: None,
            ..scored(bid_id, 0, technical, minute)
        };
        let e = run(
            terms(ProposalEvaluation),
            vec![
                proposal(1, "72.5", 1),
                proposal(2, "80", 2),
                proposal(3, "80", 3),
                proposal(4, "95", 4),
                RevealedBid {
                    price: Some(yen(6_000_000)),
                    ..scored(5, 0, "99", 5)
                },
            ],
        );
        // Bid 5 is above the 提案上限額 (no limit set here, so it is valid).
        assert_eq!(e.winner_bid_id(), Some(5));
        assert_eq!(display(&e, 1), "72.5000");
        assert_eq!(
            e.award_price(TaxRate::STANDARD),
            Ok(Some(TaxInclusive::new(Yen::new(6_600_000))))
        );

        let limited = with_prices(ProposalEvaluation, 5_000_000, None);
        let e = run(
            limited,
            vec![
                proposal(2, "80", 2),
                proposal(3, "80", 3),
                RevealedBid {
                    price: Some(yen(6_000_000)),
                    ..scored(5, 0, "99", 5)
                },
            ],
        );
        assert_eq!(
            status(&e, 5).exclusion(),
            Some(Exclusion::AboveReservePrice)
        );
        // Two proposals at 80 points: the lottery decides.
        let Outcome::Winner {
            bid_id,
            price,
            by_lottery: Some(draw),
        } = e.outcome()
        else {
            panic!("expected a lottery");
        };
        assert!([2, 3].contains(bid_id));
        assert_eq!(*price, None);
        assert_eq!(draw.winner_bid_id(), *bid_id);
        assert_eq!(e.award_price(TaxRate::STANDARD), Ok(None));
    }

    #[test]
    fn lowest_price_ignores_technical_points() {
        let e = run(
            terms(LowestPrice),
            vec![scored(1, 1_000, "0", 1), scored(2, 2_000, "99", 2)],
        );
        assert_eq!(e.winner_bid_id(), Some(1));
    }

    // ---- input, award price, verification ----

    #[test]
    fn input_errors() {
        use EvaluationInputError as E;
        let check = |t: EvaluationTerms| EvaluationInput::new(t, vec![]).map(|_| ());
        assert_eq!(
            check(EvaluationTerms {
                price_points: Some(30),
                ..terms(BestValueAdditive)
            }),
            Err(E::ReservePriceRequired)
        );
        assert_eq!(
            check(with_prices(BestValueAdditive, 1_000, None)),
            Err(E::PricePointsRequired)
        );
        assert_eq!(check(terms(BestValueDivision)), Err(E::BasePointsRequired));
        assert_eq!(
            check(EvaluationTerms {
                price_points: Some(MAX_POINTS + 1),
                ..with_prices(BestValueAdditive, 1_000, None)
            }),
            Err(E::PointsOutOfRange {
                points: MAX_POINTS + 1
            })
        );
        assert_eq!(
            check(with_prices(LowestPrice, 0, None)),
            Err(E::ReservePriceNotPositive)
        );
        assert_eq!(
            check(with_prices(LowestPrice, 1_000, Some(-1))),
            Err(E::MinimumPriceNotPositive)
        );
        let upside_down = with_prices(LowestPrice, 1_000, Some(1_001));
        assert_eq!(
            check(upside_down),
            Err(E::MinimumAboveReserve {
                minimum: yen(1_001),
                reserve: yen(1_000)
            })
        );
        assert_eq!(upside_down.check(), check(upside_down));
        assert_eq!(
            EvaluationInput::new(terms(LowestPrice), vec![bid(1, 10, 1), bid(1, 20, 2)]),
            Err(E::DuplicateBid { bid_id: 1 })
        );
        // Points the method does not use are ignored, and the minimum alone
        // needs no reserve.
        assert!(
            check(EvaluationTerms {
                price_points: Some(30),
                minimum_price: Some(yen(5)),
                ..terms(LowestPrice)
            })
            .is_ok()
        );
        assert!(
            check(EvaluationTerms {
                price_points: Some(MAX_POINTS),
                ..with_prices(BestValueAdditive, 1, Some(1))
            })
            .is_ok()
        );

        let all = [
            E::ReservePriceRequired,
            E::PricePointsRequired,
            E::BasePointsRequired,
            E::PointsOutOfRange { points: 10_001 },
            E::ReservePriceNotPositive,
            E::MinimumPriceNotPositive,
            E::MinimumAboveReserve {
                minimum: yen(2_000),
                reserve: yen(1_000),
            },
            E::DuplicateBid { bid_id: 7 },
        ];
        let codes: std::collections::HashSet<_> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), all.len());
        for e in &all {
            assert!(e.code().starts_with("evaluation_"));
            assert!(!e.message_ja().is_empty());
            assert!(!e.message_en().is_empty());
            assert!(!e.to_string().is_empty());
        }
        assert_eq!(
            all[6].message_ja(),
            "最低制限価格（2,000円）が予定価格（1,000円）を上回っています。"
        );
        assert_eq!(
            all[6].to_string(),
            "the minimum price ¥2,000 is above the reserve price ¥1,000"
        );
    }

    #[test]
    fn exclusion_codes_and_messages() {
        let all = Exclusion::ALL;
        let codes: std::collections::HashSet<_> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), all.len());
        for e in all {
            assert_eq!(Exclusion::parse(e.code()), Ok(*e));
            assert!(e.message_ja().ends_with('。'));
            assert!(!e.message_en().is_empty());
        }
        assert_eq!(Exclusion::AboveReservePrice.name_ja(), "予定価格超過");
        assert_eq!(Exclusion::BelowMinimumPrice.name_ja(), "最低制限価格未満");
        assert_eq!(Exclusion::AboveReservePrice.code(), "above_reserve_price");
        assert_eq!(Exclusion::BelowMinimumPrice.code(), "below_minimum_price");
    }

    #[test]
    fn award_price_includes_tax_with_fractions_dropped() {
        let e = run(terms(LowestPrice), vec![bid(1, 999, 1)]);
        assert_eq!(
            e.award_price(TaxRate::STANDARD),
            Ok(Some(TaxInclusive::new(Yen::new(1_098))))
        );
        assert_eq!(
            e.award_price(TaxRate::REDUCED),
            Ok(Some(TaxInclusive::new(Yen::new(1_078))))
        );
        let e = run(terms(LowestPrice), vec![bid(1, i64::MAX, 1)]);
        assert_eq!(e.award_price(TaxRate::STANDARD), Err(MoneyError::Overflow));
    }

    #[test]
    fn input_is_kept_in_receipt_order_and_verifies() {
        let input = EvaluationInput::new(
            with_prices(LowestPrice, 1_000_000, None),
            vec![
                bid(3, 900_000, 30),
                bid(1, 950_000, 10),
                bid(2, 900_000, 10),
            ],
        )
        .unwrap();
        let ids: Vec<_> = input.bids().iter().map(|b| b.bid_id).collect();
        // Bids 1 and 2 share an instant: bid id breaks the tie.
        assert_eq!(ids, [1, 2, 3]);
        assert_eq!(input.terms().method, LowestPrice);
        let e = evaluate(&input);
        let ids: Vec<_> = e.bids().iter().map(|b| b.bid_id).collect();
        assert_eq!(ids, [1, 2, 3]);
        assert!(verify(&input, &e));
        let other = evaluate(
            &EvaluationInput::new(
                with_prices(LowestPrice, 925_000, None),
                input.bids().to_vec(),
            )
            .unwrap(),
        );
        assert!(!verify(&input, &other));
    }

    // ---- values ----

    #[test]
    fn technical_points_parse() {
        assert_eq!(pts("40").hundredths(), 4_000);
        assert_eq!(pts("45.5").hundredths(), 4_550);
        assert_eq!(pts("45.25").hundredths(), 4_525);
        assert_eq!(pts("45.05").hundredths(), 4_505);
        assert_eq!(pts("0").hundredths(), 0);
        assert_eq!(pts("0.5").hundredths(), 50);
        assert_eq!(pts(" ４５．５ ").hundredths(), 4_550);
        assert_eq!(pts("10000").hundredths(), 1_000_000);
        assert_eq!(pts("007.10").hundredths(), 710);
        assert_eq!(pts("45.5").to_string(), "45.5");
        assert_eq!(pts("45.50").to_string(), "45.5");
        assert_eq!(pts("45.25").to_string(), "45.25");
        assert_eq!(pts("45.05").to_string(), "45.05");
        assert_eq!(pts("40.00").to_string(), "40");
        assert_eq!(TechnicalPoints::from_points(12).unwrap().to_string(), "12");
        assert_eq!(TechnicalPoints::MAX.to_string(), "10000");
        assert_eq!(TechnicalPoints::default(), TechnicalPoints::ZERO);

        use TechnicalPointsError::*;
        let p = TechnicalPoints::parse;
        assert_eq!(p(""), Err(Empty));
        assert_eq!(p("-1"), Err(Negative));
        assert_eq!(p("－１"), Err(Negative));
        assert_eq!(
            p("45.125"),
            Err(TooPrecise {
                input: "45.125".into()
            })
        );
        assert_eq!(
            p("45.250"),
            Err(TooPrecise {
                input: "45.250".into()
            })
        );
        assert_eq!(p("10000.01"), Err(OutOfRange));
        assert_eq!(p("99999999999999999999"), Err(OutOfRange));
        assert_eq!(TechnicalPoints::from_hundredths(1_000_001), Err(OutOfRange));
        assert_eq!(TechnicalPoints::from_points(u32::MAX), Err(OutOfRange));
        for bad in [".5", "5.", "1.2.3", "+5", "4 5", "1e2", "45,5", "abc", "."] {
            assert!(matches!(p(bad), Err(Invalid { .. })), "{bad}");
        }
        for e in [
            Empty,
            Negative,
            Invalid { input: "x".into() },
            TooPrecise {
                input: "1.234".into(),
            },
            OutOfRange,
        ] {
            assert!(e.code().starts_with("technical_points_"));
            assert!(!e.message_ja().is_empty());
            assert!(!e.message_en().is_empty());
        }
        let de: StrDeserializer<DeError> = "45.5".into_deserializer();
        assert_eq!(TechnicalPoints::deserialize(de).unwrap(), pts("45.5"));
        let de: StrDeserializer<DeError> = "45.555".into_deserializer();
        assert!(TechnicalPoints::deserialize(de).is_err());
    }

    #[test]
    fn score_decimals_round_half_up() {
        let s = Score::new;
        assert_eq!(s(1, 8).to_decimal(2), "0.13");
        assert_eq!(s(1, 8).to_decimal(3), "0.125");
        assert_eq!(s(2, 3).to_decimal(4), "0.6667");
        assert_eq!(s(1, 3).to_decimal(4), "0.3333");
        assert_eq!(s(9_999, 10_000).to_decimal(2), "1.00");
        assert_eq!(s(5, 1).to_decimal(4), "5.0000");
        assert_eq!(s(5, 2).to_decimal(0), "3");
        assert_eq!(s(-1, 8).to_decimal(2), "-0.13");
        assert_eq!(s(-1, 1000).to_decimal(2), "0.00");
        assert_eq!(s(6, 4), s(3, 2));
        assert_eq!(s(6, 4).to_string(), "3/2");
        assert_eq!((s(6, 4).numerator(), s(6, 4).denominator()), (3, 2));
        assert_eq!(s(0, 7).to_string(), "0");
    }

    #[test]
    fn score_comparison_survives_huge_values() {
        let big = i128::MAX / 3;
        // Cross products overflow; the continued-fraction path decides.
        assert_eq!(
            cmp_fractions(big, big - 1, big - 1, big - 2),
            Ordering::Less
        );
        assert_eq!(
            cmp_fractions(big - 1, big, big - 2, big - 1),
            Ordering::Greater
        );
        assert_eq!(cmp_fractions(-big, 7, -big, 7), Ordering::Equal);
        assert_eq!(cmp_fractions(-big, 3, 1, big), Ordering::Less);
    }

    // ---- properties ----

    /// What the tests know of a method, written from the glossary formulas
    /// independently of `judge`.
    fn oracle_valid(terms: &EvaluationTerms, b: &RevealedBid) -> bool {
        let needs_price = terms.method != ProposalEvaluation;
        let needs_technical = terms.method != LowestPrice;
        let price_ok = match b.price {
            None => !needs_price,
            Some(p) => {
                p.amount().amount() >= 1
                    && terms.reserve_price.is_none_or(|r| p <= r)
                    && terms.minimum_price.is_none_or(|m| p >= m)
            }
        };
        price_ok && (!needs_technical || b.technical_points.is_some()) && b.lottery.is_some()
    }

    /// The bid's merit as (numerator, denominator), higher is better, with
    /// technical points in hundredths.
    fn oracle_merit(terms: &EvaluationTerms, b: &RevealedBid) -> (i128, i128) {
        let price = b.price.map_or(0, |p| i128::from(p.amount().amount()));
        let t = b.technical_points.map_or(0, |t| i128::from(t.hundredths()));
        match terms.method {
            LowestPrice => (-price, 1),
            BestValueAdditive => {
                let r = i128::from(terms.reserve_price.unwrap().amount().amount());
                let p = i128::from(terms.price_points.unwrap());
                // t/100 + p − p·b/r
                (t * r + 100 * p * r - 100 * p * price, 100 * r)
            }
            BestValueDivision => {
                let base = i128::from(terms.base_points.unwrap());
                (base * 100 + t, 100 * price)
            }
            ProposalEvaluation => (t, 100),
        }
    }

    fn oracle_cmp(terms: &EvaluationTerms, a: &RevealedBid, b: &RevealedBid) -> Ordering {
        let ((an, ad), (bn, bd)) = (oracle_merit(terms, a), oracle_merit(terms, b));
        (an * bd).cmp(&(bn * ad))
    }

    fn arb_method() -> impl Strategy<Value = AwardMethod> {
        prop::sample::select(AwardMethod::ALL.to_vec())
    }

    fn arb_case() -> impl Strategy<Value = (EvaluationTerms, Vec<RevealedBid>)> {
        (
            arb_method(),
            1_000i64..=10_000_000,
            any::<bool>(),
            prop::option::of(50i64..=100),
            // Round allotments make exact ties between different bids likely
            // (with 50 points, 40 + 10 = 50 + 0).
            prop_oneof![2 => prop::sample::select(vec![0u32, 10, 50, 100]), 1 => 0u32..=100],
            prop_oneof![prop::sample::select(vec![0u32, 100]), 0u32..=200],
        )
            .prop_flat_map(|(method, reserve, show_reserve, floor_pct, pp, bp)| {
                let terms = EvaluationTerms {
                    method,
                    reserve_price: (show_reserve || method == BestValueAdditive)
                        .then_some(yen(reserve)),
                    minimum_price: floor_pct.map(|pct| yen(reserve * pct / 100)),
                    price_points: Some(pp),
                    base_points: Some(bp),
                };
                // A few shared prices and points, so that ties are common.
                let pool = [
                    reserve,
                    reserve * 9 / 10,
                    reserve * 8 / 10,
                    reserve * 6 / 10,
                ];
                let price = prop_oneof![
                    8 => prop::sample::select(pool.to_vec()).prop_map(Some),
                    3 => (-10i64..=reserve * 13 / 10).prop_map(Some),
                    1 => Just(None),
                ];
                let technical = prop_oneof![
                    8 => prop::sample::select(vec![0u32, 4_000, 4_550, 5_000]).prop_map(Some),
                    2 => (0u32..=1_000_000).prop_map(Some),
                    1 => Just(None),
                ];
                let lottery = prop::option::weighted(0.95, 0u16..=999);
                let received = (1_000_000_000i64..1_000_000_100, 0u32..1_000_000_000);
                let bid = (price, technical, lottery, received);
                (Just(terms), prop::collection::vec(bid, 0..12))
            })
            .prop_map(|(terms, raw)| {
                let bids = raw
                    .into_iter()
                    .enumerate()
                    .map(
                        |(i, (price, technical, lottery, (secs, nanos)))| RevealedBid {
                            bid_id: 100 + 7 * i as i64,
                            price: price.map(yen),
                            lottery: lottery.map(|n| LotteryNumber::new(n).unwrap()),
                            // Every other bid on a whole second: equal instants happen.
                            received_at: DateTime::from_timestamp(
                                secs,
                                if i % 2 == 0 { 0 } else { nanos },
                            )
                            .unwrap(),
                            technical_points: technical
                                .map(|t| TechnicalPoints::from_hundredths(t).unwrap()),
                        },
                    )
                    .collect();
                (terms, bids)
            })
    }

    proptest! {
        #[test]
        fn technical_points_round_trip(h in 0u32..=1_000_000) {
            let points = TechnicalPoints::from_hundredths(h).unwrap();
            prop_assert_eq!(TechnicalPoints::parse(&points.to_string()), Ok(points));
        }

        #[test]
        fn continued_fractions_agree_with_cross_multiplication(
            a in -(1i128 << 60)..(1i128 << 60),
            b in 1i128..(1i128 << 60),
            c in -(1i128 << 60)..(1i128 << 60),
            d in 1i128..(1i128 << 60),
            k in 1i128..(1i128 << 60),
        ) {
            prop_assert_eq!(cmp_continued(a, b, c, d), (a * d).cmp(&(c * b)));
            // Scaled far beyond what cross-multiplication can take.
            prop_assert_eq!(cmp_fractions(a * k, b * k, c, d), (a * d).cmp(&(c * b)));
            prop_assert_eq!(cmp_fractions(a * k, b * k, a, b), Ordering::Equal);
        }
    }

    proptest! {
        // Ties need luck: more cases than the default 256.
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn evaluation_properties(
            ((terms, bids), shuffled) in arb_case().prop_flat_map(|(terms, bids)| {
                let shuffled = Just(bids.clone()).prop_shuffle();
                (Just((terms, bids)), shuffled)
            }),
        ) {
            let input = EvaluationInput::new(terms, bids.clone()).unwrap();
            let e = evaluate(&input);
            prop_assert!(verify(&input, &e));

            // The same bids in another order: the same result.
            let again = evaluate(&EvaluationInput::new(terms, shuffled).unwrap());
            prop_assert_eq!(&again, &e);

            // Validity, checked independently.
            prop_assert_eq!(e.bids().len(), bids.len());
            for b in &bids {
                prop_assert_eq!(
                    e.bid(b.bid_id).unwrap().status.is_valid(),
                    oracle_valid(&terms, b),
                    "bid {:?}", b
                );
            }
            let valid: Vec<&RevealedBid> =
                bids.iter().filter(|b| oracle_valid(&terms, b)).collect();

            match e.outcome() {
                Outcome::Unsuccessful => prop_assert!(valid.is_empty()),
                Outcome::Winner { bid_id, price, by_lottery } => {
                    let winner = bids.iter().find(|b| b.bid_id == *bid_id).unwrap();
                    prop_assert!(oracle_valid(&terms, winner));
                    prop_assert_eq!(*price, winner.price);
                    if let (Some(p), Some(r)) = (winner.price, terms.reserve_price) {
                        prop_assert!(p <= r);
                    }
                    if let (Some(p), Some(m)) = (winner.price, terms.minimum_price) {
                        prop_assert!(p >= m);
                    }
                    prop_assert_eq!(e.bid(*bid_id).unwrap().status.rank(), Some(1));
                    // Nothing valid is strictly better.
                    for v in &valid {
                        prop_assert_ne!(oracle_cmp(&terms, v, winner), Ordering::Greater);
                    }
                    // The lottery is held exactly among the tied best.
                    let mut tied: Vec<i64> = valid
                        .iter()
                        .filter(|v| oracle_cmp(&terms, v, winner) == Ordering::Equal)
                        .map(|v| v.bid_id)
                        .collect();
                    tied.sort_unstable();
                    match by_lottery {
                        None => prop_assert_eq!(tied, vec![*bid_id]),
                        Some(draw) => {
                            let mut drawn: Vec<i64> =
                                draw.entries().iter().map(|d| d.bid_id).collect();
                            drawn.sort_unstable();
                            prop_assert!(tied.len() >= 2);
                            prop_assert_eq!(&drawn, &tied);
                            prop_assert_eq!(draw.winner_bid_id(), *bid_id);
                            prop_assert!(tied.contains(bid_id));
                            let inputs = draw.inputs();
                            prop_assert_eq!(&lottery::draw(&inputs).unwrap(), draw);
                        }
                    }
                }
            }

            // Ranks agree with the exact order.
            for x in &valid {
                let better = valid
                    .iter()
                    .filter(|y| oracle_cmp(&terms, y, x) == Ordering::Greater)
                    .count();
                prop_assert_eq!(e.bid(x.bid_id).unwrap().status.rank(), Some(better + 1));
            }
        }
    }
}
