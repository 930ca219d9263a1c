//! The search pages: `/search` (tenders) and `/search/companies`. A plain
//! GET form, facet counts as links, sort links and page links, all built
//! from the URL's parameters; bad input is shown on the page with a 400.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use http::StatusCode;
use musubi_app::ServiceError;
use musubi_domain::tender::{Category, ContractMethod, TenderKind, TenderStatus};
use musubi_domain::{Certification, Grade, GradeCategory, JsicDivision, Prefecture, Region};
use musubi_search::FacetCount;
use musubi_storage::{CompanyProfile, Tender};

use super::{CompanyParams, Problems, TenderParams, page_count, thousands};
use crate::WebState;
use crate::error::AppResult;
use crate::handlers::tenders::display::{self, Named, pick};
use crate::i18n::Lang;
use crate::views::{Chrome, html_page_status};

/// One choice of a select or a checkbox.
#[derive(Debug, Clone)]
pub struct Choice {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

pub(crate) fn choices<T: Named>(
    lang: Lang,
    all: &[T],
    code: impl Fn(T) -> &'static str,
    selected: impl Fn(&str) -> bool,
) -> Vec<Choice> {
    all.iter()
        .map(|x| Choice {
            code: code(*x).to_owned(),
            label: x.name_in(lang).to_owned(),
            selected: selected(code(*x)),
        })
        .collect()
}

/// A region's prefectures, as checkboxes.
#[derive(Debug, Clone)]
pub struct PrefectureGroup {
    pub label: &'static str,
    pub prefectures: Vec<Choice>,
}

pub(crate) fn prefecture_groups(lang: Lang, chosen: &[String]) -> Vec<PrefectureGroup> {
    Region::all()
        .iter()
        .map(|r| PrefectureGroup {
            label: r.name_in(lang),
            prefectures: choices(lang, r.prefectures(), Prefecture::code, |c| {
                chosen.iter().any(|s| s == c)
            }),
        })
        .collect()
}

/// A facet value: its label, count and the link that chooses (or drops) it.
#[derive(Debug, Clone)]
pub struct FacetLink {
    pub label: String,
    pub count: String,
    pub href: String,
    pub selected: bool,
}

#[derive(Debug, Clone)]
pub struct FacetGroup {
    pub param: &'static str,
    pub title: &'static str,
    pub links: Vec<FacetLink>,
}

#[derive(Debug, Clone)]
pub struct SortLink {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

#[derive(Debug, Clone)]
pub struct PageLink {
    pub number: u64,
    pub href: String,
    pub current: bool,
    /// Pages are left out before this one ("…").
    pub gap_before: bool,
}

/// Links to the pages around the current one, the first and the last: every
/// page is reachable, however many there are.
#[derive(Debug, Clone, Default)]
pub struct Pager {
    pub page: u64,
    pub pages: u64,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub links: Vec<PageLink>,
}

impl Pager {
    pub(crate) fn new(page: u64, pages: u64, href: impl Fn(u64) -> String) -> Pager {
        let mut numbers: Vec<u64> = vec![1, pages];
        numbers.extend(page.saturating_sub(2).max(1)..=page.saturating_add(2).min(pages));
        numbers.sort_unstable();
        numbers.dedup();
        let mut links = Vec::new();
        let mut last = 0;
        for n in numbers {
            links.push(PageLink {
                number: n,
                href: href(n),
                current: n == page,
                gap_before: n > last + 1,
            });
            last = n;
        }
        Pager {
            page,
            pages,
            prev: (page > 1).then(|| href((page - 1).min(pages))),
            next: (page < pages).then(|| href(page + 1)),
            links,
        }
    }

    pub fn has_pages(&self) -> bool {
        self.pages > 1 || self.page > 1
    }
}

/// A service's refusal of the search, as problems to show on the page; any
/// other failure stays an error.
pub(crate) fn refusal(e: ServiceError) -> Result<Problems, crate::error::AppError> {
    match e {
        ServiceError::Refused {
            status,
            code,
            message_ja,
            message_en,
        } if (400..500).contains(&status) => Ok(Problems(vec![super::Problem {
            param: if code.starts_with("query_") { "q" } else { "" },
            code,
            message_ja,
            message_en,
        }])),
        ServiceError::Invalid(fields) => Ok(Problems(
            fields
                .0
                .into_iter()
                .map(|f| super::Problem {
                    param: f.field,
                    code: f.code,
                    message_ja: f.message_ja,
                    message_en: f.message_en,
                })
                .collect(),
        )),
        e => Err(e.into()),
    }
}

/// "1,234件（21〜40件目）" / "1,234 results (21–40)".
pub(crate) fn total_text(
    lang: Lang,
    total: u64,
    offset: usize,
    shown: usize,
    noun: (&str, &str),
) -> String {
    let range = if shown > 0 {
        let from = offset as u64 + 1;
        let to = offset as u64 + shown as u64;
        match lang {
            Lang::Ja => format!("（{}〜{}件目）", thousands(from), thousands(to)),
            Lang::En => format!(" ({}–{})", thousands(from), thousands(to)),
        }
    } else {
        String::new()
    };
    match lang {
        Lang::Ja => format!("{}件{range}", thousands(total)),
        Lang::En => {
            let noun = if total == 1 { noun.0 } else { noun.1 };
            format!("{} {noun}{range}", thousands(total))
        }
    }
}

// --- tenders ---------------------------------------------------------------------------------

/// One result.
#[derive(Debug, Clone)]
pub struct TenderRow {
    pub id: i64,
    /// Escaped by the index, with `<mark>` around matches.
    pub title_html: String,
    pub snippet_html: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub kind: &'static str,
    pub category: &'static str,
    pub buyer_id: i64,
    pub buyer_name: String,
    pub place: &'static str,
    pub published: String,
    pub deadline: String,
    pub amended: bool,
    /// "落札：〇〇株式会社 990,000円（税込） 2026年12月14日" when awarded.
    pub award: Option<AwardLine>,
}

/// An awarded hit's award, as its row shows it.
#[derive(Debug, Clone)]
pub struct AwardLine {
    pub winner: String,
    /// Empty for an award without a price.
    pub amount: String,
    pub date: String,
}

impl AwardLine {
    fn new(lang: Lang, a: &musubi_search::AwardDoc) -> AwardLine {
        AwardLine {
            winner: a.winner_name.clone(),
            amount: a
                .amount_tax_inclusive
                .map(|v| match lang {
                    Lang::Ja => format!("{}円（税込）", thousands(v.max(0) as u64)),
                    Lang::En => format!("¥{} (incl. tax)", thousands(v.max(0) as u64)),
                })
                .unwrap_or_default(),
            date: display::time(lang, a.awarded_at),
        }
    }
}

impl TenderRow {
    fn new(lang: Lang, hit: &musubi_search::TenderHit, t: &Tender) -> TenderRow {
        let c = &t.content;
        TenderRow {
            id: t.id,
            title_html: hit.title_html.clone(),
            snippet_html: hit.snippet_html.clone(),
            status: t.status.name_in(lang),
            status_class: display::status_class(t.status),
            kind: c.kind.name_in(lang),
            category: c.category.name_in(lang),
            buyer_id: t.buyer,
            buyer_name: t.buyer_name.clone(),
            place: c
                .place
                .prefecture()
                .map_or(pick(lang, "オンライン", "Online"), |p| p.name_in(lang)),
            published: t
                .published_at
                .map(|p| display::time(lang, p))
                .unwrap_or_default(),
            deadline: display::time(lang, c.schedule.submission_closes_at),
            amended: t.is_amended(),
            award: hit.award.as_ref().map(|a| AwardLine::new(lang, a)),
        }
    }
}

#[derive(Template)]
#[template(path = "search/tenders.html")]
struct TenderSearchPage {
    chrome: Chrome,
    params: TenderParams,
    /// For この条件を保存: the form's token and the search as a query string
    /// (without page and order).
    csrf: String,
    save_query: String,
    /// Back to this search after signing in (percent-encoded).
    login_next: String,
    /// Every problem with the search, in the page's language.
    errors: Vec<String>,
    /// Parameters at fault.
    problems: Problems,
    /// Whether results are shown (no problem).
    searched: bool,
    total_text: String,
    rows: Vec<TenderRow>,
    facets: Vec<FacetGroup>,
    sorts: Vec<SortLink>,
    pager: Pager,
    kinds: Vec<Choice>,
    categories: Vec<Choice>,
    methods: Vec<Choice>,
    statuses: Vec<Choice>,
    grades: Vec<Choice>,
    regions: Vec<Choice>,
    prefecture_groups: Vec<PrefectureGroup>,
    divisions: Vec<(&'static str, &'static str)>,
    buyer_name: Option<String>,
    without_buyer: String,
    /// Open the place / date-and-price parts of the form when they are used.
    places_open: bool,
    more_open: bool,
}

impl TenderSearchPage {
    fn new(chrome: Chrome, params: TenderParams) -> TenderSearchPage {
        let lang = chrome.lang;
        let p = &params;
        let mut statuses = vec![Choice {
            code: "open".into(),
            label: pick(
                lang,
                "募集中（公告中〜受付中）",
                "Open (published to accepting)",
            )
            .into(),
            selected: p.status.iter().any(|s| s == "open"),
        }];
        statuses.extend(choices(
            lang,
            &TenderStatus::ALL[1..],
            TenderStatus::code,
            |c| p.status.iter().any(|s| s == c),
        ));
        let save_query = TenderParams {
            page: String::new(),
            sort: String::new(),
            ..params.clone()
        }
        .query_string();
        TenderSearchPage {
            csrf: String::new(),
            login_next: crate::routes::percent_encode(&format!("/search?{save_query}")),
            save_query,
            kinds: choices(lang, TenderKind::ALL, TenderKind::code, |c| p.kind == c),
            categories: choices(lang, Category::ALL, Category::code, |c| p.category == c),
            methods: choices(lang, ContractMethod::ALL, ContractMethod::code, |c| {
                p.method == c
            }),
            statuses,
            grades: choices(lang, Grade::ALL, Grade::code, |c| p.grade == c),
            regions: choices(lang, Region::all(), Region::code, |c| {
                p.region.iter().any(|s| s == c)
            }),
            prefecture_groups: prefecture_groups(lang, &p.prefecture),
            divisions: JsicDivision::ALL
                .iter()
                .map(|d| {
                    (
                        d.letter(),
                        if lang == Lang::Ja {
                            d.name_ja()
                        } else {
                            d.name_en()
                        },
                    )
                })
                .collect(),
            places_open: !p.prefecture.is_empty() || !p.region.is_empty(),
            more_open: [
                &p.published_from,
                &p.published_to,
                &p.deadline_from,
                &p.deadline_to,
                &p.opening_from,
                &p.opening_to,
                &p.price_min,
                &p.price_max,
                &p.awarded_from,
                &p.awarded_to,
                &p.amount_min,
                &p.amount_max,
            ]
            .iter()
            .any(|v| !v.is_empty()),
            without_buyer: TenderParams {
                buyer: String::new(),
                page: String::new(),
                ..params.clone()
            }
            .href("/search"),
            buyer_name: None,
            errors: Vec::new(),
            problems: Problems::default(),
            searched: false,
            total_text: String::new(),
            rows: Vec::new(),
            facets: Vec::new(),
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

/// The facet groups of a tender search.
fn tender_facets(lang: Lang, params: &TenderParams, f: &musubi_search::Facets) -> Vec<FacetGroup> {
    fn label_of<T: Named>(lang: Lang, parsed: Option<T>, raw: &str) -> String {
        parsed.map_or_else(|| raw.to_owned(), |v| v.name_in(lang).to_owned())
    }
    let group = |param: &'static str,
                 title: &'static str,
                 counts: &[FacetCount],
                 label: &dyn Fn(&str) -> String| FacetGroup {
        param,
        title,
        links: counts
            .iter()
            .filter(|c| c.count > 0 || params.has_facet(param, &c.value))
            .map(|c| FacetLink {
                label: label(&c.value),
                count: thousands(c.count),
                href: params.with_facet(param, &c.value).href("/search"),
                selected: params.has_facet(param, &c.value),
            })
            .collect(),
    };
    vec![
        group("kind", pick(lang, "案件種別", "Kind"), &f.kind, &|v| {
            label_of(lang, TenderKind::parse(v).ok(), v)
        }),
        group(
            "category",
            pick(lang, "区分", "Category"),
            &f.category,
            &|v| label_of(lang, Category::parse(v).ok(), v),
        ),
        group(
            "method",
            pick(lang, "契約方法", "Contract method"),
            &f.method,
            &|v| label_of(lang, ContractMethod::parse(v).ok(), v),
        ),
        group("status", pick(lang, "状態", "Status"), &f.status, &|v| {
            label_of(lang, TenderStatus::parse(v).ok(), v)
        }),
        group(
            "prefecture",
            pick(lang, "履行場所（都道府県）", "Place (prefecture)"),
            &f.prefecture,
            &|v| label_of(lang, Prefecture::parse(v).ok(), v),
        ),
        group(
            "awarded",
            pick(lang, "落札", "Award"),
            &f.awarded,
            &|_| pick(lang, "落札者決定済み", "Awarded").to_owned(),
        ),
    ]
    .into_iter()
    .filter(|g| !g.links.is_empty())
    .collect()
}

/// The tenders of `ids` that still exist and are public, in order.
pub(super) async fn load_tenders(state: &WebState, ids: &[i64]) -> AppResult<Vec<Option<Tender>>> {
    let mut set = tokio::task::JoinSet::new();
    for (i, id) in ids.iter().copied().enumerate() {
        let services = state.services.clone();
        set.spawn(async move { (i, services.tender_for(None, id).await) });
    }
    let mut out: Vec<Option<Tender>> = vec![None; ids.len()];
    while let Some(done) = set.join_next().await {
        let (i, r) = done.map_err(|e| {
            tracing::error!(error = %e, "loading a search hit failed");
            crate::error::AppError::internal()
        })?;
        out[i] = match r {
            Ok(t) => Some(t),
            // Gone or no longer public since it was indexed.
            Err(ServiceError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
    }
    Ok(out)
}

/// `GET /search`: the tender search.
pub async fn tenders_page(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: crate::auth::CsrfToken,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let lang = chrome.lang;
    let params = TenderParams::parse(q.as_deref());
    let mut view = TenderSearchPage::new(chrome, params);
    view.csrf = csrf.0;
    if let Ok(id) = view.params.buyer.parse::<i64>() {
        view.buyer_name = match state.services.organization(id).await {
            Ok(o) => Some(o.name),
            Err(ServiceError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
    }
    let query = match view.params.to_query(false) {
        Ok(q) => q,
        Err(problems) => {
            view.fail(problems);
            return html_page_status(lang, &view, StatusCode::BAD_REQUEST);
        }
    };
    let page = match state.services.search_tenders(&query.search).await {
        Ok(p) => p,
        Err(e) => {
            view.fail(refusal(e)?);
            return html_page_status(lang, &view, StatusCode::BAD_REQUEST);
        }
    };
    let ids: Vec<i64> = page.hits.iter().map(|h| h.id).collect();
    let tenders = load_tenders(&state, &ids).await?;
    view.rows = page
        .hits
        .iter()
        .zip(&tenders)
        .filter_map(|(h, t)| t.as_ref().map(|t| TenderRow::new(lang, h, t)))
        .collect();
    view.searched = true;
    view.total_text = total_text(
        lang,
        page.total,
        query.search.offset,
        view.rows.len(),
        ("tender", "tenders"),
    );
    view.facets = tender_facets(lang, &view.params, &page.facets);
    let p = &view.params;
    let current = p.sort();
    let mut sorts = Vec::new();
    if !p.q.trim().is_empty() {
        sorts.push(SortLink {
            label: pick(lang, "関連度順", "Relevance"),
            href: p.sorted("relevance").href("/search"),
            current: current == Some(musubi_search::Sort::Relevance),
        });
    }
    sorts.push(SortLink {
        label: pick(lang, "新着順", "Newest"),
        href: p.sorted("newest").href("/search"),
        current: current == Some(musubi_search::Sort::Newest),
    });
    sorts.push(SortLink {
        label: pick(lang, "締切が近い順", "Deadline soonest"),
        href: p.sorted("deadline").href("/search"),
        current: current == Some(musubi_search::Sort::Deadline),
    });
    // The award's orders make sense once only awarded tenders are shown.
    if p.has_facet("awarded", musubi_search::AWARDED) {
        sorts.extend(award_sorts(lang, p, current, "/search"));
    }
    view.sorts = sorts;
    view.pager = Pager::new(query.page, page_count(page.total, query.per_page), |n| {
        p.at_page(n).href("/search")
    });
    html_page_status(lang, &view, StatusCode::OK)
}

/// Sort links by award date and amount, for the search `p` on `path`.
pub(crate) fn award_sorts(
    lang: Lang,
    p: &TenderParams,
    current: Option<musubi_search::Sort>,
    path: &str,
) -> Vec<SortLink> {
    use musubi_search::Sort;
    [
        (
            "awarded",
            Sort::Awarded,
            pick(lang, "落札決定日の新しい順", "Latest award"),
        ),
        (
            "amount_desc",
            Sort::AmountDesc,
            pick(lang, "落札金額の高い順", "Highest amount"),
        ),
        (
            "amount_asc",
            Sort::AmountAsc,
            pick(lang, "落札金額の低い順", "Lowest amount"),
        ),
    ]
    .into_iter()
    .map(|(code, sort, label)| SortLink {
        label,
        href: p.sorted(code).href(path),
        current: current == Some(sort),
    })
    .collect()
}

// --- companies -----------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct CompanyRow {
    pub id: i64,
    pub name_html: String,
    pub snippet_html: String,
    pub name_kana: String,
    pub prefecture: &'static str,
    pub jsic: String,
    pub certifications: String,
}

impl CompanyRow {
    fn new(lang: Lang, hit: &musubi_search::CompanyHit, c: &CompanyProfile) -> CompanyRow {
        CompanyRow {
            id: c.organization.id,
            name_html: hit.name_html.clone(),
            snippet_html: hit.snippet_html.clone(),
            name_kana: c.organization.name_kana.clone(),
            prefecture: c.data.prefecture.name_in(lang),
            jsic: c
                .data
                .jsic
                .iter()
                .map(|j| j.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            certifications: c
                .data
                .certifications
                .iter()
                .map(|x| x.name_in(lang))
                .collect::<Vec<_>>()
                .join(pick(lang, "、", ", ")),
        }
    }
}

#[derive(Template)]
#[template(path = "search/companies.html")]
struct CompanySearchPage {
    chrome: Chrome,
    params: CompanyParams,
    errors: Vec<String>,
    problems: Problems,
    searched: bool,
    total_text: String,
    rows: Vec<CompanyRow>,
    facets: Vec<FacetGroup>,
    pager: Pager,
    regions: Vec<Choice>,
    prefecture_groups: Vec<PrefectureGroup>,
    divisions: Vec<(&'static str, &'static str)>,
    certifications: Vec<Choice>,
    grades: Vec<Choice>,
    places_open: bool,
}

impl CompanySearchPage {
    fn new(chrome: Chrome, params: CompanyParams) -> CompanySearchPage {
        let lang = chrome.lang;
        let p = &params;
        let mut grades = Vec::new();
        for c in GradeCategory::ALL {
            for g in Grade::ALL {
                let code = format!("{}:{}", c.code(), g.code());
                grades.push(Choice {
                    selected: p.grade == code,
                    label: match lang {
                        Lang::Ja => format!("{} {}", c.name_ja(), g.name_ja()),
                        Lang::En => format!("{} {}", c.name_en(), g.name_en()),
                    },
                    code,
                });
            }
        }
        CompanySearchPage {
            regions: choices(lang, Region::all(), Region::code, |c| {
                p.region.iter().any(|s| s == c)
            }),
            prefecture_groups: prefecture_groups(lang, &p.prefecture),
            divisions: JsicDivision::ALL
                .iter()
                .map(|d| {
                    (
                        d.letter(),
                        if lang == Lang::Ja {
                            d.name_ja()
                        } else {
                            d.name_en()
                        },
                    )
                })
                .collect(),
            certifications: choices(lang, Certification::ALL, Certification::code, |c| {
                p.certification == c
            }),
            grades,
            places_open: !p.prefecture.is_empty() || !p.region.is_empty(),
            errors: Vec::new(),
            problems: Problems::default(),
            searched: false,
            total_text: String::new(),
            rows: Vec::new(),
            facets: Vec::new(),
            pager: Pager::default(),
            params,
            chrome,
        }
    }

    fn bad(&self, param: &str) -> bool {
        self.problems.has(param)
    }

    fn fail(&mut self, problems: Problems) {
        self.errors = problems.messages(self.chrome.lang == Lang::Ja);
        self.problems = problems;
    }
}

/// The profiles of `ids` that exist, in order.
pub(super) async fn load_companies(
    state: &WebState,
    ids: &[i64],
) -> AppResult<Vec<Option<CompanyProfile>>> {
    let mut set = tokio::task::JoinSet::new();
    for (i, id) in ids.iter().copied().enumerate() {
        let services = state.services.clone();
        set.spawn(async move { (i, services.company_profile(id).await) });
    }
    let mut out: Vec<Option<CompanyProfile>> = vec![None; ids.len()];
    while let Some(done) = set.join_next().await {
        let (i, r) = done.map_err(|e| {
            tracing::error!(error = %e, "loading a search hit failed");
            crate::error::AppError::internal()
        })?;
        out[i] = match r {
            Ok(c) => Some(c),
            Err(ServiceError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
    }
    Ok(out)
}

/// `GET /search/companies`: the company search.
pub async fn companies_page(
    State(state): State<WebState>,
    chrome: Chrome,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let lang = chrome.lang;
    let params = CompanyParams::parse(q.as_deref());
    let mut view = CompanySearchPage::new(chrome, params);
    let query = match view.params.to_query(false) {
        Ok(q) => q,
        Err(problems) => {
            view.fail(problems);
            return html_page_status(lang, &view, StatusCode::BAD_REQUEST);
        }
    };
    let page = match state.services.search_companies(&query.search).await {
        Ok(p) => p,
        Err(e) => {
            view.fail(refusal(e)?);
            return html_page_status(lang, &view, StatusCode::BAD_REQUEST);
        }
    };
    let ids: Vec<i64> = page.hits.iter().map(|h| h.id).collect();
    let profiles = load_companies(&state, &ids).await?;
    view.rows = page
        .hits
        .iter()
        .zip(&profiles)
        .filter_map(|(h, c)| c.as_ref().map(|c| CompanyRow::new(lang, h, c)))
        .collect();
    view.searched = true;
    view.total_text = total_text(
        lang,
        page.total,
        query.search.offset,
        view.rows.len(),
        ("company", "companies"),
    );
    let p = &view.params;
    let prefectures = FacetGroup {
        param: "prefecture",
        title: pick(lang, "所在地（都道府県）", "Prefecture"),
        links: page
            .facets
            .prefecture
            .iter()
            .filter(|c| c.count > 0 || p.prefecture.contains(&c.value))
            .map(|c| FacetLink {
                label: Prefecture::parse(&c.value)
                    .map_or_else(|_| c.value.clone(), |x| x.name_in(lang).to_owned()),
                count: thousands(c.count),
                href: p.with_prefecture(&c.value).href("/search/companies"),
                selected: p.prefecture.contains(&c.value),
            })
            .collect(),
    };
    view.facets = vec![prefectures]
        .into_iter()
        .filter(|g| !g.links.is_empty())
        .collect();
    view.pager = Pager::new(query.page, page_count(page.total, query.per_page), |n| {
        p.at_page(n).href("/search/companies")
    });
    html_page_status(lang, &view, StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_reaches_every_page() {
        let p = Pager::new(7, 120, |n| format!("?page={n}"));
        let numbers: Vec<u64> = p.links.iter().map(|l| l.number).collect();
        assert_eq!(numbers, [1, 5, 6, 7, 8, 9, 120]);
        assert!(p.links[1].gap_before && p.links[6].gap_before && !p.links[2].gap_before);
        assert!(p.links[3].current);
        assert_eq!(p.prev.as_deref(), Some("?page=6"));
        assert_eq!(p.next.as_deref(), Some("?page=8"));
        let one = Pager::new(1, 1, |n| format!("?page={n}"));
        assert!(!one.has_pages() && one.prev.is_none() && one.next.is_none());
        // Beyond the last page: back to it.
        let past = Pager::new(9, 3, |n| format!("?page={n}"));
        assert_eq!(past.prev.as_deref(), Some("?page=3"));
        assert!(past.next.is_none());
    }

    #[test]
    fn totals() {
        assert_eq!(
            total_text(Lang::Ja, 1234, 20, 20, ("t", "ts")),
            "1,234件（21〜40件目）"
        );
        assert_eq!(total_text(Lang::Ja, 0, 0, 0, ("t", "ts")), "0件");
        assert_eq!(
            total_text(Lang::En, 1, 0, 1, ("tender", "tenders")),
            "1 tender (1–1)"
        );
    }
}
