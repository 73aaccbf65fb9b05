//! Accounts: server functions to sign up, sign in and out, change the password, delete the
//! account, and to know who is asking. Each checks who is asking before doing any work.

#[cfg(feature = "ssr")]
use crate::domain::account::AuthError;
use crate::domain::account::CurrentUser;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub mod ssr {
    //! Server-side helpers every server function and page uses to know who is asking.
    use super::*;
    use crate::ports::{Services, Session, SetCookie};

    /// The services, or `Unavailable` if the server did not provide them.
    pub fn services() -> Result<Services, AppError> {
        use_context::<Services>().ok_or_else(|| {
            tracing::error!("the services were not provided to the request");
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

    /// The caller's IP address, for rate limits and logs.
    pub fn client_ip() -> Option<std::net::IpAddr> {
        use_context::<http::request::Parts>().and_then(|parts| {
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip())
        })
    }

    /// Answers 429 with `Retry-After`.
    pub fn too_many_requests(retry_after_secs: u64) {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::TOO_MANY_REQUESTS);
            if let Ok(value) = http::HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.insert_header(http::header::RETRY_AFTER, value);
            }
        }
    }

    /// Sends a cookie with the server function's response.
    pub fn send_cookie(cookie: SetCookie) {
        if let (Some(response), Ok(value)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            http::HeaderValue::from_str(&cookie.0),
        ) {
            response.append_header(http::header::SET_COOKIE, value);
        }
    }
}

/// Who is signed in, if anyone.
#[server(prefix = "/fn", endpoint = "auth/me")]
pub async fn who_am_i() -> Result<Option<CurrentUser>, AppError> {
    Ok(ssr::session().map(|s| s.user))
}

/// Creates a resident account and signs it in, then goes to the account page.
#[server(prefix = "/fn", endpoint = "auth/sign_up")]
pub async fn sign_up(
    email: String,
    password: String,
    display_name: String,
    lang: String,
) -> Result<(), AppError> {
    let lang = crate::domain::lang::Lang::from_code(&lang).unwrap_or_default();
    let input = crate::ports::SignUp {
        email,
        password,
        display_name,
        lang,
    };
    let outcome = ssr::services()?.accounts.sign_up(input).await;
    if let Err(AuthError::RateLimited { retry_after_secs }) = &outcome {
        ssr::too_many_requests(*retry_after_secs);
    }
    let cookie = outcome?;
    ssr::send_cookie(cookie);
    leptos_axum::redirect("/account");
    Ok(())
}

/// Signs in, then goes to the account page.
#[server(prefix = "/fn", endpoint = "auth/sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    let outcome = ssr::services()?
        .accounts
        .sign_in(&email, &password, ssr::client_ip())
        .await;
    if let Err(AuthError::RateLimited { retry_after_secs }) = &outcome {
        ssr::too_many_requests(*retry_after_secs);
    }
    let cookie = outcome?;
    ssr::send_cookie(cookie);
    leptos_axum::redirect("/account");
    Ok(())
}

/// Ends this session, then goes home.
#[server(prefix = "/fn", endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let session = ssr::require_session()?;
    let cookie = ssr::services()?.accounts.sign_out(&session).await?;
    ssr::send_cookie(cookie);
    leptos_axum::redirect("/");
    Ok(())
}

/// Replaces the password; every other session ends.
#[server(prefix = "/fn", endpoint = "auth/change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    let session = ssr::require_session()?;
    let cookie = ssr::services()?
        .accounts
        .change_password(&session, &current_password, &new_password)
        .await?;
    ssr::send_cookie(cookie);
    leptos_axum::redirect("/account?password=changed");
    Ok(())
}

/// Deletes the account and everything that is only the resident's.
#[server(prefix = "/fn", endpoint = "auth/delete_account")]
pub async fn delete_account(password: String) -> Result<(), AppError> {
    let session = ssr::require_session()?;
    let cookie = ssr::services()?
        .accounts
        .delete_account(&session, &password)
        .await?;
    ssr::send_cookie(cookie);
    leptos_axum::redirect("/?account=deleted");
    Ok(())
}

/// What the console's home shows: the register at a glance.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConsoleSummary {
    pub agencies: usize,
    pub systems: usize,
    pub purposes: usize,
    pub planned_systems: usize,
}

/// Staff only: the console's overview. Refuses anyone else before reading anything.
#[server(prefix = "/fn", endpoint = "admin/overview")]
pub async fn console_overview() -> Result<ConsoleSummary, AppError> {
    ssr::require_staff()?;
    let services = ssr::services()?;
    let systems = services.register.systems().await?;
    let agencies = services.register.agencies().await?;
    Ok(ConsoleSummary {
        agencies: agencies.len(),
        systems: systems.len(),
        purposes: systems.iter().map(|s| s.purposes.len()).sum(),
        planned_systems: systems
            .iter()
            .filter(|s| s.status == crate::domain::register::SystemStatus::Planned)
            .count(),
    })
}
