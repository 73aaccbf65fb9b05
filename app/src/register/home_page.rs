//! `/`: what Glasshouse is, in two sentences, and the way into the register.

use crate::components::page_title::PageTitle;
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;

/// The home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=|l| crate::i18n::td_string!(l, home.title) />
        <section class="hero">
            <h1>{t!(i18n, home.heading)}</h1>
            <p class="lead">{t!(i18n, home.intro)}</p>
            <p>
                <A href="/systems" attr:class="button">{t!(i18n, home.cta)}</A>
            </p>
        </section>
    }
}
