//! Japan time, 和暦 (Japanese era years) and 年度 (fiscal years).
//!
//! Instants are stored as UTC (`DateTime<Utc>`) and shown in Japan time.
//! Japan Standard Time is a fixed UTC+9: Japan has not observed daylight
//! saving time since 1951, so a fixed offset is exact and no time zone
//! database is needed. Nothing here reads the clock; callers pass instants in.

use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::text;

/// Japan Standard Time's offset from UTC, in seconds.
pub const JST_OFFSET_SECONDS: i32 = 9 * 3600;

// Evaluated at compile time, so the panic arms can never run.
const JST: FixedOffset = match FixedOffset::east_opt(JST_OFFSET_SECONDS) {
    Some(offset) => offset,
    None => panic!("UTC+9 is a valid offset"),
};

const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("invalid constant date"),
    }
}

/// Japan Standard Time, UTC+9.
pub fn jst() -> FixedOffset {
    JST
}

/// The same instant in Japan time.
pub fn to_japan(instant: DateTime<Utc>) -> DateTime<FixedOffset> {
    instant.with_timezone(&JST)
}

/// The calendar date in Japan at `instant`.
pub fn japan_date(instant: DateTime<Utc>) -> NaiveDate {
    to_japan(instant).date_naive()
}

/// The instant of a wall-clock time in Japan, e.g. a tender deadline typed
/// into a form. `None` only at the very edges of chrono's range.
pub fn japan_local_to_utc(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    local.checked_sub_offset(JST).map(|utc| utc.and_utc())
}

/// "2026年11月22日 16:28" in Japan time.
pub fn format_japan_datetime(instant: DateTime<Utc>) -> String {
    let t = to_japan(instant);
    format!(
        "{} {:02}:{:02}",
        format_date_ja(t.date_naive()),
        t.hour(),
        t.minute()
    )
}

/// "2026年11月22日": the date in Japan at `instant`.
pub fn format_japan_date(instant: DateTime<Utc>) -> String {
    format_date_ja(japan_date(instant))
}

/// "2026-11-22 16:28 JST", for English pages and logs.
pub fn format_japan_datetime_en(instant: DateTime<Utc>) -> String {
    to_japan(instant).format("%Y-%m-%d %H:%M JST").to_string()
}

/// "2026年11月22日" for a calendar date.
pub fn format_date_ja(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// Japanese eras (元号) since the adoption of the Gregorian calendar.
///
/// Eras change on a given day, not at a year boundary. 明治 is supported only
/// from 1873-01-01 (明治6年1月1日), the day Japan adopted the Gregorian
/// calendar; earlier dates used the lunisolar calendar, so converting them
/// needs more than an offset. Displayed as the kanji name; serialised as the
/// code ("reiwa").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Era {
    Meiji,
    Taisho,
    Showa,
    Heisei,
    Reiwa,
}

/// Why a date, string or year is not a valid 和暦.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WarekiError {
    #[error("Japanese era year is empty")]
    Empty,
    #[error("dates before 1873-01-01 (Meiji 6) are not supported, got {date}")]
    UnsupportedDate { date: NaiveDate },
    #[error("unknown Japanese era in {input:?}")]
    UnknownEra { input: String },
    #[error("invalid Japanese era year {input:?}")]
    InvalidYear { input: String },
    #[error("{era} has no year {year}", era = era.name_romaji())]
    YearOutOfEra { era: Era, year: u32 },
}

impl WarekiError {
    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "wareki_empty",
            Self::UnsupportedDate { .. } => "wareki_unsupported_date",
            Self::UnknownEra { .. } => "wareki_unknown_era",
            Self::InvalidYear { .. } => "wareki_invalid_year",
            Self::YearOutOfEra { .. } => "wareki_year_out_of_era",
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match self {
            Self::Empty => "和暦の年を入力してください。".to_owned(),
            Self::UnsupportedDate { .. } => {
                "明治6年（1873年）1月1日より前の日付は和暦に変換できません。".to_owned()
            }
            Self::UnknownEra { input } => format!(
                "「{input}」の元号を認識できません。明治・大正・昭和・平成・令和のいずれかで入力してください。"
            ),
            Self::InvalidYear { input } => format!(
                "「{input}」は和暦の年として正しくありません。「令和8年」「令和元年」のように入力してください。"
            ),
            Self::YearOutOfEra { era, year } => {
                format!("{}{}年は存在しません。", era.name_ja(), year)
            }
        }
    }
}

impl_domain_error!(WarekiError);

impl Era {
    /// All supported eras, oldest first.
    pub const ALL: [Era; 5] = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    /// Kanji name, e.g. 令和.
    pub fn name_ja(self) -> &'static str {
        match self {
            Era::Meiji => "明治",
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    /// Romaji name, e.g. Reiwa (without macrons: Taisho, Showa).
    pub fn name_romaji(self) -> &'static str {
        match self {
            Era::Meiji => "Meiji",
            Era::Taisho => "Taisho",
            Era::Showa => "Showa",
            Era::Heisei => "Heisei",
            Era::Reiwa => "Reiwa",
        }
    }

    /// Stable code, e.g. "reiwa".
    pub fn code(self) -> &'static str {
        match self {
            Era::Meiji => "meiji",
            Era::Taisho => "taisho",
            Era::Showa => "showa",
            Era::Heisei => "heisei",
            Era::Reiwa => "reiwa",
        }
    }

    /// Same as [`Era::code`].
    pub fn as_str(&self) -> &'static str {
        self.code()
    }

    /// The customary one-letter abbreviation (M, T, S, H, R).
    pub fn letter(self) -> char {
        match self {
            Era::Meiji => 'M',
            Era::Taisho => 'T',
            Era::Showa => 'S',
            Era::Heisei => 'H',
            Era::Reiwa => 'R',
        }
    }

    /// The first supported day of the era (for 明治, 1873-01-01; see the type
    /// docs).
    pub fn start_date(self) -> NaiveDate {
        match self {
            Era::Meiji => ymd(1873, 1, 1),
            Era::Taisho => ymd(1912, 7, 30),
            Era::Showa => ymd(1926, 12, 25),
            Era::Heisei => ymd(1989, 1, 8),
            Era::Reiwa => ymd(2019, 5, 1),
        }
    }

    /// The last day of the era, or `None` for the current one.
    pub fn end_date(self) -> Option<NaiveDate> {
        let next = Self::ALL.into_iter().find(|e| *e > self)?;
        next.start_date().pred_opt()
    }

    /// Gregorian year minus era year: 2026 is 令和8年, so 令和's is 2018.
    pub fn year_offset(self) -> i32 {
        match self {
            Era::Meiji => 1867,
            Era::Taisho => 1911,
            Era::Showa => 1925,
            Era::Heisei => 1988,
            Era::Reiwa => 2018,
        }
    }

    /// The era in force on `date`, or `None` before 1873-01-01.
    pub fn of_date(date: NaiveDate) -> Option<Era> {
        Self::ALL.into_iter().rev().find(|e| e.start_date() <= date)
    }

    /// The valid year numbers of the era (明治 from 6, see the type docs).
    fn years(self) -> std::ops::RangeInclusive<u32> {
        let first = (self.start_date().year() - self.year_offset()) as u32;
        let last_gregorian = self.end_date().unwrap_or(NaiveDate::MAX).year();
        first..=(last_gregorian - self.year_offset()) as u32
    }

    /// Parses the kanji name ("令和"), the romaji name or code (any case),
    /// or the one-letter abbreviation ("R").
    pub fn parse(input: &str) -> Result<Self, WarekiError> {
        let s = text::normalize(input);
        if s.is_empty() {
            return Err(WarekiError::Empty);
        }
        Self::ALL
            .into_iter()
            .find(|e| {
                e.name_ja() == s
                    || e.name_romaji().eq_ignore_ascii_case(&s)
                    || s.chars().eq(std::iter::once(e.letter()))
                    || s.chars()
                        .eq(std::iter::once(e.letter().to_ascii_lowercase()))
            })
            .ok_or(WarekiError::UnknownEra { input: s })
    }
}

impl fmt::Display for Era {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_ja())
    }
}

impl std::str::FromStr for Era {
    type Err = WarekiError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for Era {
    type Error = WarekiError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Era {
    type Error = WarekiError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Era> for String {
    fn from(era: Era) -> String {
        era.code().to_owned()
    }
}

/// A year in the Japanese era system, e.g. 令和8年. Only years that exist
/// in their era can be built (no 平成32年, no 令和0年).
///
/// Displayed as "令和元年" for the first year and "令和8年" otherwise (ASCII
/// digits); serialised the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Wareki {
    era: Era,
    year: u32,
}

impl Wareki {
    /// Year `year` of `era`, if the era had (or, for 令和, may have) it.
    pub fn new(era: Era, year: u32) -> Result<Self, WarekiError> {
        if !era.years().contains(&year) {
            return Err(WarekiError::YearOutOfEra { era, year });
        }
        Ok(Self { era, year })
    }

    /// The era year of `date`, by the day the era changed: 2019-04-30 is
    /// 平成31年 and 2019-05-01 is 令和元年.
    pub fn from_date(date: NaiveDate) -> Result<Self, WarekiError> {
        let era = Era::of_date(date).ok_or(WarekiError::UnsupportedDate { date })?;
        Ok(Self {
            era,
            year: (date.year() - era.year_offset()) as u32,
        })
    }

    /// The era.
    pub fn era(self) -> Era {
        self.era
    }

    /// The year within the era, 1 for 元年.
    pub fn year(self) -> u32 {
        self.year
    }

    /// The Gregorian year: 令和8年 → 2026.
    pub fn gregorian_year(self) -> i32 {
        self.era.year_offset() + self.year as i32
    }

    /// Parses "令和8年", "令和元年", "令和８", "Reiwa 8", "R8".
    pub fn parse(input: &str) -> Result<Self, WarekiError> {
        let s = text::normalize(input);
        if s.is_empty() {
            return Err(WarekiError::Empty);
        }
        let body = s.strip_suffix('年').unwrap_or(&s);
        let (era, rest) =
            split_era(body).ok_or_else(|| WarekiError::UnknownEra { input: s.clone() })?;
        let rest = rest.trim();
        let year = if rest == "元" {
            1
        } else if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()) {
            rest.parse::<u32>()
                .map_err(|_| WarekiError::InvalidYear { input: s.clone() })?
        } else {
            return Err(WarekiError::InvalidYear { input: s });
        };
        Self::new(era, year)
    }
}

/// Splits a leading era name (kanji, romaji or letter) off `s`.
fn split_era(s: &str) -> Option<(Era, &str)> {
    Era::ALL.into_iter().find_map(|era| {
        if let Some(rest) = s.strip_prefix(era.name_ja()) {
            return Some((era, rest));
        }
        let romaji = era.name_romaji();
        if s.len() >= romaji.len()
            && s.is_char_boundary(romaji.len())
            && s[..romaji.len()].eq_ignore_ascii_case(romaji)
        {
            return Some((era, &s[romaji.len()..]));
        }
        let mut chars = s.chars();
        let first = chars.next()?;
        (first.to_ascii_uppercase() == era.letter()).then_some((era, chars.as_str()))
    })
}

impl fmt::Display for Wareki {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.year == 1 {
            write!(f, "{}元年", self.era.name_ja())
        } else {
            write!(f, "{}{}年", self.era.name_ja(), self.year)
        }
    }
}

impl_string_conversions!(Wareki, WarekiError);

/// The 和暦 year of the Japan date at `instant`: 2019-04-30T15:00:00Z is
/// already 2019-05-01 in Japan, so 令和元年.
pub fn wareki_of_instant(instant: DateTime<Utc>) -> Result<Wareki, WarekiError> {
    Wareki::from_date(japan_date(instant))
}

/// A full 和暦 date, "令和元年5月1日".
pub fn format_wareki_date(date: NaiveDate) -> Result<String, WarekiError> {
    let wareki = Wareki::from_date(date)?;
    Ok(format!("{wareki}{}月{}日", date.month(), date.day()))
}

/// 年度: the Japanese fiscal year, from April 1 to March 31 of the next
/// year, named by the calendar year it starts in (2026-04-01 ..= 2027-03-31
/// is 2026年度).
///
/// Years 1 to 9999 are supported. Displayed as "2026年度"; serialised as the
/// integer year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct FiscalYear(i32);

/// Why a fiscal year is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FiscalYearError {
    #[error("fiscal year is empty")]
    Empty,
    #[error("invalid fiscal year {input:?}; expected e.g. \"2026年度\" or \"令和8年度\"")]
    Invalid { input: String },
    #[error("fiscal year {year} is out of the supported range 1 to 9999")]
    OutOfRange { year: i64 },
    #[error(transparent)]
    Wareki(#[from] WarekiError),
}

impl FiscalYearError {
    /// Stable snake-case code for the API (a 和暦 problem keeps its own
    /// `wareki_*` code).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "fiscal_year_empty",
            Self::Invalid { .. } => "fiscal_year_invalid",
            Self::OutOfRange { .. } => "fiscal_year_out_of_range",
            Self::Wareki(e) => e.code(),
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match self {
            Self::Empty => "年度を入力してください。".to_owned(),
            Self::Invalid { input } => format!(
                "「{input}」は年度として正しくありません。「2026年度」または「令和8年度」のように入力してください。"
            ),
            Self::OutOfRange { year } => {
                format!("{year}年度は取り扱い可能な範囲（1〜9999年度）外です。")
            }
            Self::Wareki(e) => e.message_ja(),
        }
    }
}

impl_domain_error!(FiscalYearError);

impl FiscalYear {
    /// Earliest supported fiscal year.
    pub const MIN: i32 = 1;
    /// Latest supported fiscal year.
    pub const MAX: i32 = 9999;

    /// The fiscal year starting in April of `year`.
    pub fn new(year: i32) -> Result<Self, FiscalYearError> {
        if !(Self::MIN..=Self::MAX).contains(&year) {
            return Err(FiscalYearError::OutOfRange {
                year: i64::from(year),
            });
        }
        Ok(Self(year))
    }

    /// The fiscal year containing `date`: 2026-03-31 → 2025年度,
    /// 2026-04-01 → 2026年度.
    pub fn from_date(date: NaiveDate) -> Result<Self, FiscalYearError> {
        let year = if date.month() >= 4 {
            date.year()
        } else {
            date.year() - 1
        };
        Self::new(year)
    }

    /// The fiscal year of the Japan date at `instant`.
    pub fn of_instant(instant: DateTime<Utc>) -> Result<Self, FiscalYearError> {
        Self::from_date(japan_date(instant))
    }

    /// The calendar year the fiscal year starts in.
    pub fn year(self) -> i32 {
        self.0
    }

    /// April 1 of [`FiscalYear::year`].
    pub fn start(self) -> NaiveDate {
        // The range check in `new` keeps both dates representable.
        NaiveDate::from_ymd_opt(self.0, 4, 1).unwrap_or(NaiveDate::MIN)
    }

    /// March 31 of the following year.
    pub fn end(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 + 1, 3, 31).unwrap_or(NaiveDate::MAX)
    }

    /// Whether `date` falls in this fiscal year.
    pub fn contains(self, date: NaiveDate) -> bool {
        self.start() <= date && date <= self.end()
    }

    /// The 和暦 year used to name this fiscal year: the latest era that had
    /// begun by the end of the calendar year it starts in. So 2019年度 is
    /// 令和元年度 (as the government has written it since the 2019 era
    /// change) and 1988年度 is 昭和63年度.
    pub fn wareki(self) -> Result<Wareki, WarekiError> {
        Wareki::from_date(ymd_clamped(self.0, 12, 31))
    }

    /// "令和8年度".
    pub fn format_wareki(self) -> Result<String, WarekiError> {
        Ok(format!("{}度", self.wareki()?))
    }

    /// Parses "2026年度", "2026", "令和8年度" or "令和元年度" (full-width
    /// digits are folded).
    pub fn parse(input: &str) -> Result<Self, FiscalYearError> {
        let s = text::normalize(input);
        if s.is_empty() {
            return Err(FiscalYearError::Empty);
        }
        let body = s.strip_suffix("年度").unwrap_or(&s);
        if !body.is_empty() && body.chars().all(|c| c.is_ascii_digit()) {
            let year = body
                .parse::<i64>()
                .map_err(|_| FiscalYearError::OutOfRange { year: i64::MAX })?;
            let year = i32::try_from(year).map_err(|_| FiscalYearError::OutOfRange { year })?;
            return Self::new(year);
        }
        if split_era(body).is_none() {
            return Err(FiscalYearError::Invalid { input: s });
        }
        Self::new(Wareki::parse(body)?.gregorian_year())
    }
}

/// `NaiveDate::from_ymd_opt` for dates that `FiscalYear`'s range makes valid.
fn ymd_clamped(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MAX)
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}年度", self.0)
    }
}

impl TryFrom<i32> for FiscalYear {
    type Error = FiscalYearError;
    fn try_from(year: i32) -> Result<Self, Self::Error> {
        Self::new(year)
    }
}

impl From<FiscalYear> for i32 {
    fn from(fy: FiscalYear) -> i32 {
        fy.0
    }
}

impl std::str::FromStr for FiscalYear {
    type Err = FiscalYearError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for FiscalYear {
    type Error = FiscalYearError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    fn wareki(d: NaiveDate) -> String {
        Wareki::from_date(d).unwrap().to_string()
    }

    #[test]
    fn japan_time_formatting() {
        let t = utc(2026, 11, 22, 7, 28, 0);
        assert_eq!(to_japan(t).offset().local_minus_utc(), 9 * 3600);
        assert_eq!(format_japan_datetime(t), "2026年11月22日 16:28");
        assert_eq!(format_japan_date(t), "2026年11月22日");
        assert_eq!(format_japan_datetime_en(t), "2026-11-22 16:28 JST");
        // 20:05 UTC is already the next morning in Japan.
        let late = utc(2026, 1, 4, 20, 5, 0);
        assert_eq!(format_japan_datetime(late), "2026年1月5日 05:05");
        assert_eq!(japan_date(late), date(2026, 1, 5));
        let local = date(2026, 11, 22).and_hms_opt(16, 28, 0).unwrap();
        assert_eq!(japan_local_to_utc(local), Some(t));
    }

    #[test]
    fn era_boundaries_by_day() {
        assert_eq!(wareki(date(2019, 4, 30)), "平成31年");
        assert_eq!(wareki(date(2019, 5, 1)), "令和元年");
        assert_eq!(wareki(date(1989, 1, 7)), "昭和64年");
        assert_eq!(wareki(date(1989, 1, 8)), "平成元年");
        assert_eq!(wareki(date(2026, 11, 22)), "令和8年");
        assert_eq!(wareki(date(1926, 12, 24)), "大正15年");
        assert_eq!(wareki(date(1926, 12, 25)), "昭和元年");
        assert_eq!(wareki(date(1912, 7, 29)), "明治45年");
        assert_eq!(wareki(date(1912, 7, 30)), "大正元年");
        assert_eq!(wareki(date(1873, 1, 1)), "明治6年");
        assert_eq!(
            Wareki::from_date(date(1872, 12, 31)),
            Err(WarekiError::UnsupportedDate {
                date: date(1872, 12, 31)
            })
        );
        assert_eq!(Era::Heisei.end_date(), Some(date(2019, 4, 30)));
        assert_eq!(Era::Reiwa.end_date(), None);
    }

    #[test]
    fn instant_uses_the_japan_date() {
        let boundary = utc(2019, 4, 30, 15, 0, 0);
        assert_eq!(japan_date(boundary), date(2019, 5, 1));
        assert_eq!(wareki_of_instant(boundary).unwrap().to_string(), "令和元年");
        let before = utc(2019, 4, 30, 14, 59, 59);
        assert_eq!(wareki_of_instant(before).unwrap().to_string(), "平成31年");
        assert_eq!(
            FiscalYear::of_instant(utc(2026, 3, 31, 15, 0, 0))
                .unwrap()
                .year(),
            2026
        );
    }

    #[test]
    fn full_wareki_dates() {
        assert_eq!(
            format_wareki_date(date(2019, 5, 1)).unwrap(),
            "令和元年5月1日"
        );
        assert_eq!(
            format_wareki_date(date(2026, 11, 22)).unwrap(),
            "令和8年11月22日"
        );
        assert!(format_wareki_date(date(1800, 1, 1)).is_err());
    }

    #[test]
    fn wareki_construction_and_parsing() {
        let r8 = Wareki::new(Era::Reiwa, 8).unwrap();
        assert_eq!(r8.gregorian_year(), 2026);
        for input in ["令和8年", "令和８年", "令和8", "Reiwa 8", "R8", "r8"] {
            assert_eq!(Wareki::parse(input), Ok(r8), "{input}");
        }
        assert_eq!(Wareki::parse("令和元年"), Wareki::new(Era::Reiwa, 1));
        assert_eq!(Wareki::parse("平成31年"), Wareki::new(Era::Heisei, 31));
        assert_eq!(
            Wareki::parse("平成32年"),
            Err(WarekiError::YearOutOfEra {
                era: Era::Heisei,
                year: 32
            })
        );
        assert!(Wareki::new(Era::Reiwa, 0).is_err());
        assert!(Wareki::new(Era::Meiji, 5).is_err());
        assert!(Wareki::new(Era::Showa, 64).is_ok());
        assert!(Wareki::new(Era::Showa, 65).is_err());
        assert!(matches!(
            Wareki::parse("慶応3年"),
            Err(WarekiError::UnknownEra { .. })
        ));
        assert!(matches!(
            Wareki::parse("令和八年"),
            Err(WarekiError::InvalidYear { .. })
        ));
        assert_eq!(
            Wareki::parse("令和八年").unwrap_err().code(),
            "wareki_invalid_year"
        );
        assert_eq!(Era::parse("Showa"), Ok(Era::Showa));
        assert_eq!(Era::parse("H"), Ok(Era::Heisei));
        assert_eq!(String::from(Era::Reiwa), "reiwa");
        assert_eq!(Era::Reiwa.to_string(), "令和");
    }

    #[test]
    fn fiscal_years() {
        assert_eq!(
            FiscalYear::from_date(date(2026, 3, 31)).unwrap().year(),
            2025
        );
        assert_eq!(
            FiscalYear::from_date(date(2026, 4, 1)).unwrap().year(),
            2026
        );
        let fy = FiscalYear::new(2026).unwrap();
        assert_eq!(fy.start(), date(2026, 4, 1));
        assert_eq!(fy.end(), date(2027, 3, 31));
        assert_eq!(fy.to_string(), "2026年度");
        assert_eq!(fy.format_wareki().unwrap(), "令和8年度");
        assert_eq!(
            FiscalYear::new(2019).unwrap().format_wareki().unwrap(),
            "令和元年度"
        );
        assert_eq!(
            FiscalYear::new(1989).unwrap().format_wareki().unwrap(),
            "平成元年度"
        );
        assert_eq!(
            FiscalYear::new(1988).unwrap().format_wareki().unwrap(),
            "昭和63年度"
        );
        assert!(FiscalYear::new(1872).unwrap().wareki().is_err());
        for input in ["2026年度", "２０２６年度", "2026", "令和8年度", "R8年度"] {
            assert_eq!(FiscalYear::parse(input), Ok(fy), "{input}");
        }
        assert_eq!(FiscalYear::parse("令和元年度").unwrap().year(), 2019);
        assert_eq!(FiscalYear::parse("平成31年度").unwrap().year(), 2019);
        assert!(matches!(
            FiscalYear::parse("来年度"),
            Err(FiscalYearError::Invalid { .. })
        ));
        assert!(matches!(
            FiscalYear::parse("平成40年度"),
            Err(FiscalYearError::Wareki(_))
        ));
        assert_eq!(
            FiscalYear::parse("0年度"),
            Err(FiscalYearError::OutOfRange { year: 0 })
        );
        assert!(FiscalYear::parse("99999999999年度").is_err());
        assert!(FiscalYear::from_date(date(1, 3, 31)).is_err());
        assert_eq!(FiscalYear::new(9999).unwrap().end(), date(10000, 3, 31));
        assert_eq!(
            FiscalYear::try_from(10000).unwrap_err().code(),
            "fiscal_year_out_of_range"
        );
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        let first = date(1873, 1, 1).num_days_from_ce();
        let last = date(9998, 12, 31).num_days_from_ce();
        (first..=last).prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap())
    }

    proptest! {
        #[test]
        fn fiscal_year_contains_its_dates(d in any_date()) {
            let fy = FiscalYear::from_date(d).unwrap();
            prop_assert!(fy.start() <= d && d <= fy.end());
            prop_assert!(fy.contains(d));
            prop_assert_eq!(FiscalYear::parse(&fy.to_string()), Ok(fy));
            prop_assert_eq!(FiscalYear::try_from(i32::from(fy)), Ok(fy));
            let fw = fy.format_wareki();
            if let Ok(fw) = fw {
                prop_assert_eq!(FiscalYear::parse(&fw), Ok(fy));
            }
        }

        #[test]
        fn wareki_year_is_gregorian_minus_offset(d in any_date()) {
            let w = Wareki::from_date(d).unwrap();
            prop_assert_eq!(w.year() as i32, d.year() - w.era().year_offset());
            prop_assert_eq!(w.gregorian_year(), d.year());
            prop_assert!(w.era().start_date() <= d);
            prop_assert!(w.era().end_date().is_none_or(|end| d <= end));
            prop_assert_eq!(Wareki::parse(&w.to_string()), Ok(w));
            prop_assert_eq!(Wareki::new(w.era(), w.year()), Ok(w));
        }

        #[test]
        fn japan_time_is_utc_plus_nine(secs in 0i64..4_102_444_800) {
            let t = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
            let local = to_japan(t).naive_local();
            prop_assert_eq!(local, t.naive_utc() + chrono::TimeDelta::hours(9));
            prop_assert_eq!(japan_local_to_utc(local), Some(t));
        }
    }
}
