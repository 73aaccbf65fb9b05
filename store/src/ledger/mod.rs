//! The ledger's storage: appending leaves inside the caller's transaction, the head,
//! checkpoints, proofs, and reading every log back for verification.
//!
//! Appending locks the head row, so leaves are numbered without gaps across app servers.
//! Every append is the last write of its transaction, which keeps the head's lock short.

mod entries;
mod keeper;

pub use entries::{DecisionRow, all_entries, decision_entry, entry_owner};
pub use keeper::{InclusionProof, Keeper, VerifyError, prove_consistency, prove_inclusion, verify_all};

use crate::StoreError;
use domain::ledger::{Frontier, Hash, LedgerEntry, Redaction, from_hex, to_hex};
use domain::paging::{Cursor, Page, fetch_limit};
use sqlx::{AnyConnection, AnyPool, FromRow};

/// The ledger's head as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub size: u64,
    pub root: Hash,
    pub frontier: Frontier,
}

#[derive(FromRow)]
struct HeadRow {
    size: i64,
    frontier: String,
    root: String,
}

fn corrupt(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("the ledger head's {what} is not valid").into())
}

impl HeadRow {
    fn into_head(self) -> Result<Head, sqlx::Error> {
        let size = u64::try_from(self.size).map_err(|_| corrupt("size"))?;
        let peaks = self
            .frontier
            .split(',')
            .filter(|p| !p.is_empty())
            .map(from_hex)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| corrupt("frontier"))?;
        let frontier = Frontier::from_parts(size, peaks).ok_or_else(|| corrupt("frontier"))?;
        let root = from_hex(&self.root).ok_or_else(|| corrupt("root"))?;
        Ok(Head { size, root, frontier })
    }
}

async fn read_head(conn: &mut AnyConnection) -> Result<Head, sqlx::Error> {
    let row: HeadRow = sqlx::query_as("SELECT size, frontier, root FROM ledger_head WHERE id = 'head'")
        .fetch_one(conn)
        .await?;
    row.into_head()
}

/// The head now.
pub async fn head(pool: &AnyPool) -> Result<Head, StoreError> {
    let mut conn = pool.acquire().await?;
    Ok(read_head(&mut conn).await?)
}

/// Takes the head's lock for the rest of the transaction on `conn` (SQLite: the write lock;
/// PostgreSQL: the row), before reading it.
pub async fn lock_head(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE ledger_head SET size = size WHERE id = 'head'")
        .execute(conn)
        .await?;
    Ok(())
}

/// Appends `entries` as the next leaves, on `conn` (inside the caller's transaction, which
/// commits them with the rows they stand for); returns the index of the first. Three
/// statements for up to 1 000 entries: lock and read the head, insert the leaves, move the head.
pub async fn append(conn: &mut AnyConnection, entries: &[LedgerEntry]) -> Result<u64, sqlx::Error> {
    let row: HeadRow =
        sqlx::query_as("UPDATE ledger_head SET size = size WHERE id = 'head' RETURNING size, frontier, root")
            .fetch_one(&mut *conn)
            .await?;
    let growth = Growth::of(row.into_head()?, entries)?;
    if entries.is_empty() {
        return Ok(growth.first);
    }
    // Bound parameters per statement are limited (SQLite: 32 766): at most 1 000 rows each.
    for chunk in growth.leaves.chunks(1000) {
        let sql = format!(
            "INSERT INTO ledger (idx, source, entry_id, leaf_hash) VALUES {}",
            Growth::placeholders(chunk.len(), 1, crate::db::is_sqlite(conn))
        );
        Growth::bind_leaves(sqlx::query(sqlx::AssertSqlSafe(sql)), chunk)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("UPDATE ledger_head SET size = $1, frontier = $2, root = $3 WHERE id = 'head'")
        .bind(growth.size)
        .bind(growth.frontier.clone())
        .bind(growth.root.clone())
        .execute(&mut *conn)
        .await?;
    Ok(growth.first)
}

/// One leaf's row: index, source, entry id, leaf hash.
pub type LeafValues = (i64, &'static str, String, String);

/// What appending some entries to a head makes: their leaf rows and the new head.
#[derive(Debug, Clone)]
pub struct Growth {
    /// The index of the first new leaf.
    pub first: u64,
    pub leaves: Vec<LeafValues>,
    pub size: i64,
    /// The new head's frontier and root, as stored.
    pub frontier: String,
    pub root: String,
}

impl Growth {
    /// `entries` appended to `head`.
    pub fn of(mut head: Head, entries: &[LedgerEntry]) -> Result<Growth, sqlx::Error> {
        let first = head.size;
        let mut leaves = Vec::with_capacity(entries.len());
        for entry in entries {
            let leaf = entry.leaf_hash();
            let idx = i64::try_from(head.frontier.size()).map_err(|_| corrupt("size"))?;
            leaves.push((idx, entry.source().code(), entry.id().to_owned(), to_hex(&leaf)));
            head.frontier.push(leaf);
        }
        let frontier: Vec<String> = head.frontier.peaks().iter().map(to_hex).collect();
        Ok(Growth {
            first,
            leaves,
            size: i64::try_from(head.frontier.size()).map_err(|_| corrupt("size"))?,
            frontier: frontier.join(","),
            root: to_hex(&head.frontier.root()),
        })
    }

    /// The `VALUES` list of `rows` leaf rows, numbered from `$from` (positional on SQLite).
    pub fn placeholders(rows: usize, from: usize, positional: bool) -> String {
        crate::db::values_list(rows, 4, from, positional)
    }

    /// Binds `leaves` in order.
    pub fn bind_leaves<'q>(
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
        leaves: &[LeafValues],
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        for (idx, source, id, leaf) in leaves {
            query = query.bind(*idx).bind(*source).bind(id.clone()).bind(leaf.clone());
        }
        query
    }
}

/// The head from its stored columns.
pub fn head_of(size: i64, frontier: String, root: String) -> Result<Head, sqlx::Error> {
    HeadRow { size, frontier, root }.into_head()
}

/// One leaf as stored.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct LeafRow {
    pub idx: i64,
    pub source: String,
    pub entry_id: String,
    pub leaf_hash: String,
}

/// Every leaf, in index order.
pub async fn leaves(pool: &AnyPool) -> Result<Vec<LeafRow>, StoreError> {
    Ok(
        sqlx::query_as("SELECT idx, source, entry_id, leaf_hash FROM ledger ORDER BY idx")
            .fetch_all(pool)
            .await?,
    )
}

/// Records that the row of entry `idx` is being removed by the purge whose staff-log entry
/// is `audit_id` (on the purge's transaction, before the row is deleted: the triggers let
/// only a listed row go).
pub async fn redact(conn: &mut AnyConnection, idx: i64, audit_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO ledger_redactions (idx, audit_id, at_us) VALUES ($1, $2, $3)")
        .bind(idx)
        .bind(audit_id)
        .bind(crate::now_us())
        .execute(conn)
        .await?;
    Ok(())
}

/// Every recorded redaction.
pub async fn redactions(pool: &AnyPool) -> Result<Vec<Redaction>, StoreError> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT idx, audit_id FROM ledger_redactions ORDER BY idx")
        .fetch_all(pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(idx, audit_id)| Redaction { idx, audit_id })
        .collect())
}

/// The leaf hashes of the first `size` entries, for proofs.
pub async fn leaf_hashes(pool: &AnyPool, size: u64) -> Result<Vec<Hash>, StoreError> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT leaf_hash FROM ledger WHERE idx < $1 ORDER BY idx")
        .bind(i64::try_from(size).unwrap_or(i64::MAX))
        .fetch_all(pool)
        .await?;
    rows.into_iter()
        .map(|(h,)| from_hex(&h).ok_or_else(|| StoreError::from(corrupt("leaf"))))
        .collect()
}

/// The entry number of the row `entry_id` of `source`, if it is in the ledger.
pub async fn index_of(
    pool: &AnyPool,
    source: domain::ledger::Source,
    entry_id: &str,
) -> Result<Option<i64>, StoreError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT idx FROM ledger WHERE source = $1 AND entry_id = $2")
        .bind(source.code())
        .bind(entry_id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|(i,)| i))
}

/// A checkpoint as kept.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct StoredCheckpoint {
    pub size: i64,
    pub root: String,
    pub at_us: i64,
    /// The signed note, as published.
    pub note: String,
}

/// The latest checkpoint, if any was made.
pub async fn latest_checkpoint(pool: &AnyPool) -> Result<Option<StoredCheckpoint>, StoreError> {
    Ok(
        sqlx::query_as("SELECT size, root, at_us, note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1")
            .fetch_optional(pool)
            .await?,
    )
}

/// Every checkpoint, oldest first (for `audit verify`, which reads the whole log anyway).
pub async fn all_checkpoints(pool: &AnyPool) -> Result<Vec<StoredCheckpoint>, StoreError> {
    Ok(
        sqlx::query_as("SELECT size, root, at_us, note FROM ledger_checkpoints ORDER BY size")
            .fetch_all(pool)
            .await?,
    )
}

/// One page of the checkpoints, oldest first: at most `limit`, after `after` (a
/// `CHECKPOINT_CURSOR`, a tree size) if given.
pub async fn checkpoints(
    pool: &AnyPool,
    limit: u32,
    after: Option<&Cursor>,
) -> Result<Page<StoredCheckpoint>, StoreError> {
    let rows: Vec<StoredCheckpoint> = sqlx::query_as(
        "SELECT size, root, at_us, note FROM ledger_checkpoints WHERE size > $1 ORDER BY size LIMIT $2",
    )
    .bind(after.map_or(-1, |c| c.number(0)))
    .bind(fetch_limit(limit))
    .fetch_all(pool)
    .await?;
    Ok(Page::from_rows(rows, limit, |c| {
        Cursor::after(&[&c.size.to_string()])
    }))
}

/// Keeps a checkpoint (a second one for the same size is ignored: the first was published).
pub async fn save_checkpoint(pool: &AnyPool, checkpoint: &StoredCheckpoint) -> Result<(), StoreError> {
    sqlx::query(concat!(
        "INSERT INTO ledger_checkpoints (size, root, at_us, note) VALUES ($1, $2, $3, $4) ",
        "ON CONFLICT (size) DO NOTHING"
    ))
    .bind(checkpoint.size)
    .bind(&checkpoint.root)
    .bind(checkpoint.at_us)
    .bind(&checkpoint.note)
    .execute(pool)
    .await?;
    Ok(())
}

/// Brings the rows written before the ledger existed into it, once: the decisions by
/// number, then consent events, enrollment events and staff actions, each by time. Later rows without a leaf are
/// tampering, which `audit verify` reports: they are never adopted.
pub async fn adopt_existing(pool: &AnyPool) -> Result<u64, StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    sqlx::query("UPDATE ledger_head SET adopted = adopted WHERE id = 'head'")
        .execute(&mut *tx)
        .await?;
    let (adopted,): (i64,) = sqlx::query_as("SELECT adopted FROM ledger_head WHERE id = 'head'")
        .fetch_one(&mut *tx)
        .await?;
    if adopted != 0 {
        return Ok(0);
    }
    let entries = entries::unlogged(&mut tx).await?;
    if !entries.is_empty() {
        append(&mut tx, &entries).await?;
    }
    sqlx::query("UPDATE ledger_head SET adopted = 1 WHERE id = 'head'")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(entries.len() as u64)
}
