//! Why a supplier and a tender were matched, as the UI and the API show it.

use crate::jsic::{JsicCode, JsicLevel};
use crate::prefecture::{Prefecture, Region};

/// One reason a supplier was recommended for a tender (or a tender to a
/// supplier). A [`super::Match`] lists them strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The closest JSIC codes of the two sides agree down to `code`, the
    /// deepest code they share (its level: 細分類, 小分類, 中分類 or 大分類).
    Industry { code: JsicCode },
    /// The supplier is in the prefecture of the 履行場所.
    SamePrefecture { prefecture: Prefecture },
    /// The supplier is in the region (地方) of the 履行場所.
    SameRegion { region: Region },
    /// Elsewhere, but the tender is open to suppliers nationwide.
    OpenNationwide,
    /// Elsewhere, inside the area the tender's 所在地要件 admits.
    WithinEligibleArea,
    /// The tender text is relevant to the supplier's capabilities and
    /// catalogue.
    TextRelevance,
    /// Past awards (受注) in the tender's field.
    PastAwards { count: u32 },
    /// Past bids or applications in the tender's field.
    PastBids { count: u32 },
}

impl Reason {
    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Industry { code } => match code.level() {
                JsicLevel::Industry => "same_industry",
                JsicLevel::Group => "same_industry_group",
                JsicLevel::MajorGroup => "same_major_group",
                JsicLevel::Division => "same_division",
            },
            Self::SamePrefecture { .. } => "same_prefecture",
            Self::SameRegion { .. } => "same_region",
            Self::OpenNationwide => "open_nationwide",
            Self::WithinEligibleArea => "within_eligible_area",
            Self::TextRelevance => "text_relevance",
            Self::PastAwards { .. } => "past_awards",
            Self::PastBids { .. } => "past_bids",
        }
    }

    /// The label in the Japanese UI, e.g. 同じ細分類（0921）, 東京都内.
    pub fn label_ja(&self) -> String {
        match self {
            Self::Industry { code } => match code.level() {
                // Only divisions have names in the crate (see `jsic`).
                JsicLevel::Division => {
                    format!("同じ大分類（{} {}）", code, code.division().name_ja())
                }
                level => format!("同じ{}（{}）", level.name_ja(), code),
            },
            Self::SamePrefecture { prefecture } => format!("{}内", prefecture.name_ja()),
            Self::SameRegion { region } => format!("{}地方", region.name_ja()),
            Self::OpenNationwide => "全国から参加可".to_owned(),
            Self::WithinEligibleArea => "参加可能地域内".to_owned(),
            Self::TextRelevance => "事業内容が案件の内容と合致".to_owned(),
            Self::PastAwards { count } => format!("同分野での受注実績 {count}件"),
            Self::PastBids { count } => format!("同分野での入札実績 {count}件"),
        }
    }

    /// The label in the English UI, e.g. "Same detailed industry (0921)".
    pub fn label_en(&self) -> String {
        match self {
            Self::Industry { code } => match code.level() {
                JsicLevel::Industry => format!("Same detailed industry ({code})"),
                JsicLevel::Group => format!("Same industry group ({code})"),
                JsicLevel::MajorGroup => format!("Same major industry group ({code})"),
                JsicLevel::Division => format!(
                    "Same industry division ({code}: {})",
                    code.division().name_en()
                ),
            },
            Self::SamePrefecture { prefecture } => format!("In {}", prefecture.name_en()),
            Self::SameRegion { region } => format!("In the {} region", region.name_en()),
            Self::OpenNationwide => "Open nationwide".to_owned(),
            Self::WithinEligibleArea => "Within the eligible area".to_owned(),
            Self::TextRelevance => "Capabilities match the tender text".to_owned(),
            Self::PastAwards { count } => {
                format!("{count} past award{} in this field", plural(*count))
            }
            Self::PastBids { count } => format!("{count} past bid{} in this field", plural(*count)),
        }
    }
}

fn plural(count: u32) -> &'static str {
    if count == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn industry(code: &str) -> Reason {
        Reason::Industry {
            code: JsicCode::parse(code).unwrap(),
        }
    }

    #[test]
    fn labels_in_both_languages() {
        let cases = [
            (
                industry("0921"),
                "same_industry",
                "同じ細分類（0921）",
                "Same detailed industry (0921)",
            ),
            (
                industry("092"),
                "same_industry_group",
                "同じ小分類（092）",
                "Same industry group (092)",
            ),
            (
                industry("09"),
                "same_major_group",
                "同じ中分類（09）",
                "Same major industry group (09)",
            ),
            (
                industry("E"),
                "same_division",
                "同じ大分類（E 製造業）",
                "Same industry division (E: Manufacturing)",
            ),
            (
                Reason::SamePrefecture {
                    prefecture: Prefecture::Tokyo,
                },
                "same_prefecture",
                "東京都内",
                "In Tokyo",
            ),
            (
                Reason::SameRegion {
                    region: Region::Kanto,
                },
                "same_region",
                "関東地方",
                "In the Kanto region",
            ),
            (
                Reason::SameRegion {
                    region: Region::KyushuOkinawa,
                },
                "same_region",
                "九州・沖縄地方",
                "In the Kyushu-Okinawa region",
            ),
            (
                Reason::OpenNationwide,
                "open_nationwide",
                "全国から参加可",
                "Open nationwide",
            ),
            (
                Reason::WithinEligibleArea,
                "within_eligible_area",
                "参加可能地域内",
                "Within the eligible area",
            ),
            (
                Reason::TextRelevance,
                "text_relevance",
                "事業内容が案件の内容と合致",
                "Capabilities match the tender text",
            ),
            (
                Reason::PastBids { count: 3 },
                "past_bids",
                "同分野での入札実績 3件",
                "3 past bids in this field",
            ),
            (
                Reason::PastBids { count: 1 },
                "past_bids",
                "同分野での入札実績 1件",
                "1 past bid in this field",
            ),
            (
                Reason::PastAwards { count: 1 },
                "past_awards",
                "同分野での受注実績 1件",
                "1 past award in this field",
            ),
            (
                Reason::PastAwards { count: 2 },
                "past_awards",
                "同分野での受注実績 2件",
                "2 past awards in this field",
            ),
        ];
        for (reason, code, ja, en) in cases {
            assert_eq!(reason.code(), code, "{reason:?}");
            assert_eq!(reason.label_ja(), ja, "{reason:?}");
            assert_eq!(reason.label_en(), en, "{reason:?}");
        }
    }
}
