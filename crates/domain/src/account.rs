//! Accounts: e-mail addresses and the password policy.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text::normalize;

/// An e-mail address, trimmed and lower-cased (addresses are compared
/// case-insensitively everywhere in Musubi).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("e-mail address is empty")]
    Empty,
    #[error("e-mail address is longer than 254 characters")]
    TooLong,
    #[error("'{0}' is not a valid e-mail address")]
    Invalid(String),
}

impl EmailError {
    pub fn code(&self) -> &'static str {
        match self {
            EmailError::Empty => "email_empty",
            EmailError::TooLong => "email_too_long",
            EmailError::Invalid(_) => "email_invalid",
        }
    }

    pub fn message_ja(&self) -> String {
        match self {
            EmailError::Empty => "メールアドレスを入力してください。".into(),
            EmailError::TooLong => "メールアドレスは254文字以内で入力してください。".into(),
            EmailError::Invalid(_) => "メールアドレスの形式が正しくありません。".into(),
        }
    }
}
impl_domain_error!(EmailError);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let s = normalize(input).to_lowercase();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.chars().count() > 254 {
            return Err(EmailError::TooLong);
        }
        let invalid = || EmailError::Invalid(s.clone());
        let (local, domain) = s.rsplit_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !(local_ok && domain_ok) {
            return Err(invalid());
        }
        Ok(EmailAddress(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl_string_conversions!(EmailAddress, EmailError);

/// A password that meets the policy. Never displayed, never serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("password must be at least {min} characters")]
    TooShort { min: usize },
    #[error("password must be at most {max} characters")]
    TooLong { max: usize },
    #[error(
        "password is too easy to guess: mix letters with digits or symbols, and avoid common passwords"
    )]
    TooSimple,
    #[error("password must not contain your e-mail address")]
    ContainsEmail,
}

impl PasswordError {
    pub fn code(&self) -> &'static str {
        match self {
            PasswordError::TooShort { .. } => "password_too_short",
            PasswordError::TooLong { .. } => "password_too_long",
            PasswordError::TooSimple => "password_too_simple",
            PasswordError::ContainsEmail => "password_contains_email",
        }
    }

    pub fn message_ja(&self) -> String {
        match self {
            PasswordError::TooShort { min } => {
                format!("パスワードは{min}文字以上で設定してください。")
            }
            PasswordError::TooLong { max } => {
                format!("パスワードは{max}文字以内で設定してください。")
            }
            PasswordError::TooSimple => "推測されやすいパスワードです。英字と数字・記号を組み合わせ、よく使われる文字列は避けてください。".into(),
            PasswordError::ContainsEmail => "パスワードにメールアドレスを含めることはできません。".into(),
        }
    }
}
impl_domain_error!(PasswordError);

const COMMON: &[&str] = &[
    "password",
    "password1",
    "password123",
    "1234567890",
    "qwertyuiop",
    "iloveyou",
    "admin12345",
    "welcome123",
    "abc1234567",
    "passw0rd12",
    "letmein123",
    "musubi1234",
];

impl Password {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 128;

    /// Checks the policy. `email` is the account's address, which the
    /// password must not contain.
    pub fn parse(input: &str, email: Option<&EmailAddress>) -> Result<Self, PasswordError> {
        let n = input.chars().count();
        if n < Self::MIN_CHARS {
            return Err(PasswordError::TooShort {
                min: Self::MIN_CHARS,
            });
        }
        if n > Self::MAX_CHARS {
            return Err(PasswordError::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        let lower = input.to_lowercase();
        if let Some(email) = email {
            let local = email.as_str().split('@').next().unwrap_or_default();
            if lower.contains(email.as_str()) || (local.len() >= 4 && lower.contains(local)) {
                return Err(PasswordError::ContainsEmail);
            }
        }
        let has_letter = input.chars().any(|c| c.is_alphabetic());
        let has_other = input.chars().any(|c| !c.is_alphabetic());
        let distinct = {
            let mut cs: Vec<char> = input.chars().collect();
            cs.sort_unstable();
            cs.dedup();
            cs.len()
        };
        // Long passphrases (16+) pass on length alone; shorter ones need a mix.
        let mixed = (has_letter && has_other) || n >= 16;
        if !mixed || distinct < 5 || COMMON.contains(&lower.as_str()) {
            return Err(PasswordError::TooSimple);
        }
        Ok(Password(input.to_owned()))
    }

    /// The secret itself, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails() {
        let e = EmailAddress::parse("  Taro.Yamada@Example.CO.JP ").unwrap();
        assert_eq!(e.as_str(), "taro.yamada@example.co.jp");
        assert_eq!(
            EmailAddress::parse("ｔａｒｏ＠example.jp")
                .unwrap()
                .as_str(),
            "taro@example.jp"
        );
        for bad in [
            "",
            "taro",
            "taro@",
            "@example.jp",
            "taro@example",
            "ta ro@example.jp",
            "taro@-x.jp",
            "a..b@example.jp",
            "山田@example.jp",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            EmailAddress::parse("x").unwrap_err().code(),
            "email_invalid"
        );
    }

    #[test]
    fn passwords() {
        let e = EmailAddress::parse("yamada@example.jp").unwrap();
        assert!(Password::parse("kumo-no-ue-42", Some(&e)).is_ok());
        assert!(Password::parse("ながいひらがなのあいことばですよ", None).is_ok());
        assert_eq!(
            Password::parse("short1", None).unwrap_err().code(),
            "password_too_short"
        );
        assert_eq!(
            Password::parse("onlyletterspass", None).unwrap_err().code(),
            "password_too_simple"
        );
        assert_eq!(
            Password::parse("1234567890", None).unwrap_err().code(),
            "password_too_simple"
        );
        assert_eq!(
            Password::parse("Password123", None).unwrap_err().code(),
            "password_too_simple"
        );
        assert_eq!(
            Password::parse("yamada-2026!", Some(&e))
                .unwrap_err()
                .code(),
            "password_contains_email"
        );
        assert_eq!(
            format!("{:?}", Password::parse("kumo-no-ue-42", None).unwrap()),
            "Password(***)"
        );
    }

    proptest! {
        #[test]
        fn parsed_emails_round_trip(local in "[a-z0-9]{1,20}", domain in "[a-z]{1,10}\\.(jp|com|co\\.jp)") {
            let s = format!("{local}@{domain}");
            let e = EmailAddress::parse(&s).unwrap();
            prop_assert_eq!(EmailAddress::parse(e.as_str()).unwrap(), e);
        }
    }
}
