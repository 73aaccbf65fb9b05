//! Glue between the generated `i18n` module and the domain: the current language and the
//! labels of the register's vocabularies (compile-time keys, so a missing translation is a
//! build error).

use crate::i18n::{Locale, td_string, use_i18n};
use domain::lang::Lang;
use domain::register::{DataCategory, LegalBasis, Scope, SystemStatus, Technology};
use leptos::prelude::*;
use leptos_i18n::Locale as _;

/// The name of the cookie that remembers the chosen language (leptos_i18n's own).
pub const LANG_COOKIE: &str = "i18n_pref_locale";

/// The domain language of a generated locale.
pub fn lang_of(locale: Locale) -> Lang {
    Lang::from_code(locale.as_str()).unwrap_or_default()
}

/// The generated locale of a domain language.
pub fn locale_of(lang: Lang) -> Locale {
    match lang {
        Lang::En => Locale::en,
        Lang::Es => Locale::es,
        Lang::Ar => Locale::ar,
    }
}

/// The current interface language, tracked.
pub fn use_lang() -> Signal<Lang> {
    let i18n = use_i18n();
    Signal::derive(move || lang_of(i18n.get_locale()))
}

/// The plain-language name of a legal basis.
pub fn basis_name(l: Locale, b: LegalBasis) -> &'static str {
    match b {
        LegalBasis::Consent => td_string!(l, basis.consent.name),
        LegalBasis::Contract => td_string!(l, basis.contract.name),
        LegalBasis::LegalObligation => td_string!(l, basis.legal_obligation.name),
        LegalBasis::VitalInterests => td_string!(l, basis.vital_interests.name),
        LegalBasis::PublicTask => td_string!(l, basis.public_task.name),
        LegalBasis::LegitimateInterests => td_string!(l, basis.legitimate_interests.name),
    }
}

/// One sentence explaining what a legal basis means for the resident.
pub fn basis_explained(l: Locale, b: LegalBasis) -> &'static str {
    match b {
        LegalBasis::Consent => td_string!(l, basis.consent.explained),
        LegalBasis::Contract => td_string!(l, basis.contract.explained),
        LegalBasis::LegalObligation => td_string!(l, basis.legal_obligation.explained),
        LegalBasis::VitalInterests => td_string!(l, basis.vital_interests.explained),
        LegalBasis::PublicTask => td_string!(l, basis.public_task.explained),
        LegalBasis::LegitimateInterests => td_string!(l, basis.legitimate_interests.explained),
    }
}

/// The plain-language name of a data category.
pub fn category_name(l: Locale, c: DataCategory) -> &'static str {
    match c {
        DataCategory::Identity => td_string!(l, category.identity.name),
        DataCategory::Contact => td_string!(l, category.contact.name),
        DataCategory::Location => td_string!(l, category.location.name),
        DataCategory::ImagesVideo => td_string!(l, category.images_video.name),
        DataCategory::Biometric => td_string!(l, category.biometric.name),
        DataCategory::Health => td_string!(l, category.health.name),
        DataCategory::Vehicle => td_string!(l, category.vehicle.name),
        DataCategory::Financial => td_string!(l, category.financial.name),
        DataCategory::UsageBehaviour => td_string!(l, category.usage_behaviour.name),
        DataCategory::DeviceNetwork => td_string!(l, category.device_network.name),
        DataCategory::Education => td_string!(l, category.education.name),
    }
}

/// What a data category covers, in a few words.
pub fn category_explained(l: Locale, c: DataCategory) -> &'static str {
    match c {
        DataCategory::Identity => td_string!(l, category.identity.explained),
        DataCategory::Contact => td_string!(l, category.contact.explained),
        DataCategory::Location => td_string!(l, category.location.explained),
        DataCategory::ImagesVideo => td_string!(l, category.images_video.explained),
        DataCategory::Biometric => td_string!(l, category.biometric.explained),
        DataCategory::Health => td_string!(l, category.health.explained),
        DataCategory::Vehicle => td_string!(l, category.vehicle.explained),
        DataCategory::Financial => td_string!(l, category.financial.explained),
        DataCategory::UsageBehaviour => td_string!(l, category.usage_behaviour.explained),
        DataCategory::DeviceNetwork => td_string!(l, category.device_network.explained),
        DataCategory::Education => td_string!(l, category.education.explained),
    }
}

/// The plain-language name of a technology type.
pub fn technology_name(l: Locale, t: Technology) -> &'static str {
    match t {
        Technology::Cctv => td_string!(l, technology.cctv),
        Technology::FacialRecognition => td_string!(l, technology.facial_recognition),
        Technology::LicencePlateReader => td_string!(l, technology.licence_plate_reader),
        Technology::TrafficSensor => td_string!(l, technology.traffic_sensor),
        Technology::EnvironmentalSensor => td_string!(l, technology.environmental_sensor),
        Technology::SmartMeter => td_string!(l, technology.smart_meter),
        Technology::FareCard => td_string!(l, technology.fare_card),
        Technology::OnlineService => td_string!(l, technology.online_service),
        Technology::WirelessNetwork => td_string!(l, technology.wireless_network),
        Technology::Algorithm => td_string!(l, technology.algorithm),
    }
}

/// The name of a system's status.
pub fn status_name(l: Locale, s: SystemStatus) -> &'static str {
    match s {
        SystemStatus::Planned => td_string!(l, status.planned),
        SystemStatus::Active => td_string!(l, status.active),
        SystemStatus::Retired => td_string!(l, status.retired),
    }
}

/// Whose data a system holds, in words.
pub fn scope_explained(l: Locale, s: Scope) -> &'static str {
    match s {
        Scope::PublicSpace => td_string!(l, scope.public_space),
        Scope::Enrollment => td_string!(l, scope.enrolment),
    }
}

/// "Yes" or "No".
pub fn yes_no(l: Locale, b: bool) -> &'static str {
    if b {
        td_string!(l, common.yes)
    } else {
        td_string!(l, common.no)
    }
}
