//! Sealed bids (入札): submission with its receipt (受付票), 辞退, the public
//! results of the opening (入札結果) and the award (落札者決定); JSON under
//! `/api/v1/tenders/{id}/bids`, `/api/v1/bids`, `/api/v1/tenders/{id}/results`
//! and `/api/v1/receipt-key`.
//!
//! Pages and API call the same services (`musubi_app::tenders::bids`), which
//! keep the secret: before the opening nobody but the bidder hears anything
//! of a bid, and the bidder only that it was received (the amount can be
//! neither viewed nor changed). The parts:
//!
//! - this module: the routes, the bid section of the tender page
//!   ([`tender_section`]), the opening record as rows of a page, times;
//! - `pages`: the forms, the receipt page, the results page;
//! - `api`: the JSON API.

mod api;
mod pages;

use axum::routing::{get, post};
use chrono::{DateTime, Timelike, Utc};
use http::Method;
use musubi_app::ServiceError;
use musubi_app::tenders::{OwnBid, TenderResults, TenderView};
use musubi_domain::tender::{AwardMethod, ContractMethod, TenderKind, TenderStatus, ValidSchedule};
use musubi_domain::{
    Access, Exclusion, OrgKind, Principal, TaxExclusive, Yen, format_date_ja, format_wareki_date,
    japan_date, to_japan,
};
use serde_json::Value;

use crate::WebState;
use crate::error::AppResult;
use crate::handlers::accounts::FormErrors;
use crate::handlers::tenders::display::{self, Named, pick};
use crate::i18n::Lang;
use crate::routes::{RouteDef, route};

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    use Method as M;
    vec![
        // Pages.
        route(M::POST, "/tenders/{id}/bids", Supplier, post(pages::submit)),
        route(
            M::POST,
            "/tenders/{id}/bids/withdraw",
            Supplier,
            post(pages::withdraw),
        ),
        route(
            M::GET,
            "/bids/{bid}/receipt",
            Supplier,
            get(pages::receipt_page),
        ),
        route(
            M::GET,
            "/tenders/{id}/results",
            Public,
            get(pages::results_page),
        ),
        route(
            M::POST,
            "/tenders/{id}/award",
            ApprovedBuyer,
            post(pages::award),
        ),
        // JSON.
        route(
            M::POST,
            "/api/v1/tenders/{id}/bids",
            Supplier,
            post(api::submit),
        ),
        route(
            M::POST,
            "/api/v1/tenders/{id}/bids/{bid}/withdraw",
            Supplier,
            post(api::withdraw),
        ),
        route(
            M::GET,
            "/api/v1/bids/{bid}/receipt",
            Supplier,
            get(api::receipt),
        ),
        route(
            M::GET,
            "/api/v1/tenders/{id}/results",
            Public,
            get(api::results),
        ),
        route(
            M::POST,
            "/api/v1/tenders/{id}/award",
            ApprovedBuyer,
            post(api::award),
        ),
        route(M::GET, "/api/v1/receipt-key", Public, get(api::receipt_key)),
    ]
}

// --- small helpers ----------------------------------------------------------------

/// A member of a supplier organisation.
fn is_supplier(p: Option<&Principal>) -> bool {
    p.and_then(|p| p.membership)
        .is_some_and(|m| m.kind == OrgKind::Supplier)
}

/// Whether the kind is priced (見積・入札) rather than a proposal.
fn priced(kind: TenderKind) -> bool {
    matches!(kind, TenderKind::Rfq | TenderKind::SealedBid)
}

/// What the submission is called for the kind: 入札書, 見積書, 提案書.
fn noun(lang: Lang, kind: TenderKind) -> &'static str {
    match kind {
        TenderKind::SealedBid => pick(lang, "入札書", "bid"),
        TenderKind::Rfq => pick(lang, "見積書", "quotation"),
        TenderKind::Proposal | TenderKind::Need => pick(lang, "提案書", "proposal"),
    }
}

/// "1,234,567円" / "¥1,234,567".
fn yen(lang: Lang, amount: i64) -> String {
    match lang {
        Lang::Ja => Yen::new(amount).format_ja(),
        Lang::En => Yen::new(amount).to_string(),
    }
}

/// "1,234,567円（税抜）" / "¥1,234,567 (excl. tax)".
fn yen_excl(lang: Lang, amount: i64) -> String {
    display::price(lang, TaxExclusive::new(Yen::new(amount)))
}

/// "1,358,024円（税込）" / "¥1,358,024 (incl. tax)".
fn yen_incl(lang: Lang, amount: i64) -> String {
    match lang {
        Lang::Ja => format!("{}（税込）", Yen::new(amount).format_ja()),
        Lang::En => format!("{} (incl. tax)", Yen::new(amount)),
    }
}

/// A receipt time to the second, in Japan time, and the same in 和暦:
/// ("2026年12月3日 09:00:05", "令和8年12月3日 09:00:05") in Japanese,
/// ("2026-12-03 09:00:05 JST", "令和8年12月3日 09:00:05") in English.
pub fn receipt_times(lang: Lang, t: DateTime<Utc>) -> (String, String) {
    let j = to_japan(t);
    let clock = format!("{:02}:{:02}:{:02}", j.hour(), j.minute(), j.second());
    let date = japan_date(t);
    let western = match lang {
        Lang::Ja => format!("{} {clock}", format_date_ja(date)),
        Lang::En => format!("{} {clock} JST", date.format("%Y-%m-%d")),
    };
    let wareki = format_wareki_date(date)
        .map(|w| format!("{w} {clock}"))
        .unwrap_or_default();
    (western, wareki)
}

/// An instant written in a record (RFC 3339), for a page.
fn record_time(lang: Lang, v: &Value) -> String {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| receipt_times(lang, t.with_timezone(&Utc)).0)
        .unwrap_or_default()
}

/// The winning bid of an opening record, with its bidder's name.
fn record_winner(record: &Value) -> Option<(i64, String)> {
    let w = record.get("winner")?;
    let id = w.get("bid_id")?.as_i64()?;
    let name = w
        .get("bidder_name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Some((id, name))
}

/// The results, or `None` before the opening (the service's
/// `results_not_available`); other errors as they are.
async fn results_if_any(
    state: &WebState,
    p: Option<&Principal>,
    id: i64,
) -> AppResult<Option<TenderResults>> {
    match state.services.tender_results(p, id).await {
        Ok(r) => Ok(Some(r)),
        Err(ServiceError::Refused {
            code: "results_not_available",
            ..
        }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

// --- the bid section of the tender page ------------------------------------------------

/// The organisation's submitted bid of the current round, as the bidder may
/// see it: that it was received, when, and the receipt — never the amount.
#[derive(Debug, Clone)]
pub struct OwnBidRow {
    pub bid_id: i64,
    pub round: u32,
    pub received: String,
    pub receipt_href: String,
}

impl OwnBidRow {
    fn new(lang: Lang, b: &OwnBid) -> OwnBidRow {
        OwnBidRow {
            bid_id: b.bid_id,
            round: b.round,
            received: receipt_times(lang, b.received_at).0,
            receipt_href: format!("/bids/{}/receipt", b.bid_id),
        }
    }
}

/// What was typed into the bid forms, and what was wrong with it.
#[derive(Debug, Clone, Default)]
pub struct BidFormValues {
    pub amount: String,
    pub lottery_number: String,
    pub proposal: String,
    pub reason: String,
    /// Field messages, and a message for the whole form.
    pub errors: FormErrors,
    /// Which form failed: `bid` or `withdraw` (a failed award is shown on
    /// the results page).
    pub failed: &'static str,
}

/// The bid section of a tender page (and of the forms shown again).
#[derive(Debug, Clone, Default)]
pub struct BidSection {
    /// Anything to show at all.
    pub visible: bool,
    pub tender_id: i64,
    /// 入札書, 見積書 or 提案書.
    pub noun: &'static str,
    /// Amount and くじ番号 (rfq, sealed_bid) rather than a proposal text.
    pub priced: bool,
    pub is_supplier: bool,
    /// The submission form is shown.
    pub can_submit: bool,
    /// Why a supplier cannot submit now.
    pub note: Option<String>,
    /// 提出締切日時, 開札日時.
    pub deadline: String,
    pub opening: String,
    pub own: Option<OwnBidRow>,
    /// When the organisation last withdrew in this round (it may submit again).
    pub withdrawn: Option<String>,
    pub can_withdraw: bool,
    /// Sign in to bid (shown to the signed-out while bids are taken).
    pub login_note: bool,
    pub login_href: String,
    pub results_href: Option<String>,
    pub can_award: bool,
    /// The winner the opening determined (落札候補者), for the buyer.
    pub winner: Option<String>,
    /// A message after a redirect (辞退 done, award decided).
    pub notice: Option<&'static str>,
    pub form: BidFormValues,
}

impl BidSection {
    /// The message of the form `name` as a whole, if that form failed.
    pub fn general(&self, name: &str) -> Option<&str> {
        (self.form.failed == name)
            .then_some(self.form.errors.general.as_deref())
            .flatten()
    }

    /// The message beside `field`.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.form.errors.get(field)
    }
}

/// The message for `?bid=` after a redirect.
pub fn notice(lang: Lang, query: Option<&str>) -> Option<&'static str> {
    let code = crate::extract::form_pairs(query.unwrap_or_default())
        .into_iter()
        .find(|(k, _)| k == "bid")
        .map(|(_, v)| v)?;
    match code.as_str() {
        "withdrawn" => Some(pick(
            lang,
            "辞退を受け付けました。提出締切日時までであれば、改めて提出できます。",
            "Your withdrawal was received. You may submit again until the deadline.",
        )),
        "awarded" => Some(pick(
            lang,
            "落札者を決定しました。",
            "The award has been decided.",
        )),
        _ => None,
    }
}

/// The bid section of the tender page for this viewer. `nominated`: the
/// supplier's application or nomination was accepted (指名).
pub async fn tender_section(
    state: &WebState,
    lang: Lang,
    p: Option<&Principal>,
    view: &TenderView,
    nominated: bool,
    now: DateTime<Utc>,
) -> AppResult<BidSection> {
    let s = &state.services;
    let t = &view.tender;
    let c = &t.content;
    let id = t.id;
    let mut section = BidSection {
        tender_id: id,
        noun: noun(lang, c.kind),
        priced: priced(c.kind),
        deadline: display::time(lang, c.schedule.submission_closes_at),
        opening: display::time(lang, c.schedule.opening_at),
        login_href: format!(
            "/login?next={}",
            crate::routes::percent_encode(&format!("/tenders/{id}"))
        ),
        ..BidSection::default()
    };
    if !t.status.is_public() {
        return Ok(section);
    }
    // Openings exist from the opening on (a tender cancelled afterwards
    // keeps them): no need to ask before.
    let results = if display::opened(t.status) || t.status == TenderStatus::Cancelled {
        results_if_any(state, p, id).await?
    } else {
        None
    };
    let rounds_opened = results.as_ref().map_or(0, |r| r.openings.len());
    if let Some(r) = &results {
        section.visible = true;
        section.results_href = Some(format!("/tenders/{id}/results"));
        let winner = r.openings.last().and_then(record_winner);
        section.can_award = view.is_buyer
            && r.award.is_none()
            && winner.is_some()
            && matches!(t.status, TenderStatus::Opened | TenderStatus::Evaluating);
        if view.is_buyer {
            section.winner = winner.map(|w| w.1);
        }
    }

    let schedule = ValidSchedule::restore(c.schedule, c.method).ok();
    // As the service judges it: the window by its instants, the status
    // possibly a step behind the clock.
    let window = schedule
        .as_ref()
        .map(|v| (v.submission_opens_at(), v.submission_closes_at()));
    let window_open = window.is_some_and(|(a, b)| a <= now && now < b);
    let taking = window_open
        && matches!(
            t.status,
            TenderStatus::Tendering | TenderStatus::Published | TenderStatus::ApplicationsClosed
        );

    if !is_supplier(p) {
        if p.is_none() && taking {
            section.visible = true;
            section.login_note = true;
        }
        return Ok(section);
    }
    let Some(pr) = p else { return Ok(section) };
    section.is_supplier = true;
    section.visible = true;
    // Bids go to the round after the last opened; once bids are no longer
    // taken, the bid shown is that of the last round.
    let round = if taking {
        rounds_opened as u32 + 1
    } else {
        (rounds_opened as u32).max(1)
    };
    let own = s.own_bids(pr, id).await?;
    let current: Vec<&OwnBid> = own.iter().filter(|b| b.round == round).collect();
    section.own = current
        .iter()
        .find(|b| b.state == "submitted")
        .map(|b| OwnBidRow::new(lang, b));
    section.withdrawn = current
        .iter()
        .filter_map(|b| b.withdrawn_at)
        .max()
        .map(|w| display::time(lang, w));
    let needs_nomination = matches!(
        c.method,
        ContractMethod::Selective | ContractMethod::SelectiveByApplication
    );
    section.can_withdraw = section.own.is_some() && taking;
    section.can_submit = section.own.is_none() && taking && (!needs_nomination || nominated);
    if section.own.is_none() && !section.can_submit && results.is_none() && !t.status.is_final() {
        section.note = match window {
            _ if taking && needs_nomination => Some(
                pick(
                    lang,
                    "この案件は、指名を受けた事業者のみ提出できます。",
                    "Only nominated suppliers may submit to this tender.",
                )
                .to_owned(),
            ),
            Some((opens, _)) if now < opens => Some(match lang {
                Lang::Ja => format!(
                    "提出は受付開始日時（{}）から行えます。",
                    display::time(lang, opens)
                ),
                Lang::En => format!("Submissions open on {}.", display::time(lang, opens)),
            }),
            Some((_, closes)) if now >= closes => Some(
                pick(
                    lang,
                    "提出締切日時を過ぎたため、提出できません。",
                    "The submission deadline has passed.",
                )
                .to_owned(),
            ),
            _ => Some(
                pick(
                    lang,
                    "現在、この案件は提出を受け付けていません。",
                    "This tender is not taking submissions now.",
                )
                .to_owned(),
            ),
        };
    }
    Ok(section)
}

// --- the opening record, as a page shows it ---------------------------------------------

/// One bid of an opened round.
#[derive(Debug, Clone)]
pub struct BidRow {
    pub bid_id: i64,
    pub bidder: String,
    pub amount: String,
    pub lottery_number: String,
    pub received: String,
    /// The instant exactly as on the receipt.
    pub received_exact: String,
    /// 有効, 無効, 失格, 辞退.
    pub validity: String,
    pub valid: bool,
    pub reason: Option<String>,
    pub rank: Option<String>,
    pub score: Option<String>,
    pub technical_points: Option<String>,
    pub salt: Option<String>,
    pub commitment: String,
    /// Whether the opened content gave the commitment: 一致, 不一致, or
    /// "—" (withdrawn, not opened).
    pub check: &'static str,
    pub mismatch: bool,
    pub proposal: Option<String>,
    pub proposal_sha256: Option<String>,
    pub winner: bool,
}

/// One line of a 電子くじ.
#[derive(Debug, Clone)]
pub struct LotteryRow {
    pub index: u64,
    pub bidder: String,
    pub entered: String,
    pub received: String,
    pub receipt_seconds: i64,
    pub receipt_digits: u64,
    pub decided: String,
    pub winner: bool,
}

#[derive(Debug, Clone)]
pub struct LotteryView {
    pub rows: Vec<LotteryRow>,
    pub sum: u64,
    pub count: u64,
    pub winner_index: u64,
    /// "(Σ 決定くじ番号) mod 件数 = …", written out.
    pub formula: String,
}

/// One opened round.
#[derive(Debug, Clone)]
pub struct RoundView {
    pub round: u64,
    pub opened: String,
    pub award_method: String,
    pub reserve_price: String,
    pub minimum_price: String,
    /// 価格点 / 基礎点, when the method has them.
    pub points: Vec<(&'static str, String)>,
    pub bids: Vec<BidRow>,
    pub lottery: Option<LotteryView>,
    /// 落札候補者 (or 不調), in words.
    pub outcome: String,
    pub winner_amount: Option<String>,
    pub winner_amount_incl: Option<String>,
    pub evaluation_error: Option<String>,
    pub public_key: Option<String>,
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn validity_of(
    lang: Lang,
    bid: &Value,
    evaluated: Option<&Value>,
) -> (String, bool, Option<String>) {
    if bid.get("state").and_then(Value::as_str) == Some("withdrawn") {
        return (
            pick(lang, "辞退", "Withdrawn").to_owned(),
            false,
            str_of(bid, "withdraw_reason"),
        );
    }
    match bid.get("invalid_reason").and_then(Value::as_str) {
        Some("commitment_mismatch") => {
            return (
                pick(lang, "無効", "Invalid").to_owned(),
                false,
                Some(
                    pick(
                        lang,
                        "開封した内容がコミットメント（受付票）と一致しないため、無効です。",
                        "The opened content does not match its commitment (receipt), so the bid is invalid.",
                    )
                    .to_owned(),
                ),
            );
        }
        Some(_) => {
            return (
                pick(lang, "無効", "Invalid").to_owned(),
                false,
                Some(
                    pick(
                        lang,
                        "封緘された内容を開封できなかったため、無効です。",
                        "The sealed content could not be opened, so the bid is invalid.",
                    )
                    .to_owned(),
                ),
            );
        }
        None => {}
    }
    match evaluated {
        Some(e) if e.get("status").and_then(Value::as_str) == Some("excluded") => {
            let reason = e
                .get("reason")
                .and_then(Value::as_str)
                .and_then(|r| Exclusion::parse(r).ok());
            let label = match reason {
                Some(Exclusion::BelowMinimumPrice) => pick(lang, "失格", "Disqualified"),
                _ => pick(lang, "無効", "Invalid"),
            };
            (
                label.to_owned(),
                false,
                reason.map(|r| pick(lang, r.message_ja(), r.message_en()).to_owned()),
            )
        }
        Some(_) => (pick(lang, "有効", "Valid").to_owned(), true, None),
        None => (pick(lang, "有効", "Valid").to_owned(), true, None),
    }
}

/// The rows of one opening record (see `open_round` in the services for
/// its shape).
pub fn round_view(lang: Lang, record: &Value) -> RoundView {
    let result = &record["evaluation"]["result"];
    let evaluated: Vec<&Value> = result["bids"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let outcome = &result["outcome"];
    let winner = record_winner(record);
    let name_of = |bid_id: i64| -> String {
        record["bids"]
            .as_array()
            .and_then(|bs| {
                bs.iter()
                    .find(|b| b["bid_id"].as_i64() == Some(bid_id))
                    .and_then(|b| str_of(b, "bidder_name"))
            })
            .unwrap_or_else(|| format!("#{bid_id}"))
    };
    let none = || pick(lang, "設定なし", "None").to_owned();
    let mut bids = Vec::new();
    for b in record["bids"].as_array().into_iter().flatten() {
        let bid_id = b["bid_id"].as_i64().unwrap_or_default();
        let e = evaluated
            .iter()
            .copied()
            .find(|e| e["bid_id"].as_i64() == Some(bid_id));
        let (validity, valid, reason) = validity_of(lang, b, e);
        bids.push(BidRow {
            bid_id,
            bidder: str_of(b, "bidder_name").unwrap_or_default(),
            amount: b["amount"]
                .as_i64()
                .map(|a| yen(lang, a))
                .unwrap_or_else(|| "—".into()),
            lottery_number: str_of(b, "lottery_number").unwrap_or_else(|| "—".into()),
            received: record_time(lang, &b["received_at"]),
            received_exact: str_of(b, "received_at").unwrap_or_default(),
            validity,
            valid,
            reason,
            rank: e.and_then(|e| e["rank"].as_u64()).map(|r| r.to_string()),
            score: e.and_then(|e| str_of(e, "score_display")),
            technical_points: str_of(b, "technical_points"),
            salt: str_of(b, "salt"),
            commitment: str_of(b, "commitment").unwrap_or_default(),
            check: match b["commitment_verified"].as_bool() {
                Some(true) => pick(lang, "一致（検証済み）", "Matches"),
                Some(false) => pick(lang, "不一致", "Does not match"),
                None => "—",
            },
            mismatch: b["commitment_verified"].as_bool() == Some(false),
            proposal: str_of(b, "proposal"),
            proposal_sha256: str_of(b, "proposal_sha256"),
            winner: winner.as_ref().is_some_and(|w| w.0 == bid_id),
        });
    }
    let lottery = outcome
        .get("by_lottery")
        .filter(|d| d.is_object())
        .map(|d| {
            let winner_index = d["winner_index"].as_u64().unwrap_or_default();
            let rows: Vec<LotteryRow> = d["entries"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| {
                    let index = e["index"].as_u64().unwrap_or_default();
                    LotteryRow {
                        index,
                        bidder: name_of(e["bid_id"].as_i64().unwrap_or_default()),
                        entered: str_of(e, "entered").unwrap_or_default(),
                        received: record_time(lang, &e["received_at"]),
                        receipt_seconds: e["receipt_seconds"].as_i64().unwrap_or_default(),
                        receipt_digits: e["receipt_digits"].as_u64().unwrap_or_default(),
                        decided: str_of(e, "decided").unwrap_or_default(),
                        winner: index == winner_index,
                    }
                })
                .collect();
            let sum = d["sum"].as_u64().unwrap_or_default();
            let count = d["count"].as_u64().unwrap_or_default();
            let terms: Vec<String> = rows.iter().map(|r| r.decided.clone()).collect();
            LotteryView {
                formula: format!(
                    "({}) = {sum}; {sum} mod {count} = {winner_index}",
                    terms.join(" + ")
                ),
                rows,
                sum,
                count,
                winner_index,
            }
        });
    let award_method = str_of(record, "award_method")
        .and_then(|m| AwardMethod::parse(&m).ok())
        .map(|m| m.name_in(lang).to_owned())
        .unwrap_or_default();
    let mut points = Vec::new();
    if let Some(p) = record["price_points"].as_u64() {
        points.push((pick(lang, "価格点", "Price points"), p.to_string()));
    }
    if let Some(p) = record["base_points"].as_u64() {
        points.push((pick(lang, "基礎点", "Base points"), p.to_string()));
    }
    let evaluation_error = str_of(record, "evaluation_error").map(|code| match lang {
        Lang::Ja => format!("評価の条件に誤りがあるため、評価できませんでした（{code}）。"),
        Lang::En => format!("The bids could not be evaluated: the terms are not valid ({code})."),
    });
    let outcome_text = match &winner {
        Some((id, name)) => {
            let how = if lottery.is_some() {
                pick(lang, "（電子くじにより決定）", " (decided by lottery)")
            } else {
                ""
            };
            match lang {
                Lang::Ja => format!("落札候補者：{name}（入札番号 {id}）{how}"),
                Lang::En => format!("Winning bid: {name} (bid {id}){how}"),
            }
        }
        None => pick(
            lang,
            "有効な入札がないため、不調となりました。",
            "No valid bid: the tender was unsuccessful.",
        )
        .to_owned(),
    };
    RoundView {
        round: record["round"].as_u64().unwrap_or(1),
        opened: record_time(lang, &record["opened_at"]),
        award_method,
        reserve_price: record["reserve_price"]
            .as_i64()
            .map(|a| yen_excl(lang, a))
            .unwrap_or_else(none),
        minimum_price: record["minimum_price"]
            .as_i64()
            .map(|a| yen_excl(lang, a))
            .unwrap_or_else(none),
        points,
        bids,
        lottery,
        outcome: outcome_text,
        winner_amount: record["winner"]["amount"]
            .as_i64()
            .map(|a| yen_excl(lang, a)),
        winner_amount_incl: record["winner"]["amount_tax_inclusive"]
            .as_i64()
            .map(|a| yen_incl(lang, a)),
        evaluation_error,
        public_key: str_of(record, "receipt_public_key"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    #[test]
    fn receipt_times_in_japan_time_and_wareki() {
        let t = Utc.with_ymd_and_hms(2026, 12, 3, 0, 0, 5).unwrap();
        assert_eq!(
            receipt_times(Lang::Ja, t),
            (
                "2026年12月3日 09:00:05".to_owned(),
                "令和8年12月3日 09:00:05".to_owned()
            )
        );
        assert_eq!(receipt_times(Lang::En, t).0, "2026-12-03 09:00:05 JST");
    }

    #[test]
    fn notices_only_for_known_codes() {
        assert!(notice(Lang::Ja, Some("bid=withdrawn")).is_some());
        assert!(notice(Lang::En, Some("lang=en&bid=awarded")).is_some());
        assert!(notice(Lang::Ja, Some("bid=<script>")).is_none());
        assert!(notice(Lang::Ja, None).is_none());
    }

    #[test]
    fn a_record_becomes_rows() {
        let record = json!({
            "version": 1, "tender_id": 7, "round": 1,
            "opened_at": "2026-12-13T01:00:00.000000Z",
            "kind": "sealed_bid", "award_method": "lowest_price",
            "reserve_price": 1200000, "minimum_price": 1000000,
            "price_points": null, "base_points": null,
            "bids": [
                {"bid_id": 1, "bidder_org_id": 3, "bidder_name": "株式会社東洋印刷",
                 "received_at": "2026-12-05T00:00:07.000000Z", "state": "submitted",
                 "commitment": "ab", "amount": 1098765, "lottery_number": "042",
                 "salt": "cd", "commitment_verified": true},
                {"bid_id": 2, "bidder_org_id": 4, "bidder_name": "浪速商事株式会社",
                 "received_at": "2026-12-06T00:00:00.000000Z", "state": "submitted",
                 "commitment": "ef", "amount": 900000, "lottery_number": "001",
                 "salt": "01", "commitment_verified": true},
                {"bid_id": 3, "bidder_org_id": 5, "bidder_name": "辞退商会",
                 "received_at": "2026-12-06T00:00:00.000000Z", "state": "withdrawn",
                 "commitment": "99", "withdraw_reason": "都合により"}
            ],
            "evaluation": {"input": {}, "result": {
                "method": "lowest_price",
                "bids": [
                    {"bid_id": 1, "price": 1098765, "status": "valid", "rank": 1, "score": null, "score_display": null},
                    {"bid_id": 2, "price": 900000, "status": "excluded", "reason": "below_minimum_price"}
                ],
                "outcome": {"outcome": "winner", "bid_id": 1, "price": 1098765, "by_lottery": null}
            }},
            "evaluation_error": null,
            "winner": {"bid_id": 1, "bidder_org_id": 3, "bidder_name": "株式会社東洋印刷",
                       "amount": 1098765, "amount_tax_inclusive": 1208641},
            "receipt_public_key": "AAAA"
        });
        let v = round_view(Lang::Ja, &record);
        assert_eq!(v.bids.len(), 3);
        assert_eq!(v.bids[0].amount, "1,098,765円");
        assert!(v.bids[0].valid && v.bids[0].winner);
        assert_eq!(v.bids[0].rank.as_deref(), Some("1"));
        assert_eq!(v.bids[1].validity, "失格");
        assert!(
            v.bids[1]
                .reason
                .as_deref()
                .unwrap()
                .contains("最低制限価格")
        );
        assert_eq!(v.bids[2].validity, "辞退");
        assert_eq!(v.reserve_price, "1,200,000円（税抜）");
        assert_eq!(v.winner_amount_incl.as_deref(), Some("1,208,641円（税込）"));
        assert!(v.lottery.is_none());
        assert!(v.outcome.contains("株式会社東洋印刷"));

        let mut tied = record.clone();
        tied["evaluation"]["result"]["outcome"]["by_lottery"] = json!({
            "entries": [
                {"index": 0, "bid_id": 1, "entered": "042", "received_at": "2026-12-05T00:00:07Z",
                 "receipt_seconds": 1796428807, "receipt_digits": 807, "decided": "849"},
                {"index": 1, "bid_id": 2, "entered": "001", "received_at": "2026-12-06T00:00:00Z",
                 "receipt_seconds": 1796515200, "receipt_digits": 200, "decided": "201"}
            ],
            "sum": 1050, "count": 2, "winner_index": 0, "winner_bid_id": 1
        });
        let l = round_view(Lang::En, &tied).lottery.unwrap();
        assert_eq!(l.formula, "(849 + 201) = 1050; 1050 mod 2 = 0");
        assert_eq!(l.rows[1].bidder, "浪速商事株式会社");
        assert!(l.rows[0].winner && !l.rows[1].winner);
    }
}
