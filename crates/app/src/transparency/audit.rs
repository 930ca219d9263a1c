//! The checks of `musubi audit`, a monitor of the transparency log. No I/O:
//! the command fetches the signed heads, proofs, entries and public results
//! ([`AuditInput`]) and this module replays them into an [`AuditReport`].
//!
//! - The latest head is signed by the published log key, and every head seen
//!   before is consistent with it (the log only grew).
//! - Every entry's leaf hash recomputes from its bytes, and the root over all
//!   entries is the signed root.
//! - Replaying the entries: every opened bid has an earlier `bid.received`
//!   entry (a withdrawn one an earlier `bid.withdrawn`), no commitment is
//!   opened twice, every valid bid's commitment recomputes from its canonical
//!   bid and salt, and the winner of every evaluated round recomputes from
//!   the entry alone with the domain's evaluation.
//! - The published results agree with the log: each round's record has the
//!   same bids (commitment, canonical bid, amount, salt) and winner, and the
//!   `award` entry names the round's winner.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use musubi_domain::bidding::{
    EvaluationInput, EvaluationTerms, LotteryNumber, RevealedBid, ScoringPhase, TechnicalPoints,
    evaluate,
};
use musubi_domain::tender::AwardMethod;
use musubi_domain::transparency::entry::{AwardEntry, LogEntry, OpeningEntry};
use musubi_domain::transparency::{Frontier, leaf_hash, verify_consistency};
use musubi_domain::{TaxExclusive, Yen};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::verify::inner;
use super::{ConsistencyProof, LogEntryView, SignedTreeHead};
use crate::sealing::{CanonicalBid, Salt, commit};

/// What the command fetched.
#[derive(Debug, Clone)]
pub struct AuditInput {
    /// The log's published public key (32 bytes).
    pub log_public_key: Vec<u8>,
    /// The latest signed head.
    pub latest: SignedTreeHead,
    /// Heads kept from earlier runs, each with the consistency proof from it
    /// to `latest` (`None` when the server gave none).
    pub earlier: Vec<(SignedTreeHead, Option<ConsistencyProof>)>,
    /// Entries `0..latest.tree_size`, in order.
    pub entries: Vec<LogEntryView>,
    /// `/api/v1/tenders/{id}/results` of every tender with an `opening`
    /// entry (see [`opened_tenders`]); `None` when the server has none.
    pub results: BTreeMap<i64, Option<Value>>,
}

/// One problem found, naming what it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub entry_index: Option<u64>,
    pub tender_id: Option<i64>,
    pub round: Option<u32>,
    pub bid_id: Option<i64>,
    pub ja: String,
    pub en: String,
}

impl Problem {
    /// The problem with what it names, on one line.
    pub fn describe(&self) -> (String, String) {
        let mut ja = Vec::new();
        let mut en = Vec::new();
        if let Some(i) = self.entry_index {
            ja.push(format!("記録 {i}"));
            en.push(format!("entry {i}"));
        }
        if let Some(t) = self.tender_id {
            ja.push(format!("案件 {t}"));
            en.push(format!("tender {t}"));
        }
        if let Some(r) = self.round {
            ja.push(format!("第{r}回"));
            en.push(format!("round {r}"));
        }
        if let Some(b) = self.bid_id {
            ja.push(format!("入札 {b}"));
            en.push(format!("bid {b}"));
        }
        let prefix = |parts: Vec<String>| {
            if parts.is_empty() {
                String::new()
            } else {
                format!("[{}] ", parts.join(", "))
            }
        };
        (
            format!("{}{}", prefix(ja), self.ja),
            format!("{}{}", prefix(en), self.en),
        )
    }
}

/// What `musubi audit` prints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    pub tree_size: u64,
    pub entries: u64,
    /// Signed heads checked: the latest and each earlier one.
    pub heads_checked: usize,
    pub openings: usize,
    pub winners_recomputed: usize,
    /// Rounds not evaluated at the opening (proposals waiting for their
    /// scores, 総合評価 whose scores were not locked): winners not recomputed.
    pub rounds_not_evaluated: Vec<(i64, u32)>,
    pub awards: usize,
    /// Whether the latest head is signed by the log key and consistent with
    /// every earlier head: only then is it kept for the next run.
    pub head_verified: bool,
    pub problems: Vec<Problem>,
}

impl AuditReport {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What `--state` keeps between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditState {
    /// The heads seen, at most one per size, smallest first.
    #[serde(default)]
    pub heads: Vec<SignedTreeHead>,
}

impl AuditState {
    /// Adds `head` unless a head of its size is kept already.
    pub fn remember(&mut self, head: &SignedTreeHead) {
        if !self.heads.iter().any(|h| h.tree_size == head.tree_size) {
            self.heads.push(head.clone());
            self.heads.sort_by_key(|h| h.tree_size);
        }
    }
}

/// The tenders whose results the audit compares: those with an `opening`
/// entry (entries that do not parse are reported by [`audit`]).
pub fn opened_tenders(entries: &[LogEntryView]) -> BTreeSet<i64> {
    entries
        .iter()
        .filter(|e| e.kind == "opening")
        .filter_map(|e| match LogEntry::parse(e.entry.as_bytes()) {
            Ok(LogEntry::Opening(o)) => Some(o.tender_id),
            _ => None,
        })
        .collect()
}

/// Replays everything; see the module documentation.
pub fn audit(input: &AuditInput) -> AuditReport {
    let mut a = Auditor::default();
    a.report.tree_size = input.latest.tree_size;
    a.check_heads(input);
    a.report.head_verified = a.report.problems.is_empty();
    a.check_entries(input);
    a.replay(input);
    a.report
}

#[derive(Default)]
struct Auditor {
    report: AuditReport,
}

/// The winner a round's log entry gives, as recomputed.
struct RoundOutcome {
    winner: Option<i64>,
    /// Canonical amounts of the round's bids, by bid id.
    amounts: HashMap<i64, Option<i64>>,
    evaluated: bool,
}

impl Auditor {
    fn problem(&mut self, at: Place, ja: impl Into<String>, en: impl Into<String>) {
        self.report.problems.push(Problem {
            entry_index: at.index,
            tender_id: at.tender,
            round: at.round,
            bid_id: at.bid,
            ja: ja.into(),
            en: en.into(),
        });
    }

    fn check_heads(&mut self, input: &AuditInput) {
        let latest = &input.latest;
        self.report.heads_checked = 1;
        if let Err(e) = latest.verify(&input.log_public_key) {
            self.problem(
                Place::default(),
                format!(
                    "最新のツリーヘッド（大きさ {}）の署名を、公開されているログの公開鍵で検証できません（{e}）。",
                    latest.tree_size
                ),
                format!(
                    "The latest tree head (size {}) does not verify with the published log key: {e}.",
                    latest.tree_size
                ),
            );
        }
        for (old, proof) in &input.earlier {
            self.report.heads_checked += 1;
            if old.tree_size == 0 {
                // The empty tree is a prefix of every tree.
                continue;
            }
            let proof: &[_] = match proof {
                Some(p) if p.first == old.tree_size && p.second == latest.tree_size => &p.proof,
                Some(_) => {
                    self.problem(
                        Place::default(),
                        "サーバーの整合性証明が、求めた木の大きさのものではありません。",
                        "The server's consistency proof is not for the sizes asked.",
                    );
                    continue;
                }
                None if old.tree_size == latest.tree_size => &[],
                None => {
                    self.problem(
                        Place::default(),
                        format!(
                            "以前のツリーヘッド（大きさ {}）から最新（大きさ {}）への整合性証明を取得できません。",
                            old.tree_size, latest.tree_size
                        ),
                        format!(
                            "No consistency proof from the earlier head (size {}) to the latest (size {}).",
                            old.tree_size, latest.tree_size
                        ),
                    );
                    continue;
                }
            };
            if let Err(e) = verify_consistency(
                old.tree_size,
                latest.tree_size,
                old.root_hash,
                latest.root_hash,
                proof,
            ) {
                self.problem(
                    Place::default(),
                    format!(
                        "最新のツリーヘッド（大きさ {}）は、以前に確認したツリーヘッド（大きさ {}）と整合しません：ログが書き換えられたか、記録が削除されています（{}）。",
                        latest.tree_size,
                        old.tree_size,
                        inner(&e.message_ja())
                    ),
                    format!(
                        "The latest tree head (size {}) is not consistent with the earlier head (size {}): the log was rewritten or truncated. {}",
                        latest.tree_size,
                        old.tree_size,
                        e.message_en()
                    ),
                );
            }
        }
    }

    fn check_entries(&mut self, input: &AuditInput) {
        let size = input.latest.tree_size;
        self.report.entries = input.entries.len() as u64;
        let mut frontier = Frontier::empty();
        for (i, e) in input.entries.iter().enumerate() {
            let i = i as u64;
            let at = Place::entry(i);
            if e.index != i {
                self.problem(
                    at,
                    format!("記録の番号が {} になっています（{i} のはず）。", e.index),
                    format!("The entry is numbered {}, expected {i}.", e.index),
                );
            }
            let leaf = leaf_hash(e.entry.as_bytes());
            if leaf != e.leaf_hash {
                self.problem(
                    at,
                    "記録の内容から計算したリーフハッシュが、サーバーの示すハッシュと一致しません（記録が改変されています）。",
                    "The leaf hash computed from the entry's bytes differs from the hash served: the entry was altered.",
                );
            }
            frontier.push(leaf);
        }
        if self.report.entries != size {
            self.problem(
                Place::default(),
                format!(
                    "取得できた記録は {} 件で、ツリーヘッドの大きさ {size} と一致しません。",
                    self.report.entries
                ),
                format!(
                    "{} entries were served for a tree head of size {size}.",
                    self.report.entries
                ),
            );
        } else if frontier.root() != input.latest.root_hash {
            self.problem(
                Place::default(),
                format!(
                    "全記録から再計算したルートハッシュが、署名されたツリーヘッド（大きさ {size}）のルートと一致しません。"
                ),
                format!(
                    "The root recomputed over every entry differs from the signed tree head's root (size {size})."
                ),
            );
        }
    }

    fn replay(&mut self, input: &AuditInput) {
        let mut received: HashMap<String, u64> = HashMap::new();
        let mut withdrawn: HashMap<String, u64> = HashMap::new();
        let mut opened: HashMap<String, u64> = HashMap::new();
        // (tender, round) → the recomputed outcome.
        let mut rounds: HashMap<(i64, u32), RoundOutcome> = HashMap::new();
        let mut openings_of: BTreeMap<i64, Vec<(u64, OpeningEntry)>> = BTreeMap::new();
        let mut awards: Vec<(u64, AwardEntry)> = Vec::new();
        for e in &input.entries {
            let at = Place::entry(e.index);
            let entry = match LogEntry::parse(e.entry.as_bytes()) {
                Ok(entry) => entry,
                Err(err) => {
                    self.problem(
                        at,
                        format!("記録を読み取れません（{err}）。"),
                        format!("The entry does not parse: {err}."),
                    );
                    continue;
                }
            };
            if entry.kind() != e.kind {
                self.problem(
                    at,
                    format!(
                        "記録の種類が「{}」と示されていますが、内容は「{}」です。",
                        e.kind,
                        entry.kind()
                    ),
                    format!(
                        "The entry is listed as {:?} but is {:?}.",
                        e.kind,
                        entry.kind()
                    ),
                );
            }
            match entry {
                LogEntry::BidReceived { commitment } => {
                    received.entry(commitment).or_insert(e.index);
                }
                LogEntry::BidWithdrawn { commitment } => {
                    if !received.contains_key(&commitment) {
                        self.problem(
                            at,
                            "辞退された入札のコミットメントに、それより前の受付記録（bid.received）がありません。",
                            "A withdrawn commitment has no earlier bid.received entry.",
                        );
                    }
                    withdrawn.entry(commitment).or_insert(e.index);
                }
                LogEntry::Opening(o) => {
                    self.report.openings += 1;
                    let outcome =
                        self.replay_opening(e.index, &o, &received, &withdrawn, &mut opened);
                    rounds.insert((o.tender_id, o.round), outcome);
                    openings_of
                        .entry(o.tender_id)
                        .or_default()
                        .push((e.index, o));
                }
                LogEntry::Award(award) => awards.push((e.index, award)),
                LogEntry::TenderPublished(_)
                | LogEntry::TenderAmended(_)
                | LogEntry::TenderCancelled(_) => {}
            }
        }
        for (index, award) in &awards {
            self.check_award(*index, award, &rounds);
        }
        self.report.awards = awards.len();
        for (tender, openings) in &openings_of {
            let results = input.results.get(tender).and_then(Option::as_ref);
            self.compare_results(*tender, openings, &rounds, results, &awards);
        }
    }

    /// Checks one `opening` entry against the log before it and recomputes
    /// its winner.
    fn replay_opening(
        &mut self,
        index: u64,
        o: &OpeningEntry,
        received: &HashMap<String, u64>,
        withdrawn: &HashMap<String, u64>,
        opened: &mut HashMap<String, u64>,
    ) -> RoundOutcome {
        let round_at = Place {
            index: Some(index),
            tender: Some(o.tender_id),
            round: Some(o.round),
            bid: None,
        };
        let mut revealed = Vec::new();
        let mut amounts = HashMap::new();
        for b in &o.bids {
            let at = Place {
                bid: Some(b.bid_id),
                ..round_at
            };
            if !received.contains_key(&b.commitment) {
                self.problem(
                    at,
                    "開札された入札のコミットメントに、それより前の受付記録（bid.received）がありません（受付後に入札が差し替えられたか、記録なしに追加されています）。",
                    "The opened bid's commitment has no earlier bid.received entry: the bid was replaced after its receipt or slipped in unlogged.",
                );
            }
            if b.state == "withdrawn" && !withdrawn.contains_key(&b.commitment) {
                self.problem(
                    at,
                    "辞退とされた入札に、それより前の辞退記録（bid.withdrawn）がありません。",
                    "A bid shown as withdrawn has no earlier bid.withdrawn entry.",
                );
            }
            if let Some(first) = opened.insert(b.commitment.clone(), index) {
                self.problem(
                    at,
                    format!(
                        "このコミットメントは記録 {first} で既に開札されています（二重の開札）。"
                    ),
                    format!("This commitment was already opened in entry {first}."),
                );
            }
            let Some(canonical) = self.recompute(
                at,
                o,
                b.canonical.as_deref(),
                b.salt.as_deref(),
                &b.commitment,
                b.valid,
            ) else {
                continue;
            };
            amounts.insert(b.bid_id, canonical.amount_yen);
            if !b.valid {
                continue;
            }
            let received_at = match DateTime::parse_from_rfc3339(&b.received_at) {
                Ok(t) => t.with_timezone(&Utc),
                Err(e) => {
                    self.problem(
                        at,
                        format!("受付日時「{}」を読み取れません（{e}）。", b.received_at),
                        format!("The receipt time {:?} does not parse: {e}.", b.received_at),
                    );
                    continue;
                }
            };
            let technical_points = match b.technical_points.as_deref().map(TechnicalPoints::parse) {
                None => None,
                Some(Ok(p)) => Some(p),
                Some(Err(e)) => {
                    self.problem(
                        at,
                        format!("技術評価点を読み取れません（{}）。", inner(&e.message_ja())),
                        format!("The technical points do not parse: {}", e.message_en()),
                    );
                    continue;
                }
            };
            revealed.push(RevealedBid {
                bid_id: b.bid_id,
                price: canonical.amount_yen.map(|a| TaxExclusive::new(Yen::new(a))),
                lottery: canonical
                    .lottery_number
                    .as_deref()
                    .and_then(|n| LotteryNumber::parse(n).ok()),
                received_at,
                technical_points,
            });
        }
        let not_evaluated = RoundOutcome {
            winner: o.winner_bid_id,
            amounts: amounts.clone(),
            evaluated: false,
        };
        if o.evaluation_pending {
            self.report
                .rounds_not_evaluated
                .push((o.tender_id, o.round));
            return not_evaluated;
        }
        let method = match AwardMethod::parse(&o.award_method) {
            Ok(m) => m,
            Err(_) => {
                self.problem(
                    round_at,
                    format!("落札者決定方式「{}」を読み取れません。", o.award_method),
                    format!("Unknown award method {:?}.", o.award_method),
                );
                return not_evaluated;
            }
        };
        // 総合評価 whose scores were not locked before the opening is not
        // evaluated (the record says `technical_scores_not_locked`): no
        // valid bid then carries points, and the round has no winner.
        if ScoringPhase::of(method) == Some(ScoringPhase::BeforeOpening)
            && !revealed.is_empty()
            && revealed.iter().all(|b| b.technical_points.is_none())
        {
            if o.winner_bid_id.is_some() {
                self.problem(
                    round_at,
                    "技術評価点のない総合評価の回に落札候補者が記録されています。",
                    "A best-value round without technical points records a winner.",
                );
            }
            self.report
                .rounds_not_evaluated
                .push((o.tender_id, o.round));
            return not_evaluated;
        }
        let terms = EvaluationTerms {
            method,
            reserve_price: o.reserve_price.map(|p| TaxExclusive::new(Yen::new(p))),
            minimum_price: o.minimum_price.map(|p| TaxExclusive::new(Yen::new(p))),
            price_points: o.price_points,
            base_points: o.base_points,
        };
        // Terms that cannot be evaluated make the round 不調, as at the opening.
        let winner = EvaluationInput::new(terms, revealed)
            .ok()
            .and_then(|input| evaluate(&input).winner_bid_id());
        self.report.winners_recomputed += 1;
        if winner != o.winner_bid_id {
            self.problem(
                round_at,
                format!(
                    "記録の内容から再計算した落札候補者（{}）が、記録された落札候補者（{}）と一致しません。",
                    show(winner),
                    show(o.winner_bid_id)
                ),
                format!(
                    "The winner recomputed from the entry ({}) differs from the winner it records ({}).",
                    show(winner),
                    show(o.winner_bid_id)
                ),
            );
        }
        RoundOutcome {
            winner,
            amounts,
            evaluated: true,
        }
    }

    /// Recomputes a revealed bid's commitment; the canonical bid when the
    /// bid is revealed.
    fn recompute(
        &mut self,
        at: Place,
        o: &OpeningEntry,
        canonical: Option<&str>,
        salt: Option<&str>,
        commitment: &str,
        valid: bool,
    ) -> Option<CanonicalBid> {
        let (Some(canonical), Some(salt)) = (canonical, salt) else {
            if valid {
                self.problem(
                    at,
                    "有効とされた入札に、入札内容（canonical）またはソルトが開示されていません。",
                    "A valid bid has no revealed canonical bid or salt.",
                );
            }
            return None;
        };
        let parsed = serde_json::from_str::<CanonicalBid>(canonical)
            .map_err(|e| e.to_string())
            .and_then(|c| {
                let s = salt.parse::<Salt>().map_err(|e| e.to_string())?;
                let computed = commit(&c, &s).map_err(|e| e.to_string())?;
                Ok((c, computed.to_string()))
            });
        let (c, computed) = match parsed {
            Ok(x) => x,
            Err(e) => {
                if valid {
                    self.problem(
                        at,
                        format!("開示された入札内容またはソルトを読み取れません（{e}）。"),
                        format!("The revealed bid or salt does not parse: {e}."),
                    );
                }
                return None;
            }
        };
        if (c.tender_id, c.round) != (o.tender_id, o.round) {
            self.problem(
                at,
                "開示された入札内容は別の案件または回のものです。",
                format!(
                    "The revealed bid is for tender {} round {}, not this round.",
                    c.tender_id, c.round
                ),
            );
        }
        match (computed == commitment, valid) {
            (true, _) => {}
            (false, true) => self.problem(
                at,
                "開示された入札内容とソルトから計算したコミットメントが、記録されたコミットメントと一致しません。",
                "The commitment recomputed from the revealed bid and salt differs from the recorded one.",
            ),
            // The opening found the mismatch itself and excluded the bid.
            (false, false) => {}
        }
        if computed == commitment && !valid {
            self.problem(
                at,
                "コミットメントが正しく再計算できる入札が無効とされています。",
                "A bid whose commitment recomputes correctly is marked invalid.",
            );
        }
        Some(c)
    }

    fn check_award(
        &mut self,
        index: u64,
        award: &AwardEntry,
        rounds: &HashMap<(i64, u32), RoundOutcome>,
    ) {
        let at = Place {
            index: Some(index),
            tender: Some(award.tender_id),
            round: Some(award.round),
            bid: Some(award.bid_id),
        };
        let Some(round) = rounds.get(&(award.tender_id, award.round)) else {
            self.problem(
                at,
                "落札者決定の記録より前に、その回の開札記録がありません。",
                "The award has no earlier opening entry for its round.",
            );
            return;
        };
        if round.evaluated && round.winner != Some(award.bid_id) {
            self.problem(
                at,
                format!(
                    "落札者決定の入札が、開札記録から再計算した落札候補者（{}）と一致しません。",
                    show(round.winner)
                ),
                format!(
                    "The awarded bid is not the winner recomputed from the opening ({}).",
                    show(round.winner)
                ),
            );
        }
        match (round.amounts.get(&award.bid_id), award.amount_tax_exclusive) {
            (Some(revealed), Some(awarded)) if *revealed != Some(awarded) => self.problem(
                at,
                "落札金額が、開示された入札金額と一致しません。",
                "The awarded amount differs from the revealed amount.",
            ),
            (None, _) => self.problem(
                at,
                "落札者決定の入札は、その回で開示された入札ではありません。",
                "The awarded bid is not a revealed bid of its round.",
            ),
            _ => {}
        }
    }

    /// The published results must say what the log says.
    fn compare_results(
        &mut self,
        tender: i64,
        openings: &[(u64, OpeningEntry)],
        rounds: &HashMap<(i64, u32), RoundOutcome>,
        results: Option<&Value>,
        awards: &[(u64, AwardEntry)],
    ) {
        let Some(results) = results else {
            self.problem(
                Place {
                    tender: Some(tender),
                    ..Place::default()
                },
                "ログに開札記録があるのに、公開された入札結果がありません。",
                "The log has an opening but the tender's results are not published.",
            );
            return;
        };
        for (index, o) in openings {
            let round_at = Place {
                index: Some(*index),
                tender: Some(tender),
                round: Some(o.round),
                bid: None,
            };
            let record = results["openings"].as_array().and_then(|all| {
                all.iter()
                    .find(|r| r["round"].as_u64() == Some(u64::from(o.round)))
            });
            let Some(record) = record else {
                self.problem(
                    round_at,
                    "公開された入札結果に、この回の開札記録がありません。",
                    "The published results have no record of this round.",
                );
                continue;
            };
            let published: Vec<&Value> = record["bids"]
                .as_array()
                .map(|b| b.iter().collect())
                .unwrap_or_default();
            if published.len() != o.bids.len() {
                self.problem(
                    round_at,
                    format!(
                        "公開された開札記録の入札は {} 件で、ログの {} 件と一致しません。",
                        published.len(),
                        o.bids.len()
                    ),
                    format!(
                        "The published record has {} bids, the log {}.",
                        published.len(),
                        o.bids.len()
                    ),
                );
            }
            for b in &o.bids {
                let at = Place {
                    bid: Some(b.bid_id),
                    ..round_at
                };
                let Some(p) = published
                    .iter()
                    .find(|p| p["bid_id"].as_i64() == Some(b.bid_id))
                else {
                    self.problem(
                        at,
                        "ログにある入札が、公開された開札記録にありません。",
                        "A bid of the log is missing from the published record.",
                    );
                    continue;
                };
                let amount = rounds
                    .get(&(tender, o.round))
                    .and_then(|r| r.amounts.get(&b.bid_id).copied())
                    .flatten();
                let differs = |field: &str, logged: Option<&str>| p[field].as_str() != logged;
                let mut fields = Vec::new();
                if differs("commitment", Some(&b.commitment)) {
                    fields.push("commitment");
                }
                if differs("state", Some(&b.state)) {
                    fields.push("state");
                }
                if differs("canonical", b.canonical.as_deref()) {
                    fields.push("canonical");
                }
                if differs("salt", b.salt.as_deref()) {
                    fields.push("salt");
                }
                if b.canonical.is_some() && p["amount"].as_i64() != amount {
                    fields.push("amount");
                }
                if !fields.is_empty() {
                    let list = fields.join(", ");
                    self.problem(
                        at,
                        format!("公開された開札記録がログと一致しません（{list}）。"),
                        format!("The published record disagrees with the log on: {list}."),
                    );
                }
            }
            let published_winner = record["winner"]["bid_id"].as_i64();
            // A round scored after its opening gets its winner in the
            // results only once its scores are locked.
            if !o.evaluation_pending && published_winner != o.winner_bid_id {
                self.problem(
                    round_at,
                    format!(
                        "公開された落札候補者（{}）が、ログの落札候補者（{}）と一致しません。",
                        show(published_winner),
                        show(o.winner_bid_id)
                    ),
                    format!(
                        "The published winner ({}) differs from the log's ({}).",
                        show(published_winner),
                        show(o.winner_bid_id)
                    ),
                );
            }
        }
        let logged_award = awards.iter().find(|(_, a)| a.tender_id == tender);
        let published_award = results["award"]["bid_id"].as_i64();
        if logged_award.map(|(_, a)| a.bid_id) != published_award {
            self.problem(
                Place {
                    index: logged_award.map(|(i, _)| *i),
                    tender: Some(tender),
                    ..Place::default()
                },
                format!(
                    "公開された落札者（{}）が、ログの落札者決定（{}）と一致しません。",
                    show(published_award),
                    show(logged_award.map(|(_, a)| a.bid_id))
                ),
                format!(
                    "The published award ({}) differs from the log's award entry ({}).",
                    show(published_award),
                    show(logged_award.map(|(_, a)| a.bid_id))
                ),
            );
        }
    }
}

/// What a problem is about.
#[derive(Debug, Clone, Copy, Default)]
struct Place {
    index: Option<u64>,
    tender: Option<i64>,
    round: Option<u32>,
    bid: Option<i64>,
}

impl Place {
    fn entry(index: u64) -> Place {
        Place {
            index: Some(index),
            ..Place::default()
        }
    }
}

fn show(bid: Option<i64>) -> String {
    bid.map_or_else(|| "なし/none".to_owned(), |b| format!("bid {b}"))
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use chrono::TimeZone;
    use musubi_domain::transparency::TreeHead;
    use musubi_domain::transparency::entry::OpenedBid;
    use serde_json::json;

    use super::*;
    use crate::sealing::SigningKeyPair;

    /// Tender 7, round 1, 最低価格 under a 予定価格 of 1,200,000: bid 1 at
    /// 1,100,000, bid 2 at 1,000,000 (the winner), bid 3 withdrawn.
    struct Scenario {
        key: SigningKeyPair,
        entries: Vec<LogEntry>,
        results: Value,
    }

    fn bid(id: i64, amount: i64) -> (CanonicalBid, Salt, String) {
        let canonical = CanonicalBid {
            tender_id: 7,
            round: 1,
            bidder_org_id: 100 + id,
            amount_yen: Some(amount),
            lottery_number: Some(format!("{id:03}")),
            proposal_sha256: None,
            attachments_sha256: vec![],
        };
        let salt = Salt::from_bytes([u8::try_from(id).unwrap(); 32]);
        let commitment = commit(&canonical, &salt).unwrap().to_string();
        (canonical, salt, commitment)
    }

    fn opened(id: i64, amount: i64) -> OpenedBid {
        let (canonical, salt, commitment) = bid(id, amount);
        OpenedBid {
            bid_id: id,
            commitment,
            state: "submitted".into(),
            received_at: format!("2026-12-0{id}T00:00:00.000000Z"),
            canonical: Some(canonical.canonical_json().unwrap()),
            salt: Some(salt.to_hex()),
            technical_points: None,
            valid: true,
        }
    }

    fn scenario() -> Scenario {
        let (a, b) = (opened(1, 1_100_000), opened(2, 1_000_000));
        let withdrawn = OpenedBid {
            bid_id: 3,
            commitment: "33".repeat(32),
            state: "withdrawn".into(),
            received_at: "2026-12-03T00:00:00.000000Z".into(),
            canonical: None,
            salt: None,
            technical_points: None,
            valid: false,
        };
        let received = |c: &str| LogEntry::BidReceived {
            commitment: c.to_owned(),
        };
        let opening = OpeningEntry {
            tender_id: 7,
            round: 1,
            opened_at: "2026-12-13T01:00:00.000000Z".into(),
            award_method: "lowest_price".into(),
            reserve_price: Some(1_200_000),
            minimum_price: None,
            price_points: None,
            base_points: None,
            bids: vec![a.clone(), b.clone(), withdrawn.clone()],
            winner_bid_id: Some(2),
            evaluation_pending: false,
        };
        let record_bid = |o: &OpenedBid, amount: Option<i64>| {
            json!({
                "bid_id": o.bid_id, "commitment": o.commitment, "state": o.state,
                "canonical": o.canonical, "salt": o.salt, "amount": amount,
            })
        };
        let results = json!({
            "tender_id": 7,
            "openings": [{
                "round": 1,
                "bids": [
                    record_bid(&a, Some(1_100_000)),
                    record_bid(&b, Some(1_000_000)),
                    record_bid(&withdrawn, None),
                ],
                "winner": {"bid_id": 2},
            }],
            "award": {"bid_id": 2},
        });
        Scenario {
            key: SigningKeyPair::from_secret_bytes(&[9; 32]),
            entries: vec![
                received(&a.commitment),
                received(&b.commitment),
                received(&withdrawn.commitment),
                LogEntry::BidWithdrawn {
                    commitment: withdrawn.commitment.clone(),
                },
                LogEntry::Opening(opening),
                LogEntry::Award(AwardEntry {
                    tender_id: 7,
                    round: 1,
                    bid_id: 2,
                    bidder_org_id: 102,
                    amount_tax_exclusive: Some(1_000_000),
                    amount_tax_inclusive: Some(1_100_000),
                    decided_at: "2026-12-14T00:00:00.000000Z".into(),
                }),
            ],
            results,
        }
    }

    /// The head of the first `size` leaves, signed by the scenario's key.
    fn head(s: &Scenario, size: usize) -> SignedTreeHead {
        let mut frontier = Frontier::empty();
        for e in &s.entries[..size] {
            frontier.push(leaf_hash(&e.to_bytes()));
        }
        let at = Utc.with_ymd_and_hms(2026, 12, 14, 0, 0, 0).unwrap();
        let head = TreeHead::new(size as u64, at, frontier.root()).unwrap();
        SignedTreeHead {
            tree_size: head.tree_size(),
            timestamp: "2026-12-14T00:00:00.000Z".into(),
            root_hash: head.root_hash(),
            key_id: s.key.key_id().to_owned(),
            signature: STANDARD.encode(s.key.sign(&head.signed_bytes())),
        }
    }

    fn input(s: &Scenario) -> AuditInput {
        let entries: Vec<LogEntryView> = s
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let bytes = e.to_bytes();
                LogEntryView {
                    index: i as u64,
                    kind: e.kind().to_owned(),
                    leaf_hash: leaf_hash(&bytes),
                    entry: String::from_utf8(bytes).unwrap(),
                    appended_at: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
                }
            })
            .collect();
        AuditInput {
            log_public_key: s.key.public_key_bytes().to_vec(),
            latest: head(s, s.entries.len()),
            earlier: Vec::new(),
            results: opened_tenders(&entries)
                .into_iter()
                .map(|t| (t, Some(s.results.clone())))
                .collect(),
            entries,
        }
    }

    fn opening_mut(s: &mut Scenario) -> &mut OpeningEntry {
        match &mut s.entries[4] {
            LogEntry::Opening(o) => o,
            _ => unreachable!(),
        }
    }

    fn problems(report: &AuditReport) -> Vec<String> {
        report.problems.iter().map(|p| p.describe().1).collect()
    }

    #[test]
    fn an_honest_log_passes_and_the_winner_is_recomputed() {
        let s = scenario();
        let report = audit(&input(&s));
        assert_eq!(problems(&report), Vec::<String>::new());
        assert_eq!(
            (
                report.entries,
                report.openings,
                report.winners_recomputed,
                report.awards
            ),
            (6, 1, 1, 1)
        );
        assert!(report.head_verified);
    }

    #[test]
    fn a_logged_winner_the_bids_do_not_give_is_reported() {
        // A log that is internally consistent (hashes, signature) but whose
        // opening names the dearer bid.
        let mut s = scenario();
        opening_mut(&mut s).winner_bid_id = Some(1);
        s.results["openings"][0]["winner"]["bid_id"] = json!(1);
        let report = audit(&input(&s));
        let p = problems(&report);
        assert!(
            p.iter().any(|p| p.starts_with("[entry 4, tender 7, round 1] The winner recomputed from the entry (bid 2) differs from the winner it records (bid 1)")),
            "{p:?}"
        );
        // The award is judged against the recomputed winner, which it names.
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(report.head_verified);
    }

    #[test]
    fn an_opened_bid_needs_an_earlier_receipt_and_is_opened_once() {
        let mut s = scenario();
        // Bid 2's bid.received entry replaced by another commitment.
        s.entries[1] = LogEntry::BidReceived {
            commitment: "22".repeat(32),
        };
        // The same opening logged again as round 2.
        let mut again = opening_mut(&mut s).clone();
        again.round = 2;
        s.entries.push(LogEntry::Opening(again));
        let p = problems(&audit(&input(&s)));
        assert!(
            p.iter().any(|p| p.starts_with("[entry 4, tender 7, round 1, bid 2] The opened bid's commitment has no earlier bid.received entry")),
            "{p:?}"
        );
        assert!(
            p.iter().any(|p| p.starts_with(
                "[entry 6, tender 7, round 2, bid 1] This commitment was already opened in entry 4"
            )),
            "{p:?}"
        );
        // Round 2's canonical bids say round 1.
        assert!(
            p.iter()
                .any(|p| p.contains("round 2, bid 1] The revealed bid is for tender 7 round 1")),
            "{p:?}"
        );
    }

    #[test]
    fn a_revealed_bid_must_give_its_commitment() {
        let mut s = scenario();
        opening_mut(&mut s).bids[0].salt = Some("ab".repeat(32));
        s.results["openings"][0]["bids"][0]["salt"] = json!("ab".repeat(32));
        let p = problems(&audit(&input(&s)));
        assert_eq!(
            p,
            [
                "[entry 4, tender 7, round 1, bid 1] The commitment recomputed from the revealed bid and salt differs from the recorded one."
            ]
        );
    }

    #[test]
    fn published_results_must_agree_with_the_log() {
        let mut s = scenario();
        s.results["openings"][0]["bids"][1]["salt"] = json!("cd".repeat(32));
        s.results["openings"][0]["bids"][0]["amount"] = json!(900_000);
        s.results["award"]["bid_id"] = json!(1);
        let p = problems(&audit(&input(&s)));
        assert!(p.contains(&"[entry 4, tender 7, round 1, bid 1] The published record disagrees with the log on: amount.".to_owned()), "{p:?}");
        assert!(p.contains(&"[entry 4, tender 7, round 1, bid 2] The published record disagrees with the log on: salt.".to_owned()), "{p:?}");
        assert!(
            p.iter()
                .any(|p| p.starts_with("[entry 5, tender 7] The published award (bid 1)")),
            "{p:?}"
        );

        let mut input = input(&scenario());
        input.results.insert(7, None);
        let p = problems(&audit(&input));
        assert_eq!(
            p,
            ["[tender 7] The log has an opening but the tender's results are not published."]
        );
    }

    #[test]
    fn an_award_must_name_the_recomputed_winner() {
        let mut s = scenario();
        if let LogEntry::Award(a) = &mut s.entries[5] {
            a.bid_id = 1;
            a.amount_tax_exclusive = Some(1_100_000);
        }
        s.results["award"]["bid_id"] = json!(1);
        let p = problems(&audit(&input(&s)));
        assert_eq!(
            p,
            [
                "[entry 5, tender 7, round 1, bid 1] The awarded bid is not the winner recomputed from the opening (bid 2)."
            ]
        );
    }

    #[test]
    fn heads_are_signed_and_extend_the_earlier_ones() {
        let s = scenario();
        // An earlier head of 3 leaves with its proof: consistent.
        let mut ok = input(&s);
        let leaves: Vec<_> = ok.entries.iter().map(|e| e.leaf_hash).collect();
        let proof = musubi_domain::transparency::consistency_proof_ref(&leaves, 3).unwrap();
        ok.earlier.push((
            head(&s, 3),
            Some(ConsistencyProof {
                first: 3,
                second: 6,
                proof: proof.clone(),
            }),
        ));
        let report = audit(&ok);
        assert_eq!(problems(&report), Vec::<String>::new());
        assert_eq!(report.heads_checked, 2);

        // The same earlier size with another root: a forked log.
        let mut forked = ok.clone();
        forked.earlier[0].0.root_hash = forked.latest.root_hash;
        let report = audit(&forked);
        assert!(!report.head_verified);
        assert!(problems(&report)[0].contains("is not consistent with the earlier head (size 3)"));

        // A head signed by another key.
        let mut other = input(&s);
        other.log_public_key = SigningKeyPair::from_secret_bytes(&[1; 32])
            .public_key_bytes()
            .to_vec();
        let report = audit(&other);
        assert!(!report.head_verified);
        assert!(problems(&report)[0].contains("does not verify with the published log key"));

        // An entry altered in place: its leaf hash and the root disagree.
        let mut altered = input(&s);
        altered.entries[2].entry = altered.entries[2].entry.replace("33", "34");
        let p = problems(&audit(&altered));
        assert!(
            p[0].starts_with("[entry 2] The leaf hash computed"),
            "{p:?}"
        );
        assert!(
            p[1].starts_with("The root recomputed over every entry"),
            "{p:?}"
        );
    }
}
