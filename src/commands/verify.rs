//! `musubi verify RECEIPT.json [--server URL] [--amount YEN] [--json]`:
//! reads the bidder's receipt, fetches what the server publishes, and prints
//! the checks of `musubi_app::transparency::verify` (✓/✗, Japanese then
//! English). Exits non-zero if any check fails.

use anyhow::{Context, Result, anyhow, bail};
use musubi_app::sealing::BidderReceipt;
use musubi_app::transparency::verify::{
    Outcome, Published, VerifyReport, decode_public_key, verify_receipt,
};
use musubi_app::transparency::{ConsistencyProof, SignedTreeHead};
use musubi_domain::Yen;
use serde::Deserialize;

use super::http_client::{ApiClient, ServerUrl, error_text};
use crate::cli::VerifyArgs;

/// `/api/v1/transparency/public-key`.
#[derive(Deserialize)]
pub(super) struct PublicKeys {
    pub public_key: String,
    #[serde(default)]
    pub receipt_public_key: Option<String>,
}

pub(super) fn decode_key(what: &str, b64: &str) -> Result<Vec<u8>> {
    decode_public_key(what, b64).map_err(|e| anyhow!(e))
}

pub async fn run(args: VerifyArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.receipt).with_context(|| {
        format!(
            "受付票ファイル {} を読み込めません / cannot read the receipt file",
            args.receipt.display()
        )
    })?;
    let receipt: BidderReceipt = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} は受付票（入札時に受け取った JSON）ではありません / is not a bidder's receipt JSON",
            args.receipt.display()
        )
    })?;
    let amount = args
        .amount
        .as_deref()
        .map(|a| {
            Yen::parse(a)
                .map(Yen::amount)
                .map_err(|e| anyhow!("--amount {a:?}: {} / {e}", e.message_ja()))
        })
        .transpose()?;
    let published = match &args.server {
        Some(url) => Some(fetch(ServerUrl::parse(url)?, &receipt).await?),
        None => None,
    };
    let report = verify_receipt(&receipt, published.as_ref(), amount);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print(&report);
    }
    if !report.passed() {
        bail!("受付票の検証に失敗しました / the receipt did not verify");
    }
    Ok(())
}

async fn fetch(url: ServerUrl, receipt: &BidderReceipt) -> Result<Published> {
    let mut api = ApiClient::new(url);
    let keys: PublicKeys = api.get_ok("/api/v1/transparency/public-key").await?;
    let receipt_key = keys
        .receipt_public_key
        .ok_or_else(|| anyhow!("the server publishes no receipt_public_key"))?;
    let latest: SignedTreeHead = api.get_ok("/api/v1/transparency/tree-head").await?;
    let consistency = match &receipt.transparency {
        Some(t) if t.tree_head.tree_size < latest.tree_size => {
            let proof: ConsistencyProof = api
                .get_ok(&format!(
                    "/api/v1/transparency/proof/consistency?first={}&second={}",
                    t.tree_head.tree_size, latest.tree_size
                ))
                .await?;
            Some(proof)
        }
        _ => None,
    };
    let path = format!("/api/v1/tenders/{}/results", receipt.receipt.tender_id);
    let (status, body) = api.get_json(&path).await?;
    let results = match status {
        200 => Some(body),
        // 404 results_not_available: not opened yet.
        404 => None,
        _ => bail!("GET {path}: HTTP {status} {}", error_text(&body)),
    };
    Ok(Published {
        receipt_public_key: decode_key("receipt key", &receipt_key)?,
        log_public_key: decode_key("log key", &keys.public_key)?,
        latest_head: latest,
        consistency,
        results,
    })
}

fn print(report: &VerifyReport) {
    for c in &report.checks {
        let mark = match c.outcome {
            Outcome::Pass => "✓",
            Outcome::Fail => "✗",
            Outcome::Notice => "!",
        };
        println!("{mark} {}", c.ja);
        println!("  {}", c.en);
    }
    if report.passed() {
        println!("結果：すべての確認に合格しました。 / Result: every check passed.");
    } else {
        println!("結果：確認に失敗した項目があります。 / Result: some checks failed.");
    }
}
