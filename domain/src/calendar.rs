//! Calendar dates for legal deadlines: proleptic Gregorian, no time of day, no time zone.
//! Plain arithmetic (H. Hinnant's civil-date algorithms), so the domain needs no date crate.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a date written YYYY-MM-DD")]
pub struct InvalidDate(pub String);

/// Whether `year` has a 29 February.
pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// How many days `month` of `year` has.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 31,
    }
}

impl Date {
    /// The date, if it exists.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(Date {
            year,
            month,
            day,
        })
    }

    /// The date `days` after 1970-01-01 (negative: before).
    pub fn from_unix_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }

    /// The date of a unix time in seconds (UTC).
    pub fn from_unix_seconds(secs: i64) -> Date {
        Date::from_unix_days(secs.div_euclid(86_400))
    }

    /// Days since 1970-01-01.
    pub fn unix_days(self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let yoe = year.rem_euclid(400);
        let month = i64::from(self.month);
        let mp = if month > 2 { month - 3 } else { month + 9 };
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` later (earlier when negative).
    pub fn add_days(self, days: i64) -> Date {
        Date::from_unix_days(self.unix_days() + days)
    }

    /// The same day `months` calendar months later, or that month's last day when the
    /// day does not exist in it (31 January + 1 month = 28 or 29 February).
    pub fn add_months(self, months: u32) -> Date {
        let index = i64::from(self.year) * 12 + i64::from(self.month) - 1 + i64::from(months);
        let year = i32::try_from(index.div_euclid(12)).unwrap_or(i32::MAX);
        let month = u8::try_from(index.rem_euclid(12) + 1).unwrap_or(12);
        Date {
            year,
            month,
            day: self.day.min(days_in_month(year, month)),
        }
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.unix_days() - self.unix_days()
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Result<Date, InvalidDate> {
        let bad = || InvalidDate(s.to_owned());
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let year = s.get(0..4).and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let month = s.get(5..7).and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let day = s.get(8..10).and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        Date::new(year, month, day).ok_or_else(bad)
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = InvalidDate;
    fn from_str(s: &str) -> Result<Date, InvalidDate> {
        Date::parse(s)
    }
}

impl TryFrom<String> for Date {
    type Error = InvalidDate;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Date::parse(&s)
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn unix_days_round_trip_across_eras() {
        for days in [-800_000, -1, 0, 1, 19_782, 20_415, 2_932_896] {
            assert_eq!(Date::from_unix_days(days).unix_days(), days, "{days}");
        }
        assert_eq!(Date::from_unix_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix_days(19_782).to_string(), "2024-02-29");
        assert_eq!(Date::from_unix_seconds(1_795_435_200).to_string(), "2026-11-23");
    }

    #[test]
    fn a_calendar_month_ends_on_the_same_date_or_the_months_last_day() {
        assert_eq!(d("2026-01-15").add_months(1), d("2026-02-15"));
        assert_eq!(d("2026-01-31").add_months(1), d("2026-02-28"));
        assert_eq!(d("2028-01-31").add_months(1), d("2028-02-29"), "leap year");
        assert_eq!(d("2026-03-31").add_months(1), d("2026-04-30"));
        assert_eq!(d("2026-12-31").add_months(1), d("2027-01-31"), "across the year");
        assert_eq!(d("2026-11-30").add_months(3), d("2027-02-28"));
        assert_eq!(
            d("2100-01-29").add_months(1),
            d("2100-02-28"),
            "2100 is not a leap year"
        );
        assert_eq!(d("2000-01-29").add_months(1), d("2000-02-29"), "2000 is");
    }

    #[test]
    fn days_are_counted_across_months_and_years() {
        assert_eq!(d("2026-02-27").add_days(2), d("2026-03-01"));
        assert_eq!(d("2028-02-27").add_days(2), d("2028-02-29"));
        assert_eq!(d("2026-12-31").add_days(1), d("2027-01-01"));
        assert_eq!(d("2026-01-01").days_until(d("2027-01-01")), 365);
        assert_eq!(d("2027-01-01").days_until(d("2026-01-01")), -365);
    }

    #[test]
    fn only_real_dates_parse() {
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "26-01-01",
            "2026/01/01",
            "",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(serde_json::to_string(&d("2026-03-04")).unwrap(), "\"2026-03-04\"");
        assert!(serde_json::from_str::<Date>("\"2026-02-30\"").is_err());
    }
}
