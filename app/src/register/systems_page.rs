//! `/systems`: the public register, searchable and filterable. A GET form rendered on the
//! server works without JavaScript; with it, results follow the form as the resident types
//! (the `InPlace` island, live: the server renders the results, the island swaps them in).

use crate::components::error_notice::ErrorNotice;
use crate::components::in_place::InPlace;
use crate::components::page_title::PageTitle;
use crate::error::AppError;
use crate::i18n::{Locale, t, td_string, use_i18n};
use crate::i18n_support::{basis_name, category_name, status_name, technology_name, use_lang};
use crate::register::{FilterForm, list_agencies, search_systems};
use domain::register::{AgencyOption, DataCategory, LegalBasis, SystemSummary, Technology};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// The register page.
#[component]
pub fn SystemsPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let query = use_query_map();
    let form = Memo::new(move |_| {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        FilterForm {
            q: get("q"),
            agency: get("agency"),
            technology: get("technology"),
            basis: get("basis"),
            category: get("category"),
        }
    });
    let results = Resource::new(
        move || (lang.get(), form.get()),
        |(lang, form)| search_systems(lang, form),
    );
    view! {
        <PageTitle text=|l| td_string!(l, register.title) />
        <h1>{t!(i18n, register.title)}</h1>
        <p class="lead">{t!(i18n, register.intro)}</p>
        <InPlace region="register".to_owned() live=true>
            <FilterPanel initial=form.get_untracked() />
            <div data-in-place-target="">
                <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match results.await {
                            Ok(systems) => view! { <Results systems /> }.into_any(),
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </InPlace>
    }
}

/// The search and filter form. With JavaScript, changes submit it (typing after a pause) and
/// only the results are replaced, so typing keeps its focus.
#[component]
fn FilterPanel(initial: FilterForm) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    // Created here, before the form, so the server and the browser number it alike.
    let agencies = Resource::new(move || lang.get(), list_agencies);
    let FilterForm {
        q,
        agency,
        technology,
        basis,
        category,
    } = initial;
    view! {
        <div role="search">
            <form method="get" action="/systems" class="filters">
                <div class="field field-wide">
                    <label for="q">{t!(i18n, register.search_label)}</label>
                    <input
                        id="q"
                        name="q"
                        type="search"
                        value=q
                        maxlength="200"
                    />
                </div>
                <AgencySelect agencies selected=agency />
                <CodeSelect
                    id="technology"
                    label=move |l| td_string!(l, register.technology_label)
                    any=move |l| td_string!(l, register.any_technology)
                    options=Technology::ALL.iter().map(|t| (t.code(), *t)).collect()
                    name_of=technology_name
                    selected=technology
                />
                <CodeSelect
                    id="basis"
                    label=move |l| td_string!(l, register.basis_label)
                    any=move |l| td_string!(l, register.any_basis)
                    options=LegalBasis::ALL.iter().map(|b| (b.code(), *b)).collect()
                    name_of=basis_name
                    selected=basis
                />
                <CodeSelect
                    id="category"
                    label=move |l| td_string!(l, register.category_label)
                    any=move |l| td_string!(l, register.any_category)
                    options=DataCategory::ALL.iter().map(|c| (c.code(), *c)).collect()
                    name_of=category_name
                    selected=category
                />
                <div class="actions">
                    <button type="submit">{t!(i18n, register.apply)}</button>
                    <A href="/systems">{t!(i18n, register.clear)}</A>
                </div>
            </form>
        </div>
    }
}

/// The agency `<select>`, filled with the register's agencies in the page's language.
#[component]
fn AgencySelect(agencies: Resource<Result<Vec<AgencyOption>, AppError>>, selected: String) -> impl IntoView {
    let i18n = use_i18n();
    let agency = selected;
    view! {
        <div class="field">
            <label for="agency">{t!(i18n, register.agency_label)}</label>
            <select id="agency" name="agency">
                <option value="">{t!(i18n, register.any_agency)}</option>
                <Suspense fallback=|| ()>
                    {
                        let agency = agency.clone();
                        move || {
                            let agency = agency.clone();
                            Suspend::new(async move {
                                agencies
                                    .await
                                    .unwrap_or_default()
                                    .into_iter()
                                    .map(|a| {
                                        let selected = a.slug == agency;
                                        view! {
                                            <option value=a.slug selected=selected>{a.name}</option>
                                        }
                                    })
                                    .collect_view()
                            })
                        }
                    }
                </Suspense>
            </select>
        </div>
    }
}

/// A labelled `<select>` over one of the register's vocabularies.
#[component]
pub(crate) fn CodeSelect<T: Copy + Send + Sync + 'static>(
    id: &'static str,
    label: fn(Locale) -> &'static str,
    any: fn(Locale) -> &'static str,
    options: Vec<(&'static str, T)>,
    name_of: fn(Locale, T) -> &'static str,
    selected: String,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for=id>{move || label(i18n.get_locale())}</label>
            <select id=id name=id>
                <option value="">{move || any(i18n.get_locale())}</option>
                {options
                    .into_iter()
                    .map(|(code, value)| {
                        view! {
                            <option value=code selected=code == selected>
                                {move || name_of(i18n.get_locale(), value)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// The matching systems, or a message when none match.
#[component]
fn Results(systems: Vec<SystemSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let count = systems.len();
    view! {
        <p class="result-count" role="status" aria-live="polite">
            {t!(i18n, register.count, count = move || count)}
        </p>
        {if systems.is_empty() {
            view! { <p>{t!(i18n, register.none)}</p> }.into_any()
        } else {
            view! {
                <ul class="cards">
                    {systems.into_iter().map(|system| view! { <SystemCard system /> }).collect_view()}
                </ul>
            }
                .into_any()
        }}
    }
}

/// One system in the list.
#[component]
fn SystemCard(system: SystemSummary) -> impl IntoView {
    let i18n = use_i18n();
    let SystemSummary {
        slug,
        name,
        description,
        agency_name,
        technology,
        status,
        legal_bases,
        categories,
        ..
    } = system;
    let special = categories.iter().any(|c| c.is_special());
    view! {
        <li class="card">
            <h2>
                <A href=format!("/systems/{slug}")>{name}</A>
            </h2>
            <p class="meta">
                {agency_name} " · " {move || technology_name(i18n.get_locale(), technology)} " · "
                <span class=format!("status status-{}", status.code())>
                    {move || status_name(i18n.get_locale(), status)}
                </span>
            </p>
            <p>{description}</p>
            <p class="tags">
                <span class="visually-hidden">{t!(i18n, register.bases_heading)}": "</span>
                {legal_bases
                    .into_iter()
                    .map(|b| view! { <span class="tag">{move || basis_name(i18n.get_locale(), b)}</span> })
                    .collect_view()}
                {special.then(|| view! { <span class="tag tag-special">{t!(i18n, register.special_tag)}</span> })}
            </p>
        </li>
    }
}
