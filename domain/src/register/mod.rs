//! The public register: agencies, the systems they run, purposes and data categories.
//!
//! The vocabularies here (legal bases, technologies, data categories) are fixed taxonomies:
//! the database, the demo city, the API and the interface all use these codes.
//!
//! One concept per file; everything is re-exported here, so callers name
//! `domain::register::X` whatever file `X` lives in.

mod agency;
mod csv_import;
mod file;
mod form;
mod history;
mod import_plan;
mod languages;
mod review;
mod slug;
mod system;
mod taxonomy;
mod view;

pub use super::vocabulary::UnknownCode;
pub use agency::{Agency, AgencyOption};
pub use csv_import::{CSV_COLUMNS, CsvRow, missing_columns, on_csv_line};
pub use file::{
    AgencyRecord, DeviceRecord, DistrictRecord, Problem, PurposeRecord, REGISTER_FORMAT, Register,
    RegisterFile, SystemRecord,
};
pub use form::{
    FormFields, SYSTEM_TEXTS, agency_from_form, field_of_problem, form_from_agency, form_from_record,
    record_from_form,
};
pub use history::{FieldChange, SystemNotice, VersionKind, VersionView, device_changes, field_changes};
pub use import_plan::{Change, ImportPlan, PurposePlan, SystemPlan};
pub use languages::{declared_languages, text_problems, translation_gaps};
pub use review::{
    CommentView, DEFAULT_COMMENT_DAYS, Decision, DecisionView, ImpactReport, MAX_REPORTS_PER_DAY,
    MAX_REVIEW_TEXT, Outcome, PROBLEM_REPORT_CURSOR, PROBLEM_REPORTS_PAGE_SIZE, ProblemReport, REVIEW_CURSOR,
    REVIEWS_PAGE_SIZE, ReportSection, Review, ReviewEvent, ReviewListPage, ReviewReason, ReviewRefused,
    ReviewStage, ReviewSummary, ReviewView, activate, answer, close_comments, comment_days, decide,
    edit_draft, may_activate_system, may_comment, may_report, publish, review_reasons, review_text,
};
pub use slug::{InvalidSlug, Slug};
pub use system::{Purpose, System};
pub use taxonomy::{DataCategory, LegalBasis, Scope, SystemStatus, Technology};
pub use view::{PurposeView, SystemSummary, SystemView};

/// A page of the register's systems starts after a slug (systems go by slug).
pub const SYSTEM_CURSOR: crate::paging::Shape = crate::paging::Shape(&[crate::paging::Part::Text]);

/// A page of the change feed starts after a version's (time in microseconds, system slug,
/// version number): newest first, then by slug, then the later version first.
pub const CHANGE_CURSOR: crate::paging::Shape = crate::paging::Shape(&[
    crate::paging::Part::Number,
    crate::paging::Part::Text,
    crate::paging::Part::Number,
]);
