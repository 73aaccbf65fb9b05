//! The ledger's keeper: signs checkpoints (Ed25519, C2SP signed notes) as the ledger
//! grows, answers inclusion and consistency proofs, and verifies the whole ledger from the
//! database for `glasshouse audit verify`.

use super::StoredCheckpoint;
use crate::StoreError;
use domain::ledger::{
    Checkpoint, Finding, Hash, Holdings, StoredLeaf, TrustedCheckpoint, Verified, consistency_proof,
    from_hex, inclusion_proof, note_signature, signed_note, to_hex,
};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sqlx::AnyPool;

/// Signs checkpoints; cheap to clone.
#[derive(Clone)]
pub struct Keeper {
    key: SigningKey,
    /// The log's name in its checkpoints: the public host and `/ledger`.
    origin: String,
    /// At most one new checkpoint per this many seconds.
    interval_secs: i64,
}

impl Keeper {
    /// A keeper signing with the Ed25519 key of `seed`, naming the log `origin`, making at
    /// most one checkpoint per `interval_secs`.
    pub fn new(seed: [u8; 32], origin: String, interval_secs: i64) -> Keeper {
        Keeper {
            key: SigningKey::from_bytes(&seed),
            origin,
            interval_secs,
        }
    }

    /// The log's name.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The public key anyone checks checkpoints with.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// Signs `checkpoint` as a C2SP signed note.
    pub fn sign(&self, checkpoint: &Checkpoint) -> String {
        let body = checkpoint.body();
        let signature = self.key.sign(body.as_bytes()).to_bytes();
        signed_note(&body, &self.origin, &self.public_key(), &signature)
    }

    /// The latest checkpoint, first making a new one when the ledger grew since the last
    /// and the interval has passed (or none was ever made). `None` while the ledger is empty.
    pub async fn latest(&self, pool: &AnyPool) -> Result<Option<StoredCheckpoint>, StoreError> {
        let latest = super::latest_checkpoint(pool).await?;
        let head = super::head(pool).await?;
        let now_us = crate::now_us();
        let due = match &latest {
            None => head.size > 0,
            Some(c) => {
                u64::try_from(c.size).unwrap_or(0) < head.size
                    && now_us - c.at_us >= self.interval_secs * 1_000_000
            }
        };
        if !due {
            return Ok(latest);
        }
        let checkpoint = Checkpoint {
            origin: self.origin.clone(),
            size: head.size,
            root: head.root,
            time: now_us / 1_000_000,
        };
        let stored = StoredCheckpoint {
            size: i64::try_from(head.size).unwrap_or(i64::MAX),
            root: to_hex(&head.root),
            at_us: now_us,
            note: self.sign(&checkpoint),
        };
        super::save_checkpoint(pool, &stored).await?;
        // Another server may have made one for the same size first: that one was published.
        Ok(super::latest_checkpoint(pool).await?.or(Some(stored)))
    }

    /// Reads a signed note made by this log's key: `None` if the signature does not verify.
    pub fn open_note(&self, note: &str) -> Option<Checkpoint> {
        let public = self.public_key();
        let (body, signature) = note_signature(note, &self.origin, &public)?;
        let key = VerifyingKey::from_bytes(&public).ok()?;
        key.verify(body.as_bytes(), &Signature::from_bytes(&signature))
            .ok()?;
        Checkpoint::parse_body(&body).filter(|c| c.origin == self.origin)
    }
}

/// An inclusion proof of entry `idx` against the tree of `size` entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    pub leaf_hash: Hash,
    pub path: Vec<Hash>,
}

/// The inclusion proof of entry `idx` in the tree of the first `size` entries.
pub async fn prove_inclusion(
    pool: &AnyPool,
    idx: u64,
    size: u64,
) -> Result<Option<InclusionProof>, StoreError> {
    let hashes = super::leaf_hashes(pool, size).await?;
    if (hashes.len() as u64) < size {
        return Ok(None);
    }
    let Ok(index) = usize::try_from(idx) else {
        return Ok(None);
    };
    Ok(inclusion_proof(&hashes, index).map(|path| InclusionProof {
        leaf_hash: hashes[index],
        path,
    }))
}

/// The consistency proof from the tree of `old` entries to the tree of `new` entries.
pub async fn prove_consistency(pool: &AnyPool, old: u64, new: u64) -> Result<Option<Vec<Hash>>, StoreError> {
    let hashes = super::leaf_hashes(pool, new).await?;
    if (hashes.len() as u64) < new {
        return Ok(None);
    }
    Ok(usize::try_from(old)
        .ok()
        .and_then(|old| consistency_proof(&hashes, old)))
}

/// Why `audit verify` could not say the ledger is whole.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Checkpoint(String),
    #[error("{} finding(s); the first: {}", .0.len(), .0[0])]
    Findings(Vec<Finding>),
}

/// Recomputes the ledger from the database and checks it against its head, every checkpoint
/// kept in the database, and `saved` (a signed note someone kept, with where it came from).
pub async fn verify_all(
    pool: &AnyPool,
    keeper: &Keeper,
    saved: Option<(&str, &str)>,
) -> Result<Verified, VerifyError> {
    let leaves: Vec<StoredLeaf> = super::leaves(pool)
        .await?
        .into_iter()
        .map(|l| StoredLeaf {
            idx: l.idx,
            source: l.source,
            entry_id: l.entry_id,
            leaf_hash: l.leaf_hash,
        })
        .collect();
    let entries = super::all_entries(pool).await?;
    let head = super::head(pool).await?;
    let mut trusted = Vec::new();
    for stored in super::all_checkpoints(pool).await? {
        let checkpoint = keeper.open_note(&stored.note).ok_or_else(|| {
            VerifyError::Checkpoint(format!(
                "the checkpoint of {} entries kept in the database does not carry this log's signature",
                stored.size
            ))
        })?;
        if Some(checkpoint.root) != from_hex(&stored.root)
            || i64::try_from(checkpoint.size).ok() != Some(stored.size)
        {
            return Err(VerifyError::Checkpoint(format!(
                "the checkpoint of {} entries kept in the database was altered",
                stored.size
            )));
        }
        trusted.push(TrustedCheckpoint {
            size: checkpoint.size,
            root: checkpoint.root,
            origin: format!(
                "the checkpoint of {} entries kept in the database",
                checkpoint.size
            ),
        });
    }
    if let Some((name, note)) = saved {
        let checkpoint = keeper.open_note(note).ok_or_else(|| {
            VerifyError::Checkpoint(format!("{name} is not a checkpoint signed by this log's key"))
        })?;
        trusted.push(TrustedCheckpoint {
            size: checkpoint.size,
            root: checkpoint.root,
            origin: format!("the saved checkpoint {name}"),
        });
    }
    let redactions = super::redactions(pool).await?;
    let held = Holdings {
        leaves: &leaves,
        entries: &entries,
        redactions: &redactions,
        head: (head.size, head.root),
    };
    domain::ledger::verify(held, &trusted).map_err(VerifyError::Findings)
}
