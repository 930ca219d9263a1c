//! Filling a database with demo data: `musubi demo generate` and the seeding
//! of an empty database by `serve --demo`.

use musubi_domain::{Certification, Grade, GradeCategory, OrgKind, PlatformRole};
use musubi_storage::{
    AuditEntry, CatalogueItem, CompanyImport, CompanyProfileData, NewOrganization, NewUser, Paging,
    TokenPurpose,
};

use crate::Services;
use crate::demo::{DemoBuyer, DemoGenerator, DemoSupplier};
use crate::error::{ServiceError, ServiceResult};
use crate::secrets::{hash_password, new_token, token_digest};

/// The password of every demo account (demo mode only, printed at start-up).
pub const DEMO_PASSWORD: &str = "musubi-demo-2026";
/// Sign-in names of the demo accounts.
pub const DEMO_ADMIN: &str = "admin@demo.musubi.example.jp";
pub const DEMO_SUPPLIER: &str = "supplier@demo.musubi.example.jp";
/// Companies imported per transaction.
const BATCH: u64 = 1000;

/// The storage form of a generated supplier.
pub fn company_import(s: &DemoSupplier) -> CompanyImport {
    CompanyImport {
        organization: NewOrganization {
            kind: OrgKind::Supplier,
            name: s.name.clone(),
            name_kana: s.name_kana.clone(),
            corporate_number: Some(s.corporate_number),
        },
        profile: CompanyProfileData {
            representative: s.representative.clone(),
            prefecture: s.prefecture,
            municipality: Some(s.municipality),
            address_line: format!("{}{}", s.municipality_name, s.address_line),
            jsic: s.jsic.clone(),
            capabilities: s.capabilities.clone(),
            catalogue: s
                .catalogue
                .iter()
                .map(|c| CatalogueItem {
                    title: c.title.clone(),
                    description: c.description.clone(),
                })
                .collect(),
            certifications: s
                .certifications
                .iter()
                .filter_map(|c| Certification::parse(c).ok())
                .collect(),
            grades: s
                .grades
                .iter()
                .filter_map(|(c, g)| {
                    Some((
                        GradeCategory::parse(c).ok()?,
                        Grade::parse(&g.to_string()).ok()?,
                    ))
                })
                .collect(),
            employees: Some(s.employees),
            capital_yen: Some(s.capital_yen),
            founded_year: Some(s.founded_year),
            website: s.website.clone(),
            contact_email: Some(s.contact_email.clone()),
            contact_phone: Some(s.contact_phone.clone()),
        },
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub suppliers: u64,
    pub buyers: u64,
    pub accounts: u64,
}

impl Services {
    /// Imports suppliers `first..first + count` of the generator, in
    /// batches, calling `progress(done, count)` after each batch.
    pub async fn import_demo_suppliers(
        &self,
        generator: &DemoGenerator,
        first: u64,
        count: u64,
        mut progress: impl FnMut(u64, u64),
    ) -> ServiceResult<u64> {
        let mut done = 0;
        while done < count {
            let n = BATCH.min(count - done);
            let start = first + done;
            let batch: Vec<CompanyImport> = generator
                .supplier_range(start..start + n)
                .map(|s| company_import(&s))
                .collect();
            self.storage
                .import_companies(&batch, self.clock.now())
                .await?;
            done += n;
            progress(done, count);
        }
        if done > 0 {
            self.storage.analyze().await?;
        }
        Ok(done)
    }

    /// A verified demo account with a known password.
    async fn demo_account(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
    ) -> ServiceResult<i64> {
        let now = self.clock.now();
        let email = musubi_domain::EmailAddress::parse(email)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let id = self
            .storage
            .create_user(
                &NewUser {
                    email,
                    password_hash: password_hash.to_owned(),
                    display_name: name.to_owned(),
                    locale: "ja".into(),
                },
                now,
                AuditEntry::new("demo.create_user", "user", None),
                &[],
            )
            .await?;
        let token = new_token("");
        self.storage
            .add_user_token(
                id,
                TokenPurpose::VerifyEmail,
                &token_digest(&token),
                now + chrono::Duration::minutes(1),
                now,
                &[],
            )
            .await?;
        self.storage
            .verify_email(
                &token_digest(&token),
                now,
                AuditEntry::new("demo.verify_email", "user", Some(id)),
            )
            .await?;
        Ok(id)
    }

    /// Demo data for an empty database: an admin, the generator's buyers
    /// (approved, each with an account), `suppliers` suppliers, and one
    /// supplier account acting for the first of them. Does nothing when any
    /// organisation exists.
    pub async fn seed_demo_if_empty(
        &self,
        suppliers: u64,
        seed: u64,
    ) -> ServiceResult<Option<SeedReport>> {
        let existing = self
            .storage
            .list_organizations(
                None,
                Paging {
                    offset: 0,
                    limit: 1,
                },
            )
            .await?;
        if existing.total > 0 {
            return Ok(None);
        }
        let generator = DemoGenerator::new(seed);
        let hash = hash_password(DEMO_PASSWORD.to_owned())
            .await
            .map_err(ServiceError::Internal)?;
        let now = self.clock.now();
        let admin = self.demo_account(DEMO_ADMIN, "デモ 管理者", &hash).await?;
        self.storage
            .set_platform_role(
                admin,
                PlatformRole::Admin,
                &[],
                now,
                AuditEntry::new("demo.set_role", "user", Some(admin)),
            )
            .await?;
        let buyers: Vec<DemoBuyer> = generator.buyers();
        for (i, b) in buyers.iter().enumerate() {
            let user = self
                .demo_account(
                    &format!("buyer{}@demo.musubi.example.jp", i + 1),
                    &format!("{} 契約担当", b.name),
                    &hash,
                )
                .await?;
            let kind = OrgKind::parse(b.kind.as_str())
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            let org = self
                .storage
                .create_organization(
                    &NewOrganization {
                        kind,
                        name: b.name.clone(),
                        name_kana: b.name_kana.clone(),
                        corporate_number: Some(b.corporate_number),
                    },
                    user,
                    now,
                    AuditEntry::new("demo.create_org", "organization", None).by(Some(user), None),
                )
                .await?;
            self.storage
                .decide_approval(
                    org,
                    true,
                    None,
                    now,
                    AuditEntry::new("org.approve", "organization", Some(org)).by(Some(admin), None),
                    &[],
                )
                .await?;
        }
        // The first supplier gets the demo supplier account: import it alone,
        // so it is the newest organisation right after.
        let mut imported = self
            .import_demo_suppliers(&generator, 0, suppliers.min(1), |_, _| {})
            .await?;
        let supplier_user = self
            .demo_account(DEMO_SUPPLIER, "デモ 受注担当", &hash)
            .await?;
        let newest = self
            .storage
            .list_organizations(
                None,
                Paging {
                    offset: 0,
                    limit: 1,
                },
            )
            .await?;
        if let Some(org) = newest.items.first().filter(|o| o.kind == OrgKind::Supplier) {
            self.storage
                .add_member(
                    org.id,
                    supplier_user,
                    musubi_domain::OrgRole::Admin,
                    now,
                    AuditEntry::new("demo.add_member", "organization", Some(org.id)),
                )
                .await?;
        }
        imported += self
            .import_demo_suppliers(&generator, 1, suppliers.saturating_sub(1), |_, _| {})
            .await?;
        Ok(Some(SeedReport {
            suppliers: imported,
            buyers: buyers.len() as u64,
            accounts: buyers.len() as u64 + 2,
        }))
    }
}
