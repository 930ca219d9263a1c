//! Tenders through the real server: the pages and the JSON API on top of
//! the tender services, on both databases. A buyer posts drafts (API and
//! form), publishes and amends them; suppliers ask, apply and favourite;
//! attachments go up and come down; a tender past its deadline stays as it
//! was.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Timelike, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::portal::{Client, PASSWORD, Reply, Server, create_admin, profile_body, signed_up};
use crate::support::{ChildGuard, TestDb, both_backends};

both_backends!(
    posting_publishing_and_amending,
    questions_applications_and_favourites,
    attachments_up_and_down,
    a_closed_tender_stays_as_it_was,
);

/// The server, with extra environment (e.g. a shorter 公告期間).
fn start_with(db: &TestDb, env: &[(&str, &str)]) -> Server {
    let log = db.data_path().join("server.log");
    let mut cmd = db.musubi();
    cmd.args(["serve", "--addr", "127.0.0.1:0", "--job-poll-ms", "20"])
        .env("MUSUBI_LOG", "info,sqlx=warn")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start musubi serve");
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

/// The people of a procurement: an approved buyer, an eligible supplier in
/// Tokyo (ISO 9001, 物品 C), an ineligible one in Osaka, and a stranger.
struct Cast {
    base: String,
    buyer: Client,
    buyer_org: i64,
    supplier: Client,
    supplier_org: i64,
    outsider: Client,
    outsider_org: i64,
    anon: Client,
}

async fn cast(server: &Server) -> Cast {
    let base = server.base.clone();
    let mut buyer = signed_up(server, "keiyaku@city.example.jp", "契約 花子").await;
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

    let mut supplier = signed_up(server, "sato@toyo-insatsu.example.jp", "佐藤 健一").await;
    let r = supplier.post("/api/v1/organizations", json!({"kind": "supplier", "name": "株式会社東洋印刷", "name_kana": "トウヨウインサツ", "corporate_number": "7000012050002"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let supplier_org = r.body["id"].as_i64().unwrap();
    let r = supplier
        .send(
            Method::PUT,
            &format!("/api/v1/companies/{supplier_org}/profile"),
            Some(profile_body()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let mut outsider = signed_up(server, "info@naniwa-shoji.example.jp", "浪速 次郎").await;
    let r = outsider
        .post(
            "/api/v1/organizations",
            json!({"kind": "supplier", "name": "浪速商事株式会社", "name_kana": "ナニワショウジ", "corporate_number": "2120001077701"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let outsider_org = r.body["id"].as_i64().unwrap();
    let mut profile = profile_body();
    profile["prefecture"] = json!("27");
    profile["municipality"] = json!("");
    profile["certifications"] = json!([]);
    profile["grades"] = json!(["goods:D"]);
    let r = outsider
        .send(
            Method::PUT,
            &format!("/api/v1/companies/{outsider_org}/profile"),
            Some(profile),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let mut anon = Client::new(&base);
    anon.get("/").await;
    Cast {
        base,
        buyer,
        buyer_org,
        supplier,
        supplier_org,
        outsider,
        outsider_org,
        anon,
    }
}

fn now() -> DateTime<Utc> {
    Utc::now().with_nanosecond(0).unwrap()
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

/// A `datetime-local` value in Japan time.
fn local(t: DateTime<Utc>) -> String {
    musubi_domain::to_japan(t)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// An 一般競争 for goods, for Tokyo suppliers of grade C with ISO 9001:
/// submissions from day 2 to day 12, questions until day 8.
fn tender_body(title: &str) -> Value {
    let t = now();
    json!({
        "kind": "sealed_bid",
        "title": title,
        "summary": "本庁舎で使用するコピー用紙（A4・A3）を単価契約により調達する。\n\n・納入場所：本庁舎 地下1階 倉庫\n・納入回数：月2回程度",
        "category": "goods",
        "jsic": ["1511"],
        "place": "13",
        "place_detail": "架空市役所 本庁舎",
        "performance_start": "2027-04-01",
        "performance_end": "2028-03-31",
        "method": "open",
        "eligible_prefectures": ["13"],
        "eligible_grades": ["C"],
        "required_certifications": ["iso9001"],
        "questions_until": rfc(t + TimeDelta::days(8)),
        "submission_opens_at": rfc(t + TimeDelta::days(2)),
        "submission_closes_at": rfc(t + TimeDelta::days(12)),
        "opening_at": rfc(t + TimeDelta::days(12) + TimeDelta::hours(1)),
        "reserve_price": 1200000,
        "reserve_price_publication": "at_opening",
        "minimum_price": "1000000",
        "award_method": "lowest_price",
        "contact_department": "総務部 契約課",
        "contact_person": "契約 花子",
        "contact_phone": "03-0000-0000",
    })
}

async fn create(c: &mut Client, body: Value) -> i64 {
    let r = c.post("/api/v1/tenders", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_i64().unwrap()
}

async fn publish(c: &mut Client, id: i64) -> Value {
    let r = c
        .post(&format!("/api/v1/tenders/{id}/publish"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "published", "{}", r.text);
    r.body
}

fn code(r: &Reply) -> &str {
    r.body["error"]["code"].as_str().unwrap_or_default()
}

fn field_codes(r: &Reply, field: &str) -> Vec<String> {
    r.body["error"]["field_codes"][field]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn posting_publishing_and_amending(db: TestDb) {
    create_admin(&db, "admin@musubi.example.jp");
    let server = start_with(&db, &[]);
    let Cast {
        base,
        mut buyer,
        buyer_org,
        mut supplier,
        mut anon,
        ..
    } = cast(&server).await;

    // --- Bad input: every problem at once, with its field and code; nothing stored. ---
    let mut body = tender_body("");
    body["category"] = json!("");
    let r = buyer.post("/api/v1/tenders", body).await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (422, "validation_failed"),
        "{}",
        r.text
    );
    assert!(r.body["error"]["fields"]["title"].is_string(), "{}", r.text);
    assert_eq!(field_codes(&r, "title"), ["required"]);
    assert_eq!(field_codes(&r, "category"), ["required"]);
    let mut body = tender_body("日程の誤った案件");
    body["submission_closes_at"] = json!(rfc(now() + TimeDelta::days(1)));
    let r = buyer.post("/api/v1/tenders", body).await;
    assert_eq!(r.status, 422, "{}", r.text);
    let all: Vec<String> = r.body["error"]["field_codes"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|v| v.as_array().unwrap().clone())
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    assert!(
        all.iter().any(|c| c == "schedule_out_of_order"),
        "{}",
        r.text
    );
    assert!(
        field_codes(&r, "submission_closes_at")
            .iter()
            .any(|c| c.starts_with("schedule_")),
        "{}",
        r.text
    );
    // 公告期間 too short (10 days by default).
    let mut body = tender_body("公告期間の短い案件");
    body["questions_until"] = json!(rfc(now() + TimeDelta::days(3)));
    body["submission_closes_at"] = json!(rfc(now() + TimeDelta::days(5)));
    body["opening_at"] = json!(rfc(now() + TimeDelta::days(6)));
    let r = buyer.post("/api/v1/tenders", body).await;
    assert_eq!(
        field_codes(&r, "submission_closes_at"),
        ["schedule_publication_period_too_short"],
        "{}",
        r.text
    );
    let r = buyer
        .post("/api/v1/tenders", json!(["not", "an", "object"]))
        .await;
    assert_eq!((r.status.as_u16(), code(&r)), (422, "invalid_body"));
    let r = buyer.get("/api/v1/buyer/tenders").await;
    assert_eq!(r.body["total"], 0, "nothing stored: {}", r.text);

    // The form shows the problems beside the fields (422) and keeps what was typed.
    let r = buyer.get("/tenders/new").await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("案件の登録") && r.text.contains("type=\"datetime-local\""));
    let r = buyer
        .form("/tenders", &[("title", "入力途中の件名"), ("kind", "rfq")])
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("入力途中の件名"));
    assert!(r.text.contains("区分を選択してください。"), "{}", r.text);
    assert!(r.text.contains("提出締切日時を入力してください。"));
    assert!(r.text.contains("class=\"field-error\""));

    // --- A draft from the form (Japan time in datetime-local fields). ---
    let t = now();
    let (q, so, sc, op) = (
        local(t + TimeDelta::days(7)),
        local(t + TimeDelta::days(1)),
        local(t + TimeDelta::days(14)),
        local(t + TimeDelta::days(15)),
    );
    let r = buyer
        .form(
            "/tenders",
            &[
                ("kind", "rfq"),
                ("title", "公用車タイヤの交換作業"),
                (
                    "summary",
                    "公用車20台のタイヤ交換。<script>alert(1)</script>",
                ),
                ("category", "services"),
                ("jsic", "E, 0911"),
                ("place", "13"),
                ("municipality", "131016"),
                ("method", "open"),
                ("eligible_prefectures", "13"),
                ("eligible_prefectures", "14"),
                ("questions_until", &q),
                ("submission_opens_at", &so),
                ("submission_closes_at", &sc),
                ("opening_at", &op),
                ("reserve_price_publication", "in_advance"),
                ("reserve_price", "800000"),
                ("award_method", "lowest_price"),
                ("contact_department", "財務部 管財課"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let location = r.headers["location"].to_str().unwrap().to_owned();
    let form_id: i64 = location.trim_start_matches("/tenders/").parse().unwrap();
    let r = buyer.get(&location).await;
    assert_eq!(r.status, 200);
    assert!(
        r.text.contains("プレビュー（下書き・非公開）"),
        "{}",
        r.text
    );
    assert!(r.text.contains("公告する"));
    assert!(
        r.text.contains("alert(1)") && !r.text.contains("<script>alert(1)"),
        "the summary is escaped"
    );
    assert!(r.text.contains("800,000円（税抜）"));
    let r = buyer.get(&format!("/api/v1/tenders/{form_id}")).await;
    assert_eq!(r.body["place"], "131016", "{}", r.text);
    assert_eq!(r.body["jsic"], json!(["E", "0911"]));
    assert_eq!(
        r.body["questions_until"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap(),
        (t + TimeDelta::days(7)).with_second(0).unwrap(),
        "the form's time is Japan time"
    );

    // --- A draft from the API. ---
    let r = buyer
        .post(
            "/api/v1/tenders",
            tender_body("事務用品（コピー用紙）の単価契約"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["version"], 1);
    assert_eq!(r.body["amended"], false);
    assert_eq!(r.body["url"], format!("{base}/tenders/{id}"));
    assert_eq!(
        r.body["buyer"],
        json!({"id": buyer_org, "name": "架空市役所"})
    );
    assert_eq!(
        r.body["reserve_price"], 1200000,
        "the buyer sees its prices"
    );
    assert_eq!(r.body["minimum_price"], 1000000);
    assert!(
        r.body["submission_closes_at"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert!(r.body["published_at"].is_null());

    // Drafts do not exist for anyone else.
    assert_eq!(anon.get(&format!("/tenders/{id}")).await.status, 404);
    assert_eq!(
        supplier.get(&format!("/api/v1/tenders/{id}")).await.status,
        404
    );
    assert_eq!(
        supplier.get(&format!("/tenders/{id}/history")).await.status,
        404
    );
    assert_eq!(anon.get("/api/v1/tenders").await.body["total"], 0);
    let r = buyer.get("/buyer/tenders").await;
    assert!(r.text.contains("事務用品（コピー用紙）の単価契約") && r.text.contains("下書き"));

    // A draft changes in place.
    let r = buyer
        .send(
            Method::PATCH,
            &format!("/api/v1/tenders/{id}"),
            Some(json!({"title": "事務用品（コピー用紙）の単価契約（令和9年度）"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["version"], 1);
    assert_eq!(r.body["reserve_price"], 1200000, "fields left out stay");
    let title = "事務用品（コピー用紙）の単価契約（令和9年度）";

    // --- Publication. ---
    let published = publish(&mut buyer, id).await;
    assert!(published["published_at"].is_string());
    let r = buyer
        .post(&format!("/api/v1/tenders/{id}/publish"), json!({}))
        .await;
    assert_eq!((r.status.as_u16(), code(&r)), (409, "not_draft"));
    let r = buyer
        .form(&format!("/tenders/{form_id}/publish"), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.text);

    // Public now, at a stable address, prices sealed until opening.
    let r = anon.get(&format!("/tenders/{id}")).await;
    assert_eq!(r.status, 200);
    for s in [
        title,
        "公告中",
        "開札時に公表",
        "提出締切日時",
        "質問受付期限",
        "開札日時",
        "所在地要件",
        "東京都",
        "ISO 9001",
        "総務部 契約課",
        "履行期間",
        "2027年4月1日",
    ] {
        assert!(r.text.contains(s), "{s} missing from the page");
    }
    assert!(!r.text.contains("1,200,000") && !r.text.contains("1,000,000"));
    assert!(!r.text.contains("プレビュー"));
    let r = anon.get(&format!("/api/v1/tenders/{id}")).await;
    assert_eq!(r.status, 200);
    assert!(r.body.get("reserve_price").is_none(), "{}", r.text);
    assert!(r.body.get("minimum_price").is_none());
    assert_eq!(r.body["reserve_price_sealed"], true);
    let r = anon.get(&format!("/api/v1/tenders/{form_id}")).await;
    assert_eq!(r.body["reserve_price"], 800000, "published in advance");

    // The list: newest first, filters, stable pages.
    let r = anon.get("/api/v1/tenders").await;
    assert_eq!(r.body["total"], 2, "{}", r.text);
    assert_eq!(r.body["items"][0]["id"], form_id, "newest first");
    assert_eq!(anon.get("/api/v1/tenders?kind=rfq").await.body["total"], 1);
    assert_eq!(
        anon.get("/api/v1/tenders?category=works").await.body["total"],
        0
    );
    assert_eq!(
        anon.get("/api/v1/tenders?prefecture=13&status=open")
            .await
            .body["total"],
        2
    );
    assert_eq!(
        anon.get("/api/v1/tenders?prefecture=27").await.body["total"],
        0
    );
    assert_eq!(
        anon.get(&format!("/api/v1/tenders?buyer={buyer_org}"))
            .await
            .body["total"],
        2
    );
    let r = anon.get("/api/v1/tenders?status=draft").await;
    assert_eq!((r.status.as_u16(), code(&r)), (400, "invalid_parameter"));
    let r = anon.get("/api/v1/tenders?per_page=1&page=2").await;
    assert_eq!(r.body["items"][0]["id"], id, "{}", r.text);
    let r = anon.get("/tenders?category=goods").await;
    assert!(r.text.contains(title) && !r.text.contains("公用車タイヤ"));
    let r = anon.get("/tenders").await;
    assert!(r.text.contains("該当 2 件"));

    // The top page lists the newest, as plain links.
    let r = anon.get("/").await;
    assert!(r.text.contains("新着案件"), "{}", r.text);
    assert!(r.text.contains(&format!("href=\"/tenders/{id}\"")) && r.text.contains(title));

    // --- 訂正: a reason is required; the amendment is version 2. ---
    let new_close = now() + TimeDelta::days(13);
    let r = buyer
        .send(
            Method::PATCH,
            &format!("/api/v1/tenders/{id}"),
            Some(json!({"submission_closes_at": rfc(new_close), "opening_at": rfc(new_close + TimeDelta::hours(1))})),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(field_codes(&r, "reason"), ["required"]);
    let r = buyer
        .send(
            Method::PATCH,
            &format!("/api/v1/tenders/{id}"),
            Some(json!({
                "submission_closes_at": rfc(new_close),
                "opening_at": rfc(new_close + TimeDelta::hours(1)),
                "reason": "年末年始の閉庁期間を考慮し、提出期限を延長するため",
                "version": 1,
            })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.body["amended"], true);
    // The same change again from the old version is refused.
    let r = buyer
        .send(
            Method::PATCH,
            &format!("/api/v1/tenders/{id}"),
            Some(json!({"title": "別の件名", "reason": "誤記訂正", "version": 1})),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (409, "stale_version"),
        "{}",
        r.text
    );
    let r = anon.get(&format!("/tenders/{id}")).await;
    assert!(r.text.contains("訂正あり（第2版）"), "{}", r.text);
    assert!(r.text.contains("年末年始の閉庁期間を考慮し"));
    assert!(r.text.contains("訂正履歴"));
    let r = anon.get(&format!("/tenders/{id}/history")).await;
    assert_eq!(r.status, 200);
    assert!(
        r.text.contains("第2版") && r.text.contains("訂正前") && r.text.contains("提出締切日時")
    );
    let r = anon.get(&format!("/api/v1/tenders/{id}/versions")).await;
    let versions = r.body["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{}", r.text);
    assert!(
        versions[1]["changed_fields"]
            .as_array()
            .unwrap()
            .contains(&json!("submission_closes_at"))
    );
    assert!(
        versions[1]["content"].get("reserve_price").is_none(),
        "sealed in history too"
    );
    let r = anon.get(&format!("/api/v1/tenders/{id}/transitions")).await;
    assert_eq!(r.body["items"][0]["transition"], "publish", "{}", r.text);

    // The 訂正 form: prefilled, the reason required.
    let r = buyer.get(&format!("/tenders/{id}/edit")).await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("訂正理由") && r.text.contains(title));
    let r = supplier.get(&format!("/tenders/{id}/edit")).await;
    assert_eq!(r.status, 403);

    // In English too, on the same address.
    let r = anon.get(&format!("/tenders/{id}?lang=en")).await;
    assert!(r.text.contains("Published at opening") && r.text.contains("Amended (version 2)"));
    assert!(r.text.contains("Submission deadline") && r.text.contains("JST"));

    // --- 中止: the reason is shown; nothing can be edited any more. ---
    let r = buyer
        .post(
            &format!("/api/v1/tenders/{form_id}/cancel"),
            json!({"reason": ""}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = buyer
        .form(
            &format!("/tenders/{form_id}/cancel"),
            &[("reason", "仕様を見直すため")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    // (Back to Japanese: ?lang= stays in a cookie.)
    let r = anon.get(&format!("/tenders/{form_id}?lang=ja")).await;
    assert!(r.text.contains("この案件は中止されました。") && r.text.contains("仕様を見直すため"));
    let r = buyer
        .send(
            Method::PATCH,
            &format!("/api/v1/tenders/{form_id}"),
            Some(json!({"title": "書き換え", "reason": "誤記"})),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (409, "tender_not_editable"),
        "{}",
        r.text
    );
    let r = buyer.get(&format!("/tenders/{form_id}/edit")).await;
    assert_eq!(r.status, 409);
    let r = anon.get(&format!("/api/v1/tenders/{form_id}")).await;
    assert_eq!(r.body["title"], "公用車タイヤの交換作業");
    assert_eq!(r.body["status"], "cancelled");
    assert_eq!(r.body["cancel_reason"], "仕様を見直すため");
    let r = buyer
        .post(
            &format!("/api/v1/tenders/{form_id}/cancel"),
            json!({"reason": "再度"}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
}

async fn questions_applications_and_favourites(db: TestDb) {
    create_admin(&db, "admin@musubi.example.jp");
    let server = start_with(&db, &[]);
    let Cast {
        mut buyer,
        mut supplier,
        supplier_org,
        mut outsider,
        outsider_org,
        mut anon,
        ..
    } = cast(&server).await;
    let id = create(&mut buyer, tender_body("庁舎案内表示の印刷")).await;

    // No questions to a draft.
    let r = supplier
        .post(
            &format!("/api/v1/tenders/{id}/questions"),
            json!({"question": "?"}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    publish(&mut buyer, id).await;

    // --- 質疑応答: private until answered, answered without the asker. ---
    let r = supplier
        .post(
            &format!("/api/v1/tenders/{id}/questions"),
            json!({"question": "納入場所への搬入経路（エレベーターの有無）をご教示ください。"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["mine"], true);
    let q1 = r.body["id"].as_i64().unwrap();
    let r = supplier
        .post(
            &format!("/api/v1/tenders/{id}/questions"),
            json!({"question": " "}),
        )
        .await;
    assert_eq!(field_codes(&r, "question"), ["required"], "{}", r.text);
    let r = buyer
        .post(
            &format!("/api/v1/tenders/{id}/questions"),
            json!({"question": "x"}),
        )
        .await;
    assert_eq!((r.status.as_u16(), code(&r)), (403, "supplier_required"));
    supplier.get(&format!("/tenders/{id}")).await;
    let r = supplier
        .form(
            &format!("/tenders/{id}/questions"),
            &[("question", "見本の提出は必要でしょうか。")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);

    let r = anon.get(&format!("/api/v1/tenders/{id}/questions")).await;
    assert_eq!(
        r.body["items"],
        json!([]),
        "unanswered questions are private"
    );
    let r = outsider
        .get(&format!("/api/v1/tenders/{id}/questions"))
        .await;
    assert_eq!(r.body["items"], json!([]));
    let r = supplier.get(&format!("/tenders/{id}")).await;
    assert!(r.text.contains("見本の提出は必要でしょうか。") && r.text.contains("自社の質問"));
    let r = buyer.get(&format!("/api/v1/tenders/{id}/questions")).await;
    let items = r.body["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "{}", r.text);
    assert_eq!(items[0]["asker_org"], supplier_org);
    let q2 = items[1]["id"].as_i64().unwrap();
    let r = buyer.get(&format!("/tenders/{id}")).await;
    assert!(
        r.text.contains("株式会社東洋印刷"),
        "the buyer sees who asked"
    );

    let r = buyer
        .post(
            &format!("/api/v1/tenders/{id}/questions/{q1}/answer"),
            json!({"answer": "搬入用エレベーターがあります（積載1,000kg）。"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["answer"].as_str().unwrap().contains("積載"));
    let r = supplier
        .post(
            &format!("/api/v1/tenders/{id}/questions/{q1}/answer"),
            json!({"answer": "x"}),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = buyer
        .form(
            &format!("/tenders/{id}/questions/{q2}/answer"),
            &[("answer", "見本の提出は不要です。")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let r = anon.get(&format!("/api/v1/tenders/{id}/questions")).await;
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", r.text);
    assert!(
        items
            .iter()
            .all(|q| q.get("asker_org").is_none() && q["mine"] == false)
    );
    let r = anon.get(&format!("/tenders/{id}")).await;
    assert!(
        r.text.contains("搬入用エレベーターがあります")
            && r.text.contains("見本の提出は不要です。")
    );
    assert!(
        !r.text.contains("株式会社東洋印刷"),
        "the asker stays unnamed"
    );

    // --- 参加申請: the eligible supplier applies, the buyer accepts (指名). ---
    let r = outsider.get(&format!("/tenders/{id}")).await;
    assert!(r.text.contains("この案件に参加申請する"));
    let r = outsider
        .post(&format!("/api/v1/tenders/{id}/applications"), json!({}))
        .await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (422, "validation_failed"),
        "{}",
        r.text
    );
    let message = r.body["error"]["fields"]["eligibility"].as_str().unwrap();
    for s in [
        "所在地要件（東京都）",
        "等級要件（物品：C）",
        "資格要件（ISO 9001）",
    ] {
        assert!(message.contains(s), "{s} not in {message}");
    }
    assert_eq!(
        field_codes(&r, "eligibility"),
        [
            "eligibility_location",
            "eligibility_grade",
            "eligibility_certification"
        ]
    );
    let r = outsider
        .form(&format!("/tenders/{id}/applications"), &[])
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.text.contains("所在地要件（東京都）を満たしていません。"),
        "{}",
        r.text
    );
    assert!(r.text.contains("資格要件（ISO 9001）を満たしていません。"));

    let r = supplier
        .send(
            Method::POST,
            &format!("/api/v1/tenders/{id}/applications"),
            None,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["status"], "pending");
    assert_eq!(r.body["origin"], "application");
    let aid = r.body["id"].as_i64().unwrap();
    let r = supplier
        .form(&format!("/tenders/{id}/applications"), &[])
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("既に申請済み"));
    let r = supplier
        .get(&format!("/api/v1/tenders/{id}/applications"))
        .await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        outsider
            .get(&format!("/api/v1/tenders/{id}/applications"))
            .await
            .body["items"],
        json!([])
    );
    let r = buyer.get(&format!("/tenders/{id}")).await;
    assert!(r.text.contains("参加申請・指名の一覧") && r.text.contains("指名する"));
    let r = buyer
        .form(
            &format!("/tenders/{id}/applications/{aid}/decision"),
            &[("accept", "true")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let r = buyer
        .post(
            &format!("/api/v1/tenders/{id}/applications/{aid}/decision"),
            json!({"accept": false}),
        )
        .await;
    assert_eq!((r.status.as_u16(), code(&r)), (409, "already_decided"));
    let r = supplier.get(&format!("/tenders/{id}")).await;
    assert!(
        r.text.contains("申請状況") && r.text.contains("指名"),
        "{}",
        r.text
    );

    // What happened reaches the people it concerns.
    let r = supplier.get("/api/v1/me/events").await;
    let kinds: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"question_answered"), "{}", r.text);
    assert!(kinds.contains(&"application_accepted"), "{}", r.text);

    // --- Favourites and マイ案件. ---
    let r = outsider
        .send(
            Method::PUT,
            &format!("/api/v1/tenders/{id}/favourite"),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = outsider.get("/api/v1/me/tenders").await;
    assert_eq!(r.body["items"][0]["id"], id, "{}", r.text);
    let r = outsider.get(&format!("/tenders/{id}")).await;
    assert!(r.text.contains("お気に入りから外す"));
    let r = outsider
        .form(&format!("/tenders/{id}/favourite"), &[("on", "false")])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(outsider.get("/api/v1/me/tenders").await.body["total"], 0);
    let r = anon
        .send(
            Method::PUT,
            &format!("/api/v1/tenders/{id}/favourite"),
            None,
        )
        .await;
    assert_eq!(r.status, 401);
    let r = supplier
        .form(&format!("/tenders/{id}/favourite"), &[("on", "true")])
        .await;
    assert_eq!(r.status, 303);
    let r = supplier.get("/my/tenders").await;
    assert_eq!(r.status, 200);
    for s in [
        "マイ案件",
        "庁舎案内表示の印刷",
        "お気に入り",
        "参加申請：",
        "質問済み",
        "質問に回答がありました。",
    ] {
        assert!(r.text.contains(s), "{s} missing from マイ案件");
    }
    assert_eq!(anon.get("/my/tenders").await.status, 303);

    // --- 指名競争: no applications; the buyer nominates eligible suppliers. ---
    let mut body = tender_body("指名競争の案件");
    body["method"] = json!("selective");
    let sid = create(&mut buyer, body).await;
    publish(&mut buyer, sid).await;
    let r = supplier
        .post(&format!("/api/v1/tenders/{sid}/applications"), json!({}))
        .await;
    assert_eq!((r.status.as_u16(), code(&r)), (409, "nomination_only"));
    let r = buyer
        .post(
            &format!("/api/v1/tenders/{sid}/applications"),
            json!({"supplier": outsider_org}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = buyer
        .post(
            &format!("/api/v1/tenders/{sid}/applications"),
            json!({"supplier": supplier_org}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["origin"], "nomination");
    let r = supplier.get("/api/v1/me/events").await;
    assert!(r.text.contains("nominated"), "{}", r.text);
    let r = buyer.get(&format!("/tenders/{sid}")).await;
    assert!(r.text.contains("企業の指名（指名競争）"));
}

/// A request with the client's cookies and CSRF header, and any body.
async fn raw(c: &Client, method: Method, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let cookies: Vec<String> = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut req = http
        .request(method, format!("{}{path}", c.base))
        .header("content-type", content_type)
        .body(body);
    if !cookies.is_empty() {
        req = req.header("cookie", cookies.join("; "));
    }
    if let Some(csrf) = c.cookies.get("musubi_csrf") {
        req = req.header("x-csrf-token", csrf);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.bytes().await.unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Reply {
        status,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        text,
        headers,
    }
}

/// A multipart body: (name, filename, bytes) parts.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "musubi-boundary-7d1f";
    let mut body = Vec::new();
    for (name, filename, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

const SPEC: &[u8] =
    "%PDF-1.7\n% Musubi test: 仕様書\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".as_bytes();
const SPEC_SHA256: &str = "5ef2da8b7a00feccf7671328814a26df628db541a7f9f3ca97a0c6057e92c0a9";
const SPEC2: &[u8] = b"%PDF-1.7\n% Musubi test: second edition\n%%EOF\n";
const SPEC2_SHA256: &str = "b577aa4236d56db5b4b0bedbe29aed033ea33dce3d5605dfa48b9df5037544f9";

async fn attachments_up_and_down(db: TestDb) {
    create_admin(&db, "admin@musubi.example.jp");
    let server = start_with(&db, &[]);
    let Cast {
        mut buyer,
        mut supplier,
        mut anon,
        ..
    } = cast(&server).await;
    let id = create(&mut buyer, tender_body("図面の添付された工事")).await;
    publish(&mut buyer, id).await;
    let path = format!("/api/v1/tenders/{id}/attachments");

    // Multipart through the API.
    let (ct, body) = multipart(&[
        ("title", None, "仕様書".as_bytes()),
        ("file", Some("仕様書.pdf"), SPEC),
    ]);
    let r = raw(&buyer, Method::POST, &path, &ct, body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["sha256"], SPEC_SHA256);
    assert_eq!(r.body["size"], SPEC.len());
    assert_eq!(r.body["content_type"], "application/pdf");
    assert_eq!(r.body["filename"], "仕様書.pdf");
    let first = r.body["id"].as_i64().unwrap();

    // Download: signed-in people only, with the name in RFC 5987 form.
    let file = format!("/api/v1/tenders/{id}/attachments/{first}");
    assert_eq!(anon.get(&file).await.status, 401);
    let r = anon
        .get(&format!("/tenders/{id}/attachments/{first}"))
        .await;
    assert_eq!(r.status, 303);
    assert!(
        r.headers["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next=")
    );
    let r = raw(
        &supplier,
        Method::GET,
        &format!("/tenders/{id}/attachments/{first}"),
        "text/plain",
        Vec::new(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text.as_bytes(), SPEC);
    assert_eq!(r.headers["content-type"], "application/pdf");
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    let cd = r.headers["content-disposition"].to_str().unwrap();
    assert!(cd.starts_with("attachment;"), "{cd}");
    assert!(
        cd.contains("filename*=UTF-8''%E4%BB%95%E6%A7%98%E6%9B%B8.pdf"),
        "{cd}"
    );

    // Replacement keeps the old file, marked 旧版 (raw body with ?filename=).
    let r = raw(
        &buyer,
        Method::POST,
        &format!("{path}?filename=spec-v2.pdf&title=%E4%BB%95%E6%A7%98%E6%9B%B8%EF%BC%88%E7%AC%AC2%E7%89%88%EF%BC%89&replaces={first}"),
        "application/pdf",
        SPEC2.to_vec(),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["replaces"], first);
    assert_eq!(r.body["sha256"], SPEC2_SHA256);
    let second = r.body["id"].as_i64().unwrap();
    let r = anon.get(&path).await;
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", r.text);
    assert_eq!(items[0]["superseded_by"], second);
    assert_eq!(
        raw(&supplier, Method::GET, &file, "text/plain", Vec::new())
            .await
            .status,
        200
    );
    let r = anon.get(&format!("/tenders/{id}")).await;
    for s in [
        SPEC_SHA256,
        SPEC2_SHA256,
        "旧版",
        "仕様書（第2版）",
        "spec-v2.pdf",
        "ログイン",
    ] {
        assert!(r.text.contains(s), "{s} missing from the page");
    }
    assert!(
        !r.text
            .contains(&format!("href=\"/tenders/{id}/attachments/{first}\""))
    );
    let r = supplier.get(&format!("/tenders/{id}")).await;
    assert!(
        r.text
            .contains(&format!("href=\"/tenders/{id}/attachments/{first}\""))
    );

    // Refused types and lying contents.
    let r = raw(
        &buyer,
        Method::POST,
        &format!("{path}?filename=setup.exe"),
        "application/octet-stream",
        b"MZ\x90\x00".to_vec(),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (422, "attachment_type_refused"),
        "{}",
        r.text
    );
    assert_eq!(field_codes(&r, "file"), ["attachment_type_refused"]);
    let r = raw(
        &buyer,
        Method::POST,
        &format!("{path}?filename=fake.pdf"),
        "application/pdf",
        b"MZ\x90\x00".to_vec(),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (422, "attachment_content_mismatch")
    );
    let r = raw(
        &buyer,
        Method::POST,
        &format!("{path}?filename=x.pdf&replaces=999999"),
        "application/pdf",
        SPEC.to_vec(),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (422, "attachment_unknown"),
        "{}",
        r.text
    );

    // Too large: 413 attachment_too_large, whether declared or found out.
    let big = {
        let mut b = b"%PDF-1.7\n".to_vec();
        b.resize(musubi_app::tenders::MAX_ATTACHMENT_BYTES + 1, b'0');
        b
    };
    let r = raw(
        &buyer,
        Method::POST,
        &format!("{path}?filename=big.pdf"),
        "application/pdf",
        big.clone(),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (413, "attachment_too_large"),
        "{}",
        r.text
    );
    let (ct, body) = multipart(&[("file", Some("big.pdf"), &big)]);
    let r = raw(&buyer, Method::POST, &path, &ct, body).await;
    assert_eq!((r.status.as_u16(), code(&r)), (413, "attachment_too_large"));
    // A body declared larger than the route takes is refused before it is
    // sent; other routes keep the site's (smaller) limit.
    let (status, body) = declare_body(
        &buyer,
        &format!("{path}?filename=huge.pdf"),
        musubi_web::handlers::tenders::UPLOAD_BODY_LIMIT + 1,
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (413, Some("attachment_too_large"))
    );
    let (status, body) = declare_body(
        &buyer,
        &format!("/api/v1/tenders/{id}/questions"),
        musubi_app::tenders::MAX_ATTACHMENT_BYTES,
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (413, Some("payload_too_large"))
    );

    // The page's upload form: multipart, its CSRF token in the action.
    let csrf = buyer.cookies["musubi_csrf"].clone();
    let (ct, body) = multipart(&[
        ("_csrf", None, csrf.as_bytes()),
        ("title", None, "図面".as_bytes()),
        ("file", Some("zumen.pdf"), SPEC2),
    ]);
    let r = raw_form(
        &buyer,
        &format!("/tenders/{id}/attachments"),
        &ct,
        body.clone(),
    )
    .await;
    assert_eq!(
        r.status, 403,
        "a form without the token in its action is refused"
    );
    let r = raw_form(
        &buyer,
        &format!("/tenders/{id}/attachments?_csrf={csrf}"),
        &ct,
        body,
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let (ct, body) = multipart(&[(
        "file",
        Some("big.pdf"),
        &vec![b'%'; musubi_app::tenders::MAX_ATTACHMENT_BYTES + 10],
    )]);
    let r = raw_form(
        &buyer,
        &format!("/tenders/{id}/attachments?_csrf={csrf}"),
        &ct,
        body,
    )
    .await;
    assert_eq!(r.status, 413);
    assert!(
        r.text.contains("添付ファイルが大きすぎます。"),
        "{}",
        r.text
    );
    let (ct, body) = multipart(&[("file", Some("setup.exe"), b"MZ")]);
    let r = raw_form(
        &buyer,
        &format!("/tenders/{id}/attachments?_csrf={csrf}"),
        &ct,
        body,
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("この形式のファイルは添付できません。"));

    // Only the buyer attaches.
    let (ct, body) = multipart(&[("file", Some("x.pdf"), SPEC)]);
    let r = raw(&supplier, Method::POST, &path, &ct, body).await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (403, "buyer_approval_required")
    );
    assert_eq!(
        anon.get(&path).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

/// Sends only the head of a request whose body is `length` bytes long and
/// reads the answer (status and JSON body): a body refused for its declared
/// size is never read.
fn declare_body(c: &Client, path: &str, length: usize) -> (u16, Value) {
    use std::io::{Read, Write};
    let addr = c.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let cookies: Vec<String> = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let csrf = c.cookies.get("musubi_csrf").cloned().unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/octet-stream\r\nContent-Length: {length}\r\nCookie: {}\r\nX-CSRF-Token: {csrf}\r\nConnection: close\r\n\r\n",
        cookies.join("; ")
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let json = match (text.find('{'), text.rfind('}')) {
        (Some(a), Some(b)) => serde_json::from_str(&text[a..=b]).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    (status, json)
}

/// Like a browser's form post: the cookies, but no CSRF header.
async fn raw_form(c: &Client, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let cookies: Vec<String> = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let res = http
        .post(format!("{}{path}", c.base))
        .header("content-type", content_type)
        .header("cookie", cookies.join("; "))
        .body(body)
        .send()
        .await
        .unwrap();
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

async fn a_closed_tender_stays_as_it_was(db: TestDb) {
    create_admin(&db, "admin@musubi.example.jp");
    // No minimum 公告期間, so that a tender closes within the test.
    let server = start_with(&db, &[("MUSUBI_MIN_PUBLICATION_DAYS", "0")]);
    let Cast {
        mut buyer,
        mut supplier,
        mut anon,
        ..
    } = cast(&server).await;
    let t = now();
    let mut body = tender_body("締切の近い見積依頼");
    body["questions_until"] = json!(rfc(t + TimeDelta::seconds(5)));
    body["submission_opens_at"] = json!(rfc(t + TimeDelta::seconds(3)));
    body["submission_closes_at"] = json!(rfc(t + TimeDelta::seconds(6)));
    body["opening_at"] = json!(rfc(t + TimeDelta::hours(1)));
    let id = create(&mut buyer, body).await;
    publish(&mut buyer, id).await;

    // The scheduler closes it at its deadline.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = anon.get(&format!("/api/v1/tenders/{id}")).await;
        if r.body["status"] == "closed" {
            break;
        }
        assert!(Instant::now() < deadline, "not closed: {}", r.text);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let r = buyer
        .send(
            Method::PATCH,
            &format!("/api/v1/tenders/{id}"),
            Some(json!({"title": "締切後の書き換え", "reason": "誤記訂正"})),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (409, "tender_not_editable"),
        "{}",
        r.text
    );
    buyer.get("/").await;
    let r = buyer
        .form(
            &format!("/tenders/{id}"),
            &[("title", "締切後の書き換え"), ("reason", "誤記訂正")],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("提出締切後の案件は訂正できません。"));
    let r = anon.get(&format!("/api/v1/tenders/{id}")).await;
    assert_eq!(r.body["title"], "締切の近い見積依頼");
    assert_eq!(r.body["version"], 1);
    let r = anon.get(&format!("/tenders/{id}")).await;
    assert!(r.text.contains("締切（開札待ち）") && !r.text.contains("訂正あり"));
    assert!(!r.text.contains("この案件に参加申請する"));

    // Questions are closed too.
    let r = supplier
        .post(
            &format!("/api/v1/tenders/{id}/questions"),
            json!({"question": "遅れた質問"}),
        )
        .await;
    assert_eq!((r.status.as_u16(), code(&r)), (409, "questions_closed"));
    let r = supplier.get(&format!("/tenders/{id}")).await;
    assert!(!r.text.contains("質問を送信する"));
}
