//! How much one resident may send the privacy office: requests filed per day, messages per
//! hour. Generous for a person, a wall for a script; counted over a sliding window from what
//! is stored, so every server in front of one database counts the same.

use serde::{Deserialize, Serialize};

/// What a resident's allowance counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResidentQuota {
    /// Privacy requests filed on the web, per 24 hours.
    RequestsPerDay,
    /// Messages to the office about their requests, per hour.
    MessagesPerHour,
}

/// A resident's allowance was used up; `retry_after_secs` until the oldest counted item
/// leaves the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{quota:?}: the allowance of {limit} is used up; try again in {retry_after_secs} seconds")]
pub struct QuotaExceeded {
    pub quota: ResidentQuota,
    pub limit: i64,
    pub retry_after_secs: u64,
}

impl ResidentQuota {
    /// How many the window allows.
    pub const fn limit(self) -> i64 {
        match self {
            ResidentQuota::RequestsPerDay => 10,
            ResidentQuota::MessagesPerHour => 30,
        }
    }

    /// The window's length.
    pub const fn window_secs(self) -> i64 {
        match self {
            ResidentQuota::RequestsPerDay => 24 * 3600,
            ResidentQuota::MessagesPerHour => 3600,
        }
    }

    /// Whether one more is allowed, given how many were sent in the window ending `now_us`
    /// and when the oldest of them was (microseconds).
    pub fn check(self, used: i64, oldest_us: Option<i64>, now_us: i64) -> Result<(), QuotaExceeded> {
        if used < self.limit() {
            return Ok(());
        }
        let leaves_us = oldest_us.unwrap_or(now_us) + self.window_secs() * 1_000_000;
        let wait = (leaves_us - now_us).max(0) / 1_000_000 + 1;
        Err(QuotaExceeded {
            quota: self,
            limit: self.limit(),
            retry_after_secs: u64::try_from(wait).unwrap_or(1),
        })
    }

    /// Where the window ending `now_us` starts.
    pub const fn window_start_us(self, now_us: i64) -> i64 {
        now_us - self.window_secs() * 1_000_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allowance_is_counted_up_to_its_limit() {
        let q = ResidentQuota::RequestsPerDay;
        assert_eq!(q.check(9, Some(0), 10), Ok(()));
        let refused = q.check(10, Some(0), 3_600_000_000).unwrap_err();
        assert_eq!(refused.limit, 10);
        // The oldest leaves 24 h after it was filed: 23 hours (and a second) from now.
        assert_eq!(refused.retry_after_secs, 23 * 3600 + 1);
    }

    #[test]
    fn the_wait_is_never_zero() {
        let q = ResidentQuota::MessagesPerHour;
        let now = 7_200_000_000;
        assert_eq!(
            q.check(30, Some(q.window_start_us(now)), now)
                .unwrap_err()
                .retry_after_secs,
            1
        );
        assert_eq!(q.check(31, None, now).unwrap_err().retry_after_secs, 3601);
    }
}
