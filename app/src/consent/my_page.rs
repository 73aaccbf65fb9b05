//! `/my`: the systems that hold the signed-in resident's data, and for each purpose what
//! applies: their consent (given, withdrawn, never asked) with one button to change it, or
//! the legal basis that makes consent unnecessary.

use crate::components::error_notice::ErrorNotice;
use crate::components::in_place::InPlace;
use crate::components::page_title::PageTitle;
use crate::components::signed_in::{MyNav, refused};
use crate::consent::{ConfirmEnrollment, RecordConsent, my_systems};
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::{basis_explained, basis_name, category_name, use_lang};
use domain::consent::{ConsentAction, MaterialChange, MyPurpose, MySystem};
use domain::decision::ConsentState;
use domain::lang::Lang;
use domain::register::DataCategory;
use leptos::prelude::*;
use leptos_router::components::A;

/// The page.
#[component]
pub fn MyPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let confirm = ServerAction::<ConfirmEnrollment>::new();
    let systems = Resource::new(move || lang.get(), my_systems);
    // The system just enrolled in, named by the enrolment's redirect (`?enrolled=slug`).
    let query = leptos_router::hooks::use_query_map();
    let enrolled_now = move || query.read().get("enrolled");
    view! {
        <PageTitle text=|l| td_string!(l, my.title) />
        <h1>{t!(i18n, my.title)}</h1>
        <MyNav />
        <p>{t!(i18n, my.intro)}</p>
        // With JavaScript, entering a code and each consent choice update the page in place.
        <InPlace region="my".to_owned() live=false>
            <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match systems.await {
                        Ok(systems) => view! {
                            <Systems systems confirm lang=lang.get_untracked() enrolled_now=enrolled_now() />
                        }
                        .into_any(),
                        Err(error) => refused(error),
                    }
                })}
            </Suspense>
        </InPlace>
    }
}

#[component]
fn Systems(
    systems: Vec<MySystem>,
    confirm: ServerAction<ConfirmEnrollment>,
    lang: Lang,
    enrolled_now: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (enrolled, public): (Vec<MySystem>, Vec<MySystem>) = systems.into_iter().partition(|s| s.enrolled);
    // Told only for a system the resident is enrolled in, whatever the address says.
    let enrolled_now = enrolled_now
        .and_then(|slug| enrolled.iter().find(|s| s.slug == slug))
        .map(|s| (s.name.clone(), s.agency_name.clone()));
    view! {
        <section aria-labelledby="enrolled-heading">
            <h2 id="enrolled-heading">{t!(i18n, my.enrolled_heading)}</h2>
            <p>{t!(i18n, my.enrolled_intro)}</p>
            <EnrollmentCodeForm confirm lang enrolled_now />
            {if enrolled.is_empty() {
                view! { <p class="empty">{t!(i18n, my.none_enrolled)}</p> }.into_any()
            } else {
                enrolled.into_iter().map(|system| view! { <SystemCard system lang /> }).collect_view().into_any()
            }}
        </section>
        <section aria-labelledby="public-heading">
            <h2 id="public-heading">{t!(i18n, my.public_heading)}</h2>
            <p>{t!(i18n, my.public_intro)}</p>
            {public.into_iter().map(|system| view! { <SystemCard system lang /> }).collect_view()}
        </section>
    }
}

#[component]
fn SystemCard(system: MySystem, lang: Lang) -> impl IntoView {
    let i18n = use_i18n();
    let heading_id = format!("sys-{}", system.slug);
    let labelled_by = heading_id.clone();
    let href = format!("/systems/{}", system.slug);
    let slug = system.slug.clone();
    let data_system = system.slug.clone();
    view! {
        <article class="card my-system" aria-labelledby=labelled_by data-system=data_system>
            <h3 id=heading_id><A href=href>{system.name}</A></h3>
            <p class="meta">{t!(i18n, system.run_by)} " " {system.agency_name}</p>
            <ul class="purposes">
                {system
                    .purposes
                    .into_iter()
                    .map(|purpose| view! { <PurposeItem system=slug.clone() purpose lang /> })
                    .collect_view()}
            </ul>
        </article>
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
            <h4 id=heading_id>{name}</h4>
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

/// Where a resident enters the one-time code an agency gave them; only this enrols them.
#[component]
fn EnrollmentCodeForm(
    confirm: ServerAction<ConfirmEnrollment>,
    lang: Lang,
    /// The system (and its agency) the resident has just enrolled in.
    enrolled_now: Option<(String, String)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let pending = confirm.pending();
    let done = enrolled_now.map(|(system, agency)| {
        view! {
            <p class="notice notice-ok" role="status" data-testid="enrolled-now">
                {t!(i18n, my.enrolled_now, system = move || system.clone(), agency = move || agency.clone())}
            </p>
        }
    });
    let outcome = move || {
        confirm
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| view! { <ErrorNotice error /> })
    };
    view! {
        <section class="card enrol" aria-labelledby="enrol-heading">
            <h3 id="enrol-heading">{t!(i18n, my.enrol_heading)}</h3>
            <p id="enrol-intro">{t!(i18n, my.enrol_intro)}</p>
            {done}
            {outcome}
            <ActionForm action=confirm>
                <input type="hidden" name="lang" value=lang.code() />
                <div class="field">
                    <label for="enrollment-code">{t!(i18n, my.enrol_code_label)}</label>
                    <input
                        id="enrollment-code"
                        name="code"
                        type="text"
                        required
                        autocomplete="off"
                        autocapitalize="characters"
                        spellcheck="false"
                        maxlength="20"
                        aria-describedby="enrol-intro enrol-hint"
                    />
                    <p class="hint" id="enrol-hint">{t!(i18n, my.enrol_code_hint)}</p>
                </div>
                <button type="submit" class="button-primary" disabled=move || pending.get() aria-busy=move || pending.get().then_some("true")>
                    {move || if pending.get() { td_string!(i18n.get_locale(), common.working) } else { td_string!(i18n.get_locale(), my.enrol_submit) }}
                </button>
            </ActionForm>
        </section>
    }
}
