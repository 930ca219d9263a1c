//! Saved searches and alerts, on both databases: the store's memory of
//! what alerted (once per search and tender), instant alerts and the daily
//! digest through the outbox, mail for tender events (訂正, 中止 …) with the
//! person's setting, and — with a real SMTP server (aiosmtpd) that dies in
//! the middle of a delivery — exactly one mail per new matching tender,
//! none lost, none after unsubscribing, a duplicate only in the window
//! between the server's acceptance and the commit that records it.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use musubi_app::alerts::{SavedSearchInput, Unsubscribed};
use musubi_app::jobs::{Registry, Worker, WorkerConfig};
use musubi_app::mail::{self, MailConfig, Mailer, ParsedMail};
use musubi_app::tenders::TenderInput;
use musubi_app::{ManualClock, RequestCtx, Services};
use musubi_domain::{OrgKind, Principal};
use musubi_search::TenderSearch;
use musubi_storage::{
    AlertFrequency, AlertHit, Digest, EventKind, NewSavedSearch, Paging, SavedSearchUpdate,
    StorageError, TenderId,
};
use serde_json::json;

use crate::bids::{input, services, t0};
use crate::mail::{SmtpServer, free_port, received, smtp_available};
use crate::support::{TestDb, both_backends, org_member};

both_backends!(
    the_store_remembers_what_alerted,
    instant_alerts_and_the_daily_digest,
    tender_events_are_mailed_by_the_persons_setting,
    smtp_dies_mid_delivery_nothing_lost_none_after_unsubscribing,
);

fn worker_config(concurrency: usize) -> WorkerConfig {
    WorkerConfig {
        worker_id: "alerts-test-worker".into(),
        concurrency,
        lease: Duration::from_secs(60),
        poll_interval: Duration::from_millis(20),
        base_backoff: Duration::from_secs(10),
        max_backoff: Duration::from_secs(3600),
    }
}

/// A worker running mail and alert jobs with `mailer`.
fn worker(svc: &Services, clock: &ManualClock, mailer: Mailer, concurrency: usize) -> Worker {
    let mut registry = Registry::standard();
    mail::register(&mut registry, mailer);
    musubi_app::alerts::register(&mut registry, svc);
    Worker::new(
        Arc::clone(&svc.storage),
        Arc::new(clock.clone()),
        registry,
        worker_config(concurrency),
    )
}

fn dev_mailer(dir: &Path) -> Mailer {
    Mailer::from_config(&MailConfig {
        smtp_url: None,
        from: mail::DEFAULT_FROM.to_owned(),
        mail_dir: dir.to_path_buf(),
    })
    .unwrap()
}

fn dev_mails(dir: &Path) -> Vec<ParsedMail> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    paths.sort();
    paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .map(|p| ParsedMail::parse(&std::fs::read(p).unwrap()))
        .collect()
}

async fn buyer(svc: &Services) -> Principal {
    org_member(
        &*svc.storage,
        "keiyaku@city.example.lg.jp",
        OrgKind::PublicBody,
        "テスト市",
        t0(),
    )
    .await
}

async fn supplier(svc: &Services, email: &str) -> Principal {
    org_member(
        &*svc.storage,
        email,
        OrgKind::Supplier,
        &format!("{email} 株式会社"),
        t0(),
    )
    .await
}

/// Publishes a tender titled `title` (the summary repeats the title).
async fn publish(svc: &Services, buyer: &Principal, title: &str) -> TenderId {
    let ctx = RequestCtx::default();
    let input = TenderInput {
        title: title.into(),
        summary: format!("{title}を委託する。"),
        ..input()
    };
    let id = svc.create_tender(buyer, &input, &ctx).await.unwrap();
    svc.publish_tender(buyer, id, &ctx).await.unwrap();
    id
}

async fn save(svc: &Services, p: &Principal, q: &str, frequency: &str) -> i64 {
    svc.create_saved_search(
        p,
        SavedSearchInput {
            name: String::new(),
            query: format!("q={q}"),
            search: TenderSearch {
                q: q.into(),
                ..Default::default()
            },
            frequency: frequency.into(),
            email: true,
        },
    )
    .await
    .unwrap()
    .id
}

async fn alert_events(svc: &Services, p: &Principal) -> Vec<musubi_storage::NotificationEvent> {
    svc.notification_events(
        p,
        Paging {
            offset: 0,
            limit: 100,
        },
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .filter(|e| e.kind == EventKind::SavedSearchMatch)
    .collect()
}

/// `target` and `token` of the List-Unsubscribe address of a mail.
fn unsubscribe_link(m: &ParsedMail) -> (String, String) {
    let url = m
        .header("List-Unsubscribe")
        .expect("alert mail has List-Unsubscribe")
        .trim_matches(['<', '>'])
        .to_owned();
    assert_eq!(
        m.header("List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    let query = url.split_once('?').unwrap().1;
    let get = |k: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
            .unwrap()
            .to_owned()
    };
    (get("target"), get("token"))
}

async fn the_store_remembers_what_alerted(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let s = &*db.storage;
    let b = buyer(&svc).await;
    let p = supplier(&svc, "taro@example.jp").await;
    let new = NewSavedSearch {
        user_id: p.user_id,
        name: "清掃".into(),
        query: "q=清掃".into(),
        criteria: json!({ "q": "清掃" }),
        frequency: AlertFrequency::Instant,
        email: true,
    };
    let a = s.create_saved_search(&new, 2, t0()).await.unwrap();
    let daily = s
        .create_saved_search(
            &NewSavedSearch {
                frequency: AlertFrequency::Daily,
                ..new.clone()
            },
            2,
            t0(),
        )
        .await
        .unwrap();
    // The limit: a third is refused, nothing stored.
    assert!(matches!(
        s.create_saved_search(&new, 2, t0()).await,
        Err(StorageError::Conflict(_))
    ));
    assert_eq!(s.saved_searches_of(p.user_id).await.unwrap().len(), 2);
    assert_eq!(s.saved_search(a.id).await.unwrap().unwrap(), a);

    // Only the owner changes or deletes it.
    let update = SavedSearchUpdate {
        name: "清掃業務".into(),
        frequency: AlertFrequency::Instant,
        email: false,
    };
    assert_eq!(
        s.update_saved_search(a.id, b.user_id, &update, t0())
            .await
            .unwrap(),
        None
    );
    let changed = s
        .update_saved_search(a.id, p.user_id, &update, t0())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((changed.name.as_str(), changed.email), ("清掃業務", false));
    assert!(s.set_saved_search_email(a.id, true, t0()).await.unwrap());

    let tender = publish(&svc, &b, "本庁舎清掃業務委託").await;
    let hit = |sid, for_digest| AlertHit {
        saved_search_id: sid,
        user_id: p.user_id,
        tender_id: tender,
        detail: json!({ "title": "本庁舎清掃業務委託", "saved_search_id": sid }),
        for_digest,
    };
    // Recorded once, however often it is offered.
    assert_eq!(
        s.record_alert_hits(&[hit(a.id, false), hit(daily.id, true)], t0())
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        s.record_alert_hits(&[hit(a.id, false), hit(daily.id, true)], t0())
            .await
            .unwrap(),
        0
    );
    // The instant hit is in the inbox, unread, with its mail job's event; the
    // daily one waits for the digest.
    assert_eq!(s.unread_events(p.user_id).await.unwrap(), 1);
    assert_eq!(
        s.pending_digest_hits().await.unwrap(),
        vec![(daily.id, tender)]
    );
    let digest = Digest {
        saved_search_id: daily.id,
        hits: vec![hit(daily.id, true)],
        mail: Some(musubi_app::mail::mail_job(
            &musubi_app::mail::OutgoingMail::new(
                "digest",
                "taro@example.jp",
                "件名",
                "本文",
                musubi_app::mail::MailLang::Ja,
            ),
        )),
    };
    let queued = s.job_counts().await.unwrap().queued;
    assert_eq!(s.record_digest(&digest, t0()).await.unwrap(), 1);
    assert_eq!(
        s.job_counts().await.unwrap().queued,
        queued + 1,
        "the digest mail"
    );
    // A re-run records nothing and queues nothing.
    assert_eq!(s.record_digest(&digest, t0()).await.unwrap(), 0);
    assert_eq!(s.job_counts().await.unwrap().queued, queued + 1);
    assert!(s.pending_digest_hits().await.unwrap().is_empty());
    assert_eq!(s.unread_events(p.user_id).await.unwrap(), 2);

    // Every change moves the fingerprint caches compare, whatever the clock
    // says (the same instant here); leaving Daily drops what waited.
    let other = publish(&svc, &b, "公園清掃業務委託").await;
    s.record_alert_hits(
        &[AlertHit {
            tender_id: other,
            ..hit(daily.id, true)
        }],
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(s.pending_digest_hits().await.unwrap().len(), 1);
    let before = s.saved_searches_version().await.unwrap();
    let to_instant = SavedSearchUpdate {
        name: "清掃".into(),
        frequency: AlertFrequency::Instant,
        email: true,
    };
    s.update_saved_search(daily.id, p.user_id, &to_instant, t0())
        .await
        .unwrap()
        .unwrap();
    assert_ne!(s.saved_searches_version().await.unwrap(), before);
    assert!(s.pending_digest_hits().await.unwrap().is_empty());
    let before = s.saved_searches_version().await.unwrap();
    s.set_saved_search_email(daily.id, false, t0())
        .await
        .unwrap();
    assert_ne!(s.saved_searches_version().await.unwrap(), before);
    assert_eq!(
        s.saved_search_hits(daily.id, 10).await.unwrap(),
        vec![(other, t0()), (tender, t0())]
    );

    // Read state: only the person's own events change.
    let events = s
        .notification_events(
            p.user_id,
            Paging {
                offset: 0,
                limit: 10,
            },
        )
        .await
        .unwrap()
        .items;
    let first = events.iter().map(|e| e.id).min().unwrap();
    assert_eq!(
        s.mark_events_read(b.user_id, Some(&[first]), t0())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        s.mark_events_read(p.user_id, Some(&[first]), t0())
            .await
            .unwrap(),
        1
    );
    assert_eq!(s.unread_events(p.user_id).await.unwrap(), 1);
    assert_eq!(s.mark_events_read(p.user_id, None, t0()).await.unwrap(), 1);
    assert_eq!(s.unread_events(p.user_id).await.unwrap(), 0);
    let by_id = s.events_by_ids(&[first]).await.unwrap();
    assert_eq!(by_id.len(), 1);
    assert_eq!(by_id[0].read_at, Some(t0()));

    // The mail setting.
    let r = s.mail_recipients(&[p.user_id]).await.unwrap();
    assert_eq!((r.len(), r[0].event_mail), (1, true));
    s.set_event_mail(p.user_id, false, t0()).await.unwrap();
    assert!(!s.mail_recipients(&[p.user_id]).await.unwrap()[0].event_mail);

    // Deleting takes its hits with it.
    assert!(!s.delete_saved_search(a.id, b.user_id).await.unwrap());
    assert!(s.delete_saved_search(a.id, p.user_id).await.unwrap());
    assert_eq!(s.saved_search(a.id).await.unwrap(), None);
    assert!(s.saved_search_hits(a.id, 10).await.unwrap().is_empty());
}

async fn instant_alerts_and_the_daily_digest(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let dir = db.data_path().join("mail");
    let w = worker(&svc, &clock, dev_mailer(&dir), 2);
    let b = buyer(&svc).await;
    let taro = supplier(&svc, "taro@example.jp").await;
    let hanako = supplier(&svc, "hanako@example.jp").await;
    let instant = save(&svc, &taro, "清掃", "instant").await;
    let daily = save(&svc, &hanako, "清掃", "daily").await;
    // A search that finds nothing here, and one that does not parse is
    // refused when saved.
    save(&svc, &taro, "道路", "instant").await;
    let bad = svc
        .create_saved_search(
            &taro,
            SavedSearchInput {
                name: "x".into(),
                query: "q=(清掃".into(),
                search: TenderSearch {
                    q: "(清掃".into(),
                    ..Default::default()
                },
                frequency: "hourly".into(),
                email: true,
            },
        )
        .await
        .unwrap_err();
    let musubi_app::ServiceError::Invalid(errors) = bad else {
        panic!("{bad:?}")
    };
    assert!(errors.get("q").is_some() && errors.get("frequency").is_some());
    // Nor can a search alert that no new tender can meet (award filters,
    // finished statuses), or one without words or filters.
    for search in [
        TenderSearch {
            awarded: true,
            ..Default::default()
        },
        TenderSearch {
            statuses: vec!["closed".into()],
            ..Default::default()
        },
        TenderSearch::default(),
    ] {
        let e = svc
            .create_saved_search(
                &taro,
                SavedSearchInput {
                    name: "x".into(),
                    query: String::new(),
                    search,
                    frequency: "instant".into(),
                    email: true,
                },
            )
            .await
            .unwrap_err();
        let musubi_app::ServiceError::Invalid(errors) = e else {
            panic!("{e:?}")
        };
        assert!(errors.get("query").is_some(), "{errors:?}");
    }

    let t1 = publish(&svc, &b, "本庁舎清掃業務委託").await;
    let t2 = publish(&svc, &b, "公園清掃業務委託").await;
    let _other = publish(&svc, &b, "事務用品購入").await;
    w.run_until_idle().await.unwrap();

    // Instant: one event and one mail per matching tender.
    let events = alert_events(&svc, &taro).await;
    let mut alerted: Vec<_> = events.iter().map(|e| e.tender_id.unwrap()).collect();
    alerted.sort();
    assert_eq!(alerted, vec![t1, t2]);
    let mails = dev_mails(&dir);
    assert_eq!(
        mails.len(),
        2,
        "{:?}",
        mails
            .iter()
            .map(|m| m.header("Subject"))
            .collect::<Vec<_>>()
    );
    for m in &mails {
        assert_eq!(m.header("To"), Some("taro@example.jp"));
        let id = m.header("Message-ID").unwrap();
        assert!(
            events
                .iter()
                .any(|e| id == format!("<event.{}@musubi>", e.id)),
            "{id}"
        );
        assert!(m.header("Subject").unwrap().starts_with("【結び】"));
        assert!(m.text_body.contains("http://musubi.test/tenders/"));
    }
    // Re-running the percolation (a retried job) alerts nothing twice.
    assert_eq!(svc.percolate_tender(t1).await.unwrap(), 0);
    // Daily: nothing yet for hanako.
    assert!(alert_events(&svc, &hanako).await.is_empty());

    // The digest: hanako's two tenders in her inbox and in one mail; a
    // second run finds nothing.
    let report = svc.run_digest().await.unwrap();
    assert_eq!((report.searches, report.tenders, report.mails), (1, 2, 1));
    assert_eq!(svc.run_digest().await.unwrap().tenders, 0);
    w.run_until_idle().await.unwrap();
    assert_eq!(alert_events(&svc, &hanako).await.len(), 2);
    let mails = dev_mails(&dir);
    let digest: Vec<_> = mails
        .iter()
        .filter(|m| m.header("To") == Some("hanako@example.jp"))
        .collect();
    assert_eq!(digest.len(), 1);
    assert!(digest[0].header("Subject").unwrap().contains("（2件）"));
    assert!(digest[0].text_body.contains("本庁舎清掃業務委託"));
    assert!(digest[0].text_body.contains("公園清掃業務委託"));
    assert!(!digest[0].text_body.contains("事務用品購入"));
    assert_eq!(mails.len(), 3, "nothing else was sent");

    // Saved searches are read again when they change (the parsed ones are
    // kept only while none did): a new one alerts at once, a deleted one no
    // more.
    let park = save(&svc, &taro, "公園", "instant").await;
    svc.delete_saved_search(&taro, instant).await.unwrap();
    let t3 = publish(&svc, &b, "公園清掃業務委託（北地区）").await;
    w.run_until_idle().await.unwrap();
    let events = alert_events(&svc, &taro).await;
    let latest = events.iter().find(|e| e.tender_id == Some(t3)).unwrap();
    assert_eq!(latest.detail["saved_search_id"], park);
    assert_eq!(
        events.iter().filter(|e| e.tender_id == Some(t3)).count(),
        1,
        "the deleted search did not alert"
    );
    let _ = daily;
}

async fn tender_events_are_mailed_by_the_persons_setting(db: TestDb) {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let dir = db.data_path().join("mail");
    let w = worker(&svc, &clock, dev_mailer(&dir), 2);
    let b = buyer(&svc).await;
    let p = supplier(&svc, "taro@example.jp").await;
    // Someone who reads English.
    let en = supplier(&svc, "alice@example.com").await;
    svc.storage
        .update_user_settings(
            en.user_id,
            "Alice Smith",
            "en",
            t0(),
            musubi_storage::AuditEntry::new("user.settings", "user", None),
        )
        .await
        .unwrap();
    let ctx = RequestCtx::default();
    let first = publish(&svc, &b, "本庁舎清掃業務委託").await;
    let second = publish(&svc, &b, "公園清掃業務委託").await;
    svc.favourite_tender(&p, first, true).await.unwrap();
    svc.favourite_tender(&en, first, true).await.unwrap();
    svc.favourite_tender(&p, second, true).await.unwrap();
    w.run_until_idle().await.unwrap();
    assert!(dev_mails(&dir).is_empty());

    // 中止 of a favourited tender: one mail each, in each one's language, in
    // the inbox too.
    svc.cancel_tender(&b, first, "予算の都合により中止します。", &ctx)
        .await
        .unwrap();
    w.run_until_idle().await.unwrap();
    let mut mails = dev_mails(&dir);
    assert_eq!(mails.len(), 2);
    let english = mails
        .iter()
        .position(|m| m.header("To") == Some("alice@example.com"))
        .unwrap();
    let e = mails.remove(english);
    assert_eq!(e.header("Content-Language"), Some("en"));
    assert!(e.header("Subject").unwrap().starts_with("[Musubi]"));
    assert!(e.text_body.contains("Dear Alice Smith"), "{}", e.text_body);
    assert!(e.text_body.contains("The tender was cancelled."));
    let m = &mails[0];
    assert_eq!(m.header("To"), Some("taro@example.jp"));
    assert!(
        m.header("Subject").unwrap().contains("中止"),
        "{:?}",
        m.header("Subject")
    );
    assert_eq!(m.header("Content-Language"), Some("ja"));
    let (target, token) = unsubscribe_link(m);
    assert_eq!(target, format!("u{}", p.user_id));
    assert_eq!(svc.unread_notifications(&p).await.unwrap(), 1);

    // A forged link does nothing; the real one turns event mail off.
    assert!(svc.unsubscribe(&target, "0000").await.is_err());
    assert!(
        svc.unsubscribe(&format!("u{}", p.user_id + 1), &token)
            .await
            .is_err()
    );
    assert_eq!(
        svc.unsubscribe(&target, &token).await.unwrap(),
        Unsubscribed::EventMail(p.user_id)
    );
    svc.cancel_tender(&b, second, "仕様を見直すため中止します。", &ctx)
        .await
        .unwrap();
    w.run_until_idle().await.unwrap();
    assert_eq!(dev_mails(&dir).len(), 2, "no mail after unsubscribing");
    assert_eq!(
        svc.unread_notifications(&p).await.unwrap(),
        2,
        "still in the inbox"
    );
}

/// The SMTP server stores the `die_at`-th message, then dies before it
/// answers — the window between acceptance and the commit that records the
/// delivery; a fresh server on the same port then gets everything else.
async fn smtp_dies_mid_delivery_nothing_lost_none_after_unsubscribing(db: TestDb) {
    if !smtp_available() {
        return;
    }
    let inbox = db.data_path().join("inbox");
    let port = free_port();
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let smtp = Mailer::from_config(&MailConfig {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        from: mail::DEFAULT_FROM.to_owned(),
        mail_dir: db.data_path().join("unused"),
    })
    .unwrap();
    // One delivery at a time: which mail the server dies on is then known
    // to be the second.
    let w = worker(&svc, &clock, smtp, 1);
    let b = buyer(&svc).await;
    let p = supplier(&svc, "taro@example.jp").await;
    let saved = save(&svc, &p, "清掃", "instant").await;
    let mut titles = Vec::new();
    {
        let server = SmtpServer::start_dying(port, &inbox, 2);
        for n in 1..=3 {
            let title = format!("第{n}庁舎清掃業務委託");
            publish(&svc, &b, &title).await;
            titles.push(title);
        }
        publish(&svc, &b, "道路補修工事").await;
        w.run_until_idle().await.unwrap();
        server.wait_for_exit();
    }
    let got = received(&inbox);
    assert_eq!(
        got.len(),
        2,
        "the first mail, and the second stored as the server died"
    );

    // The server comes back; the retries are due after the back-off.
    let _server = SmtpServer::start(port, &inbox);
    clock.advance(TimeDelta::hours(2));
    w.run_until_idle().await.unwrap();
    let got = received(&inbox);
    let mut ids: Vec<&str> = got
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    ids.sort();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(
        unique.len(),
        3,
        "one mail per matching tender, none lost: {ids:?}"
    );
    assert_eq!(
        got.len(),
        4,
        "exactly one duplicate: the mail the server stored but never acknowledged"
    );
    for title in &titles {
        let with_title: Vec<_> = got
            .iter()
            .filter(|m| m.text_body.contains(title.as_str()))
            .collect();
        assert!(!with_title.is_empty(), "{title} was not mailed");
        // Copies of one mail carry one Message-ID: recognisable as one.
        let first = with_title[0].header("Message-ID");
        assert!(with_title.iter().all(|m| m.header("Message-ID") == first));
    }
    assert!(!got.iter().any(|m| m.text_body.contains("道路補修工事")));

    // Unsubscribing from the mail itself: later tenders alert in the inbox only.
    let (target, token) = unsubscribe_link(&got[0]);
    assert_eq!(target, format!("s{saved}"));
    let what = svc.unsubscribe(&target, &token).await.unwrap();
    assert!(matches!(what, Unsubscribed::SavedSearch(s) if !s.email));
    publish(&svc, &b, "第4庁舎清掃業務委託").await;
    w.run_until_idle().await.unwrap();
    clock.advance(TimeDelta::hours(2));
    w.run_until_idle().await.unwrap();
    assert_eq!(received(&inbox).len(), 4, "no mail after unsubscribing");
    assert_eq!(alert_events(&svc, &p).await.len(), 4);
}
