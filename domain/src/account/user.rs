//! The signed-in person, as pages and server functions see them.

use super::role::Role;
use serde::{Deserialize, Serialize};

/// The person behind a request's session, as pages and server functions see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub resident_number: String,
    pub lang: crate::lang::Lang,
}

/// One of a person's signed-in sessions, as their sessions page lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionView {
    /// What names the session to end it (a digest of its id, not the id).
    pub id: String,
    /// When it was signed in (RFC 3339, UTC).
    pub signed_in_at: String,
    /// When it was last used (to the minute).
    pub last_used_at: String,
    /// Whether it is the session reading the page.
    pub current: bool,
}
