//! Building one supplier from `(seed, index)`.

use std::fmt::Write as _;

use musubi_domain::{Prefecture, Region};

use super::names::{
    BLOCKED_NAME_PARTS, FEMALE_GIVEN_NAMES, GENERIC_STEMS, KATAKANA_STEMS, MALE_GIVEN_NAMES,
    OKINAWA_SURNAMES, SURNAMES,
};
use super::places::{GENERIC_TOWNS, MUNICIPALITIES, Municipality, PREFECTURES};
use super::rng::{SplitMix64, mix64};
use super::text::{kanji_numeral, push_base36, push_romaji, wareki_year};
use super::trades::{
    Category, GENERIC, KATAKANA, PLACE, SURNAME, TRADES, Trade, certification_label,
};
use super::{DemoCatalogueItem, DemoGenerator, DemoSupplier, SUPPLIER_KIND_CODE};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LegalForm {
    Kabushiki,
    Yugen,
    Godo,
}

impl LegalForm {
    fn as_str(self) -> &'static str {
        match self {
            LegalForm::Kabushiki => "株式会社",
            LegalForm::Yugen => "有限会社",
            LegalForm::Godo => "合同会社",
        }
    }
}

pub(super) fn generate(generator: &DemoGenerator, i: u64) -> DemoSupplier {
    let mut rng = SplitMix64::new(mix64(generator.key ^ mix64(i ^ 0x5355_5050_4C49_4552)));

    // Where.
    let pref_index = pick_cumulative(&mut rng, &generator.prefecture_cumulative);
    let prefecture = Prefecture::ALL[pref_index];
    let range = generator.prefecture_municipalities[pref_index].clone();
    let muni_index =
        range.start + rng.weighted(MUNICIPALITIES[range.clone()].iter().map(|m| m.weight));
    let muni = &MUNICIPALITIES[muni_index];

    // What and how big.
    let trade_index = pick_cumulative(&mut rng, &generator.trade_cumulative);
    let trade = &TRADES[trade_index];
    let employees = employees(&mut rng);
    let founded_year = founded_year(&mut rng, employees, trade.modern);
    let legal_form = legal_form(&mut rng, employees, founded_year, trade.modern);
    let capital_yen = capital(&mut rng, employees, founded_year, legal_form);

    // Who.
    let name = company_name(&mut rng, trade, pref_index, muni, range);
    let full_name = if rng.chance(front_share(legal_form)) {
        format!("{}{}", legal_form.as_str(), name.kanji)
    } else {
        format!("{}{}", name.kanji, legal_form.as_str())
    };
    let representative = representative(&mut rng, legal_form, name.surname, prefecture);
    let address_line = address_line(&mut rng, muni, prefecture);

    // What they do.
    let jsic = jsic_codes(&mut rng, trade, &generator.trade_jsic[trade_index]);
    let certifications = certifications(&mut rng, trade, employees);
    let grades = grades(&mut rng, trade, employees, capital_yen);
    let catalogue = catalogue(&mut rng, trade);
    let capabilities = capabilities(
        &mut rng,
        trade,
        prefecture,
        muni,
        founded_year,
        employees,
        &certifications,
    );

    // How to reach them.
    let mut domain = name.romaji;
    domain.push('-');
    push_base36(i, &mut domain);
    domain.push_str(".example.jp");
    let has_website = rng.chance(match employees {
        0..=9 => 550,
        10..=29 => 750,
        _ => 950,
    });
    let website = has_website.then(|| format!("https://www.{domain}"));
    let contact_email = format!("info@{domain}");
    let contact_phone = phone(&mut rng, muni.area_code);

    DemoSupplier {
        corporate_number: generator.corporate_number(i, SUPPLIER_KIND_CODE),
        name: full_name,
        name_kana: name.kana,
        representative,
        prefecture,
        municipality: generator.municipality_codes[muni_index],
        municipality_name: muni.name,
        address_line,
        business: trade.key,
        jsic,
        capabilities,
        catalogue,
        certifications,
        grades,
        employees,
        capital_yen,
        founded_year,
        website,
        contact_email,
        contact_phone,
    }
}

fn pick_cumulative(rng: &mut SplitMix64, cumulative: &[u32]) -> usize {
    let total = cumulative.last().copied().unwrap_or(1);
    let r = rng.below(total as usize) as u32;
    cumulative.partition_point(|&c| c <= r)
}

/// Skewed: most firms 5–50 people, a few hundreds, very few thousands.
fn employees(rng: &mut SplitMix64) -> u32 {
    let u = rng.unit();
    let v = rng.unit();
    let (lo, span) = if u < 0.06 {
        (2.0, 3.0)
    } else if u < 0.76 {
        (5.0, 46.0)
    } else if u < 0.95 {
        (51.0, 150.0)
    } else if u < 0.99 {
        (201.0, 600.0)
    } else {
        (801.0, 2200.0)
    };
    (lo + span * v * v) as u32
}

fn founded_year(rng: &mut SplitMix64, employees: u32, modern: bool) -> i32 {
    let a = rng.unit();
    let b = rng.unit();
    let year = if employees > 200 {
        // Big firms are old firms.
        1950.0 + 50.0 * a.min(b)
    } else if modern {
        1975.0 + 49.0 * a.max(b)
    } else {
        // Triangular, most in the 1970s–2000s.
        1950.0 + 37.0 * (a + b)
    };
    (year as i32).clamp(1950, 2023)
}

/// 有限会社 could be founded until 2006; 合同会社 exist from 2006.
fn legal_form(rng: &mut SplitMix64, employees: u32, founded: i32, modern: bool) -> LegalForm {
    if employees > 300 {
        LegalForm::Kabushiki
    } else if founded <= 2005 {
        let p = if employees <= 50 { 220 } else { 50 };
        if rng.chance(p) {
            LegalForm::Yugen
        } else {
            LegalForm::Kabushiki
        }
    } else {
        let p = match (modern, employees <= 50) {
            (true, true) => 350,
            (false, true) => 120,
            (_, false) => 30,
        };
        if rng.chance(p) {
            LegalForm::Godo
        } else {
            LegalForm::Kabushiki
        }
    }
}

/// Share (per mille) of names with the legal form in front (前株).
fn front_share(form: LegalForm) -> u32 {
    match form {
        LegalForm::Kabushiki => 550,
        LegalForm::Yugen => 400,
        LegalForm::Godo => 950,
    }
}

const MILLION: i64 = 1_000_000;

fn capital(rng: &mut SplitMix64, employees: u32, founded: i32, form: LegalForm) -> i64 {
    let millions: &[i64] = match form {
        LegalForm::Godo => &[1, 1, 3, 5, 5, 10],
        LegalForm::Yugen => &[3, 3, 3, 5, 10],
        LegalForm::Kabushiki => match employees {
            0..=10 => &[3, 5, 10, 10, 20],
            11..=50 => &[10, 10, 20, 30, 50],
            51..=200 => &[20, 30, 48, 50, 80, 99],
            201..=800 => &[50, 90, 99, 100, 200],
            _ => &[100, 200, 300, 300],
        },
    };
    let mut capital = *rng.pick(millions);
    // Before 2006 a 株式会社 needed ¥10M of capital.
    if form == LegalForm::Kabushiki && founded <= 2005 {
        capital = capital.max(10);
    }
    capital * MILLION
}

struct CompanyName {
    /// Stem + business word, without the legal form.
    kanji: String,
    kana: String,
    romaji: String,
    /// Set when the stem is a surname (山田建設), so the representative can
    /// share it.
    surname: Option<(&'static str, &'static str)>,
}

fn surname(rng: &mut SplitMix64, prefecture: Prefecture) -> (&'static str, &'static str) {
    if prefecture == Prefecture::Okinawa && rng.chance(500) {
        *rng.pick(OKINAWA_SURNAMES)
    } else {
        *rng.pick(SURNAMES)
    }
}

fn company_name(
    rng: &mut SplitMix64,
    trade: &Trade,
    pref_index: usize,
    muni: &Municipality,
    neighbours: std::ops::Range<usize>,
) -> CompanyName {
    let prefecture = Prefecture::ALL[pref_index];
    loop {
        let word = rng.pick(trade.words);
        let katakana_weight = if trade.modern { 40 } else { 8 };
        let styles = [
            (SURNAME, 30),
            (PLACE, 25),
            (GENERIC, 35),
            (KATAKANA, katakana_weight),
        ];
        let style = styles[rng.weighted(
            styles
                .iter()
                .map(|&(s, w)| if word.styles & s != 0 { w } else { 0 }),
        )]
        .0;
        let mut surname_stem = None;
        let mut romaji = String::with_capacity(32);
        let (stem, stem_kana) = match style {
            SURNAME => {
                let s = surname(rng, prefecture);
                surname_stem = Some(s);
                s
            }
            PLACE => {
                // Mostly its own town, sometimes a neighbouring one, else a
                // name for the prefecture or its old province.
                let neighbour = &MUNICIPALITIES[neighbours.start + rng.below(neighbours.len())];
                let r = rng.below(100);
                if r < 45 && !muni.stem.is_empty() {
                    (muni.stem, muni.stem_kana)
                } else if r < 65 && !neighbour.stem.is_empty() {
                    (neighbour.stem, neighbour.stem_kana)
                } else {
                    *rng.pick(PREFECTURES[pref_index].stems)
                }
            }
            KATAKANA => {
                let (kana, latin) = *rng.pick(KATAKANA_STEMS);
                romaji.push_str(latin);
                (kana, kana)
            }
            _ => *rng.pick(GENERIC_STEMS),
        };
        let mut kanji = String::with_capacity(stem.len() + word.kanji.len());
        kanji.push_str(stem);
        kanji.push_str(word.kanji);
        if BLOCKED_NAME_PARTS.iter().any(|b| kanji.contains(b)) {
            continue;
        }
        let mut kana = String::with_capacity(stem_kana.len() + word.kana.len());
        kana.push_str(stem_kana);
        kana.push_str(word.kana);
        if romaji.is_empty() {
            push_romaji(stem_kana, &mut romaji);
        }
        romaji.push_str(word.romaji);
        return CompanyName {
            kanji,
            kana,
            romaji,
            surname: surname_stem,
        };
    }
}

fn representative(
    rng: &mut SplitMix64,
    form: LegalForm,
    stem_surname: Option<(&'static str, &'static str)>,
    prefecture: Prefecture,
) -> String {
    let title = match form {
        LegalForm::Kabushiki => {
            if rng.chance(880) {
                "代表取締役"
            } else {
                "代表取締役社長"
            }
        }
        LegalForm::Yugen => {
            if rng.chance(700) {
                "代表取締役"
            } else {
                "取締役"
            }
        }
        LegalForm::Godo => "代表社員",
    };
    let family = match stem_surname {
        // A family firm: 山田建設 run by a 山田.
        Some(s) if rng.chance(700) => s.0,
        _ => surname(rng, prefecture).0,
    };
    let given = if rng.chance(110) {
        rng.pick(FEMALE_GIVEN_NAMES)
    } else {
        rng.pick(MALE_GIVEN_NAMES)
    };
    format!("{title} {family} {given}")
}

fn address_line(rng: &mut SplitMix64, muni: &Municipality, prefecture: Prefecture) -> String {
    let towns = if muni.towns.is_empty() {
        GENERIC_TOWNS
    } else {
        muni.towns
    };
    let &(town, max_chome) = rng.pick(towns);
    let mut line = String::with_capacity(64);
    line.push_str(town);
    if max_chome > 0 {
        let chome = rng.range(1, u32::from(max_chome));
        let ban = 1 + (rng.unit() * rng.unit() * 30.0) as u32;
        let go = rng.range(1, 20);
        let _ = write!(line, "{}丁目{ban}番{go}号", kanji_numeral(chome));
    } else {
        let ban = 1 + (rng.unit() * rng.unit() * 400.0) as u32;
        let _ = write!(line, "{ban}番地");
        if rng.chance(500) {
            let _ = write!(line, "{}", rng.range(1, 12));
        }
    }
    if rng.chance(300) {
        let owner = surname(rng, prefecture).0;
        let floor = rng.range(1, 9);
        if rng.chance(600) {
            let _ = write!(line, " {owner}ビル{floor}階");
        } else {
            let _ = write!(line, " 第{}{owner}ビル{floor}階", rng.range(2, 3));
        }
    }
    line
}

/// 0AA-BBBB-CCCC with the municipality's area code, ten digits in all. The
/// 市内局番 starts with 1, which no subscriber number does.
fn phone(rng: &mut SplitMix64, area_code: &str) -> String {
    let exchange_len = 10 - 4 - area_code.len() as u32;
    let mut phone = String::with_capacity(14);
    phone.push_str(area_code);
    phone.push_str("-1");
    let rest = rng.below(10usize.pow(exchange_len - 1));
    let _ = write!(
        phone,
        "{rest:0width$}-{:04}",
        rng.below(10_000),
        width = (exchange_len - 1) as usize
    );
    phone
}

fn jsic_codes(
    rng: &mut SplitMix64,
    trade: &Trade,
    parsed: &[musubi_domain::JsicCode],
) -> Vec<musubi_domain::JsicCode> {
    let count = (1 + rng.weighted([50u32, 35, 15].into_iter())).min(parsed.len());
    let mut indices = Vec::with_capacity(count);
    indices.push(rng.below(trade.jsic_primary));
    while indices.len() < count {
        let j = rng.below(parsed.len());
        if !indices.contains(&j) {
            indices.push(j);
        }
    }
    indices.into_iter().map(|j| parsed[j]).collect()
}

fn size_factor(employees: u32) -> f64 {
    match employees {
        0..=9 => 0.35,
        10..=29 => 0.7,
        30..=99 => 1.0,
        100..=299 => 1.5,
        _ => 2.0,
    }
}

fn certifications(rng: &mut SplitMix64, trade: &Trade, employees: u32) -> Vec<&'static str> {
    let factor = size_factor(employees);
    trade
        .certs
        .iter()
        .filter(|&&(_, p)| rng.chance(((f64::from(p) * factor) as u32).min(950)))
        .map(|&(code, _)| code)
        .collect()
}

/// What a firm of this size can take on, 0 = A … 3 = D: the level its
/// registered grade is drawn around (with noise).
pub(super) fn capacity_level(employees: u32, capital_yen: i64) -> u32 {
    if employees >= 300 || capital_yen >= 100 * MILLION {
        0
    } else if employees >= 80 || capital_yen >= 50 * MILLION {
        1
    } else if employees >= 15 {
        2
    } else {
        3
    }
}

fn grades(
    rng: &mut SplitMix64,
    trade: &Trade,
    employees: u32,
    capital_yen: i64,
) -> Vec<(&'static str, char)> {
    let mut level = capacity_level(employees, capital_yen);
    let noise = rng.below(100);
    if noise < 15 && level < 3 {
        level += 1;
    } else if noise >= 95 && level > 0 {
        level -= 1;
    }
    let grade = |level: u32| char::from(b'A' + level as u8);
    let mut grades = vec![(trade.categories[0].as_str(), grade(level))];
    for category in &trade.categories[1..] {
        if rng.chance(300) {
            let lower = (level + rng.below(2) as u32).min(3);
            grades.push((Category::as_str(*category), grade(lower)));
        }
    }
    grades
}

fn catalogue(rng: &mut SplitMix64, trade: &Trade) -> Vec<DemoCatalogueItem> {
    let items = trade.catalogue;
    let count = (1 + rng.weighted([15u32, 25, 30, 20, 10].into_iter())).min(items.len());
    let mut order: [usize; 8] = std::array::from_fn(|k| k);
    let len = items.len().min(order.len());
    let mut chosen = Vec::with_capacity(count);
    for k in 0..count {
        let j = k + rng.below(len - k);
        order.swap(k, j);
        let (title, description) = items[order[k]];
        chosen.push(DemoCatalogueItem {
            title: title.to_owned(),
            description: description.to_owned(),
        });
    }
    chosen
}

/// Where a firm says it works: 東京都内, 首都圏, 関西一円 ….
fn area_phrase(rng: &mut SplitMix64, prefecture: Prefecture) -> String {
    if rng.chance(500) {
        return format!("{}内", prefecture.name_ja());
    }
    let n = prefecture.number();
    let region = match prefecture.region() {
        Region::Hokkaido => "北海道全域",
        Region::Tohoku => "東北地方",
        Region::Kanto if (8..=10).contains(&n) => "北関東",
        Region::Kanto => "首都圏",
        Region::Hokuriku if n == 15 => "新潟県内",
        Region::Hokuriku => "北陸地方",
        Region::Chubu if n == 19 || n == 20 => "甲信地方",
        Region::Chubu => "東海地方",
        Region::Kinki => "関西一円",
        Region::Chugoku => "中国地方",
        Region::Shikoku => "四国4県",
        Region::KyushuOkinawa if n == 47 => "沖縄県内",
        Region::KyushuOkinawa => "九州一円",
    };
    region.to_owned()
}

const GENERAL_CLOSINGS: &[&str] = &[
    "地元企業として、地域の発展に貢献することを大切にしています。",
    "お客様の声を大切に、一つひとつの仕事に丁寧に取り組んでいます。",
    "官公庁・自治体の案件にも多数の実績があります。",
    "若手の育成にも力を入れ、次の世代へ技術を引き継いでいます。",
    "まずはお気軽にご相談ください。",
];

fn capabilities(
    rng: &mut SplitMix64,
    trade: &Trade,
    prefecture: Prefecture,
    muni: &Municipality,
    founded: i32,
    employees: u32,
    certifications: &[&str],
) -> String {
    let mut text = String::with_capacity(512);
    let core = rng.pick(trade.cores);
    let area = area_phrase(rng, prefecture);
    let wareki = wareki_year(founded).filter(|_| founded <= 2012);
    let templates = if wareki.is_some() { 8 } else { 7 };
    let _ = match rng.below(templates) {
        0 => write!(
            text,
            "{founded}年の創業以来、{area}を中心に{core}を手がけてまいりました。"
        ),
        1 => write!(
            text,
            "当社は{}{}に本社を置き、{core}を主力事業としています。",
            prefecture.name_ja(),
            muni.name
        ),
        2 => write!(
            text,
            "{area}の官公庁や民間企業を主なお客様として、{core}を行っています。"
        ),
        3 => write!(
            text,
            "{core}を専門とする会社として、{area}を中心に事業を展開しています。"
        ),
        4 => write!(text, "{}を拠点に、{core}に取り組んでいます。", muni.name),
        5 => write!(text, "創業{founded}年、地域に根ざした{core}の会社です。"),
        6 => write!(
            text,
            "私たちは{core}のプロとして、お客様の課題の解決をお手伝いしています。"
        ),
        _ => write!(
            text,
            "{}の創業から、{core}一筋に歩んでまいりました。",
            wareki.as_deref().unwrap_or_default()
        ),
    };

    let details = trade.details;
    let first = rng.below(details.len());
    text.push_str(details[first]);
    if rng.chance(450) {
        let second = (first + 1 + rng.below(details.len() - 1)) % details.len();
        text.push_str(details[second]);
    }

    if rng.chance(600) {
        let mut options: [u32; 4] = [
            // certifications, small firm, large firm, general
            if certifications.is_empty() { 0 } else { 3 },
            if employees < 30 { 2 } else { 0 },
            if employees >= 100 { 2 } else { 0 },
            3,
        ];
        if options.iter().all(|&w| w == 0) {
            options[3] = 1;
        }
        match rng.weighted(options.into_iter()) {
            0 => {
                let labels: Vec<&str> = certifications
                    .iter()
                    .map(|c| certification_label(c))
                    .collect();
                let joined = match labels.as_slice() {
                    [one] => (*one).to_owned(),
                    [rest @ .., last] => format!("{}と{last}", rest.join("、")),
                    [] => String::new(),
                };
                let _ = write!(text, "{joined}を取得し、継続的な改善に取り組んでいます。");
            }
            1 => text.push_str(if rng.chance(500) {
                "少数精鋭の体制で、ご相談から完了まで同じ担当者が責任を持って対応します。"
            } else {
                "小回りの利く体制を活かし、急なご依頼や短納期にも柔軟に対応いたします。"
            }),
            2 => {
                let _ = if rng.chance(500) {
                    write!(
                        text,
                        "{area}に複数の営業所を構え、広い範囲の案件にも対応できる体制を整えています。"
                    )
                } else {
                    write!(
                        text,
                        "従業員{employees}名の体制で、大規模な案件にも安定して対応します。"
                    )
                };
            }
            _ => {
                let closing = *rng.pick(GENERAL_CLOSINGS);
                text.push_str(closing);
            }
        }
    }
    text
}
