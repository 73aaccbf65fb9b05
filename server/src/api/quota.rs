//! Per-client quotas on the calls that each cost a durable write: consent checks, data
//! queries and enrollment codes, each counted per API client per second (bursts) and per day.
//! Counted in memory in each server process (a token bucket per client and kind, GCRA); a
//! refusal is 429 `quota_exceeded` with `Retry-After` and the `RateLimit` headers.

use super::error::ApiError;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// What a quota counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metered {
    Check,
    Query,
    Enrollment,
}

/// A quota's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Second,
    Day,
}

impl Window {
    /// Its length in seconds.
    pub const fn secs(self) -> u64 {
        match self {
            Window::Second => 1,
            Window::Day => 86_400,
        }
    }
}

/// The quotas of every API client; cheap to clone.
#[derive(Clone)]
pub struct ClientQuotas {
    per_second: Arc<DefaultKeyedRateLimiter<(String, Metered)>>,
    per_day: Arc<DefaultKeyedRateLimiter<(String, Metered)>>,
    per_second_limit: NonZeroU32,
    per_day_limit: NonZeroU32,
}

impl ClientQuotas {
    /// Quotas of `per_second` and `per_day` calls of each kind per client.
    pub fn new(per_second: u32, per_day: u32) -> Self {
        let per_second_limit = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        let per_day_limit = NonZeroU32::new(per_day).unwrap_or(NonZeroU32::MIN);
        let day = Duration::from_secs(Window::Day.secs());
        let refill = day
            .checked_div(per_day_limit.get())
            .unwrap_or(day)
            .max(Duration::from_nanos(1));
        let daily = Quota::with_period(refill)
            .unwrap_or_else(|| Quota::per_second(per_day_limit))
            .allow_burst(per_day_limit);
        Self {
            per_second: Arc::new(RateLimiter::keyed(Quota::per_second(per_second_limit))),
            per_day: Arc::new(RateLimiter::keyed(daily)),
            per_second_limit,
            per_day_limit,
        }
    }

    /// Counts one call of `what` by `client_id`, or refuses it: the burst of the second first,
    /// then the day's allowance.
    pub fn spend(&self, client_id: &str, what: Metered) -> Result<(), ApiError> {
        self.spend_many(client_id, what, 1)
    }

    /// Counts `n` calls of `what` by `client_id` at once (a batch), or refuses them all: a
    /// batch larger than the quota of a second is refused whatever the client did before.
    pub fn spend_many(&self, client_id: &str, what: Metered, n: usize) -> Result<(), ApiError> {
        let key = (client_id.to_owned(), what);
        let refused = |window: Window, limit: NonZeroU32, wait: u64| {
            // Debug, not warn: a client hammering past its quota must not flood the log too.
            tracing::debug!(client = %client_id, ?what, ?window, "refused: API client quota used up");
            ApiError::QuotaExceeded {
                limit: limit.get(),
                window_secs: window.secs(),
                retry_after_secs: wait,
            }
        };
        let n = NonZeroU32::new(u32::try_from(n).unwrap_or(u32::MAX)).unwrap_or(NonZeroU32::MIN);
        match self.per_second.check_key_n(&key, n) {
            Ok(Ok(())) => {}
            Ok(Err(not_until)) => {
                let wait = auth::accounts::retry_after_secs(&not_until);
                return Err(refused(Window::Second, self.per_second_limit, wait));
            }
            Err(_) => return Err(refused(Window::Second, self.per_second_limit, 1)),
        }
        match self.per_day.check_key_n(&key, n) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => {
                let wait = auth::accounts::retry_after_secs(&not_until);
                Err(refused(Window::Day, self.per_day_limit, wait))
            }
            Err(_) => Err(refused(Window::Day, self.per_day_limit, Window::Day.secs())),
        }
    }

    /// The `RateLimit-Policy` header value: both quotas, each `limit;w=seconds`.
    pub fn policy(&self) -> String {
        format!(
            "{};w={}, {};w={}",
            self.per_second_limit,
            Window::Second.secs(),
            self.per_day_limit,
            Window::Day.secs()
        )
    }

    /// Forgets buckets that are full again, so memory stays bounded.
    pub fn forget_old(&self) {
        self.per_second.retain_recent();
        self.per_second.shrink_to_fit();
        self.per_day.retain_recent();
        self.per_day.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_and_kind_has_its_own_bucket() {
        let quotas = ClientQuotas::new(2, 1000);
        assert!(quotas.spend("a", Metered::Check).is_ok());
        assert!(quotas.spend("a", Metered::Check).is_ok());
        let refused = quotas.spend("a", Metered::Check).unwrap_err();
        assert!(matches!(
            refused,
            ApiError::QuotaExceeded {
                limit: 2,
                window_secs: 1,
                retry_after_secs: 1
            }
        ));
        assert!(quotas.spend("a", Metered::Query).is_ok(), "another kind");
        assert!(quotas.spend("b", Metered::Check).is_ok(), "another client");
    }

    #[test]
    fn the_day_allowance_refuses_with_a_long_wait() {
        let quotas = ClientQuotas::new(100, 3);
        for _ in 0..3 {
            assert!(quotas.spend("a", Metered::Enrollment).is_ok());
        }
        match quotas.spend("a", Metered::Enrollment) {
            Err(ApiError::QuotaExceeded {
                limit: 3,
                window_secs: 86_400,
                retry_after_secs,
            }) => {
                // One call comes back every 8 hours.
                assert!(retry_after_secs > 7 * 3600, "{retry_after_secs}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(quotas.policy(), "100;w=1, 3;w=86400");
    }
}
