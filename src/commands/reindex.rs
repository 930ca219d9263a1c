//! `musubi reindex`: rebuilds the full-text search index from the database,
//! and the index helpers `serve` and `demo generate` share.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use musubi_app::search::{self, ReindexProgress, ReindexReport, ReindexScope, SearchIndex};
use musubi_app::{ServiceError, Services, SystemClock};

use super::open_storage;
use crate::cli::{GlobalArgs, ReindexArgs, ReindexOnly};

/// Where the index lives: `<data-dir>/search`.
pub fn search_dir(global: &GlobalArgs) -> PathBuf {
    global.data_dir.join("search")
}

/// Opens the index in `dir`, creating it if missing. An index written by an
/// incompatible version is derived data: it is deleted and started empty
/// (the caller rebuilds it).
pub fn open_index(dir: &Path) -> Result<SearchIndex> {
    match SearchIndex::open(dir) {
        Ok(index) => Ok(index),
        Err(e) if e.to_string().contains("musubi reindex") => {
            tracing::warn!(dir = %dir.display(), error = %e, "search index is from another version; starting it over");
            SearchIndex::recreate(dir)
                .with_context(|| format!("cannot recreate the search index in {}", dir.display()))
        }
        Err(e) => Err(anyhow!(e))
            .with_context(|| format!("cannot open the search index in {}", dir.display())),
    }
}

/// Whether an index error says another process holds the writer lock.
fn is_locked(e: &ServiceError) -> bool {
    match e {
        ServiceError::Internal(m) => {
            let m = m.to_ascii_lowercase();
            m.contains("another process") || m.contains("lock")
        }
        _ => false,
    }
}

/// Why a rebuild did not happen.
pub enum RebuildError {
    /// Another process (a running `musubi serve`) writes the index.
    Locked(PathBuf),
    Failed(anyhow::Error),
}

impl RebuildError {
    pub fn into_anyhow(self) -> anyhow::Error {
        match self {
            RebuildError::Locked(dir) => anyhow!(
                "the search index in {} is being written by another process, most likely a running `musubi serve` \
                 (it holds the index while it runs). Stop the server and run `musubi reindex` again, or run \
                 `musubi reindex --queue` to have the server's worker rebuild it",
                dir.display()
            ),
            RebuildError::Failed(e) => e,
        }
    }
}

/// A progress line on stderr per kind, at most twice a second and when a
/// kind is complete: "  3000/9588 tenders (31%), 3362 docs/s".
fn progress() -> impl FnMut(ReindexProgress) + Send {
    // (kind, its start, last print); a kind starts when the one before ends.
    let created = Instant::now();
    let mut current: Option<(&'static str, Instant, Instant)> = None;
    move |p: ReindexProgress| {
        let now = Instant::now();
        let (started, last) = match current {
            Some((what, started, last)) if what == p.what => (started, Some(last)),
            Some((_, _, last)) => {
                eprintln!();
                (last, None)
            }
            None => (created, None),
        };
        let done = p.done >= p.total;
        if done || last.is_none_or(|t| now - t >= std::time::Duration::from_millis(500)) {
            current = Some((p.what, started, now));
            let total = p.total.max(p.done);
            eprint!(
                "\r  {}/{total} {} ({:.0}%), {:.0} docs/s   ",
                p.done,
                p.what,
                100.0 * p.done as f64 / total.max(1) as f64,
                p.done as f64 / started.elapsed().as_secs_f64().max(1e-3),
            );
            let _ = std::io::stderr().flush();
        } else {
            current = Some((p.what, started, last.unwrap_or(now)));
        }
    }
}

/// Rebuilds `scope` of the index in `dir` from `services`' database, with
/// progress on stderr when `show_progress`.
pub async fn rebuild(
    services: &Services,
    dir: &Path,
    scope: ReindexScope,
    show_progress: bool,
) -> Result<ReindexReport, RebuildError> {
    let index = Arc::new(open_index(dir).map_err(RebuildError::Failed)?);
    let services = services.clone().with_search(Arc::clone(&index));
    let result = if show_progress {
        let r = services.rebuild_search_index(scope, progress()).await;
        eprintln!();
        r
    } else {
        services.rebuild_search_index(scope, |_| {}).await
    };
    let report = result.map_err(|e| {
        if is_locked(&e) {
            RebuildError::Locked(dir.to_path_buf())
        } else {
            RebuildError::Failed(anyhow!(e).context("rebuilding the search index"))
        }
    })?;
    // Let the background merges finish before this process may exit: a
    // merge cut short leaves many small segments and slower searches.
    tokio::task::spawn_blocking(move || index.wait_for_merges())
        .await
        .map_err(|e| RebuildError::Failed(anyhow!(e.to_string())))?
        .map_err(|e| RebuildError::Failed(anyhow!(e).context("finishing the index merges")))?;
    Ok(report)
}

/// One line: counts, time, rate, size.
pub fn summary(r: &ReindexReport, dir: &Path) -> String {
    format!(
        "search index rebuilt: {} tenders and {} companies in {:.1} s ({:.0} docs/s), awards: {}; {:.1} MB in {}",
        r.tenders,
        r.companies,
        r.seconds,
        r.docs_per_second(),
        r.awards,
        r.index_bytes as f64 / 1_000_000.0,
        dir.display()
    )
}

pub async fn run(global: &GlobalArgs, args: ReindexArgs) -> Result<()> {
    let scope = match args.only {
        None => ReindexScope::All,
        Some(ReindexOnly::Tenders) => ReindexScope::Tenders,
        Some(ReindexOnly::Companies) => ReindexScope::Companies,
    };
    let storage = open_storage(global, true).await?;
    if args.queue {
        let ids = storage
            .enqueue_jobs(&[search::reindex_job(scope)], chrono::Utc::now())
            .await
            .context("queueing the rebuild")?;
        match ids.first() {
            Some(id) => println!(
                "queued the search index rebuild as job {id}: the worker of the running `musubi serve` runs it"
            ),
            None => println!("a search index rebuild is already queued"),
        }
        return Ok(());
    }
    let dir = search_dir(global);
    let services = Services::new(
        storage,
        Arc::new(SystemClock),
        super::app_config(global, String::new()),
    );
    eprintln!(
        "rebuilding the search index in {} ({})",
        dir.display(),
        scope.as_str()
    );
    let report = rebuild(&services, &dir, scope, true)
        .await
        .map_err(RebuildError::into_anyhow)?;
    println!("{}", summary(&report, &dir));
    Ok(())
}
