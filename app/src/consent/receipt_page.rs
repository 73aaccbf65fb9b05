//! `/my/consents/{id}`: the receipt of one consent event, to read and print, with its JSON
//! download (ISO/IEC TS 27560, Kantara Consent Receipt field names).

use crate::components::page_title::PageTitle;
use crate::components::signed_in::{MyNav, refused};
use crate::consent::consent_receipt;
use crate::consent::history_page::channel_name;
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::{basis_name, category_name, use_lang};
use domain::consent::{ConsentAction, Receipt};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The page.
#[component]
pub fn ReceiptPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let receipt = Resource::new(move || (id(), lang.get()), |(id, lang)| consent_receipt(id, lang));
    view! {
        <PageTitle text=|l| td_string!(l, receipt.title) />
        <h1>{t!(i18n, receipt.title)}</h1>
        <MyNav />
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match receipt.await {
                    Ok(receipt) => view! { <ReceiptView receipt /> }.into_any(),
                    Err(crate::error::AppError::NotFound) => {
                        crate::components::status::set_http_status(404);
                        view! { <p>{t!(i18n, receipt.not_found)}</p> }.into_any()
                    }
                    Err(error) => refused(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReceiptView(receipt: Receipt) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let download = format!(
        "/my/consents/{}/receipt.json?lang={}",
        receipt.consent_receipt_id, receipt.language
    );
    let action = receipt.event.event_type;
    let channel = receipt.event.channel;
    let basis = receipt.processing.legal_basis;
    let purpose = receipt.services.first().and_then(|s| s.purposes.first()).cloned();
    let categories = purpose
        .map(|p| p.pii_category)
        .unwrap_or_default()
        .into_iter()
        .map(|c| view! { <li class="tag">{move || category_name(l(), c)}</li> })
        .collect_view();
    let controller = receipt.pii_controllers.first().cloned();
    view! {
        <article class="card receipt" data-testid="receipt">
            <p class="receipt-action">
                <strong>{move || match action {
                    ConsentAction::Grant => td_string!(l(), receipt.granted),
                    ConsentAction::Withdraw => td_string!(l(), receipt.withdrawn),
                }}</strong>
            </p>
            <dl class="facts">
                <dt>{t!(i18n, receipt.id)}</dt>
                <dd><code>{receipt.consent_receipt_id.clone()}</code></dd>
                <dt>{t!(i18n, receipt.when)}</dt>
                <dd><time datetime=receipt.event.time.clone()>{receipt.event.time.clone()}</time></dd>
                <dt>{t!(i18n, receipt.who)}</dt>
                <dd><bdi dir="ltr">{receipt.pii_principal_id.clone()}</bdi></dd>
                <dt>{t!(i18n, receipt.purpose)}</dt>
                <dd>{receipt.notice.title.clone()} <br /> <small>{receipt.notice.text.clone()}</small></dd>
                <dt>{t!(i18n, receipt.notice_version)}</dt>
                <dd>{receipt.notice.version}</dd>
                <dt>{t!(i18n, receipt.system)}</dt>
                <dd><a href=receipt.policy_url.clone()>{receipt.services.first().map(|s| s.service.clone()).unwrap_or_default()}</a></dd>
                <dt>{t!(i18n, receipt.controller)}</dt>
                <dd>{controller.map(|c| view! { {c.pii_controller} " · " <a href=format!("mailto:{}", c.email) dir="ltr">{c.email.clone()}</a> })}</dd>
                <dt>{t!(i18n, system.legal_basis)}</dt>
                <dd>{move || basis_name(l(), basis)}</dd>
                <dt>{t!(i18n, receipt.categories)}</dt>
                <dd><ul class="tags">{categories}</ul></dd>
                <dt>{t!(i18n, system.how_long)}</dt>
                <dd>{receipt.processing.retention.clone()}</dd>
                <dt>{t!(i18n, history.channel)}</dt>
                <dd>{move || channel_name(l(), channel)}</dd>
                <dt>{t!(i18n, receipt.withdrawal)}</dt>
                <dd>{t!(i18n, receipt.withdrawal_how)}</dd>
            </dl>
            <crate::access_log::page::LedgerLink index=receipt.ledger_entry />
            <p class="no-print">
                <a href=download download="" data-testid="receipt-download">{t!(i18n, receipt.download)}</a>
                " · " {t!(i18n, receipt.print_hint)}
            </p>
        </article>
    }
}
