//! Consent as residents see it: the systems that hold their data, what applies to each
//! purpose, the append-only history of their choices, and the receipt of each choice
//! (ISO/IEC TS 27560 record, Kantara Consent Receipt v1.1 field names).
//!
//! One concept per file; everything is re-exported here, so callers name
//! `domain::consent::X` whatever file `X` lives in.

mod action;
mod build;
mod changes;
mod choice;
mod enrollment;
mod facts;
mod history;
mod receipt;
mod summary;
mod systems;
mod terms;
mod words;

pub use action::{Channel, ConsentAction};
pub use changes::{
    CONSENT_CHANGE_CURSOR, ConsentChange, ConsentChangeKind, ConsentChangePage, LedgerChange, READ_WINDOW,
    cursor_after, page as change_page, read_until,
};
pub use choice::{ChoiceRefused, may_choose};
pub use enrollment::{
    CODE_VALID_DAYS, CodeFacts, CodeState, EnrollmentAction, EnrollmentChannel, EnrollmentCode,
    EnrollmentEventView, EnrollmentRefused, may_confirm,
};
pub use facts::ReceiptFacts;
pub use history::{ConsentEventView, HISTORY_CURSOR};
pub use receipt::{
    KANTARA_VERSION, PiiController, RECEIPT_SCHEMA, Receipt, ReceiptEvent, ReceiptNotice, ReceiptProcessing,
    ReceiptPurpose, ReceiptService,
};
pub use summary::{AllowedPurpose, ConsentTally, MySummary, MySystemLine};
pub use systems::{MyPurpose, MySystem};
pub use terms::{MaterialChange, Terms, grant_stands, material_changes};
