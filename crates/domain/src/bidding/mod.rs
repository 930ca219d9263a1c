//! 入札 (bids) after 開札: who wins, and why every other bid did not.
//!
//! - [`lottery`]: the 電子くじ that breaks ties between equal best bids
//!   ([`LotteryNumber`], [`draw`] → [`LotteryDraw`]), exactly as the glossary
//!   states it, so anyone can recompute the published result.
//! - [`evaluation`]: 落札者決定 for every [`crate::tender::AwardMethod`]
//!   ([`evaluate`]: [`EvaluationInput`] → [`Evaluation`]): exclusions
//!   (予定価格超過, 最低制限価格未満, …), exact scores for 総合評価, ranks, and the
//!   outcome (a winner, perhaps by lottery, or 不調).
//! - [`scoring`]: when technical scores are entered and locked
//!   ([`ScoringPhase`]: before 開札 for 総合評価, after it for proposals) and
//!   the points (配点) of 総合評価 ([`parse_points`]).
//! - [`rebid`]: who may bid in a 再度入札 after 不調 ([`may_rebid`]).
//!
//! Everything here is a pure function of its input: no clock, no storage, no
//! floats. Scores are exact fractions compared exactly; money is integer yen.
//! The same input always gives the same [`Evaluation`], whatever the order the
//! bids came in, which is what lets the results page publish the inputs and
//! let anyone check the outcome ([`verify`]).

pub mod evaluation;
pub mod lottery;
pub mod rebid;
pub mod scoring;

pub use evaluation::{
    BidStatus, EvaluatedBid, Evaluation, EvaluationInput, EvaluationInputError, EvaluationTerms,
    Exclusion, MAX_POINTS, Outcome, RevealedBid, Score, TechnicalPoints, TechnicalPointsError,
    evaluate, verify,
};
pub use lottery::{
    DrawnEntry, LotteryDraw, LotteryEntry, LotteryError, LotteryNumber, LotteryNumberError, draw,
};
pub use rebid::{RoundStanding, may_rebid};
pub use scoring::{PointsError, ScoringPhase, parse_points, uses_base_points, uses_price_points};
