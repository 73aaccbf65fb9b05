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
}

/// Applies the pragmas a server needs on every new SQLite connection: WAL so readers never
/// wait for the writer, foreign keys enforced, a busy timeout instead of immediate
/// `SQLITE_BUSY` errors, and `synchronous=FULL` because an acknowledged consent change must
/// survive a power cut. Reads map the file (`mmap_size`) instead of copying pages: in WAL
/// mode every commit empties the other connections' page caches.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
     PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL; PRAGMA mmap_size = 268435456;";

/// Opens a connection pool for `url` (`sqlite://path` or `postgres://...`).
#[tracing::instrument(skip_all)]
pub async fn connect(url: &str) -> Result<AnyPool, DbError> {
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
                }
                Ok(())
            })
        })
        .connect(&url)
        .await
        .map_err(DbError::Connect)
}

/// Applies every pending migration in `migrations/`.
#[tracing::instrument(skip_all)]
pub async fn migrate(pool: &AnyPool) -> Result<(), DbError> {
    sqlx::migrate!("../migrations").run(pool).await?;
    Ok(())
}

/// Creates the SQLite file's folder and asks sqlx to create the file if it is missing.
fn prepare_sqlite_url(url: &str) -> Result<String, DbError> {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = rest.split('?').next().unwrap_or(rest);
    let parent = std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent.filter(|_| path != ":memory:") {
        std::fs::create_dir_all(parent).map_err(|source| DbError::CreateDir {
            path: path.to_owned(),
            source,
        })?;
    }
    Ok(if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}
