//! The agencies' change feed: the consent withdrawals and grants, upheld objections and
//! ended enrollments of residents enrolled with an agency's systems, by ledger position.
//!
//! Each change is placed by the ledger entry committed with it: a consent event's and an
//! enrollment event's own leaf; for an upheld objection, the leaf of the staff-log entry
//! (`fulfil`) written in the same transaction (`store::requests::apply`). Who may see what:
//! only the agency's own systems, and a consent change or objection only when the resident
//! had confirmed an enrollment with that system in an earlier entry (whether or not it still
//! holds), so an agency never learns of a resident who did not enrol with it and never of a
//! resident's choices before they did. A deleted account's changes are listed without its
//! resident number.

use super::*;
use domain::consent::{
    ConsentChange, ConsentChangeKind, ConsentChangePage, LedgerChange, change_page, cursor_after, read_until,
};
use domain::paging::fetch_limit;

/// Whether the resident of `e.user_id` confirmed an enrollment with `s` in an entry before `l`.
macro_rules! enrolled_before {
    () => {
        concat!(
            "EXISTS (SELECT 1 FROM enrollment_events c ",
            "JOIN ledger lc ON lc.source = 'enrollment' AND lc.entry_id = c.id ",
            "WHERE c.user_id = u.id AND c.system_id = s.id AND c.action = 'confirmed' AND lc.idx < l.idx) "
        )
    };
}

/// The system of purpose `p`, its agency and the resident of `e.user_id`.
macro_rules! purpose_owner {
    () => {
        concat!(
            "JOIN purposes p ON p.id = e.purpose_id ",
            "JOIN systems s ON s.id = p.system_id ",
            "JOIN agencies a ON a.id = s.agency_id ",
            "JOIN users u ON u.id = e.user_id "
        )
    };
}

/// A change as read: entry, resident number, erased, system, purpose, time, consent action.
type Row = (
    i64,
    String,
    Option<i64>,
    String,
    Option<String>,
    i64,
    Option<String>,
);

/// Consent events of the agency's enrolled residents in entries `[$1, $2)`.
const CONSENT_SQL: &str = concat!(
    "SELECT l.idx, u.resident_number, u.erased_at, s.slug, p.key, e.at_us, e.action FROM ledger l ",
    "JOIN consent_events e ON e.id = l.entry_id ",
    purpose_owner!(),
    "WHERE l.source = 'consent' AND l.idx >= $1 AND l.idx < $2 AND a.slug = $3 AND ",
    enrolled_before!(),
    "ORDER BY l.idx LIMIT $4"
);

/// Objections to the agency's purposes upheld in entries `[$1, $2)`, of enrolled residents.
const OBJECTION_SQL: &str = concat!(
    "SELECT l.idx, u.resident_number, u.erased_at, s.slug, p.key, e.at_us FROM upheld_objections e ",
    purpose_owner!(),
    "JOIN admin_audit x ON x.request_id = e.request_id AND x.action = 'fulfil' ",
    "JOIN ledger l ON l.source = 'audit' AND l.entry_id = x.id ",
    "WHERE l.idx >= $1 AND l.idx < $2 AND a.slug = $3 AND ",
    enrolled_before!(),
    "ORDER BY l.idx LIMIT $4"
);

/// Ended enrollments with the agency's systems in entries `[$1, $2)`.
const ENDED_SQL: &str = concat!(
    "SELECT l.idx, u.resident_number, u.erased_at, s.slug, e.at_us FROM ledger l ",
    "JOIN enrollment_events e ON e.id = l.entry_id ",
    "JOIN systems s ON s.id = e.system_id ",
    "JOIN agencies a ON a.id = s.agency_id ",
    "JOIN users u ON u.id = e.user_id ",
    "WHERE l.source = 'enrollment' AND l.idx >= $1 AND l.idx < $2 AND a.slug = $3 AND e.action = 'ended' ",
    "ORDER BY l.idx LIMIT $4"
);

/// One read of `agency`'s feed: at most `limit` changes from position `after` (a cursor,
/// `0` for the beginning), oldest first, within one bounded stretch of the ledger.
#[tracing::instrument(skip(pool))]
pub async fn consent_changes(
    pool: &AnyPool,
    agency: &str,
    after: i64,
    limit: u32,
) -> Result<ConsentChangePage, StoreError> {
    // The committed size first: every entry below it is visible to the reads that follow.
    let size = i64::try_from(crate::ledger::head(pool).await?.size).unwrap_or(i64::MAX);
    let until = read_until(after, size);
    let mut rows: Vec<Row> = Vec::new();
    if until > after {
        let consent: Vec<Row> = sqlx::query_as(CONSENT_SQL)
            .bind(after)
            .bind(until)
            .bind(agency)
            .bind(fetch_limit(limit))
            .fetch_all(pool)
            .await?;
        let objections: Vec<(i64, String, Option<i64>, String, String, i64)> = sqlx::query_as(OBJECTION_SQL)
            .bind(after)
            .bind(until)
            .bind(agency)
            .bind(fetch_limit(limit))
            .fetch_all(pool)
            .await?;
        let ended: Vec<(i64, String, Option<i64>, String, i64)> = sqlx::query_as(ENDED_SQL)
            .bind(after)
            .bind(until)
            .bind(agency)
            .bind(fetch_limit(limit))
            .fetch_all(pool)
            .await?;
        rows.extend(consent);
        rows.extend(
            objections
                .into_iter()
                .map(|(i, n, x, s, p, t)| (i, n, x, s, Some(p), t, None)),
        );
        rows.extend(
            ended
                .into_iter()
                .map(|(i, n, x, s, t)| (i, n, x, s, None, t, None)),
        );
    }
    let changes = rows.into_iter().map(into_change).collect::<Result<Vec<_>, _>>()?;
    Ok(change_page(changes, limit, until, size))
}

/// A row as a change: a consent event by its action; without one, an upheld objection
/// when it names a purpose, else an ended enrollment.
fn into_change(row: Row) -> Result<LedgerChange, sqlx::Error> {
    let (idx, number, erased_at, system, purpose, at_us, action) = row;
    let kind = match (&action, &purpose) {
        (Some(action), _) => ConsentChangeKind::of_consent(code("consent_events.action", action)?),
        (None, Some(_)) => ConsentChangeKind::ObjectionUpheld,
        (None, None) => ConsentChangeKind::EnrollmentEnded,
    };
    Ok(LedgerChange {
        idx,
        change: ConsentChange {
            kind,
            subject: erased_at.is_none().then_some(number),
            system,
            purpose,
            at: rfc3339_us(at_us),
            cursor: cursor_after(idx),
        },
    })
}

/// The latest ledger entry a change could be in (a consent event, an enrollment event or a
/// staff action), `-1` while there is none: what the streams' shared ticker watches.
pub async fn latest_change_entry(pool: &AnyPool) -> Result<i64, StoreError> {
    let (consent, enrollment, audit): (Option<i64>, Option<i64>, Option<i64>) = sqlx::query_as(concat!(
        "SELECT (SELECT MAX(idx) FROM ledger WHERE source = 'consent'), ",
        "(SELECT MAX(idx) FROM ledger WHERE source = 'enrollment'), ",
        "(SELECT MAX(idx) FROM ledger WHERE source = 'audit')"
    ))
    .fetch_one(pool)
    .await?;
    Ok([consent, enrollment, audit]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(-1))
}
