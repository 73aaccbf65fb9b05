//! The officer console's requests: `/admin/requests` (the queue, most urgent first, with
//! filters, search and pages) and `/admin/requests/:id` (the case file and its actions, each
//! one plain form that works without JavaScript).

use crate::components::error_notice::ErrorNotice;
use crate::components::messages::MessageList;
use crate::components::page_title::PageTitle;
use crate::components::signed_in::refused;
use crate::components::status::set_http_status;
use crate::console::{
    AskResident, AssignRequest, CompleteTaskForAgency, ExtendDeadline, FileAssisted, FulfilRequest,
    RejectRequest, VerifyIdentity, get_case, request_queue,
};
use crate::error::AppError;
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::use_lang;
use crate::pages::requests::{kind_name, status_name};
use domain::account::AuthError;
use domain::requests::{
    CaseFile, QueuePage, QueueRow, RequestKind, RequestStatus, TaskOutcome, TaskView, Urgency,
};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

/// A refused staff page: 403 for residents, the sign-in page for visitors.
fn staff_refused(error: AppError) -> AnyView {
    if error == AppError::Auth(AuthError::Forbidden) {
        set_http_status(403);
        let i18n = use_i18n();
        view! { <p class="notice">{t!(i18n, console.forbidden)}</p> }.into_any()
    } else {
        refused(error)
    }
}

/// `/admin/requests`: the queue.
#[component]
pub fn RequestQueuePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k);
    let page = Resource::new(
        move || {
            (
                get("status"),
                get("kind"),
                get("agency"),
                get("overdue"),
                get("mine"),
                get("q"),
                get("page"),
            )
        },
        |(status, kind, agency, overdue, mine, q, page)| {
            request_queue(status, kind, agency, overdue, mine, q, page)
        },
    );
    view! {
        <PageTitle text=|l| td_string!(l, console.queue_title) />
        <h1>{t!(i18n, console.queue_title)}</h1>
        <p>{t!(i18n, console.queue_intro)}</p>
        <QueueFilters />
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <QueueTable page /> <AssistedForm /> }.into_any(),
                    Err(error) => staff_refused(error),
                }
            })}
        </Suspense>
    }
}

/// The filter form: a plain GET, so it works without JavaScript and links can be shared.
#[component]
fn QueueFilters() -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let query = use_query_map();
    let current = move |k: &str| query.read_untracked().get(k).unwrap_or_default();
    let (status, kind, agency, q) = (
        current("status"),
        current("kind"),
        current("agency"),
        current("q"),
    );
    let (overdue, mine) = (!current("overdue").is_empty(), !current("mine").is_empty());
    view! {
        <form method="get" action="/admin/requests" class="filters" role="search">
            <div class="field">
                <label for="f-status">{t!(i18n, console.filter_status)}</label>
                <select id="f-status" name="status">
                    <option value="">{t!(i18n, console.any)}</option>
                    {RequestStatus::ALL.iter().map(|&s| view! {
                        <option value=s.code() selected=s.code() == status>{move || status_name(l(), s)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-kind">{t!(i18n, console.filter_kind)}</label>
                <select id="f-kind" name="kind">
                    <option value="">{t!(i18n, console.any)}</option>
                    {RequestKind::ALL.iter().map(|&k| view! {
                        <option value=k.code() selected=k.code() == kind>{move || kind_name(l(), k)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-agency">{t!(i18n, console.filter_agency)}</label>
                <input id="f-agency" name="agency" type="text" value=agency placeholder="riverton-transit" />
            </div>
            <div class="field field-wide">
                <label for="f-q">{t!(i18n, console.search)}</label>
                <input id="f-q" name="q" type="search" value=q />
            </div>
            <div class="choice">
                <input id="f-overdue" name="overdue" type="checkbox" value="1" checked=overdue />
                <label for="f-overdue">{t!(i18n, console.filter_overdue)}</label>
            </div>
            <div class="choice">
                <input id="f-mine" name="mine" type="checkbox" value="1" checked=mine />
                <label for="f-mine">{t!(i18n, console.filter_mine)}</label>
            </div>
            <button type="submit" class="button-primary">{t!(i18n, console.apply)}</button>
        </form>
    }
}

/// Files a request for a resident who came to a city office or phoned.
#[component]
fn AssistedForm() -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let file = ServerAction::<FileAssisted>::new();
    view! {
        <section class="card">
            <h2>{t!(i18n, console.assisted_title)}</h2>
            <p>{t!(i18n, console.assisted_intro)}</p>
            {action_error(file)}
            <ActionForm action=file attr:class="stack-form">
                <label for="assisted-number">{t!(i18n, console.assisted_number)}</label>
                <input id="assisted-number" name="resident_number" type="text" autocomplete="off" placeholder="GH-XXXX-XXXX" />
                <fieldset>
                    <legend>{t!(i18n, console.assisted_or)}</legend>
                    <label for="assisted-name">{t!(i18n, console.assisted_name)}</label>
                    <input id="assisted-name" name="name" type="text" autocomplete="off" maxlength="80" />
                    <label for="assisted-email">{t!(i18n, console.assisted_email)}</label>
                    <input id="assisted-email" name="email" type="email" autocomplete="off" />
                    <label for="assisted-phone">{t!(i18n, console.assisted_phone)}</label>
                    <input id="assisted-phone" name="phone" type="tel" autocomplete="off" />
                </fieldset>
                <label for="assisted-kind">{t!(i18n, console.filter_kind)}</label>
                <select id="assisted-kind" name="kind">
                    {RequestKind::ALL.iter().map(|&k| view! { <option value=k.code()>{move || kind_name(l(), k)}</option> }).collect_view()}
                </select>
                <label for="assisted-purpose">{t!(i18n, requests.purpose_label)}</label>
                <input id="assisted-purpose" name="purpose" type="text" placeholder="central-station-cctv/passenger-safety" />
                <label for="assisted-details">{t!(i18n, requests.details_label)}</label>
                <textarea id="assisted-details" name="details" rows="3" maxlength="4000"></textarea>
                <button type="submit" class="button-primary">{t!(i18n, console.assisted_submit)}</button>
            </ActionForm>
        </section>
    }
}

/// The badge of a request's time left: ≥ 10 days green, < 10 amber, < 5 red, overdue.
#[component]
fn DaysBadge(row: QueueRow) -> impl IntoView {
    let i18n = use_i18n();
    let (class, code) = match row.urgency() {
        Some(Urgency::Green) => ("badge badge-green", "green"),
        Some(Urgency::Amber) => ("badge badge-amber", "amber"),
        Some(Urgency::Red) => ("badge badge-red", "red"),
        Some(Urgency::Overdue) => ("badge badge-overdue", "overdue"),
        None => ("badge", "closed"),
    };
    let days = row.summary.days_left;
    view! {
        <span class=class data-urgency=code>
            {match days {
                Some(n) if n < 0 => t!(i18n, console.overdue).into_any(),
                Some(n) => t!(i18n, console.days, n = move || n).into_any(),
                None => "—".into_any(),
            }}
        </span>
    }
}

#[component]
fn QueueTable(page: QueuePage) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let query = use_query_map();
    let link_to = move |n: u32| {
        let mut pairs: Vec<(String, String)> = query
            .get_untracked()
            .into_iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        pairs.push(("page".to_owned(), n.to_string()));
        let encoded: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencoding(v)))
            .collect();
        format!("/admin/requests?{}", encoded.join("&"))
    };
    if page.rows.is_empty() {
        return view! { <p class="empty">{t!(i18n, console.none)}</p> }.into_any();
    }
    let (current, has_more) = (page.page, page.has_more);
    view! {
        <div class="table-scroll">
            <table class="queue" data-testid="request-queue">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, console.col_request)}</th>
                        <th scope="col">{t!(i18n, console.col_resident)}</th>
                        <th scope="col">{t!(i18n, console.col_status)}</th>
                        <th scope="col">{t!(i18n, console.col_due)}</th>
                        <th scope="col">{t!(i18n, console.col_left)}</th>
                        <th scope="col">{t!(i18n, console.col_tasks)}</th>
                        <th scope="col">{t!(i18n, console.col_assigned)}</th>
                    </tr>
                </thead>
                <tbody>
                    {page.rows.into_iter().map(|row| {
                        let (kind, status) = (row.summary.kind, row.summary.status);
                        let href = format!("/admin/requests/{}", row.summary.id);
                        view! {
                            <tr data-status=status.code() data-kind=kind.code()>
                                <th scope="row"><A href=href>{move || kind_name(l(), kind)}</A></th>
                                <td>{row.resident_number.clone()}</td>
                                <td>{move || status_name(l(), status)}</td>
                                <td><time datetime=row.summary.due.to_string()>{row.summary.due.to_string()}</time></td>
                                <td><DaysBadge row=row.clone() /></td>
                                <td>{row.open_tasks}</td>
                                <td>{row.assigned_to.clone().unwrap_or_else(|| td_string!(l(), console.nobody).to_owned())}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label=move || td_string!(l(), console.queue_title)>
            {(current > 0).then(|| view! { <A href=link_to(current - 1)>{t!(i18n, console.newer)}</A> })}
            {has_more.then(|| view! { <A href=link_to(current + 1)>{t!(i18n, console.older)}</A> })}
        </nav>
    }
    .into_any()
}

/// Percent-encodes a query value.
fn urlencoding(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `/admin/requests/:id`: the case file.
#[component]
pub fn CasePage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    // `done` changes after each action, so the case is loaded again.
    let case = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                lang.get(),
                query.read().get("done"),
            )
        },
        |(id, lang, _)| get_case(id, lang),
    );
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
            <dd>{case.resident_name.clone()} " · " {case.resident_number.clone()} " · " {case.resident_email.clone()}</dd>
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

/// The error of the last submission of an action, if any.
fn action_error<S>(action: ServerAction<S>) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| view! { <ErrorNotice error /> })
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
