//! A public figure in a table cell: the count, or "fewer than 5" where the small-count rule
//! (`domain::stats::Shown`) hides it. Every public table of figures uses this one cell, so
//! the rule reads the same on `/stats`, a device's page and a yearly report.

use crate::i18n::*;
use domain::stats::Shown;
use leptos::prelude::*;

/// `<td>` with the count, or with "fewer than 5" in italics.
#[component]
pub fn ShownCell(shown: Shown) -> impl IntoView {
    let i18n = use_i18n();
    match shown {
        Shown::Count(n) => view! { <td>{n}</td> }.into_any(),
        Shown::FewerThanSmallest => {
            view! { <td class="suppressed">{t!(i18n, street.fewer_than_5)}</td> }.into_any()
        }
    }
}
