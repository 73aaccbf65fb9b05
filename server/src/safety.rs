//! What production mode refuses to start with: every setting that would make a city's
//! deployment unsafe, each named with what to do. Development (`make run`) starts anyway.
//!
//! [`setting_problems`] reads only the configuration; [`file_problems`] looks at the files
//! that hold secrets or residents' data (the SQLite database, the configuration file, the
//! generated secrets), which must be readable by their owner alone.

use crate::config::Config;

/// One unsafe setting: what it is (a variable or a file) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsafe {
    pub name: String,
    pub message: String,
}

impl std::fmt::Display for Unsafe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

fn problem(name: impl Into<String>, message: impl Into<String>) -> Unsafe {
    Unsafe {
        name: name.into(),
        message: message.into(),
    }
}

/// Fewer different bytes than this in a secret means it was typed, not generated.
pub const MIN_DISTINCT_SECRET_BYTES: usize = 12;

/// The configuration's unsafe settings for production (none in a safe configuration).
pub fn setting_problems(config: &Config) -> Vec<Unsafe> {
    let mut problems = Vec::new();
    if !config.is_tls() {
        problems.push(problem(
            "GLASSHOUSE_PUBLIC_URL",
            format!(
                "{} is not https://; residents' sessions would travel in clear text and cookies could not be Secure",
                config.public_url
            ),
        ));
    }
    match &config.jwt_secret {
        None => problems.push(problem(
            "GLASSHOUSE_JWT_SECRET",
            "it must be set (at least 32 random bytes, e.g. `openssl rand -base64 48`)",
        )),
        Some(secret) => {
            if distinct(secret.as_bytes()) < MIN_DISTINCT_SECRET_BYTES {
                problems.push(problem(
                    "GLASSHOUSE_JWT_SECRET",
                    "it is weak (too few different characters to be random); generate one, e.g. `openssl rand -base64 48`",
                ));
            }
        }
    }
    if config.staff_second_factor == domain::account::SecondFactorRule::Optional {
        problems.push(problem(
            "GLASSHOUSE_STAFF_SECOND_FACTOR",
            "it is \"optional\": officers open every resident's requests, and a stolen password alone must not be enough; remove the setting (production requires a second factor)",
        ));
    }
    match config.checkpoint_key.as_deref().map(crate::auth::checkpoint_key::decode_seed) {
        None => problems.push(problem(
            "GLASSHOUSE_CHECKPOINT_KEY",
            "it must be set: the ledger's checkpoints are signed with it (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)",
        )),
        Some(Err(_)) => problems.push(problem(
            "GLASSHOUSE_CHECKPOINT_KEY",
            "it is not the base64 of exactly 32 bytes; generate one, e.g. `openssl rand -base64 32`",
        )),
        Some(Ok(seed)) if distinct(&seed) < MIN_DISTINCT_SECRET_BYTES => problems.push(problem(
            "GLASSHOUSE_CHECKPOINT_KEY",
            "it is weak (too few different bytes to be random); generate one, e.g. `openssl rand -base64 32`",
        )),
        Some(Ok(_)) => {}
    }
    // The binary speaks plain HTTP: an https:// public URL on a loopback address means a
    // proxy on this machine forwards every visitor, and without trusting it every limit
    // would count all of them as one caller (the proxy).
    if config.is_tls() && config.addr.ip().is_loopback() && config.trusted_proxies.is_empty() {
        problems.push(problem(
            "GLASSHOUSE_TRUSTED_PROXIES",
            format!(
                "it is empty, yet the server listens on {} behind the https:// public URL, so a reverse proxy on this machine forwards every visitor and each limit would count them all as one; list the proxy's address, e.g. `127.0.0.1`",
                config.addr
            ),
        ));
    }
    problems
}

/// How many different values the bytes of `bytes` take.
fn distinct(bytes: &[u8]) -> usize {
    let mut seen: Vec<u8> = bytes.to_vec();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// The files holding secrets or residents' data that others than their owner may read.
pub fn file_problems(config: &Config, config_file: Option<&std::path::Path>) -> Vec<Unsafe> {
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    if let Some(path) = sqlite_path(&config.database_url) {
        files.push(path.clone());
        for suffix in ["-wal", "-shm"] {
            let mut journal = path.clone().into_os_string();
            journal.push(suffix);
            files.push(journal.into());
        }
    }
    files.extend(config_file.map(std::path::Path::to_path_buf));
    files.push(config.data_dir.join("jwt-secret"));
    files.push(config.data_dir.join("checkpoint-key"));
    files
        .iter()
        .filter(|path| is_shared(path))
        .map(|path| {
            problem(
                path.display().to_string(),
                format!(
                    "others than its owner may read it; run `chmod 600 {}`",
                    path.display()
                ),
            )
        })
        .collect()
}

/// The file of a `sqlite://` URL (none for PostgreSQL or an in-memory database).
fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| path.into())
}

/// Whether the group or others may read or write `path` (a missing file is not).
fn is_shared(path: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o066 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const SAFE: &[(&str, &str)] = &[
        ("GLASSHOUSE_MODE", "production"),
        ("GLASSHOUSE_PUBLIC_URL", "https://privacy.riverton.example"),
        (
            "GLASSHOUSE_JWT_SECRET",
            "q8Vt2mZr0LxK5nWc7HbY4sJd9PfE1gAu3oTi6lRk",
        ),
        (
            "GLASSHOUSE_CHECKPOINT_KEY",
            "m4Rk2QvXo9LcT7yWb1NfE6hJd3GsP8aUz5KiV0tYqCw=",
        ),
        ("GLASSHOUSE_TRUSTED_PROXIES", "127.0.0.1"),
    ];

    /// The safe configuration with `changes` (a variable set, or removed with `None`).
    fn with(changes: &[(&str, Option<&str>)]) -> Config {
        let mut vars: BTreeMap<String, String> = SAFE
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        for (name, value) in changes {
            match value {
                Some(value) => vars.insert((*name).to_owned(), (*value).to_owned()),
                None => vars.remove(*name),
            };
        }
        Config::from_vars(vars).unwrap()
    }

    fn names(problems: &[Unsafe]) -> Vec<&str> {
        problems.iter().map(|p| p.name.as_str()).collect()
    }

    #[test]
    fn a_safe_configuration_has_no_problems() {
        assert_eq!(setting_problems(&with(&[])), []);
    }

    #[test]
    fn each_unsafe_setting_is_named() {
        let http = setting_problems(&with(&[(
            "GLASSHOUSE_PUBLIC_URL",
            Some("http://privacy.riverton.example"),
        )]));
        assert_eq!(names(&http), ["GLASSHOUSE_PUBLIC_URL"]);
        assert!(http[0].message.contains("https://"), "{}", http[0]);
        let missing = setting_problems(&with(&[("GLASSHOUSE_JWT_SECRET", None)]));
        assert_eq!(names(&missing), ["GLASSHOUSE_JWT_SECRET"]);
        let weak = setting_problems(&with(&[(
            "GLASSHOUSE_JWT_SECRET",
            Some("passwordpasswordpasswordpassword"),
        )]));
        assert_eq!(names(&weak), ["GLASSHOUSE_JWT_SECRET"]);
        assert!(weak[0].message.contains("weak"));
        let no_key = setting_problems(&with(&[("GLASSHOUSE_CHECKPOINT_KEY", None)]));
        assert_eq!(names(&no_key), ["GLASSHOUSE_CHECKPOINT_KEY"]);
        let zeros = setting_problems(&with(&[(
            "GLASSHOUSE_CHECKPOINT_KEY",
            Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
        )]));
        assert_eq!(names(&zeros), ["GLASSHOUSE_CHECKPOINT_KEY"]);
        assert!(zeros[0].message.contains("weak"), "{}", zeros[0]);
        let short = setting_problems(&with(&[("GLASSHOUSE_CHECKPOINT_KEY", Some("c2hvcnQ="))]));
        assert_eq!(names(&short), ["GLASSHOUSE_CHECKPOINT_KEY"]);
        assert!(short[0].message.contains("32 bytes"), "{}", short[0]);
        // Behind a proxy on this machine, the proxy must be trusted; listening on every
        // interface (the proxy elsewhere) is the operator's call.
        let untrusted = setting_problems(&with(&[("GLASSHOUSE_TRUSTED_PROXIES", None)]));
        assert_eq!(names(&untrusted), ["GLASSHOUSE_TRUSTED_PROXIES"]);
        assert!(
            untrusted[0].message.contains("127.0.0.1:3000"),
            "{}",
            untrusted[0]
        );
        let exposed = setting_problems(&with(&[
            ("GLASSHOUSE_TRUSTED_PROXIES", None),
            ("GLASSHOUSE_ADDR", Some("0.0.0.0:3000")),
        ]));
        assert_eq!(exposed, []);
        let password_only = setting_problems(&with(&[("GLASSHOUSE_STAFF_SECOND_FACTOR", Some("optional"))]));
        assert_eq!(names(&password_only), ["GLASSHOUSE_STAFF_SECOND_FACTOR"]);
    }

    #[cfg(unix)]
    #[test]
    fn readable_database_config_and_secret_files_are_named() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("glasshouse.db");
        let file = dir.path().join("glasshouse.toml");
        let secret = dir.path().join("jwt-secret");
        for path in [&db, &file, &secret] {
            std::fs::write(path, "x").unwrap();
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let url = format!("sqlite://{}", db.display());
        let data_dir = dir.path().display().to_string();
        let config = with(&[
            ("DATABASE_URL", Some(&url)),
            ("GLASSHOUSE_DATA_DIR", Some(&data_dir)),
        ]);
        assert_eq!(file_problems(&config, Some(&file)), []);
        for path in [&db, &file, &secret] {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let problems = file_problems(&config, Some(&file));
        assert_eq!(problems.len(), 3, "{problems:?}");
        for (problem, path) in problems.iter().zip([&db, &file, &secret]) {
            assert_eq!(problem.name, path.display().to_string());
            assert!(problem.message.contains("chmod 600"));
        }
    }

    #[test]
    fn the_database_file_is_read_from_the_url() {
        assert_eq!(
            sqlite_path("sqlite://data/g.db?mode=rwc"),
            Some("data/g.db".into())
        );
        assert_eq!(sqlite_path("sqlite:g.db"), Some("g.db".into()));
        assert_eq!(sqlite_path("postgres://db/glasshouse"), None);
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}
