//! Structured logs with `tracing`.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber; the filter comes from the configuration (`RUST_LOG`).
pub fn init(filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    // A second call (as in tests) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}
