//! Agency API clients: creation (the secret is shown once and stored only as a hash),
//! the client-credentials grant, and checking a caller's access token.

use crate::password::PasswordHashing;
use crate::tokens::{AGENCY_AUDIENCE, AGENCY_TOKEN_SECONDS, AGENCY_TYP, AgencyClaims, ISSUER, TokenKeys};
use base64::Engine;
use domain::account::ApiScope;
use sqlx::AnyPool;
use store::accounts::{self, ClientRow, InsertClientError};
use store::{new_id, now};

/// Why a client could not be created or authenticated.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(
        "unknown scope {0:?}; scopes are consent:check, subjects:read, enrollment:write, requests:work, consent:changes, incidents:write"
    )]
    UnknownScope(String),
    #[error("a client needs at least one scope")]
    NoScope,
    #[error(transparent)]
    Insert(#[from] InsertClientError),
    #[error("the client id or secret is not right, or the client was revoked")]
    InvalidClient,
    #[error("the client may not ask for scope {0:?}")]
    InvalidScope(String),
    /// Every password hasher is busy and the queue is full: try again in a moment.
    #[error("every hasher is busy")]
    Busy,
    #[error("storage or hashing failed: {0}")]
    Internal(String),
}

/// A new client's credentials; the secret exists only here, once.
#[derive(Debug)]
pub struct NewClient {
    pub client_id: String,
    pub client_secret: String,
}

/// Parses a comma- or space-separated scope list, without duplicates.
pub fn parse_scopes(list: &str) -> Result<Vec<ApiScope>, ClientError> {
    let mut scopes = Vec::new();
    for code in list.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()) {
        let scope: ApiScope = code
            .parse()
            .map_err(|_| ClientError::UnknownScope(code.to_owned()))?;
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    if scopes.is_empty() {
        Err(ClientError::NoScope)
    } else {
        Ok(scopes)
    }
}

fn join(scopes: &[ApiScope]) -> String {
    scopes.iter().map(|s| s.code()).collect::<Vec<_>>().join(" ")
}

/// A new random client secret (256 bits, base64url) and its hash.
async fn new_secret(hashing: &PasswordHashing) -> Result<(String, String), ClientError> {
    let raw: [u8; 32] = rand::random();
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let hash = hashing
        .hash(&secret)
        .await
        .map_err(|e| ClientError::Internal(e.to_string()))?;
    Ok((secret, hash))
}

/// Creates a client for an agency; `by` is recorded in the audit log with it.
pub async fn create(
    pool: &AnyPool,
    hashing: &PasswordHashing,
    agency_slug: &str,
    scopes: &[ApiScope],
    by: store::audit::Actor<'_>,
) -> Result<NewClient, ClientError> {
    if scopes.is_empty() {
        return Err(ClientError::NoScope);
    }
    let client_id = format!("gh_{}", new_id());
    let (client_secret, hash) = new_secret(hashing).await?;
    accounts::insert_client(pool, &client_id, &hash, agency_slug, &join(scopes), by).await?;
    Ok(NewClient {
        client_id,
        client_secret,
    })
}

/// Gives active client `client_id` a new secret (shown once, here) in place of the old one,
/// recorded as `by`'s: the old secret gets no more tokens and its tokens stop working at once.
/// `InvalidClient`: no such active client.
pub async fn rotate(
    pool: &AnyPool,
    hashing: &PasswordHashing,
    client_id: &str,
    by: store::audit::Actor<'_>,
) -> Result<NewClient, ClientError> {
    let (client_secret, hash) = new_secret(hashing).await?;
    let rotated = accounts::rotate_client_secret(pool, client_id, &hash, by)
        .await
        .map_err(|e| ClientError::Internal(e.to_string()))?;
    if !rotated {
        return Err(ClientError::InvalidClient);
    }
    Ok(NewClient {
        client_id: client_id.to_owned(),
        client_secret,
    })
}

/// The client-credentials grant (RFC 6749 §4.4): checks the credentials and the requested
/// scopes (all of the client's when `None`) and returns a signed access token.
pub async fn issue_token(
    pool: &AnyPool,
    hashing: &PasswordHashing,
    keys: &TokenKeys,
    client_id: &str,
    client_secret: &str,
    requested: Option<&str>,
) -> Result<(String, AgencyClaims), ClientError> {
    let client = accounts::find_client(pool, client_id)
        .await
        .map_err(|e| ClientError::Internal(e.to_string()))?;
    let hash = client
        .as_ref()
        .filter(|c| c.revoked_at.is_none())
        .map(|c| c.secret_hash.as_str());
    let ok = hashing.verify(client_secret, hash).await.map_err(|e| match e {
        crate::password::HashError::Busy => ClientError::Busy,
        other => ClientError::Internal(other.to_string()),
    })?;
    let client = client.filter(|_| ok).ok_or(ClientError::InvalidClient)?;
    let granted = granted_scopes(&client, requested)?;
    accounts::touch_client(pool, &client.client_id)
        .await
        .map_err(|e| ClientError::Internal(e.to_string()))?;
    let issued = now();
    let claims = AgencyClaims {
        iss: ISSUER.into(),
        aud: AGENCY_AUDIENCE.into(),
        sub: client.client_id.clone(),
        agency: client.agency_slug.clone(),
        scope: granted,
        typ: AGENCY_TYP.into(),
        iat: issued,
        exp: issued + AGENCY_TOKEN_SECONDS,
        jti: new_id(),
        secret_generation: client.secret_rotated_at.unwrap_or(0),
    };
    let token = keys
        .sign(&claims)
        .map_err(|e| ClientError::Internal(e.to_string()))?;
    Ok((token, claims))
}

fn granted_scopes(client: &ClientRow, requested: Option<&str>) -> Result<String, ClientError> {
    let held: Vec<&str> = client.scopes.split(' ').collect();
    match requested.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(client.scopes.clone()),
        Some(requested) => {
            for scope in requested.split(' ') {
                if !held.contains(&scope) {
                    return Err(ClientError::InvalidScope(scope.to_owned()));
                }
            }
            Ok(requested.to_owned())
        }
    }
}

/// An agency caller whose token checked out.
#[derive(Debug, Clone)]
pub struct VerifiedCaller {
    pub client_id: String,
    pub agency: String,
    pub scopes: Vec<ApiScope>,
    /// The secret generation the token was issued under.
    pub secret_generation: i64,
}

/// Checks an access token and that its client still exists, unrevoked, for the same agency.
pub async fn verify_caller(
    pool: &AnyPool,
    keys: &TokenKeys,
    token: &str,
) -> Result<Option<VerifiedCaller>, ClientError> {
    let Ok(claims) = keys.verify_agency(token) else {
        return Ok(None);
    };
    let client = accounts::find_client(pool, &claims.sub)
        .await
        .map_err(|e| ClientError::Internal(e.to_string()))?;
    let live = client.filter(|c| {
        c.revoked_at.is_none()
            && c.agency_slug == claims.agency
            && c.secret_rotated_at.unwrap_or(0) == claims.secret_generation
    });
    Ok(live.map(|client| {
        // The token's scopes as the client holds them now: a scope taken from the client is
        // refused at once, not when its tokens expire.
        let current = parse_scopes(&client.scopes).unwrap_or_default();
        VerifiedCaller {
            secret_generation: claims.secret_generation,
            client_id: claims.sub,
            agency: claims.agency,
            scopes: claims
                .scope
                .split(' ')
                .filter_map(|s| s.parse().ok())
                .filter(|scope| current.contains(scope))
                .collect(),
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_from_commas_or_spaces() {
        assert_eq!(
            parse_scopes("consent:check, subjects:read consent:check").unwrap(),
            [ApiScope::ConsentCheck, ApiScope::SubjectsRead]
        );
        assert!(matches!(
            parse_scopes("consent:write"),
            Err(ClientError::UnknownScope(_))
        ));
        assert!(matches!(parse_scopes(" , "), Err(ClientError::NoScope)));
    }
}
