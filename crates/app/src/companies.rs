//! Supplier profiles, the public directory and buyers' favourites.

use musubi_domain::{
    Access, Certification, EmailAddress, Grade, GradeCategory, JsicCode, MunicipalityCode, OrgKind,
    Prefecture, Principal,
};
use musubi_storage::{
    AuditEntry, CatalogueItem, CompanyProfile, CompanyProfileData, CompanySummary, DirectoryQuery,
    OrgId, Page, ProfileVersion, StorageError,
};

use crate::error::{FieldErrors, ServiceError, ServiceResult};
use crate::{RequestCtx, Services};

/// A profile as typed into a form or sent as JSON: plain strings, checked here.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ProfileInput {
    pub representative: String,
    pub prefecture: String,
    pub municipality: String,
    pub address_line: String,
    pub jsic: Vec<String>,
    pub capabilities: String,
    pub catalogue: Vec<CatalogueItem>,
    pub certifications: Vec<String>,
    /// `category:grade`, e.g. `goods:C`.
    pub grades: Vec<String>,
    pub employees: String,
    pub capital_yen: String,
    pub founded_year: String,
    pub website: String,
    pub contact_email: String,
    pub contact_phone: String,
    /// The version the editor started from (optimistic locking).
    pub version: Option<i64>,
}

pub const MAX_JSIC: usize = 10;
pub const MAX_CATALOGUE: usize = 30;

fn optional_number<T: std::str::FromStr>(
    errors: &mut FieldErrors,
    field: &'static str,
    label_ja: &str,
    label_en: &str,
    raw: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Option<T> {
    let cleaned: String = raw
        .trim()
        .chars()
        .filter(|c| *c != ',')
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    match cleaned.parse::<i64>() {
        Ok(n) if range.contains(&n) => cleaned.parse::<T>().ok(),
        _ => {
            errors.add(
                field,
                "number_invalid",
                format!(
                    "{label_ja}は{}から{}までの整数で入力してください。",
                    range.start(),
                    range.end()
                ),
                format!(
                    "The {label_en} must be a whole number from {} to {}.",
                    range.start(),
                    range.end()
                ),
            );
            None
        }
    }
}

/// Checks every field of a profile and reports all problems at once.
pub fn validate_profile(
    input: &ProfileInput,
    this_year: i32,
) -> Result<CompanyProfileData, ServiceError> {
    let mut e = FieldErrors::new();
    e.text(
        "representative",
        "代表者",
        "representative",
        &input.representative,
        50,
    );
    let prefecture = e.take("prefecture", Prefecture::parse(&input.prefecture));
    let municipality = if input.municipality.trim().is_empty() {
        None
    } else {
        let m = e.take("municipality", MunicipalityCode::parse(&input.municipality));
        if let (Some(m), Some(p)) = (&m, prefecture)
            && m.prefecture() != p
        {
            e.add(
                "municipality",
                "municipality_prefecture_mismatch",
                "市区町村コードが都道府県と一致しません。",
                "The municipality code does not belong to the prefecture.",
            );
        }
        m
    };
    e.text(
        "address_line",
        "所在地（町名・番地）",
        "street address",
        &input.address_line,
        200,
    );
    let mut jsic = Vec::new();
    for (i, raw) in input
        .jsic
        .iter()
        .filter(|s| !s.trim().is_empty())
        .enumerate()
    {
        if i >= MAX_JSIC {
            e.add(
                "jsic",
                "too_many",
                format!("業種は{MAX_JSIC}件まで登録できます。"),
                format!("At most {MAX_JSIC} industry codes."),
            );
            break;
        }
        if let Some(code) = e.take("jsic", JsicCode::parse(raw))
            && !jsic.contains(&code)
        {
            jsic.push(code);
        }
    }
    if jsic.is_empty() && e.get("jsic").is_none() {
        e.add(
            "jsic",
            "required",
            "業種（日本標準産業分類）を1件以上選択してください。",
            "Choose at least one industry (JSIC) code.",
        );
    }
    e.text(
        "capabilities",
        "事業内容・得意分野",
        "capabilities",
        &input.capabilities,
        4000,
    );
    let mut catalogue = Vec::new();
    for item in input
        .catalogue
        .iter()
        .filter(|i| !(i.title.trim().is_empty() && i.description.trim().is_empty()))
    {
        if catalogue.len() >= MAX_CATALOGUE {
            e.add(
                "catalogue",
                "too_many",
                format!("製品・サービスは{MAX_CATALOGUE}件まで登録できます。"),
                format!("At most {MAX_CATALOGUE} catalogue entries."),
            );
            break;
        }
        let (t, d) = (item.title.trim(), item.description.trim());
        if t.is_empty() || t.chars().count() > 100 || d.chars().count() > 1000 {
            e.add(
                "catalogue",
                "catalogue_invalid",
                "製品・サービスは名称（100文字以内）と説明（1000文字以内）を入力してください。",
                "Each catalogue entry needs a title (up to 100 characters) and a description (up to 1000).",
            );
            break;
        }
        catalogue.push(CatalogueItem {
            title: t.to_owned(),
            description: d.to_owned(),
        });
    }
    let mut certifications = Vec::new();
    for raw in input.certifications.iter().filter(|s| !s.trim().is_empty()) {
        if let Some(c) = e.take("certifications", Certification::parse(raw))
            && !certifications.contains(&c)
        {
            certifications.push(c);
        }
    }
    let mut grades: Vec<(GradeCategory, Grade)> = Vec::new();
    for raw in input.grades.iter().filter(|s| !s.trim().is_empty()) {
        let Some((c, g)) = raw.split_once(':') else {
            e.add(
                "grades",
                "grade_invalid",
                "等級の指定が正しくありません。",
                "A grade must be given as category:grade.",
            );
            continue;
        };
        if let (Some(c), Some(g)) = (
            e.take("grades", GradeCategory::parse(c)),
            e.take("grades", Grade::parse(g)),
        ) {
            grades.retain(|(cat, _)| *cat != c);
            grades.push((c, g));
        }
    }
    let employees = optional_number::<u32>(
        &mut e,
        "employees",
        "従業員数",
        "number of employees",
        &input.employees,
        0..=1_000_000,
    );
    let capital_yen = optional_number::<i64>(
        &mut e,
        "capital_yen",
        "資本金（円）",
        "capital (yen)",
        &input.capital_yen,
        0..=10_000_000_000_000,
    );
    let founded_year = optional_number::<i32>(
        &mut e,
        "founded_year",
        "設立年",
        "year founded",
        &input.founded_year,
        1800..=i64::from(this_year),
    );
    let website = match input.website.trim() {
        "" => None,
        w if (w.starts_with("https://") || w.starts_with("http://"))
            && w.len() <= 200
            && !w.contains(char::is_whitespace) =>
        {
            Some(w.to_owned())
        }
        _ => {
            e.add(
                "website",
                "url_invalid",
                "ウェブサイトは http:// または https:// で始まるURLを入力してください。",
                "The website must be a URL starting with http:// or https://.",
            );
            None
        }
    };
    let contact_email = match input.contact_email.trim() {
        "" => None,
        s => e
            .take("contact_email", EmailAddress::parse(s))
            .map(|a| a.to_string()),
    };
    let contact_phone = match input.contact_phone.trim() {
        "" => None,
        p if p.len() <= 20
            && p.chars().all(|c| c.is_ascii_digit() || c == '-')
            && p.chars().filter(char::is_ascii_digit).count() >= 10 =>
        {
            Some(p.to_owned())
        }
        _ => {
            e.add(
                "contact_phone",
                "phone_invalid",
                "電話番号は半角数字とハイフンで入力してください（例: 03-1234-5678）。",
                "Write the phone number with digits and hyphens, e.g. 03-1234-5678.",
            );
            None
        }
    };
    e.into_result()?;
    Ok(CompanyProfileData {
        representative: input.representative.trim().to_owned(),
        prefecture: prefecture.expect("checked"),
        municipality,
        address_line: input.address_line.trim().to_owned(),
        jsic,
        capabilities: input.capabilities.trim().to_owned(),
        catalogue,
        certifications,
        grades,
        employees,
        capital_yen,
        founded_year,
        website,
        contact_email,
        contact_phone,
    })
}

impl Services {
    pub async fn company_profile(&self, org: OrgId) -> ServiceResult<CompanyProfile> {
        self.storage
            .company_profile(org)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// Saves a supplier's profile (members of that supplier, or platform admins).
    pub async fn save_company_profile(
        &self,
        principal: &Principal,
        org: OrgId,
        input: &ProfileInput,
        ctx: &RequestCtx,
    ) -> ServiceResult<i64> {
        let organization = self.organization(org).await?;
        let member = principal.membership.is_some_and(|m| m.org_id == org);
        if !(member || principal.is_platform_admin()) {
            return Err(ServiceError::Denied(musubi_domain::Denial::Forbidden(
                "not_a_member",
            )));
        }
        if organization.kind != OrgKind::Supplier {
            return Err(ServiceError::refused(
                409,
                "not_a_supplier",
                "企業情報は受注者（登録企業）のみ登録できます。",
                "Only supplier companies have a company profile.",
            ));
        }
        let now = self.clock.now();
        let data = validate_profile(input, crate::japan_year(now))?;
        let audit = AuditEntry::new("company.save_profile", "organization", Some(org))
            .by(Some(principal.user_id), ctx.ip.as_deref());
        match self
            .storage
            .save_company_profile(
                org,
                &data,
                input.version,
                now,
                audit,
                &[crate::search::company_job(org)],
            )
            .await
        {
            Ok(v) => {
                self.wake_worker();
                Ok(v)
            }
            Err(StorageError::Conflict(c)) if c == "stale_version" => Err(ServiceError::refused(
                409,
                "stale_version",
                "編集中に他の担当者が企業情報を更新しました。最新の内容を確認してから、もう一度保存してください。",
                "Someone else saved this profile while you were editing. Check the latest version and save again.",
            )),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn profile_history(
        &self,
        principal: &Principal,
        org: OrgId,
    ) -> ServiceResult<Vec<ProfileVersion>> {
        let member = principal.membership.is_some_and(|m| m.org_id == org);
        if !(member || principal.is_platform_admin()) {
            return Err(ServiceError::Denied(musubi_domain::Denial::Forbidden(
                "not_a_member",
            )));
        }
        Ok(self.storage.profile_versions(org).await?)
    }

    pub async fn directory(&self, query: &DirectoryQuery) -> ServiceResult<Page<CompanySummary>> {
        Ok(self.storage.directory(query).await?)
    }

    pub async fn add_favourite(&self, principal: &Principal, org: OrgId) -> ServiceResult<()> {
        musubi_domain::authz::check(Some(principal), Access::BuyerOrCoordinator)?;
        self.company_profile(org).await?;
        Ok(self
            .storage
            .add_favourite(principal.user_id, org, self.clock.now())
            .await?)
    }

    pub async fn remove_favourite(&self, principal: &Principal, org: OrgId) -> ServiceResult<()> {
        musubi_domain::authz::check(Some(principal), Access::BuyerOrCoordinator)?;
        Ok(self
            .storage
            .remove_favourite(principal.user_id, org)
            .await?)
    }

    pub async fn favourites(&self, principal: &Principal) -> ServiceResult<Vec<CompanySummary>> {
        musubi_domain::authz::check(Some(principal), Access::BuyerOrCoordinator)?;
        Ok(self.storage.favourites(principal.user_id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> ProfileInput {
        ProfileInput {
            representative: "代表取締役 佐藤 健一".into(),
            prefecture: "13".into(),
            municipality: "131016".into(),
            address_line: "神田須田町一丁目2番3号".into(),
            jsic: vec!["1511".into(), "E".into()],
            capabilities: "オフセット印刷と製本を一貫して請け負います。".into(),
            certifications: vec!["iso9001".into()],
            grades: vec!["goods:C".into()],
            employees: "３５".into(),
            capital_yen: "10,000,000".into(),
            founded_year: "1978".into(),
            website: "https://www.example.jp".into(),
            contact_email: "info@example.jp".into(),
            contact_phone: "03-1234-5678".into(),
            ..Default::default()
        }
    }

    #[test]
    fn valid_profile() {
        let d = validate_profile(&good(), 2026).unwrap();
        assert_eq!(d.employees, Some(35));
        assert_eq!(d.capital_yen, Some(10_000_000));
        assert_eq!(d.jsic.len(), 2);
    }

    #[test]
    fn every_bad_field_is_reported() {
        let mut p = good();
        p.prefecture = "48".into();
        p.municipality = "011002".into();
        p.jsic = vec!["Z".into()];
        p.founded_year = "2030".into();
        p.website = "ftp://x".into();
        p.contact_phone = "phone".into();
        p.grades = vec!["goods:E".into()];
        let ServiceError::Invalid(f) = validate_profile(&p, 2026).unwrap_err() else {
            panic!()
        };
        let fields: Vec<_> = f.0.iter().map(|e| e.field).collect();
        for field in [
            "prefecture",
            "jsic",
            "grades",
            "founded_year",
            "website",
            "contact_phone",
        ] {
            assert!(fields.contains(&field), "{field} missing in {fields:?}");
        }
        let mut p = good();
        p.municipality = "011002".into();
        let ServiceError::Invalid(f) = validate_profile(&p, 2026).unwrap_err() else {
            panic!()
        };
        assert_eq!(f.0[0].code, "municipality_prefecture_mismatch");
    }
}
