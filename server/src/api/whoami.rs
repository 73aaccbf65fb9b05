//! `GET /api/v1/whoami`: the calling client, so an agency can check its set-up.

use super::caller::AgencyCaller;
use crate::http::AppState;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(whoami))
}

/// Who is calling.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WhoAmI {
    pub client_id: String,
    pub agency: String,
    #[schema(value_type = Vec<super::codes::ScopeCode>)]
    pub scopes: Vec<String>,
}

/// The calling client, its agency and its scopes: a way to check a set-up.
#[utoipa::path(get, path = "/api/v1/whoami", tag = "auth",
    security(("agency_token" = [])),
    responses(
        (status = 200, description = "The calling client", body = WhoAmI),
        (status = 401, description = "No valid bearer token", body = super::error::ErrorBody),
    ))]
pub async fn whoami(caller: AgencyCaller) -> Json<WhoAmI> {
    Json(WhoAmI {
        client_id: caller.client_id,
        agency: caller.agency,
        scopes: caller.scopes.iter().map(|s| s.code().to_owned()).collect(),
    })
}
