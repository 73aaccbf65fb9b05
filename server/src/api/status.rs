//! `GET /api/v1/status`: a trivial answer that the service is up (no storage involved),
//! for monitoring and as the baseline of the consent-check benchmark.

use crate::http::AppState;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(status))
}

/// The service's state.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Status {
    #[schema(example = "ok")]
    pub status: String,
    /// The server's version.
    pub version: String,
}

/// Tells that the service answers (it does not touch the database; `/healthz` does).
#[utoipa::path(get, path = "/api/v1/status", tag = "service",
    responses((status = 200, description = "The service answers", body = Status)))]
pub async fn status() -> Json<Status> {
    Json(Status {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}
