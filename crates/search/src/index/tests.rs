use chrono::TimeZone;

use super::*;

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, day, 0, 0, 0).unwrap()
}

fn tender(id: i64, title: &str, summary: &str) -> TenderDoc {
    TenderDoc {
        id,
        title: title.into(),
        summary: summary.into(),
        buyer_id: 1,
        buyer_name: "テスト市".into(),
        kind: "sealed_bid".into(),
        category: "services".into(),
        method: "open".into(),
        status: "tendering".into(),
        prefecture: Some("13".into()),
        region: Some("kanto".into()),
        jsic: vec!["E".into(), "09".into(), "091".into()],
        grades: vec![],
        published_at: at(1),
        submission_closes_at: at(20),
        opening_at: at(21),
        reserve_price: None,
        amended: false,
        award: None,
    }
}

fn company(id: i64, name: &str, kana: &str, text: &str) -> CompanyDoc {
    CompanyDoc {
        id,
        name: name.into(),
        name_kana: kana.into(),
        text: text.into(),
        prefecture: "13".into(),
        region: "kanto".into(),
        jsic: vec![],
        grades: vec![],
        certifications: vec![],
        updated_at: at(1),
    }
}

thread_local! {
    /// The documents of the last [`index_with`]: every search [`ids`] runs is
    /// also percolated over them, and must find the same tenders.
    static INDEXED: std::cell::RefCell<Vec<TenderDoc>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Says which documents the index under test now holds (empty: unknown,
/// nothing is percolated).
fn indexed(docs: &[TenderDoc]) {
    INDEXED.with(|d| *d.borrow_mut() = docs.to_vec());
}

fn index_with(docs: &[TenderDoc]) -> SearchIndex {
    indexed(docs);
    let ix = SearchIndex::in_memory().unwrap();
    ix.upsert_tenders(docs).unwrap();
    ix.commit().unwrap();
    ix
}

fn search(ix: &SearchIndex, s: TenderSearch) -> SearchPage<TenderHit> {
    ix.search_tenders(&TenderSearch {
        limit: if s.limit == 0 { 1000 } else { s.limit },
        ..s
    })
    .unwrap()
}

fn ids(ix: &SearchIndex, s: TenderSearch) -> Vec<i64> {
    let percolator = crate::Percolator::new(s.clone()).unwrap();
    let mut v: Vec<i64> = search(ix, s).hits.iter().map(|h| h.id).collect();
    v.sort();
    let docs = INDEXED.with(|docs| docs.borrow().clone());
    if docs.is_empty() {
        return v;
    }
    let mut percolated: Vec<i64> = {
        docs.iter()
            .filter(|d| percolator.matches(&crate::PercolateDoc::new(d)))
            .map(|d| d.id)
            .collect()
    };
    percolated.sort();
    assert_eq!(
        v,
        percolated,
        "percolating {:?} finds other tenders than the index",
        percolator.search()
    );
    v
}

fn q(text: &str) -> TenderSearch {
    TenderSearch {
        q: text.into(),
        ..Default::default()
    }
}

fn facet(list: &[FacetCount]) -> Vec<(&str, u64)> {
    list.iter().map(|f| (f.value.as_str(), f.count)).collect()
}

#[test]
fn japanese_words_and_single_characters_are_found() {
    let ix = index_with(&[
        tender(1, "庁舎清掃業務委託", "本庁舎の日常清掃"),
        tender(2, "消火栓の修繕", "市内の消火栓10基"),
        tender(3, "広報誌の印刷", "入札説明書を参照"),
        tender(4, "ｶﾀｶﾅ表記のｼｽﾃﾑ保守", "ＡＢＣシステム"),
        tender(5, "清涼飲料の購入", "掃除用具は別途"),
    ]);
    assert_eq!(ids(&ix, q("清掃")), vec![1]);
    assert_eq!(ids(&ix, q("入札")), vec![3]);
    assert_eq!(ids(&ix, q("印刷")), vec![3]);
    assert_eq!(ids(&ix, q("栓")), vec![2]);
    assert_eq!(ids(&ix, q("清")), vec![1, 5]);
    assert_eq!(ids(&ix, q("カタカナ")), vec![4]);
    assert_eq!(ids(&ix, q("ｶﾀｶﾅ")), vec![4]);
    assert_eq!(ids(&ix, q("システム")), vec![4]);
    assert_eq!(ids(&ix, q("abc")), vec![4]);
    assert_eq!(ids(&ix, q("ＡＢＣ")), vec![4]);
    assert_eq!(ids(&ix, q("庁舎清掃業務")), vec![1]);
    assert_eq!(ids(&ix, q("１０基")), vec![2]);
    // The buyer's name is searchable too.
    assert_eq!(ids(&ix, q("テスト市")).len(), 5);
    // Not a substring: nothing.
    assert!(ids(&ix, q("清掃庁舎")).is_empty());
    assert!(ids(&ix, q("掃清")).is_empty());
}

#[test]
fn boolean_queries() {
    let ix = index_with(&[
        tender(1, "庁舎清掃", "東京"),
        tender(2, "庁舎警備", "大阪"),
        tender(3, "清掃工事", "東京"),
        tender(4, "印刷", "東京 清掃"),
    ]);
    assert_eq!(ids(&ix, q("清掃 東京")), vec![1, 3, 4]);
    assert_eq!(ids(&ix, q("清掃 OR 警備")), vec![1, 2, 3, 4]);
    assert_eq!(ids(&ix, q("清掃 NOT 工事")), vec![1, 4]);
    assert_eq!(ids(&ix, q("清掃 ANDNOT 工事")), vec![1, 4]);
    assert_eq!(ids(&ix, q("(清掃 OR 警備) NOT 東京")), vec![2]);
    assert_eq!(ids(&ix, q("\"東京 清掃\"")), vec![4]);
    assert_eq!(ids(&ix, q("\"舎清\"")), vec![1]);
    assert!(matches!(
        ix.search_tenders(&q("清掃 OR")),
        Err(SearchError::Query(QueryError::LoneOperator(_)))
    ));
    assert!(matches!(
        ix.search_tenders(&q(&"あ".repeat(5000))),
        Err(SearchError::Query(QueryError::TooLong))
    ));
}

#[test]
fn filters() {
    let mut docs = Vec::new();
    let mut t = tender(1, "a", "");
    t.prefecture = Some("27".into());
    t.region = Some("kinki".into());
    t.kind = "rfq".into();
    docs.push(t);
    let mut t = tender(2, "a", "");
    t.prefecture = None;
    t.region = None;
    t.category = "goods".into();
    t.grades = vec!["A".into(), "B".into()];
    t.reserve_price = Some(1_000_000);
    docs.push(t);
    let mut t = tender(3, "a", "");
    t.jsic = vec!["G".into(), "39".into()];
    t.method = "selective".into();
    t.status = "closed".into();
    t.grades = vec!["C".into()];
    t.buyer_id = 9;
    t.reserve_price = Some(5_000_000);
    t.published_at = at(5);
    t.submission_closes_at = at(10);
    t.opening_at = at(11);
    docs.push(t);
    docs.push(tender(4, "a", ""));
    let ix = index_with(&docs);
    let all = || TenderSearch::default();
    assert_eq!(ids(&ix, all()), vec![1, 2, 3, 4]);
    let f = |s: TenderSearch| ids(&ix, s);
    assert_eq!(
        f(TenderSearch {
            prefectures: vec!["27".into()],
            ..all()
        }),
        vec![1]
    );
    assert_eq!(
        f(TenderSearch {
            regions: vec!["kanto".into()],
            ..all()
        }),
        vec![3, 4]
    );
    // Prefecture or region.
    assert_eq!(
        f(TenderSearch {
            prefectures: vec!["27".into()],
            regions: vec!["kanto".into()],
            ..all()
        }),
        vec![1, 3, 4]
    );
    assert_eq!(
        f(TenderSearch {
            prefectures: vec!["".into()],
            ..all()
        }),
        vec![1, 2, 3, 4]
    );
    assert_eq!(
        f(TenderSearch {
            jsic: Some("E".into()),
            ..all()
        }),
        vec![1, 2, 4]
    );
    assert_eq!(
        f(TenderSearch {
            jsic: Some("39".into()),
            ..all()
        }),
        vec![3]
    );
    assert_eq!(
        f(TenderSearch {
            kinds: vec!["rfq".into()],
            ..all()
        }),
        vec![1]
    );
    assert_eq!(
        f(TenderSearch {
            kinds: vec!["rfq".into(), "sealed_bid".into()],
            ..all()
        }),
        vec![1, 2, 3, 4]
    );
    assert_eq!(
        f(TenderSearch {
            categories: vec!["goods".into()],
            ..all()
        }),
        vec![2]
    );
    assert_eq!(
        f(TenderSearch {
            methods: vec!["selective".into()],
            ..all()
        }),
        vec![3]
    );
    assert_eq!(
        f(TenderSearch {
            statuses: vec!["closed".into()],
            ..all()
        }),
        vec![3]
    );
    assert_eq!(
        f(TenderSearch {
            statuses: vec!["nonexistent".into()],
            ..all()
        }),
        Vec::<i64>::new()
    );
    // No grades = any grade may bid.
    assert_eq!(
        f(TenderSearch {
            grade: Some("A".into()),
            ..all()
        }),
        vec![1, 2, 4]
    );
    assert_eq!(
        f(TenderSearch {
            grade: Some("C".into()),
            ..all()
        }),
        vec![1, 3, 4]
    );
    assert_eq!(
        f(TenderSearch {
            buyer: Some(9),
            ..all()
        }),
        vec![3]
    );
    assert_eq!(
        f(TenderSearch {
            published_from: Some(at(5)),
            ..all()
        }),
        vec![3]
    );
    assert_eq!(
        f(TenderSearch {
            published_to: Some(at(4)),
            ..all()
        }),
        vec![1, 2, 4]
    );
    assert_eq!(
        f(TenderSearch {
            deadline_from: Some(at(10)),
            deadline_to: Some(at(10)),
            ..all()
        }),
        vec![3]
    );
    assert_eq!(
        f(TenderSearch {
            opening_from: Some(at(12)),
            ..all()
        }),
        vec![1, 2, 4]
    );
    // Only tenders with a public price match a price filter.
    assert_eq!(
        f(TenderSearch {
            price_min: Some(0),
            ..all()
        }),
        vec![2, 3]
    );
    assert_eq!(
        f(TenderSearch {
            price_max: Some(1_000_000),
            ..all()
        }),
        vec![2]
    );
    assert_eq!(
        f(TenderSearch {
            price_min: Some(1_000_001),
            price_max: Some(9_000_000),
            ..all()
        }),
        vec![3]
    );
    // Filters combine with the query and each other.
    assert_eq!(
        f(TenderSearch {
            q: "a".into(),
            grade: Some("C".into()),
            regions: vec!["kanto".into()],
            ..all()
        }),
        vec![3, 4]
    );
}

#[test]
fn sorts_and_paging() {
    indexed(&[]);
    let mut docs = Vec::new();
    for i in 0..45i64 {
        let mut t = tender(
            i,
            if i % 3 == 0 { "清掃" } else { "業務" },
            if i == 7 { "清掃 清掃 清掃" } else { "" },
        );
        t.published_at = at(1) + chrono::Duration::hours(i);
        t.submission_closes_at = at(20) - chrono::Duration::hours(i % 10);
        docs.push(t);
    }
    let ix = SearchIndex::in_memory().unwrap();
    // Several segments.
    for chunk in docs.chunks(10) {
        ix.upsert_tenders(chunk).unwrap();
        ix.commit().unwrap();
    }
    let newest = search(
        &ix,
        TenderSearch {
            sort: Sort::Newest,
            limit: 5,
            ..Default::default()
        },
    );
    assert_eq!(newest.total, 45);
    assert_eq!(
        newest.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![44, 43, 42, 41, 40]
    );
    let deadline = search(
        &ix,
        TenderSearch {
            sort: Sort::Deadline,
            limit: 5,
            ..Default::default()
        },
    );
    // Closes at(20) - 9h for ids 9, 19, 29, 39 (ties: the higher id first).
    assert_eq!(
        deadline.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![39, 29, 19, 9, 38]
    );
    // Relevance: title matches are boosted; many occurrences help.
    let rel = search(
        &ix,
        TenderSearch {
            q: "清掃".into(),
            ..Default::default()
        },
    );
    assert_eq!(rel.total, 16);
    assert!(rel.hits.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(rel.hits.iter().all(|h| h.score > 0.0));
    let pos7 = rel.hits.iter().position(|h| h.id == 7).unwrap();
    assert_eq!(pos7, rel.hits.len() - 1, "summary-only match ranks last");
    // Relevance without a query: newest first.
    let no_q = search(
        &ix,
        TenderSearch {
            limit: 3,
            ..Default::default()
        },
    );
    assert_eq!(
        no_q.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![44, 43, 42]
    );
    // Paging: exact totals, every document exactly once.
    for sort in [Sort::Relevance, Sort::Newest, Sort::Deadline] {
        let mut seen = Vec::new();
        for page in 0..5 {
            let p = search(
                &ix,
                TenderSearch {
                    sort,
                    offset: page * 10,
                    limit: 10,
                    ..Default::default()
                },
            );
            assert_eq!(p.total, 45);
            assert_eq!(p.hits.len(), if page == 4 { 5 } else { 10 });
            seen.extend(p.hits.iter().map(|h| h.id));
        }
        seen.sort();
        assert_eq!(seen, (0..45).collect::<Vec<_>>());
    }
    let beyond = search(
        &ix,
        TenderSearch {
            offset: 1000,
            limit: 10,
            ..Default::default()
        },
    );
    assert_eq!((beyond.total, beyond.hits.len()), (45, 0));
    let counts_only = ix
        .search_tenders(&TenderSearch {
            limit: 0,
            ..Default::default()
        })
        .unwrap();
    assert_eq!((counts_only.total, counts_only.hits.len()), (45, 0));
    let huge = ix
        .search_tenders(&TenderSearch {
            offset: usize::MAX,
            limit: usize::MAX,
            ..Default::default()
        })
        .unwrap();
    assert_eq!((huge.total, huge.hits.len()), (45, 0));
}

#[test]
fn facets_count_with_every_filter_but_their_own() {
    let mut docs = Vec::new();
    for (i, (kind, status, pref)) in [
        ("rfq", "tendering", Some("13")),
        ("rfq", "closed", Some("13")),
        ("sealed_bid", "tendering", Some("27")),
        ("sealed_bid", "tendering", None),
        ("proposal", "closed", Some("27")),
    ]
    .into_iter()
    .enumerate()
    {
        let mut t = tender(i as i64, "清掃", "");
        t.kind = kind.into();
        t.status = status.into();
        t.prefecture = pref.map(Into::into);
        docs.push(t);
    }
    let ix = index_with(&docs);
    let p = search(
        &ix,
        TenderSearch {
            q: "清掃".into(),
            ..Default::default()
        },
    );
    assert_eq!(
        facet(&p.facets.kind),
        vec![("proposal", 1), ("rfq", 2), ("sealed_bid", 2)]
    );
    assert_eq!(
        facet(&p.facets.status),
        vec![("closed", 2), ("tendering", 3)]
    );
    assert_eq!(facet(&p.facets.prefecture), vec![("13", 2), ("27", 2)]);
    assert_eq!(facet(&p.facets.category), vec![("services", 5)]);
    let p = search(
        &ix,
        TenderSearch {
            q: "清掃".into(),
            kinds: vec!["rfq".into()],
            statuses: vec!["tendering".into()],
            ..Default::default()
        },
    );
    assert_eq!(p.total, 1);
    // Kind: with the status filter only.
    assert_eq!(facet(&p.facets.kind), vec![("rfq", 1), ("sealed_bid", 2)]);
    // Status: with the kind filter only.
    assert_eq!(
        facet(&p.facets.status),
        vec![("closed", 1), ("tendering", 1)]
    );
    // Others: with both.
    assert_eq!(facet(&p.facets.prefecture), vec![("13", 1)]);
    assert_eq!(facet(&p.facets.method), vec![("open", 1)]);
    // A selected value without matches is listed with 0.
    let p = search(
        &ix,
        TenderSearch {
            prefectures: vec!["01".into(), "27".into()],
            ..Default::default()
        },
    );
    assert_eq!(p.total, 2);
    assert_eq!(
        facet(&p.facets.prefecture),
        vec![("01", 0), ("13", 2), ("27", 2)]
    );
    assert_eq!(
        facet(&p.facets.kind),
        vec![("proposal", 1), ("sealed_bid", 1)]
    );
}

fn award(winner_id: i64, name: &str, amount: Option<i64>, day: u32) -> AwardDoc {
    AwardDoc {
        winner_id,
        winner_name: name.into(),
        winner_corporate_number: None,
        amount_tax_exclusive: amount,
        amount_tax_inclusive: amount.map(|a| a * 11 / 10),
        awarded_at: at(day),
    }
}

fn in_order(ix: &SearchIndex, s: TenderSearch) -> Vec<i64> {
    search(ix, s).hits.iter().map(|h| h.id).collect()
}

#[test]
fn awards_are_found_filtered_sorted_and_counted() {
    let mut printing = tender(1, "庁舎案内パンフレット印刷", "");
    printing.status = "awarded".into();
    printing.award = Some(AwardDoc {
        winner_corporate_number: Some("7000012050002".into()),
        ..award(501, "株式会社東洋印刷", Some(900_000), 10)
    });
    let mut road = tender(2, "市道舗装補修工事", "");
    road.status = "awarded".into();
    road.prefecture = Some("14".into());
    road.award = Some(award(502, "箱根土木", Some(2_000_000), 12));
    let mut design = tender(3, "公園整備基本設計", "");
    design.status = "awarded".into();
    design.award = Some(award(503, "小田原設計", None, 11));
    // Awarded by its status, without an award record: not an award.
    let mut bare = tender(4, "備品購入", "");
    bare.status = "awarded".into();
    // Names the winner in its text, is not awarded.
    let open = tender(5, "名刺印刷", "前回は株式会社東洋印刷が受注。");
    let ix = index_with(&[printing, road, design, bare, open]);

    // The winner's name and 法人番号 are searchable text.
    assert_eq!(ids(&ix, q("東洋印刷")), [1, 5]);
    let awarded = |s: TenderSearch| TenderSearch { awarded: true, ..s };
    assert_eq!(ids(&ix, awarded(q("東洋印刷"))), [1]);
    assert_eq!(ids(&ix, q("7000012050002")), [1]);
    assert_eq!(ids(&ix, q("箱根")), [2]);

    // The facet counts awards with every other filter, its own value kept.
    let all = search(&ix, q(""));
    assert_eq!(facet(&all.facets.awarded), [("awarded", 3)]);
    let p = search(&ix, awarded(q("")));
    assert_eq!(p.total, 3);
    assert_eq!(facet(&p.facets.awarded), [("awarded", 3)]);
    assert_eq!(facet(&p.facets.status), [("awarded", 3)]);
    let p = search(&ix, awarded(q("名刺")));
    assert_eq!(p.total, 0);
    assert_eq!(facet(&p.facets.awarded), [("awarded", 0)]);
    assert_eq!(
        search(&ix, q("名刺")).facets.awarded,
        [],
        "no awards, no facet value"
    );

    // Filters: winner, decision date, amount (only awards with one).
    let f = |s: TenderSearch| ids(&ix, s);
    assert_eq!(
        f(TenderSearch {
            winner: Some(502),
            ..q("")
        }),
        [2]
    );
    assert_eq!(
        f(TenderSearch {
            awarded_from: Some(at(11)),
            ..q("")
        }),
        [2, 3]
    );
    assert_eq!(
        f(TenderSearch {
            awarded_to: Some(at(11)),
            ..q("")
        }),
        [1, 3]
    );
    assert_eq!(
        f(TenderSearch {
            amount_min: Some(1_000_000),
            ..q("")
        }),
        [2]
    );
    assert_eq!(
        f(TenderSearch {
            amount_max: Some(900_000),
            ..q("")
        }),
        [1]
    );
    assert_eq!(
        f(TenderSearch {
            amount_min: Some(0),
            ..awarded(q(""))
        }),
        [1, 2]
    );

    // Sorts: by decision, by amount either way (no amount last).
    let sorted = |sort| {
        in_order(
            &ix,
            TenderSearch {
                sort,
                ..awarded(q(""))
            },
        )
    };
    assert_eq!(sorted(Sort::Awarded), [2, 3, 1]);
    assert_eq!(sorted(Sort::AmountDesc), [2, 1, 3]);
    assert_eq!(sorted(Sort::AmountAsc), [1, 2, 3]);
    // Without the filter, tenders without an award come after the awards.
    let p = in_order(
        &ix,
        TenderSearch {
            sort: Sort::Awarded,
            ..q("")
        },
    );
    assert_eq!(p[..3], [2, 3, 1]);

    // Tender hits carry their award.
    let p = search(&ix, q("印刷"));
    let of = |id: i64| p.hits.iter().find(|h| h.id == id).unwrap();
    assert_eq!(of(1).award.as_ref().unwrap().winner_id, 501);
    assert_eq!(of(5).award, None);

    // The awards list: highlighted, with the tender's codes.
    let page = ix
        .search_awards(&TenderSearch {
            q: "東洋".into(),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 1, "awarded only, whatever the search says");
    let hit = &page.hits[0];
    assert_eq!(hit.tender_id, 1);
    assert_eq!(hit.title, "庁舎案内パンフレット印刷");
    assert_eq!(hit.winner_html, "株式会社<mark>東洋</mark>印刷");
    assert_eq!(hit.tender.buyer_name, "テスト市");
    assert_eq!(hit.tender.prefecture.as_deref(), Some("13"));
    assert_eq!(hit.tender.category, "services");
    assert_eq!(hit.award.amount_tax_inclusive, Some(990_000));
    assert_eq!(
        hit.award.winner_corporate_number.as_deref(),
        Some("7000012050002")
    );

    // Every award, in order, or none past the cap.
    let every = TenderSearch {
        sort: Sort::Awarded,
        limit: 1,
        ..Default::default()
    };
    let (total, all) = ix.all_awards(&every, 3).unwrap();
    let all = all.unwrap();
    assert_eq!(total, 3);
    assert_eq!(
        all.iter().map(|h| h.tender_id).collect::<Vec<_>>(),
        [2, 3, 1]
    );
    assert!(all.iter().all(|h| h.title_html.is_empty()));
    assert_eq!(ix.all_awards(&every, 2).unwrap(), (3, None));

    // An award replaced by a document without one is gone from the list.
    ix.upsert_tenders(&[tender(2, "市道舗装補修工事", "")])
        .unwrap();
    ix.commit().unwrap();
    indexed(&[]);
    assert_eq!(ids(&ix, awarded(q(""))), [1, 3]);
}

#[test]
fn snippets_mark_matches_and_escape_html() {
    let long = format!(
        "{}本庁舎の<清掃>業務です。{}",
        "あ".repeat(200),
        "い".repeat(200)
    );
    let ix = index_with(&[
        tender(1, "<b>清掃</b> & \"警備\" ｾｲｿｳ", &long),
        tender(2, "清掃清掃", "短い 清掃"),
    ]);
    let p = search(&ix, q("清掃 OR セイソウ NOT 工事"));
    let h1 = p.hits.iter().find(|h| h.id == 1).unwrap();
    assert_eq!(
        h1.title_html,
        "&lt;b&gt;<mark>清掃</mark>&lt;/b&gt; &amp; &quot;警備&quot; <mark>ｾｲｿｳ</mark>"
    );
    assert!(
        h1.snippet_html.starts_with('…') && h1.snippet_html.ends_with('…'),
        "{}",
        h1.snippet_html
    );
    assert!(
        h1.snippet_html
            .contains("本庁舎の&lt;<mark>清掃</mark>&gt;業務です。"),
        "{}",
        h1.snippet_html
    );
    let visible = h1
        .snippet_html
        .replace("<mark>", "")
        .replace("</mark>", "")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    assert_eq!(visible.chars().count(), SNIPPET_CHARS + 2);
    let h2 = p.hits.iter().find(|h| h.id == 2).unwrap();
    assert_eq!(h2.title_html, "<mark>清掃清掃</mark>");
    assert_eq!(h2.snippet_html, "短い <mark>清掃</mark>");
    // Width folding in the other direction, and overlaps.
    assert_eq!(
        highlight_html("ＡＢＣ abc", &["bc"], None),
        "Ａ<mark>ＢＣ</mark> a<mark>bc</mark>"
    );
    assert_eq!(highlight_html("aaaa", &["aa"], None), "<mark>aaaa</mark>");
    assert_eq!(
        highlight_html("東京都 清掃", &["京都 清"], None),
        "東<mark>京都 清</mark>掃"
    );
    assert_eq!(
        highlight_html("東京都\u{3000}\u{3000}清掃", &["都 清"], None),
        "東京<mark>都\u{3000}\u{3000}清</mark>掃"
    );
    assert_eq!(highlight_html("ｶﾞｽ管", &["ガス"], None), "<mark>ｶﾞｽ</mark>管");
    assert_eq!(
        highlight_html("㈱結び", &["株"], None),
        "<mark>㈱</mark>結び"
    );
    // No query: plain escaped text, the start of a long summary.
    let p = search(&ix, TenderSearch::default());
    let h1 = p.hits.iter().find(|h| h.id == 1).unwrap();
    assert_eq!(
        h1.title_html,
        "&lt;b&gt;清掃&lt;/b&gt; &amp; &quot;警備&quot; ｾｲｿｳ"
    );
    assert_eq!(h1.snippet_html, format!("{}…", "あ".repeat(SNIPPET_CHARS)));
}

#[test]
fn upsert_replaces_delete_and_clear() {
    indexed(&[]);
    let ix = SearchIndex::in_memory().unwrap();
    ix.upsert_tenders(&[tender(1, "清掃", ""), tender(2, "警備", "")])
        .unwrap();
    // Not visible before the commit.
    assert_eq!(ix.counts().unwrap(), (0, 0));
    ix.commit().unwrap();
    assert_eq!(ix.counts().unwrap(), (2, 0));
    ix.upsert_tenders(&[tender(1, "印刷", "")]).unwrap();
    ix.commit().unwrap();
    assert_eq!(ix.counts().unwrap(), (2, 0));
    assert!(ids(&ix, q("清掃")).is_empty());
    assert_eq!(ids(&ix, q("印刷")), vec![1]);
    // Upserting the same id twice in one batch keeps the last.
    ix.upsert_tenders(&[tender(3, "一回目", ""), tender(3, "二回目", "")])
        .unwrap();
    ix.commit().unwrap();
    assert_eq!(ids(&ix, q("回目")), vec![3]);
    assert!(ids(&ix, q("一回目")).is_empty());
    ix.delete_tender(2).unwrap();
    ix.delete_tender(99).unwrap();
    ix.commit().unwrap();
    assert_eq!(ids(&ix, TenderSearch::default()), vec![1, 3]);
    ix.upsert_companies(&[company(1, "結び商事", "ムスビショウジ", "文具")])
        .unwrap();
    ix.commit().unwrap();
    assert_eq!(ix.counts().unwrap(), (2, 1));
    ix.delete_company(1).unwrap();
    ix.commit().unwrap();
    assert_eq!(ix.counts().unwrap(), (2, 0));
    ix.upsert_companies(&[company(1, "結び商事", "ムスビショウジ", "文具")])
        .unwrap();
    ix.upsert_tenders(&[tender(4, "未確定", "")]).unwrap();
    ix.clear().unwrap();
    ix.commit().unwrap();
    assert_eq!(ix.counts().unwrap(), (0, 0));
    assert_eq!(search(&ix, TenderSearch::default()).total, 0);
    // And it fills again; an id upserted twice after the clear is there once.
    ix.upsert_tenders(&[tender(5, "清掃", "")]).unwrap();
    ix.upsert_tenders(&[tender(6, "警備", ""), tender(5, "清掃業務", "")])
        .unwrap();
    ix.upsert_companies(&[company(1, "一", "", ""), company(1, "二", "", "")])
        .unwrap();
    ix.delete_tender(6).unwrap();
    ix.upsert_tenders(&[tender(6, "警備業務", "")]).unwrap();
    ix.commit().unwrap();
    assert_eq!(ids(&ix, q("清掃")), vec![5]);
    assert_eq!(ids(&ix, q("業務")), vec![5, 6]);
    assert_eq!(ix.counts().unwrap(), (2, 1));
    // After the commit, upserts replace again.
    ix.upsert_tenders(&[tender(5, "印刷", "")]).unwrap();
    ix.commit().unwrap();
    assert_eq!(ids(&ix, q("業務")), vec![6]);
    assert_eq!(ix.counts().unwrap(), (2, 1));
}

#[test]
fn company_search() {
    indexed(&[]);
    let ix = SearchIndex::in_memory().unwrap();
    let mut a = company(
        1,
        "結び清掃株式会社",
        "ムスビセイソウ",
        "ビル清掃、<ガラス>清掃",
    );
    a.jsic = vec!["R".into(), "92".into()];
    a.grades = vec!["services:A".into()];
    a.certifications = vec!["iso9001".into()];
    let mut b = company(2, "大阪印刷", "オオサカインサツ", "チラシ印刷");
    b.prefecture = "27".into();
    b.region = "kinki".into();
    b.updated_at = at(3);
    let c = company(3, "ｾｲｿｳ工房", "セイソウコウボウ", "");
    ix.upsert_companies(&[a, b, c]).unwrap();
    ix.commit().unwrap();
    let s = |s: CompanySearch| {
        let p = ix
            .search_companies(&CompanySearch { limit: 100, ..s })
            .unwrap();
        let mut v: Vec<i64> = p.hits.iter().map(|h| h.id).collect();
        v.sort();
        assert_eq!(p.total as usize, v.len());
        v
    };
    assert_eq!(
        s(CompanySearch {
            q: "清掃".into(),
            ..Default::default()
        }),
        vec![1]
    );
    assert_eq!(
        s(CompanySearch {
            q: "セイソウ".into(),
            ..Default::default()
        }),
        vec![1, 3]
    );
    assert_eq!(
        s(CompanySearch {
            q: "ｲﾝｻﾂ".into(),
            ..Default::default()
        }),
        vec![2]
    );
    assert_eq!(
        s(CompanySearch {
            prefectures: vec!["27".into()],
            ..Default::default()
        }),
        vec![2]
    );
    assert_eq!(
        s(CompanySearch {
            regions: vec!["kanto".into()],
            ..Default::default()
        }),
        vec![1, 3]
    );
    assert_eq!(
        s(CompanySearch {
            jsic: Some("R".into()),
            ..Default::default()
        }),
        vec![1]
    );
    assert_eq!(
        s(CompanySearch {
            certification: Some("iso9001".into()),
            ..Default::default()
        }),
        vec![1]
    );
    assert_eq!(
        s(CompanySearch {
            grade: Some("services:A".into()),
            ..Default::default()
        }),
        vec![1]
    );
    assert_eq!(
        s(CompanySearch {
            grade: Some("services:B".into()),
            ..Default::default()
        }),
        Vec::<i64>::new()
    );
    let p = ix
        .search_companies(&CompanySearch {
            q: "清掃".into(),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(p.hits[0].name_html, "結び<mark>清掃</mark>株式会社");
    assert_eq!(
        p.hits[0].snippet_html,
        "ビル<mark>清掃</mark>、&lt;ガラス&gt;<mark>清掃</mark>"
    );
    let p = ix
        .search_companies(&CompanySearch {
            prefectures: vec!["27".into()],
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(facet(&p.facets.prefecture), vec![("13", 2), ("27", 1)]);
    assert!(p.facets.kind.is_empty());
    // Without a query: most recently updated first.
    let p = ix
        .search_companies(&CompanySearch {
            limit: 1,
            ..Default::default()
        })
        .unwrap();
    assert_eq!((p.total, p.hits[0].id), (3, 2));
}

#[test]
fn on_disk_open_reopen_and_schema_version() {
    indexed(&[]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search");
    {
        let ix = SearchIndex::open(&path).unwrap();
        ix.upsert_tenders(&[tender(1, "清掃", "")]).unwrap();
        ix.commit().unwrap();
        assert_eq!(ids(&ix, q("清掃")), vec![1]);
        assert!(ix.size_on_disk() > 0);
    }
    {
        let ix = SearchIndex::open(&path).unwrap();
        assert_eq!(ix.counts().unwrap(), (1, 0));
        for i in 2..12 {
            ix.upsert_tenders(&[tender(i, "警備", "")]).unwrap();
            ix.commit().unwrap();
        }
        ix.upsert_tenders(&[tender(12, "警備", "")]).unwrap();
        ix.wait_for_merges().unwrap();
        assert_eq!(ix.counts().unwrap(), (12, 0));
        assert_eq!(ids(&ix, q("警備")).len(), 11);
        // Writers come back on the next write.
        ix.delete_tender(12).unwrap();
        ix.commit().unwrap();
        assert_eq!(ix.counts().unwrap(), (11, 0));
    }
    {
        let ix = SearchIndex::open(&path).unwrap();
        assert_eq!(ix.counts().unwrap(), (11, 0));
        ix.upsert_tenders(&[tender(1, "清掃", "")]).unwrap();
        ix.commit().unwrap();
        assert_eq!(ids(&ix, q("清掃")), vec![1]);
    }
    assert_eq!(SearchIndex::in_memory().unwrap().size_on_disk(), 0);
    // An index of another schema version is refused.
    fs::write(path.join(VERSION_FILE), "musubi-search 0\n").unwrap();
    let err = SearchIndex::open(&path).err().expect("refused");
    assert!(err.to_string().contains("run musubi reindex"), "{err}");
    fs::remove_file(path.join(VERSION_FILE)).unwrap();
    let err = SearchIndex::open(&path).err().expect("refused");
    assert!(err.to_string().contains("run musubi reindex"), "{err}");
    // recreate starts over.
    let ix = SearchIndex::recreate(&path).unwrap();
    assert_eq!(ix.counts().unwrap(), (0, 0));
    drop(ix);
    assert!(SearchIndex::open(&path).is_ok());
}

#[test]
fn two_handles_see_each_others_commits() {
    indexed(&[]);
    let dir = tempfile::tempdir().unwrap();
    let a = SearchIndex::open(dir.path()).unwrap();
    let b = SearchIndex::open(dir.path()).unwrap();
    a.upsert_tenders(&[tender(1, "清掃", "")]).unwrap();
    a.commit().unwrap();
    // b has no writer; a holds the lock.
    let err = b
        .upsert_tenders(&[tender(2, "警備", "")])
        .expect_err("locked");
    assert!(err.to_string().contains("another process"), "{err}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while b.counts().unwrap().0 != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "b never saw a's commit"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A small deterministic generator (no `rand` needed).
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
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Pieces of text: kanji, kana in both widths, Latin in both widths and
/// cases, digits, spaces, punctuation and a combining sound mark.
const ALPHABET: &[&str] = &[
    "清",
    "掃",
    "工",
    "事",
    "ア",
    "ｱ",
    "イ",
    "ｲ",
    "ｶﾞ",
    "ガ",
    "か\u{3099}",
    "a",
    "A",
    "Ａ",
    "b",
    " ",
    "\u{3000}",
    "1",
    "１",
    "ー",
    "(",
    ")",
    "&",
    "<",
    "株",
    "㈱",
];

fn random_text(rng: &mut Rng, max: usize) -> String {
    let n = rng.below(max + 1);
    (0..n).map(|_| *rng.pick(ALPHABET)).collect()
}

/// A term of 1 to 12 characters: random pieces, or (so that long terms
/// match too) a piece of one of the normalised texts in `pool`.
fn random_term(rng: &mut Rng, pool: &[String]) -> String {
    loop {
        let n = 1 + rng.below(12);
        let t = if rng.below(2) == 0 {
            (0..n).map(|_| *rng.pick(ALPHABET)).collect::<String>()
        } else {
            let chars: Vec<char> = rng.pick(pool).chars().collect();
            let from = rng.below(chars.len().max(1));
            chars[from..(from + n).min(chars.len())].iter().collect()
        };
        let t = analysis::normalize_term(&t);
        if !t.is_empty() {
            return t;
        }
    }
}

fn random_expr(rng: &mut Rng, depth: usize, pool: &[String]) -> Expr {
    if depth == 0 || rng.below(3) == 0 {
        return Expr::Term(random_term(rng, pool));
    }
    match rng.below(3) {
        0 => Expr::And(
            (0..2 + rng.below(2))
                .map(|_| random_expr(rng, depth - 1, pool))
                .collect(),
        ),
        1 => Expr::Or(
            (0..2 + rng.below(2))
                .map(|_| random_expr(rng, depth - 1, pool))
                .collect(),
        ),
        _ => Expr::AndNot(
            Box::new(random_expr(rng, depth - 1, pool)),
            Box::new(random_expr(rng, depth - 1, pool)),
        ),
    }
}

/// The expression written in the query language.
fn render(e: &Expr) -> String {
    match e {
        Expr::Term(t) => format!("\"{t}\""),
        Expr::And(items) => format!(
            "({})",
            items.iter().map(render).collect::<Vec<_>>().join(" ")
        ),
        Expr::Or(items) => format!(
            "({})",
            items.iter().map(render).collect::<Vec<_>>().join(" OR ")
        ),
        Expr::AndNot(a, b) => format!("({} NOT {})", render(a), render(b)),
    }
}

/// A raw query: words, quoted phrases, operators and parentheses, often
/// malformed (those are skipped).
fn random_raw_query(rng: &mut Rng) -> String {
    let n = 1 + rng.below(6);
    let mut parts = Vec::new();
    for _ in 0..n {
        parts.push(match rng.below(10) {
            0 => "OR".to_string(),
            1 => "NOT".to_string(),
            2 => "(".to_string(),
            3 => ")".to_string(),
            4 => format!("\"{}\"", random_text(rng, 4)),
            5 => "ＯＲ".to_string(),
            _ => random_text(rng, 3).replace(['(', ')', ' ', '\u{3000}'], ""),
        });
    }
    parts.join(if rng.below(2) == 0 { " " } else { "\u{3000}" })
}

fn oracle_round(seed: u64, docs_n: i64, rounds: usize) {
    let mut rng = Rng(seed);
    let kinds = ["rfq", "sealed_bid", "proposal"];
    let prefs = [Some("13"), Some("27"), None];
    let grades = [
        vec![],
        vec!["A".to_string()],
        vec!["B".to_string(), "C".to_string()],
    ];
    let mut docs: Vec<TenderDoc> = (0..docs_n)
        .map(|i| {
            let mut t = tender(i, &random_text(&mut rng, 12), &random_text(&mut rng, 40));
            t.buyer_name = random_text(&mut rng, 4);
            t.buyer_id = 1 + rng.below(3) as i64;
            t.kind = rng.pick(&kinds).to_string();
            t.prefecture = rng.pick(&prefs).map(Into::into);
            t.grades = rng.pick(&grades).clone();
            t.published_at = at(1 + rng.below(28) as u32);
            t.reserve_price = (rng.below(2) == 0).then(|| rng.below(100) as i64);
            t
        })
        .collect();
    let ix = SearchIndex::in_memory().unwrap();
    for chunk in docs.chunks(70) {
        ix.upsert_tenders(chunk).unwrap();
        ix.commit().unwrap();
    }
    // Replace some documents, so segments carry deletes.
    for i in (0..docs.len()).step_by(7) {
        let d = &mut docs[i];
        d.title = random_text(&mut rng, 12);
        d.summary = random_text(&mut rng, 40);
        ix.upsert_tenders(std::slice::from_ref(d)).unwrap();
    }
    ix.commit().unwrap();
    let fields: Vec<[String; 3]> = docs
        .iter()
        .map(|d| {
            [
                normalize(&d.title),
                normalize(&d.summary),
                normalize(&d.buyer_name),
            ]
        })
        .collect();
    let pool: Vec<String> = fields.iter().flatten().cloned().collect();
    let mut nonempty = 0;
    let mut ran = 0;
    for round in 0..rounds {
        let text = match round % 4 {
            0 => render(&Expr::Term(random_term(&mut rng, &pool))),
            1 | 2 => render(&random_expr(&mut rng, 3, &pool)),
            _ => random_raw_query(&mut rng),
        };
        let Ok(Some(parsed)) = query::parse(&text) else {
            continue;
        };
        ran += 1;
        let mut s = TenderSearch {
            q: text.clone(),
            limit: 10_000,
            sort: *rng.pick(&[Sort::Relevance, Sort::Newest, Sort::Deadline]),
            ..Default::default()
        };
        if rng.below(3) == 0 {
            s.kinds = vec![rng.pick(&kinds).to_string()];
        }
        if rng.below(4) == 0 {
            s.grade = Some(rng.pick(&["A", "B", "D"]).to_string());
        }
        if rng.below(4) == 0 {
            s.buyer = Some(1 + rng.below(3) as i64);
        }
        if rng.below(4) == 0 {
            s.published_from = Some(at(1 + rng.below(28) as u32));
        }
        if rng.below(5) == 0 {
            s.price_max = Some(rng.below(100) as i64);
        }
        let other_filters = |d: &TenderDoc| {
            s.grade
                .as_ref()
                .is_none_or(|g| d.grades.is_empty() || d.grades.contains(g))
                && s.buyer.is_none_or(|b| d.buyer_id == b)
                && s.published_from.is_none_or(|f| d.published_at >= f)
                && s.price_max
                    .is_none_or(|m| d.reserve_price.is_some_and(|p| p <= m))
        };
        let kind_ok = |d: &TenderDoc| s.kinds.is_empty() || s.kinds.contains(&d.kind);
        let matching: Vec<usize> = (0..docs.len())
            .filter(|&i| {
                parsed.matches(&[&fields[i][0], &fields[i][1], &fields[i][2]])
                    && other_filters(&docs[i])
            })
            .collect();
        let mut want: Vec<i64> = matching
            .iter()
            .filter(|&&i| kind_ok(&docs[i]))
            .map(|&i| docs[i].id)
            .collect();
        want.sort();
        let page = ix.search_tenders(&s).unwrap();
        let mut got: Vec<i64> = page.hits.iter().map(|h| h.id).collect();
        got.sort();
        assert_eq!(got, want, "query {text:?} ({parsed:?}) {s:?}");
        assert_eq!(page.total as usize, want.len(), "{text}");
        let percolator = crate::Percolator::new(s.clone()).unwrap();
        let percolated: Vec<i64> = docs
            .iter()
            .filter(|d| percolator.matches(&crate::PercolateDoc::new(d)))
            .map(|d| d.id)
            .collect();
        assert_eq!(percolated, want, "percolating {text:?}");
        // The kind facet ignores the kind filter; the prefecture facet does not.
        let mut kind_counts: HashMap<&str, u64> = HashMap::new();
        let mut pref_counts: HashMap<&str, u64> = HashMap::new();
        for &i in &matching {
            *kind_counts.entry(docs[i].kind.as_str()).or_default() += 1;
            if let Some(p) = docs[i].prefecture.as_deref()
                && kind_ok(&docs[i])
            {
                *pref_counts.entry(p).or_default() += 1;
            }
        }
        for (list, want) in [
            (&page.facets.kind, &kind_counts),
            (&page.facets.prefecture, &pref_counts),
        ] {
            for f in list.iter() {
                assert_eq!(
                    f.count,
                    want.get(f.value.as_str()).copied().unwrap_or(0),
                    "{text} {}",
                    f.value
                );
            }
            assert_eq!(
                list.iter().filter(|f| f.count > 0).count(),
                want.len(),
                "{text}"
            );
        }
        nonempty += usize::from(!want.is_empty());
    }
    assert!(ran > rounds / 2, "most queries should parse: {ran}");
    assert!(
        nonempty > ran / 4,
        "the generator should give matches: {nonempty} of {ran}"
    );
}

/// Recall and precision 1.0 against `Expr::matches` over the normalised
/// fields, for single terms, random boolean expressions and raw query
/// strings, with random filters and sorts, over several segments with
/// deletes.
#[test]
fn search_equals_a_brute_force_substring_oracle() {
    oracle_round(0x9E37_79B9_7F4A_7C15, 300, 800);
    oracle_round(42, 120, 400);
}

/// Terms of 5 to 12 characters (8-gram prefixes, one 8-gram, guarded
/// phrases) at the start, middle and end of titles, summaries and buyer
/// names (each a run next to a separator; the title is there twice), in
/// texts shorter than 8 characters too, alone, under NOT and with another
/// term, against a substring search. Terms that span two texts match
/// nothing.
#[test]
fn long_terms_are_found_exactly_as_substrings() {
    let texts = [
        ("一般競争入札", "参加資格を有する者"),
        ("一般競争入札の公告", "入札参加資格を有する者に限る"),
        (
            "庁舎清掃業務委託",
            "一般競争入札により、参加資格を有しない者は除く",
        ),
        ("参加資格", "一般競争"),
        (
            "令和7年度 道路改良工事",
            "指名競争入札 参加資格を有するもの",
        ),
        ("ＡＢＣＤＥＦＧＨＩＪＫ", "abcdefghijkl abcdefgh"),
        ("aaaaaaaaaaaa", "aaaaaaaa"),
        ("競争入札", "一般競争入札参加資格を有する者一般競争入札"),
    ];
    let mut docs: Vec<TenderDoc> = texts
        .iter()
        .enumerate()
        .map(|(i, (t, s))| tender(i as i64 + 1, t, s))
        .collect();
    docs[3].buyer_name = "入札参加資格審".into();
    // Two segments.
    let ix = index_with(&docs[..4]);
    ix.upsert_tenders(&docs[4..]).unwrap();
    ix.commit().unwrap();
    indexed(&docs);
    let fields: Vec<Vec<String>> = docs
        .iter()
        .map(|d| {
            vec![
                normalize(&d.title),
                normalize(&d.summary),
                normalize(&d.buyer_name),
            ]
        })
        .collect();
    let containing = |term: &str| -> Vec<i64> {
        docs.iter()
            .zip(&fields)
            .filter(|(_, f)| f.iter().any(|t| t.contains(term)))
            .map(|(d, _)| d.id)
            .collect()
    };
    let mut terms: Vec<String> = Vec::new();
    for f in fields.iter().flatten() {
        let chars: Vec<char> = f.chars().collect();
        for m in [5, 6, 7, 8, 9, 12] {
            if chars.len() < m {
                continue;
            }
            for from in [0, (chars.len() - m) / 2, chars.len() - m] {
                terms.push(chars[from..from + m].iter().collect());
            }
        }
    }
    for f in &fields {
        // Across the end of the title and its second copy, the title and
        // the summary, the summary and the buyer's name.
        for (a, b) in [(&f[0], &f[0]), (&f[0], &f[1]), (&f[1], &f[2])] {
            let a: Vec<char> = a.chars().collect();
            let b: Vec<char> = b.chars().collect();
            for (ka, kb) in [(3, 3), (4, 4), (6, 6), (2, 7)] {
                if a.len() >= ka && b.len() >= kb {
                    terms.push(a[a.len() - ka..].iter().chain(&b[..kb]).collect());
                }
            }
        }
    }
    terms.retain(|t| !t.starts_with(' ') && !t.ends_with(' '));
    terms.sort();
    terms.dedup();
    let (mut found, mut empty) = (0, 0);
    for term in &terms {
        let want = containing(term);
        assert_eq!(ids(&ix, q(&format!("\"{term}\""))), want, "{term}");
        let others: Vec<i64> = containing("テスト市")
            .into_iter()
            .filter(|i| !want.contains(i))
            .collect();
        assert_eq!(
            ids(&ix, q(&format!("テスト市 NOT \"{term}\""))),
            others,
            "NOT {term}"
        );
        let with_kyoso: Vec<i64> = want
            .iter()
            .copied()
            .filter(|i| containing("競争").contains(i))
            .collect();
        assert_eq!(
            ids(&ix, q(&format!("競争 \"{term}\""))),
            with_kyoso,
            "競争 {term}"
        );
        if want.is_empty() {
            empty += 1;
        } else {
            found += 1;
        }
    }
    assert!(found > 50 && empty > 10, "{found} found, {empty} not");
}

#[test]
fn the_index_is_shared_across_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<SearchIndex>();
    let ix = std::sync::Arc::new(index_with(&[tender(1, "清掃", "")]));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let ix = ix.clone();
            std::thread::spawn(move || ix.search_tenders(&q("清掃")).unwrap().total)
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 1);
    }
}

#[test]
fn many_terms_highlight_like_few() {
    let text = "東京都の庁舎清掃業務（<本館>）";
    let terms = ["清掃", "東京", "本館", "x", "y", "z", "w", "v", "u", "庁"];
    let few = highlight_html(text, &terms[..3], None);
    assert_eq!(
        few,
        "<mark>東京</mark>都の庁舎<mark>清掃</mark>業務（&lt;<mark>本館</mark>&gt;）"
    );
    let many = highlight_html(text, &terms, None);
    assert_eq!(
        many,
        "<mark>東京</mark>都の<mark>庁</mark>舎<mark>清掃</mark>業務（&lt;<mark>本館</mark>&gt;）"
    );
}
