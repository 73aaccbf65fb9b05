//! The page for an address that leads nowhere, answered with status 404.

use crate::components::page_title::PageTitle;
use crate::components::status::set_http_status;
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;

/// A 404 page that says what to do next.
#[component]
pub fn NotFound() -> impl IntoView {
    set_http_status(404);
    let i18n = use_i18n();
    view! {
        <PageTitle text=|l| crate::i18n::td_string!(l, not_found.title) />
        <h1>{t!(i18n, not_found.title)}</h1>
        <p>{t!(i18n, not_found.body)}</p>
        <p>
            <A href="/systems">{t!(i18n, not_found.to_register)}</A>
        </p>
    }
}
