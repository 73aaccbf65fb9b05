//! The decision core alone: `FactsIndex::decide` from memory, with 10 000 and with 1 000 000
//! residents (issue 15's goal: p50 ≤ 5 µs, and 1M at most 1.5 × 10k). No I/O, no HTTP, no log:
//! what a server spends deciding once the question is parsed.
//!
//!   cargo bench -p glasshouse-bench --bench decision_core
//!
//! The register is synthetic but shaped like a city's: 40 systems of 4 agencies, 5 purposes
//! each (2 on consent), every resident enrolled in 3 systems with consents on 6 purposes; the
//! questions rotate over 4 096 random residents and purposes, a quarter about strangers.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use domain::account::ResidentNumber;
use domain::decision::ConsentState;
use domain::decision::index::{ConsentFact, FactsIndex, PurposeFacts, ResidentFacts, SystemFacts};
use domain::register::{LegalBasis, Scope, SystemStatus};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::hint::black_box;

const SYSTEMS: usize = 40;
const PURPOSES: usize = 5;

fn register() -> Vec<(String, SystemFacts)> {
    (0..SYSTEMS)
        .map(|s| {
            let purposes = (0..PURPOSES)
                .map(|p| {
                    let basis = if p < 2 {
                        LegalBasis::Consent
                    } else {
                        LegalBasis::PublicTask
                    };
                    let purpose = PurposeFacts {
                        id: format!("purpose-{s}-{p}"),
                        legal_basis: basis,
                        material_version: 1,
                    };
                    (format!("p{p}"), purpose)
                })
                .collect::<HashMap<_, _>>();
            let system = SystemFacts {
                id: format!("system-{s}"),
                agency: format!("agency-{}", s % 4),
                status: SystemStatus::Active,
                scope: if s % 3 == 0 {
                    Scope::PublicSpace
                } else {
                    Scope::Enrollment
                },
                purposes,
            };
            (format!("s{s}"), system)
        })
        .collect()
}

fn index(residents: usize, rng: &mut StdRng) -> (FactsIndex, Vec<ResidentNumber>) {
    let mut index = FactsIndex::new(1);
    index.set_register(register());
    let mut numbers = Vec::with_capacity(residents);
    for r in 0..residents {
        let number = ResidentNumber::from_random(rng.random());
        let systems: Vec<usize> = (0..3).map(|_| rng.random_range(0..SYSTEMS)).collect();
        let consents = systems
            .iter()
            .flat_map(|s| (0..2).map(move |p| (*s, p)))
            .map(|(s, p)| ConsentFact {
                purpose_id: format!("purpose-{s}-{p}"),
                state: if (s + p) % 3 == 0 {
                    ConsentState::Withdrawn
                } else {
                    ConsentState::Given
                },
                agreed_version: 1,
            })
            .collect();
        let facts = ResidentFacts {
            consents,
            enrolled: systems.iter().map(|s| format!("system-{s}")).collect(),
            objections: vec![],
        };
        index.set_resident(&format!("user-{r:08}"), Some((number.clone(), facts)));
        numbers.push(number);
    }
    (index, numbers)
}

fn decide(c: &mut Criterion) {
    let mut group = c.benchmark_group("decide");
    for residents in [10_000_usize, 1_000_000] {
        let mut rng = StdRng::seed_from_u64(15);
        let (index, numbers) = index(residents, &mut rng);
        let questions: Vec<(String, ResidentNumber, String, String)> = (0..4096)
            .map(|_| {
                let s = rng.random_range(0..SYSTEMS);
                let subject = if rng.random_range(0..4) == 0 {
                    ResidentNumber::from_random(rng.random())
                } else {
                    numbers[rng.random_range(0..numbers.len())].clone()
                };
                let purpose = format!("p{}", rng.random_range(0..PURPOSES));
                (format!("agency-{}", s % 4), subject, format!("s{s}"), purpose)
            })
            .collect();
        let mut i = 0;
        group.bench_function(BenchmarkId::from_parameter(residents), |b| {
            b.iter(|| {
                let (agency, subject, system, purpose) = &questions[i % questions.len()];
                i += 1;
                black_box(index.decide(agency, subject, system, purpose))
            });
        });
    }
    group.finish();
}

criterion_group!(benches, decide);
criterion_main!(benches);
