//! `musubi demo generate` and the demo seeding of `serve --demo`.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use musubi_app::demo::DemoGenerator;
use musubi_app::seed::{DEMO_ADMIN, DEMO_PASSWORD, DEMO_SUPPLIER};
use musubi_app::{Services, SystemClock};

use super::open_storage;
use crate::cli::{DemoCommand, GlobalArgs};

/// Suppliers that `serve --demo` puts into an empty database.
const DEMO_SUPPLIERS: u64 = 300;

pub async fn run(global: &GlobalArgs, cmd: DemoCommand) -> Result<()> {
    let DemoCommand::Generate { companies, seed } = cmd;
    let storage = open_storage(global, true).await?;
    let services = Services::new(
        storage,
        Arc::new(SystemClock),
        super::app_config(global, String::new()),
    );
    let generator = DemoGenerator::new(seed);
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
    let started = Instant::now();
    let mut last_print = Instant::now();
    let imported = services
        .import_demo_suppliers(&generator, existing, companies, |done, total| {
            if last_print.elapsed().as_millis() >= 500 || done == total {
                last_print = Instant::now();
                let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-9);
                eprint!(
                    "\r  {done}/{total} companies ({:.0}%), {rate:.0}/s   ",
                    100.0 * done as f64 / total.max(1) as f64
                );
                let _ = std::io::stderr().flush();
            }
        })
        .await
        .with_context(|| {
            format!("importing demo companies (seed {seed}, starting at #{existing})")
        })?;
    eprintln!();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "imported {imported} demo companies (seed {seed}, #{existing}..#{}) in {secs:.1} s ({:.0} companies/s); the directory now lists {}",
        existing + imported,
        imported as f64 / secs.max(1e-9),
        existing + imported
    );
    Ok(())
}

/// Seeds an empty database for `serve --demo` and says how to sign in.
pub async fn seed_if_empty(services: &Services) -> Result<()> {
    let started = Instant::now();
    match services
        .seed_demo_if_empty(DEMO_SUPPLIERS, 1)
        .await
        .context("seeding demo data")?
    {
        Some(r) => {
            println!(
                "demo data: {} suppliers, {} buyers, {} accounts in {:.1} s",
                r.suppliers,
                r.buyers,
                r.accounts,
                started.elapsed().as_secs_f64()
            );
            println!(
                "demo sign-in (password {DEMO_PASSWORD}): {DEMO_ADMIN} (admin), {DEMO_SUPPLIER} (supplier), buyer1@demo.musubi.example.jp (buyer)"
            );
        }
        None => println!("demo data: the database already has organisations; nothing added"),
    }
    Ok(())
}
