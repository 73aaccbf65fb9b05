//! The privacy office at a glance: open and overdue requests, and how many came and went
//! each week.

use crate::calendar::Date;
use serde::{Deserialize, Serialize};

/// Requests received and closed in one week (Monday to Sunday).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekCount {
    /// The Monday.
    pub week_start: Date,
    pub received: i64,
    pub closed: i64,
}

/// The privacy office at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestStats {
    pub open: i64,
    /// Open, due in fewer than 5 days (not yet overdue).
    pub due_soon: i64,
    pub overdue: i64,
    /// Answered (fulfilled or refused) this calendar month by their due date.
    pub closed_on_time_this_month: i64,
    /// The last weeks, oldest first.
    pub weeks: Vec<WeekCount>,
}

/// The Monday of the week `d` falls in.
pub fn week_start(d: Date) -> Date {
    // 1970-01-01 was a Thursday: days since a Monday are (days + 3) mod 7.
    d.add_days(-(d.unix_days() + 3).rem_euclid(7))
}

/// How many of `received` and `closed` fall in each of the `weeks` weeks up to the one of
/// `today`, oldest first.
pub fn weekly_counts(received: &[Date], closed: &[Date], today: Date, weeks: usize) -> Vec<WeekCount> {
    let last = week_start(today);
    let weeks = i64::try_from(weeks).unwrap_or(0);
    (0..weeks)
        .rev()
        .map(|back| {
            let start = last.add_days(-7 * back);
            let end = start.add_days(7);
            let count = |dates: &[Date]| {
                let n = dates.iter().filter(|d| **d >= start && **d < end).count();
                i64::try_from(n).unwrap_or(i64::MAX)
            };
            WeekCount {
                week_start: start,
                received: count(received),
                closed: count(closed),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn weeks_start_on_monday_and_count_what_falls_in_them() {
        // 2026-11-23 is a Monday, 2026-11-29 a Sunday.
        assert_eq!(week_start(d("2026-11-23")), d("2026-11-23"));
        assert_eq!(week_start(d("2026-11-29")), d("2026-11-23"));
        assert_eq!(week_start(d("2026-11-22")), d("2026-11-16"));
        assert_eq!(week_start(d("1970-01-01")), d("1969-12-29"));
        let weeks = weekly_counts(
            &[d("2026-11-16"), d("2026-11-22"), d("2026-11-24"), d("2026-10-01")],
            &[d("2026-11-25")],
            d("2026-11-26"),
            2,
        );
        assert_eq!(weeks.len(), 2);
        assert_eq!(
            (weeks[0].week_start, weeks[0].received, weeks[0].closed),
            (d("2026-11-16"), 2, 0)
        );
        assert_eq!(
            (weeks[1].week_start, weeks[1].received, weeks[1].closed),
            (d("2026-11-23"), 1, 1)
        );
    }
}
