//! Boilerplate shared by the value types.

/// `FromStr`, `TryFrom<&str>`, `TryFrom<String>` (all through `Self::parse`) and
/// `From<Self> for String` (through `Display`), so that
/// `#[serde(try_from = "String", into = "String")]` round-trips through the
/// validated constructor.
macro_rules! impl_string_conversions {
    ($ty:ty, $err:ty) => {
        impl ::std::str::FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$ty>::parse(s)
            }
        }

        impl TryFrom<&str> for $ty {
            type Error = $err;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                <$ty>::parse(s)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $err;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                <$ty>::parse(&s)
            }
        }

        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.to_string()
            }
        }
    };
}

/// Implements [`crate::DomainError`] by delegating to the inherent `code` and
/// `message_ja` methods of the error type.
macro_rules! impl_domain_error {
    ($ty:ty) => {
        impl $crate::error::DomainError for $ty {
            fn code(&self) -> &'static str {
                <$ty>::code(self)
            }
            fn message_ja(&self) -> String {
                <$ty>::message_ja(self)
            }
        }
    };
}
