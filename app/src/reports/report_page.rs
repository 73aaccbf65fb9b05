//! The yearly report page.

use super::{ReportView, WriteReportSection, load_yearly_report};
use crate::access_log::page::reason_text;
use crate::components::error_notice::ErrorNotice;
use crate::components::not_found::NotFound;
use crate::components::shown_cell::ShownCell;
use crate::console::shared::action_error;
use crate::error::AppError;
use crate::i18n::{t, use_i18n};
use crate::i18n_support::{basis_name, use_lang};
use domain::reports::WrittenSection;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The report of `/reports/{year}/{system}`.
#[component]
pub fn YearlyReportPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let report = Resource::new(
        move || {
            let p = params.read();
            (
                lang.get(),
                p.get("year").unwrap_or_default(),
                p.get("system").unwrap_or_default(),
                query.read().get("saved"),
            )
        },
        |(lang, year, system, _)| load_yearly_report(lang, year, system),
    );
    view! {
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(view) => view! { <Report view /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn section_title(section: WrittenSection) -> impl IntoView {
    let i18n = use_i18n();
    match section {
        WrittenSection::Summary => t!(i18n, reports.summary).into_any(),
        WrittenSection::Effectiveness => t!(i18n, reports.effectiveness).into_any(),
        WrittenSection::CivilRights => t!(i18n, reports.civil_rights).into_any(),
        WrittenSection::Changes => t!(i18n, reports.changes).into_any(),
    }
}

#[component]
fn Report(view: ReportView) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let write = ServerAction::<WriteReportSection>::new();
    let ReportView { report: r, editor } = view;
    let (year, system) = (r.year, r.system.clone());
    let title = format!("{} · {}", r.system_name, r.year);
    let written = r.written.clone();
    view! {
        <Title text=title />
        <p class="eyebrow">{t!(i18n, reports.eyebrow)} " " {year}</p>
        <h1>{r.system_name.clone()}</h1>
        <p class="meta">{r.agency_name.clone()} " · " <a href=format!("/systems/{system}")>{t!(i18n, reports.register_entry)}</a>
            " · " <a href=format!("/reports/{year}/{system}/report.json")>{t!(i18n, reports.download)}</a></p>
        <p>{t!(i18n, reports.intro)}</p>
        <p class="notice">{t!(i18n, street.suppression_rule)}</p>
        {WrittenSection::ALL.iter().map(|section| {
            let section = *section;
            let text = written.iter().find(|(s, _)| *s == section).map(|(_, t)| t.clone());
            let current = text.clone().unwrap_or_default();
            let field = format!("section-{}", section.code());
            let system = system.clone();
            view! {
                <section id=section.code() data-section=section.code()>
                    <h2>{section_title(section)}</h2>
                    {match text {
                        Some(text) => view! { <p class="pre-wrap">{text}</p> }.into_any(),
                        None => view! { <p class="muted">{t!(i18n, reports.not_written)}</p> }.into_any(),
                    }}
                    {editor.then(|| view! {
                        <ActionForm action=write attr:class="stack-form">
                            <input type="hidden" name="year" value=year.to_string() />
                            <input type="hidden" name="system" value=system />
                            <input type="hidden" name="section" value=section.code() />
                            <label for=field.clone()>{t!(i18n, reports.write)}</label>
                            <textarea id=field name="body" rows="4" maxlength="20000">{current}</textarea>
                            <button type="submit" class="button-secondary">{t!(i18n, reports.save)}</button>
                        </ActionForm>
                    })}
                </section>
            }
        }).collect_view()}
        {action_error(write)}
        <h2 id="use">{t!(i18n, reports.use_title)}</h2>
        <div class="table-scroll" role="region" tabindex="0" aria-labelledby="use">
            <table data-testid="report-uses">
                <thead><tr>
                    <th scope="col">{t!(i18n, street.purpose_col)}</th>
                    <th scope="col">{t!(i18n, reports.basis)}</th>
                    <th scope="col">{t!(i18n, street.checks_permitted)}</th>
                    <th scope="col">{t!(i18n, street.checks_denied)}</th>
                    <th scope="col">{t!(i18n, street.queries_permitted)}</th>
                    <th scope="col">{t!(i18n, street.queries_denied)}</th>
                </tr></thead>
                <tbody>
                    {r.uses.into_iter().map(|u| {
                        let basis = u.legal_basis;
                        view! {
                            <tr data-purpose=u.purpose.clone()>
                                <th scope="row">{u.name.clone().unwrap_or_else(|| u.purpose.clone())}</th>
                                <td>{move || basis.map(|b| basis_name(l(), b)).unwrap_or("—")}</td>
                                <ShownCell shown=u.checks_permitted /><ShownCell shown=u.checks_denied />
                                <ShownCell shown=u.queries_permitted /><ShownCell shown=u.queries_denied />
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2 id="askers">{t!(i18n, reports.askers_title)}</h2>
        <div class="table-scroll" role="region" tabindex="0" aria-labelledby="askers">
            <table data-testid="report-askers">
                <thead><tr><th scope="col">{t!(i18n, stats.agency)}</th><th scope="col">{t!(i18n, stats.check)}</th><th scope="col">{t!(i18n, stats.query)}</th></tr></thead>
                <tbody>
                    {r.askers.into_iter().map(|(agency, checks, queries)| view! {
                        <tr><th scope="row">{agency}</th><ShownCell shown=checks /><ShownCell shown=queries /></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2 id="denials">{t!(i18n, stats.reasons_title)}</h2>
        <div class="table-scroll" role="region" tabindex="0" aria-labelledby="denials">
            <table data-testid="report-denials">
                <thead><tr><th scope="col">{t!(i18n, stats.reason)}</th><th scope="col">{t!(i18n, stats.denied)}</th></tr></thead>
                <tbody>
                    {r.denial_reasons.into_iter().map(|(reason, n)| {
                        let parsed = reason.parse::<domain::decision::Reason>().ok();
                        let code = reason.clone();
                        view! {
                            <tr data-reason=code>
                                <th scope="row">{move || parsed.map_or_else(|| reason.clone(), |r| reason_text(l(), r).to_owned())}</th>
                                <ShownCell shown=n />
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2 id="accountability">{t!(i18n, reports.accountability_title)}</h2>
        <table data-testid="report-accountability">
            <tbody>
                <tr><th scope="row">{t!(i18n, reports.problem_reports)}</th><ShownCell shown=r.problem_reports /></tr>
                <tr><th scope="row">{t!(i18n, reports.requests)}</th><ShownCell shown=r.requests /></tr>
                <tr><th scope="row">{t!(i18n, reports.objections)}</th><ShownCell shown=r.objections_upheld /></tr>
            </tbody>
        </table>
        <h2 id="incidents">{t!(i18n, reports.incidents_title)}</h2>
        {if r.incidents.is_empty() {
            view! { <p>{t!(i18n, reports.no_incidents)}</p> }.into_any()
        } else {
            view! { <ul>{r.incidents.into_iter().map(|(title, _)| view! { <li>{title}</li> }).collect_view()}</ul> }.into_any()
        }}
    }
}
