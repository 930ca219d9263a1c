//! The forms: posting and editing a tender (the same form for a draft and
//! for an amendment, 訂正, which needs its reason), and every form on the
//! tender page. A form that fails is shown again with its messages and the
//! status the service answered (422 for input, 409 for a state that does
//! not allow it).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Timelike, Utc};
use http::StatusCode;
use musubi_app::tenders::TenderInput;
use musubi_app::{RequestCtx, ServiceError};
use musubi_domain::tender::{
    AwardMethod, Category, ContractMethod, ReservePricePublication, TenderKind, TenderStatus,
};
use musubi_domain::{Access, Certification, Denial, Grade, Prefecture, Region, to_japan};
use serde::Deserialize;

use super::display::pick;
use super::pages::{Opt, editable, options, render_show};
use super::{Failure, rfc3339, status_of};
use crate::WebState;
use crate::auth::{Caller, CsrfToken};
use crate::error::AppResult;
use crate::extract::WebForm;
use crate::handlers::accounts::FormErrors;
use crate::views::{Chrome, html_page_status};

// --- the tender form ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "tenders/edit.html")]
struct EditPage {
    chrome: Chrome,
    csrf: String,
    /// `None` for a new tender.
    id: Option<i64>,
    /// Amending a published tender (訂正): the reason is required.
    amending: bool,
    input: TenderInput,
    /// The municipality code part of 履行場所 (the select holds its prefecture).
    municipality: String,
    jsic: String,
    eligible_jsic: String,
    kinds: Vec<Opt>,
    categories: Vec<Opt>,
    methods: Vec<Opt>,
    awards: Vec<Opt>,
    publications: Vec<Opt>,
    places: Vec<Opt>,
    eligible_prefectures: Vec<Opt>,
    eligible_regions: Vec<Opt>,
    grades: Vec<Opt>,
    certifications: Vec<Opt>,
    min_days: u32,
    errors: FormErrors,
}

impl EditPage {
    fn new(
        state: &WebState,
        chrome: Chrome,
        csrf: String,
        id: Option<i64>,
        amending: bool,
        input: TenderInput,
        errors: FormErrors,
    ) -> EditPage {
        let lang = chrome.lang;
        let i = &input;
        let (place, municipality) = match i.place.trim() {
            m if m.len() == 6 && m.bytes().all(|b| b.is_ascii_digit()) => {
                (m[..2].to_owned(), m.to_owned())
            }
            p => (p.to_owned(), String::new()),
        };
        let has = |list: &[String], c: &str| list.iter().any(|x| x == c);
        let mut places = vec![Opt {
            code: "online",
            label: pick(lang, "オンライン（場所を問わない）", "Online (anywhere)"),
            selected: place == "online",
        }];
        places.extend(options(lang, Prefecture::all(), Prefecture::code, |c| {
            place == c
        }));
        EditPage {
            kinds: options(lang, TenderKind::ALL, TenderKind::code, |c| i.kind == c),
            categories: options(lang, Category::ALL, Category::code, |c| i.category == c),
            methods: options(lang, ContractMethod::ALL, ContractMethod::code, |c| {
                i.method == c
            }),
            awards: options(lang, AwardMethod::ALL, AwardMethod::code, |c| {
                i.award_method == c
            }),
            publications: options(
                lang,
                ReservePricePublication::ALL,
                ReservePricePublication::code,
                |c| i.reserve_price_publication == c,
            ),
            places,
            eligible_prefectures: options(lang, Prefecture::all(), Prefecture::code, |c| {
                has(&i.eligible_prefectures, c)
            }),
            eligible_regions: options(lang, Region::all(), Region::code, |c| {
                has(&i.eligible_regions, c)
            }),
            grades: options(lang, Grade::ALL, Grade::code, |c| {
                has(&i.eligible_grades, c)
            }),
            certifications: options(lang, Certification::ALL, Certification::code, |c| {
                has(&i.required_certifications, c)
            }),
            jsic: i.jsic.join(", "),
            eligible_jsic: i.eligible_jsic.join(", "),
            municipality,
            min_days: state.services.config.min_publication_days,
            chrome,
            csrf,
            id,
            amending,
            input,
            errors,
        }
    }
}

/// A `datetime-local` value in Japan time, with seconds only when needed
/// (so an instant set to the second through the API survives an edit).
fn local_input(t: DateTime<Utc>) -> String {
    let j = to_japan(t);
    if j.second() == 0 {
        j.format("%Y-%m-%dT%H:%M").to_string()
    } else {
        j.format("%Y-%m-%dT%H:%M:%S").to_string()
    }
}

/// The form's values for a stored tender.
fn input_for(t: &musubi_storage::Tender) -> TenderInput {
    let mut input = TenderInput::from_content(&t.content);
    let s = &t.content.schedule;
    for (field, value) in [
        (&mut input.application_opens_at, s.application_opens_at),
        (&mut input.application_closes_at, s.application_closes_at),
        (&mut input.questions_until, Some(s.questions_until)),
        (&mut input.submission_opens_at, Some(s.submission_opens_at)),
        (
            &mut input.submission_closes_at,
            Some(s.submission_closes_at),
        ),
        (&mut input.opening_at, Some(s.opening_at)),
    ] {
        *field = value.map(local_input).unwrap_or_default();
    }
    if t.status == TenderStatus::Draft {
        input.updated_at = Some(rfc3339(t.updated_at));
    } else {
        input.version = Some(t.version);
    }
    input
}

/// A list typed into one text field: commas, spaces, 読点 or new lines.
fn split_list(v: &str) -> impl Iterator<Item = String> + '_ {
    v.split([',', ' ', '、', '，', '\n', '\r', '\t', '　'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The form's fields (repeated keys for multi-selects).
fn input_from_form(body: &str) -> TenderInput {
    let mut i = TenderInput::default();
    let mut municipality = String::new();
    for (k, v) in crate::extract::form_pairs(body) {
        match k.as_str() {
            "kind" => i.kind = v,
            "title" => i.title = v,
            "summary" => i.summary = v,
            "category" => i.category = v,
            "jsic" => i.jsic.extend(split_list(&v)),
            "place" => i.place = v,
            "municipality" => municipality = v.trim().to_owned(),
            "place_detail" => i.place_detail = v,
            "performance_start" => i.performance_start = v,
            "performance_end" => i.performance_end = v,
            "method" => i.method = v,
            "eligible_prefectures" if !v.is_empty() => i.eligible_prefectures.push(v),
            "eligible_regions" if !v.is_empty() => i.eligible_regions.push(v),
            "eligible_grades" if !v.is_empty() => i.eligible_grades.push(v),
            "eligible_jsic" => i.eligible_jsic.extend(split_list(&v)),
            "required_certifications" if !v.is_empty() => i.required_certifications.push(v),
            "application_opens_at" => i.application_opens_at = v,
            "application_closes_at" => i.application_closes_at = v,
            "questions_until" => i.questions_until = v,
            "submission_opens_at" => i.submission_opens_at = v,
            "submission_closes_at" => i.submission_closes_at = v,
            "opening_at" => i.opening_at = v,
            "reserve_price" => i.reserve_price = v,
            "reserve_price_publication" => i.reserve_price_publication = v,
            "minimum_price" => i.minimum_price = v,
            "award_method" => i.award_method = v,
            "contact_department" => i.contact_department = v,
            "contact_person" => i.contact_person = v,
            "contact_email" => i.contact_email = v,
            "contact_phone" => i.contact_phone = v,
            "reason" => i.reason = v,
            "version" => i.version = v.parse().ok(),
            "updated_at" if !v.is_empty() => i.updated_at = Some(v),
            _ => {}
        }
    }
    if !municipality.is_empty() {
        i.place = municipality;
    }
    i
}

/// `GET /tenders/new`.
pub async fn new_form(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
) -> AppResult<Response> {
    let lang = chrome.lang;
    let input = TenderInput {
        method: "open".into(),
        award_method: "lowest_price".into(),
        reserve_price_publication: "at_opening".into(),
        ..TenderInput::default()
    };
    let page = EditPage::new(
        &state,
        chrome,
        csrf.0,
        None,
        false,
        input,
        FormErrors::default(),
    );
    html_page_status(lang, &page, StatusCode::OK)
}

/// `POST /tenders`: saves a draft and shows its preview.
pub async fn create_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    body: String,
) -> AppResult<Response> {
    let auth = caller.require(Access::ApprovedBuyer)?;
    let input = input_from_form(&body);
    let lang = chrome.lang;
    match state
        .services
        .create_tender(&auth.principal(), &input, &ctx)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/tenders/{id}")).into_response()),
        Err(e) => {
            let status = status_of(&e);
            let errors = FormErrors::from_service(lang, e)?;
            let page = EditPage::new(&state, chrome, csrf.0, None, false, input, errors);
            html_page_status(lang, &page, status)
        }
    }
}

/// The buyer's tender, if it may still be edited; the refusal otherwise.
async fn editable_tender(
    state: &WebState,
    caller: &Caller,
    id: i64,
) -> AppResult<musubi_storage::Tender> {
    let auth = caller.require(Access::ApprovedBuyer)?;
    let view = state
        .services
        .tender_view(Some(&auth.principal()), id)
        .await?;
    if !view.is_buyer {
        return Err(ServiceError::Denied(Denial::Forbidden("tender_owner_required")).into());
    }
    let t = view.tender;
    if !editable(t.status) {
        return Err(ServiceError::refused(
            409,
            "tender_not_editable",
            format!(
                "提出締切後の案件は訂正できません。（現在の状態：{}）",
                t.status.name_ja()
            ),
            format!(
                "A tender cannot be amended after its submission deadline (current status: {}).",
                t.status.name_en()
            ),
        )
        .into());
    }
    Ok(t)
}

/// `GET /tenders/{id}/edit`: the draft's form, or the 訂正 form.
pub async fn edit_form(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let t = editable_tender(&state, &caller, id).await?;
    let lang = chrome.lang;
    let amending = t.status != TenderStatus::Draft;
    let page = EditPage::new(
        &state,
        chrome,
        csrf.0,
        Some(id),
        amending,
        input_for(&t),
        FormErrors::default(),
    );
    html_page_status(lang, &page, StatusCode::OK)
}

/// `POST /tenders/{id}`: saves the draft, or the amendment with its reason.
pub async fn update_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    body: String,
) -> AppResult<Response> {
    let auth = caller.require(Access::ApprovedBuyer)?;
    let input = input_from_form(&body);
    let lang = chrome.lang;
    match state
        .services
        .update_tender(&auth.principal(), id, &input, &ctx)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/tenders/{id}")).into_response()),
        Err(e) => {
            let status = status_of(&e);
            let errors = FormErrors::from_service(lang, e)?;
            let t = state
                .services
                .tender_for(Some(&auth.principal()), id)
                .await?;
            let amending = t.status != TenderStatus::Draft;
            let page = EditPage::new(&state, chrome, csrf.0, Some(id), amending, input, errors);
            html_page_status(lang, &page, status)
        }
    }
}

// --- the forms of the tender page ---------------------------------------------------

/// The fields of the small forms on the tender page.
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    question: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    supplier: String,
    #[serde(default)]
    accept: String,
    #[serde(default)]
    on: String,
}

fn truthy(v: &str) -> bool {
    matches!(v.trim(), "true" | "1" | "on" | "yes" | "accept")
}

/// What a form on the tender page did, and where to go back to.
struct Outcome {
    result: Result<(), ServiceError>,
    /// Which form (see [`Failure::form`]).
    form: String,
    /// What was typed, kept if it failed.
    value: String,
    /// The part of the page to go back to.
    anchor: String,
}

/// After a form on the tender page: back to it, or the page again with the
/// failure beside the form.
async fn done(
    state: &WebState,
    chrome: Chrome,
    csrf: String,
    caller: &Caller,
    id: i64,
    outcome: Outcome,
) -> AppResult<Response> {
    match outcome.result {
        Ok(()) => Ok(Redirect::to(&format!("/tenders/{id}{}", outcome.anchor)).into_response()),
        Err(e) => {
            let failure = Failure::from_service(chrome.lang, outcome.form, e, outcome.value)?;
            render_show(state, chrome, csrf, caller, id, Some(failure)).await
        }
    }
}

macro_rules! page_form {
    ($(#[$doc:meta])* $name:ident, |$state:ident, $p:ident, $ctx:ident, $id:ident, $f:ident| $body:block) => {
        $(#[$doc])*
        pub async fn $name(
            State($state): State<WebState>,
            chrome: Chrome,
            csrf: CsrfToken,
            caller: Caller,
            $ctx: RequestCtx,
            Path($id): Path<i64>,
            WebForm($f): WebForm<ActionForm>,
        ) -> AppResult<Response> {
            let auth = caller.require(Access::SignedIn)?;
            let $p = auth.principal();
            let (result, form, value, anchor): (Result<(), ServiceError>, String, String, &str) = $body;
            let outcome = Outcome { result, form, value, anchor: anchor.to_owned() };
            done(&$state, chrome, csrf.0, &caller, $id, outcome).await
        }
    };
}

page_form!(
    /// `POST /tenders/{id}/publish`: 公告.
    publish_submit,
    |state, p, ctx, id, _f| {
        let r = state.services.publish_tender(&p, id, &ctx).await.map(|_| ());
        (r, "publish".into(), String::new(), "")
    }
);

page_form!(
    /// `POST /tenders/{id}/cancel`: 中止, with its reason.
    cancel_submit,
    |state, p, ctx, id, f| {
        let r = state
            .services
            .cancel_tender(&p, id, &f.reason, &ctx)
            .await
            .map(|_| ());
        (r, "cancel".into(), f.reason, "")
    }
);

page_form!(
    /// `POST /tenders/{id}/questions`: a supplier's question (private until answered).
    question_submit,
    |state, p, ctx, id, f| {
        let r = state
            .services
            .ask_question(&p, id, &f.question, &ctx)
            .await
            .map(|_| ());
        (r, "question".into(), f.question, "#qa")
    }
);

page_form!(
    /// `POST /tenders/{id}/applications`: 参加申請.
    apply_submit,
    |state, p, ctx, id, _f| {
        let r = state
            .services
            .apply_for_tender(&p, id, &ctx)
            .await
            .map(|_| ());
        (r, "apply".into(), String::new(), "#application")
    }
);

page_form!(
    /// `POST /tenders/{id}/nominations`: 指名 of a supplier (指名競争).
    nominate_submit,
    |state, p, ctx, id, f| {
        let r = match f.supplier.trim().parse::<i64>() {
            Ok(supplier) => state
                .services
                .nominate_supplier(&p, id, supplier, &ctx)
                .await
                .map(|_| ()),
            Err(_) => Err(ServiceError::field(
                "supplier",
                "required",
                "指名する企業の番号（企業ページのURLの数字）を入力してください。",
                "Enter the number of the company to nominate (the digits in its page's address).",
            )),
        };
        (r, "nominate".into(), f.supplier, "#applications")
    }
);

page_form!(
    /// `POST /tenders/{id}/favourite`: お気に入り on (`on=true`) or off.
    favourite_submit,
    |state, p, _ctx, id, f| {
        let r = state
            .services
            .favourite_tender(&p, id, truthy(&f.on))
            .await;
        (r, "favourite".into(), String::new(), "")
    }
);

/// `POST /tenders/{id}/questions/{qid}/answer`: the buyer's answer (published
/// without the asker).
pub async fn answer_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path((id, qid)): Path<(i64, i64)>,
    WebForm(f): WebForm<ActionForm>,
) -> AppResult<Response> {
    let auth = caller.require(Access::ApprovedBuyer)?;
    let r = state
        .services
        .answer_question(&auth.principal(), id, qid, &f.answer, &ctx)
        .await;
    let outcome = Outcome {
        result: r,
        form: format!("answer-{qid}"),
        value: f.answer,
        anchor: format!("#q-{qid}"),
    };
    done(&state, chrome, csrf.0, &caller, id, outcome).await
}

/// `POST /tenders/{id}/applications/{aid}/decision`: 指名 (`accept=true`) or
/// 非指名 with a reason.
pub async fn decision_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path((id, aid)): Path<(i64, i64)>,
    WebForm(f): WebForm<ActionForm>,
) -> AppResult<Response> {
    let auth = caller.require(Access::ApprovedBuyer)?;
    let reason = Some(f.reason.as_str()).filter(|r| !r.trim().is_empty());
    let r = state
        .services
        .decide_application(&auth.principal(), id, aid, truthy(&f.accept), reason, &ctx)
        .await;
    let outcome = Outcome {
        result: r,
        form: format!("decision-{aid}"),
        value: f.reason,
        anchor: "#applications".into(),
    };
    done(&state, chrome, csrf.0, &caller, id, outcome).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_become_the_input() {
        let i = input_from_form(
            "kind=sealed_bid&jsic=E%2C+0911&place=13&municipality=&eligible_prefectures=13&eligible_prefectures=14&eligible_grades=A&required_certifications=iso9001&version=2&updated_at=",
        );
        assert_eq!(i.kind, "sealed_bid");
        assert_eq!(i.jsic, ["E", "0911"]);
        assert_eq!(i.place, "13");
        assert_eq!(i.eligible_prefectures, ["13", "14"]);
        assert_eq!(i.version, Some(2));
        assert_eq!(i.updated_at, None);
        let i = input_from_form("place=13&municipality=131016&eligible_jsic=1511%E3%80%810911");
        assert_eq!(i.place, "131016");
        assert_eq!(i.eligible_jsic, ["1511", "0911"]);
    }

    #[test]
    fn local_times_keep_seconds_only_when_set() {
        let t = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 1, 8, 0, 0).unwrap();
        assert_eq!(local_input(t), "2026-12-01T17:00");
        assert_eq!(
            local_input(t + chrono::TimeDelta::seconds(5)),
            "2026-12-01T17:00:05"
        );
    }
}
