//! 全国地方公共団体コード (local government codes, 総務省).
//!
//! Six digits: the two-digit prefecture code (01–47), a three-digit
//! municipality part ("000" for the prefecture itself), and a check digit
//! (検査数字). The check digit uses weights 6, 5, 4, 3, 2 on the first five
//! digits: `r = Σ mod 11`, `check = (11 − r) mod 10`.
//!
//! Only the six-digit form is accepted as input, because the five-digit form
//! (common in statistics) cannot be checked; use
//! [`MunicipalityCode::from_five_digits`] to convert explicitly. A code that
//! passes the check is well-formed, not necessarily assigned to a municipality
//! that exists today (mergers retire codes), so no table is consulted.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::prefecture::Prefecture;
use crate::text::{self, DigitsError};

/// A well-formed six-digit 地方公共団体コード. Displayed and serialised as
/// its six ASCII digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MunicipalityCode([u8; MunicipalityCode::LENGTH]);

/// Why a string is not a valid 地方公共団体コード.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MunicipalityCodeError {
    #[error("local government code is empty")]
    Empty,
    #[error(
        "local government code may contain only digits, found {found:?} at position {position}"
    )]
    InvalidCharacter { found: char, position: usize },
    #[error("local government code must have {expected} digits, found {found}")]
    InvalidLength { expected: usize, found: usize },
    #[error("local government code starts with {code:?}, which is not a prefecture code (01-47)")]
    UnknownPrefecture { code: String },
    #[error("local government code check digit is {found}, expected {expected}")]
    CheckDigit { expected: u8, found: u8 },
}

impl MunicipalityCodeError {
    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "municipality_code_empty",
            Self::InvalidCharacter { .. } => "municipality_code_invalid_character",
            Self::InvalidLength { .. } => "municipality_code_length",
            Self::UnknownPrefecture { .. } => "municipality_code_prefecture",
            Self::CheckDigit { .. } => "municipality_code_check_digit",
        }
    }

    /// Japanese message for the UI.
    pub fn message_ja(&self) -> String {
        match self {
            Self::Empty => "地方公共団体コードを入力してください。".to_owned(),
            Self::InvalidCharacter { found, position } => format!(
                "地方公共団体コードは数字のみで入力してください（{position}文字目に「{found}」が含まれています）。"
            ),
            Self::InvalidLength { expected, found } => format!(
                "地方公共団体コードは検査数字を含む{expected}桁の数字で入力してください（入力された桁数：{found}桁）。"
            ),
            Self::UnknownPrefecture { code } => format!(
                "地方公共団体コードの先頭2桁「{code}」は都道府県コード（01〜47）ではありません。"
            ),
            Self::CheckDigit { .. } => {
                "地方公共団体コードの検査数字（末尾の1桁）が一致しません。コードに誤りがないかご確認ください。"
                    .to_owned()
            }
        }
    }
}

impl_domain_error!(MunicipalityCodeError);

impl From<DigitsError> for MunicipalityCodeError {
    fn from(e: DigitsError) -> Self {
        match e {
            DigitsError::Empty => Self::Empty,
            DigitsError::InvalidCharacter { found, position } => {
                Self::InvalidCharacter { found, position }
            }
        }
    }
}

const WEIGHTS: [u32; 5] = [6, 5, 4, 3, 2];

impl MunicipalityCode {
    /// Number of digits, including the check digit.
    pub const LENGTH: usize = 6;

    /// Parses a six-digit code. Surrounding whitespace is trimmed and
    /// full-width digits are folded; nothing else is accepted.
    pub fn parse(input: &str) -> Result<Self, MunicipalityCodeError> {
        let digits = checked_digits(input, Self::LENGTH)?;
        let expected = check_digit_of(&digits[..5]);
        if digits[5] != expected {
            return Err(MunicipalityCodeError::CheckDigit {
                expected,
                found: digits[5],
            });
        }
        Ok(Self(text::to_ascii(&digits)))
    }

    /// Builds the six-digit code from a five-digit one (without check digit),
    /// e.g. "13101" → "131016".
    pub fn from_five_digits(five: &str) -> Result<Self, MunicipalityCodeError> {
        let mut digits = checked_digits(five, 5)?;
        digits.push(check_digit_of(&digits));
        Ok(Self(text::to_ascii(&digits)))
    }

    /// The check digit for a five-digit code.
    pub fn check_digit_for(five: &str) -> Result<u8, MunicipalityCodeError> {
        Ok(check_digit_of(&checked_digits(five, 5)?))
    }

    /// The six ASCII digits.
    pub fn as_str(&self) -> &str {
        text::ascii_str(&self.0)
    }

    /// The five-digit code without the check digit, e.g. "13101".
    pub fn five_digit(&self) -> &str {
        &self.as_str()[..5]
    }

    /// The three-digit municipality part, "000" for a prefecture itself.
    pub fn municipality_part(&self) -> &str {
        &self.as_str()[2..5]
    }

    /// The check digit (the last digit).
    pub fn check_digit(&self) -> u8 {
        self.0[5] - b'0'
    }

    /// The prefecture of the first two digits.
    pub fn prefecture(&self) -> Prefecture {
        let number = (self.0[0] - b'0') * 10 + (self.0[1] - b'0');
        // The constructors only admit 01..=47.
        Prefecture::from_number(number).unwrap_or(Prefecture::Hokkaido)
    }

    /// Whether this is the code of a prefecture itself (municipality part
    /// "000", e.g. 130001 東京都) rather than of a municipality in it.
    pub fn is_prefecture(&self) -> bool {
        self.municipality_part() == "000"
    }
}

/// Digits of the given length whose first two form a prefecture code.
fn checked_digits(input: &str, expected: usize) -> Result<Vec<u8>, MunicipalityCodeError> {
    let digits = text::digits(input)?;
    if digits.len() != expected {
        return Err(MunicipalityCodeError::InvalidLength {
            expected,
            found: digits.len(),
        });
    }
    if Prefecture::from_number(digits[0] * 10 + digits[1]).is_none() {
        return Err(MunicipalityCodeError::UnknownPrefecture {
            code: format!("{}{}", digits[0], digits[1]),
        });
    }
    Ok(digits)
}

fn check_digit_of(five: &[u8]) -> u8 {
    let sum: u32 = five
        .iter()
        .zip(WEIGHTS)
        .map(|(&d, w)| u32::from(d) * w)
        .sum();
    ((11 - sum % 11) % 10) as u8
}

impl fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for MunicipalityCode {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl_string_conversions!(MunicipalityCode, MunicipalityCodeError);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples_are_valid() {
        let tokyo = MunicipalityCode::parse("130001").unwrap();
        assert_eq!(tokyo.prefecture(), Prefecture::Tokyo);
        assert!(tokyo.is_prefecture());
        assert_eq!(tokyo.five_digit(), "13000");

        let chiyoda = MunicipalityCode::parse("131016").unwrap();
        assert_eq!(chiyoda.prefecture(), Prefecture::Tokyo);
        assert!(!chiyoda.is_prefecture());
        assert_eq!(chiyoda.municipality_part(), "101");
        assert_eq!(chiyoda.check_digit(), 6);
        assert_eq!(chiyoda.to_string(), "131016");

        let sapporo = MunicipalityCode::parse("０１１００２").unwrap();
        assert_eq!(sapporo.as_str(), "011002");
        assert_eq!(sapporo.prefecture(), Prefecture::Hokkaido);
    }

    #[test]
    fn from_five_digits_computes_the_check_digit() {
        assert_eq!(
            MunicipalityCode::from_five_digits("13101")
                .unwrap()
                .as_str(),
            "131016"
        );
        assert_eq!(
            MunicipalityCode::from_five_digits("13000")
                .unwrap()
                .as_str(),
            "130001"
        );
        assert_eq!(
            MunicipalityCode::from_five_digits("01100")
                .unwrap()
                .as_str(),
            "011002"
        );
        assert_eq!(MunicipalityCode::check_digit_for("13101"), Ok(6));
    }

    #[test]
    fn wrong_check_digits_are_rejected() {
        for example in ["130001", "131016", "011002"] {
            let right = example.as_bytes()[5] - b'0';
            for d in (0..=9u8).filter(|&d| d != right) {
                let wrong = format!("{}{d}", &example[..5]);
                assert_eq!(
                    MunicipalityCode::parse(&wrong),
                    Err(MunicipalityCodeError::CheckDigit {
                        expected: right,
                        found: d
                    })
                );
            }
        }
    }

    #[test]
    fn malformed_input_is_rejected() {
        use MunicipalityCodeError::*;
        assert_eq!(MunicipalityCode::parse(""), Err(Empty));
        // The five-digit form is not accepted as a code.
        assert_eq!(
            MunicipalityCode::parse("13101"),
            Err(InvalidLength {
                expected: 6,
                found: 5
            })
        );
        assert!(matches!(
            MunicipalityCode::parse("13101-6"),
            Err(InvalidCharacter { found: '-', .. })
        ));
        assert_eq!(
            MunicipalityCode::parse("000000"),
            Err(UnknownPrefecture { code: "00".into() })
        );
        assert!(matches!(
            MunicipalityCode::parse("481000"),
            Err(UnknownPrefecture { .. })
        ));
        assert!(matches!(
            MunicipalityCode::from_five_digits("99000"),
            Err(UnknownPrefecture { .. })
        ));
        assert_eq!(
            MunicipalityCode::parse("131017").unwrap_err().code(),
            "municipality_code_check_digit"
        );
    }

    proptest! {
        #[test]
        fn round_trips(pref in 1u8..=47, part in 0u16..1000) {
            let five = format!("{pref:02}{part:03}");
            let code = MunicipalityCode::from_five_digits(&five).unwrap();
            prop_assert_eq!(code.five_digit(), five.as_str());
            prop_assert_eq!(code.prefecture().number(), pref);
            prop_assert_eq!(MunicipalityCode::parse(code.as_str()), Ok(code));
            prop_assert_eq!(MunicipalityCode::try_from(String::from(code)), Ok(code));
        }

        #[test]
        fn exactly_one_check_digit_is_valid(pref in 1u8..=47, part in 0u16..1000) {
            let five = format!("{pref:02}{part:03}");
            let valid = (0..=9)
                .filter(|d| MunicipalityCode::parse(&format!("{five}{d}")).is_ok())
                .count();
            prop_assert_eq!(valid, 1);
        }
    }
}
