//! `/my/requests/new`: file a privacy request, each kind explained in one sentence.
use crate::components::error_notice::ErrorNotice;
use crate::components::page_title::PageTitle;
use crate::components::signed_in::{MyNav, refused};
use crate::consent::my_systems;
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::use_lang;
use crate::requests::FileRequest;
use domain::consent::MySystem;
use domain::register::LegalBasis;
use domain::requests::{MAX_DETAILS_CHARS, RequestKind};
use leptos::prelude::*;

use super::names::{kind_explained, kind_name};

/// `/my/requests/new`: choose a right, the systems it concerns, and send.
#[component]
pub fn NewRequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let systems = Resource::new(move || lang.get(), my_systems);
    let file = ServerAction::<FileRequest>::new();
    view! {
        <PageTitle text=|l| td_string!(l, requests.new_title) />
        <h1>{t!(i18n, requests.new_title)}</h1>
        <MyNav />
        <p>{t!(i18n, requests.new_intro)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match systems.await {
                    Ok(systems) => view! { <RequestForm systems file /> }.into_any(),
                    Err(error) => refused(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RequestForm(systems: Vec<MySystem>, file: ServerAction<FileRequest>) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let pending = file.pending();
    let objectable = objectable(&systems);
    view! {
        {move || file.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
        <ActionForm action=file attr:class="stack-form request-form">
            <KindChoice />
            <fieldset>
                <legend>{t!(i18n, requests.scope_legend)}</legend>
                <div class="choice">
                    <input type="radio" name="scope" id="scope-all" value="all" checked=true />
                    <label for="scope-all">{t!(i18n, requests.scope_all)}</label>
                </div>
                <div class="choice">
                    <input type="radio" name="scope" id="scope-some" value="some" />
                    <label for="scope-some">{t!(i18n, requests.scope_some)}</label>
                </div>
                <ul class="plain-list">
                    {systems.iter().map(|system| {
                        let id = format!("system-{}", system.slug);
                        view! {
                            <li class="choice">
                                <input type="checkbox" name="systems[]" id=id.clone() value=system.slug.clone() />
                                <label for=id>{system.name.clone()} " (" {system.agency_name.clone()} ")"</label>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </fieldset>
            <div class="field">
                <label for="purpose">{t!(i18n, requests.purpose_label)}</label>
                <select id="purpose" name="purpose" aria-describedby="purpose-hint">
                    <option value="">{t!(i18n, requests.purpose_none)}</option>
                    {objectable.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                </select>
                <small id="purpose-hint">{t!(i18n, requests.purpose_hint)}</small>
            </div>
            <div class="field">
                <label for="details">{t!(i18n, requests.details_label)}</label>
                <textarea id="details" name="details" rows="5" maxlength=MAX_DETAILS_CHARS.to_string() aria-describedby="details-hint"></textarea>
                <small id="details-hint">{t!(i18n, requests.details_hint, max = || MAX_DETAILS_CHARS)}</small>
            </div>
            <button type="submit" class="button-primary" disabled=move || pending.get() aria-busy=move || pending.get().then_some("true")>
                {move || if pending.get() { td_string!(l(), common.working) } else { td_string!(l(), requests.submit) }}
            </button>
        </ActionForm>
    }
}

/// The purposes a resident may object to, as (`system/purpose`, label): only purposes on a
/// public task or legitimate interests (GDPR Art. 21).
fn objectable(systems: &[MySystem]) -> Vec<(String, String)> {
    systems
        .iter()
        .flat_map(|s| {
            s.purposes
                .iter()
                .filter(|p| {
                    matches!(
                        p.legal_basis,
                        LegalBasis::PublicTask | LegalBasis::LegitimateInterests
                    )
                })
                .map(move |p| {
                    (
                        format!("{}/{}", s.slug, p.key),
                        format!("{} — {}", s.name, p.name),
                    )
                })
        })
        .collect()
}

/// The kinds of request, one radio button each, explained in one sentence.
#[component]
fn KindChoice() -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    view! {
    <fieldset>
        <legend>{t!(i18n, requests.kind_legend)}</legend>
        {RequestKind::ALL.iter().map(|&kind| {
            let id = format!("kind-{}", kind.code());
            let hint = format!("{id}-hint");
            view! {
                <div class="choice">
                    <input type="radio" name="kind" id=id.clone() value=kind.code() required=true
                        checked=kind == RequestKind::Access aria-describedby=hint.clone() />
                    <label for=id>{move || kind_name(l(), kind)}</label>
                    <small id=hint>{move || kind_explained(l(), kind)}</small>
                </div>
            }
        }).collect_view()}
    </fieldset>
    }
}
