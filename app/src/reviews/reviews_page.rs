//! `/reviews`: every proposal put to the public, newest first, with its stage and comments.

use super::list_reviews;
use super::review_page::{reason_name, stage_name};
use crate::components::error_notice::ErrorNotice;
use crate::components::page_title::PageTitle;
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::use_lang;
use domain::register::ReviewSummary;
use leptos::prelude::*;

/// The list of reviews.
#[component]
pub fn ReviewsPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let query = leptos_router::hooks::use_query_map();
    let reviews = Resource::new(
        move || (lang.get(), query.read().get("cursor")),
        |(lang, cursor)| list_reviews(lang, cursor),
    );
    view! {
        <PageTitle text=|l| td_string!(l, reviews.list_title) />
        <h1>{t!(i18n, reviews.list_title)}</h1>
        <p>{t!(i18n, reviews.list_intro)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match reviews.await {
                    Ok(page) if page.reviews.is_empty() && !page.later => {
                        view! { <p>{t!(i18n, reviews.none)}</p> }.into_any()
                    }
                    Ok(page) => {
                        let (later, next) = (page.later, page.next_cursor.clone());
                        view! {
                            <ReviewList list=page.reviews />
                            {(later || next.is_some()).then(|| view! {
                                <nav class="pager" aria-label=move || td_string!(i18n.get_locale(), reviews.list_title)>
                                    {later.then(|| view! { <a href="/reviews">{t!(i18n, reviews.newest)}</a> })}
                                    {next.map(|c| view! { <a href=format!("/reviews?cursor={c}")>{t!(i18n, reviews.older)}</a> })}
                                </nav>
                            })}
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Reviews as a list of links (shared with the console's register desk).
#[component]
pub fn ReviewList(list: Vec<ReviewSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    view! {
        <ul class="plain-list review-list" data-testid="reviews">
            {list.into_iter().map(|r| {
                let stage = r.stage;
                let reasons = r.reasons.clone();
                view! {
                    <li class="card" data-stage=stage.code() data-system=r.system_slug.clone()>
                        <h2 class="card-title"><a href=format!("/reviews/{}", r.id)>{r.system_name.clone()}</a></h2>
                        <p>
                            <strong>{move || stage_name(l(), stage)}</strong>
                            {r.closes_on.map(|c| view! { " · " {t!(i18n, reviews.closes)} " " {c.to_string()} })}
                            " · " {r.comments} " " {t!(i18n, reviews.comments_lower)}
                        </p>
                        <p class="muted">{move || reasons.iter().map(|x| reason_name(l(), *x)).collect::<Vec<_>>().join(" · ")}</p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
