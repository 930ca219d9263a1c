//! Demo tenders (案件): what the demo buyers post, with a life cycle that has
//! run up to an anchor instant.
//!
//! Tender `i` depends only on the seed, `i`, the number of buyers it may be
//! given to and the anchor ("now" for the demo, passed in: nothing here reads
//! a clock). What it says (buyer, kind, title, 概要, category, JSIC codes,
//! eligibility, prices) does not depend on the anchor at all; its dates sit
//! around the anchor (publication from about two years before it to a month
//! after), so a demo database made today has tenders in every stage.
//!
//! How the pieces fit:
//!
//! - A buyer is picked first, then one of the templates fitting what that
//!   buyer does ([`Sectors`]): a city cleans its 本庁舎 and prints its 広報紙,
//!   a water bureau lays pipes, a hospital asks for 医療機器開発ニーズ, a
//!   manufacturer asks for quotes on parts. The template fixes the category,
//!   the JSIC codes (taken from the codes demo suppliers are registered
//!   under, so suppliers match), the price range, the kind of 履行期間 and the
//!   sentences of the 概要.
//! - The kind decides the contract and award methods (ニーズ → 随意契約 with
//!   proposal evaluation, 企画提案 → proposal evaluation, 入札 → 一般競争 /
//!   指名競争 / 希望制指名 with 最低価格 or 総合評価, 見積依頼 → 見積合わせ or
//!   オープンカウンター at the lowest price), and the method the shape of the
//!   schedule, which always passes [`Schedule::validate`] at its own
//!   publication instant with the 10-day 公告期間, on weekdays.
//! - About a third of the published tenders have one to three answered
//!   questions (質問回答) that agree with their facts, and most have a 仕様書
//!   (PDF), works a 図面 too, some a 様式: [`DemoFile`] is a small fixed set,
//!   so the blob store holds about 80 files however many tenders there are.
//! - The status is where a real life cycle would be at the anchor: published
//!   at `publish_at`, then every scheduled step at its instant
//!   ([`ValidSchedule::due_transitions`]), then, some time after 開札, a
//!   person's decision (mostly 落札者決定, some 不調, a few 中止). A tender
//!   whose publication is still ahead of the anchor is a draft: buyers
//!   prepare their 公告 in advance, and a draft is the only honest status for
//!   it (a published tender is public, so its publication cannot lie in the
//!   future).

use std::fmt::Write as _;
use std::ops::Range;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeDelta, Utc, Weekday};
use musubi_domain::tender::{
    AwardMethod, Category, Contact, ContractMethod, Eligibility, Place, ReservePricePublication,
    Schedule, TenderContent, TenderKind, TenderStatus, Transition, ValidSchedule,
};
use musubi_domain::{
    Certification, Grade, JsicCode, MunicipalityCode, Prefecture, TaxExclusive, Yen,
    format_wareki_date, japan_date, japan_local_to_utc,
};

use super::BuyerKind;
use super::DemoGenerator;
use super::buyers::{BUYERS, BuyerData};
use super::names::{FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES, SURNAMES};
use super::places::{GENERIC_TOWNS, MUNICIPALITIES, prefecture_ranges};
use super::rng::{SplitMix64, mix64};

/// Publication lies this many days before the anchor at the earliest …
pub const PAST_DAYS: u32 = 730;
/// … and this many after it at the latest (those are drafts).
pub const FUTURE_DAYS: u32 = 30;

/// A generated tender with its life cycle up to the anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoTender {
    pub index: u64,
    /// Index into [`DemoGenerator::buyers`], below the buyer count given.
    pub buyer: usize,
    /// Key of the template it was made from (for tests and statistics).
    pub template: &'static str,
    pub content: TenderContent,
    pub status: TenderStatus,
    /// When the buyer started writing it (before publication).
    pub created_at: DateTime<Utc>,
    /// `None` for a draft.
    pub published_at: Option<DateTime<Utc>>,
    /// The next scheduled instant still ahead of the anchor, if any.
    pub next_transition_at: Option<DateTime<Utc>>,
    /// From the draft: `Publish` first (none for a draft).
    pub transitions: Vec<DemoTransition>,
    /// Answered questions, oldest first.
    pub questions: Vec<DemoQuestion>,
    pub attachments: Vec<DemoFile>,
    /// The size of the job in yen (税抜) its 予定価格 is set from. Latent
    /// where no 予定価格 is set (some 見積依頼, every ニーズ): only the
    /// expert picks (`expert.rs`) read it then.
    pub size_yen: i64,
}

impl DemoTender {
    /// The reason given with a 中止, if the tender was cancelled.
    pub fn cancel_reason(&self) -> Option<&str> {
        self.transitions
            .iter()
            .rev()
            .find(|t| t.transition == Transition::Cancel)
            .and_then(|t| t.reason.as_deref())
    }
}

/// One step of the life cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoTransition {
    pub transition: Transition,
    /// The scheduled instant for time-driven steps; the decision's time
    /// otherwise.
    pub at: DateTime<Utc>,
    /// Taken by the buyer's user (otherwise by the scheduler).
    pub by_buyer: bool,
    pub reason: Option<String>,
}

/// An answered question (質問回答).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoQuestion {
    /// Any number: the importer maps it onto the supplier accounts it has.
    pub asker: u32,
    pub question: String,
    pub answer: String,
    pub asked_at: DateTime<Utc>,
}

/// A demo attachment. There are few distinct files (one 仕様書 per template,
/// one 図面 per works template, one 様式 per kind), so a blob store holds a
/// few hundred blobs however many tenders point at them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DemoFile {
    /// 仕様書 (PDF) of a template.
    Specification(u16),
    /// 図面 (PDF) of a works template.
    Drawing(u16),
    /// The form to fill in for a kind (plain text).
    Form(TenderKind),
}

impl DemoFile {
    /// Every distinct file the generator can attach.
    pub fn all() -> Vec<DemoFile> {
        let mut files = Vec::new();
        for (i, t) in TEMPLATES.iter().enumerate() {
            files.push(DemoFile::Specification(i as u16));
            if t.category == Category::Works {
                files.push(DemoFile::Drawing(i as u16));
            }
        }
        files.extend(TenderKind::ALL.iter().map(|k| DemoFile::Form(*k)));
        files
    }

    /// Shown name.
    pub fn title(self) -> &'static str {
        match self {
            DemoFile::Specification(_) => "仕様書",
            DemoFile::Drawing(_) => "図面（配置図・平面図）",
            DemoFile::Form(kind) => form_title(kind),
        }
    }

    pub fn filename(self) -> String {
        match self {
            DemoFile::Specification(_) => "仕様書.pdf".to_owned(),
            DemoFile::Drawing(_) => "図面.pdf".to_owned(),
            DemoFile::Form(kind) => format!("{}.txt", form_title(kind)),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            DemoFile::Specification(_) | DemoFile::Drawing(_) => "application/pdf",
            DemoFile::Form(_) => "text/plain; charset=utf-8",
        }
    }

    /// The file's bytes: a small valid PDF (Japanese text in a standard
    /// Japanese font, not embedded) or UTF-8 text.
    pub fn bytes(self) -> Vec<u8> {
        match self {
            DemoFile::Specification(i) => specification_pdf(&TEMPLATES[usize::from(i)]),
            DemoFile::Drawing(i) => drawing_pdf(&TEMPLATES[usize::from(i)]),
            DemoFile::Form(kind) => form_text(kind).into_bytes(),
        }
    }
}

fn form_title(kind: TenderKind) -> &'static str {
    match kind {
        TenderKind::Rfq => "見積書様式",
        TenderKind::SealedBid => "質問書様式",
        TenderKind::Proposal => "企画提案書様式",
        TenderKind::Need => "応募用紙",
    }
}

impl DemoGenerator {
    /// Tender `i`, given to one of the first `buyers` of [`Self::buyers`]
    /// (at least one), with its life cycle run up to `anchor`.
    pub fn tender(&self, i: u64, buyers: usize, anchor: DateTime<Utc>) -> DemoTender {
        generate(self, i, buyers, anchor)
    }

    /// Tenders with the given indices, one at a time.
    pub fn tender_range(
        &self,
        range: Range<u64>,
        buyers: usize,
        anchor: DateTime<Utc>,
    ) -> impl Iterator<Item = DemoTender> + '_ {
        range.map(move |i| self.tender(i, buyers, anchor))
    }
}

// ---------------------------------------------------------------------------
// Buyers: what each does and where.

/// What a buyer does, as bits: a template fits a buyer when one of its title
/// variants names one of the buyer's sectors.
type Sectors = u32;
const PREF: Sectors = 1;
const CITY: Sectors = 1 << 1;
/// A bureau of the Tokyo Metropolitan Government (its own offices).
const BUREAU: Sectors = 1 << 2;
const WORKS: Sectors = 1 << 3;
const WATER: Sectors = 1 << 4;
const TRANSIT: Sectors = 1 << 5;
const PORT: Sectors = 1 << 6;
const HOSP: Sectors = 1 << 7;
const EVENT: Sectors = 1 << 8;
const SME: Sectors = 1 << 9;
const MAKER: Sectors = 1 << 10;
const RETAIL: Sectors = 1 << 11;
const DIGITAL: Sectors = 1 << 12;
const HOUSING: Sectors = 1 << 13;
const FOOD: Sectors = 1 << 14;
const GOV: Sectors = PREF | CITY | BUREAU;
/// Governments that serve residents directly (not a bureau).
const LOCAL: Sectors = PREF | CITY;
const PUBLIC: Sectors =
    GOV | WORKS | WATER | TRANSIT | PORT | HOSP | EVENT | SME | DIGITAL | HOUSING;
const ANY: Sectors = PUBLIC | MAKER | RETAIL | FOOD;

/// The sectors of a demo buyer, by name (the buyer table is fixed).
fn sectors_of(b: &BuyerData) -> Sectors {
    match b.name {
        "東京都財務局" => BUREAU | WORKS,
        "東京都建設局" => BUREAU | WORKS,
        "東京都交通局" => TRANSIT,
        "東京都水道局" => WATER,
        "東京都港湾局" => PORT | WORKS,
        "東京都デジタルサービス局" => DIGITAL,
        "株式会社東京ビッグサイト" | "公益財団法人東京観光財団" => EVENT,
        "東京都住宅供給公社" => HOUSING,
        "独立行政法人都市再生機構" => HOUSING | WORKS,
        "公益財団法人東京都中小企業振興公社" | "独立行政法人中小企業基盤整備機構" => {
            SME | EVENT
        }
        "地方独立行政法人東京都立病院機構" | "有明メディカルホールディングス株式会社" => {
            HOSP
        }
        "株式会社紫峰鉄道" => TRANSIT,
        "株式会社銀嶺百貨店" | "株式会社白鷺ホテルズ" => RETAIL,
        "株式会社奥羽ファインフーズ" => MAKER | FOOD,
        name => match b.kind {
            BuyerKind::PrivateCompany => MAKER,
            BuyerKind::PublicCorporation => SME,
            BuyerKind::PublicBody => {
                if name.ends_with('区') {
                    CITY | WORKS
                } else if name.ends_with('市') {
                    // Designated cities run their own waterworks and
                    // events; the table's other cities too.
                    CITY | WORKS | WATER | EVENT
                } else {
                    PREF | WORKS | EVENT | SME
                }
            }
        },
    }
}

struct BuyerInfo {
    data: &'static BuyerData,
    sectors: Sectors,
    prefecture: Prefecture,
    /// 都, 道, 府, 県, 市, 区 for governments; empty otherwise.
    suffix: &'static str,
    /// The government or company without its suffix: 千代田, 札幌, 東京.
    short: String,
    /// How the eligibility text names the body: 千代田区, 東京都.
    gov: String,
    /// The buyer's own municipality, when it is one (not a prefecture).
    own_municipality: Option<MunicipalityCode>,
    /// Municipalities of the buyer's prefecture (indices into the table).
    municipalities: Range<usize>,
    /// Names of districts for facility names: towns for a city or ward,
    /// municipalities (with their index in the table) for everyone else.
    areas: Vec<(&'static str, Option<usize>)>,
    area_code: &'static str,
    weight: u32,
}

impl BuyerInfo {
    fn new(data: &'static BuyerData, ranges: &[Range<usize>; 47]) -> Self {
        let code = MunicipalityCode::from_five_digits(data.code5)
            .expect("demo buyer table holds five-digit codes");
        let prefecture = code.prefecture();
        let municipalities = ranges[usize::from(prefecture.number()) - 1].clone();
        let public = data.kind == BuyerKind::PublicBody;
        let (suffix, short, gov) = if !public {
            let p = prefecture.name_ja();
            let short = p.strip_suffix(['都', '府', '県']).unwrap_or(p).to_owned();
            ("", short, data.name.to_owned())
        } else if data.name.starts_with("東京都") && data.name != "東京都" {
            // A bureau (局) of the metropolitan government.
            ("都", "東京".to_owned(), "東京都".to_owned())
        } else if data.name == "北海道" {
            ("道", "北海道".to_owned(), "北海道".to_owned())
        } else {
            let suffix = ["都", "府", "県", "市", "区"]
                .into_iter()
                .find(|s| data.name.ends_with(s))
                .unwrap_or("");
            let short = data.name.strip_suffix(suffix).unwrap_or(data.name);
            (suffix, short.to_owned(), data.name.to_owned())
        };
        let own_municipality = (!code.is_prefecture()).then_some(code);
        // A designated city's code ends in 0 and its wards share its first
        // four digits (01100 札幌市 → 01101 札幌市中央区 …).
        let own_entries: Vec<usize> = match own_municipality {
            Some(_) if data.code5.ends_with('0') => municipalities
                .clone()
                .filter(|&m| MUNICIPALITIES[m].code5.starts_with(&data.code5[..4]))
                .collect(),
            Some(_) => municipalities
                .clone()
                .filter(|&m| MUNICIPALITIES[m].code5 == data.code5)
                .collect(),
            None => Vec::new(),
        };
        let is_city = public && matches!(suffix, "市" | "区");
        let mut areas: Vec<(&'static str, Option<usize>)> = Vec::new();
        if is_city {
            for &m in &own_entries {
                areas.extend(MUNICIPALITIES[m].towns.iter().map(|(t, _)| (*t, None)));
            }
            if areas.is_empty() {
                areas.extend(GENERIC_TOWNS.iter().map(|(t, _)| (*t, None)));
            }
        } else {
            for m in municipalities.clone() {
                let area = area_of_municipality(MUNICIPALITIES[m].name);
                if !areas.iter().any(|(a, _)| *a == area) {
                    areas.push((area, Some(m)));
                }
            }
        }
        let area_entry = own_entries.first().copied().unwrap_or(municipalities.start);
        let weight = match data.kind {
            BuyerKind::PublicBody => 12,
            BuyerKind::PublicCorporation => 6,
            BuyerKind::PrivateCompany => 3,
        };
        BuyerInfo {
            data,
            sectors: sectors_of(data),
            prefecture,
            suffix,
            short,
            gov,
            own_municipality,
            municipalities,
            areas,
            area_code: MUNICIPALITIES[area_entry].area_code,
            weight,
        }
    }

    fn is_public_body(&self) -> bool {
        self.data.kind == BuyerKind::PublicBody
    }
}

/// 札幌市中央区 → 中央 is too vague; 札幌; 八王子市 → 八王子; 千代田区 → 千代田.
fn area_of_municipality(name: &'static str) -> &'static str {
    let city = match name.find('市') {
        Some(end) if end + '市'.len_utf8() < name.len() => &name[..end],
        _ => name,
    };
    city.strip_suffix(['市', '区', '町', '村']).unwrap_or(city)
}

/// Tables computed once: buyers and the templates fitting each.
struct Tables {
    buyers: Vec<BuyerInfo>,
    buyer_cumulative: Vec<u32>,
    /// Per buyer: (template index, cumulative weight).
    buyer_templates: Vec<Vec<(usize, u32)>>,
    /// Parsed codes of each template.
    jsic: Vec<Vec<JsicCode>>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let ranges = prefecture_ranges();
        let buyers: Vec<BuyerInfo> = BUYERS.iter().map(|b| BuyerInfo::new(b, &ranges)).collect();
        let buyer_cumulative = buyers
            .iter()
            .scan(0, |total, b| {
                *total += b.weight;
                Some(*total)
            })
            .collect();
        let buyer_templates = buyers
            .iter()
            .map(|b| {
                let mut total = 0;
                TEMPLATES
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| t.titles.iter().any(|(who, _)| who & b.sectors != 0))
                    .map(|(i, t)| {
                        total += t.weight;
                        (i, total)
                    })
                    .collect()
            })
            .collect();
        let jsic = TEMPLATES
            .iter()
            .map(|t| {
                t.jsic
                    .iter()
                    .map(|c| JsicCode::parse(c).expect("demo template table holds JSIC codes"))
                    .collect()
            })
            .collect();
        Tables {
            buyers,
            buyer_cumulative,
            buyer_templates,
            jsic,
        }
    })
}

fn pick_cumulative(rng: &mut SplitMix64, cumulative: &[u32]) -> usize {
    let total = cumulative.last().copied().unwrap_or(1);
    let r = rng.below(total as usize) as u32;
    cumulative.partition_point(|&c| c <= r)
}

// ---------------------------------------------------------------------------
// Generating one tender.

const SALT_CONTENT: u64 = 0x5445_4E44_4552_0001;
const SALT_DATES: u64 = 0x5445_4E44_4552_0002;
const SALT_LIFE: u64 = 0x5445_4E44_4552_0003;

fn generate(g: &DemoGenerator, i: u64, buyers: usize, anchor: DateTime<Utc>) -> DemoTender {
    let tables = tables();
    // Three streams, so that what a tender says never depends on the anchor
    // (how many draws the life cycle makes does).
    let stream = |salt: u64| SplitMix64::new(mix64(g.key ^ mix64(i ^ salt)));
    let mut rng = stream(SALT_CONTENT);
    let mut dates = stream(SALT_DATES);
    let mut life = stream(SALT_LIFE);

    let n = buyers.clamp(1, tables.buyers.len());
    let buyer = pick_cumulative(&mut rng, &tables.buyer_cumulative[..n]);
    let info = &tables.buyers[buyer];
    let fitting = &tables.buyer_templates[buyer];
    let weights: Vec<u32> = fitting.iter().map(|&(_, c)| c).collect();
    let template_index = fitting[pick_cumulative(&mut rng, &weights)].0;
    let t = &TEMPLATES[template_index];
    let titles: Vec<&str> = t
        .titles
        .iter()
        .filter(|(who, _)| who & info.sectors != 0)
        .map(|(_, title)| *title)
        .collect();
    let title_pattern = *rng.pick(&titles);

    let kind = TenderKind::ALL[rng.weighted(t.kinds.iter().copied())];
    let (method, award_method) = methods(&mut rng, t, kind, info);
    let price = reserve_amount(&mut rng, t, kind);
    let (reserve_price, reserve_price_publication) = reserve(&mut rng, t, kind, price);
    let minimum_price = minimum(&mut rng, t, kind, award_method, reserve_price);
    let online = rng.chance(t.online);
    let eligibility = eligibility(
        &mut rng,
        t,
        kind,
        info,
        online,
        reserve_price,
        &tables.jsic[template_index],
    );

    // Dates (they depend on the anchor).
    let times = schedule(&mut dates, t, kind, method, anchor);
    let (performance_start, performance_end, fiscal_year) =
        performance(&mut dates, t, times.publish_at, times.opening_at);

    // Words.
    let mut words = Words::new(info, t.x, fiscal_year);
    let title = words.render(&mut rng, title_pattern);
    let site = words.site();
    let place = place(&mut rng, info, &words, online);
    let place_detail = match (&place, &site) {
        (Place::Online, _) => "オンライン（受注者の事業所から遠隔で実施）".to_owned(),
        (_, Some(site)) => site.clone(),
        (_, None) => "発注者の指定する場所".to_owned(),
    };
    let contact = contact(&mut rng, t, info, &words);
    let summary = summary(
        &mut rng,
        &mut words,
        &SummaryFacts {
            template: t,
            kind,
            method,
            award_method,
            reserve_price,
            reserve_price_publication,
            minimum_price,
            eligibility: &eligibility,
            performance: (performance_start, performance_end),
            info,
        },
    );

    let content = TenderContent {
        kind,
        title,
        summary,
        category: t.category,
        jsic: tables.jsic[template_index].clone(),
        place,
        place_detail,
        performance_start,
        performance_end,
        method,
        eligibility,
        schedule: times,
        reserve_price,
        reserve_price_publication,
        minimum_price,
        award_method,
        contact,
    };

    // Attachments and questions are content too (the rng, not the anchor).
    let attachments = attachments(&mut rng, t, template_index, kind);
    let mut qa: Vec<(String, String, u32)> = Vec::new();
    if rng.chance(350) {
        let mut pool = qa_pool(&content, t, info);
        let count = (rng.range(1, 3) as usize).min(pool.len());
        for _ in 0..count {
            let (q, a) = pool.swap_remove(rng.below(pool.len()));
            qa.push((q, a, rng.next_u64() as u32));
        }
    }

    // The life cycle up to the anchor.
    let valid = ValidSchedule::restore(times, method).expect("demo schedules are in order");
    let run = life_cycle(&mut life, &valid, award_method, anchor);
    let created_at = if run.status == TenderStatus::Draft {
        anchor - minutes(life.range(60, 14 * 24 * 60))
    } else {
        times.publish_at - minutes(life.range(24 * 60, 21 * 24 * 60))
    };
    let mut questions: Vec<DemoQuestion> = Vec::new();
    if run.status != TenderStatus::Draft {
        let end = times
            .questions_until
            .min(anchor)
            .min(run.cancelled_at.unwrap_or(anchor));
        let span = (end - times.publish_at).num_minutes() - 60;
        if span > 60 {
            for (question, answer, asker) in qa {
                let asked_at = times.publish_at + minutes(life.below(span as usize) as u32 + 30);
                questions.push(DemoQuestion {
                    asker,
                    question,
                    answer,
                    asked_at,
                });
            }
            questions.sort_by_key(|q| q.asked_at);
        }
    }

    DemoTender {
        index: i,
        buyer,
        template: t.key,
        published_at: (run.status != TenderStatus::Draft).then_some(times.publish_at),
        next_transition_at: valid.next_transition_at(run.status),
        status: run.status,
        created_at,
        transitions: run.transitions,
        questions,
        attachments,
        content,
        size_yen: price,
    }
}

fn minutes(n: u32) -> TimeDelta {
    TimeDelta::minutes(i64::from(n))
}

/// Contract and award methods for a kind.
fn methods(
    rng: &mut SplitMix64,
    t: &Template,
    kind: TenderKind,
    info: &BuyerInfo,
) -> (ContractMethod, AwardMethod) {
    use AwardMethod as A;
    use ContractMethod as M;
    match kind {
        TenderKind::Rfq => {
            // オープンカウンター (open quotation) or 見積合わせ (随意契約).
            let open = info.data.kind != BuyerKind::PrivateCompany && rng.chance(300);
            (if open { M::Open } else { M::Direct }, A::LowestPrice)
        }
        TenderKind::SealedBid => {
            let method = if info.data.kind == BuyerKind::PrivateCompany {
                if rng.chance(700) {
                    M::Selective
                } else {
                    M::Open
                }
            } else {
                match rng.below(100) {
                    0..=54 => M::Open,
                    55..=74 => M::Selective,
                    _ => M::SelectiveByApplication,
                }
            };
            let best_value = match t.category {
                Category::Goods => 0,
                Category::Services if t.design => 450,
                Category::Services => 120,
                Category::Works => 300,
            };
            let award = if rng.chance(best_value) {
                if rng.chance(700) {
                    A::BestValueAdditive
                } else {
                    A::BestValueDivision
                }
            } else {
                A::LowestPrice
            };
            (method, award)
        }
        TenderKind::Proposal => {
            // 公募型 / 簡易公募型 / 指名型プロポーザル: the contract itself is
            // a 随意契約 with the best proposer.
            let method = match rng.below(100) {
                0..=44 => M::Direct,
                45..=84 => M::Open,
                _ => M::SelectiveByApplication,
            };
            (method, A::ProposalEvaluation)
        }
        TenderKind::Need => (M::Direct, A::ProposalEvaluation),
    }
}

/// The amount of the job in yen (税抜), rounded to ¥1,000.
fn reserve_amount(rng: &mut SplitMix64, t: &Template, kind: TenderKind) -> i64 {
    let (lo, hi) = (f64::from(t.price.0), f64::from(t.price.1));
    let man = lo * (hi / lo).powf(rng.unit());
    // 見積合わせ is for the smaller jobs.
    let man = if kind == TenderKind::Rfq {
        (man * 0.35).max(10.0)
    } else {
        man
    };
    let yen = (man * 10_000.0) as i64;
    // Odd amounts like ¥12,345,000 are what a 予定価格 looks like.
    (yen / 1000).max(100) * 1000
}

fn reserve(
    rng: &mut SplitMix64,
    t: &Template,
    kind: TenderKind,
    amount: i64,
) -> (Option<TaxExclusive>, ReservePricePublication) {
    let yen = Some(TaxExclusive::new(Yen::new(amount)));
    match kind {
        TenderKind::SealedBid => {
            let in_advance = match t.category {
                Category::Works => 400,
                _ => 200,
            };
            let publication = if rng.chance(in_advance) {
                ReservePricePublication::InAdvance
            } else {
                ReservePricePublication::AtOpening
            };
            (yen, publication)
        }
        TenderKind::Rfq => {
            let set = rng.chance(450);
            (
                set.then_some(yen).flatten(),
                ReservePricePublication::AtOpening,
            )
        }
        // The 提案上限額 is announced with a proposal call.
        TenderKind::Proposal => (yen, ReservePricePublication::InAdvance),
        TenderKind::Need => (None, ReservePricePublication::AtOpening),
    }
}

/// 最低制限価格 for some lowest-price sealed bids (works mostly), 70–92 %
/// of the 予定価格.
fn minimum(
    rng: &mut SplitMix64,
    t: &Template,
    kind: TenderKind,
    award: AwardMethod,
    reserve: Option<TaxExclusive>,
) -> Option<TaxExclusive> {
    let reserve = reserve?;
    if kind != TenderKind::SealedBid || award != AwardMethod::LowestPrice {
        return None;
    }
    let share = match t.category {
        Category::Works => 750,
        Category::Services => 300,
        Category::Goods => 0,
    };
    if !rng.chance(share) {
        return None;
    }
    let percent = i64::from(rng.range(70, 92));
    let amount = reserve.amount().amount() * percent / 100 / 1000 * 1000;
    Some(TaxExclusive::new(Yen::new(amount)))
}

/// 等級 by 予定価格 (glossary; works by typical municipal thresholds).
pub(super) fn grade_for(category: Category, amount: i64) -> Grade {
    let man = amount / 10_000;
    let (a, b, c) = match category {
        Category::Goods => (3000, 2000, 400),
        Category::Services => (3000, 1500, 300),
        Category::Works => (10_000, 4000, 1000),
    };
    if man >= a {
        Grade::A
    } else if man >= b {
        Grade::B
    } else if man >= c {
        Grade::C
    } else {
        Grade::D
    }
}

fn eligibility(
    rng: &mut SplitMix64,
    t: &Template,
    kind: TenderKind,
    info: &BuyerInfo,
    online: bool,
    reserve: Option<TaxExclusive>,
    jsic: &[JsicCode],
) -> Eligibility {
    let mut e = Eligibility::default();
    // ニーズ are open to anyone who can help.
    if kind == TenderKind::Need {
        return e;
    }
    if !online {
        let (local, regional) = match info.data.kind {
            BuyerKind::PublicBody if t.category == Category::Works => (600, 150),
            BuyerKind::PublicBody => (300, 100),
            BuyerKind::PublicCorporation => (100, 150),
            BuyerKind::PrivateCompany => (50, 100),
        };
        let r = rng.below(1000) as u32;
        if r < local {
            e.prefectures.push(info.prefecture);
        } else if r < local + regional {
            e.regions.push(info.prefecture.region());
        }
    }
    if kind == TenderKind::SealedBid
        && info.data.kind != BuyerKind::PrivateCompany
        && let Some(reserve) = reserve
        && rng.chance(550)
    {
        let grade = grade_for(t.category, reserve.amount().amount());
        e.grades.push(grade);
        if rng.chance(350) {
            let at = Grade::ALL.iter().position(|g| *g == grade).unwrap_or(0);
            let other = if at + 1 < Grade::ALL.len() {
                at + 1
            } else {
                at - 1
            };
            e.grades.push(Grade::ALL[other]);
            e.grades
                .sort_by_key(|g| Grade::ALL.iter().position(|x| x == g));
        }
    }
    if matches!(kind, TenderKind::SealedBid | TenderKind::Rfq) && rng.chance(250) {
        // 小分類 of the main code: broad enough for the trade to match.
        let main = &jsic[0];
        e.jsic.push(main.parent().unwrap_or(*main));
    }
    if let Some((code, per_mille)) = t.cert
        && rng.chance(per_mille)
    {
        e.certifications
            .push(Certification::parse(code).expect("demo templates name known certifications"));
    }
    e
}

// ---------------------------------------------------------------------------
// Dates.

/// An instant from a date and a wall-clock time in Japan.
fn at(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let local = date
        .and_hms_opt(hour, minute, 0)
        .expect("demo times are valid");
    japan_local_to_utc(local).expect("demo dates are in range")
}

fn plus_days(date: NaiveDate, days: u32) -> NaiveDate {
    date + Days::new(u64::from(days))
}

/// Saturday and Sunday move to the Monday after.
fn weekday_on_or_after(date: NaiveDate) -> NaiveDate {
    match date.weekday() {
        Weekday::Sat => plus_days(date, 2),
        Weekday::Sun => plus_days(date, 1),
        _ => date,
    }
}

/// Saturday and Sunday move to the Friday before.
fn weekday_on_or_before(date: NaiveDate) -> NaiveDate {
    match date.weekday() {
        Weekday::Sat => date - Days::new(1),
        Weekday::Sun => date - Days::new(2),
        _ => date,
    }
}

fn fiscal_year_of(date: NaiveDate) -> i32 {
    if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    }
}

/// A schedule of the shape the method needs, on weekdays, with at least the
/// 10-day 公告期間 (11 calendar days or more before the deadline).
fn schedule(
    rng: &mut SplitMix64,
    t: &Template,
    kind: TenderKind,
    method: ContractMethod,
    anchor: DateTime<Utc>,
) -> Schedule {
    let anchor_date = japan_date(anchor);
    let offset = rng.below((PAST_DAYS + FUTURE_DAYS + 1) as usize) as i64 - i64::from(PAST_DAYS);
    let day = anchor_date
        .checked_add_signed(TimeDelta::days(offset))
        .expect("demo dates are in range");
    let publish_date = weekday_on_or_after(day);
    let (hour, minute) = *rng.pick(&[(9, 0), (9, 0), (9, 30), (10, 0), (13, 0), (14, 0)]);
    let publish_at = at(publish_date, hour, minute);
    let (close_hour, close_minute) = *rng.pick(&[(12, 0), (16, 0), (17, 0), (17, 0)]);

    let (application, submission_opens_at, close_date) = if method.has_application_window() {
        let application_closes = weekday_on_or_after(plus_days(publish_date, rng.range(7, 10)));
        // 指名 is decided between the two windows.
        let opens = weekday_on_or_after(plus_days(application_closes, rng.range(4, 8)));
        let closes = weekday_on_or_after(plus_days(opens, rng.range(5, 10)));
        (
            Some((publish_at, at(application_closes, 17, 0))),
            at(opens, 9, 0),
            closes,
        )
    } else {
        let days = match (kind, t.category) {
            (TenderKind::SealedBid, Category::Works) => rng.range(15, 40),
            (TenderKind::SealedBid, _) => rng.range(12, 25),
            (TenderKind::Rfq, _) => rng.range(11, 18),
            (TenderKind::Proposal, _) => rng.range(14, 30),
            (TenderKind::Need, _) => rng.range(21, 60),
        };
        let closes = weekday_on_or_after(plus_days(publish_date, days));
        // Electronic bidding often opens for submissions a few days after
        // the 公告.
        let opens = if kind == TenderKind::SealedBid && rng.chance(500) {
            at(
                weekday_on_or_after(plus_days(publish_date, rng.range(1, 5))),
                9,
                0,
            )
        } else {
            publish_at
        };
        (None, opens, closes)
    };
    let submission_closes_at = at(close_date, close_hour, close_minute);
    let questions_date = weekday_on_or_before(close_date - Days::new(u64::from(rng.range(3, 7))));
    let questions_until = at(questions_date, 17, 0);
    let (opening_days, (opening_hour, opening_minute)) = match kind {
        TenderKind::SealedBid => (
            rng.range(1, 3),
            *rng.pick(&[(10, 0), (10, 30), (11, 0), (13, 30), (14, 0)]),
        ),
        TenderKind::Rfq => (1, (10, 0)),
        TenderKind::Proposal => (rng.range(1, 5), (10, 0)),
        TenderKind::Need => (rng.range(1, 10), (10, 0)),
    };
    let opening_at = at(
        weekday_on_or_after(plus_days(close_date, opening_days)),
        opening_hour,
        opening_minute,
    );
    Schedule {
        publish_at,
        application_opens_at: application.map(|(opens, _)| opens),
        application_closes_at: application.map(|(_, closes)| closes),
        questions_until,
        submission_opens_at,
        submission_closes_at,
        opening_at,
    }
}

/// 履行期間 (start, end) and the 年度 the title names.
fn performance(
    rng: &mut SplitMix64,
    t: &Template,
    publish_at: DateTime<Utc>,
    opening_at: DateTime<Utc>,
) -> (Option<NaiveDate>, Option<NaiveDate>, i32) {
    let published = japan_date(publish_at);
    let opened = japan_date(opening_at);
    match t.period {
        Period::FiscalYear => {
            // Annual contracts run to 31 March; those let in January to
            // March are for the next 年度 from 1 April.
            let contract = plus_days(opened, 10);
            let mut start = first_of_next_month(contract);
            if matches!(start.month(), 2..=4) {
                let april = NaiveDate::from_ymd_opt(start.year(), 4, 1).expect("1 April exists");
                if april > opened {
                    start = april;
                }
            }
            let fy = fiscal_year_of(start);
            let end = NaiveDate::from_ymd_opt(fy + 1, 3, 31).expect("31 March exists");
            (Some(start), Some(end), fy)
        }
        Period::Months(lo, hi) => {
            let start = plus_days(opened, rng.range(7, 20));
            let months = rng.range(lo, hi);
            let end = last_of_month(
                start
                    .checked_add_months(chrono::Months::new(months))
                    .expect("in range"),
            );
            (Some(start), Some(end), fiscal_year_of(start))
        }
        Period::Delivery(lo, hi) => {
            let end = weekday_on_or_after(plus_days(opened, rng.range(lo, hi)));
            (None, Some(end), fiscal_year_of(opened))
        }
        Period::Open => (None, None, fiscal_year_of(published)),
    }
}

fn first_of_next_month(date: NaiveDate) -> NaiveDate {
    let (y, m) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).expect("first of a month exists")
}

fn last_of_month(date: NaiveDate) -> NaiveDate {
    first_of_next_month(date) - Days::new(1)
}

fn wareki(date: NaiveDate) -> String {
    format_wareki_date(date).unwrap_or_else(|_| date.format("%Y年%-m月%-d日").to_string())
}

// ---------------------------------------------------------------------------
// The life cycle.

struct Run {
    status: TenderStatus,
    transitions: Vec<DemoTransition>,
    cancelled_at: Option<DateTime<Utc>>,
}

impl Run {
    fn push(
        &mut self,
        transition: Transition,
        at: DateTime<Utc>,
        by_buyer: bool,
        reason: Option<&str>,
    ) {
        self.status = self
            .status
            .apply(transition)
            .expect("the demo life cycle follows the state machine");
        self.transitions.push(DemoTransition {
            transition,
            at,
            by_buyer,
            reason: reason.map(str::to_owned),
        });
        if transition == Transition::Cancel {
            self.cancelled_at = Some(at);
        }
    }

    /// Every scheduled step due at `now`, each at its own instant.
    fn scheduled(&mut self, v: &ValidSchedule, now: DateTime<Utc>) {
        for step in v.due_transitions(self.status, now) {
            self.push(step, scheduled_instant(v, step), false, None);
        }
    }
}

/// The instant a time-driven step is scheduled for (every step `due_transitions`
/// gives has one).
fn scheduled_instant(v: &ValidSchedule, step: Transition) -> DateTime<Utc> {
    v.scheduled_at(step).unwrap_or_else(|| v.opening_at())
}

const CANCEL_BEFORE_OPENING: &[&str] = &[
    "仕様を見直すため、本件の公告を取り止めます。",
    "予算措置の見直しにより、本件を中止します。",
    "事業計画の変更に伴い、本件を中止します。",
    "公告内容に誤りがあったため本件を中止し、改めて公告します。",
];
const CANCEL_AFTER_OPENING: &[&str] = &[
    "入札参加者が1者のみとなり、競争性が確保できないため中止します。",
    "再度の入札でも予定価格の範囲内となる見込みがないため、本件を中止します。",
    "仕様の見直しが必要となったため、本件を中止します。",
];
const UNSUCCESSFUL_PRICE: &[&str] = &[
    "予定価格の制限の範囲内の入札がなかったため、不調とします。",
    "有効な入札がなかったため、不調とします。",
];
const UNSUCCESSFUL_PROPOSAL: &[&str] = &[
    "評価基準点に達した提案がなかったため、選定を見送ります。",
    "応募がなかったため、不調とします。",
];

fn life_cycle(
    rng: &mut SplitMix64,
    v: &ValidSchedule,
    award: AwardMethod,
    anchor: DateTime<Utc>,
) -> Run {
    let publish_at = v.publish_at();
    let mut run = Run {
        status: TenderStatus::Draft,
        transitions: Vec::new(),
        cancelled_at: None,
    };
    if publish_at > anchor {
        return run;
    }
    run.push(Transition::Publish, publish_at, true, None);

    // A few are called off before the opening.
    let until = anchor.min(v.opening_at());
    if rng.chance(8) && until - publish_at > TimeDelta::days(2) {
        let span = (until - publish_at - TimeDelta::days(1)).num_minutes();
        let cancel_at = publish_at + TimeDelta::days(1) + minutes(rng.below(span as usize) as u32);
        run.scheduled(v, cancel_at);
        run.push(
            Transition::Cancel,
            cancel_at,
            true,
            Some(*rng.pick(CANCEL_BEFORE_OPENING)),
        );
        return run;
    }

    run.scheduled(v, anchor);
    if run.status != TenderStatus::Opened {
        return run;
    }
    let opening = v.opening_at();
    let decision_at = if award.needs_evaluation() {
        let start = opening + minutes(rng.range(30, 240));
        if start > anchor {
            return run;
        }
        run.push(Transition::StartEvaluation, start, true, None);
        at(
            weekday_on_or_after(plus_days(japan_date(opening), rng.range(7, 28))),
            15,
            0,
        )
    } else if rng.chance(850) {
        // 最低価格: decided at the opening.
        opening + minutes(rng.range(20, 180))
    } else {
        at(
            weekday_on_or_after(plus_days(japan_date(opening), rng.range(1, 5))),
            15,
            0,
        )
    };
    if decision_at > anchor {
        return run;
    }
    let r = rng.below(1000);
    if r < 860 {
        run.push(Transition::Award, decision_at, true, None);
    } else if r < 960 {
        let reasons = if award == AwardMethod::ProposalEvaluation {
            UNSUCCESSFUL_PROPOSAL
        } else {
            UNSUCCESSFUL_PRICE
        };
        run.push(
            Transition::DeclareUnsuccessful,
            decision_at,
            true,
            Some(*rng.pick(reasons)),
        );
    } else {
        run.push(
            Transition::Cancel,
            decision_at,
            true,
            Some(*rng.pick(CANCEL_AFTER_OPENING)),
        );
    }
    run
}

// ---------------------------------------------------------------------------
// Words: titles and sentences with placeholders.

/// Placeholders naming the place of the work; the first one a title uses is
/// the tender's "site" (履行場所の詳細, and `{site}` in sentences).
const SITE_KEYS: &[&str] = &[
    "office", "culture", "sports", "school", "health", "env", "park", "road", "river", "bridge",
    "water", "station", "depot", "port", "hosp", "venue", "plant", "store", "housing",
];

struct Words {
    info: &'static BuyerInfo,
    x: &'static [&'static str],
    fiscal_year: i32,
    memo: Vec<(&'static str, String)>,
    /// The municipality an `{area}` named, for the place.
    area_municipality: Option<usize>,
}

impl Words {
    fn new(info: &'static BuyerInfo, x: &'static [&'static str], fiscal_year: i32) -> Self {
        Words {
            info,
            x,
            fiscal_year,
            memo: Vec::new(),
            area_municipality: None,
        }
    }

    /// Fills `{name}` placeholders; a name used twice gets the same value.
    fn render(&mut self, rng: &mut SplitMix64, pattern: &'static str) -> String {
        let mut out = String::with_capacity(pattern.len() + 32);
        let mut rest = pattern;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let end = start + rest[start..].find('}').expect("placeholders are closed");
            let value = self.value(rng, &rest[start + 1..end]);
            out.push_str(&value);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn value(&mut self, rng: &mut SplitMix64, name: &'static str) -> String {
        if let Some((_, v)) = self.memo.iter().find(|(k, _)| *k == name) {
            return v.clone();
        }
        match name {
            "site" => {
                return self
                    .site()
                    .unwrap_or_else(|| "発注者の指定する施設".to_owned());
            }
            "fy" => return fiscal_year_name(self.fiscal_year),
            _ => {}
        }
        let pattern = self.resolve(rng, name);
        let value = if pattern.contains('{') {
            self.render(rng, pattern)
        } else {
            pattern.to_owned()
        };
        self.memo.push((name, value.clone()));
        value
    }

    fn site(&self) -> Option<String> {
        SITE_KEYS.iter().find_map(|key| {
            self.memo
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        })
    }

    /// The pattern (or text) for one placeholder.
    fn resolve(&mut self, rng: &mut SplitMix64, name: &'static str) -> &'static str {
        let info = self.info;
        let public = info.is_public_body();
        let city = public && matches!(info.suffix, "市" | "区");
        let bureau = public && info.data.name.starts_with("東京都");
        let pick = |rng: &mut SplitMix64, items: &'static [&'static str]| *rng.pick(items);
        // Names built on 都道府県市区 ("{s}民会館") only for governments.
        let local = |rng: &mut SplitMix64, items: &'static [&'static str]| {
            if info.suffix.is_empty() {
                let plain: Vec<&'static str> = items
                    .iter()
                    .copied()
                    .filter(|i| !i.contains("{s}"))
                    .collect();
                if !plain.is_empty() {
                    return *rng.pick(&plain);
                }
            }
            *rng.pick(items)
        };
        match name {
            "s" => info.suffix,
            "short" => info.short.as_str(),
            "gov" => info.gov.as_str(),
            "n" => pick(rng, &["2", "3", "3", "4", "5", "6"]),
            "units" => pick(
                rng,
                &[
                    "10", "20", "30", "40", "50", "60", "80", "100", "120", "150", "200", "300",
                ],
            ),
            "x" => pick(rng, self.x),
            "sys" => {
                if public && !bureau {
                    pick(rng, SYSTEMS)
                } else {
                    pick(rng, &SYSTEMS[..SYSTEMS.len() - LOCAL_SYSTEMS])
                }
            }
            "riv" => pick(rng, RIVERS),
            "area" => {
                let (area, municipality) = *rng.pick(&info.areas);
                self.area_municipality = municipality;
                area
            }
            "office" => {
                if city || (public && !bureau) {
                    pick(rng, OFFICES_PUBLIC)
                } else if bureau {
                    pick(rng, OFFICES_BUREAU)
                } else if info.sectors & HOSP != 0 {
                    pick(rng, HOSPITALS)
                } else {
                    pick(rng, OFFICES_PRIVATE)
                }
            }
            "culture" => local(rng, CULTURE),
            "sports" => local(rng, SPORTS),
            "school" => {
                if city {
                    pick(rng, SCHOOLS_CITY)
                } else {
                    pick(rng, SCHOOLS_PREF)
                }
            }
            "school_stem" => pick(rng, SCHOOL_STEMS),
            "health" => pick(rng, HEALTH),
            "env" => pick(rng, ENVIRONMENT),
            "park" => local(rng, PARKS),
            "road" => {
                if public {
                    local(rng, ROADS)
                } else {
                    "{area}地区内道路"
                }
            }
            "river" => {
                if city {
                    "準用河川{riv}"
                } else {
                    "二級河川{riv}"
                }
            }
            "bridge" => pick(rng, BRIDGES),
            "water" => pick(rng, WATERWORKS),
            "station" => "{area}駅",
            "depot" => pick(rng, DEPOTS),
            "port" => {
                if info.prefecture.number() == 13 {
                    pick(rng, TOKYO_PIERS)
                } else {
                    "{area}港"
                }
            }
            "hosp" => {
                if info.sectors & HOSP != 0 {
                    pick(rng, HOSPITALS)
                } else {
                    "{s}立病院"
                }
            }
            "venue" => {
                if info.data.name.contains("ビッグサイト") {
                    pick(rng, BIG_SITE_HALLS)
                } else {
                    local(rng, VENUES)
                }
            }
            "event" => pick(rng, EVENTS),
            "plant" => {
                if info.sectors & RETAIL != 0 {
                    if info.data.name.contains("ホテル") {
                        pick(rng, HOTELS)
                    } else {
                        pick(rng, STORES)
                    }
                } else {
                    pick(rng, PLANTS)
                }
            }
            "store" => {
                if info.data.name.contains("ホテル") {
                    pick(rng, HOTELS)
                } else {
                    pick(rng, STORES)
                }
            }
            "brand" => brand_of(info.data.name),
            "housing" => {
                if info.data.name.contains("都市再生") {
                    "{area}団地"
                } else if public {
                    "{s}営{area}住宅"
                } else {
                    pick(rng, HOUSING_ESTATES)
                }
            }
            other => panic!("unknown placeholder {{{other}}}"),
        }
    }
}

/// "令和8年度" (令和元年度 for 2019).
fn fiscal_year_name(fy: i32) -> String {
    match fy - 2018 {
        1 => "令和元年度".to_owned(),
        n => format!("令和{n}年度"),
    }
}

/// 株式会社白鷺ホテルズ → 白鷺.
fn brand_of(name: &'static str) -> &'static str {
    let name = name
        .strip_prefix("株式会社")
        .or_else(|| name.strip_suffix("株式会社"))
        .unwrap_or(name);
    ["ホテルズ", "百貨店"]
        .into_iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name)
}

// ---------------------------------------------------------------------------
// Place and contact.

fn place(rng: &mut SplitMix64, info: &BuyerInfo, words: &Words, online: bool) -> Place {
    if online {
        return Place::Online;
    }
    if let Some(m) = info.own_municipality {
        return Place::Municipality { municipality: m };
    }
    let index = match words.area_municipality {
        Some(m) => m,
        None => {
            if info.municipalities.is_empty() || rng.chance(150) {
                return Place::Prefecture {
                    prefecture: info.prefecture,
                };
            }
            let range = info.municipalities.clone();
            range.start + rng.weighted(MUNICIPALITIES[range].iter().map(|m| m.weight))
        }
    };
    Place::Municipality {
        municipality: MunicipalityCode::from_five_digits(MUNICIPALITIES[index].code5)
            .expect("demo municipality table holds five-digit codes"),
    }
}

fn contact(rng: &mut SplitMix64, t: &Template, info: &BuyerInfo, words: &Words) -> Contact {
    let school = words.memo.iter().any(|(k, _)| *k == "school");
    // Schools are the education board's; bodies with their own engineering
    // departments say so.
    let dept = match t.dept {
        Dept::Building | Dept::Facilities | Dept::Contract | Dept::Purchasing if school => {
            Dept::Education
        }
        Dept::Building | Dept::Facilities | Dept::Civil if info.sectors & HOUSING != 0 => {
            Dept::Housing
        }
        Dept::Building | Dept::Civil if info.sectors & WATER != 0 => Dept::Water,
        Dept::Building | Dept::Civil if info.sectors & TRANSIT != 0 => Dept::Transit,
        dept => dept,
    };
    let (public, corporation, private, mailbox) = department(dept);
    let department = match info.data.kind {
        BuyerKind::PublicBody => public,
        BuyerKind::PublicCorporation => corporation,
        BuyerKind::PrivateCompany => private,
    };
    let surname = rng.pick(SURNAMES).0;
    let given = if rng.chance(550) {
        rng.pick(MALE_GIVEN_NAMES)
    } else {
        rng.pick(FEMALE_GIVEN_NAMES)
    };
    Contact {
        department: department.to_owned(),
        person: format!("{surname} {given}"),
        email: format!("{mailbox}@{}.example.jp", info.data.label),
        phone: phone(rng, info.area_code),
    }
}

/// A fictional number: the 市内局番 begins with 1, never a subscriber's.
fn phone(rng: &mut SplitMix64, area_code: &str) -> String {
    let exchange_len = 10 - 4 - area_code.len();
    let rest = rng.below(10usize.pow(exchange_len as u32 - 1));
    format!(
        "{area_code}-1{rest:0width$}-{:04}",
        rng.below(10_000),
        width = exchange_len - 1
    )
}

// ---------------------------------------------------------------------------
// The 概要.

struct SummaryFacts<'a> {
    template: &'a Template,
    kind: TenderKind,
    method: ContractMethod,
    award_method: AwardMethod,
    reserve_price: Option<TaxExclusive>,
    reserve_price_publication: ReservePricePublication,
    minimum_price: Option<TaxExclusive>,
    eligibility: &'a Eligibility,
    performance: (Option<NaiveDate>, Option<NaiveDate>),
    info: &'a BuyerInfo,
}

fn yen(amount: Option<TaxExclusive>) -> String {
    amount.map_or_else(String::new, |a| a.amount().format_ja())
}

fn summary(rng: &mut SplitMix64, words: &mut Words, f: &SummaryFacts) -> String {
    let t = f.template;
    let mut s = String::with_capacity(1600);
    let purpose = *rng.pick(t.purpose);
    s.push_str(&words.render(rng, purpose));
    s.push_str("\n\n■");
    s.push_str(t.heading);
    s.push('\n');
    // Three to five of the template's items, in their order.
    let mut keep: Vec<usize> = (0..t.scope.len()).collect();
    let want = (rng.range(3, 5) as usize).min(keep.len());
    while keep.len() > want {
        keep.remove(rng.below(keep.len()));
    }
    for k in keep {
        s.push('・');
        s.push_str(&words.render(rng, t.scope[k]));
        s.push('\n');
    }

    match (t.period, f.performance) {
        (Period::Delivery(..), (_, Some(end))) => {
            let _ = write!(s, "\n■納入期限\n{}\n", wareki(end));
            let _ = writeln!(s, "納入場所：{}", words.value(rng, "site"));
        }
        (_, (Some(start), Some(end))) if t.category == Category::Works => {
            let _ = write!(
                s,
                "\n■工期\n契約締結日の翌日から{}まで（着手予定 {}）\n",
                wareki(end),
                wareki(start)
            );
        }
        (_, (Some(start), Some(end))) => {
            let _ = write!(s, "\n■履行期間\n{}から{}まで\n", wareki(start), wareki(end));
        }
        _ => {
            s.push_str("\n■想定する進め方\n");
            s.push_str(
                "選定後、面談で課題と要件をすり合わせ、試作・実証（おおむね6か月から1年）を経て、製品化・導入を検討します。\n",
            );
        }
    }

    s.push_str("\n■参加資格\n");
    let e = f.eligibility;
    if f.kind == TenderKind::Need {
        s.push_str("・法人・個人事業主を問わず応募できます。スタートアップ、大学発ベンチャー、研究機関からの応募も歓迎します。\n");
    } else if e.is_nationwide() {
        s.push_str("・所在地は問いません（全国の事業者が参加できます）。\n");
    } else {
        let places: Vec<String> = e
            .prefectures
            .iter()
            .map(|p| p.name_ja().to_owned())
            .chain(e.regions.iter().map(|r| format!("{}地方", r.name_ja())))
            .collect();
        let _ = writeln!(
            s,
            "・{}内に本店又は支店・営業所を有すること。",
            places.join("、")
        );
    }
    if !e.grades.is_empty() {
        let grades: Vec<&str> = e.grades.iter().map(|g| g.code()).collect();
        let _ = writeln!(
            s,
            "・{}の競争入札参加資格（{}）において、{}等級に格付けされていること。",
            f.info.gov,
            t.category.name_ja(),
            grades.join("・")
        );
    }
    for code in &e.jsic {
        let _ = writeln!(
            s,
            "・「{}」の業種（日本標準産業分類 {}）で登録があること。",
            t.trade,
            code.as_str()
        );
    }
    for c in &e.certifications {
        let label = c.name_ja().split('（').next().unwrap_or(c.name_ja());
        let _ = writeln!(s, "・{label}の認証を取得していること。");
    }
    if f.info.is_public_body() && f.kind != TenderKind::Need {
        s.push_str("・地方自治法施行令第167条の4の規定に該当しない者であること。\n");
    }
    if f.kind == TenderKind::SealedBid && f.info.data.kind != BuyerKind::PrivateCompany {
        s.push_str("・公告日から開札日までの間に、指名停止の措置を受けていないこと。\n");
    }

    s.push_str(if f.kind == TenderKind::Need {
        "\n■選定の進め方\n"
    } else {
        "\n■契約方法等\n"
    });
    let method_line = match (f.kind, f.method) {
        (TenderKind::SealedBid, ContractMethod::Open) => "一般競争入札（電子入札）により行います。",
        (TenderKind::SealedBid, ContractMethod::SelectiveByApplication) => {
            "希望制指名競争入札により行います。参加を希望する者は参加申請期間内に申請してください。審査の上、指名する者に通知します。"
        }
        (TenderKind::SealedBid, _) => {
            "指名競争入札により行います。指名通知を受けた者のみ入札に参加できます。"
        }
        (TenderKind::Rfq, ContractMethod::Open) => {
            "オープンカウンター方式による見積合わせを行います。参加資格を満たす方はどなたでも見積書を提出できます。"
        }
        (TenderKind::Rfq, _) => "見積合わせ（随意契約）により契約の相手方を決定します。",
        (TenderKind::Proposal, ContractMethod::Open) => {
            "公募型プロポーザル方式により契約候補者を選定します。"
        }
        (TenderKind::Proposal, ContractMethod::SelectiveByApplication) => {
            "参加表明書を提出し、参加資格の確認を受けた者が企画提案書を提出できます（公募型プロポーザル方式）。"
        }
        (TenderKind::Proposal, _) => {
            "簡易公募型プロポーザル方式により契約候補者を選定し、随意契約を締結します。"
        }
        (TenderKind::Need, _) => {
            "ご提案の内容を確認の上、面談・意見交換を経て連携先を選定します。複数の事業者を選定する場合があります。"
        }
    };
    let _ = writeln!(s, "・{method_line}");
    let award_line = match (f.kind, f.award_method) {
        (TenderKind::Rfq, _) => Some("最も低い価格の見積書を提出した者を契約の相手方とします。"),
        (_, AwardMethod::LowestPrice) => {
            Some("予定価格の制限の範囲内で最低の価格をもって有効な入札を行った者を落札者とします。")
        }
        (_, AwardMethod::BestValueAdditive) => Some(
            "総合評価落札方式（加算方式）により、価格点と技術点の合計が最も高い者を落札者とします。",
        ),
        (_, AwardMethod::BestValueDivision) => Some(
            "総合評価落札方式（除算方式）により、技術評価点を入札価格で除した評価値が最も高い者を落札者とします。",
        ),
        (TenderKind::Proposal, AwardMethod::ProposalEvaluation) => {
            Some("審査委員会が提案内容を評価し、最も優れた提案を行った者を契約候補者とします。")
        }
        _ => None,
    };
    if let Some(line) = award_line {
        let _ = writeln!(s, "・{line}");
    }
    match (f.kind, f.reserve_price_publication, f.reserve_price) {
        (TenderKind::Proposal, _, Some(_)) => {
            let _ = writeln!(
                s,
                "・提案上限額は{}（税抜）です。これを超える見積りは失格とします。",
                yen(f.reserve_price)
            );
        }
        (_, ReservePricePublication::InAdvance, Some(_)) => {
            let _ = writeln!(
                s,
                "・予定価格は{}（税抜）です（事前公表）。",
                yen(f.reserve_price)
            );
        }
        (TenderKind::SealedBid, ReservePricePublication::AtOpening, Some(_)) => {
            s.push_str("・予定価格は事後公表とします。\n");
        }
        _ => {}
    }
    if f.minimum_price.is_some() {
        s.push_str("・最低制限価格を設定しています。これを下回る入札は失格とします（最低制限価格は開札後に公表します）。\n");
    }
    match f.kind {
        TenderKind::SealedBid => s.push_str("・入札書には税抜金額を記載してください。落札金額は、入札金額に消費税及び地方消費税相当額（10%）を加えた額とします。\n"),
        TenderKind::Rfq => s.push_str("・見積金額は税抜で記載してください。\n"),
        _ => {}
    }
    s.truncate(s.trim_end().len());
    s
}

// ---------------------------------------------------------------------------
// Questions and answers.

/// Question–answer pairs that fit a tender: the template's own and general
/// ones that agree with its facts.
fn qa_pool(c: &TenderContent, t: &Template, info: &BuyerInfo) -> Vec<(String, String)> {
    let mut pool: Vec<(String, String)> =
        t.qa.iter()
            .map(|(q, a)| ((*q).to_owned(), (*a).to_owned()))
            .collect();
    let mut add = |q: &str, a: String| pool.push((q.to_owned(), a));
    add(
        "仕様書に記載のない事項はどのように扱えばよいですか。",
        "仕様書に定めのない事項は、発注者と協議の上で決定します。".to_owned(),
    );
    match c.kind {
        TenderKind::SealedBid => {
            add(
                "入札書に記載する金額は税抜と税込のどちらですか。",
                "入札書には、消費税及び地方消費税を含まない金額（税抜）を記載してください。"
                    .to_owned(),
            );
            add(
                "最低制限価格は設定されていますか。",
                if c.minimum_price.is_some() {
                    "設定しています。金額は開札後に公表します。".to_owned()
                } else {
                    "本件では最低制限価格を設定していません。".to_owned()
                },
            );
        }
        TenderKind::Rfq => add(
            "見積書の有効期限はどの程度必要ですか。",
            "見積書の提出日から3か月以上としてください。".to_owned(),
        ),
        TenderKind::Proposal => {
            add(
                "企画提案書の枚数に制限はありますか。",
                "A4判片面20枚以内としてください（表紙及び目次を除きます）。".to_owned(),
            );
            add(
                "プレゼンテーションはオンラインで参加できますか。",
                "原則として対面で実施しますが、事前にご相談いただければオンラインでの参加も可能です。"
                    .to_owned(),
            );
            if c.reserve_price.is_some() {
                add(
                    "提案上限額を超える見積書を提出した場合はどうなりますか。",
                    format!(
                        "提案上限額（{}、税抜）を超える見積書を提出した者は失格とします。",
                        yen(c.reserve_price)
                    ),
                );
            }
        }
        TenderKind::Need => {
            add(
                "試作にかかる費用の負担はどうなりますか。",
                "試作段階の費用負担は、選定後に協議の上で決定します。".to_owned(),
            );
            add(
                "知的財産権の取扱いを教えてください。",
                "共同開発で生じた知的財産権の帰属は、貢献に応じて協議し、共同開発契約で定めます。"
                    .to_owned(),
            );
            add(
                "個人事業主やスタートアップも応募できますか。",
                "応募できます。法人格の有無や設立からの年数は問いません。".to_owned(),
            );
        }
    }
    if matches!(c.kind, TenderKind::SealedBid | TenderKind::Rfq) && c.reserve_price.is_some() {
        if c.reserve_price_publication == ReservePricePublication::InAdvance {
            add(
                "予定価格は公表されていますか。",
                format!(
                    "予定価格は{}（税抜）で、本公告と併せて公表しています。",
                    yen(c.reserve_price)
                ),
            );
        } else {
            add(
                "予定価格を事前に教えていただけますか。",
                "予定価格は事後公表としており、開札後に公表します。".to_owned(),
            );
        }
    }
    let e = &c.eligibility;
    if let Some(other) = Grade::ALL
        .iter()
        .find(|g| !e.grades.is_empty() && !e.grades.contains(g))
    {
        let grades: Vec<&str> = e.grades.iter().map(|g| g.code()).collect();
        add(
            &format!(
                "{}等級に格付けされていますが、参加できますか。",
                other.code()
            ),
            format!(
                "参加できません。本件の参加資格は、{}の{}等級に格付けされている者です。",
                c.category.name_ja(),
                grades.join("・")
            ),
        );
    }
    if c.kind != TenderKind::Need {
        if let Some(p) = e.prefectures.first() {
            add(
                &format!(
                    "本社は県外ですが、{}内に営業所があります。参加できますか。",
                    p.name_ja()
                ),
                "営業所に契約締結等の権限が委任されていれば参加できます。".to_owned(),
            );
        } else if e.is_nationwide() && c.place != Place::Online {
            add(
                "遠方の事業者でも参加できますか。",
                "参加できます。本件は所在地の要件を設けていません。".to_owned(),
            );
        }
    }
    if let Some(cert) = e.certifications.first() {
        let label = cert.name_ja().split('（').next().unwrap_or(cert.name_ja());
        add(
            &format!("{label}は現在取得手続き中です。参加できますか。"),
            "公告日時点で認証を取得していることが必要です。".to_owned(),
        );
    }
    if c.method == ContractMethod::SelectiveByApplication {
        add(
            "参加申請の結果はいつ通知されますか。",
            "参加申請の締切後、提出受付の開始までに指名・非指名の結果を通知します。".to_owned(),
        );
    }
    match c.category {
        Category::Works => {
            add(
                "現場説明会は実施しますか。",
                "実施しません。現地の確認を希望する場合は、質問受付期限までに担当へご連絡ください。"
                    .to_owned(),
            );
            add(
                "工期の延長は認められますか。",
                "原則として認めません。天候不順等やむを得ない事情がある場合は協議に応じます。"
                    .to_owned(),
            );
        }
        Category::Goods => add(
            "同等品での参加は可能ですか。",
            "可能です。同等品で参加する場合は、提出受付期限までに同等品承認申請書を提出し、承認を受けてください。"
                .to_owned(),
        ),
        Category::Services if t.period == Period::FiscalYear && info.is_public_body() => add(
            "前年度の契約金額を教えてください。",
            format!(
                "{}のウェブサイトで公表している契約締結状況をご覧ください。",
                info.gov
            ),
        ),
        Category::Services => {}
    }
    pool
}

fn attachments(
    rng: &mut SplitMix64,
    t: &Template,
    template_index: usize,
    kind: TenderKind,
) -> Vec<DemoFile> {
    let index = template_index as u16;
    let mut files = Vec::new();
    let works = t.category == Category::Works;
    if rng.chance(if works { 800 } else { 550 }) {
        files.push(DemoFile::Specification(index));
    }
    if works && rng.chance(600) {
        files.push(DemoFile::Drawing(index));
    }
    if files.len() < 2 && rng.chance(250) {
        files.push(DemoFile::Form(kind));
    }
    files
}

// ---------------------------------------------------------------------------
// Files: minimal PDFs and text forms.

/// A one-page A4 PDF: lines of Japanese text (size, x, y, text) in the
/// standard font HeiseiKakuGo-W5 (not embedded; every PDF viewer with
/// Japanese support has it or a substitute), plus optional drawing
/// operators.
fn pdf(lines: &[(u32, u32, u32, String)], drawing: &str) -> Vec<u8> {
    let mut content = String::new();
    for (size, x, y, text) in lines {
        let _ = write!(content, "BT /F1 {size} Tf {x} {y} Td <");
        for unit in text.encode_utf16() {
            let _ = write!(content, "{unit:04X}");
        }
        content.push_str("> Tj ET\n");
    }
    content.push_str(drawing);

    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
        "<< /Type /Font /Subtype /Type0 /BaseFont /HeiseiKakuGo-W5 /Encoding /UniJIS-UCS2-H /DescendantFonts [6 0 R] >>".to_owned(),
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HeiseiKakuGo-W5 /CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 /W [1 95 500] >>".to_owned(),
        "<< /Type /FontDescriptor /FontName /HeiseiKakuGo-W5 /Flags 4 /FontBBox [-92 -250 1010 922] /ItalicAngle 0 /Ascent 752 /Descent -221 /CapHeight 737 /StemV 114 >>".to_owned(),
    ];
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (n, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", n + 1).as_bytes());
    }
    let xref = out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        let _ = writeln!(tail, "{offset:010} 00000 n ");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(tail.as_bytes());
    out
}

/// Splits text into lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(width).map(|c| c.iter().collect()).collect()
}

/// Lays out paragraphs top-down from y = 770; a paragraph is (size, indent,
/// text).
fn layout(paragraphs: &[(u32, u32, String)]) -> Vec<(u32, u32, u32, String)> {
    let mut y = 780;
    let mut lines = Vec::new();
    for (size, indent, text) in paragraphs {
        if text.is_empty() {
            y -= size;
            continue;
        }
        let width = ((495 - indent) / size) as usize;
        for line in wrap(text, width.max(10)) {
            y -= size + size / 2;
            if y < 60 {
                return lines;
            }
            lines.push((*size, 50 + indent, y, line));
        }
    }
    lines
}

fn specification_pdf(t: &Template) -> Vec<u8> {
    let mut p: Vec<(u32, u32, String)> = vec![
        (16, 120, format!("{} 仕様書", t.name)),
        (11, 0, String::new()),
        (11, 0, "1 目的".to_owned()),
        (
            11,
            11,
            format!(
                "本仕様書は、{}の実施に関し必要な事項を定めるものである。",
                t.name
            ),
        ),
        (11, 0, format!("2 {}", t.heading)),
    ];
    for (k, item) in t.scope.iter().enumerate() {
        let item = item.replace("{site}", "履行場所");
        p.push((11, 11, format!("（{}）{item}", k + 1)));
    }
    let period = match (t.category, t.period) {
        (Category::Works, _) => "3 工期及び施工場所",
        (_, Period::Delivery(..)) => "3 納入期限及び納入場所",
        _ => "3 履行期間及び履行場所",
    };
    p.push((11, 0, period.to_owned()));
    p.push((11, 11, "公告及び契約書に定めるとおりとする。".to_owned()));
    p.push((11, 0, "4 提出書類".to_owned()));
    let documents = match (t.category, t.period) {
        (Category::Works, _) => {
            "工事着手届、工程表、施工計画書、工事完成届、その他発注者が指示する書類"
        }
        (_, Period::Delivery(..)) => "納品書、保証書、取扱説明書、その他発注者が指示する書類",
        _ => "業務着手届、業務計画書、業務報告書（月次）、業務完了届、その他発注者が指示する書類",
    };
    p.push((11, 11, documents.to_owned()));
    p.push((11, 0, "5 その他".to_owned()));
    p.push((
        11,
        11,
        "本仕様書に定めのない事項及び疑義が生じた事項については、発注者と協議の上決定する。"
            .to_owned(),
    ));
    p.push((11, 0, String::new()));
    p.push((9, 0, "※本書はデモ用の架空の資料です。".to_owned()));
    pdf(&layout(&p), "")
}

fn drawing_pdf(t: &Template) -> Vec<u8> {
    let lines = vec![
        (14, 50, 790, format!("{} 図面（配置図・平面図）", t.name)),
        (9, 60, 680, "既存棟".to_owned()),
        (9, 330, 680, "改修範囲".to_owned()),
        (9, 60, 250, "敷地境界線".to_owned()),
        (9, 380, 150, "縮尺 1:200　図面番号 A-01".to_owned()),
        (9, 380, 135, "※デモ用の架空の図面です。".to_owned()),
    ];
    // Site boundary, two buildings, the area of the works hatched, a
    // north arrow and the title block.
    let mut drawing = String::from("0.8 w 50 240 495 520 re S\n1.5 w 80 420 200 240 re S\n");
    drawing
        .push_str("1.5 w 320 360 180 320 re S\n0.5 w 80 540 m 280 540 l S 180 420 m 180 660 l S\n");
    let mut x = 320;
    while x < 500 {
        let _ = writeln!(drawing, "0.3 w {x} 360 m {} 410 l S", x + 50);
        x += 12;
    }
    drawing.push_str("1 w 520 700 m 520 740 l S 512 728 m 520 744 l 528 728 l S\n");
    drawing.push_str("0.8 w 370 120 175 60 re S\n");
    pdf(&lines, &drawing)
}

fn form_text(kind: TenderKind) -> String {
    let (title, rows): (&str, &[&str]) = match kind {
        TenderKind::Rfq => (
            "見積書",
            &[
                "件名：",
                "見積金額（税抜）：　　　　　　　　　円",
                "納入（履行）予定日：",
                "見積有効期限：見積書提出日から3か月",
                "商号又は名称：",
                "代表者職氏名：",
                "担当者氏名・電話番号：",
            ],
        ),
        TenderKind::SealedBid => (
            "質問書",
            &[
                "件名：",
                "商号又は名称：",
                "担当者氏名：",
                "電話番号：",
                "電子メール：",
                "",
                "番号｜該当箇所（資料名・頁・項目）｜質問内容",
                "1｜　｜",
                "2｜　｜",
                "3｜　｜",
            ],
        ),
        TenderKind::Proposal => (
            "企画提案書",
            &[
                "件名：",
                "提案者（商号又は名称）：",
                "1 業務の実施方針",
                "2 業務の実施体制（配置予定者と実績）",
                "3 提案内容（評価項目ごとに記載）",
                "4 工程計画",
                "5 見積額（税抜）：　　　　　　　　　円",
                "※A4判片面20枚以内（表紙・目次を除く）",
            ],
        ),
        TenderKind::Need => (
            "応募用紙",
            &[
                "ニーズ名：",
                "事業者名：",
                "所在地：",
                "担当者氏名・連絡先：",
                "1 提案する技術・製品の概要",
                "2 ニーズの解決方法",
                "3 想定するスケジュールと体制",
                "4 これまでの実績（あれば）",
            ],
        ),
    };
    let mut s = format!("{title}（様式）\n\n令和　　年　　月　　日\n\n");
    for row in rows {
        s.push_str(row);
        s.push('\n');
    }
    s.push_str("\n※本システムの提出機能からも提出できます。質問への回答は質問者名を伏せて公開します。\n※本様式はデモ用の架空の様式です。\n");
    s
}

// ---------------------------------------------------------------------------
// Tables: facility names and the templates.

const OFFICES_PUBLIC: &[&str] = &[
    "本庁舎",
    "本庁舎",
    "本庁舎",
    "第二庁舎",
    "分庁舎",
    "東庁舎",
    "議会棟",
    "{area}出張所",
    "{area}支所",
    "{area}合同庁舎",
];
const OFFICES_BUREAU: &[&str] = &["本庁舎", "{area}事務所", "{area}営業所", "{area}分室"];
const OFFICES_PRIVATE: &[&str] = &[
    "本社ビル",
    "本社事務所",
    "{area}支社",
    "{area}事業所",
    "研修センター",
];
const CULTURE: &[&str] = &[
    "{s}民会館",
    "{s}民文化センター",
    "中央図書館",
    "{s}立美術館",
    "郷土資料館",
    "生涯学習センター",
    "{s}民ホール",
    "男女共同参画センター",
    "{area}公民館",
    "{area}コミュニティセンター",
];
const SPORTS: &[&str] = &[
    "総合体育館",
    "{s}民プール",
    "{s}営陸上競技場",
    "武道館",
    "{area}スポーツセンター",
    "{area}地区体育館",
];
const SCHOOLS_CITY: &[&str] = &[
    "{s}立{school_stem}小学校",
    "{s}立{school_stem}小学校",
    "{s}立{school_stem}中学校",
    "{s}立{area}小学校",
    "{s}立{area}中学校",
];
const SCHOOLS_PREF: &[&str] = &[
    "{s}立{area}高等学校",
    "{s}立{area}東高等学校",
    "{s}立{area}西高等学校",
    "{s}立{area}南高等学校",
    "{s}立{area}工業高等学校",
    "{s}立{area}商業高等学校",
    "{s}立{area}特別支援学校",
];
const SCHOOL_STEMS: &[&str] = &[
    "第一",
    "第二",
    "第三",
    "中央",
    "東",
    "西",
    "南",
    "北",
    "桜台",
    "緑が丘",
    "青葉",
    "若葉",
    "旭",
    "富士見",
    "城山",
    "泉",
    "松原",
    "栄",
    "柳町",
    "白山",
];
const HEALTH: &[&str] = &[
    "保健センター",
    "{area}保健センター",
    "福祉会館",
    "子育て支援センター",
    "{area}児童館",
    "休日診療所",
    "{area}地域包括支援センター",
];
const ENVIRONMENT: &[&str] = &[
    "清掃工場",
    "{area}清掃工場",
    "リサイクルセンター",
    "{area}クリーンセンター",
    "最終処分場",
    "斎場",
];
const PARKS: &[&str] = &[
    "{area}公園",
    "{area}公園",
    "中央公園",
    "{area}運動公園",
    "{area}緑地",
    "{s}民の森",
];
const ROADS: &[&str] = &["{s}道{area}線", "{s}道{area}{n}号線", "{area}地区生活道路"];
const RIVERS: &[&str] = &[
    "境川",
    "中川",
    "新川",
    "前川",
    "黒川",
    "白川",
    "古川",
    "大堀川",
    "堀川",
    "宮川",
];
const BRIDGES: &[&str] = &["{area}橋", "新{area}橋", "{riv}橋", "{area}歩道橋"];
const WATERWORKS: &[&str] = &[
    "{area}浄水場",
    "{area}配水場",
    "{area}配水池",
    "{area}ポンプ所",
    "{area}水再生センター",
];
const DEPOTS: &[&str] = &["{area}車両基地", "{area}自動車営業所", "{area}検車場"];
const TOKYO_PIERS: &[&str] = &[
    "品川ふ頭",
    "大井ふ頭",
    "青海ふ頭",
    "竹芝ふ頭",
    "晴海ふ頭",
    "日の出ふ頭",
];
const HOSPITALS: &[&str] = &[
    "{area}医療センター",
    "{area}病院",
    "{area}総合医療センター",
    "{area}小児医療センター",
];
const BIG_SITE_HALLS: &[&str] = &["東展示棟", "西展示棟", "南展示棟", "会議棟"];
const VENUES: &[&str] = &["{s}民ホール", "{area}文化会館", "{area}産業会館"];
const EVENTS: &[&str] = &[
    "{short}ものづくり産業展",
    "{short}観光物産展",
    "{short}ビジネスマッチングフェア",
    "{short}防災フェア",
    "{short}食の商談会",
    "{short}産業交流展",
    "創業支援フェア",
    "{short}ふるさとフェア",
];
const PLANTS: &[&str] = &[
    "本社工場",
    "{area}工場",
    "{area}工場",
    "第二工場",
    "技術開発センター",
    "{area}物流センター",
];
const STORES: &[&str] = &["本店", "{area}店", "{area}店", "{area}サテライトショップ"];
const HOTELS: &[&str] = &[
    "{brand}ホテル{area}",
    "{brand}イン{area}",
    "{brand}リゾート{area}",
];
const HOUSING_ESTATES: &[&str] = &["{area}住宅", "{area}団地"];
/// The last [`LOCAL_SYSTEMS`] serve residents: only for prefectures and
/// municipalities.
const SYSTEMS: &[&str] = &[
    "財務会計システム",
    "文書管理システム",
    "電子申請システム",
    "庁内ネットワーク",
    "ホームページ管理システム",
    "人事給与システム",
    "統合型地理情報システム",
    "グループウェア",
    "電子入札システム",
    "防災情報システム",
    "図書館情報システム",
    "公共施設予約システム",
    "住民情報システム",
    "学習用端末管理システム",
];
const LOCAL_SYSTEMS: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    /// To 31 March (an annual contract).
    FiscalYear,
    /// From shortly after the contract, this many months (lo..=hi).
    Months(u32, u32),
    /// Goods: delivered within this many days of the contract (lo..=hi).
    Delivery(u32, u32),
    /// ニーズ: no fixed period.
    Open,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dept {
    Contract,
    Facilities,
    Building,
    Civil,
    It,
    Pr,
    Education,
    Welfare,
    Industry,
    Environment,
    Water,
    Transit,
    Medical,
    Innovation,
    Purchasing,
    Housing,
}

/// (public body, public corporation, private company, mailbox).
fn department(d: Dept) -> (&'static str, &'static str, &'static str, &'static str) {
    match d {
        Dept::Contract => (
            "財務部 契約課",
            "総務部 契約課",
            "調達本部 購買部",
            "keiyaku",
        ),
        Dept::Facilities => (
            "総務部 管財課",
            "総務部 施設管理課",
            "総務部 ファシリティ管理課",
            "kanzai",
        ),
        Dept::Building => (
            "都市整備部 営繕課",
            "施設部 建築課",
            "施設管理部 設備課",
            "eizen",
        ),
        Dept::Civil => ("建設部 道路課", "工務部 工事課", "施設部 工務課", "doboku"),
        Dept::It => (
            "総務部 情報政策課",
            "経営企画部 情報システム課",
            "情報システム部 システム企画課",
            "joho",
        ),
        Dept::Pr => (
            "政策企画部 広報課",
            "経営企画部 広報課",
            "コーポレートコミュニケーション部",
            "koho",
        ),
        Dept::Education => (
            "教育委員会事務局 教育総務課",
            "総務部 総務課",
            "人事総務部 総務課",
            "kyoiku",
        ),
        Dept::Welfare => (
            "保健福祉部 福祉政策課",
            "総務部 総務課",
            "人事総務部 総務課",
            "fukushi",
        ),
        Dept::Industry => (
            "産業振興部 商工観光課",
            "事業推進部 事業企画課",
            "営業企画部 販売促進課",
            "sangyo",
        ),
        Dept::Environment => (
            "環境部 環境政策課",
            "施設部 環境管理課",
            "環境安全部 環境管理課",
            "kankyo",
        ),
        Dept::Water => ("水道部 工務課", "施設部 工務課", "施設部 工務課", "suido"),
        Dept::Transit => (
            "交通局 施設課",
            "施設部 工務課",
            "鉄道事業本部 施設部",
            "kotsu",
        ),
        Dept::Medical => (
            "病院経営本部 医療機器管理課",
            "医療技術部 医工連携推進室",
            "医療機器開発室",
            "iryo",
        ),
        Dept::Innovation => (
            "政策企画部 DX推進課",
            "事業推進部 イノベーション推進課",
            "研究開発本部 オープンイノベーション推進室",
            "innovation",
        ),
        Dept::Purchasing => (
            "会計管理室 物品契約担当",
            "総務部 調達課",
            "調達本部 購買部",
            "kobai",
        ),
        Dept::Housing => (
            "住宅政策部 住宅整備課",
            "住宅管理部 保全課",
            "不動産管理部",
            "jutaku",
        ),
    }
}

/// What one kind of job looks like. A title variant fits the buyers with
/// one of its sectors.
struct Template {
    key: &'static str,
    /// The job's generic name (the 仕様書's title).
    name: &'static str,
    category: Category,
    /// Weights of rfq, sealed_bid, proposal, need.
    kinds: [u32; 4],
    weight: u32,
    titles: &'static [(Sectors, &'static str)],
    /// Values of `{x}`.
    x: &'static [&'static str],
    /// JSIC codes demo suppliers are registered under (see trades.rs).
    jsic: &'static [&'static str],
    /// The 業種 as a buyer's list of qualified bidders names it.
    trade: &'static str,
    /// Size of the job in 万円 (税抜), log-uniform.
    price: (u32, u32),
    period: Period,
    purpose: &'static [&'static str],
    heading: &'static str,
    scope: &'static [&'static str],
    /// A certification some buyers require, per mille.
    cert: Option<(&'static str, u32)>,
    dept: Dept,
    /// Per mille of tenders done remotely (place オンライン).
    online: u32,
    /// Design and planning work: best-value awards are common.
    design: bool,
    qa: &'static [(&'static str, &'static str)],
}

/// The 業種 a template's buyer asks for (建物清掃, 土木一式 …), by key.
pub(super) fn template_trade(key: &str) -> Option<&'static str> {
    TEMPLATES.iter().find(|t| t.key == key).map(|t| t.trade)
}

/// The key of every template (for the expert picks' tests).
#[cfg(test)]
pub(super) fn template_keys() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|t| t.key)
}

const BASE: Template = Template {
    key: "",
    name: "",
    category: Category::Services,
    kinds: [2, 8, 0, 0],
    weight: 10,
    titles: &[],
    x: &[],
    jsic: &[],
    trade: "",
    price: (100, 1000),
    period: Period::FiscalYear,
    purpose: &[],
    heading: "業務内容",
    scope: &[],
    cert: None,
    dept: Dept::Contract,
    online: 0,
    design: false,
    qa: &[],
};

const BUILDINGS: Sectors = GOV | HOSP | EVENT | SME | DIGITAL | HOUSING | WATER | TRANSIT | PORT;
const PRIVATE: Sectors = MAKER | RETAIL | FOOD;

const TEMPLATES: &[Template] = &[
    // ----- 役務: 建物の管理 -----
    Template {
        key: "cleaning",
        name: "施設清掃業務",
        weight: 30,
        titles: &[
            (BUILDINGS | PRIVATE, "{fy}{office}清掃業務委託"),
            (LOCAL, "{fy}{culture}清掃業務委託"),
            (GOV, "{fy}{office}ほか{n}施設清掃業務委託"),
            (CITY, "{fy}{health}清掃業務委託"),
            (HOSP, "{fy}{hosp}院内清掃業務委託"),
            (RETAIL, "{fy}{store}館内清掃業務委託"),
            (TRANSIT, "{fy}{station}ほか駅舎清掃業務委託"),
        ],
        jsic: &["9221"],
        trade: "建物清掃",
        price: (300, 4000),
        purpose: &[
            "{site}の清潔で快適な環境を保ち、利用者及び職員が安全に施設を利用できるよう、日常清掃及び定期清掃を委託するものです。",
            "本業務は、{site}の床面、トイレ、窓ガラス等の清掃を行い、施設の衛生環境を維持することを目的とします。",
        ],
        scope: &[
            "日常清掃（執務室・廊下・階段・トイレ・給湯室）",
            "定期清掃（床面洗浄及びワックス塗布、年4回）",
            "窓ガラス清掃（外面・内面、年2回）",
            "カーペットのシャンプー洗浄（年1回）",
            "廃棄物の分別及び集積所への搬出",
            "衛生消耗品（トイレットペーパー等）の補充",
            "清掃作業日報の作成と月次報告",
        ],
        dept: Dept::Facilities,
        qa: &[
            (
                "清掃用の資機材は受注者の負担ですか。",
                "清掃用資機材及び洗剤等は受注者の負担とします。衛生消耗品は発注者が支給します。",
            ),
            (
                "日常清掃の作業時間帯に指定はありますか。",
                "開庁時間前の午前7時から午前8時30分までを基本とし、トイレ巡回清掃は日中にも行ってください。",
            ),
            (
                "作業員の控室は用意されますか。",
                "地下1階の清掃員控室を無償で貸与します。",
            ),
        ],
        ..BASE
    },
    Template {
        key: "facility_management",
        name: "施設総合管理業務",
        weight: 12,
        titles: &[
            (LOCAL | EVENT | SME, "{fy}{culture}施設総合管理業務委託"),
            (BUILDINGS, "{fy}{office}設備運転監視業務委託"),
            (LOCAL, "{fy}{sports}管理運営業務委託"),
            (HOSP, "{fy}{hosp}設備管理業務委託"),
        ],
        jsic: &["9229", "9221"],
        trade: "建物設備管理",
        price: (500, 6000),
        purpose: &[
            "{site}の電気、空調、給排水等の設備を適切に運転・監視し、施設を安全かつ効率的に運営するため、設備管理業務を委託するものです。",
        ],
        scope: &[
            "設備機器の運転監視及び日常点検",
            "電気設備の月次点検及び年次点検の立会い",
            "中央監視装置による遠隔監視",
            "小規模修繕及び消耗部品の交換",
            "エネルギー使用量の記録と省エネルギーの提案",
            "緊急時の初動対応（24時間連絡体制）",
        ],
        dept: Dept::Facilities,
        qa: &[(
            "常駐の人数は何名を想定していますか。",
            "平日日中2名、夜間・休日1名の常駐を想定しています。詳細は仕様書別紙の配置表をご確認ください。",
        )],
        ..BASE
    },
    Template {
        key: "hvac_maintenance",
        name: "空調設備保守点検業務",
        weight: 14,
        titles: &[
            (BUILDINGS | PRIVATE, "{fy}{office}空調設備保守点検業務委託"),
            (CITY | PREF, "{fy}{school}空調設備保守点検業務委託"),
            (LOCAL, "{fy}{culture}空調設備保守点検業務委託"),
            (HOSP, "{fy}{hosp}空調設備保守点検業務委託"),
        ],
        jsic: &["0832", "0833"],
        trade: "管工事（保守点検）",
        price: (100, 1500),
        purpose: &[
            "{site}に設置している空調設備の機能を維持し、快適な室内環境を確保するため、定期的な保守点検を委託するものです。",
        ],
        scope: &[
            "冷温水発生機・空冷ヒートポンプの定期点検（年4回）",
            "フロン排出抑制法に基づく簡易点検及び定期点検",
            "フィルター清掃及び交換",
            "冷却塔の清掃及び水質管理",
            "冷暖房切替時の試運転調整",
            "故障時の応急対応",
        ],
        dept: Dept::Building,
        qa: &[(
            "点検対象機器の一覧はありますか。",
            "仕様書別表に機器の型式・台数を記載しています。添付の仕様書をご確認ください。",
        )],
        ..BASE
    },
    Template {
        key: "elevator_maintenance",
        name: "昇降機設備保守点検業務",
        weight: 8,
        titles: &[
            (
                BUILDINGS | PRIVATE,
                "{fy}{office}昇降機設備保守点検業務委託",
            ),
            (LOCAL, "{fy}{culture}エレベーター保守点検業務委託"),
            (HOUSING, "{fy}{housing}エレベーター保守点検業務委託"),
        ],
        jsic: &["0841"],
        trade: "機械器具設置（昇降機）",
        price: (100, 900),
        purpose: &[
            "{site}に設置しているエレベーターの安全な運行を確保するため、建築基準法に基づく定期検査を含む保守点検を委託するものです。",
        ],
        scope: &[
            "フルメンテナンス契約による月次点検",
            "建築基準法第12条に基づく定期検査及び報告書の作成",
            "遠隔監視装置による24時間監視",
            "閉じ込め等の故障時の緊急出動",
            "部品の交換及び調整",
        ],
        dept: Dept::Building,
        ..BASE
    },
    Template {
        key: "fire_equipment",
        name: "消防用設備等保守点検業務",
        weight: 8,
        titles: &[
            (LOCAL, "{fy}{culture}消防用設備等保守点検業務委託"),
            (CITY | PREF, "{fy}{school}ほか消防用設備等点検業務委託"),
            (BUILDINGS | PRIVATE, "{fy}{office}消防用設備等点検業務委託"),
        ],
        jsic: &["9229"],
        trade: "消防設備点検",
        price: (50, 600),
        purpose: &[
            "消防法第17条の3の3に基づき、{site}の消防用設備等の機器点検及び総合点検を行うものです。",
        ],
        scope: &[
            "自動火災報知設備の機器点検（年2回）及び総合点検（年1回）",
            "消火器・屋内消火栓設備の点検",
            "誘導灯及び非常照明の点検",
            "消防署への点検結果報告書の作成・提出",
            "不良箇所の報告と改修の提案",
        ],
        dept: Dept::Facilities,
        ..BASE
    },
    Template {
        key: "security",
        name: "施設警備業務",
        weight: 10,
        titles: &[
            (BUILDINGS | PRIVATE, "{fy}{office}警備業務委託"),
            (LOCAL, "{fy}{culture}機械警備業務委託"),
            (RETAIL, "{fy}{store}保安警備業務委託"),
            (HOSP, "{fy}{hosp}警備業務委託"),
        ],
        jsic: &["9231"],
        trade: "警備",
        price: (200, 5000),
        purpose: &[
            "{site}における盗難、火災等の事故を防止し、利用者と職員の安全を確保するため、警備業務を委託するものです。",
        ],
        scope: &[
            "常駐警備（出入管理・巡回・鍵の管理）",
            "機械警備による夜間・休日の監視と異常時の出動",
            "防災センターでの監視業務",
            "開館・閉館時の施錠確認",
            "事件・事故発生時の初動対応と報告",
        ],
        dept: Dept::Facilities,
        qa: &[(
            "警備員の資格要件はありますか。",
            "施設警備業務検定2級以上の合格者を1名以上配置してください。",
        )],
        ..BASE
    },
    Template {
        key: "event_security",
        name: "イベント会場警備業務",
        kinds: [4, 6, 0, 0],
        weight: 3,
        titles: &[
            (EVENT | SME | PREF, "{event}会場警備業務委託"),
            (CITY, "{fy}{short}花火大会雑踏警備業務委託"),
            (EVENT, "{venue}催事警備業務委託"),
        ],
        jsic: &["9231"],
        trade: "警備",
        price: (100, 2000),
        period: Period::Months(1, 3),
        purpose: &[
            "来場者の安全確保と円滑な誘導のため、警備業法に基づく雑踏警備・交通誘導警備を委託するものです。",
        ],
        scope: &[
            "会場内外の雑踏警備及び来場者の誘導",
            "駐車場・周辺道路の交通誘導",
            "警備計画書の作成と所轄警察署との調整",
            "救護所・本部との連絡体制の確保",
            "遺失物・迷子への対応",
        ],
        dept: Dept::Industry,
        qa: &[(
            "警備員の配置人数の目安はありますか。",
            "前回は延べ120名を配置しました。警備計画書で必要人数を提案してください。",
        )],
        ..BASE
    },
    // ----- 物品・役務: 印刷・広報 -----
    Template {
        key: "printing_public",
        name: "広報印刷物の印刷",
        category: Category::Goods,
        kinds: [4, 6, 0, 0],
        weight: 18,
        titles: &[
            (LOCAL, "{fy}広報紙「{short}だより」印刷業務"),
            (LOCAL, "{fy}{short}暮らしのガイドブック作成及び印刷業務"),
            (
                GOV | HOSP | SME | EVENT | DIGITAL,
                "{fy}封筒（長形3号ほか）印刷",
            ),
            (CITY | PREF, "{fy}納税通知書等帳票印刷業務"),
            (GOV | SME | EVENT | HOSP, "{fy}事業概要冊子印刷"),
            (CITY | PREF, "{fy}選挙公報印刷業務"),
            (LOCAL | EVENT, "{fy}観光パンフレット増刷"),
        ],
        jsic: &["1511"],
        trade: "印刷",
        price: (30, 900),
        period: Period::Months(3, 12),
        purpose: &[
            "{gov}が発行する印刷物について、仕様書に定める規格により印刷・製本し、指定の場所に納品するものです。",
            "住民に行政情報を分かりやすく届けるため、広報印刷物を作成するものです。",
        ],
        heading: "調達内容",
        scope: &[
            "A4判・フルカラー・中綴じ（各号の頁数は仕様書のとおり）",
            "用紙は古紙パルプ配合の再生紙を使用",
            "デザインデータ（PDF）からの製版・印刷・製本",
            "色校正1回、文字校正2回",
            "指定場所への分納及び配送",
            "個人情報を含むデータの適正な管理と消去",
        ],
        cert: Some(("privacy_mark", 200)),
        dept: Dept::Pr,
        qa: &[
            (
                "校正は何回を想定していますか。",
                "色校正1回、文字校正2回を想定しています。",
            ),
            (
                "入稿データの形式を教えてください。",
                "PDF/X-1a形式で提供します。修正が生じた場合はInDesign形式のデータも提供します。",
            ),
        ],
        ..BASE
    },
    Template {
        key: "printing_private",
        name: "販促印刷物の制作",
        category: Category::Goods,
        kinds: [9, 1, 0, 0],
        weight: 6,
        titles: &[
            (PRIVATE, "会社案内パンフレット改訂・印刷"),
            (RETAIL, "{store}季節カタログ印刷"),
            (MAKER, "製品カタログ（和英）印刷"),
            (FOOD, "新商品パッケージ印刷"),
        ],
        jsic: &["1511"],
        trade: "印刷",
        price: (30, 800),
        period: Period::Delivery(20, 60),
        purpose: &[
            "販売促進に用いる印刷物の印刷・製本を行うものです。デザインデータは当社から支給します。",
        ],
        heading: "調達内容",
        scope: &[
            "A4判・フルカラー・無線綴じ",
            "FSC認証紙の使用",
            "色校正1回",
            "全国の支店・営業所への分納",
        ],
        dept: Dept::Pr,
        ..BASE
    },
    Template {
        key: "design_production",
        name: "広報物企画制作業務",
        kinds: [1, 2, 7, 0],
        weight: 12,
        titles: &[
            (
                LOCAL | EVENT,
                "{fy}{short}観光PRパンフレット企画制作業務委託",
            ),
            (LOCAL, "{fy}シティプロモーション動画制作業務委託"),
            (
                LOCAL | SME | HOSP,
                "{fy}{short}公式ウェブサイトリニューアル業務委託",
            ),
            (LOCAL, "{fy}移住定住促進PRツール制作業務委託"),
            (SME | EVENT, "{fy}{event}広報物企画制作業務委託"),
        ],
        jsic: &["7261", "7311"],
        trade: "広告・デザイン",
        price: (100, 2500),
        period: Period::Months(3, 10),
        purpose: &[
            "{short}の魅力を広く発信し、認知度の向上と来訪者の増加につなげるため、広報物の企画から制作までを委託するものです。",
            "情報を必要とする人に分かりやすく届けるため、デザインと構成を一新した広報物を制作するものです。",
        ],
        scope: &[
            "ターゲット設定と企画コンセプトの提案",
            "取材・撮影及び原稿作成",
            "デザイン・レイアウト（アクセシビリティへの配慮を含む）",
            "動画・ウェブ用素材の二次利用を前提としたデータ納品",
            "効果測定の方法と報告",
        ],
        dept: Dept::Pr,
        online: 300,
        design: true,
        ..BASE
    },
    // ----- 役務: 情報システム -----
    Template {
        key: "system_operation",
        name: "情報システム運用保守業務",
        kinds: [1, 6, 3, 0],
        weight: 16,
        titles: &[
            (
                GOV | DIGITAL | WATER | TRANSIT | HOUSING | SME,
                "{fy}{sys}運用保守業務委託",
            ),
            (GOV | DIGITAL, "{fy}{sys}ヘルプデスク業務委託"),
            (HOSP, "{fy}{hosp}電子カルテシステム運用保守業務委託"),
            (PRIVATE, "{fy}基幹業務システム運用保守業務"),
        ],
        jsic: &["3921", "3911"],
        trade: "情報処理",
        price: (300, 12000),
        purpose: &[
            "{gov}で稼働している情報システムを安定して運用するため、運用保守業務を委託するものです。",
            "システムの障害を未然に防ぎ、利用者の問い合わせに迅速に対応する体制を確保することを目的とします。",
        ],
        scope: &[
            "システム監視及び障害発生時の一次対応（平日8時30分から18時）",
            "ソフトウェアの保守（法改正・制度改正への対応を含む）",
            "セキュリティパッチの適用とバックアップの確認",
            "利用者からの問い合わせ対応（ヘルプデスク）",
            "月次運用報告書の作成と定例会の開催",
            "次期更新に向けた課題の整理と提案",
        ],
        cert: Some(("iso27001", 300)),
        dept: Dept::It,
        online: 250,
        qa: &[
            (
                "現行システムの設計書は閲覧できますか。",
                "秘密保持に関する誓約書を提出いただいた上で、担当課において閲覧できます。",
            ),
            (
                "リモートでの保守作業は可能ですか。",
                "発注者が指定する閉域網経由でのリモート保守を認めます。",
            ),
            (
                "障害対応の目標時間を教えてください。",
                "重大障害は連絡から1時間以内に一次対応を開始してください。",
            ),
        ],
        ..BASE
    },
    Template {
        key: "system_development",
        name: "情報システム構築業務",
        kinds: [0, 3, 7, 0],
        weight: 10,
        titles: &[
            (GOV | DIGITAL, "{sys}更新業務委託"),
            (GOV | DIGITAL | WATER | TRANSIT, "{sys}再構築業務委託"),
            (GOV | DIGITAL, "{sys}のガバメントクラウド移行支援業務委託"),
            (GOV | DIGITAL | SME, "電子申請サービス構築業務委託"),
            (PRIVATE | HOSP, "生産管理システム刷新に係る開発業務"),
        ],
        jsic: &["3911", "3921"],
        trade: "情報処理",
        price: (1500, 30_000),
        period: Period::Months(8, 18),
        purpose: &[
            "現行システムの保守期限を迎えることから、業務の効率化と利便性の向上を図るため、次期システムを構築するものです。",
            "標準化・クラウド化の方針に沿って、運用コストを抑えつつ安全性の高いシステムへ移行することを目的とします。",
        ],
        scope: &[
            "現行業務の分析と要件定義",
            "設計・開発・テスト（総合テスト及び受入テスト支援を含む）",
            "現行システムからのデータ移行",
            "操作研修の実施とマニュアルの作成",
            "稼働後1年間の瑕疵担保及び運用支援",
            "情報セキュリティ対策とアクセシビリティへの対応",
        ],
        cert: Some(("iso27001", 450)),
        dept: Dept::It,
        online: 200,
        design: true,
        qa: &[(
            "パッケージシステムの提案は可能ですか。",
            "可能です。カスタマイズの範囲と費用を明らかにしてください。",
        )],
        ..BASE
    },
    Template {
        key: "pc_procurement",
        name: "情報機器の調達",
        category: Category::Goods,
        kinds: [5, 5, 0, 0],
        weight: 14,
        titles: &[
            (ANY, "{fy}ノートパソコン等（{units}台）購入"),
            (GOV | DIGITAL, "{fy}タブレット端末（{units}台）購入"),
            (BUILDINGS | PRIVATE, "{fy}{office}複合機賃貸借"),
            (ANY, "{fy}プリンタトナーカートリッジ購入（単価契約）"),
            (CITY, "{fy}GIGAスクール端末更新に伴う端末購入"),
            (GOV | SME, "{fy}庁内無線LANアクセスポイント購入"),
        ],
        jsic: &["5414"],
        trade: "事務機器・情報機器",
        price: (50, 4000),
        period: Period::Delivery(30, 90),
        purpose: &[
            "業務に使用する情報機器を更新するため、仕様書に定める機器を購入するものです。",
            "老朽化した機器を更新し、業務の効率化と情報セキュリティの確保を図るものです。",
        ],
        heading: "調達内容",
        scope: &[
            "仕様書に定める性能以上の機器（同等品可）",
            "初期設定（キッティング）及び資産管理ラベルの貼付",
            "指定場所への搬入・設置",
            "旧機器のデータ消去証明書付き引取り",
            "納入後5年間のオンサイト保守",
        ],
        dept: Dept::Purchasing,
        ..BASE
    },
    Template {
        key: "office_supplies",
        name: "事務用品等の購入",
        category: Category::Goods,
        kinds: [7, 3, 0, 0],
        weight: 10,
        titles: &[
            (ANY, "{fy}コピー用紙購入（単価契約）"),
            (ANY, "{fy}事務用消耗品購入（単価契約）"),
            (CITY | PREF, "{fy}災害用備蓄品（簡易トイレほか）購入"),
            (GOV | HOSP, "{fy}感染症対策用消耗品購入"),
        ],
        jsic: &["5531", "5599"],
        trade: "文具・事務用品",
        price: (30, 700),
        purpose: &[
            "各課で使用する消耗品を、年間の単価契約により安定して調達するものです。",
            "災害時に備え、仕様書に定める物品を購入し、指定の備蓄倉庫に納入するものです。",
        ],
        heading: "調達内容",
        scope: &[
            "品目・規格・予定数量は仕様書別表のとおり（単価契約）",
            "グリーン購入法適合品とすること",
            "発注から5営業日以内の納品",
            "各課・各施設への個別配送",
        ],
        dept: Dept::Purchasing,
        ..BASE
    },
    Template {
        key: "furniture",
        name: "什器・備品の購入",
        category: Category::Goods,
        kinds: [5, 5, 0, 0],
        weight: 10,
        titles: &[
            (BUILDINGS | PRIVATE, "{office}移転に伴う什器購入"),
            (CITY, "{fy}{school}児童用机・椅子購入"),
            (LOCAL, "{culture}備品（書架ほか）購入"),
            (BUILDINGS | PRIVATE, "{fy}{office}執務用什器購入"),
            (HOSP, "{hosp}待合用ソファ購入"),
            (RETAIL, "{store}客室家具更新"),
        ],
        jsic: &["5511", "1311"],
        trade: "家具・什器",
        price: (50, 2500),
        period: Period::Delivery(30, 120),
        purpose: &[
            "{site}で使用する什器を購入し、設置まで行うものです。",
            "執務環境の改善を図るため、レイアウトに合わせた什器を購入・設置するものです。",
        ],
        heading: "調達内容",
        scope: &[
            "品名・規格・数量は仕様書別表のとおり（同等品可）",
            "指定場所への搬入・組立・設置",
            "梱包材の持ち帰り",
            "転倒防止措置（壁面・床面への固定）",
            "既存什器の撤去及び処分",
        ],
        dept: Dept::Facilities,
        ..BASE
    },
    Template {
        key: "uniforms",
        name: "被服の購入",
        category: Category::Goods,
        kinds: [6, 4, 0, 0],
        weight: 6,
        titles: &[
            (GOV | WATER | TRANSIT, "{fy}職員作業服購入"),
            (CITY, "{fy}消防団活動服購入"),
            (TRANSIT, "{fy}乗務員制服（夏服）購入"),
            (RETAIL | HOSP, "{fy}従業員ユニフォーム購入"),
            (GOV | WORKS, "{fy}防寒着購入"),
        ],
        jsic: &["5121", "1165"],
        trade: "被服",
        price: (30, 1500),
        period: Period::Delivery(45, 120),
        purpose: &["職員が着用する被服を、仕様書に定める規格により購入するものです。"],
        heading: "調達内容",
        scope: &[
            "品名・規格・数量は仕様書別表のとおり",
            "採寸の実施（希望者）とサイズ別の個別包装",
            "刺繍によるネーム入れ",
            "着用者ごとの仕分け納品",
        ],
        dept: Dept::Purchasing,
        qa: &[(
            "見本品の提出は必要ですか。",
            "入札参加者は、提出受付期限までに見本品を1着提出してください。",
        )],
        ..BASE
    },
    Template {
        key: "food_procurement",
        name: "食材の購入",
        category: Category::Goods,
        kinds: [6, 4, 0, 0],
        weight: 8,
        titles: &[
            (CITY, "{fy}学校給食用食材（{x}）購入"),
            (CITY | PREF, "{fy}災害用備蓄食料（アルファ化米ほか）購入"),
            (HOSP, "{fy}{hosp}患者給食用食材購入"),
            (FOOD | RETAIL, "{fy}加工用原料（{x}）の調達"),
        ],
        x: &[
            "精米",
            "牛乳",
            "冷凍食品",
            "青果",
            "食肉",
            "調味料",
            "国産大豆",
            "鮮魚",
        ],
        jsic: &["0999", "0932", "5226"],
        trade: "食料品",
        price: (100, 3000),
        purpose: &[
            "安全で質の高い食材を安定して調達するため、年間の単価契約により購入するものです。",
        ],
        heading: "調達内容",
        scope: &[
            "品目・規格・予定数量は仕様書別表のとおり（単価契約）",
            "産地及び生産履歴の明示",
            "指定日・指定時刻の配送（保冷車による）",
            "細菌検査・残留農薬検査の結果報告（年2回）",
        ],
        cert: Some(("haccp", 250)),
        dept: Dept::Purchasing,
        ..BASE
    },
    Template {
        key: "catering",
        name: "給食調理業務",
        kinds: [1, 7, 2, 0],
        weight: 7,
        titles: &[
            (CITY, "{fy}{school}給食調理業務委託"),
            (HOSP, "{fy}{hosp}患者給食業務委託"),
            (MAKER | FOOD, "{fy}{plant}社員食堂運営業務委託"),
            (GOV, "{fy}{office}職員食堂運営業務委託"),
        ],
        jsic: &["7721", "7611"],
        trade: "給食",
        price: (1000, 8000),
        purpose: &[
            "安全でおいしい食事を提供するため、献立に基づく調理、配膳及び洗浄等の業務を委託するものです。",
        ],
        scope: &[
            "献立表に基づく調理（1日あたり約600食）",
            "食物アレルギー対応食の個別調理",
            "配膳・下膳及び食器・調理器具の洗浄消毒",
            "大量調理施設衛生管理マニュアルに基づく衛生管理",
            "調理従事者の健康管理と検便（月2回）",
        ],
        cert: Some(("haccp", 200)),
        dept: Dept::Contract,
        ..BASE
    },
    // ----- 役務: 環境・廃棄物 -----
    Template {
        key: "waste",
        name: "廃棄物収集運搬業務",
        weight: 10,
        titles: &[
            (
                BUILDINGS | PRIVATE,
                "{fy}{office}一般廃棄物収集運搬業務委託",
            ),
            (GOV | HOSP | SME, "{fy}機密文書溶解処理業務委託"),
            (CITY, "{fy}{env}焼却灰運搬業務委託"),
            (MAKER | FOOD, "{fy}{plant}産業廃棄物処理業務委託"),
            (CITY, "{fy}粗大ごみ収集運搬業務委託"),
        ],
        jsic: &["8815", "8821"],
        trade: "廃棄物処理",
        price: (100, 5000),
        purpose: &[
            "廃棄物を関係法令に従い適正に収集・運搬・処理するため、業務を委託するものです。",
        ],
        scope: &[
            "指定場所からの定期収集（週2回）",
            "マニフェストの交付と管理",
            "処分場への運搬及び計量",
            "処理完了証明書の提出",
            "収集量の月次報告",
        ],
        dept: Dept::Environment,
        ..BASE
    },
    Template {
        key: "environmental_measurement",
        name: "環境測定分析業務",
        weight: 7,
        titles: &[
            (CITY, "{fy}{env}排ガス等測定分析業務委託"),
            (WATER | CITY, "{fy}{water}水質検査業務委託"),
            (GOV, "{fy}ダイオキシン類環境調査業務委託"),
            (GOV | HOUSING | WORKS, "{x}土壌汚染状況調査業務委託"),
            (GOV, "{fy}一般環境大気測定業務委託"),
            (MAKER | FOOD, "{fy}{plant}排水水質分析業務"),
        ],
        x: &[
            "旧給食センター跡地",
            "旧清掃事務所用地",
            "新庁舎建設予定地",
            "旧工場跡地",
        ],
        jsic: &["7452", "7451"],
        trade: "環境測定（計量証明）",
        price: (100, 2000),
        purpose: &[
            "関係法令に基づく測定を行い、環境への影響を把握するため、試料の採取と分析を委託するものです。",
        ],
        scope: &[
            "試料の採取（採取計画に基づく）",
            "計量証明事業者による分析",
            "計量証明書及び報告書の作成",
            "基準値超過時の速報",
            "経年変化の整理と考察",
        ],
        dept: Dept::Environment,
        ..BASE
    },
    // ----- 役務: 測量・設計・調査 -----
    Template {
        key: "survey",
        name: "測量業務",
        kinds: [0, 10, 0, 0],
        weight: 8,
        titles: &[
            (WORKS | CITY | PREF, "{road}測量設計業務委託"),
            (WORKS | CITY | PREF, "{park}用地測量業務委託"),
            (WORKS | PREF, "{river}河川測量業務委託"),
            (WATER, "{water}周辺地形測量業務委託"),
        ],
        jsic: &["7422"],
        trade: "測量",
        price: (300, 3000),
        period: Period::Months(4, 10),
        purpose: &["事業の計画及び設計に必要な基礎資料を得るため、測量を行うものです。"],
        scope: &[
            "基準点測量及び水準測量",
            "現地測量（地形図の作成）",
            "路線測量・用地境界の確認",
            "成果品（CADデータ・測量記録）の作成",
            "公共測量作業規程に基づく精度管理",
        ],
        dept: Dept::Civil,
        design: true,
        ..BASE
    },
    Template {
        key: "architectural_design",
        name: "建築設計業務",
        kinds: [0, 6, 4, 0],
        weight: 10,
        titles: &[
            (GOV | HOUSING, "{culture}改修工事実施設計業務委託"),
            (CITY | PREF, "{school}改築基本設計業務委託"),
            (BUILDINGS, "{office}耐震診断業務委託"),
            (LOCAL, "{sports}長寿命化改修実施設計業務委託"),
            (CITY | PREF, "{school}改築工事監理業務委託"),
            (HOUSING, "{housing}建替基本設計業務委託"),
            (HOSP, "{hosp}病棟改修基本設計業務委託"),
        ],
        jsic: &["7421"],
        trade: "建築設計",
        price: (500, 8000),
        period: Period::Months(6, 14),
        purpose: &[
            "{site}の老朽化に対応し、安全で使いやすい施設とするため、設計業務を委託するものです。",
            "施設の長寿命化とバリアフリー化、省エネルギー化を図るための設計を行うものです。",
        ],
        scope: &[
            "現地調査及び既存図面の確認",
            "関係者へのヒアリングと要求水準の整理",
            "基本設計図書・実施設計図書の作成",
            "概算工事費及び工事費内訳書の作成",
            "関係機関との協議",
            "ZEB Ready相当の省エネルギー性能の検討",
        ],
        dept: Dept::Building,
        design: true,
        qa: &[(
            "既存建物の竣工図はありますか。",
            "意匠・構造・設備の竣工図（PDF）を貸与します。一部は紙図面のみです。",
        )],
        ..BASE
    },
    Template {
        key: "consulting",
        name: "調査・計画策定支援業務",
        kinds: [1, 4, 5, 0],
        weight: 10,
        titles: &[
            (LOCAL, "{fy}{x}策定支援業務委託"),
            (CITY, "{fy}{s}民意識調査業務委託"),
            (PREF | SME, "{fy}中小企業景況調査業務委託"),
            (LOCAL | EVENT, "{fy}観光動態調査業務委託"),
            (TRANSIT | WATER, "{fy}経営計画改定支援業務委託"),
            (PRIVATE, "新規事業に係る市場調査業務"),
        ],
        x: &[
            "公共施設等総合管理計画改定",
            "地域公共交通計画",
            "観光振興計画",
            "中小企業振興基本計画",
            "地域防災計画改定",
            "DX推進計画",
            "環境基本計画",
            "地域福祉計画",
        ],
        jsic: &["7281"],
        trade: "調査・コンサルティング",
        price: (200, 3000),
        period: Period::Months(6, 11),
        purpose: &[
            "現状と課題を把握し、実効性のある計画とするため、調査・分析及び計画案の作成支援を委託するものです。",
            "アンケート調査等により住民や事業者の意向を把握し、今後の施策の基礎資料とするものです。",
        ],
        scope: &[
            "統計データ等による現状分析",
            "アンケート調査の設計・実施・集計（回収目標2,000件）",
            "関係団体へのヒアリング",
            "検討委員会の運営支援（年3回）",
            "計画書案及び概要版の作成",
        ],
        dept: Dept::Industry,
        online: 300,
        design: true,
        ..BASE
    },
    Template {
        key: "translation",
        name: "翻訳・通訳業務",
        kinds: [6, 4, 0, 0],
        weight: 5,
        titles: &[
            (LOCAL | EVENT | SME, "{fy}{short}ウェブサイト多言語翻訳業務"),
            (LOCAL | EVENT, "{fy}外国語版観光パンフレット翻訳業務"),
            (GOV | HOSP, "{fy}通訳業務（単価契約）"),
            (PRIVATE, "製品マニュアル英訳業務"),
        ],
        jsic: &["7292"],
        trade: "翻訳・通訳",
        price: (30, 600),
        purpose: &[
            "外国人住民や訪日旅行者に必要な情報を届けるため、翻訳・通訳業務を委託するものです。",
        ],
        scope: &[
            "英語・中国語（簡体字・繁体字）・韓国語への翻訳",
            "ネイティブチェックの実施",
            "用語集の作成と表記の統一",
            "機械翻訳を用いる場合の後編集（ポストエディット）",
        ],
        dept: Dept::Industry,
        online: 700,
        ..BASE
    },
    Template {
        key: "staffing",
        name: "労働者派遣",
        kinds: [1, 8, 1, 0],
        weight: 6,
        titles: &[
            (LOCAL, "{fy}{x}業務に係る労働者派遣"),
            (HOSP, "{fy}{hosp}医療事務に係る労働者派遣"),
            (PRIVATE, "{fy}{plant}事務補助業務に係る労働者派遣"),
        ],
        x: &[
            "窓口受付",
            "コールセンター",
            "給付金支給事務",
            "保健センター事務",
            "庁内ヘルプデスク",
            "税務証明発行",
        ],
        jsic: &["9121"],
        trade: "労働者派遣",
        price: (500, 8000),
        purpose: &[
            "業務の繁忙期に対応し、住民サービスの水準を維持するため、労働者派遣契約により人員を確保するものです。",
        ],
        scope: &[
            "派遣人数・就業時間は仕様書のとおり",
            "業務開始前の研修の実施",
            "欠員時の代替要員の確保",
            "個人情報の取扱いに関する誓約と研修",
            "勤務実績の月次報告",
        ],
        cert: Some(("privacy_mark", 250)),
        dept: Dept::Welfare,
        ..BASE
    },
    Template {
        key: "logistics",
        name: "運送業務",
        kinds: [5, 5, 0, 0],
        weight: 6,
        titles: &[
            (GOV, "{fy}庁内文書逓送業務委託"),
            (BUILDINGS | PRIVATE, "{office}移転に伴う引越業務委託"),
            (CITY | PREF, "{fy}災害備蓄物資輸送業務委託"),
            (MAKER | FOOD, "{fy}{plant}製品配送業務"),
            (CITY, "{fy}学校間物品配送業務委託"),
        ],
        jsic: &["4411"],
        trade: "運送",
        price: (50, 3000),
        purpose: &["文書・物品を安全かつ確実に運ぶため、運送業務を委託するものです。"],
        scope: &[
            "定期便の運行（1日2便）",
            "積込み・荷下ろし及び指定場所への配置",
            "運行記録の作成と報告",
            "事故時の補償（貨物保険への加入）",
        ],
        dept: Dept::Facilities,
        ..BASE
    },
    Template {
        key: "vehicle_service",
        name: "車両点検整備業務",
        kinds: [5, 5, 0, 0],
        weight: 5,
        titles: &[
            (GOV | WATER | HOUSING, "{fy}公用車車検整備業務（単価契約）"),
            (CITY, "{fy}塵芥収集車点検整備業務委託"),
            (CITY | PREF, "{fy}消防車両点検整備業務委託"),
            (TRANSIT, "{fy}路線バス車両点検整備業務委託"),
        ],
        jsic: &["8911"],
        trade: "自動車整備",
        price: (50, 1500),
        purpose: &["公用車両を安全に運行するため、法定点検及び整備を委託するものです。"],
        scope: &[
            "道路運送車両法に基づく車検及び12か月点検",
            "故障時の修理（見積承認後）",
            "代車の提供",
            "整備記録簿の作成と保管",
        ],
        dept: Dept::Facilities,
        ..BASE
    },
    Template {
        key: "vehicle_purchase",
        name: "車両の購入",
        category: Category::Goods,
        kinds: [3, 7, 0, 0],
        weight: 5,
        titles: &[
            (GOV | WATER | HOUSING | SME, "{fy}{x}購入"),
            (CITY, "{fy}塵芥収集車購入"),
            (CITY | PREF, "{fy}消防ポンプ自動車購入"),
        ],
        x: &[
            "軽自動車（公用車）",
            "電気自動車（公用車）",
            "ハイブリッド自動車",
            "マイクロバス",
            "小型貨物自動車",
        ],
        jsic: &["5911"],
        trade: "自動車",
        price: (150, 5000),
        period: Period::Delivery(90, 240),
        purpose: &["老朽化した車両を更新するため、仕様書に定める車両を購入するものです。"],
        heading: "調達内容",
        scope: &[
            "仕様書に定める車両（登録手続き及び自賠責保険加入を含む）",
            "公用車表示の施工",
            "ドライブレコーダーの取付け",
            "旧車両の引取り（下取り）",
        ],
        dept: Dept::Purchasing,
        ..BASE
    },
    Template {
        key: "landscaping",
        name: "公園・緑地維持管理業務",
        weight: 8,
        titles: &[
            (CITY | PREF | WORKS, "{fy}{park}樹木剪定業務委託"),
            (CITY | PREF | WORKS, "{fy}{park}除草及び清掃業務委託"),
            (CITY | WORKS, "{fy}街路樹維持管理業務委託"),
            (HOUSING, "{fy}{housing}植栽管理業務委託"),
            (PRIVATE, "{fy}{plant}構内緑地管理業務"),
        ],
        jsic: &["0141", "0622"],
        trade: "造園",
        price: (100, 3000),
        purpose: &[
            "{site}の良好な景観と利用者の安全を保つため、樹木の剪定、除草等の維持管理を委託するものです。",
        ],
        scope: &[
            "高木・中低木の剪定（年1回）",
            "除草（年3回）及び刈草の処分",
            "病害虫の防除",
            "園路・広場の清掃",
            "倒木・枝折れ等の緊急対応",
        ],
        dept: Dept::Civil,
        ..BASE
    },
    // ----- 物品: 医療 -----
    Template {
        key: "medical_equipment",
        name: "医療機器・医療材料の購入",
        category: Category::Goods,
        kinds: [4, 6, 0, 0],
        weight: 10,
        titles: &[
            (HOSP, "{fy}{hosp}医療用消耗品購入（単価契約）"),
            (HOSP, "{hosp}超音波診断装置購入"),
            (HOSP, "{hosp}生体情報モニタ更新"),
            (HOSP, "{hosp}手術用無影灯購入"),
            (HOSP, "{hosp}内視鏡システム購入"),
            (CITY, "{fy}{health}AED購入"),
        ],
        jsic: &["5493", "5522"],
        trade: "医療機器",
        price: (100, 8000),
        period: Period::Delivery(30, 150),
        purpose: &[
            "診療に必要な医療機器を整備するため、仕様書に定める機器を購入し、設置・調整を行うものです。",
        ],
        heading: "調達内容",
        scope: &[
            "仕様書に定める性能を満たす機器（同等品可）",
            "搬入・据付・調整及び既存機器の撤去",
            "操作説明会の開催（2回以上）",
            "納入後1年間の無償保証と定期点検",
            "医療機器の添付文書・保守計画の提出",
        ],
        dept: Dept::Medical,
        ..BASE
    },
    // ----- ニーズ -----
    Template {
        key: "medical_need",
        name: "医療機器開発ニーズ",
        category: Category::Goods,
        kinds: [0, 0, 0, 10],
        weight: 12,
        titles: &[
            (HOSP, "医療機器開発ニーズ：{x}"),
            (HOSP, "【医工連携】{x}の開発パートナー募集"),
            (SME, "医工連携ニーズ：{x}"),
        ],
        x: &[
            "片手で操作できる点滴スタンド",
            "車いすからベッドへの移乗を補助する器具",
            "内視鏡の洗浄作業を軽くする器具",
            "転倒を早期に知らせる見守りセンサー",
            "病棟で使える静音キャスター付きカート",
            "採血時に血管を見やすくするライト",
            "嚥下機能を簡易に評価する測定器",
            "点滴の残量を知らせる装置",
            "手術器具の数を確実に数える仕組み",
            "感染対策用の簡易陰圧ブース",
            "小児の採血時の不安を和らげる器具",
            "在宅酸素療法のチューブ絡まり防止具",
        ],
        jsic: &["2734", "2942", "3911"],
        trade: "医療機器製造",
        price: (100, 500),
        period: Period::Open,
        purpose: &[
            "医療現場で日々感じている課題を、ものづくり企業の技術で解決したいと考えています。現場の看護師・臨床工学技士が開発に協力します。",
            "現場の「こんなものがあれば」を形にしてくださる企業を募集します。試作品の評価には病院のスタッフが協力します。",
        ],
        heading: "ニーズの内容",
        scope: &[
            "現状：既製品では重量や操作性に課題があり、スタッフの負担になっています。",
            "求める機能：片手での操作、清拭・消毒が容易な構造、静音性",
            "想定する利用場面：病棟、外来、在宅医療",
            "連携の形：共同開発、試作品の臨床現場での評価、製品化後の導入検討",
            "薬機法上の区分や承認手続きの知見があれば歓迎します",
        ],
        dept: Dept::Medical,
        online: 500,
        ..BASE
    },
    Template {
        key: "open_innovation",
        name: "オープンイノベーション（共創パートナー募集）",
        kinds: [0, 0, 0, 10],
        weight: 12,
        titles: &[
            (MAKER, "【共創パートナー募集】{x}"),
            (
                TRANSIT,
                "【共創パートナー募集】鉄道設備の点検を効率化するドローン・画像解析技術",
            ),
            (FOOD, "【共創パートナー募集】食品残さのアップサイクル技術"),
            (
                RETAIL,
                "【共創パートナー募集】来店客の回遊分析と接客の高度化",
            ),
            (MAKER | SME, "技術ニーズ：{x}"),
        ],
        x: &[
            "工場設備の予知保全に使えるAI画像解析技術",
            "溶接工程の自動化に向けた協働ロボットの活用",
            "船舶の燃費を改善する船底塗料・表面処理技術",
            "製造ラインの省エネルギー化",
            "熟練技能の映像マニュアル化",
            "部品の軽量化につながる新素材・加工技術",
            "物流倉庫のピッキング自動化",
            "検査工程の外観検査自動化",
            "工場排熱の有効利用",
        ],
        jsic: &["3911", "2691", "2734"],
        trade: "技術開発",
        price: (100, 500),
        period: Period::Open,
        purpose: &[
            "当社は、自社だけでは解決が難しい技術課題について、スタートアップや中小企業の皆さまと共に解決策を探る共創プログラムを進めています。",
            "実証実験の場とデータを提供しますので、技術をお持ちの企業・研究機関からの提案をお待ちしています。",
        ],
        heading: "募集する技術・提案",
        scope: &[
            "課題の背景：人手不足と設備の老朽化が進み、保全・検査の負担が増しています。",
            "求める技術：既存設備に後付けでき、現場の作業者が使いこなせるもの",
            "提供できるもの：実証の場、現場データ、技術者による評価",
            "想定する成果：PoC（概念実証）の実施、本格導入・共同事業化の検討",
            "秘密保持契約の締結後、詳細な情報を開示します",
        ],
        dept: Dept::Innovation,
        online: 600,
        ..BASE
    },
    Template {
        key: "public_challenge",
        name: "地域課題解決型実証",
        kinds: [0, 0, 1, 9],
        weight: 8,
        titles: &[
            (GOV | SME | DIGITAL, "【課題解決型】{x}の実証パートナー募集"),
            (GOV | DIGITAL, "{fy}スタートアップとの協働による{x}"),
        ],
        x: &[
            "行政手続きのオンライン化",
            "高齢者の見守り",
            "除雪作業の効率化",
            "空き家の実態把握",
            "観光客の回遊促進",
            "避難所運営のデジタル化",
            "公共交通の空白地域での移動支援",
            "子育て世帯の相談支援",
            "インフラ点検の省力化",
        ],
        jsic: &["3911", "3921", "7281"],
        trade: "情報処理・技術開発",
        price: (100, 800),
        period: Period::Open,
        purpose: &[
            "{gov}が抱える地域課題について、スタートアップ等の新しい技術やアイデアを活用した実証を行う事業者を募集します。",
            "職員と事業者が一緒に課題を掘り下げ、実証を通じて解決策を検証します。実証の場とデータは{gov}が提供します。",
        ],
        heading: "解決したい課題と実証の内容",
        scope: &[
            "現状：担当職員の業務負担が大きく、住民サービスの向上が難しくなっています。",
            "期待する提案：既存の仕組みと連携でき、職員が無理なく運用できるもの",
            "実証期間：選定後おおむね3か月から6か月",
            "実証費用：1件あたり上限200万円程度を想定（要協議）",
            "実証後、効果が確認できたものは本格導入を検討します",
        ],
        dept: Dept::Innovation,
        online: 400,
        ..BASE
    },
    Template {
        key: "design_matching",
        name: "デザイナー協業による商品開発",
        kinds: [0, 0, 2, 8],
        weight: 5,
        titles: &[
            (SME | PREF, "デザイナーとの協業による{x}の商品開発"),
            (SME | PREF | CITY, "{fy}{short}の{x}リブランディング支援"),
        ],
        x: &[
            "伝統工芸品",
            "地場産品のパッケージ",
            "町工場の自社製品",
            "地元食材の加工品",
        ],
        jsic: &["7261"],
        trade: "デザイン",
        price: (50, 300),
        period: Period::Open,
        purpose: &[
            "ものづくり企業とデザイナーをつなぎ、売れる自社製品を生み出すためのマッチングを行います。",
        ],
        heading: "募集する提案",
        scope: &[
            "対象：地域の製造事業者が持つ技術・素材を活かした商品",
            "デザイナーの役割：商品企画、パッケージ、ブランドの設計",
            "進め方：事業者との面談、試作、展示会での発表",
            "費用：デザイン料の一部を助成します（上限あり）",
        ],
        dept: Dept::Industry,
        online: 500,
        ..BASE
    },
    // ----- 役務: イベント・観光 -----
    Template {
        key: "booth",
        name: "展示会ブース設営業務",
        kinds: [3, 2, 5, 0],
        weight: 8,
        titles: &[
            (EVENT | SME | PREF, "{event}出展ブース設営業務委託"),
            (EVENT | SME | PREF, "{event}会場設営及び撤去業務委託"),
            (EVENT, "{venue}展示会場設営業務委託"),
            (PRIVATE, "展示会出展ブースの設計・施工"),
        ],
        jsic: &["9291", "7311"],
        trade: "ディスプレイ",
        price: (100, 2500),
        period: Period::Months(1, 4),
        purpose: &[
            "展示会において来場者の目を引き、出展者の商談機会を増やすため、ブースの設計から設営・撤去までを委託するものです。",
        ],
        scope: &[
            "ブースのデザイン・設計（共同出展 12小間）",
            "造作・装飾・電気工事及び備品の手配",
            "搬入・設営・撤去",
            "出展者向け説明会の運営",
            "来場者数・商談件数の集計と報告",
        ],
        dept: Dept::Industry,
        design: true,
        ..BASE
    },
    Template {
        key: "event_operation",
        name: "イベント企画運営業務",
        kinds: [1, 2, 7, 0],
        weight: 10,
        titles: &[
            (EVENT | SME | PREF | CITY, "{fy}{event}運営業務委託"),
            (SME | PREF, "{fy}ビジネスマッチング商談会運営業務委託"),
            (SME | GOV, "{fy}創業支援セミナー企画運営業務委託"),
            (
                PREF | CITY | EVENT,
                "{fy}{short}インバウンド誘客プロモーション業務委託",
            ),
            (EVENT | PREF, "{fy}{short}観光情報サイト運営業務委託"),
        ],
        jsic: &["7311", "9291"],
        trade: "広告・イベント",
        price: (200, 4000),
        period: Period::Months(2, 9),
        purpose: &[
            "地域の事業者の販路拡大と交流を促進するため、イベントの企画から当日の運営、効果検証までを委託するものです。",
            "国内外からの誘客を図るため、ターゲットに応じたプロモーションを企画・実施するものです。",
        ],
        scope: &[
            "企画提案及び実施計画の作成",
            "出展者・参加者の募集と事前マッチング",
            "会場の設営・運営・撤去",
            "広報（ウェブサイト・SNS・プレスリリース）",
            "アンケートによる効果測定と実施報告書の作成",
        ],
        dept: Dept::Industry,
        online: 150,
        design: true,
        ..BASE
    },
    Template {
        key: "retail_display",
        name: "館内装飾業務",
        kinds: [7, 0, 3, 0],
        weight: 4,
        titles: &[
            (RETAIL, "{store}季節装飾（ウィンドウディスプレイ）制作設置"),
            (RETAIL, "{store}催事場装飾業務"),
        ],
        jsic: &["9291"],
        trade: "ディスプレイ",
        price: (50, 800),
        period: Period::Months(1, 3),
        purpose: &["季節の催事に合わせ、店舗のウィンドウ及び館内の装飾を制作・設置するものです。"],
        scope: &[
            "装飾デザインの提案（2案以上）",
            "制作・搬入・設置（閉店後の夜間作業）",
            "会期終了後の撤去",
            "防炎物品の使用",
        ],
        dept: Dept::Industry,
        design: true,
        ..BASE
    },
    // ----- 物品: 製造業の調達 -----
    Template {
        key: "parts",
        name: "部品の製作",
        category: Category::Goods,
        kinds: [9, 1, 0, 0],
        weight: 14,
        titles: &[
            (MAKER | TRANSIT, "{x}の製作（見積依頼）"),
            (MAKER, "{x}の試作・量産見積依頼"),
            (TRANSIT, "車両用{x}の製作"),
        ],
        x: &[
            "精密シャフト部品",
            "アルミダイカスト筐体",
            "ステンレス板金カバー",
            "検査治具",
            "試作用樹脂切削部品",
            "制御盤筐体",
            "溶接構造フレーム",
            "プレス金型",
            "油圧ユニット用マニホールド",
        ],
        jsic: &["2446", "2691"],
        trade: "金属製品製造",
        price: (30, 3000),
        period: Period::Delivery(30, 90),
        purpose: &[
            "図面に基づく部品の製作について、見積りを依頼します。品質・納期・価格を総合的に判断して発注先を決定します。",
        ],
        heading: "調達内容",
        scope: &[
            "図面・仕様書に基づく製作（材質・公差は図面のとおり）",
            "初回ロットの寸法検査成績書の提出",
            "試作5個、量産は月産300個程度を想定",
            "防錆梱包の上、指定工場へ納入",
            "不具合発生時の原因調査と是正処置報告",
        ],
        cert: Some(("iso9001", 400)),
        dept: Dept::Contract,
        qa: &[
            (
                "材料の支給はありますか。",
                "材料は受注者の手配とします。ミルシートを添付してください。",
            ),
            (
                "量産時の単価の見積りも必要ですか。",
                "試作単価と、月産300個の場合の量産単価を分けて記載してください。",
            ),
        ],
        ..BASE
    },
    Template {
        key: "electrical_goods",
        name: "電気機器の購入",
        category: Category::Goods,
        kinds: [5, 5, 0, 0],
        weight: 6,
        titles: &[
            (CITY | PREF, "{fy}防災用可搬型発電機購入"),
            (GOV | WORKS, "{fy}LED投光器購入"),
            (MAKER | WATER, "{x}用制御盤の製作"),
            (WATER, "{water}計装機器更新（物品）"),
        ],
        x: &["排水ポンプ", "搬送ライン", "空調機", "送水ポンプ"],
        jsic: &["2914", "2913"],
        trade: "電気機械器具",
        price: (50, 3000),
        period: Period::Delivery(45, 150),
        purpose: &["仕様書に定める電気機器を購入し、指定場所に納入するものです。"],
        heading: "調達内容",
        scope: &[
            "仕様書に定める性能以上の機器（同等品可）",
            "工場検査への立会い（製作品）",
            "取扱説明書・完成図書の提出",
            "納入後1年間の保証",
        ],
        dept: Dept::Purchasing,
        ..BASE
    },
    Template {
        key: "hotel_amenities",
        name: "客室備品の購入",
        category: Category::Goods,
        kinds: [9, 1, 0, 0],
        weight: 4,
        titles: &[
            (RETAIL, "{store}客室アメニティ用品購入"),
            (RETAIL, "{store}リネン類購入"),
        ],
        jsic: &["5599", "5121"],
        trade: "日用品",
        price: (30, 900),
        purpose: &["客室で使用する備品を、年間の単価契約により購入するものです。"],
        heading: "調達内容",
        scope: &[
            "品目・規格・予定数量は別表のとおり",
            "環境配慮型素材（植物由来樹脂・詰替え容器）の使用",
            "月2回の定期納品",
            "ロゴ入れ（別途デザインデータ支給）",
        ],
        dept: Dept::Purchasing,
        ..BASE
    },
    // ----- 工事 -----
    Template {
        key: "building_renovation",
        name: "建築改修工事",
        category: Category::Works,
        kinds: [0, 10, 0, 0],
        weight: 18,
        titles: &[
            (CITY | PREF, "{school}校舎大規模改修工事"),
            (LOCAL, "{culture}外壁改修工事"),
            (BUILDINGS, "{office}トイレ改修工事"),
            (LOCAL, "{sports}屋根防水改修工事"),
            (CITY | PREF, "{school}体育館改修工事"),
            (BUILDINGS, "{office}バリアフリー改修工事"),
            (HOSP, "{hosp}病棟改修工事"),
            (HOUSING, "{housing}外壁改修工事"),
            (TRANSIT, "{station}駅舎トイレ改修工事"),
            (PRIVATE, "{plant}屋根改修工事"),
        ],
        jsic: &["0641", "0611"],
        trade: "建築一式",
        price: (1000, 50_000),
        period: Period::Months(4, 14),
        purpose: &[
            "{site}の老朽化した部分を改修し、安全性と快適性を高めるための工事です。施設は利用しながらの施工となります。",
            "築40年を経過した{site}について、長寿命化を図るための改修工事を行います。",
        ],
        heading: "工事概要",
        scope: &[
            "仮設工事（足場・養生・仮囲い）",
            "既存部分の撤去及び産業廃棄物の処理",
            "外壁改修（下地補修・塗装仕上げ）",
            "屋上防水改修（改質アスファルト防水）",
            "内装改修（床・壁・天井）",
            "利用者の動線を確保した安全対策",
        ],
        dept: Dept::Building,
        ..BASE
    },
    Template {
        key: "building_new",
        name: "建築新築工事",
        category: Category::Works,
        kinds: [0, 10, 0, 0],
        weight: 5,
        titles: &[
            (CITY, "（仮称）{area}地区コミュニティセンター新築工事"),
            (CITY, "（仮称）{area}保育園新築工事"),
            (CITY | PREF, "{area}地区防災備蓄倉庫新築工事"),
            (CITY | WORKS, "{park}公衆トイレ新築工事"),
            (HOUSING, "{housing}集会所新築工事"),
            (PRIVATE, "{plant}倉庫棟新築工事"),
        ],
        jsic: &["0641", "0611"],
        trade: "建築一式",
        price: (3000, 80_000),
        period: Period::Months(8, 18),
        purpose: &["地域の拠点となる施設を整備するための新築工事です。"],
        heading: "工事概要",
        scope: &[
            "構造：鉄骨造 地上2階建",
            "建築工事一式（基礎・躯体・仕上げ）",
            "電気設備工事・機械設備工事（別途発注分を除く）",
            "外構工事（駐車場・植栽）",
            "ZEB Ready相当の省エネルギー仕様",
        ],
        dept: Dept::Building,
        ..BASE
    },
    Template {
        key: "road_works",
        name: "道路工事",
        category: Category::Works,
        kinds: [0, 10, 0, 0],
        weight: 14,
        titles: &[
            (CITY | PREF | WORKS, "{road}道路改良工事"),
            (CITY | PREF | WORKS, "{road}舗装補修工事"),
            (CITY | WORKS, "{road}歩道整備工事"),
            (CITY | WORKS, "{area}地区側溝整備工事"),
            (CITY | WORKS, "{area}地区無電柱化工事"),
            (HOUSING, "{housing}構内道路舗装改修工事"),
        ],
        jsic: &["0621", "0631"],
        trade: "土木一式・舗装",
        price: (500, 30_000),
        period: Period::Months(3, 10),
        purpose: &[
            "歩行者と車両の安全な通行を確保するため、{site}の整備を行う工事です。",
            "路面の劣化が進んだ区間について、舗装の打換え等を行う工事です。",
        ],
        heading: "工事概要",
        scope: &[
            "施工延長 L=320m、幅員 W=6.0m",
            "舗装工（表層・基層の打換え）",
            "側溝工・集水桝の設置",
            "区画線工・道路標識の設置",
            "交通誘導警備員の配置による通行規制",
        ],
        dept: Dept::Civil,
        ..BASE
    },
    Template {
        key: "river_works",
        name: "河川・港湾工事",
        category: Category::Works,
        kinds: [0, 10, 0, 0],
        weight: 5,
        titles: &[
            (PREF | WORKS, "{river}護岸改修工事"),
            (CITY | WORKS, "{river}しゅんせつ工事"),
            (PORT, "{port}岸壁補修工事"),
            (PORT, "{port}防潮堤改修工事"),
        ],
        jsic: &["0621", "0611"],
        trade: "土木一式",
        price: (1000, 40_000),
        period: Period::Months(4, 12),
        purpose: &[
            "大雨や高潮による被害を防ぐため、{site}の護岸等を改修する工事です。",
            "老朽化が進んだ{site}の構造物を補修し、機能を回復させる工事です。",
        ],
        heading: "工事概要",
        scope: &[
            "仮設工（仮締切・工事用道路）",
            "護岸ブロック積工・根固め工",
            "コンクリート断面修復工",
            "しゅんせつ土の運搬及び処分",
            "出水期（6月〜10月）を避けた水中作業",
        ],
        dept: Dept::Civil,
        ..BASE
    },
    Template {
        key: "bridge_works",
        name: "橋梁補修工事",
        category: Category::Works,
        kinds: [0, 10, 0, 0],
        weight: 5,
        titles: &[
            (CITY | PREF | WORKS, "{bridge}橋梁補修工事"),
            (CITY | PREF | WORKS, "{bridge}耐震補強工事"),
            (CITY | PREF | WORKS, "{bridge}伸縮装置取替工事"),
        ],
        jsic: &["0621", "0611"],
        trade: "土木一式",
        price: (1000, 30_000),
        period: Period::Months(4, 12),
        purpose: &[
            "定期点検で確認された損傷に対応し、{site}の安全性を確保するための工事です。",
            "大規模地震に備え、{site}を含む橋梁の耐震性を高める工事です。",
        ],
        heading: "工事概要",
        scope: &[
            "仮設工（吊足場・防護工）",
            "断面修復工・ひび割れ注入工",
            "支承の補修・取替え",
            "落橋防止装置の設置",
            "夜間の片側交互通行規制と交通誘導",
        ],
        dept: Dept::Civil,
        ..BASE
    },
    Template {
        key: "painting_works",
        name: "塗装工事",
        category: Category::Works,
        kinds: [1, 9, 0, 0],
        weight: 6,
        titles: &[
            (CITY | PREF | WORKS, "{bridge}塗装塗替え工事"),
            (CITY | PREF, "{school}外壁塗装工事"),
            (WATER, "{water}配水池塗装工事"),
            (HOUSING, "{housing}鉄部塗装工事"),
            (PRIVATE, "{plant}外壁塗装工事"),
        ],
        jsic: &["0771"],
        trade: "塗装",
        price: (300, 8000),
        period: Period::Months(2, 6),
        purpose: &["塗膜の劣化による腐食を防ぎ、施設を長く使うための塗装工事です。"],
        heading: "工事概要",
        scope: &[
            "素地調整（ケレン）",
            "下塗り・中塗り・上塗り（重防食塗装系）",
            "鉛等有害物質を含む旧塗膜の適正処理",
            "飛散防止養生",
        ],
        dept: Dept::Building,
        ..BASE
    },
    Template {
        key: "electrical_works",
        name: "電気設備工事",
        category: Category::Works,
        kinds: [1, 9, 0, 0],
        weight: 10,
        titles: &[
            (BUILDINGS, "{office}受変電設備更新工事"),
            (CITY | PREF, "{school}照明設備LED化工事"),
            (CITY | WORKS, "{area}地区街路灯LED化工事"),
            (LOCAL, "{sports}非常用発電設備更新工事"),
            (PRIVATE, "{plant}受変電設備更新工事"),
            (TRANSIT, "{station}駅照明設備更新工事"),
        ],
        jsic: &["0811"],
        trade: "電気",
        price: (300, 15_000),
        period: Period::Months(3, 10),
        purpose: &[
            "老朽化した電気設備を更新し、施設の安定した電力供給と省エネルギー化を図るための工事です。",
        ],
        heading: "工事概要",
        scope: &[
            "既存設備の撤去及び処分",
            "新設機器の据付・配線",
            "停電作業は休日に実施",
            "試験調整及び官公署への届出",
            "完成図書の作成",
        ],
        dept: Dept::Building,
        ..BASE
    },
    Template {
        key: "hvac_works",
        name: "空調・給排水設備工事",
        category: Category::Works,
        kinds: [1, 9, 0, 0],
        weight: 10,
        titles: &[
            (CITY | PREF, "{school}空調設備設置工事"),
            (LOCAL, "{culture}空調設備改修工事"),
            (BUILDINGS, "{office}給排水衛生設備改修工事"),
            (HOUSING, "{housing}給水設備改修工事"),
            (HOSP, "{hosp}空調設備更新工事"),
            (PRIVATE, "{plant}空調設備更新工事"),
        ],
        jsic: &["0832", "0833"],
        trade: "管",
        price: (500, 30_000),
        period: Period::Months(3, 10),
        purpose: &[
            "{site}の空調・給排水設備を更新し、快適な環境と省エネルギー化を図るための工事です。",
            "熱中症対策として、{site}に空調設備を整備する工事です。",
        ],
        heading: "工事概要",
        scope: &[
            "空冷ヒートポンプパッケージ形空調機の設置",
            "冷媒配管・ドレン配管工事",
            "給水管・排水管の更新",
            "既存機器の撤去とフロン類の回収",
            "試運転調整",
        ],
        dept: Dept::Building,
        ..BASE
    },
    Template {
        key: "interior_works",
        name: "内装工事",
        category: Category::Works,
        kinds: [3, 7, 0, 0],
        weight: 7,
        titles: &[
            (BUILDINGS, "{office}執務室レイアウト変更工事"),
            (LOCAL, "{culture}内装改修工事"),
            (RETAIL, "{store}売場改装工事"),
            (RETAIL, "{store}客室リニューアル工事"),
            (PRIVATE, "{office}会議室改修工事"),
        ],
        jsic: &["0782", "0781"],
        trade: "内装仕上",
        price: (200, 10_000),
        period: Period::Months(1, 5),
        purpose: &["利用者にとって使いやすい空間とするため、内装の改修を行う工事です。"],
        heading: "工事概要",
        scope: &[
            "軽量鉄骨間仕切りの新設・撤去",
            "床仕上げ（タイルカーペット）の張替え",
            "天井・壁の仕上げ改修",
            "営業・業務を継続しながらの夜間施工",
        ],
        dept: Dept::Building,
        ..BASE
    },
    Template {
        key: "telecom_works",
        name: "通信設備工事",
        category: Category::Works,
        kinds: [1, 9, 0, 0],
        weight: 6,
        titles: &[
            (
                GOV | WATER | TRANSIT | PORT | DIGITAL,
                "{office}庁内LAN配線更新工事",
            ),
            (
                HOSP | EVENT | SME | HOUSING | PRIVATE,
                "{office}構内LAN配線更新工事",
            ),
            (CITY | PREF, "防災行政無線デジタル化工事"),
            (CITY | PREF, "{school}校内無線LAN整備工事"),
            (TRANSIT, "{station}駅放送設備更新工事"),
        ],
        jsic: &["0821", "0822"],
        trade: "電気通信",
        price: (300, 20_000),
        period: Period::Months(3, 12),
        purpose: &["通信環境を改善し、安定した情報伝達を確保するための工事です。"],
        heading: "工事概要",
        scope: &[
            "配線・配管工事",
            "機器の据付・設定",
            "既存設備との切替え（業務停止時間を最小化）",
            "試験調整及び操作説明",
        ],
        dept: Dept::It,
        ..BASE
    },
    Template {
        key: "water_works",
        name: "水道施設工事",
        category: Category::Works,
        kinds: [0, 10, 0, 0],
        weight: 10,
        titles: &[
            (WATER, "{area}地区配水管布設替工事"),
            (WATER, "{area}地区配水管耐震化工事"),
            (WATER, "{water}ポンプ設備更新工事"),
            (WATER, "{water}電気計装設備更新工事"),
        ],
        jsic: &["0621", "0831"],
        trade: "水道施設",
        price: (1000, 30_000),
        period: Period::Months(4, 12),
        purpose: &[
            "大規模地震に備え、水道管路の耐震化を進めるための工事です。",
            "老朽化した設備を更新し、安定した給水を確保するための工事です。",
        ],
        heading: "工事概要",
        scope: &[
            "耐震型ダクタイル鋳鉄管 φ150 L=420m の布設",
            "仮設配管による断水時間の短縮",
            "既設管の撤去",
            "舗装の本復旧",
            "住民への工事周知",
        ],
        dept: Dept::Water,
        ..BASE
    },
    Template {
        key: "transit_works",
        name: "駅施設工事",
        category: Category::Works,
        kinds: [0, 10, 0, 0],
        weight: 6,
        titles: &[
            (TRANSIT, "{station}エレベーター設置工事"),
            (TRANSIT, "{station}ホーム上屋改修工事"),
            (TRANSIT, "{depot}屋根改修工事"),
            (TRANSIT, "{station}ホームドア設置に伴う補強工事"),
        ],
        jsic: &["0641", "0841"],
        trade: "建築一式・機械器具設置",
        price: (1000, 40_000),
        period: Period::Months(6, 18),
        purpose: &[
            "駅を利用するすべてのお客様が安全・快適に移動できるよう、施設を整備する工事です。",
        ],
        heading: "工事概要",
        scope: &[
            "終電後から始発までの夜間作業",
            "列車運行に支障しない安全管理体制",
            "旅客動線の確保と案内表示",
            "関係部署との協議・立会い",
        ],
        dept: Dept::Transit,
        ..BASE
    },
    Template {
        key: "park_works",
        name: "公園整備工事",
        category: Category::Works,
        kinds: [0, 10, 0, 0],
        weight: 6,
        titles: &[
            (CITY | WORKS, "{park}遊具更新工事"),
            (CITY | WORKS | PREF, "{park}園路整備工事"),
            (CITY | WORKS, "{park}再整備工事"),
        ],
        jsic: &["0622"],
        trade: "造園",
        price: (300, 10_000),
        period: Period::Months(3, 8),
        purpose: &["誰もが安全に楽しめる公園とするため、施設を整備する工事です。"],
        heading: "工事概要",
        scope: &[
            "既存遊具の撤去及び新設（安全基準に適合するもの）",
            "園路の舗装（透水性舗装）",
            "植栽工",
            "施工中の利用者動線の確保",
        ],
        dept: Dept::Civil,
        ..BASE
    },
    Template {
        key: "plant_works",
        name: "工場設備工事",
        category: Category::Works,
        kinds: [6, 4, 0, 0],
        weight: 6,
        titles: &[
            (MAKER | FOOD, "{plant}生産設備移設工事"),
            (MAKER | FOOD, "{plant}排水処理設備更新工事"),
            (MAKER, "{plant}クレーン設備更新工事"),
            (FOOD, "{plant}冷凍冷蔵設備更新工事"),
        ],
        jsic: &["0841", "0833"],
        trade: "機械器具設置",
        price: (500, 20_000),
        period: Period::Months(2, 8),
        purpose: &["生産能力の維持と作業環境の改善のため、工場設備を更新する工事です。"],
        heading: "工事概要",
        scope: &[
            "既存設備の撤去・搬出",
            "基礎工事及び機器の据付",
            "配管・配線工事",
            "試運転及び性能確認",
            "操業停止期間（連休中）内の完工",
        ],
        dept: Dept::Contract,
        ..BASE
    },
    Template {
        key: "demolition",
        name: "解体工事",
        category: Category::Works,
        kinds: [0, 10, 0, 0],
        weight: 4,
        titles: &[
            (CITY, "旧{area}出張所解体工事"),
            (CITY, "旧{area}保育園解体工事"),
            (LOCAL, "旧{culture}解体工事"),
            (HOUSING, "{housing}（1号棟～3号棟）解体工事"),
        ],
        jsic: &["0611", "0641"],
        trade: "解体",
        price: (500, 15_000),
        period: Period::Months(3, 8),
        purpose: &["用途を終えた建物を解体し、跡地を有効に活用するための工事です。"],
        heading: "工事概要",
        scope: &[
            "アスベスト含有建材の事前調査及び除去",
            "建物の解体及び基礎の撤去",
            "建設リサイクル法に基づく分別解体",
            "整地",
            "近隣への騒音・振動・粉じん対策",
        ],
        dept: Dept::Building,
        ..BASE
    },
];

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use musubi_domain::tender::{
        DEFAULT_MIN_PUBLICATION_DAYS, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS, SupplierFacts,
    };
    use musubi_domain::{GradeCategory, OrgKind};

    use super::*;
    use crate::demo::trades::TRADES;

    fn anchor() -> DateTime<Utc> {
        "2026-11-22T09:40:00Z".parse().unwrap()
    }

    fn sample(n: u64) -> Vec<DemoTender> {
        let g = DemoGenerator::new(7);
        g.tender_range(0..n, BUYERS.len(), anchor()).collect()
    }

    fn is_japanese(c: char) -> bool {
        matches!(c, '\u{3040}'..='\u{30FF}' | '\u{4E00}'..='\u{9FFF}')
    }

    #[test]
    fn same_seed_same_tenders_and_content_ignores_the_anchor() {
        let a = DemoGenerator::new(42);
        let b = DemoGenerator::new(42);
        let left: Vec<_> = a.tender_range(0..300, 47, anchor()).collect();
        let right: Vec<_> = b.tender_range(0..300, 47, anchor()).collect();
        assert_eq!(left, right);
        // Index-addressable.
        assert_eq!(a.tender(123, 47, anchor()), left[123]);
        // Another seed gives other tenders.
        let other = DemoGenerator::new(43).tender(0, 47, anchor());
        assert_ne!(other.content, left[0].content);
        // What a tender says does not depend on the anchor (only its dates,
        // the 年度 in its title and its life cycle do).
        let later = anchor() + TimeDelta::days(100);
        for t in &left[..50] {
            let u = a.tender(t.index, 47, later);
            assert_eq!((u.buyer, u.template), (t.buyer, t.template));
            assert_eq!(u.content.kind, t.content.kind);
            assert_eq!(u.content.method, t.content.method);
            assert_eq!(u.content.award_method, t.content.award_method);
            assert_eq!(u.content.reserve_price, t.content.reserve_price);
            assert_eq!(u.content.eligibility, t.content.eligibility);
            assert_eq!(u.content.jsic, t.content.jsic);
            assert_eq!(u.attachments, t.attachments);
            // The same offset from the anchor, give or take a weekend.
            let moved = u.content.schedule.publish_at - t.content.schedule.publish_at;
            assert!((moved - TimeDelta::days(100)).abs() <= TimeDelta::days(2));
        }
    }

    #[test]
    fn buyers_are_limited_to_the_count_given() {
        let g = DemoGenerator::new(1);
        for i in 0..500 {
            assert!(g.tender(i, 5, anchor()).buyer < 5);
            assert_eq!(g.tender(i, 0, anchor()).buyer, 0);
        }
    }

    #[test]
    fn every_schedule_validates_at_its_own_publication() {
        for t in sample(5000) {
            let c = &t.content;
            let result = c.schedule.validate(
                c.method,
                c.schedule.publish_at,
                DEFAULT_MIN_PUBLICATION_DAYS,
            );
            assert!(
                result.is_ok(),
                "#{} {:?} {:?}: {result:?}",
                t.index,
                c.kind,
                c.method
            );
            // Deadlines and openings fall on weekdays, Japan time.
            for instant in [
                c.schedule.publish_at,
                c.schedule.submission_closes_at,
                c.schedule.opening_at,
            ] {
                let day = japan_date(instant).weekday();
                assert!(!matches!(day, Weekday::Sat | Weekday::Sun), "#{}", t.index);
            }
        }
    }

    #[test]
    fn statuses_agree_with_the_anchor() {
        use TenderStatus as S;
        let now = anchor();
        let mut seen: HashMap<TenderStatus, usize> = HashMap::new();
        for t in sample(5000) {
            *seen.entry(t.status).or_default() += 1;
            let s = &t.content.schedule;
            let v = ValidSchedule::restore(*s, t.content.method).unwrap();
            // Replays from a draft through the state machine.
            let mut status = S::Draft;
            let mut last = None;
            for step in &t.transitions {
                status = status.apply(step.transition).unwrap();
                assert!(step.at <= now, "#{} {step:?}", t.index);
                assert!(
                    last.is_none_or(|l| l <= step.at),
                    "#{} out of order",
                    t.index
                );
                last = Some(step.at);
                assert_eq!(step.by_buyer, !step.transition.is_scheduled());
                if step.transition.is_scheduled() {
                    assert_eq!(step.at, scheduled_instant(&v, step.transition));
                }
                let needs_reason = matches!(
                    step.transition,
                    Transition::Cancel | Transition::DeclareUnsuccessful
                );
                assert_eq!(step.reason.is_some(), needs_reason, "#{}", t.index);
            }
            assert_eq!(status, t.status, "#{}", t.index);
            // Nothing is overdue.
            assert_eq!(v.due_transitions(t.status, now), vec![], "#{}", t.index);
            assert!(t.created_at <= now);
            match t.status {
                S::Draft => {
                    assert!(s.publish_at > now);
                    assert!(t.transitions.is_empty() && t.published_at.is_none());
                    assert!(t.questions.is_empty());
                }
                _ => {
                    assert!(s.publish_at <= now);
                    assert_eq!(t.published_at, Some(s.publish_at));
                    assert!(t.created_at < s.publish_at);
                }
            }
            let cancelled_early = t.status == S::Cancelled
                && t.transitions
                    .iter()
                    .all(|x| x.transition != Transition::Open);
            if s.opening_at <= now && !cancelled_early {
                assert!(
                    matches!(
                        t.status,
                        S::Opened | S::Evaluating | S::Awarded | S::Unsuccessful | S::Cancelled
                    ),
                    "#{} {:?}",
                    t.index,
                    t.status
                );
            }
            if t.status == S::Tendering {
                assert!(v.accepts_bids_at(t.status, now), "#{}", t.index);
            }
            if t.status == S::AcceptingApplications {
                assert!(v.accepts_applications_at(t.status, now), "#{}", t.index);
            }
            // The next scheduled instant is ahead, and only for statuses a
            // clock moves on.
            match t.next_transition_at {
                Some(next) => {
                    assert!(next > now, "#{}", t.index);
                    assert!(matches!(
                        t.status,
                        S::Published
                            | S::AcceptingApplications
                            | S::ApplicationsClosed
                            | S::Tendering
                            | S::Closed
                    ));
                    assert_eq!(
                        v.due_transitions(t.status, next).len(),
                        1,
                        "#{} the next step is due at next_transition_at",
                        t.index
                    );
                }
                None => assert!(!matches!(
                    t.status,
                    S::Published
                        | S::AcceptingApplications
                        | S::ApplicationsClosed
                        | S::Tendering
                        | S::Closed
                )),
            }
            assert_eq!(t.cancel_reason().is_some(), t.status == S::Cancelled);
            // Questions were asked while questions were taken.
            for q in &t.questions {
                assert!(q.asked_at >= s.publish_at && q.asked_at < s.questions_until);
                assert!(q.asked_at <= now);
                assert!(!q.question.is_empty() && !q.answer.is_empty());
            }
            assert!(t.questions.len() <= 3 && t.attachments.len() <= 2);
        }
        // Every stage of the life cycle is represented.
        for status in [
            S::Draft,
            S::Published,
            S::AcceptingApplications,
            S::ApplicationsClosed,
            S::Tendering,
            S::Closed,
            S::Opened,
            S::Evaluating,
            S::Awarded,
            S::Unsuccessful,
            S::Cancelled,
        ] {
            assert!(
                seen.contains_key(&status),
                "no tender is {status}: {seen:?}"
            );
        }
        let awarded = seen[&S::Awarded];
        assert!(awarded > seen[&S::Unsuccessful] * 4);
        assert!(seen[&S::Unsuccessful] > seen[&S::Cancelled] / 2);
        assert!(seen[&S::Draft] < 300, "{seen:?}");
    }

    #[test]
    fn methods_fit_the_kind_and_prices_fit_the_category() {
        let mut kinds: HashMap<TenderKind, usize> = HashMap::new();
        for t in sample(3000) {
            let c = &t.content;
            *kinds.entry(c.kind).or_default() += 1;
            match c.kind {
                TenderKind::Need => {
                    assert_eq!(c.method, ContractMethod::Direct);
                    assert_eq!(c.award_method, AwardMethod::ProposalEvaluation);
                    assert!(c.reserve_price.is_none());
                }
                TenderKind::Proposal => {
                    assert_eq!(c.award_method, AwardMethod::ProposalEvaluation);
                    assert!(c.reserve_price.is_some());
                }
                TenderKind::SealedBid => {
                    assert_ne!(c.method, ContractMethod::Direct);
                    assert_ne!(c.award_method, AwardMethod::ProposalEvaluation);
                    assert!(c.reserve_price.is_some());
                    if c.category == Category::Goods {
                        assert_eq!(c.award_method, AwardMethod::LowestPrice);
                    }
                }
                TenderKind::Rfq => assert_eq!(c.award_method, AwardMethod::LowestPrice),
            }
            if let Some(min) = c.minimum_price {
                let reserve = c.reserve_price.unwrap().amount().amount();
                let min = min.amount().amount();
                assert!(min < reserve && min >= reserve * 7 / 10 - 1000);
                assert_eq!(c.kind, TenderKind::SealedBid);
            }
            if let Some(reserve) = c.reserve_price {
                let yen = reserve.amount().amount();
                assert!(yen >= 100_000 && yen % 1000 == 0, "{yen}");
                for g in &c.eligibility.grades {
                    // The tender's own grade is listed, with at most a neighbour.
                    let own = grade_for(c.category, yen);
                    let distance =
                        |a: &Grade| Grade::ALL.iter().position(|x| x == a).unwrap() as i32;
                    assert!((distance(g) - distance(&own)).abs() <= 1);
                }
                assert!(
                    c.eligibility.grades.is_empty()
                        || c.eligibility.grades.contains(&grade_for(c.category, yen))
                );
            }
            assert!(c.eligibility.grades.is_empty() || c.kind == TenderKind::SealedBid);
        }
        let total: usize = kinds.values().sum();
        for k in TenderKind::ALL {
            let share = kinds[k] * 100 / total;
            assert!((4..=70).contains(&share), "{k}: {share}% {kinds:?}");
        }
    }

    #[test]
    fn titles_are_varied_japanese_and_fit_their_category() {
        let tenders = sample(2000);
        let titles: HashSet<&str> = tenders.iter().map(|t| t.content.title.as_str()).collect();
        assert!(titles.len() >= 500, "only {} distinct titles", titles.len());
        let templates: HashSet<&str> = tenders.iter().map(|t| t.template).collect();
        assert!(
            templates.len() >= 45,
            "only {} templates used",
            templates.len()
        );
        for t in &tenders {
            let c = &t.content;
            let title = c.title.as_str();
            assert!(!title.contains(['{', '}']), "{title}");
            assert!(
                title.chars().filter(|c| is_japanese(*c)).count() >= 4,
                "{title}"
            );
            assert!(title.chars().count() <= MAX_TITLE_CHARS);
            if title.ends_with("工事") {
                assert_eq!(c.category, Category::Works, "{title}");
            }
            if title.ends_with("委託") {
                assert_eq!(c.category, Category::Services, "{title}");
            }
            if title.ends_with("購入") {
                assert_eq!(c.category, Category::Goods, "{title}");
            }
            if c.category == Category::Works {
                assert!(title.ends_with("工事"), "{title}");
            }
            let summary = c.summary.as_str();
            assert!(!summary.contains(['{', '}']), "{summary}");
            assert!(summary.chars().count() <= MAX_SUMMARY_CHARS);
            assert!(
                summary.contains("\n\n■") && summary.contains("\n・"),
                "{summary}"
            );
            assert!(summary.contains("■参加資格"));
            if let Some(p) = c.eligibility.prefectures.first() {
                assert!(summary.contains(p.name_ja()), "{summary}");
            }
            if c.minimum_price.is_some() {
                assert!(summary.contains("最低制限価格"));
            }
            if c.reserve_price_publication == ReservePricePublication::InAdvance
                && let Some(r) = c.reserve_price
            {
                assert!(summary.contains(&r.amount().format_ja()), "{summary}");
            }
            assert!(!c.contact.department.is_empty() && !c.contact.person.is_empty());
            assert!(c.contact.email.ends_with(".example.jp"));
            assert!(c.contact.phone.split('-').nth(1).unwrap().starts_with('1'));
            assert_eq!(
                c.contact.phone.chars().filter(char::is_ascii_digit).count(),
                10
            );
            assert!(
                c.performance_start
                    .zip(c.performance_end)
                    .is_none_or(|(s, e)| s < e),
                "#{} {:?}–{:?}",
                t.index,
                c.performance_start,
                c.performance_end
            );
            if let Some(end) = c.performance_end {
                assert!(end > japan_date(c.schedule.opening_at));
            }
        }
    }

    #[test]
    fn every_title_renders_for_every_buyer_it_fits() {
        let tables = tables();
        for (b, info) in tables.buyers.iter().enumerate() {
            assert!(
                tables.buyer_templates[b].len() >= 5,
                "{} has only {} templates",
                info.data.name,
                tables.buyer_templates[b].len()
            );
            for t in TEMPLATES {
                for (who, pattern) in t.titles {
                    if who & info.sectors == 0 {
                        continue;
                    }
                    for seed in 0..5 {
                        let mut rng = SplitMix64::new(seed);
                        let mut words = Words::new(info, t.x, 2026);
                        let title = words.render(&mut rng, pattern);
                        assert!(!title.contains('{'), "{title}");
                        for purpose in t.purpose {
                            assert!(!words.render(&mut rng, purpose).contains('{'));
                        }
                        // A buyer without 都道府県市区 must not get "{s}民会館"
                        // (民会館) or "{s}立…" (立…).
                        assert!(
                            !words.memo.iter().any(|(k, v)| *k == "s" && v.is_empty()),
                            "{}: {pattern} → {title}",
                            info.data.name
                        );
                    }
                }
            }
        }
        // Every template can be drawn by some buyer.
        for (i, t) in TEMPLATES.iter().enumerate() {
            assert!(
                tables
                    .buyer_templates
                    .iter()
                    .any(|list| list.iter().any(|(k, _)| *k == i)),
                "{} fits no buyer",
                t.key
            );
            let uses_x = t.titles.iter().any(|(_, p)| p.contains("{x}"));
            assert_eq!(uses_x, !t.x.is_empty(), "{}", t.key);
            assert!(!t.purpose.is_empty() && t.scope.len() >= 4, "{}", t.key);
            assert!(t.kinds.iter().sum::<u32>() > 0 && t.price.0 < t.price.1);
        }
        let keys: HashSet<&str> = TEMPLATES.iter().map(|t| t.key).collect();
        assert_eq!(keys.len(), TEMPLATES.len());
    }

    #[test]
    fn jsic_codes_are_those_suppliers_hold() {
        let supplier_codes: HashSet<&str> =
            TRADES.iter().flat_map(|t| t.jsic.iter().copied()).collect();
        for t in TEMPLATES {
            for code in t.jsic {
                assert!(supplier_codes.contains(code), "{}: {code}", t.key);
            }
        }
    }

    #[test]
    fn most_tenders_have_eligible_demo_suppliers() {
        let g = DemoGenerator::new(7);
        let suppliers: Vec<SupplierFacts> = g
            .suppliers(4000)
            .map(|s| SupplierFacts {
                prefecture: s.prefecture,
                jsic: s.jsic.clone(),
                grades: s
                    .grades
                    .iter()
                    .map(|(c, grade)| {
                        (
                            GradeCategory::parse(c).unwrap(),
                            Grade::parse(&grade.to_string()).unwrap(),
                        )
                    })
                    .collect(),
                certifications: s
                    .certifications
                    .iter()
                    .map(|c| Certification::parse(c).unwrap())
                    .collect(),
            })
            .collect();
        let tenders: Vec<_> = sample(600)
            .into_iter()
            .filter(|t| !t.content.eligibility.is_unrestricted())
            .collect();
        let reachable = tenders
            .iter()
            .filter(|t| {
                suppliers
                    .iter()
                    .any(|s| t.content.eligibility.check(t.content.category, s).is_ok())
            })
            .count();
        assert!(
            reachable * 100 >= tenders.len() * 90,
            "{reachable} of {} restricted tenders have an eligible supplier",
            tenders.len()
        );
        // The main code of each tender is one suppliers are registered under
        // (same branch), for matching.
        for t in &tenders {
            let main = &t.content.jsic[0];
            assert!(
                suppliers
                    .iter()
                    .any(|s| s.jsic.iter().any(|c| c.contains(main) || main.contains(c))),
                "{}: {}",
                t.template,
                main.as_str()
            );
        }
    }

    #[test]
    fn places_lie_where_the_buyer_is() {
        let tables = tables();
        for t in sample(2000) {
            let info = &tables.buyers[t.buyer];
            match &t.content.place {
                Place::Online => assert!(t.content.eligibility.is_nationwide()),
                place => {
                    assert_eq!(place.prefecture(), Some(info.prefecture), "#{}", t.index);
                    if let Some(own) = info.own_municipality
                        && info.is_public_body()
                    {
                        assert_eq!(place, &Place::Municipality { municipality: own });
                    }
                }
            }
            if !t.content.eligibility.is_nationwide() {
                assert!(
                    t.content.eligibility.prefectures.contains(&info.prefecture)
                        || t.content
                            .eligibility
                            .regions
                            .contains(&info.prefecture.region())
                );
            }
        }
        // Buyer organisations are of the kinds the demo makes.
        for b in &tables.buyers {
            assert!(OrgKind::parse(b.data.kind.as_str()).is_ok());
            assert!(b.sectors != 0 && !b.areas.is_empty(), "{}", b.data.name);
        }
    }

    #[test]
    fn files_are_few_and_well_formed() {
        let files = DemoFile::all();
        assert!(files.len() < 150, "{}", files.len());
        let mut digests = HashSet::new();
        for f in &files {
            let bytes = f.bytes();
            assert!(
                digests.insert(bytes.clone()),
                "{f:?} duplicates another file"
            );
            assert!(!f.title().is_empty() && !f.filename().is_empty());
            if f.content_type() == "application/pdf" {
                assert!(f.filename().ends_with(".pdf"));
                check_pdf(&bytes);
            } else {
                let text = String::from_utf8(bytes).unwrap();
                assert!(text.contains("（様式）"));
            }
        }
        // Tenders only point at these.
        let all: HashSet<DemoFile> = files.into_iter().collect();
        for t in sample(1000) {
            for f in &t.attachments {
                assert!(all.contains(f));
            }
        }
    }

    #[test]
    #[ignore = "prints samples"]
    fn print_tender_samples() {
        let tenders = sample(400);
        for t in &tenders[..6] {
            let c = &t.content;
            println!(
                "#{} [{}] {} / {} {} {} {}",
                t.index,
                tables().buyers[t.buyer].data.name,
                c.title,
                c.kind,
                c.category,
                c.method,
                c.award_method
            );
            println!("{}\n", c.summary);
            println!(
                "  status {} next {:?} reserve {:?} min {:?} place {:?} {} contact {:?}",
                t.status,
                t.next_transition_at,
                c.reserve_price,
                c.minimum_price,
                c.place,
                c.place_detail,
                c.contact
            );
            println!("  eligibility {:?}", c.eligibility);
            println!("  schedule {:?}", c.schedule);
            println!(
                "  performance {:?}–{:?} files {:?}",
                c.performance_start, c.performance_end, t.attachments
            );
            for step in &t.transitions {
                println!("  {} {} {:?}", step.at, step.transition, step.reason);
            }
            for q in &t.questions {
                println!("  Q {} A {}", q.question, q.answer);
            }
            println!();
        }
        for t in &tenders[6..] {
            println!(
                "{} | {} | {} | {}",
                t.content.title,
                tables().buyers[t.buyer].data.name,
                t.content.kind,
                t.status
            );
        }
    }

    /// Header, trailer and that every xref offset points at its object.
    fn check_pdf(bytes: &[u8]) {
        assert!(bytes.starts_with(b"%PDF-1.4\n"));
        assert!(bytes.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(bytes);
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(bytes[start..].starts_with(b"xref\n"));
        let xref = std::str::from_utf8(&bytes[start..]).unwrap();
        for (n, line) in xref
            .lines()
            .skip(3)
            .take_while(|l| l.ends_with(" n "))
            .enumerate()
        {
            assert_eq!(line.len(), 19, "entries are 20 bytes with the newline");
            let offset: usize = line[..10].parse().unwrap();
            let header = format!("{} 0 obj", n + 1);
            assert!(
                bytes[offset..].starts_with(header.as_bytes()),
                "object {}",
                n + 1
            );
        }
        // The stream length is right.
        let body = String::from_utf8_lossy(&bytes[..start]);
        let length: usize = body
            .split("/Length ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let stream = body.split_once(">>\nstream\n").unwrap().1;
        assert_eq!(stream.find("endstream"), Some(length));
    }
}
