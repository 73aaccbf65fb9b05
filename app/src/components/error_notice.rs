//! How a failed server function is told to a resident.

use crate::error::AppError;
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;

/// A readable message for `error`, announced to screen readers.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let message = match error {
        AppError::NotFound => t!(i18n, errors.not_found).into_any(),
        AppError::InvalidInput(detail) => {
            view! { {t!(i18n, errors.invalid_input)} " (" {detail} ")" }.into_any()
        }
        AppError::Unavailable => t!(i18n, errors.unavailable).into_any(),
        AppError::Transport(_) => t!(i18n, errors.transport).into_any(),
    };
    view! {
        <div class="notice notice-error" role="alert">
            <p>{message}</p>
        </div>
    }
}
