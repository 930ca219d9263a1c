//! Coordinators through the services and the store, on both databases:
//! the dashboard, sharing a tender to a region (who gets it, their
//! notifications, the mail job, the audit line), recommending a supplier
//! (eligibility, once per supplier, the buyer's view), introductions and
//! their outcomes, and the KPIs that follow (applications and awards after
//! a share or recommendation, per coordinator and per region).

use chrono::{DateTime, Duration, TimeZone, Utc};
use musubi_app::coordination::{IntroductionInput, KpiPeriod, OutcomeInput};
use musubi_app::{ManualClock, RequestCtx, ServiceError, Services};
use musubi_domain::tender::Eligibility;
use musubi_domain::{OrgKind, Prefecture, Principal, Region};
use musubi_storage::{EventKind, Paging};

use crate::support::{
    TestDb, both_backends, coordinator_of, draft, org_member, published, serve_in_process,
    supplier_in, tender_content,
};

both_backends!(
    sharing_reaches_the_regions_suitable_suppliers_once,
    recommendations_need_eligibility_and_reach_the_buyer,
    introductions_move_forward_and_count,
    kpis_count_what_followed_per_coordinator_and_region,
    coordinators_act_on_open_published_tenders_only,
);

/// 2026-12-01 09:00 JST.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
}

/// The admin of a new supplier company in `prefecture` making `jsic`.
pub async fn supplier(
    svc: &Services,
    email: &str,
    name: &str,
    prefecture: &str,
    jsic: &str,
) -> Principal {
    supplier_in(svc, email, name, prefecture, jsic, "事務用品の納入", t0()).await
}

/// A coordinator for the prefectures of 関東, who belongs to no organisation.
pub async fn coordinator(svc: &Services, email: &str, name: &str) -> Principal {
    coordinator_of(
        &*svc.storage,
        email,
        name,
        Region::Kanto.prefectures(),
        t0(),
    )
    .await
}

/// A buyer in 東京都 with a published tender for 0911 goods performed in
/// 東京都, open to suppliers nationwide (submissions until day 11), and a
/// draft; suppliers in 福岡 and 熊本 (九州) and 大阪 (近畿) that make 0911,
/// one in 福岡 in another trade, and a coordinator of 関東.
pub struct World {
    pub db: TestDb,
    pub clock: ManualClock,
    pub base: String,
    pub svc: Services,
    pub buyer: Principal,
    pub tender: i64,
    pub draft: i64,
    pub fukuoka: Principal,
    pub kumamoto: Principal,
    pub osaka: Principal,
    pub other_trade: Principal,
    pub coordinator: Principal,
}

pub async fn world(db: TestDb) -> World {
    let clock = ManualClock::new(t0());
    let (base, svc) = serve_in_process(&db, &clock).await;
    let s = &*svc.storage;
    let buyer = org_member(
        s,
        "buyer@example.lg.jp",
        OrgKind::PublicBody,
        "架空市",
        t0(),
    )
    .await;
    let fukuoka = supplier(&svc, "fukuoka@example.jp", "株式会社博多文具", "40", "0911").await;
    let kumamoto = supplier(
        &svc,
        "kumamoto@example.jp",
        "株式会社肥後事務機",
        "43",
        "0911",
    )
    .await;
    let osaka = supplier(&svc, "osaka@example.jp", "株式会社浪速文具", "27", "0911").await;
    let other_trade = supplier(&svc, "other@example.jp", "株式会社博多建設", "40", "0611").await;
    let coordinator = coordinator(&svc, "coordinator@example.jp", "調整 役子").await;
    let mut content = tender_content("事務用品の購入", t0());
    content.eligibility = Eligibility::default();
    let org = buyer.org_id().unwrap();
    let tender = published(s, org, buyer.user_id, &content, t0()).await;
    let draft = draft(
        s,
        org,
        buyer.user_id,
        &tender_content("事務用品の購入（下書き）", t0() + Duration::days(3)),
        t0(),
    )
    .await;
    World {
        db,
        clock,
        base,
        svc,
        buyer,
        tender,
        draft,
        fukuoka,
        kumamoto,
        osaka,
        other_trade,
        coordinator,
    }
}

fn code(e: &ServiceError) -> &str {
    match e {
        ServiceError::Refused { code, .. } => code,
        ServiceError::Invalid(f) => f.0[0].code,
        ServiceError::NotFound => "not_found",
        ServiceError::Denied(d) => d.code(),
        _ => "other",
    }
}

/// The events of one person's inbox of `kind`.
async fn events_of(w: &World, p: &Principal, kind: EventKind) -> Vec<serde_json::Value> {
    w.svc
        .storage
        .notification_events(
            p.user_id,
            Paging {
                offset: 0,
                limit: 100,
            },
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.kind == kind && e.tender_id == Some(w.tender))
        .map(|e| e.detail)
        .collect()
}

async fn sharing_reaches_the_regions_suitable_suppliers_once(db: TestDb) {
    let w = world(db).await;
    let ctx = RequestCtx::default();
    let c = &w.coordinator;
    let org = |p: &Principal| p.org_id().unwrap();

    // The preview and the share: the 0911 makers of 九州, not 大阪's, not
    // the builder in 福岡 (eligible, but nothing in common with the work).
    let preview = w
        .svc
        .share_preview(c, w.tender, Region::KyushuOkinawa)
        .await
        .unwrap();
    let mut ids: Vec<i64> = preview.iter().map(|s| s.org_id).collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![org(&w.fukuoka), org(&w.kumamoto)]);
    let shared = w
        .svc
        .share_tender(
            c,
            w.tender,
            "九州・沖縄",
            "  九州の文具メーカーにもご参加いただけます。 ",
            &ctx,
        )
        .await
        .unwrap();
    assert_eq!(shared.region, Region::KyushuOkinawa);
    let mut got: Vec<i64> = shared.recipients.iter().map(|s| s.org_id).collect();
    got.sort_unstable();
    assert_eq!(got, ids);

    // Each recipient's member is told, with the title, the note and who.
    let detail = &events_of(&w, &w.fukuoka, EventKind::TenderShared).await[0];
    assert_eq!(detail["title"], "事務用品の購入");
    assert_eq!(detail["note"], "九州の文具メーカーにもご参加いただけます。");
    assert_eq!(detail["coordinator_name"], "調整 役子");
    assert_eq!(
        events_of(&w, &w.kumamoto, EventKind::TenderShared)
            .await
            .len(),
        1
    );
    assert!(
        events_of(&w, &w.osaka, EventKind::TenderShared)
            .await
            .is_empty()
    );
    assert!(
        events_of(&w, &w.other_trade, EventKind::TenderShared)
            .await
            .is_empty()
    );

    // The write's audit line, and the mail job queued with the events.
    let audit = w
        .svc
        .storage
        .audit_log(
            Some(c.user_id),
            Paging {
                offset: 0,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert!(
        audit.items.iter().any(
            |a| a.entry.action == "coordination.share" && a.entry.subject_id == Some(shared.id)
        )
    );
    let shares = w.svc.storage.tender_shares(w.tender).await.unwrap();
    assert_eq!(shares.len(), 1);
    assert_eq!(shares[0].recipients, 2);
    assert_eq!(shares[0].coordinator_name, "調整 役子");

    // A second share to 九州 finds nobody new: a clear refusal.
    let e = w
        .svc
        .share_tender(c, w.tender, "kyushu_okinawa", "再送", &ctx)
        .await
        .unwrap_err();
    assert_eq!(code(&e), "no_suitable_suppliers");
    // Bad input: no note, a note too long, an unknown region.
    for (region, note, want) in [
        ("kinki", " ", "required"),
        ("kinki", &"あ".repeat(1_001)[..], "too_long"),
        ("mars", "メモ", "region_unknown"),
    ] {
        let e = w
            .svc
            .share_tender(c, w.tender, region, note, &ctx)
            .await
            .unwrap_err();
        assert_eq!(code(&e), want, "{region} {note}");
    }
    // 近畿 has 大阪's maker.
    let kinki = w
        .svc
        .share_tender(c, w.tender, "kinki", "近畿へ", &ctx)
        .await
        .unwrap();
    assert_eq!(kinki.recipients.len(), 1);
    assert_eq!(kinki.recipients[0].org_id, org(&w.osaka));
}

async fn recommendations_need_eligibility_and_reach_the_buyer(db: TestDb) {
    let w = world(db).await;
    let ctx = RequestCtx::default();
    let c = &w.coordinator;
    let osaka = w.osaka.org_id().unwrap().to_string();

    w.svc
        .recommend_supplier(
            c,
            w.tender,
            &osaka,
            "近畿で実績のある文具メーカーです。",
            &ctx,
        )
        .await
        .unwrap();
    let e = w
        .svc
        .recommend_supplier(c, w.tender, &osaka, "もう一度", &ctx)
        .await
        .unwrap_err();
    assert_eq!(code(&e), "already_recommended");
    // A buyer organisation, a company without a profile, not a number.
    let no_profile = org_member(
        &*w.svc.storage,
        "bare@example.jp",
        OrgKind::Supplier,
        "株式会社未登録",
        t0(),
    )
    .await;
    for (who, want) in [
        (w.buyer.org_id().unwrap().to_string(), "not_a_supplier"),
        (no_profile.org_id().unwrap().to_string(), "not_a_supplier"),
        ("abc".to_owned(), "invalid_id"),
    ] {
        let e = w
            .svc
            .recommend_supplier(c, w.tender, &who, "推薦", &ctx)
            .await
            .unwrap_err();
        assert_eq!(code(&e), want, "{who}");
    }

    // An ineligible supplier is refused with the requirement it misses:
    // a tender for 関東 only.
    let mut content = tender_content("関東限定の購入", t0());
    content.eligibility = Eligibility {
        regions: vec![Region::Kanto],
        ..Eligibility::default()
    };
    let kanto_only = published(
        &*w.svc.storage,
        w.buyer.org_id().unwrap(),
        w.buyer.user_id,
        &content,
        t0(),
    )
    .await;
    let e = w
        .svc
        .recommend_supplier(c, kanto_only, &osaka, "推薦", &ctx)
        .await
        .unwrap_err();
    match &e {
        ServiceError::Invalid(f) => assert_eq!(f.0[0].field, "eligibility"),
        e => panic!("{e:?}"),
    }

    // The buyer sees it; the supplier and the buyer are told.
    let tender = w.svc.storage.tender(w.tender).await.unwrap().unwrap();
    let seen = w
        .svc
        .coordinator_recommendations(Some(&w.buyer), &tender)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].supplier_name, "株式会社浪速文具");
    assert_eq!(seen[0].note, "近畿で実績のある文具メーカーです。");
    assert_eq!(seen[0].region, Region::Kinki);
    assert!(!seen[0].applied);
    assert!(
        w.svc
            .coordinator_recommendations(Some(&w.fukuoka), &tender)
            .await
            .unwrap()
            .is_none()
    );
    let to_buyer = events_of(&w, &w.buyer, EventKind::SupplierRecommended).await;
    assert_eq!(to_buyer[0]["supplier_name"], "株式会社浪速文具");
    assert_eq!(to_buyer[0]["coordinator_name"], "調整 役子");
    let to_supplier = events_of(&w, &w.osaka, EventKind::RecommendedToApply).await;
    assert_eq!(to_supplier[0]["title"], "事務用品の購入");

    // It applies itself; the recommendation shows it.
    w.clock.advance(Duration::hours(1));
    w.svc
        .apply_for_tender(&w.osaka, w.tender, &ctx)
        .await
        .unwrap();
    let seen = w
        .svc
        .storage
        .tender_recommendations(w.tender)
        .await
        .unwrap();
    assert!(seen[0].applied);
}

async fn introductions_move_forward_and_count(db: TestDb) {
    let w = world(db).await;
    let ctx = RequestCtx::default();
    let c = &w.coordinator;
    let input = IntroductionInput {
        buyer: w.buyer.org_id().unwrap().to_string(),
        supplier: w.fukuoka.org_id().unwrap().to_string(),
        tender: w.tender.to_string(),
        note: "九州の文具メーカーを紹介".into(),
    };
    let id = w.svc.create_introduction(c, &input, &ctx).await.unwrap();
    // Swapped parties are refused field by field.
    let swapped = IntroductionInput {
        buyer: input.supplier.clone(),
        supplier: input.buyer.clone(),
        ..input.clone()
    };
    match w
        .svc
        .create_introduction(c, &swapped, &ctx)
        .await
        .unwrap_err()
    {
        ServiceError::Invalid(f) => {
            let fields: Vec<&str> = f.0.iter().map(|e| e.field).collect();
            assert!(
                fields.contains(&"buyer_id") && fields.contains(&"supplier_id"),
                "{fields:?}"
            );
        }
        e => panic!("{e:?}"),
    }

    let outcome = |status: &str, date: &str, amount: &str| OutcomeInput {
        status: status.into(),
        meeting_on: date.into(),
        contract_amount: amount.into(),
        note: String::new(),
    };
    for (o, want) in [
        (outcome("meeting_held", "", ""), "required"),
        (outcome("meeting_held", "2026-12-31", ""), "date_in_future"),
        (outcome("meeting_held", "2026/11/30", ""), "invalid_date"),
        (outcome("won", "", ""), "required"),
        (outcome("lost", "", "1000"), "amount_only_when_won"),
        (outcome("introduced", "", ""), "invalid_status"),
        (outcome("signed", "", ""), "invalid_status"),
    ] {
        let e = w
            .svc
            .record_introduction_outcome(c, id, &o, &ctx)
            .await
            .unwrap_err();
        assert_eq!(code(&e), want, "{o:?}");
    }
    let held = w
        .svc
        .record_introduction_outcome(c, id, &outcome("meeting_held", "2026-11-30", ""), &ctx)
        .await
        .unwrap();
    assert_eq!(held.meeting_on.unwrap().to_string(), "2026-11-30");
    let won = w
        .svc
        .record_introduction_outcome(c, id, &outcome("won", "", "1,200,000"), &ctx)
        .await
        .unwrap();
    assert_eq!(won.contract_amount, Some(1_200_000));
    // The meeting's date stays; a final outcome stays.
    assert_eq!(won.meeting_on.unwrap().to_string(), "2026-11-30");
    let e = w
        .svc
        .record_introduction_outcome(c, id, &outcome("lost", "", ""), &ctx)
        .await
        .unwrap_err();
    assert_eq!(code(&e), "outcome_not_allowed");

    // Another coordinator neither sees nor records it.
    let other = coordinator(&w.svc, "other-coord@example.jp", "別の 調整役").await;
    let e = w.svc.introduction_for(&other, id).await.unwrap_err();
    assert_eq!(code(&e), "not_found");
    let mine = w
        .svc
        .introductions_for(c, false, Paging::default())
        .await
        .unwrap();
    assert_eq!(mine.total, 1);
    assert_eq!(
        mine.items[0].tender_title.as_deref(),
        Some("事務用品の購入")
    );
    let theirs = w
        .svc
        .introductions_for(&other, true, Paging::default())
        .await
        .unwrap();
    assert_eq!(theirs.total, 0, "all=true is for platform admins only");

    let k = w.svc.coordination_kpis(c, KpiPeriod::All).await.unwrap();
    let mine = k
        .coordinators
        .iter()
        .find(|k| k.coordinator == c.user_id)
        .unwrap();
    assert_eq!(
        (
            mine.kpi.introductions,
            mine.kpi.meetings,
            mine.kpi.won,
            mine.kpi.won_amount
        ),
        (1, 1, 1, 1_200_000)
    );
    // Every coordinator is listed, the one with nothing too.
    let idle = k
        .coordinators
        .iter()
        .find(|k| k.coordinator == other.user_id)
        .unwrap();
    assert_eq!(idle.kpi, musubi_storage::Kpi::default());
    assert_eq!(idle.name, "別の 調整役");
    let kyushu = k
        .regions
        .iter()
        .find(|r| r.region == Some(Region::KyushuOkinawa))
        .unwrap();
    assert_eq!(kyushu.kpi.won_amount, 1_200_000);
}

async fn kpis_count_what_followed_per_coordinator_and_region(db: TestDb) {
    let w = world(db).await;
    let ctx = RequestCtx::default();
    let c = &w.coordinator;
    let s = &*w.svc.storage;

    // 熊本's maker applied before anyone shared: that is not a result.
    w.svc
        .apply_for_tender(&w.kumamoto, w.tender, &ctx)
        .await
        .unwrap();
    w.clock.advance(Duration::minutes(5));
    w.svc
        .share_tender(c, w.tender, "kyushu_okinawa", "ご検討ください", &ctx)
        .await
        .unwrap();
    w.svc
        .recommend_supplier(
            c,
            w.tender,
            &w.osaka.org_id().unwrap().to_string(),
            "推薦",
            &ctx,
        )
        .await
        .unwrap();
    // Then 福岡's maker applies; 大阪's does not.
    w.clock.advance(Duration::hours(1));
    w.svc
        .apply_for_tender(&w.fukuoka, w.tender, &ctx)
        .await
        .unwrap();

    let k = s.coordination_kpis(None).await.unwrap();
    let mine = &k
        .coordinators
        .iter()
        .find(|k| k.coordinator == c.user_id)
        .unwrap()
        .kpi;
    assert_eq!(
        (
            mine.shares,
            mine.recipients,
            mine.recommendations,
            mine.applications,
            mine.awards
        ),
        (1, 2, 1, 1, 0),
        "{mine:?}"
    );
    let region = |r: Region| {
        k.regions
            .iter()
            .find(|k| k.region == Some(r))
            .map(|k| k.kpi.clone())
            .unwrap_or_default()
    };
    let kyushu = region(Region::KyushuOkinawa);
    assert_eq!(
        (kyushu.shares, kyushu.recipients, kyushu.applications),
        (1, 2, 1)
    );
    let kinki = region(Region::Kinki);
    assert_eq!(
        (kinki.shares, kinki.recommendations, kinki.applications),
        (0, 1, 0)
    );
    // Regions come north to south.
    let order: Vec<_> = k.regions.iter().map(|r| r.region).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);

    // A period that starts after all of it counts nothing.
    let later = s
        .coordination_kpis(Some(t0() + Duration::days(1)))
        .await
        .unwrap();
    assert!(
        later
            .coordinators
            .iter()
            .all(|c| c.kpi == musubi_storage::Kpi::default())
    );
    assert!(later.regions.is_empty());
}

async fn coordinators_act_on_open_published_tenders_only(db: TestDb) {
    let w = world(db).await;
    let ctx = RequestCtx::default();
    let c = &w.coordinator;
    let osaka = w.osaka.org_id().unwrap().to_string();

    // Not for suppliers or buyers.
    let e = w.svc.coordinator_dashboard(&w.buyer).await.unwrap_err();
    assert_eq!(code(&e), "coordinator_required");
    let e = w
        .svc
        .share_tender(&w.fukuoka, w.tender, "kinki", "x", &ctx)
        .await
        .unwrap_err();
    assert_eq!(code(&e), "coordinator_required");
    // A draft does not exist for a coordinator.
    let e = w
        .svc
        .share_tender(c, w.draft, "kinki", "x", &ctx)
        .await
        .unwrap_err();
    assert_eq!(code(&e), "not_found");

    // The dashboard: the new tender of 東京都, and its four eligible
    // suppliers (fewer than five).
    let d = w.svc.coordinator_dashboard(c).await.unwrap();
    assert_eq!(d.areas, Region::Kanto.prefectures().to_vec());
    assert_eq!(d.new_tenders.len(), 1);
    assert_eq!(d.new_tenders[0].id, w.tender);
    assert_eq!(d.new_tenders[0].prefecture, Prefecture::parse("13").ok());
    assert_eq!(d.few_eligible.len(), 1);
    assert_eq!(
        (d.few_eligible[0].id, d.few_eligible[0].eligible),
        (w.tender, 4)
    );

    // A selective tender (指名競争) takes no applications: recommended to
    // the buyer, never shared.
    let mut content = tender_content("指名競争の購入", t0());
    content.eligibility = Eligibility::default();
    content.method = musubi_domain::tender::ContractMethod::Selective;
    let selective = published(
        &*w.svc.storage,
        w.buyer.org_id().unwrap(),
        w.buyer.user_id,
        &content,
        t0(),
    )
    .await;
    let t = w.svc.coordination_tender(c, selective).await.unwrap();
    assert!(t.open && !t.shareable);
    let e = w
        .svc
        .share_tender(c, selective, "kinki", "共有", &ctx)
        .await
        .unwrap_err();
    assert_eq!(code(&e), "nomination_only");
    w.svc
        .recommend_supplier(c, selective, &osaka, "指名をご検討ください", &ctx)
        .await
        .unwrap();

    // After the submission deadline: neither shared nor recommended.
    w.clock
        .set(t0() + Duration::days(11) + Duration::minutes(1));
    for e in [
        w.svc
            .share_tender(c, w.tender, "kinki", "遅い", &ctx)
            .await
            .unwrap_err(),
        w.svc
            .recommend_supplier(c, w.tender, &osaka, "遅い", &ctx)
            .await
            .unwrap_err(),
    ] {
        assert_eq!(code(&e), "tender_not_open");
    }
    let t = w.svc.coordination_tender(c, w.tender).await.unwrap();
    assert!(!t.open);
    assert!(t.suggested.is_empty());
    // Nothing was written by the refusals.
    assert!(
        w.svc
            .storage
            .tender_shares(w.tender)
            .await
            .unwrap()
            .is_empty()
    );
    let _ = (&w.db, &w.base, &w.kumamoto, &w.other_trade);
}
