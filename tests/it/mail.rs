//! Mail delivery through a real SMTP server (aiosmtpd), the dev mailbox
//! (files and pages), and the outbox path on both databases.
//!
//! SMTP tests need Python's `aiosmtpd` (`pip install aiosmtpd`). Without it
//! they print "SKIPPED: aiosmtpd not installed" and pass, unless
//! `MUSUBI_REQUIRE_SMTP=1` (CI), where they fail.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use musubi_app::jobs::{Registry, Worker, WorkerConfig};
use musubi_app::mail::{
    self, MailConfig, MailLang, Mailer, OutgoingMail, ParsedMail, list_dev_mail, mail_job,
    read_dev_mail,
};
use musubi_app::{Clock, ManualClock};
use musubi_storage::JobStatus;

use crate::support::{ChildGuard, TestDb, both_backends};

both_backends!(outbox_sends_each_mail_once, smtp_down_then_up_delivers_once);

const SUBJECT: &str = "【結び】メールアドレスの確認";
const TO: &str = "山田 太郎 <taro@example.jp>";
const BODY: &str = "山田 太郎 様\n\n\
結び（Musubi）へのご登録ありがとうございます。\n\
以下のURLを開いて、メールアドレスの確認を完了してください。\n\
https://musubi.example/verify?token=abc123\n\n\
※このメールは送信専用です。ご返信いただいてもお答えできません。\n\
―――――――――――――――――――――\n\
結び（Musubi）運営事務局\n";

fn japanese_mail() -> OutgoingMail {
    OutgoingMail::new("verify-email", TO, SUBJECT, BODY, MailLang::Ja)
}

fn dev_mailer(dir: &Path) -> Mailer {
    let mailer = Mailer::from_config(&MailConfig {
        smtp_url: None,
        from: mail::DEFAULT_FROM.to_owned(),
        mail_dir: dir.to_path_buf(),
    })
    .unwrap();
    assert!(mailer.is_dev_mailbox());
    mailer
}

fn smtp_mailer(port: u16) -> Mailer {
    let mailer = Mailer::from_config(&MailConfig {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        ..MailConfig::new(Path::new("/nonexistent"))
    })
    .unwrap();
    assert!(!mailer.is_dev_mailbox());
    mailer
}

fn eml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

// --- the dev mailbox ---------------------------------------------------------

#[tokio::test]
async fn japanese_mail_round_trips_through_the_dev_mailbox() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("mail");
    let mailer = dev_mailer(&dir);
    let mail = japanese_mail();
    mailer.send(&mail).await.unwrap();

    let files = eml_files(&dir);
    assert_eq!(files.len(), 1, "{files:?}");
    let raw = std::fs::read(&files[0]).unwrap();
    // On the wire everything is 7-bit: RFC 2047 headers, base64 body.
    let text = String::from_utf8(raw.clone()).unwrap();
    assert!(text.is_ascii(), "{text}");
    assert!(text.contains("Content-Type: text/plain; charset=utf-8\r\n"));
    assert!(text.contains("Auto-Submitted: auto-generated\r\n"));
    assert!(text.contains("Subject: =?utf-8?"), "{text}");
    assert!(text.contains(&format!("Message-ID: {}\r\n", mail.message_id)));
    assert!(text.starts_with("Message-ID: ") || text.contains("\r\nDate: "));

    let listed = list_dev_mail(&dir);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].subject, SUBJECT);
    assert_eq!(listed[0].to, TO);
    assert!(listed[0].date.is_some());
    let id = &listed[0].id;
    assert_eq!(
        files[0].file_name().unwrap().to_str().unwrap(),
        format!("{id}.eml")
    );

    let read = read_dev_mail(&dir, id).unwrap();
    assert_eq!(read.subject, SUBJECT);
    assert_eq!(read.to, TO);
    assert_eq!(read.from, "結び Musubi <noreply@musubi.invalid>");
    assert_eq!(read.message_id, mail.message_id);
    assert_eq!(read.text_body, BODY);
    assert_eq!(read.date, listed[0].date);

    // Sending the same mail again (a retry) replaces the file.
    mailer.send(&mail).await.unwrap();
    assert_eq!(eml_files(&dir), files);
    // Leaves no temp files behind.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);

    // A second mail is listed first (newest first).
    let later = OutgoingMail::new("notice", "b@example.jp", "second", "hi", MailLang::En);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    mailer.send(&later).await.unwrap();
    let listed = list_dev_mail(&dir);
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].subject, "second");
    assert_eq!(read_dev_mail(&dir, &listed[0].id).unwrap().text_body, "hi");
}

#[tokio::test]
async fn dev_mail_ids_with_path_separators_are_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("mail");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(
        tmp.path().join("secret.eml"),
        "Subject: secret\r\n\r\nx\r\n",
    )
    .unwrap();
    std::fs::write(dir.join("sub/inner.eml"), "Subject: inner\r\n\r\nx\r\n").unwrap();
    for id in [
        "../secret",
        "..",
        "sub/inner",
        "sub\\inner",
        "/etc/passwd",
        ".",
        "",
    ] {
        assert!(!mail::is_valid_dev_mail_id(id), "{id:?}");
        assert!(read_dev_mail(&dir, id).is_none(), "{id:?}");
    }
    assert!(list_dev_mail(&dir).is_empty());
    assert!(list_dev_mail(&tmp.path().join("missing")).is_empty());
}

#[tokio::test]
async fn dev_mailbox_pages_exist_only_in_dev_mailbox_mode() {
    let db = TestDb::sqlite().await;
    let dir = db.data_path().join("mail");
    let mail = japanese_mail();
    dev_mailer(&dir).send(&mail).await.unwrap();
    let id = list_dev_mail(&dir)[0].id.clone();

    let http = reqwest::Client::new();
    let base = serve_web(&db, Some(dir.clone())).await;

    let r = http
        .get(format!("{base}/dev/mailbox"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains(r#"<html lang="ja""#));
    assert!(page.contains("開発用メールボックス"), "{page}");
    assert!(page.contains("実際には送信されず"), "{page}");
    assert!(page.contains(SUBJECT), "{page}");
    assert!(
        page.contains("山田 太郎 &#60;taro@example.jp&#62;"),
        "{page}"
    );
    assert!(page.contains(&format!("/dev/mailbox/{id}")), "{page}");

    let r = http
        .get(format!("{base}/dev/mailbox?lang=en"))
        .send()
        .await
        .unwrap();
    let page = r.text().await.unwrap();
    assert!(page.contains("Development mailbox"), "{page}");
    assert!(page.contains("not really sent"), "{page}");

    let r = http
        .get(format!("{base}/dev/mailbox/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("結び（Musubi）へのご登録ありがとうございます。"),
        "{page}"
    );
    assert!(
        page.contains("https://musubi.example/verify?token=abc123"),
        "{page}"
    );
    assert!(page.contains(&format!("&#60;{id}&#62;")), "{page}");
    assert!(page.contains("開発用メールボックス"), "{page}");

    for bad in ["nope@musubi", "..%2Fmusubi.db", "%2E%2E"] {
        let r = http
            .get(format!("{base}/dev/mailbox/{bad}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{bad}");
    }

    // Without the dev mailbox (SMTP configured) the pages do not exist.
    let base = serve_web(&db, None).await;
    for path in ["/dev/mailbox", &format!("/dev/mailbox/{id}")] {
        let r = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
}

/// Serves the web router in this process; returns its base URL. The server
/// stops with the test's runtime.
async fn serve_web(db: &TestDb, dev_mail_dir: Option<PathBuf>) -> String {
    let config = musubi_web::WebConfig {
        dev_mail_dir,
        ..musubi_web::WebConfig::default()
    };
    // The services need the whole store: open the test database again as one.
    let store = musubi_storage::SqliteStore::open(&db.data_path().join("musubi.db"))
        .await
        .unwrap();
    let services = musubi_app::Services::new(
        Arc::new(store),
        Arc::new(musubi_app::SystemClock),
        musubi_app::AppConfig {
            base_url: "http://127.0.0.1".into(),
            ..Default::default()
        },
    );
    let state = musubi_web::WebState::new(services, config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(musubi_web::serve(
        listener,
        musubi_web::router(state),
        std::future::pending(),
    ));
    format!("http://{addr}")
}

// --- a real SMTP server ------------------------------------------------------

/// aiosmtpd on 127.0.0.1:`port`, storing each message's raw bytes as a file.
const SMTP_SERVER_PY: &str = r#"
import asyncio, os, sys
from aiosmtpd.smtp import SMTP

class Store:
    def __init__(self, folder, die_at):
        self.folder, self.count, self.die_at = folder, 0, die_at
    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = os.path.join(self.folder, "%d-%04d" % (os.getpid(), self.count))
        with open(name + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(name + ".tmp", name + ".eml")
        if self.count == self.die_at:
            # Stored, never acknowledged: the server dies here.
            os._exit(3)
        return "250 OK stored"

async def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    die_at = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    store = Store(folder, die_at)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(store, decode_data=False, hostname="smtp.test"), "127.0.0.1", port)
    print("READY", flush=True)
    await server.serve_forever()

asyncio.run(main())
"#;

/// True when the SMTP tests can run; with MUSUBI_REQUIRE_SMTP=1 a missing
/// aiosmtpd is a failure.
pub(crate) fn smtp_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if std::env::var("MUSUBI_REQUIRE_SMTP").is_ok_and(|v| v == "1") {
            panic!("MUSUBI_REQUIRE_SMTP=1 but aiosmtpd is not installed (pip install aiosmtpd)");
        }
        eprintln!("SKIPPED: aiosmtpd not installed");
    }
    ok
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) struct SmtpServer {
    child: ChildGuard,
}

impl SmtpServer {
    /// Starts the server and waits until it listens.
    pub(crate) fn start(port: u16, folder: &Path) -> SmtpServer {
        Self::start_dying(port, folder, 0)
    }

    /// A server that stores the `die_at`-th message and then exits without
    /// answering (0: never).
    pub(crate) fn start_dying(port: u16, folder: &Path, die_at: u32) -> SmtpServer {
        std::fs::create_dir_all(folder).unwrap();
        let mut child = Command::new("python3")
            .arg("-c")
            .arg(SMTP_SERVER_PY)
            .arg(port.to_string())
            .arg(folder)
            .arg(die_at.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start python3");
        let stdout = child.stdout.take().unwrap();
        let guard = ChildGuard(child);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("SMTP server did not start in 30 s");
        assert_eq!(line.trim(), "READY", "SMTP server did not start");
        SmtpServer { child: guard }
    }

    /// Waits (up to 30 s) for the server to have exited by itself.
    pub(crate) fn wait_for_exit(mut self) {
        for _ in 0..300 {
            if self.child.0.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the SMTP server did not exit");
    }
}

pub(crate) fn received(folder: &Path) -> Vec<ParsedMail> {
    eml_files(folder)
        .iter()
        .map(|p| ParsedMail::parse(&std::fs::read(p).unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn japanese_mail_over_smtp() {
    if !smtp_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let inbox = tmp.path().join("inbox");
    let port = free_port();
    let _server = SmtpServer::start(port, &inbox);

    let mail = japanese_mail();
    let mailer = smtp_mailer(port);
    mailer.send(&mail).await.unwrap();

    let got = received(&inbox);
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.header("Subject"), Some(SUBJECT));
    assert_eq!(m.header("To"), Some(TO));
    assert_eq!(m.header("From"), Some(mail::DEFAULT_FROM));
    assert_eq!(m.header("Message-ID"), Some(mail.message_id.as_str()));
    assert_eq!(m.header("Auto-Submitted"), Some("auto-generated"));
    assert_eq!(m.header("Content-Type"), Some("text/plain; charset=utf-8"));
    assert!(m.date().is_some());
    assert_eq!(m.text_body, BODY);

    // The SMTP server got what the dev mailbox would have stored.
    let raw = std::fs::read(&eml_files(&inbox)[0]).unwrap();
    let dev = tmp.path().join("dev");
    dev_mailer(&dev).send(&mail).await.unwrap();
    let stored = std::fs::read(&eml_files(&dev)[0]).unwrap();
    let without_date = |raw: &[u8]| -> String {
        String::from_utf8(raw.to_vec())
            .unwrap()
            .trim_end()
            .split("\r\n")
            .filter(|l| !l.starts_with("Date: "))
            .collect::<Vec<_>>()
            .join("\r\n")
    };
    assert_eq!(without_date(&raw), without_date(&stored));
}

fn worker_config() -> WorkerConfig {
    WorkerConfig {
        worker_id: "mail-test-worker".into(),
        concurrency: 2,
        lease: Duration::from_secs(60),
        poll_interval: Duration::from_millis(20),
        base_backoff: Duration::from_secs(10),
        max_backoff: Duration::from_secs(3600),
    }
}

fn mail_worker(db: &TestDb, clock: &ManualClock, mailer: Mailer) -> Worker {
    let mut registry = Registry::standard();
    mail::register(&mut registry, mailer);
    Worker::new(
        Arc::clone(&db.storage),
        Arc::new(clock.clone()),
        registry,
        worker_config(),
    )
}

fn clock() -> ManualClock {
    ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
}

async fn outbox_sends_each_mail_once(db: TestDb) {
    if !smtp_available() {
        return;
    }
    let inbox = db.data_path().join("inbox");
    let port = free_port();
    let _server = SmtpServer::start(port, &inbox);
    let clock = clock();
    let worker = mail_worker(&db, &clock, smtp_mailer(port));

    let mail = japanese_mail();
    let first = db
        .storage
        .enqueue_jobs(&[mail_job(&mail)], clock.now())
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    // The same mail again (same Message-ID): not queued a second time.
    let again = db
        .storage
        .enqueue_jobs(&[mail_job(&mail)], clock.now())
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(db.storage.job_counts().await.unwrap().queued, 1);

    let r = worker.run_until_idle().await.unwrap();
    assert_eq!((r.succeeded, r.retried, r.failed), (1, 0, 0));
    let got = received(&inbox);
    assert_eq!(got.len(), 1, "exactly one message arrived");
    assert_eq!(got[0].header("Message-ID"), Some(mail.message_id.as_str()));
    assert_eq!(got[0].header("Subject"), Some(SUBJECT));
    assert_eq!(got[0].text_body, BODY);
    let job = db.storage.job(first[0]).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Done);

    // Queuing it once more after delivery changes nothing either.
    let late = db
        .storage
        .enqueue_jobs(&[mail_job(&mail)], clock.now())
        .await
        .unwrap();
    assert!(late.is_empty());
    clock.advance(chrono::Duration::hours(1));
    assert_eq!(worker.run_until_idle().await.unwrap().succeeded, 0);
    assert_eq!(received(&inbox).len(), 1);
}

async fn smtp_down_then_up_delivers_once(db: TestDb) {
    if !smtp_available() {
        return;
    }
    let inbox = db.data_path().join("inbox");
    let port = free_port(); // nothing listens here yet
    let clock = clock();
    let worker = mail_worker(&db, &clock, smtp_mailer(port));
    let mail = japanese_mail();
    let id = db
        .storage
        .enqueue_jobs(&[mail_job(&mail)], clock.now())
        .await
        .unwrap()[0];

    // Server down: a transient failure, queued again for later.
    let r = worker.run_until_idle().await.unwrap();
    assert_eq!((r.succeeded, r.retried, r.failed), (0, 1, 0));
    let job = db.storage.job(id).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Queued);
    assert!(job.run_at > clock.now(), "retry is scheduled later");
    assert!(
        job.last_error.as_deref().unwrap_or("").contains("SMTP"),
        "{:?}",
        job.last_error
    );

    // Server up, but the retry is not due yet.
    let _server = SmtpServer::start(port, &inbox);
    assert_eq!(worker.run_until_idle().await.unwrap(), Default::default());
    assert!(received(&inbox).is_empty());

    clock.set(job.run_at);
    let r = worker.run_until_idle().await.unwrap();
    assert_eq!((r.succeeded, r.retried, r.failed), (1, 0, 0));
    let got = received(&inbox);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].header("Message-ID"), Some(mail.message_id.as_str()));
    assert_eq!(got[0].text_body, BODY);
    let job = db.storage.job(id).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Done);
    assert_eq!(job.attempts, 2);
    assert_eq!(db.storage.job_runs(id).await.unwrap().len(), 2);

    clock.advance(chrono::Duration::hours(2));
    assert_eq!(worker.run_until_idle().await.unwrap(), Default::default());
    assert_eq!(received(&inbox).len(), 1, "delivered exactly once");
}
