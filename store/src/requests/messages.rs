//! The conversation between the resident and the privacy office, and the resident's
//! notifications of changes and messages.

use crate::{StoreError, code, new_event_id, now_us, rfc3339_us};
use domain::calendar::Date;
use domain::console::Case;
use domain::lang::Lang;
use domain::paging::{Cursor, Page, fetch_limit};
use domain::requests::{
    Clock, Notice, NoticeList, Notification, NotificationKind, Placed, RequestStatus, Resume, merge_notices,
};
use sqlx::AnyPool;

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
    .await?;
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
    .await?;
    Ok(())
}

/// Why a resident's message was not stored.
#[derive(Debug, thiserror::Error)]
pub enum ReplyError {
    /// The resident sent as many messages as an hour allows.
    #[error(transparent)]
    Quota(#[from] domain::requests::QuotaExceeded),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ReplyError {
    fn from(e: sqlx::Error) -> Self {
        ReplyError::Store(e.into())
    }
}

/// The resident answers the office: the message is stored and, if the clock was paused
/// waiting for them, it runs again and the paused days move the due date. At most
/// [`ResidentQuota::MessagesPerHour`](domain::requests::ResidentQuota) over all their requests.
pub async fn reply(
    pool: &AnyPool,
    user_id: &str,
    id: &str,
    case: &Case,
    body: &str,
    today: Date,
) -> Result<(), ReplyError> {
    let (name,): (String,) = sqlx::query_as("SELECT display_name FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(pool)
        .await?;
    let at = now_us();
    let mut tx = crate::db::begin(pool).await?;
    crate::db::lock_user(&mut tx, user_id).await?;
    let quota = domain::requests::ResidentQuota::MessagesPerHour;
    let (used, oldest): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(m.at_us) FROM request_messages m JOIN privacy_requests r ON r.id = m.request_id \
         WHERE r.user_id = $1 AND m.author = 'resident' AND m.at_us > $2",
    )
    .bind(user_id)
    .bind(quota.window_start_us(at))
    .fetch_one(&mut *tx)
    .await?;
    quota.check(used, oldest, at)?;
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

/// A notification, with the kind of request it is about.
#[derive(sqlx::FromRow)]
struct NotificationRow {
    id: String,
    request_id: String,
    request_kind: String,
    at_us: i64,
    kind: String,
    status: Option<String>,
    read_at_us: Option<i64>,
}

impl NotificationRow {
    /// The notification as the resident reads it.
    fn into_notification(self) -> Result<Notification, sqlx::Error> {
        let kind = match (self.kind.as_str(), self.status) {
            ("status", Some(status)) => NotificationKind::Status(code("notifications.status", &status)?),
            _ => NotificationKind::Message,
        };
        Ok(Notification {
            id: self.id,
            request_id: self.request_id,
            request_kind: code("privacy_requests.kind", &self.request_kind)?,
            at: rfc3339_us(self.at_us),
            kind,
            read: self.read_at_us.is_some(),
        })
    }
}

/// The resident's request notifications after `resume`, newest first (the id breaking
/// ties), at most `fetch_limit(limit)`: one list of the merged notifications.
async fn notifications_after(
    pool: &AnyPool,
    user_id: &str,
    resume: &Resume,
    limit: u32,
) -> Result<Vec<Placed>, StoreError> {
    let rows: Vec<NotificationRow> = sqlx::query_as(concat!(
        "SELECT n.id, n.request_id, r.kind AS request_kind, n.at_us, n.kind, n.status, n.read_at_us ",
        "FROM notifications n JOIN privacy_requests r ON r.id = n.request_id ",
        "WHERE n.user_id = $1 AND (n.at_us < $2 OR (n.at_us = $2 AND ($3 = 2 OR ($3 = 1 AND n.id < $4)))) ",
        "ORDER BY n.at_us DESC, n.id DESC LIMIT $5"
    ))
    .bind(user_id)
    .bind(resume.at_us)
    .bind(resume.mode())
    .bind(&resume.id)
    .bind(fetch_limit(limit))
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            let at_us = row.at_us;
            let notice = Notice::Request(row.into_notification()?);
            Ok(Placed { at_us, notice })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

/// One page of the resident's notifications, newest first: their requests' and the
/// register's merged by time, at most `limit`, after `after` (a `NOTICE_CURSOR`) if given,
/// names in `lang`. Only `user_id`'s own, whatever the cursor names.
pub async fn notices_page(
    pool: &AnyPool,
    user_id: &str,
    lang: Lang,
    limit: u32,
    after: Option<&Cursor>,
) -> Result<Page<Notice>, StoreError> {
    let requests = notifications_after(pool, user_id, &Resume::of(after, NoticeList::Request), limit).await?;
    let resume = Resume::of(after, NoticeList::Register);
    let register = crate::register::notices_after(pool, user_id, lang, &resume, limit).await?;
    Ok(merge_notices(requests, register, limit))
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
