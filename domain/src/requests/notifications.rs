//! Notifications: what a resident is told about their requests.

use super::kind::RequestKind;
use super::status::RequestStatus;
use serde::{Deserialize, Serialize};

/// What a notification tells the resident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotificationKind {
    /// The request changed to this status.
    Status(RequestStatus),
    /// The privacy office wrote.
    Message,
}

/// One notification about one of the resident's requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: String,
    pub request_id: String,
    pub request_kind: RequestKind,
    /// RFC 3339.
    pub at: String,
    pub kind: NotificationKind,
    pub read: bool,
}
