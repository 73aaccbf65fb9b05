//! The officer console's requests, on SQLite and PostgreSQL: only staff reach it; the
//! queue sorts and filters; each action follows the state machine and the legal clock, is
//! audited, and an upheld objection decides later checks at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::cloned_ref_to_slice_refs)]

mod common;

use app::error::AppError;
use common::client::{ApiClient, Assisted, Filing, QueueQuery};
use common::{Backend, GOOD_PASSWORD, TestApp, bearer, enrolled_resident, filed, officer, spawn_app, staff};
use domain::account::{AccountInputError, ApiScope, Role};
use domain::decision::ACCESS_PAGE_SIZE;
use domain::requests::{
    AccessPackage, Clock, ConsoleError, DeadlinePolicy, NotificationKind, RequestChannel, RequestKind,
    RequestStatus, TaskOutcome,
};
use serde_json::json;
use server::api::requests::CompleteTask;

on_both_databases!(
    only_staff_reach_the_console_and_its_server_functions,
    an_officer_enrols_a_resident_at_the_counter,
    the_queue_puts_the_most_urgent_first_and_filters,
    officers_move_a_request_through_the_allowed_states_only,
    an_upheld_objection_denies_later_checks_whatever_the_basis,
    the_office_asks_the_clock_pauses_and_the_resident_is_told,
    a_fulfilled_access_request_delivers_the_whole_package,
    a_long_decision_log_streams_into_the_package_whole_and_newest_first,
    a_package_whose_log_fails_midway_breaks_off_instead_of_ending_short,
    the_office_reads_its_figures_records_and_audit_log,
    an_officer_files_for_someone_without_an_account,
    an_action_whose_audit_row_fails_changes_nothing,
);

const FARE_CARD: &str = "riverpass-fare-card";
const ACCOUNT: &str = "myriverton-account";
/// A public-task purpose of a system the test resident is enrolled with.
const SECURITY_LOGGING: &str = "security-logging";

/// The changes recorded in the audit log for request `id`, oldest first (staff reads of the
/// case, also recorded, left out).
async fn audit_actions(app: &TestApp, id: &str) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT action FROM admin_audit WHERE request_id = $1 AND action <> 'open_case' ORDER BY at_us, id",
    )
    .bind(id)
    .fetch_all(&app.state.pool)
    .await
    .unwrap();
    rows.into_iter().map(|(a,)| a).collect()
}

/// Every console server function, called by `client` on request `id`: its name, and the
/// status and body it answered.
async fn every_console_call(client: &ApiClient, id: &str) -> Vec<(&'static str, (u16, String))> {
    let at_the_counter = Assisted {
        resident_number: Some("GH-2222-2222"),
        kind: "access",
        ..Assisted::default()
    };
    vec![
        ("queue", client.queue(&QueueQuery::default()).await.parts()),
        ("case", client.case(id).await.parts()),
        ("assign", client.assign(id, "").await.parts()),
        ("verify", client.verify(id).await.parts()),
        ("extend", client.extend(id, "Busy").await.parts()),
        ("reject", client.reject(id, "No").await.parts()),
        (
            "complete_task",
            client
                .complete_task_for_agency(id, "t", "done", None)
                .await
                .parts(),
        ),
        ("fulfil", client.fulfil(id).await.parts()),
        ("ask", client.ask(id, "Why?").await.parts()),
        ("stats", client.stats().await.parts()),
        ("audit", client.audit().await.parts()),
        (
            "confirm_enrollment",
            client
                .confirm_enrollment_for("GH-2222-2222", "0000-0000-0000")
                .await
                .parts(),
        ),
        (
            "file_assisted",
            client.file_assisted(&at_the_counter).await.parts(),
        ),
    ]
}

/// The ids of the queue's rows, in order.
async fn queue_ids(console: &ApiClient, query: QueueQuery<'_>) -> Vec<String> {
    let page = console.queue(&query).await.ok();
    page.rows.into_iter().map(|r| r.summary.id).collect()
}

async fn only_staff_reach_the_console_and_its_server_functions(backend: Backend) {
    let app = spawn_app(backend).await;
    let (resident, _) = enrolled_resident(&app, "ana@example.org", &[FARE_CARD]).await;
    let id = filed(&app, &resident, &Filing::new("access").systems(&[FARE_CARD])).await;
    for (who, client, expected) in [
        ("a resident", app.as_user(&resident), 403),
        ("signed out", app.anonymous(), 401),
    ] {
        for (action, (status, body)) in every_console_call(&client, &id).await {
            assert_eq!(status, expected, "{who} on console/{action}: {body}");
        }
    }
    // Nothing changed, nothing was audited.
    let (status,): (String,) = sqlx::query_as("SELECT status FROM privacy_requests WHERE id = $1")
        .bind(&id)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(status, "received");
    assert!(audit_actions(&app, &id).await.is_empty());
    // The record of processing activities, signed out and as a resident.
    assert_eq!(app.anonymous().requests_csv("").await.status, 401);
    assert_eq!(app.as_user(&resident).requests_csv("").await.status, 403);
    // The pages answer 403 to a resident, 200 to an officer.
    let (status, _) = app.get_as("/admin/requests", &resident).await;
    assert_eq!(status, 403);
    let (status, _) = app.get_as(&format!("/admin/requests/{id}"), &resident).await;
    assert_eq!(status, 403);
    let officer = officer(&app, "officer@example.org", "Olga Officer").await;
    let (status, html) = app.get_as("/admin/requests", &officer).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("/admin/requests/{id}")), "{html}");
    let (status, html) = app.get_as(&format!("/admin/requests/{id}"), &officer).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-testid=\"case-facts\""));
}

async fn the_queue_puts_the_most_urgent_first_and_filters(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, ana_number) = enrolled_resident(&app, "ana@example.org", &[FARE_CARD, ACCOUNT]).await;
    let (ben, _) = enrolled_resident(&app, "ben@example.org", &[FARE_CARD]).await;
    let officer = officer(&app, "officer@example.org", "Olga Officer").await;
    let first = filed(&app, &ana, &Filing::new("access").systems(&[ACCOUNT])).await;
    let second = filed(&app, &ben, &Filing::new("erasure").systems(&[FARE_CARD])).await;
    // The first request is made overdue: received two months ago.
    let received = store::requests::today().add_days(-62);
    let due = DeadlinePolicy::Gdpr.due(Clock {
        received,
        paused_days: 0,
        extended: false,
    });
    sqlx::query("UPDATE privacy_requests SET received_on = $1, due_on = $2 WHERE id = $3")
        .bind(received.to_string())
        .bind(due.to_string())
        .bind(&first)
        .execute(&app.state.pool)
        .await
        .unwrap();
    let console = app.as_user(&officer);
    let any = QueueQuery::default;
    assert_eq!(
        queue_ids(&console, any()).await,
        [first.clone(), second.clone()],
        "most urgent first"
    );
    let overdue = QueueQuery {
        overdue: true,
        ..any()
    };
    assert_eq!(queue_ids(&console, overdue).await, [first.clone()]);
    let erasure = QueueQuery {
        kind: Some("erasure"),
        ..any()
    };
    assert_eq!(queue_ids(&console, erasure).await, [second.clone()]);
    let transit = QueueQuery {
        agency: Some("riverton-transit"),
        ..any()
    };
    assert_eq!(queue_ids(&console, transit).await, [second.clone()]);
    let lowercase = ana_number.to_lowercase();
    let by_number = QueueQuery {
        q: Some(&lowercase),
        ..any()
    };
    assert_eq!(queue_ids(&console, by_number).await, [first.clone()]);
    let by_id = QueueQuery {
        q: Some(&second),
        ..any()
    };
    assert_eq!(queue_ids(&console, by_id).await, [second.clone()]);
    let mine = || QueueQuery { mine: true, ..any() };
    assert!(queue_ids(&console, mine()).await.is_empty());
    let lost = QueueQuery {
        status: Some("lost"),
        ..any()
    };
    assert_eq!(console.queue(&lost).await.status, 422);
    // Assigned to the officer, it is theirs.
    let (me,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = 'officer@example.org'")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    let assigned = console.assign(&second, &me).await;
    assert_eq!(assigned.status, 200, "{}", assigned.body);
    assert_eq!(queue_ids(&console, mine()).await, [second.clone()]);
    let refused = console.assign(&second, "not-an-officer").await;
    assert_eq!(refused.status, 409);
    assert_eq!(refused.error(), AppError::Console(ConsoleError::NoSuchOfficer));
    // The badge says overdue in the page.
    let (_, html) = app.get_as("/admin/requests", &officer).await;
    assert!(html.contains("data-urgency=\"overdue\""), "{html}");
    assert!(html.contains("data-urgency=\"green\""), "{html}");
}

async fn officers_move_a_request_through_the_allowed_states_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, _) = enrolled_resident(&app, "ana@example.org", &[FARE_CARD, ACCOUNT]).await;
    let officer = officer(&app, "officer@example.org", "Olga Officer").await;
    let console = app.as_user(&officer);
    let id = filed(&app, &ana, &Filing::new("access").systems(&[FARE_CARD, ACCOUNT])).await;
    // Not yet in progress: neither extended nor fulfilled.
    let extended = console.extend(&id, "Many systems").await;
    assert_eq!(extended.status, 409, "{}", extended.body);
    assert_eq!(console.fulfil(&id).await.status, 409);
    let verified = console.verify(&id).await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    assert_eq!(console.verify(&id).await.status, 409, "verified once");
    // An extension needs a reason, moves the due date by two months, and happens once.
    assert_eq!(console.extend(&id, "  ").await.status, 422);
    let extended = console.extend(&id, "Eleven years of trips").await;
    assert_eq!(extended.status, 200, "{}", extended.body);
    let file_ = console.case(&id).await.ok();
    let today = store::requests::today();
    let extended = DeadlinePolicy::Gdpr.due(Clock {
        received: today,
        paused_days: 0,
        extended: true,
    });
    assert_eq!(file_.detail.summary.due, extended);
    assert_eq!(file_.detail.summary.status, RequestStatus::Extended);
    assert!(!file_.may_extend);
    assert_eq!(console.extend(&id, "Again").await.status, 409);
    // The resident sees the reason in the timeline.
    let detail = app.as_user(&ana).request(&id).await.ok();
    assert_eq!(
        detail.timeline[2].reason.as_deref(),
        Some("Eleven years of trips")
    );
    // Fulfilling waits for every agency.
    let fulfilled = console.fulfil(&id).await;
    assert_eq!(
        (fulfilled.status, fulfilled.error()),
        (409, AppError::Console(ConsoleError::TasksOpen)),
        "{}",
        fulfilled.body
    );
    let transit = app.as_agency(&bearer(&app, "riverton-transit", &[ApiScope::RequestsWork]).await);
    let tasks = transit.tasks(None).await.ok();
    let transit_task = tasks.tasks[0].id.clone();
    let done = CompleteTask {
        outcome: TaskOutcome::Done,
        note: String::new(),
        data: Some(json!({"trips": 3})),
    };
    let response = transit.complete_task(&transit_task, &done).await;
    assert_eq!(response.status, 200);
    // The other agency has no integration: the officer completes its task on its behalf.
    let other = file_
        .detail
        .tasks
        .iter()
        .find(|t| t.system == ACCOUNT)
        .unwrap()
        .id
        .clone();
    let again = console
        .complete_task_for_agency(&id, &transit_task, "done", None)
        .await;
    assert_eq!(again.status, 409, "already completed by the agency");
    let refused = console
        .complete_task_for_agency(&id, &other, "refused", None)
        .await;
    assert_eq!(refused.status, 422, "a refusal needs a note");
    let completed = console
        .complete_task_for_agency(&id, &other, "no_data", Some("Checked by phone"))
        .await;
    assert_eq!(completed.status, 200, "{}", completed.body);
    let (by,): (String,) = sqlx::query_as("SELECT completed_by FROM request_tasks WHERE id = $1")
        .bind(&other)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert!(by.starts_with("officer:"), "{by}");
    let fulfilled = console.fulfil(&id).await;
    assert_eq!(fulfilled.status, 200, "{}", fulfilled.body);
    assert_eq!(
        console.reject(&id, "Too late").await.status,
        409,
        "a closed request stays closed"
    );
    assert_eq!(
        audit_actions(&app, &id).await,
        ["verify_identity", "extend", "complete_task", "fulfil"]
    );
    // A refusal carries its reason and the right to complain.
    let other_request = filed(&app, &ana, &Filing::new("erasure").systems(&[FARE_CARD])).await;
    let rejected = console.reject(&other_request, "Records kept by law").await;
    assert_eq!(rejected.status, 200);
    let (_, html) = app.get_as(&format!("/my/requests/{other_request}"), &ana).await;
    assert!(html.contains("Records kept by law"), "{html}");
    assert!(html.contains("supervisory authority"), "{html}");
}

async fn an_upheld_objection_denies_later_checks_whatever_the_basis(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, number) = enrolled_resident(&app, "ana@example.org", &[ACCOUNT]).await;
    let officer = officer(&app, "officer@example.org", "Olga Officer").await;
    let console = app.as_user(&officer);
    let token = bearer(&app, "riverton-digital-services", &[ApiScope::ConsentCheck]).await;
    let agency = app.as_agency(&token);
    let check = || agency.decide(&number, ACCOUNT, SECURITY_LOGGING);
    assert_eq!(check().await, ("permit".to_owned(), "legal_basis".to_owned()));
    let purpose = format!("{ACCOUNT}/{SECURITY_LOGGING}");
    let id = filed(&app, &ana, &Filing::new("objection").purpose(&purpose)).await;
    assert_eq!(check().await.0, "permit", "filing alone changes nothing");
    console.verify(&id).await;
    let task = console.case(&id).await.ok().detail.tasks[0].id.clone();
    console.complete_task_for_agency(&id, &task, "done", None).await;
    let fulfilled = console.fulfil(&id).await;
    assert_eq!(fulfilled.status, 200, "{}", fulfilled.body);
    assert_eq!(check().await, ("deny".to_owned(), "objection_upheld".to_owned()));
    // Only that purpose: the account itself still works.
    let (decision, _) = agency.decide(&number, ACCOUNT, "account-and-sign-in").await;
    assert_eq!(decision, "permit");
}

async fn the_office_asks_the_clock_pauses_and_the_resident_is_told(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, _) = enrolled_resident(&app, "ana@example.org", &[FARE_CARD]).await;
    let (ben, _) = enrolled_resident(&app, "ben@example.org", &[FARE_CARD]).await;
    let officer = officer(&app, "officer@example.org", "Olga Officer").await;
    let console = app.as_user(&officer);
    let (resident, other) = (app.as_user(&ana), app.as_user(&ben));
    let id = filed(&app, &ana, &Filing::new("rectification").systems(&[FARE_CARD])).await;
    let asked = console.ask(&id, "Which card number?").await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert_eq!(console.ask(&id, " ").await.status, 422);
    // The resident is told: one unread notification, shown in the header.
    assert_eq!(resident.unread_notifications().await.ok(), 1);
    let (_, html) = app.get_as("/my", &ana).await;
    assert!(html.contains("data-testid=\"unread-count\""), "{html}");
    let list = resident.request_notifications().await;
    assert_eq!(list[0].kind, NotificationKind::Message);
    assert_eq!(list[0].request_id, id);
    // Nobody else is.
    assert_eq!(other.unread_notifications().await.ok(), 0);
    assert_eq!(app.anonymous().unread_notifications().await.ok(), 0);
    // The clock is paused; pretend the question was asked three days ago.
    let since = store::requests::today().add_days(-3);
    sqlx::query("UPDATE privacy_requests SET paused_since = $1 WHERE id = $2")
        .bind(since.to_string())
        .bind(&id)
        .execute(&app.state.pool)
        .await
        .unwrap();
    let detail = resident.request(&id).await.ok();
    assert!(detail.paused);
    assert_eq!(detail.messages[0].body, "Which card number?");
    assert!(detail.messages[0].from_office);
    // Another resident cannot answer it; the resident can, and the clock runs again with
    // the three paused days added to the due date.
    assert_eq!(other.reply(&id, "Mine!").await.status, 404);
    let replied = resident.reply(&id, "Card 4417").await;
    assert_eq!(replied.status, 200, "{}", replied.body);
    let detail = resident.request(&id).await.ok();
    assert!(!detail.paused);
    let due = DeadlinePolicy::Gdpr.due(Clock {
        received: store::requests::today(),
        paused_days: 3,
        extended: false,
    });
    assert_eq!(detail.summary.due, due);
    assert_eq!(detail.messages[1].body, "Card 4417");
    // A status change by the office is a notification too; marking all read clears them.
    console.verify(&id).await;
    assert_eq!(resident.unread_notifications().await.ok(), 2);
    let marked = resident.mark_notifications_read(None).await;
    assert_eq!(marked.status, 200, "{}", marked.body);
    assert_eq!(resident.unread_notifications().await.ok(), 0);
    let (status, html) = app.get_as("/my/notifications", &ana).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-read=\"true\""), "{html}");
}

async fn a_fulfilled_access_request_delivers_the_whole_package(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, number) = enrolled_resident(&app, "ana@example.org", &[FARE_CARD]).await;
    let (ben, _) = enrolled_resident(&app, "ben@example.org", &[FARE_CARD]).await;
    let officer = officer(&app, "officer@example.org", "Olga Officer").await;
    let console = app.as_user(&officer);
    // Something to report: a consent given, and an agency check that named her.
    let event = app
        .as_user(&ana)
        .record_consent(FARE_CARD, "service-alerts", "grant")
        .await
        .ok();
    let checker = bearer(
        &app,
        "riverton-transit",
        &[ApiScope::ConsentCheck, ApiScope::RequestsWork],
    )
    .await;
    let agency = app.as_agency(&checker);
    let checked = agency.check(&number, FARE_CARD, "service-alerts").await.ok();
    assert_eq!(checked.decision, "permit");
    let id = filed(&app, &ana, &Filing::new("access").systems(&[FARE_CARD])).await;
    assert_eq!(
        app.as_user(&ana).package_json(&id).await.status,
        404,
        "no package before it is fulfilled"
    );
    console.verify(&id).await;
    let task = agency.tasks(None).await.ok().tasks[0].id.clone();
    let trips = json!({"trips": [{"date": "2026-11-02", "from": "Central", "to": "Harbour"}]});
    let done = CompleteTask {
        outcome: TaskOutcome::Done,
        note: "One trip.".to_owned(),
        data: Some(trips.clone()),
    };
    let response = agency.complete_task(&task, &done).await;
    assert_eq!(response.status, 200);
    let fulfilled = console.fulfil(&id).await;
    assert_eq!(fulfilled.status, 200, "{}", fulfilled.body);

    let package = app.as_user(&ana).package_json(&id).await.ok();
    assert_eq!(package.profile.resident_number, number);
    assert_eq!(package.enrollments[0].system, FARE_CARD);
    let consent_ids: Vec<&str> = package.consent_history.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(consent_ids, [event.id.as_str()]);
    let decisions: Vec<&str> = package.decisions.iter().map(|d| d.decision_id.as_str()).collect();
    assert_eq!(decisions, [checked.decision_id.as_str()]);
    assert_eq!(package.agency_reports[0].data, Some(trips));
    assert_eq!(package.requests[0].id, id);
    // Another resident gets nothing; the readable page shows the same sections.
    assert_eq!(app.as_user(&ben).package_json(&id).await.status, 404);
    let (status, _) = app.get_as(&format!("/my/requests/{id}/package"), &ben).await;
    assert_eq!(status, 404);
    let (status, html) = app.get_as(&format!("/my/requests/{id}/package"), &ana).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("data-testid=\"package-decisions\"") && html.contains("Harbour"),
        "{html}"
    );
    let (_, html) = app.get_as(&format!("/my/requests/{id}"), &ana).await;
    assert!(html.contains("data-testid=\"package-links\""));
}

/// Files an access request to the fare card for the holder of `resident` and has it
/// fulfilled: the officer verifies it, the agency reports `trips`, the officer fulfils it.
/// The request's id.
async fn fulfilled_access_request(
    app: &TestApp,
    resident: &str,
    officer: &str,
    trips: &serde_json::Value,
) -> String {
    let id = filed(app, resident, &Filing::new("access").systems(&[FARE_CARD])).await;
    let console = app.as_user(officer);
    console.verify(&id).await;
    let worker = bearer(app, "riverton-transit", &[ApiScope::RequestsWork]).await;
    let agency = app.as_agency(&worker);
    let task = agency.tasks(None).await.ok().tasks[0].id.clone();
    let done = CompleteTask {
        outcome: TaskOutcome::Done,
        note: "Trips.".to_owned(),
        data: Some(trips.clone()),
    };
    assert_eq!(agency.complete_task(&task, &done).await.status, 200);
    let fulfilled = console.fulfil(&id).await;
    assert_eq!(fulfilled.status, 200, "{}", fulfilled.body);
    id
}

/// Logs `count` fare-card checks that named the resident `number`, permits and denials in
/// turn, through the decision log as the agency API does: their decision ids, newest first.
async fn logged_checks(app: &TestApp, number: &str, count: usize) -> Vec<String> {
    use domain::decision::{Decision, DecisionKind, Reason};
    let user_id = store::consent::user_by_number(&app.state.pool, number)
        .await
        .unwrap()
        .unwrap();
    let mut appends = tokio::task::JoinSet::new();
    for i in 0..count {
        let (decision, reason) = if i % 2 == 0 {
            (Decision::Permit, Reason::ConsentGiven)
        } else {
            (Decision::Deny, Reason::ConsentNotGiven)
        };
        let entry = store::decision_log::LogEntry {
            id: store::new_id(),
            request_id: store::new_id(),
            at_us: store::now_us(),
            kind: DecisionKind::Check,
            agency: "riverton-transit".to_owned(),
            client_id: "test-client".to_owned(),
            secret_generation: 0,
            scope: domain::account::ApiScope::ConsentCheck,
            subject: domain::account::ResidentNumber::parse(number).unwrap(),
            system: FARE_CARD.to_owned(),
            purpose: "service-alerts".to_owned(),
            outcome: domain::decision::index::Outcome {
                decision,
                reason,
                legal_basis: Some(domain::register::LegalBasis::Consent),
                user_id: Some(user_id.clone()),
                purpose_id: None,
                by_enrollment: true,
            },
            // Written as decided: newer than any facts, so the log never decides it again.
            facts_version: i64::MAX,
        };
        let log = app.state.decision_log.clone();
        appends.spawn(async move { (log.append(entry.clone()).await.unwrap().seq, entry.id) });
    }
    let mut logged = appends.join_all().await;
    logged.sort_by_key(|(seq, _)| std::cmp::Reverse(*seq));
    logged.into_iter().map(|(_, id)| id).collect()
}

/// GETs the package of request `id` as the holder of `session`, unread.
async fn package_response(app: &TestApp, session: &str, id: &str) -> reqwest::Result<reqwest::Response> {
    app.client
        .get(app.url(&format!("/my/requests/{id}/package.json")))
        .header("cookie", format!("gh_session={session}"))
        .send()
        .await
}

async fn a_long_decision_log_streams_into_the_package_whole_and_newest_first(backend: Backend) {
    use store::package::PACKAGE_PAGE_SIZE;
    let app = spawn_app(backend).await;
    let (ana, number) = enrolled_resident(&app, "ana@example.org", &[FARE_CARD]).await;
    let (_, ben_number) = enrolled_resident(&app, "ben@example.org", &[FARE_CARD]).await;
    // Someone tried to sign up with each of their emails: the notice is in Ana's package
    // (her data), Ben's is not.
    for email in ["ana@example.org", "ben@example.org"] {
        app.anonymous().sign_up(email, "a stranger's otter 31", "X").await;
    }
    let officer = officer(&app, "officer@example.org", "Olga Officer").await;
    let checker = bearer(&app, "riverton-transit", &[ApiScope::ConsentCheck]).await;
    let checked = app
        .as_agency(&checker)
        .check(&number, FARE_CARD, "service-alerts")
        .await
        .ok();
    let trips = json!({"trips": [{"date": "2026-11-02", "from": "Central", "to": "Harbour"}]});
    let id = fulfilled_access_request(&app, &ana, &officer, &trips).await;
    // Several pages of the download's reading, with another resident's entries between hers.
    let count = 2 * PACKAGE_PAGE_SIZE + PACKAGE_PAGE_SIZE / 2 + 1;
    let (mut expected, bens) = tokio::join!(
        logged_checks(&app, &number, count),
        logged_checks(&app, &ben_number, 40)
    );
    expected.push(checked.decision_id.clone());

    let response = package_response(&app, &ana, &id).await.unwrap();
    assert_eq!(response.status(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(header("content-type").as_deref(), Some("application/json"));
    assert!(header("cache-control").unwrap().contains("no-store"));
    assert!(
        header("content-disposition")
            .unwrap()
            .contains(&format!("glasshouse-data-{id}.json"))
    );
    // Streamed: the length is not known before the last page is read.
    assert_eq!(header("content-length"), None);
    assert_eq!(header("transfer-encoding").as_deref(), Some("chunked"));
    let text = response.text().await.unwrap();
    let at = |key: &str| {
        text.find(&format!("\"{key}\":"))
            .unwrap_or_else(|| panic!("{key} in {text}"))
    };
    assert!(text.starts_with("{\"format\":\"glasshouse-access-package/3\",\"request_id\":"));
    assert!(at("consent_history") < at("decisions") && at("decisions") < at("requests"));
    assert!(at("requests") < at("agency_reports"));
    assert!(at("agency_reports") < at("account_notices"));
    let package: AccessPackage = serde_json::from_str(&text).unwrap();

    // Every entry that named her, once each, newest first; none of Ben's.
    let decisions: Vec<&str> = package.decisions.iter().map(|d| d.decision_id.as_str()).collect();
    assert_eq!(decisions.len(), count + 1);
    assert_eq!(decisions, expected);
    assert!(package.decisions.windows(2).all(|pair| pair[0].seq > pair[1].seq));
    assert!(bens.iter().all(|b| !decisions.contains(&b.as_str())));
    assert_eq!(
        package.decisions[0].system_name,
        "RiverPass contactless fare card"
    );
    assert_eq!(package.format, "glasshouse-access-package/3");
    assert_eq!(
        (package.request_id.as_str(), package.kind),
        (id.as_str(), RequestKind::Access)
    );
    assert_eq!(package.profile.resident_number, number);
    assert_eq!(package.enrollments[0].system, FARE_CARD);
    assert_eq!(package.requests[0].id, id);
    assert_eq!(package.agency_reports[0].data, Some(trips));
    assert_eq!(package.account_notices.len(), 1, "{:?}", package.account_notices);
    assert_eq!(
        package.account_notices,
        app.as_user(&ana).account_notices().await.ok()
    );

    // The readable page holds the newest page of them and says how many there are.
    let summary = app.as_user(&ana).package(&id).await.ok();
    assert_eq!(summary.decisions_total, i64::try_from(count + 1).unwrap());
    assert_eq!(
        summary.newest_decisions[..],
        package.decisions[..ACCESS_PAGE_SIZE]
    );
    assert_eq!(summary.parts.profile, package.profile);
    assert_eq!(summary.parts.agency_reports, package.agency_reports);
    let (status, html) = app.get_as(&format!("/my/requests/{id}/package"), &ana).await;
    assert_eq!(status, 200);
    assert_eq!(
        html.matches("<li data-decision=").count(),
        ACCESS_PAGE_SIZE,
        "{html}"
    );
    assert!(
        html.contains("data-testid=\"package-decisions-newest\""),
        "{html}"
    );
}

async fn a_package_whose_log_fails_midway_breaks_off_instead_of_ending_short(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, number) = enrolled_resident(&app, "ana@example.org", &[FARE_CARD]).await;
    let officer = officer(&app, "officer@example.org", "Olga Officer").await;
    let id = fulfilled_access_request(&app, &ana, &officer, &json!({"trips": []})).await;
    logged_checks(&app, &number, 3).await;
    // The checks and the package's parts still read; its decisions, read after the status
    // and the opening are sent, no longer do.
    sqlx::query("ALTER TABLE decision_log RENAME TO decision_log_gone")
        .execute(&app.state.pool)
        .await
        .unwrap();
    let read = match package_response(&app, &ana, &id).await {
        Ok(response) => {
            assert_eq!(response.status(), 200);
            response
                .bytes()
                .await
                .map(|body| String::from_utf8_lossy(&body).into_owned())
        }
        Err(refused) => Err(refused),
    };
    assert!(
        read.is_err(),
        "the download ends as broken, not as a document: {read:?}"
    );
    // Another resident's download, refused before any byte, is still a plain 404.
    let (ben, _) = enrolled_resident(&app, "ben@example.org", &[FARE_CARD]).await;
    assert_eq!(app.as_user(&ben).package_json(&id).await.status, 404);
}

async fn the_office_reads_its_figures_records_and_audit_log(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, number) = enrolled_resident(&app, "ana@example.org", &[FARE_CARD]).await;
    let officer = officer(&app, "officer@example.org", "Olga Officer").await;
    let admin = staff(&app, "admin@example.org", "Ada Admin", Role::Admin).await;
    let (console, resident) = (app.as_user(&officer), app.as_user(&ana));
    // Assisted channel: the officer files for a resident found by number.
    let lowercase = number.to_lowercase();
    let assisted = console
        .file_assisted(&Assisted {
            resident_number: Some(&lowercase),
            kind: "access",
            details: Some("Came to the office"),
            ..Assisted::default()
        })
        .await
        .ok();
    let unknown = console
        .file_assisted(&Assisted {
            resident_number: Some("GH-0000-0000"),
            kind: "access",
            ..Assisted::default()
        })
        .await;
    assert_eq!(
        (unknown.status, unknown.error()),
        (422, AppError::Console(ConsoleError::NoSuchResident)),
        "{}",
        unknown.body
    );
    let by_resident = resident
        .file_assisted(&Assisted {
            resident_number: Some(&number),
            kind: "access",
            ..Assisted::default()
        })
        .await;
    assert_eq!(by_resident.status, 403);
    let detail = console.case(&assisted).await.ok();
    assert_eq!(detail.detail.channel, RequestChannel::Assisted);
    // The resident sees it among theirs.
    let mine = resident.my_requests().await.ok().items;
    assert!(mine.iter().any(|r| r.id == assisted), "{mine:?}");
    // An overdue one and a fulfilled one.
    let overdue = filed(&app, &ana, &Filing::new("erasure").systems(&[FARE_CARD])).await;
    sqlx::query("UPDATE privacy_requests SET due_on = '2000-01-01' WHERE id = $1")
        .bind(&overdue)
        .execute(&app.state.pool)
        .await
        .unwrap();
    let stats = console.stats().await.ok();
    assert_eq!((stats.open, stats.overdue), (2, 1));
    assert_eq!(stats.weeks.len(), 12);
    assert_eq!(stats.weeks[11].received, 2, "both received this week");
    assert_eq!(resident.stats().await.status, 403);
    let (status, html) = app.get_as("/admin", &officer).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-stat=\"overdue\">1<"), "{html}");
    assert!(html.contains("<svg"), "the chart is drawn on the server");
    // The record of processing activities.
    let text = console.requests_csv("").await.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], server::http::downloads::REQUESTS_CSV_HEADER);
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&assisted) && l.contains(",assisted,")),
        "{text}"
    );
    assert_eq!(
        console
            .requests_csv("?from=1999-01-01&to=1999-12-31")
            .await
            .text()
            .lines()
            .count(),
        1
    );
    assert_eq!(console.requests_csv("?from=yesterday").await.status, 422);
    assert_eq!(resident.requests_csv("").await.status, 403);
    // A search by resident number is a staff read of personal data too.
    let search = QueueQuery {
        q: Some(&number),
        ..QueueQuery::default()
    };
    assert!(!console.queue(&search).await.ok().rows.is_empty());
    // The audit log: admins read it, officers and residents do not.
    let audit = app.as_user(&admin).audit().await.ok();
    // Reading the log is itself recorded, before the page is served.
    assert_eq!(
        (audit.rows[0].action.as_str(), audit.rows[0].actor.as_str()),
        ("read_audit_log", "Ada Admin")
    );
    let by = |action: &str| {
        audit
            .rows
            .iter()
            .find(|r| r.action == action)
            .unwrap_or_else(|| panic!("{action} is not in {:?}", audit.rows))
    };
    assert_eq!(by("file_assisted").actor, "Olga Officer");
    // Staff reads of residents' data: the case opened, the records exported, the search.
    assert_eq!(by("open_case").request_id.as_deref(), Some(assisted.as_str()));
    assert!(by("export_records").detail.contains(" to "));
    assert_eq!(by("search_requests").detail, number);
    assert_eq!(console.audit().await.status, 403);
    assert_eq!(resident.audit().await.status, 403);
    let (status, html) = app.get_as("/admin/audit", &admin).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-action=\"file_assisted\""), "{html}");
    let (status, _) = app.get_as("/admin/audit", &officer).await;
    assert_eq!(status, 403);
}

async fn an_officer_files_for_someone_without_an_account(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = officer(&app, "officer@example.org", "Olga Officer").await;
    let console = app.as_user(&officer);
    let id = console
        .file_assisted(&Assisted {
            name: Some("Rosa Díaz"),
            phone: Some("+1 555 0199"),
            kind: "access",
            details: Some("Phoned the office"),
            ..Assisted::default()
        })
        .await
        .ok();
    let file_ = console.case(&id).await.ok();
    assert!(!file_.resident_verified);
    assert_eq!(file_.resident_name, "Rosa Díaz");
    assert_eq!(file_.detail.channel, RequestChannel::Assisted);
    // The record is a resident nobody can sign in as.
    let (hash, phone): (String, Option<String>) =
        sqlx::query_as("SELECT password_hash, phone FROM users WHERE resident_number = $1")
            .bind(&file_.resident_number)
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    assert_eq!(hash, store::accounts::UNVERIFIED_RECORD);
    assert_eq!(phone.as_deref(), Some("+1 555 0199"));
    let email = file_.resident_email.clone();
    assert!(email.ends_with("@records.invalid"), "{email}");
    assert_eq!(app.anonymous().sign_in(&email, GOOD_PASSWORD).await.status, 401);
    // Neither a number nor a way to reach them; a bad phone; an email that has an account.
    for (form, error) in [
        (
            Assisted {
                name: Some("Rosa"),
                kind: "access",
                ..Assisted::default()
            },
            ConsoleError::NoSuchResident,
        ),
        (
            Assisted {
                name: Some("Rosa"),
                phone: Some("12ab"),
                kind: "access",
                ..Assisted::default()
            },
            ConsoleError::Contact(AccountInputError::Phone),
        ),
        (
            Assisted {
                name: Some("Olga"),
                email: Some("officer@example.org"),
                kind: "access",
                ..Assisted::default()
            },
            ConsoleError::Contact(AccountInputError::Email),
        ),
    ] {
        let refused = console.file_assisted(&form).await;
        assert_eq!(
            (refused.status, refused.error()),
            (422, AppError::Console(error)),
            "{form:?}: {}",
            refused.body
        );
    }
    let (_, html) = app.get_as(&format!("/admin/requests/{id}"), &officer).await;
    assert!(html.contains("data-verified=\"false\""), "{html}");
}

/// A console action and its audit row commit together or not at all: with the audit log
/// unwritable, completing a task for an agency and filing for a resident both fail and
/// leave nothing behind (they used to write the change first and the audit row after).
async fn an_action_whose_audit_row_fails_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = officer(&app, "officer@example.org", "Olga Officer").await;
    let console = app.as_user(&officer);
    let (session, number) = enrolled_resident(&app, "jo@example.org", &[FARE_CARD]).await;
    let id = filed(&app, &session, &Filing::new("access")).await;
    let file_ = console.case(&id).await.ok();
    let task = file_.detail.tasks[0].id.clone();
    let requests_before: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM privacy_requests")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    sqlx::query("DROP TABLE admin_audit")
        .execute(&app.state.pool)
        .await
        .unwrap();
    let completed = console.complete_task_for_agency(&id, &task, "done", None).await;
    assert_eq!(completed.status, 503, "{}", completed.body);
    let (outcome,): (Option<String>,) = sqlx::query_as("SELECT outcome FROM request_tasks WHERE id = $1")
        .bind(&task)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(
        outcome, None,
        "the task stays open when its audit row is not written"
    );
    let filed = console
        .file_assisted(&Assisted {
            resident_number: Some(&number),
            kind: "access",
            ..Assisted::default()
        })
        .await;
    assert_eq!(filed.status, 503, "{}", filed.body);
    let requests_after: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM privacy_requests")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(
        requests_after, requests_before,
        "no request is filed without its audit row"
    );
}

async fn an_officer_enrols_a_resident_at_the_counter(backend: Backend) {
    use domain::consent::{EnrollmentAction, EnrollmentChannel, EnrollmentRefused};
    let app = spawn_app(backend).await;
    let (ana, number) = common::unenrolled_resident(&app, "ana@example.org").await;
    let officer = officer(&app, "officer@example.org", "Olga Officer").await;
    let console = app.as_user(&officer);
    let transit = app.as_agency(&bearer(&app, "riverton-transit", &[ApiScope::EnrollmentWrite]).await);
    let issued = transit.enrollment_code(FARE_CARD).await;
    assert_eq!(issued.status, 201, "{}", issued.body);
    let code = issued.value().code;
    // A resident cannot act for another; an unknown number is refused with a sentence.
    assert_eq!(
        app.as_user(&ana)
            .confirm_enrollment_for(&number, &code)
            .await
            .status,
        403
    );
    let unknown = console.confirm_enrollment_for("GH-0000-0000", &code).await;
    assert_eq!(
        (unknown.status, unknown.error()),
        (422, AppError::Console(ConsoleError::NoSuchResident))
    );
    let done = console.confirm_enrollment_for(&number, &code).await.ok();
    assert_eq!(
        (done.action, done.channel),
        (EnrollmentAction::Confirmed, EnrollmentChannel::Assisted)
    );
    // The resident's history says it was done at the counter; the audit log says by whom.
    let history = app.as_user(&ana).enrollment_history().await.ok();
    assert_eq!(history[0].channel, EnrollmentChannel::Assisted);
    let (actor, action): (String, String) =
        sqlx::query_as("SELECT actor_name, action FROM admin_audit WHERE action = 'confirm_enrollment'")
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    assert_eq!(
        (actor.as_str(), action.as_str()),
        ("Olga Officer", "confirm_enrollment")
    );
    let again = console.confirm_enrollment_for(&number, &code).await;
    assert_eq!(
        again.error(),
        AppError::Enrollment(EnrollmentRefused::AlreadyUsed)
    );
}
