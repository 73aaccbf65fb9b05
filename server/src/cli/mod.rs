//! The command line: `serve` (the default), `migrate`, `demo`, `admin`, `register`, `audit`.

mod register;
pub mod run;

pub use register::register;

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
    /// Staff accounts and agency API clients.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// The register as a file: bring a city's own register in, take it out.
    #[command(subcommand)]
    Register(RegisterCommand),
    /// The ledger: verify it, sign a checkpoint to keep, purge expired evidence.
    #[command(subcommand)]
    Audit(AuditCommand),
}

/// `glasshouse register ...`
#[derive(Debug, Subcommand)]
pub enum RegisterCommand {
    /// Create or update agencies, systems and purposes from a register file (JSON, the
    /// shape of `register export`; or CSV, the shape of the CSV export). A file with any problem is refused whole, every problem
    /// listed, and nothing is written. Nothing is deleted: entries the file leaves out stay.
    Import {
        /// The file to read: the register file (JSON), or a CSV in the shape of
        /// `/api/v1/register/systems.csv` (a name ending in `.csv`), laid over the register as
        /// stored (it changes the fields it carries; a new system needs the JSON file).
        file: std::path::PathBuf,
        /// The language of a CSV's texts.
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// Write the register as a file (JSON; every language, agencies included).
    Export {
        /// Where to write it; standard output when left out.
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
}

/// `glasshouse audit ...`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the ledger from the database: every entry against its row, every row
    /// against the ledger, the root against the head and every checkpoint. Exits non-zero
    /// naming the first bad entry.
    Verify {
        /// A checkpoint saved earlier (the `note` of GET /api/v1/ledger/checkpoint): also
        /// prove, by a consistency proof, that today's ledger extends it.
        #[arg(long)]
        checkpoint: Option<std::path::PathBuf>,
    },
    /// Sign a checkpoint of the ledger now (if it grew) and print it, to save.
    Checkpoint,
    /// Remove, now, the evidence of accounts erased longer ago than the retention period
    /// (GLASSHOUSE_RETENTION_DAYS); the server also does this every hour. Each purge is
    /// recorded in the ledger, which still verifies.
    Purge,
}

/// `glasshouse admin ...`
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an officer or admin account; the password is read from standard input, or
    /// generated and printed once when none is piped in. Where staff must use a second factor,
    /// also prints the one-time enrolment code (good for 72 hours) to give them out of band:
    /// their first sign-in asks for it before it shows an authenticator's secret.
    CreateUser {
        #[arg(long, value_parser = ["officer", "admin"])]
        role: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Privacy office")]
        name: String,
    },
    /// Create an API client for an agency; prints `client_id:` and `client_secret:` once.
    CreateClient {
        /// The agency's slug in the register.
        #[arg(long)]
        agency: String,
        /// Comma-separated: consent:check, subjects:read, enrollment:write, requests:work, consent:changes, incidents:write.
        #[arg(long)]
        scopes: String,
    },
    /// Revoke an API client: its tokens stop working at once.
    RevokeClient {
        #[arg(long)]
        client_id: String,
    },
    /// Replace an API client's scopes: a scope taken away is refused at once, even to tokens
    /// already issued.
    SetClientScopes {
        #[arg(long)]
        client_id: String,
        /// Comma-separated, as for create-client.
        #[arg(long)]
        scopes: String,
    },
    /// List every API client: agency, id, scopes, created, last token, revoked (never secrets).
    ListClients,
    /// Give an API client a new secret, printed once: the old secret gets no more tokens and
    /// the tokens issued with it stop working at once.
    RotateClient {
        #[arg(long)]
        client_id: String,
    },
    /// Disable an account: it cannot sign in, and its sessions end at once.
    DisableUser {
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled account again.
    EnableUser {
        #[arg(long)]
        email: String,
    },
    /// Remove a staff member's authenticator and recovery codes (a lost phone): their
    /// sessions end, and their next sign-in enrols a new authenticator with the one-time
    /// enrolment code printed here (good for 72 hours; it replaces any earlier one).
    ResetSecondFactor {
        #[arg(long)]
        email: String,
    },
}
