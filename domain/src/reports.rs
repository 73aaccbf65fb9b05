//! The yearly surveillance report of one system (after Boston's ordinance, §16-63.5): how it
//! was used (checks and data queries per purpose), who asked and on what legal basis, the
//! denials and why, complaints and register problem reports, privacy requests and upheld
//! objections, incidents, and the sections officers write. Every count follows
//! `crate::stats::Shown`.

use crate::stats::Shown;
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    /// The sections officers write.
    WrittenSection {
        /// What the system did this year, in plain words.
        Summary => "summary",
        /// Whether it achieved its purposes, and how that was judged.
        Effectiveness => "effectiveness",
        /// Its effect on civil rights and liberties, and on communities.
        CivilRights => "civil_rights",
        /// Changes to the system, its purposes or its rules during the year.
        Changes => "changes",
    }
}

/// The longest written section.
pub const MAX_SECTION: usize = 20_000;

/// One purpose's use over the year: checks and data queries, permitted and denied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeUse {
    pub purpose: String,
    /// The purpose's name and legal basis in the register (`None` when the register has no
    /// such purpose: asked about all the same).
    pub name: Option<String>,
    pub legal_basis: Option<crate::register::LegalBasis>,
    pub checks_permitted: Shown,
    pub checks_denied: Shown,
    pub queries_permitted: Shown,
    pub queries_denied: Shown,
}

/// The published report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearlyReport {
    pub year: i32,
    pub system: String,
    pub system_name: String,
    pub agency_name: String,
    pub uses: Vec<PurposeUse>,
    /// Agencies that asked about residents through the system: slug, checks, data queries.
    pub askers: Vec<(String, Shown, Shown)>,
    pub denial_reasons: Vec<(String, Shown)>,
    pub problem_reports: Shown,
    pub requests: Shown,
    pub objections_upheld: Shown,
    /// Incidents naming the system, detected in the year: title and status code.
    pub incidents: Vec<(String, String)>,
    /// Sections officers wrote: section and text.
    pub written: Vec<(WrittenSection, String)>,
}

/// Checks the text of a written section.
pub fn section_text(body: &str) -> Result<String, crate::breaches::BreachRefused> {
    let body = body.trim();
    if body.chars().count() > MAX_SECTION {
        return Err(crate::breaches::BreachRefused::TooLong(
            "the section".to_owned(),
            MAX_SECTION,
        ));
    }
    Ok(body.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_have_codes_and_a_length() {
        assert_eq!(
            "civil_rights".parse::<WrittenSection>(),
            Ok(WrittenSection::CivilRights)
        );
        assert_eq!(section_text("  Fine.  ").unwrap(), "Fine.");
        assert!(section_text(&"x".repeat(MAX_SECTION + 1)).is_err());
    }
}
