//! The server function behind the agency API's reference page.

pub mod page;

use crate::error::AppError;
use leptos::prelude::*;

/// The agency API, as its OpenAPI document describes it.
#[server(prefix = "/fn", endpoint = "developers/api")]
pub async fn api_reference() -> Result<domain::api_reference::ApiReference, AppError> {
    Ok((*crate::backend::backend()?.api_reference).clone())
}
