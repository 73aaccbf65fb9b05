//! `/admin`: the officer console's home. Anyone but an officer or admin gets a 403 page.

use crate::accounts::{console_overview, who_am_i};
use crate::components::error_notice::ErrorNotice;
use crate::components::page_title::PageTitle;
use crate::components::status::set_http_status;
use crate::domain::account::CurrentUser;
use crate::i18n::{t, td_string, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;

/// The console home for staff; a 403 page for everyone else.
#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| who_am_i());
    view! {
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(user)) if user.role.is_staff() => view! { <Console user /> }.into_any(),
                    Ok(user) => view! { <Forbidden signed_in=user.is_some() /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Console(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=|l| td_string!(l, admin.title) />
        <h1>{t!(i18n, admin.title)}</h1>
        <p>{t!(i18n, admin.welcome)} " " <strong>{user.display_name}</strong></p>
        <Overview />
        <p>{t!(i18n, admin.coming)}</p>
        <p><A href="/systems">{t!(i18n, nav.register)}</A></p>
    }
}

/// The register at a glance, from a staff-only server function.
#[component]
fn Overview() -> impl IntoView {
    let i18n = use_i18n();
    let overview = Resource::new(|| (), |_| console_overview());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! {
                        <dl class="facts">
                            <dt>{t!(i18n, admin.agencies)}</dt><dd>{o.agencies}</dd>
                            <dt>{t!(i18n, admin.systems)}</dt><dd>{o.systems}</dd>
                            <dt>{t!(i18n, admin.purposes)}</dt><dd>{o.purposes}</dd>
                            <dt>{t!(i18n, admin.planned)}</dt><dd>{o.planned_systems}</dd>
                        </dl>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The 403 page: says why and what to do.
#[component]
fn Forbidden(signed_in: bool) -> impl IntoView {
    set_http_status(403);
    let i18n = use_i18n();
    view! {
        <PageTitle text=|l| td_string!(l, admin.forbidden_title) />
        <h1>{t!(i18n, admin.forbidden_title)}</h1>
        <p>{t!(i18n, admin.forbidden_body)}</p>
        {(!signed_in).then(|| view! { <p><A href="/login">{t!(i18n, nav.sign_in)}</A></p> })}
    }
}
