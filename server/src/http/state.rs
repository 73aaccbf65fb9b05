//! The state every request handler can reach.

use crate::api;
use crate::auth::layers::{IpLimits, TokenLimits};
use crate::auth::secret::{self, SecretError};
use crate::config::Config;
use crate::http::client_address::TrustedProxies;
use app::backend::Backend;
use auth::accounts::Accounts;
use auth::accounts::SessionPolicy;
use auth::password::{HashError, PasswordHashing};
use auth::sealing::SealingKeys;
use auth::tokens::TokenKeys;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::AnyPool;
use std::net::SocketAddr;
use std::sync::Arc;
use store::decision_log::DecisionLog;
use store::live_facts::LiveFacts;

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
    /// Per-address limits on sign-in and sign-up.
    pub ip_limits: IpLimits,
    /// The token endpoint's limit, per agency client and address.
    pub token_limits: TokenLimits,
    /// Per-client quotas on checks, data queries and enrollment codes.
    pub client_quotas: crate::api::quota::ClientQuotas,
    /// The reverse proxies whose forwarding header names the client.
    pub trusted_proxies: Arc<TrustedProxies>,
    /// Appends agency decisions, durably, in order.
    pub decision_log: DecisionLog,
    /// Whether residents reach the app over TLS (HSTS, Secure cookies).
    pub tls: bool,
    /// Wakes the consent change streams when the ledger moves; counts each client's streams.
    pub change_ticker: api::changes::ChangeTicker,
}

/// The name the WASM bundle, JS and CSS are published under (`[[workspace.metadata.leptos]] name`).
pub const OUTPUT_NAME: &str = "glasshouse";

/// The Leptos site options for this process.
pub fn leptos_options(config: &Config, addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

/// Why the app could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Hashing(#[from] HashError),
    #[error(
        "the token-signing secret must be at least {} bytes",
        auth::tokens::MIN_SECRET_BYTES
    )]
    ShortSecret,
    #[error(transparent)]
    CheckpointKey(#[from] crate::auth::checkpoint_key::KeyError),
    #[error("cannot seal the authenticator secrets stored in plain text: {0}")]
    Seal(#[source] store::StoreError),
    #[error("cannot load the facts decisions are made on: {0}")]
    Facts(#[source] store::StoreError),
}

/// The largest request body accepted (forms and API calls are small).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The account service alone, as the command line needs it (no web state, no timers).
pub async fn accounts(config: &Config, pool: AnyPool) -> Result<Accounts, BuildError> {
    let secret = secret::load(config)?;
    let keys = TokenKeys::from_secret(&secret).ok_or(BuildError::ShortSecret)?;
    let sealing = SealingKeys::from_secret(&secret).ok_or(BuildError::ShortSecret)?;
    let hashing = PasswordHashing::new(std::thread::available_parallelism().map_or(2, |n| n.get())).await?;
    let policy = SessionPolicy {
        idle_secs: i64::from(config.session_idle_minutes) * 60,
        absolute_secs: i64::from(config.session_max_hours) * 3600,
        secure_cookie: config.is_tls(),
        second_factor: config.staff_second_factor,
    };
    Ok(Accounts::new(pool, hashing, keys, sealing, policy))
}

/// Builds the shared state: storage, account service, limits.
pub async fn state(config: &Config, pool: AnyPool, addr: SocketAddr) -> Result<AppState, BuildError> {
    let accounts = accounts(config, pool.clone()).await?;
    // Before anyone is served: no authenticator secret stays readable in the database.
    accounts.seal_stored_secrets().await.map_err(BuildError::Seal)?;
    let backend = Backend {
        pool: pool.clone(),
        accounts: accounts.clone(),
        policy: config.deadline_policy,
        public_url: config.public_url.trim_end_matches('/').to_owned(),
        api_reference: Arc::new(api::reference::from_openapi(
            &serde_json::to_value(api::openapi()).unwrap_or_default(),
        )),
        keeper: crate::auth::checkpoint_key::keeper(config)?,
        retention_days: config.retention_days,
        comment_days: i64::from(config.comment_days),
    };
    let ip_limits = IpLimits::new(config.auth_requests_per_minute);
    let token_limits = TokenLimits::new(config.auth_requests_per_minute);
    let client_quotas =
        crate::api::quota::ClientQuotas::new(config.client_calls_per_second, config.client_calls_per_day);
    forget_old_attempts_every_minute(
        accounts.clone(),
        ip_limits.clone(),
        token_limits.clone(),
        client_quotas.clone(),
    );
    purge_expired_evidence_every_hour(pool.clone(), config.retention_days);
    let facts = Arc::new(LiveFacts::load(&pool).await.map_err(BuildError::Facts)?);
    tracing::info!(
        residents = facts.read().residents(),
        version = facts.version(),
        "loaded the facts decisions need"
    );
    let decision_log = DecisionLog::start(pool.clone(), facts);
    keep_facts_current(pool.clone(), decision_log.clone());
    Ok(AppState {
        leptos_options: leptos_options(config, addr),
        backend,
        decision_log,
        change_ticker: api::changes::ChangeTicker::start(pool.clone()),
        pool,
        accounts,
        ip_limits,
        token_limits,
        client_quotas,
        trusted_proxies: Arc::new(config.trusted_proxies.clone()),
        tls: config.is_tls(),
    })
}

/// Keeps this server's facts current while no decision asks for it (every second), so answers
/// are rarely decided twice, and forgets old fact changes (every ten minutes; a server that
/// far behind reloads everything).
fn keep_facts_current(pool: AnyPool, log: DecisionLog) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        for n in 0_u64.. {
            tick.tick().await;
            if let Err(e) = log.facts().catch_up_now(&pool).await {
                tracing::warn!(error = %e, "could not bring the decision facts up to date");
            }
            if n % 600 == 599
                && let Err(e) = store::consent::prune_fact_changes(&pool, 100_000).await
            {
                tracing::warn!(error = %e, "could not forget old fact changes");
            }
        }
    });
}

/// Removes erased accounts' evidence once its retention period is over (at start, then
/// hourly). Each account's purge is its own transaction; one that fails is retried next hour.
/// The same hour forgets sign-in back-off streaks over a day old, and the used pending
/// sign-ins whose tokens have expired.
fn purge_expired_evidence_every_hour(pool: sqlx::AnyPool, retention_days: u32) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let actor = store::audit::Actor::Scheduler;
            match store::retention::purge_expired(&pool, actor, retention_days, store::now()).await {
                Ok(purged) if purged.accounts > 0 => tracing::info!(
                    accounts = purged.accounts,
                    events = purged.events,
                    requests = purged.requests,
                    "retention period over: erased accounts' evidence removed"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not purge expired evidence"),
            }
            if let Err(e) = store::sign_in_failures::forget_old(&pool, store::now_us()).await {
                tracing::warn!(error = %e, "could not forget old sign-in failures");
            }
            if let Err(e) = store::second_factor::forget_used_pending(&pool, store::now()).await {
                tracing::warn!(error = %e, "could not forget used pending sign-ins");
            }
        }
    });
}

/// Keeps the rate limiters' memory bounded however many addresses and accounts they see,
/// and the sessions table free of sessions that can no longer be used.
fn forget_old_attempts_every_minute(
    accounts: Accounts,
    ip_limits: IpLimits,
    token_limits: TokenLimits,
    client_quotas: crate::api::quota::ClientQuotas,
) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            accounts.forget_old_attempts();
            ip_limits.forget_old();
            token_limits.forget_old();
            client_quotas.forget_old();
            if let Err(e) = accounts.purge_expired_sessions().await {
                tracing::warn!(error = %e, "could not purge expired sessions");
            }
        }
    });
}
