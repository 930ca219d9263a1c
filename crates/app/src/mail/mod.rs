//! Outgoing mail: built here, sent by the outbox worker (job kind `mail.send`).
//!
//! A change that causes a mail queues [`mail_job`] in its own transaction; the
//! worker's [`MailHandler`] sends it through the [`Mailer`]:
//!
//! - with `MUSUBI_SMTP_URL` set (production), over SMTP — `smtp://user:pass@host:port`
//!   (plain), `smtp://host:587?tls=required` (STARTTLS), `smtps://host:465`
//!   (implicit TLS), via rustls with Mozilla's root certificates built in;
//! - without it (development), into the *dev mailbox*: each mail is written to
//!   `<data-dir>/mail/<message-id>.eml`, exactly the bytes SMTP would have
//!   sent, and shown at `/dev/mailbox`.
//!
//! Delivery is idempotent per Message-ID: the id is fixed when the job is
//! queued ([`OutgoingMail::new_message_id`]), the job's dedupe key is the id
//! (queuing the same mail twice queues it once), and a retry re-sends the same
//! id (a dev-mailbox retry overwrites the same file).

mod devbox;
mod parse;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message, SinglePart};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Tokio1Executor};
use musubi_storage::{ClaimedJob, NewJob};
use serde::{Deserialize, Serialize};

pub use devbox::{
    DevMail, DevMailSummary, is_valid_dev_mail_id, list_dev_mail, read_dev_mail, write_dev_mail,
};
pub use parse::{ParsedMail, decode_encoded_words};

use crate::jobs::{JobError, JobHandler, JobOutput, Registry};

/// Job kind of [`mail_job`].
pub const MAIL_KIND: &str = "mail.send";

/// Sender used when none is configured.
pub const DEFAULT_FROM: &str = "結び Musubi <noreply@musubi.invalid>";

/// How long one SMTP conversation may take before it counts as a
/// (transient) failure.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where mail goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    /// `MUSUBI_SMTP_URL`; `None` (or blank) writes mail to `mail_dir` instead.
    pub smtp_url: Option<String>,
    /// The `From` header: an address, with or without a display name.
    pub from: String,
    /// The dev mailbox (used only without `smtp_url`): `<data-dir>/mail`.
    pub mail_dir: PathBuf,
}

impl MailConfig {
    /// Development defaults for a data directory: no SMTP, mail in `<data_dir>/mail`.
    pub fn new(data_dir: &Path) -> Self {
        MailConfig {
            smtp_url: None,
            from: DEFAULT_FROM.to_owned(),
            mail_dir: data_dir.join("mail"),
        }
    }

    fn smtp_url(&self) -> Option<&str> {
        self.smtp_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The configuration cannot work (bad SMTP URL, bad sender address).
    #[error("{0}")]
    Config(String),
    /// Worth another attempt: SMTP 4xx, connection refused or lost, timeout,
    /// TLS handshake, a full disk.
    #[error("{0}")]
    Transient(String),
    /// Will never succeed: SMTP 5xx for this mail, an invalid recipient.
    #[error("{0}")]
    Permanent(String),
}

impl MailError {
    pub fn is_transient(&self) -> bool {
        matches!(self, MailError::Transient(_))
    }
}

/// Language a mail is written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailLang {
    #[default]
    Ja,
    En,
}

impl MailLang {
    pub fn code(self) -> &'static str {
        match self {
            MailLang::Ja => "ja",
            MailLang::En => "en",
        }
    }
}

/// One mail to one recipient, as stored in a `mail.send` job's payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingMail {
    /// `<purpose.random@musubi>`, fixed when the mail is queued.
    pub message_id: String,
    /// `taro@example.jp` or `山田 太郎 <taro@example.jp>`.
    pub to: String,
    pub subject: String,
    /// Plain text; line ends may be `\n` (sent as CRLF).
    pub text_body: String,
    #[serde(default)]
    pub lang: MailLang,
    /// The one-click unsubscribe address (RFC 8058) of alert mail: sent as
    /// `List-Unsubscribe` with `List-Unsubscribe-Post`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsubscribe_url: Option<String>,
}

impl OutgoingMail {
    /// A mail with a fresh Message-ID for `purpose` (e.g. `"verify-email"`).
    pub fn new(
        purpose: &str,
        to: impl Into<String>,
        subject: impl Into<String>,
        text_body: impl Into<String>,
        lang: MailLang,
    ) -> Self {
        OutgoingMail {
            message_id: Self::new_message_id(purpose),
            to: to.into(),
            subject: subject.into(),
            text_body: text_body.into(),
            lang,
            unsubscribe_url: None,
        }
    }

    /// `<purpose.<32 hex digits>@musubi>`. `purpose` is reduced to
    /// `[a-z0-9-]` so the id is also a safe file name.
    pub fn new_message_id(purpose: &str) -> String {
        use rand::Rng;
        let purpose: String = purpose
            .chars()
            .map(|c| c.to_ascii_lowercase())
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .take(40)
            .collect();
        let purpose = if purpose.is_empty() {
            "mail".to_owned()
        } else {
            purpose
        };
        let bytes: [u8; 16] = rand::rng().random();
        let random: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!("<{purpose}.{random}@musubi>")
    }
}

/// The `mail.send` job for `mail`; queued twice, it is queued once.
pub fn mail_job(mail: &OutgoingMail) -> NewJob {
    NewJob::new(
        MAIL_KIND,
        serde_json::to_value(mail).expect("plain struct serialises"),
    )
    .dedupe_key(mail.message_id.clone())
}

/// Sends mail over SMTP or into the dev mailbox. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
}

struct Inner {
    from: Mailbox,
    transport: Transport,
}

enum Transport {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// The URL with its password masked, for logs.
        redacted_url: String,
    },
    DevMailbox(PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Mailer");
        d.field("from", &self.inner.from.to_string());
        match &self.inner.transport {
            Transport::Smtp { redacted_url, .. } => d.field("smtp", redacted_url),
            Transport::DevMailbox(dir) => d.field("dev_mailbox", dir),
        };
        d.finish()
    }
}

impl Mailer {
    pub fn from_config(config: &MailConfig) -> Result<Mailer, MailError> {
        let from: Mailbox = config.from.trim().parse().map_err(|e| {
            MailError::Config(format!(
                "the sender address {:?} is not a valid mailbox: {e}",
                config.from
            ))
        })?;
        let transport = match config.smtp_url() {
            Some(url) => {
                let redacted_url = redact_url(url);
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| {
                        MailError::Config(format!(
                            "MUSUBI_SMTP_URL ({redacted_url}) is not a usable SMTP URL: {}; \
                             expected smtp://user:pass@host:port, smtp://host:port?tls=required \
                             or smtps://host:port",
                            one_line(&e.to_string())
                        ))
                    })?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build();
                Transport::Smtp {
                    transport,
                    redacted_url,
                }
            }
            None => Transport::DevMailbox(config.mail_dir.clone()),
        };
        Ok(Mailer {
            inner: Arc::new(Inner { from, transport }),
        })
    }

    /// True when mail goes to files instead of an SMTP server.
    pub fn is_dev_mailbox(&self) -> bool {
        matches!(self.inner.transport, Transport::DevMailbox(_))
    }

    /// The dev mailbox directory, in dev-mailbox mode.
    pub fn dev_mail_dir(&self) -> Option<&Path> {
        match &self.inner.transport {
            Transport::DevMailbox(dir) => Some(dir),
            Transport::Smtp { .. } => None,
        }
    }

    /// The full RFC 5322 message for `mail`, dated now: what SMTP sends.
    pub fn render(&self, mail: &OutgoingMail) -> Result<Vec<u8>, MailError> {
        Ok(self.build(mail, SystemTime::now())?.formatted())
    }

    pub async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let message = self.build(mail, SystemTime::now())?;
        match &self.inner.transport {
            Transport::Smtp { transport, .. } => {
                transport.send(message).await.map_err(classify)?;
                tracing::info!(message_id = %mail.message_id, "mail sent over SMTP");
            }
            Transport::DevMailbox(dir) => {
                let path = write_dev_mail(dir, &mail.message_id, &message.formatted()).await?;
                tracing::info!(
                    message_id = %mail.message_id,
                    path = %path.display(),
                    "mail written to the dev mailbox (not sent)"
                );
            }
        }
        Ok(())
    }

    fn build(&self, mail: &OutgoingMail, date: SystemTime) -> Result<Message, MailError> {
        let to: Mailbox =
            mail.to.trim().parse().map_err(|e| {
                MailError::Permanent(format!("invalid recipient {:?}: {e}", mail.to))
            })?;
        let message_id = mail.message_id.trim();
        if !is_valid_message_id(message_id) {
            return Err(MailError::Permanent(format!(
                "invalid Message-ID {:?}",
                mail.message_id
            )));
        }
        let mut builder = Message::builder();
        if let Some(url) = &mail.unsubscribe_url {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{}>", url.replace(['\r', '\n', '<', '>'], "")),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        builder
            .message_id(Some(message_id.to_owned()))
            .date(date)
            .from(self.inner.from.clone())
            .to(to)
            // A header is one line: a stray line break would end it early.
            .subject(mail.subject.replace(['\r', '\n'], " "))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Content-Language"),
                mail.lang.code().to_owned(),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".to_owned(),
            ))
            // Content-Type: text/plain; charset=utf-8, MIME-Version 1.0, and the
            // transfer encoding lettre finds best (base64 for Japanese text).
            .singlepart(SinglePart::plain(mail.text_body.clone()))
            .map_err(|e| MailError::Permanent(format!("cannot build the mail: {e}")))
    }
}

/// `<left@right>` with no spaces, brackets or line breaks inside.
fn is_valid_message_id(id: &str) -> bool {
    let Some(inner) = id.strip_prefix('<').and_then(|s| s.strip_suffix('>')) else {
        return false;
    };
    let Some((left, right)) = inner.split_once('@') else {
        return false;
    };
    !left.is_empty()
        && !right.is_empty()
        && inner
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '\\'))
}

/// SMTP 4xx and network trouble are worth retrying; 5xx is final, except the
/// authentication and TLS-policy replies (530, 534, 535, 538): those say the
/// relay settings are wrong, not the mail, and the mail should go out once an
/// operator fixes them.
fn classify(e: lettre::transport::smtp::Error) -> MailError {
    let message = format!("SMTP: {}", one_line(&e.to_string()));
    if e.is_permanent() {
        let code = e.status().map(|c| c.to_string()).unwrap_or_default();
        if matches!(code.as_str(), "530" | "534" | "535" | "538") {
            MailError::Transient(message)
        } else {
            MailError::Permanent(message)
        }
    } else {
        MailError::Transient(message)
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `smtp://user:secret@host` → `smtp://user:***@host`.
pub(crate) fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        // Not a URL at all: show nothing that could be a secret.
        return "<not a URL>".to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let masked = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                user.to_owned()
            };
            format!("{scheme}://{masked}@{host}{tail}")
        }
        None => format!("{scheme}://{authority}{tail}"),
    }
}

/// Formats a mail's date in Japan time for people: "2026年11月22日 18:00" or
/// "2026-11-22 18:00 JST"; empty when unknown.
pub fn display_date(date: Option<DateTime<Utc>>, lang: MailLang) -> String {
    use musubi_domain::time::{format_japan_datetime, format_japan_datetime_en};
    match (date, lang) {
        (None, _) => String::new(),
        (Some(d), MailLang::Ja) => format_japan_datetime(d),
        (Some(d), MailLang::En) => format_japan_datetime_en(d),
    }
}

/// Runs `mail.send` jobs.
pub struct MailHandler {
    mailer: Mailer,
}

impl MailHandler {
    pub fn new(mailer: Mailer) -> Self {
        MailHandler { mailer }
    }
}

#[async_trait]
impl JobHandler for MailHandler {
    fn kind(&self) -> &'static str {
        MAIL_KIND
    }

    async fn run(&self, job: &ClaimedJob) -> Result<JobOutput, JobError> {
        let mail: OutgoingMail = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::Permanent(format!("bad mail payload: {e}")))?;
        match self.mailer.send(&mail).await {
            Ok(()) => Ok(JobOutput::default()),
            Err(MailError::Transient(e)) => Err(JobError::Retry(e)),
            Err(e @ (MailError::Permanent(_) | MailError::Config(_))) => {
                Err(JobError::Permanent(e.to_string()))
            }
        }
    }
}

/// Adds the `mail.send` handler to `registry`.
pub fn register(registry: &mut Registry, mailer: Mailer) {
    registry.register(MailHandler::new(mailer));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailer(dir: &Path) -> Mailer {
        Mailer::from_config(&MailConfig::new(dir)).unwrap()
    }

    #[test]
    fn message_ids_are_unique_and_safe() {
        let a = OutgoingMail::new_message_id("verify-email");
        let b = OutgoingMail::new_message_id("verify-email");
        assert_ne!(a, b);
        assert!(
            a.starts_with("<verify-email.") && a.ends_with("@musubi>"),
            "{a}"
        );
        assert!(is_valid_message_id(&a));
        let odd = OutgoingMail::new_message_id("メール/../Reset Password");
        assert!(is_valid_message_id(&odd), "{odd}");
        assert!(odd.starts_with("<-------reset-password."), "{odd}");
        assert!(OutgoingMail::new_message_id("").starts_with("<mail."));
        assert!(!is_valid_message_id("no-brackets@musubi"));
        assert!(!is_valid_message_id("<a b@musubi>"));
        assert!(!is_valid_message_id("<nomark>"));
    }

    #[test]
    fn jobs_are_deduplicated_by_message_id() {
        let mail = OutgoingMail::new("t", "a@example.jp", "s", "b", MailLang::En);
        let job = mail_job(&mail);
        assert_eq!(job.kind, MAIL_KIND);
        assert_eq!(job.dedupe_key.as_deref(), Some(mail.message_id.as_str()));
        let back: OutgoingMail = serde_json::from_value(job.payload).unwrap();
        assert_eq!(back, mail);
        assert_eq!(
            serde_json::to_value(MailLang::Ja).unwrap(),
            serde_json::json!("ja")
        );
    }

    #[test]
    fn bad_smtp_url_is_one_line_naming_the_variable_without_password() {
        let dir = std::env::temp_dir();
        for url in [
            "http://user:hunter2@mail.example.jp:25",
            "smtp://user:hunter2@:25",
            "smtp://user:hunter2@mail.example.jp:25?tls=sometimes",
        ] {
            let config = MailConfig {
                smtp_url: Some(url.to_owned()),
                ..MailConfig::new(&dir)
            };
            let err = Mailer::from_config(&config).unwrap_err().to_string();
            assert!(err.contains("MUSUBI_SMTP_URL"), "{err}");
            assert!(!err.contains("hunter2"), "{err}");
            assert!(!err.contains('\n'), "{err}");
        }
        assert_eq!(
            redact_url("smtps://u:p%40ss@h:465/helo?x=1"),
            "smtps://u:***@h:465/helo?x=1"
        );
        assert_eq!(redact_url("smtp://h:25"), "smtp://h:25");
        assert_eq!(redact_url("garbage:secret"), "<not a URL>");
    }

    #[test]
    fn smtp_urls_of_every_form_are_accepted() {
        let dir = std::env::temp_dir();
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://user:pa%20ss@mail.example.jp:587?tls=required",
            "smtp://mail.example.jp?tls=opportunistic",
            "smtps://user:pass@mail.example.jp",
        ] {
            let config = MailConfig {
                smtp_url: Some(url.to_owned()),
                ..MailConfig::new(&dir)
            };
            let m = Mailer::from_config(&config).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(!m.is_dev_mailbox());
        }
        let blank = MailConfig {
            smtp_url: Some("  ".into()),
            ..MailConfig::new(&dir)
        };
        assert!(Mailer::from_config(&blank).unwrap().is_dev_mailbox());
    }

    #[test]
    fn japanese_mail_is_encoded_and_decodes_back() {
        let dir = std::env::temp_dir();
        let mail = OutgoingMail::new(
            "verify-email",
            "山田 太郎 <taro@example.jp>",
            "【結び】メールアドレスの確認",
            "山田様\n\n以下のURLを開いて、メールアドレスを確認してください。\nhttps://musubi.example/verify?t=abc\n",
            MailLang::Ja,
        );
        let raw = mailer(&dir).render(&mail).unwrap();
        let text = String::from_utf8(raw.clone()).unwrap();
        assert!(text.is_ascii(), "headers and body are 7-bit on the wire");
        for line in text.split("\r\n") {
            assert!(line.len() <= 78, "{line}");
        }
        assert!(text.contains("Content-Type: text/plain; charset=utf-8\r\n"));
        assert!(text.contains("MIME-Version: 1.0\r\n"));
        assert!(text.contains("Auto-Submitted: auto-generated\r\n"));
        assert!(text.contains(&format!("Message-ID: {}\r\n", mail.message_id)));
        assert!(text.contains("\r\nDate: ") || text.starts_with("Date: "));
        assert!(text.contains("Subject: =?utf-8?"));

        let parsed = ParsedMail::parse(&raw);
        assert_eq!(parsed.header("Subject"), Some(mail.subject.as_str()));
        assert_eq!(parsed.header("To"), Some("山田 太郎 <taro@example.jp>"));
        assert_eq!(
            parsed.header("From"),
            Some("結び Musubi <noreply@musubi.invalid>")
        );
        assert_eq!(parsed.text_body, mail.text_body);
        assert!(parsed.date().is_some());
    }

    #[test]
    fn header_injection_is_neutralised_and_bad_recipients_are_permanent() {
        let dir = std::env::temp_dir();
        let mut mail = OutgoingMail::new(
            "x",
            "a@example.jp",
            "hello\r\nBcc: evil@example.com",
            "body",
            MailLang::En,
        );
        let raw = String::from_utf8(mailer(&dir).render(&mail).unwrap()).unwrap();
        assert!(!raw.contains("\r\nBcc:"), "{raw}");
        mail.to = "not an address".into();
        assert!(matches!(
            mailer(&dir).render(&mail),
            Err(MailError::Permanent(_))
        ));
    }
}
