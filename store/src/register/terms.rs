//! Changing what a purpose's notice says beyond its wording: the data categories a purpose
//! uses, and the system's recipients and retention. Each change makes a new notice version;
//! a material one (`domain::consent::material_changes`) also moves the purpose's
//! `material_version`, which makes grants on older versions stale.

use super::writing::insert_notice;
use super::*;
use domain::consent::{MaterialChange, Terms, material_changes};

/// The id and current notice version of purpose `key` of the system with id `system_id`.
async fn purpose_row(
    tx: &mut Transaction<'_, Any>,
    system_slug: &Slug,
    key: &Slug,
) -> Result<Option<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id, p.notice_version FROM purposes p JOIN systems s ON s.id = p.system_id \
         WHERE s.slug = $1 AND p.key = $2",
    )
    .bind(system_slug.as_str())
    .bind(key.as_str())
    .fetch_optional(&mut **tx)
    .await
}

/// Records the next notice version of `purpose` (as it now reads) with what changed
/// materially; a material change also becomes the purpose's `material_version`.
pub(super) async fn next_version(
    tx: &mut Transaction<'_, Any>,
    system_slug: &Slug,
    purpose: &Purpose,
    changes: &[MaterialChange],
) -> Result<i64, StoreError> {
    let (id, version) = purpose_row(tx, system_slug, &purpose.key)
        .await?
        .ok_or_else(|| decode_err("purposes.key", "the purpose disappeared"))?;
    let next = version + 1;
    let codes: Vec<&str> = changes.iter().map(|c| c.code()).collect();
    insert_notice(tx, &id, next, purpose, &codes.join(" ")).await?;
    let material = if changes.is_empty() {
        "material_version"
    } else {
        "$1"
    };
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE purposes SET notice_version = $1, material_version = {material}, updated_at = $2 WHERE id = $3"
    )))
    .bind(next)
    .bind(now())
    .bind(&id)
    .execute(&mut **tx)
    .await?;
    Ok(next)
}

/// Sets the data categories purpose `key` of `system` uses. Returns the material changes
/// (empty when none), or `None` when there is no such purpose.
pub async fn revise_purpose_categories(
    pool: &AnyPool,
    system: &Slug,
    key: &Slug,
    categories: &[DataCategory],
) -> Result<Option<Vec<MaterialChange>>, StoreError> {
    let Some(found) = super::system(pool, system).await? else {
        return Ok(None);
    };
    let Some(purpose) = found.purposes.iter().find(|p| &p.key == key) else {
        return Ok(None);
    };
    let mut categories = categories.to_vec();
    categories.sort();
    categories.dedup();
    if categories == purpose.categories {
        return Ok(Some(Vec::new()));
    }
    let revised = Purpose {
        categories: categories.clone(),
        ..purpose.clone()
    };
    let changes = material_changes(&Terms::of(&found, purpose), &Terms::of(&found, &revised));
    let mut tx = crate::db::begin(pool).await?;
    let (id, _) = purpose_row(&mut tx, system, key)
        .await?
        .ok_or_else(|| decode_err("purposes.key", "the purpose disappeared"))?;
    super::writing::set_categories(&mut tx, &id, &categories).await?;
    next_version(&mut tx, system, &revised, &changes).await?;
    super::record_version(&mut tx, system).await?;
    tx.commit().await?;
    Ok(Some(changes))
}

/// What a system tells about where data goes and how long it stays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemTerms {
    pub recipients: LocalizedText,
    pub retention: LocalizedText,
    pub retention_days: Option<i64>,
}

/// Sets `system`'s recipients and retention; every purpose gets a new notice version, and
/// the material changes (the same for every purpose) are returned. `None` when there is no
/// such system.
pub async fn revise_system_terms(
    pool: &AnyPool,
    system: &Slug,
    terms: &SystemTerms,
) -> Result<Option<Vec<MaterialChange>>, StoreError> {
    let Some(found) = super::system(pool, system).await? else {
        return Ok(None);
    };
    let revised = System {
        recipients: terms.recipients.clone(),
        retention: terms.retention.clone(),
        retention_days: terms.retention_days,
        ..found.clone()
    };
    let mut tx = crate::db::begin(pool).await?;
    sqlx::query("UPDATE systems SET recipients = $1, retention = $2, retention_days = $3, updated_at = $4 WHERE slug = $5")
        .bind(to_json(&terms.recipients)?)
        .bind(to_json(&terms.retention)?)
        .bind(terms.retention_days)
        .bind(now())
        .bind(system.as_str())
        .execute(&mut *tx)
        .await?;
    let mut all = Vec::new();
    for purpose in &found.purposes {
        let changes = material_changes(&Terms::of(&found, purpose), &Terms::of(&revised, purpose));
        next_version(&mut tx, system, purpose, &changes).await?;
        all = changes;
    }
    super::record_version(&mut tx, system).await?;
    tx.commit().await?;
    Ok(Some(all))
}
