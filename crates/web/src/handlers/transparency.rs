//! The transparency log (issue 7) on the web: the public page that explains
//! what a 受付票 proves and how anyone checks it (`GET /transparency`), and
//! the public JSON API the `musubi verify` / `musubi audit` commands and any
//! other monitor read:
//!
//! - `GET /api/v1/transparency/tree-head`: the latest signed tree head;
//! - `GET /api/v1/transparency/tree-heads/{size}`: the head of that size;
//! - `GET /api/v1/transparency/public-key`: the log's key and the receipts';
//! - `GET /api/v1/transparency/proof/inclusion?tree_size=N&index=I`
//!   (or `&leaf_hash=H`);
//! - `GET /api/v1/transparency/proof/consistency?first=M&second=N`;
//! - `GET /api/v1/transparency/entries?start=S&end=E`.
//!
//! Handlers only read parameters; the log is `musubi_app::transparency`'s.
//! A missing, repeated or malformed parameter answers 400
//! `invalid_parameter` naming it in `fields` (its own problem in
//! `field_codes`); what the log refuses keeps the service's code
//! (`invalid_tree_size`, `proof_*`, `invalid_range`, `tree_head_not_found`,
//! `leaf_not_found`).

use askama::Template;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use http::Method;
use musubi_app::transparency::LogEntryView;
use musubi_domain::Access;
use musubi_domain::transparency::Hash;
use musubi_domain::transparency::entry::LogEntry;
use serde_json::json;

use crate::WebState;
use crate::error::{AppError, AppResult};
use crate::extract::form_pairs;
use crate::handlers::search::thousands;
use crate::handlers::tenders::display;
use crate::i18n::Lang;
use crate::routes::{RouteDef, route};
use crate::views::{Chrome, html_page};

pub const PAGE_PATH: &str = "/transparency";

/// How many of the newest entries the page lists.
pub const PAGE_ENTRIES: u64 = 20;

pub fn routes() -> Vec<RouteDef> {
    use Access::Public;
    use Method as M;
    vec![
        route(M::GET, PAGE_PATH, Public, get(page)),
        route(
            M::GET,
            "/api/v1/transparency/tree-head",
            Public,
            get(tree_head),
        ),
        route(
            M::GET,
            "/api/v1/transparency/tree-heads/{size}",
            Public,
            get(tree_head_of_size),
        ),
        route(
            M::GET,
            "/api/v1/transparency/public-key",
            Public,
            get(public_key),
        ),
        route(
            M::GET,
            "/api/v1/transparency/proof/inclusion",
            Public,
            get(inclusion),
        ),
        route(
            M::GET,
            "/api/v1/transparency/proof/consistency",
            Public,
            get(consistency),
        ),
        route(M::GET, "/api/v1/transparency/entries", Public, get(entries)),
    ]
}

// --- parameters -------------------------------------------------------------------

/// 400 `invalid_parameter` naming `param`, with its own problem's code.
fn bad_parameter(param: &str, field_code: &'static str, ja: String, en: String) -> AppError {
    AppError::bad_request("invalid_parameter", ja.clone(), en.clone())
        .with_fields(vec![(param.to_owned(), ja, en)])
        .with_field_codes(vec![(param.to_owned(), field_code)])
}

/// A size or an index: digits only, at most `i64::MAX` (what the store keeps).
fn parse_number(param: &str, value: &str) -> AppResult<u64> {
    value
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| value.parse::<i64>().ok())
        .flatten()
        .map(i64::unsigned_abs)
        .ok_or_else(|| {
            let shown: String = value.chars().take(40).collect();
            bad_parameter(
                param,
                "integer_invalid",
                format!("{param} には0以上の整数を指定してください（指定された値：「{shown}」）。"),
                format!("{param} must be a whole number, 0 or more (got \"{shown}\")."),
            )
        })
}

/// The query string's parameters; an empty value counts as absent.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(q: Option<&str>) -> Params {
        Params(form_pairs(q.unwrap_or_default()))
    }

    fn text(&self, param: &str) -> AppResult<Option<&str>> {
        let mut given = self.0.iter().filter(|(k, v)| k == param && !v.is_empty());
        let first = given.next().map(|(_, v)| v.as_str());
        if given.next().is_some() {
            return Err(bad_parameter(
                param,
                "parameter_repeated",
                format!("{param} は1回だけ指定してください。"),
                format!("Give {param} once only."),
            ));
        }
        Ok(first)
    }

    fn number(&self, param: &str) -> AppResult<Option<u64>> {
        self.text(param)?
            .map(|v| parse_number(param, v))
            .transpose()
    }

    fn required(&self, param: &str) -> AppResult<u64> {
        self.number(param)?.ok_or_else(|| {
            bad_parameter(
                param,
                "parameter_required",
                format!("{param} を指定してください。"),
                format!("{param} is required."),
            )
        })
    }
}

// --- the API ----------------------------------------------------------------------

/// `GET /api/v1/transparency/tree-head`: the latest signed tree head
/// (signed now if the log grew since the last one).
pub async fn tree_head(State(state): State<WebState>) -> AppResult<Response> {
    Ok(Json(state.services.latest_tree_head().await?).into_response())
}

/// `GET /api/v1/transparency/tree-heads/{size}`: the head of exactly that
/// size, if one was signed (404 `tree_head_not_found`).
pub async fn tree_head_of_size(
    State(state): State<WebState>,
    Path(size): Path<String>,
) -> AppResult<Response> {
    let size = parse_number("size", &size)?;
    Ok(Json(state.services.tree_head_of_size(size).await?).into_response())
}

/// `GET /api/v1/transparency/public-key`: the key tree heads are signed
/// with, and the key receipts are signed with.
pub async fn public_key(State(state): State<WebState>) -> AppResult<Response> {
    let (public_key, key_id) = state.services.log_public_key()?;
    let (receipt_public_key, receipt_key_id) = state.services.receipt_public_key()?;
    Ok(Json(json!({
        "algorithm": "Ed25519",
        "public_key": public_key,
        "key_id": key_id,
        "receipt_public_key": receipt_public_key,
        "receipt_key_id": receipt_key_id,
    }))
    .into_response())
}

/// `GET /api/v1/transparency/proof/inclusion?tree_size=N&index=I` or
/// `?tree_size=N&leaf_hash=H`: exactly one of `index` and `leaf_hash`.
pub async fn inclusion(
    State(state): State<WebState>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let p = Params::parse(q.as_deref());
    let tree_size = p.required("tree_size")?;
    let index = p.number("index")?;
    let leaf = p.text("leaf_hash")?;
    let proof = match (index, leaf) {
        (Some(index), None) => state.services.inclusion_proof(index, tree_size).await?,
        (None, Some(hex)) => {
            let leaf = Hash::parse(hex).map_err(|e| {
                bad_parameter("leaf_hash", e.code(), e.message_ja(), e.message_en())
            })?;
            state
                .services
                .inclusion_proof_by_hash(&leaf, tree_size)
                .await?
        }
        (given, _) => {
            let (ja, en) = if given.is_some() {
                (
                    "index と leaf_hash のどちらか一方のみを指定してください。",
                    "Give index or leaf_hash, not both.",
                )
            } else {
                (
                    "index（記録番号）または leaf_hash（リーフハッシュ）を指定してください。",
                    "Give index (the entry's number) or leaf_hash.",
                )
            };
            let code = "index_or_leaf_hash";
            return Err(AppError::bad_request("invalid_parameter", ja, en)
                .with_fields(vec![
                    ("index".into(), ja.into(), en.into()),
                    ("leaf_hash".into(), ja.into(), en.into()),
                ])
                .with_field_codes(vec![("index".into(), code), ("leaf_hash".into(), code)]));
        }
    };
    Ok(Json(proof).into_response())
}

/// `GET /api/v1/transparency/proof/consistency?first=M&second=N`.
pub async fn consistency(
    State(state): State<WebState>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let p = Params::parse(q.as_deref());
    let first = p.required("first")?;
    let second = p.required("second")?;
    Ok(Json(state.services.consistency_proof(first, second).await?).into_response())
}

/// `GET /api/v1/transparency/entries?start=S&end=E`: entries `S..E`, at
/// most 1,000 (fewer past the end of the log).
pub async fn entries(State(state): State<WebState>, RawQuery(q): RawQuery) -> AppResult<Response> {
    let p = Params::parse(q.as_deref());
    let start = p.required("start")?;
    let end = p.required("end")?;
    let entries = state.services.log_entries(start, end).await?;
    Ok(Json(json!({ "entries": entries })).into_response())
}

// --- the page ---------------------------------------------------------------------

/// An entry's kind in words.
pub fn kind_name(lang: Lang, kind: &str) -> String {
    let (ja, en) = match kind {
        "tender.published" => ("公告", "Published"),
        "tender.amended" => ("訂正", "Amended"),
        "tender.cancelled" => ("中止", "Cancelled"),
        "bid.received" => ("入札書受付", "Bid received"),
        "bid.withdrawn" => ("辞退", "Bid withdrawn"),
        "opening" => ("開札", "Opening"),
        "award" => ("落札者決定", "Award decided"),
        other => return other.to_owned(),
    };
    display::pick(lang, ja, en).to_owned()
}

/// One entry on the page.
#[derive(Debug, Clone)]
pub struct EntryRow {
    pub index: u64,
    pub kind: String,
    pub kind_code: String,
    /// The tender it is about (a bid's entry does not say).
    pub tender_id: Option<i64>,
    pub appended: String,
    pub leaf_hash: String,
}

impl EntryRow {
    fn new(lang: Lang, e: &LogEntryView) -> EntryRow {
        EntryRow {
            index: e.index,
            kind: kind_name(lang, &e.kind),
            kind_code: e.kind.clone(),
            tender_id: LogEntry::parse(e.entry.as_bytes())
                .ok()
                .and_then(|x| x.tender_id()),
            appended: display::time(lang, e.appended_at),
            leaf_hash: e.leaf_hash.to_hex(),
        }
    }
}

#[derive(Template)]
#[template(path = "transparency.html")]
struct TransparencyPage {
    chrome: Chrome,
    /// The server's address, for the commands shown.
    server: String,
    log_key: String,
    log_key_id: String,
    receipt_key: String,
    receipt_key_id: String,
    tree_size: u64,
    tree_size_text: String,
    signed: String,
    signed_exact: String,
    root_hash: String,
    signature: String,
    /// The newest entries first.
    entries: Vec<EntryRow>,
}

fn signed_at(timestamp: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(timestamp)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `GET /transparency`: what the receipt proves and how to check it, the
/// keys, the latest signed tree head and the newest entries.
pub async fn page(State(state): State<WebState>, chrome: Chrome) -> AppResult<Response> {
    let lang = chrome.lang;
    let svc = &state.services;
    let (log_key, log_key_id) = svc.log_public_key()?;
    let (receipt_key, receipt_key_id) = svc.receipt_public_key()?;
    let head = svc.latest_tree_head().await?;
    let size = head.tree_size;
    let entries = if size == 0 {
        Vec::new()
    } else {
        svc.log_entries(size.saturating_sub(PAGE_ENTRIES), size)
            .await?
    };
    let view = TransparencyPage {
        server: svc.config.base_url.trim_end_matches('/').to_owned(),
        log_key,
        log_key_id,
        receipt_key,
        receipt_key_id,
        tree_size: size,
        tree_size_text: thousands(size),
        signed: signed_at(&head.timestamp)
            .map(|t| display::time(lang, t))
            .unwrap_or_default(),
        signed_exact: head.timestamp.clone(),
        root_hash: head.root_hash.to_hex(),
        signature: head.signature.clone(),
        entries: entries
            .iter()
            .rev()
            .map(|e| EntryRow::new(lang, e))
            .collect(),
        chrome,
    };
    html_page(lang, &view)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_digits_within_i64() {
        assert_eq!(parse_number("start", "0").unwrap(), 0);
        assert_eq!(parse_number("start", "0042").unwrap(), 42);
        assert_eq!(
            parse_number("start", "9223372036854775807").unwrap(),
            i64::MAX as u64
        );
        for bad in ["", "-1", "+1", "1.5", "１", "9223372036854775808", "abc"] {
            let e = parse_number("start", bad).unwrap_err();
            assert_eq!(
                (e.status().as_u16(), e.code()),
                (400, "invalid_parameter"),
                "{bad}"
            );
        }
    }

    #[test]
    fn parameters_once_and_empty_as_absent() {
        let p = Params::parse(Some("a=1&b=&c=2&c=3"));
        assert_eq!(p.number("a").unwrap(), Some(1));
        assert_eq!(p.number("b").unwrap(), None);
        assert_eq!(p.text("c").unwrap_err().code(), "invalid_parameter");
        assert_eq!(p.required("d").unwrap_err().code(), "invalid_parameter");
    }

    #[test]
    fn every_kind_has_a_name() {
        for (kind, ja) in [
            ("tender.published", "公告"),
            ("tender.amended", "訂正"),
            ("tender.cancelled", "中止"),
            ("bid.received", "入札書受付"),
            ("bid.withdrawn", "辞退"),
            ("opening", "開札"),
            ("award", "落札者決定"),
        ] {
            assert_eq!(kind_name(Lang::Ja, kind), ja);
            assert_ne!(kind_name(Lang::En, kind), kind);
        }
        assert_eq!(kind_name(Lang::Ja, "later.kind"), "later.kind");
    }
}
