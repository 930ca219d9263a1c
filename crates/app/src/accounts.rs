//! Accounts: registration, e-mail verification, sign-in with rate limits,
//! password reset and change, settings, API tokens.

use chrono::Duration;
use musubi_domain::{EmailAddress, Password, Principal};
use musubi_storage::{
    ApiToken, AuditEntry, NewSession, NewUser, SessionRecord, StorageError, TokenPurpose,
    TokenScope, User, UserId,
};

use crate::error::{FieldErrors, ServiceError, ServiceResult};
use crate::mail::{MailLang, OutgoingMail, mail_job};
use crate::secrets::{hash_password, new_token, token_digest, verify_password};
use crate::{RequestCtx, Services};

pub const SESSION_DAYS: i64 = 14;
const VERIFY_HOURS: i64 = 48;
const RESET_MINUTES: i64 = 60;
/// Failed sign-ins within this window count towards the limits below.
const LOGIN_WINDOW_MINUTES: i64 = 15;
const MAX_FAILURES_PER_ACCOUNT: u32 = 5;
const MAX_FAILURES_PER_ADDRESS: u32 = 20;

#[derive(Debug, Clone, Default)]
pub struct Registration {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub locale: String,
}

/// A new session: the cookie value and its CSRF token. Shown once.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session_token: String,
    pub csrf_token: String,
    pub user: User,
}

pub fn principal(session: &SessionRecord) -> Principal {
    Principal {
        user_id: session.user.id,
        platform_role: session.user.platform_role,
        suspended: session.user.suspended_at.is_some(),
        membership: session.membership,
    }
}

fn mail_lang(locale: &str) -> MailLang {
    if locale == "en" {
        MailLang::En
    } else {
        MailLang::Ja
    }
}

fn normalise_locale(locale: &str) -> &'static str {
    if locale.trim() == "en" { "en" } else { "ja" }
}

fn invalid_token() -> ServiceError {
    ServiceError::refused(
        400,
        "invalid_token",
        "このリンクは無効か、有効期限が切れています。お手数ですが、もう一度お手続きください。",
        "This link is invalid or has expired. Please start again.",
    )
}

fn too_many_mails() -> ServiceError {
    ServiceError::refused(
        429,
        "too_many_requests",
        "短時間に多くのお申し込みがあったため、受付を一時的に制限しています。しばらく時間をおいてから再度お試しください。",
        "Too many requests from your address. Please wait a while and try again.",
    )
}

impl Services {
    /// Counts one mail-sending request from the caller's address.
    fn throttle_mail(&self, ctx: &RequestCtx) -> ServiceResult<()> {
        let key = ctx.ip.as_deref().unwrap_or("unknown");
        if self.mail_throttle.allow(key, self.clock.now()) {
            Ok(())
        } else {
            Err(too_many_mails())
        }
    }

    pub async fn register(&self, input: Registration, ctx: &RequestCtx) -> ServiceResult<UserId> {
        let mut errors = FieldErrors::new();
        let email = errors.take("email", EmailAddress::parse(&input.email));
        let password = errors.take("password", Password::parse(&input.password, email.as_ref()));
        errors.text("display_name", "氏名", "name", &input.display_name, 50);
        let (Some(email), Some(password)) = (email, password) else {
            return Err(ServiceError::Invalid(errors));
        };
        errors.into_result()?;
        if self.storage.user_by_email(&email).await?.is_some() {
            return Err(email_taken());
        }
        self.throttle_mail(ctx)?;
        let locale = normalise_locale(&input.locale);
        let hash = hash_password(password.expose().to_owned())
            .await
            .map_err(ServiceError::Internal)?;
        let now = self.clock.now();
        let user = NewUser {
            email: email.clone(),
            password_hash: hash,
            display_name: input.display_name.trim().to_owned(),
            locale: locale.to_owned(),
        };
        let audit = AuditEntry::new("user.register", "user", None)
            .by(None, ctx.ip.as_deref())
            .detail(serde_json::json!({ "email": email.as_str() }));
        let id = match self.storage.create_user(&user, now, audit, &[]).await {
            Ok(id) => id,
            Err(StorageError::Conflict(c)) if c == "email_taken" => return Err(email_taken()),
            Err(e) => return Err(e.into()),
        };
        self.send_verification(id, &email, &user.display_name, locale)
            .await?;
        Ok(id)
    }

    async fn send_verification(
        &self,
        user_id: UserId,
        email: &EmailAddress,
        name: &str,
        locale: &str,
    ) -> ServiceResult<()> {
        let token = new_token("");
        let link = format!("{}/verify-email?token={token}", self.config.base_url);
        let lang = mail_lang(locale);
        let (subject, body) = match lang {
            MailLang::Ja => (
                "【結び】メールアドレスの確認".to_owned(),
                format!(
                    "{name} 様\n\n結び（Musubi）への利用者登録のお申し込みありがとうございます。\n\
                     以下のリンクを開き、メールアドレスの確認を完了してください。\n\n{link}\n\n\
                     このリンクの有効期限は{VERIFY_HOURS}時間です。\n\
                     お心当たりのない場合は、このメールを破棄してください。\n\n\
                     ――――――――――――――――\n結び（Musubi）運営事務局\n※このメールは送信専用です。"
                ),
            ),
            MailLang::En => (
                "[Musubi] Please confirm your e-mail address".to_owned(),
                format!(
                    "Dear {name},\n\nThank you for registering with Musubi.\n\
                     Please open the link below to confirm your e-mail address.\n\n{link}\n\n\
                     The link is valid for {VERIFY_HOURS} hours. If you did not register, please ignore this mail.\n\n\
                     -- \nMusubi office (this address does not receive replies)"
                ),
            ),
        };
        let mail = OutgoingMail::new("verify-email", email.as_str(), subject, body, lang);
        let now = self.clock.now();
        self.storage
            .add_user_token(
                user_id,
                TokenPurpose::VerifyEmail,
                &token_digest(&token),
                now + Duration::hours(VERIFY_HOURS),
                now,
                &[mail_job(&mail)],
            )
            .await?;
        self.wake_worker();
        Ok(())
    }

    pub async fn verify_email(&self, token: &str, ctx: &RequestCtx) -> ServiceResult<UserId> {
        let audit = AuditEntry::new("user.verify_email", "user", None).by(None, ctx.ip.as_deref());
        self.storage
            .verify_email(&token_digest(token.trim()), self.clock.now(), audit)
            .await?
            .ok_or_else(invalid_token)
    }

    pub async fn login(
        &self,
        email: &str,
        password: &str,
        ctx: &RequestCtx,
    ) -> ServiceResult<SignedIn> {
        let now = self.clock.now();
        let ip = ctx.ip.clone().unwrap_or_else(|| "unknown".to_owned());
        let key = email.trim().to_lowercase();
        let (by_account, by_address) = self
            .storage
            .failed_logins_since(&key, &ip, now - Duration::minutes(LOGIN_WINDOW_MINUTES))
            .await?;
        if by_account >= MAX_FAILURES_PER_ACCOUNT || by_address >= MAX_FAILURES_PER_ADDRESS {
            return Err(ServiceError::refused(
                429,
                "too_many_attempts",
                format!(
                    "ログインの失敗が続いたため、一時的にログインを制限しています。{LOGIN_WINDOW_MINUTES}分ほど時間をおいてから再度お試しください。"
                ),
                format!(
                    "Too many failed sign-ins. Please wait about {LOGIN_WINDOW_MINUTES} minutes and try again."
                ),
            ));
        }
        let user = match EmailAddress::parse(email) {
            Ok(e) => self.storage.user_by_email(&e).await?,
            Err(_) => None,
        };
        let ok = verify_password(
            password.to_owned(),
            user.as_ref().map(|u| u.password_hash.clone()),
        )
        .await;
        let Some(user) = user.filter(|_| ok) else {
            self.storage
                .record_login_attempt(&key, &ip, false, now)
                .await?;
            return Err(ServiceError::refused(
                401,
                "invalid_credentials",
                "メールアドレスまたはパスワードが正しくありません。",
                "The e-mail address or password is not correct.",
            ));
        };
        if user.suspended_at.is_some() {
            return Err(ServiceError::Denied(musubi_domain::Denial::Suspended));
        }
        if user.email_verified_at.is_none() {
            self.send_verification(user.id, &user.email, &user.display_name, &user.locale)
                .await?;
            return Err(ServiceError::refused(
                403,
                "email_not_verified",
                "メールアドレスの確認が完了していません。確認用のメールを再送しましたので、記載のリンクを開いてください。",
                "Your e-mail address is not confirmed yet. We have sent the confirmation mail again; please open its link.",
            ));
        }
        self.storage
            .record_login_attempt(&key, &ip, true, now)
            .await?;
        let session_token = new_token("");
        let csrf_token = new_token("");
        self.storage
            .create_session(
                &NewSession {
                    token_hash: token_digest(&session_token),
                    user_id: user.id,
                    csrf_token: csrf_token.clone(),
                    ip: ctx.ip.clone(),
                    user_agent: ctx.user_agent.clone(),
                    expires_at: now + Duration::days(SESSION_DAYS),
                },
                now,
            )
            .await?;
        Ok(SignedIn {
            session_token,
            csrf_token,
            user,
        })
    }

    pub async fn session(&self, session_token: &str) -> ServiceResult<Option<SessionRecord>> {
        Ok(self
            .storage
            .session(&token_digest(session_token), self.clock.now())
            .await?)
    }

    pub async fn logout(&self, session_token: &str) -> ServiceResult<()> {
        Ok(self
            .storage
            .delete_session(&token_digest(session_token))
            .await?)
    }

    /// Always succeeds, so the answer does not reveal who is registered.
    pub async fn request_password_reset(&self, email: &str, ctx: &RequestCtx) -> ServiceResult<()> {
        let Ok(email) = EmailAddress::parse(email) else {
            return Err(ServiceError::field(
                "email",
                "email_invalid",
                "メールアドレスの形式が正しくありません。",
                "This is not a valid e-mail address.",
            ));
        };
        self.throttle_mail(ctx)?;
        let Some(user) = self.storage.user_by_email(&email).await? else {
            tracing::info!(ip = ?ctx.ip, "password reset asked for an unknown address");
            return Ok(());
        };
        if user.suspended_at.is_some() {
            return Ok(());
        }
        let token = new_token("");
        let link = format!("{}/password/reset?token={token}", self.config.base_url);
        let lang = mail_lang(&user.locale);
        let name = &user.display_name;
        let (subject, body) = match lang {
            MailLang::Ja => (
                "【結び】パスワード再設定のご案内".to_owned(),
                format!(
                    "{name} 様\n\nパスワード再設定のお申し込みを受け付けました。\n\
                     以下のリンクから新しいパスワードを設定してください。\n\n{link}\n\n\
                     このリンクの有効期限は{RESET_MINUTES}分です。\n\
                     お心当たりのない場合は、このメールを破棄してください。パスワードは変更されません。\n\n\
                     ――――――――――――――――\n結び（Musubi）運営事務局\n※このメールは送信専用です。"
                ),
            ),
            MailLang::En => (
                "[Musubi] Resetting your password".to_owned(),
                format!(
                    "Dear {name},\n\nWe received a request to reset your password.\n\
                     Please set a new password with the link below.\n\n{link}\n\n\
                     The link is valid for {RESET_MINUTES} minutes. If you did not ask for this, ignore this mail; your password stays as it is.\n\n\
                     -- \nMusubi office (this address does not receive replies)"
                ),
            ),
        };
        let mail = OutgoingMail::new("reset-password", user.email.as_str(), subject, body, lang);
        let now = self.clock.now();
        self.storage
            .add_user_token(
                user.id,
                TokenPurpose::ResetPassword,
                &token_digest(&token),
                now + Duration::minutes(RESET_MINUTES),
                now,
                &[mail_job(&mail)],
            )
            .await?;
        self.wake_worker();
        Ok(())
    }

    pub async fn reset_password(
        &self,
        token: &str,
        new_password: &str,
        ctx: &RequestCtx,
    ) -> ServiceResult<UserId> {
        let password = Password::parse(new_password, None).map_err(|e| {
            let mut f = FieldErrors::new();
            f.domain("password", &e);
            ServiceError::Invalid(f)
        })?;
        let hash = hash_password(password.expose().to_owned())
            .await
            .map_err(ServiceError::Internal)?;
        let audit =
            AuditEntry::new("user.reset_password", "user", None).by(None, ctx.ip.as_deref());
        self.storage
            .reset_password(&token_digest(token.trim()), &hash, self.clock.now(), audit)
            .await?
            .ok_or_else(invalid_token)
    }

    pub async fn change_password(
        &self,
        session: &SessionRecord,
        current: &str,
        new_password: &str,
        ctx: &RequestCtx,
    ) -> ServiceResult<()> {
        if !verify_password(current.to_owned(), Some(session.user.password_hash.clone())).await {
            return Err(ServiceError::field(
                "current_password",
                "wrong_password",
                "現在のパスワードが正しくありません。",
                "The current password is not correct.",
            ));
        }
        let password = Password::parse(new_password, Some(&session.user.email)).map_err(|e| {
            let mut f = FieldErrors::new();
            f.domain("password", &e);
            ServiceError::Invalid(f)
        })?;
        let hash = hash_password(password.expose().to_owned())
            .await
            .map_err(ServiceError::Internal)?;
        let user = session.user.id;
        let audit = AuditEntry::new("user.change_password", "user", Some(user))
            .by(Some(user), ctx.ip.as_deref());
        self.storage
            .change_password(user, &hash, Some(session.id), self.clock.now(), audit)
            .await?;
        Ok(())
    }

    pub async fn update_settings(
        &self,
        user: &User,
        display_name: &str,
        locale: &str,
        ctx: &RequestCtx,
    ) -> ServiceResult<()> {
        let mut errors = FieldErrors::new();
        errors.text("display_name", "氏名", "name", display_name, 50);
        errors.into_result()?;
        let audit = AuditEntry::new("user.update_settings", "user", Some(user.id))
            .by(Some(user.id), ctx.ip.as_deref());
        self.storage
            .update_user_settings(
                user.id,
                display_name.trim(),
                normalise_locale(locale),
                self.clock.now(),
                audit,
            )
            .await?;
        Ok(())
    }

    /// Creates an API token; the plain token is returned once and never stored.
    pub async fn create_api_token(
        &self,
        user: &User,
        name: &str,
        scope: TokenScope,
        ctx: &RequestCtx,
    ) -> ServiceResult<(i64, String)> {
        let mut errors = FieldErrors::new();
        errors.text("name", "トークン名", "token name", name, 50);
        errors.into_result()?;
        let token = new_token("mbk_");
        let prefix: String = token.chars().take(10).collect();
        let audit = AuditEntry::new("api_token.create", "user", Some(user.id))
            .by(Some(user.id), ctx.ip.as_deref())
            .detail(serde_json::json!({ "name": name.trim(), "scope": scope.as_str(), "prefix": prefix }));
        let id = self
            .storage
            .create_api_token(
                user.id,
                name.trim(),
                &token_digest(&token),
                &prefix,
                scope,
                self.clock.now(),
                audit,
            )
            .await?;
        Ok((id, token))
    }

    pub async fn api_tokens(&self, user: &User) -> ServiceResult<Vec<ApiToken>> {
        Ok(self.storage.list_api_tokens(user.id).await?)
    }

    pub async fn revoke_api_token(
        &self,
        user: &User,
        token_id: i64,
        ctx: &RequestCtx,
    ) -> ServiceResult<()> {
        let audit = AuditEntry::new("api_token.revoke", "api_token", Some(token_id))
            .by(Some(user.id), ctx.ip.as_deref());
        match self
            .storage
            .revoke_api_token(user.id, token_id, self.clock.now(), audit)
            .await
        {
            Ok(()) => Ok(()),
            Err(StorageError::NotFound) => Err(ServiceError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// The account behind `Authorization: Bearer <token>`.
    pub async fn bearer(&self, token: &str) -> ServiceResult<Option<(ApiToken, SessionRecord)>> {
        Ok(self
            .storage
            .api_token(&token_digest(token.trim()), self.clock.now())
            .await?)
    }
}

fn email_taken() -> ServiceError {
    ServiceError::field(
        "email",
        "email_taken",
        "このメールアドレスは既に登録されています。ログインするか、パスワードの再設定をご利用ください。",
        "This e-mail address is already registered. Sign in, or reset your password.",
    )
}
