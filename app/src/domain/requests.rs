//! Privacy requests (data-subject rights, GDPR Arts. 15–21): their kinds, the statuses a
//! request moves through and the only transitions allowed, and the legal clock — the due
//! date is computed here and nowhere else.

use super::calendar::Date;
use crate::vocabulary;

vocabulary! {
    /// The right a resident exercises.
    RequestKind {
        /// Art. 15: a copy of the data held about them.
        Access => "access",
        /// Art. 16: correct inaccurate data.
        Rectification => "rectification",
        /// Art. 17: delete data.
        Erasure => "erasure",
        /// Art. 18: keep data but stop using it.
        Restriction => "restriction",
        /// Art. 20: the data in a machine-readable form.
        Portability => "portability",
        /// Art. 21: stop a processing that rests on public task or legitimate interests.
        Objection => "objection",
    }
}

impl RequestKind {
    /// The GDPR article that grants the right.
    pub fn article(self) -> u8 {
        match self {
            RequestKind::Access => 15,
            RequestKind::Rectification => 16,
            RequestKind::Erasure => 17,
            RequestKind::Restriction => 18,
            RequestKind::Portability => 20,
            RequestKind::Objection => 21,
        }
    }

    /// Whether fulfilling it hands the resident a package of their data.
    pub fn delivers_data(self) -> bool {
        matches!(self, RequestKind::Access | RequestKind::Portability)
    }
}

vocabulary! {
    /// Where a request stands (W3C DPV / Data Rights Protocol).
    RequestStatus {
        Received => "received",
        /// Waiting for the resident to prove who they are (the clock is paused).
        IdentityCheck => "identity_check",
        InProgress => "in_progress",
        /// The deadline was extended, with a reason the resident sees.
        Extended => "extended",
        Fulfilled => "fulfilled",
        /// Refused, with a reason and the right to complain to the supervisory authority.
        Rejected => "rejected",
        /// Withdrawn by the resident.
        Withdrawn => "withdrawn",
    }
}

/// A transition the state machine does not allow; nothing is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a request that is {from} cannot become {to}")]
pub struct IllegalTransition {
    pub from: RequestStatus,
    pub to: RequestStatus,
}

impl RequestStatus {
    /// Whether the request is over: nothing more happens to it.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            RequestStatus::Fulfilled | RequestStatus::Rejected | RequestStatus::Withdrawn
        )
    }

    /// Checks that a request in this status may move to `next`.
    pub fn transition(self, next: RequestStatus) -> Result<RequestStatus, IllegalTransition> {
        use RequestStatus::*;
        let allowed = match (self, next) {
            (_, Withdrawn) => !self.is_closed(),
            (Received, IdentityCheck | InProgress | Rejected) => true,
            (IdentityCheck, InProgress | Rejected) => true,
            (InProgress, Extended | Fulfilled | Rejected) => true,
            (Extended, Fulfilled | Rejected) => true,
            _ => false,
        };
        if allowed {
            Ok(next)
        } else {
            Err(IllegalTransition { from: self, to: next })
        }
    }
}

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
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

/// How urgent a request looks in the queue, as privacy teams read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Urgency {
    /// 10 days or more left.
    Green,
    /// Fewer than 10.
    Amber,
    /// Fewer than 5.
    Red,
    /// Past the due date.
    Overdue,
}

/// The urgency of a request with `days_left` until its due date.
pub fn urgency(days_left: i64) -> Urgency {
    match days_left {
        d if d < 0 => Urgency::Overdue,
        d if d < 5 => Urgency::Red,
        d if d < 10 => Urgency::Amber,
        _ => Urgency::Green,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestStatus::*;

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
    fn the_allowed_transitions_follow_the_lifecycle() {
        for (from, to) in [
            (Received, IdentityCheck),
            (Received, InProgress),
            (IdentityCheck, InProgress),
            (InProgress, Extended),
            (InProgress, Fulfilled),
            (Extended, Fulfilled),
            (Received, Rejected),
            (Extended, Rejected),
            (Received, Withdrawn),
            (Extended, Withdrawn),
        ] {
            assert_eq!(from.transition(to), Ok(to), "{from} -> {to}");
        }
    }

    #[test]
    fn illegal_transitions_are_refused() {
        for (from, to) in [
            (Received, Fulfilled),
            (Received, Extended),
            (IdentityCheck, Fulfilled),
            (Extended, Extended),
            (Fulfilled, InProgress),
            (Rejected, Withdrawn),
            (Withdrawn, Received),
            (Fulfilled, Withdrawn),
        ] {
            let err = from.transition(to).unwrap_err();
            assert_eq!(err, IllegalTransition { from, to });
        }
        assert_eq!(
            Fulfilled.transition(Withdrawn).unwrap_err().to_string(),
            "a request that is fulfilled cannot become withdrawn"
        );
    }

    #[test]
    fn urgency_badges_follow_the_days_left() {
        assert_eq!(urgency(30), Urgency::Green);
        assert_eq!(urgency(10), Urgency::Green);
        assert_eq!(urgency(9), Urgency::Amber);
        assert_eq!(urgency(5), Urgency::Amber);
        assert_eq!(urgency(4), Urgency::Red);
        assert_eq!(urgency(0), Urgency::Red);
        assert_eq!(urgency(-1), Urgency::Overdue);
    }

    #[test]
    fn kinds_name_their_articles() {
        let articles: Vec<u8> = RequestKind::ALL.iter().map(|k| k.article()).collect();
        assert_eq!(articles, [15, 16, 17, 18, 20, 21]);
        assert!(RequestKind::Portability.delivers_data());
        assert!(!RequestKind::Erasure.delivers_data());
    }
}
