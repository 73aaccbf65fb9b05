//! `/my/requests/:id/package`: the readable page of the data package that answers a
//! fulfilled access or portability request, with the same package as a JSON download.

use crate::access_log::page::Enrollments;
use crate::components::error_notice::ErrorNotice;
use crate::components::page_title::PageTitle;
use crate::components::signed_in::{MyNav, refused};
use crate::components::status::set_http_status;
use crate::error::AppError;
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::use_lang;
use crate::requests::my_package;
use crate::requests::names::{kind_name, status_name};
use domain::account::AccountNoticeKind;
use domain::consent::ConsentAction;
use domain::decision::Decision;
use domain::requests::PackageSummary;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// The page.
#[component]
pub fn PackagePage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let params = use_params_map();
    let package = Resource::new(
        move || (params.read().get("id").unwrap_or_default(), lang.get()),
        |(id, lang)| my_package(id, lang),
    );
    view! {
        <PageTitle text=|l| td_string!(l, package.title) />
        <h1>{t!(i18n, package.title)}</h1>
        <MyNav />
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match package.await {
                    Ok(summary) => view! { <Package summary /> }.into_any(),
                    Err(AppError::NotFound) => {
                        set_http_status(404);
                        view! { <ErrorNotice error=AppError::NotFound /> }.into_any()
                    }
                    Err(error) => refused(error),
                }
            })}
        </Suspense>
    }
}

/// Text, or "None." for an empty section.
fn none_if_empty(i18n: leptos_i18n::I18nContext<crate::i18n::Locale>, empty: bool) -> Option<AnyView> {
    empty.then(|| view! { <p class="empty">{t!(i18n, package.none)}</p> }.into_any())
}

#[component]
fn Package(summary: PackageSummary) -> impl IntoView {
    let i18n = use_i18n();
    let package = summary.parts;
    let l = move || i18n.get_locale();
    let json = format!("/my/requests/{}/package.json", package.request_id);
    let p = package.profile.clone();
    let dash = || "—".to_owned();
    view! {
        <p>{t!(i18n, package.intro)}</p>
        <p><a href=json class="button-primary" download="">{t!(i18n, package.download_json)}</a></p>
        <section data-testid="package-profile">
            <h2>{t!(i18n, package.profile)}</h2>
            <dl class="facts">
                <dt>{t!(i18n, package.name)}</dt><dd>{p.display_name}</dd>
                <dt>{t!(i18n, package.email)}</dt><dd><bdi dir="ltr">{p.email}</bdi></dd>
                <dt>{t!(i18n, package.number)}</dt><dd><bdi dir="ltr">{p.resident_number}</bdi></dd>
                <dt>{t!(i18n, package.address)}</dt><dd>{p.postal_address.unwrap_or_else(dash)}</dd>
                <dt>{t!(i18n, package.phone)}</dt><dd>{p.phone.unwrap_or_else(dash)}</dd>
                <dt>{t!(i18n, package.birth)}</dt><dd>{p.date_of_birth.unwrap_or_else(dash)}</dd>
            </dl>
        </section>
        <section>
            <h2>{t!(i18n, package.enrollments)}</h2>
            {none_if_empty(i18n, package.enrollments.is_empty())}
            <ul>
                {package.enrollments.into_iter().map(|e| view! {
                    <li>{e.system_name} " (" {t!(i18n, package.since)} " " {e.since} ")"</li>
                }).collect_view()}
            </ul>
        </section>
        <section data-testid="package-enrollment-history">
            <h2>{t!(i18n, access.enrollments_heading)}</h2>
            <Enrollments events=package.enrollment_history />
        </section>
        <PackageConsents events=package.consent_history />
        <PackageDecisions decisions=summary.newest_decisions total=summary.decisions_total />
        <section>
            <h2>{t!(i18n, package.requests)}</h2>
            <ul>
                {package.requests.into_iter().map(|r| {
                    let (kind, status) = (r.kind, r.status);
                    view! {
                        <li>{r.received.to_string()} " · " {move || kind_name(l(), kind)} " · " {move || status_name(l(), status)}</li>
                    }
                }).collect_view()}
            </ul>
        </section>
        <section data-testid="package-reports">
            <h2>{t!(i18n, package.reports)}</h2>
            {none_if_empty(i18n, package.agency_reports.is_empty())}
            {package.agency_reports.into_iter().map(|r| view! {
                <article class="card">
                    <h3>{r.system_name} " (" {r.agency_name} ")"</h3>
                    {r.note.filter(|n| !n.is_empty()).map(|n| view! { <p class="pre-wrap">{n}</p> })}
                    {r.data.map(|d| view! {
                        <pre class="data-dump">{serde_json::to_string_pretty(&d).unwrap_or_default()}</pre>
                    })}
                </article>
            }).collect_view()}
        </section>
        <section data-testid="package-account-notices">
            <h2>{t!(i18n, package.account_notices)}</h2>
            {none_if_empty(i18n, package.account_notices.is_empty())}
            <ul>
                {package.account_notices.into_iter().map(|n| {
                    let times = n.times;
                    let what = match n.kind {
                        AccountNoticeKind::SignInFailures => t!(i18n, package.sign_in_failures, n = move || times).into_any(),
                        AccountNoticeKind::SignUpAttempts => t!(i18n, package.sign_up_attempts, n = move || times).into_any(),
                    };
                    view! {
                        <li><time datetime=n.at.clone()>{n.at.replace('T', " ").chars().take(16).collect::<String>()} " UTC"</time> " · " {what}</li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// The package's consent history, each event linked to its receipt.
#[component]
fn PackageConsents(events: Vec<domain::consent::ConsentEventView>) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    view! {
        <section data-testid="package-consents">
            <h2>{t!(i18n, package.consents)}</h2>
            {none_if_empty(i18n, events.is_empty())}
            <ul>
                {events.into_iter().map(|e| {
                    let action = e.action;
                    view! {
                        <li data-action=action.code()>
                            <time datetime=e.at.clone()>{e.at.chars().take(10).collect::<String>()}</time> " · "
                            {move || match action {
                                ConsentAction::Grant => td_string!(l(), history.granted),
                                ConsentAction::Withdraw => td_string!(l(), history.withdrew),
                            }}
                            " · " {e.system_name} " — " {e.purpose_name} " · "
                            <A href=format!("/my/consents/{}", e.id)>{t!(i18n, history.receipt)}</A>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// The newest decision-log entries that named the resident, and how many there are in all
/// when that is more (the download holds every one, the access log pages through them).
#[component]
fn PackageDecisions(decisions: Vec<domain::decision::AccessEntry>, total: i64) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let shown = decisions.len();
    let more = (i64::try_from(shown).unwrap_or(i64::MAX) < total).then(|| {
        view! {
            <p data-testid="package-decisions-newest">
                {t!(i18n, package.decisions_newest, shown = move || shown, total = move || total)} " "
                <A href="/my/access-log">{t!(i18n, access.title)}</A>
            </p>
        }
    });
    view! {
        <section data-testid="package-decisions">
            <h2>{t!(i18n, package.decisions)}</h2>
            {none_if_empty(i18n, decisions.is_empty())}
            {more}
            <ul>
                {decisions.into_iter().map(|d| {
                    let decision = d.decision;
                    view! {
                        <li data-decision=decision.code()>
                            <time datetime=d.at.clone()>{d.at.chars().take(10).collect::<String>()}</time> " · "
                            {d.agency_name} " · " {d.system_name} " — " {d.purpose_name} " · "
                            <strong>{move || match decision {
                                Decision::Permit => td_string!(l(), access.permitted),
                                Decision::Deny => td_string!(l(), access.denied),
                            }}</strong>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
