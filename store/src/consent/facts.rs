//! The facts an agency's check or query is decided on, read whole or per changed resident,
//! client or register for the facts held in memory (`live_facts`).

use super::*;
use domain::account::{ApiScope, ResidentNumber};
use domain::decision::index::{ClientFacts, ConsentFact, PurposeFacts, ResidentFacts, SystemFacts};
use sqlx::AnyConnection;

/// What a consent check needs to know about the system and purpose asked about.
#[derive(Debug, Clone, FromRow)]
pub struct TargetFacts {
    pub system_id: String,
    pub agency: String,
    /// `public_space` or `enrollment`.
    pub scope: String,
    /// `planned`, `active` or `retired`.
    pub status: String,
    pub purpose_id: Option<String>,
    pub legal_basis: Option<String>,
}

/// The system with slug `system` (its agency, and the purpose `purpose` if it has one).
pub async fn target(pool: &AnyPool, system: &str, purpose: &str) -> Result<Option<TargetFacts>, StoreError> {
    sqlx::query_as(concat!(
        "SELECT s.id AS system_id, a.slug AS agency, s.scope, s.status, p.id AS purpose_id, p.legal_basis ",
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

/// The facts version now (`facts_head`): every committed change to a decision's facts up to
/// it is in the tables.
pub async fn facts_version(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    let (version,): (i64,) = sqlx::query_as("SELECT version FROM facts_head WHERE id = 'head'")
        .fetch_one(conn)
        .await?;
    Ok(version)
}

/// What changed after `version`, in order: (version, kind, key).
pub async fn fact_changes_since(
    conn: &mut AnyConnection,
    version: i64,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT version, kind, key FROM fact_changes WHERE version > $1 ORDER BY version")
        .bind(version)
        .fetch_all(conn)
        .await
}

/// Forgets the changes older than the newest `keep` (a server further behind reloads).
pub async fn prune_fact_changes(pool: &AnyPool, keep: i64) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "DELETE FROM fact_changes WHERE version <= (SELECT version FROM facts_head WHERE id = 'head') - $1",
    )
    .bind(keep)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

#[derive(FromRow)]
struct RegisterFactRow {
    system_id: String,
    slug: String,
    agency: String,
    status: String,
    scope: String,
    purpose_id: Option<String>,
    key: Option<String>,
    legal_basis: Option<String>,
    material_version: Option<i64>,
}

/// Every system with its agency and purposes.
pub async fn register_facts(conn: &mut AnyConnection) -> Result<Vec<(String, SystemFacts)>, StoreError> {
    let rows: Vec<RegisterFactRow> = sqlx::query_as(concat!(
        "SELECT s.id AS system_id, s.slug, a.slug AS agency, s.status, s.scope, p.id AS purpose_id, ",
        "p.key, p.legal_basis, p.material_version ",
        "FROM systems s JOIN agencies a ON a.id = s.agency_id ",
        "LEFT JOIN purposes p ON p.system_id = s.id"
    ))
    .fetch_all(conn)
    .await?;
    let mut systems: HashMap<String, SystemFacts> = HashMap::new();
    for row in rows {
        let system = match systems.entry(row.slug) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(SystemFacts {
                id: row.system_id,
                agency: row.agency,
                status: code("systems.status", &row.status)?,
                scope: code("systems.scope", &row.scope)?,
                purposes: HashMap::new(),
            }),
        };
        if let (Some(id), Some(key), Some(basis)) = (row.purpose_id, row.key, row.legal_basis) {
            let purpose = PurposeFacts {
                id,
                legal_basis: code("purposes.legal_basis", &basis)?,
                material_version: row.material_version.unwrap_or(1),
            };
            system.purposes.insert(key, purpose);
        }
    }
    Ok(systems.into_iter().collect())
}

/// A resident's facts, keyed by account id.
pub type ResidentEntry = (String, Option<(ResidentNumber, ResidentFacts)>);

/// The facts of the residents whose account ids are `user_ids` (all residents when `None`):
/// for each, `None` when no resident has that id now.
pub async fn resident_facts(
    conn: &mut AnyConnection,
    user_ids: Option<&[String]>,
) -> Result<Vec<ResidentEntry>, StoreError> {
    // One account: four indexed reads. Everyone: four scans, assembled here.
    let only = |column: &str| match user_ids {
        Some(ids) => format!(" AND {column} IN ({})", placeholders(ids.len())),
        None => String::new(),
    };
    let users: Vec<(String, String)> = bound(
        format!(
            "SELECT id, resident_number FROM users WHERE role = 'resident'{}",
            only("id")
        ),
        user_ids,
    )
    .fetch_all(&mut *conn)
    .await?;
    let consents: Vec<(String, String, String, i64)> = bound(
        format!(
            "SELECT c.user_id, c.purpose_id, c.state, e.notice_version FROM consents c \
             JOIN consent_events e ON e.id = c.event_id WHERE 1 = 1{}",
            only("c.user_id")
        ),
        user_ids,
    )
    .fetch_all(&mut *conn)
    .await?;
    let enrolled: Vec<(String, String)> = bound(
        format!(
            "SELECT user_id, system_id FROM enrollments WHERE 1 = 1{}",
            only("user_id")
        ),
        user_ids,
    )
    .fetch_all(&mut *conn)
    .await?;
    let objections: Vec<(String, String)> = bound(
        format!(
            "SELECT user_id, purpose_id FROM upheld_objections WHERE 1 = 1{}",
            only("user_id")
        ),
        user_ids,
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut facts: HashMap<String, (ResidentNumber, ResidentFacts)> = HashMap::with_capacity(users.len());
    for (id, number) in users {
        let Some(number) = ResidentNumber::parse(&number) else {
            tracing::warn!(user = %id, "a resident's number is not valid; no decision will name them");
            continue;
        };
        facts.insert(id, (number, ResidentFacts::default()));
    }
    for (user_id, purpose_id, state, agreed_version) in consents {
        if let Some((_, f)) = facts.get_mut(&user_id) {
            f.consents.push(ConsentFact {
                purpose_id,
                state: state_of(&state),
                agreed_version,
            });
        }
    }
    for (user_id, system) in enrolled {
        if let Some((_, f)) = facts.get_mut(&user_id) {
            f.enrolled.push(system);
        }
    }
    for (user_id, purpose) in objections {
        if let Some((_, f)) = facts.get_mut(&user_id) {
            f.objections.push(purpose);
        }
    }
    Ok(match user_ids {
        Some(ids) => ids.iter().map(|id| (id.clone(), facts.remove(id))).collect(),
        None => facts.into_iter().map(|(id, f)| (id, Some(f))).collect(),
    })
}

/// `sql` with each of `ids` bound in order.
fn bound<'q, T>(
    sql: String,
    ids: Option<&'q [String]>,
) -> sqlx::query::QueryAs<'q, sqlx::Any, T, sqlx::any::AnyArguments>
where
    T: for<'r> FromRow<'r, sqlx::any::AnyRow>,
{
    let mut query = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql));
    for id in ids.unwrap_or(&[]) {
        query = query.bind(id.as_str());
    }
    query
}

/// `$1, $2, ..., $n`.
fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The API clients whose client ids are `client_ids` (all when `None`), each `None` when it
/// does not exist.
pub async fn client_facts(
    conn: &mut AnyConnection,
    client_ids: Option<&[String]>,
) -> Result<Vec<(String, Option<ClientFacts>)>, StoreError> {
    let sql = format!(
        "SELECT c.client_id, a.slug, c.scopes, c.revoked_at, c.secret_rotated_at \
         FROM api_clients c JOIN agencies a ON a.id = c.agency_id{}",
        client_ids.map_or(String::new(), |ids| format!(
            " WHERE c.client_id IN ({})",
            placeholders(ids.len())
        ))
    );
    let mut query =
        sqlx::query_as::<_, (String, String, String, Option<i64>, Option<i64>)>(sqlx::AssertSqlSafe(sql));
    for id in client_ids.unwrap_or(&[]) {
        query = query.bind(id.clone());
    }
    let rows = query.fetch_all(conn).await?;
    let mut found: HashMap<String, ClientFacts> = rows
        .into_iter()
        .map(|(client_id, agency, scopes, revoked_at, rotated)| {
            let scopes = scopes
                .split([',', ' '])
                .filter(|s| !s.is_empty())
                // A scope this server does not know grants nothing.
                .filter_map(|s| s.parse::<ApiScope>().ok())
                .collect();
            let client = ClientFacts {
                agency,
                scopes,
                revoked: revoked_at.is_some(),
                secret_generation: rotated.unwrap_or(0),
            };
            (client_id, client)
        })
        .collect();
    Ok(match client_ids {
        Some(ids) => ids.iter().map(|id| (id.clone(), found.remove(id))).collect(),
        None => found.into_iter().map(|(id, c)| (id, Some(c))).collect(),
    })
}
