//! `/admin/requests`: the officer console's queue, most urgent first, with filters, search,
//! pages, and the form to file for a resident who came to an office or phoned.

use crate::components::page_title::PageTitle;
use crate::components::urgency_badge::UrgencyBadge;
use crate::console::{FileAssisted, request_queue};
use crate::i18n::{t, td_string, use_i18n};
use crate::requests::names::{kind_name, status_name};
use domain::requests::{QueuePage, QueueRow, RequestKind, RequestStatus};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::shared::{action_error, staff_refused};

/// `/admin/requests`: the queue.
#[component]
pub fn RequestQueuePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k);
    let page = Resource::new(
        move || {
            (
                get("status"),
                get("kind"),
                get("agency"),
                get("overdue"),
                get("mine"),
                get("q"),
                get("cursor"),
            )
        },
        |(status, kind, agency, overdue, mine, q, cursor)| {
            request_queue(status, kind, agency, overdue, mine, q, cursor)
        },
    );
    view! {
        <PageTitle text=|l| td_string!(l, console.queue_title) />
        <h1 id="queue-heading">{t!(i18n, console.queue_title)}</h1>
        <p>{t!(i18n, console.queue_intro)}</p>
        <QueueFilters />
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <QueueTable page /> <AssistedForm /> }.into_any(),
                    Err(error) => staff_refused(error),
                }
            })}
        </Suspense>
    }
}

/// The filter form: a plain GET, so it works without JavaScript and links can be shared.
#[component]
fn QueueFilters() -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let query = use_query_map();
    let current = move |k: &str| query.read_untracked().get(k).unwrap_or_default();
    let (status, kind, agency, q) = (
        current("status"),
        current("kind"),
        current("agency"),
        current("q"),
    );
    let (overdue, mine) = (!current("overdue").is_empty(), !current("mine").is_empty());
    view! {
        <form method="get" action="/admin/requests" class="filters" role="search">
            <div class="field">
                <label for="f-status">{t!(i18n, console.filter_status)}</label>
                <select id="f-status" name="status">
                    <option value="">{t!(i18n, console.any)}</option>
                    {RequestStatus::ALL.iter().map(|&s| view! {
                        <option value=s.code() selected=s.code() == status>{move || status_name(l(), s)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-kind">{t!(i18n, console.filter_kind)}</label>
                <select id="f-kind" name="kind">
                    <option value="">{t!(i18n, console.any)}</option>
                    {RequestKind::ALL.iter().map(|&k| view! {
                        <option value=k.code() selected=k.code() == kind>{move || kind_name(l(), k)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-agency">{t!(i18n, console.filter_agency)}</label>
                <input id="f-agency" name="agency" type="text" value=agency placeholder="riverton-transit" />
            </div>
            <div class="field field-wide">
                <label for="f-q">{t!(i18n, console.search)}</label>
                <input id="f-q" name="q" type="search" value=q />
            </div>
            <div class="choice">
                <input id="f-overdue" name="overdue" type="checkbox" value="1" checked=overdue />
                <label for="f-overdue">{t!(i18n, console.filter_overdue)}</label>
            </div>
            <div class="choice">
                <input id="f-mine" name="mine" type="checkbox" value="1" checked=mine />
                <label for="f-mine">{t!(i18n, console.filter_mine)}</label>
            </div>
            <button type="submit" class="button-primary">{t!(i18n, console.apply)}</button>
        </form>
    }
}

/// Files a request for a resident who came to a city office or phoned.
#[component]
fn AssistedForm() -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let file = ServerAction::<FileAssisted>::new();
    view! {
        <section class="card">
            <h2>{t!(i18n, console.assisted_title)}</h2>
            <p>{t!(i18n, console.assisted_intro)}</p>
            {action_error(file)}
            <ActionForm action=file attr:class="stack-form">
                <label for="assisted-number">{t!(i18n, console.assisted_number)}</label>
                <input id="assisted-number" name="resident_number" type="text" autocomplete="off" placeholder="GH-XXXX-XXXX" />
                <fieldset>
                    <legend>{t!(i18n, console.assisted_or)}</legend>
                    <label for="assisted-name">{t!(i18n, console.assisted_name)}</label>
                    <input id="assisted-name" name="name" type="text" autocomplete="off" maxlength="80" />
                    <label for="assisted-email">{t!(i18n, console.assisted_email)}</label>
                    <input id="assisted-email" name="email" type="email" autocomplete="off" />
                    <label for="assisted-phone">{t!(i18n, console.assisted_phone)}</label>
                    <input id="assisted-phone" name="phone" type="tel" autocomplete="off" />
                </fieldset>
                <label for="assisted-kind">{t!(i18n, console.filter_kind)}</label>
                <select id="assisted-kind" name="kind">
                    {RequestKind::ALL.iter().map(|&k| view! { <option value=k.code()>{move || kind_name(l(), k)}</option> }).collect_view()}
                </select>
                <label for="assisted-purpose">{t!(i18n, requests.purpose_label)}</label>
                <input id="assisted-purpose" name="purpose" type="text" placeholder="central-station-cctv/passenger-safety" />
                <label for="assisted-details">{t!(i18n, requests.details_label)}</label>
                <textarea id="assisted-details" name="details" rows="3" maxlength="4000"></textarea>
                <button type="submit" class="button-primary">{t!(i18n, console.assisted_submit)}</button>
            </ActionForm>
        </section>
    }
}

/// The badge of a request's time left: ≥ 10 days green, < 10 amber, < 5 red, overdue.
#[component]
fn DaysBadge(row: QueueRow) -> impl IntoView {
    let i18n = use_i18n();
    let days = row.summary.days_left;
    view! {
        <UrgencyBadge urgency=row.urgency()>
            {match days {
                Some(n) if n < 0 => t!(i18n, console.overdue).into_any(),
                Some(n) => t!(i18n, console.days, n = move || n).into_any(),
                None => "—".into_any(),
            }}
        </UrgencyBadge>
    }
}

#[component]
fn QueueTable(page: QueuePage) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let query = use_query_map();
    // The same filters, starting at `cursor` (the first page when `None`).
    let link_to = move |cursor: Option<String>| {
        let mut pairs: Vec<(String, String)> = query
            .get_untracked()
            .into_iter()
            .filter(|(k, _)| k != "cursor")
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        pairs.extend(cursor.map(|c| ("cursor".to_owned(), c)));
        let encoded: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", domain::query::query_value(v)))
            .collect();
        format!("/admin/requests?{}", encoded.join("&"))
    };
    if page.rows.is_empty() {
        // A later page can come out empty when requests closed since the page before: the
        // way back to the first page stays.
        let back = page.later.then(|| {
            view! {
                <nav class="pager" aria-label=move || td_string!(l(), console.queue_title)>
                    <A href=link_to(None)>{t!(i18n, console.first_page)}</A>
                </nav>
            }
        });
        return view! { <p class="empty">{t!(i18n, console.none)}</p> {back} }.into_any();
    }
    let (later, next) = (page.later, page.next_cursor.clone());
    view! {
        // On a phone the table scrolls sideways in its own box: a labelled region a keyboard
        // can reach and scroll (axe: scrollable-region-focusable).
        <div class="table-scroll" role="region" tabindex="0" aria-labelledby="queue-heading">
            <table class="queue" data-testid="request-queue">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, console.col_request)}</th>
                        <th scope="col">{t!(i18n, console.col_resident)}</th>
                        <th scope="col">{t!(i18n, console.col_status)}</th>
                        <th scope="col">{t!(i18n, console.col_due)}</th>
                        <th scope="col">{t!(i18n, console.col_left)}</th>
                        <th scope="col">{t!(i18n, console.col_tasks)}</th>
                        <th scope="col">{t!(i18n, console.col_assigned)}</th>
                    </tr>
                </thead>
                <tbody>
                    {page.rows.into_iter().map(|row| {
                        let (kind, status) = (row.summary.kind, row.summary.status);
                        let href = format!("/admin/requests/{}", row.summary.id);
                        view! {
                            <tr data-status=status.code() data-kind=kind.code()>
                                <th scope="row"><A href=href>{move || kind_name(l(), kind)}</A></th>
                                <td><bdi dir="ltr">{row.resident_number.clone()}</bdi></td>
                                <td>{move || status_name(l(), status)}</td>
                                <td><time datetime=row.summary.due.to_string()>{row.summary.due.to_string()}</time></td>
                                <td><DaysBadge row=row.clone() /></td>
                                <td>{row.open_tasks}</td>
                                <td>{row.assigned_to.clone().unwrap_or_else(|| td_string!(l(), console.nobody).to_owned())}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label=move || td_string!(l(), console.queue_title)>
            {later.then(|| view! { <A href=link_to(None)>{t!(i18n, console.first_page)}</A> })}
            {next.map(|c| view! { <A href=link_to(Some(c))>{t!(i18n, console.older)}</A> })}
        </nav>
    }
    .into_any()
}
