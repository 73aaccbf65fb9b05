//! Which residents an agency's systems hold. An agency issues one-time codes; a resident
//! entering one (or an officer for them) creates the enrollment. Every confirmation and
//! ending is appended to `enrollment_events` in the same transaction as the change.

use super::codes::{CodeRow, code_row};
use super::*;
use domain::consent::{
    EnrollmentAction, EnrollmentChannel, EnrollmentCode, EnrollmentEventView, EnrollmentRefused, may_confirm,
};
use domain::ledger::{EnrollmentLeaf, LedgerEntry};

/// Why a code did not confirm an enrollment; nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    #[error(transparent)]
    Refused(#[from] EnrollmentRefused),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ConfirmError {
    fn from(e: sqlx::Error) -> Self {
        ConfirmError::Store(e.into())
    }
}

/// Who enters the code: the resident on the web, or an officer at a counter for them (the
/// officer's action then goes to the audit log, in the same transaction).
#[derive(Debug, Clone, Copy)]
pub enum Confirmer<'a> {
    /// The signed-in resident, by user id.
    Resident(&'a str),
    /// An officer, for the resident with user id `resident`.
    Officer {
        resident: &'a str,
        officer: &'a domain::account::CurrentUser,
    },
}

impl Confirmer<'_> {
    fn user_id(&self) -> &str {
        match self {
            Confirmer::Resident(user_id)
            | Confirmer::Officer {
                resident: user_id, ..
            } => user_id,
        }
    }
}

/// Enrols `by.user_id` with the system `code` was issued for: the code is claimed, the
/// enrollment made and the event appended in one transaction.
pub async fn confirm(
    pool: &AnyPool,
    code: &EnrollmentCode,
    by: Confirmer<'_>,
    lang: Lang,
) -> Result<EnrollmentEventView, ConfirmError> {
    let digest = code.digest();
    let mut tx = crate::db::begin(pool).await?;
    let row = code_row(&mut tx, &digest).await?;
    let facts = row.as_ref().map(CodeRow::facts).transpose()?;
    may_confirm(facts.as_ref(), now_us())?;
    let Some(row) = row else {
        return Err(EnrollmentRefused::UnknownCode.into());
    };
    let at_us = now_us();
    // Claiming is conditional, so two people entering one code cannot both succeed.
    let claimed = sqlx::query(concat!(
        "UPDATE enrollment_codes SET user_id = $1, confirmed_at_us = $2 ",
        "WHERE digest = $3 AND confirmed_at_us IS NULL"
    ))
    .bind(by.user_id())
    .bind(at_us)
    .bind(&digest)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() != 1 {
        return Err(EnrollmentRefused::AlreadyUsed.into());
    }
    sqlx::query(concat!(
        "INSERT INTO enrollments (user_id, system_id, client_id, created_at) VALUES ($1, $2, $3, $4) ",
        "ON CONFLICT (user_id, system_id) DO NOTHING"
    ))
    .bind(by.user_id())
    .bind(&row.system_id)
    .bind(&row.client_id)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    let (channel, actor) = match by {
        Confirmer::Resident(_) => (EnrollmentChannel::Web, row.client_id.as_str()),
        Confirmer::Officer { officer, .. } => (EnrollmentChannel::Assisted, officer.id.as_str()),
    };
    let event = NewEvent {
        user_id: by.user_id(),
        system_id: &row.system_id,
        action: EnrollmentAction::Confirmed,
        channel,
        actor: Some(actor),
        requested_at_us: Some(row.created_at_us),
        at_us,
    };
    if let Confirmer::Officer { officer, .. } = by {
        let detail = format!("entered the enrollment code for {} at a counter", row.slug);
        let entry = crate::audit::AuditEntry {
            actor: crate::audit::Actor::Staff(officer),
            action: "confirm_enrollment",
            request_id: None,
            detail: &detail,
        };
        crate::audit::record(&mut tx, &entry).await?;
    }
    let id = append_event(&mut tx, &event).await?;
    let view = event_view(&mut tx, &id, lang).await?;
    tx.commit().await?;
    Ok(view)
}

/// One enrollment event to append.
struct NewEvent<'a> {
    user_id: &'a str,
    system_id: &'a str,
    action: EnrollmentAction,
    channel: EnrollmentChannel,
    actor: Option<&'a str>,
    requested_at_us: Option<i64>,
    at_us: i64,
}

async fn append_event(conn: &mut sqlx::AnyConnection, event: &NewEvent<'_>) -> Result<String, sqlx::Error> {
    let id = new_event_id();
    sqlx::query(concat!(
        "INSERT INTO enrollment_events (id, user_id, system_id, action, channel, actor, requested_at_us, at_us) ",
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(&id)
    .bind(event.user_id)
    .bind(event.system_id)
    .bind(event.action.code())
    .bind(event.channel.code())
    .bind(event.actor)
    .bind(event.requested_at_us)
    .bind(event.at_us)
    .execute(&mut *conn)
    .await?;
    let leaf = LedgerEntry::Enrollment(EnrollmentLeaf {
        id: id.clone(),
        user_id: event.user_id.to_owned(),
        system_id: event.system_id.to_owned(),
        action: event.action.code().to_owned(),
        channel: event.channel.code().to_owned(),
        actor: event.actor.map(str::to_owned),
        requested_at_us: event.requested_at_us,
        at_us: event.at_us,
    });
    crate::ledger::append(conn, &[leaf]).await?;
    Ok(id)
}

/// Ends the enrollment of `user_id` with `system_id` through `channel` (`actor`: the API
/// client or officer, if any); whether there was one. The event is appended in the same
/// transaction.
pub async fn end(
    pool: &AnyPool,
    user_id: &str,
    system_id: &str,
    channel: EnrollmentChannel,
    actor: Option<&str>,
) -> Result<bool, StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    let done = sqlx::query("DELETE FROM enrollments WHERE user_id = $1 AND system_id = $2")
        .bind(user_id)
        .bind(system_id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    let event = NewEvent {
        user_id,
        system_id,
        action: EnrollmentAction::Ended,
        channel,
        actor,
        requested_at_us: None,
        at_us: now_us(),
    };
    append_event(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(true)
}

/// Ends every enrollment of `user_id` (their account is being deleted), each with its event,
/// inside the caller's transaction.
pub async fn end_all(conn: &mut sqlx::AnyConnection, user_id: &str) -> Result<(), StoreError> {
    let systems: Vec<(String,)> =
        sqlx::query_as("SELECT system_id FROM enrollments WHERE user_id = $1 ORDER BY system_id")
            .bind(user_id)
            .fetch_all(&mut *conn)
            .await?;
    sqlx::query("DELETE FROM enrollments WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for (system_id,) in &systems {
        let event = NewEvent {
            user_id,
            system_id,
            action: EnrollmentAction::Ended,
            channel: EnrollmentChannel::Web,
            actor: None,
            requested_at_us: None,
            at_us: now_us(),
        };
        append_event(conn, &event).await?;
    }
    Ok(())
}

/// Records an enrollment the city's operator brings from its own records (the demo, an
/// import), with its `import` event.
pub async fn import(pool: &AnyPool, user_id: &str, system_id: &str) -> Result<(), StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    let done = sqlx::query(concat!(
        "INSERT INTO enrollments (user_id, system_id, client_id, created_at) VALUES ($1, $2, NULL, $3) ",
        "ON CONFLICT (user_id, system_id) DO NOTHING"
    ))
    .bind(user_id)
    .bind(system_id)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 1 {
        let event = NewEvent {
            user_id,
            system_id,
            action: EnrollmentAction::Confirmed,
            channel: EnrollmentChannel::Import,
            actor: None,
            requested_at_us: None,
            at_us: now_us(),
        };
        append_event(&mut tx, &event).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[derive(FromRow)]
struct EnrollmentEventRow {
    id: String,
    at_us: i64,
    action: String,
    channel: String,
    requested_at_us: Option<i64>,
    system_slug: String,
    system_name: String,
    agency_name: String,
    ledger_index: Option<i64>,
}

impl EnrollmentEventRow {
    fn into_view(self, lang: Lang) -> Result<EnrollmentEventView, sqlx::Error> {
        Ok(EnrollmentEventView {
            id: self.id,
            at: rfc3339_us(self.at_us),
            action: code("enrollment_events.action", &self.action)?,
            channel: code("enrollment_events.channel", &self.channel)?,
            system_slug: self.system_slug,
            system_name: text("systems.name", &self.system_name)?.get(lang).to_owned(),
            agency_name: text("agencies.name", &self.agency_name)?.get(lang).to_owned(),
            requested_at: self.requested_at_us.map(rfc3339_us),
            ledger_index: self.ledger_index,
        })
    }
}

/// The columns of an [`EnrollmentEventRow`] over `enrollment_events e`.
macro_rules! event_select {
    () => {
        concat!(
            "SELECT e.id, e.at_us, e.action, e.channel, e.requested_at_us, s.slug AS system_slug, ",
            "s.name AS system_name, a.name AS agency_name, l.idx AS ledger_index ",
            "FROM enrollment_events e JOIN systems s ON s.id = e.system_id ",
            "LEFT JOIN ledger l ON l.source = 'enrollment' AND l.entry_id = e.id ",
            "JOIN agencies a ON a.id = s.agency_id "
        )
    };
}

async fn event_view(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    lang: Lang,
) -> Result<EnrollmentEventView, sqlx::Error> {
    let row: EnrollmentEventRow = sqlx::query_as(concat!(event_select!(), "WHERE e.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    row.into_view(lang)
}

/// Every enrollment event of `user_id`, newest first.
pub async fn enrollment_history(
    pool: &AnyPool,
    user_id: &str,
    lang: Lang,
) -> Result<Vec<EnrollmentEventView>, StoreError> {
    let rows: Vec<EnrollmentEventRow> = sqlx::query_as(concat!(
        event_select!(),
        "WHERE e.user_id = $1 ORDER BY e.at_us DESC, e.id DESC"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| r.into_view(lang))
        .collect::<Result<_, _>>()
        .map_err(StoreError::from)
}

/// The id of the user with `resident_number`.
pub async fn user_by_number(pool: &AnyPool, resident_number: &str) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT id FROM users WHERE resident_number = $1 AND role = 'resident'")
            .bind(resident_number)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(id,)| id))
}
