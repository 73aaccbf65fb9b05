//! `/my/notifications`: what changed in the signed-in resident's requests, and in the systems
//! they follow or hold data in, merged newest first in pages (`?cursor=`), and the account's
//! notices (wrong passwords tried, sign-ups with its email) above the first page; each can be marked read (a plain
//! form), or all at once.

use crate::components::page_title::PageTitle;
use crate::components::pager::{Pager, list_refused};
use crate::components::signed_in::{MyNav, refused};
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::use_lang;
use crate::register::history_page::version_kind_name;
use crate::requests::names::{kind_name, status_name};
use crate::requests::{MarkNotificationsRead, my_account_notices, my_notifications};
use domain::account::{AccountNotice, AccountNoticeKind};
use domain::register::SystemNotice;
use domain::requests::{Notice, NoticesPage, Notification, NotificationKind};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// The page.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let query = use_query_map();
    let mark = ServerAction::<MarkNotificationsRead>::new();
    let list = Resource::new(
        move || (mark.version().get(), lang.get(), query.read().get("cursor")),
        |(_, lang, cursor)| my_notifications(lang, cursor),
    );
    let account = Resource::new(move || mark.version().get(), |_| my_account_notices());
    view! {
        <PageTitle text=|l| td_string!(l, notifications.title) />
        <h1>{t!(i18n, notifications.title)}</h1>
        <MyNav />
        <p>{t!(i18n, notifications.intro)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match (list.await, account.await) {
                    (Ok(page), Ok(account)) => view! { <Notices page account mark /> }.into_any(),
                    (Err(error), _) => list_refused(error, BASE),
                    (_, Err(error)) => refused(error),
                }
            })}
        </Suspense>
    }
}

/// The page's address.
const BASE: &str = "/my/notifications";

/// One page of the merged notifications, with the account's notices above the first page.
#[component]
fn Notices(
    page: NoticesPage,
    account: Vec<AccountNotice>,
    mark: ServerAction<MarkNotificationsRead>,
) -> impl IntoView {
    let i18n = use_i18n();
    let NoticesPage { notices, unread } = page;
    let (later, next) = (notices.later, notices.next_cursor);
    // The account's notices are not paged: they stand above the first page only.
    let account = if later { Vec::new() } else { account };
    if notices.items.is_empty() && !later && account.is_empty() {
        return view! { <p class="empty">{t!(i18n, notifications.none)}</p> }.into_any();
    }
    // A mark form on a later page brings the resident back to that page.
    let cursor = use_query_map().read_untracked().get("cursor").unwrap_or_default();
    let (empty, mark_all_cursor) = (notices.items.is_empty(), cursor.clone());
    view! {
        {(unread > 0).then(|| view! {
            <ActionForm action=mark>
                <input type="hidden" name="id" value="" />
                <input type="hidden" name="cursor" value=mark_all_cursor />
                <button type="submit" class="button-secondary">{t!(i18n, notifications.mark_all)}</button>
            </ActionForm>
        })}
        {(!account.is_empty()).then(|| view! {
            <section aria-labelledby="account-notices">
                <h2 id="account-notices">{t!(i18n, notifications.account_title)}</h2>
                <ol class="log" data-testid="account-notices">
                    {account.into_iter().map(|n| view! { <AccountNotice n mark /> }).collect_view()}
                </ol>
            </section>
        })}
        {(!empty).then(|| view! {
            <ol class="log" data-testid="notifications">
                {notices.items.into_iter().map(|notice| {
                    let cursor = cursor.clone();
                    match notice {
                        Notice::Request(n) => view! { <Item n mark cursor /> }.into_any(),
                        Notice::Register(n) => view! { <RegisterNotice n mark cursor /> }.into_any(),
                    }
                }).collect_view()}
            </ol>
        })}
        <Pager base=BASE label=|l| td_string!(l, notifications.pages) later next_cursor=next empty />
    }
    .into_any()
}

/// The form that marks notification `id` read, coming back to the page at `cursor`.
fn mark_read_form(mark: ServerAction<MarkNotificationsRead>, id: String, cursor: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ActionForm action=mark>
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="cursor" value=cursor />
            <button type="submit" class="button-secondary">{t!(i18n, notifications.mark_read)}</button>
        </ActionForm>
    }
}

/// Something that happened to the person's account (wrong passwords tried, a sign-up with
/// its email), and what to do if it was not them.
#[component]
fn AccountNotice(n: AccountNotice, mark: ServerAction<MarkNotificationsRead>) -> impl IntoView {
    let i18n = use_i18n();
    let read = n.read;
    let (times, at) = (
        n.times,
        n.at.replace('T', " ").chars().take(16).collect::<String>(),
    );
    let said = match n.kind {
        AccountNoticeKind::SignInFailures => view! {
            <p>{t!(i18n, notifications.sign_in_failures, n = move || times, at = move || at.clone())}</p>
            <p>{t!(i18n, notifications.sign_in_failures_advice)}</p>
        }
        .into_any(),
        AccountNoticeKind::SignUpAttempts if times == 1 => view! {
            <p>{t!(i18n, notifications.sign_up_attempt_once, at = move || at.clone())}</p>
            <p>{t!(i18n, notifications.sign_up_attempts_advice)}</p>
        }
        .into_any(),
        AccountNoticeKind::SignUpAttempts => view! {
            <p>{t!(i18n, notifications.sign_up_attempts, n = move || times, at = move || at.clone())}</p>
            <p>{t!(i18n, notifications.sign_up_attempts_advice)}</p>
        }
        .into_any(),
    };
    view! {
        <li class="card log-entry" data-read=read.to_string() data-kind=n.kind.code()>
            <p class="log-head">
                {(!read).then(|| view! { <strong class="badge badge-amber">{t!(i18n, notifications.new)}</strong> " " })}
                <time datetime=n.at.clone()>{n.at.replace('T', " ").chars().take(16).collect::<String>()} " UTC"</time>
            </p>
            {said}
            <p><A href="/account">{t!(i18n, notifications.change_password)}</A></p>
            {(!read).then(|| view! {
                <ActionForm action=mark>
                    <input type="hidden" name="id" value=n.id.clone() />
                    <button type="submit" class="button-secondary">{t!(i18n, notifications.mark_read)}</button>
                </ActionForm>
            })}
        </li>
    }
}

/// A change to a system the resident follows or holds data in.
#[component]
fn RegisterNotice(
    n: SystemNotice,
    mark: ServerAction<MarkNotificationsRead>,
    cursor: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let (kind, read) = (n.kind, n.read);
    let name = n.system_name.clone();
    view! {
        <li class="card log-entry" data-list="register" data-read=read.to_string()>
            <p class="log-head">
                {(!read).then(|| view! { <strong class="badge badge-amber">{t!(i18n, notifications.new)}</strong> " " })}
                <time datetime=n.at.clone()>{n.at.replace('T', " ").chars().take(16).collect::<String>()} " UTC"</time>
                " · " {t!(i18n, notifications.register_title)}
            </p>
            <p>{t!(i18n, notifications.system_changed, system = move || name.clone(), what = move || version_kind_name(l(), kind).to_lowercase())}</p>
            <p><A href=format!("/systems/{}/history#v{}", n.system_slug, n.version)>{t!(i18n, notifications.see_change)}</A></p>
            {(!read).then(|| mark_read_form(mark, n.id.clone(), cursor))}
        </li>
    }
}

/// A change to one of the resident's requests, or a message about it.
#[component]
fn Item(n: Notification, mark: ServerAction<MarkNotificationsRead>, cursor: String) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let (kind, what, read) = (n.request_kind, n.kind, n.read);
    let kind_text = move || kind_name(l(), kind).to_lowercase();
    view! {
        <li class="card log-entry" data-list="request" data-read=read.to_string()>
            <p class="log-head">
                {(!read).then(|| view! { <strong class="badge badge-amber">{t!(i18n, notifications.new)}</strong> " " })}
                <time datetime=n.at.clone()>{n.at.replace('T', " ").chars().take(16).collect::<String>()} " UTC"</time>
            </p>
            <p>{match what {
                NotificationKind::Status(status) => t!(i18n, notifications.status, kind = kind_text, status = move || status_name(l(), status)).into_any(),
                NotificationKind::Message => t!(i18n, notifications.message, kind = kind_text).into_any(),
            }}</p>
            <p><A href=format!("/my/requests/{}", n.request_id)>{t!(i18n, notifications.open)}</A></p>
            {(!read).then(|| mark_read_form(mark, n.id.clone(), cursor))}
        </li>
    }
}
