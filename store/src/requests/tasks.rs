//! The agencies' side of a request: the tasks addressed to an agency, and completing one
//! (by the agency, or by an officer on its behalf).

use crate::{StoreError, audit, code, now_us};
use domain::calendar::Date;
use domain::paging::{Cursor, Page, fetch_limit};
use domain::register::Scope;
use domain::requests::{RequestKind, TaskOutcome};
use sqlx::AnyPool;

/// Which of its tasks an agency lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskFilter {
    /// Not completed yet.
    Open,
    /// Completed, with an outcome.
    Completed,
    /// Both.
    All,
}

/// A task as its agency reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyTask {
    /// The task's id.
    pub id: String,
    /// The request it belongs to.
    pub request_id: String,
    /// What the resident asks for.
    pub kind: RequestKind,
    /// The resident's number, for a system that holds enrolled residents' data. `None` for a
    /// system in public space (cameras, sensors): it never knew the resident by number, so it
    /// searches its records by the request's details, under the task's id.
    pub subject: Option<String>,
    /// The system's slug.
    pub system: String,
    /// For an objection: the purpose key objected to.
    pub purpose: Option<String>,
    /// The resident's own words.
    pub details: String,
    /// When the request arrived.
    pub received: Date,
    /// When the answer is due.
    pub due: Date,
    /// `None` while the agency is still working on it.
    pub outcome: Option<TaskOutcome>,
}

/// A task of an open request, with what its agency reads of the request.
#[derive(sqlx::FromRow)]
struct AgencyTaskRow {
    id: String,
    request_id: String,
    kind: String,
    resident_number: String,
    slug: String,
    scope: String,
    purpose: Option<String>,
    details: String,
    received_on: String,
    due_on: String,
    outcome: Option<String>,
}

impl AgencyTaskRow {
    /// The task as its agency reads it.
    fn into_task(self) -> Result<AgencyTask, sqlx::Error> {
        Ok(AgencyTask {
            id: self.id,
            request_id: self.request_id,
            kind: code("privacy_requests.kind", &self.kind)?,
            subject: (self.scope == Scope::Enrollment.code()).then_some(self.resident_number),
            system: self.slug,
            purpose: self.purpose,
            details: self.details,
            received: code("privacy_requests.received_on", &self.received_on)?,
            due: code("privacy_requests.due_on", &self.due_on)?,
            outcome: self
                .outcome
                .map(|o| code::<TaskOutcome, _>("request_tasks.outcome", &o))
                .transpose()?,
        })
    }
}

/// One page of the tasks addressed to the agency `agency` (a slug) of requests that are
/// still open, the most urgent first (by due date, then task id): at most `limit`, after
/// `after` (a `TASK_CURSOR`) if given.
pub async fn agency_tasks(
    pool: &AnyPool,
    agency: &str,
    filter: TaskFilter,
    limit: u32,
    after: Option<&Cursor>,
) -> Result<Page<AgencyTask>, StoreError> {
    let outcome = match filter {
        TaskFilter::Open => " AND t.outcome IS NULL",
        TaskFilter::Completed => " AND t.outcome IS NOT NULL",
        TaskFilter::All => "",
    };
    let sql = format!(
        concat!(
            "SELECT t.id, r.id AS request_id, r.kind, u.resident_number, s.slug, s.scope, p.key AS purpose, ",
            "r.details, r.received_on, r.due_on, t.outcome ",
            "FROM request_tasks t JOIN privacy_requests r ON r.id = t.request_id ",
            "JOIN users u ON u.id = r.user_id JOIN systems s ON s.id = t.system_id ",
            "LEFT JOIN purposes p ON p.id = r.purpose_id ",
            "WHERE t.agency_id = (SELECT id FROM agencies WHERE slug = $1) ",
            "AND r.status NOT IN ",
            closed_statuses!(),
            "{outcome} AND ($2 IS NULL OR r.due_on > $2 OR (r.due_on = $2 AND t.id > $3)) ",
            "ORDER BY r.due_on, t.id LIMIT $4"
        ),
        outcome = outcome
    );
    let rows: Vec<AgencyTaskRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(agency)
        .bind(after.map(|c| c.part(0)))
        .bind(after.map_or("", |c| c.part(1)))
        .bind(fetch_limit(limit))
        .fetch_all(pool)
        .await?;
    let tasks = rows
        .into_iter()
        .map(AgencyTaskRow::into_task)
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Page::from_rows(tasks, limit, |t| {
        Cursor::after(&[&t.due.to_string(), &t.id])
    }))
}

/// Why a task could not be completed; nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// No such task addressed to this agency.
    #[error("no such task")]
    NotFound,
    /// Already completed, or its request is closed.
    #[error("the task is already completed or its request is closed")]
    Closed,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for TaskError {
    fn from(e: sqlx::Error) -> Self {
        TaskError::Store(e.into())
    }
}

/// What completing a task records.
pub struct Completion<'a> {
    /// What the agency did.
    pub outcome: TaskOutcome,
    /// The agency's note to the resident.
    pub note: &'a str,
    /// JSON text of what the system holds on the resident.
    pub data: Option<&'a str>,
    /// `client:<client_id>` or `officer:<user id>`.
    pub by: &'a str,
    /// An officer's completion is audited in the same transaction.
    pub audit: Option<audit::AuditEntry<'a>>,
}

/// Completes task `task_id` of the agency `agency` (a slug; any agency's when `None`: an
/// officer on an agency's behalf). Only an open task of an open request can be completed,
/// once.
pub async fn complete_task(
    pool: &AnyPool,
    agency: Option<&str>,
    task_id: &str,
    completion: &Completion<'_>,
) -> Result<(), TaskError> {
    let mut tx = crate::db::begin(pool).await.map_err(StoreError::from)?;
    let done = sqlx::query(concat!(
        "UPDATE request_tasks SET outcome = $1, note = $2, data = $3, completed_by = $4, completed_at_us = $5 ",
        "WHERE id = $6 AND ($7 IS NULL OR agency_id = (SELECT id FROM agencies WHERE slug = $7)) ",
        "AND outcome IS NULL AND request_id IN ",
        "(SELECT id FROM privacy_requests WHERE status NOT IN ",
        closed_statuses!(),
        ")"
    ))
    .bind(completion.outcome.code())
    .bind(completion.note)
    .bind(completion.data)
    .bind(completion.by)
    .bind(now_us())
    .bind(task_id)
    .bind(agency)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    if done.rows_affected() == 1 {
        if let Some(entry) = &completion.audit {
            audit::record(&mut tx, entry).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        return Ok(());
    }
    drop(tx);
    let exists: Option<(String,)> = sqlx::query_as(concat!(
        "SELECT id FROM request_tasks WHERE id = $1 ",
        "AND ($2 IS NULL OR agency_id = (SELECT id FROM agencies WHERE slug = $2))"
    ))
    .bind(task_id)
    .bind(agency)
    .fetch_optional(pool)
    .await?;
    Err(if exists.is_some() {
        TaskError::Closed
    } else {
        TaskError::NotFound
    })
}
