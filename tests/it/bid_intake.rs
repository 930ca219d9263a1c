//! Sealed-bid intake under stress, on both databases: many bidders racing
//! the deadline while the scheduler closes and opens the tender; a bid
//! received before the deadline but committed after the close; a bid
//! committing while the opening reads the round (PostgreSQL, where a lock
//! can hold the opening at that point); and a `musubi serve` killed with
//! SIGKILL in the middle of intake. In every case: each receipt handed to a
//! bidder is a stored bid that opens with its commitment verified, each
//! refusal is `not_accepting_bids` with its Japanese message, and no bid is
//! stored without its bidder being able to find out.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use musubi_app::sealing::{BidderReceipt, CanonicalBid, Receipt};
use musubi_app::tenders::{BidInput, SubmittedBid};
use musubi_app::{AppConfig, Clock, ManualClock, RequestCtx, ServiceError, Services};
use musubi_domain::tender::TenderStatus as S;
use musubi_domain::{OrgKind, Principal};
use musubi_storage::{Storage, TenderId};
use serde_json::{Value, json};

use crate::portal::{Client, Reply, Server};
use crate::support::{
    ChildGuard, TestDb, both_backends, eligible_supplier, org_member, published, serve_in_process,
    session_client, tender_content,
};

both_backends!(
    bidders_racing_the_deadline_lose_no_bid,
    a_bid_received_before_the_deadline_counts_whenever_it_commits,
    a_killed_server_keeps_every_receipted_bid,
);

/// 2026-12-01 09:00 JST.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
}

fn config(db: &TestDb) -> AppConfig {
    AppConfig {
        base_url: "http://musubi.test".into(),
        data_dir: db.data_path().to_path_buf(),
        ..AppConfig::default()
    }
}

/// A bid as its bidder sent it, and the bidder's copy of the receipt.
#[derive(Debug, Clone)]
struct Sent {
    org: i64,
    amount: i64,
    lottery: String,
    receipt: BidderReceipt,
}

impl Sent {
    fn canonical(&self, tender: TenderId) -> CanonicalBid {
        CanonicalBid {
            tender_id: tender,
            round: 1,
            bidder_org_id: self.org,
            amount_yen: Some(self.amount),
            lottery_number: Some(self.lottery.clone()),
            proposal_sha256: None,
            attachments_sha256: Vec::new(),
        }
    }

    /// The receipt's signature and its commitment to this bid with the
    /// bidder's salt.
    fn verify(&self, tender: TenderId, public_key: &[u8]) {
        self.receipt
            .receipt
            .verify_opening(
                public_key,
                &self.canonical(tender),
                &self.receipt.salt().unwrap(),
            )
            .unwrap_or_else(|e| panic!("{self:?}: the receipt does not verify: {e}"));
    }
}

fn decode_key(b64: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

fn bid(amount: i64, lottery: &str) -> BidInput {
    BidInput {
        amount: amount.to_string(),
        lottery_number: lottery.into(),
        proposal: String::new(),
    }
}

/// Submits through `svc` and keeps what was sent beside its receipt.
async fn submit(
    svc: &Services,
    who: &Principal,
    tender: TenderId,
    amount: i64,
    lottery: &str,
    sent: &mut BTreeMap<i64, Sent>,
) -> SubmittedBid {
    let r = svc
        .submit_bid(who, tender, &bid(amount, lottery), &RequestCtx::default())
        .await
        .unwrap();
    sent.insert(
        r.bid_id,
        Sent {
            org: who.org_id().unwrap(),
            amount,
            lottery: lottery.into(),
            receipt: r.receipt.clone(),
        },
    );
    r
}

fn received_at(r: &Receipt) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&r.received_at)
        .unwrap()
        .with_timezone(&Utc)
}

/// The refusal of a bid after the deadline: its code and Japanese message.
fn assert_not_accepting(r: &Reply, who: &str) {
    assert_eq!(
        (r.status.as_u16(), r.body["error"]["code"].as_str()),
        (409, Some("not_accepting_bids")),
        "{who}: {}",
        r.text
    );
    let message = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("受け付けていません"),
        "{who}: not the Japanese message: {message}"
    );
}

/// The only opening lists exactly the bids in `sent` (by id) as standing,
/// each with its receipt's commitment, verified, its amount and くじ番号 as
/// sent and the bidder's salt; withdrawn bids are listed without an amount;
/// the round holds nothing else; every receipt checks out. Returns the
/// record.
async fn assert_opened_exactly(
    storage: &dyn Storage,
    tender: TenderId,
    public_key: &[u8],
    sent: &BTreeMap<i64, Sent>,
) -> Value {
    let openings = storage.openings(tender).await.unwrap();
    assert_eq!(openings.len(), 1, "one opening");
    let record = openings[0].record.clone();
    let mut standing = BTreeMap::new();
    let mut listed = BTreeSet::new();
    for b in record["bids"].as_array().unwrap() {
        let id = b["bid_id"].as_i64().unwrap();
        listed.insert(id);
        if b["state"] == "withdrawn" {
            assert!(b.get("amount").is_none(), "{b}");
        } else {
            standing.insert(id, b);
        }
    }
    assert_eq!(
        standing.keys().copied().collect::<BTreeSet<_>>(),
        sent.keys().copied().collect::<BTreeSet<_>>(),
        "the opening holds exactly the bids whose receipts were issued: {record}"
    );
    let stored: BTreeSet<i64> = storage
        .round_bids(tender, 1)
        .await
        .unwrap()
        .iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(stored, listed, "every stored bid is in the opening");
    for (id, s) in sent {
        let b = standing[id];
        assert_eq!(
            b["commitment"],
            s.receipt.receipt.commitment.as_str(),
            "{b}"
        );
        assert_eq!(b["commitment_verified"], true, "{b}");
        assert_eq!(b["amount"], s.amount, "{b}");
        assert_eq!(b["lottery_number"], s.lottery.as_str(), "{b}");
        assert_eq!(b["salt"], s.receipt.salt.as_str(), "{b}");
        assert_eq!(b["bidder_org_id"], s.org, "{b}");
        s.verify(tender, public_key);
    }
    record
}

/// Many suppliers submit over HTTP while the clock crosses the deadline and
/// the scheduler (two of them at once) closes and then opens the tender; a
/// second wave submits after the deadline.
async fn bidders_racing_the_deadline_lose_no_bid(db: TestDb) {
    const FIRST_WAVE: usize = 40;
    const LATE_WAVE: usize = 6;
    let clock = ManualClock::new(t0());
    let (base, svc) = serve_in_process(&db, &clock).await;
    let storage = &*db.storage;
    let buyer = org_member(
        storage,
        "keiyaku@race.example.jp",
        OrgKind::PublicBody,
        "架空市役所",
        t0(),
    )
    .await;
    let content = tender_content("事務用品の購入（締切の競争）", t0());
    let closes = content.schedule.submission_closes_at;
    let opening = content.schedule.opening_at;
    let id = published(
        storage,
        buyer.org_id().unwrap(),
        buyer.user_id,
        &content,
        t0(),
    )
    .await;
    let mut clients = Vec::new();
    for i in 0..FIRST_WAVE + LATE_WAVE {
        let p = eligible_supplier(
            &svc,
            &format!("bidder{i}@race.example.jp"),
            &format!("競争商事{i}株式会社"),
            t0(),
        )
        .await;
        let c = session_client(storage, &base, &p, t0()).await;
        clients.push((p, c));
    }
    clock.set(closes - TimeDelta::days(1));
    svc.advance_due_tenders(clock.now()).await.unwrap();
    assert_eq!(
        storage.tender(id).await.unwrap().unwrap().status,
        S::Tendering
    );
    let (public_key, _) = svc.receipt_public_key().unwrap();
    let public_key = decode_key(&public_key);

    // Just before the deadline: the first wave goes.
    clock.set(closes - TimeDelta::microseconds(20));
    let accepted_so_far = Arc::new(AtomicUsize::new(0));
    let late_clients = clients.split_off(FIRST_WAVE);
    let submit = |(i, (p, mut c)): (usize, (Principal, Client))| {
        let clock = clock.clone();
        let accepted = Arc::clone(&accepted_so_far);
        tokio::spawn(async move {
            let amount = 1_000_000 + 1_000 * i as i64 + 7;
            let lottery = format!("{:03}", (i * 37) % 1000);
            let sent_at = clock.now();
            let r = c
                .post(
                    &format!("/api/v1/tenders/{id}/bids"),
                    json!({"amount": amount, "lottery_number": lottery}),
                )
                .await;
            let answered_at = clock.now();
            if r.status == 201 {
                accepted.fetch_add(1, Ordering::SeqCst);
            }
            (
                p.org_id().unwrap(),
                amount,
                lottery,
                sent_at,
                answered_at,
                r,
            )
        })
    };
    let mut tasks: Vec<_> = clients.into_iter().enumerate().map(&submit).collect();
    // Cross the deadline while part of the wave is still in flight.
    let started = Instant::now();
    while accepted_so_far.load(Ordering::SeqCst) < FIRST_WAVE / 8 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no bids accepted"
        );
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    clock.set(closes);
    svc.advance_due_tenders(closes).await.unwrap();
    // The late wave is received at or after the deadline.
    tasks.extend(
        late_clients
            .into_iter()
            .enumerate()
            .map(|(i, c)| (FIRST_WAVE + i, c))
            .map(&submit),
    );
    // 開札 while bids may still be committing, by two schedulers at once.
    clock.set(opening);
    let passes: Vec<_> = (0..2)
        .map(|_| {
            let svc = svc.clone();
            tokio::spawn(async move { svc.advance_due_tenders(opening).await })
        })
        .collect();
    let mut sent = BTreeMap::new();
    let (mut refused, mut straddling) = (0, 0);
    for t in tasks {
        let (org, amount, lottery, sent_at, answered_at, r) = t.await.unwrap();
        let who = format!("org {org} sent at {sent_at}, answered at {answered_at}");
        if r.status == 201 {
            let receipt: BidderReceipt = serde_json::from_value(r.body["receipt"].clone()).unwrap();
            let at = received_at(&receipt.receipt);
            assert!(
                sent_at <= at && at <= answered_at,
                "{who}: receipt time {at} outside the request"
            );
            assert!(at < closes, "{who}: accepted at {at}, after the deadline");
            if answered_at >= closes {
                straddling += 1;
            }
            receipt.receipt.verify(&public_key).unwrap();
            let bid_id = r.body["bid_id"].as_i64().unwrap();
            sent.insert(
                bid_id,
                Sent {
                    org,
                    amount,
                    lottery,
                    receipt,
                },
            );
        } else {
            assert_not_accepting(&r, &who);
            // Received wholly before the deadline, it had to be taken.
            assert!(answered_at >= closes, "{who}: refused before the deadline");
            refused += 1;
        }
    }
    for p in passes {
        p.await.unwrap().unwrap();
    }
    // A pass that found the round changed under it leaves the opening to
    // the next one.
    svc.advance_due_tenders(opening).await.unwrap();
    assert!(
        !sent.is_empty() && refused >= LATE_WAVE,
        "{sent:?} {refused}"
    );
    eprintln!(
        "deadline race: {} accepted ({straddling} answered after the deadline), {refused} refused",
        sent.len()
    );
    let status = storage.tender(id).await.unwrap().unwrap().status;
    assert!(matches!(status, S::Opened | S::Unsuccessful), "{status:?}");
    let record = assert_opened_exactly(storage, id, &public_key, &sent).await;
    // The public results say the same.
    let mut anon = Client::new(&base);
    let r = anon.get(&format!("/api/v1/tenders/{id}/results")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let public: Vec<(&Value, &Value, &Value)> = r.body["openings"][0]["bids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (&b["bid_id"], &b["amount"], &b["commitment"]))
        .collect();
    let recorded: Vec<(&Value, &Value, &Value)> = record["bids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (&b["bid_id"], &b["amount"], &b["commitment"]))
        .collect();
    assert_eq!(public, recorded);
}

/// Two services on one database: the scheduler's, on the clock, and a
/// request's, whose "now" was read when it was received — so the close (or
/// the opening) falls between a bid's receipt and its commit.
async fn a_bid_received_before_the_deadline_counts_whenever_it_commits(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = Services::new(
        Arc::clone(&db.storage),
        Arc::new(clock.clone()),
        config(&db),
    );
    let storage = &*db.storage;
    let ctx = RequestCtx::default();
    let buyer = org_member(
        storage,
        "keiyaku@late.example.jp",
        OrgKind::PublicBody,
        "架空町役場",
        t0(),
    )
    .await;
    let content = tender_content("事務用品の購入（締切直前の受付）", t0());
    let closes = content.schedule.submission_closes_at;
    let opening = content.schedule.opening_at;
    let id = published(
        storage,
        buyer.org_id().unwrap(),
        buyer.user_id,
        &content,
        t0(),
    )
    .await;
    let mut bidders = Vec::new();
    for i in 0..4 {
        bidders.push(
            eligible_supplier(
                &svc,
                &format!("s{i}@late.example.jp"),
                &format!("締切商事{i}株式会社"),
                t0(),
            )
            .await,
        );
    }
    let (public_key, _) = svc.receipt_public_key().unwrap();
    let public_key = decode_key(&public_key);
    let keys = svc.bid_keys().unwrap();
    // A request received at `at`, however late it is processed.
    let received = |at: DateTime<Utc>| {
        Services::new(
            Arc::clone(&db.storage),
            Arc::new(ManualClock::new(at)),
            config(&db),
        )
        .with_bid_keys(Arc::clone(&keys))
    };
    let mut sent = BTreeMap::new();
    clock.set(closes - TimeDelta::days(2));
    submit(&svc, &bidders[0], id, 1_100_000, "101", &mut sent).await;
    submit(&svc, &bidders[1], id, 1_050_000, "202", &mut sent).await;

    // Received a microsecond before the deadline; the scheduler closes the
    // tender before the request gets to its commit.
    let just_before = received(closes - TimeDelta::microseconds(1));
    clock.set(closes);
    let report = svc.advance_due_tenders(closes).await.unwrap();
    assert_eq!(report.steps, 1, "{report:?}");
    assert_eq!(storage.tender(id).await.unwrap().unwrap().status, S::Closed);
    let late = submit(&just_before, &bidders[2], id, 1_000_000, "303", &mut sent).await;
    assert_eq!(
        received_at(&late.receipt.receipt),
        closes - TimeDelta::microseconds(1)
    );
    // A 辞退 received before the deadline counts the same way.
    let withdrawn = just_before
        .withdraw_bid(&bidders[1], id, None, "配送体制が整わないため", &ctx)
        .await
        .unwrap();
    sent.remove(&withdrawn);
    assert_eq!(storage.tender(id).await.unwrap().unwrap().status, S::Closed);

    // Received at the deadline instant: refused, with the Japanese message.
    match received(closes)
        .submit_bid(&bidders[3], id, &bid(990_000, "404"), &ctx)
        .await
    {
        Err(ServiceError::Refused {
            code, message_ja, ..
        }) => {
            assert_eq!(code, "not_accepting_bids");
            assert!(message_ja.contains("受け付けていません"), "{message_ja}");
        }
        other => panic!("a bid at the deadline: {other:?}"),
    }

    // 開札; then a request received before the deadline but processed only
    // after the opening is refused — never stored behind the opening's back.
    clock.set(opening);
    svc.advance_due_tenders(opening).await.unwrap();
    let openings = storage.openings(id).await.unwrap();
    match just_before
        .submit_bid(&bidders[3], id, &bid(990_000, "404"), &ctx)
        .await
    {
        Err(ServiceError::Refused { code, .. }) => assert_eq!(code, "not_accepting_bids"),
        other => panic!("a bid after the opening: {other:?}"),
    }
    assert!(
        storage
            .bids_of(id, bidders[3].org_id().unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(storage.openings(id).await.unwrap(), openings);

    let record = assert_opened_exactly(storage, id, &public_key, &sent).await;
    // The late bid is the lowest: it wins.
    assert_eq!(record["winner"]["bid_id"], late.bid_id, "{record}");
}

/// PostgreSQL only: a lock on `tender_scoring` (which the opening reads
/// after the round's bids, and a submission never reads) holds the
/// scheduler between reading the bids and recording the opening, while a
/// bid received before the deadline commits. The opening must not go out
/// without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bid_committing_while_the_opening_reads_is_not_left_out() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let clock = ManualClock::new(t0());
    let svc = Services::new(
        Arc::clone(&db.storage),
        Arc::new(clock.clone()),
        config(&db),
    );
    let storage = &*db.storage;
    let buyer = org_member(
        storage,
        "keiyaku@lock.example.jp",
        OrgKind::PublicBody,
        "架空村役場",
        t0(),
    )
    .await;
    let mut content = tender_content("事務用品の購入（開札中の受付）", t0());
    // The opening at the deadline instant: one pass closes and opens.
    content.schedule.opening_at = content.schedule.submission_closes_at;
    let closes = content.schedule.submission_closes_at;
    let id = published(
        storage,
        buyer.org_id().unwrap(),
        buyer.user_id,
        &content,
        t0(),
    )
    .await;
    let a = eligible_supplier(&svc, "a@lock.example.jp", "先行商事株式会社", t0()).await;
    let b = eligible_supplier(&svc, "b@lock.example.jp", "滑込商事株式会社", t0()).await;
    let (public_key, _) = svc.receipt_public_key().unwrap();
    let public_key = decode_key(&public_key);
    let mut sent = BTreeMap::new();
    clock.set(closes - TimeDelta::days(1));
    submit(&svc, &a, id, 1_100_000, "111", &mut sent).await;
    // B's request is received a millisecond before the deadline.
    let b_request = Services::new(
        Arc::clone(&db.storage),
        Arc::new(ManualClock::new(closes - TimeDelta::milliseconds(1))),
        config(&db),
    )
    .with_bid_keys(svc.bid_keys().unwrap());

    let side = sqlx::PgPool::connect(&db.url).await.unwrap();
    let mut lock = side.begin().await.unwrap();
    sqlx::query("LOCK TABLE tender_scoring IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *lock)
        .await
        .unwrap();
    clock.set(closes);
    let scheduler = {
        let svc = svc.clone();
        tokio::spawn(async move { svc.advance_due_tenders(closes).await })
    };
    // Wait until the opening has read the bids and waits for the lock.
    let started = Instant::now();
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'tender_scoring'::regclass",
        )
        .fetch_one(&side)
        .await
        .unwrap();
        if waiting > 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the opening never waited"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let late = b_request
        .submit_bid(&b, id, &bid(1_000_000, "222"), &RequestCtx::default())
        .await;
    lock.commit().await.unwrap();
    scheduler.await.unwrap().unwrap();
    // Whatever the first pass did, the next one finishes the opening.
    svc.advance_due_tenders(closes).await.unwrap();
    match late {
        Ok(r) => {
            sent.insert(
                r.bid_id,
                Sent {
                    org: b.org_id().unwrap(),
                    amount: 1_000_000,
                    lottery: "222".into(),
                    receipt: r.receipt,
                },
            );
        }
        // Refused is fine too, as long as nothing was stored.
        Err(ServiceError::Refused { code, .. }) => assert_eq!(code, "not_accepting_bids"),
        Err(e) => panic!("{e:?}"),
    }
    assert_opened_exactly(storage, id, &public_key, &sent).await;
}

// --- SIGKILL during intake ----------------------------------------------------------

const CRASH_BIDDERS: usize = 40;

/// One POST as the client `c` would send it, without its panics: the
/// server may die under the request.
async fn try_submit(c: &Client, path: &str, body: &Value) -> Result<(u16, Value), reqwest::Error> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let cookies: Vec<String> = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let res = http
        .post(format!("{}{path}", c.base))
        .header("cookie", cookies.join("; "))
        .header("x-csrf-token", c.cookies["musubi_csrf"].as_str())
        .json(body)
        .send()
        .await?;
    let status = res.status().as_u16();
    let text = res.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// A bidder's request and what came of it.
#[derive(Debug)]
enum Outcome {
    Receipt(Box<BidderReceipt>, i64),
    /// No answer: the server died under the request.
    NoAnswer,
}

/// SIGKILL, then reaped (the guard's own kill and wait are then no-ops).
fn kill(mut server: ChildGuard) {
    server.0.kill().expect("SIGKILL the server");
    server.0.wait().unwrap();
}

async fn a_killed_server_keeps_every_receipted_bid(db: TestDb) {
    // The real server runs on the wall clock: a tender taking bids now, its
    // opening ten days away — made at the end by the scheduler's code on a
    // manual clock, on the same database and keys, as a second process
    // (`musubi worker`) would.
    let now = Utc::now();
    let storage = &*db.storage;
    let clock = ManualClock::new(now);
    let svc = Services::new(
        Arc::clone(&db.storage),
        Arc::new(clock.clone()),
        config(&db),
    );
    let buyer = org_member(
        storage,
        "keiyaku@crash.example.jp",
        OrgKind::PublicBody,
        "架空県庁",
        now,
    )
    .await;
    let publish_at = now - TimeDelta::days(2);
    let content = tender_content("事務用品の購入（障害試験）", publish_at);
    let opening = content.schedule.opening_at;
    let id = published(
        storage,
        buyer.org_id().unwrap(),
        buyer.user_id,
        &content,
        publish_at,
    )
    .await;
    let mut bidders = Vec::new();
    for i in 0..CRASH_BIDDERS {
        let p = eligible_supplier(
            &svc,
            &format!("c{i}@crash.example.jp"),
            &format!("障害商事{i}株式会社"),
            now,
        )
        .await;
        bidders.push(p);
    }

    let server = crate::portal::start(&db);
    let mut clients = Vec::new();
    for p in &bidders {
        clients.push(session_client(storage, &server.base, p, now).await);
    }
    let mut anon = Client::new(&server.base);
    let key_before = anon.get("/api/v1/receipt-key").await.body;
    let path = format!("/api/v1/tenders/{id}/bids");
    let body = |i: usize| {
        json!({
            "amount": 1_000_000 + 1_111 * i as i64,
            "lottery_number": format!("{:03}", (i * 83) % 1000),
        })
    };

    // A steady stream, twenty requests in flight at any time; the server
    // dies once ten receipts are out, with requests in flight and more to
    // come.
    let answered = Arc::new(AtomicUsize::new(0));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let window = Arc::new(tokio::sync::Semaphore::new(20));
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let (path, body) = (path.clone(), body(i));
            let (answered, in_flight, window) = (
                Arc::clone(&answered),
                Arc::clone(&in_flight),
                Arc::clone(&window),
            );
            tokio::spawn(async move {
                let _permit = window.acquire().await.unwrap();
                in_flight.fetch_add(1, Ordering::SeqCst);
                let r = try_submit(&c, &path, &body).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                match r {
                    Ok((201, v)) => {
                        answered.fetch_add(1, Ordering::SeqCst);
                        let receipt: BidderReceipt =
                            serde_json::from_value(v["receipt"].clone()).unwrap();
                        Outcome::Receipt(Box::new(receipt), v["bid_id"].as_i64().unwrap())
                    }
                    Ok((status, v)) => panic!("bidder {i}: {status} {v}"),
                    Err(_) => Outcome::NoAnswer,
                }
            })
        })
        .collect();
    let started = Instant::now();
    while answered.load(Ordering::SeqCst) < 10 {
        assert!(started.elapsed() < Duration::from_secs(60), "no receipts");
        tokio::time::sleep(Duration::from_micros(500)).await;
    }
    let in_flight_at_kill = in_flight.load(Ordering::SeqCst);
    let Server { guard, log, .. } = server;
    kill(guard);
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    let receipted_at_kill = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Receipt(..)))
        .count();
    let unanswered = outcomes.len() - receipted_at_kill;
    eprintln!(
        "SIGKILL: {receipted_at_kill} receipts out, {in_flight_at_kill} requests in flight, {unanswered} unanswered ({} bids stored)",
        storage.round_bids(id, 1).await.unwrap().len()
    );
    assert!(unanswered > 0, "the kill came after the intake; {log:?}");

    // Restarted on the same database and data directory (the same keys).
    let server = crate::portal::start(&db);
    let mut anon = Client::new(&server.base);
    assert_eq!(
        anon.get("/api/v1/receipt-key").await.body,
        key_before,
        "the signing key survives"
    );
    let public_key = decode_key(key_before["public_key"].as_str().unwrap());
    // bid id → what the bidder sent (None: its receipt died with the server).
    let mut sent: BTreeMap<i64, Option<Sent>> = BTreeMap::new();
    let (mut resent, mut found) = (0, 0);
    for (i, outcome) in outcomes.into_iter().enumerate() {
        let org = bidders[i].org_id().unwrap();
        let b = body(i);
        let amount = b["amount"].as_i64().unwrap();
        let lottery = b["lottery_number"].as_str().unwrap().to_owned();
        let (receipt, bid_id) = match outcome {
            Outcome::Receipt(r, id) => (*r, id),
            Outcome::NoAnswer => {
                // The bidder tries again: a bid the dead server stored
                // answers `bid_exists`, and the bidder's page shows it.
                let mut c = session_client(storage, &server.base, &bidders[i], now).await;
                let r = c.post(&path, b.clone()).await;
                if r.status == 409 {
                    assert_eq!(r.body["error"]["code"], "bid_exists", "{}", r.text);
                    let page = c.get(&format!("/tenders/{id}")).await;
                    assert!(page.text.contains("入札済み"), "bidder {i}");
                    let own = storage.bids_of(id, org).await.unwrap();
                    assert_eq!(own.len(), 1, "bidder {i}");
                    let stored: Receipt = serde_json::from_value(own[0].receipt.clone()).unwrap();
                    stored.verify(&public_key).unwrap();
                    found += 1;
                    // The salt went down with the server; the opening
                    // checks the commitment with the sealed copy.
                    sent.insert(own[0].id, None);
                    continue;
                }
                assert_eq!(r.status, 201, "bidder {i}: {}", r.text);
                resent += 1;
                (
                    serde_json::from_value(r.body["receipt"].clone()).unwrap(),
                    r.body["bid_id"].as_i64().unwrap(),
                )
            }
        };
        // Present, and the stored receipt is the one the bidder holds.
        let stored = storage
            .bid(bid_id)
            .await
            .unwrap()
            .expect("a receipted bid is stored");
        assert_eq!((stored.tender_id, stored.bidder), (id, org));
        let stored_receipt: Receipt = serde_json::from_value(stored.receipt).unwrap();
        assert_eq!(stored_receipt, receipt.receipt, "bidder {i}");
        let s = Sent {
            org,
            amount,
            lottery,
            receipt,
        };
        s.verify(id, &public_key);
        sent.insert(bid_id, Some(s));
    }
    eprintln!("after restart: {resent} bids sent again, {found} found stored without a receipt");
    assert_eq!(sent.len(), CRASH_BIDDERS);

    // 開札 on a manual clock at the opening time; the restarted server
    // publishes the results.
    clock.set(opening);
    let report = svc.advance_due_tenders(opening).await.unwrap();
    assert_eq!(report.failed, 0, "{report:?}");
    let r = anon.get(&format!("/api/v1/tenders/{id}/results")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let listed: BTreeMap<i64, Value> = r.body["openings"][0]["bids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["bid_id"].as_i64().unwrap(), b.clone()))
        .collect();
    assert_eq!(
        listed.keys().collect::<Vec<_>>(),
        sent.keys().collect::<Vec<_>>()
    );
    for (bid_id, s) in &sent {
        let b = &listed[bid_id];
        assert_eq!(b["commitment_verified"], true, "{b}");
        if let Some(s) = s {
            assert_eq!(b["amount"], s.amount, "{b}");
            assert_eq!(b["salt"], s.receipt.salt.as_str(), "{b}");
            assert_eq!(
                b["commitment"],
                s.receipt.receipt.commitment.as_str(),
                "{b}"
            );
        }
    }
    drop(server);
}
