//! The office's figures: the requests at a glance, and the record of requests received in
//! a period.

use crate::{StoreError, code};
use domain::calendar::Date;
use domain::requests::{RequestRecord, RequestStats, weekly_counts};
use sqlx::AnyPool;

/// Counts the requests still open, followed by `$rest` (more conditions), as one static
/// statement.
macro_rules! count_open {
    ($rest:literal) => {
        concat!(
            "SELECT COUNT(*) FROM privacy_requests WHERE status NOT IN ",
            closed_statuses!(),
            $rest
        )
    };
}

/// How many weeks the weekly counts cover.
const WEEKS: usize = 12;

/// The office at a glance on `today`.
pub async fn stats(pool: &AnyPool, today: Date) -> Result<RequestStats, StoreError> {
    let count = |sql: &'static str, binds: Vec<String>| async move {
        let mut query = sqlx::query_as::<_, (i64,)>(sql);
        for b in binds {
            query = query.bind(b);
        }
        query.fetch_one(pool).await.map(|(n,)| n)
    };
    let t = today.to_string();
    let open = count(count_open!(""), vec![]).await?;
    let overdue = count(count_open!(" AND due_on < $1"), vec![t.clone()]).await?;
    let soon = vec![t, today.add_days(5).to_string()];
    let due_soon = count(count_open!(" AND due_on >= $1 AND due_on < $2"), soon).await?;
    let month_start = Date::new(today.year(), today.month(), 1).unwrap_or(today);
    let on_time = count(
        "SELECT COUNT(*) FROM privacy_requests WHERE status IN ('fulfilled', 'rejected') \
         AND closed_on >= $1 AND closed_on <= due_on",
        vec![month_start.to_string()],
    )
    .await?;
    let (received, closed) = received_and_closed(pool, today).await?;
    Ok(RequestStats {
        open,
        due_soon,
        overdue,
        closed_on_time_this_month: on_time,
        weeks: weekly_counts(&received, &closed, today, WEEKS),
    })
}

/// The days requests were received and closed on, over the weeks the counts cover.
async fn received_and_closed(pool: &AnyPool, today: Date) -> Result<(Vec<Date>, Vec<Date>), sqlx::Error> {
    let since = domain::requests::week_start(today).add_days(-7 * (WEEKS as i64 - 1));
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT received_on, closed_on FROM privacy_requests WHERE received_on >= $1 OR closed_on >= $1",
    )
    .bind(since.to_string())
    .fetch_all(pool)
    .await?;
    let mut received = Vec::new();
    let mut closed = Vec::new();
    for (r, c) in rows {
        received.push(code::<Date, _>("privacy_requests.received_on", &r)?);
        if let Some(c) = c {
            closed.push(code::<Date, _>("privacy_requests.closed_on", &c)?);
        }
    }
    Ok((received, closed))
}

/// A request's columns for the record.
#[derive(sqlx::FromRow)]
struct RecordRow {
    id: String,
    kind: String,
    channel: String,
    received_on: String,
    due_on: String,
    closed_on: Option<String>,
    status: String,
    extended: i64,
}

impl RecordRow {
    /// The request's line in the record.
    fn into_record(self) -> Result<RequestRecord, sqlx::Error> {
        Ok(RequestRecord {
            id: self.id,
            kind: code("privacy_requests.kind", &self.kind)?,
            channel: code("privacy_requests.channel", &self.channel)?,
            received: code("privacy_requests.received_on", &self.received_on)?,
            due: code("privacy_requests.due_on", &self.due_on)?,
            closed: self
                .closed_on
                .map(|c| code("privacy_requests.closed_on", &c))
                .transpose()?,
            status: code("privacy_requests.status", &self.status)?,
            extended: self.extended == 1,
        })
    }
}

/// The requests received from `from` to `to` (inclusive), oldest first.
pub async fn records(pool: &AnyPool, from: Date, to: Date) -> Result<Vec<RequestRecord>, StoreError> {
    let rows: Vec<RecordRow> = sqlx::query_as(concat!(
        "SELECT id, kind, channel, received_on, due_on, closed_on, status, extended FROM privacy_requests ",
        "WHERE received_on >= $1 AND received_on <= $2 ORDER BY received_on, id"
    ))
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(RecordRow::into_record)
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}
