//! 再度入札: after 不調 the buyer may hold another round, with a new
//! submission window and opening time, among the bidders the previous round
//! allows ([`musubi_domain::bidding::may_rebid`]: not withdrawn, not invalid,
//! not disqualified — a price above the 予定価格 is why the round failed, not
//! a fault). The round's number is one more than the rounds opened; its
//! bids are sealed and opened like the first round's, at its own opening
//! time, and the results list every round.
//!
//! Not for:
//!
//! - proposals: their scores are entered once, after the first opening, so
//!   a second round could not be scored; a new call for proposals is the
//!   way (and the usual one in Japan);
//! - 総合評価 whose technical scores were not locked before the opening: no
//!   round of it can ever be evaluated;
//! - a round nobody may take part in (e.g. every bid withdrawn): a new
//!   公告 is needed.

use chrono::{DateTime, Utc};
use musubi_domain::Principal;
use musubi_domain::bidding::{Exclusion, RoundStanding, ScoringPhase, may_rebid};
use musubi_domain::tender::{AwardMethod, TenderStatus, Transition, ValidSchedule};
use musubi_storage::{Audience, EventKind, NewEvent, NewRebid, NewTransition, OrgId, TenderId};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{FieldErrors, ServiceError, ServiceResult};
use crate::tenders::input::{parse_instant, schedule_errors};
use crate::tenders::{audit, not_found, refused_status};
use crate::{RequestCtx, Services};

/// The new window as typed: Japan time `2026-12-01T17:00` or RFC 3339.
/// An empty `submission_opens_at` means now.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RebidInput {
    #[serde(default)]
    pub submission_opens_at: String,
    #[serde(default)]
    pub submission_closes_at: String,
    #[serde(default)]
    pub opening_at: String,
}

/// A 再度入札 that was started.
#[derive(Debug, Clone)]
pub struct RebidStarted {
    pub round: u32,
    pub submission_opens_at: DateTime<Utc>,
    pub submission_closes_at: DateTime<Utc>,
    pub opening_at: DateTime<Utc>,
    /// Who may bid in it: (organisation, name).
    pub bidders: Vec<(OrgId, String)>,
}

/// How one bid of an opening record stands under the 再度入札 rule.
fn standing(record: &Value, bid: &Value) -> RoundStanding {
    if bid["state"] == "withdrawn" {
        return RoundStanding::Withdrawn;
    }
    if bid["valid"] == false {
        return RoundStanding::Invalid;
    }
    let evaluated = record["evaluation"]["result"]["bids"]
        .as_array()
        .and_then(|bs| bs.iter().find(|e| e["bid_id"] == bid["bid_id"]));
    match evaluated {
        None => RoundStanding::NotEvaluated,
        Some(e) if e["status"] == "valid" => RoundStanding::Valid,
        Some(e) => match e["reason"].as_str().map(Exclusion::parse) {
            Some(Ok(reason)) => RoundStanding::Excluded(reason),
            // An exclusion this build does not know: not a fault we can name.
            _ => RoundStanding::Invalid,
        },
    }
}

/// The bidders of an opened round (its published record) who may bid in
/// the 再度入札 after it, in order of receipt.
pub fn rebid_bidders_of(record: &Value) -> Vec<(OrgId, String)> {
    let mut out: Vec<(OrgId, String)> = Vec::new();
    for b in record["bids"].as_array().into_iter().flatten() {
        let Some(org) = b["bidder_org_id"].as_i64() else {
            continue;
        };
        if may_rebid(standing(record, b)) && !out.iter().any(|(o, _)| *o == org) {
            out.push((
                org,
                b["bidder_name"].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    out
}

/// A required instant of the form, or its error.
fn instant(
    e: &mut FieldErrors,
    field: &'static str,
    label_ja: &str,
    label_en: &str,
    raw: &str,
) -> Option<DateTime<Utc>> {
    if raw.trim().is_empty() {
        e.add(
            field,
            "required",
            format!("{label_ja}を入力してください。"),
            format!("Please enter the {label_en}."),
        );
        return None;
    }
    let parsed = parse_instant(raw);
    if parsed.is_none() {
        e.add(
            field,
            "datetime_invalid",
            format!("{label_ja}は「2026-12-01T17:00」の形式で入力してください。"),
            format!("The {label_en} must look like 2026-12-01T17:00 (Japan time)."),
        );
    }
    parsed
}

impl Services {
    /// Who may bid in the round after the last opened one (empty before
    /// the first opening: round 1 is open to all who may bid).
    pub async fn rebid_bidders(&self, id: TenderId) -> ServiceResult<Vec<OrgId>> {
        Ok(self
            .storage
            .openings(id)
            .await?
            .last()
            .map(|o| rebid_bidders_of(&o.record))
            .unwrap_or_default()
            .into_iter()
            .map(|(org, _)| org)
            .collect())
    }

    /// 再度入札 of the buyer's 不調 tender: the next round, with a new
    /// submission window and opening time; the bidders who may take part
    /// are told.
    pub async fn start_rebid(
        &self,
        principal: &Principal,
        id: TenderId,
        input: &RebidInput,
        ctx: &RequestCtx,
    ) -> ServiceResult<RebidStarted> {
        let tender = self.own_tender(principal, id).await?;
        let now = self.clock.now();
        if tender.status != TenderStatus::Unsuccessful {
            return Err(refused_status(
                "rebid_not_possible",
                tender.status,
                "再度入札は、不調となった案件でのみ実施できます。",
                "A rebid can only follow an unsuccessful round",
            ));
        }
        let c = &tender.content;
        if c.award_method == AwardMethod::ProposalEvaluation {
            return Err(ServiceError::refused(
                409,
                "rebid_not_for_proposals",
                "企画提案方式の案件では再度入札は行えません。改めて公募してください。",
                "Proposals are not re-bid: issue a new call for proposals.",
            ));
        }
        let scoring = self.storage.scoring(id).await?;
        if ScoringPhase::of(c.award_method) == Some(ScoringPhase::BeforeOpening)
            && scoring.locked_at.is_none()
        {
            return Err(ServiceError::refused(
                409,
                "rebid_scores_not_locked",
                "技術評価点が開札前に確定されていなかったため、再度入札を行っても評価できません。改めて公告してください。",
                "The technical scores were not locked before the opening, so no round can be evaluated: publish the tender anew.",
            ));
        }
        let openings = self.storage.openings(id).await?;
        let last = openings.last().ok_or_else(not_found)?;
        let bidders = rebid_bidders_of(&last.record);
        if bidders.is_empty() {
            return Err(ServiceError::refused(
                409,
                "no_rebid_bidders",
                "再度入札に参加できる事業者（前回の入札で辞退・無効・失格とならなかった事業者）がいないため、再度入札は行えません。改めて公告してください。",
                "No bidder of the last round may take part (all withdrew, were invalid or disqualified): publish the tender anew.",
            ));
        }

        let mut e = FieldErrors::new();
        let opens = if input.submission_opens_at.trim().is_empty() {
            Some(now)
        } else {
            instant(
                &mut e,
                "submission_opens_at",
                "提出受付開始日時",
                "submission opening",
                &input.submission_opens_at,
            )
        };
        let closes = instant(
            &mut e,
            "submission_closes_at",
            "提出締切日時",
            "submission deadline",
            &input.submission_closes_at,
        );
        let opening = instant(
            &mut e,
            "opening_at",
            "開札日時",
            "opening",
            &input.opening_at,
        );
        let schedule = Self::schedule_of(&tender)?;
        let valid: Option<ValidSchedule> = match (opens, closes, opening) {
            (Some(opens), Some(closes), Some(opening)) => {
                match schedule.rebid(opens, closes, opening, now) {
                    Ok(v) => Some(v),
                    Err(errors) => {
                        schedule_errors(&mut e, &errors);
                        None
                    }
                }
            }
            _ => None,
        };
        e.into_result()?;
        let Some(valid) = valid else {
            return Err(ServiceError::Internal("rebid schedule missing".into()));
        };

        let round = openings.len() as u32 + 1;
        let mut content = c.clone();
        content.schedule = valid.into_schedule();
        let detail = json!({
            "title": c.title,
            "rebid_round": round,
            "submission_opens_at": valid.submission_opens_at(),
            "submission_closes_at": valid.submission_closes_at(),
            "opening_at": valid.opening_at(),
        });
        let rebid = NewRebid {
            tender_id: id,
            content,
            reason: format!("再度入札（第{round}回）"),
            expected_version: tender.version,
            step: NewTransition {
                transition: Transition::Rebid,
                at: now,
                actor: Some(principal.user_id),
                reason: None,
            },
            next_transition_at: valid.next_transition_at(TenderStatus::Tendering),
            actor: principal.user_id,
            now,
            // Those who may bid hear of the new deadline; the others are
            // out of the procurement.
            events: bidders
                .iter()
                .map(|(org, _)| NewEvent {
                    kind: EventKind::TenderDeadlineChanged,
                    audience: Audience::Organization(*org),
                    detail: detail.clone(),
                })
                .collect(),
            audit: audit("tender.rebid", Some(id), principal, ctx).detail(json!({
                "round": round,
                "bidders": bidders.iter().map(|(org, _)| org).collect::<Vec<_>>(),
            })),
            jobs: vec![crate::search::tender_job(id)],
        };
        if !self.storage.start_rebid(&rebid).await? {
            return Err(refused_status(
                "rebid_not_possible",
                tender.status,
                "案件が更新されたため、再度入札を開始できませんでした。最新の状態を確認してください。",
                "The tender changed meanwhile, so the rebid was not started",
            ));
        }
        self.wake_scheduler();
        self.wake_worker();
        Ok(RebidStarted {
            round,
            submission_opens_at: valid.submission_opens_at(),
            submission_closes_at: valid.submission_closes_at(),
            opening_at: valid.opening_at(),
            bidders,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidders_who_may_rebid() {
        let record = json!({
            "bids": [
                {"bid_id": 1, "bidder_org_id": 10, "bidder_name": "超過", "state": "submitted"},
                {"bid_id": 2, "bidder_org_id": 11, "bidder_name": "失格", "state": "submitted"},
                {"bid_id": 3, "bidder_org_id": 12, "bidder_name": "辞退", "state": "withdrawn"},
                {"bid_id": 4, "bidder_org_id": 13, "bidder_name": "不一致", "state": "submitted",
                 "valid": false, "invalid_reason": "commitment_mismatch"},
                {"bid_id": 5, "bidder_org_id": 10, "bidder_name": "超過", "state": "submitted"}
            ],
            "evaluation": {"result": {"bids": [
                {"bid_id": 1, "status": "excluded", "reason": "above_reserve_price"},
                {"bid_id": 2, "status": "excluded", "reason": "below_minimum_price"},
                {"bid_id": 5, "status": "excluded", "reason": "above_reserve_price"}
            ]}}
        });
        assert_eq!(rebid_bidders_of(&record), [(10, "超過".to_owned())]);
        // Not evaluated (the terms were unusable): every opened bid goes on.
        let mut unevaluated = record.clone();
        unevaluated["evaluation"] = Value::Null;
        let orgs: Vec<OrgId> = rebid_bidders_of(&unevaluated)
            .into_iter()
            .map(|b| b.0)
            .collect();
        assert_eq!(orgs, [10, 11]);
        assert!(rebid_bidders_of(&json!({})).is_empty());
    }
}
