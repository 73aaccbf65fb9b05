//! A year of agency activity for the demo city, so the statistics, the device pages and the
//! yearly figures are meaningful: each agency's demo API client asks consent checks (and,
//! where it may, data queries) about the demo residents and about numbers that name nobody,
//! a few hundred a week, spread over the 365 days before today. Every question is decided
//! from the city's facts by the one rule and written through the decision log's own writer
//! (ledger leaves included), exactly as live questions are; only the times lie in the past.
//! The generator is seeded, so every demo city has the same year.

use domain::account::{ApiScope, ResidentNumber};
use domain::decision::DecisionKind;
use domain::register::{System, SystemStatus};
use sqlx::AnyPool;
use std::sync::Arc;
use store::decision_log::{DecisionLog, LogEntry};
use store::live_facts::LiveFacts;

/// An agency's demo API client.
#[derive(Debug, Clone)]
pub struct DemoClient {
    pub agency: String,
    pub client_id: String,
    pub scopes: Vec<ApiScope>,
}

/// What was generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Activity {
    pub entries: usize,
    pub days: i64,
}

/// A small deterministic generator (xorshift64*).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
}

/// How many days the activity covers.
pub const DAYS: i64 = 365;

/// Generates the year before `today_us` for `clients`, about `residents` (resident numbers)
/// and numbers that name nobody. Returns how many decisions were recorded.
pub async fn generate(
    pool: &AnyPool,
    clients: &[DemoClient],
    residents: &[String],
    today_us: i64,
) -> Result<Activity, super::DemoError> {
    let facts = Arc::new(LiveFacts::load(pool).await?);
    let log = DecisionLog::start(pool.clone(), facts.clone());
    let systems: Vec<System> = store::register::systems(pool)
        .await?
        .into_iter()
        .filter(|s| s.status == SystemStatus::Active)
        .collect();
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
    let strangers: Vec<ResidentNumber> = (0..40)
        .map(|_| ResidentNumber::from_random(dice.next().to_le_bytes()))
        .collect();
    let known: Vec<ResidentNumber> = residents
        .iter()
        .filter_map(|n| ResidentNumber::parse(n))
        .collect();
    let day_us = 86_400 * 1_000_000;
    let mut entries = 0;
    for day in (1..=DAYS).rev() {
        let start = today_us - day * day_us;
        let mut batch = Vec::new();
        for client in clients {
            let own: Vec<&System> = systems
                .iter()
                .filter(|s| s.agency.slug.as_str() == client.agency)
                .collect();
            if own.is_empty() || !client.scopes.contains(&ApiScope::ConsentCheck) {
                continue;
            }
            // Busier on weekdays, and busier agencies ask more.
            let weekday = (start / day_us + 3).rem_euclid(7) < 5;
            let asks = dice.below(if weekday { 9 } else { 4 }) + own.len();
            for _ in 0..asks {
                let system = own[dice.below(own.len())];
                if system.purposes.is_empty() {
                    continue;
                }
                let purpose = &system.purposes[dice.below(system.purposes.len())];
                let subject = if !known.is_empty() && dice.below(3) == 0 {
                    known[dice.below(known.len())].clone()
                } else {
                    strangers[dice.below(strangers.len())].clone()
                };
                let kind = if client.scopes.contains(&ApiScope::SubjectsRead) && dice.below(4) == 0 {
                    DecisionKind::Query
                } else {
                    DecisionKind::Check
                };
                let index = facts.read();
                batch.push(LogEntry {
                    id: store::new_event_id(),
                    request_id: format!("demo-{}", store::new_event_id()),
                    at_us: start + i64::try_from(dice.below(86_400)).unwrap_or(0) * 1_000_000,
                    kind,
                    agency: client.agency.clone(),
                    client_id: client.client_id.clone(),
                    secret_generation: 0,
                    scope: crate::decisions::scope_of(kind),
                    subject: subject.clone(),
                    system: system.slug.to_string(),
                    purpose: purpose.key.to_string(),
                    outcome: index.decide(
                        &client.agency,
                        &subject,
                        system.slug.as_str(),
                        purpose.key.as_str(),
                    ),
                    facts_version: index.version,
                });
            }
        }
        batch.sort_by_key(|e| e.at_us);
        entries += batch.len();
        log.append_all(batch)
            .await
            .map_err(|e| super::DemoError::Invalid(format!("the demo activity could not be logged: {e}")))?;
    }
    Ok(Activity { entries, days: DAYS })
}
