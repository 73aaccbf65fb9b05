//! Server functions of the officer console: the queue, the case file, and one server
//! function per action. Each refuses anyone but an officer or admin before any work; each
//! action loads the case, asks the rule in `domain::console`, and stores the change with
//! its audit row in one transaction.

pub mod agency_page;
pub mod audit_page;
pub mod case_page;
pub mod clients;
pub mod devices;
pub mod entry_page;
pub mod home_page;
pub mod queue_page;
pub mod register;
pub mod register_page;
pub(crate) mod shared;

use crate::error::AppError;
use domain::lang::Lang;
use domain::requests::{CaseFile, QueuePage};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend as ssr;

/// Parses an optional filter value; empty means "any".
#[cfg(feature = "ssr")]
fn filter_value<T: std::str::FromStr>(name: &str, value: Option<String>) -> Result<Option<T>, AppError> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| AppError::InvalidInput(name.to_owned())),
    }
}

/// One page of the queue, filtered as the query string says.
#[server(prefix = "/fn", endpoint = "console/queue")]
pub async fn request_queue(
    status: Option<String>,
    kind: Option<String>,
    agency: Option<String>,
    overdue: Option<String>,
    mine: Option<String>,
    q: Option<String>,
    cursor: Option<String>,
) -> Result<QueuePage, AppError> {
    use domain::requests::QueueFilter;
    let session = ssr::require_staff()?;
    let filter = QueueFilter {
        status: filter_value("status", status)?,
        kind: filter_value("kind", kind)?,
        agency: agency.filter(|a| !a.trim().is_empty()),
        overdue: overdue.is_some_and(|v| !v.is_empty()),
        mine: mine.is_some_and(|v| !v.is_empty()),
        search: q.unwrap_or_default(),
        after: domain::requests::QUEUE_CURSOR
            .decode_opt(cursor.as_deref().filter(|c| !c.is_empty()))
            .map_err(|_| AppError::InvalidInput("cursor".to_owned()))?,
    };
    let pool = ssr::backend()?.pool;
    // A search can name a resident (by number, name or email): who searched for whom is recorded.
    if !filter.search.trim().is_empty() {
        audit_read(
            &pool,
            &session.user,
            "search_requests",
            None,
            filter.search.trim(),
        )
        .await?;
    }
    Ok(store::console::queue(&pool, &session.user.id, &filter).await?)
}

/// Records that `user` read residents' data before it is served; refuses the read if the
/// record cannot be written.
#[cfg(feature = "ssr")]
async fn audit_read(
    pool: &store::Pool,
    user: &domain::account::CurrentUser,
    action: &str,
    request_id: Option<&str>,
    detail: &str,
) -> Result<(), AppError> {
    let entry = store::audit::AuditEntry {
        actor: store::audit::Actor::Staff(user),
        action,
        request_id,
        detail,
    };
    Ok(store::audit::record_now(pool, &entry).await?)
}

/// Everything about one request.
#[server(prefix = "/fn", endpoint = "console/case")]
pub async fn get_case(id: String, lang: Lang) -> Result<CaseFile, AppError> {
    let session = ssr::require_staff()?;
    let pool = ssr::backend()?.pool;
    let case = store::console::case_file(&pool, &id, lang)
        .await?
        .ok_or(AppError::NotFound)?;
    audit_read(&pool, &session.user, "open_case", Some(&id), "").await?;
    Ok(case)
}

/// Goes back to the case file after an action (plain form posts follow it; in the browser
/// the new `done` value makes the page load the case again).
/// Loads request `id`, asks `rule` whether the officer's action is allowed, and stores the
/// change it makes with its timeline entry, notification and audit row.
#[cfg(feature = "ssr")]
async fn act(
    id: &str,
    rule: impl FnOnce(&domain::console::Case) -> Result<domain::console::Change, domain::requests::ConsoleError>,
) -> Result<(), AppError> {
    let session = ssr::require_staff()?;
    let pool = ssr::backend()?.pool;
    let case = load_case(&pool, id).await?;
    let change = rule(&case)?;
    let actor = store::requests::Actor::Officer(&session.user);
    store::requests::apply(&pool, id, &case, &change, actor, store::requests::today()).await?;
    tracing::info!(officer = %session.user.id, request = %id, action = change.action, "console action");
    back_to(id);
    Ok(())
}

/// Request `id` as the rules see it, or `NotFound`.
#[cfg(feature = "ssr")]
async fn load_case(pool: &store::Pool, id: &str) -> Result<domain::console::Case, AppError> {
    store::requests::case(pool, None, id)
        .await?
        .ok_or(AppError::NotFound)
}

#[cfg(feature = "ssr")]
fn back_to(id: &str) {
    leptos_axum::redirect(&format!("/admin/requests/{id}?done={}", ssr::action_stamp()));
}

/// Assigns the request to an officer (`to` empty: nobody).
#[server(prefix = "/fn", endpoint = "console/assign")]
pub async fn assign_request(id: String, to: Option<String>) -> Result<(), AppError> {
    use domain::requests::ConsoleError;
    let session = ssr::require_staff()?;
    let pool = ssr::backend()?.pool;
    load_case(&pool, &id).await?;
    let to = match to.filter(|t| !t.is_empty()) {
        Some(to) => {
            let name = store::console::staff_name(&pool, &to).await?;
            Some((to, name.ok_or(ConsoleError::NoSuchOfficer)?))
        }
        None => None,
    };
    let to = to.as_ref().map(|(id, name)| (id.as_str(), name.as_str()));
    store::console::assign(&pool, &session.user, &id, to).await?;
    back_to(&id);
    Ok(())
}

/// The resident's identity is verified: work starts.
#[server(prefix = "/fn", endpoint = "console/verify")]
pub async fn verify_identity(id: String) -> Result<(), AppError> {
    act(&id, domain::console::verify).await
}

/// Extends the deadline once, with a reason the resident sees.
#[server(prefix = "/fn", endpoint = "console/extend")]
pub async fn extend_deadline(id: String, reason: String) -> Result<(), AppError> {
    act(&id, |case| {
        domain::console::extend(case, &reason, store::requests::today())
    })
    .await
}

/// Refuses the request, with a reason the resident sees.
#[server(prefix = "/fn", endpoint = "console/reject")]
pub async fn reject_request(id: String, reason: String) -> Result<(), AppError> {
    act(&id, |case| domain::console::reject(case, &reason)).await
}

/// Completes an agency's task on its behalf.
#[server(prefix = "/fn", endpoint = "console/complete_task")]
pub async fn complete_task_for_agency(
    id: String,
    task: String,
    outcome: String,
    note: Option<String>,
) -> Result<(), AppError> {
    use domain::requests::TaskOutcome;
    let session = ssr::require_staff()?;
    let outcome: TaskOutcome = outcome
        .parse()
        .map_err(|_| AppError::InvalidInput("outcome".to_owned()))?;
    let note = domain::console::complete_task(outcome, note.as_deref().unwrap_or_default())?;
    let pool = ssr::backend()?.pool;
    store::console::complete_task(&pool, &session.user, &id, &task, outcome, &note).await??;
    back_to(&id);
    Ok(())
}

/// Fulfils the request once every agency has completed its task.
#[server(prefix = "/fn", endpoint = "console/fulfil")]
pub async fn fulfil_request(id: String) -> Result<(), AppError> {
    act(&id, domain::console::fulfil).await
}

/// Writes to the resident and pauses the legal clock until they answer.
#[server(prefix = "/fn", endpoint = "console/ask")]
pub async fn ask_resident(id: String, question: String) -> Result<(), AppError> {
    let session = ssr::require_staff()?;
    let pool = ssr::backend()?.pool;
    let case = load_case(&pool, &id).await?;
    let question = domain::console::message(&case, &question)?;
    store::console::ask(&pool, &session.user, &id, &case, &question).await?;
    back_to(&id);
    Ok(())
}

/// The office at a glance: counts and the last weeks.
#[server(prefix = "/fn", endpoint = "console/stats")]
pub async fn request_stats() -> Result<domain::requests::RequestStats, AppError> {
    ssr::require_staff()?;
    Ok(store::console::stats(&ssr::backend()?.pool, store::requests::today()).await?)
}

/// Admins only: one page of the audit log, newest first.
#[server(prefix = "/fn", endpoint = "console/audit")]
pub async fn audit_log(before: Option<String>) -> Result<domain::requests::AuditPage, AppError> {
    let session = ssr::require_staff()?;
    if session.user.role != domain::account::Role::Admin {
        return Err(AppError::denied(true));
    }
    let before = filter_value::<i64>("before", before)?;
    let pool = ssr::backend()?.pool;
    audit_read(&pool, &session.user, "read_audit_log", None, "").await?;
    Ok(store::console::audit_page(&pool, before).await?)
}

/// Files a request for a resident who came to a city office or phoned: by resident number,
/// or, for someone without an account, a new unverified record (name and email or phone).
#[server(prefix = "/fn", endpoint = "console/file_assisted")]
#[allow(clippy::too_many_arguments)]
pub async fn file_assisted(
    resident_number: Option<String>,
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    kind: String,
    purpose: Option<String>,
    details: Option<String>,
) -> Result<String, AppError> {
    use domain::requests::{AssistedResident, ConsoleError, NewRequest};
    let session = ssr::require_staff()?;
    let text = |v: &Option<String>| v.as_deref().unwrap_or_default().to_owned();
    let resident = AssistedResident::parse(
        &text(&resident_number),
        &text(&name),
        &text(&email),
        &text(&phone),
    )?;
    let request = NewRequest::parse(
        &kind,
        "all",
        &[],
        purpose.as_deref(),
        details.as_deref().unwrap_or_default(),
    )
    .map_err(ConsoleError::from)?;
    let backend = ssr::backend()?;
    let filed =
        store::console::file_assisted(&backend.pool, backend.policy, &session.user, &resident, &request)
            .await;
    let id = filed.map_err(|e| match e {
        store::requests::FileError::Input(input) => AppError::Console(input.into()),
        other => other.into(),
    })?;
    back_to(&id);
    Ok(id)
}

/// Enters an agency's enrollment code for a resident who came to a counter with it, found
/// by resident number; recorded as assisted, with the officer's action in the audit log.
#[server(prefix = "/fn", endpoint = "console/confirm_enrollment")]
pub async fn confirm_enrollment_for(
    resident_number: String,
    code: String,
    lang: Lang,
) -> Result<domain::consent::EnrollmentEventView, AppError> {
    use domain::account::ResidentNumber;
    use domain::consent::{EnrollmentCode, EnrollmentRefused};
    use domain::requests::ConsoleError;
    let session = ssr::require_staff()?;
    let number = ResidentNumber::parse(&resident_number).ok_or(ConsoleError::NoSuchResident)?;
    let code = EnrollmentCode::parse(&code).ok_or(EnrollmentRefused::UnknownCode)?;
    let pool = ssr::backend()?.pool;
    let resident = store::consent::user_by_number(&pool, number.as_str())
        .await?
        .ok_or(ConsoleError::NoSuchResident)?;
    let by = store::consent::Confirmer::Officer {
        resident: &resident,
        officer: &session.user,
    };
    let event = store::consent::confirm(&pool, &code, by, lang).await?;
    tracing::info!(officer = %session.user.id, system = %event.system_slug, "confirmed an enrollment at a counter");
    Ok(event)
}

/// What the console's home shows: the register at a glance.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConsoleSummary {
    pub agencies: usize,
    pub systems: usize,
    pub purposes: usize,
    pub planned_systems: usize,
}

/// Staff only: the console's overview. Refuses anyone else before reading anything.
#[server(prefix = "/fn", endpoint = "admin/overview")]
pub async fn console_overview() -> Result<ConsoleSummary, AppError> {
    ssr::require_staff()?;
    let pool = ssr::backend()?.pool;
    let systems = store::register::systems(&pool).await?;
    let agencies = store::register::agencies(&pool).await?;
    Ok(ConsoleSummary {
        agencies: agencies.len(),
        systems: systems.len(),
        purposes: systems.iter().map(|s| s.purposes.len()).sum(),
        planned_systems: systems
            .iter()
            .filter(|s| s.status == domain::register::SystemStatus::Planned)
            .count(),
    })
}
