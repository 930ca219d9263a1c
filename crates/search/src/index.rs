//! The tantivy index. (Skeleton: the API is fixed, the body is being written.)

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
    /// Earliest submission deadline first.
    Deadline,
}

/// A tender search: the query and filters, all optional (empty = any).
#[derive(Debug, Clone, PartialEq, Default)]
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

/// The index: opened once per process; reads are concurrent, writes go
/// through one writer (behind a mutex).
pub struct SearchIndex {
    _private: (),
}

impl SearchIndex {
    /// Opens (creating if missing) the index in `dir`.
    pub fn open(_dir: &Path) -> Result<SearchIndex, SearchError> {
        Ok(SearchIndex { _private: () })
    }

    /// An index in memory (tests).
    pub fn in_memory() -> Result<SearchIndex, SearchError> {
        Ok(SearchIndex { _private: () })
    }

    /// Adds or replaces documents (by id); visible after [`Self::commit`].
    pub fn upsert_tenders(&self, _docs: &[TenderDoc]) -> Result<(), SearchError> {
        Ok(())
    }

    pub fn delete_tender(&self, _id: i64) -> Result<(), SearchError> {
        Ok(())
    }

    pub fn upsert_companies(&self, _docs: &[CompanyDoc]) -> Result<(), SearchError> {
        Ok(())
    }

    pub fn delete_company(&self, _id: i64) -> Result<(), SearchError> {
        Ok(())
    }

    /// Removes every document (before a full rebuild).
    pub fn clear(&self) -> Result<(), SearchError> {
        Ok(())
    }

    /// Makes written changes durable and visible to searches.
    pub fn commit(&self) -> Result<(), SearchError> {
        Ok(())
    }

    pub fn search_tenders(&self, _s: &TenderSearch) -> Result<SearchPage<TenderHit>, SearchError> {
        Ok(SearchPage {
            total: 0,
            hits: Vec::new(),
            facets: Facets::default(),
        })
    }

    pub fn search_companies(&self, _s: &CompanySearch) -> Result<SearchPage<CompanyHit>, SearchError> {
        Ok(SearchPage {
            total: 0,
            hits: Vec::new(),
            facets: Facets::default(),
        })
    }

    /// Documents in the index: (tenders, companies).
    pub fn counts(&self) -> Result<(u64, u64), SearchError> {
        Ok((0, 0))
    }

    /// Bytes the index takes on disk (0 in memory).
    pub fn size_on_disk(&self) -> u64 {
        0
    }
}
