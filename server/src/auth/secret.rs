//! Where the token-signing secret comes from: configuration, or in development a file in
//! the data folder generated once. Never a constant in the code.

use crate::config::{Config, Mode};
use base64::Engine;
use std::path::PathBuf;

/// Why no signing secret is available.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("GLASSHOUSE_JWT_SECRET must be set in production (at least 32 random bytes)")]
    MissingInProduction,
    #[error("cannot read or create the development secret {path}: {source}")]
    File { path: PathBuf, source: std::io::Error },
    #[error("the development secret {0} is too short; delete it to have a new one generated")]
    TooShort(PathBuf),
}

/// The secret bytes that sign tokens.
pub fn load(config: &Config) -> Result<Vec<u8>, SecretError> {
    if let Some(secret) = &config.jwt_secret {
        return Ok(secret.as_bytes().to_vec());
    }
    if config.mode == Mode::Production {
        return Err(SecretError::MissingInProduction);
    }
    let path = config.data_dir.join("jwt-secret");
    let file_err = |source| SecretError::File {
        path: path.clone(),
        source,
    };
    if !path.exists() {
        store::db::private_dir(&config.data_dir).map_err(file_err)?;
        let fresh: [u8; 48] = rand::random();
        let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(fresh);
        write_private(&path, encoded.as_bytes()).map_err(file_err)?;
        tracing::info!(path = %path.display(), "generated a development token-signing secret");
    }
    let secret = std::fs::read_to_string(&path)
        .map_err(file_err)?
        .trim()
        .to_owned();
    if secret.len() < auth::tokens::MIN_SECRET_BYTES {
        return Err(SecretError::TooShort(path));
    }
    Ok(secret.into_bytes())
}

/// Writes a file only its owner can read.
pub fn write_private(path: &std::path::Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents)
}
