//! The breach register: the 72-hour clock, the residents an incident affects (enrolled, or
//! named in the decision log within its window — and nobody else), notices to exactly them,
//! the letters, the public list, and incidents agencies report, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, TestApp, bearer, enrolled_resident, officer, sign_up, spawn_app, unenrolled_resident};
use domain::account::ApiScope;
use domain::breaches::IncidentInput;
use domain::register::{DataCategory, Slug};
use serde_json::json;

on_both_databases!(
    an_incident_reaches_exactly_the_residents_it_affects_and_is_published_when_closed,
    the_form_refuses_an_impossible_window_and_residents_may_not_open_incidents,
    an_agency_reports_an_incident_about_its_own_systems_only,
);

async fn user_id(app: &TestApp, number: &str) -> String {
    store::consent::user_by_number(&app.state.pool, number)
        .await
        .unwrap()
        .unwrap()
}

async fn an_incident_reaches_exactly_the_residents_it_affects_and_is_published_when_closed(backend: Backend) {
    let app = spawn_app(backend).await;
    let police = app.as_agency(&bearer(&app, "riverton-police", &[ApiScope::ConsentCheck]).await);
    // Enrolled with a system concerned: affected.
    let (enrolled, enrolled_number) =
        enrolled_resident(&app, "breach-enrolled@example.org", &["library-cards"]).await;
    // Enrolled with another system only: not affected.
    let (_, elsewhere_number) =
        enrolled_resident(&app, "breach-elsewhere@example.org", &["library-e-lending"]).await;
    let window_start = store::now_us();
    // Named in the log about a system concerned, within the window: affected.
    let (_, queried_number) = unenrolled_resident(&app, "breach-queried@example.org").await;
    police
        .check(&queried_number, "downtown-cctv", "incident-investigation")
        .await
        .ok();
    let window_end = store::now_us() + 1;
    // Named about it after the window: not affected.
    let (later, later_number) = unenrolled_resident(&app, "breach-later@example.org").await;
    police
        .check(&later_number, "downtown-cctv", "incident-investigation")
        .await
        .ok();

    let input = IncidentInput {
        title: "Camera footage index copied to a personal drive".to_owned(),
        description: "An index of footage requests, with resident numbers, was copied.".to_owned(),
        detected_at_us: store::now_us(),
        window_start_us: window_start,
        window_end_us: window_end,
        systems: vec![
            Slug::parse("downtown-cctv").unwrap(),
            Slug::parse("library-cards").unwrap(),
        ],
        data_categories: vec![DataCategory::Identity],
        containment: "The drive was wiped.".to_owned(),
    }
    .check()
    .unwrap();
    let opener = app
        .state
        .accounts
        .create_user(
            "breach-opener@example.org",
            common::GOOD_PASSWORD,
            "Opal",
            domain::account::Role::Officer,
        )
        .await
        .unwrap();
    let opened = store::breaches::open(&app.state.pool, &input, store::breaches::Opener::Officer(&opener))
        .await
        .unwrap()
        .unwrap();

    let affected = store::breaches::affected_of(&app.state.pool, &opened)
        .await
        .unwrap()
        .unwrap();
    let mut numbers: Vec<&str> = affected.iter().map(|a| a.resident_number.as_str()).collect();
    numbers.sort_unstable();
    let mut expected = vec![enrolled_number.as_str(), queried_number.as_str()];
    expected.sort_unstable();
    assert_eq!(
        numbers, expected,
        "enrolled, and queried within the window; not {elsewhere_number} nor {later_number}"
    );

    let officer_session = officer(&app, "breach-officer@example.org", "Bea").await;
    let desk = app.as_user(&officer_session);
    let (status, case) = app
        .get_as(&format!("/admin/breaches/{opened}"), &officer_session)
        .await;
    assert_eq!(status, 200);
    assert!(case.contains("data-urgency=\"green\""), "72 hours left: green");
    assert!(
        case.replace("<!>", "").contains("2 residents are affected"),
        "the computed count is shown"
    );
    assert!(
        case.contains("dpo@police.riverton.example") && case.contains("dpo@library.riverton.example"),
        "the draft names each DPO"
    );

    // Not notifying needs reasons; notifying residents needs the decision, then the count.
    assert_eq!(
        desk.notify_breach(&opened, "2").await.status,
        409,
        "not before the decision"
    );
    let refused = desk.decide_breach(&opened, "not_notify", "no").await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(desk.decide_breach(&opened, "notify", "").await.status, 200);
    assert_eq!(
        desk.decide_breach(&opened, "notify", "").await.status,
        409,
        "decided once"
    );
    assert_eq!(
        desk.notify_breach(&opened, "3").await.status,
        409,
        "a count other than the computed one"
    );
    assert_eq!(desk.notify_breach(&opened, "2").await.status, 200);
    let told: Vec<(String,)> =
        sqlx::query_as("SELECT user_id FROM breach_notices WHERE breach_id = $1 ORDER BY user_id")
            .bind(&opened)
            .fetch_all(&app.state.pool)
            .await
            .unwrap();
    let mut told: Vec<String> = told.into_iter().map(|(u,)| u).collect();
    told.sort();
    let mut exactly = vec![
        user_id(&app, &enrolled_number).await,
        user_id(&app, &queried_number).await,
    ];
    exactly.sort();
    assert_eq!(told, exactly, "a notice to exactly the affected residents");

    // The card shows on the affected resident's page, not on anyone else's.
    let (_, mine) = app.get_as("/my", &enrolled).await;
    assert!(mine.contains("data-testid=\"breach-cards\"") && mine.contains("Camera footage index copied"));
    let (_, theirs) = app.get_as("/my", &later).await;
    assert!(!theirs.contains("data-testid=\"breach-cards\""));

    // The letters: staff only, recorded, one line per affected resident.
    let (status, _) = app
        .get_as(&format!("/admin/breaches/{opened}/letters.csv"), &enrolled)
        .await;
    assert_eq!(status, 403);
    let (status, letters) = app
        .get_as(&format!("/admin/breaches/{opened}/letters.csv"), &officer_session)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        letters.lines().count(),
        3,
        "a header and two residents: {letters}"
    );
    assert!(letters.contains(&enrolled_number) && !letters.contains(&later_number));
    let (reads,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM admin_audit WHERE action = 'breach_letters'")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(reads, 1);

    // Not public until closed; closed, it is listed with the count hidden (2 < 5).
    let (_, public) = app.get("/breaches").await;
    assert!(!public.contains("Camera footage index copied"));
    assert_eq!(
        desk.close_breach(&opened, " ").await.status,
        422,
        "a summary is needed"
    );
    assert_eq!(
        desk.close_breach(&opened, "We told the two residents and changed the access rules.")
            .await
            .status,
        200
    );
    let (_, public) = app.get("/breaches").await;
    assert!(public.contains("Camera footage index copied"));
    assert!(public.contains("fewer than 5"));
    let actions: Vec<(String,)> =
        sqlx::query_as("SELECT action FROM admin_audit WHERE action LIKE '%breach%' ORDER BY at_us, id")
            .fetch_all(&app.state.pool)
            .await
            .unwrap();
    let actions: Vec<&str> = actions.iter().map(|(a,)| a.as_str()).collect();
    for step in [
        "open_breach",
        "decide_breach",
        "notify_breach",
        "breach_letters",
        "close_breach",
    ] {
        assert!(actions.contains(&step), "{step} audited: {actions:?}");
    }
}

async fn the_form_refuses_an_impossible_window_and_residents_may_not_open_incidents(backend: Backend) {
    let app = spawn_app(backend).await;
    let fields = [
        ("title", "Letters sent to the wrong addresses"),
        ("description", "A mail merge shifted addresses by one line."),
        ("detected", "2026-11-20T10:00"),
        ("window_start", "2026-11-18T00:00"),
        ("window_end", "2026-11-19T00:00"),
        ("system.residential-parking-permits", "on"),
        ("category.contact", "on"),
        ("containment", "The print run was stopped."),
    ];
    let resident = app.as_user(&sign_up(&app, "breach-nosy@example.org").await);
    assert_eq!(resident.open_breach(&fields).await.status, 403);
    let desk = app.as_user(&officer(&app, "breach-desk@example.org", "Dee").await);
    let mut backwards = fields;
    backwards[4] = ("window_end", "2026-11-17T00:00");
    let refused = desk.open_breach(&backwards).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let mut nothing = fields.to_vec();
    nothing.retain(|(k, _)| !k.starts_with("system."));
    assert_eq!(desk.open_breach(&nothing).await.status, 422, "no system named");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM breaches WHERE title = $1")
        .bind(fields[0].1)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(n, 0, "nothing was opened");
    assert_eq!(desk.open_breach(&fields).await.status, 200);
    let (_, list) = app
        .get_as("/admin/breaches", &{
            officer(&app, "breach-desk2@example.org", "Eve").await
        })
        .await;
    assert!(list.contains("Letters sent to the wrong addresses"));
    assert!(
        list.contains("data-urgency=\"overdue\""),
        "detected days ago: past 72 hours"
    );
    // A resident may not work an incident either: every step refuses them and changes nothing.
    let (id,): (String,) = sqlx::query_as("SELECT id FROM breaches WHERE title = $1")
        .bind(fields[0].1)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(resident.decide_breach(&id, "notify", "").await.status, 403);
    assert_eq!(resident.notify_breach(&id, "0").await.status, 403);
    assert_eq!(resident.close_breach(&id, "Nothing to see.").await.status, 403);
    let (status,): (String,) = sqlx::query_as("SELECT status FROM breaches WHERE id = $1")
        .bind(&id)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(status, "open");
}

async fn an_agency_reports_an_incident_about_its_own_systems_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let transit = app.as_agency(&bearer(&app, "riverton-transit", &[ApiScope::IncidentsWrite]).await);
    let report = json!({
        "title": "Fare-card export sent to a supplier by mistake",
        "description": "A CSV of card numbers and names was attached to the wrong email.",
        "detected_at": "2026-11-27T09:30:00Z",
        "window_start": "2026-11-20T00:00:00Z",
        "window_end": "2026-11-27T09:00:00+00:00",
        "systems": ["riverpass-fare-card"],
        "data_categories": ["identity", "financial"],
        "containment": "The supplier confirmed deletion."
    });
    let opened = transit.report_incident(&report).await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    assert_eq!(opened.value()["notify_by"], "2026-11-30T09:30:00Z");
    let (agency,): (Option<String>,) = sqlx::query_as("SELECT agency_slug FROM breaches")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(agency.as_deref(), Some("riverton-transit"));

    let mut other = report.clone();
    other["systems"] = json!(["downtown-cctv"]);
    assert_eq!(
        transit.report_incident(&other).await.status,
        404,
        "another agency's system"
    );
    let mut backwards = report.clone();
    backwards["window_end"] = json!("2026-11-01T00:00:00Z");
    assert_eq!(transit.report_incident(&backwards).await.status, 422);
    let mut sloppy = report.clone();
    sloppy["detected_at"] = json!("yesterday");
    assert_eq!(transit.report_incident(&sloppy).await.status, 422);
    let checker = app.as_agency(&bearer(&app, "riverton-transit", &[ApiScope::ConsentCheck]).await);
    assert_eq!(
        checker.report_incident(&report).await.status,
        403,
        "without the scope"
    );
    assert_eq!(app.anonymous().report_incident(&report).await.status, 401);
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM breaches")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(n, 1, "only the first was opened");
}
