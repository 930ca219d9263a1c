//! Tenders (案件): the public list and the tender page, posting and
//! amending (訂正), publication, cancellation (中止), questions and answers
//! (質疑応答), applications and nominations (参加申請・指名), attachments,
//! favourites, the buyer's management list and the supplier's マイ案件;
//! JSON under `/api/v1/tenders`, `/api/v1/buyer/tenders` and `/api/v1/me`.
//!
//! Pages and API call the same services (`musubi_app::tenders`), which
//! decide who may do what to *this* tender; the routes only say who may
//! try. The parts:
//!
//! - [`display`]: labels, Japan time, prices and the rows of a tender page;
//! - `pages`: the list, the tender page, the history, マイ案件, the buyer's list;
//! - `forms`: the posting form and every form on the tender page;
//! - `api`: the JSON API;
//! - `files`: attachment upload and download (both).

pub mod display;

mod api;
mod files;
mod forms;
mod pages;

use axum::routing::{delete, get, patch, post, put};
use chrono::{DateTime, SecondsFormat, Utc};
use http::{Method, StatusCode};
use musubi_app::ServiceError;
use musubi_app::tenders::{QuestionView, TenderInput, TenderView};
use musubi_domain::tender::{Category, TenderKind, TenderStatus};
use musubi_domain::{Access, OrgKind, Prefecture, Principal};
use musubi_storage::{
    Application, Attachment, NotificationEvent, Paging, TenderQuery, TenderSummary, TenderVersion,
    TransitionRecord,
};
use serde_json::{Value, json};

use crate::WebState;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::routes::{RouteDef, route};
use display::Named;

pub use files::{UPLOAD_BODY_LIMIT, attachment_too_large, content_disposition};
pub use pages::{NewestTender, newest_tenders};

/// Tenders per page of a list.
pub const PAGE_SIZE: u32 = 20;

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    use Method as M;
    vec![
        // Pages.
        route(M::GET, "/tenders", Public, get(pages::list_page)),
        route(M::GET, "/tenders/new", ApprovedBuyer, get(forms::new_form)),
        route(
            M::POST,
            "/tenders",
            ApprovedBuyer,
            post(forms::create_submit),
        ),
        route(M::GET, "/tenders/{id}", Public, get(pages::show_page)),
        route(
            M::POST,
            "/tenders/{id}",
            ApprovedBuyer,
            post(forms::update_submit),
        ),
        route(
            M::GET,
            "/tenders/{id}/edit",
            ApprovedBuyer,
            get(forms::edit_form),
        ),
        route(
            M::GET,
            "/tenders/{id}/history",
            Public,
            get(pages::history_page),
        ),
        route(
            M::POST,
            "/tenders/{id}/publish",
            ApprovedBuyer,
            post(forms::publish_submit),
        ),
        route(
            M::POST,
            "/tenders/{id}/cancel",
            ApprovedBuyer,
            post(forms::cancel_submit),
        ),
        route(
            M::POST,
            "/tenders/{id}/questions",
            Supplier,
            post(forms::question_submit),
        ),
        route(
            M::POST,
            "/tenders/{id}/questions/{qid}/answer",
            ApprovedBuyer,
            post(forms::answer_submit),
        ),
        route(
            M::POST,
            "/tenders/{id}/applications",
            Supplier,
            post(forms::apply_submit),
        ),
        route(
            M::POST,
            "/tenders/{id}/applications/{aid}/decision",
            ApprovedBuyer,
            post(forms::decision_submit),
        ),
        route(
            M::POST,
            "/tenders/{id}/nominations",
            ApprovedBuyer,
            post(forms::nominate_submit),
        ),
        route(
            M::POST,
            "/tenders/{id}/attachments",
            ApprovedBuyer,
            post(files::upload_submit),
        )
        .with_body_limit(UPLOAD_BODY_LIMIT),
        route(
            M::GET,
            "/tenders/{id}/attachments/{aid}",
            SignedIn,
            get(files::download),
        ),
        route(
            M::POST,
            "/tenders/{id}/favourite",
            SignedIn,
            post(forms::favourite_submit),
        ),
        route(
            M::GET,
            "/buyer/tenders",
            ApprovedBuyer,
            get(pages::buyer_page),
        ),
        route(M::GET, "/my/tenders", SignedIn, get(pages::my_page)),
        // JSON.
        route(M::GET, "/api/v1/tenders", Public, get(api::list)),
        route(M::POST, "/api/v1/tenders", ApprovedBuyer, post(api::create)),
        route(M::GET, "/api/v1/tenders/{id}", Public, get(api::show)),
        route(
            M::PATCH,
            "/api/v1/tenders/{id}",
            ApprovedBuyer,
            patch(api::update),
        ),
        route(
            M::POST,
            "/api/v1/tenders/{id}/publish",
            ApprovedBuyer,
            post(api::publish),
        ),
        route(
            M::POST,
            "/api/v1/tenders/{id}/cancel",
            ApprovedBuyer,
            post(api::cancel),
        ),
        route(
            M::GET,
            "/api/v1/tenders/{id}/versions",
            Public,
            get(api::versions),
        ),
        route(
            M::GET,
            "/api/v1/tenders/{id}/transitions",
            Public,
            get(api::transitions),
        ),
        route(
            M::GET,
            "/api/v1/tenders/{id}/questions",
            Public,
            get(api::questions),
        ),
        route(
            M::POST,
            "/api/v1/tenders/{id}/questions",
            Supplier,
            post(api::ask),
        ),
        route(
            M::POST,
            "/api/v1/tenders/{id}/questions/{qid}/answer",
            ApprovedBuyer,
            post(api::answer),
        ),
        route(
            M::GET,
            "/api/v1/tenders/{id}/applications",
            SignedIn,
            get(api::applications),
        ),
        route(
            M::POST,
            "/api/v1/tenders/{id}/applications",
            OrgMember,
            post(api::apply_or_nominate),
        ),
        route(
            M::POST,
            "/api/v1/tenders/{id}/applications/{aid}/decision",
            ApprovedBuyer,
            post(api::decide),
        ),
        route(
            M::GET,
            "/api/v1/tenders/{id}/attachments",
            Public,
            get(api::attachments),
        ),
        route(
            M::POST,
            "/api/v1/tenders/{id}/attachments",
            ApprovedBuyer,
            post(files::api_upload),
        )
        .with_body_limit(UPLOAD_BODY_LIMIT),
        route(
            M::GET,
            "/api/v1/tenders/{id}/attachments/{aid}",
            SignedIn,
            get(files::download),
        ),
        route(
            M::PUT,
            "/api/v1/tenders/{id}/favourite",
            SignedIn,
            put(api::favourite_on),
        ),
        route(
            M::DELETE,
            "/api/v1/tenders/{id}/favourite",
            SignedIn,
            delete(api::favourite_off),
        ),
        route(
            M::GET,
            "/api/v1/buyer/tenders",
            ApprovedBuyer,
            get(api::buyer_tenders),
        ),
        route(M::GET, "/api/v1/me/tenders", SignedIn, get(api::my_tenders)),
        route(M::GET, "/api/v1/me/events", SignedIn, get(api::events)),
    ]
}

// --- who is asking ------------------------------------------------------------

/// A member of a supplier organisation.
fn is_supplier(p: Option<&Principal>) -> bool {
    p.and_then(|p| p.membership)
        .is_some_and(|m| m.kind == OrgKind::Supplier)
}

/// The HTTP status a service refusal answers with (for forms shown again).
fn status_of(e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::Refused { status, .. } => {
            StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST)
        }
        _ => StatusCode::BAD_REQUEST,
    }
}

/// A form on the tender page that failed, shown again with its messages.
#[derive(Debug, Clone)]
pub struct Failure {
    /// Which form: `apply`, `question`, `answer-12`, `decision-3`,
    /// `nominate`, `cancel`, `publish`, `attachment`, `favourite`.
    pub form: String,
    /// Every message, in the page's language (each missed requirement of
    /// an application, for instance).
    pub messages: Vec<String>,
    /// What was typed, to keep it.
    pub value: String,
    pub status: StatusCode,
}

impl Failure {
    /// The failure to show for a refusal or invalid input; other errors
    /// (not found, denied, storage) are answered as such.
    fn from_service(
        lang: Lang,
        form: impl Into<String>,
        e: ServiceError,
        value: impl Into<String>,
    ) -> Result<Failure, AppError> {
        let status = status_of(&e);
        let messages = match e {
            ServiceError::Invalid(fields) => fields
                .0
                .into_iter()
                .map(|f| match lang {
                    Lang::Ja => f.message_ja,
                    Lang::En => f.message_en,
                })
                .collect(),
            ServiceError::Refused {
                message_ja,
                message_en,
                ..
            } => vec![match lang {
                Lang::Ja => message_ja,
                Lang::En => message_en,
            }],
            other => return Err(other.into()),
        };
        Ok(Failure {
            form: form.into(),
            messages,
            value: value.into(),
            status,
        })
    }
}

// --- list filters ---------------------------------------------------------------

/// The statuses of `?status=open`: tenders still taking part (公告中 to 受付中).
const OPEN_STATUSES: [TenderStatus; 4] = [
    TenderStatus::Published,
    TenderStatus::AcceptingApplications,
    TenderStatus::ApplicationsClosed,
    TenderStatus::Tendering,
];

/// List filters as they appear in the URL: every bit of state is in the GET
/// URL, so a page of results has one stable address.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListParams {
    pub kind: String,
    pub category: String,
    /// A status code, or `open` for every status that still takes part.
    pub status: String,
    pub prefecture: String,
    pub buyer: String,
    pub page: u64,
    pub per_page: Option<u32>,
}

impl ListParams {
    pub fn parse(query: Option<&str>) -> ListParams {
        let mut p = ListParams {
            page: 1,
            ..Default::default()
        };
        for (k, v) in crate::extract::form_pairs(query.unwrap_or_default()) {
            let v = v.trim().to_owned();
            match k.as_str() {
                "kind" => p.kind = v,
                "category" => p.category = v,
                "status" => p.status = v,
                "prefecture" => p.prefecture = v,
                "buyer" => p.buyer = v,
                "page" => p.page = v.parse().unwrap_or(1).max(1),
                "per_page" => p.per_page = v.parse().ok(),
                _ => {}
            }
        }
        p
    }

    /// The storage query, or a 400 naming the parameter at fault.
    pub fn to_query(&self, limit: u32) -> Result<TenderQuery, AppError> {
        let bad = |param: &str| {
            AppError::bad_request(
                "invalid_parameter",
                format!("検索条件「{param}」の値が正しくありません。"),
                format!("The search parameter '{param}' is not valid."),
            )
        };
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let statuses = match self.status.as_str() {
            "" => Vec::new(),
            "open" => OPEN_STATUSES.to_vec(),
            s => match TenderStatus::parse(s) {
                Ok(TenderStatus::Draft) | Err(_) => return Err(bad("status")),
                Ok(status) => vec![status],
            },
        };
        Ok(TenderQuery {
            kind: opt(&self.kind)
                .map(|s| TenderKind::parse(&s).map_err(|_| bad("kind")))
                .transpose()?,
            category: opt(&self.category)
                .map(|s| Category::parse(&s).map_err(|_| bad("category")))
                .transpose()?,
            statuses,
            prefecture: opt(&self.prefecture)
                .map(|s| Prefecture::parse(&s).map_err(|_| bad("prefecture")))
                .transpose()?,
            buyer: opt(&self.buyer)
                .map(|s| s.parse::<i64>().map_err(|_| bad("buyer")))
                .transpose()?,
            without_total: false,
            paging: Paging {
                offset: (self.page - 1).saturating_mul(u64::from(limit)),
                limit,
            },
        })
    }

    /// The address of another page of the same search.
    pub fn href_for_page(&self, page: u64) -> String {
        let mut q: Vec<String> = [
            ("kind", &self.kind),
            ("category", &self.category),
            ("status", &self.status),
            ("prefecture", &self.prefecture),
            ("buyer", &self.buyer),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::routes::percent_encode(v)))
        .collect();
        q.push(format!("page={page}"));
        format!("/tenders?{}", q.join("&"))
    }
}

/// `?page=` of a simple list (the buyer's, マイ案件).
pub(crate) fn page_param(query: Option<&str>) -> u64 {
    crate::extract::form_pairs(query.unwrap_or_default())
        .into_iter()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(1u64)
        .max(1)
}

fn paging(page: u64, limit: u32) -> Paging {
    Paging {
        offset: (page - 1).saturating_mul(u64::from(limit)),
        limit,
    }
}

// --- JSON -------------------------------------------------------------------------

/// RFC 3339 in UTC, as every instant in the API.
fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn opt_rfc3339(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| Value::String(rfc3339(t)))
}

/// The absolute address of a tender's page.
fn tender_url(state: &WebState, id: i64) -> String {
    format!(
        "{}/tenders/{id}",
        state.services.config.base_url.trim_end_matches('/')
    )
}

/// The content fields, named and written as `TenderInput` takes them (so a
/// client can send back what it read), with instants in RFC 3339 UTC and
/// prices as integers (yen, tax excluded). Sealed prices are absent.
fn content_json(c: &musubi_domain::tender::TenderContent) -> serde_json::Map<String, Value> {
    let input = TenderInput::from_content(c);
    let mut m = match serde_json::to_value(&input) {
        Ok(Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    for k in ["reason", "version", "updated_at"] {
        m.remove(k);
    }
    let s = &c.schedule;
    for (k, v) in [
        ("publish_at", Some(s.publish_at)),
        ("application_opens_at", s.application_opens_at),
        ("application_closes_at", s.application_closes_at),
        ("questions_until", Some(s.questions_until)),
        ("submission_opens_at", Some(s.submission_opens_at)),
        ("submission_closes_at", Some(s.submission_closes_at)),
        ("opening_at", Some(s.opening_at)),
    ] {
        m.insert(k.into(), opt_rfc3339(v));
    }
    for (k, v) in [
        ("performance_start", c.performance_start),
        ("performance_end", c.performance_end),
    ] {
        m.insert(k.into(), v.map_or(Value::Null, |d| d.to_string().into()));
    }
    m.remove("reserve_price");
    m.remove("minimum_price");
    if let Some(p) = c.reserve_price {
        m.insert("reserve_price".into(), p.amount().amount().into());
    }
    if let Some(p) = c.minimum_price {
        m.insert("minimum_price".into(), p.amount().amount().into());
    }
    m
}

/// A tender as the API answers it, as this viewer may see it.
fn tender_json(state: &WebState, view: &TenderView) -> Value {
    let t = &view.tender;
    let mut m = serde_json::Map::new();
    m.insert("id".into(), t.id.into());
    m.insert("url".into(), tender_url(state, t.id).into());
    m.insert(
        "buyer".into(),
        json!({ "id": t.buyer, "name": t.buyer_name }),
    );
    m.insert("status".into(), t.status.code().into());
    m.insert("version".into(), t.version.into());
    m.insert("amended".into(), t.is_amended().into());
    m.extend(content_json(&t.content));
    m.insert(
        "reserve_price_sealed".into(),
        view.reserve_price_sealed.into(),
    );
    m.insert("published_at".into(), opt_rfc3339(t.published_at));
    m.insert("cancel_reason".into(), json!(t.cancel_reason));
    m.insert("created_at".into(), rfc3339(t.created_at).into());
    m.insert("updated_at".into(), rfc3339(t.updated_at).into());
    Value::Object(m)
}

fn summary_json(state: &WebState, s: &TenderSummary) -> Value {
    json!({
        "id": s.id,
        "url": tender_url(state, s.id),
        "buyer": { "id": s.buyer, "name": s.buyer_name },
        "kind": s.kind.code(),
        "category": s.category.code(),
        "method": s.method.code(),
        "status": s.status.code(),
        "title": s.title,
        "prefecture": s.prefecture.map(|p| p.code()),
        "version": s.version,
        "amended": s.version > 1,
        "published_at": opt_rfc3339(s.published_at),
        "submission_closes_at": rfc3339(s.submission_closes_at),
        "updated_at": rfc3339(s.updated_at),
    })
}

fn question_json(q: &QuestionView) -> Value {
    let mut v = json!({
        "id": q.id,
        "question": q.question,
        "asked_at": rfc3339(q.asked_at),
        "answer": q.answer,
        "answered_at": opt_rfc3339(q.answered_at),
        "mine": q.mine,
    });
    if let Some(org) = q.asker_org {
        v["asker_org"] = org.into();
    }
    v
}

fn application_json(a: &Application) -> Value {
    json!({
        "id": a.id,
        "supplier": { "id": a.supplier, "name": a.supplier_name },
        "origin": a.origin.as_str(),
        "status": a.status.as_str(),
        "created_at": rfc3339(a.created_at),
        "decided_at": opt_rfc3339(a.decided_at),
        "reason": a.reason,
    })
}

fn attachment_json(a: &Attachment) -> Value {
    json!({
        "id": a.id,
        "title": a.title,
        "filename": a.filename,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "replaces": a.replaces,
        "superseded_by": a.superseded_by,
        "uploaded_at": rfc3339(a.uploaded_at),
        "url": format!("/api/v1/tenders/{}/attachments/{}", a.tender_id, a.id),
    })
}

/// Versions with what changed from the one before.
fn versions_json(versions: &[TenderVersion]) -> Value {
    let mut out = Vec::new();
    for (i, v) in versions.iter().enumerate() {
        let changed: Vec<&str> = match i.checked_sub(1).and_then(|p| versions.get(p)) {
            Some(prev) => prev.content.changed_fields(&v.content),
            None => Vec::new(),
        };
        out.push(json!({
            "version": v.version,
            "changed_at": rfc3339(v.changed_at),
            "reason": v.reason,
            "changed_fields": changed,
            "content": Value::Object(content_json(&v.content)),
        }));
    }
    json!({ "versions": out })
}

fn transition_json(t: &TransitionRecord) -> Value {
    json!({
        "seq": t.seq,
        "transition": t.transition.code(),
        "from": t.from.code(),
        "to": t.to.code(),
        "at": rfc3339(t.at),
        "reason": t.reason,
    })
}

fn event_json(state: &WebState, e: &NotificationEvent) -> Value {
    json!({
        "id": e.id,
        "kind": e.kind.as_str(),
        "tender_id": e.tender_id,
        "tender_url": e.tender_id.map(|id| tender_url(state, id)),
        "detail": e.detail,
        "created_at": rfc3339(e.created_at),
    })
}

/// What a notification event says, in the page's language (the same words
/// as its mail).
pub(crate) fn event_text(lang: Lang, e: &NotificationEvent) -> String {
    let lang = match lang {
        Lang::Ja => musubi_app::mail::MailLang::Ja,
        Lang::En => musubi_app::mail::MailLang::En,
    };
    musubi_app::alerts::event_text(lang, e.kind, &e.detail)
}

/// One line of a tender list on a page.
#[derive(Debug, Clone)]
pub struct ListItem {
    pub id: i64,
    pub title: String,
    pub buyer_name: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub kind: &'static str,
    pub category: &'static str,
    pub method: &'static str,
    pub place: &'static str,
    pub published: String,
    pub deadline: String,
    pub updated: String,
    pub amended: bool,
    pub amendments: i64,
    pub draft: bool,
}

impl ListItem {
    fn new(lang: Lang, s: &TenderSummary) -> ListItem {
        ListItem {
            id: s.id,
            title: s.title.clone(),
            buyer_name: s.buyer_name.clone(),
            status: s.status.name_in(lang),
            status_class: display::status_class(s.status),
            kind: s.kind.name_in(lang),
            category: s.category.name_in(lang),
            method: s.method.name_in(lang),
            place: s
                .prefecture
                .map_or(display::pick(lang, "オンライン", "Online"), |p| {
                    p.name_in(lang)
                }),
            published: s
                .published_at
                .map(|t| display::time(lang, t))
                .unwrap_or_else(|| display::pick(lang, "未公告", "Not published").into()),
            deadline: display::time(lang, s.submission_closes_at),
            updated: display::time(lang, s.updated_at),
            amended: s.version > 1,
            amendments: if s.status == TenderStatus::Draft {
                0
            } else {
                s.version - 1
            },
            draft: s.status == TenderStatus::Draft,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_params_round_trip_through_the_url() {
        let p = ListParams::parse(Some(
            "kind=sealed_bid&category=works&status=open&prefecture=13&page=3",
        ));
        let q = p.to_query(20).unwrap();
        assert_eq!(q.paging.offset, 40);
        assert_eq!(q.statuses.len(), 4);
        assert_eq!(q.kind, Some(TenderKind::SealedBid));
        let again = ListParams::parse(p.href_for_page(3).split_once('?').map(|x| x.1));
        assert_eq!(again.to_query(20).unwrap(), q);
        for bad in [
            "status=draft",
            "status=nope",
            "kind=x",
            "prefecture=99",
            "buyer=x",
        ] {
            assert_eq!(
                ListParams::parse(Some(bad))
                    .to_query(20)
                    .unwrap_err()
                    .code(),
                "invalid_parameter",
                "{bad}"
            );
        }
        assert_eq!(ListParams::parse(None).href_for_page(2), "/tenders?page=2");
    }
}
