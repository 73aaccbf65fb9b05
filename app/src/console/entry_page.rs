//! `/admin/register/new` and `/admin/register/systems/:slug`: one system's register entry as
//! a plain form — every field the public page shows, in every language, its purposes and
//! one blank purpose to add. A problem shows beside its field, with what was sent kept.

use super::register::{EntryForm, SaveSystemEntry, register_entry};
use super::shared::staff_refused;
use crate::components::page_title::PageTitle;
use crate::error::AppError;
use crate::i18n::{Locale, t, td_string, use_i18n};
use crate::i18n_support::{basis_name, category_name, status_name, technology_name, use_lang};
use crate::register::history_page::field_label;
use domain::lang::Lang;
use domain::register::{DataCategory, FormFields, LegalBasis, SYSTEM_TEXTS, Scope, SystemStatus, Technology};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The form page, for a new system (no `:slug`) or a stored one.
#[component]
pub fn EntryPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let params = use_params_map();
    let entry = Resource::new(
        move || (params.read().get("slug"), lang.get()),
        |(slug, lang)| register_entry(slug, lang),
    );
    view! {
        <PageTitle text=|l| td_string!(l, editor.entry_title) />
        <p><a href="/admin/register">{t!(i18n, editor.desk_title)}</a></p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match entry.await {
                    Ok(form) => view! { <Entry form /> }.into_any(),
                    Err(error) => staff_refused(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Entry(form: EntryForm) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveSystemEntry>::new();
    let new = form.slug.is_none();
    let stored = form.fields.clone();
    let agencies = form.agencies.clone();
    let blocks = form.purpose_blocks;
    view! {
        <h1>
            {if new { t!(i18n, editor.new_title).into_any() } else { t!(i18n, editor.edit_title).into_any() }}
            {form.slug.clone().map(|s| view! { " " <code>{s}</code> })}
        </h1>
        <p>{t!(i18n, editor.review_rule)}</p>
        {move || {
            let (fields, problems, error) = match save.value().get() {
                Some(Err(AppError::RegisterForm { problems, fields })) => (fields, problems, None),
                Some(Err(other)) => (stored.clone(), Vec::new(), Some(other)),
                _ => (stored.clone(), Vec::new(), None),
            };
            let blocks = blocks.max(purpose_blocks_in(&fields) + 1);
            let agencies = agencies.clone();
            view! {
                {error.map(|error| view! { <crate::components::error_notice::ErrorNotice error /> })}
                {(!problems.is_empty()).then(|| view! {
                    <div class="notice notice-error" role="alert" data-testid="form-problems">
                        <p>{t!(i18n, review_errors.form)}</p>
                    </div>
                })}
                <ActionForm action=save attr:class="stack-form register-form">
                    <Fields fields new problems agencies blocks />
                    <button type="submit" class="button-primary">{t!(i18n, editor.save)}</button>
                </ActionForm>
            }
        }}
    }
}

fn purpose_blocks_in(fields: &FormFields) -> usize {
    (0..)
        .take_while(|i| fields.keys().any(|k| k.starts_with(&format!("p{i}."))))
        .count()
}

/// The problem beside field `name`, if any, and its element id (for `aria-describedby`).
fn problem_of(problems: &[(String, String)], name: &str) -> Option<String> {
    let parent = name.rsplit_once('.').map(|(p, _)| p).unwrap_or(name);
    problems
        .iter()
        .filter(|(field, _)| {
            field == name || (field == parent && name.ends_with(&format!(".{}", Lang::default().code())))
        })
        .map(|(_, message)| message.clone())
        .reduce(|a, b| format!("{a}; {b}"))
}

fn id_of(name: &str) -> String {
    format!("f-{}", name.replace('.', "-"))
}

#[component]
fn Fields(
    fields: FormFields,
    new: bool,
    problems: Vec<(String, String)>,
    agencies: Vec<(String, String)>,
    blocks: usize,
) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let value = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let checked = |name: &str| fields.get(name).is_some_and(|v| v == "on");
    let select = |name: &'static str, label: String, options: Vec<(String, String)>| {
        let current = value(name);
        let problem = problem_of(&problems, name);
        field_wrap(name, label, problem, move |id, described| {
            view! {
                <select id=id name=format!("fields[{name}]") aria-describedby=described>
                    {options.into_iter().map(|(code, text)| {
                        let selected = code == current;
                        view! { <option value=code selected=selected>{text}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any()
        })
    };
    let text_pair = |name: String, label: String, multiline: bool| {
        Lang::ALL.iter().map(|lang| {
            let full = format!("{name}.{}", lang.code());
            let current = value(&full);
            let problem = problem_of(&problems, &full);
            let label = format!("{label} ({})", lang.code());
            let form_name = format!("fields[{full}]");
            let code = lang.code();
            let dir = lang.direction().code();
            field_wrap(&full, label, problem, move |id, described| if multiline {
                view! { <textarea id=id name=form_name rows="2" maxlength="4000" lang=code dir=dir aria-describedby=described>{current}</textarea> }.into_any()
            } else {
                view! { <input id=id name=form_name type="text" maxlength="300" lang=code dir=dir value=current aria-describedby=described /> }.into_any()
            })
        }).collect_view()
    };
    let codes = |all: Vec<(&'static str, &'static str)>| {
        all.into_iter()
            .map(|(c, n)| (c.to_owned(), n.to_owned()))
            .collect::<Vec<_>>()
    };
    view! {
        {new.then(|| view! { <input type="hidden" name="fields[new]" value="yes" /> })}
        {if new {
            let problem = problem_of(&problems, "slug");
            let current = value("slug");
            field_wrap("slug", td_string!(l, editor.slug).to_owned(), problem, move |id, described| view! {
                <input id=id name="fields[slug]" type="text" required=true maxlength="80" pattern="[a-z0-9]+(-[a-z0-9]+)*" value=current aria-describedby=described />
            }.into_any()).into_any()
        } else {
            view! { <input type="hidden" name="fields[slug]" value=value("slug") /> }.into_any()
        }}
        {select("agency", field_label(l, "agency"), agencies)}
        {select("technology", field_label(l, "technology"), codes(Technology::ALL.iter().map(|t| (t.code(), technology_name(l, *t))).collect()))}
        {(!new).then(|| select("status", field_label(l, "status"), codes(SystemStatus::ALL.iter().map(|s| (s.code(), status_name(l, *s))).collect())))}
        {select("scope", td_string!(l, editor.scope).to_owned(), codes(Scope::ALL.iter().map(|s| (s.code(), scope_name(l, *s))).collect()))}
        <label class="check"><input type="checkbox" name="fields[identifies_people]" checked=checked("identifies_people") /> " " {field_label(l, "identifies_people")}</label>
        <label class="check"><input type="checkbox" name="fields[algorithmic_decisions]" checked=checked("algorithmic_decisions") /> " " {td_string!(l, editor.algorithmic_decisions)}</label>
        {SYSTEM_TEXTS.iter().map(|name| text_pair((*name).to_owned(), field_label(l, name), *name != "name")).collect_view()}
        {{
            let problem = problem_of(&problems, "retention_days");
            let current = value("retention_days");
            field_wrap("retention_days", field_label(l, "retention_days"), problem, move |id, described| view! {
                <input id=id name="fields[retention_days]" type="number" min="0" value=current aria-describedby=described />
            }.into_any())
        }}
        {{
            let problem = problem_of(&problems, "reviewed_on");
            let current = value("reviewed_on");
            field_wrap("reviewed_on", field_label(l, "reviewed_on"), problem, move |id, described| view! {
                <input id=id name="fields[reviewed_on]" type="date" required=true value=current aria-describedby=described />
            }.into_any())
        }}
        {problem_of(&problems, "purposes").map(|p| view! { <p class="field-error" role="alert">{p}</p> })}
        {(0..blocks).map(|i| {
            let p = move |f: &str| format!("p{i}.{f}");
            let key = value(&p("key"));
            let stored_key = !key.is_empty() && !new && i + 1 < blocks;
            let legend = if key.is_empty() { td_string!(l, editor.add_purpose).to_owned() } else { format!("{} «{key}»", td_string!(l, versions.purpose)) };
            let basis_current = value(&p("legal_basis"));
            let categories_problem = problem_of(&problems, &p("data_categories"));
            let key_problem = problem_of(&problems, &p("key"));
            let basis_problem = problem_of(&problems, &p("legal_basis"));
            view! {
                <fieldset class="purpose-block" data-purpose=i>
                    <legend>{legend}</legend>
                    {if stored_key {
                        view! { <input type="hidden" name=format!("fields[{}]", p("key")) value=key.clone() /> }.into_any()
                    } else {
                        field_wrap(&p("key"), td_string!(l, editor.purpose_key).to_owned(), key_problem, move |id, described| view! {
                            <input id=id name=format!("fields[p{i}.key]") type="text" maxlength="80" pattern="[a-z0-9]+(-[a-z0-9]+)*" value=key.clone() aria-describedby=described />
                        }.into_any()).into_any()
                    }}
                    {text_pair(p("name"), td_string!(l, versions.name).to_owned(), false)}
                    {text_pair(p("description"), td_string!(l, versions.description).to_owned(), true)}
                    {field_wrap(&p("legal_basis"), td_string!(l, system.legal_basis).to_owned(), basis_problem, move |id, described| view! {
                        <select id=id name=format!("fields[p{i}.legal_basis]") aria-describedby=described>
                            {LegalBasis::ALL.iter().map(|b| {
                                let selected = b.code() == basis_current;
                                view! { <option value=b.code() selected=selected>{basis_name(l, *b)}</option> }
                            }).collect_view()}
                        </select>
                    }.into_any())}
                    <fieldset>
                        <legend>{td_string!(l, system.what_data)}</legend>
                        {categories_problem.map(|p| view! { <p class="field-error" id=format!("f-p{i}-data_categories-problem")>{p}</p> })}
                        {DataCategory::ALL.iter().map(|c| {
                            let name = format!("p{i}.category.{}", c.code());
                            let on = checked(&name);
                            view! { <label class="check"><input type="checkbox" name=format!("fields[{name}]") checked=on /> " " {category_name(l, *c)}</label> }
                        }).collect_view()}
                    </fieldset>
                </fieldset>
            }
        }).collect_view()}
    }
}

fn scope_name(l: Locale, scope: Scope) -> &'static str {
    match scope {
        Scope::PublicSpace => td_string!(l, editor.scope_public_space),
        Scope::Enrollment => td_string!(l, editor.scope_enrollment),
    }
}

/// A labelled field with its problem (if any) beside it, tied by `aria-describedby`.
fn field_wrap(
    name: &str,
    label: String,
    problem: Option<String>,
    input: impl FnOnce(String, Option<String>) -> AnyView,
) -> AnyView {
    let id = id_of(name);
    let problem_id = format!("{id}-problem");
    let described = problem.as_ref().map(|_| problem_id.clone());
    let invalid = problem.is_some().to_string();
    view! {
        <div class="field" data-field=name.to_owned() data-invalid=invalid>
            <label for=id.clone()>{label}</label>
            {problem.map(|p| view! { <p class="field-error" id=problem_id>{p}</p> })}
            {input(id, described)}
        </div>
    }
    .into_any()
}
