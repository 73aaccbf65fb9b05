//! Opening the database (SQLite or PostgreSQL, through sqlx's `Any` driver) and migrating it.

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};
use std::time::Duration;

/// Why the database could not be opened or migrated.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot create the folder for the SQLite database {path}: {source}")]
    CreateDir { path: String, source: std::io::Error },
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("the database migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("could not guard the logs or bring existing entries into the ledger: {0}")]
    Ledger(#[from] crate::StoreError),
}

/// Applies the pragmas a server needs on every new SQLite connection: WAL so readers never
/// wait for the writer, foreign keys enforced, a busy timeout instead of immediate
/// `SQLITE_BUSY` errors, and `synchronous=FULL` because an acknowledged consent change must
/// survive a power cut. Reads map the file (`mmap_size`) instead of copying pages: in WAL
/// mode every commit empties the other connections' page caches.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
     PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL; PRAGMA mmap_size = 268435456;";

/// Opens a connection pool for `url` (`sqlite://path` or `postgres://...`).
pub async fn connect(url: &str) -> Result<AnyPool, DbError> {
    open_pool(url, false).await
}

/// Opens the pool of a serving process. On SQLite, checkpoints (copying the write-ahead log
/// back into the database) no longer run inside whichever commit crosses the log's
/// threshold — often the decision log's, with agencies waiting on it — but once a second in
/// a task of their own. Other processes (the CLI) keep SQLite's automatic checkpoints.
pub async fn connect_serving(url: &str) -> Result<AnyPool, DbError> {
    let pool = open_pool(url, true).await?;
    if url.starts_with("sqlite:") {
        let checkpoints = pool.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if checkpoints.is_closed() {
                    break;
                }
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&checkpoints)
                    .await
                {
                    tracing::warn!(error = %e, "could not checkpoint the write-ahead log");
                }
            }
        });
    }
    Ok(pool)
}

#[tracing::instrument(skip_all)]
async fn open_pool(url: &str, background_checkpoints: bool) -> Result<AnyPool, DbError> {
    sqlx::any::install_default_drivers();
    let sqlite = url.starts_with("sqlite:");
    let url = if sqlite {
        prepare_sqlite_url(url)?
    } else {
        url.to_owned()
    };
    AnyPoolOptions::new()
        .max_connections(if sqlite { 8 } else { 16 })
        .acquire_timeout(Duration::from_secs(10))
        // No ping before every use: a broken connection fails its query, which is an error
        // (never a permit), and the pool replaces it.
        .test_before_acquire(false)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if sqlite {
                    conn.execute(SQLITE_PRAGMAS).await?;
                    if background_checkpoints {
                        conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
                    }
                }
                Ok(())
            })
        })
        .connect(&url)
        .await
        .map_err(DbError::Connect)
}

/// The `VALUES` list of a multi-row insert: `rows` rows of `columns` parameters, numbered
/// from `$from` — or, when `positional` (SQLite), plain `?`: SQLite looks each named
/// parameter up among the ones before it, which makes a statement of thousands of `$N`
/// quadratic to prepare (a batch of 100 checks took seconds).
pub fn values_list(rows: usize, columns: usize, from: usize, positional: bool) -> String {
    (0..rows)
        .map(|r| {
            let params: Vec<String> = (0..columns)
                .map(|c| {
                    if positional {
                        "?".to_owned()
                    } else {
                        format!("${}", from + r * columns + c)
                    }
                })
                .collect();
            format!("({})", params.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `conn` is a SQLite connection.
pub fn is_sqlite(conn: &sqlx::AnyConnection) -> bool {
    conn.backend_name().eq_ignore_ascii_case("sqlite")
}

/// Begins a transaction that may write. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`), waiting its turn under the busy timeout: a deferred transaction that reads
/// first and writes later fails with "database is locked" whenever another connection wrote
/// in between, and a resident's or officer's change would be lost to a race.
pub async fn begin(pool: &AnyPool) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
    if pool.connect_options().database_url.scheme() == "sqlite" {
        pool.begin_with("BEGIN IMMEDIATE").await
    } else {
        pool.begin().await
    }
}

/// Takes the row lock of account `user_id` for the rest of the transaction (a write that
/// changes nothing; portable, where `SELECT ... FOR UPDATE` is not): on PostgreSQL,
/// transactions that count what an account did before adding to it then run one at a time
/// per account (SQLite's `BEGIN IMMEDIATE` already runs every writer one at a time).
pub async fn lock_user(conn: &mut sqlx::AnyConnection, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Applies every pending migration in `migrations/`, installs the triggers that keep the
/// logs append-only, and brings rows written before the ledger existed into it (once).
#[tracing::instrument(skip_all)]
pub async fn migrate(pool: &AnyPool) -> Result<(), DbError> {
    sqlx::migrate!("../migrations").run(pool).await?;
    guard_logs(pool).await?;
    let adopted = crate::ledger::adopt_existing(pool).await?;
    if adopted > 0 {
        tracing::info!(entries = adopted, "brought existing log entries into the ledger");
    }
    let versioned = crate::register::adopt_unversioned(pool).await?;
    if versioned > 0 {
        tracing::info!(
            systems = versioned,
            "gave systems entered before versions were kept their first version"
        );
    }
    Ok(())
}

/// The logs no row of which may change: their contents are evidence, and each has its
/// leaf in the ledger. (`decision_log` has its own rule below.)
const NO_UPDATE: [&str; 6] = [
    "consent_events",
    "enrollment_events",
    "admin_audit",
    "ledger",
    "ledger_checkpoints",
    "ledger_redactions",
];

/// The logs no row of which may go.
const NO_DELETE: [&str; 5] = [
    "admin_audit",
    "ledger",
    "ledger_checkpoints",
    "ledger_redactions",
    "decision_log",
];

/// The logs whose rows go only when the retention purge recorded their redaction first
/// (table, ledger source).
const PURGE_ONLY: [(&str, &str); 2] = [("consent_events", "consent"), ("enrollment_events", "enrollment")];

/// Whether the ledger entry of the row being deleted (`OLD.id` of `source`) has a recorded
/// redaction.
const REDACTED: &str = "EXISTS (SELECT 1 FROM ledger_redactions r JOIN ledger l ON l.idx = r.idx \
     WHERE l.source = {source} AND l.entry_id = OLD.id)";

/// The one change `decision_log` allows: erasing the resident number of a deleted account
/// (subject emptied, salt removed, the digest kept or filled in), everything else unchanged.
/// `{same}` is the dialect's null-safe equality (`IS` in SQLite, `IS NOT DISTINCT FROM` in
/// PostgreSQL).
const DECISION_ERASURE: &str = "NEW.subject = '' AND NEW.subject_salt IS NULL AND NEW.subject_digest IS NOT NULL \
     AND (OLD.subject_digest IS NULL OR NEW.subject_digest = OLD.subject_digest) \
     AND NEW.seq = OLD.seq AND NEW.id = OLD.id AND NEW.request_id = OLD.request_id \
     AND NEW.at_us = OLD.at_us AND NEW.kind = OLD.kind AND NEW.agency = OLD.agency \
     AND NEW.client_id = OLD.client_id AND NEW.system = OLD.system AND NEW.purpose = OLD.purpose \
     AND NEW.user_id {same} OLD.user_id AND NEW.decision = OLD.decision AND NEW.reason = OLD.reason \
     AND NEW.legal_basis {same} OLD.legal_basis";

/// Installs (idempotently) triggers that refuse UPDATE and DELETE on the logs, except the
/// decision log's erasure and the retention purge's recorded removals. Migrations are
/// portable SQL; triggers are not, so each dialect gets its own here. They stop mistakes
/// and casual edits; a database owner can drop them, which `audit verify` catches.
async fn guard_logs(pool: &AnyPool) -> Result<(), crate::StoreError> {
    let mut conn = pool.acquire().await?;
    let statements = if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        sqlite_guards()
    } else {
        // Once the owner installed them (`glasshouse migrate`), a runtime role without the
        // right to create triggers still starts: nothing is left to create.
        let names = postgres_guard_names();
        let (present,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname IN ('{}')",
            names.join("', '")
        )))
        .fetch_one(&mut *conn)
        .await?;
        if usize::try_from(present).unwrap_or(0) == names.len() {
            return Ok(());
        }
        postgres_guards()
    };
    for statement in statements {
        conn.execute(sqlx::AssertSqlSafe(statement)).await?;
    }
    Ok(())
}

/// The tables whose rows are facts of a decision: (table, kind of change, the column that
/// names what changed — empty for the register, which is reloaded whole —, the columns whose
/// update matters). An update of other columns (a client's last use, an account's name)
/// changes no decision and bumps nothing.
const FACT_TABLES: [(&str, &str, &str, &str); 8] = [
    ("agencies", "register", "", "slug"),
    ("systems", "register", "", "slug, agency_id, status, scope"),
    (
        "purposes",
        "register",
        "",
        "key, system_id, legal_basis, material_version",
    ),
    ("users", "resident", "id", "id, role, resident_number"),
    (
        "consents",
        "resident",
        "user_id",
        "user_id, purpose_id, state, event_id",
    ),
    ("enrollments", "resident", "user_id", "user_id, system_id"),
    ("upheld_objections", "resident", "user_id", "user_id, purpose_id"),
    (
        "api_clients",
        "client",
        "client_id",
        "client_id, agency_id, scopes, revoked_at, secret_rotated_at",
    ),
];

fn sqlite_guards() -> Vec<String> {
    let refuse = |table: &str| format!("BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END");
    let mut statements = Vec::new();
    for table in NO_UPDATE {
        statements.push(format!(
            "CREATE TRIGGER IF NOT EXISTS {table}_no_UPDATE BEFORE UPDATE ON {table} {}",
            refuse(table)
        ));
    }
    for table in NO_DELETE {
        statements.push(format!(
            "CREATE TRIGGER IF NOT EXISTS {table}_no_DELETE BEFORE DELETE ON {table} {}",
            refuse(table)
        ));
    }
    for (table, source) in PURGE_ONLY {
        // Before the retention purge, these refused every DELETE under the common name.
        statements.push(format!("DROP TRIGGER IF EXISTS {table}_no_DELETE"));
        statements.push(format!(
            "CREATE TRIGGER IF NOT EXISTS {table}_no_unrecorded_DELETE BEFORE DELETE ON {table} \
             WHEN NOT {} {}",
            REDACTED.replace("{source}", &format!("'{source}'")),
            refuse(table)
        ));
    }
    statements.push(format!(
        "CREATE TRIGGER IF NOT EXISTS decision_log_no_UPDATE BEFORE UPDATE ON decision_log \
         WHEN NOT ({}) {}",
        DECISION_ERASURE.replace("{same}", "IS"),
        refuse("decision_log")
    ));
    for (table, kind, key, columns) in FACT_TABLES {
        for (op, row, of) in [
            ("INSERT", "NEW", String::new()),
            ("UPDATE", "NEW", format!(" OF {columns}")),
            ("DELETE", "OLD", String::new()),
        ] {
            let key = if key.is_empty() {
                "''".to_owned()
            } else {
                format!("{row}.{key}")
            };
            statements.push(format!(
                "CREATE TRIGGER IF NOT EXISTS {table}_fact_{op} AFTER {op}{of} ON {table} BEGIN \
                 UPDATE facts_head SET version = version + 1 WHERE id = 'head'; \
                 INSERT INTO fact_changes (version, kind, key) \
                 SELECT version, '{kind}', {key} FROM facts_head WHERE id = 'head'; END"
            ));
        }
    }
    statements
}

fn postgres_guard_names() -> Vec<String> {
    NO_UPDATE
        .iter()
        .chain(&["decision_log"])
        .map(|t| format!("{t}_no_update"))
        .chain(NO_DELETE.iter().map(|t| format!("{t}_no_delete")))
        .chain(
            PURGE_ONLY
                .iter()
                .map(|(t, _)| format!("{t}_no_unrecorded_delete")),
        )
        .chain(
            FACT_TABLES
                .iter()
                .flat_map(|(t, ..)| [format!("{t}_fact_change"), format!("{t}_fact_update")]),
        )
        .collect()
}

fn postgres_guards() -> Vec<String> {
    let mut statements = vec![
        "CREATE OR REPLACE FUNCTION glasshouse_append_only() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
            .to_owned(),
        // A trigger's WHEN may not hold a subquery in PostgreSQL: the check is in the function.
        format!(
            "CREATE OR REPLACE FUNCTION glasshouse_purge_only() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN IF NOT {} THEN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END IF; \
             RETURN OLD; END $$",
            REDACTED.replace("{source}", "TG_ARGV[0]")
        ),
    ];
    for table in NO_UPDATE {
        statements.push(format!(
            "CREATE OR REPLACE TRIGGER {table}_no_update BEFORE UPDATE ON {table} \
             FOR EACH ROW EXECUTE FUNCTION glasshouse_append_only()"
        ));
    }
    for table in NO_DELETE {
        statements.push(format!(
            "CREATE OR REPLACE TRIGGER {table}_no_delete BEFORE DELETE ON {table} \
             FOR EACH ROW EXECUTE FUNCTION glasshouse_append_only()"
        ));
    }
    for (table, source) in PURGE_ONLY {
        statements.push(format!("DROP TRIGGER IF EXISTS {table}_no_delete ON {table}"));
        statements.push(format!(
            "CREATE OR REPLACE TRIGGER {table}_no_unrecorded_delete BEFORE DELETE ON {table} \
             FOR EACH ROW EXECUTE FUNCTION glasshouse_purge_only('{source}')"
        ));
    }
    statements.push(format!(
        "CREATE OR REPLACE TRIGGER decision_log_no_update BEFORE UPDATE ON decision_log \
         FOR EACH ROW WHEN (NOT ({})) EXECUTE FUNCTION glasshouse_append_only()",
        DECISION_ERASURE.replace("{same}", "IS NOT DISTINCT FROM")
    ));
    // The facts version: the head row's lock orders the writers of facts, so versions are
    // gapless and follow commit order.
    statements.push(
        "CREATE OR REPLACE FUNCTION glasshouse_fact_changed() RETURNS trigger LANGUAGE plpgsql AS \
         $$ DECLARE v BIGINT; changed JSONB; BEGIN \
         IF TG_OP = 'DELETE' THEN changed := to_jsonb(OLD); ELSE changed := to_jsonb(NEW); END IF; \
         UPDATE facts_head SET version = version + 1 WHERE id = 'head' RETURNING version INTO v; \
         INSERT INTO fact_changes (version, kind, key) \
         VALUES (v, TG_ARGV[0], COALESCE(changed ->> TG_ARGV[1], '')); \
         RETURN NULL; END $$"
            .to_owned(),
    );
    for (table, kind, key, columns) in FACT_TABLES {
        statements.push(format!(
            "CREATE OR REPLACE TRIGGER {table}_fact_change AFTER INSERT OR DELETE ON {table} \
             FOR EACH ROW EXECUTE FUNCTION glasshouse_fact_changed('{kind}', '{key}')"
        ));
        statements.push(format!(
            "CREATE OR REPLACE TRIGGER {table}_fact_update AFTER UPDATE OF {columns} ON {table} \
             FOR EACH ROW EXECUTE FUNCTION glasshouse_fact_changed('{kind}', '{key}')"
        ));
    }
    statements
}

/// Creates `dir` and its missing parents, the new ones open to their owner only.
pub fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates an empty file only its owner may read or write (an empty file is a new SQLite database).
fn private_file(path: &std::path::Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Creates the SQLite file's folder (only its owner may enter it) and the file itself (only
/// its owner may read it; SQLite gives its journal files the same mode), and asks sqlx to
/// create the file if it is still missing.
fn prepare_sqlite_url(url: &str) -> Result<String, DbError> {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = rest.split('?').next().unwrap_or(rest);
    let parent = std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty());
    let on_disk = path != ":memory:" && !url.contains("mode=memory");
    let create_err = |source| DbError::CreateDir {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = parent.filter(|_| on_disk) {
        private_dir(parent).map_err(create_err)?;
    }
    if on_disk && !std::path::Path::new(path).exists() {
        private_file(std::path::Path::new(path)).map_err(create_err)?;
    }
    Ok(if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

#[cfg(test)]
mod tests {
    use super::values_list;

    #[test]
    fn values_lists_number_or_position_every_parameter() {
        assert_eq!(values_list(2, 2, 3, false), "($3, $4), ($5, $6)");
        assert_eq!(values_list(2, 3, 1, true), "(?, ?, ?), (?, ?, ?)");
        assert_eq!(values_list(0, 3, 1, true), "");
    }
}
