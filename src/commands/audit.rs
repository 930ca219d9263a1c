//! `musubi audit --server URL [--state FILE] [--json]`: fetches the latest
//! signed tree head, the consistency proofs from the heads kept in `--state`,
//! every log entry (pages of 1,000) and the results of every opened tender,
//! then prints what `musubi_app::transparency::audit` finds. Exits non-zero
//! on any problem. The new head is added to `--state` once its signature
//! and consistency check out (even if entries have problems).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use musubi_app::transparency::audit::{AuditInput, AuditReport, AuditState, audit, opened_tenders};
use musubi_app::transparency::{ConsistencyProof, LogEntryView, SignedTreeHead};
use musubi_storage::MAX_LOG_ENTRIES_PER_READ;
use serde::Deserialize;

use super::http_client::{ApiClient, ServerUrl, error_text};
use super::verify::{PublicKeys, decode_key};
use crate::cli::AuditArgs;

#[derive(Deserialize)]
struct Entries {
    entries: Vec<LogEntryView>,
}

pub async fn run(args: AuditArgs) -> Result<()> {
    let mut api = ApiClient::new(ServerUrl::parse(&args.server)?);
    let mut state = match &args.state {
        Some(path) => load_state(path)?,
        None => AuditState::default(),
    };
    let keys: PublicKeys = api.get_ok("/api/v1/transparency/public-key").await?;
    let log_public_key = decode_key("log key", &keys.public_key)?;
    let latest: SignedTreeHead = api.get_ok("/api/v1/transparency/tree-head").await?;

    let mut earlier = Vec::new();
    for old in &state.heads {
        let proof = if old.tree_size == 0 || old.tree_size >= latest.tree_size {
            // Nothing to ask: the empty tree is a prefix of any; an equal
            // size needs equal roots; a larger one is a shrunk log, which
            // the check reports.
            None
        } else {
            let path = format!(
                "/api/v1/transparency/proof/consistency?first={}&second={}",
                old.tree_size, latest.tree_size
            );
            let (status, body) = api.get_json(&path).await?;
            if status == 200 {
                Some(
                    serde_json::from_value::<ConsistencyProof>(body)
                        .with_context(|| format!("GET {path}: unexpected answer"))?,
                )
            } else {
                eprintln!("musubi: GET {path}: HTTP {status} {}", error_text(&body));
                None
            }
        };
        earlier.push((old.clone(), proof));
    }

    let mut entries: Vec<LogEntryView> = Vec::with_capacity(latest.tree_size as usize);
    while (entries.len() as u64) < latest.tree_size {
        let start = entries.len() as u64;
        let end = latest.tree_size.min(start + MAX_LOG_ENTRIES_PER_READ);
        let page: Entries = api
            .get_ok(&format!(
                "/api/v1/transparency/entries?start={start}&end={end}"
            ))
            .await?;
        if page.entries.is_empty() {
            // The audit reports the missing entries.
            break;
        }
        entries.extend(page.entries);
    }
    entries.truncate(latest.tree_size as usize);

    let mut results = BTreeMap::new();
    for tender in opened_tenders(&entries) {
        let path = format!("/api/v1/tenders/{tender}/results");
        let (status, body) = api.get_json(&path).await?;
        results.insert(tender, (status == 200).then_some(body));
    }

    let report = audit(&AuditInput {
        log_public_key,
        latest: latest.clone(),
        earlier,
        entries,
        results,
    });
    if let Some(path) = &args.state {
        // A head that is not signed or not consistent is evidence, not a
        // trusted base for the next run.
        if report.head_verified {
            state.remember(&latest);
            save_state(path, &state)?;
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print(&report, &latest);
    }
    if !report.passed() {
        bail!(
            "監査で {} 件の問題が見つかりました / the audit found {} problem(s)",
            report.problems.len(),
            report.problems.len()
        );
    }
    Ok(())
}

fn load_state(path: &Path) -> Result<AuditState> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).with_context(|| {
            format!(
                "{} は musubi audit の状態ファイルではありません / is not a musubi audit state file",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(AuditState::default()),
        Err(e) => {
            Err(e).with_context(|| format!("状態ファイル {} を読み込めません / cannot read the state file", path.display()))
        }
    }
}

fn save_state(path: &Path, state: &AuditState) -> Result<()> {
    // Written beside and renamed, so a crash never leaves half a file.
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(state)?)
        .and_then(|()| std::fs::rename(&tmp, path))
        .with_context(|| {
            format!(
                "状態ファイル {} を保存できません / cannot write the state file",
                path.display()
            )
        })
}

fn print(report: &AuditReport, latest: &SignedTreeHead) {
    println!(
        "ツリーヘッド：大きさ {}、ルート {}、署名日時 {}",
        latest.tree_size, latest.root_hash, latest.timestamp
    );
    println!(
        "Tree head: size {}, root {}, signed {}",
        latest.tree_size, latest.root_hash, latest.timestamp
    );
    println!(
        "記録 {} 件、確認したツリーヘッド {} 件、開札 {} 件、再計算した落札候補者 {} 件、落札者決定 {} 件、問題 {} 件",
        report.entries,
        report.heads_checked,
        report.openings,
        report.winners_recomputed,
        report.awards,
        report.problems.len()
    );
    println!(
        "Entries {}, heads checked {}, openings {}, winners recomputed {}, awards {}, problems {}",
        report.entries,
        report.heads_checked,
        report.openings,
        report.winners_recomputed,
        report.awards,
        report.problems.len()
    );
    for (tender, round) in &report.rounds_not_evaluated {
        println!(
            "! 案件 {tender} 第{round}回は開札時に評価されていないため（評価点の確定待ち等）、落札候補者を再計算していません。"
        );
        println!(
            "  Tender {tender} round {round} was not evaluated at the opening (scores pending): its winner was not recomputed."
        );
    }
    for p in &report.problems {
        let (ja, en) = p.describe();
        println!("✗ {ja}");
        println!("  {en}");
    }
    if report.passed() {
        println!("✓ 問題は見つかりませんでした。 / No problems found.");
    }
}
