//! Privacy requests (data-subject rights, GDPR Arts. 15–21): their kinds, the statuses a
//! request moves through and the only transitions allowed, and the legal clock — the due
//! date is computed here and nowhere else.
//!
//! One concept per file; everything is re-exported here, so callers name
//! `domain::requests::X` whatever file `X` lives in.

mod audit;
mod clock;
mod console_view;
mod detail;
mod input;
mod kind;
mod notifications;
mod package;
mod queue;
mod quota;
mod records;
mod stats;
mod status;
mod task;

pub use audit::{AUDIT_PAGE_SIZE, AuditPage, AuditRow};
pub use clock::{Clock, DeadlinePolicy, ExtensionRefused, paused_days};
pub use console_view::{AssistedResident, CaseFile, ConsoleError, reason};
pub use detail::{MessageView, RequestDetail, RequestSummary, TimelineEntry};
pub use input::{MAX_DETAILS_CHARS, NewRequest, RequestInputError, SystemChoice};
pub use kind::{RequestChannel, RequestKind};
pub use notifications::{
    NOTICE_CURSOR, Notice, NoticeList, NoticesPage, Notification, NotificationKind, Placed, Resume,
    SameInstant, merge_notices,
};
pub use package::{
    AccessPackage, AgencyReport, EnrollmentRecord, PACKAGE_FORMAT, PackageParts, PackageSummary,
    PackageWriter,
};
pub use queue::{QUEUE_CURSOR, QUEUE_PAGE_SIZE, QueueFilter, QueuePage, QueueRow, Urgency, urgency};
pub use quota::{QuotaExceeded, ResidentQuota};
pub use records::RequestRecord;
pub use stats::{RequestStats, WeekCount, week_start, weekly_counts};
pub use status::{IllegalTransition, RequestStatus};
pub use task::{TaskOutcome, TaskView};

/// A page of a resident's own requests starts after a request's (creation time in
/// microseconds, id): newest first.
pub const MY_REQUESTS_CURSOR: crate::paging::Shape =
    crate::paging::Shape(&[crate::paging::Part::Number, crate::paging::Part::Text]);

/// A page of an agency's tasks starts after a (due date, task id): the most urgent first.
pub const TASK_CURSOR: crate::paging::Shape =
    crate::paging::Shape(&[crate::paging::Part::Text, crate::paging::Part::Text]);
