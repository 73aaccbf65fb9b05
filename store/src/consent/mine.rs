//! The systems that hold a resident's data, with their consent and notice version per purpose.

use super::*;

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
