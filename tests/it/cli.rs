//! Bad configuration ends with one line that names the problem and a
//! non-zero exit, never a panic trace.

use std::net::TcpListener;
use std::process::Output;

use crate::support::musubi_cmd;

fn assert_one_line_error(out: &Output, expect: &[&str]) {
    assert!(!out.status.success(), "must fail: {out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "exactly one line expected, got:\n{stderr}");
    assert!(lines[0].starts_with("musubi: error: "), "{stderr}");
    for e in expect {
        assert!(lines[0].contains(e), "{e:?} not in {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn unparseable_database_url() {
    let dir = tempfile::tempdir().unwrap();
    let out = musubi_cmd()
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["--database-url", "mysql://nope", "migrate"])
        .output()
        .unwrap();
    assert_one_line_error(&out, &["invalid database URL", "mysql://nope"]);
}

#[test]
fn database_url_from_environment_is_checked_too() {
    let dir = tempfile::tempdir().unwrap();
    let out = musubi_cmd()
        .env("MUSUBI_DATA_DIR", dir.path())
        .env(
            "MUSUBI_DATABASE_URL",
            "postgres://u:secret@host:notaport/db",
        )
        .arg("migrate")
        .output()
        .unwrap();
    assert_one_line_error(&out, &["MUSUBI_DATABASE_URL", "not a valid PostgreSQL URL"]);
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("secret"),
        "password leaked"
    );
}

#[test]
fn unreachable_postgres() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1 on loopback: nothing listens there, so the connection is refused.
    let out = musubi_cmd()
        .arg("--data-dir")
        .arg(dir.path())
        .args([
            "--database-url",
            "postgres://musubi:pw@127.0.0.1:1/musubi",
            "migrate",
        ])
        .output()
        .unwrap();
    assert_one_line_error(&out, &["cannot open the database", "127.0.0.1:1"]);
}

#[test]
fn unwritable_data_dir() {
    // A path below a regular file can never be a directory, even for root.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let out = musubi_cmd()
        .arg("--data-dir")
        .arg(file.join("data"))
        .arg("migrate")
        .output()
        .unwrap();
    assert_one_line_error(
        &out,
        &["data directory", "plain-file/data", "cannot be created"],
    );
}

#[test]
fn port_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = musubi_cmd()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--addr", &addr])
        .output()
        .unwrap();
    assert_one_line_error(&out, &["cannot listen on", &addr, "in use"]);
}

#[test]
fn migrate_then_status() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = musubi_cmd()
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(run(&["migrate"]).contains("applied 0001_jobs"));
    assert!(run(&["migrate"]).contains("up to date"));
    assert!(run(&["jobs", "probe", "--count", "3"]).contains("queued 3 probe jobs"));
    assert_eq!(
        run(&["jobs", "status"]).trim(),
        "queued 3  running 0  done 0  failed 0"
    );
    assert!(dir.path().join("musubi.db").exists());
}

#[test]
fn help_explains_environment_variables() {
    let out = musubi_cmd().args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "MUSUBI_DATA_DIR",
        "MUSUBI_DATABASE_URL",
        "MUSUBI_ADDR",
        "127.0.0.1:8080",
        "--demo",
    ] {
        assert!(help.contains(needle), "{needle} missing from help:\n{help}");
    }
}
