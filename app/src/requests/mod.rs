//! Server functions of the resident's privacy requests: file, list, read, withdraw. Each
//! one works on the signed-in resident's own requests only; another resident's request is
//! "not found".

pub mod detail_page;
pub mod list_page;
pub mod names;
pub mod new_page;
pub mod notifications_page;
pub mod package_page;

use crate::error::AppError;
use domain::lang::Lang;
use domain::paging::PageView;
use domain::requests::{RequestDetail, RequestSummary};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend as ssr;

/// Files a request and goes to its page. `scope` is "all" or "some" (with `systems` the
/// ticked slugs); `purpose` is "system/purpose" for an objection.
#[server(prefix = "/fn", endpoint = "requests/file")]
pub async fn file_request(
    kind: String,
    scope: Option<String>,
    systems: Option<Vec<String>>,
    purpose: Option<String>,
    details: Option<String>,
) -> Result<String, AppError> {
    use domain::requests::NewRequest;
    let session = ssr::require_session()?;
    let request = NewRequest::parse(
        &kind,
        scope.as_deref().unwrap_or("all"),
        systems.as_deref().unwrap_or_default(),
        purpose.as_deref(),
        details.as_deref().unwrap_or_default(),
    )?;
    let backend = ssr::backend()?;
    let filing = store::requests::Filing {
        channel: domain::requests::RequestChannel::Web,
        received: store::requests::today(),
        actor: store::requests::Actor::Resident,
        audit_detail: None,
    };
    let id =
        store::requests::file(&backend.pool, backend.policy, &session.user.id, &request, &filing).await?;
    tracing::info!(user = %session.user.id, request = %id, kind = request.kind.code(), "filed a privacy request");
    leptos_axum::redirect(&format!("/my/requests/{id}?sent=1"));
    Ok(id)
}

/// One page of the signed-in resident's requests, newest first, after `cursor` (a
/// `MY_REQUESTS_CURSOR`; none or empty: the first page).
#[server(prefix = "/fn", endpoint = "requests/mine")]
pub async fn my_requests(cursor: Option<String>) -> Result<PageView<RequestSummary>, AppError> {
    let session = ssr::require_session()?;
    let shape = domain::requests::MY_REQUESTS_CURSOR;
    let after = shape.decode_opt(cursor.as_deref().filter(|c| !c.is_empty()))?;
    let pool = ssr::backend()?.pool;
    let today = store::requests::today();
    let page = store::requests::mine_page(
        &pool,
        &session.user.id,
        today,
        domain::paging::RESIDENT_PAGE_SIZE,
        after.as_ref(),
    )
    .await?;
    Ok(page.view(after.is_some()))
}

/// One of the signed-in resident's requests.
#[server(prefix = "/fn", endpoint = "requests/get")]
pub async fn my_request(id: String, lang: Lang) -> Result<RequestDetail, AppError> {
    let session = ssr::require_session()?;
    let pool = ssr::backend()?.pool;
    store::requests::detail(&pool, Some(&session.user.id), &id, store::requests::today(), lang)
        .await?
        .ok_or(AppError::NotFound)
}

/// Withdraws one of the signed-in resident's open requests and goes back to it.
#[server(prefix = "/fn", endpoint = "requests/withdraw")]
pub async fn withdraw_request(id: String) -> Result<(), AppError> {
    let session = ssr::require_session()?;
    let pool = ssr::backend()?.pool;
    let case = store::requests::case(&pool, Some(&session.user.id), &id).await?;
    let case = case.ok_or(AppError::NotFound)?;
    let change = domain::console::withdraw(&case).map_err(|_| AppError::RequestClosed)?;
    let actor = store::requests::Actor::Resident;
    let applied = store::requests::apply(&pool, &id, &case, &change, actor, store::requests::today()).await;
    applied.map_err(|e| match e {
        store::requests::ApplyError::Raced(_) => AppError::RequestClosed,
        store::requests::ApplyError::Store(e) => e.into(),
    })?;
    tracing::info!(user = %session.user.id, request = %id, "withdrew a privacy request");
    leptos_axum::redirect(&format!("/my/requests/{id}?done={}", ssr::action_stamp()));
    Ok(())
}

/// The resident answers the privacy office about one of their requests.
#[server(prefix = "/fn", endpoint = "requests/reply")]
pub async fn reply_to_office(id: String, body: String) -> Result<(), AppError> {
    let session = ssr::require_session()?;
    let pool = ssr::backend()?.pool;
    let case = store::requests::case(&pool, Some(&session.user.id), &id).await?;
    let case = case.ok_or(AppError::NotFound)?;
    let body = domain::console::message(&case, &body).map_err(|e| match e {
        domain::requests::ConsoleError::Illegal(_) => AppError::RequestClosed,
        _ => AppError::RequestInput(domain::requests::RequestInputError::DetailsTooLong),
    })?;
    store::requests::reply(
        &pool,
        &session.user.id,
        &id,
        &case,
        &body,
        store::requests::today(),
    )
    .await
    .map_err(|e| match e {
        store::requests::ReplyError::Quota(quota) => AppError::Quota(quota),
        store::requests::ReplyError::Store(e) => e.into(),
    })?;
    tracing::info!(user = %session.user.id, request = %id, "a resident answered the privacy office");
    leptos_axum::redirect(&format!(
        "/my/requests/{id}?done={}#messages",
        ssr::action_stamp()
    ));
    Ok(())
}

/// One page of the signed-in resident's notifications, newest first: their requests' and
/// the register's merged, after `cursor` (a `NOTICE_CURSOR`; none or empty: the first
/// page), names in `lang`; with how many notifications of every kind are unread.
#[server(prefix = "/fn", endpoint = "notifications/list")]
pub async fn my_notifications(
    lang: Lang,
    cursor: Option<String>,
) -> Result<domain::requests::NoticesPage, AppError> {
    let session = ssr::require_session()?;
    let shape = domain::requests::NOTICE_CURSOR;
    let after = shape.decode_opt(cursor.as_deref().filter(|c| !c.is_empty()))?;
    let pool = ssr::backend()?.pool;
    let user = &session.user.id;
    let page = store::requests::notices_page(
        &pool,
        user,
        lang,
        domain::paging::RESIDENT_PAGE_SIZE,
        after.as_ref(),
    )
    .await?;
    Ok(domain::requests::NoticesPage {
        notices: page.view(after.is_some()),
        unread: unread_count(&pool, user).await?,
    })
}

/// The signed-in person's notices about their account (wrong passwords tried, a sign-up with
/// its email), newest first.
#[server(prefix = "/fn", endpoint = "notifications/account")]
pub async fn my_account_notices() -> Result<Vec<domain::account::AccountNotice>, AppError> {
    let session = ssr::require_session()?;
    let pool = ssr::backend()?.pool;
    Ok(store::account_notices::list(&pool, &session.user.id).await?)
}

/// How many notifications the signed-in resident has not read (0 when signed out).
#[server(prefix = "/fn", endpoint = "notifications/unread")]
pub async fn unread_notifications() -> Result<i64, AppError> {
    match ssr::session() {
        Some(session) => unread_count(&ssr::backend()?.pool, &session.user.id).await,
        None => Ok(0),
    }
}

/// How many of `user_id`'s notifications of every kind are unread.
#[cfg(feature = "ssr")]
async fn unread_count(pool: &store::Pool, user_id: &str) -> Result<i64, AppError> {
    let requests = store::requests::unread(pool, user_id).await?;
    let register = store::register::unread_notices(pool, user_id).await?;
    let account = store::account_notices::unread(pool, user_id).await?;
    Ok(requests + register + account)
}

/// Marks one notification read, or all of them when `id` is empty, and goes back to the
/// page of the list it was marked on (`cursor`; a cursor of another shape: the first page).
#[server(prefix = "/fn", endpoint = "notifications/read")]
pub async fn mark_notifications_read(id: Option<String>, cursor: Option<String>) -> Result<(), AppError> {
    let session = ssr::require_session()?;
    let id = id.filter(|i| !i.is_empty());
    let pool = ssr::backend()?.pool;
    store::requests::mark_read(&pool, &session.user.id, id.as_deref()).await?;
    store::register::mark_notices_read(&pool, &session.user.id, id.as_deref()).await?;
    store::account_notices::mark_read(&pool, &session.user.id, id.as_deref()).await?;
    // Only a cursor of the list's shape goes into the address (it holds no `&`, `#` or space).
    let back = cursor.filter(|c| domain::requests::NOTICE_CURSOR.decode(c).is_ok());
    match back {
        Some(c) => leptos_axum::redirect(&format!("/my/notifications?cursor={c}")),
        None => leptos_axum::redirect("/my/notifications"),
    }
    Ok(())
}

/// What the readable page of the package answering one of the signed-in resident's
/// fulfilled access or portability requests shows: its parts and newest decisions (the
/// download holds every decision).
#[server(prefix = "/fn", endpoint = "requests/package")]
pub async fn my_package(id: String, lang: Lang) -> Result<domain::requests::PackageSummary, AppError> {
    let session = ssr::require_session()?;
    store::package::summary(&ssr::backend()?.pool, &session.user.id, &id, lang)
        .await?
        .ok_or(AppError::NotFound)
}
