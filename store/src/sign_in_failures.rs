//! A subject's streak of wrong passwords (the sign-in back-off's state), the addresses it came
//! from, and the notice that tells the owner. A subject is an account's id, or for an email
//! with no account `email:` and its keyed digest ([`unknown_email_subject`]): such an email
//! is counted exactly like an account, so the back-off's answers never tell which emails have
//! one. Each failure is one transaction: the counter, the address and, once per streak, the
//! owner's notice commit together.

use crate::StoreError;
use domain::account::{AccountNoticeKind, FailedSignIns, STREAK_FORGOTTEN_AFTER_SECS};
use sqlx::AnyPool;

/// The subject of an email that has no account, from its keyed digest.
pub fn unknown_email_subject(email_digest: &str) -> String {
    format!("email:{email_digest}")
}

/// The subject's streak and when `address` (a digest) last failed during it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Streak {
    pub failures: FailedSignIns,
    /// When this address last tried a wrong password for the subject in the streak.
    pub address_failed_at_us: Option<i64>,
}

/// The streak of `subject` as seen from `address`.
pub async fn streak(pool: &AnyPool, subject: &str, address: &str) -> Result<Streak, StoreError> {
    let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(concat!(
        "SELECT s.failures, s.last_failed_us, ",
        "(SELECT f.at_us FROM sign_in_failures f WHERE f.subject = s.subject AND f.address = $2) ",
        "FROM sign_in_streaks s WHERE s.subject = $1"
    ))
    .bind(subject)
    .bind(address)
    .fetch_optional(pool)
    .await?;
    Ok(
        row.map_or_else(Streak::default, |(count, last_at_us, address_failed_at_us)| {
            Streak {
                failures: FailedSignIns {
                    count,
                    last_at_us: Some(last_at_us),
                },
                address_failed_at_us,
            }
        }),
    )
}

/// Counts one wrong password for `subject` from `address` at `at_us`, in one transaction: the
/// counter goes up atomically (a forgotten streak starts again at one), the address joins
/// the streak, and the failure that reaches the waits leaves `owner` (the account, when the
/// subject is one) a notice. The streak as it now stands.
pub async fn record_failure(
    pool: &AnyPool,
    subject: &str,
    owner: Option<&str>,
    address: &str,
    at_us: i64,
) -> Result<FailedSignIns, StoreError> {
    let forgotten_before = at_us - STREAK_FORGOTTEN_AFTER_SECS * 1_000_000;
    let mut tx = crate::db::begin(pool).await?;
    let (count,): (i64,) = sqlx::query_as(concat!(
        "INSERT INTO sign_in_streaks (subject, failures, last_failed_us) VALUES ($1, 1, $2) ",
        "ON CONFLICT (subject) DO UPDATE SET failures = CASE WHEN sign_in_streaks.last_failed_us <= $3 ",
        "THEN 1 ELSE sign_in_streaks.failures + 1 END, last_failed_us = excluded.last_failed_us ",
        "RETURNING failures"
    ))
    .bind(subject)
    .bind(at_us)
    .bind(forgotten_before)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM sign_in_failures WHERE subject = $1 AND at_us <= $2")
        .bind(subject)
        .bind(forgotten_before)
        .execute(&mut *tx)
        .await?;
    sqlx::query(concat!(
        "INSERT INTO sign_in_failures (subject, address, at_us) VALUES ($1, $2, $3) ",
        "ON CONFLICT (subject, address) DO UPDATE SET at_us = excluded.at_us"
    ))
    .bind(subject)
    .bind(address)
    .bind(at_us)
    .execute(&mut *tx)
    .await?;
    if let Some(owner) = owner.filter(|_| FailedSignIns::tell_owner(count)) {
        crate::account_notices::insert(&mut tx, owner, AccountNoticeKind::SignInFailures, at_us, count)
            .await?;
    }
    tx.commit().await?;
    Ok(FailedSignIns {
        count,
        last_at_us: Some(at_us),
    })
}

/// Ends the streak of `subject` (after a right password, or when its account goes).
pub async fn reset(pool: &AnyPool, subject: &str) -> Result<(), StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    forget_subject(&mut tx, subject).await?;
    tx.commit().await.map_err(StoreError::from)
}

/// Forgets `subject`'s streak and addresses in the caller's transaction.
pub(crate) async fn forget_subject(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    subject: &str,
) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM sign_in_streaks WHERE subject = $1",
        "DELETE FROM sign_in_failures WHERE subject = $1",
    ] {
        sqlx::query(sql).bind(subject).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Forgets the addresses of streaks over a day old, and such streaks, so the tables hold only
/// live streaks however many addresses and emails were guessed (the hourly job runs it; a
/// streak is forgotten by then anyway, see `FailedSignIns::current`). Returns the addresses
/// removed.
pub async fn forget_old(pool: &AnyPool, now_us: i64) -> Result<u64, StoreError> {
    let forgotten_before = now_us - STREAK_FORGOTTEN_AFTER_SECS * 1_000_000;
    let mut tx = crate::db::begin(pool).await?;
    let removed = sqlx::query("DELETE FROM sign_in_failures WHERE at_us <= $1")
        .bind(forgotten_before)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query("DELETE FROM sign_in_streaks WHERE last_failed_us <= $1")
        .bind(forgotten_before)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(removed)
}
