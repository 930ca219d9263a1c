//! Test support: throwaway databases on both backends, and the real binary.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use musubi_domain::{
    Approval, CorporateNumber, Membership, OrgKind, OrgRole, PlatformRole, Principal,
};
use musubi_storage::{
    AuditEntry, DatabaseUrl, NewOrganization, NewUser, PgStore, SqliteStore, Storage,
};
use sqlx::postgres::PgConnectOptions;
use tempfile::TempDir;

/// The PostgreSQL server the suite may use (a role allowed to CREATE DATABASE).
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("MUSUBI_TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            if std::env::var("MUSUBI_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("MUSUBI_REQUIRE_POSTGRES=1 but MUSUBI_TEST_DATABASE_URL is not set");
            }
            eprintln!("SKIPPED on PostgreSQL: MUSUBI_TEST_DATABASE_URL is not set");
            None
        }
    }
}

/// A fresh, migrated database and a data dir, removed when dropped.
pub struct TestDb {
    pub storage: Arc<dyn Storage>,
    /// What to pass as MUSUBI_DATABASE_URL to a `musubi` process.
    pub url: String,
    pub data_dir: TempDir,
    pg_drop: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let path = data_dir.path().join("musubi.db");
        let storage: Arc<dyn Storage> =
            Arc::new(SqliteStore::open(&path).await.expect("open sqlite"));
        storage.migrate().await.expect("migrate sqlite");
        TestDb {
            storage,
            url: DatabaseUrl::Sqlite(path).to_string(),
            data_dir,
            pg_drop: None,
        }
    }

    /// `None` when no PostgreSQL is configured (and it is not required).
    pub async fn postgres() -> Option<TestDb> {
        let admin_url = postgres_admin_url()?;
        let name = format!("musubi_t_{:016x}", rand_u64());
        let admin = PgStore::connect(&admin_url)
            .await
            .expect("connect to MUSUBI_TEST_DATABASE_URL");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(admin.pool())
            .await
            .expect("create test database");
        admin.pool().close().await;
        let url = with_database(&admin_url, &name);
        let options = PgConnectOptions::from_str(&url).expect("test url");
        let storage: Arc<dyn Storage> = Arc::new(
            PgStore::connect_with(options)
                .await
                .expect("connect test database"),
        );
        storage.migrate().await.expect("migrate postgres");
        Some(TestDb {
            storage,
            url,
            data_dir: tempfile::tempdir().expect("temp dir"),
            pg_drop: Some((admin_url, name)),
        })
    }

    pub fn data_path(&self) -> &Path {
        self.data_dir.path()
    }

    /// A `musubi` command wired to this database and data dir.
    pub fn musubi(&self) -> Command {
        let mut cmd = musubi_cmd();
        cmd.env("MUSUBI_DATABASE_URL", &self.url)
            .env("MUSUBI_DATA_DIR", self.data_path());
        cmd
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg_drop.take() {
            // Drop runs outside async; use a small runtime of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let admin = PgStore::connect(&admin_url).await.ok()?;
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(admin.pool())
                    .await
                    .ok()
                })
            })
            .join();
        }
    }
}

/// Replaces the database name in a postgres:// URL.
fn with_database(url: &str, db: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("postgres URL has a scheme");
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    let mut out = format!("{scheme}://{authority}/{db}");
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

pub fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    h.finish()
}

pub fn musubi_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_musubi"))
}

/// The real binary, with the environment cleared of MUSUBI_* settings that
/// could leak in from the developer's shell.
pub fn musubi_cmd() -> Command {
    let mut cmd = Command::new(musubi_bin());
    for (k, _) in std::env::vars() {
        if k.starts_with("MUSUBI_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("MUSUBI_LOG", "warn").stdin(Stdio::null());
    cmd
}

/// Kills a child process when dropped, so a failing test leaves no server behind.
pub struct ChildGuard(pub Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Both backends: `both_backends!(case_a, case_b)` makes `sqlite::case_a`,
/// `postgres::case_a`, … from `async fn case_a(db: TestDb)` in the calling module.
macro_rules! both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let db = crate::support::TestDb::sqlite().await;
                    super::$case(db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(db) = crate::support::TestDb::postgres().await else { return };
                    super::$case(db).await;
                }
            )*
        }
    };
}
pub(crate) use both_backends;

async fn new_user(storage: &dyn Storage, email: &str, at: DateTime<Utc>) -> i64 {
    storage
        .create_user(
            &NewUser {
                email: email.parse().unwrap(),
                password_hash: "x".into(),
                display_name: email.into(),
                locale: "ja".into(),
            },
            at,
            AuditEntry::new("user.register", "user", None),
            &[],
        )
        .await
        .unwrap()
}

/// The admin of a new organisation, made straight in storage of `kind` (buyers approved).
pub async fn org_member(
    storage: &dyn Storage,
    email: &str,
    kind: OrgKind,
    name: &str,
    at: DateTime<Utc>,
) -> Principal {
    let user_id = new_user(storage, email, at).await;
    let org_id = storage
        .create_organization(
            &NewOrganization {
                kind,
                name: name.into(),
                name_kana: "ソシキ".into(),
                // Suppliers have one (a rename checks it); unique per user.
                corporate_number: (kind == OrgKind::Supplier).then(|| {
                    CorporateNumber::from_base(&format!("{:012}", 700_000_000_000 + user_id))
                        .unwrap()
                }),
            },
            user_id,
            at,
            AuditEntry::new("org.create", "organization", None),
        )
        .await
        .unwrap();
    let approval = if kind.is_buyer() {
        storage
            .decide_approval(
                org_id,
                true,
                None,
                at,
                AuditEntry::new("org.approve", "organization", Some(org_id)),
                &[],
            )
            .await
            .unwrap();
        Approval::Approved
    } else {
        Approval::NotRequired
    };
    Principal {
        user_id,
        platform_role: PlatformRole::User,
        suspended: false,
        membership: Some(Membership {
            org_id,
            kind,
            approval,
            role: OrgRole::Admin,
        }),
    }
}
