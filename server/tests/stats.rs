//! The city's statistics (`/stats`, `GET /api/v1/stats` and `/api/v1/stats.csv`) equal the
//! counts taken straight from the logs, with small counts hidden, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, TestApp, bearer, enrolled_resident, spawn_app};
use domain::account::ApiScope;
use serde_json::Value;

on_both_databases!(
    the_years_figures_are_the_logs_counts_with_small_counts_hidden,
    a_bad_year_or_table_is_refused_with_a_sentence,
);

fn this_year() -> i32 {
    domain::calendar::Date::from_unix_seconds(store::now()).year()
}

/// The count as published: `null` from 1 to 4.
fn published(n: i64) -> Value {
    if (1..5).contains(&n) {
        Value::Null
    } else {
        Value::from(n)
    }
}

async fn count(app: &TestApp, sql: &'static str) -> Vec<(String, String, String, i64)> {
    sqlx::query_as(sql).fetch_all(&app.state.pool).await.unwrap()
}

async fn the_years_figures_are_the_logs_counts_with_small_counts_hidden(backend: Backend) {
    let app = spawn_app(backend).await;
    let police = app.as_agency(&bearer(&app, "riverton-police", &[ApiScope::ConsentCheck]).await);
    let (_, number) = enrolled_resident(&app, "stats-resident@example.org", &[]).await;
    for i in 0..6 {
        police
            .check(
                &format!("GH-7K3M-Q9T{}", i + 2),
                "downtown-cctv",
                "incident-investigation",
            )
            .await
            .ok();
    }
    for _ in 0..2 {
        police
            .check(&number, "downtown-cctv", "live-event-safety")
            .await
            .ok();
    }
    let year = this_year();
    let (status, body) = app.get(&format!("/api/v1/stats?year={year}")).await;
    assert_eq!(status, 200, "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["year"], year);
    assert_eq!(doc["months"].as_array().unwrap().len(), 12);
    assert!(doc["rule"].as_str().unwrap().contains("from 1 to 4"));

    // Every line of the year equals the log's own count for it, hidden where small.
    let rows = count(
        &app,
        "SELECT system, purpose, decision, CAST(COUNT(*) AS BIGINT) FROM decision_log GROUP BY system, purpose, decision",
    )
    .await;
    assert!(!rows.is_empty());
    let month = format!("{year}-{}", &store::rfc3339_us(store::now_us())[5..7]);
    for (system, purpose, decision, n) in rows {
        let line = doc["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| {
                d["system"] == system.as_str()
                    && d["purpose"] == purpose.as_str()
                    && d["month"] == month.as_str()
            })
            .unwrap_or_else(|| panic!("a line for {system}/{purpose}"));
        let field = if decision == "permit" {
            "permits"
        } else {
            "denials"
        };
        assert_eq!(line[field], published(n), "{system}/{purpose} {decision}");
    }
    let incident = doc["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["purpose"] == "incident-investigation")
        .unwrap();
    assert_eq!(incident["denials"], 6, "six unknown subjects");
    let events = doc["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["purpose"] == "live-event-safety")
        .unwrap();
    let events_total: i64 = 2;
    assert_eq!(
        [&events["permits"], &events["denials"]]
            .iter()
            .filter(|v| v.is_null())
            .count(),
        1,
        "two checks about one resident are hidden, whatever they were answered"
    );
    assert_eq!(
        events["total"],
        Value::Null,
        "and the total would give them away ({events_total})"
    );

    // The month's line sums the same checks; requests and consents come from their tables.
    let this_month = doc["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["month"] == month.as_str())
        .unwrap();
    let (denied,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM decision_log WHERE kind = 'check' AND decision = 'deny'",
    )
    .fetch_one(&app.state.pool)
    .await
    .unwrap();
    assert_eq!(this_month["checks_denied"], published(denied));
    let (received,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM privacy_requests WHERE substr(received_on, 1, 7) = $1",
    )
    .bind(&month)
    .fetch_one(&app.state.pool)
    .await
    .unwrap();
    assert_eq!(this_month["requests_received"], published(received));

    // The CSV carries the same lines, `<5` for a hidden count.
    let (status, csv) = app.get(&format!("/api/v1/stats.csv?year={year}")).await;
    assert_eq!(status, 200);
    assert!(csv.starts_with("month,agency,system,purpose,kind,permits,denials,total"));
    assert!(
        csv.contains(&format!(
            "{month},riverton-police,downtown-cctv,incident-investigation,check,0,6,6"
        )),
        "{csv}"
    );
    assert!(csv.contains("<5"), "{csv}");
    let (_, months) = app
        .get(&format!("/api/v1/stats.csv?year={year}&table=months"))
        .await;
    assert_eq!(months.lines().count(), 13);
    let (_, reasons) = app
        .get(&format!("/api/v1/stats.csv?year={year}&table=reasons"))
        .await;
    assert!(reasons.starts_with("reason,denials"));

    // The page shows the same, without JavaScript, with the rule stated.
    let (status, page) = app.get(&format!("/stats?year={year}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("data-testid=\"month-chart\""));
    assert!(page.contains("Counts from 1 to 4 are shown as"));
    assert!(page.contains("data-purpose=\"incident-investigation\" data-kind=\"check\""));
    assert!(page.contains("fewer than 5"));
    assert!(!page.contains(&number), "no resident is named");
    // Another year is empty, not an error.
    let (status, earlier) = app.get("/api/v1/stats?year=2001").await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&earlier).unwrap()["decisions"],
        serde_json::json!([])
    );
}

async fn a_bad_year_or_table_is_refused_with_a_sentence(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = app.get("/api/v1/stats?year=1999").await;
    assert_eq!(status, 422);
    assert!(body.contains("ask for a year from 2000 to 2100"), "{body}");
    assert_eq!(app.get("/api/v1/stats?year=soon").await.0, 400);
    assert_eq!(app.get("/api/v1/stats?month=3").await.0, 400);
    let (status, body) = app.get("/api/v1/stats.csv?table=people").await;
    assert_eq!(status, 400);
    assert!(body.contains("choose decisions, months or reasons"), "{body}");
}
