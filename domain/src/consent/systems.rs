//! The systems that hold (or may hold) a resident's data, and what applies to each purpose,
//! in the resident's language.

use crate::decision::ConsentState;
use crate::register::{DataCategory, LegalBasis, Scope, Technology};
use serde::{Deserialize, Serialize};

/// One purpose of a system as it applies to the signed-in resident, in their language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyPurpose {
    pub key: String,
    pub name: String,
    pub description: String,
    pub legal_basis: LegalBasis,
    pub categories: Vec<DataCategory>,
    /// The resident's consent; only meaningful when the basis is consent.
    pub consent: ConsentState,
    /// The version of the notice (name and description) shown here.
    pub notice_version: i64,
    /// When the resident's grant was made on a notice the purpose has since changed
    /// materially: what changed (empty otherwise). Such a grant no longer permits.
    pub changed_since_consent: Vec<super::MaterialChange>,
    /// The data categories added since the resident's grant.
    pub categories_added: Vec<DataCategory>,
}

impl MyPurpose {
    /// Whether the resident's choice decides this purpose (grant and withdraw apply).
    pub fn is_choice(&self) -> bool {
        self.legal_basis.needs_consent()
    }

    /// Whether the resident must choose again: their grant predates a material change.
    pub fn needs_reconsent(&self) -> bool {
        !self.changed_since_consent.is_empty()
    }
}

/// A system that holds (or may hold) the resident's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MySystem {
    pub slug: String,
    pub name: String,
    pub agency_name: String,
    pub technology: Technology,
    pub scope: Scope,
    /// The resident is enrolled with it (it holds their data by name).
    pub enrolled: bool,
    pub purposes: Vec<MyPurpose>,
}
