//! The admin audit log: every officer and admin action, who, what, when, on which request.
//! The application only inserts and reads it; nothing edits or deletes a row, and every
//! row has its leaf in the ledger, appended in the same transaction.

use super::{new_event_id, now_us};
use crate::StoreError;
use domain::account::CurrentUser;
use domain::ledger::{AuditLeaf, LedgerEntry};

/// Who acted.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// An officer or admin, signed in.
    Staff(&'a CurrentUser),
    /// The city's operator, through the command line on the server.
    Operator,
    /// The server itself, on a schedule (the retention purge).
    Scheduler,
    /// An agency's API client (e.g. reporting an incident): its id and agency slug.
    Agency { client_id: &'a str, agency: &'a str },
}

impl Actor<'_> {
    pub(crate) fn id_and_name(&self) -> (String, String) {
        match self {
            Actor::Staff(user) => (user.id.clone(), user.display_name.clone()),
            Actor::Operator => ("operator".to_owned(), "Operator (command line)".to_owned()),
            Actor::Scheduler => ("scheduler".to_owned(), "Retention schedule".to_owned()),
            Actor::Agency { client_id, agency } => {
                (format!("client:{client_id}"), format!("API client of {agency}"))
            }
        }
    }
}

/// One action to record.
pub struct AuditEntry<'a> {
    pub actor: Actor<'a>,
    /// A short code: `assign`, `verify_identity`, `extend`, `reject`, `complete_task`, `fulfil`...
    pub action: &'a str,
    pub request_id: Option<&'a str>,
    /// What was done, in words (the reason given, the outcome chosen...).
    pub detail: &'a str,
}

/// Appends `entry` on `conn` (inside the caller's transaction when it has one); returns
/// the new row's id.
pub async fn record(conn: &mut sqlx::AnyConnection, entry: &AuditEntry<'_>) -> Result<String, StoreError> {
    let (actor_id, actor_name) = entry.actor.id_and_name();
    let leaf = AuditLeaf {
        id: new_event_id(),
        at_us: now_us(),
        actor_id,
        actor_name,
        action: entry.action.to_owned(),
        request_id: entry.request_id.map(str::to_owned),
        detail: entry.detail.to_owned(),
    };
    sqlx::query(concat!(
        "INSERT INTO admin_audit (id, at_us, actor_id, actor_name, action, request_id, detail) ",
        "VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ))
    .bind(&leaf.id)
    .bind(leaf.at_us)
    .bind(&leaf.actor_id)
    .bind(&leaf.actor_name)
    .bind(&leaf.action)
    .bind(&leaf.request_id)
    .bind(&leaf.detail)
    .execute(&mut *conn)
    .await?;
    let id = leaf.id.clone();
    crate::ledger::append(conn, &[LedgerEntry::Audit(leaf)]).await?;
    Ok(id)
}

/// Records an action in a transaction of its own: a staff member reading residents' data
/// (opening a case, searching, exporting records, reading this log), recorded before the
/// data is served so that a read that cannot be recorded is refused (fail closed); and the
/// operator's provisioning commands.
pub async fn record_now(pool: &sqlx::AnyPool, entry: &AuditEntry<'_>) -> Result<(), StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}
