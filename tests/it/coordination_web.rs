//! Coordinators through HTTP, on both databases: the JSON API under
//! `/api/v1/coordinator` (answers as documented, stable codes for bad
//! input, refusals for non-coordinators), the pages under `/coordinator`
//! (forms that fail show why), and コーディネーターからの推薦 on the
//! buyer's tender page.

use reqwest::Method;
use serde_json::{Value, json};

use crate::coordination::{t0, world};
use crate::portal::{Client, Reply};
use crate::support::{TestDb, both_backends, session_client};

both_backends!(coordination_over_the_api, coordination_on_the_pages);

fn code(r: &Reply) -> &str {
    r.body["error"]["code"].as_str().unwrap_or_default()
}

/// `v` has exactly the properties the API description gives `schema`.
fn documented(doc: &Value, schema: &str, v: &Value) {
    let mut props: Vec<&str> = doc["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("no schema {schema}"))
        .keys()
        .map(String::as_str)
        .collect();
    let mut got: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    props.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, props, "{schema}: {v}");
}

async fn coordination_over_the_api(db: TestDb) {
    let w = world(db).await;
    let s = &*w.db.storage;
    let mut c: Client = session_client(s, &w.base, &w.coordinator, t0()).await;
    let doc = c.get("/api/v1/openapi.json").await.body;
    let tender = w.tender;

    let r = c.get("/api/v1/coordinator/dashboard").await;
    assert_eq!(r.status, 200, "{}", r.text);
    documented(&doc, "CoordinatorDashboard", &r.body);
    assert_eq!(r.body["few_eligible"][0]["tender_id"], tender);
    assert_eq!(r.body["few_eligible"][0]["eligible_suppliers"], 4);

    // Bad input answers with stable codes, never a 500.
    let share = format!("/api/v1/coordinator/tenders/{tender}/shares");
    let r = c.post(&share, json!({"region": "mars", "note": "x"})).await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (422, "validation_failed"),
        "{}",
        r.text
    );
    assert_eq!(
        r.body["error"]["field_codes"]["region"][0],
        "region_unknown"
    );
    let r = c.post(&share, json!({"region": "kinki", "note": ""})).await;
    assert_eq!(r.body["error"]["field_codes"]["note"][0], "required");
    let r = c.post(&share, json!({"region": "kinki"})).await;
    assert_eq!((r.status.as_u16(), code(&r)), (422, "invalid_body"));
    let r = c
        .get(&format!(
            "/api/v1/coordinator/tenders/{tender}/share-preview"
        ))
        .await;
    assert_eq!((r.status.as_u16(), code(&r)), (400, "invalid_parameter"));
    let r = c.get("/api/v1/coordinator/kpis?period=year").await;
    assert_eq!((r.status.as_u16(), code(&r)), (400, "invalid_parameter"));
    let r = c.get("/api/v1/coordinator/introductions?limit=0").await;
    assert_eq!((r.status.as_u16(), code(&r)), (400, "invalid_parameter"));
    let r = c
        .post(
            &format!("/api/v1/coordinator/tenders/{}/shares", w.draft),
            json!({"region": "kinki", "note": "x"}),
        )
        .await;
    assert_eq!(r.status, 404);

    // Preview, then share: the same suppliers, as documented.
    let r = c
        .get(&format!(
            "/api/v1/coordinator/tenders/{tender}/share-preview?region=kyushu_okinawa"
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    documented(&doc, "SharePreview", &r.body);
    assert_eq!(r.body["suppliers"].as_array().unwrap().len(), 2);
    let r = c
        .post(
            &share,
            json!({"region": "kyushu_okinawa", "note": "九州の皆様へ"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    documented(&doc, "ShareResult", &r.body);
    assert_eq!(r.body["recipients"].as_array().unwrap().len(), 2);
    let r = c
        .post(&share, json!({"region": "kyushu_okinawa", "note": "again"}))
        .await;
    assert_eq!(
        (r.status.as_u16(), code(&r)),
        (422, "no_suitable_suppliers")
    );

    // Recommend, once.
    let recommend = format!("/api/v1/coordinator/tenders/{tender}/recommendations");
    let osaka = w.osaka.org_id().unwrap();
    let r = c
        .post(
            &recommend,
            json!({"supplier_id": osaka, "note": "おすすめです"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    documented(&doc, "RecommendResult", &r.body);
    let r = c
        .post(&recommend, json!({"supplier_id": osaka, "note": "again"}))
        .await;
    assert_eq!((r.status.as_u16(), code(&r)), (409, "already_recommended"));
    let r = c
        .post(&recommend, json!({"supplier_id": "abc", "note": "x"}))
        .await;
    assert_eq!((r.status.as_u16(), code(&r)), (422, "invalid_body"));

    let r = c
        .get(&format!("/api/v1/coordinator/tenders/{tender}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    documented(&doc, "CoordinationTender", &r.body);
    documented(
        &doc,
        "CoordinationRecommendation",
        &r.body["recommendations"][0],
    );
    assert_eq!(r.body["shares"][0]["recipients"], 2);
    assert_eq!(
        (&r.body["open"], &r.body["shareable"]),
        (&json!(true), &json!(true))
    );

    // An introduction and its outcome.
    let r = c
        .post(
            "/api/v1/coordinator/introductions",
            json!({"buyer_id": w.buyer.org_id().unwrap(), "supplier_id": w.fukuoka.org_id().unwrap(), "note": "紹介"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    documented(&doc, "Introduction", &r.body);
    let id = r.body["id"].as_i64().unwrap();
    let outcome = format!("/api/v1/coordinator/introductions/{id}/outcome");
    let r = c
        .post(&outcome, json!({"status": "won", "contract_amount": 0}))
        .await;
    assert_eq!(
        r.body["error"]["field_codes"]["contract_amount"][0], "amount_not_positive",
        "{}",
        r.text
    );
    let r = c
        .post(
            &outcome,
            json!({"status": "won", "contract_amount": 980000, "meeting_on": "2026-11-20"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "won");
    assert_eq!(r.body["meeting_on"], "2026-11-20");
    let r = c.post(&outcome, json!({"status": "lost"})).await;
    assert_eq!((r.status.as_u16(), code(&r)), (409, "outcome_not_allowed"));
    let r = c.get("/api/v1/coordinator/introductions").await;
    documented(&doc, "IntroductionPage", &r.body);
    assert_eq!(r.body["total"], 1);

    let r = c.get("/api/v1/coordinator/kpis?period=fy").await;
    assert_eq!(r.status, 200, "{}", r.text);
    documented(&doc, "CoordinationKpis", &r.body);
    let mine = r.body["coordinators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["coordinator_id"] == w.coordinator.user_id)
        .unwrap();
    assert_eq!(
        (
            &mine["shares"],
            &mine["recipients"],
            &mine["recommendations"],
            &mine["won_amount"]
        ),
        (&json!(1), &json!(2), &json!(1), &json!(980000))
    );

    // Not for suppliers or buyers.
    for p in [&w.fukuoka, &w.buyer] {
        let mut other = session_client(s, &w.base, p, t0()).await;
        let r = other.get("/api/v1/coordinator/kpis").await;
        assert_eq!((r.status.as_u16(), code(&r)), (403, "coordinator_required"));
        let r = other
            .send(
                Method::POST,
                &share,
                Some(json!({"region": "kinki", "note": "x"})),
            )
            .await;
        assert_eq!((r.status.as_u16(), code(&r)), (403, "coordinator_required"));
    }
}

async fn coordination_on_the_pages(db: TestDb) {
    let w = world(db).await;
    let s = &*w.db.storage;
    let mut c = session_client(s, &w.base, &w.coordinator, t0()).await;
    let tender = w.tender;

    // The nav link, the dashboard with the tender, its page with the forms.
    let r = c.get("/coordinator").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("data-test=\"nav-coordinator\""));
    assert!(r.text.contains("参加可能な企業が少ない案件"));
    assert!(
        r.text
            .contains(&format!("href=\"/coordinator/tenders/{tender}\""))
    );
    let r = c
        .get(&format!(
            "/coordinator/tenders/{tender}?region=kyushu_okinawa"
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("株式会社博多文具") && r.text.contains("株式会社肥後事務機"));
    assert!(r.text.contains("data-test=\"share-submit\""));

    // A share without a note is shown again with the reason, in Japanese.
    let path = format!("/coordinator/tenders/{tender}/share");
    let r = c
        .form(&path, &[("region", "kyushu_okinawa"), ("note", "")])
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text.contains("メモ（連絡事項）を入力してください。"),
        "{}",
        r.text
    );
    let r = c
        .form(
            &path,
            &[("region", "kyushu_okinawa"), ("note", "九州の皆様へ")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let r = c
        .form(
            &format!("/coordinator/tenders/{tender}/recommend"),
            &[
                ("supplier", &w.osaka.org_id().unwrap().to_string()),
                ("note", "近畿の実績ある企業です"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);

    // The buyer's tender page shows the recommendation; a supplier's does not.
    let mut buyer = session_client(s, &w.base, &w.buyer, t0()).await;
    let r = buyer.get(&format!("/tenders/{tender}")).await;
    assert!(r.text.contains("コーディネーターからの推薦"), "{}", r.text);
    assert!(r.text.contains("近畿の実績ある企業です"));
    assert!(r.text.contains("株式会社浪速文具"));
    assert!(!r.text.contains("data-test=\"nav-coordinator\""));
    let mut supplier = session_client(s, &w.base, &w.fukuoka, t0()).await;
    let r = supplier.get(&format!("/tenders/{tender}")).await;
    assert!(!r.text.contains("コーディネーターからの推薦"));
    let r = supplier.get("/coordinator").await;
    assert_eq!(r.status, 403);

    // Introductions: a bad form says why; the outcome is recorded.
    let r = c
        .form(
            "/coordinator/introductions",
            &[("buyer", "x"), ("supplier", ""), ("note", "紹介")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.text
            .contains("発注者の番号（ID）を正しく入力してください。")
    );
    let buyer_id = w.buyer.org_id().unwrap().to_string();
    let supplier_id = w.fukuoka.org_id().unwrap().to_string();
    let r = c
        .form(
            "/coordinator/introductions",
            &[
                ("buyer", &buyer_id),
                ("supplier", &supplier_id),
                ("note", "九州の文具メーカーを紹介"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = c.get("/coordinator/introductions").await;
    assert!(page.text.contains("九州の文具メーカーを紹介"));
    let id = w
        .svc
        .introductions_for(
            &w.coordinator,
            false,
            musubi_storage::Paging {
                offset: 0,
                limit: 10,
            },
        )
        .await
        .unwrap()
        .items[0]
        .id;
    let r = c
        .form(
            &format!("/coordinator/introductions/{id}/outcome"),
            &[
                ("status", "won"),
                ("meeting_on", ""),
                ("contract_amount", "1,500,000"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);

    // The KPIs in both languages.
    let r = c.get("/coordinator/kpis").await;
    assert_eq!(r.status, 200);
    assert!(
        r.text
            .contains("data-test=\"kpi-coordinator\" data-label=\"調整 役子\"")
    );
    assert!(
        r.text.contains("1,500,000円（税抜）") || r.text.contains("1,500,000"),
        "{}",
        r.text
    );
    let r = c.get("/coordinator/kpis?lang=en").await;
    assert!(r.text.contains("Applications that followed"));
    let r = c.get("/coordinator/kpis?period=year").await;
    assert_eq!(r.status, 400);
}
