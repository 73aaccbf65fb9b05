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
    /// A privacy request could not be filed as sent.
    #[error(transparent)]
    RequestInput(#[from] crate::domain::requests::RequestInputError),
    /// An officer's action on a request was refused; nothing changed.
    #[error(transparent)]
    Casework(#[from] crate::domain::requests::CaseworkError),
    /// The request is closed (fulfilled, rejected or withdrawn): nothing more can change.
    #[error("this request is closed")]
    RequestClosed,
    /// Storage or another internal part failed; the detail is in the server log.
    #[error("temporarily unavailable")]
    Unavailable,
    /// An account action was refused.
    #[error(transparent)]
    Auth(#[from] crate::domain::account::AuthError),
    /// The request did not reach the server function or its answer was unreadable.
    #[error("request failed: {0}")]
    Transport(String),
}

impl AppError {
    /// The error a server function answers to a caller who is not signed in or not allowed.
    pub fn denied(signed_in: bool) -> AppError {
        use crate::domain::account::AuthError;
        AppError::Auth(if signed_in {
            AuthError::Forbidden
        } else {
            AuthError::NotSignedIn
        })
    }
}

impl AppError {
    /// The HTTP status a script's call to a refused server function answers with.
    pub fn http_status(&self) -> u16 {
        use crate::domain::account::AuthError;
        match self {
            AppError::NotFound => 404,
            AppError::InvalidInput(_) | AppError::NotAChoice | AppError::RequestInput(_) => 422,
            AppError::RequestClosed => 409,
            AppError::Casework(
                crate::domain::requests::CaseworkError::ReasonRequired
                | crate::domain::requests::CaseworkError::Input(_)
                | crate::domain::requests::CaseworkError::NoSuchResident
                | crate::domain::requests::CaseworkError::Contact(_),
            ) => 422,
            AppError::Casework(_) => 409,
            AppError::NoticeChanged => 409,
            AppError::Unavailable => 503,
            AppError::Transport(_) => 400,
            AppError::Auth(auth) => match auth {
                AuthError::EmailTaken => 409,
                AuthError::InvalidCredentials | AuthError::NotSignedIn => 401,
                AuthError::WrongPassword | AuthError::Input(_) => 422,
                AuthError::RateLimited { .. } => 429,
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
}

#[cfg(feature = "ssr")]
impl From<crate::ports::StoreError> for AppError {
    fn from(e: crate::ports::StoreError) -> Self {
        tracing::error!(error = %e, "storage failed in a server function");
        AppError::Unavailable
    }
}

#[cfg(feature = "ssr")]
impl From<crate::ports::RequestError> for AppError {
    fn from(e: crate::ports::RequestError) -> Self {
        use crate::ports::RequestError;
        match e {
            RequestError::NotFound => AppError::NotFound,
            RequestError::Input(input) => AppError::RequestInput(input),
            RequestError::Illegal(_) => AppError::RequestClosed,
            RequestError::Store(store) => store.into(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<crate::ports::CaseworkFailure> for AppError {
    fn from(e: crate::ports::CaseworkFailure) -> Self {
        use crate::ports::CaseworkFailure;
        match e {
            CaseworkFailure::NotFound => AppError::NotFound,
            CaseworkFailure::Refused(refused) => AppError::Casework(refused),
            CaseworkFailure::Store(store) => store.into(),
        }
    }
}
