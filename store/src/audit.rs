//! The admin audit log: every officer and admin action, who, what, when, on which request.
//! The application only inserts and reads it; nothing edits or deletes a row.

use super::{new_event_id, now_us};
use crate::StoreError;
use domain::account::CurrentUser;

/// One action to record.
pub struct AuditEntry<'a> {
    pub actor: &'a CurrentUser,
    /// A short code: `assign`, `verify_identity`, `extend`, `reject`, `complete_task`, `fulfil`...
    pub action: &'a str,
    pub request_id: Option<&'a str>,
    /// What was done, in words (the reason given, the outcome chosen...).
    pub detail: &'a str,
}

/// Appends `entry` on `conn` (inside the caller's transaction when it has one).
pub async fn record(conn: &mut sqlx::AnyConnection, entry: &AuditEntry<'_>) -> Result<(), StoreError> {
    sqlx::query(concat!(
        "INSERT INTO admin_audit (id, at_us, actor_id, actor_name, action, request_id, detail) ",
        "VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ))
    .bind(new_event_id())
    .bind(now_us())
    .bind(&entry.actor.id)
    .bind(&entry.actor.display_name)
    .bind(entry.action)
    .bind(entry.request_id)
    .bind(entry.detail)
    .execute(conn)
    .await?;
    Ok(())
}
