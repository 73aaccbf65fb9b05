//! Privacy requests: filing (the request, one task per system, the first timeline entry in
//! one transaction), the resident's list and detail, withdrawal, and the agencies' tasks.
//!
//! Every query a resident reaches names the resident (`user_id = $n`), so another
//! resident's request is simply not found. Every query an agency reaches names the agency.

/// The columns of `privacy_requests r` that [`SummaryRow`] reads, as a literal so every
/// statement stays a static string.
macro_rules! summary_columns {
    () => {
        "r.id, r.kind, r.status, r.received_on, r.due_on, r.closed_on"
    };
}
pub(crate) use summary_columns;

mod case;
mod filing;
mod messages;
mod resident;
mod tasks;

pub use case::{ApplyError, apply, case};
pub use filing::{FileError, Filing, file};
pub use messages::{ReplyError, add_message, mark_read, notices_page, notify, reply, unread};
pub use resident::{detail, mine, mine_page};
pub use tasks::{AgencyTask, Completion, TaskError, TaskFilter, agency_tasks, complete_task};

use crate::{StoreError, code, new_event_id, now_us};
use domain::calendar::Date;
use domain::requests::{RequestKind, RequestStatus, RequestSummary};

/// Today's date in UTC, the day the legal clock counts in.
pub fn today() -> Date {
    Date::from_unix_seconds(super::now())
}

/// Who made a change, as the timeline and the audit log name them.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// The resident whose request it is.
    Resident,
    /// A privacy officer (or admin) of the city.
    Officer(&'a domain::account::CurrentUser),
}

impl Actor<'_> {
    /// The timeline's name: `resident` or `officer:<id>`.
    pub fn timeline_name(&self) -> String {
        match self {
            Actor::Resident => "resident".to_owned(),
            Actor::Officer(officer) => format!("officer:{}", officer.id),
        }
    }
}

/// Withdraws every open request of `user_id`, whose account is being deleted (nobody could
/// receive the answer), each with its timeline entry, inside the caller's transaction. The
/// requests and their records stay, under the now anonymous account.
pub async fn withdraw_all_open(
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
    today: Date,
) -> Result<(), StoreError> {
    let open: Vec<(String, String)> = sqlx::query_as(concat!(
        "SELECT id, status FROM privacy_requests WHERE user_id = $1 AND status NOT IN ",
        closed_statuses!()
    ))
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    let at = now_us();
    for (id, status) in open {
        let status: RequestStatus = code("privacy_requests.status", &status)?;
        if status.transition(RequestStatus::Withdrawn).is_err() {
            continue;
        }
        sqlx::query(
            "UPDATE privacy_requests SET status = $1, closed_on = $2, updated_at_us = $3 WHERE id = $4",
        )
        .bind(RequestStatus::Withdrawn.code())
        .bind(today.to_string())
        .bind(at)
        .bind(&id)
        .execute(&mut *conn)
        .await?;
        append_event(
            conn,
            &id,
            at,
            RequestStatus::Withdrawn,
            Some("the account was deleted"),
            "resident",
        )
        .await?;
    }
    Ok(())
}

/// Appends one entry to a request's timeline.
async fn append_event(
    conn: &mut sqlx::AnyConnection,
    request_id: &str,
    at_us: i64,
    status: RequestStatus,
    reason: Option<&str>,
    actor: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO request_events (id, request_id, at_us, status, reason, actor) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_event_id())
    .bind(request_id)
    .bind(at_us)
    .bind(status.code())
    .bind(reason)
    .bind(actor)
    .execute(conn)
    .await?;
    Ok(())
}

/// A request's list columns, as `summary_columns!()` selects them.
#[derive(sqlx::FromRow)]
pub(crate) struct SummaryRow {
    id: String,
    kind: String,
    status: String,
    received_on: String,
    due_on: String,
    closed_on: Option<String>,
}

impl SummaryRow {
    /// The request's list entry, with the days left on `today`.
    pub(crate) fn into_summary(self, today: Date) -> Result<RequestSummary, sqlx::Error> {
        let status: RequestStatus = code("privacy_requests.status", &self.status)?;
        let due: Date = code("privacy_requests.due_on", &self.due_on)?;
        Ok(RequestSummary {
            id: self.id,
            kind: code::<RequestKind, _>("privacy_requests.kind", &self.kind)?,
            status,
            received: code("privacy_requests.received_on", &self.received_on)?,
            due,
            days_left: RequestSummary::days_left(status, due, today),
            closed: self
                .closed_on
                .map(|c| code("privacy_requests.closed_on", &c))
                .transpose()?,
        })
    }
}
