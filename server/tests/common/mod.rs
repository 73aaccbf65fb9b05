//! Test support: a real server on a random port over a fresh database, SQLite or PostgreSQL.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod client;

use domain::account::Role;
use server::config::Config;
use server::{demo, http as web};
use std::collections::BTreeMap;
use store::db;
use tempfile::TempDir;

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The variable naming the PostgreSQL server tests create their databases on.
pub const POSTGRES_VAR: &str = "GH_TEST_POSTGRES_URL";

/// A fresh, empty database; the temp dir (SQLite) lives as long as the value.
pub struct TestDatabase {
    pub url: String,
    _dir: Option<TempDir>,
}

impl TestDatabase {
    pub async fn new(backend: Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("glasshouse.db").display());
                TestDatabase { url, _dir: Some(dir) }
            }
            Backend::Postgres => TestDatabase {
                url: fresh_postgres_database().await,
                _dir: None,
            },
        }
    }
}

/// Creates a new database on the test PostgreSQL server and returns its URL.
async fn fresh_postgres_database() -> String {
    let admin = std::env::var(POSTGRES_VAR).unwrap_or_else(|_| {
        panic!("{POSTGRES_VAR} is not set: run `make test`, which starts a local PostgreSQL and sets it")
    });
    let name = format!("gh_test_{}", uuid::Uuid::new_v4().simple());
    let pool = db::connect(&admin)
        .await
        .expect("connect to the test PostgreSQL server");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let (base, _) = admin.rsplit_once('/').expect("the URL names a database");
    format!("{base}/{name}")
}

/// The token-signing secret of test servers (tests forge tokens with it).
pub const TEST_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";

/// The key that signs test servers' checkpoints (base64 of 32 bytes).
pub const TEST_CHECKPOINT_KEY: &str = "Z2xhc3Nob3VzZS10ZXN0LWNoZWNrcG9pbnQta2V5ISE=";

/// A server running in this process.
pub struct TestApp {
    pub base: String,
    pub state: server::http::AppState,
    pub client: reqwest::Client,
    pub database: TestDatabase,
}

/// Starts the server on a fresh database with the demo city loaded.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn(backend, true).await
}

/// Starts the server on a fresh, migrated, empty database.
pub async fn spawn_empty_app(backend: Backend) -> TestApp {
    spawn(backend, false).await
}

pub fn config(database_url: &str) -> Config {
    config_with(database_url, &[])
}

/// The test configuration with `extra` variables set (or replaced).
pub fn config_with(database_url: &str, extra: &[(&str, &str)]) -> Config {
    let mut vars: BTreeMap<String, String> = [
        ("DATABASE_URL", database_url),
        ("GLASSHOUSE_ADDR", "127.0.0.1:0"),
        ("LEPTOS_SITE_ROOT", "target/site"),
        ("RUST_LOG", "warn"),
        // The test servers run the way `make run` does; production's refusals have their own tests.
        ("GLASSHOUSE_MODE", "development"),
        ("GLASSHOUSE_JWT_SECRET", TEST_SECRET),
        ("GLASSHOUSE_CHECKPOINT_KEY", TEST_CHECKPOINT_KEY),
        // A checkpoint whenever the ledger grew: tests prove entries they just made.
        ("GLASSHOUSE_CHECKPOINT_SECONDS", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    vars.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    Config::from_vars(vars).unwrap()
}

/// Starts the server with the demo city and `extra` configuration variables.
pub async fn spawn_app_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    spawn_configured(backend, true, extra).await
}

async fn spawn(backend: Backend, with_demo: bool) -> TestApp {
    spawn_configured(backend, with_demo, &[]).await
}

async fn spawn_configured(backend: Backend, with_demo: bool, extra: &[(&str, &str)]) -> TestApp {
    let database = TestDatabase::new(backend).await;
    let config = config_with(&database.url, extra);
    let pool = db::connect(&config.database_url).await.unwrap();
    db::migrate(&pool).await.unwrap();
    if with_demo {
        demo::load(&pool, &demo::parse(demo::CITY_TOML, demo::STREETS_TOML).unwrap())
            .await
            .unwrap();
    }
    let listener = tokio::net::TcpListener::bind(config.addr).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = web::state(&config, pool, addr).await.unwrap();
    tokio::spawn(web::serve(listener, web::router(state.clone())));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // A request that never answers fails its test instead of hanging the suite.
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    TestApp {
        base: format!("http://{addr}"),
        state,
        client,
        database,
    }
}

/// Starts a second server on `first`'s database (already migrated and loaded), as a city
/// runs several app servers in front of one database. It lives no longer than `first`.
pub async fn spawn_beside(first: &TestApp, extra: &[(&str, &str)]) -> TestApp {
    let config = config_with(&first.database.url, extra);
    let pool = db::connect(&config.database_url).await.unwrap();
    let listener = tokio::net::TcpListener::bind(config.addr).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = web::state(&config, pool, addr).await.unwrap();
    tokio::spawn(web::serve(listener, web::router(state.clone())));
    TestApp {
        base: format!("http://{addr}"),
        state,
        client: first.client.clone(),
        database: TestDatabase {
            url: first.database.url.clone(),
            _dir: None,
        },
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GETs `path` as the holder of `session`.
    pub async fn get_as(&self, path: &str, session: &str) -> (u16, String) {
        self.get_with(path, &[("cookie", &format!("gh_session={session}"))])
            .await
    }

    /// GETs `path` and returns status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        self.get_with(path, &[]).await
    }

    /// GETs `path` with extra headers.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
        let mut request = self.client.get(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }
}

/// The demo city as the data file describes it.
pub fn city() -> demo::City {
    demo::parse(demo::CITY_TOML, demo::STREETS_TOML).unwrap()
}

/// The system slugs linked from a register page, in page order.
pub fn linked_systems(html: &str) -> Vec<String> {
    html.split("href=\"/systems/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// Runs an async test function against SQLite and PostgreSQL, as `name::sqlite` and
/// `name::postgres`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Backend::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::Backend::Postgres).await
                }
            }
        )+
    };
}

/// A password that passes the policy.
pub const GOOD_PASSWORD: &str = "river otter lantern 42";

/// Signs up a resident, then signs in (sign-up never does): the session token.
pub async fn sign_up(app: &TestApp, email: &str) -> String {
    let signed_up = app.anonymous().sign_up(email, GOOD_PASSWORD, "Ana").await;
    assert_eq!(signed_up.status, 200, "{}", signed_up.body);
    assert!(signed_up.cookie().is_none(), "sign-up signed in");
    app.anonymous().sign_in(email, GOOD_PASSWORD).await.session()
}

/// A new staff member with `role`, signed in: their session token.
pub async fn staff(app: &TestApp, email: &str, name: &str, role: Role) -> String {
    app.state
        .accounts
        .create_user(email, GOOD_PASSWORD, name, role)
        .await
        .unwrap();
    app.anonymous().sign_in(email, GOOD_PASSWORD).await.session()
}

/// A new officer, signed in: their session token.
pub async fn officer(app: &TestApp, email: &str, name: &str) -> String {
    staff(app, email, name, Role::Officer).await
}

/// Files a privacy request as the holder of `session`; it must be accepted: its id.
pub async fn filed(app: &TestApp, session: &str, filing: &client::Filing<'_>) -> String {
    app.as_user(session).file_request(filing).await.ok()
}

/// A new client of `agency` with `scopes`: its id and secret.
pub async fn api_client(
    app: &TestApp,
    agency: &str,
    scopes: &[domain::account::ApiScope],
) -> auth::clients::NewClient {
    auth::clients::create(
        &app.state.pool,
        app.state.accounts.hashing(),
        agency,
        scopes,
        store::audit::Actor::Operator,
    )
    .await
    .unwrap()
}

/// A bearer token of a new client of `agency` with `scopes`.
pub async fn bearer(app: &TestApp, agency: &str, scopes: &[domain::account::ApiScope]) -> String {
    let client = api_client(app, agency, scopes).await;
    app.anonymous()
        .token(&client.client_id, &client.client_secret)
        .await
        .ok()
        .access_token
}

/// A new resident no agency has enrolled: their session and resident number.
pub async fn unenrolled_resident(app: &TestApp, email: &str) -> (String, String) {
    let session = sign_up(app, email).await;
    let (number,): (String,) = sqlx::query_as("SELECT resident_number FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    (session, number)
}

/// A new resident enrolled with `systems`: their session and resident number.
pub async fn enrolled_resident(app: &TestApp, email: &str, systems: &[&str]) -> (String, String) {
    let (session, number) = unenrolled_resident(app, email).await;
    let pool = &app.state.pool;
    let user = store::consent::user_by_number(pool, &number)
        .await
        .unwrap()
        .unwrap();
    for system in systems {
        let target = store::consent::target(pool, system, "").await.unwrap().unwrap();
        store::consent::import(pool, &user, &target.system_id)
            .await
            .unwrap();
    }
    (session, number)
}

/// Runs the binary with exactly `vars` as its Glasshouse environment.
pub fn glasshouse(args: &[&str], vars: &[(&str, &str)]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_glasshouse"));
    command
        .args(args)
        .env("RUST_LOG", "warn")
        .env("GLASSHOUSE_JWT_SECRET", TEST_SECRET)
        .env("GLASSHOUSE_CHECKPOINT_KEY", TEST_CHECKPOINT_KEY);
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("GLASSHOUSE_") || n == "DATABASE_URL") {
        command.env_remove(name);
    }
    // As `make run` runs it, unless a test says otherwise.
    command.env("GLASSHOUSE_MODE", "development");
    command.envs(vars.iter().copied());
    command.output().unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
