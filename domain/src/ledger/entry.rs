//! What the ledger hashes: one canonical encoding per entry of the four logs (agency
//! decisions, consent events, enrollment events, staff actions). The encoding is the JSON of
//! the types below, fields in the order written here, built from the stored columns exactly
//! as stored, so anyone holding a row can recompute its leaf.

use crate::vocabulary;
use serde::Serialize;
use sha2::{Digest, Sha256};

vocabulary! {
    /// Which log an entry belongs to.
    Source {
        /// An agency's consent check or data query (`decision_log`).
        Decision => "decision",
        /// A resident's grant or withdrawal (`consent_events`).
        Consent => "consent",
        /// An enrollment confirmed or ended (`enrollment_events`).
        Enrollment => "enrollment",
        /// An officer's or admin's action (`admin_audit`).
        Audit => "audit",
    }
}

/// A decision, as hashed. The resident number asked about is not hashed in the clear: a
/// salted digest stands for it, so the number can be erased when the account goes and the
/// entry still verifies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionLeaf {
    pub seq: i64,
    pub id: String,
    pub request_id: String,
    pub at_us: i64,
    pub kind: String,
    pub agency: String,
    pub client_id: String,
    pub subject_digest: String,
    pub system: String,
    pub purpose: String,
    pub user_id: Option<String>,
    pub decision: String,
    pub reason: String,
    pub legal_basis: Option<String>,
}

/// A consent event, as hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentLeaf {
    pub id: String,
    pub user_id: String,
    pub purpose_id: String,
    pub notice_version: i64,
    pub action: String,
    pub channel: String,
    pub at_us: i64,
}

/// An enrollment event, as hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnrollmentLeaf {
    pub id: String,
    pub user_id: String,
    pub system_id: String,
    pub action: String,
    pub channel: String,
    pub actor: Option<String>,
    pub requested_at_us: Option<i64>,
    pub at_us: i64,
}

/// A staff action, as hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditLeaf {
    pub id: String,
    pub at_us: i64,
    pub actor_id: String,
    pub actor_name: String,
    pub action: String,
    pub request_id: Option<String>,
    pub detail: String,
}

/// One entry of any of the four logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "log", rename_all = "snake_case")]
pub enum LedgerEntry {
    Decision(DecisionLeaf),
    Consent(ConsentLeaf),
    Enrollment(EnrollmentLeaf),
    Audit(AuditLeaf),
}

impl LedgerEntry {
    /// The log it belongs to.
    pub fn source(&self) -> Source {
        match self {
            LedgerEntry::Decision(_) => Source::Decision,
            LedgerEntry::Consent(_) => Source::Consent,
            LedgerEntry::Enrollment(_) => Source::Enrollment,
            LedgerEntry::Audit(_) => Source::Audit,
        }
    }

    /// The id of the row in its log.
    pub fn id(&self) -> &str {
        match self {
            LedgerEntry::Decision(e) => &e.id,
            LedgerEntry::Consent(e) => &e.id,
            LedgerEntry::Enrollment(e) => &e.id,
            LedgerEntry::Audit(e) => &e.id,
        }
    }

    /// The bytes the leaf hash is taken over.
    pub fn canonical(&self) -> String {
        // Plain strings, integers and nulls in declared order: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// `SHA-256(0x00 ‖ canonical)`.
    pub fn leaf_hash(&self) -> super::Hash {
        super::leaf_hash(self.canonical().as_bytes())
    }
}

/// The digest that stands for a resident number in a decision: SHA-256 of the salt (hex),
/// a colon and the number as asked.
pub fn subject_digest(salt: &str, subject: &str) -> String {
    let digest = Sha256::digest(format!("{salt}:{subject}").as_bytes());
    super::to_hex(&digest.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_encoding_is_fixed_field_by_field() {
        let entry = LedgerEntry::Consent(ConsentLeaf {
            id: "e1".into(),
            user_id: "u1".into(),
            purpose_id: "p1".into(),
            notice_version: 2,
            action: "grant".into(),
            channel: "web".into(),
            at_us: 5,
        });
        assert_eq!(
            entry.canonical(),
            r#"{"log":"consent","id":"e1","user_id":"u1","purpose_id":"p1","notice_version":2,"action":"grant","channel":"web","at_us":5}"#
        );
        assert_eq!(entry.source(), Source::Consent);
        let mut edited = entry.clone();
        if let LedgerEntry::Consent(e) = &mut edited {
            e.at_us = 6;
        }
        assert_ne!(entry.leaf_hash(), edited.leaf_hash(), "any edit changes the leaf");
    }

    #[test]
    fn a_subject_digest_depends_on_salt_and_number() {
        let a = subject_digest("00", "GH-2222-2222");
        assert_eq!(a.len(), 64);
        assert_ne!(a, subject_digest("01", "GH-2222-2222"));
        assert_ne!(a, subject_digest("00", "GH-2222-2223"));
    }
}
