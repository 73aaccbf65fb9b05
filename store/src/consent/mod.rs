//! The consent aggregate: enrollments, the append-only consent events, the current consent
//! per resident and purpose, and the purpose notices the events point at.

use super::{code, new_event_id, now, now_us, rfc3339_us, text};
use crate::StoreError;
use domain::consent::{
    Channel, ConsentAction, ConsentEventView, MaterialChange, MyPurpose, MySystem, Receipt, ReceiptFacts,
    grant_stands,
};
use domain::decision::ConsentState;
use domain::lang::Lang;
use domain::register::{DataCategory, LegalBasis, Scope, Slug, SystemStatus};
use sqlx::{AnyPool, FromRow};
use std::collections::{HashMap, HashSet};

fn state_of(code: &str) -> ConsentState {
    match code {
        "given" => ConsentState::Given,
        _ => ConsentState::Withdrawn,
    }
}

fn state_code(state: ConsentState) -> &'static str {
    match state {
        ConsentState::Given => "given",
        ConsentState::Withdrawn | ConsentState::NeverAsked => "withdrawn",
    }
}

#[derive(FromRow)]
struct EventRow {
    id: String,
    at_us: i64,
    action: String,
    channel: String,
    notice_version: i64,
    system_slug: String,
    system_name: String,
    agency_name: String,
    purpose_key: String,
    notice_name: String,
    ledger_index: Option<i64>,
}

impl EventRow {
    fn into_view(self, lang: Lang) -> Result<ConsentEventView, sqlx::Error> {
        Ok(ConsentEventView {
            id: self.id,
            at: rfc3339_us(self.at_us),
            action: code("consent_events.action", &self.action)?,
            channel: code("consent_events.channel", &self.channel)?,
            system_slug: self.system_slug,
            system_name: text("systems.name", &self.system_name)?.get(lang).to_owned(),
            agency_name: text("agencies.name", &self.agency_name)?.get(lang).to_owned(),
            purpose_key: self.purpose_key,
            purpose_name: text("purpose_notices.name", &self.notice_name)?
                .get(lang)
                .to_owned(),
            notice_version: self.notice_version,
            ledger_index: self.ledger_index,
        })
    }
}

/// The columns of an [`EventRow`], over `consent_events e` joined as below.
macro_rules! event_select {
    () => {
        concat!(
            "SELECT e.id, e.at_us, e.action, e.channel, e.notice_version, s.slug AS system_slug, ",
            "s.name AS system_name, a.name AS agency_name, p.key AS purpose_key, n.name AS notice_name, ",
            "l.idx AS ledger_index FROM consent_events e ",
            "LEFT JOIN ledger l ON l.source = 'consent' AND l.entry_id = e.id ",
            "JOIN purposes p ON p.id = e.purpose_id ",
            "JOIN systems s ON s.id = p.system_id ",
            "JOIN agencies a ON a.id = s.agency_id ",
            "JOIN purpose_notices n ON n.purpose_id = e.purpose_id AND n.version = e.notice_version "
        )
    };
}

mod changes;
mod choice;
mod codes;
mod enrollments;
mod facts;
mod mine;
mod receipts;

pub use changes::{consent_changes, latest_change_entry};
pub use choice::{ConsentTarget, consent_target, record};
pub use codes::{CodeStatus, code_status, issue_code};
pub use enrollments::{
    ConfirmError, Confirmer, confirm, end, end_all, enrollment_history, import, user_by_number,
};
pub use facts::{
    ResidentEntry, TargetFacts, client_facts, fact_changes_since, facts_version, prune_fact_changes,
    register_facts, resident_facts, target,
};
pub use mine::my_systems;
pub use receipts::{history, history_page, receipt};
