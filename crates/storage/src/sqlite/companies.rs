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
use sqlx::{Row, Sqlite, SqliteConnection};

use super::accounts::{
    count, insert_audit, map_conflict, org_cols, org_from_row, page_bounds, parse_stored,
};
use super::{SqliteStore, from_us, insert_jobs, to_us};
use crate::{
    AuditEntry, CatalogueItem, CompanyImport, CompanyProfile, CompanyProfileData, CompanyStore,
    CompanySummary, DirectoryQuery, DirectorySort, MatchingSupplier, NewJob, OpenTender, OrgId,
    Page, Participation, ProfileVersion, Result, StorageError, UserId,
};

/// The columns of a [`CompanySummary`] from `organizations o` and `company_profiles p`.
macro_rules! summary_cols {
    () => {
        "o.id, o.name, o.name_kana, p.prefecture, p.capabilities, p.updated_at"
    };
}

/// The columns [`profile_from_row`] reads, from `company_profiles p` and
/// `organizations o`; the child rows come as JSON arrays, so one statement
/// reads one profile or a page of them.
macro_rules! profile_cols {
    () => {
        concat!(
            org_cols!(),
            ", p.*,
             (SELECT json_group_array(code) FROM company_jsic
              WHERE organization_id = p.organization_id) AS p_jsic,
             (SELECT json_group_array(certification) FROM company_certifications
              WHERE organization_id = p.organization_id) AS p_certifications,
             (SELECT json_group_array(json_array(category, grade)) FROM company_grades
              WHERE organization_id = p.organization_id) AS p_grades,
             (SELECT json_group_array(json_array(position, id, title, description))
              FROM catalogue_items WHERE organization_id = p.organization_id) AS p_catalogue"
        )
    };
}

fn json_column<T: serde::de::DeserializeOwned>(
    row: &SqliteRow,
    column: &str,
    field: &'static str,
) -> Result<T> {
    let text: &str = row.try_get(column)?;
    serde_json::from_str(text).map_err(|e| StorageError::Corrupt {
        field,
        message: e.to_string(),
    })
}

/// A profile from a row of [`profile_cols`].
fn profile_from_row(row: &SqliteRow) -> Result<CompanyProfile> {
    let jsic: Vec<String> = json_column(row, "p_jsic", "company_jsic.code")?;
    let certifications: Vec<String> = json_column(
        row,
        "p_certifications",
        "company_certifications.certification",
    )?;
    let grades: Vec<(String, String)> = json_column(row, "p_grades", "company_grades")?;
    let mut catalogue: Vec<(i64, i64, String, String)> =
        json_column(row, "p_catalogue", "catalogue_items")?;
    catalogue.sort_by_key(|(position, id, _, _)| (*position, *id));

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
            .map(|(_, _, title, description)| CatalogueItem { title, description })
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
    Ok(CompanyProfile {
        organization: org_from_row(row)?,
        data,
        version: row.try_get("version")?,
        updated_at: from_us("company_profiles.updated_at", row.try_get("updated_at")?)?,
    })
}

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
    for sql in [
        "DELETE FROM company_jsic WHERE organization_id = ?1",
        "DELETE FROM company_certifications WHERE organization_id = ?1",
        "DELETE FROM company_grades WHERE organization_id = ?1",
        "DELETE FROM catalogue_items WHERE organization_id = ?1",
    ] {
        sqlx::query(sql).bind(org).execute(&mut *conn).await?;
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

/// Companies per set of statements in an import (bounds the JSON bound to
/// each statement; all chunks share the import's one transaction).
const IMPORT_CHUNK: usize = 1000;

/// Imports `chunk` with one statement per table: the rows travel as one JSON
/// array each and are unpacked by `json_each`, so a thousand companies cost
/// seven statements, not seven thousand.
async fn import_chunk(
    conn: &mut SqliteConnection,
    chunk: &[CompanyImport],
    now: DateTime<Utc>,
) -> Result<()> {
    let now_us = to_us(now);
    let orgs: Vec<_> = chunk
        .iter()
        .map(|c| {
            let o = &c.organization;
            json!([
                o.name,
                o.name_kana,
                o.corporate_number.as_ref().map(|n| n.as_str())
            ])
        })
        .collect();
    let mut ids: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO organizations (kind, name, name_kana, corporate_number, approval, created_at, updated_at)
         SELECT 'supplier', json_extract(value, '$[0]'), json_extract(value, '$[1]'),
                json_extract(value, '$[2]'), 'not_required', ?2, ?2
         FROM json_each(?1) ORDER BY key
         RETURNING id",
    )
    .bind(serde_json::Value::Array(orgs).to_string())
    .bind(now_us)
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| {
        map_conflict(
            e,
            &[("organizations.corporate_number", "corporate_number_taken")],
        )
    })?;
    // Inserted in array order under the write lock, the new ids are
    // consecutive: the company at index `i` is `first + i`.
    ids.sort_unstable();
    let first = ids.first().copied().unwrap_or_default();
    if ids.len() != chunk.len() || ids.last().copied() != Some(first + ids.len() as i64 - 1) {
        return Err(StorageError::Corrupt {
            field: "organizations.id",
            message: "imported organisations did not get consecutive ids".into(),
        });
    }

    let profiles: Vec<CompanyProfileData> = chunk.iter().map(|c| canonical(&c.profile)).collect();
    let snapshots = serde_json::to_string(&profiles).map_err(|e| StorageError::Corrupt {
        field: "company_profile_versions.snapshot",
        message: e.to_string(),
    })?;
    let jsic: Vec<_> = profiles
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            p.jsic
                .iter()
                .map(move |c| json!([i, c.as_str(), c.division().letter()]))
        })
        .collect();
    sqlx::query(
        "INSERT INTO company_profiles (organization_id, representative, prefecture, municipality,
             address_line, capabilities, employees, capital_yen, founded_year, website,
             contact_email, contact_phone, version, updated_at)
         SELECT ?2 + key, json_extract(value, '$.representative'),
             json_extract(value, '$.prefecture'), json_extract(value, '$.municipality'),
             json_extract(value, '$.address_line'), json_extract(value, '$.capabilities'),
             json_extract(value, '$.employees'), json_extract(value, '$.capital_yen'),
             json_extract(value, '$.founded_year'), json_extract(value, '$.website'),
             json_extract(value, '$.contact_email'), json_extract(value, '$.contact_phone'),
             1, ?3
         FROM json_each(?1)",
    )
    .bind(&snapshots)
    .bind(first)
    .bind(now_us)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO company_profile_versions (organization_id, version, changed_by, changed_at, snapshot)
         SELECT ?2 + key, 1, NULL, ?3, value FROM json_each(?1)",
    )
    .bind(&snapshots)
    .bind(first)
    .bind(now_us)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO company_jsic (organization_id, code, division)
         SELECT ?2 + json_extract(value, '$[0]'), json_extract(value, '$[1]'),
             json_extract(value, '$[2]')
         FROM json_each(?1)",
    )
    .bind(serde_json::Value::Array(jsic).to_string())
    .bind(first)
    .execute(&mut *conn)
    .await?;
    for sql in [
        "INSERT INTO company_certifications (organization_id, certification)
         SELECT ?2 + p.key, c.value
         FROM json_each(?1) p, json_each(p.value, '$.certifications') c",
        "INSERT INTO company_grades (organization_id, category, grade)
         SELECT ?2 + p.key, json_extract(g.value, '$[0]'), json_extract(g.value, '$[1]')
         FROM json_each(?1) p, json_each(p.value, '$.grades') g",
        "INSERT INTO catalogue_items (organization_id, position, title, description)
         SELECT ?2 + p.key, c.key, json_extract(c.value, '$.title'),
             json_extract(c.value, '$.description')
         FROM json_each(?1) p, json_each(p.value, '$.catalogue') c",
    ] {
        sqlx::query(sql)
            .bind(&snapshots)
            .bind(first)
            .execute(&mut *conn)
            .await?;
    }
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

/// Up to this many prefectures, the prefecture index leads a filtered count
/// (a few thousand rows each at 100,000 companies); beyond, a child table does.
const PREFECTURE_DRIVER_MAX: usize = 12;

/// A directory filter on one of the child tables (JSIC codes, grades,
/// certifications). Each is keyed by `(…, organization_id)`, so it can lead a
/// query (`IN (SELECT organization_id …)`, or the count's `FROM`) or be
/// probed per company (`EXISTS`).
struct ChildFilter {
    table: &'static str,
    /// Conditions on the table's own columns, with `?` placeholders.
    cond: &'static str,
    binds: Vec<String>,
    /// Rough selectivity: the smallest leads.
    rank: u8,
}

fn child_filters(q: &DirectoryQuery) -> Vec<ChildFilter> {
    let mut filters = Vec::new();
    if let Some(code) = &q.jsic {
        // Same code or below it: a division by its letter, a deeper code by
        // prefix (a range, so the index is used). A company's broader,
        // ancestor code does not match.
        filters.push(match code.major_group() {
            None => ChildFilter {
                table: "company_jsic",
                cond: "division = ?",
                binds: vec![code.as_str().to_owned()],
                rank: 6,
            },
            Some(_) => ChildFilter {
                table: "company_jsic",
                cond: "code >= ? AND code < ?",
                binds: vec![code.as_str().to_owned(), prefix_end(code.as_str())],
                rank: match code.as_str().len() {
                    2 => 3,
                    3 => 1,
                    _ => 0,
                },
            },
        });
    }
    if q.grade.is_some() || q.grade_category.is_some() {
        let (cond, rank) = match (q.grade, q.grade_category) {
            (Some(_), Some(_)) => ("grade = ? AND category = ?", 4),
            (Some(_), None) => ("grade = ?", 5),
            _ => ("category = ?", 6),
        };
        let binds = [
            q.grade.map(Grade::code),
            q.grade_category.map(GradeCategory::code),
        ]
        .into_iter()
        .flatten()
        .map(str::to_owned)
        .collect();
        filters.push(ChildFilter {
            table: "company_grades",
            cond,
            binds,
            rank,
        });
    }
    if let Some(cert) = q.certification {
        filters.push(ChildFilter {
            table: "company_certifications",
            cond: "certification = ?",
            binds: vec![cert.code().to_owned()],
            rank: 2,
        });
    }
    filters.sort_by_key(|f| f.rank);
    filters
}

/// SQL text and its (text) binds, built together so they stay in step.
struct Sql {
    text: String,
    binds: Vec<String>,
}

impl Sql {
    fn new(text: &str) -> Self {
        Sql {
            text: text.to_owned(),
            binds: Vec::new(),
        }
    }

    fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// `AND p.prefecture IN (…)`; `indexed: false` keeps the prefecture
    /// index from leading (`+p.prefecture`).
    fn prefectures(&mut self, codes: &[&str], indexed: bool) {
        if codes.is_empty() {
            return;
        }
        self.push(if indexed {
            " AND p.prefecture IN ("
        } else {
            " AND +p.prefecture IN ("
        });
        for (i, code) in codes.iter().enumerate() {
            self.push(if i == 0 { "?" } else { ", ?" });
            self.binds.push((*code).to_owned());
        }
        self.push(")");
    }

    /// `AND EXISTS (…)`: probed once per company `outer`.
    fn exists(&mut self, f: &ChildFilter, outer: &str) {
        self.push(&format!(
            " AND EXISTS (SELECT 1 FROM {} x WHERE x.organization_id = {outer} AND {})",
            f.table, f.cond
        ));
        self.binds.extend(f.binds.iter().cloned());
    }

    /// `AND outer IN (SELECT organization_id …)`: the filter's index leads.
    fn in_list(&mut self, f: &ChildFilter, outer: &str) {
        self.push(&format!(
            " AND {outer} IN (SELECT organization_id FROM {} WHERE {})",
            f.table, f.cond
        ));
        self.binds.extend(f.binds.iter().cloned());
    }

    fn query_scalar(
        &self,
    ) -> sqlx::query::QueryScalar<'_, Sqlite, i64, sqlx::sqlite::SqliteArguments> {
        let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(self.text.clone()));
        for b in &self.binds {
            q = q.bind(b.as_str());
        }
        q
    }
}

/// The directory's two statements. The count is led by the narrowest index
/// available; the page either walks the sort order's index and probes the
/// filters (when matches are plentiful, it stops after a few rows) or is led
/// by the filters and sorts what they find (when matches are few). Which one
/// is decided from the exact count, so neither ever touches much more than
/// it must.
struct DirectoryPlan<'q> {
    query: &'q DirectoryQuery,
    prefectures: Vec<&'static str>,
    children: Vec<ChildFilter>,
    prefecture_leads: bool,
}

impl<'q> DirectoryPlan<'q> {
    fn new(query: &'q DirectoryQuery) -> Self {
        let mut prefectures: Vec<&'static str> =
            query.prefectures.iter().map(|p| p.code()).collect();
        prefectures.sort_unstable();
        prefectures.dedup();
        let children = child_filters(query);
        let prefecture_leads = children.is_empty()
            || (!prefectures.is_empty() && prefectures.len() <= PREFECTURE_DRIVER_MAX);
        DirectoryPlan {
            query,
            prefectures,
            children,
            prefecture_leads,
        }
    }

    fn order(&self) -> &'static str {
        match self.query.sort {
            DirectorySort::Kana => " ORDER BY o.name_kana, o.id",
            DirectorySort::Updated => " ORDER BY p.updated_at DESC, p.organization_id DESC",
            DirectorySort::Prefecture => " ORDER BY p.prefecture, o.name_kana, o.id",
        }
    }

    /// Exact number of matches. Child rows exist only for profiles, so a
    /// count led by a child table needs no join.
    fn count(&self) -> Sql {
        if self.prefecture_leads {
            let mut sql = Sql::new("SELECT COUNT(*) FROM company_profiles p WHERE 1 = 1");
            sql.prefectures(&self.prefectures, true);
            for f in &self.children {
                sql.exists(f, "p.organization_id");
            }
            sql
        } else {
            let (lead, rest) = self.children.split_first().expect("a child filter");
            let mut sql = Sql::new(&format!(
                "SELECT COUNT(DISTINCT d.organization_id) FROM {} d WHERE {}",
                lead.table, lead.cond
            ));
            sql.binds.extend(lead.binds.iter().cloned());
            for f in rest {
                sql.exists(f, "d.organization_id");
            }
            if !self.prefectures.is_empty() {
                sql.push(
                    " AND EXISTS (SELECT 1 FROM company_profiles p
                      WHERE p.organization_id = d.organization_id",
                );
                sql.prefectures(&self.prefectures, false);
                sql.push(")");
            }
            sql
        }
    }

    /// The page, led by the filters: for few matches.
    fn page_led_by_filters(&self) -> Sql {
        // Sorting by update time needs nothing of the organisation.
        let mut sql = Sql::new(match self.query.sort {
            DirectorySort::Updated => {
                "SELECT p.organization_id FROM company_profiles p WHERE 1 = 1"
            }
            DirectorySort::Kana | DirectorySort::Prefecture => {
                "SELECT p.organization_id FROM company_profiles p
                 JOIN organizations o ON o.id = p.organization_id WHERE 1 = 1"
            }
        });
        if self.prefecture_leads {
            sql.prefectures(&self.prefectures, true);
            for f in &self.children {
                sql.exists(f, "p.organization_id");
            }
        } else {
            let (lead, rest) = self.children.split_first().expect("a child filter");
            sql.in_list(lead, "p.organization_id");
            for f in rest {
                sql.exists(f, "p.organization_id");
            }
            sql.prefectures(&self.prefectures, false);
        }
        sql.push(self.order());
        sql.push(" LIMIT ? OFFSET ?");
        sql
    }

    /// The page, walking the sort order's index: for many matches. Rows
    /// are only touched where a filter needs them.
    fn page_in_sort_order(&self) -> Sql {
        let mut sql = match self.query.sort {
            DirectorySort::Kana => {
                // organizations_kana (kind, name_kana, id) holds the order;
                // child rows exist only for profiles, so the profile itself
                // is looked at only when no child filter vouches for it or
                // its prefecture matters.
                let mut sql =
                    Sql::new("SELECT o.id FROM organizations o WHERE o.kind = 'supplier'");
                if self.children.is_empty() || !self.prefectures.is_empty() {
                    sql.push(
                        " AND EXISTS (SELECT 1 FROM company_profiles p
                          WHERE p.organization_id = o.id",
                    );
                    sql.prefectures(&self.prefectures, false);
                    sql.push(")");
                }
                for f in &self.children {
                    sql.exists(f, "o.id");
                }
                sql
            }
            DirectorySort::Updated => {
                let mut sql =
                    Sql::new("SELECT p.organization_id FROM company_profiles p WHERE 1 = 1");
                sql.prefectures(&self.prefectures, false);
                for f in &self.children {
                    sql.exists(f, "p.organization_id");
                }
                sql
            }
            DirectorySort::Prefecture => {
                let mut sql = Sql::new(
                    "SELECT p.organization_id FROM company_profiles p CROSS JOIN organizations o
                     WHERE o.id = p.organization_id",
                );
                sql.prefectures(&self.prefectures, true);
                for f in &self.children {
                    sql.exists(f, "p.organization_id");
                }
                sql
            }
        };
        sql.push(self.order());
        sql.push(" LIMIT ? OFFSET ?");
        sql
    }

    /// Walking the sort order visits about `(offset + limit) × companies /
    /// matches` rows; leading with the filters visits `matches` rows.
    fn walk_is_cheaper(&self, total: i64, companies: i64, offset: i64, limit: i64) -> bool {
        let walked = i128::from(offset + limit) * i128::from(companies.max(1));
        walked < i128::from(total) * i128::from(total)
    }
}

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

/// The summaries of `ids`, in that order.
async fn summaries(conn: &mut SqliteConnection, ids: &[i64]) -> Result<Vec<CompanySummary>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(concat!(
        "SELECT ",
        summary_cols!(),
        " FROM company_profiles p JOIN organizations o ON o.id = p.organization_id
         WHERE p.organization_id IN (SELECT value FROM json_each(?1))"
    ))
    .bind(json!(ids).to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut by_id: HashMap<i64, CompanySummary> = HashMap::with_capacity(rows.len());
    for row in &rows {
        let summary = summary_from_row(row)?;
        by_id.insert(summary.id, summary);
    }
    let mut items: Vec<CompanySummary> = ids.iter().filter_map(|id| by_id.remove(id)).collect();
    attach_jsic(conn, &mut items).await?;
    Ok(items)
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
        let row = sqlx::query(concat!(
            "SELECT ",
            profile_cols!(),
            " FROM company_profiles p JOIN organizations o ON o.id = p.organization_id
             WHERE p.organization_id = ?1"
        ))
        .bind(org)
        .fetch_optional(&self.read)
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
            profile_cols!(),
            " FROM company_profiles p JOIN organizations o ON o.id = p.organization_id
             WHERE p.organization_id > ?1 ORDER BY p.organization_id LIMIT ?2"
        ))
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.read)
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
        write_profile(&mut tx, org, &data, version, audit.actor, now).await?;
        insert_audit(&mut tx, &audit, Some(org), now).await?;
        insert_jobs(&mut tx, jobs, now).await?;
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
        let plan = DirectoryPlan::new(query);

        // One read transaction: the total, the page and its codes agree.
        let mut tx = self.read.begin().await?;
        let total = plan.count().query_scalar().fetch_one(&mut *tx).await?;
        let items = if total > offset {
            // An upper bound of the number of companies, from the primary key.
            let companies: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(organization_id), 0) FROM company_profiles",
            )
            .fetch_one(&mut *tx)
            .await?;
            let sql = if plan.walk_is_cheaper(total, companies, offset, limit) {
                plan.page_in_sort_order()
            } else {
                plan.page_led_by_filters()
            };
            // The page's ids first (sorting only keys and ids), then the
            // twenty rows to show.
            let ids: Vec<i64> = sql
                .query_scalar()
                .bind(limit)
                .bind(offset)
                .fetch_all(&mut *tx)
                .await?;
            summaries(&mut tx, &ids).await?
        } else {
            Vec::new()
        };
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
        let mut tx = self.begin_write().await?;
        for chunk in companies.chunks(IMPORT_CHUNK) {
            import_chunk(&mut tx, chunk, now).await?;
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
        let rows = sqlx::query(concat!(
            "SELECT ",
            summary_cols!(),
            " FROM favourites f
             JOIN organizations o ON o.id = f.organization_id
             JOIN company_profiles p ON p.organization_id = f.organization_id
             WHERE f.user_id = ?1
             ORDER BY f.created_at DESC, f.organization_id DESC"
        ))
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

    async fn matching_suppliers(&self) -> Result<Vec<MatchingSupplier>> {
        let rows = sqlx::query(
            "SELECT o.id, o.name, p.prefecture,
                 (SELECT json_group_array(code) FROM company_jsic
                  WHERE organization_id = p.organization_id) AS p_jsic,
                 (SELECT json_group_array(certification) FROM company_certifications
                  WHERE organization_id = p.organization_id) AS p_certifications,
                 (SELECT json_group_array(json_array(category, grade)) FROM company_grades
                  WHERE organization_id = p.organization_id) AS p_grades
             FROM company_profiles p JOIN organizations o ON o.id = p.organization_id
             WHERE o.kind = 'supplier' AND o.approval IN ('not_required', 'approved')
             ORDER BY o.id",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                let jsic: Vec<String> = json_column(row, "p_jsic", "company_jsic.code")?;
                let certifications: Vec<String> = json_column(
                    row,
                    "p_certifications",
                    "company_certifications.certification",
                )?;
                let grades: Vec<(String, String)> = json_column(row, "p_grades", "company_grades")?;
                Ok(MatchingSupplier {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    prefecture: parse_stored(
                        "company_profiles.prefecture",
                        row.try_get("prefecture")?,
                    )?,
                    jsic: jsic
                        .iter()
                        .map(|c| parse_stored("company_jsic.code", c))
                        .collect::<Result<_>>()?,
                    grades: grades
                        .iter()
                        .map(|(c, g)| {
                            Ok((
                                parse_stored("company_grades.category", c)?,
                                parse_stored("company_grades.grade", g)?,
                            ))
                        })
                        .collect::<Result<_>>()?,
                    certifications: certifications
                        .iter()
                        .map(|c| parse_stored("company_certifications.certification", c))
                        .collect::<Result<_>>()?,
                })
            })
            .collect()
    }

    async fn participations(&self) -> Result<Vec<Participation>> {
        let rows = sqlx::query(
            "SELECT p.supplier, p.tender_id, json_extract(t.content, '$.jsic') AS jsic,
                 EXISTS (SELECT 1 FROM awards a
                         WHERE a.tender_id = p.tender_id AND a.bidder_org_id = p.supplier) AS awarded
             FROM (SELECT supplier_id AS supplier, tender_id FROM tender_applications
                   UNION SELECT bidder_org_id, tender_id FROM bids
                   UNION SELECT bidder_org_id, tender_id FROM awards) p
             JOIN tenders t ON t.id = p.tender_id
             ORDER BY p.supplier, p.tender_id",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                // `content.jsic` may be absent (it has a serde default).
                let jsic: Option<&str> = row.try_get("jsic")?;
                let codes: Vec<String> = match jsic {
                    Some(text) => {
                        serde_json::from_str(text).map_err(|e| StorageError::Corrupt {
                            field: "tenders.content.jsic",
                            message: e.to_string(),
                        })?
                    }
                    None => Vec::new(),
                };
                Ok(Participation {
                    supplier: row.try_get("supplier")?,
                    tender: row.try_get("tender_id")?,
                    jsic: codes
                        .iter()
                        .map(|c| parse_stored("tenders.content.jsic", c))
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
               AND t.submission_closes_at > ?1
             ORDER BY t.id",
        )
        .bind(to_us(now))
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(OpenTender {
                    id: row.try_get("id")?,
                    buyer_name: row.try_get("buyer_name")?,
                    status: super::tenders::status_from("tenders.status", row.try_get("status")?)?,
                    content: serde_json::from_str(row.try_get("content")?).map_err(|e| {
                        StorageError::Corrupt {
                            field: "tenders.content",
                            message: e.to_string(),
                        }
                    })?,
                })
            })
            .collect()
    }
}
