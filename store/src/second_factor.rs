//! Staff second factors (part of the accounts aggregate): the authenticator's secret (sealed
//! by `auth`), its one-time recovery codes, the operator's enrolment codes, the pending
//! sign-ins used up, and the operator's switches over an account (disable, reset). Each
//! change commits with its audit row.

use super::now;
use crate::StoreError;
use crate::audit::{Actor, AuditEntry};
use sqlx::{AnyPool, FromRow};

mod enrolment;

pub use enrolment::{
    EnrolmentCodeRow, NewEnrolment, NewEnrolmentCode, enrolment_code, issue_enrolment_code,
    redeem_enrolment_code,
};

/// A staff member's authenticator.
#[derive(Debug, Clone, FromRow)]
pub struct SecondFactorRow {
    /// The shared secret, sealed by `auth` (a row from before secrets were sealed holds it
    /// as base32 until the server's start seals it).
    pub secret: String,
    /// The recovery codes to show while the enrolment is unconfirmed, sealed like the
    /// secret; `None` once confirmed, when only their digests remain.
    pub pending_recovery_codes: Option<String>,
    pub confirmed_at: Option<i64>,
    /// The last 30-second step a code was accepted for.
    pub last_step: i64,
}

/// The pending sign-in a second step is taken for, by its token's id: it is used once.
#[derive(Debug, Clone, Copy)]
pub struct PendingUse<'a> {
    pub jti: &'a str,
    /// When its token expires (the record may go then).
    pub expires_at: i64,
}

/// What became of a second step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    /// Accepted: the pending sign-in is used up.
    Accepted,
    /// The code was not right, or is used up; nothing changed.
    Refused,
    /// The pending sign-in was used before; nothing changed.
    SignInUsed,
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

/// Records the pending sign-in as used, inside the caller's transaction. `false`: it was
/// used before (the caller drops the transaction, changing nothing).
async fn use_pending(conn: &mut sqlx::AnyConnection, pending: PendingUse<'_>) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO used_pending_sign_ins (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING",
    )
    .bind(pending.jti)
    .bind(pending.expires_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether the pending sign-in `jti` was used already.
pub async fn pending_used(pool: &AnyPool, jti: &str) -> Result<bool, StoreError> {
    let found: Option<String> = sqlx::query_scalar("SELECT jti FROM used_pending_sign_ins WHERE jti = $1")
        .bind(jti)
        .fetch_optional(pool)
        .await?;
    Ok(found.is_some())
}

/// Forgets used pending sign-ins whose tokens have expired by `at` (they are refused as
/// expired anyway). Returns how many went.
pub async fn forget_used_pending(pool: &AnyPool, at: i64) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM used_pending_sign_ins WHERE expires_at < $1")
        .bind(at)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

/// Confirms an enrolment with the first code's `step`: the recovery codes are kept only as
/// `recovery_code_digests` from now on; recorded as the staff member's own action, and the
/// pending sign-in used up, in one transaction. `Refused`: nothing to confirm (already
/// confirmed, or reset meanwhile).
pub async fn confirm_enrolment(
    pool: &AnyPool,
    user_id: &str,
    step: i64,
    recovery_code_digests: &[String],
    pending: PendingUse<'_>,
    by: Actor<'_>,
) -> Result<StepOutcome, StoreError> {
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
        return Ok(StepOutcome::Refused);
    }
    if !use_pending(&mut tx, pending).await? {
        return Ok(StepOutcome::SignInUsed);
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
    Ok(StepOutcome::Accepted)
}

/// Accepts a code for `step` if no code of that step or a later one was accepted before
/// (checked in the same statement, so two sign-ins cannot both use one code), using up the
/// pending sign-in in the same transaction.
pub async fn accept_step(
    pool: &AnyPool,
    user_id: &str,
    step: i64,
    pending: PendingUse<'_>,
) -> Result<StepOutcome, StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    let done = sqlx::query(
        "UPDATE second_factors SET last_step = $1 \
         WHERE user_id = $2 AND confirmed_at IS NOT NULL AND last_step < $1",
    )
    .bind(step)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(StepOutcome::Refused);
    }
    if !use_pending(&mut tx, pending).await? {
        return Ok(StepOutcome::SignInUsed);
    }
    tx.commit().await?;
    Ok(StepOutcome::Accepted)
}

/// Uses up the recovery code with `digest`, with the audit row (which says how many are
/// left) and the pending sign-in in the same transaction. `Refused`: no such unused code.
pub async fn use_recovery_code(
    pool: &AnyPool,
    user_id: &str,
    digest: &str,
    pending: PendingUse<'_>,
    by: Actor<'_>,
) -> Result<StepOutcome, StoreError> {
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
        return Ok(StepOutcome::Refused);
    }
    if !use_pending(&mut tx, pending).await? {
        return Ok(StepOutcome::SignInUsed);
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
    Ok(StepOutcome::Accepted)
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
/// phone), and issues the enrolment `code` their next sign-in enrols a new authenticator
/// with. Recorded as `by`'s, each change with its audit row, in one transaction. `false`: no
/// such account.
pub async fn reset(
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
    for table in ["second_factors", "recovery_codes", "sessions"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE user_id = $1"
        )))
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    }
    record(&mut tx, by, "reset_second_factor", user_id).await?;
    enrolment::replace_code(&mut tx, user_id, code, by).await?;
    tx.commit().await?;
    Ok(true)
}

/// The authenticators whose secret is not sealed yet (stored before secrets were), as
/// `(user_id, secret)`; sealed values start with `sealed_prefix`.
pub async fn unsealed_secrets(
    pool: &AnyPool,
    sealed_prefix: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT user_id, secret FROM second_factors WHERE secret NOT LIKE $1")
            .bind(format!("{sealed_prefix}%"))
            .fetch_all(pool)
            .await?,
    )
}

/// Replaces plain secrets by their sealed form, `(user_id, plain, sealed)`, in one
/// transaction; each replacement is guarded by the plain value it replaces. Not audited: the
/// authenticator stays the same, only how it is stored changes. Returns how many changed.
pub async fn seal_secrets(pool: &AnyPool, sealed: &[(String, String, String)]) -> Result<u64, StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    let mut changed = 0;
    for (user_id, plain, sealed) in sealed {
        changed += sqlx::query("UPDATE second_factors SET secret = $1 WHERE user_id = $2 AND secret = $3")
            .bind(sealed)
            .bind(user_id)
            .bind(plain)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    }
    tx.commit().await?;
    Ok(changed)
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

pub(crate) async fn record(
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
