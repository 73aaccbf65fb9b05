//! The access package: the machine-readable answer to an access (Art. 15) or portability
//! (Art. 20) request.

use super::detail::RequestSummary;
use super::kind::RequestKind;
use super::task::TaskOutcome;
use serde::{Deserialize, Serialize};

/// What one agency reported for one system, as the package carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgencyReport {
    pub system: String,
    pub system_name: String,
    pub agency_name: String,
    pub outcome: Option<TaskOutcome>,
    pub note: Option<String>,
    /// What the system holds on the resident, as the agency sent it.
    pub data: Option<serde_json::Value>,
}

/// An enrollment in force, as the package carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentRecord {
    pub system: String,
    pub system_name: String,
    /// YYYY-MM-DD.
    pub since: String,
}

/// The answer to a fulfilled access (Art. 15) or portability (Art. 20) request: what
/// Glasshouse holds about the resident and what each agency reported, machine-readable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessPackage {
    /// The version of this format.
    pub format: String,
    pub request_id: String,
    pub kind: RequestKind,
    /// RFC 3339.
    pub generated_at: String,
    pub profile: crate::account::Profile,
    /// The systems that hold the resident's data by enrollment now.
    pub enrollments: Vec<EnrollmentRecord>,
    /// Every enrollment confirmed or ended, newest first.
    pub enrollment_history: Vec<crate::consent::EnrollmentEventView>,
    /// Every consent event, newest first; each one's receipt is at `receipt_url`.
    pub consent_history: Vec<crate::consent::ConsentEventView>,
    /// Every agency check and data query that named the resident, newest first.
    pub decisions: Vec<crate::decision::AccessEntry>,
    pub requests: Vec<RequestSummary>,
    pub agency_reports: Vec<AgencyReport>,
}
