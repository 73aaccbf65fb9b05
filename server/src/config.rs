//! Typed configuration, read once at start-up from an optional TOML file and the environment.
//!
//! Precedence: environment over file over defaults. A value that does not parse, an unknown
//! key in the file, or an unknown `GLASSHOUSE_*` variable stops start-up with a message that
//! names it.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Where the server listens unless told otherwise.
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";
/// The embedded default database: a SQLite file, nothing to install.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/glasshouse.db";

/// Whether this is a developer's machine or a city's deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Development,
    Production,
}

/// The validated configuration of one server process. Its `Debug` hides the secret.
#[derive(Clone)]
pub struct Config {
    /// The socket address to listen on (`GLASSHOUSE_ADDR`).
    pub addr: SocketAddr,
    /// `sqlite://...` or `postgres://...` (`DATABASE_URL`).
    pub database_url: String,
    /// Development or production (`GLASSHOUSE_MODE`; production unless told otherwise, so a
    /// deployment that forgets it is checked, never run with development's shortcuts).
    pub mode: Mode,
    /// Where the built site (WASM, JS, CSS) is served from (`LEPTOS_SITE_ROOT`).
    pub site_root: PathBuf,
    /// Tracing filter directives (`RUST_LOG`).
    pub log_filter: String,
    /// The secret that signs tokens (`GLASSHOUSE_JWT_SECRET`, at least 32 bytes); when absent
    /// in development one is generated once and kept in `data/`; production refuses to start.
    pub jwt_secret: Option<String>,
    /// Where development keeps generated secrets (`GLASSHOUSE_DATA_DIR`).
    pub data_dir: PathBuf,
    /// The address residents use (`GLASSHOUSE_PUBLIC_URL`); `https://` turns on Secure cookies and HSTS.
    pub public_url: String,
    /// A session ends after this many minutes without use (`GLASSHOUSE_SESSION_IDLE_MINUTES`).
    pub session_idle_minutes: u32,
    /// A session ends this many hours after sign-in, however active (`GLASSHOUSE_SESSION_MAX_HOURS`).
    pub session_max_hours: u32,
    /// Sign-in, sign-up and token requests allowed per IP and minute (`GLASSHOUSE_AUTH_REQUESTS_PER_MINUTE`).
    pub auth_requests_per_minute: u32,
    /// Consent checks, data queries and enrollment codes each allowed per API client and
    /// second (`GLASSHOUSE_CLIENT_CALLS_PER_SECOND`, default 200) and per day
    /// (`GLASSHOUSE_CLIENT_CALLS_PER_DAY`, default 2 000 000), in each server process.
    pub client_calls_per_second: u32,
    pub client_calls_per_day: u32,
    /// Whose legal deadlines privacy requests follow (`GLASSHOUSE_DEADLINE_POLICY`:
    /// `gdpr`, the default, or `ccpa`).
    pub deadline_policy: domain::requests::DeadlinePolicy,
    /// The Ed25519 key (base64 of 32 bytes) that signs the ledger's checkpoints
    /// (`GLASSHOUSE_CHECKPOINT_KEY`); generated once in `data/` in development, required in production.
    pub checkpoint_key: Option<String>,
    /// At most one new checkpoint per this many seconds (`GLASSHOUSE_CHECKPOINT_SECONDS`, default 60).
    pub checkpoint_seconds: u32,
    /// How long an erased account's evidence (consent and enrollment events, privacy
    /// requests) is kept before the retention purge removes it (`GLASSHOUSE_RETENTION_DAYS`,
    /// default 1095: three years).
    pub retention_days: u32,
    /// Days a public review's comment period lasts (`GLASSHOUSE_COMMENT_DAYS`, default 45,
    /// NYC's POST Act; 1 to 365).
    pub comment_days: u32,
    /// The reverse proxies in front of the server (`GLASSHOUSE_TRUSTED_PROXIES`: addresses or
    /// CIDR networks, comma-separated; none by default) and the header they write
    /// (`GLASSHOUSE_PROXY_HEADER`: `x-forwarded-for`, the default, or `forwarded`).
    pub trusted_proxies: crate::http::client_address::TrustedProxies,
    /// The configuration file read, if any (`GLASSHOUSE_CONFIG`).
    pub config_file: Option<PathBuf>,
    /// Whether officers and admins must sign in with an authenticator app
    /// (`GLASSHOUSE_STAFF_SECOND_FACTOR`: `required`, the default in production, or
    /// `optional`, the default in development; production refuses `optional`).
    pub staff_second_factor: domain::account::SecondFactorRule,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("mode", &self.mode)
            .field("public_url", &self.public_url)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    ReadFile { path: PathBuf, source: std::io::Error },
    #[error("the configuration file {path} is invalid: {message}")]
    ParseFile { path: PathBuf, message: String },
    #[error("{name} is invalid: {message}")]
    Invalid { name: &'static str, message: String },
    #[error("unknown setting {0}: see README.md for the GLASSHOUSE_* settings")]
    UnknownVariable(String),
}

/// The keys a configuration file may hold; the same names as the environment variables,
/// lowercased and without the `GLASSHOUSE_` prefix.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<String>,
    database_url: Option<String>,
    mode: Option<String>,
    site_root: Option<String>,
    log: Option<String>,
    jwt_secret: Option<String>,
    data_dir: Option<String>,
    public_url: Option<String>,
    session_idle_minutes: Option<String>,
    session_max_hours: Option<String>,
    auth_requests_per_minute: Option<String>,
    client_calls_per_second: Option<String>,
    client_calls_per_day: Option<String>,
    deadline_policy: Option<String>,
    checkpoint_key: Option<String>,
    checkpoint_seconds: Option<String>,
    retention_days: Option<String>,
    comment_days: Option<String>,
    trusted_proxies: Option<String>,
    proxy_header: Option<String>,
    staff_second_factor: Option<String>,
}

const KNOWN_VARIABLES: &[&str] = &[
    "GLASSHOUSE_CONFIG",
    "GLASSHOUSE_ADDR",
    "GLASSHOUSE_MODE",
    "GLASSHOUSE_JWT_SECRET",
    "GLASSHOUSE_DATA_DIR",
    "GLASSHOUSE_PUBLIC_URL",
    "GLASSHOUSE_SESSION_IDLE_MINUTES",
    "GLASSHOUSE_SESSION_MAX_HOURS",
    "GLASSHOUSE_AUTH_REQUESTS_PER_MINUTE",
    "GLASSHOUSE_DEADLINE_POLICY",
    "GLASSHOUSE_CHECKPOINT_KEY",
    "GLASSHOUSE_CHECKPOINT_SECONDS",
    "GLASSHOUSE_RETENTION_DAYS",
    "GLASSHOUSE_COMMENT_DAYS",
    "GLASSHOUSE_TRUSTED_PROXIES",
    "GLASSHOUSE_PROXY_HEADER",
    "GLASSHOUSE_STAFF_SECOND_FACTOR",
    "GLASSHOUSE_CLIENT_CALLS_PER_SECOND",
    "GLASSHOUSE_CLIENT_CALLS_PER_DAY",
];

impl Config {
    /// Reads the configuration from the process environment (and `GLASSHOUSE_CONFIG`).
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_vars(std::env::vars().collect())
    }

    /// Reads the configuration from the given variables, so tests need not touch the process.
    pub fn from_vars(vars: BTreeMap<String, String>) -> Result<Config, ConfigError> {
        if let Some(unknown) = vars
            .keys()
            .find(|k| k.starts_with("GLASSHOUSE_") && !KNOWN_VARIABLES.contains(&k.as_str()))
        {
            return Err(ConfigError::UnknownVariable(unknown.clone()));
        }
        let file = match vars.get("GLASSHOUSE_CONFIG") {
            Some(path) => read_file(Path::new(path))?,
            None => FileConfig::default(),
        };
        let pick = |var: &str, from_file: Option<String>, default: &str| {
            vars.get(var)
                .cloned()
                .or(from_file)
                .unwrap_or_else(|| default.to_owned())
        };
        let addr = parse_addr(&pick("GLASSHOUSE_ADDR", file.addr, DEFAULT_ADDR))?;
        let mode = parse_mode(&pick("GLASSHOUSE_MODE", file.mode, "production"))?;
        let staff_second_factor = parse_second_factor(&pick(
            "GLASSHOUSE_STAFF_SECOND_FACTOR",
            file.staff_second_factor,
            match mode {
                Mode::Production => "required",
                Mode::Development => "optional",
            },
        ))?;
        let jwt_secret = vars.get("GLASSHOUSE_JWT_SECRET").cloned().or(file.jwt_secret);
        if jwt_secret
            .as_ref()
            .is_some_and(|s| s.len() < auth::tokens::MIN_SECRET_BYTES)
        {
            return Err(ConfigError::Invalid {
                name: "GLASSHOUSE_JWT_SECRET",
                message: format!(
                    "it must be at least {} bytes long",
                    auth::tokens::MIN_SECRET_BYTES
                ),
            });
        }
        Ok(Config {
            config_file: vars.get("GLASSHOUSE_CONFIG").map(PathBuf::from),
            jwt_secret,
            checkpoint_key: vars
                .get("GLASSHOUSE_CHECKPOINT_KEY")
                .cloned()
                .or(file.checkpoint_key),
            checkpoint_seconds: parse_whole(
                "GLASSHOUSE_CHECKPOINT_SECONDS",
                &pick("GLASSHOUSE_CHECKPOINT_SECONDS", file.checkpoint_seconds, "60"),
            )?,
            retention_days: parse_whole(
                "GLASSHOUSE_RETENTION_DAYS",
                &pick("GLASSHOUSE_RETENTION_DAYS", file.retention_days, "1095"),
            )?,
            comment_days: parse_comment_days(&pick("GLASSHOUSE_COMMENT_DAYS", file.comment_days, "45"))?,
            data_dir: PathBuf::from(pick("GLASSHOUSE_DATA_DIR", file.data_dir, "data")),
            public_url: parse_public_url(pick(
                "GLASSHOUSE_PUBLIC_URL",
                file.public_url,
                &format!("http://{addr}"),
            ))?,
            session_idle_minutes: parse_positive(
                "GLASSHOUSE_SESSION_IDLE_MINUTES",
                &pick("GLASSHOUSE_SESSION_IDLE_MINUTES", file.session_idle_minutes, "30"),
            )?,
            session_max_hours: parse_positive(
                "GLASSHOUSE_SESSION_MAX_HOURS",
                &pick("GLASSHOUSE_SESSION_MAX_HOURS", file.session_max_hours, "12"),
            )?,
            auth_requests_per_minute: parse_positive(
                "GLASSHOUSE_AUTH_REQUESTS_PER_MINUTE",
                &pick(
                    "GLASSHOUSE_AUTH_REQUESTS_PER_MINUTE",
                    file.auth_requests_per_minute,
                    "30",
                ),
            )?,
            client_calls_per_second: parse_positive(
                "GLASSHOUSE_CLIENT_CALLS_PER_SECOND",
                &pick(
                    "GLASSHOUSE_CLIENT_CALLS_PER_SECOND",
                    file.client_calls_per_second,
                    "200",
                ),
            )?,
            client_calls_per_day: parse_positive(
                "GLASSHOUSE_CLIENT_CALLS_PER_DAY",
                &pick(
                    "GLASSHOUSE_CLIENT_CALLS_PER_DAY",
                    file.client_calls_per_day,
                    "2000000",
                ),
            )?,
            deadline_policy: parse_deadline_policy(&pick(
                "GLASSHOUSE_DEADLINE_POLICY",
                file.deadline_policy,
                "gdpr",
            ))?,
            trusted_proxies: parse_trusted_proxies(
                &pick("GLASSHOUSE_TRUSTED_PROXIES", file.trusted_proxies, ""),
                &pick("GLASSHOUSE_PROXY_HEADER", file.proxy_header, "x-forwarded-for"),
            )?,
            addr,
            database_url: parse_database_url(pick("DATABASE_URL", file.database_url, DEFAULT_DATABASE_URL))?,
            mode,
            staff_second_factor,
            site_root: PathBuf::from(pick("LEPTOS_SITE_ROOT", file.site_root, "target/site")),
            log_filter: pick("RUST_LOG", file.log, "info,sqlx=warn"),
        })
    }

    /// Whether residents reach the app over TLS.
    pub fn is_tls(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// Whether the database is a SQLite file.
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::ParseFile {
        path: path.to_owned(),
        message: e.message().to_owned(),
    })
}

fn parse_addr(value: &str) -> Result<SocketAddr, ConfigError> {
    value.parse().map_err(|_| ConfigError::Invalid {
        name: "GLASSHOUSE_ADDR",
        message: format!("{value:?} is not a socket address such as {DEFAULT_ADDR}"),
    })
}

fn parse_positive(name: &'static str, value: &str) -> Result<u32, ConfigError> {
    match value.trim().parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(ConfigError::Invalid {
            name,
            message: format!("{value:?} is not a positive whole number"),
        }),
    }
}

fn parse_deadline_policy(value: &str) -> Result<domain::requests::DeadlinePolicy, ConfigError> {
    value.parse().map_err(|_| ConfigError::Invalid {
        name: "GLASSHOUSE_DEADLINE_POLICY",
        message: format!("{value:?} is not a deadline policy: use gdpr or ccpa"),
    })
}

fn parse_whole(name: &'static str, value: &str) -> Result<u32, ConfigError> {
    value.trim().parse::<u32>().map_err(|_| ConfigError::Invalid {
        name,
        message: format!("{value:?} is not a whole number"),
    })
}

fn parse_comment_days(value: &str) -> Result<u32, ConfigError> {
    let days = parse_whole("GLASSHOUSE_COMMENT_DAYS", value)?;
    domain::register::comment_days(i64::from(days)).map_err(|e| ConfigError::Invalid {
        name: "GLASSHOUSE_COMMENT_DAYS",
        message: e.to_string(),
    })?;
    Ok(days)
}

fn parse_trusted_proxies(
    list: &str,
    header: &str,
) -> Result<crate::http::client_address::TrustedProxies, ConfigError> {
    use crate::http::client_address::{ProxyHeader, TrustedProxies};
    let header: ProxyHeader = header.parse().map_err(|message| ConfigError::Invalid {
        name: "GLASSHOUSE_PROXY_HEADER",
        message,
    })?;
    TrustedProxies::parse(list, header).map_err(|message| ConfigError::Invalid {
        name: "GLASSHOUSE_TRUSTED_PROXIES",
        message,
    })
}

fn parse_public_url(value: String) -> Result<String, ConfigError> {
    if value.starts_with("http://") || value.starts_with("https://") {
        Ok(value.trim_end_matches('/').to_owned())
    } else {
        Err(ConfigError::Invalid {
            name: "GLASSHOUSE_PUBLIC_URL",
            message: "it must start with http:// or https://".to_owned(),
        })
    }
}

fn parse_second_factor(value: &str) -> Result<domain::account::SecondFactorRule, ConfigError> {
    match value {
        "required" => Ok(domain::account::SecondFactorRule::Required),
        "optional" => Ok(domain::account::SecondFactorRule::Optional),
        other => Err(ConfigError::Invalid {
            name: "GLASSHOUSE_STAFF_SECOND_FACTOR",
            message: format!("{other:?} is neither \"required\" nor \"optional\""),
        }),
    }
}

fn parse_mode(value: &str) -> Result<Mode, ConfigError> {
    match value {
        "development" => Ok(Mode::Development),
        "production" => Ok(Mode::Production),
        other => Err(ConfigError::Invalid {
            name: "GLASSHOUSE_MODE",
            message: format!("{other:?} is neither \"development\" nor \"production\""),
        }),
    }
}

fn parse_database_url(value: String) -> Result<String, ConfigError> {
    let supported = ["sqlite:", "postgres://", "postgresql://"];
    if supported.iter().any(|p| value.starts_with(p)) {
        Ok(value)
    } else {
        Err(ConfigError::Invalid {
            name: "DATABASE_URL",
            message: "it must start with sqlite:// or postgres://".to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_serve_sqlite_on_localhost() {
        let config = Config::from_vars(vars(&[])).unwrap();
        assert_eq!(config.addr.to_string(), DEFAULT_ADDR);
        assert!(config.is_sqlite());
        assert_eq!(config.mode, Mode::Production, "production unless told otherwise");
    }

    #[test]
    fn deadlines_follow_gdpr_unless_ccpa_is_chosen() {
        use domain::requests::DeadlinePolicy;
        assert_eq!(
            Config::from_vars(vars(&[])).unwrap().deadline_policy,
            DeadlinePolicy::Gdpr
        );
        let ccpa = Config::from_vars(vars(&[("GLASSHOUSE_DEADLINE_POLICY", "ccpa")])).unwrap();
        assert_eq!(ccpa.deadline_policy, DeadlinePolicy::Ccpa);
        let err = Config::from_vars(vars(&[("GLASSHOUSE_DEADLINE_POLICY", "hipaa")])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("GLASSHOUSE_DEADLINE_POLICY is invalid"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_address_is_named_in_the_error() {
        let err = Config::from_vars(vars(&[("GLASSHOUSE_ADDR", "here")])).unwrap_err();
        assert!(err.to_string().starts_with("GLASSHOUSE_ADDR is invalid"), "{err}");
    }

    #[test]
    fn an_unsupported_database_is_refused() {
        let err = Config::from_vars(vars(&[("DATABASE_URL", "mysql://x")])).unwrap_err();
        assert!(err.to_string().starts_with("DATABASE_URL is invalid"), "{err}");
    }

    #[test]
    fn a_short_signing_secret_is_refused() {
        let err = Config::from_vars(vars(&[("GLASSHOUSE_JWT_SECRET", "short")])).unwrap_err();
        assert!(
            err.to_string().starts_with("GLASSHOUSE_JWT_SECRET is invalid"),
            "{err}"
        );
    }

    #[test]
    fn session_lifetimes_must_be_positive() {
        let err = Config::from_vars(vars(&[("GLASSHOUSE_SESSION_IDLE_MINUTES", "0")])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("GLASSHOUSE_SESSION_IDLE_MINUTES is invalid"),
            "{err}"
        );
    }

    #[test]
    fn a_misspelt_variable_is_refused() {
        let err = Config::from_vars(vars(&[("GLASSHOUSE_ADRR", "x")])).unwrap_err();
        assert!(err.to_string().contains("GLASSHOUSE_ADRR"), "{err}");
    }

    #[test]
    fn the_environment_overrides_the_file_and_unknown_file_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("glasshouse.toml");
        std::fs::write(&path, "addr = \"127.0.0.1:4000\"\nmode = \"production\"\n").unwrap();
        let file = path.to_str().unwrap();
        let config = Config::from_vars(vars(&[
            ("GLASSHOUSE_CONFIG", file),
            ("GLASSHOUSE_MODE", "development"),
        ]))
        .unwrap();
        assert_eq!(config.addr.port(), 4000);
        assert_eq!(config.mode, Mode::Development);

        std::fs::write(&path, "adress = \"x\"\n").unwrap();
        let err = Config::from_vars(vars(&[("GLASSHOUSE_CONFIG", file)])).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }
}
