//! The links between the pages of a resident's own list: on to the older items, and back to
//! the newest from any later page (even one that came out empty because the list changed
//! since the page before). Plain links with the cursor in the query, so they work without
//! JavaScript.

use crate::components::error_notice::ErrorNotice;
use crate::components::signed_in::refused;
use crate::error::AppError;
use crate::i18n::{Locale, t, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;

/// The pager of the list at `base` (a path without a query), named `label` for screen
/// readers. A later page that came out empty says so, and keeps its way back.
#[component]
pub fn Pager(
    base: &'static str,
    label: fn(Locale) -> &'static str,
    later: bool,
    next_cursor: Option<String>,
    /// Whether the page came out empty.
    #[prop(optional)]
    empty: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    (later || next_cursor.is_some()).then(|| {
        view! {
            {(later && empty).then(|| view! { <p class="empty">{t!(i18n, my.later_empty)}</p> })}
            <nav class="pager" aria-label=move || label(i18n.get_locale())>
                {later.then(|| view! { <A href=base>{t!(i18n, my.first_page)}</A> })}
                {next_cursor.map(|c| view! { <A href=format!("{base}?cursor={c}")>{t!(i18n, my.next_page)}</A> })}
            </nav>
        }
    })
}

/// What a list page shows when its server function refused: a cursor of the wrong shape
/// is told in a sentence with the way back to the list's first page; anything else as
/// every resident page tells it.
pub fn list_refused(error: AppError, base: &'static str) -> AnyView {
    if error != AppError::BadCursor {
        return refused(error);
    }
    crate::components::status::set_http_status(error.http_status());
    let i18n = use_i18n();
    view! {
        <ErrorNotice error />
        <p><A href=base>{t!(i18n, my.first_page)}</A></p>
    }
    .into_any()
}
