//! Consent as residents see it: the systems that hold their data, what applies to each
//! purpose, the append-only history of their choices, and the receipt of each choice
//! (ISO/IEC TS 27560 record, Kantara Consent Receipt v1.1 field names).

use super::decision::ConsentState;
use super::register::{DataCategory, LegalBasis, Scope, Technology};
use serde::{Deserialize, Serialize};

use crate::vocabulary;

vocabulary! {
    /// What a consent event does.
    ConsentAction {
        Grant => "grant",
        Withdraw => "withdraw",
    }
}

vocabulary! {
    /// How a consent event reached the city.
    Channel {
        /// The resident, signed in on the web.
        Web => "web",
        /// An officer on the resident's behalf (at a counter, on the phone).
        Assisted => "assisted",
        /// An agency system through the API.
        Api => "api",
    }
}

impl ConsentAction {
    /// The consent state this action leaves behind.
    pub fn resulting_state(self) -> ConsentState {
        match self {
            ConsentAction::Grant => ConsentState::Given,
            ConsentAction::Withdraw => ConsentState::Withdrawn,
        }
    }
}

impl ConsentState {
    /// The W3C DPV name of the state.
    pub fn dpv(self) -> &'static str {
        match self {
            ConsentState::Given => "ConsentGiven",
            ConsentState::Withdrawn => "ConsentWithdrawn",
            ConsentState::NeverAsked => "ConsentRequested",
        }
    }
}

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
}

impl MyPurpose {
    /// Whether the resident's choice decides this purpose (grant and withdraw apply).
    pub fn is_choice(&self) -> bool {
        self.legal_basis.needs_consent()
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

/// One consent event in the resident's history, in their language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsentEventView {
    /// Also the receipt id.
    pub id: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub action: ConsentAction,
    pub channel: Channel,
    pub system_slug: String,
    pub system_name: String,
    pub agency_name: String,
    pub purpose_key: String,
    pub purpose_name: String,
    pub notice_version: i64,
}

/// A data controller as a receipt names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PiiController {
    pub pii_controller: String,
    pub contact: String,
    pub email: String,
    pub url: String,
}

/// A purpose as a receipt names it (Kantara `services[].purposes[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptPurpose {
    pub purpose: String,
    pub purpose_category: Vec<String>,
    pub consent_type: String,
    pub pii_category: Vec<DataCategory>,
    pub primary_purpose: bool,
    pub termination: String,
    pub third_party_disclosure: bool,
    pub third_party_name: String,
}

/// A service (system) as a receipt names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptService {
    pub service: String,
    pub purposes: Vec<ReceiptPurpose>,
}

/// The notice the resident was shown when they acted (ISO/IEC TS 27560 "privacy notice").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptNotice {
    pub version: i64,
    pub language: String,
    pub url: String,
    pub title: String,
    pub text: String,
}

/// The processing the consent is about (ISO/IEC TS 27560 "processing" part).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptProcessing {
    pub legal_basis: LegalBasis,
    pub purpose_key: String,
    pub storage_location: String,
    pub retention: String,
    pub jurisdiction: String,
    pub recipients: String,
    pub withdrawal_method: String,
}

/// The event the receipt records (ISO/IEC TS 27560 "event" part).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptEvent {
    /// RFC 3339, UTC.
    pub time: String,
    /// `grant` or `withdraw`.
    pub event_type: ConsentAction,
    /// W3C DPV state after the event.
    pub state: String,
    /// Who acted: the resident (`piiPrincipal`), an officer for them, or an agency system.
    pub actor: String,
    pub channel: Channel,
    /// How long the state holds.
    pub validity: String,
}

/// A consent receipt: one record per consent event, readable and downloadable as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// ISO/IEC TS 27560 schema version this record follows.
    pub schema_version: String,
    /// Kantara Consent Receipt specification version.
    pub version: String,
    /// The consent record (resident and purpose) this event belongs to.
    pub record_id: String,
    #[serde(rename = "consentReceiptID")]
    pub consent_receipt_id: String,
    pub jurisdiction: String,
    /// Unix seconds, as Kantara specifies.
    pub consent_timestamp: i64,
    pub collection_method: String,
    pub language: String,
    pub pii_principal_id: String,
    pub pii_controllers: Vec<PiiController>,
    pub policy_url: String,
    pub services: Vec<ReceiptService>,
    pub sensitive: bool,
    pub spi_cat: Vec<DataCategory>,
    pub notice: ReceiptNotice,
    pub processing: ReceiptProcessing,
    pub event: ReceiptEvent,
}

/// Everything a receipt is made from, already in the resident's language.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiptFacts {
    pub event_id: String,
    pub record_id: String,
    pub at_unix: i64,
    pub at: String,
    pub action: ConsentAction,
    pub channel: Channel,
    pub language: String,
    pub resident_number: String,
    pub city: String,
    pub agency_name: String,
    pub agency_email: String,
    pub agency_website: String,
    pub system_slug: String,
    pub system_name: String,
    pub purpose_key: String,
    pub legal_basis: LegalBasis,
    pub notice_version: i64,
    pub notice_title: String,
    pub notice_text: String,
    pub categories: Vec<DataCategory>,
    pub storage_location: String,
    pub retention: String,
    pub recipients: String,
    /// The site's public address (`https://…`), or empty for site-relative links.
    pub base_url: String,
}

/// The ISO/IEC TS 27560 schema version receipts follow.
pub const RECEIPT_SCHEMA: &str = "ISO/IEC TS 27560:2023";
/// The Kantara Consent Receipt version whose field names receipts use.
pub const KANTARA_VERSION: &str = "KI-CR-v1.1.0";

/// The receipt's own sentences, in the receipt's language.
struct Words {
    web: &'static str,
    assisted: &'static str,
    api: &'static str,
    contact: &'static str,
    withdrawal: &'static str,
    until_withdrawn: &'static str,
    until_granted: &'static str,
}

impl Words {
    fn of(language: &str) -> Words {
        match language {
            "es" => Words {
                web: "formulario web con sesión iniciada",
                assisted: "con la ayuda de un delegado de protección de datos",
                api: "sistema de un organismo a través de la API de consentimiento",
                contact: "Delegado de protección de datos",
                withdrawal: "Inicia sesión en {url} y pulsa «Retirar consentimiento» junto a la finalidad: una sola acción, con efecto inmediato.",
                until_withdrawn: "hasta que se retire",
                until_granted: "hasta que se vuelva a dar",
            },
            _ => Words {
                web: "signed-in web form",
                assisted: "assisted by a privacy officer",
                api: "agency system through the consent API",
                contact: "Data protection officer",
                withdrawal: "Sign in at {url} and press \"Withdraw consent\" beside the purpose: one action, effective at once.",
                until_withdrawn: "until withdrawn",
                until_granted: "until granted again",
            },
        }
    }
}

impl Receipt {
    /// Builds the receipt of one consent event.
    pub fn build(f: ReceiptFacts) -> Receipt {
        let policy_url = format!("{}/systems/{}", f.base_url, f.system_slug);
        let spi_cat: Vec<DataCategory> = f.categories.iter().copied().filter(|c| c.is_special()).collect();
        let actor = match f.channel {
            Channel::Web => "piiPrincipal",
            Channel::Assisted => "privacyOfficerOnBehalfOfPiiPrincipal",
            Channel::Api => "piiController",
        };
        let words = Words::of(&f.language);
        let collection_method = match f.channel {
            Channel::Web => words.web,
            Channel::Assisted => words.assisted,
            Channel::Api => words.api,
        };
        let recipients = f.recipients.trim().to_owned();
        Receipt {
            schema_version: RECEIPT_SCHEMA.to_owned(),
            version: KANTARA_VERSION.to_owned(),
            record_id: f.record_id,
            consent_receipt_id: f.event_id,
            jurisdiction: f.city.clone(),
            consent_timestamp: f.at_unix,
            collection_method: collection_method.to_owned(),
            language: f.language.clone(),
            pii_principal_id: f.resident_number,
            pii_controllers: vec![PiiController {
                pii_controller: f.agency_name,
                contact: words.contact.to_owned(),
                email: f.agency_email,
                url: f.agency_website,
            }],
            policy_url: policy_url.clone(),
            services: vec![ReceiptService {
                service: f.system_name,
                purposes: vec![ReceiptPurpose {
                    purpose: f.notice_title.clone(),
                    purpose_category: vec![f.purpose_key.clone()],
                    consent_type: "EXPLICIT".to_owned(),
                    pii_category: f.categories.clone(),
                    primary_purpose: true,
                    termination: f.retention.clone(),
                    third_party_disclosure: !recipients.is_empty(),
                    third_party_name: recipients.clone(),
                }],
            }],
            sensitive: !spi_cat.is_empty(),
            spi_cat,
            notice: ReceiptNotice {
                version: f.notice_version,
                language: f.language,
                url: policy_url,
                title: f.notice_title,
                text: f.notice_text,
            },
            processing: ReceiptProcessing {
                legal_basis: f.legal_basis,
                purpose_key: f.purpose_key,
                storage_location: f.storage_location,
                retention: f.retention,
                jurisdiction: f.city,
                recipients,
                withdrawal_method: words.withdrawal.replace("{url}", &format!("{}/my", f.base_url)),
            },
            event: ReceiptEvent {
                time: f.at,
                event_type: f.action,
                state: f.action.resulting_state().dpv().to_owned(),
                actor: actor.to_owned(),
                channel: f.channel,
                validity: match f.action {
                    ConsentAction::Grant => words.until_withdrawn.to_owned(),
                    ConsentAction::Withdraw => words.until_granted.to_owned(),
                },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(action: ConsentAction, categories: Vec<DataCategory>) -> ReceiptFacts {
        ReceiptFacts {
            event_id: "ev1".into(),
            record_id: "rec1".into(),
            at_unix: 1_790_000_000,
            at: "2026-09-21T10:13:20Z".into(),
            action,
            channel: Channel::Web,
            language: "en".into(),
            resident_number: "GH-ABCD-EFGH".into(),
            city: "Riverton".into(),
            agency_name: "Transit".into(),
            agency_email: "dpo@transit.example".into(),
            agency_website: "https://transit.example".into(),
            system_slug: "fare-card".into(),
            system_name: "Fare card".into(),
            purpose_key: "marketing".into(),
            legal_basis: LegalBasis::Consent,
            notice_version: 3,
            notice_title: "Offers by email".into(),
            notice_text: "We send offers.".into(),
            categories,
            storage_location: "City data centre".into(),
            retention: "Until withdrawn".into(),
            recipients: "".into(),
            base_url: "https://glasshouse.example".into(),
        }
    }

    #[test]
    fn a_receipt_carries_the_kantara_field_names_and_the_notice_version() {
        let receipt = Receipt::build(facts(ConsentAction::Grant, vec![DataCategory::Contact]));
        let json = serde_json::to_value(&receipt).unwrap();
        for field in [
            "version",
            "jurisdiction",
            "consentTimestamp",
            "collectionMethod",
            "consentReceiptID",
            "language",
            "piiPrincipalId",
            "piiControllers",
            "policyUrl",
            "services",
            "sensitive",
            "spiCat",
            "schemaVersion",
            "recordId",
        ] {
            assert!(json.get(field).is_some(), "{field}");
        }
        let purpose = &json["services"][0]["purposes"][0];
        for field in [
            "purpose",
            "purposeCategory",
            "consentType",
            "piiCategory",
            "primaryPurpose",
            "termination",
            "thirdPartyDisclosure",
        ] {
            assert!(purpose.get(field).is_some(), "{field}");
        }
        assert_eq!(json["notice"]["version"], 3);
        assert_eq!(json["event"]["state"], "ConsentGiven");
        assert_eq!(json["policyUrl"], "https://glasshouse.example/systems/fare-card");
        assert!(
            json["processing"]["withdrawalMethod"]
                .as_str()
                .unwrap()
                .contains("/my")
        );
        assert_eq!(json["sensitive"], false);
        assert_eq!(json["services"][0]["purposes"][0]["thirdPartyDisclosure"], false);
    }

    #[test]
    fn special_categories_make_a_receipt_sensitive_and_a_withdrawal_says_so() {
        let receipt = Receipt::build(facts(
            ConsentAction::Withdraw,
            vec![DataCategory::Contact, DataCategory::Health],
        ));
        assert!(receipt.sensitive);
        assert_eq!(receipt.spi_cat, vec![DataCategory::Health]);
        assert_eq!(receipt.event.state, "ConsentWithdrawn");
        assert_eq!(receipt.event.event_type, ConsentAction::Withdraw);
    }

    #[test]
    fn a_spanish_receipt_speaks_spanish() {
        let mut f = facts(ConsentAction::Grant, vec![DataCategory::Contact]);
        f.language = "es".into();
        let receipt = Receipt::build(f);
        assert!(
            receipt
                .processing
                .withdrawal_method
                .starts_with("Inicia sesión en https://glasshouse.example/my")
        );
        assert_eq!(receipt.event.validity, "hasta que se retire");
    }
}
