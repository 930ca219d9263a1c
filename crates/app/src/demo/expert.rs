//! The expert picks: for a sample of demo tenders, the supplier a
//! procurement expert would invite — the ground truth that recommendation
//! quality is measured against (`quality.rs`, `musubi bench quality`).
//!
//! The expert decides from what the generator knows and the matcher never
//! sees, so agreement between the two means something:
//!
//! - **the need**: the template that produced the tender (清掃, 道路工事 …),
//!   not its codes or words;
//! - **the specialty**: the business line a supplier was generated in
//!   ([`DemoSupplier::business`]). It is stored nowhere: the store gets only
//!   what the generator derives from it with its usual noise — one to three
//!   JSIC codes drawn from the trade's list, a capabilities text and a
//!   catalogue drawn from its sentences;
//! - **capacity**: the firm's true size (employees, capital) against the
//!   job's size ([`DemoTender::size_yen`], even where no 予定価格 is
//!   published). The registered grade is drawn around that size with noise,
//!   and the matcher does not score grades at all;
//! - **place**: where the work is done and where the buyer sits.
//!
//! The one observable thing it reads is the 参加資格 check against the
//! registered facts: a firm that may not bid cannot be invited.
//!
//! Nothing about a pick is written anywhere; [`DemoGenerator::expert_picks`]
//! returns the picks beside the data. When no supplier of the population can
//! take a tender (nobody of the trade is eligible, e.g. a 地域要件 in a
//! prefecture where the demo has none), the pick is *planted*: the first
//! supplier after the population — `DemoGenerator::supplier(i)` for a higher
//! `i`, the same code path as everyone's, nothing chosen or edited — that is
//! of the needed trade, eligible and (for work on site) in the prefecture of
//! the work. A planted supplier is imported with the population like any
//! other.

use musubi_domain::tender::SupplierFacts;
use musubi_domain::{Grade, Prefecture};
use serde::Serialize;

use super::tenders::{grade_for, template_trade};
use super::{DemoGenerator, DemoSupplier, DemoTender};
use crate::matching::supplier_facts;
use crate::seed::company_import;

/// Suppliers scanned past the population for a planted pick before the
/// tender is given up (reported as having no pick). One trade in one small
/// prefecture is about 1 in 25,000 suppliers.
const PLANT_SCAN_LIMIT: u64 = 1_000_000;

/// The business lines (keys of `trades.rs`) an expert would ask for a
/// template's work, best first: written from what the work is, not from the
/// codes either side is registered under.
pub(super) fn specialists(need: &str) -> &'static [&'static str] {
    match need {
        "cleaning" | "facility_management" => &["building_maintenance"],
        // 消防設備点検 is done by building-service firms.
        "fire_equipment" => &["building_maintenance", "security"],
        "hvac_maintenance" | "hvac_works" => &["plumbing_hvac"],
        "elevator_maintenance" => &["electrical_works", "plumbing_hvac"],
        "security" | "event_security" => &["security"],
        "printing_public" | "printing_private" => &["printing"],
        "design_production" | "design_matching" => &["graphic_design", "advertising"],
        "system_operation" | "system_development" => &["software"],
        "pc_procurement" | "office_supplies" => &["office_supplies"],
        "furniture" => &["furniture", "office_supplies"],
        "uniforms" => &["uniform"],
        "food_procurement" => &["food", "seafood", "agriculture"],
        "catering" => &["catering"],
        "waste" => &["waste_management"],
        "environmental_measurement" => &["environmental_analysis"],
        "survey" => &["survey"],
        "architectural_design" => &["architecture_design"],
        "consulting" => &["consulting"],
        "translation" => &["translation"],
        "staffing" => &["staffing"],
        "logistics" => &["logistics"],
        "vehicle_service" | "vehicle_purchase" => &["auto_service"],
        "landscaping" | "park_works" => &["landscaping"],
        "medical_equipment" => &["medical_supplies"],
        "medical_need" => &["precision_machinery", "electrical_equipment", "software"],
        "open_innovation" => &["software", "precision_machinery", "metalwork"],
        "public_challenge" => &["software", "consulting"],
        "booth" | "retail_display" | "event_operation" => &["advertising"],
        "parts" => &["metalwork", "precision_machinery"],
        "electrical_goods" => &["electrical_equipment"],
        "hotel_amenities" => &["office_supplies", "uniform"],
        "building_renovation" | "building_new" | "transit_works" | "demolition" => {
            &["general_construction"]
        }
        "road_works" | "river_works" | "bridge_works" => &["civil_engineering"],
        "water_works" => &["civil_engineering", "plumbing_hvac"],
        "painting_works" => &["painting"],
        "electrical_works" => &["electrical_works"],
        "interior_works" => &["interior"],
        "telecom_works" => &["telecom_works", "electrical_works"],
        "plant_works" => &["plumbing_hvac", "electrical_works"],
        _ => &[],
    }
}

/// How far a supplier is from the work, nearest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Distance {
    /// In the prefecture of the 履行場所.
    SamePrefecture,
    /// In its region.
    SameRegion,
    Farther,
    /// The work is done online: distance does not matter.
    Remote,
}

/// The supplier an expert would invite to one tender, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpertPick {
    /// Index of the tender ([`DemoGenerator::tender`]).
    pub tender: u64,
    /// Index of the supplier ([`DemoGenerator::supplier`]).
    pub supplier: u64,
    /// Beyond the population: planted because nobody in it could take the
    /// tender (see the module docs).
    pub planted: bool,
    /// The template key of the tender (its need).
    pub need: &'static str,
    /// The supplier's business line.
    pub specialty: &'static str,
    pub distance: Distance,
    /// Grade levels between the firm's true size and the job's (0: fits).
    pub capacity_gap: u32,
    /// The expert's reasons, in Japanese and in English.
    pub why_ja: String,
    pub why_en: String,
}

/// The expert's order of preference: smaller is better.
type Preference = (usize, Distance, u32, bool, i32, u64);

/// What the expert compares of one tender.
struct Need<'a> {
    tender: &'a DemoTender,
    trades: &'static [&'static str],
    place: Option<Prefecture>,
    buyer_municipality: Option<musubi_domain::MunicipalityCode>,
    job_level: u32,
}

impl Need<'_> {
    fn distance(&self, s: &DemoSupplier) -> Distance {
        match self.place {
            None => Distance::Remote,
            Some(p) if p == s.prefecture => Distance::SamePrefecture,
            Some(p) if p.region() == s.prefecture.region() => Distance::SameRegion,
            Some(_) => Distance::Farther,
        }
    }

    fn capacity_gap(&self, s: &DemoSupplier) -> u32 {
        super::supplier::capacity_level(s.employees, s.capital_yen).abs_diff(self.job_level)
    }

    /// `None` when the expert would not invite `s` at all.
    fn preference(&self, i: u64, s: &DemoSupplier, facts: &SupplierFacts) -> Option<Preference> {
        let rank = self.trades.iter().position(|t| *t == s.business)?;
        let content = &self.tender.content;
        content.eligibility.check(content.category, facts).ok()?;
        Some((
            rank,
            self.distance(s),
            self.capacity_gap(s),
            // Local to the buyer first (false sorts first).
            self.buyer_municipality != Some(s.municipality),
            // Then the longer track record.
            s.founded_year,
            i,
        ))
    }
}

fn facts(s: &DemoSupplier) -> SupplierFacts {
    // Exactly what the store will hold and eligibility will check.
    supplier_facts(&company_import(s).profile)
}

/// 1234567 → "1,234,567".
fn thousands(yen: i64) -> String {
    let digits = yen.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn grade_letter(level: u32) -> char {
    char::from(b'A' + level.min(3) as u8)
}

impl DemoGenerator {
    /// A deterministic sample of `n` of the tenders `0..tenders`, evenly
    /// spaced (so every part of the generator's sequence is represented).
    pub fn expert_sample(&self, tenders: u64, n: usize) -> Vec<u64> {
        let n = (n as u64).min(tenders);
        (0..n).map(|k| k * tenders / n).collect()
    }

    /// The expert's pick for each of `tenders` among suppliers
    /// `0..population` (planted past it where nobody there can take the
    /// tender; see the module docs). A tender with no pick even then is
    /// left out. Depends only on the seed, the population and each tender.
    pub fn expert_picks(&self, population: u64, tenders: &[DemoTender]) -> Vec<ExpertPick> {
        let buyers = self.buyers();
        let suppliers: Vec<(DemoSupplier, SupplierFacts)> = self
            .suppliers(population as usize)
            .map(|s| {
                let f = facts(&s);
                (s, f)
            })
            .collect();
        // Suppliers past the population, generated once for every tender
        // that needs a planted pick.
        let mut beyond: Vec<(DemoSupplier, SupplierFacts)> = Vec::new();
        let mut picks = Vec::with_capacity(tenders.len());
        for t in tenders {
            let trades = specialists(t.template);
            if trades.is_empty() {
                continue;
            }
            let need = Need {
                tender: t,
                trades,
                // `None` when the work is done online.
                place: t.content.place.prefecture(),
                buyer_municipality: buyers.get(t.buyer).map(|b| b.municipality),
                job_level: Grade::ALL
                    .iter()
                    .position(|g| *g == grade_for(t.content.category, t.size_yen))
                    .unwrap_or(3) as u32,
            };
            let best = suppliers
                .iter()
                .enumerate()
                .filter_map(|(i, (s, f))| need.preference(i as u64, s, f).map(|p| (p, i)))
                .min_by_key(|(p, _)| *p);
            let (index, supplier, planted) = match best {
                Some((_, i)) => (i as u64, &suppliers[i].0, false),
                None => {
                    // The first-choice trade, near the work when on site.
                    let fits = |s: &DemoSupplier, f: &SupplierFacts, i: u64| {
                        need.preference(i, s, f).is_some_and(|p| {
                            p.0 == 0 && matches!(p.1, Distance::SamePrefecture | Distance::Remote)
                        })
                    };
                    let mut found = beyond
                        .iter()
                        .enumerate()
                        .find(|(k, (s, f))| fits(s, f, population + *k as u64))
                        .map(|(k, _)| k);
                    while found.is_none() && (beyond.len() as u64) < PLANT_SCAN_LIMIT {
                        let i = population + beyond.len() as u64;
                        let s = self.supplier(i);
                        let f = facts(&s);
                        let ok = fits(&s, &f, i);
                        beyond.push((s, f));
                        if ok {
                            found = Some(beyond.len() - 1);
                        }
                    }
                    let Some(k) = found else { continue };
                    (population + k as u64, &beyond[k].0, true)
                }
            };
            picks.push(explain(&need, index, supplier, planted));
        }
        picks
    }
}

fn explain(need: &Need, index: u64, s: &DemoSupplier, planted: bool) -> ExpertPick {
    let t = need.tender;
    let trade = template_trade(t.template).unwrap_or(t.template);
    let distance = need.distance(s);
    let gap = need.capacity_gap(s);
    let level = super::supplier::capacity_level(s.employees, s.capital_yen);
    let place = need.place.map(Prefecture::name_ja).unwrap_or("オンライン");
    let (where_ja, where_en) = match distance {
        Distance::SamePrefecture => (
            format!("履行場所と同じ{place}"),
            format!("in {place}, where the work is"),
        ),
        Distance::SameRegion => (
            format!("{place}と同じ地方の{}", s.prefecture.name_ja()),
            format!(
                "in {}, the region of the work ({place})",
                s.prefecture.name_ja()
            ),
        ),
        Distance::Farther => (
            format!("{}（近くに有資格の専門業者なし）", s.prefecture.name_ja()),
            format!(
                "in {} (no qualified specialist nearer)",
                s.prefecture.name_ja()
            ),
        ),
        Distance::Remote => (
            "オンライン履行のため所在地を問わない".to_owned(),
            "online work: location does not matter".to_owned(),
        ),
    };
    let job = grade_letter(need.job_level);
    let own = grade_letter(level);
    let employees = s.employees;
    let yen = thousands(t.size_yen);
    let fit_ja = if gap == 0 { "合う" } else { "最も近い" };
    let fit_en = if gap == 0 {
        ""
    } else {
        ", the closest fit available"
    };
    // The business line in words (its first noun phrase), not its key.
    let line_ja = super::trades::TRADES
        .iter()
        .find(|tr| tr.key == s.business)
        .and_then(|tr| tr.cores.first().copied())
        .unwrap_or(s.business);
    let why_ja = format!(
        "業種「{trade}」の案件に、{line_ja}を本業とする会社。{where_ja}。規模は{own}級相当（従業員{employees}名）で、案件規模{yen}円（{job}級相当）に{fit_ja}",
    );
    let why_en = format!(
        "for {trade} work, a firm whose line is {}; {where_en}; size of grade {own} ({employees} staff) for a ¥{yen} job (grade {job}){fit_en}",
        s.business,
    );
    ExpertPick {
        tender: t.index,
        supplier: index,
        planted,
        need: t.template,
        specialty: s.business,
        distance,
        capacity_gap: gap,
        why_ja,
        why_en,
    }
}
