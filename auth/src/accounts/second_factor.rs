//! The staff second factor: after a right password, a short-lived token (its own cookie)
//! stands for the half-finished sign-in; the session starts only once a code from the
//! authenticator (RFC 6238 TOTP, six digits, 30-second steps) or a one-time recovery code is
//! right. Enrolment happens inside the first such sign-in: the page shows the secret, its QR
//! code and the recovery codes, and the first right code confirms them.

use super::{Accounts, SetCookie, current_user, digest, unavailable};
use crate::tokens::{ISSUER, SECOND_FACTOR_TYP, SESSION_AUDIENCE, SecondFactorClaims};
use domain::account::{AuthError, RECOVERY_CODES, SecondFactorCode, recovery_code};
use store::accounts::UserRow;
use store::audit::Actor;
use store::{now, second_factor};
use totp_rs::{Builder, Secret, Totp};

/// The cookie that carries a sign-in waiting for its second factor.
pub const SECOND_FACTOR_COOKIE: &str = "gh_second_factor";
/// How long the second step may take after the password.
const PENDING_SECS: i64 = 10 * 60;
/// What authenticator apps show as the account's issuer.
const ISSUER_LABEL: &str = "Glasshouse";

/// A sign-in whose password was right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedIn {
    /// Signed in: the session cookie.
    Session(SetCookie),
    /// The second factor comes next: the pending sign-in's cookie.
    SecondFactor(SetCookie),
}

/// What the second-factor page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignIn {
    pub email: String,
    /// Present while the account enrols its authenticator.
    pub enrolment: Option<Enrolment>,
}

/// An authenticator being enrolled: what to put into the app, and the recovery codes to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// The secret as people type it into an app (base32).
    pub secret: String,
    /// The `otpauth://` URI the QR code carries.
    pub uri: String,
    pub recovery_codes: Vec<String>,
}

fn totp(secret_base32: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_base32).ok()?;
    Builder::new().with_secret(secret).build().ok()
}

/// The 30-second step `code` is right for, within one step either side of `at` (clocks
/// drift; people type slowly). Compared in constant time by the crate.
pub fn matching_step(secret_base32: &str, code: &str, at: i64) -> Option<i64> {
    let at = u64::try_from(at).ok()?;
    totp(secret_base32)?
        .check(code, at)
        .and_then(|step| i64::try_from(step).ok())
}

/// The current code of a secret (what the authenticator app shows; for tests and tools).
pub fn current_code(secret_base32: &str, at: i64) -> Option<String> {
    Some(totp(secret_base32)?.generate(u64::try_from(at).ok()?).to_string())
}

/// A new random secret of 160 bits (RFC 4226's recommended length), base32.
fn new_secret() -> String {
    let raw: [u8; 20] = rand::random();
    Secret::from(raw.to_vec()).to_base32()
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The key-URI an authenticator app reads from the QR code.
fn otpauth_uri(secret: &str, email: &str) -> String {
    let label = percent_encode(&format!("{ISSUER_LABEL}:{email}"));
    format!("otpauth://totp/{label}?secret={secret}&issuer={ISSUER_LABEL}&algorithm=SHA1&digits=6&period=30")
}

/// A short digest of a password hash, carried by the pending sign-in.
fn password_mark(password_hash: &str) -> String {
    digest(password_hash).chars().take(16).collect()
}

/// A short digest of an authenticator secret being enrolled, carried by the pending sign-in.
fn secret_mark(secret: &str) -> String {
    digest(&format!("second-factor:{secret}"))
        .chars()
        .take(16)
        .collect()
}

impl Accounts {
    /// The pending sign-in's cookie name as this server sends it (`__Host-` over HTTPS).
    pub fn second_factor_cookie_name(&self) -> std::borrow::Cow<'static, str> {
        super::cookie_name(SECOND_FACTOR_COOKIE, self.policy.secure_cookie)
    }

    fn second_factor_cookie(&self, value: &str, max_age: i64) -> SetCookie {
        let secure = if self.policy.secure_cookie { "; Secure" } else { "" };
        let name = self.second_factor_cookie_name();
        SetCookie(format!(
            "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
        ))
    }

    /// The cookie that ends a pending sign-in in the browser.
    pub fn clearing_second_factor_cookie(&self) -> SetCookie {
        self.second_factor_cookie("", 0)
    }

    /// After a right password: a session, or (for staff) the pending sign-in, starting the
    /// enrolment of an authenticator when the account has none and the rule requires one.
    pub(super) async fn after_password(&self, user: &UserRow) -> Result<SignedIn, AuthError> {
        let role = current_user(user.clone()).role;
        let factor = second_factor::find(&self.pool, &user.id)
            .await
            .map_err(unavailable)?;
        let enrolled = factor.as_ref().is_some_and(|f| f.confirmed_at.is_some());
        match domain::account::after_password(role, enrolled, self.policy.second_factor) {
            domain::account::AfterPassword::Session => Ok(SignedIn::Session(
                self.start_session(&user.id, &user.password_hash).await?,
            )),
            step => {
                let mut sfh = String::new();
                if step == domain::account::AfterPassword::Enrol {
                    let codes: Vec<String> = (0..RECOVERY_CODES)
                        .map(|_| recovery_code(rand::random()).1)
                        .collect();
                    let factor =
                        second_factor::start_enrolment(&self.pool, &user.id, &new_secret(), &codes.join(" "))
                            .await
                            .map_err(unavailable)?;
                    if factor.confirmed_at.is_none() {
                        sfh = secret_mark(&factor.secret);
                    }
                }
                let issued = now();
                let claims = SecondFactorClaims {
                    iss: ISSUER.into(),
                    aud: SESSION_AUDIENCE.into(),
                    sub: user.id.clone(),
                    typ: SECOND_FACTOR_TYP.into(),
                    iat: issued,
                    exp: issued + PENDING_SECS,
                    pwh: password_mark(&user.password_hash),
                    sfh,
                };
                let token = self.keys.sign(&claims).map_err(unavailable)?;
                Ok(SignedIn::SecondFactor(
                    self.second_factor_cookie(&token, PENDING_SECS),
                ))
            }
        }
    }

    /// The account a pending sign-in's token stands for, if the token is valid, the password
    /// unchanged and the account enabled.
    async fn pending_user(&self, token: &str) -> Result<(UserRow, SecondFactorClaims), AuthError> {
        let claims = self
            .keys
            .verify_second_factor(token)
            .map_err(|_| AuthError::SignInExpired)?;
        let user = store::accounts::find_user(&self.pool, &claims.sub)
            .await
            .map_err(unavailable)?
            .filter(|u| password_mark(&u.password_hash) == claims.pwh)
            .ok_or(AuthError::SignInExpired)?;
        if user.disabled_at.is_some() {
            return Err(AuthError::Disabled);
        }
        Ok((user, claims))
    }

    /// The account's authenticator, if it is the one this pending sign-in was shown: an
    /// enrolment whose secret was replaced by a later password step ends this sign-in.
    async fn pending_factor(
        &self,
        user: &UserRow,
        claims: &SecondFactorClaims,
    ) -> Result<store::second_factor::SecondFactorRow, AuthError> {
        let factor = second_factor::find(&self.pool, &user.id)
            .await
            .map_err(unavailable)?
            .ok_or(AuthError::SignInExpired)?;
        if factor.confirmed_at.is_none() && secret_mark(&factor.secret) != claims.sfh {
            return Err(AuthError::SignInExpired);
        }
        Ok(factor)
    }

    /// What the second-factor page shows for the pending sign-in `token`.
    pub async fn pending_sign_in(&self, token: &str) -> Result<PendingSignIn, AuthError> {
        let (user, claims) = self.pending_user(token).await?;
        let factor = self.pending_factor(&user, &claims).await?;
        let enrolment = factor.confirmed_at.is_none().then(|| Enrolment {
            uri: otpauth_uri(&factor.secret, &user.email),
            recovery_codes: factor
                .pending_recovery_codes
                .as_deref()
                .unwrap_or_default()
                .split(' ')
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            secret: factor.secret,
        });
        Ok(PendingSignIn {
            email: user.email,
            enrolment,
        })
    }

    #[tracing::instrument(skip_all)]
    /// The second step: checks `code` (an authenticator's code, or a recovery code once
    /// enrolled) for the pending sign-in `token` and starts the session. Five tries a minute
    /// per account; a code is accepted once, and never one older than the last accepted.
    /// Returns the session cookie and the one that clears the pending sign-in.
    pub async fn complete_sign_in(&self, token: &str, code: &str) -> Result<Vec<SetCookie>, AuthError> {
        let (user, claims) = self.pending_user(token).await?;
        if let Err(e) = self.check_attempt(&format!("second-factor:{}", user.id)) {
            tracing::warn!(outcome = "rate_limited", user = %user.id, "second factor");
            return Err(e);
        }
        let factor = self.pending_factor(&user, &claims).await?;
        let staff = current_user(user.clone());
        let accepted = match SecondFactorCode::parse(code) {
            Some(SecondFactorCode::Totp(code)) => match matching_step(&factor.secret, &code, now()) {
                None => false,
                Some(step) if factor.confirmed_at.is_none() => {
                    let digests: Vec<String> = factor
                        .pending_recovery_codes
                        .as_deref()
                        .unwrap_or_default()
                        .split(' ')
                        .filter_map(|shown| match SecondFactorCode::parse(shown) {
                            Some(SecondFactorCode::Recovery(code)) => Some(digest(&code)),
                            _ => None,
                        })
                        .collect();
                    second_factor::confirm_enrolment(
                        &self.pool,
                        &user.id,
                        step,
                        &digests,
                        Actor::Staff(&staff),
                    )
                    .await
                    .map_err(unavailable)?
                }
                Some(step) => second_factor::accept_step(&self.pool, &user.id, step)
                    .await
                    .map_err(unavailable)?,
            },
            Some(SecondFactorCode::Recovery(code)) if factor.confirmed_at.is_some() => {
                second_factor::use_recovery_code(&self.pool, &user.id, &digest(&code), Actor::Staff(&staff))
                    .await
                    .map_err(unavailable)?
            }
            _ => false,
        };
        if !accepted {
            tracing::warn!(outcome = "failure", user = %user.id, "second factor");
            return Err(AuthError::WrongCode);
        }
        tracing::info!(outcome = "success", user = %user.id, "second factor");
        let session = self.start_session(&user.id, &user.password_hash).await?;
        Ok(vec![session, self.clearing_second_factor_cookie()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_sha1_test_vectors() {
        // RFC 6238 appendix B, SHA-1 seed "12345678901234567890", last six digits.
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(current_code(&secret, time).as_deref(), Some(code));
            assert_eq!(matching_step(&secret, code, time), Some(time / 30));
        }
    }

    #[test]
    fn a_code_is_right_one_step_either_side_and_no_further() {
        let secret = new_secret();
        let at = 1_800_000_000;
        let code = current_code(&secret, at).unwrap();
        assert_eq!(matching_step(&secret, &code, at + 30), Some(at / 30));
        assert_eq!(matching_step(&secret, &code, at - 30), Some(at / 30));
        assert_eq!(matching_step(&secret, &code, at + 90), None);
        assert_eq!(matching_step(&secret, "not a code", at), None);
    }

    #[test]
    fn the_key_uri_names_the_issuer_and_escapes_the_account() {
        let uri = otpauth_uri("JBSWY3DPEHPK3PXP", "ana+staff@example.org");
        assert_eq!(
            uri,
            "otpauth://totp/Glasshouse%3Aana%2Bstaff%40example.org?secret=JBSWY3DPEHPK3PXP&issuer=Glasshouse&algorithm=SHA1&digits=6&period=30"
        );
    }
}
