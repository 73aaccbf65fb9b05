//! `ApiQuery<T>` and `ApiPath<T>`: axum's query and path extractors, with refusals in the
//! API's JSON error shape (axum's own answer plain text, which no agency's client parses).

use super::error::ApiError;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// A query string read as `T`; one that is not a `T` (a missing or malformed parameter, or
/// an unknown one where `T` denies them) is 400 `invalid_query`.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(e) => Err(ApiError::BadRequest {
                code: "invalid_query",
                message: e.body_text(),
            }),
        }
    }
}

/// Path parameters read as `T`; a path that is not (a segment that is not UTF-8 once
/// percent-decoded) is 400 `invalid_path`.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(e) => Err(ApiError::BadRequest {
                code: "invalid_path",
                message: e.body_text(),
            }),
        }
    }
}
