//! Coordinators (コーディネーター): platform staff who widen matching
//! across regions.
//!
//! - **Dashboard**: the tenders published in the coordinator's prefectures
//!   in the last [`NEW_TENDER_DAYS`] days, and the open ones there that few
//!   registered suppliers are eligible for (counted on the matching
//!   snapshot), fewest first.
//! - **Share to a region**: a tender and a note sent to the best
//!   [`SHARE_RECIPIENTS`] eligible suppliers located in a region (ranked as
//!   おすすめ企業), as a notification each; none there is a clear refusal.
//! - **Recommend a supplier** to a tender's buyer: the buyer sees it on the
//!   tender page, the supplier is told and applies itself.
//! - **Introductions** (紹介) of a supplier to a buyer, and what came of
//!   them: 商談, 受注 with its amount, or nothing.
//! - **KPIs** per coordinator and per region, computed by the store.
//!
//! Coordinators (and platform admins) act on published tenders that are
//! still open (never drafts, nor closed or decided ones).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use musubi_domain::coordination::IntroductionStatus;
use musubi_domain::matching::TenderProfile;
use musubi_domain::tender::{ContractMethod, TenderStatus};
use musubi_domain::{
    Access, FiscalYear, OrgKind, Prefecture, Principal, Region, TaxExclusive, authz,
};
use musubi_storage::{
    AreaTender, Audience, AuditEntry, CoordinationKpis, EventKind, Introduction,
    IntroductionOutcome, NewEvent, NewIntroduction, NewRecommendation, NewShare, Page, Paging,
    Recommendation, Share, StorageError, Tender, TenderId, UserId,
};
use serde_json::json;

use crate::error::{FieldErrors, ServiceError, ServiceResult};
use crate::matching::RecommendedSupplier;
use crate::{RequestCtx, Services};

/// Longest note of a share, recommendation, introduction or outcome.
pub const MAX_NOTE_CHARS: usize = 1_000;
/// "New" on the dashboard: published within this many days.
pub const NEW_TENDER_DAYS: i64 = 14;
/// Open tenders with fewer eligible suppliers than this need a coordinator.
pub const FEW_ELIGIBLE: usize = 5;
/// Most suppliers one share reaches.
pub const SHARE_RECIPIENTS: usize = 30;
/// Most rows of each dashboard list.
pub const DASHBOARD_ROWS: usize = 50;

/// An open tender few suppliers may take part in.
#[derive(Debug, Clone, PartialEq)]
pub struct FewTender {
    pub id: TenderId,
    pub title: String,
    pub buyer_name: String,
    pub status: TenderStatus,
    pub prefecture: Option<Prefecture>,
    pub submission_closes_at: DateTime<Utc>,
    /// Registered suppliers that meet the eligibility (below [`FEW_ELIGIBLE`]).
    pub eligible: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    /// The coordinator's prefectures (empty: everywhere, for an admin
    /// without areas).
    pub areas: Vec<Prefecture>,
    pub new_tenders: Vec<AreaTender>,
    pub few_eligible: Vec<FewTender>,
}

/// A tender as a coordinator works on it.
#[derive(Debug, Clone)]
pub struct CoordinationTender {
    pub tender: Tender,
    /// Whether shares and recommendations are taken now.
    pub open: bool,
    /// Whether it may be shared to a region (open, and suppliers may apply:
    /// not 指名競争).
    pub shareable: bool,
    pub shares: Vec<Share>,
    pub recommendations: Vec<Recommendation>,
    /// おすすめ企業 nationwide, best first.
    pub suggested: Vec<RecommendedSupplier>,
}

/// A share as sent.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareResult {
    pub id: i64,
    pub region: Region,
    pub recipients: Vec<RecommendedSupplier>,
}

/// An introduction as typed.
#[derive(Debug, Clone, Default)]
pub struct IntroductionInput {
    pub buyer: String,
    pub supplier: String,
    /// Empty: not about one tender.
    pub tender: String,
    pub note: String,
}

/// An outcome as typed.
#[derive(Debug, Clone, Default)]
pub struct OutcomeInput {
    pub status: String,
    /// YYYY-MM-DD (Japan date); empty: none.
    pub meeting_on: String,
    /// 受注金額（税抜）, yen; only with `won`.
    pub contract_amount: String,
    pub note: String,
}

/// The period of the KPIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KpiPeriod {
    #[default]
    All,
    /// This 年度 (from 1 April, Japan time).
    FiscalYear,
    /// The last 30 days.
    Days30,
}

impl KpiPeriod {
    pub fn parse(s: &str) -> Option<KpiPeriod> {
        match s.trim() {
            "" | "all" => Some(KpiPeriod::All),
            "fy" => Some(KpiPeriod::FiscalYear),
            "30d" => Some(KpiPeriod::Days30),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            KpiPeriod::All => "all",
            KpiPeriod::FiscalYear => "fy",
            KpiPeriod::Days30 => "30d",
        }
    }

    fn since(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            KpiPeriod::All => None,
            KpiPeriod::Days30 => Some(now - Duration::days(30)),
            KpiPeriod::FiscalYear => FiscalYear::of_instant(now).ok().and_then(|fy| {
                musubi_domain::time::japan_local_to_utc(fy.start().and_hms_opt(0, 0, 0)?)
            }),
        }
    }
}

fn audit(
    action: &str,
    subject: &str,
    id: Option<i64>,
    p: &Principal,
    ctx: &RequestCtx,
) -> AuditEntry {
    AuditEntry::new(action, subject, id).by(Some(p.user_id), ctx.ip.as_deref())
}

fn parse_id(
    e: &mut FieldErrors,
    field: &'static str,
    ja: &str,
    en: &str,
    raw: &str,
) -> Option<i64> {
    match raw.trim().parse::<i64>() {
        Ok(id) if id > 0 => Some(id),
        _ => {
            e.add(
                field,
                "invalid_id",
                format!("{ja}の番号（ID）を正しく入力してください。"),
                format!("Enter the {en}'s id (a number)."),
            );
            None
        }
    }
}

/// Whether coordinators may share or recommend a tender in this state.
fn is_open(t: &Tender, now: DateTime<Utc>) -> bool {
    matches!(
        t.status,
        TenderStatus::Published | TenderStatus::AcceptingApplications | TenderStatus::Tendering
    ) && now < t.content.schedule.submission_closes_at
}

fn not_open(t: &Tender) -> ServiceError {
    ServiceError::refused(
        409,
        "tender_not_open",
        format!(
            "この案件は現在、共有・推薦できません。公告中で提出締切前の案件が対象です。（現在の状態：{}）",
            t.status.name_ja()
        ),
        format!(
            "This tender cannot be shared or recommended now: only published tenders before their submission deadline can (current status: {}).",
            t.status.name_en()
        ),
    )
}

impl Services {
    /// The coordinator's prefectures; empty for a platform admin without
    /// areas (who sees every prefecture).
    async fn coordinator_prefectures(&self, p: &Principal) -> ServiceResult<Vec<Prefecture>> {
        Ok(self.storage.coordinator_areas(p.user_id).await?)
    }

    async fn display_name(&self, user: UserId) -> ServiceResult<String> {
        Ok(self
            .storage
            .user(user)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default())
    }

    /// The coordinator's dashboard.
    pub async fn coordinator_dashboard(&self, p: &Principal) -> ServiceResult<Dashboard> {
        authz::check(Some(p), Access::Coordinator)?;
        let now = self.clock.now();
        let areas = self.coordinator_prefectures(p).await?;
        let (new_tenders, open, candidates) = tokio::join!(
            self.storage.area_tenders(
                &areas,
                now - Duration::days(NEW_TENDER_DAYS),
                DASHBOARD_ROWS as u32
            ),
            self.storage.open_tenders(now),
            self.matching_candidates()
        );
        let (new_tenders, open, candidates) = (new_tenders?, open?, candidates?);
        let in_area =
            |p: Option<Prefecture>| areas.is_empty() || p.is_some_and(|p| areas.contains(&p));
        let mut few_eligible: Vec<FewTender> = open
            .into_iter()
            .filter(|t| in_area(t.content.place.prefecture()))
            .filter_map(|t| {
                let eligible =
                    candidates.eligible_count(&TenderProfile::from(&t.content), FEW_ELIGIBLE);
                (eligible < FEW_ELIGIBLE).then(|| FewTender {
                    id: t.id,
                    title: t.content.title.clone(),
                    buyer_name: t.buyer_name.clone(),
                    status: t.status,
                    prefecture: t.content.place.prefecture(),
                    submission_closes_at: t.content.schedule.submission_closes_at,
                    eligible,
                })
            })
            .collect();
        few_eligible.sort_by_key(|t| (t.eligible, t.submission_closes_at, t.id));
        few_eligible.truncate(DASHBOARD_ROWS);
        Ok(Dashboard {
            areas,
            new_tenders,
            few_eligible,
        })
    }

    /// A public tender for a coordinator (drafts do not exist for them),
    /// caught up with its schedule.
    async fn coordination_target(&self, p: &Principal, id: TenderId) -> ServiceResult<Tender> {
        authz::check(Some(p), Access::Coordinator)?;
        self.advance_tender(id, self.clock.now()).await?;
        let t = self
            .storage
            .tender(id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if !t.status.is_public() {
            return Err(ServiceError::NotFound);
        }
        Ok(t)
    }

    /// A tender with its shares, recommendations and おすすめ企業.
    pub async fn coordination_tender(
        &self,
        p: &Principal,
        id: TenderId,
    ) -> ServiceResult<CoordinationTender> {
        let tender = self.coordination_target(p, id).await?;
        let open = is_open(&tender, self.clock.now());
        let shareable = open && tender.content.method != ContractMethod::Selective;
        let (shares, recommendations) = tokio::try_join!(
            self.storage.tender_shares(id),
            self.storage.tender_recommendations(id)
        )?;
        let suggested = if open {
            self.ranked_suppliers(&tender.content, None, 10).await?
        } else {
            Vec::new()
        };
        Ok(CoordinationTender {
            tender,
            open,
            shareable,
            shares,
            recommendations,
            suggested,
        })
    }

    /// The suppliers a share of the tender to `region` would reach.
    pub async fn share_preview(
        &self,
        p: &Principal,
        id: TenderId,
        region: Region,
    ) -> ServiceResult<Vec<RecommendedSupplier>> {
        let tender = self.coordination_target(p, id).await?;
        self.share_recipients(&tender, region).await
    }

    /// The best eligible suppliers of `region` not reached by an earlier
    /// share of the tender (a supplier is told once).
    async fn share_recipients(
        &self,
        tender: &Tender,
        region: Region,
    ) -> ServiceResult<Vec<RecommendedSupplier>> {
        let already = self.storage.shared_suppliers(tender.id).await?;
        let mut found = self
            .ranked_suppliers(
                &tender.content,
                Some(region),
                SHARE_RECIPIENTS + already.len(),
            )
            .await?;
        found.retain(|s| !already.contains(&s.org_id));
        found.truncate(SHARE_RECIPIENTS);
        Ok(found)
    }

    /// Shares a tender with the suitable suppliers of `region` (a code or
    /// name, e.g. "kyushu_okinawa" or 九州・沖縄), with a note.
    pub async fn share_tender(
        &self,
        p: &Principal,
        id: TenderId,
        region: &str,
        note: &str,
        ctx: &RequestCtx,
    ) -> ServiceResult<ShareResult> {
        let tender = self.coordination_target(p, id).await?;
        let mut e = FieldErrors::new();
        let region = e.take("region", Region::parse(region));
        e.text("note", "メモ（連絡事項）", "note", note, MAX_NOTE_CHARS);
        e.into_result()?;
        let region = region.ok_or_else(|| ServiceError::Internal("region".into()))?;
        let now = self.clock.now();
        if !is_open(&tender, now) {
            return Err(not_open(&tender));
        }
        if tender.content.method == ContractMethod::Selective {
            return Err(ServiceError::refused(
                409,
                "nomination_only",
                "指名競争の案件は企業から申請できないため、地域への共有はできません。発注者への企業推薦をご利用ください。",
                "Suppliers cannot apply for a selective tender, so it cannot be shared; recommend suppliers to the buyer instead.",
            ));
        }
        let recipients = self.share_recipients(&tender, region).await?;
        if recipients.is_empty() {
            return Err(ServiceError::refused(
                422,
                "no_suitable_suppliers",
                format!(
                    "{}には、この案件の参加資格を満たし業種・事業内容が合致する登録企業が（未共有のものを含め）見つかりませんでした。別の地方を選んでください。",
                    region.name_ja()
                ),
                format!(
                    "No registered supplier in {} meets this tender's eligibility and fits its work (or all were already sent it). Choose another region.",
                    region.name_en()
                ),
            ));
        }
        let note = note.trim().to_owned();
        let coordinator = self.display_name(p.user_id).await?;
        let detail = json!({
            "title": tender.content.title,
            "note": note,
            "coordinator_name": coordinator,
            "region": region.code(),
            "region_name": region.name_ja(),
            "buyer_name": tender.buyer_name,
        });
        let events: Vec<NewEvent> = recipients
            .iter()
            .map(|s| NewEvent {
                kind: EventKind::TenderShared,
                audience: Audience::Organization(s.org_id),
                detail: detail.clone(),
            })
            .collect();
        let share = NewShare {
            coordinator: p.user_id,
            tender: id,
            region,
            note,
            recipients: recipients.iter().map(|s| s.org_id).collect(),
        };
        let audit = audit("coordination.share", "coordination_share", None, p, ctx).detail(
            json!({ "tender_id": id, "region": region.code(), "recipients": share.recipients }),
        );
        let share_id = self
            .storage
            .create_share(&share, now, &events, audit)
            .await
            .map_err(|e| match e {
                // Another share of the tender reached them meanwhile.
                StorageError::Conflict(c) if c == "already_shared" => ServiceError::refused(
                    409,
                    "already_shared",
                    "この地域の該当企業には、既にこの案件が共有されています。",
                    "This tender has already been shared with the suitable suppliers of this region.",
                ),
                e => e.into(),
            })?;
        self.wake_worker();
        Ok(ShareResult {
            id: share_id,
            region,
            recipients,
        })
    }

    /// Recommends a supplier to the tender's buyer, with a note; the
    /// supplier must meet the tender's eligibility.
    pub async fn recommend_supplier(
        &self,
        p: &Principal,
        id: TenderId,
        supplier: &str,
        note: &str,
        ctx: &RequestCtx,
    ) -> ServiceResult<i64> {
        let tender = self.coordination_target(p, id).await?;
        let mut e = FieldErrors::new();
        let supplier = parse_id(&mut e, "supplier_id", "企業", "supplier", supplier);
        e.text("note", "メモ（推薦理由）", "note", note, MAX_NOTE_CHARS);
        e.into_result()?;
        let supplier = supplier.ok_or_else(|| ServiceError::Internal("supplier".into()))?;
        let now = self.clock.now();
        if !is_open(&tender, now) {
            return Err(not_open(&tender));
        }
        let org = self.storage.organization(supplier).await?;
        let profile = match org {
            Some(o) if o.kind == OrgKind::Supplier => {
                self.storage.company_profile(supplier).await?
            }
            _ => None,
        };
        let Some(profile) = profile else {
            return Err(ServiceError::field(
                "supplier_id",
                "not_a_supplier",
                "企業情報が登録された受注者（登録企業）の番号を指定してください。",
                "Give the id of a supplier company with a registered profile.",
            ));
        };
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
        let note = note.trim().to_owned();
        let coordinator = self.display_name(p.user_id).await?;
        let supplier_name = profile.organization.name.clone();
        let events = [
            NewEvent {
                kind: EventKind::SupplierRecommended,
                audience: Audience::Organization(tender.buyer),
                detail: json!({
                    "title": tender.content.title,
                    "note": note,
                    "coordinator_name": coordinator,
                    "supplier_id": supplier,
                    "supplier_name": supplier_name,
                }),
            },
            NewEvent {
                kind: EventKind::RecommendedToApply,
                audience: Audience::Organization(supplier),
                detail: json!({
                    "title": tender.content.title,
                    "note": note,
                    "coordinator_name": coordinator,
                    "buyer_name": tender.buyer_name,
                }),
            },
        ];
        let rec = NewRecommendation {
            coordinator: p.user_id,
            tender: id,
            supplier,
            region: profile.data.prefecture.region(),
            note,
        };
        let audit = audit(
            "coordination.recommend",
            "coordination_recommendation",
            None,
            p,
            ctx,
        )
        .detail(json!({ "tender_id": id, "supplier_id": supplier }));
        let rec_id = self
            .storage
            .create_recommendation(&rec, now, &events, audit)
            .await
            .map_err(|e| match e {
                StorageError::Conflict(c) if c == "already_recommended" => ServiceError::refused(
                    409,
                    "already_recommended",
                    "この企業は既にこの案件に推薦されています。",
                    "This supplier has already been recommended for this tender.",
                ),
                e => e.into(),
            })?;
        self.wake_worker();
        Ok(rec_id)
    }

    /// コーディネーターからの推薦 for the tender page: for the tender's
    /// buyer and coordinators; `None` for everyone else.
    pub async fn coordinator_recommendations(
        &self,
        p: Option<&Principal>,
        tender: &Tender,
    ) -> ServiceResult<Option<Vec<Recommendation>>> {
        let Some(p) = p else { return Ok(None) };
        let allowed = p.org_id() == Some(tender.buyer) || p.is_coordinator();
        if !allowed || !tender.status.is_public() {
            return Ok(None);
        }
        Ok(Some(self.storage.tender_recommendations(tender.id).await?))
    }

    /// Records an introduction of a supplier to a buyer (optionally about
    /// one of the buyer's tenders).
    pub async fn create_introduction(
        &self,
        p: &Principal,
        input: &IntroductionInput,
        ctx: &RequestCtx,
    ) -> ServiceResult<i64> {
        authz::check(Some(p), Access::Coordinator)?;
        let mut e = FieldErrors::new();
        let buyer = parse_id(&mut e, "buyer_id", "発注者", "buyer", &input.buyer);
        let supplier = parse_id(&mut e, "supplier_id", "企業", "supplier", &input.supplier);
        let tender = if input.tender.trim().is_empty() {
            None
        } else {
            parse_id(&mut e, "tender_id", "案件", "tender", &input.tender)
        };
        e.text(
            "note",
            "メモ（紹介の内容）",
            "note",
            &input.note,
            MAX_NOTE_CHARS,
        );
        let b = match buyer {
            Some(id) => self.storage.organization(id).await?,
            None => None,
        };
        if buyer.is_some() && !b.as_ref().is_some_and(|o| o.kind.is_buyer()) {
            e.add(
                "buyer_id",
                "not_a_buyer",
                "発注者（発注機関・発注企業）の番号を指定してください。",
                "Give the id of a buyer organisation.",
            );
        }
        let s = match supplier {
            Some(id) => self.storage.organization(id).await?,
            None => None,
        };
        if supplier.is_some() && s.as_ref().is_none_or(|o| o.kind != OrgKind::Supplier) {
            e.add(
                "supplier_id",
                "not_a_supplier",
                "受注者（登録企業）の番号を指定してください。",
                "Give the id of a supplier company.",
            );
        }
        if let (Some(t), Some(b)) = (tender, buyer) {
            let found = self.storage.tender(t).await?;
            if !found.is_some_and(|t| t.status.is_public() && t.buyer == b) {
                e.add(
                    "tender_id",
                    "tender_not_of_buyer",
                    "指定した発注者が公告した案件の番号を指定してください（空欄も可）。",
                    "Give a published tender of that buyer (or leave it empty).",
                );
            }
        }
        e.into_result()?;
        let (Some(buyer), Some(supplier)) = (buyer, supplier) else {
            return Err(ServiceError::Internal("introduction ids".into()));
        };
        let region = self
            .storage
            .company_profile(supplier)
            .await?
            .map(|c| c.data.prefecture.region());
        let intro = NewIntroduction {
            coordinator: p.user_id,
            buyer,
            supplier,
            tender,
            region,
            note: input.note.trim().to_owned(),
        };
        let audit = audit(
            "coordination.introduce",
            "coordination_introduction",
            None,
            p,
            ctx,
        )
        .detail(json!({ "buyer_id": buyer, "supplier_id": supplier, "tender_id": tender }));
        Ok(self
            .storage
            .create_introduction(&intro, self.clock.now(), audit)
            .await?)
    }

    /// An introduction, for its coordinator or a platform admin.
    pub async fn introduction_for(&self, p: &Principal, id: i64) -> ServiceResult<Introduction> {
        authz::check(Some(p), Access::Coordinator)?;
        let intro = self
            .storage
            .introduction(id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if intro.coordinator != p.user_id && !p.is_platform_admin() {
            return Err(ServiceError::NotFound);
        }
        Ok(intro)
    }

    /// Records what came of an introduction: 商談 held (with its date),
    /// 受注 (with the amount, 税抜) or not successful. Only forward.
    pub async fn record_introduction_outcome(
        &self,
        p: &Principal,
        id: i64,
        input: &OutcomeInput,
        ctx: &RequestCtx,
    ) -> ServiceResult<Introduction> {
        let intro = self.introduction_for(p, id).await?;
        let today = musubi_domain::time::japan_date(self.clock.now());
        let mut e = FieldErrors::new();
        let status = match IntroductionStatus::parse(&input.status) {
            Ok(s) => Some(s),
            Err(_) => {
                e.add(
                    "status",
                    "invalid_status",
                    "結果（商談実施・受注・不成立）を選択してください。",
                    "Choose an outcome: meeting_held, won or lost.",
                );
                None
            }
        };
        let meeting_on = if input.meeting_on.trim().is_empty() {
            None
        } else {
            match NaiveDate::parse_from_str(input.meeting_on.trim(), "%Y-%m-%d") {
                Ok(d) if d <= today => Some(d),
                Ok(_) => {
                    e.add(
                        "meeting_on",
                        "date_in_future",
                        "商談日には今日以前の日付を入力してください。",
                        "The meeting date cannot be in the future.",
                    );
                    None
                }
                Err(_) => {
                    e.add(
                        "meeting_on",
                        "invalid_date",
                        "商談日は「2026-04-01」の形式で入力してください。",
                        "Enter the meeting date as YYYY-MM-DD.",
                    );
                    None
                }
            }
        };
        let amount = if input.contract_amount.trim().is_empty() {
            None
        } else {
            e.take(
                "contract_amount",
                TaxExclusive::parse(&input.contract_amount),
            )
            .map(|a| a.amount().amount())
        };
        let outcome_note = input.note.trim();
        if outcome_note.chars().count() > MAX_NOTE_CHARS {
            e.add(
                "note",
                "too_long",
                format!("メモは{MAX_NOTE_CHARS}文字以内で入力してください。"),
                format!("The note must be at most {MAX_NOTE_CHARS} characters."),
            );
        }
        match status {
            Some(IntroductionStatus::Introduced) => e.add(
                "status",
                "invalid_status",
                "結果（商談実施・受注・不成立）を選択してください。",
                "Choose an outcome: meeting_held, won or lost.",
            ),
            Some(IntroductionStatus::MeetingHeld)
                if meeting_on.is_none() && e.get("meeting_on").is_none() =>
            {
                e.add(
                    "meeting_on",
                    "required",
                    "商談日を入力してください。",
                    "Enter the date of the meeting.",
                )
            }
            Some(IntroductionStatus::Won)
                if amount.is_none() && e.get("contract_amount").is_none() =>
            {
                e.add(
                    "contract_amount",
                    "required",
                    "受注金額（税抜）を入力してください。",
                    "Enter the contract amount (excluding tax).",
                )
            }
            _ => {}
        }
        if let Some(a) = amount {
            if a <= 0 {
                e.add(
                    "contract_amount",
                    "amount_not_positive",
                    "受注金額には1円以上を入力してください。",
                    "The contract amount must be at least ¥1.",
                );
            } else if status != Some(IntroductionStatus::Won) {
                e.add(
                    "contract_amount",
                    "amount_only_when_won",
                    "受注金額は結果が「受注」のときだけ入力してください。",
                    "Enter an amount only when the outcome is won.",
                );
            }
        }
        e.into_result()?;
        let status = status.ok_or_else(|| ServiceError::Internal("status".into()))?;
        if !intro.status.may_become(status) {
            return Err(ServiceError::refused(
                409,
                "outcome_not_allowed",
                format!(
                    "この紹介の結果は「{}」から「{}」に変更できません（結果は先へのみ進み、受注・不成立は確定です）。",
                    intro.status.name_ja(),
                    status.name_ja()
                ),
                format!(
                    "This introduction cannot go from {} to {} (outcomes only move forward; won and lost are final).",
                    intro.status.name_en(),
                    status.name_en()
                ),
            ));
        }
        let outcome = IntroductionOutcome {
            status,
            // A date recorded earlier stays unless a new one is given.
            meeting_on: meeting_on.or(intro.meeting_on),
            contract_amount: amount,
            // So does the note: a blank field adds nothing, it erases nothing.
            outcome_note: (!outcome_note.is_empty())
                .then(|| outcome_note.to_owned())
                .or_else(|| intro.outcome_note.clone()),
        };
        let audit = audit(
            "coordination.outcome",
            "coordination_introduction",
            Some(id),
            p,
            ctx,
        )
        .detail(
            json!({ "from": intro.status.code(), "to": status.code(), "contract_amount": amount }),
        );
        self.storage
            .record_introduction_outcome(id, intro.status, &outcome, self.clock.now(), audit)
            .await
            .map_err(|e| match e {
                StorageError::Conflict(c) if c == "stale_status" => ServiceError::refused(
                    409,
                    "stale_version",
                    "他の操作でこの紹介の結果が更新されました。画面を更新して、もう一度お試しください。",
                    "The outcome was changed meanwhile; reload and try again.",
                ),
                e => e.into(),
            })?;
        self.introduction_for(p, id).await
    }

    /// Introductions, newest first: the caller's own, or (platform admins,
    /// `all`) everyone's.
    pub async fn introductions_for(
        &self,
        p: &Principal,
        all: bool,
        paging: Paging,
    ) -> ServiceResult<Page<Introduction>> {
        authz::check(Some(p), Access::Coordinator)?;
        let who = if all && p.is_platform_admin() {
            None
        } else {
            Some(p.user_id)
        };
        let mut paging = paging;
        paging.limit = paging.limit.clamp(1, 100);
        Ok(self.storage.introductions(who, paging).await?)
    }

    /// KPIs per coordinator and per region over `period`.
    pub async fn coordination_kpis(
        &self,
        p: &Principal,
        period: KpiPeriod,
    ) -> ServiceResult<CoordinationKpis> {
        authz::check(Some(p), Access::Coordinator)?;
        let since = period.since(self.clock.now());
        Ok(self.storage.coordination_kpis(since).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kpi_periods_parse_and_start_where_they_say() {
        assert_eq!(KpiPeriod::parse(""), Some(KpiPeriod::All));
        assert_eq!(KpiPeriod::parse("fy"), Some(KpiPeriod::FiscalYear));
        assert_eq!(KpiPeriod::parse("year"), None);
        // 2026-11-22 JST is in 年度 2026, which began 2026-04-01 00:00 JST.
        let now = DateTime::parse_from_rfc3339("2026-11-22T03:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            KpiPeriod::FiscalYear.since(now).unwrap().to_rfc3339(),
            "2026-03-31T15:00:00+00:00"
        );
        assert_eq!(KpiPeriod::All.since(now), None);
    }
}
