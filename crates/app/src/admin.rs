//! Platform administration: people, roles, suspension, the audit log, and
//! the first administrator.

use musubi_domain::{Access, EmailAddress, Password, PlatformRole, Prefecture, Principal};
use musubi_storage::{AuditEntry, AuditRecord, NewUser, Page, Paging, TokenPurpose, User, UserId};

use crate::error::{FieldErrors, ServiceError, ServiceResult};
use crate::secrets::{hash_password, new_token, token_digest};
use crate::{RequestCtx, Services};

impl Services {
    pub async fn users(&self, principal: &Principal, paging: Paging) -> ServiceResult<Page<User>> {
        musubi_domain::authz::check(Some(principal), Access::PlatformAdmin)?;
        Ok(self.storage.list_users(paging).await?)
    }

    /// Suspends (with a reason, ending the person's sessions) or reinstates.
    pub async fn set_suspension(
        &self,
        principal: &Principal,
        user: UserId,
        suspend: bool,
        reason: &str,
        ctx: &RequestCtx,
    ) -> ServiceResult<()> {
        musubi_domain::authz::check(Some(principal), Access::PlatformAdmin)?;
        if user == principal.user_id {
            return Err(ServiceError::refused(
                409,
                "cannot_suspend_self",
                "自分自身を利用停止にすることはできません。",
                "You cannot suspend yourself.",
            ));
        }
        self.storage
            .user(user)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let reason = reason.trim();
        if suspend && reason.is_empty() {
            return Err(ServiceError::field(
                "reason",
                "required",
                "利用停止の理由を入力してください。",
                "Please give the reason for the suspension.",
            ));
        }
        let audit = AuditEntry::new(
            if suspend {
                "user.suspend"
            } else {
                "user.reinstate"
            },
            "user",
            Some(user),
        )
        .by(Some(principal.user_id), ctx.ip.as_deref())
        .detail(serde_json::json!({ "reason": reason }));
        self.storage
            .set_suspension(user, suspend.then_some(reason), self.clock.now(), audit)
            .await?;
        Ok(())
    }

    pub async fn set_platform_role(
        &self,
        principal: &Principal,
        user: UserId,
        role: PlatformRole,
        areas: &[Prefecture],
        ctx: &RequestCtx,
    ) -> ServiceResult<()> {
        musubi_domain::authz::check(Some(principal), Access::PlatformAdmin)?;
        self.storage
            .user(user)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let audit = AuditEntry::new("user.set_role", "user", Some(user))
            .by(Some(principal.user_id), ctx.ip.as_deref())
            .detail(serde_json::json!({ "role": role.code(), "areas": areas.iter().map(|p| p.code()).collect::<Vec<_>>() }));
        self.storage
            .set_platform_role(user, role, areas, self.clock.now(), audit)
            .await?;
        Ok(())
    }

    pub async fn audit_log(
        &self,
        principal: &Principal,
        actor: Option<UserId>,
        paging: Paging,
    ) -> ServiceResult<Page<AuditRecord>> {
        musubi_domain::authz::check(Some(principal), Access::PlatformAdmin)?;
        Ok(self.storage.audit_log(actor, paging).await?)
    }

    /// `musubi user create-admin`: a verified platform administrator.
    pub async fn create_admin(
        &self,
        email: &str,
        display_name: &str,
        password: &str,
    ) -> ServiceResult<UserId> {
        let mut errors = FieldErrors::new();
        let email = errors.take("email", EmailAddress::parse(email));
        let password = errors.take("password", Password::parse(password, email.as_ref()));
        errors.text("display_name", "氏名", "name", display_name, 50);
        let (Some(email), Some(password)) = (email, password) else {
            return Err(ServiceError::Invalid(errors));
        };
        errors.into_result()?;
        let hash = hash_password(password.expose().to_owned())
            .await
            .map_err(ServiceError::Internal)?;
        let now = self.clock.now();
        let audit = AuditEntry::new("user.create_admin", "user", None)
            .detail(serde_json::json!({ "email": email.as_str() }));
        let id = match self
            .storage
            .create_user(
                &NewUser {
                    email,
                    password_hash: hash,
                    display_name: display_name.trim().to_owned(),
                    locale: "ja".into(),
                },
                now,
                audit,
                &[],
            )
            .await
        {
            Ok(id) => id,
            Err(musubi_storage::StorageError::Conflict(_)) => {
                return Err(ServiceError::field(
                    "email",
                    "email_taken",
                    "このメールアドレスは既に登録されています。",
                    "This e-mail address is already registered.",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        // The operator typed the address themselves: mark it verified with a
        // token used on the spot rather than a separate back door.
        let token = new_token("");
        let digest = token_digest(&token);
        self.storage
            .add_user_token(
                id,
                TokenPurpose::VerifyEmail,
                &digest,
                now + chrono::Duration::minutes(1),
                now,
                &[],
            )
            .await?;
        let verify = AuditEntry::new("user.verify_email", "user", Some(id));
        self.storage.verify_email(&digest, now, verify).await?;
        let role = AuditEntry::new("user.set_role", "user", Some(id))
            .detail(serde_json::json!({ "role": "admin" }));
        self.storage
            .set_platform_role(id, PlatformRole::Admin, &[], now, role)
            .await?;
        Ok(id)
    }
}
