//! Writing the register: the city's name, agencies, systems, purposes and their first notices.

use super::*;

/// Records the city's name.
pub async fn set_city_name(tx: &mut Transaction<'_, Any>, name: &LocalizedText) -> Result<(), StoreError> {
    sqlx::query(concat!(
        "INSERT INTO city (id, name, updated_at) VALUES ('city', $1, $2) ",
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at"
    ))
    .bind(to_json(name)?)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Adds an agency and returns its id.
pub async fn insert_agency(tx: &mut Transaction<'_, Any>, agency: &Agency) -> Result<String, StoreError> {
    let id = new_id();
    let at = now();
    sqlx::query(
        "INSERT INTO agencies (id, slug, public_authority, name, description, dpo_email, website, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(&id)
    .bind(agency.slug.as_str())
    .bind(i64::from(agency.public_authority))
    .bind(to_json(&agency.name)?)
    .bind(to_json(&agency.description)?)
    .bind(&agency.dpo_email)
    .bind(&agency.website)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Adds a system with its purposes, run by the agency with id `agency_id`.
pub async fn insert_system(
    tx: &mut Transaction<'_, Any>,
    agency_id: &str,
    system: &System,
) -> Result<String, StoreError> {
    let id = new_id();
    let at = now();
    sqlx::query(concat!(
        "INSERT INTO systems (",
        system_columns!(),
        ", created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, $16, $17, $18, $19, $20, $21, $21)"
    ))
    .bind(&id)
    .bind(system.slug.as_str())
    .bind(agency_id)
    .bind(system.technology.code())
    .bind(system.status.code())
    .bind(system.scope.code())
    .bind(i64::from(system.identifies_people))
    .bind(i64::from(system.algorithmic_decisions))
    .bind(&system.reviewed_on)
    .bind(system.retention_days)
    .bind(to_json(&system.name)?)
    .bind(to_json(&system.description)?)
    .bind(to_json(&system.location)?)
    .bind(to_json(&system.data_subjects)?)
    .bind(to_json(&system.retention)?)
    .bind(to_json(&system.access)?)
    .bind(to_json(&system.recipients)?)
    .bind(to_json(&system.transfers)?)
    .bind(to_json(&system.security)?)
    .bind(system.algorithm.as_ref().map(to_json).transpose()?)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    for (position, purpose) in system.purposes.iter().enumerate() {
        insert_purpose(tx, &id, position, purpose).await?;
    }
    Ok(id)
}

pub(super) async fn insert_purpose(
    tx: &mut Transaction<'_, Any>,
    system_id: &str,
    position: usize,
    purpose: &Purpose,
) -> Result<(), sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO purposes (id, system_id, key, position, legal_basis, name, description, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(&id)
    .bind(system_id)
    .bind(purpose.key.as_str())
    .bind(i64::try_from(position).unwrap_or(i64::MAX))
    .bind(purpose.legal_basis.code())
    .bind(to_json(&purpose.name)?)
    .bind(to_json(&purpose.description)?)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    set_categories(tx, &id, &purpose.categories).await?;
    insert_notice(tx, &id, 1, purpose, "").await
}

/// Sets the data categories of purpose `purpose_id` to `categories` (replacing any).
pub(super) async fn set_categories(
    tx: &mut Transaction<'_, Any>,
    purpose_id: &str,
    categories: &[DataCategory],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM purpose_categories WHERE purpose_id = $1")
        .bind(purpose_id)
        .execute(&mut **tx)
        .await?;
    for category in categories {
        sqlx::query("INSERT INTO purpose_categories (purpose_id, category) VALUES ($1, $2)")
            .bind(purpose_id)
            .bind(category.code())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Records version `version` of the notice of purpose `purpose_id`: what residents are
/// shown, and what changed materially since the previous version (codes, space-separated).
pub(super) async fn insert_notice(
    tx: &mut Transaction<'_, Any>,
    purpose_id: &str,
    version: i64,
    purpose: &Purpose,
    changes: &str,
) -> Result<(), sqlx::Error> {
    let categories: Vec<&str> = purpose.categories.iter().map(|c| c.code()).collect();
    sqlx::query(
        "INSERT INTO purpose_notices (purpose_id, version, legal_basis, name, description, categories, \
         changes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(purpose_id)
    .bind(version)
    .bind(purpose.legal_basis.code())
    .bind(to_json(&purpose.name)?)
    .bind(to_json(&purpose.description)?)
    .bind(categories.join(" "))
    .bind(changes)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
