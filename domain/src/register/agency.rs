//! Agencies: the city's controllers of the systems they run.

use super::slug::Slug;
use crate::text::LocalizedText;
use serde::{Deserialize, Serialize};

/// An agency of the city: the controller of the systems it runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agency {
    /// Its identifier in URLs and the API.
    pub slug: Slug,
    /// A public authority cannot rely on legitimate interests for its tasks.
    pub public_authority: bool,
    /// Its name.
    pub name: LocalizedText,
    /// What it does.
    pub description: LocalizedText,
    /// Its data protection officer's address.
    pub dpo_email: String,
    /// Its website.
    pub website: String,
}

/// An agency as offered in the register's filter, name in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyOption {
    pub slug: String,
    pub name: String,
}
