//! `musubi bench log`: the transparency log's appends and proofs (issue 7:
//! ≥ 20,000 leaves/s appended; inclusion and consistency proofs ≤ 1 ms at
//! 1,000,000 leaves).
//!
//! Appends go through the store (`TransparencyStore::append_log_entries`,
//! the code path every event's transaction uses), `--batch` leaves per
//! transaction as a bids' group commit does. Proofs go through the services
//! the API calls (`Services::inclusion_proof`, `consistency_proof`). The
//! baseline is the RFC's O(n) recursive definition over all the leaf hashes
//! in memory (`inclusion_proof_ref`, `consistency_proof_ref`) — what a log
//! that keeps only its leaves would compute. Every proof is checked with the
//! RFC's verification algorithm (outside the timings), and the stored root
//! against the root recomputed from the leaves.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use musubi_app::{Services, SystemClock};
use musubi_domain::transparency::entry::LogEntry;
use musubi_domain::transparency::{
    Frontier, Hash, consistency_proof_ref, inclusion_proof_ref, leaf_hash, root_of,
    verify_consistency, verify_inclusion,
};
use musubi_storage::DatabaseUrl;
use serde_json::json;

use super::bench::percentile;
use super::bench_bids::{fresh_bench_store, progress, say};
use crate::cli::GlobalArgs;

const PG_DATABASE: &str = "musubi_bench_log";
/// The budgets.
const APPEND_BUDGET_PER_S: f64 = 20_000.0;
const PROOF_BUDGET_MS: f64 = 1.0;
/// O(n) reference proofs timed for the baseline (each walks every leaf).
const REFERENCE_SAMPLES: usize = 5;

pub struct Args {
    pub leaves: u64,
    pub batch: u64,
    pub proofs: u64,
    pub postgres: Option<String>,
    pub json: bool,
}

/// A small deterministic generator, so every run proves the same indexes.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// A commitment-shaped value for leaf `i` (64 hex digits).
fn commitment(i: u64) -> String {
    leaf_hash(&i.to_be_bytes()).to_hex()
}

pub async fn run(global: &GlobalArgs, args: Args) -> Result<()> {
    if args.leaves < 2 || args.batch == 0 || args.proofs == 0 {
        bail!("--leaves must be at least 2, --batch and --proofs at least 1");
    }
    let quiet = args.json;
    let (dir, url, storage) =
        fresh_bench_store(global, "log", args.postgres.as_deref(), PG_DATABASE).await?;
    let mut config = super::app_config(global, "http://bench".into());
    config.data_dir = dir.clone();
    let services = Services::new(Arc::clone(&storage), Arc::new(SystemClock), config);
    services.bid_keys().map_err(|e| {
        anyhow!(
            "cannot create the log's signing key in {}: {e}",
            dir.display()
        )
    })?;

    // 1. Appends.
    say(
        quiet,
        format!(
            "appending {} leaves, {} per transaction, to {url}",
            args.leaves, args.batch
        ),
    );
    let mut leaves: Vec<Hash> = Vec::with_capacity(usize::try_from(args.leaves)?);
    let mut batch_ms = Vec::new();
    let mut append_s = 0.0;
    let mut next = 0u64;
    while next < args.leaves {
        let end = (next + args.batch).min(args.leaves);
        let entries: Vec<LogEntry> = (next..end)
            .map(|i| LogEntry::BidReceived {
                commitment: commitment(i),
            })
            .collect();
        leaves.extend(entries.iter().map(|e| leaf_hash(&e.to_bytes())));
        let started = Instant::now();
        let first = storage
            .append_log_entries(&entries, chrono::Utc::now())
            .await
            .with_context(|| format!("appending leaves {next}..{end}"))?;
        let took = started.elapsed().as_secs_f64();
        if first != next {
            bail!("the store appended at {first}, expected {next}");
        }
        append_s += took;
        batch_ms.push(took * 1000.0);
        next = end;
        if batch_ms.len() % 20 == 0 || next == args.leaves {
            progress(
                quiet,
                format!(
                    "{next}/{} leaves, {:.0} leaves/s",
                    args.leaves,
                    next as f64 / append_s
                ),
            );
        }
    }
    say(quiet, "");
    let append_rate = args.leaves as f64 / append_s;
    let (size, root) = storage.log_state().await?;
    if size != args.leaves || root != root_of(&leaves) {
        bail!("the stored tree (size {size}, root {root}) is not the tree of the appended leaves");
    }
    let head = services
        .latest_tree_head()
        .await
        .map_err(|e| anyhow!("signing the tree head: {e}"))?;

    // 2. Inclusion proofs at the full size.
    say(
        quiet,
        format!("timing {} inclusion proofs at {size} leaves", args.proofs),
    );
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut inclusion_ms = Vec::new();
    for _ in 0..args.proofs {
        let index = rng.below(size);
        let started = Instant::now();
        let proof = services
            .inclusion_proof(index, size)
            .await
            .map_err(|e| anyhow!("inclusion proof of {index}: {e}"))?;
        inclusion_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        verify_inclusion(
            leaves[usize::try_from(index)?],
            index,
            size,
            &proof.audit_path,
            root,
        )
        .map_err(|e| anyhow!("the inclusion proof of leaf {index} does not verify: {e}"))?;
    }

    // 3. Consistency proofs from random earlier sizes to the full size.
    say(
        quiet,
        format!("timing {} consistency proofs to {size} leaves", args.proofs),
    );
    let mut olds: Vec<u64> = (0..args.proofs).map(|_| 1 + rng.below(size - 1)).collect();
    let mut consistency_ms = Vec::new();
    let mut proofs = Vec::with_capacity(olds.len());
    for &old in &olds {
        let started = Instant::now();
        let proof = services
            .consistency_proof(old, size)
            .await
            .map_err(|e| anyhow!("consistency proof {old} → {size}: {e}"))?;
        consistency_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        proofs.push((old, proof.proof));
    }
    // The old roots, in one pass over the leaves.
    olds.sort_unstable();
    olds.dedup();
    let mut old_roots = std::collections::HashMap::new();
    let mut frontier = Frontier::empty();
    let mut wanted = olds.iter().peekable();
    for leaf in &leaves {
        frontier.push(*leaf);
        while wanted.peek() == Some(&&frontier.size()) {
            old_roots.insert(frontier.size(), frontier.root());
            wanted.next();
        }
    }
    for (old, proof) in &proofs {
        verify_consistency(*old, size, old_roots[old], root, proof)
            .map_err(|e| anyhow!("the consistency proof {old} → {size} does not verify: {e}"))?;
    }

    // 4. The baseline: the O(n) definitions over the leaves in memory.
    say(quiet, "timing the O(n) reference proofs (baseline)");
    let mut ref_inclusion_ms = Vec::new();
    let mut ref_consistency_ms = Vec::new();
    for (old, ours_consistency) in proofs.iter().take(REFERENCE_SAMPLES) {
        let index = rng.below(size);
        let started = Instant::now();
        let reference = inclusion_proof_ref(&leaves, index)
            .map_err(|e| anyhow!("reference inclusion proof: {e}"))?;
        ref_inclusion_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        let ours = services
            .inclusion_proof(index, size)
            .await
            .map_err(|e| anyhow!("inclusion proof of {index}: {e}"))?;
        if ours.audit_path != reference {
            bail!("the stored-node proof of leaf {index} differs from the reference");
        }
        let old = *old;
        let started = Instant::now();
        let reference = consistency_proof_ref(&leaves, old)
            .map_err(|e| anyhow!("reference consistency proof: {e}"))?;
        ref_consistency_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        if *ours_consistency != reference {
            bail!("the stored-node consistency proof {old} → {size} differs from the reference");
        }
    }

    for v in [
        &mut batch_ms,
        &mut inclusion_ms,
        &mut consistency_ms,
        &mut ref_inclusion_ms,
        &mut ref_consistency_ms,
    ] {
        v.sort_by(f64::total_cmp);
    }
    let db_mb = match &url {
        DatabaseUrl::Sqlite(path) => {
            std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6
        }
        _ => 0.0,
    };
    let inc = (
        percentile(&inclusion_ms, 50.0),
        percentile(&inclusion_ms, 99.0),
        percentile(&inclusion_ms, 100.0),
    );
    let con = (
        percentile(&consistency_ms, 50.0),
        percentile(&consistency_ms, 99.0),
        percentile(&consistency_ms, 100.0),
    );
    let ref_inc = percentile(&ref_inclusion_ms, 50.0);
    let ref_con = percentile(&ref_consistency_ms, 50.0);
    let report = json!({
        "database": url.to_string(),
        "leaves": size,
        "batch": args.batch,
        "append": {
            "leaves_per_s": append_rate,
            "batch_p50_ms": percentile(&batch_ms, 50.0),
            "batch_p99_ms": percentile(&batch_ms, 99.0),
            "budget_leaves_per_s": APPEND_BUDGET_PER_S,
        },
        "inclusion_proof": {"p50_ms": inc.0, "p99_ms": inc.1, "max_ms": inc.2,
            "reference_p50_ms": ref_inc, "speedup_p50": ref_inc / inc.0},
        "consistency_proof": {"p50_ms": con.0, "p99_ms": con.1, "max_ms": con.2,
            "reference_p50_ms": ref_con, "speedup_p50": ref_con / con.0},
        "proof_budget_ms": PROOF_BUDGET_MS,
        "tree_head": head,
        "database_mb": db_mb,
        "met": append_rate >= APPEND_BUDGET_PER_S && inc.1 <= PROOF_BUDGET_MS && con.1 <= PROOF_BUDGET_MS,
    });
    if args.json {
        println!("{report}");
        return Ok(());
    }
    println!(
        "transparency log benchmark: {size} leaves on {url}, {} per transaction",
        args.batch
    );
    println!(
        "append               {:>10.0} leaves/s   batch p50 {:.2} ms  p99 {:.2} ms   (budget ≥ {:.0}/s: {:.2}×)",
        append_rate,
        percentile(&batch_ms, 50.0),
        percentile(&batch_ms, 99.0),
        APPEND_BUDGET_PER_S,
        append_rate / APPEND_BUDGET_PER_S
    );
    println!(
        "proof                   p50 ms    p99 ms    max ms   O(n) reference p50 ms   reference ÷ ours"
    );
    println!(
        "inclusion           {:>9.3} {:>9.3} {:>9.3} {:>23.1} {:>18.0}×",
        inc.0,
        inc.1,
        inc.2,
        ref_inc,
        ref_inc / inc.0
    );
    println!(
        "consistency         {:>9.3} {:>9.3} {:>9.3} {:>23.1} {:>18.0}×",
        con.0,
        con.1,
        con.2,
        ref_con,
        ref_con / con.0
    );
    println!(
        "every proof verified (RFC 9162 algorithms); stored root = root of the leaves; tree head {} signed",
        head.tree_size
    );
    if db_mb > 0.0 {
        println!(
            "database {db_mb:.1} MB ({:.0} bytes per leaf)",
            db_mb * 1e6 / size as f64
        );
    }
    println!(
        "targets: append {:.0}/s (≥ {:.0}); inclusion p99 {:.3} ms, consistency p99 {:.3} ms (≤ {:.0} ms)",
        append_rate, APPEND_BUDGET_PER_S, inc.1, con.1, PROOF_BUDGET_MS
    );
    Ok(())
}
