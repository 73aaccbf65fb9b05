//! The agencies' tasks: one per system a request concerns, and how each was closed.

use crate::vocabulary;
use serde::{Deserialize, Serialize};

vocabulary! {
    /// How an agency closed its task for one system.
    TaskOutcome {
        /// Done as asked (data reported, corrected, erased, restricted...).
        Done => "done",
        /// The system holds no data on the resident.
        NoData => "no_data",
        /// Refused by the agency, with a note saying why.
        Refused => "refused",
    }
}

/// What one agency reported for one system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskView {
    pub id: String,
    pub system: String,
    pub system_name: String,
    pub agency_name: String,
    /// `None` while the agency is still working on it.
    pub outcome: Option<TaskOutcome>,
    pub note: Option<String>,
    /// When it was completed (RFC 3339).
    pub completed_at: Option<String>,
}
