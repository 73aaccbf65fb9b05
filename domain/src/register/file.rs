//! The register file: how a city brings its register in and takes it out
//! (`glasshouse register import` / `export`, `GET /api/v1/register/export`).
//!
//! Systems have exactly the fields of `GET /api/v1/register/systems`, with two differences
//! that make the file complete: every text carries all its languages (`{"en": …, "es": …}`),
//! and a system names its agency by slug, the agencies being described once beside the
//! systems. A file may declare the city's languages (`"languages": ["en", "es", "ar"]`);
//! its texts are then held to them (`super::languages`). Checking a file lists every problem
//! (with its path) before anything is written.

use super::{Agency, DataCategory, LegalBasis, Purpose, Scope, Slug, System, SystemStatus, Technology};
use crate::lang::Lang;
use crate::street::{Device, District, Geometry, Position};
use crate::text::LocalizedText;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::str::FromStr;

/// The format this version reads and writes.
pub const REGISTER_FORMAT: &str = "glasshouse-register/1";

/// The file, as written: codes and slugs as text, so each wrong one is reported with its path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterFile {
    pub format: String,
    /// The city's name.
    pub city: LocalizedText,
    /// The languages the city publishes its register in (codes, the default among them).
    /// A file that declares them gives every text in each of them and in no other; a file
    /// without them (an export, a file from before languages were declared) is held only
    /// to the default language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
    pub agencies: Vec<AgencyRecord>,
    pub systems: Vec<SystemRecord>,
    /// The city's districts, whose outlines the map is drawn from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub districts: Vec<DistrictRecord>,
    /// The located devices of public-space systems, each with its sign's short code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<DeviceRecord>,
}

/// A district, as in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistrictRecord {
    pub slug: String,
    pub name: LocalizedText,
    /// `[longitude, latitude]` positions of a closed ring, the first not repeated.
    pub outline: Vec<Position>,
}

/// A device, as in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceRecord {
    pub code: String,
    /// The slug of a public-space system of the file.
    pub system: String,
    pub label: LocalizedText,
    pub geometry: Geometry,
}

/// An agency, as in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyRecord {
    pub slug: String,
    pub name: LocalizedText,
    pub description: LocalizedText,
    pub public_authority: bool,
    pub dpo_email: String,
    pub website: String,
}

/// A system, as in the file: the fields of the open-data register, in its order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemRecord {
    pub slug: String,
    pub name: LocalizedText,
    pub description: LocalizedText,
    /// The agency's slug.
    pub agency: String,
    pub technology: String,
    pub status: String,
    pub scope: String,
    pub identifies_people: bool,
    pub algorithmic_decisions: bool,
    #[serde(default)]
    pub algorithm: Option<LocalizedText>,
    pub location: LocalizedText,
    pub data_subjects: LocalizedText,
    #[serde(default)]
    pub retention_days: Option<i64>,
    pub retention: LocalizedText,
    pub access: LocalizedText,
    pub recipients: LocalizedText,
    pub transfers: LocalizedText,
    pub security: LocalizedText,
    pub reviewed_on: String,
    pub purposes: Vec<PurposeRecord>,
}

/// A purpose, as in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurposeRecord {
    pub key: String,
    pub name: LocalizedText,
    pub description: LocalizedText,
    pub legal_basis: String,
    pub data_categories: Vec<String>,
    /// Derived from the categories; written on export, checked when given.
    #[serde(default)]
    pub special_categories: Option<bool>,
}

/// One thing wrong with a file: where, and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct Problem {
    /// `systems[3].purposes[0].legal_basis`, or `line 12, column 5` for a file that does not parse.
    pub path: String,
    pub message: String,
}

/// A register that passed every check, in domain types.
#[derive(Debug, Clone, PartialEq)]
pub struct Register {
    pub city: LocalizedText,
    pub agencies: Vec<Agency>,
    pub systems: Vec<System>,
    pub districts: Vec<District>,
    pub devices: Vec<Device>,
}

impl RegisterFile {
    /// The file of a register as stored.
    pub fn of(city: &LocalizedText, agencies: &[Agency], systems: &[System]) -> RegisterFile {
        RegisterFile {
            format: REGISTER_FORMAT.to_owned(),
            city: city.clone(),
            languages: None,
            agencies: agencies.iter().map(AgencyRecord::of).collect(),
            systems: systems.iter().map(SystemRecord::of).collect(),
            districts: Vec::new(),
            devices: Vec::new(),
        }
    }

    /// The file with the stored districts and devices beside the register.
    pub fn with_street(mut self, districts: &[District], devices: &[Device]) -> RegisterFile {
        self.districts = districts.iter().map(DistrictRecord::of).collect();
        self.devices = devices.iter().map(DeviceRecord::of).collect();
        self
    }

    /// Reads a file's JSON; a file that does not parse is one problem, at its line and column.
    pub fn from_json(text: &str) -> Result<RegisterFile, Vec<Problem>> {
        serde_json::from_str(text).map_err(|e| {
            vec![Problem {
                path: format!("line {}, column {}", e.line(), e.column()),
                message: e.to_string(),
            }]
        })
    }

    /// The file's JSON, as exported (pretty, with a final newline).
    pub fn to_json(&self) -> String {
        // Strings, booleans, integers and maps with string keys: serialising cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Checks the whole file; every problem is listed, in file order.
    pub fn check(&self) -> Result<Register, Vec<Problem>> {
        let mut problems = Problems::default();
        if self.format != REGISTER_FORMAT {
            problems.add(
                "format",
                format!(
                    "{:?} is not {REGISTER_FORMAT:?}, the format this version reads",
                    self.format
                ),
            );
        }
        problems.required("city", &self.city);
        if let Some(codes) = &self.languages {
            match super::languages::declared_languages(codes) {
                Ok(declared) => problems
                    .0
                    .extend(super::languages::translation_gaps(self, &declared)),
                Err(wrong) => problems.0.extend(wrong),
            }
        }
        let mut agencies = Vec::with_capacity(self.agencies.len());
        let mut agency_slugs = BTreeSet::new();
        for (i, record) in self.agencies.iter().enumerate() {
            let at = format!("agencies[{i}]");
            if let Some(agency) = record.check(&at, &mut problems) {
                if !agency_slugs.insert(agency.slug.clone()) {
                    problems.add(
                        &format!("{at}.slug"),
                        format!("agency {} appears twice", agency.slug),
                    );
                }
                agencies.push(agency);
            }
        }
        let mut systems = Vec::with_capacity(self.systems.len());
        let mut system_slugs = BTreeSet::new();
        for (i, record) in self.systems.iter().enumerate() {
            let at = format!("systems[{i}]");
            let agency = agencies.iter().find(|a| a.slug.as_str() == record.agency);
            if agency.is_none() {
                problems.add(
                    &format!("{at}.agency"),
                    format!("no agency of the file has the slug {:?}", record.agency),
                );
            }
            if let Some(system) = record.check(&at, agency, &mut problems) {
                if !system_slugs.insert(system.slug.clone()) {
                    problems.add(
                        &format!("{at}.slug"),
                        format!("system {} appears twice", system.slug),
                    );
                }
                systems.push(system);
            }
        }
        let districts = self.check_districts(&mut problems);
        let devices = self.check_devices(&mut problems);
        problems.finish(Register {
            city: self.city.clone(),
            agencies,
            systems,
            districts,
            devices,
        })
    }

    fn check_districts(&self, problems: &mut Problems) -> Vec<District> {
        let mut districts: Vec<District> = Vec::with_capacity(self.districts.len());
        for (i, record) in self.districts.iter().enumerate() {
            let at = format!("districts[{i}]");
            let slug = problems.slug(&format!("{at}.slug"), &record.slug);
            problems.required(&format!("{at}.name"), &record.name);
            if let Some(problem) = crate::street::outline_problem(&record.outline) {
                problems.add(&format!("{at}.outline"), problem);
            }
            let Some(slug) = slug else { continue };
            if districts.iter().any(|d| d.slug == slug) {
                problems.add(&format!("{at}.slug"), format!("district {slug} appears twice"));
            }
            districts.push(District {
                slug,
                name: record.name.clone(),
                outline: record.outline.clone(),
            });
        }
        districts
    }

    fn check_devices(&self, problems: &mut Problems) -> Vec<Device> {
        // Against the file's systems as written, so a system with a problem of its own does
        // not make each of its devices a problem too.
        let systems: Vec<(&str, &str)> = self
            .systems
            .iter()
            .map(|s| (s.slug.as_str(), s.scope.as_str()))
            .collect();
        let mut devices: Vec<Device> = Vec::with_capacity(self.devices.len());
        for (i, record) in self.devices.iter().enumerate() {
            let at = format!("devices[{i}]");
            if let Some(device) = record.check(&at, &systems, problems) {
                if devices.iter().any(|d| d.code == device.code) {
                    problems.add(
                        &format!("{at}.code"),
                        format!("device {} appears twice", device.code),
                    );
                }
                devices.push(device);
            }
        }
        devices
    }
}

impl DistrictRecord {
    /// The record of a district as stored.
    pub fn of(d: &District) -> DistrictRecord {
        DistrictRecord {
            slug: d.slug.to_string(),
            name: d.name.clone(),
            outline: d.outline.clone(),
        }
    }
}

impl DeviceRecord {
    /// The record of a device as stored.
    pub fn of(d: &Device) -> DeviceRecord {
        DeviceRecord {
            code: d.code.to_string(),
            system: d.system.to_string(),
            label: d.label.clone(),
            geometry: d.geometry.clone(),
        }
    }

    /// Checks one device (an officer's form) against the stored systems: every problem,
    /// with paths relative to the device (`code`, `label.en`, `geometry`).
    pub fn check_one(&self, systems: &[System]) -> Result<Device, Vec<Problem>> {
        let mut problems = Problems::default();
        let systems: Vec<(&str, &str)> = systems
            .iter()
            .map(|s| (s.slug.as_str(), s.scope.code()))
            .collect();
        match self.check("", &systems, &mut problems) {
            Some(device) => problems.finish(device),
            None => Err(problems.0),
        }
    }

    /// Checks the device against `systems`: each one's slug and scope code.
    fn check(&self, at: &str, systems: &[(&str, &str)], problems: &mut Problems) -> Option<Device> {
        let p = |field: &str| {
            if at.is_empty() {
                field.to_owned()
            } else {
                format!("{at}.{field}")
            }
        };
        let code = crate::street::DeviceCode::parse(&self.code)
            .map_err(|e| problems.add(&p("code"), e.to_string()))
            .ok();
        let system = systems.iter().find(|(slug, _)| *slug == self.system);
        match system {
            None => problems.add(&p("system"), format!("no system has the slug {:?}", self.system)),
            Some((slug, scope)) if *scope != Scope::PublicSpace.code() => problems.add(
                &p("system"),
                format!("system {slug} is not in public space: only public-space systems have devices"),
            ),
            Some(_) => {}
        }
        let system = system.and_then(|(slug, _)| Slug::parse(slug).ok());
        problems.required(&p("label"), &self.label);
        if let Some(problem) = self.geometry.problem() {
            problems.add(&p("geometry"), problem);
        }
        Some(Device {
            code: code?,
            system: system?,
            label: self.label.clone(),
            geometry: self.geometry.clone(),
        })
    }
}

impl AgencyRecord {
    /// The record of an agency as stored.
    pub fn of(a: &Agency) -> AgencyRecord {
        AgencyRecord {
            slug: a.slug.to_string(),
            name: a.name.clone(),
            description: a.description.clone(),
            public_authority: a.public_authority,
            dpo_email: a.dpo_email.clone(),
            website: a.website.clone(),
        }
    }

    /// Checks one agency (an officer's form): every problem, with paths relative to it.
    pub fn check_one(&self) -> Result<Agency, Vec<Problem>> {
        let mut problems = Problems::default();
        match self.check("", &mut problems) {
            Some(agency) => problems.finish(agency),
            None => Err(problems.0),
        }
    }

    fn check(&self, at: &str, problems: &mut Problems) -> Option<Agency> {
        let p = |field: &str| {
            if at.is_empty() {
                field.to_owned()
            } else {
                format!("{at}.{field}")
            }
        };
        let slug = problems.slug(&p("slug"), &self.slug);
        problems.required(&p("name"), &self.name);
        problems.texts(&p("description"), &self.description);
        let email = self.dpo_email.trim();
        if !email.contains('@') || email.contains(char::is_whitespace) || email.len() > 254 {
            problems.add(&p("dpo_email"), format!("{email:?} is not an email address"));
        }
        if !(self.website.starts_with("https://") || self.website.starts_with("http://")) {
            problems.add(
                &p("website"),
                format!("{:?} is not a web address (http:// or https://)", self.website),
            );
        }
        Some(Agency {
            slug: slug?,
            public_authority: self.public_authority,
            name: self.name.clone(),
            description: self.description.clone(),
            dpo_email: email.to_owned(),
            website: self.website.clone(),
        })
    }
}

impl SystemRecord {
    /// The record of a system as stored.
    pub fn of(s: &System) -> SystemRecord {
        SystemRecord {
            slug: s.slug.to_string(),
            name: s.name.clone(),
            description: s.description.clone(),
            agency: s.agency.slug.to_string(),
            technology: s.technology.code().to_owned(),
            status: s.status.code().to_owned(),
            scope: s.scope.code().to_owned(),
            identifies_people: s.identifies_people,
            algorithmic_decisions: s.algorithmic_decisions,
            algorithm: s.algorithm.clone(),
            location: s.location.clone(),
            data_subjects: s.data_subjects.clone(),
            retention_days: s.retention_days,
            retention: s.retention.clone(),
            access: s.access.clone(),
            recipients: s.recipients.clone(),
            transfers: s.transfers.clone(),
            security: s.security.clone(),
            reviewed_on: s.reviewed_on.clone(),
            purposes: s.purposes.iter().map(PurposeRecord::of).collect(),
        }
    }

    /// Checks one system (an officer's form) against the stored agencies: every problem,
    /// with paths relative to the system (`name.en`, `purposes[1].legal_basis`).
    pub fn check_one(&self, agencies: &[Agency]) -> Result<System, Vec<Problem>> {
        let mut problems = Problems::default();
        let agency = agencies.iter().find(|a| a.slug.as_str() == self.agency);
        if agency.is_none() {
            problems.add("agency", format!("no agency has the slug {:?}", self.agency));
        }
        let system = self.check("", agency, &mut problems);
        match system {
            Some(system) => problems.finish(system),
            None => Err(problems.0),
        }
    }

    fn check(&self, at: &str, agency: Option<&Agency>, problems: &mut Problems) -> Option<System> {
        let p = |field: &str| {
            if at.is_empty() {
                field.to_owned()
            } else {
                format!("{at}.{field}")
            }
        };
        let slug = problems.slug(&p("slug"), &self.slug);
        let technology: Option<Technology> = problems.code(&p("technology"), &self.technology);
        let status: Option<SystemStatus> = problems.code(&p("status"), &self.status);
        let scope: Option<Scope> = problems.code(&p("scope"), &self.scope);
        problems.required(&p("name"), &self.name);
        problems.required(&p("description"), &self.description);
        problems.required(&p("retention"), &self.retention);
        for (field, text) in [
            ("location", &self.location),
            ("data_subjects", &self.data_subjects),
            ("access", &self.access),
            ("recipients", &self.recipients),
            ("transfers", &self.transfers),
            ("security", &self.security),
        ] {
            problems.texts(&p(field), text);
        }
        if self.algorithmic_decisions != self.algorithm.as_ref().is_some_and(|a| !a.is_empty()) {
            problems.add(
                &p("algorithm"),
                "say what the algorithm decides exactly when algorithmic_decisions is true".to_owned(),
            );
        }
        if self.retention_days.is_some_and(|d| d < 0) {
            problems.add(
                &p("retention_days"),
                "a retention period cannot be negative".to_owned(),
            );
        }
        if crate::calendar::Date::from_str(&self.reviewed_on).is_err() {
            problems.add(
                &p("reviewed_on"),
                format!("{:?} is not a date (YYYY-MM-DD)", self.reviewed_on),
            );
        }
        if self.purposes.is_empty() {
            problems.add(&p("purposes"), "a system needs at least one purpose".to_owned());
        }
        let mut keys = BTreeSet::new();
        let mut purposes = Vec::with_capacity(self.purposes.len());
        for (i, record) in self.purposes.iter().enumerate() {
            let at = p(&format!("purposes[{i}]"));
            if let Some(purpose) = record.check(&at, problems) {
                if !keys.insert(purpose.key.clone()) {
                    problems.add(
                        &format!("{at}.key"),
                        format!("purpose {} appears twice", purpose.key),
                    );
                }
                purposes.push(purpose);
            }
        }
        Some(System {
            slug: slug?,
            agency: agency?.clone(),
            technology: technology?,
            status: status?,
            scope: scope?,
            identifies_people: self.identifies_people,
            algorithmic_decisions: self.algorithmic_decisions,
            reviewed_on: self.reviewed_on.clone(),
            retention_days: self.retention_days,
            name: self.name.clone(),
            description: self.description.clone(),
            location: self.location.clone(),
            data_subjects: self.data_subjects.clone(),
            retention: self.retention.clone(),
            access: self.access.clone(),
            recipients: self.recipients.clone(),
            transfers: self.transfers.clone(),
            security: self.security.clone(),
            algorithm: self.algorithm.clone().filter(|a| !a.is_empty()),
            purposes,
        })
    }
}

impl PurposeRecord {
    fn of(p: &Purpose) -> PurposeRecord {
        PurposeRecord {
            key: p.key.to_string(),
            name: p.name.clone(),
            description: p.description.clone(),
            legal_basis: p.legal_basis.code().to_owned(),
            data_categories: p.categories.iter().map(|c| c.code().to_owned()).collect(),
            special_categories: Some(p.categories.iter().any(|c| c.is_special())),
        }
    }

    fn check(&self, at: &str, problems: &mut Problems) -> Option<Purpose> {
        let key = problems.slug(&format!("{at}.key"), &self.key);
        let legal_basis: Option<LegalBasis> = problems.code(&format!("{at}.legal_basis"), &self.legal_basis);
        problems.required(&format!("{at}.name"), &self.name);
        problems.required(&format!("{at}.description"), &self.description);
        if self.data_categories.is_empty() {
            problems.add(
                &format!("{at}.data_categories"),
                "a purpose declares at least one data category".to_owned(),
            );
        }
        let mut categories = Vec::with_capacity(self.data_categories.len());
        for (i, code) in self.data_categories.iter().enumerate() {
            let category: Option<DataCategory> = problems.code(&format!("{at}.data_categories[{i}]"), code);
            categories.extend(category);
        }
        categories.sort();
        categories.dedup();
        let special = categories.iter().any(|c| c.is_special());
        if self.special_categories.is_some_and(|given| given != special) {
            problems.add(
                &format!("{at}.special_categories"),
                format!("it follows from the data categories: {special} (or leave it out)"),
            );
        }
        Some(Purpose {
            key: key?,
            legal_basis: legal_basis?,
            categories,
            name: self.name.clone(),
            description: self.description.clone(),
        })
    }
}

/// Problems found so far.
#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, path: &str, message: String) {
        self.0.push(Problem {
            path: path.to_owned(),
            message,
        });
    }

    fn slug(&mut self, path: &str, value: &str) -> Option<Slug> {
        Slug::parse(value).map_err(|e| self.add(path, e.to_string())).ok()
    }

    fn code<T: FromStr<Err = super::UnknownCode>>(&mut self, path: &str, value: &str) -> Option<T> {
        value
            .parse()
            .map_err(|e: super::UnknownCode| self.add(path, e.to_string()))
            .ok()
    }

    /// A text residents must read: present in the default language, no blank translation.
    fn required(&mut self, path: &str, text: &LocalizedText) {
        if !text.has(Lang::default()) {
            self.add(path, format!("a text in {} is required", Lang::default().code()));
        }
        self.texts(path, text);
    }

    /// No translation is blank.
    fn texts(&mut self, path: &str, text: &LocalizedText) {
        for (lang, value) in text.iter() {
            if value.trim().is_empty() {
                self.add(
                    &format!("{path}.{}", lang.code()),
                    "the translation is blank: leave it out".to_owned(),
                );
            }
        }
    }

    fn finish<T>(self, value: T) -> Result<T, Vec<Problem>> {
        if self.0.is_empty() { Ok(value) } else { Err(self.0) }
    }
}
