//! The consent receipt: one record per consent event (ISO/IEC TS 27560 record, Kantara
//! Consent Receipt v1.1 field names), and its parts.

use super::action::{Channel, ConsentAction};
use crate::register::{DataCategory, LegalBasis};
use serde::{Deserialize, Serialize};

/// The ISO/IEC TS 27560 schema version receipts follow.
pub const RECEIPT_SCHEMA: &str = "ISO/IEC TS 27560:2023";

/// The Kantara Consent Receipt version whose field names receipts use.
pub const KANTARA_VERSION: &str = "KI-CR-v1.1.0";

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
    /// Where the event sits in the city's public ledger (an extension of the receipt
    /// format): its entry number, and the page proving it is in the signed log.
    pub ledger_entry: Option<i64>,
    pub ledger_proof_url: Option<String>,
}
