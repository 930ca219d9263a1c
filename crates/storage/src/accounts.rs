//! Records of people, organisations, company profiles and the audit log, and
//! the storage interfaces for them. Values arrive already validated (domain
//! newtypes); storage only keeps them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musubi_domain::{
    Approval, Certification, CorporateNumber, EmailAddress, Grade, GradeCategory, JsicCode,
    Membership, MunicipalityCode, OrgKind, OrgRole, PlatformRole, Prefecture,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{NewJob, Result};

pub type UserId = i64;
pub type OrgId = i64;

/// One line of the audit log, written in the same transaction as the change.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub actor: Option<UserId>,
    pub ip: Option<String>,
    /// Stable dotted code, e.g. `user.register`, `org.approve`.
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<i64>,
    pub detail: Value,
}

impl AuditEntry {
    pub fn new(action: &str, subject_type: &str, subject_id: Option<i64>) -> Self {
        AuditEntry {
            actor: None,
            ip: None,
            action: action.to_owned(),
            subject_type: subject_type.to_owned(),
            subject_id,
            detail: Value::Object(Default::default()),
        }
    }

    pub fn by(mut self, actor: Option<UserId>, ip: Option<&str>) -> Self {
        self.actor = actor;
        self.ip = ip.map(str::to_owned);
        self
    }

    pub fn detail(mut self, detail: Value) -> Self {
        self.detail = detail;
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub entry: AuditEntry,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    pub email: EmailAddress,
    pub password_hash: String,
    pub display_name: String,
    /// "ja" or "en": the language of mail sent to this person.
    pub locale: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub email: EmailAddress,
    pub password_hash: String,
    pub display_name: String,
    pub locale: String,
    pub platform_role: PlatformRole,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub suspended_at: Option<DateTime<Utc>>,
    pub suspended_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::VerifyEmail => "verify_email",
            TokenPurpose::ResetPassword => "reset_password",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewSession {
    pub token_hash: String,
    pub user_id: UserId,
    pub csrf_token: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// A live session with what access decisions need.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub id: i64,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
    pub membership: Option<Membership>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    Read,
    Write,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: UserId,
    pub name: String,
    /// The first characters of the token, to recognise it in a list.
    pub prefix: String,
    pub scope: TokenScope,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A member made in bulk ([`AccountStore::import_members`]): a user whose
/// address counts as verified, the user's membership of `org`, and an API
/// token when given.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberImport {
    pub org: OrgId,
    pub user: NewUser,
    pub role: OrgRole,
    pub api_token: Option<ApiTokenImport>,
}

/// An API token made in bulk: only its digest is stored, as always.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiTokenImport {
    pub name: String,
    pub token_hash: String,
    pub prefix: String,
    pub scope: TokenScope,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewOrganization {
    pub kind: OrgKind,
    pub name: String,
    pub name_kana: String,
    pub corporate_number: Option<CorporateNumber>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    pub id: OrgId,
    pub kind: OrgKind,
    pub name: String,
    pub name_kana: String,
    pub corporate_number: Option<CorporateNumber>,
    pub approval: Approval,
    pub approval_reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub user_id: UserId,
    pub display_name: String,
    pub email: EmailAddress,
    pub role: OrgRole,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueItem {
    pub title: String,
    pub description: String,
}

/// Everything a supplier says about itself (validated by the service).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyProfileData {
    pub representative: String,
    pub prefecture: Prefecture,
    pub municipality: Option<MunicipalityCode>,
    pub address_line: String,
    pub jsic: Vec<JsicCode>,
    pub capabilities: String,
    pub catalogue: Vec<CatalogueItem>,
    pub certifications: Vec<Certification>,
    pub grades: Vec<(GradeCategory, Grade)>,
    pub employees: Option<u32>,
    pub capital_yen: Option<i64>,
    pub founded_year: Option<i32>,
    pub website: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompanyProfile {
    pub organization: Organization,
    pub data: CompanyProfileData,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProfileVersion {
    pub version: i64,
    pub changed_by: Option<UserId>,
    pub changed_at: DateTime<Utc>,
    pub data: CompanyProfileData,
}

/// A supplier and its profile, created together (demo data, imports).
#[derive(Debug, Clone, PartialEq)]
pub struct CompanyImport {
    pub organization: NewOrganization,
    pub profile: CompanyProfileData,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectorySort {
    /// 五十音順 by the name's kana.
    #[default]
    Kana,
    /// Most recently updated first.
    Updated,
    /// By prefecture code, then kana.
    Prefecture,
}

/// Filters of the public company directory. Empty lists mean "any".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DirectoryQuery {
    pub prefectures: Vec<Prefecture>,
    /// A company matches if any of its codes is this code or below it.
    pub jsic: Option<JsicCode>,
    pub grade: Option<Grade>,
    pub grade_category: Option<GradeCategory>,
    pub certification: Option<Certification>,
    pub sort: DirectorySort,
    pub offset: u64,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompanySummary {
    pub id: OrgId,
    pub name: String,
    pub name_kana: String,
    pub prefecture: Prefecture,
    pub capabilities: String,
    pub jsic: Vec<JsicCode>,
    pub updated_at: DateTime<Utc>,
}

/// A supplier as matching reads it ([`CompanyStore::matching_suppliers`]):
/// what eligibility and the matching rules look at, and what a
/// recommendation shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchingSupplier {
    pub id: OrgId,
    pub name: String,
    pub prefecture: Prefecture,
    pub jsic: Vec<JsicCode>,
    pub grades: Vec<(GradeCategory, Grade)>,
    pub certifications: Vec<Certification>,
}

/// A tender a supplier took part in — applied to, was nominated for, bid
/// on or won — once per (supplier, tender), with the tender's JSIC codes.
#[derive(Debug, Clone, PartialEq)]
pub struct Participation {
    pub supplier: OrgId,
    pub tender: crate::TenderId,
    pub jsic: Vec<JsicCode>,
    /// The supplier won it (落札者決定).
    pub awarded: bool,
}

/// A tender open to bids or applications, as matching reads it
/// ([`CompanyStore::open_tenders`]).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenTender {
    pub id: crate::TenderId,
    pub buyer_name: String,
    pub status: musubi_domain::tender::TenderStatus,
    pub content: musubi_domain::tender::TenderContent,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Exact number of matches.
    pub total: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Paging {
    pub offset: u64,
    pub limit: u32,
}

/// People, sessions, tokens and login attempts.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Fails with `Conflict("email_taken")` when the address is registered.
    async fn create_user(
        &self,
        user: &NewUser,
        now: DateTime<Utc>,
        audit: AuditEntry,
        jobs: &[NewJob],
    ) -> Result<UserId>;
    async fn user(&self, id: UserId) -> Result<Option<User>>;
    async fn user_by_email(&self, email: &EmailAddress) -> Result<Option<User>>;
    async fn list_users(&self, paging: Paging) -> Result<Page<User>>;

    /// Stores a one-time token (hashed) and queues the mail that carries it.
    async fn add_user_token(
        &self,
        user_id: UserId,
        purpose: TokenPurpose,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
        jobs: &[NewJob],
    ) -> Result<()>;
    /// Uses a verification token: marks the address verified. `None` if the
    /// token is unknown, used or expired.
    async fn verify_email(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<Option<UserId>>;
    /// Uses a reset token: sets the password and ends every session.
    async fn reset_password(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<Option<UserId>>;
    /// Sets the password and ends every other session than `keep_session`.
    async fn change_password(
        &self,
        user_id: UserId,
        password_hash: &str,
        keep_session: Option<i64>,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()>;
    async fn update_user_settings(
        &self,
        user_id: UserId,
        display_name: &str,
        locale: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()>;
    /// Suspends (`Some(reason)`, ending every session) or reinstates (`None`).
    async fn set_suspension(
        &self,
        user_id: UserId,
        reason: Option<&str>,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()>;
    async fn set_platform_role(
        &self,
        user_id: UserId,
        role: PlatformRole,
        areas: &[Prefecture],
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()>;
    async fn coordinator_areas(&self, user_id: UserId) -> Result<Vec<Prefecture>>;

    async fn create_session(&self, session: &NewSession, now: DateTime<Utc>) -> Result<i64>;
    /// A session that has not expired, with its user and membership.
    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionRecord>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;

    async fn record_login_attempt(
        &self,
        email: &str,
        ip: &str,
        succeeded: bool,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Failed attempts since `since`: (for this e-mail, from this address).
    async fn failed_logins_since(
        &self,
        email: &str,
        ip: &str,
        since: DateTime<Utc>,
    ) -> Result<(u32, u32)>;

    #[allow(clippy::too_many_arguments)]
    async fn create_api_token(
        &self,
        user_id: UserId,
        name: &str,
        token_hash: &str,
        prefix: &str,
        scope: TokenScope,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64>;
    /// An unrevoked token with its user and membership (and notes its use).
    async fn api_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(ApiToken, SessionRecord)>>;
    async fn list_api_tokens(&self, user_id: UserId) -> Result<Vec<ApiToken>>;
    /// `NotFound` unless the token is the user's and still active.
    async fn revoke_api_token(
        &self,
        user_id: UserId,
        token_id: i64,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()>;
    /// Makes every member of `members` (demo data, benchmarks) in one
    /// transaction, each with its audit line (`member.import`); the new users'
    /// ids in order. `Conflict("email_taken")` (nothing made) when an
    /// address is registered; `NotFound` without the organisation.
    async fn import_members(
        &self,
        members: &[MemberImport],
        now: DateTime<Utc>,
    ) -> Result<Vec<UserId>>;
}

/// Organisations, their members and the approval of buyers.
#[async_trait]
pub trait OrganizationStore: Send + Sync {
    /// Creates the organisation with `creator` as its admin. Buyers start
    /// `pending`, suppliers `not_required`. Conflicts: `corporate_number_taken`,
    /// `already_member`.
    async fn create_organization(
        &self,
        org: &NewOrganization,
        creator: UserId,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<OrgId>;
    async fn organization(&self, id: OrgId) -> Result<Option<Organization>>;
    /// Renames an organisation, queuing `jobs` (search indexing) with it.
    async fn update_organization(
        &self,
        id: OrgId,
        name: &str,
        name_kana: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
        jobs: &[NewJob],
    ) -> Result<()>;
    /// Organisations, newest first, optionally only those with `approval`.
    async fn list_organizations(
        &self,
        approval: Option<Approval>,
        paging: Paging,
    ) -> Result<Page<Organization>>;
    async fn members(&self, org: OrgId) -> Result<Vec<Member>>;
    /// Approves or rejects a pending buyer, queuing the mail that says so.
    /// `Conflict("not_pending")` if it is not awaiting a decision.
    async fn decide_approval(
        &self,
        org: OrgId,
        approve: bool,
        reason: Option<&str>,
        now: DateTime<Utc>,
        audit: AuditEntry,
        jobs: &[NewJob],
    ) -> Result<()>;
    async fn add_member(
        &self,
        org: OrgId,
        user: UserId,
        role: OrgRole,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()>;
}

/// Supplier profiles, the directory, favourites.
#[async_trait]
pub trait CompanyStore: Send + Sync {
    async fn company_profile(&self, org: OrgId) -> Result<Option<CompanyProfile>>;
    /// Saves a new version, queuing `jobs` (search indexing) with it. With
    /// `expected_version`, fails with `Conflict("stale_version")` if someone
    /// saved in between.
    async fn save_company_profile(
        &self,
        org: OrgId,
        data: &CompanyProfileData,
        expected_version: Option<i64>,
        now: DateTime<Utc>,
        audit: AuditEntry,
        jobs: &[NewJob],
    ) -> Result<i64>;
    /// Up to `limit` profiles of suppliers whose id is above `after`, in id
    /// order (keyset paging: rebuilding the search index streams them all).
    async fn company_profiles_after(&self, after: OrgId, limit: u32)
    -> Result<Vec<CompanyProfile>>;
    async fn profile_versions(&self, org: OrgId) -> Result<Vec<ProfileVersion>>;
    async fn directory(&self, query: &DirectoryQuery) -> Result<Page<CompanySummary>>;
    /// Creates suppliers with their profiles in one transaction (demo data).
    async fn import_companies(
        &self,
        companies: &[CompanyImport],
        now: DateTime<Utc>,
    ) -> Result<u64>;

    async fn add_favourite(&self, user: UserId, org: OrgId, now: DateTime<Utc>) -> Result<()>;
    async fn remove_favourite(&self, user: UserId, org: OrgId) -> Result<()>;
    async fn favourites(&self, user: UserId) -> Result<Vec<CompanySummary>>;

    // Matching (おすすめ) reads everything at once: its callers keep the
    // result in memory and score it there.

    /// Every supplier that may be recommended — a supplier organisation
    /// not pending or rejected, with a profile — in id order, one query.
    async fn matching_suppliers(&self) -> Result<Vec<MatchingSupplier>>;
    /// Every (supplier, tender) pair of an application or nomination, a bid
    /// (withdrawn ones too: the interest was real) or an award, once each,
    /// with the tender's codes and whether the supplier won it; one query.
    async fn participations(&self) -> Result<Vec<Participation>>;
    /// Tenders open to bids or applications at `now` — published,
    /// accepting applications or tendering, with the submission deadline
    /// after `now` — in id order.
    async fn open_tenders(&self, now: DateTime<Utc>) -> Result<Vec<OpenTender>>;
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Newest first; optionally only one actor's entries.
    async fn audit_log(&self, actor: Option<UserId>, paging: Paging) -> Result<Page<AuditRecord>>;
}

/// An invitation to join an organisation, sent by mail.
#[derive(Debug, Clone, PartialEq)]
pub struct Invitation {
    pub id: i64,
    pub organization_id: OrgId,
    pub email: EmailAddress,
    pub role: OrgRole,
    pub invited_by: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// Invitations: an organisation's admin invites people by e-mail.
#[async_trait]
pub trait InvitationStore: Send + Sync {
    /// Stores the invitation (hashed token) and queues its mail.
    #[allow(clippy::too_many_arguments)]
    async fn create_invitation(
        &self,
        org: OrgId,
        email: &EmailAddress,
        role: OrgRole,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
        audit: AuditEntry,
        jobs: &[NewJob],
    ) -> Result<i64>;
    /// The invitation behind a token, if it is unused and unexpired.
    async fn invitation(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Invitation>>;
    /// Uses the invitation: `user` joins with the invited role. `None` if the
    /// token is unknown, used or expired; `Conflict("already_member")` if the
    /// user belongs to an organisation; `Conflict("invitation_email_mismatch")`
    /// if the user's address is not the invited one.
    async fn accept_invitation(
        &self,
        token_hash: &str,
        user: UserId,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<Option<OrgId>>;
    /// Invitations not yet accepted, newest first.
    async fn open_invitations(&self, org: OrgId, now: DateTime<Utc>) -> Result<Vec<Invitation>>;
}
