//! `/admin/requests/:id`: the case file and its actions, each one plain form that works
//! without JavaScript.

use crate::components::error_notice::ErrorNotice;
use crate::components::messages::MessageList;
use crate::components::page_title::PageTitle;
use crate::components::reload_key::id_lang_done;
use crate::components::status::set_http_status;
use crate::console::{
    AskResident, AssignRequest, CompleteTaskForAgency, ExtendDeadline, FulfilRequest, RejectRequest,
    VerifyIdentity, get_case,
};
use crate::error::AppError;
use crate::i18n::{t, td_string, use_i18n};
use crate::requests::names::{kind_name, status_name};
use domain::requests::{CaseFile, RequestStatus, TaskOutcome, TaskView};
use leptos::prelude::*;
use leptos_router::components::A;

use super::shared::{action_error, staff_refused};

/// `/admin/requests/:id`: the case file.
#[component]
pub fn CasePage() -> impl IntoView {
    let i18n = use_i18n();
    let case = Resource::new(id_lang_done(), |(id, lang, _)| get_case(id, lang));
    view! {
        <PageTitle text=|l| td_string!(l, console.case_title) />
        <p><A href="/admin/requests">{t!(i18n, console.back)}</A></p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match case.await {
                    Ok(case) => view! { <Case case /> }.into_any(),
                    Err(AppError::NotFound) => {
                        set_http_status(404);
                        view! { <ErrorNotice error=AppError::NotFound /> }.into_any()
                    }
                    Err(error) => staff_refused(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Case(case: CaseFile) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let detail = case.detail.clone();
    let summary = detail.summary.clone();
    let (kind, status) = (summary.kind, summary.status);
    let id = summary.id.clone();
    let open = !status.is_closed();
    let tasks_complete = case.tasks_complete();
    let verifiable = matches!(status, RequestStatus::Received | RequestStatus::IdentityCheck);
    view! {
        <h1>{move || kind_name(l(), kind)} " — " {summary.id.clone()}</h1>
        <dl class="facts" data-testid="case-facts" data-status=status.code()>
            <dt>{t!(i18n, console.resident)}</dt>
            <dd>{case.resident_name.clone()} " · " <bdi dir="ltr">{case.resident_number.clone()}</bdi> " · " <bdi dir="ltr">{case.resident_email.clone()}</bdi></dd>
            <dt>{t!(i18n, console.verified)}</dt>
            <dd data-testid="resident-verified" data-verified=case.resident_verified.to_string()>
                {if case.resident_verified {
                    t!(i18n, console.verified_account).into_any()
                } else {
                    t!(i18n, console.unverified).into_any()
                }}
            </dd>
            <dt>{t!(i18n, console.col_status)}</dt>
            <dd>{move || status_name(l(), status)}</dd>
            <dt>{t!(i18n, requests.received)}</dt>
            <dd>{summary.received.to_string()}</dd>
            <dt>{t!(i18n, console.col_due)}</dt>
            <dd>{summary.due.to_string()}</dd>
            <dt>{t!(i18n, console.col_assigned)}</dt>
            <dd>{case.assigned_to.clone().map_or_else(|| td_string!(l(), console.nobody).to_owned(), |(_, name)| name)}</dd>
            {detail.objection.clone().map(|(system, purpose)| view! {
                <dt>{t!(i18n, requests.objection)}</dt>
                <dd>{system} " — " {purpose}</dd>
            })}
            {(!detail.details.is_empty()).then(|| view! {
                <dt>{t!(i18n, requests.details)}</dt>
                <dd class="pre-wrap">{detail.details.clone()}</dd>
            })}
        </dl>
        <h2>{t!(i18n, console.tasks)}</h2>
        <ul class="plain-list" data-testid="case-tasks">
            {detail.tasks.iter().cloned().map(|task| view! { <CaseTask request=id.clone() task open /> }).collect_view()}
        </ul>
        <h2>{t!(i18n, requests.timeline)}</h2>
        <ol class="timeline">
            {detail.timeline.iter().cloned().map(|entry| {
                let s = entry.status;
                view! {
                    <li data-status=s.code()>
                        {entry.at.replace('T', " ").chars().take(16).collect::<String>()} " UTC · "
                        <strong>{move || status_name(l(), s)}</strong>
                        {entry.reason.map(|r| view! { <p class="pre-wrap">{r}</p> })}
                    </li>
                }
            }).collect_view()}
        </ol>
        <h2>{t!(i18n, console.messages)}</h2>
        <MessageList messages=detail.messages.clone() />
        <h2>{t!(i18n, console.actions)}</h2>
        {if open {
            view! {
                <AskForm id=id.clone() />
                <AssignForm id=id.clone() staff=case.staff.clone() current=case.assigned_to.clone().map(|(i, _)| i) />
                {verifiable.then(|| view! { <VerifyForm id=id.clone() /> })}
                {case.may_extend.then(|| view! { <ExtendForm id=id.clone() /> })}
                {(tasks_complete && !verifiable).then(|| view! { <FulfilForm id=id.clone() /> })}
                <RejectForm id=id.clone() />
            }
            .into_any()
        } else {
            view! { <p>{t!(i18n, console.closed)}</p> }.into_any()
        }}
    }
}

#[component]
fn CaseTask(request: String, task: TaskView, open: bool) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let outcome = task.outcome;
    let complete = ServerAction::<CompleteTaskForAgency>::new();
    let form_id = format!("task-{}", task.id);
    view! {
        <li class="card" data-system=task.system.clone() data-outcome=outcome.map_or("open", TaskOutcome::code)>
            <p><strong>{task.system_name.clone()}</strong> " (" {task.agency_name.clone()} "): "
                {move || match outcome {
                    None => td_string!(l(), console.task_open),
                    Some(TaskOutcome::Done) => td_string!(l(), requests.outcome_done),
                    Some(TaskOutcome::NoData) => td_string!(l(), requests.outcome_no_data),
                    Some(TaskOutcome::Refused) => td_string!(l(), requests.outcome_refused),
                }}
            </p>
            {task.note.clone().filter(|n| !n.is_empty()).map(|note| view! { <p class="pre-wrap">{note}</p> })}
            {(open && outcome.is_none()).then(|| view! {
                {action_error(complete)}
                <ActionForm action=complete attr:class="inline-form">
                    <input type="hidden" name="id" value=request.clone() />
                    <input type="hidden" name="task" value=task.id.clone() />
                    <label for=format!("{form_id}-outcome")>{t!(i18n, console.outcome)}</label>
                    <select id=format!("{form_id}-outcome") name="outcome">
                        <option value="done">{move || td_string!(l(), requests.outcome_done)}</option>
                        <option value="no_data">{move || td_string!(l(), requests.outcome_no_data)}</option>
                        <option value="refused">{move || td_string!(l(), requests.outcome_refused)}</option>
                    </select>
                    <label for=format!("{form_id}-note")>{t!(i18n, console.note)}</label>
                    <input id=format!("{form_id}-note") name="note" type="text" maxlength="4000" />
                    <button type="submit" class="button-secondary">{t!(i18n, console.complete)}</button>
                </ActionForm>
            })}
        </li>
    }
}

#[component]
fn AssignForm(id: String, staff: Vec<(String, String)>, current: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let assign = ServerAction::<AssignRequest>::new();
    view! {
        {action_error(assign)}
        <ActionForm action=assign attr:class="inline-form">
            <input type="hidden" name="id" value=id />
            <label for="assign-to">{t!(i18n, console.assign_to)}</label>
            <select id="assign-to" name="to">
                <option value="">{t!(i18n, console.nobody)}</option>
                {staff.into_iter().map(|(sid, name)| {
                    let selected = current.as_deref() == Some(sid.as_str());
                    view! { <option value=sid selected=selected>{name}</option> }
                }).collect_view()}
            </select>
            <button type="submit" class="button-secondary">{t!(i18n, console.assign)}</button>
        </ActionForm>
    }
}

#[component]
fn AskForm(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let ask = ServerAction::<AskResident>::new();
    view! {
        {action_error(ask)}
        <ActionForm action=ask attr:class="stack-form">
            <input type="hidden" name="id" value=id />
            <label for="ask-question">{t!(i18n, console.ask_label)}</label>
            <textarea id="ask-question" name="question" rows="3" required=true maxlength="4000"></textarea>
            <button type="submit" class="button-secondary">{t!(i18n, console.ask)}</button>
        </ActionForm>
    }
}

#[component]
fn VerifyForm(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let verify = ServerAction::<VerifyIdentity>::new();
    view! {
        {action_error(verify)}
        <ActionForm action=verify attr:class="inline-form">
            <input type="hidden" name="id" value=id />
            <button type="submit" class="button-primary">{t!(i18n, console.verify)}</button>
        </ActionForm>
    }
}

#[component]
fn ExtendForm(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let extend = ServerAction::<ExtendDeadline>::new();
    view! {
        {action_error(extend)}
        <ActionForm action=extend attr:class="stack-form">
            <input type="hidden" name="id" value=id />
            <label for="extend-reason">{t!(i18n, console.extend_reason)}</label>
            <textarea id="extend-reason" name="reason" rows="3" required=true maxlength="4000"></textarea>
            <button type="submit" class="button-secondary">{t!(i18n, console.extend)}</button>
        </ActionForm>
    }
}

#[component]
fn RejectForm(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let reject = ServerAction::<RejectRequest>::new();
    view! {
        {action_error(reject)}
        <ActionForm action=reject attr:class="stack-form">
            <input type="hidden" name="id" value=id />
            <label for="reject-reason">{t!(i18n, console.reject_reason)}</label>
            <textarea id="reject-reason" name="reason" rows="3" required=true maxlength="4000"></textarea>
            <button type="submit" class="button-secondary">{t!(i18n, console.reject)}</button>
        </ActionForm>
    }
}

#[component]
fn FulfilForm(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let fulfil = ServerAction::<FulfilRequest>::new();
    view! {
        {action_error(fulfil)}
        <p id="fulfil-hint">{t!(i18n, console.fulfil_hint)}</p>
        <ActionForm action=fulfil attr:class="inline-form">
            <input type="hidden" name="id" value=id />
            <button type="submit" class="button-primary" aria-describedby="fulfil-hint">{t!(i18n, console.fulfil)}</button>
        </ActionForm>
    }
}
