//! The command line: `serve` (the default), `migrate`, `demo`.

use clap::{Parser, Subcommand};

/// Glasshouse: a city's privacy-consent and transparency platform.
#[derive(Debug, Parser)]
#[command(name = "glasshouse", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations and serve the app (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo city into an empty database.
    Demo {
        /// Leave a database that already holds data as it is, instead of refusing.
        #[arg(long)]
        if_empty: bool,
    },
}
