//! `/s/{code}`: one device's page, for someone standing in front of it (the sign's QR code
//! and short address lead here). Plain server HTML, light on a slow phone: what it is and
//! who runs it, why, whether it identifies people, how long data is kept, the last 30 days
//! of its system's checks and queries from the decision log (small counts hidden), the
//! reader's own entries when signed in, and a form to report a problem with the device.

use super::{DeviceView, ReportDevice, load_device};
use crate::components::error_notice::ErrorNotice;
use crate::components::not_found::NotFound;
use crate::components::shown_cell::ShownCell;
use crate::console::shared::action_error;
use crate::error::AppError;
use crate::i18n::{t, use_i18n};
use crate::i18n_support::{basis_name, technology_name, use_lang, yes_no};
use domain::street::Answered;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The device page; an unknown code renders the 404 page with status 404.
#[component]
pub fn DevicePage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let device = Resource::new(
        move || (lang.get(), code()),
        |(lang, code)| load_device(lang, code),
    );
    let sent = move || query.read().get("sent").is_some();
    view! {
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match device.await {
                    Ok(device) => view! { <Device device sent=sent() /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Device(device: DeviceView, sent: bool) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let report = ServerAction::<ReportDevice>::new();
    let DeviceView {
        code,
        label,
        district,
        system,
        identifies_people,
        retention,
        purposes,
        figures,
        since,
        mine,
        ..
    } = device;
    let technology = system.technology;
    let sign = |size: &str| format!("/s/{code}/sign.svg?size={size}");
    let (a4, a6) = (sign("a4"), sign("a6"));
    let login = format!("/login?next=/s/{code}");
    view! {
        <Title text=label.clone() />
        <article class="device">
            <p class="eyebrow">{move || technology_name(l(), technology)}</p>
            <h1>{label}</h1>
            {district.map(|d| view! { <p class="meta">{d}</p> })}
            <dl class="facts">
                <dt>{t!(i18n, street.part_of)}</dt>
                <dd><a href=format!("/systems/{}", system.slug)>{system.name.clone()}</a></dd>
                <dt>{t!(i18n, street.run_by)}</dt>
                <dd>{system.agency_name.clone()}</dd>
                <dt>{t!(i18n, street.identifies_label)}</dt>
                <dd data-testid="identifies">{move || yes_no(l(), identifies_people)}</dd>
                <dt>{t!(i18n, street.kept)}</dt>
                <dd>{retention}</dd>
            </dl>
            <p>{system.description.clone()}</p>
            <h2>{t!(i18n, street.why)}</h2>
            <ul>
                {purposes.into_iter().map(|p| {
                    let basis = p.legal_basis;
                    view! { <li><strong>{p.name}</strong> " — " {move || basis_name(l(), basis)}</li> }
                }).collect_view()}
            </ul>
            <h2 id="figures">{t!(i18n, street.figures_title)}</h2>
            <p>{t!(i18n, street.figures_intro, since = move || since.clone())}</p>
            <div class="table-scroll" role="region" tabindex="0" aria-labelledby="figures">
                <table data-testid="device-figures">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, street.purpose_col)}</th>
                            <th scope="col">{t!(i18n, street.checks_permitted)}</th>
                            <th scope="col">{t!(i18n, street.checks_denied)}</th>
                            <th scope="col">{t!(i18n, street.queries_permitted)}</th>
                            <th scope="col">{t!(i18n, street.queries_denied)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {figures.into_iter().map(|(name, line)| {
                            let (checks, queries): (Answered, Answered) = (line.checks, line.queries);
                            view! {
                                <tr data-purpose=line.purpose.clone().unwrap_or_default()>
                                    <th scope="row">{match name {
                                        Some(name) => name.into_any(),
                                        None => t!(i18n, street.other_purposes).into_any(),
                                    }}</th>
                                    <ShownCell shown=checks.permits />
                                    <ShownCell shown=checks.denials />
                                    <ShownCell shown=queries.permits />
                                    <ShownCell shown=queries.denials />
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <p class="muted">{t!(i18n, street.suppression_rule)}</p>
            <h2>{t!(i18n, street.mine_title)}</h2>
            {match mine {
                Some(n) => view! {
                    <p data-testid="mine">{t!(i18n, street.mine_count, count = move || n)}</p>
                    <p><a href="/my/access-log">{t!(i18n, street.mine_link)}</a></p>
                }.into_any(),
                None => view! { <p><a href=login>{t!(i18n, street.mine_sign_in)}</a></p> }.into_any(),
            }}
            <h2 id="report">{t!(i18n, street.report_title)}</h2>
            {sent.then(|| view! { <p class="notice" role="status" data-testid="report-sent">{t!(i18n, street.report_sent)}</p> })}
            {action_error(report)}
            <ActionForm action=report attr:class="stack-form">
                <input type="hidden" name="code" value=code.clone() />
                <label for="report-body">{t!(i18n, street.report_body)}</label>
                <textarea id="report-body" name="body" rows="4" required=true maxlength="4000"></textarea>
                <button type="submit" class="button-primary">{t!(i18n, street.report_send)}</button>
            </ActionForm>
            <p class="muted">{t!(i18n, street.report_public)}</p>
            <p>
                {t!(i18n, street.print_sign)} " "
                <a href=a4>"A4"</a> " · " <a href=a6>"A6"</a>
            </p>
        </article>
    }
}
