//! Transparency where people are: the map, a device's page and sign, reports from passers-by
//! and the officers' device desk, on SQLite and PostgreSQL, read as a browser without
//! JavaScript reads them (plain GETs of the server's HTML).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, TestApp, bearer, enrolled_resident, officer, sign_up, spawn_app, staff};
use domain::account::{ApiScope, Role};

on_both_databases!(
    the_map_draws_every_device_and_lists_the_same_ones_and_filters_both,
    a_device_page_is_found_by_its_sign_code_in_any_case_and_an_unknown_code_is_404,
    a_devices_figures_are_the_logs_counts_for_its_system_with_small_counts_hidden,
    a_passer_by_reports_a_problem_without_an_account_capped_per_address,
    register_staff_place_edit_and_remove_devices_and_others_may_not,
    the_sign_is_print_ready_svg_with_a_qr_code_in_the_chosen_languages,
);

/// The device codes the page links to (`href="/s/{code}"`), in order, without repeats.
fn device_links(html: &str) -> Vec<String> {
    let mut codes = Vec::new();
    for part in html.split("href=\"/s/").skip(1) {
        let code = part.split('"').next().unwrap().to_owned();
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

async fn device_count(app: &TestApp, where_: &str) -> usize {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM devices d JOIN systems s ON s.id = d.system_id {where_}"
    )))
    .fetch_one(&app.state.pool)
    .await
    .unwrap();
    usize::try_from(n).unwrap()
}

async fn the_map_draws_every_device_and_lists_the_same_ones_and_filters_both(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, html) = app.get("/map").await;
    assert_eq!(status, 200);
    let all = device_count(&app, "").await;
    assert!(all >= 40, "the demo city places its devices: {all}");
    assert_eq!(device_links(&html).len(), all, "every device is linked");
    assert_eq!(
        html.matches("<tr>").count() - 1,
        all,
        "and listed once (besides the header row)"
    );
    assert!(html.contains("data-testid=\"city-map\""), "the map is drawn");
    assert_eq!(
        html.matches("class=\"district\"").count(),
        7,
        "every district is outlined"
    );
    assert!(
        !html.contains("<leptos-island"),
        "no island: the page needs no script"
    );

    let (_, cameras) = app.get("/map?technology=cctv").await;
    let cctv = device_count(&app, "WHERE s.technology = 'cctv'").await;
    assert!(cctv > 0 && cctv < all);
    assert_eq!(device_links(&cameras).len(), cctv);
    let (_, anonymous) = app.get("/map?identifies=no&agency=riverton-public-works").await;
    let expected = device_count(
        &app,
        "JOIN agencies a ON a.id = s.agency_id WHERE s.identifies_people = 0 AND a.slug = 'riverton-public-works'",
    )
    .await;
    assert!(expected > 0);
    assert_eq!(device_links(&anonymous).len(), expected);
    assert!(
        !anonymous.contains("href=\"/s/dt-cam-01\""),
        "a camera that identifies people is left out"
    );
}

async fn a_device_page_is_found_by_its_sign_code_in_any_case_and_an_unknown_code_is_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, html) = app.get("/s/dt-cam-01").await;
    assert_eq!(status, 200);
    assert!(html.contains("Market Square, north side"), "its label");
    assert!(html.contains("href=\"/systems/downtown-cctv\""), "its system");
    assert!(html.contains("data-testid=\"device-figures\""), "its figures");
    assert!(
        html.contains("href=\"/login?next=/s/dt-cam-01\""),
        "a stranger is offered to sign in"
    );
    assert!(
        html.contains("href=\"/s/dt-cam-01/sign.svg?size=a6\""),
        "its sign"
    );
    let (status, upper) = app.get("/s/DT-CAM-01").await;
    assert_eq!(status, 200);
    assert!(upper.contains("Market Square, north side"));
    assert_eq!(app.get("/s/no-such-device").await.0, 404);
    assert_eq!(app.get("/s/%3Cscript%3E").await.0, 404);
    let (_, spanish) = app
        .get_with("/s/dt-cam-01", &[("cookie", "i18n_pref_locale=es")])
        .await;
    assert!(
        spanish.contains("Plaza del Mercado, lado norte"),
        "in the reader's language"
    );
}

/// The cells of the figures row of `purpose`, as shown.
fn figure_cells(html: &str, purpose: &str) -> Vec<String> {
    let row = html
        .split(&format!("data-purpose=\"{purpose}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("a row for {purpose}"));
    let row = &row[..row.find("</tr>").unwrap()];
    // `<td>7</td>`, or `<td class="suppressed">fewer than 5</td>` (Leptos' `<!>` markers dropped).
    row.split("<td")
        .skip(1)
        .map(|cell| {
            let inner = &cell[cell.find('>').unwrap() + 1..cell.find("</td>").unwrap()];
            inner.replace("<!>", "")
        })
        .collect()
}

async fn a_devices_figures_are_the_logs_counts_for_its_system_with_small_counts_hidden(backend: Backend) {
    let app = spawn_app(backend).await;
    let police = app.as_agency(&bearer(&app, "riverton-police", &[ApiScope::ConsentCheck]).await);
    let (session, number) = enrolled_resident(&app, "street-figures@example.org", &[]).await;
    // Seven questions about one purpose, three about another, two about a purpose the system
    // does not declare, one about the resident.
    for i in 0..7 {
        police
            .check(
                &format!("GH-7K3M-Q9T{}", i + 2),
                "downtown-cctv",
                "incident-investigation",
            )
            .await
            .ok();
    }
    for _ in 0..3 {
        police
            .check(&number, "downtown-cctv", "live-event-safety")
            .await
            .ok();
    }
    for _ in 0..2 {
        police
            .check(&number, "downtown-cctv", "made-up-purpose")
            .await
            .ok();
    }
    let counted = |purpose: &'static str, decision: &'static str| {
        let pool = app.state.pool.clone();
        async move {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM decision_log WHERE system = 'downtown-cctv' AND kind = 'check' AND purpose = $1 AND decision = $2",
            )
            .bind(purpose)
            .bind(decision)
            .fetch_one(&pool)
            .await
            .unwrap();
            n
        }
    };
    let shown = |n: i64| {
        if (1..5).contains(&n) {
            "fewer than 5".to_owned()
        } else {
            n.to_string()
        }
    };
    let (_, html) = app.get("/s/dt-cam-02").await;
    for purpose in ["incident-investigation", "live-event-safety"] {
        let cells = figure_cells(&html, purpose);
        assert_eq!(
            cells[..2],
            [
                shown(counted(purpose, "permit").await),
                shown(counted(purpose, "deny").await)
            ],
            "{purpose}"
        );
        assert_eq!(cells[2..], ["0", "0"], "no data queries");
    }
    assert_eq!(
        counted("incident-investigation", "deny").await,
        7,
        "unknown subjects are denied"
    );
    assert!(
        figure_cells(&html, "live-event-safety")
            .iter()
            .any(|c| c == "fewer than 5")
    );
    assert!(
        html.contains("Purposes not in the register"),
        "asked-about purposes outside the register are counted too"
    );
    assert!(!html.contains(&number), "no resident is named on a public page");

    // Signed in, the resident learns their own entries through this system.
    let (_, mine) = app.get_as("/s/dt-cam-02", &session).await;
    assert!(mine.contains("data-testid=\"mine\""));
    let said = |html: &str| {
        html.split("data-testid=\"mine\">")
            .nth(1)
            .unwrap()
            .split("</p>")
            .next()
            .unwrap()
            .replace("<!>", "")
    };
    let said = said(&mine);
    assert!(
        said.contains("5 checks or queries through this system named you"),
        "3 + 2 about them: {said}"
    );
    let (_, stranger) = app
        .get_as(
            "/s/dt-cam-02",
            &sign_up(&app, "street-stranger@example.org").await,
        )
        .await;
    let stranger = stranger.replace("<!>", "");
    assert!(stranger.contains("0 checks or queries through this system named you"));
}

async fn a_passer_by_reports_a_problem_without_an_account_capped_per_address(backend: Backend) {
    let app = spawn_app(backend).await;
    let passer_by = app.anonymous();
    let sent = passer_by
        .report_device("park-cam-01", "The camera points into a bedroom window.")
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let (_, reports) = app.get("/register/reports").await;
    assert!(
        reports.contains("The camera points into a bedroom window."),
        "in the public list"
    );
    let (device, system): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT device_code, system_slug FROM register_reports")
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    assert_eq!(device.as_deref(), Some("park-cam-01"));
    assert_eq!(system.as_deref(), Some("riverside-park-cctv"));

    assert_eq!(
        passer_by.report_device("park-cam-01", "   ").await.status,
        422,
        "a blank report"
    );
    assert_eq!(
        passer_by.report_device("nowhere-01", "Broken.").await.status,
        404,
        "an unknown device"
    );
    for i in 1..5 {
        let sent = passer_by
            .report_device("park-cam-01", &format!("Report {i}"))
            .await;
        assert_eq!(sent.status, 200, "{}", sent.body);
    }
    let flooded = passer_by.report_device("park-cam-01", "One too many").await;
    assert_eq!(
        flooded.status, 429,
        "the sixth report of the day from one address: {}",
        flooded.body
    );
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM register_reports")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(n, 5);
    // Another address is not held back by the first one's reports.
    let elsewhere = app.anonymous().with_header("x-forwarded-for", "203.0.113.9");
    let (status, _) = elsewhere
        .report_device("park-cam-01", "Another street")
        .await
        .parts();
    let (m,): (i64,) = sqlx::query_as("SELECT COUNT(DISTINCT reporter_key) FROM register_reports")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    // Behind no trusted proxy the header is ignored: the same address, refused.
    assert_eq!(
        (status, m),
        (429, 1),
        "a forged forwarding header does not reset the cap"
    );
}

async fn register_staff_place_edit_and_remove_devices_and_others_may_not(backend: Backend) {
    let app = spawn_app(backend).await;
    let fields = [
        ("code", "Test-Cam-9"),
        ("system", "downtown-cctv"),
        ("label_en", "Civic Drive, by the fountain"),
        ("label_es", "Civic Drive, junto a la fuente"),
        ("label_ar", "شارع سيفيك، بجانب النافورة"),
        ("kind", "point"),
        ("positions", "-93.255 44.981"),
    ];
    let resident = app.as_user(&sign_up(&app, "street-resident@example.org").await);
    assert_eq!(resident.save_device(&fields).await.status, 403);
    let admin = app.as_user(&staff(&app, "street-admin@example.org", "Ada", Role::Admin).await);
    let plain_officer = app.as_user(&officer(&app, "street-officer@example.org", "Olu").await);
    assert_eq!(
        plain_officer.save_device(&fields).await.status,
        403,
        "an officer without the register role"
    );
    assert_eq!(app.get("/s/test-cam-9").await.0, 404);

    let saved = admin.save_device(&fields).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let (status, page) = app.get("/s/test-cam-9").await;
    assert_eq!(status, 200);
    assert!(page.contains("Civic Drive, by the fountain"));
    assert!(device_links(&app.get("/map").await.1).contains(&"test-cam-9".to_owned()));

    // Bad input is refused with the reason, and nothing changes.
    let mut bad = fields;
    bad[6] = ("positions", "-93.255 44.981; -93.256 44.982");
    let refused = admin.save_device(&bad).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("a point is exactly one position"),
        "{}",
        refused.body
    );
    let mut enrolment = fields;
    enrolment[1] = ("system", "library-cards");
    let refused = admin.save_device(&enrolment).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("not in public space"), "{}", refused.body);

    // Moved into a line: the same code, a new shape.
    let mut line = fields;
    line[5] = ("kind", "line");
    line[6] = ("positions", "-93.255 44.981; -93.250 44.985");
    assert_eq!(admin.save_device(&line).await.status, 200);
    let (geometry,): (String,) = sqlx::query_as("SELECT geometry FROM devices WHERE code = 'test-cam-9'")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(geometry, r#"{"line":[[-93.255,44.981],[-93.25,44.985]]}"#);

    assert_eq!(plain_officer.remove_device("test-cam-9").await.status, 403);
    assert_eq!(admin.remove_device("test-cam-9").await.status, 200);
    assert_eq!(app.get("/s/test-cam-9").await.0, 404);
    assert_eq!(admin.remove_device("test-cam-9").await.status, 404);
    let audited: Vec<(String,)> = sqlx::query_as(
        "SELECT action FROM admin_audit WHERE action IN ('save_device', 'remove_device') ORDER BY at_us, id",
    )
    .fetch_all(&app.state.pool)
    .await
    .unwrap();
    assert_eq!(audited.len(), 3, "two saves and a removal: {audited:?}");

    // Each change is a version of the system in its public history, field by field.
    let slug = domain::register::Slug::parse("downtown-cctv").unwrap();
    let versions = store::register::history(&app.state.pool, &slug).await.unwrap();
    let device_changes: Vec<Vec<(String, String, String)>> = versions
        .iter()
        .take(3)
        .map(|v| {
            v.view(domain::lang::Lang::En)
                .changes
                .into_iter()
                .map(|c| (c.field, c.before, c.after))
                .collect()
        })
        .collect();
    let placed = "Civic Drive, by the fountain".to_owned();
    assert_eq!(
        device_changes,
        [
            vec![("devices.test-cam-9".into(), placed.clone(), String::new())],
            vec![(
                "devices.test-cam-9.geometry".into(),
                "point: -93.255 44.981".into(),
                "line: -93.255 44.981; -93.25 44.985".into()
            )],
            vec![("devices.test-cam-9".into(), String::new(), placed)],
        ],
        "removed, moved, placed (newest first)"
    );
    let (_, history) = app.get("/systems/downtown-cctv/history").await;
    assert!(
        history.contains("Device «test-cam-9»: position on the map"),
        "{history}"
    );
}

async fn the_sign_is_print_ready_svg_with_a_qr_code_in_the_chosen_languages(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .client
        .get(app.url("/s/dt-cam-01/sign.svg?size=a6&lang=es,ar"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml; charset=utf-8");
    let svg = response.text().await.unwrap();
    assert!(
        svg.starts_with("<?xml") && svg.contains("width=\"105mm\" height=\"148mm\""),
        "A6"
    );
    assert!(
        svg.contains("xml:lang=\"es\"") && svg.contains("A cargo de"),
        "Spanish"
    );
    assert!(
        svg.contains("direction=\"rtl\" xml:lang=\"ar\""),
        "Arabic, right to left"
    );
    assert!(svg.contains("/s/dt-cam-01"), "the short address");
    assert!(svg.contains("<path d=\"M"), "the QR code's modules");
    let (status, a4) = app.get("/s/dt-cam-01/sign.svg").await;
    assert_eq!(status, 200);
    assert!(a4.contains("width=\"210mm\" height=\"297mm\""), "A4 by default");
    assert_eq!(app.get("/s/dt-cam-01/sign.svg?size=a3").await.0, 400);
    assert_eq!(app.get("/s/dt-cam-01/sign.svg?lang=xx").await.0, 400);
    assert_eq!(app.get("/s/nobody-here/sign.svg").await.0, 404);
}
