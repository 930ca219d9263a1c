//! Languages: Japanese (default) and English.
//!
//! The language of a request is chosen by, in order:
//! 1. the `?lang=ja|en` query parameter (which also sets the `lang` cookie,
//!    see [`crate::middleware::remember_lang`]),
//! 2. the `lang` cookie,
//! 3. the `Accept-Language` header (q-values honoured; only `ja` and `en`
//!    are offered),
//! 4. Japanese.
//!
//! All user-visible text lives in the typed catalogue [`Texts`]: a missing
//! translation is a compile error, and there are no runtime files.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::response::{IntoResponseParts, ResponseParts};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, StatusCode, Uri, header};

/// Name of the query parameter and of the cookie.
pub const LANG_PARAM: &str = "lang";

/// How long the language cookie lives: one year.
const COOKIE_MAX_AGE_SECS: u32 = 365 * 24 * 60 * 60;

/// A language the site is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    /// BCP 47 code, as used in `<html lang>`, the query and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// Parses an exact code (`ja`/`en`, case-insensitive).
    pub fn parse(s: &str) -> Option<Lang> {
        if s.eq_ignore_ascii_case("ja") {
            Some(Lang::Ja)
        } else if s.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The other language (for the language switch).
    pub fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }

    /// The message catalogue for this language.
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Ja => &JA,
            Lang::En => &EN,
        }
    }

    /// Picks the language for a request (query > cookie > Accept-Language > ja).
    pub fn negotiate(uri: &Uri, headers: &HeaderMap) -> Lang {
        Lang::from_query(uri.query())
            .or_else(|| Lang::from_cookies(headers))
            .or_else(|| {
                headers
                    .get_all(header::ACCEPT_LANGUAGE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .find_map(Lang::from_accept_language)
            })
            .unwrap_or_default()
    }

    /// The valid `lang` parameter of a query string, if any (the last one wins).
    pub fn from_query(query: Option<&str>) -> Option<Lang> {
        query?
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .filter(|(k, _)| *k == LANG_PARAM)
            .filter_map(|(_, v)| Lang::parse(v))
            .next_back()
    }

    /// The valid `lang` cookie, if any.
    pub fn from_cookies(headers: &HeaderMap) -> Option<Lang> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .filter(|(k, _)| *k == LANG_PARAM)
            .find_map(|(_, v)| Lang::parse(v.trim_matches('"')))
    }

    /// The best of ja/en for an `Accept-Language` value, or `None` if it
    /// accepts neither. Higher q wins; on equal q the earlier entry wins.
    /// `*` counts as Japanese (the default).
    pub fn from_accept_language(value: &str) -> Option<Lang> {
        let mut best: Option<(Lang, u16)> = None;
        for item in value.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let primary = tag.split(['-', '_']).next().unwrap_or("");
            let lang = if primary == "*" {
                Lang::Ja
            } else if let Some(lang) = Lang::parse(primary) {
                lang
            } else {
                continue;
            };
            let mut q = 1000;
            for param in parts {
                if let Some((k, v)) = param.split_once('=')
                    && k.trim().eq_ignore_ascii_case("q")
                {
                    match parse_qvalue(v.trim()) {
                        Some(parsed) => q = parsed,
                        None => q = 0, // malformed: ignore the entry
                    }
                }
            }
            if q == 0 {
                continue;
            }
            if best.is_none_or(|(_, best_q)| q > best_q) {
                best = Some((lang, q));
            }
        }
        best.map(|(lang, _)| lang)
    }
}

/// Parses an RFC 9110 qvalue into thousandths ("0.8" → 800).
fn parse_qvalue(s: &str) -> Option<u16> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int = match int {
        "0" => 0,
        "1" => 1,
        _ => return None,
    };
    let mut thousandths: u16 = 0;
    for (i, b) in frac.bytes().enumerate() {
        thousandths += u16::from(b - b'0') * [100, 10, 1][i];
    }
    let q = int * 1000 + thousandths;
    (q <= 1000).then_some(q)
}

/// `Lang` as an extractor: never fails.
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(lang) = parts.extensions.get::<Lang>() {
            return Ok(*lang);
        }
        Ok(Lang::negotiate(&parts.uri, &parts.headers))
    }
}

/// Response part that remembers a language in the `lang` cookie.
///
/// Requests with `?lang=` get it automatically (see
/// [`crate::middleware::remember_lang`]); a handler can also return it, e.g.
/// `(SetLangCookie::new(Lang::En, secure), Html(page))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetLangCookie {
    pub lang: Lang,
    pub secure: bool,
}

impl SetLangCookie {
    pub fn new(lang: Lang, secure: bool) -> Self {
        SetLangCookie { lang, secure }
    }

    /// The `Set-Cookie` header value.
    pub fn header_value(&self) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let cookie = format!(
            "{LANG_PARAM}={}; Path=/; Max-Age={COOKIE_MAX_AGE_SECS}; SameSite=Lax; HttpOnly{secure}",
            self.lang.code()
        );
        HeaderValue::try_from(cookie).expect("cookie is ASCII")
    }
}

impl IntoResponseParts for SetLangCookie {
    type Error = Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        res.headers_mut()
            .append(header::SET_COOKIE, self.header_value());
        Ok(res)
    }
}

/// Path and query of `uri` with `lang` set to `lang` (other parameters kept):
/// the target of the language switch.
pub fn switch_href(uri: &Uri, lang: Lang) -> String {
    let mut href = String::from(uri.path());
    href.push('?');
    if let Some(query) = uri.query() {
        for pair in query.split('&') {
            let key = pair.split_once('=').map_or(pair, |(k, _)| k);
            if pair.is_empty() || key == LANG_PARAM {
                continue;
            }
            href.push_str(pair);
            href.push('&');
        }
    }
    href.push_str(LANG_PARAM);
    href.push('=');
    href.push_str(lang.code());
    href
}

/// A heading and a paragraph.
#[derive(Debug)]
pub struct Item {
    pub title: &'static str,
    pub body: &'static str,
}

/// Every user-visible string of the site, in one language.
#[derive(Debug)]
pub struct Texts {
    pub lang: Lang,
    // --- layout ------------------------------------------------------------
    pub site_name: &'static str,
    pub tagline: &'static str,
    pub skip_to_content: &'static str,
    pub nav_label: &'static str,
    pub nav_home: &'static str,
    pub nav_services: &'static str,
    pub nav_guide: &'static str,
    pub nav_notices: &'static str,
    /// Name of the *other* language, written in that language.
    pub switch_label: &'static str,
    /// Accessible description of the switch link, in this language.
    pub switch_title: &'static str,
    /// Label before the language switch in the footer, with its colon.
    pub language_label: &'static str,
    pub demo_banner: &'static str,
    pub footer_operator: &'static str,
    pub footer_copyright: &'static str,

    // --- top page ------------------------------------------------------------
    pub home_title: &'static str,
    pub home_heading: &'static str,
    pub home_lead: &'static [&'static str],
    pub home_preparing_heading: &'static str,
    pub home_preparing: &'static str,
    pub services_heading: &'static str,
    pub services: &'static [Item],
    pub flow_heading: &'static str,
    pub flow: &'static [Item],
    pub guide_heading: &'static str,
    pub guide: &'static [Item],
    pub notices_heading: &'static str,
    pub notices_empty: &'static str,

    // --- error page ------------------------------------------------------------
    pub error_code_label: &'static str,
    pub error_request_id_label: &'static str,
    pub error_request_id_hint: &'static str,
    pub error_back_home: &'static str,
    pub dev_mailbox: &'static crate::handlers::dev_mailbox::DevMailboxTexts,
}

impl Texts {
    /// Heading of the error page for `status`.
    pub fn status_title(&self, status: StatusCode) -> &'static str {
        match (status.as_u16(), self.lang == Lang::Ja) {
            (400, true) => "リクエストの内容に誤りがあります",
            (400, false) => "Bad request",
            (404, true) => "ページが見つかりません",
            (404, false) => "Page not found",
            (405, true) => "この操作は利用できません",
            (405, false) => "Method not allowed",
            (408, true) | (504, true) => "処理がタイムアウトしました",
            (408, false) | (504, false) => "The request timed out",
            (409, true) => "処理が競合しました",
            (409, false) => "Conflict",
            (413, true) => "送信データが大きすぎます",
            (413, false) => "Request too large",
            (503, true) => "ただいまご利用いただけません",
            (503, false) => "Service unavailable",
            (500..=599, true) => "システムエラーが発生しました",
            (500..=599, false) => "System error",
            (_, true) => "エラーが発生しました",
            (_, false) => "An error occurred",
        }
    }
}

pub static JA: Texts = Texts {
    lang: Lang::Ja,
    site_name: "結び Musubi",
    tagline: "受発注マッチング・電子入札ポータル",
    skip_to_content: "本文へスキップ",
    nav_label: "メインメニュー",
    nav_home: "トップページ",
    nav_services: "サービス概要",
    nav_guide: "ご利用案内",
    nav_notices: "お知らせ",
    switch_label: "English",
    switch_title: "英語のページに切り替えます",
    language_label: "言語：",
    demo_banner: "このサイトはデモ環境です。掲載されている情報は実在の案件ではありません。",
    footer_operator: "運営：結び（Musubi）運営事務局",
    footer_copyright: "© Musubi",

    home_title: "トップページ",
    home_heading: "発注機関と全国の中小企業を結ぶ受発注ポータル",
    home_lead: &[
        "結び（Musubi）は、国・地方公共団体等の発注機関や民間企業が公開する調達案件の情報を集約し、全国の中小企業との受発注を結びつけるポータルサイトです。",
        "案件情報の検索・閲覧から、電子入札・見積書の提出、開札結果の確認までを、一つのサイトで行うことができます。",
    ],
    home_preparing_heading: "公開準備中のお知らせ",
    home_preparing: "本サイトは現在、公開に向けた準備を進めております。案件情報の検索・閲覧、利用者登録、質問・参加申請はご利用いただけます。電子入札等のその他の機能は、準備が整い次第、順次公開いたします。",
    services_heading: "主なサービス",
    services: &[
        Item {
            title: "案件情報の検索・閲覧",
            body: "発注機関が公告した入札案件、見積依頼等の案件情報を、業種・地域・入札方式・公告日などの条件で検索し、仕様書等の関係資料とあわせて閲覧できます。",
        },
        Item {
            title: "電子入札・見積（封かん入札）",
            body: "入札書・見積書をオンラインで提出できます。提出された入札書は開札日時まで封かんされ、発注機関を含め、誰も内容を確認することはできません。開札後は、公表された開札結果が提出時の内容と一致していることを、入札参加者ご自身で検証できます。",
        },
        Item {
            title: "企業と発注機関のマッチング",
            body: "登録企業の業種、所在地、実績、保有資格などの情報をもとに、発注機関と全国の中小企業、また企業同士の受発注の機会を結びつけます。",
        },
        Item {
            title: "商談会",
            body: "発注機関・企業が参加する商談会（会場開催・オンライン開催）の開催案内を掲載し、参加のお申込みを受け付けます。",
        },
        Item {
            title: "オープンデータ",
            body: "公告済みの案件情報および開札結果を、機械判読に適した形式（CSV・JSON）のオープンデータとして公開します。",
        },
    ],
    flow_heading: "ご利用の流れ",
    flow: &[
        Item {
            title: "利用者登録",
            body: "商号、所在地、業種、連絡先等の企業情報を登録します。",
        },
        Item {
            title: "案件の検索",
            body: "条件を指定して案件を探し、公告内容と関係資料を確認します。",
        },
        Item {
            title: "入札書・見積書の提出",
            body: "締切日時までに、入札書・見積書を電子的に提出します。",
        },
        Item {
            title: "開札・結果の確認",
            body: "開札後に落札者等の結果を確認し、ご自身の入札内容が正しく取り扱われたことを検証できます。",
        },
    ],
    guide_heading: "ご利用案内",
    guide: &[
        Item {
            title: "受注を希望する企業の方",
            body: "全国の中小企業・個人事業主の皆様が、官公需・民需の案件を探し、入札・見積に参加できます。",
        },
        Item {
            title: "発注機関の方",
            body: "国・地方公共団体・公社等の発注機関および民間企業の皆様が、案件を公告し、電子入札・見積を実施できます。",
        },
    ],
    notices_heading: "お知らせ",
    notices_empty: "現在、お知らせはありません。",

    error_code_label: "エラーコード",
    error_request_id_label: "お問い合わせ番号",
    error_request_id_hint: "お問い合わせの際は、この番号をお知らせください。",
    error_back_home: "トップページへ戻る",
    dev_mailbox: &crate::handlers::dev_mailbox::JA,
};

pub static EN: Texts = Texts {
    lang: Lang::En,
    site_name: "結び Musubi",
    tagline: "B2B order matching and electronic bidding portal",
    skip_to_content: "Skip to main content",
    nav_label: "Main menu",
    nav_home: "Home",
    nav_services: "Services",
    nav_guide: "Who it is for",
    nav_notices: "Announcements",
    switch_label: "日本語",
    switch_title: "Switch to the Japanese page",
    language_label: "Language:",
    demo_banner: "This is a demonstration site. The information shown does not describe real opportunities.",
    footer_operator: "Operated by the Musubi secretariat",
    footer_copyright: "© Musubi",

    home_title: "Home",
    home_heading: "Connecting procuring entities with small and medium-sized enterprises across Japan",
    home_lead: &[
        "Musubi brings together the procurement opportunities published by national and local government bodies and by private companies, and connects them with small and medium-sized enterprises across Japan.",
        "From finding and reading opportunities to submitting electronic bids and quotations and checking the results of bid openings, everything happens on one site.",
    ],
    home_preparing_heading: "This site is being prepared",
    home_preparing: "We are preparing this site for launch. Searching and reading tenders, registration, questions and applications are open; electronic bidding and the other services will open one by one as they become ready.",
    services_heading: "Services",
    services: &[
        Item {
            title: "Searching and reading opportunities",
            body: "Search the tenders, requests for quotation and other opportunities published by procuring entities by industry, region, procurement method or publication date, and read them together with their specifications and related documents.",
        },
        Item {
            title: "Electronic bids and quotations (sealed bids)",
            body: "Submit bids and quotations online. Submitted bids stay sealed until the opening date and time: nobody, including the procuring entity, can read them before then. After the opening, every bidder can verify for themselves that the published results match what was submitted.",
        },
        Item {
            title: "Matching companies and procuring entities",
            body: "Based on the industries, locations, track records and qualifications of registered companies, Musubi connects procuring entities with small and medium-sized enterprises across Japan, and companies with one another.",
        },
        Item {
            title: "Business meetings",
            body: "Announcements of business meetings with procuring entities and companies, held on site or online, and registration to take part.",
        },
        Item {
            title: "Open data",
            body: "Published opportunities and bid opening results are released as open data in machine-readable formats (CSV and JSON).",
        },
    ],
    flow_heading: "How it works",
    flow: &[
        Item {
            title: "Registration",
            body: "Register your company: trade name, address, industry and contact details.",
        },
        Item {
            title: "Finding opportunities",
            body: "Search with your own conditions and read the notice and its documents.",
        },
        Item {
            title: "Submitting bids and quotations",
            body: "Submit your bid or quotation electronically before the deadline.",
        },
        Item {
            title: "Opening and results",
            body: "After the opening, check the results, including the winning bidder, and verify that your own bid was handled correctly.",
        },
    ],
    guide_heading: "Who it is for",
    guide: &[
        Item {
            title: "Companies seeking orders",
            body: "Small and medium-sized enterprises and sole proprietors across Japan can find public- and private-sector opportunities and take part in bidding and quotations.",
        },
        Item {
            title: "Procuring entities",
            body: "National and local government bodies, public corporations and private companies can publish opportunities and run electronic bidding and quotations.",
        },
    ],
    notices_heading: "Announcements",
    notices_empty: "There are no announcements at present.",

    error_code_label: "Error code",
    error_request_id_label: "Reference number",
    error_request_id_hint: "Please quote this number if you contact us.",
    error_back_home: "Back to the top page",
    dev_mailbox: &crate::handlers::dev_mailbox::EN,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn negotiate(uri: &str, cookie: Option<&str>, accept: Option<&str>) -> Lang {
        let uri: Uri = uri.parse().unwrap();
        let mut headers = HeaderMap::new();
        if let Some(c) = cookie {
            headers.insert(header::COOKIE, c.parse().unwrap());
        }
        if let Some(a) = accept {
            headers.insert(header::ACCEPT_LANGUAGE, a.parse().unwrap());
        }
        Lang::negotiate(&uri, &headers)
    }

    #[test]
    fn default_is_japanese() {
        assert_eq!(negotiate("/", None, None), Lang::Ja);
        assert_eq!(
            negotiate("/?lang=fr", Some("lang=de"), Some("fr")),
            Lang::Ja
        );
    }

    #[test]
    fn query_beats_cookie_beats_accept_language() {
        assert_eq!(
            negotiate("/?lang=en", Some("lang=ja"), Some("ja")),
            Lang::En
        );
        assert_eq!(
            negotiate("/?lang=ja", Some("lang=en"), Some("en")),
            Lang::Ja
        );
        assert_eq!(negotiate("/", Some("lang=en"), Some("ja")), Lang::En);
        assert_eq!(negotiate("/", Some("lang=ja"), Some("en")), Lang::Ja);
        assert_eq!(negotiate("/", None, Some("en-US,en;q=0.9")), Lang::En);
        // An invalid value at one level falls through to the next.
        assert_eq!(negotiate("/?lang=xx", Some("lang=en"), None), Lang::En);
        assert_eq!(negotiate("/", Some("lang=xx"), Some("en")), Lang::En);
    }

    #[test]
    fn query_parsing() {
        assert_eq!(Lang::from_query(Some("a=1&lang=EN&b=2")), Some(Lang::En));
        assert_eq!(Lang::from_query(Some("lang=ja&lang=en")), Some(Lang::En));
        assert_eq!(Lang::from_query(Some("xlang=en")), None);
        assert_eq!(Lang::from_query(Some("lang")), None);
        assert_eq!(Lang::from_query(None), None);
    }

    #[test]
    fn cookie_parsing() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "a=b; lang=en; c=d".parse().unwrap());
        assert_eq!(Lang::from_cookies(&headers), Some(Lang::En));
        headers.insert(header::COOKIE, "session=lang=en".parse().unwrap());
        assert_eq!(Lang::from_cookies(&headers), None);
    }

    #[test]
    fn accept_language_q_values() {
        let al = Lang::from_accept_language;
        assert_eq!(al("en"), Some(Lang::En));
        assert_eq!(al("ja-JP"), Some(Lang::Ja));
        assert_eq!(al("en;q=0.5, ja;q=0.8"), Some(Lang::Ja));
        assert_eq!(al("ja;q=0.3, en;q=0.8"), Some(Lang::En));
        assert_eq!(al("EN-gb;Q=0.9, ja;q=0.1"), Some(Lang::En));
        // Equal q: the first one listed wins.
        assert_eq!(al("en, ja"), Some(Lang::En));
        assert_eq!(al("ja, en"), Some(Lang::Ja));
        // Unsupported languages are skipped; q=0 means "not acceptable".
        assert_eq!(al("fr, de;q=0.9, en;q=0.1"), Some(Lang::En));
        assert_eq!(al("en;q=0, fr"), None);
        assert_eq!(al("fr, de"), None);
        assert_eq!(al("*"), Some(Lang::Ja));
        assert_eq!(al(""), None);
        // Malformed q-values make the entry unacceptable.
        assert_eq!(al("en;q=2, ja;q=0.1"), Some(Lang::Ja));
        assert_eq!(al("en;q=abc"), None);
        assert_eq!(al("en;q=1.000"), Some(Lang::En));
    }

    #[test]
    fn qvalues() {
        assert_eq!(parse_qvalue("1"), Some(1000));
        assert_eq!(parse_qvalue("0.8"), Some(800));
        assert_eq!(parse_qvalue("0.125"), Some(125));
        assert_eq!(parse_qvalue("0."), Some(0));
        assert_eq!(parse_qvalue("1.001"), None);
        assert_eq!(parse_qvalue("0.1234"), None);
        assert_eq!(parse_qvalue("-1"), None);
    }

    #[test]
    fn cookie_header() {
        let v = SetLangCookie::new(Lang::En, false).header_value();
        assert_eq!(
            v,
            "lang=en; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly"
        );
        let v = SetLangCookie::new(Lang::Ja, true).header_value();
        assert!(v.to_str().unwrap().ends_with("; HttpOnly; Secure"));
    }

    #[test]
    fn switch_href_keeps_path_and_other_params() {
        let uri: Uri = "/a/b?x=1&lang=ja&y=2".parse().unwrap();
        assert_eq!(switch_href(&uri, Lang::En), "/a/b?x=1&y=2&lang=en");
        let uri: Uri = "/".parse().unwrap();
        assert_eq!(switch_href(&uri, Lang::Ja), "/?lang=ja");
    }

    #[test]
    fn catalogues_are_parallel() {
        assert_eq!(JA.services.len(), EN.services.len());
        assert_eq!(JA.flow.len(), EN.flow.len());
        assert_eq!(JA.guide.len(), EN.guide.len());
        assert_eq!(JA.home_lead.len(), EN.home_lead.len());
    }
}
