//! What matching reads of a tender and of a supplier, each compiled once into
//! a form that makes scoring one pair a handful of integer operations.
//!
//! A service loads a tender once and scores it against up to 100,000
//! suppliers (and a digest scores 5,000 tenders against each supplier), so
//! everything that depends on one side only — bit masks of the eligible area,
//! grades and certifications, packed JSIC codes, the fields a history entry
//! counts in — is computed in the constructors, never per pair.

use crate::jsic::{JsicCode, JsicLevel};
use crate::organization::{Certification, Grade, GradeCategory};
use crate::prefecture::{Prefecture, Region};
use crate::tender::{Category, Eligibility, SupplierFacts, TenderContent};

/// A JSIC code as three small integers, so that how deep two codes agree is
/// one XOR and a leading-zero count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Packed {
    division: u8,
    /// Number of digits, 0 (division) or 2..=4.
    len: u8,
    /// The digits as nibbles, the first one in the top nibble; unused
    /// nibbles are 0 and never compared (see [`Packed::shared_digits`]).
    nibbles: u16,
}

impl Packed {
    fn new(code: &JsicCode) -> Self {
        let mut nibbles = 0u16;
        let digits = match code.level() {
            JsicLevel::Division => "",
            _ => code.as_str(),
        };
        for (i, d) in digits.bytes().enumerate() {
            nibbles |= u16::from(d - b'0') << (12 - 4 * i);
        }
        Self {
            division: code.division() as u8,
            len: digits.len() as u8,
            nibbles,
        }
    }

    /// How many leading digits the two codes share (0..=4), or `None` if
    /// they lie in different divisions. Never more than the shorter code has.
    #[inline]
    pub(super) fn shared_digits(self, other: Self) -> Option<u8> {
        if self.division != other.division {
            return None;
        }
        let same = ((self.nibbles ^ other.nibbles).leading_zeros() / 4) as u8;
        Some(same.min(self.len).min(other.len))
    }

    /// Whether one code contains the other ([`JsicCode::contains`] either
    /// way round), the rule of the 業種要件.
    #[inline]
    fn on_one_branch(self, other: Self) -> bool {
        self.shared_digits(other) == Some(self.len.min(other.len))
    }

    /// The history field this code counts in (see [`History`]).
    fn field(self) -> u8 {
        if self.len == 0 {
            DIVISION_FIELDS + self.division
        } else {
            (self.nibbles >> 12) as u8 * 10 + ((self.nibbles >> 8) & 0xF) as u8
        }
    }
}

/// History fields 1..=99 are 中分類; a history entry recorded against a bare
/// division goes to `DIVISION_FIELDS + division` (100..=119). Fits a `u128`.
const DIVISION_FIELDS: u8 = 100;

fn grade_bit(grade: Grade) -> u8 {
    1 << grade as u8
}

fn certification_bit(certification: Certification) -> u16 {
    1 << certification as u16
}

fn prefecture_bit(prefecture: Prefecture) -> u64 {
    1 << prefecture.number()
}

const ALL_PREFECTURES: u64 = ((1u64 << 47) - 1) << 1;

/// What matching needs from a tender: its JSIC codes, where it is performed,
/// its category (for grades) and its 参加資格.
///
/// Built once per tender ([`TenderProfile::new`] or `From<&TenderContent>`);
/// the eligibility rules are compiled into masks here so that the check per
/// supplier allocates nothing. The compiled check is proven equal to
/// [`Eligibility::check`] by a property test.
#[derive(Debug, Clone)]
pub struct TenderProfile {
    jsic: Vec<JsicCode>,
    place: Option<Prefecture>,
    category: Category,
    eligibility: Eligibility,
    pub(super) packed: Vec<Packed>,
    pub(super) place_region: Option<Region>,
    pub(super) nationwide: bool,
    /// Prefectures admitted by the location requirement (all when nationwide).
    area: u64,
    /// Grades admitted in `category`; 0: no grade requirement.
    grades: u8,
    certifications: u16,
    industries: Vec<Packed>,
    /// History fields that lie on a branch with one of the tender's codes.
    fields: u128,
}

impl TenderProfile {
    /// `place` is the prefecture the work is done in, `None` for online.
    pub fn new(
        jsic: Vec<JsicCode>,
        place: Option<Prefecture>,
        category: Category,
        eligibility: Eligibility,
    ) -> Self {
        let packed: Vec<Packed> = jsic.iter().map(Packed::new).collect();
        let area = if eligibility.is_nationwide() {
            ALL_PREFECTURES
        } else {
            eligibility
                .prefectures
                .iter()
                .copied()
                .chain(
                    eligibility
                        .regions
                        .iter()
                        .flat_map(|r| r.prefectures().iter().copied()),
                )
                .fold(0, |mask, p| mask | prefecture_bit(p))
        };
        let grades = eligibility
            .grades
            .iter()
            .fold(0, |mask, g| mask | grade_bit(*g));
        let certifications = eligibility
            .certifications
            .iter()
            .fold(0, |mask, c| mask | certification_bit(*c));
        let industries = eligibility.jsic.iter().map(Packed::new).collect();
        let mut fields = 0u128;
        for (code, p) in jsic.iter().zip(&packed) {
            fields |= 1 << (DIVISION_FIELDS + p.division);
            if p.len == 0 {
                // A tender coded only by division takes history from every
                // 中分類 under it.
                for major_group in code.division().major_groups() {
                    fields |= 1 << major_group;
                }
            } else {
                fields |= 1 << p.field();
            }
        }
        Self {
            jsic,
            place,
            place_region: place.map(Prefecture::region),
            nationwide: eligibility.is_nationwide(),
            category,
            eligibility,
            packed,
            area,
            grades,
            certifications,
            industries,
            fields,
        }
    }

    pub fn jsic(&self) -> &[JsicCode] {
        &self.jsic
    }

    /// The prefecture of the 履行場所, `None` when online.
    pub fn place(&self) -> Option<Prefecture> {
        self.place
    }

    pub fn category(&self) -> Category {
        self.category
    }

    pub fn eligibility(&self) -> &Eligibility {
        &self.eligibility
    }

    /// Whether `supplier` meets every requirement: the same answer as
    /// `self.eligibility().check(self.category(), supplier.facts()).is_ok()`,
    /// without allocating.
    #[inline]
    pub fn admits(&self, supplier: &SupplierProfile) -> bool {
        self.area & supplier.area != 0
            && (self.grades == 0 || self.grades & supplier.grades[self.category as usize] != 0)
            && self.certifications & !supplier.certifications == 0
            && (self.industries.is_empty()
                || self
                    .industries
                    .iter()
                    .any(|r| supplier.packed.iter().any(|own| r.on_one_branch(*own))))
    }

    /// Whether a history entry in `field` counts for this tender.
    #[inline]
    fn counts(&self, field: u8) -> bool {
        self.fields & (1 << field) != 0
    }
}

impl From<&TenderContent> for TenderProfile {
    fn from(content: &TenderContent) -> Self {
        Self::new(
            content.jsic.clone(),
            content.place.prefecture(),
            content.category,
            content.eligibility.clone(),
        )
    }
}

/// A supplier's past participations (申請・入札) and awards (受注), counted
/// per field, so that one history serves every tender it is scored against.
///
/// A field is a 中分類: a past tender counts in the field of each of its
/// codes' 中分類 (once per 中分類, however many of its codes fall there).
/// A past tender coded only by a 大分類 counts in that division's own field.
/// For a tender being matched, the history "in its field" is the largest
/// count over the fields on a branch with one of its codes: the field 09
/// counts for a tender coded 0921, 09 or E, and the bare division E for any
/// tender in E. The largest, not the sum: a past tender recorded under two
/// 中分類 would otherwise count twice for a tender in both.
///
/// The caller computes the counts (e.g. one `GROUP BY` over a supplier's
/// applications and bids): [`History::record`] adds counts for a field,
/// [`History::record_tender`] adds one past tender.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// Sorted by field, one entry per field.
    entries: Vec<FieldCounts>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FieldCounts {
    field: u8,
    participations: u32,
    awards: u32,
}

impl History {
    /// Adds `participations` and `awards` in the field of `code` (its
    /// 中分類; deeper codes are cut to it). Participations include the
    /// awarded ones.
    pub fn record(&mut self, code: &JsicCode, participations: u32, awards: u32) {
        self.add(Packed::new(code).field(), participations, awards);
    }

    fn add(&mut self, field: u8, participations: u32, awards: u32) {
        match self.entries.binary_search_by_key(&field, |e| e.field) {
            Ok(i) => {
                let e = &mut self.entries[i];
                e.participations = e.participations.saturating_add(participations);
                e.awards = e.awards.saturating_add(awards);
            }
            Err(i) => self.entries.insert(
                i,
                FieldCounts {
                    field,
                    participations,
                    awards,
                },
            ),
        }
    }

    /// Adds one past tender the supplier applied to or bid on, with the
    /// tender's codes, and whether the supplier won it.
    pub fn record_tender(&mut self, codes: &[JsicCode], awarded: bool) {
        let mut fields: Vec<u8> = codes.iter().map(|c| Packed::new(c).field()).collect();
        fields.sort_unstable();
        fields.dedup();
        for field in fields {
            self.add(field, 1, u32::from(awarded));
        }
    }

    /// (participations, awards) in the field of `tender`.
    #[inline]
    pub fn in_field_of(&self, tender: &TenderProfile) -> (u32, u32) {
        let mut best = (0, 0);
        for e in &self.entries {
            if tender.counts(e.field) {
                best.0 = best.0.max(e.participations);
                best.1 = best.1.max(e.awards);
            }
        }
        best
    }
}

/// What matching knows of a supplier: its registered facts (所在地, JSIC
/// codes, grades, certifications: the same [`SupplierFacts`] eligibility is
/// checked against) and its [`History`]. Built once per supplier.
#[derive(Debug, Clone)]
pub struct SupplierProfile {
    facts: SupplierFacts,
    history: History,
    pub(super) packed: Vec<Packed>,
    pub(super) region: Region,
    area: u64,
    /// Grades held, as masks, indexed by [`GradeCategory`].
    grades: [u8; 3],
    certifications: u16,
}

impl SupplierProfile {
    pub fn new(facts: SupplierFacts, history: History) -> Self {
        let mut grades = [0; 3];
        for (category, grade) in &facts.grades {
            grades[*category as usize] |= grade_bit(*grade);
        }
        Self {
            packed: facts.jsic.iter().map(Packed::new).collect(),
            region: facts.prefecture.region(),
            area: prefecture_bit(facts.prefecture),
            grades,
            certifications: facts
                .certifications
                .iter()
                .fold(0, |mask, c| mask | certification_bit(*c)),
            facts,
            history,
        }
    }

    pub fn facts(&self) -> &SupplierFacts {
        &self.facts
    }

    pub fn prefecture(&self) -> Prefecture {
        self.facts.prefecture
    }

    pub fn history(&self) -> &History {
        &self.history
    }
}

// The masks index by discriminant: keep them within their integers.
const _: () = assert!(GradeCategory::ALL.len() == 3);
const _: () = assert!(Grade::ALL.len() <= 8);
const _: () = assert!(Certification::ALL.len() <= 16);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(s: &str) -> JsicCode {
        JsicCode::parse(s).unwrap()
    }

    #[test]
    fn packed_codes_share_digits_like_the_classification() {
        let shared = |a: &str, b: &str| Packed::new(&code(a)).shared_digits(Packed::new(&code(b)));
        assert_eq!(shared("0911", "0911"), Some(4));
        assert_eq!(shared("0911", "0912"), Some(3));
        assert_eq!(shared("0911", "0921"), Some(2));
        assert_eq!(shared("0911", "1011"), Some(0));
        assert_eq!(shared("1011", "1211"), Some(1));
        assert_eq!(shared("09", "0911"), Some(2));
        assert_eq!(shared("E", "0911"), Some(0));
        assert_eq!(shared("0911", "0611"), None);
        assert_eq!(shared("D", "E"), None);
        assert_eq!(Packed::new(&code("0921")).field(), 9);
        assert_eq!(Packed::new(&code("99")).field(), 99);
        assert_eq!(Packed::new(&code("T")).field(), DIVISION_FIELDS + 19);
    }

    #[test]
    fn history_counts_per_field_and_takes_the_largest() {
        let mut h = History::default();
        h.record_tender(&[code("0911"), code("0912"), code("1011")], true);
        h.record_tender(&[code("0921")], false);
        h.record(&code("09"), 2, 0);
        h.record_tender(&[code("E")], false);
        let tender = |codes: &[&str]| {
            TenderProfile::new(
                codes.iter().map(|c| code(c)).collect(),
                None,
                Category::Goods,
                Eligibility::default(),
            )
        };
        // 09: the first tender once (two codes in 09), the second, two more.
        assert_eq!(h.in_field_of(&tender(&["0931"])), (4, 1));
        assert_eq!(h.in_field_of(&tender(&["10"])), (1, 1));
        // Not the sum over 09 and 10.
        assert_eq!(h.in_field_of(&tender(&["0931", "1011"])), (4, 1));
        // The bare-division tender counts for anything in E, and a tender
        // coded E takes every 中分類 under it.
        assert_eq!(h.in_field_of(&tender(&["32"])), (1, 0));
        assert_eq!(h.in_field_of(&tender(&["E"])), (4, 1));
        assert_eq!(h.in_field_of(&tender(&["D"])), (0, 0));
        assert_eq!(h.in_field_of(&tender(&[])), (0, 0));
    }

    fn pick<T: Clone + std::fmt::Debug>(pool: &'static [T]) -> impl Strategy<Value = Vec<T>> {
        proptest::sample::subsequence(pool, 0..=pool.len().min(3))
    }

    const CODES: &[&str] = &[
        "E", "D", "09", "10", "091", "092", "0911", "0912", "0921", "06", "0611",
    ];
    const PREFECTURES: &[Prefecture] = &[
        Prefecture::Hokkaido,
        Prefecture::Tokyo,
        Prefecture::Kanagawa,
        Prefecture::Osaka,
        Prefecture::Okinawa,
    ];

    fn codes() -> impl Strategy<Value = Vec<JsicCode>> {
        pick(CODES).prop_map(|v| v.iter().map(|c| code(c)).collect())
    }

    fn facts() -> impl Strategy<Value = SupplierFacts> {
        (
            proptest::sample::select(PREFECTURES),
            codes(),
            proptest::collection::vec(
                (
                    proptest::sample::select(GradeCategory::ALL),
                    proptest::sample::select(Grade::ALL),
                ),
                0..3,
            ),
            pick(Certification::ALL),
        )
            .prop_map(|(prefecture, jsic, grades, certifications)| SupplierFacts {
                prefecture,
                jsic,
                grades,
                certifications,
            })
    }

    fn eligibility() -> impl Strategy<Value = Eligibility> {
        (
            pick(PREFECTURES),
            pick(&Region::ALL),
            pick(Grade::ALL),
            codes(),
            pick(&Certification::ALL[..4]),
        )
            .prop_map(
                |(prefectures, regions, grades, jsic, certifications)| Eligibility {
                    prefectures,
                    regions,
                    grades,
                    jsic,
                    certifications,
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn admits_is_eligibility_check(
            e in eligibility(),
            category in proptest::sample::select(Category::ALL),
            f in facts(),
        ) {
            let expected = e.check(category, &f).is_ok();
            let tender = TenderProfile::new(vec![], None, category, e);
            let supplier = SupplierProfile::new(f, History::default());
            prop_assert_eq!(tender.admits(&supplier), expected);
        }

        #[test]
        fn shared_digits_agree_with_contains(a in codes(), b in codes()) {
            for (x, y) in a.iter().zip(&b) {
                let on_branch = x.contains(y) || y.contains(x);
                prop_assert_eq!(Packed::new(x).on_one_branch(Packed::new(y)), on_branch);
            }
        }
    }
}
