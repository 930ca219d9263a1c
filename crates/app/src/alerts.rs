//! Alerts: saved searches (検索条件の保存) that tell a person about new
//! tenders, the notification inbox, and the mail both send.
//!
//! How a new tender reaches a saved search's owner — every step through the
//! outbox, so nothing is lost and nothing sent twice:
//!
//! 1. publication queues [`percolate_job`] in its transaction;
//! 2. the job tests the tender against every alerting saved search in memory
//!    ([`musubi_search::Percolator`]: the index's own semantics) and records
//!    the hits (`saved_search_hits`, one per search and tender, ever): an
//!    instant search's hit with its inbox event, whose `notify.email` job
//!    comes with it; a daily search's hit waits for the digest;
//! 3. [`DIGEST_KIND`] runs every day at 07:00 Japan time: each daily search's
//!    waiting hits become inbox events and one digest mail;
//! 4. `notify.email` (every notification event: 訂正, 中止, 開札, 落札, alerts,
//!    coordinators' shares) turns events into `mail.send` jobs in the
//!    person's language, each with a Message-ID fixed by the event, so a
//!    retried job queues the same mail, which is queued once.
//!
//! Links in mail carry a token — HMAC-SHA256 under a key derived from the
//! master key — that proves the link was ours: one-click unsubscribe (RFC
//! 8058) and a saved search's Atom feed work without signing in, and nothing
//! about them is stored.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use musubi_domain::authz::{Access, Principal};
use musubi_search::{PercolateDoc, Percolator, TenderSearch};
use musubi_storage::{
    AlertFrequency, AlertHit, ClaimedJob, Digest, EventKind, MailRecipient, NOTIFY_EMAIL_KIND,
    NewJob, NewSavedSearch, NotificationEvent, SavedSearch, SavedSearchId, SavedSearchUpdate,
    StorageError, TenderId, UserId,
};
use serde_json::json;
use sha2::{Digest as _, Sha256};

use crate::Services;
use crate::error::{FieldErrors, ServiceError, ServiceResult};
use crate::jobs::{JobError, JobHandler, JobOutput, Registry};
use crate::mail::{MailLang, OutgoingMail, mail_job};

/// Tests a newly published tender against the saved searches: `{"id": tender}`.
pub const PERCOLATE_KIND: &str = "alerts.tender";
/// The daily digest: `{}`, queued for each day's [`DIGEST_HOUR`].
pub const DIGEST_KIND: &str = "alerts.digest";
/// Most saved searches one person keeps.
pub const MAX_SAVED_SEARCHES: u32 = 50;
/// Longest name of a saved search.
pub const NAME_MAX: usize = 100;
/// The digest goes out at this hour, Japan time.
pub const DIGEST_HOUR: u32 = 7;
/// Most tenders one digest mail lists (the inbox has them all).
const DIGEST_LIST_MAX: usize = 30;

/// The job that alerts saved searches about tender `id`, once.
pub fn percolate_job(id: TenderId) -> NewJob {
    NewJob::new(PERCOLATE_KIND, json!({ "id": id })).dedupe_key(format!("{PERCOLATE_KIND}:{id}"))
}

/// The day (in Japan) whose digest is due at `now`: today's from
/// [`DIGEST_HOUR`] o'clock, yesterday's before.
pub fn due_digest_day(now: DateTime<Utc>) -> chrono::NaiveDate {
    let today = musubi_domain::japan_date(now);
    if now >= digest_at(today) {
        today
    } else {
        today - Duration::days(1)
    }
}

/// [`DIGEST_HOUR`] o'clock in Japan on `day`.
pub fn digest_at(day: chrono::NaiveDate) -> DateTime<Utc> {
    musubi_domain::japan_local_to_utc(
        day.and_time(NaiveTime::from_hms_opt(DIGEST_HOUR, 0, 0).expect("valid hour")),
    )
    .expect("in range")
}

/// The digest job of `day`: queued as often as the scheduler likes, it is
/// queued — and so runs — once.
pub fn digest_job(day: chrono::NaiveDate) -> NewJob {
    NewJob::new(DIGEST_KIND, json!({ "day": day.to_string() }))
        .dedupe_key(format!("{DIGEST_KIND}:{day}"))
}

/// What a person asks to save. The web layer parses the list's query string
/// into `search` (the same parser as the list), so a saved search finds what
/// the list found.
#[derive(Debug, Clone)]
pub struct SavedSearchInput {
    pub name: String,
    /// The list's query string, for the link back to the list.
    pub query: String,
    pub search: TenderSearch,
    pub frequency: String,
    pub email: bool,
}

/// What a saved search's owner may change.
#[derive(Debug, Clone)]
pub struct SavedSearchChange {
    pub name: String,
    pub frequency: String,
    pub email: bool,
}

/// What a one-click unsubscribe turned off.
#[derive(Debug, Clone, PartialEq)]
pub enum Unsubscribed {
    SavedSearch(SavedSearch),
    EventMail(UserId),
}

/// One digest run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestReport {
    pub searches: usize,
    pub tenders: usize,
    pub mails: usize,
}

/// One alerting saved search, parsed once.
struct Alerting {
    id: SavedSearchId,
    user_id: UserId,
    name: String,
    frequency: AlertFrequency,
    percolator: Percolator,
}

/// The alerting saved searches as percolators, kept while the store's
/// [`musubi_storage::AlertStore::saved_searches_version`] stays the same
/// (one cheap query per tender instead of reading and parsing them all).
#[derive(Default)]
pub(crate) struct AlertingCache {
    held: tokio::sync::Mutex<Option<(SavedSearchesVersion, Arc<Vec<Alerting>>)>>,
}

/// What [`musubi_storage::AlertStore::saved_searches_version`] answers.
type SavedSearchesVersion = (i64, i64, i64);

/// What a link token is for: part of what the HMAC covers.
#[derive(Debug, Clone, Copy)]
enum LinkPurpose {
    Unsubscribe,
    Feed,
}

impl Services {
    // --- saved searches ----------------------------------------------------------

    pub async fn create_saved_search(
        &self,
        principal: &Principal,
        input: SavedSearchInput,
    ) -> ServiceResult<SavedSearch> {
        musubi_domain::authz::check(Some(principal), Access::SignedIn)?;
        let mut errors = FieldErrors::new();
        let name = name_of(&input.name, &input.search);
        errors.text("name", "名前", "name", &name, NAME_MAX);
        let frequency = frequency_of(&input.frequency, &mut errors);
        // Only what decides the hits is kept: paging and order are the list's.
        let search = TenderSearch {
            sort: Default::default(),
            offset: 0,
            limit: 0,
            ..input.search
        };
        if never_new(&search) {
            errors.add(
                "query",
                "not_for_alerts",
                "落札情報・落札金額・終了した状態での絞り込みは、新着案件のお知らせには使えません（新たに公告された案件は該当しません）。",
                "Award filters and finished statuses cannot alert: a newly published tender never has them.",
            );
        } else if search == TenderSearch::default() {
            // Every new tender is the list of new tenders, not an alert.
            errors.add(
                "query",
                "empty_search",
                "キーワードまたは絞り込み条件を指定して検索してから保存してください。",
                "Search with words or filters first, then save the search.",
            );
        } else if let Err(e) = Percolator::new(search.clone()) {
            errors.add("q", e.code(), e.message_ja(), e.message_en());
        }
        errors.into_result()?;
        let new = NewSavedSearch {
            user_id: principal.user_id,
            name,
            query: input.query.trim_start_matches('?').to_owned(),
            criteria: serde_json::to_value(&search).expect("a search serialises"),
            frequency: frequency.unwrap_or(AlertFrequency::Instant),
            email: input.email,
        };
        self.storage
            .create_saved_search(&new, MAX_SAVED_SEARCHES, self.clock.now())
            .await
            .map_err(|e| match e {
                StorageError::Conflict(_) => ServiceError::Refused {
                    status: 409,
                    code: "saved_search_limit",
                    message_ja: format!(
                        "保存できる検索条件は{MAX_SAVED_SEARCHES}件までです。不要なものを削除してください。"
                    ),
                    message_en: format!(
                        "You can keep at most {MAX_SAVED_SEARCHES} saved searches; delete one first."
                    ),
                },
                e => e.into(),
            })
    }

    pub async fn saved_searches(&self, principal: &Principal) -> ServiceResult<Vec<SavedSearch>> {
        musubi_domain::authz::check(Some(principal), Access::SignedIn)?;
        Ok(self.storage.saved_searches_of(principal.user_id).await?)
    }

    /// One of the caller's saved searches (another's is "not found").
    pub async fn own_saved_search(
        &self,
        principal: &Principal,
        id: SavedSearchId,
    ) -> ServiceResult<SavedSearch> {
        musubi_domain::authz::check(Some(principal), Access::SignedIn)?;
        match self.storage.saved_search(id).await? {
            Some(s) if s.user_id == principal.user_id => Ok(s),
            _ => Err(ServiceError::NotFound),
        }
    }

    pub async fn update_saved_search(
        &self,
        principal: &Principal,
        id: SavedSearchId,
        change: SavedSearchChange,
    ) -> ServiceResult<SavedSearch> {
        let current = self.own_saved_search(principal, id).await?;
        let mut errors = FieldErrors::new();
        let name = change.name.trim().to_owned();
        errors.text("name", "名前", "name", &name, NAME_MAX);
        let frequency = frequency_of(&change.frequency, &mut errors);
        errors.into_result()?;
        let update = SavedSearchUpdate {
            name,
            frequency: frequency.unwrap_or(current.frequency),
            email: change.email,
        };
        self.storage
            .update_saved_search(id, principal.user_id, &update, self.clock.now())
            .await?
            .ok_or(ServiceError::NotFound)
    }

    pub async fn delete_saved_search(
        &self,
        principal: &Principal,
        id: SavedSearchId,
    ) -> ServiceResult<()> {
        musubi_domain::authz::check(Some(principal), Access::SignedIn)?;
        if self
            .storage
            .delete_saved_search(id, principal.user_id)
            .await?
        {
            Ok(())
        } else {
            Err(ServiceError::NotFound)
        }
    }

    /// The search a saved search stands for (as the list would run it).
    pub fn saved_search_criteria(s: &SavedSearch) -> ServiceResult<TenderSearch> {
        serde_json::from_value(s.criteria.clone())
            .map_err(|e| ServiceError::Internal(format!("saved search {}: {e}", s.id)))
    }

    /// The saved search a feed link names, if its token is right.
    pub async fn saved_search_for_feed(
        &self,
        id: SavedSearchId,
        token: &str,
    ) -> ServiceResult<SavedSearch> {
        if !self.link_token_ok(LinkPurpose::Feed, &format!("s{id}"), token)? {
            return Err(ServiceError::NotFound);
        }
        self.storage
            .saved_search(id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// The Atom feed address of a saved search (a capability: anyone with it
    /// reads the feed, as with any feed reader).
    pub fn saved_search_feed_url(&self, s: &SavedSearch) -> ServiceResult<String> {
        let t = self.link_token(LinkPurpose::Feed, &format!("s{}", s.id))?;
        Ok(format!(
            "{}/saved-searches/{}/feed.atom?token={t}",
            self.config.base_url, s.id
        ))
    }

    // --- one-click unsubscribe ---------------------------------------------------

    /// The unsubscribe address for a saved search's mail.
    pub fn saved_search_unsubscribe_url(&self, id: SavedSearchId) -> ServiceResult<String> {
        self.unsubscribe_url(&format!("s{id}"))
    }

    /// The unsubscribe address for a person's event mail.
    pub fn event_mail_unsubscribe_url(&self, user: UserId) -> ServiceResult<String> {
        self.unsubscribe_url(&format!("u{user}"))
    }

    fn unsubscribe_url(&self, target: &str) -> ServiceResult<String> {
        let t = self.link_token(LinkPurpose::Unsubscribe, target)?;
        Ok(format!(
            "{}/alerts/unsubscribe?target={target}&token={t}",
            self.config.base_url
        ))
    }

    /// What an unsubscribe link names, if its token is right (nothing changes).
    pub async fn unsubscribe_target(
        &self,
        target: &str,
        token: &str,
    ) -> ServiceResult<Unsubscribed> {
        if !self.link_token_ok(LinkPurpose::Unsubscribe, target, token)? {
            return Err(bad_link());
        }
        let id = |s: &str| s.parse::<i64>().map_err(|_| bad_link());
        match target.split_at_checked(1) {
            Some(("s", n)) => self
                .storage
                .saved_search(id(n)?)
                .await?
                .map(Unsubscribed::SavedSearch)
                .ok_or(ServiceError::NotFound),
            Some(("u", n)) => Ok(Unsubscribed::EventMail(id(n)?)),
            _ => Err(bad_link()),
        }
    }

    /// One-click unsubscribe (RFC 8058): mail of a saved search, or event
    /// mail, off. Repeating it changes nothing more.
    pub async fn unsubscribe(&self, target: &str, token: &str) -> ServiceResult<Unsubscribed> {
        let mut what = self.unsubscribe_target(target, token).await?;
        let now = self.clock.now();
        match &mut what {
            Unsubscribed::SavedSearch(s) => {
                self.storage
                    .set_saved_search_email(s.id, false, now)
                    .await?;
                s.email = false;
            }
            Unsubscribed::EventMail(user) => {
                self.storage
                    .set_event_mail(*user, false, now)
                    .await
                    .map_err(|e| match e {
                        StorageError::NotFound => ServiceError::NotFound,
                        e => e.into(),
                    })?;
            }
        }
        Ok(what)
    }

    /// Event mail on or off for the caller (the inbox's setting).
    pub async fn set_event_mail(&self, principal: &Principal, on: bool) -> ServiceResult<()> {
        musubi_domain::authz::check(Some(principal), Access::SignedIn)?;
        Ok(self
            .storage
            .set_event_mail(principal.user_id, on, self.clock.now())
            .await?)
    }

    pub async fn event_mail_on(&self, principal: &Principal) -> ServiceResult<bool> {
        musubi_domain::authz::check(Some(principal), Access::SignedIn)?;
        Ok(self
            .storage
            .mail_recipients(&[principal.user_id])
            .await?
            .first()
            .is_none_or(|r| r.event_mail))
    }

    fn link_key(&self) -> ServiceResult<[u8; 32]> {
        Ok(self.bid_keys()?.master.derive("link-tokens"))
    }

    fn link_token(&self, purpose: LinkPurpose, target: &str) -> ServiceResult<String> {
        let message = format!("{purpose:?}:{target}");
        let mac = hmac_sha256(&self.link_key()?, message.as_bytes());
        Ok(crate::sealing::to_hex(&mac[..16]))
    }

    fn link_token_ok(
        &self,
        purpose: LinkPurpose,
        target: &str,
        token: &str,
    ) -> ServiceResult<bool> {
        let want = self.link_token(purpose, target)?;
        // Constant time: the token is a secret.
        Ok(want.len() == token.len()
            && want
                .bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0)
    }

    // --- the inbox -----------------------------------------------------------------

    pub async fn unread_notifications(&self, principal: &Principal) -> ServiceResult<i64> {
        musubi_domain::authz::check(Some(principal), Access::SignedIn)?;
        Ok(self.storage.unread_events(principal.user_id).await?)
    }

    /// Marks some (`Some(ids)`) or all of the caller's notifications read.
    pub async fn mark_notifications_read(
        &self,
        principal: &Principal,
        ids: Option<&[i64]>,
    ) -> ServiceResult<u64> {
        musubi_domain::authz::check(Some(principal), Access::SignedIn)?;
        Ok(self
            .storage
            .mark_events_read(principal.user_id, ids, self.clock.now())
            .await?)
    }

    // --- alerting ------------------------------------------------------------------

    /// Tests tender `id` against every alerting saved search and records the
    /// hits; returns how many were new. Nothing for a tender that is not public.
    pub async fn percolate_tender(&self, id: TenderId) -> ServiceResult<usize> {
        let Some(tender) = self.storage.tender(id).await? else {
            return Ok(0);
        };
        let Some(doc) = crate::search::tender_doc(&tender) else {
            return Ok(0);
        };
        let alerting = self.alerting_searches().await?;
        let title = tender.content.title.clone();
        // Many searches against one document: CPU work, off the async threads.
        let hits = crate::search::blocking(move || {
            let doc = PercolateDoc::new(&doc);
            Ok::<_, musubi_search::SearchError>(
                alerting
                    .iter()
                    .filter(|a| a.percolator.matches(&doc))
                    .map(|a| AlertHit {
                        saved_search_id: a.id,
                        user_id: a.user_id,
                        tender_id: id,
                        detail: json!({
                            "title": title,
                            "saved_search_id": a.id,
                            "saved_search_name": a.name,
                        }),
                        for_digest: a.frequency == AlertFrequency::Daily,
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .await?;
        if hits.is_empty() {
            return Ok(0);
        }
        Ok(self
            .storage
            .record_alert_hits(&hits, self.clock.now())
            .await?)
    }

    /// The alerting saved searches, parsed: from the cache while no saved
    /// search changed.
    async fn alerting_searches(&self) -> ServiceResult<Arc<Vec<Alerting>>> {
        let version = self.storage.saved_searches_version().await?;
        let mut held = self.alerting.held.lock().await;
        if let Some((v, list)) = held.as_ref()
            && *v == version
        {
            return Ok(Arc::clone(list));
        }
        let mut list = Vec::new();
        for frequency in [AlertFrequency::Instant, AlertFrequency::Daily] {
            for s in self.storage.alerting_saved_searches(frequency).await? {
                match Self::saved_search_criteria(&s).map(Percolator::new) {
                    Ok(Ok(percolator)) => list.push(Alerting {
                        id: s.id,
                        user_id: s.user_id,
                        name: s.name,
                        frequency,
                        percolator,
                    }),
                    _ => {
                        tracing::warn!(saved_search = s.id, "saved search does not parse; skipped")
                    }
                }
            }
        }
        let list = Arc::new(list);
        *held = Some((version, Arc::clone(&list)));
        Ok(list)
    }

    /// The daily digest: every daily saved search's waiting hits become
    /// inbox events and, for searches that mail, one mail.
    pub async fn run_digest(&self) -> ServiceResult<DigestReport> {
        let now = self.clock.now();
        let pending = self.storage.pending_digest_hits().await?;
        let mut by_search: Vec<(SavedSearchId, Vec<TenderId>)> = Vec::new();
        for (s, t) in pending {
            match by_search.last_mut() {
                Some((id, ts)) if *id == s => ts.push(t),
                _ => by_search.push((s, vec![t])),
            }
        }
        let mut report = DigestReport::default();
        for (sid, tender_ids) in by_search {
            let Some(s) = self.storage.saved_search(sid).await? else {
                continue;
            };
            let mut tenders = Vec::new();
            for t in &tender_ids {
                if let Some(t) = self.storage.tender(*t).await? {
                    tenders.push(t);
                }
            }
            let hits: Vec<AlertHit> = tenders
                .iter()
                .map(|t| AlertHit {
                    saved_search_id: s.id,
                    user_id: s.user_id,
                    tender_id: t.id,
                    detail: json!({
                        "title": t.content.title,
                        "saved_search_id": s.id,
                        "saved_search_name": s.name,
                        "digest": true,
                    }),
                    for_digest: true,
                })
                .collect();
            let recipient = self.storage.mail_recipients(&[s.user_id]).await?.pop();
            let mail = match recipient {
                Some(r) if s.email && !tenders.is_empty() => {
                    // Fixed by the search and the tenders it reports: a
                    // re-run of the same digest queues the same mail, another
                    // set of tenders is another mail.
                    let message_id = format!(
                        "<digest.{}.{}.{}.{}@musubi>",
                        s.id,
                        tender_ids[0],
                        tender_ids[tender_ids.len() - 1],
                        tender_ids.len()
                    );
                    Some(mail_job(&self.digest_mail(&s, &r, &tenders, message_id)?))
                }
                _ => None,
            };
            let has_mail = mail.is_some();
            let recorded = self
                .storage
                .record_digest(
                    &Digest {
                        saved_search_id: s.id,
                        hits,
                        mail,
                    },
                    now,
                )
                .await?;
            if recorded > 0 {
                report.searches += 1;
                report.tenders += recorded;
                report.mails += usize::from(has_mail);
            }
        }
        self.wake_worker();
        Ok(report)
    }

    /// The mail of events `ids`: one per event whose person gets it.
    pub async fn event_mails(&self, ids: &[i64]) -> ServiceResult<Vec<OutgoingMail>> {
        let events = self.storage.events_by_ids(ids).await?;
        let mut users: Vec<UserId> = events.iter().map(|e| e.user_id).collect();
        users.sort_unstable();
        users.dedup();
        let recipients: HashMap<UserId, MailRecipient> = self
            .storage
            .mail_recipients(&users)
            .await?
            .into_iter()
            .map(|r| (r.user_id, r))
            .collect();
        let mut saved: HashMap<SavedSearchId, Option<SavedSearch>> = HashMap::new();
        let mut mails = Vec::new();
        for e in &events {
            let Some(r) = recipients.get(&e.user_id) else {
                continue;
            };
            let unsubscribe = if e.kind == EventKind::SavedSearchMatch {
                let Some(sid) = e.detail.get("saved_search_id").and_then(|v| v.as_i64()) else {
                    continue;
                };
                if let std::collections::hash_map::Entry::Vacant(slot) = saved.entry(sid) {
                    slot.insert(self.storage.saved_search(sid).await?);
                }
                // Mailed only while the search still alerts at once by mail.
                match saved.get(&sid).and_then(Option::as_ref) {
                    Some(s) if s.email && s.frequency == AlertFrequency::Instant => {
                        self.saved_search_unsubscribe_url(sid)?
                    }
                    _ => continue,
                }
            } else {
                if !r.event_mail {
                    continue;
                }
                self.event_mail_unsubscribe_url(r.user_id)?
            };
            mails.push(self.event_mail(e, r, unsubscribe).await?);
        }
        Ok(mails)
    }

    async fn event_mail(
        &self,
        e: &NotificationEvent,
        r: &MailRecipient,
        unsubscribe_url: String,
    ) -> ServiceResult<OutgoingMail> {
        let lang = lang_of(r);
        let text = event_text(lang, e.kind, &e.detail);
        let base = &self.config.base_url;
        let mut body = String::new();
        body.push_str(&greeting(lang, r));
        body.push_str(&text);
        body.push_str("\n\n");
        if let Some(t) = e.tender_id
            && let Some(tender) = self.storage.tender(t).await?
        {
            body.push_str(&tender_lines(lang, &tender, base));
        }
        if let Some(note) = e.detail.get("note").and_then(|v| v.as_str()) {
            body.push_str(&match lang {
                MailLang::Ja => format!("コメント: {note}\n\n"),
                MailLang::En => format!("Note: {note}\n\n"),
            });
        }
        body.push_str(&footer(lang, base, &unsubscribe_url, e.kind));
        let subject = match lang {
            MailLang::Ja => format!("【結び】{}", one_line(&text, 80)),
            MailLang::En => format!("[Musubi] {}", one_line(&text, 100)),
        };
        Ok(OutgoingMail {
            message_id: format!("<event.{}@musubi>", e.id),
            to: r.email.clone(),
            subject,
            text_body: body,
            lang,
            unsubscribe_url: Some(unsubscribe_url),
        })
    }

    fn digest_mail(
        &self,
        s: &SavedSearch,
        r: &MailRecipient,
        tenders: &[musubi_storage::Tender],
        message_id: String,
    ) -> ServiceResult<OutgoingMail> {
        let lang = lang_of(r);
        let base = &self.config.base_url;
        let unsubscribe_url = self.saved_search_unsubscribe_url(s.id)?;
        let mut body = greeting(lang, r);
        body.push_str(&match lang {
            MailLang::Ja => format!(
                "検索条件「{}」に一致する新着案件が{}件あります。\n\n",
                s.name,
                tenders.len()
            ),
            MailLang::En => format!(
                "{} new tender(s) match your saved search “{}”.\n\n",
                tenders.len(),
                s.name
            ),
        });
        for t in tenders.iter().take(DIGEST_LIST_MAX) {
            body.push_str(&tender_lines(lang, t, base));
        }
        if tenders.len() > DIGEST_LIST_MAX {
            body.push_str(&match lang {
                MailLang::Ja => format!(
                    "ほか{}件は検索結果でご覧ください: {base}/search?{}\n\n",
                    tenders.len() - DIGEST_LIST_MAX,
                    s.query
                ),
                MailLang::En => format!(
                    "{} more in the search results: {base}/search?{}&lang=en\n\n",
                    tenders.len() - DIGEST_LIST_MAX,
                    s.query
                ),
            });
        }
        body.push_str(&footer(
            lang,
            base,
            &unsubscribe_url,
            EventKind::SavedSearchMatch,
        ));
        let subject = match lang {
            MailLang::Ja => format!(
                "【結び】新着案件のお知らせ（{}件）: {}",
                tenders.len(),
                one_line(&s.name, 40)
            ),
            MailLang::En => format!(
                "[Musubi] {} new tender(s): {}",
                tenders.len(),
                one_line(&s.name, 60)
            ),
        };
        Ok(OutgoingMail {
            message_id,
            to: r.email.clone(),
            subject,
            text_body: body,
            lang,
            unsubscribe_url: Some(unsubscribe_url),
        })
    }
}

/// What a notification event says, in `lang` (the inbox and mail share it).
pub fn event_text(lang: MailLang, kind: EventKind, detail: &serde_json::Value) -> String {
    use EventKind as K;
    let s = |key: &str| detail.get(key).and_then(|v| v.as_str()).unwrap_or_default();
    let (ja, en): (String, String) = match kind {
        K::TenderDeadlineChanged => (
            "日程が訂正されました（提出締切日時等の変更）。".into(),
            "The schedule was amended (a deadline moved).".into(),
        ),
        K::TenderAmended => (
            "公告内容が訂正されました。".into(),
            "The tender was amended.".into(),
        ),
        K::TenderCancelled => (
            "案件が中止されました。".into(),
            "The tender was cancelled.".into(),
        ),
        K::QuestionAnswered => (
            "質問に回答がありました。".into(),
            "Your question was answered.".into(),
        ),
        K::ApplicationAccepted => (
            "参加申請が承認されました（指名）。".into(),
            "Your application was accepted (nominated).".into(),
        ),
        K::ApplicationRejected => (
            "参加申請は承認されませんでした（非指名）。".into(),
            "Your application was not accepted.".into(),
        ),
        K::Nominated => ("指名を受けました。".into(), "You were nominated.".into()),
        K::TenderOpened => (
            "開札が行われ、結果が公開されました。".into(),
            "The bids were opened; the results are public.".into(),
        ),
        K::TenderAwarded => (
            "落札者が決定しました。".into(),
            "The award was decided.".into(),
        ),
        K::TenderUnsuccessful => (
            "有効な入札がなく、不調となりました。".into(),
            "No valid bid: the tender was unsuccessful.".into(),
        ),
        K::SavedSearchMatch => (
            format!(
                "検索条件「{}」に一致する新着案件です。",
                s("saved_search_name")
            ),
            format!(
                "A new tender matches your saved search “{}”.",
                s("saved_search_name")
            ),
        ),
        K::TenderShared => (
            format!(
                "コーディネーター（{}）から案件の紹介がありました。",
                s("coordinator_name")
            ),
            format!(
                "Coordinator {} shared a tender with your region.",
                s("coordinator_name")
            ),
        ),
        K::SupplierRecommended => (
            format!(
                "コーディネーターから「{}」の推薦がありました。",
                s("supplier_name")
            ),
            format!(
                "A coordinator recommends {} for your tender.",
                s("supplier_name")
            ),
        ),
        K::RecommendedToApply => (
            "コーディネーターが貴社を発注者に推薦しました。参加申請をご検討ください。".into(),
            "A coordinator recommended your company to the buyer; consider applying.".into(),
        ),
    };
    let text = match lang {
        MailLang::Ja => ja,
        MailLang::En => en,
    };
    match detail.get("title").and_then(|t| t.as_str()) {
        Some(title) => match lang {
            MailLang::Ja => format!("「{title}」{text}"),
            MailLang::En => format!("“{title}”: {text}"),
        },
        None => text,
    }
}

fn lang_of(r: &MailRecipient) -> MailLang {
    if r.locale == "en" {
        MailLang::En
    } else {
        MailLang::Ja
    }
}

fn greeting(lang: MailLang, r: &MailRecipient) -> String {
    match lang {
        MailLang::Ja => format!("{} 様\n\n", r.display_name),
        MailLang::En => format!("Dear {},\n\n", r.display_name),
    }
}

fn tender_lines(lang: MailLang, t: &musubi_storage::Tender, base: &str) -> String {
    let c = &t.content;
    let place = c.place.prefecture().map_or_else(
        || match lang {
            MailLang::Ja => "オンライン".to_owned(),
            MailLang::En => "Online".to_owned(),
        },
        |p| match lang {
            MailLang::Ja => p.name_ja().to_owned(),
            MailLang::En => p.name_en().to_owned(),
        },
    );
    match lang {
        MailLang::Ja => format!(
            "■ {}\n  発注機関: {}\n  履行場所: {}\n  提出締切: {}\n  {base}/tenders/{}\n\n",
            c.title,
            t.buyer_name,
            place,
            musubi_domain::format_japan_datetime(c.schedule.submission_closes_at),
            t.id
        ),
        MailLang::En => format!(
            "- {}\n  Buyer: {}\n  Place: {}\n  Submissions close: {}\n  {base}/tenders/{}?lang=en\n\n",
            c.title,
            t.buyer_name,
            place,
            musubi_domain::format_japan_datetime_en(c.schedule.submission_closes_at),
            t.id
        ),
    }
}

fn footer(lang: MailLang, base: &str, unsubscribe: &str, kind: EventKind) -> String {
    let what_ja = if kind == EventKind::SavedSearchMatch {
        "この検索条件のメール配信"
    } else {
        "案件のお知らせメール"
    };
    let what_en = if kind == EventKind::SavedSearchMatch {
        "mail for this saved search"
    } else {
        "tender notification mail"
    };
    match lang {
        MailLang::Ja => format!(
            "お知らせ一覧: {base}/notifications\n\
             {what_ja}を停止する（ワンクリック）: {unsubscribe}\n\n\
             ※このメールは送信専用です。ご返信いただいてもお答えできません。\n\
             ―――――――――――――――――――――\n\
             結び（Musubi）運営事務局\n"
        ),
        MailLang::En => format!(
            "Your notifications: {base}/notifications?lang=en\n\
             Stop {what_en} (one click): {unsubscribe}\n\n\
             This address does not receive replies.\n\
             --\n\
             Musubi\n"
        ),
    }
}

/// The first `max` characters of `s` on one line.
fn one_line(s: &str, max: usize) -> String {
    let s: String = s.replace(['\r', '\n'], " ");
    if s.chars().count() <= max {
        s
    } else {
        let mut out: String = s.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

fn name_of(name: &str, search: &TenderSearch) -> String {
    let name = name.trim();
    if !name.is_empty() {
        return name.to_owned();
    }
    // Unnamed: after its words and its place, kind and category filters
    // (「清掃・東京都・役務」), so unnamed searches can be told apart.
    use musubi_domain::tender::{Category, TenderKind};
    use musubi_domain::{Prefecture, Region};
    let mut parts: Vec<String> = Vec::new();
    if !search.q.trim().is_empty() {
        parts.push(search.q.trim().to_owned());
    }
    parts.extend(
        search
            .prefectures
            .iter()
            .filter_map(|p| Prefecture::parse(p).ok())
            .map(|p| p.name_ja().to_owned()),
    );
    parts.extend(
        search
            .regions
            .iter()
            .filter_map(|r| Region::parse(r).ok())
            .map(|r| r.name_ja().to_owned()),
    );
    parts.extend(
        search
            .kinds
            .iter()
            .filter_map(|k| TenderKind::parse(k).ok())
            .map(|k| k.name_ja().to_owned()),
    );
    parts.extend(
        search
            .categories
            .iter()
            .filter_map(|c| Category::parse(c).ok())
            .map(|c| c.name_ja().to_owned()),
    );
    if parts.is_empty() {
        "検索条件".to_owned()
    } else {
        parts.join("・").chars().take(NAME_MAX).collect()
    }
}

/// Whether `s` can never find a newly published tender: one with an
/// award, or only in statuses a new tender is not in.
fn never_new(s: &TenderSearch) -> bool {
    use musubi_domain::tender::TenderStatus;
    let fresh = [
        TenderStatus::Published,
        TenderStatus::AcceptingApplications,
        TenderStatus::Tendering,
    ]
    .map(|st| st.code());
    s.awarded
        || s.winner.is_some()
        || s.awarded_from.is_some()
        || s.awarded_to.is_some()
        || s.amount_min.is_some()
        || s.amount_max.is_some()
        || (!s.statuses.is_empty() && !s.statuses.iter().any(|st| fresh.contains(&st.as_str())))
}

fn frequency_of(raw: &str, errors: &mut FieldErrors) -> Option<AlertFrequency> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Some(AlertFrequency::Instant);
    }
    let f = AlertFrequency::parse(raw);
    if f.is_none() {
        errors.add(
            "frequency",
            "invalid_frequency",
            "通知の頻度は「即時」「毎日」「通知しない」から選んでください。",
            "The frequency is instant, daily or none.",
        );
    }
    f
}

fn bad_link() -> ServiceError {
    ServiceError::Refused {
        status: 400,
        code: "invalid_link",
        message_ja: "リンクが正しくありません。メールのリンクをそのまま開いてください。".into(),
        message_en: "This link is not valid; open the link from the mail as it is.".into(),
    }
}

/// HMAC-SHA256 (RFC 2104).
fn hmac_sha256(key: &[u8; 32], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    k[..32].copy_from_slice(key);
    let pad = |byte: u8| k.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

// --- jobs ------------------------------------------------------------------------------

struct AlertJobs {
    kind: &'static str,
    services: Services,
}

#[async_trait]
impl JobHandler for AlertJobs {
    fn kind(&self) -> &'static str {
        self.kind
    }

    async fn run(&self, job: &ClaimedJob) -> Result<JobOutput, JobError> {
        let retry = |e: ServiceError| JobError::Retry(e.to_string());
        match self.kind {
            PERCOLATE_KIND => {
                let id = job
                    .payload
                    .get("id")
                    .and_then(|v| v.as_i64())
                    .ok_or_else(|| {
                        JobError::Permanent(format!("{} job without an id", job.kind))
                    })?;
                let n = self.services.percolate_tender(id).await.map_err(retry)?;
                tracing::info!(tender = id, alerts = n, "saved searches checked");
                Ok(JobOutput::default())
            }
            DIGEST_KIND => {
                let report = self.services.run_digest().await.map_err(retry)?;
                tracing::info!(?report, "daily digest");
                Ok(JobOutput::default())
            }
            _ => {
                let ids: Vec<i64> = job
                    .payload
                    .get("events")
                    .and_then(|v| serde_json::from_value(v.clone()).ok())
                    .ok_or_else(|| {
                        JobError::Permanent(format!("{} job without events", job.kind))
                    })?;
                let mails = self.services.event_mails(&ids).await.map_err(retry)?;
                Ok(JobOutput {
                    follow_ups: mails.iter().map(mail_job).collect(),
                })
            }
        }
    }
}

/// Registers the alert jobs (any worker runs them).
pub fn register(registry: &mut Registry, services: &Services) {
    for kind in [PERCOLATE_KIND, DIGEST_KIND, NOTIFY_EMAIL_KIND] {
        registry.register(AlertJobs {
            kind,
            services: services.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn hmac_is_rfc_4231_test_case_2() {
        // Key "Jefe": HMAC pads a short key with zeros, so it is our 32-byte
        // key "Jefe" followed by 28 zero bytes.
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        assert_eq!(
            crate::sealing::to_hex(&hmac_sha256(&key, b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn unnamed_searches_are_named_after_what_they_look_for() {
        let search = TenderSearch {
            q: "清掃".into(),
            prefectures: vec!["13".into()],
            categories: vec!["services".into()],
            ..Default::default()
        };
        let name = name_of("  ", &search);
        assert!(name.starts_with("清掃・東京都・"), "{name}");
        assert_eq!(name_of(" 都内の清掃 ", &search), "都内の清掃");
        assert_eq!(name_of("", &TenderSearch::default()), "検索条件");
    }

    #[test]
    fn the_digest_is_due_at_seven_in_japan() {
        // 2026-11-22 06:59 JST: the 21st's digest is the one due.
        let before = Utc.with_ymd_and_hms(2026, 11, 21, 21, 59, 0).unwrap();
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert_eq!(due_digest_day(before), day(21));
        // From 07:00 JST (22:00 UTC the day before), the 22nd's.
        let at = Utc.with_ymd_and_hms(2026, 11, 21, 22, 0, 0).unwrap();
        assert_eq!(digest_at(day(22)), at);
        assert_eq!(due_digest_day(at), day(22));
        assert_eq!(
            digest_job(day(22)).dedupe_key.as_deref(),
            Some("alerts.digest:2026-11-22")
        );
    }
}
