//! The error server functions return: what went wrong, in terms a page can explain.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Why a server function could not answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist (or the caller may not know it exists).
    #[error("not found")]
    NotFound,
    /// The input was not acceptable; the text says which field and why.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The purpose rests on a legal basis other than consent: there is nothing to grant or withdraw.
    #[error("this purpose does not rest on consent")]
    NotAChoice,
    /// What the resident was shown changed before they chose; they should read it again.
    #[error("the notice changed since it was shown")]
    NoticeChanged,
    /// An enrollment code was not accepted; nothing was stored.
    #[error(transparent)]
    Enrollment(#[from] domain::consent::EnrollmentRefused),
    /// A privacy request could not be filed as sent.
    #[error(transparent)]
    RequestInput(#[from] domain::requests::RequestInputError),
    /// An officer's action on a request was refused; nothing changed.
    #[error(transparent)]
    Console(#[from] domain::requests::ConsoleError),
    /// A step of a public review (or a register edit it blocks) was refused; nothing changed.
    #[error(transparent)]
    Review(#[from] domain::register::ReviewRefused),
    /// A step of a breach incident was refused; nothing changed.
    #[error(transparent)]
    Breach(#[from] domain::breaches::BreachRefused),
    /// An officer's register entry has problems: each beside its field, with what was sent,
    /// so a form without JavaScript loses nothing.
    #[error("the entry has {} problems", problems.len())]
    RegisterForm {
        problems: Vec<(String, String)>,
        fields: domain::register::FormFields,
    },
    /// The request is closed (fulfilled, rejected or withdrawn): nothing more can change.
    #[error("this request is closed")]
    RequestClosed,
    /// Storage or another internal part failed; the detail is in the server log.
    #[error("temporarily unavailable")]
    Unavailable,
    /// An account action was refused.
    #[error(transparent)]
    Auth(#[from] domain::account::AuthError),
    /// The resident used up an allowance (requests a day, messages an hour); nothing was stored.
    #[error(transparent)]
    Quota(#[from] domain::requests::QuotaExceeded),
    /// A page link's `cursor` is not of its list's shape (edited, or cut short): nothing to
    /// guess at; the list starts again from its first page.
    #[error("the page link is not one this list gives out")]
    BadCursor,
    /// The request did not reach the server function or its answer was unreadable.
    #[error("request failed: {0}")]
    Transport(String),
}

impl From<domain::paging::PagingError> for AppError {
    fn from(error: domain::paging::PagingError) -> Self {
        match error {
            domain::paging::PagingError::Cursor => AppError::BadCursor,
            domain::paging::PagingError::Limit(_) => AppError::InvalidInput("limit".to_owned()),
        }
    }
}

impl AppError {
    /// The error a server function answers to a caller who is not signed in or not allowed.
    pub fn denied(signed_in: bool) -> AppError {
        use domain::account::AuthError;
        AppError::Auth(if signed_in {
            AuthError::Forbidden
        } else {
            AuthError::NotSignedIn
        })
    }
}

impl AppError {
    /// How long the caller should wait before trying again, for a refusal that is about load.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::Auth(
                domain::account::AuthError::RateLimited { retry_after_secs }
                | domain::account::AuthError::BackingOff { retry_after_secs },
            )
            | AppError::Quota(domain::requests::QuotaExceeded { retry_after_secs, .. }) => {
                Some(*retry_after_secs)
            }
            _ => None,
        }
    }

    /// The HTTP status a script's call to a refused server function answers with.
    pub fn http_status(&self) -> u16 {
        use domain::account::AuthError;
        match self {
            AppError::NotFound => 404,
            AppError::InvalidInput(_) | AppError::NotAChoice | AppError::RequestInput(_) => 422,
            AppError::RequestClosed => 409,
            AppError::BadCursor => 422,
            AppError::RegisterForm { .. } => 422,
            AppError::Breach(refused) => {
                use domain::breaches::BreachRefused as B;
                match refused {
                    B::NotFound => 404,
                    B::Stage(_) | B::CountMismatch { .. } => 409,
                    B::Required(_) | B::TooLong(..) | B::Window | B::NoScope | B::ReasonsRequired => 422,
                }
            }
            AppError::Review(refused) => {
                use domain::register::ReviewRefused as R;
                match refused {
                    R::NotFound => 404,
                    R::TooManyReports => 429,
                    R::TextRequired
                    | R::BodyRequired
                    | R::FutureDecision
                    | R::PeriodLength
                    | R::ReportIncomplete(_) => 422,
                    R::Stage { .. }
                    | R::PeriodOpen(_)
                    | R::CommentsClosed
                    | R::AnswerFirst
                    | R::ReviewOpen
                    | R::Proposal(_) => 409,
                }
            }
            AppError::Console(
                domain::requests::ConsoleError::ReasonRequired
                | domain::requests::ConsoleError::Input(_)
                | domain::requests::ConsoleError::NoSuchResident
                | domain::requests::ConsoleError::Contact(_),
            ) => 422,
            AppError::Console(_) => 409,
            AppError::NoticeChanged => 409,
            AppError::Enrollment(refused) => match refused {
                domain::consent::EnrollmentRefused::UnknownCode
                | domain::consent::EnrollmentRefused::Expired => 422,
                domain::consent::EnrollmentRefused::AlreadyUsed
                | domain::consent::EnrollmentRefused::SystemNotActive => 409,
            },
            AppError::Unavailable => 503,
            AppError::Quota(_) => 429,
            AppError::Transport(_) => 400,
            AppError::Auth(auth) => match auth {
                AuthError::EmailTaken => 409,
                AuthError::InvalidCredentials | AuthError::NotSignedIn | AuthError::SignInExpired => 401,
                AuthError::WrongPassword
                | AuthError::WrongCode
                | AuthError::WrongEnrolmentCode
                | AuthError::EnrolmentCodeSpent
                | AuthError::Input(_) => 422,
                AuthError::Disabled => 403,
                AuthError::RateLimited { .. } | AuthError::BackingOff { .. } => 429,
                AuthError::Forbidden => 403,
                AuthError::Unavailable => 503,
            },
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }

    /// Serialises the error as it leaves a server function, and gives the response the
    /// error's own status (422, 401, 409...) instead of server_fn's blanket 500. A plain
    /// HTML form post keeps Leptos' redirect back to the form, which shows the error.
    fn ser(&self) -> leptos::server_fn::Bytes {
        #[cfg(feature = "ssr")]
        {
            crate::backend::refuse_with_status(self.http_status());
            if let Some(secs) = self.retry_after_secs() {
                crate::backend::retry_after(secs);
            }
        }
        use leptos::server_fn::Encodes;
        JsonEncoding::encode(self)
            .unwrap_or_else(|_| leptos::server_fn::Bytes::from_static(b"\"Unavailable\""))
    }
}

impl From<domain::consent::ChoiceRefused> for AppError {
    fn from(e: domain::consent::ChoiceRefused) -> Self {
        match e {
            domain::consent::ChoiceRefused::NotConsentBased => AppError::NotAChoice,
            domain::consent::ChoiceRefused::NoticeChanged => AppError::NoticeChanged,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<store::StoreError> for AppError {
    fn from(e: store::StoreError) -> Self {
        tracing::error!(error = %e, "storage failed in a server function");
        AppError::Unavailable
    }
}

#[cfg(feature = "ssr")]
impl From<store::consent::ConfirmError> for AppError {
    fn from(e: store::consent::ConfirmError) -> Self {
        match e {
            store::consent::ConfirmError::Refused(refused) => AppError::Enrollment(refused),
            store::consent::ConfirmError::Store(store) => store.into(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<store::requests::FileError> for AppError {
    /// A resident's filing; an officer's maps its refusals to `Console` itself.
    fn from(e: store::requests::FileError) -> Self {
        use domain::requests::ConsoleError;
        use store::requests::FileError;
        match e {
            FileError::Input(input) => AppError::RequestInput(input),
            FileError::Contact(contact) => AppError::Console(ConsoleError::Contact(contact)),
            FileError::NoSuchResident => AppError::Console(ConsoleError::NoSuchResident),
            FileError::Quota(quota) => AppError::Quota(quota),
            FileError::Store(store) => store.into(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<store::requests::ApplyError> for AppError {
    fn from(e: store::requests::ApplyError) -> Self {
        match e {
            store::requests::ApplyError::Raced(illegal) => AppError::Console(illegal.into()),
            store::requests::ApplyError::Store(store) => store.into(),
        }
    }
}
