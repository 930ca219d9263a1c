//! The accounts behaviour suite: people, sessions, API tokens, organisations,
//! company profiles, the directory, favourites and the audit log.
//!
//! Every case is `async fn case(s: &dyn Stores)` and runs on SQLite and on
//! PostgreSQL alike.

use chrono::{DateTime, Duration, TimeZone, Utc};
use musubi_domain::{
    Approval, Certification, CorporateNumber, EmailAddress, Grade, GradeCategory, JsicCode,
    MunicipalityCode, OrgKind, OrgRole, PlatformRole, Prefecture,
};
use musubi_storage::{
    AuditEntry, CatalogueItem, CompanyImport, CompanyProfileData, DirectoryQuery, DirectorySort,
    NewJob, NewOrganization, NewSession, NewUser, OrgId, Paging, StorageError, TokenPurpose,
    TokenScope, UserId,
};
use serde_json::json;

/// The storage interface every case runs against.
use musubi_storage::Storage as Stores;

/// `cases!(a, b)` makes `sqlite::a`, `postgres::a`, … from `async fn a(s: &dyn Stores)`.
macro_rules! cases {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let db = crate::support::TestDb::sqlite().await;
                    super::$case(&*db.storage).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(db) = crate::support::TestDb::postgres().await else { return };
                    super::$case(&*db.storage).await;
                }
            )*
        }
    };
}

cases!(
    register_and_duplicate_email_writes_nothing,
    verification_token_works_once_and_expires,
    reset_password_ends_every_session,
    change_password_keeps_only_the_given_session,
    suspension_ends_sessions_and_shows_on_the_user,
    sessions_expire_and_carry_membership,
    login_attempts_are_counted_per_email_and_ip,
    api_tokens_lookup_and_revoke,
    platform_role_and_coordinator_areas,
    organisations_supplier_buyer_and_conflicts,
    approval_is_decided_once_and_queues_its_mail,
    company_profile_versions_and_history,
    directory_filters_sorts_and_pages,
    import_is_all_or_nothing,
    favourites_add_remove_list,
    audit_log_records_every_write,
);

// --- fixtures ------------------------------------------------------------------

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap()
}

fn mins(n: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(n)
}

const IP: &str = "192.0.2.7";

fn email(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap()
}

fn jsic(s: &str) -> JsicCode {
    JsicCode::parse(s).unwrap()
}

fn corp(base: &str) -> CorporateNumber {
    CorporateNumber::from_base(base).unwrap()
}

fn audit(action: &str, subject_type: &str, actor: Option<UserId>) -> AuditEntry {
    AuditEntry::new(action, subject_type, None).by(actor, Some(IP))
}

fn is_conflict(err: &StorageError, code: &str) -> bool {
    matches!(err, StorageError::Conflict(c) if c == code)
}

fn page(offset: u64, limit: u32) -> Paging {
    Paging { offset, limit }
}

async fn register(s: &dyn Stores, address: &str, now: DateTime<Utc>) -> UserId {
    s.create_user(
        &NewUser {
            email: email(address),
            password_hash: "hash-0".into(),
            display_name: address.split('@').next().unwrap().into(),
            locale: "ja".into(),
        },
        now,
        audit("user.register", "user", None),
        &[],
    )
    .await
    .unwrap()
}

async fn login(s: &dyn Stores, user: UserId, token: &str, expires_at: DateTime<Utc>) -> i64 {
    s.create_session(
        &NewSession {
            token_hash: token.into(),
            user_id: user,
            csrf_token: format!("csrf-{token}"),
            ip: Some(IP.into()),
            user_agent: Some("test".into()),
            expires_at,
        },
        t0(),
    )
    .await
    .unwrap()
}

async fn create_org(
    s: &dyn Stores,
    kind: OrgKind,
    name: &str,
    corporate_number: Option<CorporateNumber>,
    creator: UserId,
) -> Result<OrgId, StorageError> {
    s.create_organization(
        &NewOrganization {
            kind,
            name: name.into(),
            name_kana: name.into(),
            corporate_number,
        },
        creator,
        t0(),
        audit("org.create", "organization", Some(creator)),
    )
    .await
}

async fn audit_total(s: &dyn Stores) -> u64 {
    s.audit_log(None, Paging::default()).await.unwrap().total
}

async fn queued_jobs(s: &dyn Stores) -> i64 {
    s.job_counts().await.unwrap().queued
}

fn profile(
    prefecture: Prefecture,
    codes: &[&str],
    certifications: &[Certification],
    grades: &[(GradeCategory, Grade)],
) -> CompanyProfileData {
    CompanyProfileData {
        representative: "代表 太郎".into(),
        prefecture,
        municipality: None,
        address_line: "1-1".into(),
        jsic: codes.iter().map(|c| jsic(c)).collect(),
        capabilities: "何でも作ります".into(),
        catalogue: Vec::new(),
        certifications: certifications.to_vec(),
        grades: grades.to_vec(),
        employees: None,
        capital_yen: None,
        founded_year: None,
        website: None,
        contact_email: None,
        contact_phone: None,
    }
}

fn company(
    name: &str,
    kana: &str,
    corporate: Option<&str>,
    p: CompanyProfileData,
) -> CompanyImport {
    CompanyImport {
        organization: NewOrganization {
            kind: OrgKind::Supplier,
            name: name.into(),
            name_kana: kana.into(),
            corporate_number: corporate.map(corp),
        },
        profile: p,
    }
}

// --- people and sessions -------------------------------------------------------

async fn register_and_duplicate_email_writes_nothing(s: &dyn Stores) {
    let new = NewUser {
        email: email("Hanako@Example.jp"),
        password_hash: "argon2-hash".into(),
        display_name: "花子".into(),
        locale: "en".into(),
    };
    let mail = NewJob::new("mail.welcome", json!({ "to": "hanako@example.jp" }));
    let id = s
        .create_user(
            &new,
            t0(),
            audit("user.register", "user", None),
            std::slice::from_ref(&mail),
        )
        .await
        .unwrap();
    let user = s.user(id).await.unwrap().unwrap();
    assert_eq!(user.email.as_str(), "hanako@example.jp");
    assert_eq!(user.display_name, "花子");
    assert_eq!(user.locale, "en");
    assert_eq!(user.platform_role, PlatformRole::User);
    assert_eq!(user.created_at, t0());
    assert_eq!(user.email_verified_at, None);
    assert_eq!(user.suspended_at, None);
    assert_eq!(
        s.user_by_email(&email("hanako@example.jp")).await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(
        s.user_by_email(&email("other@example.jp")).await.unwrap(),
        None
    );
    assert_eq!(s.user(id + 1000).await.unwrap(), None);
    assert_eq!(queued_jobs(s).await, 1);
    let log = s.audit_log(None, Paging::default()).await.unwrap();
    assert_eq!(log.total, 1);
    assert_eq!(log.items[0].entry.action, "user.register");
    assert_eq!(log.items[0].entry.subject_id, Some(id), "new id filled in");
    assert_eq!(log.items[0].entry.ip.as_deref(), Some(IP));
    assert_eq!(log.items[0].at, t0());

    // The same address again (in another case): nothing of it is kept.
    let again = NewUser {
        email: email("HANAKO@example.jp"),
        ..new
    };
    let err = s
        .create_user(
            &again,
            mins(1),
            audit("user.register", "user", None),
            &[NewJob::new("mail.welcome", json!({}))],
        )
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "email_taken"), "{err:?}");
    assert_eq!(
        audit_total(s).await,
        1,
        "no audit line for the failed write"
    );
    assert_eq!(queued_jobs(s).await, 1, "no job for the failed write");
    let users = s.list_users(Paging::default()).await.unwrap();
    assert_eq!(users.total, 1);
    assert_eq!(users.items, vec![user]);

    // list_users: newest first, paged, exact total.
    let b = register(s, "b@example.jp", mins(2)).await;
    let c = register(s, "c@example.jp", mins(3)).await;
    let first = s.list_users(page(0, 2)).await.unwrap();
    assert_eq!(first.total, 3);
    assert_eq!(first.items.iter().map(|u| u.id).collect::<Vec<_>>(), [c, b]);
    let rest = s.list_users(page(2, 2)).await.unwrap();
    assert_eq!(rest.items.iter().map(|u| u.id).collect::<Vec<_>>(), [id]);
}

async fn verification_token_works_once_and_expires(s: &dyn Stores) {
    let id = register(s, "v@example.jp", t0()).await;
    let mail = NewJob::new("mail.verify", json!({ "user": id }));
    s.add_user_token(
        id,
        TokenPurpose::VerifyEmail,
        "verify-1",
        mins(60),
        t0(),
        &[mail],
    )
    .await
    .unwrap();
    assert_eq!(queued_jobs(s).await, 1, "the mail is queued with the token");
    let before = audit_total(s).await;

    // A reset token cannot verify, and an unknown one does nothing.
    s.add_user_token(
        id,
        TokenPurpose::ResetPassword,
        "reset-1",
        mins(60),
        t0(),
        &[],
    )
    .await
    .unwrap();
    let verify = |h: &'static str, at| s.verify_email(h, at, audit("user.verify", "user", None));
    assert_eq!(verify("reset-1", mins(1)).await.unwrap(), None);
    assert_eq!(verify("nope", mins(1)).await.unwrap(), None);
    assert_eq!(audit_total(s).await, before);

    assert_eq!(verify("verify-1", mins(10)).await.unwrap(), Some(id));
    let user = s.user(id).await.unwrap().unwrap();
    assert_eq!(user.email_verified_at, Some(mins(10)));
    assert_eq!(audit_total(s).await, before + 1);
    assert_eq!(
        verify("verify-1", mins(11)).await.unwrap(),
        None,
        "used once"
    );

    s.add_user_token(
        id,
        TokenPurpose::VerifyEmail,
        "verify-2",
        mins(120),
        mins(60),
        &[],
    )
    .await
    .unwrap();
    assert_eq!(
        verify("verify-2", mins(120)).await.unwrap(),
        None,
        "expired at its expiry time"
    );
    assert_eq!(
        s.user(id).await.unwrap().unwrap().email_verified_at,
        Some(mins(10))
    );
}

async fn reset_password_ends_every_session(s: &dyn Stores) {
    let id = register(s, "r@example.jp", t0()).await;
    login(s, id, "sess-a", mins(600)).await;
    login(s, id, "sess-b", mins(600)).await;
    s.add_user_token(
        id,
        TokenPurpose::ResetPassword,
        "reset-a",
        mins(30),
        t0(),
        &[],
    )
    .await
    .unwrap();
    s.add_user_token(
        id,
        TokenPurpose::ResetPassword,
        "reset-b",
        mins(30),
        t0(),
        &[],
    )
    .await
    .unwrap();
    let reset = |h: &'static str, at| {
        s.reset_password(
            h,
            "hash-new",
            at,
            audit("user.reset_password", "user", None),
        )
    };
    assert_eq!(reset("reset-a", mins(29)).await.unwrap(), Some(id));
    let user = s.user(id).await.unwrap().unwrap();
    assert_eq!(user.password_hash, "hash-new");
    assert_eq!(s.session("sess-a", mins(29)).await.unwrap(), None);
    assert_eq!(s.session("sess-b", mins(29)).await.unwrap(), None);
    assert_eq!(reset("reset-a", mins(29)).await.unwrap(), None, "used once");
    assert_eq!(
        reset("reset-b", mins(29)).await.unwrap(),
        None,
        "older links die with the one used"
    );

    s.add_user_token(
        id,
        TokenPurpose::ResetPassword,
        "reset-c",
        mins(30),
        t0(),
        &[],
    )
    .await
    .unwrap();
    assert_eq!(reset("reset-c", mins(31)).await.unwrap(), None, "expired");
    assert_eq!(s.user(id).await.unwrap().unwrap().password_hash, "hash-new");
}

async fn change_password_keeps_only_the_given_session(s: &dyn Stores) {
    let id = register(s, "c@example.jp", t0()).await;
    let other = register(s, "o@example.jp", t0()).await;
    login(s, id, "s1", mins(600)).await;
    let keep = login(s, id, "s2", mins(600)).await;
    login(s, id, "s3", mins(600)).await;
    login(s, other, "other", mins(600)).await;
    s.change_password(
        id,
        "hash-2",
        Some(keep),
        mins(1),
        audit("user.password", "user", Some(id)),
    )
    .await
    .unwrap();
    assert_eq!(s.user(id).await.unwrap().unwrap().password_hash, "hash-2");
    assert!(s.session("s1", mins(2)).await.unwrap().is_none());
    assert_eq!(s.session("s2", mins(2)).await.unwrap().unwrap().id, keep);
    assert!(s.session("s3", mins(2)).await.unwrap().is_none());
    assert!(
        s.session("other", mins(2)).await.unwrap().is_some(),
        "another person's session is untouched"
    );

    s.change_password(
        id,
        "hash-3",
        None,
        mins(3),
        audit("user.password", "user", Some(id)),
    )
    .await
    .unwrap();
    assert!(s.session("s2", mins(4)).await.unwrap().is_none());

    let err = s
        .change_password(
            9999,
            "x",
            None,
            mins(5),
            audit("user.password", "user", None),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::NotFound), "{err:?}");

    s.update_user_settings(
        id,
        "新しい名前",
        "en",
        mins(6),
        audit("user.settings", "user", Some(id)),
    )
    .await
    .unwrap();
    let user = s.user(id).await.unwrap().unwrap();
    assert_eq!(
        (user.display_name.as_str(), user.locale.as_str()),
        ("新しい名前", "en")
    );
}

async fn suspension_ends_sessions_and_shows_on_the_user(s: &dyn Stores) {
    let admin = register(s, "admin@example.jp", t0()).await;
    let id = register(s, "s@example.jp", t0()).await;
    login(s, id, "before", mins(600)).await;
    s.set_suspension(
        id,
        Some("spam"),
        mins(5),
        audit("user.suspend", "user", Some(admin)),
    )
    .await
    .unwrap();
    assert!(s.session("before", mins(6)).await.unwrap().is_none());
    login(s, id, "after", mins(600)).await;
    let session = s.session("after", mins(6)).await.unwrap().unwrap();
    assert_eq!(session.user.suspended_at, Some(mins(5)));
    assert_eq!(session.user.suspended_reason.as_deref(), Some("spam"));

    s.set_suspension(
        id,
        None,
        mins(7),
        audit("user.reinstate", "user", Some(admin)),
    )
    .await
    .unwrap();
    let user = s.user(id).await.unwrap().unwrap();
    assert_eq!((user.suspended_at, user.suspended_reason), (None, None));
    assert!(
        s.session("after", mins(8)).await.unwrap().is_some(),
        "reinstating ends nothing"
    );
}

async fn sessions_expire_and_carry_membership(s: &dyn Stores) {
    let id = register(s, "e@example.jp", t0()).await;
    let sid = login(s, id, "tok", mins(60)).await;
    let live = s.session("tok", mins(59)).await.unwrap().unwrap();
    assert_eq!(live.id, sid);
    assert_eq!(live.csrf_token, "csrf-tok");
    assert_eq!(live.expires_at, mins(60));
    assert_eq!(live.user.id, id);
    assert_eq!(live.membership, None);
    assert_eq!(
        s.session("tok", mins(60)).await.unwrap(),
        None,
        "expired at expires_at"
    );
    assert_eq!(s.session("unknown", t0()).await.unwrap(), None);

    let org = create_org(s, OrgKind::PublicBody, "市役所", None, id)
        .await
        .unwrap();
    let m = s
        .session("tok", mins(1))
        .await
        .unwrap()
        .unwrap()
        .membership
        .unwrap();
    assert_eq!(m.org_id, org);
    assert_eq!(m.kind, OrgKind::PublicBody);
    assert_eq!(m.approval, Approval::Pending);
    assert_eq!(m.role, OrgRole::Admin);

    s.delete_session("tok").await.unwrap();
    assert_eq!(s.session("tok", mins(1)).await.unwrap(), None);
    s.delete_session("tok").await.unwrap();
}

async fn login_attempts_are_counted_per_email_and_ip(s: &dyn Stores) {
    let ip1 = "198.51.100.1";
    let ip2 = "198.51.100.2";
    s.record_login_attempt("a@example.jp", ip1, false, mins(0))
        .await
        .unwrap();
    s.record_login_attempt("a@example.jp", ip1, false, mins(10))
        .await
        .unwrap();
    s.record_login_attempt("a@example.jp", ip2, false, mins(20))
        .await
        .unwrap();
    s.record_login_attempt("a@example.jp", ip1, true, mins(21))
        .await
        .unwrap();
    s.record_login_attempt("b@example.jp", ip1, false, mins(22))
        .await
        .unwrap();

    assert_eq!(
        s.failed_logins_since("a@example.jp", ip1, mins(0))
            .await
            .unwrap(),
        (3, 3),
        "since is inclusive; successes do not count"
    );
    assert_eq!(
        s.failed_logins_since("a@example.jp", ip1, mins(1))
            .await
            .unwrap(),
        (2, 2)
    );
    assert_eq!(
        s.failed_logins_since("a@example.jp", ip2, mins(15))
            .await
            .unwrap(),
        (1, 1)
    );
    assert_eq!(
        s.failed_logins_since("b@example.jp", ip2, mins(0))
            .await
            .unwrap(),
        (1, 1)
    );
    assert_eq!(
        s.failed_logins_since("c@example.jp", "203.0.113.9", mins(0))
            .await
            .unwrap(),
        (0, 0)
    );
    assert_eq!(
        s.failed_logins_since("a@example.jp", ip1, mins(30))
            .await
            .unwrap(),
        (0, 0)
    );
}

async fn api_tokens_lookup_and_revoke(s: &dyn Stores) {
    let id = register(s, "api@example.jp", t0()).await;
    let other = register(s, "other@example.jp", t0()).await;
    let org = create_org(s, OrgKind::Supplier, "株式会社API", None, id)
        .await
        .unwrap();
    let token_id = s
        .create_api_token(
            id,
            "CI",
            "hash-api",
            "msb_abcd",
            TokenScope::Write,
            t0(),
            audit("api_token.create", "api_token", Some(id)),
        )
        .await
        .unwrap();
    let (token, record) = s.api_token("hash-api", mins(1)).await.unwrap().unwrap();
    assert_eq!(token.id, token_id);
    assert_eq!(token.user_id, id);
    assert_eq!(
        (token.name.as_str(), token.prefix.as_str()),
        ("CI", "msb_abcd")
    );
    assert_eq!(token.scope, TokenScope::Write);
    assert_eq!(token.created_at, t0());
    assert_eq!(token.last_used_at, Some(mins(1)));
    assert_eq!(token.revoked_at, None);
    assert_eq!(record.user.id, id);
    let m = record.membership.unwrap();
    assert_eq!(
        (m.org_id, m.kind, m.role),
        (org, OrgKind::Supplier, OrgRole::Admin)
    );
    assert_eq!(m.approval, Approval::NotRequired);

    // last_used_at is noted at most once a minute.
    let (again, _) = s
        .api_token("hash-api", mins(1) + Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.last_used_at, Some(mins(1)));
    let listed = s.list_api_tokens(id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].last_used_at, Some(mins(1)));
    s.api_token("hash-api", mins(3)).await.unwrap().unwrap();
    assert_eq!(
        s.list_api_tokens(id).await.unwrap()[0].last_used_at,
        Some(mins(3))
    );
    assert_eq!(s.api_token("unknown", mins(3)).await.unwrap(), None);

    let revoke = |user, token, at| {
        s.revoke_api_token(
            user,
            token,
            at,
            audit("api_token.revoke", "api_token", Some(user)),
        )
    };
    let err = revoke(other, token_id, mins(4)).await.unwrap_err();
    assert!(matches!(err, StorageError::NotFound), "{err:?}");
    assert!(s.api_token("hash-api", mins(4)).await.unwrap().is_some());
    revoke(id, token_id, mins(5)).await.unwrap();
    assert_eq!(s.api_token("hash-api", mins(6)).await.unwrap(), None);
    let err = revoke(id, token_id, mins(7)).await.unwrap_err();
    assert!(
        matches!(err, StorageError::NotFound),
        "revoked twice: {err:?}"
    );
    let listed = s.list_api_tokens(id).await.unwrap();
    assert_eq!(listed[0].revoked_at, Some(mins(5)));
    assert!(s.list_api_tokens(other).await.unwrap().is_empty());
}

async fn platform_role_and_coordinator_areas(s: &dyn Stores) {
    let admin = register(s, "root@example.jp", t0()).await;
    let id = register(s, "coord@example.jp", t0()).await;
    s.set_platform_role(
        id,
        PlatformRole::Coordinator,
        &[Prefecture::Osaka, Prefecture::Tokyo],
        mins(1),
        audit("user.role", "user", Some(admin)),
    )
    .await
    .unwrap();
    assert_eq!(
        s.user(id).await.unwrap().unwrap().platform_role,
        PlatformRole::Coordinator
    );
    assert_eq!(
        s.coordinator_areas(id).await.unwrap(),
        [Prefecture::Tokyo, Prefecture::Osaka]
    );
    s.set_platform_role(
        id,
        PlatformRole::User,
        &[],
        mins(2),
        audit("user.role", "user", Some(admin)),
    )
    .await
    .unwrap();
    assert!(s.coordinator_areas(id).await.unwrap().is_empty());
    assert_eq!(
        s.user(id).await.unwrap().unwrap().platform_role,
        PlatformRole::User
    );
}

// --- organisations -------------------------------------------------------------

async fn organisations_supplier_buyer_and_conflicts(s: &dyn Stores) {
    let alice = register(s, "alice@example.jp", t0()).await;
    let bob = register(s, "bob@example.jp", t0()).await;
    let carol = register(s, "carol@example.jp", t0()).await;
    let number = corp("700110005901");

    let supplier = create_org(s, OrgKind::Supplier, "結び製作所", Some(number), alice)
        .await
        .unwrap();
    let org = s.organization(supplier).await.unwrap().unwrap();
    assert_eq!(org.kind, OrgKind::Supplier);
    assert_eq!(org.approval, Approval::NotRequired);
    assert_eq!(org.corporate_number, Some(number));
    assert_eq!(org.created_at, t0());
    assert_eq!((org.approval_reason, org.decided_at), (None, None));
    let members = s.members(supplier).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].user_id, alice);
    assert_eq!(members[0].role, OrgRole::Admin);
    assert_eq!(members[0].email.as_str(), "alice@example.jp");

    let buyer = create_org(s, OrgKind::PublicBody, "結び市", None, bob)
        .await
        .unwrap();
    assert_eq!(
        s.organization(buyer).await.unwrap().unwrap().approval,
        Approval::Pending
    );

    let orgs_before = s.list_organizations(None, Paging::default()).await.unwrap();
    let audit_before = audit_total(s).await;

    // Alice already acts for the supplier.
    let err = create_org(
        s,
        OrgKind::PrivateCompany,
        "別会社",
        Some(corp("700110005902")),
        alice,
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&err, "already_member"), "{err:?}");
    // Carol is free, but the 法人番号 is taken.
    let err = create_org(s, OrgKind::Supplier, "偽物", Some(number), carol)
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "corporate_number_taken"), "{err:?}");
    let orgs_after = s.list_organizations(None, Paging::default()).await.unwrap();
    assert_eq!(orgs_after, orgs_before, "nothing half-written");
    assert_eq!(audit_total(s).await, audit_before);
    login(s, carol, "carol", mins(60)).await;
    assert_eq!(
        s.session("carol", t0()).await.unwrap().unwrap().membership,
        None
    );
    // …and the number given up for another buyer is still free.
    create_org(
        s,
        OrgKind::PrivateCompany,
        "別会社",
        Some(corp("700110005902")),
        carol,
    )
    .await
    .unwrap();

    // Members: adding Carol elsewhere is refused; a new person joins.
    let dave = register(s, "dave@example.jp", t0()).await;
    let err = s
        .add_member(
            supplier,
            carol,
            OrgRole::Member,
            t0(),
            audit("org.member", "organization", Some(alice)),
        )
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "already_member"), "{err:?}");
    s.add_member(
        supplier,
        dave,
        OrgRole::Member,
        mins(1),
        audit("org.member", "organization", Some(alice)),
    )
    .await
    .unwrap();
    let members = s.members(supplier).await.unwrap();
    assert_eq!(
        members
            .iter()
            .map(|m| (m.user_id, m.role))
            .collect::<Vec<_>>(),
        [(alice, OrgRole::Admin), (dave, OrgRole::Member)]
    );

    s.update_organization(
        supplier,
        "結び製作所（新）",
        "ムスビセイサクショ",
        mins(2),
        audit("org.update", "organization", Some(alice)),
        &[],
    )
    .await
    .unwrap();
    let org = s.organization(supplier).await.unwrap().unwrap();
    assert_eq!(
        (org.name.as_str(), org.name_kana.as_str()),
        ("結び製作所（新）", "ムスビセイサクショ")
    );
    assert!(s.organization(99_999).await.unwrap().is_none());

    // Newest first, exact totals, filter by approval.
    let all = s.list_organizations(None, page(0, 2)).await.unwrap();
    assert_eq!(all.total, 3);
    assert_eq!(all.items.len(), 2);
    assert!(
        all.items[0].id > all.items[1].id,
        "same time: newest id first"
    );
    let pending = s
        .list_organizations(Some(Approval::Pending), Paging::default())
        .await
        .unwrap();
    assert_eq!(pending.total, 2);
    assert!(
        pending
            .items
            .iter()
            .all(|o| o.approval == Approval::Pending)
    );
}

async fn approval_is_decided_once_and_queues_its_mail(s: &dyn Stores) {
    let admin = register(s, "admin@example.jp", t0()).await;
    let b1 = register(s, "b1@example.jp", t0()).await;
    let b2 = register(s, "b2@example.jp", t0()).await;
    let sup = register(s, "sup@example.jp", t0()).await;
    let city = create_org(s, OrgKind::PublicBody, "市", None, b1)
        .await
        .unwrap();
    let corp_b = create_org(s, OrgKind::PrivateCompany, "会社", None, b2)
        .await
        .unwrap();
    let supplier = create_org(s, OrgKind::Supplier, "製作所", None, sup)
        .await
        .unwrap();
    let jobs_before = queued_jobs(s).await;

    let decide = |org, approve, reason, jobs: Vec<NewJob>| async move {
        s.decide_approval(
            org,
            approve,
            reason,
            mins(10),
            audit("org.approval", "organization", Some(admin)),
            &jobs,
        )
        .await
    };
    decide(
        city,
        true,
        None,
        vec![NewJob::new("mail.approved", json!({ "org": city }))],
    )
    .await
    .unwrap();
    let org = s.organization(city).await.unwrap().unwrap();
    assert_eq!(org.approval, Approval::Approved);
    assert_eq!(org.decided_at, Some(mins(10)));
    assert_eq!(queued_jobs(s).await, jobs_before + 1);
    login(s, b1, "b1", mins(60)).await;
    assert_eq!(
        s.session("b1", mins(11))
            .await
            .unwrap()
            .unwrap()
            .membership
            .unwrap()
            .approval,
        Approval::Approved
    );

    let err = decide(
        city,
        false,
        Some("again"),
        vec![NewJob::new("mail.rejected", json!({}))],
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&err, "not_pending"), "{err:?}");
    assert_eq!(
        queued_jobs(s).await,
        jobs_before + 1,
        "no job for the refused decision"
    );
    assert_eq!(
        s.organization(city).await.unwrap().unwrap().approval,
        Approval::Approved
    );

    decide(corp_b, false, Some("書類不備"), vec![])
        .await
        .unwrap();
    let org = s.organization(corp_b).await.unwrap().unwrap();
    assert_eq!(org.approval, Approval::Rejected);
    assert_eq!(org.approval_reason.as_deref(), Some("書類不備"));

    let err = decide(supplier, true, None, vec![]).await.unwrap_err();
    assert!(
        is_conflict(&err, "not_pending"),
        "suppliers need none: {err:?}"
    );
    let err = decide(99_999, true, None, vec![]).await.unwrap_err();
    assert!(matches!(err, StorageError::NotFound), "{err:?}");

    let decisions = s.audit_log(Some(admin), Paging::default()).await.unwrap();
    assert_eq!(decisions.total, 2, "one line per decision taken");
    assert!(
        decisions
            .items
            .iter()
            .all(|r| r.entry.action == "org.approval")
    );
}

// --- company profiles ----------------------------------------------------------

async fn company_profile_versions_and_history(s: &dyn Stores) {
    let alice = register(s, "alice@example.jp", t0()).await;
    let bob = register(s, "bob@example.jp", t0()).await;
    let org = create_org(s, OrgKind::Supplier, "結び製作所", None, alice)
        .await
        .unwrap();
    let buyer = create_org(s, OrgKind::PublicBody, "結び市", None, bob)
        .await
        .unwrap();
    assert_eq!(s.company_profile(org).await.unwrap(), None);
    assert!(s.profile_versions(org).await.unwrap().is_empty());

    let v1 = CompanyProfileData {
        representative: "結 一郎".into(),
        prefecture: Prefecture::Tokyo,
        municipality: Some(MunicipalityCode::from_five_digits("13101").unwrap()),
        address_line: "千代田1-1".into(),
        jsic: vec![jsic("0911"), jsic("3911")],
        capabilities: "精密加工".into(),
        catalogue: vec![
            CatalogueItem {
                title: "部品".into(),
                description: "小ロット対応".into(),
            },
            CatalogueItem {
                title: "治具".into(),
                description: "設計から".into(),
            },
        ],
        certifications: vec![Certification::Iso9001, Certification::PrivacyMark],
        grades: vec![
            (GradeCategory::Goods, Grade::B),
            (GradeCategory::Works, Grade::A),
        ],
        employees: Some(42),
        capital_yen: Some(10_000_000),
        founded_year: Some(1987),
        website: Some("https://example.jp".into()),
        contact_email: Some("info@example.jp".into()),
        contact_phone: Some("03-0000-0000".into()),
    };
    let save = |data: CompanyProfileData, expected, at, actor| async move {
        s.save_company_profile(
            org,
            &data,
            expected,
            at,
            audit("company.save", "organization", Some(actor)),
            &[],
        )
        .await
    };
    assert_eq!(save(v1.clone(), None, mins(1), alice).await.unwrap(), 1);
    let stored = s.company_profile(org).await.unwrap().unwrap();
    assert_eq!(stored.version, 1);
    assert_eq!(stored.updated_at, mins(1));
    assert_eq!(stored.data, v1);
    assert_eq!(stored.organization.id, org);

    let mut v2 = v1.clone();
    v2.prefecture = Prefecture::Osaka;
    v2.municipality = None;
    v2.jsic = vec![jsic("0921")];
    v2.catalogue.truncate(1);
    v2.certifications = vec![Certification::Iso14001];
    v2.grades = vec![(GradeCategory::Services, Grade::C)];
    v2.employees = None;
    assert_eq!(save(v2.clone(), Some(1), mins(2), bob).await.unwrap(), 2);
    let stored = s.company_profile(org).await.unwrap().unwrap();
    assert_eq!((stored.version, stored.updated_at), (2, mins(2)));
    assert_eq!(stored.data, v2, "child rows replaced, not added to");

    let audit_before = audit_total(s).await;
    let err = save(v1.clone(), Some(1), mins(3), alice).await.unwrap_err();
    assert!(is_conflict(&err, "stale_version"), "{err:?}");
    assert_eq!(s.company_profile(org).await.unwrap().unwrap().data, v2);
    assert_eq!(audit_total(s).await, audit_before);

    let history = s.profile_versions(org).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(
        (
            history[0].version,
            history[0].changed_by,
            history[0].changed_at
        ),
        (2, Some(bob), mins(2))
    );
    assert_eq!(history[0].data, v2);
    assert_eq!(
        (
            history[1].version,
            history[1].changed_by,
            history[1].changed_at
        ),
        (1, Some(alice), mins(1))
    );
    assert_eq!(history[1].data, v1);

    // Without an expected version the save always goes through.
    assert_eq!(save(v1.clone(), None, mins(4), alice).await.unwrap(), 3);

    let err = s
        .save_company_profile(
            buyer,
            &v1,
            None,
            mins(5),
            audit("company.save", "organization", Some(bob)),
            &[],
        )
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "not_a_supplier"), "{err:?}");
    assert_eq!(s.company_profile(buyer).await.unwrap(), None);
    let err = s
        .save_company_profile(
            99_999,
            &v1,
            None,
            mins(5),
            audit("company.save", "organization", None),
            &[],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::NotFound), "{err:?}");
}

/// Six suppliers, imported one by one a minute apart (in an order unlike
/// their kana order), plus a supplier without a profile and a buyer.
async fn directory_fixture(s: &dyn Stores) -> Vec<(&'static str, OrgId)> {
    use Certification::*;
    use GradeCategory::*;
    use Prefecture::*;
    let companies = [
        (
            "F",
            "カエデ",
            profile(Fukuoka, &["3911"], &[Iso27001], &[(Services, Grade::C)]),
        ),
        (
            "D",
            "エノキ",
            profile(
                Osaka,
                &["0921"],
                &[Iso9001, PrivacyMark],
                &[(Goods, Grade::B), (Works, Grade::A)],
            ),
        ),
        (
            "B",
            "イナホ",
            profile(Osaka, &["06"], &[], &[(Works, Grade::B)]),
        ),
        (
            "A",
            "アオイ",
            profile(Tokyo, &["0611", "3911"], &[Iso9001], &[(Works, Grade::A)]),
        ),
        ("E", "オオバ", profile(Tokyo, &["061"], &[], &[])),
        (
            "C",
            "ウミ",
            profile(Hokkaido, &["D"], &[Iso14001], &[(Goods, Grade::A)]),
        ),
    ];
    let mut ids = Vec::new();
    for (i, (name, kana, p)) in companies.into_iter().enumerate() {
        let n = s
            .import_companies(&[company(name, kana, None, p)], mins(i as i64 + 1))
            .await
            .unwrap();
        assert_eq!(n, 1);
        let page = s
            .directory(&DirectoryQuery {
                sort: DirectorySort::Updated,
                limit: 1,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(page.items[0].name, name);
        ids.push((name, page.items[0].id));
    }
    let u = register(s, "unlisted@example.jp", t0()).await;
    create_org(s, OrgKind::Supplier, "プロフィールなし", None, u)
        .await
        .unwrap();
    let b = register(s, "buyer@example.jp", t0()).await;
    create_org(s, OrgKind::PublicBody, "アアア市", None, b)
        .await
        .unwrap();
    ids
}

async fn directory_filters_sorts_and_pages(s: &dyn Stores) {
    use Certification::*;
    use GradeCategory::*;
    use Prefecture::*;
    let ids = directory_fixture(s).await;
    let names = |q: DirectoryQuery| async move {
        let page = s.directory(&q).await.unwrap();
        let names: Vec<String> = page.items.iter().map(|c| c.name.clone()).collect();
        (names.join(""), page.total)
    };
    let q = DirectoryQuery::default;

    // Everything, each sort.
    assert_eq!(names(q()).await, ("ABCDEF".into(), 6));
    assert_eq!(
        names(DirectoryQuery {
            sort: DirectorySort::Updated,
            ..q()
        })
        .await,
        ("CEABDF".into(), 6)
    );
    assert_eq!(
        names(DirectoryQuery {
            sort: DirectorySort::Prefecture,
            ..q()
        })
        .await,
        ("CAEBDF".into(), 6)
    );

    // Paging: exact totals whatever the page; limit 0 means the default.
    assert_eq!(
        names(DirectoryQuery {
            offset: 2,
            limit: 2,
            ..q()
        })
        .await,
        ("CD".into(), 6)
    );
    assert_eq!(
        names(DirectoryQuery {
            offset: 5,
            limit: 2,
            ..q()
        })
        .await,
        ("F".into(), 6)
    );
    assert_eq!(
        names(DirectoryQuery {
            offset: 6,
            limit: 2,
            ..q()
        })
        .await,
        ("".into(), 6)
    );
    assert_eq!(
        names(DirectoryQuery { limit: 0, ..q() }).await,
        ("ABCDEF".into(), 6)
    );
    assert_eq!(
        names(DirectoryQuery {
            limit: 1,
            sort: DirectorySort::Prefecture,
            offset: 1,
            ..q()
        })
        .await,
        ("A".into(), 6)
    );

    // Prefectures.
    let pref = |p: Vec<Prefecture>| DirectoryQuery {
        prefectures: p,
        ..q()
    };
    assert_eq!(names(pref(vec![Tokyo])).await, ("AE".into(), 2));
    assert_eq!(names(pref(vec![Tokyo, Osaka])).await, ("ABDE".into(), 4));
    assert_eq!(names(pref(vec![Kyoto])).await, ("".into(), 0));

    // JSIC: same code or below it; a broader code held by a company is no match.
    let by = |code: &str| DirectoryQuery {
        jsic: Some(jsic(code)),
        ..q()
    };
    assert_eq!(names(by("D")).await, ("ABCE".into(), 4), "division");
    assert_eq!(
        names(by("06")).await,
        ("ABE".into(), 3),
        "major group; C holds only D"
    );
    assert_eq!(
        names(by("061")).await,
        ("AE".into(), 2),
        "group; B holds only 06"
    );
    assert_eq!(names(by("0611")).await, ("A".into(), 1));
    assert_eq!(names(by("0612")).await, ("".into(), 0));
    assert_eq!(names(by("E")).await, ("D".into(), 1));
    assert_eq!(names(by("09")).await, ("D".into(), 1));
    assert_eq!(names(by("G")).await, ("AF".into(), 2));
    assert_eq!(names(by("39")).await, ("AF".into(), 2));

    // Grades, with and without a category.
    let grade = |g: Option<Grade>, c: Option<GradeCategory>| DirectoryQuery {
        grade: g,
        grade_category: c,
        ..q()
    };
    assert_eq!(names(grade(Some(Grade::A), None)).await, ("ACD".into(), 3));
    assert_eq!(
        names(grade(Some(Grade::A), Some(Works))).await,
        ("AD".into(), 2)
    );
    assert_eq!(
        names(grade(Some(Grade::A), Some(Goods))).await,
        ("C".into(), 1)
    );
    assert_eq!(
        names(grade(Some(Grade::B), Some(Goods))).await,
        ("D".into(), 1)
    );
    assert_eq!(names(grade(Some(Grade::D), None)).await, ("".into(), 0));
    assert_eq!(names(grade(None, Some(Services))).await, ("F".into(), 1));

    // Certifications.
    let cert = |c| DirectoryQuery {
        certification: Some(c),
        ..q()
    };
    assert_eq!(names(cert(Iso9001)).await, ("AD".into(), 2));
    assert_eq!(names(cert(Haccp)).await, ("".into(), 0));

    // Combined, sorted, paged.
    assert_eq!(
        names(DirectoryQuery {
            prefectures: vec![Osaka, Tokyo],
            jsic: Some(jsic("D")),
            sort: DirectorySort::Updated,
            ..q()
        })
        .await,
        ("EAB".into(), 3)
    );
    assert_eq!(
        names(DirectoryQuery {
            prefectures: vec![Osaka, Tokyo],
            jsic: Some(jsic("D")),
            sort: DirectorySort::Updated,
            offset: 1,
            limit: 1,
            ..q()
        })
        .await,
        ("A".into(), 3)
    );
    assert_eq!(
        names(DirectoryQuery {
            grade: Some(Grade::A),
            certification: Some(Iso9001),
            ..q()
        })
        .await,
        ("AD".into(), 2)
    );

    // A summary carries its codes and times.
    let page = s.directory(&by("0611")).await.unwrap();
    let a = &page.items[0];
    let a_id = ids.iter().find(|(n, _)| *n == "A").unwrap().1;
    assert_eq!(a.id, a_id);
    assert_eq!(a.name_kana, "アオイ");
    assert_eq!(a.prefecture, Tokyo);
    assert_eq!(a.capabilities, "何でも作ります");
    assert_eq!(a.jsic, [jsic("0611"), jsic("3911")]);
    assert_eq!(a.updated_at, mins(4));

    // A new save moves the company in the directory at once.
    let mut p = s.company_profile(a_id).await.unwrap().unwrap().data;
    p.prefecture = Kyoto;
    p.jsic = vec![jsic("0912")];
    s.save_company_profile(
        a_id,
        &p,
        Some(1),
        mins(30),
        audit("company.save", "organization", None),
        &[],
    )
    .await
    .unwrap();
    assert_eq!(names(pref(vec![Kyoto])).await, ("A".into(), 1));
    assert_eq!(names(by("06")).await, ("BE".into(), 2));
    assert_eq!(names(by("09")).await, ("AD".into(), 2));
    assert_eq!(
        names(DirectoryQuery {
            sort: DirectorySort::Updated,
            limit: 1,
            ..q()
        })
        .await,
        ("A".into(), 6)
    );
}

async fn import_is_all_or_nothing(s: &dyn Stores) {
    let p = || {
        profile(
            Prefecture::Tokyo,
            &["0611"],
            &[Certification::Iso9001],
            &[(GradeCategory::Works, Grade::A)],
        )
    };
    let n = s
        .import_companies(
            &[
                company("一", "イチ", Some("100000000001"), p()),
                company("二", "ニ", Some("100000000002"), p()),
                company("番号なし", "バンゴウナシ", None, p()),
            ],
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(n, 3);
    let dir = s.directory(&DirectoryQuery::default()).await.unwrap();
    assert_eq!(dir.total, 3);
    let first = s.company_profile(dir.items[0].id).await.unwrap().unwrap();
    assert_eq!(first.organization.name, "一");
    assert_eq!(first.version, 1);
    assert_eq!(first.updated_at, t0());
    assert_eq!(first.organization.approval, Approval::NotRequired);
    assert_eq!(first.organization.kind, OrgKind::Supplier);
    assert_eq!(
        first.organization.corporate_number,
        Some(corp("100000000001"))
    );
    assert_eq!(first.data, p());
    let history = s.profile_versions(dir.items[0].id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].version, history[0].changed_by), (1, None));
    assert_eq!(history[0].data, p());

    // A bigger batch: every company gets its own profile and child rows.
    let many: Vec<CompanyImport> = (0..2500)
        .map(|i| {
            let prefecture = Prefecture::all()[i % 47];
            let mut data = profile(
                prefecture,
                &[["0611", "3911", "E"][i % 3]],
                &[Certification::ALL[i % Certification::ALL.len()]],
                &[(GradeCategory::ALL[i % 3], Grade::ALL[i % 4])],
            );
            data.representative = format!("代表{i}");
            data.employees = Some(i as u32);
            data.catalogue = vec![CatalogueItem {
                title: format!("品目{i}"),
                description: String::new(),
            }];
            company(&format!("社{i:04}"), &format!("シャ{i:04}"), None, data)
        })
        .collect();
    assert_eq!(s.import_companies(&many, mins(1)).await.unwrap(), 2500);
    let dir = s
        .directory(&DirectoryQuery {
            prefectures: vec![Prefecture::Hokkaido],
            limit: 200,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(dir.total, 2500_u64.div_ceil(47));
    for summary in &dir.items {
        let i: usize = summary.name["社".len()..].parse().unwrap();
        assert_eq!(i % 47, 0);
        let stored = s.company_profile(summary.id).await.unwrap().unwrap();
        assert_eq!(stored.data, many[i].profile, "company {i}");
        assert_eq!(summary.jsic, many[i].profile.jsic);
    }
    assert_eq!(
        s.directory(&DirectoryQuery::default()).await.unwrap().total,
        2503
    );

    let orgs_before = s
        .list_organizations(None, Paging::default())
        .await
        .unwrap()
        .total;
    // A duplicate within the batch, and one against the database.
    for batch in [
        vec![
            company("三", "サン", Some("100000000003"), p()),
            company("三'", "サン", Some("100000000003"), p()),
        ],
        vec![
            company("四", "ヨン", Some("100000000004"), p()),
            company("二'", "ニ", Some("100000000002"), p()),
        ],
    ] {
        let err = s.import_companies(&batch, mins(1)).await.unwrap_err();
        assert!(is_conflict(&err, "corporate_number_taken"), "{err:?}");
    }
    // A large batch whose conflict comes late: the early part is not kept.
    let mut late: Vec<CompanyImport> = (0..1500)
        .map(|i| {
            let base = format!("{:012}", 200_000_000_000_u64 + i);
            company("遅", "オソ", Some(&base), p())
        })
        .collect();
    late.push(company("二''", "ニ", Some("100000000002"), p()));
    let err = s.import_companies(&late, mins(1)).await.unwrap_err();
    assert!(is_conflict(&err, "corporate_number_taken"), "{err:?}");
    assert_eq!(
        s.directory(&DirectoryQuery::default()).await.unwrap().total,
        2503
    );
    assert_eq!(
        s.list_organizations(None, Paging::default())
            .await
            .unwrap()
            .total,
        orgs_before
    );
    assert_eq!(s.import_companies(&[], mins(2)).await.unwrap(), 0);
}

async fn favourites_add_remove_list(s: &dyn Stores) {
    let ids = directory_fixture(s).await;
    let id = |name: &str| ids.iter().find(|(n, _)| *n == name).unwrap().1;
    let me = register(s, "fan@example.jp", t0()).await;
    let other = register(s, "other@example.jp", t0()).await;
    s.add_favourite(me, id("B"), mins(10)).await.unwrap();
    s.add_favourite(me, id("A"), mins(11)).await.unwrap();
    s.add_favourite(me, id("B"), mins(12)).await.unwrap();
    s.add_favourite(other, id("C"), mins(12)).await.unwrap();
    let favs = s.favourites(me).await.unwrap();
    assert_eq!(
        favs.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["A", "B"],
        "idempotent; latest favourite first"
    );
    assert_eq!(favs[0].jsic, [jsic("0611"), jsic("3911")]);
    assert_eq!(favs[1].prefecture, Prefecture::Osaka);

    let buyer = s
        .list_organizations(Some(Approval::Pending), Paging::default())
        .await
        .unwrap()
        .items[0]
        .id;
    let err = s.add_favourite(me, buyer, mins(13)).await.unwrap_err();
    assert!(
        matches!(err, StorageError::NotFound),
        "not in the directory: {err:?}"
    );
    let err = s.add_favourite(me, 99_999, mins(13)).await.unwrap_err();
    assert!(matches!(err, StorageError::NotFound), "{err:?}");

    s.remove_favourite(me, id("A")).await.unwrap();
    s.remove_favourite(me, id("A")).await.unwrap();
    let favs = s.favourites(me).await.unwrap();
    assert_eq!(
        favs.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["B"]
    );
    s.remove_favourite(me, id("B")).await.unwrap();
    assert!(s.favourites(me).await.unwrap().is_empty());
    assert_eq!(s.favourites(other).await.unwrap().len(), 1);
}

// --- audit -----------------------------------------------------------------------

async fn audit_log_records_every_write(s: &dyn Stores) {
    let admin = register(s, "admin@example.jp", t0()).await;
    let user = register(s, "user@example.jp", mins(1)).await;
    let by = |actor, action: &str, subject: &str| {
        AuditEntry::new(action, subject, None)
            .by(Some(actor), Some("203.0.113.5"))
            .detail(json!({ "why": action }))
    };
    s.add_user_token(user, TokenPurpose::VerifyEmail, "v", mins(60), mins(1), &[])
        .await
        .unwrap();
    s.verify_email("v", mins(2), by(user, "user.verify", "user"))
        .await
        .unwrap();
    s.update_user_settings(
        user,
        "利用者",
        "ja",
        mins(3),
        by(user, "user.settings", "user"),
    )
    .await
    .unwrap();
    s.change_password(user, "h2", None, mins(4), by(user, "user.password", "user"))
        .await
        .unwrap();
    let token = s
        .create_api_token(
            user,
            "t",
            "th",
            "p",
            TokenScope::Read,
            mins(5),
            by(user, "api_token.create", "api_token"),
        )
        .await
        .unwrap();
    s.revoke_api_token(
        user,
        token,
        mins(6),
        by(user, "api_token.revoke", "api_token"),
    )
    .await
    .unwrap();
    let org = s
        .create_organization(
            &NewOrganization {
                kind: OrgKind::PublicBody,
                name: "市".into(),
                name_kana: "シ".into(),
                corporate_number: None,
            },
            user,
            mins(7),
            by(user, "org.create", "organization"),
        )
        .await
        .unwrap();
    s.update_organization(
        org,
        "市役所",
        "シヤクショ",
        mins(8),
        by(user, "org.update", "organization"),
        &[],
    )
    .await
    .unwrap();
    s.decide_approval(
        org,
        true,
        None,
        mins(9),
        by(admin, "org.approve", "organization"),
        &[],
    )
    .await
    .unwrap();
    s.set_suspension(user, Some("x"), mins(10), by(admin, "user.suspend", "user"))
        .await
        .unwrap();
    s.set_suspension(user, None, mins(11), by(admin, "user.reinstate", "user"))
        .await
        .unwrap();
    s.set_platform_role(
        user,
        PlatformRole::Admin,
        &[],
        mins(12),
        by(admin, "user.role", "user"),
    )
    .await
    .unwrap();
    let member = register(s, "member@example.jp", mins(13)).await;
    s.add_member(
        org,
        member,
        OrgRole::Member,
        mins(14),
        by(user, "org.member_add", "organization"),
    )
    .await
    .unwrap();
    let supplier_owner = register(s, "sup@example.jp", mins(15)).await;
    let supplier = s
        .create_organization(
            &NewOrganization {
                kind: OrgKind::Supplier,
                name: "製作所".into(),
                name_kana: "セイサクショ".into(),
                corporate_number: None,
            },
            supplier_owner,
            mins(15),
            by(supplier_owner, "org.create", "organization"),
        )
        .await
        .unwrap();
    s.save_company_profile(
        supplier,
        &profile(Prefecture::Tokyo, &["06"], &[], &[]),
        None,
        mins(16),
        by(supplier_owner, "company.save", "organization"),
        &[],
    )
    .await
    .unwrap();
    s.reset_password("missing", "h", mins(17), by(user, "user.reset", "user"))
        .await
        .unwrap();

    let mine = s.audit_log(Some(user), page(0, 200)).await.unwrap();
    assert_eq!(
        mine.items
            .iter()
            .map(|r| r.entry.action.as_str())
            .collect::<Vec<_>>(),
        [
            "org.member_add",
            "org.update",
            "org.create",
            "api_token.revoke",
            "api_token.create",
            "user.password",
            "user.settings",
            "user.verify",
        ],
        "newest first; a write that did nothing leaves no line"
    );
    assert_eq!(mine.total, 8);
    for r in &mine.items {
        assert_eq!(r.entry.actor, Some(user));
        assert_eq!(r.entry.ip.as_deref(), Some("203.0.113.5"));
        assert_eq!(r.entry.detail, json!({ "why": r.entry.action }));
    }
    let verify = &mine.items[7];
    assert_eq!(
        (
            verify.at,
            verify.entry.subject_type.as_str(),
            verify.entry.subject_id
        ),
        (mins(2), "user", Some(user))
    );
    assert_eq!(mine.items[2].entry.subject_id, Some(org));
    assert_eq!(mine.items[4].entry.subject_id, Some(token));

    let theirs = s.audit_log(Some(admin), Paging::default()).await.unwrap();
    assert_eq!(
        theirs
            .items
            .iter()
            .map(|r| r.entry.action.as_str())
            .collect::<Vec<_>>(),
        ["user.role", "user.reinstate", "user.suspend", "org.approve"]
    );
    let owner = s
        .audit_log(Some(supplier_owner), Paging::default())
        .await
        .unwrap();
    assert_eq!(owner.total, 2);
    assert_eq!(owner.items[0].entry.action, "company.save");
    assert_eq!(owner.items[0].entry.subject_id, Some(supplier));

    // All of it, paged: 4 registrations (no actor) + 8 + 4 + 2.
    let all = s.audit_log(None, page(0, 5)).await.unwrap();
    assert_eq!(all.total, 18);
    assert_eq!(all.items.len(), 5);
    assert_eq!(all.items[0].entry.action, "company.save");
    let tail = s.audit_log(None, page(15, 5)).await.unwrap();
    assert_eq!(tail.items.len(), 3);
    assert!(
        tail.items
            .windows(2)
            .all(|w| (w[0].at, w[0].id) > (w[1].at, w[1].id)),
        "newest first"
    );
    assert_eq!(tail.items[2].entry.action, "user.register");
    assert_eq!(tail.items[2].entry.actor, None);
}
