//! The privacy office's work on requests: the queue, the case file, and the officers'
//! actions, each recorded in the admin audit log.

mod actions;
mod audit_log;
mod case_file;
mod queue;
mod reports;

pub use actions::{ask, assign, complete_task, file_assisted};
pub use audit_log::audit_page;
pub use case_file::{case_file, staff_name};
pub use queue::queue;
pub use reports::{records, stats};
