//! SQLite: supplier profiles, their history, the directory and favourites.
//!
//! A profile lives in `company_profiles` plus child rows (JSIC codes,
//! certifications, grades, catalogue) that the directory filters on through
//! their indexes; every save also keeps a JSON snapshot in
//! `company_profile_versions`. Child rows are written with one statement per
//! table (`json_each` over a bound array), so a save or an import costs the
//! same few prepared statements whatever the number of codes.
//!
//! Invariant the directory relies on: only suppliers have a profile (saves
//! check the kind, imports create suppliers, and a kind never changes).

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musubi_domain::{Certification, Grade, GradeCategory, JsicCode, OrgKind, Prefecture};
use serde_json::json;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, SqliteConnection, Transaction};

use super::accounts::{
    count, insert_audit, map_conflict, org_cols, org_from_row, page_bounds, parse_stored,
};
use super::{SqliteStore, from_us, to_us};
use crate::{
    AuditEntry, CatalogueItem, CompanyImport, CompanyProfile, CompanyProfileData, CompanyStore,
    CompanySummary, DirectoryQuery, DirectorySort, OrgId, Page, ProfileVersion, Result,
    StorageError, UserId,
};

/// The profile as stored: codes sorted and without duplicates (the child
/// tables are keyed by them), so what is read back equals what was saved.
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

fn snapshot(data: &CompanyProfileData) -> Result<String> {
    serde_json::to_string(data).map_err(|e| StorageError::Corrupt {
        field: "company_profile_versions.snapshot",
        message: e.to_string(),
    })
}

/// Writes version `version` of `org`'s profile: the profile row, its child
/// rows (replacing any) and the snapshot. `data` must be [`canonical`].
async fn write_profile(
    conn: &mut SqliteConnection,
    org: OrgId,
    data: &CompanyProfileData,
    version: i64,
    changed_by: Option<UserId>,
    now: DateTime<Utc>,
    replace: bool,
) -> Result<()> {
    let now_us = to_us(now);
    sqlx::query(
        "INSERT INTO company_profiles (organization_id, representative, prefecture, municipality,
             address_line, capabilities, employees, capital_yen, founded_year, website,
             contact_email, contact_phone, version, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (organization_id) DO UPDATE SET
             representative = excluded.representative, prefecture = excluded.prefecture,
             municipality = excluded.municipality, address_line = excluded.address_line,
             capabilities = excluded.capabilities, employees = excluded.employees,
             capital_yen = excluded.capital_yen, founded_year = excluded.founded_year,
             website = excluded.website, contact_email = excluded.contact_email,
             contact_phone = excluded.contact_phone, version = excluded.version,
             updated_at = excluded.updated_at",
    )
    .bind(org)
    .bind(&data.representative)
    .bind(data.prefecture.code())
    .bind(data.municipality.as_ref().map(|m| m.as_str()))
    .bind(&data.address_line)
    .bind(&data.capabilities)
    .bind(data.employees.map(i64::from))
    .bind(data.capital_yen)
    .bind(data.founded_year)
    .bind(&data.website)
    .bind(&data.contact_email)
    .bind(&data.contact_phone)
    .bind(version)
    .bind(now_us)
    .execute(&mut *conn)
    .await?;
    if replace {
        for sql in [
            "DELETE FROM company_jsic WHERE organization_id = ?1",
            "DELETE FROM company_certifications WHERE organization_id = ?1",
            "DELETE FROM company_grades WHERE organization_id = ?1",
            "DELETE FROM catalogue_items WHERE organization_id = ?1",
        ] {
            sqlx::query(sql).bind(org).execute(&mut *conn).await?;
        }
    }
    if !data.jsic.is_empty() {
        let rows: Vec<_> = data
            .jsic
            .iter()
            .map(|c| json!([c.as_str(), c.division().letter()]))
            .collect();
        sqlx::query(
            "INSERT INTO company_jsic (organization_id, code, division)
             SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?2)",
        )
        .bind(org)
        .bind(serde_json::Value::Array(rows).to_string())
        .execute(&mut *conn)
        .await?;
    }
    if !data.certifications.is_empty() {
        let rows: Vec<_> = data.certifications.iter().map(|c| c.code()).collect();
        sqlx::query(
            "INSERT INTO company_certifications (organization_id, certification)
             SELECT ?1, value FROM json_each(?2)",
        )
        .bind(org)
        .bind(json!(rows).to_string())
        .execute(&mut *conn)
        .await?;
    }
    if !data.grades.is_empty() {
        let rows: Vec<_> = data
            .grades
            .iter()
            .map(|(category, grade)| json!([category.code(), grade.code()]))
            .collect();
        sqlx::query(
            "INSERT INTO company_grades (organization_id, category, grade)
             SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?2)",
        )
        .bind(org)
        .bind(serde_json::Value::Array(rows).to_string())
        .execute(&mut *conn)
        .await?;
    }
    if !data.catalogue.is_empty() {
        sqlx::query(
            "INSERT INTO catalogue_items (organization_id, position, title, description)
             SELECT ?1, key, json_extract(value, '$.title'), json_extract(value, '$.description')
             FROM json_each(?2)",
        )
        .bind(org)
        .bind(json!(data.catalogue).to_string())
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "INSERT INTO company_profile_versions (organization_id, version, changed_by, changed_at, snapshot)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .bind(org)
    .bind(version)
    .bind(changed_by)
    .bind(now_us)
    .bind(snapshot(data)?)
    .execute(&mut *conn)
    .await
    .map_err(|e| map_conflict(e, &[("company_profile_versions.", "stale_version")]))?;
    Ok(())
}

/// The exclusive upper bound of the codes that start with `code`: "09" →
/// "0:", so `code >= '09' AND code < '0:'` is a prefix match on the index.
fn prefix_end(code: &str) -> String {
    let mut bytes = code.as_bytes().to_vec();
    if let Some(last) = bytes.last_mut() {
        *last += 1;
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// The directory's conditions on `p` (company_profiles) and their text binds.
fn directory_filters(q: &DirectoryQuery) -> (String, Vec<String>) {
    let mut sql = String::new();
    let mut binds = Vec::new();
    if !q.prefectures.is_empty() {
        let mut codes: Vec<&str> = q.prefectures.iter().map(|p| p.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        sql.push_str(" AND p.prefecture IN (");
        for (i, code) in codes.iter().enumerate() {
            sql.push_str(if i == 0 { "?" } else { ", ?" });
            binds.push((*code).to_owned());
        }
        sql.push(')');
    }
    if let Some(code) = &q.jsic {
        // Same code or below it: a division by its letter, a deeper code by
        // prefix. A company's broader (ancestor) code does not match.
        if code.major_group().is_none() {
            sql.push_str(
                " AND EXISTS (SELECT 1 FROM company_jsic j
                  WHERE j.division = ? AND j.organization_id = p.organization_id)",
            );
            binds.push(code.as_str().to_owned());
        } else {
            sql.push_str(
                " AND EXISTS (SELECT 1 FROM company_jsic j
                  WHERE j.code >= ? AND j.code < ? AND j.organization_id = p.organization_id)",
            );
            binds.push(code.as_str().to_owned());
            binds.push(prefix_end(code.as_str()));
        }
    }
    match (q.grade, q.grade_category) {
        (None, None) => {}
        (grade, category) => {
            sql.push_str(
                " AND EXISTS (SELECT 1 FROM company_grades g WHERE g.organization_id = p.organization_id",
            );
            if let Some(grade) = grade {
                sql.push_str(" AND g.grade = ?");
                binds.push(grade.code().to_owned());
            }
            if let Some(category) = category {
                sql.push_str(" AND g.category = ?");
                binds.push(category.code().to_owned());
            }
            sql.push(')');
        }
    }
    if let Some(cert) = q.certification {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM company_certifications c
              WHERE c.certification = ? AND c.organization_id = p.organization_id)",
        );
        binds.push(cert.code().to_owned());
    }
    (sql, binds)
}

const SUMMARY_COLS: &str = "o.id, o.name, o.name_kana, p.prefecture, p.capabilities, p.updated_at";

fn summary_from_row(row: &SqliteRow) -> Result<CompanySummary> {
    Ok(CompanySummary {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        name_kana: row.try_get("name_kana")?,
        prefecture: parse_stored::<Prefecture>(
            "company_profiles.prefecture",
            row.try_get("prefecture")?,
        )?,
        capabilities: row.try_get("capabilities")?,
        jsic: Vec::new(),
        updated_at: from_us("company_profiles.updated_at", row.try_get("updated_at")?)?,
    })
}

/// Fills in the JSIC codes of `items` with one query for all of them.
async fn attach_jsic(conn: &mut SqliteConnection, items: &mut [CompanySummary]) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = items.iter().map(|item| item.id).collect();
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT organization_id, code FROM company_jsic
         WHERE organization_id IN (SELECT value FROM json_each(?1))",
    )
    .bind(json!(ids).to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut codes: HashMap<i64, Vec<JsicCode>> = HashMap::new();
    for (org, code) in rows {
        codes
            .entry(org)
            .or_default()
            .push(parse_stored("company_jsic.code", &code)?);
    }
    for item in items {
        if let Some(mut list) = codes.remove(&item.id) {
            list.sort();
            item.jsic = list;
        }
    }
    Ok(())
}

#[async_trait]
impl CompanyStore for SqliteStore {
    async fn company_profile(&self, org: OrgId) -> Result<Option<CompanyProfile>> {
        let mut tx = self.read.begin().await?;
        let row = sqlx::query(concat!(
            "SELECT ",
            org_cols!(),
            ", p.* FROM company_profiles p JOIN organizations o ON o.id = p.organization_id
             WHERE p.organization_id = ?1"
        ))
        .bind(org)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let jsic: Vec<String> =
            sqlx::query_scalar("SELECT code FROM company_jsic WHERE organization_id = ?1")
                .bind(org)
                .fetch_all(&mut *tx)
                .await?;
        let certifications: Vec<String> = sqlx::query_scalar(
            "SELECT certification FROM company_certifications WHERE organization_id = ?1",
        )
        .bind(org)
        .fetch_all(&mut *tx)
        .await?;
        let grades: Vec<(String, String)> =
            sqlx::query_as("SELECT category, grade FROM company_grades WHERE organization_id = ?1")
                .bind(org)
                .fetch_all(&mut *tx)
                .await?;
        let catalogue: Vec<(String, String)> = sqlx::query_as(
            "SELECT title, description FROM catalogue_items WHERE organization_id = ?1
             ORDER BY position, id",
        )
        .bind(org)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;

        let mut jsic = jsic
            .iter()
            .map(|c| parse_stored::<JsicCode>("company_jsic.code", c))
            .collect::<Result<Vec<_>>>()?;
        jsic.sort();
        let mut certifications = certifications
            .iter()
            .map(|c| parse_stored::<Certification>("company_certifications.certification", c))
            .collect::<Result<Vec<_>>>()?;
        certifications.sort();
        let mut grades = grades
            .iter()
            .map(|(c, g)| {
                Ok((
                    parse_stored::<GradeCategory>("company_grades.category", c)?,
                    parse_stored::<Grade>("company_grades.grade", g)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        grades.sort();
        let data = CompanyProfileData {
            representative: row.try_get("representative")?,
            prefecture: parse_stored("company_profiles.prefecture", row.try_get("prefecture")?)?,
            municipality: row
                .try_get::<Option<&str>, _>("municipality")?
                .map(|m| parse_stored("company_profiles.municipality", m))
                .transpose()?,
            address_line: row.try_get("address_line")?,
            jsic,
            capabilities: row.try_get("capabilities")?,
            catalogue: catalogue
                .into_iter()
                .map(|(title, description)| CatalogueItem { title, description })
                .collect(),
            certifications,
            grades,
            employees: row
                .try_get::<Option<i64>, _>("employees")?
                .map(|n| {
                    u32::try_from(n).map_err(|_| StorageError::Corrupt {
                        field: "company_profiles.employees",
                        message: format!("{n} out of range"),
                    })
                })
                .transpose()?,
            capital_yen: row.try_get("capital_yen")?,
            founded_year: row
                .try_get::<Option<i64>, _>("founded_year")?
                .map(|y| {
                    i32::try_from(y).map_err(|_| StorageError::Corrupt {
                        field: "company_profiles.founded_year",
                        message: format!("{y} out of range"),
                    })
                })
                .transpose()?,
            website: row.try_get("website")?,
            contact_email: row.try_get("contact_email")?,
            contact_phone: row.try_get("contact_phone")?,
        };
        Ok(Some(CompanyProfile {
            organization: org_from_row(&row)?,
            data,
            version: row.try_get("version")?,
            updated_at: from_us("company_profiles.updated_at", row.try_get("updated_at")?)?,
        }))
    }

    async fn save_company_profile(
        &self,
        org: OrgId,
        data: &CompanyProfileData,
        expected_version: Option<i64>,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64> {
        let data = canonical(data);
        let mut tx = self.begin_write().await?;
        let kind: Option<String> =
            sqlx::query_scalar("SELECT kind FROM organizations WHERE id = ?1")
                .bind(org)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(kind) = kind else {
            return Err(StorageError::NotFound);
        };
        if parse_stored::<OrgKind>("organizations.kind", &kind)? != OrgKind::Supplier {
            return Err(StorageError::Conflict("not_a_supplier".into()));
        }
        let current: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) FROM company_profiles WHERE organization_id = ?1",
        )
        .bind(org)
        .fetch_one(&mut *tx)
        .await?;
        if expected_version.is_some_and(|v| v != current) {
            return Err(StorageError::Conflict("stale_version".into()));
        }
        let version = current + 1;
        write_profile(&mut tx, org, &data, version, audit.actor, now, true).await?;
        insert_audit(&mut tx, &audit, Some(org), now).await?;
        tx.commit().await?;
        Ok(version)
    }

    async fn profile_versions(&self, org: OrgId) -> Result<Vec<ProfileVersion>> {
        let rows = sqlx::query(
            "SELECT version, changed_by, changed_at, snapshot FROM company_profile_versions
             WHERE organization_id = ?1 ORDER BY version DESC",
        )
        .bind(org)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                let snapshot: &str = row.try_get("snapshot")?;
                Ok(ProfileVersion {
                    version: row.try_get("version")?,
                    changed_by: row.try_get("changed_by")?,
                    changed_at: from_us(
                        "company_profile_versions.changed_at",
                        row.try_get("changed_at")?,
                    )?,
                    data: serde_json::from_str(snapshot).map_err(|e| StorageError::Corrupt {
                        field: "company_profile_versions.snapshot",
                        message: e.to_string(),
                    })?,
                })
            })
            .collect()
    }

    async fn directory(&self, query: &DirectoryQuery) -> Result<Page<CompanySummary>> {
        let (offset, limit) = page_bounds(query.offset, query.limit);
        let (filters, binds) = directory_filters(query);
        let order = match query.sort {
            DirectorySort::Kana => "o.name_kana, o.id",
            DirectorySort::Updated => "p.updated_at DESC, p.organization_id DESC",
            DirectorySort::Prefecture => "p.prefecture, o.name_kana, o.id",
        };
        let count_sql = format!("SELECT COUNT(*) FROM company_profiles p WHERE 1 = 1{filters}");
        let page_sql = format!(
            "SELECT {SUMMARY_COLS} FROM company_profiles p
             JOIN organizations o ON o.id = p.organization_id
             WHERE o.kind = 'supplier'{filters}
             ORDER BY {order} LIMIT ? OFFSET ?"
        );

        // One read transaction: the total, the page and its codes agree.
        let mut tx = self.read.begin().await?;
        let mut count_query = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql));
        for b in &binds {
            count_query = count_query.bind(b.as_str());
        }
        let total = count_query.fetch_one(&mut *tx).await?;
        let mut items = if total > offset {
            let mut page_query = sqlx::query(sqlx::AssertSqlSafe(page_sql));
            for b in &binds {
                page_query = page_query.bind(b.as_str());
            }
            let rows = page_query
                .bind(limit)
                .bind(offset)
                .fetch_all(&mut *tx)
                .await?;
            rows.iter()
                .map(summary_from_row)
                .collect::<Result<Vec<_>>>()?
        } else {
            Vec::new()
        };
        attach_jsic(&mut tx, &mut items).await?;
        tx.commit().await?;
        Ok(Page {
            items,
            total: count("company_profiles", total)?,
        })
    }

    async fn import_companies(
        &self,
        companies: &[CompanyImport],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let now_us = to_us(now);
        let mut tx: Transaction<'static, Sqlite> = self.begin_write().await?;
        for company in companies {
            let org = &company.organization;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO organizations (kind, name, name_kana, corporate_number, approval, created_at, updated_at)
                 VALUES ('supplier', ?1, ?2, ?3, 'not_required', ?4, ?4)
                 RETURNING id",
            )
            .bind(&org.name)
            .bind(&org.name_kana)
            .bind(org.corporate_number.as_ref().map(|n| n.as_str()))
            .bind(now_us)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| {
                map_conflict(
                    e,
                    &[("organizations.corporate_number", "corporate_number_taken")],
                )
            })?;
            let data = canonical(&company.profile);
            write_profile(&mut tx, id, &data, 1, None, now, false).await?;
        }
        tx.commit().await?;
        Ok(companies.len() as u64)
    }

    async fn add_favourite(&self, user: UserId, org: OrgId, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        // Only directory entries (suppliers with a profile) can be favourites.
        let listed: Option<i64> = sqlx::query_scalar(
            "SELECT organization_id FROM company_profiles WHERE organization_id = ?1",
        )
        .bind(org)
        .fetch_optional(&mut *tx)
        .await?;
        if listed.is_none() {
            return Err(StorageError::NotFound);
        }
        sqlx::query(
            "INSERT INTO favourites (user_id, organization_id, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (user_id, organization_id) DO NOTHING",
        )
        .bind(user)
        .bind(org)
        .bind(to_us(now))
        .execute(&mut *tx)
        .await
        .map_err(|e| map_conflict(e, &[]))?;
        tx.commit().await?;
        Ok(())
    }

    async fn remove_favourite(&self, user: UserId, org: OrgId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM favourites WHERE user_id = ?1 AND organization_id = ?2")
            .bind(user)
            .bind(org)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn favourites(&self, user: UserId) -> Result<Vec<CompanySummary>> {
        let mut tx = self.read.begin().await?;
        let rows = sqlx::query(
            "SELECT o.id, o.name, o.name_kana, p.prefecture, p.capabilities, p.updated_at
             FROM favourites f
             JOIN organizations o ON o.id = f.organization_id
             JOIN company_profiles p ON p.organization_id = f.organization_id
             WHERE f.user_id = ?1
             ORDER BY f.created_at DESC, f.organization_id DESC",
        )
        .bind(user)
        .fetch_all(&mut *tx)
        .await?;
        let mut items = rows
            .iter()
            .map(summary_from_row)
            .collect::<Result<Vec<_>>>()?;
        attach_jsic(&mut tx, &mut items).await?;
        tx.commit().await?;
        Ok(items)
    }
}
