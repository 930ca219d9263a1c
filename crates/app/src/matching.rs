//! Recommendations (マッチング): おすすめ企業 for a tender's buyer and
//! おすすめ案件 for a supplier, from the rules in `musubi_domain::matching`.
//!
//! - **Candidates are derived state.** Every recommendable supplier's
//!   profile (所在地, JSIC codes, grades, certifications, and its history of
//!   applications, bids and awards per field) is kept in memory, one
//!   [`Candidates`] snapshot per process, read from the database in two
//!   queries and rebuilt on the first request after it is
//!   [`SNAPSHOT_MAX_AGE`] old (by the services' clock). So a newcomer's
//!   profile, or a change to one, is recommended to buyers within a minute;
//!   the request that finds the snapshot stale waits for the rebuild (one
//!   at a time: concurrent ones wait for it and share the result).
//! - **Text relevance comes from the search index** (BM25 of the bigrams
//!   of one side's text against the other side's documents, divided by the
//!   best score: 0.0..=1.0). Where the process has no index, or it fails,
//!   relevance is 0 for everyone: recommendations still work on the
//!   registered facts.
//! - おすすめ案件 reads the supplier's own profile fresh (its edits count at
//!   once) and the tenders open now from the database; only its history
//!   comes from the snapshot.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use musubi_domain::matching::{
    History, Match, Reason, SupplierProfile, TenderProfile, TopK, points, score, top_k,
};
use musubi_domain::tender::{SupplierFacts, TenderContent, TenderStatus};
use musubi_domain::{Access, Prefecture, Principal, Region, authz};
use musubi_storage::{CompanyProfileData, OrgId, TenderId};
use serde::Serialize;

use crate::Services;
use crate::error::{ServiceError, ServiceResult};

/// A snapshot of candidates older than this is rebuilt before use.
pub const SNAPSHOT_MAX_AGE: chrono::Duration = chrono::Duration::seconds(60);
/// [`Services::warm_matching_candidates`] rebuilds a snapshot this close to
/// [`SNAPSHOT_MAX_AGE`] (called more often than this, requests never wait).
pub const SNAPSHOT_REFRESH_MARGIN: chrono::Duration = chrono::Duration::seconds(20);
/// Most recommendations one call returns.
pub const MAX_LIMIT: u32 = 50;
/// Documents a relevance lookup returns: the rest count as relevance 0.
/// Text points rank suppliers within an industry and location class, and
/// the 1,000th match of a text is far below the best; a larger limit
/// weakens the index's pruning (at 100,000 companies, 2,000 with 64 bigrams
/// took 35 ms a lookup, 1,000 with 32 take 5 ms: `musubi bench match`).
pub const RELEVANCE_CANDIDATES: usize = 1_000;

/// One reason as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonView {
    pub code: &'static str,
    pub label_ja: String,
    pub label_en: String,
}

impl From<&Reason> for ReasonView {
    fn from(r: &Reason) -> Self {
        ReasonView {
            code: r.code(),
            label_ja: r.label_ja(),
            label_en: r.label_en(),
        }
    }
}

fn reasons(m: &Match) -> Vec<ReasonView> {
    m.reasons.iter().map(ReasonView::from).collect()
}

/// おすすめ企業: one supplier recommended for a tender.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecommendedSupplier {
    pub org_id: OrgId,
    pub name: String,
    /// JIS X 0401, two digits.
    pub prefecture: String,
    pub points: u32,
    pub reasons: Vec<ReasonView>,
}

/// おすすめ案件: one tender recommended to a supplier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecommendedTender {
    pub tender_id: TenderId,
    pub title: String,
    pub buyer_name: String,
    pub status: TenderStatus,
    pub submission_closes_at: DateTime<Utc>,
    pub points: u32,
    pub reasons: Vec<ReasonView>,
}

/// A recommendable supplier as the snapshot holds it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: OrgId,
    pub name: String,
    pub prefecture: Prefecture,
    pub profile: SupplierProfile,
}

/// Every recommendable supplier, in id order, and when it was read.
#[derive(Debug, Clone)]
pub struct Candidates {
    pub built_at: DateTime<Utc>,
    pub suppliers: Vec<Candidate>,
}

impl Candidates {
    /// The candidate with id `id` (the list is in id order).
    pub fn get(&self, id: OrgId) -> Option<&Candidate> {
        self.suppliers
            .binary_search_by_key(&id, |c| c.id)
            .ok()
            .map(|i| &self.suppliers[i])
    }

    /// The relevance of each candidate, in candidate order, from sparse
    /// `(id, relevance)` pairs (absent ids: 0).
    pub fn relevance_vector(&self, sparse: &[(OrgId, f32)]) -> Vec<f32> {
        let mut out = vec![0.0; self.suppliers.len()];
        for (id, r) in sparse {
            if let Ok(i) = self.suppliers.binary_search_by_key(id, |c| c.id) {
                out[i] = *r;
            }
        }
        out
    }

    /// The best `k` candidates for `tender`, with `relevance` from
    /// [`Self::relevance_vector`]: [`top_k`] over all of them.
    pub fn top_for(
        &self,
        tender: &TenderProfile,
        relevance: &[f32],
        k: usize,
    ) -> Vec<(&Candidate, Match)> {
        self.top_where(tender, relevance, k, |_| true)
    }

    /// [`Self::top_for`] among the candidates located in `region` (a
    /// coordinator's share to that region).
    pub fn top_in_region(
        &self,
        tender: &TenderProfile,
        relevance: &[f32],
        k: usize,
        region: Region,
    ) -> Vec<(&Candidate, Match)> {
        self.top_where(tender, relevance, k, |c| c.prefecture.region() == region)
    }

    /// How many candidates meet the tender's eligibility, counting up to
    /// `up_to` (a dashboard asks "fewer than n?", so it stops there).
    pub fn eligible_count(&self, tender: &TenderProfile, up_to: usize) -> usize {
        self.suppliers
            .iter()
            .filter(|c| tender.admits(&c.profile))
            .take(up_to)
            .count()
    }

    fn top_where(
        &self,
        tender: &TenderProfile,
        relevance: &[f32],
        k: usize,
        keep: impl Fn(&Candidate) -> bool,
    ) -> Vec<(&Candidate, Match)> {
        let found = top_k(
            tender,
            self.suppliers
                .iter()
                .zip(relevance)
                .filter(|(c, _)| keep(c))
                .map(|(c, r)| (c.id, &c.profile, *r)),
            k,
        );
        found
            .into_iter()
            .filter_map(|(id, m)| self.get(id).map(|c| (c, m)))
            .collect()
    }
}

/// The process's snapshot and the lock that makes one rebuild at a time.
#[derive(Default)]
pub(crate) struct Snapshot {
    current: std::sync::Mutex<Option<Arc<Candidates>>>,
    rebuilding: tokio::sync::Mutex<()>,
}

impl Snapshot {
    fn fresh_at(&self, now: DateTime<Utc>) -> Option<Arc<Candidates>> {
        let current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        current
            .as_ref()
            // A clock set back counts as stale too.
            .filter(|c| c.built_at <= now && now - c.built_at < SNAPSHOT_MAX_AGE)
            .cloned()
    }
}

fn check_limit(limit: u32) -> ServiceResult<usize> {
    if (1..=MAX_LIMIT).contains(&limit) {
        Ok(limit as usize)
    } else {
        Err(ServiceError::refused(
            400,
            "invalid_limit",
            format!("表示件数（limit）は1〜{MAX_LIMIT}の範囲で指定してください。"),
            format!("limit must be between 1 and {MAX_LIMIT}."),
        ))
    }
}

/// The facts eligibility and matching read of a profile.
pub fn supplier_facts(d: &CompanyProfileData) -> SupplierFacts {
    SupplierFacts {
        prefecture: d.prefecture,
        jsic: d.jsic.clone(),
        grades: d.grades.clone(),
        certifications: d.certifications.clone(),
    }
}

/// What a tender's relevance to companies is measured on.
pub fn tender_text(c: &TenderContent) -> String {
    format!("{}\n{}", c.title, c.summary)
}

impl Services {
    /// The candidates, rebuilt first if the snapshot is missing or older
    /// than [`SNAPSHOT_MAX_AGE`].
    pub async fn matching_candidates(&self) -> ServiceResult<Arc<Candidates>> {
        let now = self.clock.now();
        if let Some(c) = self.matching.fresh_at(now) {
            return Ok(c);
        }
        let _one = self.matching.rebuilding.lock().await;
        // Someone may have rebuilt it while this request waited.
        if let Some(c) = self.matching.fresh_at(now) {
            return Ok(c);
        }
        let built = Arc::new(self.build_candidates(now).await?);
        *self
            .matching
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(&built));
        Ok(built)
    }

    /// Rebuilds the snapshot ahead of time — when less than
    /// [`SNAPSHOT_REFRESH_MARGIN`] of its minute is left — so that requests
    /// find it fresh instead of waiting for a rebuild (`serve` calls this in
    /// the background). Returns whether it rebuilt.
    pub async fn warm_matching_candidates(&self) -> ServiceResult<bool> {
        let ahead = self.clock.now() + SNAPSHOT_REFRESH_MARGIN;
        if self.matching.fresh_at(ahead).is_some() {
            return Ok(false);
        }
        let _one = self.matching.rebuilding.lock().await;
        if self.matching.fresh_at(ahead).is_some() {
            return Ok(false);
        }
        let built = Arc::new(self.build_candidates(self.clock.now()).await?);
        *self
            .matching
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(built);
        Ok(true)
    }

    /// Reads the candidates from the database: the suppliers and every
    /// participation, folded into each supplier's history.
    pub async fn build_candidates(&self, now: DateTime<Utc>) -> ServiceResult<Candidates> {
        let suppliers = self.storage.matching_suppliers().await?;
        let participations = self.storage.participations().await?;
        let mut histories: HashMap<OrgId, History> = HashMap::new();
        for p in &participations {
            histories
                .entry(p.supplier)
                .or_default()
                .record_tender(&p.jsic, p.awarded);
        }
        let mut suppliers: Vec<Candidate> = suppliers
            .into_iter()
            .map(|s| {
                let history = histories.remove(&s.id).unwrap_or_default();
                let facts = SupplierFacts {
                    prefecture: s.prefecture,
                    jsic: s.jsic,
                    grades: s.grades,
                    certifications: s.certifications,
                };
                Candidate {
                    id: s.id,
                    name: s.name,
                    prefecture: s.prefecture,
                    profile: SupplierProfile::new(facts, history),
                }
            })
            .collect();
        // The store answers in id order; lookups rely on it.
        suppliers.sort_by_key(|c| c.id);
        Ok(Candidates {
            built_at: now,
            suppliers,
        })
    }

    /// Relevance of companies to `text` (0 for all without an index; an
    /// index error is logged and counts as no relevance).
    pub async fn company_relevance(&self, text: String) -> Vec<(OrgId, f32)> {
        let Some(index) = self.search.clone() else {
            return Vec::new();
        };
        let found = tokio::task::spawn_blocking(move || {
            index.company_relevance(&text, RELEVANCE_CANDIDATES)
        })
        .await;
        match found {
            Ok(Ok(hits)) => hits,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "company relevance failed; recommending without it");
                Vec::new()
            }
            Err(e) => {
                tracing::warn!(error = %e, "company relevance task failed");
                Vec::new()
            }
        }
    }

    /// Relevance of tenders whose deadline is after `now` to `text`, as
    /// [`Self::company_relevance`].
    async fn tender_relevance(&self, text: String, now: DateTime<Utc>) -> HashMap<TenderId, f32> {
        let Some(index) = self.search.clone() else {
            return HashMap::new();
        };
        if text.trim().is_empty() {
            return HashMap::new();
        }
        let found = tokio::task::spawn_blocking(move || {
            index.tender_relevance(&text, Some(now), RELEVANCE_CANDIDATES)
        })
        .await;
        match found {
            Ok(Ok(hits)) => hits.into_iter().collect(),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "tender relevance failed; recommending without it");
                HashMap::new()
            }
            Err(e) => {
                tracing::warn!(error = %e, "tender relevance task failed");
                HashMap::new()
            }
        }
    }

    /// おすすめ企業: the best `limit` (1..=50) eligible suppliers for a
    /// tender, best first. For the tender's buyer (members of the buying
    /// organisation), coordinators (public tenders) and platform admins;
    /// anyone else is answered 404, as for other buyer-only reads.
    pub async fn recommended_suppliers(
        &self,
        principal: &Principal,
        tender: TenderId,
        limit: u32,
    ) -> ServiceResult<Vec<RecommendedSupplier>> {
        authz::check(Some(principal), Access::SignedIn)?;
        let k = check_limit(limit)?;
        let t = self
            .storage
            .tender(tender)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let allowed = principal.org_id() == Some(t.buyer)
            || principal.is_platform_admin()
            || (principal.is_coordinator() && t.status.is_public());
        if !allowed {
            return Err(ServiceError::NotFound);
        }
        self.ranked_suppliers(&t.content, None, k).await
    }

    /// The best `k` eligible suppliers for a tender's content, of one
    /// region or all; the caller has decided who may see them.
    pub async fn ranked_suppliers(
        &self,
        content: &TenderContent,
        region: Option<Region>,
        k: usize,
    ) -> ServiceResult<Vec<RecommendedSupplier>> {
        let profile = TenderProfile::from(content);
        let (relevance, candidates) = tokio::join!(
            self.company_relevance(tender_text(content)),
            self.matching_candidates()
        );
        let candidates = candidates?;
        let relevance = candidates.relevance_vector(&relevance);
        let top = match region {
            Some(r) => candidates.top_in_region(&profile, &relevance, k, r),
            None => candidates.top_for(&profile, &relevance, k),
        };
        Ok(top
            .into_iter()
            .map(|(c, m)| RecommendedSupplier {
                org_id: c.id,
                name: c.name.clone(),
                prefecture: c.prefecture.code().to_owned(),
                points: m.points,
                reasons: reasons(&m),
            })
            .collect())
    }

    /// おすすめ案件: the best `limit` (1..=50) tenders open to bids or
    /// applications now (published, accepting applications or tendering,
    /// the submission deadline ahead) for the caller's supplier
    /// organisation, best first. Empty without a company profile.
    pub async fn recommended_tenders(
        &self,
        principal: &Principal,
        limit: u32,
    ) -> ServiceResult<Vec<RecommendedTender>> {
        authz::check(Some(principal), Access::Supplier)?;
        let k = check_limit(limit)?;
        let org = principal.org_id().ok_or(ServiceError::NotFound)?;
        let Some(own) = self.storage.company_profile(org).await? else {
            return Ok(Vec::new());
        };
        let now = self.clock.now();
        let candidates = self.matching_candidates().await?;
        let history = candidates
            .get(org)
            .map(|c| c.profile.history().clone())
            .unwrap_or_default();
        let supplier = SupplierProfile::new(supplier_facts(&own.data), history);
        let (relevance, open) = tokio::join!(
            self.tender_relevance(crate::search::company_text(&own.data), now),
            self.storage.open_tenders(now)
        );
        let open = open?;
        let mut top = TopK::new(k);
        for (i, t) in open.iter().enumerate() {
            let profile = TenderProfile::from(&t.content);
            let r = relevance.get(&t.id).copied().unwrap_or(0.0);
            if let Some(p) = points(&profile, &supplier, r) {
                top.offer(p, t.id, (i, profile, r));
            }
        }
        Ok(top
            .into_sorted()
            .into_iter()
            .filter_map(|(_, _, (i, profile, r))| {
                let t = &open[i];
                score(&profile, &supplier, r).map(|m| RecommendedTender {
                    tender_id: t.id,
                    title: t.content.title.clone(),
                    buyer_name: t.buyer_name.clone(),
                    status: t.status,
                    submission_closes_at: t.content.schedule.submission_closes_at,
                    points: m.points,
                    reasons: reasons(&m),
                })
            })
            .collect())
    }
}

/// The baseline the top-k selection is measured against (`musubi bench
/// match`): score every candidate with its reasons and sort them all.
pub fn full_sort_baseline<'a>(
    tender: &TenderProfile,
    candidates: &'a Candidates,
    relevance: &[f32],
    k: usize,
) -> Vec<(&'a Candidate, Match)> {
    let mut all: Vec<(&Candidate, Match)> = candidates
        .suppliers
        .iter()
        .zip(relevance)
        .filter_map(|(c, r)| score(tender, &c.profile, *r).map(|m| (c, m)))
        .collect();
    all.sort_by_key(|(c, m)| (Reverse(m.points), c.id));
    all.truncate(k);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_outside_1_to_50_are_refused_with_a_stable_code() {
        for bad in [0, 51, u32::MAX] {
            match check_limit(bad) {
                Err(ServiceError::Refused { status, code, .. }) => {
                    assert_eq!((status, code), (400, "invalid_limit"));
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert_eq!(check_limit(1).unwrap(), 1);
        assert_eq!(check_limit(50).unwrap(), 50);
    }
}
