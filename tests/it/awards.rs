//! The awards database on both databases: a decided award (落札者決定)
//! becomes part of its tender's search document through the outbox, is
//! found by the winner's name, 法人番号 or the tender's words, survives a
//! rebuild, follows a rename of the winner, and nothing of a bid shows
//! before it; the CSV (BOM, CRLF, RFC 4180) holds one row per award of the
//! filter; the page, the API and the CSV through the real server, with
//! their errors.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use musubi_app::awards::CSV_COLUMNS;
use musubi_app::companies::ProfileInput;
use musubi_app::jobs::{Registry, Worker, WorkerConfig};
use musubi_app::search::{self, AwardHit, ReindexScope, SearchIndex, Sort, TenderSearch};
use musubi_app::tenders::{BidInput, TenderInput};
use musubi_app::{AppConfig, ManualClock, RequestCtx, Services};
use musubi_domain::tender::{Category, Place, TenderStatus, Transition};
use musubi_domain::{OrgKind, Prefecture, Principal, japan_local_to_utc};
use musubi_storage::{NewAward, NewBid, NewOpening, OrgId, Storage, TenderId, UserId};
use serde_json::{Value, json};

use crate::portal::{Client, start};
use crate::support::{
    TestDb, both_backends, org_member, published, step, tender_audit, tender_content,
};

both_backends!(
    an_award_is_searchable_after_its_job_and_after_a_rebuild,
    the_csv_holds_one_row_per_award_of_the_filter,
    awards_page_api_and_csv_through_the_server,
);

// --- a node that holds the index ---------------------------------------------------

struct Node {
    services: Services,
    worker: Worker,
}

fn node(db: &TestDb, clock: &ManualClock, dir: &Path) -> Node {
    let services = Services::new(
        Arc::clone(&db.storage),
        Arc::new(clock.clone()),
        AppConfig {
            base_url: "http://musubi.test".into(),
            data_dir: db.data_path().to_path_buf(),
            ..AppConfig::default()
        },
    )
    .with_search(Arc::new(SearchIndex::open(dir).expect("open the index")));
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
        WorkerConfig {
            worker_id: "awards-test-worker".into(),
            concurrency: 4,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(20),
            base_backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(3600),
        },
    );
    Node { services, worker }
}

impl Node {
    /// Runs every queued job (the outbox) to the end.
    async fn drain(&self) {
        let r = self.worker.run_until_idle().await.unwrap();
        assert_eq!((r.failed, r.retried), (0, 0), "{r:?}");
    }

    async fn awards(&self, search: TenderSearch) -> Vec<AwardHit> {
        let page = self
            .services
            .search_awards(&TenderSearch {
                limit: 50,
                ..search
            })
            .await
            .unwrap();
        assert_eq!(page.total, page.hits.len() as u64, "one page holds all");
        page.hits
    }

    async fn award_ids(&self, search: TenderSearch) -> Vec<TenderId> {
        self.awards(search)
            .await
            .iter()
            .map(|h| h.tender_id)
            .collect()
    }

    async fn tender_total(&self, q: &str) -> u64 {
        self.services.search_tenders(&words(q)).await.unwrap().total
    }
}

fn words(q: &str) -> TenderSearch {
    TenderSearch {
        q: q.into(),
        limit: 50,
        ..TenderSearch::default()
    }
}

// --- through the services: the sealed bidding, then the award ----------------------

/// 2026-12-01 09:00 JST.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
}

fn opening() -> DateTime<Utc> {
    t0() + TimeDelta::days(12) + TimeDelta::hours(1)
}

fn input(title: &str) -> TenderInput {
    TenderInput {
        kind: "sealed_bid".into(),
        title: title.into(),
        summary: "本庁舎の日常清掃及び定期清掃を委託する。".into(),
        category: "services".into(),
        place: "13".into(),
        method: "open".into(),
        questions_until: (t0() + TimeDelta::days(8)).to_rfc3339(),
        submission_opens_at: (t0() + TimeDelta::days(2)).to_rfc3339(),
        submission_closes_at: (t0() + TimeDelta::days(12)).to_rfc3339(),
        opening_at: opening().to_rfc3339(),
        award_method: "lowest_price".into(),
        reserve_price: "1000000".into(),
        minimum_price: "800000".into(),
        reserve_price_publication: "at_opening".into(),
        contact_department: "総務部契約課".into(),
        ..TenderInput::default()
    }
}

async fn supplier(svc: &Services, email: &str, name: &str) -> Principal {
    let p = org_member(&*svc.storage, email, OrgKind::Supplier, name, t0()).await;
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
    svc.save_company_profile(&p, p.org_id().unwrap(), &profile, &RequestCtx::default())
        .await
        .unwrap();
    p
}

fn bid(amount: &str) -> BidInput {
    BidInput {
        amount: amount.into(),
        lottery_number: "123".into(),
        proposal: String::new(),
    }
}

async fn an_award_is_searchable_after_its_job_and_after_a_rebuild(db: TestDb) {
    let clock = ManualClock::new(t0());
    let n = node(&db, &clock, &db.data_path().join("search"));
    let svc = &n.services;
    let ctx = RequestCtx::default();
    let buyer = org_member(
        &*db.storage,
        "buyer@example.jp",
        OrgKind::PublicBody,
        "架空市",
        t0(),
    )
    .await;
    let id = svc
        .create_tender(&buyer, &input("本庁舎清掃業務委託"), &ctx)
        .await
        .unwrap();
    svc.publish_tender(&buyer, id, &ctx).await.unwrap();
    let winner = supplier(svc, "a@example.jp", "株式会社東洋クリーン").await;
    let other = supplier(svc, "b@example.jp", "箱根ビルサービス").await;
    clock.set(t0() + TimeDelta::days(3));
    svc.submit_bid(&winner, id, &bid("900000"), &ctx)
        .await
        .unwrap();
    svc.submit_bid(&other, id, &bid("950000"), &ctx)
        .await
        .unwrap();
    n.drain().await;

    // Before the opening nothing of a bid is anywhere in the index.
    assert_eq!(n.tender_total("清掃").await, 1);
    for name in ["東洋クリーン", "箱根ビル"] {
        assert_eq!(n.tender_total(name).await, 0, "{name} before the opening");
    }
    // Opened, with public results, but not decided: still no award.
    clock.set(opening());
    svc.advance_due_tenders(opening()).await.unwrap();
    n.drain().await;
    assert_eq!(
        db.storage.tender(id).await.unwrap().unwrap().status,
        TenderStatus::Opened
    );
    assert_eq!(n.tender_total("東洋クリーン").await, 0);
    assert!(n.awards(words("")).await.is_empty());

    // 落札者決定: searchable once its job ran (the outbox), not before.
    let decided = opening() + TimeDelta::hours(2);
    clock.set(decided);
    svc.confirm_award(&buyer, id, &ctx).await.unwrap();
    assert!(n.awards(words("東洋クリーン")).await.is_empty());
    n.drain().await;
    let number = db
        .storage
        .organization(winner.org_id().unwrap())
        .await
        .unwrap()
        .unwrap()
        .corporate_number
        .unwrap();
    let hits = n.awards(words("東洋クリーン")).await;
    assert_eq!(hits.len(), 1);
    let h = &hits[0];
    assert_eq!(h.tender_id, id);
    assert_eq!(h.title, "本庁舎清掃業務委託");
    assert_eq!(h.award.winner_id, winner.org_id().unwrap());
    assert_eq!(h.award.winner_name, "株式会社東洋クリーン");
    assert_eq!(h.winner_html, "株式会社<mark>東洋クリーン</mark>");
    assert_eq!(
        h.award.winner_corporate_number.as_deref(),
        Some(number.as_str())
    );
    assert_eq!(
        (h.award.amount_tax_exclusive, h.award.amount_tax_inclusive),
        (Some(900_000), Some(990_000))
    );
    assert_eq!(h.award.awarded_at, decided);
    assert_eq!(h.tender.buyer_name, "架空市");
    assert_eq!(h.tender.prefecture.as_deref(), Some("13"));
    // By the 法人番号 and by the tender's words; the losing bidder never.
    assert_eq!(n.award_ids(words(number.as_str())).await, [id]);
    assert_eq!(n.award_ids(words("清掃 委託")).await, [id]);
    assert_eq!(n.tender_total("箱根ビル").await, 0);
    // The tender search carries the award and counts it.
    let page = svc.search_tenders(&words("東洋クリーン")).await.unwrap();
    assert_eq!(page.hits.len(), 1);
    assert_eq!(page.hits[0].award.as_ref(), Some(&h.award));
    let all = svc.search_tenders(&words("")).await.unwrap();
    assert_eq!(all.facets.awarded.len(), 1);
    assert_eq!(
        (
            all.facets.awarded[0].value.as_str(),
            all.facets.awarded[0].count
        ),
        (search::AWARDED, 1)
    );

    // A rebuild from the database alone gives the same awards.
    let before = n.awards(words("")).await;
    let rebuilt = node(&db, &clock, &db.data_path().join("search-rebuilt"));
    let report = rebuilt
        .services
        .rebuild_search_index(ReindexScope::All, |_| {})
        .await
        .unwrap();
    assert_eq!((report.tenders, report.awards), (1, 1));
    assert_eq!(rebuilt.awards(words("")).await, before);
    assert_eq!(rebuilt.award_ids(words(number.as_str())).await, [id]);

    // The winner's new name follows into its awards (its company job
    // re-indexes the tenders it won).
    svc.update_organization(
        &winner,
        winner.org_id().unwrap(),
        "株式会社東洋クリーンサービス",
        "トウヨウクリーンサービス",
        &ctx,
    )
    .await
    .unwrap();
    n.drain().await;
    let hits = n.awards(words("クリーンサービス")).await;
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].award.winner_name, "株式会社東洋クリーンサービス");
}

// --- awards made straight in storage ---------------------------------------------------

/// 2030-01-07 09:00 JST: far enough ahead that a running server's scheduler
/// never moves these tenders itself.
fn t1() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 7, 0, 0, 0).unwrap()
}

/// 10:00 Japan time of a day in 2030.
fn jst(month: u32, day: u32) -> DateTime<Utc> {
    japan_local_to_utc(
        chrono::NaiveDate::from_ymd_opt(2030, month, day)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap(),
    )
    .unwrap()
}

struct Party {
    org: OrgId,
    user: UserId,
}

async fn party(s: &dyn Storage, email: &str, kind: OrgKind, name: &str) -> Party {
    let p = org_member(s, email, kind, name, t1()).await;
    Party {
        org: p.org_id().unwrap(),
        user: p.user_id,
    }
}

/// What a tender to award looks like.
struct Lot<'a> {
    title: &'a str,
    prefecture: &'a str,
    category: Category,
}

/// A tender of `buyer` taken through one bid of `bidder` and its opening,
/// and the award decided at `decided` when `amount` is given; then its
/// index job, queued at `now`. (The steps' own jobs would be due at their
/// instants, in 2030; `confirm_award` queuing the job with the award is
/// the services' test above.)
async fn opened_or_awarded(
    s: &dyn Storage,
    buyer: &Party,
    bidder: &Party,
    lot: Lot<'_>,
    amount: Option<i64>,
    decided: DateTime<Utc>,
    now: DateTime<Utc>,
) -> TenderId {
    let mut c = tender_content(lot.title, t1());
    c.place = Place::Prefecture {
        prefecture: Prefecture::parse(lot.prefecture).unwrap(),
    };
    c.category = lot.category;
    let id = published(s, buyer.org, buyer.user, &c, t1()).await;
    let sch = &c.schedule;
    let moved = |from, t, at| async move {
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
    };
    moved(
        TenderStatus::Published,
        Transition::StartTendering,
        sch.submission_opens_at,
    )
    .await;
    let bid_id = s
        .insert_bid(
            &NewBid {
                tender_id: id,
                round: 1,
                bidder: bidder.org,
                submitted_by: bidder.user,
                received_at: sch.submission_opens_at + TimeDelta::hours(1),
                commitment: format!("{:064x}", id),
                sealed: vec![0xde, 0xad, 0xbe, 0xef],
                receipt: json!({ "tender": id }),
            },
            &[],
        )
        .await
        .unwrap();
    moved(
        TenderStatus::Tendering,
        Transition::Close,
        sch.submission_closes_at,
    )
    .await;
    assert!(
        s.record_opening(
            &NewOpening {
                tender_id: id,
                round: 1,
                opened_at: sch.opening_at,
                record: json!({ "round": 1, "bids": [{ "bid_id": bid_id, "amount": amount }] }),
            },
            TenderStatus::Closed,
            &[step(Transition::Open, sch.opening_at, None)],
            None,
            &[],
            &[],
        )
        .await
        .unwrap()
    );
    if let Some(amount) = amount {
        award(s, buyer, bidder, id, bid_id, amount, decided).await;
    }
    s.enqueue_jobs(&[search::tender_job(id)], now)
        .await
        .unwrap();
    id
}

async fn award(
    s: &dyn Storage,
    buyer: &Party,
    bidder: &Party,
    id: TenderId,
    bid_id: i64,
    amount: i64,
    decided: DateTime<Utc>,
) {
    assert!(
        s.record_award(
            &NewAward {
                tender_id: id,
                round: 1,
                bid_id,
                bidder: bidder.org,
                amount_tax_exclusive: Some(amount),
                amount_tax_inclusive: Some(amount * 11 / 10),
                decided_by: buyer.user,
                decided_at: decided,
            },
            TenderStatus::Opened,
            &step(Transition::Award, decided, Some(buyer.user)),
            &[],
            tender_audit("tender.award", Some(buyer.user)),
            &[],
        )
        .await
        .unwrap()
    );
}

/// Three awards and one opened tender without an award.
struct Awards {
    /// 小田原市, 神奈川県, 物品, ¥1,000,000, 2030-02-01; a winner whose name
    /// has a quote and a comma.
    goods: TenderId,
    /// Its winner's 法人番号.
    goods_winner_number: String,
    /// 箱根町, 神奈川県, 工事, ¥5,000,000, 2030-02-10; a name with a line break.
    works: TenderId,
    /// 小田原市, 東京都, 役務, ¥300,000, 2030-03-01.
    services: TenderId,
    odawara: OrgId,
}

const QUOTED: &str = "株式会社\"三,和\"";
const BROKEN: &str = "箱根土木\n本店";

/// The awards, their index jobs queued at `now`.
async fn some_awards(s: &dyn Storage, now: DateTime<Utc>) -> Awards {
    let odawara = party(
        s,
        "clerk@odawara.example.jp",
        OrgKind::PublicBody,
        "小田原市",
    )
    .await;
    let hakone = party(s, "clerk@hakone.example.jp", OrgKind::PublicBody, "箱根町").await;
    let sanwa = party(s, "sanwa@example.jp", OrgKind::Supplier, QUOTED).await;
    let doboku = party(s, "doboku@example.jp", OrgKind::Supplier, BROKEN).await;
    let sekkei = party(s, "sekkei@example.jp", OrgKind::Supplier, "東京設計").await;
    let hidden = party(s, "hidden@example.jp", OrgKind::Supplier, "未決定工業").await;
    let lot = |title, prefecture, category| Lot {
        title,
        prefecture,
        category,
    };
    let goods = opened_or_awarded(
        s,
        &odawara,
        &sanwa,
        lot("庁用封筒の購入", "14", Category::Goods),
        Some(1_000_000),
        jst(2, 1),
        now,
    )
    .await;
    let works = opened_or_awarded(
        s,
        &hakone,
        &doboku,
        lot("町道舗装補修工事", "14", Category::Works),
        Some(5_000_000),
        jst(2, 10),
        now,
    )
    .await;
    let services = opened_or_awarded(
        s,
        &odawara,
        &sekkei,
        lot("東京事務所の設計業務", "13", Category::Services),
        Some(300_000),
        jst(3, 1),
        now,
    )
    .await;
    // Opened, not decided: never an award.
    opened_or_awarded(
        s,
        &hakone,
        &hidden,
        lot("町民会館の清掃", "14", Category::Services),
        None,
        jst(3, 2),
        now,
    )
    .await;
    let goods_winner_number = s
        .organization(sanwa.org)
        .await
        .unwrap()
        .unwrap()
        .corporate_number
        .unwrap()
        .as_str()
        .to_owned();
    Awards {
        goods,
        goods_winner_number,
        works,
        services,
        odawara: odawara.org,
    }
}

/// A minimal RFC 4180 reader: records of fields, quotes undone.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR only before LF");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, '\n') => panic!("a bare LF ends a record"),
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && record.is_empty(),
        "the last record ends with CRLF"
    );
    records
}

/// The CSV bytes: BOM, then records; the header checked, the rows returned.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    assert_eq!(&bytes[..3], [0xEF, 0xBB, 0xBF], "UTF-8 BOM");
    let mut records = parse_csv(std::str::from_utf8(&bytes[3..]).unwrap());
    let header = records.remove(0);
    assert_eq!(header, CSV_COLUMNS);
    for r in &records {
        assert_eq!(r.len(), CSV_COLUMNS.len(), "{r:?}");
    }
    records
}

fn tender_ids(rows: &[Vec<String>]) -> Vec<TenderId> {
    rows.iter().map(|r| r[1].parse().unwrap()).collect()
}

async fn the_csv_holds_one_row_per_award_of_the_filter(db: TestDb) {
    let clock = ManualClock::new(t1());
    let n = node(&db, &clock, &db.data_path().join("search"));
    let a = some_awards(&*db.storage, t1()).await;
    n.drain().await;
    let svc = &n.services;
    let csv =
        |search: TenderSearch| async move { csv_rows(&svc.awards_csv(&search).await.unwrap()) };

    // Every award, newest decision first, one row each.
    let newest = TenderSearch {
        sort: Sort::Awarded,
        ..TenderSearch::default()
    };
    let bytes = svc.awards_csv(&newest).await.unwrap();
    let raw = String::from_utf8(bytes.clone()).unwrap();
    assert!(raw.contains("\"株式会社\"\"三,和\"\"\""), "{raw}");
    assert!(raw.contains("\"箱根土木\n本店\""), "{raw}");
    let rows = csv_rows(&bytes);
    assert_eq!(tender_ids(&rows), [a.services, a.works, a.goods]);
    let base = "http://musubi.test";
    assert_eq!(
        rows[2],
        [
            "2030-02-01 10:00:00",
            &a.goods.to_string(),
            "庁用封筒の購入",
            "入札",
            "物品",
            "一般競争",
            "神奈川県",
            "小田原市",
            QUOTED,
            &a.goods_winner_number,
            "1000000",
            "1100000",
            &format!("{base}/tenders/{}/results", a.goods),
        ]
        .map(str::to_owned)
    );
    assert_eq!(rows[1][8], BROKEN);
    assert_eq!(rows[1][9].len(), 13, "the winner's 法人番号");
    assert!(
        !raw.contains("未決定工業"),
        "an undecided opening is no award"
    );

    // Each filter.
    let with = |f: fn(&mut TenderSearch)| {
        let mut s = newest.clone();
        f(&mut s);
        s
    };
    let cases: [(TenderSearch, Vec<TenderId>); 6] = [
        (
            with(|s| s.prefectures = vec!["13".into()]),
            vec![a.services],
        ),
        (with(|s| s.categories = vec!["works".into()]), vec![a.works]),
        (
            TenderSearch {
                buyer: Some(a.odawara),
                ..newest.clone()
            },
            vec![a.services, a.goods],
        ),
        (
            with(|s| {
                s.awarded_from = Some(jst(2, 5));
                s.awarded_to = Some(jst(2, 28));
            }),
            vec![a.works],
        ),
        (
            with(|s| {
                s.amount_min = Some(500_000);
                s.amount_max = Some(2_000_000);
            }),
            vec![a.goods],
        ),
        (with(|s| s.q = "三,和".into()), vec![a.goods]),
    ];
    for (search, want) in cases {
        assert_eq!(tender_ids(&csv(search.clone()).await), want, "{search:?}");
        assert_eq!(n.award_ids(search).await, want);
    }
    // The page's paging does not cut the export; its order is kept.
    let by_amount = TenderSearch {
        sort: Sort::AmountDesc,
        offset: 2,
        limit: 1,
        ..TenderSearch::default()
    };
    assert_eq!(
        tender_ids(&csv(by_amount.clone()).await),
        [a.works, a.goods, a.services]
    );
    let page = svc.search_awards(&by_amount).await.unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(
        page.hits.iter().map(|h| h.tender_id).collect::<Vec<_>>(),
        [a.services]
    );
    // Nothing matches: the header alone.
    assert!(csv(with(|s| s.q = "該当なし".into())).await.is_empty());
}

// --- through the server ------------------------------------------------------------

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

/// The raw answer (bytes untouched: a text decoder would eat the BOM).
async fn raw(base: &str, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let r = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.bytes().await.unwrap().to_vec())
}

async fn awards_page_api_and_csv_through_the_server(db: TestDb) {
    let server = start(&db);
    let base = server.base.clone();
    let mut c = Client::new(&base);
    let a = some_awards(&*db.storage, Utc::now()).await;

    // The server's worker indexes them from the outbox (four tenders,
    // three awards).
    let deadline = Instant::now() + Duration::from_secs(20);
    let listed = loop {
        let r = c.get("/api/v1/awards").await;
        assert_eq!(r.status, 200, "{}", r.text);
        let tenders = c.get("/api/v1/search/tenders").await;
        if r.body["total"] == 3 && tenders.body["total"] == 4 {
            break r;
        }
        assert!(
            Instant::now() < deadline,
            "not indexed after 20 s: {}",
            r.text
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    // The API: newest decision first, each award with its tender.
    let items = listed.body["items"].as_array().unwrap();
    let ids: Vec<i64> = items
        .iter()
        .map(|i| i["tender_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [a.services, a.works, a.goods]);
    let goods = &items[2];
    assert_eq!(goods["winner"]["name"], QUOTED);
    assert_eq!(goods["winner"]["corporate_number"], a.goods_winner_number);
    assert_eq!(goods["amount_tax_exclusive"], 1_000_000);
    assert_eq!(goods["amount_tax_inclusive"], 1_100_000);
    assert_eq!(goods["awarded_at"], "2030-02-01T01:00:00Z");
    assert_eq!(goods["buyer"]["name"], "小田原市");
    assert_eq!(goods["prefecture"], "14");
    assert!(
        goods["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/tenders/{}/results", a.goods))
    );
    let r = c
        .get("/api/v1/awards?per_page=1&page=2&sort=amount_desc")
        .await;
    assert_eq!(
        (&r.body["total"], &r.body["page"], &r.body["per_page"]),
        (&json!(3), &json!(2), &json!(1))
    );
    assert_eq!(r.body["items"][0]["tender_id"], a.goods);
    let r = c
        .get(&format!("/api/v1/awards?q={}&prefecture=14", enc("箱根")))
        .await;
    assert_eq!(r.body["total"], 1, "{}", r.text);
    assert_eq!(r.body["items"][0]["tender_id"], a.works);
    // The tender search: the awarded filter, its facet and the award.
    let r = c.get("/api/v1/search/tenders?awarded=1&sort=awarded").await;
    assert_eq!(r.body["total"], 3, "{}", r.text);
    assert_eq!(
        r.body["facets"]["awarded"],
        json!([{ "value": "awarded", "count": 3 }])
    );
    assert_eq!(r.body["items"][0]["award"]["winner"]["name"], "東京設計");
    let r = c.get("/api/v1/search/tenders").await;
    let undecided = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "町民会館の清掃")
        .unwrap();
    assert!(undecided["award"].is_null());
    let r = c
        .get(&format!("/api/v1/search/tenders?q={}", enc("未決定工業")))
        .await;
    assert_eq!(
        r.body["total"], 0,
        "a bidder is not searchable without an award"
    );

    // The page: Japanese first, English second; rows link to the results.
    let r = c.get("/awards").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let page = r.text.replace("&#38;", "&").replace("&amp;", "&");
    assert!(page.contains(r#"<html lang="ja""#));
    for needle in [
        "<h1>落札情報</h1>",
        r#"href="/awards" data-test="nav-awards">落札情報"#,
        "3件",
        &format!(r#"href="/tenders/{}/results""#, a.goods),
        r#"href="/awards.csv" data-test="csv-link""#,
        "1,100,000円",
        "2030年2月1日 10:00",
        "東京設計",
        "落札決定日の新しい順",
    ] {
        assert!(page.contains(needle), "{needle}: {page}");
    }
    assert_eq!(page.matches(r#"data-test="award""#).count(), 3);
    assert!(!page.contains("未決定工業"));
    let r = c.get("/awards?lang=en").await;
    assert!(r.text.contains(r#"<html lang="en""#) && r.text.contains("<h1>Awards</h1>"));
    assert!(r.text.contains("¥1,100,000"));
    // A search and its filters come back in the form and in the CSV link.
    let query = format!(
        "q={}&category=works&awarded_from=2030-02-05&awarded_to=2030-02-28&amount_min=1000000&sort=amount_asc",
        enc("舗装")
    );
    let r = c.get(&format!("/awards?{query}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let page = r.text.replace("&#38;", "&");
    assert_eq!(page.matches(r#"data-test="award""#).count(), 1);
    assert!(
        page.contains(&format!(r#"href="/awards.csv?{query}""#)),
        "{page}"
    );
    for needle in [
        r#"name="awarded_from" value="2030-02-05""#,
        r#"name="amount_min" value="1000000""#,
        r#"<option value="works" selected>"#,
        r#"<option value="amount_asc" selected>"#,
    ] {
        assert!(page.contains(needle), "{needle}");
    }
    // The search page links the awards and filters by award.
    let r = c.get("/search").await;
    assert!(r.text.contains(r#"href="/awards" data-test="awards-link""#));
    let r = c.get("/search?awarded=1").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text.matches(r#"data-test="hit-award""#).count(), 3);

    // The CSV of a filter, from the page's link and from the API alike.
    let (status, headers, bytes) = raw(&base, &format!("/awards.csv?{query}")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"musubi-awards-")
    );
    assert_eq!(tender_ids(&csv_rows(&bytes)), [a.works]);
    let (_, _, all) = raw(&base, "/awards.csv").await;
    let rows = csv_rows(&all);
    assert_eq!(tender_ids(&rows), [a.services, a.works, a.goods]);
    assert!(rows[0][12].starts_with("http"), "absolute results links");
    let (status, _, api) = raw(&base, "/api/v1/awards.csv").await;
    assert_eq!((status, api), (200, all));

    // Bad filters: 400 naming the parameter (page), stable codes (API).
    // (A new client: `c` chose English above.)
    let mut c = Client::new(&base);
    let r = c.get("/awards?amount_min=abc&awarded_to=2030-13-01").await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(
        r.text.contains("（amount_min）") && r.text.contains("（awarded_to）"),
        "{}",
        r.text
    );
    assert!(r.text.contains(r#"role="alert""#));
    for (url, param) in [
        ("awarded_from=2030%2F02%2F01", "awarded_from"),
        ("amount_max=-5", "amount_max"),
        ("winner=abc", "winner"),
        ("prefecture=99", "prefecture"),
        ("sort=cheapest", "sort"),
        ("per_page=51", "per_page"),
    ] {
        let r = c.get(&format!("/api/v1/awards?{url}")).await;
        assert_eq!(
            (r.status.as_u16(), code(&r.body)),
            (400, "invalid_parameter"),
            "{url}: {}",
            r.text
        );
        assert!(r.body["error"]["fields"][param].is_string(), "{url}");
    }
    let r = c.get(&format!("/api/v1/awards?q={}", enc("(清掃"))).await;
    assert_eq!(
        (r.status.as_u16(), code(&r.body)),
        (400, "query_unbalanced")
    );
    let r = c.get("/api/v1/awards.csv?category=food").await;
    assert_eq!(
        (r.status.as_u16(), code(&r.body)),
        (400, "invalid_parameter")
    );
    assert!(r.body["error"]["fields"]["category"].is_string());
    let (status, headers, _) = raw(&base, "/awards.csv?winner=x").await;
    assert_eq!(status, 400);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "the page's CSV link answers errors as a page"
    );
}
