//! The street aggregate: the city's districts, the located devices of public-space systems,
//! a device's figures from the decision log, and reports about a device from passers-by.

use crate::audit::{Actor, AuditEntry};
use crate::{StoreError, from_json, new_id, now, text, to_json};
use domain::account::CurrentUser;
use domain::register::{ReviewRefused, Slug};
use domain::street::{Device, DeviceCode, District, LogCount};
use sqlx::{Any, AnyConnection, AnyPool, Transaction};

/// Saves `districts` (new ones inserted, stored ones with the same slug replaced; districts
/// left out stay), on the caller's transaction.
pub async fn save_districts(tx: &mut Transaction<'_, Any>, districts: &[District]) -> Result<(), StoreError> {
    for d in districts {
        sqlx::query(
            "INSERT INTO districts (slug, name, outline, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (slug) DO UPDATE SET name = excluded.name, outline = excluded.outline, \
             updated_at = excluded.updated_at",
        )
        .bind(d.slug.as_str())
        .bind(to_json(&d.name)?)
        .bind(to_json(&d.outline)?)
        .bind(now())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Saves `devices` (new ones inserted, stored ones with the same code replaced; devices left
/// out stay), on the caller's transaction. Each device's system must be stored.
pub async fn save_devices(tx: &mut Transaction<'_, Any>, devices: &[Device]) -> Result<(), StoreError> {
    for d in devices {
        save_device_row(tx, d).await?;
    }
    Ok(())
}

async fn save_device_row(tx: &mut Transaction<'_, Any>, d: &Device) -> Result<bool, StoreError> {
    let at = now();
    let saved = sqlx::query(
        "INSERT INTO devices (code, system_id, label, geometry, created_at, updated_at) \
         SELECT $1, id, $2, $3, $4, $4 FROM systems WHERE slug = $5 \
         ON CONFLICT (code) DO UPDATE SET system_id = excluded.system_id, label = excluded.label, \
         geometry = excluded.geometry, updated_at = excluded.updated_at",
    )
    .bind(d.code.as_str())
    .bind(to_json(&d.label)?)
    .bind(to_json(&d.geometry)?)
    .bind(at)
    .bind(d.system.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(saved.rows_affected() == 1)
}

/// Every district, by slug.
pub async fn districts(pool: &AnyPool) -> Result<Vec<District>, StoreError> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT slug, name, outline FROM districts ORDER BY slug")
            .fetch_all(pool)
            .await?;
    let mut districts = Vec::with_capacity(rows.len());
    for (slug, name, outline) in rows {
        districts.push(District {
            slug: Slug::parse(&slug).map_err(|e| crate::decode_err("districts.slug", e))?,
            name: text("districts.name", &name)?,
            outline: from_json("districts.outline", &outline)?,
        });
    }
    Ok(districts)
}

type DeviceRow = (String, String, String, String);

/// The statement reading devices with their system's slug, as a literal so every statement
/// stays a static string.
macro_rules! device_select {
    () => {
        "SELECT d.code, s.slug, d.label, d.geometry FROM devices d JOIN systems s ON s.id = d.system_id"
    };
}

fn device(row: DeviceRow) -> Result<Device, sqlx::Error> {
    let (code, system, label, geometry) = row;
    Ok(Device {
        code: DeviceCode::parse(&code).map_err(|e| crate::decode_err("devices.code", e))?,
        system: Slug::parse(&system).map_err(|e| crate::decode_err("systems.slug", e))?,
        label: text("devices.label", &label)?,
        geometry: from_json("devices.geometry", &geometry)?,
    })
}

/// Every device, by code.
pub async fn devices(pool: &AnyPool) -> Result<Vec<Device>, StoreError> {
    let rows: Vec<DeviceRow> = sqlx::query_as(concat!(device_select!(), " ORDER BY d.code"))
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(device).collect::<Result<_, _>>()?)
}

/// The devices of one system, by code (from a pool, or inside a transaction).
pub async fn system_devices<'c, E>(executor: E, system: &Slug) -> Result<Vec<Device>, StoreError>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    let rows: Vec<DeviceRow> =
        sqlx::query_as(concat!(device_select!(), " WHERE s.slug = $1 ORDER BY d.code"))
            .bind(system.as_str())
            .fetch_all(executor)
            .await?;
    Ok(rows.into_iter().map(device).collect::<Result<_, _>>()?)
}

/// The device with `code`, if any.
pub async fn device_by_code(pool: &AnyPool, code: &DeviceCode) -> Result<Option<Device>, StoreError> {
    let row: Option<DeviceRow> = sqlx::query_as(concat!(device_select!(), " WHERE d.code = $1"))
        .bind(code.as_str())
        .fetch_optional(pool)
        .await?;
    Ok(row.map(device).transpose()?)
}

/// Register staff: saves one checked device (created, or replacing the stored one with its
/// code), with its audit row, in one transaction. Refused when its system is not stored.
pub async fn save_device(
    pool: &AnyPool,
    officer: &CurrentUser,
    device: &Device,
) -> Result<Result<(), ReviewRefused>, StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    let moved_from = system_of(&mut tx, &device.code).await?;
    if !save_device_row(&mut tx, device).await? {
        return Ok(Err(ReviewRefused::NotFound));
    }
    // A new version of its system (and of the one it left, if it moved), in the public history.
    crate::register::record_version(&mut tx, &device.system).await?;
    if let Some(old) = moved_from.filter(|old| *old != device.system) {
        crate::register::record_version(&mut tx, &old).await?;
    }
    let detail = format!(
        "{} ({} of {})",
        device.code,
        device.geometry.kind(),
        device.system
    );
    let entry = AuditEntry {
        actor: Actor::Staff(officer),
        action: "save_device",
        request_id: None,
        detail: &detail,
    };
    crate::audit::record(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// The system device `code` belongs to, if the device is stored.
async fn system_of(conn: &mut AnyConnection, code: &DeviceCode) -> Result<Option<Slug>, StoreError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT s.slug FROM devices d JOIN systems s ON s.id = d.system_id WHERE d.code = $1")
            .bind(code.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|(slug,)| Slug::parse(&slug).map_err(|e| crate::decode_err("systems.slug", e).into()))
        .transpose()
}

/// Register staff: removes device `code` (its sign's address then finds nothing), audited.
pub async fn remove_device(
    pool: &AnyPool,
    officer: &CurrentUser,
    code: &DeviceCode,
) -> Result<Result<(), ReviewRefused>, StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    let Some(system) = system_of(&mut tx, code).await? else {
        return Ok(Err(ReviewRefused::NotFound));
    };
    let gone = sqlx::query("DELETE FROM devices WHERE code = $1")
        .bind(code.as_str())
        .execute(&mut *tx)
        .await?;
    if gone.rows_affected() != 1 {
        return Ok(Err(ReviewRefused::NotFound));
    }
    crate::register::record_version(&mut tx, &system).await?;
    let entry = AuditEntry {
        actor: Actor::Staff(officer),
        action: "remove_device",
        request_id: None,
        detail: code.as_str(),
    };
    crate::audit::record(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// The decision log's counts for `system` since `since_us`, by kind, purpose and decision.
pub async fn system_figures(
    pool: &AnyPool,
    system: &Slug,
    since_us: i64,
) -> Result<Vec<LogCount>, StoreError> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT kind, purpose, decision, COUNT(*) FROM decision_log WHERE system = $1 AND at_us >= $2 \
         GROUP BY kind, purpose, decision ORDER BY purpose, kind, decision",
    )
    .bind(system.as_str())
    .bind(since_us)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(kind, purpose, decision, count)| LogCount {
            kind,
            purpose,
            decision,
            count,
        })
        .collect())
}

/// How many of `system`'s checks and queries since `since_us` named resident `user_id`.
pub async fn resident_entries(
    pool: &AnyPool,
    user_id: &str,
    system: &Slug,
    since_us: i64,
) -> Result<i64, StoreError> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM decision_log WHERE user_id = $1 AND system = $2 AND at_us >= $3",
    )
    .bind(user_id)
    .bind(system.as_str())
    .bind(since_us)
    .fetch_one(pool)
    .await?;
    Ok(n)
}

/// Who files a report about a device: a signed-in person, or a passer-by known only by a
/// keyed digest of their address.
#[derive(Debug, Clone, Copy)]
pub enum Reporter<'a> {
    Resident(&'a str),
    Address(&'a str),
}

/// Files a report about device `code` into the register's report queue: refused past the
/// day's cap (per person, or per address for a passer-by), for a blank or overlong text, or
/// an unknown device. Returns its id.
pub async fn file_device_report(
    pool: &AnyPool,
    code: &DeviceCode,
    reporter: Reporter<'_>,
    body: &str,
) -> Result<Result<String, ReviewRefused>, StoreError> {
    let body = match domain::register::review_text(body) {
        Ok(body) if body.chars().count() <= 4000 => body,
        _ => return Ok(Err(ReviewRefused::TextRequired)),
    };
    let mut tx = crate::db::begin(pool).await?;
    let system: Option<(String,)> =
        sqlx::query_as("SELECT s.slug FROM devices d JOIN systems s ON s.id = d.system_id WHERE d.code = $1")
            .bind(code.as_str())
            .fetch_optional(&mut *tx)
            .await?;
    let Some((system,)) = system else {
        return Ok(Err(ReviewRefused::NotFound));
    };
    let (user_id, reporter_key) = match reporter {
        Reporter::Resident(id) => (Some(id), None),
        Reporter::Address(key) => (None, Some(key)),
    };
    let sent = reports_today(&mut tx, user_id, reporter_key).await?;
    if let Err(refused) = domain::register::may_report(sent) {
        return Ok(Err(refused));
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO register_reports (id, system_slug, device_code, body, user_id, reporter_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&system)
    .bind(code.as_str())
    .bind(&body)
    .bind(user_id)
    .bind(reporter_key)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(id))
}

async fn reports_today(
    conn: &mut AnyConnection,
    user_id: Option<&str>,
    key: Option<&str>,
) -> Result<i64, StoreError> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM register_reports WHERE created_at > $1 AND (user_id = $2 OR reporter_key = $3)",
    )
    .bind(now() - 86_400)
    .bind(user_id.unwrap_or(""))
    .bind(key.unwrap_or(""))
    .fetch_one(conn)
    .await?;
    Ok(n)
}
