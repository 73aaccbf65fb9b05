//! The access package: the machine-readable answer to an access (Art. 15) or portability
//! (Art. 20) request, and how it is written in pieces so that the decision log, which has
//! no upper bound, is never held whole.

use super::detail::RequestSummary;
use super::kind::RequestKind;
use super::task::TaskOutcome;
use crate::account::{AccountNotice, Profile};
use crate::consent::{ConsentEventView, EnrollmentEventView};
use crate::decision::AccessEntry;
use serde::{Deserialize, Serialize};

/// The version of the package's format, the document's `format`.
pub const PACKAGE_FORMAT: &str = "glasshouse-access-package/3";

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
/// The server writes it in pieces with [`PackageWriter`], never holding it whole; this is
/// the document as a consumer reads it.
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
    /// What happened to the account that its owner was told (wrong passwords tried, sign-ups
    /// with its email), newest first.
    pub account_notices: Vec<AccountNotice>,
}

/// Everything in a package but its decisions: the parts that are read at once. In the
/// document the decisions come between `consent_history` and `requests`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageParts {
    /// The version of this format.
    pub format: String,
    pub request_id: String,
    pub kind: RequestKind,
    /// RFC 3339.
    pub generated_at: String,
    pub profile: Profile,
    pub enrollments: Vec<EnrollmentRecord>,
    pub enrollment_history: Vec<EnrollmentEventView>,
    pub consent_history: Vec<ConsentEventView>,
    pub requests: Vec<RequestSummary>,
    pub agency_reports: Vec<AgencyReport>,
    pub account_notices: Vec<AccountNotice>,
}

/// What the readable page of a package shows: its parts, the newest decisions and how many
/// the package holds in all (the download has every one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageSummary {
    pub parts: PackageParts,
    /// The newest entries of the package's decisions, newest first.
    pub newest_decisions: Vec<AccessEntry>,
    /// How many decisions the package holds.
    pub decisions_total: i64,
}

/// The fields before the decisions, in the document's order.
#[derive(Serialize)]
struct Opening<'a> {
    format: &'a str,
    request_id: &'a str,
    kind: RequestKind,
    generated_at: &'a str,
    profile: &'a Profile,
    enrollments: &'a [EnrollmentRecord],
    enrollment_history: &'a [EnrollmentEventView],
    consent_history: &'a [ConsentEventView],
}

/// The fields after the decisions, in the document's order.
#[derive(Serialize)]
struct Closing<'a> {
    requests: &'a [RequestSummary],
    agency_reports: &'a [AgencyReport],
    account_notices: &'a [AccountNotice],
}

/// Writes a package document in pieces: [`PackageWriter::opening`], each page of decisions
/// (newest first) through [`PackageWriter::decisions`], then [`PackageWriter::closing`].
/// Joined, the pieces are byte for byte the compact JSON of the [`AccessPackage`] that holds
/// the same parts and decisions.
#[derive(Debug, Default)]
pub struct PackageWriter {
    wrote_decision: bool,
}

impl PackageWriter {
    /// The document up to and including the decisions' opening bracket.
    pub fn opening(parts: &PackageParts) -> serde_json::Result<Vec<u8>> {
        let mut out = serde_json::to_vec(&Opening {
            format: &parts.format,
            request_id: &parts.request_id,
            kind: parts.kind,
            generated_at: &parts.generated_at,
            profile: &parts.profile,
            enrollments: &parts.enrollments,
            enrollment_history: &parts.enrollment_history,
            consent_history: &parts.consent_history,
        })?;
        // The object's closing brace: the decisions and the fields after them follow.
        out.pop();
        out.extend_from_slice(b",\"decisions\":[");
        Ok(out)
    }

    /// One page of decisions as array elements, with a comma before each but the very first.
    pub fn decisions(&mut self, entries: &[AccessEntry]) -> serde_json::Result<Vec<u8>> {
        let mut out = Vec::new();
        for entry in entries {
            if self.wrote_decision {
                out.push(b',');
            }
            serde_json::to_writer(&mut out, entry)?;
            self.wrote_decision = true;
        }
        Ok(out)
    }

    /// The decisions' closing bracket and the rest of the document.
    pub fn closing(parts: &PackageParts) -> serde_json::Result<Vec<u8>> {
        let rest = serde_json::to_vec(&Closing {
            requests: &parts.requests,
            agency_reports: &parts.agency_reports,
            account_notices: &parts.account_notices,
        })?;
        let mut out = b"],".to_vec();
        // Without the object's opening brace: these fields continue the document's object.
        out.extend_from_slice(rest.get(1..).unwrap_or_default());
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::{Decision, DecisionKind, Reason};

    fn parts() -> PackageParts {
        PackageParts {
            format: PACKAGE_FORMAT.to_owned(),
            request_id: "r1".to_owned(),
            kind: RequestKind::Access,
            generated_at: "2026-11-27T10:00:00.000000Z".to_owned(),
            profile: Profile {
                display_name: "Ana \"Quoted\" Ruiz".to_owned(),
                ..Profile::default()
            },
            enrollments: vec![EnrollmentRecord {
                system: "fare-card".to_owned(),
                system_name: "Fare card".to_owned(),
                since: "2026-11-01".to_owned(),
            }],
            enrollment_history: Vec::new(),
            consent_history: Vec::new(),
            requests: Vec::new(),
            agency_reports: vec![AgencyReport {
                system: "fare-card".to_owned(),
                system_name: "Fare card".to_owned(),
                agency_name: "Transit".to_owned(),
                outcome: Some(TaskOutcome::Done),
                note: None,
                data: Some(serde_json::json!({"trips": [1, 2]})),
            }],
            account_notices: vec![AccountNotice {
                id: "n1".to_owned(),
                kind: crate::account::AccountNoticeKind::SignUpAttempts,
                times: 2,
                at: "2026-11-26T09:00:00.000000Z".to_owned(),
                read: false,
            }],
        }
    }

    fn entry(seq: i64) -> AccessEntry {
        AccessEntry {
            seq,
            decision_id: format!("d{seq}"),
            at: "2026-11-27T09:00:00.000000Z".to_owned(),
            kind: DecisionKind::Check,
            agency_slug: "transit".to_owned(),
            agency_name: "Transit".to_owned(),
            system_slug: "fare-card".to_owned(),
            system_name: "Fare card".to_owned(),
            purpose_key: "alerts".to_owned(),
            purpose_name: "Alerts".to_owned(),
            decision: Decision::Permit,
            reason: Reason::ConsentGiven,
            ledger_index: Some(seq),
        }
    }

    /// The document written in pieces, with `pages` of decisions.
    fn written(parts: &PackageParts, pages: &[Vec<AccessEntry>]) -> Vec<u8> {
        let mut writer = PackageWriter::default();
        let mut out = PackageWriter::opening(parts).unwrap();
        for page in pages {
            out.extend(writer.decisions(page).unwrap());
        }
        out.extend(PackageWriter::closing(parts).unwrap());
        out
    }

    /// The same package serialised whole.
    fn whole(parts: PackageParts, decisions: Vec<AccessEntry>) -> Vec<u8> {
        let package = AccessPackage {
            format: parts.format,
            request_id: parts.request_id,
            kind: parts.kind,
            generated_at: parts.generated_at,
            profile: parts.profile,
            enrollments: parts.enrollments,
            enrollment_history: parts.enrollment_history,
            consent_history: parts.consent_history,
            decisions,
            requests: parts.requests,
            agency_reports: parts.agency_reports,
            account_notices: parts.account_notices,
        };
        serde_json::to_vec(&package).unwrap()
    }

    #[test]
    fn written_in_pieces_the_package_is_the_whole_document_byte_for_byte() {
        let pages = vec![
            vec![entry(9), entry(8)],
            Vec::new(),
            vec![entry(7)],
            vec![entry(3)],
        ];
        let all: Vec<AccessEntry> = pages.iter().flatten().cloned().collect();
        assert_eq!(written(&parts(), &pages), whole(parts(), all));
    }

    #[test]
    fn a_package_without_decisions_has_an_empty_array() {
        let written = written(&parts(), &[]);
        assert_eq!(written, whole(parts(), Vec::new()));
        let text = String::from_utf8(written).unwrap();
        assert!(
            text.contains(r#""consent_history":[],"decisions":[],"requests":[]"#),
            "{text}"
        );
    }

    #[test]
    fn the_written_package_parses_back() {
        let pages = vec![vec![entry(2)], vec![entry(1)]];
        let package: AccessPackage = serde_json::from_slice(&written(&parts(), &pages)).unwrap();
        assert_eq!(package.format, PACKAGE_FORMAT);
        assert_eq!(package.decisions, vec![entry(2), entry(1)]);
        assert_eq!(package.agency_reports, parts().agency_reports);
    }
}
