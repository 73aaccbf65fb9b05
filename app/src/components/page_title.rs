//! The page's `<title>`, in the reader's language.

use crate::i18n::{Locale, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;

/// Sets the document title to `text` in the current language (the layout adds
/// "· Glasshouse").
///
/// The title is a plain string, never a closure over a signal: on the server, leptos_meta
/// reads titles after the page has rendered, outside the request's reactive arena, where
/// reading a signal panics and drops the connection. The language only changes with a
/// full page load (`/lang/{code}`), so a string fixed when the page is built stays right.
#[component]
pub fn PageTitle(text: fn(Locale) -> &'static str) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    view! { <Title text=text(locale).to_owned() /> }
}
