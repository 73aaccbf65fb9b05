//! The breach register: incidents, the regulator decision, the affected residents computed
//! from enrolments and the decision log, their notices, and the public list of closed
//! incidents. Every step writes its audit row in its own transaction, guarded by the status
//! it was decided on.

use crate::audit::{Actor, AuditEntry};
use crate::{StoreError, from_json, new_id, now_us, to_json};
use domain::account::CurrentUser;
use domain::breaches::{BreachRefused, BreachStatus, IncidentInput, RegulatorDecision};
use domain::register::{DataCategory, Slug};
use sqlx::{AnyConnection, AnyPool};
use std::collections::BTreeMap;

type Refusable<T> = Result<Result<T, BreachRefused>, StoreError>;

/// An incident as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Breach {
    pub id: String,
    pub title: String,
    pub description: String,
    pub detected_at_us: i64,
    pub window_start_us: i64,
    pub window_end_us: i64,
    pub systems: Vec<Slug>,
    pub data_categories: Vec<DataCategory>,
    pub containment: String,
    pub status: BreachStatus,
    pub agency: Option<String>,
    pub regulator_decision: Option<RegulatorDecision>,
    pub regulator_reasons: Option<String>,
    pub decided_at_us: Option<i64>,
    pub consequences: Option<String>,
    pub measures: Option<String>,
    pub records_estimate: Option<i64>,
    pub affected_count: Option<i64>,
    pub notified_at_us: Option<i64>,
    pub public_summary: Option<String>,
    pub closed_at_us: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct BreachRow {
    id: String,
    title: String,
    description: String,
    detected_at_us: i64,
    window_start_us: i64,
    window_end_us: i64,
    systems: String,
    data_categories: String,
    containment: String,
    status: String,
    agency_slug: Option<String>,
    regulator_decision: Option<String>,
    regulator_reasons: Option<String>,
    decided_at_us: Option<i64>,
    consequences: Option<String>,
    measures: Option<String>,
    records_estimate: Option<i64>,
    affected_count: Option<i64>,
    notified_at_us: Option<i64>,
    public_summary: Option<String>,
    closed_at_us: Option<i64>,
}

macro_rules! breach_select {
    () => {
        "SELECT id, title, description, detected_at_us, window_start_us, window_end_us, systems, \
         data_categories, containment, status, agency_slug, regulator_decision, regulator_reasons, \
         decided_at_us, consequences, measures, records_estimate, affected_count, notified_at_us, \
         public_summary, closed_at_us FROM breaches"
    };
}

impl TryFrom<BreachRow> for Breach {
    type Error = sqlx::Error;
    fn try_from(r: BreachRow) -> Result<Breach, sqlx::Error> {
        Ok(Breach {
            systems: from_json("breaches.systems", &r.systems)?,
            data_categories: from_json("breaches.data_categories", &r.data_categories)?,
            status: crate::code("breaches.status", &r.status)?,
            regulator_decision: r
                .regulator_decision
                .map(|d| crate::code("breaches.regulator_decision", &d))
                .transpose()?,
            id: r.id,
            title: r.title,
            description: r.description,
            detected_at_us: r.detected_at_us,
            window_start_us: r.window_start_us,
            window_end_us: r.window_end_us,
            containment: r.containment,
            agency: r.agency_slug,
            regulator_reasons: r.regulator_reasons,
            decided_at_us: r.decided_at_us,
            consequences: r.consequences,
            measures: r.measures,
            records_estimate: r.records_estimate,
            affected_count: r.affected_count,
            notified_at_us: r.notified_at_us,
            public_summary: r.public_summary,
            closed_at_us: r.closed_at_us,
        })
    }
}

/// Who opens an incident.
#[derive(Debug, Clone, Copy)]
pub enum Opener<'a> {
    Officer(&'a CurrentUser),
    /// An agency's API client: only the agency's own systems.
    Agency {
        client_id: &'a str,
        agency: &'a str,
    },
}

/// Opens an incident (checked input), with its audit row. An agency may name only systems
/// it runs; a system that does not exist (or is another agency's) is `NotFound`.
pub async fn open(pool: &AnyPool, input: &IncidentInput, opener: Opener<'_>) -> Refusable<String> {
    let mut tx = crate::db::begin(pool).await?;
    for slug in &input.systems {
        let owner: Option<(String,)> = sqlx::query_as(
            "SELECT a.slug FROM systems s JOIN agencies a ON a.id = s.agency_id WHERE s.slug = $1",
        )
        .bind(slug.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let allowed = match (&owner, opener) {
            (None, _) => false,
            (Some(_), Opener::Officer(_)) => true,
            (Some((owner,)), Opener::Agency { agency, .. }) => owner == agency,
        };
        if !allowed {
            return Ok(Err(BreachRefused::NotFound));
        }
    }
    let id = new_id();
    let (opened_by, agency, actor) = match opener {
        Opener::Officer(user) => (format!("officer:{}", user.id), None, Actor::Staff(user)),
        Opener::Agency { client_id, agency } => (
            format!("client:{client_id}"),
            Some(agency),
            Actor::Agency { client_id, agency },
        ),
    };
    sqlx::query(
        "INSERT INTO breaches (id, title, description, detected_at_us, window_start_us, window_end_us, \
         systems, data_categories, containment, status, opened_by, agency_slug, created_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11, $12)",
    )
    .bind(&id)
    .bind(&input.title)
    .bind(&input.description)
    .bind(input.detected_at_us)
    .bind(input.window_start_us)
    .bind(input.window_end_us)
    .bind(to_json(&input.systems)?)
    .bind(to_json(&input.data_categories)?)
    .bind(&input.containment)
    .bind(&opened_by)
    .bind(agency)
    .bind(now_us())
    .execute(&mut *tx)
    .await?;
    audit(&mut tx, actor, "open_breach", &format!("{id}: {}", input.title)).await?;
    tx.commit().await?;
    Ok(Ok(id))
}

async fn audit(
    conn: &mut AnyConnection,
    actor: Actor<'_>,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    let entry = AuditEntry {
        actor,
        action,
        request_id: None,
        detail,
    };
    crate::audit::record(conn, &entry).await?;
    Ok(())
}

/// Every incident, the open ones first, then by time detected (newest first).
pub async fn all(pool: &AnyPool) -> Result<Vec<Breach>, StoreError> {
    let rows: Vec<BreachRow> = sqlx::query_as(concat!(
        breach_select!(),
        " ORDER BY CASE WHEN status = 'closed' THEN 1 ELSE 0 END, detected_at_us DESC, id"
    ))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Breach::try_from).collect::<Result<_, _>>()?)
}

/// The closed incidents, newest first: the public list.
pub async fn closed(pool: &AnyPool) -> Result<Vec<Breach>, StoreError> {
    let rows: Vec<BreachRow> = sqlx::query_as(concat!(
        breach_select!(),
        " WHERE status = 'closed' ORDER BY detected_at_us DESC, id"
    ))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Breach::try_from).collect::<Result<_, _>>()?)
}

/// Incident `id`, if any.
pub async fn get(pool: &AnyPool, id: &str) -> Result<Option<Breach>, StoreError> {
    let mut conn = pool.acquire().await?;
    load(&mut conn, id).await
}

async fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<Breach>, StoreError> {
    let row: Option<BreachRow> = sqlx::query_as(concat!(breach_select!(), " WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Breach::try_from).transpose()?)
}

/// A resident an incident affects.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Affected {
    pub user_id: String,
    pub name: String,
    pub resident_number: String,
    pub lang: String,
    pub postal_address: Option<String>,
    /// Enrolled with one of the systems.
    pub enrolled: bool,
    /// Named in the decision log for one of the systems within the window.
    pub queried: bool,
}

/// The residents `breach` affects, computed, not guessed: enrolled with one of its systems,
/// or named in the decision log about one of them within its window. Erased accounts are
/// left out (nobody is there to tell).
pub async fn affected(conn: &mut AnyConnection, breach: &Breach) -> Result<Vec<Affected>, StoreError> {
    let mut found: BTreeMap<String, Affected> = BTreeMap::new();
    for system in &breach.systems {
        let enrolled: Vec<(String, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT u.id, u.display_name, u.resident_number, u.lang, u.postal_address FROM enrollments e \
             JOIN systems s ON s.id = e.system_id JOIN users u ON u.id = e.user_id \
             WHERE s.slug = $1 AND u.erased_at IS NULL",
        )
        .bind(system.as_str())
        .fetch_all(&mut *conn)
        .await?;
        let queried: Vec<(String, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT DISTINCT u.id, u.display_name, u.resident_number, u.lang, u.postal_address FROM decision_log d \
             JOIN users u ON u.id = d.user_id \
             WHERE d.system = $1 AND d.at_us >= $2 AND d.at_us < $3 AND u.erased_at IS NULL",
        )
        .bind(system.as_str())
        .bind(breach.window_start_us)
        .bind(breach.window_end_us)
        .fetch_all(&mut *conn)
        .await?;
        for (rows, is_enrolled) in [(enrolled, true), (queried, false)] {
            for (user_id, name, resident_number, lang, postal_address) in rows {
                let entry = found.entry(user_id.clone()).or_insert(Affected {
                    user_id,
                    name,
                    resident_number,
                    lang,
                    postal_address,
                    enrolled: false,
                    queried: false,
                });
                if is_enrolled {
                    entry.enrolled = true;
                } else {
                    entry.queried = true;
                }
            }
        }
    }
    Ok(found.into_values().collect())
}

/// The residents incident `id` affects, computed now.
pub async fn affected_of(pool: &AnyPool, id: &str) -> Result<Option<Vec<Affected>>, StoreError> {
    let mut conn = pool.acquire().await?;
    let Some(breach) = load(&mut conn, id).await? else {
        return Ok(None);
    };
    Ok(Some(affected(&mut conn, &breach).await?))
}

/// What the officer records with the regulator decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionInput {
    pub decision: RegulatorDecision,
    pub reasons: String,
    pub consequences: String,
    pub measures: String,
    pub records_estimate: Option<i64>,
}

/// Records the regulator decision on an open incident (audited; refused if it moved on).
pub async fn decide(pool: &AnyPool, officer: &CurrentUser, id: &str, input: &DecisionInput) -> Refusable<()> {
    let mut tx = crate::db::begin(pool).await?;
    let Some(breach) = load(&mut tx, id).await? else {
        return Ok(Err(BreachRefused::NotFound));
    };
    let reasons = match domain::breaches::decide(breach.status, input.decision, &input.reasons) {
        Ok(reasons) => reasons,
        Err(refused) => return Ok(Err(refused)),
    };
    let done = sqlx::query(
        "UPDATE breaches SET status = 'decided', regulator_decision = $1, regulator_reasons = $2, decided_at_us = $3, \
         consequences = $4, measures = $5, records_estimate = $6 WHERE id = $7 AND status = 'open'",
    )
    .bind(input.decision.code())
    .bind(&reasons)
    .bind(now_us())
    .bind(input.consequences.trim())
    .bind(input.measures.trim())
    .bind(input.records_estimate)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(BreachRefused::Stage("changed meanwhile".to_owned())));
    }
    let detail = format!("{id}: {}", input.decision.code());
    audit(&mut tx, Actor::Staff(officer), "decide_breach", &detail).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Notifies the affected residents of incident `id`: computes them again inside the
/// transaction, refuses unless `confirmed` equals that count, then writes one notice per
/// resident, the count and the status, with the audit row, together. Returns the count.
pub async fn notify(pool: &AnyPool, officer: &CurrentUser, id: &str, confirmed: i64) -> Refusable<i64> {
    let mut tx = crate::db::begin(pool).await?;
    let Some(breach) = load(&mut tx, id).await? else {
        return Ok(Err(BreachRefused::NotFound));
    };
    let residents = affected(&mut tx, &breach).await?;
    let computed = i64::try_from(residents.len()).unwrap_or(i64::MAX);
    if let Err(refused) = domain::breaches::may_notify(breach.status, confirmed, computed) {
        return Ok(Err(refused));
    }
    let at = now_us();
    for resident in &residents {
        sqlx::query("INSERT INTO breach_notices (breach_id, user_id, created_at_us) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(&resident.user_id)
            .bind(at)
            .execute(&mut *tx)
            .await?;
    }
    let done = sqlx::query(
        "UPDATE breaches SET status = 'residents_notified', affected_count = $1, notified_at_us = $2 \
         WHERE id = $3 AND status = 'decided'",
    )
    .bind(computed)
    .bind(at)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(BreachRefused::Stage("changed meanwhile".to_owned())));
    }
    audit(
        &mut tx,
        Actor::Staff(officer),
        "notify_breach",
        &format!("{id}: {computed} residents"),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(computed))
}

/// Closes incident `id` with its public summary (audited).
pub async fn close(pool: &AnyPool, officer: &CurrentUser, id: &str, summary: &str) -> Refusable<()> {
    let mut tx = crate::db::begin(pool).await?;
    let Some(breach) = load(&mut tx, id).await? else {
        return Ok(Err(BreachRefused::NotFound));
    };
    let affected = match breach.affected_count {
        Some(n) => Some(n),
        None => Some(i64::try_from(affected(&mut tx, &breach).await?.len()).unwrap_or(i64::MAX)),
    };
    let summary = match domain::breaches::may_close(breach.status, affected, summary) {
        Ok(summary) => summary,
        Err(refused) => return Ok(Err(refused)),
    };
    let done = sqlx::query(
        "UPDATE breaches SET status = 'closed', public_summary = $1, closed_at_us = $2, \
         affected_count = COALESCE(affected_count, $3) WHERE id = $4 AND status = $5",
    )
    .bind(&summary)
    .bind(now_us())
    .bind(affected)
    .bind(id)
    .bind(breach.status.code())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(BreachRefused::Stage("changed meanwhile".to_owned())));
    }
    audit(&mut tx, Actor::Staff(officer), "close_breach", id).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// The incidents resident `user_id` was told of, newest first.
pub async fn resident_notices(pool: &AnyPool, user_id: &str) -> Result<Vec<Breach>, StoreError> {
    let rows: Vec<BreachRow> = sqlx::query_as(concat!(
        breach_select!(),
        " WHERE id IN (SELECT breach_id FROM breach_notices WHERE user_id = $1) ORDER BY detected_at_us DESC, id"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Breach::try_from).collect::<Result<_, _>>()?)
}
