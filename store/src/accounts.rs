//! The accounts aggregate: users, their sessions, and agency API clients.

use super::{new_id, now, now_us};
use crate::StoreError;
use domain::account::{Profile, ProfileFields};
use domain::lang::Lang;
use sqlx::{AnyPool, FromRow};

/// A stored account.
#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub lang: String,
    pub role: String,
    pub resident_number: String,
    /// When an operator disabled the account (`admin disable-user`); it cannot sign in.
    pub disabled_at: Option<i64>,
}

/// The password hash of a resident record an officer created for someone without an
/// account: no password matches it, so nobody can sign in with it.
pub const UNVERIFIED_RECORD: &str = "!unverified-record";

/// What a new account is made of (the password already hashed).
#[derive(Debug)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub lang: &'a str,
    pub role: &'a str,
    pub resident_number: &'a str,
}

/// Why an account was not created.
#[derive(Debug, thiserror::Error)]
pub enum InsertUserError {
    #[error("that email is already registered")]
    EmailTaken,
    #[error("that resident number is taken")]
    NumberTaken,
    #[error(transparent)]
    Db(#[from] StoreError),
}

impl From<sqlx::Error> for InsertUserError {
    fn from(e: sqlx::Error) -> Self {
        InsertUserError::Db(e.into())
    }
}

const USER_COLUMNS: &str = "id, email, password_hash, display_name, lang, role, resident_number, disabled_at";

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// Adds an account and returns its id.
pub async fn insert_user(pool: &AnyPool, user: &NewUser<'_>) -> Result<String, InsertUserError> {
    if find_user_by_email(pool, user.email).await?.is_some() {
        return Err(InsertUserError::EmailTaken);
    }
    let id = new_id();
    let at = now();
    let result = sqlx::query(
        "INSERT INTO users (id, email, password_hash, display_name, lang, role, resident_number, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(&id)
    .bind(user.email)
    .bind(user.password_hash)
    .bind(user.display_name)
    .bind(user.lang)
    .bind(user.role)
    .bind(user.resident_number)
    .bind(at)
    .execute(pool)
    .await;
    match result {
        Ok(_) => Ok(id),
        // Two sign-ups with one email at once: the unique index decides.
        Err(e) if is_unique_violation(&e) => {
            if find_user_by_email(pool, user.email).await?.is_some() {
                Err(InsertUserError::EmailTaken)
            } else {
                Err(InsertUserError::NumberTaken)
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// The account with this (normalised) email.
pub async fn find_user_by_email(pool: &AnyPool, email: &str) -> Result<Option<UserRow>, StoreError> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE email = $1 AND erased_at IS NULL"
    )))
    .bind(email)
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// The account with this id.
pub async fn find_user(pool: &AnyPool, id: &str) -> Result<Option<UserRow>, StoreError> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// Replaces an account's password hash.
pub async fn set_password_hash(pool: &AnyPool, user_id: &str, hash: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now())
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes an account. The person goes: name, email, password, resident number, address,
/// phone and birth date are erased, sessions end, current consents and enrollments end. What
/// the city must be able to show stays, under the account's id, which now names nobody: the
/// consent and enrollment events, privacy requests and their records (open ones are
/// withdrawn: nobody could receive the answer). Decision-log entries
/// stay too (they are evidence) but stop carrying the resident number: the salted digest
/// the ledger hashed stands in for it, so the log still verifies. Cases assigned to a
/// deleted officer return to the queue. One transaction.
pub async fn delete_user(pool: &AnyPool, user_id: &str) -> Result<(), StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    let at = now();
    sqlx::query(concat!(
        "UPDATE users SET email = $1, password_hash = '', display_name = '', resident_number = $1, ",
        "postal_address = NULL, phone = NULL, date_of_birth = NULL, erased_at = $2, updated_at = $2 ",
        "WHERE id = $3"
    ))
    .bind(format!("erased-{user_id}"))
    .bind(at)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    for table in [
        "sessions",
        "second_factors",
        "recovery_codes",
        "consents",
        "system_followers",
        "register_notifications",
        "account_notices",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE user_id = $1"
        )))
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    }
    crate::sign_in_failures::forget_subject(&mut tx, user_id).await?;
    sqlx::query("UPDATE privacy_requests SET assigned_to = NULL WHERE assigned_to = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    crate::consent::end_all(&mut tx, user_id).await?;
    crate::requests::withdraw_all_open(&mut tx, user_id, crate::requests::today()).await?;
    crate::decision_log::erase_subject(&mut tx, user_id).await?;
    tx.commit().await.map_err(StoreError::from)
}

/// A stored session.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

/// Records a session under the digest of its id, but only while the account's password
/// hash is still `password_hash` (checked in the same statement), so a sign-in that raced a
/// password change gets no session. Returns whether the session was recorded.
pub async fn insert_session(
    pool: &AnyPool,
    digest: &str,
    user_id: &str,
    password_hash: &str,
    expires_at: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at) \
         SELECT $1, id, $3, $3, $4 FROM users WHERE id = $2 AND password_hash = $5 AND disabled_at IS NULL",
    )
    .bind(digest)
    .bind(user_id)
    .bind(now())
    .bind(expires_at)
    .bind(password_hash)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The session with this digest.
pub async fn find_session(pool: &AnyPool, digest: &str) -> Result<Option<SessionRow>, StoreError> {
    sqlx::query_as("SELECT id, user_id, last_seen_at, expires_at FROM sessions WHERE id = $1")
        .bind(digest)
        .fetch_optional(pool)
        .await
        .map_err(StoreError::from)
}

/// Marks a session as used now.
pub async fn touch_session(pool: &AnyPool, digest: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
        .bind(now())
        .bind(digest)
        .execute(pool)
        .await?;
    Ok(())
}

/// Ends one session.
pub async fn delete_session(pool: &AnyPool, digest: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(digest)
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes sessions past their absolute end or idle longer than `idle_secs`; returns how many.
pub async fn delete_expired_sessions(pool: &AnyPool, idle_secs: i64) -> Result<u64, StoreError> {
    let at = now();
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(at)
        .bind(at - idle_secs)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

/// A session as its owner sees it on the sessions page.
#[derive(Debug, Clone, FromRow)]
pub struct UserSessionRow {
    /// The stored digest of the session id (not the id: it cannot sign anyone in).
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

/// The live sessions of `user_id` (not idle longer than `idle_secs`, not past their end),
/// most recently used first.
pub async fn user_sessions(
    pool: &AnyPool,
    user_id: &str,
    idle_secs: i64,
) -> Result<Vec<UserSessionRow>, StoreError> {
    let at = now();
    Ok(sqlx::query_as(
        "SELECT id, created_at, last_seen_at, expires_at FROM sessions \
         WHERE user_id = $1 AND expires_at > $2 AND last_seen_at > $3 ORDER BY last_seen_at DESC, id",
    )
    .bind(user_id)
    .bind(at)
    .bind(at - idle_secs)
    .fetch_all(pool)
    .await?)
}

/// Ends session `digest` if it is `user_id`'s; `false` when it is not theirs (or gone).
pub async fn delete_user_session(pool: &AnyPool, user_id: &str, digest: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
        .bind(digest)
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends every session of `user_id` but `keep`; returns how many ended.
pub async fn delete_other_sessions(pool: &AnyPool, user_id: &str, keep: &str) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
        .bind(user_id)
        .bind(keep)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

/// Ends every session of an account.
pub async fn delete_user_sessions(pool: &AnyPool, user_id: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// A stored agency API client, with its agency's slug.
#[derive(Debug, Clone, FromRow)]
pub struct ClientRow {
    pub client_id: String,
    pub secret_hash: String,
    pub agency_slug: String,
    pub scopes: String,
    pub revoked_at: Option<i64>,
    /// When the secret was last replaced (`admin rotate-client`); tokens carry it.
    pub secret_rotated_at: Option<i64>,
}

/// Why a client was not created.
#[derive(Debug, thiserror::Error)]
pub enum InsertClientError {
    #[error("no agency has the slug {0:?}")]
    UnknownAgency(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Adds an API client for the agency with `agency_slug`, with `by`'s audit row in the same
/// transaction (the detail names the client, never its secret).
pub async fn insert_client(
    pool: &AnyPool,
    client_id: &str,
    secret_hash: &str,
    agency_slug: &str,
    scopes: &str,
    by: crate::audit::Actor<'_>,
) -> Result<(), InsertClientError> {
    let mut tx = crate::db::begin(pool).await?;
    let agency: Option<(String,)> = sqlx::query_as("SELECT id FROM agencies WHERE slug = $1")
        .bind(agency_slug)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((agency_id,)) = agency else {
        return Err(InsertClientError::UnknownAgency(agency_slug.to_owned()));
    };
    sqlx::query(
        "INSERT INTO api_clients (id, client_id, secret_hash, agency_id, scopes, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(client_id)
    .bind(secret_hash)
    .bind(agency_id)
    .bind(scopes)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    let entry = crate::audit::AuditEntry {
        actor: by,
        action: "create_client",
        request_id: None,
        detail: &format!("{client_id} for {agency_slug}: {scopes}"),
    };
    crate::audit::record(&mut tx, &entry)
        .await
        .map_err(|e| InsertClientError::Db(e.0))?;
    tx.commit().await?;
    Ok(())
}

/// The client `client_id`, if it exists.
pub async fn find_client(pool: &AnyPool, client_id: &str) -> Result<Option<ClientRow>, StoreError> {
    sqlx::query_as(
        "SELECT c.client_id, c.secret_hash, a.slug AS agency_slug, c.scopes, c.revoked_at, c.secret_rotated_at \
         FROM api_clients c JOIN agencies a ON a.id = c.agency_id WHERE c.client_id = $1",
    )
    .bind(client_id)
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// Notes that client `client_id` was just issued a token (what the console shows as its
/// last use; tokens last minutes, so this is one write per token, not per call).
pub async fn touch_client(pool: &AnyPool, client_id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE api_clients SET last_used_at = $1 WHERE client_id = $2")
        .bind(now())
        .bind(client_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// An API client as the console lists it (never its secret or hash).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, FromRow)]
pub struct ClientSummary {
    pub client_id: String,
    pub agency_slug: String,
    pub scopes: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// One page of the API clients, by agency, newest first: at most `limit`, after `after` (a
/// `CLIENT_CURSOR`) if given.
pub async fn clients_page(
    pool: &AnyPool,
    limit: u32,
    after: Option<&domain::paging::Cursor>,
) -> Result<domain::paging::Page<ClientSummary>, StoreError> {
    let rows: Vec<ClientSummary> = sqlx::query_as(
        "SELECT c.client_id, a.slug AS agency_slug, c.scopes, c.created_at, c.last_used_at, c.revoked_at \
         FROM api_clients c JOIN agencies a ON a.id = c.agency_id \
         WHERE ($1 = 0 OR a.slug > $2 OR (a.slug = $2 AND (c.created_at < $3 \
         OR (c.created_at = $3 AND c.client_id > $4)))) \
         ORDER BY a.slug, c.created_at DESC, c.client_id LIMIT $5",
    )
    .bind(i64::from(after.is_some()))
    .bind(after.map_or("", |c| c.part(0)))
    .bind(after.map_or(0, |c| c.number(1)))
    .bind(after.map_or("", |c| c.part(2)))
    .bind(domain::paging::fetch_limit(limit))
    .fetch_all(pool)
    .await?;
    Ok(domain::paging::Page::from_rows(rows, limit, |c| {
        domain::paging::Cursor::after(&[&c.agency_slug, &c.created_at.to_string(), &c.client_id])
    }))
}

/// Every API client, by agency, newest first (for the operator's `admin list-clients`).
pub async fn clients(pool: &AnyPool) -> Result<Vec<ClientSummary>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT c.client_id, a.slug AS agency_slug, c.scopes, c.created_at, c.last_used_at, c.revoked_at \
         FROM api_clients c JOIN agencies a ON a.id = c.agency_id ORDER BY a.slug, c.created_at DESC, c.client_id",
    )
    .fetch_all(pool)
    .await?)
}

/// Replaces an active client's scopes (`scopes`: the codes, space-separated), with `by`'s
/// audit row in the same transaction; tokens already issued lose a removed scope at once
/// (their scopes are intersected with these on every call). `false`: no such active client.
pub async fn set_client_scopes(
    pool: &AnyPool,
    client_id: &str,
    scopes: &str,
    by: crate::audit::Actor<'_>,
) -> Result<bool, StoreError> {
    change_active_client(pool, client_id, ClientChange::Scopes(scopes), by).await
}

/// Revokes a client, with `by`'s audit row in the same transaction: its tokens stop working
/// at once. `false`: no such active client (nothing recorded).
pub async fn revoke_client(
    pool: &AnyPool,
    client_id: &str,
    by: crate::audit::Actor<'_>,
) -> Result<bool, StoreError> {
    change_active_client(pool, client_id, ClientChange::Revoked, by).await
}

/// Replaces an active client's secret (`secret_hash`: the new one's hash), with `by`'s audit
/// row in the same transaction: the old secret gets no more tokens, and tokens issued with it
/// are refused at once. `false`: no such active client.
pub async fn rotate_client_secret(
    pool: &AnyPool,
    client_id: &str,
    secret_hash: &str,
    by: crate::audit::Actor<'_>,
) -> Result<bool, StoreError> {
    change_active_client(pool, client_id, ClientChange::Secret(secret_hash), by).await
}

/// A change to an active API client.
enum ClientChange<'a> {
    Scopes(&'a str),
    Revoked,
    Secret(&'a str),
}

/// Applies `change` to active client `client_id` and records it as `by`'s, in one transaction.
async fn change_active_client(
    pool: &AnyPool,
    client_id: &str,
    change: ClientChange<'_>,
    by: crate::audit::Actor<'_>,
) -> Result<bool, StoreError> {
    let (update, action, detail) = match change {
        ClientChange::Scopes(scopes) => (
            sqlx::query("UPDATE api_clients SET scopes = $1 WHERE client_id = $2 AND revoked_at IS NULL")
                .bind(scopes.to_owned()),
            "set_client_scopes",
            format!("{client_id}: {scopes}"),
        ),
        ClientChange::Revoked => (
            sqlx::query("UPDATE api_clients SET revoked_at = $1 WHERE client_id = $2 AND revoked_at IS NULL")
                .bind(now()),
            "revoke_client",
            client_id.to_owned(),
        ),
        ClientChange::Secret(hash) => (
            sqlx::query(concat!(
                "UPDATE api_clients SET secret_hash = $1, ",
                // Strictly later than the last rotation, so tokens always tell two apart.
                "secret_rotated_at = CASE WHEN secret_rotated_at IS NOT NULL AND secret_rotated_at >= $2 ",
                "THEN secret_rotated_at + 1 ELSE $2 END ",
                "WHERE client_id = $3 AND revoked_at IS NULL"
            ))
            .bind(hash.to_owned())
            .bind(now_us()),
            "rotate_client",
            client_id.to_owned(),
        ),
    };
    let mut tx = crate::db::begin(pool).await?;
    if update.bind(client_id).execute(&mut *tx).await?.rows_affected() == 0 {
        return Ok(false);
    }
    let entry = crate::audit::AuditEntry {
        actor: by,
        action,
        request_id: None,
        detail: &detail,
    };
    crate::audit::record(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(true)
}

#[derive(FromRow)]
struct ProfileRow {
    display_name: String,
    email: String,
    lang: String,
    resident_number: String,
    postal_address: Option<String>,
    phone: Option<String>,
    date_of_birth: Option<String>,
}

/// The profile of `user_id`.
pub async fn find_profile(pool: &AnyPool, user_id: &str) -> Result<Option<Profile>, StoreError> {
    let row: Option<ProfileRow> = sqlx::query_as(
        "SELECT display_name, email, lang, resident_number, postal_address, phone, date_of_birth \
         FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Profile {
        display_name: r.display_name,
        email: r.email,
        lang: Lang::from_code(&r.lang).unwrap_or_default(),
        resident_number: r.resident_number,
        postal_address: r.postal_address,
        phone: r.phone,
        date_of_birth: r.date_of_birth,
    }))
}

/// Replaces the editable profile fields of `user_id`.
pub async fn update_profile(pool: &AnyPool, user_id: &str, fields: &ProfileFields) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE users SET postal_address = $1, phone = $2, date_of_birth = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(fields.postal_address.as_deref())
    .bind(fields.phone.as_deref())
    .bind(fields.date_of_birth.as_deref())
    .bind(super::now())
    .bind(user_id)
    .execute(pool)
    .await?;
    Ok(())
}
