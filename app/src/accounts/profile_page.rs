//! `/account/profile`: the signed-in resident's profile. Each field says which data category
//! it belongs to, because agencies receive it only for purposes that declare that category.

use crate::accounts::profile::{UpdateProfile, my_profile};
use crate::components::auth_form::SubmitButton;
use crate::components::error_notice::ErrorNotice;
use crate::components::page_title::PageTitle;
use crate::components::signed_in::{MyNav, refused};
use crate::i18n::{Locale, t, td_string, use_i18n};
use crate::i18n_support::category_name;
use domain::account::Profile;
use domain::register::DataCategory;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The page.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let i18n = use_i18n();
    let profile = Resource::new(|| (), |_| my_profile());
    view! {
        <PageTitle text=|l| td_string!(l, profile.title) />
        <h1>{t!(i18n, profile.title)}</h1>
        <MyNav />
        <p>{t!(i18n, profile.intro)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(profile) => view! { <ProfileForm profile /> }.into_any(),
                    Err(error) => refused(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProfileForm(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let query = use_query_map();
    let saved = move || query.read().get("saved").is_some();
    let update = ServerAction::<UpdateProfile>::new();
    view! {
        {move || saved().then(|| view! { <p class="notice notice-ok" role="status">{t!(i18n, profile.saved)}</p> })}
        <dl class="facts">
            <dt>{t!(i18n, account.name)} " " <Category c=DataCategory::Identity /></dt>
            <dd>{profile.display_name.clone()}</dd>
            <dt>{t!(i18n, signup.email)} " " <Category c=DataCategory::Contact /></dt>
            <dd><bdi dir="ltr">{profile.email.clone()}</bdi></dd>
            <dt>{t!(i18n, signup.lang)} " " <Category c=DataCategory::Contact /></dt>
            <dd lang=profile.lang.code()>{profile.lang.endonym()}</dd>
            <dt>{t!(i18n, account.resident_number)}</dt>
            <dd><bdi dir="ltr">{profile.resident_number.clone()}</bdi></dd>
        </dl>
        {move || update.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
        <ActionForm action=update attr:class="stack-form">
            <OptionalField name="postal_address" label=|l| td_string!(l, profile.postal_address) kind="text"
                autocomplete="street-address" value=profile.postal_address.clone().unwrap_or_default() category=DataCategory::Location />
            <OptionalField name="phone" label=|l| td_string!(l, profile.phone) kind="tel"
                autocomplete="tel" value=profile.phone.clone().unwrap_or_default() category=DataCategory::Contact />
            <OptionalField name="date_of_birth" label=|l| td_string!(l, profile.date_of_birth) kind="date"
                autocomplete="bday" value=profile.date_of_birth.clone().unwrap_or_default() category=DataCategory::Identity />
            <p><small>{move || td_string!(l(), profile.empty_clears)}</small></p>
            <SubmitButton pending=update.pending() label=|l| td_string!(l, profile.save) />
        </ActionForm>
    }
}

/// "(category: contact)" beside a field.
#[component]
fn Category(c: DataCategory) -> impl IntoView {
    let i18n = use_i18n();
    view! { <small class="category-note">"(" {t!(i18n, profile.category)} " " {move || category_name(i18n.get_locale(), c)} ")"</small> }
}

#[component]
fn OptionalField(
    name: &'static str,
    label: fn(Locale) -> &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    value: String,
    category: DataCategory,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for=name>{move || label(i18n.get_locale())} " " <Category c=category /></label>
            <input id=name name=name type=kind autocomplete=autocomplete value=value />
        </div>
    }
}
