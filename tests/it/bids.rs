//! Sealed bidding through the services, on both databases: submission with
//! a signed receipt, nothing of a bid visible before the opening, the
//! opening at its instant with exclusions and the 電子くじ recomputed here
//! from the published record alone, the award; the deadline instant.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use musubi_app::companies::ProfileInput;
use musubi_app::sealing::{CanonicalBid, Salt};
use musubi_app::tenders::{BidInput, TenderInput};
use musubi_app::{AppConfig, ManualClock, RequestCtx, ServiceError, Services};
use musubi_domain::tender::TenderStatus as S;
use musubi_domain::{OrgKind, Principal};
use musubi_storage::{Storage, TenderId};
use serde_json::Value;

use crate::support::{TestDb, both_backends, org_member};

both_backends!(
    bids_are_sealed_until_the_opening_then_evaluated_and_awarded,
    one_bid_per_supplier_and_withdrawal,
    the_deadline_instant_decides,
    an_opening_without_valid_bids_is_unsuccessful,
);

/// 2026-12-01 09:00 JST.
pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
}

pub(crate) fn closes() -> DateTime<Utc> {
    t0() + TimeDelta::days(12)
}

pub(crate) fn opening() -> DateTime<Utc> {
    closes() + TimeDelta::hours(1)
}

pub(crate) fn services(storage: Arc<dyn Storage>, clock: &ManualClock, db: &TestDb) -> Services {
    Services::new(
        storage,
        Arc::new(clock.clone()),
        AppConfig {
            base_url: "http://musubi.test".into(),
            data_dir: db.data_path().to_path_buf(),
            ..AppConfig::default()
        },
    )
}

/// 一般競争 sealed bid, 予定価格 ¥1,000,000 and 最低制限価格 ¥800,000
/// published at the opening.
pub(crate) fn input() -> TenderInput {
    TenderInput {
        kind: "sealed_bid".into(),
        title: "本庁舎清掃業務委託".into(),
        summary: "本庁舎の日常清掃及び定期清掃を委託する。".into(),
        category: "services".into(),
        place: "13".into(),
        method: "open".into(),
        questions_until: (t0() + TimeDelta::days(8)).to_rfc3339(),
        submission_opens_at: (t0() + TimeDelta::days(2)).to_rfc3339(),
        submission_closes_at: closes().to_rfc3339(),
        opening_at: opening().to_rfc3339(),
        award_method: "lowest_price".into(),
        reserve_price: "1000000".into(),
        minimum_price: "800000".into(),
        reserve_price_publication: "at_opening".into(),
        contact_department: "総務部契約課".into(),
        ..TenderInput::default()
    }
}

pub(crate) async fn supplier(svc: &Services, email: &str) -> Principal {
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
        prefecture: "13".into(),
        municipality: "131016".into(),
        address_line: "神田須田町一丁目2番3号".into(),
        jsic: vec!["9221".into()],
        capabilities: "建物の清掃・設備管理".into(),
        grades: vec!["services:C".into()],
        ..ProfileInput::default()
    };
    let org = p.org_id().unwrap();
    svc.save_company_profile(&p, org, &profile, &RequestCtx::default())
        .await
        .unwrap();
    p
}

pub(crate) async fn published(svc: &Services, buyer: &Principal) -> TenderId {
    let ctx = RequestCtx::default();
    let id = svc.create_tender(buyer, &input(), &ctx).await.unwrap();
    svc.publish_tender(buyer, id, &ctx).await.unwrap();
    id
}

pub(crate) fn bid(amount: &str, lottery: &str) -> BidInput {
    BidInput {
        amount: amount.into(),
        lottery_number: lottery.into(),
        proposal: String::new(),
    }
}

pub(crate) fn code(e: ServiceError) -> String {
    match e {
        ServiceError::Refused { code, .. } => code.to_owned(),
        ServiceError::Invalid(f) => f.0.iter().map(|e| e.code).collect::<Vec<_>>().join(","),
        e => format!("{e:?}"),
    }
}

pub(crate) async fn status(storage: &dyn Storage, id: TenderId) -> S {
    storage.tender(id).await.unwrap().unwrap().status
}

async fn bids_are_sealed_until_the_opening_then_evaluated_and_awarded(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let ctx = RequestCtx::default();
    let buyer = org_member(
        &*db.storage,
        "buyer@example.jp",
        OrgKind::PublicBody,
        "東京都",
        t0(),
    )
    .await;
    let id = published(&svc, &buyer).await;
    let a = supplier(&svc, "a@example.jp").await;
    let b = supplier(&svc, "b@example.jp").await;
    let c = supplier(&svc, "c@example.jp").await;
    let d = supplier(&svc, "d@example.jp").await;

    // Before the window: refused.
    let e = svc
        .submit_bid(&a, id, &bid("900000", "418"), &ctx)
        .await
        .unwrap_err();
    assert_eq!(code(e), "not_accepting_bids");

    // The glossary's receipt seconds end in 210, 040, 480 — here: A and B
    // tie at ¥900,000; C is above 予定価格; D below 最低制限価格.
    let day3 = t0() + TimeDelta::days(3);
    // The n-th submission at a second whose last three digits are `digits`.
    let at = |n: i64, digits: i64| {
        let offset = (digits - day3.timestamp()).rem_euclid(1000) + 1000 * n;
        day3 + TimeDelta::seconds(offset) + TimeDelta::microseconds(123_456)
    };
    let mut receipts = Vec::new();
    for (n, (who, amount, lottery, digits)) in [
        (&a, "900,000", "418", 210),
        (&b, "900000", "210", 40),
        (&c, "1200000", "861", 480),
        (&d, "700000", "007", 0),
    ]
    .into_iter()
    .enumerate()
    {
        clock.set(at(n as i64, digits));
        let submitted = svc
            .submit_bid(who, id, &bid(amount, lottery), &ctx)
            .await
            .unwrap();
        receipts.push(submitted.receipt);
    }
    let (public_key, key_id) = svc.receipt_public_key().unwrap();
    let public_key = base64_decode(&public_key);
    for r in &receipts {
        r.receipt.verify(&public_key).unwrap();
        assert_eq!(r.receipt.key_id, key_id);
        assert_eq!(r.receipt.tender_id, id);
    }

    // Sealed: the stored bytes hold no amount; nobody gets results; the
    // bidder sees that a bid exists, never its amount.
    for row in db.storage.round_bids(id, 1).await.unwrap() {
        let sealed = String::from_utf8_lossy(&row.sealed).to_string();
        assert!(
            !sealed.contains("900000") && !sealed.contains("418"),
            "{sealed}"
        );
    }
    let e = svc.tender_results(Some(&buyer), id).await.unwrap_err();
    assert_eq!(code(e), "results_not_available");
    let own = svc.own_bids(&a, id).await.unwrap();
    assert_eq!(own.len(), 1);
    assert!(!own[0].receipt.to_string().contains("900000"));
    assert!(svc.own_bids(&buyer, id).await.unwrap().is_empty());
    let detail = format!("{:?}", svc.tender_for(Some(&buyer), id).await.unwrap());
    assert!(!detail.contains(&receipts[0].receipt.commitment));

    // 開札 at its instant (not a microsecond before).
    svc.advance_due_tenders(opening() - TimeDelta::microseconds(1))
        .await
        .unwrap();
    assert_eq!(status(&*db.storage, id).await, S::Closed);
    clock.set(opening());
    svc.advance_due_tenders(opening()).await.unwrap();
    assert_eq!(status(&*db.storage, id).await, S::Opened);
    // Exactly once: another scheduler pass changes nothing.
    svc.advance_due_tenders(opening() + TimeDelta::minutes(1))
        .await
        .unwrap();
    assert_eq!(db.storage.openings(id).await.unwrap().len(), 1);

    let results = svc.tender_results(None, id).await.unwrap();
    let record = &results.openings[0];
    assert_eq!(record["reserve_price"], 1_000_000);
    assert_eq!(record["minimum_price"], 800_000);
    let bids = record["bids"].as_array().unwrap();
    assert_eq!(bids.len(), 4);
    // Every receipt's commitment is in the record, and the revealed
    // canonical bid and salt reproduce it.
    for (r, published) in receipts.iter().zip(bids) {
        assert_eq!(published["commitment"], r.receipt.commitment.as_str());
        assert_eq!(published["salt"], r.salt.as_str());
        let canonical = CanonicalBid {
            tender_id: id,
            round: 1,
            bidder_org_id: published["bidder_org_id"].as_i64().unwrap(),
            amount_yen: published["amount"].as_i64(),
            lottery_number: published["lottery_number"].as_str().map(str::to_owned),
            proposal_sha256: None,
            attachments_sha256: Vec::new(),
        };
        let salt: Salt = r.salt.parse().unwrap();
        r.receipt
            .verify_opening(&public_key, &canonical, &salt)
            .unwrap();
    }
    let amounts: Vec<i64> = bids.iter().map(|b| b["amount"].as_i64().unwrap()).collect();
    assert_eq!(amounts, [900_000, 900_000, 1_200_000, 700_000]);

    // The lottery, recomputed from the published record alone.
    let tied: Vec<&Value> = bids
        .iter()
        .filter(|b| b["amount"].as_i64() == Some(900_000))
        .collect();
    let decided: Vec<i64> = tied
        .iter()
        .map(|b| {
            let entered: i64 = b["lottery_number"].as_str().unwrap().parse().unwrap();
            let at = DateTime::parse_from_rfc3339(b["received_at"].as_str().unwrap()).unwrap();
            (entered + at.timestamp().rem_euclid(1000)) % 1000
        })
        .collect();
    // (418 + 210) = 628, (210 + 040) = 250.
    assert_eq!(decided, [628, 250]);
    let winner_index = decided.iter().sum::<i64>() as usize % tied.len();
    let expected_winner = tied[winner_index]["bid_id"].as_i64().unwrap();
    assert_eq!(record["winner"]["bid_id"].as_i64(), Some(expected_winner));
    assert_eq!(record["winner"]["amount"], 900_000);
    assert_eq!(record["winner"]["amount_tax_inclusive"], 990_000);
    let draw = &record["evaluation"]["result"]["outcome"]["by_lottery"];
    assert_eq!(draw["sum"], 878, "{draw}");
    // Exclusions, with their reasons.
    let statuses: Vec<String> = record["evaluation"]["result"]["bids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            b["reason"]
                .as_str()
                .unwrap_or(b["status"].as_str().unwrap())
                .to_owned()
        })
        .collect();
    assert!(
        statuses.contains(&"above_reserve_price".to_owned()),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&"below_minimum_price".to_owned()),
        "{statuses:?}"
    );

    // Results are public; the buyer confirms the award once.
    let award = svc.confirm_award(&buyer, id, &ctx).await.unwrap();
    assert_eq!(award.bid_id, expected_winner);
    assert_eq!(award.amount_tax_inclusive, Some(990_000));
    assert_eq!(status(&*db.storage, id).await, S::Awarded);
    let e = svc.confirm_award(&buyer, id, &ctx).await.unwrap_err();
    assert_eq!(code(e), "award_not_possible");
    // A supplier cannot decide an award.
    assert!(svc.confirm_award(&a, id, &ctx).await.is_err());
}

async fn one_bid_per_supplier_and_withdrawal(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let ctx = RequestCtx::default();
    let buyer = org_member(
        &*db.storage,
        "buyer@example.jp",
        OrgKind::PublicBody,
        "東京都",
        t0(),
    )
    .await;
    let id = published(&svc, &buyer).await;
    let a = supplier(&svc, "a@example.jp").await;
    clock.set(t0() + TimeDelta::days(3));
    svc.advance_due_tenders(musubi_app::Clock::now(&clock))
        .await
        .unwrap();

    // Bad input: named fields, nothing stored.
    let e = svc
        .submit_bid(&a, id, &bid("九十万", "4181"), &ctx)
        .await
        .unwrap_err();
    let codes = code(e);
    assert!(codes.contains("money_invalid_character"), "{codes}");
    assert!(codes.contains("lottery_number"), "{codes}");
    assert!(svc.own_bids(&a, id).await.unwrap().is_empty());

    svc.submit_bid(&a, id, &bid("950000", "001"), &ctx)
        .await
        .unwrap();
    let e = svc
        .submit_bid(&a, id, &bid("940000", "002"), &ctx)
        .await
        .unwrap_err();
    assert_eq!(code(e), "bid_exists");
    // 辞退 needs a reason; then a new bid may be submitted.
    assert!(svc.withdraw_bid(&a, id, None, "  ", &ctx).await.is_err());
    svc.withdraw_bid(&a, id, None, "配置人員を確保できないため", &ctx)
        .await
        .unwrap();
    let e = svc
        .withdraw_bid(&a, id, None, "二度目", &ctx)
        .await
        .unwrap_err();
    assert_eq!(code(e), "no_bid");
    svc.submit_bid(&a, id, &bid("940000", "002"), &ctx)
        .await
        .unwrap();
    let own = svc.own_bids(&a, id).await.unwrap();
    assert_eq!(
        own.iter().map(|b| b.state).collect::<Vec<_>>(),
        ["withdrawn", "submitted"]
    );
    // The buyer and other organisations cannot bid.
    assert!(
        svc.submit_bid(&buyer, id, &bid("1", "001"), &ctx)
            .await
            .is_err()
    );

    // At the opening the withdrawn bid is listed without an amount.
    clock.set(opening());
    svc.advance_due_tenders(opening()).await.unwrap();
    let results = svc.tender_results(None, id).await.unwrap();
    let bids = results.openings[0]["bids"].as_array().unwrap();
    assert_eq!(bids[0]["state"], "withdrawn");
    assert!(bids[0].get("amount").is_none());
    assert_eq!(bids[1]["amount"], 940_000);
    assert_eq!(results.openings[0]["winner"]["amount"], 940_000);
}

async fn the_deadline_instant_decides(db: TestDb) {
    let clock = ManualClock::new(t0() + TimeDelta::days(3));
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let ctx = RequestCtx::default();
    let buyer = org_member(
        &*db.storage,
        "buyer@example.jp",
        OrgKind::PublicBody,
        "東京都",
        t0(),
    )
    .await;
    clock.set(t0());
    let id = published(&svc, &buyer).await;
    let mut suppliers = Vec::new();
    for i in 0..6 {
        suppliers.push(supplier(&svc, &format!("s{i}@example.jp")).await);
    }
    clock.set(t0() + TimeDelta::days(3));
    svc.advance_due_tenders(musubi_app::Clock::now(&clock))
        .await
        .unwrap();

    // Three submit concurrently a microsecond before the deadline: all
    // accepted, each receipt before the deadline.
    clock.set(closes() - TimeDelta::microseconds(1));
    let mut tasks = Vec::new();
    for (i, s) in suppliers.iter().take(3).enumerate() {
        let svc = svc.clone();
        let s = *s;
        tasks.push(tokio::spawn(async move {
            svc.submit_bid(
                &s,
                id,
                &bid(&format!("{}", 900_000 + i), "100"),
                &RequestCtx::default(),
            )
            .await
        }));
    }
    let mut accepted = Vec::new();
    for t in tasks {
        let r = t.await.unwrap().unwrap();
        let at = DateTime::parse_from_rfc3339(&r.receipt.receipt.received_at).unwrap();
        assert!(at < closes());
        accepted.push(r.bid_id);
    }
    // At the deadline instant (the scheduler not yet run) and after: refused
    // with a clear message.
    clock.set(closes());
    for s in &suppliers[3..] {
        let e = svc
            .submit_bid(s, id, &bid("800000", "100"), &ctx)
            .await
            .unwrap_err();
        match &e {
            ServiceError::Refused {
                code, message_ja, ..
            } => {
                assert_eq!(*code, "not_accepting_bids");
                assert!(message_ja.contains("受け付けていません"));
            }
            e => panic!("{e:?}"),
        }
    }
    // None lost: the opening holds exactly the accepted ones.
    clock.set(opening());
    svc.advance_due_tenders(opening()).await.unwrap();
    let results = svc.tender_results(None, id).await.unwrap();
    let mut opened: Vec<i64> = results.openings[0]["bids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["bid_id"].as_i64().unwrap())
        .collect();
    opened.sort_unstable();
    accepted.sort_unstable();
    assert_eq!(opened, accepted);
    let _ = &buyer;
}

async fn an_opening_without_valid_bids_is_unsuccessful(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let ctx = RequestCtx::default();
    let buyer = org_member(
        &*db.storage,
        "buyer@example.jp",
        OrgKind::PublicBody,
        "東京都",
        t0(),
    )
    .await;
    let id = published(&svc, &buyer).await;
    let a = supplier(&svc, "a@example.jp").await;
    clock.set(t0() + TimeDelta::days(3));
    svc.submit_bid(&a, id, &bid("1000001", "555"), &ctx)
        .await
        .unwrap();
    clock.set(opening());
    svc.advance_due_tenders(opening()).await.unwrap();
    assert_eq!(status(&*db.storage, id).await, S::Unsuccessful);
    let results = svc.tender_results(None, id).await.unwrap();
    assert!(results.openings[0]["winner"].is_null());
    assert_eq!(
        code(svc.confirm_award(&buyer, id, &ctx).await.unwrap_err()),
        "award_not_possible"
    );
    // The bidder was told.
    let events = svc
        .notification_events(
            &a,
            musubi_storage::Paging {
                offset: 0,
                limit: 10,
            },
        )
        .await
        .unwrap();
    let kinds: Vec<_> = events.items.iter().map(|e| e.kind).collect();
    assert!(
        kinds.contains(&musubi_storage::EventKind::TenderUnsuccessful),
        "{kinds:?}"
    );
}

pub(crate) fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}
