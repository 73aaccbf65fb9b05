//! The legal clock: the deadline policy, pauses and extensions, and the due date they give —
//! computed here and nowhere else.

use crate::calendar::Date;
use crate::vocabulary;

vocabulary! {
    /// Whose deadlines apply, chosen by configuration; GDPR by default.
    DeadlinePolicy {
        /// One calendar month, extendable once by two further months (Art. 12(3)).
        Gdpr => "gdpr",
        /// 45 days, extendable once by 45 more (CCPA §1798.130).
        Ccpa => "ccpa",
    }
}

/// Why a deadline may not be extended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
pub enum ExtensionRefused {
    #[error("the deadline was already extended once")]
    AlreadyExtended,
    #[error("the first deadline has passed; an extension must be announced before it")]
    TooLate,
}

/// What the clock of one request is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub received: Date,
    /// Whole days the clock was paused while waiting for the resident.
    pub paused_days: i64,
    pub extended: bool,
}

impl DeadlinePolicy {
    /// The first due date of a request received on `received`, before any pause.
    fn first_due(self, received: Date) -> Date {
        match self {
            DeadlinePolicy::Gdpr => received.add_months(1),
            DeadlinePolicy::Ccpa => received.add_days(45),
        }
    }

    /// The extended due date, before any pause.
    fn extended_due(self, received: Date) -> Date {
        match self {
            DeadlinePolicy::Gdpr => received.add_months(3),
            DeadlinePolicy::Ccpa => received.add_days(90),
        }
    }

    /// The due date: the first or extended deadline, moved by the paused days.
    pub fn due(self, clock: Clock) -> Date {
        let base = if clock.extended {
            self.extended_due(clock.received)
        } else {
            self.first_due(clock.received)
        };
        base.add_days(clock.paused_days.max(0))
    }

    /// Whether the deadline may be extended on `today`: once, and only until the first
    /// due date (moved by the pauses) has passed.
    pub fn may_extend(self, clock: Clock, today: Date) -> Result<(), ExtensionRefused> {
        if clock.extended {
            return Err(ExtensionRefused::AlreadyExtended);
        }
        let first = self.first_due(clock.received).add_days(clock.paused_days.max(0));
        if today > first {
            return Err(ExtensionRefused::TooLate);
        }
        Ok(())
    }
}

/// The whole days a clock paused on `since` stayed paused until `today`.
pub fn paused_days(since: Date, today: Date) -> i64 {
    since.days_until(today).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn clock(received: &str) -> Clock {
        Clock {
            received: d(received),
            paused_days: 0,
            extended: false,
        }
    }

    #[test]
    fn gdpr_gives_one_calendar_month_and_31_january_is_due_at_february_end() {
        let gdpr = DeadlinePolicy::Gdpr;
        assert_eq!(gdpr.due(clock("2026-03-10")), d("2026-04-10"));
        assert_eq!(gdpr.due(clock("2026-01-31")), d("2026-02-28"));
        assert_eq!(gdpr.due(clock("2028-01-31")), d("2028-02-29"));
        assert_eq!(gdpr.due(clock("2026-12-31")), d("2027-01-31"));
        assert_eq!(gdpr.due(clock("2026-08-31")), d("2026-09-30"));
    }

    #[test]
    fn an_extension_adds_two_further_months() {
        let extended = Clock {
            extended: true,
            ..clock("2026-11-30")
        };
        assert_eq!(DeadlinePolicy::Gdpr.due(extended), d("2027-02-28"));
        let leap = Clock {
            extended: true,
            ..clock("2027-11-30")
        };
        assert_eq!(DeadlinePolicy::Gdpr.due(leap), d("2028-02-29"));
    }

    #[test]
    fn ccpa_gives_45_days_and_45_more() {
        let ccpa = DeadlinePolicy::Ccpa;
        assert_eq!(ccpa.due(clock("2026-01-01")), d("2026-02-15"));
        let extended = Clock {
            extended: true,
            ..clock("2026-01-01")
        };
        assert_eq!(ccpa.due(extended), d("2026-04-01"));
    }

    #[test]
    fn paused_days_move_the_due_date() {
        let paused = Clock {
            paused_days: 6,
            ..clock("2026-01-31")
        };
        assert_eq!(DeadlinePolicy::Gdpr.due(paused), d("2026-03-06"));
        let extended = Clock {
            extended: true,
            ..paused
        };
        assert_eq!(DeadlinePolicy::Gdpr.due(extended), d("2026-05-06"));
    }

    #[test]
    fn an_extension_is_allowed_once_and_only_before_the_first_due_date_passes() {
        let gdpr = DeadlinePolicy::Gdpr;
        let c = clock("2026-01-31");
        assert_eq!(
            gdpr.may_extend(c, d("2026-02-28")),
            Ok(()),
            "on the due date itself"
        );
        assert_eq!(
            gdpr.may_extend(c, d("2026-03-01")),
            Err(ExtensionRefused::TooLate)
        );
        let paused = Clock { paused_days: 3, ..c };
        assert_eq!(gdpr.may_extend(paused, d("2026-03-03")), Ok(()), "pauses move it");
        let done = Clock { extended: true, ..c };
        assert_eq!(
            gdpr.may_extend(done, d("2026-02-01")),
            Err(ExtensionRefused::AlreadyExtended)
        );
    }

    #[test]
    fn a_pause_counts_whole_days_and_never_less_than_none() {
        assert_eq!(paused_days(d("2026-02-27"), d("2026-03-02")), 3);
        assert_eq!(paused_days(d("2026-03-02"), d("2026-03-02")), 0);
        assert_eq!(paused_days(d("2026-03-05"), d("2026-03-02")), 0);
        // The paused days move the due date.
        let paused = Clock {
            received: d("2026-01-31"),
            paused_days: 3,
            extended: false,
        };
        assert_eq!(DeadlinePolicy::Gdpr.due(paused), d("2026-03-03"));
    }
}
