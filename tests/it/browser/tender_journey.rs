//! The tender journey, in two real browsers: a buyer posts and publishes a
//! tender with its 仕様書; a supplier opens it by its URL and asks a
//! question; the buyer answers; everyone — signed out too — reads the answer
//! without the asker's name; the supplier applies and the buyer accepts (指名).
//!
//! The people (an approved buyer organisation, a supplier with a complete
//! profile) are made through the JSON API, as the other journeys already
//! walk registration and approval through the pages; from signing in on,
//! everything happens in the browsers.

use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate, TimeDelta, Utc};
use serde_json::json;

use crate::browser::Browser;
use crate::portal::{PASSWORD, Server, approved_buyer, create_admin, start, supplier_with_profile};
use crate::support::TestDb;

const ADMIN: &str = "office@musubi.example.jp";
const BUYER: &str = "keiyaku@city.example.jp";
const BUYER_ORG: &str = "架空市役所";
const SUPPLIER: &str = "sato@toyo-insatsu.example.jp";
const SUPPLIER_ORG: &str = "株式会社東洋印刷";
const SUPPLIER_PERSON: &str = "佐藤 健一";

const TITLE: &str = "事務用品（コピー用紙）の単価契約（令和9年度）";
const QUESTION: &str = "納入場所への搬入経路（エレベーターの有無）をご教示ください。";
const ANSWER: &str = "搬入用エレベーターがあります（積載1,000kg）。";

/// The 仕様書: a (tiny) PDF, and its SHA-256 as `sha256sum` prints it.
const SPEC_PDF: &str = "%PDF-1.4\n% Musubi browser journey: 仕様書（コピー用紙）\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const SPEC_SHA256: &str = "78be49574eb48fe83b9345462fd4ab9a6b245184b7d3d51e39bd704c8044c3bd";
const SPEC_FILE: &str = "仕様書.pdf";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buyer_publishes_supplier_asks_and_applies_buyer_answers_and_accepts() {
    let started = Instant::now();
    let db = TestDb::sqlite().await;
    // The people are made while the two Chromiums start.
    let (buyer, supplier, server) = tokio::join!(Browser::start(), Browser::start(), async {
        create_admin(&db, ADMIN);
        let server = start(&db);
        cast(&server).await;
        server
    });
    let (Some(buyer), Some(supplier)) = (buyer, supplier) else {
        return;
    };
    let base = server.base.as_str();

    // ----- 1. The buyer posts the tender, attaches the 仕様書 and publishes. -----
    sign_in(&buyer, base, BUYER).await;
    buyer.goto(&format!("{base}/tenders/new")).await;
    buyer.wait_for_text("h1", "案件の登録").await;
    assert_eq!(buyer.find("#method").await.value().await, "open");
    buyer
        .fill(&[
            ("#kind", "sealed_bid"),
            ("#title", TITLE),
            ("#category", "goods"),
            (
                "#summary",
                "本庁舎で使用するコピー用紙（A4・A3）を単価契約により調達する。\n\n\
                 ・納入場所：本庁舎 地下1階 倉庫\n・納入回数：月2回程度",
            ),
            ("#jsic", "1511"),
            ("#place", "13"),
            ("#place_detail", "架空市役所 本庁舎"),
            ("#method", "open"),
            ("#award_method", "lowest_price"),
            ("#reserve_price", "1200000"),
            ("#reserve_price_publication", "at_opening"),
            ("#contact_department", "総務部 契約課"),
            ("#contact_person", "契約 花子"),
            ("#contact_phone", "03-0000-0000"),
        ])
        .await;
    // Japan time, whole days ahead: questions until day 5, submissions from
    // day 2 to day 14 (公告期間 at least 10 days), opening on day 15.
    let today = musubi_domain::japan_date(Utc::now());
    let schedule = [
        ("#questions_until", today + TimeDelta::days(5), "17:00"),
        ("#submission_opens_at", today + TimeDelta::days(2), "09:00"),
        (
            "#submission_closes_at",
            today + TimeDelta::days(14),
            "17:00",
        ),
        ("#opening_at", today + TimeDelta::days(15), "10:00"),
    ];
    for (css, day, time) in schedule {
        set_datetime_local(&buyer, css, &format!("{}T{time}", day.format("%Y-%m-%d"))).await;
    }
    buyer.submit("[data-test=tender-submit]").await;
    let tender_url = buyer
        .wait_for_url(|u| {
            u.strip_prefix(&format!("{base}/tenders/"))
                .is_some_and(|id| id.parse::<i64>().is_ok())
        })
        .await;
    buyer
        .wait_for_text("[data-test=preview-banner]", "プレビュー（下書き・非公開）")
        .await;
    assert_eq!(
        buyer.find("[data-test=status]").await.text().await,
        "下書き"
    );
    assert_eq!(
        buyer.find("[data-test=tender-title]").await.text().await,
        TITLE
    );
    let shown = facts(&buyer, "[data-test=schedule]").await;
    for (label, (_, day, time)) in [
        "質問受付期限",
        "提出受付開始日時",
        "提出締切日時",
        "開札日時",
    ]
    .into_iter()
    .zip(schedule)
    {
        let want = (label.to_owned(), format!("{} {time}", japanese_date(day)));
        assert!(
            shown.contains(&want),
            "{want:?} not in the schedule: {shown:?}"
        );
    }
    // A draft is nobody else's business yet (the supplier is not signed in).
    supplier.goto(&tender_url).await;
    supplier.wait_for_text(".error-status", "404").await;

    // The 仕様書, chosen in the file input as a person would.
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join(SPEC_FILE);
    std::fs::write(&pdf, SPEC_PDF).unwrap();
    buyer.fill(&[("#attachment_title", "仕様書")]).await;
    buyer
        .find("#attachment_file")
        .await
        .type_text(pdf.to_str().unwrap())
        .await;
    buyer.submit("[data-test=upload]").await;
    buyer.wait_for_url(|u| u.ends_with("#attachments")).await;
    let row = buyer
        .wait_for_text("[data-test=attachment]", SPEC_SHA256)
        .await;
    let row = row.text().await;
    for s in ["仕様書", SPEC_FILE, "134 バイト"] {
        assert!(row.contains(s), "{s:?} not in the attachment row: {row}");
    }
    assert!(
        buyer
            .try_find("[data-test=attachment-error]")
            .await
            .is_none()
    );

    buyer.submit("[data-test=publish]").await;
    buyer.wait_for_text("[data-test=status]", "公告中").await;
    assert!(buyer.try_find("[data-test=preview-banner]").await.is_none());
    // Published today (in Japan; or tomorrow, if midnight has just passed).
    let published = facts(&buyer, "[data-test=schedule]").await;
    let on = |d: NaiveDate| {
        published
            .iter()
            .any(|(k, v)| k == "公告日" && v.starts_with(&japanese_date(d)))
    };
    assert!(
        on(today) || on(musubi_domain::japan_date(Utc::now())),
        "{published:?}"
    );

    // ----- 2. The supplier opens it by its URL and asks. -----
    sign_in(&supplier, base, SUPPLIER).await;
    supplier.goto(&tender_url).await;
    supplier
        .wait_for_text("[data-test=tender-title]", TITLE)
        .await;
    supplier.wait_for_text("[data-test=status]", "公告中").await;
    supplier
        .wait_for_text(".tender-head .meta", BUYER_ORG)
        .await;
    let row = supplier
        .wait_for_text("[data-test=attachment]", SPEC_SHA256)
        .await;
    assert!(row.text().await.contains(SPEC_FILE));
    let link = supplier.find("[data-test=attachment] a[download]").await;
    assert_eq!(link.text().await, SPEC_FILE);
    assert!(
        link.attr("href")
            .await
            .is_some_and(|h| h.starts_with(&format!("{}/attachments/", &tender_url[base.len()..]))),
        "the file is a download for a signed-in supplier"
    );
    supplier
        .wait_for_text("#qa", "公開されている質疑応答はありません")
        .await;
    supplier.fill(&[("#question", QUESTION)]).await;
    supplier.submit("[data-test=ask]").await;
    supplier.wait_for_url(|u| u.ends_with("#qa")).await;
    let mine = supplier
        .wait_for_text("[data-test=question]", QUESTION)
        .await
        .text()
        .await;
    assert!(mine.contains("自社の質問"), "{mine}");
    assert!(mine.contains("未回答"), "{mine}");
    assert!(!mine.contains("質問者："), "{mine}");
    assert_eq!(supplier.find("#question").await.value().await, "");

    // ----- 3. The buyer sees who asked, and answers. -----
    buyer.refresh().await;
    let asked = buyer
        .wait_for_text("[data-test=question]", QUESTION)
        .await
        .text()
        .await;
    assert!(
        asked.contains(&format!("質問者：{SUPPLIER_ORG}")),
        "the buyer sees who asked: {asked}"
    );
    buyer
        .fill(&[("[data-test=question] textarea[name=answer]", ANSWER)])
        .await;
    buyer
        .submit("[data-test=question] [data-test=answer]")
        .await;
    buyer
        .wait_for_text("[data-test=question] .qa-a", ANSWER)
        .await;
    assert!(
        buyer
            .find("[data-test=question]")
            .await
            .text()
            .await
            .contains("回答の修正"),
        "the answer may still be corrected"
    );

    // ----- 4. Signed out, anybody reads the answer, and not who asked. -----
    supplier.goto(&format!("{base}/account")).await;
    supplier.submit("[data-test=logout]").await;
    supplier.wait_for_url(|u| u == format!("{base}/")).await;
    supplier.find("[data-test=nav-login]").await;
    supplier.goto(&tender_url).await;
    supplier
        .wait_for_text("[data-test=tender-title]", TITLE)
        .await;
    let qa = supplier
        .wait_for_text("[data-test=question]", QUESTION)
        .await
        .text()
        .await;
    assert!(qa.contains(ANSWER), "{qa}");
    assert!(!qa.contains("自社の質問"), "{qa}");
    let page = supplier.find("body").await.text().await;
    let source = supplier.page_source().await;
    for who in [SUPPLIER_ORG, "東洋印刷", SUPPLIER_PERSON, SUPPLIER] {
        assert!(!page.contains(who), "{who:?} shown to an anonymous visitor");
        assert!(!source.contains(who), "{who:?} in the page's source");
    }
    // The 仕様書 is listed, but downloading needs an account.
    supplier
        .wait_for_text("[data-test=attachment]", SPEC_SHA256)
        .await;
    assert!(
        supplier
            .try_find("[data-test=attachment] a[download]")
            .await
            .is_none()
    );
    supplier
        .wait_for_text("#attachments", "資料のダウンロードにはログインが必要です")
        .await;
    assert!(supplier.try_find("[data-test=apply]").await.is_none());
    assert!(supplier.try_find("#question").await.is_none());

    // ----- 5. The supplier signs in from the tender page and applies. -----
    supplier.follow("#application a[href^='/login']").await;
    supplier.wait_for_url(|u| u.contains("/login?next=")).await;
    supplier
        .fill(&[("#email", SUPPLIER), ("#password", PASSWORD)])
        .await;
    supplier.submit("[data-test=login-submit]").await;
    supplier.wait_for_url(|u| u == tender_url).await;
    supplier
        .wait_for_text("[data-test=apply]", "この案件に参加申請する")
        .await;
    supplier.submit("[data-test=apply]").await;
    supplier.wait_for_url(|u| u.ends_with("#application")).await;
    supplier
        .wait_for_text("[data-test=my-application]", "審査中")
        .await;
    assert!(supplier.try_find("[data-test=apply]").await.is_none());
    assert!(supplier.try_find("[data-test=apply-error]").await.is_none());

    // The buyer accepts (指名).
    buyer.refresh().await;
    let application = buyer
        .wait_for_text("[data-test=application]", SUPPLIER_ORG)
        .await
        .text()
        .await;
    assert!(application.contains("参加申請"), "{application}");
    assert!(application.contains("審査中"), "{application}");
    buyer
        .submit("[data-test=application] [data-test=accept]")
        .await;
    buyer.wait_for_url(|u| u.ends_with("#applications")).await;
    buyer
        .wait_for_text("[data-test=application] td:nth-child(4)", "指名")
        .await;
    assert!(buyer.try_find("[data-test=accept]").await.is_none());

    // The supplier sees it accepted, on the tender page and in マイ案件,
    // with the notifications (written by the worker, shortly after).
    supplier.refresh().await;
    supplier
        .wait_for_text("[data-test=my-application]", "指名")
        .await;
    supplier.goto(&format!("{base}/my/tenders")).await;
    supplier.wait_for_text("h1", "マイ案件").await;
    let mine = supplier
        .wait_for_text("[data-test=my-tender]", TITLE)
        .await
        .text()
        .await;
    for s in [BUYER_ORG, "公告中", "参加申請：指名", "質問済み"] {
        assert!(mine.contains(s), "{s:?} not in マイ案件: {mine}");
    }
    for event in [
        format!("「{TITLE}」質問に回答がありました。"),
        format!("「{TITLE}」参加申請が承認されました（指名）。"),
    ] {
        refresh_until(&supplier, "[data-test=event]", &event).await;
    }

    eprintln!(
        "tender journey: {:.1} s (two Chromiums, one server)",
        started.elapsed().as_secs_f64()
    );
}

/// An approved buyer organisation (the office approves it) and a supplier
/// whose complete profile is in Tokyo, through the JSON API.
async fn cast(server: &Server) {
    approved_buyer(
        server,
        ADMIN,
        BUYER,
        "契約 花子",
        BUYER_ORG,
        "カクウシヤクショ",
    )
    .await;
    supplier_with_profile(
        server,
        SUPPLIER,
        SUPPLIER_PERSON,
        SUPPLIER_ORG,
        "トウヨウインサツ",
        "7000012050002",
    )
    .await;
}

/// Signs in through the login form; ends on the account page.
async fn sign_in(b: &Browser, base: &str, email: &str) {
    b.goto(&format!("{base}/login")).await;
    b.fill(&[("#email", email), ("#password", PASSWORD)]).await;
    b.submit("[data-test=login-submit]").await;
    b.wait_for_url(|u| u == format!("{base}/account")).await;
    b.wait_for_text("[data-test=account-email]", email).await;
}

/// Sets a `datetime-local` input to `value` ("2027-04-01T17:00"), as its
/// picker would. (Typed keys depend on the browser's locale: "年/月/日 時:分"
/// in Japanese; the value a picker gives does not.)
async fn set_datetime_local(b: &Browser, css: &str, value: &str) {
    let el = b.find(css).await;
    assert_eq!(el.attr("type").await.as_deref(), Some("datetime-local"));
    let set = b
        .execute(
            "const [el, v] = arguments;
             el.focus();
             el.value = v;
             el.dispatchEvent(new Event('input', { bubbles: true }));
             el.dispatchEvent(new Event('change', { bubbles: true }));
             return el.value;",
            &[el.as_arg(), json!(value)],
        )
        .await;
    assert_eq!(set, json!(value), "{css} refused {value:?}");
}

/// The terms and descriptions of a `<dl>` matching `css`, as shown.
async fn facts(b: &Browser, css: &str) -> Vec<(String, String)> {
    let dl = b.find(css).await;
    let pairs = b
        .execute(
            "return [...arguments[0].querySelectorAll('dt')]
                 .map(dt => [dt.innerText.trim(), dt.nextElementSibling.innerText.trim()]);",
            &[dl.as_arg()],
        )
        .await;
    serde_json::from_value(pairs).unwrap_or_else(|e| panic!("the facts of {css}: {e}"))
}

/// "2027年4月1日", as the pages write a date.
fn japanese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// Reloads the page until an element matching `css` shows `text` (for what
/// the job worker writes shortly after a request), for at most 10 s.
async fn refresh_until(b: &Browser, css: &str, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        for el in b.find_all(css).await {
            if el.text().await.contains(text) {
                return;
            }
        }
        if Instant::now() >= deadline {
            // Fails naming the selector, the page and a screenshot.
            b.wait_for_text(css, text).await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        b.refresh().await;
    }
}
