//! The one error of storage.

/// Storage failed: the database refused, or a row holds something the domain does not
/// accept. The cause is logged by whoever reports it, never shown to a resident.
#[derive(Debug, thiserror::Error)]
#[error("storage failed: {0}")]
pub struct StoreError(#[from] pub sqlx::Error);
