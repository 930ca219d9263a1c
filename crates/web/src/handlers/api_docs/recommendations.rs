//! Recommendations in the API description: おすすめ企業 for a tender and
//! おすすめ案件 for a supplier, the `limit` they share, and their schemas.

use http::Method;
use musubi_domain::tender::TenderStatus;
use serde_json::{Value, json};

use super::{
    OpDoc, array, codes, date_time, integer, object, op, prop, query_param, schema_ref, string,
};
use crate::handlers::recommendations::{DEFAULT_LIMIT, MAX_LIMIT};

/// The recommendation operations (see [`super::operations`]).
pub(super) fn operations() -> Vec<OpDoc> {
    use Method as M;
    vec![
        op(M::GET, "/api/v1/tenders/{id}/recommended-suppliers", "listRecommendedSuppliers", "recommendations", "Recommended suppliers for a tender", "おすすめ企業の取得")
            .describe(
                "For the tender's buyer, coordinators (published tenders) and platform administrators; another buyer gets 404, as if the tender did not exist. The registered suppliers that meet the tender's eligibility (所在地要件, grades, certifications), best match first, each with the reasons it was recommended: industry (JSIC: same 細分類 > 小分類 > 中分類 > 大分類), location (same prefecture > same region > eligible from elsewhere), the tender text against the company's business description and catalogue, and past bids and awards in the field. Ineligible suppliers are never listed, nor eligible ones with nothing in common with the work. 400 invalid_limit for a limit that is not a whole number from 1 to 50.",
                "案件の発注機関の所属者、コーディネーター（公告済みの案件）およびシステム管理者が参照できます（他の発注機関には、案件が存在しない場合と同じく 404 を返します）。案件の参加資格（所在地要件・等級・認証）を満たす登録企業を、適合度の高い順に、おすすめの理由とともに返します。理由は、業種（日本標準産業分類：細分類＞小分類＞中分類＞大分類の一致）、所在地（同じ都道府県＞同じ地方＞参加可能地域内）、案件の内容と企業の事業内容・取扱品目の合致、同分野での入札・受注実績です。参加資格を満たさない企業、および案件と共通点のない企業は含みません。limit が1から50までの整数でない場合は 400 invalid_limit を返します。",
            )
            .id_is("The tender's id.", "案件番号（ID）。")
            .query(&["recommendation_limit"])
            .ok(200, "RecommendedSupplierList", "The recommended suppliers, best first.", "おすすめ企業（適合度の高い順）。"),
        op(M::GET, "/api/v1/recommendations/tenders", "listRecommendedTenders", "recommendations", "Recommended tenders for your company", "おすすめ案件の取得")
            .describe(
                "For members of a supplier company. The tenders open to bids or applications now (published or accepting submissions, deadline still ahead) for which your company is eligible, best match first, each with the reasons it was recommended (the same as for listRecommendedSuppliers). Register your industries (JSIC) and business description in the company profile to get recommendations. 400 invalid_limit for a limit that is not a whole number from 1 to 50.",
                "受注者（登録企業）の所属者が参照できます。現在参加を受け付けている案件（公告中・受付中で、提出締切日時の前のもの）のうち、貴社が参加資格を満たす案件を、適合度の高い順に、おすすめの理由（おすすめ企業と同じ）とともに返します。企業情報に業種（日本標準産業分類）と事業内容を登録すると、おすすめ案件が表示されます。limit が1から50までの整数でない場合は 400 invalid_limit を返します。",
            )
            .query(&["recommendation_limit"])
            .ok(200, "RecommendedTenderList", "The recommended tenders, best first.", "おすすめ案件（適合度の高い順）。"),
    ]
}

/// The recommendation parameters of `components/parameters`.
pub(super) fn parameters() -> Vec<(&'static str, Value)> {
    vec![(
        "recommendation_limit",
        query_param(
            "limit",
            json!({ "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT }),
            "How many to answer at most (1 to 50).",
            "返す件数の上限（1〜50）。",
        ),
    )]
}

fn reasons() -> Value {
    prop(
        array(schema_ref("RecommendationReason")),
        "Why it was recommended, strongest first.",
        "おすすめの理由（強いものから順に）。",
    )
}

fn points() -> Value {
    prop(
        json!({ "type": "integer", "minimum": 0 }),
        "The match score (higher is better; only for comparing within one answer).",
        "適合度の点数（高いほど適合。同じ応答の中での比較用）。",
    )
}

/// The recommendation schemas of `components/schemas`.
pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "RecommendationReason",
            object(
                &["code", "label_ja", "label_en"],
                vec![
                    (
                        "code",
                        prop(
                            string(),
                            "Stable code: same_industry, same_industry_group, same_major_group, same_division (JSIC level shared), same_prefecture, same_region, open_nationwide, within_eligible_area, text_relevance, past_awards, past_bids. New codes may be added.",
                            "理由のコード：same_industry（同じ細分類）、same_industry_group（同じ小分類）、same_major_group（同じ中分類）、same_division（同じ大分類）、same_prefecture（同じ都道府県）、same_region（同じ地方）、open_nationwide（全国から参加可）、within_eligible_area（参加可能地域内）、text_relevance（事業内容が案件の内容と合致）、past_awards（同分野での受注実績）、past_bids（同分野での入札実績）。今後追加される場合があります。",
                        ),
                    ),
                    (
                        "label_ja",
                        prop(
                            string(),
                            "The label in Japanese, e.g. 同じ細分類（0921）.",
                            "日本語の表示名（例：同じ細分類（0921））。",
                        ),
                    ),
                    (
                        "label_en",
                        prop(
                            string(),
                            "The label in English, e.g. Same detailed industry (0921).",
                            "英語の表示名（例：Same detailed industry (0921)）。",
                        ),
                    ),
                ],
            ),
        ),
        (
            "RecommendedSupplier",
            object(
                &["org_id", "name", "prefecture", "points", "reasons"],
                vec![
                    (
                        "org_id",
                        prop(
                            integer(),
                            "The supplier organisation's id.",
                            "企業（受注者組織）の番号（ID）。",
                        ),
                    ),
                    ("name", prop(string(), "The company's name.", "企業名。")),
                    (
                        "prefecture",
                        prop(
                            json!({ "type": "string", "pattern": "^[0-9]{2}$" }),
                            "Prefecture of the head office (JIS X 0401 code).",
                            "本社所在地の都道府県（JIS X 0401 のコード）。",
                        ),
                    ),
                    ("points", points()),
                    ("reasons", reasons()),
                ],
            ),
        ),
        (
            "RecommendedSupplierList",
            object(
                &["tender_id", "suppliers"],
                vec![
                    (
                        "tender_id",
                        prop(integer(), "The tender's id.", "案件番号（ID）。"),
                    ),
                    (
                        "suppliers",
                        prop(
                            array(schema_ref("RecommendedSupplier")),
                            "Best match first.",
                            "適合度の高い順。",
                        ),
                    ),
                ],
            ),
        ),
        (
            "RecommendedTender",
            object(
                &[
                    "tender_id",
                    "title",
                    "buyer_name",
                    "status",
                    "submission_closes_at",
                    "points",
                    "reasons",
                ],
                vec![
                    (
                        "tender_id",
                        prop(integer(), "The tender's id.", "案件番号（ID）。"),
                    ),
                    ("title", prop(string(), "The tender's title.", "件名。")),
                    (
                        "buyer_name",
                        prop(string(), "The buyer's name.", "発注機関名。"),
                    ),
                    (
                        "status",
                        prop(
                            codes(TenderStatus::ALL.iter().map(|s| s.code())),
                            "The tender's status.",
                            "案件の状態。",
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
                    ("points", points()),
                    ("reasons", reasons()),
                ],
            ),
        ),
        (
            "RecommendedTenderList",
            object(
                &["tenders"],
                vec![(
                    "tenders",
                    prop(
                        array(schema_ref("RecommendedTender")),
                        "Best match first.",
                        "適合度の高い順。",
                    ),
                )],
            ),
        ),
    ]
}
