//! The append-only history of a resident's consent choices, one event at a time.

use super::action::{Channel, ConsentAction};
use serde::{Deserialize, Serialize};

/// A page of a resident's consent history starts after an event's (time in microseconds,
/// id): newest first.
pub const HISTORY_CURSOR: crate::paging::Shape =
    crate::paging::Shape(&[crate::paging::Part::Number, crate::paging::Part::Text]);

/// One consent event in the resident's history, in their language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsentEventView {
    /// Also the receipt id.
    pub id: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub action: ConsentAction,
    pub channel: Channel,
    pub system_slug: String,
    pub system_name: String,
    pub agency_name: String,
    pub purpose_key: String,
    pub purpose_name: String,
    pub notice_version: i64,
    /// Its entry number in the ledger, where anyone can check it was not changed.
    pub ledger_index: Option<i64>,
}
