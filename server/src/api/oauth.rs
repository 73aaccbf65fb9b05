//! `POST /api/v1/oauth/token`: the OAuth 2.0 client-credentials grant (RFC 6749 §4.4).

use super::error::ApiError;
use crate::http::AppState;
use auth::clients::{self, ClientError};
use auth::tokens::AGENCY_TOKEN_SECONDS;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The token route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(token))
}

/// The form an agency posts. Every field is read as optional so that a missing one is
/// answered with its OAuth error (`unsupported_grant_type`, `invalid_client`), never a bare
/// deserialisation failure; the document says what is required.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    /// Always `client_credentials`.
    #[schema(value_type = GrantType, required = true)]
    grant_type: Option<String>,
    /// The client id, unless sent with HTTP Basic.
    #[schema(value_type = String, required = false, example = "gh_3f9a...")]
    client_id: Option<String>,
    /// The client secret, unless sent with HTTP Basic.
    #[schema(value_type = String, required = false)]
    client_secret: Option<String>,
    /// Space-separated scopes, a subset of the client's (all of them when absent).
    #[schema(value_type = String, required = false, example = "consent:check subjects:read")]
    scope: Option<String>,
}

/// The one grant the token endpoint supports.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    ClientCredentials,
}

/// The one token type issued.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub enum TokenType {
    Bearer,
}

/// A successful answer (RFC 6749 §5.1).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(value_type = TokenType)]
    pub token_type: String,
    /// Seconds the token lives.
    #[schema(minimum = 1, example = 900)]
    pub expires_in: i64,
    /// The token's scopes, space-separated.
    #[schema(example = "consent:check subjects:read")]
    pub scope: String,
}

/// The form as posted, or the refusal in the API's JSON error shape: 415 for a body that is
/// not a form, 413 for one too large, 400 `invalid_request` for one that does not parse.
fn read_form(form: Result<Form<TokenRequest>, FormRejection>) -> Result<TokenRequest, ApiError> {
    match form {
        Ok(Form(form)) => Ok(form),
        Err(FormRejection::InvalidFormContentType(_)) => Err(ApiError::UnsupportedMediaType(
            "Send the token request as a form, with Content-Type: application/x-www-form-urlencoded."
                .to_owned(),
        )),
        Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::TooLarge),
        Err(e) => Err(ApiError::BadRequest {
            code: "invalid_request",
            message: e.body_text(),
        }),
    }
}

/// Client credentials from HTTP Basic (preferred by RFC 6749 §2.3.1) or the form.
fn credentials(headers: &HeaderMap, form: &TokenRequest) -> Option<(String, String)> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(id, secret)| (id.to_owned(), secret.to_owned()))
        });
    basic.or_else(|| Some((form.client_id.clone()?, form.client_secret.clone()?)))
}

/// Issues an agency access token (OAuth 2.0 client credentials, RFC 6749 §4.4).
///
/// Send `grant_type=client_credentials` as a form, with the client id and secret in HTTP
/// Basic (preferred) or as `client_id` and `client_secret`; `scope` may ask for a subset of
/// the client's scopes. Tokens last 15 minutes. Limited per address.
#[utoipa::path(post, path = "/api/v1/oauth/token", tag = "auth",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A bearer token", body = TokenResponse),
        (status = 400, description = "Unsupported grant type or scope, or a form that does not parse", body = super::error::ErrorBody),
        (status = 401, description = "Wrong credentials or a revoked client", body = super::error::ErrorBody),
        (status = 413, description = "The body is too large", body = super::error::ErrorBody),
        (status = 415, description = "The body is not a form (application/x-www-form-urlencoded)", body = super::error::ErrorBody),
        (status = 429, description = "Too many attempts; see Retry-After", body = super::error::ErrorBody),
        (status = 503, description = "Every password hasher is busy; see Retry-After", body = super::error::ErrorBody),
    ))]
pub async fn token(
    State(state): State<AppState>,
    client: Option<axum::Extension<auth::address::ClientAddress>>,
    headers: HeaderMap,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> Result<Response, ApiError> {
    let form = read_form(form)?;
    if form.grant_type.as_deref() != Some("client_credentials") {
        return Err(ApiError::BadRequest {
            code: "unsupported_grant_type",
            message: "Only grant_type=client_credentials is supported.".to_owned(),
        });
    }
    let Some((client_id, secret)) = credentials(&headers, &form) else {
        return Err(invalid_client());
    };
    let accounts = &state.accounts;
    let from = client.map(|c| c.0);
    if let Some(from) = from
        && let Err(retry_after_secs) = state.token_limits.check(&client_id, from)
    {
        tracing::warn!(client = ?client_id, %from, "rate limited a token request");
        let mut response = ApiError::TooManyRequests.into_response();
        if let Ok(value) = axum::http::HeaderValue::from_str(&retry_after_secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return Ok(response);
    }
    let issued = clients::issue_token(
        &state.pool,
        accounts.hashing(),
        accounts.keys(),
        &client_id,
        &secret,
        form.scope.as_deref(),
    )
    .await;
    match issued {
        Ok((access_token, claims)) => {
            tracing::info!(client = %client_id, agency = %claims.agency, "issued an agency token");
            let body = TokenResponse {
                access_token,
                token_type: "Bearer".into(),
                expires_in: AGENCY_TOKEN_SECONDS,
                scope: claims.scope,
            };
            Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
        }
        Err(ClientError::InvalidClient) => {
            tracing::warn!(client = ?client_id, "refused a token request: bad credentials or revoked client");
            Err(invalid_client())
        }
        Err(ClientError::InvalidScope(scope)) => Err(ApiError::BadRequest {
            code: "invalid_scope",
            message: format!("This client may not ask for the scope {scope:?}."),
        }),
        Err(ClientError::Busy) => {
            tracing::warn!("refused a token request: every password hasher is busy");
            Err(ApiError::Busy)
        }
        Err(e) => Err(ApiError::internal(e)),
    }
}

fn invalid_client() -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_client",
        message: "The client id or secret is not right, or the client was revoked.".to_owned(),
    }
}
