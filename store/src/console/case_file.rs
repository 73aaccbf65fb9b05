//! The case file an officer works from: the request in full, the resident, the assignee
//! and the staff it can be assigned to.

use crate::requests::{self as store, today};
use crate::{StoreError, accounts};
use domain::lang::Lang;
use domain::requests::{CaseFile, RequestStatus};
use sqlx::AnyPool;

/// The resident and assignee columns of a case file.
#[derive(sqlx::FromRow)]
struct CaseRow {
    resident_number: String,
    display_name: String,
    email: String,
    assigned_to: Option<String>,
    assigned_name: Option<String>,
    password_hash: String,
}

/// Officers and admins, by name.
async fn staff(pool: &AnyPool) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, display_name FROM users WHERE role IN ('officer', 'admin') ORDER BY display_name, id",
    )
    .fetch_all(pool)
    .await
}

/// Everything about request `id`, for the officer console.
pub async fn case_file(pool: &AnyPool, id: &str, lang: Lang) -> Result<Option<CaseFile>, StoreError> {
    let today = today();
    let Some(detail) = store::detail(pool, None, id, today, lang).await? else {
        return Ok(None);
    };
    let Some(case) = store::case(pool, None, id).await? else {
        return Ok(None);
    };
    let row: CaseRow = sqlx::query_as(concat!(
        "SELECT u.resident_number, u.display_name, u.email, r.assigned_to, au.display_name AS assigned_name, ",
        "u.password_hash FROM privacy_requests r JOIN users u ON u.id = r.user_id ",
        "LEFT JOIN users au ON au.id = r.assigned_to WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_one(pool)
    .await?;
    let may_extend =
        case.status == RequestStatus::InProgress && case.policy.may_extend(case.clock, today).is_ok();
    Ok(Some(CaseFile {
        detail,
        resident_number: row.resident_number,
        resident_name: row.display_name,
        resident_email: row.email,
        assigned_to: row.assigned_to.zip(row.assigned_name),
        staff: staff(pool).await?,
        may_extend,
        resident_verified: row.password_hash != accounts::UNVERIFIED_RECORD,
    }))
}

/// The name of officer or admin `id`, or `None` if no staff member has that id.
pub async fn staff_name(pool: &AnyPool, id: &str) -> Result<Option<String>, StoreError> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT display_name FROM users WHERE id = $1 AND role IN ('officer', 'admin')")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(found.map(|(name,)| name))
}
