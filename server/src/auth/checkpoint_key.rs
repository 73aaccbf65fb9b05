//! Where the key that signs the ledger's checkpoints comes from: configuration
//! (`GLASSHOUSE_CHECKPOINT_KEY`), or in development a file in the data folder generated
//! once, like the token secret. Never a constant in the code.

use crate::config::{Config, Mode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::path::PathBuf;
use store::ledger::Keeper;

/// Why the checkpoint key is not available.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("GLASSHOUSE_CHECKPOINT_KEY must be set in production (base64 of 32 random bytes)")]
    MissingInProduction,
    #[error("GLASSHOUSE_CHECKPOINT_KEY must be the base64 of exactly 32 bytes")]
    Malformed,
    #[error("cannot read or create the development checkpoint key {path}: {source}")]
    File { path: PathBuf, source: std::io::Error },
}

/// The keeper of the ledger for `config`.
pub fn keeper(config: &Config) -> Result<Keeper, KeyError> {
    let seed = match &config.checkpoint_key {
        Some(encoded) => decode_seed(encoded)?,
        None if config.mode == Mode::Production => return Err(KeyError::MissingInProduction),
        None => development_seed(config)?,
    };
    Ok(Keeper::new(
        seed,
        origin(&config.public_url),
        i64::from(config.checkpoint_seconds),
    ))
}

/// The 32 bytes of a base64 key.
pub(crate) fn decode_seed(encoded: &str) -> Result<[u8; 32], KeyError> {
    STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or(KeyError::Malformed)
}

fn development_seed(config: &Config) -> Result<[u8; 32], KeyError> {
    let path = config.data_dir.join("checkpoint-key");
    let file_err = |source| KeyError::File {
        path: path.clone(),
        source,
    };
    if !path.exists() {
        store::db::private_dir(&config.data_dir).map_err(file_err)?;
        let seed: [u8; 32] = rand::random();
        super::secret::write_private(&path, STANDARD.encode(seed).as_bytes()).map_err(file_err)?;
        tracing::info!(path = %path.display(), "generated a development checkpoint key");
    }
    decode_seed(&std::fs::read_to_string(&path).map_err(file_err)?)
}

/// `https://city.example/` becomes `city.example/ledger`.
fn origin(public_url: &str) -> String {
    let host = public_url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    format!("{host}/ledger")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_origin_is_the_public_host() {
        assert_eq!(super::origin("https://city.example/"), "city.example/ledger");
        assert_eq!(super::origin("http://127.0.0.1:3000"), "127.0.0.1:3000/ledger");
    }
}
