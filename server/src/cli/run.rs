//! What each subcommand does, in terms of the library's parts.

use crate::cli::{AdminCommand, AuditCommand};
use crate::config::Config;
use crate::demo::{self, DemoError};

use auth::clients;
use domain::account::{ApiScope, Role, SecondFactorRule};
use sqlx::AnyPool;
use store::db::{self, DbError};

/// Why a subcommand failed; the message is printed for the operator.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Demo(#[from] DemoError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Build(#[from] crate::http::BuildError),
    #[error("{0}")]
    Admin(String),
    #[error("the server stopped: {0}")]
    Serve(#[source] std::io::Error),
    #[error(transparent)]
    CheckpointKey(#[from] crate::auth::checkpoint_key::KeyError),
    #[error("cannot read the checkpoint {path}: {source}")]
    ReadCheckpoint {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("the ledger does not verify: {0}")]
    Verify(#[from] store::ledger::VerifyError),
    #[error("storage failed: {0}")]
    Store(#[from] store::StoreError),
    #[error("cannot {action} {path}: {source}")]
    File {
        action: &'static str,
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{} problem(s) in the register file; nothing was written", .0.len())]
    RegisterFile(Vec<domain::register::Problem>),
    #[error(
        "production mode refuses to start with unsafe settings:\n{}",
        .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n")
    )]
    Unsafe(Vec<crate::safety::Unsafe>),
}

pub(super) async fn open(config: &Config) -> Result<AnyPool, RunError> {
    let pool = db::connect(&config.database_url).await?;
    db::migrate(&pool).await?;
    Ok(pool)
}

/// `glasshouse migrate`.
pub async fn migrate(config: &Config) -> Result<(), RunError> {
    open(config).await?;
    println!("migrations applied");
    Ok(())
}

/// `glasshouse demo [--if-empty]`: the city, its demo sign-ins and one API client per agency.
pub async fn demo(config: &Config, if_empty: bool) -> Result<(), RunError> {
    if config.mode == crate::config::Mode::Production {
        // The demo's sign-ins have published passwords.
        return Err(RunError::Admin(
            "the demo city is not loaded in production mode".to_owned(),
        ));
    }
    let pool = open(config).await?;
    let city = demo::parse(demo::CITY_TOML, demo::STREETS_TOML)?;
    match demo::load(&pool, &city).await {
        Ok(loaded) => {
            println!(
                "demo city loaded: {} agencies, {} systems, {} purposes",
                loaded.agencies, loaded.systems, loaded.purposes
            );
            let accounts = crate::http::accounts(config, pool.clone()).await?;
            let mut created = Vec::new();
            for account in &city.accounts {
                let user = accounts
                    .create_user(&account.email, &account.password, &account.name, account.role)
                    .await
                    .map_err(|e| RunError::Admin(e.to_string()))?;
                demo::settle_account(&pool, &user.id, account).await?;
                created.push(user);
            }
            let first = |role: Role| created.iter().find(|u| u.role == role);
            if let (Some(resident), Some(officer)) = (first(Role::Resident), first(Role::Officer)) {
                let filed = crate::demo::requests::load(&pool, config.deadline_policy, resident, officer)
                    .await
                    .map_err(|e| RunError::Admin(format!("demo privacy requests: {e}")))?;
                println!("demo privacy requests: {filed}, in every status");
                // The demo officer keeps the register too (an admin's grant, recorded as the operator's).
                store::register::grant_register(&pool, store::audit::Actor::Operator, &officer.id, true)
                    .await
                    .map_err(|e| RunError::Admin(e.to_string()))?;
                let reviews = crate::demo::reviews::load(
                    &pool,
                    &accounts,
                    officer,
                    &city.languages,
                    store::requests::today(),
                )
                .await
                .map_err(|e| RunError::Admin(format!("demo reviews: {e}")))?;
                println!(
                    "demo public reviews: {reviews} (open for comment, awaiting the office, rejected, in force)"
                );
            }
            let mut first = None;
            let mut demo_clients = Vec::new();
            for agency in &city.agencies {
                let runs: Vec<_> = city
                    .systems
                    .iter()
                    .filter(|s| s.agency.slug == agency.slug)
                    .map(|s| s.scope)
                    .collect();
                let scopes = ApiScope::needed_by(&runs);
                if scopes.is_empty() {
                    continue;
                }
                let client = clients::create(
                    &pool,
                    accounts.hashing(),
                    agency.slug.as_str(),
                    &scopes,
                    store::audit::Actor::Operator,
                )
                .await
                .map_err(|e| RunError::Admin(e.to_string()))?;
                demo_clients.push(demo::activity::DemoClient {
                    agency: agency.slug.to_string(),
                    client_id: client.client_id.clone(),
                    scopes: scopes.clone(),
                });
                first.get_or_insert((agency.slug.to_string(), client));
            }
            let residents: Vec<String> = created
                .iter()
                .filter(|u| u.role == Role::Resident)
                .map(|u| u.resident_number.clone())
                .collect();
            let year = demo::activity::generate(&pool, &demo_clients, &residents, store::now_us()).await?;
            println!(
                "demo activity: {} checks and queries over the last {} days",
                year.entries, year.days
            );
            if let Some(officer) = created.iter().find(|u| u.role == Role::Officer) {
                let told = demo::breach::load(&pool, officer, store::now_us()).await?;
                println!("demo breach register: one closed incident, {told} residents told");
            }
            if let Some((agency, client)) = first {
                println!("demo API client of {agency} (the secret is shown only now):");
                println!("client_id: {}", client.client_id);
                println!("client_secret: {}", client.client_secret);
            }
        }
        Err(DemoError::NotEmpty) if if_empty => println!("the database already holds data; left as it is"),
        Err(e) => return Err(e.into()),
    }
    print_demo_sign_ins(&city);
    Ok(())
}

fn print_demo_sign_ins(city: &demo::City) {
    if city.accounts.is_empty() {
        return;
    }
    println!("demo sign-ins:");
    for account in &city.accounts {
        println!(
            "  {:<9} {}  password: {}",
            account.role.code(),
            account.email,
            account.password
        );
    }
}

/// `glasshouse admin ...`.
pub async fn admin(config: &Config, command: AdminCommand) -> Result<(), RunError> {
    let pool = open(config).await?;
    let accounts = crate::http::accounts(config, pool.clone()).await?;
    let admin_err = |e: &dyn std::fmt::Display| RunError::Admin(e.to_string());
    match command {
        AdminCommand::CreateUser { role, email, name } => {
            let role: Role = role.parse().map_err(|e| admin_err(&e))?;
            let (password, generated) = read_or_generate_password().map_err(|e| admin_err(&e))?;
            let user = accounts
                .create_user(&email, &password, &name, role)
                .await
                .map_err(|e| admin_err(&e))?;
            operator_did(&pool, "create_user", &format!("{} {}", role.code(), user.email)).await?;
            println!(
                "created {} {} (resident number {})",
                role.code(),
                user.email,
                user.resident_number
            );
            if generated {
                println!("password: {password}");
            }
            if config.staff_second_factor == SecondFactorRule::Required {
                let code = accounts
                    .issue_enrolment_code(&user.id, store::audit::Actor::Operator)
                    .await
                    .map_err(|e| admin_err(&e))?
                    .ok_or_else(|| RunError::Admin(format!("no account {}", user.email)))?;
                print_enrolment_code(&code);
            } else {
                println!(
                    "no enrolment code: staff sign in with a password alone here (GLASSHOUSE_STAFF_SECOND_FACTOR=optional); `admin reset-second-factor` issues one"
                );
            }
        }
        AdminCommand::CreateClient { agency, scopes } => {
            let scopes = clients::parse_scopes(&scopes).map_err(|e| admin_err(&e))?;
            let client = clients::create(
                &pool,
                accounts.hashing(),
                &agency,
                &scopes,
                store::audit::Actor::Operator,
            )
            .await
            .map_err(|e| admin_err(&e))?;
            println!("client_id: {}", client.client_id);
            println!("client_secret: {}", client.client_secret);
        }
        AdminCommand::RevokeClient { client_id } => {
            if store::accounts::revoke_client(&pool, &client_id, store::audit::Actor::Operator)
                .await
                .map_err(|e| admin_err(&e))?
            {
                println!("revoked {client_id}");
            } else {
                return Err(RunError::Admin(format!("no active client {client_id}")));
            }
        }
        AdminCommand::SetClientScopes { client_id, scopes } => {
            let scopes = clients::parse_scopes(&scopes).map_err(|e| admin_err(&e))?;
            let codes: Vec<&str> = scopes.iter().map(|s| s.code()).collect();
            let codes = codes.join(" ");
            if store::accounts::set_client_scopes(&pool, &client_id, &codes, store::audit::Actor::Operator)
                .await
                .map_err(|e| admin_err(&e))?
            {
                println!("{client_id}: {codes}");
            } else {
                return Err(RunError::Admin(format!("no active client {client_id}")));
            }
        }
        AdminCommand::ListClients => {
            let when = |t: Option<i64>| {
                t.map_or_else(
                    || "-".to_owned(),
                    |t| store::rfc3339_us(t.saturating_mul(1_000_000)),
                )
            };
            println!("agency\tclient_id\tscopes\tcreated\tlast_token\trevoked");
            for c in store::accounts::clients(&pool).await.map_err(|e| admin_err(&e))? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    c.agency_slug,
                    c.client_id,
                    c.scopes,
                    when(Some(c.created_at)),
                    when(c.last_used_at),
                    when(c.revoked_at)
                );
            }
        }
        AdminCommand::RotateClient { client_id } => {
            let client = clients::rotate(
                &pool,
                accounts.hashing(),
                &client_id,
                store::audit::Actor::Operator,
            )
            .await
            .map_err(|e| match e {
                clients::ClientError::InvalidClient => {
                    RunError::Admin(format!("no active client {client_id}"))
                }
                other => admin_err(&other),
            })?;
            println!("client_id: {}", client.client_id);
            println!("client_secret: {}", client.client_secret);
        }
        AdminCommand::DisableUser { email } => set_disabled(&pool, &email, true).await?,
        AdminCommand::EnableUser { email } => set_disabled(&pool, &email, false).await?,
        AdminCommand::ResetSecondFactor { email } => {
            let user = find_account(&pool, &email).await?;
            let code = accounts
                .reset_second_factor(&user.id, store::audit::Actor::Operator)
                .await
                .map_err(|e| admin_err(&e))?
                .ok_or_else(|| RunError::Admin(format!("no account {}", user.email)))?;
            println!(
                "reset the second factor of {}: their sessions ended; the next sign-in enrols a new authenticator with this code",
                user.email
            );
            print_enrolment_code(&code);
        }
    }
    Ok(())
}

/// An enrolment code for the operator to give the staff member out of band (in person, by
/// phone): never by the email that could carry a phished password.
fn print_enrolment_code(code: &auth::accounts::IssuedEnrolmentCode) {
    println!("enrolment code: {}", code.code);
    println!(
        "good until {}, once; give it to them in person or by phone, not by email",
        store::rfc3339_us(code.expires_at.saturating_mul(1_000_000))
    );
}

/// The account with `email`, or the operator's error naming it.
async fn find_account(pool: &AnyPool, email: &str) -> Result<store::accounts::UserRow, RunError> {
    let key = email.trim().to_lowercase();
    store::accounts::find_user_by_email(pool, &key)
        .await?
        .ok_or_else(|| RunError::Admin(format!("no account {key}")))
}

/// `admin disable-user` (`disable`) and `admin enable-user`.
async fn set_disabled(pool: &AnyPool, email: &str, disable: bool) -> Result<(), RunError> {
    let user = find_account(pool, email).await?;
    let state = if disable { "disabled" } else { "enabled" };
    if store::second_factor::set_disabled(pool, &user.id, disable, store::audit::Actor::Operator).await? {
        println!("{state} {}", user.email);
        Ok(())
    } else {
        Err(RunError::Admin(format!("{} is already {state}", user.email)))
    }
}

/// Records a provisioning command in the audit log (and so in the ledger). The command's
/// own change is already stored; if this fails, the command fails loudly so the operator
/// knows the record is missing.
async fn operator_did(pool: &AnyPool, action: &str, detail: &str) -> Result<(), RunError> {
    let entry = store::audit::AuditEntry {
        actor: store::audit::Actor::Operator,
        action,
        request_id: None,
        detail,
    };
    store::audit::record_now(pool, &entry).await?;
    Ok(())
}

/// `glasshouse audit ...`.
pub async fn audit(config: &Config, command: AuditCommand) -> Result<(), RunError> {
    let pool = open(config).await?;
    let keeper = crate::auth::checkpoint_key::keeper(config)?;
    match command {
        AuditCommand::Verify { checkpoint } => {
            let saved = match &checkpoint {
                Some(path) => Some((
                    path.display().to_string(),
                    std::fs::read_to_string(path).map_err(|source| RunError::ReadCheckpoint {
                        path: path.clone(),
                        source,
                    })?,
                )),
                None => None,
            };
            let saved = saved.as_ref().map(|(name, note)| (name.as_str(), note.as_str()));
            let verified = match store::ledger::verify_all(&pool, &keeper, saved).await {
                Err(store::ledger::VerifyError::Findings(findings)) => {
                    for finding in &findings {
                        eprintln!("  {finding}");
                    }
                    return Err(store::ledger::VerifyError::Findings(findings).into());
                }
                other => other?,
            };
            println!(
                "the ledger verifies: {} entries, root {}, {} checkpoint(s) extended",
                verified.size,
                domain::ledger::to_hex(&verified.root),
                verified.checkpoints
            );
            for (log, count) in verified.counts {
                println!("  {log}: {count}");
            }
        }
        AuditCommand::Checkpoint => match keeper.latest(&pool).await? {
            Some(checkpoint) => print!("{}", checkpoint.note),
            None => return Err(RunError::Admin("the ledger is still empty".to_owned())),
        },
        AuditCommand::Purge => {
            let actor = store::audit::Actor::Operator;
            let purged =
                store::retention::purge_expired(&pool, actor, config.retention_days, store::now()).await?;
            println!(
                "purged {} erased account(s) past {} days: {} consent and enrollment event(s), {} request(s)",
                purged.accounts, config.retention_days, purged.events, purged.requests
            );
        }
    }
    Ok(())
}

/// The password piped on standard input, or a generated one (then shown once).
fn read_or_generate_password() -> std::io::Result<(String, bool)> {
    use base64::Engine;
    use std::io::{IsTerminal, Read};
    let mut input = String::new();
    if !std::io::stdin().is_terminal() {
        std::io::stdin().read_to_string(&mut input)?;
    }
    let piped = input.trim_end_matches(['\n', '\r']).to_owned();
    if piped.is_empty() {
        let raw: [u8; 18] = rand::random();
        Ok((base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw), true))
    } else {
        Ok((piped, false))
    }
}

/// `glasshouse serve`: migrate, then serve until Ctrl-C.
pub async fn serve(config: &Config) -> Result<(), RunError> {
    if config.mode == crate::config::Mode::Production {
        let mut problems = crate::safety::setting_problems(config);
        problems.extend(crate::safety::file_problems(
            config,
            config.config_file.as_deref(),
        ));
        if !problems.is_empty() {
            return Err(RunError::Unsafe(problems));
        }
    } else {
        tracing::warn!(
            "development mode: for a developer's machine only (set GLASSHOUSE_MODE=production to deploy)"
        );
    }
    let pool = db::connect_serving(&config.database_url).await?;
    db::migrate(&pool).await?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| RunError::Bind {
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(RunError::Serve)?;
    let state = crate::http::state(config, pool, addr).await?;
    let log = state.decision_log.clone();
    let router = crate::http::router(state);
    println!("Glasshouse is ready at http://{addr}");
    tracing::info!(%addr, "serving");
    let served = tokio::select! {
        served = crate::http::serve(listener, router) => served.map_err(RunError::Serve),
        () = shutdown_signal() => Ok(()),
    };
    let stats = log.stats();
    tracing::info!(
        batches = stats.batches,
        entries = stats.entries,
        redecided = stats.redecided,
        lock_held_us_p50 = stats.hold_us(0.5),
        lock_held_us_p99 = stats.hold_us(0.99),
        lock_held_us_max = stats.hold_us(1.0),
        "decision log writer"
    );
    served
}

async fn shutdown_signal() {
    // If the signal handler cannot be installed the server simply runs until killed.
    let _ = tokio::signal::ctrl_c().await;
}
