//! The storage behaviour suite: the same assertions on SQLite and PostgreSQL.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use musubi_domain::{Certification, Grade, GradeCategory, JsicCode, OrgKind, Prefecture};
use musubi_storage::{
    AuditEntry, CatalogueItem, CompanyImport, CompanyProfileData, JobStatus, KindFilter, NewJob,
    NewOrganization, NewUser, OrgId, RunOutcome, Storage, StorageError,
};
use serde_json::json;

use crate::support::{TestDb, both_backends};

both_backends!(
    migrate_is_idempotent,
    claims_due_jobs_in_order_once,
    future_jobs_wait_for_their_time,
    dedupe_key_queues_once,
    completion_queues_follow_ups_atomically,
    expired_lease_is_reclaimed_and_fenced,
    failure_retries_then_fails_for_good,
    dead_worker_on_last_attempt_fails_job,
    concurrent_claimers_never_share_a_job,
    payload_round_trips_unicode_json,
    coalescing_key_holds_only_while_queued,
    kind_filter_leaves_other_kinds_queued,
    company_profiles_page_by_id,
    profile_saves_and_renames_queue_their_jobs,
);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap()
}

fn job(n: u32) -> NewJob {
    NewJob::new("probe", json!({ "n": n }))
}

async fn migrate_is_idempotent(db: TestDb) {
    let again = db.storage.migrate().await.unwrap();
    assert!(
        again.applied.is_empty(),
        "second migrate applied {:?}",
        again.applied
    );
    assert!(again.already_applied >= 1);
    db.storage.ping().await.unwrap();
    let tables: Vec<String> = db
        .storage
        .schema()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    for t in ["jobs", "job_runs", "schema_migrations"] {
        assert!(
            tables.contains(&t.to_owned()),
            "missing table {t} in {tables:?}"
        );
    }
}

async fn claims_due_jobs_in_order_once(db: TestDb) {
    let s = &db.storage;
    let ids = s
        .enqueue_jobs(&[job(1), job(2), job(3)], t0())
        .await
        .unwrap();
    assert_eq!(ids.len(), 3);
    let first = s
        .claim_jobs("w1", t0(), Duration::seconds(60), 2)
        .await
        .unwrap();
    assert_eq!(first.iter().map(|c| c.id).collect::<Vec<_>>(), ids[..2]);
    assert!(first.iter().all(|c| c.attempt == 1 && c.kind == "probe"));
    let second = s
        .claim_jobs("w2", t0(), Duration::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(second.iter().map(|c| c.id).collect::<Vec<_>>(), ids[2..]);
    assert!(
        s.claim_jobs("w3", t0(), Duration::seconds(60), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let counts = s.job_counts().await.unwrap();
    assert_eq!((counts.queued, counts.running), (0, 3));
    let runs = s.job_runs(ids[0]).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(
        (runs[0].worker.as_str(), runs[0].attempt, runs[0].outcome),
        ("w1", 1, None)
    );
}

async fn future_jobs_wait_for_their_time(db: TestDb) {
    let s = &db.storage;
    let later = t0() + Duration::minutes(10);
    let ids = s.enqueue_jobs(&[job(1).run_at(later)], t0()).await.unwrap();
    assert!(
        s.claim_jobs("w", t0() + Duration::minutes(9), Duration::seconds(60), 5)
            .await
            .unwrap()
            .is_empty()
    );
    let got = s
        .claim_jobs("w", later, Duration::seconds(60), 5)
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, ids[0]);
}

async fn dedupe_key_queues_once(db: TestDb) {
    let s = &db.storage;
    let a = s
        .enqueue_jobs(&[job(1).dedupe_key("mail:42")], t0())
        .await
        .unwrap();
    let b = s
        .enqueue_jobs(&[job(2).dedupe_key("mail:42"), job(3)], t0())
        .await
        .unwrap();
    assert_eq!(a.len(), 1);
    assert_eq!(b.len(), 1, "only the job without a duplicate key is queued");
    let stored = s.job(a[0]).await.unwrap().unwrap();
    assert_eq!(
        stored.payload,
        json!({"n": 1}),
        "the first job is kept unchanged"
    );
    assert_eq!(s.job_counts().await.unwrap().queued, 2);
}

async fn completion_queues_follow_ups_atomically(db: TestDb) {
    let s = &db.storage;
    s.enqueue_jobs(&[job(1)], t0()).await.unwrap();
    let claim = s
        .claim_jobs("w", t0(), Duration::seconds(60), 1)
        .await
        .unwrap()
        .remove(0);
    let done_at = t0() + Duration::seconds(5);
    s.complete_job(&claim, done_at, &[job(10), job(11)])
        .await
        .unwrap();
    let stored = s.job(claim.id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Done);
    assert_eq!(stored.finished_at, Some(done_at));
    assert_eq!(stored.attempts, 1);
    let runs = s.job_runs(claim.id).await.unwrap();
    assert_eq!(runs[0].outcome, Some(RunOutcome::Succeeded));
    assert_eq!(s.job_counts().await.unwrap().queued, 2);
    // A second completion is refused and queues nothing more.
    let again = s.complete_job(&claim, done_at, &[job(12)]).await;
    assert!(
        matches!(again, Err(StorageError::LeaseLost(id)) if id == claim.id),
        "{again:?}"
    );
    assert_eq!(s.job_counts().await.unwrap().queued, 2);
    // Done jobs are never claimed again.
    let next = s
        .claim_jobs("w", t0() + Duration::days(1), Duration::seconds(60), 10)
        .await
        .unwrap();
    assert!(next.iter().all(|c| c.id != claim.id));
}

async fn expired_lease_is_reclaimed_and_fenced(db: TestDb) {
    let s = &db.storage;
    let id = s.enqueue_jobs(&[job(1)], t0()).await.unwrap()[0];
    let a = s
        .claim_jobs("dead", t0(), Duration::seconds(30), 1)
        .await
        .unwrap()
        .remove(0);
    // Before the lease ends nobody else gets it.
    assert!(
        s.claim_jobs("b", t0() + Duration::seconds(29), Duration::seconds(30), 1)
            .await
            .unwrap()
            .is_empty()
    );
    let b = s
        .claim_jobs("b", t0() + Duration::seconds(30), Duration::seconds(30), 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!((b.id, b.attempt), (id, 2));
    assert_ne!(a.lease_token, b.lease_token);
    // The old holder can neither complete nor fail the job any more.
    assert!(matches!(
        s.complete_job(&a, t0() + Duration::seconds(31), &[]).await,
        Err(StorageError::LeaseLost(_))
    ));
    assert!(matches!(
        s.fail_job(&a, t0() + Duration::seconds(31), "x", None)
            .await,
        Err(StorageError::LeaseLost(_))
    ));
    s.complete_job(&b, t0() + Duration::seconds(40), &[])
        .await
        .unwrap();
    let runs = s.job_runs(id).await.unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(
        (runs[0].worker.as_str(), runs[0].outcome),
        ("dead", Some(RunOutcome::Abandoned))
    );
    assert_eq!(
        (runs[1].worker.as_str(), runs[1].outcome),
        ("b", Some(RunOutcome::Succeeded))
    );
}

async fn failure_retries_then_fails_for_good(db: TestDb) {
    let s = &db.storage;
    let id = s
        .enqueue_jobs(&[job(1).max_attempts(2)], t0())
        .await
        .unwrap()[0];
    let c1 = s
        .claim_jobs("w", t0(), Duration::seconds(60), 1)
        .await
        .unwrap()
        .remove(0);
    let retry_at = t0() + Duration::seconds(20);
    s.fail_job(
        &c1,
        t0() + Duration::seconds(1),
        "smtp busy",
        Some(retry_at),
    )
    .await
    .unwrap();
    let stored = s.job(id).await.unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.last_error.as_deref()),
        (JobStatus::Queued, Some("smtp busy"))
    );
    assert!(
        s.claim_jobs(
            "w",
            retry_at - Duration::seconds(1),
            Duration::seconds(60),
            1
        )
        .await
        .unwrap()
        .is_empty()
    );
    let c2 = s
        .claim_jobs("w", retry_at, Duration::seconds(60), 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(c2.attempt, 2);
    s.fail_job(&c2, retry_at, "bad address", None)
        .await
        .unwrap();
    let stored = s.job(id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Failed);
    assert_eq!(stored.last_error.as_deref(), Some("bad address"));
    assert!(stored.finished_at.is_some());
    let runs = s.job_runs(id).await.unwrap();
    assert_eq!(
        runs.iter().map(|r| r.outcome).collect::<Vec<_>>(),
        [Some(RunOutcome::Failed); 2]
    );
    assert_eq!(runs[0].error.as_deref(), Some("smtp busy"));
    assert_eq!(s.job_counts().await.unwrap().failed, 1);
}

async fn dead_worker_on_last_attempt_fails_job(db: TestDb) {
    let s = &db.storage;
    let id = s
        .enqueue_jobs(&[job(1).max_attempts(1)], t0())
        .await
        .unwrap()[0];
    s.claim_jobs("dead", t0(), Duration::seconds(10), 1)
        .await
        .unwrap();
    assert!(
        s.claim_jobs("w", t0() + Duration::seconds(11), Duration::seconds(10), 1)
            .await
            .unwrap()
            .is_empty()
    );
    let stored = s.job(id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Failed);
    assert!(stored.last_error.unwrap().contains("worker lost"));
    assert_eq!(
        s.job_runs(id).await.unwrap()[0].outcome,
        Some(RunOutcome::Abandoned)
    );
}

async fn concurrent_claimers_never_share_a_job(db: TestDb) {
    let s = Arc::clone(&db.storage);
    let jobs: Vec<NewJob> = (0..300).map(job).collect();
    s.enqueue_jobs(&jobs, t0()).await.unwrap();
    let mut tasks = Vec::new();
    for w in 0..8 {
        let s = Arc::clone(&s);
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = s
                    .claim_jobs(&format!("w{w}"), t0(), Duration::seconds(600), 7)
                    .await
                    .unwrap();
                if got.is_empty() {
                    return mine;
                }
                for c in got {
                    s.complete_job(&c, t0(), &[]).await.unwrap();
                    mine.push(c.id);
                }
            }
        }));
    }
    let mut seen = HashSet::new();
    for t in tasks {
        for id in t.await.unwrap() {
            assert!(seen.insert(id), "job {id} was claimed twice");
        }
    }
    assert_eq!(seen.len(), 300);
    assert_eq!(s.job_counts().await.unwrap().done, 300);
}

async fn payload_round_trips_unicode_json(db: TestDb) {
    let payload = json!({"件名": "東京ビッグサイト 清掃業務", "amount": 12_345_678_901_i64, "nested": [1, null, "ｶﾅ"]});
    let id = db
        .storage
        .enqueue_jobs(&[NewJob::new("probe", payload.clone())], t0())
        .await
        .unwrap()[0];
    assert_eq!(db.storage.job(id).await.unwrap().unwrap().payload, payload);
    let c = db
        .storage
        .claim_jobs("w", t0(), Duration::seconds(5), 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(c.payload, payload);
    assert!(db.storage.job(id + 1000).await.unwrap().is_none());
}

async fn coalescing_key_holds_only_while_queued(db: TestDb) {
    let s = &db.storage;
    let lease = Duration::seconds(60);
    let key = |n| job(n).coalesce_key("search.tender:7");
    let a = s.enqueue_jobs(&[key(1)], t0()).await.unwrap();
    assert_eq!(a.len(), 1);
    // While `a` waits, the same key queues nothing (a burst is one job).
    assert!(
        s.enqueue_jobs(&[key(2), key(3)], t0())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(s.job_counts().await.unwrap().queued, 1);

    // Claimed, `a` may already have read the old state: the key is free.
    let claimed = s.claim_jobs("w", t0(), lease, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(s.job(a[0]).await.unwrap().unwrap().dedupe_key, None);
    let b = s.enqueue_jobs(&[key(4)], t0()).await.unwrap();
    assert_eq!(b.len(), 1, "a change after the claim queues a new job");
    s.complete_job(&claimed[0], t0(), &[key(5)]).await.unwrap();
    assert_eq!(
        s.job_counts().await.unwrap().queued,
        1,
        "a follow-up with the key of a waiting job is skipped too"
    );

    // A done job does not hold the key (a plain dedupe key would).
    let c = s.claim_jobs("w", t0(), lease, 10).await.unwrap();
    assert_eq!(c[0].id, b[0]);
    s.complete_job(&c[0], t0(), &[]).await.unwrap();
    let d = s.enqueue_jobs(&[key(6)], t0()).await.unwrap();
    assert_eq!(d.len(), 1);
    // Nor does a failed attempt queued again: it runs, and so does the new one.
    let e = s.claim_jobs("w", t0(), lease, 10).await.unwrap();
    s.fail_job(&e[0], t0(), "busy", Some(t0())).await.unwrap();
    assert_eq!(s.enqueue_jobs(&[key(7)], t0()).await.unwrap().len(), 1);
    assert_eq!(s.job_counts().await.unwrap().queued, 2);

    // Plain keys are unchanged: held by done jobs for good.
    let m = s
        .enqueue_jobs(&[job(8).dedupe_key("search.tender:7")], t0())
        .await
        .unwrap();
    assert_eq!(
        m.len(),
        1,
        "a plain key is another key than a coalescing one"
    );
    let claimed = s.claim_jobs("w", t0(), lease, 10).await.unwrap();
    let plain = claimed.iter().find(|c| c.id == m[0]).unwrap();
    assert_eq!(
        s.job(m[0]).await.unwrap().unwrap().dedupe_key.as_deref(),
        Some("search.tender:7"),
        "claims keep plain keys"
    );
    s.complete_job(plain, t0(), &[]).await.unwrap();
    assert!(
        s.enqueue_jobs(&[job(9).dedupe_key("search.tender:7")], t0())
            .await
            .unwrap()
            .is_empty()
    );
}

async fn kind_filter_leaves_other_kinds_queued(db: TestDb) {
    let s = &db.storage;
    let lease = Duration::seconds(60);
    let ids = s
        .enqueue_jobs(
            &[
                NewJob::new("search.tender", json!({"id": 1})),
                NewJob::new("mail.send", json!({})),
                NewJob::new("search.company", json!({"id": 2})),
                NewJob::new("searching", json!({})),
            ],
            t0(),
        )
        .await
        .unwrap();
    let except = KindFilter::Except("search.".into());
    let only = KindFilter::Only("search.".into());
    assert!(except.admits("mail.send") && !except.admits("search.tender"));
    assert!(only.admits("search.company") && !only.admits("searching"));

    let other = s
        .claim_jobs_of("worker", t0(), lease, 10, &except)
        .await
        .unwrap();
    assert_eq!(
        other.iter().map(|c| c.id).collect::<Vec<_>>(),
        [ids[1], ids[3]]
    );
    assert!(
        s.claim_jobs_of("worker", t0(), lease, 10, &except)
            .await
            .unwrap()
            .is_empty(),
        "the search jobs wait for a worker that takes them"
    );
    assert_eq!(
        s.job(ids[0]).await.unwrap().unwrap().status,
        JobStatus::Queued
    );
    assert_eq!(s.job(ids[0]).await.unwrap().unwrap().attempts, 0);

    let search = s
        .claim_jobs_of("serve", t0(), lease, 10, &only)
        .await
        .unwrap();
    assert_eq!(
        search.iter().map(|c| c.id).collect::<Vec<_>>(),
        [ids[0], ids[2]]
    );
    // An expired lease is reclaimed only by a worker that takes the kind.
    let later = t0() + Duration::seconds(61);
    let again = s
        .claim_jobs_of("worker", later, lease, 10, &except)
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(|c| c.id).collect::<Vec<_>>(),
        [ids[1], ids[3]]
    );
    let again = s
        .claim_jobs_of("serve", later, lease, 10, &only)
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(|c| c.id).collect::<Vec<_>>(),
        [ids[0], ids[2]]
    );
}

// --- company profiles, paged by id (the search index rebuild) --------------------------------

async fn user(s: &dyn Storage, email: &str) -> i64 {
    s.create_user(
        &NewUser {
            email: musubi_domain::EmailAddress::parse(email).unwrap(),
            password_hash: "hash".into(),
            display_name: email.into(),
            locale: "ja".into(),
        },
        t0(),
        AuditEntry::new("user.register", "user", None),
        &[],
    )
    .await
    .unwrap()
}

async fn organization(s: &dyn Storage, kind: OrgKind, name: &str, admin: i64) -> OrgId {
    s.create_organization(
        &NewOrganization {
            kind,
            name: name.into(),
            name_kana: "カナ".into(),
            corporate_number: None,
        },
        admin,
        t0(),
        AuditEntry::new("org.create", "organization", None),
    )
    .await
    .unwrap()
}

fn profile(prefecture: &str, capabilities: &str) -> CompanyProfileData {
    CompanyProfileData {
        representative: "代表取締役 山田 太郎".into(),
        prefecture: Prefecture::parse(prefecture).unwrap(),
        municipality: None,
        address_line: "中央一丁目1番1号".into(),
        jsic: vec![
            JsicCode::parse("0911").unwrap(),
            JsicCode::parse("E").unwrap(),
        ],
        capabilities: capabilities.into(),
        catalogue: vec![
            CatalogueItem {
                title: "業務用パン".into(),
                description: "学校給食向け".into(),
            },
            CatalogueItem {
                title: "焼菓子".into(),
                description: "贈答用".into(),
            },
        ],
        certifications: vec![Certification::Haccp, Certification::Iso9001],
        grades: vec![
            (GradeCategory::Goods, Grade::C),
            (GradeCategory::Services, Grade::B),
        ],
        employees: Some(42),
        capital_yen: Some(10_000_000),
        founded_year: Some(1980),
        website: Some("https://example.jp".into()),
        contact_email: None,
        contact_phone: None,
    }
}

async fn company_profiles_page_by_id(db: TestDb) {
    let s = &*db.storage;
    assert!(s.company_profiles_after(0, 10).await.unwrap().is_empty());
    let admin = user(s, "owner@example.jp").await;
    let saved = organization(s, OrgKind::Supplier, "札幌製パン", admin).await;
    s.save_company_profile(
        saved,
        &profile("01", "パンと菓子の製造"),
        None,
        t0(),
        AuditEntry::new("company.save", "organization", Some(saved)),
        &[],
    )
    .await
    .unwrap();
    // A buyer and a supplier without a profile are not listed.
    let buyer_admin = user(s, "buyer@example.jp").await;
    organization(s, OrgKind::PublicBody, "札幌市", buyer_admin).await;
    let bare_admin = user(s, "bare@example.jp").await;
    let bare = organization(s, OrgKind::Supplier, "未登録商店", bare_admin).await;
    let imports: Vec<CompanyImport> = ["02", "03", "04"]
        .iter()
        .map(|p| CompanyImport {
            organization: NewOrganization {
                kind: OrgKind::Supplier,
                name: format!("{p}の会社"),
                name_kana: "カイシャ".into(),
                corporate_number: None,
            },
            profile: profile(p, "輸入した会社"),
        })
        .collect();
    assert_eq!(s.import_companies(&imports, t0()).await.unwrap(), 3);

    let all = s.company_profiles_after(0, 100).await.unwrap();
    let ids: Vec<OrgId> = all.iter().map(|p| p.organization.id).collect();
    assert_eq!(ids.len(), 4);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "id order: {ids:?}");
    assert_eq!(ids[0], saved);
    assert!(!ids.contains(&bare));
    // Whole profiles, as `company_profile` reads them (catalogue in order).
    for p in &all {
        assert_eq!(
            Some(p),
            s.company_profile(p.organization.id).await.unwrap().as_ref()
        );
    }
    assert_eq!(all[0].data.catalogue[0].title, "業務用パン");
    assert_eq!(all[0].data.catalogue[1].title, "焼菓子");
    assert_eq!(all[0].data.grades.len(), 2);
    assert_eq!(all[3].data.prefecture, Prefecture::parse("04").unwrap());

    let first = s.company_profiles_after(0, 3).await.unwrap();
    assert_eq!(first.len(), 3);
    let rest = s
        .company_profiles_after(first[2].organization.id, 3)
        .await
        .unwrap();
    assert_eq!(
        rest.iter().map(|p| p.organization.id).collect::<Vec<_>>(),
        [ids[3]]
    );
    assert!(
        s.company_profiles_after(ids[3], 3)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn profile_saves_and_renames_queue_their_jobs(db: TestDb) {
    let s = &*db.storage;
    let admin = user(s, "owner@example.jp").await;
    let org = organization(s, OrgKind::Supplier, "旭川木工", admin).await;
    let search = |n: u32| NewJob::new("search.company", json!({ "id": org, "n": n }));
    s.save_company_profile(
        org,
        &profile("01", "家具"),
        None,
        t0(),
        AuditEntry::new("company.save", "organization", Some(org)),
        &[search(1)],
    )
    .await
    .unwrap();
    s.update_organization(
        org,
        "旭川木工所",
        "アサヒカワモッコウショ",
        t0(),
        AuditEntry::new("org.update", "organization", Some(org)),
        &[search(2)],
    )
    .await
    .unwrap();
    assert_eq!(s.job_counts().await.unwrap().queued, 2);
    // A save that fails queues nothing.
    let err = s
        .save_company_profile(
            org,
            &profile("01", "家具"),
            Some(7),
            t0(),
            AuditEntry::new("company.save", "organization", Some(org)),
            &[search(3)],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Conflict(ref c) if c == "stale_version"));
    let err = s
        .update_organization(
            org + 1000,
            "x",
            "エックス",
            t0(),
            AuditEntry::new("org.update", "organization", None),
            &[search(4)],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::NotFound), "{err:?}");
    assert_eq!(s.job_counts().await.unwrap().queued, 2);
}
