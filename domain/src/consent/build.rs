//! Building a consent receipt from the facts of one consent event.

use super::action::{Channel, ConsentAction};
use super::facts::ReceiptFacts;
use super::receipt::{
    KANTARA_VERSION, PiiController, RECEIPT_SCHEMA, Receipt, ReceiptEvent, ReceiptNotice, ReceiptProcessing,
    ReceiptPurpose, ReceiptService,
};
use super::words::Words;
use crate::register::DataCategory;

impl Receipt {
    /// Builds the receipt of one consent event.
    pub fn build(f: ReceiptFacts) -> Receipt {
        let policy_url = format!("{}/systems/{}", f.base_url, f.system_slug);
        let spi_cat: Vec<DataCategory> = f.categories.iter().copied().filter(|c| c.is_special()).collect();
        let words = Words::of(&f.language);
        let collection_method = words.collection_method(f.channel);
        let recipients = f.recipients.trim().to_owned();
        let event = event(f.at, f.action, f.channel, &words);
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
            event,
            ledger_entry: f.ledger_index,
            ledger_proof_url: f.ledger_index.map(|i| format!("{}/my/ledger/{i}", f.base_url)),
        }
    }
}

/// Who acted, as the receipt names them: the resident (`piiPrincipal`), an officer for
/// them, or an agency system.
fn actor(channel: Channel) -> &'static str {
    match channel {
        Channel::Web => "piiPrincipal",
        Channel::Assisted => "privacyOfficerOnBehalfOfPiiPrincipal",
        Channel::Api => "piiController",
    }
}

/// The event part of the receipt: what happened at `time`, and how long it holds.
fn event(time: String, action: ConsentAction, channel: Channel, words: &Words) -> ReceiptEvent {
    ReceiptEvent {
        time,
        event_type: action,
        state: action.resulting_state().dpv().to_owned(),
        actor: actor(channel).to_owned(),
        channel,
        validity: match action {
            ConsentAction::Grant => words.until_withdrawn.to_owned(),
            ConsentAction::Withdraw => words.until_granted.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::register::LegalBasis;

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
            ledger_index: Some(7),
        }
    }

    #[test]
    fn a_receipt_carries_the_kantara_field_names_and_the_notice_version() {
        let receipt = Receipt::build(facts(ConsentAction::Grant, vec![DataCategory::Contact]));
        assert_eq!(receipt.ledger_entry, Some(7));
        assert_eq!(
            receipt.ledger_proof_url.as_deref(),
            Some("https://glasshouse.example/my/ledger/7")
        );
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

    #[test]
    fn an_arabic_receipt_speaks_arabic_and_keeps_the_address_whole() {
        let mut f = facts(ConsentAction::Grant, vec![DataCategory::Contact]);
        f.language = "ar".into();
        let receipt = Receipt::build(f);
        assert_eq!(receipt.language, "ar");
        assert!(
            receipt
                .processing
                .withdrawal_method
                .starts_with("سجّل الدخول في https://glasshouse.example/my "),
            "{}",
            receipt.processing.withdrawal_method
        );
        assert_eq!(receipt.event.validity, "إلى أن تُسحب");
        assert_eq!(receipt.pii_controllers[0].contact, "مسؤول حماية البيانات");
    }
}
