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
                <a href="/api/v1/register/systems" rel="external">"JSON"</a>
                " · "
                <a href="/api/v1/register/systems.csv" rel="external">"CSV"</a>
            </p>
        </footer>
    }
}

fn t_string_nav(i18n: leptos_i18n::I18nContext<crate::i18n::Locale>) -> &'static str {
    crate::i18n::td_string!(i18n.get_locale(), nav.label)
}
