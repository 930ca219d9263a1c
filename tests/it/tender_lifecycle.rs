//! A tender's life with the accelerated clock: the scheduler makes each
//! time-driven step at its instant, exactly once, also across a stop and a
//! restart after the deadline; amendments move the steps and tell the people
//! who take part. Runs on both databases.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use musubi_app::tenders::{TenderInput, run_scheduler};
use musubi_app::{AppConfig, ManualClock, RequestCtx, ServiceError, Services};
use musubi_domain::tender::{TenderStatus as S, Transition as T};
use musubi_domain::{OrgKind, Principal};
use musubi_storage::{EventKind, Paging, Storage, TenderId};
use tokio::sync::{Notify, watch};

use crate::support::{TestDb, both_backends, org_member};

both_backends!(
    steps_happen_at_their_instants_exactly_once,
    a_stopped_scheduler_catches_up_after_restart,
    application_window_opens_and_closes_on_time,
    amending_the_deadline_moves_the_close_and_tells_participants,
    a_passed_deadline_counts_before_the_scheduler_runs,
    sealed_price_changes_are_not_announced,
    a_broken_tender_does_not_hold_up_the_others,
);

/// 2026-12-01 09:00 JST.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
}

fn services(storage: Arc<dyn Storage>, clock: &ManualClock, db: &TestDb) -> Services {
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

/// A member of a new organisation of `kind` (buyers approved).
async fn member(storage: &dyn Storage, email: &str, kind: OrgKind) -> Principal {
    org_member(storage, email, kind, &format!("{email} の組織"), t0()).await
}

fn local(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

/// An 一般競争 tender: submissions from day 2 to day 12, opening an hour later.
fn open_input() -> TenderInput {
    TenderInput {
        kind: "sealed_bid".into(),
        title: "本庁舎清掃業務委託".into(),
        summary: "本庁舎の日常清掃及び定期清掃を委託する。".into(),
        category: "services".into(),
        place: "13".into(),
        method: "open".into(),
        questions_until: local(t0() + TimeDelta::days(8)),
        submission_opens_at: local(t0() + TimeDelta::days(2)),
        submission_closes_at: local(t0() + TimeDelta::days(12)),
        opening_at: local(t0() + TimeDelta::days(12) + TimeDelta::hours(1)),
        award_method: "lowest_price".into(),
        reserve_price_publication: "at_opening".into(),
        contact_department: "総務部契約課".into(),
        ..TenderInput::default()
    }
}

async fn published(svc: &Services, buyer: &Principal, input: &TenderInput) -> TenderId {
    let ctx = RequestCtx::default();
    let id = svc.create_tender(buyer, input, &ctx).await.unwrap();
    svc.publish_tender(buyer, id, &ctx).await.unwrap();
    id
}

/// (transition, at) of every recorded step.
async fn steps(storage: &dyn Storage, id: TenderId) -> Vec<(T, DateTime<Utc>)> {
    storage
        .tender_transitions(id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.transition, r.at))
        .collect()
}

async fn status(storage: &dyn Storage, id: TenderId) -> S {
    storage.tender(id).await.unwrap().unwrap().status
}

async fn steps_happen_at_their_instants_exactly_once(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    // A second scheduler (another server) racing the first one.
    let other = services(Arc::clone(&db.storage), &clock, &db);
    let buyer = member(&*db.storage, "buyer@example.jp", OrgKind::PublicBody).await;
    let id = published(&svc, &buyer, &open_input()).await;
    assert_eq!(status(&*db.storage, id).await, S::Published);

    let opens = t0() + TimeDelta::days(2);
    let closes = t0() + TimeDelta::days(12);
    let opening = closes + TimeDelta::hours(1);
    for (instant, expected) in [
        (opens - TimeDelta::microseconds(1), S::Published),
        (opens, S::Tendering),
        (closes - TimeDelta::microseconds(1), S::Tendering),
        (closes, S::Closed),
        (opening - TimeDelta::seconds(1), S::Closed),
        // 開札 without a bid: opened and at once 不調 (two steps, one pass).
        (opening, S::Unsuccessful),
        (opening + TimeDelta::days(30), S::Unsuccessful),
    ] {
        clock.set(instant);
        let (a, b) = tokio::join!(
            svc.advance_due_tenders(instant),
            other.advance_due_tenders(instant)
        );
        let (a, b) = (a.unwrap().steps, b.unwrap().steps);
        assert!(a == 0 || b == 0, "both schedulers made steps at {instant}");
        let limit = if instant == opening { 2 } else { 1 };
        assert!(a + b <= limit, "{} steps made at {instant}", a + b);
        assert_eq!(status(&*db.storage, id).await, expected, "at {instant}");
    }
    let recorded = steps(&*db.storage, id).await;
    assert_eq!(
        recorded,
        vec![
            (T::Publish, t0()),
            (T::StartTendering, opens),
            (T::Close, closes),
            (T::Open, opening),
            (T::DeclareUnsuccessful, opening),
        ]
    );
    let tender = db.storage.tender(id).await.unwrap().unwrap();
    assert_eq!(tender.next_transition_at, None, "nothing left to schedule");
}

async fn a_stopped_scheduler_catches_up_after_restart(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let buyer = member(&*db.storage, "buyer@example.jp", OrgKind::PublicBody).await;
    let id = published(&svc, &buyer, &open_input()).await;

    // The server runs its scheduler until just after submissions open…
    let (stop_tx, mut stop_rx) = watch::channel(false);
    let wake = Arc::new(Notify::new());
    let running = tokio::spawn(run_scheduler(svc.clone(), Arc::clone(&wake), async move {
        let _ = stop_rx.wait_for(|s| *s).await;
    }));
    clock.set(t0() + TimeDelta::days(3));
    wake.notify_one();
    wait_for(&*db.storage, id, S::Tendering).await;
    // …then stops, and stays down across the deadline and the opening.
    stop_tx.send(true).unwrap();
    running.await.unwrap();
    let restart_at = t0() + TimeDelta::days(20);
    clock.set(restart_at);
    assert_eq!(status(&*db.storage, id).await, S::Tendering);

    // Started again (for SQLite, on a freshly opened database file).
    let storage: Arc<dyn Storage> = match db.url.strip_prefix("sqlite://") {
        Some(_) => {
            let path = db.data_path().join("musubi.db");
            Arc::new(musubi_storage::SqliteStore::open(&path).await.unwrap())
        }
        None => Arc::clone(&db.storage),
    };
    let restarted = services(Arc::clone(&storage), &clock, &db);
    let (stop_tx, mut stop_rx) = watch::channel(false);
    let running = tokio::spawn(run_scheduler(
        restarted,
        Arc::new(Notify::new()),
        async move {
            let _ = stop_rx.wait_for(|s| *s).await;
        },
    ));
    wait_for(&*storage, id, S::Unsuccessful).await;
    stop_tx.send(true).unwrap();
    running.await.unwrap();

    let records = storage.tender_transitions(id).await.unwrap();
    let made: Vec<(T, DateTime<Utc>, DateTime<Utc>)> = records
        .iter()
        .map(|r| (r.transition, r.at, r.recorded_at))
        .collect();
    let closes = t0() + TimeDelta::days(12);
    assert_eq!(made.len(), 5, "{made:?}");
    assert_eq!(made[0].0, T::Publish);
    assert_eq!(
        (made[1].0, made[1].1),
        (T::StartTendering, t0() + TimeDelta::days(2))
    );
    // Caught up: effective at the scheduled instants, recorded at restart.
    assert_eq!(made[2], (T::Close, closes, restart_at));
    assert_eq!(made[3], (T::Open, closes + TimeDelta::hours(1), restart_at));
    // No bid: 不調 at the opening instant.
    assert_eq!(
        made[4],
        (
            T::DeclareUnsuccessful,
            closes + TimeDelta::hours(1),
            restart_at
        )
    );
}

async fn wait_for(storage: &dyn Storage, id: TenderId, expected: S) {
    for _ in 0..500 {
        if status(storage, id).await == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("tender {id} never reached {expected}");
}

async fn application_window_opens_and_closes_on_time(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let buyer = member(&*db.storage, "buyer@example.jp", OrgKind::PublicBody).await;
    let input = TenderInput {
        method: "selective_by_application".into(),
        application_opens_at: local(t0() + TimeDelta::hours(1)),
        application_closes_at: local(t0() + TimeDelta::days(1)),
        ..open_input()
    };
    let id = published(&svc, &buyer, &input).await;
    let expect = [
        (t0() + TimeDelta::hours(1), S::AcceptingApplications),
        (t0() + TimeDelta::days(1), S::ApplicationsClosed),
        (t0() + TimeDelta::days(2), S::Tendering),
    ];
    for (at, status_then) in expect {
        svc.advance_due_tenders(at - TimeDelta::seconds(1))
            .await
            .unwrap();
        assert_ne!(status(&*db.storage, id).await, status_then);
        clock.set(at);
        svc.advance_due_tenders(at).await.unwrap();
        assert_eq!(status(&*db.storage, id).await, status_then);
    }
}

async fn amending_the_deadline_moves_the_close_and_tells_participants(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let ctx = RequestCtx::default();
    let buyer = member(&*db.storage, "buyer@example.jp", OrgKind::PublicBody).await;
    let asker = member(&*db.storage, "asker@example.jp", OrgKind::Supplier).await;
    let fan = member(&*db.storage, "fan@example.jp", OrgKind::Supplier).await;
    let bystander = member(&*db.storage, "other@example.jp", OrgKind::Supplier).await;
    let id = published(&svc, &buyer, &open_input()).await;
    svc.ask_question(&asker, id, "仕様書3頁の清掃回数は週何回ですか。", &ctx)
        .await
        .unwrap();
    svc.favourite_tender(&fan, id, true).await.unwrap();

    // Day 5: the deadline moves from day 12 to day 15.
    clock.set(t0() + TimeDelta::days(5));
    svc.advance_due_tenders(clock_now(&clock)).await.unwrap();
    let tender = db.storage.tender(id).await.unwrap().unwrap();
    let mut input = TenderInput::from_content(&tender.content);
    input.submission_closes_at = local(t0() + TimeDelta::days(15));
    input.opening_at = local(t0() + TimeDelta::days(15) + TimeDelta::hours(1));
    // Without a reason, nothing changes.
    let err = svc
        .update_tender(&buyer, id, &input, &ctx)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServiceError::Invalid(ref f) if f.get("reason").is_some()),
        "{err:?}"
    );
    assert_eq!(db.storage.tender(id).await.unwrap().unwrap().version, 1);
    input.reason = "仕様の一部見直しに伴い提出期限を延長します。".into();
    let amended = svc.update_tender(&buyer, id, &input, &ctx).await.unwrap();
    assert_eq!(amended.version, 2);
    assert_eq!(amended.next_transition_at, Some(t0() + TimeDelta::days(15)));

    for p in [&asker, &fan] {
        let events = db
            .storage
            .notification_events(
                p.user_id,
                Paging {
                    offset: 0,
                    limit: 10,
                },
            )
            .await
            .unwrap();
        assert_eq!(events.total, 1, "one event for user {}", p.user_id);
        assert_eq!(events.items[0].kind, EventKind::TenderDeadlineChanged);
        assert_eq!(events.items[0].tender_id, Some(id));
    }
    let none = db
        .storage
        .notification_events(
            bystander.user_id,
            Paging {
                offset: 0,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(none.total, 0);

    // The old deadline passes without closing; the new one closes.
    for (at, expected) in [
        (t0() + TimeDelta::days(12), S::Tendering),
        (t0() + TimeDelta::days(15), S::Closed),
    ] {
        clock.set(at);
        svc.advance_due_tenders(at).await.unwrap();
        assert_eq!(status(&*db.storage, id).await, expected);
    }
    // After the deadline the tender cannot be amended, and stays as it was.
    input.title = "変更後".into();
    let err = svc
        .update_tender(&buyer, id, &input, &ctx)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ServiceError::Refused {
                code: "tender_not_editable",
                ..
            }
        ),
        "{err:?}"
    );
    let after = db.storage.tender(id).await.unwrap().unwrap();
    assert_eq!(after.version, 2);
    assert_eq!(after.content.title, "本庁舎清掃業務委託");
    assert_eq!(db.storage.tender_versions(id).await.unwrap().len(), 2);
}

fn clock_now(clock: &ManualClock) -> DateTime<Utc> {
    use musubi_app::Clock;
    clock.now()
}

async fn a_passed_deadline_counts_before_the_scheduler_runs(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let ctx = RequestCtx::default();
    let buyer = member(&*db.storage, "buyer@example.jp", OrgKind::PublicBody).await;
    let id = published(&svc, &buyer, &open_input()).await;
    let tender = db.storage.tender(id).await.unwrap().unwrap();
    let mut input = TenderInput::from_content(&tender.content);
    input.minimum_price = "1000000".into();
    input.reason = "最低制限価格の設定".into();
    // The deadline has just passed; no scheduler has run since publication.
    clock.set(t0() + TimeDelta::days(12));
    let err = svc
        .update_tender(&buyer, id, &input, &ctx)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ServiceError::Refused {
                code: "tender_not_editable",
                ..
            }
        ),
        "{err:?}"
    );
    let after = db.storage.tender(id).await.unwrap().unwrap();
    assert_eq!((after.status, after.version), (S::Closed, 1));
    assert_eq!(after.content.minimum_price, None);
}

async fn sealed_price_changes_are_not_announced(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let ctx = RequestCtx::default();
    let buyer = member(&*db.storage, "buyer@example.jp", OrgKind::PublicBody).await;
    let fan = member(&*db.storage, "fan@example.jp", OrgKind::Supplier).await;
    let id = published(&svc, &buyer, &open_input()).await;
    svc.favourite_tender(&fan, id, true).await.unwrap();
    let tender = db.storage.tender(id).await.unwrap().unwrap();
    let mut input = TenderInput::from_content(&tender.content);
    input.minimum_price = "800000".into();
    input.summary = format!("{}\n・作業報告書を毎月提出すること。", input.summary);
    input.reason = "仕様の追記".into();
    svc.update_tender(&buyer, id, &input, &ctx).await.unwrap();
    let events = db
        .storage
        .notification_events(
            fan.user_id,
            Paging {
                offset: 0,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(events.total, 1);
    assert_eq!(events.items[0].kind, EventKind::TenderAmended);
    let changed = events.items[0].detail["changed"].to_string();
    assert!(changed.contains("summary"), "{changed}");
    assert!(
        !changed.contains("minimum_price"),
        "a sealed price leaked: {changed}"
    );
}

async fn a_broken_tender_does_not_hold_up_the_others(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let buyer = member(&*db.storage, "buyer@example.jp", OrgKind::PublicBody).await;
    let good = published(&svc, &buyer, &open_input()).await;
    // A stored tender whose schedule breaks the rules (as bad imported data
    // would), due before the good one.
    let mut content = db.storage.tender(good).await.unwrap().unwrap().content;
    content.schedule.opening_at = content.schedule.publish_at - TimeDelta::days(1);
    db.storage
        .import_tenders(&[musubi_storage::TenderImport {
            buyer: buyer.org_id().unwrap(),
            created_by: buyer.user_id,
            status: S::Published,
            content,
            next_transition_at: Some(t0() + TimeDelta::hours(1)),
            created_at: t0(),
            published_at: Some(t0()),
            transitions: vec![musubi_storage::NewTransition {
                transition: T::Publish,
                at: t0(),
                actor: Some(buyer.user_id),
                reason: None,
            }],
            questions: vec![],
            attachments: vec![],
        }])
        .await
        .unwrap();
    let at = t0() + TimeDelta::days(2);
    clock.set(at);
    let report = svc.advance_due_tenders(at).await.unwrap();
    assert_eq!((report.failed, report.steps), (1, 1), "{report:?}");
    assert_eq!(status(&*db.storage, good).await, S::Tendering);
}
