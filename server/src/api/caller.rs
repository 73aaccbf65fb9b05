//! The extractor every protected `/api/v1` route takes: an agency client with a valid
//! `Authorization: Bearer` token. A handler that forgets it cannot reach the caller.

use super::error::ApiError;
use crate::http::AppState;
use auth::clients;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use domain::account::ApiScope;
use domain::decision::index::TokenClaims;

/// The agency client calling the API.
#[derive(Debug, Clone)]
pub struct AgencyCaller {
    pub client_id: String,
    /// The slug of the agency that owns the client.
    pub agency: String,
    pub scopes: Vec<ApiScope>,
    /// The secret generation its token was issued under.
    pub secret_generation: i64,
}

/// The agency client calling a decision route (`/consent/check`, `/consent/check-batch`),
/// checked against the facts held in memory instead of the database: the decision log's
/// append checks the client again on facts at least as new as the call, so a client revoked
/// (or rotated, or narrowed) before the call is refused there, by any server.
#[derive(Debug, Clone)]
pub struct DecidingCaller(pub AgencyCaller);

impl FromRequestParts<AppState> for DecidingCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path();
        let Some(token) = bearer_token(&parts.headers) else {
            return Err(unauthorized(path, "no bearer token"));
        };
        let Ok(claims) = state.accounts.keys().verify_agency(token) else {
            return Err(unauthorized(path, "invalid or expired token"));
        };
        let held = TokenClaims {
            client_id: &claims.sub,
            agency: &claims.agency,
            secret_generation: claims.secret_generation,
        };
        let claimed: Vec<ApiScope> = claims.scope.split(' ').filter_map(|s| s.parse().ok()).collect();
        // The token's scopes as the client holds them in memory, if the client is live there.
        let current = |facts: &store::live_facts::LiveFacts| {
            let index = facts.read();
            index.client_scopes(held).map(|current| {
                let held: Vec<ApiScope> = claimed.iter().copied().filter(|s| current.contains(s)).collect();
                held
            })
        };
        let facts = state.decision_log.facts();
        let mut scopes = current(facts);
        // Memory may be behind (a client created or widened a moment ago): a refusal is only
        // given on facts as new as the call. An acceptance is checked again at the log's append.
        if scopes.as_ref().is_none_or(|s| s.len() < claimed.len()) {
            facts
                .catch_up_now(&state.pool)
                .await
                .map_err(ApiError::internal)?;
            scopes = current(facts);
        }
        let Some(scopes) = scopes else {
            return Err(unauthorized(path, "unknown, revoked or rotated client"));
        };
        Ok(DecidingCaller(AgencyCaller {
            client_id: claims.sub,
            agency: claims.agency,
            scopes,
            secret_generation: claims.secret_generation,
        }))
    }
}

pub(super) fn unauthorized(path: &str, why: &str) -> ApiError {
    tracing::warn!(%path, why, "refused an API call");
    ApiError::Unauthorized {
        code: "invalid_token",
        message: "A valid bearer token is required: get one from POST /api/v1/oauth/token.".to_owned(),
    }
}

impl FromRequestParts<AppState> for AgencyCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path().to_owned();
        let Some(token) = bearer_token(&parts.headers) else {
            return Err(unauthorized(&path, "no bearer token"));
        };
        let verified = clients::verify_caller(&state.pool, state.accounts.keys(), token)
            .await
            .map_err(ApiError::internal)?;
        let caller = verified.ok_or_else(|| unauthorized(&path, "invalid, expired or revoked token"))?;
        Ok(AgencyCaller {
            client_id: caller.client_id,
            agency: caller.agency,
            scopes: caller.scopes,
            secret_generation: caller.secret_generation,
        })
    }
}

/// The token of an `Authorization: Bearer` header, if there is one.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    let header = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    // The scheme name is case-insensitive (RFC 6750 §2.1, RFC 9110 §11.1).
    header
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
}

impl AgencyCaller {
    /// Refuses the call (403, `insufficient_scope`) unless the token carries `scope`.
    pub fn require(&self, scope: ApiScope) -> Result<(), ApiError> {
        if self.scopes.contains(&scope) {
            Ok(())
        } else {
            tracing::warn!(client = %self.client_id, scope = scope.code(), "refused a call without its scope");
            Err(ApiError::Forbidden {
                code: "insufficient_scope",
                message: format!("This call needs a token with the scope {}.", scope.code()),
            })
        }
    }
}

/// The request id of an API call: the caller's `X-Request-Id` when it is a sane token
/// (1 to 64 letters, digits, `.`, `_`, `-`), otherwise a new one.
pub fn request_id(headers: &axum::http::HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        })
        .map_or_else(store::new_event_id, str::to_owned)
}
