//! `musubi bench alerts`: saved-search alerts at scale, in memory.
//!
//! N saved searches (default 100,000) made the way people make them — one
//! or two words cut from real demo tender titles, half of them with a
//! prefecture, some with a category or a kind, half "open only" — against M
//! newly published demo tenders (default 1,000). Times
//!
//! - parsing every saved search into a percolator (what the alert job does
//!   when a saved search changed; otherwise it keeps them);
//! - each tender against every saved search (`Percolator`, what the alert
//!   job does per publication): p50/p99 per tender, hits per tender;
//! - the baseline: the same searches through a search index holding the
//!   tender (one query per saved search), for a sample of tenders — and the
//!   hits of both must be the same.

use std::time::Instant;

use anyhow::{Result, bail};
use chrono::Utc;
use musubi_app::demo::DemoGenerator;
use musubi_app::search::SearchIndex;
use musubi_domain::tender::{Category, TenderKind};
use musubi_search::{PercolateDoc, Percolator, TenderDoc, TenderSearch};
use serde_json::json;

use super::bench::percentile;

/// Tenders whose hits are checked against the index (each costs N queries).
const BASELINE_TENDERS: usize = 5;

pub struct Args {
    pub saved_searches: usize,
    pub tenders: usize,
    pub seed: u64,
    pub json: bool,
}

/// A small deterministic generator (the bench must not depend on `rand`'s
/// version for its workload).
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn doc_of(t: &musubi_app::demo::DemoTender, buyer: &str) -> TenderDoc {
    let c = &t.content;
    let prefecture = c.place.prefecture();
    TenderDoc {
        id: t.index as i64 + 1,
        title: c.title.clone(),
        summary: c.summary.clone(),
        buyer_id: t.buyer as i64 + 1,
        buyer_name: buyer.to_owned(),
        kind: c.kind.code().into(),
        category: c.category.code().into(),
        method: c.method.code().into(),
        status: "published".into(),
        prefecture: prefecture.map(|p| p.code().into()),
        region: prefecture.map(|p| p.region().code().into()),
        jsic: musubi_app::search::jsic_with_ancestors(&c.jsic),
        grades: c
            .eligibility
            .grades
            .iter()
            .map(|g| g.code().into())
            .collect(),
        published_at: Utc::now(),
        submission_closes_at: c.schedule.submission_closes_at,
        opening_at: c.schedule.opening_at,
        reserve_price: None,
        amended: false,
        award: None,
    }
}

/// A search a person might save: words cut from a tender title, filters.
fn saved_search(mix: &mut Mix, titles: &[Vec<char>]) -> TenderSearch {
    let two = mix.below(4) == 0;
    let mut word = || loop {
        let t = &titles[mix.below(titles.len())];
        let len = 2 + mix.below(3);
        if t.len() <= len {
            continue;
        }
        let at = mix.below(t.len() - len);
        let w: String = t[at..at + len].iter().collect();
        // Words, not fragments with brackets or spaces.
        if w.chars().all(|c| c.is_alphanumeric()) {
            return w;
        }
    };
    let q = if two {
        format!("{} {}", word(), word())
    } else {
        word()
    };
    let mut s = TenderSearch {
        q,
        ..Default::default()
    };
    if mix.below(2) == 0 {
        s.prefectures = vec![format!("{:02}", 1 + mix.below(47))];
    }
    if mix.below(5) == 0 {
        s.categories = vec![Category::ALL[mix.below(Category::ALL.len())].code().into()];
    }
    if mix.below(10) == 0 {
        s.kinds = vec![
            TenderKind::ALL[mix.below(TenderKind::ALL.len())]
                .code()
                .into(),
        ];
    }
    if mix.below(2) == 0 {
        s.statuses = vec!["published".into(), "tendering".into()];
    }
    s
}

pub async fn run(args: Args) -> Result<()> {
    if args.saved_searches == 0 || args.tenders == 0 {
        bail!("--saved-searches and --tenders must be at least 1");
    }
    let json = args.json;
    let say = |line: String| {
        if !json {
            eprintln!("{line}");
        }
    };
    let generator = DemoGenerator::new(args.seed);
    let buyers = generator.buyers();
    let now = Utc::now();
    say(format!("generating {} demo tenders", args.tenders));
    let docs: Vec<TenderDoc> = (0..args.tenders as u64)
        .map(|i| {
            let t = generator.tender(i, buyers.len(), now);
            doc_of(&t, &buyers[t.buyer].name)
        })
        .collect();
    // Words come from other tenders than the ones published.
    let titles: Vec<Vec<char>> = (0..2_000u64)
        .map(|i| {
            generator
                .tender(1_000_000 + i, buyers.len(), now)
                .content
                .title
                .chars()
                .collect()
        })
        .collect();
    let mut mix = Mix(args.seed);
    say(format!("making {} saved searches", args.saved_searches));
    let searches: Vec<serde_json::Value> = (0..args.saved_searches)
        .map(|_| serde_json::to_value(saved_search(&mut mix, &titles)).expect("serialises"))
        .collect();

    // Parsing, as the alert job's cache fill does (from the stored JSON).
    let started = Instant::now();
    let percolators: Vec<Percolator> = searches
        .iter()
        .map(|v| Percolator::new(serde_json::from_value(v.clone()).expect("round-trips")))
        .collect::<Result<_, _>>()?;
    let parse_ms = started.elapsed().as_secs_f64() * 1000.0;
    say(format!(
        "parsed {} saved searches in {parse_ms:.0} ms",
        percolators.len()
    ));

    // Each tender against every saved search.
    let mut per_tender = Vec::with_capacity(docs.len());
    let mut hits_total = 0usize;
    let mut hits_of = Vec::with_capacity(BASELINE_TENDERS);
    let mut last = Instant::now();
    for (n, d) in docs.iter().enumerate() {
        let started = Instant::now();
        let doc = PercolateDoc::new(d);
        let hits: Vec<usize> = percolators
            .iter()
            .enumerate()
            .filter(|(_, p)| p.matches(&doc))
            .map(|(i, _)| i)
            .collect();
        per_tender.push(started.elapsed().as_secs_f64() * 1000.0);
        hits_total += hits.len();
        if n < BASELINE_TENDERS {
            hits_of.push(hits);
        }
        if !json && last.elapsed().as_secs() >= 2 {
            last = Instant::now();
            eprint!("\r  {}/{} tenders   ", n + 1, docs.len());
        }
    }
    per_tender.sort_by(f64::total_cmp);
    let (p50, p99) = (percentile(&per_tender, 50.0), percentile(&per_tender, 99.0));
    say(format!(
        "\rpercolation: p50 {p50:.1} ms, p99 {p99:.1} ms per tender; {:.1} alerts per tender",
        hits_total as f64 / docs.len() as f64
    ));

    // Baseline: each search as an index query over an index of the tender.
    say(format!(
        "baseline: {} searches through an index, for {BASELINE_TENDERS} tenders",
        percolators.len()
    ));
    let mut baseline = Vec::new();
    for (d, want) in docs.iter().zip(&hits_of) {
        let index = SearchIndex::in_memory()?;
        index.upsert_tenders(std::slice::from_ref(d))?;
        index.commit()?;
        let started = Instant::now();
        let mut got = Vec::new();
        for (i, p) in percolators.iter().enumerate() {
            if !index.matching_tender_ids(p.search())?.is_empty() {
                got.push(i);
            }
        }
        baseline.push(started.elapsed().as_secs_f64() * 1000.0);
        if &got != want {
            bail!(
                "tender {}: the index finds {} saved searches, percolation {}",
                d.id,
                got.len(),
                want.len()
            );
        }
    }
    baseline.sort_by(f64::total_cmp);
    let base_p50 = percentile(&baseline, 50.0);
    let ratio = base_p50 / p50.max(1e-9);
    if json {
        println!(
            "{}",
            json!({
                "saved_searches": percolators.len(),
                "tenders": docs.len(),
                "parse_ms": parse_ms,
                "percolate_p50_ms": p50,
                "percolate_p99_ms": p99,
                "alerts_per_tender": hits_total as f64 / docs.len() as f64,
                "index_baseline_p50_ms": base_p50,
                "speed_up": ratio,
                "hits_equal": true,
            })
        );
    } else {
        println!(
            "saved-search alerts: {} saved searches, {} new tenders\n\
             \x20 parse all (after a change)      {parse_ms:>9.0} ms\n\
             \x20 one tender against all: p50     {p50:>9.1} ms   p99 {p99:.1} ms\n\
             \x20 baseline (index query each): p50 {base_p50:>8.0} ms   ({BASELINE_TENDERS} tenders; same hits)\n\
             \x20 speed-up                         {ratio:>8.0}×",
            percolators.len(),
            docs.len()
        );
    }
    Ok(())
}
