//! Tenders (案件): posting, the life cycle, amendments (訂正), cancellation
//! (中止), questions, applications and nominations, attachments, favourites.
//!
//! Who may do what to *this* tender is decided here (routes only say
//! "approved buyer" or "supplier"): a buyer acts on its own organisation's
//! tenders; a draft is seen by its buyer alone.

mod attachments;
pub mod bids;
pub mod input;
mod scheduler;
mod view;

use chrono::{DateTime, Utc};
use musubi_domain::tender::{ContractMethod, TenderStatus, Transition, ValidSchedule};
use musubi_domain::{Access, OrgKind, Principal, authz};
use musubi_storage::{
    Application, ApplicationOrigin, ApplicationStatus, Audience, AuditEntry, EventKind, NewEvent,
    NewTransition, NotificationEvent, OrgId, Page, Paging, Question, StorageError, Tender,
    TenderId, TenderQuery, TenderSummary, TenderVersion, TransitionRecord,
};
use serde_json::json;

pub use attachments::{ALLOWED_TYPES, MAX_ATTACHMENT_BYTES, Upload};
pub use bids::{AwardView, BidInput, BidKeys, OwnBid, SubmittedBid, TenderResults};
pub use input::{TenderInput, parse_instant, sanitize_summary};
pub use scheduler::{SchedulerReport, run_scheduler};
pub(crate) use view::public_reserve_price;
pub use view::{QuestionView, TenderView};

/// What the tender page shows (see [`Services::tender_detail`]).
#[derive(Debug, Clone)]
pub struct TenderDetail {
    pub view: TenderView,
    pub versions: Vec<TenderVersion>,
    pub transitions: Vec<TransitionRecord>,
    pub attachments: Vec<musubi_storage::Attachment>,
    pub questions: Vec<QuestionView>,
}

use crate::error::{FieldErrors, ServiceError, ServiceResult};
use crate::{RequestCtx, Services};

/// Longest question or answer, in characters.
pub const MAX_QA_CHARS: usize = 4_000;
/// Longest reason (訂正理由, 中止理由, 非指名理由), in characters.
pub const MAX_REASON_CHARS: usize = 1_000;

fn not_found() -> ServiceError {
    ServiceError::NotFound
}

fn audit(
    action: &str,
    id: Option<TenderId>,
    principal: &Principal,
    ctx: &RequestCtx,
) -> AuditEntry {
    AuditEntry::new(action, "tender", id).by(Some(principal.user_id), ctx.ip.as_deref())
}

fn reason_field(
    field: &'static str,
    label_ja: &str,
    label_en: &str,
    raw: &str,
) -> ServiceResult<String> {
    let mut e = FieldErrors::new();
    e.text(field, label_ja, label_en, raw, MAX_REASON_CHARS);
    e.into_result()?;
    Ok(raw.trim().to_owned())
}

/// A tender's status-dependent refusal, in both languages.
fn refused_status(code: &'static str, status: TenderStatus, ja: &str, en: &str) -> ServiceError {
    ServiceError::refused(
        409,
        code,
        format!("{ja}（現在の状態：{}）", status.name_ja()),
        format!("{en} (current status: {}).", status.name_en()),
    )
}

impl Services {
    fn schedule_of(tender: &Tender) -> ServiceResult<ValidSchedule> {
        ValidSchedule::restore(tender.content.schedule, tender.content.method).map_err(|errors| {
            ServiceError::Internal(format!(
                "tender {} has a stored schedule that breaks the rules: {errors:?}",
                tender.id
            ))
        })
    }

    async fn load(&self, id: TenderId) -> ServiceResult<Tender> {
        self.storage.tender(id).await?.ok_or_else(not_found)
    }

    /// Whether `principal` acts for the tender's buyer.
    fn is_buyer_of(principal: Option<&Principal>, tender: &Tender) -> bool {
        principal
            .and_then(|p| p.membership)
            .is_some_and(|m| m.org_id == tender.buyer)
    }

    /// The tender for a buyer's member about to change it.
    async fn own_tender(&self, principal: &Principal, id: TenderId) -> ServiceResult<Tender> {
        authz::check(Some(principal), Access::ApprovedBuyer)?;
        let tender = self.load(id).await?;
        if !Self::is_buyer_of(Some(principal), &tender) {
            // Someone else's draft does not exist for this caller.
            return Err(if tender.status.is_public() {
                ServiceError::Denied(musubi_domain::Denial::Forbidden("tender_owner_required"))
            } else {
                not_found()
            });
        }
        Ok(tender)
    }

    /// A tender as `principal` may see it: public ones for everyone, drafts
    /// for their buyer and platform admins only.
    pub async fn tender_for(
        &self,
        principal: Option<&Principal>,
        id: TenderId,
    ) -> ServiceResult<Tender> {
        let tender = self.load(id).await?;
        let visible = tender.status.is_public()
            || Self::is_buyer_of(principal, &tender)
            || principal.is_some_and(Principal::is_platform_admin);
        if visible {
            Ok(tender)
        } else {
            Err(not_found())
        }
    }

    /// The tender with what this viewer may see of it (prices sealed until
    /// opening unless published in advance, for everyone but the buyer).
    pub async fn tender_view(
        &self,
        principal: Option<&Principal>,
        id: TenderId,
    ) -> ServiceResult<TenderView> {
        let tender = self.tender_for(principal, id).await?;
        let is_buyer = Self::is_buyer_of(principal, &tender);
        Ok(TenderView::new(tender, is_buyer))
    }

    /// Everything the tender page shows, loading the tender once and the
    /// rest side by side: the view, versions, steps, files and questions.
    pub async fn tender_detail(
        &self,
        principal: Option<&Principal>,
        id: TenderId,
    ) -> ServiceResult<TenderDetail> {
        let tender = self.tender_for(principal, id).await?;
        let is_buyer = Self::is_buyer_of(principal, &tender);
        let (versions, transitions, attachments, questions) = tokio::try_join!(
            self.storage.tender_versions(id),
            self.storage.tender_transitions(id),
            self.storage.attachments(id),
            self.storage.questions(id),
        )?;
        let mut versions = versions;
        for v in &mut versions {
            view::seal_prices(&mut v.content, tender.status, is_buyer);
        }
        let org = principal.and_then(Principal::org_id);
        let questions = questions
            .into_iter()
            .filter_map(|q| QuestionView::for_viewer(q, is_buyer, org))
            .collect();
        Ok(TenderDetail {
            view: TenderView::new(tender, is_buyer),
            versions,
            transitions,
            attachments,
            questions,
        })
    }

    /// Creates a draft from the form.
    pub async fn create_tender(
        &self,
        principal: &Principal,
        input: &TenderInput,
        ctx: &RequestCtx,
    ) -> ServiceResult<TenderId> {
        authz::check(Some(principal), Access::ApprovedBuyer)?;
        let buyer =
            principal
                .org_id()
                .ok_or(ServiceError::Denied(musubi_domain::Denial::Forbidden(
                    "organization_required",
                )))?;
        let now = self.clock.now();
        let content = self.checked_content(input, now, None)?;
        let id = self
            .storage
            .create_tender(
                buyer,
                principal.user_id,
                &content,
                now,
                audit("tender.create", None, principal, ctx),
            )
            .await?;
        Ok(id)
    }

    /// Parses the form and checks the schedule as for a publication now
    /// (drafts and publication), or as an amendment of `published`.
    fn checked_content(
        &self,
        input: &TenderInput,
        now: DateTime<Utc>,
        published: Option<&Tender>,
    ) -> ServiceResult<musubi_domain::tender::TenderContent> {
        let publish_at = published.map_or(now, |t| t.content.schedule.publish_at);
        let mut content = input::parse_content(input, publish_at).map_err(ServiceError::Invalid)?;
        let min_days = self.config.min_publication_days;
        let checked = match published {
            None => content.schedule.validate(content.method, now, min_days),
            Some(t) => {
                if content.method != t.content.method {
                    return Err(ServiceError::field(
                        "method",
                        "method_fixed",
                        "公告後は契約方法を変更できません。中止して新しい案件として公告してください。",
                        "The contract method cannot change after publication; cancel and post a new tender.",
                    ));
                }
                Self::schedule_of(t)?.amend(content.schedule, content.method, now, min_days)
            }
        };
        match checked {
            Ok(valid) => {
                content.schedule = valid.into_schedule();
                Ok(content)
            }
            Err(errors) => {
                let mut e = FieldErrors::new();
                input::schedule_errors(&mut e, &errors);
                Err(ServiceError::Invalid(e))
            }
        }
    }

    /// Saves the form over a draft, or as an amendment (訂正, with its
    /// reason) of a tender whose submissions have not closed.
    pub async fn update_tender(
        &self,
        principal: &Principal,
        id: TenderId,
        input: &TenderInput,
        ctx: &RequestCtx,
    ) -> ServiceResult<Tender> {
        let now = self.clock.now();
        // A deadline that passed a moment ago counts even before the
        // scheduler has closed the tender: after it nothing may change.
        self.advance_tender(id, now).await?;
        let tender = self.own_tender(principal, id).await?;
        use TenderStatus as S;
        match tender.status {
            S::Draft => {
                let content = self.checked_content(input, now, None)?;
                let expected = match input.updated_at.as_deref().map(parse_instant) {
                    Some(Some(t)) => t,
                    _ => tender.updated_at,
                };
                self.storage
                    .update_draft(
                        id,
                        &content,
                        expected,
                        now,
                        audit("tender.update_draft", Some(id), principal, ctx),
                    )
                    .await
                    .map_err(stale)?;
            }
            S::Published | S::AcceptingApplications | S::ApplicationsClosed | S::Tendering => {
                let reason = reason_field(
                    "reason",
                    "訂正理由",
                    "reason for the amendment",
                    &input.reason,
                )?;
                let content = self.checked_content(input, now, Some(&tender))?;
                if content == tender.content {
                    return Err(ServiceError::refused(
                        422,
                        "nothing_changed",
                        "変更された項目がありません。",
                        "Nothing was changed.",
                    ));
                }
                let schedule = ValidSchedule::restore(content.schedule, content.method)
                    .map_err(|e| ServiceError::Internal(format!("{e:?}")))?;
                let changed = tender.content.changed_fields(&content);
                // Participants must not learn even that a sealed price changed.
                let (mut sealed_before, mut sealed_after) =
                    (tender.content.clone(), content.clone());
                view::seal_prices(&mut sealed_before, tender.status, false);
                view::seal_prices(&mut sealed_after, tender.status, false);
                let changed_public = sealed_before.changed_fields(&sealed_after);
                let kind = if tender.content.moves_deadline(&content) {
                    EventKind::TenderDeadlineChanged
                } else {
                    EventKind::TenderAmended
                };
                let version = tender.version + 1;
                let events = [NewEvent {
                    kind,
                    audience: Audience::Participants,
                    detail: json!({
                        "title": content.title,
                        "version": version,
                        "reason": reason,
                        "changed": changed_public,
                        "submission_closes_at": content.schedule.submission_closes_at,
                    }),
                }];
                let expected_version = input.version.unwrap_or(tender.version);
                self.storage
                    .amend_tender(
                        id,
                        &content,
                        &reason,
                        expected_version,
                        tender.status,
                        schedule.next_transition_at(tender.status),
                        principal.user_id,
                        now,
                        &events,
                        audit("tender.amend", Some(id), principal, ctx).detail(
                            json!({"version": version, "changed": changed, "reason": reason}),
                        ),
                        &[crate::search::tender_job(id)],
                    )
                    .await
                    .map_err(stale)?;
                self.wake_scheduler();
                self.wake_worker();
            }
            status => {
                return Err(refused_status(
                    "tender_not_editable",
                    status,
                    "提出締切後の案件は訂正できません。",
                    "A tender cannot be amended after its submission deadline",
                ));
            }
        }
        self.load(id).await
    }

    /// Publishes a draft: 公告日時 is now, the schedule is checked again.
    pub async fn publish_tender(
        &self,
        principal: &Principal,
        id: TenderId,
        ctx: &RequestCtx,
    ) -> ServiceResult<Tender> {
        let tender = self.own_tender(principal, id).await?;
        if tender.status != TenderStatus::Draft {
            return Err(refused_status(
                "not_draft",
                tender.status,
                "この案件は公告済みです。",
                "This tender has already been published",
            ));
        }
        let now = self.clock.now();
        // Re-check the draft as it would be published now: its dates may
        // have come too close meanwhile.
        let mut content = tender.content.clone();
        content.schedule.publish_at = now;
        let valid = content
            .schedule
            .validate(content.method, now, self.config.min_publication_days)
            .map_err(|errors| {
                let mut e = FieldErrors::new();
                input::schedule_errors(&mut e, &errors);
                ServiceError::Invalid(e)
            })?;
        if content.schedule != tender.content.schedule {
            self.storage
                .update_draft(
                    id,
                    &content,
                    tender.updated_at,
                    now,
                    audit("tender.update_draft", Some(id), principal, ctx),
                )
                .await
                .map_err(stale)?;
        }
        let step = NewTransition {
            transition: Transition::Publish,
            at: now,
            actor: Some(principal.user_id),
            reason: None,
        };
        self.storage
            .publish_tender(
                id,
                &step,
                valid.next_transition_at(TenderStatus::Published),
                now,
                audit("tender.publish", Some(id), principal, ctx),
                &[
                    crate::search::tender_job(id),
                    crate::alerts::percolate_job(id),
                ],
            )
            .await
            .map_err(stale)?;
        self.wake_scheduler();
        self.wake_worker();
        // Steps already due (a window opening at publication) happen now.
        self.advance_tender(id, now).await?;
        self.load(id).await
    }

    /// 中止: ends a public tender for good, telling everyone who took part.
    pub async fn cancel_tender(
        &self,
        principal: &Principal,
        id: TenderId,
        reason: &str,
        ctx: &RequestCtx,
    ) -> ServiceResult<Tender> {
        self.advance_tender(id, self.clock.now()).await?;
        let tender = self.own_tender(principal, id).await?;
        let reason = reason_field("reason", "中止理由", "reason for the cancellation", reason)?;
        if let Err(e) = tender.status.apply(Transition::Cancel) {
            return Err(ServiceError::refused(
                409,
                e.code(),
                e.message_ja(),
                e.message_en(),
            ));
        }
        let now = self.clock.now();
        let step = NewTransition {
            transition: Transition::Cancel,
            at: now,
            actor: Some(principal.user_id),
            reason: Some(reason.clone()),
        };
        let events = [NewEvent {
            kind: EventKind::TenderCancelled,
            audience: Audience::Participants,
            detail: json!({ "title": tender.content.title, "reason": reason }),
        }];
        let moved = self
            .storage
            .transition_tender(
                id,
                tender.status,
                &[step],
                None,
                Some(&reason),
                now,
                &events,
                Some(
                    audit("tender.cancel", Some(id), principal, ctx)
                        .detail(json!({ "reason": reason })),
                ),
                &[crate::search::tender_job(id)],
            )
            .await?;
        if !moved {
            return Err(ServiceError::refused(
                409,
                "status_changed",
                "案件の状態が変わりました。画面を更新してもう一度お試しください。",
                "The tender's status changed meanwhile; reload and try again.",
            ));
        }
        self.wake_worker();
        self.load(id).await
    }

    pub async fn tender_versions(
        &self,
        principal: Option<&Principal>,
        id: TenderId,
    ) -> ServiceResult<Vec<TenderVersion>> {
        let tender = self.tender_for(principal, id).await?;
        let is_buyer = Self::is_buyer_of(principal, &tender);
        let mut versions = self.storage.tender_versions(id).await?;
        for v in &mut versions {
            view::seal_prices(&mut v.content, tender.status, is_buyer);
        }
        Ok(versions)
    }

    pub async fn tender_transitions(
        &self,
        principal: Option<&Principal>,
        id: TenderId,
    ) -> ServiceResult<Vec<TransitionRecord>> {
        self.tender_for(principal, id).await?;
        Ok(self.storage.tender_transitions(id).await?)
    }

    // --- lists ----------------------------------------------------------

    /// Public tenders, newest publication first.
    pub async fn list_tenders(&self, query: &TenderQuery) -> ServiceResult<Page<TenderSummary>> {
        let mut query = query.clone();
        query.paging.limit = query.paging.limit.clamp(1, 100);
        Ok(self.storage.list_tenders(&query).await?)
    }

    /// The buyer's own tenders, drafts included.
    pub async fn buyer_tenders(
        &self,
        principal: &Principal,
        paging: Paging,
    ) -> ServiceResult<Page<TenderSummary>> {
        authz::check(Some(principal), Access::ApprovedBuyer)?;
        let org = principal.org_id().ok_or(not_found())?;
        Ok(self.storage.buyer_tenders(org, clamp(paging)).await?)
    }

    /// A supplier's tenders: favourited, applied for, asked about.
    pub async fn my_tenders(
        &self,
        principal: &Principal,
        paging: Paging,
    ) -> ServiceResult<Page<TenderSummary>> {
        authz::check(Some(principal), Access::SignedIn)?;
        Ok(self
            .storage
            .my_tenders(principal.user_id, principal.org_id(), clamp(paging))
            .await?)
    }

    pub async fn notification_events(
        &self,
        principal: &Principal,
        paging: Paging,
    ) -> ServiceResult<Page<NotificationEvent>> {
        authz::check(Some(principal), Access::SignedIn)?;
        Ok(self
            .storage
            .notification_events(principal.user_id, clamp(paging))
            .await?)
    }

    // --- favourites -----------------------------------------------------

    pub async fn favourite_tender(
        &self,
        principal: &Principal,
        id: TenderId,
        on: bool,
    ) -> ServiceResult<()> {
        authz::check(Some(principal), Access::SignedIn)?;
        self.tender_for(Some(principal), id).await?;
        if on {
            self.storage
                .add_tender_favourite(principal.user_id, id, self.clock.now())
                .await?;
        } else {
            self.storage
                .remove_tender_favourite(principal.user_id, id)
                .await?;
        }
        Ok(())
    }

    pub async fn is_favourite_tender(
        &self,
        principal: &Principal,
        id: TenderId,
    ) -> ServiceResult<bool> {
        Ok(self
            .storage
            .is_tender_favourite(principal.user_id, id)
            .await?)
    }

    // --- questions --------------------------------------------------------

    /// Asks privately; allowed until the question deadline.
    pub async fn ask_question(
        &self,
        principal: &Principal,
        id: TenderId,
        question: &str,
        ctx: &RequestCtx,
    ) -> ServiceResult<i64> {
        authz::check(Some(principal), Access::Supplier)?;
        let org = principal.org_id().ok_or(not_found())?;
        let tender = self.tender_for(Some(principal), id).await?;
        let mut e = FieldErrors::new();
        e.text("question", "質問内容", "question", question, MAX_QA_CHARS);
        e.into_result()?;
        let now = self.clock.now();
        if !Self::schedule_of(&tender)?.accepts_questions_at(tender.status, now) {
            return Err(ServiceError::refused(
                409,
                "questions_closed",
                "この案件の質問受付期間は終了しています。",
                "Questions for this tender are closed.",
            ));
        }
        Ok(self
            .storage
            .ask_question(
                id,
                principal.user_id,
                org,
                question.trim(),
                now,
                audit("tender.ask", Some(id), principal, ctx),
            )
            .await?)
    }

    /// Answers a question; the answer is published without the asker.
    pub async fn answer_question(
        &self,
        principal: &Principal,
        id: TenderId,
        question: i64,
        answer: &str,
        ctx: &RequestCtx,
    ) -> ServiceResult<()> {
        let tender = self.own_tender(principal, id).await?;
        let mut e = FieldErrors::new();
        e.text("answer", "回答内容", "answer", answer, MAX_QA_CHARS);
        e.into_result()?;
        if !tender.status.is_public() || tender.status.is_final() {
            return Err(refused_status(
                "tender_not_answerable",
                tender.status,
                "この案件では回答できません。",
                "Questions on this tender can no longer be answered",
            ));
        }
        let asker = self
            .storage
            .questions(id)
            .await?
            .into_iter()
            .find(|q| q.id == question)
            .ok_or_else(not_found)?;
        let events = [NewEvent {
            kind: EventKind::QuestionAnswered,
            audience: Audience::User(asker.asked_by),
            detail: json!({ "title": tender.content.title, "question_id": question }),
        }];
        self.storage
            .answer_question(
                id,
                question,
                answer.trim(),
                principal.user_id,
                self.clock.now(),
                &events,
                audit("tender.answer", Some(id), principal, ctx)
                    .detail(json!({ "question_id": question })),
            )
            .await
            .map_err(|e| match e {
                StorageError::NotFound => not_found(),
                e => e.into(),
            })
    }

    /// Questions as `principal` may see them: answered ones for everyone,
    /// without who asked; the buyer sees all; an asker's organisation also
    /// sees its own unanswered ones.
    pub async fn questions_for(
        &self,
        principal: Option<&Principal>,
        id: TenderId,
    ) -> ServiceResult<Vec<QuestionView>> {
        let tender = self.tender_for(principal, id).await?;
        let is_buyer = Self::is_buyer_of(principal, &tender);
        let org = principal.and_then(Principal::org_id);
        let questions: Vec<Question> = self.storage.questions(id).await?;
        Ok(questions
            .into_iter()
            .filter_map(|q| QuestionView::for_viewer(q, is_buyer, org))
            .collect())
    }

    // --- applications -----------------------------------------------------

    /// 希望申請 / 参加申請: checks eligibility against the supplier's profile
    /// and names each requirement missed.
    pub async fn apply_for_tender(
        &self,
        principal: &Principal,
        id: TenderId,
        ctx: &RequestCtx,
    ) -> ServiceResult<i64> {
        authz::check(Some(principal), Access::Supplier)?;
        let org = principal.org_id().ok_or(not_found())?;
        let now = self.clock.now();
        // A window that opened a moment ago counts even before the
        // scheduler has moved the status.
        self.advance_tender(id, now).await?;
        let tender = self.tender_for(Some(principal), id).await?;
        let schedule = Self::schedule_of(&tender)?;
        let open = match tender.content.method {
            ContractMethod::SelectiveByApplication => {
                schedule.accepts_applications_at(tender.status, now)
            }
            ContractMethod::Selective => {
                return Err(ServiceError::refused(
                    409,
                    "nomination_only",
                    "指名競争の案件には申請できません。発注者が指名します。",
                    "Selective tenders take no applications; the buyer nominates.",
                ));
            }
            // 一般競争・随意契約: 参加表明 until the submission deadline.
            ContractMethod::Open | ContractMethod::Direct => {
                matches!(
                    tender.status,
                    TenderStatus::Published | TenderStatus::Tendering
                ) && now < schedule.submission_closes_at()
            }
        };
        if !open {
            return Err(refused_status(
                "applications_closed",
                tender.status,
                "現在、この案件は参加申請を受け付けていません。",
                "This tender is not accepting applications now",
            ));
        }
        self.check_eligible(&tender, org).await?;
        self.storage
            .create_application(
                id,
                org,
                ApplicationOrigin::Application,
                principal.user_id,
                now,
                &[],
                audit("tender.apply", Some(id), principal, ctx),
            )
            .await
            .map_err(|e| match e {
                StorageError::Conflict(c) if c == "already_applied" => ServiceError::refused(
                    409,
                    "already_applied",
                    "この案件には既に申請済みです。",
                    "Your organisation has already applied for this tender.",
                ),
                e => e.into(),
            })
    }

    /// Whether `supplier` meets the tender's requirements; if not, a 422
    /// listing each one missed.
    async fn check_eligible(&self, tender: &Tender, supplier: OrgId) -> ServiceResult<()> {
        let profile = self.storage.company_profile(supplier).await?.ok_or_else(|| {
            ServiceError::refused(
                422,
                "profile_required",
                "参加申請の前に企業情報（所在地・業種・等級・資格）を登録してください。",
                "Register your company profile (location, industries, grades, certifications) before applying.",
            )
        })?;
        let facts = crate::matching::supplier_facts(&profile.data);
        if let Err(missed) = tender
            .content
            .eligibility
            .check(tender.content.category, &facts)
        {
            let mut e = FieldErrors::new();
            for m in &missed {
                e.add("eligibility", m.code(), m.message_ja(), m.message_en());
            }
            return Err(ServiceError::Invalid(e));
        }
        Ok(())
    }

    /// 指名 / 非指名 of a pending application.
    pub async fn decide_application(
        &self,
        principal: &Principal,
        id: TenderId,
        application: i64,
        accept: bool,
        reason: Option<&str>,
        ctx: &RequestCtx,
    ) -> ServiceResult<()> {
        let tender = self.own_tender(principal, id).await?;
        if tender.status.is_final() || !tender.status.is_public() {
            return Err(refused_status(
                "tender_not_open",
                tender.status,
                "この案件の申請は処理できません。",
                "Applications for this tender can no longer be decided",
            ));
        }
        let reason = match reason.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Some(reason_field("reason", "理由", "reason", r)?),
            None => None,
        };
        let app = self
            .storage
            .applications(id)
            .await?
            .into_iter()
            .find(|a| a.id == application)
            .ok_or_else(not_found)?;
        let (status, kind) = if accept {
            (ApplicationStatus::Accepted, EventKind::ApplicationAccepted)
        } else {
            (ApplicationStatus::Rejected, EventKind::ApplicationRejected)
        };
        let events = [NewEvent {
            kind,
            audience: Audience::Organization(app.supplier),
            detail: json!({
                "title": tender.content.title,
                "application_id": application,
                "reason": reason,
            }),
        }];
        self.storage
            .decide_application(
                id,
                application,
                status,
                reason.as_deref(),
                principal.user_id,
                self.clock.now(),
                &events,
                audit(
                    if accept {
                        "tender.accept"
                    } else {
                        "tender.reject"
                    },
                    Some(id),
                    principal,
                    ctx,
                )
                .detail(json!({ "application_id": application, "supplier": app.supplier })),
            )
            .await
            .map_err(|e| match e {
                StorageError::Conflict(c) if c == "already_decided" => ServiceError::refused(
                    409,
                    "already_decided",
                    "この申請は既に処理済みです。",
                    "This application has already been decided.",
                ),
                StorageError::NotFound => not_found(),
                e => e.into(),
            })
    }

    /// 指名 (指名競争): the buyer names a supplier directly.
    pub async fn nominate_supplier(
        &self,
        principal: &Principal,
        id: TenderId,
        supplier: OrgId,
        ctx: &RequestCtx,
    ) -> ServiceResult<i64> {
        let tender = self.own_tender(principal, id).await?;
        if tender.content.method != ContractMethod::Selective {
            return Err(ServiceError::refused(
                409,
                "not_selective",
                "指名は指名競争の案件でのみ行えます。",
                "Only selective tenders take nominations.",
            ));
        }
        if !matches!(
            tender.status,
            TenderStatus::Published | TenderStatus::Tendering
        ) {
            return Err(refused_status(
                "tender_not_open",
                tender.status,
                "この案件では指名できません。",
                "Suppliers cannot be nominated for this tender now",
            ));
        }
        let org = self.storage.organization(supplier).await?;
        if org.map(|o| o.kind) != Some(OrgKind::Supplier) {
            return Err(ServiceError::field(
                "supplier",
                "supplier_unknown",
                "指名する企業が見つかりません。",
                "No such supplier.",
            ));
        }
        self.check_eligible(&tender, supplier).await?;
        let events = [NewEvent {
            kind: EventKind::Nominated,
            audience: Audience::Organization(supplier),
            detail: json!({ "title": tender.content.title }),
        }];
        self.storage
            .create_application(
                id,
                supplier,
                ApplicationOrigin::Nomination,
                principal.user_id,
                self.clock.now(),
                &events,
                audit("tender.nominate", Some(id), principal, ctx)
                    .detail(json!({ "supplier": supplier })),
            )
            .await
            .map_err(|e| match e {
                StorageError::Conflict(c) if c == "already_applied" => ServiceError::refused(
                    409,
                    "already_applied",
                    "この企業は既に申請済みまたは指名済みです。",
                    "This supplier has already applied or been nominated.",
                ),
                e => e.into(),
            })
    }

    /// Applications as `principal` may see them: all for the buyer, its own
    /// for a supplier, none for anyone else.
    pub async fn applications_for(
        &self,
        principal: &Principal,
        id: TenderId,
    ) -> ServiceResult<Vec<Application>> {
        let tender = self.tender_for(Some(principal), id).await?;
        if Self::is_buyer_of(Some(principal), &tender) || principal.is_platform_admin() {
            return Ok(self.storage.applications(id).await?);
        }
        match principal.org_id() {
            Some(org) => Ok(self
                .storage
                .application_of(id, org)
                .await?
                .into_iter()
                .collect()),
            None => Ok(Vec::new()),
        }
    }

    /// Moves one tender through the steps due at `now` (see the scheduler).
    pub async fn advance_tender(&self, id: TenderId, now: DateTime<Utc>) -> ServiceResult<usize> {
        Ok(scheduler::advance(self, id, now).await?.unwrap_or(0))
    }

    fn wake_scheduler(&self) {
        if let Some(w) = &self.scheduler_wake {
            w.notify_one();
        }
    }
}

fn clamp(mut paging: Paging) -> Paging {
    paging.limit = paging.limit.clamp(1, 100);
    paging
}

fn stale(e: StorageError) -> ServiceError {
    match e {
        StorageError::Conflict(c)
            if c == "stale_version" || c == "status_changed" || c == "not_draft" =>
        {
            ServiceError::refused(
                409,
                "stale_version",
                "他の担当者がこの案件を更新しました。画面を更新して、もう一度お試しください。",
                "Someone else changed this tender meanwhile; reload and try again.",
            )
        }
        e => e.into(),
    }
}
