//! `/my/consents/history`: every consent event of the signed-in resident, newest first,
//! each with its receipt, in pages (`?cursor=`).

use crate::components::page_title::PageTitle;
use crate::components::pager::{Pager, list_refused};
use crate::components::signed_in::MyNav;
use crate::consent::consent_history;
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::use_lang;
use domain::consent::{Channel, ConsentAction, ConsentEventView};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// The page.
#[component]
pub fn ConsentHistoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let query = use_query_map();
    let events = Resource::new(
        move || (lang.get(), query.read().get("cursor")),
        |(lang, cursor)| consent_history(lang, cursor),
    );
    view! {
        <PageTitle text=|l| td_string!(l, history.title) />
        <h1>{t!(i18n, history.title)}</h1>
        <MyNav />
        <p>{t!(i18n, history.intro)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(page) if page.items.is_empty() && !page.later => {
                        view! { <p class="empty">{t!(i18n, history.none)}</p> }.into_any()
                    }
                    Ok(page) => {
                        let (later, empty, next) = (page.later, page.items.is_empty(), page.next_cursor);
                        view! {
                            {(!empty).then(|| view! {
                                <ol class="log" data-testid="consent-history">
                                    {page.items.into_iter().map(|event| view! { <EventItem event /> }).collect_view()}
                                </ol>
                            })}
                            <Pager base=BASE label=|l| td_string!(l, history.pages) later next_cursor=next empty />
                        }
                        .into_any()
                    }
                    Err(error) => list_refused(error, BASE),
                }
            })}
        </Suspense>
    }
}

/// The page's address.
const BASE: &str = "/my/consents/history";

#[component]
fn EventItem(event: ConsentEventView) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let action = event.action;
    let channel = event.channel;
    let receipt = format!("/my/consents/{}", event.id);
    view! {
        <li class="card log-entry" data-action=action.code()>
            <p class="log-head">
                <strong>{move || match action {
                    ConsentAction::Grant => td_string!(l(), history.granted),
                    ConsentAction::Withdraw => td_string!(l(), history.withdrew),
                }}</strong>
                " · " <time datetime=event.at.clone()>{event.at.replace('T', " ").chars().take(19).collect::<String>()} " UTC"</time>
            </p>
            <dl class="facts compact">
                <dt>{t!(i18n, history.purpose)}</dt>
                <dd>{event.purpose_name}</dd>
                <dt>{t!(i18n, history.system)}</dt>
                <dd><A href=format!("/systems/{}", event.system_slug)>{event.system_name}</A> " (" {event.agency_name} ")"</dd>
                <dt>{t!(i18n, history.channel)}</dt>
                <dd>{move || channel_name(l(), channel)}</dd>
                <dt>{t!(i18n, history.notice_version)}</dt>
                <dd>{event.notice_version}</dd>
            </dl>
            <p><A href=receipt>{t!(i18n, history.receipt)}</A></p>
            <crate::access_log::page::LedgerLink index=event.ledger_index />
        </li>
    }
}

/// How a consent event reached the city, in words.
pub fn channel_name(l: crate::i18n::Locale, channel: Channel) -> &'static str {
    match channel {
        Channel::Web => td_string!(l, history.channel_web),
        Channel::Assisted => td_string!(l, history.channel_assisted),
        Channel::Api => td_string!(l, history.channel_api),
    }
}
