//! Privacy requests, on SQLite and PostgreSQL: residents file and follow them, only their
//! own; agencies complete only their own tasks, once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, TestApp, bearer, enrolled_resident, spawn_app, unenrolled_resident};
use domain::account::ApiScope;
use domain::calendar::Date;
use domain::requests::{Clock, DeadlinePolicy, RequestKind};
use serde_json::{Value, json};

on_both_databases!(
    each_kind_is_filed_with_its_tasks_and_its_legal_clock,
    a_bad_request_is_explained_and_nothing_is_stored,
    residents_never_see_or_touch_each_others_requests,
    a_withdrawal_closes_the_request_once,
    agencies_complete_only_their_own_tasks_and_only_once,
);

/// Systems the test resident is enrolled with, and their agencies.
const FARE_CARD: &str = "riverpass-fare-card";
const TRANSIT: &str = "riverton-transit";
const ACCOUNT: &str = "myriverton-account";
const DIGITAL: &str = "riverton-digital-services";
/// A public-space system on a public task, which residents may object to.
const CCTV: &str = "central-station-cctv";
const CCTV_PURPOSE: &str = "passenger-safety";

async fn resident(app: &TestApp, email: &str) -> (String, String) {
    enrolled_resident(app, email, &[FARE_CARD, ACCOUNT]).await
}

/// Files a request through the server function; the answer's status and body.
async fn file(app: &TestApp, session: &str, form: &[(&str, &str)]) -> (u16, String) {
    let called = app.call("/fn/requests/file", form, Some(session)).await;
    (called.status, called.body)
}

/// Files a request that must be accepted; its id.
async fn filed(app: &TestApp, session: &str, form: &[(&str, &str)]) -> String {
    let (status, body) = file(app, session, form).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<String>(&body).unwrap()
}

/// The resident's view of one request, through the server function.
async fn detail(app: &TestApp, session: &str, id: &str) -> (u16, Value) {
    let called = app
        .call("/fn/requests/get", &[("id", id), ("lang", "en")], Some(session))
        .await;
    (
        called.status,
        serde_json::from_str(&called.body).unwrap_or(Value::Null),
    )
}

async fn count_requests(app: &TestApp) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM privacy_requests")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    n
}

fn today() -> Date {
    store::requests::today()
}

async fn each_kind_is_filed_with_its_tasks_and_its_legal_clock(backend: Backend) {
    let app = spawn_app(backend).await;
    let (session, _) = resident(&app, "ana@example.org").await;
    let objection = format!("{CCTV}/{CCTV_PURPOSE}");
    for kind in RequestKind::ALL {
        let form: Vec<(&str, &str)> = match kind {
            RequestKind::Objection => vec![("kind", kind.code()), ("purpose", &objection)],
            _ => vec![
                ("kind", kind.code()),
                ("scope", "some"),
                ("systems[]", FARE_CARD),
                ("systems[]", ACCOUNT),
                ("details", "Please include 2026."),
            ],
        };
        let id = filed(&app, &session, &form).await;
        let (status, body) = detail(&app, &session, &id).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["summary"]["kind"], kind.code());
        assert_eq!(body["summary"]["status"], "received");
        assert_eq!(body["summary"]["received"], today().to_string());
        let due = DeadlinePolicy::Gdpr.due(Clock {
            received: today(),
            paused_days: 0,
            extended: false,
        });
        assert_eq!(body["summary"]["due"], due.to_string(), "one calendar month");
        assert_eq!(body["summary"]["days_left"], today().days_until(due));
        assert_eq!(body["timeline"].as_array().unwrap().len(), 1);
        assert_eq!(body["timeline"][0]["status"], "received");
        let systems: Vec<&str> = body["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["system"].as_str().unwrap())
            .collect();
        if *kind == RequestKind::Objection {
            assert_eq!(systems, [CCTV], "an objection concerns its purpose's system");
            assert_eq!(body["objection"][1], "Keeping passengers safe");
        } else {
            assert_eq!(systems.len(), 2, "{systems:?}");
            assert!(systems.contains(&FARE_CARD) && systems.contains(&ACCOUNT));
            assert_eq!(body["details"], "Please include 2026.");
        }
        assert!(
            body["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["outcome"].is_null())
        );
    }
    // "All systems that hold my data": the enrolled ones and every active public-space one.
    let id = filed(&app, &session, &[("kind", "access"), ("scope", "all")]).await;
    let (tasks,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM request_tasks WHERE request_id = $1")
        .bind(&id)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    let (public,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM systems WHERE scope = 'public_space' AND status = 'active'")
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    assert_eq!(tasks, public + 2);
    // The list has every request, newest first.
    let called = app.call("/fn/requests/mine", &[], Some(&session)).await;
    let list: Value = serde_json::from_str(&called.body).unwrap();
    assert_eq!(list.as_array().unwrap().len(), RequestKind::ALL.len() + 1);
    assert_eq!(list[0]["id"], id);
    // The pages show them.
    let (status, html) = app.get_as("/my/requests", &session).await;
    assert_eq!(status, 200);
    assert_eq!(
        html.matches("data-status=\"received\"").count(),
        RequestKind::ALL.len() + 1
    );
    let (status, html) = app.get_as(&format!("/my/requests/{id}"), &session).await;
    assert_eq!(status, 200);
    assert!(html.contains("Access"), "{html}");
    assert!(html.contains("data-testid=\"request-tasks\""));
}

async fn a_bad_request_is_explained_and_nothing_is_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    let (session, _) = resident(&app, "ana@example.org").await;
    let long = "x".repeat(domain::requests::MAX_DETAILS_CHARS + 1);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("kind", "complaint")], "Kind"),
        (vec![("kind", "access"), ("scope", "some")], "NoSystems"),
        // Enrolment systems the resident is not enrolled with hold none of their data.
        (
            vec![
                ("kind", "erasure"),
                ("scope", "some"),
                ("systems[]", "smart-water-meters"),
            ],
            "UnknownSystem",
        ),
        (vec![("kind", "objection")], "ObjectionNeedsPurpose"),
        (
            vec![
                ("kind", "objection"),
                ("purpose", "smart-water-meters/water-billing"),
            ],
            "UnknownPurpose",
        ),
        (vec![("kind", "access"), ("details", &long)], "DetailsTooLong"),
    ];
    for (form, error) in cases {
        let (status, body) = file(&app, &session, &form).await;
        assert_eq!(status, 422, "{form:?}: {body}");
        assert!(body.contains(error), "{form:?}: {body}");
    }
    assert_eq!(count_requests(&app).await, 0);
    // Not signed in: refused before anything else.
    let called = app.call("/fn/requests/file", &[("kind", "access")], None).await;
    assert_eq!(called.status, 401, "{}", called.body);
    // Without JavaScript the form comes back with the error, and nothing is stored.
    let response = app
        .client
        .post(app.url("/fn/requests/file"))
        .header("accept", "text/html")
        .header("referer", app.url("/my/requests/new"))
        .header("cookie", format!("gh_session={session}"))
        .form(&[("kind", "objection")])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("/my/requests/new"), "{location}");
    assert_eq!(count_requests(&app).await, 0);
}

async fn residents_never_see_or_touch_each_others_requests(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, _) = resident(&app, "ana@example.org").await;
    let (ben, _) = unenrolled_resident(&app, "ben@example.org").await;
    let id = filed(&app, &ana, &[("kind", "access"), ("scope", "all")]).await;
    let (status, _) = detail(&app, &ben, &id).await;
    assert_eq!(status, 404);
    let called = app
        .call("/fn/requests/withdraw", &[("id", &id)], Some(&ben))
        .await;
    assert_eq!(called.status, 404, "{}", called.body);
    let (status, html) = app.get_as(&format!("/my/requests/{id}"), &ben).await;
    assert_eq!(status, 404);
    assert!(!html.contains("data-testid=\"request-facts\""));
    let called = app.call("/fn/requests/mine", &[], Some(&ben)).await;
    assert_eq!(called.body, "[]");
    let called = app
        .call("/fn/requests/reply", &[("id", &id), ("body", "Mine")], Some(&ben))
        .await;
    assert_eq!(called.status, 404, "{}", called.body);
    let called = app
        .call("/fn/requests/package", &[("id", &id), ("lang", "en")], Some(&ben))
        .await;
    assert_eq!(called.status, 404, "{}", called.body);
    // Signed out: nothing either, from any of the resident's server functions or downloads.
    for (path, form) in [
        ("/fn/requests/get", vec![("id", id.as_str()), ("lang", "en")]),
        ("/fn/requests/mine", vec![]),
        ("/fn/requests/withdraw", vec![("id", id.as_str())]),
        ("/fn/requests/reply", vec![("id", id.as_str()), ("body", "Hello")]),
        ("/fn/requests/package", vec![("id", id.as_str()), ("lang", "en")]),
        ("/fn/notifications/list", vec![]),
        ("/fn/notifications/read", vec![("id", "")]),
    ] {
        let called = app.call(path, &form, None).await;
        assert_eq!(called.status, 401, "{path}: {}", called.body);
    }
    let download = app
        .client
        .get(app.url(&format!("/my/requests/{id}/package.json")))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 401);
    // Ana's request is untouched.
    let (status, body) = detail(&app, &ana, &id).await;
    assert_eq!(status, 200);
    assert_eq!(body["summary"]["status"], "received");
}

async fn a_withdrawal_closes_the_request_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (session, _) = resident(&app, "ana@example.org").await;
    let id = filed(
        &app,
        &session,
        &[("kind", "erasure"), ("scope", "some"), ("systems[]", FARE_CARD)],
    )
    .await;
    let called = app
        .call("/fn/requests/withdraw", &[("id", &id)], Some(&session))
        .await;
    assert_eq!(called.status, 200, "{}", called.body);
    let (_, body) = detail(&app, &session, &id).await;
    assert_eq!(body["summary"]["status"], "withdrawn");
    assert_eq!(body["summary"]["closed"], today().to_string());
    assert!(body["summary"]["days_left"].is_null());
    let timeline: Vec<&str> = body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(timeline, ["received", "withdrawn"]);
    // A closed request cannot change again: 409, and no new timeline entry.
    let again = app
        .call("/fn/requests/withdraw", &[("id", &id)], Some(&session))
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    let (_, body) = detail(&app, &session, &id).await;
    assert_eq!(body["timeline"].as_array().unwrap().len(), 2);
    // The page no longer offers to withdraw it.
    let (_, html) = app.get_as(&format!("/my/requests/{id}"), &session).await;
    assert!(!html.contains("name=\"id\""), "{html}");
}

/// GETs an API route with a bearer token.
async fn get_api(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn complete(app: &TestApp, token: &str, task: &str, body: &Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/privacy-requests/tasks/{task}/complete")))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn agencies_complete_only_their_own_tasks_and_only_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (session, number) = resident(&app, "ana@example.org").await;
    let id = filed(
        &app,
        &session,
        &[
            ("kind", "access"),
            ("scope", "some"),
            ("systems[]", FARE_CARD),
            ("systems[]", ACCOUNT),
        ],
    )
    .await;
    let transit = bearer(&app, TRANSIT, &[ApiScope::RequestsWork]).await;
    let digital = bearer(&app, DIGITAL, &[ApiScope::RequestsWork]).await;
    let (status, body) = get_api(&app, &transit, "/api/v1/privacy-requests/tasks?status=open").await;
    assert_eq!(status, 200, "{body}");
    let tasks = body["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 1, "{body}");
    let transit_task = tasks[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(tasks[0]["system"], FARE_CARD);
    assert_eq!(tasks[0]["subject"], number.as_str());
    assert_eq!(tasks[0]["request_id"], id.as_str());
    assert_eq!(tasks[0]["kind"], "access");
    let (_, body) = get_api(&app, &digital, "/api/v1/privacy-requests/tasks").await;
    let digital_task = body["tasks"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(body["tasks"][0]["system"], ACCOUNT);

    // Another agency's task does not exist for the caller.
    let done =
        json!({"outcome": "done", "note": "Trips attached.", "data": {"trips": [{"date": "2026-11-02"}]}});
    let (status, body) = complete(&app, &transit, &digital_task, &done).await;
    assert_eq!(status, 404, "{body}");
    let (status, _) = complete(&app, &transit, "no-such-task", &done).await;
    assert_eq!(status, 404);
    // A token without the scope, and bad bodies, change nothing.
    let no_scope = bearer(&app, TRANSIT, &[ApiScope::ConsentCheck]).await;
    let (status, body) = complete(&app, &no_scope, &transit_task, &done).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("insufficient_scope"))
    );
    let (status, _) = get_api(&app, &no_scope, "/api/v1/privacy-requests/tasks").await;
    assert_eq!(status, 403);
    for bad in [
        json!({"outcome": "maybe"}),
        json!({"outcome": "refused", "note": "  "}),
        json!({"outcome": "done", "data": [1, 2]}),
        json!({"outcome": "done", "surprise": true}),
    ] {
        let (status, body) = complete(&app, &transit, &transit_task, &bad).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    let (status, _) = get_api(&app, &transit, "/api/v1/privacy-requests/tasks?status=someday").await;
    assert_eq!(status, 422);

    // The agency completes its own task, once.
    let (status, body) = complete(&app, &transit, &transit_task, &done).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outcome"], "done");
    let (status, body) = complete(&app, &transit, &transit_task, &done).await;
    assert_eq!((status, body["error"].as_str()), (409, Some("task_closed")));
    let (_, body) = get_api(&app, &transit, "/api/v1/privacy-requests/tasks").await;
    assert!(body["tasks"].as_array().unwrap().is_empty());
    let (_, body) = get_api(&app, &transit, "/api/v1/privacy-requests/tasks?status=completed").await;
    assert_eq!(body["tasks"][0]["outcome"], "done");
    let (data, by): (String, String) =
        sqlx::query_as("SELECT data, completed_by FROM request_tasks WHERE id = $1")
            .bind(&transit_task)
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    assert_eq!(serde_json::from_str::<Value>(&data).unwrap(), done["data"]);
    assert!(by.starts_with("client:"), "{by}");

    // The resident sees what each agency reported.
    let (_, body) = detail(&app, &session, &id).await;
    let outcomes: Vec<(&str, Value)> = body["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["system"].as_str().unwrap(), t["outcome"].clone()))
        .collect();
    assert!(outcomes.contains(&(FARE_CARD, json!("done"))), "{outcomes:?}");
    assert!(outcomes.contains(&(ACCOUNT, Value::Null)), "{outcomes:?}");

    // Once the request is withdrawn, its open tasks can no longer be completed or listed.
    app.call("/fn/requests/withdraw", &[("id", &id)], Some(&session))
        .await;
    let (status, _) = complete(&app, &digital, &digital_task, &json!({"outcome": "no_data"})).await;
    assert_eq!(status, 409);
    let (_, body) = get_api(&app, &digital, "/api/v1/privacy-requests/tasks").await;
    assert!(body["tasks"].as_array().unwrap().is_empty());
}
