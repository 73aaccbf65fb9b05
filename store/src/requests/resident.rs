//! What a resident reads of their requests: the list, and one request in full with its
//! tasks, timeline and conversation.

use super::SummaryRow;
use crate::{StoreError, code, rfc3339_us, text};
use domain::calendar::Date;
use domain::lang::Lang;
use domain::paging::{Cursor, Page, fetch_limit};
use domain::requests::{MessageView, RequestDetail, RequestSummary, TaskOutcome, TaskView, TimelineEntry};
use sqlx::AnyPool;

/// A request's list entry with its sort key.
#[derive(sqlx::FromRow)]
struct MineRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    created_at_us: i64,
}

/// Every request of the resident, newest first (for the package, which holds them all; the
/// list page reads `mine_page`).
pub async fn mine(pool: &AnyPool, user_id: &str, today: Date) -> Result<Vec<RequestSummary>, StoreError> {
    let rows: Vec<SummaryRow> = sqlx::query_as(concat!(
        "SELECT ",
        summary_columns!(),
        " FROM privacy_requests r WHERE r.user_id = $1 ORDER BY r.created_at_us DESC, r.id DESC"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| row.into_summary(today))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

/// One page of the resident's requests, newest first: at most `limit`, after `after` (a
/// `MY_REQUESTS_CURSOR`) if given. Only `user_id`'s own requests, whatever the cursor names.
pub async fn mine_page(
    pool: &AnyPool,
    user_id: &str,
    today: Date,
    limit: u32,
    after: Option<&Cursor>,
) -> Result<Page<RequestSummary>, StoreError> {
    let rows: Vec<MineRow> = sqlx::query_as(concat!(
        "SELECT ",
        summary_columns!(),
        ", r.created_at_us FROM privacy_requests r WHERE r.user_id = $1 ",
        "AND ($2 = 0 OR r.created_at_us < $3 OR (r.created_at_us = $3 AND r.id < $4)) ",
        "ORDER BY r.created_at_us DESC, r.id DESC LIMIT $5"
    ))
    .bind(user_id)
    .bind(i64::from(after.is_some()))
    .bind(after.map_or(0, |c| c.number(0)))
    .bind(after.map_or("", |c| c.part(1)))
    .bind(fetch_limit(limit))
    .fetch_all(pool)
    .await?;
    let page = Page::from_rows(rows, limit, |r| {
        Cursor::after(&[&r.created_at_us.to_string(), &r.summary.id])
    });
    let items = page
        .items
        .into_iter()
        .map(|row| row.summary.into_summary(today))
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(Page {
        items,
        next: page.next,
    })
}

/// A request's own columns, for its detail.
#[derive(sqlx::FromRow)]
struct DetailRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    channel: String,
    details: String,
    extended: i64,
    paused_since: Option<String>,
}

/// One request of `user_id` (`None` when `user_id` is `None`: staff see every request).
pub async fn detail(
    pool: &AnyPool,
    user_id: Option<&str>,
    id: &str,
    today: Date,
    lang: Lang,
) -> Result<Option<RequestDetail>, StoreError> {
    let row: Option<DetailRow> = sqlx::query_as(concat!(
        "SELECT ",
        summary_columns!(),
        ", r.channel, r.details, r.extended, r.paused_since ",
        "FROM privacy_requests r WHERE r.id = $1 AND ($2 IS NULL OR r.user_id = $2)"
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(RequestDetail {
        summary: row.summary.into_summary(today)?,
        channel: code("privacy_requests.channel", &row.channel)?,
        details: row.details,
        objection: objection(pool, id, lang).await?,
        extended: row.extended == 1,
        paused: row.paused_since.is_some(),
        tasks: tasks(pool, id, lang).await?,
        timeline: timeline(pool, id).await?,
        messages: messages(pool, id).await?,
    }))
}

/// For an objection: the names of the system and of the purpose objected to.
async fn objection(pool: &AnyPool, id: &str, lang: Lang) -> Result<Option<(String, String)>, sqlx::Error> {
    let names: Option<(String, String)> = sqlx::query_as(concat!(
        "SELECT s.name, p.name FROM privacy_requests r JOIN purposes p ON p.id = r.purpose_id ",
        "JOIN systems s ON s.id = p.system_id WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    names
        .map(|(system, purpose)| {
            Ok((
                text("systems.name", &system)?.get(lang).to_owned(),
                text("purposes.name", &purpose)?.get(lang).to_owned(),
            ))
        })
        .transpose()
}

/// One task of a request, with its system and agency.
#[derive(sqlx::FromRow)]
struct TaskRow {
    id: String,
    slug: String,
    system_name: String,
    agency_name: String,
    outcome: Option<String>,
    note: Option<String>,
    completed_at_us: Option<i64>,
}

impl TaskRow {
    /// The task as the resident reads it, with names in `lang`.
    fn into_view(self, lang: Lang) -> Result<TaskView, sqlx::Error> {
        Ok(TaskView {
            id: self.id,
            system: self.slug,
            system_name: text("systems.name", &self.system_name)?.get(lang).to_owned(),
            agency_name: text("agencies.name", &self.agency_name)?.get(lang).to_owned(),
            outcome: self
                .outcome
                .map(|o| code::<TaskOutcome, _>("request_tasks.outcome", &o))
                .transpose()?,
            note: self.note,
            completed_at: self.completed_at_us.map(rfc3339_us),
        })
    }
}

/// The tasks of request `id`, by agency and system.
async fn tasks(pool: &AnyPool, id: &str, lang: Lang) -> Result<Vec<TaskView>, sqlx::Error> {
    let rows: Vec<TaskRow> = sqlx::query_as(concat!(
        "SELECT t.id, s.slug, s.name AS system_name, a.name AS agency_name, t.outcome, t.note, ",
        "t.completed_at_us FROM request_tasks t ",
        "JOIN systems s ON s.id = t.system_id JOIN agencies a ON a.id = t.agency_id ",
        "WHERE t.request_id = $1 ORDER BY a.slug, s.slug"
    ))
    .bind(id)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(|row| row.into_view(lang)).collect()
}

/// The timeline of request `id`, oldest first.
async fn timeline(pool: &AnyPool, id: &str) -> Result<Vec<TimelineEntry>, sqlx::Error> {
    let events: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT at_us, status, reason FROM request_events WHERE request_id = $1 ORDER BY at_us, id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    events
        .into_iter()
        .map(|(at, status, reason)| {
            Ok(TimelineEntry {
                at: rfc3339_us(at),
                status: code("request_events.status", &status)?,
                reason,
            })
        })
        .collect()
}

/// One message of a request's conversation.
#[derive(sqlx::FromRow)]
struct MessageRow {
    at_us: i64,
    author: String,
    author_name: String,
    body: String,
}

impl MessageRow {
    /// The message as the conversation shows it.
    fn into_view(self) -> MessageView {
        MessageView {
            at: rfc3339_us(self.at_us),
            from_office: self.author != "resident",
            author: self.author_name,
            body: self.body,
        }
    }
}

/// The conversation of request `id`, oldest first.
async fn messages(pool: &AnyPool, id: &str) -> Result<Vec<MessageView>, sqlx::Error> {
    let rows: Vec<MessageRow> = sqlx::query_as(
        "SELECT at_us, author, author_name, body FROM request_messages WHERE request_id = $1 ORDER BY at_us, id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(MessageRow::into_view).collect())
}
