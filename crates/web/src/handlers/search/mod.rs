//! Full-text search (検索): `GET /search` (tenders, the main search page),
//! `GET /search/companies`, and the same searches as JSON under
//! `/api/v1/search/…`.
//!
//! Every bit of a search is in its GET query string, so any page of results
//! has one address that can be shared and bookmarked; the form is a plain GET
//! form and the facet, sort and paging links are plain links built from the
//! same parameters. The parts:
//!
//! - this module: the routes, the parameters as they appear in the URL
//!   ([`TenderParams`], [`CompanyParams`]; the awards database, `/awards`,
//!   takes the tender search's), their checking into a
//!   [`musubi_search::TenderSearch`] / [`musubi_search::CompanySearch`], and
//!   the links that change one of them;
//! - `pages`: the HTML pages;
//! - `api`: the JSON API.
//!
//! Bad input — a query the query language refuses, an unknown filter value,
//! a date that is not YYYY-MM-DD — is a 400 that names the parameter, on the
//! page (with the form as it was sent) and in the API (`query_*` codes from
//! [`musubi_search::QueryError`], `invalid_parameter` for filters).

pub(crate) mod api;
pub(crate) mod pages;

use axum::routing::get;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use http::{Method, StatusCode};
use musubi_domain::tender::{Category, ContractMethod, TenderKind, TenderStatus};
use musubi_domain::{
    Access, Certification, Grade, GradeCategory, JsicCode, Prefecture, Region, japan_local_to_utc,
};
use musubi_search::query::MAX_QUERY_CHARS;
use musubi_search::{CompanySearch, QueryError, Sort, TenderSearch};

use crate::error::AppError;
use crate::routes::{RouteDef, percent_encode, route};

/// Results per page of the search pages (and the API's default).
pub const PAGE_SIZE: usize = 20;
/// Most results per page the API gives.
pub const MAX_PER_PAGE: usize = 50;
/// Deepest result a page may start at. Every page can be reached by its link;
/// this only refuses made-up page numbers far beyond any result, which would
/// make the index rank millions of documents just to skip them.
pub const MAX_OFFSET: usize = 1_000_000;

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    use Method as M;
    vec![
        route(M::GET, "/search", Public, get(pages::tenders_page)),
        route(
            M::GET,
            "/search/companies",
            Public,
            get(pages::companies_page),
        ),
        route(M::GET, "/api/v1/search/tenders", Public, get(api::tenders)),
        route(
            M::GET,
            "/api/v1/search/companies",
            Public,
            get(api::companies),
        ),
    ]
}

// --- problems -----------------------------------------------------------------

/// What is wrong with one parameter of a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The query parameter (`q`, `prefecture`, `deadline_to`…).
    pub param: &'static str,
    /// `query_*` for the query language, `invalid_parameter` for the rest.
    pub code: &'static str,
    pub message_ja: String,
    pub message_en: String,
}

impl Problem {
    fn query(e: &QueryError) -> Problem {
        Problem {
            param: "q",
            code: e.code(),
            message_ja: e.message_ja(),
            message_en: e.message_en(),
        }
    }

    /// An unknown or malformed value of `param`, with a hint on what it takes.
    fn invalid(param: &'static str, value: &str, hint: Option<(&str, &str)>) -> Problem {
        let (ja, en) = label(param);
        let shown: String = value.chars().take(40).collect();
        let shown = if shown.len() < value.len() {
            format!("{shown}…")
        } else {
            shown
        };
        let (hint_ja, hint_en) = hint.unwrap_or(("", ""));
        Problem {
            param,
            code: "invalid_parameter",
            message_ja: format!(
                "検索条件「{ja}」（{param}）の値「{shown}」は正しくありません。{hint_ja}"
            ),
            message_en: format!(
                "The search parameter {} cannot be \"{shown}\".{}{hint_en}",
                if en == param {
                    param.to_owned()
                } else {
                    format!("{en} ({param})")
                },
                if hint_en.is_empty() { "" } else { " " }
            ),
        }
    }
}

/// The name of a parameter on the page, in Japanese and English.
fn label(param: &str) -> (&'static str, &'static str) {
    match param {
        "q" => ("キーワード", "keywords"),
        "prefecture" => ("都道府県", "prefecture"),
        "region" => ("地域", "region"),
        "jsic" => ("業種", "industry"),
        "kind" => ("案件種別", "kind"),
        "category" => ("区分", "category"),
        "method" => ("契約方法", "contract method"),
        "status" => ("状態", "status"),
        "grade" => ("等級", "grade"),
        "certification" => ("認証・資格", "certification"),
        "buyer" => ("発注機関", "buyer"),
        "published_from" => ("公告日（から）", "published from"),
        "published_to" => ("公告日（まで）", "published until"),
        "deadline_from" => ("提出締切日（から）", "deadline from"),
        "deadline_to" => ("提出締切日（まで）", "deadline until"),
        "opening_from" => ("開札日（から）", "opening from"),
        "opening_to" => ("開札日（まで）", "opening until"),
        "price_min" => ("予定価格（下限）", "minimum reserve price"),
        "price_max" => ("予定価格（上限）", "maximum reserve price"),
        "awarded" => ("落札済み", "awarded"),
        "winner" => ("落札者", "winner"),
        "awarded_from" => ("落札決定日（から）", "awarded from"),
        "awarded_to" => ("落札決定日（まで）", "awarded until"),
        "amount_min" => ("落札金額（下限）", "minimum award amount"),
        "amount_max" => ("落札金額（上限）", "maximum award amount"),
        "sort" => ("並び順", "sort order"),
        "page" => ("ページ", "page"),
        "per_page" => ("1ページの件数", "results per page"),
        _ => ("検索条件", "parameter"),
    }
}

/// Everything wrong with a search's parameters, found at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    fn add(&mut self, p: Problem) {
        self.0.push(p);
    }

    /// Each message in the page's language.
    pub fn messages(&self, ja: bool) -> Vec<String> {
        self.0
            .iter()
            .map(|p| {
                if ja {
                    p.message_ja.clone()
                } else {
                    p.message_en.clone()
                }
            })
            .collect()
    }

    /// Whether `param` is at fault (to mark its field).
    pub fn has(&self, param: &str) -> bool {
        self.0.iter().any(|p| p.param == param)
    }

    /// The API answer: 400 with the first problem's code (a query error's own
    /// code, else `invalid_parameter`), every message, and each parameter at
    /// fault in `fields` and `field_codes`.
    pub fn into_error(self) -> AppError {
        let first = self.0.iter().find(|p| p.param == "q").or(self.0.first());
        let code = first.map_or("invalid_parameter", |p| p.code);
        let ja: Vec<&str> = self.0.iter().map(|p| p.message_ja.as_str()).collect();
        let en: Vec<&str> = self.0.iter().map(|p| p.message_en.as_str()).collect();
        AppError::new(StatusCode::BAD_REQUEST, code, ja.concat(), en.join(" "))
            .with_field_codes(
                self.0
                    .iter()
                    .map(|p| (p.param.to_owned(), p.code))
                    .collect(),
            )
            .with_fields(
                self.0
                    .into_iter()
                    .map(|p| (p.param.to_owned(), p.message_ja, p.message_en))
                    .collect(),
            )
    }
}

// --- checking values --------------------------------------------------------------

const DATE_HINT: (&str, &str) = (
    "日付は「2026-04-01」のように年-月-日で指定してください。",
    "Give dates as YYYY-MM-DD.",
);
const PRICE_HINT: (&str, &str) = (
    "金額は0以上の整数（円・税抜）で指定してください。",
    "Give an amount in yen as a whole number.",
);

/// The query: not too long, and one the query language accepts.
fn check_query(q: &str, problems: &mut Problems) {
    let err = if q.chars().count() > MAX_QUERY_CHARS {
        Some(QueryError::TooLong)
    } else {
        musubi_search::query::parse(q).err()
    };
    if let Some(e) = err {
        problems.add(Problem::query(&e));
    }
}

/// A date in Japan (YYYY-MM-DD) as the first instant of that day, or with
/// `end` the last one: a `_to` date includes its whole day.
fn japan_day(
    param: &'static str,
    raw: &str,
    end: bool,
    problems: &mut Problems,
) -> Option<DateTime<Utc>> {
    if raw.is_empty() {
        return None;
    }
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|_| raw.len() == 10);
    let instant = day.and_then(|d| {
        let (d, back) = if end {
            (d.succ_opt()?, TimeDelta::nanoseconds(1))
        } else {
            (d, TimeDelta::zero())
        };
        Some(japan_local_to_utc(d.and_hms_opt(0, 0, 0)?)? - back)
    });
    if instant.is_none() {
        problems.add(Problem::invalid(param, raw, Some(DATE_HINT)));
    }
    instant
}

/// An amount in yen: digits, with thousands separators, full-width digits or
/// a trailing 円 allowed.
fn yen(param: &'static str, raw: &str, problems: &mut Problems) -> Option<i64> {
    if raw.is_empty() {
        return None;
    }
    let digits: String = raw
        .trim_end_matches('円')
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '\u{3000}'))
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            c => c,
        })
        .collect();
    let v = (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse::<i64>().ok())
        .flatten();
    if v.is_none() {
        problems.add(Problem::invalid(param, raw, Some(PRICE_HINT)));
    }
    v
}

/// A code parsed by `parse` and written back as its stable code.
fn code_of<T>(
    param: &'static str,
    raw: &str,
    parse: impl Fn(&str) -> Option<T>,
    code: impl Fn(T) -> String,
    problems: &mut Problems,
) -> Option<String> {
    if raw.is_empty() {
        return None;
    }
    match parse(raw) {
        Some(v) => Some(code(v)),
        None => {
            problems.add(Problem::invalid(param, raw, None));
            None
        }
    }
}

/// Several codes (a repeatable parameter), each checked.
fn codes_of<T>(
    param: &'static str,
    raws: &[String],
    parse: impl Fn(&str) -> Option<T>,
    code: impl Fn(T) -> String,
    problems: &mut Problems,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in raws {
        if let Some(c) = code_of(param, raw, &parse, &code, problems)
            && !out.contains(&c)
        {
            out.push(c);
        }
    }
    out
}

/// An organisation's id (a positive integer).
fn org_id(param: &'static str, raw: &str, problems: &mut Problems) -> Option<i64> {
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<i64>() {
        Ok(id) if id > 0 => Some(id),
        _ => {
            problems.add(Problem::invalid(param, raw, None));
            None
        }
    }
}

fn prefecture_code(s: &str) -> Option<&'static str> {
    Prefecture::parse(s).ok().map(Prefecture::code)
}

fn jsic_code(s: &str) -> Option<String> {
    JsicCode::parse(s).ok().map(|j| j.to_string())
}

/// The page number (1 by default) and the offset of its first result.
fn page_and_offset(raw: &str, per_page: usize, problems: &mut Problems) -> (u64, usize) {
    if raw.is_empty() {
        return (1, 0);
    }
    match raw.parse::<u64>() {
        Ok(n) if n >= 1 => {
            let offset = usize::try_from(n - 1)
                .ok()
                .and_then(|p| p.checked_mul(per_page))
                .filter(|o| *o <= MAX_OFFSET);
            match offset {
                Some(o) => (n, o),
                None => {
                    problems.add(Problem::invalid(
                        "page",
                        raw,
                        Some((
                            "ページ番号が大きすぎます。",
                            "The page number is too large.",
                        )),
                    ));
                    (1, 0)
                }
            }
        }
        _ => {
            problems.add(Problem::invalid(
                "page",
                raw,
                Some((
                    "ページ番号は1以上の整数です。",
                    "Pages are numbered from 1.",
                )),
            ));
            (1, 0)
        }
    }
}

/// `per_page` of the API: 1 to [`MAX_PER_PAGE`], [`PAGE_SIZE`] by default.
fn per_page_of(raw: &str, problems: &mut Problems) -> usize {
    if raw.is_empty() {
        return PAGE_SIZE;
    }
    match raw.parse::<usize>() {
        Ok(n) if (1..=MAX_PER_PAGE).contains(&n) => n,
        _ => {
            problems.add(Problem::invalid(
                "per_page",
                raw,
                Some(("1〜50の整数で指定してください。", "Give 1 to 50.")),
            ));
            PAGE_SIZE
        }
    }
}

/// The statuses of `status=open`: tenders still taking part (公告中 to 受付中).
pub const OPEN_STATUSES: [TenderStatus; 4] = [
    TenderStatus::Published,
    TenderStatus::AcceptingApplications,
    TenderStatus::ApplicationsClosed,
    TenderStatus::Tendering,
];

// --- the query string ---------------------------------------------------------------

/// Builds a query string from (key, value) pairs, leaving out empty values.
fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn with_query(path: &str, query: String) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// A repeatable parameter's values with `value` added, or removed if present.
fn toggled(list: &[String], value: &str) -> Vec<String> {
    if list.iter().any(|v| v == value) {
        list.iter().filter(|v| *v != value).cloned().collect()
    } else {
        let mut l = list.to_vec();
        l.push(value.to_owned());
        l
    }
}

// --- tenders ----------------------------------------------------------------------------

/// A tender search as it appears in the URL, values as sent (so the form
/// shows them again, even wrong ones). Repeatable: `prefecture`, `region`,
/// `status`; for the others the last value counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenderParams {
    pub q: String,
    pub prefecture: Vec<String>,
    pub region: Vec<String>,
    pub jsic: String,
    pub kind: String,
    pub category: String,
    pub method: String,
    pub status: Vec<String>,
    pub grade: String,
    pub buyer: String,
    pub published_from: String,
    pub published_to: String,
    pub deadline_from: String,
    pub deadline_to: String,
    pub opening_from: String,
    pub opening_to: String,
    pub price_min: String,
    pub price_max: String,
    /// `1`: awarded tenders only.
    pub awarded: String,
    /// The winning organisation's id.
    pub winner: String,
    pub awarded_from: String,
    pub awarded_to: String,
    /// 落札金額 (税抜) bounds.
    pub amount_min: String,
    pub amount_max: String,
    pub sort: String,
    pub page: String,
    /// The API's page size.
    pub per_page: String,
}

/// A checked tender search and where its page is.
#[derive(Debug, Clone, PartialEq)]
pub struct TenderQuery {
    pub search: TenderSearch,
    pub page: u64,
    pub per_page: usize,
}

impl TenderParams {
    pub fn parse(query: Option<&str>) -> TenderParams {
        let mut p = TenderParams::default();
        for (k, v) in crate::extract::form_pairs(query.unwrap_or_default()) {
            if k == "q" {
                p.q = v;
                continue;
            }
            let v = v.trim().to_owned();
            match k.as_str() {
                "prefecture" if !v.is_empty() => p.prefecture.push(v),
                "region" if !v.is_empty() => p.region.push(v),
                "status" if !v.is_empty() => p.status.push(v),
                "jsic" => p.jsic = v,
                "kind" => p.kind = v,
                "category" => p.category = v,
                "method" => p.method = v,
                "grade" => p.grade = v,
                "buyer" => p.buyer = v,
                "published_from" => p.published_from = v,
                "published_to" => p.published_to = v,
                "deadline_from" => p.deadline_from = v,
                "deadline_to" => p.deadline_to = v,
                "opening_from" => p.opening_from = v,
                "opening_to" => p.opening_to = v,
                "price_min" => p.price_min = v,
                "price_max" => p.price_max = v,
                "awarded" => p.awarded = v,
                "winner" => p.winner = v,
                "awarded_from" => p.awarded_from = v,
                "awarded_to" => p.awarded_to = v,
                "amount_min" => p.amount_min = v,
                "amount_max" => p.amount_max = v,
                "sort" => p.sort = v,
                "page" => p.page = v,
                "per_page" => p.per_page = v,
                _ => {}
            }
        }
        p
    }

    /// Whether anything narrows the search (a query or a filter).
    pub fn is_filtered(&self) -> bool {
        !self.q.trim().is_empty()
            || !self.prefecture.is_empty()
            || !self.region.is_empty()
            || !self.status.is_empty()
            || [
                &self.jsic,
                &self.kind,
                &self.category,
                &self.method,
                &self.grade,
                &self.buyer,
                &self.published_from,
                &self.published_to,
                &self.deadline_from,
                &self.deadline_to,
                &self.opening_from,
                &self.opening_to,
                &self.price_min,
                &self.price_max,
                &self.awarded,
                &self.winner,
                &self.awarded_from,
                &self.awarded_to,
                &self.amount_min,
                &self.amount_max,
            ]
            .iter()
            .any(|v| !v.is_empty())
    }

    /// The order results come in: as asked, else by relevance for a query
    /// and newest first without one (relevance means nothing without words).
    pub fn sort(&self) -> Option<Sort> {
        self.sort_for(false)
    }

    /// [`Self::sort`], or for the awards database (`awards`): newest
    /// decision first unless asked otherwise, and relevance only with words.
    pub fn sort_for(&self, awards: bool) -> Option<Sort> {
        let has_query = !self.q.trim().is_empty();
        match self.sort.as_str() {
            "" if awards => Some(Sort::Awarded),
            "" | "relevance" if has_query => Some(Sort::Relevance),
            "relevance" if awards => Some(Sort::Awarded),
            "" | "relevance" | "newest" => Some(Sort::Newest),
            "deadline" => Some(Sort::Deadline),
            "awarded" => Some(Sort::Awarded),
            "amount_desc" => Some(Sort::AmountDesc),
            "amount_asc" => Some(Sort::AmountAsc),
            _ => None,
        }
    }

    /// The search, or every problem with the parameters. `api` takes
    /// `per_page` into account; pages always show [`PAGE_SIZE`].
    pub fn to_query(&self, api: bool) -> Result<TenderQuery, Problems> {
        self.checked(api, false)
    }

    /// The search of the awards database: [`Self::to_query`] of awarded
    /// tenders only, newest decision first by default.
    pub fn to_awards_query(&self, api: bool) -> Result<TenderQuery, Problems> {
        self.checked(api, true)
    }

    fn checked(&self, api: bool, awards: bool) -> Result<TenderQuery, Problems> {
        let mut pr = Problems::default();
        check_query(&self.q, &mut pr);
        let statuses = {
            let mut out: Vec<String> = Vec::new();
            for s in &self.status {
                let codes: Vec<&str> = match s.as_str() {
                    "open" => OPEN_STATUSES.iter().map(|s| s.code()).collect(),
                    s => match TenderStatus::parse(s) {
                        Ok(TenderStatus::Draft) | Err(_) => {
                            pr.add(Problem::invalid("status", s, None));
                            Vec::new()
                        }
                        Ok(st) => vec![st.code()],
                    },
                };
                for c in codes {
                    if !out.iter().any(|o| o == c) {
                        out.push(c.to_owned());
                    }
                }
            }
            out
        };
        let prefectures = codes_of(
            "prefecture",
            &self.prefecture,
            prefecture_code,
            str::to_owned,
            &mut pr,
        );
        let regions = codes_of(
            "region",
            &self.region,
            |s| Region::parse(s).ok(),
            |r| r.code().to_owned(),
            &mut pr,
        );
        let jsic = code_of("jsic", &self.jsic, jsic_code, |s| s, &mut pr);
        let one = |param, raw: &str, parse: fn(&str) -> Option<&'static str>, pr: &mut Problems| {
            code_of(param, raw, parse, str::to_owned, pr)
                .into_iter()
                .collect::<Vec<_>>()
        };
        let kinds = one(
            "kind",
            &self.kind,
            |s| TenderKind::parse(s).ok().map(TenderKind::code),
            &mut pr,
        );
        let categories = one(
            "category",
            &self.category,
            |s| Category::parse(s).ok().map(Category::code),
            &mut pr,
        );
        let methods = one(
            "method",
            &self.method,
            |s| ContractMethod::parse(s).ok().map(ContractMethod::code),
            &mut pr,
        );
        let grade = code_of(
            "grade",
            &self.grade,
            |s| Grade::parse(s).ok(),
            |g| g.code().to_owned(),
            &mut pr,
        );
        let buyer = org_id("buyer", &self.buyer, &mut pr);
        let winner = org_id("winner", &self.winner, &mut pr);
        let awarded = match self.awarded.as_str() {
            "" | "0" | "false" => awards,
            "1" | "true" | "on" => true,
            raw => {
                pr.add(Problem::invalid(
                    "awarded",
                    raw,
                    Some(("1 を指定してください。", "Give 1.")),
                ));
                awards
            }
        };
        let awarded_from = japan_day("awarded_from", &self.awarded_from, false, &mut pr);
        let awarded_to = japan_day("awarded_to", &self.awarded_to, true, &mut pr);
        let amount_min = yen("amount_min", &self.amount_min, &mut pr);
        let amount_max = yen("amount_max", &self.amount_max, &mut pr);
        let published_from = japan_day("published_from", &self.published_from, false, &mut pr);
        let published_to = japan_day("published_to", &self.published_to, true, &mut pr);
        let deadline_from = japan_day("deadline_from", &self.deadline_from, false, &mut pr);
        let deadline_to = japan_day("deadline_to", &self.deadline_to, true, &mut pr);
        let opening_from = japan_day("opening_from", &self.opening_from, false, &mut pr);
        let opening_to = japan_day("opening_to", &self.opening_to, true, &mut pr);
        let price_min = yen("price_min", &self.price_min, &mut pr);
        let price_max = yen("price_max", &self.price_max, &mut pr);
        let sort = self.sort_for(awards).unwrap_or_else(|| {
            pr.add(Problem::invalid(
                "sort",
                &self.sort,
                Some((
                    "relevance・newest・deadline・awarded・amount_desc・amount_asc のいずれかです。",
                    "It is relevance, newest, deadline, awarded, amount_desc or amount_asc.",
                )),
            ));
            Sort::Newest
        });
        let per_page = if api {
            per_page_of(&self.per_page, &mut pr)
        } else {
            PAGE_SIZE
        };
        let (page, offset) = page_and_offset(&self.page, per_page, &mut pr);
        if !pr.0.is_empty() {
            return Err(pr);
        }
        Ok(TenderQuery {
            search: TenderSearch {
                q: self.q.trim().to_owned(),
                prefectures,
                regions,
                jsic,
                kinds,
                categories,
                methods,
                statuses,
                grade,
                buyer,
                published_from,
                published_to,
                deadline_from,
                deadline_to,
                opening_from,
                opening_to,
                price_min,
                price_max,
                awarded,
                winner,
                awarded_from,
                awarded_to,
                amount_min,
                amount_max,
                sort,
                offset,
                limit: per_page,
            },
            page,
            per_page,
        })
    }

    /// The query string of this search (without the page unless `page` > 1,
    /// without `per_page`).
    pub fn query_string(&self) -> String {
        let mut pairs: Vec<(&str, &str)> = vec![("q", self.q.as_str())];
        pairs.extend(self.prefecture.iter().map(|v| ("prefecture", v.as_str())));
        pairs.extend(self.region.iter().map(|v| ("region", v.as_str())));
        pairs.extend([
            ("jsic", self.jsic.as_str()),
            ("kind", &self.kind),
            ("category", &self.category),
            ("method", &self.method),
        ]);
        pairs.extend(self.status.iter().map(|v| ("status", v.as_str())));
        pairs.extend([
            ("grade", self.grade.as_str()),
            ("buyer", &self.buyer),
            ("published_from", &self.published_from),
            ("published_to", &self.published_to),
            ("deadline_from", &self.deadline_from),
            ("deadline_to", &self.deadline_to),
            ("opening_from", &self.opening_from),
            ("opening_to", &self.opening_to),
            ("price_min", &self.price_min),
            ("price_max", &self.price_max),
            ("awarded", &self.awarded),
            ("winner", &self.winner),
            ("awarded_from", &self.awarded_from),
            ("awarded_to", &self.awarded_to),
            ("amount_min", &self.amount_min),
            ("amount_max", &self.amount_max),
            ("sort", &self.sort),
        ]);
        if !matches!(self.page.as_str(), "" | "1") {
            pairs.push(("page", &self.page));
        }
        query_string(pairs)
    }

    /// The address of this search on `path`.
    pub fn href(&self, path: &str) -> String {
        with_query(path, self.query_string())
    }

    /// The same search on another page.
    pub fn at_page(&self, page: u64) -> TenderParams {
        TenderParams {
            page: page.to_string(),
            ..self.clone()
        }
    }

    /// The same search in another order, from its first page.
    pub fn sorted(&self, sort: &str) -> TenderParams {
        TenderParams {
            sort: sort.to_owned(),
            page: String::new(),
            ..self.clone()
        }
    }

    /// The search with a facet value chosen (or, if chosen, dropped), from
    /// the first page: `status` and `prefecture` add to the values chosen;
    /// `kind`, `category` and `method` replace the value.
    pub fn with_facet(&self, facet: &str, value: &str) -> TenderParams {
        let mut p = TenderParams {
            page: String::new(),
            ..self.clone()
        };
        let single = |current: &str| {
            if current == value {
                String::new()
            } else {
                value.to_owned()
            }
        };
        match facet {
            "kind" => p.kind = single(&self.kind),
            "category" => p.category = single(&self.category),
            "method" => p.method = single(&self.method),
            "status" => p.status = toggled(&self.status, value),
            "prefecture" => p.prefecture = toggled(&self.prefecture, value),
            "awarded" => {
                p.awarded = if self.has_facet("awarded", value) {
                    String::new()
                } else {
                    "1".to_owned()
                }
            }
            _ => {}
        }
        p
    }

    /// Whether `value` of `facet` is chosen.
    pub fn has_facet(&self, facet: &str, value: &str) -> bool {
        match facet {
            "kind" => self.kind == value,
            "category" => self.category == value,
            "method" => self.method == value,
            "status" => self.status.iter().any(|v| v == value),
            "prefecture" => self.prefecture.iter().any(|v| v == value),
            "awarded" => matches!(self.awarded.as_str(), "1" | "true" | "on"),
            _ => false,
        }
    }
}

// --- companies ----------------------------------------------------------------------------

/// A company search as it appears in the URL. Repeatable: `prefecture`,
/// `region`. `grade` is "category:grade" (e.g. `goods:C`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyParams {
    pub q: String,
    pub prefecture: Vec<String>,
    pub region: Vec<String>,
    pub jsic: String,
    pub certification: String,
    pub grade: String,
    pub page: String,
    pub per_page: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompanyQuery {
    pub search: CompanySearch,
    pub page: u64,
    pub per_page: usize,
}

/// "goods:C" (or "goods:c") as its codes.
fn category_grade(s: &str) -> Option<String> {
    let (c, g) = s.split_once(':')?;
    let c = GradeCategory::parse(c).ok()?;
    let g = Grade::parse(&g.trim().to_ascii_uppercase()).ok()?;
    Some(format!("{}:{}", c.code(), g.code()))
}

impl CompanyParams {
    pub fn parse(query: Option<&str>) -> CompanyParams {
        let mut p = CompanyParams::default();
        for (k, v) in crate::extract::form_pairs(query.unwrap_or_default()) {
            if k == "q" {
                p.q = v;
                continue;
            }
            let v = v.trim().to_owned();
            match k.as_str() {
                "prefecture" if !v.is_empty() => p.prefecture.push(v),
                "region" if !v.is_empty() => p.region.push(v),
                "jsic" => p.jsic = v,
                "certification" => p.certification = v,
                "grade" => p.grade = v,
                "page" => p.page = v,
                "per_page" => p.per_page = v,
                _ => {}
            }
        }
        p
    }

    pub fn is_filtered(&self) -> bool {
        !self.q.trim().is_empty()
            || !self.prefecture.is_empty()
            || !self.region.is_empty()
            || !self.jsic.is_empty()
            || !self.certification.is_empty()
            || !self.grade.is_empty()
    }

    pub fn to_query(&self, api: bool) -> Result<CompanyQuery, Problems> {
        let mut pr = Problems::default();
        check_query(&self.q, &mut pr);
        let prefectures = codes_of(
            "prefecture",
            &self.prefecture,
            prefecture_code,
            str::to_owned,
            &mut pr,
        );
        let regions = codes_of(
            "region",
            &self.region,
            |s| Region::parse(s).ok(),
            |r| r.code().to_owned(),
            &mut pr,
        );
        let jsic = code_of("jsic", &self.jsic, jsic_code, |s| s, &mut pr);
        let certification = code_of(
            "certification",
            &self.certification,
            |s| Certification::parse(s).ok(),
            |c| c.code().to_owned(),
            &mut pr,
        );
        let grade = if self.grade.is_empty() {
            None
        } else {
            let g = category_grade(&self.grade);
            if g.is_none() {
                pr.add(Problem::invalid(
                    "grade",
                    &self.grade,
                    Some((
                        "「goods:C」のように区分:等級で指定してください。",
                        "Give category:grade, e.g. goods:C.",
                    )),
                ));
            }
            g
        };
        let per_page = if api {
            per_page_of(&self.per_page, &mut pr)
        } else {
            PAGE_SIZE
        };
        let (page, offset) = page_and_offset(&self.page, per_page, &mut pr);
        if !pr.0.is_empty() {
            return Err(pr);
        }
        Ok(CompanyQuery {
            search: CompanySearch {
                q: self.q.trim().to_owned(),
                prefectures,
                regions,
                jsic,
                certification,
                grade,
                offset,
                limit: per_page,
            },
            page,
            per_page,
        })
    }

    pub fn query_string(&self) -> String {
        let mut pairs: Vec<(&str, &str)> = vec![("q", self.q.as_str())];
        pairs.extend(self.prefecture.iter().map(|v| ("prefecture", v.as_str())));
        pairs.extend(self.region.iter().map(|v| ("region", v.as_str())));
        pairs.extend([
            ("jsic", self.jsic.as_str()),
            ("certification", &self.certification),
            ("grade", &self.grade),
        ]);
        if !matches!(self.page.as_str(), "" | "1") {
            pairs.push(("page", &self.page));
        }
        query_string(pairs)
    }

    pub fn href(&self, path: &str) -> String {
        with_query(path, self.query_string())
    }

    pub fn at_page(&self, page: u64) -> CompanyParams {
        CompanyParams {
            page: page.to_string(),
            ..self.clone()
        }
    }

    /// The search with a prefecture added (or dropped), from the first page.
    pub fn with_prefecture(&self, code: &str) -> CompanyParams {
        CompanyParams {
            prefecture: toggled(&self.prefecture, code),
            page: String::new(),
            ..self.clone()
        }
    }
}

// --- shared by pages and API ---------------------------------------------------------------

/// "1,234".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Number of pages of `total` results.
pub fn page_count(total: u64, per_page: usize) -> u64 {
    total.div_ceil(per_page.max(1) as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tender_params_round_trip_through_the_url() {
        let url = "q=%E6%B8%85%E6%8E%83%20%E5%A7%94%E8%A8%97&prefecture=13&prefecture=27&region=kanto&jsic=E&kind=sealed_bid&category=goods&method=open&status=open&status=awarded&grade=C&buyer=7&published_from=2026-04-01&published_to=2026-04-30&deadline_from=2026-05-01&deadline_to=2026-05-31&opening_from=2026-06-01&opening_to=2026-06-30&price_min=1000000&price_max=5000000&sort=deadline&page=3";
        let p = TenderParams::parse(Some(url));
        assert_eq!(p.q, "清掃 委託");
        assert_eq!(p.prefecture, ["13", "27"]);
        assert_eq!(p.status, ["open", "awarded"]);
        let q = p.to_query(false).unwrap();
        assert_eq!(q.page, 3);
        assert_eq!(q.search.offset, 40);
        assert_eq!(q.search.limit, PAGE_SIZE);
        assert_eq!(q.search.statuses.len(), 5);
        assert_eq!(q.search.kinds, ["sealed_bid"]);
        assert_eq!(q.search.jsic.as_deref(), Some("E"));
        assert_eq!(q.search.sort, Sort::Deadline);
        assert_eq!(q.search.price_max, Some(5_000_000));
        // Japan days: 2026-04-01 00:00 JST is 2026-03-31 15:00 UTC; the `to`
        // day is included whole.
        assert_eq!(
            q.search.published_from.unwrap().to_rfc3339(),
            "2026-03-31T15:00:00+00:00"
        );
        let to = q.search.published_to.unwrap();
        assert!(to < "2026-04-30T15:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert!(to > "2026-04-30T14:59:59Z".parse::<DateTime<Utc>>().unwrap());
        // The link of the page is the same search.
        assert_eq!(p.href("/search"), format!("/search?{url}"));
        let again = TenderParams::parse(p.href("/search").split_once('?').map(|x| x.1));
        assert_eq!(again, p);
        assert_eq!(TenderParams::default().href("/search"), "/search");
    }

    #[test]
    fn defaults_and_sorting() {
        let p = TenderParams::parse(None);
        assert!(!p.is_filtered());
        let q = p.to_query(false).unwrap();
        assert_eq!(q.search.sort, Sort::Newest);
        assert_eq!((q.page, q.search.offset), (1, 0));
        assert_eq!(
            TenderParams::parse(Some("q=a")).sort(),
            Some(Sort::Relevance)
        );
        assert_eq!(
            TenderParams::parse(Some("q=a&sort=newest")).sort(),
            Some(Sort::Newest)
        );
        assert_eq!(
            TenderParams::parse(Some("sort=relevance")).sort(),
            Some(Sort::Newest)
        );
        let p = TenderParams::parse(Some("q=x&page=4"));
        assert_eq!(
            p.sorted("deadline").href("/search"),
            "/search?q=x&sort=deadline"
        );
        assert_eq!(p.at_page(5).href("/search"), "/search?q=x&page=5");
        assert_eq!(p.at_page(1).href("/search"), "/search?q=x");
    }

    #[test]
    fn facets_add_replace_and_drop() {
        let p = TenderParams::parse(Some("kind=rfq&status=tendering&page=2"));
        assert_eq!(
            p.with_facet("kind", "sealed_bid").href("/search"),
            "/search?kind=sealed_bid&status=tendering"
        );
        assert_eq!(
            p.with_facet("kind", "rfq").href("/search"),
            "/search?status=tendering"
        );
        assert_eq!(
            p.with_facet("status", "closed").href("/search"),
            "/search?kind=rfq&status=tendering&status=closed"
        );
        assert_eq!(
            p.with_facet("status", "tendering").href("/search"),
            "/search?kind=rfq"
        );
        assert_eq!(
            p.with_facet("prefecture", "13").href("/search"),
            "/search?prefecture=13&kind=rfq&status=tendering"
        );
        assert!(p.has_facet("kind", "rfq") && !p.has_facet("kind", "need"));
    }

    fn problems(url: &str) -> Vec<(&'static str, &'static str)> {
        TenderParams::parse(Some(url))
            .to_query(true)
            .unwrap_err()
            .0
            .iter()
            .map(|p| (p.param, p.code))
            .collect()
    }

    #[test]
    fn bad_values_name_their_parameter() {
        for (url, param) in [
            ("prefecture=99", "prefecture"),
            ("region=atlantis", "region"),
            ("jsic=ZZ", "jsic"),
            ("kind=foo", "kind"),
            ("category=food", "category"),
            ("method=x", "method"),
            ("status=draft", "status"),
            ("status=nope", "status"),
            ("grade=E", "grade"),
            ("buyer=x", "buyer"),
            ("buyer=-3", "buyer"),
            ("published_from=2026-13-01", "published_from"),
            ("deadline_to=2026/05/01", "deadline_to"),
            ("opening_from=yesterday", "opening_from"),
            ("price_min=-5", "price_min"),
            ("price_max=1e6", "price_max"),
            ("sort=random", "sort"),
            ("page=0", "page"),
            ("page=x", "page"),
            ("page=99999999999999999999", "page"),
            ("per_page=500", "per_page"),
        ] {
            assert_eq!(problems(url), [(param, "invalid_parameter")], "{url}");
        }
        let all = problems("prefecture=99&kind=foo&deadline_to=x");
        assert_eq!(all.len(), 3);
        let e = TenderParams::parse(Some("prefecture=99"))
            .to_query(false)
            .unwrap_err();
        assert!(e.0[0].message_ja.contains("都道府県"), "{:?}", e);
        assert!(e.0[0].message_ja.contains("prefecture"), "{:?}", e);
        let e = e.into_error();
        assert_eq!((e.status().as_u16(), e.code()), (400, "invalid_parameter"));
        assert!(e.to_json(crate::i18n::Lang::Ja)["error"]["fields"]["prefecture"].is_string());
    }

    #[test]
    fn names_and_spellings_become_codes() {
        let q = TenderParams::parse(Some(
            "prefecture=%E6%9D%B1%E4%BA%AC%E9%83%BD&prefecture=13&jsic=e0911&price_min=1%2C200%2C000%E5%86%86&price_max=%EF%BC%95%EF%BC%90%EF%BC%90",
        ))
        .to_query(false)
        .unwrap();
        assert_eq!(q.search.prefectures, ["13"]);
        assert_eq!(q.search.jsic.as_deref(), Some("0911"));
        assert_eq!(q.search.price_min, Some(1_200_000));
        assert_eq!(q.search.price_max, Some(500));
    }

    #[test]
    fn query_errors_keep_their_code() {
        let long = "a".repeat(MAX_QUERY_CHARS + 1);
        assert_eq!(problems(&format!("q={long}")), [("q", "query_too_long")]);
        let e = TenderParams::parse(Some(&format!("q={long}&kind=foo")))
            .to_query(false)
            .unwrap_err()
            .into_error();
        assert_eq!(e.code(), "query_too_long");
        let ok = "あ".repeat(MAX_QUERY_CHARS);
        assert!(
            TenderParams::parse(Some(&format!("q={}", percent_encode(&ok))))
                .to_query(false)
                .is_ok()
        );
    }

    #[test]
    fn company_params() {
        let url = "q=%E5%8D%B0%E5%88%B7&prefecture=13&region=kinki&jsic=E&certification=iso9001&grade=goods%3AC&page=2";
        let p = CompanyParams::parse(Some(url));
        let q = p.to_query(false).unwrap();
        assert_eq!(q.search.grade.as_deref(), Some("goods:C"));
        assert_eq!(q.search.regions, ["kinki"]);
        assert_eq!(q.search.offset, PAGE_SIZE);
        assert_eq!(
            CompanyParams::parse(p.href("/s").split_once('?').map(|x| x.1)),
            p
        );
        assert_eq!(
            p.with_prefecture("13").href("/s"),
            "/s?q=%E5%8D%B0%E5%88%B7&region=kinki&jsic=E&certification=iso9001&grade=goods%3AC"
        );
        for (url, param) in [
            ("grade=C", "grade"),
            ("grade=food:C", "grade"),
            ("certification=iso1", "certification"),
            ("prefecture=0", "prefecture"),
        ] {
            let e = CompanyParams::parse(Some(url)).to_query(false).unwrap_err();
            assert_eq!(e.0[0].param, param, "{url}");
        }
    }

    #[test]
    fn award_filters_and_sorts() {
        let url = "q=%E5%8D%B0%E5%88%B7&awarded=1&winner=9&awarded_from=2026-04-01&awarded_to=2026-04-30&amount_min=1000000&amount_max=5%2C000%2C000&sort=amount_desc";
        let p = TenderParams::parse(Some(url));
        assert_eq!(p.href("/search"), format!("/search?{url}"));
        let q = p.to_query(false).unwrap().search;
        assert!(q.awarded);
        assert_eq!(q.winner, Some(9));
        assert_eq!(
            (q.amount_min, q.amount_max),
            (Some(1_000_000), Some(5_000_000))
        );
        assert_eq!(
            q.awarded_from.unwrap().to_rfc3339(),
            "2026-03-31T15:00:00+00:00"
        );
        assert_eq!(q.sort, Sort::AmountDesc);
        assert!(p.has_facet("awarded", musubi_search::AWARDED));
        assert_eq!(
            p.with_facet("awarded", musubi_search::AWARDED).awarded,
            "",
            "the facet link drops the filter"
        );

        // The awards database: awarded whatever the URL says, newest
        // decision first, relevance only with words.
        let awards = |url: &str| {
            TenderParams::parse(Some(url))
                .to_awards_query(true)
                .unwrap()
                .search
        };
        let plain = awards("");
        assert!(plain.awarded);
        assert_eq!(plain.sort, Sort::Awarded);
        assert_eq!(awards("q=a").sort, Sort::Awarded);
        assert_eq!(awards("q=a&sort=relevance").sort, Sort::Relevance);
        assert_eq!(awards("sort=relevance").sort, Sort::Awarded);
        assert_eq!(awards("sort=amount_asc").sort, Sort::AmountAsc);
        assert!(
            !TenderParams::default()
                .to_query(true)
                .unwrap()
                .search
                .awarded
        );

        for (url, param) in [
            ("awarded=yes", "awarded"),
            ("winner=x", "winner"),
            ("winner=0", "winner"),
            ("awarded_from=2026-13-01", "awarded_from"),
            ("awarded_to=tomorrow", "awarded_to"),
            ("amount_min=-1", "amount_min"),
            ("amount_max=1e6", "amount_max"),
            ("sort=cheapest", "sort"),
        ] {
            assert_eq!(problems(url), [(param, "invalid_parameter")], "{url}");
            let e = TenderParams::parse(Some(url))
                .to_awards_query(true)
                .unwrap_err();
            assert_eq!(e.0[0].param, param, "{url}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(page_count(0, 20), 1);
        assert_eq!(page_count(41, 20), 3);
    }
}
