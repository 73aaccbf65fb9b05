//! The facts a consent receipt is built from, already in the resident's language.

use super::action::{Channel, ConsentAction};
use crate::register::{DataCategory, LegalBasis};

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
    /// The event's entry number in the ledger.
    pub ledger_index: Option<i64>,
}
