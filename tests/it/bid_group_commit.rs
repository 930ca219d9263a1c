//! Bid intake at volume, on SQLite and PostgreSQL: bids that arrive together
//! share a commit (group commit) yet each keeps its own outcome and is
//! answered only once it is stored; and the bulk set-up of members with API
//! tokens that `musubi bench bids` uses.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use musubi_domain::tender::{TenderStatus, Transition};
use musubi_domain::{EmailAddress, OrgKind, OrgRole};
use musubi_storage::{
    ApiTokenImport, BidId, MemberImport, NewBid, NewJob, NewUser, OrgId, Paging, Storage,
    StorageError, TenderId, TokenScope, UserId,
};
use serde_json::json;
use tokio::sync::Barrier;

use crate::support::{TestDb, both_backends, org_member, published, step, tender_content};

both_backends!(
    a_crowd_of_bids_each_gets_its_own_outcome,
    members_are_imported_with_their_tokens,
    a_member_import_that_fails_makes_nobody,
);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 2, 1, 0, 0, 0).unwrap()
}

async fn party(s: &dyn Storage, email: &str, kind: OrgKind, name: &str) -> (OrgId, UserId) {
    let p = org_member(s, email, kind, name, t0()).await;
    (p.membership.expect("a member").org_id, p.user_id)
}

fn bid(tender: TenderId, round: u32, bidder: OrgId, by: UserId, n: i64) -> NewBid {
    let received_at = t0() + Duration::days(2) + Duration::microseconds(n);
    NewBid {
        tender_id: tender,
        round,
        bidder,
        submitted_by: by,
        received_at,
        commitment: format!("{n:064x}"),
        sealed: n.to_le_bytes().repeat(20),
        receipt: json!({ "n": n, "bidder": bidder, "signature": "c2ln" }),
    }
}

/// What a request of the crowd is and what it must get.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Stored,
    /// One of the two bids of one bidder is stored, the other refused.
    OneOfTwo,
    NotAccepting,
    NoTender,
    /// The round does not fit the column: an error of its own.
    Invalid,
}

async fn a_crowd_of_bids_each_gets_its_own_outcome(db: TestDb) {
    let s = &*db.storage;
    let (city, clerk) = party(s, "clerk@city.example.jp", OrgKind::PublicBody, "藤沢市").await;
    let c = tender_content("一斉入札", t0());
    let open = published(s, city, clerk, &c, t0()).await;
    assert!(
        s.transition_tender(
            open,
            TenderStatus::Published,
            &[step(
                Transition::StartTendering,
                c.schedule.submission_opens_at,
                None
            )],
            Some(c.schedule.submission_closes_at),
            None,
            c.schedule.submission_opens_at,
            &[],
            None,
            &[],
        )
        .await
        .unwrap()
    );
    // Published, submissions not open: refuses every bid.
    let not_yet = published(s, city, clerk, &tender_content("未受付", t0()), t0()).await;
    let mut suppliers = Vec::new();
    for i in 0..24 {
        suppliers.push(
            party(
                s,
                &format!("s{i}@sup.example.jp"),
                OrgKind::Supplier,
                &format!("湘南商事{i}"),
            )
            .await,
        );
    }

    // (bid, jobs, expectation): one bid from each supplier (every other with
    // a job), a second bid from four of them, bids the round refuses, bids
    // to no tender, one that cannot be written.
    let mut crowd: Vec<(NewBid, Vec<NewJob>, Expect)> = Vec::new();
    for (i, (org, user)) in suppliers.iter().enumerate() {
        let n = i as i64;
        let jobs = if i % 2 == 0 {
            vec![NewJob::new("mail.send", json!({ "bid": n }))]
        } else {
            Vec::new()
        };
        let expect = if i < 4 {
            Expect::OneOfTwo
        } else {
            Expect::Stored
        };
        crowd.push((bid(open, 1, *org, *user, n), jobs, expect));
        if i < 4 {
            crowd.push((
                bid(open, 1, *org, *user, 100 + n),
                vec![NewJob::new("mail.send", json!({ "twice": n }))],
                Expect::OneOfTwo,
            ));
            crowd.push((
                bid(not_yet, 1, *org, *user, 200 + n),
                vec![NewJob::new("mail.send", json!({ "early": n }))],
                Expect::NotAccepting,
            ));
            crowd.push((
                bid(open + 1_000, 1, *org, *user, 300 + n),
                Vec::new(),
                Expect::NoTender,
            ));
        }
    }
    let (org, user) = suppliers[23];
    crowd.push((
        bid(open, u32::MAX, org, user, 400),
        Vec::new(),
        Expect::Invalid,
    ));
    let jobs_before = s.job_counts().await.unwrap().queued;

    // All at once, so they queue behind each other's commits.
    let storage: Arc<dyn Storage> = Arc::clone(&db.storage);
    let barrier = Arc::new(Barrier::new(crowd.len()));
    let tasks: Vec<_> = crowd
        .into_iter()
        .map(|(b, jobs, expect)| {
            let (storage, barrier) = (Arc::clone(&storage), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                let result = storage.insert_bid(&b, &jobs).await;
                // Answered only once committed: another connection sees it.
                let seen = match &result {
                    Ok(id) => storage.bid(*id).await.unwrap(),
                    Err(_) => None,
                };
                (b, jobs.len(), expect, result, seen)
            })
        })
        .collect();

    let mut stored: Vec<BidId> = Vec::new();
    let mut jobs_stored = 0;
    let mut pairs: HashMap<OrgId, Vec<Result<BidId, String>>> = HashMap::new();
    for t in tasks {
        let (b, jobs, expect, result, seen) = t.await.unwrap();
        if let Ok(id) = &result {
            let seen = seen.unwrap_or_else(|| panic!("bid {id} answered but not visible"));
            assert_eq!(
                (seen.bidder, seen.commitment.as_str(), &seen.receipt),
                (b.bidder, b.commitment.as_str(), &b.receipt)
            );
            stored.push(*id);
            jobs_stored += jobs;
        }
        match expect {
            Expect::Stored => assert!(result.is_ok(), "{result:?}"),
            Expect::OneOfTwo => {
                pairs
                    .entry(b.bidder)
                    .or_default()
                    .push(result.map_err(|e| match e {
                        StorageError::Conflict(c) => c,
                        e => panic!("{e:?}"),
                    }))
            }
            Expect::NotAccepting => assert!(
                matches!(&result, Err(StorageError::Conflict(c)) if c == "not_accepting_bids"),
                "{result:?}"
            ),
            Expect::NoTender => {
                assert!(matches!(result, Err(StorageError::NotFound)), "{result:?}")
            }
            Expect::Invalid => {
                assert!(
                    matches!(result, Err(StorageError::Database(_))),
                    "{result:?}"
                )
            }
        }
    }
    assert_eq!(pairs.len(), 4);
    for (bidder, outcomes) in &pairs {
        let won = outcomes.iter().filter(|o| o.is_ok()).count();
        let refused: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
        assert_eq!(
            (won, refused),
            (1, vec![&"bid_exists".to_owned()]),
            "bidder {bidder}"
        );
    }
    stored.sort_unstable();
    let mut in_round: Vec<BidId> = s
        .round_bids(open, 1)
        .await
        .unwrap()
        .iter()
        .map(|b| b.id)
        .collect();
    in_round.sort_unstable();
    assert_eq!(in_round, stored, "exactly the answered bids are stored");
    assert_eq!(stored.len(), 24, "one per supplier");
    assert!(s.round_bids(not_yet, 1).await.unwrap().is_empty());
    assert_eq!(
        s.job_counts().await.unwrap().queued - jobs_before,
        jobs_stored as i64,
        "the jobs of stored bids, and only theirs"
    );
}

fn member(org: OrgId, email: &str, token: Option<&str>) -> MemberImport {
    MemberImport {
        org,
        user: NewUser {
            email: EmailAddress::parse(email).unwrap(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            display_name: format!("担当 {email}"),
            locale: "ja".into(),
        },
        role: OrgRole::Admin,
        api_token: token.map(|t| ApiTokenImport {
            name: "bench".into(),
            token_hash: format!("{t:0>64}"),
            prefix: "mbk_0123ab".into(),
            scope: TokenScope::Write,
        }),
    }
}

async fn imports(s: &dyn Storage) -> usize {
    s.audit_log(
        None,
        Paging {
            offset: 0,
            limit: 200,
        },
    )
    .await
    .unwrap()
    .items
    .iter()
    .filter(|a| a.entry.action == "member.import")
    .count()
}

async fn members_are_imported_with_their_tokens(db: TestDb) {
    let s = &*db.storage;
    let (a, _) = party(s, "a@sup.example.jp", OrgKind::Supplier, "茅ヶ崎工業").await;
    let (b, _) = party(s, "b@sup.example.jp", OrgKind::Supplier, "平塚電機").await;
    let now = t0() + Duration::hours(3);
    let ids = s
        .import_members(
            &[
                member(a, "a2@sup.example.jp", Some("a2")),
                member(b, "b2@sup.example.jp", Some("b2")),
                member(a, "a3@sup.example.jp", None),
            ],
            now,
        )
        .await
        .unwrap();
    assert_eq!(ids.len(), 3);

    for (id, email, org, token) in [
        (ids[0], "a2@sup.example.jp", a, Some("a2")),
        (ids[1], "b2@sup.example.jp", b, Some("b2")),
        (ids[2], "a3@sup.example.jp", a, None),
    ] {
        let user = s.user(id).await.unwrap().expect("the user");
        assert_eq!(user.email.as_str(), email);
        assert_eq!(user.email_verified_at, Some(now), "counts as verified");
        let tokens = s.list_api_tokens(id).await.unwrap();
        match token {
            Some(t) => {
                assert_eq!(tokens.len(), 1);
                assert_eq!(tokens[0].scope, TokenScope::Write);
                let (found, record) = s
                    .api_token(&format!("{t:0>64}"), now)
                    .await
                    .unwrap()
                    .expect("the token authenticates");
                assert_eq!(found.id, tokens[0].id);
                assert_eq!(record.user.id, id);
                let m = record.membership.expect("acts for its organisation");
                assert_eq!(
                    (m.org_id, m.kind, m.role),
                    (org, OrgKind::Supplier, OrgRole::Admin)
                );
            }
            None => assert!(tokens.is_empty()),
        }
    }
    let members: Vec<UserId> = s
        .members(a)
        .await
        .unwrap()
        .iter()
        .map(|m| m.user_id)
        .collect();
    assert!(members.contains(&ids[0]) && members.contains(&ids[2]));
    assert_eq!(imports(s).await, 3, "one audit line per member");
}

async fn a_member_import_that_fails_makes_nobody(db: TestDb) {
    let s = &*db.storage;
    let (a, _) = party(s, "a@sup.example.jp", OrgKind::Supplier, "大磯商店").await;
    let taken = s
        .import_members(
            &[
                member(a, "new@sup.example.jp", Some("n1")),
                member(a, "a@sup.example.jp", Some("n2")),
            ],
            t0(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&taken, StorageError::Conflict(c) if c == "email_taken"),
        "{taken:?}"
    );
    let no_org = s
        .import_members(
            &[member(a + 1_000, "lost@sup.example.jp", Some("n3"))],
            t0(),
        )
        .await
        .unwrap_err();
    assert!(matches!(no_org, StorageError::NotFound), "{no_org:?}");
    for email in ["new@sup.example.jp", "lost@sup.example.jp"] {
        let address = EmailAddress::parse(email).unwrap();
        assert!(
            s.user_by_email(&address).await.unwrap().is_none(),
            "{email}"
        );
    }
    assert!(
        s.api_token(&format!("{:0>64}", "n1"), t0())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(imports(s).await, 0);
}
