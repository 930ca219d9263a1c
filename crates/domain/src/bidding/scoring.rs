//! 技術評価: when a tender's technical scores are entered and locked, and the
//! points (配点) a buyer sets for 総合評価.
//!
//! - 総合評価 (加算方式・除算方式): the technical proposals are judged before
//!   the prices are known, so the scores are entered and locked **before**
//!   開札; the opening evaluates only locked scores
//!   ([`ScoringPhase::BeforeOpening`]). Once a round is opened they can no
//!   longer be entered or locked: a buyer who has seen the prices must not
//!   be able to choose the technical points.
//! - 企画提案 (プロポーザル): the proposals are sealed like prices, so they are
//!   read and scored **after** 開札 ([`ScoringPhase::AfterOpening`]); the
//!   locked scores decide the ranking and the award.
//! - 最低価格: no scores.

use serde::{Deserialize, Serialize};

use super::evaluation::MAX_POINTS;
use crate::tender::AwardMethod;
use crate::text;

/// When the technical scores of a method are entered and locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoringPhase {
    /// 総合評価: entered and locked before the first opening.
    BeforeOpening,
    /// 企画提案: entered and locked after the opening, during 審査.
    AfterOpening,
}

impl ScoringPhase {
    /// The phase of `method`; `None` for 最低価格, which has no scores.
    pub fn of(method: AwardMethod) -> Option<ScoringPhase> {
        match method {
            AwardMethod::LowestPrice => None,
            AwardMethod::BestValueAdditive | AwardMethod::BestValueDivision => {
                Some(ScoringPhase::BeforeOpening)
            }
            AwardMethod::ProposalEvaluation => Some(ScoringPhase::AfterOpening),
        }
    }
}

/// Which of the points (配点) a method uses: 価格点 for 加算方式, 基礎点 for
/// 除算方式, none otherwise.
pub fn uses_price_points(method: AwardMethod) -> bool {
    method == AwardMethod::BestValueAdditive
}

/// See [`uses_price_points`].
pub fn uses_base_points(method: AwardMethod) -> bool {
    method == AwardMethod::BestValueDivision
}

/// Why a value is not a number of points (価格点・基礎点).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PointsError {
    #[error("points {input:?} are not a whole number such as 30")]
    Invalid { input: String },
    #[error("points are out of range (0 to {MAX_POINTS})")]
    OutOfRange,
}

impl PointsError {
    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "points_invalid",
            Self::OutOfRange => "points_out_of_range",
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match self {
            Self::Invalid { input } => {
                format!("配点「{input}」は正しくありません。「30」のように整数で入力してください。")
            }
            Self::OutOfRange => format!("配点は0点から{MAX_POINTS}点の範囲で入力してください。"),
        }
    }
}

impl_domain_error!(PointsError);

/// Parses 価格点 or 基礎点: a whole number 0..=[`MAX_POINTS`] ("30", "３０");
/// an empty entry is `Ok(None)` (not set yet).
pub fn parse_points(input: &str) -> Result<Option<u32>, PointsError> {
    let s = text::normalize(input);
    if s.is_empty() {
        return Ok(None);
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PointsError::Invalid { input: s });
    }
    // Too many digits for u32 is out of range too.
    match s.parse::<u32>() {
        Ok(n) if n <= MAX_POINTS => Ok(Some(n)),
        _ => Err(PointsError::OutOfRange),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_follow_the_method() {
        use AwardMethod::*;
        assert_eq!(ScoringPhase::of(LowestPrice), None);
        assert_eq!(
            ScoringPhase::of(BestValueAdditive),
            Some(ScoringPhase::BeforeOpening)
        );
        assert_eq!(
            ScoringPhase::of(BestValueDivision),
            Some(ScoringPhase::BeforeOpening)
        );
        assert_eq!(
            ScoringPhase::of(ProposalEvaluation),
            Some(ScoringPhase::AfterOpening)
        );
        let price: Vec<_> = AwardMethod::ALL
            .iter()
            .filter(|m| uses_price_points(**m))
            .collect();
        assert_eq!(price, [&BestValueAdditive]);
        let base: Vec<_> = AwardMethod::ALL
            .iter()
            .filter(|m| uses_base_points(**m))
            .collect();
        assert_eq!(base, [&BestValueDivision]);
    }

    #[test]
    fn points_parse() {
        assert_eq!(parse_points("30"), Ok(Some(30)));
        assert_eq!(parse_points(" ３０ "), Ok(Some(30)));
        assert_eq!(parse_points("0"), Ok(Some(0)));
        assert_eq!(parse_points("10000"), Ok(Some(MAX_POINTS)));
        assert_eq!(parse_points(""), Ok(None));
        assert_eq!(parse_points("　"), Ok(None));
        assert_eq!(parse_points("10001"), Err(PointsError::OutOfRange));
        assert_eq!(
            parse_points("99999999999999999999"),
            Err(PointsError::OutOfRange)
        );
        for bad in ["30.5", "-1", "+3", "三十", "3 0"] {
            let e = parse_points(bad).unwrap_err();
            assert_eq!(e.code(), "points_invalid", "{bad}");
            assert!(e.message_ja().contains("整数"), "{bad}");
        }
        assert!(PointsError::OutOfRange.message_ja().contains("10000"));
        assert!(PointsError::OutOfRange.to_string().contains("10000"));
    }
}
