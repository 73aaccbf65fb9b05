//! Enrollments as agencies make them: an agency cannot enrol anyone by saying so. It issues
//! a one-time code for one of its systems, hands it to the resident (printed on a card or a
//! letter), and the enrollment exists once the resident enters it at `/my`. The agency can
//! see whether its code was used, and end an enrollment.

use super::caller::AgencyCaller;
use super::error::{ApiError, ErrorBody};
use super::extract::ApiPath;
use super::json::ApiJson;
use crate::http::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::account::{ApiScope, ResidentNumber};
use domain::consent::{EnrollmentChannel, EnrollmentCode};
use domain::register::{Scope, Slug, SystemStatus};
use serde::{Deserialize, Serialize};
use store::consent::{self, TargetFacts};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(issue_code))
        .routes(routes!(code_status))
        .routes(routes!(end))
}

/// Which system a new code enrols with.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// The slug of one of the agency's enrollment systems.
    #[schema(
        example = "riverpass-fare-card",
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
        min_length = 1,
        max_length = 64
    )]
    pub system: String,
}

/// An issued code and where it stands.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct CodeResponse {
    /// The one-time code to give the resident (shown only when issued), e.g. `7K3M-Q9TX-2B4D`.
    #[schema(example = "7K3M-Q9TX-2B4D")]
    pub code: String,
    #[schema(example = "riverpass-fare-card")]
    pub system: String,
    /// `pending` (not entered yet), `confirmed` (a resident entered it) or `expired`.
    #[schema(example = "pending", value_type = super::codes::CodeStateCode)]
    pub state: String,
    /// Once confirmed: the resident number of who entered it.
    #[schema(example = "GH-7K3M-Q9TX")]
    pub subject: Option<String>,
    /// Until when the code can be entered (RFC 3339, UTC).
    pub expires_at: String,
}

/// The system with slug `system` if the calling agency runs it: 422 for a malformed slug,
/// 404 for none, 403 for another agency's.
async fn own_system(state: &AppState, caller: &AgencyCaller, system: &str) -> Result<TargetFacts, ApiError> {
    let slug = Slug::parse(system)
        .map_err(|_| ApiError::invalid("system must be a system slug from the register"))?;
    let found = consent::target(&state.pool, slug.as_str(), "")
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::NotFound(format!("No system has the slug {slug}.")))?;
    if found.agency != caller.agency {
        return Err(ApiError::Forbidden {
            code: "agency_not_entitled",
            message: "Your agency does not run this system.".to_owned(),
        });
    }
    Ok(found)
}

/// The agency's own system with slug `system`, if residents can be enrolled with it now.
async fn own_enrollment_system(
    state: &AppState,
    caller: &AgencyCaller,
    system: &str,
) -> Result<String, ApiError> {
    let found = own_system(state, caller, system).await?;
    if found.scope != Scope::Enrollment.code() {
        return Err(ApiError::Conflict {
            code: "not_enrollable",
            message: "This system operates in public space; residents are not enrolled with it.".to_owned(),
        });
    }
    if found.status != SystemStatus::Active.code() {
        return Err(ApiError::Conflict {
            code: "system_not_active",
            message: "This system is planned or retired; nobody can be enrolled with it.".to_owned(),
        });
    }
    Ok(found.system_id)
}

/// Issues a one-time enrollment code for one of the agency's systems.
///
/// Needs the scope `enrollment:write`. Give the code to the resident; the enrollment exists
/// once they enter it in Glasshouse (valid 30 days, once). Until then the resident is not
/// enrolled: checks and data queries deny with `not_enrolled`.
#[utoipa::path(
    post,
    path = "/api/v1/enrollments/codes",
    tag = "subjects",
    request_body = CodeRequest,
    security(("agency_token" = ["enrollment:write"])),
    responses(
        (status = 201, description = "The code, to give the resident", body = CodeResponse),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the system is another agency's", body = ErrorBody),
        (status = 404, description = "No such system", body = ErrorBody),
        (status = 409, description = "The system operates in public space, or is not active", body = ErrorBody),
        (status = 422, description = "A field is missing or malformed", body = ErrorBody),
        (status = 429, description = "The client used up its quota of enrollment codes (per second or per day); see Retry-After", body = ErrorBody),
    )
)]
pub async fn issue_code(
    caller: AgencyCaller,
    State(state): State<AppState>,
    body: Result<ApiJson<CodeRequest>, ApiError>,
) -> Result<(StatusCode, Json<CodeResponse>), ApiError> {
    caller.require(ApiScope::EnrollmentWrite)?;
    state
        .client_quotas
        .spend(&caller.client_id, super::quota::Metered::Enrollment)?;
    let ApiJson(body) = body?;
    let system_id = own_enrollment_system(&state, &caller, &body.system).await?;
    let code = EnrollmentCode::from_random(rand::random());
    let expires_at_us = consent::issue_code(&state.pool, &code, &system_id, &caller.client_id)
        .await
        .map_err(ApiError::internal)?;
    tracing::info!(client = %caller.client_id, system = %body.system, "issued an enrollment code");
    Ok((
        StatusCode::CREATED,
        Json(CodeResponse {
            code: code.display(),
            system: body.system,
            state: "pending".to_owned(),
            subject: None,
            expires_at: store::rfc3339_us(expires_at_us),
        }),
    ))
}

/// Where one of the agency's codes stands: pending, confirmed (with who entered it) or expired.
///
/// Needs the scope `enrollment:write`. Another agency's code is not found.
#[utoipa::path(
    get,
    path = "/api/v1/enrollments/codes/{code}",
    tag = "subjects",
    params(("code" = String, Path, description = "The code as issued (any case, hyphens optional; O reads as 0, I and L as 1)", example = "7K3M-Q9TX-2B4D", pattern = "^[0-9A-TV-Za-tv-z]{4}-?[0-9A-TV-Za-tv-z]{4}-?[0-9A-TV-Za-tv-z]{4}$")),
    security(("agency_token" = ["enrollment:write"])),
    responses(
        (status = 200, description = "Where the code stands", body = CodeResponse),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 403, description = "The token lacks the scope", body = ErrorBody),
        (status = 404, description = "The agency issued no such code", body = ErrorBody),
        (status = 422, description = "The path is not a code", body = ErrorBody),
    )
)]
pub async fn code_status(
    caller: AgencyCaller,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<CodeResponse>, ApiError> {
    caller.require(ApiScope::EnrollmentWrite)?;
    let code = EnrollmentCode::parse(&code)
        .ok_or_else(|| ApiError::invalid("the path must name an enrollment code such as 7K3M-Q9TX-2B4D"))?;
    let status = consent::code_status(&state.pool, &code, &caller.agency)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::NotFound("Your agency issued no such code.".to_owned()))?;
    Ok(Json(CodeResponse {
        code: code.display(),
        system: status.system,
        state: status.state.code().to_owned(),
        subject: status.subject,
        expires_at: store::rfc3339_us(status.expires_at_us),
    }))
}

/// Ends a resident's enrollment with one of the agency's systems.
///
/// Needs the scope `enrollment:write`. The ending is recorded in the resident's
/// enrollment history.
#[utoipa::path(
    delete,
    path = "/api/v1/subjects/{resident_number}/enrollments/{system}",
    tag = "subjects",
    params(
        ("resident_number" = String, Path, description = "The resident number (any case, hyphens and the `GH` optional)", example = "GH-7K3M-Q9TX", pattern = "^([Gg][Hh]-?)?[2-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{4}-?[2-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{4}$"),
        ("system" = String, Path, description = "The system's slug", example = "riverpass-fare-card", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", min_length = 1, max_length = 64),
    ),
    security(("agency_token" = ["enrollment:write"])),
    responses(
        (status = 204, description = "The enrollment ended"),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the system is another agency's", body = ErrorBody),
        (status = 404, description = "No such system, or the resident is not enrolled with it (an unknown resident number answers the same)", body = ErrorBody),
        (status = 422, description = "The path is malformed", body = ErrorBody),
    )
)]
pub async fn end(
    caller: AgencyCaller,
    State(state): State<AppState>,
    ApiPath((resident_number, system)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require(ApiScope::EnrollmentWrite)?;
    let subject = ResidentNumber::parse(&resident_number)
        .ok_or_else(|| ApiError::invalid("the path must name a resident number such as GH-7K3M-Q9TX"))?;
    let found = own_system(&state, &caller, &system).await?;
    let not_enrolled = || ApiError::NotFound("The resident is not enrolled with this system.".to_owned());
    let user_id = consent::user_by_number(&state.pool, subject.as_str())
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(not_enrolled)?;
    let ended = consent::end(
        &state.pool,
        &user_id,
        &found.system_id,
        EnrollmentChannel::Api,
        Some(&caller.client_id),
    )
    .await
    .map_err(ApiError::internal)?;
    if !ended {
        return Err(not_enrolled());
    }
    tracing::info!(client = %caller.client_id, %system, "ended an enrollment");
    Ok(StatusCode::NO_CONTENT)
}
