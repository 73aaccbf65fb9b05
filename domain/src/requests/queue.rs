//! The officers' queue: its filter, its pages, and the urgency badge of each request.

use super::detail::RequestSummary;
use super::kind::{RequestChannel, RequestKind};
use super::status::RequestStatus;
use serde::{Deserialize, Serialize};

/// How urgent a request looks in the queue, as privacy teams read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Urgency {
    /// 10 days or more left.
    Green,
    /// Fewer than 10.
    Amber,
    /// Fewer than 5.
    Red,
    /// Past the due date.
    Overdue,
}

impl Urgency {
    /// The stable name of the urgency (`green`, `amber`, `red`, `overdue`): the badge's
    /// `data-urgency` and its colour class `badge-{name}`.
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Green => "green",
            Urgency::Amber => "amber",
            Urgency::Red => "red",
            Urgency::Overdue => "overdue",
        }
    }
}

/// The urgency of a request with `days_left` until its due date.
pub fn urgency(days_left: i64) -> Urgency {
    match days_left {
        d if d < 0 => Urgency::Overdue,
        d if d < 5 => Urgency::Red,
        d if d < 10 => Urgency::Amber,
        _ => Urgency::Green,
    }
}

/// Requests per page of the officers' queue.
pub const QUEUE_PAGE_SIZE: u32 = 25;

/// Which requests the queue shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    pub status: Option<RequestStatus>,
    pub kind: Option<RequestKind>,
    /// An agency slug: requests with a task for it.
    pub agency: Option<String>,
    /// Only open requests past their due date.
    pub overdue: bool,
    /// Only requests assigned to the officer asking.
    pub mine: bool,
    /// A resident number or a request id.
    pub search: String,
    /// Where the page starts (a `QUEUE_CURSOR`); the first page when `None`.
    pub after: Option<crate::paging::Cursor>,
}

/// A page of the queue starts after a request's (closed: 0 or 1, due date, id): open
/// requests first, the earliest due first.
pub const QUEUE_CURSOR: crate::paging::Shape = crate::paging::Shape(&[
    crate::paging::Part::Number,
    crate::paging::Part::Text,
    crate::paging::Part::Text,
]);

/// One request in the officers' queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub summary: RequestSummary,
    pub resident_number: String,
    pub channel: RequestChannel,
    /// The officer handling it.
    pub assigned_to: Option<String>,
    /// Tasks agencies have not completed yet.
    pub open_tasks: i64,
}

impl QueueRow {
    /// The urgency badge; `None` once closed.
    pub fn urgency(&self) -> Option<Urgency> {
        self.summary.days_left.map(urgency)
    }
}

/// One page of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    /// Where the next page starts (a `QUEUE_CURSOR`); `None` on the last page.
    pub next_cursor: Option<String>,
    /// Whether this is a later page (so the page offers a way back to the first).
    pub later: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urgency_badges_follow_the_days_left() {
        assert_eq!(urgency(30), Urgency::Green);
        assert_eq!(urgency(10), Urgency::Green);
        assert_eq!(urgency(9), Urgency::Amber);
        assert_eq!(urgency(5), Urgency::Amber);
        assert_eq!(urgency(4), Urgency::Red);
        assert_eq!(urgency(0), Urgency::Red);
        assert_eq!(urgency(-1), Urgency::Overdue);
    }
}
