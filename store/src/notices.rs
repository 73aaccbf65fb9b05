//! What the register's notices and the account notices share: a per-person table of notices
//! with a `read_at_us`, counted while unread and marked read one at a time or all at once.

use crate::StoreError;
use sqlx::AnyPool;

/// A table of notices (its name is fixed here, never taken from input).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Notices {
    /// Changes to systems a resident follows or that hold their data.
    Register,
    /// The account's own notices (wrong passwords tried, a sign-up with its email).
    Account,
}

impl Notices {
    fn table(self) -> &'static str {
        match self {
            Notices::Register => "register_notifications",
            Notices::Account => "account_notices",
        }
    }
}

/// How many of `user_id`'s notices in `notices` are unread.
pub(crate) async fn unread(pool: &AnyPool, notices: Notices, user_id: &str) -> Result<i64, StoreError> {
    let sql = format!(
        "SELECT COUNT(*) FROM {} WHERE user_id = $1 AND read_at_us IS NULL",
        notices.table()
    );
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .fetch_one(pool)
        .await?;
    Ok(n)
}

/// Marks one of `user_id`'s notices in `notices` read, or all of them (`id` `None`).
pub(crate) async fn mark_read(
    pool: &AnyPool,
    notices: Notices,
    user_id: &str,
    id: Option<&str>,
) -> Result<(), StoreError> {
    let sql = format!(
        "UPDATE {} SET read_at_us = $1 WHERE user_id = $2 AND read_at_us IS NULL AND ($3 IS NULL OR id = $3)",
        notices.table()
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(crate::now_us())
        .bind(user_id)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}
