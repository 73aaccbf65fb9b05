//! `/admin/breaches`: the incidents with their 72-hour clocks and the form to open one;
//! `/admin/breaches/{id}`: one incident — the affected residents computed, the draft
//! report to the regulator, the decision, the notices, the letters, closing.

use super::{
    BreachCase, BreachDesk, BreachView, CloseBreach, DecideBreach, NotifyBreach, OpenBreach,
    load_breach_case, load_breach_desk,
};
use crate::components::page_title::PageTitle;
use crate::components::urgency_badge::UrgencyBadge;
use crate::console::shared::{action_error, staff_refused};
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::{category_name, use_lang};
use domain::breaches::{BreachStatus, RegulatorDecision};
use domain::register::DataCategory;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The clock's badge: hours left to notify the regulator, with the queue's colours.
#[component]
pub fn ClockBadge(breach: BreachView) -> impl IntoView {
    let i18n = use_i18n();
    let Some(clock) = breach.clock else {
        return view! { <UrgencyBadge urgency=None>{status_label(breach.status)}</UrgencyBadge> }.into_any();
    };
    let hours = clock.hours_left;
    view! {
        <UrgencyBadge urgency=Some(clock.urgency()) testid="breach-clock">
            {if hours < 0 { t!(i18n, breaches.overdue).into_any() } else { t!(i18n, breaches.hours_left, hours = move || hours).into_any() }}
        </UrgencyBadge>
    }
    .into_any()
}

fn status_label(status: BreachStatus) -> impl IntoView {
    let i18n = use_i18n();
    match status {
        BreachStatus::Open => t!(i18n, breaches.status_open).into_any(),
        BreachStatus::Decided => t!(i18n, breaches.status_decided).into_any(),
        BreachStatus::ResidentsNotified => t!(i18n, breaches.status_notified).into_any(),
        BreachStatus::Closed => t!(i18n, breaches.status_closed).into_any(),
    }
}

/// The incidents desk.
#[component]
pub fn BreachDeskPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let desk = Resource::new(move || lang.get(), load_breach_desk);
    view! {
        <PageTitle text=|l| td_string!(l, breaches.desk_title) />
        <h1>{t!(i18n, breaches.desk_title)}</h1>
        <p>{t!(i18n, breaches.desk_intro)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match desk.await {
                    Ok(desk) => view! { <Desk desk /> }.into_any(),
                    Err(error) => staff_refused(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Desk(desk: BreachDesk) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let open = ServerAction::<OpenBreach>::new();
    view! {
        <h2 id="incidents">{t!(i18n, breaches.list)}</h2>
        {if desk.breaches.is_empty() {
            view! { <p>{t!(i18n, breaches.none)}</p> }.into_any()
        } else {
            view! {
                <ul class="plain-list" data-testid="breach-list">
                    {desk.breaches.into_iter().map(|b| view! {
                        <li class="card" data-breach=b.id.clone()>
                            <a href=format!("/admin/breaches/{}", b.id)>{b.title.clone()}</a>
                            " · " <time>{b.detected.clone()}</time> " · " <ClockBadge breach=b.clone() />
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        <h2 id="open">{t!(i18n, breaches.open_title)}</h2>
        {action_error(open)}
        <ActionForm action=open attr:class="stack-form" attr:data-testid="open-breach">
            <label for="b-title">{t!(i18n, breaches.title_field)}</label>
            <input id="b-title" name="fields[title]" required=true maxlength="200" />
            <label for="b-description">{t!(i18n, breaches.description)}</label>
            <textarea id="b-description" name="fields[description]" rows="4" required=true maxlength="8000"></textarea>
            <label for="b-detected">{t!(i18n, breaches.detected)}</label>
            <input id="b-detected" name="fields[detected]" type="datetime-local" required=true />
            <label for="b-start">{t!(i18n, breaches.window_start)}</label>
            <input id="b-start" name="fields[window_start]" type="datetime-local" required=true />
            <label for="b-end">{t!(i18n, breaches.window_end)}</label>
            <input id="b-end" name="fields[window_end]" type="datetime-local" required=true />
            <p class="muted">{t!(i18n, breaches.utc)}</p>
            <fieldset>
                <legend>{t!(i18n, breaches.systems)}</legend>
                <div class="columns">
                    {desk.systems.into_iter().map(|(slug, name)| view! {
                        <label class="check"><input type="checkbox" name=format!("fields[system.{slug}]") /> " " {name}</label>
                    }).collect_view()}
                </div>
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, breaches.categories)}</legend>
                {DataCategory::ALL.iter().map(|c| {
                    let c = *c;
                    view! { <label class="check"><input type="checkbox" name=format!("fields[category.{}]", c.code()) /> " " {move || category_name(l(), c)}</label> }
                }).collect_view()}
            </fieldset>
            <label for="b-containment">{t!(i18n, breaches.containment)}</label>
            <textarea id="b-containment" name="fields[containment]" rows="3" maxlength="8000"></textarea>
            <button type="submit" class="button-primary">{t!(i18n, breaches.open_button)}</button>
        </ActionForm>
    }
}

/// One incident.
#[component]
pub fn BreachCasePage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let case = Resource::new(
        move || {
            (
                lang.get(),
                params.read().get("id").unwrap_or_default(),
                query.read().get("done"),
            )
        },
        |(lang, id, _)| load_breach_case(lang, id),
    );
    view! {
        <PageTitle text=|l| td_string!(l, breaches.case_title) />
        <p><a href="/admin/breaches">{t!(i18n, breaches.back)}</a></p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match case.await {
                    Ok(case) => view! { <Case case /> }.into_any(),
                    Err(error) => staff_refused(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Case(case: BreachCase) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let (decide, notify, close) = (
        ServerAction::<DecideBreach>::new(),
        ServerAction::<NotifyBreach>::new(),
        ServerAction::<CloseBreach>::new(),
    );
    let b = case.breach.clone();
    let id = b.id.clone();
    let status = b.status;
    let draft = case.draft.clone();
    let (enrolled, queried, affected) = (case.enrolled, case.queried, case.affected);
    view! {
        <h1>{b.title.clone()}</h1>
        <p data-testid="breach-status">
            {status_label(status)}
            {b.clock.is_some().then(|| view! { " · " <ClockBadge breach=b.clone() /> })}
        </p>
        <dl class="facts">
            <dt>{t!(i18n, breaches.detected)}</dt><dd>{b.detected.clone()} " UTC"</dd>
            <dt>{t!(i18n, breaches.window)}</dt><dd>{b.window.0.clone()} " – " {b.window.1.clone()} " UTC"</dd>
            <dt>{t!(i18n, breaches.systems)}</dt><dd>{b.systems.join(", ")}</dd>
            <dt>{t!(i18n, breaches.categories)}</dt>
            <dd>{b.data_categories.iter().map(|c| { let c = *c; view! { <span class="tag">{move || category_name(l(), c)}</span> " " } }).collect_view()}</dd>
            <dt>{t!(i18n, breaches.description)}</dt><dd class="pre-wrap">{b.description.clone()}</dd>
            <dt>{t!(i18n, breaches.containment)}</dt><dd class="pre-wrap">{b.containment.clone()}</dd>
            {b.agency.clone().map(|a| view! { <dt>{t!(i18n, breaches.reported_by)}</dt><dd>{a}</dd> })}
        </dl>
        <h2 id="affected">{t!(i18n, breaches.affected_title)}</h2>
        <p data-testid="affected-count">{t!(i18n, breaches.affected_computed, count = move || affected, enrolled = move || enrolled, queried = move || queried)}</p>
        <p><a href=format!("/admin/breaches/{id}/letters.csv") data-testid="letters">{t!(i18n, breaches.letters)}</a></p>
        <h2 id="draft">{t!(i18n, breaches.draft_title)}</h2>
        <dl class="facts" data-testid="regulator-draft">
            <dt>{t!(i18n, breaches.draft_nature)}</dt><dd class="pre-wrap">{draft.nature.clone()}</dd>
            <dt>{t!(i18n, breaches.categories)}</dt>
            <dd>{draft.categories.iter().map(|c| { let c = *c; view! { <span class="tag">{move || category_name(l(), c)}</span> " " } }).collect_view()}</dd>
            <dt>{t!(i18n, breaches.draft_people)}</dt><dd>{draft.people}</dd>
            <dt>{t!(i18n, breaches.draft_records)}</dt><dd>{draft.records}</dd>
            <dt>{t!(i18n, breaches.draft_contacts)}</dt><dd>{draft.contacts.join("; ")}</dd>
            <dt>{t!(i18n, breaches.consequences)}</dt><dd class="pre-wrap">{draft.consequences.clone()}</dd>
            <dt>{t!(i18n, breaches.measures)}</dt><dd class="pre-wrap">{draft.measures.clone()}</dd>
        </dl>
        {(status == BreachStatus::Open).then(|| {
            let id = id.clone();
            view! {
                <h2 id="decide">{t!(i18n, breaches.decide_title)}</h2>
                {action_error(decide)}
                <ActionForm action=decide attr:class="stack-form" attr:data-testid="decide-breach">
                    <input type="hidden" name="id" value=id />
                    <label for="b-decision">{t!(i18n, breaches.decision)}</label>
                    <select id="b-decision" name="decision">
                        <option value=RegulatorDecision::Notify.code()>{t!(i18n, breaches.notify_regulator)}</option>
                        <option value=RegulatorDecision::NotNotify.code()>{t!(i18n, breaches.not_notify_regulator)}</option>
                    </select>
                    <label for="b-reasons">{t!(i18n, breaches.reasons)}</label>
                    <textarea id="b-reasons" name="reasons" rows="3" maxlength="8000"></textarea>
                    <label for="b-consequences">{t!(i18n, breaches.consequences)}</label>
                    <textarea id="b-consequences" name="consequences" rows="3" maxlength="8000"></textarea>
                    <label for="b-measures">{t!(i18n, breaches.measures)}</label>
                    <textarea id="b-measures" name="measures" rows="3" maxlength="8000"></textarea>
                    <label for="b-records">{t!(i18n, breaches.draft_records)}</label>
                    <input id="b-records" name="records" inputmode="numeric" maxlength="12" />
                    <button type="submit" class="button-primary">{t!(i18n, breaches.decide_button)}</button>
                </ActionForm>
            }
        })}
        {b.regulator_decision.map(|d| view! {
            <p data-testid="regulator-decision">
                {match d { RegulatorDecision::Notify => t!(i18n, breaches.notify_regulator).into_any(), RegulatorDecision::NotNotify => t!(i18n, breaches.not_notify_regulator).into_any() }}
                {b.regulator_reasons.clone().filter(|r| !r.is_empty()).map(|r| view! { ": " <span class="pre-wrap">{r}</span> })}
            </p>
        })}
        {(status == BreachStatus::Decided).then(|| {
            let id = id.clone();
            view! {
                <h2 id="notify">{t!(i18n, breaches.notify_title)}</h2>
                <p>{t!(i18n, breaches.notify_intro)}</p>
                {action_error(notify)}
                <ActionForm action=notify attr:class="stack-form" attr:data-testid="notify-breach">
                    <input type="hidden" name="id" value=id />
                    <label for="b-confirmed">{t!(i18n, breaches.confirm_count)}</label>
                    <input id="b-confirmed" name="confirmed" inputmode="numeric" required=true maxlength="12" />
                    <button type="submit" class="button-primary">{t!(i18n, breaches.notify_button)}</button>
                </ActionForm>
            }
        })}
        {b.affected_count.filter(|_| status != BreachStatus::Open && status != BreachStatus::Decided).map(|n| view! {
            <p data-testid="notified">{t!(i18n, breaches.notified, count = move || n)}</p>
        })}
        {matches!(status, BreachStatus::Decided | BreachStatus::ResidentsNotified).then(|| {
            let id = id.clone();
            view! {
                <h2 id="close">{t!(i18n, breaches.close_title)}</h2>
                {action_error(close)}
                <ActionForm action=close attr:class="stack-form" attr:data-testid="close-breach">
                    <input type="hidden" name="id" value=id />
                    <label for="b-summary">{t!(i18n, breaches.summary)}</label>
                    <textarea id="b-summary" name="summary" rows="4" required=true maxlength="8000"></textarea>
                    <button type="submit" class="button-secondary">{t!(i18n, breaches.close_button)}</button>
                </ActionForm>
            }
        })}
    }
}
