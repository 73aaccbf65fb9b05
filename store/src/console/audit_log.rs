//! Reading the admin audit log, a page at a time.

use crate::{StoreError, rfc3339_us};
use domain::requests::{AUDIT_PAGE_SIZE, AuditPage, AuditRow};
use sqlx::AnyPool;

/// One entry of the admin audit log.
#[derive(sqlx::FromRow)]
struct AuditLogRow {
    at_us: i64,
    actor_name: String,
    action: String,
    request_id: Option<String>,
    detail: String,
}

impl AuditLogRow {
    /// The entry as the console shows it.
    fn into_audit_row(self) -> AuditRow {
        AuditRow {
            seq_key: self.at_us,
            at: rfc3339_us(self.at_us),
            actor: self.actor_name,
            action: self.action,
            request_id: self.request_id,
            detail: self.detail,
        }
    }
}

/// One page of the audit log, newest first, before `before` (an `at_us`).
pub async fn audit_page(pool: &AnyPool, before: Option<i64>) -> Result<AuditPage, StoreError> {
    let rows: Vec<AuditLogRow> = sqlx::query_as(concat!(
        "SELECT at_us, actor_name, action, request_id, detail FROM admin_audit ",
        "WHERE ($1 IS NULL OR at_us < $1) ORDER BY at_us DESC, id DESC LIMIT $2"
    ))
    .bind(before)
    .bind(i64::from(AUDIT_PAGE_SIZE) + 1)
    .fetch_all(pool)
    .await?;
    let more = rows.len() > AUDIT_PAGE_SIZE as usize;
    let rows: Vec<AuditRow> = rows
        .into_iter()
        .take(AUDIT_PAGE_SIZE as usize)
        .map(AuditLogRow::into_audit_row)
        .collect();
    let next_before = more.then(|| rows.last().map(|r| r.seq_key)).flatten();
    Ok(AuditPage { rows, next_before })
}
