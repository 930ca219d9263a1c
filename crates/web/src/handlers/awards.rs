//! The awards database (落札情報): `GET /awards` (the page), `GET
//! /awards.csv` (its CSV), and `GET /api/v1/awards` / `GET
//! /api/v1/awards.csv` (the same as JSON and CSV, errors as JSON).
//!
//! The search is the tender search's ([`TenderParams`]: the same query
//! language, filters and URL) restricted to awarded tenders, newest decision
//! first by default, plus the award's filters (`winner`, `awarded_from`,
//! `awarded_to`, `amount_min`, `amount_max`) and orders (`awarded`,
//! `amount_desc`, `amount_asc`). Every row links to the tender's public
//! results page; the CSV link carries the page's filter. Bad input is a 400
//! naming the parameter, on the page with the form as sent, in the API with
//! `invalid_parameter` or the query language's `query_*` code.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderValue, Method, StatusCode, header};
use musubi_app::ServiceError;
use musubi_app::awards::results_path;
use musubi_domain::tender::{Category, ContractMethod, TenderKind};
use musubi_domain::{Access, Prefecture, Region};
use musubi_search::{AwardHit, Sort};
use serde_json::{Value, json};

use crate::WebState;
use crate::error::AppResult;
use crate::handlers::search::api::award_json;
use crate::handlers::search::pages::{
    Choice, Pager, PrefectureGroup, SortLink, award_sorts, choices, prefecture_groups, refusal,
    total_text,
};
use crate::handlers::search::{Problems, TenderParams, page_count, thousands};
use crate::handlers::tenders::display::{self, Named, pick};
use crate::i18n::Lang;
use crate::routes::{RouteDef, route};
use crate::views::{Chrome, html_page_status};

pub const PAGE_PATH: &str = "/awards";
pub const CSV_PATH: &str = "/awards.csv";
pub const API_PATH: &str = "/api/v1/awards";
pub const API_CSV_PATH: &str = "/api/v1/awards.csv";

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    use Method as M;
    vec![
        route(M::GET, PAGE_PATH, Public, get(page)),
        route(M::GET, CSV_PATH, Public, get(csv)),
        route(M::GET, API_PATH, Public, get(api)),
        route(M::GET, API_CSV_PATH, Public, get(csv)),
    ]
}

/// One award on the page.
#[derive(Debug, Clone)]
pub struct AwardRow {
    pub tender_id: i64,
    pub results_href: String,
    /// Escaped by the index, with `<mark>` around matches.
    pub title_html: String,
    pub winner_html: String,
    pub winner_href: String,
    pub corporate_number: String,
    pub buyer_name: String,
    pub buyer_href: String,
    pub kind: String,
    pub category: String,
    pub place: String,
    /// "990,000円" / "¥990,000"; empty without a price.
    pub amount_inclusive: String,
    pub amount_exclusive: String,
    pub decided: String,
}

fn name_of<T: Named>(lang: Lang, parsed: Option<T>, raw: &str) -> String {
    parsed.map_or_else(|| raw.to_owned(), |v| v.name_in(lang).to_owned())
}

fn yen(lang: Lang, v: Option<i64>) -> String {
    v.map(|v| {
        let n = thousands(v.max(0) as u64);
        match lang {
            Lang::Ja => format!("{n}円"),
            Lang::En => format!("¥{n}"),
        }
    })
    .unwrap_or_default()
}

impl AwardRow {
    fn new(lang: Lang, h: &AwardHit) -> AwardRow {
        let t = &h.tender;
        let a = &h.award;
        AwardRow {
            tender_id: h.tender_id,
            results_href: results_path(h.tender_id),
            title_html: h.title_html.clone(),
            winner_html: h.winner_html.clone(),
            winner_href: format!("{PAGE_PATH}?winner={}", a.winner_id),
            corporate_number: a.winner_corporate_number.clone().unwrap_or_default(),
            buyer_name: t.buyer_name.clone(),
            buyer_href: format!("{PAGE_PATH}?buyer={}", t.buyer_id),
            kind: name_of(lang, TenderKind::parse(&t.kind).ok(), &t.kind),
            category: name_of(lang, Category::parse(&t.category).ok(), &t.category),
            place: match t.prefecture.as_deref() {
                Some(p) => name_of(lang, Prefecture::parse(p).ok(), p),
                None => pick(lang, "オンライン", "Online").to_owned(),
            },
            amount_inclusive: yen(lang, a.amount_tax_inclusive),
            amount_exclusive: yen(lang, a.amount_tax_exclusive),
            decided: display::time(lang, a.awarded_at),
        }
    }
}

#[derive(Template)]
#[template(path = "awards/list.html")]
struct AwardsPage {
    chrome: Chrome,
    params: TenderParams,
    errors: Vec<String>,
    problems: Problems,
    searched: bool,
    total_text: String,
    rows: Vec<AwardRow>,
    sorts: Vec<SortLink>,
    pager: Pager,
    kinds: Vec<Choice>,
    categories: Vec<Choice>,
    methods: Vec<Choice>,
    regions: Vec<Choice>,
    prefecture_groups: Vec<PrefectureGroup>,
    /// Names of the organisations the search is narrowed to, with the link
    /// that drops the condition.
    buyer_chip: Option<(String, String)>,
    winner_chip: Option<(String, String)>,
    /// This search as CSV and as JSON.
    csv_href: String,
    api_href: String,
    places_open: bool,
}

impl AwardsPage {
    fn new(chrome: Chrome, params: TenderParams) -> AwardsPage {
        let lang = chrome.lang;
        let p = &params;
        let first_page = TenderParams {
            page: String::new(),
            ..params.clone()
        };
        AwardsPage {
            kinds: choices(lang, TenderKind::ALL, TenderKind::code, |c| p.kind == c),
            categories: choices(lang, Category::ALL, Category::code, |c| p.category == c),
            methods: choices(lang, ContractMethod::ALL, ContractMethod::code, |c| {
                p.method == c
            }),
            regions: choices(lang, Region::all(), Region::code, |c| {
                p.region.iter().any(|s| s == c)
            }),
            prefecture_groups: prefecture_groups(lang, &p.prefecture),
            places_open: !p.prefecture.is_empty() || !p.region.is_empty(),
            csv_href: first_page.href(CSV_PATH),
            api_href: first_page.href(API_PATH),
            buyer_chip: None,
            winner_chip: None,
            errors: Vec::new(),
            problems: Problems::default(),
            searched: false,
            total_text: String::new(),
            rows: Vec::new(),
            sorts: Vec::new(),
            pager: Pager::default(),
            params,
            chrome,
        }
    }

    /// Whether `param` is at fault (its field is marked).
    fn bad(&self, param: &str) -> bool {
        self.problems.has(param)
    }

    fn fail(&mut self, problems: Problems) {
        self.errors = problems.messages(self.chrome.lang == Lang::Ja);
        self.problems = problems;
    }
}

/// The name of organisation `raw` (an id) for a chip, and the search without
/// the condition; `None` when the id is not a number.
async fn chip(
    state: &WebState,
    lang: Lang,
    raw: &str,
    without: TenderParams,
) -> AppResult<Option<(String, String)>> {
    let Ok(id) = raw.parse::<i64>() else {
        return Ok(None);
    };
    let name = match state.services.organization(id).await {
        Ok(o) => o.name,
        Err(ServiceError::NotFound) => match lang {
            Lang::Ja => format!("番号 {id}"),
            Lang::En => format!("#{id}"),
        },
        Err(e) => return Err(e.into()),
    };
    Ok(Some((
        name,
        TenderParams {
            page: String::new(),
            ..without
        }
        .href(PAGE_PATH),
    )))
}

/// `GET /awards`: the awards database.
pub async fn page(
    State(state): State<WebState>,
    chrome: Chrome,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let lang = chrome.lang;
    let params = TenderParams::parse(q.as_deref());
    let mut view = AwardsPage::new(chrome, params);
    let p = view.params.clone();
    view.buyer_chip = chip(
        &state,
        lang,
        &p.buyer,
        TenderParams {
            buyer: String::new(),
            ..p.clone()
        },
    )
    .await?;
    view.winner_chip = chip(
        &state,
        lang,
        &p.winner,
        TenderParams {
            winner: String::new(),
            ..p.clone()
        },
    )
    .await?;
    let query = match p.to_awards_query(false) {
        Ok(q) => q,
        Err(problems) => {
            view.fail(problems);
            return html_page_status(lang, &view, StatusCode::BAD_REQUEST);
        }
    };
    let page = match state.services.search_awards(&query.search).await {
        Ok(page) => page,
        Err(e) => {
            view.fail(refusal(e)?);
            return html_page_status(lang, &view, StatusCode::BAD_REQUEST);
        }
    };
    view.rows = page.hits.iter().map(|h| AwardRow::new(lang, h)).collect();
    view.searched = true;
    view.total_text = total_text(
        lang,
        page.total,
        query.search.offset,
        view.rows.len(),
        ("award", "awards"),
    );
    let current = p.sort_for(true);
    let mut sorts = Vec::new();
    if !p.q.trim().is_empty() {
        sorts.push(SortLink {
            label: pick(lang, "関連度順", "Relevance"),
            href: p.sorted("relevance").href(PAGE_PATH),
            current: current == Some(Sort::Relevance),
        });
    }
    sorts.extend(award_sorts(lang, &p, current, PAGE_PATH));
    view.sorts = sorts;
    view.pager = Pager::new(query.page, page_count(page.total, query.per_page), |n| {
        p.at_page(n).href(PAGE_PATH)
    });
    html_page_status(lang, &view, StatusCode::OK)
}

/// An award in the API.
fn award_item(base: &str, h: &AwardHit) -> Value {
    let t = &h.tender;
    let mut v = json!({
        "tender_id": h.tender_id,
        "url": format!("{base}{}", results_path(h.tender_id)),
        "tender_url": format!("{base}/tenders/{}", h.tender_id),
        "title": h.title,
        "title_html": h.title_html,
        "winner_html": h.winner_html,
        "score": h.score,
        "kind": t.kind,
        "category": t.category,
        "method": t.method,
        "prefecture": t.prefecture,
        "buyer": { "id": t.buyer_id, "name": t.buyer_name },
    });
    if let (Value::Object(v), Value::Object(a)) = (&mut v, award_json(&h.award)) {
        v.extend(a);
    }
    v
}

/// `GET /api/v1/awards`: one page of awards as JSON.
pub async fn api(State(state): State<WebState>, RawQuery(q): RawQuery) -> AppResult<Response> {
    let params = TenderParams::parse(q.as_deref());
    let query = params.to_awards_query(true).map_err(Problems::into_error)?;
    let page = match state.services.search_awards(&query.search).await {
        Ok(p) => p,
        Err(e) => return Err(refusal(e)?.into_error()),
    };
    let base = state.services.config.base_url.trim_end_matches('/');
    let items: Vec<Value> = page.hits.iter().map(|h| award_item(base, h)).collect();
    Ok(axum::Json(json!({
        "total": page.total,
        "page": query.page,
        "per_page": query.per_page,
        "items": items,
    }))
    .into_response())
}

/// `GET /awards.csv` and `GET /api/v1/awards.csv`: every award of the
/// search (its page ignored) as CSV. Errors: a page in the user's language,
/// or JSON under `/api/`.
pub async fn csv(State(state): State<WebState>, RawQuery(q): RawQuery) -> AppResult<Response> {
    let params = TenderParams::parse(q.as_deref());
    let query = params
        .to_awards_query(false)
        .map_err(Problems::into_error)?;
    let bytes = match state.services.awards_csv(&query.search).await {
        Ok(b) => b,
        // Not a parameter's fault: the code and message as they are.
        Err(
            e @ ServiceError::Refused {
                code: "export_too_large",
                ..
            },
        ) => return Err(e.into()),
        Err(e) => return Err(refusal(e)?.into_error()),
    };
    let day = musubi_domain::japan_date(state.services.clock.now()).format("%Y%m%d");
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) =
        HeaderValue::try_from(format!("attachment; filename=\"musubi-awards-{day}.csv\""))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys of an award item, as documented in the API description.
    const ITEM_FIELDS: [&str; 16] = [
        "tender_id",
        "url",
        "tender_url",
        "title",
        "title_html",
        "winner_html",
        "score",
        "kind",
        "category",
        "method",
        "prefecture",
        "buyer",
        "winner",
        "amount_tax_exclusive",
        "amount_tax_inclusive",
        "awarded_at",
    ];

    #[test]
    fn items_carry_their_award() {
        use chrono::TimeZone;
        let h = AwardHit {
            tender_id: 7,
            score: 0.0,
            title: "本庁舎清掃".into(),
            title_html: "本庁舎<mark>清掃</mark>".into(),
            winner_html: "東洋".into(),
            tender: musubi_search::AwardTender {
                buyer_id: 3,
                buyer_name: "千代田区".into(),
                kind: "sealed_bid".into(),
                category: "services".into(),
                method: "open".into(),
                prefecture: None,
            },
            award: musubi_search::AwardDoc {
                winner_id: 9,
                winner_name: "東洋".into(),
                winner_corporate_number: None,
                amount_tax_exclusive: Some(900_000),
                amount_tax_inclusive: Some(990_000),
                awarded_at: chrono::Utc.with_ymd_and_hms(2026, 12, 14, 1, 0, 0).unwrap(),
            },
        };
        let v = award_item("https://m.example.jp", &h);
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut want = ITEM_FIELDS.to_vec();
        want.sort_unstable();
        let mut got = keys.clone();
        got.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(v["url"], "https://m.example.jp/tenders/7/results");
        assert_eq!(v["winner"]["id"], 9);
        assert_eq!(v["awarded_at"], "2026-12-14T01:00:00Z");
        let row = AwardRow::new(Lang::Ja, &h);
        assert_eq!(row.place, "オンライン");
        assert_eq!(row.amount_inclusive, "990,000円");
        assert_eq!(row.results_href, "/tenders/7/results");
        assert_eq!(AwardRow::new(Lang::En, &h).amount_exclusive, "¥900,000");
    }
}
