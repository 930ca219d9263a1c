//! How a tender reads on a page: labels in the viewer's language, Japan
//! time, prices, and the rows of the tender page (概要, 参加資格, 日程,
//! 予定価格, 問い合わせ先), shared by the tender page, the version history
//! and the lists.

use chrono::{DateTime, NaiveDate, Utc};
use musubi_domain::tender::{
    AwardMethod, Category, ContractMethod, Place, ReservePricePublication, TenderContent,
    TenderKind, TenderStatus, Transition,
};
use musubi_domain::{Certification, Grade, Prefecture, Region, TaxExclusive};

use crate::i18n::Lang;

/// A code with names in both languages.
pub trait Named: Copy {
    fn name_in(self, lang: Lang) -> &'static str;
}

macro_rules! named {
    ($($t:ty),* $(,)?) => {
        $(impl Named for $t {
            fn name_in(self, lang: Lang) -> &'static str {
                match lang {
                    Lang::Ja => self.name_ja(),
                    Lang::En => self.name_en(),
                }
            }
        })*
    };
}

named!(
    TenderKind,
    Category,
    ContractMethod,
    AwardMethod,
    ReservePricePublication,
    TenderStatus,
    Transition,
    Prefecture,
    Region,
    Certification,
    Grade,
);

/// Japanese or English text.
pub fn pick(lang: Lang, ja: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Ja => ja,
        Lang::En => en,
    }
}

/// "2026年12月1日 17:00" / "2026-12-01 17:00 JST".
pub fn time(lang: Lang, t: DateTime<Utc>) -> String {
    match lang {
        Lang::Ja => musubi_domain::format_japan_datetime(t),
        Lang::En => musubi_domain::format_japan_datetime_en(t),
    }
}

pub fn date(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Ja => musubi_domain::format_date_ja(d),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    }
}

/// "1,234円（税抜）" / "¥1,234 (excl. tax)".
pub fn price(lang: Lang, p: TaxExclusive) -> String {
    match lang {
        Lang::Ja => p.to_string(),
        Lang::En => format!("{} (excl. tax)", p.amount()),
    }
}

/// "1.2 MB", "35 KB", "512 バイト".
pub fn size(lang: Lang, bytes: i64) -> String {
    let b = bytes.max(0) as f64;
    if b >= 1_048_576.0 {
        format!("{:.1} MB", b / 1_048_576.0)
    } else if b >= 1024.0 {
        format!("{:.0} KB", (b / 1024.0).ceil())
    } else {
        match lang {
            Lang::Ja => format!("{bytes} バイト"),
            Lang::En => format!("{bytes} bytes"),
        }
    }
}

/// CSS class of a status badge: open, closed or ended.
pub fn status_class(s: TenderStatus) -> &'static str {
    use TenderStatus as S;
    match s {
        S::Draft => "status-draft",
        S::Published | S::AcceptingApplications | S::ApplicationsClosed | S::Tendering => {
            "status-open"
        }
        S::Cancelled => "status-cancelled",
        _ => "status-closed",
    }
}

/// Whether 開札 has happened (the 最低制限価格 is public from then on).
pub fn opened(s: TenderStatus) -> bool {
    matches!(
        s,
        TenderStatus::Opened
            | TenderStatus::Evaluating
            | TenderStatus::Awarded
            | TenderStatus::Unsuccessful
    )
}

pub fn place(lang: Lang, p: &Place) -> String {
    match p {
        Place::Online => pick(lang, "オンライン（場所を問わない）", "Online (anywhere)").into(),
        Place::Prefecture { prefecture } => prefecture.name_in(lang).into(),
        Place::Municipality { municipality } => {
            let pref = p.prefecture().map(|x| x.name_in(lang)).unwrap_or_default();
            match lang {
                Lang::Ja => format!("{pref}（市区町村コード {}）", municipality.as_str()),
                Lang::En => format!("{pref} (municipality code {})", municipality.as_str()),
            }
        }
    }
}

fn join<T: Named>(lang: Lang, items: &[T]) -> String {
    let names: Vec<&str> = items.iter().map(|x| x.name_in(lang)).collect();
    names.join(pick(lang, "、", ", "))
}

fn none(lang: Lang) -> String {
    pick(lang, "なし", "None").into()
}

/// One line of a table of facts.
#[derive(Debug, Clone)]
pub struct Row {
    pub label: &'static str,
    pub value: String,
    /// Multi-line text (概要).
    pub long: bool,
}

fn row(label: &'static str, value: String) -> Row {
    Row {
        label,
        value,
        long: false,
    }
}

/// The name of a field of [`TenderContent::changed_fields`] (and of the form).
pub fn field_label(lang: Lang, field: &str) -> &'static str {
    let (ja, en) = match field {
        "kind" => ("案件種別", "Kind"),
        "title" => ("件名", "Title"),
        "summary" => ("概要", "Summary"),
        "category" => ("区分", "Category"),
        "jsic" => ("業種（日本標準産業分類）", "Industry (JSIC)"),
        "place" => ("履行場所", "Place of performance"),
        "place_detail" => ("履行場所（詳細）", "Place (details)"),
        "performance_start" => ("履行期間（開始）", "Performance period (start)"),
        "performance_end" => ("履行期間（終了）", "Performance period (end)"),
        "method" => ("契約方法", "Contract method"),
        "eligibility" => ("参加資格", "Eligibility"),
        "publish_at" => ("公告日", "Publication"),
        "application_opens_at" => ("参加申請受付開始日時", "Applications open"),
        "application_closes_at" => ("参加申請締切日時", "Application deadline"),
        "questions_until" => ("質問受付期限", "Question deadline"),
        "submission_opens_at" => ("提出受付開始日時", "Submissions open"),
        "submission_closes_at" => ("提出締切日時", "Submission deadline"),
        "opening_at" => ("開札日時", "Opening"),
        "reserve_price" => ("予定価格", "Reserve price"),
        "reserve_price_publication" => ("予定価格の公表時期", "Reserve price published"),
        "minimum_price" => ("最低制限価格", "Minimum price"),
        "award_method" => ("落札者決定方式", "Award method"),
        "contact" => ("問い合わせ先", "Contact"),
        _ => ("その他", "Other"),
    };
    pick(lang, ja, en)
}

/// What a viewer may see of the prices.
#[derive(Debug, Clone, Copy)]
pub struct Sealing {
    /// The 予定価格 is held back until opening.
    pub reserve: bool,
    /// The 最低制限価格 (if any) is held back until opening.
    pub minimum: bool,
}

impl Sealing {
    pub fn new(status: TenderStatus, is_buyer: bool, reserve_price_sealed: bool) -> Sealing {
        Sealing {
            reserve: reserve_price_sealed,
            minimum: !is_buyer && !opened(status),
        }
    }
}

/// The value of one field (by its [`field_label`] name), for the history.
pub fn field_value(lang: Lang, c: &TenderContent, field: &str, sealing: Sealing) -> String {
    let s = &c.schedule;
    let t = |x: DateTime<Utc>| time(lang, x);
    let opt_t = |x: Option<DateTime<Utc>>| x.map(t).unwrap_or_else(|| none(lang));
    let opt_d = |x: Option<NaiveDate>| x.map(|d| date(lang, d)).unwrap_or_else(|| none(lang));
    match field {
        "kind" => c.kind.name_in(lang).into(),
        "title" => c.title.clone(),
        "summary" => c.summary.clone(),
        "category" => c.category.name_in(lang).into(),
        "jsic" => jsic_list(lang, &c.jsic),
        "place" => place(lang, &c.place),
        "place_detail" => or_none(lang, &c.place_detail),
        "performance_start" => opt_d(c.performance_start),
        "performance_end" => opt_d(c.performance_end),
        "method" => c.method.name_in(lang).into(),
        "eligibility" => eligibility_rows(lang, c)
            .into_iter()
            .map(|r| format!("{}: {}", r.label, r.value))
            .collect::<Vec<_>>()
            .join(" / "),
        "publish_at" => t(s.publish_at),
        "application_opens_at" => opt_t(s.application_opens_at),
        "application_closes_at" => opt_t(s.application_closes_at),
        "questions_until" => t(s.questions_until),
        "submission_opens_at" => t(s.submission_opens_at),
        "submission_closes_at" => t(s.submission_closes_at),
        "opening_at" => t(s.opening_at),
        "reserve_price" => reserve_value(lang, c, sealing),
        "reserve_price_publication" => c.reserve_price_publication.name_in(lang).into(),
        "minimum_price" => minimum_value(lang, c, sealing),
        "award_method" => c.award_method.name_in(lang).into(),
        "contact" => contact_rows(lang, c)
            .into_iter()
            .map(|r| r.value)
            .collect::<Vec<_>>()
            .join(" / "),
        _ => String::new(),
    }
}

fn or_none(lang: Lang, s: &str) -> String {
    if s.trim().is_empty() {
        none(lang)
    } else {
        s.to_owned()
    }
}

fn jsic_list(lang: Lang, codes: &[musubi_domain::JsicCode]) -> String {
    if codes.is_empty() {
        return pick(lang, "指定なし", "Not specified").into();
    }
    codes
        .iter()
        .map(|j| j.to_string())
        .collect::<Vec<_>>()
        .join(pick(lang, "、", ", "))
}

fn reserve_value(lang: Lang, c: &TenderContent, sealing: Sealing) -> String {
    match c.reserve_price {
        Some(p) => price(lang, p),
        None if sealing.reserve => pick(lang, "開札時に公表", "Published at opening").into(),
        None => pick(lang, "設定なし", "None").into(),
    }
}

fn minimum_value(lang: Lang, c: &TenderContent, sealing: Sealing) -> String {
    match c.minimum_price {
        Some(p) => price(lang, p),
        None if sealing.minimum => pick(
            lang,
            "開札時に公表（設定がある場合）",
            "Published at opening (if set)",
        )
        .into(),
        None => pick(lang, "設定なし", "None").into(),
    }
}

/// 案件の概要: kind, category, method, place, period, award method.
pub fn overview_rows(lang: Lang, c: &TenderContent) -> Vec<Row> {
    let mut rows = vec![
        row(pick(lang, "案件種別", "Kind"), c.kind.name_in(lang).into()),
        row(
            pick(lang, "区分", "Category"),
            c.category.name_in(lang).into(),
        ),
        row(
            pick(lang, "契約方法", "Contract method"),
            c.method.name_in(lang).into(),
        ),
        row(
            pick(lang, "落札者決定方式", "Award method"),
            c.award_method.name_in(lang).into(),
        ),
        row(
            pick(lang, "業種（日本標準産業分類）", "Industry (JSIC)"),
            jsic_list(lang, &c.jsic),
        ),
    ];
    let mut where_ = place(lang, &c.place);
    if !c.place_detail.trim().is_empty() {
        where_.push_str(pick(lang, "　", " — "));
        where_.push_str(c.place_detail.trim());
    }
    rows.push(row(pick(lang, "履行場所", "Place of performance"), where_));
    let period = match (c.performance_start, c.performance_end) {
        (None, None) => pick(lang, "別途指定", "To be agreed").to_owned(),
        (a, b) => format!(
            "{}{}{}",
            a.map(|d| date(lang, d)).unwrap_or_default(),
            pick(lang, "から", " to "),
            b.map(|d| date(lang, d)).unwrap_or_default()
        ),
    };
    rows.push(row(pick(lang, "履行期間", "Performance period"), period));
    rows
}

/// 参加資格: location, grade, industry, certifications.
pub fn eligibility_rows(lang: Lang, c: &TenderContent) -> Vec<Row> {
    let e = &c.eligibility;
    let location = if e.is_nationwide() {
        pick(
            lang,
            "全国（所在地の要件なし）",
            "Nationwide (no location requirement)",
        )
        .into()
    } else {
        let mut names: Vec<&str> = e.prefectures.iter().map(|p| p.name_in(lang)).collect();
        names.extend(e.regions.iter().map(|r| r.name_in(lang)));
        names.join(pick(lang, "、", ", "))
    };
    let grades = if e.grades.is_empty() {
        pick(lang, "要件なし", "None").into()
    } else {
        format!(
            "{}{}{}",
            c.category.name_in(lang),
            pick(lang, "：", ": "),
            join(lang, &e.grades)
        )
    };
    let industry = if e.jsic.is_empty() {
        pick(lang, "要件なし", "None").into()
    } else {
        jsic_list(lang, &e.jsic)
    };
    let certs = if e.certifications.is_empty() {
        pick(lang, "要件なし", "None").into()
    } else {
        join(lang, &e.certifications)
    };
    vec![
        row(pick(lang, "所在地要件", "Location"), location),
        row(pick(lang, "等級要件", "Grade"), grades),
        row(pick(lang, "業種要件", "Industry"), industry),
        row(pick(lang, "資格要件", "Certifications"), certs),
    ]
}

/// 日程, in Japan time. `published`: the 公告日 to show (`None` for a draft).
pub fn schedule_rows(lang: Lang, c: &TenderContent, published: Option<DateTime<Utc>>) -> Vec<Row> {
    let s = &c.schedule;
    let mut rows = vec![row(
        pick(lang, "公告日", "Published"),
        match published {
            Some(p) => time(lang, p),
            None => pick(lang, "未公告（下書き）", "Not yet published (draft)").into(),
        },
    )];
    if let (Some(a), Some(b)) = (s.application_opens_at, s.application_closes_at) {
        rows.push(row(
            pick(lang, "参加申請受付期間", "Application period"),
            format!(
                "{}{}{}",
                time(lang, a),
                pick(lang, "から", " to "),
                time(lang, b)
            ),
        ));
    }
    rows.push(row(
        pick(lang, "質問受付期限", "Question deadline"),
        time(lang, s.questions_until),
    ));
    rows.push(row(
        pick(lang, "提出受付開始日時", "Submissions open"),
        time(lang, s.submission_opens_at),
    ));
    rows.push(row(
        pick(lang, "提出締切日時", "Submission deadline"),
        time(lang, s.submission_closes_at),
    ));
    rows.push(row(
        pick(lang, "開札日時", "Opening"),
        time(lang, s.opening_at),
    ));
    rows
}

/// 予定価格・最低制限価格, as this viewer may see them.
pub fn price_rows(lang: Lang, c: &TenderContent, sealing: Sealing) -> Vec<Row> {
    vec![
        row(
            pick(lang, "予定価格", "Reserve price"),
            reserve_value(lang, c, sealing),
        ),
        row(
            pick(lang, "予定価格の公表時期", "Reserve price published"),
            c.reserve_price_publication.name_in(lang).into(),
        ),
        row(
            pick(lang, "最低制限価格", "Minimum price"),
            minimum_value(lang, c, sealing),
        ),
    ]
}

/// 問い合わせ先.
pub fn contact_rows(lang: Lang, c: &TenderContent) -> Vec<Row> {
    let k = &c.contact;
    let mut rows = vec![row(
        pick(lang, "担当部署", "Department"),
        k.department.clone(),
    )];
    for (label, value) in [
        (pick(lang, "担当者", "Person"), &k.person),
        (pick(lang, "電話番号", "Phone"), &k.phone),
        (pick(lang, "メールアドレス", "E-mail"), &k.email),
    ] {
        if !value.trim().is_empty() {
            rows.push(row(label, value.clone()));
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_prices() {
        assert_eq!(size(Lang::Ja, 512), "512 バイト");
        assert_eq!(size(Lang::En, 2048), "2 KB");
        assert_eq!(size(Lang::Ja, 3 * 1_048_576 / 2), "1.5 MB");
        let p = TaxExclusive::parse("1234567").unwrap();
        assert_eq!(price(Lang::Ja, p), "1,234,567円（税抜）");
        assert_eq!(price(Lang::En, p), "¥1,234,567 (excl. tax)");
    }

    #[test]
    fn every_changed_field_has_a_label() {
        for f in [
            "kind",
            "title",
            "summary",
            "category",
            "jsic",
            "place",
            "place_detail",
            "performance_start",
            "performance_end",
            "method",
            "eligibility",
            "publish_at",
            "application_opens_at",
            "application_closes_at",
            "questions_until",
            "submission_opens_at",
            "submission_closes_at",
            "opening_at",
            "reserve_price",
            "reserve_price_publication",
            "minimum_price",
            "award_method",
            "contact",
        ] {
            assert_ne!(field_label(Lang::Ja, f), "その他", "{f}");
        }
    }
}
