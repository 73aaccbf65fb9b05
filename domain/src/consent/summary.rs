//! A resident's consents at a glance: how the purposes of each system stand for them, and
//! what they allow over all their systems (the summary on `/my`).

use super::{MyPurpose, MySystem};
use crate::decision::ConsentState;
use serde::{Deserialize, Serialize};

/// How a set of purposes stands for the resident, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentTally {
    /// Purposes that rest on the resident's consent: theirs to allow or not.
    pub choices: usize,
    /// Of those, the ones the resident allows now (a grant that still counts).
    pub allowed: usize,
    /// Of those, grants paused by a material change since: the resident must choose again.
    pub paused: usize,
    /// Purposes under a legal basis that needs no consent, counted apart.
    pub by_law: usize,
}

impl ConsentTally {
    /// The tally of `purposes`.
    pub fn of(purposes: &[MyPurpose]) -> Self {
        purposes.iter().fold(Self::default(), |tally, p| tally.with(p))
    }

    /// The tally of every purpose of every one of `systems`.
    pub fn over(systems: &[MySystem]) -> Self {
        systems
            .iter()
            .flat_map(|s| &s.purposes)
            .fold(Self::default(), |tally, p| tally.with(p))
    }

    fn with(mut self, purpose: &MyPurpose) -> Self {
        if !purpose.is_choice() {
            self.by_law += 1;
            return self;
        }
        self.choices += 1;
        match (purpose.consent, purpose.needs_reconsent()) {
            (ConsentState::Given, true) => self.paused += 1,
            (ConsentState::Given, false) => self.allowed += 1,
            _ => {}
        }
        self
    }
}

/// One system on the resident's summary: its name and how its purposes stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MySystemLine {
    pub slug: String,
    pub name: String,
    pub agency_name: String,
    /// The resident is enrolled with it (it holds their data by name).
    pub enrolled: bool,
    pub tally: ConsentTally,
}

/// A purpose the resident allows now, with the system it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowedPurpose {
    pub system_slug: String,
    pub system_name: String,
    pub purpose_name: String,
}

/// The resident's systems in one line each, and what they allow over all of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MySummary {
    /// In the order of `my_systems`: enrolled first, then those in public space.
    pub systems: Vec<MySystemLine>,
    pub overall: ConsentTally,
    pub allowed: Vec<AllowedPurpose>,
}

impl MySummary {
    /// The summary of `systems` (as `my_systems` lists them).
    pub fn of(systems: &[MySystem]) -> Self {
        let lines = systems
            .iter()
            .map(|s| MySystemLine {
                slug: s.slug.clone(),
                name: s.name.clone(),
                agency_name: s.agency_name.clone(),
                enrolled: s.enrolled,
                tally: ConsentTally::of(&s.purposes),
            })
            .collect();
        let allowed = systems
            .iter()
            .flat_map(|s| s.purposes.iter().map(move |p| (s, p)))
            .filter(|(_, p)| p.is_choice() && p.consent == ConsentState::Given && !p.needs_reconsent())
            .map(|(s, p)| AllowedPurpose {
                system_slug: s.slug.clone(),
                system_name: s.name.clone(),
                purpose_name: p.name.clone(),
            })
            .collect();
        Self {
            systems: lines,
            overall: ConsentTally::over(systems),
            allowed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::MaterialChange;
    use crate::register::{LegalBasis, Scope, Technology};

    fn purpose(key: &str, legal_basis: LegalBasis, consent: ConsentState) -> MyPurpose {
        MyPurpose {
            key: key.to_owned(),
            name: format!("{key} name"),
            description: String::new(),
            legal_basis,
            categories: Vec::new(),
            consent,
            notice_version: 1,
            changed_since_consent: Vec::new(),
            categories_added: Vec::new(),
        }
    }

    fn system(slug: &str, enrolled: bool, purposes: Vec<MyPurpose>) -> MySystem {
        MySystem {
            slug: slug.to_owned(),
            name: format!("{slug} name"),
            agency_name: "Agency".to_owned(),
            technology: Technology::SmartMeter,
            scope: Scope::Enrollment,
            enrolled,
            purposes,
        }
    }

    fn paused(key: &str) -> MyPurpose {
        MyPurpose {
            changed_since_consent: vec![MaterialChange::LongerRetention],
            ..purpose(key, LegalBasis::Consent, ConsentState::Given)
        }
    }

    #[test]
    fn a_system_counts_allowed_choices_and_the_purposes_that_need_no_consent_apart() {
        let purposes = [
            purpose("a", LegalBasis::Consent, ConsentState::Given),
            purpose("b", LegalBasis::Consent, ConsentState::Given),
            purpose("c", LegalBasis::Consent, ConsentState::Withdrawn),
            purpose("d", LegalBasis::Contract, ConsentState::NeverAsked),
        ];
        let expected = ConsentTally {
            choices: 3,
            allowed: 2,
            paused: 0,
            by_law: 1,
        };
        assert_eq!(ConsentTally::of(&purposes), expected);
    }

    #[test]
    fn a_grant_paused_by_a_material_change_is_not_counted_as_allowed() {
        let purposes = [
            paused("a"),
            purpose("b", LegalBasis::Consent, ConsentState::NeverAsked),
        ];
        let tally = ConsentTally::of(&purposes);
        assert_eq!((tally.choices, tally.allowed, tally.paused), (2, 0, 1));
    }

    #[test]
    fn a_consent_state_left_on_a_purpose_that_needs_none_counts_only_as_by_law() {
        // A purpose that moved from consent to a contract keeps the resident's old grant.
        let purposes = [purpose("a", LegalBasis::Contract, ConsentState::Given)];
        let expected = ConsentTally {
            by_law: 1,
            ..ConsentTally::default()
        };
        assert_eq!(ConsentTally::of(&purposes), expected);
    }

    #[test]
    fn a_system_without_purposes_counts_nothing() {
        assert_eq!(ConsentTally::of(&[]), ConsentTally::default());
    }

    #[test]
    fn the_summary_keeps_the_order_of_the_systems_and_lists_only_what_is_allowed_now() {
        let systems = [
            system(
                "fare",
                true,
                vec![
                    purpose("alerts", LegalBasis::Consent, ConsentState::Given),
                    purpose("pay", LegalBasis::Contract, ConsentState::NeverAsked),
                ],
            ),
            system(
                "cams",
                false,
                vec![
                    paused("study"),
                    purpose("ads", LegalBasis::Consent, ConsentState::Withdrawn),
                ],
            ),
        ];
        let summary = MySummary::of(&systems);
        let slugs: Vec<_> = summary
            .systems
            .iter()
            .map(|s| (s.slug.as_str(), s.enrolled))
            .collect();
        assert_eq!(slugs, [("fare", true), ("cams", false)]);
        assert_eq!(summary.systems[0].tally.allowed, 1);
        assert_eq!(summary.systems[1].tally.paused, 1);
        let expected = ConsentTally {
            choices: 3,
            allowed: 1,
            paused: 1,
            by_law: 1,
        };
        assert_eq!(summary.overall, expected);
        assert_eq!(
            summary.allowed,
            [AllowedPurpose {
                system_slug: "fare".to_owned(),
                system_name: "fare name".to_owned(),
                purpose_name: "alerts name".to_owned(),
            }]
        );
    }
}
