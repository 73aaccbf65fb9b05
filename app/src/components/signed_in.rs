//! What a resident's page shows when its server function refused: the sign-in page for
//! a visitor who is not signed in, the error otherwise.

use super::error_notice::ErrorNotice;
use crate::error::AppError;
use crate::i18n::{t, use_i18n};
use domain::account::{AuthError, ReturnTo};
use leptos::prelude::*;
use leptos_router::components::A;

/// Sends a signed-out visitor to `/login` (a link in the browser), which returns to this
/// page once signed in; shows any other error.
pub fn refused(error: AppError) -> AnyView {
    if error == AppError::Auth(AuthError::NotSignedIn) {
        let location = leptos_router::hooks::use_location();
        let here = super::lang_switch::with_query(
            &location.pathname.get_untracked(),
            &location.search.get_untracked(),
        );
        let login = match ReturnTo::query_of(&here) {
            query if query.is_empty() => "/login".to_owned(),
            query => format!("/login?{query}"),
        };
        super::status::redirect_during_render(&login);
        let i18n = use_i18n();
        view! { <p><A href=login>{t!(i18n, auth_errors.not_signed_in)}</A></p> }.into_any()
    } else {
        view! { <ErrorNotice error /> }.into_any()
    }
}

/// The links between the resident's own pages.
#[component]
pub fn MyNav() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="sub-nav" aria-label=move || crate::i18n::td_string!(i18n.get_locale(), my.nav_label)>
            <ul>
                <li><A href="/my" exact=true>{t!(i18n, my.title)}</A></li>
                <li><A href="/my/consents/history">{t!(i18n, history.title)}</A></li>
                <li><A href="/my/access-log">{t!(i18n, access.title)}</A></li>
                <li><A href="/my/requests">{t!(i18n, requests.nav)}</A></li>
                <li><A href="/my/notifications">{t!(i18n, notifications.nav)}</A></li>
                <li><A href="/account/profile">{t!(i18n, profile.title)}</A></li>
            </ul>
        </nav>
    }
}
