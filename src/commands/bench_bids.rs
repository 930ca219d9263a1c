//! `musubi bench bids`: durable bid intake over HTTP, and the opening.
//!
//! 1. A fresh benchmark database (SQLite in `<data-dir>/bench/bids/`, or a
//!    database of its own on `--postgres`): one approved buyer, `--suppliers`
//!    demo supplier companies, each with a member and an API token (bulk,
//!    through storage), and two sealed-bid tenders taking bids.
//! 2. `--clients` keep-alive connections to a `musubi serve` child post
//!    sealed bids (`POST /api/v1/tenders/{id}/bids`, Bearer token, each bid
//!    from a supplier that has not bid yet) to ONE tender for `--seconds`.
//!    A 201 carries the receipt, which the server issues only after the
//!    commit that stores the bid.
//! 3. The physical baseline on the same file system with the same settings:
//!    single-row INSERT transactions from the same number of clients, at
//!    synchronous=FULL (durable against power loss, what the store uses) and
//!    NORMAL (for reference) on SQLite, or plain commits on PostgreSQL.
//! 4. The opening: `--open-bids` bids submitted to the second tender, then
//!    the clock is set past its opening time and one scheduler pass opens it
//!    (unseal, check every commitment, evaluate, 電子くじ, record) — timed.

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use musubi_app::demo::DemoGenerator;
use musubi_app::search::ReindexScope;
use musubi_app::secrets::{hash_password, new_token, token_digest};
use musubi_app::tenders::{BidInput, TenderInput};
use musubi_app::{Clock, RequestCtx, Services};
use musubi_domain::tender::{
    AwardMethod, Category, Contact, ContractMethod, Eligibility, Place, ReservePricePublication,
    Schedule, TenderContent, TenderKind, TenderStatus,
};
use musubi_domain::{
    Approval, EmailAddress, JsicCode, Membership, OrgKind, OrgRole, PlatformRole, Prefecture,
    Principal, TaxExclusive, Yen,
};
use musubi_storage::{
    ApiTokenImport, AuditEntry, DatabaseUrl, MemberImport, NewOrganization, NewUser, OrgId, Paging,
    SqliteStore, Storage, TenderId, TokenScope, UserId,
};
use sqlx::sqlite::{SqlitePoolOptions, SqliteSynchronous};

use super::bench::percentile;
use super::ensure_data_dir;
use super::http_client::Conn;
use crate::cli::GlobalArgs;

const JSON: &str = "application/json";

/// The issue's floor for durable bids per second on SQLite.
const TARGET_BIDS_PER_SECOND: f64 = 1_000.0;
/// The issue's budget for opening 10,000 bids.
const OPENING_BUDGET_S: f64 = 2.0;
/// The benchmark's own PostgreSQL database (dropped and made again each run).
const PG_DATABASE: &str = "musubi_bench_bids";
/// Bytes of the raw baseline's row: about a stored bid (sealed content,
/// commitment, signed receipt).
const RAW_ROW_BYTES: usize = 900;
/// 予定価格 of both tenders (税抜).
const RESERVE_YEN: i64 = 50_000_000;

pub struct Args {
    pub clients: usize,
    pub seconds: u64,
    pub suppliers: u64,
    pub open_bids: u64,
    pub postgres: Option<String>,
    pub json: bool,
}

/// The wall clock moved by an offset: the setup publishes "in the past" and
/// the opening happens "after the deadline" without waiting days.
struct OffsetClock(AtomicI64);

impl OffsetClock {
    fn set_now(&self, to: DateTime<Utc>) {
        let offset = (to - Utc::now()).num_microseconds().unwrap_or(0);
        self.0.store(offset, Ordering::SeqCst);
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::microseconds(self.0.load(Ordering::SeqCst))
    }
}

/// A supplier who bids: its organisation, its member, the member's token.
struct Bidder {
    org: OrgId,
    user: UserId,
    token: String,
}

impl Bidder {
    fn principal(&self) -> Principal {
        Principal {
            user_id: self.user,
            platform_role: PlatformRole::User,
            suspended: false,
            membership: Some(Membership {
                org_id: self.org,
                kind: OrgKind::Supplier,
                approval: Approval::NotRequired,
                role: OrgRole::Admin,
            }),
        }
    }
}

/// The amount and くじ番号 of bid `n`: amounts repeat every 1,000 bids, so
/// from 1,001 bids on the lowest is tied and the 電子くじ decides.
fn bid_values(n: u64) -> (i64, String) {
    let amount = RESERVE_YEN - 10_000_000 + (n % 1_000) as i64 * 1_000;
    (amount, format!("{:03}", n.wrapping_mul(7919) % 1_000))
}

/// The first value under `key` anywhere in `v`.
fn find_key<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    match v {
        serde_json::Value::Object(m) => m
            .get(key)
            .or_else(|| m.values().find_map(|x| find_key(x, key))),
        serde_json::Value::Array(a) => a.iter().find_map(|x| find_key(x, key)),
        _ => None,
    }
}

pub(super) fn say(quiet: bool, line: impl AsRef<str>) {
    if !quiet {
        eprintln!("{}", line.as_ref());
    }
}

pub(super) fn progress(quiet: bool, line: impl AsRef<str>) {
    if !quiet {
        eprint!("\r  {}   ", line.as_ref());
        let _ = std::io::stderr().flush();
    }
}

pub async fn run(global: &GlobalArgs, args: Args) -> Result<()> {
    if args.clients == 0 || args.seconds == 0 {
        bail!("--clients and --seconds must be at least 1");
    }
    if args.suppliers < args.open_bids {
        bail!(
            "--suppliers ({}) must be at least --open-bids ({}): each bid comes from a supplier of its own",
            args.suppliers,
            args.open_bids
        );
    }
    let quiet = args.json;
    let (dir, url, storage) =
        fresh_bench_store(global, "bids", args.postgres.as_deref(), PG_DATABASE).await?;
    let clock = Arc::new(OffsetClock(AtomicI64::new(0)));
    let mut config = super::app_config(global, "http://bench".into());
    config.data_dir = dir.clone();
    let min_days = i64::from(config.min_publication_days);
    let services = Services::new(Arc::clone(&storage), clock.clone(), config);
    // The keys (master and receipt signing) exist before the server starts,
    // so both processes use the same.
    services
        .bid_keys()
        .map_err(|e| anyhow!("cannot create the sealing keys in {}: {e}", dir.display()))?;

    // 1. Parties and tenders.
    say(
        quiet,
        format!(
            "setting up {} suppliers with members and API tokens in {url}",
            args.suppliers
        ),
    );
    let started = Instant::now();
    let bidders = suppliers(&services, args.suppliers, quiet).await?;
    let setup_s = started.elapsed().as_secs_f64();
    say(
        quiet,
        format!(
            "  {} suppliers ready in {setup_s:.1} s ({:.0}/s)",
            bidders.len(),
            bidders.len() as f64 / setup_s
        ),
    );
    let buyer = buyer(&*storage).await?;
    let real_now = Utc::now();
    let published = real_now - chrono::Duration::days(2);
    let days = |d: i64| chrono::Duration::days(d);
    let hours = |h: i64| chrono::Duration::hours(h);
    // The opening tender closes first (after the minimum 公告期間); the
    // intake tender stays open well after it, so the scheduler pass that
    // opens the one leaves the other alone.
    let open_closes = published + days(min_days.max(3)) + hours(1);
    let open_at = open_closes + hours(1);
    let intake_closes = open_at + days(30);
    clock.set_now(published);
    let intake = post_tender(
        &services,
        &buyer,
        "入札受付ベンチマーク 事務用品の購入",
        published,
        intake_closes,
    )
    .await?;
    let opening = post_tender(
        &services,
        &buyer,
        "開札ベンチマーク 事務用品の購入",
        published,
        open_closes,
    )
    .await?;
    clock.set_now(Utc::now());
    services
        .advance_due_tenders(clock.now())
        .await
        .map_err(|e| anyhow!("cannot open the tenders' submission windows: {e}"))?;
    for id in [intake, opening] {
        let t = storage.tender(id).await?.context("benchmark tender")?;
        if t.status != TenderStatus::Tendering {
            bail!(
                "tender {id} is {} after set-up, not tendering",
                t.status.code()
            );
        }
    }

    // The search index, built here: the server would otherwise build it
    // (every supplier) while the bids are measured.
    say(quiet, "building the search index");
    let index = super::reindex::rebuild(&services, &dir.join("search"), ReindexScope::All, !quiet)
        .await
        .map_err(|e| {
            e.into_anyhow()
                .context("building the benchmark's search index")
        })?;
    let index_s = index.seconds;

    // 2. Bids over HTTP.
    let child = Child::start(&dir, &url).await?;
    say(
        quiet,
        format!(
            "bidding: {} clients for {} s on tender {intake} over http://{}",
            args.clients, args.seconds, child.addr
        ),
    );
    let bidders = Arc::new(bidders);
    let load = load(
        child.addr,
        intake,
        Arc::clone(&bidders),
        args.clients,
        Duration::from_secs(args.seconds),
        quiet,
    )
    .await?;
    drop(child);
    let stored = storage.round_bids(intake, 1).await?.len() as u64;
    if stored != load.receipts {
        bail!(
            "{} receipts were issued but the tender holds {stored} bids",
            load.receipts
        );
    }

    // 3. The physical baseline.
    let mut raw = Vec::new();
    match &url {
        DatabaseUrl::Sqlite(_) => {
            for sync in [SqliteSynchronous::Full, SqliteSynchronous::Normal] {
                let label = match sync {
                    SqliteSynchronous::Full => "FULL",
                    _ => "NORMAL",
                };
                say(
                    quiet,
                    format!(
                        "raw commits, synchronous={label}: {} clients for {} s",
                        args.clients, args.seconds
                    ),
                );
                let path = dir.join(format!("raw-{}.db", label.to_lowercase()));
                raw.push(raw_sqlite(&path, sync, label, args.clients, args.seconds, quiet).await?);
            }
        }
        DatabaseUrl::Postgres(pg) => {
            say(
                quiet,
                format!(
                    "raw commits on PostgreSQL: {} clients for {} s",
                    args.clients, args.seconds
                ),
            );
            raw.push(raw_postgres(pg, args.clients, args.seconds, quiet).await?);
        }
    }

    // 4. The opening.
    let open = open_tender(
        &services,
        &clock,
        opening,
        open_at,
        &bidders[..args.open_bids as usize],
        args.clients,
        quiet,
    )
    .await?;

    // The report.
    let durable = &raw[0];
    let report = serde_json::json!({
        "bench": "bids",
        "database": url.to_string(),
        "backend": storage.backend().as_str(),
        "synchronous": if matches!(url, DatabaseUrl::Sqlite(_)) { "FULL" } else { "synchronous_commit=on" },
        "clients": args.clients,
        "seconds": args.seconds,
        "setup": {
            "suppliers": bidders.len(),
            "seconds": setup_s,
            "suppliers_per_second": bidders.len() as f64 / setup_s,
            "search_index_seconds": index_s,
        },
        "intake": load.json(),
        "raw_commits": raw.iter().map(Raw::json).collect::<Vec<_>>(),
        "bids_over_raw_durable_commits": load.rate() / durable.rate(),
        "bids_over_target": load.rate() / TARGET_BIDS_PER_SECOND,
        "opening": open.json(),
    });
    if args.json {
        println!("{report}");
    } else {
        print_report(&report, &load, &raw, &open, &url);
    }
    if load.errors > 0 {
        bail!(
            "{} bid requests failed; the first: {}",
            load.errors,
            load.first_error.as_deref().unwrap_or("?")
        );
    }
    if load.refusals.values().sum::<u64>() > 0 {
        bail!("bids were refused in steady state: {:?}", load.refusals);
    }
    Ok(())
}

fn print_report(
    report: &serde_json::Value,
    load: &Load,
    raw: &[Raw],
    open: &Opened,
    url: &DatabaseUrl,
) {
    println!(
        "bids benchmark: {} ({url}), {} clients, {} s, {}",
        report["backend"].as_str().unwrap_or_default(),
        report["clients"],
        report["seconds"],
        report["synchronous"].as_str().unwrap_or_default(),
    );
    println!(
        "set-up: {} suppliers with a member and an API token in {:.1} s ({:.0}/s); search index {:.1} s",
        report["setup"]["suppliers"],
        report["setup"]["seconds"].as_f64().unwrap_or_default(),
        report["setup"]["suppliers_per_second"]
            .as_f64()
            .unwrap_or_default(),
        report["setup"]["search_index_seconds"]
            .as_f64()
            .unwrap_or_default(),
    );
    println!(
        "{:<40} {:>9} {:>9} {:>8} {:>8} {:>8}",
        "", "count", "per s", "p50 ms", "p99 ms", "max ms"
    );
    println!(
        "{:<40} {:>9} {:>9.0} {:>8.2} {:>8.2} {:>8.2}",
        "bids over HTTP (receipts)",
        load.receipts,
        load.rate(),
        percentile(&load.latencies_ms, 50.0),
        percentile(&load.latencies_ms, 99.0),
        percentile(&load.latencies_ms, 100.0),
    );
    for r in raw {
        println!(
            "{:<40} {:>9} {:>9.0} {:>8.2} {:>8.2} {:>8.2}",
            format!("raw 1-row commits, {}", r.label),
            r.latencies_ms.len(),
            r.rate(),
            percentile(&r.latencies_ms, 50.0),
            percentile(&r.latencies_ms, 99.0),
            percentile(&r.latencies_ms, 100.0),
        );
    }
    println!(
        "bids / raw durable commits ({}): {:.2}   bids / target {TARGET_BIDS_PER_SECOND:.0}/s: {:.2}",
        raw[0].label,
        load.rate() / raw[0].rate(),
        load.rate() / TARGET_BIDS_PER_SECOND,
    );
    println!(
        "refusals: {}   errors: {}{}",
        if load.refusals.is_empty() {
            "0".to_owned()
        } else {
            format!("{:?}", load.refusals)
        },
        load.errors,
        if load.exhausted {
            "   (ran out of suppliers before the time was up: raise --suppliers)"
        } else {
            ""
        }
    );
    println!(
        "opening: {} bids opened in {:.3} s (budget {OPENING_BUDGET_S:.0} s: {:.2}); {}",
        open.bids,
        open.seconds,
        open.seconds / OPENING_BUDGET_S,
        open.outcome,
    );
}

// --- set-up --------------------------------------------------------------------------

/// A new PostgreSQL database for the run, on the server of `server`.
/// A fresh benchmark directory `<data-dir>/bench/<name>/` (the last run's
/// removed: every run measures the same) and a fresh, migrated database: a
/// SQLite file `<name>.db` in it, or `pg_database` on the PostgreSQL
/// `postgres` server.
pub(super) async fn fresh_bench_store(
    global: &GlobalArgs,
    name: &str,
    postgres: Option<&str>,
    pg_database: &str,
) -> Result<(
    std::path::PathBuf,
    DatabaseUrl,
    Arc<dyn musubi_storage::Storage>,
)> {
    let dir = global.data_dir.join("bench").join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("cannot remove the last run's {}", dir.display()))?;
    }
    ensure_data_dir(&dir)?;
    let url = match postgres {
        Some(server) => fresh_pg_database(server, pg_database).await?,
        None => DatabaseUrl::Sqlite(dir.join(format!("{name}.db"))),
    };
    let storage = musubi_storage::connect(&url)
        .await
        .with_context(|| format!("cannot open {url}"))?;
    storage
        .migrate()
        .await
        .with_context(|| format!("cannot migrate {url}"))?;
    Ok((dir, url, storage))
}

/// A new empty database `name` on the PostgreSQL `server` (dropped first if
/// a last run left it).
pub(super) async fn fresh_pg_database(server: &str, name: &str) -> Result<DatabaseUrl> {
    let admin = musubi_storage::PgStore::connect(server)
        .await
        .with_context(|| format!("cannot connect to {server}"))?;
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(admin.pool())
            .await
            .with_context(|| format!("{sql} on {server}"))?;
    }
    admin.pool().close().await;
    let url = with_database(server, name)?;
    DatabaseUrl::parse(&url).map_err(|e| anyhow!("{url}: {e}"))
}

/// `url` with its database name replaced.
fn with_database(url: &str, db: &str) -> Result<String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| anyhow!("{url} is not a postgres:// URL"))?;
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    Ok(match query {
        Some(q) => format!("{scheme}://{authority}/{db}?{q}"),
        None => format!("{scheme}://{authority}/{db}"),
    })
}

/// The approved buyer organisation and its clerk, who posts the tenders.
async fn buyer(storage: &dyn Storage) -> Result<Principal> {
    let now = Utc::now();
    let password_hash = hash_password(new_token(""))
        .await
        .map_err(|e| anyhow!("hashing a password: {e}"))?;
    let user = storage
        .create_user(
            &NewUser {
                email: EmailAddress::parse("keiyaku@bench.musubi.example.jp")?,
                password_hash,
                display_name: "契約 担当".into(),
                locale: "ja".into(),
            },
            now,
            AuditEntry::new("bench.create_user", "user", None),
            &[],
        )
        .await?;
    let org = storage
        .create_organization(
            &NewOrganization {
                kind: OrgKind::PublicBody,
                name: "ベンチマーク市".into(),
                name_kana: "ベンチマークシ".into(),
                corporate_number: None,
            },
            user,
            now,
            AuditEntry::new("bench.create_org", "organization", None),
        )
        .await?;
    storage
        .decide_approval(
            org,
            true,
            None,
            now,
            AuditEntry::new("org.approve", "organization", Some(org)),
            &[],
        )
        .await?;
    Ok(Principal {
        user_id: user,
        platform_role: PlatformRole::User,
        suspended: false,
        membership: Some(Membership {
            org_id: org,
            kind: OrgKind::PublicBody,
            approval: Approval::Approved,
            role: OrgRole::Admin,
        }),
    })
}

/// `n` demo supplier companies (with their profiles), each with a member
/// and a read-write API token: companies by the demo import, members and
/// tokens by `import_members`, both in batches.
async fn suppliers(services: &Services, n: u64, quiet: bool) -> Result<Vec<Bidder>> {
    let generator = DemoGenerator::new(1);
    let started = Instant::now();
    let mut last = Instant::now();
    services
        .import_demo_suppliers(&generator, 0, n, |done, total| {
            if last.elapsed() >= Duration::from_millis(500) || done == total {
                last = Instant::now();
                progress(
                    quiet,
                    format!(
                        "companies {done}/{total}, {:.0}/s",
                        done as f64 / started.elapsed().as_secs_f64().max(1e-9)
                    ),
                );
            }
        })
        .await
        .context("importing the supplier companies")?;
    if !quiet {
        eprintln!();
    }
    let mut orgs = Vec::with_capacity(n as usize);
    let mut offset = 0;
    loop {
        let page = services
            .storage
            .list_organizations(Some(Approval::NotRequired), Paging { offset, limit: 200 })
            .await?;
        if page.items.is_empty() {
            break;
        }
        offset += page.items.len() as u64;
        orgs.extend(
            page.items
                .iter()
                .filter(|o| o.kind == OrgKind::Supplier)
                .map(|o| o.id),
        );
    }
    orgs.sort_unstable();
    if orgs.len() as u64 != n {
        bail!("{} supplier organisations after importing {n}", orgs.len());
    }
    // One real hash for every member: nobody signs in, and hashing each
    // would dominate the set-up.
    let password_hash = hash_password(new_token(""))
        .await
        .map_err(|e| anyhow!("hashing a password: {e}"))?;
    let now = Utc::now();
    let started = Instant::now();
    let mut bidders = Vec::with_capacity(orgs.len());
    for chunk in orgs.chunks(2_000) {
        let mut members = Vec::with_capacity(chunk.len());
        let mut tokens = Vec::with_capacity(chunk.len());
        for org in chunk {
            let token = new_token("mbk_");
            members.push(MemberImport {
                org: *org,
                user: NewUser {
                    email: EmailAddress::parse(&format!("bidder{org}@bench.musubi.example.jp"))?,
                    password_hash: password_hash.clone(),
                    display_name: format!("入札担当 {org}"),
                    locale: "ja".into(),
                },
                role: OrgRole::Admin,
                api_token: Some(ApiTokenImport {
                    name: "bench".into(),
                    token_hash: token_digest(&token),
                    prefix: token.chars().take(10).collect(),
                    scope: TokenScope::Write,
                }),
            });
            tokens.push(token);
        }
        let users = services
            .storage
            .import_members(&members, now)
            .await
            .context("importing the suppliers' members and tokens")?;
        for ((org, user), token) in chunk.iter().zip(users).zip(tokens) {
            bidders.push(Bidder {
                org: *org,
                user,
                token,
            });
        }
        progress(
            quiet,
            format!(
                "members and tokens {}/{}, {:.0}/s",
                bidders.len(),
                orgs.len(),
                bidders.len() as f64 / started.elapsed().as_secs_f64().max(1e-9)
            ),
        );
    }
    if !quiet {
        eprintln!();
    }
    Ok(bidders)
}

/// A sealed-bid tender (一般競争, 最低価格, open to every supplier) created
/// and published by the services at `published`, taking bids from an hour
/// later until `closes`, opened an hour after.
async fn post_tender(
    services: &Services,
    buyer: &Principal,
    title: &str,
    published: DateTime<Utc>,
    closes: DateTime<Utc>,
) -> Result<TenderId> {
    let content = TenderContent {
        kind: TenderKind::SealedBid,
        title: title.into(),
        summary: "庁舎で使う事務用品の購入（ベンチマーク）。".into(),
        category: Category::Goods,
        jsic: vec![JsicCode::parse("0911")?],
        place: Place::Prefecture {
            prefecture: Prefecture::parse("13")?,
        },
        place_detail: "本庁舎".into(),
        performance_start: None,
        performance_end: None,
        method: ContractMethod::Open,
        eligibility: Eligibility::default(),
        schedule: Schedule {
            publish_at: published,
            application_opens_at: None,
            application_closes_at: None,
            questions_until: published + chrono::Duration::days(1),
            submission_opens_at: published + chrono::Duration::hours(1),
            submission_closes_at: closes,
            opening_at: closes + chrono::Duration::hours(1),
        },
        reserve_price: Some(TaxExclusive::new(Yen::new(RESERVE_YEN))),
        reserve_price_publication: ReservePricePublication::AtOpening,
        minimum_price: None,
        award_method: AwardMethod::LowestPrice,
        contact: Contact {
            department: "総務部契約課".into(),
            person: "契約 担当".into(),
            email: "keiyaku@bench.musubi.example.jp".into(),
            phone: "03-0000-0000".into(),
        },
    };
    let ctx = RequestCtx::default();
    let id = services
        .create_tender(buyer, &TenderInput::from_content(&content), &ctx)
        .await
        .map_err(|e| anyhow!("cannot create the tender {title}: {e}"))?;
    services
        .publish_tender(buyer, id, &ctx)
        .await
        .map_err(|e| anyhow!("cannot publish the tender {title}: {e}"))?;
    Ok(id)
}

// --- the server ----------------------------------------------------------------------

/// `musubi serve` on a free local port, killed when dropped.
struct Child {
    _process: tokio::process::Child,
    addr: SocketAddr,
}

impl Child {
    async fn start(data_dir: &Path, database: &DatabaseUrl) -> Result<Child> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let process = tokio::process::Command::new(std::env::current_exe()?)
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--database-url")
            .arg(database.to_string())
            .args(["--log", "warn", "serve", "--no-worker", "--addr"])
            .arg(addr.to_string())
            .kill_on_drop(true)
            .stdout(std::process::Stdio::null())
            .spawn()
            .context("cannot start `musubi serve` for the bids")?;
        let started = Instant::now();
        loop {
            if let Ok(mut c) = Conn::open(addr).await
                && let Ok((200, _)) = c.request("GET", "/readyz", JSON, None, None).await
            {
                return Ok(Child {
                    _process: process,
                    addr,
                });
            }
            if started.elapsed() > Duration::from_secs(60) {
                bail!("`musubi serve` did not become ready on {addr} within 60 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

// --- the load ------------------------------------------------------------------------

#[derive(Default)]
struct Load {
    receipts: u64,
    /// Sorted.
    latencies_ms: Vec<f64>,
    refusals: std::collections::BTreeMap<String, u64>,
    errors: u64,
    first_error: Option<String>,
    exhausted: bool,
    elapsed: Duration,
}

impl Load {
    fn rate(&self) -> f64 {
        self.receipts as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "receipts": self.receipts,
            "seconds": self.elapsed.as_secs_f64(),
            "bids_per_second": self.rate(),
            "p50_ms": percentile(&self.latencies_ms, 50.0),
            "p99_ms": percentile(&self.latencies_ms, 99.0),
            "max_ms": percentile(&self.latencies_ms, 100.0),
            "refusals": self.refusals,
            "errors": self.errors,
            "first_error": self.first_error,
            "ran_out_of_suppliers": self.exhausted,
        })
    }
}

/// One client's share of the load.
#[derive(Default)]
struct ClientResult {
    latencies_ms: Vec<f64>,
    refusals: std::collections::BTreeMap<String, u64>,
    errors: u64,
    first_error: Option<String>,
}

/// `clients` connections, each posting its next bid (from the next supplier
/// that has not bid) as soon as the last answer is read, until `duration`
/// has passed or every supplier has bid.
async fn load(
    addr: SocketAddr,
    tender: TenderId,
    bidders: Arc<Vec<Bidder>>,
    clients: usize,
    duration: Duration,
    quiet: bool,
) -> Result<Load> {
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let path = format!("/api/v1/tenders/{tender}/bids");
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (bidders, next, done, path) = (
            Arc::clone(&bidders),
            Arc::clone(&next),
            Arc::clone(&done),
            path.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(addr).await?;
            let mut r = ClientResult::default();
            while Instant::now() < deadline {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(bidder) = bidders.get(n) else {
                    break;
                };
                let (amount, lottery) = bid_values(n as u64);
                let body = format!(r#"{{"amount":{amount},"lottery_number":"{lottery}"}}"#);
                let t = Instant::now();
                let (status, answer) = conn
                    .request("POST", &path, JSON, Some(&bidder.token), Some(&body))
                    .await
                    .with_context(|| format!("POST {path}"))?;
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                if status == 201 && answer.windows(9).any(|w| w == b"signature") {
                    r.latencies_ms.push(ms);
                    done.fetch_add(1, Ordering::Relaxed);
                } else if status == 409 || status == 422 || status == 403 {
                    *r.refusals.entry(error_code(status, &answer)).or_default() += 1;
                } else {
                    r.errors += 1;
                    r.first_error.get_or_insert_with(|| {
                        format!(
                            "POST {path} answered {status}: {}",
                            String::from_utf8_lossy(&answer)
                        )
                    });
                }
            }
            Ok::<_, anyhow::Error>(r)
        }));
    }
    let ticker = {
        let done = Arc::clone(&done);
        tokio::spawn(async move {
            let mut last = 0;
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let now = done.load(Ordering::Relaxed);
                progress(
                    quiet,
                    format!(
                        "{:>4.1} s: {now} receipts, {} in the last second",
                        started.elapsed().as_secs_f64(),
                        now - last
                    ),
                );
                last = now;
            }
        })
    };
    let mut out = Load::default();
    for t in tasks {
        let r = t.await??;
        out.latencies_ms.extend(r.latencies_ms);
        for (code, n) in r.refusals {
            *out.refusals.entry(code).or_default() += n;
        }
        out.errors += r.errors;
        if out.first_error.is_none() {
            out.first_error = r.first_error;
        }
    }
    out.elapsed = started.elapsed();
    ticker.abort();
    if !quiet {
        eprintln!();
    }
    out.receipts = out.latencies_ms.len() as u64;
    out.exhausted = next.load(Ordering::Relaxed) >= bidders.len();
    out.latencies_ms.sort_by(f64::total_cmp);
    Ok(out)
}

/// `{"error":{"code":…}}`'s code, or the status.
fn error_code(status: u16, body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("http_{status}"))
}

// --- the raw baseline ----------------------------------------------------------------

struct Raw {
    label: String,
    /// Sorted.
    latencies_ms: Vec<f64>,
    elapsed: Duration,
}

impl Raw {
    fn rate(&self) -> f64 {
        self.latencies_ms.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "setting": self.label,
            "commits": self.latencies_ms.len(),
            "commits_per_second": self.rate(),
            "p50_ms": percentile(&self.latencies_ms, 50.0),
            "p99_ms": percentile(&self.latencies_ms, 99.0),
            "max_ms": percentile(&self.latencies_ms, 100.0),
        })
    }
}

/// Runs `clients` tasks doing `one()` until `seconds` have passed.
async fn raw_load<F, Fut>(
    label: String,
    clients: usize,
    seconds: u64,
    quiet: bool,
    one: F,
) -> Result<Raw>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<()>> + Send + 'static,
{
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let done = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (one, done) = (one.clone(), Arc::clone(&done));
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                one().await?;
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    let mut latencies_ms = Vec::new();
    for t in tasks {
        latencies_ms.extend(t.await??);
    }
    let elapsed = started.elapsed();
    progress(
        quiet,
        format!(
            "{} commits, {:.0}/s",
            latencies_ms.len(),
            latencies_ms.len() as f64 / elapsed.as_secs_f64()
        ),
    );
    if !quiet {
        eprintln!();
    }
    latencies_ms.sort_by(f64::total_cmp);
    Ok(Raw {
        label,
        latencies_ms,
        elapsed,
    })
}

/// Single-row INSERT transactions on a file beside the benchmark database,
/// opened with the store's own settings and `sync`, through one writer
/// connection as the store writes.
async fn raw_sqlite(
    path: &Path,
    sync: SqliteSynchronous,
    label: &str,
    clients: usize,
    seconds: u64,
    quiet: bool,
) -> Result<Raw> {
    let options = SqliteStore::connect_options(path)?.synchronous(sync);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open {}", path.display()))?;
    sqlx::query("CREATE TABLE IF NOT EXISTS commits (id INTEGER PRIMARY KEY, row BLOB NOT NULL)")
        .execute(&pool)
        .await?;
    let row = Arc::new(vec![0x5au8; RAW_ROW_BYTES]);
    let r = raw_load(
        format!("synchronous={label}"),
        clients,
        seconds,
        quiet,
        move || {
            let (pool, row) = (pool.clone(), Arc::clone(&row));
            async move {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                sqlx::query("INSERT INTO commits (row) VALUES (?1)")
                    .bind(&row[..])
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }
        },
    )
    .await?;
    let _ = std::fs::remove_file(path);
    Ok(r)
}

/// Single-row INSERT commits on the benchmark's PostgreSQL database,
/// through a pool as large as the store's.
async fn raw_postgres(url: &str, clients: usize, seconds: u64, quiet: bool) -> Result<Raw> {
    let options = sqlx::postgres::PgConnectOptions::from_str(url)?;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(16)
        .connect_with(options)
        .await
        .with_context(|| format!("cannot connect to {url}"))?;
    sqlx::raw_sql(
        "CREATE SCHEMA IF NOT EXISTS bench_raw;
         CREATE TABLE IF NOT EXISTS bench_raw.commits (id BIGSERIAL PRIMARY KEY, row BYTEA NOT NULL)",
    )
    .execute(&pool)
    .await?;
    let row = Arc::new(vec![0x5au8; RAW_ROW_BYTES]);
    raw_load(
        "synchronous_commit=on".into(),
        clients,
        seconds,
        quiet,
        move || {
            let (pool, row) = (pool.clone(), Arc::clone(&row));
            async move {
                sqlx::query("INSERT INTO bench_raw.commits (row) VALUES ($1)")
                    .bind(&row[..])
                    .execute(&pool)
                    .await?;
                Ok(())
            }
        },
    )
    .await
}

// --- the opening ---------------------------------------------------------------------

struct Opened {
    bids: u64,
    submit_seconds: f64,
    seconds: f64,
    outcome: String,
}

impl Opened {
    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "bids": self.bids,
            "submitted_in_seconds": self.submit_seconds,
            "seconds": self.seconds,
            "budget_seconds": OPENING_BUDGET_S,
            "over_budget": self.seconds / OPENING_BUDGET_S,
            "outcome": self.outcome,
        })
    }
}

/// Submits one bid per bidder through the services (sealed, committed,
/// signed), then makes the scheduler pass at the opening time and times it.
async fn open_tender(
    services: &Services,
    clock: &OffsetClock,
    tender: TenderId,
    open_at: DateTime<Utc>,
    bidders: &[Bidder],
    clients: usize,
    quiet: bool,
) -> Result<Opened> {
    say(
        quiet,
        format!(
            "opening: submitting {} bids to tender {tender}",
            bidders.len()
        ),
    );
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let principals: Arc<Vec<Principal>> = Arc::new(bidders.iter().map(Bidder::principal).collect());
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (services, next, principals) =
            (services.clone(), Arc::clone(&next), Arc::clone(&principals));
        tasks.push(tokio::spawn(async move {
            let ctx = RequestCtx::default();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = principals.get(n) else {
                    return Ok::<_, anyhow::Error>(());
                };
                let (amount, lottery_number) = bid_values(n as u64);
                let input = BidInput {
                    amount: amount.to_string(),
                    lottery_number,
                    ..BidInput::default()
                };
                services
                    .submit_bid(p, tender, &input, &ctx)
                    .await
                    .map_err(|e| anyhow!("bid {n} to tender {tender}: {e}"))?;
            }
        }));
    }
    let ticker = {
        let next = Arc::clone(&next);
        let total = bidders.len();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                progress(
                    quiet,
                    format!("{}/{total} bids", next.load(Ordering::Relaxed).min(total)),
                );
            }
        })
    };
    for t in tasks {
        t.await??;
    }
    ticker.abort();
    let submit_seconds = started.elapsed().as_secs_f64();
    if !quiet {
        eprintln!();
    }
    say(
        quiet,
        format!(
            "  {} bids in {submit_seconds:.1} s; the scheduler opens the tender",
            bidders.len()
        ),
    );

    clock.set_now(open_at + chrono::Duration::seconds(1));
    let now = clock.now();
    let started = Instant::now();
    let pass = services
        .advance_due_tenders(now)
        .await
        .map_err(|e| anyhow!("the scheduler pass at the opening failed: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    clock.set_now(Utc::now());
    if pass.tenders != 1 || pass.failed != 0 {
        bail!(
            "the scheduler pass at the opening moved {} tenders ({} failed); expected the one",
            pass.tenders,
            pass.failed
        );
    }

    // What the opening recorded: every bid, every commitment checked, a winner.
    let openings = services.storage.openings(tender).await?;
    let record = &openings.last().context("no opening recorded")?.record;
    let bids = record["bids"].as_array().map(Vec::len).unwrap_or(0);
    let verified = record["bids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["commitment_verified"] == serde_json::Value::Bool(true))
        .count();
    if bids != bidders.len() || verified != bids {
        bail!(
            "the opening record holds {bids} bids, {verified} with a verified commitment; {} were submitted",
            bidders.len()
        );
    }
    let winner = &record["winner"];
    if winner.is_null() {
        bail!(
            "the opening found no winner: {}",
            record["evaluation_error"]
        );
    }
    // The lowest amount (see `bid_values`) is bid by every 1,000th bidder.
    let tied = bidders.len().div_ceil(1_000);
    let drawn = find_key(&record["evaluation"], "by_lottery")
        .and_then(|d| d["count"].as_u64())
        .unwrap_or(0);
    if (tied > 1 && drawn != tied as u64) || (tied == 1 && drawn > 1) {
        bail!("{tied} bids share the lowest amount, but the 電子くじ drew among {drawn}");
    }
    let outcome = if tied > 1 {
        format!(
            "every commitment verified; winner bid {} at ¥{} (税抜), drawn by the 電子くじ among {tied} equal lowest bids",
            winner["bid_id"], winner["amount"]
        )
    } else {
        format!(
            "every commitment verified; winner bid {} at ¥{} (税抜), the single lowest bid",
            winner["bid_id"], winner["amount"]
        )
    };
    Ok(Opened {
        bids: bids as u64,
        submit_seconds,
        seconds,
        outcome,
    })
}
