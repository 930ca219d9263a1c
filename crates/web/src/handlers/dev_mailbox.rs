//! The development mailbox: without `MUSUBI_SMTP_URL`, mail is written to
//! `<data-dir>/mail/` instead of being sent, and shown here. The routes exist
//! only when [`crate::WebConfig::dev_mail_dir`] is set (see [`routes_for`]).

use std::path::PathBuf;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use musubi_app::mail::{self, DevMail, DevMailSummary, MailLang};

use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::views::{Chrome, html_page};
use crate::{WebConfig, WebState};

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/dev/mailbox", get(list))
        .route("/dev/mailbox/{id}", get(show))
}

/// [`routes`] in dev-mailbox mode, nothing otherwise.
pub fn routes_for(config: &WebConfig) -> Router<WebState> {
    if config.dev_mail_dir.is_some() {
        routes()
    } else {
        Router::new()
    }
}

/// Texts of the dev mailbox pages (part of [`crate::i18n::Texts`]).
#[derive(Debug)]
pub struct DevMailboxTexts {
    pub title: &'static str,
    pub notice: &'static str,
    /// Before the directory's path.
    pub folder_label: &'static str,
    pub empty: &'static str,
    pub col_date: &'static str,
    pub col_to: &'static str,
    pub col_subject: &'static str,
    pub no_subject: &'static str,
    pub from_label: &'static str,
    pub to_label: &'static str,
    pub date_label: &'static str,
    pub message_id_label: &'static str,
    pub body_heading: &'static str,
    pub headers_heading: &'static str,
    pub back: &'static str,
}

pub static JA: DevMailboxTexts = DevMailboxTexts {
    title: "開発用メールボックス",
    notice: "これは開発用のメールボックスです。メールは実際には送信されず、ここに保存されたものを表示しています（MUSUBI_SMTP_URL が設定されていません）。",
    folder_label: "保存先：",
    empty: "メールはまだありません。",
    col_date: "日時",
    col_to: "宛先",
    col_subject: "件名",
    no_subject: "（件名なし）",
    from_label: "差出人",
    to_label: "宛先",
    date_label: "日時",
    message_id_label: "Message-ID",
    body_heading: "本文",
    headers_heading: "すべてのヘッダー",
    back: "メール一覧へ戻る",
};

pub static EN: DevMailboxTexts = DevMailboxTexts {
    title: "Development mailbox",
    notice: "This is the development mailbox. Mail is not really sent: it is saved and shown here instead (MUSUBI_SMTP_URL is not set).",
    folder_label: "Saved in:",
    empty: "No mail yet.",
    col_date: "Date",
    col_to: "To",
    col_subject: "Subject",
    no_subject: "(no subject)",
    from_label: "From",
    to_label: "To",
    date_label: "Date",
    message_id_label: "Message-ID",
    body_heading: "Message",
    headers_heading: "All headers",
    back: "Back to the mailbox",
};

/// One row of the listing, ready to print.
pub struct MailRow {
    pub href: String,
    pub date: String,
    pub to: String,
    pub subject: String,
}

#[derive(Template)]
#[template(path = "dev_mailbox.html")]
pub struct DevMailboxPage {
    pub chrome: Chrome,
    pub folder: String,
    pub mails: Vec<MailRow>,
}

#[derive(Template)]
#[template(path = "dev_mailbox_mail.html")]
pub struct DevMailPage {
    pub chrome: Chrome,
    pub date: String,
    pub mail: DevMail,
}

fn mail_lang(lang: Lang) -> MailLang {
    match lang {
        Lang::Ja => MailLang::Ja,
        Lang::En => MailLang::En,
    }
}

fn mail_dir(state: &WebState) -> AppResult<PathBuf> {
    state
        .config
        .dev_mail_dir
        .clone()
        .ok_or_else(AppError::not_found)
}

/// Runs blocking file work off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| AppError::internal())
}

/// `GET /dev/mailbox`: every mail, newest first.
pub async fn list(chrome: Chrome, State(state): State<WebState>) -> AppResult<Response> {
    let dir = mail_dir(&state)?;
    let folder = dir.display().to_string();
    let mails: Vec<DevMailSummary> = blocking(move || mail::list_dev_mail(&dir)).await?;
    let lang = mail_lang(chrome.lang);
    let mails = mails
        .into_iter()
        .map(|m| MailRow {
            href: format!("/dev/mailbox/{}", m.id),
            date: mail::display_date(m.date, lang),
            to: m.to,
            subject: m.subject,
        })
        .collect();
    html_page(
        chrome.lang,
        &DevMailboxPage {
            chrome,
            folder,
            mails,
        },
    )
}

/// `GET /dev/mailbox/{id}`: one mail, decoded.
pub async fn show(
    chrome: Chrome,
    State(state): State<WebState>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let dir = mail_dir(&state)?;
    if !mail::is_valid_dev_mail_id(&id) {
        return Err(AppError::not_found());
    }
    let mail = blocking(move || mail::read_dev_mail(&dir, &id))
        .await?
        .ok_or_else(AppError::not_found)?;
    let date = mail::display_date(mail.date, mail_lang(chrome.lang));
    html_page(chrome.lang, &DevMailPage { chrome, date, mail })
}
