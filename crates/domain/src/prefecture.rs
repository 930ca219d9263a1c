//! 都道府県 (prefectures) with their JIS X 0401 codes, and the nine regions
//! (地方) Musubi groups them into.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text;

/// One of the 47 prefectures. The discriminant is the JIS X 0401 number, and
/// the code is always two digits ("01" for 北海道 … "47" for 沖縄県).
///
/// Displayed and serialised as the two-digit code; parsed from the code, the
/// kanji name (with or without its 都/府/県 suffix), the hiragana reading, or
/// the English name (any ASCII case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[repr(u8)]
pub enum Prefecture {
    Hokkaido = 1,
    Aomori,
    Iwate,
    Miyagi,
    Akita,
    Yamagata,
    Fukushima,
    Ibaraki,
    Tochigi,
    Gunma,
    Saitama,
    Chiba,
    Tokyo,
    Kanagawa,
    Niigata,
    Toyama,
    Ishikawa,
    Fukui,
    Yamanashi,
    Nagano,
    Gifu,
    Shizuoka,
    Aichi,
    Mie,
    Shiga,
    Kyoto,
    Osaka,
    Hyogo,
    Nara,
    Wakayama,
    Tottori,
    Shimane,
    Okayama,
    Hiroshima,
    Yamaguchi,
    Tokushima,
    Kagawa,
    Ehime,
    Kochi,
    Fukuoka,
    Saga,
    Nagasaki,
    Kumamoto,
    Oita,
    Miyazaki,
    Kagoshima,
    Okinawa,
}

struct PrefectureInfo {
    code: &'static str,
    name: &'static str,
    kana: &'static str,
    english: &'static str,
}

const fn info(
    code: &'static str,
    name: &'static str,
    kana: &'static str,
    english: &'static str,
) -> PrefectureInfo {
    PrefectureInfo {
        code,
        name,
        kana,
        english,
    }
}

/// Indexed by JIS number − 1; must stay in the order of [`Prefecture::ALL`].
const PREFECTURES: [PrefectureInfo; 47] = [
    info("01", "北海道", "ほっかいどう", "Hokkaido"),
    info("02", "青森県", "あおもりけん", "Aomori"),
    info("03", "岩手県", "いわてけん", "Iwate"),
    info("04", "宮城県", "みやぎけん", "Miyagi"),
    info("05", "秋田県", "あきたけん", "Akita"),
    info("06", "山形県", "やまがたけん", "Yamagata"),
    info("07", "福島県", "ふくしまけん", "Fukushima"),
    info("08", "茨城県", "いばらきけん", "Ibaraki"),
    info("09", "栃木県", "とちぎけん", "Tochigi"),
    info("10", "群馬県", "ぐんまけん", "Gunma"),
    info("11", "埼玉県", "さいたまけん", "Saitama"),
    info("12", "千葉県", "ちばけん", "Chiba"),
    info("13", "東京都", "とうきょうと", "Tokyo"),
    info("14", "神奈川県", "かながわけん", "Kanagawa"),
    info("15", "新潟県", "にいがたけん", "Niigata"),
    info("16", "富山県", "とやまけん", "Toyama"),
    info("17", "石川県", "いしかわけん", "Ishikawa"),
    info("18", "福井県", "ふくいけん", "Fukui"),
    info("19", "山梨県", "やまなしけん", "Yamanashi"),
    info("20", "長野県", "ながのけん", "Nagano"),
    info("21", "岐阜県", "ぎふけん", "Gifu"),
    info("22", "静岡県", "しずおかけん", "Shizuoka"),
    info("23", "愛知県", "あいちけん", "Aichi"),
    info("24", "三重県", "みえけん", "Mie"),
    info("25", "滋賀県", "しがけん", "Shiga"),
    info("26", "京都府", "きょうとふ", "Kyoto"),
    info("27", "大阪府", "おおさかふ", "Osaka"),
    info("28", "兵庫県", "ひょうごけん", "Hyogo"),
    info("29", "奈良県", "ならけん", "Nara"),
    info("30", "和歌山県", "わかやまけん", "Wakayama"),
    info("31", "鳥取県", "とっとりけん", "Tottori"),
    info("32", "島根県", "しまねけん", "Shimane"),
    info("33", "岡山県", "おかやまけん", "Okayama"),
    info("34", "広島県", "ひろしまけん", "Hiroshima"),
    info("35", "山口県", "やまぐちけん", "Yamaguchi"),
    info("36", "徳島県", "とくしまけん", "Tokushima"),
    info("37", "香川県", "かがわけん", "Kagawa"),
    info("38", "愛媛県", "えひめけん", "Ehime"),
    info("39", "高知県", "こうちけん", "Kochi"),
    info("40", "福岡県", "ふくおかけん", "Fukuoka"),
    info("41", "佐賀県", "さがけん", "Saga"),
    info("42", "長崎県", "ながさきけん", "Nagasaki"),
    info("43", "熊本県", "くまもとけん", "Kumamoto"),
    info("44", "大分県", "おおいたけん", "Oita"),
    info("45", "宮崎県", "みやざきけん", "Miyazaki"),
    info("46", "鹿児島県", "かごしまけん", "Kagoshima"),
    info("47", "沖縄県", "おきなわけん", "Okinawa"),
];

/// Why a string is not a prefecture.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrefectureError {
    #[error("prefecture is empty")]
    Empty,
    #[error("unknown prefecture code {code:?}: expected two digits from 01 to 47")]
    UnknownCode { code: String },
    #[error("unknown prefecture {name:?}")]
    UnknownName { name: String },
}

impl PrefectureError {
    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "prefecture_empty",
            Self::UnknownCode { .. } => "prefecture_unknown_code",
            Self::UnknownName { .. } => "prefecture_unknown_name",
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match self {
            Self::Empty => "都道府県を選択してください。".to_owned(),
            Self::UnknownCode { code } => format!(
                "都道府県コード「{code}」は存在しません。01から47までの2桁で指定してください。"
            ),
            Self::UnknownName { name } => {
                format!("「{name}」に該当する都道府県が見つかりません。")
            }
        }
    }
}

impl_domain_error!(PrefectureError);

impl Prefecture {
    /// All 47 prefectures in code order.
    pub const ALL: [Prefecture; 47] = {
        use Prefecture::*;
        [
            Hokkaido, Aomori, Iwate, Miyagi, Akita, Yamagata, Fukushima, Ibaraki, Tochigi, Gunma,
            Saitama, Chiba, Tokyo, Kanagawa, Niigata, Toyama, Ishikawa, Fukui, Yamanashi, Nagano,
            Gifu, Shizuoka, Aichi, Mie, Shiga, Kyoto, Osaka, Hyogo, Nara, Wakayama, Tottori,
            Shimane, Okayama, Hiroshima, Yamaguchi, Tokushima, Kagawa, Ehime, Kochi, Fukuoka, Saga,
            Nagasaki, Kumamoto, Oita, Miyazaki, Kagoshima, Okinawa,
        ]
    };

    /// All 47 prefectures in code order.
    pub fn all() -> &'static [Prefecture] {
        &Self::ALL
    }

    /// The prefecture with JIS number `number` (1..=47).
    pub fn from_number(number: u8) -> Option<Self> {
        Self::ALL.get(usize::from(number).checked_sub(1)?).copied()
    }

    /// The JIS X 0401 number, 1..=47.
    pub fn number(self) -> u8 {
        self as u8
    }

    fn info(self) -> &'static PrefectureInfo {
        &PREFECTURES[usize::from(self.number()) - 1]
    }

    /// The two-digit code, "01"..="47".
    pub fn code(self) -> &'static str {
        self.info().code
    }

    /// Same as [`Prefecture::code`].
    pub fn as_str(&self) -> &'static str {
        self.code()
    }

    /// Kanji name with its suffix, e.g. 東京都.
    pub fn name_ja(self) -> &'static str {
        self.info().name
    }

    /// Hiragana reading, e.g. とうきょうと.
    pub fn kana(self) -> &'static str {
        self.info().kana
    }

    /// English name without suffix, e.g. Tokyo.
    pub fn name_en(self) -> &'static str {
        self.info().english
    }

    /// The region (地方) this prefecture belongs to.
    pub fn region(self) -> Region {
        Region::ALL
            .into_iter()
            .find(|r| r.numbers().contains(&self.number()))
            .unwrap_or(Region::KyushuOkinawa)
    }

    /// Kanji name without the 都/府/県 suffix (北海道 keeps its 道, because
    /// "北海" is not used on its own).
    fn short_name(self) -> &'static str {
        let name = self.name_ja();
        match self {
            Prefecture::Hokkaido => name,
            _ => name.strip_suffix(['都', '府', '県']).unwrap_or(name),
        }
    }

    /// Parses a code ("13"), a kanji name ("東京都" or "東京"), a hiragana
    /// reading ("とうきょうと") or an English name ("Tokyo", any case).
    pub fn parse(input: &str) -> Result<Self, PrefectureError> {
        let s = text::normalize(input);
        if s.is_empty() {
            return Err(PrefectureError::Empty);
        }
        if s.chars().all(|c| c.is_ascii_digit()) {
            return Self::ALL
                .into_iter()
                .find(|p| p.code() == s)
                .ok_or(PrefectureError::UnknownCode { code: s });
        }
        Self::ALL
            .into_iter()
            .find(|p| {
                p.name_ja() == s
                    || p.short_name() == s
                    || p.kana() == s
                    || p.name_en().eq_ignore_ascii_case(&s)
            })
            .ok_or(PrefectureError::UnknownName { name: s })
    }
}

impl fmt::Display for Prefecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<u8> for Prefecture {
    type Error = PrefectureError;
    fn try_from(number: u8) -> Result<Self, Self::Error> {
        Self::from_number(number).ok_or(PrefectureError::UnknownCode {
            code: format!("{number:02}"),
        })
    }
}

impl_string_conversions!(Prefecture, PrefectureError);

/// The nine regions (地方) used to group prefectures in search and matching.
///
/// Musubi's grouping follows the GLOSSARY: 北陸 includes 新潟, and 中部 means
/// 山梨・長野・岐阜・静岡・愛知 only. Displayed and serialised as its code
/// ("kanto").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Region {
    Hokkaido,
    Tohoku,
    Kanto,
    Hokuriku,
    Chubu,
    Kinki,
    Chugoku,
    Shikoku,
    KyushuOkinawa,
}

/// Why a string is not a region.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    #[error("region is empty")]
    Empty,
    #[error("unknown region {input:?}")]
    Unknown { input: String },
}

impl RegionError {
    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "region_empty",
            Self::Unknown { .. } => "region_unknown",
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match self {
            Self::Empty => "地方を選択してください。".to_owned(),
            Self::Unknown { input } => format!("「{input}」に該当する地方が見つかりません。"),
        }
    }
}

impl_domain_error!(RegionError);

impl Region {
    /// All nine regions, north to south.
    pub const ALL: [Region; 9] = [
        Region::Hokkaido,
        Region::Tohoku,
        Region::Kanto,
        Region::Hokuriku,
        Region::Chubu,
        Region::Kinki,
        Region::Chugoku,
        Region::Shikoku,
        Region::KyushuOkinawa,
    ];

    /// All nine regions, north to south.
    pub fn all() -> &'static [Region] {
        &Self::ALL
    }

    /// JIS numbers of the member prefectures; they are contiguous.
    fn numbers(self) -> std::ops::RangeInclusive<u8> {
        match self {
            Region::Hokkaido => 1..=1,
            Region::Tohoku => 2..=7,
            Region::Kanto => 8..=14,
            Region::Hokuriku => 15..=18,
            Region::Chubu => 19..=23,
            Region::Kinki => 24..=30,
            Region::Chugoku => 31..=35,
            Region::Shikoku => 36..=39,
            Region::KyushuOkinawa => 40..=47,
        }
    }

    /// The member prefectures in code order.
    pub fn prefectures(self) -> &'static [Prefecture] {
        let numbers = self.numbers();
        &Prefecture::ALL[usize::from(*numbers.start()) - 1..usize::from(*numbers.end())]
    }

    /// Stable code, e.g. "kanto", "kyushu_okinawa".
    pub fn code(self) -> &'static str {
        match self {
            Region::Hokkaido => "hokkaido",
            Region::Tohoku => "tohoku",
            Region::Kanto => "kanto",
            Region::Hokuriku => "hokuriku",
            Region::Chubu => "chubu",
            Region::Kinki => "kinki",
            Region::Chugoku => "chugoku",
            Region::Shikoku => "shikoku",
            Region::KyushuOkinawa => "kyushu_okinawa",
        }
    }

    /// Same as [`Region::code`].
    pub fn as_str(&self) -> &'static str {
        self.code()
    }

    /// Japanese name, e.g. 関東.
    pub fn name_ja(self) -> &'static str {
        match self {
            Region::Hokkaido => "北海道",
            Region::Tohoku => "東北",
            Region::Kanto => "関東",
            Region::Hokuriku => "北陸",
            Region::Chubu => "中部",
            Region::Kinki => "近畿",
            Region::Chugoku => "中国",
            Region::Shikoku => "四国",
            Region::KyushuOkinawa => "九州・沖縄",
        }
    }

    /// Hiragana reading, e.g. かんとう.
    pub fn kana(self) -> &'static str {
        match self {
            Region::Hokkaido => "ほっかいどう",
            Region::Tohoku => "とうほく",
            Region::Kanto => "かんとう",
            Region::Hokuriku => "ほくりく",
            Region::Chubu => "ちゅうぶ",
            Region::Kinki => "きんき",
            Region::Chugoku => "ちゅうごく",
            Region::Shikoku => "しこく",
            Region::KyushuOkinawa => "きゅうしゅう・おきなわ",
        }
    }

    /// English name, e.g. Kanto.
    pub fn name_en(self) -> &'static str {
        match self {
            Region::Hokkaido => "Hokkaido",
            Region::Tohoku => "Tohoku",
            Region::Kanto => "Kanto",
            Region::Hokuriku => "Hokuriku",
            Region::Chubu => "Chubu",
            Region::Kinki => "Kinki",
            Region::Chugoku => "Chugoku",
            Region::Shikoku => "Shikoku",
            Region::KyushuOkinawa => "Kyushu-Okinawa",
        }
    }

    /// Parses a code ("kyushu_okinawa"), Japanese name ("九州・沖縄"),
    /// reading or English name (any ASCII case).
    pub fn parse(input: &str) -> Result<Self, RegionError> {
        let s = text::normalize(input);
        if s.is_empty() {
            return Err(RegionError::Empty);
        }
        Self::ALL
            .into_iter()
            .find(|r| {
                r.code().eq_ignore_ascii_case(&s)
                    || r.name_ja() == s
                    || r.kana() == s
                    || r.name_en().eq_ignore_ascii_case(&s)
            })
            .ok_or(RegionError::Unknown { input: s })
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl_string_conversions!(Region, RegionError);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    #[test]
    fn there_are_47_distinct_prefectures_in_code_order() {
        let all = Prefecture::all();
        assert_eq!(all.len(), 47);
        let codes: HashSet<_> = all.iter().map(|p| p.code()).collect();
        let names: HashSet<_> = all.iter().map(|p| p.name_ja()).collect();
        let kana: HashSet<_> = all.iter().map(|p| p.kana()).collect();
        let english: HashSet<_> = all.iter().map(|p| p.name_en()).collect();
        let short: HashSet<_> = all.iter().map(|p| p.short_name()).collect();
        for set_len in [
            codes.len(),
            names.len(),
            kana.len(),
            english.len(),
            short.len(),
        ] {
            assert_eq!(set_len, 47);
        }
        for (i, p) in all.iter().enumerate() {
            assert_eq!(usize::from(p.number()), i + 1);
            assert_eq!(p.code(), format!("{:02}", i + 1));
        }
        assert_eq!(Prefecture::Hokkaido.code(), "01");
        assert_eq!(Prefecture::Okinawa.code(), "47");
    }

    #[test]
    fn table_spot_checks() {
        let t = Prefecture::Tokyo;
        assert_eq!(
            (t.code(), t.name_ja(), t.kana(), t.name_en()),
            ("13", "東京都", "とうきょうと", "Tokyo")
        );
        assert_eq!(Prefecture::Kyoto.name_ja(), "京都府");
        assert_eq!(Prefecture::Osaka.name_ja(), "大阪府");
        assert_eq!(Prefecture::Kanagawa.name_ja(), "神奈川県");
        assert_eq!(Prefecture::Wakayama.code(), "30");
        assert_eq!(Prefecture::Kagoshima.name_ja(), "鹿児島県");
        assert!(Prefecture::all().iter().all(|p| {
            p.kana()
                .chars()
                .all(|c| ('\u{3041}'..='\u{309F}').contains(&c))
        }));
    }

    #[test]
    fn region_membership() {
        let counts: Vec<usize> = Region::all()
            .iter()
            .map(|r| r.prefectures().len())
            .collect();
        assert_eq!(counts, [1, 6, 7, 4, 5, 7, 5, 4, 8]);
        for r in Region::all() {
            for p in r.prefectures() {
                assert_eq!(p.region(), *r);
            }
        }
        assert_eq!(Prefecture::Niigata.region(), Region::Hokuriku);
        assert_eq!(Prefecture::Aichi.region(), Region::Chubu);
        assert_eq!(Prefecture::Mie.region(), Region::Kinki);
        assert_eq!(Prefecture::Okinawa.region(), Region::KyushuOkinawa);
        assert_eq!(Region::Kanto.prefectures()[0], Prefecture::Ibaraki);
    }

    #[test]
    fn parses_codes_and_names() {
        for input in [
            "13",
            "１３",
            " 13 ",
            "東京都",
            "東京",
            "とうきょうと",
            "Tokyo",
            "tokyo",
            "TOKYO",
        ] {
            assert_eq!(Prefecture::parse(input), Ok(Prefecture::Tokyo), "{input}");
        }
        assert_eq!(Prefecture::parse("京都"), Ok(Prefecture::Kyoto));
        assert_eq!(Prefecture::parse("北海道"), Ok(Prefecture::Hokkaido));
        assert_eq!(Prefecture::parse("01"), Ok(Prefecture::Hokkaido));
        assert_eq!(Prefecture::try_from(47u8), Ok(Prefecture::Okinawa));
    }

    #[test]
    fn rejects_unknown() {
        assert_eq!(Prefecture::parse(""), Err(PrefectureError::Empty));
        for code in ["00", "48", "1", "013", "99"] {
            assert!(
                matches!(
                    Prefecture::parse(code),
                    Err(PrefectureError::UnknownCode { .. })
                ),
                "{code}"
            );
        }
        for name in ["東京府", "Edo", "北海", "県"] {
            assert!(
                matches!(
                    Prefecture::parse(name),
                    Err(PrefectureError::UnknownName { .. })
                ),
                "{name}"
            );
        }
        assert!(Prefecture::try_from(0u8).is_err());
        assert_eq!(
            Prefecture::parse("48").unwrap_err().code(),
            "prefecture_unknown_code"
        );
    }

    #[test]
    fn regions_parse_and_display() {
        for r in Region::all() {
            assert_eq!(Region::parse(r.code()), Ok(*r));
            assert_eq!(Region::parse(r.name_ja()), Ok(*r));
            assert_eq!(Region::parse(r.kana()), Ok(*r));
            assert_eq!(Region::parse(r.name_en()), Ok(*r));
            assert_eq!(r.to_string().parse::<Region>(), Ok(*r));
        }
        assert_eq!(Region::parse("KANTO"), Ok(Region::Kanto));
        assert_eq!(Region::KyushuOkinawa.code(), "kyushu_okinawa");
        assert!(matches!(
            Region::parse("関西"),
            Err(RegionError::Unknown { .. })
        ));
    }

    proptest! {
        #[test]
        fn round_trips(number in 1u8..=47) {
            let p = Prefecture::from_number(number).unwrap();
            prop_assert_eq!(p.number(), number);
            prop_assert_eq!(Prefecture::parse(p.code()), Ok(p));
            prop_assert_eq!(p.to_string().parse::<Prefecture>(), Ok(p));
            prop_assert_eq!(Prefecture::parse(p.name_ja()), Ok(p));
            prop_assert_eq!(Prefecture::parse(p.kana()), Ok(p));
            prop_assert_eq!(Prefecture::parse(p.name_en()), Ok(p));
            prop_assert_eq!(Prefecture::parse(&p.name_en().to_lowercase()), Ok(p));
            prop_assert_eq!(Prefecture::try_from(String::from(p)), Ok(p));
            prop_assert!(p.region().prefectures().contains(&p));
        }
    }
}
