//! `/my/requests`: the resident's requests, newest first.
use crate::components::page_title::PageTitle;
use crate::components::signed_in::{MyNav, refused};
use crate::i18n::{t, td_string, use_i18n};
use crate::requests::my_requests;
use domain::requests::RequestSummary;
use leptos::prelude::*;
use leptos_router::components::A;

use super::names::{TimeLeft, kind_name, status_name};

/// `/my/requests`: every request of the signed-in resident, newest first.
#[component]
pub fn RequestsPage() -> impl IntoView {
    let i18n = use_i18n();
    let requests = Resource::new(|| (), |_| my_requests());
    view! {
        <PageTitle text=|l| td_string!(l, requests.title) />
        <h1>{t!(i18n, requests.title)}</h1>
        <MyNav />
        <p>{t!(i18n, requests.intro)}</p>
        <p><A href="/my/requests/new" attr:class="button-primary">{t!(i18n, requests.new_link)}</A></p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match requests.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, requests.none)}</p> }.into_any(),
                    Ok(list) => view! {
                        <ol class="log" data-testid="my-requests">
                            {list.into_iter().map(|summary| view! { <RequestItem summary /> }).collect_view()}
                        </ol>
                    }
                    .into_any(),
                    Err(error) => refused(error),
                }
            })}
        </Suspense>
    }
}

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
