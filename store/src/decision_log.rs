//! The decision log: every agency consent check and data query, append-only, numbered
//! without gaps by the head row.
//!
//! Appends go through one writer task per process that commits whatever entries are
//! waiting in one transaction (group commit): each caller is answered only after its entry
//! is durable, and a busy server pays one disk flush for many decisions instead of one each.

use super::{code, rfc3339_us, text};
use crate::StoreError;
use crate::ledger::{self, DecisionRow, decision_entry};
use crate::live_facts::LiveFacts;
use domain::account::{ApiScope, ResidentNumber};
use domain::decision::index::{ClientRefusal, Outcome, TokenClaims};
use domain::decision::{ACCESS_PAGE_SIZE, AccessEntry, AccessFilter, AccessPage, DecisionKind};
use domain::lang::Lang;
use domain::ledger::subject_digest;
use domain::register::AgencyOption;
use sqlx::{AnyPool, FromRow};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// One decision, as the calling agency asked it and as it was decided.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// The `decision_id` the agency receives.
    pub id: String,
    pub request_id: String,
    pub at_us: i64,
    pub kind: DecisionKind,
    /// The calling agency's slug and API client, and what its token claims.
    pub agency: String,
    pub client_id: String,
    pub secret_generation: i64,
    /// The scope the call needs (checked again if the facts changed since it was decided).
    pub scope: ApiScope,
    /// What was asked about, as asked.
    pub subject: ResidentNumber,
    pub system: String,
    pub purpose: String,
    /// The outcome, decided on the facts of version `facts_version`.
    pub outcome: Outcome,
    pub facts_version: i64,
}

/// A decision as recorded: its number in the log, and its outcome, which is the one
/// decided on facts at least as new as any change acknowledged before the question arrived.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub seq: i64,
    pub outcome: Outcome,
}

/// Why an entry was not recorded. The decision must then not be given.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("the decision log could not be written: {0}")]
    Storage(#[from] sqlx::Error),
    #[error("the decision log writer has stopped")]
    Stopped,
    /// The client was revoked, rotated or narrowed before the question arrived (found once the
    /// facts were brought up to date): no decision, and nothing logged.
    #[error("the API client may no longer make this call")]
    Refused(ClientRefusal),
}

/// Entries appended together (one question, or an agency's batch of them) and who waits.
type Pending = (Vec<LogEntry>, oneshot::Sender<Result<Vec<Recorded>, Failure>>);

/// What the writer tells a waiting caller that got no decision.
#[derive(Debug, Clone)]
enum Failure {
    Storage(String),
    Refused(ClientRefusal),
}

/// Appends committed together at most (bounds a transaction's size and latency).
const MAX_BATCH: usize = 256;
/// Rows per INSERT statement (16 bound parameters each; SQLite allows 32 766 per statement).
const ROWS_PER_INSERT: usize = 1000;
/// Entries that may wait for the writer before appends wait for room.
const QUEUE: usize = 4096;
/// Lock hold times kept for the statistics (the newest overwrite the oldest).
const KEPT_HOLDS: usize = 100_000;

/// The appending side of the decision log; cheap to clone.
#[derive(Clone)]
pub struct DecisionLog {
    sender: mpsc::Sender<Pending>,
    facts: Arc<LiveFacts>,
    stats: Arc<Mutex<WriterStats>>,
}

/// What the writer measured: batches, entries, and how long each batch held the log's lock
/// (from taking the head row to commit), in microseconds.
#[derive(Debug, Default, Clone)]
pub struct WriterStats {
    pub batches: u64,
    pub entries: u64,
    /// Entries decided again because the facts changed after they were decided.
    pub redecided: u64,
    holds_us: Vec<u32>,
}

impl WriterStats {
    fn note(&mut self, entries: usize, redecided: usize, held: std::time::Duration) {
        self.batches += 1;
        self.entries += entries as u64;
        self.redecided += redecided as u64;
        let micros = u32::try_from(held.as_micros()).unwrap_or(u32::MAX);
        if self.holds_us.len() < KEPT_HOLDS {
            self.holds_us.push(micros);
        } else {
            let slot = usize::try_from(self.batches).unwrap_or(0) % KEPT_HOLDS;
            self.holds_us[slot] = micros;
        }
    }

    /// The lock hold time at quantile `q` (0.0–1.0), in microseconds.
    pub fn hold_us(&self, q: f64) -> u32 {
        let mut sorted = self.holds_us.clone();
        sorted.sort_unstable();
        let last = sorted.len().saturating_sub(1);
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let at = ((last as f64) * q.clamp(0.0, 1.0)).round() as usize;
        sorted.get(at).copied().unwrap_or(0)
    }
}

impl DecisionLog {
    /// Starts the writer task over `pool`, deciding again from `facts` when they changed.
    pub fn start(pool: AnyPool, facts: Arc<LiveFacts>) -> DecisionLog {
        let (sender, receiver) = mpsc::channel(QUEUE);
        let stats = Arc::new(Mutex::new(WriterStats::default()));
        tokio::spawn(write_batches(pool, facts.clone(), stats.clone(), receiver));
        DecisionLog { sender, facts, stats }
    }

    /// The facts this log's writer keeps current, to decide from.
    pub fn facts(&self) -> &LiveFacts {
        &self.facts
    }

    /// What the writer measured so far.
    pub fn stats(&self) -> WriterStats {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Whether the writer task still runs (if it stopped, every decision fails: closed).
    pub fn is_running(&self) -> bool {
        !self.sender.is_closed()
    }

    /// Appends `entry` and returns it as recorded once it is durably stored.
    pub async fn append(&self, entry: LogEntry) -> Result<Recorded, LogError> {
        let mut recorded = self.append_all(vec![entry]).await?;
        recorded.pop().ok_or(LogError::Stopped)
    }

    /// Appends `entries` together (in one transaction, numbered in order) and returns them as
    /// recorded once they are durably stored. They must share one client: if it is refused,
    /// none is recorded.
    pub async fn append_all(&self, entries: Vec<LogEntry>) -> Result<Vec<Recorded>, LogError> {
        let (done, answer) = oneshot::channel();
        self.sender
            .send((entries, done))
            .await
            .map_err(|_| LogError::Stopped)?;
        match answer.await {
            Ok(Ok(recorded)) => Ok(recorded),
            Ok(Err(Failure::Storage(message))) => Err(LogError::Storage(sqlx::Error::Protocol(message))),
            Ok(Err(Failure::Refused(why))) => Err(LogError::Refused(why)),
            Err(_) => Err(LogError::Stopped),
        }
    }
}

async fn write_batches(
    pool: AnyPool,
    facts: Arc<LiveFacts>,
    stats: Arc<Mutex<WriterStats>>,
    mut receiver: mpsc::Receiver<Pending>,
) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // Every entry of the batch arrived before this read, so deciding on facts at least
        // this new decides after every change acknowledged before any of them arrived.
        let (redecided, refusals) = match settle(&pool, &facts, &mut batch).await {
            Ok(settled) => settled,
            Err(e) => {
                fail(&mut batch, &e.to_string());
                continue;
            }
        };
        let kept: Vec<Pending> = batch
            .drain(..)
            .zip(refusals)
            .filter_map(|((entries, done), refusal)| match refusal {
                Some(why) => {
                    let _ = done.send(Err(Failure::Refused(why)));
                    None
                }
                None => Some((entries, done)),
            })
            .collect();
        batch = kept;
        if batch.is_empty() {
            continue;
        }
        let entries: Vec<&LogEntry> = batch.iter().flat_map(|(e, _)| e).collect();
        match write(&pool, &entries).await {
            Ok((first_seq, held)) => {
                if let Ok(mut s) = stats.lock() {
                    s.note(entries.len(), redecided, held);
                }
                let mut seq = first_seq;
                for (entries, done) in batch.drain(..) {
                    let recorded = entries
                        .into_iter()
                        .map(|entry| {
                            seq += 1;
                            Recorded {
                                seq: seq - 1,
                                outcome: entry.outcome,
                            }
                        })
                        .collect();
                    let _ = done.send(Ok(recorded));
                }
            }
            Err(e) => fail(&mut batch, &e.to_string()),
        }
    }
}

fn fail(batch: &mut Vec<Pending>, message: &str) {
    tracing::error!(error = %message, entries = batch.len(), "could not write the decision log");
    for (_, done) in batch.drain(..) {
        let _ = done.send(Err(Failure::Storage(message.to_owned())));
    }
}

/// Brings `facts` up to the facts version now and decides again every entry decided on an
/// older version, its client checked again too. Returns how many were decided again, and
/// for each entry whether its client is now refused.
async fn settle(
    pool: &AnyPool,
    facts: &LiveFacts,
    batch: &mut [Pending],
) -> Result<(usize, Vec<Option<ClientRefusal>>), StoreError> {
    let version = {
        let mut conn = pool.acquire().await?;
        crate::consent::facts_version(&mut conn).await?
    };
    let mut refusals = vec![None; batch.len()];
    if batch
        .iter()
        .flat_map(|(e, _)| e)
        .all(|e| e.facts_version >= version)
    {
        return Ok((0, refusals));
    }
    facts.catch_up(pool, version).await?;
    let index = facts.read();
    let mut redecided = 0;
    for ((entries, _), refusal) in batch.iter_mut().zip(refusals.iter_mut()) {
        for entry in entries.iter_mut().filter(|e| e.facts_version < version) {
            redecided += 1;
            let token = TokenClaims {
                client_id: &entry.client_id,
                agency: &entry.agency,
                secret_generation: entry.secret_generation,
            };
            if let Err(why) = index.client_allows(token, entry.scope) {
                *refusal = Some(why);
            }
            entry.outcome = index.decide(&entry.agency, &entry.subject, &entry.system, &entry.purpose);
            entry.facts_version = index.version;
        }
    }
    Ok((redecided, refusals))
}

/// Writes `entries` in one transaction. Returns the sequence number of the first, and how
/// long the log's lock was held (from taking it to commit).
async fn write(pool: &AnyPool, entries: &[&LogEntry]) -> Result<(i64, std::time::Duration), sqlx::Error> {
    let postgres = pool.connect_options().database_url.scheme() != "sqlite";
    if postgres && entries.len() <= ROWS_PER_INSERT {
        write_in_two_statements(pool, entries).await
    } else {
        write_step_by_step(pool, entries).await
    }
}

/// Any database, any number of entries: the head, the rows (1 000 per statement), the leaves.
async fn write_step_by_step(
    pool: &AnyPool,
    entries: &[&LogEntry],
) -> Result<(i64, std::time::Duration), sqlx::Error> {
    let count = i64::try_from(entries.len()).unwrap_or(i64::MAX);
    let mut tx = crate::db::begin(pool).await?;
    // SQLite's BEGIN IMMEDIATE took the write lock; PostgreSQL takes the head row's here.
    let locked = std::time::Instant::now();
    // Taking the head row's lock first orders appends across app servers.
    let (last,): (i64,) =
        sqlx::query_as("UPDATE decision_log_head SET seq = seq + $1 WHERE id = 'head' RETURNING seq")
            .bind(count)
            .fetch_one(&mut *tx)
            .await?;
    let first = last - count + 1;
    let rows: Vec<DecisionRow> = (first..).zip(entries).map(|(seq, e)| e.row(seq)).collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        bind_rows(
            sqlx::query(sqlx::AssertSqlSafe(insert_sql(
                chunk.len(),
                crate::db::is_sqlite(&tx),
            ))),
            chunk,
        )
        .execute(&mut *tx)
        .await?;
    }
    let leaves: Vec<_> = rows.into_iter().map(decision_entry).collect();
    // The leaves commit with the rows: a decision is never stored without its proof.
    ledger::append(&mut tx, &leaves).await?;
    tx.commit().await?;
    Ok((first, locked.elapsed()))
}

/// PostgreSQL: one statement takes both heads' locks and reads them, one writes the rows,
/// their leaves and the new ledger head (data-modifying CTEs), then the commit: the locks are
/// held for two round trips and the commit, whatever the batch's size (up to 1 000 rows:
/// 20 bound parameters each, under PostgreSQL's 65 535).
async fn write_in_two_statements(
    pool: &AnyPool,
    entries: &[&LogEntry],
) -> Result<(i64, std::time::Duration), sqlx::Error> {
    let count = i64::try_from(entries.len()).unwrap_or(i64::MAX);
    let mut tx = crate::db::begin(pool).await?;
    let locked = std::time::Instant::now();
    let (last, size, frontier, root): (i64, i64, String, String) = sqlx::query_as(concat!(
        "WITH d AS (UPDATE decision_log_head SET seq = seq + $1 WHERE id = 'head' RETURNING seq), ",
        "l AS (UPDATE ledger_head SET size = size WHERE id = 'head' RETURNING size, frontier, root) ",
        "SELECT d.seq, l.size, l.frontier, l.root FROM d, l"
    ))
    .bind(count)
    .fetch_one(&mut *tx)
    .await?;
    let first = last - count + 1;
    let rows: Vec<DecisionRow> = (first..).zip(entries).map(|(seq, e)| e.row(seq)).collect();
    let leaves: Vec<_> = rows.iter().cloned().map(decision_entry).collect();
    let growth = ledger::Growth::of(ledger::head_of(size, frontier, root)?, &leaves)?;
    let after_rows = rows.len() * 16 + 1;
    let after_leaves = after_rows + growth.leaves.len() * 4;
    let sql = format!(
        "WITH r AS ({}), v AS (INSERT INTO ledger (idx, source, entry_id, leaf_hash) VALUES {}) \
         UPDATE ledger_head SET size = ${}, frontier = ${}, root = ${} WHERE id = 'head'",
        insert_sql(rows.len(), false),
        ledger::Growth::placeholders(growth.leaves.len(), after_rows, false),
        after_leaves,
        after_leaves + 1,
        after_leaves + 2,
    );
    let query = bind_rows(sqlx::query(sqlx::AssertSqlSafe(sql)), &rows);
    ledger::Growth::bind_leaves(query, &growth.leaves)
        .bind(growth.size)
        .bind(growth.frontier.clone())
        .bind(growth.root.clone())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((first, locked.elapsed()))
}

/// `INSERT INTO decision_log ... VALUES` for `rows` rows, parameters from `$1` (positional on
/// SQLite).
fn insert_sql(rows: usize, positional: bool) -> String {
    format!(
        "INSERT INTO decision_log (seq, id, request_id, at_us, kind, agency, client_id, subject, \
         subject_salt, subject_digest, system, purpose, user_id, decision, reason, legal_basis) VALUES {}",
        crate::db::values_list(rows, 16, 1, positional)
    )
}

/// Binds `rows` in order.
fn bind_rows<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    rows: &[DecisionRow],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for row in rows {
        query = query
            .bind(row.seq)
            .bind(row.id.clone())
            .bind(row.request_id.clone())
            .bind(row.at_us)
            .bind(row.kind.clone())
            .bind(row.agency.clone())
            .bind(row.client_id.clone())
            .bind(row.subject.clone())
            .bind(row.subject_salt.clone())
            .bind(row.subject_digest.clone())
            .bind(row.system.clone())
            .bind(row.purpose.clone())
            .bind(row.user_id.clone())
            .bind(row.decision.clone())
            .bind(row.reason.clone())
            .bind(row.legal_basis.clone());
    }
    query
}

impl LogEntry {
    /// The row stored for this entry as number `seq`, with a fresh salt for the digest that
    /// stands for the resident number in the ledger.
    fn row(&self, seq: i64) -> DecisionRow {
        let salt = super::new_id();
        let subject = self.subject.as_str();
        DecisionRow {
            seq,
            id: self.id.clone(),
            request_id: self.request_id.clone(),
            at_us: self.at_us,
            kind: self.kind.code().to_owned(),
            agency: self.agency.clone(),
            client_id: self.client_id.clone(),
            subject_digest: Some(subject_digest(&salt, subject)),
            subject: Some(subject.to_owned()),
            subject_salt: Some(salt),
            system: self.system.clone(),
            purpose: self.purpose.clone(),
            user_id: self.outcome.user_id.clone(),
            decision: self.outcome.decision.code().to_owned(),
            reason: self.outcome.reason.code().to_owned(),
            legal_basis: self.outcome.legal_basis.map(|b| b.code().to_owned()),
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
