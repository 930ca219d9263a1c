//! The tender life cycle.
//!
//! ```text
//! draft                         ─Publish─────────────▶ published
//! published                     ─OpenApplications────▶ accepting_applications   (希望制指名)
//! accepting_applications        ─CloseApplications───▶ applications_closed      (指名選定)
//! published|applications_closed ─StartTendering──────▶ tendering
//! tendering                     ─Close───────────────▶ closed
//! closed                        ─Open────────────────▶ opened                   (開札)
//! opened                        ─StartEvaluation─────▶ evaluating
//! opened|evaluating             ─Award───────────────▶ awarded                  (final)
//! opened|evaluating             ─DeclareUnsuccessful─▶ unsuccessful             (不調)
//! unsuccessful                  ─Rebid───────────────▶ tendering                (再入札)
//! any public, non-final         ─Cancel──────────────▶ cancelled                (final)
//! ```
//!
//! Cancel (中止) is allowed from every status that is neither a draft nor
//! final. A draft is deleted, not cancelled: it was never public, so there is
//! nothing to announce.
//!
//! The machine knows statuses only. Whether a step is *due* depends on the
//! schedule ([`super::ValidSchedule::due_transitions`]); whether a tender with
//! a given [`super::ContractMethod`] takes the application branch is the
//! schedule's call too (only 希望制指名 has an application window).

code_enum!(
    /// Where a tender is in its life cycle.
    TenderStatus, "tender status", {
        /// 下書き: being written; only the buyer sees it.
        Draft => "draft", "下書き", "Draft";
        /// 公告中: public; questions may be asked.
        Published => "published", "公告中", "Published";
        /// 参加申請受付中: 希望制指名 only; suppliers apply to take part.
        AcceptingApplications => "accepting_applications", "参加申請受付中", "Accepting applications";
        /// 指名選定中: applications closed; the buyer nominates before
        /// submission opens.
        ApplicationsClosed => "applications_closed", "参加申請締切（指名選定中）", "Applications closed";
        /// 受付中: the submission window is open.
        Tendering => "tendering", "受付中", "Accepting submissions";
        /// 締切: the deadline passed; waiting for 開札.
        Closed => "closed", "締切（開札待ち）", "Closed";
        /// 開札済み: submissions revealed.
        Opened => "opened", "開札済み", "Opened";
        /// 審査中: best-value or proposal scoring.
        Evaluating => "evaluating", "審査中", "Under evaluation";
        /// 落札者決定: final.
        Awarded => "awarded", "落札者決定", "Awarded";
        /// 不調: no valid submission. Not final: a 再入札 may follow.
        Unsuccessful => "unsuccessful", "不調", "Unsuccessful";
        /// 中止: final.
        Cancelled => "cancelled", "中止", "Cancelled";
    }
);

code_enum!(
    /// A step from one status to the next. The codes are for audit logs.
    Transition, "tender transition", {
        /// 公告: draft → published.
        Publish => "publish", "公告", "Publish";
        /// 参加申請受付開始: published → accepting_applications.
        OpenApplications => "open_applications", "参加申請受付開始", "Open applications";
        /// 参加申請締切: accepting_applications → applications_closed.
        CloseApplications => "close_applications", "参加申請締切", "Close applications";
        /// 受付開始: published / applications_closed → tendering.
        StartTendering => "start_tendering", "受付開始", "Start accepting submissions";
        /// 締切: tendering → closed.
        Close => "close", "締切", "Close submissions";
        /// 開札: closed → opened.
        Open => "open", "開札", "Bid opening";
        /// 審査開始: opened → evaluating.
        StartEvaluation => "start_evaluation", "審査開始", "Start evaluation";
        /// 落札者決定: opened / evaluating → awarded.
        Award => "award", "落札者決定", "Award";
        /// 不調: opened / evaluating → unsuccessful.
        DeclareUnsuccessful => "declare_unsuccessful", "不調", "Declare unsuccessful";
        /// 中止: any public, non-final status → cancelled.
        Cancel => "cancel", "中止", "Cancel";
        /// 再入札: unsuccessful → tendering, with a new submission window.
        Rebid => "rebid", "再入札", "Rebid";
    }
);

impl Transition {
    /// The status this step leads to; each step has exactly one.
    pub fn target(self) -> TenderStatus {
        match self {
            Transition::Publish => TenderStatus::Published,
            Transition::OpenApplications => TenderStatus::AcceptingApplications,
            Transition::CloseApplications => TenderStatus::ApplicationsClosed,
            Transition::StartTendering | Transition::Rebid => TenderStatus::Tendering,
            Transition::Close => TenderStatus::Closed,
            Transition::Open => TenderStatus::Opened,
            Transition::StartEvaluation => TenderStatus::Evaluating,
            Transition::Award => TenderStatus::Awarded,
            Transition::DeclareUnsuccessful => TenderStatus::Unsuccessful,
            Transition::Cancel => TenderStatus::Cancelled,
        }
    }

    /// Whether the step is driven by the schedule (run by the job worker when
    /// its time comes) rather than by a person. Windows open and close on
    /// time so no one can bend a deadline for one supplier.
    pub fn is_scheduled(self) -> bool {
        matches!(
            self,
            Transition::OpenApplications
                | Transition::CloseApplications
                | Transition::StartTendering
                | Transition::Close
                | Transition::Open
        )
    }
}

impl TenderStatus {
    /// The status after `transition`, or why it is not allowed from here.
    pub fn apply(self, transition: Transition) -> Result<TenderStatus, TransitionError> {
        use TenderStatus as S;
        use Transition as T;
        let allowed = match transition {
            T::Publish => self == S::Draft,
            T::OpenApplications => self == S::Published,
            T::CloseApplications => self == S::AcceptingApplications,
            T::StartTendering => matches!(self, S::Published | S::ApplicationsClosed),
            T::Close => self == S::Tendering,
            T::Open => self == S::Closed,
            T::StartEvaluation => self == S::Opened,
            // Lowest-price tenders are decided at opening; best-value ones
            // after evaluation.
            T::Award | T::DeclareUnsuccessful => matches!(self, S::Opened | S::Evaluating),
            T::Cancel => self != S::Draft && !self.is_final(),
            T::Rebid => self == S::Unsuccessful,
        };
        if allowed {
            Ok(transition.target())
        } else {
            Err(TransitionError {
                from: self,
                transition,
            })
        }
    }

    /// No step leads out: 落札者決定 or 中止. 不調 is not final because a
    /// 再入札 may follow (or a 中止 ends it).
    pub fn is_final(self) -> bool {
        matches!(self, TenderStatus::Awarded | TenderStatus::Cancelled)
    }

    /// Visible to suppliers and the public: everything but a draft. A
    /// cancelled tender stays visible, with its 中止 notice.
    pub fn is_public(self) -> bool {
        self != TenderStatus::Draft
    }

    /// Whether questions (質問) may be asked in this status. The schedule's
    /// `questions_until` also applies:
    /// [`super::ValidSchedule::accepts_questions_at`].
    pub fn accepts_questions(self) -> bool {
        matches!(
            self,
            TenderStatus::Published
                | TenderStatus::AcceptingApplications
                | TenderStatus::ApplicationsClosed
                | TenderStatus::Tendering
        )
    }

    /// Whether applications to take part (参加申請) are taken in this status.
    pub fn accepts_applications(self) -> bool {
        self == TenderStatus::AcceptingApplications
    }

    /// Whether bids, quotes or proposals are taken in this status.
    pub fn accepts_bids(self) -> bool {
        self == TenderStatus::Tendering
    }

    /// OCDS `tender.status`; `None` for a draft, which is never exported.
    pub fn ocds_tender_status(self) -> Option<&'static str> {
        match self {
            TenderStatus::Draft => None,
            TenderStatus::Awarded => Some("complete"),
            TenderStatus::Unsuccessful => Some("unsuccessful"),
            TenderStatus::Cancelled => Some("cancelled"),
            _ => Some("active"),
        }
    }
}

/// A step that is not allowed from the current status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot {transition} a tender that is {from}: {from} → {to} is not allowed",
    to = .transition.target()
)]
pub struct TransitionError {
    pub from: TenderStatus,
    pub transition: Transition,
}

impl TransitionError {
    /// Where the step would have led.
    pub fn to(&self) -> TenderStatus {
        self.transition.target()
    }

    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        if self.from == TenderStatus::Draft && self.transition == Transition::Cancel {
            "tender_draft_not_cancellable"
        } else if self.from.is_final() {
            "tender_status_final"
        } else {
            "tender_transition_not_allowed"
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match self.code() {
            "tender_draft_not_cancellable" => {
                "下書きの案件は中止できません。不要な場合は削除してください。".to_owned()
            }
            "tender_status_final" => format!(
                "「{}」の案件は状態を変更できません（{}はできません）。",
                self.from.name_ja(),
                self.transition.name_ja()
            ),
            _ => format!(
                "現在の状態「{}」から「{}」へは移行できません（{}）。",
                self.from.name_ja(),
                self.to().name_ja(),
                self.transition.name_ja()
            ),
        }
    }

    /// English message for the UI.
    pub fn message_en(&self) -> String {
        match self.code() {
            "tender_draft_not_cancellable" => {
                "A draft cannot be cancelled; delete it if it is not needed.".to_owned()
            }
            "tender_status_final" => format!(
                "The tender is {} and can no longer change ({} is not possible).",
                self.from.name_en().to_lowercase(),
                self.transition.name_en().to_lowercase()
            ),
            _ => format!(
                "A tender cannot go from \"{}\" to \"{}\" ({}).",
                self.from.name_en(),
                self.to().name_en(),
                self.transition.name_en().to_lowercase()
            ),
        }
    }
}

impl_domain_error!(TransitionError);

#[cfg(test)]
mod tests {
    use super::*;
    use TenderStatus::*;
    use proptest::prelude::*;

    const X: Option<TenderStatus> = None;

    /// Every status × every transition, written out by hand. Columns in the
    /// order of `Transition::ALL`: Publish, OpenApplications,
    /// CloseApplications, StartTendering, Close, Open, StartEvaluation,
    /// Award, DeclareUnsuccessful, Cancel, Rebid.
    #[rustfmt::skip]
    const TABLE: [(TenderStatus, [Option<TenderStatus>; 11]); 11] = [
        //                      Publish          OpenApps                     CloseApps                 StartTendering   Close         Open          StartEval         Award          DeclUnsucc          Cancel           Rebid
        (Draft,                [Some(Published), X,                           X,                        X,               X,            X,            X,                X,             X,                  X,               X]),
        (Published,            [X,               Some(AcceptingApplications), X,                        Some(Tendering), X,            X,            X,                X,             X,                  Some(Cancelled), X]),
        (AcceptingApplications,[X,               X,                           Some(ApplicationsClosed), X,               X,            X,            X,                X,             X,                  Some(Cancelled), X]),
        (ApplicationsClosed,   [X,               X,                           X,                        Some(Tendering), X,            X,            X,                X,             X,                  Some(Cancelled), X]),
        (Tendering,            [X,               X,                           X,                        X,               Some(Closed), X,            X,                X,             X,                  Some(Cancelled), X]),
        (Closed,               [X,               X,                           X,                        X,               X,            Some(Opened), X,                X,             X,                  Some(Cancelled), X]),
        (Opened,               [X,               X,                           X,                        X,               X,            X,            Some(Evaluating), Some(Awarded), Some(Unsuccessful), Some(Cancelled), X]),
        (Evaluating,           [X,               X,                           X,                        X,               X,            X,            X,                Some(Awarded), Some(Unsuccessful), Some(Cancelled), X]),
        (Awarded,              [X,               X,                           X,                        X,               X,            X,            X,                X,             X,                  X,               X]),
        (Unsuccessful,         [X,               X,                           X,                        X,               X,            X,            X,                X,             X,                  Some(Cancelled), Some(Tendering)]),
        (Cancelled,            [X,               X,                           X,                        X,               X,            X,            X,                X,             X,                  X,               X]),
    ];

    #[test]
    fn exhaustive_transition_table() {
        use Transition as T;
        assert_eq!(
            Transition::ALL,
            [
                T::Publish,
                T::OpenApplications,
                T::CloseApplications,
                T::StartTendering,
                T::Close,
                T::Open,
                T::StartEvaluation,
                T::Award,
                T::DeclareUnsuccessful,
                T::Cancel,
                T::Rebid,
            ]
        );
        let statuses: Vec<_> = TABLE.iter().map(|(s, _)| *s).collect();
        assert_eq!(statuses, TenderStatus::ALL);
        for (from, row) in TABLE {
            for (transition, expected) in Transition::ALL.iter().zip(row) {
                let got = from.apply(*transition);
                match expected {
                    Some(to) => assert_eq!(got, Ok(to), "{from} × {transition}"),
                    None => assert_eq!(
                        got,
                        Err(TransitionError {
                            from,
                            transition: *transition
                        }),
                        "{from} × {transition}"
                    ),
                }
            }
        }
    }

    #[test]
    fn status_predicates() {
        let private: Vec<_> = TenderStatus::ALL
            .iter()
            .filter(|s| !s.is_public())
            .collect();
        assert_eq!(private, [&Draft]);
        let finals: Vec<_> = TenderStatus::ALL.iter().filter(|s| s.is_final()).collect();
        assert_eq!(finals, [&Awarded, &Cancelled]);
        let questions: Vec<_> = TenderStatus::ALL
            .iter()
            .filter(|s| s.accepts_questions())
            .collect();
        assert_eq!(
            questions,
            [
                &Published,
                &AcceptingApplications,
                &ApplicationsClosed,
                &Tendering
            ]
        );
        let applications: Vec<_> = TenderStatus::ALL
            .iter()
            .filter(|s| s.accepts_applications())
            .collect();
        assert_eq!(applications, [&AcceptingApplications]);
        let bids: Vec<_> = TenderStatus::ALL
            .iter()
            .filter(|s| s.accepts_bids())
            .collect();
        assert_eq!(bids, [&Tendering]);
        assert_eq!(Draft.ocds_tender_status(), None);
        assert_eq!(Tendering.ocds_tender_status(), Some("active"));
        assert_eq!(Awarded.ocds_tender_status(), Some("complete"));
        assert_eq!(Unsuccessful.ocds_tender_status(), Some("unsuccessful"));
        assert_eq!(Cancelled.ocds_tender_status(), Some("cancelled"));
    }

    #[test]
    fn scheduled_transitions() {
        use Transition as T;
        let scheduled: Vec<_> = Transition::ALL
            .iter()
            .copied()
            .filter(|t| t.is_scheduled())
            .collect();
        assert_eq!(
            scheduled,
            [
                T::OpenApplications,
                T::CloseApplications,
                T::StartTendering,
                T::Close,
                T::Open
            ]
        );
    }

    #[test]
    fn errors_name_from_and_to() {
        let err = Published.apply(Transition::Open).unwrap_err();
        assert_eq!(err.from, Published);
        assert_eq!(err.to(), Opened);
        assert_eq!(err.code(), "tender_transition_not_allowed");
        assert_eq!(
            err.to_string(),
            "cannot open a tender that is published: published → opened is not allowed"
        );
        assert_eq!(
            err.message_ja(),
            "現在の状態「公告中」から「開札済み」へは移行できません（開札）。"
        );
        assert!(err.message_en().contains("\"Published\" to \"Opened\""));

        let draft = Draft.apply(Transition::Cancel).unwrap_err();
        assert_eq!(draft.code(), "tender_draft_not_cancellable");
        assert!(draft.message_ja().contains("削除"));

        let fin = Awarded.apply(Transition::Cancel).unwrap_err();
        assert_eq!(fin.code(), "tender_status_final");
        assert_eq!(
            fin.message_ja(),
            "「落札者決定」の案件は状態を変更できません（中止はできません）。"
        );
        let as_trait: &dyn crate::DomainError = &fin;
        assert_eq!(as_trait.code(), "tender_status_final");
    }

    #[test]
    fn codes_round_trip() {
        for s in TenderStatus::ALL {
            assert_eq!(TenderStatus::parse(s.code()), Ok(*s));
        }
        for t in Transition::ALL {
            assert_eq!(t.to_string().parse::<Transition>(), Ok(*t));
        }
        assert!(TenderStatus::parse("open").is_err());
    }

    fn any_transition() -> impl Strategy<Value = Transition> {
        (0..Transition::ALL.len()).prop_map(|i| Transition::ALL[i])
    }

    proptest! {
        #[test]
        fn final_states_are_final_and_awards_follow_opening(
            steps in proptest::collection::vec(any_transition(), 0..40)
        ) {
            let mut status = Draft;
            let mut opened = false;
            for step in steps {
                match status.apply(step) {
                    Ok(next) => {
                        prop_assert!(!status.is_final(), "left final {status} by {step}");
                        prop_assert_eq!(next, step.target());
                        prop_assert!(next != Draft, "nothing leads back to a draft");
                        opened |= next == Opened;
                        if next == Awarded {
                            prop_assert!(opened, "awarded without opening");
                        }
                        status = next;
                    }
                    Err(err) => {
                        prop_assert_eq!(err.from, status);
                        prop_assert_eq!(err.transition, step);
                    }
                }
            }
        }
    }
}
