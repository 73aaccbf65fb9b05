//! `revocation`: consent withdrawals and a client revocation under load, across app servers.
//!
//! While checks run at load over every server given (`--addr A,B`), residents withdraw (and
//! grant again) through their own server function (`POST /fn/consent/record`, signed in with
//! their session cookie, each change sent to a server drawn at random), and at
//! `--revoke-at` of the run an operator revokes an API client by running `--revoke-command`
//! (`glasshouse admin revoke-client ...`) in another process, while that client keeps
//! calling.
//!
//! Every check records when it was sent and what it was answered; every change when it was
//! acknowledged (its answer read in full). Counted afterwards:
//!
//! - **permits after a withdrawal**: a check of resident R's purpose answered `permit`, sent
//!   after one of R's withdrawals was acknowledged, and answered before R's next grant was
//!   sent (a check that overlaps the next grant may rightly see it);
//! - **2xx after the revocation**: any 2xx to the revoked client (a check with its token, or
//!   a new token with its secret) for a request sent after the revocation was acknowledged.
//!
//! Both must be 0; the exit status is 1 when either is not (and 2 when the run tested
//! nothing: no check fell after a withdrawal, or no call of the revoked client after its
//! revocation). The last line is machine-readable (`RESULT ...`).

use clap::Parser;
use glasshouse_bench::http::{Conn, fetch_token};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Withdrawals and a client revocation under load; counts answers that ignored them.
#[derive(Debug, Clone, Parser)]
#[command(name = "revocation", about)]
struct Args {
    /// The app servers, comma-separated; load and changes are spread over all of them.
    #[arg(long, value_delimiter = ',', required = true)]
    addr: Vec<SocketAddr>,
    /// The checking client (scope consent:check), which stays valid.
    #[arg(long, env = "BENCH_CLIENT_ID")]
    client_id: String,
    #[arg(long, env = "BENCH_CLIENT_SECRET", hide_env_values = true)]
    client_secret: String,
    /// The client that is revoked during the run (scope consent:check).
    #[arg(long, env = "REVOKED_CLIENT_ID")]
    revoked_client_id: String,
    #[arg(long, env = "REVOKED_CLIENT_SECRET", hide_env_values = true)]
    revoked_client_secret: String,
    /// The shell command that revokes it (run with `sh -c`; exit status 0 = acknowledged).
    #[arg(long)]
    revoke_command: String,
    /// When to revoke, as a fraction of `--duration`.
    #[arg(long, default_value_t = 0.4)]
    revoke_at: f64,
    /// The system and purpose residents choose on (consent basis; a public-space system needs
    /// no enrolment).
    #[arg(long, default_value = "public-wifi")]
    system: String,
    #[arg(long, default_value = "footfall-analytics")]
    purpose: String,
    /// Residents signed up for the run (each grants, then withdraws and grants again in turn).
    #[arg(long, default_value_t = 16)]
    residents: usize,
    /// Seconds of load.
    #[arg(long, default_value_t = 30.0)]
    duration: f64,
    /// Connections of the checking client (closed loop), spread over the servers.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Connections of the client to be revoked (closed loop).
    #[arg(long, default_value_t = 4)]
    revoked_connections: usize,
    /// A resident keeps a consent (or its withdrawal) between this many and twice as many
    /// milliseconds before changing it again.
    #[arg(long, default_value_t = 400)]
    hold_ms: u64,
    /// A tag for the accounts' emails (unique per database).
    #[arg(long, default_value = "run")]
    tag: String,
    #[arg(long, default_value_t = 11)]
    seed: u64,
}

type Error = Box<dyn std::error::Error + Send + Sync>;

const PASSWORD: &str = "revocation benchmark password, long enough";
const FORM: &str = "application/x-www-form-urlencoded";

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    let outcome = match runtime {
        Ok(rt) => rt.block_on(run(args)),
        Err(e) => Err(e.into()),
    };
    match outcome {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) => {
            eprintln!("revocation: {e}");
            std::process::ExitCode::from(3)
        }
    }
}

/// A resident of the run: their session, number and the server they signed in on.
struct Resident {
    cookie: String,
    number: String,
}

/// One consent check as the checking client saw it.
struct Check {
    resident: usize,
    sent: Instant,
    done: Instant,
    /// 0: no answer or not 2xx, 1: deny, 2: permit.
    decision: u8,
}

/// One call of the client being revoked.
struct RevokedCall {
    sent: Instant,
    status: u16,
    token_request: bool,
}

/// A resident's changes in time order: (grant sent, grant acknowledged) and (withdrawal
/// sent, withdrawal acknowledged).
#[derive(Default)]
struct Changes {
    /// (sent, acknowledged, is_grant)
    events: Vec<(Instant, Instant, bool)>,
    failed: u64,
}

fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn run(args: Args) -> Result<u8, Error> {
    let n = args.addr.len();
    // 1. Residents: sign up, sign in, read their number, grant.
    let mut residents = Vec::with_capacity(args.residents);
    for i in 0..args.residents {
        let mut conn = Conn::open(args.addr[i % n]).await?;
        let email = format!("revocation-{}-{i}@residents.bench.invalid", args.tag);
        let headers = [("Content-Type", FORM), ("Accept", "application/json")];
        let body = form(&[
            ("email", &email),
            ("password", PASSWORD),
            ("display_name", &format!("Revocation {i}")),
            ("lang", "en"),
        ]);
        let r = conn
            .send("POST", "/fn/auth/sign_up", &headers, body.as_bytes())
            .await?;
        if !(200..300).contains(&r.status) {
            return Err(format!(
                "sign-up of {email}: HTTP {}: {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            )
            .into());
        }
        let body = form(&[("email", &email), ("password", PASSWORD)]);
        let r = conn
            .send("POST", "/fn/auth/sign_in", &headers, body.as_bytes())
            .await?;
        let cookie = r
            .headers("set-cookie")
            .find_map(|v| v.strip_prefix("gh_session="))
            .map(|v| v.split(';').next().unwrap_or_default().to_owned())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                format!(
                    "sign-in of {email}: HTTP {} set no session: {}",
                    r.status,
                    String::from_utf8_lossy(&r.body)
                )
            })?;
        let cookie_header = format!("gh_session={cookie}");
        let me_headers = [
            ("Content-Type", FORM),
            ("Accept", "application/json"),
            ("Cookie", cookie_header.as_str()),
        ];
        let r = conn.send("POST", "/fn/auth/me", &me_headers, b"").await?;
        let me: serde_json::Value = serde_json::from_slice(&r.body).map_err(|e| {
            format!(
                "/fn/auth/me: HTTP {}: {e}: {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            )
        })?;
        let number = me
            .get("resident_number")
            .and_then(|v| v.as_str())
            .ok_or_else(|| format!("/fn/auth/me has no resident_number: {me}"))?
            .to_owned();
        residents.push(Resident { cookie, number });
    }
    let residents = Arc::new(residents);
    eprintln!(
        "revocation: {} residents signed up and in over {n} server(s)",
        residents.len()
    );

    let token = fetch_token(args.addr[0], &args.client_id, &args.client_secret).await?;
    let revoked_token =
        fetch_token(args.addr[0], &args.revoked_client_id, &args.revoked_client_secret).await?;

    let start = Instant::now();
    let end = start + Duration::from_secs_f64(args.duration);

    // 2. Each resident: grant, hold, withdraw, hold, grant... (the first grant before the load).
    let mut change_tasks = Vec::new();
    for (i, _) in residents.iter().enumerate() {
        let residents = Arc::clone(&residents);
        let args = args.clone();
        change_tasks.push(tokio::spawn(async move {
            let mut rng = SmallRng::seed_from_u64(args.seed.wrapping_mul(7919).wrapping_add(i as u64));
            let mut conns = Vec::new();
            for a in &args.addr {
                conns.push(Conn::open(*a).await?);
            }
            let mut changes = Changes::default();
            let cookie = format!("gh_session={}", residents[i].cookie);
            let mut grant = true;
            loop {
                let action = if grant { "grant" } else { "withdraw" };
                let body = form(&[
                    ("system", &args.system),
                    ("purpose", &args.purpose),
                    ("action", action),
                    ("lang", "en"),
                ]);
                let headers = [
                    ("Content-Type", FORM),
                    ("Accept", "application/json"),
                    ("Cookie", cookie.as_str()),
                ];
                let c = rng.random_range(0..conns.len());
                let sent = Instant::now();
                match conns[c]
                    .send("POST", "/fn/consent/record", &headers, body.as_bytes())
                    .await
                {
                    Ok(r) if (200..300).contains(&r.status) => {
                        changes.events.push((sent, Instant::now(), grant));
                    }
                    Ok(r) => {
                        changes.failed += 1;
                        eprintln!(
                            "revocation: {action} answered HTTP {}: {}",
                            r.status,
                            String::from_utf8_lossy(&r.body)
                        );
                        // The outcome is unknown: treat it as a grant sent (never a withdrawal).
                        changes.events.push((sent, Instant::now(), true));
                    }
                    Err(e) => {
                        changes.failed += 1;
                        eprintln!("revocation: {action}: {e}");
                        changes.events.push((sent, Instant::now(), true));
                    }
                }
                grant = !grant;
                let hold = rng.random_range(args.hold_ms..=args.hold_ms * 2);
                tokio::time::sleep(Duration::from_millis(hold)).await;
                if Instant::now() >= end {
                    break;
                }
            }
            Ok::<Changes, Error>(changes)
        }));
    }

    // 3. The checking client's load.
    let mut check_tasks = Vec::new();
    for c in 0..args.connections.max(1) {
        let residents = Arc::clone(&residents);
        let addr = args.addr[c % n];
        let head = format!(
            "POST /api/v1/consent/check HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: "
        );
        let (system, purpose, seed) = (args.system.clone(), args.purpose.clone(), args.seed);
        check_tasks.push(tokio::spawn(async move {
            let mut rng = SmallRng::seed_from_u64(seed.wrapping_mul(104_729).wrapping_add(c as u64));
            let mut conn = Conn::open(addr).await?;
            let mut checks = Vec::new();
            let mut errors = 0u64;
            let mut first_error = None;
            while Instant::now() < end {
                let r = rng.random_range(0..residents.len());
                let body = format!(
                    r#"{{"subject":"{}","system":"{system}","purpose":"{purpose}"}}"#,
                    residents[r].number
                );
                let request = format!("{head}{}\r\n\r\n{body}", body.len());
                let sent = Instant::now();
                let answer = conn.roundtrip(request.as_bytes()).await;
                let done = Instant::now();
                let decision = match &answer {
                    Ok(a) if (200..300).contains(&a.status) => {
                        let text = String::from_utf8_lossy(&a.body);
                        if text.contains(r#""decision":"permit""#) {
                            2
                        } else {
                            1
                        }
                    }
                    Ok(a) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| {
                            format!("HTTP {}: {}", a.status, String::from_utf8_lossy(&a.body))
                        });
                        0
                    }
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| e.to_string());
                        0
                    }
                };
                if answer.as_ref().map_or(true, |a| a.close) {
                    conn.reopen().await?;
                }
                checks.push(Check {
                    resident: r,
                    sent,
                    done,
                    decision,
                });
            }
            Ok::<_, Error>((checks, errors, first_error))
        }));
    }

    // 4. The client to be revoked keeps calling: checks, and a new token now and then.
    let mut revoked_tasks = Vec::new();
    for c in 0..args.revoked_connections {
        let residents = Arc::clone(&residents);
        let addr = args.addr[c % n];
        let head = format!(
            "POST /api/v1/consent/check HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {revoked_token}\r\n\
             Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: "
        );
        let args = args.clone();
        revoked_tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(addr).await?;
            let mut calls = Vec::new();
            let mut last_token = Instant::now();
            let mut i = 0usize;
            while Instant::now() < end {
                if c == 0 && last_token.elapsed() >= Duration::from_millis(200) {
                    last_token = Instant::now();
                    let sent = Instant::now();
                    let status =
                        match fetch_token(addr, &args.revoked_client_id, &args.revoked_client_secret).await {
                            Ok(_) => 200,
                            Err(e) => e.status,
                        };
                    calls.push(RevokedCall {
                        sent,
                        status,
                        token_request: true,
                    });
                }
                i += 1;
                let body = format!(
                    r#"{{"subject":"{}","system":"{}","purpose":"{}"}}"#,
                    residents[i % residents.len()].number,
                    args.system,
                    args.purpose
                );
                let request = format!("{head}{}\r\n\r\n{body}", body.len());
                let sent = Instant::now();
                let status = match conn.roundtrip(request.as_bytes()).await {
                    Ok(a) => {
                        if a.close {
                            conn.reopen().await?;
                        }
                        a.status
                    }
                    Err(_) => {
                        conn.reopen().await?;
                        0
                    }
                };
                calls.push(RevokedCall {
                    sent,
                    status,
                    token_request: false,
                });
                if status != 0 && !(200..300).contains(&status) {
                    // Refused: no need to hammer the server with refusals.
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
            Ok::<_, Error>(calls)
        }));
    }

    // 5. The operator revokes the client from another process.
    let revoke_at = start + Duration::from_secs_f64(args.duration * args.revoke_at.clamp(0.0, 1.0));
    tokio::time::sleep_until(revoke_at.into()).await;
    let command = args.revoke_command.clone();
    let revoke_sent = Instant::now();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("sh").arg("-c").arg(&command).output()
    })
    .await??;
    let revoke_ack = Instant::now();
    if !output.status.success() {
        return Err(format!(
            "the revocation command failed ({}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    eprintln!(
        "revocation: client revoked at {:.2} s ({:.0} ms for the command): {}",
        (revoke_ack - start).as_secs_f64(),
        (revoke_ack - revoke_sent).as_secs_f64() * 1000.0,
        String::from_utf8_lossy(&output.stdout).trim()
    );

    // 6. Gather.
    let mut changes = Vec::new();
    for t in change_tasks {
        changes.push(t.await??);
    }
    let mut checks = Vec::new();
    let mut check_errors = 0;
    let mut first_error = None;
    for t in check_tasks {
        let (c, e, f) = t.await??;
        checks.extend(c);
        check_errors += e;
        if first_error.is_none() {
            first_error = f;
        }
    }
    let mut revoked_calls = Vec::new();
    for t in revoked_tasks {
        revoked_calls.extend(t.await??);
    }

    // 7. Count.
    let mut after_withdrawal = 0u64; // checks that must deny
    let mut permits_after_withdrawal = 0u64;
    let mut first_violation = None;
    let (mut permits, mut denies) = (0u64, 0u64);
    for check in &checks {
        match check.decision {
            2 => permits += 1,
            1 => denies += 1,
            _ => continue,
        }
        let events = &changes[check.resident].events;
        // The last change acknowledged before the check was sent.
        let last_acked = events.iter().rev().find(|(_, ack, _)| *ack < check.sent);
        let Some(&(_, withdrawn_ack, false)) = last_acked else {
            continue;
        };
        // The next grant sent after that withdrawal.
        let next_grant = events
            .iter()
            .find(|(sent, _, grant)| *grant && *sent > withdrawn_ack)
            .map(|(sent, _, _)| *sent);
        if next_grant.is_some_and(|g| check.done >= g) {
            continue; // overlaps the next grant: either answer is right
        }
        after_withdrawal += 1;
        if check.decision == 2 {
            permits_after_withdrawal += 1;
            first_violation.get_or_insert_with(|| {
                format!(
                    "resident {} checked {:.1} ms after the withdrawal's acknowledgement: permit",
                    residents[check.resident].number,
                    (check.sent - withdrawn_ack).as_secs_f64() * 1000.0
                )
            });
        }
    }
    let withdrawals: usize = changes
        .iter()
        .map(|c| c.events.iter().filter(|e| !e.2).count())
        .sum();
    let grants: usize = changes
        .iter()
        .map(|c| c.events.iter().filter(|e| e.2).count())
        .sum();
    let failed_changes: u64 = changes.iter().map(|c| c.failed).sum();
    let after_revocation: Vec<&RevokedCall> = revoked_calls.iter().filter(|c| c.sent > revoke_ack).collect();
    let ok_after_revocation = after_revocation
        .iter()
        .filter(|c| (200..300).contains(&c.status))
        .count();
    let ok_before = revoked_calls
        .iter()
        .filter(|c| c.sent < revoke_sent && (200..300).contains(&c.status))
        .count();
    let tokens_after = after_revocation.iter().filter(|c| c.token_request).count();
    let mut statuses_after: Vec<(u16, usize)> = Vec::new();
    for c in &after_revocation {
        match statuses_after.iter_mut().find(|(s, _)| *s == c.status) {
            Some((_, k)) => *k += 1,
            None => statuses_after.push((c.status, 1)),
        }
    }
    statuses_after.sort_unstable();
    let seconds = args.duration;
    println!(
        "checks: {} in {seconds:.0} s ({:.0}/s) over {n} server(s): {permits} permit, {denies} deny, {check_errors} errors{}",
        checks.len(),
        checks.len() as f64 / seconds,
        first_error.map(|e| format!(" (first: {e})")).unwrap_or_default()
    );
    println!(
        "changes: {grants} grants and {withdrawals} withdrawals by {} residents acknowledged ({failed_changes} failed)",
        residents.len()
    );
    println!(
        "checks sent after an acknowledged withdrawal (and answered before the next grant was sent): {after_withdrawal}; \
         permits among them: {permits_after_withdrawal}   (must be 0)"
    );
    if let Some(v) = &first_violation {
        println!("  first: {v}");
    }
    println!(
        "revoked client: {} calls, {ok_before} answered 2xx before the revocation; {} calls sent after it was acknowledged \
         ({tokens_after} token requests; statuses {}); 2xx among them: {ok_after_revocation}   (must be 0)",
        revoked_calls.len(),
        after_revocation.len(),
        statuses_after
            .iter()
            .map(|(s, k)| format!("{s}: {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "RESULT checks={} after_withdrawal={after_withdrawal} permits_after_withdrawal={permits_after_withdrawal} \
         grants={grants} withdrawals={withdrawals} failed_changes={failed_changes} revoked_calls_after={} \
         ok_after_revocation={ok_after_revocation} check_errors={check_errors}",
        checks.len(),
        after_revocation.len()
    );
    if permits_after_withdrawal > 0 || ok_after_revocation > 0 {
        return Ok(1);
    }
    if after_withdrawal == 0 || after_revocation.is_empty() || ok_before == 0 {
        println!(
            "the run tested nothing: no check after a withdrawal, or no call of the revoked client around its revocation"
        );
        return Ok(2);
    }
    Ok(0)
}
