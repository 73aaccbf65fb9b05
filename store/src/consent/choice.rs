//! Recording a resident's grant or withdrawal: the purpose it is about, then the event and
//! the current state in one transaction.

use super::*;
use domain::ledger::{ConsentLeaf, LedgerEntry};

#[derive(FromRow)]
struct TargetRow {
    purpose_id: String,
    legal_basis: String,
    notice_version: i64,
}

/// What a resident's consent choice is about: a purpose, its legal basis and the version of
/// its notice in force.
#[derive(Debug, Clone)]
pub struct ConsentTarget {
    pub purpose_id: String,
    pub legal_basis: LegalBasis,
    pub notice_version: i64,
}

/// The purpose `purpose` of system `system`, or `None` if there is no such purpose.
///
/// Read before the transaction that records a choice: on SQLite a transaction that reads
/// first and writes later cannot wait for another writer (its snapshot would be stale).
#[tracing::instrument(skip(pool))]
pub async fn consent_target(
    pool: &AnyPool,
    system: &Slug,
    purpose: &Slug,
) -> Result<Option<ConsentTarget>, StoreError> {
    let row: Option<TargetRow> = sqlx::query_as(concat!(
        "SELECT p.id AS purpose_id, p.legal_basis, p.notice_version FROM purposes p ",
        "JOIN systems s ON s.id = p.system_id WHERE s.slug = $1 AND p.key = $2"
    ))
    .bind(system.as_str())
    .bind(purpose.as_str())
    .fetch_optional(pool)
    .await?;
    row.map(|row| {
        Ok(ConsentTarget {
            legal_basis: code("purposes.legal_basis", &row.legal_basis)?,
            purpose_id: row.purpose_id,
            notice_version: row.notice_version,
        })
    })
    .transpose()
}

/// Records a grant or withdrawal of `user_id` on `target`'s notice in force, durably,
/// before returning the new event: the event and the current state commit together.
#[tracing::instrument(skip(pool))]
pub async fn record(
    pool: &AnyPool,
    user_id: &str,
    target: &ConsentTarget,
    action: ConsentAction,
    channel: Channel,
    lang: Lang,
) -> Result<ConsentEventView, StoreError> {
    let id = new_event_id();
    let mut tx = crate::db::begin(pool).await?;
    // Lock the resident's consent for this purpose first (SQLite: the write lock;
    // PostgreSQL: the row), then stamp the event after the previous one: the current
    // state is always the latest event, in the order the writes were acknowledged.
    sqlx::query("UPDATE consents SET at_us = at_us WHERE user_id = $1 AND purpose_id = $2")
        .bind(user_id)
        .bind(&target.purpose_id)
        .execute(&mut *tx)
        .await?;
    let previous: Option<(i64,)> =
        sqlx::query_as("SELECT at_us FROM consents WHERE user_id = $1 AND purpose_id = $2")
            .bind(user_id)
            .bind(&target.purpose_id)
            .fetch_optional(&mut *tx)
            .await?;
    let at_us = previous.map_or(now_us(), |(prev,)| now_us().max(prev + 1));
    sqlx::query(concat!(
        "INSERT INTO consent_events (id, user_id, purpose_id, notice_version, action, channel, at_us) ",
        "VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ))
    .bind(&id)
    .bind(user_id)
    .bind(&target.purpose_id)
    .bind(target.notice_version)
    .bind(action.code())
    .bind(channel.code())
    .bind(at_us)
    .execute(&mut *tx)
    .await?;
    sqlx::query(concat!(
        "INSERT INTO consents (user_id, purpose_id, state, event_id, at_us) VALUES ($1, $2, $3, $4, $5) ",
        "ON CONFLICT (user_id, purpose_id) DO UPDATE SET state = excluded.state, ",
        "event_id = excluded.event_id, at_us = excluded.at_us WHERE consents.at_us < excluded.at_us"
    ))
    .bind(user_id)
    .bind(&target.purpose_id)
    .bind(state_code(action.resulting_state()))
    .bind(&id)
    .bind(at_us)
    .execute(&mut *tx)
    .await?;
    let leaf = LedgerEntry::Consent(ConsentLeaf {
        id: id.clone(),
        user_id: user_id.to_owned(),
        purpose_id: target.purpose_id.clone(),
        notice_version: target.notice_version,
        action: action.code().to_owned(),
        channel: channel.code().to_owned(),
        at_us,
    });
    crate::ledger::append(&mut tx, &[leaf]).await?;
    let row: EventRow = sqlx::query_as(concat!(event_select!(), "WHERE e.id = $1"))
        .bind(&id)
        .fetch_one(&mut *tx)
        .await?;
    // Acknowledged only once durable: the commit returns after the write is on disk.
    tx.commit().await?;
    Ok(row.into_view(lang)?)
}
