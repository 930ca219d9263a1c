//! Recommendations (おすすめ企業 / おすすめ案件) through the services, on both
//! databases: the store's matching reads, eligibility as a hard filter, the
//! reasons, who may ask, the limit, open tenders only, history from real
//! bids and awards, and the snapshot's one-minute freshness.

use std::sync::Arc;

use chrono::TimeDelta;
use musubi_app::companies::ProfileInput;
use musubi_app::matching::{RecommendedSupplier, RecommendedTender};
use musubi_app::search::{ReindexScope, SearchIndex};
use musubi_app::tenders::TenderInput;
use musubi_app::{ManualClock, RequestCtx, ServiceError, Services};
use musubi_domain::{OrgKind, PlatformRole, Principal};
use musubi_storage::{ApplicationOrigin, AuditEntry, Storage, TenderId};

use crate::bids::{bid, closes, code, input, opening, services, t0};
use crate::support::{TestDb, both_backends, org_member};

both_backends!(
    the_store_reads_suppliers_participations_and_open_tenders,
    a_buyer_gets_eligible_suppliers_best_first_with_reasons,
    a_supplier_gets_open_tenders_best_first,
    history_of_bids_and_awards_counts_and_shows,
    a_newcomer_is_recommended_within_a_minute,
);

/// A supplier with a profile saved through the services.
async fn company(
    svc: &Services,
    email: &str,
    prefecture: &str,
    jsic: &[&str],
    certifications: &[&str],
    capabilities: &str,
) -> Principal {
    let p = org_member(
        &*svc.storage,
        email,
        OrgKind::Supplier,
        &format!("{email} 株式会社"),
        t0(),
    )
    .await;
    let profile = ProfileInput {
        representative: "代表取締役 佐藤 健一".into(),
        prefecture: prefecture.into(),
        address_line: "一丁目2番3号".into(),
        jsic: jsic.iter().map(|c| (*c).to_owned()).collect(),
        capabilities: capabilities.into(),
        certifications: certifications.iter().map(|c| (*c).to_owned()).collect(),
        grades: vec!["services:C".into()],
        ..ProfileInput::default()
    };
    svc.save_company_profile(&p, p.org_id().unwrap(), &profile, &RequestCtx::default())
        .await
        .unwrap();
    p
}

async fn buyer(svc: &Services, email: &str, name: &str) -> Principal {
    org_member(&*svc.storage, email, OrgKind::PublicBody, name, t0()).await
}

/// 清掃 (9221) in Tokyo, open to Tokyo and Kanagawa, ISO 9001 required.
fn cleaning() -> TenderInput {
    TenderInput {
        jsic: vec!["9221".into()],
        eligible_prefectures: vec!["13".into(), "14".into()],
        required_certifications: vec!["iso9001".into()],
        ..input()
    }
}

async fn publish(svc: &Services, buyer: &Principal, input: &TenderInput) -> TenderId {
    let ctx = RequestCtx::default();
    let id = svc.create_tender(buyer, input, &ctx).await.unwrap();
    svc.publish_tender(buyer, id, &ctx).await.unwrap();
    id
}

fn codes(reasons: &[musubi_app::matching::ReasonView]) -> Vec<&'static str> {
    reasons.iter().map(|r| r.code).collect()
}

fn orgs(found: &[RecommendedSupplier]) -> Vec<i64> {
    found.iter().map(|s| s.org_id).collect()
}

fn tender_ids(found: &[RecommendedTender]) -> Vec<TenderId> {
    found.iter().map(|t| t.tender_id).collect()
}

async fn the_store_reads_suppliers_participations_and_open_tenders(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let s: &dyn Storage = &*db.storage;
    let b = buyer(&svc, "buyer@example.jp", "東京都").await;
    let a = company(
        &svc,
        "a@example.jp",
        "13",
        &["9221", "E"],
        &["iso9001"],
        "清掃",
    )
    .await;
    // A supplier without a profile is no candidate; neither is a buyer.
    org_member(s, "bare@example.jp", OrgKind::Supplier, "無登録", t0()).await;

    let found = s.matching_suppliers().await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let m = &found[0];
    assert_eq!(m.id, a.org_id().unwrap());
    assert_eq!(m.name, "a@example.jp 株式会社");
    assert_eq!(m.prefecture.code(), "13");
    let mut jsic: Vec<&str> = m.jsic.iter().map(|c| c.as_str()).collect();
    jsic.sort();
    assert_eq!(jsic, ["9221", "E"]);
    assert_eq!(
        m.grades
            .iter()
            .map(|(c, g)| format!("{}:{}", c.code(), g.code()))
            .collect::<Vec<_>>(),
        ["services:C"]
    );
    assert_eq!(
        m.certifications
            .iter()
            .map(|c| c.code())
            .collect::<Vec<_>>(),
        ["iso9001"]
    );

    // Open: published with the deadline ahead. Not open: a draft, a
    // cancelled tender, one whose deadline passed.
    let open = publish(&svc, &b, &cleaning()).await;
    let draft = svc
        .create_tender(&b, &cleaning(), &RequestCtx::default())
        .await
        .unwrap();
    let cancelled = publish(&svc, &b, &cleaning()).await;
    svc.cancel_tender(&b, cancelled, "予算の都合", &RequestCtx::default())
        .await
        .unwrap();
    let listed: Vec<TenderId> = s
        .open_tenders(t0() + TimeDelta::days(1))
        .await
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(listed, [open]);
    let late = s.open_tenders(closes()).await.unwrap();
    assert!(late.is_empty(), "at the deadline nothing is open: {late:?}");
    let t = &s.open_tenders(t0()).await.unwrap()[0];
    assert_eq!(t.buyer_name, "東京都");
    assert_eq!(t.content.jsic[0].as_str(), "9221");

    // Participations: an application (or nomination) once per pair, with
    // the tender's codes; none for the draft's supplier-less rows.
    assert!(s.participations().await.unwrap().is_empty());
    for tender in [open, draft] {
        s.create_application(
            tender,
            a.org_id().unwrap(),
            ApplicationOrigin::Nomination,
            b.user_id,
            t0(),
            &[],
            AuditEntry::new("tender.nominate", "tender", Some(tender)),
        )
        .await
        .unwrap();
    }
    let p = s.participations().await.unwrap();
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p.iter().all(|p| p.supplier == a.org_id().unwrap()));
    assert!(p.iter().all(|p| !p.awarded));
    assert_eq!(
        p.iter().map(|p| p.tender).collect::<Vec<_>>(),
        [open.min(draft), open.max(draft)]
    );
    assert_eq!(
        p[0].jsic.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        ["9221"]
    );
}

async fn a_buyer_gets_eligible_suppliers_best_first_with_reasons(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db)
        .with_search(Arc::new(SearchIndex::in_memory().unwrap()));
    let b = buyer(&svc, "buyer@example.jp", "東京都").await;
    let other = buyer(&svc, "other@example.jp", "大阪府").await;
    let id = publish(&svc, &b, &cleaning()).await;
    let text = "建物の日常清掃・定期清掃";
    let local = company(
        &svc,
        "local@example.jp",
        "13",
        &["9221"],
        &["iso9001"],
        text,
    )
    .await;
    // Same 小分類 (922), in the same region (関東) but not the prefecture.
    let near = company(&svc, "near@example.jp", "14", &["9229"], &["iso9001"], text).await;
    // Ineligible: outside the 所在地要件; without the certification.
    let far = company(&svc, "far@example.jp", "27", &["9221"], &["iso9001"], text).await;
    let uncertified = company(&svc, "nocert@example.jp", "13", &["9221"], &[], text).await;
    // Eligible, but nothing in common with the work.
    let unrelated = company(
        &svc,
        "print@example.jp",
        "13",
        &["1511"],
        &["iso9001"],
        "オフセット印刷",
    )
    .await;
    svc.rebuild_search_index(ReindexScope::All, |_| {})
        .await
        .unwrap();

    let found = svc.recommended_suppliers(&b, id, 10).await.unwrap();
    assert_eq!(
        orgs(&found),
        [local.org_id().unwrap(), near.org_id().unwrap()],
        "{found:#?}"
    );
    let first = &found[0];
    assert_eq!(first.prefecture, "13");
    assert_eq!(first.name, "local@example.jp 株式会社");
    let first_codes = codes(&first.reasons);
    assert_eq!(first_codes[0], "same_industry", "{first_codes:?}");
    assert!(first_codes.contains(&"same_prefecture"), "{first_codes:?}");
    assert!(first_codes.contains(&"text_relevance"), "{first_codes:?}");
    assert_eq!(first.reasons[0].label_ja, "同じ細分類（9221）");
    assert!(first.reasons.iter().any(|r| r.label_ja == "東京都内"));
    let second = codes(&found[1].reasons);
    assert_eq!(second[0], "same_industry_group", "{second:?}");
    assert!(second.contains(&"same_region"), "{second:?}");
    assert!(found[0].points > found[1].points);
    for never in [&far, &uncertified, &unrelated] {
        assert!(!orgs(&found).contains(&never.org_id().unwrap()));
    }
    // The limit is a limit.
    assert_eq!(
        orgs(&svc.recommended_suppliers(&b, id, 1).await.unwrap()),
        [local.org_id().unwrap()]
    );

    // Coordinators and platform admins may ask; another buyer's member,
    // a supplier and an unknown tender get 404.
    for role in [PlatformRole::Coordinator, PlatformRole::Admin] {
        let staff = Principal {
            platform_role: role,
            membership: None,
            ..other
        };
        assert_eq!(
            svc.recommended_suppliers(&staff, id, 10).await.unwrap(),
            found
        );
    }
    for who in [&other, &local] {
        let e = svc.recommended_suppliers(who, id, 10).await.unwrap_err();
        assert!(matches!(e, ServiceError::NotFound), "{e:?}");
    }
    let e = svc
        .recommended_suppliers(&b, id + 1000, 10)
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::NotFound), "{e:?}");
    for bad in [0, 51] {
        let e = svc.recommended_suppliers(&b, id, bad).await.unwrap_err();
        assert_eq!(code(e), "invalid_limit");
    }

    // Without a search index (another process), the registered facts still
    // rank: the same suppliers, without the text reason.
    let plain = services(Arc::clone(&db.storage), &clock, &db);
    let found = plain.recommended_suppliers(&b, id, 10).await.unwrap();
    assert_eq!(
        orgs(&found),
        [local.org_id().unwrap(), near.org_id().unwrap()]
    );
    assert!(!codes(&found[0].reasons).contains(&"text_relevance"));
}

async fn a_supplier_gets_open_tenders_best_first(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let ctx = RequestCtx::default();
    let b = buyer(&svc, "buyer@example.jp", "東京都").await;
    let s = company(&svc, "s@example.jp", "13", &["9221"], &["iso9001"], "清掃").await;

    // Before a profile: nothing, and no error (the page explains why).
    let bare = org_member(
        &*svc.storage,
        "bare@example.jp",
        OrgKind::Supplier,
        "新規",
        t0(),
    )
    .await;
    assert!(svc.recommended_tenders(&bare, 10).await.unwrap().is_empty());

    let exact = publish(&svc, &b, &cleaning()).await;
    let group = publish(
        &svc,
        &b,
        &TenderInput {
            title: "庁舎設備保守".into(),
            jsic: vec!["9229".into()],
            ..cleaning()
        },
    )
    .await;
    // Not recommended: cancelled; a draft; one the supplier may not take
    // part in (Osaka only); one in another field.
    let cancelled = publish(&svc, &b, &cleaning()).await;
    svc.cancel_tender(&b, cancelled, "予算の都合", &ctx)
        .await
        .unwrap();
    svc.create_tender(&b, &cleaning(), &ctx).await.unwrap();
    publish(
        &svc,
        &b,
        &TenderInput {
            eligible_prefectures: vec!["27".into()],
            ..cleaning()
        },
    )
    .await;
    publish(
        &svc,
        &b,
        &TenderInput {
            jsic: vec!["1511".into()],
            ..cleaning()
        },
    )
    .await;

    clock.set(t0() + TimeDelta::days(3));
    let found = svc.recommended_tenders(&s, 10).await.unwrap();
    assert_eq!(tender_ids(&found), [exact, group], "{found:#?}");
    let first = &found[0];
    assert_eq!(first.title, "本庁舎清掃業務委託");
    assert_eq!(first.buyer_name, "東京都");
    assert_eq!(first.submission_closes_at, closes());
    assert_eq!(codes(&first.reasons)[0], "same_industry");
    assert!(codes(&first.reasons).contains(&"same_prefecture"));
    assert_eq!(codes(&found[1].reasons)[0], "same_industry_group");
    assert_eq!(
        tender_ids(&svc.recommended_tenders(&s, 1).await.unwrap()),
        [exact]
    );

    // Once the deadline has passed, nothing is open.
    clock.set(closes());
    assert!(svc.recommended_tenders(&s, 10).await.unwrap().is_empty());

    for bad in [0, 51] {
        let e = svc.recommended_tenders(&s, bad).await.unwrap_err();
        assert_eq!(code(e), "invalid_limit");
    }
    let e = svc.recommended_tenders(&b, 10).await.unwrap_err();
    assert!(matches!(e, ServiceError::Denied(_)), "{e:?}");
}

async fn history_of_bids_and_awards_counts_and_shows(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let ctx = RequestCtx::default();
    let b = buyer(&svc, "buyer@example.jp", "東京都").await;
    let winner = company(
        &svc,
        "win@example.jp",
        "13",
        &["9221"],
        &["iso9001"],
        "清掃",
    )
    .await;
    let loser = company(
        &svc,
        "lose@example.jp",
        "13",
        &["9221"],
        &["iso9001"],
        "清掃",
    )
    .await;
    let past = publish(&svc, &b, &cleaning()).await;
    clock.set(t0() + TimeDelta::days(3));
    svc.advance_due_tenders(clock_now(&clock)).await.unwrap();
    svc.submit_bid(&winner, past, &bid("900000", "418"), &ctx)
        .await
        .unwrap();
    svc.submit_bid(&loser, past, &bid("950000", "210"), &ctx)
        .await
        .unwrap();
    clock.set(opening());
    svc.advance_due_tenders(opening()).await.unwrap();
    svc.confirm_award(&b, past, &ctx).await.unwrap();

    let mut p = db.storage.participations().await.unwrap();
    p.sort_by_key(|p| p.supplier);
    let pairs: Vec<(i64, TenderId, bool)> = p
        .iter()
        .map(|p| (p.supplier, p.tender, p.awarded))
        .collect();
    assert_eq!(
        pairs,
        [
            (winner.org_id().unwrap(), past, true),
            (loser.org_id().unwrap(), past, false),
        ]
    );

    // A new tender in the field: the winner ranks above an otherwise equal
    // rival, for its award and bid.
    let new = publish(
        &svc,
        &b,
        &TenderInput {
            questions_until: (opening() + TimeDelta::days(8)).to_rfc3339(),
            submission_opens_at: (opening() + TimeDelta::days(2)).to_rfc3339(),
            submission_closes_at: (opening() + TimeDelta::days(12)).to_rfc3339(),
            opening_at: (opening() + TimeDelta::days(13)).to_rfc3339(),
            ..cleaning()
        },
    )
    .await;
    let found = svc.recommended_suppliers(&b, new, 10).await.unwrap();
    assert_eq!(
        orgs(&found),
        [winner.org_id().unwrap(), loser.org_id().unwrap()]
    );
    let labels: Vec<&str> = found[0]
        .reasons
        .iter()
        .map(|r| r.label_ja.as_str())
        .collect();
    assert!(labels.contains(&"同分野での受注実績 1件"), "{labels:?}");
    assert!(labels.contains(&"同分野での入札実績 1件"), "{labels:?}");
    assert!(!codes(&found[1].reasons).contains(&"past_awards"));
    assert!(codes(&found[1].reasons).contains(&"past_bids"));
    // The supplier's side sees its history too.
    let mine = svc.recommended_tenders(&winner, 10).await.unwrap();
    assert_eq!(tender_ids(&mine), [new]);
    assert!(codes(&mine[0].reasons).contains(&"past_awards"));
}

fn clock_now(clock: &ManualClock) -> chrono::DateTime<chrono::Utc> {
    use musubi_app::Clock;
    clock.now()
}

async fn a_newcomer_is_recommended_within_a_minute(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let b = buyer(&svc, "buyer@example.jp", "東京都").await;
    let id = publish(&svc, &b, &cleaning()).await;
    let first = company(
        &svc,
        "first@example.jp",
        "13",
        &["9221"],
        &["iso9001"],
        "清掃",
    )
    .await;
    let found = svc.recommended_suppliers(&b, id, 10).await.unwrap();
    assert_eq!(orgs(&found), [first.org_id().unwrap()]);

    // Registered now: the snapshot read a moment ago does not know it yet …
    let newcomer = company(
        &svc,
        "new@example.jp",
        "13",
        &["9221"],
        &["iso9001"],
        "清掃",
    )
    .await;
    clock.set(t0() + TimeDelta::seconds(59));
    let found = svc.recommended_suppliers(&b, id, 10).await.unwrap();
    assert_eq!(orgs(&found), [first.org_id().unwrap()]);
    // … and is recommended once it is a minute old.
    clock.set(t0() + TimeDelta::seconds(60));
    let found = svc.recommended_suppliers(&b, id, 10).await.unwrap();
    assert_eq!(
        orgs(&found),
        [first.org_id().unwrap(), newcomer.org_id().unwrap()]
    );

    // `serve` warms it ahead of time: with 20 s of its minute left it is
    // rebuilt, so a request finds it fresh and does not wait.
    let late = company(
        &svc,
        "late@example.jp",
        "13",
        &["9221"],
        &["iso9001"],
        "清掃",
    )
    .await;
    clock.set(t0() + TimeDelta::seconds(60 + 39));
    assert!(!svc.warm_matching_candidates().await.unwrap());
    clock.set(t0() + TimeDelta::seconds(60 + 40));
    assert!(svc.warm_matching_candidates().await.unwrap());
    assert!(!svc.warm_matching_candidates().await.unwrap(), "once");
    let found = svc.recommended_suppliers(&b, id, 10).await.unwrap();
    assert!(orgs(&found).contains(&late.org_id().unwrap()));
}
