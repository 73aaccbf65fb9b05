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
}
