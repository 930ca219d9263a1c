//! The tantivy index.
//!
//! Two tantivy indexes under one directory, `tenders/` and `companies/`
//! (separate schemas, separate BM25 statistics, and a tender search never
//! walks company documents), plus a `SCHEMA_VERSION` file: an index written
//! with another schema is refused with "run musubi reindex".
//!
//! Searchable text — title, summary and buyer name of a tender; name,
//! kana and text of a company — is normalised and indexed as one stream
//! (texts joined by [`analysis::SEPARATOR`], the title twice so that a match
//! in the title weighs more) in three fields of n-grams, `text2` (bigrams),
//! `text4` (4-grams, with positions) and `text8` (8-grams, documents only);
//! see [`crate::analysis`] for how each query term becomes an exact lookup.
//! Relevance is BM25 over the n-grams (1-, 3- and 5- to 7-character terms
//! are term ranges and score a constant, plus the BM25 of the term's first
//! bigram or 4-gram; a term of 9 or more characters scores its phrase of
//! 4-grams). The stored fields are only the original title and summary
//! (name and text for companies), read for the returned page only.
//!
//! An awarded tender's document also carries its award (落札者決定: the
//! winner, 法人番号, amounts, date): the winner's name is part of the
//! searchable text, the date and the tax-exclusive amount are fast fields
//! (filters and sorting), and what a list of awards shows is one stored
//! field, so the awards database is a search of the tender index with
//! [`TenderSearch::awarded`] (no second index: the award belongs to its
//! tender, is written with it, and costs nothing on the other documents).
//!
//! Filters: the code filters that have facets (kind, category, method,
//! status, award, and the place: prefecture or region) are checked in one pass by
//! a collector that also counts the facets (each facet with every filter
//! but its own) and keeps the top of the page. It reads one string fast
//! field per document, `codes`, the document's codes joined: a segment
//! holds few distinct combinations, so the filters become one mask per
//! combination (computed once per segment and search) and the facets come
//! from counts per combination. The other filters (JSIC, grade, buyer,
//! dates, price) are part of the tantivy query (terms and fast-field
//! ranges) so the index skips what they exclude; so are the award's
//! winner, date and amount.

use std::cmp::{Ordering, Reverse};
use std::collections::HashMap;
use std::fs;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::query::QueryError;

/// A tender as indexed. Built by the caller from public data only: no
/// 最低制限価格, and `reserve_price` only when it is already public.
#[derive(Debug, Clone, PartialEq)]
pub struct TenderDoc {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub buyer_id: i64,
    pub buyer_name: String,
    /// Codes: TenderKind, Category, ContractMethod, TenderStatus.
    pub kind: String,
    pub category: String,
    pub method: String,
    pub status: String,
    /// Prefecture code ("13") and region code ("kanto") of the place; none online.
    pub prefecture: Option<String>,
    pub region: Option<String>,
    /// The tender's JSIC codes with all their ancestors ("E", "09", "091", "0911").
    pub jsic: Vec<String>,
    /// Eligible grades ("A".."D"); empty: any supplier may take part.
    pub grades: Vec<String>,
    pub published_at: DateTime<Utc>,
    pub submission_closes_at: DateTime<Utc>,
    pub opening_at: DateTime<Utc>,
    /// 予定価格 (税抜) when public; `None` when sealed or not set.
    pub reserve_price: Option<i64>,
    pub amended: bool,
    /// The confirmed award (落札者決定), once decided; never anything of
    /// a bid before.
    pub award: Option<AwardDoc>,
}

/// A tender's award as indexed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardDoc {
    /// The winning organisation.
    pub winner_id: i64,
    pub winner_name: String,
    /// 法人番号 (13 digits), when the winner has one.
    pub winner_corporate_number: Option<String>,
    /// 落札金額 税抜 / 税込 (`None` for a proposal awarded without a price).
    pub amount_tax_exclusive: Option<i64>,
    pub amount_tax_inclusive: Option<i64>,
    /// When the buyer confirmed the award.
    pub awarded_at: DateTime<Utc>,
}

/// A supplier company as indexed.
#[derive(Debug, Clone, PartialEq)]
pub struct CompanyDoc {
    pub id: i64,
    pub name: String,
    pub name_kana: String,
    /// Capabilities and catalogue, one text.
    pub text: String,
    pub prefecture: String,
    pub region: String,
    /// JSIC codes with ancestors.
    pub jsic: Vec<String>,
    /// "category:grade", e.g. "goods:C".
    pub grades: Vec<String>,
    pub certifications: Vec<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
    /// Earliest submission deadline first.
    Deadline,
    /// Latest award decision first (tenders without an award last).
    Awarded,
    /// Highest award amount (税抜) first; without an amount last.
    AmountDesc,
    /// Lowest award amount (税抜) first; without an amount last.
    AmountAsc,
}

/// A tender search: the query and filters, all optional (empty = any).
/// Serialisable: a saved search stores it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TenderSearch {
    pub q: String,
    pub prefectures: Vec<String>,
    pub regions: Vec<String>,
    /// One JSIC code at any level; matches it and everything below it.
    pub jsic: Option<String>,
    pub kinds: Vec<String>,
    pub categories: Vec<String>,
    pub methods: Vec<String>,
    pub statuses: Vec<String>,
    /// Tenders a supplier of this grade may bid in (no grade requirement, or
    /// this grade among the eligible ones).
    pub grade: Option<String>,
    pub buyer: Option<i64>,
    pub published_from: Option<DateTime<Utc>>,
    pub published_to: Option<DateTime<Utc>>,
    pub deadline_from: Option<DateTime<Utc>>,
    pub deadline_to: Option<DateTime<Utc>>,
    pub opening_from: Option<DateTime<Utc>>,
    pub opening_to: Option<DateTime<Utc>>,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    /// Only tenders with a confirmed award (the awards database).
    pub awarded: bool,
    /// Only tenders awarded to this organisation.
    pub winner: Option<i64>,
    /// Award decided within (inclusive).
    pub awarded_from: Option<DateTime<Utc>>,
    pub awarded_to: Option<DateTime<Utc>>,
    /// 落札金額 (税抜) within (inclusive); only awards with an amount match.
    pub amount_min: Option<i64>,
    pub amount_max: Option<i64>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompanySearch {
    pub q: String,
    pub prefectures: Vec<String>,
    pub regions: Vec<String>,
    pub jsic: Option<String>,
    pub certification: Option<String>,
    /// "category:grade".
    pub grade: Option<String>,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TenderHit {
    pub id: i64,
    pub score: f32,
    /// Title and summary excerpt as HTML: escaped text with `<mark>` around matches.
    pub title_html: String,
    pub snippet_html: String,
    /// The tender's award, if decided.
    pub award: Option<AwardDoc>,
}

/// One award as the awards database lists it: the tender's stored award
/// with what a row shows of the tender.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AwardHit {
    pub tender_id: i64,
    pub score: f32,
    pub title: String,
    /// Escaped, with `<mark>` around matches (empty in exports).
    pub title_html: String,
    pub winner_html: String,
    #[serde(flatten)]
    pub tender: AwardTender,
    #[serde(flatten)]
    pub award: AwardDoc,
}

/// What an award row shows of its tender (stored with the award: none of it
/// changes once a tender is awarded, but the buyer's name, and a rename
/// re-indexes the buyer's tenders).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardTender {
    pub buyer_id: i64,
    pub buyer_name: String,
    pub kind: String,
    pub category: String,
    pub method: String,
    pub prefecture: Option<String>,
}

/// The stored award field: tender and award, JSON.
#[derive(Serialize, Deserialize)]
struct StoredAward {
    #[serde(flatten)]
    tender: AwardTender,
    #[serde(flatten)]
    award: AwardDoc,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompanyHit {
    pub id: i64,
    pub score: f32,
    pub name_html: String,
    pub snippet_html: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Counts of the matching documents per value (all filters applied except
/// the facet's own, so a user sees what widening to another value gives).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Facets {
    pub kind: Vec<FacetCount>,
    pub category: Vec<FacetCount>,
    pub method: Vec<FacetCount>,
    pub status: Vec<FacetCount>,
    pub prefecture: Vec<FacetCount>,
    /// `awarded`: tenders with a confirmed award (listed when there are some
    /// or the filter is on).
    pub awarded: Vec<FacetCount>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage<H> {
    /// Exact number of matches, no cap.
    pub total: u64,
    pub hits: Vec<H>,
    pub facets: Facets,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error("search index: {0}")]
    Index(String),
}

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, ColumnValues, StrColumn};
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
    Weight,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentOrdinal,
    SegmentReader, TantivyDocument, Term,
};

use crate::analysis::{self, GRAMS, SEPARATOR, TermGrams, normalize};
use crate::query::{self, Expr};

/// Written to `SCHEMA_VERSION` in the index directory; change it whenever the
/// schema or the analysis changes (an old index then needs `musubi reindex`).
pub const SCHEMA_VERSION: &str =
    "musubi-search 7 (2+4+8 grams with tails, nfkc-lower-ws-ctl, codes, full price, awards)";
const VERSION_FILE: &str = "SCHEMA_VERSION";
const TENDERS_DIR: &str = "tenders";
const COMPANIES_DIR: &str = "companies";
/// Prefecture and region of a tender without a place (online).
const NO_PLACE: &str = "-";
/// The reserve price of a tender without a public one: below every price
/// filter, which never goes under 0.
const NO_PRICE: i64 = -1;
/// Grade term of a tender open to every grade.
const ANY_GRADE: &str = "any";
/// Characters of summary around the first match in a snippet.
pub const SNIPPET_CHARS: usize = 120;
/// Characters of context kept before the first match in a snippet.
const SNIPPET_LEAD: usize = 30;

/// Writer memory: more per indexing thread means fewer, larger segments
/// flushed and less merging (a tender takes about 10 kB while indexed).
/// Companies are few: one thread with tantivy's minimum.
const TENDER_WRITER_BYTES: usize = 96_000_000;
/// Two indexing threads: one, even with the whole budget (larger segments,
/// less merging), builds a million tenders a third slower.
const TENDER_WRITER_THREADS: usize = 2;
const COMPANY_WRITER_BYTES: usize = 15_000_000;
/// A segment with this share of deleted documents (tenders are re-indexed
/// at every status change) is merged even when its level is not full.
const DELETED_SHARE_BEFORE_MERGE: f32 = 0.3;
/// Segments of a similar size merged at once. Flushed segments hold a few
/// thousand tenders, so with tantivy's 8 a tender of a million-tender
/// rebuild is merged twice; with 16, once (merging is ~40% of a rebuild).
const SEGMENTS_PER_MERGE: usize = 16;
/// Doc store block: 64 KiB (lz4's window) compresses the repetitive text of
/// tenders much better than the default 16 KiB; a page of hits reads at
/// most one block per hit.
const DOC_STORE_BLOCK: usize = 64 * 1024;

// Fast-field names (the collector reads them by name).
/// The string fast field with a document's facet and filter codes, joined
/// by [`CODE_SEP`] (tenders: kind, category, method, status, prefecture,
/// region, award; companies: prefecture, region). A search reads this one column
/// per document; its distinct values (combinations) are few.
const CODES: &str = "codes";
const CODE_SEP: char = '\u{1f}';
/// Positions in a tender's codes.
const T_KIND: usize = 0;
const T_CATEGORY: usize = 1;
const T_METHOD: usize = 2;
const T_STATUS: usize = 3;
const T_PREFECTURE: usize = 4;
const T_REGION: usize = 5;
/// [`AWARDED`] or [`NO_PLACE`].
const T_AWARD: usize = 6;
/// The award code (and facet value) of a tender with a confirmed award.
pub const AWARDED: &str = "awarded";
/// Positions in a company's codes.
const C_PREFECTURE: usize = 0;
const C_REGION: usize = 1;

/// Codes joined for the [`CODES`] field.
fn join_codes(codes: &[&str]) -> String {
    let mut out = String::new();
    for (i, c) in codes.iter().enumerate() {
        if i > 0 {
            out.push(CODE_SEP);
        }
        out.extend(c.chars().filter(|&ch| ch != CODE_SEP));
    }
    out
}
const PUBLISHED: &str = "published_at";
const CLOSES: &str = "submission_closes_at";
const OPENING: &str = "opening_at";
const PRICE: &str = "reserve_price";
const AWARDED_AT: &str = "awarded_at";
const AWARD_AMOUNT: &str = "award_amount";
const UPDATED: &str = "updated_at";

fn index_error(e: impl std::fmt::Display) -> SearchError {
    SearchError::Index(e.to_string())
}

fn incompatible(dir: &Path, why: &str) -> SearchError {
    SearchError::Index(format!(
        "the index in {} {why}; it was written by an incompatible version: run musubi reindex",
        dir.display()
    ))
}

/// The n-gram fields of the searchable text, one per length in [`GRAMS`].
#[derive(Debug, Clone, Copy)]
struct Grams {
    fields: [Field; GRAMS.len()],
}

impl Grams {
    fn add(b: &mut tantivy::schema::SchemaBuilder) -> Grams {
        let fields = std::array::from_fn(|i| {
            let n = GRAMS[i];
            // Phrases need positions; 8-grams only find documents (with
            // positions they would be the largest field).
            let record = match n {
                analysis::PHRASE_GRAM => IndexRecordOption::WithFreqsAndPositions,
                analysis::MAX_GRAM => IndexRecordOption::Basic,
                _ => IndexRecordOption::WithFreqs,
            };
            let options = TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(&analysis::tokenizer_name(n))
                    .set_index_option(record),
            );
            b.add_text_field(&format!("text{n}"), options)
        });
        Grams { fields }
    }

    /// Adds the texts, normalised and joined, the first one twice.
    fn add_to(&self, doc: &mut TantivyDocument, texts: &[&str]) {
        let mut all = String::new();
        for (i, t) in texts.iter().enumerate() {
            let n = normalize(t);
            for _ in 0..if i == 0 { 2 } else { 1 } {
                if !all.is_empty() {
                    all.push(SEPARATOR);
                }
                all.push_str(&n);
            }
        }
        let (last, rest) = self.fields.split_last().expect("n-gram fields");
        for f in rest {
            doc.add_text(*f, &all);
        }
        doc.add_text(*last, all);
    }

    fn field(&self, n: usize) -> Field {
        let i = GRAMS
            .iter()
            .position(|&g| g == n)
            .expect("an indexed n-gram length");
        self.fields[i]
    }
}

#[derive(Debug, Clone)]
struct TenderSchema {
    schema: Schema,
    id: Field,
    title: Field,
    summary: Field,
    /// title (twice), summary, buyer name, and the winner's name and 法人番号.
    text: Grams,
    codes: Field,
    jsic: Field,
    grades: Field,
    buyer_id: Field,
    published: Field,
    closes: Field,
    opening: Field,
    price: Field,
    /// [`StoredAward`] as JSON, on awarded tenders only.
    award: Field,
    winner_id: Field,
    /// Fast fields present on awarded tenders only (an optional column
    /// costs the others about a bit each).
    awarded_at: Field,
    award_amount: Field,
}

impl TenderSchema {
    fn new() -> Self {
        let mut b = Schema::builder();
        let id = b.add_i64_field("id", INDEXED | STORED | FAST);
        let title = b.add_text_field("title", STORED);
        let summary = b.add_text_field("summary", STORED);
        let text = Grams::add(&mut b);
        TenderSchema {
            id,
            title,
            summary,
            text,
            codes: b.add_text_field(CODES, FAST),
            jsic: b.add_text_field("jsic", STRING),
            grades: b.add_text_field("grades", STRING),
            buyer_id: b.add_i64_field("buyer_id", INDEXED),
            published: b.add_i64_field(PUBLISHED, FAST),
            closes: b.add_i64_field(CLOSES, FAST),
            opening: b.add_i64_field(OPENING, FAST),
            price: b.add_i64_field(PRICE, FAST),
            award: b.add_text_field("award", STORED),
            winner_id: b.add_i64_field("winner_id", INDEXED),
            awarded_at: b.add_i64_field(AWARDED_AT, FAST),
            award_amount: b.add_i64_field(AWARD_AMOUNT, FAST),
            schema: b.build(),
        }
    }

    fn document(&self, d: &TenderDoc) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_i64(self.id, d.id);
        doc.add_text(self.title, &d.title);
        doc.add_text(self.summary, &d.summary);
        let mut texts = vec![d.title.as_str(), d.summary.as_str(), d.buyer_name.as_str()];
        if let Some(a) = &d.award {
            texts.push(&a.winner_name);
            texts.extend(a.winner_corporate_number.as_deref());
        }
        self.text.add_to(&mut doc, &texts);
        let codes = join_codes(&[
            &d.kind,
            &d.category,
            &d.method,
            &d.status,
            d.prefecture.as_deref().unwrap_or(NO_PLACE),
            d.region.as_deref().unwrap_or(NO_PLACE),
            if d.award.is_some() { AWARDED } else { NO_PLACE },
        ]);
        doc.add_text(self.codes, codes);
        for j in &d.jsic {
            doc.add_text(self.jsic, j);
        }
        if d.grades.is_empty() {
            doc.add_text(self.grades, ANY_GRADE);
        }
        for g in &d.grades {
            doc.add_text(self.grades, g);
        }
        doc.add_i64(self.buyer_id, d.buyer_id);
        doc.add_i64(self.published, micros(d.published_at));
        doc.add_i64(self.closes, micros(d.submission_closes_at));
        doc.add_i64(self.opening, micros(d.opening_at));
        // Every tender has a value (a full column is much faster to filter
        // on than an optional one); NO_PRICE when none is public.
        doc.add_i64(
            self.price,
            d.reserve_price.filter(|p| *p >= 0).unwrap_or(NO_PRICE),
        );
        if let Some(a) = &d.award {
            let stored = StoredAward {
                tender: AwardTender {
                    buyer_id: d.buyer_id,
                    buyer_name: d.buyer_name.clone(),
                    kind: d.kind.clone(),
                    category: d.category.clone(),
                    method: d.method.clone(),
                    prefecture: d.prefecture.clone(),
                },
                award: a.clone(),
            };
            doc.add_text(
                self.award,
                serde_json::to_string(&stored).expect("an award serialises"),
            );
            doc.add_i64(self.winner_id, a.winner_id);
            doc.add_i64(self.awarded_at, micros(a.awarded_at));
            if let Some(amount) = a.amount_tax_exclusive {
                doc.add_i64(self.award_amount, amount);
            }
        }
        doc
    }

    /// The stored award of a document, if it has one.
    fn stored_award(&self, doc: &TantivyDocument) -> Option<StoredAward> {
        let json = doc.get_first(self.award)?.as_str()?;
        match serde_json::from_str(json) {
            Ok(a) => Some(a),
            Err(e) => {
                // Written by this schema version: only a bug gets here.
                tracing::error!(error = %e, "unreadable stored award");
                None
            }
        }
    }
}

#[derive(Debug, Clone)]
struct CompanySchema {
    schema: Schema,
    id: Field,
    name: Field,
    text_stored: Field,
    /// name (twice), name_kana, text.
    text: Grams,
    codes: Field,
    jsic: Field,
    grades: Field,
    certifications: Field,
    updated: Field,
}

impl CompanySchema {
    fn new() -> Self {
        let mut b = Schema::builder();
        let id = b.add_i64_field("id", INDEXED | STORED | FAST);
        let name = b.add_text_field("name", STORED);
        let text_stored = b.add_text_field("text", STORED);
        let text = Grams::add(&mut b);
        CompanySchema {
            id,
            name,
            text_stored,
            text,
            codes: b.add_text_field(CODES, FAST),
            jsic: b.add_text_field("jsic", STRING),
            grades: b.add_text_field("grades", STRING),
            certifications: b.add_text_field("certifications", STRING),
            updated: b.add_i64_field(UPDATED, FAST),
            schema: b.build(),
        }
    }

    fn document(&self, d: &CompanyDoc) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_i64(self.id, d.id);
        doc.add_text(self.name, &d.name);
        doc.add_text(self.text_stored, &d.text);
        self.text
            .add_to(&mut doc, &[&d.name, &d.name_kana, &d.text]);
        let codes = join_codes(&[
            non_empty_or(&d.prefecture, NO_PLACE),
            non_empty_or(&d.region, NO_PLACE),
        ]);
        doc.add_text(self.codes, codes);
        for j in &d.jsic {
            doc.add_text(self.jsic, j);
        }
        for g in &d.grades {
            doc.add_text(self.grades, g);
        }
        for c in &d.certifications {
            doc.add_text(self.certifications, c);
        }
        doc.add_i64(self.updated, micros(d.updated_at));
        doc
    }
}

fn non_empty_or<'a>(s: &'a str, default: &'a str) -> &'a str {
    if s.is_empty() { default } else { s }
}

fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// One tantivy index, its reader, and the parsed combinations of codes of
/// its segments.
struct Part {
    index: Index,
    reader: IndexReader,
    combos: ComboCache,
}

impl Part {
    fn open(dir: Option<&Path>, schema: &Schema, root: &Path) -> Result<Part, SearchError> {
        let builder = || {
            Index::builder()
                .schema(schema.clone())
                .settings(tantivy::IndexSettings {
                    docstore_blocksize: DOC_STORE_BLOCK,
                    ..Default::default()
                })
        };
        let mut index = match dir {
            None => builder().create_in_ram().map_err(index_error)?,
            Some(dir) => {
                fs::create_dir_all(dir).map_err(index_error)?;
                if dir.join("meta.json").exists() {
                    let index = Index::open_in_dir(dir)
                        .map_err(|e| incompatible(root, &format!("cannot be opened ({e})")))?;
                    if index.schema() != *schema {
                        return Err(incompatible(root, "has another schema"));
                    }
                    index
                } else {
                    builder().create_in_dir(dir).map_err(index_error)?
                }
            }
        };
        analysis::register(index.tokenizers());
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4);
        if threads > 1 {
            index
                .set_multithread_executor(threads)
                .map_err(index_error)?;
        }
        let policy = if dir.is_some() {
            ReloadPolicy::OnCommitWithDelay
        } else {
            ReloadPolicy::Manual
        };
        let reader = index
            .reader_builder()
            .reload_policy(policy)
            .try_into()
            .map_err(index_error)?;
        Ok(Part {
            index,
            reader,
            combos: ComboCache::default(),
        })
    }

    fn writer(&self, threads: usize, bytes: usize) -> Result<IndexWriter, SearchError> {
        let writer: IndexWriter = self
            .index
            .writer_with_num_threads(threads, bytes)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => SearchError::Index(format!(
                    "the index is being written by another process ({e}); stop it or wait for it to finish"
                )),
                e => index_error(e),
            })?;
        let mut policy = tantivy::merge_policy::LogMergePolicy::default();
        policy.set_del_docs_ratio_before_merge(DELETED_SHARE_BEFORE_MERGE);
        policy.set_min_num_segments(SEGMENTS_PER_MERGE);
        writer.set_merge_policy(Box::new(policy));
        Ok(writer)
    }
}

#[derive(Default)]
struct Writers {
    tenders: Option<IndexWriter>,
    companies: Option<IndexWriter>,
    /// Since [`SearchIndex::clear`] and until the next commit: the ids added
    /// (tenders, companies). The index holds nothing else then, so an upsert
    /// of another id needs no delete (a rebuild of a million documents
    /// spares tantivy a million deletes to apply).
    fresh: Option<(
        std::collections::HashSet<i64>,
        std::collections::HashSet<i64>,
    )>,
}

/// Whether adding `id` must delete an older document first.
fn needs_delete(fresh: Option<&mut std::collections::HashSet<i64>>, id: i64) -> bool {
    fresh.is_none_or(|added| !added.insert(id))
}

/// The index: opened once per process; reads are concurrent, writes go
/// through one writer (behind a mutex).
///
/// Writers are created on the first write, so a process that only searches
/// (or a second process) can open an index another process is writing; its
/// reader picks up the other process's commits within a second or so.
pub struct SearchIndex {
    dir: Option<PathBuf>,
    tenders: Part,
    companies: Part,
    ts: TenderSchema,
    cs: CompanySchema,
    writers: Mutex<Writers>,
}

impl SearchIndex {
    /// Opens (creating if missing) the index in `dir`.
    ///
    /// An index written with another schema (no or another `SCHEMA_VERSION`
    /// file, or tantivy files that do not match) is an
    /// [`SearchError::Index`] saying to run `musubi reindex`, which starts
    /// over with [`Self::recreate`].
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        fs::create_dir_all(dir).map_err(index_error)?;
        let version_path = dir.join(VERSION_FILE);
        match fs::read_to_string(&version_path) {
            Ok(v) if v.trim() == SCHEMA_VERSION => {}
            Ok(v) => return Err(incompatible(dir, &format!("has schema {:?}", v.trim()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if dir.join(TENDERS_DIR).exists()
                    || dir.join(COMPANIES_DIR).exists()
                    || dir.join("meta.json").exists()
                {
                    return Err(incompatible(dir, "has no schema version"));
                }
                fs::write(&version_path, format!("{SCHEMA_VERSION}\n")).map_err(index_error)?;
            }
            Err(e) => return Err(index_error(e)),
        }
        Self::build(Some(dir.to_path_buf()))
    }

    /// Deletes whatever index is in `dir` (ours, of any version) and creates
    /// an empty one: for `musubi reindex` when [`Self::open`] refused an old
    /// index. Only removes the files and folders an index of ours has.
    pub fn recreate(dir: &Path) -> Result<SearchIndex, SearchError> {
        for sub in [TENDERS_DIR, COMPANIES_DIR] {
            let p = dir.join(sub);
            if p.exists() {
                fs::remove_dir_all(&p).map_err(index_error)?;
            }
        }
        let v = dir.join(VERSION_FILE);
        if v.exists() {
            fs::remove_file(&v).map_err(index_error)?;
        }
        Self::open(dir)
    }

    /// An index in memory (tests).
    pub fn in_memory() -> Result<SearchIndex, SearchError> {
        Self::build(None)
    }

    fn build(dir: Option<PathBuf>) -> Result<SearchIndex, SearchError> {
        let ts = TenderSchema::new();
        let cs = CompanySchema::new();
        let root = dir.clone().unwrap_or_default();
        let tenders = Part::open(
            dir.as_ref().map(|d| d.join(TENDERS_DIR)).as_deref(),
            &ts.schema,
            &root,
        )?;
        let companies = Part::open(
            dir.as_ref().map(|d| d.join(COMPANIES_DIR)).as_deref(),
            &cs.schema,
            &root,
        )?;
        let index = SearchIndex {
            dir,
            tenders,
            companies,
            ts,
            cs,
            writers: Mutex::new(Writers::default()),
        };
        index.reload()?;
        Ok(index)
    }

    fn writers(&self) -> std::sync::MutexGuard<'_, Writers> {
        // A panic while holding the lock leaves nothing half-done that a
        // commit would not sort out: keep going.
        self.writers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` with the tender writer (created on first use) and, after a
    /// clear, the ids added since.
    fn with_tender_writer<R>(
        &self,
        f: impl FnOnce(
            &mut IndexWriter,
            Option<&mut std::collections::HashSet<i64>>,
        ) -> tantivy::Result<R>,
    ) -> Result<R, SearchError> {
        let mut guard = self.writers();
        let w = &mut *guard;
        if w.tenders.is_none() {
            w.tenders = Some(
                self.tenders
                    .writer(TENDER_WRITER_THREADS, TENDER_WRITER_BYTES)?,
            );
        }
        let fresh = w.fresh.as_mut().map(|(t, _)| t);
        f(w.tenders.as_mut().expect("just created"), fresh).map_err(index_error)
    }

    fn with_company_writer<R>(
        &self,
        f: impl FnOnce(
            &mut IndexWriter,
            Option<&mut std::collections::HashSet<i64>>,
        ) -> tantivy::Result<R>,
    ) -> Result<R, SearchError> {
        let mut guard = self.writers();
        let w = &mut *guard;
        if w.companies.is_none() {
            w.companies = Some(self.companies.writer(1, COMPANY_WRITER_BYTES)?);
        }
        let fresh = w.fresh.as_mut().map(|(_, c)| c);
        f(w.companies.as_mut().expect("just created"), fresh).map_err(index_error)
    }

    /// Adds or replaces documents (by id); visible after [`Self::commit`].
    pub fn upsert_tenders(&self, docs: &[TenderDoc]) -> Result<(), SearchError> {
        // Build the documents (normalisation) before taking the lock.
        let built: Vec<(i64, TantivyDocument)> =
            docs.iter().map(|d| (d.id, self.ts.document(d))).collect();
        self.with_tender_writer(|w, mut fresh| {
            for (id, doc) in built {
                if needs_delete(fresh.as_deref_mut(), id) {
                    w.delete_term(Term::from_field_i64(self.ts.id, id));
                }
                w.add_document(doc)?;
            }
            Ok(())
        })
    }

    pub fn delete_tender(&self, id: i64) -> Result<(), SearchError> {
        self.with_tender_writer(|w, fresh| {
            if let Some(added) = fresh {
                added.remove(&id);
            }
            w.delete_term(Term::from_field_i64(self.ts.id, id));
            Ok(())
        })
    }

    pub fn upsert_companies(&self, docs: &[CompanyDoc]) -> Result<(), SearchError> {
        let built: Vec<(i64, TantivyDocument)> =
            docs.iter().map(|d| (d.id, self.cs.document(d))).collect();
        self.with_company_writer(|w, mut fresh| {
            for (id, doc) in built {
                if needs_delete(fresh.as_deref_mut(), id) {
                    w.delete_term(Term::from_field_i64(self.cs.id, id));
                }
                w.add_document(doc)?;
            }
            Ok(())
        })
    }

    pub fn delete_company(&self, id: i64) -> Result<(), SearchError> {
        self.with_company_writer(|w, fresh| {
            if let Some(added) = fresh {
                added.remove(&id);
            }
            w.delete_term(Term::from_field_i64(self.cs.id, id));
            Ok(())
        })
    }

    /// Removes every document (before a full rebuild), including those added
    /// and not yet committed; takes effect at the next [`Self::commit`].
    pub fn clear(&self) -> Result<(), SearchError> {
        // Rolling back first drops what is still being indexed, which
        // `delete_all_documents` alone would leave for the next commit.
        self.with_tender_writer(|w, _| {
            w.rollback()?;
            w.delete_all_documents()
        })?;
        self.with_company_writer(|w, _| {
            w.rollback()?;
            w.delete_all_documents()
        })?;
        self.writers().fresh = Some(Default::default());
        Ok(())
    }

    /// Makes written changes durable and visible to searches.
    pub fn commit(&self) -> Result<(), SearchError> {
        let mut w = self.writers();
        if let Some(t) = w.tenders.as_mut() {
            t.commit().map_err(index_error)?;
        }
        if let Some(c) = w.companies.as_mut() {
            c.commit().map_err(index_error)?;
        }
        w.fresh = None;
        drop(w);
        self.reload()
    }

    /// Reloads the readers and parses the codes of new segments, so the
    /// next search does not pay for it.
    fn reload(&self) -> Result<(), SearchError> {
        for part in [&self.tenders, &self.companies] {
            part.reader.reload().map_err(index_error)?;
            part.combos.for_searcher(&part.reader.searcher());
        }
        Ok(())
    }

    /// Commits, then waits until the background merges of segments are
    /// done. For the end of a full rebuild in a process about to exit
    /// (`musubi reindex`): merges still running when the process ends are
    /// lost, and the index stays in many small segments (slower searches)
    /// until a later writer merges them. Not needed in a long-running
    /// process. The writers are created again on the next write.
    pub fn wait_for_merges(&self) -> Result<(), SearchError> {
        self.commit()?;
        let mut w = self.writers();
        let writers = [w.tenders.take(), w.companies.take()];
        drop(w);
        for writer in writers.into_iter().flatten() {
            writer.wait_merging_threads().map_err(index_error)?;
        }
        self.reload()
    }

    /// Runs a tender search.
    ///
    /// - `q` in the [query language](crate::query); empty matches all.
    /// - Filters: an empty list or `None` does not filter; within a list any
    ///   value matches (blank values are ignored); `prefectures` and
    ///   `regions` together are one filter (either matches); date bounds
    ///   are inclusive at both ends; a price filter only matches tenders
    ///   with a public price (a negative price counts as none); the award
    ///   filters (winner, date, amount) only match awarded tenders (an
    ///   amount filter: those awarded with an amount).
    /// - `Sort::Relevance` without a query sorts like `Sort::Newest`; hits
    ///   are scored only when sorting by relevance (`score` is 0 otherwise).
    ///   Ties go to the higher id.
    /// - `total` is exact; `limit` 0 gives no hits (counts and facets only).
    /// - Facet values are sorted by value (code); a filter value with no
    ///   matches is listed with 0 so the UI can show it.
    pub fn search_tenders(&self, s: &TenderSearch) -> Result<SearchPage<TenderHit>, SearchError> {
        let (searcher, expr, fruit) = self.run_tender_search(s, s.offset, s.limit)?;
        let ts = &self.ts;
        let terms: Vec<&str> = expr
            .as_ref()
            .map(|e| e.positive_terms())
            .unwrap_or_default();
        let mut hits = Vec::new();
        for e in &fruit.top {
            let doc: TantivyDocument = searcher
                .doc(DocAddress::new(e.seg, e.doc))
                .map_err(index_error)?;
            let title = stored_str(&doc, ts.title);
            let summary = stored_str(&doc, ts.summary);
            hits.push(TenderHit {
                id: doc
                    .get_first(ts.id)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default(),
                score: e.score,
                title_html: highlight_html(title, &terms, None),
                snippet_html: highlight_html(summary, &terms, Some(SNIPPET_CHARS)),
                award: ts.stored_award(&doc).map(|a| a.award),
            });
        }
        let mut counts = fruit.facets.into_iter();
        let mut next =
            |selected: &[&Vec<String>]| facet_list(counts.next().unwrap_or_default(), selected);
        let facets = Facets {
            kind: next(&[&s.kinds]),
            category: next(&[&s.categories]),
            method: next(&[&s.methods]),
            status: next(&[&s.statuses]),
            prefecture: next(&[&s.prefectures]),
            awarded: next(&[&awarded_filter(s)]),
        };
        Ok(SearchPage {
            total: fruit.total,
            hits,
            facets,
        })
    }

    /// The awards database: [`Self::search_tenders`] of awarded tenders
    /// only (whatever `s.awarded` says), each hit with its award. Facets
    /// are left empty.
    pub fn search_awards(&self, s: &TenderSearch) -> Result<SearchPage<AwardHit>, SearchError> {
        let s = TenderSearch {
            awarded: true,
            ..s.clone()
        };
        let (searcher, expr, fruit) = self.run_tender_search(&s, s.offset, s.limit)?;
        let terms: Vec<&str> = expr
            .as_ref()
            .map(|e| e.positive_terms())
            .unwrap_or_default();
        let hits = self.award_hits(&searcher, &fruit.top, Some(&terms))?;
        Ok(SearchPage {
            total: fruit.total,
            hits,
            facets: Facets::default(),
        })
    }

    /// How many awards `s` matches and, unless that is more than `max`
    /// (nothing is read then), every one (its paging ignored; awarded
    /// only), in its order, without highlighting: for exports.
    pub fn all_awards(
        &self,
        s: &TenderSearch,
        max: usize,
    ) -> Result<(u64, Option<Vec<AwardHit>>), SearchError> {
        let s = TenderSearch {
            awarded: true,
            ..s.clone()
        };
        // Count first: a ranking of `max` entries is not paid for an
        // export that is refused.
        let (_, _, counted) = self.run_tender_search(&s, 0, 0)?;
        if counted.total > max as u64 {
            return Ok((counted.total, None));
        }
        let (searcher, _, fruit) = self.run_tender_search(&s, 0, max)?;
        let hits = self.award_hits(&searcher, &fruit.top, None)?;
        Ok((fruit.total, Some(hits)))
    }

    /// Award hits from ranked entries; highlighted when `terms` are given.
    fn award_hits(
        &self,
        searcher: &tantivy::Searcher,
        top: &[Entry],
        terms: Option<&[&str]>,
    ) -> Result<Vec<AwardHit>, SearchError> {
        let ts = &self.ts;
        let mut hits = Vec::with_capacity(top.len());
        for e in top {
            let doc: TantivyDocument = searcher
                .doc(DocAddress::new(e.seg, e.doc))
                .map_err(index_error)?;
            // Only awarded documents pass the filter, all with the field.
            let Some(stored) = ts.stored_award(&doc) else {
                continue;
            };
            let title = stored_str(&doc, ts.title).to_owned();
            let (title_html, winner_html) = match terms {
                Some(terms) => (
                    highlight_html(&title, terms, None),
                    highlight_html(&stored.award.winner_name, terms, None),
                ),
                None => (String::new(), String::new()),
            };
            hits.push(AwardHit {
                tender_id: e.id,
                score: e.score,
                title,
                title_html,
                winner_html,
                tender: stored.tender,
                award: stored.award,
            });
        }
        Ok(hits)
    }

    /// The ids of every tender that `s` matches (its paging ignored), in
    /// its order: the complete result set, for exports and for checking
    /// the index against a reference (`musubi bench search`).
    pub fn matching_tender_ids(&self, s: &TenderSearch) -> Result<Vec<i64>, SearchError> {
        let (_, _, fruit) = self.run_tender_search(s, 0, usize::MAX / 4)?;
        Ok(fruit.top.iter().map(|e| e.id).collect())
    }

    /// Runs `s` with the page `offset..offset + limit`.
    fn run_tender_search(
        &self,
        s: &TenderSearch,
        offset: usize,
        limit: usize,
    ) -> Result<(tantivy::Searcher, Option<Expr>, PlanFruit), SearchError> {
        let expr = query::parse(&s.q)?;
        let ts = &self.ts;
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        if let Some(j) = s.jsic.as_deref().filter(|j| !j.is_empty()) {
            filters.push(Box::new(TermQuery::new(
                Term::from_field_text(ts.jsic, j),
                IndexRecordOption::Basic,
            )));
        }
        if let Some(g) = s.grade.as_deref().filter(|g| !g.is_empty()) {
            filters.push(Box::new(BooleanQuery::union(
                [g, ANY_GRADE]
                    .iter()
                    .map(|v| -> Box<dyn Query> {
                        Box::new(TermQuery::new(
                            Term::from_field_text(ts.grades, v),
                            IndexRecordOption::Basic,
                        ))
                    })
                    .collect(),
            )));
        }
        if let Some(b) = s.buyer {
            filters.push(Box::new(TermQuery::new(
                Term::from_field_i64(ts.buyer_id, b),
                IndexRecordOption::Basic,
            )));
        }
        let m = |t: Option<DateTime<Utc>>| t.map(micros);
        filters.extend(range(ts.published, m(s.published_from), m(s.published_to)));
        filters.extend(range(ts.closes, m(s.deadline_from), m(s.deadline_to)));
        filters.extend(range(ts.opening, m(s.opening_from), m(s.opening_to)));
        if s.price_min.is_some() || s.price_max.is_some() {
            // Prices are not negative; NO_PRICE must never match.
            let min = s.price_min.unwrap_or(0).max(0);
            filters.extend(range(ts.price, Some(min), s.price_max));
        }
        if let Some(w) = s.winner {
            filters.push(Box::new(TermQuery::new(
                Term::from_field_i64(ts.winner_id, w),
                IndexRecordOption::Basic,
            )));
        }
        filters.extend(range(ts.awarded_at, m(s.awarded_from), m(s.awarded_to)));
        filters.extend(range(ts.award_amount, s.amount_min, s.amount_max));

        let awarded = awarded_filter(s);
        let groups = vec![
            Group::new(vec![(T_KIND, &s.kinds)]),
            Group::new(vec![(T_CATEGORY, &s.categories)]),
            Group::new(vec![(T_METHOD, &s.methods)]),
            Group::new(vec![(T_STATUS, &s.statuses)]),
            Group::new(vec![(T_PREFECTURE, &s.prefectures), (T_REGION, &s.regions)]),
            Group::new(vec![(T_AWARD, &awarded)]),
        ];
        let searcher = self.tenders.reader.searcher();
        let plan = Plan {
            combos: self.tenders.combos.for_searcher(&searcher),
            groups,
            // kind, category, method, status, prefecture, award: (code, group)
            facets: vec![
                (T_KIND, 0),
                (T_CATEGORY, 1),
                (T_METHOD, 2),
                (T_STATUS, 3),
                (T_PREFECTURE, 4),
                (T_AWARD, 5),
            ],
            sort: match (s.sort, expr.is_some()) {
                (Sort::Relevance, true) => SortBy::Score,
                (Sort::Relevance, false) | (Sort::Newest, _) => SortBy::Desc(PUBLISHED),
                (Sort::Deadline, _) => SortBy::Asc(CLOSES),
                (Sort::Awarded, _) => SortBy::Desc(AWARDED_AT),
                (Sort::AmountDesc, _) => SortBy::Desc(AWARD_AMOUNT),
                (Sort::AmountAsc, _) => SortBy::Asc(AWARD_AMOUNT),
            },
            offset,
            limit,
        };
        let q = combine(expr.as_ref().map(|e| expr_query(e, &ts.text)), filters);
        let fruit = searcher.search(q.as_ref(), &plan).map_err(index_error)?;
        Ok((searcher, expr, fruit))
    }

    /// Runs a company search: like [`Self::search_tenders`]; without a query
    /// the most recently updated come first; the only facet is the
    /// prefecture. `grade` is "category:grade" and matches exactly.
    pub fn search_companies(
        &self,
        s: &CompanySearch,
    ) -> Result<SearchPage<CompanyHit>, SearchError> {
        let expr = query::parse(&s.q)?;
        let cs = &self.cs;
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        for (field, value) in [
            (cs.jsic, &s.jsic),
            (cs.certifications, &s.certification),
            (cs.grades, &s.grade),
        ] {
            if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                filters.push(Box::new(TermQuery::new(
                    Term::from_field_text(field, v),
                    IndexRecordOption::Basic,
                )));
            }
        }
        let searcher = self.companies.reader.searcher();
        let plan = Plan {
            combos: self.companies.combos.for_searcher(&searcher),
            groups: vec![Group::new(vec![
                (C_PREFECTURE, &s.prefectures),
                (C_REGION, &s.regions),
            ])],
            facets: vec![(C_PREFECTURE, 0)],
            sort: if expr.is_some() {
                SortBy::Score
            } else {
                SortBy::Desc(UPDATED)
            },
            offset: s.offset,
            limit: s.limit,
        };
        let q = combine(expr.as_ref().map(|e| expr_query(e, &cs.text)), filters);
        let fruit = searcher.search(q.as_ref(), &plan).map_err(index_error)?;
        let terms: Vec<&str> = expr
            .as_ref()
            .map(|e| e.positive_terms())
            .unwrap_or_default();
        let mut hits = Vec::new();
        for e in &fruit.top {
            let doc: TantivyDocument = searcher
                .doc(DocAddress::new(e.seg, e.doc))
                .map_err(index_error)?;
            hits.push(CompanyHit {
                id: doc
                    .get_first(cs.id)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default(),
                score: e.score,
                name_html: highlight_html(stored_str(&doc, cs.name), &terms, None),
                snippet_html: highlight_html(
                    stored_str(&doc, cs.text_stored),
                    &terms,
                    Some(SNIPPET_CHARS),
                ),
            });
        }
        let prefecture = facet_list(
            fruit.facets.into_iter().next().unwrap_or_default(),
            &[&s.prefectures],
        );
        Ok(SearchPage {
            total: fruit.total,
            hits,
            facets: Facets {
                prefecture,
                ..Facets::default()
            },
        })
    }

    /// Text relevance of companies to `text` (a tender's title and 概要),
    /// for matching (おすすめ企業): an OR of the text's distinct bigrams
    /// against the companies' text (capabilities and catalogue, with the
    /// name and kana: one field), BM25. The best `limit` as
    /// `(company id, relevance)`, best first, each relevance divided by
    /// the best one's (so 0.0..=1.0, the first 1.0). Empty when nothing
    /// matches or `text` has no bigram.
    pub fn company_relevance(
        &self,
        text: &str,
        limit: usize,
    ) -> Result<Vec<(i64, f32)>, SearchError> {
        let searcher = self.companies.reader.searcher();
        let Some(q) = relevance_query(&searcher, text, self.cs.text.field(2)) else {
            return Ok(Vec::new());
        };
        relevance_hits(&searcher, q.as_ref(), self.cs.id, limit)
    }

    /// Text relevance of tenders to `text` (a supplier's capabilities and
    /// catalogue), for matching (おすすめ案件): like
    /// [`Self::company_relevance`], against the tenders' text (title twice,
    /// 概要, buyer), among the tenders whose submission deadline is after
    /// `closes_after` when given.
    pub fn tender_relevance(
        &self,
        text: &str,
        closes_after: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<(i64, f32)>, SearchError> {
        let searcher = self.tenders.reader.searcher();
        let Some(q) = relevance_query(&searcher, text, self.ts.text.field(2)) else {
            return Ok(Vec::new());
        };
        let filters: Vec<Box<dyn Query>> = closes_after
            .and_then(|t| range(self.ts.closes, Some(micros(t).saturating_add(1)), None))
            .into_iter()
            .collect();
        let q = combine(Some(q), filters);
        relevance_hits(&searcher, q.as_ref(), self.ts.id, limit)
    }

    /// Documents in the index: (tenders, companies).
    pub fn counts(&self) -> Result<(u64, u64), SearchError> {
        Ok((
            self.tenders.reader.searcher().num_docs(),
            self.companies.reader.searcher().num_docs(),
        ))
    }

    /// Bytes per component and field of the tender index (diagnostics).
    #[doc(hidden)]
    pub fn space_report(&self) -> String {
        use std::collections::BTreeMap;
        let Ok(u) = self.tenders.reader.searcher().space_usage() else {
            return String::new();
        };
        let mut per: BTreeMap<String, u64> = BTreeMap::new();
        for seg in u.segments() {
            for (what, part) in [
                ("terms", seg.termdict()),
                ("postings", seg.postings()),
                ("positions", seg.positions()),
                ("fast", seg.fast_fields()),
                ("norms", seg.fieldnorms()),
            ] {
                for f in part.fields() {
                    *per.entry(format!("{what} {}", f.field_name())).or_default() +=
                        f.total().get_bytes();
                }
            }
            *per.entry("store".into()).or_default() += seg.store().total().get_bytes();
        }
        per.into_iter()
            .filter(|(_, b)| *b > 0)
            .map(|(k, b)| format!("{k}: {:.1} MB\n", b as f64 / 1e6))
            .collect()
    }

    /// Bytes the index takes on disk (0 in memory).
    pub fn size_on_disk(&self) -> u64 {
        fn walk(p: &Path) -> u64 {
            let Ok(entries) = fs::read_dir(p) else {
                return 0;
            };
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => walk(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        }
        self.dir.as_deref().map_or(0, walk)
    }
}

/// Most bigrams of a text a relevance query looks up: the rarest ones in
/// the index, which carry the most of BM25 (a common bigram like 業務 adds
/// little and costs a long posting list); a tender's 概要 has hundreds.
const RELEVANCE_GRAMS: usize = 32;

/// An OR of the distinct bigrams of `text` (normalised; none spanning white
/// space) that occur in the index, at most [`RELEVANCE_GRAMS`] of the
/// rarest; `None` if there are none.
fn relevance_query(
    searcher: &tantivy::Searcher,
    text: &str,
    field: Field,
) -> Option<Box<dyn Query>> {
    let chars: Vec<char> = normalize(text).chars().collect();
    let mut grams: Vec<String> = chars
        .windows(2)
        .filter(|w| !w.iter().any(|c| c.is_whitespace()))
        .map(|w| w.iter().collect())
        .collect();
    grams.sort_unstable();
    grams.dedup();
    let mut terms: Vec<(u64, Term)> = grams
        .iter()
        .map(|g| {
            let term = Term::from_field_text(field, g);
            (searcher.doc_freq(&term).unwrap_or(0), term)
        })
        .filter(|(df, _)| *df > 0)
        .collect();
    if terms.is_empty() {
        return None;
    }
    // Rarest first; ties by the term, so the same text always asks the same.
    terms.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    terms.truncate(RELEVANCE_GRAMS);
    let clauses: Vec<(Occur, Box<dyn Query>)> = terms
        .into_iter()
        .map(|(_, term)| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
            (Occur::Should, q)
        })
        .collect();
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// The best `limit` documents of `q` as `(id, score / best score)`.
fn relevance_hits(
    searcher: &tantivy::Searcher,
    q: &dyn Query,
    id: Field,
    limit: usize,
) -> Result<Vec<(i64, f32)>, SearchError> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let top = searcher
        .search(
            q,
            &tantivy::collector::TopDocs::with_limit(limit).order_by_score(),
        )
        .map_err(index_error)?;
    let best = top.first().map_or(0.0, |(score, _)| *score);
    if best <= 0.0 {
        return Ok(Vec::new());
    }
    let name = searcher.schema().get_field_name(id).to_owned();
    let mut columns: HashMap<SegmentOrdinal, Column<i64>> = HashMap::new();
    let mut out = Vec::with_capacity(top.len());
    for (score, addr) in top {
        let column = match columns.entry(addr.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(
                searcher
                    .segment_reader(addr.segment_ord)
                    .fast_fields()
                    .i64(&name)
                    .map_err(index_error)?,
            ),
        };
        if let Some(doc_id) = column.first(addr.doc_id) {
            out.push((doc_id, (score / best).clamp(0.0, 1.0)));
        }
    }
    Ok(out)
}

/// The values of the award filter group: [`AWARDED`] when on.
fn awarded_filter(s: &TenderSearch) -> Vec<String> {
    if s.awarded {
        vec![AWARDED.to_owned()]
    } else {
        Vec::new()
    }
}

fn stored_str(doc: &TantivyDocument, field: Field) -> &str {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
}

fn range(field: Field, from: Option<i64>, to: Option<i64>) -> Option<Box<dyn Query>> {
    if from.is_none() && to.is_none() {
        return None;
    }
    let bound = |v: Option<i64>| {
        v.map_or(Bound::Unbounded, |v| {
            Bound::Included(Term::from_field_i64(field, v))
        })
    };
    Some(Box::new(RangeQuery::new(bound(from), bound(to))))
}

/// The text query and the filters (which do not score) as one query.
fn combine(text: Option<Box<dyn Query>>, filters: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if filters.is_empty() {
        return text.unwrap_or_else(|| Box::new(AllQuery));
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(t) = text {
        clauses.push((Occur::Must, t));
    }
    for f in filters {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(f, 0.0))));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// The query for one normalised term: the documents whose text contains it.
fn term_query(term: &str, grams: &Grams) -> Box<dyn Query> {
    match analysis::term_grams(term) {
        TermGrams::Gram(n) => Box::new(TermQuery::new(
            Term::from_field_text(grams.field(n), term),
            IndexRecordOption::WithFreqs,
        )),
        TermGrams::Prefix { n, from, to } => {
            let field = grams.field(n);
            let range: Box<dyn Query> = Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_text(field, &from)),
                to.map_or(Bound::Unbounded, |t| {
                    Bound::Excluded(Term::from_field_text(field, &t))
                }),
            ));
            let Some(shorter) = GRAMS.iter().rev().find(|&&g| g < n).copied() else {
                return range;
            };
            // A 3- or 5-to-7-character term: score its first bigram or
            // 4-gram too, so a match in the title (indexed twice) or several
            // matches rank higher.
            let first: String = term.chars().take(shorter).collect();
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, range),
                (
                    Occur::Should,
                    Box::new(TermQuery::new(
                        Term::from_field_text(grams.field(shorter), &first),
                        IndexRecordOption::WithFreqs,
                    )),
                ),
            ]))
        }
        TermGrams::Phrase { parts, guards } => {
            let field = grams.field(analysis::PHRASE_GRAM);
            let phrase = PhraseQuery::new_with_offset(
                parts
                    .iter()
                    .map(|(o, g)| (*o, Term::from_field_text(field, g)))
                    .collect(),
            );
            // The guards come first and the phrase is not wrapped, so the
            // intersection is driven by the (rare) 8-grams and the phrase
            // scorer is asked only about their documents (tantivy's
            // `scorer_danger`/`seek_danger`): positions are read for those
            // alone, not for every document holding the (common) 4-grams.
            // The guards only find documents; the phrase scores.
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = guards
                .iter()
                .map(|g| {
                    let term = TermQuery::new(
                        Term::from_field_text(grams.field(analysis::MAX_GRAM), g),
                        IndexRecordOption::Basic,
                    );
                    let guard: Box<dyn Query> = Box::new(ConstScoreQuery::new(Box::new(term), 0.0));
                    (Occur::Must, guard)
                })
                .collect();
            clauses.push((Occur::Must, Box::new(phrase)));
            Box::new(ForwardSeeks(BooleanQuery::new(clauses)))
        }
    }
}

/// Wraps a query holding a phrase (a long term's) so that its scorer
/// tolerates being asked to seek to a document before the one it is on
/// (tantivy 0.27's `Exclude` does that with `NOT` clauses, which trips a
/// debug assertion in `PhraseScorer`; see quickwit-oss/tantivy#2811) and
/// never enters seek_danger's "danger zone" itself (it answers with an
/// ordinary seek; inside, the phrase does, driven by its guards).
#[derive(Debug, Clone)]
struct ForwardSeeks<Q>(Q);

impl<Q: Query + Clone> Query for ForwardSeeks<Q> {
    fn weight(
        &self,
        enable_scoring: tantivy::query::EnableScoring<'_>,
    ) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ForwardSeeksWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor)
    }
}

struct ForwardSeeksWeight(Box<dyn Weight>);

impl Weight for ForwardSeeksWeight {
    fn scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Box<dyn tantivy::query::Scorer>> {
        Ok(Box::new(ForwardSeeksScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(
        &self,
        reader: &SegmentReader,
        doc: DocId,
    ) -> tantivy::Result<tantivy::query::Explanation> {
        self.0.explain(reader, doc)
    }
}

struct ForwardSeeksScorer(Box<dyn tantivy::query::Scorer>);

impl tantivy::DocSet for ForwardSeeksScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let doc = self.0.doc();
        if doc >= target {
            doc
        } else {
            self.0.seek(target)
        }
    }

    // seek_danger: the default, made of doc() and seek().

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }

    fn cost(&self) -> u64 {
        self.0.cost()
    }
}

impl tantivy::query::Scorer for ForwardSeeksScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}

fn expr_query(e: &Expr, fields: &Grams) -> Box<dyn Query> {
    match e {
        Expr::Term(t) => term_query(t, fields),
        Expr::And(items) => Box::new(BooleanQuery::new(
            items
                .iter()
                .map(|i| (Occur::Must, expr_query(i, fields)))
                .collect(),
        )),
        Expr::Or(items) => Box::new(BooleanQuery::new(
            items
                .iter()
                .map(|i| (Occur::Should, expr_query(i, fields)))
                .collect(),
        )),
        Expr::AndNot(a, b) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, expr_query(a, fields)),
            (Occur::MustNot, expr_query(b, fields)),
        ])),
    }
}

fn facet_list(counts: HashMap<String, u64>, selected: &[&Vec<String>]) -> Vec<FacetCount> {
    let mut counts = counts;
    counts.remove(NO_PLACE);
    for list in selected {
        for v in list.iter().filter(|v| !v.is_empty()) {
            counts.entry(v.clone()).or_insert(0);
        }
    }
    let mut v: Vec<FacetCount> = counts
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    v.sort_by(|a, b| a.value.cmp(&b.value));
    v
}

// ---------------------------------------------------------------------------
// The collector: facet filters, facet counts, exact total and the top hits in
// one pass.

/// A filter on codes: a document passes when, for one of the alternatives
/// (code position, values), its code at that position is one of the values.
/// No values: no filter.
struct Group {
    alternatives: Vec<(usize, Vec<String>)>,
    active: bool,
}

impl Group {
    fn new(alternatives: Vec<(usize, &Vec<String>)>) -> Group {
        let alternatives: Vec<(usize, Vec<String>)> = alternatives
            .into_iter()
            .map(|(c, vals)| {
                (
                    c,
                    vals.iter()
                        .filter(|v| !v.is_empty())
                        .cloned()
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        let active = alternatives.iter().any(|(_, v)| !v.is_empty());
        Group {
            alternatives,
            active,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum SortBy {
    Score,
    Desc(&'static str),
    Asc(&'static str),
}

struct Plan {
    /// The parsed combinations of codes of the searcher's segments.
    combos: Arc<HashMap<tantivy::index::SegmentId, Arc<Combos>>>,
    groups: Vec<Group>,
    /// (code position, group): counts of the values at that position over
    /// the documents that pass every group but this one.
    facets: Vec<(usize, usize)>,
    sort: SortBy,
    /// The page: hits `offset..offset + limit` of the ranking.
    offset: usize,
    limit: usize,
}

impl Plan {
    /// Hits each segment keeps.
    fn k(&self) -> usize {
        self.offset.saturating_add(self.limit)
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    key: u64,
    /// The document's id: ties go to the higher (newer) one.
    id: i64,
    seg: SegmentOrdinal,
    doc: DocId,
    score: Score,
}

impl Entry {
    /// Greater is better: higher key, then higher id.
    fn rank(&self) -> (u64, i64, Reverse<(SegmentOrdinal, DocId)>) {
        (self.key, self.id, Reverse((self.seg, self.doc)))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.rank() == other.rank()
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank().cmp(&other.rank())
    }
}

/// The best `k` entries offered: a buffer cut down to the best `k` (by
/// selection, not sorting) whenever it holds `2k`, and the worst entry kept
/// at the last cut as the bar to enter.
struct TopK {
    k: usize,
    buf: Vec<Entry>,
    bar: Option<Entry>,
}

impl TopK {
    fn new(k: usize) -> TopK {
        TopK {
            k,
            buf: Vec::new(),
            bar: None,
        }
    }

    /// Whether an entry with this key cannot enter.
    #[inline]
    fn rejects(&self, key: u64) -> bool {
        self.bar.is_some_and(|b| key < b.key)
    }

    #[inline]
    fn push(&mut self, e: Entry) {
        if self.bar.is_some_and(|b| e <= b) {
            return;
        }
        self.buf.push(e);
        if self.buf.len() >= self.k.saturating_mul(2).max(64) {
            self.cut();
        }
    }

    fn cut(&mut self) {
        if self.k == 0 {
            self.buf.clear();
            return;
        }
        if self.buf.len() > self.k {
            self.buf.select_nth_unstable_by(self.k - 1, |a, b| b.cmp(a));
            self.buf.truncate(self.k);
        }
        if self.buf.len() == self.k {
            self.bar = self.buf.iter().min().copied();
        }
    }

    fn into_vec(mut self) -> Vec<Entry> {
        self.cut();
        self.buf
    }
}

fn score_key(score: Score) -> u64 {
    let b = score.to_bits();
    (if b >> 31 == 0 { b | 0x8000_0000 } else { !b }) as u64
}

fn i64_key(v: i64) -> u64 {
    (v as u64) ^ (1 << 63)
}

/// Documents processed together: fast-field values are read a block at a
/// time (one virtual call per column per block).
const BLOCK: usize = tantivy::COLLECT_BLOCK_BUFFER_LEN;

const NO_ORD: u64 = u64::MAX;

/// A string fast field's term ordinals in one segment.
enum OrdColumn {
    Full(Arc<dyn ColumnValues<u64>>),
    Sparse(Column<u64>),
    Missing,
}

impl OrdColumn {
    fn new(column: Option<&StrColumn>) -> OrdColumn {
        match column {
            None => OrdColumn::Missing,
            Some(c) => {
                let ords = c.ords();
                match ords.get_cardinality() {
                    tantivy::columnar::Cardinality::Full => OrdColumn::Full(ords.values.clone()),
                    _ => OrdColumn::Sparse(ords.clone()),
                }
            }
        }
    }

    fn get_vals(&self, docs: &[DocId], out: &mut [u64]) {
        match self {
            OrdColumn::Full(v) => read_block(&**v, docs, out),
            OrdColumn::Sparse(c) => {
                for (o, &d) in out.iter_mut().zip(docs) {
                    *o = c.first(d).unwrap_or(NO_ORD);
                }
            }
            OrdColumn::Missing => out.fill(NO_ORD),
        }
    }
}

/// Reads the values of a block of ascending documents from a full column:
/// a run of consecutive documents (all documents, or a filter-only search)
/// bit-unpacked in one go; otherwise one by one.
#[inline]
fn read_block<T: Copy + Default + PartialOrd + std::fmt::Debug + Send + Sync + 'static>(
    values: &dyn ColumnValues<T>,
    docs: &[DocId],
    out: &mut [T],
) {
    let (Some(&first), Some(&last)) = (docs.first(), docs.last()) else {
        return;
    };
    let span = (last - first) as usize + 1;
    if span == docs.len() {
        values.get_range(u64::from(first), out);
    } else {
        values.get_vals(docs, out);
    }
}

/// An i64 fast field (sort keys, ids), with a value for documents without.
struct I64Column {
    full: Option<Arc<dyn ColumnValues<i64>>>,
    column: Option<Column<i64>>,
    default: i64,
}

impl I64Column {
    fn open(reader: &SegmentReader, name: &str, default: i64) -> tantivy::Result<I64Column> {
        let column = reader.fast_fields().column_opt::<i64>(name)?;
        let full = column
            .as_ref()
            .filter(|c| c.get_cardinality() == tantivy::columnar::Cardinality::Full)
            .map(|c| c.values.clone());
        Ok(I64Column {
            full,
            column,
            default,
        })
    }

    fn get(&self, doc: DocId) -> i64 {
        match (&self.full, &self.column) {
            (Some(v), _) => v.get_val(doc),
            (None, Some(c)) => c.first(doc).unwrap_or(self.default),
            (None, None) => self.default,
        }
    }

    fn get_vals(&self, docs: &[DocId], out: &mut [i64]) {
        match &self.full {
            Some(v) => read_block(&**v, docs, out),
            None => {
                for (o, &d) in out.iter_mut().zip(docs) {
                    *o = self.get(d);
                }
            }
        }
    }
}

/// The distinct values of a segment's [`CODES`] column (combinations of
/// codes), by term ordinal, split into their codes.
struct Combos {
    /// Codes per combination.
    width: usize,
    /// `ids[ord * width + p]`: the id of the code at position `p` of
    /// combination `ord` among `values[p]`.
    ids: Vec<u32>,
    values: Vec<Vec<String>>,
}

impl Combos {
    fn build(column: &StrColumn) -> std::io::Result<Combos> {
        let dict = column.dictionary();
        let mut width = 0;
        let mut ids = Vec::new();
        let mut values: Vec<Vec<String>> = Vec::new();
        let mut known: Vec<HashMap<String, u32>> = Vec::new();
        let mut stream = dict.stream()?;
        while stream.advance() {
            let text = String::from_utf8_lossy(stream.key());
            let parts: Vec<&str> = text.split(CODE_SEP).collect();
            if width == 0 {
                width = parts.len();
                values = vec![Vec::new(); width];
                known = vec![HashMap::new(); width];
            }
            for p in 0..width {
                let code = parts.get(p).copied().unwrap_or_default();
                let id = match known[p].get(code) {
                    Some(&id) => id,
                    None => {
                        let id = values[p].len() as u32;
                        values[p].push(code.to_owned());
                        known[p].insert(code.to_owned(), id);
                        id
                    }
                };
                ids.push(id);
            }
        }
        Ok(Combos { width, ids, values })
    }

    fn len(&self) -> usize {
        self.ids.len().checked_div(self.width).unwrap_or(0)
    }

    #[inline]
    fn id(&self, ord: usize, p: usize) -> usize {
        self.ids[ord * self.width + p] as usize
    }
}

/// [`Combos`] per segment, built on a segment's first search.
#[derive(Default)]
struct ComboCache(Mutex<HashMap<tantivy::index::SegmentId, Arc<Combos>>>);

impl ComboCache {
    /// The combinations of every segment of `searcher` (segments gone from
    /// the index are forgotten).
    fn for_searcher(
        &self,
        searcher: &tantivy::Searcher,
    ) -> Arc<HashMap<tantivy::index::SegmentId, Arc<Combos>>> {
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = HashMap::with_capacity(searcher.segment_readers().len());
        for reader in searcher.segment_readers() {
            let id = reader.segment_id();
            let combos = match cache.get(&id) {
                Some(c) => c.clone(),
                None => {
                    let built = reader
                        .fast_fields()
                        .str(CODES)
                        .ok()
                        .flatten()
                        .and_then(|c| Combos::build(&c).ok())
                        .unwrap_or(Combos {
                            width: 0,
                            ids: Vec::new(),
                            values: Vec::new(),
                        });
                    let built = Arc::new(built);
                    cache.insert(id, built.clone());
                    built
                }
            };
            out.insert(id, combos);
        }
        cache.retain(|id, _| out.contains_key(id));
        Arc::new(out)
    }
}

struct PlanSegment {
    seg: SegmentOrdinal,
    codes: OrdColumn,
    combos: Arc<Combos>,
    /// Per combination: bit `i` set when it fails the `i`th active group.
    /// Empty when no group is active.
    masks: Vec<u8>,
    /// The mask of a document without codes.
    missing_mask: u8,
    /// Documents per combination.
    counts: Vec<u32>,
    /// (code position, the mask bits a document must not have to count).
    facets: Vec<(usize, u8)>,
    ords: [u64; BLOCK],
    sort: SortBy,
    sort_column: Option<I64Column>,
    keys: [i64; BLOCK],
    ids: I64Column,
    k: usize,
    top: TopK,
    total: u64,
    /// Buffered (document, score) pairs when scoring.
    pending_docs: Vec<DocId>,
    pending_scores: Vec<Score>,
}

struct SegFruit {
    total: u64,
    top: Vec<Entry>,
    facets: Vec<Vec<(String, u64)>>,
}

struct PlanFruit {
    total: u64,
    /// The page, best first.
    top: Vec<Entry>,
    facets: Vec<HashMap<String, u64>>,
}

impl Collector for Plan {
    type Fruit = PlanFruit;
    type Child = PlanSegment;

    fn for_segment(
        &self,
        seg: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<PlanSegment> {
        let column = reader.fast_fields().str(CODES)?;
        let combos = match self.combos.get(&reader.segment_id()) {
            Some(c) => c.clone(),
            None => Arc::new(match &column {
                Some(c) => Combos::build(c)?,
                None => Combos {
                    width: 0,
                    ids: Vec::new(),
                    values: Vec::new(),
                },
            }),
        };
        let active: Vec<&Group> = self.groups.iter().filter(|g| g.active).collect();
        assert!(active.len() <= 8, "at most 8 filter groups");
        let mut masks = Vec::new();
        if !active.is_empty() && combos.width > 0 {
            // Per active group and alternative: allowed[value id].
            let allowed: Vec<Vec<(usize, Vec<bool>)>> = active
                .iter()
                .map(|g| {
                    g.alternatives
                        .iter()
                        .filter(|(p, _)| *p < combos.width)
                        .map(|(p, wanted)| {
                            (
                                *p,
                                combos.values[*p]
                                    .iter()
                                    .map(|v| wanted.contains(v))
                                    .collect(),
                            )
                        })
                        .collect()
                })
                .collect();
            masks = (0..combos.len())
                .map(|ord| {
                    let mut m = 0u8;
                    for (bit, alternatives) in allowed.iter().enumerate() {
                        if !alternatives.iter().any(|(p, ok)| ok[combos.id(ord, *p)]) {
                            m |= 1 << bit;
                        }
                    }
                    m
                })
                .collect();
        }
        let mut bits = vec![0u8; self.groups.len()];
        let mut next = 0;
        for (gi, g) in self.groups.iter().enumerate() {
            if g.active {
                bits[gi] = 1 << next;
                next += 1;
            }
        }
        let all_bits = bits.iter().fold(0u8, |a, b| a | b);
        let facets = self
            .facets
            .iter()
            .map(|&(p, g)| (p, all_bits & !bits[g]))
            .collect();
        let sort_column = match self.sort {
            SortBy::Score => None,
            SortBy::Desc(name) => Some(I64Column::open(reader, name, i64::MIN)?),
            SortBy::Asc(name) => Some(I64Column::open(reader, name, i64::MAX)?),
        };
        Ok(PlanSegment {
            seg,
            codes: OrdColumn::new(column.as_ref()),
            counts: vec![0; combos.len()],
            combos,
            masks,
            missing_mask: all_bits,
            facets,
            ords: [NO_ORD; BLOCK],
            sort: self.sort,
            sort_column,
            keys: [0; BLOCK],
            ids: I64Column::open(reader, "id", 0)?,
            k: self.k(),
            top: TopK::new(self.k()),
            total: 0,
            pending_docs: Vec::with_capacity(BLOCK),
            pending_scores: Vec::with_capacity(BLOCK),
        })
    }

    fn requires_scoring(&self) -> bool {
        matches!(self.sort, SortBy::Score)
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        seg: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegFruit> {
        let mut c = self.for_segment(seg, reader)?;
        let alive = reader.alive_bitset();
        if self.requires_scoring() {
            weight.for_each(reader, &mut |doc, score| {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    c.collect(doc, score);
                }
            })?;
        } else {
            let mut live = Vec::with_capacity(BLOCK);
            weight.for_each_no_score(reader, &mut |docs| match alive {
                None => c.collect_block(docs),
                Some(a) => {
                    live.clear();
                    live.extend(docs.iter().copied().filter(|&d| a.is_alive(d)));
                    c.process(&live, None);
                }
            })?;
        }
        Ok(c.harvest())
    }

    fn merge_fruits(&self, fruits: Vec<SegFruit>) -> tantivy::Result<PlanFruit> {
        let mut total = 0;
        let mut top = Vec::new();
        let mut facets: Vec<HashMap<String, u64>> = vec![HashMap::new(); self.facets.len()];
        for f in fruits {
            total += f.total;
            top.extend(f.top);
            for (acc, counts) in facets.iter_mut().zip(f.facets) {
                for (v, n) in counts {
                    *acc.entry(v).or_insert(0) += n;
                }
            }
        }
        // The page: the best `k`, then those after the first `offset`, sorted.
        let desc = |a: &Entry, b: &Entry| b.cmp(a);
        let k = self.k();
        if top.len() > k {
            top.select_nth_unstable_by(k - 1, desc);
            top.truncate(k);
        }
        if self.offset >= top.len() {
            top.clear();
        } else if self.offset > 0 {
            top.select_nth_unstable_by(self.offset, desc);
            top.drain(..self.offset);
        }
        top.sort_unstable_by(desc);
        top.truncate(self.limit);
        Ok(PlanFruit { total, top, facets })
    }
}

impl PlanSegment {
    /// Filters, counts and ranks a block of (alive) documents.
    fn process(&mut self, docs: &[DocId], scores: Option<&[Score]>) {
        let n = docs.len();
        debug_assert!(n <= BLOCK);
        if n == 0 {
            return;
        }
        self.codes.get_vals(docs, &mut self.ords[..n]);
        let mut mask = [0u8; BLOCK];
        let counts: &mut [u32] = &mut self.counts;
        for (&o, m) in self.ords[..n].iter().zip(mask.iter_mut()) {
            match counts.get_mut(o as usize) {
                Some(c) => {
                    *c += 1;
                    *m = self.masks.get(o as usize).copied().unwrap_or(0);
                }
                None => *m = self.missing_mask,
            }
        }
        self.total += mask[..n].iter().filter(|&&m| m == 0).count() as u64;
        self.rank(docs, scores, &mask);
    }

    /// Offers the block's passing documents (mask 0) to the top `k`.
    fn rank(&mut self, docs: &[DocId], scores: Option<&[Score]>, mask: &[u8; BLOCK]) {
        if self.k == 0 {
            return;
        }
        let n = docs.len();
        if let Some(col) = &self.sort_column {
            col.get_vals(docs, &mut self.keys[..n]);
        }
        for i in 0..n {
            if mask[i] != 0 {
                continue;
            }
            let score = scores.map_or(0.0, |s| s[i]);
            let key = match self.sort {
                SortBy::Score => score_key(score),
                SortBy::Desc(_) => i64_key(self.keys[i]),
                SortBy::Asc(_) => !i64_key(self.keys[i]),
            };
            if self.top.rejects(key) {
                continue;
            }
            self.top.push(Entry {
                key,
                id: self.ids.get(docs[i]),
                seg: self.seg,
                doc: docs[i],
                score,
            });
        }
    }

    fn flush(&mut self) {
        let docs = std::mem::take(&mut self.pending_docs);
        let scores = std::mem::take(&mut self.pending_scores);
        self.process(&docs, Some(&scores));
        self.pending_docs = docs;
        self.pending_scores = scores;
        self.pending_docs.clear();
        self.pending_scores.clear();
    }
}

impl SegmentCollector for PlanSegment {
    type Fruit = SegFruit;

    #[inline]
    fn collect(&mut self, doc: DocId, score: Score) {
        self.pending_docs.push(doc);
        self.pending_scores.push(score);
        if self.pending_docs.len() == BLOCK {
            self.flush();
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        for chunk in docs.chunks(BLOCK) {
            self.process(chunk, None);
        }
    }

    fn harvest(mut self) -> SegFruit {
        self.flush();
        // Facet counts from the counts per combination.
        let combos = &self.combos;
        let mut per_value: Vec<Vec<u64>> = self
            .facets
            .iter()
            .map(|&(p, _)| vec![0; combos.values.get(p).map_or(0, Vec::len)])
            .collect();
        for (ord, &n) in self.counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let n = u64::from(n);
            let m = self.masks.get(ord).copied().unwrap_or(0);
            for (fi, &(p, excl)) in self.facets.iter().enumerate() {
                if m & excl == 0 && p < combos.width {
                    per_value[fi][combos.id(ord, p)] += n;
                }
            }
        }
        let facets = self
            .facets
            .iter()
            .zip(per_value)
            .map(|(&(p, _), counts)| {
                counts
                    .into_iter()
                    .enumerate()
                    .filter(|&(_, n)| n > 0)
                    .map(|(id, n)| (combos.values[p][id].clone(), n))
                    .collect()
            })
            .collect();
        SegFruit {
            total: self.total,
            top: self.top.into_vec(),
            facets,
        }
    }
}

// ---------------------------------------------------------------------------
// Snippets.

/// Byte ranges of `text` (sorted, disjoint) whose normalised form is an
/// occurrence of one of the normalised `terms`.
pub fn match_ranges(text: &str, terms: &[&str]) -> Vec<(usize, usize)> {
    if terms.is_empty() || text.is_empty() {
        return Vec::new();
    }
    let m = analysis::normalize_mapped(text);
    let mut spans: Vec<(usize, usize)> = Vec::new();
    // Where each character occurs, when there are many terms to look for
    // (a query of 500 characters can have 250): then each term is only
    // compared where its first character is.
    let starts: Option<HashMap<char, Vec<usize>>> = (terms.len() > 8).then(|| {
        let mut at: HashMap<char, Vec<usize>> = HashMap::new();
        for (i, &c) in m.chars.iter().enumerate() {
            at.entry(c).or_default().push(i);
        }
        at
    });
    for term in terms {
        let t: Vec<char> = term.chars().collect();
        if t.is_empty() || t.len() > m.chars.len() {
            continue;
        }
        let last = m.chars.len() - t.len();
        let mut check = |i: usize| {
            if i <= last && m.chars[i..i + t.len()] == t[..] {
                spans.push((m.origin[i].0, m.origin[i + t.len() - 1].1));
            }
        };
        match &starts {
            Some(at) => at.get(&t[0]).into_iter().flatten().for_each(|&i| check(i)),
            None => (0..=last).filter(|&i| m.chars[i] == t[0]).for_each(check),
        }
    }
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// Escaped HTML of `text` with `<mark>` around every match of `terms`;
/// with `window`, only about that many characters around the first match
/// (the start of the text when nothing matches), with "…" where cut.
pub fn highlight_html(text: &str, terms: &[&str], window: Option<usize>) -> String {
    let marks = match_ranges(text, terms);
    let (mut from, mut to) = (0, text.len());
    if let Some(width) = window {
        let total = text.chars().count();
        if total > width {
            let first = marks.first().map_or(0, |m| text[..m.0].chars().count());
            let mut start = first.saturating_sub(SNIPPET_LEAD);
            let end = (start + width).min(total);
            start = end.saturating_sub(width);
            let byte_at = |ci: usize| text.char_indices().nth(ci).map_or(text.len(), |(b, _)| b);
            from = byte_at(start);
            to = byte_at(end);
        }
    }
    let mut out = String::with_capacity((to - from) + 32);
    if from > 0 {
        out.push('…');
    }
    let mut at = from;
    for &(s, e) in &marks {
        let (s, e) = (s.max(from), e.min(to));
        if s >= e {
            continue;
        }
        escape_into(&text[at..s], &mut out);
        out.push_str("<mark>");
        escape_into(&text[s..e], &mut out);
        out.push_str("</mark>");
        at = e;
    }
    escape_into(&text[at..to], &mut out);
    if to < text.len() {
        out.push('…');
    }
    out
}

fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests;
