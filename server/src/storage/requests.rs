//! Privacy requests: filing (the request, one task per system, the first timeline entry in
//! one transaction), the resident's list and detail, withdrawal, and the agencies' tasks.
//!
//! Every query a resident reaches names the resident (`user_id = $n`), so another
//! resident's request is simply not found. Every query an agency reaches names the agency.

use super::{code, new_event_id, new_id, now_us, rfc3339_us, text};
use app::domain::calendar::Date;
use app::domain::lang::Lang;
use app::domain::requests::{
    Clock, DeadlinePolicy, MessageView, NewRequest, Notification, NotificationKind, RequestChannel,
    RequestDetail, RequestInputError, RequestKind, RequestStatus, RequestSummary, SystemChoice, TaskOutcome,
    TaskView, TimelineEntry,
};
use app::ports::{RequestError, RequestStore, StoreError};
use sqlx::AnyPool;

/// Today's date in UTC, the day the legal clock counts in.
pub fn today() -> Date {
    Date::from_unix_seconds(super::now())
}

/// The requests of residents, over SQL.
#[derive(Clone)]
pub struct SqlRequests {
    pool: AnyPool,
    policy: DeadlinePolicy,
    consents: super::consent::SqlConsents,
}

impl SqlRequests {
    /// `public_url` is where residents reach the app (receipts in packages link to it).
    pub fn new(pool: AnyPool, policy: DeadlinePolicy, public_url: String) -> Self {
        Self {
            consents: super::consent::SqlConsents::new(pool.clone(), public_url),
            pool,
            policy,
        }
    }
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
) -> Result<(Vec<Concerned>, Option<String>), RequestError> {
    if let Some((system, key)) = &request.objection {
        // An objection concerns the one system whose purpose it objects to.
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT p.id FROM purposes p JOIN systems s ON s.id = p.system_id WHERE s.slug = $1 AND p.key = $2",
        )
        .bind(system.as_str())
        .bind(key.as_str())
        .fetch_optional(pool)
        .await
        .map_err(StoreError::backend)?;
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

/// Files `request` for `user_id` on `received`, through `channel`; returns its id.
pub async fn file(
    pool: &AnyPool,
    policy: DeadlinePolicy,
    user_id: &str,
    request: &NewRequest,
    channel: RequestChannel,
    received: Date,
    actor: &str,
) -> Result<String, RequestError> {
    let holding = systems_holding(pool, user_id)
        .await
        .map_err(StoreError::backend)?;
    let (systems, purpose_id) = resolve(pool, holding, request).await?;
    let id = new_event_id();
    let due = policy.due(Clock {
        received,
        paused_days: 0,
        extended: false,
    });
    let at = now_us();
    let mut tx = pool.begin().await.map_err(StoreError::backend)?;
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
    .await
    .map_err(StoreError::backend)?;
    for system in &systems {
        sqlx::query(
            "INSERT INTO request_tasks (id, request_id, system_id, agency_id) VALUES ($1, $2, $3, $4)",
        )
        .bind(new_id())
        .bind(&id)
        .bind(&system.id)
        .bind(&system.agency_id)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::backend)?;
    }
    append_event(&mut tx, &id, at, RequestStatus::Received, None, actor).await?;
    tx.commit().await.map_err(StoreError::backend)?;
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
    .map_err(StoreError::backend)?;
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
pub async fn mine(pool: &AnyPool, user_id: &str, today: Date) -> Result<Vec<RequestSummary>, sqlx::Error> {
    let rows: Vec<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SUMMARY_COLUMNS} FROM privacy_requests r WHERE r.user_id = $1 ORDER BY r.created_at_us DESC"
    )))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(|row| summary(row, today)).collect()
}

/// One request of `user_id` (`None` when `user_id` is `None`: staff see every request).
pub async fn detail(
    pool: &AnyPool,
    user_id: Option<&str>,
    id: &str,
    today: Date,
    lang: Lang,
) -> Result<Option<RequestDetail>, sqlx::Error> {
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

/// What the legal clock and the state machine need to know about one request.
#[derive(Debug, Clone)]
pub struct RequestState {
    pub status: RequestStatus,
    pub kind: RequestKind,
    pub user_id: String,
    pub purpose_id: Option<String>,
    pub policy: DeadlinePolicy,
    pub clock: Clock,
    /// Since when the clock is paused, waiting for the resident.
    pub paused_since: Option<Date>,
    /// Tasks agencies have not completed yet.
    pub open_tasks: i64,
}

/// The state of request `id` (only if it is `user_id`'s, when given).
pub async fn load(
    pool: &AnyPool,
    user_id: Option<&str>,
    id: &str,
) -> Result<Option<RequestState>, sqlx::Error> {
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
            Ok(RequestState {
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
}

/// A status change and what it writes besides: the timeline entry, the audit entry, the
/// extended due date, an upheld objection.
pub struct Change<'a> {
    pub next: RequestStatus,
    pub reason: Option<&'a str>,
    /// How the timeline names who acted: `resident`, `officer:<id>`.
    pub actor: &'a str,
    pub audit: Option<super::audit::AuditEntry<'a>>,
    pub extended_due: Option<Date>,
    /// The resident and purpose whose objection is upheld.
    pub uphold: Option<(&'a str, &'a str)>,
    /// The resident to notify of the new status (changes the office makes).
    pub notify: Option<&'a str>,
}

/// Applies `change` to request `id`, which was `current`, in one transaction. A concurrent
/// change in between is refused as illegal, never overwritten.
pub async fn apply(
    pool: &AnyPool,
    id: &str,
    current: RequestStatus,
    change: &Change<'_>,
    today: Date,
) -> Result<(), RequestError> {
    current.transition(change.next)?;
    let at = now_us();
    let mut tx = pool.begin().await.map_err(StoreError::backend)?;
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
    .bind(current.code())
    .execute(&mut *tx)
    .await
    .map_err(StoreError::backend)?;
    if changed.rows_affected() == 0 {
        // Someone else moved it first; their change stands.
        return Err(app::domain::requests::IllegalTransition {
            from: current,
            to: change.next,
        }
        .into());
    }
    append_event(&mut tx, id, at, change.next, change.reason, change.actor).await?;
    if let Some(entry) = &change.audit {
        super::audit::record(&mut tx, entry)
            .await
            .map_err(StoreError::backend)?;
    }
    if let Some(user_id) = change.notify {
        notify(&mut tx, user_id, id, at, "status", Some(change.next)).await?;
    }
    if let Some((user_id, purpose_id)) = change.uphold {
        sqlx::query(concat!(
            "INSERT INTO upheld_objections (user_id, purpose_id, request_id, at_us) VALUES ($1, $2, $3, $4) ",
            "ON CONFLICT (user_id, purpose_id) DO NOTHING"
        ))
        .bind(user_id)
        .bind(purpose_id)
        .bind(id)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::backend)?;
    }
    tx.commit().await.map_err(StoreError::backend)?;
    Ok(())
}

/// Moves request `id` (of `user_id`, when given) to `next` with the timeline entry.
pub async fn transition(
    pool: &AnyPool,
    user_id: Option<&str>,
    id: &str,
    next: RequestStatus,
    reason: Option<&str>,
    actor: &str,
    today: Date,
) -> Result<(), RequestError> {
    let state = load(pool, user_id, id)
        .await
        .map_err(StoreError::backend)?
        .ok_or(RequestError::NotFound)?;
    let change = Change {
        next,
        reason,
        actor,
        audit: None,
        extended_due: None,
        uphold: None,
        notify: None,
    };
    apply(pool, id, state.status, &change, today).await
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
    .map_err(StoreError::backend)?;
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
    .map_err(StoreError::backend)?;
    Ok(())
}

/// The resident answers the office: the message is stored and, if the clock was paused
/// waiting for them, it runs again and the paused days move the due date.
pub async fn reply(
    pool: &AnyPool,
    user_id: &str,
    id: &str,
    body: &str,
    today: Date,
) -> Result<(), RequestError> {
    let state = load(pool, Some(user_id), id)
        .await
        .map_err(StoreError::backend)?
        .ok_or(RequestError::NotFound)?;
    if state.status.is_closed() {
        return Err(app::domain::requests::IllegalTransition {
            from: state.status,
            to: state.status,
        }
        .into());
    }
    let (name,): (String,) = sqlx::query_as("SELECT display_name FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(pool)
        .await
        .map_err(StoreError::backend)?;
    let at = now_us();
    let mut tx = pool.begin().await.map_err(StoreError::backend)?;
    add_message(&mut tx, id, at, "resident", &name, body).await?;
    if let Some(since) = state.paused_since {
        let clock = Clock {
            paused_days: state.clock.paused_days + app::domain::requests::paused_days(since, today),
            ..state.clock
        };
        sqlx::query(
            "UPDATE privacy_requests SET paused_days = $1, paused_since = NULL, due_on = $2, updated_at_us = $3 WHERE id = $4",
        )
        .bind(clock.paused_days)
        .bind(state.policy.due(clock).to_string())
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::backend)?;
    }
    tx.commit().await.map_err(StoreError::backend)?;
    Ok(())
}

/// The resident's notifications, newest first (at most 100).
pub async fn notifications(pool: &AnyPool, user_id: &str) -> Result<Vec<Notification>, sqlx::Error> {
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
pub async fn unread(pool: &AnyPool, user_id: &str) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at_us IS NULL")
            .bind(user_id)
            .fetch_one(pool)
            .await?;
    Ok(n)
}

/// Marks one of the resident's notifications read, or all of them (`id` `None`).
pub async fn mark_read(pool: &AnyPool, user_id: &str, id: Option<&str>) -> Result<(), sqlx::Error> {
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

#[async_trait::async_trait]
impl RequestStore for SqlRequests {
    async fn file(&self, user_id: &str, request: &NewRequest) -> Result<String, RequestError> {
        file(
            &self.pool,
            self.policy,
            user_id,
            request,
            RequestChannel::Web,
            today(),
            "resident",
        )
        .await
    }

    async fn mine(&self, user_id: &str) -> Result<Vec<RequestSummary>, StoreError> {
        mine(&self.pool, user_id, today())
            .await
            .map_err(StoreError::backend)
    }

    async fn detail(&self, user_id: &str, id: &str, lang: Lang) -> Result<Option<RequestDetail>, StoreError> {
        detail(&self.pool, Some(user_id), id, today(), lang)
            .await
            .map_err(StoreError::backend)
    }

    async fn reply(&self, user_id: &str, id: &str, body: &str) -> Result<(), RequestError> {
        let body = app::domain::requests::reason(body)
            .map_err(|_| RequestError::Input(RequestInputError::DetailsTooLong))?;
        reply(&self.pool, user_id, id, &body, today()).await
    }

    async fn package(
        &self,
        user_id: &str,
        id: &str,
        lang: Lang,
    ) -> Result<Option<app::domain::requests::AccessPackage>, StoreError> {
        super::package::package(&self.pool, &self.consents, user_id, id, lang).await
    }

    async fn notifications(&self, user_id: &str) -> Result<Vec<Notification>, StoreError> {
        notifications(&self.pool, user_id)
            .await
            .map_err(StoreError::backend)
    }

    async fn unread(&self, user_id: &str) -> Result<i64, StoreError> {
        unread(&self.pool, user_id).await.map_err(StoreError::backend)
    }

    async fn mark_read(&self, user_id: &str, id: Option<&str>) -> Result<(), StoreError> {
        mark_read(&self.pool, user_id, id)
            .await
            .map_err(StoreError::backend)
    }

    async fn withdraw(&self, user_id: &str, id: &str) -> Result<(), RequestError> {
        transition(
            &self.pool,
            Some(user_id),
            id,
            RequestStatus::Withdrawn,
            None,
            "resident",
            today(),
        )
        .await
    }
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
) -> Result<Vec<AgencyTask>, sqlx::Error> {
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
    Store(#[from] sqlx::Error),
}

/// What completing a task records.
pub struct Completion<'a> {
    pub outcome: TaskOutcome,
    pub note: &'a str,
    /// JSON text of what the system holds on the resident.
    pub data: Option<&'a str>,
    /// `client:<client_id>` or `officer:<user id>`.
    pub by: &'a str,
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
    .execute(pool)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
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
