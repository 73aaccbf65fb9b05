//! The officer console's requests, on SQLite and PostgreSQL: only staff reach it; the
//! queue sorts and filters; each action follows the state machine and the legal clock, is
//! audited, and an upheld objection decides later checks at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::cloned_ref_to_slice_refs)]

mod common;

use common::{Backend, GOOD_PASSWORD, TestApp, bearer, enrolled_resident, sign_in, spawn_app};
use domain::account::{ApiScope, Role};
use domain::requests::{Clock, DeadlinePolicy};
use serde_json::{Value, json};

on_both_databases!(
    only_staff_reach_the_console_and_its_server_functions,
    the_queue_puts_the_most_urgent_first_and_filters,
    officers_move_a_request_through_the_allowed_states_only,
    an_upheld_objection_denies_later_checks_whatever_the_basis,
    the_office_asks_the_clock_pauses_and_the_resident_is_told,
    a_fulfilled_access_request_delivers_the_whole_package,
    the_office_reads_its_figures_records_and_audit_log,
    an_officer_files_for_someone_without_an_account,
    an_action_whose_audit_row_fails_changes_nothing,
);

const FARE_CARD: &str = "riverpass-fare-card";
const ACCOUNT: &str = "myriverton-account";
/// A public-task purpose of a system the test resident is enrolled with.
const SECURITY_LOGGING: &str = "security-logging";

async fn officer(app: &TestApp, email: &str, name: &str) -> String {
    app.state
        .accounts
        .create_user(email, GOOD_PASSWORD, name, Role::Officer)
        .await
        .unwrap();
    sign_in(app, email, GOOD_PASSWORD).await.cookie.unwrap()
}

async fn file(app: &TestApp, session: &str, form: &[(&str, &str)]) -> String {
    let called = app.call("/fn/requests/file", form, Some(session)).await;
    assert_eq!(called.status, 200, "{}", called.body);
    serde_json::from_str(&called.body).unwrap()
}

async fn case(app: &TestApp, session: &str, id: &str) -> Value {
    let called = app
        .call("/fn/console/case", &[("id", id), ("lang", "en")], Some(session))
        .await;
    assert_eq!(called.status, 200, "{}", called.body);
    serde_json::from_str(&called.body).unwrap()
}

async fn act(app: &TestApp, session: &str, action: &str, form: &[(&str, &str)]) -> (u16, String) {
    let called = app
        .call(&format!("/fn/console/{action}"), form, Some(session))
        .await;
    (called.status, called.body)
}

async fn audit_actions(app: &TestApp, id: &str) -> Vec<String> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT action FROM admin_audit WHERE request_id = $1 ORDER BY at_us, id")
            .bind(id)
            .fetch_all(&app.state.pool)
            .await
            .unwrap();
    rows.into_iter().map(|(a,)| a).collect()
}

async fn only_staff_reach_the_console_and_its_server_functions(backend: Backend) {
    let app = spawn_app(backend).await;
    let (resident, _) = enrolled_resident(&app, "ana@example.org", &[FARE_CARD]).await;
    let id = file(
        &app,
        &resident,
        &[("kind", "access"), ("scope", "some"), ("systems[]", FARE_CARD)],
    )
    .await;
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("queue", vec![]),
        ("case", vec![("id", &id), ("lang", "en")]),
        ("assign", vec![("id", &id), ("to", "")]),
        ("verify", vec![("id", &id)]),
        ("extend", vec![("id", &id), ("reason", "Busy")]),
        ("reject", vec![("id", &id), ("reason", "No")]),
        (
            "complete_task",
            vec![("id", &id), ("task", "t"), ("outcome", "done")],
        ),
        ("fulfil", vec![("id", &id)]),
        ("ask", vec![("id", &id), ("question", "Why?")]),
        ("stats", vec![]),
        ("audit", vec![]),
        (
            "file_assisted",
            vec![("resident_number", "GH-2222-2222"), ("kind", "access")],
        ),
    ];
    for (action, form) in &calls {
        let (status, body) = act(&app, &resident, action, form).await;
        assert_eq!(status, 403, "a resident on console/{action}: {body}");
        let called = app.call(&format!("/fn/console/{action}"), form, None).await;
        assert_eq!(
            called.status, 401,
            "signed out on console/{action}: {}",
            called.body
        );
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
    let csv = app
        .client
        .get(app.url("/admin/requests.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 401);
    let (status, _) = app.get_as("/admin/requests.csv", &resident).await;
    assert_eq!(status, 403);
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
    let first = file(
        &app,
        &ana,
        &[("kind", "access"), ("scope", "some"), ("systems[]", ACCOUNT)],
    )
    .await;
    let second = file(
        &app,
        &ben,
        &[("kind", "erasure"), ("scope", "some"), ("systems[]", FARE_CARD)],
    )
    .await;
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
    let queue = |form: Vec<(&'static str, String)>| {
        let app = &app;
        let officer = officer.clone();
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let called = app.call("/fn/console/queue", &form, Some(&officer)).await;
            assert_eq!(called.status, 200, "{}", called.body);
            let page: Value = serde_json::from_str(&called.body).unwrap();
            page["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["summary"]["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        queue(vec![]).await,
        [first.clone(), second.clone()],
        "most urgent first"
    );
    assert_eq!(queue(vec![("overdue", "1".into())]).await, [first.clone()]);
    assert_eq!(queue(vec![("kind", "erasure".into())]).await, [second.clone()]);
    assert_eq!(
        queue(vec![("agency", "riverton-transit".into())]).await,
        [second.clone()]
    );
    assert_eq!(
        queue(vec![("q", ana_number.to_lowercase())]).await,
        [first.clone()]
    );
    assert_eq!(queue(vec![("q", second.clone())]).await, [second.clone()]);
    assert!(queue(vec![("mine", "1".into())]).await.is_empty());
    let called = app
        .call("/fn/console/queue", &[("status", "lost")], Some(&officer))
        .await;
    assert_eq!(called.status, 422);
    // Assigned to the officer, it is theirs.
    let (me,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = 'officer@example.org'")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    let (status, body) = act(&app, &officer, "assign", &[("id", &second), ("to", &me)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(queue(vec![("mine", "1".into())]).await, [second.clone()]);
    let (status, _) = act(
        &app,
        &officer,
        "assign",
        &[("id", &second), ("to", "not-an-officer")],
    )
    .await;
    assert_eq!(status, 409);
    // The badge says overdue in the page.
    let (_, html) = app.get_as("/admin/requests", &officer).await;
    assert!(html.contains("data-urgency=\"overdue\""), "{html}");
    assert!(html.contains("data-urgency=\"green\""), "{html}");
}

async fn officers_move_a_request_through_the_allowed_states_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, _) = enrolled_resident(&app, "ana@example.org", &[FARE_CARD, ACCOUNT]).await;
    let officer = officer(&app, "officer@example.org", "Olga Officer").await;
    let id = file(
        &app,
        &ana,
        &[
            ("kind", "access"),
            ("scope", "some"),
            ("systems[]", FARE_CARD),
            ("systems[]", ACCOUNT),
        ],
    )
    .await;
    // Not yet in progress: neither extended nor fulfilled.
    let (status, body) = act(
        &app,
        &officer,
        "extend",
        &[("id", &id), ("reason", "Many systems")],
    )
    .await;
    assert_eq!(status, 409, "{body}");
    let (status, _) = act(&app, &officer, "fulfil", &[("id", &id)]).await;
    assert_eq!(status, 409);
    let (status, body) = act(&app, &officer, "verify", &[("id", &id)]).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = act(&app, &officer, "verify", &[("id", &id)]).await;
    assert_eq!(status, 409, "verified once");
    // An extension needs a reason, moves the due date by two months, and happens once.
    let (status, _) = act(&app, &officer, "extend", &[("id", &id), ("reason", "  ")]).await;
    assert_eq!(status, 422);
    let (status, body) = act(
        &app,
        &officer,
        "extend",
        &[("id", &id), ("reason", "Eleven years of trips")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let file_ = case(&app, &officer, &id).await;
    let today = store::requests::today();
    let extended = DeadlinePolicy::Gdpr.due(Clock {
        received: today,
        paused_days: 0,
        extended: true,
    });
    assert_eq!(file_["detail"]["summary"]["due"], extended.to_string());
    assert_eq!(file_["detail"]["summary"]["status"], "extended");
    assert_eq!(file_["may_extend"], false);
    let (status, _) = act(&app, &officer, "extend", &[("id", &id), ("reason", "Again")]).await;
    assert_eq!(status, 409);
    // The resident sees the reason in the timeline.
    let called = app
        .call("/fn/requests/get", &[("id", &id), ("lang", "en")], Some(&ana))
        .await;
    let detail: Value = serde_json::from_str(&called.body).unwrap();
    assert_eq!(detail["timeline"][2]["reason"], "Eleven years of trips");
    // Fulfilling waits for every agency.
    let (status, body) = act(&app, &officer, "fulfil", &[("id", &id)]).await;
    assert_eq!((status, body.contains("TasksOpen")), (409, true), "{body}");
    let transit = bearer(&app, "riverton-transit", &[ApiScope::RequestsWork]).await;
    let tasks: Value = app
        .client
        .get(app.url("/api/v1/privacy-requests/tasks"))
        .bearer_auth(&transit)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let transit_task = tasks["tasks"][0]["id"].as_str().unwrap().to_owned();
    let response = app
        .client
        .post(app.url(&format!("/api/v1/privacy-requests/tasks/{transit_task}/complete")))
        .bearer_auth(&transit)
        .json(&json!({"outcome": "done", "data": {"trips": 3}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // The other agency has no integration: the officer completes its task on its behalf.
    let other = file_["detail"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["system"] == ACCOUNT)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = act(
        &app,
        &officer,
        "complete_task",
        &[("id", &id), ("task", &transit_task), ("outcome", "done")],
    )
    .await;
    assert_eq!(status, 409, "already completed by the agency");
    let (status, _) = act(
        &app,
        &officer,
        "complete_task",
        &[("id", &id), ("task", &other), ("outcome", "refused")],
    )
    .await;
    assert_eq!(status, 422, "a refusal needs a note");
    let (status, body) = act(
        &app,
        &officer,
        "complete_task",
        &[
            ("id", &id),
            ("task", &other),
            ("outcome", "no_data"),
            ("note", "Checked by phone"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (by,): (String,) = sqlx::query_as("SELECT completed_by FROM request_tasks WHERE id = $1")
        .bind(&other)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert!(by.starts_with("officer:"), "{by}");
    let (status, body) = act(&app, &officer, "fulfil", &[("id", &id)]).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = act(&app, &officer, "reject", &[("id", &id), ("reason", "Too late")]).await;
    assert_eq!(status, 409, "a closed request stays closed");
    assert_eq!(
        audit_actions(&app, &id).await,
        ["verify_identity", "extend", "complete_task", "fulfil"]
    );
    // A refusal carries its reason and the right to complain.
    let other_request = file(
        &app,
        &ana,
        &[("kind", "erasure"), ("scope", "some"), ("systems[]", FARE_CARD)],
    )
    .await;
    let (status, _) = act(
        &app,
        &officer,
        "reject",
        &[("id", &other_request), ("reason", "Records kept by law")],
    )
    .await;
    assert_eq!(status, 200);
    let (_, html) = app.get_as(&format!("/my/requests/{other_request}"), &ana).await;
    assert!(html.contains("Records kept by law"), "{html}");
    assert!(html.contains("supervisory authority"), "{html}");
}

async fn an_upheld_objection_denies_later_checks_whatever_the_basis(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, number) = enrolled_resident(&app, "ana@example.org", &[ACCOUNT]).await;
    let officer = officer(&app, "officer@example.org", "Olga Officer").await;
    let token = bearer(&app, "riverton-digital-services", &[ApiScope::ConsentCheck]).await;
    let check = || async {
        let response = app
            .client
            .post(app.url("/api/v1/consent/check"))
            .bearer_auth(&token)
            .json(&json!({"subject": number, "system": ACCOUNT, "purpose": SECURITY_LOGGING}))
            .send()
            .await
            .unwrap();
        let body: Value = response.json().await.unwrap();
        (
            body["decision"].as_str().unwrap().to_owned(),
            body["reason"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(check().await, ("permit".to_owned(), "legal_basis".to_owned()));
    let purpose = format!("{ACCOUNT}/{SECURITY_LOGGING}");
    let id = file(&app, &ana, &[("kind", "objection"), ("purpose", &purpose)]).await;
    assert_eq!(check().await.0, "permit", "filing alone changes nothing");
    act(&app, &officer, "verify", &[("id", &id)]).await;
    let task = case(&app, &officer, &id).await["detail"]["tasks"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    act(
        &app,
        &officer,
        "complete_task",
        &[("id", &id), ("task", &task), ("outcome", "done")],
    )
    .await;
    let (status, body) = act(&app, &officer, "fulfil", &[("id", &id)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(check().await, ("deny".to_owned(), "objection_upheld".to_owned()));
    // Only that purpose: the account itself still works.
    let response = app
        .client
        .post(app.url("/api/v1/consent/check"))
        .bearer_auth(&token)
        .json(&json!({"subject": number, "system": ACCOUNT, "purpose": "account-and-sign-in"}))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["decision"], "permit");
}

async fn the_office_asks_the_clock_pauses_and_the_resident_is_told(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, _) = enrolled_resident(&app, "ana@example.org", &[FARE_CARD]).await;
    let (ben, _) = enrolled_resident(&app, "ben@example.org", &[FARE_CARD]).await;
    let officer = officer(&app, "officer@example.org", "Olga Officer").await;
    let id = file(
        &app,
        &ana,
        &[
            ("kind", "rectification"),
            ("scope", "some"),
            ("systems[]", FARE_CARD),
        ],
    )
    .await;
    let (status, body) = act(
        &app,
        &officer,
        "ask",
        &[("id", &id), ("question", "Which card number?")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = act(&app, &officer, "ask", &[("id", &id), ("question", " ")]).await;
    assert_eq!(status, 422);
    // The resident is told: one unread notification, shown in the header.
    let unread = app.call("/fn/notifications/unread", &[], Some(&ana)).await;
    assert_eq!(unread.body, "1");
    let (_, html) = app.get_as("/my", &ana).await;
    assert!(html.contains("data-testid=\"unread-count\""), "{html}");
    let list = app.call("/fn/notifications/list", &[], Some(&ana)).await;
    let list: Value = serde_json::from_str(&list.body).unwrap();
    assert_eq!(list[0]["kind"], "Message");
    assert_eq!(list[0]["request_id"], id.as_str());
    // Nobody else is.
    assert_eq!(
        app.call("/fn/notifications/unread", &[], Some(&ben)).await.body,
        "0"
    );
    assert_eq!(app.call("/fn/notifications/unread", &[], None).await.body, "0");
    // The clock is paused; pretend the question was asked three days ago.
    let since = store::requests::today().add_days(-3);
    sqlx::query("UPDATE privacy_requests SET paused_since = $1 WHERE id = $2")
        .bind(since.to_string())
        .bind(&id)
        .execute(&app.state.pool)
        .await
        .unwrap();
    let called = app
        .call("/fn/requests/get", &[("id", &id), ("lang", "en")], Some(&ana))
        .await;
    let detail: Value = serde_json::from_str(&called.body).unwrap();
    assert_eq!(detail["paused"], true);
    assert_eq!(detail["messages"][0]["body"], "Which card number?");
    assert_eq!(detail["messages"][0]["from_office"], true);
    // Another resident cannot answer it; the resident can, and the clock runs again with
    // the three paused days added to the due date.
    let refused = app
        .call(
            "/fn/requests/reply",
            &[("id", &id), ("body", "Mine!")],
            Some(&ben),
        )
        .await;
    assert_eq!(refused.status, 404);
    let replied = app
        .call(
            "/fn/requests/reply",
            &[("id", &id), ("body", "Card 4417")],
            Some(&ana),
        )
        .await;
    assert_eq!(replied.status, 200, "{}", replied.body);
    let called = app
        .call("/fn/requests/get", &[("id", &id), ("lang", "en")], Some(&ana))
        .await;
    let detail: Value = serde_json::from_str(&called.body).unwrap();
    assert_eq!(detail["paused"], false);
    let due = DeadlinePolicy::Gdpr.due(Clock {
        received: store::requests::today(),
        paused_days: 3,
        extended: false,
    });
    assert_eq!(detail["summary"]["due"], due.to_string());
    assert_eq!(detail["messages"][1]["body"], "Card 4417");
    // A status change by the office is a notification too; marking all read clears them.
    act(&app, &officer, "verify", &[("id", &id)]).await;
    assert_eq!(
        app.call("/fn/notifications/unread", &[], Some(&ana)).await.body,
        "2"
    );
    let marked = app
        .call("/fn/notifications/read", &[("id", "")], Some(&ana))
        .await;
    assert_eq!(marked.status, 200, "{}", marked.body);
    assert_eq!(
        app.call("/fn/notifications/unread", &[], Some(&ana)).await.body,
        "0"
    );
    let (status, html) = app.get_as("/my/notifications", &ana).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-read=\"true\""), "{html}");
}

async fn a_fulfilled_access_request_delivers_the_whole_package(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, number) = enrolled_resident(&app, "ana@example.org", &[FARE_CARD]).await;
    let (ben, _) = enrolled_resident(&app, "ben@example.org", &[FARE_CARD]).await;
    let officer = officer(&app, "officer@example.org", "Olga Officer").await;
    // Something to report: a consent given, and an agency check that named her.
    let granted = app
        .call(
            "/fn/consent/record",
            &[
                ("system", FARE_CARD),
                ("purpose", "service-alerts"),
                ("action", "grant"),
                ("lang", "en"),
            ],
            Some(&ana),
        )
        .await;
    assert_eq!(granted.status, 200, "{}", granted.body);
    let event: Value = serde_json::from_str(&granted.body).unwrap();
    let checker = bearer(
        &app,
        "riverton-transit",
        &[ApiScope::ConsentCheck, ApiScope::RequestsWork],
    )
    .await;
    let checked: Value = app
        .client
        .post(app.url("/api/v1/consent/check"))
        .bearer_auth(&checker)
        .json(&json!({"subject": number, "system": FARE_CARD, "purpose": "service-alerts"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(checked["decision"], "permit");
    let id = file(
        &app,
        &ana,
        &[("kind", "access"), ("scope", "some"), ("systems[]", FARE_CARD)],
    )
    .await;
    let package = |session: String| {
        let app = &app;
        let id = id.clone();
        async move {
            let response = app
                .client
                .get(app.url(&format!("/my/requests/{id}/package.json")))
                .header("cookie", format!("gh_session={session}"))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    assert_eq!(
        package(ana.clone()).await.0,
        404,
        "no package before it is fulfilled"
    );
    act(&app, &officer, "verify", &[("id", &id)]).await;
    let tasks: Value = app
        .client
        .get(app.url("/api/v1/privacy-requests/tasks"))
        .bearer_auth(&checker)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let task = tasks["tasks"][0]["id"].as_str().unwrap().to_owned();
    let trips = json!({"trips": [{"date": "2026-11-02", "from": "Central", "to": "Harbour"}]});
    let response = app
        .client
        .post(app.url(&format!("/api/v1/privacy-requests/tasks/{task}/complete")))
        .bearer_auth(&checker)
        .json(&json!({"outcome": "done", "note": "One trip.", "data": trips}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (status, body) = act(&app, &officer, "fulfil", &[("id", &id)]).await;
    assert_eq!(status, 200, "{body}");

    let (status, package_json) = package(ana.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(package_json["profile"]["resident_number"], number.as_str());
    assert_eq!(package_json["enrolments"][0]["system"], FARE_CARD);
    let consent_ids: Vec<&str> = package_json["consent_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(consent_ids, [event["id"].as_str().unwrap()]);
    let decisions: Vec<&str> = package_json["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["decision_id"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, [checked["decision_id"].as_str().unwrap()]);
    assert_eq!(package_json["agency_reports"][0]["data"], trips);
    assert_eq!(package_json["requests"][0]["id"], id.as_str());
    // Another resident gets nothing; the readable page shows the same sections.
    assert_eq!(package(ben.clone()).await.0, 404);
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

async fn the_office_reads_its_figures_records_and_audit_log(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, number) = enrolled_resident(&app, "ana@example.org", &[FARE_CARD]).await;
    let officer = officer(&app, "officer@example.org", "Olga Officer").await;
    app.state
        .accounts
        .create_user("admin@example.org", GOOD_PASSWORD, "Ada Admin", Role::Admin)
        .await
        .unwrap();
    let admin = sign_in(&app, "admin@example.org", GOOD_PASSWORD)
        .await
        .cookie
        .unwrap();
    // Assisted channel: the officer files for a resident found by number.
    let (status, body) = act(
        &app,
        &officer,
        "file_assisted",
        &[
            ("resident_number", &number.to_lowercase()),
            ("kind", "access"),
            ("details", "Came to the office"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let assisted: String = serde_json::from_str(&body).unwrap();
    let (status, body) = act(
        &app,
        &officer,
        "file_assisted",
        &[("resident_number", "GH-0000-0000"), ("kind", "access")],
    )
    .await;
    assert_eq!((status, body.contains("NoSuchResident")), (422, true), "{body}");
    let (status, _) = act(
        &app,
        &ana,
        "file_assisted",
        &[("resident_number", &number), ("kind", "access")],
    )
    .await;
    assert_eq!(status, 403);
    let detail = case(&app, &officer, &assisted).await;
    assert_eq!(detail["detail"]["channel"], "assisted");
    // The resident sees it among theirs.
    let mine = app.call("/fn/requests/mine", &[], Some(&ana)).await;
    assert!(mine.body.contains(&assisted));
    // An overdue one and a fulfilled one.
    let overdue = file(
        &app,
        &ana,
        &[("kind", "erasure"), ("scope", "some"), ("systems[]", FARE_CARD)],
    )
    .await;
    sqlx::query("UPDATE privacy_requests SET due_on = '2000-01-01' WHERE id = $1")
        .bind(&overdue)
        .execute(&app.state.pool)
        .await
        .unwrap();
    let stats = app.call("/fn/console/stats", &[], Some(&officer)).await;
    assert_eq!(stats.status, 200, "{}", stats.body);
    let stats: Value = serde_json::from_str(&stats.body).unwrap();
    assert_eq!(
        (stats["open"].as_i64(), stats["overdue"].as_i64()),
        (Some(2), Some(1))
    );
    let weeks = stats["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 12);
    assert_eq!(weeks[11]["received"], 2, "both received this week");
    assert_eq!(app.call("/fn/console/stats", &[], Some(&ana)).await.status, 403);
    let (status, html) = app.get_as("/admin", &officer).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-stat=\"overdue\">1<"), "{html}");
    assert!(html.contains("<svg"), "the chart is drawn on the server");
    // The record of processing activities.
    let csv = |session: String, query: &'static str| {
        let app = &app;
        async move {
            let response = app
                .client
                .get(app.url(&format!("/admin/requests.csv{query}")))
                .header("cookie", format!("gh_session={session}"))
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, text) = csv(officer.clone(), "").await;
    assert_eq!(status, 200);
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
        csv(officer.clone(), "?from=1999-01-01&to=1999-12-31")
            .await
            .1
            .lines()
            .count(),
        1
    );
    assert_eq!(csv(officer.clone(), "?from=yesterday").await.0, 422);
    assert_eq!(csv(ana.clone(), "").await.0, 403);
    // The audit log: admins read it, officers and residents do not.
    let audit = app.call("/fn/console/audit", &[], Some(&admin)).await;
    assert_eq!(audit.status, 200, "{}", audit.body);
    let audit: Value = serde_json::from_str(&audit.body).unwrap();
    assert_eq!(audit["rows"][0]["action"], "file_assisted");
    assert_eq!(audit["rows"][0]["actor"], "Olga Officer");
    assert_eq!(
        app.call("/fn/console/audit", &[], Some(&officer)).await.status,
        403
    );
    assert_eq!(app.call("/fn/console/audit", &[], Some(&ana)).await.status, 403);
    let (status, html) = app.get_as("/admin/audit", &admin).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-action=\"file_assisted\""), "{html}");
    let (status, _) = app.get_as("/admin/audit", &officer).await;
    assert_eq!(status, 403);
}

async fn an_officer_files_for_someone_without_an_account(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = officer(&app, "officer@example.org", "Olga Officer").await;
    let (status, body) = act(
        &app,
        &officer,
        "file_assisted",
        &[
            ("name", "Rosa Díaz"),
            ("phone", "+1 555 0199"),
            ("kind", "access"),
            ("details", "Phoned the office"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id: String = serde_json::from_str(&body).unwrap();
    let file_ = case(&app, &officer, &id).await;
    assert_eq!(file_["resident_verified"], false);
    assert_eq!(file_["resident_name"], "Rosa Díaz");
    assert_eq!(file_["detail"]["channel"], "assisted");
    // The record is a resident nobody can sign in as.
    let (hash, phone): (String, Option<String>) =
        sqlx::query_as("SELECT password_hash, phone FROM users WHERE resident_number = $1")
            .bind(file_["resident_number"].as_str().unwrap())
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    assert_eq!(hash, store::accounts::UNVERIFIED_RECORD);
    assert_eq!(phone.as_deref(), Some("+1 555 0199"));
    let email = file_["resident_email"].as_str().unwrap().to_owned();
    assert!(email.ends_with("@records.invalid"), "{email}");
    assert_eq!(sign_in(&app, &email, GOOD_PASSWORD).await.status, 401);
    // Neither a number nor a way to reach them; a bad phone; an email that has an account.
    for (form, code) in [
        (vec![("name", "Rosa"), ("kind", "access")], "NoSuchResident"),
        (
            vec![("name", "Rosa"), ("phone", "12ab"), ("kind", "access")],
            "Phone",
        ),
        (
            vec![
                ("name", "Olga"),
                ("email", "officer@example.org"),
                ("kind", "access"),
            ],
            "Email",
        ),
    ] {
        let (status, body) = act(&app, &officer, "file_assisted", &form).await;
        assert_eq!((status, body.contains(code)), (422, true), "{form:?}: {body}");
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
    let (session, number) = enrolled_resident(&app, "jo@example.org", &[FARE_CARD]).await;
    let id = file(&app, &session, &[("kind", "access")]).await;
    let file_ = case(&app, &officer, &id).await;
    let task = file_["detail"]["tasks"][0]["id"].as_str().unwrap().to_owned();
    let requests_before: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM privacy_requests")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    sqlx::query("DROP TABLE admin_audit")
        .execute(&app.state.pool)
        .await
        .unwrap();
    let form = [("id", id.as_str()), ("task", task.as_str()), ("outcome", "done")];
    let (status, body) = act(&app, &officer, "complete_task", &form).await;
    assert_eq!(status, 503, "{body}");
    let (outcome,): (Option<String>,) = sqlx::query_as("SELECT outcome FROM request_tasks WHERE id = $1")
        .bind(&task)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(
        outcome, None,
        "the task stays open when its audit row is not written"
    );
    let form = [("resident_number", number.as_str()), ("kind", "access")];
    let (status, body) = act(&app, &officer, "file_assisted", &form).await;
    assert_eq!(status, 503, "{body}");
    let requests_after: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM privacy_requests")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(
        requests_after, requests_before,
        "no request is filed without its audit row"
    );
}
