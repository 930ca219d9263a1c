//! The commands, and what they share: configuration checks, opening storage,
//! shutdown signals.

mod audit;
mod bench;
mod bench_alerts;
mod bench_bids;
mod bench_log;
mod bench_match;
mod bench_quality;
mod bench_search;
mod bench_tender_page;
mod demo;
mod http_client;
mod jobs;
mod reindex;
mod serve;
mod user;
mod verify;

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use musubi_app::jobs::WorkerConfig;
use musubi_storage::{DatabaseUrl, Storage};
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command, GlobalArgs, WorkerArgs};

pub async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve(args) => serve::serve(&cli.global, args).await,
        Command::Migrate => {
            let storage = open_storage(&cli.global, false).await?;
            let report = storage.migrate().await.context("migrating the database")?;
            if report.applied.is_empty() {
                println!(
                    "database is up to date ({} migrations applied before)",
                    report.already_applied
                );
            } else {
                for m in &report.applied {
                    println!("applied {m}");
                }
                println!(
                    "done: {} applied now, {} before",
                    report.applied.len(),
                    report.already_applied
                );
            }
            Ok(())
        }
        Command::Worker(args) => serve::worker_only(&cli.global, args).await,
        Command::Jobs(cmd) => jobs::run(&cli.global, cmd).await,
        Command::Reindex(args) => reindex::run(&cli.global, args).await,
        Command::User(cmd) => user::run(&cli.global, cmd).await,
        Command::Demo(cmd) => demo::run(&cli.global, cmd).await,
        Command::Bench(cmd) => bench::run(&cli.global, cmd).await,
        Command::Verify(args) => verify::run(args).await,
        Command::Audit(args) => audit::run(args).await,
    }
}

pub fn init_tracing(filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|e| {
        eprintln!("musubi: warning: log filter {filter:?} is invalid ({e}); using \"info\"");
        EnvFilter::new("info")
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// Makes sure the data directory exists and can be written, so a bad path
/// fails here with its name rather than later in some corner.
pub fn ensure_data_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir)
        .with_context(|| format!("data directory {} cannot be created", dir.display()))?;
    let probe = dir.join(".musubi-write-test");
    fs::write(&probe, b"ok")
        .with_context(|| format!("data directory {} is not writable", dir.display()))?;
    let _ = fs::remove_file(probe);
    Ok(())
}

pub fn database_url(global: &GlobalArgs) -> Result<DatabaseUrl> {
    match &global.database_url {
        None => Ok(DatabaseUrl::sqlite_in(&global.data_dir)),
        Some(s) => DatabaseUrl::parse(s).map_err(|e| {
            anyhow!("invalid database URL (--database-url / MUSUBI_DATABASE_URL): {e}")
        }),
    }
}

/// Checks the configuration, connects, and (when asked) migrates.
pub async fn open_storage(global: &GlobalArgs, migrate: bool) -> Result<Arc<dyn Storage>> {
    let url = database_url(global)?;
    ensure_data_dir(&global.data_dir)?;
    if let DatabaseUrl::Sqlite(path) = &url
        && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
    {
        ensure_data_dir(parent)?;
    }
    let storage = musubi_storage::connect(&url)
        .await
        .with_context(|| format!("cannot open the database {url}"))?;
    if migrate {
        let report = storage
            .migrate()
            .await
            .with_context(|| format!("cannot migrate the database {url}"))?;
        for m in &report.applied {
            tracing::info!(migration = %m, "applied migration");
        }
    }
    tracing::info!(database = %url, "database ready");
    Ok(storage)
}

pub fn worker_config(args: &WorkerArgs) -> Result<WorkerConfig> {
    if args.worker_concurrency == 0 {
        return Err(anyhow!("--worker-concurrency must be at least 1"));
    }
    if args.job_lease_secs == 0 {
        return Err(anyhow!("--job-lease-secs must be at least 1"));
    }
    Ok(WorkerConfig {
        concurrency: args.worker_concurrency,
        lease: Duration::from_secs(args.job_lease_secs),
        poll_interval: Duration::from_millis(args.job_poll_ms.max(10)),
        ..WorkerConfig::default()
    })
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested; finishing requests and jobs under way");
}

/// The services' settings from the command line.
pub fn app_config(global: &GlobalArgs, base_url: String) -> musubi_app::AppConfig {
    musubi_app::AppConfig {
        base_url,
        data_dir: global.data_dir.clone(),
        min_publication_days: global.min_publication_days,
    }
}
