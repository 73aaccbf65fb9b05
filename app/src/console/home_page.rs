//! `/admin`: the officer console's home. Anyone but an officer or admin gets a 403 page.

use crate::accounts::who_am_i;
use crate::components::error_notice::ErrorNotice;
use crate::components::page_title::PageTitle;
use crate::components::status::set_http_status;
use crate::components::week_chart::WeekChart;
use crate::console::request_stats;
use crate::console::{ConfirmEnrollmentFor, console_overview};
use crate::i18n::{t, td_string, use_i18n};
use domain::account::{CurrentUser, Role};
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
    let is_admin = user.role == Role::Admin;
    view! {
        <PageTitle text=|l| td_string!(l, admin.title) />
        <h1>{t!(i18n, admin.title)}</h1>
        <p>{t!(i18n, admin.welcome)} " " <strong>{user.display_name}</strong></p>
        <nav class="sub-nav" aria-label=move || td_string!(i18n.get_locale(), admin.title)>
            <ul>
                <li><A href="/admin/requests">{t!(i18n, console.queue_link)}</A></li>
                <li><A href="/admin/register">{t!(i18n, editor.desk_link)}</A></li>
                <li><A href="/admin/breaches">{t!(i18n, breaches.desk_title)}</A></li>
                {is_admin.then(|| view! { <li><A href="/admin/audit">{t!(i18n, console.audit_link)}</A></li> })}
                {is_admin.then(|| view! { <li><A href="/admin/clients">{t!(i18n, clients.title)}</A></li> })}
                <li><A href="/systems">{t!(i18n, nav.register)}</A></li>
            </ul>
        </nav>
        <RequestOverview />
        <RecordsForm />
        <CounterEnrollment />
        <Overview />
    }
}

/// Privacy requests at a glance: the counts that matter and the last weeks.
#[component]
fn RequestOverview() -> impl IntoView {
    let i18n = use_i18n();
    let stats = Resource::new(|| (), |_| request_stats());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match stats.await {
                    Ok(s) => view! {
                        <dl class="stats" data-testid="request-stats">
                            <div><dt>{t!(i18n, console.stats_open)}</dt><dd data-stat="open">{s.open}</dd></div>
                            <div><dt>{t!(i18n, console.stats_due_soon)}</dt><dd data-stat="due_soon">{s.due_soon}</dd></div>
                            <div><dt>{t!(i18n, console.stats_overdue)}</dt><dd data-stat="overdue">{s.overdue}</dd></div>
                            <div><dt>{t!(i18n, console.stats_on_time)}</dt><dd data-stat="on_time">{s.closed_on_time_this_month}</dd></div>
                        </dl>
                        <WeekChart weeks=s.weeks />
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The record of processing activities for a period, as CSV (a plain GET form).
#[component]
fn RecordsForm() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form method="get" action="/admin/requests.csv" class="inline-form">
            <label for="csv-from">{t!(i18n, console.csv_from)}</label>
            <input id="csv-from" name="from" type="date" />
            <label for="csv-to">{t!(i18n, console.csv_to)}</label>
            <input id="csv-to" name="to" type="date" />
            <button type="submit" class="button-secondary">{t!(i18n, console.csv)}</button>
        </form>
    }
}

/// For a resident at a counter with an agency's enrollment code (and perhaps no phone or
/// computer of their own): the officer enters the code for them.
#[component]
fn CounterEnrollment() -> impl IntoView {
    let i18n = use_i18n();
    let confirm = ServerAction::<ConfirmEnrollmentFor>::new();
    let pending = confirm.pending();
    let outcome = move || {
        confirm.value().get().map(|answer| match answer {
            Ok(event) => view! {
                <p class="notice notice-ok" role="status" data-testid="counter-enrolled">
                    {t!(i18n, console.enrol_done, system = move || event.system_name.clone())}
                </p>
            }
            .into_any(),
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        })
    };
    view! {
        <section class="card" aria-labelledby="counter-enrol-heading">
            <h2 id="counter-enrol-heading">{t!(i18n, console.enrol_heading)}</h2>
            <p>{t!(i18n, console.enrol_intro)}</p>
            {outcome}
            <ActionForm action=confirm>
                <input type="hidden" name="lang" value=move || crate::i18n_support::lang_of(i18n.get_locale()).code() />
                <div class="field">
                    <label for="counter-number">{t!(i18n, console.enrol_number)}</label>
                    <input id="counter-number" name="resident_number" type="text" required autocomplete="off" />
                </div>
                <div class="field">
                    <label for="counter-code">{t!(i18n, console.enrol_code)}</label>
                    <input id="counter-code" name="code" type="text" required autocomplete="off" autocapitalize="characters" spellcheck="false" />
                </div>
                <button type="submit" class="button-primary" disabled=move || pending.get()>{t!(i18n, console.enrol_submit)}</button>
            </ActionForm>
        </section>
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
