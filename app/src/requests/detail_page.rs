//! `/my/requests/:id`: status, timeline, messages, what each agency reported, withdrawal.
use crate::components::error_notice::ErrorNotice;
use crate::components::messages::MessageList;
use crate::components::page_title::PageTitle;
use crate::components::reload_key::id_lang_done;
use crate::components::signed_in::{MyNav, refused};
use crate::i18n::{t, td_string, use_i18n};
use crate::requests::{ReplyToOffice, WithdrawRequest, my_request};
use domain::requests::{
    MAX_DETAILS_CHARS, RequestChannel, RequestDetail, RequestStatus, TaskOutcome, TaskView, TimelineEntry,
};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::names::{TimeLeft, kind_name, status_name};

/// `/my/requests/:id`: one of the resident's requests.
#[component]
pub fn RequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some();
    let request = Resource::new(id_lang_done(), |(id, lang, _)| my_request(id, lang));
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
