//! The retention purge: an erased account's evidence (its consent and enrollment events,
//! its privacy requests with their records) is kept, pseudonymised, for the retention
//! period, then removed. Each account's purge is one transaction with its staff-log entry
//! and the recorded redactions of the ledger entries it removes, so `audit verify` still
//! passes and anyone can see what went, when and under which rule.

use crate::StoreError;
use crate::audit::{self, Actor, AuditEntry};
use domain::ledger::{PURGE_ACTION, purge_detail};
use sqlx::AnyPool;

/// What one run removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub accounts: u64,
    /// Consent and enrollment events (each a redacted ledger entry).
    pub events: u64,
    pub requests: u64,
}

/// Removes the evidence of every account erased at least `retention_days` ago (by
/// `now_secs`), one account per transaction. `actor` is who runs it: the server's schedule
/// or the operator.
pub async fn purge_expired(
    pool: &AnyPool,
    actor: Actor<'_>,
    retention_days: u32,
    now_secs: i64,
) -> Result<Purged, StoreError> {
    let cutoff = now_secs - i64::from(retention_days) * 86_400;
    let accounts: Vec<(String,)> = sqlx::query_as(concat!(
        "SELECT u.id FROM users u WHERE u.erased_at IS NOT NULL AND u.erased_at <= $1 AND (",
        "EXISTS (SELECT 1 FROM consent_events e WHERE e.user_id = u.id) ",
        "OR EXISTS (SELECT 1 FROM enrollment_events e WHERE e.user_id = u.id) ",
        "OR EXISTS (SELECT 1 FROM privacy_requests r WHERE r.user_id = u.id)) ORDER BY u.erased_at"
    ))
    .bind(cutoff)
    .fetch_all(pool)
    .await?;
    let mut purged = Purged::default();
    for (account,) in accounts {
        let (events, requests) = purge_account(pool, actor, retention_days, &account).await?;
        purged.accounts += 1;
        purged.events += events;
        purged.requests += requests;
    }
    Ok(purged)
}

/// One account's purge: the staff-log entry listing the ledger entries that go, their
/// redactions, then the rows. Returns the events and requests removed.
async fn purge_account(
    pool: &AnyPool,
    actor: Actor<'_>,
    retention_days: u32,
    account: &str,
) -> Result<(u64, u64), StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    // The ledger's lock first: a second server purging the same account waits, then finds
    // nothing left.
    crate::ledger::lock_head(&mut tx).await?;
    let indexes: Vec<(i64,)> = sqlx::query_as(concat!(
        "SELECT l.idx FROM ledger l JOIN consent_events e ON l.source = 'consent' AND l.entry_id = e.id ",
        "WHERE e.user_id = $1 UNION ",
        "SELECT l.idx FROM ledger l JOIN enrollment_events e ON l.source = 'enrollment' AND l.entry_id = e.id ",
        "WHERE e.user_id = $1 ORDER BY 1"
    ))
    .bind(account)
    .fetch_all(&mut *tx)
    .await?;
    let indexes: Vec<i64> = indexes.into_iter().map(|(i,)| i).collect();
    let (requests,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM privacy_requests WHERE user_id = $1")
        .bind(account)
        .fetch_one(&mut *tx)
        .await?;
    if indexes.is_empty() && requests == 0 {
        return Ok((0, 0));
    }
    let detail = purge_detail(account, retention_days, &indexes);
    let entry = AuditEntry {
        actor,
        action: PURGE_ACTION,
        request_id: None,
        detail: &detail,
    };
    let audit_id = audit::record(&mut tx, &entry).await?;
    for idx in &indexes {
        crate::ledger::redact(&mut tx, *idx, &audit_id).await?;
    }
    let mut events = 0;
    for table in ["consent_events", "enrollment_events"] {
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE user_id = $1"
        )))
        .bind(account)
        .execute(&mut *tx)
        .await?;
        events += done.rows_affected();
    }
    sqlx::query("UPDATE enrollment_codes SET user_id = NULL WHERE user_id = $1")
        .bind(account)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM privacy_requests WHERE user_id = $1")
        .bind(account)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((events, u64::try_from(requests).unwrap_or(0)))
}
