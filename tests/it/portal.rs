//! Accounts, organisations, company profiles and administration, end to end
//! through the real server and its JSON API, on both databases.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{ChildGuard, TestDb, both_backends};

both_backends!(accounts_organisations_and_directory_end_to_end);

pub const PASSWORD: &str = "kumo-no-ue-42";

/// The server with its log captured in a file, so tests can check what it logs.
pub struct Server {
    pub guard: ChildGuard,
    pub base: String,
    pub log: PathBuf,
    pub mail_dir: PathBuf,
}

pub fn start(db: &TestDb) -> Server {
    let log = db.data_path().join("server.log");
    let mut child = db
        .musubi()
        .args(["serve", "--addr", "127.0.0.1:0", "--job-poll-ms", "20"])
        .env("MUSUBI_LOG", "debug,sqlx=warn,hyper=info")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("start musubi serve");
    let stdout = child.stdout.take().unwrap();
    let guard = ChildGuard(child);
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    while !line.contains("http://") {
        line.clear();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "server exited: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }
    let base = line[line.find("http://").unwrap()..]
        .trim()
        .trim_end_matches('/')
        .to_owned();
    Server {
        guard,
        base,
        log,
        mail_dir: db.data_path().join("mail"),
    }
}

/// A browser-like client: keeps cookies, sends the CSRF header.
pub struct Client {
    pub base: String,
    http: reqwest::Client,
    pub cookies: HashMap<String, String>,
    pub bearer: Option<String>,
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub text: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client {
            base: base.to_owned(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            cookies: HashMap::new(),
            bearer: None,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn send(&mut self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if !self.cookies.is_empty() {
            req = req.header("cookie", self.cookie_header());
        }
        if let Some(csrf) = self.cookies.get("musubi_csrf") {
            req = req.header("x-csrf-token", csrf);
        }
        if let Some(b) = &self.bearer {
            req = req.header("authorization", format!("Bearer {b}"));
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        self.absorb(&res);
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            body,
            text,
            headers,
        }
    }

    pub async fn form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let csrf = self.cookies.get("musubi_csrf").cloned().unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(&all)
            .send()
            .await
            .unwrap();
        self.absorb(&res);
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        Reply {
            status,
            body: Value::Null,
            text,
            headers,
        }
    }

    fn absorb(&mut self, res: &reqwest::Response) {
        for v in res.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap();
            let (k, val) = pair.split_once('=').unwrap();
            if v.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), val.to_owned());
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&mut self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }
}

/// Waits for a mail to `to` whose subject contains `subject`; returns its body.
pub async fn wait_for_mail(dir: &Path, to: &str, subject: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        for m in musubi_app::mail::list_dev_mail(dir) {
            if m.to.contains(to) && m.subject.contains(subject) {
                return musubi_app::mail::read_dev_mail(dir, &m.id)
                    .unwrap()
                    .text_body;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no mail to {to} with subject {subject:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn token_in(body: &str) -> String {
    let at = body.find("token=").expect("a link with a token");
    body[at + 6..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect()
}

/// Registers and verifies through the API; returns a signed-in client.
pub async fn signed_up(server: &Server, email: &str, name: &str) -> Client {
    let mut c = Client::new(&server.base);
    let r = c
        .post(
            "/api/v1/auth/register",
            json!({"email": email, "password": PASSWORD, "display_name": name}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let mail = wait_for_mail(&server.mail_dir, email, "メールアドレスの確認").await;
    let r = c
        .post("/api/v1/auth/verify", json!({"token": token_in(&mail)}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = c
        .post(
            "/api/v1/auth/login",
            json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    c
}

pub fn create_admin(db: &TestDb, email: &str) {
    let out = db
        .musubi()
        .args([
            "user",
            "create-admin",
            "--email",
            email,
            "--name",
            "運営 管理者",
        ])
        .env("MUSUBI_ADMIN_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn profile_body() -> Value {
    json!({
        "representative": "代表取締役 佐藤 健一",
        "prefecture": "13",
        "municipality": "131016",
        "address_line": "神田須田町一丁目2番3号",
        "jsic": ["1511"],
        "capabilities": "官公庁向けの報告書・パンフレットの印刷と製本を一貫して請け負います。",
        "catalogue": [{"title": "報告書印刷", "description": "A4冊子、無線綴じ、500部から"}],
        "certifications": ["iso9001", "privacy_mark"],
        "grades": ["goods:C"],
        "employees": "35",
        "capital_yen": "10000000",
        "founded_year": "1978",
        "website": "https://www.toyo-insatsu.example.jp",
        "contact_email": "info@toyo-insatsu.example.jp",
        "contact_phone": "03-1234-5678"
    })
}

async fn accounts_organisations_and_directory_end_to_end(db: TestDb) {
    create_admin(&db, "admin@musubi.example.jp");
    let server = start(&db);
    let base = server.base.clone();

    // --- Registration: bad input gets field errors, nothing is stored. ---
    let mut anon = Client::new(&base);
    let r = anon
        .post(
            "/api/v1/auth/register",
            json!({"email": "not-an-address", "password": "short", "display_name": ""}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["error"]["code"], "validation_failed");
    for f in ["email", "password", "display_name"] {
        assert!(
            r.body["error"]["fields"][f].is_string(),
            "field {f}: {}",
            r.text
        );
    }
    let r = anon.send(Method::POST, "/api/v1/auth/register", None).await;
    assert_eq!(r.status, 415, "{}", r.text);
    assert_eq!(r.body["error"]["code"], "unsupported_media_type");
    let raw = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/register"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let body: Value = raw.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_json");

    // Oversize fields and bodies are refused with the same shapes.
    let long_name = "名".repeat(51);
    let r = anon
        .post(
            "/api/v1/auth/register",
            json!({"email": "long@example.jp", "password": PASSWORD, "display_name": long_name}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body["error"]["fields"]["display_name"]
            .as_str()
            .unwrap()
            .contains("50文字以内"),
        "{}",
        r.text
    );
    // (Bodies over the limit get 413 `payload_too_large`: crates/web/src/tests.rs.)

    // --- A supplier signs up, verifies, signs in. ---
    let r = anon.post("/api/v1/auth/register", json!({"email": "sato@toyo-insatsu.example.jp", "password": PASSWORD, "display_name": "佐藤 健一"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = anon.post("/api/v1/auth/register", json!({"email": "SATO@toyo-insatsu.example.jp", "password": PASSWORD, "display_name": "別人"})).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body["error"]["fields"]["email"]
            .as_str()
            .unwrap()
            .contains("既に登録"),
        "{}",
        r.text
    );
    let r = anon
        .post(
            "/api/v1/auth/login",
            json!({"email": "sato@toyo-insatsu.example.jp", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["error"]["code"].as_str()),
        (403, Some("email_not_verified")),
        "{}",
        r.text
    );
    let mail = wait_for_mail(
        &server.mail_dir,
        "sato@toyo-insatsu.example.jp",
        "メールアドレスの確認",
    )
    .await;
    assert!(
        mail.contains(&format!("{base}/verify-email?token=")),
        "{mail}"
    );
    let token = token_in(&mail);
    let r = anon
        .post("/api/v1/auth/verify", json!({"token": token}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = anon
        .post("/api/v1/auth/verify", json!({"token": token}))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["error"]["code"].as_str()),
        (400, Some("invalid_token"))
    );
    let mut supplier = Client::new(&base);
    let r = supplier
        .post(
            "/api/v1/auth/login",
            json!({"email": "sato@toyo-insatsu.example.jp", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(supplier.cookies.contains_key("musubi_session"));
    let r = supplier.get("/api/v1/me").await;
    assert_eq!(r.body["email"], "sato@toyo-insatsu.example.jp");
    assert!(r.body["organization"].is_null());

    // CSRF: a cookie-authenticated write without the token is refused.
    let csrf = supplier.cookies.remove("musubi_csrf").unwrap();
    let r = supplier.post("/api/v1/organizations", json!({})).await;
    assert_eq!(
        (r.status.as_u16(), r.body["error"]["code"].as_str()),
        (403, Some("csrf_failed")),
        "{}",
        r.text
    );
    supplier.cookies.insert("musubi_csrf".into(), csrf);

    // --- The supplier registers its company and profile. ---
    let r = supplier.post("/api/v1/organizations", json!({"kind": "supplier", "name": "株式会社東洋印刷", "name_kana": "とうよういんさつ", "corporate_number": "7000012050003"})).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body["error"]["fields"]["corporate_number"].is_string(),
        "{}",
        r.text
    );
    let r = supplier.post("/api/v1/organizations", json!({"kind": "supplier", "name": "株式会社東洋印刷", "name_kana": "とうよういんさつ", "corporate_number": "7000012050002"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["name_kana"], "トウヨウインサツ");
    assert_eq!(r.body["approval"], "not_required");
    let org = r.body["id"].as_i64().unwrap();
    let r = supplier
        .send(
            Method::PUT,
            &format!("/api/v1/companies/{org}/profile"),
            Some(profile_body()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["version"], 1);
    let mut changed = profile_body();
    changed["employees"] = json!("40");
    changed["version"] = json!(1);
    let r = supplier
        .send(
            Method::PUT,
            &format!("/api/v1/companies/{org}/profile"),
            Some(changed.clone()),
        )
        .await;
    assert_eq!(r.body["version"], 2, "{}", r.text);
    let r = supplier
        .send(
            Method::PUT,
            &format!("/api/v1/companies/{org}/profile"),
            Some(changed),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["error"]["code"].as_str()),
        (409, Some("stale_version")),
        "{}",
        r.text
    );
    let r = supplier
        .get(&format!("/api/v1/companies/{org}/history"))
        .await;
    assert_eq!(r.body["versions"].as_array().unwrap().len(), 2);

    // Public: directory and profile page.
    let r = anon
        .get("/api/v1/companies?prefecture=13&jsic=E&certification=iso9001")
        .await;
    assert_eq!(r.body["total"], 1, "{}", r.text);
    assert_eq!(r.body["items"][0]["name"], "株式会社東洋印刷");
    let r = anon.get("/api/v1/companies?prefecture=27").await;
    assert_eq!(r.body["total"], 0);
    let r = anon.get("/api/v1/companies?prefecture=99").await;
    assert_eq!(
        (r.status.as_u16(), r.body["error"]["code"].as_str()),
        (400, Some("invalid_parameter"))
    );
    let r = anon.get(&format!("/companies/{org}")).await;
    assert_eq!(r.status, 200);
    assert!(
        r.text.contains("株式会社東洋印刷") && r.text.contains("報告書印刷"),
        "{}",
        r.text
    );
    let r = anon.get("/companies?region=kanto").await;
    assert!(r.text.contains("株式会社東洋印刷"));

    // --- A buyer registers; the admin approves it. ---
    let mut buyer = signed_up(&server, "keiyaku@bigsight.example.jp", "鈴木 花子").await;
    let r = buyer.post("/api/v1/organizations", json!({"kind": "public_corporation", "name": "株式会社東京ビッグサイト", "name_kana": "トウキョウビッグサイト"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["approval"], "pending");
    let buyer_org = r.body["id"].as_i64().unwrap();
    let r = buyer
        .send(Method::PUT, &format!("/api/v1/favourites/{org}"), None)
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["error"]["code"].as_str()),
        (403, Some("buyer_approval_required"))
    );

    let mut admin = Client::new(&base);
    let r = admin
        .post(
            "/api/v1/auth/login",
            json!({"email": "admin@musubi.example.jp", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Coordinator areas may be given as regions.
    let buyer_user = buyer.get("/api/v1/me").await.body["id"].as_i64().unwrap();
    let r = admin
        .send(
            Method::PUT,
            &format!("/api/v1/admin/users/{buyer_user}/role"),
            Some(json!({"role": "user", "prefectures": ["shikoku"]})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = admin
        .send(
            Method::PUT,
            &format!("/api/v1/admin/users/{buyer_user}/role"),
            Some(json!({"role": "user", "prefectures": ["Atlantis"]})),
        )
        .await;
    assert_eq!(r.body["error"]["code"], "invalid_prefecture", "{}", r.text);
    let r = admin.get("/api/v1/organizations?approval=pending").await;
    assert_eq!(r.body["total"], 1, "{}", r.text);
    let r = admin
        .post(
            &format!("/api/v1/admin/organizations/{buyer_org}/decision"),
            json!({"approve": true}),
        )
        .await;
    assert_eq!(r.body["approval"], "approved", "{}", r.text);
    let r = admin
        .post(
            &format!("/api/v1/admin/organizations/{buyer_org}/decision"),
            json!({"approve": false, "reason": "x"}),
        )
        .await;
    assert_eq!(r.body["error"]["code"], "not_pending");
    let mail = wait_for_mail(&server.mail_dir, "keiyaku@bigsight.example.jp", "承認").await;
    assert!(mail.contains("株式会社東京ビッグサイト"));
    let r = buyer
        .send(Method::PUT, &format!("/api/v1/favourites/{org}"), None)
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = buyer.get("/api/v1/favourites").await;
    assert_eq!(r.body["items"][0]["id"], org);

    // --- Invitations: the supplier's admin invites a colleague. ---
    let r = supplier
        .post(
            &format!("/api/v1/organizations/{org}/invitations"),
            json!({"email": "tanaka@toyo-insatsu.example.jp", "role": "member"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = buyer
        .post(
            &format!("/api/v1/organizations/{org}/invitations"),
            json!({"email": "x@example.jp"}),
        )
        .await;
    assert_eq!(r.body["error"]["code"], "org_admin_required", "{}", r.text);
    let invite = wait_for_mail(&server.mail_dir, "tanaka@toyo-insatsu.example.jp", "招待").await;
    let invite_token = token_in(&invite);
    let r = buyer
        .post("/api/v1/invitations/accept", json!({"token": invite_token}))
        .await;
    assert_eq!(
        r.body["error"]["code"], "invitation_email_mismatch",
        "{}",
        r.text
    );
    let mut colleague = signed_up(&server, "tanaka@toyo-insatsu.example.jp", "田中 一郎").await;
    let r = colleague
        .post("/api/v1/invitations/accept", json!({"token": invite_token}))
        .await;
    assert_eq!(r.body["organization_id"], org, "{}", r.text);
    let r = colleague.get("/api/v1/me").await;
    assert_eq!(
        (
            r.body["organization"]["id"].as_i64(),
            r.body["organization"]["role"].as_str()
        ),
        (Some(org), Some("member"))
    );
    let r = colleague
        .post("/api/v1/invitations/accept", json!({"token": invite_token}))
        .await;
    assert_eq!(r.body["error"]["code"], "invalid_invitation");

    // --- API tokens: read-only cannot write; revoked cannot read. ---
    let r = supplier
        .post(
            "/api/v1/tokens",
            json!({"name": "基幹システム連携", "scope": "read"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let read_token = r.body["token"].as_str().unwrap().to_owned();
    let read_id = r.body["id"].as_i64().unwrap();
    let mut robot = Client::new(&base);
    robot.bearer = Some(read_token.clone());
    assert_eq!(
        robot.get("/api/v1/me").await.body["email"],
        "sato@toyo-insatsu.example.jp"
    );
    let r = robot
        .post("/api/v1/tokens", json!({"name": "x", "scope": "write"}))
        .await;
    assert_eq!(r.body["error"]["code"], "token_read_only");
    let r = supplier
        .send(Method::DELETE, &format!("/api/v1/tokens/{read_id}"), None)
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(robot.get("/api/v1/me").await.status, 401);

    // --- Password change ends the other sessions. ---
    let mut other_device = Client::new(&base);
    other_device
        .post(
            "/api/v1/auth/login",
            json!({"email": "sato@toyo-insatsu.example.jp", "password": PASSWORD}),
        )
        .await;
    assert_eq!(other_device.get("/api/v1/me").await.status, 200);
    supplier.get("/account").await;
    let r = supplier
        .form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", "atarashii-pass-7"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        supplier.get("/api/v1/me").await.status,
        200,
        "this session stays"
    );
    assert_eq!(
        other_device.get("/api/v1/me").await.status,
        401,
        "other sessions end"
    );

    // --- Suspension: the supplier can no longer act. ---
    let me = supplier.get("/api/v1/me").await.body["id"]
        .as_i64()
        .unwrap();
    let r = admin
        .post(
            &format!("/api/v1/admin/users/{me}/suspension"),
            json!({"suspend": true, "reason": "虚偽の登録"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(supplier.get("/api/v1/me").await.status, 401);
    let r = Client::new(&base)
        .post(
            "/api/v1/auth/login",
            json!({"email": "sato@toyo-insatsu.example.jp", "password": "atarashii-pass-7"}),
        )
        .await;
    assert_eq!(r.body["error"]["code"], "account_suspended", "{}", r.text);

    // --- Rate limit on failed sign-ins. ---
    let mut guesser = Client::new(&base);
    for _ in 0..5 {
        let r = guesser
            .post(
                "/api/v1/auth/login",
                json!({"email": "keiyaku@bigsight.example.jp", "password": "wrong-guess-1"}),
            )
            .await;
        assert_eq!(r.body["error"]["code"], "invalid_credentials");
    }
    let r = guesser
        .post(
            "/api/v1/auth/login",
            json!({"email": "keiyaku@bigsight.example.jp", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["error"]["code"].as_str()),
        (429, Some("too_many_attempts"))
    );

    // --- The audit log saw it all, with addresses. ---
    let r = admin.get("/api/v1/admin/audit?limit=200").await;
    let actions: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    for a in [
        "user.register",
        "user.verify_email",
        "org.create",
        "company.save_profile",
        "org.approve",
        "api_token.create",
        "api_token.revoke",
        "user.change_password",
        "user.suspend",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    assert!(
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["ip"] == "127.0.0.1")
    );

    // --- Secrets never reach the log. ---
    drop(server.guard);
    let log = std::fs::read_to_string(&server.log).unwrap();
    for secret in [
        PASSWORD,
        "atarashii-pass-7",
        read_token.as_str(),
        token.as_str(),
    ] {
        assert!(!log.contains(secret), "the log contains a secret: {secret}");
    }
}

/// Signs up `email` (through the API), founds the public body `org` and has
/// the platform administrator `admin` (made with [`create_admin`]) approve
/// it: the buyer's signed-in client.
pub async fn approved_buyer(
    server: &Server,
    admin: &str,
    email: &str,
    person: &str,
    org: &str,
    kana: &str,
) -> Client {
    let mut buyer = signed_up(server, email, person).await;
    let r = buyer
        .post(
            "/api/v1/organizations",
            json!({"kind": "public_body", "name": org, "name_kana": kana}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let org_id = r.body["id"].as_i64().unwrap();
    let mut office = Client::new(&server.base);
    let r = office
        .post(
            "/api/v1/auth/login",
            json!({"email": admin, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = office
        .post(
            &format!("/api/v1/admin/organizations/{org_id}/decision"),
            json!({"approve": true}),
        )
        .await;
    assert_eq!(r.body["approval"], "approved", "{}", r.text);
    buyer
}

/// Signs up `email`, founds the supplier `org` (法人番号 `corporate_number`)
/// and saves its company profile ([`profile_body`]): its signed-in client.
pub async fn supplier_with_profile(
    server: &Server,
    email: &str,
    person: &str,
    org: &str,
    kana: &str,
    corporate_number: &str,
) -> Client {
    let mut supplier = signed_up(server, email, person).await;
    let r = supplier
        .post(
            "/api/v1/organizations",
            json!({"kind": "supplier", "name": org, "name_kana": kana,
                   "corporate_number": corporate_number}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let org_id = r.body["id"].as_i64().unwrap();
    let r = supplier
        .send(
            Method::PUT,
            &format!("/api/v1/companies/{org_id}/profile"),
            Some(profile_body()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    supplier
}
