//! The router: Leptos pages and server functions, the JSON API, the downloads, the language
//! switch, the health check and static files, with the layers every request passes.

use super::state::{AppState, MAX_BODY_BYTES};
use crate::api;
use crate::auth::layers as auth_mw;
use app::{App, shell};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use tower_http::services::ServeDir;

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
        .route("/lang/{code}", get(super::language::switch_language))
        .route(
            "/my/consents/{id}/receipt.json",
            get(super::downloads::receipt_json),
        )
        .route(
            "/my/requests/{id}/package.json",
            get(super::downloads::package_json),
        )
        .route("/admin/requests.csv", get(super::downloads::requests_csv))
        .route(
            "/admin/breaches/{id}/letters.csv",
            get(super::downloads::breach_letters_csv),
        )
        .leptos_routes_with_context(&state, routes, context, pages)
        .fallback(move |request: axum::extract::Request| not_found(request))
        .layer(middleware::from_fn(super::layers::in_place_redirects))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth_mw::resolve_session,
        ));
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/s/{code}/sign.svg", get(super::signs::sign_svg))
        .route(
            "/reports/{year}/{system}/report.json",
            get(super::downloads::yearly_report_json),
        )
        .route("/register/changes.atom", get(super::feeds::register_changes_atom))
        .merge(api::router())
        // Static files never go through Leptos, so no page's context can reach them. A
        // release build precompresses them (`cargo leptos build --release --precompress`):
        // the `.br` or `.gz` copy is sent to a browser that accepts it, at no cost per request.
        .nest_service(
            "/pkg",
            ServeDir::new(pkg_dir).precompressed_br().precompressed_gzip(),
        )
        .merge(pages)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth_mw::limit_per_ip,
        ))
        // Who is asking, by address, before any limit counts them.
        .layer(middleware::from_fn_with_state(
            state.trusted_proxies.clone(),
            super::client_address::find_client_address,
        ))
        .layer(middleware::from_fn(auth_mw::refuse_cross_site))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            super::layers::security_headers,
        ))
        .layer(tower_http::compression::CompressionLayer::new());
    guarded(app).with_state(state)
}

/// The outermost layers, around everything: a bound on bodies, and a panic guard.
fn guarded<S: Clone + Send + Sync + 'static>(app: Router<S>) -> Router<S> {
    // Server functions read whole bodies: bound them before anything else runs.
    app.layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // A bug that panics while answering costs that one request a 500, never the
        // connection (a browser would show an empty response) and never the process.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(answer_panic))
        // The limit's and the guard's answers are plain text: an API caller gets the JSON
        // error shape instead.
        .layer(middleware::from_fn(api::error::plain_refusals_as_json))
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

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    #[allow(clippy::unused_async)]
    async fn boom() -> &'static str {
        panic!("a bug")
    }

    async fn answer(path: &str) -> (StatusCode, String, String) {
        let app: Router = guarded(
            Router::new()
                .route("/api/v1/boom", get(boom))
                .route("/boom", get(boom)),
        );
        let response = app
            .oneshot(
                axum::extract::Request::get(path)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = response.status();
        let kind = response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned();
        let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        (status, kind, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn a_panic_answers_500_in_json_to_the_api_and_in_text_to_pages() {
        let (status, kind, body) = answer("/api/v1/boom").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(kind, "application/json");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["error"], "internal_error");
        assert!(
            !body.contains("a bug"),
            "the panic's message stays in the log: {body}"
        );
        let (status, kind, body) = answer("/boom").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(kind.starts_with("text/plain"), "{kind}");
        assert!(body.contains("Something went wrong"));
    }
}
