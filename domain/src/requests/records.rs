//! The record of processing activities: one line per request, as the admin export carries it.

use super::kind::{RequestChannel, RequestKind};
use super::status::RequestStatus;
use crate::calendar::Date;
use serde::{Deserialize, Serialize};

/// One line of the record of processing activities (`/admin/requests.csv`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub id: String,
    pub kind: RequestKind,
    pub channel: RequestChannel,
    pub received: Date,
    pub due: Date,
    pub closed: Option<Date>,
    pub status: RequestStatus,
    pub extended: bool,
}

impl RequestRecord {
    /// Calendar days from receipt to closing.
    pub fn days_taken(&self) -> Option<i64> {
        self.closed.map(|c| self.received.days_until(c))
    }

    /// Whether it was closed by its due date (`None` while open).
    pub fn on_time(&self) -> Option<bool> {
        self.closed.map(|c| c <= self.due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestStatus::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn a_record_knows_its_days_and_whether_it_was_on_time() {
        let mut r = RequestRecord {
            id: "r".into(),
            kind: RequestKind::Access,
            channel: RequestChannel::Web,
            received: d("2026-01-31"),
            due: d("2026-02-28"),
            closed: None,
            status: InProgress,
            extended: false,
        };
        assert_eq!((r.days_taken(), r.on_time()), (None, None));
        r.closed = Some(d("2026-02-28"));
        assert_eq!((r.days_taken(), r.on_time()), (Some(28), Some(true)));
        r.closed = Some(d("2026-03-01"));
        assert_eq!(r.on_time(), Some(false));
    }
}
