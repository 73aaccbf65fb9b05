//! Accounts: server functions to sign up, sign in and out, change the password, delete the
//! account, and to know who is asking. Each checks who is asking before doing any work.

pub mod account_page;
pub mod login_page;
pub mod profile;
pub mod profile_page;
pub mod signup_page;

use crate::error::AppError;
use domain::account::CurrentUser;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend as ssr;

/// Who is signed in, if anyone.
#[server(prefix = "/fn", endpoint = "auth/me")]
pub async fn who_am_i() -> Result<Option<CurrentUser>, AppError> {
    Ok(ssr::session().map(|s| s.user))
}

/// How many days the city keeps an erased account's evidence (public: it is the city's rule).
#[server(prefix = "/fn", endpoint = "auth/retention_days")]
pub async fn retention_days() -> Result<u32, AppError> {
    Ok(ssr::backend()?.retention_days)
}

/// Creates a resident account and signs it in, then goes to the account page.
#[server(prefix = "/fn", endpoint = "auth/sign_up")]
pub async fn sign_up(
    email: String,
    password: String,
    display_name: String,
    lang: String,
) -> Result<(), AppError> {
    let lang = domain::lang::Lang::from_code(&lang).unwrap_or_default();
    let input = auth::accounts::SignUp {
        email,
        password,
        display_name,
        lang,
    };
    ssr::answer(ssr::backend()?.accounts.sign_up(input).await, "/account")
}

/// Signs in, then goes to the account page.
#[server(prefix = "/fn", endpoint = "auth/sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    let outcome = ssr::backend()?
        .accounts
        .sign_in(&email, &password, ssr::client_ip())
        .await;
    ssr::answer(outcome, "/account")
}

/// Ends this session, then goes home.
#[server(prefix = "/fn", endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let session = ssr::require_session()?;
    ssr::answer(ssr::backend()?.accounts.sign_out(&session).await, "/")
}

/// Replaces the password; every other session ends.
#[server(prefix = "/fn", endpoint = "auth/change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    let session = ssr::require_session()?;
    let outcome = ssr::backend()?
        .accounts
        .change_password(&session, &current_password, &new_password)
        .await;
    ssr::answer(outcome, "/account?password=changed")
}

/// Deletes the account and everything that is only the resident's.
#[server(prefix = "/fn", endpoint = "auth/delete_account")]
pub async fn delete_account(password: String) -> Result<(), AppError> {
    let session = ssr::require_session()?;
    ssr::answer(
        ssr::backend()?.accounts.delete_account(&session, &password).await,
        "/?account=deleted",
    )
}
