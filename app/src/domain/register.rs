//! The public register: agencies, the systems they run, purposes and data categories.
//!
//! The vocabularies here (legal bases, technologies, data categories) are fixed taxonomies:
//! the database, the demo city, the API and the interface all use these codes.

use super::lang::Lang;
use super::text::LocalizedText;
use serde::{Deserialize, Serialize};
use std::fmt;

pub use super::vocabulary::UnknownCode;
use crate::vocabulary;

vocabulary! {
    /// The lawful basis of a purpose (GDPR Art. 6(1)); every purpose names exactly one.
    LegalBasis {
        /// (a) the resident has given consent.
        Consent => "consent",
        /// (b) necessary for a contract with the resident.
        Contract => "contract",
        /// (c) necessary to comply with a legal obligation.
        LegalObligation => "legal_obligation",
        /// (d) necessary to protect someone's vital interests.
        VitalInterests => "vital_interests",
        /// (e) necessary for a task in the public interest or official authority.
        PublicTask => "public_task",
        /// (f) legitimate interests; not available to public authorities for their tasks.
        LegitimateInterests => "legitimate_interests",
    }
}

vocabulary! {
    /// The kind of technology a system is, after the DTPR signage taxonomy.
    Technology {
        Cctv => "cctv",
        FacialRecognition => "facial_recognition",
        LicencePlateReader => "licence_plate_reader",
        TrafficSensor => "traffic_sensor",
        EnvironmentalSensor => "environmental_sensor",
        SmartMeter => "smart_meter",
        FareCard => "fare_card",
        OnlineService => "online_service",
        WirelessNetwork => "wireless_network",
        Algorithm => "algorithm",
    }
}

vocabulary! {
    /// The categories of personal data a purpose uses: one fixed taxonomy for the whole city.
    DataCategory {
        Identity => "identity",
        Contact => "contact",
        Location => "location",
        ImagesVideo => "images_video",
        Biometric => "biometric",
        Health => "health",
        Vehicle => "vehicle",
        Financial => "financial",
        UsageBehaviour => "usage_behaviour",
        DeviceNetwork => "device_network",
        Education => "education",
    }
}

vocabulary! {
    /// Where a system stands in its life.
    SystemStatus {
        Planned => "planned",
        Active => "active",
        Retired => "retired",
    }
}

vocabulary! {
    /// Whose data a system can hold.
    Scope {
        /// It may capture anyone in a public place (cameras, sensors, public Wi-Fi).
        PublicSpace => "public_space",
        /// It holds data of residents enrolled with it (cards, accounts, meters).
        Enrolment => "enrolment",
    }
}

impl DataCategory {
    /// Whether this is a special category of personal data (GDPR Art. 9).
    pub fn is_special(self) -> bool {
        matches!(self, DataCategory::Biometric | DataCategory::Health)
    }
}

impl LegalBasis {
    /// Whether a resident's choice decides this purpose (only for `consent`).
    pub fn needs_consent(self) -> bool {
        self == LegalBasis::Consent
    }
}

/// A short identifier made of lowercase ASCII letters, digits and single hyphens.
/// Used for agency and system slugs and for purpose keys, which appear in URLs and the API.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

/// Why a string is not a valid [`Slug`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a valid identifier: use 1 to 64 lowercase letters, digits and single hyphens")]
pub struct InvalidSlug(pub String);

impl Slug {
    /// Longest accepted slug.
    pub const MAX_LEN: usize = 64;

    /// Validates `s` as a slug.
    pub fn parse(s: &str) -> Result<Slug, InvalidSlug> {
        let well_formed = !s.is_empty()
            && s.len() <= Self::MAX_LEN
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if well_formed {
            Ok(Slug(s.to_owned()))
        } else {
            Err(InvalidSlug(s.to_owned()))
        }
    }

    /// The slug as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = InvalidSlug;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Slug::parse(&s)
    }
}

impl From<Slug> for String {
    fn from(s: Slug) -> String {
        s.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

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

/// An agency as offered in the register's filter, name in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyOption {
    pub slug: String,
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back_to_its_value() {
        for basis in LegalBasis::ALL {
            assert_eq!(basis.code().parse::<LegalBasis>(), Ok(*basis));
        }
        for category in DataCategory::ALL {
            assert_eq!(category.code().parse::<DataCategory>(), Ok(*category));
        }
        for technology in Technology::ALL {
            assert_eq!(technology.code().parse::<Technology>(), Ok(*technology));
        }
    }

    #[test]
    fn an_unknown_code_names_its_vocabulary() {
        let err = "fingerprint".parse::<DataCategory>().unwrap_err();
        assert_eq!(err.to_string(), "unknown DataCategory \"fingerprint\"");
    }

    #[test]
    fn only_biometric_and_health_are_special_categories() {
        let special: Vec<_> = DataCategory::ALL.iter().filter(|c| c.is_special()).collect();
        assert_eq!(special, [&DataCategory::Biometric, &DataCategory::Health]);
    }

    #[test]
    fn the_six_legal_bases_of_article_6_exist() {
        assert_eq!(LegalBasis::ALL.len(), 6);
        assert!(LegalBasis::Consent.needs_consent());
        assert!(!LegalBasis::PublicTask.needs_consent());
    }

    #[test]
    fn slugs_accept_lowercase_words_joined_by_hyphens() {
        assert!(Slug::parse("downtown-cctv-2").is_ok());
    }

    #[test]
    fn slugs_reject_everything_else() {
        for bad in [
            "",
            "Downtown",
            "a b",
            "-a",
            "a-",
            "a--b",
            "ä",
            "a/b",
            &"a".repeat(65),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
