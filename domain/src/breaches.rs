//! The breach register: an incident as officers (or an agency, through the API) open it,
//! the 72-hour clock of GDPR Art. 33 with the request queue's urgency badges, the decision
//! to notify the regulator (not notifying needs written reasons), the draft report for the
//! regulator, notices to affected residents (the officer confirms the computed count
//! first), and closing with a public summary (Art. 34's communication, published).

use crate::register::{DataCategory, Slug};
use crate::requests::Urgency;
use serde::{Deserialize, Serialize};

/// Hours the controller has to notify the regulator after becoming aware (Art. 33(1)).
pub const NOTIFY_WITHIN_HOURS: i64 = 72;

const HOUR_US: i64 = 3_600_000_000;

crate::vocabulary! {
    /// Where an incident stands.
    BreachStatus {
        /// Opened: the clock runs until the regulator decision is recorded.
        Open => "open",
        /// The regulator decision is recorded (notified, or not, with reasons).
        Decided => "decided",
        /// Affected residents were told.
        ResidentsNotified => "residents_notified",
        /// Closed, and listed publicly on `/breaches`.
        Closed => "closed",
    }
}

crate::vocabulary! {
    /// Whether the regulator is notified.
    RegulatorDecision {
        Notify => "notify",
        /// Not notified: unlikely to result in a risk to people's rights (Art. 33(1)); the
        /// reasons are written down (Art. 33(5)).
        NotNotify => "not_notify",
    }
}

/// What an officer or agency states when opening an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentInput {
    pub title: String,
    /// What happened.
    pub description: String,
    /// When the city (or agency) became aware, microseconds since the epoch.
    pub detected_at_us: i64,
    /// The stretch of time the breach covers.
    pub window_start_us: i64,
    pub window_end_us: i64,
    pub systems: Vec<Slug>,
    pub data_categories: Vec<DataCategory>,
    /// What was done to contain it.
    pub containment: String,
}

/// Why an incident's step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum BreachRefused {
    #[error("{0} is required")]
    Required(String),
    #[error("{0} is longer than {1} characters")]
    TooLong(String, usize),
    #[error("the window must end after it starts, and the breach must be detected after the window starts")]
    Window,
    #[error("name at least one system and one category of data")]
    NoScope,
    #[error("deciding not to notify the regulator needs written reasons (at least 20 characters)")]
    ReasonsRequired,
    #[error(
        "the confirmed count ({confirmed}) differs from the residents computed ({computed}): compute again and confirm what you see"
    )]
    CountMismatch { confirmed: i64, computed: i64 },
    #[error("this step does not follow from where the incident stands ({0})")]
    Stage(String),
    #[error("no such incident")]
    NotFound,
}

/// The longest free text of an incident.
pub const MAX_TEXT: usize = 8000;

fn text(field: &str, value: &str, required: bool) -> Result<String, BreachRefused> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(BreachRefused::Required(field.to_owned()));
    }
    if value.chars().count() > MAX_TEXT {
        return Err(BreachRefused::TooLong(field.to_owned(), MAX_TEXT));
    }
    Ok(value.to_owned())
}

impl IncidentInput {
    /// The input with its texts trimmed, if it can be opened.
    pub fn check(mut self) -> Result<IncidentInput, BreachRefused> {
        self.title = text("the title", &self.title, true)?;
        if self.title.chars().count() > 200 {
            return Err(BreachRefused::TooLong("the title".to_owned(), 200));
        }
        self.description = text("what happened", &self.description, true)?;
        self.containment = text("the containment", &self.containment, false)?;
        if self.window_end_us <= self.window_start_us || self.detected_at_us < self.window_start_us {
            return Err(BreachRefused::Window);
        }
        if self.systems.is_empty() || self.data_categories.is_empty() {
            return Err(BreachRefused::NoScope);
        }
        self.systems.sort();
        self.systems.dedup();
        self.data_categories.sort();
        self.data_categories.dedup();
        Ok(self)
    }
}

/// The 72-hour clock of an incident detected at `detected_at_us`, read at `now_us`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreachClock {
    pub due_at_us: i64,
    /// Whole hours left (negative once past).
    pub hours_left: i64,
}

impl BreachClock {
    pub fn of(detected_at_us: i64, now_us: i64) -> BreachClock {
        let due_at_us = detected_at_us + NOTIFY_WITHIN_HOURS * HOUR_US;
        BreachClock {
            due_at_us,
            hours_left: (due_at_us - now_us).div_euclid(HOUR_US),
        }
    }

    /// The badge, as the request queue's: ≥ 48 hours green, < 48 amber, < 24 red, overdue.
    pub fn urgency(self) -> Urgency {
        match self.hours_left {
            h if h < 0 => Urgency::Overdue,
            h if h < 24 => Urgency::Red,
            h if h < 48 => Urgency::Amber,
            _ => Urgency::Green,
        }
    }
}

/// Records the regulator decision: from an open incident only; not notifying needs reasons.
pub fn decide(
    status: BreachStatus,
    decision: RegulatorDecision,
    reasons: &str,
) -> Result<String, BreachRefused> {
    if status != BreachStatus::Open {
        return Err(BreachRefused::Stage(status.code().to_owned()));
    }
    let reasons = text("the reasons", reasons, false)?;
    if decision == RegulatorDecision::NotNotify && reasons.chars().count() < 20 {
        return Err(BreachRefused::ReasonsRequired);
    }
    Ok(reasons)
}

/// Notifies the affected residents: once the regulator decision is recorded, with the count
/// the officer confirmed equal to the count computed now.
pub fn may_notify(status: BreachStatus, confirmed: i64, computed: i64) -> Result<(), BreachRefused> {
    if status != BreachStatus::Decided {
        return Err(BreachRefused::Stage(status.code().to_owned()));
    }
    if confirmed != computed {
        return Err(BreachRefused::CountMismatch { confirmed, computed });
    }
    Ok(())
}

/// Closes the incident with its public summary, once residents were told (or the decision
/// recorded and no resident was affected).
pub fn may_close(
    status: BreachStatus,
    affected: Option<i64>,
    summary: &str,
) -> Result<String, BreachRefused> {
    let summary = text("the public summary", summary, true)?;
    match status {
        BreachStatus::ResidentsNotified => Ok(summary),
        BreachStatus::Decided if affected == Some(0) => Ok(summary),
        other => Err(BreachRefused::Stage(other.code().to_owned())),
    }
}

/// The draft of the report to the regulator (Art. 33(3)): what the officer sends, from what
/// the incident records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegulatorDraft {
    /// (a) The nature of the breach, the categories and approximate numbers of people and
    /// records concerned.
    pub nature: String,
    pub categories: Vec<DataCategory>,
    pub people: i64,
    pub records: i64,
    /// (b) The data protection officer's contact: one per agency running a system concerned.
    pub contacts: Vec<String>,
    /// (c) Likely consequences, (d) measures taken or proposed.
    pub consequences: String,
    pub measures: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> IncidentInput {
        IncidentInput {
            title: " Lost laptop ".to_owned(),
            description: "A laptop with an export was stolen.".to_owned(),
            detected_at_us: 10 * HOUR_US,
            window_start_us: 0,
            window_end_us: 5 * HOUR_US,
            systems: vec![
                Slug::parse("b").unwrap(),
                Slug::parse("a").unwrap(),
                Slug::parse("a").unwrap(),
            ],
            data_categories: vec![DataCategory::Contact],
            containment: String::new(),
        }
    }

    #[test]
    fn an_incident_needs_a_title_a_window_and_a_scope() {
        let ok = input().check().unwrap();
        assert_eq!(ok.title, "Lost laptop");
        assert_eq!(ok.systems.len(), 2, "sorted, without repeats");
        assert_eq!(
            IncidentInput {
                title: "  ".to_owned(),
                ..input()
            }
            .check(),
            Err(BreachRefused::Required("the title".to_owned()))
        );
        assert_eq!(
            IncidentInput {
                window_end_us: 0,
                ..input()
            }
            .check(),
            Err(BreachRefused::Window)
        );
        assert_eq!(
            IncidentInput {
                detected_at_us: -1,
                ..input()
            }
            .check(),
            Err(BreachRefused::Window)
        );
        assert_eq!(
            IncidentInput {
                systems: vec![],
                ..input()
            }
            .check(),
            Err(BreachRefused::NoScope)
        );
    }

    #[test]
    fn the_clock_runs_72_hours_with_the_queues_badges() {
        let at = |hours: i64| BreachClock::of(0, hours * HOUR_US);
        assert_eq!(at(0).due_at_us, 72 * HOUR_US);
        assert_eq!((at(0).hours_left, at(0).urgency()), (72, Urgency::Green));
        assert_eq!(at(25).urgency(), Urgency::Amber);
        assert_eq!(at(49).urgency(), Urgency::Red);
        assert_eq!(at(72).urgency(), Urgency::Red, "due now");
        assert_eq!((at(73).hours_left, at(73).urgency()), (-1, Urgency::Overdue));
    }

    #[test]
    fn not_notifying_needs_reasons_and_each_step_follows_the_last() {
        use BreachStatus::*;
        assert_eq!(
            decide(Open, RegulatorDecision::NotNotify, "no"),
            Err(BreachRefused::ReasonsRequired)
        );
        assert!(
            decide(
                Open,
                RegulatorDecision::NotNotify,
                "The data was encrypted and the key was not taken."
            )
            .is_ok()
        );
        assert!(decide(Open, RegulatorDecision::Notify, "").is_ok());
        assert!(matches!(
            decide(Decided, RegulatorDecision::Notify, ""),
            Err(BreachRefused::Stage(_))
        ));
        assert_eq!(
            may_notify(Decided, 3, 4),
            Err(BreachRefused::CountMismatch {
                confirmed: 3,
                computed: 4
            })
        );
        assert!(may_notify(Decided, 4, 4).is_ok());
        assert!(matches!(may_notify(Open, 4, 4), Err(BreachRefused::Stage(_))));
        assert!(may_close(ResidentsNotified, Some(4), "Summary.").is_ok());
        assert!(may_close(Decided, Some(0), "Nobody was affected.").is_ok());
        assert!(matches!(
            may_close(Decided, Some(4), "Summary."),
            Err(BreachRefused::Stage(_))
        ));
        assert_eq!(
            may_close(ResidentsNotified, Some(4), " "),
            Err(BreachRefused::Required("the public summary".to_owned()))
        );
    }
}
