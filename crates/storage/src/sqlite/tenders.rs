//! Placeholder until the real implementation lands (being written now).
use super::SqliteStore;
use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musubi_domain::tender::{TenderContent, TenderStatus};

#[async_trait]
impl TenderStore for SqliteStore {
    #[allow(clippy::too_many_arguments)]
    async fn create_tender(
        &self,
        _buyer: OrgId,
        _creator: UserId,
        _content: &TenderContent,
        _now: DateTime<Utc>,
        _audit: AuditEntry,
    ) -> Result<TenderId> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn tender(&self, _id: TenderId) -> Result<Option<Tender>> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn update_draft(
        &self,
        _id: TenderId,
        _content: &TenderContent,
        _expected_updated_at: DateTime<Utc>,
        _now: DateTime<Utc>,
        _audit: AuditEntry,
    ) -> Result<()> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn publish_tender(
        &self,
        _id: TenderId,
        _transition: &NewTransition,
        _next_transition_at: Option<DateTime<Utc>>,
        _now: DateTime<Utc>,
        _audit: AuditEntry,
        _jobs: &[NewJob],
    ) -> Result<()> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn amend_tender(
        &self,
        _id: TenderId,
        _content: &TenderContent,
        _reason: &str,
        _expected_version: i64,
        _expected_status: TenderStatus,
        _next_transition_at: Option<DateTime<Utc>>,
        _actor: UserId,
        _now: DateTime<Utc>,
        _events: &[NewEvent],
        _audit: AuditEntry,
        _jobs: &[NewJob],
    ) -> Result<i64> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn transition_tender(
        &self,
        _id: TenderId,
        _expected_status: TenderStatus,
        _steps: &[NewTransition],
        _next_transition_at: Option<DateTime<Utc>>,
        _cancel_reason: Option<&str>,
        _now: DateTime<Utc>,
        _events: &[NewEvent],
        _audit: Option<AuditEntry>,
        _jobs: &[NewJob],
    ) -> Result<bool> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn due_tenders(&self, _now: DateTime<Utc>, _limit: u32) -> Result<Vec<TenderId>> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn next_transition_at(&self) -> Result<Option<DateTime<Utc>>> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn tender_versions(&self, _id: TenderId) -> Result<Vec<TenderVersion>> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn tender_transitions(&self, _id: TenderId) -> Result<Vec<TransitionRecord>> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn list_tenders(&self, _query: &TenderQuery) -> Result<Page<TenderSummary>> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn buyer_tenders(&self, _buyer: OrgId, _paging: Paging) -> Result<Page<TenderSummary>> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn ask_question(
        &self,
        _tender: TenderId,
        _asker: UserId,
        _asker_org: OrgId,
        _question: &str,
        _now: DateTime<Utc>,
        _audit: AuditEntry,
    ) -> Result<i64> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn answer_question(
        &self,
        _tender: TenderId,
        _question: i64,
        _answer: &str,
        _actor: UserId,
        _now: DateTime<Utc>,
        _events: &[NewEvent],
        _audit: AuditEntry,
    ) -> Result<()> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn questions(&self, _tender: TenderId) -> Result<Vec<Question>> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn create_application(
        &self,
        _tender: TenderId,
        _supplier: OrgId,
        _origin: ApplicationOrigin,
        _actor: UserId,
        _now: DateTime<Utc>,
        _events: &[NewEvent],
        _audit: AuditEntry,
    ) -> Result<i64> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn decide_application(
        &self,
        _tender: TenderId,
        _application: i64,
        _status: ApplicationStatus,
        _reason: Option<&str>,
        _actor: UserId,
        _now: DateTime<Utc>,
        _events: &[NewEvent],
        _audit: AuditEntry,
    ) -> Result<()> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn applications(&self, _tender: TenderId) -> Result<Vec<Application>> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn application_of(
        &self,
        _tender: TenderId,
        _supplier: OrgId,
    ) -> Result<Option<Application>> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn add_attachment(
        &self,
        _tender: TenderId,
        _attachment: &NewAttachment,
        _actor: UserId,
        _now: DateTime<Utc>,
        _audit: AuditEntry,
    ) -> Result<i64> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn attachments(&self, _tender: TenderId) -> Result<Vec<Attachment>> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn attachment(&self, _tender: TenderId, _id: i64) -> Result<Option<Attachment>> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn add_tender_favourite(
        &self,
        _user: UserId,
        _tender: TenderId,
        _now: DateTime<Utc>,
    ) -> Result<()> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn remove_tender_favourite(&self, _user: UserId, _tender: TenderId) -> Result<()> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn is_tender_favourite(&self, _user: UserId, _tender: TenderId) -> Result<bool> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn my_tenders(
        &self,
        _user: UserId,
        _org: Option<OrgId>,
        _paging: Paging,
    ) -> Result<Page<TenderSummary>> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn notification_events(
        &self,
        _user: UserId,
        _paging: Paging,
    ) -> Result<Page<NotificationEvent>> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
    #[allow(clippy::too_many_arguments)]
    async fn import_tenders(&self, _tenders: &[TenderImport]) -> Result<u64> {
        Err(StorageError::Conflict("not_implemented".into()))
    }
}
