//! Requests received and closed per week, drawn as SVG on the server (it shows without
//! JavaScript), with the same figures as a table for screen readers.

use crate::i18n::{t, td_string, use_i18n};
use domain::requests::WeekCount;
use leptos::prelude::*;

/// The drawing's size in its own units; it scales to the page's width.
const WIDTH: i64 = 640;
const HEIGHT: i64 = 220;
const BOTTOM: i64 = 30;

/// Two bars per week: received (dark) and closed (light).
#[component]
pub fn WeekChart(weeks: Vec<WeekCount>) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let max = weeks
        .iter()
        .map(|w| w.received.max(w.closed))
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = WIDTH / i64::try_from(weeks.len().max(1)).unwrap_or(1);
    let bar = (slot / 3).max(2);
    let scale = |n: i64| n * (HEIGHT - BOTTOM - 10) / max;
    let bars = weeks
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let x = i64::try_from(i).unwrap_or(0) * slot + slot / 6;
            let (hr, hc) = (scale(w.received), scale(w.closed));
            let label = format!("{}-{:02}", w.week_start.month(), w.week_start.to_string().get(8..10).unwrap_or(""));
            let (received, closed, date) = (w.received, w.closed, w.week_start.to_string());
            view! {
                <g>
                    <title>{t!(i18n, console.chart_week, date = move || date.clone(), received = move || received, closed = move || closed)}</title>
                    <rect class="bar-received" x=x y=HEIGHT - BOTTOM - hr width=bar height=hr />
                    <rect class="bar-closed" x=x + bar y=HEIGHT - BOTTOM - hc width=bar height=hc />
                    <text x=x + bar y=HEIGHT - 10 text-anchor="middle" class="chart-label">{label}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="week-chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="week-chart-title" focusable="false">
                <title id="week-chart-title">{move || td_string!(l(), console.chart_title)}</title>
                <line x1="0" y1=HEIGHT - BOTTOM x2=WIDTH y2=HEIGHT - BOTTOM class="chart-axis" />
                {bars}
            </svg>
            <figcaption>
                {t!(i18n, console.chart_title)} " — "
                <span class="legend legend-received">{t!(i18n, console.chart_received)}</span> ", "
                <span class="legend legend-closed">{t!(i18n, console.chart_closed)}</span>
            </figcaption>
            // Hidden in a box of its own: a table grows to its content whatever its width
            // says, and would widen a phone's page.
            <div class="visually-hidden">
                <table>
                    <caption>{t!(i18n, console.chart_title)}</caption>
                    <tbody>
                        {weeks.into_iter().map(|w| view! {
                            <tr><th scope="row">{w.week_start.to_string()}</th><td>{w.received}</td><td>{w.closed}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </figure>
    }
}
