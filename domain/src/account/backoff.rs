//! Sign-in back-off: how long an account's next password try must wait after a streak of
//! wrong passwords.
//!
//! The streak is counted per account (so guesses spread over many addresses still add up),
//! and the wait it sets grows with each failure instead of locking the account: a few tries
//! are free, then each failure doubles the wait from one second up to fifteen minutes. There
//! is no lock to trip: once the wait has passed, the next try is checked as usual, and a
//! right password ends the streak. A streak whose last failure is a day old is forgotten.
//!
//! Whom the wait holds back is the caller's choice (see `auth`'s sign-in): it applies to the
//! addresses that failed during the streak, so a stranger's guesses slow the stranger, while
//! the owner signing in from an address that has not been failing is not made to wait.

/// Wrong passwords in a row that cost nothing; the next failure starts the waits.
pub const FREE_TRIES: i64 = 5;

/// The longest wait, in seconds.
pub const MAX_WAIT_SECS: u64 = 15 * 60;

/// A streak whose last failure is older than this (in seconds) is forgotten.
pub const STREAK_FORGOTTEN_AFTER_SECS: i64 = 24 * 60 * 60;

/// An account's streak of wrong passwords, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FailedSignIns {
    /// Wrong passwords since the last right one (or since the streak was forgotten).
    pub count: i64,
    /// When the last of them was, in microseconds since the epoch.
    pub last_at_us: Option<i64>,
}

/// Microseconds in a second.
const US: i64 = 1_000_000;

impl FailedSignIns {
    /// The wait `count` failures in a row set, counted from the last of them, with the first
    /// wait `base_ms` (one second in production; the tests shorten it).
    pub fn wait_ms(count: i64, base_ms: u64) -> u64 {
        if count < FREE_TRIES {
            return 0;
        }
        let doublings = u32::try_from(count - FREE_TRIES).unwrap_or(u32::MAX).min(32);
        base_ms
            .saturating_mul(1_u64 << doublings)
            .min(MAX_WAIT_SECS * 1000)
    }

    /// Whether the streak still counts at `now_us` (its last failure less than a day ago).
    pub fn current(&self, now_us: i64) -> bool {
        self.last_at_us
            .is_some_and(|last| now_us - last < STREAK_FORGOTTEN_AFTER_SECS * US)
    }

    /// How much longer (in whole seconds, rounded up) the next try must wait at `now_us`;
    /// `None` when it may go ahead.
    pub fn remaining_secs(&self, now_us: i64, base_ms: u64) -> Option<u64> {
        let last = self.last_at_us.filter(|_| self.current(now_us))?;
        let wait_us = i64::try_from(Self::wait_ms(self.count, base_ms))
            .unwrap_or(i64::MAX)
            .saturating_mul(1000);
        let left_us = last.saturating_add(wait_us).saturating_sub(now_us);
        let left_us = u64::try_from(left_us).ok().filter(|&us| us > 0)?;
        Some(left_us.div_ceil(1_000_000))
    }

    /// How much longer (in whole seconds, rounded up) an address that failed during the
    /// streak, last at `address_failed_at_us`, must wait at `now_us`; `None` when it may go
    /// ahead (or never failed). The wait is the streak's, counted from that address's own
    /// last failure, not the account's: a stranger's later failures elsewhere can lengthen
    /// it (the count grows) but never past `MAX_WAIT_SECS` after the address's own last
    /// try, so an owner who mistyped once during an attack is held back at most that long.
    pub fn address_wait_secs(
        &self,
        address_failed_at_us: Option<i64>,
        now_us: i64,
        base_ms: u64,
    ) -> Option<u64> {
        if !self.current(now_us) {
            return None;
        }
        FailedSignIns {
            count: self.count,
            last_at_us: address_failed_at_us,
        }
        .remaining_secs(now_us, base_ms)
    }

    /// Whether the failure that brought the streak to `count` is the one to tell the owner
    /// about: the first that sets a wait, so one notice per streak.
    pub fn tell_owner(count: i64) -> bool {
        count == FREE_TRIES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000 * US;

    fn streak(count: i64, secs_ago: i64) -> FailedSignIns {
        FailedSignIns {
            count,
            last_at_us: Some(NOW - secs_ago * US),
        }
    }

    #[test]
    fn the_first_tries_are_free() {
        for count in 0..FREE_TRIES {
            assert_eq!(FailedSignIns::wait_ms(count, 1000), 0, "{count}");
            assert_eq!(streak(count, 0).remaining_secs(NOW, 1000), None);
        }
        assert_eq!(FailedSignIns::default().remaining_secs(NOW, 1000), None);
    }

    #[test]
    fn each_failure_past_the_free_ones_doubles_the_wait() {
        let waits: Vec<u64> = (5..=12).map(|n| FailedSignIns::wait_ms(n, 1000)).collect();
        assert_eq!(waits, [1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000]);
        assert_eq!(FailedSignIns::wait_ms(5, 50), 50, "the first wait is the base");
    }

    #[test]
    fn the_wait_stops_growing_at_fifteen_minutes() {
        assert_eq!(FailedSignIns::wait_ms(14, 1000), 512_000);
        assert_eq!(FailedSignIns::wait_ms(15, 1000), 900_000);
        assert_eq!(FailedSignIns::wait_ms(1_000, 1000), 900_000);
        assert_eq!(FailedSignIns::wait_ms(i64::MAX, u64::MAX), 900_000);
        assert_eq!(streak(i64::MAX, 0).remaining_secs(NOW, 1000), Some(900));
    }

    #[test]
    fn the_wait_counts_from_the_last_failure_and_rounds_up() {
        // Six failures: two seconds from the last one.
        assert_eq!(streak(6, 0).remaining_secs(NOW, 1000), Some(2));
        assert_eq!(streak(6, 1).remaining_secs(NOW, 1000), Some(1));
        assert_eq!(streak(6, 2).remaining_secs(NOW, 1000), None);
        let half_a_second_ago = FailedSignIns {
            count: 5,
            last_at_us: Some(NOW - US / 2),
        };
        assert_eq!(half_a_second_ago.remaining_secs(NOW, 1000), Some(1));
        // A failure stamped ahead of this clock (another server's) waits from its stamp.
        assert_eq!(streak(5, -10).remaining_secs(NOW, 1000), Some(11));
    }

    #[test]
    fn a_day_old_streak_is_forgotten() {
        let day = STREAK_FORGOTTEN_AFTER_SECS;
        assert!(streak(50, day - 1).current(NOW));
        assert!(!streak(50, day).current(NOW));
        assert_eq!(streak(50, day).remaining_secs(NOW, u64::MAX), None);
    }

    #[test]
    fn a_success_resets_the_streak() {
        // What the store writes after a right password.
        let reset = FailedSignIns::default();
        assert_eq!(reset.remaining_secs(NOW, 1000), None);
        assert!(!reset.current(NOW));
    }

    #[test]
    fn the_owner_is_told_once_per_streak() {
        let told: Vec<i64> = (1..=40).filter(|&n| FailedSignIns::tell_owner(n)).collect();
        assert_eq!(told, [FREE_TRIES]);
    }

    #[test]
    fn an_address_waits_from_its_own_last_failure_never_longer_than_the_cap() {
        // The owner mistyped once, an hour-long attack went on elsewhere since.
        let owner_failed = NOW - 20 * 60 * US;
        let attack = streak(40, 0);
        assert_eq!(
            attack.address_wait_secs(Some(owner_failed), NOW, 1000),
            None,
            "fifteen minutes after its own failure the owner's address goes ahead"
        );
        let owner_failed = NOW - 10 * 60 * US;
        assert_eq!(
            attack.address_wait_secs(Some(owner_failed), NOW, 1000),
            Some(5 * 60)
        );
        // Counted from the address's failure, not the account's latest.
        let six = streak(6, 0);
        assert_eq!(six.address_wait_secs(Some(NOW - 3 * US), NOW, 1000), None);
        assert_eq!(six.address_wait_secs(Some(NOW - US), NOW, 1000), Some(1));
        assert_eq!(
            six.address_wait_secs(None, NOW, 1000),
            None,
            "an address that never failed"
        );
        // A forgotten streak holds nobody.
        let old = streak(40, 2 * 24 * 60 * 60);
        assert_eq!(old.address_wait_secs(Some(NOW - US), NOW, 1000), None);
    }
}
