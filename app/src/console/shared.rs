//! What the officer console's pages share: how a refused staff page answers, and the
//! error line under an action's form.

use crate::components::error_notice::ErrorNotice;
use crate::components::signed_in::refused;
use crate::components::status::set_http_status;
use crate::error::AppError;
use crate::i18n::{t, use_i18n};
use domain::account::AuthError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// A refused staff page: 403 for residents, the sign-in page for visitors.
pub fn staff_refused(error: AppError) -> AnyView {
    if error == AppError::Auth(AuthError::Forbidden) {
        set_http_status(403);
        let i18n = use_i18n();
        view! { <p class="notice">{t!(i18n, console.forbidden)}</p> }.into_any()
    } else {
        refused(error)
    }
}

/// The error of the last submission of an action, if any.
pub fn action_error<S>(action: ServerAction<S>) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| view! { <ErrorNotice error /> })
    }
}
