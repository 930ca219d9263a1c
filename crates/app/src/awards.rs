//! The awards database (落札情報): confirmed awards, searched, listed and
//! exported as CSV.
//!
//! An award is part of its tender's search document (see [`crate::search`]),
//! so the list is a search of the tender index restricted to awarded
//! tenders: the same query language and filters, plus the award's own
//! (winner, decision date, amount), sorted by decision or amount. Only a
//! confirmed award (落札者決定) is ever indexed, so nothing of a bid before
//! it can appear here. Like every search, the list follows the database
//! within the outbox delay and is rebuilt by `musubi reindex`.
//!
//! The CSV ([`awards_csv`]) is for Excel as much as for programs: UTF-8
//! with a BOM, CRLF line ends, RFC 4180 quoting, the columns of
//! [`CSV_COLUMNS`] in that order (new columns are only ever added at the
//! end), amounts as integer yen, times in Japan time.

use chrono::{DateTime, Utc};
use musubi_domain::tender::{Category, ContractMethod, TenderKind};
use musubi_domain::{Prefecture, to_japan};
use musubi_search::{AwardHit, SearchPage, TenderSearch};

use crate::Services;
use crate::error::{ServiceError, ServiceResult};
use crate::search::{MAX_LIMIT, blocking};

/// Most rows one CSV export holds: beyond, narrow the search (by period,
/// for instance). Keeps an export's memory and time bounded (about 300
/// bytes a row) however large the database grows.
pub const MAX_EXPORT_ROWS: usize = 100_000;

/// The CSV's header, in column order (a stable contract: columns are only
/// ever added at the end).
///
/// 1. 落札決定日時 — when the buyer confirmed the award, Japan time,
///    `YYYY-MM-DD HH:MM:SS`
/// 2. 案件番号 — the tender's id
/// 3. 案件名
/// 4. 案件種別 — 見積依頼, 入札, 企画提案, ニーズ・課題
/// 5. 区分 — 物品, 工事, 役務
/// 6. 契約方法
/// 7. 履行場所 — the prefecture, or オンライン
/// 8. 発注機関
/// 9. 落札者
/// 10. 落札者法人番号 — 13 digits, empty if the winner has none
/// 11. 落札金額（税抜・円） — integer yen, empty for a proposal without a price
/// 12. 落札金額（税込・円） — integer yen (消費税10%, fractions dropped)
/// 13. 入札結果URL — the tender's public results page
pub const CSV_COLUMNS: [&str; 13] = [
    "落札決定日時",
    "案件番号",
    "案件名",
    "案件種別",
    "区分",
    "契約方法",
    "履行場所",
    "発注機関",
    "落札者",
    "落札者法人番号",
    "落札金額（税抜・円）",
    "落札金額（税込・円）",
    "入札結果URL",
];

/// The public results page of a tender, where each award row links.
pub fn results_path(tender_id: i64) -> String {
    format!("/tenders/{tender_id}/results")
}

/// Japan time as the CSV writes it: `2026-12-14 10:00:00`.
pub fn csv_time(t: DateTime<Utc>) -> String {
    to_japan(t).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Appends one field, RFC 4180: quoted when it holds a comma, a quote, CR
/// or LF, quotes doubled. Text that a spreadsheet would take for a formula
/// (starting with `=`, `+`, `-`, `@`, tab or CR) gets a leading `'`, so a
/// name can never run as a formula when the file is opened (CSV injection).
fn push_field(out: &mut String, value: &str, text: bool) {
    let guard = text && value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = value.contains([',', '"', '\r', '\n']);
    if quote {
        out.push('"');
    }
    if guard {
        out.push('\'');
    }
    for c in value.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quote {
        out.push('"');
    }
}

fn push_row<'a>(out: &mut String, fields: impl IntoIterator<Item = (&'a str, bool)>) {
    for (i, (value, text)) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, value, text);
    }
    out.push_str("\r\n");
}

/// A code's Japanese label (the code itself if unknown).
fn label<T>(
    code: &str,
    parse: impl Fn(&str) -> Option<T>,
    name: impl Fn(T) -> &'static str,
) -> String {
    parse(code).map_or_else(|| code.to_owned(), |v| name(v).to_owned())
}

/// The CSV of `rows`: BOM, header, one line per award. `base_url` makes
/// the results links absolute (no trailing slash).
pub fn awards_csv(rows: &[AwardHit], base_url: &str) -> Vec<u8> {
    let mut out = String::with_capacity(256 + rows.len() * 320);
    out.push('\u{feff}');
    push_row(&mut out, CSV_COLUMNS.iter().map(|c| (*c, true)));
    for r in rows {
        let t = &r.tender;
        let a = &r.award;
        let kind = label(&t.kind, |c| TenderKind::parse(c).ok(), TenderKind::name_ja);
        let category = label(&t.category, |c| Category::parse(c).ok(), Category::name_ja);
        let method = label(
            &t.method,
            |c| ContractMethod::parse(c).ok(),
            ContractMethod::name_ja,
        );
        let place = match t.prefecture.as_deref() {
            Some(p) => label(p, |c| Prefecture::parse(c).ok(), Prefecture::name_ja),
            None => "オンライン".to_owned(),
        };
        let yen = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        let fields: [(String, bool); 13] = [
            (csv_time(a.awarded_at), false),
            (r.tender_id.to_string(), false),
            (r.title.clone(), true),
            (kind, true),
            (category, true),
            (method, true),
            (place, true),
            (t.buyer_name.clone(), true),
            (a.winner_name.clone(), true),
            (a.winner_corporate_number.clone().unwrap_or_default(), false),
            (yen(a.amount_tax_exclusive), false),
            (yen(a.amount_tax_inclusive), false),
            (format!("{base_url}{}", results_path(r.tender_id)), false),
        ];
        push_row(&mut out, fields.iter().map(|(v, text)| (v.as_str(), *text)));
    }
    out.into_bytes()
}

impl Services {
    /// One page of awards matching `search` (awarded tenders only, whatever
    /// it says), highlighted. Errors as for [`Self::search_tenders`].
    pub async fn search_awards(
        &self,
        search: &TenderSearch,
    ) -> ServiceResult<SearchPage<AwardHit>> {
        let index = self.search_index()?;
        let mut search = search.clone();
        search.limit = search.limit.min(MAX_LIMIT);
        blocking(move || index.search_awards(&search)).await
    }

    /// Every award matching `search` (its paging ignored) as CSV bytes
    /// ([`awards_csv`]). More than [`MAX_EXPORT_ROWS`]: 400
    /// `export_too_large`.
    pub async fn awards_csv(&self, search: &TenderSearch) -> ServiceResult<Vec<u8>> {
        let index = self.search_index()?;
        let search = search.clone();
        let base = self.config.base_url.trim_end_matches('/').to_owned();
        let (total, rows) = blocking(move || index.all_awards(&search, MAX_EXPORT_ROWS)).await?;
        let Some(rows) = rows else {
            return Err(ServiceError::Refused {
                status: 400,
                code: "export_too_large",
                message_ja: format!(
                    "該当する落札情報が{total}件あり、一度に出力できる{MAX_EXPORT_ROWS}件を超えています。落札決定日の期間などで絞り込んでから出力してください。"
                ),
                message_en: format!(
                    "{total} awards match, more than the {MAX_EXPORT_ROWS} one export can hold. Narrow the search (by decision date, for instance) and export again."
                ),
            });
        };
        // Formatting a large export is CPU work: off the async threads.
        tokio::task::spawn_blocking(move || awards_csv(&rows, &base))
            .await
            .map_err(|e| ServiceError::Internal(format!("csv task: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use musubi_search::{AwardDoc, AwardTender};

    use super::*;

    fn hit(id: i64, title: &str, winner: &str, number: Option<&str>) -> AwardHit {
        AwardHit {
            tender_id: id,
            score: 0.0,
            title: title.into(),
            title_html: String::new(),
            winner_html: String::new(),
            tender: AwardTender {
                buyer_id: 3,
                buyer_name: "千代田区".into(),
                kind: "sealed_bid".into(),
                category: "services".into(),
                method: "open".into(),
                prefecture: Some("13".into()),
            },
            award: AwardDoc {
                winner_id: 9,
                winner_name: winner.into(),
                winner_corporate_number: number.map(Into::into),
                amount_tax_exclusive: Some(900_000),
                amount_tax_inclusive: Some(990_000),
                // 2026-12-14 10:00:05 JST.
                awarded_at: Utc.with_ymd_and_hms(2026, 12, 14, 1, 0, 5).unwrap(),
            },
        }
    }

    #[test]
    fn csv_bytes_bom_crlf_and_quoting() {
        let mut online = hit(8, "案内, \"特別\"版", "=HYPERLINK(\"x\")", None);
        online.tender.prefecture = None;
        online.award.amount_tax_exclusive = None;
        online.award.amount_tax_inclusive = None;
        let rows = [
            hit(
                7,
                "本庁舎清掃",
                "株式会社東洋印刷\n本店",
                Some("7000012050002"),
            ),
            online,
        ];
        let bytes = awards_csv(&rows, "https://musubi.example.jp");
        assert_eq!(&bytes[..3], [0xEF, 0xBB, 0xBF]);
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], CSV_COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "2026-12-14 10:00:05,7,本庁舎清掃,入札,役務,一般競争,東京都,千代田区,\"株式会社東洋印刷\n本店\",7000012050002,900000,990000,https://musubi.example.jp/tenders/7/results"
        );
        assert_eq!(
            lines[2],
            "2026-12-14 10:00:05,8,\"案内, \"\"特別\"\"版\",入札,役務,一般競争,オンライン,千代田区,\"'=HYPERLINK(\"\"x\"\")\",,,,https://musubi.example.jp/tenders/8/results"
        );
        assert_eq!(lines[3], "", "the last line ends with CRLF too");
        assert_eq!(lines.len(), 4);
        // No bare LF outside quoted fields: every record ends with CRLF.
        assert!(!text.replace("\r\n", "").contains('\r'));
    }

    #[test]
    fn an_empty_export_is_the_header() {
        let bytes = awards_csv(&[], "");
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            format!("\u{feff}{}\r\n", CSV_COLUMNS.join(","))
        );
    }
}
