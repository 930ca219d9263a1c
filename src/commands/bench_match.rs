//! `musubi bench match`: recommendations at scale.
//!
//! Builds (or reuses) `<data-dir>/bench/match/`: a SQLite database of N demo
//! suppliers and M demo tenders open now (the generator's tenders whose
//! life cycle, run up to now, leaves them open; more are generated until M
//! are found), and the search index of both. Then times
//!
//! - (a) おすすめ企業: the top 50 suppliers for each of 200 of the tenders
//!   through `Services::recommended_suppliers` (search index included),
//!   p50/p99 against the 20 ms target; beside it the selection alone —
//!   `top_k` over every candidate — against the baseline that scores every
//!   candidate with its reasons and sorts them all, and the ratio;
//! - (b) one daily digest: for every supplier its top 10 among the M
//!   tenders, with relevance from one index lookup per tender (never per
//!   pair), scored on every core; total seconds against the 60 s target,
//!   and pairs per second;
//! - (d) the coordinators' dashboard over every open tender (an
//!   administrator's: no areas), p50;
//! - (c) おすすめ案件 for 50 suppliers through
//!   `Services::recommended_tenders`, p50/p99.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use chrono::Utc;
use musubi_app::demo::DemoGenerator;
use musubi_app::matching::{Candidates, full_sort_baseline, tender_text};
use musubi_app::search::{ReindexScope, SearchIndex};
use musubi_app::{AppConfig, Services, SystemClock};
use musubi_domain::matching::{TenderProfile, TopK, points, score};
use musubi_domain::tender::TenderStatus;
use musubi_domain::{Approval, Membership, OrgKind, OrgRole, PlatformRole, Principal};
use musubi_storage::{DatabaseUrl, DirectoryQuery, OpenTender};

use super::bench::percentile;
use super::ensure_data_dir;
use crate::cli::GlobalArgs;

/// The budgets.
const TOP50_P99_BUDGET_MS: f64 = 20.0;
const DIGEST_BUDGET_SECONDS: f64 = 60.0;
/// Tenders timed in (a), and how many recommendations each.
const TIMED_TENDERS: usize = 200;
const TOP_SUPPLIERS: u32 = 50;
/// Suppliers timed asking for their おすすめ案件.
const SUPPLIER_REQUESTS: usize = 50;
/// Dashboard loads timed in (d).
const DASHBOARD_RUNS: usize = 10;
/// Tenders per supplier in the digest.
const DIGEST_TOP: usize = 10;
/// Tenders imported per transaction.
const TENDER_BATCH: usize = 1_000;
/// Where the next open-tender search starts (generator index), so a top-up
/// never imports the same tender twice.
const CURSOR_FILE: &str = "next-tender-index";

pub struct Args {
    pub companies: u64,
    pub tenders: u64,
    pub seed: u64,
    pub json: bool,
}

fn progress(json: bool, line: impl FnOnce() -> String) {
    if !json {
        eprintln!("{}", line());
    }
}

pub async fn run(global: &GlobalArgs, args: Args) -> Result<()> {
    if args.companies == 0 || args.tenders == 0 {
        bail!("--companies and --tenders must be at least 1");
    }
    let json = args.json;
    let dir = global.data_dir.join("bench").join("match");
    ensure_data_dir(&dir)?;
    let url = DatabaseUrl::Sqlite(dir.join(format!("match-{}.db", args.seed)));
    let storage = musubi_storage::connect(&url)
        .await
        .with_context(|| format!("cannot open {url}"))?;
    storage
        .migrate()
        .await
        .with_context(|| format!("cannot migrate {url}"))?;
    let services = Services::new(
        Arc::clone(&storage),
        Arc::new(SystemClock),
        AppConfig {
            base_url: "http://bench".into(),
            // Demo attachments go to the bench's own blob store.
            data_dir: dir.clone(),
            ..AppConfig::default()
        },
    );
    let generator = DemoGenerator::new(args.seed);

    // 1. Suppliers.
    let have = services
        .directory(&DirectoryQuery {
            limit: 1,
            ..Default::default()
        })
        .await?
        .total;
    let mut built_corpus = false;
    if have < args.companies {
        let todo = args.companies - have;
        progress(json, || {
            format!("importing {todo} demo suppliers into {url}")
        });
        let started = Instant::now();
        let mut last = Instant::now();
        services
            .import_demo_suppliers(&generator, have, todo, |done, total| {
                if !json && (last.elapsed().as_millis() >= 1000 || done == total) {
                    last = Instant::now();
                    eprint!(
                        "\r  {done}/{total} suppliers ({:.0}/s)   ",
                        done as f64 / started.elapsed().as_secs_f64().max(1e-9)
                    );
                    let _ = std::io::stderr().flush();
                }
            })
            .await
            .context("importing suppliers")?;
        progress(json, String::new);
        built_corpus = true;
    }

    // 2. Open tenders.
    let now = Utc::now();
    let open_now = storage.open_tenders(now).await?.len() as u64;
    if open_now < args.tenders {
        import_open_tenders(&services, &generator, &dir, args.tenders - open_now, json).await?;
        built_corpus = true;
    }
    let mut open: Vec<OpenTender> = storage.open_tenders(Utc::now()).await?;
    open.truncate(args.tenders as usize);
    let suppliers = services
        .directory(&DirectoryQuery {
            limit: 1,
            ..Default::default()
        })
        .await?
        .total;

    // 3. The search index, rebuilt when the corpus changed.
    let index_dir = dir.join("search");
    let index = Arc::new(
        SearchIndex::open(&index_dir)
            .or_else(|_| SearchIndex::recreate(&index_dir))
            .map_err(|e| anyhow!("search index in {}: {e}", index_dir.display()))?,
    );
    let services = services.with_search(Arc::clone(&index));
    let (_, indexed_companies) = index.counts()?;
    if built_corpus || indexed_companies != suppliers {
        progress(json, || "indexing suppliers and tenders".to_owned());
        let report = services
            .rebuild_search_index(ReindexScope::All, |_| {})
            .await?;
        progress(json, || {
            format!(
                "  {} companies, {} tenders indexed in {:.1} s",
                report.companies, report.tenders, report.seconds
            )
        });
    }

    // 4. The snapshot of candidates, as the first request after a minute
    // builds it.
    progress(json, || "reading the candidates".to_owned());
    let started = Instant::now();
    let candidates = services.matching_candidates().await?;
    let snapshot_seconds = started.elapsed().as_secs_f64();
    progress(json, || {
        format!(
            "  {} candidates in {snapshot_seconds:.2} s",
            candidates.suppliers.len()
        )
    });

    // (a) おすすめ企業 for 200 tenders.
    let admin = Principal {
        user_id: 0,
        platform_role: PlatformRole::Admin,
        suspended: false,
        membership: None,
    };
    let step = (open.len() / TIMED_TENDERS).max(1);
    let timed: Vec<&OpenTender> = open.iter().step_by(step).take(TIMED_TENDERS).collect();
    progress(json, || {
        format!(
            "(a) top {TOP_SUPPLIERS} suppliers for each of {} tenders",
            timed.len()
        )
    });
    for t in timed.iter().take(20) {
        services
            .recommended_suppliers(&admin, t.id, TOP_SUPPLIERS)
            .await?;
    }
    let mut e2e = Vec::with_capacity(timed.len());
    let mut returned = 0usize;
    for t in &timed {
        let started = Instant::now();
        let found = services
            .recommended_suppliers(&admin, t.id, TOP_SUPPLIERS)
            .await?;
        e2e.push(started.elapsed().as_secs_f64() * 1000.0);
        returned += found.len();
    }
    let mut lookup = Vec::with_capacity(timed.len());
    let mut select = Vec::with_capacity(timed.len());
    let mut baseline = Vec::with_capacity(timed.len());
    for t in &timed {
        let profile = TenderProfile::from(&t.content);
        let started = Instant::now();
        let sparse = services.company_relevance(tender_text(&t.content)).await;
        let relevance = candidates.relevance_vector(&sparse);
        lookup.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        let top = candidates.top_for(&profile, &relevance, TOP_SUPPLIERS as usize);
        select.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        let all = full_sort_baseline(&profile, &candidates, &relevance, TOP_SUPPLIERS as usize);
        baseline.push(started.elapsed().as_secs_f64() * 1000.0);
        let same = top
            .iter()
            .map(|(c, m)| (c.id, m.points))
            .eq(all.iter().map(|(c, m)| (c.id, m.points)));
        if !same {
            bail!("top-k and the full sort disagree for tender {}", t.id);
        }
    }
    for v in [&mut e2e, &mut lookup, &mut select, &mut baseline] {
        v.sort_by(f64::total_cmp);
    }
    let a = serde_json::json!({
        "tenders": timed.len(),
        "k": TOP_SUPPLIERS,
        "mean_returned": returned as f64 / timed.len().max(1) as f64,
        "p50_ms": percentile(&e2e, 50.0),
        "p99_ms": percentile(&e2e, 99.0),
        "max_ms": e2e.last().copied().unwrap_or(0.0),
        "p99_budget_ms": TOP50_P99_BUDGET_MS,
        "p99_over_budget": percentile(&e2e, 99.0) / TOP50_P99_BUDGET_MS,
        "relevance_lookup_p50_ms": percentile(&lookup, 50.0),
        "select_top_k_p50_ms": percentile(&select, 50.0),
        "baseline_full_sort_p50_ms": percentile(&baseline, 50.0),
        "baseline_over_top_k": percentile(&baseline, 50.0) / percentile(&select, 50.0).max(1e-9),
    });

    // An example, as the tender page shows it.
    let example = match timed.first() {
        Some(t) => {
            let found = services.recommended_suppliers(&admin, t.id, 3).await?;
            serde_json::json!({
                "tender": t.content.title,
                "jsic": t.content.jsic.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                "place": t.content.place.prefecture().map(|p| p.name_ja()),
                "suppliers": found.iter().map(|s| serde_json::json!({
                    "name": s.name,
                    "points": s.points,
                    "reasons": s.reasons.iter().map(|r| r.label_ja.clone()).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        }
        None => serde_json::Value::Null,
    };

    // (c) おすすめ案件 for suppliers (each request reads the open tenders).
    let sample: Vec<i64> = candidates
        .suppliers
        .iter()
        .step_by((candidates.suppliers.len() / SUPPLIER_REQUESTS).max(1))
        .take(SUPPLIER_REQUESTS)
        .map(|c| c.id)
        .collect();
    progress(json, || {
        format!(
            "(c) top 10 open tenders for each of {} suppliers",
            sample.len()
        )
    });
    let mut own = Vec::with_capacity(sample.len());
    for org in &sample {
        let supplier = Principal {
            user_id: 0,
            platform_role: PlatformRole::User,
            suspended: false,
            membership: Some(Membership {
                org_id: *org,
                kind: OrgKind::Supplier,
                approval: Approval::NotRequired,
                role: OrgRole::Admin,
            }),
        };
        let started = Instant::now();
        services.recommended_tenders(&supplier, 10).await?;
        own.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    own.sort_by(f64::total_cmp);
    let c = serde_json::json!({
        "suppliers": sample.len(),
        "k": 10,
        "p50_ms": percentile(&own, 50.0),
        "p99_ms": percentile(&own, 99.0),
    });

    // (d) The coordinators' dashboard, at its worst: an administrator
    // without areas sees every open tender, each with its count of eligible
    // suppliers (stopping at the "few" threshold).
    progress(json, || {
        "(d) the coordinators' dashboard over every open tender".to_owned()
    });
    let mut dash = Vec::new();
    let mut few = 0;
    for _ in 0..DASHBOARD_RUNS {
        let started = Instant::now();
        few = services
            .coordinator_dashboard(&admin)
            .await?
            .few_eligible
            .len();
        dash.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    dash.sort_by(f64::total_cmp);
    let d = serde_json::json!({
        "open_tenders": open.len(),
        "runs": DASHBOARD_RUNS,
        "few_eligible_listed": few,
        "p50_ms": percentile(&dash, 50.0),
        "max_ms": dash.last().copied().unwrap_or_default(),
    });

    // (b) The daily digest.
    progress(json, || {
        format!(
            "(b) daily digest: top {DIGEST_TOP} of {} tenders for each of {} suppliers",
            open.len(),
            candidates.suppliers.len()
        )
    });
    let digest = digest(&services, &candidates, &open, json).await?;

    let report = serde_json::json!({
        "bench": "match",
        "database": url.to_string(),
        "suppliers": candidates.suppliers.len(),
        "open_tenders": open.len(),
        "seed": args.seed,
        "snapshot_seconds": snapshot_seconds,
        "top_suppliers": a,
        "example": example,
        "recommended_tenders": c,
        "coordinator_dashboard": d,
        "digest": digest,
    });
    if json {
        println!("{report}");
        return Ok(());
    }
    println!(
        "match benchmark: {} suppliers, {} open tenders ({url}), seed {}",
        candidates.suppliers.len(),
        open.len(),
        args.seed
    );
    println!("candidate snapshot: read and built in {snapshot_seconds:.2} s");
    println!(
        "(a) top {TOP_SUPPLIERS} suppliers, {} tenders: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms \
         (p99 / {TOP50_P99_BUDGET_MS} ms = {:.3}); {:.1} returned on average",
        a["tenders"],
        a["p50_ms"].as_f64().unwrap_or_default(),
        a["p99_ms"].as_f64().unwrap_or_default(),
        a["max_ms"].as_f64().unwrap_or_default(),
        a["p99_over_budget"].as_f64().unwrap_or_default(),
        a["mean_returned"].as_f64().unwrap_or_default(),
    );
    println!(
        "    parts (p50): relevance lookup {:.2} ms; selection top-k {:.2} ms vs score-all + full sort {:.2} ms ({:.1}×)",
        a["relevance_lookup_p50_ms"].as_f64().unwrap_or_default(),
        a["select_top_k_p50_ms"].as_f64().unwrap_or_default(),
        a["baseline_full_sort_p50_ms"].as_f64().unwrap_or_default(),
        a["baseline_over_top_k"].as_f64().unwrap_or_default(),
    );
    println!(
        "(c) top 10 open tenders for {} suppliers (おすすめ案件): p50 {:.2} ms, p99 {:.2} ms",
        c["suppliers"],
        c["p50_ms"].as_f64().unwrap_or_default(),
        c["p99_ms"].as_f64().unwrap_or_default(),
    );
    println!(
        "(d) coordinators' dashboard over all {} open tenders ({} runs): p50 {:.1} ms, max {:.1} ms; {} listed as having few eligible suppliers",
        d["open_tenders"],
        d["runs"],
        d["p50_ms"].as_f64().unwrap_or_default(),
        d["max_ms"].as_f64().unwrap_or_default(),
        d["few_eligible_listed"],
    );
    println!("example: {example}");
    println!(
        "(b) digest: {} suppliers × {} tenders = {} pairs in {:.1} s (relevance {:.1} s + scoring {:.1} s on {} threads); \
         {:.0} pairs/s scored; total / {DIGEST_BUDGET_SECONDS} s = {:.3}; {:.2} tenders per supplier on average",
        digest["suppliers"],
        digest["tenders"],
        digest["pairs"],
        digest["total_seconds"].as_f64().unwrap_or_default(),
        digest["relevance_seconds"].as_f64().unwrap_or_default(),
        digest["scoring_seconds"].as_f64().unwrap_or_default(),
        digest["threads"],
        digest["pairs_per_second"].as_f64().unwrap_or_default(),
        digest["total_over_budget"].as_f64().unwrap_or_default(),
        digest["mean_recommended"].as_f64().unwrap_or_default(),
    );
    Ok(())
}

/// Generates tenders from the generator's cursor on, keeps those open now,
/// and imports `count` of them.
async fn import_open_tenders(
    services: &Services,
    generator: &DemoGenerator,
    dir: &Path,
    count: u64,
    json: bool,
) -> Result<()> {
    let cursor_path = dir.join(CURSOR_FILE);
    let mut cursor: u64 = std::fs::read_to_string(&cursor_path)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    let files = Arc::new(services.store_demo_files().await?);
    let parties = Arc::new(services.demo_parties(generator).await?);
    let anchor = Utc::now();
    progress(json, || {
        format!("generating demo tenders until {count} open ones are found")
    });
    let started = Instant::now();
    let mut imported = 0u64;
    while imported < count {
        let want = (count - imported).min(TENDER_BATCH as u64) as usize;
        let (generator, parties, files) =
            (generator.clone(), Arc::clone(&parties), Arc::clone(&files));
        let from = cursor;
        let (batch, next) = tokio::task::spawn_blocking(move || {
            let mut batch = Vec::with_capacity(want);
            let mut i = from;
            while batch.len() < want {
                let t = generator.tender(i, parties.buyers.len(), anchor);
                i += 1;
                let open = matches!(
                    t.status,
                    TenderStatus::Published
                        | TenderStatus::AcceptingApplications
                        | TenderStatus::Tendering
                ) && t.content.schedule.submission_closes_at > anchor;
                if open {
                    batch.push(musubi_app::seed::tender_import(t, &parties, &files));
                }
            }
            (batch, i)
        })
        .await?;
        services.storage.import_tenders(&batch).await?;
        imported += batch.len() as u64;
        cursor = next;
        std::fs::write(&cursor_path, cursor.to_string())?;
        progress(json, || {
            format!(
                "  {imported}/{count} open tenders ({cursor} generated, {:.1} s)",
                started.elapsed().as_secs_f64()
            )
        });
    }
    services.storage.analyze().await?;
    Ok(())
}

/// One digest run: relevance per tender (one index lookup each, on every
/// core), then per supplier its top [`DIGEST_TOP`] by points with reasons
/// for the kept ones, suppliers split over the cores.
async fn digest(
    services: &Services,
    candidates: &Arc<Candidates>,
    open: &[OpenTender],
    json: bool,
) -> Result<serde_json::Value> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let started = Instant::now();
    let profiles: Vec<TenderProfile> = open
        .iter()
        .map(|t| TenderProfile::from(&t.content))
        .collect();
    // Relevance, inverted: per supplier (candidate index), (tender index,
    // relevance) in tender order.
    let index = services
        .search
        .clone()
        .ok_or_else(|| anyhow!("the digest needs the search index"))?;
    let texts: Vec<String> = open.iter().map(|t| tender_text(&t.content)).collect();
    let texts = Arc::new(texts);
    let mut handles = Vec::new();
    for part in 0..threads {
        let (index, texts) = (Arc::clone(&index), Arc::clone(&texts));
        handles.push(tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            for j in (part..texts.len()).step_by(threads) {
                let hits = index
                    .company_relevance(&texts[j], musubi_app::matching::RELEVANCE_CANDIDATES)
                    .map_err(|e| anyhow!("{e}"))?;
                out.push((j, hits));
            }
            Ok::<_, anyhow::Error>(out)
        }));
    }
    let mut per_supplier: Vec<Vec<(u32, f32)>> = vec![Vec::new(); candidates.suppliers.len()];
    let mut positions: HashMap<i64, usize> = HashMap::with_capacity(candidates.suppliers.len());
    for (i, c) in candidates.suppliers.iter().enumerate() {
        positions.insert(c.id, i);
    }
    let mut lookups = 0usize;
    for h in handles {
        for (j, hits) in h.await?? {
            lookups += 1;
            for (id, r) in hits {
                if let Some(&i) = positions.get(&id) {
                    per_supplier[i].push((j as u32, r));
                }
            }
        }
    }
    for list in &mut per_supplier {
        list.sort_by_key(|(j, _)| *j);
    }
    let relevance_seconds = started.elapsed().as_secs_f64();
    progress(json, || {
        format!("  relevance: {lookups} lookups in {relevance_seconds:.1} s")
    });

    let scoring = Instant::now();
    let per_supplier = Arc::new(per_supplier);
    let profiles = Arc::new(profiles);
    let ids: Arc<Vec<i64>> = Arc::new(open.iter().map(|t| t.id).collect());
    let n = candidates.suppliers.len();
    let chunk = n.div_ceil(threads).max(1);
    let mut handles = Vec::new();
    for start in (0..n).step_by(chunk) {
        let (candidates, per_supplier, profiles, ids) = (
            Arc::clone(candidates),
            Arc::clone(&per_supplier),
            Arc::clone(&profiles),
            Arc::clone(&ids),
        );
        handles.push(tokio::task::spawn_blocking(move || {
            let mut recommended = 0u64;
            let mut with_any = 0u64;
            for i in start..(start + chunk).min(n) {
                let supplier = &candidates.suppliers[i].profile;
                let rel = &per_supplier[i];
                let mut next = 0;
                let mut top = TopK::new(DIGEST_TOP);
                for (j, tender) in profiles.iter().enumerate() {
                    // The relevance list is in tender order: walk it along.
                    let mut r = 0.0;
                    if next < rel.len() && rel[next].0 as usize == j {
                        r = rel[next].1;
                        next += 1;
                    }
                    if let Some(p) = points(tender, supplier, r) {
                        top.offer(p, ids[j], (j, r));
                    }
                }
                let kept = top.into_sorted();
                // The reasons, as the digest mail would show them.
                let explained = kept
                    .iter()
                    .filter_map(|(_, _, (j, r))| score(&profiles[*j], supplier, *r))
                    .count();
                recommended += explained as u64;
                with_any += u64::from(explained > 0);
            }
            (recommended, with_any)
        }));
    }
    let mut recommended = 0u64;
    let mut with_any = 0u64;
    for h in handles {
        let (r, w) = h.await?;
        recommended += r;
        with_any += w;
    }
    let scoring_seconds = scoring.elapsed().as_secs_f64();
    let total = started.elapsed().as_secs_f64();
    let pairs = (n as u64) * (open.len() as u64);
    Ok(serde_json::json!({
        "suppliers": n,
        "tenders": open.len(),
        "pairs": pairs,
        "threads": threads,
        "relevance_seconds": relevance_seconds,
        "scoring_seconds": scoring_seconds,
        "total_seconds": total,
        "pairs_per_second": pairs as f64 / scoring_seconds.max(1e-9),
        "budget_seconds": DIGEST_BUDGET_SECONDS,
        "total_over_budget": total / DIGEST_BUDGET_SECONDS,
        "mean_recommended": recommended as f64 / n.max(1) as f64,
        "suppliers_with_recommendations": with_any,
    }))
}
