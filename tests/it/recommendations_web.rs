//! Recommendations through HTTP, on both databases: おすすめ企業 of a tender
//! (`/api/v1/tenders/{id}/recommended-suppliers`, and the section of the
//! tender page) for its buyer and coordinators, おすすめ案件 of a supplier
//! (`/api/v1/recommendations/tenders`, and the section of マイ案件), with
//! their reasons in both languages, `limit`, and who may see them.

use chrono::{DateTime, Duration, TimeZone, Utc};
use musubi_app::ManualClock;
use musubi_domain::{OrgKind, Prefecture, Principal};
use serde_json::Value;

use crate::portal::{Client, Reply};
use crate::support::{
    TestDb, both_backends, coordinator_of, draft, eligible_supplier, org_member, published,
    serve_in_process, session_client, supplier_in, tender_content,
};

both_backends!(recommendations_over_the_api, recommendations_on_the_pages);

/// 2026-12-01 09:00 JST.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
}

fn code(r: &Reply) -> &str {
    r.body["error"]["code"].as_str().unwrap_or_default()
}

/// The reason codes of one recommendation.
fn reason_codes(v: &Value) -> Vec<&str> {
    v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect()
}

/// The reason of `code` in one recommendation.
fn reason<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("no reason {code} in {v}"))
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

/// The admin of a new supplier company in `prefecture` making `jsic`.
async fn supplier(
    svc: &musubi_app::Services,
    email: &str,
    name: &str,
    prefecture: &str,
    jsic: &str,
) -> Principal {
    supplier_in(
        svc,
        email,
        name,
        prefecture,
        jsic,
        "食肉加工品の製造・販売",
        t0(),
    )
    .await
}

/// A coordinator for 東京都, who belongs to no organisation.
async fn coordinator(svc: &musubi_app::Services) -> Principal {
    let tokyo = [Prefecture::parse("13").unwrap()];
    coordinator_of(
        &*svc.storage,
        "coordinator@example.jp",
        "調整 役子",
        &tokyo,
        t0(),
    )
    .await
}

/// What every case starts from: a buyer with a tender for 0911 goods in
/// 東京都 (published at t0, submissions until day 11) and a draft; the
/// supplier that fits best (東京都, 0911), one that fits less (東京都, 0912),
/// one that is not eligible (大阪府, 0911); another buyer.
struct World {
    db: TestDb,
    base: String,
    tender: i64,
    draft: i64,
    closes: DateTime<Utc>,
    buyer: Principal,
    other_buyer: Principal,
    best: Principal,
    second: Principal,
    far: Principal,
    coordinator: Principal,
}

async fn world(db: TestDb) -> World {
    let clock = ManualClock::new(t0());
    let (base, svc) = serve_in_process(&db, &clock).await;
    let s = &*svc.storage;
    let buyer = org_member(
        s,
        "buyer@example.lg.jp",
        OrgKind::PublicBody,
        "架空市",
        t0(),
    )
    .await;
    let other_buyer = org_member(
        s,
        "other@example.lg.jp",
        OrgKind::PublicBody,
        "別の市",
        t0(),
    )
    .await;
    let best = eligible_supplier(&svc, "best@example.jp", "株式会社推薦精肉", t0()).await;
    let second = supplier(
        &svc,
        "second@example.jp",
        "株式会社二番手食品",
        "13",
        "0912",
    )
    .await;
    let far = supplier(&svc, "far@example.jp", "株式会社遠方精肉", "27", "0911").await;
    let coordinator = coordinator(&svc).await;
    let content = tender_content("冷凍肉の購入", t0());
    let closes = content.schedule.submission_closes_at;
    let org = buyer.org_id().unwrap();
    let tender = published(s, org, buyer.user_id, &content, t0()).await;
    let draft = draft(
        s,
        org,
        buyer.user_id,
        &tender_content("冷凍肉の購入（下書き）", t0() + Duration::days(3)),
        t0(),
    )
    .await;
    World {
        db,
        base,
        tender,
        draft,
        closes,
        buyer,
        other_buyer,
        best,
        second,
        far,
        coordinator,
    }
}

impl World {
    async fn client(&self, p: &Principal) -> Client {
        session_client(&*self.db.storage, &self.base, p, t0()).await
    }
}

async fn recommendations_over_the_api(db: TestDb) {
    let w = world(db).await;
    let path = format!("/api/v1/tenders/{}/recommended-suppliers", w.tender);
    let best_org = w.best.org_id().unwrap();
    let second_org = w.second.org_id().unwrap();

    // おすすめ企業, best first, each with its reasons in both languages.
    let mut buyer = w.client(&w.buyer).await;
    let r = buyer.get(&path).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["tender_id"], w.tender);
    let suppliers = r.body["suppliers"].as_array().unwrap();
    let orgs: Vec<i64> = suppliers
        .iter()
        .map(|s| s["org_id"].as_i64().unwrap())
        .collect();
    assert_eq!(orgs, vec![best_org, second_org], "{}", r.text);
    let first = &suppliers[0];
    assert_eq!(first["name"], "株式会社推薦精肉");
    assert_eq!(first["prefecture"], "13");
    assert!(first["points"].as_u64().unwrap() > suppliers[1]["points"].as_u64().unwrap());
    let industry = reason(first, "same_industry");
    assert_eq!(industry["label_ja"], "同じ細分類（0911）");
    assert_eq!(industry["label_en"], "Same detailed industry (0911)");
    let place = reason(first, "same_prefecture");
    assert_eq!(place["label_ja"], "東京都内");
    assert_eq!(place["label_en"], "In Tokyo");
    assert!(reason_codes(&suppliers[1]).contains(&"same_industry_group"));
    let doc = Client::new(&w.base).get("/api/v1/openapi.json").await.body;
    documented(&doc, "RecommendedSupplierList", &r.body);
    documented(&doc, "RecommendedSupplier", first);
    documented(&doc, "RecommendationReason", industry);
    assert!(
        !orgs.contains(&w.far.org_id().unwrap()),
        "an ineligible supplier is never recommended"
    );

    // limit: the best N; anything but 1..=50 is refused.
    let r = buyer.get(&format!("{path}?limit=1")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["suppliers"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["suppliers"][0]["org_id"], best_org);
    let r = buyer.get(&format!("{path}?limit=50")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    for bad in ["0", "51", "-1", "x", ""] {
        let r = buyer.get(&format!("{path}?limit={bad}")).await;
        assert_eq!(r.status, 400, "limit={bad}: {}", r.text);
        assert_eq!(code(&r), "invalid_limit", "limit={bad}");
    }

    // Coordinators see them too; another buyer's tender does not exist for a
    // buyer; suppliers and anonymous callers are refused by the route.
    let mut coordinator = w.client(&w.coordinator).await;
    let r = coordinator.get(&path).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["suppliers"][0]["org_id"], best_org);
    let mut other = w.client(&w.other_buyer).await;
    let r = other.get(&path).await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(code(&r), "not_found");
    let r = buyer
        .get("/api/v1/tenders/999999/recommended-suppliers")
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let mut best = w.client(&w.best).await;
    let r = best.get(&path).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(code(&r), "buyer_approval_required");
    let mut anonymous = Client::new(&w.base);
    let r = anonymous.get(&path).await;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(code(&r), "sign_in_required");

    // おすすめ案件: the open tender (not the draft), with its reasons.
    let r = best.get("/api/v1/recommendations/tenders").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let tenders = r.body["tenders"].as_array().unwrap();
    let ids: Vec<i64> = tenders
        .iter()
        .map(|t| t["tender_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![w.tender], "{}", r.text);
    assert!(!ids.contains(&w.draft));
    let t = &tenders[0];
    assert_eq!(t["title"], "冷凍肉の購入");
    assert_eq!(t["buyer_name"], "架空市");
    assert_eq!(t["status"], "published");
    assert_eq!(t["submission_closes_at"], "2026-12-12T00:00:00Z");
    assert!(t["points"].as_u64().unwrap() > 0);
    documented(&doc, "RecommendedTenderList", &r.body);
    documented(&doc, "RecommendedTender", t);
    assert_eq!(reason(t, "same_industry")["label_ja"], "同じ細分類（0911）");
    assert_eq!(reason(t, "same_prefecture")["label_en"], "In Tokyo");
    // The ineligible supplier gets nothing.
    let mut far = w.client(&w.far).await;
    let r = far.get("/api/v1/recommendations/tenders").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["tenders"], serde_json::json!([]));
    for bad in ["0", "51", "ten"] {
        let r = best
            .get(&format!("/api/v1/recommendations/tenders?limit={bad}"))
            .await;
        assert_eq!(r.status, 400, "limit={bad}: {}", r.text);
        assert_eq!(code(&r), "invalid_limit");
    }
    // Buyers and coordinators have no company to recommend to.
    let r = buyer.get("/api/v1/recommendations/tenders").await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(code(&r), "supplier_required");
    let r = coordinator.get("/api/v1/recommendations/tenders").await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = anonymous.get("/api/v1/recommendations/tenders").await;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(code(&r), "sign_in_required");
}

async fn recommendations_on_the_pages(db: TestDb) {
    let w = world(db).await;
    let page = format!("/tenders/{}", w.tender);
    let best_org = w.best.org_id().unwrap();

    // おすすめ企業 on the tender page, for its buyer: link, place, reasons.
    let mut buyer = w.client(&w.buyer).await;
    let r = buyer.get(&page).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let html = &r.text;
    assert!(
        html.contains("data-test=\"recommended-suppliers\""),
        "{html}"
    );
    assert!(html.contains("おすすめ企業"));
    assert!(html.contains(&format!(
        "<a href=\"/companies/{best_org}\">株式会社推薦精肉</a>"
    )));
    assert!(html.contains("東京都"));
    assert!(html.contains("data-reason=\"same_industry\">同じ細分類（0911）</span>"));
    assert!(html.contains("data-reason=\"same_prefecture\">東京都内</span>"));
    assert!(!html.contains("株式会社遠方精肉"));
    // The best first.
    let first = html.find("株式会社推薦精肉").unwrap();
    let second = html.find("株式会社二番手食品").unwrap();
    assert!(first < second);
    let r = buyer.get(&format!("{page}?lang=en")).await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("Recommended suppliers"));
    assert!(
        r.text
            .contains("data-reason=\"same_industry\">Same detailed industry (0911)</span>")
    );
    assert!(
        r.text
            .contains("data-reason=\"same_prefecture\">In Tokyo</span>")
    );
    // Also on the draft, to line suppliers up before publishing.
    let r = buyer.get(&format!("/tenders/{}", w.draft)).await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("data-test=\"recommended-suppliers\""));

    // Coordinators see it; nobody else does.
    let mut coordinator = w.client(&w.coordinator).await;
    let r = coordinator.get(&page).await;
    assert!(r.text.contains("data-test=\"recommended-suppliers\""));
    let mut other = w.client(&w.other_buyer).await;
    let mut best = w.client(&w.best).await;
    let mut anonymous = Client::new(&w.base);
    for (who, c) in [
        ("another buyer", &mut other),
        ("a supplier", &mut best),
        ("anonymous", &mut anonymous),
    ] {
        let r = c.get(&page).await;
        assert_eq!(r.status, 200, "{who}");
        assert!(
            !r.text.contains("recommended-suppliers") && !r.text.contains("おすすめ企業"),
            "{who} sees おすすめ企業"
        );
    }

    // おすすめ案件 on マイ案件: title linked, buyer, deadline in Japan time, reasons.
    let r = best.get("/my/tenders").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let html = &r.text;
    assert!(html.contains("data-test=\"recommended-tenders\""), "{html}");
    assert!(html.contains("おすすめ案件"));
    assert!(html.contains(&format!(
        "<a href=\"/tenders/{}\">冷凍肉の購入</a>",
        w.tender
    )));
    assert!(html.contains("架空市"));
    // The deadline, 2026-12-12 00:00 UTC, is 09:00 in Japan.
    assert_eq!(
        w.closes,
        Utc.with_ymd_and_hms(2026, 12, 12, 0, 0, 0).unwrap()
    );
    assert!(html.contains("2026年12月12日 09:00"), "{html}");
    assert!(html.contains("data-reason=\"same_industry\">同じ細分類（0911）</span>"));
    assert!(!html.contains("冷凍肉の購入（下書き）"));
    let r = best.get("/my/tenders?lang=en").await;
    assert!(r.text.contains("Recommended tenders"));
    assert!(r.text.contains("2026-12-12 09:00 JST"));
    assert!(
        r.text
            .contains("data-reason=\"same_prefecture\">In Tokyo</span>")
    );

    // Nothing to recommend: a sentence that says what to do.
    let mut far = w.client(&w.far).await;
    let r = far.get("/my/tenders").await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("data-test=\"recommended-tenders-empty\""));
    assert!(
        r.text
            .contains("事業内容（業種・事業概要）を登録すると、おすすめ案件が表示されます。")
    );
    assert!(r.text.contains(&format!(
        "href=\"/companies/{}/edit\"",
        w.far.org_id().unwrap()
    )));
    assert!(!r.text.contains("data-test=\"recommended-tender\""));
    let r = far.get("/my/tenders?lang=en").await;
    assert!(r.text.contains("to see recommended tenders"));

    // Buyers have no おすすめ案件.
    let r = buyer.get("/my/tenders").await;
    assert_eq!(r.status, 200);
    assert!(!r.text.contains("recommended-tenders"));
}
