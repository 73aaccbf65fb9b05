//! `glasshouse register import FILE` and `glasshouse register export [--output FILE]`.

use super::RegisterCommand;
use super::run::{RunError, open};
use crate::config::Config;
use domain::lang::Lang;
use domain::register::{Change, CsvRow, Problem, Register, RegisterFile};

/// Runs a `register` subcommand.
pub async fn register(config: &Config, command: RegisterCommand) -> Result<(), RunError> {
    match command {
        RegisterCommand::Import { file, lang } => {
            let text = std::fs::read_to_string(&file).map_err(|source| RunError::File {
                action: "read",
                path: file.clone(),
                source,
            })?;
            let is_csv = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            let checked = if is_csv {
                let lang: Lang = lang.parse().map_err(|_| {
                    RunError::Admin(format!(
                        "{lang:?} is not a language Glasshouse speaks ({})",
                        Lang::codes()
                    ))
                })?;
                let pool = open(config).await?;
                let stored = store::register::export(&pool).await?;
                from_csv(&text, stored, lang)
            } else {
                RegisterFile::from_json(&text).and_then(|f| f.check())
            };
            let register = match checked {
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

/// Reads a register CSV and lays it over the stored register's file; every problem, each at
/// its line (and column), or the register to import.
fn from_csv(text: &str, mut stored: RegisterFile, lang: Lang) -> Result<Register, Vec<Problem>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| vec![csv_problem(&e)])?
        .iter()
        .map(str::to_owned)
        .collect();
    let missing = domain::register::missing_columns(&header);
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => rows.push(CsvRow {
                line: record.position().map_or(0, csv::Position::line),
                fields: header
                    .iter()
                    .cloned()
                    .zip(record.iter().map(str::to_owned))
                    .collect(),
            }),
            Err(e) => problems.push(csv_problem(&e)),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let lines = stored.lay_csv(&rows, lang)?;
    stored.check().map_err(|problems| {
        problems
            .into_iter()
            .map(|p| domain::register::on_csv_line(p, &stored, &lines))
            .collect()
    })
}

fn csv_problem(e: &csv::Error) -> Problem {
    Problem {
        path: e
            .position()
            .map_or_else(|| "the file".to_owned(), |p| format!("line {}", p.line())),
        message: e.to_string(),
    }
}
