//! Residents as agencies reach them: data queries the server filters by consent and the
//! register, and enrolments with the agency's own systems.

use super::caller::AgencyCaller;
use super::consent::{DecisionRequest, answer};
use super::error::{ApiError, ErrorBody};
use super::json::ApiJson;
use crate::http::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::account::{ApiScope, ResidentNumber};
use domain::decision::{Decision, DecisionKind};
use domain::disclosure::disclose;
use domain::register::{Scope, Slug};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use store::{accounts, consent, register};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(query))
        .routes(routes!(enroll, unenroll))
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
    let data = if evaluation.by_enrolment {
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

/// An enrolment of a resident with a system.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct EnrollmentResponse {
    #[schema(example = "GH-7K3M-Q9TX")]
    pub subject: String,
    #[schema(example = "riverpass-fare-card")]
    pub system: String,
    pub enrolled: bool,
}

/// The resident and system an enrolment call names, once checked.
struct EnrollmentTarget {
    user_id: String,
    system_id: String,
    subject: ResidentNumber,
    system: Slug,
}

async fn enrollment_target(
    state: &AppState,
    caller: &AgencyCaller,
    resident_number: &str,
    system: &str,
) -> Result<EnrollmentTarget, ApiError> {
    caller.require(ApiScope::EnrollmentWrite)?;
    let subject = ResidentNumber::parse(resident_number)
        .ok_or_else(|| ApiError::invalid("the path must name a resident number such as GH-7K3M-Q9TX"))?;
    let system = Slug::parse(system).map_err(|_| ApiError::invalid("the path must name a system slug"))?;
    let found = consent::target(&state.pool, system.as_str(), "")
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::NotFound(format!("No system has the slug {system}.")))?;
    if found.agency != caller.agency {
        return Err(ApiError::Forbidden {
            code: "agency_not_entitled",
            message: "Your agency does not run this system.".to_owned(),
        });
    }
    if found.scope != Scope::Enrolment.code() {
        return Err(ApiError::Conflict {
            code: "not_enrollable",
            message: "This system operates in public space; residents are not enrolled with it.".to_owned(),
        });
    }
    let user_id = consent::user_by_number(&state.pool, subject.as_str())
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::NotFound("No resident has this number.".to_owned()))?;
    Ok(EnrollmentTarget {
        user_id,
        system_id: found.system_id,
        subject,
        system,
    })
}

/// Records that a resident is enrolled with one of the agency's systems (idempotent).
///
/// Needs the scope `enrollment:write`, and the system must be the calling agency's and
/// hold enrolled residents' data (not a public-space system).
#[utoipa::path(
    put,
    path = "/api/v1/subjects/{resident_number}/enrollments/{system}",
    tag = "subjects",
    params(
        ("resident_number" = String, Path, description = "The resident number", example = "GH-7K3M-Q9TX"),
        ("system" = String, Path, description = "The system's slug", example = "riverpass-fare-card"),
    ),
    security(("agency_token" = ["enrollment:write"])),
    responses(
        (status = 201, description = "Enrolled now", body = EnrollmentResponse),
        (status = 200, description = "Already enrolled", body = EnrollmentResponse),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the system is another agency's", body = ErrorBody),
        (status = 404, description = "No such resident or system", body = ErrorBody),
        (status = 409, description = "The system operates in public space", body = ErrorBody),
        (status = 422, description = "The path is malformed", body = ErrorBody),
    )
)]
pub async fn enroll(
    caller: AgencyCaller,
    State(state): State<AppState>,
    Path((resident_number, system)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let target = enrollment_target(&state, &caller, &resident_number, &system).await?;
    let done = consent::enroll(
        &state.pool,
        &target.user_id,
        &target.system_id,
        Some(&caller.client_id),
    )
    .await
    .map_err(ApiError::internal)?;
    let status = match done {
        consent::Enrolment::Created => StatusCode::CREATED,
        consent::Enrolment::Existed => StatusCode::OK,
    };
    tracing::info!(client = %caller.client_id, system = %target.system, "recorded an enrolment");
    Ok((
        status,
        Json(EnrollmentResponse {
            subject: target.subject.as_str().to_owned(),
            system: target.system.as_str().to_owned(),
            enrolled: true,
        }),
    )
        .into_response())
}

/// Ends a resident's enrolment with one of the agency's systems.
///
/// Needs the scope `enrollment:write`.
#[utoipa::path(
    delete,
    path = "/api/v1/subjects/{resident_number}/enrollments/{system}",
    tag = "subjects",
    params(
        ("resident_number" = String, Path, description = "The resident number", example = "GH-7K3M-Q9TX"),
        ("system" = String, Path, description = "The system's slug", example = "riverpass-fare-card"),
    ),
    security(("agency_token" = ["enrollment:write"])),
    responses(
        (status = 204, description = "The enrolment ended"),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the system is another agency's", body = ErrorBody),
        (status = 404, description = "No such resident, system or enrolment", body = ErrorBody),
        (status = 409, description = "The system operates in public space", body = ErrorBody),
        (status = 422, description = "The path is malformed", body = ErrorBody),
    )
)]
pub async fn unenroll(
    caller: AgencyCaller,
    State(state): State<AppState>,
    Path((resident_number, system)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let target = enrollment_target(&state, &caller, &resident_number, &system).await?;
    let removed = consent::unenroll(&state.pool, &target.user_id, &target.system_id)
        .await
        .map_err(ApiError::internal)?;
    if removed {
        tracing::info!(client = %caller.client_id, system = %target.system, "ended an enrolment");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(
            "The resident is not enrolled with this system.".to_owned(),
        ))
    }
}
