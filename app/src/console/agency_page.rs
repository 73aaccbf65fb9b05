//! `/admin/register/agencies/new` and `/admin/register/agencies/:slug`: an agency's register
//! entry (names, description, its data protection officer's address, website) as a plain
//! form, problems beside their fields, what was sent kept.

use super::register::{SaveAgencyEntry, agency_entry};
use super::shared::staff_refused;
use crate::components::page_title::PageTitle;
use crate::error::AppError;
use crate::i18n::{t, td_string, use_i18n};
use domain::lang::Lang;
use domain::register::FormFields;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The agency form page.
#[component]
pub fn AgencyPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let entry = Resource::new(move || params.read().get("slug"), agency_entry);
    view! {
        <PageTitle text=|l| td_string!(l, editor.agency_title) />
        <p><a href="/admin/register">{t!(i18n, editor.desk_title)}</a></p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match entry.await {
                    Ok((slug, fields)) => view! { <AgencyForm slug fields /> }.into_any(),
                    Err(error) => staff_refused(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AgencyForm(slug: Option<String>, fields: FormFields) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveAgencyEntry>::new();
    let new = slug.is_none();
    view! {
        <h1>{t!(i18n, editor.agency_title)} {slug.map(|s| view! { " " <code>{s}</code> })}</h1>
        {move || {
            let (fields, problems, error) = match save.value().get() {
                Some(Err(AppError::RegisterForm { problems, fields })) => (fields, problems, None),
                Some(Err(other)) => (fields.clone(), Vec::new(), Some(other)),
                _ => (fields.clone(), Vec::new(), None),
            };
            let l = i18n.get_locale_untracked();
            let value = |name: &str| fields.get(name).cloned().unwrap_or_default();
            let problem = |name: &str| {
                problems
                    .iter()
                    .filter(|(f, _)| f == name || name.strip_suffix(".en").is_some_and(|p| p == f))
                    .map(|(_, m)| m.clone())
                    .reduce(|a, b| format!("{a}; {b}"))
            };
            let input = |name: &str, label: String, kind: &'static str| {
                let id = format!("a-{}", name.replace('.', "-"));
                let problem = problem(name);
                let described = problem.as_ref().map(|_| format!("{id}-problem"));
                let invalid = problem.is_some().to_string();
                view! {
                    <div class="field" data-field=name.to_owned() data-invalid=invalid>
                        <label for=id.clone()>{label}</label>
                        {problem.map(|p| view! { <p class="field-error" id=format!("{id}-problem")>{p}</p> })}
                        <input id=id name=format!("fields[{name}]") type=kind maxlength="300" value=value(name) aria-describedby=described />
                    </div>
                }
            };
            let texts = |name: &'static str, label: &'static str| {
                Lang::ALL.iter().map(|lang| input(&format!("{name}.{}", lang.code()), format!("{label} ({})", lang.code()), "text")).collect_view()
            };
            let slug_field = if new {
                view! { <input type="hidden" name="fields[new]" value="yes" /> {input("slug", td_string!(l, editor.slug).to_owned(), "text")} }.into_any()
            } else {
                view! { <input type="hidden" name="fields[slug]" value=value("slug") /> }.into_any()
            };
            let names = texts("name", td_string!(l, versions.name));
            let descriptions = texts("description", td_string!(l, versions.description));
            let email = input("dpo_email", td_string!(l, editor.dpo_email).to_owned(), "email");
            let website = input("website", td_string!(l, editor.website).to_owned(), "url");
            let public_authority = fields.contains_key("public_authority");
            view! {
                {error.map(|error| view! { <crate::components::error_notice::ErrorNotice error /> })}
                {(!problems.is_empty()).then(|| view! {
                    <div class="notice notice-error" role="alert" data-testid="form-problems"><p>{t!(i18n, review_errors.form)}</p></div>
                })}
                <ActionForm action=save attr:class="stack-form register-form">
                    {slug_field}
                    {names}
                    {descriptions}
                    <label class="check"><input type="checkbox" name="fields[public_authority]" checked=public_authority /> " " {t!(i18n, editor.public_authority)}</label>
                    {email}
                    {website}
                    <button type="submit" class="button-primary">{t!(i18n, editor.save)}</button>
                </ActionForm>
            }
        }}
    }
}
