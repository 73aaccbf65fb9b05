//! Enrollment codes: an agency issues one for one of its systems and gives it to the
//! resident; it is stored only as its digest, works once and expires. Entering one is
//! `enrollments::confirm`.

use super::*;
use domain::consent::{CODE_VALID_DAYS, CodeFacts, CodeState, EnrollmentCode};

const DAY_US: i64 = 86_400 * 1_000_000;

/// Stores a new code for `system_id`, issued by API client `client_id`; returns when it
/// expires (unix microseconds).
pub async fn issue_code(
    pool: &AnyPool,
    code: &EnrollmentCode,
    system_id: &str,
    client_id: &str,
) -> Result<i64, StoreError> {
    let at_us = now_us();
    let expires_at_us = at_us + CODE_VALID_DAYS * DAY_US;
    sqlx::query(concat!(
        "INSERT INTO enrollment_codes (digest, system_id, client_id, created_at_us, expires_at_us) ",
        "VALUES ($1, $2, $3, $4, $5)"
    ))
    .bind(code.digest())
    .bind(system_id)
    .bind(client_id)
    .bind(at_us)
    .bind(expires_at_us)
    .execute(pool)
    .await?;
    Ok(expires_at_us)
}

/// An issued code as the agency that issued it sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeStatus {
    /// The system's slug.
    pub system: String,
    pub state: CodeState,
    /// Once confirmed: the resident number of who entered it (while the account exists).
    pub subject: Option<String>,
    /// Unix microseconds.
    pub expires_at_us: i64,
}

#[derive(FromRow)]
pub(super) struct CodeRow {
    pub(super) system_id: String,
    pub(super) slug: String,
    pub(super) status: String,
    pub(super) agency: String,
    pub(super) client_id: String,
    pub(super) created_at_us: i64,
    pub(super) expires_at_us: i64,
    pub(super) confirmed_at_us: Option<i64>,
    pub(super) resident_number: Option<String>,
}

impl CodeRow {
    pub(super) fn facts(&self) -> Result<CodeFacts, sqlx::Error> {
        Ok(CodeFacts {
            expires_at_us: self.expires_at_us,
            used: self.confirmed_at_us.is_some(),
            system_status: code("systems.status", &self.status)?,
        })
    }
}

pub(super) async fn code_row(
    conn: &mut sqlx::AnyConnection,
    digest: &str,
) -> Result<Option<CodeRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT c.system_id, s.slug, s.status, a.slug AS agency, c.client_id, c.created_at_us, ",
        "c.expires_at_us, c.confirmed_at_us, u.resident_number ",
        "FROM enrollment_codes c JOIN systems s ON s.id = c.system_id ",
        "JOIN agencies a ON a.id = s.agency_id LEFT JOIN users u ON u.id = c.user_id ",
        "WHERE c.digest = $1"
    ))
    .bind(digest)
    .fetch_optional(conn)
    .await
}

/// Where `code` stands, if agency `agency` (a slug) issued it; `None` for anyone else's.
pub async fn code_status(
    pool: &AnyPool,
    code: &EnrollmentCode,
    agency: &str,
) -> Result<Option<CodeStatus>, StoreError> {
    let mut conn = pool.acquire().await?;
    let Some(row) = code_row(&mut conn, &code.digest()).await? else {
        return Ok(None);
    };
    if row.agency != agency {
        return Ok(None);
    }
    Ok(Some(CodeStatus {
        state: row.facts()?.state(now_us()),
        system: row.slug,
        subject: row.resident_number,
        expires_at_us: row.expires_at_us,
    }))
}
