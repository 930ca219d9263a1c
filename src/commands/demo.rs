//! `musubi demo generate` and the demo seeding of `serve --demo`.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use musubi_app::demo::DemoGenerator;
use musubi_app::search::ReindexScope;
use musubi_app::seed::{DEMO_ADMIN, DEMO_COORDINATOR, DEMO_PASSWORD, DEMO_SUPPLIER};
use musubi_app::{Services, SystemClock};

use super::{open_storage, reindex};
use crate::cli::{DemoCommand, GlobalArgs};

/// Suppliers that `serve --demo` puts into an empty database.
const DEMO_SUPPLIERS: u64 = 2_000;
/// Tenders that `serve --demo` puts into an empty database.
const DEMO_TENDERS: u64 = 10_000;
/// The seed of `serve --demo`.
const DEMO_SEED: u64 = 1;

/// A progress line on stderr, at most twice a second: "  3000/10000
/// tenders (30%), 2512/s".
fn progress(what: &'static str) -> impl FnMut(u64, u64) {
    let started = Instant::now();
    let mut last_print: Option<Instant> = None;
    move |done, total| {
        if last_print.is_none_or(|t| t.elapsed().as_millis() >= 500) || done == total {
            last_print = Some(Instant::now());
            let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-9);
            eprint!(
                "\r  {done}/{total} {what} ({:.0}%), {rate:.0}/s   ",
                100.0 * done as f64 / total.max(1) as f64
            );
            let _ = std::io::stderr().flush();
            if done == total {
                eprintln!();
            }
        }
    }
}

fn rate(n: u64, secs: f64) -> f64 {
    n as f64 / secs.max(1e-9)
}

pub async fn run(global: &GlobalArgs, cmd: DemoCommand) -> Result<()> {
    let DemoCommand::Generate {
        companies,
        tenders,
        seed,
    } = cmd;
    let storage = open_storage(global, true).await?;
    let services = Services::new(
        storage,
        Arc::new(SystemClock),
        super::app_config(global, String::new()),
    );
    let generator = DemoGenerator::new(seed);
    let started = Instant::now();

    // Continue after earlier runs with the same seed instead of colliding
    // with their 法人番号: count what the directory already holds.
    let existing = services
        .directory(&musubi_storage::DirectoryQuery {
            limit: 1,
            ..Default::default()
        })
        .await
        .context("counting existing companies")?
        .total;
    let imported = if companies > 0 {
        services
            .import_demo_suppliers(&generator, existing, companies, progress("companies"))
            .await
            .with_context(|| {
                format!("importing demo companies (seed {seed}, starting at #{existing})")
            })?
    } else {
        0
    };
    let company_secs = started.elapsed().as_secs_f64();

    let tender_started = Instant::now();
    let (first_tender, report) = if tenders > 0 {
        let first = services
            .demo_tender_count(&generator)
            .await
            .context("counting the demo buyers' existing tenders")?;
        let report = services
            .import_demo_tenders(&generator, first, tenders, progress("tenders"))
            .await
            .with_context(|| {
                format!("importing demo tenders (seed {seed}, starting at #{first})")
            })?;
        (first, report)
    } else {
        (0, Default::default())
    };
    let tender_secs = tender_started.elapsed().as_secs_f64();

    let secs = started.elapsed().as_secs_f64();
    println!(
        "imported {imported} demo companies (#{existing}..#{}) in {company_secs:.1} s ({:.0}/s) and {} tenders (#{first_tender}..#{}; {} questions, {} attachments) in {tender_secs:.1} s ({:.0}/s); seed {seed}, {secs:.1} s in all",
        existing + imported,
        rate(imported, company_secs),
        report.tenders,
        first_tender + report.tenders,
        report.questions,
        report.attachments,
        rate(report.tenders, tender_secs),
    );
    if report.tenders > 0 {
        println!(
            "demo sign-in (password {DEMO_PASSWORD}): buyer1@demo.musubi.example.jp … (buyers), {DEMO_SUPPLIER} (supplier)"
        );
    }
    // Imports queue no index jobs (one per row would be slow for nothing):
    // rebuild the index from the database instead.
    if imported > 0 || report.tenders > 0 {
        reindex_after_import(global, &services).await?;
    }
    Ok(())
}

/// Rebuilds the search index after an import; when a running server holds
/// it, queues the rebuild for that server's worker instead.
async fn reindex_after_import(global: &GlobalArgs, services: &Services) -> Result<()> {
    let dir = reindex::search_dir(global);
    match reindex::rebuild(services, &dir, ReindexScope::All, true).await {
        Ok(r) => println!("{}", reindex::summary(&r, &dir)),
        Err(reindex::RebuildError::Locked(_)) => {
            services
                .storage
                .enqueue_jobs(
                    &[musubi_app::search::reindex_job(ReindexScope::All)],
                    chrono::Utc::now(),
                )
                .await
                .context("queueing a search index rebuild")?;
            println!(
                "the search index is held by a running `musubi serve`: queued a rebuild for its worker"
            );
        }
        Err(reindex::RebuildError::Failed(e)) => {
            return Err(e.context(
                "the demo data is in, but the search index could not be rebuilt; run `musubi reindex`",
            ));
        }
    }
    Ok(())
}

/// Seeds an empty database for `serve --demo` and says how to sign in.
pub async fn seed_if_empty(services: &Services) -> Result<()> {
    let started = Instant::now();
    let Some(r) = services
        .seed_demo_if_empty(DEMO_SUPPLIERS, DEMO_SEED)
        .await
        .context("seeding demo data")?
    else {
        println!("demo data: the database already has organisations; nothing added");
        return Ok(());
    };
    let company_secs = started.elapsed().as_secs_f64();
    let tenders_started = Instant::now();
    let generator = DemoGenerator::new(DEMO_SEED);
    let tenders = services
        .import_demo_tenders(&generator, 0, DEMO_TENDERS, |_, _| {})
        .await;
    let tender_secs = tenders_started.elapsed().as_secs_f64();
    println!(
        "demo data: {} suppliers, {} buyers, {} accounts in {company_secs:.1} s",
        r.suppliers, r.buyers, r.accounts,
    );
    match tenders {
        Ok(t) => println!(
            "demo data: {} tenders ({} questions, {} attachments) in {tender_secs:.1} s ({:.0}/s); {:.1} s in all",
            t.tenders,
            t.questions,
            t.attachments,
            rate(t.tenders, tender_secs),
            started.elapsed().as_secs_f64()
        ),
        // The companies are in and the portal is usable without tenders:
        // say what failed and serve anyway.
        Err(e) => eprintln!(
            "demo data: seeding the demo tenders failed: {e}; add them later with `musubi demo generate --companies 0 --tenders {DEMO_TENDERS}`"
        ),
    }
    println!(
        "demo sign-in (password {DEMO_PASSWORD}): {DEMO_ADMIN} (admin), {DEMO_SUPPLIER} (supplier), buyer1@demo.musubi.example.jp (buyer), {DEMO_COORDINATOR} (coordinator)"
    );
    Ok(())
}
