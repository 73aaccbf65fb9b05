//! A request as the rules see it (its case), and writing a change the rules allowed:
//! status, timeline entry, audit row, notification and upheld objection together.

use super::{Actor, append_event, notify};
use crate::{StoreError, audit, code, now_us};
use domain::calendar::Date;
use domain::console::{Case, Change};
use domain::requests::Clock;
use sqlx::AnyPool;

/// The columns of a request the rules decide on.
#[derive(sqlx::FromRow)]
struct CaseRow {
    status: String,
    kind: String,
    user_id: String,
    purpose_id: Option<String>,
    policy: String,
    received_on: String,
    paused_days: i64,
    extended: i64,
    paused_since: Option<String>,
    open_tasks: i64,
}

impl CaseRow {
    /// The case, with its legal clock.
    fn into_case(self) -> Result<Case, sqlx::Error> {
        Ok(Case {
            status: code("privacy_requests.status", &self.status)?,
            kind: code("privacy_requests.kind", &self.kind)?,
            user_id: self.user_id,
            purpose_id: self.purpose_id,
            policy: code("privacy_requests.policy", &self.policy)?,
            clock: Clock {
                received: code("privacy_requests.received_on", &self.received_on)?,
                paused_days: self.paused_days,
                extended: self.extended == 1,
            },
            paused_since: self
                .paused_since
                .map(|p| code("privacy_requests.paused_since", &p))
                .transpose()?,
            open_tasks: self.open_tasks,
        })
    }
}

/// Request `id` as the rules see it (only if it is `user_id`'s, when given).
pub async fn case(pool: &AnyPool, user_id: Option<&str>, id: &str) -> Result<Option<Case>, StoreError> {
    let row: Option<CaseRow> = sqlx::query_as(concat!(
        "SELECT r.status, r.kind, r.user_id, r.purpose_id, r.policy, r.received_on, r.paused_days, r.extended, ",
        "r.paused_since, ",
        "(SELECT COUNT(*) FROM request_tasks t WHERE t.request_id = r.id AND t.outcome IS NULL) AS open_tasks ",
        "FROM privacy_requests r WHERE r.id = $1 AND ($2 IS NULL OR r.user_id = $2)"
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    row.map(CaseRow::into_case).transpose().map_err(StoreError::from)
}

/// Writes `change` to request `id`, which was `case`, in one transaction with its timeline
/// entry, and for an officer's change the audit row and the resident's notification. A
/// concurrent change in between is refused as illegal, never overwritten.
pub async fn apply(
    pool: &AnyPool,
    id: &str,
    case: &Case,
    change: &Change,
    actor: Actor<'_>,
    today: Date,
) -> Result<(), ApplyError> {
    let at = now_us();
    let mut tx = crate::db::begin(pool).await?;
    let closed_on = change.next.is_closed().then(|| today.to_string());
    let changed = sqlx::query(concat!(
        "UPDATE privacy_requests SET status = $1, closed_on = $2, updated_at_us = $3, ",
        "extended = CASE WHEN $4 IS NULL THEN extended ELSE 1 END, due_on = COALESCE($4, due_on) ",
        "WHERE id = $5 AND status = $6"
    ))
    .bind(change.next.code())
    .bind(closed_on)
    .bind(at)
    .bind(change.extended_due.map(|d| d.to_string()))
    .bind(id)
    .bind(case.status.code())
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() == 0 {
        // Someone else moved it first; their change stands.
        return Err(ApplyError::Raced(domain::requests::IllegalTransition {
            from: case.status,
            to: change.next,
        }));
    }
    let reason = change.reason.as_deref();
    append_event(&mut tx, id, at, change.next, reason, &actor.timeline_name()).await?;
    if let Actor::Officer(officer) = actor {
        let entry = audit::AuditEntry {
            actor: audit::Actor::Staff(officer),
            action: change.action,
            request_id: Some(id),
            detail: &change.detail,
        };
        audit::record(&mut tx, &entry).await?;
        notify(&mut tx, &case.user_id, id, at, "status", Some(change.next)).await?;
    }
    if let (true, Some(purpose_id)) = (change.uphold_objection, &case.purpose_id) {
        uphold_objection(&mut tx, &case.user_id, purpose_id, id, at).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Records that request `id` upheld `user_id`'s objection to `purpose_id` (once per resident
/// and purpose; a later one changes nothing).
async fn uphold_objection(
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
    purpose_id: &str,
    id: &str,
    at_us: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(concat!(
        "INSERT INTO upheld_objections (user_id, purpose_id, request_id, at_us) VALUES ($1, $2, $3, $4) ",
        "ON CONFLICT (user_id, purpose_id) DO NOTHING"
    ))
    .bind(user_id)
    .bind(purpose_id)
    .bind(id)
    .bind(at_us)
    .execute(conn)
    .await?;
    Ok(())
}

/// Why a change was not written.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Another change landed first.
    #[error(transparent)]
    Raced(domain::requests::IllegalTransition),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ApplyError {
    fn from(e: sqlx::Error) -> Self {
        ApplyError::Store(e.into())
    }
}
