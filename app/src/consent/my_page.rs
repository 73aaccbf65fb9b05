//! `/my`: the resident's first screen, answering three questions at once: which systems
//! hold my data (each in one line: how its purposes stand), what have I allowed, and who
//! asked about me lately. A system's purposes, with the choices, are one step away on
//! `/my/systems/{slug}` (`system_consents_page`).

use crate::access_log::page::{Time, decision_name};
use crate::access_log::recent_access;
use crate::components::error_notice::ErrorNotice;
use crate::components::in_place::InPlace;
use crate::components::page_title::PageTitle;
use crate::components::signed_in::{MyNav, refused};
use crate::consent::{ConfirmEnrollment, my_data_summary};
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::use_lang;
use domain::consent::{AllowedPurpose, ConsentTally, MySummary, MySystemLine};
use domain::decision::AccessEntry;
use domain::lang::Lang;
use leptos::prelude::*;
use leptos_router::components::A;

/// The page.
#[component]
pub fn MyPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let confirm = ServerAction::<ConfirmEnrollment>::new();
    let summary = Resource::new(move || lang.get(), my_data_summary);
    let recent = Resource::new(move || lang.get(), recent_access);
    let breaches = Resource::new(move || lang.get(), crate::breaches::my_breaches);
    // The system just enrolled in, named by the enrolment's redirect (`?enrolled=slug`).
    let query = leptos_router::hooks::use_query_map();
    let enrolled_slug = move || query.read().get("enrolled");
    view! {
        <PageTitle text=|l| td_string!(l, my.title) />
        <h1>{t!(i18n, my.title)}</h1>
        <MyNav />
        <p>{t!(i18n, my.intro)}</p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let cards = breaches.await.unwrap_or_default();
                (!cards.is_empty()).then(|| view! {
                    <section class="notice notice-warning" aria-labelledby="breach-heading" data-testid="breach-cards">
                        <h2 id="breach-heading">{t!(i18n, breaches.card_title)}</h2>
                        {cards.into_iter().map(|breach| view! { <crate::breaches::public_page::BreachCard breach public=false /> }).collect_view()}
                    </section>
                })
            })}
        </Suspense>
        // With JavaScript, entering a code updates the page in place.
        <InPlace region="my".to_owned() live=false>
            <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match summary.await {
                        Ok(summary) => view! { <Summary summary /> }.into_any(),
                        Err(error) => refused(error),
                    }
                })}
            </Suspense>
            <section aria-labelledby="recent-heading">
                <h2 id="recent-heading">{t!(i18n, my.recent_heading)}</h2>
                <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match recent.await {
                            Ok(entries) => view! { <Recent entries /> }.into_any(),
                            // A visitor who is not signed in is sent away by the summary above.
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })}
                </Suspense>
                <p><A href="/my/access-log">{t!(i18n, my.recent_all)}</A></p>
            </section>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    // Told only for a system the resident is enrolled in, whatever the address says.
                    let slug = enrolled_slug();
                    let systems = match slug {
                        Some(_) => summary.await.map(|s| s.systems).unwrap_or_default(),
                        None => Vec::new(),
                    };
                    let enrolled_now = slug
                        .and_then(|slug| systems.into_iter().find(|s| s.enrolled && s.slug == slug))
                        .map(|s| (s.name, s.agency_name));
                    view! { <EnrollmentCodeForm confirm lang=lang.get_untracked() enrolled_now /> }
                })}
            </Suspense>
        </InPlace>
    }
}

/// The resident's systems, enrolled ones and those in public space, and what they allow.
#[component]
fn Summary(summary: MySummary) -> impl IntoView {
    let i18n = use_i18n();
    let MySummary {
        systems,
        overall,
        allowed,
    } = summary;
    let (enrolled, public): (Vec<MySystemLine>, Vec<MySystemLine>) =
        systems.into_iter().partition(|s| s.enrolled);
    view! {
        <section aria-labelledby="enrolled-heading">
            <h2 id="enrolled-heading">{t!(i18n, my.enrolled_heading)}</h2>
            <p>{t!(i18n, my.enrolled_intro)}</p>
            {if enrolled.is_empty() {
                view! { <p class="empty">{t!(i18n, my.none_enrolled)}</p> }.into_any()
            } else {
                view! { <SystemLines systems=enrolled /> }.into_any()
            }}
        </section>
        <section aria-labelledby="public-heading">
            <h2 id="public-heading">{t!(i18n, my.public_heading)}</h2>
            <p>{t!(i18n, my.public_intro)}</p>
            <SystemLines systems=public />
        </section>
        <Allowed overall allowed />
    }
}

/// One line per system: its name (the link to its purposes and choices), who runs it, and
/// how its purposes stand.
#[component]
fn SystemLines(systems: Vec<MySystemLine>) -> impl IntoView {
    let i18n = use_i18n();
    let lines = systems
        .into_iter()
        .map(|system| {
            let href = format!("/my/systems/{}", system.slug);
            let tally = system.tally;
            view! {
                <li
                    class="system-line"
                    data-system=system.slug
                    data-allowed=tally.allowed
                    data-choices=tally.choices
                    data-by-law=tally.by_law
                >
                    <A href=href>{system.name}</A>
                    <span class="meta">" · " {t!(i18n, system.run_by)} " " {system.agency_name}</span>
                    <p class="tally">{tally_line(tally)}</p>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="system-lines">{lines}</ul> }
}

/// "Consent given: 2 of 3 · No consent needed: 1", or that there is nothing to choose.
fn tally_line(tally: ConsentTally) -> impl IntoView {
    let i18n = use_i18n();
    let ConsentTally {
        choices,
        allowed,
        paused,
        by_law,
    } = tally;
    let given = (choices > 0).then(|| {
        view! { {t!(i18n, my.line_allowed, allowed = move || allowed, choices = move || choices)} }
    });
    let paused = (paused > 0).then(|| view! { " · " {t!(i18n, my.line_paused, count = move || paused)} });
    let by_law = if choices == 0 {
        (by_law > 0).then(|| view! { {t!(i18n, my.line_nothing_to_choose)} }.into_any())
    } else {
        (by_law > 0).then(|| view! { " · " {t!(i18n, my.line_by_law, count = move || by_law)} }.into_any())
    };
    view! { {given} {paused} {by_law} }
}

/// What the resident allows over all their systems, counted, and each purpose allowed.
#[component]
fn Allowed(overall: ConsentTally, allowed: Vec<AllowedPurpose>) -> impl IntoView {
    let i18n = use_i18n();
    let items = allowed
        .into_iter()
        .map(|a| {
            let href = format!("/my/systems/{}", a.system_slug);
            view! { <li>{a.purpose_name} " · " <A href=href>{a.system_name}</A></li> }
        })
        .collect::<Vec<_>>();
    let list = if items.is_empty() {
        view! { <p class="empty">{t!(i18n, my.allowed_none)}</p> }.into_any()
    } else {
        view! { <ul class="allowed-list" data-testid="allowed">{items}</ul> }.into_any()
    };
    let (choices, given, paused, by_law) = (overall.choices, overall.allowed, overall.paused, overall.by_law);
    view! {
        <section aria-labelledby="allowed-heading">
            <h2 id="allowed-heading">{t!(i18n, my.allowed_heading)}</h2>
            <dl class="facts compact" data-testid="overall">
                <dt>{t!(i18n, my.overall_choices)}</dt>
                <dd>{choices}</dd>
                <dt>{t!(i18n, my.overall_allowed)}</dt>
                <dd>{given}</dd>
                {(paused > 0).then(|| view! { <dt>{t!(i18n, my.overall_paused)}</dt><dd>{paused}</dd> })}
                <dt>{t!(i18n, my.overall_by_law)}</dt>
                <dd>{by_law}</dd>
            </dl>
            {list}
        </section>
    }
}

/// The latest agency checks and queries that named the resident, one line each.
#[component]
fn Recent(entries: Vec<AccessEntry>) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    if entries.is_empty() {
        return view! { <p class="empty" data-testid="recent-empty">{t!(i18n, my.recent_none)}</p> }
            .into_any();
    }
    let items = entries
        .into_iter()
        .map(|entry| {
            let decision = entry.decision;
            view! {
                <li data-decision=decision.code() data-decision-id=entry.decision_id>
                    <strong class=format!("decision decision-{}", decision.code())>{move || decision_name(l(), decision)}</strong>
                    " · " {entry.agency_name} " · " {entry.purpose_name} " (" {entry.system_name} ") · "
                    <Time at=entry.at />
                </li>
            }
        })
        .collect_view();
    view! { <ul class="recent-list" data-testid="recent-access">{items}</ul> }.into_any()
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
            <h2 id="enrol-heading">{t!(i18n, my.enrol_heading)}</h2>
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
