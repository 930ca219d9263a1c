//! Coordinators (コーディネーター): tenders shared to another region's
//! suppliers, suppliers recommended to a tender's buyer, introductions (紹介)
//! and their outcomes, and the KPIs that follow from them.
//!
//! Values arrive checked by the service (the note's length, the recipients'
//! eligibility, an introduction's move forward). Each write runs in one
//! transaction with its audit line and its notification events (which queue
//! their mail themselves).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use musubi_domain::Prefecture;
use musubi_domain::Region;
use musubi_domain::coordination::IntroductionStatus;
use musubi_domain::tender::TenderStatus;

use crate::{AuditEntry, NewEvent, OrgId, Page, Paging, Result, TenderId, UserId};

/// A share to write: the tender, the region, the note and its recipients.
#[derive(Debug, Clone, PartialEq)]
pub struct NewShare {
    pub coordinator: UserId,
    pub tender: TenderId,
    pub region: Region,
    pub note: String,
    /// Supplier organisations, best match first (at least one).
    pub recipients: Vec<OrgId>,
}

/// A tender shared with a region's suppliers.
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    pub id: i64,
    pub coordinator: UserId,
    pub coordinator_name: String,
    pub tender: TenderId,
    pub region: Region,
    pub note: String,
    pub recipients: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewRecommendation {
    pub coordinator: UserId,
    pub tender: TenderId,
    pub supplier: OrgId,
    /// The supplier's region.
    pub region: Region,
    pub note: String,
}

/// A supplier a coordinator recommended to a tender's buyer.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    pub id: i64,
    pub coordinator: UserId,
    pub coordinator_name: String,
    pub tender: TenderId,
    pub supplier: OrgId,
    pub supplier_name: String,
    pub region: Region,
    pub note: String,
    pub created_at: DateTime<Utc>,
    /// Whether the supplier has applied for (or bid on) the tender since.
    pub applied: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewIntroduction {
    pub coordinator: UserId,
    pub buyer: OrgId,
    pub supplier: OrgId,
    pub tender: Option<TenderId>,
    /// The supplier's region (`None`: no company profile yet).
    pub region: Option<Region>,
    pub note: String,
}

/// What came of an introduction, recorded by its coordinator.
#[derive(Debug, Clone, PartialEq)]
pub struct IntroductionOutcome {
    pub status: IntroductionStatus,
    pub meeting_on: Option<NaiveDate>,
    /// 受注金額（税抜）in yen; `Some` exactly when won.
    pub contract_amount: Option<i64>,
    pub outcome_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Introduction {
    pub id: i64,
    pub coordinator: UserId,
    pub coordinator_name: String,
    pub buyer: OrgId,
    pub buyer_name: String,
    pub supplier: OrgId,
    pub supplier_name: String,
    pub tender: Option<TenderId>,
    pub tender_title: Option<String>,
    pub region: Option<Region>,
    pub note: String,
    pub status: IntroductionStatus,
    pub meeting_on: Option<NaiveDate>,
    pub contract_amount: Option<i64>,
    pub outcome_note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A tender in a coordinator's area, for the dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaTender {
    pub id: TenderId,
    pub title: String,
    pub buyer_name: String,
    pub status: TenderStatus,
    pub prefecture: Option<Prefecture>,
    pub published_at: DateTime<Utc>,
    pub submission_closes_at: DateTime<Utc>,
}

/// What one coordinator (or one region) achieved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kpi {
    pub shares: i64,
    /// Suppliers the shares reached (one per share and supplier).
    pub recipients: i64,
    pub recommendations: i64,
    /// (tender, supplier) pairs shared or recommended whose supplier then
    /// applied for or bid on the tender.
    pub applications: i64,
    /// … and then won it.
    pub awards: i64,
    pub introductions: i64,
    /// Introductions with a 商談 recorded.
    pub meetings: i64,
    /// Introductions that ended in 受注.
    pub won: i64,
    /// Their contract amounts (税抜), yen.
    pub won_amount: i64,
}

/// KPIs of one coordinator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoordinatorKpi {
    pub coordinator: UserId,
    pub name: String,
    pub kpi: Kpi,
}

/// KPIs of one region (`None`: introductions of suppliers without a profile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionKpi {
    pub region: Option<Region>,
    pub kpi: Kpi,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoordinationKpis {
    /// By coordinator id.
    pub coordinators: Vec<CoordinatorKpi>,
    /// North to south, the unknown region last.
    pub regions: Vec<RegionKpi>,
}

#[async_trait]
pub trait CoordinationStore: Send + Sync {
    /// Records a share and its recipients, with `events` (one per
    /// recipient organisation) and the audit line.
    async fn create_share(
        &self,
        share: &NewShare,
        now: DateTime<Utc>,
        events: &[NewEvent],
        audit: AuditEntry,
    ) -> Result<i64>;
    /// A tender's shares, newest first.
    async fn tender_shares(&self, tender: TenderId) -> Result<Vec<Share>>;
    /// The suppliers of earlier shares of this tender (not sent twice).
    async fn shared_suppliers(&self, tender: TenderId) -> Result<Vec<OrgId>>;

    /// Records a recommendation with its events and audit line.
    /// `Conflict("already_recommended")` if that supplier was already
    /// recommended for the tender.
    async fn create_recommendation(
        &self,
        recommendation: &NewRecommendation,
        now: DateTime<Utc>,
        events: &[NewEvent],
        audit: AuditEntry,
    ) -> Result<i64>;
    /// A tender's recommendations, oldest first.
    async fn tender_recommendations(&self, tender: TenderId) -> Result<Vec<Recommendation>>;

    async fn create_introduction(
        &self,
        introduction: &NewIntroduction,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<i64>;
    /// Records an outcome if the status is still `expected`;
    /// `Conflict("stale_status")` otherwise, `NotFound` without it.
    async fn record_introduction_outcome(
        &self,
        id: i64,
        expected: IntroductionStatus,
        outcome: &IntroductionOutcome,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<()>;
    async fn introduction(&self, id: i64) -> Result<Option<Introduction>>;
    /// Introductions, newest first; of one coordinator or everyone's.
    async fn introductions(
        &self,
        coordinator: Option<UserId>,
        paging: Paging,
    ) -> Result<Page<Introduction>>;

    /// Public tenders of these prefectures (all: empty) published at or
    /// after `since`, newest first.
    async fn area_tenders(
        &self,
        prefectures: &[Prefecture],
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<AreaTender>>;

    /// The KPIs of everything recorded at or after `since` (all: `None`).
    async fn coordination_kpis(&self, since: Option<DateTime<Utc>>) -> Result<CoordinationKpis>;
}

/// Rows of the two KPI queries, merged per key. `touches` are (key, name,
/// shares, recipients, recommendations, applications, awards); `intros`
/// (key, name, introductions, meetings, won, won_amount).
pub(crate) fn merge_kpis<K: Ord + Clone>(
    touches: Vec<(K, String, [i64; 5])>,
    intros: Vec<(K, String, [i64; 4])>,
) -> Vec<(K, String, Kpi)> {
    let mut out: std::collections::BTreeMap<K, (String, Kpi)> = Default::default();
    for (k, name, [shares, recipients, recommendations, applications, awards]) in touches {
        let e = out.entry(k).or_insert_with(|| (name, Kpi::default()));
        e.1.shares += shares;
        e.1.recipients += recipients;
        e.1.recommendations += recommendations;
        e.1.applications += applications;
        e.1.awards += awards;
    }
    for (k, name, [introductions, meetings, won, won_amount]) in intros {
        let e = out.entry(k).or_insert_with(|| (name, Kpi::default()));
        e.1.introductions += introductions;
        e.1.meetings += meetings;
        e.1.won += won;
        e.1.won_amount += won_amount;
    }
    out.into_iter().map(|(k, (n, kpi))| (k, n, kpi)).collect()
}

/// Every coordinator, those with nothing yet too, for the KPIs.
pub(crate) const KPI_COORDINATORS_SQL: &str = "SELECT id, display_name FROM users
     WHERE platform_role = 'coordinator'
        OR id IN (SELECT coordinator_id FROM coordination_shares
                  UNION SELECT coordinator_id FROM coordination_recommendations
                  UNION SELECT coordinator_id FROM coordination_introductions)
     ORDER BY id";

/// Rows of one KPI query, keyed by its first column.
pub(crate) type KpiRows<K, const N: usize> = Vec<(K, String, [i64; N])>;

/// The KPIs from the rows of the four queries (by coordinator and by region,
/// touches and introductions) and every coordinator's name: what both
/// backends answer.
pub(crate) fn assemble_kpis(
    names: Vec<(i64, String)>,
    touches_by_coordinator: KpiRows<i64, 5>,
    intros_by_coordinator: KpiRows<i64, 4>,
    touches_by_region: KpiRows<Option<String>, 5>,
    intros_by_region: KpiRows<Option<String>, 4>,
) -> Result<CoordinationKpis> {
    let zero: KpiRows<i64, 5> = names
        .iter()
        .map(|(id, n)| (*id, n.clone(), [0; 5]))
        .collect();
    let mut merged = merge_kpis(
        zero.into_iter().chain(touches_by_coordinator).collect(),
        intros_by_coordinator,
    );
    for (id, name, _) in &mut merged {
        if let Some((_, n)) = names.iter().find(|(i, _)| i == id) {
            name.clone_from(n);
        }
    }
    Ok(CoordinationKpis {
        coordinators: merged
            .into_iter()
            .map(|(coordinator, name, kpi)| CoordinatorKpi {
                coordinator,
                name,
                kpi,
            })
            .collect(),
        regions: region_kpis(merge_kpis(touches_by_region, intros_by_region))?,
    })
}

/// Orders region keys north to south (unknown last) as the KPIs list them.
pub(crate) fn region_kpis(rows: Vec<(Option<String>, String, Kpi)>) -> Result<Vec<RegionKpi>> {
    let mut out = rows
        .into_iter()
        .map(|(code, _, kpi)| {
            let region = code
                .map(|c| {
                    Region::parse(&c).map_err(|e| crate::StorageError::Corrupt {
                        field: "coordination.region",
                        message: e.to_string(),
                    })
                })
                .transpose()?;
            Ok(RegionKpi { region, kpi })
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by_key(|r| (r.region.is_none(), r.region));
    Ok(out)
}

/// The shared SQL of the KPIs, with `{since}` placeholders for the period
/// filter each backend binds as its first parameter (`?1` / `$1`) and
/// `{key}` for the grouping column (`coordinator_id` or `region`).
///
/// A (tender, supplier) pair counts once per key from the first time it was
/// shared or recommended; it "applied" if an application (not a
/// nomination) or a bid by the supplier for the tender came at or after
/// that moment, and "won" if it applied so and won the tender.
pub(crate) const TOUCH_KPI_SQL: &str = "
WITH touches AS (
    SELECT s.coordinator_id, s.region, s.tender_id, r.supplier_id, s.created_at AS at
    FROM coordination_shares s
    JOIN coordination_share_recipients r ON r.share_id = s.id
    WHERE {since_s}
    UNION ALL
    SELECT coordinator_id, region, tender_id, supplier_id, created_at
    FROM coordination_recommendations
    WHERE {since_r}
),
firsts AS (
    SELECT {key} AS k, tender_id, supplier_id, MIN(at) AS at
    FROM touches GROUP BY {key}, tender_id, supplier_id
),
followed AS (
    SELECT f.k,
        CASE WHEN EXISTS (SELECT 1 FROM tender_applications a
                          WHERE a.tender_id = f.tender_id AND a.supplier_id = f.supplier_id
                            AND a.origin = 'application' AND a.created_at >= f.at)
               OR EXISTS (SELECT 1 FROM bids b
                          WHERE b.tender_id = f.tender_id AND b.bidder_org_id = f.supplier_id
                            AND b.received_at >= f.at)
             THEN 1 ELSE 0 END AS applied,
        CASE WHEN EXISTS (SELECT 1 FROM awards w
                          WHERE w.tender_id = f.tender_id AND w.bidder_org_id = f.supplier_id)
             THEN 1 ELSE 0 END AS won
    FROM firsts f
),
counts AS (
    SELECT {key} AS k,
        CAST(COUNT(DISTINCT CASE WHEN kind = 's' THEN id END) AS BIGINT) AS shares,
        CAST(SUM(CASE WHEN kind = 's' THEN n ELSE 0 END) AS BIGINT) AS recipients,
        CAST(SUM(CASE WHEN kind = 'r' THEN 1 ELSE 0 END) AS BIGINT) AS recommendations
    FROM (
        SELECT 's' AS kind, s.id, s.coordinator_id, s.region,
               (SELECT COUNT(*) FROM coordination_share_recipients r WHERE r.share_id = s.id) AS n
        FROM coordination_shares s WHERE {since_s}
        UNION ALL
        SELECT 'r', id, coordinator_id, region, 1 FROM coordination_recommendations WHERE {since_r}
    ) x
    GROUP BY {key}
),
results AS (
    SELECT k, CAST(SUM(applied) AS BIGINT) AS applications,
           CAST(SUM(applied * won) AS BIGINT) AS awards
    FROM followed GROUP BY k
)
SELECT c.k, c.shares, c.recipients, c.recommendations,
       COALESCE(r.applications, 0) AS applications, COALESCE(r.awards, 0) AS awards
FROM counts c LEFT JOIN results r ON r.k = c.k";

/// Introductions per `{key}` (`coordinator_id` or `region`).
pub(crate) const INTRO_KPI_SQL: &str = "
SELECT {key} AS k,
    CAST(COUNT(*) AS BIGINT) AS introductions,
    CAST(SUM(CASE WHEN meeting_on IS NOT NULL OR status = 'meeting_held' THEN 1 ELSE 0 END) AS BIGINT) AS meetings,
    CAST(SUM(CASE WHEN status = 'won' THEN 1 ELSE 0 END) AS BIGINT) AS won,
    CAST(COALESCE(SUM(contract_amount), 0) AS BIGINT) AS won_amount
FROM coordination_introductions i
WHERE {since_i}
GROUP BY {key}";

/// The KPI SQL for `key` with the period filter `since` (`?1`, `$1` …, or
/// `None`: everything).
pub(crate) fn kpi_sql(template: &str, key: &str, since: Option<&str>) -> String {
    let cond = |col: &str| match since {
        Some(p) => format!("{col} >= {p}"),
        None => "1 = 1".to_owned(),
    };
    template
        .replace("{key}", key)
        .replace("{since_s}", &cond("s.created_at"))
        .replace("{since_r}", &cond("created_at"))
        .replace("{since_i}", &cond("i.created_at"))
}
