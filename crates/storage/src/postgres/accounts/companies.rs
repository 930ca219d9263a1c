//! PostgreSQL: supplier profiles, their history, the public directory,
//! bulk imports and favourites.
//!
//! A profile lives in `company_profiles` plus child tables (JSIC codes,
//! certifications, grades, catalogue) that the directory filters on with
//! `EXISTS` over their indexes; every saved version is also kept whole as JSON
//! in `company_profile_versions`. Child rows are written with `UNNEST`, one
//! statement per table however many companies are saved at once.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musubi_domain::{
    Certification, Grade, GradeCategory, JsicCode, JsicLevel, MunicipalityCode, OrgKind, Prefecture,
};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, Postgres, Row, Transaction};

use super::{
    clamp_limit, clamp_offset, corrupt, db_error, insert_audit, organization_from_row, parse,
};
use crate::postgres::PgStore;
use crate::postgres::insert_jobs;
use crate::{
    AuditEntry, CatalogueItem, CompanyImport, CompanyProfile, CompanyProfileData, CompanyStore,
    CompanySummary, DirectoryQuery, DirectorySort, MatchingSupplier, NewJob, OpenTender, OrgId,
    Page, Participation, ProfileVersion, Result, StorageError, UserId,
};

/// Companies per statement in an import: big enough that a statement's round
/// trip is noise, small enough to keep the bound arrays modest.
const IMPORT_CHUNK: usize = 5_000;

/// The profile as stored: codes sorted and without duplicates (the child
/// tables are keyed by them), so what is read back equals what was saved,
/// and the version snapshots hold the same.
fn canonical(data: &CompanyProfileData) -> CompanyProfileData {
    let mut data = data.clone();
    data.jsic.sort();
    data.jsic.dedup();
    data.certifications.sort();
    data.certifications.dedup();
    data.grades.sort_by_key(|(category, _)| *category);
    data.grades.dedup_by_key(|(category, _)| *category);
    data
}

fn conflict(code: &str) -> StorageError {
    StorageError::Conflict(code.to_owned())
}

/// A value the column cannot hold (the service validates; this is the backstop).
fn unencodable(what: &str, value: impl std::fmt::Display) -> StorageError {
    StorageError::Database(sqlx::Error::Encode(
        format!("{what} {value} is out of range").into(),
    ))
}

/// The profile columns of many companies, one array per column.
#[derive(Default)]
struct ProfileColumns<'a> {
    ids: Vec<i64>,
    representative: Vec<&'a str>,
    prefecture: Vec<&'static str>,
    municipality: Vec<Option<&'a str>>,
    address_line: Vec<&'a str>,
    capabilities: Vec<&'a str>,
    employees: Vec<Option<i32>>,
    capital_yen: Vec<Option<i64>>,
    founded_year: Vec<Option<i32>>,
    website: Vec<Option<&'a str>>,
    contact_email: Vec<Option<&'a str>>,
    contact_phone: Vec<Option<&'a str>>,
    version: Vec<i32>,
    snapshot: Vec<String>,
}

/// The child rows of many companies, one array per column.
#[derive(Default)]
struct ChildColumns<'a> {
    jsic_org: Vec<i64>,
    jsic_code: Vec<&'a str>,
    jsic_division: Vec<&'static str>,
    cert_org: Vec<i64>,
    cert: Vec<&'static str>,
    grade_org: Vec<i64>,
    grade_category: Vec<&'static str>,
    grade: Vec<&'static str>,
    item_org: Vec<i64>,
    item_position: Vec<i32>,
    item_title: Vec<&'a str>,
    item_description: Vec<&'a str>,
}

impl<'a> ProfileColumns<'a> {
    fn push(&mut self, id: i64, version: i64, d: &'a CompanyProfileData) -> Result<()> {
        self.ids.push(id);
        self.representative.push(&d.representative);
        self.prefecture.push(d.prefecture.code());
        self.municipality
            .push(d.municipality.as_ref().map(|m| m.as_str()));
        self.address_line.push(&d.address_line);
        self.capabilities.push(&d.capabilities);
        self.employees.push(
            d.employees
                .map(|n| i32::try_from(n).map_err(|_| unencodable("employees", n)))
                .transpose()?,
        );
        self.capital_yen.push(d.capital_yen);
        self.founded_year.push(d.founded_year);
        self.website.push(d.website.as_deref());
        self.contact_email.push(d.contact_email.as_deref());
        self.contact_phone.push(d.contact_phone.as_deref());
        self.version
            .push(i32::try_from(version).map_err(|_| unencodable("version", version))?);
        self.snapshot.push(
            serde_json::to_string(d)
                .map_err(|e| StorageError::Database(sqlx::Error::Encode(e.into())))?,
        );
        Ok(())
    }

    /// Inserts (or replaces) the profiles and records each as a version.
    async fn write(
        &self,
        tx: &mut Transaction<'static, Postgres>,
        changed_by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if self.ids.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO company_profiles (organization_id, representative, prefecture, municipality,
                 address_line, capabilities, employees, capital_yen, founded_year, website,
                 contact_email, contact_phone, version, updated_at)
             SELECT c.*, $14::timestamptz FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[],
                 $5::text[], $6::text[], $7::int[], $8::bigint[], $9::int[], $10::text[],
                 $11::text[], $12::text[], $13::int[]) AS c
             ON CONFLICT (organization_id) DO UPDATE SET
                 representative = EXCLUDED.representative, prefecture = EXCLUDED.prefecture,
                 municipality = EXCLUDED.municipality, address_line = EXCLUDED.address_line,
                 capabilities = EXCLUDED.capabilities, employees = EXCLUDED.employees,
                 capital_yen = EXCLUDED.capital_yen, founded_year = EXCLUDED.founded_year,
                 website = EXCLUDED.website, contact_email = EXCLUDED.contact_email,
                 contact_phone = EXCLUDED.contact_phone, version = EXCLUDED.version,
                 updated_at = EXCLUDED.updated_at",
        )
        .bind(&self.ids)
        .bind(&self.representative)
        .bind(&self.prefecture)
        .bind(&self.municipality)
        .bind(&self.address_line)
        .bind(&self.capabilities)
        .bind(&self.employees)
        .bind(&self.capital_yen)
        .bind(&self.founded_year)
        .bind(&self.website)
        .bind(&self.contact_email)
        .bind(&self.contact_phone)
        .bind(&self.version)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO company_profile_versions (organization_id, version, changed_by, changed_at, snapshot)
             SELECT c.org, c.version, $3::bigint, $4::timestamptz, c.snapshot::jsonb
             FROM UNNEST($1::bigint[], $2::int[], $5::text[]) AS c(org, version, snapshot)",
        )
        .bind(&self.ids)
        .bind(&self.version)
        .bind(changed_by)
        .bind(now)
        .bind(&self.snapshot)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

impl<'a> ChildColumns<'a> {
    fn push(&mut self, id: i64, d: &'a CompanyProfileData) -> Result<()> {
        for code in &d.jsic {
            self.jsic_org.push(id);
            self.jsic_code.push(code.as_str());
            self.jsic_division.push(code.division().letter());
        }
        for cert in &d.certifications {
            self.cert_org.push(id);
            self.cert.push(cert.code());
        }
        for (category, grade) in &d.grades {
            self.grade_org.push(id);
            self.grade_category.push(category.code());
            self.grade.push(grade.code());
        }
        for (i, item) in d.catalogue.iter().enumerate() {
            self.item_org.push(id);
            self.item_position
                .push(i32::try_from(i).map_err(|_| unencodable("catalogue position", i))?);
            self.item_title.push(&item.title);
            self.item_description.push(&item.description);
        }
        Ok(())
    }

    /// Inserts the rows. The data is [`canonical`]: no code, certification
    /// or grade category twice.
    async fn write(&self, tx: &mut Transaction<'static, Postgres>) -> Result<()> {
        if !self.jsic_org.is_empty() {
            sqlx::query(
                "INSERT INTO company_jsic (organization_id, code, division)
                 SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[])",
            )
            .bind(&self.jsic_org)
            .bind(&self.jsic_code)
            .bind(&self.jsic_division)
            .execute(&mut **tx)
            .await?;
        }
        if !self.cert_org.is_empty() {
            sqlx::query(
                "INSERT INTO company_certifications (organization_id, certification)
                 SELECT * FROM UNNEST($1::bigint[], $2::text[])",
            )
            .bind(&self.cert_org)
            .bind(&self.cert)
            .execute(&mut **tx)
            .await?;
        }
        if !self.grade_org.is_empty() {
            sqlx::query(
                "INSERT INTO company_grades (organization_id, category, grade)
                 SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[])",
            )
            .bind(&self.grade_org)
            .bind(&self.grade_category)
            .bind(&self.grade)
            .execute(&mut **tx)
            .await?;
        }
        if !self.item_org.is_empty() {
            sqlx::query(
                "INSERT INTO catalogue_items (organization_id, position, title, description)
                 SELECT * FROM UNNEST($1::bigint[], $2::int[], $3::text[], $4::text[])",
            )
            .bind(&self.item_org)
            .bind(&self.item_position)
            .bind(&self.item_title)
            .bind(&self.item_description)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}

fn parse_jsic(codes: &[String]) -> Result<Vec<JsicCode>> {
    let mut out = codes
        .iter()
        .map(|c| parse("company_jsic.code", c, JsicCode::parse))
        .collect::<Result<Vec<_>>>()?;
    out.sort();
    Ok(out)
}

/// The columns [`profile_from_row`] reads, from `organizations o` and
/// `company_profiles p` (the child rows as arrays).
macro_rules! profile_columns {
    () => {
        "o.id, o.kind, o.name, o.name_kana, o.corporate_number, o.approval,
         o.approval_reason, o.decided_at, o.created_at,
         p.representative AS p_representative, p.prefecture AS p_prefecture,
         p.municipality AS p_municipality, p.address_line AS p_address_line,
         p.capabilities AS p_capabilities, p.employees AS p_employees,
         p.capital_yen AS p_capital_yen, p.founded_year AS p_founded_year,
         p.website AS p_website, p.contact_email AS p_contact_email,
         p.contact_phone AS p_contact_phone, p.version AS p_version,
         p.updated_at AS p_updated_at,
         ARRAY(SELECT code FROM company_jsic
               WHERE organization_id = o.id) AS p_jsic,
         ARRAY(SELECT certification FROM company_certifications
               WHERE organization_id = o.id) AS p_certifications,
         ARRAY(SELECT category FROM company_grades
               WHERE organization_id = o.id ORDER BY category) AS p_grade_categories,
         ARRAY(SELECT grade FROM company_grades
               WHERE organization_id = o.id ORDER BY category) AS p_grades,
         ARRAY(SELECT title FROM catalogue_items
               WHERE organization_id = o.id ORDER BY position, id) AS p_item_titles,
         ARRAY(SELECT description FROM catalogue_items
               WHERE organization_id = o.id ORDER BY position, id) AS p_item_descriptions"
    };
}

fn profile_from_row(row: &PgRow) -> Result<CompanyProfile> {
    let organization = organization_from_row(row)?;
    let prefecture: String = row.try_get("p_prefecture")?;
    let municipality: Option<String> = row.try_get("p_municipality")?;
    let employees: Option<i32> = row.try_get("p_employees")?;
    let certs: Vec<String> = row.try_get("p_certifications")?;
    let categories: Vec<String> = row.try_get("p_grade_categories")?;
    let grades: Vec<String> = row.try_get("p_grades")?;
    let titles: Vec<String> = row.try_get("p_item_titles")?;
    let descriptions: Vec<String> = row.try_get("p_item_descriptions")?;
    let mut certifications = certs
        .iter()
        .map(|c| {
            parse(
                "company_certifications.certification",
                c,
                Certification::parse,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    certifications.sort();
    let mut grades = categories
        .iter()
        .zip(&grades)
        .map(|(c, g)| {
            Ok((
                parse("company_grades.category", c, GradeCategory::parse)?,
                parse("company_grades.grade", g, Grade::parse)?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    grades.sort();
    let data = CompanyProfileData {
        representative: row.try_get("p_representative")?,
        prefecture: parse(
            "company_profiles.prefecture",
            &prefecture,
            Prefecture::parse,
        )?,
        municipality: municipality
            .as_deref()
            .map(|m| parse("company_profiles.municipality", m, MunicipalityCode::parse))
            .transpose()?,
        address_line: row.try_get("p_address_line")?,
        jsic: parse_jsic(&row.try_get::<Vec<String>, _>("p_jsic")?)?,
        capabilities: row.try_get("p_capabilities")?,
        catalogue: titles
            .into_iter()
            .zip(descriptions)
            .map(|(title, description)| CatalogueItem { title, description })
            .collect(),
        certifications,
        grades,
        employees: employees
            .map(|n| u32::try_from(n).map_err(|e| corrupt("company_profiles.employees", e)))
            .transpose()?,
        capital_yen: row.try_get("p_capital_yen")?,
        founded_year: row.try_get("p_founded_year")?,
        website: row.try_get("p_website")?,
        contact_email: row.try_get("p_contact_email")?,
        contact_phone: row.try_get("p_contact_phone")?,
    };
    Ok(CompanyProfile {
        organization,
        data,
        version: i64::from(row.try_get::<i32, _>("p_version")?),
        updated_at: row.try_get("p_updated_at")?,
    })
}

/// A directory row, with the codes fetched for the whole page afterwards.
fn summary_from_row(row: &PgRow) -> Result<CompanySummary> {
    let prefecture: String = row.try_get("prefecture")?;
    Ok(CompanySummary {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        name_kana: row.try_get("name_kana")?,
        prefecture: parse(
            "company_profiles.prefecture",
            &prefecture,
            Prefecture::parse,
        )?,
        capabilities: row.try_get("capabilities")?,
        jsic: Vec::new(),
        updated_at: row.try_get("updated_at")?,
    })
}

/// Fills in the JSIC codes of `summaries` with one query.
async fn attach_jsic<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    summaries: &mut [CompanySummary],
) -> Result<()> {
    if summaries.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = summaries.iter().map(|s| s.id).collect();
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT organization_id, code FROM company_jsic WHERE organization_id = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(executor)
    .await?;
    let mut by_org: HashMap<i64, Vec<String>> = HashMap::new();
    for (org, code) in rows {
        by_org.entry(org).or_default().push(code);
    }
    for s in summaries {
        if let Some(codes) = by_org.get(&s.id) {
            s.jsic = parse_jsic(codes)?;
        }
    }
    Ok(())
}

/// A value bound to a directory query.
#[derive(Clone)]
enum Arg {
    Text(&'static str),
    Texts(Vec<&'static str>),
    Owned(String),
    Int(i64),
}

fn bind_all<'q>(
    mut query: Query<'q, Postgres, PgArguments>,
    args: &'q [Arg],
) -> Query<'q, Postgres, PgArguments> {
    for arg in args {
        query = match arg {
            Arg::Text(s) => query.bind(*s),
            Arg::Texts(v) => query.bind(v),
            Arg::Owned(s) => query.bind(s.as_str()),
            Arg::Int(n) => query.bind(*n),
        };
    }
    query
}

/// The directory's conditions on `p` (company_profiles), each starting with
/// `AND`, and their arguments. Only the shape of the SQL depends on the
/// query; every value is bound.
fn directory_filter(q: &DirectoryQuery) -> (String, Vec<Arg>) {
    directory_filter_after(q, Vec::new())
}

/// [`directory_filter`] with its parameters numbered after `args`.
fn directory_filter_after(q: &DirectoryQuery, mut args: Vec<Arg>) -> (String, Vec<Arg>) {
    let mut sql = String::new();
    let next = |args: &mut Vec<Arg>, arg: Arg| {
        args.push(arg);
        format!("${}", args.len())
    };
    if !q.prefectures.is_empty() {
        let codes = q.prefectures.iter().map(|p| p.code()).collect();
        let n = next(&mut args, Arg::Texts(codes));
        sql.push_str(&format!(" AND p.prefecture = ANY({n}::text[])"));
    }
    if let Some(code) = &q.jsic {
        if code.level() == JsicLevel::Division {
            let n = next(&mut args, Arg::Text(code.division().letter()));
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM company_jsic j
                              WHERE j.organization_id = p.organization_id AND j.division = {n})"
            ));
        } else {
            // Digit codes below "091" are "091" and "091x": exactly the digit
            // strings from "091" up to "0919" (digits order the same in every
            // collation), so one range scan of company_jsic_code finds them.
            let low = code.as_str().to_owned();
            let high = format!("{low:9<4}");
            let a = next(&mut args, Arg::Owned(low));
            let b = next(&mut args, Arg::Owned(high));
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM company_jsic j
                              WHERE j.organization_id = p.organization_id AND j.code >= {a} AND j.code <= {b})"
            ));
        }
    }
    if q.grade.is_some() || q.grade_category.is_some() {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM company_grades g WHERE g.organization_id = p.organization_id",
        );
        if let Some(grade) = q.grade {
            let n = next(&mut args, Arg::Text(grade.code()));
            sql.push_str(&format!(" AND g.grade = {n}"));
        }
        if let Some(category) = q.grade_category {
            let n = next(&mut args, Arg::Text(category.code()));
            sql.push_str(&format!(" AND g.category = {n}"));
        }
        sql.push(')');
    }
    if let Some(cert) = q.certification {
        let n = next(&mut args, Arg::Text(cert.code()));
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM company_certifications c
                          WHERE c.organization_id = p.organization_id AND c.certification = {n})"
        ));
    }
    (sql, args)
}

/// The exact count of matches. Without a prefecture filter, the count is led
/// by one child table's index (`SELECT DISTINCT organization_id …`), which is
/// many times faster than probing every profile with EXISTS.
fn directory_count(q: &DirectoryQuery, filter: &str, args: &[Arg]) -> (String, Vec<Arg>) {
    let plain = || {
        (
            format!("SELECT COUNT(*) FROM company_profiles p WHERE TRUE{filter}"),
            args.to_vec(),
        )
    };
    if !q.prefectures.is_empty() {
        return plain();
    }
    let mut rest = q.clone();
    let (lead, lead_args): (String, Vec<Arg>) = if let Some(cert) = q.certification {
        rest.certification = None;
        (
            "SELECT DISTINCT organization_id FROM company_certifications WHERE certification = $1"
                .into(),
            vec![Arg::Text(cert.code())],
        )
    } else if let Some(code) = &q.jsic {
        rest.jsic = None;
        if code.level() == JsicLevel::Division {
            (
                "SELECT DISTINCT organization_id FROM company_jsic WHERE division = $1".into(),
                vec![Arg::Text(code.division().letter())],
            )
        } else {
            let low = code.as_str().to_owned();
            let high = format!("{low:9<4}");
            (
                "SELECT DISTINCT organization_id FROM company_jsic WHERE code >= $1 AND code <= $2"
                    .into(),
                vec![Arg::Owned(low), Arg::Owned(high)],
            )
        }
    } else if q.grade.is_some() || q.grade_category.is_some() {
        rest.grade = None;
        rest.grade_category = None;
        match (q.grade_category, q.grade) {
            (Some(c), Some(g)) => (
                "SELECT DISTINCT organization_id FROM company_grades WHERE category = $1 AND grade = $2".into(),
                vec![Arg::Text(c.code()), Arg::Text(g.code())],
            ),
            (Some(c), None) => ("SELECT DISTINCT organization_id FROM company_grades WHERE category = $1".into(), vec![Arg::Text(c.code())]),
            (None, Some(g)) => ("SELECT DISTINCT organization_id FROM company_grades WHERE grade = $1".into(), vec![Arg::Text(g.code())]),
            (None, None) => unreachable!("checked above"),
        }
    } else {
        return plain();
    };
    let (rest_filter, all_args) = directory_filter_after(&rest, lead_args);
    (
        format!("SELECT COUNT(*) FROM ({lead}) p WHERE TRUE{rest_filter}"),
        all_args,
    )
}

#[async_trait]
impl CompanyStore for PgStore {
    async fn company_profile(&self, org: OrgId) -> Result<Option<CompanyProfile>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            profile_columns!(),
            " FROM organizations o JOIN company_profiles p ON p.organization_id = o.id
             WHERE o.id = $1"
        ))
        .bind(org)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(profile_from_row).transpose()
    }

    async fn company_profiles_after(
        &self,
        after: OrgId,
        limit: u32,
    ) -> Result<Vec<CompanyProfile>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            profile_columns!(),
            " FROM company_profiles p JOIN organizations o ON o.id = p.organization_id
             WHERE p.organization_id > $1 ORDER BY p.organization_id LIMIT $2"
        ))
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(profile_from_row).collect()
    }

    async fn save_company_profile(
        &self,
        org: OrgId,
        data: &CompanyProfileData,
        expected_version: Option<i64>,
        now: DateTime<Utc>,
        audit: AuditEntry,
        jobs: &[NewJob],
    ) -> Result<i64> {
        let data = &canonical(data);
        let mut tx = self.pool.begin().await?;
        // Locking the organisation serialises saves of one profile, the first
        // one included (when there is no profile row to lock yet).
        let kind: Option<(String,)> =
            sqlx::query_as("SELECT kind FROM organizations WHERE id = $1 FOR NO KEY UPDATE")
                .bind(org)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((kind,)) = kind else {
            return Err(StorageError::NotFound);
        };
        if parse("organizations.kind", &kind, OrgKind::parse)? != OrgKind::Supplier {
            return Err(conflict("not_a_supplier"));
        }
        let previous: Option<(i32,)> = sqlx::query_as(
            "SELECT version FROM company_profiles WHERE organization_id = $1 FOR UPDATE",
        )
        .bind(org)
        .fetch_optional(&mut *tx)
        .await?;
        let previous = previous.map_or(0, |(v,)| i64::from(v));
        if expected_version.is_some_and(|v| v != previous) {
            return Err(conflict("stale_version"));
        }
        let version = previous + 1;
        for table in [
            "DELETE FROM company_jsic WHERE organization_id = $1",
            "DELETE FROM company_certifications WHERE organization_id = $1",
            "DELETE FROM company_grades WHERE organization_id = $1",
            "DELETE FROM catalogue_items WHERE organization_id = $1",
        ] {
            sqlx::query(table).bind(org).execute(&mut *tx).await?;
        }
        let mut profile = ProfileColumns::default();
        profile.push(org, version, data)?;
        profile.write(&mut tx, audit.actor, now).await?;
        let mut children = ChildColumns::default();
        children.push(org, data)?;
        children.write(&mut tx).await?;
        insert_audit(&mut tx, &audit, Some(org), now).await?;
        insert_jobs(&mut tx, jobs, now).await?;
        tx.commit().await?;
        Ok(version)
    }

    async fn profile_versions(&self, org: OrgId) -> Result<Vec<ProfileVersion>> {
        let rows = sqlx::query(
            "SELECT version, changed_by, changed_at, snapshot FROM company_profile_versions
             WHERE organization_id = $1 ORDER BY version DESC",
        )
        .bind(org)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let snapshot: Json<serde_json::Value> = row.try_get("snapshot")?;
                Ok(ProfileVersion {
                    version: i64::from(row.try_get::<i32, _>("version")?),
                    changed_by: row.try_get("changed_by")?,
                    changed_at: row.try_get("changed_at")?,
                    data: serde_json::from_value(snapshot.0)
                        .map_err(|e| corrupt("company_profile_versions.snapshot", e))?,
                })
            })
            .collect()
    }

    async fn directory(&self, query: &DirectoryQuery) -> Result<Page<CompanySummary>> {
        let (filter, mut args) = directory_filter(query);
        // Only suppliers have a profile (saves check the kind, imports create
        // suppliers, a kind never changes), so the total needs no join.
        let (count_sql, count_args) = directory_count(query, &filter, &args);
        // company_profiles carries the kana (a trigger copies it), so the
        // page is chosen from one table.
        let order = match query.sort {
            DirectorySort::Kana => "p.name_kana, p.organization_id",
            DirectorySort::Updated => "p.updated_at DESC, p.organization_id DESC",
            DirectorySort::Prefecture => "p.prefecture, p.name_kana, p.organization_id",
        };
        let offset = clamp_offset(query.offset);
        // One snapshot: the total, the page and its codes agree.
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        // Sorting tens of thousands of matches must stay in memory (the
        // default 4 MB spills to disk); only for this transaction.
        // JIT compilation costs more than these short queries take.
        sqlx::raw_sql("SET LOCAL work_mem = '32MB'; SET LOCAL jit = off")
            .execute(&mut *tx)
            .await?;
        let total: i64 = bind_all(sqlx::query(AssertSqlSafe(count_sql)), &count_args)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        let mut items = Vec::new();
        if total > offset {
            let limit = clamp_limit(query.limit);
            // Walking the sort order visits about (offset + limit) × companies
            // / matches rows; starting from the filters visits the matches and
            // sorts them. The planner cannot know the match count; we do.
            let companies: i64 = sqlx::query_scalar(
                "SELECT GREATEST(reltuples::bigint, 1) FROM pg_class WHERE oid = 'company_profiles'::regclass",
            )
            .fetch_one(&mut *tx)
            .await?;
            // A row walked costs about a quarter of a match collected, joined
            // and sorted (measured on 100,000 companies).
            let walked = i128::from(offset + limit) * i128::from(companies.max(total));
            let walk = filter.is_empty() || walked < 4 * i128::from(total) * i128::from(total);
            let filter_args = args.len();
            args.push(Arg::Int(offset));
            args.push(Arg::Int(limit));
            let page_sql = if walk {
                format!(
                    "SELECT p.organization_id FROM company_profiles p WHERE TRUE{filter}
                     ORDER BY {order} OFFSET ${} LIMIT ${}",
                    filter_args + 1,
                    filter_args + 2,
                )
            } else {
                // Few matches: collect them first (MATERIALIZED keeps the
                // planner from walking the sort index instead), then sort.
                format!(
                    "WITH p AS MATERIALIZED (
                         SELECT p.organization_id, p.prefecture, p.updated_at, p.name_kana
                         FROM company_profiles p WHERE TRUE{filter})
                     SELECT p.organization_id FROM p
                     ORDER BY {order} OFFSET ${} LIMIT ${}",
                    filter_args + 1,
                    filter_args + 2,
                )
            };
            // Only ids and sort keys are sorted; the page's 20 summaries
            // (with their long texts) are read afterwards.
            let ids: Vec<i64> = bind_all(sqlx::query(AssertSqlSafe(page_sql)), &args)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>(0))
                .collect::<std::result::Result<_, _>>()?;
            let rows = sqlx::query(
                "SELECT o.id, o.name, o.name_kana, p.prefecture, p.capabilities, p.updated_at
                 FROM company_profiles p JOIN organizations o ON o.id = p.organization_id
                 WHERE p.organization_id = ANY($1)",
            )
            .bind(&ids)
            .fetch_all(&mut *tx)
            .await?;
            let mut by_id = std::collections::HashMap::with_capacity(rows.len());
            for row in &rows {
                let summary = summary_from_row(row)?;
                by_id.insert(summary.id, summary);
            }
            items = ids.iter().filter_map(|id| by_id.remove(id)).collect();
            attach_jsic(&mut *tx, &mut items).await?;
        }
        tx.commit().await?;
        Ok(Page {
            items,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    async fn import_companies(
        &self,
        companies: &[CompanyImport],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        for chunk in companies.chunks(IMPORT_CHUNK) {
            // Every import creates suppliers, whatever kind it names.
            // Ids drawn up front pair each company with its rows without
            // relying on the order of `RETURNING`.
            let ids: Vec<(i64,)> = sqlx::query_as(
                "SELECT nextval(pg_get_serial_sequence('organizations', 'id'))
                 FROM generate_series(1, $1)",
            )
            .bind(chunk.len() as i64)
            .fetch_all(&mut *tx)
            .await?;
            let ids: Vec<i64> = ids.into_iter().map(|(id,)| id).collect();
            let names: Vec<&str> = chunk.iter().map(|c| c.organization.name.as_str()).collect();
            let kanas: Vec<&str> = chunk
                .iter()
                .map(|c| c.organization.name_kana.as_str())
                .collect();
            let numbers: Vec<Option<&str>> = chunk
                .iter()
                .map(|c| c.organization.corporate_number.as_ref().map(|n| n.as_str()))
                .collect();
            sqlx::query(
                "INSERT INTO organizations (id, kind, name, name_kana, corporate_number, approval, created_at, updated_at)
                 SELECT c.id, 'supplier', c.name, c.kana, c.number, 'not_required', $5, $5
                 FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[]) AS c(id, name, kana, number)",
            )
            .bind(&ids)
            .bind(&names)
            .bind(&kanas)
            .bind(&numbers)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            let data: Vec<CompanyProfileData> =
                chunk.iter().map(|c| canonical(&c.profile)).collect();
            let mut profiles = ProfileColumns::default();
            let mut children = ChildColumns::default();
            for (id, data) in ids.iter().zip(&data) {
                profiles.push(*id, 1, data)?;
                children.push(*id, data)?;
            }
            profiles.write(&mut tx, None, now).await?;
            children.write(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(companies.len() as u64)
    }

    async fn add_favourite(&self, user: UserId, org: OrgId, now: DateTime<Utc>) -> Result<()> {
        // Only directory entries (suppliers with a profile) can be favourites.
        let added = sqlx::query(
            "INSERT INTO favourites (user_id, organization_id, created_at)
             SELECT $1, p.organization_id, $3 FROM company_profiles p WHERE p.organization_id = $2
             ON CONFLICT DO NOTHING",
        )
        .bind(user)
        .bind(org)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        if added.rows_affected() == 0 {
            // Already a favourite, or nothing to favour.
            let listed: Option<(i64,)> = sqlx::query_as(
                "SELECT organization_id FROM company_profiles WHERE organization_id = $1",
            )
            .bind(org)
            .fetch_optional(&self.pool)
            .await?;
            if listed.is_none() {
                return Err(StorageError::NotFound);
            }
        }
        Ok(())
    }

    async fn remove_favourite(&self, user: UserId, org: OrgId) -> Result<()> {
        sqlx::query("DELETE FROM favourites WHERE user_id = $1 AND organization_id = $2")
            .bind(user)
            .bind(org)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn favourites(&self, user: UserId) -> Result<Vec<CompanySummary>> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query(
            "SELECT o.id, o.name, o.name_kana, p.prefecture, p.capabilities, p.updated_at
             FROM favourites f
             JOIN organizations o ON o.id = f.organization_id
             JOIN company_profiles p ON p.organization_id = o.id
             WHERE f.user_id = $1
             ORDER BY f.created_at DESC, f.organization_id DESC",
        )
        .bind(user)
        .fetch_all(&mut *conn)
        .await?;
        let mut items = rows
            .iter()
            .map(summary_from_row)
            .collect::<Result<Vec<_>>>()?;
        attach_jsic(&mut *conn, &mut items).await?;
        Ok(items)
    }

    async fn matching_suppliers(&self) -> Result<Vec<MatchingSupplier>> {
        let rows = sqlx::query(
            "SELECT o.id, o.name, p.prefecture AS p_prefecture,
                 ARRAY(SELECT code FROM company_jsic
                       WHERE organization_id = o.id) AS p_jsic,
                 ARRAY(SELECT certification FROM company_certifications
                       WHERE organization_id = o.id) AS p_certifications,
                 ARRAY(SELECT category FROM company_grades
                       WHERE organization_id = o.id ORDER BY category) AS p_grade_categories,
                 ARRAY(SELECT grade FROM company_grades
                       WHERE organization_id = o.id ORDER BY category) AS p_grades
             FROM company_profiles p JOIN organizations o ON o.id = p.organization_id
             WHERE o.kind = 'supplier' AND o.approval IN ('not_required', 'approved')
             ORDER BY o.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let prefecture: &str = row.try_get("p_prefecture")?;
                let jsic: Vec<String> = row.try_get("p_jsic")?;
                let certs: Vec<String> = row.try_get("p_certifications")?;
                let categories: Vec<String> = row.try_get("p_grade_categories")?;
                let grades: Vec<String> = row.try_get("p_grades")?;
                Ok(MatchingSupplier {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    prefecture: parse(
                        "company_profiles.prefecture",
                        prefecture,
                        Prefecture::parse,
                    )?,
                    jsic: jsic
                        .iter()
                        .map(|c| parse("company_jsic.code", c, JsicCode::parse))
                        .collect::<Result<_>>()?,
                    grades: categories
                        .iter()
                        .zip(&grades)
                        .map(|(c, g)| {
                            Ok((
                                parse("company_grades.category", c, GradeCategory::parse)?,
                                parse("company_grades.grade", g, Grade::parse)?,
                            ))
                        })
                        .collect::<Result<_>>()?,
                    certifications: certs
                        .iter()
                        .map(|c| {
                            parse(
                                "company_certifications.certification",
                                c,
                                Certification::parse,
                            )
                        })
                        .collect::<Result<_>>()?,
                })
            })
            .collect()
    }

    async fn participations(&self) -> Result<Vec<Participation>> {
        let rows = sqlx::query(
            "SELECT p.supplier, p.tender_id,
                 ARRAY(SELECT jsonb_array_elements_text(
                     COALESCE(t.content->'jsic', '[]'::jsonb))) AS jsic,
                 EXISTS (SELECT 1 FROM awards a
                         WHERE a.tender_id = p.tender_id AND a.bidder_org_id = p.supplier) AS awarded
             FROM (SELECT supplier_id AS supplier, tender_id FROM tender_applications
                   UNION SELECT bidder_org_id, tender_id FROM bids
                   UNION SELECT bidder_org_id, tender_id FROM awards) p
             JOIN tenders t ON t.id = p.tender_id
             ORDER BY p.supplier, p.tender_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let jsic: Vec<String> = row.try_get("jsic")?;
                Ok(Participation {
                    supplier: row.try_get("supplier")?,
                    tender: row.try_get("tender_id")?,
                    jsic: jsic
                        .iter()
                        .map(|c| parse("tenders.content.jsic", c, JsicCode::parse))
                        .collect::<Result<_>>()?,
                    awarded: row.try_get("awarded")?,
                })
            })
            .collect()
    }

    async fn open_tenders(&self, now: DateTime<Utc>) -> Result<Vec<OpenTender>> {
        let rows = sqlx::query(
            "SELECT t.id, o.name AS buyer_name, t.status, t.content
             FROM tenders t JOIN organizations o ON o.id = t.buyer_id
             WHERE t.status IN ('published', 'accepting_applications', 'tendering')
               AND t.submission_closes_at > $1
             ORDER BY t.id",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let Json(content): Json<serde_json::Value> = row.try_get("content")?;
                Ok(OpenTender {
                    id: row.try_get("id")?,
                    buyer_name: row.try_get("buyer_name")?,
                    status: crate::postgres::tenders::status_from(
                        "tenders.status",
                        row.try_get("status")?,
                    )?,
                    content: serde_json::from_value(content)
                        .map_err(|e| corrupt("tenders.content", e))?,
                })
            })
            .collect()
    }
}
