//! What the pages and server functions need from storage, as traits the server implements.
//!
//! The `app` crate knows no SQL: the server crate owns storage and hands an implementation
//! of these traits to every request through Leptos' context.

use crate::domain::account::{AuthError, CurrentUser};
use crate::domain::lang::Lang;
use crate::domain::register::{Agency, Slug, System};
use std::net::IpAddr;
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

/// What a new resident signs up with (validated by the service). No `Debug`: it holds a password.
#[derive(Clone)]
pub struct SignUp {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub lang: Lang,
}

/// A `Set-Cookie` header value the server function must send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie(pub String);

/// The signed-in session of a request, put in the request's extensions by the server.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: CurrentUser,
    /// The stored digest of the session id, to end this session.
    pub digest: String,
}

/// Accounts and sessions.
#[async_trait::async_trait]
pub trait AccountService: Send + Sync + 'static {
    /// Creates a resident account and signs it in.
    async fn sign_up(&self, input: SignUp) -> Result<SetCookie, AuthError>;
    /// Checks credentials and starts a new session.
    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> Result<SetCookie, AuthError>;
    /// Ends the session; the returned cookie clears it in the browser.
    async fn sign_out(&self, session: &Session) -> Result<SetCookie, AuthError>;
    /// Replaces the password after checking the current one; ends every session and starts a new one.
    async fn change_password(
        &self,
        session: &Session,
        current: &str,
        new: &str,
    ) -> Result<SetCookie, AuthError>;
    /// Deletes the account after checking the password; ends every session.
    async fn delete_account(&self, session: &Session, password: &str) -> Result<SetCookie, AuthError>;
}

/// The storage every request can reach, provided as Leptos context.
#[derive(Clone)]
pub struct Services {
    /// The register of city systems.
    pub register: Arc<dyn RegisterStore>,
    /// Accounts and sessions.
    pub accounts: Arc<dyn AccountService>,
}
