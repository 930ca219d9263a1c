//! The awards database in the API description: `/api/v1/awards` (JSON) and
//! `/api/v1/awards.csv`, the award parameters the tender search shares, and
//! the award's schemas.

use std::sync::OnceLock;

use http::Method;
use musubi_app::awards::{CSV_COLUMNS, MAX_EXPORT_ROWS};
use serde_json::{Value, json};

use super::{
    OpDoc, date_time, integer, nullable_integer, nullable_string, object, op, prop, query_param,
    schema_ref, string,
};

/// The tender search's parameters plus the award's, in the order listed.
const AWARD_QUERY: &[&str] = &[
    "search_q",
    "search_prefecture",
    "search_region",
    "search_jsic",
    "search_kind",
    "search_category",
    "search_method",
    "search_buyer",
    "search_winner",
    "search_awarded_from",
    "search_awarded_to",
    "search_amount_min",
    "search_amount_max",
    "awards_sort",
    "page",
    "search_per_page",
];

/// The same without paging (an export holds every match).
const AWARD_CSV_QUERY: &[&str] = &[
    "search_q",
    "search_prefecture",
    "search_region",
    "search_jsic",
    "search_kind",
    "search_category",
    "search_method",
    "search_buyer",
    "search_winner",
    "search_awarded_from",
    "search_awarded_to",
    "search_amount_min",
    "search_amount_max",
    "awards_sort",
];

/// The CSV export's description (English, Japanese), naming the columns of
/// [`CSV_COLUMNS`] so that it cannot drift from them.
fn csv_description() -> &'static (String, String) {
    static TEXT: OnceLock<(String, String)> = OnceLock::new();
    TEXT.get_or_init(|| {
        let columns = CSV_COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{}. {c}", i + 1))
            .collect::<Vec<_>>()
            .join(", ");
        (
            format!(
                "Public. Every award the search matches (paging ignored), as CSV for Excel and programs alike: UTF-8 with a BOM, CRLF line ends, RFC 4180 quoting (text that would start a spreadsheet formula gets a leading '), one row per award in the order asked, amounts as integer yen (empty for an award without a price), times in Japan time (YYYY-MM-DD HH:MM:SS). Columns, in this order (new ones are only ever added at the end): {columns}. More than {MAX_EXPORT_ROWS} matches answers 400 export_too_large: narrow the search (by awarded_from/awarded_to, for instance). The page /awards links the same file as /awards.csv."
            ),
            format!(
                "公開情報です。検索条件に該当するすべての落札情報（ページ指定は無視）をCSV形式で返します。UTF-8（BOM付き）、改行はCRLF、RFC 4180 形式の引用符付けで、Excelでそのまま開けます（表計算の数式と解釈される文字で始まる値には先頭に ' を付けます）。1行が1件の落札で、並び順は指定のとおり、金額は円単位の整数（価格のない落札は空欄）、日時は日本時間（YYYY-MM-DD HH:MM:SS）です。列（この順。列を追加する場合は末尾に追加します）：{columns}。該当が{MAX_EXPORT_ROWS}件を超える場合は 400 export_too_large を返します（awarded_from・awarded_to などで絞り込んでください）。ページ /awards からは同じ内容を /awards.csv として出力できます。"
            ),
        )
    })
}

pub(super) fn operations() -> Vec<OpDoc> {
    use Method as M;
    let (csv_en, csv_ja) = csv_description();
    vec![
        op(M::GET, "/api/v1/awards", "searchAwards", "awards", "Search the awards database", "落札情報の検索")
            .describe(
                "Public. Tenders whose award has been decided (落札者決定), with the winner, its corporate number, the amount with and without tax and the decision time; the same search as the page /awards. Takes the parameters of fullTextSearchTenders (q also matches the winner's name and corporate number) and the award's own: winner, awarded_from, awarded_to, amount_min, amount_max. Latest decision first unless sort says otherwise. Only decided awards are listed: nothing of a bid before its opening ever is. Results come from the search index, which follows a decision within moments. Bad input answers as for fullTextSearchTenders.",
                "公開情報です。落札者が決定した案件を、落札者・法人番号・落札金額（税抜・税込）・落札決定日時とともに返します。ページ /awards と同じ検索です。案件の全文検索のパラメーター（q は落札者名・法人番号にも一致します）と、落札に関する条件（winner、awarded_from、awarded_to、amount_min、amount_max）を指定できます。sort を省略すると落札決定日の新しい順です。掲載するのは決定済みの落札のみで、開札前の入札の情報が含まれることはありません。検索は検索索引から行い、落札者決定は直ちに反映されます。誤りの扱いは案件の全文検索と同じです。",
            )
            .query(AWARD_QUERY)
            .ok(200, "AwardSearchResult", "One page of awards.", "落札情報（1ページ分）。"),
        op(M::GET, "/api/v1/awards.csv", "exportAwardsCsv", "awards", "Export awards as CSV", "落札情報のCSV出力")
            .describe(csv_en, csv_ja)
            .query(AWARD_CSV_QUERY)
            .file_response("The CSV file (text/csv; charset=utf-8).", "CSVファイル（text/csv; charset=utf-8）。"),
    ]
}

pub(super) fn parameters() -> Vec<(&'static str, Value)> {
    let date = json!({ "type": "string", "format": "date" });
    let yen = json!({ "type": "integer", "minimum": 0 });
    vec![
        (
            "search_awarded",
            query_param(
                "awarded",
                json!({ "type": "string", "enum": ["1"] }),
                "1: only tenders whose award has been decided (落札者決定).",
                "1：落札者が決定した案件のみ。",
            ),
        ),
        (
            "search_winner",
            query_param(
                "winner",
                integer(),
                "Only tenders awarded to this organisation (id).",
                "指定した組織（番号）が落札した案件のみ。",
            ),
        ),
        (
            "search_awarded_from",
            query_param(
                "awarded_from",
                date.clone(),
                "Award decided on or after this day (Japan time).",
                "落札決定日がこの日（日本時間）以降。",
            ),
        ),
        (
            "search_awarded_to",
            query_param(
                "awarded_to",
                date,
                "Award decided on or before this day (Japan time).",
                "落札決定日がこの日（日本時間）以前。",
            ),
        ),
        (
            "search_amount_min",
            query_param(
                "amount_min",
                yen.clone(),
                "Award amount (yen, excl. tax) at least this; awards without a price do not match.",
                "落札金額（税抜・円）がこの金額以上。価格のない落札は該当しません。",
            ),
        ),
        (
            "search_amount_max",
            query_param(
                "amount_max",
                yen,
                "Award amount (yen, excl. tax) at most this.",
                "落札金額（税抜・円）がこの金額以下。",
            ),
        ),
        (
            "awards_sort",
            query_param(
                "sort",
                json!({ "type": "string", "enum": ["awarded", "relevance", "amount_desc", "amount_asc"], "default": "awarded" }),
                "Order: awarded (latest decision first, the default), relevance (with q), amount_desc / amount_asc (by the amount excl. tax; awards without a price last).",
                "並び順：awarded（落札決定日の新しい順。既定）、relevance（関連度順。q 指定時）、amount_desc・amount_asc（税抜の落札金額の高い順・低い順。価格のない落札は末尾）。",
            ),
        ),
    ]
}

/// The award of a tender, as the awards and the tender search give it.
pub(super) fn award_fields() -> Vec<(&'static str, Value)> {
    vec![
        (
            "winner",
            prop(
                object(
                    &["id", "name", "corporate_number"],
                    vec![
                        (
                            "id",
                            prop(integer(), "Organisation id.", "組織の番号（ID）。"),
                        ),
                        ("name", prop(string(), "Name.", "名称。")),
                        (
                            "corporate_number",
                            prop(
                                nullable_string(),
                                "法人番号 (13 digits); null when it has none.",
                                "法人番号（13桁。ない場合は null）。",
                            ),
                        ),
                    ],
                ),
                "The winner (落札者).",
                "落札者。",
            ),
        ),
        (
            "amount_tax_exclusive",
            prop(
                nullable_integer(),
                "Award amount in yen, excl. tax; null for an award without a price.",
                "落札金額（税抜・円）。価格のない落札は null。",
            ),
        ),
        (
            "amount_tax_inclusive",
            prop(
                nullable_integer(),
                "Award amount in yen, incl. consumption tax (10%, fractions dropped).",
                "落札金額（税込・円。消費税10%、1円未満切捨て）。",
            ),
        ),
        (
            "awarded_at",
            prop(date_time(), "When the award was decided.", "落札決定日時。"),
        ),
    ]
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let award_keys = [
        "tender_id",
        "url",
        "tender_url",
        "title",
        "kind",
        "category",
        "method",
        "buyer",
        "winner",
        "awarded_at",
    ];
    let mut fields = vec![
        (
            "tender_id",
            prop(integer(), "The tender's id.", "案件の番号（ID）。"),
        ),
        (
            "url",
            prop(
                string(),
                "The tender's public results page (入札結果).",
                "入札結果のページのURL。",
            ),
        ),
        (
            "tender_url",
            prop(string(), "The tender's page.", "案件ページのURL。"),
        ),
        (
            "title",
            prop(string(), "Title (件名), as text.", "件名（テキスト）。"),
        ),
        (
            "title_html",
            prop(
                string(),
                "The title as HTML: escaped text with <mark> around the words matched.",
                "件名のHTML（エスケープ済みのテキストで、一致した語を <mark> で囲みます）。",
            ),
        ),
        (
            "winner_html",
            prop(
                string(),
                "The winner's name as HTML, like title_html.",
                "落札者名のHTML（title_html と同じ形式）。",
            ),
        ),
        (
            "score",
            prop(
                json!({ "type": "number" }),
                "Relevance (0 unless sorted by relevance).",
                "関連度（関連度順以外では 0）。",
            ),
        ),
        ("kind", prop(string(), "Kind.", "案件種別。")),
        ("category", prop(string(), "Category.", "区分。")),
        ("method", prop(string(), "Contract method.", "契約方法。")),
        (
            "prefecture",
            prop(
                nullable_string(),
                "Prefecture of the place (code); null when online.",
                "履行場所の都道府県コード（オンラインの場合は null）。",
            ),
        ),
        (
            "buyer",
            prop(
                object(
                    &["id", "name"],
                    vec![
                        ("id", prop(integer(), "Id.", "番号（ID）。")),
                        ("name", prop(string(), "Name.", "名称。")),
                    ],
                ),
                "The buyer organisation.",
                "発注機関。",
            ),
        ),
    ];
    fields.extend(award_fields());
    let mut out = vec![("AwardItem", object(&award_keys, fields))];
    out.push(("Award", object(&["winner", "awarded_at"], award_fields())));
    out.push((
        "AwardSearchResult",
        object(
            &["total", "page", "per_page", "items"],
            vec![
                (
                    "total",
                    prop(
                        integer(),
                        "Exact number of all matches.",
                        "該当する件数の合計（正確な件数）。",
                    ),
                ),
                (
                    "page",
                    prop(integer(), "This page's number.", "ページ番号。"),
                ),
                (
                    "per_page",
                    prop(integer(), "Results per page.", "1ページあたりの件数。"),
                ),
                (
                    "items",
                    prop(
                        json!({ "type": "array", "items": schema_ref("AwardItem") }),
                        "This page's awards, in order.",
                        "このページの落札情報（順位順）。",
                    ),
                ),
            ],
        ),
    ));
    out
}
