use std::collections::{HashMap, HashSet};

use musubi_domain::{CorporateNumber, JsicCode, JsicLevel, MunicipalityCode, Prefecture};

use super::places::{MUNICIPALITIES, prefecture_ranges};
use super::trades::TRADES;
use super::*;

/// What each business may be classified as, written independently of the
/// generator's tables: JSIC prefixes (中分類, 小分類 or 細分類).
fn expected_jsic_prefixes(business: &str) -> &'static [&'static str] {
    match business {
        "general_construction" | "civil_engineering" => &["06", "07"],
        "electrical_works" | "plumbing_hvac" => &["08"],
        "painting" | "interior" => &["07"],
        "landscaping" => &["0622", "0141"],
        "telecom_works" => &["082", "0812"],
        "precision_machinery" => &["26", "27"],
        "metalwork" => &["24"],
        "electrical_equipment" => &["28", "29"],
        "furniture" => &["13", "5511"],
        "uniform" => &["11", "51"],
        "food" => &["09"],
        "seafood" => &["092", "5226"],
        "catering" => &["77", "76", "0997"],
        "agriculture" => &["011", "093"],
        "printing" => &["15"],
        "building_maintenance" => &["922"],
        "security" => &["923"],
        "software" => &["39", "40"],
        "architecture_design" | "survey" => &["742"],
        "environmental_analysis" => &["74"],
        "translation" => &["729"],
        "graphic_design" => &["726", "73", "746"],
        "advertising" => &["73", "929", "726"],
        "consulting" => &["728", "712", "729"],
        "staffing" => &["91"],
        "logistics" => &["44", "47"],
        "waste_management" => &["88"],
        "office_supplies" => &["54", "55"],
        "medical_supplies" => &["549", "552"],
        "auto_service" => &["89", "591"],
        other => panic!("no expectation for business {other:?}"),
    }
}

fn is_katakana_reading(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| matches!(c, 'ァ'..='ヺ' | 'ー' | '・'))
}

fn strip_legal_form(name: &str) -> &str {
    for form in ["株式会社", "有限会社", "合同会社"] {
        if let Some(rest) = name.strip_prefix(form) {
            return rest;
        }
        if let Some(rest) = name.strip_suffix(form) {
            return rest;
        }
    }
    panic!("{name} has no legal form");
}

#[test]
fn same_seed_gives_identical_output() {
    let a = DemoGenerator::new(42);
    let b = DemoGenerator::new(42);
    let left: Vec<_> = a.suppliers(500).collect();
    let right: Vec<_> = b.suppliers(500).collect();
    assert_eq!(left, right);
    assert_eq!(a.buyers(), b.buyers());
    // Index-addressable: the same as streaming, in any order.
    assert_eq!(a.supplier(321), left[321]);
    assert_eq!(
        a.supplier_range(100..110).collect::<Vec<_>>(),
        left[100..110]
    );
    // Stable across platforms and dependency upgrades: a golden value.
    // (Changing the tables changes it; update it deliberately.)
    assert_eq!(left[0].corporate_number.as_str(), "8650799296022");
    assert_eq!(left[0].name, "大栄事務機株式会社");
    assert_eq!(left[0].contact_phone, "0263-15-7919");
}

#[test]
fn different_seeds_differ() {
    let a: Vec<_> = DemoGenerator::new(1).suppliers(200).collect();
    let b: Vec<_> = DemoGenerator::new(2).suppliers(200).collect();
    let same_number = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| x.corporate_number == y.corporate_number)
        .count();
    let same_name = a.iter().zip(&b).filter(|(x, y)| x.name == y.name).count();
    assert_eq!(same_number, 0);
    assert!(same_name < 10, "{same_name} of 200 names coincide");
    let buyers_1 = DemoGenerator::new(1).buyers();
    let buyers_2 = DemoGenerator::new(2).buyers();
    assert_ne!(buyers_1[0].corporate_number, buyers_2[0].corporate_number);
    assert_eq!(buyers_1[0].name, buyers_2[0].name);
}

#[test]
fn corporate_numbers_and_mail_domains_are_unique_and_valid() {
    let generator = DemoGenerator::new(2024);
    let mut numbers = HashSet::with_capacity(200_000);
    let mut emails = HashSet::with_capacity(200_000);
    for s in generator.suppliers(200_000) {
        assert_eq!(
            CorporateNumber::parse(s.corporate_number.as_str()),
            Ok(s.corporate_number)
        );
        assert_eq!(&s.corporate_number.base()[4..6], "99");
        assert!(numbers.insert(s.corporate_number), "{}", s.corporate_number);
        assert!(
            emails.insert(s.contact_email.clone()),
            "{}",
            s.contact_email
        );
    }
    for buyer in generator.buyers() {
        assert_eq!(&buyer.corporate_number.base()[4..6], "98");
        assert!(numbers.insert(buyer.corporate_number), "{}", buyer.name);
    }
    // Far indices too (ranges generated elsewhere must not collide).
    let far: HashSet<_> = (0..1000u64)
        .map(|k| generator.supplier(9_999_999_000 + k).corporate_number)
        .collect();
    assert_eq!(far.len(), 1000);
}

#[test]
fn suppliers_are_internally_consistent() {
    let generator = DemoGenerator::new(7);
    let mut per_prefecture: HashMap<Prefecture, usize> = HashMap::new();
    let mut businesses = HashSet::new();
    let mut legal_forms = HashMap::new();
    let mut front = 0;
    let n = 100_000;
    for s in generator.suppliers(n) {
        *per_prefecture.entry(s.prefecture).or_default() += 1;
        businesses.insert(s.business);

        // Municipality: a real, valid code in the supplier's prefecture.
        assert_eq!(
            MunicipalityCode::parse(s.municipality.as_str()),
            Ok(s.municipality)
        );
        assert_eq!(s.municipality.prefecture(), s.prefecture, "{}", s.name);
        assert!(!s.municipality.is_prefecture());
        assert!(
            MUNICIPALITIES
                .iter()
                .any(|m| m.code5 == s.municipality.five_digit() && m.name == s.municipality_name)
        );

        // Name, reading and legal form.
        let core = strip_legal_form(&s.name);
        let trade = TRADES.iter().find(|t| t.key == s.business).unwrap();
        assert!(
            trade.words.iter().any(|w| core.ends_with(w.kanji)),
            "{} is not named like a {} firm",
            s.name,
            s.business
        );
        assert!(
            is_katakana_reading(&s.name_kana),
            "{}: {}",
            s.name,
            s.name_kana
        );
        assert!(!s.name_kana.contains("カブシキ") && !s.name_kana.contains("ユウゲン"));
        let form = if s.name.contains("有限会社") {
            assert!(
                s.founded_year <= 2005,
                "{} founded {}",
                s.name,
                s.founded_year
            );
            "yugen"
        } else if s.name.contains("合同会社") {
            assert!(
                s.founded_year >= 2006,
                "{} founded {}",
                s.name,
                s.founded_year
            );
            assert!(s.representative.starts_with("代表社員 "));
            "godo"
        } else {
            assert!(s.name.contains("株式会社"));
            "kabushiki"
        };
        *legal_forms.entry(form).or_insert(0) += 1;
        if s.name.starts_with("株式会社") {
            front += 1;
        }
        assert!(
            ["代表取締役 ", "代表取締役社長 ", "取締役 ", "代表社員 "]
                .iter()
                .any(|t| s.representative.starts_with(t)),
            "{}",
            s.representative
        );

        // JSIC: 1–3 distinct codes at 小分類/細分類, consistent with the business.
        assert!((1..=3).contains(&s.jsic.len()));
        let distinct: HashSet<_> = s.jsic.iter().collect();
        assert_eq!(distinct.len(), s.jsic.len());
        for code in &s.jsic {
            assert_eq!(JsicCode::parse(code.as_str()), Ok(*code));
            assert!(matches!(
                code.level(),
                JsicLevel::Group | JsicLevel::Industry
            ));
            assert!(
                expected_jsic_prefixes(s.business)
                    .iter()
                    .any(|p| code.as_str().starts_with(p)),
                "{} ({}) has JSIC {code}",
                s.name,
                s.business
            );
        }

        // Catalogue, certifications, grades.
        assert!((1..=5).contains(&s.catalogue.len()));
        let titles: HashSet<_> = s.catalogue.iter().map(|c| &c.title).collect();
        assert_eq!(titles.len(), s.catalogue.len());
        let certs: HashSet<_> = s.certifications.iter().collect();
        assert_eq!(certs.len(), s.certifications.len());
        assert!(s.certifications.iter().all(|c| CERTIFICATIONS.contains(c)));
        assert!(!s.grades.is_empty());
        let categories: HashSet<_> = s.grades.iter().map(|g| g.0).collect();
        assert_eq!(categories.len(), s.grades.len());
        for (category, grade) in &s.grades {
            assert!(["goods", "works", "services"].contains(category));
            assert!(('A'..='D').contains(grade));
        }

        // Capabilities: 2–4 sentences.
        let sentences = s.capabilities.matches('。').count();
        assert!((2..=4).contains(&sentences), "{}", s.capabilities);

        // Size and history.
        assert!((2..=3000).contains(&s.employees));
        assert!((1_000_000..=300_000_000).contains(&s.capital_yen));
        assert_eq!(s.capital_yen % 1_000_000, 0);
        assert!((1950..=2023).contains(&s.founded_year));

        // Contact details.
        let domain = s.contact_email.strip_prefix("info@").unwrap();
        assert!(domain.ends_with(".example.jp"));
        if let Some(site) = &s.website {
            assert_eq!(site, &format!("https://www.{domain}"));
        }
        let muni = MUNICIPALITIES
            .iter()
            .find(|m| m.code5 == s.municipality.five_digit())
            .unwrap();
        assert!(
            s.contact_phone
                .starts_with(&format!("{}-1", muni.area_code))
        );
        let digits: String = s.contact_phone.chars().filter(|c| *c != '-').collect();
        assert_eq!(digits.len(), 10, "{}", s.contact_phone);
        assert!(digits.chars().all(|c| c.is_ascii_digit()));
        assert!(!s.address_line.is_empty());
    }

    // Every prefecture occurs; Tokyo about 12 %.
    assert_eq!(per_prefecture.len(), 47, "{per_prefecture:?}");
    let tokyo = per_prefecture[&Prefecture::Tokyo] as f64 / n as f64;
    assert!((0.09..=0.15).contains(&tokyo), "Tokyo share {tokyo}");
    let osaka = per_prefecture[&Prefecture::Osaka] as f64 / n as f64;
    assert!((0.05..=0.10).contains(&osaka), "Osaka share {osaka}");
    // Every line of business occurs, and all three legal forms, 前株 and 後株.
    assert_eq!(businesses.len(), TRADES.len());
    assert_eq!(legal_forms.len(), 3);
    assert!(front > n / 5 && front < n * 4 / 5);
}

#[test]
fn sizes_are_skewed_and_grades_follow_size() {
    let suppliers: Vec<_> = DemoGenerator::new(99).suppliers(20_000).collect();
    let small = suppliers
        .iter()
        .filter(|s| (5..=50).contains(&s.employees))
        .count();
    let large = suppliers.iter().filter(|s| s.employees > 300).count();
    assert!(small > suppliers.len() * 6 / 10, "{small}");
    assert!(large > 0 && large < suppliers.len() / 20, "{large}");
    let main_grade = |s: &DemoSupplier| s.grades[0].1;
    let sme_cd = suppliers
        .iter()
        .filter(|s| s.employees <= 50)
        .filter(|s| matches!(main_grade(s), 'C' | 'D'))
        .count();
    let smes = suppliers.iter().filter(|s| s.employees <= 50).count();
    assert!(sme_cd * 10 > smes * 7, "{sme_cd} of {smes} SMEs graded C/D");
    let big_ab = suppliers
        .iter()
        .filter(|s| s.employees >= 300)
        .filter(|s| matches!(main_grade(s), 'A' | 'B'))
        .count();
    assert!(big_ab * 10 > large * 8);
}

#[test]
fn buyers_cover_all_kinds_and_are_valid() {
    let buyers = DemoGenerator::new(5).buyers();
    assert!((35..=60).contains(&buyers.len()));
    let kinds: HashSet<_> = buyers.iter().map(|b| b.kind).collect();
    assert_eq!(kinds.len(), 3);
    let numbers: HashSet<_> = buyers.iter().map(|b| b.corporate_number).collect();
    assert_eq!(numbers.len(), buyers.len());
    let names: HashSet<_> = buyers.iter().map(|b| &b.name).collect();
    assert_eq!(names.len(), buyers.len());
    for b in &buyers {
        assert_eq!(
            CorporateNumber::parse(b.corporate_number.as_str()),
            Ok(b.corporate_number)
        );
        assert_eq!(
            MunicipalityCode::parse(b.municipality.as_str()),
            Ok(b.municipality)
        );
        assert_eq!(b.municipality.prefecture(), b.prefecture);
        assert!(is_katakana_reading(&b.name_kana), "{}", b.name_kana);
        assert!(b.website.starts_with("https://www.") && b.website.ends_with(".example.jp"));
        assert!(b.contact_email.ends_with(".example.jp"));
    }
    let tokyo = MunicipalityCode::parse("130001").unwrap();
    let zaimu = buyers.iter().find(|b| b.name == "東京都財務局").unwrap();
    assert_eq!(zaimu.municipality, tokyo);
    assert_eq!(zaimu.kind, BuyerKind::PublicBody);
    assert_eq!(serde_json::to_value(zaimu.kind).unwrap(), "public_body");
    let regions: HashSet<_> = buyers.iter().map(|b| b.prefecture.region()).collect();
    assert_eq!(regions.len(), 9);
}

#[test]
fn municipality_table_is_sound() {
    let ranges = prefecture_ranges();
    let mut seen = HashSet::new();
    for (n, range) in ranges.iter().enumerate() {
        assert!(
            !range.is_empty(),
            "prefecture {} has no municipality",
            n + 1
        );
        for m in &MUNICIPALITIES[range.clone()] {
            let code = MunicipalityCode::from_five_digits(m.code5).unwrap();
            assert_eq!(usize::from(code.prefecture().number()), n + 1);
            assert!(!code.is_prefecture());
            assert!(seen.insert(m.code5), "{} listed twice", m.code5);
            assert!(m.weight > 0);
            assert!(m.area_code.starts_with('0') && (2..=4).contains(&m.area_code.len()));
            assert_eq!(m.stem.is_empty(), m.stem_kana.is_empty());
            assert!(m.stem_kana.is_empty() || is_katakana_reading(m.stem_kana));
        }
    }
    assert_eq!(seen.len(), MUNICIPALITIES.len());
    // The spot checks from the brief.
    for (five, name) in [
        ("13101", "千代田区"),
        ("13102", "中央区"),
        ("13103", "港区"),
        ("13104", "新宿区"),
        ("13111", "大田区"),
        ("13201", "八王子市"),
        ("01101", "札幌市中央区"),
    ] {
        assert!(
            MUNICIPALITIES
                .iter()
                .any(|m| m.code5 == five && m.name == name)
        );
    }
    assert_eq!(
        MunicipalityCode::from_five_digits("13101")
            .unwrap()
            .as_str(),
        "131016"
    );
}

#[test]
fn name_material_reads_as_katakana() {
    for (kana, latin) in super::names::KATAKANA_STEMS {
        assert!(is_katakana_reading(kana), "{kana}");
        assert!(latin.bytes().all(|b| b.is_ascii_lowercase()), "{latin}");
    }
    for (_, kana) in super::names::GENERIC_STEMS
        .iter()
        .chain(super::names::SURNAMES)
        .chain(super::names::OKINAWA_SURNAMES)
    {
        assert!(is_katakana_reading(kana), "{kana}");
    }
    for p in &super::places::PREFECTURES {
        for (_, kana) in p.stems {
            assert!(is_katakana_reading(kana), "{kana}");
        }
    }
    for t in TRADES {
        for w in t.words {
            assert!(is_katakana_reading(w.kana), "{}", w.kana);
            assert!(
                w.romaji.bytes().all(|b| b.is_ascii_lowercase()),
                "{}",
                w.romaji
            );
        }
        assert!(t.jsic_primary >= 1 && t.jsic_primary <= t.jsic.len());
        assert!(t.catalogue.len() <= 8 && !t.cores.is_empty() && t.details.len() >= 2);
        for (code, _) in t.certs {
            assert!(CERTIFICATIONS.contains(code));
        }
    }
}

/// The generated data must pass the portal's own validation, so `musubi demo
/// generate` can store it through the services unchanged.
#[test]
fn generated_data_passes_the_services_validation() {
    use crate::companies::{ProfileInput, validate_profile};
    use crate::organizations::normalise_kana;
    use musubi_domain::{Certification, EmailAddress, Grade, GradeCategory, OrgKind};
    use musubi_storage::CatalogueItem;

    let generator = DemoGenerator::new(11);
    for s in generator.suppliers(3_000) {
        assert_eq!(
            normalise_kana(&s.name_kana).as_deref(),
            Some(s.name_kana.as_str())
        );
        assert!(s.name.chars().count() <= 100 && s.name_kana.chars().count() <= 100);
        for c in &s.certifications {
            assert!(Certification::parse(c).is_ok(), "{c}");
        }
        for (category, grade) in &s.grades {
            assert!(GradeCategory::parse(category).is_ok());
            assert!(Grade::parse(&grade.to_string()).is_ok());
        }
        assert!(
            EmailAddress::parse(&s.contact_email).is_ok(),
            "{}",
            s.contact_email
        );
        let input = ProfileInput {
            representative: s.representative.clone(),
            prefecture: s.prefecture.code().to_owned(),
            municipality: s.municipality.to_string(),
            address_line: s.address_line.clone(),
            jsic: s.jsic.iter().map(|c| c.to_string()).collect(),
            capabilities: s.capabilities.clone(),
            catalogue: s
                .catalogue
                .iter()
                .map(|c| CatalogueItem {
                    title: c.title.clone(),
                    description: c.description.clone(),
                })
                .collect(),
            certifications: s.certifications.iter().map(|c| c.to_string()).collect(),
            grades: s.grades.iter().map(|(c, g)| format!("{c}:{g}")).collect(),
            employees: s.employees.to_string(),
            capital_yen: s.capital_yen.to_string(),
            founded_year: s.founded_year.to_string(),
            website: s.website.clone().unwrap_or_default(),
            contact_email: s.contact_email.clone(),
            contact_phone: s.contact_phone.clone(),
            version: None,
        };
        let data = validate_profile(&input, 2024)
            .unwrap_or_else(|e| panic!("{} fails validation: {e:?}", s.name));
        assert_eq!(data.jsic, s.jsic);
        assert_eq!(data.grades.len(), s.grades.len());
        assert_eq!(data.certifications.len(), s.certifications.len());
    }
    for b in generator.buyers() {
        let kind = OrgKind::parse(b.kind.as_str()).unwrap();
        assert!(kind.is_buyer());
        assert_eq!(
            normalise_kana(&b.name_kana).as_deref(),
            Some(b.name_kana.as_str())
        );
        assert!(EmailAddress::parse(&b.contact_email).is_ok());
    }
}

/// Prints a few suppliers: `cargo test -p musubi-app demo::tests::print_samples
/// -- --ignored --nocapture`.
#[test]
#[ignore = "prints samples"]
fn print_samples() {
    let generator = DemoGenerator::new(1);
    for s in generator.suppliers(12) {
        println!("{}", serde_json::to_string_pretty(&s).unwrap());
    }
}

/// A fresh SQLite database in a temporary directory, with services whose
/// clock stands at `now`.
async fn demo_services(
    name: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> (crate::Services, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "musubi-demo-{name}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let storage = musubi_storage::connect(&musubi_storage::DatabaseUrl::sqlite_in(&dir))
        .await
        .unwrap();
    storage.migrate().await.unwrap();
    let services = crate::Services::new(
        storage,
        std::sync::Arc::new(crate::ManualClock::new(now)),
        crate::AppConfig {
            data_dir: dir.clone(),
            ..Default::default()
        },
    );
    (services, dir)
}

#[tokio::test]
async fn demo_tenders_are_imported_as_generated_and_continue() {
    use musubi_storage::Paging;

    let now: chrono::DateTime<chrono::Utc> = "2026-11-22T09:40:00Z".parse().unwrap();
    let (services, dir) = demo_services("tenders", now).await;
    let storage = std::sync::Arc::clone(&services.storage);
    let g = DemoGenerator::new(3);
    // As `demo generate` on an empty database: companies, then tenders; the
    // buyers and the askers' accounts are made on the way.
    services
        .import_demo_suppliers(&g, 0, 30, |_, _| {})
        .await
        .unwrap();
    let mut calls = Vec::new();
    let report = services
        .import_demo_tenders(&g, 0, 1500, |done, total| calls.push((done, total)))
        .await
        .unwrap();
    assert_eq!(report.tenders, 1500);
    assert_eq!(calls, [(1000, 1500), (1500, 1500)]);
    assert_eq!(services.demo_tender_count(&g).await.unwrap(), 1500);

    let parties = services.demo_parties(&g).await.unwrap();
    assert_eq!(parties.buyers.len(), g.buyers().len());
    assert_eq!(parties.askers.len(), 12);
    // Running it again finds what is there.
    assert_eq!(services.demo_parties(&g).await.unwrap(), parties);

    // Stored as generated (ids follow the indices in a fresh database).
    let blobs = crate::blobs::BlobStore::in_data_dir(&dir);
    let (mut questions, mut attachments) = (0, 0);
    for i in (0..1500).step_by(7) {
        let expected = g.tender(i, parties.buyers.len(), now);
        let id = i as i64 + 1;
        let stored = storage.tender(id).await.unwrap().unwrap();
        assert_eq!(stored.content, expected.content, "#{i}");
        assert_eq!(stored.status, expected.status, "#{i}");
        assert_eq!(stored.buyer, parties.buyers[expected.buyer].0);
        assert_eq!(stored.created_by, parties.buyers[expected.buyer].1);
        assert_eq!(stored.next_transition_at, expected.next_transition_at);
        assert_eq!(stored.published_at, expected.published_at);
        assert_eq!(
            stored.cancel_reason.as_deref(),
            expected.cancel_reason(),
            "#{i}"
        );
        let steps = storage.tender_transitions(id).await.unwrap();
        let kinds: Vec<_> = steps.iter().map(|s| s.transition).collect();
        let want: Vec<_> = expected.transitions.iter().map(|s| s.transition).collect();
        assert_eq!(kinds, want, "#{i}");
        let asked = storage.questions(id).await.unwrap();
        assert_eq!(asked.len(), expected.questions.len());
        questions += asked.len();
        for q in &asked {
            assert!(parties.askers.contains(&(q.asked_by, q.asker_org)));
            assert!(q.answer.is_some());
        }
        let files = storage.attachments(id).await.unwrap();
        assert_eq!(files.len(), expected.attachments.len());
        attachments += files.len();
        for f in &files {
            let bytes = blobs.get(&f.sha256).unwrap();
            assert_eq!(bytes.len() as i64, f.size);
        }
    }
    assert!(
        questions > 20 && attachments > 100,
        "{questions} {attachments}"
    );
    let listed = storage
        .buyer_tenders(
            parties.buyers[0].0,
            Paging {
                offset: 0,
                limit: 1,
            },
        )
        .await
        .unwrap();
    assert!(listed.total > 0);

    // A second run continues after the first.
    let first = services.demo_tender_count(&g).await.unwrap();
    let more = services
        .import_demo_tenders(&g, first, 100, |_, _| {})
        .await
        .unwrap();
    assert_eq!(more.tenders, 100);
    assert_eq!(services.demo_tender_count(&g).await.unwrap(), 1600);
    let last = storage.tender(1600).await.unwrap().unwrap();
    assert_eq!(
        last.content,
        g.tender(1599, parties.buyers.len(), now).content
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn serve_demo_seed_then_tenders_reuse_its_buyers_and_accounts() {
    let now: chrono::DateTime<chrono::Utc> = "2026-11-22T09:40:00Z".parse().unwrap();
    let (services, dir) = demo_services("seed", now).await;
    let report = services.seed_demo_if_empty(20, 1).await.unwrap().unwrap();
    let g = DemoGenerator::new(1);
    let tenders = services
        .import_demo_tenders(&g, 0, 200, |_, _| {})
        .await
        .unwrap();
    assert_eq!(tenders.tenders, 200);
    let parties = services.demo_parties(&g).await.unwrap();
    assert_eq!(parties.buyers.len() as u64, report.buyers);
    // The first buyer's user is its demo account; the first asker is the
    // demo supplier account.
    let buyer1 = services
        .storage
        .user_by_email(
            &musubi_domain::EmailAddress::parse("buyer1@demo.musubi.example.jp").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(parties.buyers[0].1, buyer1.id);
    let supplier = services
        .storage
        .user_by_email(&musubi_domain::EmailAddress::parse(crate::seed::DEMO_SUPPLIER).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(parties.askers[0].0, supplier.id);
    // Nothing is seeded twice.
    assert!(services.seed_demo_if_empty(20, 1).await.unwrap().is_none());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_template_has_specialists_among_the_trades() {
    let trades: HashSet<&str> = TRADES.iter().map(|t| t.key).collect();
    for key in super::tenders::template_keys() {
        let specialists = super::expert::specialists(key);
        assert!(!specialists.is_empty(), "no specialist for {key}");
        for s in specialists {
            assert!(trades.contains(s), "{key}: unknown trade {s}");
        }
    }
}

#[test]
fn expert_picks_are_deterministic_qualified_specialists_generated_as_usual() {
    let g = DemoGenerator::new(1);
    let anchor: chrono::DateTime<chrono::Utc> = "2026-11-22T09:40:00Z".parse().unwrap();
    let buyers = g.buyers().len();
    let sample = g.expert_sample(10_000, 40);
    assert_eq!(sample.len(), 40);
    assert_eq!(sample[..3], [0, 250, 500]);
    let tenders: Vec<DemoTender> = sample
        .iter()
        .map(|&i| g.tender(i, buyers, anchor))
        .collect();
    let picks = g.expert_picks(500, &tenders);
    assert_eq!(picks, g.expert_picks(500, &tenders), "deterministic");
    assert!(picks.len() >= 36, "{} picks", picks.len());
    for p in &picks {
        let t = tenders.iter().find(|t| t.index == p.tender).unwrap();
        let s = g.supplier(p.supplier);
        // The same supplier as the generator makes for this index, however
        // it was found: planting chooses, it never edits.
        assert_eq!(
            s,
            g.supplier_range(p.supplier..p.supplier + 1).next().unwrap()
        );
        assert_eq!(p.planted, p.supplier >= 500);
        assert!(super::expert::specialists(t.template).contains(&s.business));
        assert_eq!(p.specialty, s.business);
        let facts = crate::matching::supplier_facts(&crate::seed::company_import(&s).profile);
        assert!(
            t.content
                .eligibility
                .check(t.content.category, &facts)
                .is_ok(),
            "{}: pick #{} may not bid",
            t.content.title,
            p.supplier
        );
        assert!(!p.why_ja.is_empty() && !p.why_en.is_empty());
    }
    // A larger population leaves the population's own suppliers unchanged
    // and can only bring the expert someone at least as good: never a
    // planted one where the population already had a candidate.
    let wider = g.expert_picks(2_000, &tenders);
    for (a, b) in picks.iter().zip(&wider) {
        if !a.planted && a.tender == b.tender {
            assert!(!b.planted, "tender #{}", a.tender);
        }
    }
}
