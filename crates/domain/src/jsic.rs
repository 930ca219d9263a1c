//! 日本標準産業分類 (Japan Standard Industrial Classification, JSIC), Rev. 14,
//! in force from 2024-04-01.
//!
//! Four levels: 大分類 (division, a letter A–T), 中分類 (major group, two
//! digits), 小分類 (group, three digits) and 細分類 (industry, four digits).
//! Every deeper code starts with its two-digit major group, and the major
//! groups 01–99 are split among the divisions in contiguous ranges, so a code
//! knows its division without a table.
//!
//! Only division names are built in. Below the major group the crate checks
//! structure, not existence: "0919" is accepted whether or not the
//! classification defines it, because inventing or copying the thousand-odd
//! deeper names here would go stale; a catalogue belongs in data.

use std::fmt;
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use crate::text;

/// 大分類: the 20 divisions A–T. Displayed and serialised as the letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum JsicDivision {
    /// A 農業，林業
    Agriculture,
    /// B 漁業
    Fisheries,
    /// C 鉱業，採石業，砂利採取業
    Mining,
    /// D 建設業
    Construction,
    /// E 製造業
    Manufacturing,
    /// F 電気・ガス・熱供給・水道業
    Utilities,
    /// G 情報通信業
    InformationCommunications,
    /// H 運輸業，郵便業
    TransportPostal,
    /// I 卸売業，小売業
    WholesaleRetail,
    /// J 金融業，保険業
    FinanceInsurance,
    /// K 不動産業，物品賃貸業
    RealEstateRental,
    /// L 学術研究，専門・技術サービス業
    ProfessionalTechnical,
    /// M 宿泊業，飲食サービス業
    AccommodationFood,
    /// N 生活関連サービス業，娯楽業
    LivingRelatedAmusement,
    /// O 教育，学習支援業
    Education,
    /// P 医療，福祉
    MedicalWelfare,
    /// Q 複合サービス事業
    CompoundServices,
    /// R サービス業（他に分類されないもの）
    ServicesNec,
    /// S 公務（他に分類されるものを除く）
    Government,
    /// T 分類不能の産業
    Unclassifiable,
}

struct DivisionInfo {
    letter: &'static str,
    name_ja: &'static str,
    name_en: &'static str,
    major_groups: RangeInclusive<u8>,
}

/// In the order of [`JsicDivision::ALL`].
const DIVISIONS: [DivisionInfo; 20] = [
    div("A", "農業，林業", "Agriculture and forestry", 1, 2),
    div("B", "漁業", "Fisheries", 3, 4),
    div(
        "C",
        "鉱業，採石業，砂利採取業",
        "Mining and quarrying of stone and gravel",
        5,
        5,
    ),
    div("D", "建設業", "Construction", 6, 8),
    div("E", "製造業", "Manufacturing", 9, 32),
    div(
        "F",
        "電気・ガス・熱供給・水道業",
        "Electricity, gas, heat supply and water",
        33,
        36,
    ),
    div("G", "情報通信業", "Information and communications", 37, 41),
    div(
        "H",
        "運輸業，郵便業",
        "Transport and postal activities",
        42,
        49,
    ),
    div("I", "卸売業，小売業", "Wholesale and retail trade", 50, 61),
    div("J", "金融業，保険業", "Finance and insurance", 62, 67),
    div(
        "K",
        "不動産業，物品賃貸業",
        "Real estate and goods rental and leasing",
        68,
        70,
    ),
    div(
        "L",
        "学術研究，専門・技術サービス業",
        "Scientific research, professional and technical services",
        71,
        74,
    ),
    div(
        "M",
        "宿泊業，飲食サービス業",
        "Accommodations, eating and drinking services",
        75,
        77,
    ),
    div(
        "N",
        "生活関連サービス業，娯楽業",
        "Living-related and personal services and amusement services",
        78,
        80,
    ),
    div(
        "O",
        "教育，学習支援業",
        "Education, learning support",
        81,
        82,
    ),
    div(
        "P",
        "医療，福祉",
        "Medical, health care and welfare",
        83,
        85,
    ),
    div("Q", "複合サービス事業", "Compound services", 86, 87),
    div(
        "R",
        "サービス業（他に分類されないもの）",
        "Services, n.e.c.",
        88,
        96,
    ),
    div(
        "S",
        "公務（他に分類されるものを除く）",
        "Government, except elsewhere classified",
        97,
        98,
    ),
    div(
        "T",
        "分類不能の産業",
        "Industries unable to classify",
        99,
        99,
    ),
];

const fn div(
    letter: &'static str,
    name_ja: &'static str,
    name_en: &'static str,
    first: u8,
    last: u8,
) -> DivisionInfo {
    DivisionInfo {
        letter,
        name_ja,
        name_en,
        major_groups: first..=last,
    }
}

/// Why a string is not a JSIC code (or division, or level).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsicError {
    #[error("industry classification code is empty")]
    Empty,
    #[error("industry classification code contains {found:?} at position {position}")]
    InvalidCharacter { found: char, position: usize },
    #[error(
        "industry classification code must be a division letter or 2, 3 or 4 digits, found {found} digits"
    )]
    InvalidLength { found: usize },
    #[error("unknown industry division {input:?}: expected a letter from A to T")]
    UnknownDivision { input: String },
    #[error("unknown industry major group {code:?}: expected 01 to 99")]
    UnknownMajorGroup { code: String },
    #[error("industry code {code} belongs to division {expected}, not {found}")]
    DivisionMismatch {
        code: String,
        expected: char,
        found: char,
    },
    #[error("unknown industry classification level {input:?}")]
    UnknownLevel { input: String },
}

impl JsicError {
    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "jsic_empty",
            Self::InvalidCharacter { .. } => "jsic_invalid_character",
            Self::InvalidLength { .. } => "jsic_length",
            Self::UnknownDivision { .. } => "jsic_unknown_division",
            Self::UnknownMajorGroup { .. } => "jsic_unknown_major_group",
            Self::DivisionMismatch { .. } => "jsic_division_mismatch",
            Self::UnknownLevel { .. } => "jsic_unknown_level",
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match self {
            Self::Empty => "産業分類コードを入力してください。".to_owned(),
            Self::InvalidCharacter { found, position } => format!(
                "産業分類コードに使用できない文字が含まれています（{position}文字目の「{found}」）。"
            ),
            Self::InvalidLength { found } => format!(
                "産業分類コードは大分類の英字1文字、または2桁（中分類）・3桁（小分類）・4桁（細分類）の数字で入力してください（入力された桁数：{found}桁）。"
            ),
            Self::UnknownDivision { input } => format!(
                "産業分類の大分類「{input}」は存在しません。AからTまでの英字で指定してください。"
            ),
            Self::UnknownMajorGroup { code } => format!(
                "産業分類の中分類「{code}」は存在しません。01から99までの2桁で指定してください。"
            ),
            Self::DivisionMismatch {
                code,
                expected,
                found,
            } => format!(
                "産業分類コード「{code}」は大分類{expected}に属します。大分類「{found}」とは一致しません。"
            ),
            Self::UnknownLevel { input } => {
                format!("産業分類の階層「{input}」は存在しません。")
            }
        }
    }
}

impl_domain_error!(JsicError);

impl JsicDivision {
    /// All 20 divisions, A to T.
    pub const ALL: [JsicDivision; 20] = {
        use JsicDivision::*;
        [
            Agriculture,
            Fisheries,
            Mining,
            Construction,
            Manufacturing,
            Utilities,
            InformationCommunications,
            TransportPostal,
            WholesaleRetail,
            FinanceInsurance,
            RealEstateRental,
            ProfessionalTechnical,
            AccommodationFood,
            LivingRelatedAmusement,
            Education,
            MedicalWelfare,
            CompoundServices,
            ServicesNec,
            Government,
            Unclassifiable,
        ]
    };

    /// All 20 divisions, A to T.
    pub fn all() -> &'static [JsicDivision] {
        &Self::ALL
    }

    fn info(self) -> &'static DivisionInfo {
        &DIVISIONS[self as usize]
    }

    /// The letter, "A".."T".
    pub fn letter(self) -> &'static str {
        self.info().letter
    }

    /// The letter as a `char`.
    pub fn letter_char(self) -> char {
        char::from(self.letter().as_bytes()[0])
    }

    /// Same as [`JsicDivision::letter`].
    pub fn as_str(&self) -> &'static str {
        self.letter()
    }

    /// Official Japanese name, e.g. 建設業.
    pub fn name_ja(self) -> &'static str {
        self.info().name_ja
    }

    /// Official English name, e.g. Construction.
    pub fn name_en(self) -> &'static str {
        self.info().name_en
    }

    /// The major groups (中分類) of this division, e.g. 06..=08 for D.
    pub fn major_groups(self) -> RangeInclusive<u8> {
        self.info().major_groups.clone()
    }

    /// The division a major group number (1..=99) belongs to.
    pub fn of_major_group(major_group: u8) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|d| d.major_groups().contains(&major_group))
    }

    /// The division with this letter (either case).
    pub fn from_letter(letter: char) -> Option<Self> {
        let upper = letter.to_ascii_uppercase();
        Self::ALL.into_iter().find(|d| d.letter_char() == upper)
    }

    /// Parses a letter ("D", "ｄ") or the Japanese name ("建設業").
    pub fn parse(input: &str) -> Result<Self, JsicError> {
        let s = text::normalize(input);
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (None, _) => Err(JsicError::Empty),
            (Some(c), None) => Self::from_letter(c).ok_or(JsicError::UnknownDivision { input: s }),
            _ => Self::ALL
                .into_iter()
                .find(|d| d.name_ja() == s)
                .ok_or(JsicError::UnknownDivision { input: s }),
        }
    }
}

impl fmt::Display for JsicDivision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.letter())
    }
}

impl_string_conversions!(JsicDivision, JsicError);

/// The four levels of the classification, coarsest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum JsicLevel {
    /// 大分類, a letter.
    Division,
    /// 中分類, two digits.
    MajorGroup,
    /// 小分類, three digits.
    Group,
    /// 細分類, four digits.
    Industry,
}

impl JsicLevel {
    /// All levels, coarsest first.
    pub const ALL: [JsicLevel; 4] = [
        JsicLevel::Division,
        JsicLevel::MajorGroup,
        JsicLevel::Group,
        JsicLevel::Industry,
    ];

    /// Stable code: "division", "major_group", "group", "industry".
    pub fn code(self) -> &'static str {
        match self {
            JsicLevel::Division => "division",
            JsicLevel::MajorGroup => "major_group",
            JsicLevel::Group => "group",
            JsicLevel::Industry => "industry",
        }
    }

    /// Same as [`JsicLevel::code`].
    pub fn as_str(&self) -> &'static str {
        self.code()
    }

    /// 大分類, 中分類, 小分類 or 細分類.
    pub fn name_ja(self) -> &'static str {
        match self {
            JsicLevel::Division => "大分類",
            JsicLevel::MajorGroup => "中分類",
            JsicLevel::Group => "小分類",
            JsicLevel::Industry => "細分類",
        }
    }

    /// Number of digits in a code of this level (0 for a division).
    pub fn digits(self) -> usize {
        match self {
            JsicLevel::Division => 0,
            JsicLevel::MajorGroup => 2,
            JsicLevel::Group => 3,
            JsicLevel::Industry => 4,
        }
    }

    /// Parses the code ("major_group") or the Japanese name ("中分類").
    pub fn parse(input: &str) -> Result<Self, JsicError> {
        let s = text::normalize(input);
        Self::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(&s) || l.name_ja() == s)
            .ok_or(JsicError::UnknownLevel { input: s })
    }
}

impl fmt::Display for JsicLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl_string_conversions!(JsicLevel, JsicError);

/// A JSIC code at any level: a division letter ("E") or 2, 3 or 4 digits
/// ("09", "091", "0911").
///
/// The canonical form, used by `Display`, `as_str` and serde, is the letter
/// for a division and digits only for deeper codes. Parsing also accepts a
/// deeper code prefixed with its division letter ("E0911", "E-0911"), but
/// only if the letter is the right one.
///
/// Ordering is by division, then pre-order: "E" < "09" < "091" < "0911" <
/// "092".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JsicCode {
    division: JsicDivision,
    /// ASCII digits, padded with NUL bytes so a parent sorts before its
    /// children; `len` of them are used (0 for a division).
    digits: [u8; 4],
    len: u8,
}

impl JsicCode {
    /// The code of a whole division.
    pub const fn division_code(division: JsicDivision) -> Self {
        Self {
            division,
            digits: [0; 4],
            len: 0,
        }
    }

    /// Parses a code at any level; see the type docs for accepted forms.
    /// Full-width characters are folded and a lower-case letter is accepted.
    pub fn parse(input: &str) -> Result<Self, JsicError> {
        let s = text::normalize(input);
        let mut chars = s.chars();
        let Some(first) = chars.next() else {
            return Err(JsicError::Empty);
        };
        if !first.is_ascii_alphabetic() {
            return Self::from_digits(&s, 0);
        }
        let division = JsicDivision::from_letter(first).ok_or(JsicError::UnknownDivision {
            input: first.to_string(),
        })?;
        let rest = chars.as_str();
        if rest.is_empty() {
            return Ok(Self::division_code(division));
        }
        let (rest, offset) = match rest.strip_prefix('-') {
            Some(after) => (after, 2),
            None => (rest, 1),
        };
        let code = Self::from_digits(rest, offset)?;
        if code.division != division {
            return Err(JsicError::DivisionMismatch {
                code: code.as_str().to_owned(),
                expected: code.division.letter_char(),
                found: division.letter_char(),
            });
        }
        Ok(code)
    }

    /// `offset` is how many characters preceded `s` in the input, for error
    /// positions.
    fn from_digits(s: &str, offset: usize) -> Result<Self, JsicError> {
        if let Some((i, found)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(JsicError::InvalidCharacter {
                found,
                position: offset + i + 1,
            });
        }
        let len = s.len();
        if !(2..=4).contains(&len) {
            return Err(JsicError::InvalidLength { found: len });
        }
        let bytes = s.as_bytes();
        let major = (bytes[0] - b'0') * 10 + (bytes[1] - b'0');
        let division = JsicDivision::of_major_group(major).ok_or(JsicError::UnknownMajorGroup {
            code: s[..2].to_owned(),
        })?;
        let mut digits = [0; 4];
        digits[..len].copy_from_slice(bytes);
        Ok(Self {
            division,
            digits,
            len: len as u8,
        })
    }

    /// Canonical text: the letter for a division, otherwise the digits.
    pub fn as_str(&self) -> &str {
        if self.len == 0 {
            self.division.letter()
        } else {
            text::ascii_str(&self.digits[..usize::from(self.len)])
        }
    }

    /// Which of the four levels this code is at.
    pub fn level(&self) -> JsicLevel {
        match self.len {
            0 => JsicLevel::Division,
            2 => JsicLevel::MajorGroup,
            3 => JsicLevel::Group,
            _ => JsicLevel::Industry,
        }
    }

    /// The 大分類 this code belongs to (itself, for a division).
    pub fn division(&self) -> JsicDivision {
        self.division
    }

    /// The two-digit 中分類, or `None` for a division.
    pub fn major_group(&self) -> Option<&str> {
        (self.len >= 2).then(|| text::ascii_str(&self.digits[..2]))
    }

    /// The code one level up, or `None` for a division.
    pub fn parent(&self) -> Option<Self> {
        match self.len {
            0 => None,
            2 => Some(Self::division_code(self.division)),
            n => {
                let mut parent = *self;
                parent.len = n - 1;
                parent.digits[usize::from(n - 1)] = 0;
                Some(parent)
            }
        }
    }

    /// Whether `other` is this code or lies below it: "E" contains "09" and
    /// "0911"; "09" contains "091" and "0911"; every code contains itself.
    pub fn contains(&self, other: &Self) -> bool {
        self.division == other.division
            && self.len <= other.len
            && self.digits[..usize::from(self.len)] == other.digits[..usize::from(self.len)]
    }

    /// Whether `other` lies strictly below this code ([`JsicCode::contains`]
    /// without the code itself).
    pub fn is_ancestor_of(&self, other: &Self) -> bool {
        self != other && self.contains(other)
    }
}

impl From<JsicDivision> for JsicCode {
    fn from(division: JsicDivision) -> Self {
        Self::division_code(division)
    }
}

impl fmt::Display for JsicCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for JsicCode {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl_string_conversions!(JsicCode, JsicError);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(s: &str) -> JsicCode {
        JsicCode::parse(s).unwrap()
    }

    #[test]
    fn divisions_are_a_to_t_and_partition_01_to_99() {
        let letters: String = JsicDivision::all().iter().map(|d| d.letter()).collect();
        assert_eq!(letters, "ABCDEFGHIJKLMNOPQRST");
        let mut next = 1;
        for d in JsicDivision::all() {
            assert_eq!(*d.major_groups().start(), next, "{d}");
            next = d.major_groups().end() + 1;
        }
        assert_eq!(next, 100);
        assert_eq!(JsicDivision::of_major_group(0), None);
        assert_eq!(JsicDivision::of_major_group(100), None);
        assert_eq!(
            JsicDivision::of_major_group(9),
            Some(JsicDivision::Manufacturing)
        );
        assert_eq!(
            JsicDivision::of_major_group(32),
            Some(JsicDivision::Manufacturing)
        );
        assert_eq!(
            JsicDivision::of_major_group(99),
            Some(JsicDivision::Unclassifiable)
        );
    }

    #[test]
    fn division_names() {
        use JsicDivision::*;
        assert_eq!(Agriculture.name_ja(), "農業，林業");
        assert_eq!(Construction.name_ja(), "建設業");
        assert_eq!(Construction.name_en(), "Construction");
        assert_eq!(ServicesNec.name_ja(), "サービス業（他に分類されないもの）");
        assert_eq!(Government.letter(), "S");
        assert_eq!(Government.name_ja(), "公務（他に分類されるものを除く）");
        assert_eq!(Unclassifiable.name_en(), "Industries unable to classify");
        assert_eq!(JsicDivision::parse("建設業"), Ok(Construction));
        assert_eq!(JsicDivision::parse("ｄ"), Ok(Construction));
        assert!(JsicDivision::parse("U").is_err());
    }

    #[test]
    fn levels_and_accessors() {
        let e = code("E");
        assert_eq!(e.level(), JsicLevel::Division);
        assert_eq!(e.major_group(), None);
        assert_eq!(e.parent(), None);

        let industry = code("0911");
        assert_eq!(industry.level(), JsicLevel::Industry);
        assert_eq!(industry.division(), JsicDivision::Manufacturing);
        assert_eq!(industry.major_group(), Some("09"));
        assert_eq!(industry.parent(), Some(code("091")));
        assert_eq!(code("091").level(), JsicLevel::Group);
        assert_eq!(code("091").parent(), Some(code("09")));
        assert_eq!(code("09").level(), JsicLevel::MajorGroup);
        assert_eq!(code("09").parent(), Some(code("E")));
        assert_eq!(code("06").division(), JsicDivision::Construction);
        assert_eq!(JsicLevel::Group.name_ja(), "小分類");
        assert_eq!(JsicLevel::parse("細分類"), Ok(JsicLevel::Industry));
    }

    #[test]
    fn hierarchy() {
        let (e, mg, g, i) = (code("E"), code("09"), code("091"), code("0911"));
        for (a, b) in [(e, mg), (e, g), (e, i), (mg, g), (mg, i), (g, i)] {
            assert!(a.contains(&b) && a.is_ancestor_of(&b), "{a} ⊃ {b}");
            assert!(!b.contains(&a) && !b.is_ancestor_of(&a), "{b} ⊅ {a}");
        }
        for c in [e, mg, g, i] {
            assert!(c.contains(&c));
            assert!(!c.is_ancestor_of(&c));
        }
        assert!(!code("09").contains(&code("0100")));
        assert!(!code("091").contains(&code("0921")));
        assert!(!code("D").contains(&code("09")));
        assert!(!code("0911").contains(&code("0912")));
        assert!(e < mg && mg < g && g < i && i < code("092") && code("32") < code("F"));
    }

    #[test]
    fn accepts_division_prefix_when_it_matches() {
        assert_eq!(code("E0911"), code("0911"));
        assert_eq!(code("E-0911"), code("0911"));
        assert_eq!(code("e09"), code("09"));
        assert_eq!(code("Ｅ－０９１１"), code("0911"));
        assert_eq!(code("E0911").to_string(), "0911");
        assert_eq!(
            JsicCode::parse("D0911"),
            Err(JsicError::DivisionMismatch {
                code: "0911".into(),
                expected: 'E',
                found: 'D'
            })
        );
        assert_eq!(
            JsicCode::parse("D0911").unwrap_err().code(),
            "jsic_division_mismatch"
        );
    }

    #[test]
    fn rejects_malformed_codes() {
        use JsicError::*;
        assert_eq!(JsicCode::parse(" "), Err(Empty));
        assert_eq!(JsicCode::parse("0"), Err(InvalidLength { found: 1 }));
        assert_eq!(JsicCode::parse("09111"), Err(InvalidLength { found: 5 }));
        assert_eq!(
            JsicCode::parse("00"),
            Err(UnknownMajorGroup { code: "00".into() })
        );
        assert_eq!(
            JsicCode::parse("001"),
            Err(UnknownMajorGroup { code: "00".into() })
        );
        assert_eq!(
            JsicCode::parse("U"),
            Err(UnknownDivision { input: "U".into() })
        );
        assert_eq!(
            JsicCode::parse("E--09"),
            Err(InvalidCharacter {
                found: '-',
                position: 3
            })
        );
        assert!(matches!(
            JsicCode::parse("EE"),
            Err(InvalidCharacter { .. })
        ));
        assert!(matches!(
            JsicCode::parse("09a"),
            Err(InvalidCharacter { .. })
        ));
        assert!(matches!(
            JsicCode::parse("E-"),
            Err(InvalidLength { found: 0 })
        ));
    }

    fn any_code() -> impl Strategy<Value = JsicCode> {
        prop_oneof![
            (0..20usize).prop_map(|i| JsicCode::from(JsicDivision::ALL[i])),
            (1u32..=99).prop_map(|m| code(&format!("{m:02}"))),
            (10u32..=999).prop_map(|g| code(&format!("{g:03}"))),
            (100u32..=9999).prop_map(|i| code(&format!("{i:04}"))),
        ]
    }

    proptest! {
        #[test]
        fn round_trips(c in any_code()) {
            prop_assert_eq!(JsicCode::parse(c.as_str()), Ok(c));
            prop_assert_eq!(JsicCode::try_from(String::from(c)), Ok(c));
            let prefixed = format!("{}{}", c.division(), c.as_str());
            if c.level() != JsicLevel::Division {
                prop_assert_eq!(JsicCode::parse(&prefixed), Ok(c));
                prop_assert_eq!(c.major_group().map(str::len), Some(2));
            }
            prop_assert_eq!(c.as_str().len(), c.level().digits().max(1));
        }

        #[test]
        fn ancestors_contain_descendants(c in any_code()) {
            let mut ancestor = c.parent();
            let mut steps = 0;
            while let Some(a) = ancestor {
                prop_assert!(a.is_ancestor_of(&c));
                prop_assert!(a < c);
                prop_assert_eq!(a.division(), c.division());
                ancestor = a.parent();
                steps += 1;
            }
            prop_assert_eq!(steps, JsicLevel::ALL.iter().position(|l| *l == c.level()).unwrap());
            prop_assert!(JsicCode::from(c.division()).contains(&c));
        }

        #[test]
        fn contains_matches_prefix(a in any_code(), b in any_code()) {
            let by_prefix = a.division() == b.division()
                && (a.level() == JsicLevel::Division
                    || (b.level() != JsicLevel::Division && b.as_str().starts_with(a.as_str())));
            prop_assert_eq!(a.contains(&b), by_prefix);
        }
    }
}
