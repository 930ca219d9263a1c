//! The tender storage behaviour suite: drafts, publication, amendments (訂正),
//! the scheduler's compare-and-set transitions, notification events,
//! questions, applications, attachments, favourites, lists and imports — the
//! same assertions on SQLite and PostgreSQL.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, TimeZone, Utc};
use musubi_domain::tender::{
    Category, ContractMethod, Place, TenderContent, TenderKind, TenderStatus, Transition,
};
use musubi_domain::{MunicipalityCode, OrgKind, OrgRole, Prefecture};
use musubi_storage::{
    ApplicationOrigin, ApplicationStatus, Audience, AuditEntry, EventKind, NewAttachment, NewEvent,
    NewJob, NewOrganization, NewTransition, NewUser, OrgId, Paging, Storage, StorageError,
    TenderId, TenderImport, TenderQuery, TenderSummary, UserId,
};
use serde_json::json;

use crate::support::{
    TestDb, both_backends, draft, published, step, tender_audit as audit, tender_content,
};

both_backends!(
    drafts_are_created_read_and_updated_with_compare_and_set,
    publishing_saves_version_one_and_the_transition,
    amendments_keep_every_version,
    transitions_fire_once_per_expected_status,
    due_tenders_and_the_next_transition,
    events_reach_each_participant_once,
    questions_keep_the_asker_and_take_answers,
    applications_nominations_and_decisions,
    attachment_replacement_keeps_the_old_file,
    favourites_are_idempotent,
    public_list_filters_pages_and_hides_drafts,
    buyer_list_includes_drafts_newest_update_first,
    my_tenders_is_the_union_of_favourites_applications_and_questions,
    notification_events_page_newest_first,
    import_round_trips,
    import_of_many_tenders_crosses_batches,
    public_tenders_page_by_id_without_drafts,
);

// --- fixtures ------------------------------------------------------------------

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap()
}

fn mins(n: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(n)
}

fn days(n: i64) -> DateTime<Utc> {
    t0() + Duration::days(n)
}

fn is_conflict(err: &StorageError, code: &str) -> bool {
    matches!(err, StorageError::Conflict(c) if c == code)
}

fn page(offset: u64, limit: u32) -> Paging {
    Paging { offset, limit }
}

fn tokyo() -> Prefecture {
    Prefecture::parse("13").unwrap()
}

fn osaka() -> Prefecture {
    Prefecture::parse("27").unwrap()
}

/// A complete tender content; tests change what they look at.
fn content(title: &str) -> TenderContent {
    tender_content(title, t0())
}

fn event(kind: EventKind, audience: Audience) -> NewEvent {
    NewEvent {
        kind,
        audience,
        detail: json!({ "kind": kind.as_str(), "note": "お知らせ" }),
    }
}

fn attachment(title: &str, sha: char, replaces: Option<i64>) -> NewAttachment {
    NewAttachment {
        title: title.into(),
        filename: format!("{title}.pdf"),
        content_type: "application/pdf".into(),
        size: 12_345,
        sha256: std::iter::repeat_n(sha, 64).collect(),
        replaces,
    }
}

/// A new person; the address is made unique (names may be Japanese).
async fn user(s: &dyn Storage, name: &str) -> UserId {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    s.create_user(
        &NewUser {
            email: musubi_domain::EmailAddress::parse(&format!("user{n}@example.jp")).unwrap(),
            password_hash: "hash".into(),
            display_name: name.into(),
            locale: "ja".into(),
        },
        t0(),
        AuditEntry::new("user.register", "user", None),
        &[],
    )
    .await
    .unwrap()
}

/// An organisation whose admin is a new user called `admin`.
async fn org(s: &dyn Storage, kind: OrgKind, name: &str, admin: &str) -> (OrgId, UserId) {
    let admin = user(s, admin).await;
    let org = s
        .create_organization(
            &NewOrganization {
                kind,
                name: name.into(),
                name_kana: name.into(),
                corporate_number: None,
            },
            admin,
            t0(),
            AuditEntry::new("org.create", "organization", None).by(Some(admin), None),
        )
        .await
        .unwrap();
    (org, admin)
}

async fn member(s: &dyn Storage, org: OrgId, name: &str) -> UserId {
    let u = user(s, name).await;
    s.add_member(
        org,
        u,
        OrgRole::Member,
        t0(),
        AuditEntry::new("org.member", "organization", None),
    )
    .await
    .unwrap();
    u
}

async fn buyer(s: &dyn Storage, name: &str) -> (OrgId, UserId) {
    org(s, OrgKind::PublicBody, name, &format!("{name}-admin")).await
}

async fn supplier(s: &dyn Storage, name: &str) -> (OrgId, UserId) {
    org(s, OrgKind::Supplier, name, &format!("{name}-admin")).await
}

async fn audit_total(s: &dyn Storage) -> u64 {
    s.audit_log(None, Paging::default()).await.unwrap().total
}

async fn queued_jobs(s: &dyn Storage) -> i64 {
    s.job_counts().await.unwrap().queued
}

/// A person's events as (kind, tender), newest first.
async fn events_of(s: &dyn Storage, user: UserId) -> Vec<(EventKind, Option<TenderId>)> {
    s.notification_events(user, page(0, 200))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| (e.kind, e.tender_id))
        .collect()
}

fn ids(items: &[TenderSummary]) -> Vec<TenderId> {
    items.iter().map(|t| t.id).collect()
}

// --- drafts ------------------------------------------------------------------------

async fn drafts_are_created_read_and_updated_with_compare_and_set(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = buyer(s, "横浜市").await;
    let audits = audit_total(s).await;

    let c = content("コピー用紙の購入");
    let id = draft(s, city, clerk, &c, mins(1)).await;
    assert_eq!(
        audit_total(s).await,
        audits + 1,
        "create writes its audit line"
    );
    let t = s.tender(id).await.unwrap().expect("the draft");
    assert_eq!(t.id, id);
    assert_eq!((t.buyer, t.buyer_name.as_str()), (city, "横浜市"));
    assert_eq!(t.status, TenderStatus::Draft);
    assert_eq!(t.content, c);
    assert_eq!(t.version, 1);
    assert!(!t.is_amended());
    assert_eq!(t.created_by, clerk);
    assert_eq!((t.created_at, t.updated_at), (mins(1), mins(1)));
    assert_eq!((t.published_at, t.next_transition_at), (None, None));
    assert_eq!(t.cancel_reason, None);
    assert!(s.tender(id + 1000).await.unwrap().is_none());
    assert!(s.tender_versions(id).await.unwrap().is_empty());
    assert!(s.tender_transitions(id).await.unwrap().is_empty());

    // An update with the version it read replaces the content in place.
    let mut c2 = content("再生コピー用紙の購入");
    c2.kind = TenderKind::Rfq;
    c2.category = Category::Services;
    c2.method = ContractMethod::Direct;
    c2.place = Place::Prefecture {
        prefecture: osaka(),
    };
    c2.schedule.submission_closes_at = days(20);
    s.update_draft(
        id,
        &c2,
        t.updated_at,
        mins(2),
        audit("tender.update", Some(clerk)),
    )
    .await
    .unwrap();
    assert_eq!(audit_total(s).await, audits + 2);
    let t2 = s.tender(id).await.unwrap().unwrap();
    assert_eq!(t2.content, c2);
    assert_eq!((t2.version, t2.updated_at), (1, mins(2)));
    assert_eq!(t2.created_at, mins(1));
    assert!(
        s.tender_versions(id).await.unwrap().is_empty(),
        "no version is kept for drafts"
    );
    // The copied columns follow the content.
    let listed = s.buyer_tenders(city, page(0, 20)).await.unwrap();
    let row = &listed.items[0];
    assert_eq!(row.title, "再生コピー用紙の購入");
    assert_eq!(
        (row.kind, row.category, row.method),
        (TenderKind::Rfq, Category::Services, ContractMethod::Direct)
    );
    assert_eq!(row.prefecture, Some(osaka()));
    assert_eq!(row.submission_closes_at, days(20));
    assert_eq!(row.status, TenderStatus::Draft);
    assert_eq!(row.published_at, None);

    // Someone who read the first version is refused and changes nothing.
    let err = s
        .update_draft(
            id,
            &c,
            t.updated_at,
            mins(3),
            audit("tender.update", Some(clerk)),
        )
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "stale_version"), "{err:?}");
    assert_eq!(s.tender(id).await.unwrap().unwrap(), t2);
    assert_eq!(
        audit_total(s).await,
        audits + 2,
        "a refused write audits nothing"
    );

    let err = s
        .update_draft(
            id + 1000,
            &c,
            t.updated_at,
            mins(3),
            audit("tender.update", Some(clerk)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::NotFound), "{err:?}");

    // Once published, a draft update is refused as such.
    s.publish_tender(
        id,
        &step(Transition::Publish, mins(4), Some(clerk)),
        None,
        mins(4),
        audit("tender.publish", Some(clerk)),
        &[],
    )
    .await
    .unwrap();
    let published_row = s.tender(id).await.unwrap().unwrap();
    let err = s
        .update_draft(
            id,
            &c,
            published_row.updated_at,
            mins(5),
            audit("tender.update", Some(clerk)),
        )
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "not_draft"), "{err:?}");
    assert_eq!(s.tender(id).await.unwrap().unwrap(), published_row);
}

async fn publishing_saves_version_one_and_the_transition(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = buyer(s, "札幌市").await;
    let c = content("除雪車の購入");
    let id = draft(s, city, clerk, &c, mins(1)).await;
    let audits = audit_total(s).await;
    let jobs = queued_jobs(s).await;

    s.publish_tender(
        id,
        &step(Transition::Publish, mins(2), Some(clerk)),
        Some(days(1)),
        mins(2),
        audit("tender.publish", Some(clerk)),
        &[NewJob::new("search.index", json!({ "tender": id }))],
    )
    .await
    .unwrap();
    assert_eq!(audit_total(s).await, audits + 1);
    assert_eq!(queued_jobs(s).await, jobs + 1, "the job is queued with it");

    let t = s.tender(id).await.unwrap().unwrap();
    assert_eq!(t.status, TenderStatus::Published);
    assert_eq!(t.published_at, Some(mins(2)));
    assert_eq!(t.next_transition_at, Some(days(1)));
    assert_eq!(t.version, 1);
    assert!(!t.is_amended());
    assert_eq!(t.updated_at, mins(2));
    assert_eq!(t.content, c);

    let versions = s.tender_versions(id).await.unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].version, 1);
    assert_eq!(versions[0].content, c);
    assert_eq!(versions[0].reason, None);
    assert_eq!(versions[0].changed_by, Some(clerk));
    assert_eq!(versions[0].changed_at, mins(2));

    let steps = s.tender_transitions(id).await.unwrap();
    assert_eq!(steps.len(), 1);
    let p = &steps[0];
    assert_eq!(p.seq, 1);
    assert_eq!(p.transition, Transition::Publish);
    assert_eq!(
        (p.from, p.to),
        (TenderStatus::Draft, TenderStatus::Published)
    );
    assert_eq!((p.at, p.recorded_at), (mins(2), mins(2)));
    assert_eq!((p.actor, p.reason.as_deref()), (Some(clerk), None));

    // Publishing twice is refused and writes nothing.
    let err = s
        .publish_tender(
            id,
            &step(Transition::Publish, mins(3), Some(clerk)),
            None,
            mins(3),
            audit("tender.publish", Some(clerk)),
            &[NewJob::new("search.index", json!({ "tender": id }))],
        )
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "not_draft"), "{err:?}");
    assert_eq!(s.tender(id).await.unwrap().unwrap(), t);
    assert_eq!(s.tender_transitions(id).await.unwrap().len(), 1);
    assert_eq!(s.tender_versions(id).await.unwrap().len(), 1);
    assert_eq!(audit_total(s).await, audits + 1);
    assert_eq!(queued_jobs(s).await, jobs + 1);

    let err = s
        .publish_tender(
            id + 1000,
            &step(Transition::Publish, mins(3), Some(clerk)),
            None,
            mins(3),
            audit("tender.publish", Some(clerk)),
            &[],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::NotFound), "{err:?}");
}

// --- amendments ------------------------------------------------------------------------

async fn amendments_keep_every_version(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = buyer(s, "仙台市").await;
    let (sup, sup_admin) = supplier(s, "東北機材").await;
    let c1 = content("消防車の購入");
    let id = published(s, city, clerk, &c1, mins(1)).await;
    s.create_application(
        id,
        sup,
        ApplicationOrigin::Application,
        sup_admin,
        mins(2),
        &[],
        audit("tender.apply", Some(sup_admin)),
    )
    .await
    .unwrap();
    let audits = audit_total(s).await;
    let jobs = queued_jobs(s).await;

    // 訂正 1: the deadline moves; participants hear about it.
    let mut c2 = c1.clone();
    c2.schedule.submission_closes_at = days(15);
    c2.schedule.opening_at = days(16);
    let v = s
        .amend_tender(
            id,
            &c2,
            "提出締切の延長",
            1,
            TenderStatus::Published,
            Some(days(2)),
            clerk,
            mins(10),
            &[event(
                EventKind::TenderDeadlineChanged,
                Audience::Participants,
            )],
            audit("tender.amend", Some(clerk)),
            &[NewJob::new("search.index", json!({ "tender": id }))],
        )
        .await
        .unwrap();
    assert_eq!(v, 2);
    assert_eq!(audit_total(s).await, audits + 1);
    // Its job, and the one that mails its events.
    assert_eq!(queued_jobs(s).await, jobs + 2);
    assert_eq!(
        events_of(s, sup_admin).await,
        [(EventKind::TenderDeadlineChanged, Some(id))]
    );

    // 訂正 2: the title and the place change.
    let mut c3 = c2.clone();
    c3.title = "消防ポンプ自動車の購入".into();
    c3.place = Place::Municipality {
        municipality: MunicipalityCode::parse("131016").unwrap(),
    };
    let v = s
        .amend_tender(
            id,
            &c3,
            "件名の訂正",
            2,
            TenderStatus::Published,
            None,
            clerk,
            mins(20),
            &[],
            audit("tender.amend", Some(clerk)),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(v, 3);

    let t = s.tender(id).await.unwrap().unwrap();
    assert_eq!(t.version, 3);
    assert!(t.is_amended());
    assert_eq!(t.content, c3);
    assert_eq!(t.status, TenderStatus::Published);
    assert_eq!(t.next_transition_at, None);
    assert_eq!(t.updated_at, mins(20));
    assert_eq!(t.published_at, Some(mins(1)), "publication stays as it was");

    let versions = s.tender_versions(id).await.unwrap();
    let summary: Vec<_> = versions
        .iter()
        .map(|v| (v.version, v.reason.as_deref(), v.changed_by, v.changed_at))
        .collect();
    assert_eq!(
        summary,
        [
            (1, None, Some(clerk), mins(1)),
            (2, Some("提出締切の延長"), Some(clerk), mins(10)),
            (3, Some("件名の訂正"), Some(clerk), mins(20)),
        ],
        "every version, oldest first"
    );
    assert_eq!(versions[0].content, c1);
    assert_eq!(versions[1].content, c2);
    assert_eq!(versions[2].content, c3);

    // The list shows the amended columns.
    let listed = s.list_tenders(&TenderQuery::default()).await.unwrap();
    let row = &listed.items[0];
    assert_eq!(row.title, "消防ポンプ自動車の購入");
    assert_eq!(row.prefecture, Some(tokyo()), "a municipality's prefecture");
    assert_eq!(row.submission_closes_at, days(15));
    assert_eq!(row.version, 3);
    assert_eq!(
        s.list_tenders(&TenderQuery {
            prefecture: Some(tokyo()),
            ..TenderQuery::default()
        })
        .await
        .unwrap()
        .total,
        1
    );

    // A stale version or a moved status is refused and writes nothing.
    let audits = audit_total(s).await;
    let err = s
        .amend_tender(
            id,
            &c1,
            "古い版から",
            2,
            TenderStatus::Published,
            None,
            clerk,
            mins(30),
            &[event(EventKind::TenderAmended, Audience::Participants)],
            audit("tender.amend", Some(clerk)),
            &[],
        )
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "stale_version"), "{err:?}");
    let err = s
        .amend_tender(
            id,
            &c1,
            "受付開始後",
            3,
            TenderStatus::Tendering,
            None,
            clerk,
            mins(30),
            &[event(EventKind::TenderAmended, Audience::Participants)],
            audit("tender.amend", Some(clerk)),
            &[],
        )
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "status_changed"), "{err:?}");
    assert_eq!(s.tender(id).await.unwrap().unwrap(), t);
    assert_eq!(s.tender_versions(id).await.unwrap().len(), 3);
    assert_eq!(audit_total(s).await, audits);
    assert_eq!(events_of(s, sup_admin).await.len(), 1);

    let err = s
        .amend_tender(
            id + 1000,
            &c1,
            "存在しない",
            1,
            TenderStatus::Published,
            None,
            clerk,
            mins(30),
            &[],
            audit("tender.amend", Some(clerk)),
            &[],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::NotFound), "{err:?}");
}

// --- transitions -------------------------------------------------------------------------

async fn transitions_fire_once_per_expected_status(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = buyer(s, "福岡市").await;
    let (_sup, sup_admin) = supplier(s, "九州商事").await;
    let c = content("公用車の購入");
    let id = published(s, city, clerk, &c, mins(1)).await;
    s.add_tender_favourite(sup_admin, id, mins(2))
        .await
        .unwrap();

    // The scheduler opens submissions at their scheduled instant, a little late.
    let opens = c.schedule.submission_opens_at;
    let start = [step(Transition::StartTendering, opens, None)];
    let fire = |now: DateTime<Utc>| {
        s.transition_tender(
            id,
            TenderStatus::Published,
            &start,
            Some(c.schedule.submission_closes_at),
            None,
            now,
            &[],
            None,
            &[],
        )
    };
    let audits = audit_total(s).await;
    let jobs = queued_jobs(s).await;
    assert!(fire(opens + Duration::seconds(3)).await.unwrap());
    let after_first = s.tender(id).await.unwrap().unwrap();
    assert_eq!(after_first.status, TenderStatus::Tendering);
    assert_eq!(
        after_first.next_transition_at,
        Some(c.schedule.submission_closes_at)
    );
    assert_eq!(
        audit_total(s).await,
        audits,
        "no audit line for the scheduler"
    );

    // Fired again with the same expected status: nothing happens.
    assert!(!fire(opens + Duration::seconds(9)).await.unwrap());
    assert_eq!(s.tender(id).await.unwrap().unwrap(), after_first);
    let steps = s.tender_transitions(id).await.unwrap();
    assert_eq!(steps.len(), 2);
    let st = &steps[1];
    assert_eq!((st.seq, st.transition), (2, Transition::StartTendering));
    assert_eq!(
        (st.from, st.to),
        (TenderStatus::Published, TenderStatus::Tendering)
    );
    assert_eq!(st.at, opens, "the scheduled instant");
    assert_eq!(st.recorded_at, opens + Duration::seconds(3), "when written");
    assert_eq!(st.actor, None);

    // A catch-up: the scheduler ran after both the deadline and 開札, so two
    // steps are recorded at once, each at its own instant; with events,
    // audit and jobs in the same write.
    let closes = c.schedule.submission_closes_at;
    let opening = c.schedule.opening_at;
    let now = opening + Duration::hours(1);
    let catch_up = [
        step(Transition::Close, closes, None),
        step(Transition::Open, opening, None),
    ];
    assert!(
        s.transition_tender(
            id,
            TenderStatus::Tendering,
            &catch_up,
            None,
            None,
            now,
            &[event(EventKind::TenderAmended, Audience::Participants)],
            Some(audit("tender.transition", None)),
            &[NewJob::new("search.index", json!({ "tender": id }))],
        )
        .await
        .unwrap()
    );
    assert_eq!(audit_total(s).await, audits + 1);
    // Its job, and the one that mails its event.
    assert_eq!(queued_jobs(s).await, jobs + 2);
    assert_eq!(events_of(s, sup_admin).await.len(), 1);
    let t = s.tender(id).await.unwrap().unwrap();
    assert_eq!(t.status, TenderStatus::Opened);
    assert_eq!(t.next_transition_at, None);
    let steps = s.tender_transitions(id).await.unwrap();
    let tail: Vec<_> = steps[2..]
        .iter()
        .map(|r| (r.seq, r.transition, r.from, r.to, r.at, r.recorded_at))
        .collect();
    assert_eq!(
        tail,
        [
            (
                3,
                Transition::Close,
                TenderStatus::Tendering,
                TenderStatus::Closed,
                closes,
                now
            ),
            (
                4,
                Transition::Open,
                TenderStatus::Closed,
                TenderStatus::Opened,
                opening,
                now
            ),
        ]
    );

    // The same catch-up again changes nothing: no rows, events, audit, jobs.
    assert!(
        !s.transition_tender(
            id,
            TenderStatus::Tendering,
            &catch_up,
            None,
            None,
            now + Duration::minutes(1),
            &[event(EventKind::TenderAmended, Audience::Participants)],
            Some(audit("tender.transition", None)),
            &[NewJob::new("search.index", json!({ "tender": id }))],
        )
        .await
        .unwrap()
    );
    assert_eq!(s.tender(id).await.unwrap().unwrap(), t);
    assert_eq!(s.tender_transitions(id).await.unwrap().len(), 4);
    assert_eq!(audit_total(s).await, audits + 1);
    // Its job, and the one that mails its event.
    assert_eq!(queued_jobs(s).await, jobs + 2);
    assert_eq!(events_of(s, sup_admin).await.len(), 1);

    // Two schedulers racing on the same step: exactly one wins.
    let race = [step(Transition::StartEvaluation, now, None)];
    let (a, b) = tokio::join!(
        s.transition_tender(
            id,
            TenderStatus::Opened,
            &race,
            None,
            None,
            now,
            &[],
            None,
            &[]
        ),
        s.transition_tender(
            id,
            TenderStatus::Opened,
            &race,
            None,
            None,
            now,
            &[],
            None,
            &[]
        ),
    );
    assert_eq!(
        [a.unwrap(), b.unwrap()].iter().filter(|won| **won).count(),
        1
    );
    assert_eq!(s.tender_transitions(id).await.unwrap().len(), 5);

    // A cancellation keeps its reason, on the tender and on the step.
    let cancel = NewTransition {
        transition: Transition::Cancel,
        at: now + Duration::hours(1),
        actor: Some(clerk),
        reason: Some("予算の執行停止".into()),
    };
    assert!(
        s.transition_tender(
            id,
            TenderStatus::Evaluating,
            std::slice::from_ref(&cancel),
            None,
            Some("予算の執行停止"),
            now + Duration::hours(1),
            &[event(EventKind::TenderCancelled, Audience::Participants)],
            Some(audit("tender.cancel", Some(clerk))),
            &[],
        )
        .await
        .unwrap()
    );
    let t = s.tender(id).await.unwrap().unwrap();
    assert_eq!(t.status, TenderStatus::Cancelled);
    assert_eq!(t.cancel_reason.as_deref(), Some("予算の執行停止"));
    let last = s.tender_transitions(id).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.seq, last.transition, last.from, last.to),
        (
            6,
            Transition::Cancel,
            TenderStatus::Evaluating,
            TenderStatus::Cancelled
        )
    );
    assert_eq!(
        (last.actor, last.reason.as_deref()),
        (Some(clerk), Some("予算の執行停止"))
    );

    let err = s
        .transition_tender(
            id + 1000,
            TenderStatus::Published,
            &[],
            None,
            None,
            now,
            &[],
            None,
            &[],
        )
        .await;
    assert!(
        matches!(err, Err(StorageError::NotFound) | Ok(false)),
        "{err:?}"
    );
}

async fn due_tenders_and_the_next_transition(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = buyer(s, "広島市").await;
    assert_eq!(s.next_transition_at().await.unwrap(), None);
    assert!(s.due_tenders(days(100), 10).await.unwrap().is_empty());

    let publish = |id: TenderId, next: Option<DateTime<Utc>>| async move {
        s.publish_tender(
            id,
            &step(Transition::Publish, mins(1), Some(clerk)),
            next,
            mins(1),
            audit("tender.publish", Some(clerk)),
            &[],
        )
        .await
        .unwrap();
    };
    let a = draft(s, city, clerk, &content("A"), mins(1)).await;
    let b = draft(s, city, clerk, &content("B"), mins(1)).await;
    let c = draft(s, city, clerk, &content("C"), mins(1)).await;
    let d = draft(s, city, clerk, &content("D"), mins(1)).await;
    let e = draft(s, city, clerk, &content("E"), mins(1)).await;
    publish(a, Some(days(3))).await;
    publish(b, Some(days(1))).await;
    publish(c, Some(days(2))).await;
    publish(d, None).await;
    publish(e, Some(days(1))).await;
    let _ = draft(s, city, clerk, &content("draft"), mins(1)).await;

    assert_eq!(s.next_transition_at().await.unwrap(), Some(days(1)));
    assert!(
        s.due_tenders(days(1) - Duration::seconds(1), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Due at exactly their instant; earliest first.
    assert_eq!(s.due_tenders(days(1), 10).await.unwrap(), [b, e]);
    assert_eq!(s.due_tenders(days(2), 10).await.unwrap(), [b, e, c]);
    assert_eq!(s.due_tenders(days(9), 2).await.unwrap(), [b, e]);
    assert_eq!(s.due_tenders(days(9), 10).await.unwrap(), [b, e, c, a]);

    // Once a step clears it, a tender is no longer due.
    for id in [b, e] {
        assert!(
            s.transition_tender(
                id,
                TenderStatus::Published,
                &[step(Transition::StartTendering, days(1), None)],
                Some(days(11)),
                None,
                days(1),
                &[],
                None,
                &[],
            )
            .await
            .unwrap()
        );
    }
    assert_eq!(s.next_transition_at().await.unwrap(), Some(days(2)));
    assert_eq!(s.due_tenders(days(9), 10).await.unwrap(), [c, a]);
}

// --- events ---------------------------------------------------------------------------------

async fn events_reach_each_participant_once(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = buyer(s, "神戸市").await;
    let clerk2 = member(s, city, "kobe-clerk2").await;
    // A: applied; its admin also asked and favourited.
    let (a, a1) = supplier(s, "阪神工業").await;
    let a2 = member(s, a, "a2").await;
    // Q: only its asker takes part, not the asker's colleague.
    let (q, q1) = supplier(s, "質問商会").await;
    let q2 = member(s, q, "q2").await;
    // F: favourited by its admin.
    let (_f, f1) = supplier(s, "お気に入り社").await;
    // N: nominated by the buyer.
    let (n, n1) = supplier(s, "指名建設").await;
    // O: nothing to do with the tender.
    let (_o, o1) = supplier(s, "無関係社").await;

    let id = published(s, city, clerk, &content("港湾設備の修繕"), mins(1)).await;
    let other = published(s, city, clerk, &content("別の案件"), mins(1)).await;
    let application = s
        .create_application(
            id,
            a,
            ApplicationOrigin::Application,
            a2,
            mins(2),
            &[],
            audit("tender.apply", Some(a2)),
        )
        .await
        .unwrap();
    let question = s
        .ask_question(
            id,
            a1,
            a,
            "納期は？",
            mins(3),
            audit("tender.ask", Some(a1)),
        )
        .await
        .unwrap();
    s.add_tender_favourite(a1, id, mins(3)).await.unwrap();
    s.ask_question(
        id,
        q1,
        q,
        "仕様は？",
        mins(4),
        audit("tender.ask", Some(q1)),
    )
    .await
    .unwrap();
    s.add_tender_favourite(f1, id, mins(5)).await.unwrap();
    s.create_application(
        id,
        n,
        ApplicationOrigin::Nomination,
        clerk,
        mins(6),
        &[event(EventKind::Nominated, Audience::Organization(n))],
        audit("tender.nominate", Some(clerk)),
    )
    .await
    .unwrap();
    // Taking part in another tender is not taking part in this one.
    s.add_tender_favourite(o1, other, mins(6)).await.unwrap();
    assert_eq!(events_of(s, n1).await, [(EventKind::Nominated, Some(id))]);

    // One event to participants: one row per person, however many ways
    // they take part.
    assert!(
        s.transition_tender(
            id,
            TenderStatus::Published,
            &[NewTransition {
                transition: Transition::Cancel,
                at: mins(10),
                actor: Some(clerk),
                reason: Some("中止".into()),
            }],
            None,
            Some("中止"),
            mins(10),
            &[event(EventKind::TenderCancelled, Audience::Participants)],
            Some(audit("tender.cancel", Some(clerk))),
            &[],
        )
        .await
        .unwrap()
    );
    let cancelled = |kinds: Vec<(EventKind, Option<TenderId>)>| {
        kinds
            .iter()
            .filter(|(k, _)| *k == EventKind::TenderCancelled)
            .count()
    };
    let mut got = HashMap::new();
    for (name, u) in [
        ("a1", a1),
        ("a2", a2),
        ("q1", q1),
        ("q2", q2),
        ("f1", f1),
        ("n1", n1),
        ("o1", o1),
        ("clerk", clerk),
        ("clerk2", clerk2),
    ] {
        got.insert(name, cancelled(events_of(s, u).await));
    }
    let expected: HashMap<_, _> = [
        ("a1", 1),
        ("a2", 1),
        ("q1", 1),
        ("q2", 0),
        ("f1", 1),
        ("n1", 1),
        ("o1", 0),
        ("clerk", 0),
        ("clerk2", 0),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, expected);

    // The stored event: tender, kind, detail, time.
    let e = s.notification_events(a1, page(0, 20)).await.unwrap();
    assert_eq!(e.total, 1);
    let e = &e.items[0];
    assert_eq!(e.user_id, a1);
    assert_eq!(e.kind, EventKind::TenderCancelled);
    assert_eq!(e.tender_id, Some(id));
    assert_eq!(
        e.detail,
        json!({ "kind": "tender_cancelled", "note": "お知らせ" })
    );
    assert_eq!(e.created_at, mins(10));

    // An organisation's audience is each of its members; a user's, one person.
    s.answer_question(
        id,
        question,
        "3月末です。",
        clerk,
        mins(11),
        &[
            event(EventKind::QuestionAnswered, Audience::User(a1)),
            event(EventKind::QuestionAnswered, Audience::Organization(city)),
        ],
        audit("tender.answer", Some(clerk)),
    )
    .await
    .unwrap();
    assert_eq!(
        events_of(s, a1).await,
        [
            (EventKind::QuestionAnswered, Some(id)),
            (EventKind::TenderCancelled, Some(id)),
        ]
    );
    assert!(
        events_of(s, a2)
            .await
            .iter()
            .all(|(k, _)| *k != EventKind::QuestionAnswered)
    );
    assert_eq!(
        events_of(s, clerk).await,
        [(EventKind::QuestionAnswered, Some(id))]
    );
    assert_eq!(
        events_of(s, clerk2).await,
        [(EventKind::QuestionAnswered, Some(id))]
    );
    s.decide_application(
        id,
        application,
        ApplicationStatus::Rejected,
        Some("中止のため"),
        clerk,
        mins(12),
        &[event(
            EventKind::ApplicationRejected,
            Audience::Organization(a),
        )],
        audit("tender.decide", Some(clerk)),
    )
    .await
    .unwrap();
    for u in [a1, a2] {
        assert_eq!(
            events_of(s, u).await[0],
            (EventKind::ApplicationRejected, Some(id))
        );
    }
    assert_eq!(events_of(s, q1).await.len(), 1);
}

async fn notification_events_page_newest_first(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = buyer(s, "京都市").await;
    let (_sup, u) = supplier(s, "京都工芸").await;
    let id = published(s, city, clerk, &content("文化財の修理"), mins(1)).await;
    assert_eq!(
        s.notification_events(u, page(0, 20)).await.unwrap().total,
        0
    );
    let kinds = [
        EventKind::TenderAmended,
        EventKind::TenderDeadlineChanged,
        EventKind::ApplicationAccepted,
    ];
    for (i, kind) in kinds.into_iter().enumerate() {
        let mut c = content("文化財の修理");
        c.summary = format!("訂正 {i}");
        s.amend_tender(
            id,
            &c,
            "訂正",
            1 + i as i64,
            TenderStatus::Published,
            None,
            clerk,
            mins(10 + i as i64),
            &[event(kind, Audience::User(u))],
            audit("tender.amend", Some(clerk)),
            &[],
        )
        .await
        .unwrap();
    }
    let all = s.notification_events(u, page(0, 20)).await.unwrap();
    assert_eq!(all.total, 3);
    assert_eq!(
        all.items.iter().map(|e| e.kind).collect::<Vec<_>>(),
        [
            EventKind::ApplicationAccepted,
            EventKind::TenderDeadlineChanged,
            EventKind::TenderAmended,
        ]
    );
    assert_eq!(
        all.items.iter().map(|e| e.created_at).collect::<Vec<_>>(),
        [mins(12), mins(11), mins(10)]
    );
    let second = s.notification_events(u, page(1, 1)).await.unwrap();
    assert_eq!(second.total, 3);
    assert_eq!(second.items.len(), 1);
    assert_eq!(second.items[0].kind, EventKind::TenderDeadlineChanged);
    let past = s.notification_events(u, page(5, 20)).await.unwrap();
    assert_eq!((past.total, past.items.len()), (3, 0));
    assert_eq!(
        s.notification_events(clerk, page(0, 20))
            .await
            .unwrap()
            .total,
        0
    );
}

// --- questions, applications, attachments, favourites ------------------------------------------

async fn questions_keep_the_asker_and_take_answers(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = buyer(s, "名古屋市").await;
    let (a, a1) = supplier(s, "中部電機").await;
    let (b, b1) = supplier(s, "東海物産").await;
    let id = published(s, city, clerk, &content("街路灯のLED化"), mins(1)).await;
    let other = published(s, city, clerk, &content("別件"), mins(1)).await;
    let audits = audit_total(s).await;

    let q1 = s
        .ask_question(
            id,
            a1,
            a,
            "既設の灯具は撤去しますか？",
            mins(2),
            audit("tender.ask", Some(a1)),
        )
        .await
        .unwrap();
    let q2 = s
        .ask_question(
            id,
            b1,
            b,
            "夜間作業は可能ですか？",
            mins(3),
            audit("tender.ask", Some(b1)),
        )
        .await
        .unwrap();
    assert_eq!(audit_total(s).await, audits + 2);

    let qs = s.questions(id).await.unwrap();
    assert_eq!(
        qs.iter().map(|q| q.id).collect::<Vec<_>>(),
        [q1, q2],
        "oldest first"
    );
    let first = &qs[0];
    assert_eq!(first.tender_id, id);
    // Private fields: who asked, for whom.
    assert_eq!((first.asked_by, first.asker_org), (a1, a));
    assert_eq!(first.question, "既設の灯具は撤去しますか？");
    assert_eq!(first.asked_at, mins(2));
    assert_eq!(
        (
            first.answer.as_deref(),
            first.answered_by,
            first.answered_at
        ),
        (None, None, None)
    );
    assert_eq!((qs[1].asked_by, qs[1].asker_org), (b1, b));
    assert!(s.questions(other).await.unwrap().is_empty());

    s.answer_question(
        id,
        q1,
        "撤去を含みます。",
        clerk,
        mins(4),
        &[],
        audit("tender.answer", Some(clerk)),
    )
    .await
    .unwrap();
    // A corrected answer replaces the first.
    s.answer_question(
        id,
        q1,
        "撤去・処分を含みます。",
        clerk,
        mins(5),
        &[],
        audit("tender.answer", Some(clerk)),
    )
    .await
    .unwrap();
    assert_eq!(audit_total(s).await, audits + 4);
    let qs = s.questions(id).await.unwrap();
    assert_eq!(qs[0].answer.as_deref(), Some("撤去・処分を含みます。"));
    assert_eq!(
        (qs[0].answered_by, qs[0].answered_at),
        (Some(clerk), Some(mins(5)))
    );
    assert_eq!(qs[0].asked_by, a1, "answering keeps the asker");
    assert_eq!(qs[1].answer, None);

    // A question of another tender is not found through this one.
    let err = s
        .answer_question(
            other,
            q2,
            "回答",
            clerk,
            mins(6),
            &[event(EventKind::QuestionAnswered, Audience::User(b1))],
            audit("tender.answer", Some(clerk)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::NotFound), "{err:?}");
    let err = s
        .answer_question(
            id,
            q2 + 1000,
            "回答",
            clerk,
            mins(6),
            &[],
            audit("tender.answer", Some(clerk)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::NotFound), "{err:?}");
    assert_eq!(s.questions(id).await.unwrap()[1].answer, None);
    assert!(events_of(s, b1).await.is_empty());
    assert_eq!(audit_total(s).await, audits + 4);
}

async fn applications_nominations_and_decisions(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = buyer(s, "新潟市").await;
    let (a, a1) = supplier(s, "越後建設").await;
    let (b, _b1) = supplier(s, "佐渡工務店").await;
    let (c, c1) = supplier(s, "長岡設備").await;
    let mut cnt = content("市道の舗装補修");
    cnt.method = ContractMethod::SelectiveByApplication;
    cnt.category = Category::Works;
    let id = published(s, city, clerk, &cnt, mins(1)).await;
    let other = published(s, city, clerk, &content("別件"), mins(1)).await;
    let audits = audit_total(s).await;

    let app = s
        .create_application(
            id,
            a,
            ApplicationOrigin::Application,
            a1,
            mins(2),
            &[],
            audit("tender.apply", Some(a1)),
        )
        .await
        .unwrap();
    let nomination = s
        .create_application(
            id,
            b,
            ApplicationOrigin::Nomination,
            clerk,
            mins(3),
            &[event(EventKind::Nominated, Audience::Organization(b))],
            audit("tender.nominate", Some(clerk)),
        )
        .await
        .unwrap();
    assert_eq!(audit_total(s).await, audits + 2);

    // One per supplier and tender, whoever asks again.
    for (origin, actor) in [
        (ApplicationOrigin::Application, a1),
        (ApplicationOrigin::Nomination, clerk),
    ] {
        let err = s
            .create_application(
                id,
                a,
                origin,
                actor,
                mins(4),
                &[event(EventKind::Nominated, Audience::Organization(a))],
                audit("tender.apply", Some(actor)),
            )
            .await
            .unwrap_err();
        assert!(is_conflict(&err, "already_applied"), "{err:?}");
    }
    assert_eq!(audit_total(s).await, audits + 2);
    assert!(events_of(s, a1).await.is_empty());
    // The same supplier may apply to another tender.
    s.create_application(
        other,
        a,
        ApplicationOrigin::Application,
        a1,
        mins(4),
        &[],
        audit("tender.apply", Some(a1)),
    )
    .await
    .unwrap();

    let apps = s.applications(id).await.unwrap();
    assert_eq!(
        apps.iter().map(|x| x.id).collect::<Vec<_>>(),
        [app, nomination]
    );
    let first = &apps[0];
    assert_eq!((first.tender_id, first.supplier), (id, a));
    assert_eq!(first.supplier_name, "越後建設");
    assert_eq!(first.origin, ApplicationOrigin::Application);
    assert_eq!(first.status, ApplicationStatus::Pending);
    assert_eq!((first.created_by, first.created_at), (a1, mins(2)));
    assert_eq!(
        (first.decided_by, first.decided_at, first.reason.as_deref()),
        (None, None, None)
    );
    let nominated = &apps[1];
    assert_eq!(nominated.origin, ApplicationOrigin::Nomination);
    assert_eq!(nominated.status, ApplicationStatus::Accepted);
    assert_eq!(nominated.created_by, clerk);

    assert_eq!(s.application_of(id, a).await.unwrap().as_ref(), Some(first));
    assert_eq!(s.application_of(id, c).await.unwrap(), None);

    // Deciding: only this tender's, only once, only a pending one.
    let err = s
        .decide_application(
            other,
            app,
            ApplicationStatus::Accepted,
            None,
            clerk,
            mins(5),
            &[],
            audit("tender.decide", Some(clerk)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::NotFound), "{err:?}");
    s.decide_application(
        id,
        app,
        ApplicationStatus::Accepted,
        Some("要件を満たす"),
        clerk,
        mins(6),
        &[event(
            EventKind::ApplicationAccepted,
            Audience::Organization(a),
        )],
        audit("tender.decide", Some(clerk)),
    )
    .await
    .unwrap();
    let decided = s.application_of(id, a).await.unwrap().unwrap();
    assert_eq!(decided.status, ApplicationStatus::Accepted);
    assert_eq!(
        (
            decided.decided_by,
            decided.decided_at,
            decided.reason.as_deref()
        ),
        (Some(clerk), Some(mins(6)), Some("要件を満たす"))
    );
    assert_eq!(
        events_of(s, a1).await,
        [(EventKind::ApplicationAccepted, Some(id))]
    );
    for (application, status) in [
        (app, ApplicationStatus::Rejected),
        (nomination, ApplicationStatus::Rejected),
    ] {
        let err = s
            .decide_application(
                id,
                application,
                status,
                Some("やり直し"),
                clerk,
                mins(7),
                &[event(
                    EventKind::ApplicationRejected,
                    Audience::Organization(a),
                )],
                audit("tender.decide", Some(clerk)),
            )
            .await
            .unwrap_err();
        assert!(is_conflict(&err, "already_decided"), "{err:?}");
    }
    assert_eq!(s.application_of(id, a).await.unwrap().unwrap(), decided);
    assert_eq!(events_of(s, a1).await.len(), 1);

    // A pending application may be rejected with a reason.
    let late = s
        .create_application(
            id,
            c,
            ApplicationOrigin::Application,
            c1,
            mins(8),
            &[],
            audit("tender.apply", Some(c1)),
        )
        .await
        .unwrap();
    s.decide_application(
        id,
        late,
        ApplicationStatus::Rejected,
        Some("等級要件を満たさない"),
        clerk,
        mins(9),
        &[],
        audit("tender.decide", Some(clerk)),
    )
    .await
    .unwrap();
    let rejected = s.application_of(id, c).await.unwrap().unwrap();
    assert_eq!(rejected.status, ApplicationStatus::Rejected);
    assert_eq!(rejected.reason.as_deref(), Some("等級要件を満たさない"));
    assert_eq!(s.applications(id).await.unwrap().len(), 3);
    assert_eq!(s.applications(other).await.unwrap().len(), 1);
}

async fn attachment_replacement_keeps_the_old_file(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = buyer(s, "静岡市").await;
    let id = draft(s, city, clerk, &content("茶畑の管理業務"), mins(1)).await;
    let other = draft(s, city, clerk, &content("別件"), mins(1)).await;
    let audits = audit_total(s).await;

    let spec = s
        .add_attachment(
            id,
            &attachment("仕様書", 'a', None),
            clerk,
            mins(2),
            audit("tender.attach", Some(clerk)),
        )
        .await
        .unwrap();
    let drawing = s
        .add_attachment(
            id,
            &attachment("図面", 'b', None),
            clerk,
            mins(3),
            audit("tender.attach", Some(clerk)),
        )
        .await
        .unwrap();
    let foreign = s
        .add_attachment(
            other,
            &attachment("別件の仕様書", 'c', None),
            clerk,
            mins(3),
            audit("tender.attach", Some(clerk)),
        )
        .await
        .unwrap();
    let spec2 = s
        .add_attachment(
            id,
            &attachment("仕様書（訂正版）", 'd', Some(spec)),
            clerk,
            mins(4),
            audit("tender.attach", Some(clerk)),
        )
        .await
        .unwrap();
    assert_eq!(audit_total(s).await, audits + 4);

    let all = s.attachments(id).await.unwrap();
    assert_eq!(
        all.iter().map(|x| x.id).collect::<Vec<_>>(),
        [spec, drawing, spec2],
        "superseded ones included, oldest first"
    );
    let old = &all[0];
    assert_eq!(old.tender_id, id);
    assert_eq!(old.title, "仕様書");
    assert_eq!(old.filename, "仕様書.pdf");
    assert_eq!(old.content_type, "application/pdf");
    assert_eq!(old.size, 12_345);
    assert_eq!(old.sha256, "a".repeat(64));
    assert_eq!((old.replaces, old.superseded_by), (None, Some(spec2)));
    assert_eq!((old.uploaded_by, old.uploaded_at), (clerk, mins(2)));
    let new = &all[2];
    assert_eq!((new.replaces, new.superseded_by), (Some(spec), None));
    assert_eq!(new.sha256, "d".repeat(64));
    assert_eq!(all[1].superseded_by, None);

    assert_eq!(s.attachment(id, spec).await.unwrap().as_ref(), Some(old));
    assert_eq!(s.attachment(id, foreign).await.unwrap(), None);
    assert_eq!(s.attachment(other, spec).await.unwrap(), None);

    // Only a current attachment of this tender can be replaced.
    for replaces in [spec, foreign, spec2 + 1000] {
        let err = s
            .add_attachment(
                id,
                &attachment("差し替え", 'e', Some(replaces)),
                clerk,
                mins(5),
                audit("tender.attach", Some(clerk)),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StorageError::NotFound), "{replaces}: {err:?}");
    }
    assert_eq!(s.attachments(id).await.unwrap(), all);
    assert_eq!(s.attachments(other).await.unwrap().len(), 1);
    assert_eq!(audit_total(s).await, audits + 4);
}

async fn favourites_are_idempotent(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = buyer(s, "金沢市").await;
    let (_sup, u) = supplier(s, "加賀商店").await;
    let id = published(s, city, clerk, &content("兼六園の清掃"), mins(1)).await;
    assert!(!s.is_tender_favourite(u, id).await.unwrap());
    s.add_tender_favourite(u, id, mins(2)).await.unwrap();
    s.add_tender_favourite(u, id, mins(3)).await.unwrap();
    assert!(s.is_tender_favourite(u, id).await.unwrap());
    assert!(!s.is_tender_favourite(clerk, id).await.unwrap());
    assert_eq!(s.my_tenders(u, None, page(0, 20)).await.unwrap().total, 1);
    s.remove_tender_favourite(u, id).await.unwrap();
    assert!(!s.is_tender_favourite(u, id).await.unwrap());
    s.remove_tender_favourite(u, id).await.unwrap();
    assert_eq!(s.my_tenders(u, None, page(0, 20)).await.unwrap().total, 0);
}

// --- lists ----------------------------------------------------------------------------------------

async fn public_list_filters_pages_and_hides_drafts(db: TestDb) {
    let s = &*db.storage;
    let (x, x1) = buyer(s, "東京都").await;
    let (y, y1) = buyer(s, "大阪府").await;

    let t1 = published(s, x, x1, &content("T1 物品・東京"), mins(1)).await;
    let mut c2 = content("T2 役務・オンライン");
    c2.kind = TenderKind::Rfq;
    c2.category = Category::Services;
    c2.place = Place::Online;
    let t2 = published(s, x, x1, &c2, mins(2)).await;
    let mut c3 = content("T3 工事・千代田区");
    c3.category = Category::Works;
    c3.method = ContractMethod::Selective;
    c3.place = Place::Municipality {
        municipality: MunicipalityCode::parse("131016").unwrap(),
    };
    let t3 = published(s, y, y1, &c3, mins(3)).await;
    let mut c4 = content("T4 企画提案・大阪");
    c4.kind = TenderKind::Proposal;
    c4.category = Category::Services;
    c4.place = Place::Prefecture {
        prefecture: osaka(),
    };
    let t4 = published(s, y, y1, &c4, mins(3)).await;
    // Drafts are never listed, whatever the filters.
    let _d = draft(s, x, x1, &content("D 下書き"), mins(9)).await;
    assert!(
        s.transition_tender(
            t3,
            TenderStatus::Published,
            &[step(Transition::StartTendering, mins(4), None)],
            None,
            None,
            mins(4),
            &[],
            None,
            &[],
        )
        .await
        .unwrap()
    );

    let q = |f: fn(&mut TenderQuery)| {
        let mut query = TenderQuery::default();
        f(&mut query);
        query
    };
    let list = |query: TenderQuery| async move {
        let p = s.list_tenders(&query).await.unwrap();
        (ids(&p.items), p.total)
    };

    // Newest publication first; the same instant, the later tender first.
    assert_eq!(list(q(|_| {})).await, (vec![t4, t3, t2, t1], 4));
    assert_eq!(
        list(q(|q| q.kind = Some(TenderKind::SealedBid))).await,
        (vec![t3, t1], 2)
    );
    assert_eq!(
        list(q(|q| q.category = Some(Category::Services))).await,
        (vec![t4, t2], 2)
    );
    assert_eq!(
        list(q(|q| q.statuses = vec![TenderStatus::Tendering])).await,
        (vec![t3], 1)
    );
    assert_eq!(
        list(q(|q| {
            q.statuses = vec![TenderStatus::Published, TenderStatus::Tendering]
        }))
        .await,
        (vec![t4, t3, t2, t1], 4)
    );
    assert_eq!(
        list(q(|q| q.statuses = vec![TenderStatus::Draft])).await,
        (vec![], 0)
    );
    assert_eq!(
        list(q(|q| q.prefecture = Some(Prefecture::parse("13").unwrap()))).await,
        (vec![t3, t1], 2)
    );
    assert_eq!(list(q(|q| q.buyer = Some(2_000_000))).await, (vec![], 0));
    let by_y = s
        .list_tenders(&TenderQuery {
            buyer: Some(y),
            ..TenderQuery::default()
        })
        .await
        .unwrap();
    assert_eq!((ids(&by_y.items), by_y.total), (vec![t4, t3], 2));
    let narrow = s
        .list_tenders(&TenderQuery {
            kind: Some(TenderKind::SealedBid),
            category: Some(Category::Goods),
            statuses: vec![TenderStatus::Published],
            prefecture: Some(tokyo()),
            buyer: Some(x),
            paging: Paging::default(),
            without_total: false,
        })
        .await
        .unwrap();
    assert_eq!((ids(&narrow.items), narrow.total), (vec![t1], 1));

    // Without the count (the top page's "newest"): the same items, and a
    // total that only says how far the page reaches.
    let newest = s
        .list_tenders(&TenderQuery {
            paging: Paging {
                offset: 1,
                limit: 2,
            },
            without_total: true,
            ..TenderQuery::default()
        })
        .await
        .unwrap();
    assert_eq!((ids(&newest.items), newest.total), (vec![t3, t2], 3));

    // Pages: the total is exact whatever the page.
    for (offset, limit, expected) in [
        (0, 2, vec![t4, t3]),
        (2, 2, vec![t2, t1]),
        (3, 2, vec![t1]),
        (4, 2, vec![]),
        (40, 2, vec![]),
    ] {
        let p = s
            .list_tenders(&TenderQuery {
                paging: page(offset, limit),
                ..TenderQuery::default()
            })
            .await
            .unwrap();
        assert_eq!((ids(&p.items), p.total), (expected, 4), "offset {offset}");
    }

    // A summary line carries what lists show.
    let p = s.list_tenders(&TenderQuery::default()).await.unwrap();
    let row = p.items.iter().find(|r| r.id == t3).unwrap();
    assert_eq!((row.buyer, row.buyer_name.as_str()), (y, "大阪府"));
    assert_eq!(
        (row.kind, row.category, row.method),
        (
            TenderKind::SealedBid,
            Category::Works,
            ContractMethod::Selective
        )
    );
    assert_eq!(row.status, TenderStatus::Tendering);
    assert_eq!(row.title, "T3 工事・千代田区");
    assert_eq!(row.prefecture, Some(tokyo()));
    assert_eq!(row.version, 1);
    assert_eq!(row.published_at, Some(mins(3)));
    assert_eq!(row.submission_closes_at, c3.schedule.submission_closes_at);
    let online = p.items.iter().find(|r| r.id == t2).unwrap();
    assert_eq!(online.prefecture, None, "an online place has no prefecture");
}

async fn buyer_list_includes_drafts_newest_update_first(db: TestDb) {
    let s = &*db.storage;
    let (x, x1) = buyer(s, "千葉市").await;
    let (y, y1) = buyer(s, "埼玉県").await;
    let a = published(s, x, x1, &content("A"), mins(1)).await;
    let b = published(s, x, x1, &content("B"), mins(2)).await;
    let d = draft(s, x, x1, &content("下書き"), mins(3)).await;
    let _other = published(s, y, y1, &content("他機関"), mins(4)).await;

    let p = s.buyer_tenders(x, page(0, 20)).await.unwrap();
    assert_eq!((ids(&p.items), p.total), (vec![d, b, a], 3));
    assert_eq!(p.items[0].status, TenderStatus::Draft);
    assert_eq!(p.items[0].published_at, None);

    // An amendment makes a tender the most recently updated.
    s.amend_tender(
        a,
        &content("A（訂正）"),
        "件名",
        1,
        TenderStatus::Published,
        None,
        x1,
        mins(5),
        &[],
        audit("tender.amend", Some(x1)),
        &[],
    )
    .await
    .unwrap();
    let p = s.buyer_tenders(x, page(0, 2)).await.unwrap();
    assert_eq!((ids(&p.items), p.total), (vec![a, d], 3));
    let p = s.buyer_tenders(x, page(2, 2)).await.unwrap();
    assert_eq!((ids(&p.items), p.total), (vec![b], 3));
    let none = s.buyer_tenders(2_000_000, page(0, 20)).await.unwrap();
    assert_eq!((none.items.len(), none.total), (0, 0));
}

async fn my_tenders_is_the_union_of_favourites_applications_and_questions(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = buyer(s, "熊本市").await;
    let (sup, s1) = supplier(s, "肥後産業").await;
    let s2 = member(s, sup, "higo-member").await;
    let (other_sup, o1) = supplier(s, "阿蘇物産").await;

    let fav = published(s, city, clerk, &content("favourite"), mins(1)).await;
    let applied = published(s, city, clerk, &content("applied"), mins(2)).await;
    let asked = published(s, city, clerk, &content("asked"), mins(3)).await;
    let colleague_fav = published(s, city, clerk, &content("colleague's"), mins(4)).await;
    let unrelated = published(s, city, clerk, &content("unrelated"), mins(5)).await;

    s.add_tender_favourite(s1, fav, mins(6)).await.unwrap();
    // Applied and favourited: listed once.
    s.create_application(
        fav,
        sup,
        ApplicationOrigin::Application,
        s2,
        mins(6),
        &[],
        audit("tender.apply", Some(s2)),
    )
    .await
    .unwrap();
    s.create_application(
        applied,
        sup,
        ApplicationOrigin::Application,
        s2,
        mins(6),
        &[],
        audit("tender.apply", Some(s2)),
    )
    .await
    .unwrap();
    // Asked by a colleague: the organisation's.
    s.ask_question(
        asked,
        s2,
        sup,
        "質問",
        mins(7),
        audit("tender.ask", Some(s2)),
    )
    .await
    .unwrap();
    // A colleague's favourite is theirs alone.
    s.add_tender_favourite(s2, colleague_fav, mins(7))
        .await
        .unwrap();
    // Another supplier's activity is not ours.
    s.create_application(
        unrelated,
        other_sup,
        ApplicationOrigin::Application,
        o1,
        mins(7),
        &[],
        audit("tender.apply", Some(o1)),
    )
    .await
    .unwrap();
    s.ask_question(
        unrelated,
        o1,
        other_sup,
        "質問",
        mins(7),
        audit("tender.ask", Some(o1)),
    )
    .await
    .unwrap();

    let mine = s.my_tenders(s1, Some(sup), page(0, 20)).await.unwrap();
    assert_eq!(
        (ids(&mine.items), mine.total),
        (vec![asked, applied, fav], 3),
        "most recently updated first"
    );
    let theirs = s.my_tenders(s2, Some(sup), page(0, 20)).await.unwrap();
    assert_eq!(
        (ids(&theirs.items), theirs.total),
        (vec![colleague_fav, asked, applied, fav], 4)
    );
    // Without an organisation: the person's favourites only.
    let alone = s.my_tenders(s1, None, page(0, 20)).await.unwrap();
    assert_eq!((ids(&alone.items), alone.total), (vec![fav], 1));
    let nobody = s.my_tenders(clerk, None, page(0, 20)).await.unwrap();
    assert_eq!((nobody.items.len(), nobody.total), (0, 0));

    // Updating a tender brings it to the top; pages keep the exact total.
    s.amend_tender(
        fav,
        &content("favourite（訂正）"),
        "件名",
        1,
        TenderStatus::Published,
        None,
        clerk,
        mins(30),
        &[],
        audit("tender.amend", Some(clerk)),
        &[],
    )
    .await
    .unwrap();
    let first = s.my_tenders(s1, Some(sup), page(0, 1)).await.unwrap();
    assert_eq!((ids(&first.items), first.total), (vec![fav], 3));
    assert_eq!(first.items[0].title, "favourite（訂正）");
    assert_eq!(first.items[0].version, 2);
    let rest = s.my_tenders(s1, Some(sup), page(1, 5)).await.unwrap();
    assert_eq!((ids(&rest.items), rest.total), (vec![asked, applied], 3));
}

// --- import ---------------------------------------------------------------------------------------

fn imported(
    buyer: OrgId,
    by: UserId,
    c: TenderContent,
    status: TenderStatus,
    at: DateTime<Utc>,
) -> TenderImport {
    let mut transitions = Vec::new();
    let mut published_at = None;
    let mut next_transition_at = None;
    if status != TenderStatus::Draft {
        published_at = Some(at);
        transitions.push(step(Transition::Publish, at, Some(by)));
        next_transition_at = Some(c.schedule.submission_opens_at);
    }
    if matches!(status, TenderStatus::Tendering | TenderStatus::Cancelled) {
        transitions.push(step(
            Transition::StartTendering,
            c.schedule.submission_opens_at,
            None,
        ));
        next_transition_at = Some(c.schedule.submission_closes_at);
    }
    if status == TenderStatus::Cancelled {
        transitions.push(NewTransition {
            transition: Transition::Cancel,
            at: c.schedule.submission_opens_at + Duration::hours(1),
            actor: Some(by),
            reason: Some("仕様の見直し".into()),
        });
        next_transition_at = None;
    }
    TenderImport {
        buyer,
        created_by: by,
        status,
        content: c,
        next_transition_at,
        created_at: at - Duration::hours(1),
        published_at,
        transitions,
        questions: Vec::new(),
        attachments: Vec::new(),
    }
}

async fn import_round_trips(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = buyer(s, "那覇市").await;
    let (sup, s1) = supplier(s, "琉球商事").await;
    assert_eq!(s.import_tenders(&[]).await.unwrap(), 0);

    let mut open = imported(
        city,
        clerk,
        content("imported: tendering"),
        TenderStatus::Tendering,
        mins(10),
    );
    open.questions = vec![
        (s1, sup, "納期は？".into(), "3月末です。".into(), mins(20)),
        (s1, sup, "数量は？".into(), "100です。".into(), mins(21)),
    ];
    open.attachments = vec![
        attachment("仕様書", 'a', None),
        attachment("図面", 'b', None),
    ];
    let mut c_draft = content("imported: draft");
    c_draft.place = Place::Online;
    let draft_import = imported(city, clerk, c_draft, TenderStatus::Draft, mins(11));
    let cancelled = imported(
        city,
        clerk,
        content("imported: cancelled"),
        TenderStatus::Cancelled,
        mins(12),
    );
    let batch = [open.clone(), draft_import, cancelled.clone()];
    assert_eq!(s.import_tenders(&batch).await.unwrap(), 3);

    let listed = s
        .buyer_tenders(city, page(0, 20))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|t| (t.title.clone(), t.id))
        .collect::<HashMap<_, _>>();
    assert_eq!(listed.len(), 3);
    let open_id = listed["imported: tendering"];
    let draft_id = listed["imported: draft"];
    let cancelled_id = listed["imported: cancelled"];

    let t = s.tender(open_id).await.unwrap().unwrap();
    assert_eq!((t.buyer, t.buyer_name.as_str()), (city, "那覇市"));
    assert_eq!(t.status, TenderStatus::Tendering);
    assert_eq!(t.content, open.content);
    assert_eq!(t.version, 1);
    assert_eq!(t.next_transition_at, open.next_transition_at);
    assert_eq!(t.cancel_reason, None);
    assert_eq!(t.created_by, clerk);
    assert_eq!(t.created_at, open.created_at);
    assert_eq!(t.published_at, Some(mins(10)));

    let steps = s.tender_transitions(open_id).await.unwrap();
    let got: Vec<_> = steps
        .iter()
        .map(|r| (r.seq, r.transition, r.from, r.to, r.at, r.actor))
        .collect();
    assert_eq!(
        got,
        [
            (
                1,
                Transition::Publish,
                TenderStatus::Draft,
                TenderStatus::Published,
                mins(10),
                Some(clerk)
            ),
            (
                2,
                Transition::StartTendering,
                TenderStatus::Published,
                TenderStatus::Tendering,
                open.content.schedule.submission_opens_at,
                None
            ),
        ]
    );
    let versions = s.tender_versions(open_id).await.unwrap();
    assert_eq!(versions.len(), 1, "the published version");
    assert_eq!(
        (versions[0].version, versions[0].reason.as_deref()),
        (1, None)
    );
    assert_eq!(versions[0].content, open.content);

    let qs = s.questions(open_id).await.unwrap();
    let got: Vec<_> = qs
        .iter()
        .map(|q| {
            (
                q.asked_by,
                q.asker_org,
                q.question.as_str(),
                q.answer.as_deref(),
                q.asked_at,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (s1, sup, "納期は？", Some("3月末です。"), mins(20)),
            (s1, sup, "数量は？", Some("100です。"), mins(21)),
        ]
    );
    assert!(qs.iter().all(|q| q.answered_at.is_some()));
    let files = s.attachments(open_id).await.unwrap();
    let got: Vec<_> = files
        .iter()
        .map(|a| (a.title.as_str(), a.sha256.clone(), a.superseded_by))
        .collect();
    assert_eq!(
        got,
        [
            ("仕様書", "a".repeat(64), None),
            ("図面", "b".repeat(64), None)
        ]
    );
    assert!(
        files
            .iter()
            .all(|a| a.tender_id == open_id && a.size == 12_345)
    );

    let d = s.tender(draft_id).await.unwrap().unwrap();
    assert_eq!(d.status, TenderStatus::Draft);
    assert_eq!((d.published_at, d.next_transition_at), (None, None));
    assert!(s.tender_transitions(draft_id).await.unwrap().is_empty());
    assert!(s.tender_versions(draft_id).await.unwrap().is_empty());
    assert!(s.questions(draft_id).await.unwrap().is_empty());

    let c = s.tender(cancelled_id).await.unwrap().unwrap();
    assert_eq!(c.status, TenderStatus::Cancelled);
    assert_eq!(c.next_transition_at, None);
    let last = s
        .tender_transitions(cancelled_id)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        (last.seq, last.from, last.to, last.reason.as_deref()),
        (
            3,
            TenderStatus::Tendering,
            TenderStatus::Cancelled,
            Some("仕様の見直し")
        )
    );

    // The public list has the published ones, with their copied columns.
    let p = s.list_tenders(&TenderQuery::default()).await.unwrap();
    assert_eq!((ids(&p.items), p.total), (vec![cancelled_id, open_id], 2));
    assert_eq!(
        s.list_tenders(&TenderQuery {
            statuses: vec![TenderStatus::Tendering],
            prefecture: Some(tokyo()),
            ..TenderQuery::default()
        })
        .await
        .unwrap()
        .total,
        1
    );
    assert_eq!(
        s.due_tenders(days(100), 10).await.unwrap(),
        [open_id],
        "imported tenders are scheduled like the others"
    );

    // Imported tenders take part like any other: favourites, my_tenders.
    s.add_tender_favourite(s1, open_id, mins(30)).await.unwrap();
    let mine = s.my_tenders(s1, Some(sup), page(0, 20)).await.unwrap();
    assert_eq!((ids(&mine.items), mine.total), (vec![open_id], 1));

    // An import that fails writes nothing.
    let mut bad = cancelled.clone();
    bad.buyer = 2_000_000;
    let before = s.buyer_tenders(city, page(0, 20)).await.unwrap().total;
    assert!(s.import_tenders(&[open.clone(), bad]).await.is_err());
    assert_eq!(
        s.buyer_tenders(city, page(0, 20)).await.unwrap().total,
        before
    );
}

async fn import_of_many_tenders_crosses_batches(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = buyer(s, "大分市").await;
    let (sup, s1) = supplier(s, "豊後物産").await;
    const N: usize = 2_345;
    let batch: Vec<TenderImport> = (0..N)
        .map(|i| {
            let mut c = content(&format!("大量案件 {i:05}"));
            c.kind = TenderKind::ALL[i % TenderKind::ALL.len()];
            let status = if i % 10 == 0 {
                TenderStatus::Draft
            } else {
                TenderStatus::Published
            };
            let mut t = imported(city, clerk, c, status, t0() + Duration::seconds(i as i64));
            if i % 3 == 0 {
                t.questions = vec![(s1, sup, format!("質問 {i}"), format!("回答 {i}"), mins(1))];
            }
            if i % 4 == 0 {
                t.attachments = vec![attachment(&format!("仕様書 {i}"), 'f', None)];
            }
            t
        })
        .collect();
    assert_eq!(s.import_tenders(&batch).await.unwrap(), N as u64);

    let published_n = (0..N).filter(|i| i % 10 != 0).count() as u64;
    let all = s
        .list_tenders(&TenderQuery {
            paging: page(0, 200),
            ..TenderQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(all.total, published_n);
    assert_eq!(all.items[0].title, format!("大量案件 {:05}", N - 1));
    let rfq = s
        .list_tenders(&TenderQuery {
            kind: Some(TenderKind::Rfq),
            ..TenderQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        rfq.total,
        (0..N)
            .filter(|i| i % 10 != 0 && TenderKind::ALL[i % 4] == TenderKind::Rfq)
            .count() as u64
    );
    assert_eq!(
        s.buyer_tenders(city, page(0, 1)).await.unwrap().total,
        N as u64
    );

    // Each tender got its own children, across chunk boundaries.
    let by_title: HashMap<String, TenderId> = {
        let mut map = HashMap::new();
        let mut offset = 0;
        loop {
            let p = s.buyer_tenders(city, page(offset, 200)).await.unwrap();
            if p.items.is_empty() {
                break;
            }
            offset += p.items.len() as u64;
            for t in p.items {
                map.insert(t.title, t.id);
            }
        }
        map
    };
    assert_eq!(by_title.len(), N);
    for i in [0, 1, 999, 1000, 1001, 1500, 2001, N - 1] {
        let id = by_title[&format!("大量案件 {i:05}")];
        let t = s.tender(id).await.unwrap().unwrap();
        assert_eq!(t.content, batch[i].content, "tender {i}");
        let qs = s.questions(id).await.unwrap();
        if i % 3 == 0 {
            assert_eq!(qs.len(), 1, "tender {i}");
            assert_eq!(qs[0].question, format!("質問 {i}"));
        } else {
            assert!(qs.is_empty(), "tender {i}");
        }
        let files = s.attachments(id).await.unwrap();
        if i % 4 == 0 {
            assert_eq!(files.len(), 1, "tender {i}");
            assert_eq!(files[0].title, format!("仕様書 {i}"));
        } else {
            assert!(files.is_empty(), "tender {i}");
        }
        let steps = s.tender_transitions(id).await.unwrap();
        assert_eq!(steps.len(), usize::from(i % 10 != 0), "tender {i}");
    }
}

// --- keyset paging (the search index rebuild) ------------------------------------------------

async fn public_tenders_page_by_id_without_drafts(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = buyer(s, "札幌市").await;
    let (town, official) = buyer(s, "小樽市").await;
    assert!(s.public_tenders_after(0, 10).await.unwrap().is_empty());

    let a = published(s, city, clerk, &content("除雪業務委託"), mins(1)).await;
    let hidden = draft(s, city, clerk, &content("下書きの案件"), mins(2)).await;
    let b = published(s, town, official, &content("港湾清掃"), mins(3)).await;
    let c = published(s, city, clerk, &content("庁舎警備"), mins(4)).await;
    let d = draft(s, town, official, &content("もう一つの下書き"), mins(5)).await;
    // A cancelled tender stays public.
    assert!(
        s.transition_tender(
            c,
            TenderStatus::Published,
            &[NewTransition {
                transition: Transition::Cancel,
                at: mins(6),
                actor: Some(clerk),
                reason: Some("予算の都合".into()),
            }],
            None,
            Some("予算の都合"),
            mins(6),
            &[],
            None,
            &[],
        )
        .await
        .unwrap()
    );

    let all = s.public_tenders_after(0, 100).await.unwrap();
    assert_eq!(all.iter().map(|t| t.id).collect::<Vec<_>>(), [a, b, c]);
    assert!(!all.iter().any(|t| t.id == hidden || t.id == d));
    // Whole tenders, as `tender` reads them (buyer name joined, status current).
    assert_eq!(all[1], s.tender(b).await.unwrap().unwrap());
    assert_eq!(all[1].buyer_name, "小樽市");
    assert_eq!(all[2].status, TenderStatus::Cancelled);

    // Pages follow the last id seen; drafts between them are skipped.
    let first = s.public_tenders_after(0, 2).await.unwrap();
    assert_eq!(first.iter().map(|t| t.id).collect::<Vec<_>>(), [a, b]);
    let next = s.public_tenders_after(first[1].id, 2).await.unwrap();
    assert_eq!(next.iter().map(|t| t.id).collect::<Vec<_>>(), [c]);
    assert!(s.public_tenders_after(c, 2).await.unwrap().is_empty());
    assert_eq!(
        s.public_tenders_after(a, 1).await.unwrap()[0].id,
        b,
        "the draft after `a` is not returned"
    );
}
