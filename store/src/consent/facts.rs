//! The facts an agency's check or query is decided on, read in one query.

use super::*;

/// What a consent check needs to know about the system and purpose asked about.
#[derive(Debug, Clone, FromRow)]
pub struct TargetFacts {
    pub system_id: String,
    pub agency: String,
    /// `public_space` or `enrollment`.
    pub scope: String,
    /// `planned`, `active` or `retired`.
    pub status: String,
    pub purpose_id: Option<String>,
    pub legal_basis: Option<String>,
}

/// The system with slug `system` (its agency, and the purpose `purpose` if it has one).
pub async fn target(pool: &AnyPool, system: &str, purpose: &str) -> Result<Option<TargetFacts>, StoreError> {
    sqlx::query_as(concat!(
        "SELECT s.id AS system_id, a.slug AS agency, s.scope, s.status, p.id AS purpose_id, p.legal_basis ",
        "FROM systems s JOIN agencies a ON a.id = s.agency_id ",
        "LEFT JOIN purposes p ON p.system_id = s.id AND p.key = $2 ",
        "WHERE s.slug = $1"
    ))
    .bind(system)
    .bind(purpose)
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// Everything a check reads, in one query: the system and its agency, the purpose, and the
/// resident with their consent and enrollment (each `None` when it does not exist).
#[derive(Debug, Clone, FromRow)]
pub struct CheckRow {
    pub system_id: String,
    pub agency: String,
    pub scope: String,
    pub status: String,
    pub purpose_id: Option<String>,
    pub legal_basis: Option<String>,
    pub user_id: Option<String>,
    pub state: Option<String>,
    pub enrolled_system: Option<String>,
    /// The purpose when the resident's objection to it was upheld.
    pub objected_purpose: Option<String>,
    /// The notice version the resident's current consent event was made on.
    pub agreed_version: Option<i64>,
    /// The notice version of the purpose's last material change.
    pub material_version: Option<i64>,
}

/// The facts of a check about `resident_number`, system `system` and purpose `purpose`;
/// `None` when no system has that slug.
pub async fn check_facts(
    pool: &AnyPool,
    system: &str,
    purpose: &str,
    resident_number: &str,
) -> Result<Option<CheckRow>, StoreError> {
    sqlx::query_as(concat!(
        "SELECT s.id AS system_id, a.slug AS agency, s.scope, s.status, p.id AS purpose_id, p.legal_basis, ",
        "u.id AS user_id, c.state, e.system_id AS enrolled_system, o.purpose_id AS objected_purpose, ",
        "ce.notice_version AS agreed_version, p.material_version ",
        "FROM systems s JOIN agencies a ON a.id = s.agency_id ",
        "LEFT JOIN purposes p ON p.system_id = s.id AND p.key = $2 ",
        "LEFT JOIN users u ON u.resident_number = $3 AND u.role = 'resident' ",
        "LEFT JOIN consents c ON c.user_id = u.id AND c.purpose_id = p.id ",
        "LEFT JOIN consent_events ce ON ce.id = c.event_id ",
        "LEFT JOIN enrollments e ON e.user_id = u.id AND e.system_id = s.id ",
        "LEFT JOIN upheld_objections o ON o.user_id = u.id AND o.purpose_id = p.id ",
        "WHERE s.slug = $1"
    ))
    .bind(system)
    .bind(purpose)
    .bind(resident_number)
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// The state a stored consent code stands for.
pub fn consent_state(code: Option<&str>) -> ConsentState {
    code.map_or(ConsentState::NeverAsked, state_of)
}
