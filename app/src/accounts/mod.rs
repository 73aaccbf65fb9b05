//! Accounts: server functions to sign up, sign in and out, change the password, delete the
//! account, and to know who is asking. Each checks who is asking before doing any work.

pub mod account_page;
pub mod login_page;
pub mod profile;
pub mod profile_page;
pub mod second_factor_page;
pub mod sessions_page;
pub mod signup_page;

use crate::error::AppError;
use domain::account::CurrentUser;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend as ssr;
#[cfg(feature = "ssr")]
use domain::account::ReturnTo;

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

/// Creates a resident account, then goes to the sign-in page, which says the same whether or
/// not the email already had an account (see `auth::accounts::Accounts::sign_up`).
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
    let outcome = ssr::backend()?.accounts.sign_up(input).await;
    ssr::answer_all(outcome.map(|()| Vec::new()), SIGNED_UP)
}

/// Where sign-up leads: the sign-in page, with its note that the account is ready if the
/// email was new.
pub const SIGNED_UP: &str = "/login?signed_up=1";

/// Signs in, then goes to `next` if it is a page of this site (`ReturnTo`), else to the
/// account page; staff go to the second step first, which carries `next` on.
#[server(prefix = "/fn", endpoint = "auth/sign_in")]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use auth::accounts::SignedIn;
    let outcome = ssr::backend()?
        .accounts
        .sign_in(&email, &password, ssr::client_ip())
        .await;
    let return_to = ReturnTo::or_default(next.as_deref());
    match outcome {
        Ok(SignedIn::Session(cookie)) => ssr::answer(Ok(cookie), &return_to),
        Ok(SignedIn::SecondFactor(cookie)) => ssr::answer(Ok(cookie), &second_step(next.as_deref())),
        Err(e) => ssr::answer(Err(e), &return_to),
    }
}

/// The second step's page, carrying `next` on when it is acceptable.
#[cfg(feature = "ssr")]
fn second_step(next: Option<&str>) -> String {
    match next.map(ReturnTo::query_of).filter(|q| !q.is_empty()) {
        Some(query) => format!("/login/second-factor?{query}"),
        None => "/login/second-factor".to_owned(),
    }
}

/// A staff sign-in's second step as its page shows it: the account, and what it asks for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingSignInView {
    pub email: String,
    pub step: PendingStepView,
}

/// What a pending sign-in asks for next.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PendingStepView {
    /// A code from the authenticator app, or a recovery code.
    Code,
    /// The operator's one-time enrolment code (nothing of an authenticator is shown before).
    EnrolmentCode,
    /// An authenticator being enrolled: what to put into the app and the recovery codes,
    /// then its first code.
    Enrol(EnrolmentView),
}

/// An authenticator being enrolled.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EnrolmentView {
    /// The secret, grouped in fours for typing.
    pub secret: String,
    /// The QR code of the key URI, as a `data:` URL of an SVG image.
    pub qr_code: String,
    pub recovery_codes: Vec<String>,
}

/// The pending sign-in's second step (from its own cookie).
#[server(prefix = "/fn", endpoint = "auth/second_factor")]
pub async fn second_factor_step() -> Result<PendingSignInView, AppError> {
    let backend = ssr::backend()?;
    let token = ssr::cookie(&backend.accounts.second_factor_cookie_name())
        .ok_or(AppError::Auth(domain::account::AuthError::SignInExpired))?;
    let pending = backend.accounts.pending_sign_in(&token).await?;
    let step = match pending.step {
        auth::accounts::PendingStep::Code => PendingStepView::Code,
        auth::accounts::PendingStep::EnrolmentCode => PendingStepView::EnrolmentCode,
        auth::accounts::PendingStep::Enrol(e) => PendingStepView::Enrol(EnrolmentView {
            secret: e
                .secret
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(" "),
            qr_code: ssr::qr_code_data_url(&e.uri),
            recovery_codes: e.recovery_codes,
        }),
    };
    Ok(PendingSignInView {
        email: pending.email,
        step,
    })
}

/// Redeems the operator's enrolment code for the pending sign-in, then goes back to the
/// second step, which now shows the authenticator to set up.
#[server(prefix = "/fn", endpoint = "auth/redeem_enrolment_code")]
pub async fn redeem_enrolment_code(enrolment_code: String, next: Option<String>) -> Result<(), AppError> {
    let backend = ssr::backend()?;
    let token = ssr::cookie(&backend.accounts.second_factor_cookie_name())
        .ok_or(AppError::Auth(domain::account::AuthError::SignInExpired))?;
    let outcome = backend
        .accounts
        .redeem_enrolment_code(&token, &enrolment_code)
        .await;
    ssr::answer(outcome, &second_step(next.as_deref()))
}

/// Checks the code of the second step and signs in, then goes to `next` as `sign_in` does.
#[server(prefix = "/fn", endpoint = "auth/complete_sign_in")]
pub async fn complete_sign_in(code: String, next: Option<String>) -> Result<(), AppError> {
    let backend = ssr::backend()?;
    let token = ssr::cookie(&backend.accounts.second_factor_cookie_name())
        .ok_or(AppError::Auth(domain::account::AuthError::SignInExpired))?;
    let outcome = backend.accounts.complete_sign_in(&token, &code).await;
    ssr::answer_all(outcome, &ReturnTo::or_default(next.as_deref()))
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

/// The signed-in person's live sessions, this one marked.
#[server(prefix = "/fn", endpoint = "auth/sessions")]
pub async fn my_sessions() -> Result<Vec<domain::account::SessionView>, AppError> {
    let session = ssr::require_session()?;
    Ok(ssr::backend()?.accounts.sessions(&session).await?)
}

/// Ends one of the person's own sessions and goes back to the list (ending this one signs
/// out and goes home).
#[server(prefix = "/fn", endpoint = "auth/end_session")]
pub async fn end_session(id: String) -> Result<(), AppError> {
    let session = ssr::require_session()?;
    let accounts = ssr::backend()?.accounts;
    if id == session.digest {
        return ssr::answer(accounts.sign_out(&session).await, "/");
    }
    accounts.end_session(&session, &id).await?;
    leptos_axum::redirect(&format!("/account/sessions?done={}", ssr::action_stamp()));
    Ok(())
}

/// Ends every session of the person but this one.
#[server(prefix = "/fn", endpoint = "auth/end_other_sessions")]
pub async fn end_other_sessions() -> Result<(), AppError> {
    let session = ssr::require_session()?;
    ssr::backend()?.accounts.end_other_sessions(&session).await?;
    leptos_axum::redirect(&format!("/account/sessions?done={}", ssr::action_stamp()));
    Ok(())
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
