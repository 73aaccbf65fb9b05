//! Server functions of `/account/profile`: the signed-in resident's own profile only.

use crate::error::AppError;
use domain::account::Profile;
use leptos::prelude::*;

/// The signed-in resident's profile.
#[server(prefix = "/fn", endpoint = "profile/get")]
pub async fn my_profile() -> Result<Profile, AppError> {
    let session = crate::backend::require_session()?;
    store::accounts::find_profile(&crate::backend::backend()?.pool, &session.user.id)
        .await?
        .ok_or(AppError::Auth(domain::account::AuthError::NotSignedIn))
}

/// Replaces the editable fields; empty fields are cleared.
#[server(prefix = "/fn", endpoint = "profile/update")]
pub async fn update_profile(
    postal_address: String,
    phone: String,
    date_of_birth: String,
) -> Result<(), AppError> {
    use domain::account::{AuthError, ProfileFields};
    let session = crate::backend::require_session()?;
    let today = crate::backend::today();
    let fields = ProfileFields::parse(&postal_address, &phone, &date_of_birth, &today)
        .map_err(|e| AppError::Auth(AuthError::Input(e)))?;
    store::accounts::update_profile(&crate::backend::backend()?.pool, &session.user.id, &fields).await?;
    tracing::info!(user = %session.user.id, "updated a profile");
    leptos_axum::redirect("/account/profile?saved=1");
    Ok(())
}
