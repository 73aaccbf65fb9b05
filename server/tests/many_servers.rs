//! Several app servers in front of one database (two on one SQLite file, two on one
//! PostgreSQL database), each deciding from the facts it holds in memory: a change
//! acknowledged by one server, or by the CLI in another process, is in force at once on
//! every server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::client::ApiClient;
use common::{Backend, TestApp, bearer, enrolled_resident, glasshouse, spawn_app_with, spawn_beside};
use domain::account::ApiScope;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

on_both_databases!(
    no_permit_after_an_acknowledged_withdrawal_on_any_server,
    a_revoked_client_is_refused_at_once_by_every_server,
    a_grant_on_one_server_permits_at_once_on_the_other,
);

const AGENCY: &str = "riverton-digital-services";
const SYSTEM: &str = "myriverton-account";
const NEWSLETTER: &str = "city-newsletter";

/// Checks as fast as the servers answer: quotas are not what is tested here.
const UNLIMITED: [(&str, &str); 1] = [("GLASSHOUSE_CLIENT_CALLS_PER_SECOND", "1000000")];

async fn two_servers(backend: Backend) -> (Arc<TestApp>, Arc<TestApp>) {
    let first = spawn_app_with(backend, &UNLIMITED).await;
    let second = spawn_beside(&first, &UNLIMITED).await;
    (Arc::new(first), Arc::new(second))
}

async fn choose(app: &TestApp, session: &str, action: &str) {
    app.as_user(session)
        .record_consent(SYSTEM, NEWSLETTER, action)
        .await
        .ok();
}

async fn decision(agency: &ApiClient, subject: &str) -> (u16, String) {
    let answer = agency.check(subject, SYSTEM, NEWSLETTER).await;
    let status = answer.status;
    let decided = if status == 200 {
        answer.ok().decision
    } else {
        String::new()
    };
    (status, decided)
}

async fn no_permit_after_an_acknowledged_withdrawal_on_any_server(backend: Backend) {
    let (a, b) = two_servers(backend).await;
    let token = bearer(&a, AGENCY, &[ApiScope::ConsentCheck]).await;
    let agencies = [a.as_agency(&token), b.as_agency(&token)];
    const RESIDENTS: usize = 4;
    const ROUNDS: usize = 8;
    let mut people = Vec::new();
    for i in 0..RESIDENTS {
        people.push(enrolled_resident(&a, &format!("race{i}@example.org"), &[SYSTEM]).await);
    }
    let stop = Arc::new(AtomicBool::new(false));
    // Each resident chooses on one server or the other in turn: (grant started, withdrawal
    // acknowledged) per round.
    let mut choosers = Vec::new();
    for (i, (session, _)) in people.clone().into_iter().enumerate() {
        let servers = [a.clone(), b.clone()];
        choosers.push(tokio::spawn(async move {
            let mut timeline = Vec::new();
            for round in 0..ROUNDS {
                let on = &servers[(i + round) % 2];
                let grant_started = Instant::now();
                choose(on, &session, "grant").await;
                tokio::time::sleep(Duration::from_millis(5)).await;
                choose(&servers[(i + round + 1) % 2], &session, "withdraw").await;
                timeline.push((grant_started, Instant::now()));
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            timeline
        }));
    }
    let mut checkers = Vec::new();
    for worker in 0..6 {
        let (agency, stop, people) = (agencies[worker % 2].clone(), stop.clone(), people.clone());
        checkers.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut i = worker;
            while !stop.load(Ordering::Relaxed) {
                let who = i % RESIDENTS;
                let started = Instant::now();
                let (status, decided) = decision(&agency, &people[who].1).await;
                assert_eq!(status, 200, "every check is answered");
                seen.push((who, started, Instant::now(), decided == "permit"));
                i += 1;
            }
            seen
        }));
    }
    let mut timelines = Vec::new();
    for chooser in choosers {
        timelines.push(chooser.await.unwrap());
    }
    stop.store(true, Ordering::Relaxed);
    let mut checks = Vec::new();
    for checker in checkers {
        checks.extend(checker.await.unwrap());
    }
    let (mut after_withdrawal, mut permits) = (0, 0);
    for (who, started, ended, permitted) in &checks {
        permits += usize::from(*permitted);
        let timeline = &timelines[*who];
        for (round, (_, withdrawn)) in timeline.iter().enumerate() {
            let next_grant = timeline.get(round + 1).map(|(g, _)| *g);
            if started > withdrawn && next_grant.is_none_or(|g| *ended < g) {
                after_withdrawal += 1;
                assert!(
                    !permitted,
                    "a check that began after a withdrawal acknowledged by a server permitted"
                );
            }
        }
    }
    assert!(after_withdrawal > 0, "the race never checked after a withdrawal");
    assert!(
        permits > 0,
        "no check ever saw a grant, so the test proves nothing"
    );
    let logged = store::decision_log::count(&a.state.pool).await.unwrap();
    assert_eq!(
        logged,
        i64::try_from(checks.len()).unwrap(),
        "every check is logged"
    );
}

async fn a_revoked_client_is_refused_at_once_by_every_server(backend: Backend) {
    let (a, b) = two_servers(backend).await;
    let (_, number) = enrolled_resident(&a, "ana@example.org", &[SYSTEM]).await;
    let client = common::api_client(&a, AGENCY, &[ApiScope::ConsentCheck]).await;
    let token = a
        .anonymous()
        .token(&client.client_id, &client.client_secret)
        .await
        .ok()
        .access_token;
    let agencies = [a.as_agency(&token), b.as_agency(&token)];
    // Both servers answer, and keep answering under load until the revocation.
    for agency in &agencies {
        assert_eq!(decision(agency, &number).await.0, 200);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let mut load = Vec::new();
    for worker in 0..4 {
        let (agency, stop, number) = (agencies[worker % 2].clone(), stop.clone(), number.clone());
        load.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let (status, _) = decision(&agency, &number).await;
                seen.push((started, status));
            }
            seen
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The operator revokes the client from another process.
    let revoke = glasshouse(
        &["admin", "revoke-client", "--client-id", &client.client_id],
        &[("DATABASE_URL", a.database.url.as_str())],
    );
    assert!(revoke.status.success(), "{}", common::text(&revoke.stderr));
    let revoked = Instant::now();
    for agency in &agencies {
        let answer = agency.check(&number, SYSTEM, NEWSLETTER).await;
        assert_eq!(
            answer.status, 401,
            "a revoked client is refused at once: {}",
            answer.body
        );
        assert_eq!(answer.error().error, "invalid_token");
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.store(true, Ordering::Relaxed);
    let mut answered_after = 0;
    let mut answered_before = 0;
    for task in load {
        for (started, status) in task.await.unwrap() {
            if started > revoked {
                assert_eq!(status, 401, "a check sent after the revocation was answered");
                answered_after += 1;
            } else if status == 200 {
                answered_before += 1;
            }
        }
    }
    assert!(
        answered_before > 0 && answered_after > 0,
        "the load ran on both sides"
    );
}

async fn a_grant_on_one_server_permits_at_once_on_the_other(backend: Backend) {
    let (a, b) = two_servers(backend).await;
    let token = bearer(&a, AGENCY, &[ApiScope::ConsentCheck]).await;
    let (session, number) = enrolled_resident(&a, "ben@example.org", &[SYSTEM]).await;
    let on_b = b.as_agency(&token);
    assert_eq!(decision(&on_b, &number).await.1, "deny");
    for round in 0..5 {
        let (writer, reader) = if round % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let agency = reader.as_agency(&token);
        choose(writer, &session, "grant").await;
        assert_eq!(decision(&agency, &number).await.1, "permit", "round {round}");
        choose(writer, &session, "withdraw").await;
        assert_eq!(decision(&agency, &number).await.1, "deny", "round {round}");
    }
    // A resident who signed up on one server is known to the other at once.
    let (_, newcomer) = enrolled_resident(&b, "cleo@example.org", &[SYSTEM]).await;
    let answer = a
        .as_agency(&token)
        .check(&newcomer, SYSTEM, NEWSLETTER)
        .await
        .ok();
    assert_eq!(answer.reason, "consent_not_given");
}
