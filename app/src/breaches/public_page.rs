//! `/breaches`: the closed incidents, public — what happened, when, which systems and data,
//! how many residents were told, whether the regulator was notified (or why not), and the
//! office's summary. And the breach card a resident sees on `/my`.

use super::{BreachView, load_closed_breaches};
use crate::components::error_notice::ErrorNotice;
use crate::components::page_title::PageTitle;
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::{category_name, use_lang};
use domain::breaches::RegulatorDecision;
use domain::stats::Shown;
use leptos::prelude::*;

/// The public list of closed incidents.
#[component]
pub fn BreachesPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let breaches = Resource::new(move || lang.get(), load_closed_breaches);
    view! {
        <PageTitle text=|l| td_string!(l, breaches.public_title) />
        <h1>{t!(i18n, breaches.public_title)}</h1>
        <p class="lead">{t!(i18n, breaches.public_intro)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match breaches.await {
                    Ok(list) if list.is_empty() => view! { <p>{t!(i18n, breaches.none)}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="plain-list" data-testid="public-breaches">
                            {list.into_iter().map(|b| view! { <li class="card"><BreachCard breach=b public=true /></li> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One incident as the public (or an affected resident) reads it.
#[component]
pub fn BreachCard(breach: BreachView, public: bool) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let b = breach;
    view! {
        <article data-breach=b.id.clone() data-testid="breach-card">
            <h2>{b.title.clone()}</h2>
            <dl class="facts">
                <dt>{t!(i18n, breaches.detected)}</dt><dd>{b.detected.clone()} " UTC"</dd>
                <dt>{t!(i18n, breaches.window)}</dt><dd>{b.window.0.clone()} " – " {b.window.1.clone()} " UTC"</dd>
                <dt>{t!(i18n, breaches.systems)}</dt><dd>{b.systems.join(", ")}</dd>
                <dt>{t!(i18n, breaches.categories)}</dt>
                <dd>{b.data_categories.iter().map(|c| { let c = *c; view! { <span class="tag">{move || category_name(l(), c)}</span> " " } }).collect_view()}</dd>
                <dt>{t!(i18n, breaches.description)}</dt><dd class="pre-wrap">{b.description.clone()}</dd>
                {public.then(|| {
                    let told = b.affected_count.map(Shown::of);
                    view! {
                        <dt>{t!(i18n, breaches.residents_told)}</dt>
                        <dd>{match told {
                            Some(Shown::Count(n)) => n.to_string().into_any(),
                            Some(Shown::FewerThanSmallest) => t!(i18n, street.fewer_than_5).into_any(),
                            None => "—".into_any(),
                        }}</dd>
                        <dt>{t!(i18n, breaches.regulator)}</dt>
                        <dd>{match b.regulator_decision {
                            Some(RegulatorDecision::Notify) => t!(i18n, breaches.regulator_notified).into_any(),
                            Some(RegulatorDecision::NotNotify) => view! { {t!(i18n, breaches.regulator_not_notified)} ": " {b.regulator_reasons.clone().unwrap_or_default()} }.into_any(),
                            None => "—".into_any(),
                        }}</dd>
                    }
                })}
                {b.public_summary.clone().map(|s| view! { <dt>{t!(i18n, breaches.summary)}</dt><dd class="pre-wrap">{s}</dd> })}
            </dl>
            {(!public).then(|| view! { <p>{t!(i18n, breaches.card_advice)}</p> })}
        </article>
    }
}
