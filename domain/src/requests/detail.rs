//! What a resident sees of their requests: the list, and one request with its tasks, timeline
//! and messages.

use super::kind::{RequestChannel, RequestKind};
use super::status::RequestStatus;
use super::task::TaskView;
use crate::calendar::Date;
use serde::{Deserialize, Serialize};

/// One request in its resident's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSummary {
    pub id: String,
    pub kind: RequestKind,
    pub status: RequestStatus,
    pub received: Date,
    pub due: Date,
    /// Days until the due date (negative once overdue); `None` once the request is closed.
    pub days_left: Option<i64>,
    pub closed: Option<Date>,
}

impl RequestSummary {
    /// Days left on `today` for a request due on `due`, unless it is closed.
    pub fn days_left(status: RequestStatus, due: Date, today: Date) -> Option<i64> {
        (!status.is_closed()).then(|| today.days_until(due))
    }
}

/// One step of a request's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// RFC 3339.
    pub at: String,
    pub status: RequestStatus,
    pub reason: Option<String>,
}

/// Everything a resident sees of one of their requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetail {
    pub summary: RequestSummary,
    pub channel: RequestChannel,
    pub details: String,
    /// For an objection: the system's and the purpose's names.
    pub objection: Option<(String, String)>,
    pub extended: bool,
    /// Whether the clock is paused, waiting for the resident.
    pub paused: bool,
    pub tasks: Vec<TaskView>,
    /// Oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// The conversation with the privacy office, oldest first.
    pub messages: Vec<MessageView>,
}

/// One message about a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    /// RFC 3339.
    pub at: String,
    /// Written by the privacy office (else by the resident).
    pub from_office: bool,
    pub author: String,
    pub body: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestStatus::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn days_left_count_down_and_stop_when_closed() {
        let due = d("2026-12-10");
        assert_eq!(
            RequestSummary::days_left(InProgress, due, d("2026-12-01")),
            Some(9)
        );
        assert_eq!(
            RequestSummary::days_left(InProgress, due, d("2026-12-12")),
            Some(-2)
        );
        assert_eq!(RequestSummary::days_left(Fulfilled, due, d("2026-12-01")), None);
    }
}
