//! A device's figures: what the decision log says about its system over the last days, per
//! purpose, with small counts hidden (`crate::stats::Shown`).

use crate::stats::Shown;
use serde::{Deserialize, Serialize};

/// One count of the log: `kind` (`check` or `query`) for `purpose`, answered `decision`
/// (`permit` or `deny`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogCount {
    pub kind: String,
    pub purpose: String,
    pub decision: String,
    pub count: i64,
}

/// Permits and denials as published; the total only when neither is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answered {
    pub permits: Shown,
    pub denials: Shown,
    pub total: Option<Shown>,
}

impl Answered {
    fn of(permits: i64, denials: i64) -> Answered {
        Answered {
            permits: Shown::of(permits),
            denials: Shown::of(denials),
            total: Shown::total(&[permits, denials]),
        }
    }
}

/// A purpose's line: its key (`None` for every purpose the system does not declare, asked
/// about all the same), its checks and its data queries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeFigures {
    pub purpose: Option<String>,
    pub checks: Answered,
    pub queries: Answered,
}

/// The lines for `purposes` (in their order), then one line for everything asked about
/// other purposes if anything was.
pub fn purpose_figures(purposes: &[&str], counts: &[LogCount]) -> Vec<PurposeFigures> {
    let sum = |known: Option<&str>, kind: &str, decision: &str| -> i64 {
        counts
            .iter()
            .filter(|c| c.kind == kind && c.decision == decision)
            .filter(|c| match known {
                Some(key) => c.purpose == key,
                None => !purposes.contains(&c.purpose.as_str()),
            })
            .map(|c| c.count)
            .sum()
    };
    let line = |known: Option<&str>| PurposeFigures {
        purpose: known.map(str::to_owned),
        checks: Answered::of(sum(known, "check", "permit"), sum(known, "check", "deny")),
        queries: Answered::of(sum(known, "query", "permit"), sum(known, "query", "deny")),
    };
    let mut lines: Vec<PurposeFigures> = purposes.iter().map(|p| line(Some(p))).collect();
    if counts.iter().any(|c| !purposes.contains(&c.purpose.as_str())) {
        lines.push(line(None));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(kind: &str, purpose: &str, decision: &str, count: i64) -> LogCount {
        LogCount {
            kind: kind.to_owned(),
            purpose: purpose.to_owned(),
            decision: decision.to_owned(),
            count,
        }
    }

    #[test]
    fn each_purpose_gets_its_counts_with_small_ones_hidden() {
        let counts = [
            count("check", "safety", "permit", 40),
            count("check", "safety", "deny", 3),
            count("query", "safety", "permit", 6),
            count("check", "made-up", "deny", 2),
            count("check", "made-up-too", "deny", 4),
        ];
        let lines = purpose_figures(&["safety", "repair"], &counts);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].checks.permits, Shown::Count(40));
        assert_eq!(lines[0].checks.denials, Shown::FewerThanSmallest);
        assert_eq!(
            lines[0].checks.total, None,
            "40 + a hidden 3 would give the 3 away"
        );
        assert_eq!(lines[0].queries.total, Some(Shown::Count(6)));
        assert_eq!(lines[1].checks.total, Some(Shown::Count(0)));
        assert_eq!(lines[2].purpose, None);
        assert_eq!(
            lines[2].checks.denials,
            Shown::Count(6),
            "other purposes are summed before hiding"
        );
    }

    #[test]
    fn no_other_line_when_only_declared_purposes_were_asked_about() {
        assert_eq!(
            purpose_figures(&["safety"], &[count("check", "safety", "permit", 1)]).len(),
            1
        );
    }
}
