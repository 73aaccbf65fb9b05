//! Which residents an agency's systems hold: enrolments, recorded by the agency's API client.

use super::*;

/// How an enrolment request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enrolment {
    /// Recorded now.
    Created,
    /// It already existed (PUT is idempotent).
    Existed,
}

/// Enrols `user_id` with `system_id`, recorded by API client `client_id`.
pub async fn enroll(
    pool: &AnyPool,
    user_id: &str,
    system_id: &str,
    client_id: Option<&str>,
) -> Result<Enrolment, StoreError> {
    let done = sqlx::query(concat!(
        "INSERT INTO enrollments (user_id, system_id, client_id, created_at) VALUES ($1, $2, $3, $4) ",
        "ON CONFLICT (user_id, system_id) DO NOTHING"
    ))
    .bind(user_id)
    .bind(system_id)
    .bind(client_id)
    .bind(now())
    .execute(pool)
    .await?;
    Ok(if done.rows_affected() == 1 {
        Enrolment::Created
    } else {
        Enrolment::Existed
    })
}

/// Ends the enrolment of `user_id` with `system_id`; whether there was one.
pub async fn unenroll(pool: &AnyPool, user_id: &str, system_id: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM enrollments WHERE user_id = $1 AND system_id = $2")
        .bind(user_id)
        .bind(system_id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The id of the user with `resident_number`.
pub async fn user_by_number(pool: &AnyPool, resident_number: &str) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT id FROM users WHERE resident_number = $1 AND role = 'resident'")
            .bind(resident_number)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(id,)| id))
}
