//! Consent end to end, on SQLite and PostgreSQL: residents grant and withdraw, agencies
//! check and query, the server enforces and records every decision, residents read it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, TestApp, bearer, enrolled_resident, spawn_app, unenrolled_resident};
use domain::account::ApiScope;
use serde_json::{Value, json};

on_both_databases!(
    every_reason_code_is_answered_and_logged,
    grant_permits_and_withdrawal_denies_at_once,
    each_route_refuses_a_token_without_its_scope,
    data_queries_receive_only_the_declared_categories,
    history_and_receipts_match_the_events,
    a_register_edit_makes_a_new_notice_version,
    residents_see_only_their_own_entries_and_receipts,
    agencies_enrol_only_with_their_own_systems,
    bad_input_gets_a_clear_error_and_no_decision,
    a_broken_log_never_fails_open,
    no_permit_after_an_acknowledged_withdrawal,
    the_access_log_pages_newest_first,
    a_broken_read_never_fails_open,
    racing_choices_leave_the_latest_event_in_force,
);

const AGENCY: &str = "riverton-digital-services";
const SYSTEM: &str = "myriverton-account";
/// Consent basis, contact data only.
const NEWSLETTER: &str = "city-newsletter";
/// Contract basis, identity and contact data.
const ACCOUNT: &str = "account-and-sign-in";

async fn all_scopes(app: &TestApp) -> String {
    bearer(app, AGENCY, ApiScope::ALL).await
}

/// POSTs JSON to an API route; returns status and body.
async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn check(app: &TestApp, token: &str, subject: &str, system: &str, purpose: &str) -> (u16, Value) {
    let body = json!({"subject": subject, "system": system, "purpose": purpose});
    post(app, token, "/api/v1/consent/check", &body).await
}

/// A decision that must have been answered with 200.
async fn decide(app: &TestApp, token: &str, subject: &str, system: &str, purpose: &str) -> (String, String) {
    let (status, body) = check(app, token, subject, system, purpose).await;
    assert_eq!(status, 200, "{body}");
    (
        body["decision"].as_str().unwrap().to_owned(),
        body["reason"].as_str().unwrap().to_owned(),
    )
}

/// A new resident enrolled with the MyRiverton account, 311 and the fare card.
async fn resident(app: &TestApp, email: &str) -> (String, String) {
    enrolled_resident(app, email, &[SYSTEM, "riverton-311", "riverpass-fare-card"]).await
}

/// Grants or withdraws through the resident's server function; the recorded event.
async fn choose(app: &TestApp, session: &str, system: &str, purpose: &str, action: &str) -> Value {
    let called = app
        .call(
            "/fn/consent/record",
            &[
                ("system", system),
                ("purpose", purpose),
                ("action", action),
                ("lang", "en"),
            ],
            Some(session),
        )
        .await;
    assert_eq!(called.status, 200, "{}", called.body);
    serde_json::from_str(&called.body).unwrap()
}

async fn log_count(app: &TestApp) -> i64 {
    store::decision_log::count(&app.state.pool).await.unwrap()
}

async fn every_reason_code_is_answered_and_logged(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = all_scopes(&app).await;
    let (session, ana) = resident(&app, "ana@example.org").await;
    assert_eq!(
        decide(&app, &token, &ana, SYSTEM, NEWSLETTER).await,
        ("deny".into(), "consent_not_given".into())
    );
    choose(&app, &session, SYSTEM, NEWSLETTER, "grant").await;
    assert_eq!(
        decide(&app, &token, &ana, SYSTEM, NEWSLETTER).await,
        ("permit".into(), "consent_given".into())
    );
    choose(&app, &session, SYSTEM, NEWSLETTER, "withdraw").await;
    assert_eq!(
        decide(&app, &token, &ana, SYSTEM, NEWSLETTER).await,
        ("deny".into(), "consent_withdrawn".into())
    );
    let (status, body) = check(&app, &token, &ana, SYSTEM, ACCOUNT).await;
    assert_eq!(
        (status, &body["decision"], &body["reason"]),
        (200, &json!("permit"), &json!("legal_basis"))
    );
    assert_eq!(body["legal_basis"], "contract");
    assert_eq!(
        decide(&app, &token, "GH-2222-2222", SYSTEM, NEWSLETTER).await,
        ("deny".into(), "unknown_subject".into())
    );
    assert_eq!(
        decide(&app, &token, &ana, "no-such-system", NEWSLETTER).await,
        ("deny".into(), "unknown_system".into())
    );
    assert_eq!(
        decide(&app, &token, &ana, SYSTEM, "no-such-purpose").await,
        ("deny".into(), "unknown_purpose".into())
    );
    // Another agency's system: denied, and the resident's existence is not revealed.
    for subject in [ana.as_str(), "GH-2222-2222"] {
        assert_eq!(
            decide(&app, &token, subject, "riverpass-fare-card", "service-alerts").await,
            ("deny".into(), "agency_not_entitled".into())
        );
    }
    // Every answer carries its logged decision, in order, gapless.
    assert_eq!(log_count(&app).await, 9);
    let seqs: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT seq, reason, kind FROM decision_log ORDER BY seq")
            .fetch_all(&app.state.pool)
            .await
            .unwrap();
    assert_eq!(
        seqs.iter().map(|r| r.0).collect::<Vec<_>>(),
        (1..=9).collect::<Vec<_>>()
    );
    assert_eq!(seqs[0].1, "consent_not_given");
    assert!(seqs.iter().all(|r| r.2 == "check"));
    let (status, body) = check(&app, &token, &ana, SYSTEM, NEWSLETTER).await;
    assert_eq!(status, 200);
    let (logged,): (String,) = sqlx::query_as("SELECT reason FROM decision_log WHERE id = $1")
        .bind(body["decision_id"].as_str().unwrap())
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(logged, "consent_withdrawn");
    assert!(body["evaluated_at"].as_str().unwrap().ends_with('Z'));
}

async fn grant_permits_and_withdrawal_denies_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = all_scopes(&app).await;
    let (session, number) = resident(&app, "ben@example.org").await;
    for _ in 0..3 {
        let granted = choose(&app, &session, SYSTEM, NEWSLETTER, "grant").await;
        assert_eq!(granted["action"], "grant");
        assert_eq!(
            decide(&app, &token, &number, SYSTEM, NEWSLETTER).await.0,
            "permit"
        );
        choose(&app, &session, SYSTEM, NEWSLETTER, "withdraw").await;
        assert_eq!(decide(&app, &token, &number, SYSTEM, NEWSLETTER).await.0, "deny");
    }
    // A purpose that rests on another basis is not a choice.
    let called = app
        .call(
            "/fn/consent/record",
            &[
                ("system", SYSTEM),
                ("purpose", ACCOUNT),
                ("action", "withdraw"),
                ("lang", "en"),
            ],
            Some(&session),
        )
        .await;
    assert_eq!(called.status, 422);
    assert!(called.body.contains("NotAChoice"), "{}", called.body);
    assert_eq!(decide(&app, &token, &number, SYSTEM, ACCOUNT).await.0, "permit");
    // Signed out, nothing is recorded.
    let called = app
        .call(
            "/fn/consent/record",
            &[
                ("system", SYSTEM),
                ("purpose", NEWSLETTER),
                ("action", "grant"),
                ("lang", "en"),
            ],
            None,
        )
        .await;
    assert_eq!(called.status, 401);
    assert!(called.body.contains("NotSignedIn"), "{}", called.body);
    assert_eq!(decide(&app, &token, &number, SYSTEM, NEWSLETTER).await.0, "deny");
}

async fn each_route_refuses_a_token_without_its_scope(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, number) = resident(&app, "cai@example.org").await;
    let question = json!({"subject": number, "system": SYSTEM, "purpose": NEWSLETTER});
    let only_read = bearer(&app, AGENCY, &[ApiScope::SubjectsRead]).await;
    let only_check = bearer(&app, AGENCY, &[ApiScope::ConsentCheck]).await;
    let before = log_count(&app).await;
    for (token, path) in [
        (&only_read, "/api/v1/consent/check"),
        (&only_check, "/api/v1/subjects/query"),
    ] {
        let (status, body) = post(&app, token, path, &question).await;
        assert_eq!(status, 403, "{path}");
        assert_eq!(body["error"], "insufficient_scope", "{path}");
    }
    let enrolment = format!("/api/v1/subjects/{number}/enrollments/{SYSTEM}");
    for method in [reqwest::Method::PUT, reqwest::Method::DELETE] {
        let response = app
            .client
            .request(method.clone(), app.url(&enrolment))
            .bearer_auth(&only_check)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{method}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "insufficient_scope");
    }
    // The scope is checked before the body: a malformed body still gets 403.
    let (status, body) = post(&app, &only_read, "/api/v1/consent/check", &json!({"subject": 1})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("insufficient_scope"))
    );
    // A refused call makes no decision.
    assert_eq!(log_count(&app).await, before);
    // Without any token: 401.
    let response = app
        .client
        .post(app.url("/api/v1/consent/check"))
        .json(&question)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

async fn data_queries_receive_only_the_declared_categories(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = all_scopes(&app).await;
    let (session, number) = resident(&app, "dee@example.org").await;
    let saved = app
        .call(
            "/fn/profile/update",
            &[
                ("postal_address", "12 River Street, Riverton"),
                ("phone", "+1 555 0100"),
                ("date_of_birth", "1990-04-01"),
            ],
            Some(&session),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let query = |purpose: &str| json!({"subject": number, "system": SYSTEM, "purpose": purpose});

    // Not yet consented: 403 with the reason and the logged decision.
    let (status, body) = post(&app, &token, "/api/v1/subjects/query", &query(NEWSLETTER)).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        (body["error"].as_str(), body["reason"].as_str()),
        (Some("denied"), Some("consent_not_given"))
    );
    assert!(body["decision_id"].is_string());

    choose(&app, &session, SYSTEM, NEWSLETTER, "grant").await;
    let (status, body) = post(&app, &token, "/api/v1/subjects/query", &query(NEWSLETTER)).await;
    assert_eq!(status, 200, "{body}");
    let data = body["data"].as_object().unwrap();
    let mut fields: Vec<&str> = data.keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["email", "phone", "preferred_language"]);
    assert_eq!(data["phone"], "+1 555 0100");
    assert!(
        !body.to_string().contains("River Street"),
        "contact-only purpose got the address"
    );

    // A contract purpose declaring identity and contact: the name, never the address.
    let (status, body) = post(&app, &token, "/api/v1/subjects/query", &query(ACCOUNT)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["name"], "Ana");
    assert_eq!(body["data"]["date_of_birth"], "1990-04-01");
    assert!(body["data"].get("postal_address").is_none());

    // A public-space system knows nobody by name: permitted, but no profile fields.
    let wifi = json!({"subject": number, "system": "public-wifi", "purpose": "network-security"});
    let (status, body) = post(&app, &token, "/api/v1/subjects/query", &wifi).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"], json!({}));
    // Another agency's system, and a resident not enrolled: denied with their reasons.
    let fare = json!({"subject": number, "system": "riverpass-fare-card", "purpose": "service-alerts"});
    let (status, body) = post(&app, &token, "/api/v1/subjects/query", &fare).await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (403, Some("agency_not_entitled"))
    );
    let (_, stranger) = unenrolled_resident(&app, "stranger@example.org").await;
    let unknown_to_it = json!({"subject": stranger, "system": SYSTEM, "purpose": ACCOUNT});
    let (status, body) = post(&app, &token, "/api/v1/subjects/query", &unknown_to_it).await;
    assert_eq!((status, body["reason"].as_str()), (403, Some("not_enrolled")));
    assert!(body.get("data").is_none());

    // A withdrawal stops the very next query.
    choose(&app, &session, SYSTEM, NEWSLETTER, "withdraw").await;
    let (status, body) = post(&app, &token, "/api/v1/subjects/query", &query(NEWSLETTER)).await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (403, Some("consent_withdrawn"))
    );

    // Queries are logged like checks, as queries.
    let (queries,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM decision_log WHERE kind = 'query'")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(queries, 7);

    // Bad profile input is refused and loses nothing.
    let refused = app
        .call(
            "/fn/profile/update",
            &[("postal_address", ""), ("phone", "12ab"), ("date_of_birth", "")],
            Some(&session),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Phone"), "{}", refused.body);
    // The same refusal from a plain HTML form goes back to the form, which shows it.
    let response = app
        .client
        .post(app.url("/fn/profile/update"))
        .header("accept", "text/html")
        .header("referer", app.url("/account/profile"))
        .header("cookie", format!("gh_session={session}"))
        .form(&[("postal_address", ""), ("phone", "12ab"), ("date_of_birth", "")])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("/account/profile"), "{location}");
    let (phone,): (Option<String>,) = sqlx::query_as("SELECT phone FROM users WHERE resident_number = $1")
        .bind(&number)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(phone.as_deref(), Some("+1 555 0100"));
}

async fn history_and_receipts_match_the_events(backend: Backend) {
    let app = spawn_app(backend).await;
    let (session, number) = resident(&app, "eve@example.org").await;
    let first = choose(&app, &session, SYSTEM, NEWSLETTER, "grant").await;
    let second = choose(&app, &session, "riverton-311", "satisfaction-survey", "grant").await;
    let third = choose(&app, &session, SYSTEM, NEWSLETTER, "withdraw").await;
    let called = app
        .call("/fn/consent/history", &[("lang", "en")], Some(&session))
        .await;
    assert_eq!(called.status, 200, "{}", called.body);
    let history: Vec<Value> = serde_json::from_str(&called.body).unwrap();
    let ids: Vec<&Value> = history.iter().map(|e| &e["id"]).collect();
    assert_eq!(ids, [&third["id"], &second["id"], &first["id"]], "newest first");
    assert_eq!(history[0]["action"], "withdraw");
    assert_eq!(history[0]["channel"], "web");
    assert_eq!(history[0]["notice_version"], 1);
    assert_eq!(history[0]["purpose_name"], "City newsletter");

    for event in [&first, &third] {
        let id = event["id"].as_str().unwrap();
        let (status, body) = app
            .get_as(&format!("/my/consents/{id}/receipt.json?lang=en"), &session)
            .await;
        assert_eq!(status, 200, "{body}");
        let receipt: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(receipt["consentReceiptID"], id);
        assert_eq!(receipt["piiPrincipalId"], number.as_str());
        assert_eq!(
            receipt["services"][0]["purposes"][0]["purposeCategory"][0],
            NEWSLETTER
        );
        assert_eq!(
            receipt["services"][0]["purposes"][0]["piiCategory"],
            json!(["contact"])
        );
        assert_eq!(receipt["notice"]["version"], 1);
        assert_eq!(receipt["processing"]["legalBasis"], "consent");
        assert_eq!(receipt["event"]["eventType"], event["action"]);
        assert!(
            receipt["processing"]["withdrawalMethod"]
                .as_str()
                .unwrap()
                .contains("/my")
        );
        assert!(
            receipt["piiControllers"][0]["email"]
                .as_str()
                .unwrap()
                .contains('@')
        );
    }
    let (_, body) = app
        .get_as(
            &format!("/my/consents/{}/receipt.json", third["id"].as_str().unwrap()),
            &session,
        )
        .await;
    let receipt: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(receipt["event"]["state"], "ConsentWithdrawn");
    // The readable receipt page.
    let (status, html) = app
        .get_as(
            &format!("/my/consents/{}", first["id"].as_str().unwrap()),
            &session,
        )
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("You gave consent."), "{html}");
}

async fn a_register_edit_makes_a_new_notice_version(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = all_scopes(&app).await;
    let (session, number) = resident(&app, "fay@example.org").await;
    let before = choose(&app, &session, SYSTEM, NEWSLETTER, "grant").await;
    let system = domain::register::Slug::parse(SYSTEM).unwrap();
    let key = domain::register::Slug::parse(NEWSLETTER).unwrap();
    let text = |en: &str| -> domain::text::LocalizedText {
        serde_json::from_value(json!({"en": en, "es": en})).unwrap()
    };
    let revise = |name: &'static str| {
        let (system, key, pool) = (system.clone(), key.clone(), app.state.pool.clone());
        async move {
            store::register::revise_purpose_text(&pool, &system, &key, &text(name), &text("Now weekly."))
                .await
                .unwrap()
        }
    };
    assert_eq!(revise("City newsletter (weekly)").await, Some(2));
    // A choice made on the page that showed version 1 is refused, and nothing is stored.
    let stale = app
        .call(
            "/fn/consent/record",
            &[
                ("system", SYSTEM),
                ("purpose", NEWSLETTER),
                ("action", "withdraw"),
                ("notice_version", "1"),
                ("lang", "en"),
            ],
            Some(&session),
        )
        .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale.body.contains("NoticeChanged"));
    assert_eq!(
        decide(&app, &token, &number, SYSTEM, NEWSLETTER).await.0,
        "permit"
    );
    // The same text again is not a new version.
    assert_eq!(revise("City newsletter (weekly)").await, Some(2));
    let after = choose(&app, &session, SYSTEM, NEWSLETTER, "grant").await;
    assert_eq!(
        (
            before["notice_version"].as_i64(),
            after["notice_version"].as_i64()
        ),
        (Some(1), Some(2))
    );
    // The older consent keeps pointing at what was shown then.
    assert_eq!(before["purpose_name"], "City newsletter");
    assert_eq!(after["purpose_name"], "City newsletter (weekly)");
    let (_, body) = app
        .get_as(
            &format!("/my/consents/{}/receipt.json", before["id"].as_str().unwrap()),
            &session,
        )
        .await;
    let receipt: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(receipt["notice"]["version"], 1);
    assert_eq!(receipt["notice"]["title"], "City newsletter");
    // The decision is unaffected by a text edit.
    assert_eq!(
        decide(&app, &token, &number, SYSTEM, NEWSLETTER).await.0,
        "permit"
    );
}

async fn residents_see_only_their_own_entries_and_receipts(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = all_scopes(&app).await;
    let (gil, gil_number) = resident(&app, "gil@example.org").await;
    let (hana, _) = resident(&app, "hana@example.org").await;
    let event = choose(&app, &gil, SYSTEM, NEWSLETTER, "grant").await;
    decide(&app, &token, &gil_number, SYSTEM, NEWSLETTER).await;
    decide(&app, &token, &gil_number, SYSTEM, ACCOUNT).await;

    let page = |session: String, form: Vec<(&'static str, &'static str)>| {
        let app = &app;
        async move {
            let called = app.call("/fn/my/access_log", &form, Some(&session)).await;
            assert_eq!(called.status, 200, "{}", called.body);
            serde_json::from_str::<Value>(&called.body).unwrap()
        }
    };
    let transit = bearer(&app, "riverton-transit", &[ApiScope::ConsentCheck]).await;
    decide(&app, &transit, &gil_number, SYSTEM, NEWSLETTER).await;
    let mine = page(gil.clone(), vec![("lang", "en")]).await;
    let entries = mine["entries"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        3,
        "a refused question that named the resident is shown too"
    );
    assert_eq!(entries[0]["reason"], "agency_not_entitled");
    let entries = &entries[1..];
    assert_eq!(entries[0]["purpose_key"], ACCOUNT, "newest first");
    assert_eq!(entries[1]["reason"], "consent_given");
    assert_eq!(entries[1]["agency_name"], "Department of Digital Services");
    let permits = page(gil.clone(), vec![("lang", "en"), ("decision", "permit")]).await;
    assert_eq!(permits["entries"].as_array().unwrap().len(), 2);
    let denials = page(gil.clone(), vec![("lang", "en"), ("decision", "deny")]).await;
    assert_eq!(denials["entries"].as_array().unwrap().len(), 1);

    // Another resident sees none of it, and cannot open the receipt.
    let theirs = page(hana.clone(), vec![("lang", "en")]).await;
    assert_eq!(theirs["entries"], json!([]));
    assert_eq!(theirs["agencies"], json!([]));
    let id = event["id"].as_str().unwrap();
    let (status, _) = app
        .get_as(&format!("/my/consents/{id}/receipt.json"), &hana)
        .await;
    assert_eq!(status, 404);
    let (status, _) = app.get(&format!("/my/consents/{id}/receipt.json")).await;
    assert_eq!(status, 401);
    let called = app
        .call("/fn/consent/history", &[("lang", "en")], Some(&hana))
        .await;
    assert_eq!(called.body, "[]");
    // The receipt's server function, like its download, does not know another's event.
    let called = app
        .call("/fn/consent/receipt", &[("id", id), ("lang", "en")], Some(&hana))
        .await;
    assert_eq!(called.status, 404, "{}", called.body);
    // Signed out, every resident server function refuses before doing any work.
    for (path, form) in [
        ("/fn/my/systems", vec![("lang", "en")]),
        ("/fn/my/access_log", vec![("lang", "en")]),
        ("/fn/consent/history", vec![("lang", "en")]),
        ("/fn/consent/receipt", vec![("id", id), ("lang", "en")]),
        ("/fn/profile/get", vec![]),
        (
            "/fn/profile/update",
            vec![("postal_address", "x"), ("phone", ""), ("date_of_birth", "")],
        ),
    ] {
        let called = app.call(path, &form, None).await;
        assert_eq!(called.status, 401, "{path}: {}", called.body);
        assert!(called.body.contains("NotSignedIn"), "{path}: {}", called.body);
    }
}

async fn agencies_enrol_only_with_their_own_systems(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = all_scopes(&app).await;
    let (session, number) = unenrolled_resident(&app, "ida@example.org").await;
    assert_eq!(
        decide(&app, &token, &number, SYSTEM, ACCOUNT).await,
        ("deny".into(), "not_enrolled".into()),
        "a system of enrolled residents knows nothing of anyone else"
    );
    let put = |path: String, method: reqwest::Method| {
        let (app, token) = (&app, token.clone());
        async move {
            let response = app
                .client
                .request(method, app.url(&path))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let mine = format!("/api/v1/subjects/{number}/enrollments/{SYSTEM}");
    assert_eq!(put(mine.clone(), reqwest::Method::PUT).await.0, 201);
    assert_eq!(put(mine.clone(), reqwest::Method::PUT).await.0, 200, "idempotent");
    assert_eq!(decide(&app, &token, &number, SYSTEM, ACCOUNT).await.0, "permit");
    let called = app
        .call("/fn/my/systems", &[("lang", "en")], Some(&session))
        .await;
    let systems: Vec<Value> = serde_json::from_str(&called.body).unwrap();
    assert_eq!(systems[0]["slug"], SYSTEM, "enrolled systems come first");
    assert_eq!(systems[0]["enrolled"], true);
    assert!(systems.iter().skip(1).all(|s| s["scope"] == "public_space"));
    let newsletter = systems[0]["purposes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == NEWSLETTER)
        .unwrap();
    assert_eq!(newsletter["consent"], "NeverAsked");

    let (status, body) = put(
        format!("/api/v1/subjects/{number}/enrollments/riverpass-fare-card"),
        reqwest::Method::PUT,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("agency_not_entitled"))
    );
    let (status, body) = put(
        format!("/api/v1/subjects/{number}/enrollments/public-wifi"),
        reqwest::Method::PUT,
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (409, Some("not_enrollable")));
    let (status, _) = put(
        format!("/api/v1/subjects/GH-2222-2222/enrollments/{SYSTEM}"),
        reqwest::Method::PUT,
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = put(
        format!("/api/v1/subjects/nobody/enrollments/{SYSTEM}"),
        reqwest::Method::PUT,
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (422, Some("invalid_input")));

    assert_eq!(put(mine.clone(), reqwest::Method::DELETE).await.0, 204);
    assert_eq!(put(mine, reqwest::Method::DELETE).await.0, 404);
    let called = app
        .call("/fn/my/systems", &[("lang", "en")], Some(&session))
        .await;
    let systems: Vec<Value> = serde_json::from_str(&called.body).unwrap();
    assert!(systems.iter().all(|s| s["enrolled"] == false));
}

async fn bad_input_gets_a_clear_error_and_no_decision(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = all_scopes(&app).await;
    let send = |body: &'static str, content_type: &'static str| {
        let (app, token) = (&app, token.clone());
        async move {
            let response = app
                .client
                .post(app.url("/api/v1/consent/check"))
                .bearer_auth(token)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let json_type = "application/json";
    for (body, content_type, status, code) in [
        ("{not json", json_type, 400, "malformed_json"),
        ("{\"subject\": \"GH-2222-2222\"}", json_type, 422, "invalid_input"),
        (
            "{\"subject\": \"GH-2222-2222\", \"system\": \"a\", \"purpose\": \"b\", \"extra\": 1}",
            json_type,
            422,
            "invalid_input",
        ),
        (
            "{\"subject\": \"x\", \"system\": \"a\", \"purpose\": \"b\"}",
            json_type,
            422,
            "invalid_input",
        ),
        (
            "{\"subject\": \"GH-2222-2222\", \"system\": \"Not A Slug\", \"purpose\": \"b\"}",
            json_type,
            422,
            "invalid_input",
        ),
        (
            "subject=GH-2222-2222",
            "application/x-www-form-urlencoded",
            400,
            "unsupported_media_type",
        ),
    ] {
        let (got, answer) = send(body, content_type).await;
        assert_eq!(
            (got, answer["error"].as_str()),
            (status, Some(code)),
            "{body}: {answer}"
        );
        assert!(!answer["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(log_count(&app).await, 0, "malformed questions make no decision");
}

async fn a_broken_log_never_fails_open(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = all_scopes(&app).await;
    let (session, number) = resident(&app, "jo@example.org").await;
    choose(&app, &session, SYSTEM, NEWSLETTER, "grant").await;
    assert_eq!(
        decide(&app, &token, &number, SYSTEM, NEWSLETTER).await.0,
        "permit"
    );
    sqlx::query("DROP TABLE decision_log")
        .execute(&app.state.pool)
        .await
        .unwrap();
    let (status, body) = check(&app, &token, &number, SYSTEM, NEWSLETTER).await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["error"], "internal_error");
    assert!(body.get("decision").is_none());
    let (status, body) = post(
        &app,
        &token,
        "/api/v1/subjects/query",
        &json!({"subject": number, "system": SYSTEM, "purpose": NEWSLETTER}),
    )
    .await;
    assert_eq!(status, 500);
    assert!(body.get("data").is_none());
}

async fn a_broken_read_never_fails_open(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = all_scopes(&app).await;
    let (_, number) = resident(&app, "lou@example.org").await;
    assert_eq!(decide(&app, &token, &number, SYSTEM, ACCOUNT).await.0, "permit");
    sqlx::query("DROP TABLE enrollments")
        .execute(&app.state.pool)
        .await
        .unwrap();
    let (status, body) = check(&app, &token, &number, SYSTEM, ACCOUNT).await;
    assert_eq!(status, 500, "{body}");
    assert!(body.get("decision").is_none());
}

/// A grant and a withdrawal sent at the same moment, again and again: whichever is
/// acknowledged last is the newest event in the history and decides the check.
async fn racing_choices_leave_the_latest_event_in_force(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = all_scopes(&app).await;
    let (session, number) = resident(&app, "max@example.org").await;
    for _ in 0..12 {
        tokio::join!(
            choose(&app, &session, SYSTEM, NEWSLETTER, "grant"),
            choose(&app, &session, SYSTEM, NEWSLETTER, "withdraw"),
        );
        let called = app
            .call("/fn/consent/history", &[("lang", "en")], Some(&session))
            .await;
        let history: Vec<Value> = serde_json::from_str(&called.body).unwrap();
        let expected = if history[0]["action"] == "grant" {
            "permit"
        } else {
            "deny"
        };
        assert_eq!(
            decide(&app, &token, &number, SYSTEM, NEWSLETTER).await.0,
            expected
        );
        let times: Vec<&str> = history.iter().map(|e| e["at"].as_str().unwrap()).collect();
        assert!(
            times.windows(2).all(|w| w[0] > w[1]),
            "events have distinct, ordered times: {times:?}"
        );
    }
}

/// Grants, withdrawals and checks run at once for several residents. A check that began
/// after a withdrawal was acknowledged, and ended before the next grant began, must deny.
async fn no_permit_after_an_acknowledged_withdrawal(backend: Backend) {
    use std::sync::Arc;
    use std::time::Instant;
    let app = Arc::new(spawn_app(backend).await);
    let token = all_scopes(&app).await;
    const RESIDENTS: usize = 4;
    const ROUNDS: usize = 8;
    let mut people = Vec::new();
    for i in 0..RESIDENTS {
        people.push(resident(&app, &format!("race{i}@example.org")).await);
    }
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Each resident's acknowledged withdrawals and started grants, as instants.
    let mut choosers = Vec::new();
    for (session, _) in people.clone() {
        let app = app.clone();
        choosers.push(tokio::spawn(async move {
            let mut timeline = Vec::new();
            for _ in 0..ROUNDS {
                let grant_started = Instant::now();
                choose(&app, &session, SYSTEM, NEWSLETTER, "grant").await;
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                choose(&app, &session, SYSTEM, NEWSLETTER, "withdraw").await;
                let withdrawn = Instant::now();
                timeline.push((grant_started, withdrawn));
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            timeline
        }));
    }
    let mut checkers = Vec::new();
    for worker in 0..6 {
        let (app, token, stop, people) = (app.clone(), token.clone(), stop.clone(), people.clone());
        checkers.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut i = worker;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let who = i % RESIDENTS;
                let started = Instant::now();
                let (decision, _) = decide(&app, &token, &people[who].1, SYSTEM, NEWSLETTER).await;
                seen.push((who, started, Instant::now(), decision == "permit"));
                i += 1;
            }
            seen
        }));
    }
    let mut timelines = Vec::new();
    for chooser in choosers {
        timelines.push(chooser.await.unwrap());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut checks = Vec::new();
    for checker in checkers {
        checks.extend(checker.await.unwrap());
    }
    let mut after_withdrawal = 0;
    let mut permits = 0;
    for (who, started, ended, permitted) in &checks {
        permits += usize::from(*permitted);
        let timeline = &timelines[*who];
        for (round, (_, withdrawn)) in timeline.iter().enumerate() {
            let next_grant = timeline.get(round + 1).map(|(g, _)| *g);
            let inside = started > withdrawn && next_grant.is_none_or(|g| *ended < g);
            if inside {
                after_withdrawal += 1;
                assert!(
                    !permitted,
                    "a check that began after an acknowledged withdrawal permitted"
                );
            }
        }
    }
    assert!(after_withdrawal > 0, "the race never checked after a withdrawal");
    assert!(
        permits > 0,
        "no check ever saw a grant, so the test proves nothing"
    );
    // Every check was logged.
    assert_eq!(log_count(&app).await, i64::try_from(checks.len()).unwrap());
}

async fn the_access_log_pages_newest_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = all_scopes(&app).await;
    let transit = bearer(&app, "riverton-transit", &[ApiScope::ConsentCheck]).await;
    let (session, number) = resident(&app, "kim@example.org").await;
    let page_size = domain::decision::ACCESS_PAGE_SIZE;
    for _ in 0..page_size {
        decide(&app, &token, &number, SYSTEM, ACCOUNT).await;
    }
    for _ in 0..3 {
        decide(&app, &transit, &number, "riverpass-fare-card", "service-alerts").await;
    }
    let page = |form: Vec<(&'static str, String)>| {
        let (app, session) = (&app, session.clone());
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let called = app.call("/fn/my/access_log", &form, Some(&session)).await;
            assert_eq!(called.status, 200, "{}", called.body);
            serde_json::from_str::<Value>(&called.body).unwrap()
        }
    };
    let first = page(vec![("lang", "en".into())]).await;
    let entries = first["entries"].as_array().unwrap();
    assert_eq!(entries.len(), page_size);
    assert_eq!(entries[0]["agency_slug"], "riverton-transit", "newest first");
    let seqs: Vec<i64> = entries.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] > w[1]));
    let before = first["next_before"].as_i64().expect("a second page");
    let second = page(vec![("lang", "en".into()), ("before", before.to_string())]).await;
    assert_eq!(second["entries"].as_array().unwrap().len(), 3);
    assert!(second["next_before"].is_null());
    assert_eq!(first["agencies"].as_array().unwrap().len(), 2);
    let transit_only = page(vec![("lang", "en".into()), ("agency", "riverton-transit".into())]).await;
    let entries = transit_only["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e["reason"] == "consent_not_given"));
}
