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
#[path = "verify_tests.rs"]
mod tests;
