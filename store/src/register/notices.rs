//! A purpose's notice versions: a text edit adds a version, which consent events point at.

use super::writing::insert_notice;
use super::*;

/// A purpose's current notice: its version and the text residents read.
#[derive(FromRow)]
struct NoticeRow {
    id: String,
    notice_version: i64,
    legal_basis: String,
    name: String,
    description: String,
}

/// Changes the name and description residents read for a purpose. A change of text makes a
/// new notice version (consents given earlier keep pointing at the version shown then);
/// the same text again changes nothing. Returns the current version, or `None` when the
/// system has no such purpose.
pub async fn revise_purpose_text(
    pool: &AnyPool,
    system: &Slug,
    key: &Slug,
    name: &LocalizedText,
    description: &LocalizedText,
) -> Result<Option<i64>, StoreError> {
    // Read before the transaction (SQLite cannot upgrade a reading transaction under a
    // concurrent writer); a concurrent revision then fails on the notice's primary key.
    let row: Option<NoticeRow> = sqlx::query_as(
        "SELECT p.id, p.notice_version, p.legal_basis, p.name, p.description FROM purposes p \
         JOIN systems s ON s.id = p.system_id WHERE s.slug = $1 AND p.key = $2",
    )
    .bind(system.as_str())
    .bind(key.as_str())
    .fetch_optional(pool)
    .await?;
    let Some(NoticeRow {
        id,
        notice_version: version,
        legal_basis,
        name: old_name,
        description: old_description,
    }) = row
    else {
        return Ok(None);
    };
    if text("purposes.name", &old_name)? == *name
        && text("purposes.description", &old_description)? == *description
    {
        return Ok(Some(version));
    }
    let categories = purpose_categories(pool, &id).await?;
    let revised = Purpose {
        key: key.clone(),
        legal_basis: code("purposes.legal_basis", &legal_basis)?,
        categories,
        name: name.clone(),
        description: description.clone(),
    };
    let next = version + 1;
    let mut tx = crate::db::begin(pool).await?;
    insert_notice(&mut tx, &id, next, &revised, "").await?;
    sqlx::query(
        "UPDATE purposes SET name = $1, description = $2, notice_version = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(to_json(name)?)
    .bind(to_json(description)?)
    .bind(next)
    .bind(now())
    .bind(&id)
    .execute(&mut *tx)
    .await?;
    super::record_version(&mut tx, system).await?;
    tx.commit().await?;
    Ok(Some(next))
}
