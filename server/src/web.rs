//! The HTTP surface: Leptos pages and server functions, the JSON API, the language switch,
//! the health check and static files.

use crate::api;
use crate::config::Config;
use crate::state::AppState;
use crate::storage::register::SqlRegister;
use app::domain::lang::Lang;
use app::i18n_support::LANG_COOKIE;
use app::ports::Services;
use app::{App, shell};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use serde::Deserialize;
use sqlx::AnyPool;
use std::net::SocketAddr;
use std::sync::Arc;

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

/// The whole app for one process.
pub fn router(config: &Config, pool: AnyPool, addr: SocketAddr) -> Router {
    let services = Services {
        register: Arc::new(SqlRegister::new(pool.clone())),
    };
    let state = AppState {
        leptos_options: leptos_options(config, addr),
        services,
        pool,
    };
    let routes = generate_route_list(App);
    let context = {
        let services = state.services.clone();
        move || provide_context(services.clone())
    };
    let pages = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    Router::new()
        .route("/healthz", get(healthz))
        .route("/lang/{code}", get(switch_language))
        .nest("/api/v1", api::router())
        .leptos_routes_with_context(&state, routes, context.clone(), pages)
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            context, shell,
        ))
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    match sqlx::query("SELECT 1").execute(&state.pool).await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
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
