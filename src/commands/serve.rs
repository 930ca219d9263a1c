//! `musubi serve` (portal + worker) and `musubi worker` (worker only).

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use musubi_app::jobs::{Registry, Worker};
use musubi_app::mail::{MailConfig, Mailer};
use musubi_app::search::{self, ReindexScope};
use musubi_app::tenders::run_scheduler;
use musubi_app::{Services, SystemClock};
use tokio::sync::watch;

use super::reindex::{open_index, search_dir};
use super::{open_storage, shutdown_signal, worker_config};
use crate::cli::{GlobalArgs, ServeArgs, WorkerArgs};

/// The mailer from the configuration, failing with one line that names it.
pub fn mailer(global: &GlobalArgs) -> Result<Mailer> {
    let config = MailConfig {
        smtp_url: global.smtp_url.clone(),
        from: global.mail_from.clone(),
        mail_dir: global.data_dir.join("mail"),
    };
    Mailer::from_config(&config).map_err(|e| anyhow!("mail configuration: {e}"))
}

/// The handlers every worker runs. The search jobs are not among them: only
/// `serve`, which holds the index, registers them (see [`serve`]).
fn registry(mailer: &Mailer, services: &Services) -> Registry {
    let mut registry = Registry::standard();
    musubi_app::mail::register(&mut registry, mailer.clone());
    musubi_app::alerts::register(&mut registry, services);
    registry
}

/// At start-up: rebuilds an index that is empty while the database has
/// searchable rows (a new or deleted index, an upgrade), and in demo mode
/// one whose counts differ (demo data added while the server was down).
/// Otherwise the outbox keeps it up to date.
async fn refresh_search_index(services: &Services, demo: bool) {
    let check = match services.check_search_index().await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "cannot compare the search index with the database");
            return;
        }
    };
    if !(check.index_is_empty() || (demo && !check.counts_match())) {
        if !check.counts_match() {
            tracing::info!(
                indexed_tenders = check.indexed_tenders,
                tenders = check.tenders,
                indexed_companies = check.indexed_companies,
                companies = check.companies,
                "the search index and the database differ in counts; queued index jobs catch up, or run `musubi reindex`"
            );
        }
        return;
    }
    tracing::info!(
        tenders = check.tenders,
        companies = check.companies,
        "rebuilding the search index"
    );
    match services
        .rebuild_search_index(ReindexScope::All, |_| {})
        .await
    {
        Ok(r) => tracing::info!(
            tenders = r.tenders,
            companies = r.companies,
            seconds = format!("{:.1}", r.seconds),
            "search index rebuilt"
        ),
        Err(e) => tracing::error!(
            error = %e,
            "rebuilding the search index failed; searches may miss documents until `musubi reindex` (or `musubi reindex --queue`) runs"
        ),
    }
}

pub async fn serve(global: &GlobalArgs, args: ServeArgs) -> Result<()> {
    let worker_cfg = worker_config(&args.worker)?;
    let mailer = mailer(global)?;
    let storage = open_storage(global, true).await?;
    // Bind before starting anything else, so "port in use" fails fast.
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener
        .local_addr()
        .context("reading the listening address")?;
    let base_url = global
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"))
        .trim_end_matches('/')
        .to_owned();

    // This process holds the search index (tantivy's writer lock): its
    // worker runs the `search.*` jobs, `musubi worker`s leave them alone.
    let index_dir = search_dir(global);
    let index = open_index(&index_dir)?;
    let mut services = Services::new(
        Arc::clone(&storage),
        Arc::new(SystemClock),
        super::app_config(global, base_url.clone()),
    )
    .with_search(Arc::new(index));
    if args.demo {
        super::demo::seed_if_empty(&services).await?;
        // The demo is searchable once it listens (10,000 tenders take a
        // couple of seconds).
        refresh_search_index(&services, true).await;
    } else {
        // A big index takes a while: serve meanwhile (the rebuild commits
        // once, at the end).
        let services = services.clone();
        tokio::spawn(async move { refresh_search_index(&services, false).await });
    }

    let (stop_tx, stop_rx) = watch::channel(false);
    let mut registry = registry(&mailer, &services);
    search::register(&mut registry, &services);
    let worker = Worker::new(
        Arc::clone(&storage),
        Arc::new(SystemClock),
        registry,
        worker_cfg,
    );
    // `--no-worker` leaves the other jobs to `musubi worker`, but the index
    // jobs can only run here.
    let worker = if args.no_worker {
        worker.with_kinds(search::index_jobs())
    } else {
        worker
    };
    services.worker_wake = Some(worker.waker());
    let worker_task = Some(tokio::spawn(worker.run(wait_for_stop(stop_rx.clone()))));
    // The tender scheduler runs with the worker: both drive time-driven work,
    // and `--no-worker` leaves both to a separate `musubi worker`.
    let scheduler_task = if args.no_worker {
        None
    } else {
        let wake = Arc::new(tokio::sync::Notify::new());
        services.scheduler_wake = Some(Arc::clone(&wake));
        Some(tokio::spawn(run_scheduler(
            services.clone(),
            wake,
            wait_for_stop(stop_rx.clone()),
        )))
    };

    // おすすめ's candidate snapshot, kept fresh in the background so no
    // request waits for its rebuild (about a second at 100,000 suppliers).
    let warm_task = {
        let services = services.clone();
        let stop = wait_for_stop(stop_rx.clone());
        tokio::spawn(async move {
            tokio::pin!(stop);
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(10));
            loop {
                tokio::select! {
                    _ = &mut stop => break,
                    _ = tick.tick() => {
                        if let Err(e) = services.warm_matching_candidates().await {
                            tracing::warn!(error = %e, "refreshing the matching snapshot failed");
                        }
                    }
                }
            }
        })
    };

    let config = musubi_web::WebConfig {
        demo: args.demo,
        // Behind HTTPS (a public https:// address), cookies are Secure.
        secure_cookies: args.secure_cookies || base_url.starts_with("https://"),
        dev_mail_dir: mailer.dev_mail_dir().map(Path::to_path_buf),
        trusted_proxies: args.trusted_proxy.clone(),
        ..musubi_web::WebConfig::default()
    };
    let state = musubi_web::WebState::new(services, config);
    let router = musubi_web::router(state);
    if mailer.is_dev_mailbox() {
        tracing::info!(
            "no MUSUBI_SMTP_URL: mail is written to the data directory; read it at http://{addr}/dev/mailbox"
        );
    }
    tracing::info!(%addr, demo = args.demo, "Musubi is listening on http://{addr}/");
    println!("Musubi is listening on http://{addr}/");

    musubi_web::serve(listener, router, shutdown_signal())
        .await
        .context("serving HTTP")?;
    let _ = stop_tx.send(true);
    for task in [worker_task, scheduler_task, Some(warm_task)]
        .into_iter()
        .flatten()
    {
        let _ = task.await;
    }
    tracing::info!("stopped");
    Ok(())
}

pub async fn worker_only(global: &GlobalArgs, args: WorkerArgs) -> Result<()> {
    let cfg = worker_config(&args)?;
    let mailer = mailer(global)?;
    let storage = open_storage(global, true).await?;
    let services = Services::new(
        Arc::clone(&storage),
        Arc::new(SystemClock),
        super::app_config(global, global.base_url.clone().unwrap_or_default()),
    );
    // No search index here (`serve` holds it): leave its jobs to `serve`.
    let worker = Worker::new(
        storage,
        Arc::new(SystemClock),
        registry(&mailer, &services),
        cfg,
    )
    .with_kinds(musubi_app::search::jobs_without_index());
    println!("Musubi worker {} is running", worker.config().worker_id);
    let (stop_tx, stop_rx) = watch::channel(false);
    let scheduler = tokio::spawn(run_scheduler(
        services,
        Arc::new(tokio::sync::Notify::new()),
        wait_for_stop(stop_rx),
    ));
    worker.run(shutdown_signal()).await;
    let _ = stop_tx.send(true);
    let _ = scheduler.await;
    Ok(())
}

async fn wait_for_stop(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}
