//! The buyer's technical scores (技術評価点) and their lock (評価の確定).
//!
//! - 総合評価 ([`ScoringPhase::BeforeOpening`]): the buyer sets the 価格点 or
//!   基礎点, enters each participant's technical points and locks them, all
//!   before the first opening; afterwards nothing can change them (a buyer
//!   who has seen the prices must not choose the points). The participants
//!   are those who applied (参加表明・参加申請); any supplier may be scored
//!   through the API. A bidder without a score is excluded at the opening.
//! - 企画提案 ([`ScoringPhase::AfterOpening`]): the opened proposals are read
//!   and scored during 審査中; every opened proposal needs a score before
//!   the lock. The lock decides: the ranking the locked scores give
//!   ([`complete_record`]) names the winner the buyer then awards, or, with
//!   no valid proposal, the tender becomes 不調 in the lock's transaction.
//!
//! The opening record of a proposal round is written once, at the opening,
//! with `evaluation_pending`; its evaluation is recomputed from the record
//! and the locked scores whenever it is read, so it needs no second record
//! and anyone can check it from what is published.

use chrono::{DateTime, Utc};
use musubi_domain::bidding::{
    EvaluationTerms, LotteryNumber, RevealedBid, ScoringPhase, TechnicalPoints, parse_points,
    uses_base_points, uses_price_points,
};
use musubi_domain::tender::{AwardMethod, TenderStatus, Transition};
use musubi_domain::{OrgKind, Principal, TaxExclusive, Yen};
use musubi_storage::{
    ApplicationStatus, Audience, EventKind, NewEvent, NewTransition, OrgId, ScoreLock, Scoring,
    StorageError, TechnicalScore, Tender, TenderId,
};
use serde_json::{Value, json};

use super::evaluate_round;
use crate::error::{FieldError, FieldErrors, ServiceError, ServiceResult};
use crate::tenders::{audit, refused_status};
use crate::{RequestCtx, Services};

/// What the scoring page and API show.
#[derive(Debug, Clone)]
pub struct ScoringView {
    pub tender_id: TenderId,
    pub title: String,
    pub status: TenderStatus,
    pub method: AwardMethod,
    pub phase: ScoringPhase,
    pub price_points: Option<u32>,
    pub base_points: Option<u32>,
    pub uses_price_points: bool,
    pub uses_base_points: bool,
    pub locked_at: Option<DateTime<Utc>>,
    /// Scores may be entered and locked now; if not, why (ja, en).
    pub closed: Option<(String, String)>,
    /// Those to score: participants (総合評価) or opened proposals.
    pub rows: Vec<ScoreRow>,
}

impl ScoringView {
    pub fn editable(&self) -> bool {
        self.closed.is_none()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRow {
    pub bidder: OrgId,
    pub bidder_name: String,
    pub points: Option<TechnicalPoints>,
    pub entered_at: Option<DateTime<Utc>>,
    /// The opened proposal (proposals only).
    pub bid_id: Option<i64>,
}

/// What the buyer sends: the points as typed (`None`: leave as they are)
/// and scores as typed per organisation (empty: leave as it is).
#[derive(Debug, Clone, Default)]
pub struct ScoringInput {
    pub price_points: Option<String>,
    pub base_points: Option<String>,
    pub scores: Vec<(OrgId, String)>,
}

/// The refusal when the scores are locked.
fn locked() -> ServiceError {
    ServiceError::refused(
        409,
        "scores_locked",
        "技術評価点は確定済みのため、変更できません。",
        "The scores are locked and can no longer change.",
    )
}

/// The opened proposals of the last round: (bidder, name, bid) of each
/// standing bid whose content matched its commitment.
fn opened_proposals(record: &Value) -> Vec<(OrgId, String, i64)> {
    record["bids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["state"] == "submitted" && b["commitment_verified"] == true)
        .filter_map(|b| {
            Some((
                b["bidder_org_id"].as_i64()?,
                b["bidder_name"].as_str().unwrap_or_default().to_owned(),
                b["bid_id"].as_i64()?,
            ))
        })
        .collect()
}

/// Completes a proposal round's record (`evaluation_pending`) with the
/// evaluation its locked scores give: the scores on each bid, the
/// evaluation, the winner. Unchanged while the scores are not locked, and
/// for every other record.
pub(super) fn complete_record(record: &mut Value, scoring: &Scoring, scores: &[TechnicalScore]) {
    let Some(locked_at) = scoring.locked_at else {
        return;
    };
    if record["evaluation_pending"].as_bool() != Some(true) {
        return;
    }
    let Some(method) = record["award_method"]
        .as_str()
        .and_then(|m| AwardMethod::parse(m).ok())
    else {
        return;
    };
    let yen = |v: &Value| v.as_i64().map(|a| TaxExclusive::new(Yen::new(a)));
    let terms = EvaluationTerms {
        method,
        reserve_price: yen(&record["reserve_price"]),
        minimum_price: yen(&record["minimum_price"]),
        price_points: record["price_points"]
            .as_u64()
            .and_then(|p| p.try_into().ok()),
        base_points: record["base_points"]
            .as_u64()
            .and_then(|p| p.try_into().ok()),
    };
    let points_of = |org: Option<i64>| {
        scores
            .iter()
            .find(|s| Some(s.bidder) == org)
            .and_then(|s| TechnicalPoints::from_hundredths(s.points_hundredths).ok())
    };
    let mut revealed = Vec::new();
    let mut names = Vec::new();
    for b in record["bids"].as_array_mut().into_iter().flatten() {
        if b["state"] != "submitted" || b["commitment_verified"] != true {
            continue;
        }
        let points = points_of(b["bidder_org_id"].as_i64());
        b["technical_points"] = json!(points.map(|p| p.to_string()));
        let received_at = b["received_at"]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
        let (Some(bid_id), Some(received_at)) = (b["bid_id"].as_i64(), received_at) else {
            continue;
        };
        names.push((
            bid_id,
            b["bidder_org_id"].as_i64().unwrap_or_default(),
            b["bidder_name"].as_str().unwrap_or_default().to_owned(),
        ));
        revealed.push(RevealedBid {
            bid_id,
            price: yen(&b["amount"]),
            lottery: b["lottery_number"]
                .as_str()
                .and_then(|n| LotteryNumber::parse(n).ok()),
            received_at: received_at.with_timezone(&Utc),
            technical_points: points,
        });
    }
    let by_name = |bid_id: i64| {
        names
            .iter()
            .find(|n| n.0 == bid_id)
            .map(|n| (n.1, n.2.clone()))
    };
    match evaluate_round(terms, revealed, by_name) {
        Ok((evaluation, winner)) => {
            record["evaluation"] = evaluation;
            record["winner"] = winner;
        }
        Err(e) => {
            record["evaluation_error"] = json!(e.code());
            record["evaluation_error_message"] =
                json!({ "ja": e.message_ja(), "en": e.message_en() });
        }
    }
    record["evaluation_pending"] = json!(false);
    record["scores_locked_at"] = json!(locked_at);
}

/// A round as the scoring page needs it.
struct State {
    tender: Tender,
    phase: ScoringPhase,
    scoring: Scoring,
    scores: Vec<TechnicalScore>,
    openings: Vec<Value>,
}

impl Services {
    async fn scoring_state(&self, principal: &Principal, id: TenderId) -> ServiceResult<State> {
        let tender = self.own_tender(principal, id).await?;
        let Some(phase) = ScoringPhase::of(tender.content.award_method) else {
            return Err(ServiceError::refused(
                409,
                "scoring_not_used",
                "この案件（最低価格落札方式）では技術評価点を使用しません。",
                "This tender is awarded on price alone: it has no technical scores.",
            ));
        };
        let scoring = self.storage.scoring(id).await?;
        let scores = self.storage.technical_scores(id).await?;
        let openings = self
            .storage
            .openings(id)
            .await?
            .into_iter()
            .map(|o| o.record)
            .collect();
        Ok(State {
            tender,
            phase,
            scoring,
            scores,
            openings,
        })
    }

    /// Why the scores cannot be entered or locked now, if they cannot.
    fn scoring_closed(&self, s: &State) -> Option<ServiceError> {
        let t = &s.tender;
        if s.scoring.locked_at.is_some() {
            return Some(locked());
        }
        let closed = |ja: &str, en: &str| refused_status("scoring_closed", t.status, ja, en);
        match s.phase {
            ScoringPhase::BeforeOpening => {
                let opening_passed = Self::schedule_of(t)
                    .map(|v| self.clock.now() >= v.opening_at())
                    .unwrap_or(true);
                let open = s.openings.is_empty()
                    && !opening_passed
                    && !t.status.is_final()
                    && !matches!(
                        t.status,
                        TenderStatus::Opened
                            | TenderStatus::Evaluating
                            | TenderStatus::Unsuccessful
                    );
                (!open).then(|| {
                    closed(
                        "技術評価点は開札前に入力・確定するものです。開札日時を過ぎた後は入力・確定できません。",
                        "Technical scores are entered and locked before the opening; it has passed",
                    )
                })
            }
            ScoringPhase::AfterOpening => {
                if s.openings.is_empty() {
                    return Some(refused_status(
                        "scoring_after_opening",
                        t.status,
                        "企画提案の評価点は、開札（提案書の開封）後に入力してください。",
                        "Proposals are scored after the opening, once they can be read",
                    ));
                }
                let pending = s
                    .openings
                    .last()
                    .is_some_and(|r| r["evaluation_pending"].as_bool() == Some(true));
                (t.status != TenderStatus::Evaluating || !pending).then(|| {
                    closed(
                        "この案件の提案は評価できません。",
                        "The proposals of this tender cannot be scored now",
                    )
                })
            }
        }
    }

    /// Those to score, with their scores so far.
    async fn score_rows(&self, s: &State) -> ServiceResult<Vec<ScoreRow>> {
        let score_of = |org: OrgId| s.scores.iter().find(|x| x.bidder == org);
        let mut rows: Vec<ScoreRow> = Vec::new();
        let mut push = |bidder: OrgId, bidder_name: String, bid_id: Option<i64>| {
            if rows.iter().any(|r| r.bidder == bidder) {
                return;
            }
            let score = score_of(bidder);
            rows.push(ScoreRow {
                bidder,
                bidder_name,
                points: score
                    .and_then(|x| TechnicalPoints::from_hundredths(x.points_hundredths).ok()),
                entered_at: score.map(|x| x.entered_at),
                bid_id,
            });
        };
        match s.phase {
            ScoringPhase::BeforeOpening => {
                for a in self.storage.applications(s.tender.id).await? {
                    if a.status != ApplicationStatus::Rejected {
                        push(a.supplier, a.supplier_name, None);
                    }
                }
                for x in &s.scores {
                    push(x.bidder, x.bidder_name.clone(), None);
                }
            }
            ScoringPhase::AfterOpening => {
                if let Some(last) = s.openings.last() {
                    for (org, name, bid) in opened_proposals(last) {
                        push(org, name, Some(bid));
                    }
                }
            }
        }
        Ok(rows)
    }

    async fn scoring_view(&self, s: State) -> ServiceResult<ScoringView> {
        let rows = self.score_rows(&s).await?;
        let closed = self.scoring_closed(&s).map(|e| match e {
            ServiceError::Refused {
                message_ja,
                message_en,
                ..
            } => (message_ja, message_en),
            e => (e.to_string(), e.to_string()),
        });
        let method = s.tender.content.award_method;
        Ok(ScoringView {
            tender_id: s.tender.id,
            title: s.tender.content.title.clone(),
            status: s.tender.status,
            method,
            phase: s.phase,
            price_points: s.scoring.price_points,
            base_points: s.scoring.base_points,
            uses_price_points: uses_price_points(method),
            uses_base_points: uses_base_points(method),
            locked_at: s.scoring.locked_at,
            closed,
            rows,
        })
    }

    /// The scoring set-up of the buyer's tender.
    pub async fn tender_scoring(
        &self,
        principal: &Principal,
        id: TenderId,
    ) -> ServiceResult<ScoringView> {
        let s = self.scoring_state(principal, id).await?;
        self.scoring_view(s).await
    }

    /// Saves the points (配点) and the technical scores given; every value
    /// is checked before anything is written.
    pub async fn save_scoring(
        &self,
        principal: &Principal,
        id: TenderId,
        input: &ScoringInput,
        ctx: &RequestCtx,
    ) -> ServiceResult<ScoringView> {
        let s = self.scoring_state(principal, id).await?;
        if let Some(e) = self.scoring_closed(&s) {
            return Err(e);
        }
        let method = s.tender.content.award_method;
        let mut e = FieldErrors::new();
        let mut points =
            |field: &'static str, used: bool, raw: &Option<String>, now: Option<u32>| match raw {
                Some(raw) if used => e.take(field, parse_points(raw)).unwrap_or(now),
                _ => now,
            };
        let price_points = points(
            "price_points",
            uses_price_points(method),
            &input.price_points,
            s.scoring.price_points,
        );
        let base_points = points(
            "base_points",
            uses_base_points(method),
            &input.base_points,
            s.scoring.base_points,
        );
        let rows = self.score_rows(&s).await?;
        let mut scores = Vec::new();
        for (org, raw) in &input.scores {
            if raw.trim().is_empty() {
                continue;
            }
            let known = rows
                .iter()
                .find(|r| r.bidder == *org)
                .map(|r| r.bidder_name.clone());
            let name = match (s.phase, known) {
                (_, Some(name)) => name,
                (ScoringPhase::BeforeOpening, None) => {
                    match self.storage.organization(*org).await? {
                        Some(o) if o.kind == OrgKind::Supplier => o.name,
                        _ => {
                            e.add(
                                "scores",
                                "bidder_unknown",
                                format!("組織番号{org}の事業者（受注者）は見つかりません。"),
                                format!("There is no supplier with the id {org}."),
                            );
                            continue;
                        }
                    }
                }
                (ScoringPhase::AfterOpening, None) => {
                    e.add(
                        "scores",
                        "not_a_bidder",
                        format!("組織番号{org}の事業者は、開封した提案の提出者ではありません。"),
                        format!("Organisation {org} did not submit an opened proposal."),
                    );
                    continue;
                }
            };
            match TechnicalPoints::parse(raw) {
                Ok(p) => scores.push((*org, p)),
                Err(err) => e.0.push(FieldError {
                    field: "scores",
                    code: err.code(),
                    message_ja: format!("{name}：{}", err.message_ja()),
                    message_en: format!("{name}: {}", err.message_en()),
                }),
            }
        }
        e.into_result()?;
        let refused = |e: StorageError| match e {
            StorageError::Conflict(c) if c == "scores_locked" => locked(),
            e => e.into(),
        };
        if (price_points, base_points) != (s.scoring.price_points, s.scoring.base_points) {
            self.storage
                .set_scoring_points(id, price_points, base_points)
                .await
                .map_err(refused)?;
        }
        let now = self.clock.now();
        for (org, p) in scores {
            self.storage
                .set_technical_score(id, org, p.hundredths(), principal.user_id, now)
                .await
                .map_err(refused)?;
        }
        let _ = ctx;
        self.tender_scoring(principal, id).await
    }

    /// 評価の確定: locks the scores. 総合評価: the points must make the
    /// terms complete and at least one score be entered. Proposals: every
    /// opened proposal must be scored; with no valid proposal the tender
    /// becomes 不調 in the same transaction.
    pub async fn lock_scoring(
        &self,
        principal: &Principal,
        id: TenderId,
        ctx: &RequestCtx,
    ) -> ServiceResult<ScoringView> {
        let s = self.scoring_state(principal, id).await?;
        if let Some(e) = self.scoring_closed(&s) {
            return Err(e);
        }
        let c = &s.tender.content;
        let now = self.clock.now();
        let rows = self.score_rows(&s).await?;
        let mut steps = Vec::new();
        let mut events = Vec::new();
        match s.phase {
            ScoringPhase::BeforeOpening => {
                let terms = EvaluationTerms {
                    method: c.award_method,
                    reserve_price: c.reserve_price,
                    minimum_price: c.minimum_price,
                    price_points: s.scoring.price_points,
                    base_points: s.scoring.base_points,
                };
                if let Err(err) = terms.check() {
                    let field = match err.code() {
                        "evaluation_price_points_required" => "price_points",
                        "evaluation_base_points_required" => "base_points",
                        _ => "terms",
                    };
                    return Err(ServiceError::field(
                        field,
                        err.code(),
                        err.message_ja(),
                        err.message_en(),
                    ));
                }
                if s.scores.is_empty() {
                    return Err(ServiceError::field(
                        "scores",
                        "no_scores",
                        "技術評価点が1件も入力されていません。評価した事業者の技術評価点を入力してから確定してください。",
                        "No technical score has been entered yet.",
                    ));
                }
            }
            ScoringPhase::AfterOpening => {
                let missing: Vec<&str> = rows
                    .iter()
                    .filter(|r| r.points.is_none())
                    .map(|r| r.bidder_name.as_str())
                    .collect();
                if !missing.is_empty() {
                    return Err(ServiceError::field(
                        "scores",
                        "scores_missing",
                        format!(
                            "評価点が入力されていない提案があります（{}）。すべての提案の評価点を入力してから確定してください。",
                            missing.join("、")
                        ),
                        format!(
                            "Some proposals have no score yet ({}); score every proposal before locking.",
                            missing.join(", ")
                        ),
                    ));
                }
                // What the locked scores will decide: no valid proposal is 不調.
                let mut record = s.openings.last().cloned().unwrap_or_default();
                let mut as_locked = s.scoring.clone();
                as_locked.locked_at = Some(now);
                complete_record(&mut record, &as_locked, &s.scores);
                if record["winner"].is_null() {
                    steps.push(NewTransition {
                        transition: Transition::DeclareUnsuccessful,
                        at: now,
                        actor: Some(principal.user_id),
                        reason: None,
                    });
                    events.push(NewEvent {
                        kind: EventKind::TenderUnsuccessful,
                        audience: Audience::Participants,
                        detail: json!({ "title": c.title }),
                    });
                }
            }
        }
        let lock = ScoreLock {
            tender_id: id,
            by: principal.user_id,
            at: now,
            expected_openings: s.openings.len() as u32,
            expected_status: (s.phase == ScoringPhase::AfterOpening)
                .then_some(TenderStatus::Evaluating),
            jobs: if steps.is_empty() {
                Vec::new()
            } else {
                vec![crate::search::tender_job(id)]
            },
            steps,
            next_transition_at: None,
            events,
            audit: audit("tender.scores_lock", Some(id), principal, ctx)
                .detail(json!({ "scores": s.scores.len() })),
        };
        let done = self
            .storage
            .lock_scores_guarded(&lock)
            .await
            .map_err(|e| match e {
                StorageError::Conflict(c) if c == "scores_locked" => locked(),
                e => e.into(),
            })?;
        if !done {
            return Err(refused_status(
                "scoring_closed",
                s.tender.status,
                "案件の状態が変わったため、確定できませんでした（開札が行われた可能性があります）。",
                "The tender moved on (it may have been opened), so the scores were not locked",
            ));
        }
        if !lock.steps.is_empty() {
            self.wake_worker();
        }
        self.tender_scoring(principal, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Value {
        json!({
            "round": 1,
            "award_method": "proposal_evaluation",
            "reserve_price": 5_000_000, "minimum_price": null,
            "price_points": null, "base_points": null,
            "evaluation_pending": true, "evaluation": null, "winner": null,
            "bids": [
                {"bid_id": 1, "bidder_org_id": 10, "bidder_name": "甲社", "state": "submitted",
                 "commitment_verified": true, "amount": null, "lottery_number": "100",
                 "received_at": "2026-12-05T00:00:00.000000Z"},
                {"bid_id": 2, "bidder_org_id": 11, "bidder_name": "乙社", "state": "submitted",
                 "commitment_verified": true, "amount": null, "lottery_number": "200",
                 "received_at": "2026-12-05T00:00:01.000000Z"},
                {"bid_id": 3, "bidder_org_id": 12, "bidder_name": "丙社", "state": "withdrawn"}
            ]
        })
    }

    fn score(org: OrgId, hundredths: u32) -> TechnicalScore {
        TechnicalScore {
            tender_id: 7,
            bidder: org,
            bidder_name: String::new(),
            points_hundredths: hundredths,
            entered_by: 1,
            entered_at: DateTime::from_timestamp(0, 0).unwrap(),
        }
    }

    #[test]
    fn a_proposal_round_is_ranked_by_its_locked_scores() {
        let scores = [score(10, 7_250), score(11, 8_100)];
        let mut r = record();
        complete_record(&mut r, &Scoring::default(), &scores);
        assert_eq!(r, record(), "unlocked: still pending");

        let locked = Scoring {
            locked_at: DateTime::from_timestamp(1_800_000_000, 0),
            ..Scoring::default()
        };
        complete_record(&mut r, &locked, &scores);
        assert_eq!(r["evaluation_pending"], false);
        assert_eq!(r["winner"]["bid_id"], 2);
        assert_eq!(r["winner"]["bidder_name"], "乙社");
        assert_eq!(r["bids"][0]["technical_points"], "72.5");
        assert_eq!(r["bids"][1]["technical_points"], "81");
        let ranks: Vec<_> = r["evaluation"]["result"]["bids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["rank"].clone())
            .collect();
        assert_eq!(ranks, [json!(2), json!(1)]);
        // Completed once: reading it again changes nothing.
        let again = r.clone();
        complete_record(&mut r, &locked, &scores);
        assert_eq!(r, again);

        // A proposal without a score is excluded; none scored: 不調.
        let mut r = record();
        complete_record(&mut r, &locked, &[]);
        assert!(r["winner"].is_null());
        assert_eq!(
            r["evaluation"]["result"]["bids"][0]["reason"],
            "technical_points_missing"
        );
        assert_eq!(
            opened_proposals(&record()),
            [(10, "甲社".to_owned(), 1), (11, "乙社".to_owned(), 2)]
        );
    }
}
