//! Systems and purposes as a resident reads them, texts in one language.

use super::taxonomy::{DataCategory, LegalBasis, Scope, SystemStatus, Technology};
use serde::{Deserialize, Serialize};

/// A system as listed in the register, texts in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemSummary {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub agency_slug: String,
    pub agency_name: String,
    pub technology: Technology,
    pub status: SystemStatus,
    pub legal_bases: Vec<LegalBasis>,
    pub categories: Vec<DataCategory>,
}

/// A purpose as a resident reads it, texts in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurposeView {
    pub key: String,
    pub legal_basis: LegalBasis,
    pub categories: Vec<DataCategory>,
    pub name: String,
    pub description: String,
    /// A public authority relying on legitimate interests: flagged for the resident.
    pub basis_needs_review: bool,
}

/// Everything about one system as a resident reads it, texts in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemView {
    pub summary: SystemSummary,
    pub agency_description: String,
    pub dpo_email: String,
    pub agency_website: String,
    pub scope: Scope,
    pub identifies_people: bool,
    pub algorithmic_decisions: bool,
    pub reviewed_on: String,
    pub retention_days: Option<i64>,
    pub location: String,
    pub data_subjects: String,
    pub retention: String,
    pub access: String,
    pub recipients: String,
    pub transfers: String,
    pub security: String,
    pub algorithm: Option<String>,
    pub purposes: Vec<PurposeView>,
}
