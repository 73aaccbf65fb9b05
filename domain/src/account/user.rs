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
