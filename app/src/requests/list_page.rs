//! `/my/requests`: the resident's requests, newest first, in pages (`?cursor=`).
use crate::components::page_title::PageTitle;
use crate::components::pager::{Pager, list_refused};
use crate::components::signed_in::MyNav;
use crate::i18n::{t, td_string, use_i18n};
use crate::requests::my_requests;
use domain::requests::RequestSummary;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::names::{TimeLeft, kind_name, status_name};

/// `/my/requests`: the signed-in resident's requests, newest first, a page at a time.
#[component]
pub fn RequestsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let requests = Resource::new(move || query.read().get("cursor"), my_requests);
    view! {
        <PageTitle text=|l| td_string!(l, requests.title) />
        <h1>{t!(i18n, requests.title)}</h1>
        <MyNav />
        <p>{t!(i18n, requests.intro)}</p>
        <p><A href="/my/requests/new" attr:class="button-primary">{t!(i18n, requests.new_link)}</A></p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match requests.await {
                    Ok(page) if page.items.is_empty() && !page.later => {
                        view! { <p class="empty">{t!(i18n, requests.none)}</p> }.into_any()
                    }
                    Ok(page) => {
                        let (later, empty, next) = (page.later, page.items.is_empty(), page.next_cursor);
                        view! {
                            {(!empty).then(|| view! {
                                <ol class="log" data-testid="my-requests">
                                    {page.items.into_iter().map(|summary| view! { <RequestItem summary /> }).collect_view()}
                                </ol>
                            })}
                            <Pager base=BASE label=|l| td_string!(l, requests.pages) later next_cursor=next empty />
                        }
                        .into_any()
                    }
                    Err(error) => list_refused(error, BASE),
                }
            })}
        </Suspense>
    }
}

/// The list's address.
const BASE: &str = "/my/requests";

#[component]
fn RequestItem(summary: RequestSummary) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let (kind, status) = (summary.kind, summary.status);
    let href = format!("/my/requests/{}", summary.id);
    view! {
        <li class="card log-entry" data-status=status.code() data-kind=kind.code()>
            <p class="log-head">
                <A href=href><strong>{move || kind_name(l(), kind)}</strong></A>
                " · " {move || status_name(l(), status)}
            </p>
            <dl class="facts compact">
                <dt>{t!(i18n, requests.col_received)}</dt>
                <dd><time datetime=summary.received.to_string()>{summary.received.to_string()}</time></dd>
                <dt>{t!(i18n, requests.col_due)}</dt>
                <dd><time datetime=summary.due.to_string()>{summary.due.to_string()}</time></dd>
                <dt>{t!(i18n, requests.col_left)}</dt>
                <dd><TimeLeft summary=summary.clone() /></dd>
            </dl>
        </li>
    }
}
