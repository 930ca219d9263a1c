//! Musubi domain rules.
//!
//! This crate is the one home of Musubi's business rules: the codes Japanese
//! public procurement runs on (法人番号, 都道府県, 地方公共団体コード, 日本標準産業分類),
//! money and consumption tax, and Japan time with 和暦 and 年度; the tender
//! state machine; bid evaluation and the 電子くじ lottery ([`bidding`]); and
//! the matching of suppliers to tenders, with its reasons ([`matching`]).
//!
//! It does no I/O at all: no files, no network, no environment, and no clock
//! reads (the current time is always a value passed in). That keeps every rule
//! deterministic and testable, and lets the storage and web layers depend on
//! it without pulling anything in.
//!
//! Style: "parse, don't validate". Each concept is a newtype or enum whose
//! constructors are the only way in, so a value of the type is always valid.
//! Every type has `FromStr`/`TryFrom<&str>`, `Display`, and serde support that
//! goes through the same constructor. Every error enum has stable variants, an
//! English `Display`, a stable snake-case [`DomainError::code`] for the API and
//! a Japanese [`DomainError::message_ja`] for the UI.
//!
//! One file per concept; the main types are re-exported here.

#[macro_use]
mod macros;

pub mod account;
pub mod authz;
pub mod bidding;
pub mod coordination;
pub mod corporate_number;
pub mod error;
pub mod jsic;
pub mod matching;
pub mod money;
pub mod municipality;
pub mod organization;
pub mod prefecture;
pub mod tender;
pub mod time;
pub mod transparency;

mod text;

pub use account::{EmailAddress, EmailError, Password, PasswordError};
pub use authz::{Access, Denial, Membership, Principal};
pub use bidding::{
    BidStatus, DrawnEntry, EvaluatedBid, Evaluation, EvaluationInput, EvaluationInputError,
    EvaluationTerms, Exclusion, LotteryDraw, LotteryEntry, LotteryError, LotteryNumber,
    LotteryNumberError, Outcome, RevealedBid, Score, TechnicalPoints, TechnicalPointsError,
};
pub use corporate_number::{CorporateNumber, CorporateNumberError};
pub use error::DomainError;
pub use jsic::{JsicCode, JsicDivision, JsicError, JsicLevel};
pub use money::{MoneyError, TaxExclusive, TaxInclusive, TaxRate, TaxRateError, Yen};
pub use municipality::{MunicipalityCode, MunicipalityCodeError};
pub use organization::{
    Approval, Certification, Grade, GradeCategory, OrgKind, OrgRole, PlatformRole, UnknownCode,
};
pub use prefecture::{Prefecture, PrefectureError, Region, RegionError};
pub use time::{
    Era, FiscalYear, FiscalYearError, Wareki, WarekiError, format_date_ja, format_japan_date,
    format_japan_datetime, format_japan_datetime_en, format_wareki_date, japan_date,
    japan_local_to_utc, jst, to_japan, wareki_of_instant,
};
