//! Accounts: registration, e-mail verification, sign-in and out, password
//! reset, settings and API tokens — as pages and as JSON under `/api/v1`.
//! Both call the same services in `musubi_app::accounts`.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post};
use http::{Method, StatusCode, header};
use musubi_app::accounts::{Registration, SESSION_DAYS};
use musubi_app::{FieldErrors, RequestCtx, ServiceError};
use musubi_domain::Access;
use musubi_storage::{ApiToken, TokenScope};
use serde::Deserialize;
use serde_json::json;

use crate::WebState;
use crate::auth::{Caller, CsrfToken, SESSION_COOKIE, Via, set_cookie};
use crate::error::{AppError, AppResult};
use crate::extract::{ApiJson, WebForm};
use crate::i18n::Lang;
use crate::routes::{RouteDef, route};
use crate::views::{Chrome, html_page, html_page_status};

pub fn routes() -> Vec<RouteDef> {
    use Access::{Public, SignedIn};
    use Method as M;
    vec![
        route(M::GET, "/register", Public, get(register_form)),
        route(M::POST, "/register", Public, post(register_submit)),
        route(M::GET, "/verify-email", Public, get(verify_page)),
        route(M::GET, "/login", Public, get(login_form)),
        route(M::POST, "/login", Public, post(login_submit)),
        route(M::POST, "/logout", Public, post(logout_submit)),
        route(M::GET, "/password/forgot", Public, get(forgot_form)),
        route(M::POST, "/password/forgot", Public, post(forgot_submit)),
        route(M::GET, "/password/reset", Public, get(reset_form)),
        route(M::POST, "/password/reset", Public, post(reset_submit)),
        route(M::GET, "/account", SignedIn, get(account_page)),
        route(
            M::POST,
            "/account/settings",
            SignedIn,
            post(settings_submit),
        ),
        route(
            M::POST,
            "/account/password",
            SignedIn,
            post(password_submit),
        ),
        route(
            M::POST,
            "/account/tokens",
            SignedIn,
            post(token_create_submit),
        ),
        route(
            M::POST,
            "/account/tokens/{id}/revoke",
            SignedIn,
            post(token_revoke_submit),
        ),
        route(M::POST, "/api/v1/auth/register", Public, post(api_register)),
        route(M::POST, "/api/v1/auth/verify", Public, post(api_verify)),
        route(M::POST, "/api/v1/auth/login", Public, post(api_login)),
        route(M::POST, "/api/v1/auth/logout", SignedIn, post(api_logout)),
        route(M::GET, "/api/v1/me", SignedIn, get(api_me)),
        route(M::GET, "/api/v1/tokens", SignedIn, get(api_tokens)),
        route(M::POST, "/api/v1/tokens", SignedIn, post(api_token_create)),
        route(
            M::DELETE,
            "/api/v1/tokens/{id}",
            SignedIn,
            delete(api_token_revoke),
        ),
    ]
}

/// Field messages in the page's language.
#[derive(Debug, Default, Clone)]
pub struct FormErrors {
    lang: Lang,
    errors: FieldErrors,
    /// A message for the whole form.
    pub general: Option<String>,
}

impl FormErrors {
    /// No errors, for a page shown in `lang`.
    pub fn none(lang: Lang) -> FormErrors {
        FormErrors {
            lang,
            ..Default::default()
        }
    }

    pub fn from_service(lang: Lang, e: ServiceError) -> Result<FormErrors, AppError> {
        match e {
            ServiceError::Invalid(errors) => Ok(FormErrors {
                lang,
                errors,
                general: None,
            }),
            ServiceError::Refused {
                message_ja,
                message_en,
                ..
            } => Ok(FormErrors {
                lang,
                errors: FieldErrors::new(),
                general: Some(if lang == Lang::Ja {
                    message_ja
                } else {
                    message_en
                }),
            }),
            other => Err(other.into()),
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(|e| match self.lang {
            Lang::Ja => e.message_ja.as_str(),
            Lang::En => e.message_en.as_str(),
        })
    }

    pub fn any(&self) -> bool {
        self.general.is_some() || !self.errors.is_empty()
    }
}

/// Labels of the account pages.
pub struct T {
    pub register_title: &'static str,
    pub register_lead: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub password_hint: &'static str,
    pub display_name: &'static str,
    pub locale: &'static str,
    pub register_submit: &'static str,
    pub login_title: &'static str,
    pub login_submit: &'static str,
    pub forgot_link: &'static str,
    pub register_link: &'static str,
    pub errors_heading: &'static str,
    pub forgot_title: &'static str,
    pub forgot_lead: &'static str,
    pub forgot_submit: &'static str,
    pub reset_title: &'static str,
    pub new_password: &'static str,
    pub reset_submit: &'static str,
    pub account_title: &'static str,
    pub settings_heading: &'static str,
    pub save: &'static str,
    pub password_heading: &'static str,
    pub current_password: &'static str,
    pub change_password: &'static str,
    pub tokens_heading: &'static str,
    pub tokens_lead: &'static str,
    pub token_name: &'static str,
    pub token_scope: &'static str,
    pub scope_read: &'static str,
    pub scope_write: &'static str,
    pub token_create: &'static str,
    pub token_created: &'static str,
    pub token_revoke: &'static str,
    pub token_revoked: &'static str,
    pub token_none: &'static str,
    pub logout: &'static str,
    pub signed_in_as: &'static str,
}

pub const JA: T = T {
    register_title: "利用者登録",
    register_lead: "メールアドレスとパスワードを登録してください。登録後、確認用のメールをお送りします。",
    email: "メールアドレス",
    password: "パスワード",
    password_hint: "10文字以上。英字と数字・記号を組み合わせてください（16文字以上の長い文も可）。",
    display_name: "氏名",
    locale: "メールの言語",
    register_submit: "登録する",
    login_title: "ログイン",
    login_submit: "ログイン",
    forgot_link: "パスワードをお忘れの方",
    register_link: "利用者登録（新規）",
    errors_heading: "入力内容をご確認ください",
    forgot_title: "パスワードの再設定",
    forgot_lead: "登録済みのメールアドレスを入力してください。再設定用のリンクをお送りします。",
    forgot_submit: "再設定メールを送信",
    reset_title: "新しいパスワードの設定",
    new_password: "新しいパスワード",
    reset_submit: "パスワードを設定する",
    account_title: "アカウント設定",
    settings_heading: "基本情報",
    save: "保存する",
    password_heading: "パスワードの変更",
    current_password: "現在のパスワード",
    change_password: "パスワードを変更する",
    tokens_heading: "APIトークン",
    tokens_lead: "外部システムからAPIを利用するための個人用トークンです。トークンは作成時に一度だけ表示されます。",
    token_name: "トークン名",
    token_scope: "権限",
    scope_read: "参照のみ",
    scope_write: "参照・更新",
    token_create: "トークンを作成",
    token_created: "APIトークンを作成しました。この画面を離れると再表示できませんので、安全な場所に控えてください。",
    token_revoke: "失効させる",
    token_revoked: "失効済み",
    token_none: "APIトークンはまだありません。",
    logout: "ログアウト",
    signed_in_as: "ログイン中",
};

pub const EN: T = T {
    register_title: "Register",
    register_lead: "Register your e-mail address and a password. We will send you a mail to confirm the address.",
    email: "E-mail address",
    password: "Password",
    password_hint: "At least 10 characters, mixing letters with digits or symbols (or a long passphrase of 16+ characters).",
    display_name: "Your name",
    locale: "Language of mail",
    register_submit: "Register",
    login_title: "Sign in",
    login_submit: "Sign in",
    forgot_link: "Forgot your password?",
    register_link: "Register (new users)",
    errors_heading: "Please check the form",
    forgot_title: "Reset your password",
    forgot_lead: "Enter your registered e-mail address. We will send you a link to set a new password.",
    forgot_submit: "Send the reset mail",
    reset_title: "Set a new password",
    new_password: "New password",
    reset_submit: "Set the password",
    account_title: "Account settings",
    settings_heading: "Your details",
    save: "Save",
    password_heading: "Change your password",
    current_password: "Current password",
    change_password: "Change the password",
    tokens_heading: "API tokens",
    tokens_lead: "Personal tokens for using the API from other systems. A token is shown only once, when it is created.",
    token_name: "Token name",
    token_scope: "Access",
    scope_read: "Read only",
    scope_write: "Read and write",
    token_create: "Create a token",
    token_created: "Your API token has been created. It will not be shown again: keep it somewhere safe.",
    token_revoke: "Revoke",
    token_revoked: "Revoked",
    token_none: "You have no API tokens yet.",
    logout: "Sign out",
    signed_in_as: "Signed in as",
};

fn texts(lang: Lang) -> &'static T {
    match lang {
        Lang::Ja => &JA,
        Lang::En => &EN,
    }
}

#[derive(Template)]
#[template(path = "accounts/register.html")]
struct RegisterPage {
    chrome: Chrome,
    t: &'static T,
    csrf: String,
    form: RegisterForm,
    errors: FormErrors,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    locale: String,
}

async fn register_form(chrome: Chrome, csrf: CsrfToken) -> AppResult<Response> {
    let lang = chrome.lang;
    let form = RegisterForm {
        locale: lang.code().to_owned(),
        ..Default::default()
    };
    html_page(
        lang,
        &RegisterPage {
            t: texts(lang),
            chrome,
            csrf: csrf.0,
            form,
            errors: FormErrors::default(),
        },
    )
}

async fn register_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    ctx: RequestCtx,
    WebForm(form): WebForm<RegisterForm>,
) -> AppResult<Response> {
    let lang = chrome.lang;
    let input = Registration {
        email: form.email.clone(),
        password: form.password.clone(),
        display_name: form.display_name.clone(),
        locale: form.locale.clone(),
    };
    match state.services.register(input, &ctx).await {
        Ok(_) => message_page(
            chrome,
            ("確認メールを送信しました", "Please check your mail"),
            (
                "ご登録のメールアドレスに確認用のメールをお送りしました。メールに記載のリンクを開き、登録を完了してください。",
                "We have sent a confirmation mail to your address. Open the link in it to complete your registration.",
            ),
            None,
        ),
        Err(e) => {
            let errors = FormErrors::from_service(lang, e)?;
            let form = RegisterForm {
                password: String::new(),
                ..form
            };
            html_page_status(
                lang,
                &RegisterPage {
                    t: texts(lang),
                    chrome,
                    csrf: csrf.0,
                    form,
                    errors,
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "accounts/message.html")]
struct MessagePage {
    chrome: Chrome,
    title: String,
    message: String,
    link: Option<(String, String)>,
}

/// A page with one message. Texts are (Japanese, English); the link is
/// (href, (Japanese label, English label)).
type JaEn<'a> = (&'a str, &'a str);

fn message_page(
    chrome: Chrome,
    title: JaEn,
    message: JaEn,
    link: Option<(&str, JaEn)>,
) -> AppResult<Response> {
    let lang = chrome.lang;
    let pick = |(ja, en): JaEn| if lang == Lang::Ja { ja } else { en }.to_owned();
    html_page(
        lang,
        &MessagePage {
            chrome,
            title: pick(title),
            message: pick(message),
            link: link.map(|(href, label)| (href.to_owned(), pick(label))),
        },
    )
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn verify_page(
    State(state): State<WebState>,
    chrome: Chrome,
    ctx: RequestCtx,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    state.services.verify_email(&q.token, &ctx).await?;
    message_page(
        chrome,
        ("メールアドレスを確認しました", "Your address is confirmed"),
        (
            "登録が完了しました。ログインしてご利用ください。",
            "Your registration is complete. Please sign in.",
        ),
        Some(("/login", ("ログイン", "Sign in"))),
    )
}

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    chrome: Chrome,
    t: &'static T,
    csrf: String,
    email: String,
    next: String,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only local paths, so the login page cannot be used to send people elsewhere.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        "/account".to_owned()
    }
}

async fn login_form(
    chrome: Chrome,
    csrf: CsrfToken,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let lang = chrome.lang;
    html_page(
        lang,
        &LoginPage {
            t: texts(lang),
            chrome,
            csrf: csrf.0,
            email: String::new(),
            next: safe_next(&q.next),
            errors: FormErrors::default(),
        },
    )
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

fn session_cookies(
    state: &WebState,
    session_token: &str,
) -> [(header::HeaderName, http::HeaderValue); 1] {
    [(
        header::SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            session_token,
            SESSION_DAYS * 24 * 3600,
            state.config.secure_cookies,
        ),
    )]
}

async fn login_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    ctx: RequestCtx,
    WebForm(form): WebForm<LoginForm>,
) -> AppResult<Response> {
    let lang = chrome.lang;
    match state
        .services
        .login(&form.email, &form.password, &ctx)
        .await
    {
        Ok(signed_in) => Ok((
            session_cookies(&state, &signed_in.session_token),
            Redirect::to(&safe_next(&form.next)),
        )
            .into_response()),
        Err(e) => {
            let status = match &e {
                ServiceError::Refused { status, .. } => {
                    StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST)
                }
                ServiceError::Denied(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let errors = match e {
                ServiceError::Denied(d) => FormErrors {
                    lang,
                    errors: FieldErrors::new(),
                    general: Some(
                        if lang == Lang::Ja {
                            d.message_ja()
                        } else {
                            d.message_en()
                        }
                        .to_owned(),
                    ),
                },
                e => FormErrors::from_service(lang, e)?,
            };
            html_page_status(
                lang,
                &LoginPage {
                    t: texts(lang),
                    chrome,
                    csrf: csrf.0,
                    email: form.email,
                    next: safe_next(&form.next),
                    errors,
                },
                status,
            )
        }
    }
}

async fn logout_submit(State(state): State<WebState>, caller: Caller) -> AppResult<Response> {
    if let Some(Via::Session { token }) = caller.0.as_ref().map(|a| &a.via) {
        state.services.logout(token).await?;
    }
    Ok((
        [(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies),
        )],
        Redirect::to("/"),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "accounts/forgot.html")]
struct ForgotPage {
    chrome: Chrome,
    t: &'static T,
    csrf: String,
    email: String,
    errors: FormErrors,
}

async fn forgot_form(chrome: Chrome, csrf: CsrfToken) -> AppResult<Response> {
    let lang = chrome.lang;
    html_page(
        lang,
        &ForgotPage {
            t: texts(lang),
            chrome,
            csrf: csrf.0,
            email: String::new(),
            errors: FormErrors::default(),
        },
    )
}

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

async fn forgot_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    ctx: RequestCtx,
    WebForm(form): WebForm<EmailForm>,
) -> AppResult<Response> {
    let lang = chrome.lang;
    match state
        .services
        .request_password_reset(&form.email, &ctx)
        .await
    {
        Ok(()) => message_page(
            chrome,
            ("再設定メールを送信しました", "Please check your mail"),
            (
                "ご入力のメールアドレスが登録されている場合、パスワード再設定用のメールをお送りしました。メールが届かない場合は、迷惑メールフォルダもご確認ください。",
                "If the address is registered, we have sent it a link to reset the password. If nothing arrives, please check your spam folder.",
            ),
            None,
        ),
        Err(e) => {
            let errors = FormErrors::from_service(lang, e)?;
            html_page_status(
                lang,
                &ForgotPage {
                    t: texts(lang),
                    chrome,
                    csrf: csrf.0,
                    email: form.email,
                    errors,
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "accounts/reset.html")]
struct ResetPage {
    chrome: Chrome,
    t: &'static T,
    csrf: String,
    token: String,
    errors: FormErrors,
}

async fn reset_form(
    chrome: Chrome,
    csrf: CsrfToken,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    let lang = chrome.lang;
    html_page(
        lang,
        &ResetPage {
            t: texts(lang),
            chrome,
            csrf: csrf.0,
            token: q.token,
            errors: FormErrors::default(),
        },
    )
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

async fn reset_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    ctx: RequestCtx,
    WebForm(form): WebForm<ResetForm>,
) -> AppResult<Response> {
    let lang = chrome.lang;
    match state
        .services
        .reset_password(&form.token, &form.password, &ctx)
        .await
    {
        Ok(_) => message_page(
            chrome,
            ("パスワードを再設定しました", "Your password has been reset"),
            (
                "新しいパスワードでログインしてください。他の端末でのログイン状態はすべて解除されました。",
                "Please sign in with your new password. You have been signed out everywhere else.",
            ),
            Some(("/login", ("ログイン", "Sign in"))),
        ),
        Err(e) => {
            let errors = FormErrors::from_service(lang, e)?;
            html_page_status(
                lang,
                &ResetPage {
                    t: texts(lang),
                    chrome,
                    csrf: csrf.0,
                    token: form.token,
                    errors,
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    chrome: Chrome,
    t: &'static T,
    csrf: String,
    email: String,
    display_name: String,
    locale: String,
    tokens: Vec<ApiToken>,
    new_token: Option<String>,
    notice: Option<String>,
    errors: FormErrors,
}

/// Sends the signed-out to the login page, and back here afterwards.
fn sign_in_redirect(path: &str) -> Response {
    Redirect::to(&format!("/login?next={path}")).into_response()
}

async fn render_account(
    state: &WebState,
    chrome: Chrome,
    csrf: String,
    caller: &Caller,
    new_token: Option<String>,
    notice: Option<String>,
    errors: FormErrors,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let user = &auth.session.user;
    let tokens = state.services.api_tokens(user).await?;
    let lang = chrome.lang;
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    html_page_status(
        lang,
        &AccountPage {
            t: texts(lang),
            chrome,
            csrf,
            email: user.email.to_string(),
            display_name: user.display_name.clone(),
            locale: user.locale.clone(),
            tokens,
            new_token,
            notice,
            errors,
        },
        status,
    )
}

async fn account_page(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
) -> AppResult<Response> {
    if caller.0.is_none() {
        return Ok(sign_in_redirect("/account"));
    }
    render_account(
        &state,
        chrome,
        csrf.0,
        &caller,
        None,
        None,
        FormErrors::default(),
    )
    .await
}

#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    locale: String,
}

async fn settings_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    WebForm(form): WebForm<SettingsForm>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let lang = chrome.lang;
    match state
        .services
        .update_settings(&auth.session.user, &form.display_name, &form.locale, &ctx)
        .await
    {
        Ok(()) => Ok(Redirect::to("/account?saved=settings").into_response()),
        Err(e) => {
            let errors = FormErrors::from_service(lang, e)?;
            render_account(&state, chrome, csrf.0, &caller, None, None, errors).await
        }
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
}

async fn password_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    WebForm(form): WebForm<PasswordForm>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let lang = chrome.lang;
    match state
        .services
        .change_password(&auth.session, &form.current_password, &form.password, &ctx)
        .await
    {
        Ok(()) => {
            let notice = if lang == Lang::Ja {
                "パスワードを変更しました。他の端末でのログイン状態は解除されました。"
            } else {
                "Your password has been changed. You have been signed out everywhere else."
            };
            render_account(
                &state,
                chrome,
                csrf.0,
                &caller,
                None,
                Some(notice.to_owned()),
                FormErrors::default(),
            )
            .await
        }
        Err(e) => {
            let errors = FormErrors::from_service(lang, e)?;
            render_account(&state, chrome, csrf.0, &caller, None, None, errors).await
        }
    }
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
}

fn parse_scope(s: &str) -> Result<TokenScope, ServiceError> {
    match s {
        "read" => Ok(TokenScope::Read),
        "write" => Ok(TokenScope::Write),
        _ => Err(ServiceError::field(
            "scope",
            "invalid_scope",
            "権限は「参照のみ」または「参照・更新」から選択してください。",
            "Choose read or write access.",
        )),
    }
}

async fn token_create_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    WebForm(form): WebForm<TokenForm>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let lang = chrome.lang;
    let result = match parse_scope(&form.scope) {
        Ok(scope) => {
            state
                .services
                .create_api_token(&auth.session.user, &form.name, scope, &ctx)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok((_, token)) => {
            render_account(
                &state,
                chrome,
                csrf.0,
                &caller,
                Some(token),
                None,
                FormErrors::default(),
            )
            .await
        }
        Err(e) => {
            let errors = FormErrors::from_service(lang, e)?;
            render_account(&state, chrome, csrf.0, &caller, None, None, errors).await
        }
    }
}

async fn token_revoke_submit(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    state
        .services
        .revoke_api_token(&auth.session.user, id, &ctx)
        .await?;
    Ok(Redirect::to("/account").into_response())
}

// --- JSON API -------------------------------------------------------------

#[derive(Deserialize)]
struct ApiRegister {
    email: String,
    password: String,
    display_name: String,
    #[serde(default)]
    locale: String,
}

async fn api_register(
    State(state): State<WebState>,
    ctx: RequestCtx,
    ApiJson(body): ApiJson<ApiRegister>,
) -> AppResult<Response> {
    let id = state
        .services
        .register(
            Registration {
                email: body.email,
                password: body.password,
                display_name: body.display_name,
                locale: body.locale,
            },
            &ctx,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "user_id": id, "status": "verification_sent" })),
    )
        .into_response())
}

#[derive(Deserialize)]
struct ApiVerify {
    token: String,
}

async fn api_verify(
    State(state): State<WebState>,
    ctx: RequestCtx,
    ApiJson(body): ApiJson<ApiVerify>,
) -> AppResult<Response> {
    let id = state.services.verify_email(&body.token, &ctx).await?;
    Ok(Json(json!({ "user_id": id, "status": "verified" })).into_response())
}

#[derive(Deserialize)]
struct ApiLogin {
    email: String,
    password: String,
}

fn user_json(
    auth_user: &musubi_storage::User,
    membership: Option<musubi_domain::Membership>,
) -> serde_json::Value {
    json!({
        "id": auth_user.id,
        "email": auth_user.email.as_str(),
        "display_name": auth_user.display_name,
        "locale": auth_user.locale,
        "platform_role": auth_user.platform_role.code(),
        "organization": membership.map(|m| json!({
            "id": m.org_id,
            "kind": m.kind.code(),
            "approval": m.approval.code(),
            "role": m.role.code(),
        })),
    })
}

async fn api_login(
    State(state): State<WebState>,
    ctx: RequestCtx,
    ApiJson(body): ApiJson<ApiLogin>,
) -> AppResult<Response> {
    let signed_in = state
        .services
        .login(&body.email, &body.password, &ctx)
        .await?;
    let session = state.services.session(&signed_in.session_token).await?;
    let membership = session.and_then(|s| s.membership);
    Ok((
        session_cookies(&state, &signed_in.session_token),
        Json(json!({ "user": user_json(&signed_in.user, membership) })),
    )
        .into_response())
}

async fn api_logout(State(state): State<WebState>, caller: Caller) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    if let Via::Session { token } = &auth.via {
        state.services.logout(token).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies),
        )],
    )
        .into_response())
}

async fn api_me(caller: Caller) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    Ok(Json(user_json(&auth.session.user, auth.session.membership)).into_response())
}

fn token_json(t: &ApiToken) -> serde_json::Value {
    json!({
        "id": t.id,
        "name": t.name,
        "prefix": t.prefix,
        "scope": t.scope.as_str(),
        "created_at": t.created_at,
        "last_used_at": t.last_used_at,
        "revoked_at": t.revoked_at,
    })
}

async fn api_tokens(State(state): State<WebState>, caller: Caller) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let tokens = state.services.api_tokens(&auth.session.user).await?;
    Ok(
        Json(json!({ "tokens": tokens.iter().map(token_json).collect::<Vec<_>>() }))
            .into_response(),
    )
}

#[derive(Deserialize)]
struct ApiTokenCreate {
    name: String,
    scope: String,
}

async fn api_token_create(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    ApiJson(body): ApiJson<ApiTokenCreate>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let scope = parse_scope(&body.scope)?;
    let (id, token) = state
        .services
        .create_api_token(&auth.session.user, &body.name, scope, &ctx)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "token": token, "scope": scope.as_str() })),
    )
        .into_response())
}

async fn api_token_revoke(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    state
        .services
        .revoke_api_token(&auth.session.user, id, &ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
