//! Handlers, one module per resource. Each module has a `routes()` function
//! that the top-level [`crate::router`] merges.

pub mod assets;
pub mod health;
pub mod pages;

use crate::error::AppError;

/// Fallback for every path no route matches.
pub async fn not_found() -> AppError {
    AppError::not_found()
}
