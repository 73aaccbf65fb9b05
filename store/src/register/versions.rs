//! The versions of each system: one row per saved change, written in the change's
//! transaction, read for the public history and the change feed.

use super::*;
use domain::paging::{Cursor, Page, fetch_limit};
use domain::register::{DeviceRecord, SystemRecord, VersionKind};

/// A stored version, with the one before it (for what changed).
#[derive(Debug, Clone)]
pub struct StoredVersion {
    pub system_slug: String,
    pub version: i64,
    pub at_us: i64,
    pub kind: VersionKind,
    pub record: SystemRecord,
    pub previous: Option<SystemRecord>,
    /// The system's located devices in this version, and in the one before (empty where a
    /// version predates devices being kept).
    pub devices: Vec<DeviceRecord>,
    pub previous_devices: Vec<DeviceRecord>,
}

#[derive(FromRow)]
struct VersionRow {
    slug: String,
    version: i64,
    at_us: i64,
    kind: String,
    record: String,
    previous: Option<String>,
    devices: Option<String>,
    previous_devices: Option<String>,
}

fn devices_of(json: Option<&str>) -> Result<Vec<DeviceRecord>, sqlx::Error> {
    json.map_or(Ok(Vec::new()), |json| {
        serde_json::from_str(json).map_err(|e| decode_err("system_versions.devices", e))
    })
}

impl VersionRow {
    fn into_version(self) -> Result<StoredVersion, sqlx::Error> {
        let record = |json: &str| {
            serde_json::from_str::<SystemRecord>(json).map_err(|e| decode_err("system_versions.record", e))
        };
        Ok(StoredVersion {
            kind: code("system_versions.kind", &self.kind)?,
            record: record(&self.record)?,
            previous: self.previous.as_deref().map(record).transpose()?,
            devices: devices_of(self.devices.as_deref())?,
            previous_devices: devices_of(self.previous_devices.as_deref())?,
            system_slug: self.slug,
            version: self.version,
            at_us: self.at_us,
        })
    }
}

impl StoredVersion {
    /// The version as a reader of `lang` sees it.
    pub fn view(&self, lang: domain::lang::Lang) -> domain::register::VersionView {
        domain::register::VersionView {
            version: self.version,
            at: crate::rfc3339_us(self.at_us),
            kind: self.kind,
            system_slug: self.system_slug.clone(),
            system_name: self.record.name.get(lang).to_owned(),
            changes: self
                .previous
                .as_ref()
                .map(|before| {
                    let mut changes = domain::register::field_changes(before, &self.record, lang);
                    changes.extend(domain::register::device_changes(
                        &self.previous_devices,
                        &self.devices,
                        lang,
                    ));
                    changes
                })
                .unwrap_or_default(),
        }
    }
}

const VERSIONS: &str = concat!(
    "SELECT s.slug, v.version, v.at_us, v.kind, v.record, p.record AS previous, v.devices, ",
    "p.devices AS previous_devices FROM system_versions v ",
    "JOIN systems s ON s.id = v.system_id ",
    "LEFT JOIN system_versions p ON p.system_id = v.system_id AND p.version = v.version - 1 "
);

/// Records the next version of system `slug` as it now stands on `conn` (inside the
/// change's transaction), with its located devices. Nothing is recorded when it reads as the
/// latest version does.
pub async fn record_version(conn: &mut AnyConnection, slug: &Slug) -> Result<(), StoreError> {
    let Some(system) = load_systems(conn, Some(slug)).await?.pop() else {
        return Err(decode_err("systems.slug", "the system disappeared").into());
    };
    let record = SystemRecord::of(&system);
    let devices = devices_json(conn, slug).await?;
    let latest: Option<(i64, String, Option<String>)> = sqlx::query_as(concat!(
        "SELECT v.version, v.record, v.devices FROM systems s JOIN system_versions v ON v.system_id = s.id ",
        "WHERE s.slug = $1 ORDER BY v.version DESC LIMIT 1"
    ))
    .bind(slug.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let previous = latest
        .as_ref()
        .map(|(_, json, _)| serde_json::from_str::<SystemRecord>(json))
        .transpose()
        .map_err(|e| decode_err("system_versions.record", e))?;
    let previous_devices = latest.as_ref().map(|(_, _, d)| d.as_deref().unwrap_or("[]"));
    if previous.as_ref() == Some(&record) && previous_devices == Some(devices.as_str()) {
        return Ok(());
    }
    let kind = VersionKind::of(previous.as_ref(), &record);
    let version = latest.map_or(1, |(v, _, _)| v + 1);
    sqlx::query(concat!(
        "INSERT INTO system_versions (system_id, version, at_us, kind, record, devices) ",
        "SELECT id, $1, $2, $3, $4, $5 FROM systems WHERE slug = $6"
    ))
    .bind(version)
    .bind(crate::now_us())
    .bind(kind.code())
    .bind(serde_json::to_string(&record).map_err(|e| decode_err("system_versions.record", e))?)
    .bind(devices)
    .bind(slug.as_str())
    .execute(&mut *conn)
    .await?;
    if kind != VersionKind::Added {
        super::following::notify_holders(conn, slug, version).await?;
    }
    Ok(())
}

/// System `slug`'s devices as a version keeps them: the register file's records, by code.
async fn devices_json(conn: &mut AnyConnection, slug: &Slug) -> Result<String, StoreError> {
    let devices: Vec<DeviceRecord> = crate::street::system_devices(&mut *conn, slug)
        .await?
        .iter()
        .map(DeviceRecord::of)
        .collect();
    Ok(serde_json::to_string(&devices).map_err(|e| decode_err("system_versions.devices", e))?)
}

/// Gives every system without a version its first one (its state now, dated when it was
/// entered): systems from before versions were kept. Returns how many.
pub async fn adopt_unversioned(pool: &AnyPool) -> Result<u64, StoreError> {
    let slugs: Vec<(String, i64)> = sqlx::query_as(concat!(
        "SELECT s.slug, s.created_at FROM systems s ",
        "WHERE NOT EXISTS (SELECT 1 FROM system_versions v WHERE v.system_id = s.id)"
    ))
    .fetch_all(pool)
    .await?;
    for (slug, created_at) in &slugs {
        let slug = Slug::parse(slug).map_err(|e| decode_err("systems.slug", e))?;
        let mut tx = crate::db::begin(pool).await?;
        let Some(system) = load_systems(&mut tx, Some(&slug)).await?.pop() else {
            continue;
        };
        let devices = devices_json(&mut tx, &slug).await?;
        sqlx::query(concat!(
            "INSERT INTO system_versions (system_id, version, at_us, kind, record, devices) ",
            "SELECT id, 1, $1, 'added', $2, $4 FROM systems WHERE slug = $3 ",
            "AND NOT EXISTS (SELECT 1 FROM system_versions v WHERE v.system_id = systems.id)"
        ))
        .bind(created_at.saturating_mul(1_000_000))
        .bind(
            serde_json::to_string(&SystemRecord::of(&system))
                .map_err(|e| decode_err("system_versions.record", e))?,
        )
        .bind(slug.as_str())
        .bind(devices)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    Ok(slugs.len() as u64)
}

/// Every version of system `slug`, newest first.
pub async fn history(pool: &AnyPool, slug: &Slug) -> Result<Vec<StoredVersion>, StoreError> {
    let rows: Vec<VersionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{VERSIONS} WHERE s.slug = $1 ORDER BY v.version DESC"
    )))
    .bind(slug.as_str())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(VersionRow::into_version)
        .collect::<Result<_, _>>()?)
}

/// The latest `limit` versions of any system, newest first: the register's change feed
/// as the pages and the Atom feed show it.
pub async fn changes(pool: &AnyPool, limit: i64) -> Result<Vec<StoredVersion>, StoreError> {
    let limit = u32::try_from(limit).unwrap_or(u32::MAX);
    Ok(changes_page(pool, limit, None).await?.items)
}

/// One page of the change feed, newest first (by time, then slug, then the later version
/// first): at most `limit` versions, after `after` (a `CHANGE_CURSOR`) if given.
pub async fn changes_page(
    pool: &AnyPool,
    limit: u32,
    after: Option<&Cursor>,
) -> Result<Page<StoredVersion>, StoreError> {
    let rows: Vec<VersionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{VERSIONS} WHERE ($1 = 0 OR v.at_us < $2 OR (v.at_us = $2 AND (s.slug > $3 \
         OR (s.slug = $3 AND v.version < $4)))) \
         ORDER BY v.at_us DESC, s.slug, v.version DESC LIMIT $5"
    )))
    .bind(i64::from(after.is_some()))
    .bind(after.map_or(0, |c| c.number(0)))
    .bind(after.map_or("", |c| c.part(1)))
    .bind(after.map_or(0, |c| c.number(2)))
    .bind(fetch_limit(limit))
    .fetch_all(pool)
    .await?;
    let versions = rows
        .into_iter()
        .map(VersionRow::into_version)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_rows(versions, limit, |v| {
        Cursor::after(&[&v.at_us.to_string(), &v.system_slug, &v.version.to_string()])
    }))
}
