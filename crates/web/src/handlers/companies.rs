//! The company directory, public profiles, profile editing with history,
//! and favourites; JSON under `/api/v1/companies` and `/api/v1/favourites`.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post, put};
use http::{Method, StatusCode};
use musubi_app::RequestCtx;
use musubi_app::companies::ProfileInput;
use musubi_domain::{Access, Certification, Grade, GradeCategory, JsicCode, Prefecture, Region};
use musubi_storage::{
    CatalogueItem, CompanyProfile, CompanySummary, DirectoryQuery, DirectorySort, Page,
    ProfileVersion,
};
use serde_json::json;

use crate::WebState;
use crate::auth::{Caller, CsrfToken};
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;
use crate::handlers::accounts::FormErrors;
use crate::i18n::Lang;
use crate::routes::{RouteDef, route};
use crate::views::{Chrome, html_page, html_page_status};

pub const PAGE_SIZE: u32 = 20;

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    use Method as M;
    vec![
        route(M::GET, "/companies", Public, get(directory_page)),
        route(M::GET, "/companies/{id}", Public, get(profile_page)),
        route(M::GET, "/companies/{id}/edit", SignedIn, get(edit_form)),
        route(M::POST, "/companies/{id}/edit", SignedIn, post(edit_submit)),
        route(
            M::GET,
            "/companies/{id}/history",
            SignedIn,
            get(history_page),
        ),
        route(
            M::POST,
            "/companies/{id}/favourite",
            BuyerOrCoordinator,
            post(favourite_submit),
        ),
        route(
            M::POST,
            "/companies/{id}/unfavourite",
            BuyerOrCoordinator,
            post(unfavourite_submit),
        ),
        route(
            M::GET,
            "/favourites",
            BuyerOrCoordinator,
            get(favourites_page),
        ),
        route(M::GET, "/api/v1/companies", Public, get(api_directory)),
        route(M::GET, "/api/v1/companies/{id}", Public, get(api_profile)),
        route(
            M::PUT,
            "/api/v1/companies/{id}/profile",
            SignedIn,
            put(api_save_profile),
        ),
        route(
            M::GET,
            "/api/v1/companies/{id}/history",
            SignedIn,
            get(api_history),
        ),
        route(
            M::GET,
            "/api/v1/favourites",
            BuyerOrCoordinator,
            get(api_favourites),
        ),
        route(
            M::PUT,
            "/api/v1/favourites/{id}",
            BuyerOrCoordinator,
            put(api_add_favourite),
        ),
        route(
            M::DELETE,
            "/api/v1/favourites/{id}",
            BuyerOrCoordinator,
            delete(api_remove_favourite),
        ),
    ]
}

/// Directory filters as they appear in the URL (every bit of state is in the GET URL).
#[derive(Debug, Clone, Default)]
pub struct DirectoryParams {
    pub prefecture: Vec<String>,
    pub region: String,
    pub jsic: String,
    pub grade: String,
    pub category: String,
    pub certification: String,
    pub sort: String,
    pub page: u64,
}

impl DirectoryParams {
    /// Parses a query string; repeated `prefecture` keys are allowed.
    pub fn parse(query: Option<&str>) -> DirectoryParams {
        let mut p = DirectoryParams {
            page: 1,
            ..Default::default()
        };
        for (k, v) in crate::extract::form_pairs(query.unwrap_or_default()) {
            match k.as_str() {
                "prefecture" if !v.is_empty() => p.prefecture.push(v),
                "region" => p.region = v,
                "jsic" => p.jsic = v,
                "grade" => p.grade = v,
                "category" => p.category = v,
                "certification" => p.certification = v,
                "sort" => p.sort = v,
                "page" => p.page = v.parse().unwrap_or(1).max(1),
                _ => {}
            }
        }
        p
    }

    /// The storage query, or a 400 naming the parameter at fault.
    pub fn to_query(&self, limit: u32) -> Result<DirectoryQuery, AppError> {
        let bad = |param: &str| {
            AppError::bad_request(
                "invalid_parameter",
                format!("検索条件「{param}」の値が正しくありません。"),
                format!("The search parameter '{param}' is not valid."),
            )
        };
        let mut prefectures = Vec::new();
        for p in &self.prefecture {
            prefectures.push(Prefecture::parse(p).map_err(|_| bad("prefecture"))?);
        }
        if !self.region.is_empty() {
            let region = Region::parse(&self.region).map_err(|_| bad("region"))?;
            for p in region.prefectures() {
                if !prefectures.contains(p) {
                    prefectures.push(*p);
                }
            }
        }
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Ok(DirectoryQuery {
            prefectures,
            jsic: opt(&self.jsic)
                .map(|s| JsicCode::parse(&s).map_err(|_| bad("jsic")))
                .transpose()?,
            grade: opt(&self.grade)
                .map(|s| Grade::parse(&s).map_err(|_| bad("grade")))
                .transpose()?,
            grade_category: opt(&self.category)
                .map(|s| GradeCategory::parse(&s).map_err(|_| bad("category")))
                .transpose()?,
            certification: opt(&self.certification)
                .map(|s| Certification::parse(&s).map_err(|_| bad("certification")))
                .transpose()?,
            sort: match self.sort.as_str() {
                "" | "kana" => DirectorySort::Kana,
                "updated" => DirectorySort::Updated,
                "prefecture" => DirectorySort::Prefecture,
                _ => return Err(bad("sort")),
            },
            offset: (self.page - 1) * u64::from(limit),
            limit,
        })
    }

    /// The query string for another page of the same search.
    pub fn href_for_page(&self, page: u64) -> String {
        let mut parts: Vec<(String, String)> = self
            .prefecture
            .iter()
            .map(|p| ("prefecture".into(), p.clone()))
            .collect();
        for (k, v) in [
            ("region", &self.region),
            ("jsic", &self.jsic),
            ("grade", &self.grade),
            ("category", &self.category),
            ("certification", &self.certification),
            ("sort", &self.sort),
        ] {
            if !v.is_empty() {
                parts.push((k.into(), v.clone()));
            }
        }
        parts.push(("page".into(), page.to_string()));
        let q: Vec<String> = parts
            .iter()
            .map(|(k, v)| format!("{k}={}", crate::routes::percent_encode(v)))
            .collect();
        format!("/companies?{}", q.join("&"))
    }
}

pub fn summary_json(c: &CompanySummary) -> serde_json::Value {
    json!({
        "id": c.id,
        "name": c.name,
        "name_kana": c.name_kana,
        "prefecture": { "code": c.prefecture.code(), "name": c.prefecture.name_ja() },
        "jsic": c.jsic.iter().map(|j| j.to_string()).collect::<Vec<_>>(),
        "capabilities": c.capabilities,
        "updated_at": c.updated_at,
        "url": format!("/companies/{}", c.id),
    })
}

fn profile_json(p: &CompanyProfile) -> serde_json::Value {
    let d = &p.data;
    json!({
        "id": p.organization.id,
        "name": p.organization.name,
        "name_kana": p.organization.name_kana,
        "corporate_number": p.organization.corporate_number.as_ref().map(|c| c.to_string()),
        "version": p.version,
        "updated_at": p.updated_at,
        "representative": d.representative,
        "prefecture": d.prefecture.code(),
        "municipality": d.municipality.as_ref().map(|m| m.to_string()),
        "address_line": d.address_line,
        "jsic": d.jsic.iter().map(|j| j.to_string()).collect::<Vec<_>>(),
        "capabilities": d.capabilities,
        "catalogue": d.catalogue,
        "certifications": d.certifications.iter().map(|c| c.code()).collect::<Vec<_>>(),
        "grades": d.grades.iter().map(|(c, g)| json!({ "category": c.code(), "grade": g.code() })).collect::<Vec<_>>(),
        "employees": d.employees,
        "capital_yen": d.capital_yen,
        "founded_year": d.founded_year,
        "website": d.website,
        "contact_email": d.contact_email,
        "contact_phone": d.contact_phone,
    })
}

#[derive(Template)]
#[template(path = "companies/directory.html")]
struct DirectoryPage {
    chrome: Chrome,
    params: DirectoryParams,
    page: Page<CompanySummary>,
    pages: u64,
    prefectures: Vec<(&'static str, &'static str, bool)>,
    regions: Vec<(&'static str, &'static str)>,
    divisions: Vec<(&'static str, &'static str)>,
    certifications: Vec<(&'static str, &'static str)>,
}

async fn directory_page(
    State(state): State<WebState>,
    chrome: Chrome,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let lang = chrome.lang;
    let params = DirectoryParams::parse(q.as_deref());
    let query = params.to_query(PAGE_SIZE)?;
    let page = state.services.directory(&query).await?;
    let pages = page.total.div_ceil(u64::from(PAGE_SIZE)).max(1);
    let ja = lang == Lang::Ja;
    let page_view = DirectoryPage {
        prefectures: Prefecture::all()
            .iter()
            .map(|p| {
                (
                    p.code(),
                    if ja { p.name_ja() } else { p.name_en() },
                    params.prefecture.iter().any(|s| s == p.code()),
                )
            })
            .collect(),
        regions: Region::all()
            .iter()
            .map(|r| (r.code(), if ja { r.name_ja() } else { r.name_en() }))
            .collect(),
        divisions: musubi_domain::JsicDivision::ALL
            .iter()
            .map(|d| (d.letter(), if ja { d.name_ja() } else { d.name_en() }))
            .collect(),
        certifications: Certification::ALL
            .iter()
            .map(|c| (c.code(), if ja { c.name_ja() } else { c.name_en() }))
            .collect(),
        chrome,
        params,
        page,
        pages,
    };
    html_page(lang, &page_view)
}

async fn api_directory(
    State(state): State<WebState>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let params = DirectoryParams::parse(q.as_deref());
    let limit = q
        .as_deref()
        .and_then(|q| {
            crate::extract::form_pairs(q)
                .into_iter()
                .find(|(k, _)| k == "per_page")
                .and_then(|(_, v)| v.parse().ok())
        })
        .unwrap_or(PAGE_SIZE)
        .clamp(1, 200);
    let query = params.to_query(limit)?;
    let page = state.services.directory(&query).await?;
    Ok(axum::Json(json!({
        "total": page.total,
        "page": params.page,
        "per_page": limit,
        "items": page.items.iter().map(summary_json).collect::<Vec<_>>(),
    }))
    .into_response())
}

#[derive(Template)]
#[template(path = "companies/profile.html")]
struct ProfilePage {
    chrome: Chrome,
    csrf: String,
    /// 資本金 written the Japanese way (1,000万円 style is not used by
    /// official registers; they write 10,000,000円).
    capital: Option<String>,
    p: CompanyProfile,
    can_edit: bool,
    can_favourite: bool,
    is_favourite: bool,
}

async fn profile_page(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let p = state.services.company_profile(id).await?;
    let principal = caller.principal();
    let can_edit = principal.is_some_and(|pr| pr.org_id() == Some(id) || pr.is_platform_admin());
    let can_favourite = principal.is_some_and(|pr| {
        musubi_domain::authz::check(Some(&pr), Access::BuyerOrCoordinator).is_ok()
    });
    let is_favourite = match principal.filter(|_| can_favourite) {
        Some(pr) => state
            .services
            .favourites(&pr)
            .await?
            .iter()
            .any(|c| c.id == id),
        None => false,
    };
    let lang = chrome.lang;
    let capital = p.data.capital_yen.map(|c| {
        let yen = musubi_domain::Yen::new(c);
        if lang == Lang::Ja {
            yen.format_ja()
        } else {
            yen.to_string()
        }
    });
    html_page(
        lang,
        &ProfilePage {
            chrome,
            csrf: csrf.0,
            capital,
            p,
            can_edit,
            can_favourite,
            is_favourite,
        },
    )
}

async fn api_profile(State(state): State<WebState>, Path(id): Path<i64>) -> AppResult<Response> {
    let p = state.services.company_profile(id).await?;
    Ok(axum::Json(profile_json(&p)).into_response())
}

#[derive(Template)]
#[template(path = "companies/edit.html")]
struct EditPage {
    chrome: Chrome,
    csrf: String,
    org_id: i64,
    org_name: String,
    input: ProfileInput,
    prefectures: Vec<(&'static str, &'static str)>,
    certifications: Vec<(&'static str, &'static str, bool)>,
    categories: Vec<(&'static str, &'static str, String)>,
    errors: FormErrors,
}

fn input_from(p: &CompanyProfile) -> ProfileInput {
    let d = &p.data;
    ProfileInput {
        representative: d.representative.clone(),
        prefecture: d.prefecture.code().to_owned(),
        municipality: d
            .municipality
            .as_ref()
            .map(|m| m.to_string())
            .unwrap_or_default(),
        address_line: d.address_line.clone(),
        jsic: d.jsic.iter().map(|j| j.to_string()).collect(),
        capabilities: d.capabilities.clone(),
        catalogue: d.catalogue.clone(),
        certifications: d
            .certifications
            .iter()
            .map(|c| c.code().to_owned())
            .collect(),
        grades: d
            .grades
            .iter()
            .map(|(c, g)| format!("{}:{}", c.code(), g.code()))
            .collect(),
        employees: d.employees.map(|n| n.to_string()).unwrap_or_default(),
        capital_yen: d.capital_yen.map(|n| n.to_string()).unwrap_or_default(),
        founded_year: d.founded_year.map(|n| n.to_string()).unwrap_or_default(),
        website: d.website.clone().unwrap_or_default(),
        contact_email: d.contact_email.clone().unwrap_or_default(),
        contact_phone: d.contact_phone.clone().unwrap_or_default(),
        version: Some(p.version),
    }
}

async fn render_edit(
    state: &WebState,
    chrome: Chrome,
    csrf: String,
    id: i64,
    input: Option<ProfileInput>,
    errors: FormErrors,
) -> AppResult<Response> {
    let org = state.services.organization(id).await?;
    let input = match input {
        Some(i) => i,
        None => match state.storage_profile(id).await? {
            Some(p) => input_from(&p),
            None => ProfileInput::default(),
        },
    };
    let lang = chrome.lang;
    let ja = lang == Lang::Ja;
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = EditPage {
        prefectures: Prefecture::all()
            .iter()
            .map(|p| (p.code(), if ja { p.name_ja() } else { p.name_en() }))
            .collect(),
        certifications: Certification::ALL
            .iter()
            .map(|c| {
                (
                    c.code(),
                    if ja { c.name_ja() } else { c.name_en() },
                    input.certifications.iter().any(|s| s == c.code()),
                )
            })
            .collect(),
        categories: GradeCategory::ALL
            .iter()
            .map(|c| {
                let current = input
                    .grades
                    .iter()
                    .find_map(|g| g.strip_prefix(&format!("{}:", c.code())).map(str::to_owned))
                    .unwrap_or_default();
                (
                    c.code(),
                    if ja { c.name_ja() } else { c.name_en() },
                    current,
                )
            })
            .collect(),
        chrome,
        csrf,
        org_id: id,
        org_name: org.name,
        input,
        errors,
    };
    html_page_status(lang, &page, status)
}

impl WebState {
    async fn storage_profile(&self, id: i64) -> AppResult<Option<CompanyProfile>> {
        match self.services.company_profile(id).await {
            Ok(p) => Ok(Some(p)),
            Err(musubi_app::ServiceError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

fn require_member_of(caller: &Caller, id: i64) -> AppResult<()> {
    let p = caller.principal();
    if p.is_some_and(|p| p.org_id() == Some(id) || p.is_platform_admin()) {
        Ok(())
    } else {
        Err(
            musubi_app::ServiceError::Denied(musubi_domain::Denial::Forbidden("not_a_member"))
                .into(),
        )
    }
}

async fn edit_form(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    require_member_of(&caller, id)?;
    render_edit(&state, chrome, csrf.0, id, None, FormErrors::default()).await
}

/// The edit form's fields: repeated keys for lists, numbered catalogue rows.
fn input_from_form(body: &str) -> ProfileInput {
    let mut input = ProfileInput::default();
    let mut catalogue: Vec<CatalogueItem> = Vec::new();
    let mut grades: Vec<String> = Vec::new();
    for (k, v) in crate::extract::form_pairs(body) {
        match k.as_str() {
            "representative" => input.representative = v,
            "prefecture" => input.prefecture = v,
            "municipality" => input.municipality = v,
            "address_line" => input.address_line = v,
            "jsic" => input.jsic.extend(
                v.split([',', ' ', '、', '\n'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            ),
            "capabilities" => input.capabilities = v,
            "certification" => input.certifications.push(v),
            "employees" => input.employees = v,
            "capital_yen" => input.capital_yen = v,
            "founded_year" => input.founded_year = v,
            "website" => input.website = v,
            "contact_email" => input.contact_email = v,
            "contact_phone" => input.contact_phone = v,
            "version" => input.version = v.parse().ok(),
            k if k.starts_with("grade_") && !v.is_empty() => {
                grades.push(format!("{}:{v}", &k[6..]))
            }
            k if k.starts_with("catalogue_title_") || k.starts_with("catalogue_description_") => {
                let (is_title, idx) = match k.strip_prefix("catalogue_title_") {
                    Some(i) => (true, i),
                    None => (false, &k["catalogue_description_".len()..]),
                };
                let Ok(i) = idx.parse::<usize>() else {
                    continue;
                };
                if i >= 100 {
                    continue;
                }
                while catalogue.len() <= i {
                    catalogue.push(CatalogueItem {
                        title: String::new(),
                        description: String::new(),
                    });
                }
                if is_title {
                    catalogue[i].title = v;
                } else {
                    catalogue[i].description = v;
                }
            }
            _ => {}
        }
    }
    input.catalogue = catalogue;
    input.grades = grades;
    input
}

async fn edit_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    body: String,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    require_member_of(&caller, id)?;
    let input = input_from_form(&body);
    let lang = chrome.lang;
    match state
        .services
        .save_company_profile(&auth.principal(), id, &input, &ctx)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/companies/{id}")).into_response()),
        Err(e) => {
            let errors = FormErrors::from_service(lang, e)?;
            render_edit(&state, chrome, csrf.0, id, Some(input), errors).await
        }
    }
}

async fn api_save_profile(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ProfileInput>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    state
        .services
        .save_company_profile(&auth.principal(), id, &input, &ctx)
        .await?;
    let p = state.services.company_profile(id).await?;
    Ok(axum::Json(profile_json(&p)).into_response())
}

#[derive(Template)]
#[template(path = "companies/history.html")]
struct HistoryPage {
    chrome: Chrome,
    org_id: i64,
    versions: Vec<(ProfileVersion, String)>,
}

async fn history_page(
    State(state): State<WebState>,
    chrome: Chrome,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let versions = state
        .services
        .profile_history(&auth.principal(), id)
        .await?;
    let lang = chrome.lang;
    let versions = versions
        .into_iter()
        .map(|v| {
            let when = if lang == Lang::Ja {
                musubi_domain::format_japan_datetime(v.changed_at)
            } else {
                musubi_domain::format_japan_datetime_en(v.changed_at)
            };
            (v, when)
        })
        .collect();
    html_page(
        lang,
        &HistoryPage {
            chrome,
            org_id: id,
            versions,
        },
    )
}

async fn api_history(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let versions = state
        .services
        .profile_history(&auth.principal(), id)
        .await?;
    Ok(axum::Json(json!({
        "versions": versions.iter().map(|v| json!({
            "version": v.version,
            "changed_by": v.changed_by,
            "changed_at": v.changed_at,
            "profile": serde_json::to_value(&v.data).unwrap_or_default(),
        })).collect::<Vec<_>>()
    }))
    .into_response())
}

async fn favourite_submit(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let auth = caller.require(Access::BuyerOrCoordinator)?;
    state.services.add_favourite(&auth.principal(), id).await?;
    Ok(Redirect::to(&format!("/companies/{id}")).into_response())
}

async fn unfavourite_submit(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let auth = caller.require(Access::BuyerOrCoordinator)?;
    state
        .services
        .remove_favourite(&auth.principal(), id)
        .await?;
    Ok(Redirect::to(&format!("/companies/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "companies/favourites.html")]
struct FavouritesPage {
    chrome: Chrome,
    items: Vec<CompanySummary>,
}

async fn favourites_page(
    State(state): State<WebState>,
    chrome: Chrome,
    caller: Caller,
) -> AppResult<Response> {
    let auth = caller.require(Access::BuyerOrCoordinator)?;
    let items = state.services.favourites(&auth.principal()).await?;
    let lang = chrome.lang;
    html_page(lang, &FavouritesPage { chrome, items })
}

async fn api_favourites(State(state): State<WebState>, caller: Caller) -> AppResult<Response> {
    let auth = caller.require(Access::BuyerOrCoordinator)?;
    let items = state.services.favourites(&auth.principal()).await?;
    Ok(
        axum::Json(json!({ "items": items.iter().map(summary_json).collect::<Vec<_>>() }))
            .into_response(),
    )
}

async fn api_add_favourite(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let auth = caller.require(Access::BuyerOrCoordinator)?;
    state.services.add_favourite(&auth.principal(), id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn api_remove_favourite(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let auth = caller.require(Access::BuyerOrCoordinator)?;
    state
        .services
        .remove_favourite(&auth.principal(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_params_round_trip_through_the_url() {
        let p = DirectoryParams::parse(Some(
            "prefecture=13&prefecture=27&jsic=E&grade=C&sort=updated&page=3",
        ));
        assert_eq!(p.prefecture, ["13", "27"]);
        let q = p.to_query(20).unwrap();
        assert_eq!(q.offset, 40);
        assert_eq!(q.prefectures.len(), 2);
        let again = DirectoryParams::parse(p.href_for_page(3).split_once('?').map(|x| x.1));
        assert_eq!(again.to_query(20).unwrap(), q);
        let r = DirectoryParams::parse(Some("region=kanto"))
            .to_query(20)
            .unwrap();
        assert_eq!(r.prefectures.len(), 7);
        assert_eq!(
            DirectoryParams::parse(Some("jsic=ZZ"))
                .to_query(20)
                .unwrap_err()
                .code(),
            "invalid_parameter"
        );
    }

    #[test]
    fn edit_form_fields() {
        let i = input_from_form(
            "jsic=1511%2C0911&certification=iso9001&grade_goods=C&catalogue_title_1=B&catalogue_title_0=A&catalogue_description_0=a&version=4",
        );
        assert_eq!(i.jsic, ["1511", "0911"]);
        assert_eq!(i.grades, ["goods:C"]);
        assert_eq!(i.catalogue[0].title, "A");
        assert_eq!(i.catalogue[1].title, "B");
        assert_eq!(i.version, Some(4));
    }
}
