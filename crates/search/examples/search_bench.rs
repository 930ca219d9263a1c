//! A rough benchmark: builds an index of synthetic Japanese tenders, then
//! times queries with facets.
//!
//! `cargo run --release -p musubi-search --example search_bench -- [tenders] [dir] [reuse] [query filter] [rounds]`
//!
//! Awarded tenders (a sixth) carry an award; `SEARCH_BENCH_AWARDS=0` leaves
//! the awards out and nothing else, to measure what they cost.
//!
//! The text is made of the Japanese string literals of the demo generator
//! (`crates/app/src/demo/tenders.rs`, read at run time), so it has the
//! length and the repetitiveness of demo tenders; without that file, of a
//! small word list.

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use musubi_search::{AwardDoc, SearchIndex, Sort, TenderDoc, TenderSearch};

const WORDS: &[&str] = &[
    "業務",
    "委託",
    "清掃",
    "庁舎",
    "警備",
    "印刷",
    "購入",
    "修繕",
    "工事",
    "設計",
    "保守",
    "点検",
    "システム",
    "開発",
    "運用",
    "支援",
    "調査",
    "研究",
    "給食",
    "配送",
    "消耗品",
    "事務用品",
    "パソコン",
    "機器",
    "賃貸借",
    "道路",
    "舗装",
    "橋梁",
    "補修",
    "下水道",
    "管渠",
    "更生",
    "学校",
    "体育館",
    "空調",
    "設備",
    "改修",
    "電気",
    "機械",
    "測量",
    "廃棄物",
    "収集",
    "運搬",
    "処理",
    "公園",
    "維持管理",
    "樹木",
    "剪定",
    "除草",
    "河川",
    "浚渫",
    "上水道",
    "配水管",
    "布設替",
    "消防",
    "車両",
    "救急",
    "医療",
    "検査",
    "試薬",
    "図書",
    "広報誌",
    "封筒",
    "名刺",
    "ポスター",
    "イベント",
    "企画",
    "運営",
    "翻訳",
    "通訳",
    "コンサルティング",
    "健康診断",
    "給与計算",
    "会計",
    "監査",
    "保険",
    "電力",
    "供給",
    "ガス",
    "燃料",
    "灯油",
    "重油",
    "制服",
    "作業服",
    "家具",
    "什器",
    "複合機",
    "LED",
    "ICT",
    "GIGA",
    "スクール",
    "端末",
    "ネットワーク",
    "構築",
    "クラウド",
    "サーバ",
    "ソフトウェア",
    "ライセンス",
    "単価契約",
    "長期継続契約",
    "一式",
    "市役所",
    "本庁舎",
    "支所",
    "地区",
    "センター",
    "総合",
    "公民館",
    "図書館",
    "病院",
    "ｼｽﾃﾑ",
    "ﾈｯﾄﾜｰｸ",
    "ＩＣＴ",
    "栓",
    "消火栓",
    "防災",
    "無線",
    "放送",
    "設置",
];
const GLUE: &[&str] = &[
    "の",
    "を",
    "に係る",
    "及び",
    "、",
    "。",
    "における",
    "等の",
    "に関する",
];
const KINDS: &[&str] = &["rfq", "sealed_bid", "proposal", "need"];
const CATEGORIES: &[&str] = &["goods", "works", "services"];
const METHODS: &[&str] = &["open", "selective", "selective_by_application", "direct"];
const STATUSES: &[&str] = &[
    "published",
    "tendering",
    "closed",
    "opened",
    "awarded",
    "cancelled",
];
const REGIONS: &[&str] = &[
    "hokkaido", "tohoku", "kanto", "chubu", "kinki", "chugoku", "shikoku", "kyushu",
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Skewed towards the first items (roughly Zipf).
    fn skewed<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        let a = self.below(items.len());
        let b = self.below(items.len());
        items[a.min(b).min(self.below(items.len()))]
    }
}

/// Japanese string literals of a Rust source file, placeholders removed.
fn literals(path: &str) -> Vec<String> {
    let Ok(src) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut chars = src.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut lit = String::new();
        while let Some(d) = chars.next() {
            match d {
                '\\' => {
                    if let Some(e) = chars.next() {
                        lit.push(if e == 'n' { '\n' } else { e });
                    }
                }
                '"' => break,
                d => lit.push(d),
            }
        }
        if lit.chars().any(|c| ('\u{3040}'..='\u{9fff}').contains(&c)) {
            out.push(lit);
        }
    }
    out
}

const PLACES: &[&str] = &[
    "本庁舎",
    "第二庁舎",
    "市民会館",
    "中央図書館",
    "市立病院",
    "総合体育館",
    "北部浄水場",
    "南支所",
    "文化センター",
    "保健センター",
    "駅前広場",
    "市民プール",
    "清掃工場",
    "給食センター",
    "消防本部",
];

/// Replaces `{placeholder}`s.
fn fill(rng: &mut Rng, pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut rest = pattern;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}') else { break };
        out.push_str(match &rest[i + 1..i + j] {
            "fy" => "令和8年度",
            "n" => ["2", "3", "5"][rng.below(3)],
            _ => PLACES[rng.below(PLACES.len())],
        });
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out
}

struct Corpus {
    titles: Vec<String>,
    sentences: Vec<String>,
}

impl Corpus {
    fn load() -> Corpus {
        let lits = literals(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../app/src/demo/tenders.rs"
        ));
        let (titles, sentences): (Vec<String>, Vec<String>) =
            lits.into_iter().partition(|l| l.starts_with("{fy}"));
        Corpus { titles, sentences }
    }

    fn title(&self, rng: &mut Rng) -> String {
        if self.titles.is_empty() {
            let n = 3 + rng.below(4);
            return format!("{}（令和{}年度）", words(rng, n), 6 + rng.below(3));
        }
        let t = &self.titles[rng.below(self.titles.len())];
        fill(rng, t)
    }

    fn summary(&self, rng: &mut Rng) -> String {
        if self.sentences.is_empty() {
            let n = 25 + rng.below(50);
            return words(rng, n);
        }
        let target = 300 + rng.below(600);
        let mut s = String::new();
        // A topic: sentences near each other in the source belong together.
        let topic = rng.below(self.sentences.len());
        while s.chars().count() < target {
            let i = if rng.below(2) == 0 {
                (topic + rng.below(40)) % self.sentences.len()
            } else {
                rng.below(self.sentences.len())
            };
            if rng.below(4) == 0 {
                s.push_str("\n■");
            } else if rng.below(3) == 0 {
                s.push_str("\n・");
            }
            s.push_str(&fill(rng, &self.sentences[i]));
        }
        s
    }
}

fn words(rng: &mut Rng, n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        if i > 0 && rng.below(3) == 0 {
            s.push_str(GLUE[rng.below(GLUE.len())]);
        }
        s.push_str(rng.skewed(WORDS));
    }
    s
}

fn tender(corpus: &Corpus, rng: &mut Rng, id: i64) -> TenderDoc {
    let base = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let published = base + Duration::minutes(rng.below(3 * 365 * 24 * 60) as i64);
    let pref = 1 + rng.below(47);
    let level = rng.below(4);
    let grades: Vec<String> = match rng.below(3) {
        0 => vec![],
        _ => vec![["A", "B", "C", "D"][rng.below(4)].to_string()],
    };
    let status = STATUSES[rng.below(STATUSES.len())];
    // Awarded tenders carry their award, as the application indexes them,
    // drawn from a generator of their own: the rest of the corpus is the
    // same with or without them.
    let with_awards = std::env::var("SEARCH_BENCH_AWARDS").map_or(true, |v| v != "0");
    let award = (with_awards && status == "awarded").then(|| {
        let rng = &mut Rng(0x9E37_79B9_7F4A_7C15 ^ (id as u64 + 1));
        let amount = 100_000 + rng.below(100_000_000) as i64;
        AwardDoc {
            winner_id: 10_000 + rng.below(20_000) as i64,
            winner_name: format!("株式会社{}", words(rng, 1)),
            winner_corporate_number: Some(format!("{:013}", 1_000_000_000_000 + id)),
            amount_tax_exclusive: Some(amount),
            amount_tax_inclusive: Some(amount * 11 / 10),
            awarded_at: published + Duration::days(45),
        }
    });
    TenderDoc {
        id,
        title: corpus.title(rng),
        summary: corpus.summary(rng),
        buyer_id: rng.below(2000) as i64,
        buyer_name: format!("{}市", words(rng, 1)),
        kind: KINDS[rng.below(KINDS.len())].into(),
        category: CATEGORIES[rng.below(3)].into(),
        method: METHODS[rng.below(4)].into(),
        status: status.into(),
        prefecture: (rng.below(10) > 0).then(|| format!("{pref:02}")),
        region: Some(REGIONS[pref % REGIONS.len()].into()),
        jsic: ["E", "09", "091", "0911"][..=level]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        grades,
        published_at: published,
        submission_closes_at: published + Duration::days(10 + rng.below(30) as i64),
        opening_at: published + Duration::days(41),
        reserve_price: (rng.below(2) == 0).then(|| 100_000 + rng.below(100_000_000) as i64),
        amended: false,
        award,
    }
}

fn build(dir: &std::path::Path, n: i64) -> SearchIndex {
    let ix = SearchIndex::recreate(dir).expect("index");
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    let corpus = Corpus::load();
    println!(
        "corpus: {} titles, {} sentences",
        corpus.titles.len(),
        corpus.sentences.len()
    );
    let mut raw_bytes = 0usize;
    let started = Instant::now();
    let mut batch = Vec::with_capacity(1000);
    for id in 0..n {
        let t = tender(&corpus, &mut rng, id);
        raw_bytes += t.title.len() + t.summary.len() + t.buyer_name.len();
        batch.push(t);
        if batch.len() == 1000 {
            ix.upsert_tenders(&batch).unwrap();
            batch.clear();
        }
    }
    ix.upsert_tenders(&batch).unwrap();
    // The size once merged, as `musubi reindex` leaves it.
    ix.wait_for_merges().unwrap();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "indexed {n} tenders in {secs:.1}s: {:.0}/s; text {:.1} MB; index {:.1} MB ({:.2}x)",
        n as f64 / secs,
        raw_bytes as f64 / 1e6,
        ix.size_on_disk() as f64 / 1e6,
        ix.size_on_disk() as f64 / raw_bytes as f64
    );
    let t = Instant::now();
    ix.wait_for_merges().unwrap();
    println!(
        "merges finished {:.1}s later: {:.1} MB ({:.2}x)",
        t.elapsed().as_secs_f64(),
        ix.size_on_disk() as f64 / 1e6,
        ix.size_on_disk() as f64 / raw_bytes as f64
    );

    ix
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: i64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let tmp;
    let dir = match args.get(2) {
        Some(d) => std::path::PathBuf::from(d),
        None => {
            tmp = std::env::temp_dir().join(format!("musubi-search-bench-{}", std::process::id()));
            tmp.clone()
        }
    };
    let reuse = args.get(3).is_some_and(|a| a == "reuse");
    let ix = if reuse {
        SearchIndex::open(&dir).expect("index")
    } else {
        build(&dir, n)
    };
    println!(
        "{:?} documents, {:.1} MB\n{}",
        ix.counts().unwrap(),
        ix.size_on_disk() as f64 / 1e6,
        ix.space_report()
    );
    let q = |text: &str| TenderSearch {
        q: text.into(),
        limit: 20,
        ..Default::default()
    };
    let queries: Vec<(&str, TenderSearch)> = vec![
        (
            "no query, newest",
            TenderSearch {
                sort: Sort::Newest,
                limit: 20,
                ..Default::default()
            },
        ),
        ("2 chars 清掃", q("清掃")),
        ("2 chars 業務 (common)", q("業務")),
        ("3 chars 東京都", q("東京都")),
        ("3 chars 入札書", q("入札書")),
        ("4 chars 清掃業務", q("清掃業務")),
        ("4 chars 業務委託 (common)", q("業務委託")),
        ("4 chars 参加資格 (common)", q("参加資格")),
        ("5 chars 競争入札", q("一般競争入札")),
        ("two words", q("舗装 工事")),
        ("OR / NOT", q("(清掃 OR 警備) NOT 工事")),
        ("one char 栓", q("栓")),
        ("half-width ｼｽﾃﾑ", q("ｼｽﾃﾑ")),
        (
            "word + facet filters",
            TenderSearch {
                q: "業務".into(),
                kinds: vec!["rfq".into()],
                statuses: vec!["tendering".into(), "published".into()],
                prefectures: vec!["13".into()],
                regions: vec!["kinki".into()],
                limit: 20,
                ..Default::default()
            },
        ),
        (
            "filters only, deadline",
            TenderSearch {
                categories: vec!["services".into()],
                grade: Some("C".into()),
                jsic: Some("091".into()),
                sort: Sort::Deadline,
                limit: 20,
                ..Default::default()
            },
        ),
        (
            "price + dates",
            TenderSearch {
                q: "工事".into(),
                price_min: Some(1_000_000),
                price_max: Some(10_000_000),
                published_from: Some(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()),
                limit: 20,
                ..Default::default()
            },
        ),
        (
            "awards, newest",
            TenderSearch {
                awarded: true,
                sort: Sort::Awarded,
                limit: 20,
                ..Default::default()
            },
        ),
        (
            "awards, word + amount",
            TenderSearch {
                q: "株式会社".into(),
                awarded: true,
                amount_min: Some(10_000_000),
                sort: Sort::AmountDesc,
                limit: 20,
                ..Default::default()
            },
        ),
        (
            "deep page",
            TenderSearch {
                q: "委託".into(),
                offset: 5000,
                limit: 20,
                ..Default::default()
            },
        ),
    ];
    let only = args.get(4).cloned();
    let rounds: usize = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(30);
    let mut all = Vec::new();
    for (name, s) in &queries {
        if only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
            continue;
        }
        let mut times = Vec::new();
        let mut total = 0;
        for _ in 0..rounds {
            let t = Instant::now();
            let page = ix.search_tenders(s).unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            total = page.total;
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "{name:<24} total {total:>8}  p50 {:>6.1} ms  max {:>6.1} ms",
            times[times.len() / 2],
            times[times.len() - 1]
        );
        all.extend(times);
    }
    if all.is_empty() {
        return;
    }
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "all queries: p50 {:.1} ms, p99 {:.1} ms",
        all[all.len() / 2],
        all[all.len() * 99 / 100]
    );
    if args.get(2).is_none() {
        drop(ix);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
