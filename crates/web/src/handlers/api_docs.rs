//! The JSON API described as OpenAPI 3.1 (`GET /api/v1/openapi.json`) and
//! as a page for people (`GET /api/docs`), both from one hand-written
//! document built once.
//!
//! Paths, methods and required access come from [`crate::routes::table`];
//! what each operation takes and answers is written here in [`operations`]
//! (the tender routes in `tenders`), keyed by (method, path). A `/api/v1`
//! route without an entry still appears (marked `x-musubi-undocumented`) so
//! the server never fails over it; the tests fail instead.
//!
//! Japanese texts travel in the document as specification extensions
//! (`x-summary-ja`, `x-description-ja`, `x-name-ja`), so the page is
//! rendered from the document alone in either language.

use std::collections::HashMap;
use std::sync::OnceLock;

use askama::Template;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use musubi_domain::{
    Access, Approval, Certification, Grade, GradeCategory, OrgKind, OrgRole, PlatformRole, Region,
};
use serde_json::{Map, Value, json};

use crate::error::AppResult;
use crate::handlers::assets::fnv1a64;
use crate::i18n::Lang;
use crate::routes::{RouteDef, route};
use crate::views::{Chrome, html_page};

mod alerts;
mod awards;
mod bids;
mod coordination;
mod recommendations;
mod search;
mod tenders;
mod transparency;

pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";
pub const DOCS_PATH: &str = "/api/docs";

pub fn routes() -> Vec<RouteDef> {
    vec![
        route(Method::GET, OPENAPI_PATH, Access::Public, get(openapi_json)),
        route(Method::GET, DOCS_PATH, Access::Public, get(docs_page)),
    ]
}

// --- serving ----------------------------------------------------------------

/// The document, its serialisation and validator, built on first use.
pub struct Document {
    pub value: Value,
    pub json: String,
    pub etag: String,
}

/// The OpenAPI document (built once per process).
pub fn document() -> &'static Document {
    static DOC: OnceLock<Document> = OnceLock::new();
    DOC.get_or_init(|| {
        let value = build_document();
        let json = serde_json::to_string_pretty(&value).expect("a JSON value serialises");
        let etag = format!("W/\"{:016x}\"", fnv1a64(json.as_bytes()));
        Document { value, json, etag }
    })
}

/// `GET /api/v1/openapi.json`: ETag and five minutes' caching, like unversioned assets.
async fn openapi_json(headers: HeaderMap) -> Response {
    let doc = document();
    let fresh = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|c| c == "*" || c.trim_start_matches("W/") == doc.etag.trim_start_matches("W/"));
    let mut res = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut res = doc.json.clone().into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        res
    };
    let h = res.headers_mut();
    h.insert(
        header::ETAG,
        HeaderValue::try_from(doc.etag.as_str()).expect("hex is a valid header value"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    res
}

// --- what the document says about each operation ------------------------------

/// One operation beyond its method, path and access (which come from the route table).
struct OpDoc {
    method: Method,
    path: &'static str,
    id: &'static str,
    tag: &'static str,
    summary: (&'static str, &'static str),
    description: Option<(&'static str, &'static str)>,
    /// What `{id}` in the path names (English, Japanese).
    id_means: (&'static str, &'static str),
    /// Names in `components/parameters`.
    query: &'static [&'static str],
    /// Name in `components/schemas`.
    body: Option<&'static str>,
    /// Success: status, schema name (None: no body), description (en, ja).
    ok: (u16, Option<&'static str>, &'static str, &'static str),
    /// Error responses beyond those every operation of its kind gets (names in `components/responses`).
    errors: &'static [&'static str],
    /// The body may be left out.
    optional_body: bool,
    /// The success answer is a file, not JSON.
    file: bool,
}

fn op(
    method: Method,
    path: &'static str,
    id: &'static str,
    tag: &'static str,
    en: &'static str,
    ja: &'static str,
) -> OpDoc {
    OpDoc {
        method,
        path,
        id,
        tag,
        summary: (en, ja),
        description: None,
        id_means: ("The record's numeric id.", "対象の番号（ID）。"),
        query: &[],
        body: None,
        ok: (200, None, "Done.", "処理が完了しました。"),
        errors: &[],
        optional_body: false,
        file: false,
    }
}

impl OpDoc {
    fn describe(mut self, en: &'static str, ja: &'static str) -> Self {
        self.description = Some((en, ja));
        self
    }
    fn id_is(mut self, en: &'static str, ja: &'static str) -> Self {
        self.id_means = (en, ja);
        self
    }
    fn query(mut self, names: &'static [&'static str]) -> Self {
        self.query = names;
        self
    }
    fn body(mut self, schema: &'static str) -> Self {
        self.body = Some(schema);
        self
    }
    fn ok(mut self, status: u16, schema: &'static str, en: &'static str, ja: &'static str) -> Self {
        self.ok = (status, Some(schema), en, ja);
        self
    }
    fn no_content(mut self, en: &'static str, ja: &'static str) -> Self {
        self.ok = (204, None, en, ja);
        self
    }
    fn errors(mut self, names: &'static [&'static str]) -> Self {
        self.errors = names;
        self
    }
    fn optional_body(mut self) -> Self {
        self.optional_body = true;
        self
    }
    fn file_response(mut self, en: &'static str, ja: &'static str) -> Self {
        self.ok = (200, None, en, ja);
        self.file = true;
        self
    }
}

/// Every documented operation of `/api/v1`.
fn operations() -> Vec<OpDoc> {
    use Method as M;
    let mut ops = vec![
        // auth
        op(M::POST, "/api/v1/auth/register", "register", "auth", "Register an account", "利用者登録")
            .describe(
                "Creates an account and sends a mail with a link to confirm the address. The account can sign in once the address is confirmed.",
                "利用者を登録し、メールアドレス確認用のメールを送信します。メールアドレスの確認後にログインできます。",
            )
            .body("Registration")
            .ok(201, "RegistrationResult", "Registered; the confirmation mail is on its way.", "登録を受け付け、確認メールを送信しました。"),
        op(M::POST, "/api/v1/auth/verify", "verifyEmail", "auth", "Confirm an e-mail address", "メールアドレスの確認")
            .describe(
                "Confirms the address with the token from the confirmation mail. An unknown or expired token answers 400 invalid_token.",
                "確認メールに記載のトークンでメールアドレスを確認します。無効または期限切れのトークンの場合は 400 invalid_token を返します。",
            )
            .body("Verification")
            .ok(200, "VerificationResult", "The address is confirmed.", "メールアドレスを確認しました。"),
        op(M::POST, "/api/v1/auth/login", "login", "auth", "Sign in", "ログイン")
            .describe(
                "Signs in with e-mail address and password and sets the session cookie musubi_session. Repeated failures are throttled (429 too_many_attempts).",
                "メールアドレスとパスワードでログインし、セッションCookie（musubi_session）を発行します。失敗が続いた場合は一時的に受け付けません（429 too_many_attempts）。",
            )
            .body("Login")
            .ok(200, "LoginResult", "Signed in; the session cookie is set.", "ログインしました（セッションCookieを発行）。")
            .errors(&["InvalidCredentials", "Forbidden", "TooManyRequests"]),
        op(M::POST, "/api/v1/auth/logout", "logout", "auth", "Sign out", "ログアウト")
            .describe(
                "Ends the session of the session cookie and clears the cookie. With a bearer token it does nothing (revoke the token instead).",
                "セッションCookieのセッションを終了し、Cookieを削除します。APIトークンによる呼出しでは何も行いません（トークンは失効操作で無効にしてください）。",
            )
            .no_content("Signed out.", "ログアウトしました。"),
        // account
        op(M::GET, "/api/v1/me", "getMe", "account", "The signed-in user", "ログイン中の利用者情報の取得")
            .ok(200, "Me", "The caller and their organisation.", "利用者情報と所属組織。"),
        op(M::GET, "/api/v1/tokens", "listTokens", "account", "List your API tokens", "APIトークンの一覧")
            .ok(200, "TokenList", "Your tokens, revoked ones included (never the secret).", "APIトークンの一覧（失効済みを含む。トークン本体は含みません）。"),
        op(M::POST, "/api/v1/tokens", "createToken", "account", "Create an API token", "APIトークンの作成")
            .describe(
                "Creates a personal API token. The token itself is in this answer only: store it safely.",
                "個人用のAPIトークンを作成します。トークン本体はこの応答でのみ返します。安全な場所に保管してください。",
            )
            .body("TokenRequest")
            .ok(201, "TokenCreated", "The new token.", "作成したトークン。"),
        op(M::DELETE, "/api/v1/tokens/{id}", "revokeToken", "account", "Revoke an API token", "APIトークンの失効")
            .id_is("The token's id.", "トークンの番号（ID）。")
            .no_content("Revoked.", "失効させました。"),
        // organizations
        op(M::GET, "/api/v1/organizations", "listOrganizations", "organizations", "List organisations", "組織の一覧")
            .describe("For platform administrators.", "システム管理者向けの機能です。")
            .query(&["approval", "offset", "limit"])
            .ok(200, "OrganizationPage", "One page of organisations.", "組織の一覧（1ページ分）。"),
        op(M::POST, "/api/v1/organizations", "createOrganization", "organizations", "Register an organisation", "組織の登録")
            .describe(
                "Registers the organisation the caller belongs to, with the caller as its administrator. Buyer organisations (public_body, public_corporation) wait for approval by the platform administrators.",
                "利用者が所属する組織を登録し、登録した利用者を組織の管理者とします。発注機関（public_body、public_corporation）はシステム管理者の承認後に利用できます。",
            )
            .body("OrganizationInput")
            .ok(201, "Organization", "The new organisation.", "登録した組織。")
            .errors(&["Conflict"]),
        op(M::GET, "/api/v1/organizations/{id}", "getOrganization", "organizations", "An organisation", "組織情報の取得")
            .describe(
                "Public. Members are listed only to the organisation's own people and to platform administrators.",
                "公開情報です。所属者の一覧は、当該組織の所属者とシステム管理者にのみ返します。",
            )
            .id_is("The organisation's id.", "組織の番号（ID）。")
            .ok(200, "Organization", "The organisation.", "組織情報。"),
        op(M::PATCH, "/api/v1/organizations/{id}", "updateOrganization", "organizations", "Change an organisation's name", "組織情報の変更")
            .describe(
                "For the organisation's administrator. Fields left out keep their value.",
                "組織の管理者が行えます。省略した項目は変更しません。",
            )
            .id_is("The organisation's id.", "組織の番号（ID）。")
            .body("OrganizationPatch")
            .ok(200, "Organization", "The organisation as saved.", "変更後の組織情報。"),
        op(M::GET, "/api/v1/organizations/{id}/invitations", "listInvitations", "organizations", "Open invitations", "招待中の一覧")
            .describe(
                "For the organisation's administrator: invitations not yet accepted and not expired.",
                "組織の管理者が参照できます。受諾されておらず、有効期限内の招待を返します。",
            )
            .id_is("The organisation's id.", "組織の番号（ID）。")
            .ok(200, "InvitationList", "The open invitations.", "招待中の一覧。"),
        op(M::POST, "/api/v1/organizations/{id}/invitations", "inviteMember", "organizations", "Invite someone to the organisation", "組織への招待")
            .describe(
                "For the organisation's administrator. Sends an invitation mail with a link valid for 7 days; the invited person accepts it while signed in with that address.",
                "組織の管理者が行えます。招待メール（リンクの有効期限は7日間）を送信します。招待された方は、招待先のメールアドレスでログインしたうえで受諾します。",
            )
            .id_is("The organisation's id.", "組織の番号（ID）。")
            .body("InvitationRequest")
            .ok(201, "InvitationCreated", "The invitation has been sent.", "招待メールを送信しました。"),
        op(M::POST, "/api/v1/invitations/accept", "acceptInvitation", "organizations", "Accept an invitation", "招待の受諾")
            .describe(
                "Joins the organisation with the token from the invitation mail. An invalid, expired or used token answers 400 invalid_invitation; an invitation for another address 409 invitation_email_mismatch.",
                "招待メールに記載のトークンで組織に参加します。無効・期限切れ・使用済みのトークンの場合は 400 invalid_invitation、別のメールアドレス宛ての招待の場合は 409 invitation_email_mismatch を返します。",
            )
            .body("InvitationAcceptance")
            .ok(200, "InvitationAccepted", "Joined the organisation.", "組織に参加しました。")
            .errors(&["Conflict"]),
        // companies
        op(M::GET, "/api/v1/companies", "searchCompanies", "companies", "Search the company directory", "企業の検索")
            .describe(
                "Public. Filters combine with AND; several prefecture values and a region combine with OR.",
                "公開情報です。各条件はすべてを満たすもの（AND）を検索します。都道府県の複数指定および地方の指定は、いずれかに該当するもの（OR）を検索します。",
            )
            .query(&["prefecture", "region", "jsic", "grade", "category", "certification", "sort", "page", "per_page"])
            .ok(200, "Directory", "One page of companies.", "検索結果（1ページ分）。"),
        op(M::GET, "/api/v1/companies/{id}", "getCompany", "companies", "A company's profile", "企業情報の取得")
            .describe("Public.", "公開情報です。")
            .id_is("The supplier organisation's id.", "企業（受注者組織）の番号（ID）。")
            .ok(200, "CompanyProfile", "The profile.", "企業情報。"),
        op(M::PUT, "/api/v1/companies/{id}/profile", "saveCompanyProfile", "companies", "Save a company's profile", "企業情報の登録・更新")
            .describe(
                "For the company's own people and platform administrators. Send the whole profile; give the version you started from so that a concurrent change is refused (409 stale_version) instead of overwritten.",
                "当該企業の所属者およびシステム管理者が行えます。企業情報全体を送信してください。編集開始時の版（version）を指定すると、他の利用者による更新と競合した場合に上書きせず 409 stale_version を返します。",
            )
            .id_is("The supplier organisation's id.", "企業（受注者組織）の番号（ID）。")
            .body("ProfileInput")
            .ok(200, "CompanyProfile", "The profile as saved.", "登録後の企業情報。")
            .errors(&["Conflict"]),
        op(M::GET, "/api/v1/companies/{id}/history", "getCompanyHistory", "companies", "A profile's change history", "企業情報の変更履歴")
            .describe(
                "For the company's own people and platform administrators.",
                "当該企業の所属者およびシステム管理者が参照できます。",
            )
            .id_is("The supplier organisation's id.", "企業（受注者組織）の番号（ID）。")
            .ok(200, "ProfileHistory", "Every saved version, newest first.", "保存された各版（新しい順）。"),
        // favourites
        op(M::GET, "/api/v1/favourites", "listFavourites", "favourites", "Your favourite companies", "お気に入り企業の一覧")
            .ok(200, "FavouriteList", "The companies.", "お気に入りに登録した企業。"),
        op(M::PUT, "/api/v1/favourites/{id}", "addFavourite", "favourites", "Add a company to your favourites", "お気に入りへの追加")
            .describe("Idempotent.", "同じ企業を重ねて追加しても結果は変わりません。")
            .id_is("The supplier organisation's id.", "企業（受注者組織）の番号（ID）。")
            .no_content("Added.", "追加しました。"),
        op(M::DELETE, "/api/v1/favourites/{id}", "removeFavourite", "favourites", "Remove a company from your favourites", "お気に入りからの削除")
            .describe("Idempotent.", "登録されていない企業を指定しても結果は変わりません。")
            .id_is("The supplier organisation's id.", "企業（受注者組織）の番号（ID）。")
            .no_content("Removed.", "削除しました。"),
        // admin
        op(M::POST, "/api/v1/admin/organizations/{id}/decision", "decideOrganization", "admin", "Approve or reject a buyer organisation", "発注機関の審査（承認・否認）")
            .describe(
                "Decides a pending buyer organisation. A rejection needs a reason, which is sent to the applicant.",
                "承認待ちの発注機関を承認または否認します。否認する場合は理由の入力が必要です（申請者に通知されます）。",
            )
            .id_is("The organisation's id.", "組織の番号（ID）。")
            .body("Decision")
            .ok(200, "Organization", "The organisation after the decision.", "審査後の組織情報。")
            .errors(&["Conflict"]),
        op(M::GET, "/api/v1/admin/users", "listUsers", "admin", "List users", "利用者の一覧")
            .query(&["offset", "limit"])
            .ok(200, "UserPage", "One page of users.", "利用者の一覧（1ページ分）。"),
        op(M::POST, "/api/v1/admin/users/{id}/suspension", "setSuspension", "admin", "Suspend or reinstate a user", "利用停止・利用再開")
            .describe(
                "Suspending needs a reason and ends the user's sessions; administrators cannot suspend themselves.",
                "利用停止には理由の入力が必要です。利用停止した利用者のログイン状態は解除されます。自身を利用停止にすることはできません。",
            )
            .id_is("The user's id.", "利用者の番号（ID）。")
            .body("Suspension")
            .no_content("Done.", "処理が完了しました。")
            .errors(&["Conflict"]),
        op(M::PUT, "/api/v1/admin/users/{id}/role", "setRole", "admin", "Set a user's platform role", "権限の変更")
            .describe(
                "Coordinators are given the prefectures they cover.",
                "コーディネーターには担当する都道府県を指定します。",
            )
            .id_is("The user's id.", "利用者の番号（ID）。")
            .body("RoleChange")
            .no_content("Done.", "処理が完了しました。"),
        op(M::GET, "/api/v1/admin/audit", "listAuditLog", "admin", "The audit log", "監査ログの取得")
            .query(&["actor", "offset", "limit"])
            .ok(200, "AuditPage", "One page of audit records, newest first.", "監査ログ（新しい順、1ページ分）。"),
        // meta
        op(M::GET, OPENAPI_PATH, "getOpenApiDocument", "meta", "This API description", "API仕様（OpenAPI）の取得")
            .describe(
                "This document, as OpenAPI 3.1. The page /api/docs shows it for people.",
                "本書（OpenAPI 3.1 形式）を返します。閲覧用のページは /api/docs です。",
            )
            .ok(200, "OpenApiDocument", "The OpenAPI document.", "OpenAPI 形式のAPI仕様。"),
    ];
    ops.extend(tenders::operations());
    ops.extend(bids::operations());
    ops.extend(search::operations());
    ops.extend(awards::operations());
    ops.extend(recommendations::operations());
    ops.extend(alerts::operations());
    ops.extend(coordination::operations());
    ops.extend(transparency::operations());
    ops
}

/// Tags in the order they are shown: name, English and Japanese title and description.
const TAGS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "auth",
        "Registration and sign-in",
        "利用者登録・ログイン",
        "Registering, confirming the e-mail address, signing in and out.",
        "利用者登録、メールアドレスの確認、ログインおよびログアウト。",
    ),
    (
        "account",
        "Your account",
        "アカウント",
        "The signed-in user and their personal API tokens.",
        "ログイン中の利用者の情報と、個人用APIトークンの管理。",
    ),
    (
        "organizations",
        "Organisations",
        "組織",
        "Suppliers and buyers register their organisation; its administrator keeps it up to date.",
        "受注者・発注機関の組織の登録と、組織の管理者による情報の変更。",
    ),
    (
        "companies",
        "Company directory",
        "企業名簿",
        "Searching supplier companies and keeping a company's profile.",
        "受注者（登録企業）の検索と、企業情報の登録・更新。",
    ),
    (
        "favourites",
        "Favourites",
        "お気に入り",
        "Buyers and coordinators bookmark supplier companies.",
        "発注機関およびコーディネーターによる企業のお気に入り登録。",
    ),
    (
        "admin",
        "Administration",
        "システム管理",
        "Approving buyers, managing users and roles, the audit log (platform administrators).",
        "発注機関の審査、利用者・権限の管理、監査ログ（システム管理者向け）。",
    ),
    (
        "tenders",
        "Tenders",
        "案件",
        "Tenders (案件): searching and reading them; for buyers posting, amending (訂正), publishing and cancelling, answering questions, deciding applications and attaching documents; for suppliers asking, applying and favourites; notifications.",
        "案件の検索・閲覧、発注機関による登録・訂正・公告・中止・質問への回答・参加申請の審査・資料の添付、受注者による質問・参加申請・お気に入り、お知らせ。",
    ),
    (
        "bids",
        "Bids",
        "入札",
        "Sealed bids (入札): submitting with a signed receipt (受付票), withdrawing (辞退), the public results of the opening (入札結果), the award (落札者決定) and the key that checks receipts.",
        "入札（見積・提案の提出）と署名付き受付票、辞退、開札後の入札結果の公開、落札者決定、受付票の署名検証用公開鍵。",
    ),
    (
        "search",
        "Search",
        "検索",
        "Full-text search of tenders and companies: the query language, filters and facet counts.",
        "案件・企業の全文検索（検索式、絞り込み条件、絞り込み候補の件数）。",
    ),
    (
        "awards",
        "Awards",
        "落札情報",
        "The awards database: decided awards (winner, amounts, date), searched and exported as CSV.",
        "落札情報（落札者・落札金額・落札決定日）の検索とCSV出力。",
    ),
    (
        "alerts",
        "Alerts and notifications",
        "お知らせ・検索条件の保存",
        "Saved searches that alert you to new tenders (at once or in a daily digest, in the inbox and by mail), your notifications with their read state, and your mail setting. Atom feeds and one-click unsubscribe are plain links outside the API.",
        "新着案件をお知らせする検索条件の保存（即時または毎日のまとめ。お知らせ一覧とメール）、既読状態つきのお知らせ一覧、メール配信の設定です。Atom フィードとワンクリックの配信停止は API 外の通常のリンクです。",
    ),
    (
        "recommendations",
        "Recommendations",
        "おすすめ",
        "Matching suppliers and tenders: the suppliers that fit a tender (おすすめ企業) and the open tenders that fit a company (おすすめ案件), each with the reasons it was recommended.",
        "受注者と案件のマッチング：案件に適した企業（おすすめ企業）と、企業に適した募集中の案件（おすすめ案件）を、おすすめの理由とともに返します。",
    ),
    (
        "coordination",
        "Coordinators",
        "コーディネーター",
        "For coordinators: the dashboard of new tenders and of tenders with few eligible suppliers, sharing a tender to another region's suppliers, recommending suppliers to a buyer, introductions with their outcomes (商談, 受注), and the KPIs per coordinator and region.",
        "コーディネーター向け：新着案件・参加可能な企業が少ない案件のダッシュボード、他地域の企業への案件の共有、発注者への企業の推薦、紹介とその結果（商談・受注）の記録、コーディネーター別・地域別の実績（KPI）。",
    ),
    (
        "transparency",
        "Transparency log",
        "透明性ログ",
        "The public, append-only log of bidding events (RFC 9162): signed tree heads, the keys, inclusion and consistency proofs and the entries, with which anyone checks a receipt (受付票) and the whole log. See the page /transparency.",
        "入札に関する事象を記録する追記専用の公開ログ（RFC 9162）：署名付きツリーヘッド、公開鍵、包含証明・整合性証明、記録。受付票とログ全体をどなたでも検証できます。説明はページ /transparency をご覧ください。",
    ),
    (
        "meta",
        "API description",
        "API仕様",
        "This description itself.",
        "本書（API仕様）の取得。",
    ),
];

/// Required access: code in the document, English and Japanese label.
fn access_info(a: Access) -> (&'static str, &'static str, &'static str) {
    match a {
        Access::Public => (
            "public",
            "Anyone (no sign-in needed)",
            "どなたでも（認証不要）",
        ),
        Access::SignedIn => ("signed_in", "Signed-in users", "ログイン中の利用者"),
        Access::OrgMember => ("org_member", "Members of an organisation", "組織の所属者"),
        Access::OrgAdmin => (
            "org_admin",
            "Administrators of their organisation",
            "組織の管理者",
        ),
        Access::Supplier => (
            "supplier",
            "Members of a supplier company",
            "受注者（登録企業）の所属者",
        ),
        Access::ApprovedBuyer => (
            "approved_buyer",
            "Members of an approved buyer organisation",
            "承認済みの発注機関の所属者",
        ),
        Access::BuyerOrCoordinator => (
            "buyer_or_coordinator",
            "Approved buyers, coordinators and platform administrators",
            "承認済みの発注機関の所属者、コーディネーターおよびシステム管理者",
        ),
        Access::Coordinator => (
            "coordinator",
            "Coordinators and platform administrators",
            "コーディネーターおよびシステム管理者",
        ),
        Access::PlatformAdmin => (
            "platform_admin",
            "Platform administrators",
            "システム管理者",
        ),
    }
}

fn access_by_code(code: &str) -> Option<Access> {
    use Access::*;
    [
        Public,
        SignedIn,
        OrgMember,
        OrgAdmin,
        Supplier,
        ApprovedBuyer,
        BuyerOrCoordinator,
        Coordinator,
        PlatformAdmin,
    ]
    .into_iter()
    .find(|a| access_info(*a).0 == code)
}

/// The error codes a client should know: code, HTTP status, English, Japanese.
pub const ERROR_CODES: &[(&str, u16, &str, &str)] = &[
    (
        "invalid_json",
        400,
        "The body is not valid JSON.",
        "本文がJSONとして正しくありません。",
    ),
    (
        "invalid_body",
        422,
        "The body lacks a required field or a field has the wrong type (400 when the body cannot be read at all).",
        "必須項目がないか、項目の型が正しくありません（本文を読み取れない場合は400）。",
    ),
    (
        "unsupported_media_type",
        415,
        "The body was not sent with Content-Type: application/json.",
        "Content-Type が application/json ではありません。",
    ),
    (
        "validation_failed",
        422,
        "Some fields are not valid; fields names each one with its message, field_codes with its stable codes.",
        "入力内容に誤りがあります。fields に項目ごとの内容を、field_codes に項目ごとのコードを示します。",
    ),
    (
        "invalid_parameter",
        400,
        "A query parameter is not valid.",
        "検索条件（クエリパラメーター）の値が正しくありません。",
    ),
    (
        "query_unbalanced",
        400,
        "Search: the parentheses of q do not match.",
        "検索：検索式（q）の括弧の対応が取れていません。",
    ),
    (
        "query_lone_operator",
        400,
        "Search: OR, NOT or ANDNOT in q lacks a word on one side.",
        "検索：検索式（q）の OR・NOT・ANDNOT の前後に語がありません。",
    ),
    (
        "query_unterminated_phrase",
        400,
        "Search: a quoted phrase in q is not closed.",
        "検索：検索式（q）の「\"」で始めた語句が閉じられていません。",
    ),
    (
        "query_too_long",
        400,
        "Search: q is longer than 500 characters.",
        "検索：検索式（q）が500文字を超えています。",
    ),
    (
        "export_too_large",
        400,
        "Awards CSV: more awards match than one export holds; narrow the search.",
        "落札情報のCSV出力：該当件数が一度に出力できる件数を超えています（条件を絞り込んでください）。",
    ),
    (
        "invalid_limit",
        400,
        "Recommendations: limit is not a whole number from 1 to 50.",
        "おすすめ：件数（limit）が1から50までの整数ではありません。",
    ),
    (
        "invalid_role",
        400,
        "Unknown platform role.",
        "権限の指定が正しくありません。",
    ),
    (
        "invalid_prefecture",
        400,
        "Unknown prefecture.",
        "都道府県の指定が正しくありません。",
    ),
    (
        "sign_in_required",
        401,
        "Sign in or send an API token.",
        "ログインするか、APIトークンを送信してください。",
    ),
    (
        "invalid_token",
        401,
        "The API token is unknown or revoked (400 from /api/v1/auth/verify: the confirmation token is not valid).",
        "APIトークンが無効です（/api/v1/auth/verify では 400：確認用トークンが無効）。",
    ),
    (
        "invalid_credentials",
        401,
        "Wrong e-mail address or password.",
        "メールアドレスまたはパスワードが正しくありません。",
    ),
    (
        "csrf_failed",
        403,
        "A write with the session cookie lacks the X-CSRF-Token header equal to the musubi_csrf cookie.",
        "セッションCookieによる更新操作で、X-CSRF-Token ヘッダーが musubi_csrf Cookie の値と一致しません。",
    ),
    (
        "token_read_only",
        403,
        "A read-only API token was used for a write.",
        "参照専用のAPIトークンで更新操作を行おうとしました。",
    ),
    (
        "email_not_verified",
        403,
        "The e-mail address has not been confirmed yet.",
        "メールアドレスの確認が完了していません。",
    ),
    (
        "account_suspended",
        403,
        "The account is suspended.",
        "アカウントが利用停止中です。",
    ),
    (
        "admin_required",
        403,
        "Only platform administrators may do this (likewise organization_required, org_admin_required, supplier_required, buyer_approval_required, coordinator_required, not_a_member).",
        "システム管理者のみが行える操作です（同様に organization_required、org_admin_required、supplier_required、buyer_approval_required、coordinator_required、not_a_member）。",
    ),
    (
        "not_found",
        404,
        "No such record or address.",
        "対象が見つかりません。",
    ),
    (
        "method_not_allowed",
        405,
        "The address does not take this method.",
        "このURLでは要求された操作を利用できません。",
    ),
    (
        "stale_version",
        409,
        "The record was changed by someone else since the version you sent.",
        "指定した版以降に、他の利用者により更新されています。",
    ),
    (
        "invalid_invitation",
        400,
        "The invitation link is invalid, expired or already used.",
        "招待リンクが無効か、有効期限切れか、既に使用されています。",
    ),
    (
        "invitation_email_mismatch",
        409,
        "The invitation is for another e-mail address.",
        "招待が別のメールアドレス宛てです。",
    ),
    (
        "not_pending",
        409,
        "The organisation is not awaiting approval.",
        "承認待ちの組織ではありません。",
    ),
    (
        "already_member",
        409,
        "You already belong to an organisation.",
        "既に組織に所属しています。",
    ),
    (
        "not_a_supplier",
        409,
        "The organisation is not a supplier company.",
        "受注者（登録企業）の組織ではありません。",
    ),
    (
        "cannot_suspend_self",
        409,
        "Administrators cannot suspend themselves.",
        "自身を利用停止にすることはできません。",
    ),
    (
        "tender_owner_required",
        403,
        "Only the tender's buyer may do this.",
        "当該案件の発注機関のみが行える操作です。",
    ),
    (
        "tender_not_editable",
        409,
        "The tender can no longer be edited or amended (after its submission deadline, or finished).",
        "提出締切後または終了した案件は編集・訂正できません。",
    ),
    (
        "not_draft",
        409,
        "The tender has already been published.",
        "既に公告済みの案件です。",
    ),
    (
        "nothing_changed",
        422,
        "An amendment that changes nothing.",
        "訂正で変更された項目がありません。",
    ),
    (
        "status_changed",
        409,
        "The tender's status changed meanwhile; reload and try again.",
        "処理中に案件の状態が変わりました。再読み込みして再度お試しください。",
    ),
    (
        "tender_draft_not_cancellable",
        409,
        "A draft cannot be cancelled (likewise tender_status_final, tender_transition_not_allowed).",
        "下書きは中止できません（同様に tender_status_final、tender_transition_not_allowed）。",
    ),
    (
        "questions_closed",
        409,
        "The question deadline has passed.",
        "質問受付期限を過ぎています。",
    ),
    (
        "tender_not_answerable",
        409,
        "Questions on this tender can no longer be answered.",
        "この案件の質問には回答できません。",
    ),
    (
        "applications_closed",
        409,
        "The tender is not taking applications now.",
        "現在、参加申請を受け付けていません。",
    ),
    (
        "nomination_only",
        409,
        "A selective tender (指名競争) takes no applications; the buyer nominates.",
        "指名競争の案件には申請できません（発注者が指名します）。",
    ),
    (
        "already_applied",
        409,
        "The supplier has already applied or been nominated.",
        "既に申請済みまたは指名済みです。",
    ),
    (
        "already_decided",
        409,
        "The application has already been decided.",
        "既に審査済みの申請です。",
    ),
    (
        "not_selective",
        409,
        "Only selective tenders take nominations.",
        "指名は指名競争の案件でのみ行えます。",
    ),
    (
        "tender_not_open",
        409,
        "The tender does not allow this step now.",
        "現在の状態では行えません。",
    ),
    (
        "not_accepting_bids",
        409,
        "The tender is not taking submissions now (before the submission opening or after the deadline).",
        "現在、入札（提出）を受け付けていません（提出受付開始前または締切後）。",
    ),
    (
        "bid_exists",
        409,
        "Your organisation already has a standing submission in this round; withdraw it first to submit again.",
        "既に入札（提出）済みです。再提出は辞退のうえ行ってください。",
    ),
    (
        "not_nominated",
        403,
        "Only nominated suppliers may bid on this tender.",
        "この案件は指名された事業者のみ入札できます。",
    ),
    (
        "no_bid",
        404,
        "There is no standing submission to withdraw.",
        "辞退できる入札がありません。",
    ),
    (
        "results_not_available",
        404,
        "The results are not public before the opening.",
        "開札前のため、入札結果は公開されていません。",
    ),
    (
        "award_not_possible",
        409,
        "An award can be decided only once, after the opening.",
        "落札者決定は開札後に一度だけ行えます。",
    ),
    (
        "no_winner",
        409,
        "No bid was valid: there is no winner to award.",
        "有効な入札がないため、落札者を決定できません。",
    ),
    (
        "profile_required",
        422,
        "Register the company profile before applying.",
        "参加申請の前に企業情報の登録が必要です。",
    ),
    (
        "attachment_type_refused",
        422,
        "This file type cannot be attached (likewise attachment_content_mismatch, attachment_empty, attachment_unknown).",
        "この形式のファイルは添付できません（同様に attachment_content_mismatch、attachment_empty、attachment_unknown）。",
    ),
    (
        "attachment_too_large",
        413,
        "The file is larger than 20 MB.",
        "ファイルが20 MBを超えています。",
    ),
    (
        "payload_too_large",
        413,
        "The body is larger than the limit.",
        "送信データが上限を超えています。",
    ),
    (
        "too_many_attempts",
        429,
        "Too many failed sign-ins; wait and try again.",
        "ログインの失敗が続いたため、一時的に受け付けていません。",
    ),
    (
        "internal_error",
        500,
        "A system error occurred.",
        "システムエラーが発生しました。",
    ),
    (
        "service_unavailable",
        503,
        "The service is temporarily unavailable (also timeout).",
        "一時的にサービスを利用できません（timeout も同様）。",
    ),
];

/// Error responses in `components/responses`: name, status key, English, Japanese, codes.
const ERROR_RESPONSES: &[(&str, &str, &str, &str, &[&str])] = &[
    (
        "BadRequest",
        "400",
        "The request cannot be read.",
        "リクエストの内容を読み取れません。",
        &[
            "invalid_json",
            "invalid_body",
            "invalid_parameter",
            "query_unbalanced",
            "query_lone_operator",
            "query_unterminated_phrase",
            "query_too_long",
            "export_too_large",
            "invalid_limit",
            "invalid_token",
            "invalid_invitation",
            "invalid_role",
            "invalid_prefecture",
            "invalid_tree_size",
            "invalid_range",
            "proof_index_out_of_range",
            "proof_empty_tree",
            "proof_old_size_zero",
            "proof_old_size_after_new",
        ],
    ),
    (
        "Unauthorized",
        "401",
        "Not signed in, or the API token is not valid.",
        "ログインしていないか、APIトークンが無効です。",
        &["sign_in_required", "invalid_token"],
    ),
    (
        "InvalidCredentials",
        "401",
        "Wrong e-mail address or password.",
        "メールアドレスまたはパスワードが正しくありません。",
        &["invalid_credentials"],
    ),
    (
        "Forbidden",
        "403",
        "Not allowed: missing CSRF header, read-only token, suspended account, or the caller lacks the required role.",
        "権限がありません（CSRFヘッダーの不備、参照専用トークン、利用停止中、または必要な権限がない場合）。",
        &[
            "csrf_failed",
            "token_read_only",
            "account_suspended",
            "email_not_verified",
            "tender_owner_required",
            "not_nominated",
            "organization_required",
            "org_admin_required",
            "supplier_required",
            "buyer_approval_required",
            "coordinator_required",
            "admin_required",
            "not_a_member",
        ],
    ),
    (
        "NotFound",
        "404",
        "No such record.",
        "対象が見つかりません。",
        &[
            "not_found",
            "no_bid",
            "results_not_available",
            "tree_head_not_found",
            "leaf_not_found",
        ],
    ),
    (
        "Conflict",
        "409",
        "The request conflicts with the record's current state.",
        "対象の現在の状態と競合するため、処理できません。",
        &[
            "stale_version",
            "not_pending",
            "already_member",
            "invitation_email_mismatch",
            "not_a_supplier",
            "cannot_suspend_self",
            "tender_not_editable",
            "not_draft",
            "status_changed",
            "tender_draft_not_cancellable",
            "questions_closed",
            "tender_not_answerable",
            "applications_closed",
            "nomination_only",
            "already_applied",
            "already_decided",
            "not_selective",
            "tender_not_open",
            "already_recommended",
            "outcome_not_allowed",
            "not_accepting_bids",
            "bid_exists",
            "award_not_possible",
            "no_winner",
            "conflict",
        ],
    ),
    (
        "UnsupportedMediaType",
        "415",
        "Send the body as JSON with Content-Type: application/json.",
        "本文は Content-Type: application/json のJSONで送信してください。",
        &["unsupported_media_type"],
    ),
    (
        "Unprocessable",
        "422",
        "Some fields are missing or not valid; error.fields names each one.",
        "入力内容に誤りがあります。error.fields に項目ごとの内容を示します。",
        &[
            "validation_failed",
            "invalid_body",
            "nothing_changed",
            "profile_required",
            "attachment_type_refused",
            "attachment_content_mismatch",
            "attachment_empty",
            "attachment_unknown",
            "no_suitable_suppliers",
        ],
    ),
    (
        "AttachmentTooLarge",
        "413",
        "The file is larger than 20 MB.",
        "ファイルが20 MBを超えています。",
        &["attachment_too_large"],
    ),
    (
        "TooManyRequests",
        "429",
        "Too many attempts; try again later.",
        "試行回数が上限を超えました。しばらく時間をおいてから再度お試しください。",
        &["too_many_attempts"],
    ),
    (
        "Unexpected",
        "default",
        "Any other error, in the same shape (e.g. 413 payload_too_large, 500 internal_error, 503 service_unavailable).",
        "その他のエラー（413 payload_too_large、500 internal_error、503 service_unavailable など。形式は同じです）。",
        &[
            "payload_too_large",
            "internal_error",
            "service_unavailable",
            "timeout",
        ],
    ),
];

// --- building the document ----------------------------------------------------

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// A property: its schema with English and Japanese descriptions.
/// The company facts a profile carries, alike in the editable profile and
/// in a stored version.
fn profile_facts() -> Vec<(&'static str, Value)> {
    vec![
        (
            "employees",
            prop(nullable_integer(), "Number of employees.", "従業員数。"),
        ),
        (
            "capital_yen",
            prop(nullable_integer(), "Capital in yen.", "資本金（円）。"),
        ),
        (
            "founded_year",
            prop(nullable_integer(), "Year founded.", "設立年（西暦）。"),
        ),
        (
            "website",
            prop(nullable_string(), "Website.", "ウェブサイト。"),
        ),
        (
            "contact_email",
            prop(
                nullable_string(),
                "Contact e-mail address.",
                "連絡先メールアドレス。",
            ),
        ),
        (
            "contact_phone",
            prop(
                nullable_string(),
                "Contact telephone number.",
                "連絡先電話番号。",
            ),
        ),
    ]
}

fn prop(schema: Value, en: &str, ja: &str) -> Value {
    let mut schema = schema;
    if let Value::Object(m) = &mut schema {
        m.insert("description".into(), en.into());
        m.insert("x-description-ja".into(), ja.into());
    }
    schema
}

fn object(required: &[&str], props: Vec<(&str, Value)>) -> Value {
    let properties: Map<String, Value> =
        props.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    let mut o = json!({ "type": "object", "properties": properties });
    if !required.is_empty() {
        o["required"] = json!(required);
    }
    o
}

fn string() -> Value {
    json!({ "type": "string" })
}
fn nullable_string() -> Value {
    json!({ "type": ["string", "null"] })
}
fn integer() -> Value {
    json!({ "type": "integer", "format": "int64" })
}
fn nullable_integer() -> Value {
    json!({ "type": ["integer", "null"], "format": "int64" })
}
fn boolean() -> Value {
    json!({ "type": "boolean" })
}
fn date_time() -> Value {
    json!({ "type": "string", "format": "date-time" })
}
fn nullable_date_time() -> Value {
    json!({ "type": ["string", "null"], "format": "date-time" })
}
fn codes(values: impl IntoIterator<Item = &'static str>) -> Value {
    json!({ "type": "string", "enum": values.into_iter().collect::<Vec<_>>() })
}
fn array(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

fn org_kinds() -> Value {
    codes(OrgKind::ALL.iter().map(|k| k.code()))
}
fn approvals() -> Value {
    codes(Approval::ALL.iter().map(|k| k.code()))
}
fn platform_roles() -> Value {
    codes(PlatformRole::ALL.iter().map(|k| k.code()))
}
fn certifications() -> Value {
    codes(Certification::ALL.iter().map(|k| k.code()))
}
fn grade_categories() -> Value {
    codes(GradeCategory::ALL.iter().map(|k| k.code()))
}
fn grades() -> Value {
    codes(Grade::ALL.iter().map(|k| k.code()))
}

fn paged(items: &str) -> Value {
    object(
        &["total", "items"],
        vec![
            (
                "total",
                prop(integer(), "Number of all matches.", "該当する件数の合計。"),
            ),
            (
                "items",
                prop(
                    array(schema_ref(items)),
                    "This page's records.",
                    "このページの項目。",
                ),
            ),
        ],
    )
}

/// The common fields of a company profile, as the API answers them.
fn profile_fields() -> Vec<(&'static str, Value)> {
    vec![
        (
            "representative",
            prop(string(), "Representative's name.", "代表者名。"),
        ),
        (
            "municipality",
            prop(
                nullable_string(),
                "Municipality code (JIS X 0402, 6 digits).",
                "市区町村コード（全国地方公共団体コード6桁）。",
            ),
        ),
        (
            "address_line",
            prop(string(), "Street address.", "所在地（町名・番地）。"),
        ),
        (
            "jsic",
            prop(
                array(string()),
                "Industry codes (JSIC).",
                "日本標準産業分類コード。",
            ),
        ),
        (
            "capabilities",
            prop(
                string(),
                "What the company does.",
                "事業内容・対応可能な業務。",
            ),
        ),
        (
            "catalogue",
            prop(
                array(schema_ref("CatalogueItem")),
                "Products and services.",
                "取扱品目・サービス。",
            ),
        ),
    ]
}

fn schemas() -> Value {
    let mut s = Map::new();
    let mut add = |name: &str, v: Value| {
        s.insert(name.to_owned(), v);
    };
    add(
        "Error",
        prop(
            object(
                &["error"],
                vec![(
                    "error",
                    object(
                        &["code", "message"],
                        vec![
                            (
                                "code",
                                prop(
                                    string(),
                                    "Stable snake_case code (see the list above).",
                                    "エラーの種類を示す固定のコード（英小文字とアンダースコア）。",
                                ),
                            ),
                            (
                                "message",
                                prop(
                                    string(),
                                    "Message for people, in the request's language.",
                                    "利用者向けのメッセージ（リクエストの言語）。",
                                ),
                            ),
                            (
                                "fields",
                                prop(
                                    json!({ "type": "object", "additionalProperties": { "type": "string" } }),
                                    "For validation_failed: a message for each field at fault, keyed by field name.",
                                    "validation_failed の場合、誤りのある項目名ごとのメッセージ。",
                                ),
                            ),
                            (
                                "field_codes",
                                prop(
                                    json!({ "type": "object", "additionalProperties": { "type": "array", "items": { "type": "string" } } }),
                                    "For validation_failed: the stable codes of each field's problems (e.g. required, schedule_out_of_order, eligibility_location), keyed by field name.",
                                    "validation_failed の場合、項目名ごとの誤りのコード（例：required、schedule_out_of_order、eligibility_location）。",
                                ),
                            ),
                        ],
                    ),
                )],
            ),
            "The shape of every error answer.",
            "すべてのエラー応答の形式。",
        ),
    );
    add(
        "Registration",
        object(
            &["email", "password", "display_name"],
            vec![
                (
                    "email",
                    prop(
                        json!({"type": "string", "format": "email"}),
                        "E-mail address; it becomes the sign-in name.",
                        "メールアドレス（ログインに使用します）。",
                    ),
                ),
                (
                    "password",
                    prop(
                        json!({"type": "string", "format": "password", "maxLength": 128}),
                        "At least 10 characters mixing letters with digits or symbols, or a passphrase of 16 characters or more.",
                        "10文字以上で英字と数字・記号を組み合わせたもの、または16文字以上の文。",
                    ),
                ),
                (
                    "display_name",
                    prop(
                        json!({"type": "string", "maxLength": 50}),
                        "The person's name.",
                        "氏名。",
                    ),
                ),
                (
                    "locale",
                    prop(
                        json!({"type": "string", "enum": ["ja", "en"], "default": "ja"}),
                        "Language of mail sent to this person.",
                        "メールの言語。",
                    ),
                ),
            ],
        ),
    );
    add(
        "RegistrationResult",
        object(
            &["user_id", "status"],
            vec![
                (
                    "user_id",
                    prop(
                        integer(),
                        "The new user's id.",
                        "登録した利用者の番号（ID）。",
                    ),
                ),
                (
                    "status",
                    prop(
                        json!({"type": "string", "const": "verification_sent"}),
                        "The confirmation mail has been queued.",
                        "確認メールを送信しました。",
                    ),
                ),
            ],
        ),
    );
    add(
        "Verification",
        object(
            &["token"],
            vec![(
                "token",
                prop(
                    string(),
                    "The token from the confirmation mail.",
                    "確認メールに記載のトークン。",
                ),
            )],
        ),
    );
    add(
        "VerificationResult",
        object(
            &["user_id", "status"],
            vec![
                (
                    "user_id",
                    prop(integer(), "The user's id.", "利用者の番号（ID）。"),
                ),
                (
                    "status",
                    prop(
                        json!({"type": "string", "const": "verified"}),
                        "The address is confirmed.",
                        "確認が完了しました。",
                    ),
                ),
            ],
        ),
    );
    add(
        "Login",
        object(
            &["email", "password"],
            vec![
                (
                    "email",
                    prop(
                        json!({"type": "string", "format": "email"}),
                        "E-mail address.",
                        "メールアドレス。",
                    ),
                ),
                (
                    "password",
                    prop(
                        json!({"type": "string", "format": "password"}),
                        "Password.",
                        "パスワード。",
                    ),
                ),
            ],
        ),
    );
    add(
        "LoginResult",
        object(
            &["user"],
            vec![(
                "user",
                prop(
                    schema_ref("Me"),
                    "The signed-in user.",
                    "ログインした利用者。",
                ),
            )],
        ),
    );
    add(
        "Membership",
        object(
            &["id", "kind", "approval", "role"],
            vec![
                (
                    "id",
                    prop(integer(), "The organisation's id.", "組織の番号（ID）。"),
                ),
                (
                    "kind",
                    prop(org_kinds(), "Kind of organisation.", "組織の種別。"),
                ),
                (
                    "approval",
                    prop(
                        approvals(),
                        "Approval status (buyers need approval).",
                        "審査の状況（発注機関は承認が必要です）。",
                    ),
                ),
                (
                    "role",
                    prop(
                        codes(OrgRole::ALL.iter().map(|r| r.code())),
                        "The user's role in it.",
                        "組織内の役割。",
                    ),
                ),
            ],
        ),
    );
    add(
        "Me",
        object(
            &[
                "id",
                "email",
                "display_name",
                "locale",
                "platform_role",
                "organization",
            ],
            vec![
                (
                    "id",
                    prop(integer(), "The user's id.", "利用者の番号（ID）。"),
                ),
                (
                    "email",
                    prop(string(), "E-mail address.", "メールアドレス。"),
                ),
                ("display_name", prop(string(), "Name.", "氏名。")),
                (
                    "locale",
                    prop(
                        string(),
                        "Language of mail (ja or en).",
                        "メールの言語（ja または en）。",
                    ),
                ),
                (
                    "platform_role",
                    prop(
                        platform_roles(),
                        "Role on the platform.",
                        "本サービス上の権限。",
                    ),
                ),
                (
                    "organization",
                    prop(
                        json!({ "anyOf": [schema_ref("Membership"), { "type": "null" }] }),
                        "The organisation the user acts for, if any.",
                        "所属組織（未所属の場合は null）。",
                    ),
                ),
            ],
        ),
    );
    add(
        "ApiToken",
        object(
            &[
                "id",
                "name",
                "prefix",
                "scope",
                "created_at",
                "last_used_at",
                "revoked_at",
            ],
            vec![
                (
                    "id",
                    prop(integer(), "The token's id.", "トークンの番号（ID）。"),
                ),
                (
                    "name",
                    prop(string(), "Name given at creation.", "作成時に付けた名前。"),
                ),
                (
                    "prefix",
                    prop(
                        string(),
                        "The first characters of the token, to recognise it.",
                        "トークンの先頭部分（識別用）。",
                    ),
                ),
                (
                    "scope",
                    prop(
                        codes(["read", "write"]),
                        "read: reading only; write: reading and changing.",
                        "read：参照のみ、write：参照・更新。",
                    ),
                ),
                ("created_at", prop(date_time(), "Created at.", "作成日時。")),
                (
                    "last_used_at",
                    prop(nullable_date_time(), "Last used at.", "最終利用日時。"),
                ),
                (
                    "revoked_at",
                    prop(
                        nullable_date_time(),
                        "Revoked at (null while valid).",
                        "失効日時（有効な間は null）。",
                    ),
                ),
            ],
        ),
    );
    add(
        "TokenList",
        object(
            &["tokens"],
            vec![(
                "tokens",
                prop(
                    array(schema_ref("ApiToken")),
                    "Your tokens.",
                    "APIトークンの一覧。",
                ),
            )],
        ),
    );
    add(
        "TokenRequest",
        object(
            &["name", "scope"],
            vec![
                (
                    "name",
                    prop(
                        json!({"type": "string", "maxLength": 50}),
                        "A name to recognise the token by.",
                        "トークン名（識別用）。",
                    ),
                ),
                (
                    "scope",
                    prop(
                        codes(["read", "write"]),
                        "read: reading only; write: reading and changing.",
                        "read：参照のみ、write：参照・更新。",
                    ),
                ),
            ],
        ),
    );
    add(
        "TokenCreated",
        object(
            &["id", "token", "scope"],
            vec![
                (
                    "id",
                    prop(integer(), "The token's id.", "トークンの番号（ID）。"),
                ),
                (
                    "token",
                    prop(
                        json!({"type": "string", "pattern": "^mbk_"}),
                        "The token (mbk_…). Shown only here: send it as Authorization: Bearer.",
                        "トークン本体（mbk_…）。この応答でのみ返します。Authorization: Bearer ヘッダーで送信してください。",
                    ),
                ),
                (
                    "scope",
                    prop(
                        codes(["read", "write"]),
                        "The token's scope.",
                        "トークンの権限。",
                    ),
                ),
            ],
        ),
    );
    add(
        "OrganizationInput",
        object(
            &["kind", "name", "name_kana"],
            vec![
                (
                    "kind",
                    prop(org_kinds(), "Kind of organisation.", "組織の種別。"),
                ),
                (
                    "name",
                    prop(
                        json!({"type": "string", "maxLength": 100}),
                        "Official name.",
                        "名称。",
                    ),
                ),
                (
                    "name_kana",
                    prop(
                        json!({"type": "string", "maxLength": 100}),
                        "Reading of the name in katakana.",
                        "名称のフリガナ（全角カタカナ）。",
                    ),
                ),
                (
                    "corporate_number",
                    prop(
                        json!({"type": "string", "pattern": "^[0-9]{13}$"}),
                        "Corporate number (13 digits); required for supplier and private_company.",
                        "法人番号（13桁）。受注者（supplier）および民間企業（private_company）は必須です。",
                    ),
                ),
            ],
        ),
    );
    add(
        "OrganizationPatch",
        object(
            &[],
            vec![
                (
                    "name",
                    prop(
                        json!({"type": "string", "maxLength": 100}),
                        "New name (left out: unchanged).",
                        "新しい名称（省略時は変更しません）。",
                    ),
                ),
                (
                    "name_kana",
                    prop(
                        json!({"type": "string", "maxLength": 100}),
                        "New reading in katakana (left out: unchanged).",
                        "新しいフリガナ（省略時は変更しません）。",
                    ),
                ),
            ],
        ),
    );
    add(
        "Member",
        object(
            &["user_id", "display_name", "email", "role"],
            vec![
                (
                    "user_id",
                    prop(integer(), "The user's id.", "利用者の番号（ID）。"),
                ),
                ("display_name", prop(string(), "Name.", "氏名。")),
                (
                    "email",
                    prop(string(), "E-mail address.", "メールアドレス。"),
                ),
                (
                    "role",
                    prop(
                        codes(OrgRole::ALL.iter().map(|r| r.code())),
                        "Role in the organisation.",
                        "組織内の役割。",
                    ),
                ),
            ],
        ),
    );
    add(
        "Organization",
        object(
            &[
                "id",
                "kind",
                "name",
                "name_kana",
                "corporate_number",
                "approval",
                "approval_reason",
                "decided_at",
                "created_at",
            ],
            vec![
                (
                    "id",
                    prop(integer(), "The organisation's id.", "組織の番号（ID）。"),
                ),
                (
                    "kind",
                    prop(org_kinds(), "Kind of organisation.", "組織の種別。"),
                ),
                ("name", prop(string(), "Name.", "名称。")),
                (
                    "name_kana",
                    prop(string(), "Reading in katakana.", "フリガナ。"),
                ),
                (
                    "corporate_number",
                    prop(
                        nullable_string(),
                        "Corporate number (13 digits).",
                        "法人番号（13桁）。",
                    ),
                ),
                (
                    "approval",
                    prop(approvals(), "Approval status.", "審査の状況。"),
                ),
                (
                    "approval_reason",
                    prop(
                        nullable_string(),
                        "Reason given with a rejection.",
                        "否認の理由。",
                    ),
                ),
                (
                    "decided_at",
                    prop(
                        nullable_date_time(),
                        "When approval was decided.",
                        "審査日時。",
                    ),
                ),
                (
                    "created_at",
                    prop(date_time(), "Registered at.", "登録日時。"),
                ),
                (
                    "members",
                    prop(
                        array(schema_ref("Member")),
                        "Members (only for the organisation's own people and platform administrators).",
                        "所属者（当該組織の所属者およびシステム管理者にのみ返します）。",
                    ),
                ),
            ],
        ),
    );
    add("OrganizationPage", paged("Organization"));
    add(
        "Invitation",
        object(
            &[
                "id",
                "email",
                "role",
                "invited_by",
                "created_at",
                "expires_at",
            ],
            vec![
                (
                    "id",
                    prop(integer(), "The invitation's id.", "招待の番号（ID）。"),
                ),
                (
                    "email",
                    prop(string(), "The invited address.", "招待先のメールアドレス。"),
                ),
                (
                    "role",
                    prop(
                        codes(OrgRole::ALL.iter().map(|r| r.code())),
                        "Role on joining.",
                        "参加後の役割。",
                    ),
                ),
                (
                    "invited_by",
                    prop(
                        integer(),
                        "The inviting user's id.",
                        "招待した利用者の番号（ID）。",
                    ),
                ),
                ("created_at", prop(date_time(), "Sent at.", "招待日時。")),
                (
                    "expires_at",
                    prop(date_time(), "Valid until.", "有効期限。"),
                ),
            ],
        ),
    );
    add(
        "InvitationList",
        object(
            &["items"],
            vec![(
                "items",
                prop(
                    array(schema_ref("Invitation")),
                    "Open invitations.",
                    "招待中の一覧。",
                ),
            )],
        ),
    );
    add(
        "InvitationRequest",
        object(
            &["email"],
            vec![
                (
                    "email",
                    prop(
                        json!({"type": "string", "format": "email"}),
                        "The address to invite.",
                        "招待する方のメールアドレス。",
                    ),
                ),
                (
                    "role",
                    prop(
                        json!({"type": "string", "enum": OrgRole::ALL.iter().map(|r| r.code()).collect::<Vec<_>>(), "default": "member"}),
                        "Role on joining.",
                        "参加後の役割（既定は member：担当者）。",
                    ),
                ),
            ],
        ),
    );
    add(
        "InvitationCreated",
        object(
            &["id"],
            vec![(
                "id",
                prop(integer(), "The invitation's id.", "招待の番号（ID）。"),
            )],
        ),
    );
    add(
        "InvitationAcceptance",
        object(
            &["token"],
            vec![(
                "token",
                prop(
                    string(),
                    "The token from the invitation mail.",
                    "招待メールに記載のトークン。",
                ),
            )],
        ),
    );
    add(
        "InvitationAccepted",
        object(
            &["organization_id"],
            vec![(
                "organization_id",
                prop(
                    integer(),
                    "The organisation joined.",
                    "参加した組織の番号（ID）。",
                ),
            )],
        ),
    );
    add(
        "CatalogueItem",
        object(
            &["title", "description"],
            vec![
                (
                    "title",
                    prop(string(), "Product or service.", "品目・サービス名。"),
                ),
                ("description", prop(string(), "Its description.", "説明。")),
            ],
        ),
    );
    add(
        "CompanySummary",
        object(
            &[
                "id",
                "name",
                "name_kana",
                "prefecture",
                "jsic",
                "capabilities",
                "updated_at",
                "url",
            ],
            vec![
                (
                    "id",
                    prop(integer(), "The company's id.", "企業の番号（ID）。"),
                ),
                ("name", prop(string(), "Name.", "企業名。")),
                (
                    "name_kana",
                    prop(string(), "Reading in katakana.", "フリガナ。"),
                ),
                (
                    "prefecture",
                    prop(
                        object(
                            &["code", "name"],
                            vec![
                                (
                                    "code",
                                    prop(
                                        string(),
                                        "JIS X 0401 code.",
                                        "都道府県コード（JIS X 0401）。",
                                    ),
                                ),
                                ("name", prop(string(), "Name in Japanese.", "都道府県名。")),
                            ],
                        ),
                        "Prefecture of the head office.",
                        "本社所在地の都道府県。",
                    ),
                ),
                (
                    "jsic",
                    prop(
                        array(string()),
                        "Industry codes (JSIC).",
                        "日本標準産業分類コード。",
                    ),
                ),
                (
                    "capabilities",
                    prop(string(), "What the company does.", "事業内容。"),
                ),
                (
                    "updated_at",
                    prop(
                        date_time(),
                        "Profile last saved at.",
                        "企業情報の最終更新日時。",
                    ),
                ),
                (
                    "url",
                    prop(string(), "The public profile page.", "公開ページのURL。"),
                ),
            ],
        ),
    );
    add(
        "Directory",
        object(
            &["total", "page", "per_page", "items"],
            vec![
                (
                    "total",
                    prop(integer(), "Number of all matches.", "該当する件数の合計。"),
                ),
                (
                    "page",
                    prop(
                        integer(),
                        "This page's number (from 1).",
                        "ページ番号（1から）。",
                    ),
                ),
                (
                    "per_page",
                    prop(integer(), "Companies per page.", "1ページあたりの件数。"),
                ),
                (
                    "items",
                    prop(
                        array(schema_ref("CompanySummary")),
                        "This page's companies.",
                        "このページの企業。",
                    ),
                ),
            ],
        ),
    );
    let mut profile = vec![
        (
            "id",
            prop(integer(), "The company's id.", "企業の番号（ID）。"),
        ),
        ("name", prop(string(), "Name.", "企業名。")),
        (
            "name_kana",
            prop(string(), "Reading in katakana.", "フリガナ。"),
        ),
        (
            "corporate_number",
            prop(
                nullable_string(),
                "Corporate number (13 digits).",
                "法人番号（13桁）。",
            ),
        ),
        (
            "version",
            prop(
                integer(),
                "Version of the profile; send it back when saving.",
                "企業情報の版。更新時に指定してください。",
            ),
        ),
        (
            "updated_at",
            prop(date_time(), "Last saved at.", "最終更新日時。"),
        ),
        (
            "prefecture",
            prop(
                string(),
                "Prefecture code (JIS X 0401).",
                "都道府県コード（JIS X 0401）。",
            ),
        ),
    ];
    profile.extend(profile_fields());
    profile.extend([
        (
            "certifications",
            prop(
                array(certifications()),
                "Certifications held.",
                "取得している認証。",
            ),
        ),
        (
            "grades",
            prop(
                array(object(
                    &["category", "grade"],
                    vec![
                        (
                            "category",
                            prop(
                                grade_categories(),
                                "goods, works or services.",
                                "物品・工事・役務の別。",
                            ),
                        ),
                        ("grade", prop(grades(), "Grade A to D.", "等級（A〜D）。")),
                    ],
                )),
                "Qualification grades.",
                "競争参加資格の等級。",
            ),
        ),
    ]);
    profile.extend(profile_facts());
    let required: Vec<&str> = profile.iter().map(|(k, _)| *k).collect();
    add("CompanyProfile", object(&required, profile));
    add(
        "ProfileInput",
        object(
            &[],
            vec![
                (
                    "representative",
                    prop(
                        json!({"type": "string", "maxLength": 50}),
                        "Representative's name.",
                        "代表者名。",
                    ),
                ),
                (
                    "prefecture",
                    prop(
                        string(),
                        "Prefecture: JIS X 0401 code (e.g. 13) or name.",
                        "都道府県（JIS X 0401 のコード（例：13）または名称）。",
                    ),
                ),
                (
                    "municipality",
                    prop(
                        string(),
                        "Municipality code (JIS X 0402, 6 digits), may be empty.",
                        "市区町村コード（6桁、省略可）。",
                    ),
                ),
                (
                    "address_line",
                    prop(
                        json!({"type": "string", "maxLength": 200}),
                        "Street address.",
                        "所在地（町名・番地）。",
                    ),
                ),
                (
                    "jsic",
                    prop(
                        json!({"type": "array", "items": {"type": "string"}, "maxItems": 10}),
                        "Industry codes (JSIC), at most 10.",
                        "日本標準産業分類コード（10件まで）。",
                    ),
                ),
                (
                    "capabilities",
                    prop(
                        string(),
                        "What the company does.",
                        "事業内容・対応可能な業務。",
                    ),
                ),
                (
                    "catalogue",
                    prop(
                        json!({"type": "array", "items": schema_ref("CatalogueItem"), "maxItems": 30}),
                        "Products and services, at most 30.",
                        "取扱品目・サービス（30件まで）。",
                    ),
                ),
                (
                    "certifications",
                    prop(
                        array(certifications()),
                        "Certifications held.",
                        "取得している認証。",
                    ),
                ),
                (
                    "grades",
                    prop(
                        array(
                            json!({"type": "string", "pattern": "^(goods|works|services):[A-D]$"}),
                        ),
                        "Qualification grades as category:grade, e.g. goods:C.",
                        "競争参加資格の等級（区分:等級の形式、例：goods:C）。",
                    ),
                ),
                (
                    "employees",
                    prop(
                        string(),
                        "Number of employees (digits; may be empty).",
                        "従業員数（数字、省略可）。",
                    ),
                ),
                (
                    "capital_yen",
                    prop(
                        string(),
                        "Capital in yen (digits; may be empty).",
                        "資本金（円、数字、省略可）。",
                    ),
                ),
                (
                    "founded_year",
                    prop(
                        string(),
                        "Year founded (digits; may be empty).",
                        "設立年（西暦、省略可）。",
                    ),
                ),
                (
                    "website",
                    prop(
                        string(),
                        "Website (https://…; may be empty).",
                        "ウェブサイト（https://…、省略可）。",
                    ),
                ),
                (
                    "contact_email",
                    prop(
                        string(),
                        "Contact e-mail address (may be empty).",
                        "連絡先メールアドレス（省略可）。",
                    ),
                ),
                (
                    "contact_phone",
                    prop(
                        string(),
                        "Contact telephone number (may be empty).",
                        "連絡先電話番号（省略可）。",
                    ),
                ),
                (
                    "version",
                    prop(
                        nullable_integer(),
                        "The version you started from (null for a first profile).",
                        "編集開始時の版（初回登録時は null）。",
                    ),
                ),
            ],
        ),
    );
    let mut stored = vec![(
        "prefecture",
        prop(
            string(),
            "Prefecture code (JIS X 0401).",
            "都道府県コード（JIS X 0401）。",
        ),
    )];
    stored.extend(profile_fields());
    stored.extend([
        (
            "certifications",
            prop(
                array(certifications()),
                "Certifications held.",
                "取得している認証。",
            ),
        ),
        (
            "grades",
            prop(
                array(json!({
                    "type": "array",
                    "prefixItems": [grade_categories(), grades()],
                    "minItems": 2,
                    "maxItems": 2,
                })),
                "Qualification grades as [category, grade] pairs.",
                "競争参加資格の等級（[区分, 等級] の組）。",
            ),
        ),
    ]);
    stored.extend(profile_facts());
    add("StoredProfile", object(&[], stored));
    add(
        "ProfileVersion",
        object(
            &["version", "changed_by", "changed_at", "profile"],
            vec![
                ("version", prop(integer(), "Version number.", "版。")),
                (
                    "changed_by",
                    prop(
                        nullable_integer(),
                        "The user who saved it.",
                        "更新した利用者の番号（ID）。",
                    ),
                ),
                ("changed_at", prop(date_time(), "Saved at.", "更新日時。")),
                (
                    "profile",
                    prop(
                        schema_ref("StoredProfile"),
                        "The profile as saved.",
                        "その版の企業情報。",
                    ),
                ),
            ],
        ),
    );
    add(
        "ProfileHistory",
        object(
            &["versions"],
            vec![(
                "versions",
                prop(
                    array(schema_ref("ProfileVersion")),
                    "Saved versions.",
                    "各版。",
                ),
            )],
        ),
    );
    add(
        "FavouriteList",
        object(
            &["items"],
            vec![(
                "items",
                prop(
                    array(schema_ref("CompanySummary")),
                    "Your favourite companies.",
                    "お気に入りに登録した企業。",
                ),
            )],
        ),
    );
    add(
        "Decision",
        object(
            &["approve"],
            vec![
                (
                    "approve",
                    prop(
                        boolean(),
                        "true to approve, false to reject.",
                        "承認する場合は true、否認する場合は false。",
                    ),
                ),
                (
                    "reason",
                    prop(
                        json!({"type": "string", "maxLength": 1000}),
                        "Reason; required when rejecting (sent to the applicant).",
                        "理由（否認する場合は必須。申請者に通知されます）。",
                    ),
                ),
            ],
        ),
    );
    add(
        "Suspension",
        object(
            &["suspend"],
            vec![
                (
                    "suspend",
                    prop(
                        boolean(),
                        "true to suspend, false to reinstate.",
                        "利用停止する場合は true、利用再開する場合は false。",
                    ),
                ),
                (
                    "reason",
                    prop(
                        string(),
                        "Reason; required when suspending.",
                        "理由（利用停止の場合は必須）。",
                    ),
                ),
            ],
        ),
    );
    add(
        "RoleChange",
        object(
            &["role"],
            vec![
                (
                    "role",
                    prop(platform_roles(), "The new platform role.", "新しい権限。"),
                ),
                (
                    "prefectures",
                    prop(
                        array(string()),
                        "For coordinators: the prefectures they cover (JIS X 0401 codes).",
                        "コーディネーターの担当都道府県（JIS X 0401 のコード）。",
                    ),
                ),
            ],
        ),
    );
    add(
        "User",
        object(
            &[
                "id",
                "email",
                "display_name",
                "platform_role",
                "email_verified",
                "suspended_at",
                "suspended_reason",
                "created_at",
            ],
            vec![
                (
                    "id",
                    prop(integer(), "The user's id.", "利用者の番号（ID）。"),
                ),
                (
                    "email",
                    prop(string(), "E-mail address.", "メールアドレス。"),
                ),
                ("display_name", prop(string(), "Name.", "氏名。")),
                (
                    "platform_role",
                    prop(
                        platform_roles(),
                        "Role on the platform.",
                        "本サービス上の権限。",
                    ),
                ),
                (
                    "email_verified",
                    prop(
                        boolean(),
                        "Whether the address is confirmed.",
                        "メールアドレスの確認状況。",
                    ),
                ),
                (
                    "suspended_at",
                    prop(
                        nullable_date_time(),
                        "Suspended at (null if not suspended).",
                        "利用停止日時（利用中は null）。",
                    ),
                ),
                (
                    "suspended_reason",
                    prop(
                        nullable_string(),
                        "Reason of the suspension.",
                        "利用停止の理由。",
                    ),
                ),
                (
                    "created_at",
                    prop(date_time(), "Registered at.", "登録日時。"),
                ),
            ],
        ),
    );
    add("UserPage", paged("User"));
    add(
        "AuditRecord",
        object(
            &[
                "id",
                "at",
                "actor_user_id",
                "ip",
                "action",
                "subject_type",
                "subject_id",
                "detail",
            ],
            vec![
                ("id", prop(integer(), "Record id.", "記録の番号（ID）。")),
                ("at", prop(date_time(), "When.", "日時。")),
                (
                    "actor_user_id",
                    prop(
                        nullable_integer(),
                        "Who (user id).",
                        "操作した利用者の番号（ID）。",
                    ),
                ),
                (
                    "ip",
                    prop(
                        nullable_string(),
                        "From which address.",
                        "接続元IPアドレス。",
                    ),
                ),
                (
                    "action",
                    prop(
                        string(),
                        "What, as a dotted code (e.g. org.approve).",
                        "操作の種類（例：org.approve）。",
                    ),
                ),
                (
                    "subject_type",
                    prop(string(), "Kind of record acted on.", "対象の種類。"),
                ),
                (
                    "subject_id",
                    prop(
                        nullable_integer(),
                        "Id of the record acted on.",
                        "対象の番号（ID）。",
                    ),
                ),
                (
                    "detail",
                    prop(
                        json!({"type": "object"}),
                        "Details of the action.",
                        "操作の詳細。",
                    ),
                ),
            ],
        ),
    );
    add("AuditPage", paged("AuditRecord"));
    add(
        "OpenApiDocument",
        prop(
            json!({ "type": "object", "required": ["openapi", "info", "paths"] }),
            "An OpenAPI 3.1 document.",
            "OpenAPI 3.1 形式の文書。",
        ),
    );
    for (name, v) in tenders::schemas() {
        s.insert(name.to_owned(), v);
    }
    for (name, v) in bids::schemas() {
        s.insert(name.to_owned(), v);
    }
    for (name, v) in search::schemas() {
        s.insert(name.to_owned(), v);
    }
    for (name, v) in awards::schemas() {
        s.insert(name.to_owned(), v);
    }
    for (name, v) in recommendations::schemas() {
        s.insert(name.to_owned(), v);
    }
    for (name, v) in alerts::schemas() {
        s.insert(name.to_owned(), v);
    }
    for (name, v) in coordination::schemas() {
        s.insert(name.to_owned(), v);
    }
    for (name, v) in transparency::schemas() {
        s.insert(name.to_owned(), v);
    }
    Value::Object(s)
}

fn query_param(name: &str, schema: Value, en: &str, ja: &str) -> Value {
    json!({
        "name": name,
        "in": "query",
        "required": false,
        "schema": schema,
        "description": en,
        "x-description-ja": ja,
    })
}

fn parameters() -> Value {
    let mut p = Map::new();
    let mut add = |v: Value| {
        p.insert(v["name"].as_str().expect("named").to_owned(), v);
    };
    add(query_param(
        "offset",
        json!({"type": "integer", "minimum": 0, "default": 0}),
        "Records to skip.",
        "読み飛ばす件数。",
    ));
    add(query_param(
        "limit",
        json!({"type": "integer", "minimum": 1, "maximum": 200, "default": 50}),
        "Records per page.",
        "1ページあたりの件数。",
    ));
    add(query_param(
        "actor",
        integer(),
        "Only actions by this user (id).",
        "指定した利用者（番号）の操作のみ。",
    ));
    add(query_param(
        "approval",
        approvals(),
        "Only organisations with this approval status.",
        "指定した審査状況の組織のみ。",
    ));
    let mut prefecture = query_param(
        "prefecture",
        array(string()),
        "Prefecture of the head office: JIS X 0401 code (e.g. 13) or name; repeat for several.",
        "本社所在地の都道府県（JIS X 0401 のコード（例：13）または名称）。複数指定できます。",
    );
    prefecture["style"] = json!("form");
    prefecture["explode"] = json!(true);
    add(prefecture);
    add(query_param(
        "region",
        codes(Region::all().iter().map(|r| r.code())),
        "Region: all its prefectures.",
        "地方（その地方の全都道府県）。",
    ));
    add(query_param(
        "jsic",
        string(),
        "Industry (JSIC code at any level, e.g. E or 0911).",
        "業種（日本標準産業分類のコード。大分類〜細分類のいずれか。例：E、0911）。",
    ));
    add(query_param(
        "grade",
        grades(),
        "Qualification grade.",
        "競争参加資格の等級。",
    ));
    add(query_param(
        "category",
        grade_categories(),
        "Qualification category (goods, works, services).",
        "競争参加資格の区分（物品・工事・役務）。",
    ));
    add(query_param(
        "certification",
        certifications(),
        "Certification held.",
        "取得している認証。",
    ));
    add(query_param(
        "sort",
        json!({"type": "string", "enum": ["kana", "updated", "prefecture"], "default": "kana"}),
        "Order: kana (syllabary order of the name), updated (latest first), prefecture.",
        "並び順：kana（五十音順）、updated（更新の新しい順）、prefecture（都道府県順）。",
    ));
    add(query_param(
        "page",
        json!({"type": "integer", "minimum": 1, "default": 1}),
        "Page number.",
        "ページ番号。",
    ));
    add(query_param(
        "per_page",
        json!({"type": "integer", "minimum": 1, "maximum": 200, "default": 20}),
        "Companies per page.",
        "1ページあたりの件数。",
    ));
    for (key, v) in tenders::parameters() {
        p.insert(key.to_owned(), v);
    }
    for (key, v) in search::parameters() {
        p.insert(key.to_owned(), v);
    }
    for (key, v) in awards::parameters() {
        p.insert(key.to_owned(), v);
    }
    for (key, v) in recommendations::parameters() {
        p.insert(key.to_owned(), v);
    }
    for (key, v) in coordination::parameters() {
        p.insert(key.to_owned(), v);
    }
    for (key, v) in transparency::parameters() {
        p.insert(key.to_owned(), v);
    }
    Value::Object(p)
}

fn error_response(en: &str, ja: &str, codes: &[&str]) -> Value {
    let listed = codes.join(", ");
    json!({
        "description": format!("{en} Codes: {listed}."),
        "x-description-ja": format!("{ja}（コード：{}）", codes.join("、")),
        "content": { "application/json": { "schema": schema_ref("Error") } },
    })
}

fn responses() -> Value {
    let mut r = Map::new();
    for (name, _, en, ja, codes) in ERROR_RESPONSES {
        r.insert((*name).to_owned(), error_response(en, ja, codes));
    }
    Value::Object(r)
}

fn info_description() -> String {
    let mut d = String::from(
        "The JSON API of Musubi (結び), the procurement portal. Everything the pages do is also here, under /api/v1.\n\n\
         調達ポータル「結び」のJSON APIです。画面で行える操作を /api/v1 以下のAPIでも利用できます。\n\n\
         ## Authentication\n\n\
         - **API token** (bearerAuth): create a personal token on the account page (/account) or with POST /api/v1/tokens, and send `Authorization: Bearer mbk_…`. \
         A `read` token may only read; changes need a `write` (read-write) token, else 403 `token_read_only`.\n\
         - **Session cookie** (sessionCookie): POST /api/v1/auth/login sets the `musubi_session` cookie. \
         Every write (POST, PUT, PATCH, DELETE) sent with the session cookie must carry the header `X-CSRF-Token` equal to the `musubi_csrf` cookie, else 403 `csrf_failed`.\n\n\
         ## Errors\n\n\
         Every error answers `{\"error\": {\"code\": …, \"message\": …, \"fields\": {…}, \"field_codes\": {…}}}`: a stable `code`, a `message` in the request's language (`?lang=` or `Accept-Language`), \
         and for `validation_failed` a message per field in `fields` and the codes of each field's problems in `field_codes`. Codes:\n\n",
    );
    for (code, status, en, _) in ERROR_CODES {
        d.push_str(&format!("- `{code}` ({status}): {en}\n"));
    }
    d
}

fn tags() -> Value {
    TAGS.iter()
        .map(|(name, en, ja, den, dja)| {
            json!({
                "name": name,
                "description": den,
                "x-displayName": en,
                "x-displayName-ja": ja,
                "x-description-ja": dja,
            })
        })
        .collect()
}

fn is_write(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn path_parameters(path: &str, means: (&str, &str)) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            json!({
                "name": name,
                "in": "path",
                "required": true,
                "schema": { "type": "integer", "format": "int64", "minimum": 1 },
                "description": means.0,
                "x-description-ja": means.1,
            })
        })
        .collect()
}

fn security(access: Access) -> Value {
    if access == Access::Public {
        json!([])
    } else {
        json!([{ "bearerAuth": [] }, { "sessionCookie": [] }])
    }
}

fn response_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/responses/{name}") })
}

fn error_status(name: &str) -> &'static str {
    ERROR_RESPONSES
        .iter()
        .find(|r| r.0 == name)
        .map(|r| r.1)
        .unwrap_or_else(|| panic!("unknown error response {name}"))
}

/// The sentence on access that ends every operation's description.
fn access_note(access: Access, write: bool, lang: Lang) -> String {
    let (_, en, ja) = access_info(access);
    match (lang, access == Access::Public, write) {
        (Lang::En, true, _) => format!("Access: {en}."),
        (Lang::Ja, true, _) => format!("利用できる方：{ja}。"),
        (Lang::En, false, false) => {
            format!("Access: {en}. Send an API token or the session cookie.")
        }
        (Lang::Ja, false, false) => {
            format!("利用できる方：{ja}。APIトークンまたはセッションCookieを送信してください。")
        }
        (Lang::En, false, true) => format!(
            "Access: {en}. Send a write API token, or the session cookie with the X-CSRF-Token header."
        ),
        (Lang::Ja, false, true) => format!(
            "利用できる方：{ja}。参照・更新（write）のAPIトークン、またはセッションCookieと X-CSRF-Token ヘッダーを送信してください。"
        ),
    }
}

/// How to authenticate, for the page.
fn auth_label(access: Access, write: bool, lang: Lang) -> &'static str {
    match (lang, access == Access::Public, write) {
        (Lang::En, true, _) => "None needed",
        (Lang::Ja, true, _) => "不要",
        (Lang::En, false, false) => "API token (Bearer) or session cookie",
        (Lang::Ja, false, false) => "APIトークン（Bearer）またはセッションCookie",
        (Lang::En, false, true) => {
            "Write API token (Bearer), or session cookie with the X-CSRF-Token header"
        }
        (Lang::Ja, false, true) => {
            "参照・更新（write）のAPIトークン（Bearer）、またはセッションCookieと X-CSRF-Token ヘッダー"
        }
    }
}

/// The operation object for one route.
fn operation(d: &OpDoc, access: Access) -> Value {
    let access_code = access_info(access).0;
    let write = is_write(&d.method);
    let describe = |base: Option<&str>, lang: Lang| {
        let note = access_note(access, write, lang);
        match base {
            Some(b) if !b.is_empty() => format!("{b}\n\n{note}"),
            _ => note,
        }
    };
    let description_en = describe(d.description.map(|x| x.0), Lang::En);
    let description_ja = describe(d.description.map(|x| x.1), Lang::Ja);

    let mut params = path_parameters(d.path, d.id_means);
    params.extend(
        d.query
            .iter()
            .map(|q| json!({ "$ref": format!("#/components/parameters/{q}") })),
    );

    let mut responses = Map::new();
    let (status, schema, en, ja) = d.ok;
    let mut ok = json!({ "description": en, "x-description-ja": ja });
    if let Some(schema) = schema {
        ok["content"] = json!({ "application/json": { "schema": schema_ref(schema) } });
    }
    if d.file {
        // Exports say what they are; attachments are any file.
        let media = if d.path.ends_with(".csv") {
            "text/csv"
        } else {
            "application/octet-stream"
        };
        ok["content"] = json!({
            media: {
                "schema": { "type": "string", "contentMediaType": media }
            }
        });
        ok["headers"] = json!({
            "Content-Disposition": {
                "description": "attachment; filename=\"…\"; filename*=UTF-8''… (RFC 5987)",
                "schema": { "type": "string" },
            }
        });
    }
    if d.id == "login" {
        ok["headers"] = json!({
            "Set-Cookie": {
                "description": "musubi_session=…; HttpOnly; SameSite=Lax",
                "schema": { "type": "string" },
            }
        });
    }
    responses.insert(status.to_string(), ok);
    let mut errors: Vec<&str> = Vec::new();
    if d.body.is_some() || !d.query.is_empty() {
        errors.push("BadRequest");
    }
    if d.body.is_some() {
        errors.extend(["UnsupportedMediaType", "Unprocessable"]);
    }
    if d.path.contains('{') {
        errors.push("NotFound");
    }
    if access != Access::Public {
        errors.extend(["Unauthorized", "Forbidden"]);
    }
    errors.extend(d.errors.iter().copied());
    for name in errors {
        responses
            .entry(error_status(name))
            .or_insert_with(|| response_ref(name));
    }
    responses.insert("default".into(), response_ref("Unexpected"));

    let mut o = json!({
        "operationId": d.id,
        "tags": [d.tag],
        "summary": d.summary.0,
        "x-summary-ja": d.summary.1,
        "description": description_en,
        "x-description-ja": description_ja,
        "x-musubi-access": access_code,
        "security": security(access),
        "responses": responses,
    });
    if !params.is_empty() {
        o["parameters"] = Value::Array(params);
    }
    if let Some(body) = d.body {
        o["requestBody"] = json!({
            "required": !d.optional_body,
            "content": { "application/json": { "schema": schema_ref(body) } },
        });
    }
    o
}

/// A route nobody described yet: listed honestly, and caught by the tests.
fn undocumented(method: &Method, path: &str, access: Access) -> Value {
    let id: String = format!("{}{}", method.as_str().to_lowercase(), path)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let mut responses = Map::new();
    responses.insert(
        "default".into(),
        json!({ "description": "Not documented yet.", "x-description-ja": "未記載です。" }),
    );
    let mut o = json!({
        "operationId": id,
        "tags": [],
        "summary": "Undocumented",
        "x-summary-ja": "未記載",
        "x-musubi-undocumented": true,
        "x-musubi-access": access_info(access).0,
        "security": security(access),
        "responses": responses,
    });
    let params = path_parameters(path, ("Identifier.", "識別子。"));
    if !params.is_empty() {
        o["parameters"] = Value::Array(params);
    }
    o
}

/// The whole document: every `/api/v1` route of the route table, described.
fn build_document() -> Value {
    let docs = operations();
    let by_key: HashMap<(&str, &str), &OpDoc> = docs
        .iter()
        .map(|d| ((d.method.as_str(), d.path), d))
        .collect();
    let mut paths = Map::new();
    for (method, path, access) in crate::routes::table() {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        let o = match by_key.get(&(method.as_str(), path)) {
            Some(d) => operation(d, access),
            None => undocumented(&method, path, access),
        };
        let item = paths
            .entry(path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        item[method.as_str().to_lowercase()] = o;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Musubi API",
            "version": env!("CARGO_PKG_VERSION"),
            "summary": "JSON API of the Musubi procurement portal / 調達ポータル「結び」のJSON API",
            "description": info_description(),
        },
        "servers": [{ "url": "/" }],
        "tags": tags(),
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "mbk_…",
                    "description": "A personal API token (mbk_…), created on the account page /account or with POST /api/v1/tokens. Scope read (reading only) or write (reading and changing). / 個人用APIトークン（/account で作成）。",
                },
                "sessionCookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "musubi_session",
                    "description": "The session cookie set by POST /api/v1/auth/login. Writes (POST, PUT, PATCH, DELETE) with it need the header X-CSRF-Token equal to the musubi_csrf cookie. / ログインで発行されるセッションCookie。更新操作には X-CSRF-Token ヘッダー（musubi_csrf Cookie と同じ値）が必要です。",
                },
            },
            "schemas": schemas(),
            "parameters": parameters(),
            "responses": responses(),
        },
    })
}

// --- the page -----------------------------------------------------------------

/// A parameter or a request field on the page.
pub struct FieldView {
    pub name: String,
    /// "path", "query" or "" for body fields.
    pub location: &'static str,
    pub ty: String,
    pub required: bool,
    pub description: String,
}

pub struct ResponseView {
    pub status: String,
    pub description: String,
    pub schema: String,
}

pub struct OpView {
    pub anchor: String,
    pub method: String,
    pub method_class: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub access: String,
    pub auth: &'static str,
    pub public: bool,
    pub params: Vec<FieldView>,
    pub body_schema: String,
    pub body: Vec<FieldView>,
    pub responses: Vec<ResponseView>,
}

pub struct TagView {
    pub name: String,
    pub title: String,
    pub description: String,
    pub ops: Vec<OpView>,
}

/// A schema of `components/schemas`, with its fields.
pub struct SchemaView {
    pub name: String,
    pub description: String,
    pub fields: Vec<FieldView>,
}

pub struct CodeView {
    pub code: &'static str,
    pub status: u16,
    pub meaning: &'static str,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct DocsPage {
    chrome: Chrome,
    version: String,
    openapi_path: &'static str,
    tags: Vec<TagView>,
    schemas: Vec<SchemaView>,
    codes: Vec<CodeView>,
}

/// `GET /api/docs`.
async fn docs_page(chrome: Chrome) -> AppResult<Response> {
    let lang = chrome.lang;
    let doc = &document().value;
    html_page(
        lang,
        &DocsPage {
            chrome,
            version: doc["info"]["version"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            openapi_path: OPENAPI_PATH,
            tags: tag_views(doc, lang),
            schemas: schema_views(doc, lang),
            codes: ERROR_CODES
                .iter()
                .map(|(code, status, en, ja)| CodeView {
                    code,
                    status: *status,
                    meaning: if lang == Lang::Ja { ja } else { en },
                })
                .collect(),
        },
    )
}

/// The text of `v` in `lang`: `x-{key}-ja` (or `{key}-ja` for an `x-` key) in Japanese when present.
fn text(v: &Value, key: &str, lang: Lang) -> String {
    let ja = if key.starts_with("x-") {
        format!("{key}-ja")
    } else {
        format!("x-{key}-ja")
    };
    let s = match lang {
        Lang::Ja => v.get(&ja).or_else(|| v.get(key)),
        Lang::En => v.get(key),
    };
    s.and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// Follows a local `$ref`.
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix("#/")
            .map(|p| p.split('/').fold(doc, |node, seg| &node[seg]))
            .unwrap_or(&Value::Null),
        None => v,
    }
}

/// A short type for people: `string`, `integer | null`, `"read" | "write"`, `array of CatalogueItem`…
fn type_label(s: &Value) -> String {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_owned();
    }
    if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
        return any.iter().map(type_label).collect::<Vec<_>>().join(" | ");
    }
    if let Some(c) = s.get("const") {
        return c.to_string();
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        return e
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(" | ");
    }
    let types: Vec<&str> = match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    types
        .iter()
        .map(|t| match *t {
            "array" => match s.get("prefixItems").and_then(Value::as_array) {
                Some(items) => format!(
                    "[{}]",
                    items.iter().map(type_label).collect::<Vec<_>>().join(", ")
                ),
                None => format!("array of {}", type_label(&s["items"])),
            },
            "object" => match s.get("properties").and_then(Value::as_object) {
                Some(p) if !p.is_empty() => format!(
                    "object {{{}}}",
                    p.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
                _ => "object".to_owned(),
            },
            "string" => match s.get("format").and_then(Value::as_str) {
                Some(f) if f != "password" => format!("string ({f})"),
                _ => "string".to_owned(),
            },
            t => t.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn body_fields(doc: &Value, schema: &Value, lang: Lang) -> Vec<FieldView> {
    let schema = resolve(doc, schema);
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    schema["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .map(|(name, p)| FieldView {
                    name: name.clone(),
                    location: "",
                    ty: type_label(p),
                    required: required.contains(&name.as_str()),
                    description: text(p, "description", lang),
                })
                .collect()
        })
        .unwrap_or_default()
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn op_view(doc: &Value, method: &str, path: &str, o: &Value, lang: Lang) -> OpView {
    let access = o["x-musubi-access"]
        .as_str()
        .and_then(access_by_code)
        .unwrap_or(Access::SignedIn);
    let (_, access_en, access_ja) = access_info(access);
    let write = !matches!(method, "get" | "head" | "options");
    let params = o["parameters"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    let p = resolve(doc, p);
                    FieldView {
                        name: p["name"].as_str().unwrap_or_default().to_owned(),
                        location: if p["in"] == "path" { "path" } else { "query" },
                        ty: type_label(&p["schema"]),
                        required: p["required"].as_bool().unwrap_or(false),
                        description: text(p, "description", lang),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let body_schema = &o["requestBody"]["content"]["application/json"]["schema"];
    let responses = o["responses"]
        .as_object()
        .map(|rs| {
            rs.iter()
                .map(|(status, r)| {
                    let r = resolve(doc, r);
                    ResponseView {
                        status: status.clone(),
                        description: text(r, "description", lang),
                        schema: r["content"]["application/json"]["schema"]
                            .get("$ref")
                            .map(|_| type_label(&r["content"]["application/json"]["schema"]))
                            .unwrap_or_default(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    OpView {
        anchor: o["operationId"].as_str().unwrap_or_default().to_owned(),
        method: method.to_uppercase(),
        method_class: method.to_owned(),
        path: path.to_owned(),
        summary: text(o, "summary", lang),
        description: {
            // The page shows access in its own row: drop the closing note.
            let full = text(o, "description", lang);
            full.strip_suffix(access_note(access, write, lang).as_str())
                .map(|s| s.trim_end().to_owned())
                .unwrap_or(full)
        },
        access: if lang == Lang::Ja {
            access_ja
        } else {
            access_en
        }
        .to_owned(),
        auth: auth_label(access, write, lang),
        public: access == Access::Public,
        params,
        body_schema: if body_schema.is_null() {
            String::new()
        } else {
            type_label(body_schema)
        },
        body: if body_schema.is_null() {
            Vec::new()
        } else {
            body_fields(doc, body_schema, lang)
        },
        responses,
    }
}

/// Every schema of the document, in name order.
pub fn schema_views(doc: &Value, lang: Lang) -> Vec<SchemaView> {
    doc["components"]["schemas"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(name, schema)| SchemaView {
                    name: name.clone(),
                    description: text(schema, "description", lang),
                    fields: body_fields(doc, schema, lang),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The document's operations grouped by tag, in the tags' order.
pub fn tag_views(doc: &Value, lang: Lang) -> Vec<TagView> {
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    let mut tags: Vec<TagView> = doc["tags"]
        .as_array()
        .map(|ts| {
            ts.iter()
                .map(|t| TagView {
                    name: t["name"].as_str().unwrap_or_default().to_owned(),
                    title: text(t, "x-displayName", lang),
                    description: text(t, "description", lang),
                    ops: Vec::new(),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut other = TagView {
        name: "other".into(),
        title: if lang == Lang::Ja {
            "その他".into()
        } else {
            "Other".into()
        },
        description: String::new(),
        ops: Vec::new(),
    };
    for (path, item) in &paths {
        for method in METHODS {
            let Some(o) = item.get(method) else { continue };
            let view = op_view(doc, method, path, o, lang);
            let tag = o["tags"][0].as_str().unwrap_or_default();
            match tags.iter_mut().find(|t| t.name == tag) {
                Some(t) => t.ops.push(view),
                None => other.ops.push(view),
            }
        }
    }
    if !other.ops.is_empty() {
        tags.push(other);
    }
    // Within a tag, in the route table's order (which follows how the API is used).
    let order: Vec<(String, &str)> = crate::routes::table()
        .into_iter()
        .map(|(m, p, _)| (m.as_str().to_lowercase(), p))
        .collect();
    for t in &mut tags {
        t.ops.sort_by_key(|o| {
            order
                .iter()
                .position(|(m, p)| *m == o.method_class && *p == o.path)
                .unwrap_or(usize::MAX)
        });
    }
    tags.retain(|t| !t.ops.is_empty());
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_api_route_has_metadata_and_every_entry_a_route() {
        let table = crate::routes::table();
        let docs = operations();
        let mut missing = Vec::new();
        for (m, p, _) in &table {
            if p.starts_with("/api/v1/") && !docs.iter().any(|d| d.method == *m && d.path == *p) {
                missing.push(format!("{m} {p}"));
            }
        }
        assert!(
            missing.is_empty(),
            "API routes without an entry in api_docs::operations(): {missing:?}"
        );
        for d in &docs {
            assert!(
                table.iter().any(|(m, p, _)| *m == d.method && *p == d.path),
                "api_docs::operations() describes {} {}, which is not a route",
                d.method,
                d.path
            );
            for name in d.errors {
                error_status(name);
            }
        }
        let ids: std::collections::BTreeSet<_> = docs.iter().map(|d| d.id).collect();
        assert_eq!(ids.len(), docs.len(), "operationIds are unique");
    }

    #[test]
    fn every_tag_and_schema_used_exists() {
        let doc = &document().value;
        let tag_names: Vec<&str> = TAGS.iter().map(|t| t.0).collect();
        for d in operations() {
            assert!(tag_names.contains(&d.tag), "unknown tag {}", d.tag);
            for s in d.body.iter().chain(d.ok.1.iter()) {
                assert!(doc["components"]["schemas"].get(*s).is_some(), "{s}");
            }
            for q in d.query {
                assert!(doc["components"]["parameters"].get(*q).is_some(), "{q}");
            }
        }
    }

    #[test]
    fn page_views_cover_every_operation() {
        let doc = &document().value;
        for lang in [Lang::Ja, Lang::En] {
            let tags = tag_views(doc, lang);
            let n: usize = tags.iter().map(|t| t.ops.len()).sum();
            let expected: usize = doc["paths"]
                .as_object()
                .unwrap()
                .values()
                .map(|i| i.as_object().unwrap().len())
                .sum();
            assert_eq!(n, expected);
            assert!(tags.iter().all(|t| t.name != "other"));
        }
        let tags = tag_views(doc, Lang::Ja);
        let register = tags[0]
            .ops
            .iter()
            .find(|o| o.path == "/api/v1/auth/register")
            .unwrap();
        assert_eq!(register.summary, "利用者登録");
        assert!(
            register
                .body
                .iter()
                .any(|f| f.name == "email" && f.required)
        );
    }

    #[test]
    fn type_labels() {
        assert_eq!(
            type_label(&json!({"type": ["string", "null"]})),
            "string | null"
        );
        assert_eq!(
            type_label(&json!({"type": "string", "enum": ["read", "write"]})),
            "\"read\" | \"write\""
        );
        assert_eq!(
            type_label(&json!({"type": "array", "items": {"$ref": "#/components/schemas/X"}})),
            "array of X"
        );
    }
}
