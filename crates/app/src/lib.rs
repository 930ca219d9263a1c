//! Musubi services: the use cases that HTTP handlers and CLI commands share,
//! the clock they read, and the worker that drains the outbox.
//!
//! Handlers stay thin: they parse a request, call one service function and
//! render the result as HTML or JSON. Rules live in `musubi-domain`; data
//! lives behind `musubi-storage`.

pub mod clock;
pub mod jobs;

pub use clock::{Clock, ManualClock, SystemClock};
