//! Account notices: what happened to an account that its owner should know (wrong passwords
//! tried, a sign-up with its email), read on `/my/notifications`. Each is written in the
//! transaction of what it tells about.

use crate::{StoreError, new_event_id};
use domain::account::{AccountNotice, AccountNoticeKind};
use sqlx::{AnyPool, FromRow};

/// The most notices one read returns, newest first. Notices are rare by construction (one per
/// streak of wrong passwords; sign-up attempts add up in one unread notice), so a person
/// reaching this many has had their account under attack for a long time; the count of
/// unread ones stays exact.
pub const MOST_SHOWN: i64 = 100;

/// Leaves `user_id` a notice that someone tried to sign up with their email at `at_us`: the
/// unread notice of that kind counts one more, or a new one starts. One transaction, so two
/// attempts at once count two.
pub async fn record_sign_up_attempt(pool: &AnyPool, user_id: &str, at_us: i64) -> Result<(), StoreError> {
    let kind = AccountNoticeKind::SignUpAttempts.code();
    let mut tx = crate::db::begin(pool).await?;
    let counted = sqlx::query(
        "UPDATE account_notices SET times = times + 1, at_us = $1 \
         WHERE user_id = $2 AND kind = $3 AND read_at_us IS NULL",
    )
    .bind(at_us)
    .bind(user_id)
    .bind(kind)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if counted == 0 {
        insert(&mut tx, user_id, AccountNoticeKind::SignUpAttempts, at_us, 1).await?;
    }
    tx.commit().await.map_err(StoreError::from)
}

/// Adds a notice in the caller's transaction.
pub(crate) async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: &str,
    kind: AccountNoticeKind,
    at_us: i64,
    times: i64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO account_notices (id, user_id, kind, at_us, times) VALUES ($1, $2, $3, $4, $5)")
        .bind(new_event_id())
        .bind(user_id)
        .bind(kind.code())
        .bind(at_us)
        .bind(times)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(FromRow)]
struct NoticeRow {
    id: String,
    kind: String,
    times: i64,
    at_us: i64,
    read_at_us: Option<i64>,
}

/// The person's account notices, newest first (at most [`MOST_SHOWN`]).
pub async fn list(pool: &AnyPool, user_id: &str) -> Result<Vec<AccountNotice>, StoreError> {
    read(pool, user_id, MOST_SHOWN).await
}

/// Every one of the person's account notices, newest first (for their access package).
pub async fn all(pool: &AnyPool, user_id: &str) -> Result<Vec<AccountNotice>, StoreError> {
    read(pool, user_id, i64::MAX).await
}

async fn read(pool: &AnyPool, user_id: &str, most: i64) -> Result<Vec<AccountNotice>, StoreError> {
    let rows: Vec<NoticeRow> = sqlx::query_as(
        "SELECT id, kind, times, at_us, read_at_us FROM account_notices \
         WHERE user_id = $1 ORDER BY at_us DESC, id DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(most)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let kind = AccountNoticeKind::from_code(&r.kind).ok_or_else(|| {
                sqlx::Error::Decode(format!("account notice {}: kind {:?}", r.id, r.kind).into())
            })?;
            Ok(AccountNotice {
                id: r.id,
                kind,
                times: r.times,
                at: crate::rfc3339_us(r.at_us),
                read: r.read_at_us.is_some(),
            })
        })
        .collect()
}

/// How many of the person's account notices are unread.
pub async fn unread(pool: &AnyPool, user_id: &str) -> Result<i64, StoreError> {
    crate::notices::unread(pool, crate::notices::Notices::Account, user_id).await
}

/// Marks one of the person's account notices read, or all of them (`id` `None`).
pub async fn mark_read(pool: &AnyPool, user_id: &str, id: Option<&str>) -> Result<(), StoreError> {
    crate::notices::mark_read(pool, crate::notices::Notices::Account, user_id, id).await
}
