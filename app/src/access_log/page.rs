//! `/my/access-log`: every agency check and data query that named the signed-in resident,
//! newest first, filtered by agency and decision (a plain GET form), in pages.

use crate::access_log::access_log;
use crate::components::page_title::PageTitle;
use crate::components::signed_in::{MyNav, refused};
use crate::consent::enrollment_history;
use crate::i18n::{Locale, t, td_string, use_i18n};
use crate::i18n_support::use_lang;
use domain::consent::{EnrollmentAction, EnrollmentChannel, EnrollmentEventView};
use domain::decision::{AccessEntry, AccessFilter, AccessPage, Decision, DecisionKind, Reason};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// The page.
#[component]
pub fn AccessLogPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        AccessFilter {
            agency: q.get("agency").filter(|a| !a.is_empty()),
            decision: q.get("decision").and_then(|d| d.parse().ok()),
            before: q.get("before").and_then(|b| b.parse().ok()),
        }
    };
    let page = Resource::new(
        move || (filter(), lang.get()),
        |(filter, lang)| access_log(filter.agency, filter.decision, filter.before, lang),
    );
    let enrollments = Resource::new(move || lang.get(), enrollment_history);
    view! {
        <PageTitle text=|l| td_string!(l, access.title) />
        <h1>{t!(i18n, access.title)}</h1>
        <MyNav />
        <p>{t!(i18n, access.intro)}</p>
        <section aria-labelledby="enrollments-heading">
            <h2 id="enrollments-heading">{t!(i18n, access.enrollments_heading)}</h2>
            <p>{t!(i18n, access.enrollments_intro)}</p>
            <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match enrollments.await {
                        Ok(events) => view! { <Enrollments events /> }.into_any(),
                        Err(error) => refused(error),
                    }
                })}
            </Suspense>
        </section>
        <h2>{t!(i18n, access.log_heading)}</h2>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <Log page filter=filter() /> }.into_any(),
                    Err(error) => refused(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Log(page: AccessPage, filter: AccessFilter) -> impl IntoView {
    let i18n = use_i18n();
    let selected_agency = filter.agency.clone().unwrap_or_default();
    let selected_decision = filter.decision;
    let older = page.next_before.map(|before| {
        let mut params = vec![format!("before={before}")];
        if let Some(a) = &filter.agency {
            params.push(format!("agency={a}"));
        }
        if let Some(d) = filter.decision {
            params.push(format!("decision={}", d.code()));
        }
        format!("/my/access-log?{}", params.join("&"))
    });
    let agencies = page
        .agencies
        .into_iter()
        .map(|a| {
            let selected = a.slug == selected_agency;
            view! { <option value=a.slug selected=selected>{a.name}</option> }
        })
        .collect_view();
    view! {
        <form method="get" action="/my/access-log" class="filters">
            <div class="field">
                <label for="agency">{t!(i18n, access.agency)}</label>
                <select id="agency" name="agency">
                    <option value="">{t!(i18n, access.any_agency)}</option>
                    {agencies}
                </select>
            </div>
            <div class="field">
                <label for="decision">{t!(i18n, access.decision)}</label>
                <select id="decision" name="decision">
                    <option value="">{t!(i18n, access.any_decision)}</option>
                    <option value="permit" selected=selected_decision == Some(Decision::Permit)>{t!(i18n, access.permitted)}</option>
                    <option value="deny" selected=selected_decision == Some(Decision::Deny)>{t!(i18n, access.denied)}</option>
                </select>
            </div>
            <button type="submit">{t!(i18n, access.apply)}</button>
        </form>
        {if page.entries.is_empty() {
            view! { <p class="empty" data-testid="access-empty">{t!(i18n, access.none)}</p> }.into_any()
        } else {
            view! {
                <ol class="log" data-testid="access-log">
                    {page.entries.into_iter().map(|entry| view! { <Entry entry /> }).collect_view()}
                </ol>
            }
            .into_any()
        }}
        <p class="pager">
            {filter.before.is_some().then(|| view! { <A href="/my/access-log">{t!(i18n, access.newest)}</A> " " })}
            {older.map(|href| view! { <A href=href>{t!(i18n, access.older)}</A> })}
        </p>
    }
}

#[component]
fn Entry(entry: AccessEntry) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let (decision, reason, kind) = (entry.decision, entry.reason, entry.kind);
    view! {
        <li class="card log-entry" data-decision=decision.code() data-reason=reason.code() data-decision-id=entry.decision_id.clone()>
            <p class="log-head">
                <strong class=format!("decision decision-{}", decision.code())>{move || decision_name(l(), decision)}</strong>
                " · " <Time at=entry.at.clone() />
            </p>
            <dl class="facts compact">
                <dt>{t!(i18n, access.agency)}</dt>
                <dd>{entry.agency_name}</dd>
                <dt>{t!(i18n, access.what)}</dt>
                <dd>{move || match kind {
                    DecisionKind::Check => td_string!(l(), access.kind_check),
                    DecisionKind::Query => td_string!(l(), access.kind_query),
                }}</dd>
                <dt>{t!(i18n, history.system)}</dt>
                <dd>{entry.system_name}</dd>
                <dt>{t!(i18n, history.purpose)}</dt>
                <dd>{entry.purpose_name}</dd>
                <dt>{t!(i18n, access.why)}</dt>
                <dd>{move || reason_text(l(), reason)}</dd>
            </dl>
            <LedgerLink index=entry.ledger_index />
        </li>
    }
}

/// The resident's enrollment history, newest first (also in the access package).
#[component]
pub fn Enrollments(events: Vec<EnrollmentEventView>) -> impl IntoView {
    let i18n = use_i18n();
    if events.is_empty() {
        return view! { <p class="empty" data-testid="enrollments-empty">{t!(i18n, access.enrollments_none)}</p> }.into_any();
    }
    view! {
        <ol class="log" data-testid="enrollment-history">
            {events.into_iter().map(|event| view! { <EnrollmentEvent event /> }).collect_view()}
        </ol>
    }
    .into_any()
}

#[component]
fn EnrollmentEvent(event: EnrollmentEventView) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let (action, channel) = (event.action, event.channel);
    view! {
        <li class="card log-entry" data-action=action.code() data-channel=channel.code() data-system=event.system_slug.clone()>
            <p class="log-head">
                <strong>{move || match action {
                    EnrollmentAction::Confirmed => td_string!(l(), access.enrollment_confirmed),
                    EnrollmentAction::Ended => td_string!(l(), access.enrollment_ended),
                }}</strong>
                " · " <Time at=event.at.clone() />
            </p>
            <dl class="facts compact">
                <dt>{t!(i18n, history.system)}</dt>
                <dd>{event.system_name}</dd>
                <dt>{t!(i18n, access.agency)}</dt>
                <dd>{event.agency_name}</dd>
                <dt>{t!(i18n, access.how)}</dt>
                <dd>{move || match channel {
                    EnrollmentChannel::Web => td_string!(l(), access.via_web),
                    EnrollmentChannel::Assisted => td_string!(l(), access.via_assisted),
                    EnrollmentChannel::Api => td_string!(l(), access.via_api),
                    EnrollmentChannel::Import => td_string!(l(), access.via_import),
                }}</dd>
                {event.requested_at.map(|at| view! {
                    <dt>{t!(i18n, access.requested)}</dt>
                    <dd><Time at /></dd>
                })}
            </dl>
            <LedgerLink index=event.ledger_index />
        </li>
    }
}

/// "Entry N · Proof": where an entry sits in the public log, and its proof.
#[component]
pub fn LedgerLink(index: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    index.map(|index| {
        let href = format!("/my/ledger/{index}");
        view! {
            <p class="ledger-link">
                {t!(i18n, proof.entry_label)} " " {index.to_string()} " · "
                <A href=href attr:data-testid="proof-link">{t!(i18n, proof.link)}</A>
            </p>
        }
    })
}

/// A UTC time to the second, machine-readable in `datetime`.
#[component]
pub fn Time(at: String) -> impl IntoView {
    let shown = format!(
        "{} UTC",
        at.replace('T', " ").chars().take(19).collect::<String>()
    );
    view! { <time datetime=at>{shown}</time> }
}

/// "Permitted" or "Denied".
pub fn decision_name(l: Locale, decision: Decision) -> &'static str {
    match decision {
        Decision::Permit => td_string!(l, access.permitted),
        Decision::Deny => td_string!(l, access.denied),
    }
}

/// A decision's reason in plain words.
pub fn reason_text(l: Locale, reason: Reason) -> &'static str {
    match reason {
        Reason::ConsentGiven => td_string!(l, reasons.consent_given),
        Reason::ConsentWithdrawn => td_string!(l, reasons.consent_withdrawn),
        Reason::ReconsentRequired => td_string!(l, reasons.reconsent_required),
        Reason::ConsentNotGiven => td_string!(l, reasons.consent_not_given),
        Reason::LegalBasis => td_string!(l, reasons.legal_basis),
        Reason::ObjectionUpheld => td_string!(l, reasons.objection_upheld),
        Reason::UnknownSubject => td_string!(l, reasons.unknown_subject),
        Reason::UnknownSystem => td_string!(l, reasons.unknown_system),
        Reason::UnknownPurpose => td_string!(l, reasons.unknown_purpose),
        Reason::AgencyNotEntitled => td_string!(l, reasons.agency_not_entitled),
        Reason::NotEnrolled => td_string!(l, reasons.not_enrolled),
        Reason::SystemNotActive => td_string!(l, reasons.system_not_active),
    }
}
