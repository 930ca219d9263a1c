//! `musubi bench bids` end to end on a tiny scale: the real binary sets up
//! suppliers with tokens, bids over HTTP through its `serve` child, measures
//! the raw commits and opens a tender. Checks what it reports, never how
//! fast (the figures come from real runs of the command).

use serde_json::Value;

use crate::support::musubi_cmd;

#[test]
fn bench_bids_reports_receipts_baselines_and_the_opening() {
    let dir = tempfile::tempdir().unwrap();
    let out = musubi_cmd()
        .arg("--data-dir")
        .arg(dir.path())
        .args([
            "bench",
            "bids",
            "--clients",
            "4",
            "--seconds",
            "1",
            "--suppliers",
            "1001",
            "--open-bids",
            "1001",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(r["backend"], "sqlite");
    assert_eq!(r["synchronous"], "FULL");
    assert_eq!(r["setup"]["suppliers"], 1001);
    let intake = &r["intake"];
    assert!(intake["receipts"].as_u64().unwrap() > 0, "{intake}");
    assert!(intake["receipts"].as_u64().unwrap() <= 1001, "{intake}");
    assert_eq!(intake["errors"], 0, "{intake}");
    assert_eq!(intake["refusals"], serde_json::json!({}), "{intake}");
    let raw = r["raw_commits"].as_array().unwrap();
    let settings: Vec<&str> = raw.iter().map(|x| x["setting"].as_str().unwrap()).collect();
    assert_eq!(settings, ["synchronous=FULL", "synchronous=NORMAL"]);
    assert!(raw.iter().all(|x| x["commits"].as_u64().unwrap() > 0));
    assert!(r["bids_over_raw_durable_commits"].as_f64().unwrap() > 0.0);
    let opening = &r["opening"];
    // Bids 0 and 1000 share the lowest amount: the 電子くじ draws.
    assert_eq!(opening["bids"], 1001, "{opening}");
    let outcome = opening["outcome"].as_str().unwrap();
    assert!(outcome.contains("every commitment verified"), "{outcome}");
    assert!(
        outcome.contains("電子くじ among 2 equal lowest"),
        "{outcome}"
    );
}
