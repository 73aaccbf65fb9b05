//! `/reviews/:id/preview`: the entry a proposal would put in the register, as its public page
//! would read once in force — so residents commenting, and the office before publishing, read
//! exactly what would go live. A draft's preview is its editors' only, like the draft.

use super::review_preview;
use crate::components::error_notice::ErrorNotice;
use crate::components::not_found::NotFound;
use crate::components::reload_key::id_lang_done;
use crate::error::AppError;
use crate::i18n::{t, use_i18n};
use crate::register::system_page::SystemDetails;
use leptos::prelude::*;

/// The preview page; an unknown review (or someone else's draft) is a 404.
#[component]
pub fn ReviewPreviewPage() -> impl IntoView {
    let i18n = use_i18n();
    let key = id_lang_done();
    let id = {
        let key = key.clone();
        move || key().0
    };
    let system = Resource::new(key, |(id, lang, _)| review_preview(id, lang));
    view! {
        <p class="notice notice-warning" role="note" data-testid="preview-notice">
            {t!(i18n, reviews.preview_note)} " "
            <a href=move || format!("/reviews/{}", id())>{t!(i18n, reviews.preview_back)}</a>
        </p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match system.await {
                    Ok(system) => view! { <SystemDetails system preview=true /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
