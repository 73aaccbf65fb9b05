//! The frame around every page: skip link, header with navigation and language, footer.

use super::lang_switch::LangSwitch;
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;

/// Header, main landmark and footer around `children`.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="skip-link" href="#main">{t!(i18n, layout.skip_to_content)}</a>
        <header class="site-header">
            <A href="/" attr:class="brand">
                <span aria-hidden="true">"◇ "</span>
                "Glasshouse"
            </A>
            <nav aria-label=move || t_string_nav(i18n)>
                <ul>
                    <li>
                        <A href="/systems">{t!(i18n, nav.register)}</A>
                    </li>
                    <li>
                        <A href="/map">{t!(i18n, street.nav_map)}</A>
                    </li>
                    <li>
                        <A href="/stats">{t!(i18n, stats.nav)}</A>
                    </li>
                    <AccountLinks />
                </ul>
            </nav>
            <LangSwitch />
        </header>
        <main id="main" tabindex="-1">
            {children()}
        </main>
        <footer class="site-footer">
            <p>{t!(i18n, layout.footer_about)}</p>
            <p>
                {t!(i18n, layout.open_data)} " "
                <a href="/api/v1/register/export" rel="external">"JSON"</a>
                " · "
                <a href="/api/v1/register/systems.csv" rel="external">"CSV"</a>
            </p>
            <p><A href="/breaches">{t!(i18n, breaches.public_title)}</A></p>
            <p><A href="/developers/api">{t!(i18n, layout.api_for_agencies)}</A></p>
        </footer>
    }
}

/// "Sign in" and "Sign up", or the account (and console) links of whoever is signed in.
#[component]
fn AccountLinks() -> impl IntoView {
    let i18n = use_i18n();
    let location = leptos_router::hooks::use_location();
    // Asked again on every navigation, so signing in or out shows at once.
    let me = Resource::new(move || location.pathname.get(), |_| crate::accounts::who_am_i());
    let unread = Resource::new(
        move || location.pathname.get(),
        |_| crate::requests::unread_notifications(),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await.ok().flatten() {
                    Some(user) => view! {
                        <li><A href="/my">{t!(i18n, nav.my_data)}</A></li>
                        <UnreadLink count=unread.await.unwrap_or(0) />
                        <li><A href="/account">{t!(i18n, nav.account)}</A></li>
                        {user.role.is_staff().then(|| view! { <li><A href="/admin">{t!(i18n, nav.admin)}</A></li> })}
                    }
                    .into_any(),
                    None => view! {
                        <li><A href="/login">{t!(i18n, nav.sign_in)}</A></li>
                        <li><A href="/signup">{t!(i18n, nav.sign_up)}</A></li>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// The notifications link, with the number unread when there are any.
#[component]
fn UnreadLink(count: i64) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <li>
            <A href="/my/notifications">
                {t!(i18n, notifications.nav)}
                {(count > 0).then(|| view! {
                    " " <span class="badge badge-amber" data-testid="unread-count" aria-hidden="true">{count}</span>
                    <span class="visually-hidden">" (" {t!(i18n, notifications.unread, n = move || count)} ")"</span>
                })}
            </A>
        </li>
    }
}

fn t_string_nav(i18n: leptos_i18n::I18nContext<crate::i18n::Locale>) -> &'static str {
    crate::i18n::td_string!(i18n.get_locale(), nav.label)
}
