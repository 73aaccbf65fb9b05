//! The pieces of account forms: a labelled field and a submit button that shows it is busy.

use crate::i18n::{Locale, t, use_i18n};
use leptos::prelude::*;

/// A labelled input; `hint` is read out with the field.
#[component]
pub fn Field(
    name: &'static str,
    label: fn(Locale) -> &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    #[prop(optional)] id: Option<&'static str>,
    #[prop(optional, into)] hint: Option<Signal<String>>,
    #[prop(optional)] minlength: Option<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = id.unwrap_or(name);
    let hint_id = format!("{id}-hint");
    let described = hint.is_some().then(|| hint_id.clone());
    view! {
        <div class="field">
            <label for=id>{move || label(i18n.get_locale())}</label>
            {hint.map(|h| view! { <small id=hint_id.clone()>{move || h.get()}</small> })}
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                required=true
                minlength=minlength.map(|m| m.to_string())
                aria-describedby=described
            />
        </div>
    }
}

/// A submit button that is disabled and says so while its action runs.
#[component]
pub fn SubmitButton(pending: Memo<bool>, label: fn(Locale) -> &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button type="submit" disabled=move || pending.get() aria-busy=move || pending.get().then_some("true")>
            {move || if pending.get() { view! { {t!(i18n, common.working)} }.into_any() } else { label(i18n.get_locale()).into_any() }}
        </button>
    }
}

/// The page's `?next=` carried into a sign-in form, so signing in returns to the page that
/// asked for it. The server takes it only if it is a path of this site
/// (`domain::account::ReturnTo`); nothing is rendered without one.
#[component]
pub fn ReturnToField() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    move || {
        query
            .read()
            .get("next")
            .map(|next| view! { <input type="hidden" name="next" value=next /> })
    }
}
