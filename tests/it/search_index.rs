//! The search index fed from the outbox, on both databases: changes queue
//! `search.*` jobs in their own transaction, the worker of the process that
//! holds the index runs them against the current rows, and `reindex`
//! rebuilds the same index from the database alone.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use musubi_app::companies::ProfileInput;
use musubi_app::jobs::{DrainReport, Registry, Worker, WorkerConfig};
use musubi_app::search::{self, CompanySearch, ReindexScope, SearchIndex, Sort, TenderSearch};
use musubi_app::tenders::TenderInput;
use musubi_app::{AppConfig, Clock, ManualClock, RequestCtx, ServiceError, Services};
use musubi_domain::{OrgKind, Principal};
use musubi_storage::{JobStatus, NewJob, Storage, TenderId};
use serde_json::json;

use crate::support::{TestDb, both_backends, org_member};

both_backends!(
    a_published_tender_is_found_once_its_job_ran,
    a_draft_is_never_indexed,
    an_amendment_changes_what_is_found,
    a_cancelled_tender_shows_status_cancelled,
    scheduler_steps_update_the_status,
    a_saved_company_profile_is_found,
    renaming_a_buyer_renames_its_tenders,
    a_replayed_job_is_harmless,
    reindex_rebuilds_the_same_results_from_scratch,
    workers_without_the_index_leave_its_jobs_alone,
    query_errors_and_a_missing_index_are_refusals,
);

/// 2026-12-01 09:00 JST.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
}

fn worker_config() -> WorkerConfig {
    WorkerConfig {
        worker_id: "search-test-worker".into(),
        concurrency: 4,
        lease: Duration::from_secs(60),
        poll_interval: Duration::from_millis(20),
        base_backoff: Duration::from_secs(10),
        max_backoff: Duration::from_secs(3600),
    }
}

/// The process that holds the index: services with it, and a worker that
/// runs the search jobs.
struct Node {
    services: Services,
    worker: Worker,
}

fn index_dir(db: &TestDb) -> PathBuf {
    db.data_path().join("search")
}

fn node(db: &TestDb, clock: &ManualClock, dir: &Path) -> Node {
    let index = Arc::new(SearchIndex::open(dir).expect("open the index"));
    let services = Services::new(
        Arc::clone(&db.storage),
        Arc::new(clock.clone()),
        AppConfig {
            base_url: "http://musubi.test".into(),
            data_dir: db.data_path().to_path_buf(),
            ..AppConfig::default()
        },
    )
    .with_search(index);
    // What `serve` runs: search, alert and mail jobs (into the dev mailbox).
    let mut registry = Registry::standard();
    search::register(&mut registry, &services);
    musubi_app::alerts::register(&mut registry, &services);
    musubi_app::mail::register(
        &mut registry,
        musubi_app::mail::Mailer::from_config(&musubi_app::mail::MailConfig::new(db.data_path()))
            .unwrap(),
    );
    let worker = Worker::new(
        Arc::clone(&db.storage),
        Arc::new(clock.clone()),
        registry,
        worker_config(),
    );
    Node { services, worker }
}

impl Node {
    async fn drain(&self) -> DrainReport {
        let r = self.worker.run_until_idle().await.unwrap();
        assert_eq!((r.failed, r.retried), (0, 0), "{r:?}");
        r
    }
}

/// The admin of a new organisation of `kind` (buyers approved).
async fn member(storage: &dyn Storage, email: &str, kind: OrgKind, name: &str) -> Principal {
    org_member(storage, email, kind, name, t0()).await
}

async fn buyer(db: &TestDb, email: &str, name: &str) -> Principal {
    member(&*db.storage, email, OrgKind::PublicBody, name).await
}

fn local(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

/// An 一般競争 tender: submissions from day 2 to day 12, opening an hour
/// later; the 予定価格 sealed until then, a 最低制限価格 set.
fn input(title: &str) -> TenderInput {
    TenderInput {
        kind: "sealed_bid".into(),
        title: title.into(),
        summary: format!("{title}。仕様は別紙のとおり。"),
        category: "services".into(),
        jsic: vec!["9221".into()],
        place: "131016".into(),
        method: "open".into(),
        eligible_grades: vec!["B".into(), "C".into()],
        questions_until: local(t0() + TimeDelta::days(8)),
        submission_opens_at: local(t0() + TimeDelta::days(2)),
        submission_closes_at: local(t0() + TimeDelta::days(12)),
        opening_at: local(t0() + TimeDelta::days(12) + TimeDelta::hours(1)),
        reserve_price: "1,200,000".into(),
        reserve_price_publication: "at_opening".into(),
        minimum_price: "900,000".into(),
        award_method: "lowest_price".into(),
        contact_department: "総務部契約課".into(),
        ..TenderInput::default()
    }
}

async fn draft(svc: &Services, buyer: &Principal, title: &str) -> TenderId {
    svc.create_tender(buyer, &input(title), &RequestCtx::default())
        .await
        .unwrap()
}

async fn published(svc: &Services, buyer: &Principal, title: &str) -> TenderId {
    let id = draft(svc, buyer, title).await;
    svc.publish_tender(buyer, id, &RequestCtx::default())
        .await
        .unwrap();
    id
}

fn query(q: &str) -> TenderSearch {
    TenderSearch {
        q: q.into(),
        limit: 50,
        ..TenderSearch::default()
    }
}

/// Ids of the tenders `search` finds, sorted.
async fn found(svc: &Services, search: TenderSearch) -> Vec<TenderId> {
    let page = svc.search_tenders(&search).await.unwrap();
    let mut ids: Vec<_> = page.hits.iter().map(|h| h.id).collect();
    assert_eq!(page.total, ids.len() as u64, "one page holds every hit");
    ids.sort_unstable();
    ids
}

async fn find(svc: &Services, q: &str) -> Vec<TenderId> {
    found(svc, query(q)).await
}

fn with_status(status: &str) -> TenderSearch {
    TenderSearch {
        statuses: vec![status.into()],
        ..query("")
    }
}

async fn queued(storage: &dyn Storage) -> i64 {
    storage.job_counts().await.unwrap().queued
}

// --- tenders ------------------------------------------------------------------------

async fn a_published_tender_is_found_once_its_job_ran(db: TestDb) {
    let clock = ManualClock::new(t0());
    let n = node(&db, &clock, &index_dir(&db));
    let city = buyer(&db, "buyer@example.jp", "千代田区").await;
    let id = published(&n.services, &city, "本庁舎清掃業務委託").await;
    assert_eq!(
        queued(&*db.storage).await,
        2,
        "one index job and the saved searches' check, queued with the publication"
    );
    assert!(
        find(&n.services, "清掃").await.is_empty(),
        "not searchable before its job ran"
    );

    n.drain().await;
    assert_eq!(find(&n.services, "清掃").await, [id]);
    assert_eq!(
        find(&n.services, "千代田").await,
        [id],
        "the buyer's name is searchable"
    );
    assert!(find(&n.services, "除雪").await.is_empty());
    // The filters see the document's codes: the place, its region, the
    // JSIC code's ancestors, the eligible grades.
    for search in [
        TenderSearch {
            prefectures: vec!["13".into()],
            ..query("")
        },
        TenderSearch {
            regions: vec!["kanto".into()],
            ..query("")
        },
        TenderSearch {
            jsic: Some("R".into()),
            ..query("")
        },
        TenderSearch {
            jsic: Some("92".into()),
            ..query("")
        },
        TenderSearch {
            grade: Some("C".into()),
            ..query("")
        },
        with_status("published"),
    ] {
        assert_eq!(found(&n.services, search.clone()).await, [id], "{search:?}");
    }
    for search in [
        TenderSearch {
            prefectures: vec!["27".into()],
            ..query("")
        },
        TenderSearch {
            grade: Some("A".into()),
            ..query("")
        },
        // The 予定価格 is sealed until opening: no price filter finds it.
        TenderSearch {
            price_min: Some(0),
            ..query("")
        },
    ] {
        assert!(
            found(&n.services, search.clone()).await.is_empty(),
            "{search:?}"
        );
    }

    // The document holds public data only.
    let tender = db.storage.tender(id).await.unwrap().unwrap();
    let doc = search::tender_doc(&tender).unwrap();
    assert_eq!(doc.reserve_price, None, "sealed until 開札");
    assert_eq!(
        (doc.prefecture.as_deref(), doc.region.as_deref()),
        (Some("13"), Some("kanto"))
    );
    assert_eq!(doc.jsic, ["R", "92", "922", "9221"]);
    assert_eq!(doc.grades, ["B", "C"]);
    assert_eq!(doc.status, "published");
    assert!(!doc.amended);
    let mut opened = tender.clone();
    opened.status = musubi_domain::tender::TenderStatus::Opened;
    assert_eq!(
        search::tender_doc(&opened).unwrap().reserve_price,
        Some(1_200_000),
        "public after 開札 (the 最低制限価格 is in no document)"
    );
    let mut in_advance = tender.clone();
    in_advance.content.reserve_price_publication =
        musubi_domain::tender::ReservePricePublication::InAdvance;
    assert_eq!(
        search::tender_doc(&in_advance).unwrap().reserve_price,
        Some(1_200_000)
    );
}

async fn a_draft_is_never_indexed(db: TestDb) {
    let clock = ManualClock::new(t0());
    let n = node(&db, &clock, &index_dir(&db));
    let city = buyer(&db, "buyer@example.jp", "千代田区").await;
    let id = draft(&n.services, &city, "下書きの清掃業務").await;
    assert_eq!(queued(&*db.storage).await, 0, "drafts queue no index job");
    n.drain().await;
    assert!(find(&n.services, "").await.is_empty());

    // Even a job for it (replayed by hand) indexes nothing.
    let tender = db.storage.tender(id).await.unwrap().unwrap();
    assert_eq!(search::tender_doc(&tender), None);
    db.storage
        .enqueue_jobs(&[search::tender_job(id)], clock.now())
        .await
        .unwrap();
    assert_eq!(n.drain().await.succeeded, 1);
    assert!(!n.services.index_tender(id).await.unwrap());
    assert!(find(&n.services, "").await.is_empty());
    assert!(find(&n.services, "下書き").await.is_empty());
}

async fn an_amendment_changes_what_is_found(db: TestDb) {
    let clock = ManualClock::new(t0());
    let n = node(&db, &clock, &index_dir(&db));
    let city = buyer(&db, "buyer@example.jp", "千代田区").await;
    let id = published(&n.services, &city, "本庁舎清掃業務委託").await;
    n.drain().await;
    assert_eq!(find(&n.services, "本庁舎").await, [id]);

    clock.advance(TimeDelta::hours(1));
    let mut amended = input("分庁舎警備業務委託");
    amended.reason = "件名の誤りを訂正".into();
    amended.version = Some(1);
    n.services
        .update_tender(&city, id, &amended, &RequestCtx::default())
        .await
        .unwrap();
    assert_eq!(queued(&*db.storage).await, 1);
    n.drain().await;
    assert!(find(&n.services, "本庁舎").await.is_empty());
    assert_eq!(find(&n.services, "警備").await, [id]);
    assert_eq!(find(&n.services, "").await, [id], "replaced, not added");
    let tender = db.storage.tender(id).await.unwrap().unwrap();
    assert!(search::tender_doc(&tender).unwrap().amended);
}

async fn a_cancelled_tender_shows_status_cancelled(db: TestDb) {
    let clock = ManualClock::new(t0());
    let n = node(&db, &clock, &index_dir(&db));
    let city = buyer(&db, "buyer@example.jp", "千代田区").await;
    let id = published(&n.services, &city, "本庁舎清掃業務委託").await;
    let other = published(&n.services, &city, "公用車の購入").await;
    n.drain().await;

    clock.advance(TimeDelta::hours(1));
    n.services
        .cancel_tender(&city, id, "予算の都合", &RequestCtx::default())
        .await
        .unwrap();
    n.drain().await;
    assert_eq!(found(&n.services, with_status("cancelled")).await, [id]);
    assert_eq!(found(&n.services, with_status("published")).await, [other]);
    assert_eq!(
        find(&n.services, "清掃").await,
        [id],
        "a cancelled tender stays public"
    );
    let facets = n.services.search_tenders(&query("")).await.unwrap().facets;
    let count = |value: &str| {
        facets
            .status
            .iter()
            .find(|f| f.value == value)
            .map_or(0, |f| f.count)
    };
    assert_eq!((count("cancelled"), count("published")), (1, 1));
}

async fn scheduler_steps_update_the_status(db: TestDb) {
    let clock = ManualClock::new(t0());
    let n = node(&db, &clock, &index_dir(&db));
    let city = buyer(&db, "buyer@example.jp", "千代田区").await;
    let id = published(&n.services, &city, "本庁舎清掃業務委託").await;
    n.drain().await;

    // Submissions open on day 2.
    clock.set(t0() + TimeDelta::days(2));
    assert_eq!(
        n.services
            .advance_due_tenders(clock.now())
            .await
            .unwrap()
            .steps,
        1
    );
    n.drain().await;
    assert_eq!(found(&n.services, with_status("tendering")).await, [id]);

    // Down across the deadline and the opening (no bid: 不調 at once): one
    // catch-up, one job.
    clock.set(t0() + TimeDelta::days(20));
    assert_eq!(
        n.services
            .advance_due_tenders(clock.now())
            .await
            .unwrap()
            .steps,
        3
    );
    assert_eq!(queued(&*db.storage).await, 1);
    n.drain().await;
    assert_eq!(found(&n.services, with_status("unsuccessful")).await, [id]);
    assert!(
        found(&n.services, with_status("tendering"))
            .await
            .is_empty()
    );
    // Opened: the 予定価格 is public now, and the price filter sees it.
    let priced = TenderSearch {
        price_min: Some(1_000_000),
        price_max: Some(1_500_000),
        ..query("")
    };
    assert_eq!(found(&n.services, priced).await, [id]);
}

// --- companies ------------------------------------------------------------------------

fn profile_input(capabilities: &str) -> ProfileInput {
    ProfileInput {
        representative: "代表取締役 佐藤 健一".into(),
        prefecture: "01".into(),
        address_line: "中央区北一条西2丁目".into(),
        jsic: vec!["0911".into()],
        capabilities: capabilities.into(),
        certifications: vec!["haccp".into()],
        grades: vec!["goods:C".into()],
        ..ProfileInput::default()
    }
}

async fn a_saved_company_profile_is_found(db: TestDb) {
    let clock = ManualClock::new(t0());
    let n = node(&db, &clock, &index_dir(&db));
    let firm = member(
        &*db.storage,
        "firm@example.jp",
        OrgKind::Supplier,
        "北海製パン",
    )
    .await;
    let org = firm.org_id().unwrap();
    let ctx = RequestCtx::default();
    let companies = |q: &str| {
        let svc = n.services.clone();
        let q = q.to_owned();
        async move {
            let page = svc
                .search_companies(&CompanySearch {
                    q,
                    limit: 20,
                    ..CompanySearch::default()
                })
                .await
                .unwrap();
            page.hits.iter().map(|h| h.id).collect::<Vec<_>>()
        }
    };

    n.services
        .save_company_profile(&firm, org, &profile_input("学校給食用パンの製造"), &ctx)
        .await
        .unwrap();
    assert_eq!(queued(&*db.storage).await, 1);
    assert!(companies("給食").await.is_empty());
    n.drain().await;
    assert_eq!(companies("給食").await, [org]);
    assert_eq!(companies("製パン").await, [org], "the name is searchable");
    let by_grade = n
        .services
        .search_companies(&CompanySearch {
            grade: Some("goods:C".into()),
            jsic: Some("E".into()),
            regions: vec!["hokkaido".into()],
            certification: Some("haccp".into()),
            limit: 20,
            ..CompanySearch::default()
        })
        .await
        .unwrap();
    assert_eq!(by_grade.total, 1);

    // A second save at the same instant (the job of the first has run)
    // queues and indexes again: the key is held only while queued.
    let mut second = profile_input("冷凍生地の製造");
    second.version = Some(1);
    n.services
        .save_company_profile(&firm, org, &second, &ctx)
        .await
        .unwrap();
    n.drain().await;
    assert!(companies("給食").await.is_empty());
    assert_eq!(companies("冷凍").await, [org]);

    // A rename is searchable too.
    n.services
        .update_organization(&firm, org, "北海ベーカリー", "ホッカイベーカリー", &ctx)
        .await
        .unwrap();
    n.drain().await;
    assert_eq!(companies("ベーカリー").await, [org]);
    assert!(companies("製パン").await.is_empty());
}

async fn renaming_a_buyer_renames_its_tenders(db: TestDb) {
    let clock = ManualClock::new(t0());
    let n = node(&db, &clock, &index_dir(&db));
    let city = buyer(&db, "buyer@example.jp", "千代田区").await;
    let a = published(&n.services, &city, "本庁舎清掃業務委託").await;
    let b = published(&n.services, &city, "公用車の購入").await;
    draft(&n.services, &city, "下書き").await;
    n.drain().await;
    assert_eq!(find(&n.services, "千代田").await, [a, b]);

    n.services
        .update_organization(
            &city,
            city.org_id().unwrap(),
            "千代田区役所",
            "チヨダクヤクショ",
            &RequestCtx::default(),
        )
        .await
        .unwrap();
    n.drain().await;
    assert_eq!(find(&n.services, "区役所").await, [a, b]);
    assert_eq!(find(&n.services, "").await, [a, b], "the draft stays out");
}

// --- the outbox -----------------------------------------------------------------------

async fn a_replayed_job_is_harmless(db: TestDb) {
    let clock = ManualClock::new(t0());
    let n = node(&db, &clock, &index_dir(&db));
    let city = buyer(&db, "buyer@example.jp", "千代田区").await;
    let id = published(&n.services, &city, "本庁舎清掃業務委託").await;
    n.drain().await;
    let before = n.services.search_tenders(&query("清掃")).await.unwrap();

    // The same job again: while one waits, a second is not even queued…
    let ids = db
        .storage
        .enqueue_jobs(
            &[search::tender_job(id), search::tender_job(id)],
            clock.now(),
        )
        .await
        .unwrap();
    assert_eq!(ids.len(), 1);
    // …and jobs without a key (replays, reordered runs) just rewrite it.
    let replay = NewJob::new(search::TENDER_JOB, json!({ "id": id }));
    db.storage
        .enqueue_jobs(&[replay.clone(), replay], clock.now())
        .await
        .unwrap();
    assert_eq!(n.drain().await.succeeded, 3);
    assert_eq!(n.drain().await.succeeded, 0);
    let after = n.services.search_tenders(&query("清掃")).await.unwrap();
    assert_eq!(after.total, 1, "no duplicate documents");
    assert_eq!(
        after.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        before.hits.iter().map(|h| h.id).collect::<Vec<_>>()
    );
    assert_eq!(after.facets, before.facets);

    // A job for a tender that does not exist deletes nothing it should not.
    db.storage
        .enqueue_jobs(&[search::tender_job(id + 1000)], clock.now())
        .await
        .unwrap();
    assert_eq!(n.drain().await.succeeded, 1);
    assert_eq!(find(&n.services, "").await, [id]);
    // A job without an id fails for good, without retrying.
    let bad = db
        .storage
        .enqueue_jobs(&[NewJob::new(search::TENDER_JOB, json!({}))], clock.now())
        .await
        .unwrap();
    let r = n.worker.run_until_idle().await.unwrap();
    assert_eq!((r.failed, r.retried), (1, 0));
    assert_eq!(
        db.storage.job(bad[0]).await.unwrap().unwrap().status,
        JobStatus::Failed
    );
}

/// Every search the rebuild must answer as the outbox-fed index did:
/// (total, sorted ids, facets) for tenders and (total, sorted ids) for
/// companies.
async fn snapshot(svc: &Services) -> Vec<String> {
    let mut out = Vec::new();
    let tenders = [
        query(""),
        query("清掃"),
        query("警備"),
        query("千代田"),
        with_status("cancelled"),
        TenderSearch {
            sort: Sort::Newest,
            jsic: Some("R".into()),
            ..query("")
        },
    ];
    for s in tenders {
        let page = svc.search_tenders(&s).await.unwrap();
        let mut ids: Vec<_> = page.hits.iter().map(|h| h.id).collect();
        ids.sort_unstable();
        out.push(format!(
            "{:?}: {} {ids:?} {:?}",
            s.q, page.total, page.facets
        ));
    }
    for q in ["", "パン", "家具"] {
        let page = svc
            .search_companies(&CompanySearch {
                q: q.into(),
                limit: 20,
                ..CompanySearch::default()
            })
            .await
            .unwrap();
        let mut ids: Vec<_> = page.hits.iter().map(|h| h.id).collect();
        ids.sort_unstable();
        out.push(format!("companies {q:?}: {} {ids:?}", page.total));
    }
    out
}

async fn reindex_rebuilds_the_same_results_from_scratch(db: TestDb) {
    let clock = ManualClock::new(t0());
    let dir = index_dir(&db);
    let n = node(&db, &clock, &dir);
    let ctx = RequestCtx::default();
    let city = buyer(&db, "buyer@example.jp", "千代田区").await;
    let a = published(&n.services, &city, "本庁舎清掃業務委託").await;
    let b = published(&n.services, &city, "公用車の購入").await;
    published(&n.services, &city, "庁舎警備業務").await;
    draft(&n.services, &city, "下書きの清掃").await;
    clock.advance(TimeDelta::hours(1));
    let mut amended = input("分庁舎清掃業務委託");
    amended.reason = "件名の訂正".into();
    n.services
        .update_tender(&city, a, &amended, &ctx)
        .await
        .unwrap();
    n.services
        .cancel_tender(&city, b, "中止", &ctx)
        .await
        .unwrap();
    for (email, name, capabilities) in [
        ("bakery@example.jp", "北海製パン", "パンの製造"),
        ("wood@example.jp", "旭川木工", "家具の製造"),
    ] {
        let firm = member(&*db.storage, email, OrgKind::Supplier, name).await;
        n.services
            .save_company_profile(
                &firm,
                firm.org_id().unwrap(),
                &profile_input(capabilities),
                &ctx,
            )
            .await
            .unwrap();
    }
    n.drain().await;
    let expected = snapshot(&n.services).await;
    assert!(expected[0].starts_with("\"\": 3 "), "{expected:?}");

    // The index is lost: drop every handle (the worker's handlers hold one)
    // and delete the directory.
    drop(n);
    std::fs::remove_dir_all(&dir).unwrap();

    // Rebuilt in-process (what `serve` does at start and the reindex job does)…
    let n = node(&db, &clock, &dir);
    assert!(
        n.services
            .check_search_index()
            .await
            .unwrap()
            .index_is_empty()
    );
    let r = n
        .services
        .rebuild_search_index(ReindexScope::All, |_| {})
        .await
        .unwrap();
    assert_eq!((r.tenders, r.companies), (3, 2));
    assert!(r.index_bytes > 0);
    assert_eq!(snapshot(&n.services).await, expected);
    assert!(
        n.services
            .check_search_index()
            .await
            .unwrap()
            .counts_match()
    );
    // …and rebuilding again changes nothing.
    n.services
        .rebuild_search_index(ReindexScope::Tenders, |_| {})
        .await
        .unwrap();
    assert_eq!(snapshot(&n.services).await, expected);

    // `musubi reindex --queue` leaves the rebuild to this process's worker.
    let out = db.musubi().args(["reindex", "--queue"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    // (The command queues it for the wall clock's now.)
    clock.set(clock.now().max(Utc::now()));
    assert_eq!(n.drain().await.succeeded, 1);
    assert_eq!(snapshot(&n.services).await, expected);

    // While this process holds the writer, `musubi reindex` says who to stop.
    let out = db.musubi().arg("reindex").output().unwrap();
    assert!(!out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("musubi serve") && stderr.contains("musubi reindex --queue"),
        "{stderr}"
    );

    // And by the command, from nothing.
    drop(n);
    std::fs::remove_dir_all(&dir).unwrap();
    let out = db.musubi().arg("reindex").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(
        stdout.contains("3 tenders and 2 companies") && stdout.contains("docs/s"),
        "{stdout}"
    );
    let n = node(&db, &clock, &dir);
    assert_eq!(snapshot(&n.services).await, expected);
}

async fn workers_without_the_index_leave_its_jobs_alone(db: TestDb) {
    let clock = ManualClock::new(t0());
    let n = node(&db, &clock, &index_dir(&db));
    let city = buyer(&db, "buyer@example.jp", "千代田区").await;
    let id = published(&n.services, &city, "本庁舎清掃業務委託").await;
    db.storage
        .enqueue_jobs(&[musubi_app::jobs::probe_job(0, 0)], clock.now())
        .await
        .unwrap();

    // A `musubi worker`: the standard handlers and the alerts, no index, no
    // search jobs.
    let mut registry = Registry::standard();
    musubi_app::alerts::register(&mut registry, &n.services);
    let other = Worker::new(
        Arc::clone(&db.storage),
        Arc::new(clock.clone()),
        registry,
        worker_config(),
    )
    .with_kinds(search::jobs_without_index());
    let r = other.run_until_idle().await.unwrap();
    assert_eq!(
        (r.succeeded, r.failed, r.retried),
        (2, 0, 0),
        "the probe and the publication's alert check, no search job"
    );
    let counts = db.storage.job_counts().await.unwrap();
    assert_eq!(
        (counts.queued, counts.failed),
        (1, 0),
        "the search job waits"
    );

    // The index holder's worker (`serve --no-worker` claims only these).
    let serve = Worker::new(
        Arc::clone(&db.storage),
        Arc::new(clock.clone()),
        {
            let mut r = Registry::new();
            search::register(&mut r, &n.services);
            r
        },
        worker_config(),
    )
    .with_kinds(search::index_jobs());
    assert_eq!(serve.run_until_idle().await.unwrap().succeeded, 1);
    assert_eq!(find(&n.services, "清掃").await, [id]);
}

async fn query_errors_and_a_missing_index_are_refusals(db: TestDb) {
    let clock = ManualClock::new(t0());
    let n = node(&db, &clock, &index_dir(&db));
    match n.services.search_tenders(&query("(清掃")).await {
        Err(ServiceError::Refused {
            status: 400,
            code,
            message_ja,
            message_en,
        }) => {
            assert_eq!(code, "query_unbalanced");
            assert!(!message_ja.is_empty() && !message_en.is_empty());
        }
        other => panic!("{other:?}"),
    }
    match n
        .services
        .search_companies(&CompanySearch {
            q: "\"パン".into(),
            ..CompanySearch::default()
        })
        .await
    {
        Err(ServiceError::Refused {
            status: 400, code, ..
        }) => {
            assert_eq!(code, "query_unterminated_phrase")
        }
        other => panic!("{other:?}"),
    }

    let without = Services::new(
        Arc::clone(&db.storage),
        Arc::new(clock.clone()),
        AppConfig::default(),
    );
    assert!(!without.search_available());
    match without.search_tenders(&query("清掃")).await {
        Err(ServiceError::Refused {
            status: 503, code, ..
        }) => {
            assert_eq!(code, "search_unavailable")
        }
        other => panic!("{other:?}"),
    }
}
