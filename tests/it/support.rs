//! Test support: throwaway databases on both backends, and the real binary.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use musubi_domain::tender::{
    AwardMethod, Category, Contact, ContractMethod, Eligibility, Place, ReservePricePublication,
    Schedule, TenderContent, TenderKind, Transition,
};
use musubi_domain::{
    Approval, CorporateNumber, JsicCode, Membership, OrgKind, OrgRole, PlatformRole, Prefecture,
    Principal, TaxExclusive, Yen,
};
use musubi_storage::{
    AuditEntry, DatabaseUrl, NewOrganization, NewTransition, NewUser, OrgId, PgStore, SqliteStore,
    Storage, TenderId, UserId,
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

// --- tenders, straight in storage -------------------------------------------------

/// The audit line of a tender write by `actor`.
pub fn tender_audit(action: &str, actor: Option<UserId>) -> AuditEntry {
    AuditEntry::new(action, "tender", None).by(actor, Some("192.0.2.7"))
}

pub fn step(transition: Transition, at: DateTime<Utc>, actor: Option<UserId>) -> NewTransition {
    NewTransition {
        transition,
        at,
        actor,
        reason: None,
    }
}

/// A complete tender content published at `t0` (submissions from a day
/// later for ten days, 開札 the day after); tests change what they look at.
pub fn tender_content(title: &str, t0: DateTime<Utc>) -> TenderContent {
    let days = |n| t0 + chrono::Duration::days(n);
    let tokyo = Prefecture::parse("13").unwrap();
    TenderContent {
        kind: TenderKind::SealedBid,
        title: title.into(),
        summary: "庁舎で使う事務用品の購入。\n・数量は仕様書のとおり\n- 納品：本庁舎".into(),
        category: Category::Goods,
        jsic: vec![JsicCode::parse("0911").unwrap()],
        place: Place::Prefecture { prefecture: tokyo },
        place_detail: "本庁舎3階".into(),
        performance_start: NaiveDate::from_ymd_opt(2027, 1, 1),
        performance_end: NaiveDate::from_ymd_opt(2027, 3, 31),
        method: ContractMethod::Open,
        eligibility: Eligibility {
            prefectures: vec![tokyo],
            ..Eligibility::default()
        },
        schedule: Schedule {
            publish_at: t0,
            application_opens_at: None,
            application_closes_at: None,
            questions_until: days(5),
            submission_opens_at: days(1),
            submission_closes_at: days(11),
            opening_at: days(12),
        },
        reserve_price: Some(TaxExclusive::new(Yen::parse("1,200,000").unwrap())),
        reserve_price_publication: ReservePricePublication::AtOpening,
        minimum_price: None,
        award_method: AwardMethod::LowestPrice,
        contact: Contact {
            department: "総務部契約課".into(),
            person: "契約 花子".into(),
            email: "keiyaku@example.lg.jp".into(),
            phone: "03-1234-5678".into(),
        },
    }
}

pub async fn draft(
    s: &dyn Storage,
    buyer: OrgId,
    creator: UserId,
    c: &TenderContent,
    now: DateTime<Utc>,
) -> TenderId {
    s.create_tender(
        buyer,
        creator,
        c,
        now,
        tender_audit("tender.create", Some(creator)),
    )
    .await
    .unwrap()
}

/// A draft created and published at `at` (publication effective then).
pub async fn published(
    s: &dyn Storage,
    buyer: OrgId,
    creator: UserId,
    c: &TenderContent,
    at: DateTime<Utc>,
) -> TenderId {
    let id = draft(s, buyer, creator, c, at).await;
    s.publish_tender(
        id,
        &step(Transition::Publish, at, Some(creator)),
        Some(c.schedule.submission_opens_at),
        at,
        tender_audit("tender.publish", Some(creator)),
        &[],
    )
    .await
    .unwrap();
    id
}

/// The admin of a new supplier company in `prefecture` making `jsic` (goods
/// grade C), its profile saved through the services.
pub async fn supplier_in(
    svc: &musubi_app::Services,
    email: &str,
    name: &str,
    prefecture: &str,
    jsic: &str,
    capabilities: &str,
    at: DateTime<Utc>,
) -> Principal {
    let p = org_member(&*svc.storage, email, OrgKind::Supplier, name, at).await;
    let profile = musubi_app::companies::ProfileInput {
        representative: "代表取締役 山田 太郎".into(),
        prefecture: prefecture.into(),
        address_line: "本町一丁目1番1号".into(),
        jsic: vec![jsic.into()],
        capabilities: capabilities.into(),
        grades: vec!["goods:C".into()],
        ..musubi_app::companies::ProfileInput::default()
    };
    svc.save_company_profile(
        &p,
        p.org_id().unwrap(),
        &profile,
        &musubi_app::RequestCtx::default(),
    )
    .await
    .unwrap();
    p
}

/// A coordinator covering `areas`, who belongs to no organisation.
pub async fn coordinator_of(
    storage: &dyn Storage,
    email: &str,
    name: &str,
    areas: &[Prefecture],
    at: DateTime<Utc>,
) -> Principal {
    let user_id = storage
        .create_user(
            &NewUser {
                email: email.parse().unwrap(),
                password_hash: "x".into(),
                display_name: name.into(),
                locale: "ja".into(),
            },
            at,
            AuditEntry::new("user.register", "user", None),
            &[],
        )
        .await
        .unwrap();
    storage
        .set_platform_role(
            user_id,
            PlatformRole::Coordinator,
            areas,
            at,
            AuditEntry::new("user.role", "user", Some(user_id)),
        )
        .await
        .unwrap();
    Principal {
        user_id,
        platform_role: PlatformRole::Coordinator,
        suspended: false,
        membership: None,
    }
}

// --- bidding: eligible suppliers, signed-in clients, the app in this process ---------

/// The admin of a new supplier organisation whose company profile (東京都,
/// grades C) makes it eligible for the tenders of `tender_content` and of
/// the bid suites; the profile is saved through the services.
pub async fn eligible_supplier(
    svc: &musubi_app::Services,
    email: &str,
    name: &str,
    at: DateTime<Utc>,
) -> Principal {
    let p = org_member(&*svc.storage, email, OrgKind::Supplier, name, at).await;
    let profile = musubi_app::companies::ProfileInput {
        representative: "代表取締役 佐藤 健一".into(),
        prefecture: "13".into(),
        municipality: "131016".into(),
        address_line: "神田須田町一丁目2番3号".into(),
        jsic: vec!["0911".into()],
        capabilities: "事務用品・清掃用品の納入".into(),
        grades: vec!["goods:C".into(), "services:C".into()],
        ..musubi_app::companies::ProfileInput::default()
    };
    svc.save_company_profile(
        &p,
        p.org_id().unwrap(),
        &profile,
        &musubi_app::RequestCtx::default(),
    )
    .await
    .unwrap();
    p
}

/// A browser-like client of the server at `base`, signed in as `p` by a
/// session made straight in storage at `at` (valid for a year), holding its
/// CSRF cookie.
pub async fn session_client(
    storage: &dyn Storage,
    base: &str,
    p: &Principal,
    at: DateTime<Utc>,
) -> crate::portal::Client {
    let token = format!("sess{:016x}{:016x}", rand_u64(), rand_u64());
    storage
        .create_session(
            &musubi_storage::NewSession {
                token_hash: musubi_app::secrets::token_digest(&token),
                user_id: p.user_id,
                csrf_token: "unused".into(),
                ip: None,
                user_agent: None,
                expires_at: at + chrono::Duration::days(365),
            },
            at,
        )
        .await
        .unwrap();
    let mut c = crate::portal::Client::new(base);
    c.cookies.insert("musubi_session".into(), token);
    let r = c.get("/").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(c.cookies.contains_key("musubi_csrf"));
    c
}

/// The web application served in this process with `clock` (the scheduler
/// does not run: tests make its passes with `advance_due_tenders`): its base
/// URL and its services.
pub async fn serve_in_process(
    db: &TestDb,
    clock: &musubi_app::ManualClock,
) -> (String, musubi_app::Services) {
    let services = musubi_app::Services::new(
        Arc::clone(&db.storage),
        Arc::new(clock.clone()),
        musubi_app::AppConfig {
            base_url: "http://musubi.test".into(),
            data_dir: db.data_path().to_path_buf(),
            ..musubi_app::AppConfig::default()
        },
    );
    let state = musubi_web::WebState::new(services.clone(), musubi_web::WebConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(musubi_web::serve(
        listener,
        musubi_web::router(state),
        std::future::pending(),
    ));
    (format!("http://{addr}"), services)
}
