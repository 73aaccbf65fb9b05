//! Signed tokens (RFC 8725 practice): HS256 pinned, `iss`, `aud`, `exp` and `sub` required,
//! and a `typ` claim per kind so a session token is never accepted as an agency token, nor
//! the reverse. Each kind also has its own audience, and browser tokens and agency tokens
//! are signed with two different keys (named by the header's `kid`), each derived from the
//! server's secret with its own label: a flaw that let one kind be forged would not reach
//! the other.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};

/// Who issues every token.
pub const ISSUER: &str = "glasshouse";
/// The audience of browser session tokens.
pub const SESSION_AUDIENCE: &str = "glasshouse-web";
/// The audience of agency API tokens.
pub const AGENCY_AUDIENCE: &str = "glasshouse-api";
/// `typ` of a session token.
pub const SESSION_TYP: &str = "session";
/// `typ` of an agency access token.
pub const AGENCY_TYP: &str = "agency-access";
/// Agency tokens live at most this long (seconds).
pub const AGENCY_TOKEN_SECONDS: i64 = 15 * 60;
/// Shortest signing secret accepted, in bytes (HS256 wants at least its output size).
pub const MIN_SECRET_BYTES: usize = 32;

/// Why a token was refused. Deliberately coarse: callers get "invalid token", logs get this.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the token is invalid: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
    #[error("the token is of another kind ({0:?})")]
    WrongType(String),
    #[error("the token names another key ({0:?})")]
    WrongKey(Option<String>),
}

/// The claims of a browser session token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClaims {
    pub iss: String,
    pub aud: String,
    /// The account id.
    pub sub: String,
    /// The random session id the server also stores (hashed).
    pub sid: String,
    pub typ: String,
    pub iat: i64,
    pub exp: i64,
}

/// The kind of a token that stands for a sign-in whose password was right but whose second
/// factor is still to come; it opens nothing but the second-factor step.
pub const SECOND_FACTOR_TYP: &str = "second-factor";

/// The claims of a sign-in waiting for its second factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorClaims {
    pub iss: String,
    pub aud: String,
    /// The account.
    pub sub: String,
    pub typ: String,
    pub iat: i64,
    pub exp: i64,
    /// The pending sign-in's random id: the server records it once it is used (to start a
    /// session, or to redeem an enrolment code), and refuses it after that.
    pub jti: String,
    /// A digest of the password hash it was issued under: a password change voids it.
    pub pwh: String,
    /// While enrolling: a digest of the sealed authenticator secret this sign-in redeemed an
    /// enrolment code for (another redemption makes a new secret, and this sign-in no longer
    /// sees it). Empty otherwise.
    #[serde(default)]
    pub sfh: String,
}

/// The claims of an agency API access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyClaims {
    pub iss: String,
    pub aud: String,
    /// The client id.
    pub sub: String,
    /// The slug of the agency that owns the client.
    pub agency: String,
    /// Space-separated scopes (RFC 6749 §3.3).
    pub scope: String,
    pub typ: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The client's secret as it stood when the token was issued (when it was last rotated,
    /// 0 if never): a token from before a rotation is refused at once.
    #[serde(default)]
    pub secret_generation: i64,
}

/// Claims of one kind of token: the kind they carry, and the key that signs that kind.
pub trait Typed {
    /// The `typ` claim.
    fn typ(&self) -> &str;
    /// The key that signs this kind of token.
    fn key() -> KeyId;
}

/// Which of the two signing keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyId {
    /// Browser tokens: sessions and pending sign-ins.
    Web,
    /// Agency API access tokens.
    Agency,
}

impl KeyId {
    /// The header's `kid`.
    pub const fn kid(self) -> &'static str {
        match self {
            KeyId::Web => "web-1",
            KeyId::Agency => "agency-1",
        }
    }

    /// The label the key is derived under.
    const fn label(self) -> &'static [u8] {
        match self {
            KeyId::Web => b"glasshouse token key: web, v1\0",
            KeyId::Agency => b"glasshouse token key: agency, v1\0",
        }
    }
}
impl Typed for SessionClaims {
    fn typ(&self) -> &str {
        &self.typ
    }
    fn key() -> KeyId {
        KeyId::Web
    }
}
impl Typed for SecondFactorClaims {
    fn typ(&self) -> &str {
        &self.typ
    }
    fn key() -> KeyId {
        KeyId::Web
    }
}
impl Typed for AgencyClaims {
    fn typ(&self) -> &str {
        &self.typ
    }
    fn key() -> KeyId {
        KeyId::Agency
    }
}

/// One signing key and its verifying twin.
#[derive(Clone)]
struct KeyPair {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl KeyPair {
    /// The key `id` derived from `secret`: SHA-256 of its label and the secret.
    fn derive(secret: &[u8], id: KeyId) -> KeyPair {
        let key = Sha256::new()
            .chain_update(id.label())
            .chain_update(secret)
            .finalize();
        KeyPair {
            encoding: EncodingKey::from_secret(&key),
            decoding: DecodingKey::from_secret(&key),
        }
    }
}

/// The signing and verification keys (one per [`KeyId`]); cheap to clone.
#[derive(Clone)]
pub struct TokenKeys {
    web: KeyPair,
    agency: KeyPair,
    /// The key of [`TokenKeys::keyed_digest`], derived from the secret under its own label.
    digests: [u8; 32],
}

impl TokenKeys {
    /// Keys from a secret of at least [`MIN_SECRET_BYTES`] bytes.
    pub fn from_secret(secret: &[u8]) -> Option<TokenKeys> {
        (secret.len() >= MIN_SECRET_BYTES).then(|| TokenKeys {
            web: KeyPair::derive(secret, KeyId::Web),
            agency: KeyPair::derive(secret, KeyId::Agency),
            digests: Sha256::new()
                .chain_update(b"glasshouse keyed digests, v1\0")
                .chain_update(secret)
                .finalize()
                .into(),
        })
    }

    /// A keyed digest (HMAC-SHA-256, hex) of `text`: what the database keeps where it must
    /// recognise a value without holding it (a client address, an email with no account).
    /// Unlike a plain SHA-256 it cannot be reversed by trying every candidate (all of IPv4 is
    /// four billion tries) without the server's secret.
    pub fn keyed_digest(&self, text: &str) -> String {
        use hmac::Mac;
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&self.digests)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(text.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn pair(&self, id: KeyId) -> &KeyPair {
        match id {
            KeyId::Web => &self.web,
            KeyId::Agency => &self.agency,
        }
    }

    /// Signs any claims with HS256.
    pub fn sign<C: Serialize + Typed>(&self, claims: &C) -> Result<String, TokenError> {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(C::key().kid().to_owned());
        Ok(encode(&header, claims, &self.pair(C::key()).encoding)?)
    }

    fn verify<C: DeserializeOwned + Typed>(
        &self,
        token: &str,
        audience: &str,
        typ: &str,
    ) -> Result<C, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        let kid = decode_header(token)?.kid;
        if kid.as_deref() != Some(C::key().kid()) {
            return Err(TokenError::WrongKey(kid));
        }
        let claims = decode::<C>(token.as_bytes(), &self.pair(C::key()).decoding, &validation)?.claims;
        if claims.typ() == typ {
            Ok(claims)
        } else {
            Err(TokenError::WrongType(claims.typ().to_owned()))
        }
    }

    /// Verifies a session token.
    pub fn verify_session(&self, token: &str) -> Result<SessionClaims, TokenError> {
        self.verify(token, SESSION_AUDIENCE, SESSION_TYP)
    }

    /// Checks a pending sign-in's token (signature, issuer, audience, expiry, kind).
    pub fn verify_second_factor(&self, token: &str) -> Result<SecondFactorClaims, TokenError> {
        self.verify(token, SESSION_AUDIENCE, SECOND_FACTOR_TYP)
    }

    /// Verifies an agency access token.
    pub fn verify_agency(&self, token: &str) -> Result<AgencyClaims, TokenError> {
        self.verify(token, AGENCY_AUDIENCE, AGENCY_TYP)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::from_secret(&[7u8; 32]).unwrap()
    }

    fn session(exp_offset: i64) -> SessionClaims {
        let now = store::now();
        SessionClaims {
            iss: ISSUER.into(),
            aud: SESSION_AUDIENCE.into(),
            sub: "user".into(),
            sid: "sid".into(),
            typ: SESSION_TYP.into(),
            iat: now,
            exp: now + exp_offset,
        }
    }

    #[test]
    fn keyed_digests_depend_on_the_secret_and_match_hmac_sha256() {
        let digest = keys().keyed_digest("203.0.113.7");
        assert_eq!(digest.len(), 64);
        assert_eq!(digest, keys().keyed_digest("203.0.113.7"));
        assert_ne!(digest, keys().keyed_digest("203.0.113.8"));
        let other = TokenKeys::from_secret(&[8u8; 32]).unwrap();
        assert_ne!(digest, other.keyed_digest("203.0.113.7"));
        // Not the plain SHA-256 anyone could compute over every IPv4 address.
        assert_ne!(digest, crate::accounts::digest("203.0.113.7"));
        // RFC 4231 test case 2 (key "Jefe"), to pin the construction itself.
        use hmac::Mac;
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_short_secret_is_refused() {
        assert!(TokenKeys::from_secret(&[1u8; 31]).is_none());
    }

    #[test]
    fn a_session_token_round_trips() {
        let token = keys().sign(&session(60)).unwrap();
        assert_eq!(keys().verify_session(&token).unwrap().sid, "sid");
    }

    #[test]
    fn each_kind_is_signed_with_its_own_key_and_says_which() {
        let keys = keys();
        let token = keys.sign(&session(60)).unwrap();
        assert_eq!(decode_header(&token).unwrap().kid.as_deref(), Some("web-1"));
        // An agency token's claims signed with the web key, even naming the agency key, fail.
        let now = store::now();
        let claims = AgencyClaims {
            iss: ISSUER.into(),
            aud: AGENCY_AUDIENCE.into(),
            sub: "gh_x".into(),
            agency: "a".into(),
            scope: "consent:check".into(),
            typ: AGENCY_TYP.into(),
            iat: now,
            exp: now + 60,
            jti: "j".into(),
            secret_generation: 0,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("agency-1".into());
        let forged = encode(&header, &claims, &keys.web.encoding).unwrap();
        assert!(keys.verify_agency(&forged).is_err());
        // Signed with the raw secret (the single key of before): refused too.
        let raw = encode(&header, &claims, &EncodingKey::from_secret(&[7u8; 32])).unwrap();
        assert!(keys.verify_agency(&raw).is_err());
        let good = keys.sign(&claims).unwrap();
        assert_eq!(decode_header(&good).unwrap().kid.as_deref(), Some("agency-1"));
        assert_eq!(keys.verify_agency(&good).unwrap().sub, "gh_x");
    }

    #[test]
    fn a_session_token_is_not_an_agency_token() {
        let token = keys().sign(&session(60)).unwrap();
        assert!(keys().verify_agency(&token).is_err());
    }

    #[test]
    fn expired_and_foreign_tokens_are_refused() {
        assert!(
            keys()
                .verify_session(&keys().sign(&session(-120)).unwrap())
                .is_err()
        );
        let other = TokenKeys::from_secret(&[8u8; 32]).unwrap();
        assert!(keys().verify_session(&other.sign(&session(60)).unwrap()).is_err());
    }
}
