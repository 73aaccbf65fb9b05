//! `POST /api/v1/consent/check`: may this agency process this resident's data for this purpose?

use super::caller::{AgencyCaller, request_id};
use super::error::{ApiError, ErrorBody};
use super::json::ApiJson;
use super::quota::Metered;
use crate::decisions::{self, Asker, Evaluation, Question};
use crate::http::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use domain::account::{ApiScope, ResidentNumber};
use domain::decision::DecisionKind;
use domain::register::Slug;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(check))
}

/// What an agency asks about: one resident, one system of its own, one purpose.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// The resident number, e.g. `GH-7K3M-Q9TX` (any case, hyphens and the `GH` optional).
    #[schema(
        example = "GH-7K3M-Q9TX",
        pattern = "^([Gg][Hh]-?)?[2-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{4}-?[2-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{4}$"
    )]
    pub subject: String,
    /// The system's slug in the register.
    #[schema(
        example = "riverpass-fare-card",
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
        min_length = 1,
        max_length = 64
    )]
    pub system: String,
    /// The purpose's key within the system.
    #[schema(
        example = "journey-offers",
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
        min_length = 1,
        max_length = 64
    )]
    pub purpose: String,
}

impl DecisionRequest {
    /// Validates the shape of the question (422 with what to fix otherwise).
    pub fn question(&self) -> Result<Question, ApiError> {
        let subject = ResidentNumber::parse(&self.subject)
            .ok_or_else(|| ApiError::invalid("subject must be a resident number such as GH-7K3M-Q9TX"))?;
        let system = Slug::parse(&self.system)
            .map_err(|_| ApiError::invalid("system must be a system slug from the register"))?;
        let purpose = Slug::parse(&self.purpose)
            .map_err(|_| ApiError::invalid("purpose must be a purpose key from the register"))?;
        Ok(Question {
            subject,
            system,
            purpose,
        })
    }
}

/// The answer to a consent check.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct CheckResponse {
    /// `permit` or `deny`.
    #[schema(example = "permit", value_type = super::codes::DecisionCode)]
    pub decision: String,
    /// Why: consent_given, consent_withdrawn, consent_not_given, legal_basis,
    /// objection_upheld, unknown_subject, unknown_system, unknown_purpose, agency_not_entitled, ...
    #[schema(example = "consent_given", value_type = super::codes::ReasonCode)]
    pub reason: String,
    /// The purpose's legal basis (GDPR Art. 6(1)), when the purpose exists.
    #[schema(example = "consent", value_type = Option<super::codes::LegalBasisCode>)]
    pub legal_basis: Option<String>,
    /// The id of the decision in the decision log, which the resident can read.
    pub decision_id: String,
    /// When the decision was made (RFC 3339, UTC).
    pub evaluated_at: String,
}

/// Checks whether the calling agency may process a resident's data for a purpose.
///
/// Needs the scope `consent:check`. Every check is recorded in the decision log, which
/// the resident can read, before the answer is sent. A storage failure is a 5xx, never a permit.
#[utoipa::path(
    post,
    path = "/api/v1/consent/check",
    tag = "consent",
    request_body = DecisionRequest,
    security(("agency_token" = ["consent:check"])),
    responses(
        (status = 200, description = "The decision (permit or deny) and its reason", body = CheckResponse),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 403, description = "The token lacks the scope consent:check", body = ErrorBody),
        (status = 422, description = "A field is missing or malformed", body = ErrorBody),
        (status = 429, description = "The client used up its quota of checks (per second or per day); see Retry-After", body = ErrorBody),
        (status = 500, description = "No decision could be made or recorded", body = ErrorBody),
    )
)]
pub async fn check(
    caller: AgencyCaller,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<ApiJson<DecisionRequest>, ApiError>,
) -> Result<Json<CheckResponse>, ApiError> {
    let (_, evaluation) = answer(&caller, &state, &headers, body, DecisionKind::Check).await?;
    Ok(Json(CheckResponse {
        decision: evaluation.decision.code().to_owned(),
        reason: evaluation.reason.code().to_owned(),
        legal_basis: evaluation.legal_basis.map(|b| b.code().to_owned()),
        decision_id: evaluation.decision_id,
        evaluated_at: store::rfc3339_us(evaluation.at_us),
    }))
}

/// What checks and data queries share: the route's scope (before the body, so a token
/// without it learns nothing), the question's shape, and the recorded decision.
pub async fn answer(
    caller: &AgencyCaller,
    state: &AppState,
    headers: &HeaderMap,
    body: Result<ApiJson<DecisionRequest>, ApiError>,
    kind: DecisionKind,
) -> Result<(Question, Evaluation), ApiError> {
    caller.require(match kind {
        DecisionKind::Check => ApiScope::ConsentCheck,
        DecisionKind::Query => ApiScope::SubjectsRead,
    })?;
    state.client_quotas.spend(
        &caller.client_id,
        match kind {
            DecisionKind::Check => Metered::Check,
            DecisionKind::Query => Metered::Query,
        },
    )?;
    let ApiJson(body) = body?;
    let question = body.question()?;
    let request_id = request_id(headers);
    let asker = Asker {
        agency: &caller.agency,
        client_id: &caller.client_id,
        request_id: &request_id,
    };
    let evaluation = decisions::evaluate(&state.pool, &state.decision_log, &asker, kind, &question)
        .await
        .map_err(ApiError::internal)?;
    Ok((question, evaluation))
}
