//! Glasshouse's web app: pages, components and server functions, rendered on the server.
//! Only islands (`#[island]`, components/in_place.rs) run in the browser.

#![recursion_limit = "256"]

pub mod access_log;
pub mod accounts;
pub mod breaches;
pub mod bundle;
pub mod components;
pub mod consent;
pub mod console;
pub mod developers;
pub mod error;
pub mod i18n_support;
pub mod register;
pub mod reports;
pub mod requests;
pub mod reviews;
pub mod stats;
pub mod street;

#[cfg(feature = "ssr")]
pub mod backend;

// The macro form reads `[package.metadata.leptos-i18n]` at compile time. Its build-script
// replacement pulls ICU data-generation crates into every build for features we do not use
// (plurals, number formats), so we keep the macro until that changes.
#[allow(deprecated)]
mod i18n_generated {
    leptos_i18n::load_locales!();
}
pub use i18n_generated::i18n;

use crate::bundle::{BundleStylesheet, IslandLoader};
use crate::components::layout::Layout;
use crate::i18n::I18nContextProvider;
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The HTML document every page is rendered into.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // Islands mode: what a page's resources load is rendered into its HTML and never sent
    // to the browser as data as well (Leptos' own hydration scripts say so; our island
    // loader replaces them). Islands get what they need as props.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                // No favicon request: the page needs no image.
                <link rel="icon" href="data:," />
                {content_security_policy()}
                <BundleStylesheet options=options.clone() />
                <MetaTags />
            </head>
            <body>
                <App />
                <IslandLoader options />
            </body>
        </html>
    }
}

/// Sends the page's Content-Security-Policy: scripts only from this site or with this
/// response's nonce (Leptos puts it on its hydration scripts), never inline otherwise.
fn content_security_policy() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        use leptos::nonce::use_nonce;
        if let (Some(nonce), Some(response)) = (use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
            let policy = format!(
                "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
                 img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; \
                 form-action 'self'; frame-ancestors 'none'"
            );
            if let Ok(value) = http::HeaderValue::from_str(&policy) {
                response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
            }
        }
    }
}

/// Creates the language context in an owner of its own, before `<I18nContextProvider>`,
/// which finds it and uses it. On the server that owner is paused: leptos_i18n's effect
/// that mirrors the language into its cookie would otherwise run on a worker thread after
/// the request has ended, panic on the disposed signal, and leave that thread's reactive
/// state to the next request, whose page then never finishes. (The language is only ever
/// changed by `/lang/{code}`, which sets the cookie itself.)
fn provide_language_context(options: leptos_i18n::context::I18nContextOptions<'static, i18n::Locale>) {
    let owner = Owner::current().map_or_else(Owner::new, |parent| parent.child());
    let context = owner.with(|| leptos_i18n::context::init_i18n_context_with_options(options));
    #[cfg(feature = "ssr")]
    owner.pause();
    // The owner lives as long as the app's: dropping it would dispose of the context.
    StoredValue::new(owner);
    provide_context(context);
}

/// The app: language context, layout and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Path "/" so one cookie serves every page (the default is the page's own directory).
    let cookie_options = leptos_i18n::context::CookieOptions::<i18n::Locale>::default()
        .path("/")
        .max_age(365_i64 * 24 * 3600 * 1000);
    provide_language_context(
        leptos_i18n::context::I18nContextOptions::<i18n::Locale>::default().cookie_options(cookie_options),
    );
    view! {
        <Title formatter=|text: String| {
            if text.is_empty() { "Glasshouse".to_owned() } else { format!("{text} · Glasshouse") }
        } />
        <I18nContextProvider>
            <Router>
                <Layout>
                    <Routes fallback=components::not_found::NotFound>
                        <Route path=path!("/") view=register::home_page::HomePage ssr=SsrMode::Async />
                        <Route path=path!("/signup") view=accounts::signup_page::SignUpPage ssr=SsrMode::Async />
                        <Route path=path!("/login") view=accounts::login_page::LoginPage ssr=SsrMode::Async />
                        <Route path=path!("/login/second-factor") view=accounts::second_factor_page::SecondFactorPage ssr=SsrMode::Async />
                        <Route path=path!("/account") view=accounts::account_page::AccountPage ssr=SsrMode::Async />
                        <Route path=path!("/account/profile") view=accounts::profile_page::ProfilePage ssr=SsrMode::Async />
                        <Route path=path!("/account/sessions") view=accounts::sessions_page::SessionsPage ssr=SsrMode::Async />
                        <Route path=path!("/my") view=consent::my_page::MyPage ssr=SsrMode::Async />
                        <Route path=path!("/my/systems/:slug") view=consent::system_consents_page::SystemConsentsPage ssr=SsrMode::Async />
                        <Route path=path!("/my/consents/history") view=consent::history_page::ConsentHistoryPage ssr=SsrMode::Async />
                        <Route path=path!("/my/consents/:id") view=consent::receipt_page::ReceiptPage ssr=SsrMode::Async />
                        <Route path=path!("/my/access-log") view=access_log::page::AccessLogPage ssr=SsrMode::Async />
                        <Route path=path!("/my/ledger/:index") view=access_log::proof_page::ProofPage ssr=SsrMode::Async />
                        <Route path=path!("/my/requests") view=requests::list_page::RequestsPage ssr=SsrMode::Async />
                        <Route path=path!("/my/notifications") view=requests::notifications_page::NotificationsPage ssr=SsrMode::Async />
                        <Route path=path!("/my/requests/new") view=requests::new_page::NewRequestPage ssr=SsrMode::Async />
                        <Route path=path!("/my/requests/:id") view=requests::detail_page::RequestPage ssr=SsrMode::Async />
                        <Route path=path!("/my/requests/:id/package") view=requests::package_page::PackagePage ssr=SsrMode::Async />
                        <Route path=path!("/developers/api") view=developers::page::ApiReferencePage ssr=SsrMode::Async />
                        <Route path=path!("/admin") view=console::home_page::AdminPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/requests") view=console::queue_page::RequestQueuePage ssr=SsrMode::Async />
                        <Route path=path!("/admin/audit") view=console::audit_page::AuditLogPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/requests/:id") view=console::case_page::CasePage ssr=SsrMode::Async />
                        <Route path=path!("/systems") view=register::systems_page::SystemsPage ssr=SsrMode::Async />
                        <Route path=path!("/map") view=street::map_page::MapPage ssr=SsrMode::Async />
                        <Route path=path!("/stats") view=stats::stats_page::StatsPage ssr=SsrMode::Async />
                        <Route path=path!("/breaches") view=breaches::public_page::BreachesPage ssr=SsrMode::Async />
                        <Route path=path!("/reports/:year/:system") view=reports::report_page::YearlyReportPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/breaches") view=breaches::console_page::BreachDeskPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/breaches/:id") view=breaches::console_page::BreachCasePage ssr=SsrMode::Async />
                        <Route path=path!("/s/:code") view=street::device_page::DevicePage ssr=SsrMode::Async />
                        <Route path=path!("/register/changes") view=register::changes_page::ChangesPage ssr=SsrMode::Async />
                        <Route path=path!("/register/reports") view=register::reports::ReportsPage ssr=SsrMode::Async />
                        <Route path=path!("/reviews") view=reviews::reviews_page::ReviewsPage ssr=SsrMode::Async />
                        <Route path=path!("/reviews/:id") view=reviews::review_page::ReviewPageView ssr=SsrMode::Async />
                        <Route path=path!("/reviews/:id/preview") view=reviews::preview_page::ReviewPreviewPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/clients") view=console::clients::ClientsPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/register") view=console::register_page::RegisterDeskPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/register/agencies/new") view=console::agency_page::AgencyPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/register/agencies/:slug") view=console::agency_page::AgencyPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/register/new") view=console::entry_page::EntryPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/register/devices") view=console::devices::DevicesDeskPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/register/devices/:code") view=console::devices::DevicePage ssr=SsrMode::Async />
                        <Route path=path!("/admin/register/systems/:slug") view=console::entry_page::EntryPage ssr=SsrMode::Async />
                        <Route
                            path=path!("/systems/:slug/history")
                            view=register::history_page::HistoryPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("/systems/:slug")
                            view=register::system_page::SystemPage
                            ssr=SsrMode::Async
                        />
                    </Routes>
                </Layout>
            </Router>
        </I18nContextProvider>
    }
}
