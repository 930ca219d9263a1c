//! Random sequences of what people and the clock do to a tender, through the
//! services on a real database: whatever happens, the stored status is the
//! replay of the recorded steps through the domain's state machine, the
//! versions match the amendments, the next due instant matches the status,
//! and a refused action changes nothing.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use musubi_app::tenders::TenderInput;
use musubi_app::{AppConfig, ManualClock, RequestCtx, Services};
use musubi_domain::tender::{TenderStatus, ValidSchedule};
use musubi_domain::{OrgKind, Principal};
use musubi_storage::{Storage, Tender, TenderId};

use crate::support::{TestDb, both_backends, org_member};

both_backends!(random_action_sequences_keep_the_tender_consistent);

/// SplitMix64: the same sequences on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
}

async fn principal(storage: &dyn Storage, email: &str, kind: OrgKind) -> Principal {
    org_member(storage, email, kind, email, t0()).await
}

fn input(rng: &mut Rng, now: DateTime<Utc>) -> TenderInput {
    let sba = rng.below(3) == 0;
    let day = |d: i64| (now + TimeDelta::days(d)).to_rfc3339();
    let start = 1 + rng.below(3) as i64;
    TenderInput {
        kind: "sealed_bid".into(),
        title: "庁舎空調設備保守点検業務".into(),
        summary: "空調設備の定期点検。".into(),
        category: "services".into(),
        place: "online".into(),
        method: if sba {
            "selective_by_application"
        } else {
            "open"
        }
        .into(),
        application_opens_at: if sba { day(0) } else { String::new() },
        application_closes_at: if sba { day(start) } else { String::new() },
        questions_until: day(start + 3),
        submission_opens_at: day(start),
        submission_closes_at: day(start + 10),
        opening_at: day(start + 11),
        award_method: "lowest_price".into(),
        contact_department: "管財課".into(),
        ..TenderInput::default()
    }
}

/// The invariants that must hold after every action.
async fn check(storage: &dyn Storage, id: TenderId, step: &str) -> Tender {
    let tender = storage.tender(id).await.unwrap().unwrap();
    let records = storage.tender_transitions(id).await.unwrap();
    let mut status = TenderStatus::Draft;
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.seq, i as i64 + 1, "{step}: seq");
        assert_eq!(
            r.from, status,
            "{step}: step {} starts where the last ended",
            r.seq
        );
        status = status
            .apply(r.transition)
            .unwrap_or_else(|e| panic!("{step}: recorded an illegal step: {e}"));
        assert_eq!(r.to, status, "{step}");
    }
    assert_eq!(
        tender.status, status,
        "{step}: status is the replay of its steps"
    );
    let versions = storage.tender_versions(id).await.unwrap();
    if tender.status == TenderStatus::Draft {
        assert!(versions.is_empty(), "{step}: drafts keep no versions");
    } else {
        assert_eq!(
            versions.len() as i64,
            tender.version,
            "{step}: one version per amendment"
        );
        assert_eq!(versions.last().unwrap().content, tender.content, "{step}");
        let schedule = ValidSchedule::restore(tender.content.schedule, tender.content.method)
            .expect("stored schedules stay valid");
        if !tender.status.is_final() {
            assert_eq!(
                tender.next_transition_at,
                schedule.next_transition_at(tender.status),
                "{step}: the next due instant follows the status"
            );
        } else {
            assert_eq!(
                tender.next_transition_at, None,
                "{step}: nothing due after the end"
            );
        }
    }
    tender
}

async fn random_action_sequences_keep_the_tender_consistent(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = Services::new(
        Arc::clone(&db.storage),
        Arc::new(clock.clone()),
        AppConfig {
            data_dir: db.data_path().to_path_buf(),
            ..AppConfig::default()
        },
    );
    let ctx = RequestCtx::default();
    let buyer = principal(&*db.storage, "buyer@example.jp", OrgKind::PublicBody).await;
    let supplier = principal(&*db.storage, "supplier@example.jp", OrgKind::Supplier).await;
    let storage = &*db.storage;
    let sequences = if db.url.starts_with("sqlite") { 24 } else { 8 };
    for seed in 0..sequences {
        let mut rng = Rng(seed);
        let mut now = t0() + TimeDelta::days(100 * seed as i64);
        clock.set(now);
        let id = svc
            .create_tender(&buyer, &input(&mut rng, now), &ctx)
            .await
            .unwrap();
        for n in 0..25 {
            let before = check(storage, id, &format!("seq {seed} before {n}")).await;
            // Weighted: mostly time passing; publication first in most
            // sequences; cancellation rare, so the tender lives long enough.
            let action = match (n, rng.below(20)) {
                (0, r) if r < 16 => 0,
                (_, 0..=1) => 0,
                (_, 2..=10) => 1,
                (_, 11..=13) => 3,
                (_, 14) => 4,
                (_, 15..=16) => 5,
                (_, 17) => 6,
                _ => 7,
            };
            let result: Result<(), String> = match action {
                0 => svc
                    .publish_tender(&buyer, id, &ctx)
                    .await
                    .map(drop)
                    .map_err(|e| e.to_string()),
                1 => {
                    now += TimeDelta::hours(1 + rng.below(24 * 6) as i64);
                    clock.set(now);
                    svc.advance_due_tenders(now)
                        .await
                        .map(drop)
                        .map_err(|e| e.to_string())
                }
                3 => {
                    // Move the deadline (and the opening) by -2..+5 days.
                    let mut i = TenderInput::from_content(&before.content);
                    let shift = TimeDelta::days(rng.below(8) as i64 - 2);
                    let s = before.content.schedule;
                    i.submission_closes_at = (s.submission_closes_at + shift).to_rfc3339();
                    i.opening_at = (s.opening_at + shift).to_rfc3339();
                    i.reason = "日程変更".into();
                    svc.update_tender(&buyer, id, &i, &ctx)
                        .await
                        .map(drop)
                        .map_err(|e| e.to_string())
                }
                4 => svc
                    .cancel_tender(&buyer, id, "予算の都合により中止", &ctx)
                    .await
                    .map(drop)
                    .map_err(|e| e.to_string()),
                5 => svc
                    .ask_question(&supplier, id, "質問です。", &ctx)
                    .await
                    .map(drop)
                    .map_err(|e| e.to_string()),
                6 => svc
                    .favourite_tender(&supplier, id, true)
                    .await
                    .map_err(|e| e.to_string()),
                _ => {
                    // Someone else's attempt to amend: refused, nothing changes.
                    let i = TenderInput::from_content(&before.content);
                    svc.update_tender(&supplier, id, &i, &ctx)
                        .await
                        .map(drop)
                        .map_err(|e| e.to_string())
                }
            };
            let after = check(
                storage,
                id,
                &format!("seq {seed} after {n} (action {action})"),
            )
            .await;
            if result.is_err() {
                assert_eq!(
                    after, before,
                    "seq {seed} step {n}: a refused action {action} changed the tender ({result:?})"
                );
            }
        }
    }
}
