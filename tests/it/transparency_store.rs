//! The transparency log's storage behaviour suite: every bidding event's
//! write appends its entry in the same transaction (and a refused write
//! appends nothing), the stored tree is the RFC 9162 tree of the entries,
//! proofs assembled from stored nodes equal the O(n) reference, and signed
//! heads are kept one per size — on SQLite and PostgreSQL alike.

use chrono::{DateTime, Duration, TimeZone, Utc};
use musubi_domain::tender::{TenderStatus, Transition};
use musubi_domain::transparency::entry::LogEntry;
use musubi_domain::transparency::{
    Hash, consistency_proof_plan, consistency_proof_ref, inclusion_proof_plan, inclusion_proof_ref,
    leaf_hash, root_of,
};
use musubi_domain::{OrgKind, tender::TenderContent};
use musubi_storage::{
    NewAward, NewBid, NewOpening, OrgId, Storage, StoredTreeHead, TenderId, UserId,
};
use serde_json::json;

use crate::support::{TestDb, both_backends, org_member, published, step, tender_audit};

both_backends!(
    every_bidding_event_is_logged_in_its_transaction,
    the_stored_tree_and_proofs_are_the_rfc_ones,
    signed_heads_are_kept_one_per_size,
);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 11, 0, 0, 0).unwrap()
}

async fn party(s: &dyn Storage, email: &str, kind: OrgKind, name: &str) -> (OrgId, UserId) {
    let p = org_member(s, email, kind, name, t0()).await;
    (p.membership.expect("a member").org_id, p.user_id)
}

fn bid(tender: TenderId, bidder: OrgId, by: UserId, n: u8) -> NewBid {
    NewBid {
        tender_id: tender,
        round: 1,
        bidder,
        submitted_by: by,
        received_at: t0() + Duration::days(2) + Duration::seconds(i64::from(n)),
        commitment: format!("{n:02x}").repeat(32),
        sealed: vec![n; 8],
        receipt: json!({ "n": n }),
    }
}

/// Every entry: its kind, its parsed form, and a check that the stored leaf
/// hash is the hash of the stored bytes.
async fn log(s: &dyn Storage) -> Vec<LogEntry> {
    let (size, root) = s.log_state().await.unwrap();
    let entries = s.log_entries(0, size).await.unwrap();
    assert_eq!(entries.len() as u64, size);
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.index, i as u64);
        assert_eq!(e.leaf_hash, leaf_hash(e.entry.as_bytes()), "leaf {i}");
    }
    let leaves: Vec<Hash> = entries.iter().map(|e| e.leaf_hash).collect();
    assert_eq!(
        root,
        root_of(&leaves),
        "the stored root is the root of the entries"
    );
    entries
        .iter()
        .map(|e| {
            let parsed = LogEntry::parse(e.entry.as_bytes()).unwrap();
            assert_eq!(parsed.kind(), e.kind);
            parsed
        })
        .collect()
}

fn kinds(log: &[LogEntry]) -> Vec<&'static str> {
    log.iter().map(LogEntry::kind).collect()
}

async fn every_bidding_event_is_logged_in_its_transaction(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = party(s, "clerk@city.example.jp", OrgKind::PublicBody, "川崎市").await;
    let (a, a1) = party(s, "a@sup.example.jp", OrgKind::Supplier, "多摩川設備").await;
    let (b, b1) = party(s, "b@sup.example.jp", OrgKind::Supplier, "溝口電工").await;
    assert!(log(s).await.is_empty());

    // Publication: the content as the public sees it, hashed.
    let content: TenderContent = crate::support::tender_content("庁舎空調設備の保守", t0());
    let tender = published(s, city, clerk, &content, t0()).await;
    let entries = log(s).await;
    let LogEntry::TenderPublished(p) = &entries[0] else {
        panic!("{entries:?}")
    };
    assert_eq!((p.tender_id, p.version), (tender, 1));
    assert_eq!(
        p.content_sha256,
        musubi_domain::transparency::entry::public_content_sha256(&content)
    );

    // A step that is not a bidding event is not logged.
    let opens = content.schedule.submission_opens_at;
    assert!(
        s.transition_tender(
            tender,
            TenderStatus::Published,
            &[step(Transition::StartTendering, opens, None)],
            Some(content.schedule.submission_closes_at),
            None,
            opens,
            &[],
            None,
            &[],
        )
        .await
        .unwrap()
    );
    assert_eq!(log(s).await.len(), 1);

    // Bids: the commitment only; a refused bid and a withdrawal of nothing
    // append nothing.
    let first = bid(tender, a, a1, 0xa1);
    s.insert_bid(&first, &[]).await.unwrap();
    s.insert_bid(&bid(tender, b, b1, 0xb1), &[]).await.unwrap();
    assert!(s.insert_bid(&bid(tender, a, a1, 0xa2), &[]).await.is_err());
    s.withdraw_bid(tender, 1, b, "辞退します", t0() + Duration::days(3), &[])
        .await
        .unwrap();
    assert_eq!(
        s.withdraw_bid(tender, 1, b, "二度目", t0() + Duration::days(3), &[])
            .await
            .unwrap(),
        None
    );
    let entries = log(s).await;
    assert_eq!(
        kinds(&entries),
        [
            "tender.published",
            "bid.received",
            "bid.received",
            "bid.withdrawn"
        ]
    );
    assert_eq!(
        entries[1],
        LogEntry::BidReceived {
            commitment: first.commitment.clone()
        }
    );
    assert_eq!(
        entries[3],
        LogEntry::BidWithdrawn {
            commitment: "b1".repeat(32)
        }
    );
    let bytes = s.log_entries(1, 2).await.unwrap().remove(0).entry;
    assert_eq!(
        bytes,
        format!(
            r#"{{"type":"bid.received","commitment":"{}"}}"#,
            first.commitment
        )
    );

    // The opening: every bid with its commitment, revealed ones with salt.
    let closes = content.schedule.submission_closes_at;
    assert!(
        s.transition_tender(
            tender,
            TenderStatus::Tendering,
            &[step(Transition::Close, closes, None)],
            None,
            None,
            closes,
            &[],
            None,
            &[],
        )
        .await
        .unwrap()
    );
    let bids = s.round_bids(tender, 1).await.unwrap();
    let opened_at = content.schedule.opening_at;
    let record = json!({
        "version": 2, "tender_id": tender, "round": 1,
        "opened_at": "2027-01-20T01:00:00.000000Z",
        "award_method": "lowest_price", "reserve_price": 2_000_000, "minimum_price": null,
        "bids": [
            {"bid_id": bids[0].id, "state": "submitted", "commitment": bids[0].commitment,
             "received_at": "t", "canonical": "{}", "salt": "5a".repeat(32), "proposal": "社外秘"},
            {"bid_id": bids[1].id, "state": "withdrawn", "commitment": bids[1].commitment,
             "received_at": "t"},
        ],
        "winner": {"bid_id": bids[0].id},
        "evaluation_pending": false,
    });
    assert!(
        s.record_opening(
            &NewOpening {
                tender_id: tender,
                round: 1,
                opened_at,
                record,
            },
            TenderStatus::Closed,
            &[step(Transition::Open, opened_at, None)],
            None,
            &[],
            &[],
        )
        .await
        .unwrap()
    );
    // The award.
    assert!(
        s.record_award(
            &NewAward {
                tender_id: tender,
                round: 1,
                bid_id: bids[0].id,
                bidder: a,
                amount_tax_exclusive: Some(1_800_000),
                amount_tax_inclusive: Some(1_980_000),
                decided_by: clerk,
                decided_at: opened_at + Duration::hours(2),
            },
            TenderStatus::Opened,
            &step(
                Transition::Award,
                opened_at + Duration::hours(2),
                Some(clerk)
            ),
            &[],
            tender_audit("tender.award", Some(clerk)),
            &[],
        )
        .await
        .unwrap()
    );
    // A cancellation of another tender.
    let other = published(s, city, clerk, &content, t0()).await;
    assert!(
        s.transition_tender(
            other,
            TenderStatus::Published,
            &[step(
                Transition::Cancel,
                t0() + Duration::days(1),
                Some(clerk)
            )],
            None,
            Some("予算の都合により"),
            t0() + Duration::days(1),
            &[],
            None,
            &[],
        )
        .await
        .unwrap()
    );
    let entries = log(s).await;
    assert_eq!(
        kinds(&entries)[4..],
        ["opening", "award", "tender.published", "tender.cancelled"]
    );
    let LogEntry::Opening(o) = &entries[4] else {
        panic!()
    };
    assert_eq!(
        (o.tender_id, o.round, o.winner_bid_id),
        (tender, 1, Some(bids[0].id))
    );
    assert_eq!(o.bids.len(), 2);
    assert_eq!(o.bids[0].salt.as_deref(), Some("5a".repeat(32).as_str()));
    assert!(o.bids[0].valid && !o.bids[1].valid);
    let raw = &s.log_entries(4, 5).await.unwrap()[0].entry;
    assert!(
        !raw.contains("社外秘"),
        "proposal texts stay out of the log"
    );
    let LogEntry::Award(w) = &entries[5] else {
        panic!()
    };
    assert_eq!(
        (w.bid_id, w.amount_tax_exclusive),
        (bids[0].id, Some(1_800_000))
    );
    let LogEntry::TenderCancelled(c) = &entries[7] else {
        panic!()
    };
    assert_eq!(c.tender_id, other);

    // Lookup by leaf hash.
    let leaf = leaf_hash(
        &LogEntry::BidReceived {
            commitment: first.commitment,
        }
        .to_bytes(),
    );
    assert_eq!(s.log_index_of(&leaf).await.unwrap(), Some(1));
    assert_eq!(s.log_index_of(&leaf_hash(b"nothing")).await.unwrap(), None);
}

async fn the_stored_tree_and_proofs_are_the_rfc_ones(db: TestDb) {
    let s = &*db.storage;
    let entries: Vec<LogEntry> = (0..37u32)
        .map(|i| LogEntry::BidReceived {
            commitment: format!("{i:064x}"),
        })
        .collect();
    // Three transactions of uneven sizes.
    assert_eq!(s.append_log_entries(&entries[..1], t0()).await.unwrap(), 0);
    assert_eq!(
        s.append_log_entries(&entries[1..20], t0()).await.unwrap(),
        1
    );
    assert_eq!(
        s.append_log_entries(&entries[20..], t0()).await.unwrap(),
        20
    );
    let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(&e.to_bytes())).collect();
    let (size, root) = s.log_state().await.unwrap();
    assert_eq!((size, root), (37, root_of(&leaves)));
    assert_eq!(log(s).await, entries);

    for tree in [1u64, 2, 5, 16, 31, 37] {
        for index in 0..tree {
            let plan = inclusion_proof_plan(index, tree).unwrap();
            let nodes = s.log_nodes(&plan.nodes()).await.unwrap();
            assert_eq!(nodes.len(), plan.nodes().len(), "every node is stored");
            let found: std::collections::HashMap<_, _> = nodes.into_iter().collect();
            let proof = plan.assemble(|id| found.get(&id).copied()).unwrap();
            assert_eq!(
                proof,
                inclusion_proof_ref(&leaves[..tree as usize], index).unwrap(),
                "inclusion of {index} in {tree}"
            );
        }
    }
    for old in 1..37u64 {
        let plan = consistency_proof_plan(old, 37).unwrap();
        let found: std::collections::HashMap<_, _> = s
            .log_nodes(&plan.nodes())
            .await
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(
            plan.assemble(|id| found.get(&id).copied()).unwrap(),
            consistency_proof_ref(&leaves, old).unwrap(),
            "consistency {old} → 37"
        );
    }
    // Reads are bounded and ordered.
    let page = s.log_entries(30, 100).await.unwrap();
    assert_eq!(
        page.iter().map(|e| e.index).collect::<Vec<_>>(),
        (30..37).collect::<Vec<_>>()
    );
}

async fn signed_heads_are_kept_one_per_size(db: TestDb) {
    let s = &*db.storage;
    assert_eq!(s.latest_tree_head().await.unwrap(), None);
    let head = |size: u64, sig: u8| StoredTreeHead {
        tree_size: size,
        root_hash: leaf_hash(&[sig]),
        signed_at: t0() + Duration::milliseconds(i64::from(sig)),
        key_id: "0123456789abcdef".into(),
        signature: vec![sig; 64],
    };
    assert!(s.insert_tree_head(&head(3, 1)).await.unwrap());
    assert!(s.insert_tree_head(&head(10, 2)).await.unwrap());
    assert!(
        !s.insert_tree_head(&head(3, 9)).await.unwrap(),
        "one per size"
    );
    assert_eq!(s.tree_head(3).await.unwrap(), Some(head(3, 1)));
    assert_eq!(s.latest_tree_head().await.unwrap(), Some(head(10, 2)));
    assert_eq!(s.tree_head(4).await.unwrap(), None);
}
