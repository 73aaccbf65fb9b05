//! Following the register: residents who follow a system, and the notices each change to a
//! system's entry leaves for its followers and for the residents who hold data in it.

use super::*;
use domain::lang::Lang;
use domain::register::SystemNotice;
use domain::requests::{Notice, Placed, Resume};

/// Follows (or stops following) system `slug` for `user_id`. Returns `false` when there is
/// no such system.
pub async fn follow(pool: &AnyPool, user_id: &str, slug: &Slug, follow: bool) -> Result<bool, StoreError> {
    let system: Option<(String,)> = sqlx::query_as("SELECT id FROM systems WHERE slug = $1")
        .bind(slug.as_str())
        .fetch_optional(pool)
        .await?;
    let Some((system_id,)) = system else {
        return Ok(false);
    };
    let sql = if follow {
        "INSERT INTO system_followers (user_id, system_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, system_id) DO NOTHING"
    } else {
        "DELETE FROM system_followers WHERE user_id = $1 AND system_id = $2 AND $3 = $3"
    };
    sqlx::query(sql)
        .bind(user_id)
        .bind(&system_id)
        .bind(now())
        .execute(pool)
        .await?;
    Ok(true)
}

/// Whether `user_id` follows system `slug`.
pub async fn is_following(pool: &AnyPool, user_id: &str, slug: &Slug) -> Result<bool, StoreError> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM system_followers f JOIN systems s ON s.id = f.system_id \
         WHERE f.user_id = $1 AND s.slug = $2",
    )
    .bind(user_id)
    .bind(slug.as_str())
    .fetch_one(pool)
    .await?;
    Ok(n > 0)
}

/// Leaves a notice of version `version` of system `slug` for its followers and the residents
/// who hold data in it, on `conn` (inside the change's transaction).
pub(super) async fn notify_holders(
    conn: &mut AnyConnection,
    slug: &Slug,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(concat!(
        "INSERT INTO register_notifications (id, user_id, system_id, version, at_us) ",
        "SELECT 'sys-' || s.id || '-' || $1 || '-' || u.user_id, u.user_id, s.id, $2, $3 FROM systems s ",
        // Each branch is narrowed to the one system, so no table is read whole.
        "JOIN (SELECT f.user_id FROM system_followers f JOIN systems x ON x.id = f.system_id WHERE x.slug = $4 ",
        "UNION SELECT e.user_id FROM enrollments e JOIN systems x ON x.id = e.system_id WHERE x.slug = $4 ",
        "UNION SELECT c.user_id FROM consents c JOIN purposes p ON p.id = c.purpose_id ",
        "JOIN systems x ON x.id = p.system_id WHERE x.slug = $4) u ON 1 = 1 WHERE s.slug = $4"
    ))
    .bind(version.to_string())
    .bind(version)
    .bind(crate::now_us())
    .bind(slug.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct NoticeRow {
    id: String,
    slug: String,
    record: String,
    version: i64,
    kind: String,
    at_us: i64,
    read_at_us: Option<i64>,
}

/// The resident's notices of register changes after `resume`, newest first (the id
/// breaking ties), at most `fetch_limit(limit)`, names in `lang`: one list of the merged
/// notifications.
pub(crate) async fn notices_after(
    pool: &AnyPool,
    user_id: &str,
    lang: Lang,
    resume: &Resume,
    limit: u32,
) -> Result<Vec<Placed>, StoreError> {
    let rows: Vec<NoticeRow> = sqlx::query_as(concat!(
        "SELECT n.id, s.slug, v.record, n.version, v.kind, n.at_us, n.read_at_us FROM register_notifications n ",
        "JOIN systems s ON s.id = n.system_id ",
        "JOIN system_versions v ON v.system_id = n.system_id AND v.version = n.version ",
        "WHERE n.user_id = $1 AND (n.at_us < $2 OR (n.at_us = $2 AND ($3 = 2 OR ($3 = 1 AND n.id < $4)))) ",
        "ORDER BY n.at_us DESC, n.id DESC LIMIT $5"
    ))
    .bind(user_id)
    .bind(resume.at_us)
    .bind(resume.mode())
    .bind(&resume.id)
    .bind(fetch_limit(limit))
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let record: domain::register::SystemRecord =
                serde_json::from_str(&r.record).map_err(|e| decode_err("system_versions.record", e))?;
            let notice = SystemNotice {
                id: r.id,
                system_slug: r.slug,
                system_name: record.name.get(lang).to_owned(),
                version: r.version,
                kind: code("system_versions.kind", &r.kind)?,
                at: crate::rfc3339_us(r.at_us),
                read: r.read_at_us.is_some(),
            };
            Ok(Placed {
                at_us: r.at_us,
                notice: Notice::Register(notice),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

/// How many of the resident's register notices are unread.
pub async fn unread_notices(pool: &AnyPool, user_id: &str) -> Result<i64, StoreError> {
    crate::notices::unread(pool, crate::notices::Notices::Register, user_id).await
}

/// Marks one of the resident's register notices read, or all of them (`id` `None`).
pub async fn mark_notices_read(pool: &AnyPool, user_id: &str, id: Option<&str>) -> Result<(), StoreError> {
    crate::notices::mark_read(pool, crate::notices::Notices::Register, user_id, id).await
}
