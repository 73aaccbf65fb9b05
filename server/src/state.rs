//! The state every request handler can reach.

use crate::auth::middleware::IpLimits;
use app::backend::Backend;
use auth::accounts::Accounts;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::AnyPool;
use store::decision_log::DecisionLog;

/// Shared, cheap-to-clone application state.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Leptos' site options (where the WASM bundle and CSS are served from).
    pub leptos_options: LeptosOptions,
    /// What the app's server functions work with.
    pub backend: Backend,
    /// The connection pool, for health checks.
    pub pool: AnyPool,
    /// Accounts and sessions (also in `backend`).
    pub accounts: Accounts,
    /// Per-IP limits on sign-in, sign-up and the token endpoint.
    pub ip_limits: IpLimits,
    /// Appends agency decisions, durably, in order.
    pub decision_log: DecisionLog,
    /// Whether residents reach the app over TLS (HSTS, Secure cookies).
    pub tls: bool,
}
