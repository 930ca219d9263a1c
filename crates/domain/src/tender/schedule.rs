//! A tender's dates: publication, the application window (希望制指名 only),
//! the question deadline, the submission window and the opening (開札).
//!
//! [`Schedule`] is what a buyer typed; [`Schedule::validate`] turns it into a
//! [`ValidSchedule`] or lists every problem at once, so a form can mark all
//! its bad fields in one round trip. A `ValidSchedule` then answers which
//! time-driven steps are due and whether a window is open at a given instant.
//!
//! Windows are half-open, `[opens, closes)`: something received exactly at a
//! deadline is late. The deadline instant is the one that counts, whatever
//! the tender's status says, because the job that closes a window may run a
//! little after it.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::kind::ContractMethod;
use super::status::{TenderStatus, Transition};

/// The usual minimum 公告期間 in days (公告 to submission deadline), as in
/// 予算決算及び会計令 第74条.
pub const DEFAULT_MIN_PUBLICATION_DAYS: u32 = 10;

/// How far in the past a publication (or rebid) time may be and still count
/// as "now": the form was filled in a few minutes before it was sent.
pub const PUBLISH_AT_TOLERANCE: TimeDelta = TimeDelta::minutes(5);

/// A tender's dates as entered, not yet checked. All instants are UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// 公告日時.
    pub publish_at: DateTime<Utc>,
    /// 参加申請受付開始日時; required for 希望制指名 and only for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_opens_at: Option<DateTime<Utc>>,
    /// 参加申請締切日時; required for 希望制指名 and only for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_closes_at: Option<DateTime<Utc>>,
    /// 質問受付期限 (exclusive).
    pub questions_until: DateTime<Utc>,
    /// 提出受付開始日時.
    pub submission_opens_at: DateTime<Utc>,
    /// 提出締切日時 (exclusive).
    pub submission_closes_at: DateTime<Utc>,
    /// 開札日時.
    pub opening_at: DateTime<Utc>,
}

code_enum!(
    /// A field of [`Schedule`]; the code is the field's name in forms and JSON.
    ScheduleField, "schedule field", {
        PublishAt => "publish_at", "公告日時", "Publication";
        ApplicationOpensAt => "application_opens_at", "参加申請受付開始日時", "Applications open";
        ApplicationClosesAt => "application_closes_at", "参加申請締切日時", "Application deadline";
        QuestionsUntil => "questions_until", "質問受付期限", "Question deadline";
        SubmissionOpensAt => "submission_opens_at", "提出受付開始日時", "Submissions open";
        SubmissionClosesAt => "submission_closes_at", "提出締切日時", "Submission deadline";
        OpeningAt => "opening_at", "開札日時", "Opening";
    }
);

/// How one date must relate to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Order {
    /// Strictly earlier.
    Before,
    /// Strictly later.
    After,
    /// Later or the same instant.
    NotBefore,
}

impl Order {
    fn holds(self, a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
        match self {
            Order::Before => a < b,
            Order::After => a > b,
            Order::NotBefore => a >= b,
        }
    }
}

/// One problem with a schedule, attached to the field to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("{field} is required for selective tendering by application")]
    ApplicationWindowRequired { field: ScheduleField },
    #[error("{field} is only for selective tendering by application, not {method}")]
    ApplicationWindowNotAllowed {
        field: ScheduleField,
        method: ContractMethod,
    },
    #[error("{field} is in the past")]
    InPast { field: ScheduleField },
    #[error("{field} must be {} {other}", order_en(*.order))]
    OutOfOrder {
        field: ScheduleField,
        order: Order,
        other: ScheduleField,
    },
    #[error("submission_closes_at must be at least {min_days} days after publish_at")]
    PublicationPeriodTooShort { min_days: u32 },
    /// An amendment (訂正) tried to move a date that has already passed (or
    /// the publication itself): what happened cannot be rescheduled.
    #[error("{field} has already passed and cannot be changed")]
    AlreadyPassed { field: ScheduleField },
}

fn order_en(order: Order) -> &'static str {
    match order {
        Order::Before => "before",
        Order::After => "after",
        Order::NotBefore => "at or after",
    }
}

impl ScheduleError {
    /// The field the message belongs next to.
    pub fn field(&self) -> ScheduleField {
        match *self {
            Self::ApplicationWindowRequired { field }
            | Self::ApplicationWindowNotAllowed { field, .. }
            | Self::InPast { field }
            | Self::OutOfOrder { field, .. }
            | Self::AlreadyPassed { field } => field,
            // The deadline is what usually moves; publication is often "now".
            Self::PublicationPeriodTooShort { .. } => ScheduleField::SubmissionClosesAt,
        }
    }

    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ApplicationWindowRequired { .. } => "schedule_application_window_required",
            Self::ApplicationWindowNotAllowed { .. } => "schedule_application_window_not_allowed",
            Self::InPast { .. } => "schedule_in_past",
            Self::OutOfOrder { .. } => "schedule_out_of_order",
            Self::PublicationPeriodTooShort { .. } => "schedule_publication_period_too_short",
            Self::AlreadyPassed { .. } => "schedule_already_passed",
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match *self {
            Self::ApplicationWindowRequired { field } => {
                format!(
                    "希望制指名の案件では{}を入力してください。",
                    field.name_ja()
                )
            }
            Self::ApplicationWindowNotAllowed { field, method } => format!(
                "{}は希望制指名の案件でのみ指定できます（契約方法：{}）。",
                field.name_ja(),
                method.name_ja()
            ),
            Self::InPast { field } => format!(
                "{}が過去の日時です。現在以降の日時を指定してください。",
                field.name_ja()
            ),
            Self::OutOfOrder {
                field,
                order,
                other,
            } => {
                let relation = match order {
                    Order::Before => "より前",
                    Order::After => "より後",
                    Order::NotBefore => "以降",
                };
                format!(
                    "{}は{}{}にしてください。",
                    field.name_ja(),
                    other.name_ja(),
                    relation
                )
            }
            Self::PublicationPeriodTooShort { min_days } => format!(
                "公告期間が不足しています。公告日時から提出締切日時まで{min_days}日以上あけてください。"
            ),
            Self::AlreadyPassed { field } => format!(
                "{}は既に経過しているため、訂正で変更できません。",
                field.name_ja()
            ),
        }
    }

    /// English message for the UI.
    pub fn message_en(&self) -> String {
        match *self {
            Self::ApplicationWindowRequired { field } => format!(
                "{} is required for selective competition by application.",
                field.name_en()
            ),
            Self::ApplicationWindowNotAllowed { field, method } => format!(
                "{} applies only to selective competition by application, not to {}.",
                field.name_en(),
                method.name_en().to_lowercase()
            ),
            Self::InPast { field } => format!(
                "{} is in the past; choose a time from now on.",
                field.name_en()
            ),
            Self::OutOfOrder {
                field,
                order,
                other,
            } => format!(
                "{} must be {} {}.",
                field.name_en(),
                order_en(order),
                other.name_en().to_lowercase()
            ),
            Self::PublicationPeriodTooShort { min_days } => format!(
                "Allow at least {min_days} days between publication and the submission deadline."
            ),
            Self::AlreadyPassed { field } => format!(
                "{} has already passed and cannot be amended.",
                field.name_en()
            ),
        }
    }
}

impl_domain_error!(ScheduleError);

impl Schedule {
    /// Checks every rule and returns all problems, ordered by field:
    ///
    /// - the application window is present iff `method` is 希望制指名;
    /// - publish ≤ application opens < application closes ≤ submission
    ///   opens < submission closes ≤ opening, and publish < questions_until <
    ///   submission closes;
    /// - publication is not in the past beyond [`PUBLISH_AT_TOLERANCE`];
    /// - at least `min_days` × 24 hours from publication to the submission
    ///   deadline (公告期間; [`DEFAULT_MIN_PUBLICATION_DAYS`] usually; 0 for
    ///   none). Elapsed days, not calendar days: the rule is a floor, and
    ///   holiday-aware counting belongs to a buyer's own regulations.
    pub fn validate(
        self,
        method: ContractMethod,
        now: DateTime<Utc>,
        min_days: u32,
    ) -> Result<ValidSchedule, Vec<ScheduleError>> {
        let mut errors = self.lasting_errors(method);
        if self.publish_at < now - PUBLISH_AT_TOLERANCE {
            errors.push(ScheduleError::InPast {
                field: ScheduleField::PublishAt,
            });
        }
        let period = self.submission_closes_at - self.publish_at;
        // try_days only fails far beyond any u32, but never panic on input.
        let too_short = TimeDelta::try_days(i64::from(min_days)).is_none_or(|min| period < min);
        if too_short {
            errors.push(ScheduleError::PublicationPeriodTooShort { min_days });
        }
        finish(self, errors)
    }

    /// The rules that stay true as time passes (window presence and order),
    /// in field order.
    fn lasting_errors(&self, method: ContractMethod) -> Vec<ScheduleError> {
        use ScheduleField as F;
        let mut errors = Vec::new();
        let window = [
            (F::ApplicationOpensAt, self.application_opens_at),
            (F::ApplicationClosesAt, self.application_closes_at),
        ];
        for (field, value) in window {
            match (method.has_application_window(), value) {
                (true, None) => errors.push(ScheduleError::ApplicationWindowRequired { field }),
                (false, Some(_)) => {
                    errors.push(ScheduleError::ApplicationWindowNotAllowed { field, method })
                }
                _ => {}
            }
        }

        let at = |field: F| -> Option<DateTime<Utc>> {
            match field {
                F::PublishAt => Some(self.publish_at),
                // A window that is not allowed is reported above; its order
                // would only add noise.
                F::ApplicationOpensAt if method.has_application_window() => {
                    self.application_opens_at
                }
                F::ApplicationClosesAt if method.has_application_window() => {
                    self.application_closes_at
                }
                F::ApplicationOpensAt | F::ApplicationClosesAt => None,
                F::QuestionsUntil => Some(self.questions_until),
                F::SubmissionOpensAt => Some(self.submission_opens_at),
                F::SubmissionClosesAt => Some(self.submission_closes_at),
                F::OpeningAt => Some(self.opening_at),
            }
        };
        // (field, must be, other): the error goes on the first field.
        const RULES: [(ScheduleField, Order, ScheduleField); 8] = [
            (F::ApplicationOpensAt, Order::NotBefore, F::PublishAt),
            (F::ApplicationClosesAt, Order::After, F::ApplicationOpensAt),
            // Nomination happens between the two windows.
            (
                F::SubmissionOpensAt,
                Order::NotBefore,
                F::ApplicationClosesAt,
            ),
            (F::QuestionsUntil, Order::After, F::PublishAt),
            // Answers must be out before anyone has to submit.
            (F::QuestionsUntil, Order::Before, F::SubmissionClosesAt),
            (F::SubmissionOpensAt, Order::NotBefore, F::PublishAt),
            (F::SubmissionClosesAt, Order::After, F::SubmissionOpensAt),
            (F::OpeningAt, Order::NotBefore, F::SubmissionClosesAt),
        ];
        for (field, order, other) in RULES {
            if let (Some(a), Some(b)) = (at(field), at(other))
                && !order.holds(a, b)
            {
                errors.push(ScheduleError::OutOfOrder {
                    field,
                    order,
                    other,
                });
            }
        }
        errors
    }
}

fn finish(
    schedule: Schedule,
    mut errors: Vec<ScheduleError>,
) -> Result<ValidSchedule, Vec<ScheduleError>> {
    if errors.is_empty() {
        Ok(ValidSchedule(schedule))
    } else {
        // Stable: within a field, rules keep their order.
        errors.sort_by_key(ScheduleError::field);
        Err(errors)
    }
}

/// A schedule whose dates are in order and whose application window matches
/// its contract method.
///
/// Serialises as the plain [`Schedule`]. There is no `Deserialize`: the
/// window rule needs the contract method, which is stored beside it, so
/// storage reads a `Schedule` and calls [`ValidSchedule::restore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ValidSchedule(Schedule);

impl ValidSchedule {
    /// Re-checks a stored schedule with the rules that stay true as time
    /// passes (window and order), not "publication is not in the past" nor
    /// the 公告期間, which held when it was validated and would now fail.
    pub fn restore(
        schedule: Schedule,
        method: ContractMethod,
    ) -> Result<ValidSchedule, Vec<ScheduleError>> {
        let errors = schedule.lasting_errors(method);
        finish(schedule, errors)
    }

    /// A copy with a new submission window and opening for a 再入札 (after
    /// 不調). Only order and "not in the past" apply: a rebid is often held
    /// the same day, so no 公告期間.
    pub fn rebid(
        &self,
        submission_opens_at: DateTime<Utc>,
        submission_closes_at: DateTime<Utc>,
        opening_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<ValidSchedule, Vec<ScheduleError>> {
        let schedule = Schedule {
            submission_opens_at,
            submission_closes_at,
            opening_at,
            ..self.0
        };
        let mut errors = schedule.lasting_errors(self.method_shape());
        if submission_opens_at < now - PUBLISH_AT_TOLERANCE {
            errors.push(ScheduleError::InPast {
                field: ScheduleField::SubmissionOpensAt,
            });
        }
        finish(schedule, errors)
    }

    /// The schedule after an amendment (訂正) of a published tender: order
    /// and window rules as always; a date that has passed (and the
    /// publication, which has happened) stays as it was; a date that moves
    /// must move to the future; the 公告期間 still holds.
    pub fn amend(
        &self,
        new: Schedule,
        method: ContractMethod,
        now: DateTime<Utc>,
        min_days: u32,
    ) -> Result<ValidSchedule, Vec<ScheduleError>> {
        use ScheduleField as F;
        let mut errors = new.lasting_errors(method);
        let old = &self.0;
        let pairs = [
            (F::PublishAt, Some(old.publish_at), Some(new.publish_at)),
            (
                F::ApplicationOpensAt,
                old.application_opens_at,
                new.application_opens_at,
            ),
            (
                F::ApplicationClosesAt,
                old.application_closes_at,
                new.application_closes_at,
            ),
            (
                F::QuestionsUntil,
                Some(old.questions_until),
                Some(new.questions_until),
            ),
            (
                F::SubmissionOpensAt,
                Some(old.submission_opens_at),
                Some(new.submission_opens_at),
            ),
            (
                F::SubmissionClosesAt,
                Some(old.submission_closes_at),
                Some(new.submission_closes_at),
            ),
            (F::OpeningAt, Some(old.opening_at), Some(new.opening_at)),
        ];
        for (field, before, after) in pairs {
            if before == after {
                continue;
            }
            let passed = field == F::PublishAt || before.is_some_and(|at| at <= now);
            if passed {
                errors.push(ScheduleError::AlreadyPassed { field });
            } else if after.is_some_and(|at| at <= now) {
                errors.push(ScheduleError::InPast { field });
            }
        }
        let period = new.submission_closes_at - new.publish_at;
        if TimeDelta::try_days(i64::from(min_days)).is_none_or(|min| period < min) {
            errors.push(ScheduleError::PublicationPeriodTooShort { min_days });
        }
        finish(new, errors)
    }

    /// A method with the same window rule as this schedule's own.
    fn method_shape(&self) -> ContractMethod {
        if self.0.application_opens_at.is_some() {
            ContractMethod::SelectiveByApplication
        } else {
            ContractMethod::Open
        }
    }

    pub fn schedule(&self) -> &Schedule {
        &self.0
    }

    pub fn into_schedule(self) -> Schedule {
        self.0
    }

    pub fn publish_at(&self) -> DateTime<Utc> {
        self.0.publish_at
    }

    /// `(opens, closes)` for 希望制指名, otherwise `None`.
    pub fn application_window(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.0
            .application_opens_at
            .zip(self.0.application_closes_at)
    }

    pub fn questions_until(&self) -> DateTime<Utc> {
        self.0.questions_until
    }

    pub fn submission_opens_at(&self) -> DateTime<Utc> {
        self.0.submission_opens_at
    }

    pub fn submission_closes_at(&self) -> DateTime<Utc> {
        self.0.submission_closes_at
    }

    pub fn opening_at(&self) -> DateTime<Utc> {
        self.0.opening_at
    }

    /// The time-driven transitions due at `now` for a tender in `status`, in
    /// the order to apply them. A scheduler that was down catches up in one
    /// call: a tender still `published` after `opening_at` gets
    /// `[StartTendering, Close, Open]`. Steps by people (Publish, Award, …)
    /// are never due; a tender whose window has not come yet gets `[]`.
    pub fn due_transitions(&self, status: TenderStatus, now: DateTime<Utc>) -> Vec<Transition> {
        let mut due = Vec::new();
        let mut status = status;
        while let Some(step) = self.next_due(status, now) {
            // Every step below is valid from the status it is chosen for.
            let Ok(next) = status.apply(step) else { break };
            due.push(step);
            status = next;
        }
        due
    }

    fn next_due(&self, status: TenderStatus, now: DateTime<Utc>) -> Option<Transition> {
        let reached = |at: DateTime<Utc>| now >= at;
        let s = &self.0;
        match status {
            TenderStatus::Published => match self.application_window() {
                Some((opens, _)) => reached(opens).then_some(Transition::OpenApplications),
                None => reached(s.submission_opens_at).then_some(Transition::StartTendering),
            },
            TenderStatus::AcceptingApplications => self
                .application_window()
                .filter(|&(_, closes)| reached(closes))
                .map(|_| Transition::CloseApplications),
            TenderStatus::ApplicationsClosed => {
                reached(s.submission_opens_at).then_some(Transition::StartTendering)
            }
            TenderStatus::Tendering => reached(s.submission_closes_at).then_some(Transition::Close),
            TenderStatus::Closed => reached(s.opening_at).then_some(Transition::Open),
            _ => None,
        }
    }

    /// The instant a time-driven step is scheduled for (`None` for steps by
    /// people, and for the application steps without a window).
    pub fn scheduled_at(&self, step: Transition) -> Option<DateTime<Utc>> {
        let s = &self.0;
        match step {
            Transition::OpenApplications => s.application_opens_at,
            Transition::CloseApplications => s.application_closes_at,
            Transition::StartTendering => Some(s.submission_opens_at),
            Transition::Close => Some(s.submission_closes_at),
            Transition::Open => Some(s.opening_at),
            _ => None,
        }
    }

    /// When the next time-driven step from `status` falls due (what a
    /// scheduler waits for), or `None` if no step is time-driven from there.
    pub fn next_transition_at(&self, status: TenderStatus) -> Option<DateTime<Utc>> {
        let s = &self.0;
        match status {
            TenderStatus::Published => match self.application_window() {
                Some((opens, _)) => Some(opens),
                None => Some(s.submission_opens_at),
            },
            TenderStatus::AcceptingApplications => s.application_closes_at,
            TenderStatus::ApplicationsClosed => Some(s.submission_opens_at),
            TenderStatus::Tendering => Some(s.submission_closes_at),
            TenderStatus::Closed => Some(s.opening_at),
            _ => None,
        }
    }

    /// Whether a question may be asked at `now`: the status allows it and
    /// `questions_until` has not passed.
    pub fn accepts_questions_at(&self, status: TenderStatus, now: DateTime<Utc>) -> bool {
        status.accepts_questions() && self.0.publish_at <= now && now < self.0.questions_until
    }

    /// Whether an application to take part may be made at `now`.
    pub fn accepts_applications_at(&self, status: TenderStatus, now: DateTime<Utc>) -> bool {
        status.accepts_applications()
            && self
                .application_window()
                .is_some_and(|(opens, closes)| opens <= now && now < closes)
    }

    /// Whether a bid (or quote, or proposal) may be submitted or withdrawn
    /// at `now`, the instant the request was received. The clock decides,
    /// not the status: the window is open although the scheduler has not yet
    /// moved the tender to `tendering`, and stays open until the deadline
    /// although the scheduler may already have closed it while the request
    /// was on its way (the store refuses the bid once the round is opened).
    pub fn accepts_bids_at(&self, status: TenderStatus, now: DateTime<Utc>) -> bool {
        let status_allows = status.accepts_bids()
            || matches!(
                status,
                TenderStatus::Published | TenderStatus::ApplicationsClosed | TenderStatus::Closed
            );
        status_allows && self.0.submission_opens_at <= now && now < self.0.submission_closes_at
    }
}

impl From<ValidSchedule> for Schedule {
    fn from(valid: ValidSchedule) -> Schedule {
        valid.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ContractMethod::*;
    use ScheduleField as F;
    use TenderStatus as S;
    use Transition as T;
    use proptest::prelude::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    /// "Now" in the examples: 2026-04-01 00:00 UTC (09:00 JST).
    fn now() -> DateTime<Utc> {
        at("2026-04-01T00:00:00Z")
    }

    /// A valid 一般競争 schedule: 14 days of 公告期間.
    fn open_schedule() -> Schedule {
        Schedule {
            publish_at: at("2026-04-01T00:00:00Z"),
            application_opens_at: None,
            application_closes_at: None,
            questions_until: at("2026-04-08T08:00:00Z"),
            submission_opens_at: at("2026-04-10T00:00:00Z"),
            submission_closes_at: at("2026-04-15T08:00:00Z"),
            opening_at: at("2026-04-16T01:00:00Z"),
        }
    }

    /// A valid 希望制指名 schedule: applications 1–5 April.
    fn sba_schedule() -> Schedule {
        Schedule {
            application_opens_at: Some(at("2026-04-01T00:00:00Z")),
            application_closes_at: Some(at("2026-04-05T08:00:00Z")),
            ..open_schedule()
        }
    }

    fn validate(s: Schedule, method: ContractMethod) -> Result<ValidSchedule, Vec<ScheduleError>> {
        s.validate(method, now(), DEFAULT_MIN_PUBLICATION_DAYS)
    }

    fn one_error(s: Schedule, method: ContractMethod) -> ScheduleError {
        let errors = validate(s, method).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors[0]
    }

    fn out_of_order(field: ScheduleField, order: Order, other: ScheduleField) -> ScheduleError {
        ScheduleError::OutOfOrder {
            field,
            order,
            other,
        }
    }

    #[test]
    fn next_transition_at_is_when_the_next_step_falls_due() {
        for (schedule, method) in [
            (open_schedule(), Open),
            (sba_schedule(), SelectiveByApplication),
        ] {
            let valid = validate(schedule, method).unwrap();
            let mut status = S::Published;
            while let Some(at) = valid.next_transition_at(status) {
                let just_before = at - TimeDelta::microseconds(1);
                assert_eq!(valid.due_transitions(status, just_before), vec![]);
                let due = valid.due_transitions(status, at);
                assert_eq!(due.len(), 1, "{status:?} at {at}");
                assert_eq!(valid.scheduled_at(due[0]), Some(at));
                status = status.apply(due[0]).unwrap();
            }
            assert_eq!(status, S::Opened);
        }
    }

    #[test]
    fn amendments_move_only_future_dates_to_the_future() {
        let valid = validate(open_schedule(), Open).unwrap();
        // On 9 April: questions closed on the 8th, submissions open on the 10th.
        let during = at("2026-04-09T00:00:00Z");
        let extended = Schedule {
            submission_closes_at: at("2026-04-20T08:00:00Z"),
            opening_at: at("2026-04-21T01:00:00Z"),
            ..open_schedule()
        };
        let amended = valid
            .amend(extended, Open, during, DEFAULT_MIN_PUBLICATION_DAYS)
            .unwrap();
        assert_eq!(amended.submission_closes_at(), at("2026-04-20T08:00:00Z"));

        // Publication happened; the question deadline has passed.
        let rewritten = Schedule {
            publish_at: at("2026-04-02T00:00:00Z"),
            questions_until: at("2026-04-09T08:00:00Z"),
            ..open_schedule()
        };
        let errors = valid
            .amend(rewritten, Open, during, DEFAULT_MIN_PUBLICATION_DAYS)
            .unwrap_err();
        assert_eq!(
            errors,
            vec![
                ScheduleError::AlreadyPassed {
                    field: F::PublishAt
                },
                ScheduleError::AlreadyPassed {
                    field: F::QuestionsUntil
                },
            ]
        );

        // A future deadline cannot be moved into the past.
        let backdated = Schedule {
            submission_opens_at: at("2026-04-08T12:00:00Z"),
            ..open_schedule()
        };
        let errors = valid
            .amend(backdated, Open, during, DEFAULT_MIN_PUBLICATION_DAYS)
            .unwrap_err();
        assert_eq!(
            errors,
            vec![ScheduleError::InPast {
                field: F::SubmissionOpensAt
            }]
        );

        // Shortening below the 公告期間 is refused even for future dates.
        let shortened = Schedule {
            submission_closes_at: at("2026-04-10T08:00:00Z"),
            opening_at: at("2026-04-10T09:00:00Z"),
            ..open_schedule()
        };
        let errors = valid
            .amend(shortened, Open, during, DEFAULT_MIN_PUBLICATION_DAYS)
            .unwrap_err();
        assert!(errors.contains(&ScheduleError::PublicationPeriodTooShort { min_days: 10 }));
        // Unchanged: nothing to object to, even though dates have passed.
        assert!(
            valid
                .amend(open_schedule(), Open, during, DEFAULT_MIN_PUBLICATION_DAYS)
                .is_ok()
        );
    }

    #[test]
    fn valid_schedules() {
        for method in [Open, Selective, Direct] {
            let valid = validate(open_schedule(), method).unwrap();
            assert_eq!(valid.application_window(), None);
            assert_eq!(*valid.schedule(), open_schedule());
        }
        let valid = validate(sba_schedule(), SelectiveByApplication).unwrap();
        assert_eq!(
            valid.application_window(),
            Some((at("2026-04-01T00:00:00Z"), at("2026-04-05T08:00:00Z")))
        );
        // Boundaries that are allowed: equal instants where the rule is ≤.
        let tight = Schedule {
            submission_opens_at: open_schedule().publish_at,
            opening_at: open_schedule().submission_closes_at,
            ..open_schedule()
        };
        assert!(validate(tight, Open).is_ok());
        let tight_sba = Schedule {
            application_opens_at: Some(open_schedule().publish_at),
            application_closes_at: Some(open_schedule().submission_opens_at),
            ..sba_schedule()
        };
        assert!(validate(tight_sba, SelectiveByApplication).is_ok());
    }

    #[test]
    fn application_window_required_for_selective_by_application() {
        let errors = validate(open_schedule(), SelectiveByApplication).unwrap_err();
        assert_eq!(
            errors,
            [
                ScheduleError::ApplicationWindowRequired {
                    field: F::ApplicationOpensAt
                },
                ScheduleError::ApplicationWindowRequired {
                    field: F::ApplicationClosesAt
                },
            ]
        );
        let half = Schedule {
            application_closes_at: None,
            ..sba_schedule()
        };
        assert_eq!(
            one_error(half, SelectiveByApplication),
            ScheduleError::ApplicationWindowRequired {
                field: F::ApplicationClosesAt
            }
        );
    }

    #[test]
    fn application_window_not_allowed_otherwise() {
        for method in [Open, Selective, Direct] {
            let errors = validate(sba_schedule(), method).unwrap_err();
            assert_eq!(
                errors,
                [
                    ScheduleError::ApplicationWindowNotAllowed {
                        field: F::ApplicationOpensAt,
                        method
                    },
                    ScheduleError::ApplicationWindowNotAllowed {
                        field: F::ApplicationClosesAt,
                        method
                    },
                ]
            );
        }
        // A stray window in the wrong order still gets one error per field.
        let backwards = Schedule {
            application_opens_at: Some(at("2026-04-30T00:00:00Z")),
            ..sba_schedule()
        };
        assert_eq!(validate(backwards, Open).unwrap_err().len(), 2);
    }

    #[test]
    fn publication_in_the_past() {
        let late = Schedule {
            publish_at: now() - TimeDelta::minutes(6),
            ..open_schedule()
        };
        assert_eq!(
            one_error(late, Open),
            ScheduleError::InPast {
                field: F::PublishAt
            }
        );
        let within_tolerance = Schedule {
            publish_at: now() - TimeDelta::minutes(5),
            ..open_schedule()
        };
        assert!(validate(within_tolerance, Open).is_ok());
        let future = Schedule {
            publish_at: at("2026-04-02T00:00:00Z"),
            ..open_schedule()
        };
        assert!(validate(future, Open).is_ok());
    }

    #[test]
    fn publication_period() {
        // 14 days in the example; 15 required fails, 14 passes exactly.
        let s = open_schedule();
        assert_eq!(
            s.validate(Open, now(), 15).unwrap_err(),
            [ScheduleError::PublicationPeriodTooShort { min_days: 15 }]
        );
        let exactly_ten = Schedule {
            submission_closes_at: s.publish_at + TimeDelta::days(10),
            opening_at: s.publish_at + TimeDelta::days(11),
            ..s
        };
        assert!(validate(exactly_ten, Open).is_ok());
        let short = Schedule {
            submission_closes_at: s.publish_at + TimeDelta::days(10) - TimeDelta::seconds(1),
            ..exactly_ten
        };
        let err = one_error(short, Open);
        assert_eq!(
            err,
            ScheduleError::PublicationPeriodTooShort { min_days: 10 }
        );
        assert_eq!(err.field(), F::SubmissionClosesAt);
        assert!(short.validate(Open, now(), 0).is_ok());
        // An absurd minimum is an error, not a panic.
        assert!(s.validate(Open, now(), u32::MAX).is_err());
    }

    #[test]
    fn each_order_rule_alone() {
        let s = sba_schedule();
        let cases = [
            (
                Schedule {
                    application_opens_at: Some(at("2026-04-01T01:00:00Z")),
                    publish_at: at("2026-04-01T02:00:00Z"),
                    ..s
                },
                out_of_order(F::ApplicationOpensAt, Order::NotBefore, F::PublishAt),
            ),
            (
                Schedule {
                    application_closes_at: s.application_opens_at,
                    ..s
                },
                out_of_order(F::ApplicationClosesAt, Order::After, F::ApplicationOpensAt),
            ),
            (
                Schedule {
                    application_closes_at: Some(at("2026-04-10T00:00:01Z")),
                    ..s
                },
                out_of_order(
                    F::SubmissionOpensAt,
                    Order::NotBefore,
                    F::ApplicationClosesAt,
                ),
            ),
            (
                Schedule {
                    questions_until: s.publish_at,
                    ..s
                },
                out_of_order(F::QuestionsUntil, Order::After, F::PublishAt),
            ),
            (
                Schedule {
                    questions_until: s.submission_closes_at,
                    ..s
                },
                out_of_order(F::QuestionsUntil, Order::Before, F::SubmissionClosesAt),
            ),
            (
                Schedule {
                    submission_opens_at: s.submission_closes_at,
                    ..s
                },
                out_of_order(F::SubmissionClosesAt, Order::After, F::SubmissionOpensAt),
            ),
            (
                Schedule {
                    opening_at: at("2026-04-15T07:59:59Z"),
                    ..s
                },
                out_of_order(F::OpeningAt, Order::NotBefore, F::SubmissionClosesAt),
            ),
        ];
        for (schedule, expected) in cases {
            assert_eq!(
                validate(schedule, SelectiveByApplication),
                Err(vec![expected]),
                "{expected}"
            );
        }
        // Without an application window, submission must not open before
        // publication.
        let early = Schedule {
            publish_at: at("2026-04-10T00:00:01Z"),
            questions_until: at("2026-04-11T00:00:00Z"),
            submission_closes_at: at("2026-04-25T00:00:00Z"),
            opening_at: at("2026-04-25T00:00:00Z"),
            ..open_schedule()
        };
        assert_eq!(
            validate(early, Open),
            Err(vec![out_of_order(
                F::SubmissionOpensAt,
                Order::NotBefore,
                F::PublishAt
            )])
        );
    }

    #[test]
    fn several_problems_at_once_ordered_by_field() {
        let bad = Schedule {
            publish_at: at("2026-03-01T00:00:00Z"),
            application_opens_at: Some(at("2026-03-05T00:00:00Z")),
            application_closes_at: None,
            questions_until: at("2026-03-20T00:00:00Z"),
            submission_opens_at: at("2026-03-10T00:00:00Z"),
            submission_closes_at: at("2026-03-09T00:00:00Z"),
            opening_at: at("2026-03-08T00:00:00Z"),
        };
        let errors = validate(bad, Open).unwrap_err();
        assert_eq!(
            errors,
            [
                ScheduleError::InPast {
                    field: F::PublishAt
                },
                ScheduleError::ApplicationWindowNotAllowed {
                    field: F::ApplicationOpensAt,
                    method: Open
                },
                out_of_order(F::QuestionsUntil, Order::Before, F::SubmissionClosesAt),
                out_of_order(F::SubmissionClosesAt, Order::After, F::SubmissionOpensAt),
                ScheduleError::PublicationPeriodTooShort { min_days: 10 },
                out_of_order(F::OpeningAt, Order::NotBefore, F::SubmissionClosesAt),
            ]
        );
        let fields: Vec<_> = errors.iter().map(|e| e.field().code()).collect();
        assert_eq!(
            fields,
            [
                "publish_at",
                "application_opens_at",
                "questions_until",
                "submission_closes_at",
                "submission_closes_at",
                "opening_at"
            ]
        );
    }

    #[test]
    fn messages() {
        let err = out_of_order(F::OpeningAt, Order::NotBefore, F::SubmissionClosesAt);
        assert_eq!(err.code(), "schedule_out_of_order");
        assert_eq!(
            err.message_ja(),
            "開札日時は提出締切日時以降にしてください。"
        );
        assert_eq!(
            err.message_en(),
            "Opening must be at or after submission deadline."
        );
        assert_eq!(
            err.to_string(),
            "opening_at must be at or after submission_closes_at"
        );
        let err = out_of_order(F::QuestionsUntil, Order::Before, F::SubmissionClosesAt);
        assert_eq!(
            err.message_ja(),
            "質問受付期限は提出締切日時より前にしてください。"
        );
        let err = ScheduleError::PublicationPeriodTooShort { min_days: 10 };
        assert_eq!(err.code(), "schedule_publication_period_too_short");
        assert!(err.message_ja().contains("10日以上"));
        assert!(err.message_en().contains("10 days"));
        let err = ScheduleError::ApplicationWindowRequired {
            field: F::ApplicationClosesAt,
        };
        assert_eq!(
            err.message_ja(),
            "希望制指名の案件では参加申請締切日時を入力してください。"
        );
        let err = ScheduleError::ApplicationWindowNotAllowed {
            field: F::ApplicationOpensAt,
            method: Direct,
        };
        assert_eq!(err.code(), "schedule_application_window_not_allowed");
        assert!(err.message_ja().contains("随意契約"));
        let err = ScheduleError::InPast {
            field: F::PublishAt,
        };
        assert_eq!(err.code(), "schedule_in_past");
        assert!(err.message_ja().starts_with("公告日時が過去"));
        let as_trait: &dyn crate::DomainError = &err;
        assert_eq!(as_trait.code(), "schedule_in_past");
        for f in ScheduleField::ALL {
            assert_eq!(ScheduleField::parse(f.code()), Ok(*f));
        }
    }

    #[test]
    fn restore_keeps_only_lasting_rules() {
        // Long after publication, validate would say "in the past"; restore
        // does not, but still refuses disorder and a wrong window.
        let valid = ValidSchedule::restore(open_schedule(), Open).unwrap();
        assert_eq!(Schedule::from(valid), open_schedule());
        assert!(ValidSchedule::restore(open_schedule(), SelectiveByApplication).is_err());
        let backwards = Schedule {
            opening_at: at("2026-04-01T00:00:00Z"),
            ..open_schedule()
        };
        assert_eq!(
            ValidSchedule::restore(backwards, Open),
            Err(vec![out_of_order(
                F::OpeningAt,
                Order::NotBefore,
                F::SubmissionClosesAt
            )])
        );
    }

    fn valid_open() -> ValidSchedule {
        validate(open_schedule(), Open).unwrap()
    }

    fn valid_sba() -> ValidSchedule {
        validate(sba_schedule(), SelectiveByApplication).unwrap()
    }

    #[test]
    fn due_transitions_catch_up() {
        let v = valid_open();
        assert_eq!(
            v.due_transitions(S::Published, at("2026-04-20T00:00:00Z")),
            [T::StartTendering, T::Close, T::Open]
        );
        assert_eq!(
            v.due_transitions(S::Published, at("2026-04-15T08:00:00Z")),
            [T::StartTendering, T::Close]
        );
        assert_eq!(
            v.due_transitions(S::Published, v.submission_opens_at()),
            [T::StartTendering]
        );
        assert_eq!(
            v.due_transitions(
                S::Published,
                v.submission_opens_at() - TimeDelta::seconds(1)
            ),
            []
        );
        assert_eq!(
            v.due_transitions(S::Tendering, at("2026-04-16T00:00:00Z")),
            [T::Close]
        );
        assert_eq!(v.due_transitions(S::Closed, v.opening_at()), [T::Open]);

        let sba = valid_sba();
        assert_eq!(
            sba.due_transitions(S::Published, at("2026-05-01T00:00:00Z")),
            [
                T::OpenApplications,
                T::CloseApplications,
                T::StartTendering,
                T::Close,
                T::Open
            ]
        );
        assert_eq!(
            sba.due_transitions(S::Published, now()),
            [T::OpenApplications]
        );
        assert_eq!(
            sba.due_transitions(S::AcceptingApplications, at("2026-04-03T00:00:00Z")),
            []
        );
        assert_eq!(
            sba.due_transitions(S::AcceptingApplications, at("2026-04-07T00:00:00Z")),
            [T::CloseApplications]
        );
        assert_eq!(
            sba.due_transitions(S::ApplicationsClosed, at("2026-04-12T00:00:00Z")),
            [T::StartTendering]
        );
    }

    #[test]
    fn nothing_is_due_for_steps_people_take() {
        let late = at("2027-01-01T00:00:00Z");
        for status in [
            S::Draft,
            S::Opened,
            S::Evaluating,
            S::Awarded,
            S::Unsuccessful,
            S::Cancelled,
        ] {
            assert_eq!(valid_open().due_transitions(status, late), [], "{status}");
            assert_eq!(valid_sba().due_transitions(status, late), [], "{status}");
        }
        // A tender without an application window never waits for one.
        assert_eq!(
            valid_open().due_transitions(S::AcceptingApplications, late),
            []
        );
    }

    #[test]
    fn windows_are_half_open_and_the_clock_beats_the_status() {
        let v = valid_sba();
        let closes = v.submission_closes_at();
        assert!(v.accepts_bids_at(S::Tendering, closes - TimeDelta::seconds(1)));
        assert!(!v.accepts_bids_at(S::Tendering, closes));
        // Received before the deadline, looked at after the scheduler closed.
        assert!(v.accepts_bids_at(S::Closed, closes - TimeDelta::seconds(1)));
        assert!(!v.accepts_bids_at(S::Closed, closes));
        assert!(!v.accepts_bids_at(S::Cancelled, closes - TimeDelta::seconds(1)));
        assert!(!v.accepts_bids_at(S::Opened, closes - TimeDelta::seconds(1)));
        assert!(v.accepts_bids_at(S::Tendering, v.submission_opens_at()));
        assert!(!v.accepts_bids_at(
            S::Tendering,
            v.submission_opens_at() - TimeDelta::seconds(1)
        ));

        let (opens, app_closes) = v.application_window().unwrap();
        assert!(v.accepts_applications_at(S::AcceptingApplications, opens));
        assert!(!v.accepts_applications_at(S::AcceptingApplications, app_closes));
        assert!(!v.accepts_applications_at(S::Published, opens));
        assert!(!valid_open().accepts_applications_at(S::AcceptingApplications, opens));

        assert!(v.accepts_questions_at(S::Tendering, v.questions_until() - TimeDelta::seconds(1)));
        assert!(!v.accepts_questions_at(S::Tendering, v.questions_until()));
        assert!(!v.accepts_questions_at(S::Draft, v.publish_at()));
        assert!(!v.accepts_questions_at(S::Published, v.publish_at() - TimeDelta::seconds(1)));
    }

    #[test]
    fn rebid_replaces_the_submission_window() {
        let v = valid_open();
        let now = at("2026-04-20T00:00:00Z");
        let rebid = v
            .rebid(
                now,
                at("2026-04-20T05:00:00Z"),
                at("2026-04-20T06:00:00Z"),
                now,
            )
            .unwrap();
        assert_eq!(rebid.publish_at(), v.publish_at());
        assert_eq!(rebid.submission_closes_at(), at("2026-04-20T05:00:00Z"));
        assert_eq!(
            S::Unsuccessful
                .apply(T::Rebid)
                .map(|s| rebid.due_transitions(s, now)),
            Ok(vec![])
        );
        assert_eq!(
            rebid.due_transitions(S::Tendering, at("2026-04-20T06:00:00Z")),
            [T::Close, T::Open]
        );

        let errors = v
            .rebid(
                at("2026-04-19T00:00:00Z"),
                at("2026-04-19T00:00:00Z"),
                at("2026-04-18T00:00:00Z"),
                now,
            )
            .unwrap_err();
        assert_eq!(
            errors,
            [
                ScheduleError::InPast {
                    field: F::SubmissionOpensAt
                },
                out_of_order(F::SubmissionClosesAt, Order::After, F::SubmissionOpensAt),
                out_of_order(F::OpeningAt, Order::NotBefore, F::SubmissionClosesAt),
            ]
        );
        // The application window of a 希望制指名 tender carries over.
        let sba = valid_sba()
            .rebid(
                now,
                at("2026-04-21T00:00:00Z"),
                at("2026-04-21T00:00:00Z"),
                now,
            )
            .unwrap();
        assert_eq!(sba.application_window(), valid_sba().application_window());
    }

    /// A valid schedule built from gaps in minutes, with or without an
    /// application window.
    fn any_valid() -> impl Strategy<Value = ValidSchedule> {
        (
            any::<bool>(),
            proptest::collection::vec(0i64..20_000, 6),
            1i64..20_000,
        )
            .prop_map(|(with_window, gaps, positive)| {
                let base = at("2026-04-01T00:00:00Z");
                let m = TimeDelta::minutes;
                let publish_at = base + m(gaps[0]);
                let app_opens = publish_at + m(gaps[1]);
                let app_closes = app_opens + m(positive);
                let sub_opens = if with_window {
                    app_closes + m(gaps[2])
                } else {
                    publish_at + m(gaps[2])
                };
                let sub_closes = sub_opens + m(positive);
                let schedule = Schedule {
                    publish_at,
                    application_opens_at: with_window.then_some(app_opens),
                    application_closes_at: with_window.then_some(app_closes),
                    questions_until: publish_at + (sub_closes - publish_at) / 2,
                    submission_opens_at: sub_opens,
                    submission_closes_at: sub_closes,
                    opening_at: sub_closes + m(gaps[3]),
                };
                let method = if with_window {
                    SelectiveByApplication
                } else {
                    Open
                };
                ValidSchedule::restore(schedule, method).unwrap()
            })
    }

    fn any_status() -> impl Strategy<Value = TenderStatus> {
        (0..TenderStatus::ALL.len()).prop_map(|i| TenderStatus::ALL[i])
    }

    proptest! {
        #[test]
        fn due_transitions_apply_cleanly_and_settle(
            v in any_valid(),
            status in any_status(),
            minutes in 0i64..100_000,
        ) {
            let now = at("2026-04-01T00:00:00Z") + TimeDelta::minutes(minutes);
            let due = v.due_transitions(status, now);
            let mut s = status;
            for step in &due {
                prop_assert!(step.is_scheduled());
                s = s.apply(*step).unwrap();
            }
            prop_assert_eq!(v.due_transitions(s, now), vec![]);
        }

        #[test]
        fn later_catches_up_further(
            v in any_valid(),
            status in any_status(),
            a in 0i64..100_000,
            b in 0i64..100_000,
        ) {
            let base = at("2026-04-01T00:00:00Z");
            let (early, late) = (base + TimeDelta::minutes(a.min(b)), base + TimeDelta::minutes(a.max(b)));
            let sooner = v.due_transitions(status, early);
            let later = v.due_transitions(status, late);
            prop_assert!(later.starts_with(&sooner));
            // Stepwise equals all at once.
            let mut s = status;
            for step in &sooner {
                s = s.apply(*step).unwrap();
            }
            let rest = v.due_transitions(s, late);
            prop_assert_eq!([sooner, rest].concat(), later);
        }
    }
}
