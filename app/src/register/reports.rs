//! `/register/reports`: anyone signed in reports a problem with the register ("this camera
//! is not listed", "this retention is wrong"); the reports and the office's public answers
//! are listed for everyone, and register staff answer them here.

use crate::components::error_notice::ErrorNotice;
use crate::components::page_title::PageTitle;
use crate::console::shared::action_error;
use crate::error::AppError;
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::use_lang;
use domain::lang::Lang;
use domain::register::ProblemReport;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::backend as ssr;

/// What the reports page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportsDesk {
    /// One page of the reports, newest first.
    pub reports: Vec<ProblemReport>,
    /// Where the next (older) page starts; `None` on the last page.
    pub next_cursor: Option<String>,
    /// Whether this is a later page (so the page offers a way back to the newest).
    pub later: bool,
    /// Systems to name in a report: slug and name.
    pub systems: Vec<(String, String)>,
    pub signed_in: bool,
    /// The reader keeps the register: the page shows answer forms.
    pub editor: bool,
}

/// One page of the reports (after `cursor`), the systems, and what the reader may do.
#[server(prefix = "/fn", endpoint = "register/reports")]
pub async fn register_reports(lang: Lang, cursor: Option<String>) -> Result<ReportsDesk, AppError> {
    let after = domain::register::PROBLEM_REPORT_CURSOR
        .decode_opt(cursor.as_deref().filter(|c| !c.is_empty()))
        .map_err(|_| AppError::InvalidInput("cursor".to_owned()))?;
    let pool = ssr::backend()?.pool;
    let session = ssr::session();
    let editor = match &session {
        Some(s) if s.user.role.is_staff() => store::register::may_edit_register(&pool, &s.user).await?,
        _ => false,
    };
    let systems = store::register::systems(&pool)
        .await?
        .into_iter()
        .map(|s| (s.slug.to_string(), s.name.get(lang).to_owned()))
        .collect();
    let reports = store::register::problem_reports(&pool, lang, after.as_ref()).await?;
    Ok(ReportsDesk {
        next_cursor: reports.next_cursor(),
        reports: reports.items,
        later: after.is_some(),
        systems,
        signed_in: session.is_some(),
        editor,
    })
}

/// Files a report (about `system`, if one is chosen); signed in, at most a few a day.
#[server(prefix = "/fn", endpoint = "register/report")]
pub async fn report_problem(system: Option<String>, body: String) -> Result<(), AppError> {
    let session = ssr::require_session()?;
    let slug = match system.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(domain::register::Slug::parse(s).map_err(|_| AppError::NotFound)?),
        None => None,
    };
    let pool = ssr::backend()?.pool;
    store::register::file_problem_report(&pool, &session.user.id, slug.as_ref(), &body).await??;
    leptos_axum::redirect(&format!("/register/reports?sent={}#reports", ssr::action_stamp()));
    Ok(())
}

/// Register staff: the office's public answer to a report.
#[server(prefix = "/fn", endpoint = "register/answer_problem_report")]
pub async fn answer_problem_report(id: String, answer: String) -> Result<(), AppError> {
    let session = crate::reviews::require_register_editor().await?;
    let pool = ssr::backend()?.pool;
    store::register::answer_problem_report(&pool, &session.user, &id, &answer).await??;
    leptos_axum::redirect(&format!(
        "/register/reports?done={}#report-{id}",
        ssr::action_stamp()
    ));
    Ok(())
}

/// The reports page.
#[component]
pub fn ReportsPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let query = use_query_map();
    let desk = Resource::new(
        move || {
            let query = query.read();
            (
                lang.get(),
                query.get("cursor"),
                query.get("done"),
                query.get("sent"),
            )
        },
        |(lang, cursor, _, _)| register_reports(lang, cursor),
    );
    let sent = move || query.read().get("sent").is_some();
    let chosen = move || query.read().get("system").unwrap_or_default();
    view! {
        <PageTitle text=|l| td_string!(l, problem_reports.title) />
        <h1>{t!(i18n, problem_reports.title)}</h1>
        <p>{t!(i18n, problem_reports.intro)}</p>
        {move || sent().then(|| view! { <p class="notice" role="status" data-testid="report-sent">{t!(i18n, problem_reports.sent)}</p> })}
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match desk.await {
                    Ok(desk) => view! { <Reports desk chosen=chosen() /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Reports(desk: ReportsDesk, chosen: String) -> impl IntoView {
    let i18n = use_i18n();
    let report = ServerAction::<ReportProblem>::new();
    let answer = ServerAction::<AnswerProblemReport>::new();
    let editor = desk.editor;
    let (later, next) = (desk.later, desk.next_cursor.clone());
    view! {
        {if desk.signed_in {
            view! {
                {action_error(report)}
                <ActionForm action=report attr:class="stack-form">
                    <label for="report-system">{t!(i18n, problem_reports.system)}</label>
                    <select id="report-system" name="system">
                        <option value="">{t!(i18n, problem_reports.no_system)}</option>
                        {desk.systems.iter().cloned().map(|(slug, name)| {
                            let selected = slug == chosen;
                            view! { <option value=slug selected=selected>{name}</option> }
                        }).collect_view()}
                    </select>
                    <label for="report-body">{t!(i18n, problem_reports.body)}</label>
                    <textarea id="report-body" name="body" rows="4" required=true maxlength="4000"></textarea>
                    <button type="submit" class="button-primary">{t!(i18n, problem_reports.send)}</button>
                </ActionForm>
            }.into_any()
        } else {
            view! { <p><a href="/login?next=/register/reports">{t!(i18n, problem_reports.sign_in)}</a></p> }.into_any()
        }}
        <h2 id="reports">{t!(i18n, problem_reports.list)}</h2>
        {action_error(answer)}
        {if desk.reports.is_empty() {
            view! { <p>{t!(i18n, problem_reports.none)}</p> }.into_any()
        } else {
            view! {
                <ul class="plain-list" data-testid="problem-reports">
                    {desk.reports.into_iter().map(|r| {
                        let field = format!("answer-{}", r.id);
                        let (form_id, form_answer) = (r.id.clone(), r.answer.clone().unwrap_or_default());
                        view! {
                            <li class="card" id=format!("report-{}", r.id) data-answered=r.answer.is_some().to_string()>
                                <p class="muted">
                                    <time datetime=r.at.clone()>{r.at.get(..10).unwrap_or_default().to_owned()}</time>
                                    {r.system.clone().map(|(slug, name)| view! { " · " <a href=format!("/systems/{slug}")>{name}</a> })}
                                    {r.device.clone().map(|code| view! { " · " <a href=format!("/s/{code}")><code>{code.clone()}</code></a> })}
                                </p>
                                <p class="pre-wrap">{r.body.clone()}</p>
                                {match r.answer.clone() {
                                    Some(text) => view! {
                                        <p><strong>{t!(i18n, problem_reports.answer)}</strong></p>
                                        <p class="pre-wrap" data-testid="report-answer">{text}</p>
                                    }.into_any(),
                                    None => view! { <p class="muted">{t!(i18n, problem_reports.waiting)}</p> }.into_any(),
                                }}
                                {editor.then(|| view! {
                                    <ActionForm action=answer attr:class="stack-form">
                                        <input type="hidden" name="id" value=form_id />
                                        <label for=field.clone()>{t!(i18n, problem_reports.answer)}</label>
                                        <textarea id=field name="answer" rows="2" required=true maxlength="8000">{form_answer}</textarea>
                                        <button type="submit" class="button-secondary">{t!(i18n, problem_reports.publish_answer)}</button>
                                    </ActionForm>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        {(later || next.is_some()).then(|| view! {
            <nav class="pager" aria-label=move || td_string!(i18n.get_locale(), problem_reports.list)>
                {later.then(|| view! { <a href="/register/reports#reports">{t!(i18n, problem_reports.newest)}</a> })}
                {next.map(|c| view! { <a href=format!("/register/reports?cursor={c}#reports")>{t!(i18n, problem_reports.older)}</a> })}
            </nav>
        })}
    }
}
