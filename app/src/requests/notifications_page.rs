//! `/my/notifications`: what changed in the signed-in resident's requests, and in the systems
//! they follow or hold data in, and wrong passwords tried on their account, newest first;
//! each can be marked read (a plain form), or all at once.

use crate::components::page_title::PageTitle;
use crate::components::signed_in::{MyNav, refused};
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::use_lang;
use crate::register::history_page::version_kind_name;
use crate::requests::names::{kind_name, status_name};
use crate::requests::{MarkNotificationsRead, my_account_notices, my_notifications, my_register_notices};
use domain::account::{AccountNotice, AccountNoticeKind};
use domain::register::SystemNotice;
use domain::requests::{Notification, NotificationKind};
use leptos::prelude::*;
use leptos_router::components::A;

/// The page.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let mark = ServerAction::<MarkNotificationsRead>::new();
    let list = Resource::new(move || mark.version().get(), |_| my_notifications());
    let notices = Resource::new(
        move || (mark.version().get(), lang.get()),
        |(_, lang)| my_register_notices(lang),
    );
    let account = Resource::new(move || mark.version().get(), |_| my_account_notices());
    view! {
        <PageTitle text=|l| td_string!(l, notifications.title) />
        <h1>{t!(i18n, notifications.title)}</h1>
        <MyNav />
        <p>{t!(i18n, notifications.intro)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match (list.await, notices.await, account.await) {
                    (Ok(list), Ok(notices), Ok(account)) if list.is_empty() && notices.is_empty() && account.is_empty() => {
                        view! { <p class="empty">{t!(i18n, notifications.none)}</p> }.into_any()
                    }
                    (Ok(list), Ok(notices), Ok(account)) => {
                        let any_unread = list.iter().any(|n| !n.read)
                            || notices.iter().any(|n| !n.read)
                            || account.iter().any(|n| !n.read);
                        view! {
                            {any_unread.then(|| view! {
                                <ActionForm action=mark>
                                    <input type="hidden" name="id" value="" />
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
                            {(!list.is_empty()).then(|| view! {
                                <ol class="log" data-testid="notifications">
                                    {list.into_iter().map(|n| view! { <Item n mark /> }).collect_view()}
                                </ol>
                            })}
                            {(!notices.is_empty()).then(|| view! {
                                <section aria-labelledby="register-notices">
                                    <h2 id="register-notices">{t!(i18n, notifications.register_title)}</h2>
                                    <ol class="log" data-testid="register-notices">
                                        {notices.into_iter().map(|n| view! { <Notice n mark /> }).collect_view()}
                                    </ol>
                                </section>
                            })}
                        }
                        .into_any()
                    }
                    (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => refused(error),
                }
            })}
        </Suspense>
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
fn Notice(n: SystemNotice, mark: ServerAction<MarkNotificationsRead>) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let (kind, read) = (n.kind, n.read);
    let name = n.system_name.clone();
    view! {
        <li class="card log-entry" data-read=read.to_string()>
            <p class="log-head">
                {(!read).then(|| view! { <strong class="badge badge-amber">{t!(i18n, notifications.new)}</strong> " " })}
                <time datetime=n.at.clone()>{n.at.replace('T', " ").chars().take(16).collect::<String>()} " UTC"</time>
            </p>
            <p>{t!(i18n, notifications.system_changed, system = move || name.clone(), what = move || version_kind_name(l(), kind).to_lowercase())}</p>
            <p><A href=format!("/systems/{}/history#v{}", n.system_slug, n.version)>{t!(i18n, notifications.see_change)}</A></p>
            {(!read).then(|| view! {
                <ActionForm action=mark>
                    <input type="hidden" name="id" value=n.id.clone() />
                    <button type="submit" class="button-secondary">{t!(i18n, notifications.mark_read)}</button>
                </ActionForm>
            })}
        </li>
    }
}

#[component]
fn Item(n: Notification, mark: ServerAction<MarkNotificationsRead>) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let (kind, what, read) = (n.request_kind, n.kind, n.read);
    let kind_text = move || kind_name(l(), kind).to_lowercase();
    view! {
        <li class="card log-entry" data-read=read.to_string()>
            <p class="log-head">
                {(!read).then(|| view! { <strong class="badge badge-amber">{t!(i18n, notifications.new)}</strong> " " })}
                <time datetime=n.at.clone()>{n.at.replace('T', " ").chars().take(16).collect::<String>()} " UTC"</time>
            </p>
            <p>{match what {
                NotificationKind::Status(status) => t!(i18n, notifications.status, kind = kind_text, status = move || status_name(l(), status)).into_any(),
                NotificationKind::Message => t!(i18n, notifications.message, kind = kind_text).into_any(),
            }}</p>
            <p><A href=format!("/my/requests/{}", n.request_id)>{t!(i18n, notifications.open)}</A></p>
            {(!read).then(|| view! {
                <ActionForm action=mark>
                    <input type="hidden" name="id" value=n.id.clone() />
                    <button type="submit" class="button-secondary">{t!(i18n, notifications.mark_read)}</button>
                </ActionForm>
            })}
        </li>
    }
}
