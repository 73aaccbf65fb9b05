//! `/admin/register`: the register desk — every system with its form, the reviews (drafts
//! included), and, for admins, who may edit the register.

use super::register::{GrantRegisterRole, RegisterDesk, load_register_desk};
use super::shared::{action_error, staff_refused};
use crate::components::page_title::PageTitle;
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::{status_name, use_lang};
use crate::reviews::reviews_page::ReviewList;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The register desk.
#[component]
pub fn RegisterDeskPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let query = use_query_map();
    let desk = Resource::new(
        move || {
            let query = query.read();
            (lang.get(), query.get("cursor"), query.get("done"))
        },
        |(lang, cursor, _)| load_register_desk(lang, cursor),
    );
    let saved = move || query.read().get("saved");
    view! {
        <PageTitle text=|l| td_string!(l, editor.desk_title) />
        <h1>{t!(i18n, editor.desk_title)}</h1>
        {move || saved().map(|slug| view! { <p class="notice" role="status" data-testid="saved">{t!(i18n, editor.saved)} " " {slug}</p> })}
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match desk.await {
                    Ok(desk) => view! { <Desk desk /> }.into_any(),
                    Err(error) => staff_refused(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Desk(desk: RegisterDesk) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let grant = ServerAction::<GrantRegisterRole>::new();
    let staff = desk.staff.clone();
    let (systems_later, systems_next) = (desk.systems_later, desk.systems_next.clone());
    view! {
        <p><a class="button-primary" href="/admin/register/new" data-testid="propose">{t!(i18n, editor.propose)}</a></p>
        <h2>{t!(i18n, editor.reviews)}</h2>
        {if desk.reviews.is_empty() {
            view! { <p>{t!(i18n, reviews.none)}</p> }.into_any()
        } else {
            view! { <ReviewList list=desk.reviews.clone() /> }.into_any()
        }}
        {desk.more_reviews.then(|| view! { <p><a href="/reviews">{t!(i18n, reviews.all)}</a></p> })}
        <h2>{t!(i18n, editor.agencies)}</h2>
        <p><a href="/admin/register/agencies/new" data-testid="add-agency">{t!(i18n, editor.add_agency)}</a></p>
        <ul class="plain-list columns">
            {desk.agencies.into_iter().map(|(slug, name)| view! {
                <li data-agency=slug.clone()><a href=format!("/admin/register/agencies/{slug}")>{name}</a></li>
            }).collect_view()}
        </ul>
        <p><a href="/admin/register/devices" data-testid="devices-desk">{t!(i18n, devices.title)}</a></p>
        <h2 id="systems">{t!(i18n, editor.systems)}</h2>
        <ul class="plain-list columns">
            {desk.systems.into_iter().map(|(slug, name, status)| {
                let status_code = status.clone();
                view! {
                    <li data-system=slug.clone()>
                        <a href=format!("/admin/register/systems/{slug}")>{name}</a>
                        " · " {move || status_code.parse().map(|s| status_name(l(), s)).unwrap_or_default()}
                    </li>
                }
            }).collect_view()}
        </ul>
        {(systems_later || systems_next.is_some()).then(|| view! {
            <nav class="pager" aria-label=move || td_string!(l(), editor.systems)>
                {systems_later.then(|| view! { <a href="/admin/register#systems">{t!(i18n, console.first_page)}</a> })}
                {systems_next.map(|c| view! { <a href=format!("/admin/register?cursor={c}#systems")>{t!(i18n, console.older)}</a> })}
            </nav>
        })}
        {(!staff.is_empty()).then(|| view! {
            <h2 id="staff">{t!(i18n, editor.staff)}</h2>
            <p>{t!(i18n, editor.staff_intro)}</p>
            {action_error(grant)}
            <ul class="plain-list">
                {staff.into_iter().map(|s| view! {
                    <li data-staff=s.email.clone() data-editor=s.editor.to_string()>
                        {s.name.clone()} " (" <bdi dir="ltr">{s.email.clone()}</bdi> ") · "
                        {if s.admin {
                            t!(i18n, editor.admin_always).into_any()
                        } else {
                            view! {
                                <ActionForm action=grant attr:class="inline-form">
                                    <input type="hidden" name="user" value=s.id.clone() />
                                    <input type="hidden" name="grant" value=if s.editor { "no" } else { "yes" } />
                                    <button type="submit" class="button-secondary">
                                        {if s.editor { t!(i18n, editor.withdraw).into_any() } else { t!(i18n, editor.grant).into_any() }}
                                    </button>
                                </ActionForm>
                            }.into_any()
                        }}
                    </li>
                }).collect_view()}
            </ul>
        })}
    }
}
