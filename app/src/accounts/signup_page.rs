//! `/signup`: a resident creates an account.

use crate::accounts::SignUp;
use crate::components::auth_form::{Field, SubmitButton};
use crate::components::error_notice::ErrorNotice;
use crate::components::page_title::PageTitle;
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::use_lang;
use domain::account::Password;
use domain::lang::Lang;
use leptos::prelude::*;
use leptos_router::components::A;

/// The sign-up page.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let action = ServerAction::<SignUp>::new();
    view! {
        <PageTitle text=|l| td_string!(l, signup.title) />
        <h1>{t!(i18n, signup.title)}</h1>
        <p>{t!(i18n, signup.intro)}</p>
        {move || action.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
        <ActionForm action attr:class="stack-form">
            <Field name="display_name" label=|l| td_string!(l, signup.name) kind="text" autocomplete="name" />
            <Field name="email" label=|l| td_string!(l, signup.email) kind="email" autocomplete="email" />
            <Field
                name="password"
                label=|l| td_string!(l, signup.password)
                kind="password"
                autocomplete="new-password"
                hint=Signal::derive(move || {
                    td_string!(i18n.get_locale(), signup.password_hint).replace("{min}", &Password::MIN_CHARS.to_string())
                })
                minlength=Password::MIN_CHARS
            />
            <div class="field">
                <label for="lang">{t!(i18n, signup.lang)}</label>
                <select id="lang" name="lang">
                    {Lang::ALL
                        .into_iter()
                        .map(|l| view! { <option value=l.code() selected=move || lang.get() == l>{l.endonym()}</option> })
                        .collect_view()}
                </select>
            </div>
            <SubmitButton pending=action.pending() label=|l| td_string!(l, signup.submit) />
        </ActionForm>
        <p>{t!(i18n, signup.have_account)} " " <A href="/login">{t!(i18n, nav.sign_in)}</A></p>
    }
}
