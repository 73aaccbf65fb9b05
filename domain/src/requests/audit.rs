//! The admin audit log: one row per officer action, paged newest first.

use serde::{Deserialize, Serialize};

/// One action in the admin audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub seq_key: i64,
    /// RFC 3339.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub request_id: Option<String>,
    pub detail: String,
}

/// One page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    /// Where the next (older) page starts.
    pub next_before: Option<i64>,
}

/// Rows per page of the audit log.
pub const AUDIT_PAGE_SIZE: u32 = 50;
