//! 案件 (tenders): the rules a tender lives by, before any bid exists.
//!
//! - [`kind`]: what a tender is and how it is contracted and awarded
//!   ([`TenderKind`], [`Category`], [`ContractMethod`], [`AwardMethod`],
//!   [`ReservePricePublication`]).
//! - [`status`]: the life cycle ([`TenderStatus`], [`Transition`]): which
//!   step may follow which, and what each status lets people do.
//! - [`schedule`]: the dates ([`Schedule`] → [`ValidSchedule`]): their order,
//!   the 公告期間, and which time-driven steps are due at a given "now".
//! - [`content`]: what the buyer writes ([`TenderContent`]), versioned as a
//!   whole by amendments (訂正).
//! - [`eligibility`]: who may take part ([`Eligibility`]), checked against a
//!   supplier's registered facts ([`SupplierFacts`]).
//!
//! Bid evaluation (最低価格, 総合評価) and the 電子くじ lottery live beside
//! this module, in [`crate::bidding`]. Nothing here stores, sends or reads
//! the clock: "now" is always a parameter.

pub mod content;
pub mod eligibility;
pub mod kind;
pub mod schedule;
pub mod status;

pub use content::{Contact, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS, Place, TenderContent};
pub use eligibility::{Eligibility, Ineligibility, SupplierFacts};
pub use kind::{AwardMethod, Category, ContractMethod, ReservePricePublication, TenderKind};
pub use schedule::{
    DEFAULT_MIN_PUBLICATION_DAYS, Order, PUBLISH_AT_TOLERANCE, Schedule, ScheduleError,
    ScheduleField, ValidSchedule,
};
pub use status::{TenderStatus, Transition, TransitionError};
