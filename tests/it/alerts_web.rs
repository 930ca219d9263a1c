//! Saved searches, the inbox, Atom feeds and one-click unsubscribe over HTTP
//! (pages and API), on both databases.

use std::sync::Arc;

use musubi_app::{AppConfig, ManualClock, Services};
use musubi_domain::OrgKind;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::bids::{published, t0};
use crate::portal::Client;
use crate::support::{TestDb, both_backends, org_member, session_client};

both_backends!(saved_searches_inbox_feeds_and_unsubscribe_over_http);

/// The app with an in-memory search index, served here.
async fn serve(db: &TestDb, clock: &ManualClock) -> (String, Services) {
    let services = Services::new(
        Arc::clone(&db.storage),
        Arc::new(clock.clone()),
        AppConfig {
            base_url: "http://musubi.test".into(),
            data_dir: db.data_path().to_path_buf(),
            ..AppConfig::default()
        },
    )
    .with_search(Arc::new(musubi_search::SearchIndex::in_memory().unwrap()));
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

fn path_of(url: &str) -> String {
    url.strip_prefix("http://musubi.test").unwrap().to_owned()
}

async fn saved_searches_inbox_feeds_and_unsubscribe_over_http(db: TestDb) {
    let clock = ManualClock::new(t0());
    let (base, svc) = serve(&db, &clock).await;
    let s = &*db.storage;
    let buyer = org_member(
        s,
        "keiyaku@city.example.lg.jp",
        OrgKind::PublicBody,
        "テスト市",
        t0(),
    )
    .await;
    let p = org_member(
        s,
        "taro@example.jp",
        OrgKind::Supplier,
        "清掃株式会社",
        t0(),
    )
    .await;
    let mut c = session_client(s, &base, &p, t0()).await;
    let mut anon = Client::new(&base);

    // API: bad input gets stable codes, nothing stored.
    let r = c
        .post(
            "/api/v1/saved-searches",
            json!({ "query": "q=(清掃", "frequency": "instant" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.body["error"]["fields"]["query"].is_string(), "{}", r.body);
    let r = c
        .post(
            "/api/v1/saved-searches",
            json!({ "query": "q=清掃", "frequency": "hourly" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body["error"]["fields"]["frequency"].is_string(),
        "{}",
        r.body
    );
    let r = c
        .post(
            "/api/v1/saved-searches",
            json!({ "query": "q=清掃&prefecture=99" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(
        c.get("/api/v1/saved-searches").await.body["items"],
        json!([])
    );

    // Saved: the page lists it with its feed.
    let r = c
        .post(
            "/api/v1/saved-searches",
            json!({ "name": "都内の清掃", "query": "?q=清掃&prefecture=13&page=3&sort=newest", "frequency": "instant" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(
        r.body["query"], "q=%E6%B8%85%E6%8E%83&prefecture=13",
        "percent-encoded; paging and order are not kept"
    );
    assert_eq!(r.body["email"], true);
    let feed = path_of(r.body["feed_url"].as_str().unwrap());
    let page = c.get("/saved-searches").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("都内の清掃") && page.text.contains("feed.atom"));

    // Someone else's saved search is not found.
    let other = org_member(s, "jiro@example.jp", OrgKind::Supplier, "次郎商店", t0()).await;
    let mut c2 = session_client(s, &base, &other, t0()).await;
    assert_eq!(
        c2.get(&format!("/api/v1/saved-searches/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c2.send(
            Method::DELETE,
            &format!("/api/v1/saved-searches/{id}"),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // PATCH: fields left out keep their value; a bad one is refused.
    let r = c
        .send(
            Method::PATCH,
            &format!("/api/v1/saved-searches/{id}"),
            Some(json!({ "frequency": "daily" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (r.body["frequency"].as_str(), r.body["name"].as_str()),
        (Some("daily"), Some("都内の清掃"))
    );
    let r = c
        .send(
            Method::PATCH,
            &format!("/api/v1/saved-searches/{id}"),
            Some(json!({ "name": "" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    c.send(
        Method::PATCH,
        &format!("/api/v1/saved-searches/{id}"),
        Some(json!({ "frequency": "instant" })),
    )
    .await;

    // A matching tender is published and indexed: the alert is in the inbox.
    let tender = published(&svc, &buyer).await;
    svc.index_tender(tender).await.unwrap();
    assert_eq!(svc.percolate_tender(tender).await.unwrap(), 1);
    let inbox = c.get("/api/v1/me/notifications").await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert_eq!(inbox.body["unread"], 1);
    let item = &inbox.body["items"][0];
    assert_eq!(item["kind"], "saved_search_match");
    assert_eq!(item["read"], false);
    assert!(
        item["text_ja"].as_str().unwrap().contains("都内の清掃"),
        "{item}"
    );
    assert_eq!(
        c.get("/api/v1/me/notifications?per_page=0").await.body["error"]["code"],
        "invalid_per_page"
    );
    // The header shows the count; the inbox page shows it as new, then read.
    let home = c.get("/").await;
    assert!(
        home.text.contains("data-test=\"nav-unread\""),
        "unread badge"
    );
    let page = c.get("/notifications").await;
    assert!(page.text.contains("data-unread=\"1\""));
    assert_eq!(c.get("/api/v1/me/notifications").await.body["unread"], 0);
    let r = c.post("/api/v1/me/notifications/read", json!({})).await;
    assert_eq!(r.body, json!({ "marked": 0, "unread": 0 }));

    // Atom: the saved search's feed with its token only; the buyer's feed.
    let r = anon.get(&feed).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    assert!(
        r.text
            .contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"")
    );
    assert!(
        r.text
            .contains(&format!("http://musubi.test/tenders/{tender}</id>"))
    );
    assert!(r.text.contains("本庁舎清掃業務委託"));
    let forged = feed.replace("token=", "token=0");
    assert_eq!(anon.get(&forged).await.status, StatusCode::NOT_FOUND);
    let buyer_org = buyer.org_id().unwrap();
    let r = anon.get(&format!("/buyers/{buyer_org}/feed.atom")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("本庁舎清掃業務委託") && r.text.contains("テスト市"));
    assert_eq!(
        anon.get("/buyers/999999/feed.atom").await.status,
        StatusCode::NOT_FOUND
    );

    // Unsubscribe: a GET only asks; the POST (no session, as a mail client
    // sends it) stops the mail; a bad token is refused.
    let url = path_of(&svc.saved_search_unsubscribe_url(id).unwrap());
    let r = anon.get(&url).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("都内の清掃"));
    assert_eq!(
        c.get(&format!("/api/v1/saved-searches/{id}")).await.body["email"],
        true
    );
    let r = anon.send(Method::POST, &url, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("data-test=\"unsubscribed\""));
    assert_eq!(
        c.get(&format!("/api/v1/saved-searches/{id}")).await.body["email"],
        false
    );
    let r = anon
        .send(Method::POST, &url.replace("token=", "token=f"), None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Settings through the API.
    assert_eq!(
        c.get("/api/v1/me/notification-settings").await.body,
        json!({ "event_mail": true })
    );
    let r = c
        .send(
            Method::PUT,
            "/api/v1/me/notification-settings",
            Some(json!({ "event_mail": false })),
        )
        .await;
    assert_eq!(r.body, json!({ "event_mail": false }));
    assert_eq!(
        c.get("/api/v1/me/notification-settings").await.body["event_mail"],
        false
    );

    // The page form saves a search from the search results.
    let r = c
        .form(
            "/saved-searches",
            &[
                ("query", "q=警備"),
                ("name", ""),
                ("frequency", "daily"),
                ("email", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let list = c.get("/api/v1/saved-searches").await.body;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(list["items"][1]["name"], "警備", "named after its words");
    let r = c
        .form(
            "/saved-searches",
            &[("query", "q=(警備"), ("frequency", "daily")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("data-test=\"errors\""));
    let search = c.get("/search?q=清掃").await;
    assert!(search.text.contains("data-test=\"save-search-submit\""));

    // Deleting.
    let r = c
        .send(
            Method::DELETE,
            &format!("/api/v1/saved-searches/{id}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        c.get(&format!("/api/v1/saved-searches/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(anon.get(&feed).await.status, StatusCode::NOT_FOUND);
}
