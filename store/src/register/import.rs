//! Bringing a register in: applying an import plan (`domain::register::ImportPlan`) inside
//! the caller's transaction. New agencies, systems and purposes are inserted; changed ones
//! are updated, and a purpose whose notice changed gets its next notice version (material
//! changes recorded, so earlier grants go stale exactly as after an officer's revision).
//! Nothing is deleted: entries the file leaves out stay as they are.

use super::terms::next_version;
use super::writing::{insert_agency, insert_purpose, insert_system, set_categories, set_city_name};
use super::*;
use domain::register::{Change, ImportPlan, PurposePlan, RegisterFile, SystemPlan};
use domain::street::{Device, District};

/// The register as stored, as a file (the export).
pub async fn export(pool: &AnyPool) -> Result<RegisterFile, StoreError> {
    let city = city_name(pool).await?.unwrap_or_default();
    Ok(
        RegisterFile::of(&city, &agencies(pool).await?, &systems(pool).await?).with_street(
            &crate::street::districts(pool).await?,
            &crate::street::devices(pool).await?,
        ),
    )
}

/// Imports a checked register: compares it with what is stored, then applies the plan and
/// records the operator's import in the staff log, in one transaction. Returns the plan.
pub async fn import(
    pool: &AnyPool,
    register: &domain::register::Register,
    actor: crate::audit::Actor<'_>,
) -> Result<ImportPlan, StoreError> {
    let plan = ImportPlan::new(register, &agencies(pool).await?, &systems(pool).await?);
    let mut tx = crate::db::begin(pool).await?;
    apply(
        &mut tx,
        &register.city,
        &plan,
        &register.districts,
        &register.devices,
    )
    .await?;
    let mut detail = plan
        .tally()
        .iter()
        .map(|(what, [created, updated, same])| {
            format!("{what}: {created} created, {updated} updated, {same} unchanged")
        })
        .collect::<Vec<_>>()
        .join("; ");
    if !register.districts.is_empty() || !register.devices.is_empty() {
        let (d, v) = (register.districts.len(), register.devices.len());
        detail.push_str(&format!("; districts: {d} saved; devices: {v} saved"));
    }
    let entry = crate::audit::AuditEntry {
        actor,
        action: "register_import",
        request_id: None,
        detail: &detail,
    };
    crate::audit::record(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(plan)
}

/// Applies `plan` (and the city's name), then saves `districts` and `devices`, on `tx`; then
/// records the next version of every system the plan or a device touched, so a new
/// system's first version already holds its devices.
pub async fn apply(
    tx: &mut Transaction<'_, Any>,
    city: &LocalizedText,
    plan: &ImportPlan,
    districts: &[District],
    devices: &[Device],
) -> Result<(), StoreError> {
    set_city_name(tx, city).await?;
    for (agency, change) in &plan.agencies {
        match change {
            Change::Created => {
                insert_agency(tx, agency).await?;
            }
            Change::Updated => update_agency(tx, agency).await?,
            Change::Unchanged => {}
        }
    }
    let mut touched: Vec<&Slug> = Vec::new();
    for system in &plan.systems {
        if write_system(tx, system).await? {
            touched.push(&system.system.slug);
        }
    }
    crate::street::save_districts(tx, districts).await?;
    crate::street::save_devices(tx, devices).await?;
    touched.extend(devices.iter().map(|d| &d.system));
    touched.sort();
    touched.dedup();
    for slug in touched {
        super::record_version(tx, slug).await?;
    }
    Ok(())
}

/// Applies one system's plan on `tx` and records its next version (an officer's saved
/// edit, an approved review's activation).
pub async fn apply_system(tx: &mut Transaction<'_, Any>, system: &SystemPlan) -> Result<(), StoreError> {
    if write_system(tx, system).await? {
        super::record_version(tx, &system.system.slug).await?;
    }
    Ok(())
}

/// Writes one system's plan on `tx`; whether anything was written.
async fn write_system(tx: &mut Transaction<'_, Any>, system: &SystemPlan) -> Result<bool, StoreError> {
    let agency_id = agency_id(tx, &system.system.agency.slug).await?;
    match system.change {
        Change::Created => {
            insert_system(tx, &agency_id, &system.system).await?;
        }
        Change::Updated => update_system(tx, &agency_id, system).await?,
        Change::Unchanged => return Ok(false),
    }
    Ok(true)
}

async fn agency_id(tx: &mut Transaction<'_, Any>, slug: &Slug) -> Result<String, StoreError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM agencies WHERE slug = $1")
        .bind(slug.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|(id,)| id)
        .ok_or_else(|| decode_err("agencies.slug", "the system's agency is not in the register").into())
}

pub(super) async fn update_agency(tx: &mut Transaction<'_, Any>, agency: &Agency) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE agencies SET public_authority = $1, name = $2, description = $3, dpo_email = $4, \
         website = $5, updated_at = $6 WHERE slug = $7",
    )
    .bind(i64::from(agency.public_authority))
    .bind(to_json(&agency.name)?)
    .bind(to_json(&agency.description)?)
    .bind(&agency.dpo_email)
    .bind(&agency.website)
    .bind(now())
    .bind(agency.slug.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn update_system(
    tx: &mut Transaction<'_, Any>,
    agency_id: &str,
    plan: &SystemPlan,
) -> Result<(), StoreError> {
    let system = &plan.system;
    sqlx::query(
        "UPDATE systems SET agency_id = $1, technology = $2, status = $3, scope = $4, identifies_people = $5, \
         algorithmic_decisions = $6, reviewed_on = $7, retention_days = $8, name = $9, description = $10, \
         location = $11, data_subjects = $12, retention = $13, access = $14, recipients = $15, transfers = $16, \
         security = $17, algorithm = $18, updated_at = $19 WHERE slug = $20",
    )
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
    .bind(now())
    .bind(system.slug.as_str())
    .execute(&mut **tx)
    .await?;
    let (system_id, last): (String, Option<i64>) = sqlx::query_as(
        "SELECT s.id, (SELECT MAX(p.position) FROM purposes p WHERE p.system_id = s.id) FROM systems s \
         WHERE s.slug = $1",
    )
    .bind(system.slug.as_str())
    .fetch_one(&mut **tx)
    .await?;
    let mut position = usize::try_from(last.unwrap_or(-1) + 1).unwrap_or(0);
    for purpose in &plan.purposes {
        match purpose {
            PurposePlan::Created(p) => {
                insert_purpose(tx, &system_id, position, p).await?;
                position += 1;
            }
            PurposePlan::Revised(p, changes) => {
                sqlx::query(
                    "UPDATE purposes SET legal_basis = $1, name = $2, description = $3, updated_at = $4 \
                     WHERE system_id = $5 AND key = $6",
                )
                .bind(p.legal_basis.code())
                .bind(to_json(&p.name)?)
                .bind(to_json(&p.description)?)
                .bind(now())
                .bind(&system_id)
                .bind(p.key.as_str())
                .execute(&mut **tx)
                .await?;
                let (purpose_id,): (String,) =
                    sqlx::query_as("SELECT id FROM purposes WHERE system_id = $1 AND key = $2")
                        .bind(&system_id)
                        .bind(p.key.as_str())
                        .fetch_one(&mut **tx)
                        .await?;
                set_categories(tx, &purpose_id, &p.categories).await?;
                next_version(tx, &system.slug, p, changes).await?;
            }
            PurposePlan::Unchanged(_) => {}
        }
    }
    Ok(())
}
