//! Search: the full-text index fed from the outbox, the documents it holds,
//! its rebuild, and the searches the web layer runs.
//!
//! The index is derived state. A change that alters what is searchable
//! queues a `search.tender` or `search.company` job (payload `{"id": …}`) in
//! its own transaction; the job reads the *current* row and upserts (or
//! deletes) the document, then commits the index. So order does not matter
//! and a repeated or reordered job is harmless: the last run reads the last
//! write. Index writes hold one lock across the database read and the index
//! commit, so an older read never overwrites a newer one within the process.
//!
//! The jobs carry a coalescing key (`search.tender:<id>`): while one job for
//! a tender waits to be claimed, further changes queue nothing; once it is
//! claimed the key is free, so a change it may not have seen queues a new
//! job. (A plain dedupe key would be held by the done job too and block
//! every later update.)
//!
//! One process owns the index (tantivy's writer lock): `serve`. Its worker
//! claims the `search.*` jobs; `musubi worker` processes leave them alone
//! ([`KindFilter`]), so none is failed for want of the index.
//!
//! Documents hold public data only: drafts are never indexed, the
//! 最低制限価格 never, the 予定価格 only when it is public, and of the
//! bidding only the confirmed award (落札者決定), which `confirm_award`
//! writes with its `search.tender` job. The award carries the winner's name
//! and 法人番号, so a supplier's `search.company` job also re-indexes the
//! tenders it won (found in the index itself).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use musubi_domain::tender::TenderStatus;
use musubi_domain::{JsicCode, OrgKind};
pub use musubi_search::{
    AWARDED, AwardDoc, AwardHit, AwardTender, CompanyDoc, CompanyHit, CompanySearch, FacetCount,
    Facets, QueryError, SearchError, SearchIndex, SearchPage, Sort, TenderDoc, TenderHit,
    TenderSearch,
};
use musubi_storage::{
    Award, ClaimedJob, CompanyProfile, DirectoryQuery, KindFilter, NewJob, OrgId, Paging, Tender,
    TenderId, TenderQuery,
};
use serde_json::json;

use crate::Services;
use crate::error::{ServiceError, ServiceResult};
use crate::jobs::{JobError, JobHandler, JobOutput, Registry};

/// Indexes one tender: payload `{"id": tender id}`.
pub const TENDER_JOB: &str = "search.tender";
/// Indexes one organisation: payload `{"id": organisation id}`. A supplier's
/// directory entry, or — for a buyer, whose name every tender document
/// carries — all of its tenders.
pub const COMPANY_JOB: &str = "search.company";
/// Rebuilds the index in the process that owns it: payload `{"only": null |
/// "tenders" | "companies"}` (`musubi reindex --queue`).
pub const REINDEX_JOB: &str = "search.reindex";
/// What every search job's kind starts with.
pub const JOB_PREFIX: &str = "search.";

/// Most hits one search returns.
pub const MAX_LIMIT: usize = 100;
/// Rows read from the database and written to the index at a time.
const BATCH: u32 = 1_000;

/// The kinds a worker without the index claims: everything but search jobs.
pub fn jobs_without_index() -> KindFilter {
    KindFilter::Except(JOB_PREFIX.to_owned())
}

/// The kinds only the index owner runs (a `serve --no-worker` still runs these).
pub fn index_jobs() -> KindFilter {
    KindFilter::Only(JOB_PREFIX.to_owned())
}

/// The job that brings tender `id`'s document up to date.
pub fn tender_job(id: TenderId) -> NewJob {
    NewJob::new(TENDER_JOB, json!({ "id": id })).coalesce_key(format!("{TENDER_JOB}:{id}"))
}

/// The job that brings organisation `id`'s documents up to date.
pub fn company_job(id: OrgId) -> NewJob {
    NewJob::new(COMPANY_JOB, json!({ "id": id })).coalesce_key(format!("{COMPANY_JOB}:{id}"))
}

/// The job that rebuilds the index where it lives.
pub fn reindex_job(scope: ReindexScope) -> NewJob {
    let only = match scope {
        ReindexScope::All => serde_json::Value::Null,
        s => json!(s.as_str()),
    };
    // A few attempts for passing trouble (the database, the writer lock held
    // by a `musubi reindex`); a rebuild that keeps failing is for a person.
    NewJob::new(REINDEX_JOB, json!({ "only": only }))
        .coalesce_key(format!("{REINDEX_JOB}:{}", scope.as_str()))
        .max_attempts(3)
}

/// The codes with every ancestor ("0911" → "E", "09", "091", "0911"),
/// sorted and without duplicates, so a search for a division finds all
/// below it.
pub fn jsic_with_ancestors(codes: &[JsicCode]) -> Vec<String> {
    let mut all: Vec<JsicCode> = Vec::with_capacity(codes.len() * 4);
    for code in codes {
        let mut c = Some(*code);
        while let Some(code) = c {
            all.push(code);
            c = code.parent();
        }
    }
    all.sort();
    all.dedup();
    all.iter().map(|c| c.as_str().to_owned()).collect()
}

/// A tender as the index holds it; `None` for a draft (never indexed).
/// No 最低制限価格; the 予定価格 only when published in advance or after
/// 開札 — what the public tender page shows. Without its award: see
/// [`award_doc`].
pub fn tender_doc(t: &Tender) -> Option<TenderDoc> {
    if !t.status.is_public() {
        return None;
    }
    let c = &t.content;
    let prefecture = c.place.prefecture();
    let mut grades: Vec<&str> = c.eligibility.grades.iter().map(|g| g.code()).collect();
    grades.sort_unstable();
    grades.dedup();
    Some(TenderDoc {
        id: t.id,
        title: c.title.clone(),
        summary: c.summary.clone(),
        buyer_id: t.buyer,
        buyer_name: t.buyer_name.clone(),
        kind: c.kind.code().to_owned(),
        category: c.category.code().to_owned(),
        method: c.method.code().to_owned(),
        status: t.status.code().to_owned(),
        prefecture: prefecture.map(|p| p.code().to_owned()),
        region: prefecture.map(|p| p.region().code().to_owned()),
        jsic: jsic_with_ancestors(&c.jsic),
        grades: grades.into_iter().map(str::to_owned).collect(),
        // Set at publication; a public tender without it is an import
        // that gave none, published as its schedule says.
        published_at: t.published_at.unwrap_or(c.schedule.publish_at),
        submission_closes_at: c.schedule.submission_closes_at,
        opening_at: c.schedule.opening_at,
        reserve_price: crate::tenders::public_reserve_price(c, t.status)
            .map(|p| p.amount().amount()),
        amended: t.is_amended(),
        award: None,
    })
}

/// A confirmed award as its tender's document carries it, with the
/// winner's 法人番号 if it has one.
pub fn award_doc(a: &Award, corporate_number: Option<&str>) -> AwardDoc {
    AwardDoc {
        winner_id: a.bidder,
        winner_name: a.bidder_name.clone(),
        winner_corporate_number: corporate_number.map(str::to_owned),
        amount_tax_exclusive: a.amount_tax_exclusive,
        amount_tax_inclusive: a.amount_tax_inclusive,
        awarded_at: a.decided_at,
    }
}

/// 法人番号 of organisations, looked up once each (winners win many
/// tenders; a rebuild would otherwise ask for the same one again and again).
#[derive(Default)]
struct CorporateNumbers(HashMap<OrgId, Option<String>>);

impl CorporateNumbers {
    async fn of(&mut self, services: &Services, org: OrgId) -> ServiceResult<Option<String>> {
        if let Some(n) = self.0.get(&org) {
            return Ok(n.clone());
        }
        let n = services
            .storage
            .organization(org)
            .await?
            .and_then(|o| o.corporate_number)
            .map(|n| n.as_str().to_owned());
        self.0.insert(org, n.clone());
        Ok(n)
    }
}

/// A supplier's capabilities and catalogue as one text: what its search
/// document holds, and what matching measures tenders against.
pub fn company_text(d: &musubi_storage::CompanyProfileData) -> String {
    let mut text = d.capabilities.clone();
    for item in &d.catalogue {
        text.push('\n');
        text.push_str(&item.title);
        text.push('\n');
        text.push_str(&item.description);
    }
    text
}

/// A supplier's directory entry as the index holds it.
pub fn company_doc(p: &CompanyProfile) -> CompanyDoc {
    let d = &p.data;
    CompanyDoc {
        id: p.organization.id,
        name: p.organization.name.clone(),
        name_kana: p.organization.name_kana.clone(),
        text: company_text(d),
        prefecture: d.prefecture.code().to_owned(),
        region: d.prefecture.region().code().to_owned(),
        jsic: jsic_with_ancestors(&d.jsic),
        grades: d
            .grades
            .iter()
            .map(|(category, grade)| format!("{}:{}", category.code(), grade.code()))
            .collect(),
        certifications: d
            .certifications
            .iter()
            .map(|c| c.code().to_owned())
            .collect(),
        updated_at: p.updated_at,
    }
}

/// What a rebuild covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReindexScope {
    /// Clear the index, then add every public tender and every supplier.
    #[default]
    All,
    /// Re-add every public tender (the companies are left as they are).
    Tenders,
    /// Re-add every supplier (the tenders are left as they are).
    Companies,
}

impl ReindexScope {
    pub fn as_str(self) -> &'static str {
        match self {
            ReindexScope::All => "all",
            ReindexScope::Tenders => "tenders",
            ReindexScope::Companies => "companies",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "all" => Some(ReindexScope::All),
            "tenders" => Some(ReindexScope::Tenders),
            "companies" => Some(ReindexScope::Companies),
            _ => None,
        }
    }

    fn tenders(self) -> bool {
        self != ReindexScope::Companies
    }

    fn companies(self) -> bool {
        self != ReindexScope::Tenders
    }
}

/// How far a rebuild has got (for a progress line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReindexProgress {
    /// "tenders" or "companies".
    pub what: &'static str,
    pub done: u64,
    /// As counted when the rebuild started (rows added meanwhile may push
    /// `done` past it).
    pub total: u64,
}

/// What a rebuild did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReindexReport {
    pub tenders: u64,
    /// Tenders indexed with their award.
    pub awards: u64,
    pub companies: u64,
    pub seconds: f64,
    /// Bytes the index takes on disk afterwards.
    pub index_bytes: u64,
}

impl ReindexReport {
    pub fn docs_per_second(&self) -> f64 {
        (self.tenders + self.companies) as f64 / self.seconds.max(1e-9)
    }
}

/// The index against the database: documents indexed and rows that should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexCheck {
    pub indexed_tenders: u64,
    pub indexed_companies: u64,
    /// Public tenders in the database.
    pub tenders: u64,
    /// Supplier profiles in the database.
    pub companies: u64,
}

impl IndexCheck {
    /// The database has searchable rows the index lacks altogether.
    pub fn index_is_empty(&self) -> bool {
        self.indexed_tenders == 0
            && self.indexed_companies == 0
            && (self.tenders > 0 || self.companies > 0)
    }

    /// The counts agree (the usual sign of an index in step).
    pub fn counts_match(&self) -> bool {
        self.indexed_tenders == self.tenders && self.indexed_companies == self.companies
    }
}

fn search_error(e: SearchError) -> ServiceError {
    match e {
        SearchError::Query(q) => ServiceError::Refused {
            status: 400,
            code: q.code(),
            message_ja: q.message_ja(),
            message_en: q.message_en(),
        },
        SearchError::Index(m) => ServiceError::Internal(format!("search index: {m}")),
    }
}

/// Runs blocking index work (searches, writes, commits) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SearchError> + Send + 'static,
) -> ServiceResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServiceError::Internal(format!("search task: {e}")))?
        .map_err(search_error)
}

/// A batch being written to the index on a blocking thread.
struct Writing {
    docs: u64,
    task: tokio::task::JoinHandle<Result<(), SearchError>>,
}

impl Writing {
    fn start(docs: usize, f: impl FnOnce() -> Result<(), SearchError> + Send + 'static) -> Self {
        Writing {
            docs: docs as u64,
            task: tokio::task::spawn_blocking(f),
        }
    }

    /// Waits for the batch; how many documents it wrote.
    async fn finish(self) -> ServiceResult<u64> {
        self.task
            .await
            .map_err(|e| ServiceError::Internal(format!("search task: {e}")))?
            .map_err(search_error)?;
        Ok(self.docs)
    }
}

impl Services {
    /// Whether this process can search (it owns the index).
    pub fn search_available(&self) -> bool {
        self.search.is_some()
    }

    pub(crate) fn search_index(&self) -> ServiceResult<Arc<SearchIndex>> {
        self.search.clone().ok_or_else(|| {
            ServiceError::refused(
                503,
                "search_unavailable",
                "検索は現在ご利用いただけません。しばらくしてから、もう一度お試しください。",
                "Search is not available right now. Please try again later.",
            )
        })
    }

    /// Public tenders matching `search`: hits, the exact total and facets.
    /// A query that cannot be parsed is a 400 with the query error's code
    /// and message; without an index, a 503 `search_unavailable`.
    pub async fn search_tenders(
        &self,
        search: &TenderSearch,
    ) -> ServiceResult<SearchPage<TenderHit>> {
        let index = self.search_index()?;
        let mut search = search.clone();
        search.limit = search.limit.min(MAX_LIMIT);
        blocking(move || index.search_tenders(&search)).await
    }

    /// Suppliers matching `search` (same errors as [`Self::search_tenders`]).
    pub async fn search_companies(
        &self,
        search: &CompanySearch,
    ) -> ServiceResult<SearchPage<CompanyHit>> {
        let index = self.search_index()?;
        let mut search = search.clone();
        search.limit = search.limit.min(MAX_LIMIT);
        blocking(move || index.search_companies(&search)).await
    }

    /// Brings tender `id`'s document in line with the database: upserted
    /// when public, deleted otherwise (a draft, or gone). Returns whether a
    /// document is now indexed.
    pub async fn index_tender(&self, id: TenderId) -> ServiceResult<bool> {
        let index = self.search_index()?;
        let _writes = self.search_writes.lock().await;
        let doc = match self.storage.tender(id).await? {
            Some(t) => {
                self.document_of(&t, &mut CorporateNumbers::default())
                    .await?
            }
            None => None,
        };
        let indexed = doc.is_some();
        blocking(move || {
            match doc {
                Some(doc) => index.upsert_tenders(&[doc])?,
                None => index.delete_tender(id)?,
            }
            index.commit()
        })
        .await?;
        Ok(indexed)
    }

    /// A tender's document with its award (only an awarded tender has one).
    async fn document_of(
        &self,
        t: &Tender,
        numbers: &mut CorporateNumbers,
    ) -> ServiceResult<Option<TenderDoc>> {
        let Some(mut doc) = tender_doc(t) else {
            return Ok(None);
        };
        if t.status == TenderStatus::Awarded
            && let Some(a) = self.storage.award(t.id).await?
        {
            let number = numbers.of(self, a.bidder).await?;
            doc.award = Some(award_doc(&a, number.as_deref()));
        }
        Ok(Some(doc))
    }

    /// Re-reads tenders `ids` from the database into the index (not
    /// committed).
    async fn reindex_tenders(
        &self,
        index: &Arc<SearchIndex>,
        ids: &[TenderId],
    ) -> ServiceResult<()> {
        let mut numbers = CorporateNumbers::default();
        for chunk in ids.chunks(BATCH as usize) {
            let mut docs = Vec::with_capacity(chunk.len());
            let mut gone = Vec::new();
            for &id in chunk {
                let doc = match self.storage.tender(id).await? {
                    Some(t) => self.document_of(&t, &mut numbers).await?,
                    None => None,
                };
                match doc {
                    Some(d) => docs.push(d),
                    None => gone.push(id),
                }
            }
            let index = Arc::clone(index);
            blocking(move || {
                index.upsert_tenders(&docs)?;
                gone.into_iter().try_for_each(|id| index.delete_tender(id))
            })
            .await?;
        }
        Ok(())
    }

    /// Brings organisation `id`'s documents in line with the database: a
    /// supplier's entry (deleted if it has no profile) and the tenders it
    /// won (their awards carry its name and 法人番号), or every public
    /// tender of a buyer (their documents carry its name).
    pub async fn index_organization(&self, id: OrgId) -> ServiceResult<()> {
        let index = self.search_index()?;
        let _writes = self.search_writes.lock().await;
        let Some(org) = self.storage.organization(id).await? else {
            return blocking(move || {
                index.delete_company(id)?;
                index.commit()
            })
            .await;
        };
        if org.kind == OrgKind::Supplier {
            let doc = self
                .storage
                .company_profile(id)
                .await?
                .as_ref()
                .map(company_doc);
            let won = {
                let index = Arc::clone(&index);
                blocking(move || {
                    index.matching_tender_ids(&TenderSearch {
                        awarded: true,
                        winner: Some(id),
                        ..TenderSearch::default()
                    })
                })
                .await?
            };
            self.reindex_tenders(&index, &won).await?;
            return blocking(move || {
                match doc {
                    Some(doc) => index.upsert_companies(&[doc])?,
                    None => index.delete_company(id)?,
                }
                index.commit()
            })
            .await;
        }
        let mut offset = 0;
        loop {
            let page = self
                .storage
                .list_tenders(&TenderQuery {
                    buyer: Some(id),
                    paging: Paging {
                        offset,
                        limit: BATCH,
                    },
                    without_total: true,
                    ..TenderQuery::default()
                })
                .await?;
            let ids: Vec<TenderId> = page.items.iter().map(|t| t.id).collect();
            self.reindex_tenders(&index, &ids).await?;
            if page.items.len() < BATCH as usize {
                break;
            }
            offset += u64::from(BATCH);
        }
        blocking(move || index.commit()).await
    }

    /// Counts in the index against the database (cheap: two counts).
    pub async fn check_search_index(&self) -> ServiceResult<IndexCheck> {
        let index = self.search_index()?;
        let (indexed_tenders, indexed_companies) = blocking(move || index.counts()).await?;
        let (tenders, companies) = self.searchable_counts().await?;
        Ok(IndexCheck {
            indexed_tenders,
            indexed_companies,
            tenders,
            companies,
        })
    }

    /// Public tenders and supplier profiles in the database.
    async fn searchable_counts(&self) -> ServiceResult<(u64, u64)> {
        let tenders = self
            .storage
            .list_tenders(&TenderQuery {
                paging: Paging {
                    offset: 0,
                    limit: 1,
                },
                ..TenderQuery::default()
            })
            .await?
            .total;
        let companies = self
            .storage
            .directory(&DirectoryQuery {
                limit: 1,
                ..DirectoryQuery::default()
            })
            .await?
            .total;
        Ok((tenders, companies))
    }

    /// Rebuilds the index from the database: clears it (for
    /// [`ReindexScope::All`]), then streams public tenders and supplier
    /// profiles in id order, in batches, and commits once at the end — so
    /// searches see the old index until the new one is whole. Index jobs of
    /// this process wait meanwhile (they run after, against current rows).
    pub async fn rebuild_search_index(
        &self,
        scope: ReindexScope,
        mut progress: impl FnMut(ReindexProgress) + Send,
    ) -> ServiceResult<ReindexReport> {
        let index = self.search_index()?;
        let _writes = self.search_writes.lock().await;
        let started = Instant::now();
        let (tender_total, company_total) = self.searchable_counts().await?;
        if scope == ReindexScope::All {
            let index = Arc::clone(&index);
            blocking(move || index.clear()).await?;
        }
        // Each batch is written to the index while the next one is read
        // from the database.
        let mut tenders = 0;
        let mut awards = 0;
        if scope.tenders() {
            let mut after = 0;
            let mut writing: Option<Writing> = None;
            let mut numbers = CorporateNumbers::default();
            loop {
                let batch = self.storage.public_tenders_after(after, BATCH).await?;
                if let Some(w) = writing.take() {
                    tenders += w.finish().await?;
                    progress(ReindexProgress {
                        what: "tenders",
                        done: tenders,
                        total: tender_total,
                    });
                }
                let Some(last) = batch.last() else { break };
                let docs = self.with_awards(&batch, after, &mut numbers).await?;
                awards += docs.iter().filter(|d| d.award.is_some()).count() as u64;
                after = last.id;
                let index = Arc::clone(&index);
                writing = Some(Writing::start(docs.len(), move || {
                    index.upsert_tenders(&docs)
                }));
            }
        }
        let mut companies = 0;
        if scope.companies() {
            let mut after = 0;
            let mut writing: Option<Writing> = None;
            loop {
                let batch = self.storage.company_profiles_after(after, BATCH).await?;
                if let Some(w) = writing.take() {
                    companies += w.finish().await?;
                    progress(ReindexProgress {
                        what: "companies",
                        done: companies,
                        total: company_total,
                    });
                }
                let Some(last) = batch.last() else { break };
                after = last.organization.id;
                let docs: Vec<CompanyDoc> = batch.iter().map(company_doc).collect();
                let index = Arc::clone(&index);
                writing = Some(Writing::start(docs.len(), move || {
                    index.upsert_companies(&docs)
                }));
            }
        }
        let index_bytes = blocking(move || {
            index.commit()?;
            Ok(index.size_on_disk())
        })
        .await?;
        Ok(ReindexReport {
            tenders,
            awards,
            companies,
            seconds: started.elapsed().as_secs_f64(),
            index_bytes,
        })
    }

    /// The documents of a batch of tenders (ids after `after`, ascending),
    /// with their awards read in one query: the awards of the batch are
    /// among the first `batch.len()` after `after`.
    async fn with_awards(
        &self,
        batch: &[Tender],
        after: TenderId,
        numbers: &mut CorporateNumbers,
    ) -> ServiceResult<Vec<TenderDoc>> {
        let Some(last) = batch.last().map(|t| t.id) else {
            return Ok(Vec::new());
        };
        let limit = u32::try_from(batch.len()).unwrap_or(u32::MAX);
        let mut awards: HashMap<TenderId, Award> = HashMap::new();
        if batch.iter().any(|t| t.status == TenderStatus::Awarded) {
            for a in self.storage.awards_after(after, limit).await? {
                if a.tender_id <= last {
                    awards.insert(a.tender_id, a);
                }
            }
        }
        let mut docs = Vec::with_capacity(batch.len());
        for t in batch {
            let Some(mut doc) = tender_doc(t) else {
                continue;
            };
            if t.status == TenderStatus::Awarded
                && let Some(a) = awards.get(&t.id)
            {
                let number = numbers.of(self, a.bidder).await?;
                doc.award = Some(award_doc(a, number.as_deref()));
            }
            docs.push(doc);
        }
        Ok(docs)
    }
}

/// Runs the search jobs: registered only where the index lives (`serve`).
struct SearchJobs {
    kind: &'static str,
    services: Services,
}

fn payload_id(job: &ClaimedJob) -> Result<i64, JobError> {
    job.payload
        .get("id")
        .and_then(serde_json::Value::as_i64)
        .ok_or_else(|| {
            JobError::Permanent(format!("{} job without an id: {}", job.kind, job.payload))
        })
}

/// Storage or index trouble is worth another attempt; a missing index too
/// (a worker that has none should not have claimed the job).
fn retry(e: ServiceError) -> JobError {
    JobError::Retry(e.to_string())
}

#[async_trait]
impl JobHandler for SearchJobs {
    fn kind(&self) -> &'static str {
        self.kind
    }

    async fn run(&self, job: &ClaimedJob) -> Result<JobOutput, JobError> {
        match self.kind {
            TENDER_JOB => {
                self.services
                    .index_tender(payload_id(job)?)
                    .await
                    .map_err(retry)?;
            }
            COMPANY_JOB => {
                self.services
                    .index_organization(payload_id(job)?)
                    .await
                    .map_err(retry)?;
            }
            _ => {
                let scope = match job.payload.get("only").and_then(serde_json::Value::as_str) {
                    None => ReindexScope::All,
                    Some(s) => ReindexScope::parse(s).ok_or_else(|| {
                        JobError::Permanent(format!("unknown reindex scope {s:?}"))
                    })?,
                };
                // In a task of its own: a rebuild that outlives the job's
                // time limit still finishes (and commits) instead of being
                // cut off with the index cleared and half refilled.
                let services = self.services.clone();
                let r =
                    tokio::spawn(async move { services.rebuild_search_index(scope, |_| {}).await })
                        .await
                        .map_err(|e| JobError::Retry(format!("rebuild stopped: {e}")))?
                        .map_err(retry)?;
                tracing::info!(
                    tenders = r.tenders,
                    companies = r.companies,
                    seconds = r.seconds,
                    "search index rebuilt"
                );
            }
        }
        Ok(JobOutput::default())
    }
}

/// Registers the search jobs, run with `services` (which must carry the
/// index). Only the process that owns the index does this; the others
/// claim with [`jobs_without_index`].
pub fn register(registry: &mut Registry, services: &Services) {
    for kind in [TENDER_JOB, COMPANY_JOB, REINDEX_JOB] {
        registry.register(SearchJobs {
            kind,
            services: services.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsic_codes_carry_their_ancestors() {
        let codes = [
            JsicCode::parse("0911").unwrap(),
            JsicCode::parse("0912").unwrap(),
            JsicCode::parse("P").unwrap(),
        ];
        assert_eq!(
            jsic_with_ancestors(&codes),
            ["E", "09", "091", "0911", "0912", "P"]
        );
        assert!(jsic_with_ancestors(&[]).is_empty());
    }

    #[test]
    fn jobs_coalesce_per_record() {
        let a = tender_job(7);
        assert_eq!(a.kind, TENDER_JOB);
        assert_eq!(a.payload, json!({ "id": 7 }));
        assert_eq!(a.dedupe_key, tender_job(7).dedupe_key);
        assert_ne!(a.dedupe_key, tender_job(8).dedupe_key);
        assert_ne!(company_job(7).dedupe_key, a.dedupe_key);
        assert!(jobs_without_index().admits("mail.send"));
        assert!(!jobs_without_index().admits(TENDER_JOB));
        assert!(index_jobs().admits(COMPANY_JOB));
    }
}
