//! 再度入札: who may bid again after a round ended 不調.
//!
//! The glossary says only that a 再入札 round may follow 不調. The rule here
//! is the usual Japanese one (e.g. 予算決算及び会計令 第82条 and the 入札心得
//! of most bodies): the 再度入札 is held among the bidders of the previous
//! round whose bid was valid — a price above the 予定価格 (不落) is not a
//! fault, it is why the round failed — and not among those who withdrew
//! (辞退), whose bid was invalid (無効) or who were disqualified (失格, below
//! the 最低制限価格). A bid whose evaluation could not run at all because of
//! the buyer's terms was not at fault either.

use super::evaluation::Exclusion;

/// How one bidder's bid of a round came out, as far as the 再度入札 rule cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundStanding {
    /// 辞退.
    Withdrawn,
    /// Opened but invalid before any evaluation: unreadable, or its content
    /// did not match its commitment.
    Invalid,
    /// Evaluated and excluded for `Exclusion`.
    Excluded(Exclusion),
    /// Evaluated and valid.
    Valid,
    /// Opened, but the round was not evaluated (the terms were not usable).
    NotEvaluated,
}

impl Exclusion {
    /// Whether a bid excluded for this reason may take part in a 再度入札:
    /// only a price above the 予定価格 (不落) does.
    pub fn allows_rebid(self) -> bool {
        self == Exclusion::AboveReservePrice
    }
}

/// Whether the bidder may bid in the 再度入札 that follows its round.
pub fn may_rebid(standing: RoundStanding) -> bool {
    match standing {
        RoundStanding::Withdrawn | RoundStanding::Invalid => false,
        RoundStanding::Excluded(reason) => reason.allows_rebid(),
        RoundStanding::Valid | RoundStanding::NotEvaluated => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bids_that_were_not_at_fault_go_on() {
        let allowed: Vec<_> = Exclusion::ALL
            .iter()
            .filter(|e| may_rebid(RoundStanding::Excluded(**e)))
            .collect();
        assert_eq!(allowed, [&Exclusion::AboveReservePrice]);
        assert!(!may_rebid(RoundStanding::Excluded(
            Exclusion::BelowMinimumPrice
        )));
        assert!(!may_rebid(RoundStanding::Withdrawn));
        assert!(!may_rebid(RoundStanding::Invalid));
        assert!(may_rebid(RoundStanding::Valid));
        assert!(may_rebid(RoundStanding::NotEvaluated));
    }
}
