//! `/my/systems/{slug}`: one system that holds the signed-in resident's data, and for each
//! purpose what applies: their consent (given, withdrawn, never asked) with one button to
//! change it, or the legal basis that makes consent unnecessary. A system they are not
//! enrolled with and that is not in public space is not found (404), like any other slug.

use crate::components::error_notice::ErrorNotice;
use crate::components::in_place::InPlace;
use crate::components::page_title::PageTitle;
use crate::components::signed_in::{MyNav, refused};
use crate::components::status::set_http_status;
use crate::consent::{RecordConsent, system_consents};
use crate::error::AppError;
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::{basis_explained, basis_name, category_name, use_lang};
use domain::consent::{ConsentAction, MaterialChange, MyPurpose, MySystem};
use domain::decision::ConsentState;
use domain::lang::Lang;
use domain::register::DataCategory;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// The page.
#[component]
pub fn SystemConsentsPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let system = Resource::new(
        move || (slug(), lang.get()),
        |(slug, lang)| system_consents(slug, lang),
    );
    // With JavaScript, each choice updates the page in place (revoking takes effect at once
    // either way: the answer is the stored state).
    view! {
        <InPlace region="system-consents".to_owned() live=false>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match system.await {
                    Ok(system) => view! { <SystemConsents system lang=lang.get_untracked() /> }.into_any(),
                    Err(AppError::NotFound) => {
                        set_http_status(404);
                        view! {
                            <PageTitle text=|l| td_string!(l, my.system_not_found_title) />
                            <h1>{t!(i18n, my.system_not_found_title)}</h1>
                            <MyNav />
                            <p data-testid="system-not-found">{t!(i18n, my.system_not_found)}</p>
                            <p><A href="/my">{t!(i18n, my.back_to_summary)}</A></p>
                        }
                        .into_any()
                    }
                    Err(error) => view! {
                        <PageTitle text=|l| td_string!(l, my.title) />
                        <h1>{t!(i18n, my.title)}</h1>
                        {refused(error)}
                    }
                    .into_any(),
                }
            })}
        </Suspense>
        </InPlace>
    }
}

#[component]
fn SystemConsents(system: MySystem, lang: Lang) -> impl IntoView {
    let i18n = use_i18n();
    let register = format!("/systems/{}", system.slug);
    let slug = system.slug.clone();
    let data_system = system.slug.clone();
    view! {
        <Title text=system.name.clone() />
        <div class="my-system" data-system=data_system>
            <h1>{system.name}</h1>
            <MyNav />
            <p class="meta">
                {t!(i18n, system.run_by)} " " <strong>{system.agency_name}</strong> " · "
                <A href=register>{t!(i18n, my.register_entry)}</A>
            </p>
            <p>
                {if system.enrolled {
                    t!(i18n, my.system_enrolled).into_any()
                } else {
                    t!(i18n, my.system_public).into_any()
                }}
            </p>
            <p>{t!(i18n, my.system_intro)}</p>
            <ul class="purposes">
                {system
                    .purposes
                    .into_iter()
                    .map(|purpose| view! { <PurposeItem system=slug.clone() purpose lang /> })
                    .collect_view()}
            </ul>
            <p><A href="/my">{t!(i18n, my.back_to_summary)}</A></p>
        </div>
    }
}

#[component]
fn PurposeItem(system: String, purpose: MyPurpose, lang: Lang) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let heading_id = format!("p-{system}-{}", purpose.key);
    let basis = purpose.legal_basis;
    let categories = purpose
        .categories
        .iter()
        .map(|c| {
            let c = *c;
            move || category_name(l(), c)
        })
        .map(|name| view! { <li class="tag">{name}</li> })
        .collect_view();
    let choice = purpose.is_choice();
    let changed = (choice && purpose.needs_reconsent())
        .then(|| view! { <ChangedSinceConsent changes=purpose.changed_since_consent.clone() added=purpose.categories_added.clone() /> });
    let data_purpose = purpose.key.clone();
    let (name, description) = (purpose.name.clone(), purpose.description.clone());
    let heading_for_choice = heading_id.clone();
    view! {
        <li class="purpose" data-purpose=data_purpose>
            <h2 id=heading_id>{name}</h2>
            <p>{description}</p>
            <p class="categories-line">{t!(i18n, my.uses)} " "</p>
            <ul class="tags">{categories}</ul>
            {changed}
            {if choice {
                view! { <ConsentChoice system purpose lang described_by=heading_for_choice /> }.into_any()
            } else {
                view! {
                    <p class="basis-note">
                        <strong>{t!(i18n, my.no_consent_needed)}</strong>
                        " " {move || basis_name(l(), basis)} ". " {move || basis_explained(l(), basis)}
                    </p>
                }
                .into_any()
            }}
        </li>
    }
}
/// What changed materially since the resident gave consent, and that their consent is
/// paused until they choose again.
#[component]
fn ChangedSinceConsent(changes: Vec<MaterialChange>, added: Vec<DataCategory>) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let items = changes
        .into_iter()
        .map(|change| {
            let added = added.clone();
            let text = move || match change {
                MaterialChange::NewCategories => {
                    let names: Vec<&str> = added.iter().map(|c| category_name(l(), *c)).collect();
                    format!("{} {}", td_string!(l(), my.change_categories), names.join(", "))
                }
                MaterialChange::NewRecipients => td_string!(l(), my.change_recipients).to_owned(),
                MaterialChange::LongerRetention => td_string!(l(), my.change_retention).to_owned(),
                MaterialChange::LegalBasis => td_string!(l(), my.change_basis).to_owned(),
            };
            view! { <li data-change=change.code()>{text}</li> }
        })
        .collect_view();
    view! {
        <div class="notice notice-warning" role="note" data-testid="reconsent">
            <p><strong>{t!(i18n, my.changed_heading)}</strong></p>
            <ul>{items}</ul>
            <p>{t!(i18n, my.reconsent_hint)}</p>
        </div>
    }
}

/// The resident's consent for one purpose and the one button that changes it.
#[component]
fn ConsentChoice(system: String, purpose: MyPurpose, lang: Lang, described_by: String) -> impl IntoView {
    let i18n = use_i18n();
    let record = ServerAction::<RecordConsent>::new();
    let state = RwSignal::new(purpose.consent);
    // A grant on a notice that changed materially since no longer counts: choose again.
    let stale = RwSignal::new(purpose.needs_reconsent());
    Effect::new(move |_| {
        if let Some(Ok(event)) = record.value().get() {
            state.set(event.action.resulting_state());
            stale.set(false);
        }
    });
    let next = move || match (state.get(), stale.get()) {
        (ConsentState::Given, false) => ConsentAction::Withdraw,
        _ => ConsentAction::Grant,
    };
    let pending = record.pending();
    let state_text = move || match state.get() {
        ConsentState::Given if stale.get() => td_string!(i18n.get_locale(), my.state_stale),
        ConsentState::Given => td_string!(i18n.get_locale(), my.state_given),
        ConsentState::Withdrawn => td_string!(i18n.get_locale(), my.state_withdrawn),
        ConsentState::NeverAsked => td_string!(i18n.get_locale(), my.state_never),
    };
    let state_code = move || match state.get() {
        ConsentState::Given if stale.get() => "stale",
        ConsentState::Given => "given",
        ConsentState::Withdrawn => "withdrawn",
        ConsentState::NeverAsked => "never",
    };
    let label = move || {
        if pending.get() {
            td_string!(i18n.get_locale(), common.working)
        } else {
            match next() {
                ConsentAction::Grant => td_string!(i18n.get_locale(), my.grant),
                ConsentAction::Withdraw => td_string!(i18n.get_locale(), my.withdraw),
            }
        }
    };
    view! {
        <div class="consent-choice">
            <p class="consent-state" data-state=state_code role="status">
                {t!(i18n, my.your_consent)} " " <strong>{state_text}</strong>
            </p>
            {move || record.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
            <ActionForm action=record>
                <input type="hidden" name="system" value=system />
                <input type="hidden" name="purpose" value=purpose.key />
                <input type="hidden" name="lang" value=lang.code() />
                <input type="hidden" name="notice_version" value=purpose.notice_version.to_string() />
                <input type="hidden" name="action" value=move || next().code() />
                <button
                    type="submit"
                    class=move || if next() == ConsentAction::Withdraw { "button-secondary" } else { "button-primary" }
                    disabled=move || pending.get()
                    aria-busy=move || pending.get().then_some("true")
                    aria-describedby=described_by
                >
                    {label}
                </button>
            </ActionForm>
        </div>
    }
}
