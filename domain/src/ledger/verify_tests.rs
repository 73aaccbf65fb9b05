//! The verifier's tests: a clean ledger, each kind of tampering, recorded purges.
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
