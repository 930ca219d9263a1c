//! `musubi verify` and `musubi audit` (issue 7), the real binary against a
//! portal served in this process on a clock the test moves (the scheduler's
//! pass is made with `advance_due_tenders`, as in `bids_web`):
//!
//! - end to end: three bids through the JSON API; the first bidder's receipt
//!   verifies before the opening ("開札前") and after it (the amount), a
//!   wrong `--amount` or salt fails; `audit` recomputes the winner, keeps
//!   the head in `--state` and checks the next head against it;
//! - tamper evidence, each on a fresh portal: an edited log entry, an edited
//!   published opening record, a bid's commitment replaced before the
//!   opening — each written straight into the database with sqlx.

use std::path::Path;
use std::process::Output;

use chrono::{DateTime, Duration, TimeZone, Utc};
use musubi_app::ManualClock;
use musubi_domain::OrgKind;
use serde_json::{Value, json};

use crate::portal::{Client, profile_body};
use crate::support::{
    TestDb, both_backends, musubi_cmd, org_member, serve_in_process, session_client,
};

both_backends!(
    receipts_verify_before_and_after_the_opening_and_audit_recomputes_the_winner,
    an_edited_log_entry_is_named_by_the_audit,
    an_edited_opening_record_disagrees_with_the_log,
    a_commitment_replaced_before_the_opening_has_no_receipt_entry,
);

/// 2026-12-01 09:00 JST, the `t0` of `bids_web::tender_body`.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
}

fn opening() -> DateTime<Utc> {
    t0() + Duration::days(12) + Duration::hours(1)
}

/// The bids, in order of receipt: (amount, くじ番号). The second is lowest.
const BIDS: [(i64, &str); 3] = [(1_098_765, "042"), (1_050_000, "518"), (1_150_000, "907")];

struct Portal {
    base: String,
    services: musubi_app::Services,
    clock: ManualClock,
    tender: i64,
    buyer: Client,
    /// Each bid's id and the bidder's copy of the receipt (the JSON of the
    /// 201 answer), in the order of [`BIDS`].
    receipts: Vec<(i64, Value)>,
    /// The bidders, signed in, in the same order.
    suppliers: Vec<Client>,
}

impl Portal {
    /// Moves the clock to `at` and makes the scheduler's due steps.
    async fn at(&self, at: DateTime<Utc>) {
        self.clock.set(at);
        let report = self.services.advance_due_tenders(at).await.unwrap();
        assert_eq!(report.failed, 0, "{report:?}");
    }

    /// After the opening: the status is `opened`.
    async fn open(&self) {
        self.at(opening() + Duration::minutes(1)).await;
        let r = Client::new(&self.base)
            .get(&format!("/api/v1/tenders/{}", self.tender))
            .await;
        assert_eq!(r.body["status"], "opened", "{}", r.text);
    }
}

/// A published sealed-bid tender with [`BIDS`] submitted through the API.
async fn portal(db: &TestDb) -> Portal {
    let clock = ManualClock::new(t0());
    let (base, services) = serve_in_process(db, &clock).await;
    let storage = &*db.storage;
    let buyer_p = org_member(
        storage,
        "keiyaku@city.example.jp",
        OrgKind::PublicBody,
        "架空市役所",
        t0(),
    )
    .await;
    let mut buyer = session_client(storage, &base, &buyer_p, t0()).await;
    let r = buyer
        .post("/api/v1/tenders", crate::bids_web::tender_body())
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let tender = r.body["id"].as_i64().unwrap();
    let r = buyer
        .post(&format!("/api/v1/tenders/{tender}/publish"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let mut p = Portal {
        base,
        services,
        clock,
        tender,
        buyer,
        receipts: Vec::new(),
        suppliers: Vec::new(),
    };
    for (i, (amount, lottery)) in BIDS.iter().enumerate() {
        // One after another, an hour apart, from day 3.
        p.at(t0() + Duration::days(3) + Duration::hours(i as i64))
            .await;
        let email = format!("bidder{i}@supplier.example.jp");
        let supplier = org_member(
            storage,
            &email,
            OrgKind::Supplier,
            &format!("入札者{i}株式会社"),
            t0(),
        )
        .await;
        let mut c = session_client(storage, &p.base, &supplier, t0()).await;
        let org = supplier.org_id().unwrap();
        let r = c
            .send(
                reqwest::Method::PUT,
                &format!("/api/v1/companies/{org}/profile"),
                Some(profile_body()),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = c
            .post(
                &format!("/api/v1/tenders/{tender}/bids"),
                json!({"amount": amount, "lottery_number": lottery}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let receipt = r.body["receipt"].clone();
        assert!(
            receipt["transparency"]["log_index"].is_u64(),
            "the receipt carries its log proof: {receipt}"
        );
        p.receipts
            .push((r.body["bid_id"].as_i64().unwrap(), receipt));
        p.suppliers.push(c);
    }
    p
}

/// Runs the real binary; its exit status and output.
async fn musubi(args: &[&str]) -> Output {
    let mut cmd = tokio::process::Command::from(musubi_cmd());
    cmd.args(args);
    cmd.output().await.expect("run musubi")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn shown(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        stdout(o),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn write_json(dir: &Path, name: &str, v: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    path.to_str().unwrap().to_owned()
}

async fn audit(base: &str, extra: &[&str]) -> Output {
    let mut args = vec!["audit", "--server", base];
    args.extend_from_slice(extra);
    musubi(&args).await
}

/// Runs SQL on the test database through a connection of its own.
async fn exec(db: &TestDb, sqlite: &str, postgres: &str) -> u64 {
    if db.url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
        let done = sqlx::query(sqlx::AssertSqlSafe(sqlite.to_owned()))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        done.rows_affected()
    } else {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        let done = sqlx::query(sqlx::AssertSqlSafe(postgres.to_owned()))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        done.rows_affected()
    }
}

async fn receipts_verify_before_and_after_the_opening_and_audit_recomputes_the_winner(db: TestDb) {
    let p = portal(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_json(dir.path(), "receipt.json", &p.receipts[0].1);
    let base = p.base.as_str();

    // Before the opening: everything provable so far checks out.
    let o = musubi(&["verify", &file, "--server", base]).await;
    assert!(o.status.success(), "{}", shown(&o));
    let out = stdout(&o);
    assert!(out.contains("開札前のため"), "{}", shown(&o));
    assert!(out.contains("✓ 受付票の署名"), "{}", shown(&o));
    assert!(out.contains("包含証明を確認"), "{}", shown(&o));
    assert!(!out.contains('✗'), "{}", shown(&o));
    // Offline: the log key from the file, with the warning; no receipt key.
    let o = musubi(&["verify", &file]).await;
    assert!(o.status.success(), "{}", shown(&o));
    assert!(
        stdout(&o).contains("受付票ファイルに含まれるもの"),
        "{}",
        shown(&o)
    );
    // A receipt whose inclusion proof was altered fails.
    let mut bad = p.receipts[0].1.clone();
    bad["transparency"]["log_index"] =
        json!(bad["transparency"]["log_index"].as_u64().unwrap() + 1);
    let bad_file = write_json(dir.path(), "bad-index.json", &bad);
    let o = musubi(&["verify", &bad_file]).await;
    assert!(!o.status.success(), "{}", shown(&o));
    assert!(
        stdout(&o).contains("✗ 包含証明を検証できません"),
        "{}",
        shown(&o)
    );

    // The third bidder withdraws (辞退): logged as bid.withdrawn.
    let mut p = p;
    let withdrawn = p.receipts[2].0;
    let r = p.suppliers[2]
        .post(
            &format!("/api/v1/tenders/{}/bids/{withdrawn}/withdraw", p.tender),
            json!({"reason": "配送体制が整わないため"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    p.open().await;
    let base = p.base.as_str();

    // A withdrawn bid's receipt: in the record, nothing revealed.
    let withdrawn_file = write_json(dir.path(), "withdrawn.json", &p.receipts[2].1);
    let o = musubi(&["verify", &withdrawn_file, "--server", base]).await;
    assert!(o.status.success(), "{}", shown(&o));
    assert!(stdout(&o).contains("辞退されたため"), "{}", shown(&o));

    // After it: the published record reveals the bid the receipt commits to.
    let o = musubi(&["verify", &file, "--server", base, "--amount", "1,098,765"]).await;
    assert!(o.status.success(), "{}", shown(&o));
    let out = stdout(&o);
    assert!(
        out.contains("開示された入札金額（税抜）：1,098,765円"),
        "{}",
        shown(&o)
    );
    assert!(
        out.contains("受付票のコミットメントを再計算できました"),
        "{}",
        shown(&o)
    );
    assert!(out.contains("整合しています"), "{}", shown(&o));
    let o = musubi(&["verify", &file, "--server", base, "--amount", "1000000"]).await;
    assert!(!o.status.success(), "{}", shown(&o));
    assert!(
        stdout(&o).contains("✗ 開示された金額は指定された金額（1,000,000円）と一致しません"),
        "{}",
        shown(&o)
    );
    let o = musubi(&["verify", &file, "--server", base, "--amount", "abc"]).await;
    assert!(!o.status.success(), "{}", shown(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--amount"),
        "{}",
        shown(&o)
    );
    // The salt in the bidder's file is what the commitment is checked with.
    let mut other_salt = p.receipts[0].1.clone();
    other_salt["salt"] = json!("ab".repeat(32));
    let other_file = write_json(dir.path(), "other-salt.json", &other_salt);
    let o = musubi(&["verify", &other_file, "--server", base]).await;
    assert!(!o.status.success(), "{}", shown(&o));
    assert!(
        stdout(&o)
            .contains("✗ 開示された入札内容と受付票ファイルのソルトから計算したコミットメント"),
        "{}",
        shown(&o)
    );
    // https is refused with the way round it.
    let o = musubi(&["verify", &file, "--server", "https://portal.example.jp"]).await;
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("TLS-terminating proxy"),
        "{}",
        shown(&o)
    );

    // The monitor: the winner (the second bid, lowest) recomputed.
    let state = dir.path().join("audit-state.json");
    let state = state.to_str().unwrap();
    let o = audit(base, &["--state", state]).await;
    assert!(o.status.success(), "{}", shown(&o));
    let out = stdout(&o);
    assert!(
        out.contains("openings 1, winners recomputed 1"),
        "{}",
        shown(&o)
    );
    assert!(out.contains("problems 0"), "{}", shown(&o));
    let kept: Value = serde_json::from_str(&std::fs::read_to_string(state).unwrap()).unwrap();
    let first_size = kept["heads"][0]["tree_size"].as_u64().unwrap();

    // 落札者決定 grows the log; the next run proves the new head extends the kept one.
    let mut buyer = p.buyer;
    let r = buyer
        .post(&format!("/api/v1/tenders/{}/award", p.tender), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["bid_id"], p.receipts[1].0, "{}", r.text);
    let o = audit(base, &["--state", state, "--json"]).await;
    assert!(o.status.success(), "{}", shown(&o));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["heads_checked"], 2, "{report}");
    assert_eq!(report["awards"], 1, "{report}");
    assert_eq!(report["winners_recomputed"], 1, "{report}");
    assert!(
        report["tree_size"].as_u64().unwrap() > first_size,
        "{report}"
    );
    let kept: Value = serde_json::from_str(&std::fs::read_to_string(state).unwrap()).unwrap();
    assert_eq!(kept["heads"].as_array().unwrap().len(), 2, "{kept}");

    // A kept head the log does not extend (a forked log) is reported.
    let mut forked = kept.clone();
    forked["heads"][0]["root_hash"] = json!("00".repeat(32));
    let forked_state = write_json(dir.path(), "forked.json", &forked);
    let o = audit(base, &["--state", &forked_state]).await;
    assert!(!o.status.success(), "{}", shown(&o));
    assert!(stdout(&o).contains("整合しません"), "{}", shown(&o));
}

async fn an_edited_log_entry_is_named_by_the_audit(db: TestDb) {
    let p = portal(&db).await;
    let o = audit(&p.base, &[]).await;
    assert!(o.status.success(), "{}", shown(&o));
    // The second bid's bid.received entry, changed in place.
    let index = p.receipts[1].1["transparency"]["log_index"]
        .as_u64()
        .unwrap();
    let changed = format!(
        "{{\"type\":\"bid.received\",\"commitment\":\"{}\"}}",
        "0".repeat(64)
    );
    let sql = format!("UPDATE transparency_entries SET entry = '{changed}' WHERE idx = {index}");
    assert_eq!(exec(&db, &sql, &sql).await, 1);
    let o = audit(&p.base, &[]).await;
    assert!(!o.status.success(), "{}", shown(&o));
    let out = stdout(&o);
    assert!(
        out.contains(&format!("[entry {index}] The leaf hash computed")),
        "{}",
        shown(&o)
    );
    assert!(out.contains(&format!("[記録 {index}]")), "{}", shown(&o));
}

async fn an_edited_opening_record_disagrees_with_the_log(db: TestDb) {
    let p = portal(&db).await;
    p.open().await;
    let o = audit(&p.base, &[]).await;
    assert!(o.status.success(), "{}", shown(&o));
    // The first bid's amount in the published record, one yen less.
    let tender = p.tender;
    let Some(position) = position_in_record(&p, p.receipts[0].0).await else {
        panic!("bid {} is not in the record", p.receipts[0].0);
    };
    let sqlite = format!(
        "UPDATE bid_openings SET record = json_set(record, '$.bids[{position}].amount', 1098764) WHERE tender_id = {tender}"
    );
    let postgres = format!(
        "UPDATE bid_openings SET record = jsonb_set(record, '{{bids,{position},amount}}', '1098764') WHERE tender_id = {tender}"
    );
    assert_eq!(exec(&db, &sqlite, &postgres).await, 1);
    let o = audit(&p.base, &[]).await;
    assert!(!o.status.success(), "{}", shown(&o));
    let out = stdout(&o);
    let bid = p.receipts[0].0;
    assert!(
        out.contains(&format!("tender {tender}, round 1, bid {bid}] The published record disagrees with the log on: amount")),
        "{}",
        shown(&o)
    );
    // The bidder sees it too: the record's amount is not the revealed bid's.
    let dir = tempfile::tempdir().unwrap();
    let file = write_json(dir.path(), "receipt.json", &p.receipts[0].1);
    let o = musubi(&["verify", &file, "--server", &p.base]).await;
    assert!(!o.status.success(), "{}", shown(&o));
}

/// Where bid `bid` is in the published record's `bids`.
async fn position_in_record(p: &Portal, bid: i64) -> Option<usize> {
    let r = Client::new(&p.base)
        .get(&format!("/api/v1/tenders/{}/results", p.tender))
        .await;
    r.body["openings"][0]["bids"]
        .as_array()?
        .iter()
        .position(|b| b["bid_id"] == bid)
}

async fn a_commitment_replaced_before_the_opening_has_no_receipt_entry(db: TestDb) {
    let p = portal(&db).await;
    let (bid, receipt) = &p.receipts[2];
    let forged = "f".repeat(64);
    let sql = format!("UPDATE bids SET commitment = '{forged}' WHERE id = {bid}");
    assert_eq!(exec(&db, &sql, &sql).await, 1);
    p.open().await;
    let o = audit(&p.base, &[]).await;
    assert!(!o.status.success(), "{}", shown(&o));
    let out = stdout(&o);
    assert!(
        out.contains(&format!(
            "bid {bid}] The opened bid's commitment has no earlier bid.received entry"
        )),
        "{}",
        shown(&o)
    );
    // The bidder's receipt no longer matches what was opened.
    let dir = tempfile::tempdir().unwrap();
    let file = write_json(dir.path(), "receipt.json", receipt);
    let o = musubi(&["verify", &file, "--server", &p.base]).await;
    assert!(!o.status.success(), "{}", shown(&o));
    assert!(
        stdout(&o)
            .contains("✗ 公開された開札記録（第1回）に、この受付票のコミットメントがありません"),
        "{}",
        shown(&o)
    );
}
