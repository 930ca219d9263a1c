//! Journeys: what visitors, suppliers, buyers and the platform office do,
//! in a real browser, against `musubi serve`.

use std::time::{Duration, Instant};

use crate::browser::Browser;
use crate::portal::{PASSWORD, Server, create_admin, start};
use crate::support::TestDb;
use crate::web::start_server;

/// The header's language switch.
const LANG_SWITCH: &str = "[data-testid=lang-switch]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn japanese_first_then_english_remembered() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let db = TestDb::sqlite().await;
    let (_server, base) = start_server(&db, &[]);

    // A Japanese visitor gets the Japanese top page.
    browser.goto(&format!("{base}/")).await;
    assert_eq!(browser.html_lang().await, "ja");
    assert!(browser.title().await.contains("結び"));
    browser.wait_for_text(".brand-name", "結び").await;
    assert!(browser.find("main").await.is_displayed().await);

    // The language switch leads to the English page…
    let switch = browser.find(LANG_SWITCH).await;
    assert_eq!(switch.text().await, "English");
    assert_eq!(switch.attr("hreflang").await.as_deref(), Some("en"));
    browser.follow(LANG_SWITCH).await;
    browser.wait_for_url(|u| u.contains("lang=en")).await;
    assert_eq!(browser.html_lang().await, "en");
    browser
        .wait_for_text(".brand-tagline", "electronic bidding")
        .await;
    assert_eq!(
        browser
            .find(".site-header .lang-switch a")
            .await
            .text()
            .await,
        "日本語"
    );

    // …and English stays (the `lang` cookie) on a page opened without `?lang=`.
    browser.goto(&format!("{base}/")).await;
    assert_eq!(browser.current_url().await, format!("{base}/"));
    assert_eq!(browser.html_lang().await, "en");
    browser
        .wait_for_text(".brand-tagline", "electronic bidding")
        .await;
    browser.refresh().await;
    assert_eq!(browser.html_lang().await, "en");
}

const CAPABILITIES: &str = "精密部品の切削加工と組立。";

/// A supplier registers, confirms the address from the mail, signs in,
/// registers the company, fills its profile (after a first attempt with
/// errors), and finds it in the directory, in Japanese and then in English.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supplier_registers_company_and_is_found_in_directory() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let db = TestDb::sqlite().await;
    let server = start(&db);
    let base = server.base.as_str();
    let email = "yamada@seiki.example.jp";

    register_verify_and_sign_in(&b, &server, email, "山田 太郎").await;

    // The organisation: a supplier, its reading typed in hiragana.
    b.goto(&format!("{base}/organizations/new")).await;
    b.wait_for_text("h1", "組織の登録").await;
    b.fill(&[
        ("input[name=kind][value=supplier]", "on"),
        ("#name", "株式会社結び精機"),
        ("#name_kana", "むすびせいき"),
        ("#corporate_number", "4011001098993"),
    ])
    .await;
    b.submit("[data-test=org-submit]").await;
    let edit_url = b
        .wait_for_url(|u| u.starts_with(&format!("{base}/companies/")) && u.ends_with("/edit"))
        .await;
    let id: i64 = edit_url[base.len() + "/companies/".len()..edit_url.len() - "/edit".len()]
        .parse()
        .unwrap_or_else(|_| panic!("no organisation id in {edit_url}"));
    b.wait_for_text("h1", "企業情報の編集").await;
    b.wait_for_text("h1", "株式会社結び精機").await;

    // Saved empty: the server answers with every field's error in Japanese
    // (the form is `novalidate`, so the browser's own bubbles, in the
    // browser's language, never stand in for them).
    b.submit("[data-test=profile-submit]").await;
    b.wait_for_text(".form-errors", "入力内容をご確認ください")
        .await;
    assert_eq!(b.current_url().await, edit_url);
    assert_eq!(
        b.find("#representative + .field-error").await.text().await,
        "代表者を入力してください。"
    );
    assert!(
        b.find_all(".field-error").await.len() >= 4,
        "every missing field is reported"
    );

    // 代表者 and 所在地 only blanks (ideographic spaces pass the browser's
    // check), no 都道府県: the server answers with field errors in Japanese
    // and keeps what was typed.
    b.fill(&[
        ("#representative", "\u{3000}"),
        ("#address_line", "\u{3000}\u{3000}"),
        ("#jsic", "E, 2691"),
        ("#capabilities", CAPABILITIES),
        ("input[name=certification][value=iso9001]", "on"),
        ("select[name=grade_goods]", "C"),
        ("#employees", "25"),
    ])
    .await;
    b.submit("[data-test=profile-submit]").await;
    b.wait_for_text(".form-errors", "入力内容をご確認ください")
        .await;
    assert_eq!(b.current_url().await, edit_url);
    for (field, message) in [
        ("#representative", "代表者を入力してください。"),
        ("#prefecture", "都道府県を選択してください。"),
        ("#address_line", "所在地（町名・番地）を入力してください。"),
    ] {
        let shown = b
            .find(&format!("{field} + .field-error"))
            .await
            .text()
            .await;
        assert_eq!(shown, message, "the error under {field}");
    }
    assert_eq!(b.find_all(".field-error").await.len(), 3);
    assert_eq!(b.find("#prefecture").await.value().await, "");
    assert_eq!(b.find("#jsic").await.value().await, "E, 2691");
    assert_eq!(b.find("#capabilities").await.value().await, CAPABILITIES);
    assert_eq!(
        b.find("input[name=certification][value=iso9001]")
            .await
            .prop("checked")
            .await,
        true
    );
    assert_eq!(b.find("select[name=grade_goods]").await.value().await, "C");
    assert_eq!(b.find("#employees").await.value().await, "25");

    // Completed.
    b.fill(&[
        ("#representative", "代表取締役 山田 太郎"),
        ("#prefecture", "13"),
        ("#address_line", "千代田区神田1-2-3"),
    ])
    .await;
    b.submit("[data-test=profile-submit]").await;

    // The public profile.
    b.wait_for_url(|u| u == format!("{base}/companies/{id}"))
        .await;
    b.wait_for_text("[data-test=company-name]", "株式会社結び精機")
        .await;
    let profile = b.find("main").await.text().await;
    for shown in [
        "ムスビセイキ", // the hiragana reading, stored in katakana
        "4011001098993",
        "代表取締役 山田 太郎",
        "東京都 千代田区神田1-2-3",
        "E, 2691",
        "ISO 9001",
        "物品: C",
        "25名",
    ] {
        assert!(
            profile.contains(shown),
            "{shown:?} not on the profile: {profile}"
        );
    }

    // The directory, filtered by URL…
    b.goto(&format!("{base}/companies?prefecture=13&jsic=E"))
        .await;
    b.wait_for_text(".company-card", "株式会社結び精機").await;
    assert_eq!(b.find("[data-test=total]").await.text().await, "該当 1 件");

    // …and through its filter form, whose state is in the GET URL.
    b.goto(&format!("{base}/companies")).await;
    b.wait_for_text("h1", "登録企業一覧").await;
    b.fill(&[("form.filter-form #prefecture", "13")]).await;
    b.submit("form.filter-form button[type=submit]").await;
    let url = b.wait_for_url(|u| u.contains("prefecture=13")).await;
    assert!(url.starts_with(&format!("{base}/companies?")), "{url}");
    b.wait_for_text(".company-card", "株式会社結び精機").await;
    assert_eq!(b.find("#prefecture").await.value().await, "13");
    assert_eq!(b.find("[data-test=total]").await.text().await, "該当 1 件");

    // In English, with the same filter.
    b.follow(LANG_SWITCH).await;
    b.wait_for_url(|u| u.contains("lang=en") && u.contains("prefecture=13"))
        .await;
    assert_eq!(b.html_lang().await, "en");
    b.wait_for_text("h1", "Company directory").await;
    assert_eq!(b.find("#prefecture").await.value().await, "13");
    let card = b.wait_for_text(".company-card", "株式会社結び精機").await;
    assert!(card.text().await.contains("Tokyo"));
    assert!(
        b.find("[data-test=total]")
            .await
            .text()
            .await
            .starts_with("1 "),
    );
    assert_eq!(b.find(LANG_SWITCH).await.text().await, "日本語");
}

/// A buyer registers a public corporation, which waits for approval; the
/// platform office approves it from the administration page (in a browser of
/// its own); the buyer sees it approved and gets the mail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buyer_organisation_is_approved_by_the_platform_office() {
    let db = TestDb::sqlite().await;
    let admin_email = "office@musubi.example.jp";
    // The office's account is made (by a process of its own) and the server
    // started while the two Chromiums start.
    let (buyer, office, server) = tokio::join!(Browser::start(), Browser::start(), async {
        create_admin(&db, admin_email);
        start(&db)
    });
    let (Some(buyer), Some(office)) = (buyer, office) else {
        return;
    };
    let base = server.base.as_str();
    let email = "keiyaku@bigsight.example.jp";

    register_verify_and_sign_in(&buyer, &server, email, "鈴木 花子").await;

    buyer.goto(&format!("{base}/organizations/new")).await;
    buyer.wait_for_text("h1", "組織の登録").await;
    buyer
        .fill(&[
            ("input[name=kind][value=public_corporation]", "on"),
            ("#name", "株式会社東京ビッグサイト"),
            ("#name_kana", "トウキョウビッグサイト"),
        ])
        .await;
    buyer.submit("[data-test=org-submit]").await;
    let org_url = buyer
        .wait_for_url(|u| u.starts_with(&format!("{base}/organizations/")))
        .await;
    assert!(
        org_url[base.len() + "/organizations/".len()..]
            .parse::<i64>()
            .is_ok(),
        "{org_url}"
    );
    buyer.wait_for_text("h1", "株式会社東京ビッグサイト").await;
    buyer
        .wait_for_text("[data-test=approval]", "承認待ち")
        .await;
    let facts = buyer.find("dl.facts").await.text().await;
    assert!(facts.contains("発注機関（公社・外郭団体等）"), "{facts}");
    assert!(facts.contains("トウキョウビッグサイト"), "{facts}");
    assert!(!facts.contains("法人番号"), "{facts}");

    // The office signs in on the way to the administration page.
    office.goto(&format!("{base}/admin")).await;
    office.wait_for_url(|u| u.contains("/login?next=")).await;
    office
        .fill(&[("#email", admin_email), ("#password", PASSWORD)])
        .await;
    office.submit("[data-test=login-submit]").await;
    office.wait_for_url(|u| u == format!("{base}/admin")).await;
    office.wait_for_text("h1", "管理画面").await;
    let pending = office
        .wait_for_text("[data-test=pending-org]", "株式会社東京ビッグサイト")
        .await;
    assert!(
        pending
            .text()
            .await
            .contains("発注機関（公社・外郭団体等）"),
        "{}",
        pending.text().await
    );
    assert_eq!(office.find_all("[data-test=pending-org]").await.len(), 1);
    office
        .submit("[data-test=pending-org] [data-test=approve]")
        .await;
    office.wait_for_url(|u| u == format!("{base}/admin")).await;
    office
        .wait_for_text("main", "承認待ちの発注機関はありません")
        .await;
    assert!(office.try_find("[data-test=pending-org]").await.is_none());

    // The buyer sees it approved…
    buyer.refresh().await;
    buyer
        .wait_for_text("[data-test=approval]", "承認済み")
        .await;

    // …and has the mail, in the development mailbox.
    let body = open_mail(&buyer, &server, email, "承認のお知らせ").await;
    assert!(body.contains("株式会社東京ビッグサイト"), "{body}");
    assert!(body.contains("承認しました"), "{body}");

    // The buyer signs out from the account page.
    buyer.goto(&format!("{base}/account")).await;
    buyer.submit("[data-test=logout]").await;
    buyer.wait_for_url(|u| u == format!("{base}/")).await;
    buyer.find("[data-test=nav-login]").await;
    assert!(buyer.try_find("[data-test=nav-account]").await.is_none());
}

/// From the top page: registers through the header's link, confirms the
/// address with the link in the mail (read in the development mailbox) and
/// signs in through the login form. Ends on the account page.
async fn register_verify_and_sign_in(b: &Browser, server: &Server, email: &str, name: &str) {
    let base = server.base.as_str();
    b.goto(&format!("{base}/")).await;
    b.follow("[data-test=nav-register]").await;
    b.wait_for_url(|u| u == format!("{base}/register")).await;
    b.wait_for_text("h1", "利用者登録").await;
    b.fill(&[
        ("#email", email),
        ("#password", PASSWORD),
        ("#display_name", name),
    ])
    .await;
    b.submit("[data-test=register-submit]").await;
    b.wait_for_text("h1", "確認メールを送信しました").await;
    b.wait_for_text(".notice", "メールに記載のリンクを開き")
        .await;

    let body = open_mail(b, server, email, "メールアドレスの確認").await;
    let at = body
        .find(&format!("{base}/verify-email?token="))
        .unwrap_or_else(|| panic!("no verification link to {base} in the mail: {body}"));
    let link: String = body[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    b.goto(&link).await;
    b.wait_for_text("h1", "メールアドレスを確認しました").await;

    b.follow("main a[href='/login']").await;
    b.wait_for_url(|u| u.starts_with(&format!("{base}/login")))
        .await;
    b.fill(&[("#email", email), ("#password", PASSWORD)]).await;
    b.submit("[data-test=login-submit]").await;
    b.wait_for_url(|u| u == format!("{base}/account")).await;
    b.wait_for_text("[data-test=account-email]", email).await;
    b.wait_for_text("[data-test=nav-account]", name).await;
}

/// Opens the development mailbox until it lists a mail to `to` whose subject
/// contains `subject` (the worker sends it shortly after the request), opens
/// that mail and returns its body.
async fn open_mail(b: &Browser, server: &Server, to: &str, subject: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    b.goto(&format!("{}/dev/mailbox", server.base)).await;
    let n = loop {
        b.wait_for_text("h1", "開発用メールボックス").await;
        let mut found = None;
        for (i, card) in b
            .find_all(".dev-mailbox > li.card")
            .await
            .iter()
            .enumerate()
        {
            let text = card.text().await;
            if text.contains(to) && text.contains(subject) {
                found = Some(i + 1);
                break;
            }
        }
        if let Some(n) = found {
            break n;
        }
        assert!(
            Instant::now() < deadline,
            "no mail to {to} about {subject:?} in the development mailbox; \
             the server log:\n{}",
            std::fs::read_to_string(&server.log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        b.refresh().await;
    };
    b.follow(&format!(".dev-mailbox > li.card:nth-child({n}) h2 a"))
        .await;
    b.wait_for_text("#mail-subject", subject).await;
    b.find(".mail-body").await.text().await
}
