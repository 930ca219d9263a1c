//! `musubi bench …`: measurements behind the figures in closing notes.
//! Each prints its inputs, what it measured and the ratio to its budget or
//! baseline; `--json` prints the same as one object.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use axum::body::Body;
use musubi_app::demo::DemoGenerator;
use musubi_app::{Services, SystemClock};
use musubi_domain::{Certification, Prefecture, Region};
use musubi_storage::{DatabaseUrl, DirectoryQuery};
use tower::ServiceExt;

use super::ensure_data_dir;
use crate::cli::{BenchCommand, GlobalArgs};

/// The budget for a filtered directory page at 100,000 companies.
const DIRECTORY_P99_BUDGET_MS: f64 = 50.0;

pub async fn run(global: &GlobalArgs, cmd: BenchCommand) -> Result<()> {
    match cmd {
        BenchCommand::Directory {
            companies,
            seed,
            queries,
            json,
        } => directory(global, companies, seed, queries, json).await,
        BenchCommand::Search {
            tenders,
            seed,
            queries,
            seconds,
            postgres,
            rebuild,
            musubi_only,
            json,
        } => {
            super::bench_search::run(
                global,
                super::bench_search::Args {
                    tenders,
                    seed,
                    queries,
                    seconds,
                    postgres,
                    rebuild,
                    musubi_only,
                    json,
                },
            )
            .await
        }
        BenchCommand::Log {
            leaves,
            batch,
            proofs,
            postgres,
            json,
        } => {
            super::bench_log::run(
                global,
                super::bench_log::Args {
                    leaves,
                    batch,
                    proofs,
                    postgres,
                    json,
                },
            )
            .await
        }
        BenchCommand::Bids {
            clients,
            seconds,
            suppliers,
            open_bids,
            postgres,
            json,
        } => {
            super::bench_bids::run(
                global,
                super::bench_bids::Args {
                    clients,
                    seconds,
                    suppliers,
                    open_bids,
                    postgres,
                    json,
                },
            )
            .await
        }
        BenchCommand::Match {
            companies,
            tenders,
            seed,
            json,
        } => {
            super::bench_match::run(
                global,
                super::bench_match::Args {
                    companies,
                    tenders,
                    seed,
                    json,
                },
            )
            .await
        }
        BenchCommand::Alerts {
            saved_searches,
            tenders,
            seed,
            json,
        } => {
            super::bench_alerts::run(super::bench_alerts::Args {
                saved_searches,
                tenders,
                seed,
                json,
            })
            .await
        }
        BenchCommand::Quality {
            companies,
            tenders,
            sample,
            seed,
            json,
        } => {
            super::bench_quality::run(
                global,
                super::bench_quality::Args {
                    companies,
                    tenders,
                    sample,
                    seed,
                    json,
                },
            )
            .await
        }
        BenchCommand::TenderPage {
            tenders,
            seed,
            clients,
            seconds,
            json,
        } => {
            super::bench_tender_page::run(
                global,
                super::bench_tender_page::Args {
                    tenders,
                    seed,
                    clients,
                    seconds,
                    json,
                },
            )
            .await
        }
    }
}

/// SplitMix64: a fixed, dependency-free sequence so every run asks the same queries.
struct Seq(u64);

impl Seq {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The fixed query set: every kind of filter alone and combined, every sort,
/// first pages and deep pages.
fn directory_queries(n: usize, jsic_codes: &[String]) -> Vec<String> {
    let mut seq = Seq(0x6469_7265_6374_6f72);
    let prefectures = Prefecture::all();
    let regions = Region::all();
    let divisions = ["A", "D", "E", "G", "I", "L", "N", "R"];
    let grades = ["A", "B", "C", "D"];
    let categories = ["goods", "works", "services"];
    let sorts = ["kana", "updated", "prefecture"];
    let certs: Vec<&str> = Certification::ALL.iter().map(|c| c.code()).collect();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut q: Vec<String> = Vec::new();
        match i % 8 {
            0 => q.push(format!("prefecture={}", prefectures[seq.below(47)].code())),
            1 => q.push(format!(
                "region={}",
                regions[seq.below(regions.len())].code()
            )),
            2 => q.push(format!("jsic={}", divisions[seq.below(divisions.len())])),
            3 => q.push(format!(
                "jsic={}",
                &jsic_codes[seq.below(jsic_codes.len())][..2]
            )),
            4 => q.push(format!("jsic={}", jsic_codes[seq.below(jsic_codes.len())])),
            5 => {
                q.push(format!("grade={}", grades[seq.below(4)]));
                q.push(format!("category={}", categories[seq.below(3)]));
            }
            6 => q.push(format!("certification={}", certs[seq.below(certs.len())])),
            _ => {
                q.push(format!("prefecture={}", prefectures[seq.below(47)].code()));
                q.push(format!("jsic={}", divisions[seq.below(divisions.len())]));
                q.push(format!("grade={}", grades[seq.below(4)]));
            }
        }
        q.push(format!("sort={}", sorts[seq.below(3)]));
        // Mostly the first pages, sometimes deep into the list.
        let page = if i % 10 == 9 {
            1 + seq.below(200)
        } else {
            1 + seq.below(3)
        };
        q.push(format!("page={page}"));
        out.push(q.join("&"));
    }
    out
}

/// The `p`th percentile of sorted values (nearest rank).
pub(super) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

async fn directory(
    global: &GlobalArgs,
    companies: u64,
    seed: u64,
    queries: usize,
    json: bool,
) -> Result<()> {
    if queries < 200 {
        bail!("--queries must be at least 200 (the fixed set covers every filter kind)");
    }
    // A database of its own, never the portal's: SQLite in <data-dir>/bench/
    // unless a database URL is given explicitly.
    let url = match &global.database_url {
        Some(u) => DatabaseUrl::parse(u).map_err(|e| anyhow!("invalid database URL: {e}"))?,
        None => {
            let dir = global.data_dir.join("bench");
            ensure_data_dir(&dir)?;
            DatabaseUrl::Sqlite(dir.join(format!("directory-{seed}.db")))
        }
    };
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
        super::app_config(global, "http://bench".into()),
    );

    // 1. Corpus: top up to `companies` generated suppliers.
    let have = services
        .directory(&DirectoryQuery {
            limit: 1,
            ..Default::default()
        })
        .await?
        .total;
    let build = if have < companies {
        let generator = DemoGenerator::new(seed);
        let started = Instant::now();
        let mut last = Instant::now();
        let todo = companies - have;
        if !json {
            eprintln!("building the corpus: {todo} companies into {url}");
        }
        services
            .import_demo_suppliers(&generator, have, todo, |done, total| {
                if !json && (last.elapsed() >= Duration::from_millis(500) || done == total) {
                    last = Instant::now();
                    let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-9);
                    eprint!(
                        "\r  {done}/{total} ({:.0}%), {rate:.0} companies/s   ",
                        100.0 * done as f64 / total as f64
                    );
                    let _ = std::io::stderr().flush();
                }
            })
            .await
            .context("building the benchmark corpus")?;
        if !json {
            eprintln!();
        }
        Some((todo, started.elapsed().as_secs_f64()))
    } else {
        None
    };
    let total = services
        .directory(&DirectoryQuery {
            limit: 1,
            ..Default::default()
        })
        .await?
        .total;

    // 2. The fixed query set, with JSIC codes that occur in the corpus.
    let generator = DemoGenerator::new(seed);
    let mut jsic: Vec<String> = (0..200)
        .flat_map(|i| generator.supplier(i).jsic)
        .map(|j| j.to_string())
        .filter(|j| j.len() >= 3)
        .collect();
    jsic.sort();
    jsic.dedup();
    let set = directory_queries(queries, &jsic);

    // 3. Through the real router: HTML page and JSON API.
    let state = musubi_web::WebState::new(services, musubi_web::WebConfig::default());
    let router = musubi_web::router(state);
    let mut results = Vec::new();
    for (label, prefix) in [("html", "/companies?"), ("api", "/api/v1/companies?")] {
        // Warm the caches once, then measure.
        for q in set.iter().take(50) {
            get(&router, &format!("{prefix}{q}")).await?;
        }
        let mut ms = Vec::with_capacity(set.len());
        let mut matched = 0u64;
        let started = Instant::now();
        for q in &set {
            let t = Instant::now();
            let body = get(&router, &format!("{prefix}{q}")).await?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            if label == "api" {
                let v: serde_json::Value = serde_json::from_slice(&body)?;
                matched += v["total"].as_u64().unwrap_or(0);
            }
        }
        let seq_secs = started.elapsed().as_secs_f64();
        // Throughput with two clients at once (the machine has two cores).
        let started = Instant::now();
        let halves: Vec<Vec<String>> = vec![
            set.iter().step_by(2).cloned().collect(),
            set.iter().skip(1).step_by(2).cloned().collect(),
        ];
        let mut tasks = Vec::new();
        for half in halves {
            let router = router.clone();
            let prefix = prefix.to_owned();
            tasks.push(tokio::spawn(async move {
                for q in half {
                    get(&router, &format!("{prefix}{q}")).await?;
                }
                Ok::<(), anyhow::Error>(())
            }));
        }
        for t in tasks {
            t.await??;
        }
        let par_secs = started.elapsed().as_secs_f64();
        ms.sort_by(f64::total_cmp);
        results.push(serde_json::json!({
            "endpoint": label,
            "queries": set.len(),
            "p50_ms": percentile(&ms, 50.0),
            "p95_ms": percentile(&ms, 95.0),
            "p99_ms": percentile(&ms, 99.0),
            "max_ms": ms.last().copied().unwrap_or(0.0),
            "qps_1_client": set.len() as f64 / seq_secs,
            "qps_2_clients": set.len() as f64 / par_secs,
            "p99_budget_ms": DIRECTORY_P99_BUDGET_MS,
            "p99_over_budget": percentile(&ms, 99.0) / DIRECTORY_P99_BUDGET_MS,
            "mean_matches": if label == "api" { serde_json::json!(matched as f64 / set.len() as f64) } else { serde_json::Value::Null },
        }));
    }
    let report = serde_json::json!({
        "bench": "directory",
        "database": url.to_string(),
        "backend": storage.backend().as_str(),
        "companies": total,
        "seed": seed,
        "build": build.map(|(n, s)| serde_json::json!({ "companies": n, "seconds": s, "companies_per_second": n as f64 / s })),
        "results": results,
    });
    if json {
        println!("{report}");
        return Ok(());
    }
    println!(
        "directory benchmark: {total} companies on {} ({url}), seed {seed}",
        storage.backend().as_str()
    );
    if let Some((n, s)) = build {
        println!(
            "corpus build: {n} companies in {s:.1} s ({:.0} companies/s)",
            n as f64 / s
        );
    }
    println!(
        "{:<6} {:>8} {:>9} {:>9} {:>9} {:>9} {:>10} {:>10} {:>14}",
        "", "queries", "p50 ms", "p95 ms", "p99 ms", "max ms", "qps×1", "qps×2", "p99 / 50 ms"
    );
    for r in report["results"].as_array().into_iter().flatten() {
        println!(
            "{:<6} {:>8} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>10.0} {:>10.0} {:>14.3}",
            r["endpoint"].as_str().unwrap_or_default(),
            r["queries"],
            r["p50_ms"].as_f64().unwrap_or_default(),
            r["p95_ms"].as_f64().unwrap_or_default(),
            r["p99_ms"].as_f64().unwrap_or_default(),
            r["max_ms"].as_f64().unwrap_or_default(),
            r["qps_1_client"].as_f64().unwrap_or_default(),
            r["qps_2_clients"].as_f64().unwrap_or_default(),
            r["p99_over_budget"].as_f64().unwrap_or_default(),
        );
    }
    Ok(())
}

async fn get(router: &axum::Router, uri: &str) -> Result<axum::body::Bytes> {
    let req = http::Request::get(uri).body(Body::empty())?;
    let res = router.clone().oneshot(req).await?;
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024).await?;
    if !status.is_success() {
        bail!(
            "GET {uri} answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    Ok(body)
}
