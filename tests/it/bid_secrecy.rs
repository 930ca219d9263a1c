//! The secrecy walk, on both databases: with sealed bids in and the tenders
//! not yet opened, every route of the route table (the table the
//! authorization matrix walks), searches for the bids' contents, and the
//! server's log, as anonymous, another supplier, the buyer, a coordinator,
//! a platform administrator and the bidder itself. Nothing of a bid may
//! show: no amount (in any of its renderings), no くじ番号, no proposal
//! text, no salt or commitment, no bid count, no bidder named as bidder.
//!
//! The strongest check is differential: everyone's responses are recorded
//! before a bid arrives and after, and must be the same bytes once
//! per-request values (the CSRF token, the request id) are masked. The
//! bidder's own view changes by its receipt when it bids, and then must not
//! change when another supplier bids. At the end the tenders are opened and
//! their results show the amounts and くじ番号: the needles match when there
//! is something to find.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use musubi_app::tenders::BidInput;
use musubi_app::{AppConfig, ManualClock, RequestCtx, Services};
use musubi_domain::tender::{AwardMethod, TenderKind};
use musubi_domain::{OrgKind, TaxExclusive, Yen};
use reqwest::Method;
use serde_json::json;

use crate::portal::{Client, PASSWORD, Reply, create_admin, signed_up, start};
use crate::support::{
    TestDb, both_backends, eligible_supplier, org_member, published, session_client, tender_content,
};

both_backends!(nothing_of_a_bid_shows_before_the_opening);

/// Bidder A's sealed bid, and B's (which even A must not see).
const AMOUNT_A: i64 = 98_765_432;
const AMOUNT_B: i64 = 87_654_321;
const LOTTERY_A: &str = "731";
const LOTTERY_A_PROPOSAL: &str = "846";
const LOTTERY_B: &str = "592";
const PROPOSAL: &str = "量子結び目工法による庁舎の省エネルギー改修（秘匿提案）";
const BIDDER_A: &str = "秘密入札工業株式会社";
const BIDDER_B: &str = "匿名札入商事株式会社";

/// Every way a page or a file might write `amount`: digits, with commas,
/// full-width, as 円 and ¥, 万 notation, and with the 10% tax.
fn renderings(amount: i64) -> Vec<String> {
    let mut out = Vec::new();
    for a in [amount, amount * 11 / 10] {
        let plain = a.to_string();
        let commas = Yen::new(a).format_ja().trim_end_matches('円').to_owned();
        let wide = |s: &str| -> String {
            s.chars()
                .map(|c| match c {
                    '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap(),
                    ',' => '，',
                    c => c,
                })
                .collect()
        };
        let man = format!("{}万{}", a / 10_000, a % 10_000);
        let man_commas = format!(
            "{}万{}",
            Yen::new(a / 10_000).format_ja().trim_end_matches('円'),
            Yen::new(a % 10_000).format_ja().trim_end_matches('円')
        );
        out.extend([wide(&plain), wide(&commas), plain, commas, man, man_commas]);
    }
    out
}

struct Actor {
    name: &'static str,
    client: Client,
}

/// One response as compared: status, the headers that describe the
/// content, and the body with per-request values masked.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

/// Headers a cache or a client would act on.
const COMPARED_HEADERS: [&str; 6] = [
    "etag",
    "last-modified",
    "cache-control",
    "content-type",
    "location",
    "vary",
];

fn seen(actor: &Actor, r: &Reply) -> Seen {
    let mut body = r.text.clone();
    if let Some(csrf) = actor.client.cookies.get("musubi_csrf") {
        body = body.replace(csrf.as_str(), "{csrf}");
    }
    if let Some(id) = r.headers.get("x-request-id").and_then(|v| v.to_str().ok()) {
        body = body.replace(id, "{request-id}");
    }
    Seen {
        status: r.status.as_u16(),
        headers: COMPARED_HEADERS
            .iter()
            .filter_map(|h| {
                r.headers
                    .get(*h)
                    .map(|v| (h.to_string(), v.to_str().unwrap_or("?").to_owned()))
            })
            .collect(),
        body,
    }
}

/// (method, concrete path) of every route, with each placeholder given the
/// values that matter here: both tenders, both bidders' organisations,
/// every id a bid can have (and one it cannot). Routes that would end the
/// session or change who is who are given ids that do not exist.
fn targets(tenders: &[i64], orgs: &[i64], bid_ids: &[i64]) -> Vec<(Method, String)> {
    let mut out = Vec::new();
    for (method, template, _) in musubi_web::routes::table() {
        if template.ends_with("/logout") {
            // Ends the session; reveals nothing of anything.
            continue;
        }
        if (method == Method::POST && template == "/organizations/{id}")
            || (method == Method::PATCH && template == "/api/v1/organizations/{id}")
        {
            // An empty edit is a no-op update that still writes an audit
            // line, so the audit log (compared below) would change with
            // every walk.
            continue;
        }
        let mut paths = vec![template.to_owned()];
        let expand = |paths: Vec<String>, key: &str, values: &[String]| -> Vec<String> {
            paths
                .into_iter()
                .flat_map(|p| {
                    if p.contains(key) {
                        values.iter().map(|v| p.replace(key, v)).collect()
                    } else {
                        vec![p]
                    }
                })
                .collect()
        };
        let strings = |v: &[i64]| v.iter().map(i64::to_string).collect::<Vec<_>>();
        let id_values = if template.contains("/tenders/{id}") {
            strings(tenders)
        } else if template.starts_with("/admin/")
            || template.starts_with("/api/v1/admin/")
            || template.contains("/tokens/{id}")
        {
            // Not the bidders: an administrator's empty form must not
            // suspend or decide anyone walked here.
            vec!["999999".to_owned()]
        } else {
            strings(orgs)
        };
        paths = expand(paths, "{id}", &id_values);
        paths = expand(paths, "{bid}", &strings(bid_ids));
        paths = expand(paths, "{qid}", &["1".to_owned()]);
        paths = expand(paths, "{aid}", &["1".to_owned()]);
        paths = expand(paths, "{name}", &["musubi.css".to_owned()]);
        paths = expand(paths, "{index}", &["0".to_owned()]);
        // Every signed head of the log (its entries are walked by the
        // entries route's default page).
        paths = expand(paths, "{size}", &strings(&[1, 2, 3, 4, 5, 6]));
        assert!(
            paths.iter().all(|p| !p.contains('{')),
            "a placeholder this walk does not fill: {template}"
        );
        out.extend(paths.into_iter().map(|p| (method.clone(), p)));
    }
    out
}

/// Searches and pages beyond the table's bare paths: the bids' contents
/// and the bidders' names as queries, the tender pages in English.
fn extra_targets(tenders: &[i64]) -> Vec<(Method, String)> {
    let mut out = Vec::new();
    let queries = [
        "98765432",
        "98,765,432",
        "９８，７６５，４３２",
        "87654321",
        LOTTERY_A,
        LOTTERY_B,
        "量子結び目工法",
        BIDDER_A,
        BIDDER_B,
        "入札済み",
        "秘匿",
    ];
    for q in queries {
        let q = musubi_web::routes::percent_encode(q);
        for path in [
            format!("/search?q={q}"),
            format!("/api/v1/search/tenders?q={q}"),
            format!("/search/companies?q={q}"),
            format!("/api/v1/search/companies?q={q}"),
            format!("/tenders?q={q}"),
            format!("/api/v1/tenders?q={q}"),
        ] {
            out.push((Method::GET, path));
        }
    }
    for id in tenders {
        for path in [
            format!("/tenders/{id}?lang=en"),
            format!("/tenders/{id}/results?lang=en"),
            format!("/tenders/{id}/history?lang=en"),
        ] {
            out.push((Method::GET, path));
        }
    }
    out.push((Method::GET, "/search?q=".to_owned()));
    out.push((Method::GET, "/search?q=&status=tendering".to_owned()));
    out.push((
        Method::GET,
        "/api/v1/search/tenders?q=&facets=true".to_owned(),
    ));
    out
}

type Walk = BTreeMap<(&'static str, String, String), Seen>;

/// Every target as every actor; writes with an empty body, as the
/// authorization matrix sends them. The language is reset to Japanese
/// after each English page.
async fn walk(actors: &mut [Actor], targets: &[(Method, String)]) -> Walk {
    let mut out = Walk::new();
    for actor in actors.iter_mut() {
        // Each walk starts with everything read: the walk itself writes
        // events (an empty form, a favourite) and reads the inbox, so the
        // unread badge would otherwise depend on the walk before.
        actor
            .client
            .post("/api/v1/me/notifications/read", json!({}))
            .await;
        for (method, path) in targets {
            let r = if *method == Method::GET || path.starts_with("/api/") {
                let body = (*method != Method::GET && *method != Method::DELETE).then(|| json!({}));
                actor.client.send(method.clone(), path, body).await
            } else {
                actor.client.form(path, &[]).await
            };
            out.insert(
                (actor.name, method.to_string(), path.clone()),
                seen(actor, &r),
            );
            if path.contains("lang=en") {
                actor.client.get("/?lang=ja").await;
            }
        }
    }
    out
}

/// The first line where two bodies differ, for the failure message.
fn first_difference(a: &str, b: &str) -> String {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!(
                "line {}:\n  before: {}\n  after:  {}",
                i + 1,
                x.trim(),
                y.trim()
            );
        }
    }
    format!("lengths {} and {}", a.len(), b.len())
}

/// Where the responses of `who` (all actors if empty) differ between two
/// walks; `/metrics` aside, whose counters count the walks themselves (its
/// bid routes are checked on their own).
fn differences(before: &Walk, after: &Walk, who: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for (key, b) in before {
        if !who.is_empty() && !who.contains(&key.0) {
            continue;
        }
        if key.2 == "/metrics" || is_transparency_log(&key.2) {
            continue;
        }
        let a = &after[key];
        if a != b {
            out.push(format!(
                "{} {} {}: status {} → {}, headers {:?} → {:?}, {}",
                key.0,
                key.1,
                key.2,
                b.status,
                a.status,
                b.headers,
                a.headers,
                first_difference(&b.body, &a.body)
            ));
        }
    }
    out
}

/// The decoded `q=` of a path: a search page shows its query back.
fn query_of(path: &str) -> String {
    let Some(q) = path.split(['?', '&']).find_map(|kv| kv.strip_prefix("q=")) else {
        return String::new();
    };
    let bytes = q.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&q[i + 1..i + 3], 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// Where any of `needles` shows in the responses of `who` (except a search
/// page showing its own query back: the walks' comparison covers those).
/// `s` with every run of 16 or more hex/base64 characters replaced by
/// `{token}`.
fn without_long_tokens(s: &str) -> String {
    let token = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=');
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    for c in s.chars().chain(std::iter::once(' ')) {
        if token(c) {
            run.push(c);
            continue;
        }
        if run.len() >= 16 {
            out.push_str("{token}");
        } else {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    out.pop();
    out
}

/// The transparency log's pages and API publish every bid's commitment as
/// it arrives (issue 7: the entry holds the commitment only — salted, it
/// tells nothing of the bid, and not which tender it is for), so they change
/// when a bid arrives and show commitments; nothing else of a bid.
fn is_transparency_log(path: &str) -> bool {
    path.starts_with("/transparency") || path.starts_with("/api/v1/transparency")
}

/// Where `who` see a needle; `log_public` are needles the transparency log
/// publishes (the commitments), allowed on its paths only.
fn needles_in(walk: &Walk, who: &[&str], needles: &[String], log_public: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for ((actor, method, path), s) in walk {
        if !who.contains(actor) {
            continue;
        }
        let query = query_of(path);
        let allowed: &[String] = if is_transparency_log(path) {
            log_public
        } else {
            &[]
        };
        for n in needles
            .iter()
            .filter(|n| !query.contains(n.as_str()))
            .filter(|n| !allowed.contains(n))
        {
            let found = s.body.contains(n.as_str())
                || s.headers.iter().any(|(_, v)| v.contains(n.as_str()));
            if found {
                let at = s.body.find(n.as_str()).unwrap_or(0);
                let from = s.body.floor_char_boundary(at.saturating_sub(60));
                let to = s
                    .body
                    .ceil_char_boundary((at + n.len() + 60).min(s.body.len()));
                out.push(format!(
                    "{actor} {method} {path} shows {n:?}: …{}…",
                    &s.body[from..to]
                ));
            }
        }
    }
    out
}

/// `text` without terminal colour codes (`ESC [ … m`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Waits until the worker has drained the queue (search documents written).
async fn settle(db: &TestDb) {
    let started = Instant::now();
    loop {
        let c = db.storage.job_counts().await.unwrap();
        if c.queued == 0 && c.running == 0 {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "jobs stuck: {c:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn nothing_of_a_bid_shows_before_the_opening(db: TestDb) {
    // The real server runs on the wall clock: tenders taking bids now.
    let now = Utc::now();
    let storage = &*db.storage;
    let clock = ManualClock::new(now);
    let svc = Services::new(
        std::sync::Arc::clone(&db.storage),
        std::sync::Arc::new(clock.clone()),
        AppConfig {
            base_url: "http://musubi.test".into(),
            data_dir: db.data_path().to_path_buf(),
            ..AppConfig::default()
        },
    );
    let buyer = org_member(
        storage,
        "keiyaku@himitsu.example.jp",
        OrgKind::PublicBody,
        "架空市役所",
        now,
    )
    .await;
    let a = eligible_supplier(&svc, "a@himitsu.example.jp", BIDDER_A, now).await;
    let b = eligible_supplier(&svc, "b@himitsu.example.jp", BIDDER_B, now).await;
    let other = eligible_supplier(&svc, "c@himitsu.example.jp", "傍観商事株式会社", now).await;
    let publish_at = now - TimeDelta::days(2);
    let mut sealed = tender_content("本庁舎空調設備更新工事", publish_at);
    sealed.reserve_price = Some(TaxExclusive::new(Yen::new(123_456_789)));
    let mut proposal = tender_content("庁舎省エネルギー改修の企画提案", publish_at);
    proposal.kind = TenderKind::Proposal;
    proposal.award_method = AwardMethod::ProposalEvaluation;
    proposal.reserve_price = None;
    let mut tenders = Vec::new();
    for c in [&sealed, &proposal] {
        let id = published(
            storage,
            buyer.org_id().unwrap(),
            buyer.user_id,
            c,
            publish_at,
        )
        .await;
        storage
            .enqueue_jobs(&[musubi_app::search::tender_job(id)], now)
            .await
            .unwrap();
        tenders.push(id);
    }
    // Taking bids before anyone looks (the step is not the bids' doing).
    svc.advance_due_tenders(now).await.unwrap();
    let (sealed_id, proposal_id) = (tenders[0], tenders[1]);

    create_admin(&db, "admin@himitsu.example.jp");
    let server = start(&db);
    let mut admin = Client::new(&server.base);
    let r = admin
        .post(
            "/api/v1/auth/login",
            json!({"email": "admin@himitsu.example.jp", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut coordinator = signed_up(&server, "coordinator@himitsu.example.jp", "調整 役子").await;
    let coordinator_id = coordinator.get("/api/v1/me").await.body["id"]
        .as_i64()
        .unwrap();
    let r = admin
        .send(
            Method::PUT,
            &format!("/api/v1/admin/users/{coordinator_id}/role"),
            Some(json!({"role": "coordinator", "prefectures": ["13"]})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let mut anonymous = Client::new(&server.base);
    anonymous.get("/").await;
    let mut actors = vec![
        Actor {
            name: "anonymous",
            client: anonymous,
        },
        Actor {
            name: "another supplier",
            client: session_client(storage, &server.base, &other, now).await,
        },
        Actor {
            name: "buyer",
            client: session_client(storage, &server.base, &buyer, now).await,
        },
        Actor {
            name: "coordinator",
            client: coordinator,
        },
        Actor {
            name: "platform admin",
            client: admin,
        },
        Actor {
            name: "bidder",
            client: session_client(storage, &server.base, &a, now).await,
        },
    ];
    const ACTORS: [&str; 6] = [
        "anonymous",
        "another supplier",
        "buyer",
        "coordinator",
        "platform admin",
        "bidder",
    ];
    const OTHERS: [&str; 5] = [
        "anonymous",
        "another supplier",
        "buyer",
        "coordinator",
        "platform admin",
    ];
    settle(&db).await;
    let r = actors[0]
        .client
        .get(&format!(
            "/api/v1/search/tenders?q={}",
            musubi_web::routes::percent_encode("本庁舎空調設備更新工事")
        ))
        .await;
    assert!(
        r.text.contains(&format!("\"id\":{sealed_id}")),
        "indexed: {}",
        r.text
    );

    // A fresh database: the bids below get ids 1 to 3; 4 never exists.
    let bid_ids = [1, 2, 3, 4];
    let orgs = [a.org_id().unwrap(), b.org_id().unwrap()];
    let mut all = targets(&tenders, &orgs, &bid_ids);
    all.extend(extra_targets(&tenders));

    // Once to settle what an empty form changes, then before any bid.
    walk(&mut actors, &all).await;
    let before = walk(&mut actors, &all).await;

    // A bids on both tenders, through the API and the form.
    let bidder = &mut actors[5].client;
    let r = bidder
        .post(
            &format!("/api/v1/tenders/{sealed_id}/bids"),
            json!({"amount": AMOUNT_A, "lottery_number": LOTTERY_A}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let receipt_a = r.body["receipt"].clone();
    let r = bidder
        .form(
            &format!("/tenders/{proposal_id}/bids"),
            &[
                ("proposal", PROPOSAL),
                ("lottery_number", LOTTERY_A_PROPOSAL),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("提出を受け付けました"), "{}", r.text);
    let a_bids = storage
        .bids_of(sealed_id, orgs[0])
        .await
        .unwrap()
        .into_iter()
        .chain(storage.bids_of(proposal_id, orgs[0]).await.unwrap())
        .collect::<Vec<_>>();
    assert_eq!(a_bids.len(), 2);
    settle(&db).await;
    let after_a = walk(&mut actors, &all).await;

    // B bids on the sealed tender (through the services: it is not walked).
    let submitted_b = svc
        .submit_bid(
            &b,
            sealed_id,
            &BidInput {
                amount: AMOUNT_B.to_string(),
                lottery_number: LOTTERY_B.into(),
                proposal: String::new(),
            },
            &RequestCtx::default(),
        )
        .await
        .unwrap();
    let mut ids: Vec<i64> = a_bids.iter().map(|b| b.id).collect();
    ids.push(submitted_b.bid_id);
    ids.sort_unstable();
    assert_eq!(ids, [1, 2, 3], "the walk's bid ids are the bids' ids");
    settle(&db).await;
    let after_b = walk(&mut actors, &all).await;

    // Everyone stayed signed in and saw the tenders, all walk long.
    for actor in ACTORS {
        for path in [format!("/tenders/{sealed_id}"), "/api/v1/me".to_owned()] {
            let status = after_b[&(actor, "GET".to_owned(), path.clone())].status;
            let want = if actor == "anonymous" && path == "/api/v1/me" {
                401
            } else {
                200
            };
            assert_eq!(status, want, "{actor} {path}");
        }
    }
    eprintln!(
        "secrecy walk: {} requests per walk ({} targets × {} callers), 4 walks",
        before.len(),
        all.len(),
        ACTORS.len()
    );
    let mut failures = Vec::new();
    // Nobody but the bidder sees any change when A bids; nobody at all
    // (A included) when B bids.
    failures.extend(differences(&before, &after_a, &OTHERS));
    failures.extend(differences(&after_a, &after_b, &[]));

    // Needles, for everyone at every stage: amounts, the proposal, B's
    // lottery entry, salts and commitments (A's own commitment may show
    // to A, on its receipt).
    let receipt_b = &submitted_b.receipt;
    let mut secret: Vec<String> = renderings(AMOUNT_A);
    secret.extend(renderings(AMOUNT_B));
    secret.extend([
        PROPOSAL.to_owned(),
        "量子結び目工法".to_owned(),
        receipt_a["salt"].as_str().unwrap().to_owned(),
        receipt_b.salt.clone(),
        receipt_b.receipt.commitment.clone(),
        receipt_b.receipt.signature.clone(),
    ]);
    let mut others_secret = secret.clone();
    others_secret.extend([
        receipt_a["commitment"].as_str().unwrap().to_owned(),
        receipt_a["signature"].as_str().unwrap().to_owned(),
    ]);
    let commitments = [
        receipt_a["commitment"].as_str().unwrap().to_owned(),
        receipt_b.receipt.commitment.clone(),
    ];
    for w in [&before, &after_a, &after_b] {
        failures.extend(needles_in(w, &OTHERS, &others_secret, &commitments));
        failures.extend(needles_in(w, &["bidder"], &secret, &commitments));
    }
    // The lottery numbers are three digits: masked out of the bidder's own
    // receipt values (signature, ids), they must not show more often than
    // before it bid.
    let mask = |s: &str| -> String {
        let mut s = s.to_owned();
        for v in ["commitment", "signature", "key_id", "received_at"] {
            if let Some(x) = receipt_a[v].as_str() {
                s = s.replace(x, "{receipt}");
            }
        }
        // And the receipt's log proof: hashes and signatures (hex, base64)
        // hold random runs of digits.
        without_long_tokens(&s)
    };
    for ((actor, method, path), s) in &after_b {
        // The route counters of /metrics are numbers that move anyway; the
        // log's pages change with every bid by design (hashes included).
        if *actor != "bidder" || path == "/metrics" || is_transparency_log(path) {
            continue;
        }
        let earlier = &before[&(*actor, method.clone(), path.clone())];
        for n in [LOTTERY_A, LOTTERY_A_PROPOSAL, LOTTERY_B] {
            let (was, is) = (
                mask(&earlier.body).matches(n).count(),
                mask(&s.body).matches(n).count(),
            );
            if is > was {
                failures.push(format!(
                    "bidder {method} {path}: {n} shows {is} times, {was} before"
                ));
            }
        }
    }
    // Route counters: no bid route is counted where anyone can read it.
    for w in [&after_a, &after_b] {
        for ((actor, _, path), s) in w {
            if path == "/metrics" {
                for line in s.body.lines().filter(|l| l.contains("/bids")) {
                    failures.push(format!("{actor} /metrics counts bids: {line}"));
                }
            }
        }
    }
    // The log (colours taken out): no amount, proposal, salt, lottery
    // entry or bidder name. It does keep one access line per request, bid
    // submissions included (method, path, status: the evidence that a
    // request arrived), as the database keeps the bids themselves.
    let log = strip_ansi(&std::fs::read_to_string(&server.log).unwrap());
    assert!(log.contains("/api/v1/tenders/"), "an empty server log");
    for n in secret.iter().map(String::as_str).chain([
        "lottery_number",
        "\"proposal\"",
        BIDDER_A,
        BIDDER_B,
    ]) {
        if log.contains(n) {
            failures.push(format!("the server log shows {n:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} leaks or changes before the opening:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // Opened: the same needles now match (they would have been caught).
    let opening = sealed.schedule.opening_at;
    clock.set(opening);
    svc.advance_due_tenders(opening).await.unwrap();
    let r = actors[0]
        .client
        .get(&format!("/tenders/{sealed_id}/results"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("98,765,432") && r.text.contains("87,654,321"));
    assert!(r.text.contains(LOTTERY_A) && r.text.contains(BIDDER_B));
    // Proposals are published by their digest.
    let r = actors[0]
        .client
        .get(&format!("/api/v1/tenders/{proposal_id}/results"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let digest = musubi_app::blobs::BlobStore::digest(PROPOSAL.as_bytes());
    assert!(
        r.text.contains(&digest) && r.text.contains(LOTTERY_A_PROPOSAL),
        "{}",
        r.text
    );
}
