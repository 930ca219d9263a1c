//! `musubi bench tender-page`: the tender page under load, over real HTTP.
//!
//! Builds (or reuses) a database of demo tenders, starts the portal on a
//! local port, and lets `--clients` keep-alive connections fetch random
//! tender pages for `--seconds`. The same clients then fetch `/healthz` (the
//! cheapest route: the server and client overhead alone) as the baseline.
//! Prints requests per second, latency percentiles and the ratios to the
//! baseline and to the 2,000 requests/s target.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use musubi_app::demo::DemoGenerator;
use musubi_app::{Services, SystemClock};
use musubi_storage::{DatabaseUrl, DirectoryQuery, Paging, TenderQuery};

use super::ensure_data_dir;
use super::http_client::Conn;
use crate::cli::GlobalArgs;

/// The target for the tender page with 1,000,000 tenders loaded.
const TARGET_RPS: f64 = 2_000.0;
/// Suppliers in the corpus (askers of the demo questions).
const CORPUS_COMPANIES: u64 = 2_000;

pub struct Args {
    pub tenders: u64,
    pub seed: u64,
    pub clients: usize,
    pub seconds: u64,
    pub json: bool,
}

pub async fn run(global: &GlobalArgs, args: Args) -> Result<()> {
    if args.clients == 0 || args.seconds == 0 {
        bail!("--clients and --seconds must be at least 1");
    }
    let url = match &global.database_url {
        Some(u) => DatabaseUrl::parse(u).map_err(|e| anyhow!("invalid database URL: {e}"))?,
        None => {
            let dir = global.data_dir.join("bench");
            ensure_data_dir(&dir)?;
            DatabaseUrl::Sqlite(dir.join(format!("tenders-{}.db", args.seed)))
        }
    };
    let storage = musubi_storage::connect(&url)
        .await
        .with_context(|| format!("cannot open {url}"))?;
    storage
        .migrate()
        .await
        .with_context(|| format!("cannot migrate {url}"))?;
    let mut config = super::app_config(global, "http://bench".into());
    // Attachments of the corpus live beside its database.
    if let DatabaseUrl::Sqlite(path) = &url {
        config.data_dir = path.parent().unwrap_or(&global.data_dir).to_path_buf();
    }
    let services = Services::new(Arc::clone(&storage), Arc::new(SystemClock), config);

    // 1. Corpus.
    let build = build_corpus(&services, args.tenders, args.seed, args.json).await?;
    let ids = tender_ids(&services).await?;
    if ids.is_empty() {
        bail!("the benchmark database has no public tenders");
    }
    let public = services
        .list_tenders(&TenderQuery {
            paging: Paging {
                offset: 0,
                limit: 1,
            },
            ..Default::default()
        })
        .await?
        .total;

    // 2. The portal on a local port.
    let state = musubi_web::WebState::new(services, musubi_web::WebConfig::default());
    let router = musubi_web::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(musubi_web::serve(listener, router, async move {
        let _ = stop_rx.await;
    }));

    // 3. Load: the baseline first, then the tender page.
    let duration = Duration::from_secs(args.seconds);
    let ids = Arc::new(ids);
    let max_id = ids.len();
    warm(addr, &ids).await?;
    if !args.json {
        eprintln!(
            "measuring: {} clients, {} s per route, {} public tenders",
            args.clients, args.seconds, public
        );
    }
    let baseline = load(
        addr,
        args.clients,
        duration,
        Arc::new(|_| "/healthz".to_owned()),
    )
    .await?;
    let page_ids = Arc::clone(&ids);
    let page = load(
        addr,
        args.clients,
        duration,
        Arc::new(move |n| format!("/tenders/{}", page_ids[n as usize % max_id])),
    )
    .await?;
    let _ = stop_tx.send(());
    let _ = server.await;

    let report = serde_json::json!({
        "bench": "tender-page",
        "database": url.to_string(),
        "backend": storage.backend().as_str(),
        "public_tenders": public,
        "clients": args.clients,
        "seconds": args.seconds,
        "build": build.map(|(n, s)| serde_json::json!({ "tenders": n, "seconds": s, "tenders_per_second": n as f64 / s })),
        "baseline_healthz": baseline.json(),
        "tender_page": page.json(),
        "page_over_baseline": page.rps() / baseline.rps(),
        "page_over_target": page.rps() / TARGET_RPS,
    });
    if args.json {
        println!("{report}");
        return Ok(());
    }
    println!(
        "tender page benchmark: {public} public tenders on {} ({url}), {} clients, {} s each",
        storage.backend().as_str(),
        args.clients,
        args.seconds
    );
    if let Some((n, s)) = build {
        println!(
            "corpus build: {n} tenders in {s:.1} s ({:.0} tenders/s)",
            n as f64 / s
        );
    }
    println!(
        "{:<14} {:>9} {:>10} {:>9} {:>9} {:>9} {:>7}",
        "route", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "errors"
    );
    for (label, r) in [("/healthz", &baseline), ("/tenders/{id}", &page)] {
        println!(
            "{:<14} {:>9} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>7}",
            label,
            r.latencies_ms.len(),
            r.rps(),
            r.percentile(50.0),
            r.percentile(99.0),
            r.percentile(100.0),
            r.errors
        );
    }
    println!(
        "tender page / baseline: {:.3}   tender page / target {TARGET_RPS:.0} req/s: {:.3}",
        page.rps() / baseline.rps(),
        page.rps() / TARGET_RPS
    );
    if page.errors > 0 {
        bail!("{} tender page requests failed", page.errors);
    }
    Ok(())
}

/// Tops the corpus up to `args.tenders` demo tenders.
/// Fills the benchmark database up to `tenders` demo tenders (and the
/// suppliers who ask their questions); `None` when it already holds them.
pub(super) async fn build_corpus(
    services: &Services,
    tenders: u64,
    seed: u64,
    quiet: bool,
) -> Result<Option<(u64, f64)>> {
    let generator = DemoGenerator::new(seed);
    let companies = services
        .directory(&DirectoryQuery {
            limit: 1,
            ..Default::default()
        })
        .await?
        .total;
    if companies < CORPUS_COMPANIES {
        services
            .import_demo_suppliers(
                &generator,
                companies,
                CORPUS_COMPANIES - companies,
                |_, _| {},
            )
            .await
            .context("building the benchmark's companies")?;
    }
    let have = services.demo_tender_count(&generator).await?;
    if have >= tenders {
        return Ok(None);
    }
    let todo = tenders - have;
    if !quiet {
        eprintln!("building the corpus: {todo} tenders");
    }
    let started = Instant::now();
    let mut last = Instant::now();
    services
        .import_demo_tenders(&generator, have, todo, |done, total| {
            if !quiet && (last.elapsed() >= Duration::from_millis(500) || done == total) {
                last = Instant::now();
                let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-9);
                eprint!(
                    "\r  {done}/{total} ({:.0}%), {rate:.0} tenders/s   ",
                    100.0 * done as f64 / total as f64
                );
                let _ = std::io::stderr().flush();
            }
        })
        .await
        .context("building the benchmark corpus")?;
    if !quiet {
        eprintln!();
    }
    Ok(Some((todo, started.elapsed().as_secs_f64())))
}

/// Ids of public tenders spread over the whole table: the newest and
/// 4,000 more sampled by offset, shuffled by a fixed sequence.
async fn tender_ids(services: &Services) -> Result<Vec<i64>> {
    let total = services
        .list_tenders(&TenderQuery {
            paging: Paging {
                offset: 0,
                limit: 1,
            },
            ..Default::default()
        })
        .await?
        .total;
    let mut ids = Vec::new();
    let samples = 40u64;
    for k in 0..samples {
        let offset = total.saturating_sub(100) * k / samples;
        let page = services
            .list_tenders(&TenderQuery {
                paging: Paging { offset, limit: 100 },
                ..Default::default()
            })
            .await?;
        ids.extend(page.items.iter().map(|t| t.id));
    }
    ids.sort_unstable();
    ids.dedup();
    // A fixed shuffle so consecutive requests hit different parts.
    let mut state = 0x7465_6e64_6572u64;
    for i in (1..ids.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ids.swap(i, (state >> 33) as usize % (i + 1));
    }
    Ok(ids)
}

/// One pass over a sample, so the first measured requests do not pay for
/// cold caches alone.
async fn warm(addr: std::net::SocketAddr, ids: &[i64]) -> Result<()> {
    let mut conn = Conn::open(addr).await?;
    for id in ids.iter().take(500) {
        let status = conn.get(&format!("/tenders/{id}")).await?;
        if status != 200 {
            bail!("GET /tenders/{id} answered {status}");
        }
    }
    Ok(())
}

struct LoadResult {
    latencies_ms: Vec<f64>,
    errors: u64,
    elapsed: Duration,
}

impl LoadResult {
    fn rps(&self) -> f64 {
        self.latencies_ms.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn percentile(&self, p: f64) -> f64 {
        let s = &self.latencies_ms;
        if s.is_empty() {
            return 0.0;
        }
        let idx = ((p / 100.0) * (s.len() as f64 - 1.0)).round() as usize;
        s[idx.min(s.len() - 1)]
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "requests": self.latencies_ms.len(),
            "errors": self.errors,
            "requests_per_second": self.rps(),
            "p50_ms": self.percentile(50.0),
            "p99_ms": self.percentile(99.0),
            "max_ms": self.percentile(100.0),
        })
    }
}

type PathFn = Arc<dyn Fn(u64) -> String + Send + Sync>;

/// `clients` connections, each sending its next request as soon as the
/// previous answer is read, until `duration` has passed.
async fn load(
    addr: std::net::SocketAddr,
    clients: usize,
    duration: Duration,
    path: PathFn,
) -> Result<LoadResult> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for c in 0..clients {
        let path = Arc::clone(&path);
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(addr).await?;
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut n = c as u64 * 7919;
            while Instant::now() < deadline {
                let t = Instant::now();
                let status = conn.get(&path(n)).await?;
                n += 1;
                if status == 200 {
                    latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                } else {
                    errors += 1;
                }
            }
            Ok::<_, anyhow::Error>((latencies, errors))
        }));
    }
    let mut latencies_ms = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await??;
        latencies_ms.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    latencies_ms.sort_by(f64::total_cmp);
    Ok(LoadResult {
        latencies_ms,
        errors,
        elapsed,
    })
}
