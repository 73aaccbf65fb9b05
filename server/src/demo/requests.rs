//! The demo city's privacy requests: the demo resident's requests in every status, some
//! near their deadline and one overdue, with tasks for several agencies and a conversation
//! with the privacy office, so a newcomer sees the console at work. Dates are set relative
//! to the day the demo is loaded.

use crate::demo::DemoError;
use domain::account::CurrentUser;
use domain::calendar::Date;
use domain::console::Change;
use domain::register::Slug;
use domain::requests::{
    Clock, DeadlinePolicy, NewRequest, RequestChannel, RequestKind, RequestStatus, SystemChoice, TaskOutcome,
};
use sqlx::AnyPool;
use store::requests::{self as requests, Actor, Completion, Filing, today};

/// One scripted request: what was filed, when, and how far the office got.
struct Scenario {
    kind: RequestKind,
    systems: &'static [&'static str],
    objection: Option<(&'static str, &'static str)>,
    details: &'static str,
    /// How many days ago it was received.
    age: i64,
    /// The statuses it went through after `received`, with their reasons.
    steps: &'static [(RequestStatus, Option<&'static str>)],
    /// Systems whose agency already completed its task (with a note).
    completed: &'static [(&'static str, TaskOutcome, &'static str)],
    /// The office's question and the resident's answer, if they talked.
    conversation: Option<(&'static str, Option<&'static str>)>,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        kind: RequestKind::Access,
        systems: &["riverpass-fare-card", "myriverton-account", "library-cards"],
        objection: None,
        details: "I would like to see which trips and library loans you keep about me.",
        age: 12,
        steps: &[(RequestStatus::InProgress, None)],
        completed: &[(
            "riverpass-fare-card",
            TaskOutcome::Done,
            "Trip history for the last 12 months attached.",
        )],
        conversation: Some((
            "Thank you. Do you also want your loans from before 2025? They are archived.",
            Some("Yes, please include them."),
        )),
    },
    Scenario {
        kind: RequestKind::Erasure,
        systems: &["library-cards"],
        objection: None,
        details: "Please delete my reading history.",
        age: 27,
        steps: &[],
        completed: &[],
        conversation: None,
    },
    Scenario {
        kind: RequestKind::Rectification,
        systems: &["smart-water-meters"],
        objection: None,
        details: "My billing address is wrong: it should be 12 River Street, flat 3.",
        age: 40,
        steps: &[(RequestStatus::InProgress, None)],
        completed: &[],
        conversation: None,
    },
    Scenario {
        kind: RequestKind::Portability,
        systems: &["smart-electricity-meters"],
        objection: None,
        details: "I am moving to another supplier and would like my readings.",
        age: 25,
        steps: &[
            (RequestStatus::InProgress, None),
            (
                RequestStatus::Extended,
                Some("The meter readings are archived by the contractor and take longer to export."),
            ),
        ],
        completed: &[],
        conversation: None,
    },
    Scenario {
        kind: RequestKind::Objection,
        systems: &[],
        objection: Some(("central-station-cctv", "passenger-safety")),
        details: "I pass the station every day and object to being filmed for this purpose.",
        age: 3,
        steps: &[(RequestStatus::IdentityCheck, None)],
        completed: &[],
        conversation: Some((
            "Please confirm your date of birth so we can verify your identity.",
            None,
        )),
    },
    Scenario {
        kind: RequestKind::Restriction,
        systems: &["riverton-311"],
        objection: None,
        details: "Please stop using my reports while you check the address you have.",
        age: 35,
        steps: &[
            (RequestStatus::InProgress, None),
            (
                RequestStatus::Rejected,
                Some("The 311 reports are kept by law for five years (city records schedule, item 4.2)."),
            ),
        ],
        completed: &[("riverton-311", TaskOutcome::Refused, "Records are kept by law.")],
        conversation: None,
    },
    Scenario {
        kind: RequestKind::Access,
        systems: &["myriverton-account"],
        objection: None,
        details: "My account data, please.",
        age: 50,
        steps: &[
            (RequestStatus::InProgress, None),
            (RequestStatus::Fulfilled, None),
        ],
        completed: &[("myriverton-account", TaskOutcome::Done, "Account data attached.")],
        conversation: None,
    },
    Scenario {
        kind: RequestKind::Erasure,
        systems: &["smart-water-meters"],
        objection: None,
        details: "Please delete my old meter readings.",
        age: 8,
        steps: &[(RequestStatus::Withdrawn, None)],
        completed: &[],
        conversation: None,
    },
];

/// Files the demo resident's requests and moves each as far as its scenario says.
pub async fn load(
    pool: &AnyPool,
    policy: DeadlinePolicy,
    resident: &CurrentUser,
    officer: &CurrentUser,
) -> Result<usize, DemoError> {
    let today = today();
    for scenario in SCENARIOS {
        let received = today.add_days(-scenario.age);
        let id = file(pool, policy, resident, scenario, received).await?;
        complete_tasks(pool, &id, scenario).await?;
        walk_steps(pool, policy, officer, &id, scenario, received).await?;
        if let Some((question, answer)) = scenario.conversation {
            converse(pool, resident, officer, &id, question, answer).await?;
        }
        if scenario.steps.iter().any(|(s, _)| s.is_closed()) {
            // Closed on the day of its last step: a few days after it was received.
            let closed: Date = received.add_days(scenario.age.min(20));
            sqlx::query("UPDATE privacy_requests SET closed_on = $1 WHERE id = $2")
                .bind(closed.to_string())
                .bind(&id)
                .execute(pool)
                .await?;
        }
    }
    Ok(SCENARIOS.len())
}

/// Files the scenario's request as the resident did on `received`; returns its id.
async fn file(
    pool: &AnyPool,
    policy: DeadlinePolicy,
    resident: &CurrentUser,
    scenario: &Scenario,
    received: Date,
) -> Result<String, DemoError> {
    let slugs = scenario
        .systems
        .iter()
        .map(|s| slug(s))
        .collect::<Result<Vec<_>, _>>()?;
    let objection = scenario
        .objection
        .map(|(s, p)| Ok::<_, DemoError>((slug(s)?, slug(p)?)))
        .transpose()?;
    let request = NewRequest {
        kind: scenario.kind,
        systems: SystemChoice::Some(slugs),
        objection,
        details: scenario.details.to_owned(),
    };
    let filing = Filing {
        channel: RequestChannel::Web,
        received,
        actor: Actor::Resident,
        audit_detail: None,
    };
    requests::file(pool, policy, &resident.id, &request, &filing)
        .await
        .map_err(|e| DemoError::Invalid(e.to_string()))
}

/// Completes the tasks the scenario's agencies have answered.
async fn complete_tasks(pool: &AnyPool, id: &str, scenario: &Scenario) -> Result<(), DemoError> {
    for (system, outcome, note) in scenario.completed {
        let task: (String,) = sqlx::query_as(
            "SELECT t.id FROM request_tasks t JOIN systems s ON s.id = t.system_id WHERE t.request_id = $1 AND s.slug = $2",
        )
        .bind(id)
        .bind(system)
        .fetch_one(pool)
        .await?;
        let data = (*outcome == TaskOutcome::Done).then(|| demo_data(system));
        let completion = Completion {
            outcome: *outcome,
            note,
            data: data.as_deref(),
            by: "client:demo",
            audit: None,
        };
        requests::complete_task(pool, None, &task.0, &completion)
            .await
            .map_err(|e| DemoError::Invalid(e.to_string()))?;
    }
    Ok(())
}

/// Moves the request through the scenario's steps, as the officer (or, for a withdrawal,
/// the resident) did.
async fn walk_steps(
    pool: &AnyPool,
    policy: DeadlinePolicy,
    officer: &CurrentUser,
    id: &str,
    scenario: &Scenario,
    received: Date,
) -> Result<(), DemoError> {
    for (next, reason) in scenario.steps {
        let extended_due = (*next == RequestStatus::Extended).then(|| {
            policy.due(Clock {
                received,
                paused_days: 0,
                extended: true,
            })
        });
        let change = Change {
            next: *next,
            reason: reason.map(str::to_owned),
            extended_due,
            uphold_objection: false,
            action: next.code(),
            detail: reason.unwrap_or("demo").to_owned(),
        };
        let actor = if *next == RequestStatus::Withdrawn {
            Actor::Resident
        } else {
            Actor::Officer(officer)
        };
        let case = requests::case(pool, None, id)
            .await?
            .ok_or_else(|| DemoError::Invalid(id.to_owned()))?;
        requests::apply(pool, id, &case, &change, actor, today())
            .await
            .map_err(|e| DemoError::Invalid(e.to_string()))?;
    }
    Ok(())
}

/// The office asks the resident a question; the resident answers, or the clock is paused
/// waiting for them since yesterday.
async fn converse(
    pool: &AnyPool,
    resident: &CurrentUser,
    officer: &CurrentUser,
    id: &str,
    question: &str,
    answer: Option<&str>,
) -> Result<(), DemoError> {
    let mut conn = pool.acquire().await?;
    let at = ::store::now_us();
    let actor = format!("officer:{}", officer.id);
    requests::add_message(&mut conn, id, at, &actor, &officer.display_name, question).await?;
    requests::notify(&mut conn, &resident.id, id, at, "message", None).await?;
    match answer {
        Some(answer) => {
            requests::add_message(&mut conn, id, at + 1, "resident", &resident.display_name, answer).await?;
        }
        None => {
            sqlx::query("UPDATE privacy_requests SET paused_since = $1 WHERE id = $2")
                .bind(today().add_days(-1).to_string())
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

fn slug(s: &str) -> Result<Slug, DemoError> {
    Slug::parse(s).map_err(|e| DemoError::Invalid(e.to_string()))
}

/// What a demo agency reports holding about the demo resident.
fn demo_data(system: &str) -> String {
    let data = match system {
        "riverpass-fare-card" => serde_json::json!({
            "card": "RP-0042-7781",
            "trips": [
                {"date": "2026-10-02", "from": "Central Station", "to": "Harbour"},
                {"date": "2026-10-03", "from": "Harbour", "to": "Central Station"}
            ]
        }),
        "myriverton-account" => serde_json::json!({"created": "2024-03-11", "last_sign_in": "2026-11-01"}),
        other => serde_json::json!({"system": other}),
    };
    data.to_string()
}
