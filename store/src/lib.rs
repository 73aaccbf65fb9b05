//! Storage: one module per aggregate, each a set of small async functions over the `Any`
//! pool or a transaction. SQL lives here and nowhere else; the rules it stores the outcome
//! of live in `domain`.

/// The statuses of a closed request (`RequestStatus::is_closed`) as an SQL list, for
/// `status IN` / `status NOT IN`. A literal, so it fits in `concat!` and every statement
/// stays a static string; a test below keeps it in step with the vocabulary.
macro_rules! closed_statuses {
    () => {
        "('fulfilled', 'rejected', 'withdrawn')"
    };
}

pub mod account_notices;
pub mod accounts;
pub mod audit;
pub mod breaches;
pub mod consent;
pub mod console;
pub mod db;
pub mod decision_log;
pub mod ledger;
pub mod live_facts;
mod notices;
pub mod package;
pub mod register;
pub mod reports;
pub mod requests;
pub mod retention;
pub mod second_factor;
pub mod sign_in_failures;
pub mod stats;
pub mod street;

mod error;
pub use error::StoreError;

use sqlx::AnyConnection;

/// The connection pool every storage function works over (SQLite or PostgreSQL).
pub type Pool = sqlx::AnyPool;

/// Current unix time in seconds, the timestamp format of every table.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Current unix time in microseconds, the timestamp format of events (`*_at_us` columns).
pub fn now_us() -> i64 {
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    i64::try_from(nanos / 1000).unwrap_or(i64::MAX)
}

/// A unix time in microseconds as RFC 3339 UTC text, e.g. `2026-11-23T10:15:30.123456Z`.
pub fn rfc3339_us(at_us: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_us) * 1000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// A new id that sorts by creation time (UUID v7), for events and log entries.
pub fn new_event_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// A new random text id.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Whether the database holds no data yet (the demo loader only fills an empty one).
pub async fn is_empty(conn: &mut AnyConnection) -> Result<bool, StoreError> {
    let (agencies,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM agencies")
        .fetch_one(&mut *conn)
        .await?;
    let (cities,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM city")
        .fetch_one(&mut *conn)
        .await?;
    Ok(agencies == 0 && cities == 0)
}

/// A column that holds something the domain does not accept.
fn decode_err(column: &str, e: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("column {column}: {e}").into())
}

/// Reads a vocabulary code column (legal basis, action, decision...) into its type.
pub fn code<T: std::str::FromStr<Err = E>, E: std::fmt::Display>(
    column: &str,
    s: &str,
) -> Result<T, sqlx::Error> {
    s.parse().map_err(|e| decode_err(column, e))
}

/// Reads a translatable text column.
fn text(column: &str, s: &str) -> Result<domain::text::LocalizedText, sqlx::Error> {
    from_json(column, s)
}

/// Reads a JSON text column into its type.
fn from_json<T: serde::de::DeserializeOwned>(column: &str, text: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(text).map_err(|e| sqlx::Error::Decode(format!("column {column}: {e}").into()))
}

/// Writes a value into a JSON text column.
fn to_json<T: serde::Serialize>(value: &T) -> Result<String, sqlx::Error> {
    serde_json::to_string(value).map_err(|e| sqlx::Error::Encode(e.into()))
}

#[cfg(test)]
mod tests {
    use domain::requests::RequestStatus;

    /// The codes `closed_statuses!()` lists, without the parentheses and quotes.
    fn listed() -> Vec<&'static str> {
        let list = closed_statuses!();
        let inner = list
            .strip_prefix('(')
            .and_then(|l| l.strip_suffix(')'))
            .expect("a parenthesised list");
        inner
            .split(", ")
            .map(|c| {
                c.strip_prefix('\'')
                    .and_then(|c| c.strip_suffix('\''))
                    .expect("a quoted code")
            })
            .collect()
    }

    #[test]
    fn closed_statuses_are_exactly_the_closed_vocabulary() {
        let mut listed = listed();
        let mut closed: Vec<&str> = RequestStatus::ALL
            .iter()
            .filter(|s| s.is_closed())
            .map(|s| s.code())
            .collect();
        listed.sort_unstable();
        closed.sort_unstable();
        assert_eq!(listed, closed);
        assert!(!closed.is_empty());
    }
}
