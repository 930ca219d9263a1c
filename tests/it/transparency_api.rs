//! The transparency log's public API and page, on both databases, served in
//! this process on a manual clock: a tender published and bids submitted
//! through the API are entered in order; the proof a receipt carries checks
//! out with the published key, the tree heads grow consistently up to the
//! opening, every entry's leaf hash is the hash of the text served, bad
//! parameters answer 400 with a stable code, and the page shows the key and
//! the log in both languages.

use base64::Engine as _;
use chrono::{DateTime, Duration, TimeZone, Utc};
use musubi_app::ManualClock;
use musubi_app::transparency::SignedTreeHead;
use musubi_domain::OrgKind;
use musubi_domain::transparency::entry::LogEntry;
use musubi_domain::transparency::{Hash, leaf_hash, verify_consistency, verify_inclusion};
use serde_json::{Value, json};

use crate::bids_web::tender_body;
use crate::portal::{Client, Reply};
use crate::support::{
    TestDb, both_backends, eligible_supplier, org_member, serve_in_process, session_client,
};

both_backends!(transparency_log_over_http);

/// 2026-12-01 09:00 JST, as in `bids_web` (whose `tender_body` opens
/// submissions on day 2 and the bids on day 12 plus an hour).
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
}

fn code(r: &Reply) -> &str {
    r.body["error"]["code"].as_str().unwrap_or_default()
}

fn hash(v: &Value) -> Hash {
    Hash::parse(v.as_str().unwrap_or_else(|| panic!("not a hash: {v}"))).unwrap()
}

fn hashes(v: &Value) -> Vec<Hash> {
    v.as_array().unwrap().iter().map(hash).collect()
}

fn head_of(v: &Value) -> SignedTreeHead {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{e}: {v}"))
}

/// The answer has exactly the fields the API description lists for `schema`.
fn documented(doc: &Value, schema: &str, v: &Value) {
    let s = &doc["components"]["schemas"][schema];
    let mut props: Vec<&String> = s["properties"].as_object().unwrap().keys().collect();
    let mut got: Vec<&String> = v.as_object().unwrap().keys().collect();
    props.sort();
    got.sort();
    assert_eq!(got, props, "{schema}: {v}");
}

async fn get_ok(c: &mut Client, path: &str) -> Value {
    let r = c.get(path).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text);
    r.body
}

async fn transparency_log_over_http(db: TestDb) {
    let clock = ManualClock::new(t0());
    let (base, services) = serve_in_process(&db, &clock).await;
    let storage = &*db.storage;
    let mut anon = Client::new(&base);

    // --- The keys, and the empty log. ---
    let keys = get_ok(&mut anon, "/api/v1/transparency/public-key").await;
    assert_eq!(keys["algorithm"], "Ed25519");
    let receipt_key = get_ok(&mut anon, "/api/v1/receipt-key").await;
    assert_eq!(keys["receipt_public_key"], receipt_key["public_key"]);
    assert_eq!(keys["receipt_key_id"], receipt_key["key_id"]);
    assert_ne!(
        keys["public_key"], keys["receipt_public_key"],
        "the log has its own key"
    );
    let log_key = base64::engine::general_purpose::STANDARD
        .decode(keys["public_key"].as_str().unwrap())
        .unwrap();
    let key_id = keys["key_id"].as_str().unwrap().to_owned();
    let empty = head_of(&get_ok(&mut anon, "/api/v1/transparency/tree-head").await);
    assert_eq!(empty.tree_size, 0);
    empty.verify(&log_key).unwrap();

    // --- A tender published through the API: the first entry. ---
    let buyer_p = org_member(
        storage,
        "keiyaku@city.example.jp",
        OrgKind::PublicBody,
        "架空市役所",
        t0(),
    )
    .await;
    let mut buyer = session_client(storage, &base, &buyer_p, t0()).await;
    let r = buyer.post("/api/v1/tenders", tender_body()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    let r = buyer
        .post(&format!("/api/v1/tenders/{id}/publish"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let first = head_of(&get_ok(&mut anon, "/api/v1/transparency/tree-head").await);
    assert_eq!(first.tree_size, 1);
    assert_eq!(first.key_id, key_id);
    first.verify(&log_key).unwrap();

    // --- Two bids through the API: each receipt proves its entry. ---
    let day3 = t0() + Duration::days(3);
    clock.set(day3);
    services.advance_due_tenders(day3).await.unwrap();
    let mut commitments = Vec::new();
    let mut bid_ids = Vec::new();
    let mut suppliers = Vec::new();
    for (n, (email, name, amount)) in [
        ("sato@toyo.example.jp", "株式会社東洋清掃", 1_150_000),
        ("info@naniwa.example.jp", "浪速商事株式会社", 1_098_765),
    ]
    .into_iter()
    .enumerate()
    {
        let p = eligible_supplier(&services, email, name, t0()).await;
        let mut c = session_client(storage, &base, &p, t0()).await;
        let r = c
            .post(
                &format!("/api/v1/tenders/{id}/bids"),
                json!({"amount": amount, "lottery_number": "042"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let receipt = &r.body["receipt"];
        let commitment = receipt["commitment"].as_str().unwrap().to_owned();
        let proof = &receipt["transparency"];
        let index = proof["log_index"].as_u64().unwrap();
        assert_eq!(index, 1 + n as u64, "entries in the order received");
        let leaf = hash(&proof["leaf_hash"]);
        let logged = LogEntry::BidReceived {
            commitment: commitment.clone(),
        };
        assert_eq!(leaf, leaf_hash(&logged.to_bytes()));
        let head = head_of(&proof["tree_head"]);
        assert_eq!(head.tree_size, index + 1);
        assert_eq!(proof["log_public_key"], keys["public_key"]);
        head.verify(&log_key).unwrap();
        verify_inclusion(
            leaf,
            index,
            head.tree_size,
            &hashes(&proof["inclusion_proof"]),
            head.root_hash,
        )
        .unwrap();
        // A proof against another root does not verify.
        assert!(
            verify_inclusion(
                leaf,
                index,
                head.tree_size,
                &hashes(&proof["inclusion_proof"]),
                first.root_hash,
            )
            .is_err()
        );
        commitments.push(commitment);
        bid_ids.push(r.body["bid_id"].as_i64().unwrap());
        suppliers.push(c);
    }

    // --- The log holds them in order; every leaf hash is its entry's. ---
    let entries = get_ok(&mut anon, "/api/v1/transparency/entries?start=0&end=1000").await;
    let entries = entries["entries"].as_array().unwrap().clone();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["tender.published", "bid.received", "bid.received"]);
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e["index"], i as u64);
        let text = e["entry"].as_str().unwrap();
        assert_eq!(hash(&e["leaf_hash"]), leaf_hash(text.as_bytes()), "{e}");
        let parsed = LogEntry::parse(text.as_bytes()).unwrap();
        assert_eq!(parsed.kind(), kinds[i]);
        match parsed {
            LogEntry::TenderPublished(t) => assert_eq!(t.tender_id, id),
            LogEntry::BidReceived { commitment } => {
                assert_eq!(commitment, commitments[i - 1]);
                // The commitment only: neither the bidder nor the tender.
                assert!(!text.contains("東洋") && !text.contains("浪速"), "{text}");
                assert!(!text.contains("tender"), "{text}");
            }
            other => panic!("unexpected entry {other:?}"),
        }
    }
    let r = anon.get("/api/v1/transparency/entries?start=1&end=2").await;
    assert_eq!(r.body["entries"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["entries"][0]["index"], 1);

    // --- The head grew; it is consistent with the first; proofs agree. ---
    let now = head_of(&get_ok(&mut anon, "/api/v1/transparency/tree-head").await);
    assert_eq!(now.tree_size, 3);
    now.verify(&log_key).unwrap();
    let again = head_of(&get_ok(&mut anon, "/api/v1/transparency/tree-heads/1").await);
    assert_eq!(again, first, "a head of one size is signed once");
    let c = get_ok(
        &mut anon,
        "/api/v1/transparency/proof/consistency?first=1&second=3",
    )
    .await;
    assert_eq!(
        (c["first"].as_u64(), c["second"].as_u64()),
        (Some(1), Some(3))
    );
    verify_consistency(1, 3, first.root_hash, now.root_hash, &hashes(&c["proof"])).unwrap();
    assert!(verify_consistency(1, 3, now.root_hash, now.root_hash, &hashes(&c["proof"])).is_err());
    let by_index = get_ok(
        &mut anon,
        "/api/v1/transparency/proof/inclusion?tree_size=3&index=2",
    )
    .await;
    let leaf = entries[2]["leaf_hash"].as_str().unwrap();
    let by_hash = get_ok(
        &mut anon,
        &format!("/api/v1/transparency/proof/inclusion?tree_size=3&leaf_hash={leaf}"),
    )
    .await;
    assert_eq!(by_index, by_hash);
    assert_eq!(by_index["leaf_index"], 2);
    verify_inclusion(
        hash(&by_index["leaf_hash"]),
        2,
        3,
        &hashes(&by_index["audit_path"]),
        now.root_hash,
    )
    .unwrap();

    // --- The answers are as the API description says. ---
    let doc = get_ok(&mut anon, "/api/v1/openapi.json").await;
    documented(&doc, "TransparencyPublicKey", &keys);
    documented(&doc, "SignedTreeHead", &serde_json::to_value(&now).unwrap());
    documented(&doc, "InclusionProof", &by_index);
    documented(&doc, "ConsistencyProof", &c);
    documented(&doc, "LogEntry", &entries[0]);

    // --- The stored receipt carries a proof against the first head that
    // holds its entry (signed at its submission), not the latest: it reads
    // the same every time. ---
    let r = suppliers[0]
        .get(&format!("/api/v1/bids/{}/receipt", bid_ids[0]))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let proof = &r.body["transparency"];
    documented(&doc, "ReceiptProof", proof);
    assert_eq!(proof["log_index"], 1);
    let head = head_of(&proof["tree_head"]);
    assert_eq!(head.tree_size, 2, "the head signed when the bid arrived");
    assert!(head.tree_size < now.tree_size);
    verify_inclusion(
        hash(&proof["leaf_hash"]),
        1,
        head.tree_size,
        &hashes(&proof["inclusion_proof"]),
        head.root_hash,
    )
    .unwrap();
    let r = suppliers[0]
        .get(&format!("/bids/{}/receipt", bid_ids[0]))
        .await;
    assert_eq!(r.status, 200);
    assert!(
        r.text
            .contains("<span data-test=\"receipt-log-index\">1</span>"),
        "{}",
        r.text
    );
    assert!(r.text.contains("href=\"/transparency\""));

    // --- Bad parameters: 400 with a stable code, never a 500. ---
    let tp = "/api/v1/transparency";
    for (path, want, field) in [
        (
            "/proof/inclusion?index=0",
            "invalid_parameter",
            Some("tree_size"),
        ),
        (
            "/proof/inclusion?tree_size=abc&index=0",
            "invalid_parameter",
            Some("tree_size"),
        ),
        (
            "/proof/inclusion?tree_size=-1&index=0",
            "invalid_parameter",
            Some("tree_size"),
        ),
        (
            "/proof/inclusion?tree_size=3",
            "invalid_parameter",
            Some("index"),
        ),
        (
            "/proof/inclusion?tree_size=3&index=0&leaf_hash=00",
            "invalid_parameter",
            Some("leaf_hash"),
        ),
        (
            "/proof/inclusion?tree_size=3&leaf_hash=xyz",
            "invalid_parameter",
            Some("leaf_hash"),
        ),
        (
            "/proof/inclusion?tree_size=3&index=1&index=2",
            "invalid_parameter",
            Some("index"),
        ),
        (
            "/proof/inclusion?tree_size=99999999999999999999&index=0",
            "invalid_parameter",
            Some("tree_size"),
        ),
        (
            "/proof/inclusion?tree_size=4&index=0",
            "invalid_tree_size",
            None,
        ),
        (
            "/proof/inclusion?tree_size=3&index=3",
            "proof_index_out_of_range",
            None,
        ),
        (
            "/proof/inclusion?tree_size=0&index=0",
            "proof_empty_tree",
            None,
        ),
        (
            "/proof/inclusion?tree_size=9223372036854775807&index=9223372036854775806",
            "invalid_tree_size",
            None,
        ),
        (
            "/proof/consistency?first=1",
            "invalid_parameter",
            Some("second"),
        ),
        (
            "/proof/consistency?first=x&second=3",
            "invalid_parameter",
            Some("first"),
        ),
        (
            "/proof/consistency?first=1&second=4",
            "invalid_tree_size",
            None,
        ),
        (
            "/proof/consistency?first=3&second=1",
            "proof_old_size_after_new",
            None,
        ),
        (
            "/proof/consistency?first=0&second=3",
            "proof_old_size_zero",
            None,
        ),
        ("/entries?start=0", "invalid_parameter", Some("end")),
        ("/entries?start=2&end=1", "invalid_range", None),
        (
            "/entries?start=1.5&end=3",
            "invalid_parameter",
            Some("start"),
        ),
        (
            "/entries?start=9223372036854775806&end=9223372036854775807",
            "",
            None,
        ),
        ("/tree-heads/abc", "invalid_parameter", Some("size")),
    ] {
        let r = anon.get(&format!("{tp}{path}")).await;
        if want.is_empty() {
            // Past the end of the log: nothing, not an error.
            assert_eq!(r.status, 200, "{path}: {}", r.text);
            assert_eq!(r.body["entries"], json!([]), "{path}");
            continue;
        }
        assert_eq!(
            (r.status.as_u16(), code(&r)),
            (400, want),
            "{path}: {}",
            r.text
        );
        if let Some(field) = field {
            assert!(
                r.body["error"]["fields"].get(field).is_some(),
                "{path}: {} should name {field}",
                r.text
            );
        }
    }
    let unknown = "ab".repeat(32);
    let r = anon
        .get(&format!(
            "{tp}/proof/inclusion?tree_size=3&leaf_hash={unknown}"
        ))
        .await;
    assert_eq!((r.status.as_u16(), code(&r)), (404, "leaf_not_found"));
    let r = anon.get(&format!("{tp}/tree-heads/99")).await;
    assert_eq!((r.status.as_u16(), code(&r)), (404, "tree_head_not_found"));
    let r = anon
        .get(&format!("{tp}/proof/inclusion?tree_size=3&index=0&lang=ja"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // --- The page, in Japanese and in English. ---
    let r = anon.get("/transparency").await;
    assert_eq!(r.status, 200, "{}", r.text);
    for s in [
        "<html lang=\"ja\"",
        "透明性ログ",
        "受付票で証明できること",
        "musubi verify",
        "musubi audit --server http://musubi.test",
        "/api/v1/transparency/proof/consistency",
        &format!("<code data-test=\"log-key-id\">{key_id}</code>"),
        receipt_key["key_id"].as_str().unwrap(),
        "data-value=\"3\"",
        "3件",
        &now.root_hash.to_hex(),
        "公告",
        "入札書受付",
        &format!("href=\"/tenders/{id}\""),
        "href=\"/transparency\"",
    ] {
        assert!(r.text.contains(s), "{s} missing from the page");
    }
    let r = anon.get("/transparency?lang=en").await;
    assert_eq!(r.status, 200);
    for s in [
        "<html lang=\"en\"",
        "Transparency log",
        "What the receipt (受付票) proves",
        &key_id,
        "data-value=\"3\"",
        "Published",
        "Bid received",
    ] {
        assert!(r.text.contains(s), "{s} missing from the English page");
    }

    // --- The opening is entered too, and the log stays consistent. ---
    let opening = t0() + Duration::days(12) + Duration::hours(1);
    clock.set(opening);
    let report = services.advance_due_tenders(opening).await.unwrap();
    assert_eq!(report.failed, 0, "{report:?}");
    let opened = head_of(&get_ok(&mut anon, "/api/v1/transparency/tree-head").await);
    assert!(opened.tree_size > now.tree_size);
    opened.verify(&log_key).unwrap();
    let c = get_ok(
        &mut anon,
        &format!(
            "/api/v1/transparency/proof/consistency?first=3&second={}",
            opened.tree_size
        ),
    )
    .await;
    verify_consistency(
        3,
        opened.tree_size,
        now.root_hash,
        opened.root_hash,
        &hashes(&c["proof"]),
    )
    .unwrap();
    let r = get_ok(
        &mut anon,
        &format!(
            "/api/v1/transparency/entries?start=3&end={}",
            opened.tree_size
        ),
    )
    .await;
    let text = r["entries"][0]["entry"].as_str().unwrap();
    match LogEntry::parse(text.as_bytes()).unwrap() {
        LogEntry::Opening(o) => {
            assert_eq!(o.tender_id, id);
            let logged: Vec<&str> = o.bids.iter().map(|b| b.commitment.as_str()).collect();
            for c in &commitments {
                assert!(logged.contains(&c.as_str()), "{c} not in the opening");
            }
        }
        other => panic!("expected the opening, got {other:?}"),
    }
    let r = anon.get("/transparency").await;
    assert!(
        r.text.contains("<tr data-kind=\"opening\">"),
        "the opening is listed"
    );
}
