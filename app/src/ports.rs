//! What the pages and server functions need from storage, as traits the server implements.
//!
//! The `app` crate knows no SQL: the server crate owns storage and hands an implementation
//! of these traits to every request through Leptos' context.

use crate::domain::account::{AuthError, CurrentUser, Profile, ProfileFields};
use crate::domain::consent::{Channel, ConsentAction, ConsentEventView, MySystem, Receipt};
use crate::domain::decision::{AccessFilter, AccessPage};
use crate::domain::lang::Lang;
use crate::domain::register::{Agency, Slug, System};
use std::net::IpAddr;
use std::sync::Arc;

/// Storage failed; the cause is logged by whoever reports it, never shown to a resident.
#[derive(Debug, thiserror::Error)]
#[error("storage failed: {0}")]
pub struct StoreError(#[source] pub Box<dyn std::error::Error + Send + Sync>);

impl StoreError {
    /// Wraps any storage-layer error.
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError(Box::new(e))
    }
}

/// Reading the public register.
#[async_trait::async_trait]
pub trait RegisterStore: Send + Sync + 'static {
    /// Every system with its agency and purposes.
    async fn systems(&self) -> Result<Vec<System>, StoreError>;
    /// One system, or `None` if no system has that slug.
    async fn system(&self, slug: &Slug) -> Result<Option<System>, StoreError>;
    /// Every agency.
    async fn agencies(&self) -> Result<Vec<Agency>, StoreError>;
    /// The city's name, if one was recorded.
    async fn city_name(&self) -> Result<Option<crate::domain::text::LocalizedText>, StoreError>;
}

/// What a new resident signs up with (validated by the service). No `Debug`: it holds a password.
#[derive(Clone)]
pub struct SignUp {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub lang: Lang,
}

/// A `Set-Cookie` header value the server function must send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie(pub String);

/// The signed-in session of a request, put in the request's extensions by the server.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: CurrentUser,
    /// The stored digest of the session id, to end this session.
    pub digest: String,
}

/// Accounts and sessions.
#[async_trait::async_trait]
pub trait AccountService: Send + Sync + 'static {
    /// Creates a resident account and signs it in.
    async fn sign_up(&self, input: SignUp) -> Result<SetCookie, AuthError>;
    /// Checks credentials and starts a new session.
    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> Result<SetCookie, AuthError>;
    /// Ends the session; the returned cookie clears it in the browser.
    async fn sign_out(&self, session: &Session) -> Result<SetCookie, AuthError>;
    /// Replaces the password after checking the current one; ends every session and starts a new one.
    async fn change_password(
        &self,
        session: &Session,
        current: &str,
        new: &str,
    ) -> Result<SetCookie, AuthError>;
    /// Deletes the account after checking the password; ends every session.
    async fn delete_account(&self, session: &Session, password: &str) -> Result<SetCookie, AuthError>;
}

/// Why a consent could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum ConsentError {
    /// No system has that slug, or it has no purpose with that key.
    #[error("no such purpose")]
    UnknownPurpose,
    /// The purpose rests on another legal basis: the resident's choice does not decide it.
    #[error("this purpose does not rest on consent")]
    NotConsentBased,
    /// The purpose's notice changed after the resident was shown it: nothing was recorded.
    #[error("the purpose's notice changed since it was shown")]
    NoticeChanged,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A resident's consents: what applies to them, their choices and the receipts.
/// Every method works on the resident whose id it is given, and only on them.
#[async_trait::async_trait]
pub trait ConsentStore: Send + Sync + 'static {
    /// The systems that hold the resident's data: enrolled ones first, then those in public space.
    async fn my_systems(&self, user_id: &str, lang: Lang) -> Result<Vec<MySystem>, StoreError>;
    /// Records a grant or withdrawal, durably, before returning the new event. `shown` is
    /// the notice version the resident saw, when known: a newer one refuses the choice.
    #[allow(clippy::too_many_arguments)]
    async fn record(
        &self,
        user_id: &str,
        system: &Slug,
        purpose: &Slug,
        action: ConsentAction,
        channel: Channel,
        shown: Option<i64>,
        lang: Lang,
    ) -> Result<ConsentEventView, ConsentError>;
    /// Every consent event of the resident, newest first.
    async fn history(&self, user_id: &str, lang: Lang) -> Result<Vec<ConsentEventView>, StoreError>;
    /// The receipt of one of the resident's events; `None` for any event not theirs.
    async fn receipt(&self, user_id: &str, event_id: &str, lang: Lang)
    -> Result<Option<Receipt>, StoreError>;
}

/// The decision log as residents read it: only the entries that named them.
#[async_trait::async_trait]
pub trait AccessLog: Send + Sync + 'static {
    /// One page of the resident's entries, newest first.
    async fn page(&self, user_id: &str, filter: &AccessFilter, lang: Lang) -> Result<AccessPage, StoreError>;
}

/// A resident's profile.
#[async_trait::async_trait]
pub trait ProfileStore: Send + Sync + 'static {
    /// The profile of `user_id`, or `None` if the account is gone.
    async fn profile(&self, user_id: &str) -> Result<Option<Profile>, StoreError>;
    /// Replaces the editable fields.
    async fn update_profile(&self, user_id: &str, fields: &ProfileFields) -> Result<(), StoreError>;
}

/// Why a privacy request could not be filed or changed; nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// No such request, or not the caller's.
    #[error("no such request")]
    NotFound,
    #[error(transparent)]
    Input(#[from] crate::domain::requests::RequestInputError),
    /// The state machine does not allow it (a closed request cannot be withdrawn...).
    #[error(transparent)]
    Illegal(#[from] crate::domain::requests::IllegalTransition),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Residents' privacy requests. Every method works on the resident whose id it is given,
/// and only on their requests: another resident's request is `NotFound`.
#[async_trait::async_trait]
pub trait RequestStore: Send + Sync + 'static {
    /// Files a request through the website, with one task per system it concerns, and
    /// returns its id.
    async fn file(
        &self,
        user_id: &str,
        request: &crate::domain::requests::NewRequest,
    ) -> Result<String, RequestError>;
    /// The resident's requests, newest first.
    async fn mine(&self, user_id: &str) -> Result<Vec<crate::domain::requests::RequestSummary>, StoreError>;
    /// One of the resident's requests; `None` for any request not theirs.
    async fn detail(
        &self,
        user_id: &str,
        id: &str,
        lang: Lang,
    ) -> Result<Option<crate::domain::requests::RequestDetail>, StoreError>;
    /// Withdraws one of the resident's open requests.
    async fn withdraw(&self, user_id: &str, id: &str) -> Result<(), RequestError>;
    /// The resident answers the office; a paused clock runs again.
    async fn reply(&self, user_id: &str, id: &str, body: &str) -> Result<(), RequestError>;
    /// The package answering one of the resident's fulfilled access or portability
    /// requests; `None` for any other request.
    async fn package(
        &self,
        user_id: &str,
        id: &str,
        lang: Lang,
    ) -> Result<Option<crate::domain::requests::AccessPackage>, StoreError>;
    /// The resident's notifications, newest first.
    async fn notifications(
        &self,
        user_id: &str,
    ) -> Result<Vec<crate::domain::requests::Notification>, StoreError>;
    /// How many are unread.
    async fn unread(&self, user_id: &str) -> Result<i64, StoreError>;
    /// Marks one (or, with `None`, every) notification read.
    async fn mark_read(&self, user_id: &str, id: Option<&str>) -> Result<(), StoreError>;
}

/// Why an officer's action on a request failed.
#[derive(Debug, thiserror::Error)]
pub enum CaseworkFailure {
    #[error("no such request")]
    NotFound,
    #[error(transparent)]
    Refused(#[from] crate::domain::requests::CaseworkError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<RequestError> for CaseworkFailure {
    fn from(e: RequestError) -> Self {
        match e {
            RequestError::NotFound => CaseworkFailure::NotFound,
            RequestError::Illegal(illegal) => CaseworkFailure::Refused(illegal.into()),
            RequestError::Input(_) => {
                CaseworkFailure::Refused(crate::domain::requests::CaseworkError::ReasonRequired)
            }
            RequestError::Store(store) => CaseworkFailure::Store(store),
        }
    }
}

/// The privacy office's work on requests. Every method records who acted in the admin
/// audit log, in the same transaction as the change.
#[async_trait::async_trait]
pub trait Casework: Send + Sync + 'static {
    /// One page of the queue, the most urgent first; `officer` is who asks (for "mine").
    async fn queue(
        &self,
        officer: &CurrentUser,
        filter: &crate::domain::requests::QueueFilter,
    ) -> Result<crate::domain::requests::QueuePage, StoreError>;
    /// Everything about one request.
    async fn case(
        &self,
        id: &str,
        lang: Lang,
    ) -> Result<Option<crate::domain::requests::CaseFile>, StoreError>;
    /// Assigns the request to an officer or admin (`None`: nobody).
    async fn assign(&self, officer: &CurrentUser, id: &str, to: Option<&str>) -> Result<(), CaseworkFailure>;
    /// The resident's identity is verified: the request is worked on.
    async fn verify(&self, officer: &CurrentUser, id: &str) -> Result<(), CaseworkFailure>;
    /// Extends the deadline once, with a reason the resident sees.
    async fn extend(&self, officer: &CurrentUser, id: &str, reason: &str) -> Result<(), CaseworkFailure>;
    /// Refuses the request, with a reason the resident sees.
    async fn reject(&self, officer: &CurrentUser, id: &str, reason: &str) -> Result<(), CaseworkFailure>;
    /// Completes an agency's task on its behalf.
    async fn complete_task(
        &self,
        officer: &CurrentUser,
        id: &str,
        task: &str,
        outcome: crate::domain::requests::TaskOutcome,
        note: &str,
    ) -> Result<(), CaseworkFailure>;
    /// Writes to the resident and pauses the clock until they answer.
    async fn ask(&self, officer: &CurrentUser, id: &str, question: &str) -> Result<(), CaseworkFailure>;
    /// The office at a glance: counts and the last weeks.
    async fn stats(&self) -> Result<crate::domain::requests::RequestStats, StoreError>;
    /// The record of processing activities: requests received from `from` to `to`.
    async fn records(
        &self,
        from: crate::domain::calendar::Date,
        to: crate::domain::calendar::Date,
    ) -> Result<Vec<crate::domain::requests::RequestRecord>, StoreError>;
    /// One page of the admin audit log, newest first.
    async fn audit(&self, before: Option<i64>) -> Result<crate::domain::requests::AuditPage, StoreError>;
    /// Files a request for a resident who came to a city office or phoned (assisted
    /// channel), found by resident number or recorded now as a new unverified resident;
    /// returns its id.
    async fn file_assisted(
        &self,
        officer: &CurrentUser,
        resident: &crate::domain::requests::AssistedResident,
        request: &crate::domain::requests::NewRequest,
    ) -> Result<String, CaseworkFailure>;
    /// Fulfils the request once every task is complete; an objection is then upheld.
    async fn fulfil(&self, officer: &CurrentUser, id: &str) -> Result<(), CaseworkFailure>;
}

/// The storage every request can reach, provided as Leptos context.
#[derive(Clone)]
pub struct Services {
    /// The register of city systems.
    pub register: Arc<dyn RegisterStore>,
    /// Accounts and sessions.
    pub accounts: Arc<dyn AccountService>,
    /// Residents' privacy requests.
    pub requests: Arc<dyn RequestStore>,
    /// The privacy office's work on them.
    pub casework: Arc<dyn Casework>,
    /// Residents' consents.
    pub consents: Arc<dyn ConsentStore>,
    /// The decision log, as residents read it.
    pub access_log: Arc<dyn AccessLog>,
    /// Residents' profiles.
    pub profiles: Arc<dyn ProfileStore>,
    /// The agency API's reference, derived from its OpenAPI document.
    pub api_reference: Arc<crate::domain::api_reference::ApiReference>,
}
