//! `/admin/audit`: the admin audit log, newest first, for administrators only. The page
//! only reads; nothing in the application edits or deletes an entry.

use crate::components::error_notice::ErrorNotice;
use crate::components::page_title::PageTitle;
use crate::components::signed_in::refused;
use crate::components::status::set_http_status;
use crate::console::audit_log;
use crate::error::AppError;
use crate::i18n::{t, td_string, use_i18n};
use domain::account::AuthError;
use domain::requests::AuditPage;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// The page.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let page = Resource::new(move || query.read().get("before"), audit_log);
    view! {
        <PageTitle text=|l| td_string!(l, console.audit_title) />
        <h1 id="audit-heading">{t!(i18n, console.audit_title)}</h1>
        <p>{t!(i18n, console.audit_intro)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <AuditTable page /> }.into_any(),
                    Err(AppError::Auth(AuthError::Forbidden)) => {
                        set_http_status(403);
                        view! { <p class="notice">{t!(i18n, console.audit_admins_only)}</p> }.into_any()
                    }
                    Err(AppError::Auth(AuthError::NotSignedIn)) => refused(AppError::Auth(AuthError::NotSignedIn)),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AuditTable(page: AuditPage) -> impl IntoView {
    let i18n = use_i18n();
    if page.rows.is_empty() {
        return view! { <p class="empty">{t!(i18n, console.audit_none)}</p> }.into_any();
    }
    view! {
        // On a phone the table scrolls sideways in its own box: a labelled region a keyboard
        // can reach and scroll (axe: scrollable-region-focusable).
        <div class="table-scroll" role="region" tabindex="0" aria-labelledby="audit-heading">
            <table class="queue" data-testid="audit-log">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, console.audit_when)}</th>
                        <th scope="col">{t!(i18n, console.audit_who)}</th>
                        <th scope="col">{t!(i18n, console.audit_what)}</th>
                        <th scope="col">{t!(i18n, console.audit_request)}</th>
                        <th scope="col">{t!(i18n, console.audit_detail)}</th>
                    </tr>
                </thead>
                <tbody>
                    {page.rows.into_iter().map(|row| {
                        let action = row.action.clone();
                        view! {
                        <tr data-action=action>
                            <td><time datetime=row.at.clone()>{row.at.replace('T', " ").chars().take(19).collect::<String>()}</time></td>
                            <td>{row.actor}</td>
                            <td>{row.action}</td>
                            <td>{row.request_id.map(|id| view! { <A href=format!("/admin/requests/{id}")>{id.chars().take(8).collect::<String>()}</A> })}</td>
                            <td class="pre-wrap">{row.detail}</td>
                        </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {page.next_before.map(|before| view! {
            <p><A href=format!("/admin/audit?before={before}")>{t!(i18n, console.audit_older)}</A></p>
        })}
    }
    .into_any()
}
