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

/// The header the `InPlace` island (app/src/components/in_place.rs) sends with a form it
/// submits for the resident.
pub const IN_PLACE_REQUEST: &str = "glasshouse-in-place";
/// Where the island finds the address a redirect pointed to.
pub const IN_PLACE_LOCATION: &str = "glasshouse-location";

/// A form the island submits is answered as a plain form is, except that a redirect comes
/// back as `204 No Content` with the address in `Glasshouse-Location`: `fetch` would follow a
/// redirect to another page and render it, only for the island to load it again; this way
/// the island decides, and a sign-in costs one page, not two.
pub async fn in_place_redirects(request: Request, next: Next) -> Response {
    let in_place = request.headers().contains_key(IN_PLACE_REQUEST);
    let mut response = next.run(request).await;
    let redirected = in_place && response.status().is_redirection();
    let location = redirected
        .then(|| response.headers_mut().remove(header::LOCATION))
        .flatten();
    if let Some(location) = location {
        *response.status_mut() = axum::http::StatusCode::NO_CONTENT;
        *response.body_mut() = axum::body::Body::empty();
        response.headers_mut().remove(header::CONTENT_LENGTH);
        response.headers_mut().insert(IN_PLACE_LOCATION, location);
    }
    response
}

/// How long a browser may keep a static file: a year, without asking again, for a file whose
/// name carries its content's hash (`glasshouse.<hash>.css`: a new build is a new name), and
/// only while it checks it is unchanged for any other.
pub fn static_cache_control(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = name.split('.').collect();
    let hashed = parts.len() >= 3
        && parts[1..parts.len() - 1].iter().any(|part| {
            part.len() >= 16
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "public, no-cache"
    }
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
    let static_cache = static_file.then(|| static_cache_control(request.uri().path()));
    let mut response = next.run(request).await;
    let found = response.status().is_success();
    let headers = response.headers_mut();
    if let (Some(cache), true) = (static_cache, found) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    }
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

#[cfg(test)]
mod tests {
    use super::static_cache_control;

    #[test]
    fn hashed_files_are_kept_for_a_year_and_others_revalidated() {
        let year = "public, max-age=31536000, immutable";
        assert_eq!(
            static_cache_control("/pkg/glasshouse.vNEmYDVsG46LjK0AK-J98g.css"),
            year
        );
        assert_eq!(
            static_cache_control("/pkg/glasshouse.-XDr7t5Ysuqhh0owY8xa1w.wasm"),
            year
        );
        assert_eq!(
            static_cache_control("/pkg/glasshouse.jnrD3RzvDzPENYP793rQYQ.js"),
            year
        );
        assert_eq!(static_cache_control("/pkg/glasshouse.css"), "public, no-cache");
        assert_eq!(
            static_cache_control("/pkg/glasshouse_bg.wasm"),
            "public, no-cache"
        );
        assert_eq!(
            static_cache_control("/pkg/glasshouse.min.css"),
            "public, no-cache"
        );
    }
}
