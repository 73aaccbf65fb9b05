//! The officers' queue of requests: filtered, open ones first, one page at a time.

use crate::requests::{SummaryRow, summary_columns, today};
use crate::{StoreError, code};
use domain::paging::{Cursor, Page, fetch_limit};
use domain::requests::{QUEUE_PAGE_SIZE, QueueFilter, QueuePage, QueueRow, RequestKind, RequestStatus};
use sqlx::AnyPool;

/// A request's queue columns: its summary, resident, channel, assignee and open tasks.
#[derive(sqlx::FromRow)]
struct QueuedRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    resident_number: String,
    channel: String,
    assigned_name: Option<String>,
    open_tasks: i64,
}

impl QueuedRow {
    /// The queue's line for the request, with the days left on `today`.
    fn into_queue_row(self, today: domain::calendar::Date) -> Result<QueueRow, sqlx::Error> {
        Ok(QueueRow {
            summary: self.summary.into_summary(today)?,
            resident_number: self.resident_number,
            channel: code("privacy_requests.channel", &self.channel)?,
            assigned_to: self.assigned_name,
            open_tasks: self.open_tasks,
        })
    }
}

/// One page of the queue: open requests first, the earliest due first, after the filter's
/// cursor; `officer_id` is who asks (for "mine").
pub async fn queue(pool: &AnyPool, officer_id: &str, filter: &QueueFilter) -> Result<QueuePage, StoreError> {
    let today = today();
    let search = filter.search.trim();
    let limit = fetch_limit(QUEUE_PAGE_SIZE);
    let after = filter.after.as_ref();
    let rows: Vec<QueuedRow> = sqlx::query_as(concat!(
        "SELECT ",
        summary_columns!(),
        ", u.resident_number, r.channel, au.display_name AS assigned_name, ",
        "(SELECT COUNT(*) FROM request_tasks t WHERE t.request_id = r.id AND t.outcome IS NULL) AS open_tasks ",
        "FROM privacy_requests r JOIN users u ON u.id = r.user_id LEFT JOIN users au ON au.id = r.assigned_to ",
        "WHERE ($1 IS NULL OR r.status = $1) AND ($2 IS NULL OR r.kind = $2) ",
        "AND ($3 IS NULL OR EXISTS (SELECT 1 FROM request_tasks t JOIN agencies a ON a.id = t.agency_id ",
        "WHERE t.request_id = r.id AND a.slug = $3)) ",
        "AND ($4 = 0 OR (r.status NOT IN ",
        closed_statuses!(),
        " AND r.due_on < $5)) ",
        "AND ($6 IS NULL OR r.assigned_to = $6) ",
        "AND ($7 = '' OR r.id = $7 OR u.resident_number = $8) ",
        "AND ($10 = 0 OR (CASE WHEN r.status IN ",
        closed_statuses!(),
        " THEN 1 ELSE 0 END) > $11 OR ((CASE WHEN r.status IN ",
        closed_statuses!(),
        " THEN 1 ELSE 0 END) = $11 AND (r.due_on > $12 OR (r.due_on = $12 AND r.id > $13)))) ",
        "ORDER BY CASE WHEN r.status IN ",
        closed_statuses!(),
        " THEN 1 ELSE 0 END, r.due_on, r.id ",
        "LIMIT $9"
    ))
    .bind(filter.status.map(RequestStatus::code))
    .bind(filter.kind.map(RequestKind::code))
    .bind(filter.agency.as_deref().filter(|a| !a.is_empty()))
    .bind(i64::from(filter.overdue))
    .bind(today.to_string())
    .bind(filter.mine.then_some(officer_id))
    .bind(search)
    .bind(search.to_uppercase())
    .bind(limit)
    .bind(i64::from(after.is_some()))
    .bind(after.map_or(0, |c| c.number(0)))
    .bind(after.map_or("", |c| c.part(1)))
    .bind(after.map_or("", |c| c.part(2)))
    .fetch_all(pool)
    .await?;
    let rows = rows
        .into_iter()
        .map(|row| row.into_queue_row(today))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let page = Page::from_rows(rows, QUEUE_PAGE_SIZE, |row| {
        let closed = if row.summary.status.is_closed() { "1" } else { "0" };
        Cursor::after(&[closed, &row.summary.due.to_string(), &row.summary.id])
    });
    Ok(QueuePage {
        next_cursor: page.next_cursor(),
        rows: page.items,
        later: after.is_some(),
    })
}
