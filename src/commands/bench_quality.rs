//! `musubi bench quality`: recommendation quality on demo data.
//!
//! A fresh SQLite store in `<data-dir>/bench/quality/` is seeded with the
//! demo suppliers and tenders and indexed; for a sample of the tenders the
//! generator's expert names the supplier it would invite (from latent facts
//! the matcher never reads), and おすすめ企業 is asked as each tender's
//! buyer. The measurement is `Services::measure_recommendation_quality`,
//! the one the integration test runs too.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Result, anyhow, bail};
use musubi_app::demo::DemoGenerator;
use musubi_app::demo::quality::{QualityCase, QualityOptions, QualityReport, TOP};
use musubi_app::search::SearchIndex;
use musubi_app::{AppConfig, ManualClock, Services};

use super::bench_bids::{fresh_bench_store, say};
use crate::cli::GlobalArgs;

/// Worked examples printed.
const EXAMPLES: usize = 4;
/// The run's "now", fixed: the tenders' dates — and the fiscal years in
/// their titles, hence the text relevance — depend on it, and the figure
/// should not change with the day it is measured on.
const ANCHOR: &str = "2026-11-22T00:00:00Z";

pub struct Args {
    pub companies: u64,
    pub tenders: u64,
    pub sample: usize,
    pub seed: u64,
    pub json: bool,
}

pub async fn run(global: &GlobalArgs, args: Args) -> Result<()> {
    if args.companies == 0 || args.tenders == 0 || args.sample == 0 {
        bail!("--companies, --tenders and --sample must be at least 1");
    }
    let quiet = args.json;
    let started = Instant::now();
    let (dir, url, storage) =
        fresh_bench_store(global, "quality", None, "musubi_bench_quality").await?;
    say(quiet, format!("fresh store {url}"));
    let index_dir = dir.join("search");
    let index = SearchIndex::recreate(&index_dir)
        .map_err(|e| anyhow!("search index in {}: {e}", index_dir.display()))?;
    let services = Services::new(
        storage,
        Arc::new(ManualClock::new(ANCHOR.parse()?)),
        AppConfig {
            base_url: "http://bench".into(),
            // Demo attachments go to the bench's own blob store.
            data_dir: dir.clone(),
            ..AppConfig::default()
        },
    )
    .with_search(Arc::new(index));
    let generator = DemoGenerator::new(args.seed);
    let report = services
        .measure_recommendation_quality(
            &generator,
            QualityOptions {
                suppliers: args.companies,
                tenders: args.tenders,
                sample: args.sample,
                all_tenders: true,
            },
            |line| say(quiet, line),
        )
        .await?;
    let seconds = started.elapsed().as_secs_f64();
    if args.json {
        let mut value = serde_json::to_value(&report)?;
        value["seconds"] = serde_json::json!(seconds);
        value["meets_target"] = serde_json::json!(report.top10_share >= report.target_top10_share);
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print_report(&report, seconds);
    }
    Ok(())
}

fn share(n: usize, of: usize) -> f64 {
    100.0 * n as f64 / of.max(1) as f64
}

fn rank_text(c: &QualityCase) -> String {
    match (c.rank, c.points) {
        (Some(r), _) => format!("#{r}"),
        (None, Some(_)) => "below #50".to_owned(),
        (None, None) => "not recommended (no match)".to_owned(),
    }
}

fn print_case(c: &QualityCase) {
    println!("  {} — {} (tender {})", c.title, c.buyer, c.tender_id);
    println!(
        "    expert's pick: {}{} — rank {}, {} points",
        c.supplier_name,
        if c.pick.planted { " [planted]" } else { "" },
        rank_text(c),
        c.points.map_or("-".to_owned(), |p| p.to_string())
    );
    println!("    why the expert: {}", c.pick.why_ja);
    println!("                    {}", c.pick.why_en);
    for r in &c.reasons {
        println!("    reason: {} / {}", r.label_ja, r.label_en);
    }
}

fn print_report(r: &QualityReport, seconds: f64) {
    let n = r.picked;
    println!();
    println!(
        "recommendation quality (seed {}, now = {}, {} suppliers + {} planted, {} tenders, {} sampled, {} with a pick)",
        r.seed,
        r.anchor.to_rfc3339(),
        r.suppliers,
        r.planted,
        r.tenders_imported,
        r.sampled,
        n
    );
    println!(
        "  in top {TOP}: {}/{n} = {:.1} %  (target ≥ {:.0} %: {})",
        r.top10,
        share(r.top10, n),
        100.0 * r.target_top10_share,
        if r.top10_share >= r.target_top10_share {
            "met"
        } else {
            "NOT met"
        }
    );
    println!("  in top 1: {}/{n} = {:.1} %", r.top1, share(r.top1, n));
    println!("  in top 3: {}/{n} = {:.1} %", r.top3, share(r.top3, n));
    println!(
        "  median rank: {}",
        r.median_rank
            .map_or("below 50".to_owned(), |m| format!("#{m}"))
    );
    println!("  {seconds:.1} s in all");

    // Examples: hits spread over the sample, of different needs.
    println!();
    println!("worked examples:");
    let hits: Vec<&QualityCase> = r.cases.iter().filter(|c| c.in_top(TOP as usize)).collect();
    // One from each stretch of the sample, each of a need not shown yet.
    let step = (hits.len() / EXAMPLES).max(1);
    let spread = (0..step).flat_map(|offset| (0..EXAMPLES).map(move |e| e * step + offset));
    let mut needs = Vec::new();
    for c in spread.filter_map(|i| hits.get(i)) {
        if needs.len() == EXAMPLES {
            break;
        }
        if !needs.contains(&c.pick.need) {
            needs.push(c.pick.need);
            print_case(c);
        }
    }

    let misses: Vec<&QualityCase> = r.cases.iter().filter(|c| !c.in_top(TOP as usize)).collect();
    println!();
    println!("misses ({}):", misses.len());
    for c in misses {
        print_case(c);
        for a in &c.above {
            println!(
                "    above it: #{} {} {} points [{}]",
                a.rank,
                a.name,
                a.points,
                a.reasons.join(", ")
            );
        }
    }
}
