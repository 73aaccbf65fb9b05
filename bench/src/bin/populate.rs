//! `populate`: loads a generated population into a migrated Glasshouse SQLite database that
//! already holds the demo city (`glasshouse demo`): residents, their consent events, and the
//! current consent per resident and purpose derived from those events. Writes the file the
//! load generator draws its checks from (resident numbers, the agency whose client checks,
//! every purpose with its system and legal basis).
//!
//! One transaction, multi-row prepared inserts, `synchronous = OFF` (SQLite) or
//! `synchronous_commit = off` (PostgreSQL) for this connection only (the load is either
//! complete or absent; the server's own connections keep their durability).

use clap::Parser;
use glasshouse_bench::{Population, Target};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use sqlx::AnyConnection;
use sqlx::{Connection, Executor};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Fill a demo database with a benchmark population.
#[derive(Debug, Parser)]
#[command(name = "populate", about)]
struct Args {
    /// The database, e.g. sqlite:///tmp/bench/glasshouse.db or postgres://... (migrated,
    /// demo loaded).
    #[arg(long, env = "DATABASE_URL")]
    database: String,
    /// Residents to create.
    #[arg(long, default_value_t = 100_000)]
    residents: usize,
    /// Consent events to create, spread at random over the residents.
    #[arg(long, default_value_t = 1_000_000)]
    events: usize,
    /// Seed of the generator: the same seed gives the same population.
    #[arg(long, default_value_t = 20261124)]
    seed: u64,
    /// The agency whose API client will run the checks; default: the one with the most
    /// consent-basis purposes.
    #[arg(long)]
    agency: Option<String>,
    /// Where to write the load generator's population file.
    #[arg(long, default_value = "population.json")]
    out: PathBuf,
}

/// The characters of a resident number after `GH-` (domain::account::ResidentNumber).
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Residents per insert batch; each batch carries its residents' events and consents.
const RESIDENTS_PER_BATCH: usize = 500;
/// Rows per multi-row INSERT statement (well under SQLite's 32 766 and PostgreSQL's 65 535
/// bound variables).
const ROWS_PER_STATEMENT: usize = 1000;
/// Consent events are spread over this many years before now.
const HISTORY_YEARS: i64 = 3;
const PASSWORD_HASH: &str = "!benchmark-resident-never-signs-in";

type Error = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Clone)]
struct PurposeRow {
    id: String,
    key: String,
    legal_basis: String,
    notice_version: i64,
    system: String,
    agency: String,
    system_id: String,
    /// `enrolment` (scope code) systems hold only their enrolled residents' data; checks about anyone
    /// else deny (`not_enrolled`), so residents are enrolled with the systems they use.
    scope: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("populate: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Error> {
    sqlx::any::install_default_drivers();
    let sqlite = args.database.starts_with("sqlite:");
    let mut conn = AnyConnection::connect(&args.database).await?;
    if sqlite {
        for pragma in [
            "PRAGMA synchronous = OFF",
            "PRAGMA foreign_keys = ON",
            "PRAGMA cache_size = -262144",
            "PRAGMA temp_store = MEMORY",
        ] {
            conn.execute(pragma).await?;
        }
    } else {
        conn.execute("SET synchronous_commit = off").await?;
    }

    let purposes = read_purposes(&mut conn).await?;
    if purposes.is_empty() {
        return Err("the database has no purposes: run `glasshouse demo` first".into());
    }
    let agency = match args.agency {
        Some(a) if purposes.iter().any(|p| p.agency == a) => a,
        Some(a) => return Err(format!("no agency {a:?} with purposes in the register").into()),
        None => busiest_consent_agency(&purposes).ok_or("the register has no consent-basis purpose")?,
    };
    let consent: Vec<usize> = (0..purposes.len())
        .filter(|i| purposes[*i].legal_basis == "consent")
        .collect();
    let own_consent: Vec<usize> = consent
        .iter()
        .copied()
        .filter(|i| purposes[*i].agency == agency)
        .collect();
    let mut own_systems: Vec<String> = purposes
        .iter()
        .filter(|p| p.agency == agency && p.scope == "enrolment")
        .map(|p| p.system_id.clone())
        .collect();
    own_systems.sort_unstable();
    own_systems.dedup();
    let (already,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM users WHERE email LIKE 'bench-%@residents.bench.invalid'")
            .fetch_one(&mut conn)
            .await?;
    if already > 0 {
        return Err(format!("the database already holds {already} benchmark residents").into());
    }
    let taken: HashSet<String> = sqlx::query_as::<_, (String,)>("SELECT resident_number FROM users")
        .fetch_all(&mut conn)
        .await?
        .into_iter()
        .map(|(n,)| n)
        .collect();

    println!(
        "populate: {} residents, {} consent events over {} consent-basis purposes ({} of them {agency}'s)",
        args.residents,
        args.events,
        consent.len(),
        own_consent.len()
    );
    println!("agency: {agency}");

    let mut rng = SmallRng::seed_from_u64(args.seed);
    // Events per resident: each event lands on a resident drawn at random.
    let mut per_resident = vec![0u32; args.residents];
    if args.residents > 0 {
        for _ in 0..args.events {
            per_resident[rng.random_range(0..args.residents)] += 1;
        }
    }

    let started = Instant::now();
    let now_s = unix_seconds();
    let now_us = now_s * 1_000_000;
    let mut numbers = Vec::with_capacity(args.residents);
    let mut next_index: u64 = 0;
    let mut counts = Counts::default();
    let mut tx = conn.begin().await?;
    let mut batch = Batch::default();
    for (i, events) in per_resident.iter().enumerate() {
        let number = loop {
            let n = resident_number(next_index);
            next_index += 1;
            if !taken.contains(&n) {
                break n;
            }
        };
        let user_id = random_id(&mut rng);
        let created_at =
            now_s - rng.random_range(HISTORY_YEARS * 365 * 86_400 / 2..HISTORY_YEARS * 365 * 86_400);
        batch.users.push(UserRow {
            id: user_id.clone(),
            email: format!("bench-{i:07}@residents.bench.invalid"),
            display_name: format!("Bench Resident {i}"),
            lang: if rng.random_bool(0.8) { "en" } else { "es" },
            resident_number: number.clone(),
            created_at,
            postal_address: rng
                .random_bool(0.5)
                .then(|| format!("{} River Street, Riverton", rng.random_range(1..2000))),
        });
        numbers.push(number);

        // The resident's events in time order, and the latest per purpose.
        let mut times: Vec<i64> = (0..*events)
            .map(|_| rng.random_range(created_at * 1_000_000..now_us))
            .collect();
        times.sort_unstable();
        let mut latest: HashMap<usize, (bool, usize)> = HashMap::new();
        for at_us in times {
            let purpose = if !own_consent.is_empty() && rng.random_bool(0.5) {
                own_consent[rng.random_range(0..own_consent.len())]
            } else {
                consent[rng.random_range(0..consent.len())]
            };
            let given = latest.get(&purpose).map(|(g, _)| *g);
            let grant = match given {
                None => rng.random_bool(0.85),
                Some(true) => rng.random_bool(0.4),
                Some(false) => rng.random_bool(0.7),
            };
            let channel = match rng.random_range(0..100) {
                0..75 => "web",
                75..85 => "assisted",
                _ => "api",
            };
            let p = &purposes[purpose];
            batch.events.push(EventRow {
                id: random_id(&mut rng),
                user_id: user_id.clone(),
                purpose_id: p.id.clone(),
                notice_version: p.notice_version,
                action: if grant { "grant" } else { "withdraw" },
                channel,
                at_us,
            });
            latest.insert(purpose, (grant, batch.events.len() - 1));
        }
        // Enrolled with the load's agency's systems and every system of a purpose they chose on.
        let mut enrolled: std::collections::BTreeSet<&str> = own_systems.iter().map(String::as_str).collect();
        for purpose in latest.keys() {
            if purposes[*purpose].scope == "enrolment" {
                enrolled.insert(purposes[*purpose].system_id.as_str());
            }
        }
        for system_id in enrolled {
            batch.enrollments.push((user_id.clone(), system_id.to_owned()));
        }
        let mut latest: Vec<(usize, (bool, usize))> = latest.into_iter().collect();
        latest.sort_unstable();
        for (purpose, (given, event)) in latest {
            let e = &batch.events[event];
            batch.consents.push(ConsentRow {
                user_id: user_id.clone(),
                purpose_id: purposes[purpose].id.clone(),
                state: if given { "given" } else { "withdrawn" },
                event_id: e.id.clone(),
                at_us: e.at_us,
            });
        }
        if batch.users.len() >= RESIDENTS_PER_BATCH {
            batch.flush(&mut tx, now_s, &mut counts).await?;
        }
    }
    batch.flush(&mut tx, now_s, &mut counts).await?;
    tx.commit().await?;
    let loaded = started.elapsed();
    if sqlite {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut conn)
            .await?;
    } else {
        conn.execute("ANALYZE").await?;
    }
    conn.close().await?;
    let total = started.elapsed();
    println!(
        "populate: inserted {} residents, {} consent events, {} consents in {:.1} s ({:.0} rows/s); \
         WAL checkpointed at {:.1} s",
        counts.users,
        counts.events,
        counts.consents,
        loaded.as_secs_f64(),
        (counts.users + counts.events + counts.consents) as f64 / loaded.as_secs_f64().max(1e-9),
        total.as_secs_f64()
    );

    let population = Population {
        agency,
        residents: numbers,
        targets: purposes
            .into_iter()
            .map(|p| Target {
                system: p.system,
                purpose: p.key,
                legal_basis: p.legal_basis,
                agency: p.agency,
            })
            .collect(),
    };
    std::fs::write(&args.out, serde_json::to_vec(&population)?)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    println!("populate: wrote {}", args.out.display());
    Ok(())
}

async fn read_purposes(conn: &mut AnyConnection) -> Result<Vec<PurposeRow>, sqlx::Error> {
    #[allow(clippy::type_complexity)]
    let rows: Vec<(String, String, String, i64, String, String, String, String)> = sqlx::query_as(
        "SELECT p.id, p.key, p.legal_basis, p.notice_version, s.slug, a.slug, s.id, s.scope \
         FROM purposes p JOIN systems s ON s.id = p.system_id JOIN agencies a ON a.id = s.agency_id \
         ORDER BY a.slug, s.slug, p.position",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, key, legal_basis, notice_version, system, agency, system_id, scope)| PurposeRow {
                id,
                key,
                legal_basis,
                notice_version,
                system,
                agency,
                system_id,
                scope,
            },
        )
        .collect())
}

/// The agency with the most consent-basis purposes (the first by slug on a tie).
fn busiest_consent_agency(purposes: &[PurposeRow]) -> Option<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for p in purposes.iter().filter(|p| p.legal_basis == "consent") {
        match counts.iter_mut().find(|(a, _)| *a == p.agency) {
            Some((_, n)) => *n += 1,
            None => counts.push((p.agency.clone(), 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.into_iter().next().map(|(a, _)| a)
}

/// A distinct resident number per index: an affine bijection of 30^8 scatters consecutive
/// indices over the whole space, so numbers look random but never repeat.
fn resident_number(index: u64) -> String {
    const SPACE: u64 = 30u64.pow(8);
    // 7^13: no factor 2, 3 or 5, so multiplying by it permutes the residues modulo 30^8.
    const MULTIPLIER: u64 = 96_889_010_407;
    let mut x = (index.wrapping_mul(MULTIPLIER) + 104_729) % SPACE;
    let mut chars = [0u8; 8];
    for c in chars.iter_mut().rev() {
        *c = ALPHABET[(x % 30) as usize];
        x /= 30;
    }
    let s: String = chars.iter().map(|b| char::from(*b)).collect();
    format!("GH-{}-{}", &s[..4], &s[4..])
}

fn random_id(rng: &mut SmallRng) -> String {
    uuid::Builder::from_random_bytes(rng.random())
        .into_uuid()
        .simple()
        .to_string()
}

fn unix_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[derive(Debug, Default)]
struct Counts {
    users: usize,
    events: usize,
    consents: usize,
}

struct UserRow {
    id: String,
    email: String,
    display_name: String,
    lang: &'static str,
    resident_number: String,
    created_at: i64,
    postal_address: Option<String>,
}

struct EventRow {
    id: String,
    user_id: String,
    purpose_id: String,
    notice_version: i64,
    action: &'static str,
    channel: &'static str,
    at_us: i64,
}

struct ConsentRow {
    user_id: String,
    purpose_id: String,
    state: &'static str,
    event_id: String,
    at_us: i64,
}

#[derive(Default)]
struct Batch {
    users: Vec<UserRow>,
    /// (user id, system id).
    enrollments: Vec<(String, String)>,
    events: Vec<EventRow>,
    consents: Vec<ConsentRow>,
}

/// `INSERT INTO table (cols) VALUES ($1, ...), ...` for `rows` rows (numbered placeholders:
/// PostgreSQL's, which SQLite reads too).
fn insert_sql(table: &str, columns: &[&str], rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let one: Vec<String> = (1..=columns.len())
                .map(|c| format!("${}", r * columns.len() + c))
                .collect();
            format!("({})", one.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        values.join(", ")
    )
}

const USER_COLUMNS: &[&str] = &[
    "id",
    "email",
    "password_hash",
    "display_name",
    "lang",
    "role",
    "resident_number",
    "created_at",
    "updated_at",
    "postal_address",
];
const EVENT_COLUMNS: &[&str] = &[
    "id",
    "user_id",
    "purpose_id",
    "notice_version",
    "action",
    "channel",
    "at_us",
];
const ENROLLMENT_COLUMNS: &[&str] = &["user_id", "system_id", "created_at"];
const CONSENT_COLUMNS: &[&str] = &["user_id", "purpose_id", "state", "event_id", "at_us"];

impl Batch {
    /// Inserts the batch (users, then events, then consents: the foreign-key order).
    async fn flush(
        &mut self,
        conn: &mut AnyConnection,
        now_s: i64,
        counts: &mut Counts,
    ) -> Result<(), sqlx::Error> {
        for chunk in self.users.chunks(ROWS_PER_STATEMENT) {
            let sql = insert_sql("users", USER_COLUMNS, chunk.len());
            // Only fixed table and column names and placeholders: no input reaches the text.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for u in chunk {
                q = q
                    .bind(u.id.as_str())
                    .bind(u.email.as_str())
                    .bind(PASSWORD_HASH)
                    .bind(u.display_name.as_str())
                    .bind(u.lang)
                    .bind("resident")
                    .bind(u.resident_number.as_str())
                    .bind(u.created_at)
                    .bind(now_s)
                    .bind(u.postal_address.as_deref());
            }
            q.execute(&mut *conn).await?;
        }
        for chunk in self.enrollments.chunks(ROWS_PER_STATEMENT) {
            let sql = insert_sql("enrollments", ENROLLMENT_COLUMNS, chunk.len());
            // Only fixed table and column names and placeholders: no input reaches the text.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (user_id, system_id) in chunk {
                q = q.bind(user_id.as_str()).bind(system_id.as_str()).bind(now_s);
            }
            q.execute(&mut *conn).await?;
        }
        for chunk in self.events.chunks(ROWS_PER_STATEMENT) {
            let sql = insert_sql("consent_events", EVENT_COLUMNS, chunk.len());
            // Only fixed table and column names and placeholders: no input reaches the text.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for e in chunk {
                q = q
                    .bind(e.id.as_str())
                    .bind(e.user_id.as_str())
                    .bind(e.purpose_id.as_str())
                    .bind(e.notice_version)
                    .bind(e.action)
                    .bind(e.channel)
                    .bind(e.at_us);
            }
            q.execute(&mut *conn).await?;
        }
        for chunk in self.consents.chunks(ROWS_PER_STATEMENT) {
            let sql = insert_sql("consents", CONSENT_COLUMNS, chunk.len());
            // Only fixed table and column names and placeholders: no input reaches the text.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for c in chunk {
                q = q
                    .bind(c.user_id.as_str())
                    .bind(c.purpose_id.as_str())
                    .bind(c.state)
                    .bind(c.event_id.as_str())
                    .bind(c.at_us);
            }
            q.execute(&mut *conn).await?;
        }
        counts.users += self.users.len();
        counts.events += self.events.len();
        counts.consents += self.consents.len();
        self.users.clear();
        self.enrollments.clear();
        self.events.clear();
        self.consents.clear();
        Ok(())
    }
}
