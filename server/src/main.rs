//! The `glasshouse` binary.

use clap::Parser;
use server::cli::{Cli, Command};
use server::config::Config;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("glasshouse: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    server::telemetry::init(&config.log_filter);
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => server::cli::run::serve(&config).await,
        Command::Migrate => server::cli::run::migrate(&config).await,
        Command::Demo { if_empty } => server::cli::run::demo(&config, if_empty).await,
        Command::Admin(command) => server::cli::run::admin(&config, command).await,
        Command::Audit(command) => server::cli::run::audit(&config, command).await,
        Command::Register(command) => server::cli::register(&config, command).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("glasshouse: {e}");
            ExitCode::FAILURE
        }
    }
}
