//! Recorded redactions: the one way an entry's row may leave the database. When the
//! retention period of an erased account's evidence is over, its consent and enrollment
//! events are removed; their leaves stay in the tree (so every root and proof still holds)
//! and a staff-log entry, itself in the ledger and after them, lists the entry numbers it
//! removed. Verification accepts a missing row only when such an entry accounts for it.

use super::{LedgerEntry, Source};
use std::collections::{BTreeSet, HashMap};

/// The staff-log action of a purge.
pub const PURGE_ACTION: &str = "purge_expired";

/// The logs whose rows a purge may remove: an erased person's consent and enrollment
/// events. Agency decisions and staff actions are kept for good.
pub const PURGEABLE: [Source; 2] = [Source::Consent, Source::Enrollment];

/// One removed row, as the redactions table holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redaction {
    /// The entry number whose row was removed.
    pub idx: i64,
    /// The staff-log entry of the purge that removed it.
    pub audit_id: String,
}

/// The staff-log detail of a purge: whose evidence, and which entries went.
pub fn purge_detail(account: &str, retention_days: u32, indexes: &[i64]) -> String {
    let list: Vec<String> = indexes.iter().map(i64::to_string).collect();
    format!(
        "erased account {account}, kept {retention_days} days; entries {}",
        list.join(",")
    )
}

/// The entry numbers a purge's detail lists; `None` when it is not a purge's detail.
pub fn purged_indexes(detail: &str) -> Option<BTreeSet<i64>> {
    let (_, list) = detail.rsplit_once("; entries ")?;
    list.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().ok())
        .collect()
}

/// Which redactions stand: the purge entry they name exists, lists their entry number,
/// comes after it in the ledger, and the row was of a log a purge may empty.
/// `leaf_of` gives each (log, id)'s entry number and `source_of` each entry number's log.
pub(super) fn standing(
    redactions: &[Redaction],
    entries: &HashMap<(&str, &str), &LedgerEntry>,
    leaf_of: &HashMap<(&str, &str), i64>,
    source_of: &HashMap<i64, &str>,
) -> BTreeSet<i64> {
    redactions
        .iter()
        .filter(|r| {
            let purge = entries.get(&(Source::Audit.code(), r.audit_id.as_str()));
            let Some(LedgerEntry::Audit(purge)) = purge else {
                return false;
            };
            let listed = purge.action == PURGE_ACTION
                && purged_indexes(&purge.detail).is_some_and(|set| set.contains(&r.idx));
            let after = leaf_of
                .get(&(Source::Audit.code(), r.audit_id.as_str()))
                .is_some_and(|purge_idx| *purge_idx > r.idx);
            let purgeable = source_of
                .get(&r.idx)
                .is_some_and(|log| PURGEABLE.iter().any(|s| s.code() == *log));
            listed && after && purgeable
        })
        .map(|r| r.idx)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_detail_lists_the_entries_and_reads_back() {
        let detail = purge_detail("u-1", 1095, &[3, 7, 12]);
        assert_eq!(detail, "erased account u-1, kept 1095 days; entries 3,7,12");
        assert_eq!(purged_indexes(&detail), Some(BTreeSet::from([3, 7, 12])));
        assert_eq!(purged_indexes("assigned to Olu"), None);
        assert_eq!(purged_indexes("x; entries 3,seven"), None);
    }
}
