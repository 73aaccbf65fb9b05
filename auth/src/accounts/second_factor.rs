//! The staff second factor: after a right password, a short-lived token (its own cookie)
//! stands for the half-finished sign-in; the session starts only once a code from the
//! authenticator (RFC 6238 TOTP, six digits, 30-second steps) or a one-time recovery code is
//! right, and the pending sign-in is used up with it. Enrolment happens inside the first
//! such sign-in, once the operator's enrolment code is entered (`enrolment.rs`): only then
//! does the page show the secret, its QR code and the recovery codes, and the first right
//! code confirms them. Secrets are stored sealed (`crate::sealing`).

mod enrolment;

pub use enrolment::IssuedEnrolmentCode;

use super::{Accounts, SetCookie, current_user, digest, unavailable};
use crate::sealing::Sealed;
use crate::tokens::{ISSUER, SECOND_FACTOR_TYP, SESSION_AUDIENCE, SecondFactorClaims};
use base64::Engine;
use domain::account::{AuthError, SecondFactorCode};
use store::accounts::UserRow;
use store::audit::Actor;
use store::second_factor::{PendingUse, SecondFactorRow, StepOutcome};
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
    pub step: PendingStep,
}

/// What the pending sign-in asks for next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PendingStep {
    /// A code from the enrolled authenticator, or a recovery code.
    Code,
    /// The operator's enrolment code: nothing of an authenticator is shown before it.
    EnrolmentCode,
    /// Enrolling (the enrolment code was right): what to put into the app, then its first code.
    Enrol(Enrolment),
}

/// Where a pending sign-in stands with the account's authenticator.
enum Factor {
    Enrolled(SecondFactorRow),
    /// No authenticator this sign-in may see: it needs the operator's enrolment code.
    NeedsCode,
    /// The unconfirmed authenticator this sign-in redeemed an enrolment code for.
    Enrolling(SecondFactorRow),
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

/// A short digest of a sealed authenticator secret being enrolled, carried by the pending
/// sign-in (of the sealed value: the token says nothing about the secret itself).
fn secret_mark(sealed_secret: &str) -> String {
    digest(&format!("second-factor:{sealed_secret}"))
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

    /// A new pending sign-in for `user` (with a fresh id and lifetime); `sfh`: the mark of the
    /// secret it is enrolling, or empty.
    fn pending_cookie(&self, user: &UserRow, sfh: String) -> Result<SetCookie, AuthError> {
        let issued = now();
        let claims = SecondFactorClaims {
            iss: ISSUER.into(),
            aud: SESSION_AUDIENCE.into(),
            sub: user.id.clone(),
            typ: SECOND_FACTOR_TYP.into(),
            iat: issued,
            exp: issued + PENDING_SECS,
            jti: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>()),
            pwh: password_mark(&user.password_hash),
            sfh,
        };
        let token = self.keys.sign(&claims).map_err(unavailable)?;
        Ok(self.second_factor_cookie(&token, PENDING_SECS))
    }

    /// After a right password: a session, or (for staff) the pending sign-in, which enrols
    /// an authenticator when the account has none and the rule (or an operator's enrolment
    /// code) asks for one.
    pub(super) async fn after_password(&self, user: &UserRow) -> Result<SignedIn, AuthError> {
        let role = current_user(user.clone()).role;
        let factor = second_factor::find(&self.pool, &user.id)
            .await
            .map_err(unavailable)?;
        let enrolled = factor.as_ref().is_some_and(|f| f.confirmed_at.is_some());
        // The operator asked this account to enrol: a code still good, or one redeemed for an
        // enrolment under way (an unconfirmed authenticator).
        let code_issued = role.is_staff()
            && !enrolled
            && (factor.is_some() || self.enrolment_code_issued(&user.id).await?);
        match domain::account::after_password(role, enrolled, self.policy.second_factor, code_issued) {
            domain::account::AfterPassword::Session => Ok(SignedIn::Session(
                self.start_session(&user.id, &user.password_hash).await?,
            )),
            _ => Ok(SignedIn::SecondFactor(self.pending_cookie(user, String::new())?)),
        }
    }

    /// The account a pending sign-in's token stands for, if the token is valid and unused,
    /// the password unchanged and the account enabled.
    async fn pending_user(&self, token: &str) -> Result<(UserRow, SecondFactorClaims), AuthError> {
        let claims = self
            .keys
            .verify_second_factor(token)
            .map_err(|_| AuthError::SignInExpired)?;
        let used = second_factor::pending_used(&self.pool, &claims.jti)
            .await
            .map_err(unavailable)?;
        if used {
            tracing::warn!(outcome = "replayed", user = %claims.sub, "second factor");
            return Err(AuthError::SignInExpired);
        }
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

    /// Where this pending sign-in stands with the account's authenticator. An unconfirmed one
    /// is this sign-in's only if it redeemed the enrolment code for it: a right password alone
    /// never sees a secret.
    async fn pending_factor(&self, user: &UserRow, claims: &SecondFactorClaims) -> Result<Factor, AuthError> {
        let factor = second_factor::find(&self.pool, &user.id)
            .await
            .map_err(unavailable)?;
        Ok(match factor {
            Some(f) if f.confirmed_at.is_some() => Factor::Enrolled(f),
            Some(f) if !claims.sfh.is_empty() && secret_mark(&f.secret) == claims.sfh => Factor::Enrolling(f),
            _ => Factor::NeedsCode,
        })
    }

    /// A sealed value of `user_id`'s row, opened; one that does not open is a fault (logged):
    /// the server's secret changed, or the row was altered or copied from another account.
    fn open(&self, what: Sealed, user_id: &str, sealed: &str) -> Result<String, AuthError> {
        self.sealing.open(what, user_id, sealed).map_err(|e| {
            tracing::error!(user = %user_id, error = %e, "a second-factor value does not open");
            AuthError::Unavailable
        })
    }

    /// The recovery codes of an enrolment under way, as shown.
    fn pending_recovery_codes(
        &self,
        user_id: &str,
        factor: &SecondFactorRow,
    ) -> Result<Vec<String>, AuthError> {
        let Some(sealed) = factor.pending_recovery_codes.as_deref() else {
            return Ok(Vec::new());
        };
        Ok(self
            .open(Sealed::RecoveryCodes, user_id, sealed)?
            .split(' ')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect())
    }

    /// What the second-factor page shows for the pending sign-in `token`.
    pub async fn pending_sign_in(&self, token: &str) -> Result<PendingSignIn, AuthError> {
        let (user, claims) = self.pending_user(token).await?;
        let step = match self.pending_factor(&user, &claims).await? {
            Factor::Enrolled(_) => PendingStep::Code,
            Factor::NeedsCode => PendingStep::EnrolmentCode,
            Factor::Enrolling(factor) => {
                let secret = self.open(Sealed::Secret, &user.id, &factor.secret)?;
                PendingStep::Enrol(Enrolment {
                    uri: otpauth_uri(&secret, &user.email),
                    recovery_codes: self.pending_recovery_codes(&user.id, &factor)?,
                    secret,
                })
            }
        };
        Ok(PendingSignIn {
            email: user.email,
            step,
        })
    }

    #[tracing::instrument(skip_all)]
    /// The second step: checks `code` (an authenticator's code, or a recovery code once
    /// enrolled) for the pending sign-in `token` and starts the session. Five tries a minute
    /// per account; a code is accepted once, and never one older than the last accepted; the
    /// pending sign-in is used up in the same transaction, so it cannot start another session.
    /// Returns the session cookie and the one that clears the pending sign-in.
    pub async fn complete_sign_in(&self, token: &str, code: &str) -> Result<Vec<SetCookie>, AuthError> {
        let (user, claims) = self.pending_user(token).await?;
        if let Err(e) = self.check_attempt(&format!("second-factor:{}", user.id)) {
            tracing::warn!(outcome = "rate_limited", user = %user.id, "second factor");
            return Err(e);
        }
        let pending = PendingUse {
            jti: &claims.jti,
            expires_at: claims.exp,
        };
        let staff = current_user(user.clone());
        let factor = self.pending_factor(&user, &claims).await?;
        let outcome = match (factor, SecondFactorCode::parse(code)) {
            (Factor::Enrolling(factor), Some(SecondFactorCode::Totp(code))) => {
                let secret = self.open(Sealed::Secret, &user.id, &factor.secret)?;
                match matching_step(&secret, &code, now()) {
                    None => StepOutcome::Refused,
                    Some(step) => {
                        let digests: Vec<String> = self
                            .pending_recovery_codes(&user.id, &factor)?
                            .iter()
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
                            pending,
                            Actor::Staff(&staff),
                        )
                        .await
                        .map_err(unavailable)?
                    }
                }
            }
            (Factor::Enrolled(factor), Some(SecondFactorCode::Totp(code))) => {
                let secret = self.open(Sealed::Secret, &user.id, &factor.secret)?;
                match matching_step(&secret, &code, now()) {
                    None => StepOutcome::Refused,
                    Some(step) => second_factor::accept_step(&self.pool, &user.id, step, pending)
                        .await
                        .map_err(unavailable)?,
                }
            }
            (Factor::Enrolled(_), Some(SecondFactorCode::Recovery(code))) => {
                second_factor::use_recovery_code(
                    &self.pool,
                    &user.id,
                    &digest(&code),
                    pending,
                    Actor::Staff(&staff),
                )
                .await
                .map_err(unavailable)?
            }
            _ => StepOutcome::Refused,
        };
        match outcome {
            StepOutcome::Accepted => {
                tracing::info!(outcome = "success", user = %user.id, "second factor");
                let session = self.start_session(&user.id, &user.password_hash).await?;
                Ok(vec![session, self.clearing_second_factor_cookie()])
            }
            StepOutcome::Refused => {
                tracing::warn!(outcome = "failure", user = %user.id, "second factor");
                Err(AuthError::WrongCode)
            }
            StepOutcome::SignInUsed => {
                tracing::warn!(outcome = "replayed", user = %user.id, "second factor");
                Err(AuthError::SignInExpired)
            }
        }
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
