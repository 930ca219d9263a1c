//! The tender operations of the API description: what each `/api/v1`
//! tender route takes and answers, its schemas and query parameters.

use http::Method;
use musubi_domain::Region;
use serde_json::{Value, json};

use super::{
    OpDoc, array, boolean, certifications, codes, date_time, grades, integer, nullable_date_time,
    nullable_integer, nullable_string, object, op, prop, query_param, schema_ref, string,
};

/// The tender operations (see [`super::operations`]).
pub(super) fn operations() -> Vec<OpDoc> {
    use Method as M;
    vec![
        op(M::GET, "/api/v1/tenders", "listTenders", "tenders", "Search published tenders", "案件の検索")
            .describe(
                "Public. Published tenders (never drafts), the most recently published first; filters combine with AND. status=open lists those still taking part (published to accepting submissions).",
                "公開情報です。公告済みの案件（下書きを除く）を公告日の新しい順に返します。各条件はすべてを満たすもの（AND）を検索します。status=open は参加受付中の案件（公告中〜受付中）です。",
            )
            .query(&["tender_kind", "tender_category", "tender_status", "tender_prefecture", "tender_buyer", "page", "tender_per_page"])
            .ok(200, "TenderPage", "One page of tenders.", "検索結果（1ページ分）。"),
        op(M::POST, "/api/v1/tenders", "createTender", "tenders", "Post a tender (as a draft)", "案件の登録（下書き）")
            .describe(
                "For approved buyers. Saves a draft that only your organisation sees; publish it with POST /api/v1/tenders/{id}/publish. Every field is checked at once: validation_failed lists each field at fault in fields and field_codes (e.g. schedule_out_of_order, schedule_publication_period_too_short). Instants are RFC 3339, or Japan local time as 2026-12-01T17:00.",
                "承認済みの発注機関が行えます。自機関のみが閲覧できる下書きとして保存します。公告は POST /api/v1/tenders/{id}/publish で行います。全項目を一度に検査し、誤りは fields と field_codes に項目ごとに示します（例：schedule_out_of_order、schedule_publication_period_too_short）。日時は RFC 3339、または日本時間の 2026-12-01T17:00 形式で指定します。",
            )
            .body("TenderInput")
            .ok(201, "Tender", "The draft.", "登録した下書き。"),
        op(M::GET, "/api/v1/tenders/{id}", "getTender", "tenders", "A tender", "案件の取得")
            .describe(
                "Public for published tenders; a draft only for its buyer (404 for anyone else). The reserve price is absent until opening unless published in advance (reserve_price_sealed), the minimum price until opening.",
                "公告済みの案件は公開情報です。下書きは発注機関のみが取得できます（その他の方には404）。予定価格は事前公表の場合を除き開札まで、最低制限価格は開札まで含みません（reserve_price_sealed）。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .ok(200, "Tender", "The tender.", "案件。"),
        op(M::PATCH, "/api/v1/tenders/{id}", "updateTender", "tenders", "Edit a draft or amend a tender (訂正)", "案件の編集・訂正")
            .describe(
                "For the buyer. Fields left out keep their value. A draft changes in place; a published tender is amended (訂正) until its submission deadline: reason is required, a new version is saved with the fields changed, and participants are notified. After the deadline: 409 tender_not_editable. Give version (or a draft's updated_at) to refuse a concurrent change with 409 stale_version.",
                "発注機関が行えます。省略した項目は変更しません。下書きはそのまま更新します。公告済みの案件は提出締切まで訂正でき、訂正理由（reason）が必須です。新しい版として変更箇所とともに記録し、参加者に通知します。締切後は 409 tender_not_editable を返します。version（下書きは updated_at）を指定すると、他の更新と競合した場合に 409 stale_version を返します。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .body("TenderInput")
            .ok(200, "Tender", "The tender as saved.", "保存後の案件。")
            .errors(&["Conflict"]),
        op(M::POST, "/api/v1/tenders/{id}/publish", "publishTender", "tenders", "Publish a draft (公告)", "案件の公告")
            .describe(
                "For the buyer. The publication time is now; the schedule is checked again against it (422 if, for instance, the 公告期間 has become too short).",
                "発注機関が行えます。公告日時は現在時刻となり、日程を改めて検査します（公告期間が不足した場合などは422）。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .ok(200, "Tender", "The published tender.", "公告した案件。")
            .errors(&["Conflict", "Unprocessable"]),
        op(M::POST, "/api/v1/tenders/{id}/cancel", "cancelTender", "tenders", "Cancel a tender (中止)", "案件の中止")
            .describe(
                "For the buyer, with a reason, which is published and sent to everyone who took part. A draft cannot be cancelled; a finished tender neither.",
                "発注機関が行えます。中止理由は案件に掲載され、参加者に通知されます。下書きおよび終了した案件は中止できません。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .body("CancelRequest")
            .ok(200, "Tender", "The cancelled tender.", "中止した案件。")
            .errors(&["Conflict"]),
        op(M::GET, "/api/v1/tenders/{id}/versions", "listTenderVersions", "tenders", "A tender's versions (訂正履歴)", "案件の版（訂正履歴）")
            .describe(
                "Every published version, oldest first, each with its reason and the fields changed from the one before. Sealed prices are absent as in the tender.",
                "公告後の各版を古い順に返します。訂正理由と、直前の版からの変更箇所を含みます。非公表の価格は案件と同様に含みません。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .ok(200, "TenderVersions", "The versions.", "各版。"),
        op(M::GET, "/api/v1/tenders/{id}/transitions", "listTenderTransitions", "tenders", "A tender's life-cycle steps", "案件の経過")
            .describe(
                "Every step (公告, 受付開始, 締切, 開札, 中止…) with the instant it took effect.",
                "公告・受付開始・締切・開札・中止などの各手続と、その日時を返します。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .ok(200, "TransitionList", "The steps, in order.", "経過（古い順）。"),
        op(M::GET, "/api/v1/tenders/{id}/questions", "listQuestions", "tenders", "Questions and answers (質疑応答)", "質疑応答の取得")
            .describe(
                "Answered questions for everyone, without who asked; your organisation's unanswered ones too; the buyer sees all, with the asking organisation.",
                "回答済みの質問はどなたでも取得できます（質問者は含みません）。自社の未回答の質問も返します。発注機関はすべての質問を質問者とともに取得できます。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .ok(200, "QuestionList", "The questions.", "質問の一覧。"),
        op(M::POST, "/api/v1/tenders/{id}/questions", "askQuestion", "tenders", "Ask a question", "質問の送信")
            .describe(
                "For suppliers, until the question deadline (409 questions_closed afterwards). Only the buyer sees it until it is answered.",
                "受注者が質問受付期限まで行えます（期限後は 409 questions_closed）。回答されるまでは発注機関のみが閲覧できます。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .body("QuestionRequest")
            .ok(201, "Question", "The question.", "送信した質問。")
            .errors(&["Conflict"]),
        op(M::POST, "/api/v1/tenders/{id}/questions/{qid}/answer", "answerQuestion", "tenders", "Answer a question", "質問への回答")
            .describe(
                "For the buyer. The answer is published with the question, without who asked; answering again corrects it. The asker is notified.",
                "発注機関が行えます。回答は質問とともに、質問者名を伏せて公開されます。再度回答すると修正になります。質問者に通知します。",
            )
            .id_is("The tender's id (id) and the question's id (qid).", "案件の番号（id）と質問の番号（qid）。")
            .body("AnswerRequest")
            .ok(200, "Question", "The answered question.", "回答した質問。")
            .errors(&["Conflict"]),
        op(M::GET, "/api/v1/tenders/{id}/applications", "listApplications", "tenders", "Applications and nominations", "参加申請・指名の一覧")
            .describe(
                "All of them for the buyer; your organisation's own for a supplier; none for anyone else.",
                "発注機関にはすべて、受注者には自社の申請のみを返します。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .ok(200, "ApplicationList", "The applications.", "申請の一覧。"),
        op(M::POST, "/api/v1/tenders/{id}/applications", "applyOrNominate", "tenders", "Apply (参加申請), or nominate (指名)", "参加申請・指名")
            .describe(
                "A supplier applies (no body needed): its registered profile is checked against the eligibility, and each requirement missed is named (422 validation_failed, field eligibility, field_codes eligibility_location, eligibility_grade, eligibility_industry, eligibility_certification). The buyer of a selective tender (指名競争) nominates a supplier with {\"supplier\": id}.",
                "受注者は本文なしで参加申請できます。登録済みの企業情報で参加資格を確認し、満たさない要件をすべて示します（422 validation_failed、項目 eligibility、field_codes は eligibility_location・eligibility_grade・eligibility_industry・eligibility_certification）。指名競争の案件では、発注機関が {\"supplier\": 企業の番号} で企業を指名します。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .body("ApplicationRequest")
            .optional_body()
            .ok(201, "Application", "The application or nomination.", "申請または指名。")
            .errors(&["Conflict"]),
        op(M::POST, "/api/v1/tenders/{id}/applications/{aid}/decision", "decideApplication", "tenders", "Accept (指名) or decline (非指名) an application", "参加申請の審査（指名・非指名）")
            .describe(
                "For the buyer, once per pending application (409 already_decided). The supplier is notified, with the reason if given.",
                "発注機関が、審査中の申請ごとに一度行えます（処理済みの場合は 409 already_decided）。理由を付した場合は理由とともに申請者に通知します。",
            )
            .id_is("The tender's id (id) and the application's id (aid).", "案件の番号（id）と申請の番号（aid）。")
            .body("ApplicationDecision")
            .ok(200, "Application", "The decided application.", "審査後の申請。")
            .errors(&["Conflict"]),
        op(M::GET, "/api/v1/tenders/{id}/attachments", "listAttachments", "tenders", "A tender's documents", "添付資料の一覧")
            .describe(
                "Public, with size and SHA-256 of every file; superseded files stay listed (superseded_by). Downloading needs sign-in.",
                "公開情報です。各ファイルのサイズと SHA-256 を含みます。差し替えられた旧版も掲載を続けます（superseded_by）。ダウンロードにはログインが必要です。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .ok(200, "AttachmentList", "The documents, oldest first.", "添付資料（古い順）。"),
        op(M::POST, "/api/v1/tenders/{id}/attachments", "uploadAttachment", "tenders", "Attach a document", "資料の添付")
            .describe(
                "For the buyer. Send multipart/form-data with the fields file, title and replaces (the id of the document it supersedes), or the file itself as the body with ?filename=&title=&replaces=. Up to 20 MB (413 attachment_too_large); PDF, Office, images, ZIP, DWG/DXF, text and CSV, checked by content (422 attachment_type_refused, attachment_content_mismatch).",
                "発注機関が行えます。multipart/form-data（項目 file・title・replaces（差し替える資料の番号））、またはファイルそのものを本文として ?filename=&title=&replaces= を付けて送信します。1ファイル20 MBまで（超える場合は 413 attachment_too_large）。PDF・Office文書・画像・ZIP・DWG/DXF・テキスト・CSVに限り、内容も確認します（422 attachment_type_refused、attachment_content_mismatch）。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .query(&["attachment_filename", "attachment_title", "attachment_replaces"])
            .ok(201, "Attachment", "The stored document.", "添付した資料。")
            .errors(&["Unprocessable", "Conflict", "AttachmentTooLarge"]),
        op(M::GET, "/api/v1/tenders/{id}/attachments/{aid}", "downloadAttachment", "tenders", "Download a document", "資料のダウンロード")
            .describe(
                "For signed-in people who may see the tender. The file comes with its type, Content-Disposition (RFC 5987 filename*) and X-Content-Type-Options: nosniff.",
                "案件を閲覧できるログイン中の方が利用できます。ファイル形式、Content-Disposition（RFC 5987 の filename*）、X-Content-Type-Options: nosniff を付して返します。",
            )
            .id_is("The tender's id (id) and the document's id (aid).", "案件の番号（id）と資料の番号（aid）。")
            .file_response("The file.", "ファイル。"),
        op(M::PUT, "/api/v1/tenders/{id}/favourite", "favouriteTender", "tenders", "Add a tender to your favourites", "案件のお気に入り登録")
            .describe("Idempotent. Favourites appear in GET /api/v1/me/tenders, and you hear about amendments.", "同じ案件を重ねて登録しても結果は変わりません。マイ案件に表示され、訂正等の通知を受け取れます。")
            .id_is("The tender's id.", "案件の番号（ID）。")
            .no_content("Added.", "登録しました。"),
        op(M::DELETE, "/api/v1/tenders/{id}/favourite", "unfavouriteTender", "tenders", "Remove a tender from your favourites", "案件のお気に入り解除")
            .describe("Idempotent.", "登録されていない案件を指定しても結果は変わりません。")
            .id_is("The tender's id.", "案件の番号（ID）。")
            .no_content("Removed.", "解除しました。"),
        op(M::GET, "/api/v1/buyer/tenders", "listBuyerTenders", "tenders", "Your organisation's tenders", "自機関の案件一覧")
            .describe("For approved buyers: drafts included, most recently updated first.", "承認済みの発注機関向けです。下書きを含め、更新の新しい順に返します。")
            .query(&["page", "tender_per_page"])
            .ok(200, "TenderPage", "One page of tenders.", "案件の一覧（1ページ分）。"),
        op(M::GET, "/api/v1/me/tenders", "listMyTenders", "tenders", "Your tenders (マイ案件)", "マイ案件")
            .describe("Tenders you favourited, your organisation applied for or asked about, most recently updated first.", "お気に入りに登録した案件、自社が参加申請または質問した案件を、更新の新しい順に返します。")
            .query(&["page", "tender_per_page"])
            .ok(200, "TenderPage", "One page of tenders.", "案件の一覧（1ページ分）。"),
        op(M::GET, "/api/v1/me/events", "listMyEvents", "tenders", "Your notifications", "お知らせ（通知）の一覧")
            .describe(
                "What happened to tenders you take part in (amendments, deadline changes, cancellations, answers, decisions, nominations), newest first.",
                "参加している案件の訂正・日程変更・中止、質問への回答、申請の審査結果、指名などのお知らせを新しい順に返します。",
            )
            .query(&["page", "tender_per_page"])
            .ok(200, "EventPage", "One page of notifications.", "お知らせ（1ページ分）。"),
    ]
}

/// The fields of a tender's content, as the API answers them.
fn tender_content_props() -> Vec<(&'static str, Value)> {
    use musubi_domain::tender::{
        AwardMethod, Category, ContractMethod, ReservePricePublication, TenderKind,
    };
    let date = json!({ "type": ["string", "null"], "format": "date" });
    vec![
        (
            "kind",
            prop(
                codes(TenderKind::ALL.iter().map(|k| k.code())),
                "Kind: rfq (見積依頼), sealed_bid (入札), proposal (企画提案), need (ニーズ・課題).",
                "案件種別。",
            ),
        ),
        ("title", prop(string(), "Title (件名).", "件名。")),
        (
            "summary",
            prop(
                string(),
                "Summary: plain text with paragraphs.",
                "概要（段落を含むテキスト）。",
            ),
        ),
        (
            "category",
            prop(
                codes(Category::ALL.iter().map(|k| k.code())),
                "What is bought: goods (物品), works (工事), services (役務).",
                "区分（物品・工事・役務）。",
            ),
        ),
        (
            "jsic",
            prop(
                array(string()),
                "Industry codes (JSIC).",
                "業種（日本標準産業分類のコード）。",
            ),
        ),
        (
            "place",
            prop(
                string(),
                "Place of performance: online, a prefecture code (13) or a municipality code (131016).",
                "履行場所：online、都道府県コード（例：13）または市区町村コード（例：131016）。",
            ),
        ),
        (
            "place_detail",
            prop(string(), "Place details.", "履行場所の詳細。"),
        ),
        (
            "performance_start",
            prop(
                date.clone(),
                "Performance period, first day.",
                "履行期間（開始日）。",
            ),
        ),
        (
            "performance_end",
            prop(
                date,
                "Performance period, last day.",
                "履行期間（終了日）。",
            ),
        ),
        (
            "method",
            prop(
                codes(ContractMethod::ALL.iter().map(|k| k.code())),
                "Contract method: open (一般競争), selective (指名競争), selective_by_application (希望制指名), direct (随意契約).",
                "契約方法。",
            ),
        ),
        (
            "eligible_prefectures",
            prop(
                array(string()),
                "Location requirement: prefecture codes.",
                "所在地要件（都道府県コード）。",
            ),
        ),
        (
            "eligible_regions",
            prop(
                array(codes(Region::all().iter().map(|r| r.code()))),
                "Location requirement: regions.",
                "所在地要件（地方）。",
            ),
        ),
        (
            "eligible_grades",
            prop(
                array(grades()),
                "Grade requirement in the tender's category (any of these).",
                "等級要件（案件の区分における等級のいずれか）。",
            ),
        ),
        (
            "eligible_jsic",
            prop(
                array(string()),
                "Industry requirement (JSIC codes).",
                "業種要件（日本標準産業分類のコード）。",
            ),
        ),
        (
            "required_certifications",
            prop(
                array(certifications()),
                "Certifications required (all of them).",
                "資格要件（すべて必要）。",
            ),
        ),
        (
            "publish_at",
            prop(
                date_time(),
                "Publication (公告日時), RFC 3339 UTC.",
                "公告日時（RFC 3339、UTC）。",
            ),
        ),
        (
            "application_opens_at",
            prop(
                nullable_date_time(),
                "Applications open (希望制指名 only).",
                "参加申請受付開始日時（希望制指名のみ）。",
            ),
        ),
        (
            "application_closes_at",
            prop(
                nullable_date_time(),
                "Application deadline (希望制指名 only).",
                "参加申請締切日時（希望制指名のみ）。",
            ),
        ),
        (
            "questions_until",
            prop(
                date_time(),
                "Question deadline (exclusive).",
                "質問受付期限。",
            ),
        ),
        (
            "submission_opens_at",
            prop(date_time(), "Submissions open.", "提出受付開始日時。"),
        ),
        (
            "submission_closes_at",
            prop(
                date_time(),
                "Submission deadline (exclusive).",
                "提出締切日時。",
            ),
        ),
        (
            "opening_at",
            prop(date_time(), "Opening (開札日時).", "開札日時。"),
        ),
        (
            "reserve_price",
            prop(
                integer(),
                "Reserve price (予定価格) in yen, tax excluded; absent when not set or not yet public.",
                "予定価格（円・税抜）。設定がない場合および公表前は含みません。",
            ),
        ),
        (
            "reserve_price_publication",
            prop(
                codes(ReservePricePublication::ALL.iter().map(|k| k.code())),
                "When the reserve price is published: in_advance (事前公表) or at_opening (事後公表).",
                "予定価格の公表時期（事前公表・事後公表）。",
            ),
        ),
        (
            "minimum_price",
            prop(
                integer(),
                "Minimum price (最低制限価格) in yen, tax excluded; absent until opening (and when not set).",
                "最低制限価格（円・税抜）。開札前および設定がない場合は含みません。",
            ),
        ),
        (
            "award_method",
            prop(
                codes(AwardMethod::ALL.iter().map(|k| k.code())),
                "How the winner is chosen.",
                "落札者決定方式。",
            ),
        ),
        (
            "contact_department",
            prop(
                string(),
                "Contact: department.",
                "問い合わせ先（担当部署）。",
            ),
        ),
        (
            "contact_person",
            prop(string(), "Contact: person.", "問い合わせ先（担当者）。"),
        ),
        (
            "contact_email",
            prop(
                string(),
                "Contact: e-mail.",
                "問い合わせ先（メールアドレス）。",
            ),
        ),
        (
            "contact_phone",
            prop(string(), "Contact: phone.", "問い合わせ先（電話番号）。"),
        ),
    ]
}

const TENDER_CONTENT_REQUIRED: &[&str] = &[
    "kind",
    "title",
    "summary",
    "category",
    "jsic",
    "place",
    "method",
    "publish_at",
    "questions_until",
    "submission_opens_at",
    "submission_closes_at",
    "opening_at",
    "reserve_price_publication",
    "award_method",
];

fn id_name(en: &str, ja: &str) -> Value {
    prop(
        object(
            &["id", "name"],
            vec![
                ("id", prop(integer(), "Id.", "番号（ID）。")),
                ("name", prop(string(), "Name.", "名称。")),
            ],
        ),
        en,
        ja,
    )
}

fn items_of(schema: &str, en: &str, ja: &str) -> Value {
    object(
        &["items"],
        vec![("items", prop(array(schema_ref(schema)), en, ja))],
    )
}

fn page_of(schema: &str) -> Value {
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
                prop(integer(), "Records per page.", "1ページあたりの件数。"),
            ),
            (
                "items",
                prop(
                    array(schema_ref(schema)),
                    "This page's records.",
                    "このページの項目。",
                ),
            ),
        ],
    )
}

fn tender_statuses() -> Value {
    use musubi_domain::tender::TenderStatus;
    codes(TenderStatus::ALL.iter().map(|s| s.code()))
}

/// The tender schemas of `components/schemas`.
pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    use musubi_domain::tender::Transition;
    let mut out = Vec::new();

    let input_props: Vec<(&str, Value)> = {
        let list = |en: &str, ja: &str| prop(array(string()), en, ja);
        let text = |en: &str, ja: &str| prop(string(), en, ja);
        vec![
            (
                "kind",
                text(
                    "rfq, sealed_bid, proposal or need.",
                    "案件種別（rfq・sealed_bid・proposal・need）。",
                ),
            ),
            (
                "title",
                text(
                    "Title (件名), up to 200 characters.",
                    "件名（200文字以内）。",
                ),
            ),
            (
                "summary",
                text(
                    "Summary (概要): plain text, shown escaped.",
                    "概要（テキスト）。",
                ),
            ),
            (
                "category",
                text(
                    "goods, works or services.",
                    "区分（goods・works・services）。",
                ),
            ),
            (
                "jsic",
                list(
                    "Industry codes (JSIC), up to 10.",
                    "業種（日本標準産業分類のコード、10件まで）。",
                ),
            ),
            (
                "place",
                text(
                    "online, a prefecture code (13) or a municipality code (131016).",
                    "履行場所：online、都道府県コードまたは市区町村コード。",
                ),
            ),
            ("place_detail", text("Place details.", "履行場所の詳細。")),
            (
                "performance_start",
                text(
                    "Performance period, first day (2026-12-01).",
                    "履行期間（開始日、2026-12-01 形式）。",
                ),
            ),
            (
                "performance_end",
                text("Performance period, last day.", "履行期間（終了日）。"),
            ),
            (
                "method",
                text(
                    "open, selective, selective_by_application or direct.",
                    "契約方法（open・selective・selective_by_application・direct）。",
                ),
            ),
            (
                "eligible_prefectures",
                list(
                    "Location requirement: prefecture codes.",
                    "所在地要件（都道府県コード）。",
                ),
            ),
            (
                "eligible_regions",
                list(
                    "Location requirement: region codes.",
                    "所在地要件（地方のコード）。",
                ),
            ),
            (
                "eligible_grades",
                list("Grade requirement: A, B, C, D.", "等級要件（A〜D）。"),
            ),
            (
                "eligible_jsic",
                list(
                    "Industry requirement (JSIC codes).",
                    "業種要件（日本標準産業分類のコード）。",
                ),
            ),
            (
                "required_certifications",
                list(
                    "Required certifications (codes).",
                    "資格要件（認証のコード）。",
                ),
            ),
            (
                "application_opens_at",
                text(
                    "Applications open: RFC 3339 or Japan local 2026-12-01T09:00 (selective_by_application only).",
                    "参加申請受付開始日時：RFC 3339 または日本時間の 2026-12-01T09:00 形式（希望制指名のみ）。",
                ),
            ),
            (
                "application_closes_at",
                text(
                    "Application deadline (selective_by_application only).",
                    "参加申請締切日時（希望制指名のみ）。",
                ),
            ),
            (
                "questions_until",
                text("Question deadline.", "質問受付期限。"),
            ),
            (
                "submission_opens_at",
                text("Submissions open.", "提出受付開始日時。"),
            ),
            (
                "submission_closes_at",
                text("Submission deadline.", "提出締切日時。"),
            ),
            ("opening_at", text("Opening (開札).", "開札日時。")),
            (
                "reserve_price",
                text(
                    "Reserve price in yen, tax excluded (digits; a number is accepted too).",
                    "予定価格（円・税抜。数値も可）。",
                ),
            ),
            (
                "reserve_price_publication",
                text(
                    "in_advance or at_opening (default).",
                    "予定価格の公表時期（in_advance・at_opening（既定））。",
                ),
            ),
            (
                "minimum_price",
                text(
                    "Minimum price in yen, tax excluded.",
                    "最低制限価格（円・税抜）。",
                ),
            ),
            (
                "award_method",
                text(
                    "lowest_price, best_value_additive, best_value_division or proposal_evaluation.",
                    "落札者決定方式。",
                ),
            ),
            (
                "contact_department",
                text(
                    "Contact: department (required).",
                    "問い合わせ先：担当部署（必須）。",
                ),
            ),
            (
                "contact_person",
                text("Contact: person.", "問い合わせ先：担当者。"),
            ),
            (
                "contact_email",
                text("Contact: e-mail.", "問い合わせ先：メールアドレス。"),
            ),
            (
                "contact_phone",
                text("Contact: phone.", "問い合わせ先：電話番号。"),
            ),
            (
                "reason",
                text(
                    "Reason for the amendment (訂正理由): required when amending a published tender.",
                    "訂正理由（公告済みの案件の訂正では必須）。",
                ),
            ),
            (
                "version",
                prop(
                    nullable_integer(),
                    "The version you started from (amendments): a concurrent change answers 409 stale_version.",
                    "編集開始時の版（訂正時）。競合した場合は 409 stale_version。",
                ),
            ),
            (
                "updated_at",
                prop(
                    nullable_string(),
                    "A draft's updated_at you started from.",
                    "編集開始時の下書きの updated_at。",
                ),
            ),
        ]
    };
    out.push(("TenderInput", object(&[], input_props)));

    out.push((
        "TenderContent",
        object(TENDER_CONTENT_REQUIRED, tender_content_props()),
    ));

    let mut tender = vec![
        (
            "id",
            prop(integer(), "The tender's id.", "案件の番号（ID）。"),
        ),
        (
            "url",
            prop(
                string(),
                "The tender's page (absolute, stable).",
                "案件ページのURL（固定）。",
            ),
        ),
        ("buyer", id_name("The buyer organisation.", "発注機関。")),
        (
            "status",
            prop(tender_statuses(), "Status in the life cycle.", "状態。"),
        ),
        (
            "version",
            prop(
                integer(),
                "1, plus one per amendment (訂正).",
                "版（訂正ごとに1増えます）。",
            ),
        ),
        (
            "amended",
            prop(
                boolean(),
                "Amended after publication (訂正あり).",
                "公告後に訂正されたか。",
            ),
        ),
        (
            "reserve_price_sealed",
            prop(
                boolean(),
                "The reserve price exists but is not public yet.",
                "予定価格が設定されているが未公表であるか。",
            ),
        ),
        (
            "published_at",
            prop(nullable_date_time(), "When it was published.", "公告日時。"),
        ),
        (
            "cancel_reason",
            prop(
                nullable_string(),
                "Reason of the cancellation (中止理由).",
                "中止理由。",
            ),
        ),
        ("created_at", prop(date_time(), "Created at.", "作成日時。")),
        (
            "updated_at",
            prop(date_time(), "Last changed at.", "最終更新日時。"),
        ),
    ];
    tender.extend(tender_content_props());
    let mut required: Vec<&str> = vec![
        "id",
        "url",
        "buyer",
        "status",
        "version",
        "amended",
        "reserve_price_sealed",
        "published_at",
        "cancel_reason",
    ];
    required.extend(TENDER_CONTENT_REQUIRED);
    out.push(("Tender", object(&required, tender)));

    out.push((
        "TenderSummary",
        object(
            &[
                "id",
                "url",
                "buyer",
                "kind",
                "category",
                "method",
                "status",
                "title",
                "version",
                "amended",
                "submission_closes_at",
            ],
            vec![
                (
                    "id",
                    prop(integer(), "The tender's id.", "案件の番号（ID）。"),
                ),
                (
                    "url",
                    prop(string(), "The tender's page.", "案件ページのURL。"),
                ),
                ("buyer", id_name("The buyer organisation.", "発注機関。")),
                ("kind", prop(string(), "Kind.", "案件種別。")),
                ("category", prop(string(), "Category.", "区分。")),
                ("method", prop(string(), "Contract method.", "契約方法。")),
                ("status", prop(tender_statuses(), "Status.", "状態。")),
                ("title", prop(string(), "Title.", "件名。")),
                (
                    "prefecture",
                    prop(
                        nullable_string(),
                        "Prefecture of the place (null: online).",
                        "履行場所の都道府県コード（オンラインは null）。",
                    ),
                ),
                ("version", prop(integer(), "Version.", "版。")),
                (
                    "amended",
                    prop(boolean(), "Amended (訂正あり).", "訂正の有無。"),
                ),
                (
                    "published_at",
                    prop(nullable_date_time(), "Published at.", "公告日時。"),
                ),
                (
                    "submission_closes_at",
                    prop(date_time(), "Submission deadline.", "提出締切日時。"),
                ),
                (
                    "updated_at",
                    prop(date_time(), "Last changed at.", "最終更新日時。"),
                ),
            ],
        ),
    ));
    out.push(("TenderPage", page_of("TenderSummary")));

    out.push((
        "TenderVersion",
        object(
            &[
                "version",
                "changed_at",
                "reason",
                "changed_fields",
                "content",
            ],
            vec![
                ("version", prop(integer(), "Version number.", "版。")),
                ("changed_at", prop(date_time(), "Saved at.", "日時。")),
                (
                    "reason",
                    prop(
                        nullable_string(),
                        "Reason for the amendment (null for the first version).",
                        "訂正理由（当初公告は null）。",
                    ),
                ),
                (
                    "changed_fields",
                    prop(
                        array(string()),
                        "Fields changed from the version before.",
                        "直前の版からの変更箇所。",
                    ),
                ),
                (
                    "content",
                    prop(
                        schema_ref("TenderContent"),
                        "The content of this version.",
                        "この版の内容。",
                    ),
                ),
            ],
        ),
    ));
    out.push((
        "TenderVersions",
        object(
            &["versions"],
            vec![(
                "versions",
                prop(
                    array(schema_ref("TenderVersion")),
                    "Oldest first.",
                    "古い順。",
                ),
            )],
        ),
    ));
    out.push((
        "TransitionRecord",
        object(
            &["seq", "transition", "from", "to", "at"],
            vec![
                ("seq", prop(integer(), "Order.", "順序。")),
                (
                    "transition",
                    prop(
                        codes(Transition::ALL.iter().map(|t| t.code())),
                        "The step.",
                        "手続。",
                    ),
                ),
                (
                    "from",
                    prop(tender_statuses(), "Status before.", "変更前の状態。"),
                ),
                (
                    "to",
                    prop(tender_statuses(), "Status after.", "変更後の状態。"),
                ),
                ("at", prop(date_time(), "When it took effect.", "日時。")),
                (
                    "reason",
                    prop(nullable_string(), "Reason (中止).", "理由（中止の場合）。"),
                ),
            ],
        ),
    ));
    out.push((
        "TransitionList",
        items_of(
            "TransitionRecord",
            "The steps, in order.",
            "経過（古い順）。",
        ),
    ));
    out.push((
        "Question",
        object(
            &[
                "id",
                "question",
                "asked_at",
                "answer",
                "answered_at",
                "mine",
            ],
            vec![
                (
                    "id",
                    prop(integer(), "The question's id.", "質問の番号（ID）。"),
                ),
                ("question", prop(string(), "The question.", "質問内容。")),
                ("asked_at", prop(date_time(), "Asked at.", "質問日時。")),
                (
                    "answer",
                    prop(
                        nullable_string(),
                        "The answer (null until answered).",
                        "回答（未回答は null）。",
                    ),
                ),
                (
                    "answered_at",
                    prop(nullable_date_time(), "Answered at.", "回答日時。"),
                ),
                (
                    "mine",
                    prop(
                        boolean(),
                        "Asked by your organisation.",
                        "自社の質問であるか。",
                    ),
                ),
                (
                    "asker_org",
                    prop(
                        integer(),
                        "The asking organisation (for the buyer only).",
                        "質問した組織の番号（発注機関のみ）。",
                    ),
                ),
            ],
        ),
    ));
    out.push((
        "QuestionList",
        items_of(
            "Question",
            "The questions, oldest first.",
            "質問（古い順）。",
        ),
    ));
    out.push((
        "QuestionRequest",
        object(
            &["question"],
            vec![(
                "question",
                prop(
                    string(),
                    "The question, up to 4000 characters.",
                    "質問内容（4000文字以内）。",
                ),
            )],
        ),
    ));
    out.push((
        "AnswerRequest",
        object(
            &["answer"],
            vec![(
                "answer",
                prop(
                    string(),
                    "The answer, up to 4000 characters (published).",
                    "回答（4000文字以内。公開されます）。",
                ),
            )],
        ),
    ));
    out.push((
        "Application",
        object(
            &["id", "supplier", "origin", "status", "created_at"],
            vec![
                (
                    "id",
                    prop(integer(), "The application's id.", "申請の番号（ID）。"),
                ),
                ("supplier", id_name("The supplier company.", "企業。")),
                (
                    "origin",
                    prop(
                        codes(["application", "nomination"]),
                        "application (参加申請) or nomination by the buyer (指名).",
                        "経緯（参加申請・発注者による指名）。",
                    ),
                ),
                (
                    "status",
                    prop(
                        codes(["pending", "accepted", "rejected"]),
                        "pending, accepted (指名) or rejected (非指名).",
                        "状況（審査中・指名・非指名）。",
                    ),
                ),
                ("created_at", prop(date_time(), "Applied at.", "申請日時。")),
                (
                    "decided_at",
                    prop(nullable_date_time(), "Decided at.", "審査日時。"),
                ),
                (
                    "reason",
                    prop(
                        nullable_string(),
                        "Reason given with the decision.",
                        "審査の理由。",
                    ),
                ),
            ],
        ),
    ));
    out.push((
        "ApplicationList",
        items_of(
            "Application",
            "The applications, oldest first.",
            "申請（古い順）。",
        ),
    ));
    out.push((
        "ApplicationRequest",
        object(
            &[],
            vec![(
                "supplier",
                prop(
                    integer(),
                    "For the buyer: the supplier to nominate. A supplier applying sends no body.",
                    "発注機関が指名する企業の番号。受注者の申請では本文は不要です。",
                ),
            )],
        ),
    ));
    out.push((
        "ApplicationDecision",
        object(
            &["accept"],
            vec![
                (
                    "accept",
                    prop(
                        boolean(),
                        "true: accept (指名); false: decline (非指名).",
                        "true：指名、false：非指名。",
                    ),
                ),
                (
                    "reason",
                    prop(
                        string(),
                        "Reason, sent to the supplier.",
                        "理由（申請者に通知されます）。",
                    ),
                ),
            ],
        ),
    ));
    out.push((
        "Attachment",
        object(
            &[
                "id",
                "title",
                "filename",
                "content_type",
                "size",
                "sha256",
                "uploaded_at",
                "url",
            ],
            vec![
                (
                    "id",
                    prop(integer(), "The document's id.", "資料の番号（ID）。"),
                ),
                (
                    "title",
                    prop(string(), "Title (仕様書, 図面…).", "資料名。"),
                ),
                ("filename", prop(string(), "File name.", "ファイル名。")),
                (
                    "content_type",
                    prop(string(), "MIME type.", "ファイル形式（MIMEタイプ）。"),
                ),
                (
                    "size",
                    prop(integer(), "Size in bytes.", "サイズ（バイト）。"),
                ),
                (
                    "sha256",
                    prop(
                        string(),
                        "SHA-256 of the file (hex).",
                        "ファイルの SHA-256（16進）。",
                    ),
                ),
                (
                    "replaces",
                    prop(
                        nullable_integer(),
                        "The document this one replaces.",
                        "差し替え元の資料の番号。",
                    ),
                ),
                (
                    "superseded_by",
                    prop(
                        nullable_integer(),
                        "The document that replaced this one (旧版).",
                        "差し替え後の資料の番号（旧版の場合）。",
                    ),
                ),
                (
                    "uploaded_at",
                    prop(date_time(), "Uploaded at.", "掲載日時。"),
                ),
                (
                    "url",
                    prop(
                        string(),
                        "Download address (sign-in needed).",
                        "ダウンロード用のURL（ログインが必要）。",
                    ),
                ),
            ],
        ),
    ));
    out.push((
        "AttachmentList",
        items_of(
            "Attachment",
            "The documents, oldest first.",
            "資料（古い順）。",
        ),
    ));
    out.push((
        "CancelRequest",
        object(
            &["reason"],
            vec![(
                "reason",
                prop(
                    string(),
                    "Reason for the cancellation (中止理由), up to 1000 characters; published.",
                    "中止理由（1000文字以内。公開されます）。",
                ),
            )],
        ),
    ));
    out.push((
        "NotificationEvent",
        object(
            &["id", "kind", "created_at"],
            vec![
                (
                    "id",
                    prop(integer(), "The event's id.", "お知らせの番号（ID）。"),
                ),
                (
                    "kind",
                    prop(
                        codes([
                            "tender_deadline_changed",
                            "tender_amended",
                            "tender_cancelled",
                            "question_answered",
                            "application_accepted",
                            "application_rejected",
                            "nominated",
                            "tender_opened",
                            "tender_awarded",
                            "tender_unsuccessful",
                        ]),
                        "What happened.",
                        "種類。",
                    ),
                ),
                (
                    "tender_id",
                    prop(nullable_integer(), "The tender.", "案件の番号（ID）。"),
                ),
                (
                    "tender_url",
                    prop(nullable_string(), "The tender's page.", "案件ページのURL。"),
                ),
                (
                    "detail",
                    prop(
                        json!({"type": "object"}),
                        "Details (version, reason, changed fields…).",
                        "詳細（版、理由、変更箇所など）。",
                    ),
                ),
                ("created_at", prop(date_time(), "When.", "日時。")),
            ],
        ),
    ));
    out.push(("EventPage", page_of("NotificationEvent")));
    out
}

/// The tender query parameters of `components/parameters`: (key, parameter).
pub(super) fn parameters() -> Vec<(&'static str, Value)> {
    use musubi_domain::tender::{Category, TenderKind, TenderStatus};
    let mut statuses = vec!["open"];
    statuses.extend(TenderStatus::ALL[1..].iter().map(|s| s.code()));
    vec![
        (
            "tender_kind",
            query_param(
                "kind",
                codes(TenderKind::ALL.iter().map(|k| k.code())),
                "Tender kind.",
                "案件種別。",
            ),
        ),
        (
            "tender_category",
            query_param(
                "category",
                codes(Category::ALL.iter().map(|k| k.code())),
                "What is bought: goods, works, services.",
                "区分（物品・工事・役務）。",
            ),
        ),
        (
            "tender_status",
            query_param(
                "status",
                codes(statuses),
                "Status; open: every status still taking part.",
                "状態。open は参加受付中（公告中〜受付中）。",
            ),
        ),
        (
            "tender_prefecture",
            query_param(
                "prefecture",
                string(),
                "Prefecture of the place of performance (JIS X 0401 code, e.g. 13).",
                "履行場所の都道府県（JIS X 0401 のコード。例：13）。",
            ),
        ),
        (
            "tender_buyer",
            query_param(
                "buyer",
                integer(),
                "Only this buyer organisation's tenders (id).",
                "指定した発注機関（番号）の案件のみ。",
            ),
        ),
        (
            "tender_per_page",
            query_param(
                "per_page",
                json!({"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
                "Tenders per page.",
                "1ページあたりの件数。",
            ),
        ),
        (
            "attachment_filename",
            query_param(
                "filename",
                string(),
                "For a raw upload: the file name (its extension decides the type).",
                "本文でファイルを送信する場合のファイル名（拡張子で形式を判定します）。",
            ),
        ),
        (
            "attachment_title",
            query_param(
                "title",
                string(),
                "For a raw upload: the title (default: the file name).",
                "本文でファイルを送信する場合の資料名（省略時はファイル名）。",
            ),
        ),
        (
            "attachment_replaces",
            query_param(
                "replaces",
                integer(),
                "For a raw upload: the document it replaces.",
                "本文でファイルを送信する場合の差し替え元の資料の番号。",
            ),
        ),
    ]
}
