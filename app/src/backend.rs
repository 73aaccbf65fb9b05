//! What every server function needs (server only): the backend it works with, who is
//! asking (checked first, before any work), and how to answer with a cookie, a redirect or
//! a 429.

use crate::error::AppError;
use auth::accounts::{Accounts, Session, SetCookie};
use domain::account::AuthError;
use domain::requests::DeadlinePolicy;
use leptos::prelude::*;
use std::sync::Arc;

/// What server functions work with, provided by the server as Leptos context: the storage
/// pool (server functions call `store` and `domain` directly), the account service, and the
/// settings storage calls need.
#[derive(Clone)]
pub struct Backend {
    pub pool: store::Pool,
    /// Accounts and sessions.
    pub accounts: Accounts,
    /// The legal clock of privacy requests.
    pub policy: DeadlinePolicy,
    /// Where residents reach the app, without a trailing slash (links in receipts).
    pub public_url: String,
    /// The agency API's reference, derived from its OpenAPI document.
    pub api_reference: Arc<domain::api_reference::ApiReference>,
    /// Signs the ledger's checkpoints and proves entries in it.
    pub keeper: store::ledger::Keeper,
    /// Days an erased account's evidence is kept before the retention purge removes it.
    pub retention_days: u32,
    /// Days a public review's comment period lasts.
    pub comment_days: i64,
}

/// The backend, or `Unavailable` if the server did not provide it.
pub fn backend() -> Result<Backend, AppError> {
    use_context::<Backend>().ok_or_else(|| {
        tracing::error!("the backend was not provided to the request");
        AppError::Unavailable
    })
}

/// The request's signed-in session, if any.
pub fn session() -> Option<Session> {
    use_context::<http::request::Parts>().and_then(|parts| parts.extensions.get::<Session>().cloned())
}

/// The session, or `NotSignedIn`.
pub fn require_session() -> Result<Session, AppError> {
    session().ok_or_else(|| {
        tracing::info!("refused: not signed in");
        AppError::Auth(AuthError::NotSignedIn)
    })
}

/// The session of an officer or admin, or the refusal (logged) before any work is done.
pub fn require_staff() -> Result<Session, AppError> {
    let session = session();
    match &session {
        Some(s) if s.user.role.is_staff() => Ok(s.clone()),
        _ => {
            tracing::warn!(user = ?session.as_ref().map(|s| &s.user.id), "refused: staff only");
            Err(AppError::denied(session.is_some()))
        }
    }
}

/// The caller's address (read through the city's trusted proxies), for rate limits and logs.
pub fn client_ip() -> Option<auth::address::ClientAddress> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<auth::address::ClientAddress>().copied())
}

/// The value of the request's cookie `name`, if it sent one.
pub fn cookie(name: &str) -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// A QR code of `text` as a `data:` URL of an SVG image (the page's CSP allows `data:` images).
pub fn qr_code_data_url(text: &str) -> String {
    use base64::Engine;
    let svg = qrcode::QrCode::new(text.as_bytes()).map_or_else(
        |_| String::new(),
        |code| {
            code.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .build()
        },
    );
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    )
}

/// Gives a refused server function's response the error's status, unless the caller is a
/// plain HTML form (no JavaScript), which Leptos redirects back to the form instead.
pub fn refuse_with_status(status: u16) {
    let from_form = use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    });
    if let (false, Some(response), Ok(status)) = (
        from_form,
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(status),
    ) {
        response.set_status(status);
    }
}

/// Tells a rate-limited caller when to try again (`Retry-After`, seconds). The 429 status
/// itself comes from the server's one mapping of errors to statuses (scripts get it; plain
/// forms keep their redirect back to the page, which shows the error).
pub fn retry_after(retry_after_secs: u64) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&retry_after_secs.to_string()),
    ) {
        response.insert_header(http::header::RETRY_AFTER, value);
    }
}

/// Sends a cookie with the server function's response.
fn send_cookie(cookie: SetCookie) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie.0),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// Finishes an account action: a refused one answers its error (429 with `Retry-After` when
/// rate limited); a successful one sends its cookie and goes to `to`.
pub fn answer(outcome: Result<SetCookie, AuthError>, to: &str) -> Result<(), AppError> {
    answer_all(outcome.map(|cookie| vec![cookie]), to)
}

/// [`answer`] for an action that sets several cookies.
pub fn answer_all(outcome: Result<Vec<SetCookie>, AuthError>, to: &str) -> Result<(), AppError> {
    match outcome {
        Ok(cookies) => {
            cookies.into_iter().for_each(send_cookie);
            leptos_axum::redirect(to);
            Ok(())
        }
        Err(error) => {
            if let AuthError::RateLimited { retry_after_secs } | AuthError::BackingOff { retry_after_secs } =
                error
            {
                retry_after(retry_after_secs);
            }
            Err(error.into())
        }
    }
}

/// Today's date in UTC as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    domain::calendar::Date::from_unix_seconds(i64::try_from(secs).unwrap_or(0)).to_string()
}

/// A value that differs for every action, for the `done` query parameter of the page an
/// action returns to (so the browser loads that page's data again).
pub fn action_stamp() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros())
}
