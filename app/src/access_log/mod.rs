//! The server function behind `/my/access-log`: the decision-log entries that named the
//! signed-in resident, and no one else's.

use crate::domain::decision::{AccessFilter, AccessPage};
use crate::error::AppError;
use leptos::prelude::*;

/// One page of the signed-in resident's access log, newest first.
#[server(prefix = "/fn", endpoint = "my/access_log")]
pub async fn access_log(filter: AccessFilter, lang: crate::domain::lang::Lang) -> Result<AccessPage, AppError> {
    let session = crate::request::require_session()?;
    Ok(crate::request::services()?
        .access_log
        .page(&session.user.id, &filter, lang)
        .await?)
}
