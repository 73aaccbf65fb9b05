//! The server function behind `/my/access-log`: the decision-log entries that named the
//! signed-in resident, and no one else's.

use crate::domain::decision::{AccessPage, Decision};
use crate::domain::lang::Lang;
use crate::error::AppError;
use leptos::prelude::*;

/// One page of the signed-in resident's access log, newest first: only `agency`'s entries,
/// only one `decision`, entries older than sequence number `before`, when given.
#[server(prefix = "/fn", endpoint = "my/access_log")]
pub async fn access_log(
    agency: Option<String>,
    decision: Option<Decision>,
    before: Option<i64>,
    lang: Lang,
) -> Result<AccessPage, AppError> {
    let session = crate::request::require_session()?;
    let filter = crate::domain::decision::AccessFilter {
        agency,
        decision,
        before,
    };
    Ok(crate::request::services()?
        .access_log
        .page(&session.user.id, &filter, lang)
        .await?)
}
