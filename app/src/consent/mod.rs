//! Server functions of the resident's consents: the systems that hold their data (all of
//! them, their summary, one of them), grant and withdraw (one server function, so both are
//! exactly as easy), history and receipts. Each one works on the signed-in resident only.

pub mod history_page;
pub mod my_page;
pub mod receipt_page;
pub mod system_consents_page;

use crate::error::AppError;
use domain::consent::{ConsentEventView, EnrollmentEventView, MySummary, MySystem, Receipt};
use leptos::prelude::*;

use domain::lang::Lang;

#[cfg(feature = "ssr")]
use crate::backend as ssr;

/// The systems that hold the signed-in resident's data, with what applies to each purpose.
#[server(prefix = "/fn", endpoint = "my/systems")]
pub async fn my_systems(lang: Lang) -> Result<Vec<MySystem>, AppError> {
    let session = ssr::require_session()?;
    Ok(store::consent::my_systems(&ssr::backend()?.pool, &session.user.id, lang).await?)
}

/// The signed-in resident's systems in one line each, and what they allow over all of them.
#[server(prefix = "/fn", endpoint = "my/summary")]
pub async fn my_data_summary(lang: Lang) -> Result<MySummary, AppError> {
    let session = ssr::require_session()?;
    let systems = store::consent::my_systems(&ssr::backend()?.pool, &session.user.id, lang).await?;
    Ok(MySummary::of(&systems))
}

/// One of the systems that hold the signed-in resident's data (`my_systems`' list: those
/// they are enrolled with, and those in public space), with what applies to each purpose.
/// Any other system is not found, like a slug that names none.
#[server(prefix = "/fn", endpoint = "my/system")]
pub async fn system_consents(slug: String, lang: Lang) -> Result<MySystem, AppError> {
    let session = ssr::require_session()?;
    let systems = store::consent::my_systems(&ssr::backend()?.pool, &session.user.id, lang).await?;
    systems
        .into_iter()
        .find(|s| s.slug == slug)
        .ok_or(AppError::NotFound)
}

/// Grants (`action=grant`) or withdraws (`action=withdraw`) consent for one purpose.
/// Answers only once the event is durably stored.
#[server(prefix = "/fn", endpoint = "consent/record")]
pub async fn record_consent(
    system: String,
    purpose: String,
    action: String,
    notice_version: Option<i64>,
    lang: Lang,
) -> Result<ConsentEventView, AppError> {
    use domain::consent::{Channel, ConsentAction};
    use domain::register::Slug;
    let session = ssr::require_session()?;
    let action: ConsentAction = action
        .parse()
        .map_err(|_| AppError::InvalidInput("action".to_owned()))?;
    let (Ok(system), Ok(purpose)) = (Slug::parse(&system), Slug::parse(&purpose)) else {
        return Err(AppError::NotFound);
    };
    let pool = ssr::backend()?.pool;
    let target = store::consent::consent_target(&pool, &system, &purpose).await?;
    let target = target.ok_or(AppError::NotFound)?;
    domain::consent::may_choose(target.legal_basis, notice_version, target.notice_version)?;
    let event = store::consent::record(&pool, &session.user.id, &target, action, Channel::Web, lang).await?;
    tracing::info!(user = %session.user.id, %system, %purpose, action = action.code(), "recorded a consent event");
    Ok(event)
}

/// One page of the signed-in resident's consent events, newest first, after `cursor` (a
/// `HISTORY_CURSOR`; none or empty: the first page), names in `lang`.
#[server(prefix = "/fn", endpoint = "consent/history")]
pub async fn consent_history(
    lang: Lang,
    cursor: Option<String>,
) -> Result<domain::paging::PageView<ConsentEventView>, AppError> {
    let session = ssr::require_session()?;
    let shape = domain::consent::HISTORY_CURSOR;
    let after = shape.decode_opt(cursor.as_deref().filter(|c| !c.is_empty()))?;
    let pool = ssr::backend()?.pool;
    let size = domain::paging::RESIDENT_PAGE_SIZE;
    let page = store::consent::history_page(&pool, &session.user.id, lang, size, after.as_ref()).await?;
    Ok(page.view(after.is_some()))
}

/// The receipt of one of the signed-in resident's consent events.
#[server(prefix = "/fn", endpoint = "consent/receipt")]
pub async fn consent_receipt(id: String, lang: Lang) -> Result<Receipt, AppError> {
    let session = ssr::require_session()?;
    let backend = ssr::backend()?;
    store::consent::receipt(&backend.pool, &backend.public_url, &session.user.id, &id, lang)
        .await?
        .ok_or(AppError::NotFound)
}

/// Enrols the signed-in resident with the system an agency's one-time `code` was issued for.
/// Answers only once the enrollment and its history event are durably stored.
#[server(prefix = "/fn", endpoint = "my/enrollments/confirm")]
pub async fn confirm_enrollment(code: String, lang: Lang) -> Result<EnrollmentEventView, AppError> {
    use domain::consent::{EnrollmentCode, EnrollmentRefused};
    let session = ssr::require_session()?;
    let code = EnrollmentCode::parse(&code).ok_or(EnrollmentRefused::UnknownCode)?;
    let by = store::consent::Confirmer::Resident(&session.user.id);
    let event = store::consent::confirm(&ssr::backend()?.pool, &code, by, lang).await?;
    tracing::info!(user = %session.user.id, system = %event.system_slug, "confirmed an enrollment");
    // Back to /my, which says so: the confirmation is rendered by the server, so it shows
    // with or without JavaScript.
    leptos_axum::redirect(&format!("/my?enrolled={}", event.system_slug));
    Ok(event)
}

/// Every enrollment event of the signed-in resident (confirmed, ended; by whom, how), newest first.
#[server(prefix = "/fn", endpoint = "my/enrollments/history")]
pub async fn enrollment_history(lang: Lang) -> Result<Vec<EnrollmentEventView>, AppError> {
    let session = ssr::require_session()?;
    Ok(store::consent::enrollment_history(&ssr::backend()?.pool, &session.user.id, lang).await?)
}
