//! Privacy requests: filing (the request, one task per system, the first timeline entry in
//! one transaction), the resident's list and detail, withdrawal, and the agencies' tasks.
//!
//! Every query a resident reaches names the resident (`user_id = $n`), so another
//! resident's request is simply not found. Every query an agency reaches names the agency.

use super::{code, new_event_id, new_id, now_us, rfc3339_us, text};
use crate::StoreError;
use domain::calendar::Date;
use domain::console::{Case, Change};
use domain::lang::Lang;
use domain::requests::{
    Clock, DeadlinePolicy, MessageView, NewRequest, Notification, NotificationKind, RequestChannel,
    RequestDetail, RequestInputError, RequestKind, RequestStatus, RequestSummary, SystemChoice, TaskOutcome,
    TaskView, TimelineEntry,
};
use sqlx::AnyPool;

/// Today's date in UTC, the day the legal clock counts in.
pub fn today() -> Date {
    Date::from_unix_seconds(super::now())
}

/// A system a request can concern.
struct Concerned {
    id: String,
    slug: String,
    agency_id: String,
}

/// The systems that hold `user_id`'s data: those they are enrolled with and the active
/// ones in public space (the same list as `/my`).
async fn systems_holding(pool: &AnyPool, user_id: &str) -> Result<Vec<Concerned>, sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(concat!(
        "SELECT s.id, s.slug, s.agency_id FROM systems s ",
        "WHERE (s.scope = 'public_space' AND s.status = 'active') ",
        "OR EXISTS (SELECT 1 FROM enrollments e WHERE e.user_id = $1 AND e.system_id = s.id) ",
        "ORDER BY s.slug"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, slug, agency_id)| Concerned { id, slug, agency_id })
        .collect())
}

/// Which of `holding` a request concerns, and the purpose id of an objection.
async fn resolve(
    pool: &AnyPool,
    holding: Vec<Concerned>,
    request: &NewRequest,
) -> Result<(Vec<Concerned>, Option<String>), FileError> {
    if let Some((system, key)) = &request.objection {
        // An objection concerns the one system whose purpose it objects to.
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT p.id FROM purposes p JOIN systems s ON s.id = p.system_id WHERE s.slug = $1 AND p.key = $2",
        )
        .bind(system.as_str())
        .bind(key.as_str())
        .fetch_optional(pool)
        .await
        ?;
        let system = holding.into_iter().find(|c| c.slug == system.as_str());
        return match (row, system) {
            (Some((purpose_id,)), Some(system)) => Ok((vec![system], Some(purpose_id))),
            _ => Err(RequestInputError::UnknownPurpose.into()),
        };
    }
    let chosen = match &request.systems {
        SystemChoice::All => holding,
        SystemChoice::Some(slugs) => {
            if slugs
                .iter()
                .any(|s| !holding.iter().any(|c| c.slug == s.as_str()))
            {
                return Err(RequestInputError::UnknownSystem.into());
            }
            holding
                .into_iter()
                .filter(|c| slugs.iter().any(|s| s.as_str() == c.slug))
                .collect()
        }
    };
    if chosen.is_empty() {
        return Err(RequestInputError::NoSystems.into());
    }
    Ok((chosen, None))
}

/// How a request arrives: through which channel, on which day, filed by whom, and for an
/// officer's filing the audit log's account of it.
pub struct Filing<'a> {
    pub channel: RequestChannel,
    pub received: Date,
    pub actor: Actor<'a>,
    pub audit_detail: Option<&'a str>,
}

/// Why a request was not filed; nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error(transparent)]
    Input(#[from] RequestInputError),
    /// A new resident record's contact is not acceptable (or belongs to an account).
    #[error(transparent)]
    Contact(#[from] domain::account::AccountInputError),
    #[error("no resident has that number")]
    NoSuchResident,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for FileError {
    fn from(e: sqlx::Error) -> Self {
        FileError::Store(e.into())
    }
}

/// Files `request` for `user_id` with one task per system it concerns and the first
/// timeline entry (and an officer's audit row) in one transaction; returns its id.
pub async fn file(
    pool: &AnyPool,
    policy: DeadlinePolicy,
    user_id: &str,
    request: &NewRequest,
    filing: &Filing<'_>,
) -> Result<String, FileError> {
    let (channel, received) = (filing.channel, filing.received);
    let holding = systems_holding(pool, user_id).await?;
    let (systems, purpose_id) = resolve(pool, holding, request).await?;
    let id = new_event_id();
    let due = policy.due(Clock {
        received,
        paused_days: 0,
        extended: false,
    });
    let at = now_us();
    let mut tx = pool.begin().await?;
    sqlx::query(concat!(
        "INSERT INTO privacy_requests (id, user_id, kind, status, channel, details, purpose_id, policy, ",
        "received_on, due_on, created_at_us, updated_at_us) ",
        "VALUES ($1, $2, $3, 'received', $4, $5, $6, $7, $8, $9, $10, $10)"
    ))
    .bind(&id)
    .bind(user_id)
    .bind(request.kind.code())
    .bind(channel.code())
    .bind(&request.details)
    .bind(purpose_id)
    .bind(policy.code())
    .bind(received.to_string())
    .bind(due.to_string())
    .bind(at)
    .execute(&mut *tx)
    .await?;
    for system in &systems {
        sqlx::query(
            "INSERT INTO request_tasks (id, request_id, system_id, agency_id) VALUES ($1, $2, $3, $4)",
        )
        .bind(new_id())
        .bind(&id)
        .bind(&system.id)
        .bind(&system.agency_id)
        .execute(&mut *tx)
        .await?;
    }
    append_event(
        &mut tx,
        &id,
        at,
        RequestStatus::Received,
        None,
        &filing.actor.timeline_name(),
    )
    .await?;
    if let (Actor::Officer(officer), Some(detail)) = (filing.actor, filing.audit_detail) {
        let entry = super::audit::AuditEntry {
            actor: officer,
            action: "file_assisted",
            request_id: Some(&id),
            detail,
        };
        super::audit::record(&mut tx, &entry).await?;
    }
    tx.commit().await?;
    Ok(id)
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
    .await
    ?;
    Ok(())
}

/// id, kind, status, received_on, due_on, closed_on.
pub(crate) type SummaryRow = (String, String, String, String, String, Option<String>);

/// A request's list entry from its columns, with the days left on `today`.
pub(crate) fn summary(row: SummaryRow, today: Date) -> Result<RequestSummary, sqlx::Error> {
    let (id, kind, status, received, due, closed) = row;
    let status: RequestStatus = code("privacy_requests.status", &status)?;
    let due: Date = code("privacy_requests.due_on", &due)?;
    Ok(RequestSummary {
        id,
        kind: code::<RequestKind, _>("privacy_requests.kind", &kind)?,
        status,
        received: code("privacy_requests.received_on", &received)?,
        due,
        days_left: RequestSummary::days_left(status, due, today),
        closed: closed
            .map(|c| code("privacy_requests.closed_on", &c))
            .transpose()?,
    })
}

const SUMMARY_COLUMNS: &str = "r.id, r.kind, r.status, r.received_on, r.due_on, r.closed_on";

/// The resident's requests, newest first.
pub async fn mine(pool: &AnyPool, user_id: &str, today: Date) -> Result<Vec<RequestSummary>, StoreError> {
    let rows: Vec<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SUMMARY_COLUMNS} FROM privacy_requests r WHERE r.user_id = $1 ORDER BY r.created_at_us DESC"
    )))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| summary(row, today))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

/// One request of `user_id` (`None` when `user_id` is `None`: staff see every request).
pub async fn detail(
    pool: &AnyPool,
    user_id: Option<&str>,
    id: &str,
    today: Date,
    lang: Lang,
) -> Result<Option<RequestDetail>, StoreError> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        String,
        i64,
        Option<String>,
    );
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SUMMARY_COLUMNS}, r.channel, r.details, r.extended, r.paused_since \
         FROM privacy_requests r WHERE r.id = $1 AND ($2 IS NULL OR r.user_id = $2)"
    )))
    .bind(id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    let Some((id, kind, status, received, due, closed, channel, details, extended, paused_since)) = row
    else {
        return Ok(None);
    };
    let summary = summary((id.clone(), kind, status, received, due, closed), today)?;
    let objection: Option<(String, String)> = sqlx::query_as(concat!(
        "SELECT s.name, p.name FROM privacy_requests r JOIN purposes p ON p.id = r.purpose_id ",
        "JOIN systems s ON s.id = p.system_id WHERE r.id = $1"
    ))
    .bind(&id)
    .fetch_optional(pool)
    .await?;
    let objection = objection
        .map(|(system, purpose)| -> Result<_, sqlx::Error> {
            Ok((
                text("systems.name", &system)?.get(lang).to_owned(),
                text("purposes.name", &purpose)?.get(lang).to_owned(),
            ))
        })
        .transpose()?;
    type TaskRow = (
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<i64>,
    );
    let tasks: Vec<TaskRow> = sqlx::query_as(concat!(
        "SELECT t.id, s.slug, s.name, a.name, t.outcome, t.note, t.completed_at_us FROM request_tasks t ",
        "JOIN systems s ON s.id = t.system_id JOIN agencies a ON a.id = t.agency_id ",
        "WHERE t.request_id = $1 ORDER BY a.slug, s.slug"
    ))
    .bind(&id)
    .fetch_all(pool)
    .await?;
    let tasks = tasks
        .into_iter()
        .map(
            |(id, system, system_name, agency_name, outcome, note, completed)| {
                Ok(TaskView {
                    id,
                    system,
                    system_name: text("systems.name", &system_name)?.get(lang).to_owned(),
                    agency_name: text("agencies.name", &agency_name)?.get(lang).to_owned(),
                    outcome: outcome
                        .map(|o| code::<TaskOutcome, _>("request_tasks.outcome", &o))
                        .transpose()?,
                    note,
                    completed_at: completed.map(rfc3339_us),
                })
            },
        )
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let events: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT at_us, status, reason FROM request_events WHERE request_id = $1 ORDER BY at_us, id",
    )
    .bind(&id)
    .fetch_all(pool)
    .await?;
    let timeline = events
        .into_iter()
        .map(|(at, status, reason)| {
            Ok(TimelineEntry {
                at: rfc3339_us(at),
                status: code("request_events.status", &status)?,
                reason,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let messages: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT at_us, author, author_name, body FROM request_messages WHERE request_id = $1 ORDER BY at_us, id",
    )
    .bind(&id)
    .fetch_all(pool)
    .await?;
    let messages = messages
        .into_iter()
        .map(|(at, author, author_name, body)| MessageView {
            at: rfc3339_us(at),
            from_office: author != "resident",
            author: author_name,
            body,
        })
        .collect();
    Ok(Some(RequestDetail {
        summary,
        channel: code("privacy_requests.channel", &channel)?,
        details,
        objection,
        extended: extended == 1,
        paused: paused_since.is_some(),
        tasks,
        timeline,
        messages,
    }))
}

/// Request `id` as the rules see it (only if it is `user_id`'s, when given).
pub async fn case(pool: &AnyPool, user_id: Option<&str>, id: &str) -> Result<Option<Case>, StoreError> {
    type Row = (
        String,
        String,
        String,
        Option<String>,
        String,
        String,
        i64,
        i64,
        Option<String>,
        i64,
    );
    let row: Option<Row> = sqlx::query_as(concat!(
        "SELECT r.status, r.kind, r.user_id, r.purpose_id, r.policy, r.received_on, r.paused_days, r.extended, ",
        "r.paused_since, (SELECT COUNT(*) FROM request_tasks t WHERE t.request_id = r.id AND t.outcome IS NULL) ",
        "FROM privacy_requests r WHERE r.id = $1 AND ($2 IS NULL OR r.user_id = $2)"
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    row.map(
        |(
            status,
            kind,
            user_id,
            purpose_id,
            policy,
            received,
            paused_days,
            extended,
            paused_since,
            open_tasks,
        )| {
            Ok::<_, sqlx::Error>(Case {
                status: code("privacy_requests.status", &status)?,
                kind: code("privacy_requests.kind", &kind)?,
                user_id,
                purpose_id,
                policy: code("privacy_requests.policy", &policy)?,
                clock: Clock {
                    received: code("privacy_requests.received_on", &received)?,
                    paused_days,
                    extended: extended == 1,
                },
                paused_since: paused_since
                    .map(|p| code("privacy_requests.paused_since", &p))
                    .transpose()?,
                open_tasks,
            })
        },
    )
    .transpose()
    .map_err(StoreError::from)
}

/// Who made a change, as the timeline and the audit log name them.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    Resident,
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
    let mut tx = pool.begin().await?;
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
    append_event(
        &mut tx,
        id,
        at,
        change.next,
        change.reason.as_deref(),
        &actor.timeline_name(),
    )
    .await?;
    if let Actor::Officer(officer) = actor {
        let entry = super::audit::AuditEntry {
            actor: officer,
            action: change.action,
            request_id: Some(id),
            detail: &change.detail,
        };
        super::audit::record(&mut tx, &entry).await?;
        notify(&mut tx, &case.user_id, id, at, "status", Some(change.next)).await?;
    }
    if let (true, Some(purpose_id)) = (change.uphold_objection, &case.purpose_id) {
        sqlx::query(concat!(
            "INSERT INTO upheld_objections (user_id, purpose_id, request_id, at_us) VALUES ($1, $2, $3, $4) ",
            "ON CONFLICT (user_id, purpose_id) DO NOTHING"
        ))
        .bind(&case.user_id)
        .bind(purpose_id)
        .bind(id)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Why a change was not written.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Another change landed first.
    #[error(transparent)]
    Raced(domain::requests::IllegalTransition),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ApplyError {
    fn from(e: sqlx::Error) -> Self {
        ApplyError::Store(e.into())
    }
}

/// Tells the resident `user_id` that request `id` changed (`kind` "status") or that the
/// office wrote (`kind` "message").
pub async fn notify(
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
    request_id: &str,
    at_us: i64,
    kind: &str,
    status: Option<RequestStatus>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO notifications (id, user_id, request_id, at_us, kind, status) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_event_id())
    .bind(user_id)
    .bind(request_id)
    .bind(at_us)
    .bind(kind)
    .bind(status.map(RequestStatus::code))
    .execute(conn)
    .await
    ?;
    Ok(())
}

/// Appends a message to the request's conversation.
pub async fn add_message(
    conn: &mut sqlx::AnyConnection,
    request_id: &str,
    at_us: i64,
    author: &str,
    author_name: &str,
    body: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO request_messages (id, request_id, at_us, author, author_name, body) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_event_id())
    .bind(request_id)
    .bind(at_us)
    .bind(author)
    .bind(author_name)
    .bind(body)
    .execute(conn)
    .await
    ?;
    Ok(())
}

/// The resident answers the office: the message is stored and, if the clock was paused
/// waiting for them, it runs again and the paused days move the due date.
pub async fn reply(
    pool: &AnyPool,
    user_id: &str,
    id: &str,
    case: &Case,
    body: &str,
    today: Date,
) -> Result<(), StoreError> {
    let (name,): (String,) = sqlx::query_as("SELECT display_name FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(pool)
        .await?;
    let at = now_us();
    let mut tx = pool.begin().await?;
    add_message(&mut tx, id, at, "resident", &name, body).await?;
    if let Some(since) = case.paused_since {
        let clock = Clock {
            paused_days: case.clock.paused_days + domain::requests::paused_days(since, today),
            ..case.clock
        };
        sqlx::query(
            "UPDATE privacy_requests SET paused_days = $1, paused_since = NULL, due_on = $2, updated_at_us = $3 WHERE id = $4",
        )
        .bind(clock.paused_days)
        .bind(case.policy.due(clock).to_string())
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The resident's notifications, newest first (at most 100).
pub async fn notifications(pool: &AnyPool, user_id: &str) -> Result<Vec<Notification>, StoreError> {
    type Row = (String, String, String, i64, String, Option<String>, Option<i64>);
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "SELECT n.id, n.request_id, r.kind, n.at_us, n.kind, n.status, n.read_at_us FROM notifications n ",
        "JOIN privacy_requests r ON r.id = n.request_id WHERE n.user_id = $1 ORDER BY n.at_us DESC, n.id DESC LIMIT 100"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, request_id, request_kind, at, kind, status, read)| {
            let kind = match (kind.as_str(), status) {
                ("status", Some(status)) => NotificationKind::Status(code("notifications.status", &status)?),
                _ => NotificationKind::Message,
            };
            Ok(Notification {
                id,
                request_id,
                request_kind: code("privacy_requests.kind", &request_kind)?,
                at: rfc3339_us(at),
                kind,
                read: read.is_some(),
            })
        })
        .collect()
}

/// How many of the resident's notifications are unread.
pub async fn unread(pool: &AnyPool, user_id: &str) -> Result<i64, StoreError> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at_us IS NULL")
            .bind(user_id)
            .fetch_one(pool)
            .await?;
    Ok(n)
}

/// Marks one of the resident's notifications read, or all of them (`id` `None`).
pub async fn mark_read(pool: &AnyPool, user_id: &str, id: Option<&str>) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE notifications SET read_at_us = $1 WHERE user_id = $2 AND read_at_us IS NULL AND ($3 IS NULL OR id = $3)",
    )
    .bind(now_us())
    .bind(user_id)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Which of its tasks an agency lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskFilter {
    Open,
    Completed,
    All,
}

/// A task as its agency reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyTask {
    pub id: String,
    pub request_id: String,
    pub kind: RequestKind,
    pub subject: String,
    pub system: String,
    /// For an objection: the purpose key objected to.
    pub purpose: Option<String>,
    pub details: String,
    pub received: Date,
    pub due: Date,
    pub outcome: Option<TaskOutcome>,
}

/// The tasks addressed to the agency `agency` (a slug) of requests that are still open,
/// the most urgent first.
pub async fn agency_tasks(
    pool: &AnyPool,
    agency: &str,
    filter: TaskFilter,
) -> Result<Vec<AgencyTask>, StoreError> {
    let outcome = match filter {
        TaskFilter::Open => " AND t.outcome IS NULL",
        TaskFilter::Completed => " AND t.outcome IS NOT NULL",
        TaskFilter::All => "",
    };
    type Row = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        String,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT t.id, r.id, r.kind, u.resident_number, s.slug, p.key, r.details, r.received_on, r.due_on, t.outcome \
         FROM request_tasks t JOIN privacy_requests r ON r.id = t.request_id \
         JOIN users u ON u.id = r.user_id JOIN systems s ON s.id = t.system_id \
         LEFT JOIN purposes p ON p.id = r.purpose_id \
         WHERE t.agency_id = (SELECT id FROM agencies WHERE slug = $1) AND r.status NOT IN ('fulfilled', 'rejected', 'withdrawn'){outcome} \
         ORDER BY r.due_on, t.id"
    )))
    .bind(agency)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(
            |(id, request_id, kind, subject, system, purpose, details, received, due, outcome)| {
                Ok(AgencyTask {
                    id,
                    request_id,
                    kind: code("privacy_requests.kind", &kind)?,
                    subject,
                    system,
                    purpose,
                    details,
                    received: code("privacy_requests.received_on", &received)?,
                    due: code("privacy_requests.due_on", &due)?,
                    outcome: outcome
                        .map(|o| code::<TaskOutcome, _>("request_tasks.outcome", &o))
                        .transpose()?,
                })
            },
        )
        .collect()
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
    pub outcome: TaskOutcome,
    pub note: &'a str,
    /// JSON text of what the system holds on the resident.
    pub data: Option<&'a str>,
    /// `client:<client_id>` or `officer:<user id>`.
    pub by: &'a str,
    /// An officer's completion is audited in the same transaction.
    pub audit: Option<super::audit::AuditEntry<'a>>,
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
    let mut tx = pool.begin().await.map_err(StoreError::from)?;
    let done = sqlx::query(concat!(
        "UPDATE request_tasks SET outcome = $1, note = $2, data = $3, completed_by = $4, completed_at_us = $5 ",
        "WHERE id = $6 AND ($7 IS NULL OR agency_id = (SELECT id FROM agencies WHERE slug = $7)) ",
        "AND outcome IS NULL AND request_id IN ",
        "(SELECT id FROM privacy_requests WHERE status NOT IN ('fulfilled', 'rejected', 'withdrawn'))"
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
            super::audit::record(&mut tx, entry).await?;
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
