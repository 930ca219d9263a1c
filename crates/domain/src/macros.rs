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

/// Declares a closed set of codes with Japanese and English labels, parsed
/// from and shown as its stable code.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $err:literal, { $($(#[$vmeta:meta])* $variant:ident => $code:literal, $ja:literal, $en:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code used in the API, storage and `Display`.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            /// Label for the Japanese UI.
            pub fn name_ja(self) -> &'static str {
                match self { $($name::$variant => $ja),+ }
            }
            /// Label for the English UI.
            pub fn name_en(self) -> &'static str {
                match self { $($name::$variant => $en),+ }
            }
            /// Parses the stable code (surrounding whitespace ignored).
            pub fn parse(s: &str) -> Result<Self, $crate::organization::UnknownCode> {
                match s.trim() {
                    $($code => Ok($name::$variant),)+
                    other => Err($crate::organization::UnknownCode {
                        kind: $err,
                        code: other.to_owned(),
                    }),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::organization::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(::serde::de::Error::custom)
            }
        }
    };
}
