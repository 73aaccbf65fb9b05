//! The demo city: a versioned data file (`server/demo/city.toml`) loaded into an empty database.

pub mod activity;
pub mod breach;
pub mod requests;
pub mod reviews;

use domain::register::{
    Agency, AgencyRecord, DeviceRecord, DistrictRecord, ImportPlan, LegalBasis, REGISTER_FORMAT, Register,
    RegisterFile, Scope, Slug, System, SystemRecord,
};
use domain::street::{Device, District};
use domain::text::LocalizedText;
use serde::Deserialize;
use sqlx::AnyPool;
use store::register;

/// The demo city shipped with the binary.
pub const CITY_TOML: &str = include_str!("../../demo/city.toml");

/// The demo city's districts and located devices, beside its register.
pub const STREETS_TOML: &str = include_str!("../../demo/streets.toml");

/// The data-file format version this loader reads.
pub const FORMAT_VERSION: u32 = 1;

/// Why the demo city was not loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the database already holds data; the demo city is only loaded into an empty database")]
    NotEmpty,
    #[error("the demo data file is invalid: {0}")]
    Invalid(String),
    #[error("storage failed while loading the demo city: {0}")]
    Storage(#[from] store::StoreError),
}

impl From<sqlx::Error> for DemoError {
    fn from(e: sqlx::Error) -> Self {
        DemoError::Storage(e.into())
    }
}

/// The data file, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CityFile {
    pub version: u32,
    pub city: CityEntry,
    pub agencies: Vec<AgencyRecord>,
    pub systems: Vec<SystemRecord>,
    #[serde(default)]
    pub demo_accounts: Vec<DemoAccount>,
}

/// A sign-in the demo city comes with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoAccount {
    pub role: domain::account::Role,
    pub email: String,
    pub name: String,
    pub password: String,
    /// Systems the account is enrolled with (enrollment systems only).
    #[serde(default)]
    pub enrolled_with: Vec<Slug>,
    /// Consents the account has given, as `system/purpose` (consent-basis purposes only).
    #[serde(default)]
    pub consents: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CityEntry {
    pub name: LocalizedText,
    /// The languages the city publishes its register in; every text is given in each.
    pub languages: Vec<String>,
}

/// The city, validated and in domain types.
#[derive(Debug)]
pub struct City {
    pub name: LocalizedText,
    /// The languages the city declares, every text given in each.
    pub languages: Vec<domain::lang::Lang>,
    pub agencies: Vec<Agency>,
    pub systems: Vec<System>,
    pub districts: Vec<District>,
    pub devices: Vec<Device>,
    pub accounts: Vec<DemoAccount>,
}

/// The districts and devices file, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreetsFile {
    #[serde(default)]
    pub districts: Vec<DistrictRecord>,
    #[serde(default)]
    pub devices: Vec<DeviceRecord>,
}

/// Parses and validates a city data file: its register through the same checks as
/// `glasshouse register import`, then the demo accounts against it.
pub fn parse(toml_text: &str, streets_toml: &str) -> Result<City, DemoError> {
    let file: CityFile = toml::from_str(toml_text).map_err(|e| DemoError::Invalid(e.to_string()))?;
    let streets: StreetsFile =
        toml::from_str(streets_toml).map_err(|e| DemoError::Invalid(format!("streets: {e}")))?;
    if file.version != FORMAT_VERSION {
        return Err(invalid(format!(
            "version {} is not the supported version {FORMAT_VERSION}",
            file.version
        )));
    }
    let languages = domain::register::declared_languages(&file.city.languages).unwrap_or_default();
    let register = RegisterFile {
        format: REGISTER_FORMAT.to_owned(),
        city: file.city.name,
        languages: Some(file.city.languages),
        agencies: file.agencies,
        systems: file.systems,
        districts: streets.districts,
        devices: streets.devices,
    }
    .check()
    .map_err(|problems| {
        let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
        invalid(listed.join("; "))
    })?;
    for account in &file.demo_accounts {
        check_account(account, &register.systems)?;
    }
    Ok(City {
        name: register.city,
        languages,
        agencies: register.agencies,
        systems: register.systems,
        districts: register.districts,
        devices: register.devices,
        accounts: file.demo_accounts,
    })
}

/// A demo account may only be enrolled with enrollment systems and consent to consent purposes.
fn check_account(account: &DemoAccount, systems: &[System]) -> Result<(), DemoError> {
    let find = |slug: &str| systems.iter().find(|s| s.slug.as_str() == slug);
    for slug in &account.enrolled_with {
        match find(slug.as_str()) {
            Some(s) if s.scope == Scope::Enrollment => {}
            _ => {
                return Err(invalid(format!(
                    "{} is enrolled with {slug}, which is not an enrollment system",
                    account.email
                )));
            }
        }
    }
    for consent in &account.consents {
        let found = consent.split_once('/').and_then(|(system, purpose)| {
            find(system)?
                .purposes
                .iter()
                .find(|p| p.key.as_str() == purpose && p.legal_basis == LegalBasis::Consent)
        });
        if found.is_none() {
            return Err(invalid(format!(
                "{} consents to {consent}, which is not a consent-basis purpose of the register",
                account.email
            )));
        }
    }
    Ok(())
}

/// Enrols a demo account with its systems and records its consents (as given on the web).
pub async fn settle_account(pool: &AnyPool, user_id: &str, account: &DemoAccount) -> Result<(), DemoError> {
    for slug in &account.enrolled_with {
        let target = store::consent::target(pool, slug.as_str(), "")
            .await?
            .ok_or_else(|| invalid(format!("no system {slug}")))?;
        store::consent::import(pool, user_id, &target.system_id).await?;
    }
    for consent in &account.consents {
        let (system, purpose) = consent
            .split_once('/')
            .ok_or_else(|| invalid(format!("consent {consent} is not system/purpose")))?;
        let (system, purpose) = Slug::parse(system)
            .and_then(|s| Ok((s, Slug::parse(purpose)?)))
            .map_err(|e| invalid(e.to_string()))?;
        let target = store::consent::consent_target(pool, &system, &purpose).await?;
        let target = target.ok_or_else(|| invalid(format!("consent {consent}: no such purpose")))?;
        domain::consent::may_choose(target.legal_basis, None, target.notice_version)
            .map_err(|e| invalid(format!("consent {consent}: {e}")))?;
        let (grant, web) = (
            domain::consent::ConsentAction::Grant,
            domain::consent::Channel::Web,
        );
        store::consent::record(pool, user_id, &target, grant, web, domain::lang::Lang::En).await?;
    }
    Ok(())
}

fn invalid(message: String) -> DemoError {
    DemoError::Invalid(message)
}

/// What was loaded, for the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    pub agencies: usize,
    pub systems: usize,
    pub purposes: usize,
}

/// Loads `city` into the database in one transaction, refusing a database that has data,
/// through the register import's own writing.
#[tracing::instrument(skip_all)]
pub async fn load(pool: &AnyPool, city: &City) -> Result<Loaded, DemoError> {
    let mut tx = store::db::begin(pool).await?;
    if !store::is_empty(&mut tx).await? {
        return Err(DemoError::NotEmpty);
    }
    let register = Register {
        city: city.name.clone(),
        agencies: city.agencies.clone(),
        systems: city.systems.clone(),
        districts: Vec::new(),
        devices: Vec::new(),
    };
    let plan = ImportPlan::new(&register, &[], &[]);
    register::apply(&mut tx, &city.name, &plan, &city.districts, &city.devices).await?;
    tx.commit().await?;
    Ok(Loaded {
        agencies: city.agencies.len(),
        systems: city.systems.len(),
        purposes: city.systems.iter().map(|s| s.purposes.len()).sum(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::register::Purpose;

    #[test]
    fn the_shipped_demo_city_is_valid_and_big_enough() {
        let city = parse(CITY_TOML, STREETS_TOML).expect("the demo city parses");
        assert!(city.agencies.len() >= 8, "agencies: {}", city.agencies.len());
        assert!(city.systems.len() >= 30, "systems: {}", city.systems.len());
        let purposes: Vec<&Purpose> = city.systems.iter().flat_map(|s| &s.purposes).collect();
        assert!(purposes.len() >= 60, "purposes: {}", purposes.len());
        for basis in LegalBasis::ALL {
            assert!(
                purposes.iter().any(|p| p.legal_basis == *basis),
                "no purpose uses {basis}"
            );
        }
    }

    #[test]
    fn the_demo_city_declares_three_languages_and_speaks_each_everywhere() {
        use domain::lang::Lang;
        // `parse` runs the register import's check, translation gaps included.
        let city = parse(CITY_TOML, STREETS_TOML).expect("the demo city parses");
        assert_eq!(city.languages, [Lang::En, Lang::Es, Lang::Ar]);
        for s in &city.systems {
            for t in [&s.name, &s.description, &s.retention]
                .into_iter()
                .chain(s.purposes.iter().flat_map(|p| [&p.name, &p.description]))
            {
                assert!(Lang::ALL.iter().all(|l| t.has(*l)), "{}: {t:?}", s.slug);
            }
        }
    }

    #[test]
    fn a_missing_arabic_text_or_an_undeclared_language_stops_the_demo_city() {
        let first_arabic = CITY_TOML.find(", ar = \"").expect("an Arabic text");
        let end = first_arabic + CITY_TOML[first_arabic..].find("\" }").expect("its end") + 1;
        let gap = format!("{}{}", &CITY_TOML[..first_arabic], &CITY_TOML[end..]);
        let err = parse(&gap, "").unwrap_err().to_string();
        assert!(
            err.contains("has no ar translation, and the city declares ar"),
            "{err}"
        );
        assert!(err.contains("city: the city: the name"), "{err}");
        let undeclared = CITY_TOML.replacen(
            "languages = [\"en\", \"es\", \"ar\"]",
            "languages = [\"en\", \"es\"]",
            1,
        );
        let err = parse(&undeclared, "").unwrap_err().to_string();
        assert!(
            err.contains("translated into ar, which is not among the city's languages"),
            "{err}"
        );
        let unknown = CITY_TOML.replacen(
            "languages = [\"en\", \"es\", \"ar\"]",
            "languages = [\"en\", \"xx\"]",
            1,
        );
        let err = parse(&unknown, "").unwrap_err().to_string();
        assert!(
            err.contains("languages[1]: \"xx\" is not a language Glasshouse speaks"),
            "{err}"
        );
    }

    #[test]
    fn unknown_keys_and_dangling_agencies_are_refused() {
        let err = parse("version = 1\nsurprise = true\n", "").unwrap_err();
        assert!(err.to_string().contains("surprise"), "{err}");
        let dangling = CITY_TOML.replacen("agency = \"", "agency = \"nobody-", 1);
        let err = parse(&dangling, "").unwrap_err();
        assert!(
            err.to_string().contains("no agency of the file has the slug"),
            "{err}"
        );
    }

    #[test]
    fn the_demo_city_places_its_devices_inside_its_districts() {
        let city = parse(CITY_TOML, STREETS_TOML).expect("the demo city parses");
        assert!(city.districts.len() >= 5, "districts: {}", city.districts.len());
        assert!(city.devices.len() >= 40, "devices: {}", city.devices.len());
        for device in &city.devices {
            for p in device.geometry.positions() {
                let inside = city
                    .districts
                    .iter()
                    .filter(|d| domain::street::ring_contains(&d.outline, *p))
                    .count();
                assert_eq!(inside, 1, "{} at {p:?} lies in exactly one district", device.code);
            }
        }
        let kinds: std::collections::BTreeSet<&str> =
            city.devices.iter().map(|d| d.geometry.kind()).collect();
        assert_eq!(kinds.len(), 3, "points, lines and areas");
    }
}
