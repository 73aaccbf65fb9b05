//! Staff second factors (part of the accounts aggregate): the authenticator's secret, its
//! one-time recovery codes, and the operator's switches over an account (disable, reset).
//! Each change commits with its audit row.

use super::now;
use crate::StoreError;
use crate::audit::{Actor, AuditEntry};
use sqlx::{AnyPool, FromRow};

/// A staff member's authenticator.
#[derive(Debug, Clone, FromRow)]
pub struct SecondFactorRow {
    /// The shared secret, base32, as the authenticator app holds it.
    pub secret: String,
    /// The recovery codes to show while the enrolment is unconfirmed (space-separated, as
    /// shown); `None` once confirmed, when only their digests remain.
    pub pending_recovery_codes: Option<String>,
    pub confirmed_at: Option<i64>,
    /// The last 30-second step a code was accepted for.
    pub last_step: i64,
}

/// The authenticator of `user_id`, confirmed or not.
pub async fn find(pool: &AnyPool, user_id: &str) -> Result<Option<SecondFactorRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT secret, pending_recovery_codes, confirmed_at, last_step FROM second_factors WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await?)
}

/// Starts an enrolment with `secret` and the recovery codes to show, unless the account
/// already has a confirmed authenticator. An unconfirmed one is replaced: each password step
/// gets a secret of its own, so someone else who knows the password never sees the secret
/// the staff member is setting up (and their sign-in, bound to the old secret, ends).
/// Returns the authenticator as it now stands.
pub async fn start_enrolment(
    pool: &AnyPool,
    user_id: &str,
    secret: &str,
    recovery_codes_shown: &str,
) -> Result<SecondFactorRow, StoreError> {
    sqlx::query(
        "INSERT INTO second_factors (user_id, secret, pending_recovery_codes, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, \
         pending_recovery_codes = excluded.pending_recovery_codes, created_at = excluded.created_at \
         WHERE second_factors.confirmed_at IS NULL",
    )
    .bind(user_id)
    .bind(secret)
    .bind(recovery_codes_shown)
    .bind(now())
    .execute(pool)
    .await?;
    find(pool, user_id)
        .await?
        .ok_or(StoreError(sqlx::Error::RowNotFound))
}

/// Confirms an enrolment with the first code's `step`: the recovery codes are kept only as
/// `recovery_code_digests` from now on; recorded as the staff member's own action, in one
/// transaction. `false`: nothing to confirm (already confirmed, or reset meanwhile).
pub async fn confirm_enrolment(
    pool: &AnyPool,
    user_id: &str,
    step: i64,
    recovery_code_digests: &[String],
    by: Actor<'_>,
) -> Result<bool, StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    let confirmed = sqlx::query(
        "UPDATE second_factors SET confirmed_at = $1, last_step = $2, pending_recovery_codes = NULL \
         WHERE user_id = $3 AND confirmed_at IS NULL",
    )
    .bind(now())
    .bind(step)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    if confirmed.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    for digest in recovery_code_digests {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(digest)
            .execute(&mut *tx)
            .await?;
    }
    let detail = format!(
        "authenticator enrolled, {} recovery codes",
        recovery_code_digests.len()
    );
    record(&mut tx, by, "enrol_second_factor", &detail).await?;
    tx.commit().await?;
    Ok(true)
}

/// Accepts a code for `step` if no code of that step or a later one was accepted before
/// (checked in the same statement, so two sign-ins cannot both use one code).
pub async fn accept_step(pool: &AnyPool, user_id: &str, step: i64) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE second_factors SET last_step = $1 \
         WHERE user_id = $2 AND confirmed_at IS NOT NULL AND last_step < $1",
    )
    .bind(step)
    .bind(user_id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Uses up the recovery code with `digest`, with the audit row (which says how many are
/// left) in the same transaction. `false`: no such unused code.
pub async fn use_recovery_code(
    pool: &AnyPool,
    user_id: &str,
    digest: &str,
    by: Actor<'_>,
) -> Result<bool, StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    let used = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now())
    .bind(user_id)
    .bind(digest)
    .execute(&mut *tx)
    .await?;
    if used.rows_affected() == 0 {
        return Ok(false);
    }
    let left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
    record(
        &mut tx,
        by,
        "use_recovery_code",
        &format!("{left} recovery codes left"),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// How many unused recovery codes `user_id` has.
pub async fn recovery_codes_left(pool: &AnyPool, user_id: &str) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user_id)
            .fetch_one(pool)
            .await?,
    )
}

/// Removes `user_id`'s authenticator and recovery codes and ends their sessions (a lost
/// phone): their next sign-in enrols again. Recorded as `by`'s. `false`: no such account.
pub async fn reset(pool: &AnyPool, user_id: &str, by: Actor<'_>) -> Result<bool, StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    let exists: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Ok(false);
    }
    for table in ["second_factors", "recovery_codes", "sessions"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE user_id = $1"
        )))
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    }
    record(&mut tx, by, "reset_second_factor", user_id).await?;
    tx.commit().await?;
    Ok(true)
}

/// Disables (`true`) or enables again an account; disabling ends every session at once.
/// Recorded as `by`'s. `false`: no such account, or it already was so.
pub async fn set_disabled(
    pool: &AnyPool,
    user_id: &str,
    disabled: bool,
    by: Actor<'_>,
) -> Result<bool, StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    let changed = if disabled {
        sqlx::query(
            "UPDATE users SET disabled_at = $1, updated_at = $1 WHERE id = $2 AND disabled_at IS NULL",
        )
        .bind(now())
        .bind(user_id)
        .execute(&mut *tx)
        .await?
    } else {
        sqlx::query(
            "UPDATE users SET disabled_at = NULL, updated_at = $1 WHERE id = $2 AND disabled_at IS NOT NULL",
        )
        .bind(now())
        .bind(user_id)
        .execute(&mut *tx)
        .await?
    };
    if changed.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let action = if disabled { "disable_user" } else { "enable_user" };
    record(&mut tx, by, action, user_id).await?;
    tx.commit().await?;
    Ok(true)
}

async fn record(
    conn: &mut sqlx::AnyConnection,
    by: Actor<'_>,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    let entry = AuditEntry {
        actor: by,
        action,
        request_id: None,
        detail,
    };
    crate::audit::record(conn, &entry).await.map(|_| ())
}
