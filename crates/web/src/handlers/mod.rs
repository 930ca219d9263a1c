//! Handlers, one module per resource. Each module has a `routes()` function
//! that the top-level [`crate::router`] merges.

pub mod accounts;
pub mod admin;
pub mod alerts;
pub mod api_docs;
pub mod assets;
pub mod awards;
pub mod bids;
pub mod companies;
pub mod coordination;
pub mod dev_mailbox;
pub mod health;
pub mod organizations;
pub mod pages;
pub mod recommendations;
pub mod search;
pub mod tenders;
pub mod transparency;

use crate::error::AppError;

/// Fallback for every path no route matches.
pub async fn not_found() -> AppError {
    AppError::not_found()
}
