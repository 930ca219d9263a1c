//! Money in integer yen, and consumption tax (消費税).
//!
//! Amounts are whole yen in an `i64`; floats never touch money. Arithmetic is
//! checked and reports overflow as an error instead of panicking or wrapping.
//!
//! Whether an amount includes tax is part of its type: [`TaxExclusive`]
//! (税抜) and [`TaxInclusive`] (税込) cannot be mixed up, and the only way
//! between them is through a [`TaxRate`]. Tax is `amount × rate / 100` with
//! the fraction under ¥1 dropped (切り捨て, truncation toward zero), the usual
//! practice for quotations and bids.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text;

/// An amount of money in whole yen.
///
/// Parsing rejects negative amounts (prices are never negative), but a `Yen`
/// may become negative through arithmetic, e.g. a difference between two
/// bids, and [`Yen::new`] accepts any `i64` so stored values always load.
/// Serialised as a plain integer.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Yen(i64);

/// Why an amount could not be parsed or computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount is empty")]
    Empty,
    #[error("amount must not be negative")]
    Negative,
    #[error("amount must be a whole number of yen")]
    Fractional,
    #[error("amount contains {found:?}; only digits, commas, ¥ and 円 are allowed")]
    InvalidCharacter { found: char },
    #[error("amount has misplaced commas; group digits by three, as in 1,234,567")]
    InvalidGrouping,
    #[error("amount is too large")]
    OutOfRange,
    #[error("calculation overflowed the supported range of amounts")]
    Overflow,
    #[error("expected a tax-exclusive amount, found a tax-inclusive one")]
    ExpectedTaxExclusive,
    #[error("expected a tax-inclusive amount, found a tax-exclusive one")]
    ExpectedTaxInclusive,
}

impl MoneyError {
    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "money_empty",
            Self::Negative => "money_negative",
            Self::Fractional => "money_fractional",
            Self::InvalidCharacter { .. } => "money_invalid_character",
            Self::InvalidGrouping => "money_invalid_grouping",
            Self::OutOfRange => "money_out_of_range",
            Self::Overflow => "money_overflow",
            Self::ExpectedTaxExclusive => "money_expected_tax_exclusive",
            Self::ExpectedTaxInclusive => "money_expected_tax_inclusive",
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match self {
            Self::Empty => "金額を入力してください。".to_owned(),
            Self::Negative => "金額には0円以上を入力してください。".to_owned(),
            Self::Fractional => "金額は1円単位の整数で入力してください。".to_owned(),
            Self::InvalidCharacter { found } => format!(
                "金額に使用できない文字「{found}」が含まれています。数字で入力してください（「,」「¥」「円」は使用できます）。"
            ),
            Self::InvalidGrouping => {
                "金額の桁区切り（,）の位置が正しくありません。3桁ごとに区切るか、区切らずに入力してください。"
                    .to_owned()
            }
            Self::OutOfRange => "金額が取り扱い可能な上限を超えています。".to_owned(),
            Self::Overflow => "金額の計算結果が取り扱い可能な範囲を超えました。".to_owned(),
            Self::ExpectedTaxExclusive => {
                "税抜金額を入力してください（税込金額が入力されています）。".to_owned()
            }
            Self::ExpectedTaxInclusive => {
                "税込金額を入力してください（税抜金額が入力されています）。".to_owned()
            }
        }
    }
}

impl_domain_error!(MoneyError);

impl Yen {
    /// ¥0.
    pub const ZERO: Yen = Yen(0);

    /// Any amount, including negative ones (see the type docs).
    pub const fn new(amount: i64) -> Self {
        Self(amount)
    }

    /// The amount in yen.
    pub const fn amount(self) -> i64 {
        self.0
    }

    /// Whether the amount is below zero.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// `self + rhs`, or [`MoneyError::Overflow`].
    pub fn checked_add(self, rhs: Yen) -> Result<Yen, MoneyError> {
        self.0
            .checked_add(rhs.0)
            .map(Yen)
            .ok_or(MoneyError::Overflow)
    }

    /// `self − rhs`, or [`MoneyError::Overflow`].
    pub fn checked_sub(self, rhs: Yen) -> Result<Yen, MoneyError> {
        self.0
            .checked_sub(rhs.0)
            .map(Yen)
            .ok_or(MoneyError::Overflow)
    }

    /// `self × factor` (e.g. unit price × quantity), or
    /// [`MoneyError::Overflow`].
    pub fn checked_mul(self, factor: i64) -> Result<Yen, MoneyError> {
        self.0
            .checked_mul(factor)
            .map(Yen)
            .ok_or(MoneyError::Overflow)
    }

    /// `−self`, or [`MoneyError::Overflow`] for `i64::MIN`.
    pub fn checked_neg(self) -> Result<Yen, MoneyError> {
        self.0.checked_neg().map(Yen).ok_or(MoneyError::Overflow)
    }

    /// The sum of `amounts`, or [`MoneyError::Overflow`].
    pub fn checked_sum<I: IntoIterator<Item = Yen>>(amounts: I) -> Result<Yen, MoneyError> {
        amounts
            .into_iter()
            .try_fold(Yen::ZERO, |total, amount| total.checked_add(amount))
    }

    /// Parses a non-negative amount: digits, optionally grouped by three
    /// with commas, optionally with a leading ¥ (or ￥) and/or a trailing 円.
    /// Full-width digits and commas are folded and surrounding whitespace is
    /// trimmed. Examples: "1234567", "1,234,567", "¥1,234,567", "1,234,567円".
    pub fn parse(input: &str) -> Result<Self, MoneyError> {
        let s = text::normalize(input);
        let s = s.strip_prefix(['¥', '\u{FFE5}']).unwrap_or(&s);
        let s = s.strip_suffix('円').unwrap_or(s);
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        // Minus signs and the accounting triangles (▲/△) all mean negative.
        if s.starts_with(['-', '\u{2212}', '▲', '△']) {
            return Err(MoneyError::Negative);
        }
        if let Some(found) = s
            .chars()
            .find(|c| !c.is_ascii_digit() && !matches!(c, ',' | '.'))
        {
            return Err(MoneyError::InvalidCharacter { found });
        }
        if let Some((integer, fraction)) = s.split_once('.') {
            // "1000.5" is a clear mistake about units; "1.000.5" or "1000."
            // is not a number at all.
            let is_decimal = !integer.is_empty()
                && !fraction.is_empty()
                && fraction.chars().all(|c| c.is_ascii_digit());
            return Err(if is_decimal {
                MoneyError::Fractional
            } else {
                MoneyError::InvalidCharacter { found: '.' }
            });
        }
        if s.contains(',') {
            let mut groups = s.split(',');
            let first = groups.next().unwrap_or_default();
            if !(1..=3).contains(&first.len()) || groups.any(|g| g.len() != 3) {
                return Err(MoneyError::InvalidGrouping);
            }
        }
        s.bytes()
            .filter(u8::is_ascii_digit)
            .try_fold(0i64, |acc, b| {
                acc.checked_mul(10)?.checked_add(i64::from(b - b'0'))
            })
            .map(Yen)
            .ok_or(MoneyError::OutOfRange)
    }

    /// Japanese style, "1,234,567円" ("-1,234円" if negative).
    pub fn format_ja(self) -> String {
        format!(
            "{}{}円",
            sign(self.0),
            group_thousands(self.0.unsigned_abs())
        )
    }
}

fn sign(amount: i64) -> &'static str {
    if amount < 0 { "-" } else { "" }
}

/// "1234567" → "1,234,567".
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "¥1,234,567" ("-¥1,234" if negative).
impl fmt::Display for Yen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}¥{}",
            sign(self.0),
            group_thousands(self.0.unsigned_abs())
        )
    }
}

impl std::str::FromStr for Yen {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for Yen {
    type Error = MoneyError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl From<Yen> for i64 {
    fn from(yen: Yen) -> i64 {
        yen.0
    }
}

/// A consumption tax rate in whole percent, 0..=100.
///
/// Japan's rates are whole percentages (10% standard, 8% reduced), so an
/// integer percent is exact. Displayed as "10%", serialised as the integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct TaxRate {
    percent: u32,
}

/// Why a tax rate is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxRateError {
    #[error("tax rate is empty")]
    Empty,
    #[error("tax rate {input:?} is not a whole percentage such as \"10%\"")]
    Invalid { input: String },
    #[error("tax rate {percent}% is out of range (0% to 100%)")]
    OutOfRange { percent: u32 },
}

impl TaxRateError {
    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "tax_rate_empty",
            Self::Invalid { .. } => "tax_rate_invalid",
            Self::OutOfRange { .. } => "tax_rate_out_of_range",
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match self {
            Self::Empty => "税率を入力してください。".to_owned(),
            Self::Invalid { input } => {
                format!(
                    "税率「{input}」は正しくありません。「10%」のように整数の百分率で入力してください。"
                )
            }
            Self::OutOfRange { percent } => {
                format!("税率{percent}%は範囲外です。0%から100%の間で指定してください。")
            }
        }
    }
}

impl_domain_error!(TaxRateError);

impl TaxRate {
    /// 標準税率 10%.
    pub const STANDARD: TaxRate = TaxRate { percent: 10 };
    /// 軽減税率 8% (food and newspapers).
    pub const REDUCED: TaxRate = TaxRate { percent: 8 };

    /// A rate of `percent`%, 0..=100.
    pub fn from_percent(percent: u32) -> Result<Self, TaxRateError> {
        if percent > 100 {
            return Err(TaxRateError::OutOfRange { percent });
        }
        Ok(Self { percent })
    }

    /// The rate in percent.
    pub const fn percent(self) -> u32 {
        self.percent
    }

    /// Parses "10", "10%" or "１０％".
    pub fn parse(input: &str) -> Result<Self, TaxRateError> {
        let s = text::normalize(input);
        if s.is_empty() {
            return Err(TaxRateError::Empty);
        }
        let digits = s.strip_suffix('%').unwrap_or(&s);
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(TaxRateError::Invalid { input: s });
        }
        let percent = digits
            .parse::<u32>()
            .map_err(|_| TaxRateError::OutOfRange { percent: u32::MAX })?;
        Self::from_percent(percent)
    }

    /// The tax on `amount`, fraction under ¥1 dropped (truncated toward
    /// zero). Cannot overflow because the rate is at most 100%.
    fn tax_on(self, amount: i64) -> i64 {
        (i128::from(amount) * i128::from(self.percent) / 100) as i64
    }

    /// `amount` plus its tax, computed without overflow.
    fn with_tax_wide(self, amount: i128) -> i128 {
        amount + amount * i128::from(self.percent) / 100
    }
}

impl Default for TaxRate {
    fn default() -> Self {
        Self::STANDARD
    }
}

impl fmt::Display for TaxRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.percent)
    }
}

impl TryFrom<u32> for TaxRate {
    type Error = TaxRateError;
    fn try_from(percent: u32) -> Result<Self, Self::Error> {
        Self::from_percent(percent)
    }
}

impl From<TaxRate> for u32 {
    fn from(rate: TaxRate) -> u32 {
        rate.percent
    }
}

impl_string_conversions!(TaxRate, TaxRateError);

/// An amount that excludes consumption tax (税抜). Displayed as
/// "1,234円（税抜）", serialised as the integer amount.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct TaxExclusive(Yen);

/// An amount that includes consumption tax (税込). Displayed as
/// "1,100円（税込）", serialised as the integer amount.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct TaxInclusive(Yen);

const EXCLUSIVE_MARKERS: [&str; 2] = ["税抜", "税別"];
const INCLUSIVE_MARKERS: [&str; 1] = ["税込"];

/// Removes a tax marker written before ("税抜 1,000円") or after
/// ("1,000円（税抜）") the amount. Returns the rest and which kind of marker
/// was found, if any: `Some(true)` for an exclusive one.
fn strip_tax_marker(input: &str) -> (String, Option<bool>) {
    let s = text::normalize(input);
    for (markers, exclusive) in [
        (&EXCLUSIVE_MARKERS[..], true),
        (&INCLUSIVE_MARKERS[..], false),
    ] {
        for marker in markers {
            let bracketed = format!("({marker})");
            let rest = s
                .strip_suffix(bracketed.as_str())
                .or_else(|| s.strip_suffix(marker))
                .or_else(|| s.strip_prefix(marker));
            if let Some(rest) = rest {
                return (rest.trim().to_owned(), Some(exclusive));
            }
        }
    }
    (s, None)
}

impl TaxExclusive {
    /// Marks `amount` as excluding tax.
    pub const fn new(amount: Yen) -> Self {
        Self(amount)
    }

    /// The amount.
    pub const fn amount(self) -> Yen {
        self.0
    }

    /// The consumption tax on this amount at `rate`, fraction under ¥1
    /// dropped: ¥999 at 10% → ¥99.
    pub fn tax(self, rate: TaxRate) -> Yen {
        Yen(rate.tax_on(self.0.0))
    }

    /// The tax-inclusive amount: `amount + tax(rate)`. ¥1,000 → ¥1,100,
    /// ¥999 → ¥1,098, ¥1 → ¥1. Errors with [`MoneyError::Overflow`] if the
    /// result does not fit.
    pub fn with_tax(self, rate: TaxRate) -> Result<TaxInclusive, MoneyError> {
        self.0.checked_add(self.tax(rate)).map(TaxInclusive)
    }

    /// Parses a non-negative amount as [`Yen::parse`] does, optionally marked
    /// 税抜 or 税別 ("1,234円（税抜）", "税抜1,234円"). An amount marked 税込 is
    /// rejected.
    pub fn parse(input: &str) -> Result<Self, MoneyError> {
        match strip_tax_marker(input) {
            (_, Some(false)) => Err(MoneyError::ExpectedTaxExclusive),
            (rest, _) => Yen::parse(&rest).map(Self),
        }
    }
}

impl TaxInclusive {
    /// Marks `amount` as including tax.
    pub const fn new(amount: Yen) -> Self {
        Self(amount)
    }

    /// The amount.
    pub const fn amount(self) -> Yen {
        self.0
    }

    /// The tax-exclusive amount behind this one at `rate`.
    ///
    /// Because tax is truncated, not every tax-inclusive amount can arise
    /// (at 10% nothing gives ¥1,099: ¥999 → ¥1,098 and ¥1,000 → ¥1,100).
    /// This returns the largest `x` with `x.with_tax(rate) <= self`: the
    /// exact (and unique) inverse whenever one exists, so
    /// `with_tax(x).tax_exclusive_estimate() == x` always holds; otherwise,
    /// for a non-negative amount `y`, `floor(y × 100 / (100 + rate))`
    /// (¥1,099 → ¥999). Never overflows.
    pub fn tax_exclusive_estimate(self, rate: TaxRate) -> TaxExclusive {
        let y = i128::from(self.0.0);
        // with_tax is strictly increasing and within ¥1 of x × (100 + p) /
        // 100, so the answer is within a step or two of this quotient.
        let mut x = (y * 100).div_euclid(100 + i128::from(rate.percent));
        while rate.with_tax_wide(x + 1) <= y {
            x += 1;
        }
        while rate.with_tax_wide(x) > y {
            x -= 1;
        }
        // y ≤ x ≤ 0 or 0 ≤ x ≤ y, so x fits in an i64.
        TaxExclusive(Yen(i64::try_from(x).unwrap_or(self.0.0)))
    }

    /// Parses a non-negative amount as [`Yen::parse`] does, optionally marked
    /// 税込 ("1,100円（税込）", "税込1,100円"). An amount marked 税抜 or 税別
    /// is rejected.
    pub fn parse(input: &str) -> Result<Self, MoneyError> {
        match strip_tax_marker(input) {
            (_, Some(true)) => Err(MoneyError::ExpectedTaxInclusive),
            (rest, _) => Yen::parse(&rest).map(Self),
        }
    }
}

/// "1,234円（税抜）".
impl fmt::Display for TaxExclusive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}（税抜）", self.0.format_ja())
    }
}

/// "1,100円（税込）".
impl fmt::Display for TaxInclusive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}（税込）", self.0.format_ja())
    }
}

impl std::str::FromStr for TaxExclusive {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for TaxExclusive {
    type Error = MoneyError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl std::str::FromStr for TaxInclusive {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for TaxInclusive {
    type Error = MoneyError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn excl(n: i64) -> TaxExclusive {
        TaxExclusive::new(Yen::new(n))
    }

    fn incl(n: i64) -> TaxInclusive {
        TaxInclusive::new(Yen::new(n))
    }

    const TEN: TaxRate = TaxRate::STANDARD;

    #[test]
    fn with_tax_examples() {
        assert_eq!(excl(1000).with_tax(TEN), Ok(incl(1100)));
        assert_eq!(excl(999).with_tax(TEN), Ok(incl(1098)));
        assert_eq!(excl(1).with_tax(TEN), Ok(incl(1)));
        assert_eq!(excl(0).with_tax(TEN), Ok(incl(0)));
        assert_eq!(excl(999).tax(TEN), Yen::new(99));
        assert_eq!(excl(1000).with_tax(TaxRate::REDUCED), Ok(incl(1080)));
        assert_eq!(excl(-999).with_tax(TEN), Ok(incl(-1098)));
        assert_eq!(excl(i64::MAX).with_tax(TEN), Err(MoneyError::Overflow));
    }

    #[test]
    fn estimate_examples() {
        assert_eq!(incl(1100).tax_exclusive_estimate(TEN), excl(1000));
        assert_eq!(incl(1098).tax_exclusive_estimate(TEN), excl(999));
        // No price gives ¥1,099 tax-inclusive: the floor is returned.
        assert_eq!(incl(1099).tax_exclusive_estimate(TEN), excl(999));
        assert_eq!(incl(1).tax_exclusive_estimate(TEN), excl(1));
        assert_eq!(incl(0).tax_exclusive_estimate(TEN), excl(0));
        let max = incl(i64::MAX).tax_exclusive_estimate(TEN);
        assert!(max.with_tax(TEN).unwrap() <= incl(i64::MAX));
        let min = incl(i64::MIN).tax_exclusive_estimate(TEN);
        assert!(min.with_tax(TEN).unwrap() <= incl(i64::MIN));
    }

    #[test]
    fn display() {
        assert_eq!(Yen::new(1_234_567).to_string(), "¥1,234,567");
        assert_eq!(Yen::new(0).to_string(), "¥0");
        assert_eq!(Yen::new(999).to_string(), "¥999");
        assert_eq!(Yen::new(1000).to_string(), "¥1,000");
        assert_eq!(Yen::new(-1234).to_string(), "-¥1,234");
        assert_eq!(Yen::new(1_234_567).format_ja(), "1,234,567円");
        assert_eq!(
            Yen::new(i64::MIN).format_ja(),
            "-9,223,372,036,854,775,808円"
        );
        assert_eq!(excl(1234).to_string(), "1,234円（税抜）");
        assert_eq!(incl(1100).to_string(), "1,100円（税込）");
        assert_eq!(TEN.to_string(), "10%");
    }

    #[test]
    fn parses_common_forms() {
        for input in [
            "1234567",
            "1,234,567",
            "¥1,234,567",
            "￥1,234,567",
            "1,234,567円",
            "１，２３４，５６７円",
            " ¥1234567円 ",
        ] {
            assert_eq!(Yen::parse(input), Ok(Yen::new(1_234_567)), "{input}");
        }
        assert_eq!(Yen::parse("0"), Ok(Yen::ZERO));
        assert_eq!(Yen::parse("9223372036854775807"), Ok(Yen::new(i64::MAX)));
    }

    #[test]
    fn rejects_bad_amounts() {
        use MoneyError::*;
        assert_eq!(Yen::parse(""), Err(Empty));
        assert_eq!(Yen::parse("¥"), Err(Empty));
        assert_eq!(Yen::parse("円"), Err(Empty));
        for negative in ["-1", "−1,000", "▲1,000", "△500円", "－１", "¥-5"] {
            assert_eq!(Yen::parse(negative), Err(Negative), "{negative}");
        }
        assert_eq!(Yen::parse("1000.5"), Err(Fractional));
        assert_eq!(Yen::parse("1,000.00"), Err(Fractional));
        assert_eq!(Yen::parse("1000."), Err(InvalidCharacter { found: '.' }));
        assert_eq!(Yen::parse("1e3"), Err(InvalidCharacter { found: 'e' }));
        assert_eq!(Yen::parse("1 000"), Err(InvalidCharacter { found: ' ' }));
        assert_eq!(Yen::parse("+1000"), Err(InvalidCharacter { found: '+' }));
        for grouping in ["12,34", "1,2345", ",123", "1234,567", "1,,234", "1,234,"] {
            assert_eq!(Yen::parse(grouping), Err(InvalidGrouping), "{grouping}");
        }
        assert_eq!(Yen::parse("9223372036854775808"), Err(OutOfRange));
        assert_eq!(Yen::parse("-1").unwrap_err().code(), "money_negative");
    }

    #[test]
    fn checked_arithmetic() {
        let max = Yen::new(i64::MAX);
        assert_eq!(max.checked_add(Yen::new(1)), Err(MoneyError::Overflow));
        assert_eq!(
            Yen::new(i64::MIN).checked_sub(Yen::new(1)),
            Err(MoneyError::Overflow)
        );
        assert_eq!(max.checked_mul(2), Err(MoneyError::Overflow));
        assert_eq!(Yen::new(i64::MIN).checked_neg(), Err(MoneyError::Overflow));
        assert_eq!(Yen::new(300).checked_mul(3), Ok(Yen::new(900)));
        assert_eq!(Yen::new(100).checked_sub(Yen::new(300)), Ok(Yen::new(-200)));
        assert_eq!(
            Yen::checked_sum([Yen::new(1), Yen::new(2), Yen::new(3)]),
            Ok(Yen::new(6))
        );
        assert_eq!(
            Yen::checked_sum([max, Yen::new(1)]),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn tax_marked_amounts() {
        assert_eq!(TaxExclusive::parse("1,234円（税抜）"), Ok(excl(1234)));
        assert_eq!(TaxExclusive::parse("1,234円(税別)"), Ok(excl(1234)));
        assert_eq!(TaxExclusive::parse("税抜 ¥1,234"), Ok(excl(1234)));
        assert_eq!(TaxExclusive::parse("1234"), Ok(excl(1234)));
        assert_eq!(
            TaxExclusive::parse("1,100円（税込）"),
            Err(MoneyError::ExpectedTaxExclusive)
        );
        assert_eq!(TaxInclusive::parse("1,100円（税込）"), Ok(incl(1100)));
        assert_eq!(TaxInclusive::parse("税込1,100円"), Ok(incl(1100)));
        assert_eq!(
            TaxInclusive::parse("1,000円（税抜）"),
            Err(MoneyError::ExpectedTaxInclusive)
        );
        assert_eq!(
            excl(1234).to_string().parse::<TaxExclusive>(),
            Ok(excl(1234))
        );
        assert_eq!(
            incl(1100).to_string().parse::<TaxInclusive>(),
            Ok(incl(1100))
        );
    }

    #[test]
    fn tax_rates() {
        assert_eq!(TaxRate::parse("10%"), Ok(TEN));
        assert_eq!(TaxRate::parse("１０％"), Ok(TEN));
        assert_eq!(TaxRate::parse("8"), Ok(TaxRate::REDUCED));
        assert_eq!(TaxRate::default(), TEN);
        assert_eq!(
            TaxRate::parse("101%"),
            Err(TaxRateError::OutOfRange { percent: 101 })
        );
        assert!(matches!(
            TaxRate::parse("10.5%"),
            Err(TaxRateError::Invalid { .. })
        ));
        assert!(matches!(
            TaxRate::parse("%"),
            Err(TaxRateError::Invalid { .. })
        ));
        assert_eq!(TaxRate::parse(""), Err(TaxRateError::Empty));
        assert!(TaxRate::try_from(101u32).is_err());
        assert_eq!(u32::from(TEN), 10);
    }

    proptest! {
        #[test]
        fn parse_round_trips(n in 0..=i64::MAX) {
            let yen = Yen::new(n);
            prop_assert_eq!(Yen::parse(&yen.to_string()), Ok(yen));
            prop_assert_eq!(Yen::parse(&yen.format_ja()), Ok(yen));
            prop_assert_eq!(Yen::parse(&n.to_string()), Ok(yen));
        }

        #[test]
        fn with_tax_is_monotone_and_not_below_input(
            a in 0..=1_000_000_000_000_000i64,
            b in 0..=1_000_000_000_000_000i64,
            percent in 0u32..=100,
        ) {
            let rate = TaxRate::from_percent(percent).unwrap();
            let (lo, hi) = (a.min(b), a.max(b));
            let (lo_t, hi_t) = (excl(lo).with_tax(rate).unwrap(), excl(hi).with_tax(rate).unwrap());
            prop_assert!(lo_t <= hi_t);
            prop_assert!(lo_t.amount() >= Yen::new(lo));
            if lo < hi {
                prop_assert!(lo_t < hi_t);
            }
        }

        #[test]
        fn estimate_inverts_with_tax(
            x in -1_000_000_000_000_000i64..=1_000_000_000_000_000,
            percent in 0u32..=100,
        ) {
            let rate = TaxRate::from_percent(percent).unwrap();
            let y = excl(x).with_tax(rate).unwrap();
            prop_assert_eq!(y.tax_exclusive_estimate(rate), excl(x));
        }

        #[test]
        fn estimate_is_largest_not_above(y in 0..=1_000_000_000_000_000i64) {
            let est = incl(y).tax_exclusive_estimate(TEN);
            prop_assert!(est.with_tax(TEN).unwrap() <= incl(y));
            let next = excl(est.amount().amount() + 1).with_tax(TEN).unwrap();
            prop_assert!(next > incl(y));
            if est.with_tax(TEN).unwrap() != incl(y) {
                // No exact inverse: the documented floor.
                prop_assert_eq!(est, excl((i128::from(y) * 100 / 110) as i64));
            }
        }

        #[test]
        fn nothing_panics(a in any::<i64>(), b in any::<i64>(), percent in 0u32..=100) {
            let rate = TaxRate::from_percent(percent).unwrap();
            let (a, b) = (Yen::new(a), Yen::new(b));
            let _ = a.checked_add(b);
            let _ = a.checked_sub(b);
            let _ = a.checked_mul(b.amount());
            let _ = a.checked_neg();
            let _ = TaxExclusive::new(a).with_tax(rate);
            let est = TaxInclusive::new(a).tax_exclusive_estimate(rate);
            if let Ok(back) = est.with_tax(rate) {
                prop_assert!(back <= TaxInclusive::new(a));
            }
            let _ = a.to_string();
            let _ = a.format_ja();
        }
    }
}
