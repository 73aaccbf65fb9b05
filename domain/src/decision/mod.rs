//! The consent decision: what an agency's check about one resident, system and purpose
//! answers, and why. One pure function, so the rule lives in exactly one place
//! (GDPR Art. 6(1), 7(3) and 21, as summarised in shared/DOMAIN.md).

pub mod index;

use super::register::LegalBasis;
use crate::vocabulary;

vocabulary! {
    /// The answer.
    Decision {
        Permit => "permit",
        Deny => "deny",
    }
}

vocabulary! {
    /// Why the answer is what it is; stable codes agencies can act on.
    Reason {
        /// The resident's latest consent event for the purpose is a grant.
        ConsentGiven => "consent_given",
        /// The resident withdrew consent.
        ConsentWithdrawn => "consent_withdrawn",
        /// The resident consented to an earlier notice; the purpose changed materially since
        /// (more data, new recipients, longer keeping, another basis): they must choose again.
        ReconsentRequired => "reconsent_required",
        /// The resident was never asked, or never answered.
        ConsentNotGiven => "consent_not_given",
        /// Permitted because of a basis other than consent.
        LegalBasis => "legal_basis",
        /// An objection (Art. 21) was upheld for this purpose.
        ObjectionUpheld => "objection_upheld",
        UnknownSubject => "unknown_subject",
        UnknownSystem => "unknown_system",
        UnknownPurpose => "unknown_purpose",
        /// The calling agency does not run the system.
        AgencyNotEntitled => "agency_not_entitled",
        /// The system is planned or retired: it may not process anyone's data.
        SystemNotActive => "system_not_active",
        /// The system holds data of enrolled residents only, and the resident is not enrolled.
        NotEnrolled => "not_enrolled",
    }
}

vocabulary! {
    /// What the agency asked for: a consent check, or the resident's data.
    DecisionKind {
        Check => "check",
        Query => "query",
    }
}

/// Where a resident's consent for one purpose stands (W3C DPV).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ConsentState {
    Given,
    Withdrawn,
    NeverAsked,
}

/// What the check knows once the subject, system and purpose are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub legal_basis: LegalBasis,
    pub consent: ConsentState,
    pub objection_upheld: bool,
    /// The resident's grant was made on a notice older than the purpose's last material
    /// change (`domain::consent::grant_stands` is false).
    pub stale_grant: bool,
    /// For a system that holds enrolled residents' data: whether this resident is enrolled.
    /// `None` for a system in public space, which may capture anyone.
    pub enrolled: Option<bool>,
}

/// Decides a check whose subject, system and purpose exist and whose agency is entitled.
pub fn decide(facts: Facts) -> (Decision, Reason) {
    if facts.enrolled == Some(false) {
        return (Decision::Deny, Reason::NotEnrolled);
    }
    if facts.objection_upheld {
        return (Decision::Deny, Reason::ObjectionUpheld);
    }
    match (facts.legal_basis, facts.consent) {
        (LegalBasis::Consent, ConsentState::Given) if facts.stale_grant => {
            (Decision::Deny, Reason::ReconsentRequired)
        }
        (LegalBasis::Consent, ConsentState::Given) => (Decision::Permit, Reason::ConsentGiven),
        (LegalBasis::Consent, ConsentState::Withdrawn) => (Decision::Deny, Reason::ConsentWithdrawn),
        (LegalBasis::Consent, ConsentState::NeverAsked) => (Decision::Deny, Reason::ConsentNotGiven),
        (_, _) => (Decision::Permit, Reason::LegalBasis),
    }
}

/// One agency check or data query that named the resident, in their language.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AccessEntry {
    pub seq: i64,
    pub decision_id: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub kind: DecisionKind,
    pub agency_slug: String,
    pub agency_name: String,
    pub system_slug: String,
    pub system_name: String,
    pub purpose_key: String,
    pub purpose_name: String,
    pub decision: Decision,
    pub reason: Reason,
    /// Its entry number in the ledger.
    pub ledger_index: Option<i64>,
}

/// Which entries of the access log to show.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccessFilter {
    /// Only this agency's queries.
    pub agency: Option<String>,
    /// Only permits or only denials.
    pub decision: Option<Decision>,
    /// Show entries older than this sequence number (the next page).
    pub before: Option<i64>,
}

/// One page of the access log, newest first.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AccessPage {
    pub entries: Vec<AccessEntry>,
    /// Where the next (older) page starts, if there is one.
    pub next_before: Option<i64>,
    /// The agencies that appear anywhere in the resident's log, for the filter.
    pub agencies: Vec<super::register::AgencyOption>,
}

/// Entries per page of the access log.
pub const ACCESS_PAGE_SIZE: usize = 25;

/// Entries of the access log the resident's summary shows: the latest few.
pub const RECENT_ACCESS: usize = 3;

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(legal_basis: LegalBasis, consent: ConsentState) -> Facts {
        Facts {
            legal_basis,
            consent,
            objection_upheld: false,
            stale_grant: false,
            enrolled: Some(true),
        }
    }

    #[test]
    fn a_grant_on_a_materially_older_notice_no_longer_permits() {
        let mut f = facts(LegalBasis::Consent, ConsentState::Given);
        f.stale_grant = true;
        assert_eq!(decide(f), (Decision::Deny, Reason::ReconsentRequired));
        // Another basis does not rest on the grant at all.
        f.legal_basis = LegalBasis::PublicTask;
        assert_eq!(decide(f), (Decision::Permit, Reason::LegalBasis));
    }

    #[test]
    fn consent_permits_only_while_the_latest_event_is_a_grant() {
        let basis = LegalBasis::Consent;
        assert_eq!(
            decide(facts(basis, ConsentState::Given)),
            (Decision::Permit, Reason::ConsentGiven)
        );
        assert_eq!(
            decide(facts(basis, ConsentState::Withdrawn)),
            (Decision::Deny, Reason::ConsentWithdrawn)
        );
        assert_eq!(
            decide(facts(basis, ConsentState::NeverAsked)),
            (Decision::Deny, Reason::ConsentNotGiven)
        );
    }

    #[test]
    fn other_bases_permit_whatever_the_consent_state() {
        for basis in LegalBasis::ALL.iter().filter(|b| !b.needs_consent()) {
            for state in [
                ConsentState::Given,
                ConsentState::Withdrawn,
                ConsentState::NeverAsked,
            ] {
                assert_eq!(
                    decide(facts(*basis, state)),
                    (Decision::Permit, Reason::LegalBasis),
                    "{basis}"
                );
            }
        }
    }

    #[test]
    fn an_upheld_objection_denies_whatever_the_basis() {
        for basis in LegalBasis::ALL {
            let f = Facts {
                legal_basis: *basis,
                consent: ConsentState::Given,
                objection_upheld: true,
                stale_grant: false,
                enrolled: None,
            };
            assert_eq!(decide(f), (Decision::Deny, Reason::ObjectionUpheld), "{basis}");
        }
    }

    #[test]
    fn a_system_of_enrolled_residents_denies_anyone_not_enrolled() {
        let mut f = facts(LegalBasis::Contract, ConsentState::Given);
        f.enrolled = Some(false);
        assert_eq!(decide(f), (Decision::Deny, Reason::NotEnrolled));
        f.enrolled = None;
        assert_eq!(decide(f), (Decision::Permit, Reason::LegalBasis), "public space");
    }

    #[test]
    fn reason_codes_are_the_published_ones() {
        let codes: Vec<&str> = Reason::ALL.iter().map(|r| r.code()).collect();
        for code in [
            "consent_given",
            "consent_withdrawn",
            "consent_not_given",
            "legal_basis",
            "unknown_subject",
            "unknown_system",
            "unknown_purpose",
            "agency_not_entitled",
            "objection_upheld",
            "not_enrolled",
            "system_not_active",
            "reconsent_required",
        ] {
            assert!(codes.contains(&code), "{code}");
        }
    }
}
