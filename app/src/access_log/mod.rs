//! The server function behind `/my/access-log`: the decision-log entries that named the
//! signed-in resident, and no one else's.

pub mod page;

use crate::error::AppError;
use domain::decision::{AccessPage, Decision};
use domain::lang::Lang;
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
    let session = crate::backend::require_session()?;
    let filter = domain::decision::AccessFilter {
        agency,
        decision,
        before,
    };
    let pool = crate::backend::backend()?.pool;
    let page = store::decision_log::page(&pool, &session.user.id, &filter, lang).await;
    Ok(page?)
}
