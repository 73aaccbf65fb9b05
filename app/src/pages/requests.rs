//! The resident's privacy requests: `/my/requests` (the list), `/my/requests/new` (file one)
//! and `/my/requests/:id` (status, timeline, what each agency reported, withdraw).

use crate::components::error_notice::ErrorNotice;
use crate::components::messages::MessageList;
use crate::components::page_title::PageTitle;
use crate::components::signed_in::{MyNav, refused};
use crate::consent::my_systems;
use crate::i18n::{Locale, t, td_string, use_i18n};
use crate::i18n_support::use_lang;
use crate::requests::{FileRequest, ReplyToOffice, WithdrawRequest, my_request, my_requests};
use domain::consent::MySystem;
use domain::register::LegalBasis;
use domain::requests::{
    MAX_DETAILS_CHARS, RequestChannel, RequestDetail, RequestKind, RequestStatus, RequestSummary,
    TaskOutcome, TaskView, TimelineEntry,
};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The name of a kind of request.
pub fn kind_name(l: Locale, kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Access => td_string!(l, request_kind.access),
        RequestKind::Rectification => td_string!(l, request_kind.rectification),
        RequestKind::Erasure => td_string!(l, request_kind.erasure),
        RequestKind::Restriction => td_string!(l, request_kind.restriction),
        RequestKind::Portability => td_string!(l, request_kind.portability),
        RequestKind::Objection => td_string!(l, request_kind.objection),
    }
}

/// One plain sentence saying what a kind of request does.
fn kind_explained(l: Locale, kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Access => td_string!(l, request_kind.access_explained),
        RequestKind::Rectification => td_string!(l, request_kind.rectification_explained),
        RequestKind::Erasure => td_string!(l, request_kind.erasure_explained),
        RequestKind::Restriction => td_string!(l, request_kind.restriction_explained),
        RequestKind::Portability => td_string!(l, request_kind.portability_explained),
        RequestKind::Objection => td_string!(l, request_kind.objection_explained),
    }
}

/// Where a request stands, in words.
pub fn status_name(l: Locale, status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Received => td_string!(l, request_status.received),
        RequestStatus::IdentityCheck => td_string!(l, request_status.identity_check),
        RequestStatus::InProgress => td_string!(l, request_status.in_progress),
        RequestStatus::Extended => td_string!(l, request_status.extended),
        RequestStatus::Fulfilled => td_string!(l, request_status.fulfilled),
        RequestStatus::Rejected => td_string!(l, request_status.rejected),
        RequestStatus::Withdrawn => td_string!(l, request_status.withdrawn),
    }
}

/// How much time a request has left, or when it closed.
#[component]
fn TimeLeft(summary: RequestSummary) -> impl IntoView {
    let i18n = use_i18n();
    match (summary.days_left, summary.closed) {
        (Some(n), _) if n > 0 => t!(i18n, requests.days_left, n = move || n).into_any(),
        (Some(0), _) => t!(i18n, requests.due_today).into_any(),
        (Some(n), _) => view! { <strong>{t!(i18n, requests.overdue, n = move || -n)}</strong> }.into_any(),
        (None, Some(date)) => t!(i18n, requests.closed_on, date = move || date.to_string()).into_any(),
        (None, None) => ().into_any(),
    }
}

/// `/my/requests`: every request of the signed-in resident, newest first.
#[component]
pub fn RequestsPage() -> impl IntoView {
    let i18n = use_i18n();
    let requests = Resource::new(|| (), |_| my_requests());
    view! {
        <PageTitle text=|l| td_string!(l, requests.title) />
        <h1>{t!(i18n, requests.title)}</h1>
        <MyNav />
        <p>{t!(i18n, requests.intro)}</p>
        <p><A href="/my/requests/new" attr:class="button-primary">{t!(i18n, requests.new_link)}</A></p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match requests.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, requests.none)}</p> }.into_any(),
                    Ok(list) => view! {
                        <ol class="log" data-testid="my-requests">
                            {list.into_iter().map(|summary| view! { <RequestItem summary /> }).collect_view()}
                        </ol>
                    }
                    .into_any(),
                    Err(error) => refused(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RequestItem(summary: RequestSummary) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let (kind, status) = (summary.kind, summary.status);
    let href = format!("/my/requests/{}", summary.id);
    view! {
        <li class="card log-entry" data-status=status.code() data-kind=kind.code()>
            <p class="log-head">
                <A href=href><strong>{move || kind_name(l(), kind)}</strong></A>
                " · " {move || status_name(l(), status)}
            </p>
            <dl class="facts compact">
                <dt>{t!(i18n, requests.col_received)}</dt>
                <dd><time datetime=summary.received.to_string()>{summary.received.to_string()}</time></dd>
                <dt>{t!(i18n, requests.col_due)}</dt>
                <dd><time datetime=summary.due.to_string()>{summary.due.to_string()}</time></dd>
                <dt>{t!(i18n, requests.col_left)}</dt>
                <dd><TimeLeft summary=summary.clone() /></dd>
            </dl>
        </li>
    }
}

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
    // Only purposes on a public task or legitimate interests can be objected to (Art. 21).
    let objectable: Vec<(String, String)> = systems
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
        .collect();
    view! {
        {move || file.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
        <ActionForm action=file attr:class="stack-form request-form">
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

/// `/my/requests/:id`: one of the resident's requests.
#[component]
pub fn RequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some();
    // `done` changes after each action, so the request is loaded again.
    let request = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                lang.get(),
                query.read().get("done"),
            )
        },
        |(id, lang, _)| my_request(id, lang),
    );
    view! {
        <PageTitle text=|l| td_string!(l, requests.detail_title) />
        <MyNav />
        <Show when=sent>
            <div class="notice notice-ok" role="status"><p>{t!(i18n, requests.sent)}</p></div>
        </Show>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match request.await {
                    Ok(detail) => view! { <RequestDetails detail /> }.into_any(),
                    Err(crate::error::AppError::NotFound) => {
                        crate::components::status::set_http_status(404);
                        view! { <ErrorNotice error=crate::error::AppError::NotFound /> }.into_any()
                    }
                    Err(error) => refused(error),
                }
            })}
        </Suspense>
        <p><A href="/my/requests">{t!(i18n, requests.back)}</A></p>
    }
}

#[component]
fn RequestDetails(detail: RequestDetail) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let summary = detail.summary.clone();
    let (kind, status, channel) = (summary.kind, summary.status, detail.channel);
    let open = !status.is_closed();
    let id = summary.id.clone();
    view! {
        <h1>{move || kind_name(l(), kind)} " — " {t!(i18n, requests.detail_title)}</h1>
        <dl class="facts" data-testid="request-facts" data-status=status.code()>
            <dt>{t!(i18n, requests.status)}</dt>
            <dd>{move || status_name(l(), status)}</dd>
            <dt>{t!(i18n, requests.received)}</dt>
            <dd><time datetime=summary.received.to_string()>{summary.received.to_string()}</time></dd>
            <dt>{t!(i18n, requests.due)}</dt>
            <dd><time datetime=summary.due.to_string()>{summary.due.to_string()}</time> " (" <TimeLeft summary=summary.clone() /> ")"</dd>
            <dt>{t!(i18n, requests.channel)}</dt>
            <dd>{move || match channel {
                RequestChannel::Web => td_string!(l(), requests.channel_web),
                RequestChannel::Assisted => td_string!(l(), requests.channel_assisted),
            }}</dd>
            {detail.objection.clone().map(|(system, purpose)| view! {
                <dt>{t!(i18n, requests.objection)}</dt>
                <dd>{system} " — " {purpose}</dd>
            })}
            {(!detail.details.is_empty()).then(|| view! {
                <dt>{t!(i18n, requests.details)}</dt>
                <dd class="pre-wrap">{detail.details.clone()}</dd>
            })}
        </dl>
        {detail.paused.then(|| view! { <p class="notice">{t!(i18n, requests.paused)}</p> })}
        {detail.extended.then(|| view! { <p>{t!(i18n, requests.extended_note)}</p> })}
        {(status == RequestStatus::Rejected).then(|| view! { <p class="notice">{t!(i18n, requests.complain)}</p> })}
        {(status == RequestStatus::Fulfilled && kind.delivers_data()).then(|| view! {
            <p class="notice notice-ok" data-testid="package-links">
                <A href=format!("/my/requests/{id}/package")>{t!(i18n, package.view)}</A> " · "
                <a href=format!("/my/requests/{id}/package.json") download="">{t!(i18n, package.download_json)}</a>
            </p>
        })}
        <h2>{t!(i18n, requests.timeline)}</h2>
        <ol class="timeline" data-testid="request-timeline">
            {detail.timeline.into_iter().map(|entry| view! { <TimelineItem entry /> }).collect_view()}
        </ol>
        <h2 id="messages">{t!(i18n, requests.messages)}</h2>
        <MessageList messages=detail.messages.clone() />
        {open.then(|| view! { <ReplyForm id=id.clone() /> })}
        <h2>{t!(i18n, requests.agencies)}</h2>
        <p>{t!(i18n, requests.agencies_intro)}</p>
        <ul class="plain-list" data-testid="request-tasks">
            {detail.tasks.into_iter().map(|task| view! { <TaskItem task /> }).collect_view()}
        </ul>
        {open.then(|| view! { <WithdrawForm id=id.clone() /> })}
    }
}

#[component]
fn TimelineItem(entry: TimelineEntry) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let status = entry.status;
    view! {
        <li data-status=status.code()>
            <time datetime=entry.at.clone()>{entry.at.replace('T', " ").chars().take(16).collect::<String>()} " UTC"</time>
            " · " <strong>{move || status_name(l(), status)}</strong>
            {entry.reason.map(|reason| view! { <p class="pre-wrap">{reason}</p> })}
        </li>
    }
}

#[component]
fn TaskItem(task: TaskView) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let outcome = task.outcome;
    view! {
        <li class="card" data-system=task.system.clone() data-outcome=outcome.map_or("open", TaskOutcome::code)>
            <p><A href=format!("/systems/{}", task.system)>{task.system_name}</A> " (" {task.agency_name} ")"</p>
            <p><strong>{move || match outcome {
                None => td_string!(l(), requests.outcome_pending),
                Some(TaskOutcome::Done) => td_string!(l(), requests.outcome_done),
                Some(TaskOutcome::NoData) => td_string!(l(), requests.outcome_no_data),
                Some(TaskOutcome::Refused) => td_string!(l(), requests.outcome_refused),
            }}</strong></p>
            {task.note.filter(|n| !n.is_empty()).map(|note| view! { <p class="pre-wrap">{note}</p> })}
        </li>
    }
}

#[component]
fn ReplyForm(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let reply = ServerAction::<ReplyToOffice>::new();
    let pending = reply.pending();
    view! {
        {move || reply.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
        <ActionForm action=reply attr:class="stack-form">
            <input type="hidden" name="id" value=id />
            <label for="reply-body">{t!(i18n, requests.reply_label)}</label>
            <textarea id="reply-body" name="body" rows="4" required=true maxlength=MAX_DETAILS_CHARS.to_string() aria-describedby="reply-hint"></textarea>
            <small id="reply-hint">{t!(i18n, requests.reply_hint)}</small>
            <button type="submit" class="button-secondary" disabled=move || pending.get()>{t!(i18n, requests.reply)}</button>
        </ActionForm>
    }
}

#[component]
fn WithdrawForm(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let withdraw = ServerAction::<WithdrawRequest>::new();
    let pending = withdraw.pending();
    view! {
        <h2>{t!(i18n, requests.withdraw)}</h2>
        <p id="withdraw-hint">{t!(i18n, requests.withdraw_hint)}</p>
        {move || withdraw.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
        <ActionForm action=withdraw>
            <input type="hidden" name="id" value=id />
            <button type="submit" class="button-secondary" aria-describedby="withdraw-hint"
                disabled=move || pending.get() aria-busy=move || pending.get().then_some("true")>
                {t!(i18n, requests.withdraw)}
            </button>
        </ActionForm>
    }
}
