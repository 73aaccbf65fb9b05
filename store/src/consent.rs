//! The consent aggregate: enrolments, the append-only consent events, the current consent
//! per resident and purpose, and the purpose notices the events point at.

use super::{code, new_event_id, now, now_us, rfc3339_us, text};
use crate::StoreError;
use domain::consent::{Channel, ConsentAction, ConsentEventView, MyPurpose, MySystem, Receipt, ReceiptFacts};
use domain::decision::ConsentState;
use domain::lang::Lang;
use domain::register::{DataCategory, LegalBasis, Scope, Slug, SystemStatus};
use sqlx::{AnyPool, FromRow};
use std::collections::{HashMap, HashSet};

fn state_of(code: &str) -> ConsentState {
    match code {
        "given" => ConsentState::Given,
        _ => ConsentState::Withdrawn,
    }
}

fn state_code(state: ConsentState) -> &'static str {
    match state {
        ConsentState::Given => "given",
        ConsentState::Withdrawn | ConsentState::NeverAsked => "withdrawn",
    }
}

/// The current consent of `user_id` for every purpose they ever chose on, keyed by
/// (system slug, purpose key).
async fn current_consents(
    pool: &AnyPool,
    user_id: &str,
) -> Result<HashMap<(String, String), ConsentState>, sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(concat!(
        "SELECT s.slug, p.key, c.state FROM consents c ",
        "JOIN purposes p ON p.id = c.purpose_id JOIN systems s ON s.id = p.system_id ",
        "WHERE c.user_id = $1"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(system, purpose, state)| ((system, purpose), state_of(&state)))
        .collect())
}

/// The current notice version of every purpose, keyed by (system slug, purpose key).
async fn notice_versions(pool: &AnyPool) -> Result<HashMap<(String, String), i64>, sqlx::Error> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT s.slug, p.key, p.notice_version FROM purposes p JOIN systems s ON s.id = p.system_id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(s, p, v)| ((s, p), v)).collect())
}

/// The ids of the systems `user_id` is enrolled with.
async fn enrolled_systems(pool: &AnyPool, user_id: &str) -> Result<HashSet<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(concat!(
        "SELECT s.slug FROM enrollments e JOIN systems s ON s.id = e.system_id ",
        "WHERE e.user_id = $1"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(slug,)| slug).collect())
}

#[derive(FromRow)]
struct EventRow {
    id: String,
    at_us: i64,
    action: String,
    channel: String,
    notice_version: i64,
    system_slug: String,
    system_name: String,
    agency_name: String,
    purpose_key: String,
    notice_name: String,
}

impl EventRow {
    fn into_view(self, lang: Lang) -> Result<ConsentEventView, sqlx::Error> {
        Ok(ConsentEventView {
            id: self.id,
            at: rfc3339_us(self.at_us),
            action: code("consent_events.action", &self.action)?,
            channel: code("consent_events.channel", &self.channel)?,
            system_slug: self.system_slug,
            system_name: text("systems.name", &self.system_name)?.get(lang).to_owned(),
            agency_name: text("agencies.name", &self.agency_name)?.get(lang).to_owned(),
            purpose_key: self.purpose_key,
            purpose_name: text("purpose_notices.name", &self.notice_name)?
                .get(lang)
                .to_owned(),
            notice_version: self.notice_version,
        })
    }
}

/// The columns of an [`EventRow`], over `consent_events e` joined as below.
macro_rules! event_select {
    () => {
        concat!(
            "SELECT e.id, e.at_us, e.action, e.channel, e.notice_version, s.slug AS system_slug, ",
            "s.name AS system_name, a.name AS agency_name, p.key AS purpose_key, n.name AS notice_name ",
            "FROM consent_events e ",
            "JOIN purposes p ON p.id = e.purpose_id ",
            "JOIN systems s ON s.id = p.system_id ",
            "JOIN agencies a ON a.id = s.agency_id ",
            "JOIN purpose_notices n ON n.purpose_id = e.purpose_id AND n.version = e.notice_version "
        )
    };
}

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

/// The systems that hold the resident's data: enrolled ones first, then those in public
/// space, with what applies to each purpose.
#[tracing::instrument(skip(pool))]
pub async fn my_systems(pool: &AnyPool, user_id: &str, lang: Lang) -> Result<Vec<MySystem>, StoreError> {
    let systems = crate::register::systems(pool).await?;
    let enrolled = enrolled_systems(pool, user_id).await?;
    let consents = current_consents(pool, user_id).await?;
    let versions = notice_versions(pool).await?;
    let mut mine: Vec<MySystem> = systems
        .into_iter()
        .filter_map(|system| {
            let is_enrolled = enrolled.contains(system.slug.as_str());
            let in_public_space = system.scope == Scope::PublicSpace && system.status == SystemStatus::Active;
            if !is_enrolled && !in_public_space {
                return None;
            }
            let purposes = system
                .purposes
                .iter()
                .map(|p| MyPurpose {
                    key: p.key.as_str().to_owned(),
                    name: p.name.get(lang).to_owned(),
                    description: p.description.get(lang).to_owned(),
                    legal_basis: p.legal_basis,
                    categories: p.categories.clone(),
                    consent: consents
                        .get(&(system.slug.as_str().to_owned(), p.key.as_str().to_owned()))
                        .copied()
                        .unwrap_or(ConsentState::NeverAsked),
                    notice_version: versions
                        .get(&(system.slug.as_str().to_owned(), p.key.as_str().to_owned()))
                        .copied()
                        .unwrap_or(1),
                })
                .collect();
            Some(MySystem {
                slug: system.slug.as_str().to_owned(),
                name: system.name.get(lang).to_owned(),
                agency_name: system.agency.name.get(lang).to_owned(),
                technology: system.technology,
                scope: system.scope,
                enrolled: is_enrolled,
                purposes,
            })
        })
        .collect();
    // Enrolled systems first, then those in public space, each group by name.
    mine.sort_by(|a, b| b.enrolled.cmp(&a.enrolled).then_with(|| a.name.cmp(&b.name)));
    Ok(mine)
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
    let mut tx = pool.begin().await?;
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
    let row: EventRow = sqlx::query_as(concat!(event_select!(), "WHERE e.id = $1"))
        .bind(&id)
        .fetch_one(&mut *tx)
        .await?;
    // Acknowledged only once durable: the commit returns after the write is on disk.
    tx.commit().await?;
    Ok(row.into_view(lang)?)
}

/// Every consent event of the resident, newest first.
#[tracing::instrument(skip(pool))]
pub async fn history(pool: &AnyPool, user_id: &str, lang: Lang) -> Result<Vec<ConsentEventView>, StoreError> {
    let rows: Vec<EventRow> = sqlx::query_as(concat!(
        event_select!(),
        "WHERE e.user_id = $1 ORDER BY e.at_us DESC, e.id DESC"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    let events = rows
        .into_iter()
        .map(|r| r.into_view(lang))
        .collect::<Result<_, _>>()?;
    Ok(events)
}

#[derive(FromRow)]
struct ReceiptRow {
    id: String,
    at_us: i64,
    action: String,
    channel: String,
    notice_version: i64,
    notice_basis: String,
    notice_name: String,
    notice_description: String,
    notice_categories: String,
    resident_number: String,
    system_slug: String,
    system_name: String,
    transfers: String,
    retention: String,
    recipients: String,
    purpose_key: String,
    agency_name: String,
    dpo_email: String,
    website: String,
}

/// The receipt of one of the resident's events; `None` for any event not theirs. Links
/// in it start with `base_url`, the site's public address (empty: site-relative links).
#[tracing::instrument(skip(pool))]
pub async fn receipt(
    pool: &AnyPool,
    base_url: &str,
    user_id: &str,
    event_id: &str,
    lang: Lang,
) -> Result<Option<Receipt>, StoreError> {
    let row: Option<ReceiptRow> = sqlx::query_as(concat!(
        "SELECT e.id, e.at_us, e.action, e.channel, e.notice_version, n.legal_basis AS notice_basis, ",
        "n.name AS notice_name, n.description AS notice_description, n.categories AS notice_categories, ",
        "u.resident_number, s.slug AS system_slug, s.name AS system_name, s.transfers, s.retention, ",
        "s.recipients, p.key AS purpose_key, a.name AS agency_name, a.dpo_email, a.website ",
        "FROM consent_events e ",
        "JOIN users u ON u.id = e.user_id ",
        "JOIN purposes p ON p.id = e.purpose_id ",
        "JOIN systems s ON s.id = p.system_id ",
        "JOIN agencies a ON a.id = s.agency_id ",
        "JOIN purpose_notices n ON n.purpose_id = e.purpose_id AND n.version = e.notice_version ",
        "WHERE e.id = $1 AND e.user_id = $2"
    ))
    .bind(event_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let city: Option<(String,)> = sqlx::query_as("SELECT name FROM city WHERE id = 'city'")
        .fetch_optional(pool)
        .await?;
    let city = match city {
        Some((name,)) => text("city.name", &name)?.get(lang).to_owned(),
        None => String::new(),
    };
    let categories = row
        .notice_categories
        .split_whitespace()
        .map(|c| code::<DataCategory, _>("purpose_notices.categories", c))
        .collect::<Result<Vec<_>, _>>()?;
    let get = |column: &str, s: &str| text(column, s).map(|t| t.get(lang).to_owned());
    Ok(Some(Receipt::build(ReceiptFacts {
        record_id: format!("{}/{}/{}", row.resident_number, row.system_slug, row.purpose_key),
        event_id: row.id,
        at_unix: row.at_us.div_euclid(1_000_000),
        at: rfc3339_us(row.at_us),
        action: code("consent_events.action", &row.action)?,
        channel: code("consent_events.channel", &row.channel)?,
        language: lang.code().to_owned(),
        resident_number: row.resident_number,
        city,
        agency_name: get("agencies.name", &row.agency_name)?,
        agency_email: row.dpo_email,
        agency_website: row.website,
        system_name: get("systems.name", &row.system_name)?,
        system_slug: row.system_slug,
        purpose_key: row.purpose_key,
        legal_basis: code("purpose_notices.legal_basis", &row.notice_basis)?,
        notice_version: row.notice_version,
        notice_title: get("purpose_notices.name", &row.notice_name)?,
        notice_text: get("purpose_notices.description", &row.notice_description)?,
        categories,
        storage_location: get("systems.transfers", &row.transfers)?,
        retention: get("systems.retention", &row.retention)?,
        recipients: get("systems.recipients", &row.recipients)?,
        base_url: base_url.to_owned(),
    })))
}

/// What a consent check needs to know about the system and purpose asked about.
#[derive(Debug, Clone, FromRow)]
pub struct TargetFacts {
    pub system_id: String,
    pub agency: String,
    /// `public_space` or `enrolment`.
    pub scope: String,
    pub purpose_id: Option<String>,
    pub legal_basis: Option<String>,
}

/// The system with slug `system` (its agency, and the purpose `purpose` if it has one).
pub async fn target(pool: &AnyPool, system: &str, purpose: &str) -> Result<Option<TargetFacts>, StoreError> {
    sqlx::query_as(concat!(
        "SELECT s.id AS system_id, a.slug AS agency, s.scope, p.id AS purpose_id, p.legal_basis ",
        "FROM systems s JOIN agencies a ON a.id = s.agency_id ",
        "LEFT JOIN purposes p ON p.system_id = s.id AND p.key = $2 ",
        "WHERE s.slug = $1"
    ))
    .bind(system)
    .bind(purpose)
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// Everything a check reads, in one query: the system and its agency, the purpose, and the
/// resident with their consent and enrolment (each `None` when it does not exist).
#[derive(Debug, Clone, FromRow)]
pub struct CheckRow {
    pub system_id: String,
    pub agency: String,
    pub scope: String,
    pub purpose_id: Option<String>,
    pub legal_basis: Option<String>,
    pub user_id: Option<String>,
    pub state: Option<String>,
    pub enrolled_system: Option<String>,
    /// The purpose when the resident's objection to it was upheld.
    pub objected_purpose: Option<String>,
}

/// The facts of a check about `resident_number`, system `system` and purpose `purpose`;
/// `None` when no system has that slug.
pub async fn check_facts(
    pool: &AnyPool,
    system: &str,
    purpose: &str,
    resident_number: &str,
) -> Result<Option<CheckRow>, StoreError> {
    sqlx::query_as(concat!(
        "SELECT s.id AS system_id, a.slug AS agency, s.scope, p.id AS purpose_id, p.legal_basis, ",
        "u.id AS user_id, c.state, e.system_id AS enrolled_system, o.purpose_id AS objected_purpose ",
        "FROM systems s JOIN agencies a ON a.id = s.agency_id ",
        "LEFT JOIN purposes p ON p.system_id = s.id AND p.key = $2 ",
        "LEFT JOIN users u ON u.resident_number = $3 AND u.role = 'resident' ",
        "LEFT JOIN consents c ON c.user_id = u.id AND c.purpose_id = p.id ",
        "LEFT JOIN enrollments e ON e.user_id = u.id AND e.system_id = s.id ",
        "LEFT JOIN upheld_objections o ON o.user_id = u.id AND o.purpose_id = p.id ",
        "WHERE s.slug = $1"
    ))
    .bind(system)
    .bind(purpose)
    .bind(resident_number)
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// The state a stored consent code stands for.
pub fn consent_state(code: Option<&str>) -> ConsentState {
    code.map_or(ConsentState::NeverAsked, state_of)
}

/// How an enrolment request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enrolment {
    /// Recorded now.
    Created,
    /// It already existed (PUT is idempotent).
    Existed,
}

/// Enrols `user_id` with `system_id`, recorded by API client `client_id`.
pub async fn enroll(
    pool: &AnyPool,
    user_id: &str,
    system_id: &str,
    client_id: Option<&str>,
) -> Result<Enrolment, StoreError> {
    let done = sqlx::query(concat!(
        "INSERT INTO enrollments (user_id, system_id, client_id, created_at) VALUES ($1, $2, $3, $4) ",
        "ON CONFLICT (user_id, system_id) DO NOTHING"
    ))
    .bind(user_id)
    .bind(system_id)
    .bind(client_id)
    .bind(now())
    .execute(pool)
    .await?;
    Ok(if done.rows_affected() == 1 {
        Enrolment::Created
    } else {
        Enrolment::Existed
    })
}

/// Ends the enrolment of `user_id` with `system_id`; whether there was one.
pub async fn unenroll(pool: &AnyPool, user_id: &str, system_id: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM enrollments WHERE user_id = $1 AND system_id = $2")
        .bind(user_id)
        .bind(system_id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
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
