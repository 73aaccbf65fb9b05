//! The systems that hold a resident's data, with their consent and notice version per purpose.

use super::*;

/// A resident's current consent for one purpose.
#[derive(Debug, Clone, Default)]
struct Current {
    state: Option<ConsentState>,
    /// For a grant the purpose changed materially since: what changed, and the categories added.
    changes: Vec<MaterialChange>,
    added: Vec<DataCategory>,
}

#[derive(FromRow)]
struct CurrentRow {
    slug: String,
    key: String,
    state: String,
    purpose_id: String,
    agreed_version: i64,
    material_version: i64,
}

/// The current consent of `user_id` for every purpose they ever chose on, keyed by
/// (system slug, purpose key), with what changed since a grant that is now stale.
async fn current_consents(
    pool: &AnyPool,
    user_id: &str,
) -> Result<HashMap<(String, String), Current>, sqlx::Error> {
    let rows: Vec<CurrentRow> = sqlx::query_as(concat!(
        "SELECT s.slug, p.key, c.state, p.id AS purpose_id, e.notice_version AS agreed_version, ",
        "p.material_version FROM consents c JOIN consent_events e ON e.id = c.event_id ",
        "JOIN purposes p ON p.id = c.purpose_id JOIN systems s ON s.id = p.system_id ",
        "WHERE c.user_id = $1"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for row in rows {
        let state = state_of(&row.state);
        let mut current = Current {
            state: Some(state),
            ..Current::default()
        };
        if state == ConsentState::Given && !grant_stands(row.agreed_version, row.material_version) {
            (current.changes, current.added) =
                changes_since(pool, &row.purpose_id, row.agreed_version).await?;
        }
        out.insert((row.slug, row.key), current);
    }
    Ok(out)
}

/// What changed materially in purpose `purpose_id`'s notice after version `agreed`, and the
/// data categories it uses now that it did not then.
async fn changes_since(
    pool: &AnyPool,
    purpose_id: &str,
    agreed: i64,
) -> Result<(Vec<MaterialChange>, Vec<DataCategory>), sqlx::Error> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT version, changes, categories FROM purpose_notices WHERE purpose_id = $1 AND version >= $2 ORDER BY version",
    )
    .bind(purpose_id)
    .bind(agreed)
    .fetch_all(pool)
    .await?;
    let categories = |text: &str| -> Result<Vec<DataCategory>, sqlx::Error> {
        text.split_whitespace()
            .map(|c| code::<DataCategory, _>("purpose_notices.categories", c))
            .collect()
    };
    let mut changes: Vec<MaterialChange> = Vec::new();
    for (_, codes, _) in rows.iter().filter(|(v, _, _)| *v > agreed) {
        for c in codes.split_whitespace() {
            let change = code::<MaterialChange, _>("purpose_notices.changes", c)?;
            if !changes.contains(&change) {
                changes.push(change);
            }
        }
    }
    changes.sort();
    let then = rows
        .first()
        .map(|(_, _, c)| categories(c))
        .transpose()?
        .unwrap_or_default();
    let now = rows
        .last()
        .map(|(_, _, c)| categories(c))
        .transpose()?
        .unwrap_or_default();
    let added = now.into_iter().filter(|c| !then.contains(c)).collect();
    Ok((changes, added))
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
                .map(|p| {
                    let current = consents
                        .get(&(system.slug.as_str().to_owned(), p.key.as_str().to_owned()))
                        .cloned()
                        .unwrap_or_default();
                    MyPurpose {
                        key: p.key.as_str().to_owned(),
                        name: p.name.get(lang).to_owned(),
                        description: p.description.get(lang).to_owned(),
                        legal_basis: p.legal_basis,
                        categories: p.categories.clone(),
                        consent: current.state.unwrap_or(ConsentState::NeverAsked),
                        notice_version: versions
                            .get(&(system.slug.as_str().to_owned(), p.key.as_str().to_owned()))
                            .copied()
                            .unwrap_or(1),
                        changed_since_consent: current.changes,
                        categories_added: current.added,
                    }
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
