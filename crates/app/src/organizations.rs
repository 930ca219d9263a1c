//! Organisations: creating one (its creator becomes its admin), editing it,
//! members, and the platform admin's approval of buyers.

use musubi_domain::{Access, Approval, CorporateNumber, OrgKind, Principal};
use musubi_storage::{
    AuditEntry, Member, NewOrganization, OrgId, Organization, Page, Paging, StorageError,
};

use crate::error::{FieldErrors, ServiceError, ServiceResult};
use crate::mail::{MailLang, OutgoingMail, mail_job};
use crate::{RequestCtx, Services};

#[derive(Debug, Clone, Default)]
pub struct OrganizationInput {
    pub kind: String,
    pub name: String,
    pub name_kana: String,
    pub corporate_number: String,
}

/// Full-width katakana (hiragana is converted), long vowel mark, middle dot
/// and spaces: how 法人番号公表サイト writes furigana.
pub fn normalise_kana(input: &str) -> Option<String> {
    let s: String = input
        .trim()
        .chars()
        .map(|c| match c {
            'ぁ'..='ゖ' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            ' ' => '　',
            c => c,
        })
        .collect();
    let ok = !s.is_empty()
        && s.chars()
            .all(|c| matches!(c, 'ァ'..='ヺ' | 'ー' | '・' | '　' | 'ヽ' | 'ヾ'));
    ok.then_some(s)
}

fn validate(input: &OrganizationInput) -> ServiceResult<NewOrganization> {
    let mut errors = FieldErrors::new();
    let kind = errors.take("kind", OrgKind::parse(&input.kind));
    errors.text("name", "名称", "name", &input.name, 100);
    let kana = if input.name_kana.trim().is_empty() {
        errors.add(
            "name_kana",
            "required",
            "フリガナを入力してください。",
            "Please enter the name's reading in katakana.",
        );
        None
    } else if input.name_kana.trim().chars().count() > 100 {
        errors.add(
            "name_kana",
            "too_long",
            "フリガナは100文字以内で入力してください。",
            "The reading must be at most 100 characters.",
        );
        None
    } else {
        let k = normalise_kana(&input.name_kana);
        if k.is_none() {
            errors.add(
                "name_kana",
                "kana_invalid",
                "フリガナは全角カタカナで入力してください。",
                "Write the reading in katakana.",
            );
        }
        k
    };
    let corporate_number = if input.corporate_number.trim().is_empty() {
        if kind == Some(OrgKind::Supplier) || kind == Some(OrgKind::PrivateCompany) {
            errors.add(
                "corporate_number",
                "required",
                "法人番号（13桁）を入力してください。",
                "Please enter the 13-digit corporate number.",
            );
        }
        None
    } else {
        errors.take(
            "corporate_number",
            CorporateNumber::parse(&input.corporate_number),
        )
    };
    errors.into_result()?;
    Ok(NewOrganization {
        kind: kind.expect("checked"),
        name: input.name.trim().to_owned(),
        name_kana: kana.expect("checked"),
        corporate_number,
    })
}

fn conflict_to_field(e: StorageError) -> ServiceError {
    match e {
        StorageError::Conflict(c) if c == "corporate_number_taken" => ServiceError::field(
            "corporate_number",
            "corporate_number_taken",
            "この法人番号の組織は既に登録されています。組織の管理者に招待を依頼してください。",
            "An organisation with this corporate number is already registered. Ask its administrator to invite you.",
        ),
        StorageError::Conflict(c) if c == "already_member" => ServiceError::refused(
            409,
            "already_member",
            "既に組織に所属しています。利用者は一つの組織に所属できます。",
            "You already belong to an organisation; a person acts for one organisation.",
        ),
        e => e.into(),
    }
}

impl Services {
    pub async fn create_organization(
        &self,
        principal: &Principal,
        input: &OrganizationInput,
        ctx: &RequestCtx,
    ) -> ServiceResult<OrgId> {
        musubi_domain::authz::check(Some(principal), Access::SignedIn)?;
        let org = validate(input)?;
        if principal.membership.is_some() {
            return Err(conflict_to_field(StorageError::Conflict(
                "already_member".into(),
            )));
        }
        let audit = AuditEntry::new("org.create", "organization", None)
            .by(Some(principal.user_id), ctx.ip.as_deref())
            .detail(serde_json::json!({ "kind": org.kind.code(), "name": org.name }));
        self.storage
            .create_organization(&org, principal.user_id, self.clock.now(), audit)
            .await
            .map_err(conflict_to_field)
    }

    pub async fn organization(&self, id: OrgId) -> ServiceResult<Organization> {
        self.storage
            .organization(id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    pub async fn update_organization(
        &self,
        principal: &Principal,
        id: OrgId,
        name: &str,
        name_kana: &str,
        ctx: &RequestCtx,
    ) -> ServiceResult<()> {
        let org = self.organization(id).await?;
        if !principal.is_admin_of(id) {
            return Err(ServiceError::Denied(musubi_domain::Denial::Forbidden(
                "org_admin_required",
            )));
        }
        let input = OrganizationInput {
            kind: org.kind.code().to_owned(),
            name: name.to_owned(),
            name_kana: name_kana.to_owned(),
            corporate_number: org
                .corporate_number
                .map(|c| c.to_string())
                .unwrap_or_default(),
        };
        let valid = validate(&input)?;
        let audit = AuditEntry::new("org.update", "organization", Some(id))
            .by(Some(principal.user_id), ctx.ip.as_deref())
            .detail(serde_json::json!({ "name": valid.name, "name_kana": valid.name_kana }));
        // The name is in the search index: the supplier's entry, or every
        // tender of the buyer.
        self.storage
            .update_organization(
                id,
                &valid.name,
                &valid.name_kana,
                self.clock.now(),
                audit,
                &[crate::search::company_job(id)],
            )
            .await?;
        self.wake_worker();
        Ok(())
    }

    /// Members of an organisation: visible to its members and platform admins.
    pub async fn members(&self, principal: &Principal, id: OrgId) -> ServiceResult<Vec<Member>> {
        if principal.org_id() != Some(id) && !principal.is_platform_admin() {
            return Err(ServiceError::Denied(musubi_domain::Denial::Forbidden(
                "not_a_member",
            )));
        }
        Ok(self.storage.members(id).await?)
    }

    pub async fn organizations(
        &self,
        principal: &Principal,
        approval: Option<Approval>,
        paging: Paging,
    ) -> ServiceResult<Page<Organization>> {
        musubi_domain::authz::check(Some(principal), Access::PlatformAdmin)?;
        Ok(self.storage.list_organizations(approval, paging).await?)
    }

    /// Approves or rejects a pending buyer and tells its administrators by mail.
    pub async fn decide_buyer(
        &self,
        principal: &Principal,
        id: OrgId,
        approve: bool,
        reason: &str,
        ctx: &RequestCtx,
    ) -> ServiceResult<()> {
        musubi_domain::authz::check(Some(principal), Access::PlatformAdmin)?;
        let org = self.organization(id).await?;
        let reason = reason.trim();
        if !approve && reason.is_empty() {
            return Err(ServiceError::field(
                "reason",
                "required",
                "否認の理由を入力してください。理由は申請者にメールで通知されます。",
                "Please give the reason for the rejection; it is sent to the applicant.",
            ));
        }
        if reason.chars().count() > 1000 {
            return Err(ServiceError::field(
                "reason",
                "too_long",
                "理由は1000文字以内で入力してください。",
                "The reason must be at most 1000 characters.",
            ));
        }
        let admins: Vec<Member> = self
            .storage
            .members(id)
            .await?
            .into_iter()
            .filter(|m| m.role == musubi_domain::OrgRole::Admin)
            .collect();
        let mut jobs = Vec::new();
        for admin in &admins {
            let user = self.storage.user(admin.user_id).await?;
            let lang = if user.as_ref().is_some_and(|u| u.locale == "en") {
                MailLang::En
            } else {
                MailLang::Ja
            };
            let (subject, body) = decision_mail(
                lang,
                &admin.display_name,
                &org.name,
                approve,
                reason,
                &self.config.base_url,
            );
            let mail = OutgoingMail::new(
                if approve {
                    "org-approved"
                } else {
                    "org-rejected"
                },
                admin.email.as_str(),
                subject,
                body,
                lang,
            );
            jobs.push(mail_job(&mail));
        }
        let audit = AuditEntry::new(
            if approve { "org.approve" } else { "org.reject" },
            "organization",
            Some(id),
        )
        .by(Some(principal.user_id), ctx.ip.as_deref())
        .detail(serde_json::json!({ "reason": reason }));
        let reason = (!reason.is_empty()).then_some(reason);
        match self
            .storage
            .decide_approval(id, approve, reason, self.clock.now(), audit, &jobs)
            .await
        {
            Ok(()) => {
                self.wake_worker();
                Ok(())
            }
            Err(StorageError::Conflict(c)) if c == "not_pending" => Err(ServiceError::refused(
                409,
                "not_pending",
                "この組織は承認待ちではありません。",
                "This organisation is not awaiting approval.",
            )),
            Err(e) => Err(e.into()),
        }
    }
}

fn decision_mail(
    lang: MailLang,
    name: &str,
    org: &str,
    approve: bool,
    reason: &str,
    base_url: &str,
) -> (String, String) {
    match (lang, approve) {
        (MailLang::Ja, true) => (
            "【結び】発注機関登録の承認のお知らせ".to_owned(),
            format!(
                "{name} 様\n\n「{org}」の発注機関としての登録を承認しました。\n案件の公示を行うことができます。\n\n{base_url}/account\n\n\
                 ――――――――――――――――\n結び（Musubi）運営事務局\n※このメールは送信専用です。"
            ),
        ),
        (MailLang::Ja, false) => (
            "【結び】発注機関登録の審査結果のお知らせ".to_owned(),
            format!(
                "{name} 様\n\n「{org}」の発注機関としての登録申請について審査いたしましたが、\n以下の理由により承認を見送らせていただきました。\n\n\
                 【理由】\n{reason}\n\n内容をご確認のうえ、必要に応じて運営事務局までお問い合わせください。\n\n\
                 ――――――――――――――――\n結び（Musubi）運営事務局\n※このメールは送信専用です。"
            ),
        ),
        (MailLang::En, true) => (
            "[Musubi] Your buyer organisation is approved".to_owned(),
            format!(
                "Dear {name},\n\n\"{org}\" has been approved as a buyer organisation. You can now publish tenders.\n\n{base_url}/account\n\n\
                 -- \nMusubi office (this address does not receive replies)"
            ),
        ),
        (MailLang::En, false) => (
            "[Musubi] Decision on your buyer organisation".to_owned(),
            format!(
                "Dear {name},\n\nWe have reviewed the registration of \"{org}\" as a buyer organisation and could not approve it, for this reason:\n\n\
                 {reason}\n\nPlease contact the Musubi office if you have questions.\n\n\
                 -- \nMusubi office (this address does not receive replies)"
            ),
        ),
    }
}

/// How long an invitation link stays valid.
pub const INVITATION_DAYS: i64 = 7;

impl Services {
    /// An organisation's admin invites someone by e-mail.
    pub async fn invite(
        &self,
        principal: &Principal,
        org: OrgId,
        email: &str,
        role: &str,
        ctx: &RequestCtx,
    ) -> ServiceResult<i64> {
        let organization = self.organization(org).await?;
        if !principal.is_admin_of(org) {
            return Err(ServiceError::Denied(musubi_domain::Denial::Forbidden(
                "org_admin_required",
            )));
        }
        let mut errors = FieldErrors::new();
        let email = errors.take("email", musubi_domain::EmailAddress::parse(email));
        let role = errors.take("role", musubi_domain::OrgRole::parse(role));
        errors.into_result()?;
        let (email, role) = (email.expect("checked"), role.expect("checked"));
        let token = crate::secrets::new_token("");
        let link = format!("{}/invitations/accept?token={token}", self.config.base_url);
        let inviter = self
            .storage
            .user(principal.user_id)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default();
        let org_name = &organization.name;
        let subject = format!("【結び】{org_name}からの招待 / Invitation from {org_name}");
        let body = format!(
            "{inviter} 様から、結び（Musubi）で「{org_name}」の{role_ja}として参加するよう招待されました。\n\
             以下のリンクを開き、ログイン（未登録の方は利用者登録）のうえ、招待をお受けください。\n\n{link}\n\n\
             このリンクの有効期限は{INVITATION_DAYS}日間です。お心当たりのない場合は、このメールを破棄してください。\n\n\
             ――――――――――――――――\n\
             {inviter} has invited you to join \"{org_name}\" on Musubi as {role_en}.\n\
             Open the link above, sign in (or register), and accept the invitation. The link is valid for {INVITATION_DAYS} days.\n\n\
             結び（Musubi）運営事務局 / Musubi office",
            role_ja = role.name_ja(),
            role_en = role.name_en(),
        );
        let mail = OutgoingMail::new("invitation", email.as_str(), subject, body, MailLang::Ja);
        let now = self.clock.now();
        let audit = AuditEntry::new("org.invite", "organization", Some(org))
            .by(Some(principal.user_id), ctx.ip.as_deref())
            .detail(serde_json::json!({ "email": email.as_str(), "role": role.code() }));
        let id = self
            .storage
            .create_invitation(
                org,
                &email,
                role,
                &crate::secrets::token_digest(&token),
                now + chrono::Duration::days(INVITATION_DAYS),
                now,
                audit,
                &[mail_job(&mail)],
            )
            .await?;
        self.wake_worker();
        Ok(id)
    }

    pub async fn open_invitations(
        &self,
        principal: &Principal,
        org: OrgId,
    ) -> ServiceResult<Vec<musubi_storage::Invitation>> {
        if !principal.is_admin_of(org) {
            return Err(ServiceError::Denied(musubi_domain::Denial::Forbidden(
                "org_admin_required",
            )));
        }
        Ok(self.storage.open_invitations(org, self.clock.now()).await?)
    }

    /// The invitation behind a link, with its organisation (for the accept page).
    pub async fn invitation(
        &self,
        token: &str,
    ) -> ServiceResult<(musubi_storage::Invitation, Organization)> {
        let inv = self
            .storage
            .invitation(
                &crate::secrets::token_digest(token.trim()),
                self.clock.now(),
            )
            .await?
            .ok_or_else(invalid_invitation)?;
        let org = self.organization(inv.organization_id).await?;
        Ok((inv, org))
    }

    pub async fn accept_invitation(
        &self,
        principal: &Principal,
        token: &str,
        ctx: &RequestCtx,
    ) -> ServiceResult<OrgId> {
        musubi_domain::authz::check(Some(principal), Access::SignedIn)?;
        let audit = AuditEntry::new("org.join", "organization", None)
            .by(Some(principal.user_id), ctx.ip.as_deref());
        match self
            .storage
            .accept_invitation(
                &crate::secrets::token_digest(token.trim()),
                principal.user_id,
                self.clock.now(),
                audit,
            )
            .await
        {
            Ok(Some(org)) => Ok(org),
            Ok(None) => Err(invalid_invitation()),
            Err(StorageError::Conflict(c)) if c == "invitation_email_mismatch" => {
                Err(ServiceError::refused(
                    409,
                    "invitation_email_mismatch",
                    "この招待は別のメールアドレス宛てです。招待されたメールアドレスのアカウントでログインしてください。",
                    "This invitation is for another e-mail address. Sign in with the invited address.",
                ))
            }
            Err(e) => Err(conflict_to_field(e)),
        }
    }
}

fn invalid_invitation() -> ServiceError {
    ServiceError::refused(
        400,
        "invalid_invitation",
        "この招待リンクは無効か、有効期限が切れているか、既に使用されています。組織の管理者に再度の招待を依頼してください。",
        "This invitation link is invalid, expired or already used. Ask the organisation's administrator to invite you again.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kana() {
        assert_eq!(
            normalise_kana("とうよう セイキ").as_deref(),
            Some("トウヨウ　セイキ")
        );
        assert_eq!(
            normalise_kana("ダイワジュウコウギョウ").as_deref(),
            Some("ダイワジュウコウギョウ")
        );
        assert!(normalise_kana("東洋").is_none());
        assert!(normalise_kana("ABC").is_none());
        assert!(normalise_kana("  ").is_none());
    }

    #[test]
    fn validation_collects_every_field() {
        let e = validate(&OrganizationInput {
            kind: "supplier".into(),
            name: String::new(),
            name_kana: "東洋".into(),
            corporate_number: "7000012050003".into(),
        })
        .unwrap_err();
        let ServiceError::Invalid(f) = e else {
            panic!()
        };
        let fields: Vec<_> = f.0.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            fields,
            [
                ("name", "required"),
                ("name_kana", "kana_invalid"),
                ("corporate_number", "corporate_number_check_digit")
            ]
        );
    }
}
