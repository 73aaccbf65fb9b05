//! `/admin/clients`: each agency's API clients — create one (its secret shown once), choose
//! its scopes, see when it last got a token, revoke it. Admins only; every change is in the
//! audit log with the client (never the secret).
//!
//! Without JavaScript a form's answer is a redirect, so the new secret travels to the page
//! once in a short-lived cookie (HttpOnly, SameSite=Strict, limited to this path) that the
//! page clears as it shows it.

use super::shared::{action_error, staff_refused};
use crate::components::page_title::PageTitle;
use crate::error::AppError;
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::use_lang;
use domain::account::ApiScope;
use domain::lang::Lang;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[cfg(feature = "ssr")]
use crate::backend as ssr;

/// The cookie that carries a new client's credentials to the page, once.
#[cfg(feature = "ssr")]
const NEW_SECRET_COOKIE: &str = "gh_new_client";

/// What the clients page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientsDesk {
    /// One page of the clients, by agency, newest first.
    pub clients: Vec<ClientLine>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<String>,
    /// Whether this is a later page (so the page offers a way back to the first).
    pub later: bool,
    /// Agencies: slug and name.
    pub agencies: Vec<(String, String)>,
    /// A client just created: its id and secret, shown this once.
    pub created: Option<(String, String)>,
}

/// One client, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientLine {
    pub client_id: String,
    pub agency: String,
    pub scopes: String,
    pub created: String,
    pub last_used: Option<String>,
    pub revoked: Option<String>,
}

#[cfg(feature = "ssr")]
fn require_admin() -> Result<auth::accounts::Session, AppError> {
    let session = ssr::require_staff()?;
    if session.user.role == domain::account::Role::Admin {
        Ok(session)
    } else {
        Err(AppError::denied(true))
    }
}

#[cfg(feature = "ssr")]
fn day(secs: i64) -> String {
    domain::calendar::Date::from_unix_seconds(secs).to_string()
}

/// Takes the new client's credentials out of their cookie (clearing it), if any.
#[cfg(feature = "ssr")]
fn take_created() -> Option<(String, String)> {
    let value = crate::backend::cookie(NEW_SECRET_COOKIE)?;
    set_cookie(&format!(
        "{NEW_SECRET_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict"
    ));
    let (id, secret) = value.split_once('.')?;
    Some((id.to_owned(), secret.to_owned()))
}

#[cfg(feature = "ssr")]
fn set_cookie(cookie: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(cookie),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// Admins only: every client, the agencies, and a client just created.
#[server(prefix = "/fn", endpoint = "console/clients")]
pub async fn load_clients_desk(lang: Lang, cursor: Option<String>) -> Result<ClientsDesk, AppError> {
    require_admin()?;
    let after = domain::account::CLIENT_CURSOR
        .decode_opt(cursor.as_deref().filter(|c| !c.is_empty()))
        .map_err(|_| AppError::InvalidInput("cursor".to_owned()))?;
    let pool = ssr::backend()?.pool;
    let page =
        store::accounts::clients_page(&pool, domain::account::CLIENTS_PAGE_SIZE, after.as_ref()).await?;
    let next_cursor = page.next_cursor();
    let clients = page
        .items
        .into_iter()
        .map(|c| ClientLine {
            client_id: c.client_id,
            agency: c.agency_slug,
            scopes: c.scopes,
            created: day(c.created_at),
            last_used: c.last_used_at.map(day),
            revoked: c.revoked_at.map(day),
        })
        .collect();
    let agencies = store::register::agencies(&pool)
        .await?
        .into_iter()
        .map(|a| (a.slug.to_string(), a.name.get(lang).to_owned()))
        .collect();
    Ok(ClientsDesk {
        clients,
        next_cursor,
        later: after.is_some(),
        agencies,
        created: take_created(),
    })
}

/// Admins only: creates a client of `agency` with the ticked `scopes`; its secret is shown
/// once, on the page the form returns to.
#[server(prefix = "/fn", endpoint = "console/create_client")]
pub async fn create_api_client(
    agency: String,
    scopes: Option<BTreeMap<String, String>>,
) -> Result<(), AppError> {
    let session = require_admin()?;
    let chosen: Vec<ApiScope> = ApiScope::ALL
        .iter()
        .copied()
        .filter(|s| scopes.as_ref().is_some_and(|m| m.contains_key(s.code())))
        .collect();
    if chosen.is_empty() {
        return Err(AppError::InvalidInput("scopes".to_owned()));
    }
    let backend = ssr::backend()?;
    let created = auth::clients::create(
        &backend.pool,
        backend.accounts.hashing(),
        agency.trim(),
        &chosen,
        store::audit::Actor::Staff(&session.user),
    )
    .await;
    let client = match created {
        Ok(client) => client,
        Err(auth::clients::ClientError::Insert(store::accounts::InsertClientError::UnknownAgency(_))) => {
            return Err(AppError::InvalidInput("agency".to_owned()));
        }
        Err(other) => {
            tracing::error!(error = %other, "creating an API client failed");
            return Err(AppError::Unavailable);
        }
    };
    tracing::info!(admin = %session.user.id, client = %client.client_id, "API client created");
    set_cookie(&format!(
        "{NEW_SECRET_COOKIE}={}.{}; Max-Age=300; Path=/; HttpOnly; SameSite=Strict{}",
        client.client_id,
        client.client_secret,
        if backend.public_url.starts_with("https://") {
            "; Secure"
        } else {
            ""
        }
    ));
    leptos_axum::redirect(&format!("/admin/clients?done={}", ssr::action_stamp()));
    Ok(())
}

/// Admins only: revokes a client; its tokens stop working at once.
#[server(prefix = "/fn", endpoint = "console/revoke_client")]
pub async fn revoke_api_client(client_id: String) -> Result<(), AppError> {
    let session = require_admin()?;
    let pool = ssr::backend()?.pool;
    if !store::accounts::revoke_client(&pool, &client_id, store::audit::Actor::Staff(&session.user)).await? {
        return Err(AppError::NotFound);
    }
    leptos_axum::redirect(&format!("/admin/clients?done={}", ssr::action_stamp()));
    Ok(())
}

/// The clients page.
#[component]
pub fn ClientsPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let query = use_query_map();
    let desk = Resource::new(
        move || {
            let query = query.read();
            (lang.get(), query.get("cursor"), query.get("done"))
        },
        |(lang, cursor, _)| load_clients_desk(lang, cursor),
    );
    view! {
        <PageTitle text=|l| td_string!(l, clients.title) />
        <p><a href="/admin">{t!(i18n, console.back)}</a></p>
        <h1>{t!(i18n, clients.title)}</h1>
        <p>{t!(i18n, clients.intro)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match desk.await {
                    Ok(desk) => view! { <Clients desk /> }.into_any(),
                    Err(error) => staff_refused(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Clients(desk: ClientsDesk) -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateApiClient>::new();
    let revoke = ServerAction::<RevokeApiClient>::new();
    let (later, next) = (desk.later, desk.next_cursor.clone());
    view! {
        {desk.created.map(|(id, secret)| view! {
            <div class="notice" role="status" data-testid="new-client">
                <p><strong>{t!(i18n, clients.created)}</strong></p>
                <dl class="facts">
                    <dt>"client_id"</dt><dd><code data-testid="new-client-id">{id}</code></dd>
                    <dt>"client_secret"</dt><dd><code data-testid="new-client-secret">{secret}</code></dd>
                </dl>
                <p>{t!(i18n, clients.once)}</p>
            </div>
        })}
        <h2>{t!(i18n, clients.new)}</h2>
        {action_error(create)}
        <ActionForm action=create attr:class="stack-form">
            <label for="client-agency">{t!(i18n, clients.agency)}</label>
            <select id="client-agency" name="agency">
                {desk.agencies.iter().cloned().map(|(slug, name)| view! { <option value=slug>{name}</option> }).collect_view()}
            </select>
            <fieldset>
                <legend>{t!(i18n, clients.scopes)}</legend>
                {ApiScope::ALL.iter().map(|s| view! {
                    <label class="check"><input type="checkbox" name=format!("scopes[{}]", s.code()) /> " " <code>{s.code()}</code></label>
                }).collect_view()}
            </fieldset>
            <button type="submit" class="button-primary">{t!(i18n, clients.create)}</button>
        </ActionForm>
        <h2 id="clients">{t!(i18n, clients.list)}</h2>
        {action_error(revoke)}
        <ul class="plain-list" data-testid="clients">
            {desk.clients.into_iter().map(|c| {
                let revoked = c.revoked.clone();
                let id_for_form = c.client_id.clone();
                view! {
                    <li class="card" data-client=c.client_id.clone() data-revoked=revoked.is_some().to_string()>
                        <p><code>{c.client_id.clone()}</code> " · " {c.agency.clone()}</p>
                        <p>{t!(i18n, clients.scopes)} ": " <code>{c.scopes.clone()}</code></p>
                        <p class="muted">
                            {t!(i18n, clients.created_on)} " " {c.created.clone()} " · "
                            {t!(i18n, clients.last_used)} " " {c.last_used.clone().unwrap_or_else(|| "—".to_owned())}
                            {revoked.clone().map(|r| view! { " · " {t!(i18n, clients.revoked)} " " {r} })}
                        </p>
                        {revoked.is_none().then(|| view! {
                            <ActionForm action=revoke attr:class="inline-form">
                                <input type="hidden" name="client_id" value=id_for_form />
                                <button type="submit" class="button-secondary">{t!(i18n, clients.revoke)}</button>
                            </ActionForm>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
        {(later || next.is_some()).then(|| view! {
            <nav class="pager" aria-label=move || td_string!(i18n.get_locale(), clients.list)>
                {later.then(|| view! { <a href="/admin/clients#clients">{t!(i18n, console.first_page)}</a> })}
                {next.map(|c| view! { <a href=format!("/admin/clients?cursor={c}#clients")>{t!(i18n, console.older)}</a> })}
            </nav>
        })}
    }
}
