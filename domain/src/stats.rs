//! Public figures, and the rule that keeps a published count from singling out a person.
//!
//! A count from 1 to 4 is shown as "fewer than 5"; 0 and counts of 5 or more are shown as
//! they are. A total is shown only when none of its parts is hidden, so a hidden count can
//! never be worked out by subtracting the shown ones from it.

use serde::{Deserialize, Serialize};

/// The smallest count published as it is (besides 0).
pub const SMALLEST_SHOWN: i64 = 5;

/// A count as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Option<i64>", into = "Option<i64>")]
pub enum Shown {
    /// The count itself.
    Count(i64),
    /// From 1 to `SMALLEST_SHOWN - 1`: published as "fewer than 5" (`null` in JSON, `<5` in CSV).
    FewerThanSmallest,
}

impl Shown {
    /// How `count` is published.
    pub fn of(count: i64) -> Shown {
        if (1..SMALLEST_SHOWN).contains(&count) {
            Shown::FewerThanSmallest
        } else {
            Shown::Count(count)
        }
    }

    /// The total of `parts`, if none of them is hidden.
    pub fn total(parts: &[i64]) -> Option<Shown> {
        parts
            .iter()
            .all(|&c| Shown::of(c) != Shown::FewerThanSmallest)
            .then(|| Shown::of(parts.iter().sum()))
    }

    /// The count, if it is shown.
    pub fn count(self) -> Option<i64> {
        match self {
            Shown::Count(c) => Some(c),
            Shown::FewerThanSmallest => None,
        }
    }

    /// As a CSV cell: the number, or `<5`.
    pub fn csv(self) -> String {
        match self {
            Shown::Count(c) => c.to_string(),
            Shown::FewerThanSmallest => format!("<{SMALLEST_SHOWN}"),
        }
    }
}

impl From<Option<i64>> for Shown {
    fn from(count: Option<i64>) -> Shown {
        count.map_or(Shown::FewerThanSmallest, Shown::Count)
    }
}

impl From<Shown> for Option<i64> {
    fn from(shown: Shown) -> Option<i64> {
        shown.count()
    }
}

/// The years the statistics may be asked for.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// The unix times (microseconds, UTC) where each month of `year` starts, and where the year
/// ends: 13 bounds.
pub fn month_bounds_us(year: i32) -> [i64; 13] {
    let mut bounds = [0i64; 13];
    for (i, bound) in bounds.iter_mut().enumerate() {
        let (y, m) = if i == 12 {
            (year + 1, 1)
        } else {
            (year, i as u8 + 1)
        };
        let day = crate::calendar::Date::new(y, m, 1).map_or(0, |d| d.unix_days());
        *bound = day * 86_400 * 1_000_000;
    }
    bounds
}

/// `YYYY-MM` of month `month` (1–12) of `year`.
pub fn month_key(year: i32, month: u8) -> String {
    format!("{year:04}-{month:02}")
}

/// Raw counts of the decision log for one month, agency, system, purpose and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionTally {
    pub month: u8,
    pub agency: String,
    pub system: String,
    pub purpose: String,
    /// `check` or `query`.
    pub kind: String,
    pub permits: i64,
    pub denials: i64,
}

/// A published line of decisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionLine {
    /// `YYYY-MM`.
    pub month: String,
    pub agency: String,
    pub system: String,
    pub purpose: String,
    pub kind: String,
    pub permits: Shown,
    pub denials: Shown,
    pub total: Option<Shown>,
}

/// A month's activity beyond the decision log, raw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MonthTally {
    pub enrolments: i64,
    pub enrolments_ended: i64,
    pub consents_given: i64,
    pub consents_withdrawn: i64,
    pub requests_received: i64,
    pub requests_closed: i64,
    /// Of the requests closed in the month, those closed on or before their due date.
    pub closed_on_time: i64,
    /// Requests received in the month whose deadline was extended.
    pub extended: i64,
}

/// A month's activity as published. The share answered on time is given only when at least
/// `SMALLEST_SHOWN` requests were closed, and rounded to whole percent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthLine {
    pub month: String,
    pub checks_permitted: Shown,
    pub checks_denied: Shown,
    pub queries_permitted: Shown,
    pub queries_denied: Shown,
    pub enrolments: Shown,
    pub enrolments_ended: Shown,
    pub consents_given: Shown,
    pub consents_withdrawn: Shown,
    pub requests_received: Shown,
    pub requests_closed: Shown,
    pub on_time_percent: Option<i64>,
    pub extended: Shown,
}

/// Denials for one reason over the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonLine {
    pub reason: String,
    pub denials: Shown,
}

/// The published statistics of one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearStats {
    pub year: i32,
    /// One line per month, January first.
    pub months: Vec<MonthLine>,
    /// One line per month, agency, system, purpose and kind that had any decision.
    pub decisions: Vec<DecisionLine>,
    /// The same over the whole year (summed before any count is hidden; `month` is the year).
    pub year_decisions: Vec<DecisionLine>,
    /// Denials by reason over the year, most first.
    pub denial_reasons: Vec<ReasonLine>,
}

impl YearStats {
    /// The year's statistics from raw tallies: `months[i]` is month `i + 1`.
    pub fn publish(
        year: i32,
        tallies: &[DecisionTally],
        months: &[MonthTally; 12],
        reasons: &[(String, i64)],
    ) -> YearStats {
        let sum = |month: u8, kind: &str, permit: bool| -> i64 {
            tallies
                .iter()
                .filter(|t| t.month == month && t.kind == kind)
                .map(|t| if permit { t.permits } else { t.denials })
                .sum()
        };
        let months = (1..=12u8)
            .map(|m| {
                let t = months[usize::from(m - 1)];
                MonthLine {
                    month: month_key(year, m),
                    checks_permitted: Shown::of(sum(m, "check", true)),
                    checks_denied: Shown::of(sum(m, "check", false)),
                    queries_permitted: Shown::of(sum(m, "query", true)),
                    queries_denied: Shown::of(sum(m, "query", false)),
                    enrolments: Shown::of(t.enrolments),
                    enrolments_ended: Shown::of(t.enrolments_ended),
                    consents_given: Shown::of(t.consents_given),
                    consents_withdrawn: Shown::of(t.consents_withdrawn),
                    requests_received: Shown::of(t.requests_received),
                    requests_closed: Shown::of(t.requests_closed),
                    on_time_percent: (t.requests_closed >= SMALLEST_SHOWN)
                        .then(|| (t.closed_on_time * 100 + t.requests_closed / 2) / t.requests_closed),
                    extended: Shown::of(t.extended),
                }
            })
            .collect();
        let line = |month: String, t: &DecisionTally| DecisionLine {
            month,
            agency: t.agency.clone(),
            system: t.system.clone(),
            purpose: t.purpose.clone(),
            kind: t.kind.clone(),
            permits: Shown::of(t.permits),
            denials: Shown::of(t.denials),
            total: Shown::total(&[t.permits, t.denials]),
        };
        let mut summed: std::collections::BTreeMap<(&str, &str, &str, &str), DecisionTally> =
            Default::default();
        for t in tallies {
            let sum = summed
                .entry((&t.agency, &t.system, &t.purpose, &t.kind))
                .or_insert_with(|| DecisionTally {
                    permits: 0,
                    denials: 0,
                    ..t.clone()
                });
            sum.permits += t.permits;
            sum.denials += t.denials;
        }
        let year_decisions = summed.values().map(|t| line(format!("{year:04}"), t)).collect();
        let decisions = tallies
            .iter()
            .map(|t| DecisionLine {
                month: month_key(year, t.month),
                agency: t.agency.clone(),
                system: t.system.clone(),
                purpose: t.purpose.clone(),
                kind: t.kind.clone(),
                permits: Shown::of(t.permits),
                denials: Shown::of(t.denials),
                total: Shown::total(&[t.permits, t.denials]),
            })
            .collect();
        let mut reasons: Vec<&(String, i64)> = reasons.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        YearStats {
            year,
            months,
            decisions,
            year_decisions,
            denial_reasons: reasons
                .into_iter()
                .map(|(reason, n)| ReasonLine {
                    reason: reason.clone(),
                    denials: Shown::of(*n),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_one_to_four_are_hidden_and_zero_is_not() {
        assert_eq!(Shown::of(0), Shown::Count(0));
        for c in 1..=4 {
            assert_eq!(Shown::of(c), Shown::FewerThanSmallest);
        }
        assert_eq!(Shown::of(5), Shown::Count(5));
        assert_eq!(Shown::of(4).csv(), "<5");
        assert_eq!(
            serde_json::to_string(&[Shown::of(3), Shown::of(7)]).unwrap(),
            "[null,7]"
        );
    }

    #[test]
    fn a_total_with_a_hidden_part_is_hidden_so_nothing_is_subtracted_out() {
        assert_eq!(Shown::total(&[10, 3]), None);
        assert_eq!(Shown::total(&[10, 0, 6]), Some(Shown::Count(16)));
        assert_eq!(Shown::total(&[0, 0]), Some(Shown::Count(0)));
    }
    #[test]
    fn months_start_at_midnight_utc_and_the_year_ends_at_the_next() {
        let b = month_bounds_us(2026);
        assert_eq!(b[0], 1_767_225_600_000_000, "2026-01-01T00:00:00Z");
        assert_eq!(b[12], month_bounds_us(2027)[0]);
        assert_eq!((b[2] - b[1]) / 86_400_000_000, 28, "February 2026");
        assert_eq!(month_key(2026, 3), "2026-03");
    }

    #[test]
    fn a_year_is_published_with_every_small_count_hidden() {
        let tally = |month, kind: &str, permits, denials| DecisionTally {
            month,
            agency: "police".to_owned(),
            system: "cctv".to_owned(),
            purpose: "safety".to_owned(),
            kind: kind.to_owned(),
            permits,
            denials,
        };
        let tallies = [
            tally(1, "check", 40, 2),
            tally(1, "query", 7, 0),
            tally(2, "check", 3, 9),
        ];
        let mut months = [MonthTally::default(); 12];
        months[0] = MonthTally {
            requests_closed: 8,
            closed_on_time: 7,
            consents_given: 3,
            ..MonthTally::default()
        };
        months[1] = MonthTally {
            requests_closed: 4,
            closed_on_time: 4,
            ..MonthTally::default()
        };
        let stats = YearStats::publish(
            2026,
            &tallies,
            &months,
            &[("unknown_subject".to_owned(), 11), ("no_consent".to_owned(), 2)],
        );
        assert_eq!(stats.months.len(), 12);
        let jan = &stats.months[0];
        assert_eq!(
            (jan.checks_permitted, jan.checks_denied),
            (Shown::Count(40), Shown::FewerThanSmallest)
        );
        assert_eq!(jan.queries_permitted, Shown::Count(7));
        assert_eq!(jan.consents_given, Shown::FewerThanSmallest);
        assert_eq!(jan.on_time_percent, Some(88), "7 of 8, rounded");
        assert_eq!(
            stats.months[1].on_time_percent, None,
            "fewer than 5 closed: no share"
        );
        assert_eq!(stats.decisions[0].total, None);
        assert_eq!(stats.decisions[2].permits, Shown::FewerThanSmallest);
        assert_eq!(stats.denial_reasons[0].reason, "unknown_subject");
        let year = &stats.year_decisions;
        assert_eq!(year.len(), 2, "checks and queries of one purpose");
        assert_eq!(year[0].month, "2026");
        assert_eq!(
            (year[0].permits, year[0].denials),
            (Shown::Count(43), Shown::Count(11)),
            "summed before hiding"
        );
        assert_eq!(stats.denial_reasons[1].denials, Shown::FewerThanSmallest);
    }
}
