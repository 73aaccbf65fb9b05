//! `/register/changes`: the public feed of register changes, newest first (also as Atom at
//! `/register/changes.atom` and as JSON at `/api/v1/register/changes`).

use crate::components::error_notice::ErrorNotice;
use crate::components::page_title::PageTitle;
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::use_lang;
use crate::register::history_page::VersionItem;
use crate::register::{register_changes, review_events};
use crate::reviews::review_page::stage_name;
use leptos::prelude::*;

/// The change feed page.
#[component]
pub fn ChangesPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let changes = Resource::new(move || lang.get(), register_changes);
    let events = Resource::new(move || lang.get(), review_events);
    let l = move || i18n.get_locale();
    view! {
        <PageTitle text=|l| td_string!(l, versions.changes_title) />
        <h1>{t!(i18n, versions.changes_title)}</h1>
        <p>{t!(i18n, versions.changes_intro)}</p>
        <p>
            <a href="/register/changes.atom" rel="alternate" type="application/atom+xml">{t!(i18n, versions.atom)}</a>
            " · "
            <a href=move || format!("/api/v1/register/changes?lang={}", lang.get().code()) rel="external">{t!(i18n, versions.json)}</a>
            " · "
            <a href="/reviews">{t!(i18n, reviews.list_title)}</a>
        </p>
        <h2>{t!(i18n, reviews.list_title)}</h2>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(list) if list.is_empty() => view! { <p>{t!(i18n, reviews.none)}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="plain-list" data-testid="review-events">
                            {list.into_iter().map(|e| {
                                let stage = e.stage;
                                view! {
                                    <li data-stage=stage.code() data-system=e.system_slug.clone()>
                                        <time datetime=e.at.clone()>{e.at.get(..10).unwrap_or_default().to_owned()}</time> " · "
                                        <a href=format!("/reviews/{}", e.review_id)>{e.system_name.clone()}</a> " · "
                                        <strong>{move || stage_name(l(), stage)}</strong>
                                        {e.closes_on.map(|c| view! { " · " {t!(i18n, reviews.closes)} " " {c.to_string()} })}
                                        {e.decided_by.clone().map(|b| view! { " · " {b} })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
        <h2>{t!(i18n, versions.changes_title)}</h2>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match changes.await {
                    Ok(versions) if versions.is_empty() => view! { <p>{t!(i18n, versions.none)}</p> }.into_any(),
                    Ok(versions) => view! {
                        <ol class="versions">
                            {versions.into_iter().map(|v| view! { <VersionItem version=v show_system=true /> }).collect_view()}
                        </ol>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
