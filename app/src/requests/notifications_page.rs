//! `/my/notifications`: what changed in the signed-in resident's requests, newest first;
//! each can be marked read (a plain form), or all at once.

use crate::components::page_title::PageTitle;
use crate::components::signed_in::{MyNav, refused};
use crate::i18n::{t, td_string, use_i18n};
use crate::requests::names::{kind_name, status_name};
use crate::requests::{MarkNotificationsRead, my_notifications};
use domain::requests::{Notification, NotificationKind};
use leptos::prelude::*;
use leptos_router::components::A;

/// The page.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let mark = ServerAction::<MarkNotificationsRead>::new();
    let list = Resource::new(move || mark.version().get(), |_| my_notifications());
    view! {
        <PageTitle text=|l| td_string!(l, notifications.title) />
        <h1>{t!(i18n, notifications.title)}</h1>
        <MyNav />
        <p>{t!(i18n, notifications.intro)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, notifications.none)}</p> }.into_any(),
                    Ok(list) => {
                        let any_unread = list.iter().any(|n| !n.read);
                        view! {
                            {any_unread.then(|| view! {
                                <ActionForm action=mark>
                                    <input type="hidden" name="id" value="" />
                                    <button type="submit" class="button-secondary">{t!(i18n, notifications.mark_all)}</button>
                                </ActionForm>
                            })}
                            <ol class="log" data-testid="notifications">
                                {list.into_iter().map(|n| view! { <Item n mark /> }).collect_view()}
                            </ol>
                        }
                        .into_any()
                    }
                    Err(error) => refused(error),
                }
            })}
        </Suspense>
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
