//! Residents as agencies reach them: data queries the server filters by consent and the
//! register (enrollments are in `enrollments`).

use super::caller::AgencyCaller;
use super::consent::{DecisionRequest, answer};
use super::error::{ApiError, ErrorBody};
use super::json::ApiJson;
use crate::http::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use domain::decision::{Decision, DecisionKind};
use domain::disclosure::disclose;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use store::{accounts, register};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(query))
}

/// A resident's data, as much of it as the purpose may receive.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct QueryResponse {
    /// The id of the decision in the decision log, which the resident can read.
    pub decision_id: String,
    /// The resident number asked about.
    pub subject: String,
    /// Only the fields whose data category the purpose declares in the register, and only
    /// for systems residents are enrolled with (a public-space system receives none):
    /// identity (`name`, `date_of_birth`), contact (`email`, `phone`, `preferred_language`),
    /// location (`postal_address`). Fields the resident left empty are absent.
    #[schema(value_type = Object, example = json!({"email": "ana@example.org", "phone": "+1 555 0100"}))]
    pub data: BTreeMap<String, String>,
}

/// Reads a resident's data for a purpose.
///
/// Needs the scope `subjects:read`. Makes exactly the decision of `/api/v1/consent/check`;
/// on permit, answers only the fields the purpose's data categories cover; on deny, 403 with
/// the reason and the decision id. Every query is recorded in the decision log.
#[utoipa::path(
    post,
    path = "/api/v1/subjects/query",
    tag = "subjects",
    request_body = DecisionRequest,
    security(("agency_token" = ["subjects:read"])),
    responses(
        (status = 200, description = "Permitted: the data the purpose may receive", body = QueryResponse),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 403, description = "Denied (with `reason` and `decision_id`), or the token lacks the scope", body = ErrorBody),
        (status = 422, description = "A field is missing or malformed", body = ErrorBody),
        (status = 429, description = "The client used up its quota of data queries (per second or per day); see Retry-After", body = ErrorBody),
        (status = 500, description = "No decision could be made or recorded", body = ErrorBody),
    )
)]
pub async fn query(
    caller: AgencyCaller,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<ApiJson<DecisionRequest>, ApiError>,
) -> Result<Json<QueryResponse>, ApiError> {
    let (question, evaluation) = answer(&caller, &state, &headers, body, DecisionKind::Query).await?;
    let permitted = match (&evaluation.decision, &evaluation.user_id, &evaluation.purpose_id) {
        (Decision::Permit, Some(user_id), Some(purpose_id)) => Some((user_id, purpose_id)),
        _ => None,
    };
    let Some((user_id, purpose_id)) = permitted else {
        return Err(ApiError::Denied {
            reason: evaluation.reason.code(),
            decision_id: evaluation.decision_id,
        });
    };
    let categories = register::purpose_categories(&state.pool, purpose_id)
        .await
        .map_err(ApiError::internal)?;
    let profile = accounts::find_profile(&state.pool, user_id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::NotFound("The resident's account no longer exists.".to_owned()))?;
    // A system in public space knows nobody by name: it receives no profile fields.
    let data = if evaluation.by_enrollment {
        disclose(&profile, &categories)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    } else {
        BTreeMap::new()
    };
    Ok(Json(QueryResponse {
        decision_id: evaluation.decision_id,
        subject: question.subject.as_str().to_owned(),
        data,
    }))
}
