//! Full-text search over tenders and companies: one tantivy index in the data
//! directory, Japanese analysis that needs no dictionary download, and the
//! query language of the 官公需 portal (implicit AND, `OR`, `NOT`/`ANDNOT`,
//! parentheses, `"phrases"`).
//!
//! - [`analysis`]: NFKC, width and case folding; all text is a character
//!   stream indexed as bigrams and 4-grams (each run of text ending in a
//!   padded tail), so a query term of 1 to 4 characters is one term or one
//!   term range and a longer one a phrase of 4-grams: a term matches exactly
//!   the documents whose normalised text contains it.
//! - [`query`]: parses the query language into [`query::Expr`] or a
//!   [`QueryError`] that says what is wrong.
//! - [`index`]: [`SearchIndex`], documents in, ranked and faceted hits out;
//!   awarded tenders carry their award, which makes the awards database.
//!
//! The index is derived state: it is fed from the outbox and rebuilt from
//! the database by `musubi reindex`; nothing here is the source of truth.
//! Secrets never reach it: callers build documents without sealed prices.

pub mod analysis;
pub mod index;
pub mod percolate;
pub mod query;

pub use index::{
    AWARDED, AwardDoc, AwardHit, AwardTender, CompanyDoc, CompanyHit, CompanySearch, FacetCount,
    Facets, SearchError, SearchIndex, SearchPage, Sort, TenderDoc, TenderHit, TenderSearch,
};
pub use percolate::{PercolateDoc, Percolator};
pub use query::QueryError;
