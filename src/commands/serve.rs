//! `musubi serve` (portal + worker) and `musubi worker` (worker only).

use std::sync::Arc;

use anyhow::{Context, Result};
use musubi_app::SystemClock;
use musubi_app::jobs::{Registry, Worker};
use tokio::sync::watch;

use super::{open_storage, shutdown_signal, worker_config};
use crate::cli::{GlobalArgs, ServeArgs, WorkerArgs};

pub async fn serve(global: &GlobalArgs, args: ServeArgs) -> Result<()> {
    let worker_cfg = worker_config(&args.worker)?;
    let storage = open_storage(global, true).await?;
    // Bind before starting anything else, so "port in use" fails fast.
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener
        .local_addr()
        .context("reading the listening address")?;

    let (stop_tx, stop_rx) = watch::channel(false);
    let worker_task = (!args.no_worker).then(|| {
        let worker = Worker::new(
            Arc::clone(&storage),
            Arc::new(SystemClock),
            Registry::standard(),
            worker_cfg,
        );
        tokio::spawn(worker.run(wait_for_stop(stop_rx.clone())))
    });

    let config = musubi_web::WebConfig {
        demo: args.demo,
        secure_cookies: args.secure_cookies,
        ..musubi_web::WebConfig::default()
    };
    let state = musubi_web::WebState::new(Arc::clone(&storage), config);
    let router = musubi_web::router(state);
    tracing::info!(%addr, demo = args.demo, "Musubi is listening on http://{addr}/");
    println!("Musubi is listening on http://{addr}/");

    musubi_web::serve(listener, router, shutdown_signal())
        .await
        .context("serving HTTP")?;
    let _ = stop_tx.send(true);
    if let Some(task) = worker_task {
        let _ = task.await;
    }
    tracing::info!("stopped");
    Ok(())
}

pub async fn worker_only(global: &GlobalArgs, args: WorkerArgs) -> Result<()> {
    let cfg = worker_config(&args)?;
    let storage = open_storage(global, true).await?;
    let worker = Worker::new(storage, Arc::new(SystemClock), Registry::standard(), cfg);
    println!("Musubi worker {} is running", worker.config().worker_id);
    worker.run(shutdown_signal()).await;
    Ok(())
}

async fn wait_for_stop(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}
