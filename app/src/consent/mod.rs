//! Server functions of the resident's consents: the systems that hold their data, grant
//! and withdraw (one server function, so both are exactly as easy), history and receipts.
//! Each one works on the signed-in resident only.

use crate::domain::consent::{ConsentEventView, MySystem, Receipt};
use crate::error::AppError;
use leptos::prelude::*;

use crate::domain::lang::Lang;

#[cfg(feature = "ssr")]
use crate::request as ssr;

/// The systems that hold the signed-in resident's data, with what applies to each purpose.
#[server(prefix = "/fn", endpoint = "my/systems")]
pub async fn my_systems(lang: Lang) -> Result<Vec<MySystem>, AppError> {
    let session = ssr::require_session()?;
    Ok(ssr::services()?
        .consents
        .my_systems(&session.user.id, lang)
        .await?)
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
    use crate::domain::consent::{Channel, ConsentAction};
    use crate::domain::register::Slug;
    use crate::ports::ConsentError;
    let session = ssr::require_session()?;
    let action: ConsentAction = action
        .parse()
        .map_err(|_| AppError::InvalidInput("action".to_owned()))?;
    let (Ok(system), Ok(purpose)) = (Slug::parse(&system), Slug::parse(&purpose)) else {
        return Err(AppError::NotFound);
    };
    let recorded = ssr::services()?
        .consents
        .record(
            &session.user.id,
            &system,
            &purpose,
            action,
            Channel::Web,
            notice_version,
            lang,
        )
        .await;
    match recorded {
        Ok(event) => {
            tracing::info!(user = %session.user.id, %system, %purpose, action = action.code(), "recorded a consent event");
            Ok(event)
        }
        Err(ConsentError::UnknownPurpose) => Err(AppError::NotFound),
        Err(ConsentError::NotConsentBased) => Err(AppError::NotAChoice),
        Err(ConsentError::NoticeChanged) => Err(AppError::NoticeChanged),
        Err(ConsentError::Store(e)) => Err(e.into()),
    }
}

/// Every consent event of the signed-in resident, newest first.
#[server(prefix = "/fn", endpoint = "consent/history")]
pub async fn consent_history(lang: Lang) -> Result<Vec<ConsentEventView>, AppError> {
    let session = ssr::require_session()?;
    Ok(ssr::services()?.consents.history(&session.user.id, lang).await?)
}

/// The receipt of one of the signed-in resident's consent events.
#[server(prefix = "/fn", endpoint = "consent/receipt")]
pub async fn consent_receipt(id: String, lang: Lang) -> Result<Receipt, AppError> {
    let session = ssr::require_session()?;
    ssr::services()?
        .consents
        .receipt(&session.user.id, &id, lang)
        .await?
        .ok_or(AppError::NotFound)
}
