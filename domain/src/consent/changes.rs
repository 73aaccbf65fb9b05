//! The agencies' consent change feed: what changed for a resident enrolled with an agency's
//! system (a withdrawal, a grant, an upheld objection, an ended enrollment), in the ledger's
//! order, and where a read of the feed starts and stops.
//!
//! The feed's cursor is a position in the ledger: `N` means "the changes in entries `N` and
//! later" (so `0` is the beginning, and a change in entry `i` has the cursor `i + 1`, the
//! place after it). Leaves are appended under the head's lock, in commit order and without
//! gaps, so once the head says `size`, every entry below it is committed and visible: a
//! reader that stops at `size` never skips a change that commits later.

use super::action::ConsentAction;
use crate::paging::{Part, Shape};
use crate::vocabulary;
use serde::{Deserialize, Serialize};

vocabulary! {
    /// What changed for a resident, as an agency's feed says it.
    ConsentChangeKind {
        /// The resident withdrew a consent: stop processing for the purpose.
        ConsentWithdrawn => "consent_withdrawn",
        /// The resident granted a consent (a first grant or one after a withdrawal).
        ConsentGranted => "consent_granted",
        /// The privacy office upheld the resident's objection (GDPR Art. 21) to the purpose.
        ObjectionUpheld => "objection_upheld",
        /// The resident's enrollment with the system ended.
        EnrollmentEnded => "enrollment_ended",
    }
}

impl ConsentChangeKind {
    /// The change a consent event makes. Every grant is listed, a first grant as well as a
    /// grant after a withdrawal: the latest change per resident and purpose is then the
    /// consent in force, for an agency that starts reading at any point.
    pub fn of_consent(action: ConsentAction) -> Self {
        match action {
            ConsentAction::Grant => ConsentChangeKind::ConsentGranted,
            ConsentAction::Withdraw => ConsentChangeKind::ConsentWithdrawn,
        }
    }
}

/// The feed's cursor: a ledger position (see the module's note).
pub const CONSENT_CHANGE_CURSOR: Shape = Shape(&[Part::Number]);

/// The most ledger entries one read of the feed looks through, whatever the page's limit:
/// an agency with few changes in a busy city reads a long stretch as several short reads
/// (each answers with where to go on), never as one scan of the whole ledger.
pub const READ_WINDOW: i64 = 10_000;

/// One change, as an agency receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentChange {
    pub kind: ConsentChangeKind,
    /// The resident number; `None` once the account was deleted (the number is erased, and
    /// the feed never names it again).
    pub subject: Option<String>,
    /// The system's slug.
    pub system: String,
    /// The purpose's key; `None` for an ended enrollment.
    pub purpose: Option<String>,
    /// When it happened (RFC 3339, UTC).
    pub at: String,
    /// The feed's position after this change.
    pub cursor: String,
}

/// A change with its ledger entry number, as storage reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerChange {
    /// The ledger entry the change was committed with.
    pub idx: i64,
    pub change: ConsentChange,
}

/// The stretch of the ledger one read covers: entries from `after` (a cursor, `0` when
/// absent) up to, not including, the returned position, at most `READ_WINDOW` entries and
/// never past `size`, the ledger's committed size. A cursor beyond `size` reads nothing and
/// stays where it is.
pub fn read_until(after: i64, size: i64) -> i64 {
    after.saturating_add(READ_WINDOW).min(size).max(after)
}

/// One read of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentChangePage {
    /// Oldest first.
    pub changes: Vec<ConsentChange>,
    /// Where the next read starts: after the last change when the page is full and more
    /// follow, otherwise the end of the stretch read.
    pub next: i64,
    /// Whether the read reached the ledger's end as it stood (`size`): nothing more now.
    pub caught_up: bool,
}

/// The page of `rows` (read oldest first, at most `limit + 1`, from the stretch ending at
/// `until`; `size` is the ledger's committed size the stretch was bounded by).
pub fn page(mut rows: Vec<LedgerChange>, limit: u32, until: i64, size: i64) -> ConsentChangePage {
    rows.sort_by_key(|r| r.idx);
    let limit = limit as usize;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = match rows.last() {
        Some(last) if more => last.idx + 1,
        _ => until,
    };
    ConsentChangePage {
        caught_up: !more && until >= size,
        changes: rows.into_iter().map(|r| r.change).collect(),
        next,
    }
}

/// The cursor after ledger entry `idx`.
pub fn cursor_after(idx: i64) -> String {
    (idx + 1).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(idx: i64) -> LedgerChange {
        LedgerChange {
            idx,
            change: ConsentChange {
                kind: ConsentChangeKind::ConsentWithdrawn,
                subject: Some("GH-7K3M-Q9TX".to_owned()),
                system: "riverpass".to_owned(),
                purpose: Some("offers".to_owned()),
                at: "2026-11-27T10:00:00.000000Z".to_owned(),
                cursor: cursor_after(idx),
            },
        }
    }

    #[test]
    fn every_grant_is_listed_and_every_withdrawal() {
        assert_eq!(
            ConsentChangeKind::of_consent(ConsentAction::Grant),
            ConsentChangeKind::ConsentGranted
        );
        assert_eq!(
            ConsentChangeKind::of_consent(ConsentAction::Withdraw),
            ConsentChangeKind::ConsentWithdrawn
        );
        assert_eq!(ConsentChangeKind::ObjectionUpheld.code(), "objection_upheld");
    }

    #[test]
    fn a_read_covers_a_bounded_stretch_never_past_the_committed_end() {
        assert_eq!(read_until(0, 5), 5);
        assert_eq!(read_until(0, 0), 0);
        assert_eq!(read_until(7, 5), 7, "a cursor beyond the end stays put");
        assert_eq!(read_until(0, READ_WINDOW * 3), READ_WINDOW);
        assert_eq!(read_until(i64::MAX - 1, i64::MAX), i64::MAX);
    }

    #[test]
    fn a_full_page_resumes_after_its_last_change() {
        let page = page(vec![at(9), at(3), at(5)], 2, 100, 100);
        let cursors: Vec<&str> = page.changes.iter().map(|c| c.cursor.as_str()).collect();
        assert_eq!(cursors, ["4", "6"], "oldest first");
        assert_eq!(page.next, 6);
        assert!(!page.caught_up);
    }

    #[test]
    fn a_short_page_resumes_at_the_end_of_its_stretch() {
        let page = page(vec![at(3)], 2, 50, 100);
        assert_eq!(page.next, 50);
        assert!(!page.caught_up, "the ledger goes on past the stretch");
        let end = super::page(vec![], 2, 100, 100);
        assert_eq!((end.next, end.caught_up), (100, true));
    }

    #[test]
    fn the_cursor_is_a_ledger_position() {
        assert!(CONSENT_CHANGE_CURSOR.decode("0").is_ok());
        assert!(CONSENT_CHANGE_CURSOR.decode("-1").is_err());
        assert!(CONSENT_CHANGE_CURSOR.decode("1~2").is_err());
        assert_eq!(cursor_after(0), "1");
    }
}
