use chrono::{TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::jsic::JsicCode;
use crate::municipality::MunicipalityCode;
use crate::organization::{Certification, Grade, GradeCategory};
use crate::prefecture::{Prefecture, Region};
use crate::tender::{
    AwardMethod, Category, Contact, ContractMethod, Eligibility, Place, ReservePricePublication,
    Schedule, SupplierFacts, TenderContent, TenderKind,
};

fn code(s: &str) -> JsicCode {
    JsicCode::parse(s).unwrap()
}

fn codes(list: &[&str]) -> Vec<JsicCode> {
    list.iter().map(|c| code(c)).collect()
}

/// A goods tender for 0921 (パン製造業) delivered in Tokyo, open nationwide.
fn bread_tender() -> TenderProfile {
    tender_with(Eligibility::default())
}

fn tender_with(eligibility: Eligibility) -> TenderProfile {
    TenderProfile::new(
        codes(&["0921"]),
        Some(Prefecture::Tokyo),
        Category::Goods,
        eligibility,
    )
}

fn facts(prefecture: Prefecture, jsic: &[&str]) -> SupplierFacts {
    SupplierFacts {
        prefecture,
        jsic: codes(jsic),
        grades: vec![(GradeCategory::Goods, Grade::B)],
        certifications: vec![Certification::Iso9001],
    }
}

fn supplier(prefecture: Prefecture, jsic: &[&str]) -> SupplierProfile {
    SupplierProfile::new(facts(prefecture, jsic), History::default())
}

fn with_history(bids: u32, awards: u32) -> SupplierProfile {
    let mut history = History::default();
    history.record(&code("0921"), bids, awards);
    SupplierProfile::new(facts(Prefecture::Osaka, &["0921"]), history)
}

fn pts(tender: &TenderProfile, supplier: &SupplierProfile, relevance: f32) -> u32 {
    let points = points(tender, supplier, relevance).expect("matched");
    // The hot path and the explained score never disagree.
    assert_eq!(
        score(tender, supplier, relevance).map(|m| m.points),
        Some(points)
    );
    points
}

fn reason_codes(m: &Match) -> Vec<&'static str> {
    m.reasons.iter().map(Reason::code).collect()
}

#[test]
fn the_weights_rank_the_components() {
    let history_max = HISTORY_STEPS * (PAST_BID_STEP_POINTS + PAST_AWARD_STEP_POINTS);
    // Each JSIC level is one step above the next.
    let steps = [
        SAME_INDUSTRY_POINTS,
        SAME_INDUSTRY_GROUP_POINTS,
        SAME_MAJOR_GROUP_POINTS,
        SAME_DIVISION_POINTS,
    ];
    assert!(
        steps
            .windows(2)
            .all(|w| w[0] - w[1] == SAME_DIVISION_POINTS)
    );
    // The order across components is checked when compiling (mod.rs).
    assert_eq!(history_max, 48);
}

#[test]
fn closer_jsic_scores_higher() {
    let tender = bread_tender();
    let ladder = [
        (&["0921"][..], "same_industry", "同じ細分類（0921）"),
        (&["0922"][..], "same_industry_group", "同じ小分類（092）"),
        (&["0931"][..], "same_major_group", "同じ中分類（09）"),
        (&["1011"][..], "same_division", "同じ大分類（E 製造業）"),
    ];
    let mut previous = u32::MAX;
    for (jsic, reason, label) in ladder {
        let s = supplier(Prefecture::Osaka, jsic);
        let p = pts(&tender, &s, 0.0);
        assert!(p < previous, "{jsic:?}: {p} !< {previous}");
        previous = p;
        let m = score(&tender, &s, 0.0).unwrap();
        assert_eq!(m.reasons[0].code(), reason);
        assert_eq!(m.reasons[0].label_ja(), label);
    }
    // A broad registration shares only as much as it says.
    let broad = score(&tender, &supplier(Prefecture::Osaka, &["09"]), 0.0).unwrap();
    assert_eq!(broad.reasons[0].label_ja(), "同じ中分類（09）");
    let division = score(&tender, &supplier(Prefecture::Osaka, &["E"]), 0.0).unwrap();
    assert_eq!(division.reasons[0].code(), "same_division");
    // Another division shares nothing: with no other fit, no match at all.
    assert_eq!(
        points(&tender, &supplier(Prefecture::Tokyo, &["0611"]), 0.0),
        None
    );
    assert_eq!(score(&tender, &supplier(Prefecture::Tokyo, &[]), 0.0), None);
}

#[test]
fn the_best_pair_of_codes_counts() {
    let tender = TenderProfile::new(
        codes(&["0611", "0921"]),
        Some(Prefecture::Tokyo),
        Category::Goods,
        Eligibility::default(),
    );
    let many = supplier(Prefecture::Osaka, &["1011", "0612", "0921"]);
    let exact = supplier(Prefecture::Osaka, &["0921"]);
    assert_eq!(pts(&tender, &many, 0.0), pts(&tender, &exact, 0.0));
    let m = score(&tender, &many, 0.0).unwrap();
    assert_eq!(m.reasons[0].label_ja(), "同じ細分類（0921）");
    // The order of the codes does not matter.
    let reversed = supplier(Prefecture::Osaka, &["0921", "0612", "1011"]);
    assert_eq!(score(&tender, &reversed, 0.0), Some(m));
}

#[test]
fn nearer_location_scores_higher() {
    let tender = bread_tender();
    let tokyo = supplier(Prefecture::Tokyo, &["0921"]);
    let kanagawa = supplier(Prefecture::Kanagawa, &["0921"]);
    let osaka = supplier(Prefecture::Osaka, &["0921"]);
    let (t, k, o) = (
        pts(&tender, &tokyo, 0.0),
        pts(&tender, &kanagawa, 0.0),
        pts(&tender, &osaka, 0.0),
    );
    assert!(t > k && k > o, "{t} {k} {o}");
    assert_eq!(
        score(&tender, &kanagawa, 0.0).unwrap().reasons[1].label_en(),
        "In the Kanto region"
    );
    assert_eq!(
        score(&tender, &osaka, 0.0).unwrap().reasons[1],
        Reason::OpenNationwide
    );

    // Online work: nobody is nearer.
    let online = TenderProfile::new(
        codes(&["0921"]),
        None,
        Category::Goods,
        Eligibility::default(),
    );
    assert_eq!(pts(&online, &tokyo, 0.0), pts(&online, &osaka, 0.0));

    // Admitted by region, away from the place.
    let regional = tender_with(Eligibility {
        regions: vec![Region::Kanto, Region::Kinki],
        ..Eligibility::default()
    });
    let m = score(&regional, &osaka, 0.0).unwrap();
    assert_eq!(m.reasons[1], Reason::WithinEligibleArea);
    assert_eq!(m.points, pts(&tender, &osaka, 0.0));
}

#[test]
fn more_relevant_text_scores_higher() {
    let tender = bread_tender();
    let s = supplier(Prefecture::Osaka, &["0921"]);
    let base = pts(&tender, &s, 0.0);
    assert!(pts(&tender, &s, 0.9) > pts(&tender, &s, 0.5));
    assert!(pts(&tender, &s, 0.5) > base);
    assert_eq!(pts(&tender, &s, 1.0), base + TEXT_RELEVANCE_POINTS);
    // Out of range and NaN are clamped, never a panic or a wrap.
    assert_eq!(pts(&tender, &s, 7.5), base + TEXT_RELEVANCE_POINTS);
    assert_eq!(pts(&tender, &s, -1.0), base);
    assert_eq!(pts(&tender, &s, f32::NAN), base);
    assert_eq!(text_points(0.5), 30);
    assert_eq!(text_points(0.004), 0);

    // The reason only from a third of the scale.
    let has_text = |r: f32| {
        score(&tender, &s, r)
            .unwrap()
            .reasons
            .contains(&Reason::TextRelevance)
    };
    assert!(has_text(0.5));
    assert!(!has_text(0.2));

    // Text alone makes a match, from another trade; a weak echo does not.
    let other_trade = supplier(Prefecture::Osaka, &["0611"]);
    let m = score(&tender, &other_trade, 0.8).unwrap();
    assert_eq!(reason_codes(&m), ["text_relevance", "open_nationwide"]);
    assert_eq!(score(&tender, &other_trade, 0.2), None);
}

#[test]
fn history_in_the_field_counts_with_diminishing_returns() {
    let tender = bread_tender();
    let none = pts(&tender, &with_history(0, 0), 0.0);
    let p = |bids, awards| pts(&tender, &with_history(bids, awards), 0.0) - none;
    assert!(p(1, 0) > 0);
    assert!(p(3, 0) > p(1, 0));
    assert!(p(8, 0) > p(4, 0));
    // Diminishing: the first bid is worth more than bids 9 to 100.
    assert!(p(1, 0) - p(0, 0) >= p(100, 0) - p(8, 0));
    assert_eq!(p(100, 0), p(8, 0));
    // An award is worth more than a bid.
    assert!(p(1, 1) > p(2, 0));
    assert!(p(5, 3) > p(5, 1));

    // Other fields do not count.
    let mut elsewhere = History::default();
    elsewhere.record(&code("10"), 20, 5);
    let s = SupplierProfile::new(facts(Prefecture::Osaka, &["0921"]), elsewhere);
    assert_eq!(pts(&tender, &s, 0.0), none);

    // History in the field alone makes a match, even under another code.
    let mut bread = History::default();
    bread.record_tender(&codes(&["0921", "0922"]), true);
    let s = SupplierProfile::new(facts(Prefecture::Osaka, &["5811"]), bread);
    let m = score(&tender, &s, 0.0).unwrap();
    assert_eq!(
        reason_codes(&m),
        ["past_awards", "past_bids", "open_nationwide"]
    );
}

#[test]
fn ineligible_suppliers_are_never_matched() {
    let s = supplier(Prefecture::Tokyo, &["0921"]);
    let requirements = [
        Eligibility {
            prefectures: vec![Prefecture::Osaka],
            ..Eligibility::default()
        },
        Eligibility {
            regions: vec![Region::Kinki],
            ..Eligibility::default()
        },
        Eligibility {
            grades: vec![Grade::A],
            ..Eligibility::default()
        },
        Eligibility {
            certifications: vec![Certification::Iso9001, Certification::Haccp],
            ..Eligibility::default()
        },
        Eligibility {
            jsic: codes(&["0922"]),
            ..Eligibility::default()
        },
    ];
    for eligibility in requirements {
        let tender = tender_with(eligibility.clone());
        assert!(
            eligibility.check(Category::Goods, s.facts()).is_err(),
            "{eligibility:?}"
        );
        // The best possible supplier otherwise: same code, same prefecture,
        // perfect text, a long record.
        assert_eq!(points(&tender, &s, 1.0), None, "{eligibility:?}");
        assert_eq!(score(&tender, &s, 1.0), None, "{eligibility:?}");
        assert!(top_k(&tender, [(1, &s, 1.0)], 10).is_empty());
    }
    // And each requirement, met, admits.
    let met = Eligibility {
        prefectures: vec![Prefecture::Tokyo],
        grades: vec![Grade::B],
        certifications: vec![Certification::Iso9001],
        jsic: codes(&["09"]),
        ..Eligibility::default()
    };
    assert!(points(&tender_with(met), &s, 0.0).is_some());
    // A grade held in another category does not count.
    let works = TenderProfile::new(
        codes(&["0921"]),
        Some(Prefecture::Tokyo),
        Category::Works,
        Eligibility {
            grades: vec![Grade::B],
            ..Eligibility::default()
        },
    );
    assert_eq!(points(&works, &s, 0.0), None);
}

#[test]
fn a_full_match_explained() {
    let tender = bread_tender();
    let mut history = History::default();
    history.record(&code("0921"), 3, 1);
    let s = SupplierProfile::new(facts(Prefecture::Tokyo, &["0921"]), history);
    let m = score(&tender, &s, 0.75).unwrap();
    assert_eq!(m.points, 400 + 80 + 45 + 8 + 8);
    let ja: Vec<_> = m.reasons.iter().map(Reason::label_ja).collect();
    assert_eq!(
        ja,
        [
            "同じ細分類（0921）",
            "東京都内",
            "事業内容が案件の内容と合致",
            // Equal points: awards before bids.
            "同分野での受注実績 1件",
            "同分野での入札実績 3件",
        ]
    );
    let en: Vec<_> = m.reasons.iter().map(Reason::label_en).collect();
    assert_eq!(
        en,
        [
            "Same detailed industry (0921)",
            "In Tokyo",
            "Capabilities match the tender text",
            "1 past award in this field",
            "3 past bids in this field",
        ]
    );

    // Strongest first, whatever the kind: text over a division match.
    let far = supplier(Prefecture::Okinawa, &["1011"]);
    let m = score(&tender, &far, 1.0).unwrap();
    assert_eq!(m.points, 100 + 60);
    assert_eq!(
        reason_codes(&m),
        ["same_division", "text_relevance", "open_nationwide"]
    );
    let m = score(&tender, &supplier(Prefecture::Okinawa, &["E"]), 1.0).unwrap();
    assert_eq!(
        m.reasons[0].label_en(),
        "Same industry division (E: Manufacturing)"
    );
}

#[test]
fn profile_from_tender_content() {
    let at = |d| Utc.with_ymd_and_hms(2026, 4, d, 0, 0, 0).unwrap();
    let content = TenderContent {
        kind: TenderKind::SealedBid,
        title: "学校給食用パンの購入".to_owned(),
        summary: String::new(),
        category: Category::Goods,
        jsic: codes(&["0921"]),
        place: Place::Municipality {
            municipality: MunicipalityCode::parse("131016").unwrap(),
        },
        place_detail: String::new(),
        performance_start: None,
        performance_end: None,
        method: ContractMethod::Open,
        eligibility: Eligibility {
            regions: vec![Region::Kanto],
            ..Eligibility::default()
        },
        schedule: Schedule {
            publish_at: at(1),
            application_opens_at: None,
            application_closes_at: None,
            questions_until: at(5),
            submission_opens_at: at(6),
            submission_closes_at: at(10),
            opening_at: at(11),
        },
        reserve_price: None,
        reserve_price_publication: ReservePricePublication::AtOpening,
        minimum_price: None,
        award_method: AwardMethod::LowestPrice,
        contact: Contact::default(),
    };
    let tender = TenderProfile::from(&content);
    assert_eq!(tender.jsic(), content.jsic.as_slice());
    assert_eq!(tender.place(), Some(Prefecture::Tokyo));
    assert_eq!(tender.category(), Category::Goods);
    assert_eq!(tender.eligibility(), &content.eligibility);
    let m = score(&tender, &supplier(Prefecture::Tokyo, &["0921"]), 0.0).unwrap();
    assert_eq!(reason_codes(&m), ["same_industry", "same_prefecture"]);
    assert_eq!(
        points(&tender, &supplier(Prefecture::Osaka, &["0921"]), 0.0),
        None
    );
}

#[test]
fn ties_are_broken_by_id_whatever_the_input_order() {
    let tender = bread_tender();
    let same = supplier(Prefecture::Tokyo, &["0921"]);
    let weaker = supplier(Prefecture::Osaka, &["0921"]);
    let forward = [
        (30, &same, 0.5),
        (10, &weaker, 0.5),
        (20, &same, 0.5),
        (5, &same, 0.5),
    ];
    let mut backward = forward;
    backward.reverse();
    let ids = |list: Vec<(i64, Match)>| list.into_iter().map(|(id, _)| id).collect::<Vec<_>>();
    assert_eq!(ids(top_k(&tender, forward, 3)), [5, 20, 30]);
    assert_eq!(ids(top_k(&tender, backward, 3)), [5, 20, 30]);
    assert_eq!(ids(top_k(&tender, forward, 10)), [5, 20, 30, 10]);
    assert!(top_k(&tender, forward, 0).is_empty());
}

const POOL: &[&str] = &[
    "0921", "0922", "0931", "09", "1011", "E", "0611", "D", "3911",
];

const PLACES: &[Prefecture] = &[
    Prefecture::Tokyo,
    Prefecture::Kanagawa,
    Prefecture::Osaka,
    Prefecture::Okinawa,
];

fn arbitrary_supplier() -> impl Strategy<Value = SupplierProfile> {
    (
        proptest::sample::select(PLACES),
        proptest::sample::subsequence(POOL, 0..=3),
        proptest::sample::select(Grade::ALL),
        proptest::bool::ANY,
        (0u32..12, 0u32..4),
    )
        .prop_map(|(prefecture, jsic, grade, iso, (bids, awards))| {
            let mut history = History::default();
            history.record(&code("09"), bids, awards.min(bids));
            SupplierProfile::new(
                SupplierFacts {
                    prefecture,
                    jsic: codes(&jsic),
                    grades: vec![(GradeCategory::Goods, grade)],
                    certifications: if iso {
                        vec![Certification::Iso9001]
                    } else {
                        vec![]
                    },
                },
                history,
            )
        })
}

fn arbitrary_eligibility() -> impl Strategy<Value = Eligibility> {
    prop_oneof![
        Just(Eligibility::default()),
        Just(Eligibility {
            regions: vec![Region::Kanto],
            ..Eligibility::default()
        }),
        Just(Eligibility {
            grades: vec![Grade::A, Grade::B],
            certifications: vec![Certification::Iso9001],
            ..Eligibility::default()
        }),
        Just(Eligibility {
            jsic: codes(&["E"]),
            ..Eligibility::default()
        }),
    ]
}

proptest! {
    #[test]
    fn top_k_equals_a_full_sort(
        eligibility in arbitrary_eligibility(),
        suppliers in proptest::collection::vec(
            // Coarse relevances, so that ties are common.
            (arbitrary_supplier(), (0u32..5).prop_map(|r| r as f32 / 4.0)),
            0..60,
        ),
        k in 0usize..15,
    ) {
        let tender = tender_with(eligibility);
        // Distinct ids out of input order: 37 is prime to 101.
        let candidates: Vec<(i64, &SupplierProfile, f32)> = suppliers
            .iter()
            .enumerate()
            .map(|(i, (s, r))| ((i as i64 * 37) % 101 - 50, s, *r))
            .collect();
        let mut full: Vec<(i64, Match)> = candidates
            .iter()
            .filter_map(|(id, s, r)| score(&tender, s, *r).map(|m| (*id, m)))
            .collect();
        full.sort_by(|a, b| b.1.points.cmp(&a.1.points).then(a.0.cmp(&b.0)));
        full.truncate(k);
        prop_assert_eq!(top_k(&tender, candidates.iter().copied(), k), full);

        // Everything returned is eligible, and only the ineligible or
        // unrelated are left out.
        for (id, s, r) in &candidates {
            let eligible = tender.eligibility().check(tender.category(), s.facts()).is_ok();
            if !eligible {
                prop_assert_eq!(points(&tender, s, *r), None, "{}", id);
            }
        }
    }
}
