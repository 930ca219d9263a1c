//! Coordinators' introductions (紹介): a buyer and a supplier brought
//! together, and what came of it — 商談 held, 受注 (won) or not.

code_enum!(
    /// Where an introduction stands. It only moves forward:
    /// introduced → meeting_held → won / lost (won and lost are final; an
    /// introduction may also end won or lost without a recorded 商談).
    IntroductionStatus, "introduction status", {
        /// 紹介済み: the coordinator introduced them.
        Introduced => "introduced", "紹介済み", "Introduced";
        /// 商談実施: they met.
        MeetingHeld => "meeting_held", "商談実施", "Meeting held";
        /// 受注: the supplier got a contract (with its amount).
        Won => "won", "受注", "Won";
        /// 不成立: nothing came of it.
        Lost => "lost", "不成立", "Not successful";
    }
);

impl IntroductionStatus {
    fn rank(self) -> u8 {
        match self {
            IntroductionStatus::Introduced => 0,
            IntroductionStatus::MeetingHeld => 1,
            IntroductionStatus::Won | IntroductionStatus::Lost => 2,
        }
    }

    pub fn is_final(self) -> bool {
        self.rank() == 2
    }

    /// Whether an outcome in status `self` may be recorded as `to`: forward
    /// only, and a final outcome stays. Recording the same status again
    /// (correcting the date or the note) is allowed while not final.
    pub fn may_become(self, to: IntroductionStatus) -> bool {
        !self.is_final() && to.rank() >= self.rank()
    }
}

#[cfg(test)]
mod tests {
    use super::IntroductionStatus as S;

    #[test]
    fn outcomes_only_move_forward_and_final_ones_stay() {
        assert!(S::Introduced.may_become(S::MeetingHeld));
        assert!(S::Introduced.may_become(S::Won));
        assert!(S::Introduced.may_become(S::Lost));
        assert!(S::MeetingHeld.may_become(S::MeetingHeld));
        assert!(S::MeetingHeld.may_become(S::Won));
        assert!(!S::MeetingHeld.may_become(S::Introduced));
        for from in [S::Won, S::Lost] {
            for to in S::ALL {
                assert!(!from.may_become(*to), "{from} → {to}");
            }
        }
        assert_eq!(S::parse("meeting_held").unwrap(), S::MeetingHeld);
        assert!(S::parse("held").is_err());
    }
}
