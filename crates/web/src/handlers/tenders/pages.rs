//! The pages that show tenders: the public list, the tender page (with the
//! forms for suppliers and for the buyer), the history of amendments, the
//! buyer's management list and the supplier's マイ案件; and the 新着案件 of
//! the top page.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use musubi_domain::tender::{Category, TenderKind, TenderStatus, Transition, ValidSchedule};
use musubi_domain::{Access, Prefecture};
use musubi_storage::{
    Application, ApplicationOrigin, ApplicationStatus, Paging, TenderQuery, TransitionRecord,
};

use super::display::{self, Named, Row, Sealing, pick};
use super::{Failure, ListItem, ListParams, PAGE_SIZE, is_supplier, page_param, paging};
use crate::WebState;
use crate::auth::{Caller, CsrfToken};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::views::{Chrome, html_page, html_page_status};

/// One choice of a select.
#[derive(Debug, Clone)]
pub struct Opt {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub fn options<T: Named>(
    lang: Lang,
    all: &[T],
    code: impl Fn(T) -> &'static str,
    selected: impl Fn(&str) -> bool,
) -> Vec<Opt> {
    all.iter()
        .map(|x| Opt {
            code: code(*x),
            label: x.name_in(lang),
            selected: selected(code(*x)),
        })
        .collect()
}

// --- the list -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "tenders/list.html")]
struct ListPage {
    chrome: Chrome,
    params: ListParams,
    items: Vec<ListItem>,
    total: u64,
    pages: u64,
    kinds: Vec<Opt>,
    categories: Vec<Opt>,
    statuses: Vec<Opt>,
    prefectures: Vec<Opt>,
    can_post: bool,
}

/// `GET /tenders`: published tenders, newest first, with filters.
pub async fn list_page(
    State(state): State<WebState>,
    chrome: Chrome,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let lang = chrome.lang;
    let params = ListParams::parse(q.as_deref());
    let query = params.to_query(PAGE_SIZE)?;
    let page = state.services.list_tenders(&query).await?;
    let mut statuses = vec![Opt {
        code: "open",
        label: pick(
            lang,
            "募集中（公告中・受付中）",
            "Open (published or accepting)",
        ),
        selected: params.status == "open",
    }];
    statuses.extend(options(
        lang,
        &TenderStatus::ALL[1..],
        TenderStatus::code,
        |c| params.status == c,
    ));
    let can_post = caller
        .principal()
        .is_some_and(|p| musubi_domain::authz::check(Some(&p), Access::ApprovedBuyer).is_ok());
    let view = ListPage {
        items: page.items.iter().map(|s| ListItem::new(lang, s)).collect(),
        total: page.total,
        pages: page.total.div_ceil(u64::from(PAGE_SIZE)).max(1),
        kinds: options(lang, TenderKind::ALL, TenderKind::code, |c| {
            params.kind == c
        }),
        categories: options(lang, Category::ALL, Category::code, |c| {
            params.category == c
        }),
        statuses,
        prefectures: options(lang, Prefecture::all(), Prefecture::code, |c| {
            params.prefecture == c
        }),
        can_post,
        params,
        chrome,
    };
    html_page(lang, &view)
}

// --- the tender page -------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct AmendmentRow {
    pub version: i64,
    pub when: String,
    pub reason: String,
    pub changed: String,
}

#[derive(Debug, Clone)]
pub struct TransitionRow {
    pub when: String,
    pub label: &'static str,
    pub to: &'static str,
    pub reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AttachmentRow {
    pub title: String,
    pub filename: String,
    pub size: String,
    pub sha256: String,
    pub superseded: bool,
    pub replaces: Option<String>,
    pub uploaded: String,
    pub href: String,
}

#[derive(Debug, Clone)]
pub struct QuestionRow {
    pub id: i64,
    pub question: String,
    pub asked: String,
    pub answer: Option<String>,
    pub answered: Option<String>,
    pub mine: bool,
    /// Who asked: shown to the buyer only.
    pub asker: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ApplicationRow {
    pub id: i64,
    pub supplier_id: i64,
    pub supplier_name: String,
    pub origin: &'static str,
    pub status: &'static str,
    pub pending: bool,
    pub created: String,
    pub decided: Option<String>,
    pub reason: Option<String>,
}

impl ApplicationRow {
    fn new(lang: Lang, a: &Application) -> ApplicationRow {
        ApplicationRow {
            id: a.id,
            supplier_id: a.supplier,
            supplier_name: a.supplier_name.clone(),
            origin: match a.origin {
                ApplicationOrigin::Application => pick(lang, "参加申請", "Application"),
                ApplicationOrigin::Nomination => {
                    pick(lang, "発注者による指名", "Nominated by the buyer")
                }
            },
            status: match a.status {
                ApplicationStatus::Pending => pick(lang, "審査中", "Pending"),
                ApplicationStatus::Accepted => pick(lang, "指名", "Accepted (nominated)"),
                ApplicationStatus::Rejected => pick(lang, "非指名", "Not accepted"),
            },
            pending: a.status == ApplicationStatus::Pending,
            created: display::time(lang, a.created_at),
            decided: a.decided_at.map(|t| display::time(lang, t)),
            reason: a.reason.clone(),
        }
    }
}

fn transition_rows(lang: Lang, ts: &[TransitionRecord]) -> Vec<TransitionRow> {
    ts.iter()
        .map(|t| TransitionRow {
            when: display::time(lang, t.at),
            label: t.transition.name_in(lang),
            to: t.to.name_in(lang),
            reason: t.reason.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "tenders/show.html")]
pub(super) struct ShowPage {
    chrome: Chrome,
    csrf: String,
    id: i64,
    title: String,
    buyer_id: i64,
    buyer_name: String,
    status: &'static str,
    status_class: &'static str,
    is_draft: bool,
    cancel_reason: Option<String>,
    version: i64,
    amended: bool,
    summary: String,
    overview: Vec<Row>,
    eligibility: Vec<Row>,
    schedule: Vec<Row>,
    prices: Vec<Row>,
    contact: Vec<Row>,
    amendments: Vec<AmendmentRow>,
    transitions: Vec<TransitionRow>,
    attachments: Vec<AttachmentRow>,
    /// (id, title) of the attachments a new file may replace.
    current_attachments: Vec<(i64, String)>,
    questions: Vec<QuestionRow>,
    signed_in: bool,
    login_href: String,
    is_supplier: bool,
    can_ask: bool,
    questions_until: String,
    can_apply: bool,
    apply_note: Option<String>,
    my_application: Option<ApplicationRow>,
    favourite: Option<bool>,
    is_buyer: bool,
    edit_label: Option<&'static str>,
    can_cancel: bool,
    can_upload: bool,
    can_answer: bool,
    can_nominate: bool,
    applications: Vec<ApplicationRow>,
    /// 入札: the supplier's form or receipt, the results, the award.
    bid: crate::handlers::bids::BidSection,
    /// おすすめ企業: for the buyer and coordinators.
    recommended: Option<crate::handlers::recommendations::SuppliersSection>,
    /// コーディネーターからの推薦: for the buyer and coordinators.
    coordination: Option<crate::handlers::coordination::TenderSection>,
    failure: Option<Failure>,
}

impl ShowPage {
    /// The failure of `form`, if that is the form that failed.
    fn failed(&self, form: &str) -> Option<&Failure> {
        self.failure.as_ref().filter(|f| f.form == form)
    }

    /// What was typed into `form` (kept after a failure).
    fn typed(&self, form: &str) -> &str {
        self.failed(form).map_or("", |f| f.value.as_str())
    }

    fn failed_answer(&self, question: i64) -> Option<&Failure> {
        self.failed(&format!("answer-{question}"))
    }

    /// What the answer box holds: what was typed if it failed, else the
    /// current answer (to correct it without retyping).
    fn typed_answer<'a>(&'a self, question: &'a QuestionRow) -> &'a str {
        match self.failed_answer(question.id) {
            Some(f) => f.value.as_str(),
            None => question.answer.as_deref().unwrap_or(""),
        }
    }

    fn failed_decision(&self, application: i64) -> Option<&Failure> {
        self.failed(&format!("decision-{application}"))
    }
}

/// Whether a tender in `status` may still be edited (draft) or amended (訂正).
pub(super) fn editable(status: TenderStatus) -> bool {
    use TenderStatus as S;
    matches!(
        status,
        S::Draft | S::Published | S::AcceptingApplications | S::ApplicationsClosed | S::Tendering
    )
}

/// `GET /tenders/{id}` (`?bid=withdrawn`: the notice after a 辞退).
pub async fn show_page(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    Path(id): Path<i64>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let notice = crate::handlers::bids::notice(chrome.lang, q.as_deref());
    render_show_with(&state, chrome, csrf.0, &caller, id, None, notice).await
}

/// The tender page, with `failure` shown beside its form (and its status).
pub(super) async fn render_show(
    state: &WebState,
    chrome: Chrome,
    csrf: String,
    caller: &Caller,
    id: i64,
    failure: Option<Failure>,
) -> AppResult<Response> {
    render_show_with(state, chrome, csrf, caller, id, failure, None).await
}

/// [`render_show`] with a notice in the bid section.
async fn render_show_with(
    state: &WebState,
    chrome: Chrome,
    csrf: String,
    caller: &Caller,
    id: i64,
    failure: Option<Failure>,
    bid_notice: Option<&'static str>,
) -> AppResult<Response> {
    let lang = chrome.lang;
    let s = &state.services;
    let principal = caller.principal();
    let p = principal.as_ref();
    let detail = s.tender_detail(p, id).await?;
    let view = &detail.view;
    let is_buyer = view.is_buyer;
    let t = &view.tender;
    let c = &t.content;
    let now = s.clock.now();
    let schedule = ValidSchedule::restore(c.schedule, c.method).ok();
    let sealing = Sealing::new(t.status, is_buyer, view.reserve_price_sealed);

    let versions = &detail.versions;
    let amendments = versions
        .windows(2)
        .map(|w| AmendmentRow {
            version: w[1].version,
            when: display::time(lang, w[1].changed_at),
            reason: w[1].reason.clone().unwrap_or_default(),
            changed: w[0]
                .content
                .changed_fields(&w[1].content)
                .iter()
                .map(|f| display::field_label(lang, f))
                .collect::<Vec<_>>()
                .join(pick(lang, "、", ", ")),
        })
        .rev()
        .collect();
    let transitions = transition_rows(lang, &detail.transitions);

    let files = &detail.attachments;
    let title_of: HashMap<i64, String> = files.iter().map(|a| (a.id, a.title.clone())).collect();
    let attachments = files
        .iter()
        .map(|a| AttachmentRow {
            title: a.title.clone(),
            filename: a.filename.clone(),
            size: display::size(lang, a.size),
            sha256: a.sha256.clone(),
            superseded: a.superseded_by.is_some(),
            replaces: a.replaces.and_then(|r| title_of.get(&r).cloned()),
            uploaded: display::time(lang, a.uploaded_at),
            href: format!("/tenders/{id}/attachments/{}", a.id),
        })
        .collect();
    let current_attachments = files
        .iter()
        .filter(|a| a.superseded_by.is_none())
        .map(|a| (a.id, format!("{}（{}）", a.title, a.filename)))
        .collect();

    let mut asker_names: HashMap<i64, String> = HashMap::new();
    let mut questions = Vec::new();
    for q in detail.questions.iter().cloned() {
        let asker = match q.asker_org {
            Some(org) => Some(match asker_names.get(&org) {
                Some(name) => name.clone(),
                None => {
                    let name = s
                        .organization(org)
                        .await
                        .map(|o| o.name)
                        .unwrap_or_else(|_| format!("#{org}"));
                    asker_names.insert(org, name.clone());
                    name
                }
            }),
            None => None,
        };
        questions.push(QuestionRow {
            id: q.id,
            question: q.question,
            asked: display::time(lang, q.asked_at),
            answer: q.answer,
            answered: q.answered_at.map(|t| display::time(lang, t)),
            mine: q.mine,
            asker,
        });
    }

    let supplier = is_supplier(p);
    let can_ask = supplier
        && schedule
            .as_ref()
            .is_some_and(|v| v.accepts_questions_at(t.status, now));
    let (mut my_application, mut applications) = (None, Vec::new());
    let mut nominated = false;
    match p {
        Some(pr) if is_buyer => {
            applications = s
                .applications_for(pr, id)
                .await?
                .iter()
                .map(|a| ApplicationRow::new(lang, a))
                .collect();
        }
        Some(pr) if supplier && t.status.is_public() => {
            let mine = s.applications_for(pr, id).await?;
            nominated = mine
                .first()
                .is_some_and(|a| a.status == ApplicationStatus::Accepted);
            my_application = mine.first().map(|a| ApplicationRow::new(lang, a));
        }
        _ => {}
    }
    let (can_apply, apply_note) = apply_state(lang, t, schedule.as_ref(), now);
    let favourite = match p {
        Some(pr) if t.status.is_public() => Some(s.is_favourite_tender(pr, id).await?),
        _ => None,
    };
    let open_for_buyer = is_buyer && t.status.is_public() && !t.status.is_final();
    let mut bid =
        crate::handlers::bids::tender_section(state, lang, p, view, nominated, now).await?;
    bid.notice = bid_notice;
    let recommended = crate::handlers::recommendations::tender_section(state, lang, p, view).await;
    let coordination = crate::handlers::coordination::tender_section(state, lang, p, t).await;
    let page = ShowPage {
        id,
        title: c.title.clone(),
        buyer_id: t.buyer,
        buyer_name: t.buyer_name.clone(),
        status: t.status.name_in(lang),
        status_class: display::status_class(t.status),
        is_draft: t.status == TenderStatus::Draft,
        cancel_reason: t.cancel_reason.clone(),
        version: t.version,
        amended: t.is_amended(),
        summary: c.summary.clone(),
        overview: display::overview_rows(lang, c),
        eligibility: display::eligibility_rows(lang, c),
        schedule: display::schedule_rows(lang, c, t.published_at),
        prices: display::price_rows(lang, c, sealing),
        contact: display::contact_rows(lang, c),
        amendments,
        transitions,
        attachments,
        current_attachments,
        questions,
        signed_in: p.is_some(),
        login_href: format!(
            "/login?next={}",
            crate::routes::percent_encode(&format!("/tenders/{id}"))
        ),
        is_supplier: supplier,
        can_ask,
        questions_until: display::time(lang, c.schedule.questions_until),
        can_apply: supplier && can_apply && my_application.is_none(),
        apply_note,
        my_application,
        favourite,
        is_buyer,
        edit_label: (is_buyer && editable(t.status)).then(|| {
            if t.status == TenderStatus::Draft {
                pick(lang, "編集する", "Edit")
            } else {
                pick(lang, "訂正する", "Amend")
            }
        }),
        can_cancel: is_buyer && t.status.apply(Transition::Cancel).is_ok(),
        can_upload: is_buyer && !t.status.is_final(),
        can_answer: open_for_buyer,
        can_nominate: open_for_buyer
            && c.method == musubi_domain::tender::ContractMethod::Selective
            && matches!(t.status, TenderStatus::Published | TenderStatus::Tendering),
        applications,
        bid,
        recommended,
        coordination,
        failure,
        csrf,
        chrome,
    };
    match page.failure.as_ref().map(|f| f.status) {
        Some(status) => html_page_status(lang, &page, status),
        None => html_page(lang, &page),
    }
}

/// Whether a supplier may apply now and, if not, why (the service has the
/// last word and names every requirement missed).
fn apply_state(
    lang: Lang,
    t: &musubi_storage::Tender,
    schedule: Option<&ValidSchedule>,
    now: chrono::DateTime<chrono::Utc>,
) -> (bool, Option<String>) {
    use musubi_domain::tender::ContractMethod as M;
    let Some(v) = schedule else {
        return (false, None);
    };
    match t.content.method {
        M::Selective => (
            false,
            Some(
                pick(
                    lang,
                    "指名競争のため参加申請はできません。発注者が指名します。",
                    "Selective tender: no applications; the buyer nominates.",
                )
                .into(),
            ),
        ),
        M::SelectiveByApplication => {
            if v.accepts_applications_at(t.status, now) {
                (true, None)
            } else {
                let window = v.application_window().map(|(a, b)| {
                    format!(
                        "{}{}{}",
                        display::time(lang, a),
                        pick(lang, "から", " to "),
                        display::time(lang, b)
                    )
                });
                (
                    false,
                    Some(match (lang, window) {
                        (Lang::Ja, Some(w)) => {
                            format!("参加申請の受付期間外です（受付期間：{w}）。")
                        }
                        (Lang::En, Some(w)) => {
                            format!("Applications are not being taken now (period: {w}).")
                        }
                        _ => pick(
                            lang,
                            "参加申請の受付期間外です。",
                            "Applications are closed.",
                        )
                        .into(),
                    }),
                )
            }
        }
        M::Open | M::Direct => {
            let open = matches!(t.status, TenderStatus::Published | TenderStatus::Tendering)
                && now < v.submission_closes_at();
            if open {
                (true, None)
            } else {
                (
                    false,
                    t.status.is_public().then(|| {
                        pick(
                            lang,
                            "現在、参加申請は受け付けていません。",
                            "Applications are not being taken now.",
                        )
                        .into()
                    }),
                )
            }
        }
    }
}

// --- history ----------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct Change {
    pub label: &'static str,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone)]
pub struct VersionView {
    pub version: i64,
    pub when: String,
    pub reason: Option<String>,
    pub changes: Vec<Change>,
}

#[derive(Template)]
#[template(path = "tenders/history.html")]
struct HistoryPage {
    chrome: Chrome,
    id: i64,
    title: String,
    versions: Vec<VersionView>,
    transitions: Vec<TransitionRow>,
}

/// `GET /tenders/{id}/history`: every version (訂正) with what changed, from
/// what to what, and every step of the life cycle.
pub async fn history_page(
    State(state): State<WebState>,
    chrome: Chrome,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = chrome.lang;
    let s = &state.services;
    let p = caller.principal();
    let view = s.tender_view(p.as_ref(), id).await?;
    let t = &view.tender;
    let sealing = Sealing::new(t.status, view.is_buyer, view.reserve_price_sealed);
    let versions = s.tender_versions(p.as_ref(), id).await?;
    let mut out = Vec::new();
    for (i, v) in versions.iter().enumerate() {
        let changes = match i.checked_sub(1).and_then(|j| versions.get(j)) {
            Some(prev) => prev
                .content
                .changed_fields(&v.content)
                .into_iter()
                .map(|f| Change {
                    label: display::field_label(lang, f),
                    before: display::field_value(lang, &prev.content, f, sealing),
                    after: display::field_value(lang, &v.content, f, sealing),
                })
                .collect(),
            None => Vec::new(),
        };
        out.push(VersionView {
            version: v.version,
            when: display::time(lang, v.changed_at),
            reason: v.reason.clone(),
            changes,
        });
    }
    out.reverse();
    let transitions = transition_rows(lang, &s.tender_transitions(p.as_ref(), id).await?);
    let page = HistoryPage {
        id,
        title: t.content.title.clone(),
        versions: out,
        transitions,
        chrome,
    };
    html_page(lang, &page)
}

// --- the buyer's tenders and マイ案件 ------------------------------------------------

#[derive(Template)]
#[template(path = "tenders/buyer.html")]
struct BuyerPage {
    chrome: Chrome,
    items: Vec<ListItem>,
    total: u64,
    page: u64,
    pages: u64,
}

/// `GET /buyer/tenders`: the organisation's tenders, drafts included.
pub async fn buyer_page(
    State(state): State<WebState>,
    chrome: Chrome,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let auth = caller.require(Access::ApprovedBuyer)?;
    let lang = chrome.lang;
    let page_no = page_param(q.as_deref());
    let page = state
        .services
        .buyer_tenders(&auth.principal(), paging(page_no, PAGE_SIZE))
        .await?;
    let view = BuyerPage {
        items: page.items.iter().map(|s| ListItem::new(lang, s)).collect(),
        total: page.total,
        page: page_no,
        pages: page.total.div_ceil(u64::from(PAGE_SIZE)).max(1),
        chrome,
    };
    html_page(lang, &view)
}

#[derive(Debug, Clone)]
pub struct MyItem {
    pub item: ListItem,
    pub favourite: bool,
    pub application: Option<&'static str>,
    pub asked: bool,
}

#[derive(Debug, Clone)]
pub struct EventRow {
    pub when: String,
    pub text: String,
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "tenders/my.html")]
struct MyPage {
    chrome: Chrome,
    items: Vec<MyItem>,
    events: Vec<EventRow>,
    total: u64,
    page: u64,
    pages: u64,
    is_buyer: bool,
    /// おすすめ案件: for suppliers.
    recommended: Option<crate::handlers::recommendations::TendersSection>,
}

/// `GET /my/tenders`: マイ案件 (applied, favourited, asked) and notifications.
pub async fn my_page(
    State(state): State<WebState>,
    chrome: Chrome,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let p = auth.principal();
    let lang = chrome.lang;
    let s = &state.services;
    let page_no = page_param(q.as_deref());
    let page = s.my_tenders(&p, paging(page_no, PAGE_SIZE)).await?;
    let mut items = Vec::new();
    for t in &page.items {
        let favourite = s.is_favourite_tender(&p, t.id).await.unwrap_or(false);
        let application = match p.org_id() {
            Some(_) => s
                .applications_for(&p, t.id)
                .await
                .ok()
                .and_then(|a| a.first().map(|a| ApplicationRow::new(lang, a).status)),
            None => None,
        };
        let asked = s
            .questions_for(Some(&p), t.id)
            .await
            .map(|qs| qs.iter().any(|q| q.mine))
            .unwrap_or(false);
        items.push(MyItem {
            item: ListItem::new(lang, t),
            favourite,
            application,
            asked,
        });
    }
    let events = s
        .notification_events(
            &p,
            Paging {
                offset: 0,
                limit: 10,
            },
        )
        .await?
        .items
        .iter()
        .map(|e| EventRow {
            when: display::time(lang, e.created_at),
            text: super::event_text(lang, e),
            href: e.tender_id.map(|id| format!("/tenders/{id}")),
        })
        .collect();
    let view = MyPage {
        items,
        events,
        total: page.total,
        page: page_no,
        pages: page.total.div_ceil(u64::from(PAGE_SIZE)).max(1),
        is_buyer: p.is_approved_buyer(),
        recommended: crate::handlers::recommendations::my_section(&state, lang, &p).await,
        chrome,
    };
    html_page(lang, &view)
}

// --- the top page --------------------------------------------------------------------

/// One line of 新着案件 on the top page.
#[derive(Debug, Clone)]
pub struct NewestTender {
    pub id: i64,
    pub title: String,
    pub buyer_name: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub published: String,
}

/// The `n` most recently published tenders, for the top page. The top page
/// stays up without them if the database cannot answer.
pub async fn newest_tenders(state: &WebState, lang: Lang, n: u32) -> Vec<NewestTender> {
    let query = TenderQuery {
        paging: Paging {
            offset: 0,
            limit: n,
        },
        without_total: true,
        ..TenderQuery::default()
    };
    match state.services.list_tenders(&query).await {
        Ok(page) => page
            .items
            .iter()
            .map(|s| NewestTender {
                id: s.id,
                title: s.title.clone(),
                buyer_name: s.buyer_name.clone(),
                status: s.status.name_in(lang),
                status_class: display::status_class(s.status),
                published: s
                    .published_at
                    .map(|t| match lang {
                        Lang::Ja => musubi_domain::format_japan_date(t),
                        Lang::En => musubi_domain::japan_date(t).format("%Y-%m-%d").to_string(),
                    })
                    .unwrap_or_default(),
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "newest tenders for the top page");
            Vec::new()
        }
    }
}
