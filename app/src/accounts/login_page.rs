//! `/login`: sign in.

use crate::accounts::SignIn;
use crate::components::auth_form::{Field, ReturnToField, SubmitButton};
use crate::components::error_notice::ErrorNotice;
use crate::components::in_place::InPlace;
use crate::components::page_title::PageTitle;
use crate::i18n::{t, td_string, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;

/// The sign-in page.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignIn>::new();
    // After sign-up: the same sentence whether or not the email was new.
    let query = leptos_router::hooks::use_query_map();
    let signed_up = move || query.read().get("signed_up").is_some();
    view! {
        <PageTitle text=|l| td_string!(l, login.title) />
        <h1>{t!(i18n, login.title)}</h1>
        {move || signed_up().then(|| view! { <p class="notice" role="status" data-testid="signed-up">{t!(i18n, login.signed_up)}</p> })}
        // With JavaScript a wrong password is told without a page load, and what was typed stays.
        <InPlace region="sign-in".to_owned() live=false>
            <div data-in-place-target="">
                {move || action.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
            </div>
            <ActionForm action attr:class="stack-form">
                <ReturnToField />
                <Field name="email" label=|l| td_string!(l, signup.email) kind="email" autocomplete="username" />
                <Field name="password" label=|l| td_string!(l, signup.password) kind="password" autocomplete="current-password" />
                <SubmitButton pending=action.pending() label=|l| td_string!(l, login.submit) />
            </ActionForm>
        </InPlace>
        <p>{t!(i18n, login.no_account)} " " <A href="/signup">{t!(i18n, nav.sign_up)}</A></p>
    }
}
