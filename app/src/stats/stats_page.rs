//! The statistics page.

use super::{StatsView, load_stats};
use crate::access_log::page::reason_text;
use crate::components::error_notice::ErrorNotice;
use crate::components::page_title::PageTitle;
use crate::components::shown_cell::ShownCell;
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::use_lang;
use domain::stats::{MonthLine, Shown};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The statistics page; `?year=` chooses the year.
#[component]
pub fn StatsPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let query = use_query_map();
    let year = move || {
        query
            .read()
            .get("year")
            .and_then(|y| y.trim().parse::<i32>().ok())
    };
    let stats = Resource::new(
        move || (lang.get(), year()),
        |(lang, year)| load_stats(lang, year),
    );
    view! {
        <PageTitle text=|l| td_string!(l, stats.title) />
        <h1>{t!(i18n, stats.title)}</h1>
        <p class="lead">{t!(i18n, stats.intro)}</p>
        <p class="notice">{t!(i18n, stats.rule)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match stats.await {
                    Ok(view) => view! { <Figures view /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The drawing's size in its own units; it scales to the page's width.
const WIDTH: i64 = 640;
const HEIGHT: i64 = 220;
const BOTTOM: i64 = 30;

/// Checks permitted and denied per month, as bars (a hidden count draws no bar).
#[component]
fn MonthChart(months: Vec<MonthLine>) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let value = |s: Shown| s.count().unwrap_or(0);
    let max = months
        .iter()
        .map(|m| value(m.checks_permitted).max(value(m.checks_denied)))
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = WIDTH / 12;
    let bar = slot / 3;
    let scale = |n: i64| n * (HEIGHT - BOTTOM - 10) / max;
    view! {
        <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="month-chart-title" focusable="false" data-testid="month-chart">
            <title id="month-chart-title">{move || td_string!(l(), stats.chart_title)}</title>
            <line x1="0" y1=HEIGHT - BOTTOM x2=WIDTH y2=HEIGHT - BOTTOM class="chart-axis" />
            {months.iter().enumerate().map(|(i, m)| {
                let x = i64::try_from(i).unwrap_or(0) * slot + slot / 6;
                let (hp, hd) = (scale(value(m.checks_permitted)), scale(value(m.checks_denied)));
                view! {
                    <rect class="bar-received" x=x y=HEIGHT - BOTTOM - hp width=bar height=hp />
                    <rect class="bar-closed" x=x + bar y=HEIGHT - BOTTOM - hd width=bar height=hd />
                    <text x=x + bar y=HEIGHT - 10 text-anchor="middle" class="chart-label">{m.month.get(5..).unwrap_or_default().to_owned()}</text>
                }
            }).collect_view()}
        </svg>
    }
}

#[component]
fn Figures(view: StatsView) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let StatsView { stats, years, names } = view;
    let year = stats.year;
    let name = move |slug: &str| {
        names
            .iter()
            .find(|(s, _)| s == slug)
            .map_or_else(|| slug.to_owned(), |(_, n)| n.clone())
    };
    let download = |path: &str| format!("/api/v1/{path}year={year}");
    view! {
        <form method="get" action="/stats" class="inline-form">
            <label for="year">{t!(i18n, stats.year)}</label>
            <select id="year" name="year">
                {years.into_iter().map(|y| view! { <option value=y.to_string() selected=y == year>{y}</option> }).collect_view()}
            </select>
            <button type="submit">{t!(i18n, stats.show)}</button>
        </form>
        <p>
            {t!(i18n, stats.open_data)} " "
            <a href=download("stats?")>"JSON"</a> " · "
            <a href=download("stats.csv?table=decisions&")>{t!(i18n, stats.csv_decisions)}</a> " · "
            <a href=download("stats.csv?table=months&")>{t!(i18n, stats.csv_months)}</a> " · "
            <a href=download("stats.csv?table=reasons&")>{t!(i18n, stats.csv_reasons)}</a>
        </p>
        <h2 id="checks">{t!(i18n, stats.checks_title)}</h2>
        <figure class="week-chart">
            <MonthChart months=stats.months.clone() />
            <figcaption>
                <span class="legend legend-received">{t!(i18n, stats.permitted)}</span> ", "
                <span class="legend legend-closed">{t!(i18n, stats.denied)}</span>
            </figcaption>
        </figure>
        <div class="table-scroll" role="region" tabindex="0" aria-labelledby="checks">
            <table data-testid="months-checks">
                <thead><tr>
                    <th scope="col">{t!(i18n, stats.month)}</th>
                    <th scope="col">{t!(i18n, street.checks_permitted)}</th>
                    <th scope="col">{t!(i18n, street.checks_denied)}</th>
                    <th scope="col">{t!(i18n, street.queries_permitted)}</th>
                    <th scope="col">{t!(i18n, street.queries_denied)}</th>
                </tr></thead>
                <tbody>
                    {stats.months.iter().map(|m| view! {
                        <tr data-month=m.month.clone()>
                            <th scope="row">{m.month.clone()}</th>
                            <ShownCell shown=m.checks_permitted /><ShownCell shown=m.checks_denied />
                            <ShownCell shown=m.queries_permitted /><ShownCell shown=m.queries_denied />
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2 id="by-system">{t!(i18n, stats.by_system_title)}</h2>
        <div class="table-scroll" role="region" tabindex="0" aria-labelledby="by-system">
            <table data-testid="by-system">
                <thead><tr>
                    <th scope="col">{t!(i18n, stats.agency)}</th>
                    <th scope="col">{t!(i18n, street.system_col)}</th>
                    <th scope="col">{t!(i18n, street.purpose_col)}</th>
                    <th scope="col">{t!(i18n, stats.kind)}</th>
                    <th scope="col">{t!(i18n, stats.permitted)}</th>
                    <th scope="col">{t!(i18n, stats.denied)}</th>
                </tr></thead>
                <tbody>
                    {stats.year_decisions.iter().map(|d| {
                        let check = d.kind == "check";
                        view! {
                            <tr data-system=d.system.clone() data-purpose=d.purpose.clone() data-kind=d.kind.clone()>
                                <td>{name(&d.agency)}</td>
                                <td>{name(&d.system)}</td>
                                <td><code>{d.purpose.clone()}</code></td>
                                <td>{move || if check { td_string!(l(), stats.check) } else { td_string!(l(), stats.query) }}</td>
                                <ShownCell shown=d.permits /><ShownCell shown=d.denials />
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2 id="reasons">{t!(i18n, stats.reasons_title)}</h2>
        <div class="table-scroll" role="region" tabindex="0" aria-labelledby="reasons">
            <table data-testid="reasons">
                <thead><tr><th scope="col">{t!(i18n, stats.reason)}</th><th scope="col">{t!(i18n, stats.denied)}</th></tr></thead>
                <tbody>
                    {stats.denial_reasons.iter().map(|r| {
                        let reason = r.reason.parse::<domain::decision::Reason>().ok();
                        let code = r.reason.clone();
                        view! {
                            <tr data-reason=r.reason.clone()>
                                <th scope="row">{move || reason.map_or_else(|| code.clone(), |r| reason_text(l(), r).to_owned())}</th>
                                <ShownCell shown=r.denials />
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2 id="residents">{t!(i18n, stats.residents_title)}</h2>
        <div class="table-scroll" role="region" tabindex="0" aria-labelledby="residents">
            <table data-testid="months-residents">
                <thead><tr>
                    <th scope="col">{t!(i18n, stats.month)}</th>
                    <th scope="col">{t!(i18n, stats.enrolments)}</th>
                    <th scope="col">{t!(i18n, stats.enrolments_ended)}</th>
                    <th scope="col">{t!(i18n, stats.consents_given)}</th>
                    <th scope="col">{t!(i18n, stats.consents_withdrawn)}</th>
                </tr></thead>
                <tbody>
                    {stats.months.iter().map(|m| view! {
                        <tr data-month=m.month.clone()>
                            <th scope="row">{m.month.clone()}</th>
                            <ShownCell shown=m.enrolments /><ShownCell shown=m.enrolments_ended />
                            <ShownCell shown=m.consents_given /><ShownCell shown=m.consents_withdrawn />
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2 id="requests">{t!(i18n, stats.requests_title)}</h2>
        <div class="table-scroll" role="region" tabindex="0" aria-labelledby="requests">
            <table data-testid="months-requests">
                <thead><tr>
                    <th scope="col">{t!(i18n, stats.month)}</th>
                    <th scope="col">{t!(i18n, stats.received)}</th>
                    <th scope="col">{t!(i18n, stats.closed)}</th>
                    <th scope="col">{t!(i18n, stats.on_time)}</th>
                    <th scope="col">{t!(i18n, stats.extended)}</th>
                </tr></thead>
                <tbody>
                    {stats.months.iter().map(|m| {
                        let on_time = m.on_time_percent.map(|p| format!("{p} %")).unwrap_or_else(|| "—".to_owned());
                        view! {
                            <tr data-month=m.month.clone()>
                                <th scope="row">{m.month.clone()}</th>
                                <ShownCell shown=m.requests_received /><ShownCell shown=m.requests_closed />
                                <td>{on_time}</td>
                                <ShownCell shown=m.extended />
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
