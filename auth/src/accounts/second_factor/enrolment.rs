//! Enrolling a staff authenticator needs a one-time code the operator issued out of band
//! (`admin create-user`, `admin reset-second-factor`): a right password alone, phished or
//! leaked, never shows an authenticator's secret. The code is good for three days, once; a
//! new one replaces the last; wrong guesses count against the account's five tries a minute.

use super::super::{Accounts, SetCookie, current_user, unavailable};
use super::{Factor, new_secret, secret_mark};
use crate::sealing::{SEALED_PREFIX, Sealed};
use domain::account::{AuthError, ENROLMENT_CODE_SECS, EnrolmentCode, RECOVERY_CODES, recovery_code};
use store::audit::Actor;
use store::now;
use store::second_factor::{self, NewEnrolment, NewEnrolmentCode, PendingUse, StepOutcome};

/// An enrolment code as the operator reads it out, once.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedEnrolmentCode {
    /// The code, grouped for reading (`XXXXX-XXXXX-XXXXX-XXXXX`).
    pub code: String,
    /// Unix seconds after which it is no longer good.
    pub expires_at: i64,
}

impl std::fmt::Debug for IssuedEnrolmentCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedEnrolmentCode")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Compares two digests without stopping at the first difference.
fn same_digest(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Accounts {
    /// A fresh enrolment code: the one to show, and what the store keeps.
    fn new_enrolment_code(&self) -> (IssuedEnrolmentCode, String) {
        let code = EnrolmentCode::from_random(rand::random());
        let issued = IssuedEnrolmentCode {
            code: code.shown(),
            expires_at: now() + ENROLMENT_CODE_SECS,
        };
        (issued, self.sealing.code_digest(&code))
    }

    /// Issues `user_id` an enrolment code (replacing an earlier one), recorded as `by`'s.
    /// `None`: no such account.
    pub async fn issue_enrolment_code(
        &self,
        user_id: &str,
        by: Actor<'_>,
    ) -> Result<Option<IssuedEnrolmentCode>, AuthError> {
        let (issued, code_hash) = self.new_enrolment_code();
        let code = NewEnrolmentCode {
            code_hash: &code_hash,
            expires_at: issued.expires_at,
        };
        let done = second_factor::issue_enrolment_code(&self.pool, user_id, code, by)
            .await
            .map_err(unavailable)?;
        Ok(done.then_some(issued))
    }

    /// Removes `user_id`'s authenticator and recovery codes, ends their sessions, and issues
    /// the enrolment code for a new one (a lost phone), in one transaction recorded as `by`'s.
    /// `None`: no such account.
    pub async fn reset_second_factor(
        &self,
        user_id: &str,
        by: Actor<'_>,
    ) -> Result<Option<IssuedEnrolmentCode>, AuthError> {
        let (issued, code_hash) = self.new_enrolment_code();
        let code = NewEnrolmentCode {
            code_hash: &code_hash,
            expires_at: issued.expires_at,
        };
        let done = second_factor::reset(&self.pool, user_id, code, by)
            .await
            .map_err(unavailable)?;
        Ok(done.then_some(issued))
    }

    /// Whether `user_id` holds an enrolment code that is still good.
    pub(super) async fn enrolment_code_issued(&self, user_id: &str) -> Result<bool, AuthError> {
        let code = second_factor::enrolment_code(&self.pool, user_id)
            .await
            .map_err(unavailable)?;
        Ok(code.is_some_and(|c| c.used_at.is_none() && c.expires_at > now()))
    }

    #[tracing::instrument(skip_all)]
    /// Redeems the operator's enrolment `code` for the pending sign-in `token`: the code is
    /// used up and a new authenticator (secret and recovery codes, sealed) starts enrolling,
    /// shown to this sign-in alone. Counted with the second step's tries (five a minute per
    /// account). Returns the pending sign-in's new cookie: the one redeemed is used up.
    pub async fn redeem_enrolment_code(&self, token: &str, code: &str) -> Result<SetCookie, AuthError> {
        let (user, claims) = self.pending_user(token).await?;
        if let Err(e) = self.check_attempt(&format!("second-factor:{}", user.id)) {
            tracing::warn!(outcome = "rate_limited", user = %user.id, "enrolment code");
            return Err(e);
        }
        if !matches!(self.pending_factor(&user, &claims).await?, Factor::NeedsCode) {
            return Err(AuthError::EnrolmentCodeSpent);
        }
        let code_hash = self.check_enrolment_code(&user.id, code).await?;
        let secret = new_secret();
        let codes: Vec<String> = (0..RECOVERY_CODES)
            .map(|_| recovery_code(rand::random()).1)
            .collect();
        let sealed_secret = self.sealing.seal(Sealed::Secret, &user.id, &secret);
        let sealed_codes = self
            .sealing
            .seal(Sealed::RecoveryCodes, &user.id, &codes.join(" "));
        let enrolment = NewEnrolment {
            sealed_secret: &sealed_secret,
            sealed_recovery_codes: &sealed_codes,
        };
        let pending = PendingUse {
            jti: &claims.jti,
            expires_at: claims.exp,
        };
        let staff = current_user(user.clone());
        let outcome = second_factor::redeem_enrolment_code(
            &self.pool,
            &user.id,
            &code_hash,
            now(),
            enrolment,
            pending,
            Actor::Staff(&staff),
        )
        .await
        .map_err(unavailable)?;
        match outcome {
            StepOutcome::Accepted => {
                tracing::info!(outcome = "redeemed", user = %user.id, "enrolment code");
                self.pending_cookie(&user, secret_mark(&sealed_secret))
            }
            StepOutcome::Refused => Err(AuthError::EnrolmentCodeSpent),
            StepOutcome::SignInUsed => Err(AuthError::SignInExpired),
        }
    }

    /// The digest of `code` if it is `user_id`'s enrolment code and still good. Only someone
    /// who has the right code learns that it expired or was used.
    async fn check_enrolment_code(&self, user_id: &str, code: &str) -> Result<String, AuthError> {
        let stored = second_factor::enrolment_code(&self.pool, user_id)
            .await
            .map_err(unavailable)?;
        let typed = EnrolmentCode::parse(code).map(|c| self.sealing.code_digest(&c));
        match (stored, typed) {
            (Some(stored), Some(typed)) if same_digest(&stored.code_hash, &typed) => {
                if stored.used_at.is_some() || stored.expires_at <= now() {
                    tracing::warn!(outcome = "spent", user = %user_id, "enrolment code");
                    Err(AuthError::EnrolmentCodeSpent)
                } else {
                    Ok(typed)
                }
            }
            _ => {
                tracing::warn!(outcome = "failure", user = %user_id, "enrolment code");
                Err(AuthError::WrongEnrolmentCode)
            }
        }
    }

    /// Seals the authenticator secrets stored before secrets were sealed (run as the server
    /// starts, before it serves anyone). Returns how many were sealed.
    pub async fn seal_stored_secrets(&self) -> Result<u64, store::StoreError> {
        let plain = second_factor::unsealed_secrets(&self.pool, SEALED_PREFIX).await?;
        if plain.is_empty() {
            return Ok(0);
        }
        let sealed: Vec<(String, String, String)> = plain
            .into_iter()
            .map(|(user_id, secret)| {
                let sealed = self.sealing.seal(Sealed::Secret, &user_id, &secret);
                (user_id, secret, sealed)
            })
            .collect();
        let count = second_factor::seal_secrets(&self.pool, &sealed).await?;
        tracing::info!(count, "sealed the authenticator secrets stored in plain text");
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_the_same_only_when_every_byte_is() {
        assert!(same_digest("abc", "abc"));
        assert!(!same_digest("abc", "abd"));
        assert!(!same_digest("abc", "ab"));
        assert!(same_digest("", ""));
    }

    #[test]
    fn an_issued_code_is_not_printed_by_debug() {
        let issued = IssuedEnrolmentCode {
            code: "ABCDE-FGHJK-MNPQR-STVWX".into(),
            expires_at: 1,
        };
        assert!(!format!("{issued:?}").contains("ABCDE"));
    }
}
