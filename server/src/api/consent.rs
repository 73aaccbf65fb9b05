//! `POST /api/v1/consent/check`: may this agency process this resident's data for this purpose?

use super::caller::{AgencyCaller, DecidingCaller, request_id};
use super::error::{ApiError, ErrorBody};
use super::json::ApiJson;
use super::quota::Metered;
use crate::decisions::{self, Asker, DecisionError, Evaluation, Question};
use crate::http::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use domain::account::{ApiScope, ResidentNumber};
use domain::decision::DecisionKind;
use domain::decision::index::ClientRefusal;
use domain::register::Slug;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(check))
        .routes(routes!(check_batch))
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
    DecidingCaller(caller): DecidingCaller,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<ApiJson<DecisionRequest>, ApiError>,
) -> Result<Json<CheckResponse>, ApiError> {
    let (_, evaluation) = answer(&caller, &state, &headers, body, DecisionKind::Check).await?;
    Ok(Json(CheckResponse::from(evaluation)))
}

impl From<Evaluation> for CheckResponse {
    fn from(evaluation: Evaluation) -> Self {
        CheckResponse {
            decision: evaluation.decision.code().to_owned(),
            reason: evaluation.reason.code().to_owned(),
            legal_basis: evaluation.legal_basis.map(|b| b.code().to_owned()),
            decision_id: evaluation.decision_id,
            evaluated_at: store::rfc3339_us(evaluation.at_us),
        }
    }
}

/// Questions in one batch at most.
pub const MAX_BATCH_CHECKS: usize = 100;

/// One question of a batch, with the agency's own id for it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchItem {
    /// The agency's id for this question, returned with its answer (1 to 64 letters, digits,
    /// `.`, `_`, `-`). Answers come in the order of the questions, so the ids need not be
    /// unique; the agency's own bookkeeping is best served if they are.
    #[schema(
        example = "row-17",
        pattern = "^[A-Za-z0-9._-]{1,64}$",
        min_length = 1,
        max_length = 64
    )]
    pub correlation_id: String,
    #[schema(
        example = "GH-7K3M-Q9TX",
        pattern = "^([Gg][Hh]-?)?[2-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{4}-?[2-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{4}$"
    )]
    pub subject: String,
    #[schema(
        example = "riverpass-fare-card",
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
        min_length = 1,
        max_length = 64
    )]
    pub system: String,
    #[schema(
        example = "journey-offers",
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
        min_length = 1,
        max_length = 64
    )]
    pub purpose: String,
}

/// Up to 100 questions asked at once.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    #[schema(min_items = 1, max_items = 100)]
    pub checks: Vec<BatchItem>,
}

/// The answer to one question of a batch.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct BatchResult {
    /// The question's `correlation_id`.
    pub correlation_id: String,
    #[serde(flatten)]
    pub answer: CheckResponse,
}

/// The answers of a batch, in the order of its questions.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct BatchResponse {
    pub results: Vec<BatchResult>,
}

impl BatchRequest {
    /// Validates every question (422 naming the first one wrong).
    fn questions(&self) -> Result<Vec<Question>, ApiError> {
        if self.checks.is_empty() || self.checks.len() > MAX_BATCH_CHECKS {
            return Err(ApiError::invalid(format!(
                "checks must hold 1 to {MAX_BATCH_CHECKS} questions (it holds {})",
                self.checks.len()
            )));
        }
        self.checks
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let id = &item.correlation_id;
                let sane = !id.is_empty()
                    && id.len() <= 64
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
                if !sane {
                    return Err(ApiError::invalid(format!(
                        "checks[{i}].correlation_id must be 1 to 64 letters, digits, '.', '_' or '-'"
                    )));
                }
                DecisionRequest {
                    subject: item.subject.clone(),
                    system: item.system.clone(),
                    purpose: item.purpose.clone(),
                }
                .question()
                .map_err(|e| ApiError::invalid(format!("checks[{i}]: {e}")))
            })
            .collect()
    }
}

/// Asks up to 100 consent checks at once; answers them in order.
///
/// Needs the scope `consent:check`. Each question is decided exactly as `POST
/// /api/v1/consent/check` would decide it, and all of them are recorded in the decision log
/// together, in order, before the answer is sent; each counts against the client's quota
/// of checks. One malformed question refuses the whole batch (422), naming it.
#[utoipa::path(
    post,
    path = "/api/v1/consent/check-batch",
    tag = "consent",
    request_body = BatchRequest,
    security(("agency_token" = ["consent:check"])),
    responses(
        (status = 200, description = "The decisions, in the order of the questions", body = BatchResponse),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 403, description = "The token lacks the scope consent:check", body = ErrorBody),
        (status = 422, description = "A question is missing or malformed, or the batch is empty or over 100", body = ErrorBody),
        (status = 429, description = "The client used up its quota of checks (per second or per day); see Retry-After", body = ErrorBody),
        (status = 500, description = "No decision could be made or recorded", body = ErrorBody),
    )
)]
pub async fn check_batch(
    DecidingCaller(caller): DecidingCaller,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<ApiJson<BatchRequest>, ApiError>,
) -> Result<Json<BatchResponse>, ApiError> {
    caller.require(ApiScope::ConsentCheck)?;
    let ApiJson(body) = body?;
    let questions = body.questions()?;
    state
        .client_quotas
        .spend_many(&caller.client_id, Metered::Check, questions.len())?;
    let request_id = request_id(&headers);
    let evaluations = decisions::evaluate_all(
        &state.decision_log,
        &asker(&caller, &request_id),
        DecisionKind::Check,
        &questions,
    )
    .await
    .map_err(refused_or_internal)?;
    let results = body
        .checks
        .into_iter()
        .zip(evaluations)
        .map(|(item, evaluation)| BatchResult {
            correlation_id: item.correlation_id,
            answer: CheckResponse::from(evaluation),
        })
        .collect();
    Ok(Json(BatchResponse { results }))
}

fn asker<'a>(caller: &'a AgencyCaller, request_id: &'a str) -> Asker<'a> {
    Asker {
        agency: &caller.agency,
        client_id: &caller.client_id,
        secret_generation: caller.secret_generation,
        request_id,
    }
}

/// A client found refused at the log's append is refused as at the door; anything else is
/// a 500 (never a permit).
fn refused_or_internal(e: DecisionError) -> ApiError {
    match e {
        DecisionError::Refused(ClientRefusal::InvalidToken) => {
            super::caller::unauthorized("/api/v1/consent", "client refused at the log's append")
        }
        DecisionError::Refused(ClientRefusal::MissingScope) => ApiError::Forbidden {
            code: "insufficient_scope",
            message: "This client no longer holds the scope this call needs.".to_owned(),
        },
        other => ApiError::internal(other),
    }
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
    caller.require(decisions::scope_of(kind))?;
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
    let evaluation = decisions::evaluate(&state.decision_log, &asker(caller, &request_id), kind, &question)
        .await
        .map_err(refused_or_internal)?;
    Ok((question, evaluation))
}
