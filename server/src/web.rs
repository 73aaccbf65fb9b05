//! The HTTP surface: Leptos pages and server functions, the JSON API, the language switch,
//! the health check and static files.

use crate::api;
use crate::auth::middleware::{self as auth_mw, IpLimits};
use crate::auth::secret::{self, SecretError};
use crate::config::Config;
use crate::state::AppState;
use app::backend::Backend;
use app::i18n_support::LANG_COOKIE;
use app::{App, shell};
use auth::accounts::{Accounts, SessionPolicy};
use auth::password::{HashError, PasswordHashing};
use auth::tokens::TokenKeys;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::lang::Lang;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use serde::Deserialize;
use sqlx::AnyPool;
use std::net::SocketAddr;
use std::sync::Arc;
use store::decision_log::DecisionLog;
use tower_http::services::ServeDir;

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
}

/// The largest request body accepted (forms and API calls are small).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The account service alone, as the command line needs it (no web state, no timers).
pub async fn accounts(config: &Config, pool: AnyPool) -> Result<Accounts, BuildError> {
    let keys = TokenKeys::from_secret(&secret::load(config)?).ok_or(BuildError::ShortSecret)?;
    let hashing = PasswordHashing::new(std::thread::available_parallelism().map_or(2, |n| n.get())).await?;
    let policy = SessionPolicy {
        idle_secs: i64::from(config.session_idle_minutes) * 60,
        absolute_secs: i64::from(config.session_max_hours) * 3600,
        secure_cookie: config.is_tls(),
    };
    Ok(Accounts::new(pool, hashing, keys, policy))
}

/// Builds the shared state: storage, account service, limits.
pub async fn state(config: &Config, pool: AnyPool, addr: SocketAddr) -> Result<AppState, BuildError> {
    let accounts = accounts(config, pool.clone()).await?;
    let backend = Backend {
        pool: pool.clone(),
        accounts: accounts.clone(),
        policy: config.deadline_policy,
        public_url: config.public_url.trim_end_matches('/').to_owned(),
        api_reference: Arc::new(api::reference::from_openapi(
            &serde_json::to_value(api::openapi()).unwrap_or_default(),
        )),
    };
    let ip_limits = IpLimits::new(config.auth_requests_per_minute);
    forget_old_attempts_every_minute(accounts.clone(), ip_limits.clone());
    Ok(AppState {
        leptos_options: leptos_options(config, addr),
        backend,
        decision_log: DecisionLog::start(pool.clone()),
        pool,
        accounts,
        ip_limits,
        tls: config.is_tls(),
    })
}

/// Keeps the rate limiters' memory bounded however many addresses and accounts they see,
/// and the sessions table free of sessions that can no longer be used.
fn forget_old_attempts_every_minute(accounts: Accounts, ip_limits: IpLimits) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            accounts.forget_old_attempts();
            ip_limits.forget_old();
            if let Err(e) = accounts.purge_expired_sessions().await {
                tracing::warn!(error = %e, "could not purge expired sessions");
            }
        }
    });
}

/// Serves `router` on `listener` with each request's peer address available (for rate limits).
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

/// The whole app for one process.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let backend = state.backend.clone();
        move || provide_context(backend.clone())
    };
    let pages = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    let pkg_dir =
        std::path::Path::new(&*state.leptos_options.site_root).join(&*state.leptos_options.site_pkg_dir);
    let not_found = leptos_axum::render_app_to_stream_with_context(context.clone(), pages.clone());
    // Pages and server functions need to know who is asking; static files, the health
    // check and the agency API (bearer tokens) do not, so they skip the session lookup.
    let pages = Router::new()
        .route("/lang/{code}", get(switch_language))
        .route("/my/consents/{id}/receipt.json", get(receipt_json))
        .route("/my/requests/{id}/package.json", get(package_json))
        .route("/admin/requests.csv", get(requests_csv))
        .leptos_routes_with_context(&state, routes, context, pages)
        .fallback(move |request: axum::extract::Request| not_found(request))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth_mw::resolve_session,
        ));
    Router::new()
        .route("/healthz", get(healthz))
        .merge(api::router())
        // Static files never go through Leptos, so no page's context can reach them.
        .nest_service("/pkg", ServeDir::new(pkg_dir))
        .merge(pages)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth_mw::limit_per_ip,
        ))
        .layer(middleware::from_fn(auth_mw::refuse_cross_site))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth_mw::security_headers,
        ))
        .layer(tower_http::compression::CompressionLayer::new())
        // Server functions read whole bodies: bound them before anything else runs.
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // A bug that panics while answering costs that one request a 500, never the
        // connection (a browser would show an empty response) and never the process.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(answer_panic))
        .with_state(state)
}

/// The answer to a request whose handler panicked: logged with the panic's message, and a
/// plain 500 for the client.
fn answer_panic(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Something went wrong on our side. Please try again.",
    )
        .into_response()
}

/// `GET /healthz`: 200 when the database answers and the decision log is written, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    if !state.decision_log.is_running() {
        tracing::error!("health check: the decision log writer has stopped; agency decisions fail");
        return (StatusCode::SERVICE_UNAVAILABLE, "decision log unavailable").into_response();
    }
    match sqlx::query("SELECT 1").execute(&state.pool).await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

#[derive(Debug, Deserialize)]
struct ReceiptQuery {
    lang: Option<String>,
}

/// `GET /my/consents/{id}/receipt.json`: the signed-in resident's receipt as a JSON download;
/// 401 when not signed in, 404 for any event that is not theirs.
async fn receipt_json(
    State(state): State<AppState>,
    session: Option<axum::Extension<auth::accounts::Session>>,
    Path(id): Path<String>,
    Query(query): Query<ReceiptQuery>,
) -> Response {
    let Some(axum::Extension(session)) = session else {
        return (StatusCode::UNAUTHORIZED, "sign in to download your receipts").into_response();
    };
    let lang = query
        .lang
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or(session.user.lang);
    let backend = &state.backend;
    match store::consent::receipt(&backend.pool, &backend.public_url, &session.user.id, &id, lang).await {
        Ok(Some(receipt)) => {
            let disposition = format!(
                "attachment; filename=\"consent-receipt-{}.json\"",
                receipt.consent_receipt_id
            );
            (
                [
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CACHE_CONTROL, "private, no-store".to_owned()),
                ],
                axum::Json(receipt),
            )
                .into_response()
        }
        Ok(None) => (StatusCode::NOT_FOUND, "no such receipt among yours").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "could not read a receipt");
            (StatusCode::SERVICE_UNAVAILABLE, "temporarily unavailable").into_response()
        }
    }
}

/// `GET /my/requests/{id}/package.json`: the package answering one of the signed-in
/// resident's fulfilled access or portability requests, as a download; 401 when not signed
/// in, 404 for any request that is not theirs or has no package.
async fn package_json(
    State(state): State<AppState>,
    session: Option<axum::Extension<auth::accounts::Session>>,
    Path(id): Path<String>,
    Query(query): Query<ReceiptQuery>,
) -> Response {
    let Some(axum::Extension(session)) = session else {
        return (StatusCode::UNAUTHORIZED, "sign in to download your data").into_response();
    };
    let lang = query
        .lang
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or(session.user.lang);
    match store::package::package(&state.pool, &session.user.id, &id, lang).await {
        Ok(Some(package)) => {
            let disposition = format!("attachment; filename=\"glasshouse-data-{id}.json\"");
            (
                [
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CACHE_CONTROL, "private, no-store".to_owned()),
                ],
                axum::Json(package),
            )
                .into_response()
        }
        Ok(None) => (StatusCode::NOT_FOUND, "no such package among yours").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "could not assemble a data package");
            (StatusCode::SERVICE_UNAVAILABLE, "temporarily unavailable").into_response()
        }
    }
}

#[derive(Debug, Deserialize)]
struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

/// The columns of `/admin/requests.csv`.
pub const REQUESTS_CSV_HEADER: &str =
    "id,kind,channel,received,due,closed,status,days_taken,extended,on_time";

/// `GET /admin/requests.csv?from=YYYY-MM-DD&to=YYYY-MM-DD`: the requests received in the
/// period (by default this calendar year), for the record of processing activities. Staff
/// only: 401 signed out, 403 for residents, 422 for a malformed date.
async fn requests_csv(
    State(state): State<AppState>,
    session: Option<axum::Extension<auth::accounts::Session>>,
    Query(query): Query<PeriodQuery>,
) -> Response {
    use domain::calendar::Date;
    let Some(axum::Extension(session)) = session else {
        return (StatusCode::UNAUTHORIZED, "sign in as a privacy officer").into_response();
    };
    if !session.user.role.is_staff() {
        return (StatusCode::FORBIDDEN, "privacy officers and administrators only").into_response();
    }
    let today = store::requests::today();
    let parse = |value: Option<&str>, default: Date| match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => Date::parse(v),
    };
    let year_start = Date::new(today.year(), 1, 1).unwrap_or(today);
    let (Ok(from), Ok(to)) = (
        parse(query.from.as_deref(), year_start),
        parse(query.to.as_deref(), today),
    ) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "from and to are dates written YYYY-MM-DD",
        )
            .into_response();
    };
    let records = match store::casework::records(&state.pool, from, to).await {
        Ok(records) => records,
        Err(e) => {
            tracing::error!(error = %e, "could not read the request records");
            return (StatusCode::SERVICE_UNAVAILABLE, "temporarily unavailable").into_response();
        }
    };
    let mut out = String::from(REQUESTS_CSV_HEADER);
    out.push('\n');
    for r in &records {
        let opt = |v: Option<String>| v.unwrap_or_default();
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            r.id,
            r.kind.code(),
            r.channel.code(),
            r.received,
            r.due,
            opt(r.closed.map(|c| c.to_string())),
            r.status.code(),
            opt(r.days_taken().map(|d| d.to_string())),
            r.extended,
            opt(r.on_time().map(|o| o.to_string())),
        ));
    }
    let disposition = format!("attachment; filename=\"privacy-requests-{from}-to-{to}.csv\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        out,
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
struct SwitchQuery {
    next: Option<String>,
}

/// `GET /lang/{code}?next=/path`: remembers the language in a cookie and returns to `next`
/// (a path on this site only, so the link cannot send anyone elsewhere).
async fn switch_language(Path(code): Path<String>, Query(query): Query<SwitchQuery>) -> Response {
    let Some(lang) = Lang::from_code(&code) else {
        return (StatusCode::NOT_FOUND, "unsupported language").into_response();
    };
    let next = query
        .next
        .filter(|n| is_local_path(n))
        .unwrap_or_else(|| "/".to_owned());
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, next), (header::SET_COOKIE, cookie)],
    )
        .into_response()
}

/// Whether `path` stays on this site: absolute path, not protocol-relative, no backslashes.
fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_local_paths_are_followed_after_a_language_switch() {
        assert!(is_local_path("/systems?q=cctv"));
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "systems",
            "/a\nb",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }
}
