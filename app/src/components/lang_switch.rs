//! The language switch: plain links to `/lang/{code}`, which set the language cookie on the
//! server and come back to the same page, so it works without JavaScript.

use crate::i18n::{t, use_i18n};
use crate::i18n_support::use_lang;
use domain::lang::Lang;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Links to every other language, naming each in its own language.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let current = use_lang();
    let location = use_location();
    let here = move || with_query(&location.pathname.get(), &location.search.get());
    view! {
        <nav class="lang-switch" aria-label=move || crate::i18n::td_string!(i18n.get_locale(), layout.language)>
            <span class="visually-hidden">{t!(i18n, layout.language)}": "</span>
            <ul>
                {Lang::ALL
                    .into_iter()
                    .map(|lang| {
                        let href = move || switch_href(lang, &here());
                        view! {
                            <li>
                                <a
                                    href=href
                                    hreflang=lang.code()
                                    lang=lang.code()
                                    dir=lang.direction().code()
                                    rel="external"
                                    // Its `next` is this page's address: the `InPlace`
                                    // island keeps it current when a live filter changes it.
                                    data-here=""
                                    aria-current=move || (current.get() == lang).then_some("true")
                                >
                                    {lang.endonym()}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// The link that switches to `lang` and returns to `here`.
pub fn switch_href(lang: Lang, here: &str) -> String {
    format!(
        "/lang/{}?next={}",
        lang.code(),
        leptos_router::location::Url::escape(here)
    )
}

/// A path and its query string (which the router gives with or without its `?`).
pub fn with_query(path: &str, search: &str) -> String {
    let search = search.trim_start_matches('?');
    if search.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{search}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_keeps_its_question_mark() {
        assert_eq!(with_query("/systems", "q=wifi"), "/systems?q=wifi");
        assert_eq!(with_query("/systems", "?q=wifi"), "/systems?q=wifi");
        assert_eq!(with_query("/systems", ""), "/systems");
    }

    #[test]
    fn every_language_has_its_switch_link() {
        let links: Vec<String> = Lang::ALL.iter().map(|l| switch_href(*l, "/my")).collect();
        assert_eq!(
            links,
            [
                "/lang/en?next=%2Fmy",
                "/lang/es?next=%2Fmy",
                "/lang/ar?next=%2Fmy"
            ]
        );
    }

    #[test]
    fn the_return_path_keeps_its_query() {
        assert_eq!(
            switch_href(Lang::Es, "/systems?q=cámara&agency="),
            "/lang/es?next=%2Fsystems%3Fq%3Dc%C3%A1mara%26agency%3D"
        );
    }
}
