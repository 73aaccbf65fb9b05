//! Systems and their purposes, as the register holds them, and how a system reads in one
//! language.

use super::agency::Agency;
use super::slug::Slug;
use super::taxonomy::{DataCategory, LegalBasis, Scope, SystemStatus, Technology};
use super::view::{PurposeView, SystemSummary, SystemView};
use crate::lang::Lang;
use crate::text::LocalizedText;
use serde::{Deserialize, Serialize};

/// One purpose a system processes personal data for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Purpose {
    /// Unique within its system.
    pub key: Slug,
    /// The one legal basis it relies on.
    pub legal_basis: LegalBasis,
    /// The data categories it uses, in taxonomy order, without duplicates.
    pub categories: Vec<DataCategory>,
    /// A short name.
    pub name: LocalizedText,
    /// What is done and why.
    pub description: LocalizedText,
}

/// Everything the register holds about one system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct System {
    pub slug: Slug,
    pub agency: Agency,
    pub technology: Technology,
    pub status: SystemStatus,
    pub scope: Scope,
    pub identifies_people: bool,
    pub algorithmic_decisions: bool,
    /// The date (YYYY-MM-DD) the entry was last reviewed.
    pub reviewed_on: String,
    /// A fixed retention period in days, if one can be given.
    pub retention_days: Option<i64>,
    pub name: LocalizedText,
    pub description: LocalizedText,
    pub location: LocalizedText,
    pub data_subjects: LocalizedText,
    pub retention: LocalizedText,
    pub access: LocalizedText,
    pub recipients: LocalizedText,
    pub transfers: LocalizedText,
    pub security: LocalizedText,
    /// What an algorithm decides, when it decides anything.
    pub algorithm: Option<LocalizedText>,
    pub purposes: Vec<Purpose>,
}

impl System {
    /// The categories all its purposes use, in taxonomy order, without duplicates.
    pub fn categories(&self) -> Vec<DataCategory> {
        let mut all: Vec<DataCategory> = self
            .purposes
            .iter()
            .flat_map(|p| p.categories.iter().copied())
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// The legal bases its purposes rely on, in vocabulary order, without duplicates.
    pub fn legal_bases(&self) -> Vec<LegalBasis> {
        let mut all: Vec<LegalBasis> = self.purposes.iter().map(|p| p.legal_basis).collect();
        all.sort();
        all.dedup();
        all
    }

    /// Whether a public authority relies on legitimate interests for one of these purposes,
    /// which GDPR Art. 6(1)(f) does not allow for the tasks of public authorities.
    pub fn purpose_needs_basis_review(&self, purpose: &Purpose) -> bool {
        self.agency.public_authority && purpose.legal_basis == LegalBasis::LegitimateInterests
    }

    /// The system as a resident reads it, in one language.
    pub fn view(&self, lang: Lang) -> SystemView {
        SystemView {
            summary: self.summary(lang),
            agency_description: self.agency.description.get(lang).to_owned(),
            dpo_email: self.agency.dpo_email.clone(),
            agency_website: self.agency.website.clone(),
            scope: self.scope,
            identifies_people: self.identifies_people,
            algorithmic_decisions: self.algorithmic_decisions,
            reviewed_on: self.reviewed_on.clone(),
            retention_days: self.retention_days,
            location: self.location.get(lang).to_owned(),
            data_subjects: self.data_subjects.get(lang).to_owned(),
            retention: self.retention.get(lang).to_owned(),
            access: self.access.get(lang).to_owned(),
            recipients: self.recipients.get(lang).to_owned(),
            transfers: self.transfers.get(lang).to_owned(),
            security: self.security.get(lang).to_owned(),
            algorithm: self.algorithm.as_ref().map(|a| a.get(lang).to_owned()),
            purposes: self
                .purposes
                .iter()
                .map(|p| PurposeView {
                    key: p.key.as_str().to_owned(),
                    legal_basis: p.legal_basis,
                    categories: p.categories.clone(),
                    name: p.name.get(lang).to_owned(),
                    description: p.description.get(lang).to_owned(),
                    basis_needs_review: self.purpose_needs_basis_review(p),
                })
                .collect(),
        }
    }

    /// The short form of the system for the register's list, in one language.
    pub fn summary(&self, lang: Lang) -> SystemSummary {
        SystemSummary {
            slug: self.slug.as_str().to_owned(),
            name: self.name.get(lang).to_owned(),
            description: self.description.get(lang).to_owned(),
            agency_slug: self.agency.slug.as_str().to_owned(),
            agency_name: self.agency.name.get(lang).to_owned(),
            technology: self.technology,
            status: self.status,
            legal_bases: self.legal_bases(),
            categories: self.categories(),
        }
    }
}
