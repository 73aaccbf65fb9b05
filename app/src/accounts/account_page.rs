//! `/account`: who you are here (with your resident number), sign out, change the password,
//! delete the account.

use crate::accounts::{ChangePassword, DeleteAccount, SignOut, retention_days, who_am_i};
use crate::components::auth_form::{Field, SubmitButton};
use crate::components::error_notice::ErrorNotice;
use crate::components::page_title::PageTitle;
use crate::i18n::{t, td_string, use_i18n};
use domain::account::CurrentUser;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// The account page; signed out, it sends the visitor to sign in.
#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| who_am_i());
    let retention = Resource::new(|| (), |_| retention_days());
    view! {
        <PageTitle text=|l| td_string!(l, account.title) />
        <h1>{t!(i18n, account.title)}</h1>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(user)) => {
                        let retention_days = retention.await.ok();
                        view! { <AccountDetails user retention_days /> }.into_any()
                    }
                    Ok(None) => {
                        crate::components::status::redirect_during_render("/login");
                        view! { <p><A href="/login">{t!(i18n, auth_errors.not_signed_in)}</A></p> }.into_any()
                    }
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AccountDetails(user: CurrentUser, retention_days: Option<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let changed = move || query.read().get("password").as_deref() == Some("changed");
    let sign_out = ServerAction::<SignOut>::new();
    let change = ServerAction::<ChangePassword>::new();
    let delete = ServerAction::<DeleteAccount>::new();
    view! {
        {move || changed().then(|| view! { <p class="notice notice-ok" role="status">{t!(i18n, account.password_changed)}</p> })}
        <dl class="facts">
            <dt>{t!(i18n, account.name)}</dt>
            <dd>{user.display_name.clone()}</dd>
            <dt>{t!(i18n, signup.email)}</dt>
            <dd><bdi dir="ltr">{user.email.clone()}</bdi></dd>
            <dt>{t!(i18n, account.resident_number)}</dt>
            <dd><strong class="resident-number" dir="ltr" data-testid="resident-number">{user.resident_number.clone()}</strong>
                <br /><small>{t!(i18n, account.resident_number_explained)}</small></dd>
        </dl>
        {user.role.is_staff().then(|| view! { <p><A href="/admin">{t!(i18n, nav.admin)}</A></p> })}
        <p><A href="/account/sessions">{t!(i18n, sessions.link)}</A></p>
        <ActionForm action=sign_out>
            <SubmitButton pending=sign_out.pending() label=|l| td_string!(l, nav.sign_out) />
        </ActionForm>

        <h2>{t!(i18n, account.change_password)}</h2>
        {move || change.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
        <ActionForm action=change attr:class="stack-form">
            <Field name="current_password" label=|l| td_string!(l, account.current_password) kind="password" autocomplete="current-password" />
            <Field name="new_password" label=|l| td_string!(l, account.new_password) kind="password" autocomplete="new-password" />
            <SubmitButton pending=change.pending() label=|l| td_string!(l, account.change_password) />
        </ActionForm>

        <h2>{t!(i18n, account.delete_title)}</h2>
        <p>{t!(i18n, account.delete_explained)}</p>
        {retention_days.map(|days| view! {
            <p data-testid="retention-note">{t!(i18n, account.delete_retention, days = move || days)}</p>
        })}
        {move || delete.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
        <ActionForm action=delete attr:class="stack-form">
            <Field name="password" label=|l| td_string!(l, account.confirm_password) kind="password" autocomplete="current-password" id="delete-password" />
            <SubmitButton pending=delete.pending() label=|l| td_string!(l, account.delete_submit) />
        </ActionForm>
    }
}
