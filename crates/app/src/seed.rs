//! Filling a database with demo data: `musubi demo generate` and the seeding
//! of an empty database by `serve --demo`.

use std::collections::HashMap;
use std::sync::Arc;

use musubi_domain::{
    Approval, Certification, Grade, GradeCategory, OrgKind, OrgRole, PlatformRole,
};
use musubi_storage::{
    AuditEntry, CatalogueItem, CompanyImport, CompanyProfileData, NewAttachment, NewOrganization,
    NewTransition, NewUser, OrgId, Organization, Paging, TenderImport, TokenPurpose, UserId,
};

use crate::Services;
use crate::blobs::BlobStore;
use crate::demo::{DemoBuyer, DemoFile, DemoGenerator, DemoSupplier, DemoTender};
use crate::error::{ServiceError, ServiceResult};
use crate::secrets::{hash_password, new_token, token_digest};

/// The password of every demo account (demo mode only, printed at start-up).
pub const DEMO_PASSWORD: &str = "musubi-demo-2026";
/// Sign-in names of the demo accounts.
pub const DEMO_ADMIN: &str = "admin@demo.musubi.example.jp";
pub const DEMO_SUPPLIER: &str = "supplier@demo.musubi.example.jp";
/// A coordinator covering 関東 and 九州・沖縄 ([`DEMO_COORDINATOR_REGIONS`]).
pub const DEMO_COORDINATOR: &str = "coordinator@demo.musubi.example.jp";
pub const DEMO_COORDINATOR_REGIONS: [musubi_domain::Region; 2] = [
    musubi_domain::Region::Kanto,
    musubi_domain::Region::KyushuOkinawa,
];
/// Companies imported per transaction.
const BATCH: u64 = 1000;
/// Tenders imported per transaction.
const TENDER_BATCH: u64 = 1000;
/// How many supplier organisations (the oldest) get an account that asks
/// the demo tenders' questions; the first is [`DEMO_SUPPLIER`]'s.
const DEMO_ASKERS: u64 = 12;

/// Sign-in name of the account of demo buyer `j` (0-based).
pub fn demo_buyer_email(j: usize) -> String {
    format!("buyer{}@demo.musubi.example.jp", j + 1)
}

/// Who the demo tenders belong to and who asks their questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoParties {
    /// Per buyer of the generator, in its order: the organisation and the
    /// user who writes its tenders and takes its decisions.
    pub buyers: Vec<(OrgId, UserId)>,
    /// Supplier users with their organisation (may be empty: no questions).
    pub askers: Vec<(UserId, OrgId)>,
}

/// The storage form of a generated tender. `files` holds the stored form of
/// every demo file (see [`DemoFile::all`]).
pub fn tender_import(
    t: DemoTender,
    parties: &DemoParties,
    files: &HashMap<DemoFile, NewAttachment>,
) -> TenderImport {
    let (buyer, user) = parties.buyers[t.buyer.min(parties.buyers.len() - 1)];
    let questions = if parties.askers.is_empty() {
        Vec::new()
    } else {
        t.questions
            .into_iter()
            .map(|q| {
                let (asker, org) = parties.askers[q.asker as usize % parties.askers.len()];
                (asker, org, q.question, q.answer, q.asked_at)
            })
            .collect()
    };
    TenderImport {
        buyer,
        created_by: user,
        status: t.status,
        next_transition_at: t.next_transition_at,
        created_at: t.created_at,
        published_at: t.published_at,
        transitions: t
            .transitions
            .into_iter()
            .map(|step| NewTransition {
                transition: step.transition,
                at: step.at,
                actor: step.by_buyer.then_some(user),
                reason: step.reason,
            })
            .collect(),
        questions,
        attachments: t
            .attachments
            .iter()
            .filter_map(|f| files.get(f).cloned())
            .collect(),
        content: t.content,
    }
}

/// The demo password's hash, computed once and only when an account is made.
#[derive(Default)]
struct LazyHash(Option<String>);

impl LazyHash {
    async fn get(&mut self) -> ServiceResult<String> {
        if self.0.is_none() {
            let hash = hash_password(DEMO_PASSWORD.to_owned())
                .await
                .map_err(ServiceError::Internal)?;
            self.0 = Some(hash);
        }
        Ok(self.0.clone().unwrap_or_default())
    }
}

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

/// What the tender import made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TenderImportReport {
    pub tenders: u64,
    pub questions: u64,
    pub attachments: u64,
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
        let coordinator = self
            .demo_account(DEMO_COORDINATOR, "デモ コーディネーター", &hash)
            .await?;
        let areas: Vec<musubi_domain::Prefecture> = DEMO_COORDINATOR_REGIONS
            .iter()
            .flat_map(|r| r.prefectures().iter().copied())
            .collect();
        self.storage
            .set_platform_role(
                coordinator,
                PlatformRole::Coordinator,
                &areas,
                now,
                AuditEntry::new("demo.set_role", "user", Some(coordinator)).by(Some(admin), None),
            )
            .await?;
        let buyers: Vec<DemoBuyer> = generator.buyers();
        let mut lazy = LazyHash(Some(hash.clone()));
        let existing = HashMap::new();
        for (j, b) in buyers.iter().enumerate() {
            self.ensure_demo_buyer(j, b, &existing, &mut lazy, Some(admin))
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
            accounts: buyers.len() as u64 + 3,
        }))
    }

    /// Makes sure demo buyer `j` exists, is approved and has a member (its
    /// demo account `buyer<j+1>@…`, created with the demo password when the
    /// organisation is new). Returns the organisation and that member.
    async fn ensure_demo_buyer(
        &self,
        j: usize,
        b: &DemoBuyer,
        existing: &HashMap<String, Organization>,
        hash: &mut LazyHash,
        admin: Option<UserId>,
    ) -> ServiceResult<(OrgId, UserId)> {
        let now = self.clock.now();
        let email = demo_buyer_email(j);
        let display_name = format!("{} 契約担当", b.name);
        let (org, approved) = match existing.get(&b.name) {
            Some(o) => (o.id, o.approval == Approval::Approved),
            None => {
                let user = self.demo_user(&email, &display_name, hash).await?;
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
                        AuditEntry::new("demo.create_org", "organization", None)
                            .by(Some(user), None),
                    )
                    .await?;
                (org, false)
            }
        };
        if !approved {
            self.storage
                .decide_approval(
                    org,
                    true,
                    None,
                    now,
                    AuditEntry::new("org.approve", "organization", Some(org)).by(admin, None),
                    &[],
                )
                .await?;
        }
        let members = self.storage.members(org).await?;
        let user = match members.first() {
            Some(m) => m.user_id,
            None => {
                let user = self.demo_user(&email, &display_name, hash).await?;
                self.storage
                    .add_member(
                        org,
                        user,
                        OrgRole::Admin,
                        now,
                        AuditEntry::new("demo.add_member", "organization", Some(org)),
                    )
                    .await?;
                user
            }
        };
        Ok((org, user))
    }

    /// The demo account with this address, made if missing.
    async fn demo_user(
        &self,
        email: &str,
        display_name: &str,
        hash: &mut LazyHash,
    ) -> ServiceResult<UserId> {
        let address = musubi_domain::EmailAddress::parse(email)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        if let Some(user) = self.storage.user_by_email(&address).await? {
            return Ok(user.id);
        }
        let hash = hash.get().await?;
        self.demo_account(email, display_name, &hash).await
    }

    /// Buyer organisations (approved or pending) by name.
    async fn buyer_organizations(&self) -> ServiceResult<HashMap<String, Organization>> {
        let mut found = HashMap::new();
        for approval in [Approval::Approved, Approval::Pending] {
            let mut offset = 0;
            loop {
                let page = self
                    .storage
                    .list_organizations(Some(approval), Paging { offset, limit: 200 })
                    .await?;
                let n = page.items.len() as u64;
                for o in page.items {
                    if o.kind != OrgKind::Supplier {
                        found.entry(o.name.clone()).or_insert(o);
                    }
                }
                offset += n;
                if n == 0 || offset >= page.total {
                    break;
                }
            }
        }
        Ok(found)
    }

    /// The demo buyers (made, approved and given an account if missing) and
    /// accounts for the oldest [`DEMO_ASKERS`] suppliers (made if they have
    /// no member). Running it again changes nothing.
    pub async fn demo_parties(&self, generator: &DemoGenerator) -> ServiceResult<DemoParties> {
        let existing = self.buyer_organizations().await?;
        let mut hash = LazyHash::default();
        let mut buyers = Vec::new();
        for (j, b) in generator.buyers().iter().enumerate() {
            buyers.push(
                self.ensure_demo_buyer(j, b, &existing, &mut hash, None)
                    .await?,
            );
        }

        let total = self
            .storage
            .list_organizations(
                Some(Approval::NotRequired),
                Paging {
                    offset: 0,
                    limit: 1,
                },
            )
            .await?
            .total;
        let n = DEMO_ASKERS.min(total);
        let oldest = if n == 0 {
            Vec::new()
        } else {
            self.storage
                .list_organizations(
                    Some(Approval::NotRequired),
                    Paging {
                        offset: total - n,
                        limit: n as u32,
                    },
                )
                .await?
                .items
        };
        let mut askers = Vec::new();
        // Oldest first: the first is the demo supplier's company.
        for (k, org) in oldest.iter().rev().enumerate() {
            if org.kind != OrgKind::Supplier {
                continue;
            }
            let members = self.storage.members(org.id).await?;
            if let Some(m) = members.first() {
                askers.push((m.user_id, org.id));
                continue;
            }
            let email = if k == 0 {
                DEMO_SUPPLIER.to_owned()
            } else {
                format!("supplier{}@demo.musubi.example.jp", k + 1)
            };
            let address = musubi_domain::EmailAddress::parse(&email)
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            // An address already in use belongs to someone else's company.
            if self.storage.user_by_email(&address).await?.is_some() {
                continue;
            }
            let user = self
                .demo_user(&email, &format!("{} 営業担当", org.name), &mut hash)
                .await?;
            self.storage
                .add_member(
                    org.id,
                    user,
                    OrgRole::Admin,
                    self.clock.now(),
                    AuditEntry::new("demo.add_member", "organization", Some(org.id)),
                )
                .await?;
            askers.push((user, org.id));
        }
        Ok(DemoParties { buyers, askers })
    }

    /// How many tenders the demo buyers have (to continue after earlier
    /// runs). Zero when they do not exist yet.
    pub async fn demo_tender_count(&self, generator: &DemoGenerator) -> ServiceResult<u64> {
        let existing = self.buyer_organizations().await?;
        let mut total = 0;
        for b in generator.buyers() {
            if let Some(o) = existing.get(&b.name) {
                total += self
                    .storage
                    .buyer_tenders(
                        o.id,
                        Paging {
                            offset: 0,
                            limit: 1,
                        },
                    )
                    .await?
                    .total;
            }
        }
        Ok(total)
    }

    /// Puts every demo file into the blob store (each once; a second run
    /// finds them there) and returns their stored form.
    pub async fn store_demo_files(&self) -> ServiceResult<HashMap<DemoFile, NewAttachment>> {
        let blobs = BlobStore::in_data_dir(&self.config.data_dir);
        tokio::task::spawn_blocking(move || {
            let mut files = HashMap::new();
            for f in DemoFile::all() {
                let bytes = f.bytes();
                let sha256 = blobs.put(&bytes).map_err(|e| {
                    ServiceError::Internal(format!("storing demo file {}: {e}", f.filename()))
                })?;
                files.insert(
                    f,
                    NewAttachment {
                        title: f.title().to_owned(),
                        filename: f.filename(),
                        content_type: f.content_type().to_owned(),
                        size: bytes.len() as i64,
                        sha256,
                        replaces: None,
                    },
                );
            }
            Ok(files)
        })
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
    }

    /// Imports tenders `first..first + count` of the generator with their
    /// life cycles run up to now (the clock's), in transactions of
    /// [`TENDER_BATCH`], calling `progress(done, count)` after each. Makes
    /// the demo buyers and asker accounts first if they are missing
    /// ([`Self::demo_parties`]). The next batch is generated on another
    /// thread while the database writes this one.
    pub async fn import_demo_tenders(
        &self,
        generator: &DemoGenerator,
        first: u64,
        count: u64,
        mut progress: impl FnMut(u64, u64),
    ) -> ServiceResult<TenderImportReport> {
        let mut report = TenderImportReport::default();
        if count == 0 {
            return Ok(report);
        }
        let files = Arc::new(self.store_demo_files().await?);
        let parties = Arc::new(self.demo_parties(generator).await?);
        let generator = Arc::new(generator.clone());
        let anchor = self.clock.now();
        let make = |start: u64, n: u64| {
            let (generator, parties, files) = (
                Arc::clone(&generator),
                Arc::clone(&parties),
                Arc::clone(&files),
            );
            tokio::task::spawn_blocking(move || {
                generator
                    .tender_range(start..start + n, parties.buyers.len(), anchor)
                    .map(|t| tender_import(t, &parties, &files))
                    .collect::<Vec<_>>()
            })
        };
        let mut next = Some(make(first, TENDER_BATCH.min(count)));
        while let Some(pending) = next.take() {
            let batch = pending
                .await
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            let done = report.tenders + batch.len() as u64;
            if done < count {
                next = Some(make(first + done, TENDER_BATCH.min(count - done)));
            }
            self.storage.import_tenders(&batch).await?;
            report.tenders = done;
            report.questions += batch.iter().map(|t| t.questions.len() as u64).sum::<u64>();
            report.attachments += batch
                .iter()
                .map(|t| t.attachments.len() as u64)
                .sum::<u64>();
            progress(done, count);
        }
        self.storage.analyze().await?;
        Ok(report)
    }
}
