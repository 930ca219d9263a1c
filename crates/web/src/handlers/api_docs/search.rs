//! The search operations of the API description: `/api/v1/search/tenders`
//! and `/api/v1/search/companies`, their query parameters and answers.

use http::Method;
use musubi_domain::tender::{Category, ContractMethod, TenderKind, TenderStatus};
use musubi_domain::{Certification, Grade, GradeCategory, Region};
use serde_json::{Value, json};

use super::{
    OpDoc, array, boolean, codes, date_time, integer, nullable_date_time, nullable_string, object,
    op, prop, query_param, schema_ref, string,
};

/// Parameters of the tender search, in the order they are listed.
const TENDER_QUERY: &[&str] = &[
    "search_q",
    "search_prefecture",
    "search_region",
    "search_jsic",
    "search_kind",
    "search_category",
    "search_method",
    "search_status",
    "search_grade",
    "search_buyer",
    "search_published_from",
    "search_published_to",
    "search_deadline_from",
    "search_deadline_to",
    "search_opening_from",
    "search_opening_to",
    "search_price_min",
    "search_price_max",
    "search_awarded",
    "search_winner",
    "search_awarded_from",
    "search_awarded_to",
    "search_amount_min",
    "search_amount_max",
    "search_sort",
    "page",
    "search_per_page",
];

const COMPANY_QUERY: &[&str] = &[
    "search_company_q",
    "search_company_prefecture",
    "search_region",
    "search_jsic",
    "search_certification",
    "search_company_grade",
    "page",
    "search_per_page",
];

pub(super) fn operations() -> Vec<OpDoc> {
    use Method as M;
    vec![
        op(M::GET, "/api/v1/search/tenders", "fullTextSearchTenders", "search", "Full-text search of tenders", "案件の全文検索")
            .describe(
                "Public. Searches the title and summary of published tenders, with filters and facet counts; the same search as the page /search, with the same parameters. q is the query language: words separated by spaces must all match (AND); OR, NOT (or ANDNOT), parentheses and \"quoted phrases\" are understood; Japanese is matched as written, with no dictionary (any two or more characters match as a substring). Without q (and without sort), results are the newest first; with q, the most relevant first. Filters combine with AND; the values of a repeated parameter with OR. Dates are days in Japan time (a _to day is included whole). Facets count the matches per value with every filter applied except the facet's own. Awarded tenders carry their award (winner, amounts, decision): q also matches the winner's name and corporate number, awarded=1 keeps only them (also the facet awarded), and searchAwards (/api/v1/awards) lists and exports them. A query the language refuses answers 400 with its own code (query_unbalanced, query_lone_operator, query_unterminated_phrase, query_too_long); an unknown filter value 400 invalid_parameter, the parameter named in fields. Results come from the search index, which follows changes within moments; status, buyer and dates are read from the tender itself.",
                "公開情報です。公告済みの案件の件名・概要を全文検索し、絞り込み条件と絞り込み候補ごとの件数（facets）を返します。ページ /search と同じ検索で、パラメーターも同じです。q は検索式です：スペースで区切った語はすべてを含むもの（AND）、OR（いずれか）、NOT・ANDNOT（除く）、括弧、\"語句\"（この並びのまま）が使えます。日本語は辞書を使わず書かれたとおりに照合します（2文字以上の任意の部分文字列に一致します）。q を省略すると公告の新しい順、指定すると関連度の高い順に返します（sort で変更できます）。各条件はすべてを満たすもの（AND）、同じパラメーターを繰り返した値はいずれかに該当するもの（OR）を検索します。日付は日本時間の日付で、_to の日はその日の終わりまで含みます。facets は、その項目以外の条件をすべて適用したときの値ごとの件数です。落札者が決定した案件は落札情報（落札者・金額・決定日時）を含み、q は落札者名・法人番号にも一致します。awarded=1 で落札者決定済みの案件のみに絞り込めます（facets の awarded）。落札情報の一覧・CSV出力は searchAwards（/api/v1/awards）です。検索式の誤りは 400 と誤りごとのコード（query_unbalanced、query_lone_operator、query_unterminated_phrase、query_too_long）、絞り込み条件の値の誤りは 400 invalid_parameter を返し、fields に誤ったパラメーターを示します。検索は検索索引から行い、変更は直ちに反映されます。状態・発注機関・日時は案件から読み出します。",
            )
            .query(TENDER_QUERY)
            .ok(200, "TenderSearchResult", "One page of matching tenders, with facet counts.", "検索結果（1ページ分）と絞り込み候補の件数。"),
        op(M::GET, "/api/v1/search/companies", "fullTextSearchCompanies", "search", "Full-text search of companies", "企業の全文検索")
            .describe(
                "Public. Searches the name, reading, capabilities and catalogue of supplier companies, with the query language of fullTextSearchTenders; the same search as the page /search/companies. Without q, every company that passes the filters. Bad input answers as for fullTextSearchTenders.",
                "公開情報です。受注者（登録企業）の社名・フリガナ・事業内容・取扱品目を全文検索します。検索式は案件の全文検索と同じです。ページ /search/companies と同じ検索です。q を省略すると条件に該当するすべての企業を返します。誤りの扱いは案件の全文検索と同じです。",
            )
            .query(COMPANY_QUERY)
            .ok(200, "CompanySearchResult", "One page of matching companies, with counts per prefecture.", "検索結果（1ページ分）と都道府県ごとの件数。"),
    ]
}

fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

fn repeated(mut p: Value) -> Value {
    p["style"] = json!("form");
    p["explode"] = json!(true);
    p
}

pub(super) fn parameters() -> Vec<(&'static str, Value)> {
    let mut statuses = vec!["open"];
    statuses.extend(TenderStatus::ALL[1..].iter().map(|s| s.code()));
    let mut company_grades = Vec::new();
    for c in GradeCategory::ALL {
        for g in Grade::ALL {
            company_grades.push(format!("{}:{}", c.code(), g.code()));
        }
    }
    let day = |name: &str, en: &str, ja: &str| query_param(name, date(), en, ja);
    vec![
        (
            "search_q",
            query_param(
                "q",
                json!({ "type": "string", "maxLength": musubi_search::query::MAX_QUERY_CHARS }),
                "Query: words (AND), OR, NOT / ANDNOT, ( ), \"phrases\". At most 500 characters.",
                "検索式。語（AND）、OR、NOT・ANDNOT、括弧、\"語句\"。500文字以内。",
            ),
        ),
        (
            "search_company_q",
            query_param(
                "q",
                json!({ "type": "string", "maxLength": musubi_search::query::MAX_QUERY_CHARS }),
                "Query over name, reading, capabilities and catalogue, in the same language as for tenders.",
                "社名・フリガナ・事業内容・取扱品目に対する検索式（案件の検索と同じ書き方）。",
            ),
        ),
        (
            "search_prefecture",
            repeated(query_param(
                "prefecture",
                array(string()),
                "Prefecture of the place of performance: JIS X 0401 code (e.g. 13) or name; repeat for several.",
                "履行場所の都道府県（JIS X 0401 のコード（例：13）または名称）。複数指定できます。",
            )),
        ),
        (
            "search_company_prefecture",
            repeated(query_param(
                "prefecture",
                array(string()),
                "Prefecture of the head office: JIS X 0401 code (e.g. 13) or name; repeat for several.",
                "本社所在地の都道府県（JIS X 0401 のコード（例：13）または名称）。複数指定できます。",
            )),
        ),
        (
            "search_region",
            repeated(query_param(
                "region",
                array(codes(Region::all().iter().map(|r| r.code()))),
                "Region: all its prefectures; repeat for several.",
                "地方（その地方の全都道府県）。複数指定できます。",
            )),
        ),
        (
            "search_jsic",
            query_param(
                "jsic",
                string(),
                "Industry: a JSIC code at any level (e.g. E or 0911), with everything below it.",
                "業種（日本標準産業分類のコード。大分類〜細分類のいずれか。例：E、0911）。下位の分類を含みます。",
            ),
        ),
        (
            "search_kind",
            query_param(
                "kind",
                codes(TenderKind::ALL.iter().map(|k| k.code())),
                "Tender kind.",
                "案件種別。",
            ),
        ),
        (
            "search_category",
            query_param(
                "category",
                codes(Category::ALL.iter().map(|k| k.code())),
                "What is bought: goods, works, services.",
                "区分（物品・工事・役務）。",
            ),
        ),
        (
            "search_method",
            query_param(
                "method",
                codes(ContractMethod::ALL.iter().map(|k| k.code())),
                "Contract method.",
                "契約方法。",
            ),
        ),
        (
            "search_status",
            repeated(query_param(
                "status",
                array(codes(statuses)),
                "Status; open: every status still taking part (published to accepting submissions). Repeat for several.",
                "状態。open は参加受付中（公告中〜受付中）。複数指定できます。",
            )),
        ),
        (
            "search_grade",
            query_param(
                "grade",
                codes(Grade::ALL.iter().map(|g| g.code())),
                "Tenders a supplier of this grade may take part in (no grade required, or this grade among the eligible ones).",
                "この等級の受注者が参加できる案件（等級の指定がないもの、または参加できる等級に含まれるもの）。",
            ),
        ),
        (
            "search_buyer",
            query_param(
                "buyer",
                integer(),
                "Only this buyer organisation's tenders (id).",
                "指定した発注機関（番号）の案件のみ。",
            ),
        ),
        (
            "search_published_from",
            day(
                "published_from",
                "Published on or after this day (Japan time).",
                "公告日がこの日（日本時間）以降。",
            ),
        ),
        (
            "search_published_to",
            day(
                "published_to",
                "Published on or before this day (Japan time).",
                "公告日がこの日（日本時間）以前。",
            ),
        ),
        (
            "search_deadline_from",
            day(
                "deadline_from",
                "Submission deadline on or after this day (Japan time).",
                "提出締切日がこの日（日本時間）以降。",
            ),
        ),
        (
            "search_deadline_to",
            day(
                "deadline_to",
                "Submission deadline on or before this day (Japan time).",
                "提出締切日がこの日（日本時間）以前。",
            ),
        ),
        (
            "search_opening_from",
            day(
                "opening_from",
                "Bid opening on or after this day (Japan time).",
                "開札日がこの日（日本時間）以降。",
            ),
        ),
        (
            "search_opening_to",
            day(
                "opening_to",
                "Bid opening on or before this day (Japan time).",
                "開札日がこの日（日本時間）以前。",
            ),
        ),
        (
            "search_price_min",
            query_param(
                "price_min",
                json!({ "type": "integer", "minimum": 0 }),
                "Public reserve price (yen, excl. tax) at least this; tenders whose price is not public do not match.",
                "公表されている予定価格（税抜・円）がこの金額以上。予定価格が公表されていない案件は該当しません。",
            ),
        ),
        (
            "search_price_max",
            query_param(
                "price_max",
                json!({ "type": "integer", "minimum": 0 }),
                "Public reserve price (yen, excl. tax) at most this.",
                "公表されている予定価格（税抜・円）がこの金額以下。",
            ),
        ),
        (
            "search_sort",
            query_param(
                "sort",
                json!({ "type": "string", "enum": ["relevance", "newest", "deadline", "awarded", "amount_desc", "amount_asc"] }),
                "Order: relevance (the default with q), newest (the default without), deadline (earliest submission deadline first), awarded (latest award decision first), amount_desc / amount_asc (by award amount excl. tax); tenders without an award (or its amount) come last in the award orders.",
                "並び順：relevance（関連度順。q 指定時の既定）、newest（公告の新しい順。q 省略時の既定）、deadline（提出締切の早い順）、awarded（落札決定日の新しい順）、amount_desc・amount_asc（税抜の落札金額の高い順・低い順）。落札の並び順では、落札者が決定していない案件（価格のない落札）は末尾になります。",
            ),
        ),
        (
            "search_certification",
            query_param(
                "certification",
                codes(Certification::ALL.iter().map(|c| c.code())),
                "Certification held.",
                "取得している認証。",
            ),
        ),
        (
            "search_company_grade",
            query_param(
                "grade",
                json!({ "type": "string", "enum": company_grades }),
                "Qualification held, as category:grade (e.g. goods:C).",
                "競争参加資格（区分:等級。例：goods:C）。",
            ),
        ),
        (
            "search_per_page",
            query_param(
                "per_page",
                json!({"type": "integer", "minimum": 1, "maximum": super::super::search::MAX_PER_PAGE, "default": super::super::search::PAGE_SIZE}),
                "Results per page.",
                "1ページあたりの件数。",
            ),
        ),
    ]
}

fn facet_counts(en: &str, ja: &str) -> Value {
    prop(array(schema_ref("FacetCount")), en, ja)
}

fn page_fields() -> Vec<(&'static str, Value)> {
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
    ]
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let html = |en: &str, ja: &str| prop(string(), en, ja);
    let mut out = Vec::new();
    out.push((
        "FacetCount",
        object(
            &["value", "count"],
            vec![
                (
                    "value",
                    prop(
                        string(),
                        "The value (a code, as the parameter takes it).",
                        "値（パラメーターに指定するコード）。",
                    ),
                ),
                (
                    "count",
                    prop(
                        integer(),
                        "Matches with this value.",
                        "この値に該当する件数。",
                    ),
                ),
            ],
        ),
    ));
    out.push((
        "TenderSearchHit",
        object(
            &[
                "id",
                "url",
                "title",
                "title_html",
                "snippet_html",
                "status",
                "kind",
                "category",
                "method",
                "buyer",
                "submission_closes_at",
            ],
            vec![
                ("id", prop(integer(), "The tender's id.", "案件の番号（ID）。")),
                ("url", prop(string(), "The tender's page.", "案件ページのURL。")),
                ("title", prop(string(), "Title (件名), as text.", "件名（テキスト）。")),
                (
                    "title_html",
                    html(
                        "The title as HTML: escaped text with <mark> around the words matched.",
                        "件名のHTML（エスケープ済みのテキストで、一致した語を <mark> で囲みます）。",
                    ),
                ),
                (
                    "snippet_html",
                    html(
                        "An excerpt of the summary around the matches, as HTML like title_html.",
                        "概要のうち一致した箇所の抜粋（title_html と同じ形式のHTML）。",
                    ),
                ),
                (
                    "score",
                    prop(
                        json!({ "type": "number" }),
                        "Relevance (higher is better; only comparable within one search).",
                        "関連度（大きいほど関連が高い。同じ検索の中でのみ比較できます）。",
                    ),
                ),
                ("status", prop(string(), "Status.", "状態。")),
                ("kind", prop(string(), "Kind.", "案件種別。")),
                ("category", prop(string(), "Category.", "区分。")),
                ("method", prop(string(), "Contract method.", "契約方法。")),
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
                (
                    "prefecture",
                    prop(
                        nullable_string(),
                        "Prefecture of the place (code); null when online.",
                        "履行場所の都道府県コード（オンラインの場合は null）。",
                    ),
                ),
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
                ("opening_at", prop(date_time(), "Bid opening.", "開札日時。")),
                (
                    "award",
                    prop(
                        json!({ "oneOf": [schema_ref("Award"), { "type": "null" }] }),
                        "The decided award (落札者決定), or null.",
                        "決定した落札（落札者決定）。未決定の場合は null。",
                    ),
                ),
            ],
        ),
    ));
    let mut fields = page_fields();
    fields.push((
        "items",
        prop(
            array(schema_ref("TenderSearchHit")),
            "This page's tenders, in order.",
            "このページの案件（順位順）。",
        ),
    ));
    fields.push((
        "facets",
        prop(
            object(
                &["kind", "category", "method", "status", "prefecture", "awarded"],
                vec![
                    ("kind", facet_counts("Per kind.", "案件種別ごと。")),
                    ("category", facet_counts("Per category.", "区分ごと。")),
                    (
                        "method",
                        facet_counts("Per contract method.", "契約方法ごと。"),
                    ),
                    ("status", facet_counts("Per status.", "状態ごと。")),
                    (
                        "prefecture",
                        facet_counts("Per prefecture of the place.", "履行場所の都道府県ごと。"),
                    ),
                    (
                        "awarded",
                        facet_counts(
                            "Tenders with a decided award (value awarded; listed when there are some or awarded=1).",
                            "落札者が決定した案件の件数（値は awarded。該当があるか awarded=1 の場合に返します）。",
                        ),
                    ),
                ],
            ),
            "Counts of the matches per value, each with every filter but its own.",
            "値ごとの件数（その項目以外の条件をすべて適用したもの）。",
        ),
    ));
    out.push((
        "TenderSearchResult",
        object(&["total", "page", "per_page", "items", "facets"], fields),
    ));
    out.push((
        "CompanySearchHit",
        object(
            &["id", "url", "name", "name_html", "snippet_html", "prefecture"],
            vec![
                (
                    "id",
                    prop(integer(), "The company's (organisation's) id.", "企業（組織）の番号（ID）。"),
                ),
                ("url", prop(string(), "The company's page.", "企業ページのURL。")),
                ("name", prop(string(), "Name.", "社名。")),
                ("name_kana", prop(string(), "Reading (katakana).", "フリガナ。")),
                (
                    "name_html",
                    html(
                        "The name as HTML: escaped text with <mark> around the words matched.",
                        "社名のHTML（エスケープ済みのテキストで、一致した語を <mark> で囲みます）。",
                    ),
                ),
                (
                    "snippet_html",
                    html(
                        "An excerpt of the capabilities or catalogue around the matches, as HTML.",
                        "事業内容・取扱品目のうち一致した箇所の抜粋（HTML）。",
                    ),
                ),
                (
                    "score",
                    prop(json!({ "type": "number" }), "Relevance.", "関連度。"),
                ),
                (
                    "prefecture",
                    prop(
                        object(
                            &["code", "name"],
                            vec![
                                ("code", prop(string(), "Code.", "コード。")),
                                ("name", prop(string(), "Name.", "名称。")),
                            ],
                        ),
                        "Prefecture of the head office.",
                        "本社所在地の都道府県。",
                    ),
                ),
                (
                    "jsic",
                    prop(array(string()), "Industry codes (JSIC).", "業種（日本標準産業分類のコード）。"),
                ),
                (
                    "certifications",
                    prop(array(string()), "Certifications held.", "取得している認証。"),
                ),
                (
                    "grades",
                    prop(
                        array(string()),
                        "Qualifications as category:grade.",
                        "競争参加資格（区分:等級）。",
                    ),
                ),
                (
                    "updated_at",
                    prop(date_time(), "Profile last updated.", "企業情報の更新日時。"),
                ),
            ],
        ),
    ));
    let mut fields = page_fields();
    fields.push((
        "items",
        prop(
            array(schema_ref("CompanySearchHit")),
            "This page's companies, in order.",
            "このページの企業（順位順）。",
        ),
    ));
    fields.push((
        "facets",
        prop(
            object(
                &["prefecture"],
                vec![(
                    "prefecture",
                    facet_counts(
                        "Per prefecture of the head office.",
                        "本社所在地の都道府県ごと。",
                    ),
                )],
            ),
            "Counts of the matches per value.",
            "値ごとの件数。",
        ),
    ));
    out.push((
        "CompanySearchResult",
        object(&["total", "page", "per_page", "items", "facets"], fields),
    ));
    out
}
