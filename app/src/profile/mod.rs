//! Server functions of `/account/profile`: the signed-in resident's own profile only.

use crate::domain::account::Profile;
use crate::error::AppError;
use leptos::prelude::*;

/// The signed-in resident's profile.
#[server(prefix = "/fn", endpoint = "profile/get")]
pub async fn my_profile() -> Result<Profile, AppError> {
    let session = crate::request::require_session()?;
    crate::request::services()?
        .profiles
        .profile(&session.user.id)
        .await?
        .ok_or(AppError::Auth(crate::domain::account::AuthError::NotSignedIn))
}

/// Replaces the editable fields; empty fields are cleared.
#[server(prefix = "/fn", endpoint = "profile/update")]
pub async fn update_profile(
    postal_address: String,
    phone: String,
    date_of_birth: String,
) -> Result<(), AppError> {
    use crate::domain::account::{AuthError, ProfileFields};
    let session = crate::request::require_session()?;
    let today = crate::request::today();
    let fields = ProfileFields::parse(&postal_address, &phone, &date_of_birth, &today)
        .map_err(|e| AppError::Auth(AuthError::Input(e)))?;
    crate::request::services()?
        .profiles
        .update_profile(&session.user.id, &fields)
        .await?;
    tracing::info!(user = %session.user.id, "updated a profile");
    leptos_axum::redirect("/account/profile?saved=1");
    Ok(())
}
