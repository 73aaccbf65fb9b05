//! Privacy requests, on SQLite and PostgreSQL: residents file and follow them, only their
//! own; agencies complete only their own tasks, once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use app::error::AppError;
use common::client::Filing;
use common::{Backend, TestApp, bearer, enrolled_resident, filed, spawn_app, unenrolled_resident};
use domain::account::ApiScope;
use domain::calendar::Date;
use domain::requests::{Clock, DeadlinePolicy, RequestInputError, RequestKind, RequestStatus, TaskOutcome};
use serde_json::{Value, json};
use server::api::requests::CompleteTask;

on_both_databases!(
    each_kind_is_filed_with_its_tasks_and_its_legal_clock,
    a_bad_request_is_explained_and_nothing_is_stored,
    residents_never_see_or_touch_each_others_requests,
    a_withdrawal_closes_the_request_once,
    agencies_complete_only_their_own_tasks_and_only_once,
    a_public_space_task_carries_the_details_not_the_resident_number,
    a_resident_files_at_most_ten_requests_a_day_and_thirty_messages_an_hour,
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
    let me = app.as_user(&session);
    let objection = format!("{CCTV}/{CCTV_PURPOSE}");
    for kind in RequestKind::ALL {
        let filing = match kind {
            RequestKind::Objection => Filing::new(kind.code()).purpose(&objection),
            _ => Filing::new(kind.code())
                .systems(&[FARE_CARD, ACCOUNT])
                .details("Please include 2026."),
        };
        let id = filed(&app, &session, &filing).await;
        let body = me.request(&id).await.ok();
        assert_eq!(body.summary.kind, *kind);
        assert_eq!(body.summary.status, RequestStatus::Received);
        assert_eq!(body.summary.received, today());
        let due = DeadlinePolicy::Gdpr.due(Clock {
            received: today(),
            paused_days: 0,
            extended: false,
        });
        assert_eq!(body.summary.due, due, "one calendar month");
        assert_eq!(body.summary.days_left, Some(today().days_until(due)));
        assert_eq!(body.timeline.len(), 1);
        assert_eq!(body.timeline[0].status, RequestStatus::Received);
        let systems: Vec<&str> = body.tasks.iter().map(|t| t.system.as_str()).collect();
        if *kind == RequestKind::Objection {
            assert_eq!(systems, [CCTV], "an objection concerns its purpose's system");
            assert_eq!(
                body.objection.as_ref().map(|(_, purpose)| purpose.as_str()),
                Some("Keeping passengers safe")
            );
        } else {
            assert_eq!(systems.len(), 2, "{systems:?}");
            assert!(systems.contains(&FARE_CARD) && systems.contains(&ACCOUNT));
            assert_eq!(body.details, "Please include 2026.");
        }
        assert!(body.tasks.iter().all(|t| t.outcome.is_none()));
    }
    // "All systems that hold my data": the enrolled ones and every active public-space one.
    let id = filed(&app, &session, &Filing::new("access").scope("all")).await;
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
    let list = me.my_requests().await.ok().items;
    assert_eq!(list.len(), RequestKind::ALL.len() + 1);
    assert_eq!(list[0].id, id);
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
    let cases: Vec<(Filing, RequestInputError)> = vec![
        (Filing::new("complaint"), RequestInputError::Kind),
        (Filing::new("access").scope("some"), RequestInputError::NoSystems),
        // Enrollment systems the resident is not enrolled with hold none of their data.
        (
            Filing::new("erasure").systems(&["smart-water-meters"]),
            RequestInputError::UnknownSystem,
        ),
        (Filing::new("objection"), RequestInputError::ObjectionNeedsPurpose),
        (
            Filing::new("objection").purpose("smart-water-meters/water-billing"),
            RequestInputError::UnknownPurpose,
        ),
        (
            Filing::new("access").details(&long),
            RequestInputError::DetailsTooLong,
        ),
    ];
    for (filing, error) in cases {
        let answer = app.as_user(&session).file_request(&filing).await;
        assert_eq!(answer.status, 422, "{filing:?}: {}", answer.body);
        assert_eq!(answer.error(), AppError::RequestInput(error), "{filing:?}");
    }
    assert_eq!(count_requests(&app).await, 0);
    // Not signed in: refused before anything else.
    let called = app.anonymous().file_request(&Filing::new("access")).await;
    assert_eq!(called.status, 401, "{}", called.body);
    // Without JavaScript the form comes back with the error, and nothing is stored.
    let response = app
        .as_user(&session)
        .with_header("accept", "text/html")
        .with_header("referer", &app.url("/my/requests/new"))
        .file_request(&Filing::new("objection"))
        .await;
    assert!((300..400).contains(&response.status), "{}", response.status);
    let location = response.header("location").unwrap();
    assert!(location.contains("/my/requests/new"), "{location}");
    assert_eq!(count_requests(&app).await, 0);
}

async fn residents_never_see_or_touch_each_others_requests(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, _) = resident(&app, "ana@example.org").await;
    let (ben, _) = unenrolled_resident(&app, "ben@example.org").await;
    let id = filed(&app, &ana, &Filing::new("access").scope("all")).await;
    let other = app.as_user(&ben);
    assert_eq!(other.request(&id).await.status, 404);
    let called = other.withdraw_request(&id).await;
    assert_eq!(called.status, 404, "{}", called.body);
    let (status, html) = app.get_as(&format!("/my/requests/{id}"), &ben).await;
    assert_eq!(status, 404);
    assert!(!html.contains("data-testid=\"request-facts\""));
    assert!(other.my_requests().await.ok().items.is_empty());
    let called = other.reply(&id, "Mine").await;
    assert_eq!(called.status, 404, "{}", called.body);
    let called = other.package(&id).await;
    assert_eq!(called.status, 404, "{}", called.body);
    // Signed out: nothing either, from any of the resident's server functions or downloads.
    let anonymous = app.anonymous();
    for (name, (status, body)) in [
        ("requests/get", anonymous.request(&id).await.parts()),
        ("requests/mine", anonymous.my_requests().await.parts()),
        ("requests/withdraw", anonymous.withdraw_request(&id).await.parts()),
        ("requests/reply", anonymous.reply(&id, "Hello").await.parts()),
        ("requests/package", anonymous.package(&id).await.parts()),
        ("notifications/list", anonymous.notifications().await.parts()),
        (
            "notifications/read",
            anonymous.mark_notifications_read(None).await.parts(),
        ),
    ] {
        assert_eq!(status, 401, "{name}: {body}");
    }
    assert_eq!(anonymous.package_json(&id).await.status, 401);
    // Ana's request is untouched.
    let body = app.as_user(&ana).request(&id).await.ok();
    assert_eq!(body.summary.status, RequestStatus::Received);
}

async fn a_withdrawal_closes_the_request_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (session, _) = resident(&app, "ana@example.org").await;
    let me = app.as_user(&session);
    let id = filed(&app, &session, &Filing::new("erasure").systems(&[FARE_CARD])).await;
    let called = me.withdraw_request(&id).await;
    assert_eq!(called.status, 200, "{}", called.body);
    let body = me.request(&id).await.ok();
    assert_eq!(body.summary.status, RequestStatus::Withdrawn);
    assert_eq!(body.summary.closed, Some(today()));
    assert!(body.summary.days_left.is_none());
    let timeline: Vec<RequestStatus> = body.timeline.iter().map(|e| e.status).collect();
    assert_eq!(timeline, [RequestStatus::Received, RequestStatus::Withdrawn]);
    // A closed request cannot change again: 409, and no new timeline entry.
    let again = me.withdraw_request(&id).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(again.error(), AppError::RequestClosed);
    let body = me.request(&id).await.ok();
    assert_eq!(body.timeline.len(), 2);
    // The page no longer offers to withdraw it.
    let (_, html) = app.get_as(&format!("/my/requests/{id}"), &session).await;
    assert!(!html.contains("name=\"id\""), "{html}");
}

async fn agencies_complete_only_their_own_tasks_and_only_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (session, number) = resident(&app, "ana@example.org").await;
    let id = filed(
        &app,
        &session,
        &Filing::new("access").systems(&[FARE_CARD, ACCOUNT]),
    )
    .await;
    let transit = app.as_agency(&bearer(&app, TRANSIT, &[ApiScope::RequestsWork]).await);
    let digital = app.as_agency(&bearer(&app, DIGITAL, &[ApiScope::RequestsWork]).await);
    let tasks = transit.tasks(Some("open")).await.ok().tasks;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    let transit_task = tasks[0].id.clone();
    assert_eq!(tasks[0].system, FARE_CARD);
    assert_eq!(tasks[0].subject.as_deref(), Some(number.as_str()));
    assert_eq!(tasks[0].request_id, id);
    assert_eq!(tasks[0].kind, "access");
    let tasks = digital.tasks(None).await.ok().tasks;
    let digital_task = tasks[0].id.clone();
    assert_eq!(tasks[0].system, ACCOUNT);

    // Another agency's task does not exist for the caller.
    let done = CompleteTask {
        outcome: TaskOutcome::Done,
        note: "Trips attached.".to_owned(),
        data: Some(json!({"trips": [{"date": "2026-11-02"}]})),
    };
    let answer = transit.complete_task(&digital_task, &done).await;
    assert_eq!(answer.status, 404, "{}", answer.body);
    assert_eq!(transit.complete_task("no-such-task", &done).await.status, 404);
    // A token without the scope, and bad bodies, change nothing.
    let no_scope = app.as_agency(&bearer(&app, TRANSIT, &[ApiScope::ConsentCheck]).await);
    let answer = no_scope.complete_task(&transit_task, &done).await;
    assert_eq!(
        (answer.status, answer.error().error.as_str()),
        (403, "insufficient_scope")
    );
    assert_eq!(no_scope.tasks(None).await.status, 403);
    for bad in [
        json!({"outcome": "maybe"}),
        json!({"outcome": "refused", "note": "  "}),
        json!({"outcome": "done", "data": [1, 2]}),
        json!({"outcome": "done", "surprise": true}),
    ] {
        let answer = transit.complete_task_raw(&transit_task, &bad).await;
        assert_eq!(answer.status, 422, "{bad}: {}", answer.body);
    }
    assert_eq!(transit.tasks(Some("someday")).await.status, 422);

    // The agency completes its own task, once.
    let completed = transit.complete_task(&transit_task, &done).await.ok();
    assert_eq!(completed.outcome, "done");
    let again = transit.complete_task(&transit_task, &done).await;
    assert_eq!((again.status, again.error().error.as_str()), (409, "task_closed"));
    assert!(transit.tasks(None).await.ok().tasks.is_empty());
    let closed = transit.tasks(Some("completed")).await.ok().tasks;
    assert_eq!(closed[0].outcome.as_deref(), Some("done"));
    let (data, by): (String, String) =
        sqlx::query_as("SELECT data, completed_by FROM request_tasks WHERE id = $1")
            .bind(&transit_task)
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    assert_eq!(Some(serde_json::from_str::<Value>(&data).unwrap()), done.data);
    assert!(by.starts_with("client:"), "{by}");

    // The resident sees what each agency reported.
    let me = app.as_user(&session);
    let body = me.request(&id).await.ok();
    let outcomes: Vec<(&str, Option<TaskOutcome>)> = body
        .tasks
        .iter()
        .map(|t| (t.system.as_str(), t.outcome))
        .collect();
    assert!(
        outcomes.contains(&(FARE_CARD, Some(TaskOutcome::Done))),
        "{outcomes:?}"
    );
    assert!(outcomes.contains(&(ACCOUNT, None)), "{outcomes:?}");

    // Once the request is withdrawn, its open tasks can no longer be completed or listed.
    me.withdraw_request(&id).await;
    let no_data = CompleteTask {
        outcome: TaskOutcome::NoData,
        note: String::new(),
        data: None,
    };
    assert_eq!(digital.complete_task(&digital_task, &no_data).await.status, 409);
    assert!(digital.tasks(None).await.ok().tasks.is_empty());
}

async fn a_public_space_task_carries_the_details_not_the_resident_number(backend: Backend) {
    let app = spawn_app(backend).await;
    let (session, number) = resident(&app, "ben@example.org").await;
    let details = "Red coat, platform 2, 3 May around 14:00.";
    let id = filed(
        &app,
        &session,
        &Filing::new("access").systems(&[CCTV, FARE_CARD]).details(details),
    )
    .await;
    // Transit runs both the station cameras and the fare card.
    let transit = app.as_agency(&bearer(&app, TRANSIT, &[ApiScope::RequestsWork]).await);
    let tasks = transit.tasks(None).await.ok().tasks;
    let task_of = |system: &str| {
        tasks
            .iter()
            .find(|t| t.request_id == id && t.system == system)
            .unwrap_or_else(|| panic!("a task for {system}: {tasks:?}"))
    };
    let camera = task_of(CCTV);
    assert_eq!(camera.subject, None, "a camera never knew the resident by number");
    assert_eq!(
        camera.details, details,
        "it searches its footage by what the resident wrote"
    );
    assert_eq!(
        task_of(FARE_CARD).subject.as_deref(),
        Some(number.as_str()),
        "a fare card holds the resident by number"
    );
}

async fn a_resident_files_at_most_ten_requests_a_day_and_thirty_messages_an_hour(backend: Backend) {
    use domain::requests::{QuotaExceeded, ResidentQuota};
    let app = spawn_app(backend).await;
    let (ana, _) = resident(&app, "ana@example.org").await;
    let ana = app.as_user(&ana);
    // Sent at once: the count is taken inside each filing's transaction, so a burst cannot
    // slip past it together.
    let mut filings = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let ana = ana.clone();
        filings.spawn(async move { ana.file_request(&Filing::new("access").scope("all")).await });
    }
    let answers = filings.join_all().await;
    let refused: Vec<_> = answers.iter().filter(|a| a.status == 429).collect();
    assert_eq!(refused.len(), 2, "{answers:?}");
    assert_eq!(answers.iter().filter(|a| a.status == 200).count(), 10);
    let AppError::Quota(QuotaExceeded {
        quota,
        limit,
        retry_after_secs,
    }) = refused[0].error()
    else {
        panic!("{:?}", refused[0]);
    };
    assert_eq!((quota, limit), (ResidentQuota::RequestsPerDay, 10));
    assert!(retry_after_secs > 23 * 3600, "{retry_after_secs}");
    assert_eq!(
        refused[0].header("retry-after"),
        Some(retry_after_secs.to_string().as_str())
    );
    assert_eq!(
        count_requests(&app).await,
        10,
        "nothing stored for the refused ones"
    );
    // Another resident is not held back by Ana's allowance.
    let (ben, _) = resident(&app, "ben@example.org").await;
    filed(&app, &ben, &Filing::new("access").scope("all")).await;

    // Messages: thirty an hour over all of the resident's requests.
    let id = ana.my_requests().await.ok().items[0].id.clone();
    for n in 0..30 {
        let sent = ana.reply(&id, &format!("Message {n}")).await;
        assert_eq!(sent.status, 200, "{n}: {}", sent.body);
    }
    let refused = ana.reply(&id, "One more").await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert!(matches!(
        refused.error(),
        AppError::Quota(QuotaExceeded {
            quota: ResidentQuota::MessagesPerHour,
            limit: 30,
            ..
        })
    ));
    assert!(refused.header("retry-after").is_some());
    let (messages,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM request_messages WHERE author = 'resident'")
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    assert_eq!(messages, 30);
}
