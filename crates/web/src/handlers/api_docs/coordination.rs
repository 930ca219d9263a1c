//! Coordinators in the API description: the dashboard, sharing a tender to
//! a region, recommending a supplier, introductions and their outcomes, and
//! the KPIs.

use http::Method;
use musubi_domain::Region;
use musubi_domain::coordination::IntroductionStatus;
use musubi_domain::tender::TenderStatus;
use serde_json::{Value, json};

use super::{
    OpDoc, array, boolean, codes, date_time, integer, nullable_integer, nullable_string, object,
    op, prop, query_param, schema_ref, string,
};

fn regions() -> Value {
    codes(Region::ALL.iter().map(|r| r.code()))
}

/// The coordination operations (see [`super::operations`]).
pub(super) fn operations() -> Vec<OpDoc> {
    use Method as M;
    vec![
        op(M::GET, "/api/v1/coordinator/dashboard", "getCoordinatorDashboard", "coordination", "The coordinator's dashboard", "コーディネーターのダッシュボード")
            .describe(
                "For coordinators and platform administrators. The tenders published in the last 14 days in your prefectures, and the open tenders there (published or accepting submissions, deadline ahead) that fewer than 5 registered suppliers are eligible for, fewest first. A platform administrator without areas sees every prefecture.",
                "コーディネーターおよびシステム管理者が参照できます。担当都道府県で直近14日間に公告された案件と、担当都道府県の募集中の案件のうち参加資格を満たす登録企業が5社未満のもの（少ない順）を返します。担当地域のないシステム管理者には全国を返します。",
            )
            .ok(200, "CoordinatorDashboard", "The dashboard.", "ダッシュボードの内容。"),
        op(M::GET, "/api/v1/coordinator/tenders/{id}", "getCoordinationTender", "coordination", "A tender as a coordinator works on it", "案件の共有・推薦状況の取得")
            .describe(
                "A published tender's shares and recommendations so far, whether it still takes them (open), and the recommended suppliers nationwide (おすすめ企業, while open). A draft answers 404.",
                "公告済みの案件について、これまでの共有・推薦、現在共有・推薦できるか（open）、全国のおすすめ企業（募集中の場合）を返します。下書きの案件は 404 を返します。",
            )
            .id_is("The tender's id.", "案件番号（ID）。")
            .ok(200, "CoordinationTender", "The tender's coordination.", "案件の共有・推薦状況。"),
        op(M::GET, "/api/v1/coordinator/tenders/{id}/share-preview", "previewShare", "coordination", "Who a share to a region would reach", "地域への共有先の確認")
            .describe(
                "The suppliers a share of the tender to the region would be sent to: the eligible suppliers located there ranked as recommended suppliers, up to 30, without those an earlier share reached. 400 invalid_parameter without a known region.",
                "案件をその地方に共有した場合の共有先（その地方に所在し参加資格を満たす企業を適合度順に最大30社。既に共有済みの企業を除く）を返します。地方の指定がないか正しくない場合は 400 invalid_parameter を返します。",
            )
            .id_is("The tender's id.", "案件番号（ID）。")
            .query(&["coordination_region"])
            .ok(200, "SharePreview", "The suppliers, best match first.", "共有先の企業（適合度の高い順）。"),
        op(M::POST, "/api/v1/coordinator/tenders/{id}/shares", "shareTender", "coordination", "Share a tender to a region", "案件を他地域へ共有")
            .describe(
                "Sends the tender with your note (required, up to 1,000 characters) to the suitable suppliers of the region (see previewShare): each gets a notification and, if they receive event mail, a mail. Only open tenders (409 tender_not_open); not selective ones, which suppliers cannot apply for (409 nomination_only); 422 no_suitable_suppliers when the region has none.",
                "案件を、連絡事項（必須・1,000字以内）を添えてその地方の適した企業（previewShare を参照）に共有します。各企業にお知らせ（メール通知を有効にしている場合はメールも）が届きます。募集中の案件のみ共有できます（409 tender_not_open）。指名競争の案件は企業が申請できないため共有できません（409 nomination_only）。該当する企業がない場合は 422 no_suitable_suppliers を返します。",
            )
            .id_is("The tender's id.", "案件番号（ID）。")
            .body("ShareRequest")
            .ok(201, "ShareResult", "Shared; the recipients.", "共有しました（共有先の企業）。")
            .errors(&["Conflict"]),
        op(M::POST, "/api/v1/coordinator/tenders/{id}/recommendations", "recommendSupplier", "coordination", "Recommend a supplier to the buyer", "発注者へ企業を推薦")
            .describe(
                "Recommends an eligible supplier for an open tender, with a note (required, up to 1,000 characters). The buyer sees it on the tender page and is notified; the supplier is notified and applies itself. 422 with the requirements missed if the supplier is not eligible; 409 already_recommended for a second recommendation of the same supplier.",
                "募集中の案件に、参加資格を満たす企業を推薦理由（必須・1,000字以内）を添えて推薦します。発注者は案件ページで推薦を確認でき、お知らせが届きます。企業にもお知らせが届き、参加申請は企業自身が行います。参加資格を満たさない場合は満たさない要件とともに 422 を、同じ企業を再度推薦した場合は 409 already_recommended を返します。",
            )
            .id_is("The tender's id.", "案件番号（ID）。")
            .body("RecommendRequest")
            .ok(201, "RecommendResult", "Recommended.", "推薦しました。")
            .errors(&["Conflict"]),
        op(M::GET, "/api/v1/coordinator/introductions", "listIntroductions", "coordination", "List introductions", "紹介の一覧")
            .describe(
                "Your introductions, newest first; platform administrators may ask for everyone's with all=true.",
                "自分の紹介を新しい順に返します。システム管理者は all=true で全員の紹介を取得できます。",
            )
            .query(&["offset", "introduction_limit", "introduction_all"])
            .ok(200, "IntroductionPage", "One page of introductions.", "紹介（1ページ分）。"),
        op(M::POST, "/api/v1/coordinator/introductions", "createIntroduction", "coordination", "Record an introduction", "紹介の記録")
            .describe(
                "Records that you introduced a supplier to a buyer, optionally about one of the buyer's published tenders, with a note (required, up to 1,000 characters). 422 if the buyer is not a buyer, the supplier not a supplier or the tender not the buyer's.",
                "企業を発注者に紹介したことを、内容（必須・1,000字以内）とともに記録します。発注者の公告済み案件を指定することもできます。発注者・企業・案件の指定が正しくない場合は 422 を返します。",
            )
            .body("IntroductionRequest")
            .ok(201, "Introduction", "Recorded.", "記録しました。"),
        op(M::POST, "/api/v1/coordinator/introductions/{id}/outcome", "recordIntroductionOutcome", "coordination", "Record an introduction's outcome", "紹介の結果の記録")
            .describe(
                "Records what came of your introduction: meeting_held (商談, with its date), won (受注, with the contract amount excluding tax in yen) or lost. Outcomes only move forward and won or lost is final (409 outcome_not_allowed).",
                "紹介の結果を記録します：meeting_held（商談実施。商談日が必要）、won（受注。税抜の受注金額（円）が必要）、lost（不成立）。結果は先へのみ進み、受注・不成立は確定です（409 outcome_not_allowed）。",
            )
            .id_is("The introduction's id.", "紹介の番号（ID）。")
            .body("OutcomeRequest")
            .ok(200, "Introduction", "The introduction with its outcome.", "結果を記録した紹介。")
            .errors(&["Conflict"]),
        op(M::GET, "/api/v1/coordinator/kpis", "getCoordinationKpis", "coordination", "KPIs per coordinator and per region", "コーディネーター・地域別の実績（KPI）")
            .describe(
                "Shares, suppliers reached, recommendations, the applications and awards that followed them (a shared or recommended supplier then applied for or bid on the tender, and won it; once per tender and supplier), introductions, meetings held, contracts won and their amount (excluding tax). Per coordinator (every coordinator listed) and per region of the suppliers (region null: introduced suppliers without a profile).",
                "共有数、共有先企業数、推薦数、その後の参加申請・落札（共有・推薦した企業がその後その案件に参加申請または入札し、落札したもの。案件と企業の組ごとに1件）、紹介数、商談数、受注数と受注金額（税抜）を、コーディネーター別（全コーディネーター）と企業の所在地の地方別（region が null のものは企業情報のない企業の紹介）に返します。",
            )
            .query(&["kpi_period"])
            .ok(200, "CoordinationKpis", "The KPIs.", "実績。"),
    ]
}

/// The coordination parameters of `components/parameters`.
pub(super) fn parameters() -> Vec<(&'static str, Value)> {
    vec![
        (
            "coordination_region",
            query_param(
                "region",
                regions(),
                "The region (地方) to share to.",
                "共有先の地方。",
            ),
        ),
        (
            "introduction_limit",
            query_param(
                "limit",
                json!({ "type": "integer", "minimum": 1, "maximum": 100, "default": 50 }),
                "Introductions per page (1 to 100).",
                "1ページあたりの件数（1〜100）。",
            ),
        ),
        (
            "introduction_all",
            query_param(
                "all",
                boolean(),
                "Everyone's introductions (platform administrators only).",
                "全員の紹介（システム管理者のみ）。",
            ),
        ),
        (
            "kpi_period",
            query_param(
                "period",
                json!({ "type": "string", "enum": ["all", "fy", "30d"], "default": "all" }),
                "all, fy (this fiscal year, from 1 April Japan time) or 30d (the last 30 days).",
                "all（全期間）、fy（今年度：4月1日から）、30d（直近30日）。",
            ),
        ),
    ]
}

fn note(en: &str, ja: &str) -> Value {
    prop(json!({ "type": "string", "maxLength": 1000 }), en, ja)
}

fn kpi_props() -> Vec<(&'static str, Value)> {
    let n = |en: &str, ja: &str| prop(integer(), en, ja);
    vec![
        (
            "shares",
            n("Tenders shared to a region.", "地域への共有の数。"),
        ),
        (
            "recipients",
            n("Suppliers the shares reached.", "共有先の企業数。"),
        ),
        (
            "recommendations",
            n("Suppliers recommended to buyers.", "発注者への推薦の数。"),
        ),
        (
            "applications",
            n(
                "Applications or bids that followed a share or recommendation.",
                "共有・推薦の後の参加申請・入札の数。",
            ),
        ),
        (
            "awards",
            n(
                "Of those, tenders the supplier won.",
                "そのうち落札した数。",
            ),
        ),
        ("introductions", n("Introductions recorded.", "紹介の数。")),
        (
            "meetings",
            n(
                "Introductions with a meeting (商談).",
                "商談を実施した紹介の数。",
            ),
        ),
        (
            "won",
            n(
                "Introductions that ended in a contract (受注).",
                "受注に至った紹介の数。",
            ),
        ),
        (
            "won_amount",
            n(
                "Their contract amounts, yen excluding tax.",
                "受注金額の合計（円・税抜）。",
            ),
        ),
    ]
}

fn kpi_required() -> Vec<&'static str> {
    kpi_props().iter().map(|(k, _)| *k).collect()
}

fn tender_line(extra: Vec<(&'static str, Value)>) -> Value {
    let mut props = vec![
        (
            "tender_id",
            prop(integer(), "The tender's id.", "案件番号（ID）。"),
        ),
        ("title", prop(string(), "The title.", "件名。")),
        ("buyer_name", prop(string(), "The buyer.", "発注機関名。")),
        (
            "status",
            prop(
                codes(TenderStatus::ALL.iter().map(|s| s.code())),
                "The status.",
                "案件の状態。",
            ),
        ),
        (
            "prefecture",
            prop(
                nullable_string(),
                "Prefecture of the place of performance (JIS code; null: online).",
                "履行場所の都道府県（JIS コード。null はオンライン）。",
            ),
        ),
        (
            "submission_closes_at",
            prop(
                date_time(),
                "The submission deadline (RFC 3339, UTC).",
                "提出締切日時（RFC 3339、UTC）。",
            ),
        ),
    ];
    props.extend(extra);
    let required: Vec<&str> = props.iter().map(|(k, _)| *k).collect();
    object(&required, props)
}

/// The coordination schemas of `components/schemas`.
pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let recommended = || array(schema_ref("RecommendedSupplier"));
    let mut kpi_coord = kpi_props();
    kpi_coord.push((
        "coordinator_id",
        prop(
            integer(),
            "The coordinator's user id.",
            "コーディネーターの利用者番号。",
        ),
    ));
    kpi_coord.push((
        "name",
        prop(
            string(),
            "The coordinator's name.",
            "コーディネーターの氏名。",
        ),
    ));
    let mut req_coord = kpi_required();
    req_coord.extend(["coordinator_id", "name"]);
    let mut kpi_region = kpi_props();
    kpi_region.push((
        "region",
        prop(
            json!({ "type": ["string", "null"] }),
            "The suppliers' region (null: introduced suppliers without a profile).",
            "企業の所在地の地方（null は企業情報のない企業の紹介）。",
        ),
    ));
    let mut req_region = kpi_required();
    req_region.push("region");
    vec![
        (
            "CoordinatorDashboard",
            object(
                &["areas", "new_tenders", "few_eligible"],
                vec![
                    (
                        "areas",
                        prop(
                            array(string()),
                            "Your prefectures (JIS codes; empty: all).",
                            "担当都道府県（JIS コード。空は全国）。",
                        ),
                    ),
                    (
                        "new_tenders",
                        prop(
                            array(tender_line(vec![(
                                "published_at",
                                prop(date_time(), "When it was published.", "公告日時。"),
                            )])),
                            "Published in the last 14 days, newest first.",
                            "直近14日間に公告された案件（新しい順）。",
                        ),
                    ),
                    (
                        "few_eligible",
                        prop(
                            array(tender_line(vec![(
                                "eligible_suppliers",
                                prop(
                                    integer(),
                                    "Registered suppliers that meet the eligibility (fewer than 5).",
                                    "参加資格を満たす登録企業の数（5社未満）。",
                                ),
                            )])),
                            "Open tenders with few eligible suppliers, fewest first.",
                            "参加可能な企業が少ない募集中の案件（少ない順）。",
                        ),
                    ),
                ],
            ),
        ),
        (
            "CoordinationRecommendation",
            object(
                &[
                    "id",
                    "coordinator_id",
                    "coordinator_name",
                    "supplier_id",
                    "supplier_name",
                    "region",
                    "note",
                    "applied",
                    "created_at",
                ],
                vec![
                    (
                        "id",
                        prop(integer(), "The recommendation's id.", "推薦の番号。"),
                    ),
                    (
                        "coordinator_id",
                        prop(
                            integer(),
                            "Who recommended (user id).",
                            "推薦したコーディネーターの利用者番号。",
                        ),
                    ),
                    (
                        "coordinator_name",
                        prop(string(), "Who recommended.", "推薦したコーディネーター。"),
                    ),
                    (
                        "supplier_id",
                        prop(
                            integer(),
                            "The supplier organisation.",
                            "推薦された企業の番号。",
                        ),
                    ),
                    (
                        "supplier_name",
                        prop(string(), "The supplier's name.", "企業名。"),
                    ),
                    (
                        "region",
                        prop(regions(), "The supplier's region.", "企業の所在地の地方。"),
                    ),
                    ("note", prop(string(), "Why.", "推薦理由。")),
                    (
                        "applied",
                        prop(
                            boolean(),
                            "Whether the supplier applied for or bid on the tender since.",
                            "推薦後に企業が参加申請・入札したか。",
                        ),
                    ),
                    ("created_at", prop(date_time(), "When.", "推薦日時。")),
                ],
            ),
        ),
        (
            "CoordinationTender",
            object(
                &[
                    "tender_id",
                    "title",
                    "buyer_name",
                    "status",
                    "open",
                    "shareable",
                    "shares",
                    "recommendations",
                    "suggested_suppliers",
                ],
                vec![
                    (
                        "tender_id",
                        prop(integer(), "The tender's id.", "案件番号（ID）。"),
                    ),
                    ("title", prop(string(), "The title.", "件名。")),
                    ("buyer_name", prop(string(), "The buyer.", "発注機関名。")),
                    (
                        "status",
                        prop(
                            codes(TenderStatus::ALL.iter().map(|s| s.code())),
                            "The status.",
                            "案件の状態。",
                        ),
                    ),
                    (
                        "open",
                        prop(
                            boolean(),
                            "Whether it can be shared and recommended now.",
                            "現在共有・推薦できるか。",
                        ),
                    ),
                    (
                        "shareable",
                        prop(
                            boolean(),
                            "Whether it can be shared to a region now (open, and not a selective tender, which suppliers cannot apply for).",
                            "現在地域へ共有できるか（募集中で、企業が申請できない指名競争でないこと）。",
                        ),
                    ),
                    (
                        "shares",
                        prop(
                            array(object(
                                &[
                                    "id",
                                    "coordinator_id",
                                    "coordinator_name",
                                    "region",
                                    "note",
                                    "recipients",
                                    "created_at",
                                ],
                                vec![
                                    ("id", prop(integer(), "The share's id.", "共有の番号。")),
                                    (
                                        "coordinator_id",
                                        prop(
                                            integer(),
                                            "Who shared (user id).",
                                            "共有したコーディネーターの利用者番号。",
                                        ),
                                    ),
                                    (
                                        "coordinator_name",
                                        prop(string(), "Who shared.", "共有したコーディネーター。"),
                                    ),
                                    ("region", prop(regions(), "The region.", "共有先の地方。")),
                                    ("note", prop(string(), "The note.", "連絡事項。")),
                                    (
                                        "recipients",
                                        prop(integer(), "Suppliers reached.", "共有先の企業数。"),
                                    ),
                                    ("created_at", prop(date_time(), "When.", "共有日時。")),
                                ],
                            )),
                            "Shares, newest first.",
                            "共有の履歴（新しい順）。",
                        ),
                    ),
                    (
                        "recommendations",
                        prop(
                            array(schema_ref("CoordinationRecommendation")),
                            "Recommendations, oldest first.",
                            "推薦の履歴（古い順）。",
                        ),
                    ),
                    (
                        "suggested_suppliers",
                        prop(
                            recommended(),
                            "おすすめ企業 nationwide while open, best first.",
                            "全国のおすすめ企業（募集中の場合、適合度の高い順）。",
                        ),
                    ),
                ],
            ),
        ),
        (
            "SharePreview",
            object(
                &["tender_id", "region", "suppliers"],
                vec![
                    (
                        "tender_id",
                        prop(integer(), "The tender's id.", "案件番号（ID）。"),
                    ),
                    ("region", prop(regions(), "The region.", "地方。")),
                    (
                        "suppliers",
                        prop(
                            recommended(),
                            "Who a share would reach, best first.",
                            "共有先となる企業（適合度の高い順）。",
                        ),
                    ),
                ],
            ),
        ),
        (
            "ShareRequest",
            object(
                &["region", "note"],
                vec![
                    (
                        "region",
                        prop(
                            string(),
                            "The region: a code (kyushu_okinawa) or its name (九州・沖縄).",
                            "共有先の地方（コードまたは名称）。",
                        ),
                    ),
                    (
                        "note",
                        note(
                            "A note to the suppliers (required).",
                            "企業への連絡事項（必須）。",
                        ),
                    ),
                ],
            ),
        ),
        (
            "ShareResult",
            object(
                &["id", "tender_id", "region", "recipients"],
                vec![
                    ("id", prop(integer(), "The share's id.", "共有の番号。")),
                    (
                        "tender_id",
                        prop(integer(), "The tender's id.", "案件番号（ID）。"),
                    ),
                    ("region", prop(regions(), "The region.", "共有先の地方。")),
                    (
                        "recipients",
                        prop(
                            recommended(),
                            "The suppliers it was sent to.",
                            "共有先の企業。",
                        ),
                    ),
                ],
            ),
        ),
        (
            "RecommendRequest",
            object(
                &["supplier_id", "note"],
                vec![
                    (
                        "supplier_id",
                        prop(
                            integer(),
                            "The supplier organisation's id.",
                            "推薦する企業の番号。",
                        ),
                    ),
                    (
                        "note",
                        note(
                            "Why (shown to the buyer and the supplier; required).",
                            "推薦理由（発注者と企業に表示。必須）。",
                        ),
                    ),
                ],
            ),
        ),
        (
            "RecommendResult",
            object(
                &["id", "tender_id", "supplier_id"],
                vec![
                    (
                        "id",
                        prop(integer(), "The recommendation's id.", "推薦の番号。"),
                    ),
                    (
                        "tender_id",
                        prop(integer(), "The tender's id.", "案件番号（ID）。"),
                    ),
                    (
                        "supplier_id",
                        prop(integer(), "The supplier organisation's id.", "企業の番号。"),
                    ),
                ],
            ),
        ),
        (
            "IntroductionRequest",
            object(
                &["buyer_id", "supplier_id", "note"],
                vec![
                    (
                        "buyer_id",
                        prop(integer(), "The buyer organisation's id.", "発注者の番号。"),
                    ),
                    (
                        "supplier_id",
                        prop(integer(), "The supplier organisation's id.", "企業の番号。"),
                    ),
                    (
                        "tender_id",
                        prop(
                            nullable_integer(),
                            "One of the buyer's published tenders it is about (optional).",
                            "紹介の対象となる発注者の公告済み案件（任意）。",
                        ),
                    ),
                    (
                        "note",
                        note("What was introduced (required).", "紹介の内容（必須）。"),
                    ),
                ],
            ),
        ),
        (
            "OutcomeRequest",
            object(
                &["status"],
                vec![
                    (
                        "status",
                        prop(
                            codes(["meeting_held", "won", "lost"]),
                            "The outcome.",
                            "結果。",
                        ),
                    ),
                    (
                        "meeting_on",
                        prop(
                            nullable_string(),
                            "The meeting's date, YYYY-MM-DD (required for meeting_held).",
                            "商談日（YYYY-MM-DD。meeting_held の場合は必須）。",
                        ),
                    ),
                    (
                        "contract_amount",
                        prop(
                            nullable_integer(),
                            "The contract amount in yen, excluding tax (required for won, only then).",
                            "受注金額（円・税抜。won の場合のみ必須）。",
                        ),
                    ),
                    (
                        "note",
                        prop(
                            json!({ "type": ["string", "null"], "maxLength": 1000 }),
                            "A note (optional).",
                            "メモ（任意）。",
                        ),
                    ),
                ],
            ),
        ),
        (
            "Introduction",
            object(
                &[
                    "id",
                    "coordinator_id",
                    "coordinator_name",
                    "buyer_id",
                    "buyer_name",
                    "supplier_id",
                    "supplier_name",
                    "tender_id",
                    "tender_title",
                    "region",
                    "note",
                    "status",
                    "meeting_on",
                    "contract_amount",
                    "outcome_note",
                    "created_at",
                    "updated_at",
                ],
                vec![
                    (
                        "id",
                        prop(integer(), "The introduction's id.", "紹介の番号。"),
                    ),
                    (
                        "coordinator_id",
                        prop(
                            integer(),
                            "The coordinator (user id).",
                            "コーディネーターの利用者番号。",
                        ),
                    ),
                    (
                        "coordinator_name",
                        prop(string(), "The coordinator.", "コーディネーター。"),
                    ),
                    (
                        "buyer_id",
                        prop(integer(), "The buyer organisation.", "発注者の番号。"),
                    ),
                    (
                        "buyer_name",
                        prop(string(), "The buyer's name.", "発注者名。"),
                    ),
                    (
                        "supplier_id",
                        prop(integer(), "The supplier organisation.", "企業の番号。"),
                    ),
                    (
                        "supplier_name",
                        prop(string(), "The supplier's name.", "企業名。"),
                    ),
                    (
                        "tender_id",
                        prop(
                            nullable_integer(),
                            "The tender it is about, if any.",
                            "対象の案件（ある場合）。",
                        ),
                    ),
                    (
                        "tender_title",
                        prop(nullable_string(), "Its title.", "対象の案件の件名。"),
                    ),
                    (
                        "region",
                        prop(
                            json!({ "type": ["string", "null"] }),
                            "The supplier's region (null: no profile).",
                            "企業の所在地の地方（null は企業情報なし）。",
                        ),
                    ),
                    (
                        "note",
                        prop(string(), "What was introduced.", "紹介の内容。"),
                    ),
                    (
                        "status",
                        prop(
                            codes(IntroductionStatus::ALL.iter().map(|s| s.code())),
                            "introduced → meeting_held → won / lost.",
                            "紹介済み → 商談実施 → 受注／不成立。",
                        ),
                    ),
                    (
                        "meeting_on",
                        prop(
                            nullable_string(),
                            "The meeting's date (YYYY-MM-DD).",
                            "商談日（YYYY-MM-DD）。",
                        ),
                    ),
                    (
                        "contract_amount",
                        prop(
                            nullable_integer(),
                            "The contract amount, yen excluding tax (when won).",
                            "受注金額（円・税抜。受注の場合）。",
                        ),
                    ),
                    (
                        "outcome_note",
                        prop(
                            nullable_string(),
                            "The note on the outcome.",
                            "結果のメモ。",
                        ),
                    ),
                    (
                        "created_at",
                        prop(date_time(), "When it was recorded.", "記録日時。"),
                    ),
                    (
                        "updated_at",
                        prop(date_time(), "Last change.", "最終更新日時。"),
                    ),
                ],
            ),
        ),
        (
            "IntroductionPage",
            object(
                &["items", "total", "offset", "limit"],
                vec![
                    (
                        "items",
                        prop(
                            array(schema_ref("Introduction")),
                            "Newest first.",
                            "新しい順。",
                        ),
                    ),
                    (
                        "total",
                        prop(integer(), "Number of all matches.", "該当する件数の合計。"),
                    ),
                    (
                        "offset",
                        prop(integer(), "Records skipped.", "読み飛ばした件数。"),
                    ),
                    (
                        "limit",
                        prop(integer(), "Records per page.", "1ページあたりの件数。"),
                    ),
                ],
            ),
        ),
        (
            "CoordinationKpis",
            object(
                &["period", "coordinators", "regions"],
                vec![
                    (
                        "period",
                        prop(
                            codes(["all", "fy", "30d"]),
                            "The period counted.",
                            "集計期間。",
                        ),
                    ),
                    (
                        "coordinators",
                        prop(
                            array(object(&req_coord, kpi_coord)),
                            "Per coordinator, by user id.",
                            "コーディネーター別（利用者番号順）。",
                        ),
                    ),
                    (
                        "regions",
                        prop(
                            array(object(&req_region, kpi_region)),
                            "Per region of the suppliers, north to south.",
                            "企業の所在地の地方別（北から順）。",
                        ),
                    ),
                ],
            ),
        ),
    ]
}
