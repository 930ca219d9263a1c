//! Search through the real server: the pages `/search` and
//! `/search/companies` and the API `/api/v1/search/…`. Every bit of a
//! search is in its URL and comes back in the form; bad queries and unknown
//! filter values are a 400 with a Japanese message on the page and a stable
//! code in the API, never a 500; published tenders are found by a word of
//! two characters, counted in the facets, sorted and paged.

use std::time::{Duration, Instant};

use chrono::{TimeDelta, Timelike, Utc};
use serde_json::{Value, json};

use crate::portal::{Client, PASSWORD, Reply, create_admin, profile_body, signed_up, start};
use crate::support::{TestDb, both_backends};

both_backends!(published_tenders_and_companies_are_found);

/// Percent-encodes a query value (every byte but the unreserved ones).
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// The page's text with `&` unescaped (askama writes `&#38;`), to look for links.
fn unescaped(r: &Reply) -> String {
    r.text.replace("&#38;", "&").replace("&amp;", "&")
}

fn code(r: &Reply) -> &str {
    r.body["error"]["code"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_round_trips_and_bad_input_is_a_400() {
    let db = TestDb::sqlite().await;
    let server = start(&db);
    let mut anon = Client::new(&server.base);

    // The top page's search box submits to /search.
    let r = anon.get("/").await;
    assert!(
        r.text.contains(r#"action="/search""#) && r.text.contains(r#"id="header-q" name="q""#),
        "{}",
        r.text
    );
    assert!(r.text.contains(r#"href="/search" data-test="nav-search""#));

    // Empty: everything, newest first; a plain GET form.
    let r = anon.get("/search").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains(r#"<html lang="ja""#));
    assert!(r.text.contains("案件検索"));
    assert!(r.text.contains(r#"<form method="get" action="/search""#));
    assert!(r.text.contains(r#"<label for="q">"#));
    assert!(r.text.contains(r#"data-test="total""#));
    assert!(r.text.contains("0件"), "{}", r.text);
    assert!(
        r.text
            .contains(r#"aria-current="true" class="current">新着順"#)
    );

    // Every parameter comes back in the form, and every link keeps the search.
    let query = format!(
        "q={}&prefecture=13&prefecture=27&region=kanto&jsic=E&kind=sealed_bid&category=services&method=open&status=open&status=tendering&grade=C&buyer=4242&published_from=2026-04-01&published_to=2026-04-30&deadline_from=2026-05-01&deadline_to=2026-05-31&opening_from=2026-06-01&opening_to=2026-06-30&price_min=1000000&price_max=5000000&sort=deadline",
        enc("清掃 委託")
    );
    let r = anon.get(&format!("/search?{query}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let page = unescaped(&r);
    for needle in [
        r#"id="q" name="q" value="清掃 委託""#,
        r#"name="prefecture" value="13" checked"#,
        r#"name="prefecture" value="27" checked"#,
        r#"name="region" value="kanto" checked"#,
        r#"id="jsic" name="jsic" value="E""#,
        r#"<option value="sealed_bid" selected>"#,
        r#"<option value="services" selected>"#,
        r#"<option value="open" selected>"#,
        r#"name="status" value="open" checked"#,
        r#"name="status" value="tendering" checked"#,
        r#"<option value="C" selected>"#,
        r#"type="hidden" name="buyer" value="4242""#,
        r#"name="published_from" value="2026-04-01""#,
        r#"name="published_to" value="2026-04-30""#,
        r#"name="deadline_from" value="2026-05-01""#,
        r#"name="deadline_to" value="2026-05-31""#,
        r#"name="opening_from" value="2026-06-01""#,
        r#"name="opening_to" value="2026-06-30""#,
        r#"name="price_min" value="1000000""#,
        r#"name="price_max" value="5000000""#,
        r#"<option value="deadline" selected>"#,
    ] {
        assert!(page.contains(needle), "{needle} missing from the form");
    }
    // The same search in another order: the address of the page with its sort changed.
    let newest = query.replace("sort=deadline", "sort=newest");
    assert!(
        page.contains(&format!(r#"href="/search?{newest}">新着順"#)),
        "{page}"
    );
    // The language switch keeps the search too.
    assert!(page.contains(&format!("{query}&lang=en")), "{page}");

    // Beyond the last page: nothing there, and a link back.
    let r = anon.get(&format!("/search?q={}&page=3", enc("清掃"))).await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains(r#"data-test="no-results""#));
    assert!(
        unescaped(&r).contains(&format!(r#"rel="prev" href="/search?q={}""#, enc("清掃"))),
        "{}",
        r.text
    );

    // English, as elsewhere.
    let r = anon.get("/search?lang=en").await;
    assert!(r.text.contains(r#"<html lang="en""#) && r.text.contains("Search tenders"));
    let mut ja = Client::new(&server.base);

    // --- Unknown filter values: 400 naming the parameter, the form kept. ---
    let r = ja
        .get("/search?prefecture=99&kind=foo&deadline_to=2026-02-30&q=%E6%B8%85%E6%8E%83")
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains(r#"role="alert""#));
    for needle in [
        "検索条件「都道府県」（prefecture）の値「99」は正しくありません。",
        "検索条件「案件種別」（kind）の値「foo」は正しくありません。",
        "提出締切日（まで）",
        "年-月-日",
        r#"value="清掃""#,
        r#"<form method="get" action="/search""#,
    ] {
        assert!(r.text.contains(needle), "{needle}: {}", r.text);
    }
    assert!(
        r.text
            .contains(r#"id="kind" name="kind" aria-invalid="true""#)
    );
    for (url, param) in [
        ("region=atlantis", "region"),
        ("jsic=ZZ", "jsic"),
        ("category=food", "category"),
        ("method=lottery", "method"),
        ("status=draft", "status"),
        ("grade=Z", "grade"),
        ("buyer=abc", "buyer"),
        ("published_from=yesterday", "published_from"),
        ("opening_to=2026%2F06%2F30", "opening_to"),
        ("price_min=-1", "price_min"),
        ("price_max=many", "price_max"),
        ("sort=random", "sort"),
        ("page=0", "page"),
        ("page=99999999999", "page"),
    ] {
        let r = ja.get(&format!("/search?{url}")).await;
        assert_eq!(r.status, 400, "{url}: {}", r.text);
        assert!(
            r.text.contains(&format!("（{param}）")),
            "{url}: {}",
            r.text
        );
        let r = ja.get(&format!("/api/v1/search/tenders?{url}")).await;
        assert_eq!(
            (r.status.as_u16(), code(&r)),
            (400, "invalid_parameter"),
            "{url}: {}",
            r.text
        );
        assert!(
            r.body["error"]["fields"][param].is_string(),
            "{url}: {}",
            r.text
        );
        assert_eq!(
            r.body["error"]["field_codes"][param][0],
            "invalid_parameter"
        );
    }
    let r = ja.get("/api/v1/search/tenders?per_page=51").await;
    assert_eq!((r.status.as_u16(), code(&r)), (400, "invalid_parameter"));

    // --- A 5,000-character query: a 400 with the reason, not a 500. ---
    let long = "清掃".repeat(2500);
    let r = ja.get(&format!("/search?q={}", enc(&long))).await;
    assert_eq!(r.status, 400, "{}", &r.text[..r.text.len().min(2000)]);
    assert!(r.text.contains("検索語は500文字以内で入力してください。"));
    let r = ja
        .get(&format!("/api/v1/search/tenders?q={}", enc(&long)))
        .await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (400, "query_too_long"),
        "{}",
        r.text
    );
    assert!(r.body["error"]["fields"]["q"].is_string());
    let r = ja
        .get(&format!("/api/v1/search/companies?q={}", enc(&long)))
        .await;
    assert_eq!((r.status.as_u16(), code(&r)), (400, "query_too_long"));
    // 500 characters are fine.
    let r = ja
        .get(&format!(
            "/api/v1/search/tenders?q={}",
            enc(&"清".repeat(500))
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // --- The API's shape. ---
    let r = ja
        .get("/api/v1/search/tenders?status=open&per_page=5&page=2")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["page"], 2);
    assert_eq!(r.body["per_page"], 5);
    assert!(r.body["total"].is_u64() && r.body["items"].is_array());
    for facet in ["kind", "category", "method", "status", "prefecture"] {
        assert!(r.body["facets"][facet].is_array(), "{facet}: {}", r.text);
    }

    // --- Companies. ---
    let q = format!(
        "q={}&prefecture=13&region=kinki&jsic=E&certification=iso9001&grade=goods%3AC",
        enc("印刷")
    );
    let r = ja.get(&format!("/search/companies?{q}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    for needle in [
        r#"id="q" name="q" value="印刷""#,
        r#"name="prefecture" value="13" checked"#,
        r#"name="region" value="kinki" checked"#,
        r#"<option value="iso9001" selected>"#,
        r#"<option value="goods:C" selected>"#,
    ] {
        assert!(r.text.contains(needle), "{needle}: {}", r.text);
    }
    let r = ja.get("/search/companies?grade=C&certification=x").await;
    assert_eq!(r.status, 400);
    assert!(r.text.contains("（grade）") && r.text.contains("（certification）"));
    let r = ja.get("/api/v1/search/companies?prefecture=0").await;
    assert_eq!((r.status.as_u16(), code(&r)), (400, "invalid_parameter"));
    assert!(r.body["error"]["fields"]["prefecture"].is_string());
    let r = ja.get("/api/v1/search/companies").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["facets"]["prefecture"].is_array());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_language_errors_are_explained() {
    let db = TestDb::sqlite().await;
    let server = start(&db);
    let mut anon = Client::new(&server.base);
    for (q, code_, message) in [
        (
            "(清掃 OR 除草",
            "query_unbalanced",
            "括弧の対応が取れていません",
        ),
        ("清掃 )", "query_unbalanced", "括弧の対応が取れていません"),
        (
            "清掃 OR",
            "query_lone_operator",
            "の前後に検索語を入れてください",
        ),
        (
            "NOT 清掃",
            "query_lone_operator",
            "の前後に検索語を入れてください",
        ),
        (
            "\"清掃 委託",
            "query_unterminated_phrase",
            "で閉じてください",
        ),
    ] {
        let r = anon.get(&format!("/search?q={}", enc(q))).await;
        assert_eq!(r.status, 400, "{q}: {}", r.text);
        assert!(r.text.contains(message), "{q}: {}", r.text);
        assert!(
            r.text.contains(r#"id="q" name="q" value=""#),
            "the form is kept"
        );
        assert!(r.text.contains(r#"aria-invalid="true""#));
        let r = anon
            .get(&format!("/api/v1/search/tenders?q={}", enc(q)))
            .await;
        assert_eq!(
            (r.status.as_u16(), code(&r)),
            (400, code_),
            "{q}: {}",
            r.text
        );
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(message)
        );
        let r = anon.get(&format!("/search/companies?q={}", enc(q))).await;
        assert_eq!(r.status, 400, "{q}: {}", r.text);
    }
}

// --- with an index ----------------------------------------------------------------

fn tender_body(title: &str, kind: &str, place: &str) -> Value {
    let t = Utc::now().with_nanosecond(0).unwrap();
    let rfc = |d: TimeDelta| (t + d).to_rfc3339();
    json!({
        "kind": kind,
        "title": title,
        "summary": format!("{title}に関する業務。庁舎及び周辺施設を対象とする。"),
        "category": "services",
        "jsic": ["1511"],
        "place": place,
        "method": "open",
        "questions_until": rfc(TimeDelta::days(8)),
        "submission_opens_at": rfc(TimeDelta::days(2)),
        "submission_closes_at": rfc(TimeDelta::days(12)),
        "opening_at": rfc(TimeDelta::days(12) + TimeDelta::hours(1)),
        "reserve_price": 1000000,
        "reserve_price_publication": "at_opening",
        "award_method": "lowest_price",
        "contact_department": "総務部 契約課",
    })
}

async fn post_and_publish(buyer: &mut Client, body: Value) -> i64 {
    let r = buyer.post("/api/v1/tenders", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    let r = buyer
        .post(&format!("/api/v1/tenders/{id}/publish"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    id
}

/// Asks `path` until its `total` is `want` (the index follows the outbox).
async fn until_total(c: &mut Client, path: &str, want: u64) -> Reply {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = c.get(path).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        if r.body["total"] == want {
            return r;
        }
        assert!(
            Instant::now() < deadline,
            "{path}: total {} after 20 s, want {want}",
            r.body["total"]
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn facet(r: &Reply, name: &str, value: &str) -> u64 {
    r.body["facets"][name]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["value"] == value))
        .and_then(|f| f["count"].as_u64())
        .unwrap_or(0)
}

async fn published_tenders_and_companies_are_found(db: TestDb) {
    create_admin(&db, "admin@musubi.example.jp");
    let server = start(&db);
    let base = server.base.clone();

    let mut buyer = signed_up(&server, "keiyaku@city.example.jp", "契約 花子").await;
    let r = buyer
        .post(
            "/api/v1/organizations",
            json!({"kind": "public_body", "name": "架空市役所", "name_kana": "カクウシヤクショ"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let buyer_org = r.body["id"].as_i64().unwrap();
    let mut admin = Client::new(&base);
    let r = admin
        .post(
            "/api/v1/auth/login",
            json!({"email": "admin@musubi.example.jp", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = admin
        .post(
            &format!("/api/v1/admin/organizations/{buyer_org}/decision"),
            json!({"approve": true}),
        )
        .await;
    assert_eq!(r.body["approval"], "approved", "{}", r.text);

    let mut supplier = signed_up(&server, "sato@toyo-insatsu.example.jp", "佐藤 健一").await;
    let r = supplier.post("/api/v1/organizations", json!({"kind": "supplier", "name": "株式会社東洋印刷", "name_kana": "トウヨウインサツ", "corporate_number": "7000012050002"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let supplier_org = r.body["id"].as_i64().unwrap();
    let r = supplier
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/companies/{supplier_org}/profile"),
            Some(profile_body()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // A second apart, so that "newest first" has one answer.
    let office = post_and_publish(
        &mut buyer,
        tender_body("本庁舎清掃業務委託", "sealed_bid", "13"),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let park = post_and_publish(&mut buyer, tender_body("公園清掃及び除草作業", "rfq", "27")).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let paper = post_and_publish(&mut buyer, tender_body("公用車の車検整備", "rfq", "13")).await;
    // A draft is never found.
    let r = buyer
        .post(
            "/api/v1/tenders",
            tender_body("下書きの清掃案件", "rfq", "13"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);

    let mut anon = Client::new(&base);
    // A two-character word finds both, and the facets count them.
    let q = enc("清掃");
    let r = until_total(&mut anon, &format!("/api/v1/search/tenders?q={q}"), 2).await;
    let ids: Vec<i64> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&office) && ids.contains(&park), "{}", r.text);
    assert_eq!(facet(&r, "kind", "sealed_bid"), 1, "{}", r.text);
    assert_eq!(facet(&r, "kind", "rfq"), 1, "{}", r.text);
    assert_eq!(facet(&r, "status", "published"), 2, "{}", r.text);
    assert_eq!(facet(&r, "prefecture", "27"), 1, "{}", r.text);
    let item = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == office)
        .unwrap();
    assert_eq!(item["title"], "本庁舎清掃業務委託");
    assert!(
        item["title_html"].as_str().unwrap().contains("<mark>"),
        "{item}"
    );
    assert_eq!(item["status"], "published");
    assert_eq!(item["kind"], "sealed_bid");
    assert_eq!(
        item["buyer"],
        json!({"id": buyer_org, "name": "架空市役所"})
    );
    assert_eq!(item["url"], format!("{base}/tenders/{office}"));
    assert!(
        item["submission_closes_at"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );

    // The page: highlighted titles linking to the tender, counts as links.
    let r = anon.get(&format!("/search?q={q}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let page = unescaped(&r);
    assert!(page.contains("2件"), "{page}");
    assert!(
        page.contains(&format!(r#"<a href="/tenders/{office}">"#)),
        "{page}"
    );
    assert!(page.contains("<mark>"), "{page}");
    assert!(page.contains("架空市役所") && page.contains("公告中"));
    assert!(
        page.contains(&format!(
            r#"<a href="/search?q={q}&kind=rfq">見積依頼 <span class="facet-count">(1)</span>"#
        )),
        "{page}"
    );
    // A facet narrows; its own counts stay to widen again.
    let r = until_total(
        &mut anon,
        &format!("/api/v1/search/tenders?q={q}&kind=rfq"),
        1,
    )
    .await;
    assert_eq!(r.body["items"][0]["id"], park);
    assert_eq!(facet(&r, "kind", "sealed_bid"), 1, "{}", r.text);
    until_total(
        &mut anon,
        &format!("/api/v1/search/tenders?q={q}&prefecture=27"),
        1,
    )
    .await;
    until_total(
        &mut anon,
        &format!("/api/v1/search/tenders?q={q}&region=kinki"),
        1,
    )
    .await;
    until_total(
        &mut anon,
        &format!("/api/v1/search/tenders?q={}", enc("清掃 NOT 公園")),
        1,
    )
    .await;
    until_total(
        &mut anon,
        &format!("/api/v1/search/tenders?q={}", enc("除草 OR 車検")),
        2,
    )
    .await;
    until_total(
        &mut anon,
        &format!("/api/v1/search/tenders?buyer={buyer_org}"),
        3,
    )
    .await;
    until_total(
        &mut anon,
        "/api/v1/search/tenders?deadline_to=2000-01-01",
        0,
    )
    .await;

    // No query, no filter: everything published, newest first.
    let r = until_total(&mut anon, "/api/v1/search/tenders", 3).await;
    let order: Vec<i64> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(order, [paper, park, office], "{}", r.text);

    // Paging: 22 matches make two pages of 20 on the page, every page linked.
    for n in 1..=20 {
        post_and_publish(
            &mut buyer,
            tender_body(&format!("道路清掃業務 その{n}"), "rfq", "13"),
        )
        .await;
    }
    let r = until_total(
        &mut anon,
        &format!("/api/v1/search/tenders?q={q}&per_page=10&page=3"),
        22,
    )
    .await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 2, "{}", r.text);
    let r = anon.get(&format!("/search?q={q}")).await;
    let page = unescaped(&r);
    assert!(page.contains("22件（1〜20件目）"), "{page}");
    assert_eq!(page.matches(r#"data-test="hit""#).count(), 20);
    assert!(
        page.contains(&format!(r#"rel="next" href="/search?q={q}&page=2""#)),
        "{page}"
    );
    let r = anon.get(&format!("/search?q={q}&page=2")).await;
    let page = unescaped(&r);
    assert!(page.contains("22件（21〜22件目）"), "{page}");
    assert_eq!(page.matches(r#"data-test="hit""#).count(), 2);
    assert!(page.contains(&format!(r#"rel="prev" href="/search?q={q}""#)));
    // Deadline order is a link too.
    assert!(page.contains(&format!(
        r#"href="/search?q={q}&sort=deadline">締切が近い順"#
    )));

    // Companies: found by what they do.
    let r = until_total(
        &mut anon,
        &format!("/api/v1/search/companies?q={}", enc("印刷")),
        1,
    )
    .await;
    assert_eq!(r.body["items"][0]["id"], supplier_org);
    assert_eq!(r.body["items"][0]["name"], "株式会社東洋印刷");
    assert_eq!(facet(&r, "prefecture", "13"), 1);
    let r = anon
        .get(&format!("/search/companies?q={}", enc("印刷")))
        .await;
    assert!(
        r.text
            .contains(&format!(r#"<a href="/companies/{supplier_org}">"#)),
        "{}",
        r.text
    );
    assert!(r.text.contains("1件"));
    until_total(
        &mut anon,
        &format!("/api/v1/search/companies?q={}&prefecture=27", enc("印刷")),
        0,
    )
    .await;
}
