//! The decision log: every agency consent check and data query, append-only, numbered
//! without gaps by the head row.
//!
//! Appends go through one writer task per process that commits whatever entries are
//! waiting in one transaction (group commit): each caller is answered only after its entry
//! is durable, and a busy server pays one disk flush for many decisions instead of one each.

use super::{code, rfc3339_us, text};
use crate::StoreError;
use crate::ledger::{self, DecisionRow, decision_entry};
use domain::decision::{
    ACCESS_PAGE_SIZE, AccessEntry, AccessFilter, AccessPage, Decision, DecisionKind, Reason,
};
use domain::lang::Lang;
use domain::ledger::subject_digest;
use domain::register::{AgencyOption, LegalBasis};
use sqlx::{AnyPool, FromRow};
use tokio::sync::{mpsc, oneshot};

/// One decision, as recorded.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// The `decision_id` the agency receives.
    pub id: String,
    pub request_id: String,
    pub at_us: i64,
    pub kind: DecisionKind,
    /// The calling agency's slug and API client.
    pub agency: String,
    pub client_id: String,
    /// What was asked about, as asked.
    pub subject: String,
    pub system: String,
    pub purpose: String,
    /// The resident the subject named, if any.
    pub user_id: Option<String>,
    pub decision: Decision,
    pub reason: Reason,
    pub legal_basis: Option<LegalBasis>,
}

/// Why an entry was not recorded. The decision must then not be given.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("the decision log could not be written: {0}")]
    Storage(#[from] sqlx::Error),
    #[error("the decision log writer has stopped")]
    Stopped,
}

type Pending = (LogEntry, oneshot::Sender<Result<i64, String>>);

/// Entries committed together at most (bounds a transaction's size and latency).
const MAX_BATCH: usize = 256;
/// Entries that may wait for the writer before appends wait for room.
const QUEUE: usize = 4096;

/// The appending side of the decision log; cheap to clone.
#[derive(Clone)]
pub struct DecisionLog {
    sender: mpsc::Sender<Pending>,
}

impl DecisionLog {
    /// Starts the writer task over `pool`.
    pub fn start(pool: AnyPool) -> DecisionLog {
        let (sender, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(pool, receiver));
        DecisionLog { sender }
    }

    /// Whether the writer task still runs (if it stopped, every decision fails: closed).
    pub fn is_running(&self) -> bool {
        !self.sender.is_closed()
    }

    /// Appends `entry` and returns its sequence number once it is durably stored.
    pub async fn append(&self, entry: LogEntry) -> Result<i64, LogError> {
        let (done, answer) = oneshot::channel();
        self.sender
            .send((entry, done))
            .await
            .map_err(|_| LogError::Stopped)?;
        match answer.await {
            Ok(Ok(seq)) => Ok(seq),
            Ok(Err(message)) => Err(LogError::Storage(sqlx::Error::Protocol(message))),
            Err(_) => Err(LogError::Stopped),
        }
    }
}

async fn write_batches(pool: AnyPool, mut receiver: mpsc::Receiver<Pending>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let entries: Vec<&LogEntry> = batch.iter().map(|(e, _)| e).collect();
        match write(&pool, &entries).await {
            Ok(first_seq) => {
                for (offset, (_, done)) in (0_i64..).zip(batch.drain(..)) {
                    let _ = done.send(Ok(first_seq + offset));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, entries = batch.len(), "could not write the decision log");
                let message = e.to_string();
                for (_, done) in batch.drain(..) {
                    let _ = done.send(Err(message.clone()));
                }
            }
        }
    }
}

/// Writes `entries` in one transaction; returns the sequence number of the first.
async fn write(pool: &AnyPool, entries: &[&LogEntry]) -> Result<i64, sqlx::Error> {
    let count = i64::try_from(entries.len()).unwrap_or(i64::MAX);
    let mut tx = crate::db::begin(pool).await?;
    // Taking the head row's lock first orders appends across app servers.
    let (last,): (i64,) =
        sqlx::query_as("UPDATE decision_log_head SET seq = seq + $1 WHERE id = 'head' RETURNING seq")
            .bind(count)
            .fetch_one(&mut *tx)
            .await?;
    let first = last - count + 1;
    let mut leaves = Vec::with_capacity(entries.len());
    for (seq, entry) in (first..).zip(entries) {
        let row = entry.row(seq);
        sqlx::query(concat!(
            "INSERT INTO decision_log (seq, id, request_id, at_us, kind, agency, client_id, subject, ",
            "subject_salt, subject_digest, system, purpose, user_id, decision, reason, legal_basis) ",
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
        ))
        .bind(row.seq)
        .bind(&row.id)
        .bind(&row.request_id)
        .bind(row.at_us)
        .bind(&row.kind)
        .bind(&row.agency)
        .bind(&row.client_id)
        .bind(&row.subject)
        .bind(&row.subject_salt)
        .bind(&row.subject_digest)
        .bind(&row.system)
        .bind(&row.purpose)
        .bind(&row.user_id)
        .bind(&row.decision)
        .bind(&row.reason)
        .bind(&row.legal_basis)
        .execute(&mut *tx)
        .await?;
        leaves.push(decision_entry(row));
    }
    // The leaves commit with the rows: a decision is never stored without its proof.
    ledger::append(&mut tx, &leaves).await?;
    tx.commit().await?;
    Ok(first)
}

impl LogEntry {
    /// The row stored for this entry as number `seq`, with a fresh salt for the digest that
    /// stands for the resident number in the ledger.
    fn row(&self, seq: i64) -> DecisionRow {
        let salt = super::new_id();
        DecisionRow {
            seq,
            id: self.id.clone(),
            request_id: self.request_id.clone(),
            at_us: self.at_us,
            kind: self.kind.code().to_owned(),
            agency: self.agency.clone(),
            client_id: self.client_id.clone(),
            subject_digest: Some(subject_digest(&salt, &self.subject)),
            subject: Some(self.subject.clone()),
            subject_salt: Some(salt),
            system: self.system.clone(),
            purpose: self.purpose.clone(),
            user_id: self.user_id.clone(),
            decision: self.decision.code().to_owned(),
            reason: self.reason.code().to_owned(),
            legal_basis: self.legal_basis.map(|b| b.code().to_owned()),
        }
    }
}

#[derive(FromRow)]
struct AccessRow {
    seq: i64,
    id: String,
    at_us: i64,
    kind: String,
    agency: String,
    system: String,
    purpose: String,
    decision: String,
    reason: String,
    agency_name: Option<String>,
    system_name: Option<String>,
    purpose_name: Option<String>,
    ledger_index: Option<i64>,
}

/// A register name in `lang`, or `fallback` (the code asked about) when the register has none.
fn name_or(column: &str, json: Option<&str>, fallback: &str, lang: Lang) -> Result<String, sqlx::Error> {
    match json {
        Some(json) => Ok(text(column, json)?.get(lang).to_owned()),
        None => Ok(fallback.to_owned()),
    }
}

impl AccessRow {
    fn into_entry(self, lang: Lang) -> Result<AccessEntry, sqlx::Error> {
        Ok(AccessEntry {
            seq: self.seq,
            decision_id: self.id,
            at: rfc3339_us(self.at_us),
            kind: code("decision_log.kind", &self.kind)?,
            agency_name: name_or("agencies.name", self.agency_name.as_deref(), &self.agency, lang)?,
            system_name: name_or("systems.name", self.system_name.as_deref(), &self.system, lang)?,
            purpose_name: name_or("purposes.name", self.purpose_name.as_deref(), &self.purpose, lang)?,
            agency_slug: self.agency,
            system_slug: self.system,
            purpose_key: self.purpose,
            decision: code("decision_log.decision", &self.decision)?,
            reason: code("decision_log.reason", &self.reason)?,
            ledger_index: self.ledger_index,
        })
    }
}

/// One page of the entries that named `user_id`, newest first.
pub async fn page(
    pool: &AnyPool,
    user_id: &str,
    filter: &AccessFilter,
    lang: Lang,
) -> Result<AccessPage, StoreError> {
    let (entries, next_before) = entries(pool, user_id, filter, ACCESS_PAGE_SIZE, lang).await?;
    let agency_rows: Vec<(String, Option<String>)> = sqlx::query_as(concat!(
        "SELECT DISTINCT d.agency, a.name FROM decision_log d ",
        "LEFT JOIN agencies a ON a.slug = d.agency WHERE d.user_id = $1"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    let mut agencies = agency_rows
        .into_iter()
        .map(|(slug, name)| {
            Ok(AgencyOption {
                name: name_or("agencies.name", name.as_deref(), &slug, lang)?,
                slug,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    agencies.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(AccessPage {
        entries,
        next_before,
        agencies,
    })
}

/// Up to `limit` of the entries that named `user_id` and pass `filter`, newest first, and
/// where the next (older) page starts if there are more. One query: keyset paging on `seq`.
pub async fn entries(
    pool: &AnyPool,
    user_id: &str,
    filter: &AccessFilter,
    limit: usize,
    lang: Lang,
) -> Result<(Vec<AccessEntry>, Option<i64>), StoreError> {
    let rows: Vec<AccessRow> = sqlx::query_as(concat!(
        "SELECT d.seq, d.id, d.at_us, d.kind, d.agency, d.system, d.purpose, d.decision, d.reason, ",
        "a.name AS agency_name, s.name AS system_name, p.name AS purpose_name, l.idx AS ledger_index ",
        "FROM decision_log d ",
        "LEFT JOIN ledger l ON l.source = 'decision' AND l.entry_id = d.id ",
        "LEFT JOIN agencies a ON a.slug = d.agency ",
        "LEFT JOIN systems s ON s.slug = d.system ",
        "LEFT JOIN purposes p ON p.system_id = s.id AND p.key = d.purpose ",
        "WHERE d.user_id = $1 AND ($2 = '' OR d.agency = $2) AND ($3 = '' OR d.decision = $3) ",
        "AND d.seq < $4 ORDER BY d.seq DESC LIMIT $5"
    ))
    .bind(user_id)
    .bind(filter.agency.as_deref().unwrap_or(""))
    .bind(filter.decision.map_or("", |d| d.code()))
    .bind(filter.before.unwrap_or(i64::MAX))
    // One more than asked: whether it comes back says whether there is a next page.
    .bind(i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX))
    .fetch_all(pool)
    .await?;
    let has_more = rows.len() > limit;
    let entries = rows
        .into_iter()
        .take(limit)
        .map(|r| r.into_entry(lang))
        .collect::<Result<Vec<_>, _>>()?;
    let next_before = if has_more {
        entries.last().map(|e| e.seq)
    } else {
        None
    };
    Ok((entries, next_before))
}

/// How many entries named `user_id` before sequence number `before`.
pub async fn count_before(pool: &AnyPool, user_id: &str, before: i64) -> Result<i64, StoreError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM decision_log WHERE user_id = $1 AND seq < $2")
        .bind(user_id)
        .bind(before)
        .fetch_one(pool)
        .await?;
    Ok(n)
}

/// The sequence number of the newest entry committed (0 while the log is empty). The head
/// row moves in the transaction that writes the entries, so every entry up to it is there.
pub async fn last_seq(pool: &AnyPool) -> Result<i64, StoreError> {
    let (seq,): (i64,) = sqlx::query_as("SELECT seq FROM decision_log_head WHERE id = 'head'")
        .fetch_one(pool)
        .await?;
    Ok(seq)
}

/// Erases the resident number from every entry that named `user_id` (their account is being
/// deleted), inside the caller's transaction. The salted digest the ledger hashed stays in
/// its place, so the entries still verify; the salt goes, so the number cannot be guessed
/// back from the digest.
pub async fn erase_subject(conn: &mut sqlx::AnyConnection, user_id: &str) -> Result<(), StoreError> {
    let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT seq, subject, subject_salt FROM decision_log WHERE user_id = $1 AND subject <> ''",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    for (seq, subject, salt) in rows {
        let digest = subject_digest(salt.as_deref().unwrap_or(""), &subject);
        sqlx::query(
            "UPDATE decision_log SET subject = '', subject_salt = NULL, subject_digest = $1 WHERE seq = $2",
        )
        .bind(digest)
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// How many entries the log holds (for tests and statistics).
pub async fn count(pool: &AnyPool) -> Result<i64, StoreError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM decision_log")
        .fetch_one(pool)
        .await?;
    Ok(n)
}
