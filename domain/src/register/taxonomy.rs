//! The register's fixed taxonomies: legal bases, technologies, data categories, system
//! statuses and scopes. The database, the demo city, the API and the interface all use
//! these codes.

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
        /// It holds data of residents enrolled with it (cards, accounts, meters). The stored and
        /// published code keeps the register's original spelling.
        Enrollment => "enrolment",
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
}
