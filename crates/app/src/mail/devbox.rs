//! The dev mailbox: without an SMTP server, each mail is a file
//! `<mail_dir>/<id>.eml` holding exactly the bytes SMTP would have sent.
//! `<id>` is the Message-ID made safe as a file name, so re-sending a mail
//! (a retry after a crash) overwrites its file instead of adding another.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{DateTime, Utc};

use super::MailError;
use super::parse::ParsedMail;

/// Longest id (file name without `.eml`) we write or read.
const MAX_ID_LEN: usize = 200;

/// One line of the dev mailbox listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevMailSummary {
    /// The file name without `.eml`; what [`read_dev_mail`] takes.
    pub id: String,
    pub date: Option<DateTime<Utc>>,
    pub from: String,
    pub to: String,
    pub subject: String,
}

/// One mail of the dev mailbox, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevMail {
    pub id: String,
    pub message_id: String,
    pub date: Option<DateTime<Utc>>,
    pub from: String,
    pub to: String,
    pub subject: String,
    /// Every header, unfolded and decoded, in order.
    pub headers: Vec<(String, String)>,
    pub text_body: String,
}

/// The file id for a Message-ID: `<verify-email.ab12@musubi>` →
/// `verify-email.ab12@musubi`. Anything but `[A-Za-z0-9._@+-]` becomes `_`,
/// and no `..` or leading dot survives.
pub(crate) fn file_id(message_id: &str) -> String {
    let inner = message_id.trim();
    let inner = inner.strip_prefix('<').unwrap_or(inner);
    let inner = inner.strip_suffix('>').unwrap_or(inner);
    let mut id = String::with_capacity(inner.len());
    for c in inner.chars() {
        let c = if is_id_char(c) { c } else { '_' };
        let c = if c == '.' && (id.is_empty() || id.ends_with('.')) {
            '_'
        } else {
            c
        };
        id.push(c);
        if id.len() >= MAX_ID_LEN {
            break;
        }
    }
    if id.is_empty() { "mail".to_owned() } else { id }
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '+' | '-')
}

/// True for an id [`read_dev_mail`] accepts: no path separators, no `..`,
/// no leading dot, only `[A-Za-z0-9._@+-]`.
pub fn is_valid_dev_mail_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && !id.starts_with('.')
        && !id.contains("..")
        && id.chars().all(is_id_char)
}

/// Writes `raw` as the mail `message_id` atomically (temp file, fsync,
/// rename); returns the file's path.
pub async fn write_dev_mail(
    dir: &Path,
    message_id: &str,
    raw: &[u8],
) -> Result<PathBuf, MailError> {
    let dir = dir.to_path_buf();
    let id = file_id(message_id);
    let raw = raw.to_vec();
    tokio::task::spawn_blocking(move || write_atomically(&dir, &id, &raw))
        .await
        .map_err(|e| MailError::Transient(format!("writing the dev mailbox: {e}")))?
        .map_err(|e| MailError::Transient(format!("writing the dev mailbox: {e}")))
}

fn write_atomically(dir: &Path, id: &str, raw: &[u8]) -> std::io::Result<PathBuf> {
    use rand::Rng;
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{id}.eml"));
    let tmp = dir.join(format!(".{id}.{:08x}.tmp", rand::rng().random::<u32>()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(raw)?;
        file.sync_all()?;
        std::fs::rename(&tmp, &path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    Ok(path)
}

/// The mails in `dir`, newest first (by `Date`, then file time). A missing
/// or unreadable directory is an empty mailbox.
pub fn list_dev_mail(dir: &Path) -> Vec<DevMailSummary> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut mails: Vec<(DevMailSummary, Option<SystemTime>)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let id = name.strip_suffix(".eml")?;
            if !is_valid_dev_mail_id(id) {
                return None;
            }
            let raw = std::fs::read(entry.path()).ok()?;
            let modified = entry.metadata().and_then(|m| m.modified()).ok();
            let mail = ParsedMail::parse(&raw);
            let summary = DevMailSummary {
                id: id.to_owned(),
                date: mail.date(),
                from: mail.header("From").unwrap_or_default().to_owned(),
                to: mail.header("To").unwrap_or_default().to_owned(),
                subject: mail.header("Subject").unwrap_or_default().to_owned(),
            };
            Some((summary, modified))
        })
        .collect();
    mails.sort_by(|(a, a_time), (b, b_time)| (b.date, b_time, &a.id).cmp(&(a.date, a_time, &b.id)));
    mails.into_iter().map(|(summary, _)| summary).collect()
}

/// The mail `id` (a file name without `.eml`), decoded; `None` if the id is
/// not a valid one (e.g. contains `/` or `..`) or there is no such mail.
pub fn read_dev_mail(dir: &Path, id: &str) -> Option<DevMail> {
    if !is_valid_dev_mail_id(id) {
        return None;
    }
    let raw = std::fs::read(dir.join(format!("{id}.eml"))).ok()?;
    let mail = ParsedMail::parse(&raw);
    let get = |name: &str| mail.header(name).unwrap_or_default().to_owned();
    Some(DevMail {
        id: id.to_owned(),
        message_id: get("Message-ID"),
        date: mail.date(),
        from: get("From"),
        to: get("To"),
        subject: get("Subject"),
        text_body: mail.text_body.clone(),
        headers: mail.headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_ids() {
        assert_eq!(
            file_id("<verify-email.0a1b@musubi>"),
            "verify-email.0a1b@musubi"
        );
        assert_eq!(file_id("<../../etc/passwd>"), "_._.__etc_passwd");
        assert_eq!(file_id("<.hidden..x@y>"), "_hidden._x@y");
        assert_eq!(file_id("<>"), "mail");
        for id in ["<a/b@c>", "<..@..>", "<日本@x>", "<a\\b>"] {
            assert!(is_valid_dev_mail_id(&file_id(id)), "{id}");
        }
        assert_eq!(file_id(&format!("<{}>", "a".repeat(500))).len(), MAX_ID_LEN);
    }

    #[test]
    fn ids_with_separators_or_dots_are_rejected() {
        for id in [
            "", "a/b", "a\\b", "..", "../x", "a..b", ".x", "a b", "a%2fb",
        ] {
            assert!(!is_valid_dev_mail_id(id), "{id:?}");
        }
        assert!(is_valid_dev_mail_id("verify-email.0a1b@musubi"));
    }

    #[tokio::test]
    async fn rewriting_a_mail_replaces_its_file() {
        let dir = std::env::temp_dir().join(format!("musubi-devbox-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let p1 = write_dev_mail(&dir, "<x.1@musubi>", b"Subject: one\r\n\r\nfirst\r\n")
            .await
            .unwrap();
        let p2 = write_dev_mail(&dir, "<x.1@musubi>", b"Subject: two\r\n\r\nsecond\r\n")
            .await
            .unwrap();
        assert_eq!(p1, p2);
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["x.1@musubi.eml"]);
        let listed = list_dev_mail(&dir);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].subject, "two");
        let mail = read_dev_mail(&dir, "x.1@musubi").unwrap();
        assert_eq!(mail.text_body, "second");
        assert!(read_dev_mail(&dir, "x.2@musubi").is_none());
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(list_dev_mail(&dir).is_empty());
    }
}
