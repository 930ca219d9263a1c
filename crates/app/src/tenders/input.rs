//! A tender as typed into the form or sent as JSON: plain strings, checked
//! here into a [`TenderContent`], with every problem reported at once.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use musubi_domain::tender::{
    AwardMethod, Category, Contact, ContractMethod, Eligibility, MAX_SUMMARY_CHARS,
    MAX_TITLE_CHARS, Place, ReservePricePublication, Schedule, ScheduleError, TenderContent,
    TenderKind,
};
use musubi_domain::{
    Certification, EmailAddress, Grade, JsicCode, MunicipalityCode, Prefecture, Region,
    TaxExclusive, japan_local_to_utc, to_japan,
};
use serde::{Deserialize, Serialize};

use crate::error::FieldErrors;

/// Most JSIC codes on one tender (and in one eligibility requirement).
pub const MAX_JSIC: usize = 10;

/// The fields of the tender form and of `POST/PATCH /api/v1/tenders`.
/// Dates are RFC 3339 (`2026-12-01T17:00:00+09:00`) or Japan local time as a
/// `datetime-local` field sends it (`2026-12-01T17:00`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TenderInput {
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub category: String,
    pub jsic: Vec<String>,
    /// `online`, a prefecture code (`13`) or a municipality code (`131016`).
    pub place: String,
    pub place_detail: String,
    pub performance_start: String,
    pub performance_end: String,
    pub method: String,
    pub eligible_prefectures: Vec<String>,
    pub eligible_regions: Vec<String>,
    pub eligible_grades: Vec<String>,
    pub eligible_jsic: Vec<String>,
    pub required_certifications: Vec<String>,
    pub application_opens_at: String,
    pub application_closes_at: String,
    pub questions_until: String,
    pub submission_opens_at: String,
    pub submission_closes_at: String,
    pub opening_at: String,
    pub reserve_price: String,
    pub reserve_price_publication: String,
    pub minimum_price: String,
    pub award_method: String,
    pub contact_department: String,
    pub contact_person: String,
    pub contact_email: String,
    pub contact_phone: String,
    /// 訂正理由: required when amending a published tender.
    pub reason: String,
    /// The version (published) the editor started from, for amendments.
    pub version: Option<i64>,
    /// The draft's `updated_at` (RFC 3339) the editor started from.
    pub updated_at: Option<String>,
}

impl TenderInput {
    /// The form's values for an existing tender (to edit or amend it).
    pub fn from_content(c: &TenderContent) -> Self {
        let s = &c.schedule;
        let local = |t: DateTime<Utc>| to_japan(t).format("%Y-%m-%dT%H:%M").to_string();
        TenderInput {
            kind: c.kind.code().into(),
            title: c.title.clone(),
            summary: c.summary.clone(),
            category: c.category.code().into(),
            jsic: c.jsic.iter().map(|j| j.to_string()).collect(),
            place: match &c.place {
                Place::Online => "online".into(),
                Place::Prefecture { prefecture } => prefecture.code().to_string(),
                Place::Municipality { municipality } => municipality.as_str().into(),
            },
            place_detail: c.place_detail.clone(),
            performance_start: c
                .performance_start
                .map(|d| d.to_string())
                .unwrap_or_default(),
            performance_end: c.performance_end.map(|d| d.to_string()).unwrap_or_default(),
            method: c.method.code().into(),
            eligible_prefectures: c
                .eligibility
                .prefectures
                .iter()
                .map(|p| p.code().to_string())
                .collect(),
            eligible_regions: c
                .eligibility
                .regions
                .iter()
                .map(|r| r.code().to_string())
                .collect(),
            eligible_grades: c
                .eligibility
                .grades
                .iter()
                .map(|g| g.code().to_string())
                .collect(),
            eligible_jsic: c.eligibility.jsic.iter().map(|j| j.to_string()).collect(),
            required_certifications: c
                .eligibility
                .certifications
                .iter()
                .map(|x| x.code().to_string())
                .collect(),
            application_opens_at: s.application_opens_at.map(local).unwrap_or_default(),
            application_closes_at: s.application_closes_at.map(local).unwrap_or_default(),
            questions_until: local(s.questions_until),
            submission_opens_at: local(s.submission_opens_at),
            submission_closes_at: local(s.submission_closes_at),
            opening_at: local(s.opening_at),
            reserve_price: c
                .reserve_price
                .map(|p| p.amount().amount().to_string())
                .unwrap_or_default(),
            reserve_price_publication: c.reserve_price_publication.code().into(),
            minimum_price: c
                .minimum_price
                .map(|p| p.amount().amount().to_string())
                .unwrap_or_default(),
            award_method: c.award_method.code().into(),
            contact_department: c.contact.department.clone(),
            contact_person: c.contact.person.clone(),
            contact_email: c.contact.email.clone(),
            contact_phone: c.contact.phone.clone(),
            reason: String::new(),
            version: None,
            updated_at: None,
        }
    }
}

/// Parses a date-time: RFC 3339, or Japan local `YYYY-MM-DDTHH:MM[:SS]`
/// (also with a space instead of `T`).
pub fn parse_instant(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    let raw = raw.replace(' ', "T");
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&raw, f).ok())
        .and_then(japan_local_to_utc)
}

/// Cleans the 概要: newlines normalised, control characters and trailing
/// spaces removed, runs of blank lines collapsed. It is shown escaped, so
/// markup stays text.
pub fn sanitize_summary(raw: &str) -> String {
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let mut out: Vec<String> = Vec::new();
    let mut blank = 0;
    for line in text.lines() {
        let line: String = line
            .chars()
            .filter(|c| !c.is_control() || *c == '\t')
            .collect::<String>()
            .trim_end()
            .to_owned();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push(line);
    }
    out.join("\n").trim().to_owned()
}

fn codes<T, E: musubi_domain::DomainError>(
    e: &mut FieldErrors,
    field: &'static str,
    raw: &[String],
    parse: impl Fn(&str) -> Result<T, E>,
) -> Vec<T>
where
    T: PartialEq,
{
    let mut out = Vec::new();
    for r in raw.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if let Some(v) = e.take(field, parse(r))
            && !out.contains(&v)
        {
            out.push(v);
        }
    }
    out
}

fn choice<T>(
    e: &mut FieldErrors,
    field: &'static str,
    label_ja: &str,
    label_en: &str,
    raw: &str,
    parse: impl Fn(&str) -> Result<T, musubi_domain::organization::UnknownCode>,
) -> Option<T> {
    if raw.trim().is_empty() {
        e.add(
            field,
            "required",
            format!("{label_ja}を選択してください。"),
            format!("Please choose the {label_en}."),
        );
        return None;
    }
    e.take(field, parse(raw.trim()))
}

fn instant(
    e: &mut FieldErrors,
    field: &'static str,
    label_ja: &str,
    label_en: &str,
    raw: &str,
    required: bool,
) -> Option<DateTime<Utc>> {
    if raw.trim().is_empty() {
        if required {
            e.add(
                field,
                "required",
                format!("{label_ja}を入力してください。"),
                format!("Please enter the {label_en}."),
            );
        }
        return None;
    }
    let parsed = parse_instant(raw);
    if parsed.is_none() {
        e.add(
            field,
            "datetime_invalid",
            format!("{label_ja}は「2026-12-01T17:00」の形式で入力してください。"),
            format!("The {label_en} must look like 2026-12-01T17:00 (Japan time)."),
        );
    }
    parsed
}

fn date(e: &mut FieldErrors, field: &'static str, label_ja: &str, raw: &str) -> Option<NaiveDate> {
    if raw.trim().is_empty() {
        return None;
    }
    let parsed = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok();
    if parsed.is_none() {
        e.add(
            field,
            "date_invalid",
            format!("{label_ja}は「2026-12-01」の形式で入力してください。"),
            "Dates must look like 2026-12-01.",
        );
    }
    parsed
}

fn price(e: &mut FieldErrors, field: &'static str, raw: &str) -> Option<TaxExclusive> {
    if raw.trim().is_empty() {
        return None;
    }
    e.take(field, TaxExclusive::parse(raw))
}

/// Checks every field; the schedule's own rules (order, 公告期間, past dates)
/// are left to the caller, which knows whether this is a draft, a
/// publication or an amendment; `publish_at` is the given instant.
pub fn parse_content(
    input: &TenderInput,
    publish_at: DateTime<Utc>,
) -> Result<TenderContent, FieldErrors> {
    let mut e = FieldErrors::new();
    let kind = choice(
        &mut e,
        "kind",
        "案件種別",
        "tender kind",
        &input.kind,
        TenderKind::parse,
    );
    e.text("title", "件名", "title", &input.title, MAX_TITLE_CHARS);
    let summary = sanitize_summary(&input.summary);
    e.text("summary", "概要", "summary", &summary, MAX_SUMMARY_CHARS);
    let category = choice(
        &mut e,
        "category",
        "区分",
        "category",
        &input.category,
        Category::parse,
    );
    let jsic = codes(&mut e, "jsic", &input.jsic, JsicCode::parse);
    if jsic.len() > MAX_JSIC {
        e.add(
            "jsic",
            "too_many",
            format!("業種分類は{MAX_JSIC}件まで指定できます。"),
            format!("At most {MAX_JSIC} industry codes."),
        );
    }
    let place_raw = input.place.trim();
    let place = match place_raw {
        "" => {
            e.add(
                "place",
                "required",
                "履行場所を選択してください。",
                "Please choose the place of performance.",
            );
            None
        }
        "online" => Some(Place::Online),
        m if m.len() > 2 && m.chars().all(|c| c.is_ascii_digit()) => e
            .take("place", MunicipalityCode::parse(m))
            .map(|municipality| Place::Municipality { municipality }),
        p => e
            .take("place", Prefecture::parse(p))
            .map(|prefecture| Place::Prefecture { prefecture }),
    };
    if input.place_detail.chars().count() > 200 {
        e.add(
            "place_detail",
            "too_long",
            "履行場所の詳細は200文字以内で入力してください。",
            "The place detail must be at most 200 characters.",
        );
    }
    let performance_start = date(
        &mut e,
        "performance_start",
        "履行期間（開始）",
        &input.performance_start,
    );
    let performance_end = date(
        &mut e,
        "performance_end",
        "履行期間（終了）",
        &input.performance_end,
    );
    if let (Some(a), Some(b)) = (performance_start, performance_end)
        && b < a
    {
        e.add(
            "performance_end",
            "date_order",
            "履行期間の終了日は開始日以降にしてください。",
            "The end of the performance period must not be before its start.",
        );
    }
    let method = choice(
        &mut e,
        "method",
        "契約方法",
        "contract method",
        &input.method,
        ContractMethod::parse,
    );
    let eligibility = Eligibility {
        prefectures: codes(
            &mut e,
            "eligible_prefectures",
            &input.eligible_prefectures,
            Prefecture::parse,
        ),
        regions: codes(
            &mut e,
            "eligible_regions",
            &input.eligible_regions,
            Region::parse,
        ),
        grades: codes(
            &mut e,
            "eligible_grades",
            &input.eligible_grades,
            Grade::parse,
        ),
        jsic: codes(
            &mut e,
            "eligible_jsic",
            &input.eligible_jsic,
            JsicCode::parse,
        ),
        certifications: codes(
            &mut e,
            "required_certifications",
            &input.required_certifications,
            Certification::parse,
        ),
    };
    let sba = method == Some(ContractMethod::SelectiveByApplication);
    let application_opens_at = instant(
        &mut e,
        "application_opens_at",
        "参加申請受付開始日時",
        "application opening",
        &input.application_opens_at,
        sba,
    );
    let application_closes_at = instant(
        &mut e,
        "application_closes_at",
        "参加申請締切日時",
        "application deadline",
        &input.application_closes_at,
        sba,
    );
    let questions_until = instant(
        &mut e,
        "questions_until",
        "質問受付期限",
        "question deadline",
        &input.questions_until,
        true,
    );
    let submission_opens_at = instant(
        &mut e,
        "submission_opens_at",
        "提出受付開始日時",
        "submission opening",
        &input.submission_opens_at,
        true,
    );
    let submission_closes_at = instant(
        &mut e,
        "submission_closes_at",
        "提出締切日時",
        "submission deadline",
        &input.submission_closes_at,
        true,
    );
    let opening_at = instant(
        &mut e,
        "opening_at",
        "開札日時",
        "opening",
        &input.opening_at,
        true,
    );
    let reserve_price = price(&mut e, "reserve_price", &input.reserve_price);
    let reserve_price_publication = if input.reserve_price_publication.trim().is_empty() {
        Some(ReservePricePublication::AtOpening)
    } else {
        e.take(
            "reserve_price_publication",
            ReservePricePublication::parse(input.reserve_price_publication.trim()),
        )
    };
    let minimum_price = price(&mut e, "minimum_price", &input.minimum_price);
    if let (Some(min), Some(max)) = (minimum_price, reserve_price)
        && min > max
    {
        e.add(
            "minimum_price",
            "minimum_above_reserve",
            "最低制限価格は予定価格以下にしてください。",
            "The minimum price must not exceed the reserve price.",
        );
    }
    let award_method = choice(
        &mut e,
        "award_method",
        "落札者決定方式",
        "award method",
        &input.award_method,
        AwardMethod::parse,
    );
    e.text(
        "contact_department",
        "担当部署",
        "contact department",
        &input.contact_department,
        100,
    );
    for (field, label_ja, value, max) in [
        ("contact_person", "担当者", &input.contact_person, 50),
        ("contact_phone", "電話番号", &input.contact_phone, 30),
    ] {
        if value.chars().count() > max {
            e.add(
                field,
                "too_long",
                format!("{label_ja}は{max}文字以内で入力してください。"),
                format!("At most {max} characters."),
            );
        }
    }
    let contact_email = input.contact_email.trim();
    if !contact_email.is_empty() {
        e.take("contact_email", EmailAddress::parse(contact_email));
    }

    let schedule = match (
        questions_until,
        submission_opens_at,
        submission_closes_at,
        opening_at,
    ) {
        (
            Some(questions_until),
            Some(submission_opens_at),
            Some(submission_closes_at),
            Some(opening_at),
        ) => Some(Schedule {
            publish_at,
            application_opens_at,
            application_closes_at,
            questions_until,
            submission_opens_at,
            submission_closes_at,
            opening_at,
        }),
        _ => None,
    };
    match (
        kind,
        category,
        place,
        method,
        schedule,
        reserve_price_publication,
        award_method,
    ) {
        (
            Some(kind),
            Some(category),
            Some(place),
            Some(method),
            Some(schedule),
            Some(reserve_price_publication),
            Some(award_method),
        ) if e.is_empty() => Ok(TenderContent {
            kind,
            title: input.title.trim().to_owned(),
            summary,
            category,
            jsic,
            place,
            place_detail: input.place_detail.trim().to_owned(),
            performance_start,
            performance_end,
            method,
            eligibility,
            schedule,
            reserve_price,
            reserve_price_publication,
            minimum_price,
            award_method,
            contact: Contact {
                department: input.contact_department.trim().to_owned(),
                person: input.contact_person.trim().to_owned(),
                email: contact_email.to_owned(),
                phone: input.contact_phone.trim().to_owned(),
            },
        }),
        _ => Err(e),
    }
}

/// Adds schedule errors to the field they belong to.
pub fn schedule_errors(e: &mut FieldErrors, errors: &[ScheduleError]) {
    for err in errors {
        let field: &'static str = err.field().code();
        e.add(field, err.code(), err.message_ja(), err.message_en());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_in_japan_time_or_rfc3339() {
        let a = parse_instant("2026-12-01T17:00").unwrap();
        let b = parse_instant("2026-12-01T17:00:00+09:00").unwrap();
        let c = parse_instant("2026-12-01 08:00:00Z").unwrap_or(a);
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(parse_instant("2026/12/01"), None);
    }

    #[test]
    fn summary_keeps_paragraphs_and_drops_control_characters() {
        assert_eq!(
            sanitize_summary("一\r\n\r\n\r\n二\u{0007}  \n・三\n\n"),
            "一\n\n二\n・三"
        );
    }
}
