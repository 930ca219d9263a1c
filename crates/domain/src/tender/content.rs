//! What a buyer writes about a tender: its content, as one value that is
//! versioned as a whole (訂正 keeps every version).
//!
//! The types here hold checked parts (codes, amounts, a [`Schedule`]); the
//! service checks the free text and the schedule before it builds one.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::eligibility::Eligibility;
use super::kind::{AwardMethod, Category, ContractMethod, ReservePricePublication, TenderKind};
use super::schedule::Schedule;
use crate::jsic::JsicCode;
use crate::money::TaxExclusive;
use crate::municipality::MunicipalityCode;
use crate::prefecture::Prefecture;

/// Longest 件名, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest 概要, in characters.
pub const MAX_SUMMARY_CHARS: usize = 20_000;

/// 履行場所: where the work is done or the goods delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Place {
    /// Anywhere / remote (オンライン).
    Online,
    Prefecture {
        prefecture: Prefecture,
    },
    /// A municipality; its prefecture is the code's first two digits.
    Municipality {
        municipality: MunicipalityCode,
    },
}

impl Place {
    /// The prefecture the place lies in (for filters), `None` when online.
    pub fn prefecture(&self) -> Option<Prefecture> {
        match self {
            Place::Online => None,
            Place::Prefecture { prefecture } => Some(*prefecture),
            Place::Municipality { municipality } => {
                Prefecture::parse(&municipality.as_str()[..2]).ok()
            }
        }
    }
}

/// 問い合わせ先.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// 担当部署.
    pub department: String,
    /// 担当者.
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

/// Everything about a tender that its buyer writes and may amend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenderContent {
    pub kind: TenderKind,
    /// 件名.
    pub title: String,
    /// 概要: plain text with paragraphs and "・" / "- " lists; rendered
    /// escaped, never as HTML.
    pub summary: String,
    pub category: Category,
    #[serde(default)]
    pub jsic: Vec<JsicCode>,
    pub place: Place,
    /// 履行場所の詳細 (building, room), optional.
    #[serde(default)]
    pub place_detail: String,
    /// 履行期間.
    #[serde(default)]
    pub performance_start: Option<NaiveDate>,
    #[serde(default)]
    pub performance_end: Option<NaiveDate>,
    pub method: ContractMethod,
    #[serde(default)]
    pub eligibility: Eligibility,
    pub schedule: Schedule,
    /// 予定価格 (税抜).
    #[serde(default)]
    pub reserve_price: Option<TaxExclusive>,
    pub reserve_price_publication: ReservePricePublication,
    /// 最低制限価格 (税抜); never public before opening.
    #[serde(default)]
    pub minimum_price: Option<TaxExclusive>,
    pub award_method: AwardMethod,
    pub contact: Contact,
}

impl TenderContent {
    /// Fields whose values differ between two versions, by their form and
    /// JSON names (for the 訂正 history).
    pub fn changed_fields(&self, other: &TenderContent) -> Vec<&'static str> {
        let s = &self.schedule;
        let o = &other.schedule;
        let checks: [(&'static str, bool); 23] = [
            ("kind", self.kind != other.kind),
            ("title", self.title != other.title),
            ("summary", self.summary != other.summary),
            ("category", self.category != other.category),
            ("jsic", self.jsic != other.jsic),
            ("place", self.place != other.place),
            ("place_detail", self.place_detail != other.place_detail),
            (
                "performance_start",
                self.performance_start != other.performance_start,
            ),
            (
                "performance_end",
                self.performance_end != other.performance_end,
            ),
            ("method", self.method != other.method),
            ("eligibility", self.eligibility != other.eligibility),
            ("publish_at", s.publish_at != o.publish_at),
            (
                "application_opens_at",
                s.application_opens_at != o.application_opens_at,
            ),
            (
                "application_closes_at",
                s.application_closes_at != o.application_closes_at,
            ),
            ("questions_until", s.questions_until != o.questions_until),
            (
                "submission_opens_at",
                s.submission_opens_at != o.submission_opens_at,
            ),
            (
                "submission_closes_at",
                s.submission_closes_at != o.submission_closes_at,
            ),
            ("opening_at", s.opening_at != o.opening_at),
            ("reserve_price", self.reserve_price != other.reserve_price),
            (
                "reserve_price_publication",
                self.reserve_price_publication != other.reserve_price_publication,
            ),
            ("minimum_price", self.minimum_price != other.minimum_price),
            ("award_method", self.award_method != other.award_method),
            ("contact", self.contact != other.contact),
        ];
        checks
            .into_iter()
            .filter(|(_, changed)| *changed)
            .map(|(name, _)| name)
            .collect()
    }

    /// Whether `other` moves any deadline or window of this version (the
    /// change people who take part must hear about).
    pub fn moves_deadline(&self, other: &TenderContent) -> bool {
        let s = &self.schedule;
        let o = &other.schedule;
        s.application_opens_at != o.application_opens_at
            || s.application_closes_at != o.application_closes_at
            || s.questions_until != o.questions_until
            || s.submission_opens_at != o.submission_opens_at
            || s.submission_closes_at != o.submission_closes_at
            || s.opening_at != o.opening_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn municipality_place_lies_in_its_prefecture() {
        let place = Place::Municipality {
            municipality: MunicipalityCode::parse("131016").unwrap(),
        };
        assert_eq!(place.prefecture(), Some(Prefecture::parse("13").unwrap()));
        assert_eq!(Place::Online.prefecture(), None);
    }
}
