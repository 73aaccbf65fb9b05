//! The `glasshouse` binary as an operator runs it: configuration errors, migrate, demo.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, TestDatabase};
use std::process::{Command, Output};

on_both_databases!(
    migrations_apply_from_empty_and_again,
    demo_loads_once_then_refuses_a_database_with_data
);

/// Runs the binary with exactly `vars` as its Glasshouse environment.
fn glasshouse(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_glasshouse"));
    command
        .args(args)
        .env("RUST_LOG", "warn")
        .env("GLASSHOUSE_JWT_SECRET", common::TEST_SECRET);
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("GLASSHOUSE_") || n == "DATABASE_URL") {
        command.env_remove(name);
    }
    command.envs(vars.iter().copied());
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn migrations_apply_from_empty_and_again(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    for _ in 0..2 {
        let out = glasshouse(&["migrate"], &[("DATABASE_URL", &db.url)]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("migrations applied"));
    }
}

async fn demo_loads_once_then_refuses_a_database_with_data(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let env = [("DATABASE_URL", db.url.as_str())];
    let first = glasshouse(&["demo"], &env);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(text(&first.stdout).contains("demo city loaded"));

    let second = glasshouse(&["demo"], &env);
    assert!(!second.status.success());
    assert!(
        text(&second.stderr).contains("already holds data"),
        "{}",
        text(&second.stderr)
    );

    let tolerant = glasshouse(&["demo", "--if-empty"], &env);
    assert!(tolerant.status.success(), "{}", text(&tolerant.stderr));
    assert!(text(&tolerant.stdout).contains("left as it is"));
}

#[test]
fn a_bad_address_stops_start_up_and_names_the_setting() {
    let out = glasshouse(&["serve"], &[("GLASSHOUSE_ADDR", "not-an-address")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("GLASSHOUSE_ADDR is invalid"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_unknown_setting_stops_start_up() {
    let out = glasshouse(&["serve"], &[("GLASSHOUSE_DATABSE", "x")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("GLASSHOUSE_DATABSE"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_unsupported_database_stops_start_up() {
    let out = glasshouse(&["serve"], &[("DATABASE_URL", "mysql://localhost/glasshouse")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("DATABASE_URL is invalid"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_unreachable_database_stops_start_up_with_a_clear_message() {
    let out = glasshouse(
        &["serve"],
        &[(
            "DATABASE_URL",
            "postgres://nobody:x@127.0.0.1:9/none?connect_timeout=2",
        )],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("cannot connect to the database"),
        "{}",
        text(&out.stderr)
    );
}
