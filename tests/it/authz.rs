//! The authorization matrix: every route × six kinds of caller → the
//! expected outcome, written out here independently of the route table.
//! A route the matrix does not list fails the test.
//!
//! Outcomes: `o` allowed (anything but a refusal), `l` sign-in required
//! (401 `sign_in_required`, or a redirect to the login page), `f` forbidden
//! (403 with an access code).

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::json;

use crate::portal::{Client, PASSWORD, create_admin, signed_up, start};
use crate::support::TestDb;

/// Callers, in the order of the outcome strings below.
const ACTORS: [&str; 6] = [
    "anonymous",
    "supplier",
    "pending buyer",
    "approved buyer",
    "coordinator",
    "platform admin",
];

/// (method, path, outcomes for ACTORS). Logout routes come last: they end sessions.
const MATRIX: &[(&str, &str, &str)] = &[
    ("GET", "/", "oooooo"),
    ("GET", "/healthz", "oooooo"),
    ("GET", "/readyz", "oooooo"),
    ("GET", "/metrics", "oooooo"),
    ("GET", "/static/{name}", "oooooo"),
    ("GET", "/register", "oooooo"),
    ("POST", "/register", "oooooo"),
    ("GET", "/verify-email", "oooooo"),
    ("GET", "/login", "oooooo"),
    ("POST", "/login", "oooooo"),
    ("GET", "/password/forgot", "oooooo"),
    ("POST", "/password/forgot", "oooooo"),
    ("GET", "/password/reset", "oooooo"),
    ("POST", "/password/reset", "oooooo"),
    ("GET", "/account", "looooo"),
    ("POST", "/account/settings", "looooo"),
    ("POST", "/account/password", "looooo"),
    ("POST", "/account/tokens", "looooo"),
    ("POST", "/account/tokens/{id}/revoke", "looooo"),
    ("POST", "/api/v1/auth/register", "oooooo"),
    ("POST", "/api/v1/auth/verify", "oooooo"),
    ("POST", "/api/v1/auth/login", "oooooo"),
    ("GET", "/api/v1/me", "looooo"),
    ("GET", "/api/v1/tokens", "looooo"),
    ("POST", "/api/v1/tokens", "looooo"),
    ("DELETE", "/api/v1/tokens/{id}", "looooo"),
    ("GET", "/organizations/new", "looooo"),
    ("POST", "/organizations", "looooo"),
    ("GET", "/organizations/{id}", "lofffo"),
    ("POST", "/organizations/{id}", "lofffo"),
    ("GET", "/api/v1/organizations", "lffffo"),
    ("POST", "/api/v1/organizations", "looooo"),
    ("GET", "/api/v1/organizations/{id}", "oooooo"),
    ("POST", "/organizations/{id}/invitations", "lofffo"),
    ("GET", "/invitations/accept", "oooooo"),
    ("POST", "/invitations/accept", "looooo"),
    ("GET", "/api/v1/organizations/{id}/invitations", "lofffo"),
    ("POST", "/api/v1/organizations/{id}/invitations", "lofffo"),
    ("POST", "/api/v1/invitations/accept", "looooo"),
    ("PATCH", "/api/v1/organizations/{id}", "lofffo"),
    ("GET", "/companies", "oooooo"),
    ("GET", "/companies/{id}", "oooooo"),
    ("GET", "/companies/{id}/edit", "lofffo"),
    ("POST", "/companies/{id}/edit", "lofffo"),
    ("GET", "/companies/{id}/history", "lofffo"),
    ("POST", "/companies/{id}/favourite", "lffooo"),
    ("POST", "/companies/{id}/unfavourite", "lffooo"),
    ("GET", "/favourites", "lffooo"),
    ("GET", "/api/v1/companies", "oooooo"),
    ("GET", "/api/v1/companies/{id}", "oooooo"),
    ("PUT", "/api/v1/companies/{id}/profile", "lofffo"),
    ("GET", "/api/v1/companies/{id}/history", "lofffo"),
    ("GET", "/api/v1/favourites", "lffooo"),
    ("PUT", "/api/v1/favourites/{id}", "lffooo"),
    ("DELETE", "/api/v1/favourites/{id}", "lffooo"),
    ("GET", "/admin", "lffffo"),
    ("POST", "/admin/organizations/{id}/approve", "lffffo"),
    ("POST", "/admin/organizations/{id}/reject", "lffffo"),
    ("GET", "/admin/users", "lffffo"),
    ("POST", "/admin/users/{id}/suspend", "lffffo"),
    ("POST", "/admin/users/{id}/reinstate", "lffffo"),
    ("POST", "/admin/users/{id}/role", "lffffo"),
    ("GET", "/admin/audit", "lffffo"),
    (
        "POST",
        "/api/v1/admin/organizations/{id}/decision",
        "lffffo",
    ),
    ("GET", "/api/v1/admin/users", "lffffo"),
    ("POST", "/api/v1/admin/users/{id}/suspension", "lffffo"),
    ("PUT", "/api/v1/admin/users/{id}/role", "lffffo"),
    ("GET", "/api/v1/admin/audit", "lffffo"),
    ("GET", "/tenders", "oooooo"),
    ("GET", "/tenders/new", "lffoff"),
    ("POST", "/tenders", "lffoff"),
    ("GET", "/tenders/{id}", "oooooo"),
    ("POST", "/tenders/{id}", "lffoff"),
    ("GET", "/tenders/{id}/edit", "lffoff"),
    ("GET", "/tenders/{id}/history", "oooooo"),
    ("POST", "/tenders/{id}/publish", "lffoff"),
    ("POST", "/tenders/{id}/cancel", "lffoff"),
    ("POST", "/tenders/{id}/questions", "loffff"),
    ("POST", "/tenders/{id}/questions/{qid}/answer", "lffoff"),
    ("POST", "/tenders/{id}/applications", "loffff"),
    (
        "POST",
        "/tenders/{id}/applications/{aid}/decision",
        "lffoff",
    ),
    ("POST", "/tenders/{id}/nominations", "lffoff"),
    ("POST", "/tenders/{id}/attachments", "lffoff"),
    ("GET", "/tenders/{id}/attachments/{aid}", "looooo"),
    ("POST", "/tenders/{id}/favourite", "looooo"),
    ("GET", "/buyer/tenders", "lffoff"),
    ("GET", "/my/tenders", "looooo"),
    ("GET", "/api/v1/tenders", "oooooo"),
    ("POST", "/api/v1/tenders", "lffoff"),
    ("GET", "/api/v1/tenders/{id}", "oooooo"),
    ("PATCH", "/api/v1/tenders/{id}", "lffoff"),
    ("POST", "/api/v1/tenders/{id}/publish", "lffoff"),
    ("POST", "/api/v1/tenders/{id}/cancel", "lffoff"),
    ("GET", "/api/v1/tenders/{id}/versions", "oooooo"),
    ("GET", "/api/v1/tenders/{id}/transitions", "oooooo"),
    ("GET", "/api/v1/tenders/{id}/questions", "oooooo"),
    ("POST", "/api/v1/tenders/{id}/questions", "loffff"),
    (
        "POST",
        "/api/v1/tenders/{id}/questions/{qid}/answer",
        "lffoff",
    ),
    ("GET", "/api/v1/tenders/{id}/applications", "looooo"),
    // Suppliers apply, approved buyers nominate.
    ("POST", "/api/v1/tenders/{id}/applications", "lofoff"),
    (
        "POST",
        "/api/v1/tenders/{id}/applications/{aid}/decision",
        "lffoff",
    ),
    ("GET", "/api/v1/tenders/{id}/attachments", "oooooo"),
    ("POST", "/api/v1/tenders/{id}/attachments", "lffoff"),
    ("GET", "/api/v1/tenders/{id}/attachments/{aid}", "looooo"),
    ("PUT", "/api/v1/tenders/{id}/favourite", "looooo"),
    ("DELETE", "/api/v1/tenders/{id}/favourite", "looooo"),
    ("GET", "/api/v1/buyer/tenders", "lffoff"),
    ("GET", "/api/v1/me/tenders", "looooo"),
    ("GET", "/api/v1/me/events", "looooo"),
    ("GET", "/notifications", "looooo"),
    ("POST", "/notifications/read", "looooo"),
    ("POST", "/notifications/settings", "looooo"),
    ("GET", "/saved-searches", "looooo"),
    ("POST", "/saved-searches", "looooo"),
    ("POST", "/saved-searches/{id}", "looooo"),
    ("POST", "/saved-searches/{id}/delete", "looooo"),
    ("GET", "/saved-searches/{id}/feed.atom", "oooooo"),
    ("GET", "/buyers/{id}/feed.atom", "oooooo"),
    ("GET", "/alerts/unsubscribe", "oooooo"),
    ("POST", "/alerts/unsubscribe", "oooooo"),
    ("GET", "/api/v1/saved-searches", "looooo"),
    ("POST", "/api/v1/saved-searches", "looooo"),
    ("GET", "/api/v1/saved-searches/{id}", "looooo"),
    ("PATCH", "/api/v1/saved-searches/{id}", "looooo"),
    ("DELETE", "/api/v1/saved-searches/{id}", "looooo"),
    ("GET", "/api/v1/me/notifications", "looooo"),
    ("POST", "/api/v1/me/notifications/read", "looooo"),
    ("GET", "/api/v1/me/notification-settings", "looooo"),
    ("PUT", "/api/v1/me/notification-settings", "looooo"),
    ("POST", "/tenders/{id}/bids", "loffff"),
    ("POST", "/tenders/{id}/bids/withdraw", "loffff"),
    ("GET", "/bids/{bid}/receipt", "loffff"),
    ("GET", "/tenders/{id}/results", "oooooo"),
    ("POST", "/tenders/{id}/award", "lffoff"),
    (
        "GET",
        "/tenders/{id}/bids/{bid}/attachments/{index}",
        "oooooo",
    ),
    ("GET", "/tenders/{id}/scoring", "lffoff"),
    ("POST", "/tenders/{id}/scoring", "lffoff"),
    ("POST", "/tenders/{id}/scoring/lock", "lffoff"),
    ("POST", "/tenders/{id}/rebid", "lffoff"),
    ("POST", "/api/v1/tenders/{id}/bids", "loffff"),
    ("POST", "/api/v1/tenders/{id}/bids/{bid}/withdraw", "loffff"),
    ("GET", "/api/v1/bids/{bid}/receipt", "loffff"),
    ("GET", "/api/v1/tenders/{id}/results", "oooooo"),
    ("POST", "/api/v1/tenders/{id}/award", "lffoff"),
    ("GET", "/api/v1/receipt-key", "oooooo"),
    (
        "GET",
        "/api/v1/tenders/{id}/bids/{bid}/attachments/{index}",
        "oooooo",
    ),
    ("GET", "/api/v1/tenders/{id}/scoring", "lffoff"),
    ("PUT", "/api/v1/tenders/{id}/scoring", "lffoff"),
    ("POST", "/api/v1/tenders/{id}/scoring/lock", "lffoff"),
    ("POST", "/api/v1/tenders/{id}/rebid", "lffoff"),
    ("GET", "/search", "oooooo"),
    ("GET", "/search/companies", "oooooo"),
    ("GET", "/api/v1/search/tenders", "oooooo"),
    ("GET", "/api/v1/search/companies", "oooooo"),
    ("GET", "/awards", "oooooo"),
    ("GET", "/awards.csv", "oooooo"),
    ("GET", "/api/v1/awards", "oooooo"),
    ("GET", "/api/v1/awards.csv", "oooooo"),
    // Another buyer's tender (or none) is a 404: an answer, not a refusal.
    (
        "GET",
        "/api/v1/tenders/{id}/recommended-suppliers",
        "lffooo",
    ),
    ("GET", "/api/v1/recommendations/tenders", "loffff"),
    ("GET", "/coordinator", "lfffoo"),
    ("GET", "/coordinator/tenders/{id}", "lfffoo"),
    ("POST", "/coordinator/tenders/{id}/share", "lfffoo"),
    ("POST", "/coordinator/tenders/{id}/recommend", "lfffoo"),
    ("GET", "/coordinator/introductions", "lfffoo"),
    ("POST", "/coordinator/introductions", "lfffoo"),
    ("POST", "/coordinator/introductions/{id}/outcome", "lfffoo"),
    ("GET", "/coordinator/kpis", "lfffoo"),
    ("GET", "/api/v1/coordinator/dashboard", "lfffoo"),
    ("GET", "/api/v1/coordinator/tenders/{id}", "lfffoo"),
    (
        "GET",
        "/api/v1/coordinator/tenders/{id}/share-preview",
        "lfffoo",
    ),
    ("POST", "/api/v1/coordinator/tenders/{id}/shares", "lfffoo"),
    (
        "POST",
        "/api/v1/coordinator/tenders/{id}/recommendations",
        "lfffoo",
    ),
    ("GET", "/api/v1/coordinator/introductions", "lfffoo"),
    ("POST", "/api/v1/coordinator/introductions", "lfffoo"),
    (
        "POST",
        "/api/v1/coordinator/introductions/{id}/outcome",
        "lfffoo",
    ),
    ("GET", "/api/v1/coordinator/kpis", "lfffoo"),
    ("GET", "/transparency", "oooooo"),
    ("GET", "/api/v1/transparency/tree-head", "oooooo"),
    ("GET", "/api/v1/transparency/tree-heads/{size}", "oooooo"),
    ("GET", "/api/v1/transparency/public-key", "oooooo"),
    ("GET", "/api/v1/transparency/proof/inclusion", "oooooo"),
    ("GET", "/api/v1/transparency/proof/consistency", "oooooo"),
    ("GET", "/api/v1/transparency/entries", "oooooo"),
    ("GET", "/api/v1/openapi.json", "oooooo"),
    ("GET", "/api/docs", "oooooo"),
    ("POST", "/api/v1/auth/logout", "looooo"),
    ("POST", "/logout", "oooooo"),
];

const ACCESS_CODES: &[&str] = &[
    "organization_required",
    "org_admin_required",
    "supplier_required",
    "buyer_approval_required",
    "coordinator_required",
    "admin_required",
    "not_a_member",
    "account_suspended",
];

#[test]
fn every_route_is_in_the_matrix() {
    let routes: BTreeSet<(String, String)> = musubi_web::routes::table()
        .into_iter()
        .map(|(m, p, _)| (m.to_string(), p.to_owned()))
        .collect();
    let matrix: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = routes.difference(&matrix).collect();
    let stale: Vec<_> = matrix.difference(&routes).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the authorization matrix: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "matrix rows for routes that do not exist: {stale:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_matrix() {
    let db = TestDb::sqlite().await;
    create_admin(&db, "admin@musubi.example.jp");
    let server = start(&db);
    let base = server.base.clone();

    let mut supplier = signed_up(&server, "supplier@example.jp", "受注 太郎").await;
    let r = supplier.post("/api/v1/organizations", json!({"kind": "supplier", "name": "株式会社マトリクス精機", "name_kana": "マトリクスセイキ", "corporate_number": "7000012050002"})).await;
    let supplier_org = r.body["id"].as_i64().expect("supplier org");
    let supplier_user = supplier.get("/api/v1/me").await.body["id"]
        .as_i64()
        .unwrap();
    let r = supplier
        .send(
            Method::PUT,
            &format!("/api/v1/companies/{supplier_org}/profile"),
            Some(crate::portal::profile_body()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let mut pending = signed_up(&server, "pending@example.jp", "審査 待子").await;
    pending
        .post(
            "/api/v1/organizations",
            json!({"kind": "public_body", "name": "架空市役所", "name_kana": "カクウシヤクショ"}),
        )
        .await;
    let mut approved = signed_up(&server, "approved@example.jp", "承認 済男").await;
    let r = approved.post("/api/v1/organizations", json!({"kind": "public_corporation", "name": "架空公社", "name_kana": "カクウコウシャ"})).await;
    let approved_org = r.body["id"].as_i64().unwrap();
    let mut coordinator = signed_up(&server, "coordinator@example.jp", "調整 役子").await;
    let coordinator_user = coordinator.get("/api/v1/me").await.body["id"]
        .as_i64()
        .unwrap();

    let mut admin = Client::new(&base);
    assert_eq!(
        admin
            .post(
                "/api/v1/auth/login",
                json!({"email": "admin@musubi.example.jp", "password": PASSWORD})
            )
            .await
            .status,
        200
    );
    let r = admin
        .post(
            &format!("/api/v1/admin/organizations/{approved_org}/decision"),
            json!({"approve": true}),
        )
        .await;
    assert_eq!(r.body["approval"], "approved", "{}", r.text);
    let r = admin
        .send(
            Method::PUT,
            &format!("/api/v1/admin/users/{coordinator_user}/role"),
            Some(json!({"role": "coordinator", "prefectures": ["13"]})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);

    let mut anonymous = Client::new(&base);
    anonymous.get("/").await; // receives a CSRF cookie like any browser
    let mut actors = [anonymous, supplier, pending, approved, coordinator, admin];

    let mut failures = Vec::new();
    for (method, path, expected) in MATRIX {
        let concrete = path
            .replace("/static/{name}", "/static/musubi.css")
            .replace(
                "/admin/users/{id}",
                &format!("/admin/users/{supplier_user}"),
            )
            .replace("/tokens/{id}", "/tokens/999999")
            .replace("{id}", &supplier_org.to_string());
        for (i, actor) in actors.iter_mut().enumerate() {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let reply = if method == Method::GET || concrete.starts_with("/api/") {
                let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
                actor.send(method.clone(), &concrete, body).await
            } else {
                actor.form(&concrete, &[]).await
            };
            let location = reply
                .headers
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let code = reply.body["error"]["code"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| {
                    // HTML error pages show the code in <code>…</code>.
                    ACCESS_CODES
                        .iter()
                        .chain(["sign_in_required"].iter())
                        .find(|c| reply.text.contains(&format!("<code>{c}</code>")))
                        .map(|c| c.to_string())
                });
            let got = match (reply.status.as_u16(), code.as_deref()) {
                (401, Some("sign_in_required")) => 'l',
                (303, _) if location.starts_with("/login?next=") => 'l',
                (403, Some(c)) if ACCESS_CODES.contains(&c) => 'f',
                // Wrong credentials re-render the login form: an answer, not a refusal of access.
                (401, None) if reply.text.contains("data-test=\"login-submit\"") => 'o',
                (401 | 403, c) => {
                    failures.push(format!(
                        "{method} {concrete} as {}: unexpected refusal {} {c:?}",
                        ACTORS[i], reply.status
                    ));
                    '?'
                }
                _ => 'o',
            };
            let want = expected.chars().nth(i).unwrap();
            if got != want {
                failures.push(format!(
                    "{method} {concrete} as {}: expected '{want}', got '{got}' (status {}, location {location:?}, code {code:?})",
                    ACTORS[i], reply.status
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix mismatches:\n{}",
        failures.join("\n")
    );
}
