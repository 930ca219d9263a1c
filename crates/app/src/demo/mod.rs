//! Deterministic demo data: realistic Japanese supplier companies, buyers and
//! the tenders (案件) the buyers post ([`DemoGenerator::tender`], see
//! `tenders.rs`).
//!
//! [`DemoGenerator`] is pure: no I/O, no clock, no storage. Everything it
//! produces depends only on its seed (and, for a supplier, on the supplier's
//! index), through a small SplitMix64 generator of our own, so the same seed
//! gives byte-for-byte the same companies on every machine and with every
//! version of `rand`. Supplier `i` depends only on `(seed, i)`, so ranges can
//! be generated in parallel or resumed; [`DemoGenerator::suppliers`] streams
//! them without building a vector.
//!
//! What is real and what is not:
//!
//! - Prefectures, municipalities and their 全国地方公共団体コード are real
//!   (a table of about 190 cities and wards, each prefecture's capital among
//!   them), and so are the 市外局番 and, where listed, the town names.
//!   Prefectures are weighted roughly like Japan's business density (東京都
//!   12 %, 大阪府 7.5 %, 愛知県 6 % … every prefecture some).
//! - Company names, 番地, representatives and everything else about a
//!   company are made up. Names are built the way Japanese firms are named
//!   (stem + business word + legal form, 前株 and 後株), with a blocklist so
//!   that no demo company takes the name of a well-known one.
//! - 法人番号 are valid (check digit included) but fictional by
//!   construction: digits 5–6 of the base, the kind code of a 会社法人等番号
//!   (01 株式会社, 02 有限会社, 03 合同会社 …), are `99` for suppliers and `98`
//!   for buyers, codes the registry does not assign. Real public bodies get
//!   such fictional numbers too.
//! - Phone numbers use the right area code, but their 市内局番 begins with
//!   1, which is never assigned to a subscriber line; web sites and mail
//!   addresses live under the reserved `example.jp`.
//! - Tenders use the vocabulary and forms of real Japanese public
//!   procurement (件名, 参加資格, 予定価格, 最低制限価格 …) and real facility
//!   and place names, but every job, amount, person and question is made
//!   up; their contacts follow the rules above.
//!
//! Beside the data, [`DemoGenerator::expert_picks`] (`expert.rs`) names for
//! sampled tenders the supplier a procurement expert would invite, from the
//! generator's latent state and never stored; `quality.rs` measures the
//! recommendations against it (the one part of `demo/` that does I/O).

mod buyers;
mod expert;
mod names;
mod places;
pub mod quality;
mod rng;
mod supplier;
mod tenders;
mod text;
mod trades;

#[cfg(test)]
mod tests;

use std::ops::Range;

use musubi_domain::{CorporateNumber, JsicCode, MunicipalityCode, Prefecture};
use serde::{Deserialize, Serialize};

pub use self::expert::{Distance, ExpertPick};
use self::rng::mix64;
pub use self::tenders::{
    DemoFile, DemoQuestion, DemoTender, DemoTransition, FUTURE_DAYS, PAST_DAYS,
};

/// Certification codes a demo supplier may hold.
pub const CERTIFICATIONS: [&str; 8] = [
    "iso9001",
    "iso14001",
    "iso27001",
    "privacy_mark",
    "eco_action21",
    "gap",
    "msc",
    "haccp",
];

/// The business lines demo suppliers are in (the values of
/// [`DemoSupplier::business`]).
pub fn business_keys() -> impl Iterator<Item = &'static str> {
    trades::TRADES.iter().map(|t| t.key)
}

/// A demo supplier company (受注者). Every field is consistent with the
/// others: the business word in the name decides the JSIC codes,
/// capabilities, catalogue and certifications; the address, area code and
/// municipality code agree with the prefecture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoSupplier {
    /// Valid and unique per index, fictional (see the module docs).
    pub corporate_number: CorporateNumber,
    /// With its legal form, e.g. 株式会社東洋精機, 山田建設株式会社.
    pub name: String,
    /// Katakana reading without the legal form, as 法人番号公表サイト shows
    /// it: トウヨウセイキ.
    pub name_kana: String,
    /// E.g. 代表取締役 佐藤 健一 (代表社員 for a 合同会社).
    pub representative: String,
    pub prefecture: Prefecture,
    pub municipality: MunicipalityCode,
    /// As written in an address: 千代田区, 札幌市中央区.
    pub municipality_name: &'static str,
    /// 町名・番地 (and building), e.g. 神田須田町一丁目2番3号.
    pub address_line: String,
    /// Stable key of the line of business, e.g. "printing"; see
    /// [`business_keys`].
    pub business: &'static str,
    /// One to three 小分類/細分類 codes, the main one first.
    pub jsic: Vec<JsicCode>,
    /// Two to four sentences of business Japanese.
    pub capabilities: String,
    /// One to five products or services.
    pub catalogue: Vec<DemoCatalogueItem>,
    /// Codes from [`CERTIFICATIONS`].
    pub certifications: Vec<&'static str>,
    /// `(category, grade)`: category "goods" | "works" | "services", grade
    /// 'A'..='D'; the main category first, each category at most once.
    pub grades: Vec<(&'static str, char)>,
    pub employees: u32,
    /// A round figure in yen.
    pub capital_yen: i64,
    pub founded_year: i32,
    /// `https://www.<name>.example.jp`; small firms sometimes have none.
    pub website: Option<String>,
    /// `info@` the same domain (unique per supplier).
    pub contact_email: String,
    /// E.g. 03-1234-5678 (fictional, see the module docs).
    pub contact_phone: String,
}

/// A product or service in a supplier's catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoCatalogueItem {
    pub title: String,
    pub description: String,
}

/// What kind of organisation a buyer is; serialised as in the
/// `organizations.kind` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuyerKind {
    /// 国・都道府県・市区町村とその部局.
    PublicBody,
    /// 公社・財団・独立行政法人・第三セクター.
    PublicCorporation,
    /// 民間企業.
    PrivateCompany,
}

impl BuyerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BuyerKind::PublicBody => "public_body",
            BuyerKind::PublicCorporation => "public_corporation",
            BuyerKind::PrivateCompany => "private_company",
        }
    }
}

/// A demo buyer (発注機関).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoBuyer {
    /// Valid, unique, fictional (never the body's real number).
    pub corporate_number: CorporateNumber,
    pub name: String,
    pub name_kana: String,
    pub kind: BuyerKind,
    pub prefecture: Prefecture,
    /// For a public body, the code of the government it is or belongs to
    /// (東京都財務局 → 130001 東京都); otherwise the municipality of its head
    /// office.
    pub municipality: MunicipalityCode,
    pub municipality_name: &'static str,
    pub website: String,
    pub contact_email: String,
}

/// Digits 5–6 of the 12-digit base of every demo 法人番号.
const SUPPLIER_KIND_CODE: &str = "99";
const BUYER_KIND_CODE: &str = "98";

/// Serial numbers run over 0..10¹⁰ (ten free digits of the base).
const SERIAL_SPACE: u64 = 10_000_000_000;
/// Odd and not a multiple of 5, hence invertible modulo 10¹⁰.
const SERIAL_MULTIPLIER: u64 = 3_141_592_653;

/// Generates demo suppliers and buyers from a seed.
#[derive(Debug, Clone)]
pub struct DemoGenerator {
    seed: u64,
    key: u64,
    serial_offset: u64,
    /// Parallel to [`places::MUNICIPALITIES`].
    municipality_codes: Vec<MunicipalityCode>,
    /// Range of [`places::MUNICIPALITIES`] for each prefecture.
    prefecture_municipalities: [Range<usize>; 47],
    /// Cumulative prefecture weights.
    prefecture_cumulative: [u32; 47],
    /// Cumulative trade weights.
    trade_cumulative: Vec<u32>,
    /// Parsed JSIC codes of each trade, parallel to `trades::TRADES[..].jsic`.
    trade_jsic: Vec<Vec<JsicCode>>,
}

impl DemoGenerator {
    pub fn new(seed: u64) -> Self {
        let key = mix64(seed ^ 0x6D75_7375_6269_0001);
        let serial_offset = mix64(key ^ 0x6A70_6E75_6D00_0002) % SERIAL_SPACE;
        let municipality_codes = places::MUNICIPALITIES
            .iter()
            .map(|m| {
                MunicipalityCode::from_five_digits(m.code5)
                    .expect("demo municipality table holds five-digit codes")
            })
            .collect();
        let mut prefecture_cumulative = [0; 47];
        let mut total = 0;
        for (cumulative, p) in prefecture_cumulative.iter_mut().zip(&places::PREFECTURES) {
            total += p.weight;
            *cumulative = total;
        }
        let trade_cumulative = trades::TRADES
            .iter()
            .scan(0, |total, t| {
                *total += t.weight;
                Some(*total)
            })
            .collect();
        let trade_jsic = trades::TRADES
            .iter()
            .map(|t| {
                t.jsic
                    .iter()
                    .map(|c| JsicCode::parse(c).expect("demo trade table holds JSIC codes"))
                    .collect()
            })
            .collect();
        Self {
            seed,
            key,
            serial_offset,
            municipality_codes,
            prefecture_municipalities: places::prefecture_ranges(),
            prefecture_cumulative,
            trade_cumulative,
            trade_jsic,
        }
    }

    /// The seed this generator was made with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Suppliers 0..n, one at a time.
    pub fn suppliers(&self, n: usize) -> impl Iterator<Item = DemoSupplier> + '_ {
        self.supplier_range(0..n as u64)
    }

    /// Suppliers with the given indices, one at a time (for generating
    /// ranges in parallel or resuming an interrupted run).
    pub fn supplier_range(&self, range: Range<u64>) -> impl Iterator<Item = DemoSupplier> + '_ {
        range.map(move |i| self.supplier(i))
    }

    /// Supplier `i`, which depends only on the seed and `i`. 法人番号 and
    /// mail domains are unique for all `i` below 10¹⁰.
    pub fn supplier(&self, i: u64) -> DemoSupplier {
        supplier::generate(self, i)
    }

    /// The fixed set of about 50 buyers: Tokyo's bureaus, wards and cities,
    /// prefectures and cities across the regions, public corporations and
    /// large private companies (fictional). Only their 法人番号 depend on the
    /// seed.
    pub fn buyers(&self) -> Vec<DemoBuyer> {
        buyers::BUYERS
            .iter()
            .enumerate()
            .map(|(j, b)| {
                let municipality = MunicipalityCode::from_five_digits(b.code5)
                    .expect("demo buyer table holds five-digit codes");
                DemoBuyer {
                    corporate_number: self.corporate_number(j as u64, BUYER_KIND_CODE),
                    name: b.name.to_owned(),
                    name_kana: b.kana.to_owned(),
                    kind: b.kind,
                    prefecture: municipality.prefecture(),
                    municipality,
                    municipality_name: b.municipality_name,
                    website: format!("https://www.{}.example.jp", b.label),
                    contact_email: format!("keiyaku@{}.example.jp", b.label),
                }
            })
            .collect()
    }

    /// A bijection of 0..10¹⁰: distinct indices get distinct serials.
    fn serial(&self, i: u64) -> u64 {
        let i = u128::from(i % SERIAL_SPACE);
        ((i * u128::from(SERIAL_MULTIPLIER) + u128::from(self.serial_offset))
            % u128::from(SERIAL_SPACE)) as u64
    }

    fn corporate_number(&self, i: u64, kind_code: &str) -> CorporateNumber {
        let serial = self.serial(i);
        let base = format!(
            "{:04}{kind_code}{:06}",
            serial / 1_000_000,
            serial % 1_000_000
        );
        CorporateNumber::from_base(&base).expect("twelve digits always make a base")
    }
}
