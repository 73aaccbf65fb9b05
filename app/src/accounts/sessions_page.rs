//! `/account/sessions`: where the person is signed in, and ending any of those sessions
//! (a phone left at a library, a shared computer).

use crate::accounts::{EndOtherSessions, EndSession, my_sessions};
use crate::components::auth_form::SubmitButton;
use crate::components::error_notice::ErrorNotice;
use crate::components::page_title::PageTitle;
use crate::i18n::{t, td_string, use_i18n};
use domain::account::SessionView;
use leptos::prelude::*;
use leptos_router::components::A;

/// The sessions page; signed out, it sends the visitor to sign in.
#[component]
pub fn SessionsPage() -> impl IntoView {
    let i18n = use_i18n();
    let end = ServerAction::<EndSession>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let sessions = Resource::new(
        move || (end.version().get(), end_others.version().get()),
        |_| my_sessions(),
    );
    view! {
        <PageTitle text=|l| td_string!(l, sessions.title) />
        <h1>{t!(i18n, sessions.title)}</h1>
        <p>{t!(i18n, sessions.intro)}</p>
        {move || end.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match sessions.await {
                    Ok(list) => {
                        let others = list.iter().filter(|s| !s.current).count();
                        view! {
                            <ul class="session-list" data-testid="sessions">
                                {list.into_iter().map(|session| view! { <SessionItem session end /> }).collect_view()}
                            </ul>
                            {(others > 0).then(|| view! {
                                <ActionForm action=end_others>
                                    <SubmitButton pending=end_others.pending() label=|l| td_string!(l, sessions.end_others) />
                                </ActionForm>
                            })}
                        }
                        .into_any()
                    }
                    Err(error) => {
                        if matches!(error, crate::error::AppError::Auth(domain::account::AuthError::NotSignedIn)) {
                            crate::components::status::redirect_during_render("/login");
                        }
                        view! { <ErrorNotice error /> }.into_any()
                    }
                }
            })}
        </Suspense>
        <p><A href="/account">{t!(i18n, account.title)}</A></p>
    }
}

/// One session: when it was signed in and last used, and a button that ends it.
#[component]
fn SessionItem(session: SessionView, end: ServerAction<EndSession>) -> impl IntoView {
    let i18n = use_i18n();
    let minute = |at: &str| {
        format!(
            "{} UTC",
            at.replace('T', " ").chars().take(16).collect::<String>()
        )
    };
    let signed_in = minute(&session.signed_in_at);
    let last_used = minute(&session.last_used_at);
    let current = session.current;
    view! {
        <li class="session">
            <p>
                {current.then(|| view! { <strong>{t!(i18n, sessions.this_one)}</strong> " · " })}
                {t!(i18n, sessions.signed_in)} " " <time datetime=session.signed_in_at.clone()>{signed_in}</time>
                " · " {t!(i18n, sessions.last_used)} " " <time datetime=session.last_used_at.clone()>{last_used}</time>
            </p>
            <ActionForm action=end>
                <input type="hidden" name="id" value=session.id />
                <SubmitButton
                    pending=end.pending()
                    label=if current { |l| td_string!(l, sessions.sign_out_here) } else { |l| td_string!(l, sessions.end) }
                />
            </ActionForm>
        </li>
    }
}
