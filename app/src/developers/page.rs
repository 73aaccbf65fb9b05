//! `/developers/api`: the agency API's reference, read from the OpenAPI document the server
//! generates from its code (also served as JSON at `/api/v1/openapi.json`).

use crate::components::error_notice::ErrorNotice;
use crate::components::page_title::PageTitle;
use crate::developers::api_reference;
use crate::i18n::{t, td_string, use_i18n};
use domain::api_reference::{ApiReference, Endpoint};
use leptos::prelude::*;

/// The page.
#[component]
pub fn ApiReferencePage() -> impl IntoView {
    let i18n = use_i18n();
    let reference = Resource::new(|| (), |_| api_reference());
    view! {
        <PageTitle text=|l| td_string!(l, developers.title) />
        <h1>{t!(i18n, developers.title)}</h1>
        <p>{t!(i18n, developers.intro)}</p>
        <p><a href="/api/v1/openapi.json" rel="external">{t!(i18n, developers.openapi)}</a></p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match reference.await {
                    Ok(reference) => view! { <Reference reference /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Reference(reference: ApiReference) -> impl IntoView {
    let i18n = use_i18n();
    let toc = reference
        .endpoints
        .iter()
        .map(|e| {
            view! { <li><a href=format!("#{}", e.anchor)><code>{e.method.clone()} " " {e.path.clone()}</code></a> " " {e.summary.clone()}</li> }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="api-about">
            <h2 id="api-about">{reference.title.clone()} " " <small>{reference.version.clone()}</small></h2>
            {reference.description.iter().map(|p| view! { <p>{p.clone()}</p> }).collect_view()}
        </section>
        <nav aria-labelledby="api-toc"><h2 id="api-toc">{t!(i18n, developers.endpoints)}</h2><ul>{toc}</ul></nav>
        {reference.endpoints.into_iter().map(|endpoint| view! { <EndpointDoc endpoint /> }).collect_view()}
    }
}

#[component]
fn EndpointDoc(endpoint: Endpoint) -> impl IntoView {
    let i18n = use_i18n();
    let heading = format!("{}-h", endpoint.anchor);
    let labelled_by = heading.clone();
    let heading_for_example = heading.clone();
    let example_heading = format!("{}-example", endpoint.anchor);
    let parameters: Vec<_> = endpoint
        .parameters
        .into_iter()
        .chain(endpoint.body_fields)
        .collect();
    view! {
        <section class="card endpoint" id=endpoint.anchor aria-labelledby=labelled_by>
            <h2 id=heading><code>{endpoint.method} " " {endpoint.path}</code></h2>
            <p><strong>{endpoint.summary}</strong></p>
            {endpoint.description.into_iter().map(|p| view! { <p>{p}</p> }).collect_view()}
            <p>
                {if endpoint.authenticated {
                    view! {
                        {t!(i18n, developers.needs_token)}
                        {(!endpoint.scopes.is_empty()).then(|| view! { " " {t!(i18n, developers.scope)} " " <code>{endpoint.scopes.join(", ")}</code> })}
                    }
                    .into_any()
                } else {
                    view! { {t!(i18n, developers.public)} }.into_any()
                }}
            </p>
            {(!parameters.is_empty()).then(|| view! {
                <h3>{t!(i18n, developers.parameters)}</h3>
                <dl class="facts">
                    {parameters.into_iter().map(|p| view! {
                        <dt><code>{p.name}</code> " (" {p.location} {p.required.then(|| view! { ", " {t!(i18n, developers.required)} })} ")"</dt>
                        <dd>{p.description}</dd>
                    }).collect_view()}
                </dl>
            })}
            // A wide example scrolls sideways on a phone: its scrolling box is a labelled region
            // a keyboard can reach and scroll (axe: scrollable-region-focusable), named after
            // its heading so a screen reader says what it holds.
            {endpoint.body_example.map(|example| view! {
                <h3 id=example_heading.clone()>{t!(i18n, developers.example)}</h3>
                <div class="example" role="region" tabindex="0" aria-labelledby=format!("{example_heading} {heading_for_example}")>
                    <pre><code>{example}</code></pre>
                </div>
            })}
            <h3>{t!(i18n, developers.responses)}</h3>
            <dl class="facts">
                {endpoint.responses.into_iter().map(|r| view! { <dt><code>{r.status}</code></dt><dd>{r.description}</dd> }).collect_view()}
            </dl>
        </section>
    }
}
