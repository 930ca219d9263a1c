//! The bid's content and the evaluation inputs through the services, on both
//! databases: attachments sealed like the bid (never in the clear on disk,
//! committed, listed to the bidder, downloadable after the opening by whom
//! the rule allows); 総合評価 scores locked before the opening (and the
//! opening's refusal to evaluate without them); proposals scored after the
//! opening, ranked and awarded; 再度入札 after 不調 among the bidders the
//! last round allows, opened at its own time; and the store's guards for
//! the lock and the rebid.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use musubi_app::sealing::{CanonicalBid, Salt};
use musubi_app::tenders::bids::{BidFile, RebidInput, ScoringInput};
use musubi_app::tenders::{BidInput, TenderInput};
use musubi_app::{ManualClock, RequestCtx, ServiceError, Services};
use musubi_domain::tender::{TenderStatus as S, Transition};
use musubi_domain::{OrgKind, Principal};
use musubi_storage::{
    AuditEntry, EventKind, NewRebid, OrgId, Paging, ScoreLock, StorageError, TenderId,
};
use serde_json::Value;

use crate::bids::{
    base64_decode, bid, closes, code, input, opening, services, status, supplier, t0,
};
use crate::support::{TestDb, both_backends, org_member, step};

both_backends!(
    attachments_are_sealed_committed_and_opened_for_the_right_people,
    best_value_scores_are_locked_before_the_opening,
    an_opening_without_locked_scores_cannot_evaluate,
    proposals_are_scored_after_the_opening_then_awarded,
    a_rebid_is_held_among_the_last_rounds_bidders,
    the_store_guards_the_lock_and_the_rebid,
);

const BREAKDOWN: &[u8] =
    "%PDF-1.7\n% 入札書内訳書：人件費 612,000円 資材費 288,000円\n%%EOF\n".as_bytes();
const PLAN: &[u8] = "%PDF-1.7\n% 企画提案書：量子結び目工法による業務改善\n%%EOF\n".as_bytes();

struct World {
    db: TestDb,
    clock: ManualClock,
    svc: Services,
    buyer: Principal,
}

async fn world(db: TestDb) -> World {
    let clock = ManualClock::new(t0());
    let svc = services(Arc::clone(&db.storage), &clock, &db);
    let buyer = org_member(
        &*db.storage,
        "buyer@example.jp",
        OrgKind::PublicBody,
        "東京都",
        t0(),
    )
    .await;
    World {
        db,
        clock,
        svc,
        buyer,
    }
}

impl World {
    async fn tender(&self, input: TenderInput) -> TenderId {
        let ctx = RequestCtx::default();
        self.clock.set(t0());
        let id = self
            .svc
            .create_tender(&self.buyer, &input, &ctx)
            .await
            .unwrap();
        self.svc
            .publish_tender(&self.buyer, id, &ctx)
            .await
            .unwrap();
        id
    }

    /// Moves the clock and makes the scheduler's due steps.
    async fn at(&self, at: DateTime<Utc>) {
        self.clock.set(at);
        let r = self.svc.advance_due_tenders(at).await.unwrap();
        assert_eq!(r.failed, 0, "{r:?}");
    }

    async fn submit(
        &self,
        who: &Principal,
        id: TenderId,
        input: &BidInput,
        files: Vec<BidFile>,
    ) -> Result<musubi_app::tenders::SubmittedBid, ServiceError> {
        self.svc
            .submit_bid_with_files(who, id, input, files, &RequestCtx::default())
            .await
    }

    async fn status(&self, id: TenderId) -> S {
        status(&*self.db.storage, id).await
    }

    async fn record(&self, id: TenderId, round: usize) -> Value {
        self.svc.tender_results(None, id).await.unwrap().openings[round - 1].clone()
    }
}

fn file(name: &str, bytes: &[u8]) -> BidFile {
    BidFile {
        filename: name.into(),
        bytes: bytes.to_vec(),
    }
}

fn proposal(text: &str, lottery: &str) -> BidInput {
    BidInput {
        proposal: text.into(),
        lottery_number: lottery.into(),
        ..BidInput::default()
    }
}

fn sha256(bytes: &[u8]) -> String {
    musubi_app::blobs::BlobStore::digest(bytes)
}

/// Every file under `dir`, read whole.
fn files_under(dir: &std::path::Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push(bytes);
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn attachments_are_sealed_committed_and_opened_for_the_right_people(db: TestDb) {
    let w = world(db).await;
    let ctx = RequestCtx::default();
    let sealed = w.tender(input()).await;
    let proposals = w
        .tender(TenderInput {
            kind: "proposal".into(),
            title: "窓口業務改善の企画提案".into(),
            award_method: "proposal_evaluation".into(),
            reserve_price: "5000000".into(),
            minimum_price: String::new(),
            ..input()
        })
        .await;
    let a = supplier(&w.svc, "a@example.jp").await;
    let b = supplier(&w.svc, "b@example.jp").await;
    w.at(t0() + TimeDelta::days(3)).await;

    // Problems with the files are named, with the amount's, at once.
    let e = w
        .submit(
            &a,
            sealed,
            &bid("abc", "123"),
            vec![file("内訳書.pdf", BREAKDOWN), file("追加.exe", b"MZ")],
        )
        .await
        .unwrap_err();
    let codes = code(e);
    for c in [
        "money_invalid_character",
        "too_many_attachments",
        "attachment_type_refused",
    ] {
        assert!(codes.contains(c), "{c} missing from {codes}");
    }

    // A 内訳書 with the bid: listed to the bidder, committed, sealed.
    let submitted = w
        .submit(
            &a,
            sealed,
            &bid("900000", "418"),
            vec![file("内訳書.pdf", BREAKDOWN)],
        )
        .await
        .unwrap();
    assert_eq!(submitted.attachments.len(), 1);
    let listed = &submitted.attachments[0];
    assert_eq!(
        (
            listed.index,
            listed.name.as_str(),
            listed.content_type.as_str()
        ),
        (1, "内訳書.pdf", "application/pdf")
    );
    assert_eq!(listed.sha256, sha256(BREAKDOWN));
    assert_eq!(listed.size, BREAKDOWN.len() as i64);
    let (public_key, _) = w.svc.receipt_public_key().unwrap();
    let canonical = CanonicalBid {
        tender_id: sealed,
        round: 1,
        bidder_org_id: a.org_id().unwrap(),
        amount_yen: Some(900_000),
        lottery_number: Some("418".into()),
        proposal_sha256: None,
        attachments_sha256: vec![sha256(BREAKDOWN)],
    };
    let salt: Salt = submitted.receipt.salt.parse().unwrap();
    submitted
        .receipt
        .receipt
        .verify_opening(&base64_decode(&public_key), &canonical, &salt)
        .expect("the commitment covers the file's digest");
    let without = CanonicalBid {
        attachments_sha256: vec![],
        ..canonical.clone()
    };
    assert!(
        submitted
            .receipt
            .receipt
            .verify_opening(&base64_decode(&public_key), &without, &salt)
            .is_err()
    );

    let proposal_bid = w
        .submit(
            &b,
            proposals,
            &proposal("窓口の待ち時間を半減する提案。", "210"),
            vec![
                file("企画提案書.pdf", PLAN),
                file("体制表.csv", "氏名,役割\n".as_bytes()),
            ],
        )
        .await
        .unwrap();
    assert_eq!(proposal_bid.attachments.len(), 2);

    // Nothing of a file is readable on disk or in the database, not even
    // its name; nothing can be downloaded before the opening, by anyone.
    for blob in files_under(&w.db.data_path().join("blobs")) {
        for secret in [
            &b"612,000"[..],
            "量子結び目".as_bytes(),
            "入札書内訳書".as_bytes(),
        ] {
            assert!(!contains(&blob, secret), "a blob holds a file in the clear");
        }
    }
    for row in w.db.storage.round_bids(sealed, 1).await.unwrap() {
        assert!(!contains(&row.sealed, "内訳書".as_bytes()));
        assert!(!row.receipt.to_string().contains(&sha256(BREAKDOWN)));
    }
    for who in [None, Some(&a), Some(&w.buyer)] {
        let e = w
            .svc
            .bid_attachment(who, sealed, submitted.bid_id, 1)
            .await
            .unwrap_err();
        assert!(matches!(e, ServiceError::NotFound), "{e:?}");
    }

    w.at(opening()).await;
    assert_eq!(w.status(sealed).await, S::Opened);
    assert_eq!(w.status(proposals).await, S::Evaluating);

    // The 内訳書 is public with the amounts: listed, and anyone downloads it.
    let record = w.record(sealed, 1).await;
    let listed = &record["bids"][0]["attachments"][0];
    assert_eq!(listed["name"], "内訳書.pdf");
    assert_eq!(listed["sha256"], sha256(BREAKDOWN).as_str());
    assert_eq!(record["bids"][0]["commitment_verified"], true);
    let (meta, bytes) = w
        .svc
        .bid_attachment(None, sealed, submitted.bid_id, 1)
        .await
        .unwrap();
    assert_eq!(bytes, BREAKDOWN);
    assert_eq!(meta.name, "内訳書.pdf");
    for missing in [0, 2] {
        assert!(matches!(
            w.svc
                .bid_attachment(None, sealed, submitted.bid_id, missing)
                .await,
            Err(ServiceError::NotFound)
        ));
    }
    // A bid of another tender is not found through this one.
    assert!(matches!(
        w.svc
            .bid_attachment(None, proposals, submitted.bid_id, 1)
            .await,
        Err(ServiceError::NotFound)
    ));

    // A proposal's documents: the buyer and the bidder only.
    let (_, plan) = w
        .svc
        .bid_attachment(Some(&w.buyer), proposals, proposal_bid.bid_id, 1)
        .await
        .unwrap();
    assert_eq!(plan, PLAN);
    let (meta, _) = w
        .svc
        .bid_attachment(Some(&b), proposals, proposal_bid.bid_id, 2)
        .await
        .unwrap();
    assert_eq!(meta.content_type, "text/csv");
    for who in [None, Some(&a)] {
        let e = w
            .svc
            .bid_attachment(who, proposals, proposal_bid.bid_id, 1)
            .await
            .unwrap_err();
        assert_eq!(code(e), "attachment_not_public");
    }
    // Their names and digests are public; the proposal's text only by its
    // digest, except for the buyer and the bidder.
    let public = w.svc.tender_results(None, proposals).await.unwrap();
    let entry = &public.openings[0]["bids"][0];
    assert_eq!(entry["attachments"][0]["name"], "企画提案書.pdf");
    assert_eq!(
        entry["attachments"][1]["sha256"],
        sha256("氏名,役割\n".as_bytes()).as_str()
    );
    assert_eq!(entry["proposal"], serde_json::Value::Null);
    assert_eq!(entry["proposal_withheld"], true);
    let other = w.svc.tender_results(Some(&a), proposals).await.unwrap();
    assert_eq!(
        other.openings[0]["bids"][0]["proposal"],
        serde_json::Value::Null
    );
    assert_eq!(
        entry["proposal_sha256"],
        sha256("窓口の待ち時間を半減する提案。".as_bytes()).as_str()
    );
    for insider in [&w.buyer, &b] {
        let seen = w
            .svc
            .tender_results(Some(insider), proposals)
            .await
            .unwrap();
        assert_eq!(
            seen.openings[0]["bids"][0]["proposal"],
            "窓口の待ち時間を半減する提案。"
        );
    }
    let _ = ctx;
}

/// 総合評価（加算方式）: 予定価格 ¥1,000,000, 最低制限価格 none.
fn best_value() -> TenderInput {
    TenderInput {
        award_method: "best_value_additive".into(),
        minimum_price: String::new(),
        ..input()
    }
}

fn scores(pairs: &[(&Principal, &str)]) -> ScoringInput {
    ScoringInput {
        scores: pairs
            .iter()
            .map(|(p, s)| (p.org_id().unwrap(), (*s).to_owned()))
            .collect(),
        ..ScoringInput::default()
    }
}

async fn best_value_scores_are_locked_before_the_opening(db: TestDb) {
    let w = world(db).await;
    let ctx = RequestCtx::default();
    let id = w.tender(best_value()).await;
    let a = supplier(&w.svc, "a@example.jp").await;
    let b = supplier(&w.svc, "b@example.jp").await;
    let c = supplier(&w.svc, "c@example.jp").await;
    // A participant who applied is listed to be scored.
    w.svc.apply_for_tender(&a, id, &ctx).await.unwrap();
    let view = w.svc.tender_scoring(&w.buyer, id).await.unwrap();
    assert!(view.editable() && view.uses_price_points && !view.uses_base_points);
    let listed: Vec<_> = view.rows.iter().map(|r| r.bidder).collect();
    assert_eq!(listed, [a.org_id().unwrap()]);
    // Only the buyer's people score.
    assert!(w.svc.tender_scoring(&a, id).await.is_err());

    // Bad values: every one named, nothing saved.
    let bad = ScoringInput {
        price_points: Some("三十".into()),
        scores: vec![
            (a.org_id().unwrap(), "45.555".into()),
            (b.org_id().unwrap(), "-1".into()),
            (w.buyer.org_id().unwrap(), "10".into()),
        ],
        ..ScoringInput::default()
    };
    let e = w
        .svc
        .save_scoring(&w.buyer, id, &bad, &ctx)
        .await
        .unwrap_err();
    let codes = code(e);
    for c in [
        "points_invalid",
        "technical_points_too_precise",
        "technical_points_negative",
        "bidder_unknown",
    ] {
        assert!(codes.contains(c), "{c} missing from {codes}");
    }
    assert!(w.db.storage.technical_scores(id).await.unwrap().is_empty());

    // Locking needs the 価格点 and a score.
    let e = w.svc.lock_scoring(&w.buyer, id, &ctx).await.unwrap_err();
    assert_eq!(code(e), "evaluation_price_points_required");
    let with_points = ScoringInput {
        price_points: Some("30".into()),
        ..ScoringInput::default()
    };
    w.svc
        .save_scoring(&w.buyer, id, &with_points, &ctx)
        .await
        .unwrap();
    let e = w.svc.lock_scoring(&w.buyer, id, &ctx).await.unwrap_err();
    assert_eq!(code(e), "no_scores");
    // B did not apply: scored through its organisation number all the same.
    let view = w
        .svc
        .save_scoring(&w.buyer, id, &scores(&[(&a, "60"), (&b, "40.5")]), &ctx)
        .await
        .unwrap();
    assert_eq!(view.price_points, Some(30));
    assert_eq!(view.rows.len(), 2);
    let view = w.svc.lock_scoring(&w.buyer, id, &ctx).await.unwrap();
    assert!(view.locked_at.is_some() && !view.editable());
    let e = w
        .svc
        .save_scoring(&w.buyer, id, &scores(&[(&a, "99")]), &ctx)
        .await
        .unwrap_err();
    assert_eq!(code(e), "scores_locked");
    assert_eq!(
        code(w.svc.lock_scoring(&w.buyer, id, &ctx).await.unwrap_err()),
        "scores_locked"
    );

    // A: 60 + 30 × (1 − 900,000 / 1,000,000) = 63; B: 40.5 + 30 × 0.5 = 55.5;
    // C has no technical score: excluded.
    w.at(t0() + TimeDelta::days(3)).await;
    for (who, amount, lottery) in [
        (&a, "900000", "111"),
        (&b, "500000", "222"),
        (&c, "400000", "333"),
    ] {
        w.submit(who, id, &bid(amount, lottery), vec![])
            .await
            .unwrap();
    }
    w.at(opening()).await;
    assert_eq!(w.status(id).await, S::Evaluating);
    let record = w.record(id, 1).await;
    assert_eq!(record["price_points"], 30);
    assert!(record["scores_locked_at"].is_string());
    assert_eq!(record["winner"]["bidder_org_id"], a.org_id().unwrap());
    let result = &record["evaluation"]["result"]["bids"];
    let display: Vec<&str> = (0..3)
        .map(|i| result[i]["score_display"].as_str().unwrap_or("—"))
        .collect();
    assert_eq!(display, ["63.0000", "55.5000", "—"]);
    assert_eq!(result[2]["reason"], "technical_points_missing");
    assert_eq!(record["bids"][1]["technical_points"], "40.5");
    // After the opening nothing can be entered.
    let e = w
        .svc
        .save_scoring(&w.buyer, id, &scores(&[(&c, "90")]), &ctx)
        .await
        .unwrap_err();
    assert_eq!(code(e), "scores_locked");
    let award = w.svc.confirm_award(&w.buyer, id, &ctx).await.unwrap();
    assert_eq!(award.bidder_org_id, a.org_id().unwrap());
    assert_eq!(award.amount_tax_inclusive, Some(990_000));
}

async fn an_opening_without_locked_scores_cannot_evaluate(db: TestDb) {
    let w = world(db).await;
    let ctx = RequestCtx::default();
    let id = w.tender(best_value()).await;
    let a = supplier(&w.svc, "a@example.jp").await;
    w.svc
        .save_scoring(
            &w.buyer,
            id,
            &ScoringInput {
                price_points: Some("30".into()),
                ..scores(&[(&a, "60")])
            },
            &ctx,
        )
        .await
        .unwrap();
    w.at(t0() + TimeDelta::days(3)).await;
    w.submit(&a, id, &bid("900000", "111"), vec![])
        .await
        .unwrap();
    // The opening time has come but the scheduler has not run: too late.
    w.clock.set(opening());
    let e = w.svc.lock_scoring(&w.buyer, id, &ctx).await.unwrap_err();
    assert_eq!(code(e), "scoring_closed");
    w.at(opening()).await;
    assert_eq!(w.status(id).await, S::Unsuccessful);
    let record = w.record(id, 1).await;
    assert_eq!(record["evaluation_error"], "technical_scores_not_locked");
    assert!(
        record["evaluation_error_message"]["ja"]
            .as_str()
            .unwrap()
            .contains("技術評価点が開札前に確定されていなかった")
    );
    assert!(record["winner"].is_null() && record["evaluation"].is_null());
    // The prices are known now: neither scores nor a rebid can fix it.
    let e = w.svc.lock_scoring(&w.buyer, id, &ctx).await.unwrap_err();
    assert_eq!(code(e), "scoring_closed");
    let e = w
        .svc
        .start_rebid(
            &w.buyer,
            id,
            &RebidInput {
                submission_closes_at: (opening() + TimeDelta::days(1)).to_rfc3339(),
                opening_at: (opening() + TimeDelta::days(1)).to_rfc3339(),
                ..RebidInput::default()
            },
            &ctx,
        )
        .await
        .unwrap_err();
    assert_eq!(code(e), "rebid_scores_not_locked");
}

async fn proposals_are_scored_after_the_opening_then_awarded(db: TestDb) {
    let w = world(db).await;
    let ctx = RequestCtx::default();
    let id = w
        .tender(TenderInput {
            kind: "proposal".into(),
            title: "観光案内サイト構築の企画提案".into(),
            award_method: "proposal_evaluation".into(),
            reserve_price: "5000000".into(),
            minimum_price: String::new(),
            ..input()
        })
        .await;
    let a = supplier(&w.svc, "a@example.jp").await;
    let b = supplier(&w.svc, "b@example.jp").await;
    let c = supplier(&w.svc, "c@example.jp").await;
    assert_eq!(
        code(
            w.svc
                .save_scoring(&w.buyer, id, &scores(&[(&a, "10")]), &ctx)
                .await
                .unwrap_err()
        ),
        "scoring_after_opening"
    );
    w.at(t0() + TimeDelta::days(3)).await;
    for (who, text, lottery) in [
        (&a, "提案A", "100"),
        (&b, "提案B", "200"),
        (&c, "提案C", "300"),
    ] {
        w.submit(who, id, &proposal(text, lottery), vec![])
            .await
            .unwrap();
    }
    w.svc
        .withdraw_bid(&c, id, None, "体制が組めないため", &ctx)
        .await
        .unwrap();

    // Opened, not yet judged: 審査中, pending, no winner to award.
    w.at(opening()).await;
    assert_eq!(w.status(id).await, S::Evaluating);
    let record = w.record(id, 1).await;
    assert_eq!(record["evaluation_pending"], true);
    assert!(record["winner"].is_null());
    assert_eq!(
        code(w.svc.confirm_award(&w.buyer, id, &ctx).await.unwrap_err()),
        "scores_not_locked"
    );
    // The opened proposals (not the withdrawn one) are to be scored.
    let view = w.svc.tender_scoring(&w.buyer, id).await.unwrap();
    let rows: Vec<_> = view.rows.iter().map(|r| r.bidder).collect();
    assert_eq!(rows, [a.org_id().unwrap(), b.org_id().unwrap()]);
    assert!(view.rows.iter().all(|r| r.bid_id.is_some()));
    let e = w
        .svc
        .save_scoring(&w.buyer, id, &scores(&[(&c, "50")]), &ctx)
        .await
        .unwrap_err();
    assert_eq!(code(e), "not_a_bidder");
    w.svc
        .save_scoring(&w.buyer, id, &scores(&[(&a, "72.5")]), &ctx)
        .await
        .unwrap();
    let e = w.svc.lock_scoring(&w.buyer, id, &ctx).await.unwrap_err();
    assert_eq!(code(e), "scores_missing");
    w.svc
        .save_scoring(&w.buyer, id, &scores(&[(&b, "81")]), &ctx)
        .await
        .unwrap();
    let view = w.svc.lock_scoring(&w.buyer, id, &ctx).await.unwrap();
    assert!(view.locked_at.is_some());
    assert_eq!(w.status(id).await, S::Evaluating);

    // Ranked by the locked scores, for everyone; B is the best proposal.
    let record = w.record(id, 1).await;
    assert_eq!(record["evaluation_pending"], false);
    assert_eq!(record["winner"]["bidder_org_id"], b.org_id().unwrap());
    let ranks: Vec<Value> = record["evaluation"]["result"]["bids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["rank"].clone())
        .collect();
    assert_eq!(ranks, [Value::from(2), Value::from(1)]);
    assert_eq!(record["bids"][0]["technical_points"], "72.5");
    let award = w.svc.confirm_award(&w.buyer, id, &ctx).await.unwrap();
    assert_eq!(award.bidder_org_id, b.org_id().unwrap());
    assert_eq!(award.amount_tax_exclusive, None);
    assert_eq!(w.status(id).await, S::Awarded);
    // The lock is in the audit log.
    let log =
        w.db.storage
            .audit_log(
                Some(w.buyer.user_id),
                Paging {
                    offset: 0,
                    limit: 50,
                },
            )
            .await
            .unwrap();
    assert!(
        log.items
            .iter()
            .any(|l| l.entry.action == "tender.scores_lock"),
        "{:?}",
        log.items
            .iter()
            .map(|l| &l.entry.action)
            .collect::<Vec<_>>()
    );
}

fn rebid_input(closes: DateTime<Utc>, opening: DateTime<Utc>) -> RebidInput {
    RebidInput {
        submission_opens_at: String::new(),
        submission_closes_at: closes.to_rfc3339(),
        opening_at: opening.to_rfc3339(),
    }
}

async fn a_rebid_is_held_among_the_last_rounds_bidders(db: TestDb) {
    let w = world(db).await;
    let ctx = RequestCtx::default();
    // 予定価格 ¥1,000,000, 最低制限価格 ¥800,000.
    let id = w.tender(input()).await;
    let above = supplier(&w.svc, "above@example.jp").await;
    let above2 = supplier(&w.svc, "above2@example.jp").await;
    let below = supplier(&w.svc, "below@example.jp").await;
    let withdrew = supplier(&w.svc, "withdrew@example.jp").await;
    let newcomer = supplier(&w.svc, "new@example.jp").await;

    // Not before 不調.
    let day = TimeDelta::days(1);
    let e = w
        .svc
        .start_rebid(
            &w.buyer,
            id,
            &rebid_input(closes() + day, opening() + day),
            &ctx,
        )
        .await
        .unwrap_err();
    assert_eq!(code(e), "rebid_not_possible");

    w.at(t0() + TimeDelta::days(3)).await;
    for (who, amount, lottery) in [
        (&above, "1100000", "101"),
        (&below, "700000", "202"),
        (&withdrew, "950000", "303"),
        (&above2, "1050000", "404"),
    ] {
        w.submit(who, id, &bid(amount, lottery), vec![])
            .await
            .unwrap();
    }
    w.svc
        .withdraw_bid(&withdrew, id, None, "辞退します", &ctx)
        .await
        .unwrap();
    w.at(opening()).await;
    assert_eq!(w.status(id).await, S::Unsuccessful);

    // 再度入札, the day after: a supplier cannot start one; bad dates are
    // named; then round 2 takes bids from the two above the 予定価格 only.
    let rebid_at = opening() + TimeDelta::hours(2);
    w.clock.set(rebid_at);
    assert!(
        w.svc
            .start_rebid(
                &above,
                id,
                &rebid_input(rebid_at + day, rebid_at + day),
                &ctx
            )
            .await
            .is_err()
    );
    let e = w
        .svc
        .start_rebid(
            &w.buyer,
            id,
            &RebidInput {
                submission_closes_at: "明日".into(),
                opening_at: (rebid_at - day).to_rfc3339(),
                ..RebidInput::default()
            },
            &ctx,
        )
        .await
        .unwrap_err();
    assert!(code(e).contains("datetime_invalid"));
    let e = w
        .svc
        .start_rebid(
            &w.buyer,
            id,
            &rebid_input(rebid_at + day, rebid_at + day - TimeDelta::hours(1)),
            &ctx,
        )
        .await
        .unwrap_err();
    assert_eq!(code(e), "schedule_out_of_order");
    let closes2 = rebid_at + TimeDelta::hours(3);
    let opening2 = closes2 + TimeDelta::minutes(30);
    let started = w
        .svc
        .start_rebid(&w.buyer, id, &rebid_input(closes2, opening2), &ctx)
        .await
        .unwrap();
    assert_eq!(started.round, 2);
    let names: Vec<OrgId> = started.bidders.iter().map(|(o, _)| *o).collect();
    assert_eq!(names, [above.org_id().unwrap(), above2.org_id().unwrap()]);
    assert_eq!(w.status(id).await, S::Tendering);
    let again = w
        .svc
        .start_rebid(&w.buyer, id, &rebid_input(closes2, opening2), &ctx)
        .await
        .unwrap_err();
    assert_eq!(code(again), "rebid_not_possible");
    // Recorded as a new version with its reason and the step.
    let versions = w.db.storage.tender_versions(id).await.unwrap();
    let last = versions.last().unwrap();
    assert_eq!(last.reason.as_deref(), Some("再度入札（第2回）"));
    assert_eq!(last.content.schedule.opening_at, opening2);
    let steps = w.db.storage.tender_transitions(id).await.unwrap();
    assert_eq!(steps.last().unwrap().transition, Transition::Rebid);
    // The two who may bid were told; the others were not.
    for (who, told) in [
        (&above, true),
        (&above2, true),
        (&below, false),
        (&withdrew, false),
    ] {
        let events = w
            .svc
            .notification_events(
                who,
                Paging {
                    offset: 0,
                    limit: 20,
                },
            )
            .await
            .unwrap();
        let heard = events
            .items
            .iter()
            .any(|e| e.kind == EventKind::TenderDeadlineChanged);
        assert_eq!(heard, told, "{:?}", who.org_id());
    }

    for who in [&below, &withdrew, &newcomer] {
        let e = w
            .submit(who, id, &bid("850000", "555"), vec![])
            .await
            .unwrap_err();
        assert_eq!(code(e), "not_rebid_eligible");
    }
    let round2 = w
        .submit(&above, id, &bid("980000", "606"), vec![])
        .await
        .unwrap();
    assert_eq!(round2.receipt.receipt.round, 2);
    w.submit(&above2, id, &bid("990000", "707"), vec![])
        .await
        .unwrap();

    // Round 2 opens at its own time, not before; the results list both rounds.
    w.at(opening2 - TimeDelta::seconds(1)).await;
    assert_eq!(w.status(id).await, S::Closed);
    w.at(opening2).await;
    assert_eq!(w.status(id).await, S::Opened);
    let results = w.svc.tender_results(None, id).await.unwrap();
    assert_eq!(results.openings.len(), 2);
    assert!(results.openings[0]["winner"].is_null());
    let second = &results.openings[1];
    assert_eq!(second["round"], 2);
    assert_eq!(second["bids"].as_array().unwrap().len(), 2);
    assert_eq!(second["winner"]["bid_id"], round2.bid_id);
    assert_eq!(
        second["submission_closes_at"],
        closes2.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    );
    let award = w.svc.confirm_award(&w.buyer, id, &ctx).await.unwrap();
    assert_eq!((award.round, award.bid_id), (2, round2.bid_id));
}

async fn the_store_guards_the_lock_and_the_rebid(db: TestDb) {
    let w = world(db).await;
    let s = &*w.db.storage;
    let id = w.tender(best_value()).await;
    let by = w.buyer.user_id;
    let lock = |expected_openings: u32, expected_status: Option<S>| ScoreLock {
        tender_id: id,
        by,
        at: t0() + TimeDelta::hours(1),
        expected_openings,
        expected_status,
        steps: vec![],
        next_transition_at: None,
        events: vec![],
        audit: AuditEntry::new("tender.scores_lock", "tender", Some(id)),
        jobs: vec![],
    };
    // A guard that no longer holds: nothing written.
    assert!(!s.lock_scores_guarded(&lock(1, None)).await.unwrap());
    assert!(
        !s.lock_scores_guarded(&lock(0, Some(S::Evaluating)))
            .await
            .unwrap()
    );
    assert!(s.scoring(id).await.unwrap().locked_at.is_none());
    let before = s.tender(id).await.unwrap().unwrap();
    assert!(
        s.lock_scores_guarded(&lock(0, Some(S::Published)))
            .await
            .unwrap()
    );
    // Without steps the tender's status and due instant stay.
    let after = s.tender(id).await.unwrap().unwrap();
    assert_eq!(
        (after.status, after.next_transition_at),
        (before.status, before.next_transition_at)
    );
    assert_eq!(
        s.scoring(id).await.unwrap().locked_at,
        Some(t0() + TimeDelta::hours(1))
    );
    let err = s.lock_scores_guarded(&lock(0, None)).await.unwrap_err();
    assert!(
        matches!(&err, StorageError::Conflict(c) if c == "scores_locked"),
        "{err:?}"
    );

    // A rebid only from 不調 at the expected version.
    let tender = s.tender(id).await.unwrap().unwrap();
    let mut content = tender.content.clone();
    content.schedule.submission_closes_at += TimeDelta::days(30);
    content.schedule.opening_at += TimeDelta::days(30);
    let rebid = |expected_version: i64| NewRebid {
        tender_id: id,
        content: content.clone(),
        reason: "再度入札（第2回）".into(),
        expected_version,
        step: step(Transition::Rebid, t0(), Some(by)),
        next_transition_at: Some(content.schedule.submission_closes_at),
        actor: by,
        now: t0(),
        events: vec![],
        audit: AuditEntry::new("tender.rebid", "tender", Some(id)),
        jobs: vec![],
    };
    assert!(!s.start_rebid(&rebid(tender.version)).await.unwrap());
    assert!(
        s.transition_tender(
            id,
            S::Published,
            &[step(Transition::StartTendering, t0(), None)],
            None,
            None,
            t0(),
            &[],
            None,
            &[],
        )
        .await
        .unwrap()
    );
    for transition in [
        Transition::Close,
        Transition::Open,
        Transition::DeclareUnsuccessful,
    ] {
        let from = s.tender(id).await.unwrap().unwrap().status;
        assert!(
            s.transition_tender(
                id,
                from,
                &[step(transition, t0(), None)],
                None,
                None,
                t0(),
                &[],
                None,
                &[]
            )
            .await
            .unwrap()
        );
    }
    assert!(!s.start_rebid(&rebid(tender.version + 1)).await.unwrap());
    assert!(s.start_rebid(&rebid(tender.version)).await.unwrap());
    let now = s.tender(id).await.unwrap().unwrap();
    assert_eq!(now.status, S::Tendering);
    assert_eq!(now.version, tender.version + 1);
    assert_eq!(now.content, content);
    assert_eq!(
        now.next_transition_at,
        Some(content.schedule.submission_closes_at)
    );
    // The denormalised deadline moved with the content: the list sorts by it.
    let versions = s.tender_versions(id).await.unwrap();
    assert_eq!(versions.last().unwrap().version, now.version);
    // Once only.
    assert!(!s.start_rebid(&rebid(tender.version)).await.unwrap());
}
