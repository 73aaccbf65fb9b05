//! The ledger: one append-only Merkle tree (RFC 9162, as Certificate Transparency) over
//! every entry of the four logs a city must be able to prove: agency decisions, consent
//! events, enrollment events and staff actions. Each entry's leaf is computed in the
//! transaction that stores it; signed checkpoints of the root are published, so anyone who
//! saved one can check that the history they saw was never rewritten, and a resident can
//! check that an entry about them is in it.

mod checkpoint;
mod entry;
mod merkle;
mod redaction;
mod verify;

pub use checkpoint::{Checkpoint, key_id, note_signature, signed_note};
pub use entry::{AuditLeaf, ConsentLeaf, DecisionLeaf, EnrollmentLeaf, LedgerEntry, Source, subject_digest};
pub use merkle::{
    Frontier, Hash, consistency_proof, empty_root, from_hex, inclusion_proof, leaf_hash, node_hash, root,
    to_hex, verify_consistency, verify_inclusion,
};
pub use redaction::{PURGE_ACTION, PURGEABLE, Redaction, purge_detail, purged_indexes};
pub use verify::{Finding, Holdings, StoredLeaf, TrustedCheckpoint, Verified, verify};

/// A page of checkpoints starts after a tree size (checkpoints go oldest first).
pub const CHECKPOINT_CURSOR: crate::paging::Shape = crate::paging::Shape(&[crate::paging::Part::Number]);

/// What a resident's proof page shows about one of their entries.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EntryProof {
    /// The entry number.
    pub index: i64,
    pub log: Source,
    /// The entry exactly as hashed (its canonical JSON).
    pub entry: String,
    /// `SHA-256(0x00 ‖ entry)`, hex.
    pub leaf_hash: String,
    /// The latest checkpoint that covers it, and the proof; `None` until one does.
    pub proven_in: Option<ProvenIn>,
}

/// An entry's inclusion proof against a signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProvenIn {
    pub tree_size: u64,
    /// Hex.
    pub root_hash: String,
    /// RFC 3339, UTC.
    pub signed_at: String,
    /// The checkpoint as published (a C2SP signed note).
    pub note: String,
    /// The audit path, leaf to root, hex.
    pub audit_path: Vec<String>,
    /// Whether the server checked the path leads from the entry to the signed root.
    pub verified: bool,
}
