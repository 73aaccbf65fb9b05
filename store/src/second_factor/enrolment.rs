//! The operator's one-time enrolment codes: issued out of band, kept as a keyed digest, good
//! for a while, redeemed once by a pending sign-in to start enrolling an authenticator.

use super::{PendingUse, StepOutcome, record, use_pending};
use crate::StoreError;
use crate::audit::Actor;
use crate::now;
use sqlx::{AnyPool, FromRow};

/// An account's latest enrolment code.
#[derive(Debug, Clone, FromRow)]
pub struct EnrolmentCodeRow {
    /// The code's keyed digest (hex).
    pub code_hash: String,
    pub expires_at: i64,
    /// When a pending sign-in redeemed it.
    pub used_at: Option<i64>,
}

/// A code to issue: its keyed digest and when it stops being good.
#[derive(Debug, Clone, Copy)]
pub struct NewEnrolmentCode<'a> {
    pub code_hash: &'a str,
    pub expires_at: i64,
}

/// The authenticator an enrolment starts with, sealed by `auth`.
#[derive(Debug, Clone, Copy)]
pub struct NewEnrolment<'a> {
    pub sealed_secret: &'a str,
    /// The recovery codes to show until the first code confirms the enrolment.
    pub sealed_recovery_codes: &'a str,
}

/// `user_id`'s latest enrolment code, used or not.
pub async fn enrolment_code(pool: &AnyPool, user_id: &str) -> Result<Option<EnrolmentCodeRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT code_hash, expires_at, used_at FROM second_factor_enrolment_codes WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await?)
}

/// Issues `code` to `user_id`, replacing any earlier one, with its audit row, in one
/// transaction. `false`: no such account.
pub async fn issue_enrolment_code(
    pool: &AnyPool,
    user_id: &str,
    code: NewEnrolmentCode<'_>,
    by: Actor<'_>,
) -> Result<bool, StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    let exists: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Ok(false);
    }
    replace_code(&mut tx, user_id, code, by).await?;
    tx.commit().await?;
    Ok(true)
}

/// Writes `code` over `user_id`'s earlier one, with its audit row, inside the caller's
/// transaction.
pub(super) async fn replace_code(
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
    code: NewEnrolmentCode<'_>,
    by: Actor<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO second_factor_enrolment_codes (user_id, code_hash, issued_at, expires_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET code_hash = excluded.code_hash, \
         issued_at = excluded.issued_at, expires_at = excluded.expires_at, used_at = NULL",
    )
    .bind(user_id)
    .bind(code.code_hash)
    .bind(now())
    .bind(code.expires_at)
    .execute(&mut *conn)
    .await?;
    let detail = format!(
        "enrolment code for {user_id}, good until {}",
        crate::rfc3339_us(code.expires_at.saturating_mul(1_000_000))
    );
    record(conn, by, "issue_enrolment_code", &detail).await
}

/// Redeems `user_id`'s enrolment code with digest `code_hash` at `at` and starts enrolling
/// `enrolment`: the code is used up, the authenticator stored unconfirmed (replacing one a
/// redemption before left unconfirmed), the pending sign-in used up, and the audit row
/// written, in one transaction. `Refused`: the code is not (or no longer) good, or the
/// account has a confirmed authenticator; nothing changed.
pub async fn redeem_enrolment_code(
    pool: &AnyPool,
    user_id: &str,
    code_hash: &str,
    at: i64,
    enrolment: NewEnrolment<'_>,
    pending: PendingUse<'_>,
    by: Actor<'_>,
) -> Result<StepOutcome, StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    let redeemed = sqlx::query(
        "UPDATE second_factor_enrolment_codes SET used_at = $1 \
         WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(at)
    .bind(user_id)
    .bind(code_hash)
    .execute(&mut *tx)
    .await?;
    if redeemed.rows_affected() != 1 {
        return Ok(StepOutcome::Refused);
    }
    let started = sqlx::query(
        "INSERT INTO second_factors (user_id, secret, pending_recovery_codes, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, \
         pending_recovery_codes = excluded.pending_recovery_codes, created_at = excluded.created_at \
         WHERE second_factors.confirmed_at IS NULL",
    )
    .bind(user_id)
    .bind(enrolment.sealed_secret)
    .bind(enrolment.sealed_recovery_codes)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    if started.rows_affected() != 1 {
        return Ok(StepOutcome::Refused);
    }
    if !use_pending(&mut tx, pending).await? {
        return Ok(StepOutcome::SignInUsed);
    }
    record(
        &mut tx,
        by,
        "redeem_enrolment_code",
        "authenticator enrolment started",
    )
    .await?;
    tx.commit().await?;
    Ok(StepOutcome::Accepted)
}
