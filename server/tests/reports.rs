//! A system's yearly surveillance report: its figures are the log's, its written sections
//! are register staff's alone, and it downloads as JSON, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, bearer, sign_up, spawn_app, staff};
use domain::account::{ApiScope, Role};

on_both_databases!(the_yearly_report_counts_the_log_and_only_register_staff_write_it);

async fn the_yearly_report_counts_the_log_and_only_register_staff_write_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let year = domain::calendar::Date::from_unix_seconds(store::now())
        .year()
        .to_string();
    let police = app.as_agency(&bearer(&app, "riverton-police", &[ApiScope::ConsentCheck]).await);
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
    let path = format!("/reports/{year}/downtown-cctv");
    let (status, page) = app.get(&path).await;
    assert_eq!(status, 200);
    let row = page
        .split("data-purpose=\"incident-investigation\"")
        .nth(1)
        .unwrap();
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("<td>0</td><td>6</td>"), "six checks denied: {row}");
    let table = |testid: &str| {
        let t = page.split(&format!("data-testid=\"{testid}\"")).nth(1).unwrap();
        t[..t.find("</table>").unwrap()].to_owned()
    };
    // The six denials, all for one reason, and the police as the only agency that asked.
    let denials = table("report-denials");
    assert_eq!(denials.matches("<tr data-reason=").count(), 1, "{denials}");
    assert!(denials.contains("<td>6</td>"), "{denials}");
    let askers = table("report-askers");
    assert_eq!(
        askers.matches("<tr>").count(),
        2,
        "a header and the police: {askers}"
    );
    assert!(
        askers.contains("<td>6</td><td>0</td>"),
        "six checks, no queries: {askers}"
    );
    assert!(page.contains("The office has not written this section yet."));

    let resident = app.as_user(&sign_up(&app, "report-resident@example.org").await);
    assert_eq!(
        resident
            .write_report_section(&year, "downtown-cctv", "summary", "Mine now")
            .await
            .status,
        403
    );
    let admin = app.as_user(&staff(&app, "report-admin@example.org", "Ada", Role::Admin).await);
    let saved = admin
        .write_report_section(
            &year,
            "downtown-cctv",
            "summary",
            "Cameras helped in 12 investigations.",
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(
        admin
            .write_report_section(&year, "downtown-cctv", "poetry", "x")
            .await
            .status,
        422
    );
    assert_eq!(
        admin
            .write_report_section(&year, "no-such-system", "summary", "x")
            .await
            .status,
        404
    );
    let (_, page) = app.get(&path).await;
    assert!(page.contains("Cameras helped in 12 investigations."));

    let (status, json) = app.get(&format!("{path}/report.json")).await;
    assert_eq!(status, 200);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let uses = report["uses"].as_array().unwrap();
    let incident = uses
        .iter()
        .find(|u| u["purpose"] == "incident-investigation")
        .unwrap();
    assert_eq!(incident["checks_denied"], 6);
    assert_eq!(report["written"][0][1], "Cameras helped in 12 investigations.");
    assert_eq!(app.get("/reports/1999/downtown-cctv").await.0, 404);
    assert_eq!(app.get(&format!("/reports/{year}/no-such-system")).await.0, 404);
    let (audited,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM admin_audit WHERE action = 'write_yearly_report'")
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    assert_eq!(audited, 1);
}
