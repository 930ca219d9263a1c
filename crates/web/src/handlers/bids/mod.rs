//! Sealed bids (入札): submission with its attachments (内訳書, 提案書類) and
//! receipt (受付票), 辞退, the buyer's technical scores (技術評価点) and their
//! lock, the public results of each opened round (入札結果) with the
//! attachments, the award (落札者決定) and the 再度入札 after 不調; JSON under
//! `/api/v1/tenders/{id}/bids`, `/api/v1/bids`, `/api/v1/tenders/{id}/results`,
//! `/api/v1/tenders/{id}/scoring`, `/api/v1/tenders/{id}/rebid` and
//! `/api/v1/receipt-key`.
//!
//! Pages and API call the same services (`musubi_app::tenders::bids`), which
//! keep the secret: before the opening nobody but the bidder hears anything
//! of a bid, and the bidder only that it was received (the amount can be
//! neither viewed nor changed). The parts:
//!
//! - this module: the routes, the bid section of the tender page
//!   ([`tender_section`]), the opening record as rows of a page, times;
//! - `pages`: the forms, the receipt page, the results page, 再度入札;
//! - `scoring`: the buyer's scoring page and its API;
//! - `upload`: reading a submission (form, multipart, JSON) and serving an
//!   attachment;
//! - `api`: the rest of the JSON API.

mod api;
mod pages;
mod scoring;
mod upload;

use axum::routing::{get, post, put};
use chrono::{DateTime, Timelike, Utc};
use http::Method;
use musubi_app::ServiceError;
use musubi_app::tenders::bids::{
    MAX_BID_FILES_PRICED, MAX_BID_FILES_PROPOSAL, MAX_BID_FILES_TOTAL_BYTES, rebid_bidders_of,
};
use musubi_app::tenders::{OwnBid, TenderResults, TenderView};
use musubi_domain::bidding::ScoringPhase;
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

/// The body limit of a submission: its files together, and room for the
/// multipart framing and the other fields.
pub const BID_BODY_LIMIT: usize = MAX_BID_FILES_TOTAL_BYTES + 1024 * 1024;

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    use Method as M;
    vec![
        // Pages.
        route(M::POST, "/tenders/{id}/bids", Supplier, post(pages::submit))
            .with_body_limit(BID_BODY_LIMIT),
        route(
            M::POST,
            "/tenders/{id}/bids/withdraw",
            Supplier,
            post(pages::withdraw),
        ),
        route(
            M::GET,
            "/tenders/{id}/bids/{bid}/attachments/{index}",
            Public,
            get(upload::download),
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
        route(
            M::GET,
            "/tenders/{id}/scoring",
            ApprovedBuyer,
            get(scoring::page),
        ),
        route(
            M::POST,
            "/tenders/{id}/scoring",
            ApprovedBuyer,
            post(scoring::save),
        ),
        route(
            M::POST,
            "/tenders/{id}/scoring/lock",
            ApprovedBuyer,
            post(scoring::lock),
        ),
        route(
            M::POST,
            "/tenders/{id}/rebid",
            ApprovedBuyer,
            post(pages::rebid),
        ),
        // JSON.
        route(
            M::POST,
            "/api/v1/tenders/{id}/bids",
            Supplier,
            post(api::submit),
        )
        .with_body_limit(BID_BODY_LIMIT),
        route(
            M::GET,
            "/api/v1/tenders/{id}/bids/{bid}/attachments/{index}",
            Public,
            get(upload::download),
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
        route(
            M::GET,
            "/api/v1/tenders/{id}/scoring",
            ApprovedBuyer,
            get(scoring::api_get),
        ),
        route(
            M::PUT,
            "/api/v1/tenders/{id}/scoring",
            ApprovedBuyer,
            put(scoring::api_save),
        ),
        route(
            M::POST,
            "/api/v1/tenders/{id}/scoring/lock",
            ApprovedBuyer,
            post(scoring::api_lock),
        ),
        route(
            M::POST,
            "/api/v1/tenders/{id}/rebid",
            ApprovedBuyer,
            post(api::rebid),
        ),
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
    /// Files were chosen (they cannot be shown again: choose them again).
    pub had_files: bool,
    /// Field messages, and a message for the whole form.
    pub errors: FormErrors,
    /// The messages about the files, one per file.
    pub file_errors: Vec<String>,
    /// Which form failed: `bid` or `withdraw` (a failed award is shown on
    /// the results page).
    pub failed: &'static str,
}

/// A link for the buyer with where things stand (scoring, 再度入札).
#[derive(Debug, Clone)]
pub struct BuyerLink {
    pub href: String,
    pub label: &'static str,
    pub note: String,
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
    /// The round bids go to (2… for a 再度入札).
    pub round: u32,
    /// How many files the form takes (the 内訳書, or a proposal's documents).
    pub max_files: usize,
    pub max_files_mb: usize,
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
    /// The buyer's technical scores: where to enter them and their state.
    pub scoring: Option<BuyerLink>,
    /// The buyer's 再度入札 after 不調.
    pub rebid: Option<BuyerLink>,
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
        "scored" => Some(pick(
            lang,
            "評価点を確定しました。順位をご確認のうえ、落札者（受託候補者）を決定してください。",
            "The scores are locked. Check the ranking, then decide the award.",
        )),
        "unsuccessful" => Some(pick(
            lang,
            "評価点を確定しました。有効な提案がないため、不調となりました。",
            "The scores are locked. No proposal is valid: the tender is unsuccessful.",
        )),
        "rebid" => Some(pick(
            lang,
            "再度入札を開始しました。参加できる事業者に通知しました。",
            "The rebid has started; the bidders who may take part were notified.",
        )),
        _ => None,
    }
}

/// The buyer's links of the bid section: the scoring page while scores are
/// due, the 再度入札 after 不調.
async fn buyer_links(
    state: &WebState,
    lang: Lang,
    p: &Principal,
    view: &TenderView,
    results: Option<&TenderResults>,
    section: &mut BidSection,
) -> AppResult<()> {
    let t = &view.tender;
    let id = t.id;
    let last = results.and_then(|r| r.openings.last());
    let pending = last.is_some_and(|r| r["evaluation_pending"] == true);
    match ScoringPhase::of(t.content.award_method) {
        Some(ScoringPhase::BeforeOpening) if last.is_none() && !t.status.is_final() => {
            // A member of a buyer still waiting for approval sees the tender
            // but may not score: no link then.
            let Ok(scoring) = state.services.tender_scoring(p, id).await else {
                return Ok(());
            };
            let note = match (scoring.locked_at, lang) {
                (Some(at), Lang::Ja) => format!("確定済み（{}）", display::time(lang, at)),
                (Some(at), Lang::En) => format!("Locked ({})", display::time(lang, at)),
                (None, Lang::Ja) => format!(
                    "未確定です。開札日時（{}）までに技術評価点を入力し、確定してください。確定されていない場合、開札時に評価を行えず不調となります。",
                    section.opening
                ),
                (None, Lang::En) => format!(
                    "Not locked. Enter and lock the technical scores before the opening ({}); without them the bids cannot be evaluated and the round ends unsuccessful.",
                    section.opening
                ),
            };
            section.scoring = Some(BuyerLink {
                href: format!("/tenders/{id}/scoring"),
                label: pick(lang, "技術評価点の入力・確定", "Technical scores"),
                note,
            });
        }
        Some(ScoringPhase::AfterOpening) if pending && t.status == TenderStatus::Evaluating => {
            section.scoring = Some(BuyerLink {
                href: format!("/tenders/{id}/scoring"),
                label: pick(
                    lang,
                    "提案の評価（評価点の入力・確定）",
                    "Score the proposals",
                ),
                note: pick(
                    lang,
                    "開封した提案を評価し、評価点を確定すると順位が決まります。",
                    "Score the opened proposals and lock the scores to rank them.",
                )
                .to_owned(),
            });
        }
        _ => {}
    }
    if t.status == TenderStatus::Unsuccessful
        && t.content.award_method != AwardMethod::ProposalEvaluation
    {
        section.rebid = Some(BuyerLink {
            href: format!("/tenders/{id}/results#rebid"),
            label: pick(lang, "再度入札を実施する", "Hold a rebid"),
            note: pick(
                lang,
                "有効な入札がなかったため不調となりました。入札結果のページから再度入札を実施できます。",
                "No bid was valid. A rebid can be started from the results page.",
            )
            .to_owned(),
        });
    }
    section.visible |= section.scoring.is_some() || section.rebid.is_some();
    Ok(())
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
    let priced = priced(c.kind);
    let mut section = BidSection {
        tender_id: id,
        noun: noun(lang, c.kind),
        priced,
        round: 1,
        max_files: if priced {
            MAX_BID_FILES_PRICED
        } else {
            MAX_BID_FILES_PROPOSAL
        },
        max_files_mb: MAX_BID_FILES_TOTAL_BYTES / 1_048_576,
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
    // keeps them; a 再度入札 takes bids again after one, and is a new
    // version): no need to ask before.
    let maybe_opened = display::opened(t.status)
        || t.status == TenderStatus::Cancelled
        || (matches!(t.status, TenderStatus::Tendering | TenderStatus::Closed) && t.is_amended());
    let results = if maybe_opened {
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
    if view.is_buyer
        && let Some(pr) = p
    {
        buyer_links(state, lang, pr, view, results.as_ref(), &mut section).await?;
    }

    let schedule = ValidSchedule::restore(c.schedule, c.method).ok();
    // As the service judges it: the window by its instants, the status
    // possibly a step behind the clock.
    let window = schedule
        .as_ref()
        .map(|v| (v.submission_opens_at(), v.submission_closes_at()));
    let taking = schedule
        .as_ref()
        .is_some_and(|v| v.accepts_bids_at(t.status, now));

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
    // Bids go to the round after the last opened, until it is opened; then
    // the bid shown is that of the last opened round.
    let round_open = taking
        || matches!(
            t.status,
            TenderStatus::Published
                | TenderStatus::AcceptingApplications
                | TenderStatus::ApplicationsClosed
                | TenderStatus::Tendering
                | TenderStatus::Closed
        );
    let round = if round_open {
        rounds_opened as u32 + 1
    } else {
        (rounds_opened as u32).max(1)
    };
    section.round = round;
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
    // A 再度入札 is for the bidders the last round allows.
    let rebid_excluded = taking
        && rounds_opened > 0
        && !s
            .rebid_bidders(id)
            .await?
            .contains(&pr.org_id().unwrap_or_default());
    section.can_withdraw = section.own.is_some() && taking;
    section.can_submit =
        section.own.is_none() && taking && (!needs_nomination || nominated) && !rebid_excluded;
    let round_note = |section: &BidSection| section.own.is_none() && !section.can_submit;
    if round_note(&section) && taking && rebid_excluded {
        section.note = Some(
            pick(
                lang,
                "この再度入札には、前回の入札に参加し、辞退・無効・失格とならなかった事業者のみ参加できます。",
                "Only the bidders of the previous round whose bid was not withdrawn, invalid or disqualified may take part in this rebid.",
            )
            .to_owned(),
        );
    } else if round_note(&section) && results.is_none() && !t.status.is_final() {
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

/// Who may download a round's attachments: anyone for a priced kind (the
/// 内訳書 is published with the amounts), else the buyer and each bidder
/// its own (see `musubi_app::tenders::bids` files).
#[derive(Debug, Clone, Copy)]
pub struct FileAccess {
    pub tender_id: i64,
    pub public: bool,
    pub buyer: bool,
    pub viewer_org: Option<i64>,
}

impl FileAccess {
    fn href(&self, bidder: Option<i64>, bid: i64, index: u64) -> Option<String> {
        let own = self.viewer_org.is_some() && bidder == self.viewer_org;
        (self.public || self.buyer || own)
            .then(|| format!("/tenders/{}/bids/{bid}/attachments/{index}", self.tender_id))
    }
}

/// An attachment of an opened bid.
#[derive(Debug, Clone)]
pub struct AttachmentRow {
    pub name: String,
    pub size: String,
    pub sha256: String,
    /// Download, for those who may.
    pub href: Option<String>,
}

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
    pub attachments: Vec<AttachmentRow>,
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
    /// 提出締切日時 of the round (records since 再度入札 have it).
    pub closes: Option<String>,
    pub award_method: String,
    pub reserve_price: String,
    pub minimum_price: String,
    /// 価格点 / 基礎点, when the method has them.
    pub points: Vec<(&'static str, String)>,
    pub bids: Vec<BidRow>,
    /// Some bid has attachments.
    pub has_attachments: bool,
    pub lottery: Option<LotteryView>,
    /// 落札候補者 (or 不調, or 審査中), in words.
    pub outcome: String,
    /// Proposals opened and waiting for their scores.
    pub pending: bool,
    /// 不調: those who may bid in a 再度入札.
    pub rebid_bidders: Vec<String>,
    pub unsuccessful: bool,
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
        None => (pick(lang, "開封済み", "Opened").to_owned(), true, None),
    }
}

/// The rows of one opening record (see `open_round` in the services for
/// its shape).
pub fn round_view(lang: Lang, record: &Value, files: &FileAccess) -> RoundView {
    let result = &record["evaluation"]["result"];
    let evaluated: Vec<&Value> = result["bids"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let outcome = &result["outcome"];
    let winner = record_winner(record);
    let pending = record["evaluation_pending"] == true;
    let proposals = !matches!(
        record["kind"].as_str(),
        Some("rfq") | Some("sealed_bid") | None
    );
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
        let bidder = b["bidder_org_id"].as_i64();
        let attachments = b["attachments"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| AttachmentRow {
                name: str_of(a, "name").unwrap_or_default(),
                size: display::size(lang, a["size"].as_i64().unwrap_or_default()),
                sha256: str_of(a, "sha256").unwrap_or_default(),
                href: a["index"]
                    .as_u64()
                    .and_then(|i| files.href(bidder, bid_id, i)),
            })
            .collect();
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
            attachments,
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
    let evaluation_error = str_of(record, "evaluation_error").map(|code| {
        let message = &record["evaluation_error_message"][lang.code()];
        match (message.as_str(), lang) {
            (Some(m), Lang::Ja) => format!("{m}（{code}）"),
            (Some(m), Lang::En) => format!("{m} ({code})"),
            (None, Lang::Ja) => {
                format!("評価の条件に誤りがあるため、評価できませんでした（{code}）。")
            }
            (None, Lang::En) => {
                format!("The bids could not be evaluated: the terms are not valid ({code}).")
            }
        }
    });
    let unsuccessful = winner.is_none() && !pending;
    let outcome_text = match &winner {
        Some((id, name)) => {
            let how = if lottery.is_some() {
                pick(lang, "（電子くじにより決定）", " (decided by lottery)")
            } else {
                ""
            };
            match (lang, proposals) {
                (Lang::Ja, false) => format!("落札候補者：{name}（入札番号 {id}）{how}"),
                (Lang::Ja, true) => {
                    format!("受託候補者（最優秀提案者）：{name}（提出番号 {id}）{how}")
                }
                (Lang::En, _) => format!("Winning bid: {name} (bid {id}){how}"),
            }
        }
        None if pending => pick(
            lang,
            "審査中：開封した提案の評価点が確定されると、順位と受託候補者が決まります。",
            "Under evaluation: the ranking follows once the proposals' scores are locked.",
        )
        .to_owned(),
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
        closes: record
            .get("submission_closes_at")
            .filter(|v| v.is_string())
            .map(|v| record_time(lang, v)),
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
        has_attachments: bids.iter().any(|b| !b.attachments.is_empty()),
        bids,
        lottery,
        outcome: outcome_text,
        pending,
        rebid_bidders: if unsuccessful {
            rebid_bidders_of(record).into_iter().map(|b| b.1).collect()
        } else {
            Vec::new()
        },
        unsuccessful,
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
        let files = FileAccess {
            tender_id: 7,
            public: true,
            buyer: false,
            viewer_org: None,
        };
        let v = round_view(Lang::Ja, &record, &files);
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
        let l = round_view(Lang::En, &tied, &files).lottery.unwrap();
        assert_eq!(l.formula, "(849 + 201) = 1050; 1050 mod 2 = 0");
        assert_eq!(l.rows[1].bidder, "浪速商事株式会社");
        assert!(l.rows[0].winner && !l.rows[1].winner);
    }

    #[test]
    fn attachments_pending_proposals_and_rebid_bidders() {
        let record = json!({
            "round": 2, "kind": "proposal", "award_method": "proposal_evaluation",
            "opened_at": "2026-12-13T01:00:00.000000Z",
            "submission_closes_at": "2026-12-13T00:00:00.000000Z",
            "evaluation_pending": true, "evaluation": null, "winner": null,
            "bids": [
                {"bid_id": 8, "bidder_org_id": 3, "bidder_name": "甲社", "state": "submitted",
                 "commitment_verified": true, "lottery_number": "100",
                 "attachments": [{"index": 1, "name": "提案書.pdf", "size": 2048, "sha256": "ab"}]},
                {"bid_id": 9, "bidder_org_id": 4, "bidder_name": "乙社", "state": "submitted",
                 "commitment_verified": true, "lottery_number": "200",
                 "attachments": [{"index": 1, "name": "別紙.pdf", "size": 10, "sha256": "cd"}]}
            ]
        });
        let viewer = FileAccess {
            tender_id: 7,
            public: false,
            buyer: false,
            viewer_org: Some(4),
        };
        let v = round_view(Lang::Ja, &record, &viewer);
        assert!(v.pending && !v.unsuccessful && v.has_attachments);
        assert!(v.outcome.starts_with("審査中"), "{}", v.outcome);
        assert_eq!(v.closes.as_deref(), Some("2026年12月13日 09:00:00"));
        assert_eq!(v.bids[0].validity, "開封済み");
        // A proposal's documents: only the bidder's own, for a bidder.
        assert_eq!(v.bids[0].attachments[0].href, None);
        assert_eq!(
            v.bids[1].attachments[0].href.as_deref(),
            Some("/tenders/7/bids/9/attachments/1")
        );
        assert_eq!(v.bids[0].attachments[0].size, "2 KB");
        let buyer = FileAccess {
            buyer: true,
            viewer_org: Some(1),
            ..viewer
        };
        let v = round_view(Lang::Ja, &record, &buyer);
        assert!(v.bids.iter().all(|b| b.attachments[0].href.is_some()));

        // 不調 with an exclusion that allows a 再度入札 and one that does not.
        let mut failed = record.clone();
        failed["kind"] = json!("sealed_bid");
        failed["evaluation_pending"] = json!(false);
        failed["evaluation"] = json!({"result": {"bids": [
            {"bid_id": 8, "status": "excluded", "reason": "above_reserve_price"},
            {"bid_id": 9, "status": "excluded", "reason": "below_minimum_price"}
        ], "outcome": {"outcome": "unsuccessful"}}});
        let v = round_view(Lang::Ja, &failed, &viewer);
        assert!(v.unsuccessful && !v.pending);
        assert_eq!(v.rebid_bidders, ["甲社"]);
        assert!(v.outcome.contains("不調"));
        let mut broken = failed.clone();
        broken["evaluation_error"] = json!("technical_scores_not_locked");
        broken["evaluation_error_message"] =
            json!({"ja": "確定されていません。", "en": "Not locked."});
        let v = round_view(Lang::En, &broken, &viewer);
        assert_eq!(
            v.evaluation_error.as_deref(),
            Some("Not locked. (technical_scores_not_locked)")
        );
    }
}
