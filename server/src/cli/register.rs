//! `glasshouse register import FILE` and `glasshouse register export [--output FILE]`.

use super::RegisterCommand;
use super::run::{RunError, open};
use crate::config::Config;
use domain::register::{Change, RegisterFile};

/// Runs a `register` subcommand.
pub async fn register(config: &Config, command: RegisterCommand) -> Result<(), RunError> {
    match command {
        RegisterCommand::Import { file } => {
            let text = std::fs::read_to_string(&file).map_err(|source| RunError::File {
                action: "read",
                path: file.clone(),
                source,
            })?;
            let register = match RegisterFile::from_json(&text).and_then(|f| f.check()) {
                Ok(register) => register,
                Err(problems) => {
                    for problem in &problems {
                        eprintln!("  {problem}");
                    }
                    return Err(RunError::RegisterFile(problems));
                }
            };
            let pool = open(config).await?;
            let plan = store::register::import(&pool, &register, store::audit::Actor::Operator).await?;
            for (what, [created, updated, same]) in plan.tally() {
                println!("{what}: {created} created, {updated} updated, {same} unchanged");
            }
            let revised: usize = plan
                .systems
                .iter()
                .filter(|s| s.change != Change::Created)
                .flat_map(|s| &s.purposes)
                .filter(|p| matches!(p, domain::register::PurposePlan::Revised(..)))
                .count();
            if revised > 0 {
                println!("purposes with a new notice version: {revised}");
            }
        }
        RegisterCommand::Export { output } => {
            let pool = open(config).await?;
            let text = store::register::export(&pool).await?.to_json();
            match output {
                Some(path) => std::fs::write(&path, text).map_err(|source| RunError::File {
                    action: "write",
                    path,
                    source,
                })?,
                None => print!("{text}"),
            }
        }
    }
    Ok(())
}
