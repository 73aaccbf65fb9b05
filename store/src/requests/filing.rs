//! Filing a request: which systems it concerns, then the request, one task per system and
//! the first timeline entry (and an officer's audit row) in one transaction.

use super::{Actor, append_event};
use crate::{StoreError, audit, new_event_id, new_id, now_us};
use domain::calendar::Date;
use domain::requests::{
    Clock, DeadlinePolicy, NewRequest, RequestChannel, RequestInputError, RequestStatus, SystemChoice,
};
use sqlx::AnyPool;

/// A system a request can concern.
#[derive(sqlx::FromRow)]
struct Concerned {
    id: String,
    slug: String,
    agency_id: String,
}

/// The systems that hold `user_id`'s data: those they are enrolled with and the active
/// ones in public space (the same list as `/my`).
async fn systems_holding(pool: &AnyPool, user_id: &str) -> Result<Vec<Concerned>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT s.id, s.slug, s.agency_id FROM systems s ",
        "WHERE (s.scope = 'public_space' AND s.status = 'active') ",
        "OR EXISTS (SELECT 1 FROM enrollments e WHERE e.user_id = $1 AND e.system_id = s.id) ",
        "ORDER BY s.slug"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await
}

/// Which of `holding` a request concerns, and the purpose id of an objection.
async fn resolve(
    pool: &AnyPool,
    holding: Vec<Concerned>,
    request: &NewRequest,
) -> Result<(Vec<Concerned>, Option<String>), FileError> {
    if let Some((system, key)) = &request.objection {
        // An objection concerns the one system whose purpose it objects to.
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT p.id FROM purposes p JOIN systems s ON s.id = p.system_id WHERE s.slug = $1 AND p.key = $2",
        )
        .bind(system.as_str())
        .bind(key.as_str())
        .fetch_optional(pool)
        .await?;
        let system = holding.into_iter().find(|c| c.slug == system.as_str());
        return match (row, system) {
            (Some((purpose_id,)), Some(system)) => Ok((vec![system], Some(purpose_id))),
            _ => Err(RequestInputError::UnknownPurpose.into()),
        };
    }
    let chosen = match &request.systems {
        SystemChoice::All => holding,
        SystemChoice::Some(slugs) => {
            if slugs
                .iter()
                .any(|s| !holding.iter().any(|c| c.slug == s.as_str()))
            {
                return Err(RequestInputError::UnknownSystem.into());
            }
            holding
                .into_iter()
                .filter(|c| slugs.iter().any(|s| s.as_str() == c.slug))
                .collect()
        }
    };
    if chosen.is_empty() {
        return Err(RequestInputError::NoSystems.into());
    }
    Ok((chosen, None))
}

/// How a request arrives: through which channel, on which day, filed by whom, and for an
/// officer's filing the audit log's account of it.
pub struct Filing<'a> {
    /// Online by the resident, or assisted by an officer.
    pub channel: RequestChannel,
    /// The day the legal clock starts.
    pub received: Date,
    /// Who files it.
    pub actor: Actor<'a>,
    /// For an officer's filing: the audit row's detail.
    pub audit_detail: Option<&'a str>,
}

/// Why a request was not filed; nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The request itself is not acceptable.
    #[error(transparent)]
    Input(#[from] RequestInputError),
    /// A new resident record's contact is not acceptable (or belongs to an account).
    #[error(transparent)]
    Contact(#[from] domain::account::AccountInputError),
    /// An officer filed for a resident number nobody has.
    #[error("no resident has that number")]
    NoSuchResident,
    /// The resident filed as many requests as a day allows.
    #[error(transparent)]
    Quota(#[from] domain::requests::QuotaExceeded),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for FileError {
    fn from(e: sqlx::Error) -> Self {
        FileError::Store(e.into())
    }
}

/// Files `request` for `user_id` with one task per system it concerns and the first
/// timeline entry (and an officer's audit row) in one transaction; returns its id.
pub async fn file(
    pool: &AnyPool,
    policy: DeadlinePolicy,
    user_id: &str,
    request: &NewRequest,
    filing: &Filing<'_>,
) -> Result<String, FileError> {
    let (channel, received) = (filing.channel, filing.received);
    let holding = systems_holding(pool, user_id).await?;
    let (systems, purpose_id) = resolve(pool, holding, request).await?;
    let id = new_event_id();
    let due = policy.due(Clock {
        received,
        paused_days: 0,
        extended: false,
    });
    let at = now_us();
    let mut tx = crate::db::begin(pool).await?;
    if matches!(filing.actor, Actor::Resident) {
        // Counted inside the write transaction, after taking the account's row lock, so
        // parallel filings cannot slip past together.
        crate::db::lock_user(&mut tx, user_id).await?;
        let quota = domain::requests::ResidentQuota::RequestsPerDay;
        let (used, oldest): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(created_at_us) FROM privacy_requests \
             WHERE user_id = $1 AND channel = 'web' AND created_at_us > $2",
        )
        .bind(user_id)
        .bind(quota.window_start_us(at))
        .fetch_one(&mut *tx)
        .await?;
        quota.check(used, oldest, at)?;
    }
    sqlx::query(concat!(
        "INSERT INTO privacy_requests (id, user_id, kind, status, channel, details, purpose_id, policy, ",
        "received_on, due_on, created_at_us, updated_at_us) ",
        "VALUES ($1, $2, $3, 'received', $4, $5, $6, $7, $8, $9, $10, $10)"
    ))
    .bind(&id)
    .bind(user_id)
    .bind(request.kind.code())
    .bind(channel.code())
    .bind(&request.details)
    .bind(purpose_id)
    .bind(policy.code())
    .bind(received.to_string())
    .bind(due.to_string())
    .bind(at)
    .execute(&mut *tx)
    .await?;
    for system in &systems {
        sqlx::query(
            "INSERT INTO request_tasks (id, request_id, system_id, agency_id) VALUES ($1, $2, $3, $4)",
        )
        .bind(new_id())
        .bind(&id)
        .bind(&system.id)
        .bind(&system.agency_id)
        .execute(&mut *tx)
        .await?;
    }
    let actor = filing.actor.timeline_name();
    append_event(&mut tx, &id, at, RequestStatus::Received, None, &actor).await?;
    if let (Actor::Officer(officer), Some(detail)) = (filing.actor, filing.audit_detail) {
        let entry = audit::AuditEntry {
            actor: audit::Actor::Staff(officer),
            action: "file_assisted",
            request_id: Some(&id),
            detail,
        };
        audit::record(&mut tx, &entry).await?;
    }
    tx.commit().await?;
    Ok(id)
}
