//! `musubi bench search`: Musubi's full-text search against the two
//! engines a Japanese portal would otherwise use — SQLite FTS5 (trigram, with
//! a LIKE scan for terms under three characters, which trigrams cannot find)
//! and PostgreSQL pg_trgm (GIN index, ILIKE) — on the same corpus and the
//! same fixed queries, each engine's results checked against a brute-force
//! substring oracle.
//!
//! What each engine does per query (the timed unit):
//! - Musubi: a search as the search page makes it — relevance order, the
//!   first 20 hits with snippets, the exact total and the five facets —
//!   in-process ("engine") and over HTTP from a `musubi serve` child
//!   process ("HTTP API"), whose memory is read from /proc.
//! - The peers: one SQL statement for the exact total and the first 20
//!   newest (`count(*) OVER ()`, `ORDER BY published_at DESC LIMIT 20`),
//!   without facets — less work than Musubi does.
//!
//! Every engine sees the same normalised text (NFKC, width and case folded;
//! title, summary and buyer joined by newlines), so all of them can reach
//! recall 1.0; the peers' tables are built from it, and their build time is
//! the index creation alone. Musubi's build time is a whole `musubi reindex`
//! from the database. Corpus, index and peer tables are kept under
//! `<data-dir>/bench/` and reused by later runs (`--rebuild` builds the
//! indexes again).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use chrono::{NaiveDate, Utc};
use musubi_app::search::{ReindexScope, SearchIndex, tender_doc};
use musubi_app::{Services, SystemClock};
use musubi_search::analysis::normalize;
use musubi_search::query::{Expr, parse as parse_query};
use musubi_search::{Sort, TenderSearch};
use musubi_storage::DatabaseUrl;
use sqlx::Row;

use super::bench_tender_page::build_corpus;
use super::ensure_data_dir;
use super::http_client::Conn;
use crate::cli::GlobalArgs;

/// The issue's budgets.
const P99_BUDGET_MS: f64 = 20.0;
const PEER_P99_RATIO_TARGET: f64 = 10.0;
const BUILD_TARGET_PER_S: f64 = 5_000.0;
const INDEX_OVER_RAW_BUDGET: f64 = 2.0;
const SERVER_MEMORY_BUDGET_MIB: f64 = 1024.0;
/// Hits per page, as on the search page.
const PAGE: usize = 20;
/// Threads (and client connections) of the throughput runs.
const THREADS: usize = 2;
/// The pg_trgm database the benchmark creates (with a UTF-8 ctype: in the
/// C locale pg_trgm treats Japanese characters as separators and indexes
/// nothing of them).
const PG_DATABASE: &str = "musubi_bench_search";

pub struct Args {
    pub tenders: u64,
    pub seed: u64,
    pub queries: usize,
    pub seconds: u64,
    pub postgres: Option<String>,
    pub rebuild: bool,
    pub musubi_only: bool,
    pub json: bool,
}

/// A tender as every engine sees it.
struct Doc {
    id: i64,
    /// Normalised title, summary and buyer name.
    fields: [String; 3],
    kind: String,
    category: String,
    method: String,
    status: String,
    prefecture: String,
    region: String,
    published_micros: i64,
}

impl Doc {
    fn text(&self) -> String {
        self.fields.join("\n")
    }
}

#[derive(Clone, Default)]
struct Filters {
    prefecture: Option<String>,
    region: Option<String>,
    kind: Option<String>,
    category: Option<String>,
    statuses: Vec<String>,
    published_from: Option<NaiveDate>,
}

impl Filters {
    fn published_from_micros(&self) -> Option<i64> {
        self.published_from.and_then(|d| {
            musubi_domain::japan_local_to_utc(d.and_hms_opt(0, 0, 0)?).map(|t| t.timestamp_micros())
        })
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        let mut add = |name: &str, v: &Option<String>| {
            if let Some(v) = v {
                parts.push(format!("{name}={v}"));
            }
        };
        add("prefecture", &self.prefecture);
        add("region", &self.region);
        add("kind", &self.kind);
        add("category", &self.category);
        for s in &self.statuses {
            parts.push(format!("status={s}"));
        }
        if let Some(d) = self.published_from {
            parts.push(format!("published_from={d}"));
        }
        parts.join("&")
    }

    fn matches(&self, d: &Doc, from: Option<i64>) -> bool {
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        // Musubi's place filter: prefectures and regions together are one
        // filter, either matches (`TenderSearch`), so every engine does that.
        let place = match (&self.prefecture, &self.region) {
            (Some(p), Some(r)) => *p == d.prefecture || *r == d.region,
            _ => eq(&self.prefecture, &d.prefecture) && eq(&self.region, &d.region),
        };
        place
            && eq(&self.kind, &d.kind)
            && eq(&self.category, &d.category)
            && (self.statuses.is_empty() || self.statuses.contains(&d.status))
            && from.is_none_or(|f| d.published_micros >= f)
    }
}

struct BenchQuery {
    class: &'static str,
    q: String,
    expr: Expr,
    filters: Filters,
}

// ---------------------------------------------------------------------------
// The fixed query set.

const TWO_CHAR: &[&str] = &[
    "入札", "清掃", "印刷", "工事", "委託", "保守", "点検", "設計", "購入", "警備", "調査", "運搬",
    "給食", "研修", "広報", "翻訳", "測量", "塗装", "電気", "空調", "備品", "車両", "医療", "庁舎",
    "道路", "公園", "物品", "機器", "運営", "管理", "施設", "契約", "製本", "廃棄", "展示", "会場",
    "照明", "植栽", "除草", "消防", "令和", "食品", "制服", "封筒", "賃貸", "修繕", "名刺", "弁当",
];
const LONGER: &[&str] = &[
    "保守点検",
    "業務委託",
    "清掃業務",
    "改修工事",
    "警備業務",
    "施設管理",
    "電気設備",
    "空調設備",
    "システム",
    "データ",
    "仕様書",
    "参加資格",
    "予定価格",
    "履行期間",
    "消耗品",
    "事務用品",
    "イベント",
    "東京ビッグサイト",
    "一般競争入札",
    "ネットワーク",
    "パソコン",
    "複合機",
    "ホームページ",
    "宇宙エレベーター",
];
const PHRASES: &[&str] = &[
    "\"保守点検業務\"",
    "\"清掃業務委託\"",
    "\"改修工事\"",
    "\"参加資格を有する\"",
    "\"一般競争入札\"",
    "\"システム 保守\"",
    "\"業務委託 仕様書\"",
    "\"空調設備 点検\"",
];
const BOOLEANS: &[&str] = &[
    "清掃 OR 警備",
    "印刷 NOT 製本",
    "(清掃 OR 警備) 庁舎",
    "工事 ANDNOT 設計",
    "システム (保守 OR 運用)",
    "点検 OR 修繕 OR 改修",
    "(印刷 OR 製本) NOT 封筒",
    "医療 機器 NOT 賃貸",
    "道路 OR 公園 OR 橋",
    "業務委託 NOT (清掃 OR 警備)",
];
const SHORT_AND_LATIN: &[&str] = &[
    "机",
    "紙",
    "橋",
    "LED",
    "ＬＥＤ",
    "DX",
    "AED",
    "PC",
    "ICT",
    "Web",
];
const PAIRS: &[&str] = &[
    "清掃 庁舎",
    "印刷 広報",
    "保守 システム",
    "工事 道路",
    "点検 消防",
    "警備 イベント",
    "購入 機器",
    "設計 改修",
    "調査 測量",
    "運営 会場",
];

/// SplitMix64: the same queries on every run.
struct Seq(u64);

impl Seq {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// `n` queries: six classes in turn (two-character words, longer words,
/// phrases, boolean expressions, one character or Latin letters, two
/// words), every other one with one or two filters drawn from the values
/// the corpus has.
fn queries(n: usize, docs: &[Doc]) -> Result<Vec<BenchQuery>> {
    let distinct = |f: fn(&Doc) -> &str| -> Vec<String> {
        let set: BTreeSet<&str> = docs.iter().map(f).filter(|v| *v != "-").collect();
        set.into_iter().map(str::to_owned).collect()
    };
    let prefectures = distinct(|d| &d.prefecture);
    let regions = distinct(|d| &d.region);
    let kinds = distinct(|d| &d.kind);
    let categories = distinct(|d| &d.category);
    let statuses = distinct(|d| &d.status);
    let newest = docs.iter().map(|d| d.published_micros).max().unwrap_or(0);
    let newest = chrono::DateTime::from_timestamp_micros(newest)
        .unwrap_or_else(Utc::now)
        .date_naive();
    let mut seq = Seq(0x7365_6172_6368);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (class, q): (&'static str, String) = match i % 6 {
            0 => ("two_char", seq.pick(TWO_CHAR).to_string()),
            1 => ("longer", seq.pick(LONGER).to_string()),
            2 => ("phrase", seq.pick(PHRASES).to_string()),
            3 => ("boolean", seq.pick(BOOLEANS).to_string()),
            4 => ("short_latin", seq.pick(SHORT_AND_LATIN).to_string()),
            _ => ("pair", seq.pick(PAIRS).to_string()),
        };
        let mut filters = Filters::default();
        if i % 2 == 1 && !prefectures.is_empty() {
            for _ in 0..1 + seq.next() % 2 {
                match seq.next() % 6 {
                    0 => filters.prefecture = Some(seq.pick(&prefectures).clone()),
                    1 => filters.region = Some(seq.pick(&regions).clone()),
                    2 => filters.kind = Some(seq.pick(&kinds).clone()),
                    3 => filters.category = Some(seq.pick(&categories).clone()),
                    4 => filters.statuses.push(seq.pick(&statuses).clone()),
                    _ => {
                        let days = 30 + (seq.next() % 700) as i64;
                        filters.published_from = Some(newest - chrono::Days::new(days as u64));
                    }
                }
            }
        }
        let expr = parse_query(&q)
            .map_err(|e| anyhow!("benchmark query {q:?}: {e}"))?
            .ok_or_else(|| anyhow!("benchmark query {q:?} is empty"))?;
        out.push(BenchQuery {
            class,
            q,
            expr,
            filters,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// The oracle.

/// The ids (sorted) of the documents that contain the query's terms as
/// substrings and pass its filters: a scan of every document.
fn oracle(docs: &[Doc], q: &BenchQuery) -> Vec<i64> {
    let from = q.filters.published_from_micros();
    let mut ids: Vec<i64> = docs
        .iter()
        .filter(|d| {
            q.filters.matches(d, from)
                && q.expr.matches(&[
                    d.fields[0].as_str(),
                    d.fields[1].as_str(),
                    d.fields[2].as_str(),
                ])
        })
        .map(|d| d.id)
        .collect();
    ids.sort_unstable();
    ids
}

/// Every query's oracle answer, on [`THREADS`] threads.
fn oracle_all(docs: &[Doc], qs: &[BenchQuery], quiet: bool) -> Vec<Vec<i64>> {
    let started = Instant::now();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mut out: Vec<Vec<i64>> = vec![Vec::new(); qs.len()];
    std::thread::scope(|s| {
        let chunks: Vec<_> = out
            .chunks_mut(qs.len().div_ceil(THREADS).max(1))
            .enumerate()
            .collect();
        let size = qs.len().div_ceil(THREADS).max(1);
        for (c, chunk) in chunks {
            let done = &done;
            s.spawn(move || {
                for (i, slot) in chunk.iter_mut().enumerate() {
                    *slot = oracle(docs, &qs[c * size + i]);
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    if !quiet && (n.is_multiple_of(10) || n == qs.len()) {
                        eprint!("\r  oracle: {n}/{} queries   ", qs.len());
                        let _ = std::io::stderr().flush();
                    }
                }
            });
        }
    });
    if !quiet {
        eprintln!(
            "\r  oracle: {} queries by brute force in {:.1} s",
            qs.len(),
            started.elapsed().as_secs_f64()
        );
    }
    out
}

// ---------------------------------------------------------------------------
// The engines.

#[derive(Clone)]
enum Engine {
    Musubi(Arc<SearchIndex>),
    Http(std::net::SocketAddr),
    Fts5(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

#[derive(Clone, Copy, PartialEq)]
enum Dialect {
    Sqlite,
    Postgres,
}

enum Bind {
    Text(String),
    Int(i64),
}

impl Engine {
    fn name(&self) -> &'static str {
        match self {
            Engine::Musubi(_) => "musubi (engine)",
            Engine::Http(_) => "musubi (HTTP API)",
            Engine::Fts5(_) => "sqlite fts5 trigram",
            Engine::Pg(_) => "postgres pg_trgm",
        }
    }

    fn key(&self) -> &'static str {
        match self {
            Engine::Musubi(_) => "musubi",
            Engine::Http(_) => "musubi_http",
            Engine::Fts5(_) => "fts5",
            Engine::Pg(_) => "pg_trgm",
        }
    }

    /// The timed unit; returns the exact total.
    async fn page(&self, q: &BenchQuery, conn: Option<&mut Conn>) -> Result<u64> {
        match self {
            Engine::Musubi(index) => Ok(index
                .search_tenders(&tender_search(q, PAGE))
                .map_err(|e| anyhow!("{}: {e}", q.q))?
                .total),
            Engine::Http(addr) => {
                let mut own;
                let conn = match conn {
                    Some(c) => c,
                    None => {
                        own = Conn::open(*addr).await?;
                        &mut own
                    }
                };
                let (status, body) = conn.get_body(&api_path(q)).await?;
                if status != 200 {
                    bail!(
                        "GET {} answered {status}: {}",
                        api_path(q),
                        String::from_utf8_lossy(&body)
                    );
                }
                let v: serde_json::Value = serde_json::from_slice(&body)?;
                v.get("total")
                    .and_then(serde_json::Value::as_u64)
                    .ok_or_else(|| anyhow!("no total in the answer to {}", api_path(q)))
            }
            Engine::Fts5(pool) => {
                let mut binds = Vec::new();
                let w = sql_where(q, Dialect::Sqlite, &mut binds);
                let sql = format!(
                    "SELECT d.id, count(*) OVER () FROM docs d WHERE {w} ORDER BY d.published_at DESC, d.id DESC LIMIT {PAGE}"
                );
                let rows = bind_sqlite(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
                    .fetch_all(pool)
                    .await?;
                Ok(rows.first().map_or(0, |r| r.get::<i64, _>(1) as u64))
            }
            Engine::Pg(pool) => {
                let mut binds = Vec::new();
                let w = sql_where(q, Dialect::Postgres, &mut binds);
                let sql = format!(
                    "SELECT d.id, count(*) OVER () FROM docs d WHERE {w} ORDER BY d.published_at DESC, d.id DESC LIMIT {PAGE}"
                );
                let rows = bind_pg(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
                    .fetch_all(pool)
                    .await?;
                Ok(rows.first().map_or(0, |r| r.get::<i64, _>(1) as u64))
            }
        }
    }

    /// Every matching id (sorted), or `None` where the engine only gives
    /// pages (the HTTP API: its totals are compared instead).
    async fn all_ids(&self, q: &BenchQuery) -> Result<Option<Vec<i64>>> {
        let mut ids = match self {
            Engine::Musubi(index) => index
                .matching_tender_ids(&tender_search(q, 0))
                .map_err(|e| anyhow!("{}: {e}", q.q))?,
            Engine::Http(_) => return Ok(None),
            Engine::Fts5(pool) => {
                let mut binds = Vec::new();
                let w = sql_where(q, Dialect::Sqlite, &mut binds);
                let sql = format!("SELECT d.id FROM docs d WHERE {w}");
                bind_sqlite(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
                    .fetch_all(pool)
                    .await?
                    .iter()
                    .map(|r| r.get::<i64, _>(0))
                    .collect()
            }
            Engine::Pg(pool) => {
                let mut binds = Vec::new();
                let w = sql_where(q, Dialect::Postgres, &mut binds);
                let sql = format!("SELECT d.id FROM docs d WHERE {w}");
                bind_pg(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
                    .fetch_all(pool)
                    .await?
                    .iter()
                    .map(|r| r.get::<i64, _>(0))
                    .collect()
            }
        };
        ids.sort_unstable();
        Ok(Some(ids))
    }
}

fn tender_search(q: &BenchQuery, limit: usize) -> TenderSearch {
    let f = &q.filters;
    let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
    TenderSearch {
        q: q.q.clone(),
        prefectures: one(&f.prefecture),
        regions: one(&f.region),
        kinds: one(&f.kind),
        categories: one(&f.category),
        statuses: f.statuses.clone(),
        published_from: f
            .published_from_micros()
            .and_then(chrono::DateTime::from_timestamp_micros),
        sort: Sort::Relevance,
        offset: 0,
        limit,
        ..Default::default()
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn api_path(q: &BenchQuery) -> String {
    let mut p = format!(
        "/api/v1/search/tenders?per_page={PAGE}&q={}",
        percent_encode(&q.q)
    );
    let f = q.filters.describe();
    if !f.is_empty() {
        p.push('&');
        p.push_str(&f);
    }
    p
}

/// The query as SQL: each term a predicate (FTS5: a trigram MATCH, or a
/// LIKE scan under three characters; PostgreSQL: ILIKE, which pg_trgm's
/// GIN index serves), combined as the expression says, then the filters.
fn sql_where(q: &BenchQuery, dialect: Dialect, binds: &mut Vec<Bind>) -> String {
    fn placeholder(dialect: Dialect, binds: &[Bind]) -> String {
        match dialect {
            Dialect::Sqlite => "?".to_owned(),
            Dialect::Postgres => format!("${}", binds.len()),
        }
    }
    fn like_pattern(term: &str) -> String {
        let mut p = String::from("%");
        for c in term.chars() {
            if matches!(c, '%' | '_' | '\\') {
                p.push('\\');
            }
            p.push(c);
        }
        p.push('%');
        p
    }
    fn walk(e: &Expr, dialect: Dialect, binds: &mut Vec<Bind>) -> String {
        match e {
            Expr::Term(t) => match dialect {
                Dialect::Sqlite if t.chars().count() >= 3 => {
                    binds.push(Bind::Text(format!("\"{}\"", t.replace('"', "\"\""))));
                    format!(
                        "d.id IN (SELECT rowid FROM fts WHERE fts MATCH {})",
                        placeholder(dialect, binds)
                    )
                }
                Dialect::Sqlite => {
                    binds.push(Bind::Text(like_pattern(t)));
                    format!("d.text LIKE {} ESCAPE '\\'", placeholder(dialect, binds))
                }
                Dialect::Postgres => {
                    binds.push(Bind::Text(like_pattern(t)));
                    format!("d.text ILIKE {}", placeholder(dialect, binds))
                }
            },
            Expr::And(items) | Expr::Or(items) => {
                let op = if matches!(e, Expr::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                let parts: Vec<String> = items.iter().map(|i| walk(i, dialect, binds)).collect();
                format!("({})", parts.join(op))
            }
            Expr::AndNot(a, b) => {
                let a = walk(a, dialect, binds);
                let b = walk(b, dialect, binds);
                format!("({a} AND NOT {b})")
            }
        }
    }
    let mut w = walk(&q.expr, dialect, binds);
    let f = &q.filters;
    // One place filter, as in Musubi: a prefecture or a region.
    if let (Some(p), Some(r)) = (&f.prefecture, &f.region) {
        binds.push(Bind::Text(p.clone()));
        let p = placeholder(dialect, binds);
        binds.push(Bind::Text(r.clone()));
        let r = placeholder(dialect, binds);
        w.push_str(&format!(" AND (d.prefecture = {p} OR d.region = {r})"));
    }
    let mut text_filter = |column: &str, v: &str, binds: &mut Vec<Bind>| {
        binds.push(Bind::Text(v.to_owned()));
        w.push_str(&format!(
            " AND d.{column} = {}",
            placeholder(dialect, binds)
        ));
    };
    let place = match (&f.prefecture, &f.region) {
        (Some(_), Some(_)) => [None, None],
        (p, r) => [p.as_ref(), r.as_ref()],
    };
    for (column, v) in [
        ("prefecture", place[0]),
        ("region", place[1]),
        ("kind", f.kind.as_ref()),
        ("category", f.category.as_ref()),
    ] {
        if let Some(v) = v {
            text_filter(column, v, binds);
        }
    }
    if !f.statuses.is_empty() {
        let mut alts = Vec::new();
        for s in &f.statuses {
            binds.push(Bind::Text(s.clone()));
            alts.push(format!("d.status = {}", placeholder(dialect, binds)));
        }
        w.push_str(&format!(" AND ({})", alts.join(" OR ")));
    }
    if let Some(from) = f.published_from_micros() {
        binds.push(Bind::Int(from));
        w.push_str(&format!(
            " AND d.published_at >= {}",
            placeholder(dialect, binds)
        ));
    }
    w
}

fn bind_sqlite<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>,
    binds: Vec<Bind>,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments> {
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s),
            Bind::Int(i) => q.bind(i),
        };
    }
    q
}

fn bind_pg<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    binds: Vec<Bind>,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s),
            Bind::Int(i) => q.bind(i),
        };
    }
    q
}

// ---------------------------------------------------------------------------
// Building.

/// How an index was built (kept beside it so a reused index reports it).
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct Build {
    docs: u64,
    seconds: f64,
    /// When it was built (RFC 3339).
    at: String,
    #[serde(default)]
    reused: bool,
}

impl Build {
    fn per_second(&self) -> f64 {
        self.docs as f64 / self.seconds.max(1e-9)
    }
}

async fn load_docs(services: &Services, quiet: bool) -> Result<(Vec<Doc>, u64)> {
    let mut docs = Vec::new();
    let mut raw_bytes = 0u64;
    let mut after = 0;
    let started = Instant::now();
    let mut last = Instant::now();
    loop {
        let batch = services
            .storage
            .public_tenders_after(after, 2_000)
            .await
            .context("reading the corpus")?;
        let Some(l) = batch.last() else { break };
        after = l.id;
        for t in &batch {
            let Some(d) = tender_doc(t) else { continue };
            raw_bytes += (d.title.len() + d.summary.len() + d.buyer_name.len()) as u64;
            docs.push(Doc {
                id: d.id,
                fields: [
                    normalize(&d.title),
                    normalize(&d.summary),
                    normalize(&d.buyer_name),
                ],
                kind: d.kind,
                category: d.category,
                method: d.method,
                status: d.status,
                prefecture: d.prefecture.unwrap_or_else(|| "-".into()),
                region: d.region.unwrap_or_else(|| "-".into()),
                published_micros: d.published_at.timestamp_micros(),
            });
        }
        if !quiet && last.elapsed() >= Duration::from_millis(500) {
            last = Instant::now();
            eprint!(
                "\r  reading the corpus: {} tenders, {:.0}/s   ",
                docs.len(),
                docs.len() as f64 / started.elapsed().as_secs_f64()
            );
            let _ = std::io::stderr().flush();
        }
    }
    if !quiet {
        eprintln!(
            "\r  reading the corpus: {} tenders in {:.1} s          ",
            docs.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok((docs, raw_bytes))
}

fn read_build(path: &Path, docs: u64) -> Option<Build> {
    let b: Build = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    (b.docs == docs).then_some(Build { reused: true, ..b })
}

fn write_build(path: &Path, b: &Build) -> Result<()> {
    std::fs::write(path, serde_json::to_vec_pretty(b)?)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Musubi's index in `<dir>/search`, rebuilt by the real `musubi reindex`
/// path unless one with every corpus tender is there.
async fn musubi_index(
    services: &Services,
    dir: &Path,
    docs: u64,
    rebuild: bool,
    quiet: bool,
) -> Result<(Arc<SearchIndex>, Build)> {
    let index_dir = dir.join("search");
    let build_file = dir.join("build.json");
    if !rebuild && let Some(b) = read_build(&build_file, docs) {
        let index = super::reindex::open_index(&index_dir)?;
        if index.counts()?.0 == docs {
            return Ok((Arc::new(index), b));
        }
    }
    if !quiet {
        eprintln!(
            "  building Musubi's index (musubi reindex) in {}",
            index_dir.display()
        );
    }
    let started = Instant::now();
    let report = super::reindex::rebuild(services, &index_dir, ReindexScope::All, !quiet)
        .await
        .map_err(super::reindex::RebuildError::into_anyhow)?;
    let build = Build {
        docs: report.tenders,
        seconds: started.elapsed().as_secs_f64(),
        at: Utc::now().to_rfc3339(),
        reused: false,
    };
    write_build(&build_file, &build)?;
    let index = super::reindex::open_index(&index_dir)?;
    Ok((Arc::new(index), build))
}

const PEER_COLUMNS: &str =
    "id, text, kind, category, method, status, prefecture, region, published_at";

/// The FTS5 database: the documents, then the trigram index over them.
async fn fts5(
    path: &Path,
    docs: &[Doc],
    rebuild: bool,
    quiet: bool,
) -> Result<(sqlx::SqlitePool, Build, u64)> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
    if rebuild {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
        .pragma("cache_size", "-262144")
        .pragma("mmap_size", "4294967296");
    let pool = SqlitePoolOptions::new()
        .max_connections(THREADS as u32 + 1)
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open {}", path.display()))?;
    let meta: Option<String> =
        sqlx::query_scalar("SELECT value FROM bench_meta WHERE key = 'build'")
            .fetch_optional(&pool)
            .await
            .unwrap_or(None);
    if let Some(b) = meta
        .and_then(|m| serde_json::from_str::<Build>(&m).ok())
        .filter(|b| b.docs == docs.len() as u64)
    {
        let size = fts5_size(&pool).await?;
        return Ok((pool, Build { reused: true, ..b }, size));
    }
    if !quiet {
        eprintln!("  building the FTS5 database {}", path.display());
    }
    for stmt in [
        "DROP TABLE IF EXISTS fts",
        "DROP TABLE IF EXISTS docs",
        "DROP TABLE IF EXISTS bench_meta",
        "CREATE TABLE docs (id INTEGER PRIMARY KEY, text TEXT NOT NULL, kind TEXT NOT NULL, category TEXT NOT NULL, method TEXT NOT NULL, status TEXT NOT NULL, prefecture TEXT NOT NULL, region TEXT NOT NULL, published_at INTEGER NOT NULL)",
        "CREATE TABLE bench_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ] {
        sqlx::query(stmt).execute(&pool).await?;
    }
    let mut tx = pool.begin().await?;
    for (i, d) in docs.iter().enumerate() {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO docs ({PEER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )))
        .bind(d.id)
        .bind(d.text())
        .bind(&d.kind)
        .bind(&d.category)
        .bind(&d.method)
        .bind(&d.status)
        .bind(&d.prefecture)
        .bind(&d.region)
        .bind(d.published_micros)
        .execute(&mut *tx)
        .await?;
        if !quiet && (i + 1) % 50_000 == 0 {
            eprint!("\r    documents: {}/{}   ", i + 1, docs.len());
            let _ = std::io::stderr().flush();
        }
    }
    tx.commit().await?;
    let started = Instant::now();
    if !quiet {
        eprintln!("\r    trigram index …                 ");
    }
    sqlx::query("CREATE VIRTUAL TABLE fts USING fts5(text, content='docs', content_rowid='id', tokenize='trigram')")
        .execute(&pool)
        .await?;
    sqlx::query("INSERT INTO fts(fts) VALUES ('rebuild')")
        .execute(&pool)
        .await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await?;
    let build = Build {
        docs: docs.len() as u64,
        seconds: started.elapsed().as_secs_f64(),
        at: Utc::now().to_rfc3339(),
        reused: false,
    };
    sqlx::query("INSERT INTO bench_meta (key, value) VALUES ('build', ?)")
        .bind(serde_json::to_string(&build)?)
        .execute(&pool)
        .await?;
    let size = fts5_size(&pool).await?;
    Ok((pool, build, size))
}

async fn fts5_size(pool: &sqlx::SqlitePool) -> Result<u64> {
    let size: i64 =
        sqlx::query_scalar("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE 'fts%'")
            .fetch_one(pool)
            .await
            .context("measuring the FTS5 index (dbstat)")?;
    Ok(size as u64)
}

/// The pg_trgm database: created with a UTF-8 ctype, the documents copied
/// in, then the GIN index.
async fn pg_trgm(
    url: &str,
    docs: &[Doc],
    rebuild: bool,
    quiet: bool,
) -> Result<(sqlx::PgPool, Build, u64)> {
    use sqlx::postgres::PgPoolOptions;
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .with_context(|| format!("cannot connect to {url}"))?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(PG_DATABASE)
            .fetch_one(&admin)
            .await?;
    if !exists {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {PG_DATABASE} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )))
        .execute(&admin)
        .await
        .with_context(|| format!("cannot create the database {PG_DATABASE} (with the C.UTF-8 locale, which pg_trgm needs to index Japanese)"))?;
    }
    admin.close().await;
    let options = <sqlx::postgres::PgConnectOptions as std::str::FromStr>::from_str(url)
        .with_context(|| format!("invalid URL {url}"))?
        .database(PG_DATABASE);
    let pool = PgPoolOptions::new()
        .max_connections(THREADS as u32 + 1)
        .connect_with(options)
        .await
        .with_context(|| format!("cannot connect to the database {PG_DATABASE} at {url}"))?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS bench_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    )
    .execute(&pool)
    .await?;
    let meta: Option<String> =
        sqlx::query_scalar("SELECT value FROM bench_meta WHERE key = 'build'")
            .fetch_optional(&pool)
            .await?;
    if !rebuild
        && let Some(b) = meta
            .and_then(|m| serde_json::from_str::<Build>(&m).ok())
            .filter(|b| b.docs == docs.len() as u64)
    {
        let size = pg_size(&pool).await?;
        return Ok((pool, Build { reused: true, ..b }, size));
    }
    if !quiet {
        eprintln!("  building the pg_trgm database {PG_DATABASE}");
    }
    for stmt in [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "DELETE FROM bench_meta",
        "DROP TABLE IF EXISTS docs",
        "CREATE TABLE docs (id BIGINT PRIMARY KEY, text TEXT NOT NULL, kind TEXT NOT NULL, category TEXT NOT NULL, method TEXT NOT NULL, status TEXT NOT NULL, prefecture TEXT NOT NULL, region TEXT NOT NULL, published_at BIGINT NOT NULL)",
    ] {
        sqlx::query(stmt).execute(&pool).await?;
    }
    {
        let mut conn = pool.acquire().await?;
        let mut copy = conn
            .copy_in_raw(&format!("COPY docs ({PEER_COLUMNS}) FROM STDIN"))
            .await?;
        let mut buf = String::new();
        for (i, d) in docs.iter().enumerate() {
            let esc = |s: &str| {
                s.replace('\\', "\\\\")
                    .replace('\t', "\\t")
                    .replace('\n', "\\n")
                    .replace('\r', "\\r")
            };
            buf.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                d.id,
                esc(&d.text()),
                esc(&d.kind),
                esc(&d.category),
                esc(&d.method),
                esc(&d.status),
                esc(&d.prefecture),
                esc(&d.region),
                d.published_micros
            ));
            if buf.len() > 4 << 20 {
                copy.send(std::mem::take(&mut buf).into_bytes()).await?;
                if !quiet {
                    eprint!("\r    documents: {}/{}   ", i + 1, docs.len());
                    let _ = std::io::stderr().flush();
                }
            }
        }
        if !buf.is_empty() {
            copy.send(buf.into_bytes()).await?;
        }
        copy.finish().await?;
    }
    if !quiet {
        eprintln!("\r    GIN (gin_trgm_ops) index …          ");
    }
    let started = Instant::now();
    sqlx::query("CREATE INDEX docs_text_trgm ON docs USING gin (text gin_trgm_ops)")
        .execute(&pool)
        .await?;
    let build = Build {
        docs: docs.len() as u64,
        seconds: started.elapsed().as_secs_f64(),
        at: Utc::now().to_rfc3339(),
        reused: false,
    };
    sqlx::query("ANALYZE docs").execute(&pool).await?;
    sqlx::query("INSERT INTO bench_meta (key, value) VALUES ('build', $1)")
        .bind(serde_json::to_string(&build)?)
        .execute(&pool)
        .await?;
    let size = pg_size(&pool).await?;
    Ok((pool, build, size))
}

async fn pg_size(pool: &sqlx::PgPool) -> Result<u64> {
    let size: i64 = sqlx::query_scalar("SELECT pg_relation_size('docs_text_trgm')")
        .fetch_one(pool)
        .await?;
    Ok(size as u64)
}

// ---------------------------------------------------------------------------
// The child server.

struct Child {
    process: tokio::process::Child,
    addr: std::net::SocketAddr,
}

impl Child {
    async fn start(data_dir: &Path, database: &DatabaseUrl) -> Result<Child> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let addr: std::net::SocketAddr = ([127, 0, 0, 1], port).into();
        let exe = std::env::current_exe()?;
        let process = tokio::process::Command::new(exe)
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--database-url")
            .arg(database.to_string())
            .args(["--log", "warn", "serve", "--no-worker", "--addr"])
            .arg(addr.to_string())
            .kill_on_drop(true)
            .stdout(std::process::Stdio::null())
            .spawn()
            .context("cannot start `musubi serve` for the HTTP measurements")?;
        let child = Child { process, addr };
        let started = Instant::now();
        loop {
            if let Ok(mut c) = Conn::open(addr).await
                && let Ok((200, _)) = c.get_body("/readyz").await
            {
                return Ok(child);
            }
            if started.elapsed() > Duration::from_secs(180) {
                bail!("`musubi serve` did not become ready on {addr} within 180 s");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// (resident, peak resident) in MiB, from /proc.
    fn memory_mib(&self) -> Option<(f64, f64)> {
        let pid = self.process.id()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let kib = |name: &str| -> Option<f64> {
            status
                .lines()
                .find(|l| l.starts_with(name))?
                .split_whitespace()
                .nth(1)?
                .parse::<f64>()
                .ok()
        };
        Some((kib("VmRSS:")? / 1024.0, kib("VmHWM:")? / 1024.0))
    }
}

// ---------------------------------------------------------------------------
// Measuring.

struct Measured {
    engine: &'static str,
    key: &'static str,
    /// Sorted.
    latencies_ms: Vec<f64>,
    /// In query order.
    per_query_ms: Vec<f64>,
    throughput: f64,
    /// Per query: (recall, precision), `None` where only totals are known.
    accuracy: Vec<Option<(f64, f64)>>,
    totals_match: usize,
    build: Option<Build>,
    index_bytes: Option<u64>,
}

impl Measured {
    fn percentile(&self, p: f64) -> f64 {
        let s = &self.latencies_ms;
        if s.is_empty() {
            return 0.0;
        }
        let idx = ((p / 100.0) * (s.len() as f64 - 1.0)).round() as usize;
        s[idx.min(s.len() - 1)]
    }

    fn min_recall(&self) -> Option<f64> {
        self.accuracy.iter().flatten().map(|a| a.0).reduce(f64::min)
    }

    fn min_precision(&self) -> Option<f64> {
        self.accuracy.iter().flatten().map(|a| a.1).reduce(f64::min)
    }

    fn json(&self, raw_bytes: u64) -> serde_json::Value {
        serde_json::json!({
            "engine": self.engine,
            "p50_ms": self.percentile(50.0),
            "p95_ms": self.percentile(95.0),
            "p99_ms": self.percentile(99.0),
            "max_ms": self.percentile(100.0),
            "queries_per_second_2_threads": self.throughput,
            "min_recall": self.min_recall(),
            "min_precision": self.min_precision(),
            "queries_with_exact_total": self.totals_match,
            "index_bytes": self.index_bytes,
            "index_over_raw_text": self.index_bytes.map(|b| b as f64 / raw_bytes.max(1) as f64),
            "build": self.build.as_ref().map(|b| serde_json::json!({
                "docs": b.docs, "seconds": b.seconds, "docs_per_second": b.per_second(),
                "built_at": b.at, "reused": b.reused,
            })),
        })
    }
}

/// Untimed traffic before the latency run (see `measure`).
const WARM_UP: Duration = Duration::from_secs(10);

async fn measure(
    engine: &Engine,
    qs: &[BenchQuery],
    truth: &[Vec<i64>],
    seconds: u64,
    quiet: bool,
) -> Result<Measured> {
    if !quiet {
        eprintln!("  {}: checking results against the oracle", engine.name());
    }
    // 1. Every result set against the oracle (also warms the caches).
    let mut accuracy = Vec::with_capacity(qs.len());
    for (i, (q, want)) in qs.iter().zip(truth).enumerate() {
        accuracy.push(engine.all_ids(q).await?.map(|got| {
            let hit = intersection(&got, want);
            let recall = if want.is_empty() {
                1.0
            } else {
                hit as f64 / want.len() as f64
            };
            let precision = if got.is_empty() {
                1.0
            } else {
                hit as f64 / got.len() as f64
            };
            (recall, precision)
        }));
        if !quiet && (i + 1) % 20 == 0 {
            eprint!("\r    {}/{}   ", i + 1, qs.len());
            let _ = std::io::stderr().flush();
        }
    }
    let mut conn = match engine {
        Engine::Http(addr) => Some(Conn::open(*addr).await?),
        _ => None,
    };
    // 2. Warm-up, untimed: the pages a served query reads (facets,
    // snippets) beyond the ids the check read — one pass, or WARM_UP at
    // most (the same for every engine; a peer's pass would take an hour).
    let warm_until = Instant::now() + WARM_UP;
    for q in qs {
        if Instant::now() >= warm_until {
            break;
        }
        engine.page(q, conn.as_mut()).await?;
    }
    // 3. Latency: every query once, one at a time; totals compared.
    if !quiet {
        eprintln!("\r  {}: latency                 ", engine.name());
    }
    let mut latencies_ms = Vec::with_capacity(qs.len());
    let mut totals_match = 0;
    for (q, want) in qs.iter().zip(truth) {
        let t = Instant::now();
        let total = engine.page(q, conn.as_mut()).await?;
        latencies_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        if total == want.len() as u64 {
            totals_match += 1;
        }
    }
    let per_query_ms = latencies_ms.clone();
    latencies_ms.sort_by(f64::total_cmp);
    // 4. Throughput: THREADS clients, each through the queries from its
    // own starting point, for `seconds`.
    if !quiet {
        eprintln!(
            "  {}: throughput on {THREADS} threads for {seconds} s",
            engine.name()
        );
    }
    let qs = Arc::new(
        qs.iter()
            .map(|q| BenchQuery {
                class: q.class,
                q: q.q.clone(),
                expr: q.expr.clone(),
                filters: q.filters.clone(),
            })
            .collect::<Vec<_>>(),
    );
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for t in 0..THREADS {
        let engine = engine.clone();
        let qs = Arc::clone(&qs);
        tasks.push(tokio::spawn(async move {
            let mut conn = match &engine {
                Engine::Http(addr) => Some(Conn::open(*addr).await?),
                _ => None,
            };
            let mut done = 0u64;
            let mut i = t * qs.len() / THREADS;
            while Instant::now() < deadline {
                engine.page(&qs[i % qs.len()], conn.as_mut()).await?;
                done += 1;
                i += 7;
            }
            Ok::<_, anyhow::Error>(done)
        }));
    }
    let mut done = 0;
    for t in tasks {
        done += t.await??;
    }
    let throughput = done as f64 / started.elapsed().as_secs_f64();
    Ok(Measured {
        engine: engine.name(),
        key: engine.key(),
        latencies_ms,
        per_query_ms,
        throughput,
        accuracy,
        totals_match,
        build: None,
        index_bytes: None,
    })
}

fn intersection(a: &[i64], b: &[i64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

// ---------------------------------------------------------------------------

pub async fn run(global: &GlobalArgs, args: Args) -> Result<()> {
    if args.queries < 1 || args.seconds == 0 {
        bail!("--queries and --seconds must be at least 1");
    }
    let quiet = args.json;
    let bench_dir = global.data_dir.join("bench");
    ensure_data_dir(&bench_dir)?;
    let corpus = DatabaseUrl::Sqlite(bench_dir.join(format!("tenders-{}.db", args.seed)));
    let storage = musubi_storage::connect(&corpus)
        .await
        .with_context(|| format!("cannot open {corpus}"))?;
    storage
        .migrate()
        .await
        .with_context(|| format!("cannot migrate {corpus}"))?;
    let mut config = super::app_config(global, "http://bench".into());
    config.data_dir = bench_dir.clone();
    let services = Services::new(Arc::clone(&storage), Arc::new(SystemClock), config);

    // 1. Corpus, documents, queries, oracle.
    if let Some((n, s)) = build_corpus(&services, args.tenders, args.seed, quiet).await?
        && !quiet
    {
        eprintln!("  corpus: {n} tenders generated in {s:.1} s");
    }
    let (docs, raw_bytes) = load_docs(&services, quiet).await?;
    if docs.is_empty() {
        bail!("the corpus {corpus} has no public tenders");
    }
    let qs = queries(args.queries, &docs)?;
    let truth = oracle_all(&docs, &qs, quiet);

    // 2. Indexes.
    let musubi_dir = bench_dir.join(format!("search-{}", args.seed));
    ensure_data_dir(&musubi_dir)?;
    let (index, musubi_build) = musubi_index(
        &services,
        &musubi_dir,
        docs.len() as u64,
        args.rebuild,
        quiet,
    )
    .await?;
    let musubi_bytes = index.size_on_disk();
    let fts = if args.musubi_only {
        None
    } else {
        Some(
            fts5(
                &bench_dir.join(format!("fts5-{}.db", args.seed)),
                &docs,
                args.rebuild,
                quiet,
            )
            .await?,
        )
    };
    let pg = match &args.postgres {
        Some(url) if !args.musubi_only => Some(pg_trgm(url, &docs, args.rebuild, quiet).await?),
        _ => None,
    };
    let text_docs = docs.len();
    drop(docs);

    // 3. Measurements.
    let mut results = Vec::new();
    let mut m = measure(
        &Engine::Musubi(Arc::clone(&index)),
        &qs,
        &truth,
        args.seconds,
        quiet,
    )
    .await?;
    m.build = Some(musubi_build.clone());
    m.index_bytes = Some(musubi_bytes);
    results.push(m);
    drop(index);
    let child = Child::start(&musubi_dir, &corpus).await?;
    let m = measure(&Engine::Http(child.addr), &qs, &truth, args.seconds, quiet).await?;
    let memory = child.memory_mib();
    drop(child);
    results.push(m);
    if let Some((fts_pool, fts_build, fts_bytes)) = fts {
        let mut m = measure(&Engine::Fts5(fts_pool), &qs, &truth, args.seconds, quiet).await?;
        m.build = Some(fts_build);
        m.index_bytes = Some(fts_bytes);
        results.push(m);
    }
    if let Some((pool, build, bytes)) = pg {
        let mut m = measure(&Engine::Pg(pool), &qs, &truth, args.seconds, quiet).await?;
        m.build = Some(build);
        m.index_bytes = Some(bytes);
        results.push(m);
    }

    // 4. Report.
    let musubi = &results[0];
    let http = &results[1];
    let ratios: Vec<serde_json::Value> = results
        .iter()
        .skip(2)
        .map(|peer| {
            serde_json::json!({
                "peer": peer.key,
                "p50_peer_over_musubi": peer.percentile(50.0) / musubi.percentile(50.0),
                "p99_peer_over_musubi": peer.percentile(99.0) / musubi.percentile(99.0),
                "p99_peer_over_musubi_http": peer.percentile(99.0) / http.percentile(99.0),
                "throughput_musubi_over_peer": musubi.throughput / peer.throughput.max(1e-9),
            })
        })
        .collect();
    let mut classes: Vec<(&str, usize)> = Vec::new();
    for q in &qs {
        match classes.iter_mut().find(|(c, _)| *c == q.class) {
            Some((_, n)) => *n += 1,
            None => classes.push((q.class, 1)),
        }
    }
    let per_query: Vec<serde_json::Value> = qs
        .iter()
        .zip(&truth)
        .enumerate()
        .map(|(i, (q, want))| {
            let mut v = serde_json::json!({
                "q": q.q, "class": q.class, "filters": q.filters.describe(), "oracle_hits": want.len(),
            });
            for r in &results {
                if let Some((recall, precision)) = r.accuracy[i] {
                    v[r.key] = serde_json::json!({ "recall": recall, "precision": precision });
                }
                v[r.key]["ms"] = serde_json::json!(r.per_query_ms[i]);
            }
            v
        })
        .collect();
    let pg_ratio = ratios
        .iter()
        .find(|r| r["peer"] == "pg_trgm")
        .and_then(|r| r["p99_peer_over_musubi"].as_f64());
    let report = serde_json::json!({
        "bench": "search",
        "corpus": corpus.to_string(),
        "tenders": text_docs,
        "raw_text_bytes": raw_bytes,
        "queries": qs.len(),
        "query_classes": classes.iter().map(|(c, n)| serde_json::json!({"class": c, "count": n})).collect::<Vec<_>>(),
        "threads": THREADS,
        "engines": results.iter().map(|r| r.json(raw_bytes)).collect::<Vec<_>>(),
        "ratios": ratios,
        "server_memory_mib": memory.map(|(rss, peak)| serde_json::json!({"rss": rss, "peak": peak})),
        "targets": {
            "p99_ms_with_facets": { "budget": P99_BUDGET_MS, "musubi": musubi.percentile(99.0), "musubi_http": http.percentile(99.0) },
            "p99_lower_than_pg_trgm": { "target": PEER_P99_RATIO_TARGET, "measured": pg_ratio },
            "recall": { "target": 1.0, "musubi_min": musubi.min_recall(), "http_exact_totals": http.totals_match },
            "build_docs_per_second": { "target": BUILD_TARGET_PER_S, "measured": musubi_build.per_second() },
            "index_over_raw_text": { "budget": INDEX_OVER_RAW_BUDGET, "measured": musubi_bytes as f64 / raw_bytes.max(1) as f64 },
            "server_memory_mib": { "budget": SERVER_MEMORY_BUDGET_MIB, "peak": memory.map(|m| m.1) },
        },
        "per_query": per_query,
    });
    if args.json {
        println!("{report}");
        return Ok(());
    }
    let saved = bench_dir.join(format!("search-report-{}.json", args.seed));
    std::fs::write(&saved, serde_json::to_vec_pretty(&report)?)
        .with_context(|| format!("cannot write {}", saved.display()))?;
    println!(
        "(the whole report, with every query, is in {})",
        saved.display()
    );
    print_report(
        &results, &report, raw_bytes, text_docs, &classes, memory, &args,
    );
    Ok(())
}

fn print_report(
    results: &[Measured],
    report: &serde_json::Value,
    raw_bytes: u64,
    tenders: usize,
    classes: &[(&str, usize)],
    memory: Option<(f64, f64)>,
    args: &Args,
) {
    let classes: Vec<String> = classes.iter().map(|(c, n)| format!("{n} {c}")).collect();
    println!(
        "search benchmark: {tenders} public tenders (seed {}), {:.1} MB of raw text; {} queries ({}), half with filters; {THREADS} threads",
        args.seed,
        raw_bytes as f64 / 1e6,
        results[0].latencies_ms.len(),
        classes.join(", ")
    );
    println!(
        "{:<20} {:>8} {:>8} {:>8} {:>9} {:>11} {:>9} {:>9} {:>6} {:>8} {:>9}",
        "engine",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "q/s",
        "recall min",
        "prec min",
        "index MB",
        "×raw",
        "build s",
        "docs/s"
    );
    for r in results {
        let opt = |v: Option<f64>, d: usize| v.map_or("-".to_owned(), |v| format!("{v:.d$}"));
        println!(
            "{:<20} {:>8.2} {:>8.2} {:>8.2} {:>9.1} {:>11} {:>9} {:>9} {:>6} {:>8} {:>9}",
            r.engine,
            r.percentile(50.0),
            r.percentile(95.0),
            r.percentile(99.0),
            r.throughput,
            match r.min_recall() {
                Some(v) => format!("{v:.4}"),
                None => format!("{}/{} tot", r.totals_match, r.latencies_ms.len()),
            },
            opt(r.min_precision(), 4),
            opt(r.index_bytes.map(|b| b as f64 / 1e6), 1),
            opt(r.index_bytes.map(|b| b as f64 / raw_bytes.max(1) as f64), 2),
            opt(r.build.as_ref().map(|b| b.seconds), 1),
            opt(r.build.as_ref().map(Build::per_second), 0),
        );
    }
    for b in results
        .iter()
        .filter_map(|r| r.build.as_ref().map(|b| (r.engine, b)))
    {
        if b.1.reused {
            println!("  ({}: index reused, built {})", b.0, b.1.at);
        }
    }
    if args.postgres.is_none() {
        println!(
            "  (postgres pg_trgm: not measured; give --postgres URL or MUSUBI_BENCH_POSTGRES_URL)"
        );
    }
    for r in report["ratios"].as_array().into_iter().flatten() {
        println!(
            "ratio vs {}: p50 {:.1}× and p99 {:.1}× lower for Musubi (p99 {:.1}× over HTTP); throughput {:.1}× higher",
            r["peer"].as_str().unwrap_or(""),
            r["p50_peer_over_musubi"].as_f64().unwrap_or(0.0),
            r["p99_peer_over_musubi"].as_f64().unwrap_or(0.0),
            r["p99_peer_over_musubi_http"].as_f64().unwrap_or(0.0),
            r["throughput_musubi_over_peer"].as_f64().unwrap_or(0.0),
        );
    }
    if let Some((rss, peak)) = memory {
        println!(
            "`musubi serve` with the index, after the HTTP runs: {rss:.0} MiB resident, peak {peak:.0} MiB (budget {SERVER_MEMORY_BUDGET_MIB:.0} MiB)"
        );
    }
    let t = &report["targets"];
    println!(
        "targets: p99 with facets {:.2} ms engine / {:.2} ms HTTP (≤ {P99_BUDGET_MS}); pg_trgm p99 ÷ Musubi p99 {} (≥ {PEER_P99_RATIO_TARGET}); recall min {} (1.0); build {:.0} docs/s (≥ {BUILD_TARGET_PER_S}); index {:.2}× raw text (≤ {INDEX_OVER_RAW_BUDGET})",
        t["p99_ms_with_facets"]["musubi"].as_f64().unwrap_or(0.0),
        t["p99_ms_with_facets"]["musubi_http"]
            .as_f64()
            .unwrap_or(0.0),
        t["p99_lower_than_pg_trgm"]["measured"]
            .as_f64()
            .map_or("-".to_owned(), |v| format!("{v:.1}×")),
        t["recall"]["musubi_min"]
            .as_f64()
            .map_or("-".to_owned(), |v| format!("{v:.4}")),
        t["build_docs_per_second"]["measured"]
            .as_f64()
            .unwrap_or(0.0),
        t["index_over_raw_text"]["measured"].as_f64().unwrap_or(0.0),
    );
}
