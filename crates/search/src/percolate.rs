//! One document against many searches: the other way round from the index.
//!
//! Saved searches alert on new tenders: each newly published tender is
//! checked against every saved search. Running each search through the index
//! would cost a query per saved search per tender; instead [`Percolator`]
//! evaluates a search on one [`TenderDoc`] in memory with the index's own
//! semantics — the query language's reference meaning ([`Expr::matches`]:
//! a term matches when one searchable field's normalised text contains it)
//! and the same filters — so a saved search alerts on exactly the tenders
//! the same search finds in the list. The index tests check every search they
//! run against this too.

use chrono::{DateTime, Utc};

use crate::analysis::normalize;
use crate::index::{TenderDoc, TenderSearch};
use crate::query::{self, Expr, QueryError};

/// A search made ready to test documents against.
#[derive(Debug, Clone)]
pub struct Percolator {
    search: TenderSearch,
    expr: Option<Expr>,
}

/// A tender's searchable texts, normalised once for all searches.
#[derive(Debug, Clone)]
pub struct PercolateDoc<'a> {
    doc: &'a TenderDoc,
    texts: Vec<String>,
}

impl<'a> PercolateDoc<'a> {
    /// The fields the index searches: title, summary, buyer name and, once
    /// awarded, the winner's name and 法人番号.
    pub fn new(doc: &'a TenderDoc) -> Self {
        let mut texts = vec![
            normalize(&doc.title),
            normalize(&doc.summary),
            normalize(&doc.buyer_name),
        ];
        if let Some(a) = &doc.award {
            texts.push(normalize(&a.winner_name));
            texts.extend(a.winner_corporate_number.as_deref().map(normalize));
        }
        PercolateDoc { doc, texts }
    }
}

impl Percolator {
    /// Fails only when the query does not parse (what the list would refuse).
    pub fn new(search: TenderSearch) -> Result<Self, QueryError> {
        let expr = query::parse(&search.q)?;
        Ok(Percolator { search, expr })
    }

    pub fn search(&self) -> &TenderSearch {
        &self.search
    }

    /// Whether the search finds this tender.
    pub fn matches(&self, p: &PercolateDoc<'_>) -> bool {
        let s = &self.search;
        let d = p.doc;
        let listed = |wanted: &[String], value: &str| {
            wanted.iter().all(|w| w.is_empty()) || wanted.iter().any(|w| w == value)
        };
        let place_ok = {
            let prefs: Vec<&String> = s.prefectures.iter().filter(|v| !v.is_empty()).collect();
            let regions: Vec<&String> = s.regions.iter().filter(|v| !v.is_empty()).collect();
            (prefs.is_empty() && regions.is_empty())
                || d.prefecture.as_ref().is_some_and(|p| prefs.contains(&p))
                || d.region.as_ref().is_some_and(|r| regions.contains(&r))
        };
        let jsic_ok = match s.jsic.as_deref().filter(|j| !j.is_empty()) {
            Some(j) => d.jsic.iter().any(|c| c == j),
            None => true,
        };
        let grade_ok = match s.grade.as_deref().filter(|g| !g.is_empty()) {
            Some(g) => d.grades.is_empty() || d.grades.iter().any(|x| x == g),
            None => true,
        };
        let price_ok = if s.price_min.is_none() && s.price_max.is_none() {
            true
        } else {
            // Tenders without a public price never match a price filter.
            d.reserve_price.filter(|p| *p >= 0).is_some_and(|p| {
                p >= s.price_min.unwrap_or(0).max(0) && s.price_max.is_none_or(|max| p <= max)
            })
        };
        let award = d.award.as_ref();
        let award_ok = (!s.awarded || award.is_some())
            && s.winner
                .is_none_or(|w| award.is_some_and(|a| a.winner_id == w))
            && (s.awarded_from.is_none() && s.awarded_to.is_none()
                || award.is_some_and(|a| within(a.awarded_at, s.awarded_from, s.awarded_to)))
            && (s.amount_min.is_none() && s.amount_max.is_none()
                || award.and_then(|a| a.amount_tax_exclusive).is_some_and(|v| {
                    s.amount_min.is_none_or(|m| v >= m) && s.amount_max.is_none_or(|m| v <= m)
                }));
        listed(&s.kinds, &d.kind)
            && listed(&s.categories, &d.category)
            && listed(&s.methods, &d.method)
            && listed(&s.statuses, &d.status)
            && place_ok
            && jsic_ok
            && grade_ok
            && s.buyer.is_none_or(|b| b == d.buyer_id)
            && within(d.published_at, s.published_from, s.published_to)
            && within(d.submission_closes_at, s.deadline_from, s.deadline_to)
            && within(d.opening_at, s.opening_from, s.opening_to)
            && price_ok
            && award_ok
            && self.expr.as_ref().is_none_or(|e| {
                let fields: Vec<&str> = p.texts.iter().map(String::as_str).collect();
                e.matches(&fields)
            })
    }
}

/// Inclusive at both ends, like the index's range filters (to the microsecond).
fn within(t: DateTime<Utc>, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> bool {
    let us = t.timestamp_micros();
    from.is_none_or(|f| us >= f.timestamp_micros()) && to.is_none_or(|x| us <= x.timestamp_micros())
}
