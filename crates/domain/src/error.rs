//! The common shape of every domain error.
//!
//! The web layer shows [`DomainError::message_ja`] to people and returns
//! [`DomainError::code`] in the API, so it can handle any domain error the
//! same way without knowing its type.

/// Implemented by every error enum in this crate.
///
/// Each error type also has the same two methods as inherent methods, so
/// callers need not import this trait for a concrete type.
pub trait DomainError: std::error::Error {
    /// A stable snake-case code such as `corporate_number_check_digit`.
    ///
    /// Codes are part of the public API: never rename one, only add new ones.
    fn code(&self) -> &'static str;

    /// A message in Japanese for the UI, in the tone of a public-procurement
    /// portal.
    fn message_ja(&self) -> String;
}
