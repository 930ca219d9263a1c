//! Recommendation quality on demo data: how often the supplier an expert
//! would invite ([`super::expert`]) is among the おすすめ企業 the real
//! service gives the tender's buyer. Shared by `musubi bench quality` and
//! the integration test, so both measure the same thing.
//!
//! Unlike the rest of `demo/` this part does I/O: it fills the services'
//! (empty) store with the demo population, the planted picks and the
//! tenders, builds the search index, then asks
//! [`Services::recommended_suppliers`] as each sampled tender's buyer.

use std::collections::HashMap;

use musubi_domain::matching::{TenderProfile, score};
use musubi_domain::{Approval, Membership, OrgKind, OrgRole, PlatformRole, Principal};
use musubi_storage::{OrgId, Paging, TenderId, TenderImport};
use serde::Serialize;

use super::{DemoGenerator, DemoTender, ExpertPick};
use crate::Services;
use crate::error::{ServiceError, ServiceResult};
use crate::matching::{ReasonView, tender_text};
use crate::search::ReindexScope;
use crate::seed::{DemoParties, company_import, tender_import};

/// The recommendations the buyer sees (おすすめ企業, top 10) …
pub const TOP: u32 = 10;
/// … and how far down a miss is looked for.
pub const LOOK_DOWN_TO: u32 = 50;
/// The target: the pick in the top 10 for at least 80 % of tenders.
pub const TARGET_TOP10_SHARE: f64 = 0.8;
/// Tenders per import transaction.
const TENDER_BATCH: u64 = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QualityOptions {
    /// Demo suppliers `0..suppliers` (the population the expert chooses from).
    pub suppliers: u64,
    /// Demo tenders `0..tenders`, the sample is drawn from.
    pub tenders: u64,
    /// Tenders sampled.
    pub sample: usize,
    /// Import every tender `0..tenders`, as `serve --demo` has them, rather
    /// than the sampled ones only. The figure is the same either way: a
    /// ranking reads the suppliers and the companies' index, and demo
    /// tenders carry no bids (no history); importing all is the faithful,
    /// slower setting.
    pub all_tenders: bool,
}

/// One recommendation above a missed pick.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Above {
    pub rank: usize,
    pub name: String,
    pub points: u32,
    pub reasons: Vec<&'static str>,
}

/// One sampled tender and where its pick came.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityCase {
    pub tender_id: TenderId,
    pub title: String,
    pub buyer: String,
    pub pick: ExpertPick,
    pub supplier_org: OrgId,
    pub supplier_name: String,
    /// 1-based rank among the recommendations, `None` below
    /// [`LOOK_DOWN_TO`] or not recommended at all.
    pub rank: Option<usize>,
    /// The pick's points and reasons as the matcher scores it (`None`: not
    /// matched — ineligible or nothing in common with the work).
    pub points: Option<u32>,
    pub reasons: Vec<ReasonView>,
    /// For a miss: the recommendations above it (the first few).
    pub above: Vec<Above>,
}

impl QualityCase {
    pub fn in_top(&self, k: usize) -> bool {
        self.rank.is_some_and(|r| r <= k)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityReport {
    pub seed: u64,
    /// "Now" of the run: the tenders' dates (and so the fiscal years in
    /// their titles) lie around it.
    pub anchor: chrono::DateTime<chrono::Utc>,
    pub suppliers: u64,
    /// Distinct suppliers planted past the population.
    pub planted: usize,
    pub tenders_imported: u64,
    pub sampled: usize,
    /// Sampled tenders with a pick (the denominator of the shares).
    pub picked: usize,
    pub top1: usize,
    pub top3: usize,
    pub top10: usize,
    pub top10_share: f64,
    pub target_top10_share: f64,
    /// Median rank (lower median); `None` when it lies below
    /// [`LOOK_DOWN_TO`].
    pub median_rank: Option<usize>,
    pub cases: Vec<QualityCase>,
}

impl QualityReport {
    fn new(
        seed: u64,
        anchor: chrono::DateTime<chrono::Utc>,
        options: &QualityOptions,
        planted: usize,
        cases: Vec<QualityCase>,
    ) -> Self {
        let picked = cases.len();
        let count = |k: usize| cases.iter().filter(|c| c.in_top(k)).count();
        let (top1, top3, top10) = (count(1), count(3), count(TOP as usize));
        let mut ranks: Vec<usize> = cases.iter().map(|c| c.rank.unwrap_or(usize::MAX)).collect();
        ranks.sort_unstable();
        let median_rank = ranks
            .get(picked.saturating_sub(1) / 2)
            .copied()
            .filter(|r| *r != usize::MAX);
        QualityReport {
            seed,
            anchor,
            suppliers: options.suppliers,
            planted,
            tenders_imported: if options.all_tenders {
                options.tenders
            } else {
                options.sample.min(options.tenders as usize) as u64
            },
            sampled: options.sample.min(options.tenders as usize),
            picked,
            top1,
            top3,
            top10,
            top10_share: top10 as f64 / picked.max(1) as f64,
            target_top10_share: TARGET_TOP10_SHARE,
            median_rank,
            cases,
        }
    }
}

/// The principal of a demo buyer's clerk.
fn buyer_principal(parties: &DemoParties, generator: &DemoGenerator, buyer: usize) -> Principal {
    let (org_id, user_id) = parties.buyers[buyer];
    let kind = generator
        .buyers()
        .get(buyer)
        .and_then(|b| OrgKind::parse(b.kind.as_str()).ok())
        .unwrap_or(OrgKind::PublicBody);
    Principal {
        user_id,
        platform_role: PlatformRole::User,
        suspended: false,
        membership: Some(Membership {
            org_id,
            kind,
            approval: Approval::Approved,
            role: OrgRole::Admin,
        }),
    }
}

impl Services {
    /// Seeds this (empty) store with demo data, builds its search index
    /// (the services must have one) and measures: for each sampled tender,
    /// the rank of the expert's pick among the おすすめ企業 of
    /// [`Self::recommended_suppliers`], asked as the tender's buyer.
    /// `progress` gets a line of what is being done.
    pub async fn measure_recommendation_quality(
        &self,
        generator: &DemoGenerator,
        options: QualityOptions,
        mut progress: impl FnMut(String),
    ) -> ServiceResult<QualityReport> {
        if self.search.is_none() {
            return Err(ServiceError::Internal(
                "measuring recommendations needs a search index".into(),
            ));
        }
        let n = options.suppliers;
        progress(format!("importing {n} demo suppliers"));
        self.import_demo_suppliers(generator, 0, n, |_, _| {})
            .await?;
        let parties = self.demo_parties(generator).await?;
        let anchor = self.clock.now();
        let buyers = parties.buyers.len();

        let sample = generator.expert_sample(options.tenders, options.sample);
        let sampled: Vec<DemoTender> = sample
            .iter()
            .map(|&i| generator.tender(i, buyers, anchor))
            .collect();
        progress(format!(
            "the expert picks suppliers for {} sampled tenders",
            sampled.len()
        ));
        let picks = generator.expert_picks(n, &sampled);
        let mut planted: Vec<u64> = picks
            .iter()
            .filter(|p| p.planted)
            .map(|p| p.supplier)
            .collect();
        planted.sort_unstable();
        planted.dedup();
        if !planted.is_empty() {
            progress(format!(
                "importing {} planted suppliers (generated past the population)",
                planted.len()
            ));
            let batch: Vec<_> = planted
                .iter()
                .map(|&i| company_import(&generator.supplier(i)))
                .collect();
            self.storage
                .import_companies(&batch, self.clock.now())
                .await?;
        }

        // Tenders, in index order, so the k-th imported gets the k-th id.
        let files = self.store_demo_files().await?;
        let order: Vec<u64> = if options.all_tenders {
            (0..options.tenders).collect()
        } else {
            sample.clone()
        };
        progress(format!("importing {} demo tenders", order.len()));
        for chunk in order.chunks(TENDER_BATCH as usize) {
            let batch: Vec<TenderImport> = chunk
                .iter()
                .map(|&i| tender_import(generator.tender(i, buyers, anchor), &parties, &files))
                .collect();
            self.storage.import_tenders(&batch).await?;
        }
        self.storage.analyze().await?;
        let ids = self.imported_tender_ids(&parties, order.len()).await?;
        let id_of: HashMap<u64, TenderId> = order.iter().copied().zip(ids).collect();

        progress("indexing suppliers and tenders".into());
        self.rebuild_search_index(ReindexScope::All, |_| {}).await?;
        let orgs = self.supplier_orgs().await?;

        progress(format!(
            "asking おすすめ企業 for {} tenders as their buyers",
            picks.len()
        ));
        let by_index: HashMap<u64, &DemoTender> = sampled.iter().map(|t| (t.index, t)).collect();
        let candidates = self.matching_candidates().await?;
        let total = picks.len();
        let mut cases = Vec::with_capacity(total);
        for pick in picks {
            if cases.len() % 25 == 0 && !cases.is_empty() {
                progress(format!("  {}/{total} tenders", cases.len()));
            }
            let t = by_index[&pick.tender];
            let tender_id = *id_of.get(&pick.tender).ok_or_else(|| {
                ServiceError::Internal(format!("tender #{} was not imported", pick.tender))
            })?;
            let stored = self
                .storage
                .tender(tender_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            if stored.content.title != t.content.title {
                return Err(ServiceError::Internal(format!(
                    "tender #{} is not id {tender_id}: {} ≠ {}",
                    pick.tender, stored.content.title, t.content.title
                )));
            }
            let corporate = generator.supplier(pick.supplier).corporate_number;
            let &(supplier_org, ref supplier_name) = orgs.get(&corporate).ok_or_else(|| {
                ServiceError::Internal(format!("supplier #{} was not imported", pick.supplier))
            })?;
            let principal = buyer_principal(&parties, generator, t.buyer);
            let mut found = self
                .recommended_suppliers(&principal, tender_id, TOP)
                .await?;
            let mut rank = found.iter().position(|r| r.org_id == supplier_org);
            if rank.is_none() {
                found = self
                    .recommended_suppliers(&principal, tender_id, LOOK_DOWN_TO)
                    .await?;
                rank = found.iter().position(|r| r.org_id == supplier_org);
            }
            // The pick's own score, wherever it ranks: the same rules and
            // inputs as the service's.
            let relevance = candidates
                .relevance_vector(&self.company_relevance(tender_text(&stored.content)).await);
            let own = candidates
                .suppliers
                .binary_search_by_key(&supplier_org, |c| c.id)
                .ok()
                .and_then(|i| {
                    score(
                        &TenderProfile::from(&stored.content),
                        &candidates.suppliers[i].profile,
                        relevance[i],
                    )
                });
            let above = if rank.is_some_and(|r| r < TOP as usize) {
                Vec::new()
            } else {
                found
                    .iter()
                    .take(3)
                    .enumerate()
                    .map(|(k, r)| Above {
                        rank: k + 1,
                        name: r.name.clone(),
                        points: r.points,
                        reasons: r.reasons.iter().map(|v| v.code).collect(),
                    })
                    .collect()
            };
            cases.push(QualityCase {
                tender_id,
                title: t.content.title.clone(),
                buyer: stored.buyer_name.clone(),
                supplier_org,
                supplier_name: supplier_name.clone(),
                rank: rank.map(|r| r + 1),
                points: own.as_ref().map(|m| m.points),
                reasons: own
                    .map(|m| m.reasons.iter().map(ReasonView::from).collect())
                    .unwrap_or_default(),
                above,
                pick,
            });
        }
        Ok(QualityReport::new(
            generator.seed(),
            anchor,
            &options,
            planted.len(),
            cases,
        ))
    }

    /// The ids of the demo buyers' tenders, ascending: the order they were
    /// imported in (one importer, so ids grow with it). Checks the count.
    async fn imported_tender_ids(
        &self,
        parties: &DemoParties,
        expected: usize,
    ) -> ServiceResult<Vec<TenderId>> {
        let mut ids = Vec::with_capacity(expected);
        for &(org, _) in &parties.buyers {
            let mut offset = 0;
            loop {
                let page = self
                    .storage
                    .buyer_tenders(org, Paging { offset, limit: 200 })
                    .await?;
                offset += page.items.len() as u64;
                ids.extend(page.items.iter().map(|t| t.id));
                if page.items.is_empty() || offset >= page.total {
                    break;
                }
            }
        }
        ids.sort_unstable();
        if ids.len() != expected {
            return Err(ServiceError::Internal(format!(
                "expected {expected} demo tenders in a fresh store, found {}",
                ids.len()
            )));
        }
        Ok(ids)
    }

    /// Every supplier by 法人番号: its organisation and name.
    async fn supplier_orgs(
        &self,
    ) -> ServiceResult<HashMap<musubi_domain::CorporateNumber, (OrgId, String)>> {
        let mut found = HashMap::new();
        let mut after = 0;
        loop {
            let page = self.storage.company_profiles_after(after, 1_000).await?;
            let Some(last) = page.last() else { break };
            after = last.organization.id;
            for p in page {
                if let Some(number) = p.organization.corporate_number {
                    found.insert(number, (p.organization.id, p.organization.name));
                }
            }
        }
        Ok(found)
    }
}
