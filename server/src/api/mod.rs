//! The JSON API under `/api/v1`: plain axum routers, one module per resource.

pub mod caller;
pub mod error;
pub mod oauth;
pub mod register;
pub mod whoami;

use crate::state::AppState;
use axum::Router;

/// Every `/api/v1` route.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(register::router())
        .merge(oauth::router())
        .merge(whoami::router())
}
