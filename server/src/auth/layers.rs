//! Who may ask: the session behind a cookie, cross-site request refusal (CSRF), per-address
//! rate limits on sign-in and sign-up, and the token endpoint's own limit per client.

use crate::http::AppState;
use app::error::AppError;
use auth::address::ClientAddress;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::account::AuthError;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

/// The value of cookie `name` in the request, if any.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Puts the request's valid session, if any, into its extensions for pages and server functions.
pub async fn resolve_session(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let name = state.accounts.session_cookie_name();
    if let Some(token) = cookie(request.headers(), &name).filter(|t| !t.is_empty()) {
        match state.accounts.resolve(&token).await {
            Ok(Some(session)) => {
                request.extensions_mut().insert(session);
            }
            Ok(None) => tracing::debug!("a session cookie named no live session"),
            Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        }
    }
    next.run(request).await
}

/// Whether a state-changing browser request comes from another site.
fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (origin, host) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, h)| h) != Some(host),
        (Some(_), None) => true,
        // No Origin: not a browser's cross-site form or fetch.
        (None, _) => false,
    }
}

/// Refuses state-changing requests from other sites (CSRF). The agency API is exempt: it is
/// authenticated by bearer tokens, which browsers never attach on their own.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !request.uri().path().starts_with("/api/v1/") && is_cross_site(request.headers()) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
        return refusal(
            request.uri().path(),
            StatusCode::FORBIDDEN,
            AuthError::Forbidden,
            "Cross-site requests are not accepted.",
        );
    }
    next.run(request).await
}

/// Per-address limits on the residents' endpoints that guess-and-check attacks use, counted
/// per client address (through trusted proxies; an IPv6 client by its /64). The agencies'
/// token endpoint is not among them: it has its own limit, per client ([`TokenLimits`]), so
/// a flood of sign-ins never stops agencies getting tokens.
#[derive(Clone)]
pub struct IpLimits {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

/// The paths limited per address.
pub const LIMITED_PATHS: &[&str] = &[
    "/fn/auth/sign_in",
    "/fn/auth/sign_up",
    "/fn/auth/complete_sign_in",
];

/// The token endpoint's own limits, apart from residents' sign-in: per agency client and
/// address (a stranger who knows a client id fills only their own bucket, never the
/// agency's), and per address four times that (guessing many client ids from one address).
#[derive(Clone)]
pub struct TokenLimits {
    per_client: Arc<DefaultKeyedRateLimiter<(String, IpAddr)>>,
    per_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

/// How many times the per-client allowance one address may use across client ids.
pub const TOKEN_ADDRESS_FACTOR: u32 = 4;

impl TokenLimits {
    /// `per_minute` token requests per client and address, with that as the burst.
    pub fn new(per_minute: u32) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        Self {
            per_client: Arc::new(RateLimiter::keyed(quota(per_minute))),
            per_address: Arc::new(RateLimiter::keyed(quota(
                per_minute.saturating_mul(TOKEN_ADDRESS_FACTOR),
            ))),
        }
    }

    /// Counts one token request; the seconds to wait once a bucket is empty.
    pub fn check(&self, client_id: &str, from: ClientAddress) -> Result<(), u64> {
        // An unknown id is the caller's text: bound what the limiter keeps of it.
        let id: String = client_id.chars().take(64).collect();
        self.per_address
            .check_key(&from.limit_key())
            .and_then(|()| self.per_client.check_key(&(id, from.limit_key())))
            .map_err(|not_until| retry_after_secs(&not_until))
    }

    /// Forgets buckets whose window has passed.
    pub fn forget_old(&self) {
        self.per_client.retain_recent();
        self.per_client.shrink_to_fit();
        self.per_address.retain_recent();
        self.per_address.shrink_to_fit();
    }
}

impl IpLimits {
    /// `per_minute` requests per IP to the limited paths together, with that as the burst.
    pub fn new(per_minute: u32) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN));
        Self {
            limiter: Arc::new(RateLimiter::keyed(quota)),
        }
    }
}

impl IpLimits {
    /// Forgets addresses whose window has passed.
    pub fn forget_old(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// Answers 429 with `Retry-After` when an IP exceeds its limit on a limited path.
pub async fn limit_per_ip(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limited = LIMITED_PATHS.contains(&request.uri().path()) && *request.method() == Method::POST;
    let client = request.extensions().get::<ClientAddress>().copied();
    if let Some(client) = client.filter(|_| limited)
        && let Err(not_until) = state.ip_limits.limiter.check_key(&client.limit_key())
    {
        tracing::warn!(%client, path = %request.uri().path(), "rate limited");
        let secs = retry_after_secs(&not_until);
        let mut response = refusal(
            request.uri().path(),
            StatusCode::TOO_MANY_REQUESTS,
            AuthError::RateLimited {
                retry_after_secs: secs,
            },
            "Too many attempts. Please wait and try again.",
        );
        if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    next.run(request).await
}

/// Seconds until a refused request may be tried again (at least one).
pub use auth::accounts::retry_after_secs;

/// A refusal in the shape its caller reads: server functions get their error type (so the
/// page can say what happened), the agency API its JSON error, anything else plain text.
fn refusal(path: &str, status: StatusCode, error: AuthError, text: &'static str) -> Response {
    if path.starts_with("/fn/") {
        let body = serde_json::to_string(&AppError::Auth(error)).unwrap_or_default();
        (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    } else if path.starts_with("/api/") {
        let code = if status == StatusCode::TOO_MANY_REQUESTS {
            "too_many_requests"
        } else {
            "forbidden"
        };
        (
            status,
            axum::Json(serde_json::json!({ "error": code, "message": text })),
        )
            .into_response()
    } else {
        (status, text).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (header::HeaderName::from_static(k), HeaderValue::from_static(v)))
            .collect()
    }

    #[test]
    fn same_site_requests_pass() {
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!is_cross_site(&headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!is_cross_site(&headers(&[])));
    }

    #[test]
    fn cross_site_requests_are_caught() {
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(is_cross_site(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(is_cross_site(&headers(&[
            ("origin", "null"),
            ("host", "127.0.0.1:3000")
        ])));
    }

    #[test]
    fn cookies_are_found_by_name() {
        let h = headers(&[("cookie", "a=1; gh_session=tok; b=2")]);
        assert_eq!(cookie(&h, "gh_session").as_deref(), Some("tok"));
        assert_eq!(cookie(&h, "gh"), None);
    }
}
