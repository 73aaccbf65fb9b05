//! What the pages and server functions need from storage, as traits the server implements.
//!
//! The `app` crate knows no SQL: the server crate owns storage and hands an implementation
//! of these traits to every request through Leptos' context.

use crate::domain::register::{Agency, Slug, System};
use std::sync::Arc;

/// Storage failed; the cause is logged by whoever reports it, never shown to a resident.
#[derive(Debug, thiserror::Error)]
#[error("storage failed: {0}")]
pub struct StoreError(#[source] pub Box<dyn std::error::Error + Send + Sync>);

impl StoreError {
    /// Wraps any storage-layer error.
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError(Box::new(e))
    }
}

/// Reading the public register.
#[async_trait::async_trait]
pub trait RegisterStore: Send + Sync + 'static {
    /// Every system with its agency and purposes.
    async fn systems(&self) -> Result<Vec<System>, StoreError>;
    /// One system, or `None` if no system has that slug.
    async fn system(&self, slug: &Slug) -> Result<Option<System>, StoreError>;
    /// Every agency.
    async fn agencies(&self) -> Result<Vec<Agency>, StoreError>;
    /// The city's name, if one was recorded.
    async fn city_name(&self) -> Result<Option<crate::domain::text::LocalizedText>, StoreError>;
}

/// The storage every request can reach, provided as Leptos context.
#[derive(Clone)]
pub struct Services {
    /// The register of city systems.
    pub register: Arc<dyn RegisterStore>,
}
