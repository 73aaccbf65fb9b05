//! `/systems/{slug}`: everything the register holds about one system, in plain language.

use crate::components::error_notice::ErrorNotice;
use crate::components::not_found::NotFound;
use crate::error::AppError;
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::{
    basis_explained, basis_name, category_explained, category_name, scope_explained, status_name,
    technology_name, use_lang, yes_no,
};
use crate::register::{FollowSystem, following, get_system, system_history};
use domain::register::{DataCategory, PurposeView, SystemView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The system page; an unknown slug renders the 404 page with status 404.
#[component]
pub fn SystemPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let system = Resource::new(
        move || (lang.get(), slug()),
        |(lang, slug)| get_system(lang, slug),
    );
    view! {
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match system.await {
                    Ok(system) => view! { <SystemDetails system preview=false /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A system's public entry. As a `preview` (of a proposal under review) it leaves out what
/// only an entry in the register has: its versions, its review, problem reports, following.
#[component]
pub fn SystemDetails(system: SystemView, preview: bool) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let summary = system.summary.clone();
    let slug = summary.slug.clone();
    let title = summary.name.clone();
    let (technology, status, scope) = (summary.technology, summary.status, system.scope);
    view! {
        <Title text=title />
        <article class="system">
            <header>
                <p class="eyebrow">{move || technology_name(l(), technology)}</p>
                <h1>{summary.name}</h1>
                <p class="meta">
                    {t!(i18n, system.run_by)} " " <strong>{summary.agency_name.clone()}</strong> " · "
                    <span class=format!("status status-{}", status.code())>{move || status_name(l(), status)}</span>
                </p>
                <p class="lead">{summary.description}</p>
            </header>

            <section aria-labelledby="why">
                <h2 id="why">{t!(i18n, system.why)}</h2>
                <ul class="purposes">
                    {system.purposes.iter().cloned().map(|purpose| view! { <PurposeItem purpose /> }).collect_view()}
                </ul>
            </section>

            <section aria-labelledby="what">
                <h2 id="what">{t!(i18n, system.what_data)}</h2>
                <CategoryList categories=summary.categories.clone() />
            </section>

            <section aria-labelledby="facts">
                <h2 id="facts">{t!(i18n, system.facts)}</h2>
                <dl class="facts">
                    <dt>{t!(i18n, system.whose_data)}</dt>
                    <dd>{system.data_subjects.clone()} <br/> <small>{move || scope_explained(l(), scope)}</small></dd>
                    <dt>{t!(i18n, system.where_)}</dt>
                    <dd>{system.location.clone()}</dd>
                    <dt>{t!(i18n, system.how_long)}</dt>
                    <dd>{system.retention.clone()}</dd>
                    <dt>{t!(i18n, system.identifies)}</dt>
                    <dd>{move || yes_no(l(), system.identifies_people)}</dd>
                    <dt>{t!(i18n, system.algorithm)}</dt>
                    <dd>
                        {move || yes_no(l(), system.algorithmic_decisions)}
                        {system.algorithm.clone().map(|a| view! { <br/> {a} })}
                    </dd>
                    <dt>{t!(i18n, system.access)}</dt>
                    <dd>{system.access.clone()}</dd>
                    <dt>{t!(i18n, system.recipients)}</dt>
                    <dd>{system.recipients.clone()}</dd>
                    <dt>{t!(i18n, system.transfers)}</dt>
                    <dd>{system.transfers.clone()}</dd>
                    <dt>{t!(i18n, system.security)}</dt>
                    <dd>{system.security.clone()}</dd>
                    <dt>{t!(i18n, system.reviewed)}</dt>
                    <dd><time datetime=system.reviewed_on.clone()>{system.reviewed_on.clone()}</time></dd>
                    {(!preview).then(|| view! {
                        <dt>{t!(i18n, versions.last_changed)}</dt>
                        <dd>
                            <LastChanged slug=slug.clone() />
                            " " <a href=format!("/systems/{slug}/history")>{t!(i18n, versions.see_history)}</a>
                        </dd>
                        <ReviewOfSystem slug=slug.clone() />
                        <dt>{t!(i18n, problem_reports.title)}</dt>
                        <dd><a href=format!("/register/reports?system={slug}")>{t!(i18n, problem_reports.link)}</a></dd>
                        <dt>{t!(i18n, reports.eyebrow)}</dt>
                        <dd><a href=format!("/reports/{}/{slug}", this_year()) data-testid="yearly-report">{t!(i18n, reports.link)} " " {this_year()}</a></dd>
                    })}
                </dl>
            </section>

            <section aria-labelledby="who">
                <h2 id="who">{t!(i18n, system.who)}</h2>
                <p><strong>{summary.agency_name}</strong> " — " {system.agency_description.clone()}</p>
                <p>
                    {t!(i18n, system.contact_dpo)} " "
                    <a href=format!("mailto:{}", system.dpo_email) dir="ltr">{system.dpo_email.clone()}</a>
                </p>
                <p>
                    <a href=system.agency_website.clone() rel="external">{t!(i18n, system.website)}</a>
                </p>
            </section>
            {(!preview).then(|| view! { <Follow slug=slug.clone() /> })}
        </article>
    }
}

/// One purpose with its legal basis explained and the data it uses.
#[component]
fn PurposeItem(purpose: PurposeView) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let basis = purpose.legal_basis;
    view! {
        <li class="purpose">
            <h3>{purpose.name}</h3>
            <p>{purpose.description}</p>
            <p class="basis">
                <strong>{t!(i18n, system.legal_basis)} ": " {move || basis_name(l(), basis)}</strong>
                " — " {move || basis_explained(l(), basis)}
            </p>
            {purpose
                .basis_needs_review
                .then(|| view! { <p class="notice notice-warning">{t!(i18n, system.basis_review)}</p> })}
            <p class="tags">
                <span>{t!(i18n, system.uses)} " "</span>
                {purpose
                    .categories
                    .into_iter()
                    .map(|c| {
                        view! {
                            <span class=if c.is_special() { "tag tag-special" } else { "tag" }>
                                {move || category_name(l(), c)}
                            </span>
                        }
                    })
                    .collect_view()}
            </p>
        </li>
    }
}

/// The data categories a system uses, each explained, special categories marked.
#[component]
fn CategoryList(categories: Vec<DataCategory>) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    view! {
        <ul class="categories">
            {categories
                .into_iter()
                .map(|c| {
                    view! {
                        <li>
                            <strong>{move || category_name(l(), c)}</strong>
                            {c.is_special().then(|| view! { " " <span class="tag tag-special">{move || td_string!(l(), register.special_tag)}</span> })}
                            ": " {move || category_explained(l(), c)}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// When the entry last changed (its newest version).
#[component]
fn LastChanged(slug: String) -> impl IntoView {
    let lang = use_lang();
    let versions = Resource::new(
        move || (lang.get(), slug.clone()),
        |(lang, slug)| system_history(lang, slug),
    );
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                versions.await.ok().and_then(|v| v.into_iter().next()).map(|latest| {
                    let date = latest.at.get(..10).unwrap_or_default().to_owned();
                    view! { <time datetime=latest.at>{date}</time> }
                })
            })}
        </Suspense>
    }
}

/// Following the entry's changes: the form when signed in, a way to sign in otherwise.
#[component]
fn Follow(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<FollowSystem>::new();
    let slug = StoredValue::new(slug);
    let state = Resource::new(
        move || action.version().get(),
        move |_| following(slug.get_value()),
    );
    view! {
        <section aria-labelledby="follow">
            <h2 id="follow">{t!(i18n, versions.title)}</h2>
            <p>{t!(i18n, versions.holder_note)}</p>
            <Suspense>
                {move || Suspend::new(async move {
                    match state.await {
                        Ok(Some(follows)) => view! {
                            {follows.then(|| view! { <p role="status">{t!(i18n, versions.following)}</p> })}
                            <ActionForm action=action>
                                <input type="hidden" name="slug" value=slug.get_value() />
                                <input type="hidden" name="follow" value=if follows { "no" } else { "yes" } />
                                <button type="submit" class="button-secondary">
                                    {if follows { t!(i18n, versions.unfollow).into_any() } else { t!(i18n, versions.follow).into_any() }}
                                </button>
                            </ActionForm>
                        }
                        .into_any(),
                        _ => view! { <p><a href="/login">{t!(i18n, versions.sign_in_to_follow)}</a></p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The system's latest public review, if it had one: its stage and a link.
#[component]
fn ReviewOfSystem(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let review = Resource::new(move || slug.clone(), crate::reviews::system_review);
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                review.await.ok().flatten().map(|(id, stage)| view! {
                    <dt>{t!(i18n, reviews.title)}</dt>
                    <dd data-testid="system-review" data-stage=stage.code()>
                        <a href=format!("/reviews/{id}")>{move || crate::reviews::review_page::stage_name(l(), stage)}</a>
                    </dd>
                })
            })}
        </Suspense>
    }
}

/// The current year (UTC), for the link to this year's report. Pages render on the server.
fn this_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    domain::calendar::Date::from_unix_seconds(secs).year()
}
