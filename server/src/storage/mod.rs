//! Storage: one module per aggregate, each a set of small functions over the `Any` pool.
//! SQL lives here and nowhere else.

pub mod accounts;
pub mod register;

use sqlx::AnyConnection;

/// Current unix time in seconds, the timestamp format of every table.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A new random text id.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Whether the database holds no data yet (the demo loader only fills an empty one).
pub async fn is_empty(conn: &mut AnyConnection) -> Result<bool, sqlx::Error> {
    let (agencies,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM agencies")
        .fetch_one(&mut *conn)
        .await?;
    let (cities,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM city")
        .fetch_one(&mut *conn)
        .await?;
    Ok(agencies == 0 && cities == 0)
}

/// Reads a JSON text column into its type.
fn from_json<T: serde::de::DeserializeOwned>(column: &str, text: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(text).map_err(|e| sqlx::Error::Decode(format!("column {column}: {e}").into()))
}

/// Writes a value into a JSON text column.
fn to_json<T: serde::Serialize>(value: &T) -> Result<String, sqlx::Error> {
    serde_json::to_string(value).map_err(|e| sqlx::Error::Encode(e.into()))
}
