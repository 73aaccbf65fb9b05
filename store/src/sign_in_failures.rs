//! An account's streak of wrong passwords (the sign-in back-off's state), the addresses it
//! came from, and the notice that tells the owner. Each failure is one transaction: the
//! counter, the address and, once per streak, the notice commit together.

use crate::{StoreError, new_event_id};
use domain::account::{FailedSignIns, STREAK_FORGOTTEN_AFTER_SECS, SignInFailuresNotice};
use sqlx::{AnyPool, FromRow};

/// The account's streak and when `address` (a digest) last failed during it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Streak {
    pub failures: FailedSignIns,
    /// When this address last tried a wrong password for the account in the streak.
    pub address_failed_at_us: Option<i64>,
}

/// The streak of account `user_id` as seen from `address`.
pub async fn streak(pool: &AnyPool, user_id: &str, address: &str) -> Result<Streak, StoreError> {
    let row: Option<(i64, Option<i64>, Option<i64>)> = sqlx::query_as(concat!(
        "SELECT u.failed_sign_ins, u.last_failed_sign_in_us, ",
        "(SELECT f.at_us FROM sign_in_failures f WHERE f.user_id = u.id AND f.address = $2) ",
        "FROM users u WHERE u.id = $1"
    ))
    .bind(user_id)
    .bind(address)
    .fetch_optional(pool)
    .await?;
    Ok(
        row.map_or_else(Streak::default, |(count, last_at_us, address_failed_at_us)| {
            Streak {
                failures: FailedSignIns { count, last_at_us },
                address_failed_at_us,
            }
        }),
    )
}

/// Counts one wrong password for `user_id` from `address` at `at_us`, in one transaction: the
/// counter goes up atomically (a forgotten streak starts again at one), the address joins
/// the streak, and the failure that reaches the waits leaves the owner a notice. The streak
/// as it now stands.
pub async fn record_failure(
    pool: &AnyPool,
    user_id: &str,
    address: &str,
    at_us: i64,
) -> Result<FailedSignIns, StoreError> {
    let forgotten_before = at_us - STREAK_FORGOTTEN_AFTER_SECS * 1_000_000;
    let mut tx = crate::db::begin(pool).await?;
    let (count,): (i64,) = sqlx::query_as(concat!(
        "UPDATE users SET failed_sign_ins = CASE WHEN last_failed_sign_in_us IS NULL ",
        "OR last_failed_sign_in_us <= $1 THEN 1 ELSE failed_sign_ins + 1 END, ",
        "last_failed_sign_in_us = $2 WHERE id = $3 RETURNING failed_sign_ins"
    ))
    .bind(forgotten_before)
    .bind(at_us)
    .bind(user_id)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM sign_in_failures WHERE user_id = $1 AND at_us <= $2")
        .bind(user_id)
        .bind(forgotten_before)
        .execute(&mut *tx)
        .await?;
    sqlx::query(concat!(
        "INSERT INTO sign_in_failures (user_id, address, at_us) VALUES ($1, $2, $3) ",
        "ON CONFLICT (user_id, address) DO UPDATE SET at_us = excluded.at_us"
    ))
    .bind(user_id)
    .bind(address)
    .bind(at_us)
    .execute(&mut *tx)
    .await?;
    if FailedSignIns::tell_owner(count) {
        sqlx::query(concat!(
            "INSERT INTO account_notifications (id, user_id, kind, at_us, failures) ",
            "VALUES ($1, $2, 'sign_in_failures', $3, $4)"
        ))
        .bind(new_event_id())
        .bind(user_id)
        .bind(at_us)
        .bind(count)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(FailedSignIns {
        count,
        last_at_us: Some(at_us),
    })
}

/// Ends the streak of `user_id` after a right password (the counter and its addresses go).
pub async fn reset(pool: &AnyPool, user_id: &str) -> Result<(), StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    sqlx::query("UPDATE users SET failed_sign_ins = 0, last_failed_sign_in_us = NULL WHERE id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sign_in_failures WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await.map_err(StoreError::from)
}

#[derive(FromRow)]
struct NoticeRow {
    id: String,
    failures: i64,
    at_us: i64,
    read_at_us: Option<i64>,
}

/// The person's notices about wrong passwords tried on their account, newest first (at most 100).
pub async fn notices(pool: &AnyPool, user_id: &str) -> Result<Vec<SignInFailuresNotice>, StoreError> {
    let rows: Vec<NoticeRow> = sqlx::query_as(concat!(
        "SELECT id, failures, at_us, read_at_us FROM account_notifications ",
        "WHERE user_id = $1 ORDER BY at_us DESC, id DESC LIMIT 100"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SignInFailuresNotice {
            id: r.id,
            failures: r.failures,
            at: crate::rfc3339_us(r.at_us),
            read: r.read_at_us.is_some(),
        })
        .collect())
}

/// How many of the person's account notices are unread.
pub async fn unread_notices(pool: &AnyPool, user_id: &str) -> Result<i64, StoreError> {
    crate::notices::unread(pool, crate::notices::Notices::Account, user_id).await
}

/// Marks one of the person's account notices read, or all of them (`id` `None`).
pub async fn mark_notices_read(pool: &AnyPool, user_id: &str, id: Option<&str>) -> Result<(), StoreError> {
    crate::notices::mark_read(pool, crate::notices::Notices::Account, user_id, id).await
}

/// Forgets the addresses of streaks over a day old, and the counters of such streaks, so
/// the table holds only live streaks however many addresses guessed (the hourly job runs
/// it; a streak is forgotten by then anyway, see `FailedSignIns::current`). Returns the
/// addresses removed.
pub async fn forget_old(pool: &AnyPool, now_us: i64) -> Result<u64, StoreError> {
    let forgotten_before = now_us - STREAK_FORGOTTEN_AFTER_SECS * 1_000_000;
    let mut tx = crate::db::begin(pool).await?;
    let removed = sqlx::query("DELETE FROM sign_in_failures WHERE at_us <= $1")
        .bind(forgotten_before)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query(
        "UPDATE users SET failed_sign_ins = 0, last_failed_sign_in_us = NULL \
         WHERE last_failed_sign_in_us IS NOT NULL AND last_failed_sign_in_us <= $1",
    )
    .bind(forgotten_before)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(removed)
}
