//! The API description (`/api/v1/openapi.json`) and the API reference page
//! (`/api/docs`), fetched from a real server: the document lists exactly the
//! `/api/v1` routes of the route table, every operation is complete, every
//! `$ref` resolves, and the official OpenAPI 3.1 schema accepts it (with
//! Python's openapi-spec-validator, when installed).

use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

use musubi_domain::Access;
use serde_json::Value;

use crate::support::TestDb;
use crate::web::start_server;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Every `$ref` string anywhere in `v`.
fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => refs(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_describes_every_api_route() {
    let db = TestDb::sqlite().await;
    let (_server, base) = start_server(&db, &[]);
    let http = http();

    let r = http
        .get(format!("{base}/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        header("content-type").starts_with("application/json"),
        "{}",
        header("content-type")
    );
    assert!(header("cache-control").contains("max-age"));
    let etag = header("etag");
    assert!(!etag.is_empty());
    let text = r.text().await.unwrap();
    let doc: Value = serde_json::from_str(&text).expect("the document is JSON");

    // Revalidation answers 304, like the static assets.
    let again = http
        .get(format!("{base}/api/v1/openapi.json"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "Musubi API");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(
        doc["info"]["description"]
            .as_str()
            .unwrap()
            .contains("結び")
    );
    assert_eq!(doc["servers"], serde_json::json!([{ "url": "/" }]));
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearerAuth"]["type"], "http");
    assert_eq!(schemes["bearerAuth"]["scheme"], "bearer");
    assert_eq!(schemes["sessionCookie"]["type"], "apiKey");
    assert_eq!(schemes["sessionCookie"]["in"], "cookie");
    assert_eq!(schemes["sessionCookie"]["name"], "musubi_session");
    let error = &doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"];
    for field in ["code", "message", "fields"] {
        assert!(error.get(field).is_some(), "Error schema lacks {field}");
    }

    // Exactly the /api/v1 routes, with their methods.
    let table: Vec<(String, String, Access)> = musubi_web::routes::table()
        .into_iter()
        .filter(|(_, p, _)| p.starts_with("/api/v1/"))
        .map(|(m, p, a)| (m.as_str().to_lowercase(), p.to_owned(), a))
        .collect();
    let routes: BTreeSet<(String, String)> = table
        .iter()
        .map(|(m, p, _)| (m.clone(), p.clone()))
        .collect();
    let paths = doc["paths"].as_object().expect("paths");
    let mut documented = BTreeSet::new();
    for (path, item) in paths {
        for key in item.as_object().expect("path item").keys() {
            assert!(
                METHODS.contains(&key.as_str()),
                "{path}: unexpected key {key}"
            );
            documented.insert((key.clone(), path.clone()));
        }
    }
    let missing: Vec<_> = routes.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&routes).collect();
    assert!(
        missing.is_empty(),
        "API routes not in the document: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "documented operations that are not routes: {extra:?}"
    );

    // Every operation complete.
    let tags: BTreeSet<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for required in [
        "auth",
        "account",
        "organizations",
        "companies",
        "favourites",
        "admin",
    ] {
        assert!(tags.contains(required), "tag {required} missing");
    }
    let mut ids = BTreeSet::new();
    let mut problems = Vec::new();
    for (method, path, access) in &table {
        let o = &doc["paths"][path][method];
        let at = format!("{} {path}", method.to_uppercase());
        if o.get("x-musubi-undocumented").is_some() {
            problems.push(format!(
                "{at}: no entry in crates/web/src/handlers/api_docs.rs operations()"
            ));
        }
        match o["operationId"].as_str() {
            Some(id) if !id.is_empty() => {
                if !ids.insert(id.to_owned()) {
                    problems.push(format!("{at}: operationId {id} is not unique"));
                }
            }
            _ => problems.push(format!("{at}: no operationId")),
        }
        if o["summary"].as_str().is_none_or(str::is_empty) {
            problems.push(format!("{at}: no summary"));
        }
        if o["x-summary-ja"].as_str().is_none_or(str::is_empty) {
            problems.push(format!("{at}: no Japanese summary"));
        }
        match o["tags"].as_array().and_then(|t| t.first()) {
            Some(Value::String(t)) if tags.contains(t.as_str()) => {}
            t => problems.push(format!("{at}: tag {t:?} is not declared")),
        }
        let responses = o["responses"].as_object();
        if responses.is_none_or(|r| r.is_empty()) {
            problems.push(format!("{at}: no responses"));
        }
        if !responses.is_some_and(|r| r.keys().any(|k| k.starts_with('2'))) {
            problems.push(format!("{at}: no success response"));
        }
        let security = o["security"].as_array();
        if *access == Access::Public {
            if security.is_none_or(|s| !s.is_empty()) {
                problems.push(format!("{at}: public, so security must be []"));
            }
        } else {
            match security {
                Some(s) if !s.is_empty() => {
                    for req in s {
                        for scheme in req.as_object().unwrap().keys() {
                            if schemes.get(scheme).is_none() {
                                problems.push(format!("{at}: unknown security scheme {scheme}"));
                            }
                        }
                    }
                }
                _ => problems.push(format!("{at}: not public but declares no security")),
            }
            for status in ["401", "403"] {
                if !responses.is_some_and(|r| r.contains_key(status)) {
                    problems.push(format!("{at}: not public but has no {status} response"));
                }
            }
        }
        // Path parameters declared, as integers.
        for seg in path.split('/') {
            if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                let declared = o["parameters"].as_array().is_some_and(|ps| {
                    ps.iter().any(|p| {
                        p["in"] == "path"
                            && p["name"] == name
                            && p["required"] == true
                            && p["schema"]["type"] == "integer"
                    })
                });
                if !declared {
                    problems.push(format!("{at}: path parameter {name} not declared"));
                }
            }
        }
        // Writes with a body say what the body is.
        if matches!(method.as_str(), "post" | "put" | "patch")
            && let Some(body) = o.get("requestBody")
            && body["content"]["application/json"]["schema"].is_null()
        {
            problems.push(format!("{at}: request body without a JSON schema"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Bodies the handlers take, field by field.
    let body_of = |method: &str, path: &str| -> Value {
        let s = &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
        let r = s["$ref"].as_str().expect("a $ref body");
        doc.pointer(&r[1..]).cloned().unwrap()
    };
    let fields = |schema: &Value| -> BTreeSet<String> {
        schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    let set = |xs: &[&str]| -> BTreeSet<String> { xs.iter().map(|s| s.to_string()).collect() };
    assert_eq!(
        fields(&body_of("post", "/api/v1/auth/register")),
        set(&["email", "password", "display_name", "locale"])
    );
    assert_eq!(
        fields(&body_of("post", "/api/v1/tokens")),
        set(&["name", "scope"])
    );
    assert_eq!(
        body_of("post", "/api/v1/tokens")["properties"]["scope"]["enum"],
        serde_json::json!(["read", "write"])
    );
    assert_eq!(
        fields(&body_of("post", "/api/v1/organizations")),
        set(&["kind", "name", "name_kana", "corporate_number"])
    );
    assert_eq!(
        fields(&body_of("put", "/api/v1/companies/{id}/profile")),
        set(&[
            "representative",
            "prefecture",
            "municipality",
            "address_line",
            "jsic",
            "capabilities",
            "catalogue",
            "certifications",
            "grades",
            "employees",
            "capital_yen",
            "founded_year",
            "website",
            "contact_email",
            "contact_phone",
            "version",
        ])
    );
    assert_eq!(
        fields(&body_of("put", "/api/v1/admin/users/{id}/role")),
        set(&["role", "prefectures"])
    );
    let directory: BTreeSet<String> = doc["paths"]["/api/v1/companies"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let p = match p["$ref"].as_str() {
                Some(r) => doc.pointer(&r[1..]).unwrap(),
                None => p,
            };
            p["name"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        directory,
        set(&[
            "prefecture",
            "region",
            "jsic",
            "grade",
            "category",
            "certification",
            "sort",
            "page",
            "per_page",
        ])
    );

    // Every $ref resolves inside the document.
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    let broken: Vec<_> = all
        .iter()
        .filter(|r| {
            !r.starts_with("#/") || doc.pointer(&r[1..]).is_none_or(|target| target.is_null())
        })
        .collect();
    assert!(broken.is_empty(), "unresolved $ref: {broken:?}");

    // Answers have the documented shape (those an anonymous caller can get).
    let keys_match = |schema: &str, v: &Value| {
        let s = &doc["components"]["schemas"][schema];
        let props: BTreeSet<&str> = s["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let required: BTreeSet<&str> = s["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let got: BTreeSet<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert!(
            got.is_subset(&props),
            "{schema}: undocumented fields in {v}"
        );
        assert!(
            required.is_subset(&got),
            "{schema}: required fields missing in {v}"
        );
    };
    let get = |path: &str| {
        let http = http.clone();
        let url = format!("{base}{path}");
        async move {
            let r = http.get(url).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, v) = get("/api/v1/companies?per_page=5").await;
    assert_eq!(status, 200);
    keys_match("Directory", &v);
    let (status, v) = get("/api/v1/companies/999999").await;
    assert_eq!(status, 404);
    keys_match("Error", &v);
    keys_match_inner(&doc, &v);
    let (status, v) = get("/api/v1/me").await;
    assert_eq!(status, 401);
    assert_eq!(v["error"]["code"], "sign_in_required");

    validate_with_the_official_schema(&db, &text);
}

/// The inner object of an error answer has only the documented fields.
fn keys_match_inner(doc: &Value, v: &Value) {
    let props = doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]
        .as_object()
        .unwrap();
    for k in v["error"].as_object().unwrap().keys() {
        assert!(props.contains_key(k), "undocumented error field {k}");
    }
}

/// Checks the document against the OpenAPI 3.1 JSON Schema (and the
/// validator's further rules) with Python's openapi-spec-validator.
fn validate_with_the_official_schema(db: &TestDb, text: &str) {
    let have = Command::new("python3")
        .args(["-c", "import openapi_spec_validator"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        if std::env::var("MUSUBI_REQUIRE_OPENAPI_VALIDATOR").is_ok_and(|v| v == "1") {
            panic!(
                "MUSUBI_REQUIRE_OPENAPI_VALIDATOR=1 but openapi-spec-validator is not installed \
                 (python3 -m pip install -r scripts/requirements-test.txt)"
            );
        }
        eprintln!("SKIPPED: openapi-spec-validator not installed");
        return;
    }
    let file = db.data_dir.path().join("openapi.json");
    std::fs::write(&file, text).unwrap();
    let script = "import json, sys\n\
        from openapi_spec_validator import OpenAPIV31SpecValidator\n\
        spec = json.load(open(sys.argv[1], encoding='utf-8'))\n\
        errors = list(OpenAPIV31SpecValidator(spec).iter_errors())\n\
        for e in errors[:20]:\n    print(f'{type(e).__name__}: {e}'[:2000])\n\
        sys.exit(1 if errors else 0)\n";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(&file)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "openapi-spec-validator rejects the document:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_reference_page_in_both_languages() {
    let db = TestDb::sqlite().await;
    let (_server, base) = start_server(&db, &[]);
    let http = http();

    let r = http.get(format!("{base}/api/docs")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = r.text().await.unwrap();
    assert!(page.contains(r#"<html lang="ja""#));
    assert!(page.contains("API仕様書"));
    assert!(page.contains("/api/v1/auth/register"));
    assert!(page.contains("利用者登録"));
    assert!(page.contains("X-CSRF-Token"));
    assert!(page.contains(r#"href="/account""#));
    assert!(page.contains("validation_failed"));
    assert!(page.contains(r#"href="/api/v1/openapi.json""#));
    // Every API route is on the page.
    for (_, path, _) in musubi_web::routes::table() {
        if path.starts_with("/api/v1/") {
            assert!(page.contains(path), "{path} is not on the page");
        }
    }
    // Nothing from elsewhere: no scripts, no external resources.
    assert!(!page.contains("<script"));
    assert!(!page.contains("src=\"http"));
    assert!(!page.contains("href=\"http"));

    let r = http
        .get(format!("{base}/api/docs?lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains(r#"<html lang="en""#));
    assert!(page.contains("API reference"));
    assert!(page.contains("/api/v1/auth/register"));
    assert!(page.contains("Register an account"));
    assert!(page.contains("Authorization: Bearer"));
}
