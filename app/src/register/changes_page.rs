//! `/register/changes`: the public feed of register changes, newest first (also as Atom at
//! `/register/changes.atom` and as JSON at `/api/v1/register/changes`).

use crate::components::error_notice::ErrorNotice;
use crate::components::page_title::PageTitle;
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::use_lang;
use crate::register::history_page::VersionItem;
use crate::register::register_changes;
use leptos::prelude::*;

/// The change feed page.
#[component]
pub fn ChangesPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let changes = Resource::new(move || lang.get(), register_changes);
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
