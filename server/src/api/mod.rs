//! The JSON API under `/api/v1`: plain axum routers, one module per resource.

pub mod error;
pub mod register;

use crate::state::AppState;
use axum::Router;

/// Every `/api/v1` route.
pub fn router() -> Router<AppState> {
    Router::new().merge(register::router())
}
