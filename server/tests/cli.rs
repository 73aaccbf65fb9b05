//! The `glasshouse` binary as an operator runs it: configuration errors, migrate, demo.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, TestDatabase, glasshouse, text};
use std::process::Command;

on_both_databases!(
    migrations_apply_from_empty_and_again,
    demo_loads_once_then_refuses_a_database_with_data,
    admin_commands_create_staff_and_api_clients,
    admin_commands_disable_accounts_reset_second_factors_and_rotate_clients,
    audit_verify_passes_then_names_the_first_bad_entry,
);

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

    let printed = text(&first.stdout);
    assert!(printed.contains("privacy.officer@riverton.example"), "{printed}");
    assert!(
        printed.contains("client_id: gh_") && printed.contains("client_secret: "),
        "{printed}"
    );

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

async fn audit_verify_passes_then_names_the_first_bad_entry(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let env = [("DATABASE_URL", db.url.as_str())];
    assert!(glasshouse(&["demo"], &env).status.success());
    let clean = glasshouse(&["audit", "verify"], &env);
    assert!(clean.status.success(), "{}", text(&clean.stderr));
    assert!(
        text(&clean.stdout).contains("the ledger verifies"),
        "{}",
        text(&clean.stdout)
    );
    let signed = glasshouse(&["audit", "checkpoint"], &env);
    assert!(signed.status.success(), "{}", text(&signed.stderr));
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("checkpoint.note");
    std::fs::write(&saved, &signed.stdout).unwrap();
    let with_saved = ["audit", "verify", "--checkpoint", saved.to_str().unwrap()];
    assert!(glasshouse(&with_saved, &env).status.success());
    // The demo city has no erased account: the purge finds nothing, and says so.
    let purge = glasshouse(&["audit", "purge"], &env);
    assert!(purge.status.success(), "{}", text(&purge.stderr));
    assert!(
        text(&purge.stdout).starts_with("purged 0 erased account(s) past 1095 days"),
        "{}",
        text(&purge.stdout)
    );

    // A database administrator drops the guard and edits an enrollment event.
    let pool = store::db::connect(&db.url).await.unwrap();
    let drop_guard = match backend {
        Backend::Sqlite => "DROP TRIGGER enrollment_events_no_UPDATE",
        Backend::Postgres => "DROP TRIGGER enrollment_events_no_update ON enrollment_events",
    };
    sqlx::query(drop_guard).execute(&pool).await.unwrap();
    sqlx::query("UPDATE enrollment_events SET channel = 'api'")
        .execute(&pool)
        .await
        .unwrap();
    let caught = glasshouse(&with_saved, &env);
    assert_eq!(caught.status.code(), Some(1));
    let said = text(&caught.stderr);
    assert!(
        said.contains("(enrollment ") && said.contains("was edited"),
        "{said}"
    );
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

async fn admin_commands_create_staff_and_api_clients(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let env = [("DATABASE_URL", db.url.as_str())];
    assert!(glasshouse(&["demo"], &env).status.success());

    let officer = glasshouse(
        &[
            "admin",
            "create-user",
            "--role",
            "officer",
            "--email",
            "new.officer@example.org",
        ],
        &env,
    );
    assert!(officer.status.success(), "{}", text(&officer.stderr));
    let out = text(&officer.stdout);
    assert!(out.contains("created officer new.officer@example.org"), "{out}");
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .expect("a generated password is printed once");
    assert!(password.len() >= 20);
    // Development leaves staff's second factor optional: no enrolment code (it would make
    // them enrol at once).
    assert!(out.contains("no enrolment code"), "{out}");
    assert!(!out.lines().any(|l| l.starts_with("enrolment code: ")), "{out}");

    // Where it is required, the operator gets the one-time code to hand over; the database
    // keeps only its keyed digest.
    let required = [
        ("DATABASE_URL", db.url.as_str()),
        ("GLASSHOUSE_STAFF_SECOND_FACTOR", "required"),
    ];
    let staff = glasshouse(
        &[
            "admin",
            "create-user",
            "--role",
            "admin",
            "--email",
            "new.admin@example.org",
        ],
        &required,
    );
    assert!(staff.status.success(), "{}", text(&staff.stderr));
    let out = text(&staff.stdout);
    let code = out
        .lines()
        .find_map(|l| l.strip_prefix("enrolment code: "))
        .expect("an enrolment code is printed once");
    let code = domain::account::EnrolmentCode::parse(code).expect("the shape of an enrolment code");
    assert!(out.contains("good until "), "{out}");
    let pool = store::db::connect(&db.url).await.unwrap();
    let stored: Vec<String> = sqlx::query_scalar(
        "SELECT c.code_hash FROM second_factor_enrolment_codes c JOIN users u ON u.id = c.user_id \
         WHERE u.email = 'new.admin@example.org'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(code.as_str()) && stored[0].len() == 64);

    let again = glasshouse(
        &[
            "admin",
            "create-user",
            "--role",
            "admin",
            "--email",
            "new.officer@example.org",
        ],
        &env,
    );
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("already registered"),
        "{}",
        text(&again.stderr)
    );

    let client = glasshouse(
        &[
            "admin",
            "create-client",
            "--agency",
            "riverton-transit",
            "--scopes",
            "consent:check,subjects:read",
        ],
        &env,
    );
    assert!(client.status.success(), "{}", text(&client.stderr));
    let lines: Vec<String> = text(&client.stdout).lines().map(str::to_owned).collect();
    assert!(
        lines[0].starts_with("client_id: gh_") && lines[1].starts_with("client_secret: "),
        "{lines:?}"
    );

    let bad_scope = glasshouse(
        &[
            "admin",
            "create-client",
            "--agency",
            "riverton-transit",
            "--scopes",
            "everything",
        ],
        &env,
    );
    assert!(
        text(&bad_scope.stderr).contains("unknown scope"),
        "{}",
        text(&bad_scope.stderr)
    );
    let bad_agency = glasshouse(
        &[
            "admin",
            "create-client",
            "--agency",
            "no-such-agency",
            "--scopes",
            "consent:check",
        ],
        &env,
    );
    assert!(
        text(&bad_agency.stderr).contains("no agency"),
        "{}",
        text(&bad_agency.stderr)
    );

    let client_id = lines[0].trim_start_matches("client_id: ");
    let narrowed = glasshouse(
        &[
            "admin",
            "set-client-scopes",
            "--client-id",
            client_id,
            "--scopes",
            "consent:check",
        ],
        &env,
    );
    assert!(narrowed.status.success(), "{}", text(&narrowed.stderr));
    let listed = glasshouse(&["admin", "list-clients"], &env);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let row = text(&listed.stdout)
        .lines()
        .find(|l| l.contains(client_id))
        .map(str::to_owned)
        .expect("the new client is listed");
    assert!(row.contains("\tconsent:check\t"), "{row}");
    assert!(
        !text(&listed.stdout).contains("client_secret"),
        "secrets are never listed"
    );
    let unknown_scope = glasshouse(
        &[
            "admin",
            "set-client-scopes",
            "--client-id",
            client_id,
            "--scopes",
            "consent:write",
        ],
        &env,
    );
    assert!(!unknown_scope.status.success());
    let revoke = glasshouse(&["admin", "revoke-client", "--client-id", client_id], &env);
    assert!(revoke.status.success(), "{}", text(&revoke.stderr));
    let again = glasshouse(&["admin", "revoke-client", "--client-id", client_id], &env);
    assert!(
        !again.status.success(),
        "a revoked client cannot be revoked twice"
    );
    assert!(
        text(&again.stderr).contains("no active client"),
        "{}",
        text(&again.stderr)
    );
}

async fn admin_commands_disable_accounts_reset_second_factors_and_rotate_clients(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let env = [("DATABASE_URL", db.url.as_str())];
    let demo = glasshouse(&["demo"], &env);
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    let officer = "privacy.officer@riverton.example";
    let run = |args: &[&str]| glasshouse(args, &env);

    let disabled = run(&["admin", "disable-user", "--email", officer]);
    assert!(disabled.status.success(), "{}", text(&disabled.stderr));
    assert!(text(&disabled.stdout).contains("disabled privacy.officer@riverton.example"));
    let twice = run(&["admin", "disable-user", "--email", officer]);
    assert!(!twice.status.success());
    assert!(
        text(&twice.stderr).contains("already disabled"),
        "{}",
        text(&twice.stderr)
    );
    let enabled = run(&[
        "admin",
        "enable-user",
        "--email",
        "PRIVACY.officer@riverton.example",
    ]);
    assert!(enabled.status.success(), "{}", text(&enabled.stderr));
    let nobody = run(&["admin", "disable-user", "--email", "nobody@example.org"]);
    assert!(!nobody.status.success());
    assert!(
        text(&nobody.stderr).contains("no account nobody@example.org"),
        "{}",
        text(&nobody.stderr)
    );

    let reset = run(&["admin", "reset-second-factor", "--email", officer]);
    assert!(reset.status.success(), "{}", text(&reset.stderr));
    assert!(text(&reset.stdout).contains("enrols a new authenticator"));
    let code = text(&reset.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("enrolment code: ").map(str::to_owned))
        .expect("the reset prints the enrolment code");
    assert!(domain::account::EnrolmentCode::parse(&code).is_some(), "{code}");
    let nobody = run(&["admin", "reset-second-factor", "--email", "nobody@example.org"]);
    assert!(!nobody.status.success());

    let client = text(&demo.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("client_id: ").map(str::to_owned))
        .expect("the demo prints a client");
    let rotated = run(&["admin", "rotate-client", "--client-id", &client]);
    assert!(rotated.status.success(), "{}", text(&rotated.stderr));
    let out = text(&rotated.stdout);
    assert!(
        out.contains(&format!("client_id: {client}")) && out.contains("client_secret: "),
        "{out}"
    );
    let unknown = run(&["admin", "rotate-client", "--client-id", "gh_nope"]);
    assert!(!unknown.status.success());
    assert!(
        text(&unknown.stderr).contains("no active client gh_nope"),
        "{}",
        text(&unknown.stderr)
    );

    // Each is in the audit log, as the operator's, and the ledger still verifies.
    let verify = run(&["audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify.stderr));
    let pool = store::db::connect(&db.url).await.unwrap();
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM admin_audit WHERE actor_id = 'operator' AND action IN \
         ('disable_user', 'enable_user', 'reset_second_factor', 'rotate_client') ORDER BY at_us",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "disable_user",
            "enable_user",
            "reset_second_factor",
            "rotate_client"
        ]
    );
    let issued: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM admin_audit WHERE actor_id = 'operator' AND action = 'issue_enrolment_code'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(issued, 1, "the reset's code, in the reset's transaction");
}

/// `glasshouse serve` in production with exactly `vars` besides the database and address:
/// it must refuse to start, saying `expected`.
fn production_refuses_without(vars: &[(&str, &str)], expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("g.db").display());
    let mut command = Command::new(env!("CARGO_BIN_EXE_glasshouse"));
    command.arg("serve").env("RUST_LOG", "warn");
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("GLASSHOUSE_")) {
        command.env_remove(name);
    }
    command
        .env("DATABASE_URL", url)
        .env("GLASSHOUSE_MODE", "production")
        .env("GLASSHOUSE_ADDR", "127.0.0.1:0")
        .envs(vars.iter().copied());
    let out = command.output().unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains(expected), "{}", text(&out.stderr));
}

#[test]
fn production_refuses_to_start_without_a_signing_secret() {
    production_refuses_without(&[], "GLASSHOUSE_JWT_SECRET: it must be set");
}

#[test]
fn production_refuses_to_start_without_a_checkpoint_key() {
    production_refuses_without(
        &[("GLASSHOUSE_JWT_SECRET", common::TEST_SECRET)],
        "GLASSHOUSE_CHECKPOINT_KEY: it must be set",
    );
}

#[test]
fn production_refuses_a_weak_secret_and_a_public_url_without_https() {
    let weak = [
        ("GLASSHOUSE_JWT_SECRET", "passwordpasswordpasswordpassword"),
        ("GLASSHOUSE_CHECKPOINT_KEY", common::TEST_CHECKPOINT_KEY),
        ("GLASSHOUSE_PUBLIC_URL", "https://privacy.riverton.example"),
    ];
    production_refuses_without(&weak, "GLASSHOUSE_JWT_SECRET: it is weak");
    let http = [
        ("GLASSHOUSE_JWT_SECRET", common::TEST_SECRET),
        ("GLASSHOUSE_CHECKPOINT_KEY", common::TEST_CHECKPOINT_KEY),
        ("GLASSHOUSE_PUBLIC_URL", "http://privacy.riverton.example"),
    ];
    production_refuses_without(
        &http,
        "GLASSHOUSE_PUBLIC_URL: http://privacy.riverton.example is not https://",
    );
}

#[cfg(unix)]
#[test]
fn production_refuses_a_database_file_others_may_read() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    std::fs::write(&db, "").unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let url = format!("sqlite://{}", db.display());
    let out = glasshouse(
        &["serve"],
        &[
            ("GLASSHOUSE_MODE", "production"),
            ("DATABASE_URL", &url),
            ("GLASSHOUSE_ADDR", "127.0.0.1:0"),
            ("GLASSHOUSE_PUBLIC_URL", "https://privacy.riverton.example"),
        ],
    );
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{}: others than its owner may read it", db.display())),
        "{stderr}"
    );
    assert!(stderr.contains("chmod 600"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_new_database_and_data_folder_are_the_owners_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let url = format!("sqlite://{}", data.join("g.db").display());
    let out = glasshouse(
        &["migrate"],
        &[
            ("DATABASE_URL", &url),
            ("GLASSHOUSE_DATA_DIR", &data.display().to_string()),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("g.db")), 0o600);
}
