//! `ApiJson<T>`: axum's JSON extractor, with refusals in the API's JSON error shape.

use super::error::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};

/// A JSON request body of type `T`; a body that is not JSON, or not a `T`, is refused
/// with `{"error", "message"}` (400 for unreadable JSON, 415 as 400, 422 for wrong fields).
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::invalid(e.body_text())),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::BadRequest {
                code: "unsupported_media_type",
                message: "Send the body as JSON with Content-Type: application/json.".to_owned(),
            }),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::TooLarge),
            Err(e) => Err(ApiError::BadRequest {
                code: "malformed_json",
                message: e.body_text(),
            }),
        }
    }
}
