//! What a page with actions keys its data on, so that the data loads again after each one.

use crate::i18n_support::use_lang;
use domain::lang::Lang;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The page's `:id`, its language, and the `done` stamp an action leaves in the query
/// string: a resource keyed on them loads again after every action on the page.
pub fn id_lang_done() -> impl Fn() -> (String, Lang, Option<String>) + Clone + Send + Sync + 'static {
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    move || {
        (
            params.read().get("id").unwrap_or_default(),
            lang.get(),
            query.read().get("done"),
        )
    }
}
