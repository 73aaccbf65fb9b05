//! Layers every response passes: the security headers.

use super::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The Content-Security-Policy of responses that are not pages (pages set their own, with a nonce).
pub const DEFAULT_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Whether a response to this request may hold someone's own data, and so must never be kept
/// by a browser's or a proxy's cache: anything a session cookie was sent with, and the
/// agency API (bearer tokens).
fn is_private(request: &Request, cookies: [&str; 2]) -> bool {
    request.uri().path().starts_with("/api/")
        || cookies
            .iter()
            .any(|name| crate::auth::layers::cookie(request.headers(), name).is_some())
}

/// Adds the security headers every response carries, and keeps private answers out of caches.
pub async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // A pending sign-in's page shows an authenticator's secret and recovery codes.
    let private = is_private(
        &request,
        [
            &state.accounts.session_cookie_name(),
            &state.accounts.second_factor_cookie_name(),
        ],
    );
    let static_file = request.uri().path().starts_with("/pkg/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A response that sets a cookie (signing in) is as private as one that reads it; the
    // static bundle is the same for everyone and stays cacheable for slow connections.
    if (private || headers.contains_key(header::SET_COOKIE)) && !static_file {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if !static_file {
        // A page differs with its reader's session and language, both cookies.
        headers.append(header::VARY, HeaderValue::from_static("Cookie"));
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if state.tls {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}
