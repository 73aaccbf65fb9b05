//! API errors: a stable snake_case code for machines and a sentence for people.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answered by the JSON API as `{"error": "code", "message": "..."}`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed; the message says what to fix.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// 401: no valid credentials; the answer carries `WWW-Authenticate`.
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    /// 403: authenticated, but not allowed.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// 415: the body is not of a content type the route reads; the message names the one it does.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 413: the body is larger than the server accepts.
    #[error("The request body is too large.")]
    TooLarge,
    /// 429: too many attempts; the caller adds `Retry-After`.
    #[error("Too many attempts. Please wait and try again.")]
    TooManyRequests,
    /// 429: the client used up a quota (`window_secs`: 1 or 86 400); the answer carries
    /// `Retry-After` and the `RateLimit` headers.
    #[error(
        "This client made its {limit} calls of this kind allowed per {window_secs} seconds. Please wait {retry_after_secs} seconds."
    )]
    QuotaExceeded {
        limit: u32,
        window_secs: u64,
        retry_after_secs: u64,
    },
    /// 429: the client already holds its most open change streams.
    #[error("This client already holds {limit} open consent change streams: close one first.")]
    TooManyStreams { limit: usize },
    /// 404: no such resource.
    #[error("{0}")]
    NotFound(String),
    /// 409: the request conflicts with what the resource is.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// 422: well-formed JSON whose values are not acceptable; the message says which.
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    /// 403 for a data query the resident's consent or the register does not allow.
    #[error("The request was denied: {reason}.")]
    Denied {
        reason: &'static str,
        decision_id: String,
    },
    /// 503: every password hasher is busy; the answer carries `Retry-After: 1`.
    #[error("The server is busy. Please try again in a moment.")]
    Busy,
    /// 500: logged in full, answered with a generic message.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The body of every API error.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody<'a> {
    /// A stable snake_case code.
    #[schema(example = "invalid_input")]
    pub error: &'a str,
    /// What went wrong, for a person.
    pub message: String,
    /// For denied data queries: the reason code of the decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
    /// For denied data queries: the recorded decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_id: Option<&'a str>,
}

impl ApiError {
    /// 422 for a value that is not acceptable.
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::Unprocessable {
            code: "invalid_input",
            message: message.into(),
        }
    }

    /// Wraps an unexpected failure; its detail goes to the log only.
    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        ApiError::Internal(Box::new(e))
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, code),
            ApiError::Unauthorized { code, .. } => (StatusCode::UNAUTHORIZED, code),
            ApiError::Forbidden { code, .. } => (StatusCode::FORBIDDEN, code),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Conflict { code, .. } => (StatusCode::CONFLICT, code),
            ApiError::Unprocessable { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code),
            ApiError::Denied { .. } => (StatusCode::FORBIDDEN, "denied"),
            ApiError::TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            ApiError::QuotaExceeded { .. } => (StatusCode::TOO_MANY_REQUESTS, "quota_exceeded"),
            ApiError::TooManyStreams { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_streams"),
            ApiError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            ApiError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            ApiError::Internal(source) => {
                tracing::error!(error = %source, "API request failed");
                "Something went wrong on our side. Please try again later.".to_owned()
            }
            other => other.to_string(),
        };
        let (reason, decision_id) = match &self {
            ApiError::Denied { reason, decision_id } => (Some(*reason), Some(decision_id.as_str())),
            _ => (None, None),
        };
        let body = ErrorBody {
            error: code,
            message,
            reason,
            decision_id,
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        if let ApiError::QuotaExceeded {
            limit,
            window_secs,
            retry_after_secs,
        } = &self
        {
            let headers = response.headers_mut();
            for (name, value) in [
                ("retry-after", retry_after_secs.to_string()),
                ("ratelimit-limit", limit.to_string()),
                ("ratelimit-remaining", "0".to_owned()),
                ("ratelimit-reset", retry_after_secs.to_string()),
                ("ratelimit-policy", format!("{limit};w={window_secs}")),
            ] {
                if let Ok(value) = axum::http::HeaderValue::from_str(&value) {
                    headers.insert(name, value);
                }
            }
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"glasshouse\""),
            );
        }
        response
    }
}

/// Middleware outside the body limit and the panic guard: their answers are plain text,
/// written before or instead of any API code, so for `/api/` paths a body too large (413)
/// becomes `ApiError::TooLarge` and a handler's panic (500) `ApiError::Internal`, each in the
/// JSON shape the document promises.
pub async fn plain_refusals_as_json(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes() != b"application/json");
    if !(api && plain) {
        return response;
    }
    match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge.into_response(),
        StatusCode::INTERNAL_SERVER_ERROR => {
            ApiError::Internal("the request handler panicked".into()).into_response()
        }
        _ => response,
    }
}
