//! The bid storage behaviour suite: sealed bids and withdrawals with their
//! guards, the opening and the award recorded once with their steps, events
//! and jobs, scores that lock, the tender's wrapped key, and the awards list
//! — the same assertions on SQLite and PostgreSQL.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use musubi_domain::tender::{TenderContent, TenderStatus, Transition};
use musubi_domain::{EmailAddress, OrgKind, OrgRole};
use musubi_storage::{
    Audience, AuditEntry, Award, BidId, BidState, EventKind, NewAward, NewBid, NewEvent, NewJob,
    NewOpening, NewUser, Opening, OrgId, Paging, Scoring, Storage, StorageError, StoredBid,
    TechnicalScore, TenderId, UserId,
};
use serde_json::{Value, json};

use crate::support::{
    TestDb, both_backends, org_member, published, step, tender_audit, tender_content,
};

both_backends!(
    a_bid_reads_back_exactly,
    one_submitted_bid_per_bidder_and_round,
    bids_only_while_tendering_and_before_the_round_is_opened,
    round_bids_in_receipt_order,
    the_opening_is_recorded_once_and_reaches_the_bidders,
    the_award_is_recorded_once,
    locked_scores_refuse_changes,
    the_first_tender_key_is_kept,
    awards_page_newest_decision_first_and_by_tender_id,
    racing_bids_of_one_bidder_store_one,
);

// --- fixtures ------------------------------------------------------------------

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 11, 0, 0, 0).unwrap()
}

/// An instant with microseconds, which must survive the round trip.
fn at_us(days: i64, micros: i64) -> DateTime<Utc> {
    t0() + Duration::days(days) + Duration::microseconds(micros)
}

fn is_conflict(err: &StorageError, code: &str) -> bool {
    matches!(err, StorageError::Conflict(c) if c == code)
}

fn page(offset: u64, limit: u32) -> Paging {
    Paging { offset, limit }
}

/// An organisation of `kind` and its admin.
async fn party(s: &dyn Storage, email: &str, kind: OrgKind, name: &str) -> (OrgId, UserId) {
    let p = org_member(s, email, kind, name, t0()).await;
    (p.membership.expect("a member").org_id, p.user_id)
}

/// One more member of `org`.
async fn colleague(s: &dyn Storage, org: OrgId, email: &str) -> UserId {
    let user = s
        .create_user(
            &NewUser {
                email: EmailAddress::parse(email).unwrap(),
                password_hash: "x".into(),
                display_name: email.into(),
                locale: "ja".into(),
            },
            t0(),
            AuditEntry::new("user.register", "user", None),
            &[],
        )
        .await
        .unwrap();
    s.add_member(
        org,
        user,
        OrgRole::Member,
        t0(),
        AuditEntry::new("org.member", "organization", Some(org)),
    )
    .await
    .unwrap();
    user
}

/// A tender published at `t0` and taking submissions (from its schedule's
/// opening of submissions).
async fn tendering(
    s: &dyn Storage,
    buyer: OrgId,
    clerk: UserId,
    title: &str,
) -> (TenderId, TenderContent) {
    let c = tender_content(title, t0());
    let id = published(s, buyer, clerk, &c, t0()).await;
    let opens = c.schedule.submission_opens_at;
    assert!(
        s.transition_tender(
            id,
            TenderStatus::Published,
            &[step(Transition::StartTendering, opens, None)],
            Some(c.schedule.submission_closes_at),
            None,
            opens,
            &[],
            None,
            &[],
        )
        .await
        .unwrap()
    );
    (id, c)
}

/// Moves a tender from `from` by one step at `at`.
async fn transition(
    s: &dyn Storage,
    id: TenderId,
    from: TenderStatus,
    t: Transition,
    at: DateTime<Utc>,
) {
    assert!(
        s.transition_tender(
            id,
            from,
            &[step(t, at, None)],
            None,
            None,
            at,
            &[],
            None,
            &[]
        )
        .await
        .unwrap()
    );
}

/// A sealed bid: bytes that are not text, and a receipt with some of
/// everything JSON has.
fn new_bid(
    tender: TenderId,
    round: u32,
    bidder: OrgId,
    by: UserId,
    received_at: DateTime<Utc>,
) -> NewBid {
    let mut sealed: Vec<u8> = (0..=255u8).rev().collect();
    sealed.extend_from_slice(&bidder.to_le_bytes());
    NewBid {
        tender_id: tender,
        round,
        bidder,
        submitted_by: by,
        received_at,
        commitment: format!("{:064x}", bidder * 1_000 + i64::from(round)),
        sealed,
        receipt: json!({
            "version": 1,
            "tender": tender,
            "round": round,
            "bidder": bidder,
            "received_at": received_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "note": "受付票「入札書」",
            "big": 9_007_199_254_740_993_i64,
            "nested": { "list": [1, 2.5, "三", null, true], "empty": {} },
            "signature": "c2lnbmF0dXJl",
        }),
    }
}

fn job(kind: &str, detail: Value) -> NewJob {
    NewJob::new(kind, detail)
}

fn event(kind: EventKind) -> NewEvent {
    NewEvent {
        kind,
        audience: Audience::Participants,
        detail: json!({ "kind": kind.as_str() }),
    }
}

fn opening(tender: TenderId, round: u32, opened_at: DateTime<Utc>) -> NewOpening {
    NewOpening {
        tender_id: tender,
        round,
        opened_at,
        record: json!({
            "round": round,
            "bids": [{ "amount": "1000000", "salt": "00ff", "commitment": "ab" }],
            "lottery": null,
            "note": "開札調書",
        }),
    }
}

async fn queued_jobs(s: &dyn Storage) -> i64 {
    s.job_counts().await.unwrap().queued
}

async fn audit_total(s: &dyn Storage) -> u64 {
    s.audit_log(None, Paging::default()).await.unwrap().total
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

fn ids(bids: &[StoredBid]) -> Vec<BidId> {
    bids.iter().map(|b| b.id).collect()
}

// --- bids ----------------------------------------------------------------------------

async fn a_bid_reads_back_exactly(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = party(s, "clerk@city.example.jp", OrgKind::PublicBody, "横浜市").await;
    let (sup, sup_admin) = party(s, "a@sup.example.jp", OrgKind::Supplier, "港北商事").await;
    let (tender, _) = tendering(s, city, clerk, "事務用品の購入").await;

    let received_at = at_us(2, 123_456_789);
    let bid = new_bid(tender, 1, sup, sup_admin, received_at);
    let jobs = queued_jobs(s).await;
    let id = s
        .insert_bid(&bid, &[job("mail.send", json!({ "receipt": 1 }))])
        .await
        .unwrap();
    assert_eq!(
        queued_jobs(s).await,
        jobs + 1,
        "the job is queued with the bid"
    );

    let expected = StoredBid {
        id,
        tender_id: tender,
        round: 1,
        bidder: sup,
        bidder_name: "港北商事".into(),
        submitted_by: sup_admin,
        received_at,
        commitment: bid.commitment.clone(),
        sealed: bid.sealed.clone(),
        receipt: bid.receipt.clone(),
        state: BidState::Submitted,
        withdrawn_at: None,
        withdraw_reason: None,
    };
    let stored = s.bid(id).await.unwrap().unwrap();
    assert_eq!(stored, expected);
    assert_eq!(
        stored.received_at.timestamp_micros(),
        received_at.timestamp_micros()
    );
    assert_eq!(
        s.bids_of(tender, sup).await.unwrap(),
        std::slice::from_ref(&expected)
    );
    assert_eq!(s.round_bids(tender, 1).await.unwrap(), [expected]);
    assert!(s.round_bids(tender, 2).await.unwrap().is_empty());
    assert!(s.bid(id + 1_000).await.unwrap().is_none());

    // No such tender.
    let err = s
        .insert_bid(
            &new_bid(tender + 1_000, 1, sup, sup_admin, received_at),
            &[],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::NotFound), "{err:?}");
}

async fn one_submitted_bid_per_bidder_and_round(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = party(s, "clerk@city.example.jp", OrgKind::PublicBody, "川崎市").await;
    let (sup, sup_admin) = party(s, "a@sup.example.jp", OrgKind::Supplier, "多摩工業").await;
    let (other, other_admin) = party(s, "b@sup.example.jp", OrgKind::Supplier, "幸建設").await;
    let (tender, _) = tendering(s, city, clerk, "道路補修").await;

    // Withdrawing without a bid: nothing, and no jobs.
    let jobs = queued_jobs(s).await;
    let none = s
        .withdraw_bid(tender, 1, sup, "辞退", at_us(2, 1), &[job("x", json!({}))])
        .await
        .unwrap();
    assert_eq!(none, None);
    assert_eq!(queued_jobs(s).await, jobs);

    let first = s
        .insert_bid(&new_bid(tender, 1, sup, sup_admin, at_us(2, 10)), &[])
        .await
        .unwrap();
    // A second submitted bid of the same bidder and round is refused, and
    // writes nothing (its job neither).
    let err = s
        .insert_bid(
            &new_bid(tender, 1, sup, sup_admin, at_us(2, 20)),
            &[job("mail.send", json!({}))],
        )
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "bid_exists"), "{err:?}");
    assert_eq!(queued_jobs(s).await, jobs);
    // Another bidder is not affected.
    s.insert_bid(&new_bid(tender, 1, other, other_admin, at_us(2, 30)), &[])
        .await
        .unwrap();

    // 辞退, then a new bid is allowed.
    let withdrawn_at = at_us(3, 987_654);
    let withdrawn = s
        .withdraw_bid(
            tender,
            1,
            sup,
            "都合により辞退",
            withdrawn_at,
            &[job("mail.send", json!({ "withdrawn": true }))],
        )
        .await
        .unwrap();
    assert_eq!(withdrawn, Some(first));
    assert_eq!(queued_jobs(s).await, jobs + 1);
    let old = s.bid(first).await.unwrap().unwrap();
    assert_eq!(old.state, BidState::Withdrawn);
    assert_eq!(old.withdrawn_at, Some(withdrawn_at));
    assert_eq!(old.withdraw_reason.as_deref(), Some("都合により辞退"));
    // Withdrawn once: a second withdrawal finds nothing.
    assert_eq!(
        s.withdraw_bid(tender, 1, sup, "again", at_us(3, 1_000_000), &[])
            .await
            .unwrap(),
        None
    );

    let second = s
        .insert_bid(&new_bid(tender, 1, sup, sup_admin, at_us(4, 5)), &[])
        .await
        .unwrap();
    let mine = s.bids_of(tender, sup).await.unwrap();
    assert_eq!(ids(&mine), [first, second], "oldest first, every state");
    assert_eq!(
        mine.iter().map(|b| b.state).collect::<Vec<_>>(),
        [BidState::Withdrawn, BidState::Submitted]
    );
    let err = s
        .insert_bid(&new_bid(tender, 1, sup, sup_admin, at_us(4, 6)), &[])
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "bid_exists"), "{err:?}");
}

async fn bids_only_while_tendering_and_before_the_round_is_opened(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = party(s, "clerk@city.example.jp", OrgKind::PublicBody, "相模原市").await;
    let (a, a1) = party(s, "a@sup.example.jp", OrgKind::Supplier, "相模電気").await;
    let (b, b1) = party(s, "b@sup.example.jp", OrgKind::Supplier, "橋本設備").await;
    let refused = |r: Result<BidId, StorageError>| {
        let err = r.unwrap_err();
        assert!(is_conflict(&err, "not_accepting_bids"), "{err:?}");
    };

    // Published, submissions not open yet.
    let c = tender_content("照明の更新", t0());
    let tender = published(s, city, clerk, &c, t0()).await;
    refused(
        s.insert_bid(&new_bid(tender, 1, a, a1, at_us(0, 1)), &[])
            .await,
    );
    let err = s
        .withdraw_bid(tender, 1, a, "辞退", at_us(0, 2), &[])
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "not_accepting_bids"), "{err:?}");

    transition(
        s,
        tender,
        TenderStatus::Published,
        Transition::StartTendering,
        c.schedule.submission_opens_at,
    )
    .await;
    let round1 = s
        .insert_bid(&new_bid(tender, 1, a, a1, at_us(2, 3)), &[])
        .await
        .unwrap();

    // Closed but not opened: a bid the service received before the
    // deadline still lands (the store leaves the clock to the service).
    let closes = c.schedule.submission_closes_at;
    transition(
        s,
        tender,
        TenderStatus::Tendering,
        Transition::Close,
        closes,
    )
    .await;
    let late_commit = s
        .insert_bid(
            &new_bid(tender, 1, b, b1, closes - Duration::milliseconds(1)),
            &[],
        )
        .await
        .unwrap();

    assert_eq!(s.opened_rounds(tender).await.unwrap(), 0);

    // Round 1 opened and unsuccessful; 再入札 opens round 2.
    let opened_at = c.schedule.opening_at;
    assert!(
        s.record_opening(
            &opening(tender, 1, opened_at),
            TenderStatus::Closed,
            &[
                step(Transition::Open, opened_at, None),
                step(Transition::DeclareUnsuccessful, opened_at, None),
            ],
            None,
            &[],
            &[],
        )
        .await
        .unwrap()
    );
    let rebid_at = opened_at + Duration::days(1);
    assert!(
        s.transition_tender(
            tender,
            TenderStatus::Unsuccessful,
            &[step(Transition::Rebid, rebid_at, Some(clerk))],
            Some(rebid_at + Duration::days(7)),
            None,
            rebid_at,
            &[],
            None,
            &[],
        )
        .await
        .unwrap()
    );
    assert_eq!(
        s.tender(tender).await.unwrap().unwrap().status,
        TenderStatus::Tendering
    );
    // Tendering again, but round 1 is opened: closed for good.
    refused(
        s.insert_bid(
            &new_bid(tender, 1, b, b1, rebid_at + Duration::hours(1)),
            &[],
        )
        .await,
    );
    let err = s
        .withdraw_bid(tender, 1, a, "辞退", rebid_at + Duration::hours(1), &[])
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "not_accepting_bids"), "{err:?}");
    // Round 2 takes bids, from the same bidder too.
    let round2 = s
        .insert_bid(
            &new_bid(tender, 2, a, a1, rebid_at + Duration::hours(2)),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        ids(&s.round_bids(tender, 1).await.unwrap()),
        [round1, late_commit]
    );
    assert_eq!(ids(&s.round_bids(tender, 2).await.unwrap()), [round2]);
    assert_eq!(ids(&s.bids_of(tender, a).await.unwrap()), [round1, round2]);

    // Round 1 cannot be opened twice, whatever the status says.
    let before = s.tender_transitions(tender).await.unwrap();
    assert!(
        !s.record_opening(
            &opening(tender, 1, rebid_at + Duration::hours(3)),
            TenderStatus::Tendering,
            &[step(Transition::Close, rebid_at, None)],
            None,
            &[],
            &[job("x", json!({}))],
        )
        .await
        .unwrap()
    );
    assert_eq!(s.tender_transitions(tender).await.unwrap(), before);
    assert_eq!(s.openings(tender).await.unwrap().len(), 1);
    assert_eq!(s.opened_rounds(tender).await.unwrap(), 1);
}

async fn round_bids_in_receipt_order(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = party(s, "clerk@city.example.jp", OrgKind::PublicBody, "藤沢市").await;
    let (a, a1) = party(s, "a@sup.example.jp", OrgKind::Supplier, "A社").await;
    let (b, b1) = party(s, "b@sup.example.jp", OrgKind::Supplier, "B社").await;
    let (c, c1) = party(s, "c@sup.example.jp", OrgKind::Supplier, "C社").await;
    let (tender, _) = tendering(s, city, clerk, "清掃業務").await;

    // Received out of insertion order; B and C at the same instant.
    let bid_a = s
        .insert_bid(&new_bid(tender, 1, a, a1, at_us(3, 500)), &[])
        .await
        .unwrap();
    let bid_c = s
        .insert_bid(&new_bid(tender, 1, c, c1, at_us(2, 7)), &[])
        .await
        .unwrap();
    let bid_b = s
        .insert_bid(&new_bid(tender, 1, b, b1, at_us(2, 7)), &[])
        .await
        .unwrap();
    // A withdraws and bids again, later.
    s.withdraw_bid(tender, 1, a, "訂正のため", at_us(4, 0), &[])
        .await
        .unwrap();
    let bid_a2 = s
        .insert_bid(&new_bid(tender, 1, a, a1, at_us(4, 1)), &[])
        .await
        .unwrap();

    let round = s.round_bids(tender, 1).await.unwrap();
    assert_eq!(ids(&round), [bid_c, bid_b, bid_a, bid_a2]);
    assert_eq!(
        round
            .iter()
            .map(|b| (b.bidder_name.as_str(), b.state))
            .collect::<Vec<_>>(),
        [
            ("C社", BidState::Submitted),
            ("B社", BidState::Submitted),
            ("A社", BidState::Withdrawn),
            ("A社", BidState::Submitted),
        ]
    );
    assert_eq!(ids(&s.bids_of(tender, a).await.unwrap()), [bid_a, bid_a2]);
    assert_eq!(ids(&s.bids_of(tender, b).await.unwrap()), [bid_b]);
}

// --- opening and award ------------------------------------------------------------

async fn the_opening_is_recorded_once_and_reaches_the_bidders(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = party(s, "clerk@city.example.jp", OrgKind::PublicBody, "鎌倉市").await;
    // A bids (both its members hear); B bid and withdrew (it still hears);
    // C never bid (it does not).
    let (a, a1) = party(s, "a@sup.example.jp", OrgKind::Supplier, "鎌倉工務店").await;
    let a2 = colleague(s, a, "a2@sup.example.jp").await;
    let (b, b1) = party(s, "b@sup.example.jp", OrgKind::Supplier, "由比ヶ浜電設").await;
    let (_c, c1) = party(s, "c@sup.example.jp", OrgKind::Supplier, "無関係商会").await;
    let (tender, content) = tendering(s, city, clerk, "体育館の改修").await;
    s.insert_bid(&new_bid(tender, 1, a, a1, at_us(2, 1)), &[])
        .await
        .unwrap();
    s.insert_bid(&new_bid(tender, 1, b, b1, at_us(2, 2)), &[])
        .await
        .unwrap();
    s.withdraw_bid(tender, 1, b, "辞退", at_us(3, 3), &[])
        .await
        .unwrap();
    let closes = content.schedule.submission_closes_at;
    transition(
        s,
        tender,
        TenderStatus::Tendering,
        Transition::Close,
        closes,
    )
    .await;
    let steps_before = s.tender_transitions(tender).await.unwrap();

    let opened_at = content.schedule.opening_at + Duration::microseconds(250_001);
    let open = opening(tender, 1, opened_at);
    let steps = [step(Transition::Open, content.schedule.opening_at, None)];
    let jobs = queued_jobs(s).await;
    let audits = audit_total(s).await;
    let events = [event(EventKind::TenderOpened)];
    let jobs_queued = [job("search.index", json!({ "tender": tender }))];
    let record = || {
        s.record_opening(
            &open,
            TenderStatus::Closed,
            &steps,
            None,
            &events,
            &jobs_queued,
        )
    };
    assert!(record().await.unwrap());

    let t = s.tender(tender).await.unwrap().unwrap();
    assert_eq!(t.status, TenderStatus::Opened);
    assert_eq!(t.next_transition_at, None);
    assert_eq!(t.updated_at, opened_at);
    let steps_after = s.tender_transitions(tender).await.unwrap();
    assert_eq!(steps_after.len(), steps_before.len() + 1);
    let last = steps_after.last().unwrap();
    assert_eq!(
        (
            last.transition,
            last.from,
            last.to,
            last.at,
            last.recorded_at
        ),
        (
            Transition::Open,
            TenderStatus::Closed,
            TenderStatus::Opened,
            content.schedule.opening_at,
            opened_at
        )
    );
    assert_eq!(
        s.openings(tender).await.unwrap(),
        [Opening {
            tender_id: tender,
            round: 1,
            opened_at,
            record: open.record.clone(),
        }]
    );
    // Its job, and the one that mails its events.
    assert_eq!(queued_jobs(s).await, jobs + 2);
    assert_eq!(
        audit_total(s).await,
        audits,
        "the opening has no audit line"
    );
    let opened = vec![(EventKind::TenderOpened, Some(tender))];
    assert_eq!(events_of(s, a1).await, opened);
    assert_eq!(events_of(s, a2).await, opened, "every member of a bidder");
    assert_eq!(events_of(s, b1).await, opened, "a withdrawn bidder too");
    assert!(events_of(s, c1).await.is_empty());
    assert!(events_of(s, clerk).await.is_empty());

    // Again: false, and nothing is written.
    assert!(!record().await.unwrap());
    assert_eq!(s.tender(tender).await.unwrap().unwrap(), t);
    assert_eq!(s.tender_transitions(tender).await.unwrap(), steps_after);
    assert_eq!(s.openings(tender).await.unwrap().len(), 1);
    assert_eq!(queued_jobs(s).await, jobs + 2);
    assert_eq!(events_of(s, a1).await, opened);
}

async fn the_award_is_recorded_once(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = party(s, "clerk@city.example.jp", OrgKind::PublicBody, "逗子市").await;
    let (a, a1) = party(s, "a@sup.example.jp", OrgKind::Supplier, "逗子造園").await;
    let (b, b1) = party(s, "b@sup.example.jp", OrgKind::Supplier, "葉山緑化").await;
    let (tender, content) = tendering(s, city, clerk, "公園の植栽管理").await;
    let bid_a = s
        .insert_bid(&new_bid(tender, 1, a, a1, at_us(2, 1)), &[])
        .await
        .unwrap();
    let bid_b = s
        .insert_bid(&new_bid(tender, 1, b, b1, at_us(2, 2)), &[])
        .await
        .unwrap();
    let closes = content.schedule.submission_closes_at;
    transition(
        s,
        tender,
        TenderStatus::Tendering,
        Transition::Close,
        closes,
    )
    .await;
    let opened_at = content.schedule.opening_at;
    assert!(
        s.record_opening(
            &opening(tender, 1, opened_at),
            TenderStatus::Closed,
            &[step(Transition::Open, opened_at, None)],
            None,
            &[],
            &[],
        )
        .await
        .unwrap()
    );

    let decided_at = at_us(13, 424_242);
    let award = |bid_id: BidId, bidder: OrgId| NewAward {
        tender_id: tender,
        round: 1,
        bid_id,
        bidder,
        amount_tax_exclusive: Some(1_000_000),
        amount_tax_inclusive: Some(1_100_000),
        decided_by: clerk,
        decided_at,
    };
    let record = |award: NewAward| async move {
        s.record_award(
            &award,
            TenderStatus::Opened,
            &step(Transition::Award, decided_at, Some(clerk)),
            &[event(EventKind::TenderAwarded)],
            tender_audit("tender.award", Some(clerk)),
            &[job("search.index", json!({ "tender": tender }))],
        )
        .await
    };
    let jobs = queued_jobs(s).await;
    let audits = audit_total(s).await;

    // A bid that is not the named bidder's: refused, nothing written.
    let err = record(award(bid_b, a)).await.unwrap_err();
    assert!(matches!(err, StorageError::NotFound), "{err:?}");
    assert_eq!(s.award(tender).await.unwrap(), None);

    assert!(record(award(bid_a, a)).await.unwrap());
    let t = s.tender(tender).await.unwrap().unwrap();
    assert_eq!(t.status, TenderStatus::Awarded);
    let last = s.tender_transitions(tender).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.transition, last.from, last.to, last.actor),
        (
            Transition::Award,
            TenderStatus::Opened,
            TenderStatus::Awarded,
            Some(clerk)
        )
    );
    let stored = Award {
        tender_id: tender,
        round: 1,
        bid_id: bid_a,
        bidder: a,
        bidder_name: "逗子造園".into(),
        amount_tax_exclusive: Some(1_000_000),
        amount_tax_inclusive: Some(1_100_000),
        decided_by: clerk,
        decided_at,
        tender_title: "公園の植栽管理".into(),
        buyer: city,
        buyer_name: "逗子市".into(),
    };
    assert_eq!(s.award(tender).await.unwrap(), Some(stored.clone()));
    assert_eq!(audit_total(s).await, audits + 1);
    let line = &s.audit_log(None, page(0, 1)).await.unwrap().items[0];
    assert_eq!(
        (line.entry.action.as_str(), line.entry.subject_id, line.at),
        ("tender.award", Some(tender), decided_at)
    );
    // Its job, and the one that mails its events.
    assert_eq!(queued_jobs(s).await, jobs + 2);
    let awarded = vec![(EventKind::TenderAwarded, Some(tender))];
    assert_eq!(events_of(s, a1).await, awarded);
    assert_eq!(events_of(s, b1).await, awarded);

    // Once: a second decision changes nothing.
    assert!(!record(award(bid_b, b)).await.unwrap());
    assert_eq!(s.award(tender).await.unwrap(), Some(stored));
    assert_eq!(s.tender(tender).await.unwrap().unwrap(), t);
    assert_eq!(audit_total(s).await, audits + 1);
    assert_eq!(queued_jobs(s).await, jobs + 2);
    assert_eq!(events_of(s, a1).await, awarded);
}

// --- scores --------------------------------------------------------------------------

async fn locked_scores_refuse_changes(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = party(s, "clerk@city.example.jp", OrgKind::PublicBody, "平塚市").await;
    let (a, _) = party(s, "a@sup.example.jp", OrgKind::Supplier, "湘南技研").await;
    let (b, _) = party(s, "b@sup.example.jp", OrgKind::Supplier, "大磯測量").await;
    let (tender, _) = tendering(s, city, clerk, "総合評価の設計業務").await;
    let (other, _) = tendering(s, city, clerk, "別の業務").await;

    assert_eq!(s.scoring(tender).await.unwrap(), Scoring::default());
    assert!(s.technical_scores(tender).await.unwrap().is_empty());

    s.set_scoring_points(tender, Some(50), None).await.unwrap();
    s.set_scoring_points(tender, Some(60), Some(100))
        .await
        .unwrap();
    s.set_technical_score(tender, b, 3_000, clerk, at_us(3, 1))
        .await
        .unwrap();
    s.set_technical_score(tender, a, 4_550, clerk, at_us(3, 2))
        .await
        .unwrap();
    // Replaced, not added.
    s.set_technical_score(tender, a, 4_600, clerk, at_us(3, 3))
        .await
        .unwrap();
    let scores = vec![
        TechnicalScore {
            tender_id: tender,
            bidder: a,
            bidder_name: "湘南技研".into(),
            points_hundredths: 4_600,
            entered_by: clerk,
            entered_at: at_us(3, 3),
        },
        TechnicalScore {
            tender_id: tender,
            bidder: b,
            bidder_name: "大磯測量".into(),
            points_hundredths: 3_000,
            entered_by: clerk,
            entered_at: at_us(3, 1),
        },
    ];
    assert!(a < b, "ordered by bidder id");
    assert_eq!(s.technical_scores(tender).await.unwrap(), scores);

    let locked_at = at_us(4, 777);
    s.lock_scores(tender, clerk, locked_at).await.unwrap();
    let scoring = Scoring {
        price_points: Some(60),
        base_points: Some(100),
        locked_at: Some(locked_at),
        locked_by: Some(clerk),
    };
    assert_eq!(s.scoring(tender).await.unwrap(), scoring);

    let locked = |r: Result<(), StorageError>| {
        let err = r.unwrap_err();
        assert!(is_conflict(&err, "scores_locked"), "{err:?}");
    };
    locked(s.set_scoring_points(tender, Some(1), None).await);
    locked(
        s.set_technical_score(tender, a, 1, clerk, at_us(5, 0))
            .await,
    );
    locked(
        s.set_technical_score(tender, b, 1, clerk, at_us(5, 0))
            .await,
    );
    locked(s.lock_scores(tender, clerk, at_us(5, 0)).await);
    assert_eq!(s.scoring(tender).await.unwrap(), scoring);
    assert_eq!(s.technical_scores(tender).await.unwrap(), scores);

    // Locking a tender that has no set-up yet creates it, locked.
    s.lock_scores(other, clerk, locked_at).await.unwrap();
    assert_eq!(
        s.scoring(other).await.unwrap(),
        Scoring {
            locked_at: Some(locked_at),
            locked_by: Some(clerk),
            ..Scoring::default()
        }
    );
    locked(s.lock_scores(other, clerk, at_us(5, 0)).await);
    locked(s.set_technical_score(other, a, 1, clerk, at_us(5, 0)).await);
    assert!(s.technical_scores(other).await.unwrap().is_empty());
}

// --- the tender's key --------------------------------------------------------------

async fn the_first_tender_key_is_kept(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = party(s, "clerk@city.example.jp", OrgKind::PublicBody, "茅ヶ崎市").await;
    let (tender, _) = tendering(s, city, clerk, "鍵の案件").await;
    let (racy, _) = tendering(s, city, clerk, "競合する鍵").await;

    assert_eq!(s.tender_key(tender).await.unwrap(), None);
    let created_at = at_us(2, 31_415);
    let first = s
        .tender_key_or_insert(tender, &[0, 1, 255, 254], "mk-2027", created_at)
        .await
        .unwrap();
    assert_eq!(first.tender_id, tender);
    assert_eq!(first.wrapped, [0, 1, 255, 254]);
    assert_eq!(first.master_key_id, "mk-2027");
    assert_eq!(first.created_at, created_at);
    // A second first bid gets the stored key, not its own candidate.
    let second = s
        .tender_key_or_insert(tender, &[9, 9, 9], "mk-other", at_us(3, 0))
        .await
        .unwrap();
    assert_eq!(second, first);
    assert_eq!(s.tender_key(tender).await.unwrap(), Some(first));

    // Racing first bids all get the one key stored.
    let storage: Arc<dyn Storage> = db.storage.clone();
    let tasks: Vec<_> = (0..6u8)
        .map(|i| {
            let storage = storage.clone();
            tokio::spawn(async move {
                storage
                    .tender_key_or_insert(
                        racy,
                        &[i; 32],
                        &format!("mk-{i}"),
                        at_us(2, i64::from(i)),
                    )
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut keys = Vec::new();
    for task in tasks {
        keys.push(task.await.unwrap());
    }
    let stored = s.tender_key(racy).await.unwrap().unwrap();
    assert!(keys.iter().all(|k| *k == stored), "{keys:?}");
}

// --- the awards list -------------------------------------------------------------------

/// A tender of `buyer` taken through one bid of `bidder`, the opening and
/// the award decided at `decided_at`.
#[allow(clippy::too_many_arguments)]
async fn awarded(
    s: &dyn Storage,
    buyer: OrgId,
    clerk: UserId,
    bidder: OrgId,
    by: UserId,
    title: &str,
    amount: i64,
    decided_at: DateTime<Utc>,
) -> TenderId {
    let (tender, content) = tendering(s, buyer, clerk, title).await;
    let bid_id = s
        .insert_bid(&new_bid(tender, 1, bidder, by, at_us(2, 0)), &[])
        .await
        .unwrap();
    let closes = content.schedule.submission_closes_at;
    transition(
        s,
        tender,
        TenderStatus::Tendering,
        Transition::Close,
        closes,
    )
    .await;
    let opened_at = content.schedule.opening_at;
    assert!(
        s.record_opening(
            &opening(tender, 1, opened_at),
            TenderStatus::Closed,
            &[step(Transition::Open, opened_at, None)],
            None,
            &[],
            &[],
        )
        .await
        .unwrap()
    );
    assert!(
        s.record_award(
            &NewAward {
                tender_id: tender,
                round: 1,
                bid_id,
                bidder,
                amount_tax_exclusive: Some(amount),
                amount_tax_inclusive: None,
                decided_by: clerk,
                decided_at,
            },
            TenderStatus::Opened,
            &step(Transition::Award, decided_at, Some(clerk)),
            &[],
            tender_audit("tender.award", Some(clerk)),
            &[],
        )
        .await
        .unwrap()
    );
    tender
}

async fn awards_page_newest_decision_first_and_by_tender_id(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = party(s, "clerk@city.example.jp", OrgKind::PublicBody, "小田原市").await;
    let (town, town_clerk) = party(s, "clerk@town.example.jp", OrgKind::PublicBody, "箱根町").await;
    let (a, a1) = party(s, "a@sup.example.jp", OrgKind::Supplier, "小田原建設").await;
    let (b, b1) = party(s, "b@sup.example.jp", OrgKind::Supplier, "箱根土木").await;

    let empty = s.awards(page(0, 10)).await.unwrap();
    assert_eq!((empty.items.len(), empty.total), (0, 0));
    assert!(s.awards_after(0, 10).await.unwrap().is_empty());

    let late = at_us(14, 2);
    let early = at_us(13, 1);
    let t1 = awarded(s, city, clerk, a, a1, "案件一", 100, late).await;
    let t2 = awarded(s, town, town_clerk, b, b1, "案件二", 200, early).await;
    // Decided at the same instant as t1: the higher tender id comes first.
    let t3 = awarded(s, city, clerk, b, b1, "案件三", 300, late).await;
    // Opened but not awarded: not listed.
    let (pending, content) = tendering(s, city, clerk, "未決定").await;
    let closes = content.schedule.submission_closes_at;
    transition(
        s,
        pending,
        TenderStatus::Tendering,
        Transition::Close,
        closes,
    )
    .await;

    let first = s.awards(page(0, 2)).await.unwrap();
    assert_eq!(first.total, 3);
    assert_eq!(
        first.items.iter().map(|w| w.tender_id).collect::<Vec<_>>(),
        [t3, t1]
    );
    let second = s.awards(page(2, 2)).await.unwrap();
    assert_eq!(second.total, 3);
    assert_eq!(
        second.items.iter().map(|w| w.tender_id).collect::<Vec<_>>(),
        [t2]
    );
    let row = &second.items[0];
    assert_eq!(
        (
            row.tender_title.as_str(),
            row.buyer,
            row.buyer_name.as_str(),
            row.bidder,
            row.bidder_name.as_str(),
            row.amount_tax_exclusive,
            row.amount_tax_inclusive,
            row.decided_at,
        ),
        (
            "案件二",
            town,
            "箱根町",
            b,
            "箱根土木",
            Some(200),
            None,
            early
        )
    );
    assert_eq!(s.awards(page(3, 2)).await.unwrap().items, []);

    let after = |after: TenderId, limit: u32| async move {
        s.awards_after(after, limit)
            .await
            .unwrap()
            .into_iter()
            .map(|w| w.tender_id)
            .collect::<Vec<_>>()
    };
    assert_eq!(after(0, 2).await, [t1, t2]);
    assert_eq!(after(t2, 10).await, [t3]);
    assert_eq!(after(t3, 10).await, Vec::<TenderId>::new());
    assert_eq!(s.awards_after(0, 10).await.unwrap()[1], *row);
}

// --- races -------------------------------------------------------------------------------

async fn racing_bids_of_one_bidder_store_one(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = party(s, "clerk@city.example.jp", OrgKind::PublicBody, "秦野市").await;
    let (sup, sup_admin) = party(s, "a@sup.example.jp", OrgKind::Supplier, "丹沢商事").await;
    let (tender, _) = tendering(s, city, clerk, "同時入札").await;

    let storage: Arc<dyn Storage> = db.storage.clone();
    let tasks: Vec<_> = (0..8i64)
        .map(|i| {
            let storage = storage.clone();
            tokio::spawn(async move {
                storage
                    .insert_bid(
                        &new_bid(tender, 1, sup, sup_admin, at_us(2, i)),
                        &[job("mail.send", json!({ "try": i }))],
                    )
                    .await
            })
        })
        .collect();
    let mut won = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(id) => won.push(id),
            Err(err) => assert!(is_conflict(&err, "bid_exists"), "{err:?}"),
        }
    }
    assert_eq!(won.len(), 1, "exactly one bid is stored");
    assert_eq!(ids(&s.round_bids(tender, 1).await.unwrap()), won);
    assert_eq!(queued_jobs(s).await, 1, "only the stored bid's job");
}
