//! The state every request handler can reach.

use crate::auth::middleware::IpLimits;
use crate::auth::service::Accounts;
use crate::storage::decision_log::DecisionLog;
use app::ports::Services;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::AnyPool;

/// Shared, cheap-to-clone application state.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Leptos' site options (where the WASM bundle and CSS are served from).
    pub leptos_options: LeptosOptions,
    /// Storage behind the `app` crate's ports.
    pub services: Services,
    /// The connection pool, for health checks.
    pub pool: AnyPool,
    /// Accounts and sessions (also behind `services.accounts`).
    pub accounts: Accounts,
    /// Per-IP limits on sign-in, sign-up and the token endpoint.
    pub ip_limits: IpLimits,
    /// Appends agency decisions, durably, in order.
    pub decision_log: DecisionLog,
    /// Whether residents reach the app over TLS (HSTS, Secure cookies).
    pub tls: bool,
}
