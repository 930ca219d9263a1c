//! The checks of `musubi verify RECEIPT.json`: what a bidder can prove with
//! the copy of the receipt (受付票) they kept. No I/O: the command fetches
//! what the server publishes ([`Published`]) and this module judges.
//!
//! 1. The receipt's signature (with the published receipt key).
//! 2. The signed tree head the receipt carries, and the inclusion proof of
//!    its `bid.received` entry (the commitment) against that head.
//! 3. With the server: the latest head is signed and consistent with the
//!    receipt's head (the log only grew), and once the round is opened, the
//!    published record holds the commitment with a canonical bid that,
//!    with **the salt in the bidder's file**, gives the commitment again.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use musubi_domain::Yen;
use musubi_domain::transparency::{verify_consistency, verify_inclusion};
use serde::Serialize;
use serde_json::Value;

use super::{ConsistencyProof, SignedTreeHead, received_leaf_hash};
use crate::sealing::{BidderReceipt, CanonicalBid, commit};

/// How one check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    /// Not a failure: a check that could not be made, or a warning.
    Notice,
}

/// One line of the report, in Japanese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub outcome: Outcome,
    pub ja: String,
    pub en: String,
}

/// The report `musubi verify` prints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub checks: Vec<Check>,
    /// Whether the receipt's round has a published opening.
    pub opened: bool,
    /// The amount (税抜, yen) the opening revealed for this bid.
    pub revealed_amount: Option<i64>,
}

impl VerifyReport {
    /// Whether no check failed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.outcome != Outcome::Fail)
    }

    fn push(&mut self, outcome: Outcome, ja: impl Into<String>, en: impl Into<String>) {
        self.checks.push(Check {
            outcome,
            ja: ja.into(),
            en: en.into(),
        });
    }

    fn pass(&mut self, ja: impl Into<String>, en: impl Into<String>) {
        self.push(Outcome::Pass, ja, en);
    }

    fn fail(&mut self, ja: impl Into<String>, en: impl Into<String>) {
        self.push(Outcome::Fail, ja, en);
    }

    fn notice(&mut self, ja: impl Into<String>, en: impl Into<String>) {
        self.push(Outcome::Notice, ja, en);
    }
}

/// What the server publishes, as fetched by the command.
#[derive(Debug, Clone)]
pub struct Published {
    /// `receipt_public_key` of `/api/v1/transparency/public-key`, decoded.
    pub receipt_public_key: Vec<u8>,
    /// `public_key` (the log's) of the same answer, decoded.
    pub log_public_key: Vec<u8>,
    /// The latest signed tree head.
    pub latest_head: SignedTreeHead,
    /// The consistency proof from the receipt's head to the latest one
    /// (`None` when none was needed or the server gave none).
    pub consistency: Option<ConsistencyProof>,
    /// `/api/v1/tenders/{id}/results`, `None` while not published (before
    /// the opening).
    pub results: Option<Value>,
}

/// A published public key (standard base64) as bytes.
pub fn decode_public_key(what: &str, b64: &str) -> Result<Vec<u8>, String> {
    STANDARD
        .decode(b64.trim())
        .map_err(|e| format!("the published {what} is not base64: {e}"))
}

/// Runs every check on `receipt`; `amount` is the amount the bidder says
/// they bid.
pub fn verify_receipt(
    receipt: &BidderReceipt,
    published: Option<&Published>,
    amount: Option<i64>,
) -> VerifyReport {
    let mut report = VerifyReport::default();
    let r = &receipt.receipt;

    // 1. The receipt's signature.
    match published {
        Some(p) => match r.verify(&p.receipt_public_key) {
            Ok(()) => report.pass(
                "受付票の署名は、公開されている受付票の公開鍵で正しく検証できました。",
                "The receipt's signature verifies with the published receipt key.",
            ),
            Err(e) => report.fail(
                format!("受付票の署名を検証できません（{e}）。"),
                format!("The receipt's signature does not verify: {e}."),
            ),
        },
        None => report.notice(
            "受付票の署名は確認していません：受付票の公開鍵はファイルに含まれないため、--server を指定してください。",
            "The receipt's signature was not checked: its public key is not in the file; use --server.",
        ),
    }

    // 2. The log's signed head and the inclusion proof.
    let Some(t) = &receipt.transparency else {
        report.fail(
            "受付票に透明性ログの証明（transparency）がありません。",
            "The receipt carries no transparency-log proof.",
        );
        return report;
    };
    let log_key = match published {
        Some(p) => {
            if STANDARD.encode(&p.log_public_key) != t.log_public_key {
                report.fail(
                    "受付票に含まれるログの公開鍵が、サーバーが公開している鍵と一致しません。",
                    "The log key in the receipt differs from the key the server publishes.",
                );
            }
            Some(p.log_public_key.clone())
        }
        None => {
            report.notice(
                "ログの公開鍵は受付票ファイルに含まれるものを使いました。公開されている鍵と同じか確かめてください（--server で自動的に照合します）。",
                "The log key was taken from the receipt file: compare it with the published key (--server does).",
            );
            match STANDARD.decode(&t.log_public_key) {
                Ok(key) => Some(key),
                Err(e) => {
                    report.fail(
                        format!("受付票のログ公開鍵が base64 ではありません（{e}）。"),
                        format!("The receipt's log key is not base64: {e}."),
                    );
                    None
                }
            }
        }
    };
    let head = &t.tree_head;
    if let Some(key) = &log_key {
        match head.verify(key) {
            Ok(()) => report.pass(
                format!(
                    "受付票のツリーヘッド（大きさ {}）の署名を確認しました。",
                    head.tree_size
                ),
                format!(
                    "The receipt's tree head (size {}) is correctly signed.",
                    head.tree_size
                ),
            ),
            Err(e) => report.fail(
                format!("受付票のツリーヘッドの署名を検証できません（{e}）。"),
                format!("The receipt's tree head signature does not verify: {e}."),
            ),
        }
    }
    let expected_leaf = received_leaf_hash(&r.commitment);
    if expected_leaf != t.leaf_hash {
        report.fail(
            "受付票のリーフハッシュが、コミットメントの受付記録（bid.received）のハッシュと一致しません。",
            "The receipt's leaf hash is not the hash of its commitment's bid.received entry.",
        );
    }
    match verify_inclusion(
        expected_leaf,
        t.log_index,
        head.tree_size,
        &t.inclusion_proof,
        head.root_hash,
    ) {
        Ok(()) => report.pass(
            format!(
                "コミットメントはログの {} 番目の記録として含まれています（包含証明を確認）。",
                t.log_index
            ),
            format!(
                "The commitment is entry {} of the log (inclusion proof verified).",
                t.log_index
            ),
        ),
        Err(e) => report.fail(
            format!("包含証明を検証できません（{}）。", inner(&e.message_ja())),
            format!("The inclusion proof does not verify: {}", e.message_en()),
        ),
    }

    // 3. Against what the server publishes now.
    let Some(p) = published else {
        report.notice(
            "--server を指定していないため、最新のツリーヘッドとの整合性と開札結果は確認していません。",
            "Without --server, the latest tree head and the opening were not checked.",
        );
        return report;
    };
    check_latest_head(&mut report, head, p);
    check_opening(&mut report, receipt, p, amount);
    report
}

fn check_latest_head(report: &mut VerifyReport, head: &SignedTreeHead, p: &Published) {
    let latest = &p.latest_head;
    match latest.verify(&p.log_public_key) {
        Ok(()) => report.pass(
            format!(
                "最新のツリーヘッド（大きさ {}）の署名を確認しました。",
                latest.tree_size
            ),
            format!(
                "The latest tree head (size {}) is correctly signed.",
                latest.tree_size
            ),
        ),
        Err(e) => report.fail(
            format!("最新のツリーヘッドの署名を検証できません（{e}）。"),
            format!("The latest tree head's signature does not verify: {e}."),
        ),
    }
    let proof: &[_] = match &p.consistency {
        Some(c) if c.first == head.tree_size && c.second == latest.tree_size => &c.proof,
        Some(_) => {
            report.fail(
                "整合性証明が、求めた木の大きさのものではありません。",
                "The consistency proof is not for the sizes asked.",
            );
            return;
        }
        None => &[],
    };
    match verify_consistency(
        head.tree_size,
        latest.tree_size,
        head.root_hash,
        latest.root_hash,
        proof,
    ) {
        Ok(()) => report.pass(
            format!(
                "最新のツリーヘッドは受付票のツリーヘッドと整合しています（大きさ {} → {}、記録の削除・改変なし）。",
                head.tree_size, latest.tree_size
            ),
            format!(
                "The latest tree head is consistent with the receipt's (size {} → {}: nothing removed or altered).",
                head.tree_size, latest.tree_size
            ),
        ),
        Err(e) => report.fail(
            format!(
                "最新のツリーヘッド（大きさ {}）は受付票のツリーヘッド（大きさ {}）と整合しません（{}）。",
                latest.tree_size,
                head.tree_size,
                inner(&e.message_ja())
            ),
            format!(
                "The latest tree head (size {}) is not consistent with the receipt's (size {}): {}",
                latest.tree_size,
                head.tree_size,
                e.message_en()
            ),
        ),
    }
}

fn check_opening(
    report: &mut VerifyReport,
    receipt: &BidderReceipt,
    p: &Published,
    amount: Option<i64>,
) {
    let r = &receipt.receipt;
    let record = p.results.as_ref().and_then(|results| {
        results["openings"].as_array().and_then(|openings| {
            openings
                .iter()
                .find(|o| o["round"].as_u64() == Some(u64::from(r.round)))
        })
    });
    let Some(record) = record else {
        report.pass(
            "開札前のため、開札記録との照合はまだできません（開札後にもう一度実行してください）。",
            "The round is not opened yet: the opening record cannot be checked (run again after the opening).",
        );
        return;
    };
    report.opened = true;
    let bid = record["bids"].as_array().and_then(|bids| {
        bids.iter()
            .find(|b| b["commitment"].as_str() == Some(&r.commitment))
    });
    let Some(bid) = bid else {
        report.fail(
            format!(
                "公開された開札記録（第{}回）に、この受付票のコミットメントがありません。",
                r.round
            ),
            format!(
                "The published opening record (round {}) does not contain this receipt's commitment.",
                r.round
            ),
        );
        return;
    };
    report.pass(
        format!(
            "公開された開札記録（第{}回）にこの受付票のコミットメントがあります。",
            r.round
        ),
        format!(
            "The published opening record (round {}) contains this receipt's commitment.",
            r.round
        ),
    );
    if bid["state"].as_str() == Some("withdrawn") {
        report.notice(
            "この入札は辞退されたため、金額は開示されていません。",
            "This bid was withdrawn: no amount is revealed.",
        );
        return;
    }
    let canonical: Option<CanonicalBid> = bid["canonical"]
        .as_str()
        .and_then(|c| serde_json::from_str(c).ok());
    let Some(canonical) = canonical else {
        report.fail(
            "開札記録にこの入札の正規化された入札内容（canonical）がないか、読み取れません。",
            "The opening record has no readable canonical bid for this bid.",
        );
        return;
    };
    let salt = match receipt.salt() {
        Ok(s) => s,
        Err(e) => {
            report.fail(
                format!("受付票ファイルのソルトが読み取れません（{e}）。"),
                format!("The salt in the receipt file is not readable: {e}."),
            );
            return;
        }
    };
    let ours = (r.tender_id, r.round, r.bidder_org_id);
    let theirs = (
        canonical.tender_id,
        canonical.round,
        canonical.bidder_org_id,
    );
    if ours != theirs {
        report.fail(
            "開札記録の入札内容は、別の案件・回・入札者のものです。",
            format!(
                "The opened bid is for tender/round/bidder {theirs:?}, the receipt for {ours:?}."
            ),
        );
    }
    match commit(&canonical, &salt) {
        Ok(c) if c.to_string() == r.commitment => report.pass(
            "開示された入札内容と受付票ファイルのソルトから、受付票のコミットメントを再計算できました（改ざんなし）。",
            "The revealed bid and the salt in the receipt file give the receipt's commitment (unaltered).",
        ),
        Ok(_) => report.fail(
            "開示された入札内容と受付票ファイルのソルトから計算したコミットメントが、受付票のものと一致しません。",
            "The revealed bid with the salt in the receipt file does not give the receipt's commitment.",
        ),
        Err(e) => report.fail(
            format!("開示された入札内容からコミットメントを計算できません（{e}）。"),
            format!("The commitment cannot be computed from the revealed bid: {e}."),
        ),
    }
    let revealed = canonical.amount_yen;
    if bid.get("amount").is_some_and(|a| a.as_i64() != revealed) {
        report.fail(
            "開札記録に表示された金額が、開示された入札内容（canonical）の金額と一致しません。",
            "The amount shown in the opening record differs from the amount in the revealed bid.",
        );
    }
    report.revealed_amount = revealed;
    match revealed {
        Some(yen) => report.notice(
            format!("開示された入札金額（税抜）：{}", Yen::new(yen).format_ja()),
            format!("Revealed amount (tax exclusive): {}", Yen::new(yen)),
        ),
        None => report.notice(
            "この入札には金額がありません（提案）。",
            "This bid has no amount (a proposal).",
        ),
    }
    if let Some(expected) = amount {
        if revealed == Some(expected) {
            report.pass(
                format!(
                    "開示された金額は指定された金額（{}）と一致します。",
                    Yen::new(expected).format_ja()
                ),
                format!(
                    "The revealed amount equals the amount given ({}).",
                    Yen::new(expected)
                ),
            );
        } else {
            report.fail(
                format!(
                    "開示された金額は指定された金額（{}）と一致しません。",
                    Yen::new(expected).format_ja()
                ),
                format!(
                    "The revealed amount differs from the amount given ({}).",
                    Yen::new(expected)
                ),
            );
        }
    }
}

/// A Japanese sentence set inside （…）: without its closing 。.
pub(super) fn inner(sentence: &str) -> &str {
    sentence.trim_end_matches('。')
}
