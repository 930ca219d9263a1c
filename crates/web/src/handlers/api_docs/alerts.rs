//! Alerts in the API description: saved searches (検索条件の保存) with their
//! alerts, the notification inbox with read state, and the mail setting.

use http::Method;
use serde_json::{Value, json};

use super::{
    OpDoc, array, boolean, codes, date_time, integer, nullable_date_time, object, op, prop,
    schema_ref, string,
};

/// The alert operations (see [`super::operations`]).
pub(super) fn operations() -> Vec<OpDoc> {
    use Method as M;
    vec![
        op(M::GET, "/api/v1/saved-searches", "listSavedSearches", "alerts", "Your saved searches", "保存した検索条件の一覧")
            .describe(
                "For anyone signed in. Your saved searches, oldest first, each with its Atom feed address (a secret link: anyone who has it reads the feed).",
                "ログインした方が利用できます。保存した検索条件を古い順に返します。各条件の Atom フィードのアドレス（知っている人は誰でも読めるリンクです）を含みます。",
            )
            .ok(200, "SavedSearchList", "The saved searches.", "保存した検索条件。"),
        op(M::POST, "/api/v1/saved-searches", "createSavedSearch", "alerts", "Save a search with alerts", "検索条件の保存")
            .describe(
                "For anyone signed in. query is the tender search's query string, exactly as GET /api/v1/search/tenders takes it (q=清掃&prefecture=13 …; page, per_page and sort are ignored); a query that search would refuse is refused here with 422 (fields.query), and so is one without words or filters (empty_search). Every newly published tender the search finds then alerts you once: at once (frequency instant) or in one digest at 7:00 Japan time (daily), in your notifications and, with email true, by mail in your language. 409 saved_search_limit beyond 50 saved searches.",
                "ログインした方が利用できます。query には案件検索（GET /api/v1/search/tenders）と同じ形式の検索条件を指定します（q=清掃&prefecture=13 など。page・per_page・sort は無視します）。検索でエラーとなる条件、およびキーワードも絞り込みもない条件は 422（fields.query、empty_search）を返します。保存後、条件に一致する案件が新たに公告されるたびに、即時（instant）または毎日7時のまとめ（daily）で、お知らせ一覧と（email が true の場合）メールでお知らせします。1件の案件のお知らせは1回です。保存できるのは50件までです（超えると 409 saved_search_limit）。",
            )
            .body("SavedSearchInput")
            .ok(201, "SavedSearch", "The saved search.", "保存した検索条件。")
            .errors(&["Conflict", "Unprocessable"]),
        op(M::GET, "/api/v1/saved-searches/{id}", "getSavedSearch", "alerts", "A saved search", "保存した検索条件の取得")
            .describe(
                "For its owner (404 for anyone else).",
                "保存した本人が取得できます（その他の方には404）。",
            )
            .id_is("The saved search's id.", "検索条件の番号（ID）。")
            .ok(200, "SavedSearch", "The saved search.", "保存した検索条件。"),
        op(M::PATCH, "/api/v1/saved-searches/{id}", "updateSavedSearch", "alerts", "Change a saved search", "保存した検索条件の変更")
            .describe(
                "For its owner. name, frequency (instant, daily, none) and email; fields left out keep their value. The search itself is not changed: save a new one.",
                "保存した本人が変更できます。名前（name）、通知の頻度（frequency：instant・daily・none）、メール（email）を変更します。省略した項目は変更しません。検索条件そのものは変更できません（新たに保存してください）。",
            )
            .id_is("The saved search's id.", "検索条件の番号（ID）。")
            .body("SavedSearchPatch")
            .ok(200, "SavedSearch", "The saved search as changed.", "変更後の検索条件。")
            .errors(&["Unprocessable"]),
        op(M::DELETE, "/api/v1/saved-searches/{id}", "deleteSavedSearch", "alerts", "Delete a saved search", "保存した検索条件の削除")
            .describe(
                "For its owner. Its alerts stop; notifications already sent stay in the inbox.",
                "保存した本人が削除できます。以後のお知らせは止まります。お知らせ一覧の既存の項目は残ります。",
            )
            .id_is("The saved search's id.", "検索条件の番号（ID）。")
            .no_content("Deleted.", "削除しました。"),
        op(M::GET, "/api/v1/me/notifications", "listNotifications", "alerts", "Your notifications, with read state", "お知らせ一覧（既読状態つき）")
            .describe(
                "For anyone signed in. Your notifications, newest first: amendments (訂正), cancellations (中止), results (開札) and awards (落札) of tenders you applied for, bid on, asked about or favourited; new tenders matching your saved searches; coordinators' introductions. Each with its text in both languages and whether it was read; unread counts them all. 400 invalid_per_page for a per_page outside 1–100.",
                "ログインした方が利用できます。お知らせを新しい順に返します。参加申請・入札・質問・お気に入りの案件の訂正、中止、開札結果、落札、保存した検索条件に一致する新着案件、コーディネーターからの紹介などです。各項目は日英の文面と既読状態を含みます。unread は未読の件数です。per_page が1〜100でない場合は 400 invalid_per_page を返します。",
            )
            .query(&["page", "per_page"])
            .ok(200, "NotificationPage", "One page of notifications.", "お知らせ（1ページ分）。"),
        op(M::POST, "/api/v1/me/notifications/read", "markNotificationsRead", "alerts", "Mark notifications read", "お知らせを既読にする")
            .describe(
                "For anyone signed in. {\"ids\": [..]} marks those of yours (up to 1,000; others' ids are ignored), {} marks all. Answers how many changed and how many stay unread.",
                "ログインした方が利用できます。{\"ids\": [..]} で指定したお知らせ（1,000件まで。他の方のものは無視します）を、{} ですべてを既読にします。既読にした件数と残りの未読件数を返します。",
            )
            .body("NotificationsRead")
            .ok(200, "NotificationsReadResult", "What changed.", "結果。"),
        op(M::GET, "/api/v1/me/notification-settings", "getNotificationSettings", "alerts", "Your mail setting for notifications", "お知らせメールの設定の取得")
            .describe(
                "For anyone signed in. event_mail: whether notifications about tenders (訂正, 中止, 開札, 落札 …) also come by mail. Saved searches have their own email setting.",
                "ログインした方が利用できます。event_mail は案件のお知らせ（訂正・中止・開札・落札など）をメールでも受け取るかどうかです。保存した検索条件のメールは条件ごとに設定します。",
            )
            .ok(200, "NotificationSettings", "The setting.", "設定。"),
        op(M::PUT, "/api/v1/me/notification-settings", "putNotificationSettings", "alerts", "Change your mail setting for notifications", "お知らせメールの設定の変更")
            .describe(
                "For anyone signed in. {\"event_mail\": false} stops mail about tenders (the one-click unsubscribe link in such mail does the same).",
                "ログインした方が利用できます。{\"event_mail\": false} で案件のお知らせメールを停止します（メール内のワンクリック配信停止リンクと同じです）。",
            )
            .body("NotificationSettings")
            .ok(200, "NotificationSettings", "The setting.", "設定。"),
    ]
}

fn frequency() -> Value {
    prop(
        codes(["instant", "daily", "none"]),
        "instant: one alert per new tender as it is published; daily: one digest at 7:00 Japan time; none: kept, no alerts.",
        "instant：公告のたびに1件ずつ、daily：毎日7時（日本時間）にまとめて、none：保存のみ（お知らせなし）。",
    )
}

/// The alert schemas of `components/schemas`.
pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "SavedSearch",
            object(
                &[
                    "id",
                    "name",
                    "query",
                    "frequency",
                    "email",
                    "feed_url",
                    "search_url",
                    "created_at",
                    "updated_at",
                ],
                vec![
                    ("id", prop(integer(), "Its id.", "番号（ID）。")),
                    ("name", prop(string(), "Its name.", "名前。")),
                    (
                        "query",
                        prop(
                            string(),
                            "The search as a query string of GET /api/v1/search/tenders.",
                            "検索条件（GET /api/v1/search/tenders の形式）。",
                        ),
                    ),
                    ("frequency", frequency()),
                    (
                        "email",
                        prop(
                            boolean(),
                            "Alerts also by mail.",
                            "メールでもお知らせするか。",
                        ),
                    ),
                    (
                        "feed_url",
                        prop(
                            string(),
                            "Its Atom feed (a secret link).",
                            "Atom フィードのアドレス（秘密のリンク）。",
                        ),
                    ),
                    (
                        "search_url",
                        prop(
                            string(),
                            "The search on the site.",
                            "サイトでの検索結果のアドレス。",
                        ),
                    ),
                    (
                        "created_at",
                        prop(date_time(), "When it was saved.", "保存日時。"),
                    ),
                    (
                        "updated_at",
                        prop(date_time(), "Last change.", "最終変更日時。"),
                    ),
                ],
            ),
        ),
        (
            "SavedSearchList",
            object(
                &["items"],
                vec![(
                    "items",
                    prop(
                        array(schema_ref("SavedSearch")),
                        "Oldest first.",
                        "古い順。",
                    ),
                )],
            ),
        ),
        (
            "SavedSearchInput",
            object(
                &["query"],
                vec![
                    (
                        "name",
                        prop(
                            string(),
                            "Up to 100 characters; empty: the search words.",
                            "100文字以内。省略時は検索語。",
                        ),
                    ),
                    (
                        "query",
                        prop(
                            string(),
                            "The search, as GET /api/v1/search/tenders takes it.",
                            "検索条件（GET /api/v1/search/tenders の形式）。",
                        ),
                    ),
                    ("frequency", frequency()),
                    (
                        "email",
                        prop(
                            json!({ "type": "boolean", "default": true }),
                            "Alerts also by mail.",
                            "メールでもお知らせするか。",
                        ),
                    ),
                ],
            ),
        ),
        (
            "SavedSearchPatch",
            object(
                &[],
                vec![
                    (
                        "name",
                        prop(string(), "Up to 100 characters.", "100文字以内。"),
                    ),
                    ("frequency", frequency()),
                    (
                        "email",
                        prop(
                            boolean(),
                            "Alerts also by mail.",
                            "メールでもお知らせするか。",
                        ),
                    ),
                ],
            ),
        ),
        (
            "Notification",
            object(
                &[
                    "id",
                    "kind",
                    "text_ja",
                    "text_en",
                    "detail",
                    "created_at",
                    "read",
                ],
                vec![
                    ("id", prop(integer(), "Its id.", "番号（ID）。")),
                    (
                        "kind",
                        prop(
                            string(),
                            "tender_deadline_changed, tender_amended, tender_cancelled, question_answered, application_accepted, application_rejected, nominated, tender_opened, tender_awarded, tender_unsuccessful, saved_search_match, tender_shared, supplier_recommended, recommended_to_apply. New kinds may be added.",
                            "種類。今後追加される場合があります。",
                        ),
                    ),
                    (
                        "text_ja",
                        prop(string(), "What it says, in Japanese.", "文面（日本語）。"),
                    ),
                    (
                        "text_en",
                        prop(string(), "What it says, in English.", "文面（英語）。"),
                    ),
                    (
                        "tender_id",
                        prop(
                            json!({ "type": ["integer", "null"] }),
                            "The tender it is about.",
                            "対象の案件番号。",
                        ),
                    ),
                    (
                        "tender_url",
                        prop(
                            json!({ "type": ["string", "null"] }),
                            "The tender's page.",
                            "案件のページ。",
                        ),
                    ),
                    (
                        "detail",
                        prop(
                            json!({ "type": "object" }),
                            "Kind-specific facts (title, saved_search_id …).",
                            "種類ごとの情報（title、saved_search_id など）。",
                        ),
                    ),
                    (
                        "created_at",
                        prop(date_time(), "When it happened.", "日時。"),
                    ),
                    (
                        "read",
                        prop(boolean(), "Whether it was read.", "既読かどうか。"),
                    ),
                    (
                        "read_at",
                        prop(
                            nullable_date_time(),
                            "When it was read.",
                            "既読にした日時。",
                        ),
                    ),
                ],
            ),
        ),
        (
            "NotificationPage",
            object(
                &["total", "unread", "page", "per_page", "items"],
                vec![
                    (
                        "total",
                        prop(integer(), "All your notifications.", "お知らせの総数。"),
                    ),
                    ("unread", prop(integer(), "Unread ones.", "未読の件数。")),
                    (
                        "page",
                        prop(integer(), "This page (from 1).", "ページ番号（1から）。"),
                    ),
                    (
                        "per_page",
                        prop(integer(), "Items per page.", "1ページの件数。"),
                    ),
                    (
                        "items",
                        prop(
                            array(schema_ref("Notification")),
                            "Newest first.",
                            "新しい順。",
                        ),
                    ),
                ],
            ),
        ),
        (
            "NotificationsRead",
            object(
                &[],
                vec![(
                    "ids",
                    prop(
                        array(integer()),
                        "Which; omitted: all.",
                        "対象の番号。省略時はすべて。",
                    ),
                )],
            ),
        ),
        (
            "NotificationsReadResult",
            object(
                &["marked", "unread"],
                vec![
                    (
                        "marked",
                        prop(integer(), "How many became read.", "既読にした件数。"),
                    ),
                    (
                        "unread",
                        prop(integer(), "How many stay unread.", "残りの未読件数。"),
                    ),
                ],
            ),
        ),
        (
            "NotificationSettings",
            object(
                &["event_mail"],
                vec![(
                    "event_mail",
                    prop(
                        boolean(),
                        "Tender notifications also by mail.",
                        "案件のお知らせをメールでも受け取るか。",
                    ),
                )],
            ),
        ),
    ]
}
