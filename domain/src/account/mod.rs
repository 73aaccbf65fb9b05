//! Accounts: who may sign in, with which role, and the rules their inputs must follow.
//!
//! One concept per file; everything is re-exported here, so callers name
//! `domain::account::X` whatever file `X` lives in.

mod backoff;
mod display_name;
mod email;
mod errors;
mod notice;
mod password;
mod profile;
mod resident_number;
mod return_to;
mod role;
mod second_factor;
mod user;

pub use backoff::{FREE_TRIES, FailedSignIns, MAX_WAIT_SECS, STREAK_FORGOTTEN_AFTER_SECS};
pub use display_name::DisplayName;
pub use email::Email;
pub use errors::{AccountInputError, AuthError};
pub use notice::{AccountNotice, AccountNoticeKind};
pub use password::Password;
pub use profile::{Profile, ProfileFields};
pub use resident_number::ResidentNumber;
pub use return_to::{DEFAULT_RETURN_TO, ReturnTo};
pub use role::{ApiScope, Role};
pub use second_factor::{
    AfterPassword, ENROLMENT_CODE_CHARS, ENROLMENT_CODE_SECS, EnrolmentCode, RECOVERY_CODE_CHARS,
    RECOVERY_CODES, SecondFactorCode, SecondFactorRule, after_password, recovery_code,
};
pub use user::{CurrentUser, SessionView};

/// API clients per page of the console's list.
pub const CLIENTS_PAGE_SIZE: u32 = 50;

/// A page of API clients starts after a client's (agency slug, creation time, client id):
/// by agency, the newest first.
pub const CLIENT_CURSOR: crate::paging::Shape = crate::paging::Shape(&[
    crate::paging::Part::Text,
    crate::paging::Part::Number,
    crate::paging::Part::Text,
]);
