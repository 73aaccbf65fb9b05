//! Verifying the ledger from what the database holds: every leaf recomputed from its row,
//! every row accounted for, the tree's root against the head, and the tree against every
//! checkpoint ever published. Pure: the caller loads, this decides.

use super::redaction::{Redaction, standing};
use super::{Hash, LedgerEntry, Source, consistency_proof, from_hex, root, to_hex, verify_consistency};
use std::collections::HashMap;

/// One leaf as the ledger table holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLeaf {
    pub idx: i64,
    pub source: String,
    pub entry_id: String,
    /// Hex.
    pub leaf_hash: String,
}

/// A checkpoint whose signature was checked: the tree had `size` leaves and `root`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedCheckpoint {
    pub size: u64,
    pub root: Hash,
    /// Where it came from, for the report ("checkpoint 12 in the database", a file name).
    pub origin: String,
}

/// Something the ledger does not account for. The first one found names the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Finding {
    #[error("entry {idx} is missing: the ledger jumps from entry {} to entry {found}", idx - 1)]
    Gap { idx: i64, found: i64 },
    #[error("entry {idx} ({log} {id}) was edited: the row no longer matches its leaf")]
    Edited { idx: i64, log: String, id: String },
    #[error("entry {idx} ({log} {id}) was deleted: its row is gone and no recorded purge removed it")]
    Deleted { idx: i64, log: String, id: String },
    #[error("entry {idx} ({log} {id}) is out of order: decision {seq} follows decision {previous}")]
    Reordered {
        idx: i64,
        log: String,
        id: String,
        seq: i64,
        previous: i64,
    },
    #[error("{log} {id} was inserted: no entry of the ledger stands for it")]
    Inserted { log: String, id: String },
    #[error(
        "the ledger's head was altered: it says {head_size} entries with root {head_root}, the entries make {size} with root {root}"
    )]
    Head {
        head_size: u64,
        head_root: String,
        size: u64,
        root: String,
    },
    #[error("the history was rewritten: {origin} covered {size} entries, the ledger now holds {held}")]
    Shorter { origin: String, size: u64, held: u64 },
    #[error(
        "the history was rewritten: the ledger's first {size} entries no longer make the root of {origin} (consistency proof fails)"
    )]
    Inconsistent { origin: String, size: u64 },
}

/// What a clean ledger holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub size: u64,
    pub root: Hash,
    /// Entries per log.
    pub counts: Vec<(Source, u64)>,
    pub checkpoints: usize,
}

/// What the database holds, for verifying.
#[derive(Debug, Clone, Copy)]
pub struct Holdings<'a> {
    /// The ledger table, in index order.
    pub leaves: &'a [StoredLeaf],
    /// Every row of every log.
    pub entries: &'a [LedgerEntry],
    /// The rows removed by recorded purges.
    pub redactions: &'a [Redaction],
    /// The head's size and root.
    pub head: (u64, Hash),
}

/// Checks the leaves against the rows (a row may be missing only when a recorded purge
/// removed it), the head and `checkpoints`. Returns every finding, the first bad entry first.
pub fn verify(held: Holdings<'_>, checkpoints: &[TrustedCheckpoint]) -> Result<Verified, Vec<Finding>> {
    let Holdings {
        leaves,
        entries,
        redactions,
        head,
    } = held;
    let (hashes, mut findings) = check_leaves(leaves, entries, redactions);
    let size = hashes.len() as u64;
    let computed = root(&hashes);
    if head != (size, computed) {
        findings.push(Finding::Head {
            head_size: head.0,
            head_root: to_hex(&head.1),
            size,
            root: to_hex(&computed),
        });
    }
    for checkpoint in checkpoints {
        findings.extend(check_checkpoint(&hashes, computed, checkpoint));
    }
    if !findings.is_empty() {
        return Err(findings);
    }
    let counts = Source::ALL
        .iter()
        .map(|s| (*s, entries.iter().filter(|e| e.source() == *s).count() as u64))
        .collect();
    Ok(Verified {
        size,
        root: computed,
        counts,
        checkpoints: checkpoints.len(),
    })
}

/// Each leaf against its row (numbering, edits, deletions, the decisions' order), then every
/// row against the leaves (insertions). Returns the stored leaf hashes in order, and the findings.
fn check_leaves(
    leaves: &[StoredLeaf],
    entries: &[LedgerEntry],
    redactions: &[Redaction],
) -> (Vec<Hash>, Vec<Finding>) {
    let mut findings = Vec::new();
    let by_id: HashMap<(&str, &str), &LedgerEntry> =
        entries.iter().map(|e| ((e.source().code(), e.id()), e)).collect();
    let leaf_of: HashMap<(&str, &str), i64> = leaves
        .iter()
        .map(|l| ((l.source.as_str(), l.entry_id.as_str()), l.idx))
        .collect();
    let source_of: HashMap<i64, &str> = leaves.iter().map(|l| (l.idx, l.source.as_str())).collect();
    let purged = standing(redactions, &by_id, &leaf_of, &source_of);
    let mut hashes: Vec<Hash> = Vec::with_capacity(leaves.len());
    let mut last_seq = 0;
    for (expected, leaf) in (0_i64..).zip(leaves) {
        if leaf.idx != expected && findings.is_empty() {
            findings.push(Finding::Gap {
                idx: expected,
                found: leaf.idx,
            });
        }
        let (idx, log, id) = (leaf.idx, leaf.source.clone(), leaf.entry_id.clone());
        let stored = from_hex(&leaf.leaf_hash);
        hashes.push(stored.unwrap_or([0; 32]));
        match by_id.get(&(leaf.source.as_str(), leaf.entry_id.as_str())) {
            None if purged.contains(&idx) => {}
            None => findings.push(Finding::Deleted { idx, log, id }),
            Some(entry) if Some(entry.leaf_hash()) != stored => {
                findings.push(Finding::Edited { idx, log, id })
            }
            Some(LedgerEntry::Decision(d)) => {
                if d.seq != last_seq + 1 {
                    let (seq, previous) = (d.seq, last_seq);
                    findings.push(Finding::Reordered {
                        idx,
                        log,
                        id,
                        seq,
                        previous,
                    });
                }
                last_seq = d.seq;
            }
            Some(_) => {}
        }
    }
    let seen: std::collections::HashSet<(&str, &str)> = leaves
        .iter()
        .map(|l| (l.source.as_str(), l.entry_id.as_str()))
        .collect();
    findings.extend(
        entries
            .iter()
            .filter(|e| !seen.contains(&(e.source().code(), e.id())))
            .map(|e| Finding::Inserted {
                log: e.source().code().to_owned(),
                id: e.id().to_owned(),
            }),
    );
    (hashes, findings)
}

/// Whether the tree over `hashes` (with `current` root) extends `checkpoint`, by the
/// consistency proof an outside party would be given.
fn check_checkpoint(hashes: &[Hash], current: Hash, checkpoint: &TrustedCheckpoint) -> Option<Finding> {
    let held = hashes.len() as u64;
    if checkpoint.size > held {
        return Some(Finding::Shorter {
            origin: checkpoint.origin.clone(),
            size: checkpoint.size,
            held,
        });
    }
    if checkpoint.size == 0 {
        return None;
    }
    let proof = consistency_proof(hashes, checkpoint.size as usize).unwrap_or_default();
    (!verify_consistency(checkpoint.size, held, &checkpoint.root, &current, &proof)).then(|| {
        Finding::Inconsistent {
            origin: checkpoint.origin.clone(),
            size: checkpoint.size,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::{AuditLeaf, Frontier};
    use super::*;

    fn entry(id: &str) -> LedgerEntry {
        LedgerEntry::Audit(AuditLeaf {
            id: id.into(),
            at_us: 1,
            actor_id: "o".into(),
            actor_name: "Officer".into(),
            action: "assign".into(),
            request_id: None,
            detail: String::new(),
        })
    }

    fn ledger(entries: &[LedgerEntry]) -> (Vec<StoredLeaf>, (u64, Hash)) {
        let mut frontier = Frontier::new();
        let leaves = (0_i64..)
            .zip(entries)
            .map(|(idx, e)| {
                frontier.push(e.leaf_hash());
                StoredLeaf {
                    idx,
                    source: e.source().code().into(),
                    entry_id: e.id().into(),
                    leaf_hash: to_hex(&e.leaf_hash()),
                }
            })
            .collect();
        (leaves, (frontier.size(), frontier.root()))
    }

    fn held<'a>(leaves: &'a [StoredLeaf], entries: &'a [LedgerEntry], head: (u64, Hash)) -> Holdings<'a> {
        Holdings {
            leaves,
            entries,
            redactions: &[],
            head,
        }
    }

    fn consent(id: &str) -> LedgerEntry {
        LedgerEntry::Consent(super::super::ConsentLeaf {
            id: id.into(),
            user_id: "u-1".into(),
            purpose_id: "p".into(),
            notice_version: 1,
            action: "grant".into(),
            channel: "web".into(),
            at_us: 1,
        })
    }

    fn purge(id: &str, indexes: &[i64]) -> LedgerEntry {
        LedgerEntry::Audit(AuditLeaf {
            id: id.into(),
            at_us: 2,
            actor_id: "scheduler".into(),
            actor_name: "Retention schedule".into(),
            action: super::super::PURGE_ACTION.into(),
            request_id: None,
            detail: super::super::purge_detail("u-1", 0, indexes),
        })
    }

    #[test]
    fn a_recorded_purge_accounts_for_the_rows_it_removed_and_no_others() {
        // 0, 1: the erased person's consent events; 2: a staff action; 3: the purge of 0 and 1.
        let entries = vec![consent("c0"), consent("c1"), entry("a"), purge("p", &[0, 1])];
        let (leaves, head) = ledger(&entries);
        let kept: Vec<_> = entries[2..].to_vec();
        let redact = |idx: i64, by: &str| Redaction {
            idx,
            audit_id: by.into(),
        };
        let with = |redactions: &[Redaction]| {
            verify(
                Holdings {
                    leaves: &leaves,
                    entries: &kept,
                    redactions,
                    head,
                },
                &[],
            )
        };
        assert!(with(&[redact(0, "p"), redact(1, "p")]).is_ok());
        // A redaction row alone, without the purge listing it, is a deletion.
        let r = with(&[redact(0, "p"), redact(1, "a")]).unwrap_err();
        assert!(matches!(r[0], Finding::Deleted { idx: 1, .. }), "{r:?}");
        // A staff action cannot be purged, even by a purge entry that lists it.
        let entries = vec![consent("c0"), entry("a"), purge("p", &[0, 1])];
        let (leaves, head) = ledger(&entries);
        let kept = vec![entries[2].clone()];
        let redactions = [redact(0, "p"), redact(1, "p")];
        let r = verify(
            Holdings {
                leaves: &leaves,
                entries: &kept,
                redactions: &redactions,
                head,
            },
            &[],
        )
        .unwrap_err();
        assert_eq!(r.len(), 1);
        assert!(matches!(r[0], Finding::Deleted { idx: 1, .. }), "{r:?}");
        // A purge cannot account for rows after it.
        let entries = vec![purge("p", &[1]), consent("c1")];
        let (leaves, head) = ledger(&entries);
        let kept = vec![entries[0].clone()];
        let r = verify(
            Holdings {
                leaves: &leaves,
                entries: &kept,
                redactions: &[redact(1, "p")],
                head,
            },
            &[],
        )
        .unwrap_err();
        assert!(matches!(r[0], Finding::Deleted { idx: 1, .. }), "{r:?}");
    }

    #[test]
    fn a_clean_ledger_verifies() {
        let entries: Vec<_> = ["a", "b", "c"].iter().map(|i| entry(i)).collect();
        let (leaves, head) = ledger(&entries);
        let verified = verify(held(&leaves, &entries, head), &[]).unwrap();
        assert_eq!(verified.size, 3);
    }

    #[test]
    fn each_kind_of_tampering_is_named() {
        let entries: Vec<_> = ["a", "b", "c", "d"].iter().map(|i| entry(i)).collect();
        let (leaves, head) = ledger(&entries);
        let first = |r: Result<Verified, Vec<Finding>>| r.unwrap_err().remove(0);

        let mut edited = entries.clone();
        edited[1] = LedgerEntry::Audit(AuditLeaf {
            detail: "changed".into(),
            ..match &entries[1] {
                LedgerEntry::Audit(a) => a.clone(),
                _ => unreachable!(),
            }
        });
        assert!(matches!(
            first(verify(held(&leaves, &edited, head), &[])),
            Finding::Edited { idx: 1, .. }
        ));

        let deleted: Vec<_> = entries.iter().filter(|e| e.id() != "c").cloned().collect();
        assert!(matches!(
            first(verify(held(&leaves, &deleted, head), &[])),
            Finding::Deleted { idx: 2, .. }
        ));

        let mut inserted = entries.clone();
        inserted.push(entry("x"));
        assert!(matches!(
            first(verify(held(&leaves, &inserted, head), &[])),
            Finding::Inserted { .. }
        ));

        let (short_leaves, short_head) = ledger(&entries[..2]);
        let saved = TrustedCheckpoint {
            size: 4,
            root: head.1,
            origin: "saved".into(),
        };
        assert!(
            verify(held(&short_leaves, &entries[..2], short_head), &[]).is_ok(),
            "alone it looks whole"
        );
        assert!(matches!(
            first(verify(held(&short_leaves, &entries[..2], short_head), &[saved])),
            Finding::Shorter { size: 4, held: 2, .. }
        ));

        let mut rewritten = entries.clone();
        rewritten[0] = entry("z");
        let (new_leaves, new_head) = ledger(&rewritten);
        let saved = TrustedCheckpoint {
            size: 2,
            root: root(
                &leaves[..2]
                    .iter()
                    .map(|l| from_hex(&l.leaf_hash).unwrap())
                    .collect::<Vec<_>>(),
            ),
            origin: "saved".into(),
        };
        assert!(matches!(
            first(verify(held(&new_leaves, &rewritten, new_head), &[saved])),
            Finding::Inconsistent { size: 2, .. }
        ));

        let lowered = (3, head.1);
        assert!(matches!(
            first(verify(held(&leaves, &entries, lowered), &[])),
            Finding::Head { head_size: 3, .. }
        ));

        let mut gap = leaves.clone();
        gap.remove(1);
        let r = verify(held(&gap, &entries, head), &[]).unwrap_err();
        assert!(matches!(r[0], Finding::Gap { idx: 1, found: 2 }), "{r:?}");
    }
}
