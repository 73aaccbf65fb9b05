//! Searching and filtering the register.
//!
//! The register of a city holds hundreds of systems at most, so it is filtered in memory
//! after one load: that keeps the matching rules (every word, any accent, any case, in the
//! reader's language or the default one) in one tested place instead of in two SQL dialects.

use super::register::{DataCategory, LegalBasis, Slug, System, Technology, UnknownCode};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// What a resident asked the register for. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterFilter {
    /// Free text; every word must appear somewhere in the system's texts.
    pub text: String,
    pub agency: Option<Slug>,
    pub technology: Option<Technology>,
    pub legal_basis: Option<LegalBasis>,
    pub category: Option<DataCategory>,
}

/// Which filter field held a value that is not one of its options.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("unknown agency {0:?}")]
    Agency(String),
    #[error(transparent)]
    Code(#[from] UnknownCode),
}

impl RegisterFilter {
    /// Longest free-text query considered; the rest is ignored.
    pub const MAX_TEXT: usize = 200;

    /// Builds a filter from raw form values, where "" means "any".
    pub fn parse(
        text: &str,
        agency: &str,
        technology: &str,
        legal_basis: &str,
        category: &str,
    ) -> Result<RegisterFilter, FilterError> {
        let agency = non_empty(agency)
            .map(|a| Slug::parse(a).map_err(|_| FilterError::Agency(a.to_owned())))
            .transpose()?;
        Ok(RegisterFilter {
            text: text.trim().chars().take(Self::MAX_TEXT).collect(),
            agency,
            technology: non_empty(technology).map(str::parse).transpose()?,
            legal_basis: non_empty(legal_basis).map(str::parse).transpose()?,
            category: non_empty(category).map(str::parse).transpose()?,
        })
    }

    /// Whether `system` passes every filter; free text is matched in every language.
    pub fn matches(&self, system: &System) -> bool {
        self.agency.as_ref().is_none_or(|a| *a == system.agency.slug)
            && self.technology.is_none_or(|t| t == system.technology)
            && self.legal_basis.is_none_or(|b| system.legal_bases().contains(&b))
            && self.category.is_none_or(|c| system.categories().contains(&c))
            && self.matches_text(system)
    }

    fn matches_text(&self, system: &System) -> bool {
        let words: Vec<String> = fold(&self.text).split_whitespace().map(str::to_owned).collect();
        if words.is_empty() {
            return true;
        }
        let haystack = fold(&searchable_text(system));
        words.iter().all(|w| haystack.contains(w.as_str()))
    }
}

fn non_empty(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

/// Everything a resident might search a system by, in every language it is written in: a
/// resident reading in one language may well search with a word from the other.
fn searchable_text(system: &System) -> String {
    let mut parts: Vec<&str> = vec![system.slug.as_str(), system.technology.code()];
    let texts = [
        &system.name,
        &system.description,
        &system.location,
        &system.agency.name,
    ];
    let purpose_texts = system.purposes.iter().flat_map(|p| [&p.name, &p.description]);
    for text in texts.into_iter().chain(purpose_texts) {
        parts.extend(text.iter().map(|(_, t)| t));
    }
    parts.join("\n")
}

/// Lowercases and strips accents, so "camara" finds "Cámara" and "CCTV" finds "cctv".
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use crate::register::{Agency, Purpose, Scope, SystemStatus};
    use crate::text::LocalizedText;

    fn text(en: &str, es: &str) -> LocalizedText {
        LocalizedText::new([(Lang::En, en.to_owned()), (Lang::Es, es.to_owned())])
    }

    fn system(slug: &str, agency: &str, technology: Technology, basis: LegalBasis) -> System {
        let empty = LocalizedText::default();
        System {
            slug: Slug::parse(slug).unwrap(),
            agency: Agency {
                slug: Slug::parse(agency).unwrap(),
                public_authority: true,
                name: text("Transit Authority", "Autoridad de Tránsito"),
                description: empty.clone(),
                dpo_email: String::new(),
                website: String::new(),
            },
            technology,
            status: SystemStatus::Active,
            scope: Scope::PublicSpace,
            identifies_people: true,
            algorithmic_decisions: false,
            reviewed_on: "2026-01-01".into(),
            retention_days: None,
            name: text("Station cameras", "Cámaras de estación"),
            description: empty.clone(),
            location: text("Central Station", "Estación Central"),
            data_subjects: empty.clone(),
            retention: empty.clone(),
            access: empty.clone(),
            recipients: empty.clone(),
            transfers: empty.clone(),
            security: empty.clone(),
            algorithm: None,
            purposes: vec![Purpose {
                key: Slug::parse("safety").unwrap(),
                legal_basis: basis,
                categories: vec![DataCategory::ImagesVideo],
                name: text("Passenger safety", "Seguridad de pasajeros"),
                description: empty,
            }],
        }
    }

    fn filter(text: &str, agency: &str, tech: &str, basis: &str, cat: &str) -> RegisterFilter {
        RegisterFilter::parse(text, agency, tech, basis, cat).unwrap()
    }

    #[test]
    fn an_empty_filter_matches_everything() {
        let s = system("cams", "transit", Technology::Cctv, LegalBasis::PublicTask);
        assert!(RegisterFilter::default().matches(&s));
    }

    #[test]
    fn text_ignores_case_and_accents_and_needs_every_word() {
        let s = system("cams", "transit", Technology::Cctv, LegalBasis::PublicTask);
        assert!(filter("CAMARAS estacion", "", "", "", "").matches(&s));
        assert!(filter("cámaras", "", "", "", "").matches(&s));
        assert!(!filter("cameras library", "", "", "", "").matches(&s));
    }

    #[test]
    fn words_from_either_language_are_found() {
        let s = system("cams", "transit", Technology::Cctv, LegalBasis::PublicTask);
        assert!(filter("passenger", "", "", "", "").matches(&s));
    }

    #[test]
    fn each_filter_excludes_systems_that_do_not_match_it() {
        let s = system("cams", "transit", Technology::Cctv, LegalBasis::PublicTask);
        assert!(filter("", "transit", "cctv", "public_task", "images_video").matches(&s));
        assert!(!filter("", "police", "", "", "").matches(&s));
        assert!(!filter("", "", "smart_meter", "", "").matches(&s));
        assert!(!filter("", "", "", "consent", "").matches(&s));
        assert!(!filter("", "", "", "", "health").matches(&s));
    }

    #[test]
    fn unknown_filter_values_are_errors_not_ignored() {
        assert!(RegisterFilter::parse("", "", "toaster", "", "").is_err());
        assert!(RegisterFilter::parse("", "Not A Slug", "", "", "").is_err());
        assert!(RegisterFilter::parse("", "", "", "whim", "").is_err());
    }

    #[test]
    fn overlong_text_is_cut() {
        let long = "a".repeat(1000);
        assert_eq!(filter(&long, "", "", "", "").text.len(), RegisterFilter::MAX_TEXT);
    }
}
