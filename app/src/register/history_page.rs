//! `/systems/{slug}/history`: every version of a system's entry, newest first, with what
//! changed from the version before, field by field, in plain words.

use crate::components::error_notice::ErrorNotice;
use crate::components::not_found::NotFound;
use crate::error::AppError;
use crate::i18n::{Locale, t, td_string, use_i18n};
use crate::i18n_support::{basis_name, category_name, status_name, technology_name, use_lang, yes_no};
use crate::register::system_history;
use domain::register::{
    DataCategory, FieldChange, LegalBasis, SystemStatus, Technology, VersionKind, VersionView,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The history page; an unknown slug renders the 404 page with status 404.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let history = Resource::new(
        move || (lang.get(), slug()),
        |(lang, slug)| system_history(lang, slug),
    );
    view! {
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match history.await {
                    Ok(versions) => view! { <History versions /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn History(versions: Vec<VersionView>) -> impl IntoView {
    let i18n = use_i18n();
    let (name, slug) = versions
        .first()
        .map(|v| (v.system_name.clone(), v.system_slug.clone()))
        .unwrap_or_default();
    let title = format!(
        "{} — {}",
        td_string!(i18n.get_locale_untracked(), versions.title),
        name
    );
    view! {
        <Title text=title />
        <p class="eyebrow"><a href=format!("/systems/{slug}")>{name.clone()}</a></p>
        <h1>{t!(i18n, versions.title)}</h1>
        <p>{t!(i18n, versions.intro)}</p>
        <ol class="versions" reversed>
            {versions.into_iter().map(|v| view! { <VersionItem version=v show_system=false /> }).collect_view()}
        </ol>
    }
}

/// One version: when, what kind, and each change. Shared with the change feed.
#[component]
pub fn VersionItem(version: VersionView, show_system: bool) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let kind = version.kind;
    let date = version.at.get(..10).unwrap_or_default().to_owned();
    let history = format!("/systems/{}/history", version.system_slug);
    view! {
        <li class="version" id=format!("v{}", version.version)>
            <h2 class="version-head">
                {show_system.then(|| view! { <a href=history.clone()>{version.system_name.clone()}</a> " · " })}
                {move || version_kind_name(l(), kind)} " · "
                <time datetime=version.at.clone()>{date}</time>
                " · " {t!(i18n, versions.version)} " " {version.version}
            </h2>
            {(!version.changes.is_empty()).then(|| view! {
                <dl class="changes">
                    {version.changes.into_iter().map(|c| view! { <ChangeItem change=c /> }).collect_view()}
                </dl>
            })}
        </li>
    }
}

/// One field's change: what it was, what it is. Shared with the review page.
#[component]
pub fn ChangeItem(change: FieldChange) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let label = field_label(l, &change.field);
    let (before, after) = (
        words(l, &change.field, &change.before),
        words(l, &change.field, &change.after),
    );
    view! {
        <dt>{label}</dt>
        <dd>
            {(!before.is_empty()).then(|| view! { <del><span class="visually-hidden">{t!(i18n, versions.before)} " "</span>{before}</del> " → " })}
            <ins><span class="visually-hidden">{t!(i18n, versions.after)} " "</span>{after}</ins>
        </dd>
    }
}

/// What a kind of version is called.
pub fn version_kind_name(l: Locale, kind: VersionKind) -> &'static str {
    match kind {
        VersionKind::Added => td_string!(l, versions.added),
        VersionKind::Changed => td_string!(l, versions.changed),
        VersionKind::Retired => td_string!(l, versions.retired),
    }
}

/// A field's name, as the system page calls it; a purpose's and a device's fields name the
/// purpose or the device.
pub fn field_label(l: Locale, field: &str) -> String {
    let device_field = field
        .strip_prefix("devices.")
        .map(|rest| rest.split_once('.').unwrap_or((rest, "")));
    if let Some((code, what)) = device_field {
        let device = td_string!(l, versions.device);
        return match what {
            "label" => format!("{device} «{code}»: {}", td_string!(l, versions.device_label)),
            "geometry" => format!("{device} «{code}»: {}", td_string!(l, versions.device_geometry)),
            _ => format!("{device} «{code}»"),
        };
    }
    let purpose_field = field
        .strip_prefix("purposes.")
        .map(|rest| rest.split_once('.').unwrap_or((rest, "")));
    if let Some((key, what)) = purpose_field {
        let what = match what {
            "" => td_string!(l, versions.purpose_added),
            "legal_basis" => td_string!(l, system.legal_basis),
            "data_categories" => td_string!(l, system.what_data),
            "name" => td_string!(l, versions.name),
            _ => td_string!(l, versions.description),
        };
        return format!("{} «{key}»: {what}", td_string!(l, versions.purpose));
    }
    match field {
        "name" => td_string!(l, versions.name),
        "description" => td_string!(l, versions.description),
        "agency" => td_string!(l, system.run_by),
        "technology" => td_string!(l, versions.technology),
        "status" => td_string!(l, versions.status),
        "scope" => td_string!(l, system.whose_data),
        "identifies_people" => td_string!(l, system.identifies),
        "algorithmic_decisions" | "algorithm" => td_string!(l, system.algorithm),
        "retention_days" => td_string!(l, versions.retention_days),
        "retention" => td_string!(l, system.how_long),
        "reviewed_on" => td_string!(l, system.reviewed),
        "location" => td_string!(l, system.where_),
        "data_subjects" => td_string!(l, system.whose_data),
        "access" => td_string!(l, system.access),
        "recipients" => td_string!(l, system.recipients),
        "transfers" => td_string!(l, system.transfers),
        "security" => td_string!(l, system.security),
        other => return other.to_owned(),
    }
    .to_owned()
}

/// A value in words where it is a code of a vocabulary; text as it is.
fn words(l: Locale, field: &str, value: &str) -> String {
    let field = field.rsplit('.').next().unwrap_or(field);
    let named = match field {
        "status" => value.parse::<SystemStatus>().ok().map(|s| status_name(l, s)),
        "technology" => value.parse::<Technology>().ok().map(|t| technology_name(l, t)),
        "legal_basis" => value.parse::<LegalBasis>().ok().map(|b| basis_name(l, b)),
        "identifies_people" | "algorithmic_decisions" => value.parse::<bool>().ok().map(|b| yes_no(l, b)),
        "data_categories" => {
            let names: Vec<&str> = value
                .split(", ")
                .filter_map(|c| c.parse::<DataCategory>().ok())
                .map(|c| category_name(l, c))
                .collect();
            return names.join(", ");
        }
        _ => None,
    };
    named.map_or_else(|| value.to_owned(), str::to_owned)
}
