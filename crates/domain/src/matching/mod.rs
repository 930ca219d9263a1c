//! マッチング: how well a supplier fits a tender, and why.
//!
//! The rules only; the callers bring the facts. A service builds one
//! [`TenderProfile`] per tender and one [`SupplierProfile`] per supplier
//! (registered facts and a [`History`] of past participations and awards per
//! field), asks the search index for the text relevance of the pair, and
//! then either
//! - ranks suppliers for a tender with [`top_k`] (おすすめ企業), or
//! - ranks tenders for a supplier (おすすめ案件, the daily digest) by feeding
//!   [`points`] into a [`TopK`] keyed by tender id, then [`score`] for the
//!   kept ones.
//!
//! **An ineligible supplier is never matched**: [`points`] and [`score`]
//! answer `None` unless the supplier meets the tender's [`Eligibility`]
//! (the same rule as [`Eligibility::check`], compiled into masks). They
//! also answer `None` for an eligible supplier with nothing in common with
//! the work — no JSIC code on a shared division, no relevant text, no
//! history in the field — since being nearby alone is no reason to
//! recommend anyone.
//!
//! Points are integers, so rankings are exact and the same on every machine;
//! the text relevance is turned into integer points once, on the way in.
//! Scoring one pair allocates nothing; only [`score`] builds the reasons.
//!
//! [`Eligibility`]: crate::tender::Eligibility
//! [`Eligibility::check`]: crate::tender::Eligibility::check

mod profile;
mod reason;
mod select;

pub use profile::{History, SupplierProfile, TenderProfile};
pub use reason::Reason;
pub use select::TopK;

use std::cmp::Reverse;

use crate::jsic::JsicLevel;

// The weights. Each component's best exceeds the next one's, in the order
// the rules rank them: industry > location > text > history. One step of
// JSIC closeness (100) outweighs any single lower component, but not all of
// them together: a local supplier whose capabilities fit can overtake a
// distant one a level closer in the classification, which is what a
// buyer looking for a contractor would do.

/// Same 細分類 (4 digits): the supplier makes exactly this.
pub const SAME_INDUSTRY_POINTS: u32 = 400;
/// Same 小分類 (3 digits).
pub const SAME_INDUSTRY_GROUP_POINTS: u32 = 300;
/// Same 中分類 (2 digits).
pub const SAME_MAJOR_GROUP_POINTS: u32 = 200;
/// Same 大分類 only: related trade, e.g. two kinds of manufacturing.
pub const SAME_DIVISION_POINTS: u32 = 100;

/// In the prefecture of the 履行場所: no travel, local knowledge, and often
/// the buyer's own 地元 preference.
pub const SAME_PREFECTURE_POINTS: u32 = 80;
/// In the region of the 履行場所.
pub const SAME_REGION_POINTS: u32 = 40;

/// Text relevance 1.0 (the best BM25 match) is worth this; it scales
/// linearly. Below an industry step, because words can match by accident
/// where a registered code cannot.
pub const TEXT_RELEVANCE_POINTS: u32 = 60;
/// Text points from which the reason is shown (relevance ≥ 1/3): a few
/// shared words are not "capabilities match".
pub const TEXT_REASON_MIN_POINTS: u32 = 20;

/// Per step of past bids or applications in the field. Steps grow with the
/// logarithm of the count (1, 2–3, 4–7, 8+): the first bids say the most
/// about a supplier's interest, the fiftieth little more than the tenth.
pub const PAST_BID_STEP_POINTS: u32 = 4;
/// Per step of past awards in the field: a won contract proves ability,
/// worth twice a bid.
pub const PAST_AWARD_STEP_POINTS: u32 = 8;
/// Steps counted at most, so history stays the lightest component (at most
/// 4 × 4 + 4 × 8 = 48 points).
pub const HISTORY_STEPS: u32 = 4;

// Each component's best below the one before it, and location's below one
// JSIC step.
const _: () = assert!(SAME_DIVISION_POINTS > SAME_PREFECTURE_POINTS);
const _: () = assert!(SAME_PREFECTURE_POINTS > SAME_REGION_POINTS);
const _: () = assert!(SAME_PREFECTURE_POINTS > TEXT_RELEVANCE_POINTS);
const _: () = assert!(
    TEXT_RELEVANCE_POINTS > HISTORY_STEPS * (PAST_BID_STEP_POINTS + PAST_AWARD_STEP_POINTS)
);

/// A supplier matched with a tender: its points and the reasons for them,
/// strongest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub points: u32,
    pub reasons: Vec<Reason>,
}

/// Everything a pair's points are made of; `Copy`, so scoring allocates
/// nothing, and [`score`] explains exactly what [`points`] counted.
#[derive(Debug, Clone, Copy)]
struct Tally {
    /// Digits shared by the closest codes (0..=4) and the index of the
    /// tender's code in that pair; `None` without a shared division.
    industry: Option<(u8, usize)>,
    location: Location,
    text: u32,
    bids: u32,
    awards: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Location {
    Prefecture,
    Region,
    Nationwide,
    EligibleArea,
}

fn industry_level(shared_digits: u8) -> JsicLevel {
    match shared_digits {
        4 => JsicLevel::Industry,
        3 => JsicLevel::Group,
        2 => JsicLevel::MajorGroup,
        // One shared digit ("10" and "12") is no level of the classification.
        _ => JsicLevel::Division,
    }
}

fn industry_points(level: JsicLevel) -> u32 {
    match level {
        JsicLevel::Industry => SAME_INDUSTRY_POINTS,
        JsicLevel::Group => SAME_INDUSTRY_GROUP_POINTS,
        JsicLevel::MajorGroup => SAME_MAJOR_GROUP_POINTS,
        JsicLevel::Division => SAME_DIVISION_POINTS,
    }
}

fn location_points(location: Location) -> u32 {
    match location {
        Location::Prefecture => SAME_PREFECTURE_POINTS,
        Location::Region => SAME_REGION_POINTS,
        // Every eligible supplier is at least here: it orders nothing.
        Location::Nationwide | Location::EligibleArea => 0,
    }
}

/// Text relevance (0.0..=1.0; out of range and NaN are clamped, NaN to 0)
/// as integer points, rounded to nearest.
pub fn text_points(relevance: f32) -> u32 {
    if relevance.is_nan() || relevance <= 0.0 {
        0
    } else if relevance >= 1.0 {
        TEXT_RELEVANCE_POINTS
    } else {
        (relevance * TEXT_RELEVANCE_POINTS as f32).round() as u32
    }
}

/// Steps of a count: 0 for none, then 1, 2–3, 4–7, 8+ → 1, 2, 3, 4.
fn history_steps(count: u32) -> u32 {
    (u32::BITS - count.leading_zeros()).min(HISTORY_STEPS)
}

impl Tally {
    #[inline]
    fn of(tender: &TenderProfile, supplier: &SupplierProfile, relevance: f32) -> Option<Self> {
        if !tender.admits(supplier) {
            return None;
        }
        let mut industry: Option<(u8, usize)> = None;
        'codes: for (i, t) in tender.packed.iter().enumerate() {
            for s in &supplier.packed {
                if let Some(shared) = t.shared_digits(*s) {
                    // Deeper wins; 0 and 1 shared digits are both 大分類.
                    let shared = shared.max(1);
                    if industry.is_none_or(|(best, _)| shared > best) {
                        industry = Some((shared, i));
                        if shared == 4 {
                            break 'codes;
                        }
                    }
                }
            }
        }
        let prefecture = supplier.prefecture();
        let location = if tender.place() == Some(prefecture) {
            Location::Prefecture
        } else if tender.place_region == Some(supplier.region) {
            Location::Region
        } else if tender.nationwide {
            Location::Nationwide
        } else {
            Location::EligibleArea
        };
        let (bids, awards) = supplier.history().in_field_of(tender);
        let tally = Self {
            industry,
            location,
            text: text_points(relevance),
            bids,
            awards,
        };
        tally.fits().then_some(tally)
    }

    /// Something in common with the work itself, beyond being allowed in.
    fn fits(&self) -> bool {
        self.industry.is_some()
            || self.text >= TEXT_REASON_MIN_POINTS
            || self.bids > 0
            || self.awards > 0
    }

    fn industry_points(&self) -> u32 {
        self.industry
            .map_or(0, |(shared, _)| industry_points(industry_level(shared)))
    }

    fn bid_points(&self) -> u32 {
        history_steps(self.bids) * PAST_BID_STEP_POINTS
    }

    fn award_points(&self) -> u32 {
        history_steps(self.awards) * PAST_AWARD_STEP_POINTS
    }

    fn points(&self) -> u32 {
        self.industry_points()
            + location_points(self.location)
            + self.text
            + self.bid_points()
            + self.award_points()
    }

    fn reasons(&self, tender: &TenderProfile, supplier: &SupplierProfile) -> Vec<Reason> {
        let mut scored: Vec<(u32, Reason)> = Vec::with_capacity(5);
        if let Some((shared, i)) = self.industry {
            let level = industry_level(shared);
            // The deepest code both sides share: the tender's, cut to it.
            let mut code = tender.jsic()[i];
            while code.level() > level {
                code = code.parent().unwrap_or(code);
            }
            scored.push((self.industry_points(), Reason::Industry { code }));
        }
        let prefecture = supplier.prefecture();
        let location = match self.location {
            Location::Prefecture => Reason::SamePrefecture { prefecture },
            Location::Region => Reason::SameRegion {
                region: supplier.region,
            },
            Location::Nationwide => Reason::OpenNationwide,
            Location::EligibleArea => Reason::WithinEligibleArea,
        };
        scored.push((location_points(self.location), location));
        if self.text >= TEXT_REASON_MIN_POINTS {
            scored.push((self.text, Reason::TextRelevance));
        }
        if self.awards > 0 {
            let count = self.awards;
            scored.push((self.award_points(), Reason::PastAwards { count }));
        }
        if self.bids > 0 {
            let count = self.bids;
            scored.push((self.bid_points(), Reason::PastBids { count }));
        }
        // Stable: equal points keep the order above (industry first).
        scored.sort_by_key(|(points, _)| Reverse(*points));
        scored.into_iter().map(|(_, reason)| reason).collect()
    }
}

/// The points of a supplier for a tender, without the reasons: the hot path
/// of every ranking (no allocation). `None` when [`score`] would be `None`.
///
/// `relevance` is the tender text's relevance to the supplier's
/// capabilities and catalogue, a BM25-derived number in 0.0..=1.0.
#[inline]
pub fn points(tender: &TenderProfile, supplier: &SupplierProfile, relevance: f32) -> Option<u32> {
    Tally::of(tender, supplier, relevance).map(|t| t.points())
}

/// The points of a supplier for a tender and why; `None` if the supplier is
/// not eligible or has nothing in common with the work (see the module
/// docs).
pub fn score(tender: &TenderProfile, supplier: &SupplierProfile, relevance: f32) -> Option<Match> {
    Tally::of(tender, supplier, relevance).map(|t| Match {
        points: t.points(),
        reasons: t.reasons(tender, supplier),
    })
}

/// The best `k` suppliers for `tender` among `candidates` — `(supplier id,
/// profile, text relevance)` — by points, ties by id ascending; with their
/// reasons. Reasons are built only for the `k` kept.
pub fn top_k<'a>(
    tender: &TenderProfile,
    candidates: impl IntoIterator<Item = (i64, &'a SupplierProfile, f32)>,
    k: usize,
) -> Vec<(i64, Match)> {
    let mut top = TopK::new(k);
    for (id, supplier, relevance) in candidates {
        if let Some(points) = points(tender, supplier, relevance) {
            top.offer(points, id, (supplier, relevance));
        }
    }
    // `score` is `Some` wherever `points` was: both come from one `Tally`.
    top.into_sorted()
        .into_iter()
        .filter_map(|(_, id, (supplier, relevance))| {
            score(tender, supplier, relevance).map(|m| (id, m))
        })
        .collect()
}

#[cfg(test)]
mod tests;
