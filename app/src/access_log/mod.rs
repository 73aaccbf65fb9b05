//! The server function behind `/my/access-log`: the decision-log entries that named the
//! signed-in resident, and no one else's.

pub mod page;
pub mod proof_page;

use crate::error::AppError;
use domain::decision::{AccessEntry, AccessPage, Decision};
use domain::lang::Lang;
use leptos::prelude::*;

/// One page of the signed-in resident's access log, newest first: only `agency`'s entries,
/// only one `decision`, entries older than sequence number `before`, when given.
#[server(prefix = "/fn", endpoint = "my/access_log")]
pub async fn access_log(
    agency: Option<String>,
    decision: Option<Decision>,
    before: Option<i64>,
    lang: Lang,
) -> Result<AccessPage, AppError> {
    let session = crate::backend::require_session()?;
    let filter = domain::decision::AccessFilter {
        agency,
        decision,
        before,
    };
    let pool = crate::backend::backend()?.pool;
    let page = store::decision_log::page(&pool, &session.user.id, &filter, lang).await;
    Ok(page?)
}

/// The latest few entries of the signed-in resident's access log, newest first (the
/// summary on `/my`).
#[server(prefix = "/fn", endpoint = "my/access_log/recent")]
pub async fn recent_access(lang: Lang) -> Result<Vec<AccessEntry>, AppError> {
    let session = crate::backend::require_session()?;
    let pool = crate::backend::backend()?.pool;
    let filter = domain::decision::AccessFilter::default();
    let size = domain::decision::RECENT_ACCESS;
    let (entries, _) = store::decision_log::entries(&pool, &session.user.id, &filter, size, lang).await?;
    Ok(entries)
}

/// The proof that entry `index` of the ledger, one of the signed-in resident's own (a
/// decision that named them, a consent or enrollment event of theirs), is in the log the
/// city signed. Anyone else's entry is not found.
#[server(prefix = "/fn", endpoint = "my/ledger/proof")]
pub async fn entry_proof(index: i64) -> Result<domain::ledger::EntryProof, AppError> {
    use domain::ledger::{EntryProof, ProvenIn, to_hex, verify_inclusion};
    let session = crate::backend::require_session()?;
    let backend = crate::backend::backend()?;
    let pool = &backend.pool;
    let entry = store::ledger::entry_owner(pool, index, &session.user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let leaf = entry.leaf_hash();
    let checkpoint = backend.keeper.latest(pool).await?;
    let covered = checkpoint.filter(|c| c.size > index);
    let proven_in = match covered {
        None => None,
        Some(c) => {
            let size = u64::try_from(c.size).unwrap_or(0);
            let idx = u64::try_from(index).unwrap_or(u64::MAX);
            let proof = store::ledger::prove_inclusion(pool, idx, size).await?;
            let root = domain::ledger::from_hex(&c.root);
            proof.map(|p| ProvenIn {
                tree_size: size,
                root_hash: c.root.clone(),
                signed_at: store::rfc3339_us(c.at_us),
                note: c.note.clone(),
                verified: root
                    .is_some_and(|r| p.leaf_hash == leaf && verify_inclusion(&leaf, idx, size, &p.path, &r)),
                audit_path: p.path.iter().map(to_hex).collect(),
            })
        }
    };
    Ok(EntryProof {
        index,
        log: entry.source(),
        entry: entry.canonical(),
        leaf_hash: to_hex(&leaf),
        proven_in,
    })
}
