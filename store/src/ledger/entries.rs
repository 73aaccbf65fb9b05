//! Reading the four logs' rows as ledger entries: the one place a row becomes the canonical
//! entry its leaf is taken over, for appending, verifying and proving alike.

use crate::StoreError;
use domain::ledger::{
    AuditLeaf, ConsentLeaf, DecisionLeaf, EnrollmentLeaf, LedgerEntry, Source, subject_digest,
};
use sqlx::{AnyConnection, AnyPool, FromRow};

/// A decision-log row.
#[derive(Debug, Clone, FromRow)]
pub struct DecisionRow {
    pub seq: i64,
    pub id: String,
    pub request_id: String,
    pub at_us: i64,
    pub kind: String,
    pub agency: String,
    pub client_id: String,
    pub subject: Option<String>,
    pub subject_salt: Option<String>,
    pub subject_digest: Option<String>,
    pub system: String,
    pub purpose: String,
    pub user_id: Option<String>,
    pub decision: String,
    pub reason: String,
    pub legal_basis: Option<String>,
}

/// The entry of a decision row. The digest standing for the resident number is recomputed
/// from the number and salt while they are there (so an edited number shows), and taken as
/// stored once the number was erased (an empty subject).
pub fn decision_entry(row: DecisionRow) -> LedgerEntry {
    let digest = match row.subject.as_deref().filter(|s| !s.is_empty()) {
        Some(subject) => subject_digest(row.subject_salt.as_deref().unwrap_or(""), subject),
        None => row.subject_digest.clone().unwrap_or_default(),
    };
    LedgerEntry::Decision(DecisionLeaf {
        seq: row.seq,
        id: row.id,
        request_id: row.request_id,
        at_us: row.at_us,
        kind: row.kind,
        agency: row.agency,
        client_id: row.client_id,
        subject_digest: digest,
        system: row.system,
        purpose: row.purpose,
        user_id: row.user_id,
        decision: row.decision,
        reason: row.reason,
        legal_basis: row.legal_basis,
    })
}

const DECISIONS: &str = concat!(
    "SELECT d.seq, d.id, d.request_id, d.at_us, d.kind, d.agency, d.client_id, d.subject, d.subject_salt, ",
    "d.subject_digest, d.system, d.purpose, d.user_id, d.decision, d.reason, d.legal_basis FROM decision_log d "
);
const CONSENTS: &str = "SELECT e.id, e.user_id, e.purpose_id, e.notice_version, e.action, e.channel, e.at_us FROM consent_events e ";
const ENROLLMENTS: &str = concat!(
    "SELECT e.id, e.user_id, e.system_id, e.action, e.channel, e.actor, e.requested_at_us, e.at_us ",
    "FROM enrollment_events e "
);
const AUDITS: &str =
    "SELECT e.id, e.at_us, e.actor_id, e.actor_name, e.action, e.request_id, e.detail FROM admin_audit e ";

#[derive(FromRow)]
struct ConsentRow {
    id: String,
    user_id: String,
    purpose_id: String,
    notice_version: i64,
    action: String,
    channel: String,
    at_us: i64,
}

#[derive(FromRow)]
struct EnrollmentRow {
    id: String,
    user_id: String,
    system_id: String,
    action: String,
    channel: String,
    actor: Option<String>,
    requested_at_us: Option<i64>,
    at_us: i64,
}

#[derive(FromRow)]
struct AuditRow {
    id: String,
    at_us: i64,
    actor_id: String,
    actor_name: String,
    action: String,
    request_id: Option<String>,
    detail: String,
}

fn consent_entry(r: ConsentRow) -> LedgerEntry {
    LedgerEntry::Consent(ConsentLeaf {
        id: r.id,
        user_id: r.user_id,
        purpose_id: r.purpose_id,
        notice_version: r.notice_version,
        action: r.action,
        channel: r.channel,
        at_us: r.at_us,
    })
}

fn enrollment_entry(r: EnrollmentRow) -> LedgerEntry {
    LedgerEntry::Enrollment(EnrollmentLeaf {
        id: r.id,
        user_id: r.user_id,
        system_id: r.system_id,
        action: r.action,
        channel: r.channel,
        actor: r.actor,
        requested_at_us: r.requested_at_us,
        at_us: r.at_us,
    })
}

fn audit_entry(r: AuditRow) -> LedgerEntry {
    LedgerEntry::Audit(AuditLeaf {
        id: r.id,
        at_us: r.at_us,
        actor_id: r.actor_id,
        actor_name: r.actor_name,
        action: r.action,
        request_id: r.request_id,
        detail: r.detail,
    })
}

/// Rows of every log matching `filter` (a WHERE clause over the alias `d` or `e`, or
/// nothing), each log in its own order.
async fn select(
    conn: &mut AnyConnection,
    filter: [&str; 4],
    bind: Option<&str>,
) -> Result<Vec<LedgerEntry>, sqlx::Error> {
    let [decisions, consents, enrollments, audits] = filter;
    let mut out = Vec::new();
    let sql = format!("{DECISIONS}{decisions} ORDER BY d.seq");
    let mut q = sqlx::query_as::<_, DecisionRow>(sqlx::AssertSqlSafe(sql));
    if let Some(b) = bind.filter(|_| decisions.contains("$1")) {
        q = q.bind(b.to_owned());
    }
    out.extend(q.fetch_all(&mut *conn).await?.into_iter().map(decision_entry));
    let sql = format!("{CONSENTS}{consents} ORDER BY e.at_us, e.id");
    let mut q = sqlx::query_as::<_, ConsentRow>(sqlx::AssertSqlSafe(sql));
    if let Some(b) = bind.filter(|_| consents.contains("$1")) {
        q = q.bind(b.to_owned());
    }
    out.extend(q.fetch_all(&mut *conn).await?.into_iter().map(consent_entry));
    let sql = format!("{ENROLLMENTS}{enrollments} ORDER BY e.at_us, e.id");
    let mut q = sqlx::query_as::<_, EnrollmentRow>(sqlx::AssertSqlSafe(sql));
    if let Some(b) = bind.filter(|_| enrollments.contains("$1")) {
        q = q.bind(b.to_owned());
    }
    out.extend(q.fetch_all(&mut *conn).await?.into_iter().map(enrollment_entry));
    let sql = format!("{AUDITS}{audits} ORDER BY e.at_us, e.id");
    let mut q = sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(sql));
    if let Some(b) = bind.filter(|_| audits.contains("$1")) {
        q = q.bind(b.to_owned());
    }
    out.extend(q.fetch_all(&mut *conn).await?.into_iter().map(audit_entry));
    Ok(out)
}

/// Every row of every log as its entry: decisions by number, the others by time.
pub async fn all_entries(pool: &AnyPool) -> Result<Vec<LedgerEntry>, StoreError> {
    let mut conn = pool.acquire().await?;
    Ok(select(&mut conn, ["", "", "", ""], None).await?)
}

/// The rows no leaf stands for yet (before the ledger existed), each log in its own order.
pub(super) async fn unlogged(conn: &mut AnyConnection) -> Result<Vec<LedgerEntry>, sqlx::Error> {
    let missing = |source: Source, alias: &str| {
        format!(
            "WHERE NOT EXISTS (SELECT 1 FROM ledger l WHERE l.source = '{}' AND l.entry_id = {alias}.id)",
            source.code()
        )
    };
    let filters = [
        missing(Source::Decision, "d"),
        missing(Source::Consent, "e"),
        missing(Source::Enrollment, "e"),
        missing(Source::Audit, "e"),
    ];
    select(conn, [&filters[0], &filters[1], &filters[2], &filters[3]], None).await
}

/// The entry number `idx` if it is about `user_id` (a decision that named them, or one of
/// their consent or enrollment events): the entry and what its leaf is. Staff actions and
/// other people's entries are `None`.
pub async fn entry_owner(pool: &AnyPool, idx: i64, user_id: &str) -> Result<Option<LedgerEntry>, StoreError> {
    let row: Option<(String, String)> = sqlx::query_as("SELECT source, entry_id FROM ledger WHERE idx = $1")
        .bind(idx)
        .fetch_optional(pool)
        .await?;
    let Some((source, entry_id)) = row else {
        return Ok(None);
    };
    let none = "WHERE 1 = 0";
    let filter = match source.parse::<Source>() {
        Ok(Source::Decision) => ["WHERE d.id = $1", none, none, none],
        Ok(Source::Consent) => [none, "WHERE e.id = $1", none, none],
        Ok(Source::Enrollment) => [none, none, "WHERE e.id = $1", none],
        Ok(Source::Audit) | Err(_) => return Ok(None),
    };
    let mut conn = pool.acquire().await?;
    let entry = select(&mut conn, filter, Some(&entry_id))
        .await?
        .into_iter()
        .next();
    Ok(entry.filter(|e| match e {
        LedgerEntry::Decision(d) => d.user_id.as_deref() == Some(user_id),
        LedgerEntry::Consent(c) => c.user_id == user_id,
        LedgerEntry::Enrollment(n) => n.user_id == user_id,
        LedgerEntry::Audit(_) => false,
    }))
}
