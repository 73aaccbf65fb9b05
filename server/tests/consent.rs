//! Consent end to end, on SQLite and PostgreSQL: residents grant and withdraw, agencies
//! check and query, the server enforces and records every decision, residents read it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use app::error::AppError;
use common::client::{AccessLogQuery, ApiClient};
use common::{Backend, TestApp, bearer, enrolled_resident, spawn_app, unenrolled_resident};
use domain::account::{AccountInputError, ApiScope, AuthError};
use domain::consent::{
    Channel, ConsentAction, ConsentEventView, EnrollmentAction, EnrollmentChannel, EnrollmentRefused,
};
use domain::decision::{ConsentState, Reason};
use domain::register::{DataCategory, LegalBasis, Scope};

on_both_databases!(
    every_reason_code_is_answered_and_logged,
    grant_permits_and_withdrawal_denies_at_once,
    each_route_refuses_a_token_without_its_scope,
    data_queries_receive_only_the_declared_categories,
    history_and_receipts_match_the_events,
    a_register_edit_makes_a_new_notice_version,
    a_material_change_pauses_consent_until_the_resident_chooses_again,
    residents_see_only_their_own_entries_and_receipts,
    a_system_page_shows_only_a_system_that_holds_the_residents_data,
    the_summary_counts_each_system_and_the_latest_questions,
    an_agency_enrols_a_resident_only_with_a_code_they_enter,
    codes_are_issued_only_for_the_agencys_active_enrollment_systems,
    bad_input_gets_a_clear_error_and_no_decision,
    a_broken_log_never_fails_open,
    no_permit_after_an_acknowledged_withdrawal,
    the_access_log_pages_newest_first,
    a_broken_read_never_fails_open,
    racing_choices_leave_the_latest_event_in_force,
    a_batch_answers_as_single_checks_do_and_logs_every_item,
    a_bad_batch_is_refused_whole_and_logs_nothing,
);

const AGENCY: &str = "riverton-digital-services";
const SYSTEM: &str = "myriverton-account";
/// Consent basis, contact data only.
const NEWSLETTER: &str = "city-newsletter";
/// Contract basis, identity and contact data.
const ACCOUNT: &str = "account-and-sign-in";

/// A client of the agency with every scope.
async fn all_scopes(app: &TestApp) -> ApiClient {
    app.as_agency(&bearer(app, AGENCY, ApiScope::ALL).await)
}

/// A new resident enrolled with the MyRiverton account, 311 and the fare card.
async fn resident(app: &TestApp, email: &str) -> (String, String) {
    enrolled_resident(app, email, &[SYSTEM, "riverton-311", "riverpass-fare-card"]).await
}

/// Grants or withdraws through the resident's server function; the recorded event.
async fn choose(app: &TestApp, session: &str, system: &str, purpose: &str, action: &str) -> ConsentEventView {
    app.as_user(session)
        .record_consent(system, purpose, action)
        .await
        .ok()
}

async fn log_count(app: &TestApp) -> i64 {
    store::decision_log::count(&app.state.pool).await.unwrap()
}

async fn every_reason_code_is_answered_and_logged(backend: Backend) {
    let app = spawn_app(backend).await;
    let agency = all_scopes(&app).await;
    let (session, ana) = resident(&app, "ana@example.org").await;
    assert_eq!(
        agency.decide(&ana, SYSTEM, NEWSLETTER).await,
        ("deny".into(), "consent_not_given".into())
    );
    choose(&app, &session, SYSTEM, NEWSLETTER, "grant").await;
    assert_eq!(
        agency.decide(&ana, SYSTEM, NEWSLETTER).await,
        ("permit".into(), "consent_given".into())
    );
    choose(&app, &session, SYSTEM, NEWSLETTER, "withdraw").await;
    assert_eq!(
        agency.decide(&ana, SYSTEM, NEWSLETTER).await,
        ("deny".into(), "consent_withdrawn".into())
    );
    let body = agency.check(&ana, SYSTEM, ACCOUNT).await.ok();
    assert_eq!(
        (body.decision.as_str(), body.reason.as_str()),
        ("permit", "legal_basis")
    );
    assert_eq!(body.legal_basis.as_deref(), Some("contract"));
    assert_eq!(
        agency.decide("GH-2222-2222", SYSTEM, NEWSLETTER).await,
        ("deny".into(), "unknown_subject".into())
    );
    assert_eq!(
        agency.decide(&ana, "no-such-system", NEWSLETTER).await,
        ("deny".into(), "unknown_system".into())
    );
    assert_eq!(
        agency.decide(&ana, SYSTEM, "no-such-purpose").await,
        ("deny".into(), "unknown_purpose".into())
    );
    // Another agency's system: denied, and the resident's existence is not revealed.
    for subject in [ana.as_str(), "GH-2222-2222"] {
        assert_eq!(
            agency
                .decide(subject, "riverpass-fare-card", "service-alerts")
                .await,
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
    let body = agency.check(&ana, SYSTEM, NEWSLETTER).await.ok();
    let (logged,): (String,) = sqlx::query_as("SELECT reason FROM decision_log WHERE id = $1")
        .bind(&body.decision_id)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(logged, "consent_withdrawn");
    assert!(body.evaluated_at.ends_with('Z'));
}

async fn grant_permits_and_withdrawal_denies_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let agency = all_scopes(&app).await;
    let (session, number) = resident(&app, "ben@example.org").await;
    for _ in 0..3 {
        let granted = choose(&app, &session, SYSTEM, NEWSLETTER, "grant").await;
        assert_eq!(granted.action, ConsentAction::Grant);
        assert_eq!(agency.decide(&number, SYSTEM, NEWSLETTER).await.0, "permit");
        choose(&app, &session, SYSTEM, NEWSLETTER, "withdraw").await;
        assert_eq!(agency.decide(&number, SYSTEM, NEWSLETTER).await.0, "deny");
    }
    // A purpose that rests on another basis is not a choice.
    let called = app
        .as_user(&session)
        .record_consent(SYSTEM, ACCOUNT, "withdraw")
        .await;
    assert_eq!(called.status, 422);
    assert_eq!(called.error(), AppError::NotAChoice, "{}", called.body);
    assert_eq!(agency.decide(&number, SYSTEM, ACCOUNT).await.0, "permit");
    // Signed out, nothing is recorded.
    let called = app.anonymous().record_consent(SYSTEM, NEWSLETTER, "grant").await;
    assert_eq!(called.status, 401);
    assert_eq!(
        called.error(),
        AppError::Auth(AuthError::NotSignedIn),
        "{}",
        called.body
    );
    assert_eq!(agency.decide(&number, SYSTEM, NEWSLETTER).await.0, "deny");
}

async fn each_route_refuses_a_token_without_its_scope(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, number) = resident(&app, "cai@example.org").await;
    let only_read = app.as_agency(&bearer(&app, AGENCY, &[ApiScope::SubjectsRead]).await);
    let only_check = app.as_agency(&bearer(&app, AGENCY, &[ApiScope::ConsentCheck]).await);
    let before = log_count(&app).await;
    let checked = only_read.check(&number, SYSTEM, NEWSLETTER).await;
    assert_eq!(checked.status, 403, "consent/check");
    assert_eq!(checked.error().error, "insufficient_scope", "consent/check");
    let queried = only_check.query(&number, SYSTEM, NEWSLETTER).await;
    assert_eq!(queried.status, 403, "subjects/query");
    assert_eq!(queried.error().error, "insufficient_scope", "subjects/query");
    let issued = only_check.enrollment_code(SYSTEM).await;
    assert_eq!(issued.status, 403, "POST enrollments/codes");
    assert_eq!(issued.error().error, "insufficient_scope");
    let unenrolled = only_check.unenrol(&number, SYSTEM).await;
    assert_eq!(unenrolled.status, 403, "DELETE");
    assert_eq!(unenrolled.error().error, "insufficient_scope");
    // The scope is checked before the body: a malformed body still gets 403.
    let answer = only_read.check_raw(r#"{"subject": 1}"#, "application/json").await;
    assert_eq!(
        (answer.status, answer.error().error.as_str()),
        (403, "insufficient_scope")
    );
    // A refused call makes no decision.
    assert_eq!(log_count(&app).await, before);
    // Without any token: 401.
    let answer = app.anonymous().check(&number, SYSTEM, NEWSLETTER).await;
    assert_eq!(answer.status, 401);
}

async fn data_queries_receive_only_the_declared_categories(backend: Backend) {
    let app = spawn_app(backend).await;
    let agency = all_scopes(&app).await;
    let (session, number) = resident(&app, "dee@example.org").await;
    let me = app.as_user(&session);
    let saved = me
        .update_profile("12 River Street, Riverton", "+1 555 0100", "1990-04-01")
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);

    // Not yet consented: 403 with the reason and the logged decision.
    let answer = agency.query(&number, SYSTEM, NEWSLETTER).await;
    assert_eq!(answer.status, 403, "{}", answer.body);
    let error = answer.error();
    assert_eq!(
        (error.error.as_str(), error.reason.as_deref()),
        ("denied", Some("consent_not_given"))
    );
    assert!(error.decision_id.is_some());

    choose(&app, &session, SYSTEM, NEWSLETTER, "grant").await;
    let answer = agency.query(&number, SYSTEM, NEWSLETTER).await;
    assert!(
        !answer.body.contains("River Street"),
        "contact-only purpose got the address"
    );
    let body = answer.ok();
    let mut fields: Vec<&str> = body.data.keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["email", "phone", "preferred_language"]);
    assert_eq!(body.data.get("phone").map(String::as_str), Some("+1 555 0100"));

    // A contract purpose declaring identity and contact: the name, never the address.
    let body = agency.query(&number, SYSTEM, ACCOUNT).await.ok();
    assert_eq!(body.data.get("name").map(String::as_str), Some("Ana"));
    assert_eq!(
        body.data.get("date_of_birth").map(String::as_str),
        Some("1990-04-01")
    );
    assert!(!body.data.contains_key("postal_address"));

    // A public-space system knows nobody by name: permitted, but no profile fields.
    let body = agency
        .query(&number, "public-wifi", "network-security")
        .await
        .ok();
    assert!(body.data.is_empty(), "{:?}", body.data);
    // Another agency's system, and a resident not enrolled: denied with their reasons.
    let answer = agency
        .query(&number, "riverpass-fare-card", "service-alerts")
        .await;
    assert_eq!(
        (answer.status, answer.error().reason.as_deref()),
        (403, Some("agency_not_entitled"))
    );
    let (_, stranger) = unenrolled_resident(&app, "stranger@example.org").await;
    let answer = agency.query(&stranger, SYSTEM, ACCOUNT).await;
    // Read as an error body, which refuses unknown fields: no `data` came with it.
    assert_eq!(
        (answer.status, answer.error().reason.as_deref()),
        (403, Some("not_enrolled"))
    );

    // A withdrawal stops the very next query.
    choose(&app, &session, SYSTEM, NEWSLETTER, "withdraw").await;
    let answer = agency.query(&number, SYSTEM, NEWSLETTER).await;
    assert_eq!(
        (answer.status, answer.error().reason.as_deref()),
        (403, Some("consent_withdrawn"))
    );

    // Queries are logged like checks, as queries.
    let (queries,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM decision_log WHERE kind = 'query'")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(queries, 7);

    // Bad profile input is refused and loses nothing.
    let refused = me.update_profile("", "12ab", "").await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.error(),
        AppError::Auth(AuthError::Input(AccountInputError::Phone)),
        "{}",
        refused.body
    );
    // The same refusal from a plain HTML form goes back to the form, which shows it.
    let response = app
        .as_user(&session)
        .with_header("accept", "text/html")
        .with_header("referer", &app.url("/account/profile"))
        .update_profile("", "12ab", "")
        .await;
    assert!((300..400).contains(&response.status), "{}", response.status);
    let location = response.header("location").unwrap();
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
    let me = app.as_user(&session);
    let first = choose(&app, &session, SYSTEM, NEWSLETTER, "grant").await;
    let second = choose(&app, &session, "riverton-311", "satisfaction-survey", "grant").await;
    let third = choose(&app, &session, SYSTEM, NEWSLETTER, "withdraw").await;
    let history = me.consent_history().await.ok().items;
    let ids: Vec<&str> = history.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [third.id.as_str(), second.id.as_str(), first.id.as_str()],
        "newest first"
    );
    assert_eq!(history[0].action, ConsentAction::Withdraw);
    assert_eq!(history[0].channel, Channel::Web);
    assert_eq!(history[0].notice_version, 1);
    assert_eq!(history[0].purpose_name, "City newsletter");

    for event in [&first, &third] {
        let receipt = me.receipt_json(&event.id, Some("en")).await.ok();
        assert_eq!(receipt.consent_receipt_id, event.id);
        assert_eq!(receipt.pii_principal_id, number);
        let purpose = &receipt.services[0].purposes[0];
        assert_eq!(purpose.purpose_category[0], NEWSLETTER);
        assert_eq!(purpose.pii_category, [DataCategory::Contact]);
        assert_eq!(receipt.notice.version, 1);
        assert_eq!(receipt.processing.legal_basis, LegalBasis::Consent);
        assert_eq!(receipt.event.event_type, event.action);
        assert!(receipt.processing.withdrawal_method.contains("/my"));
        assert!(receipt.pii_controllers[0].email.contains('@'));
    }
    let receipt = me.receipt_json(&third.id, None).await.ok();
    assert_eq!(receipt.event.state, "ConsentWithdrawn");
    // The readable receipt page.
    let (status, html) = app.get_as(&format!("/my/consents/{}", first.id), &session).await;
    assert_eq!(status, 200);
    assert!(html.contains("You gave consent."), "{html}");
}

async fn a_material_change_pauses_consent_until_the_resident_chooses_again(backend: Backend) {
    use domain::consent::MaterialChange;
    use store::register::{SystemTerms, revise_purpose_categories, revise_system_terms};
    let app = spawn_app(backend).await;
    let agency = all_scopes(&app).await;
    let (session, number) = resident(&app, "max@example.org").await;
    let me = app.as_user(&session);
    let pool = &app.state.pool;
    let system = domain::register::Slug::parse(SYSTEM).unwrap();
    let key = domain::register::Slug::parse(NEWSLETTER).unwrap();
    choose(&app, &session, SYSTEM, NEWSLETTER, "grant").await;
    assert_eq!(agency.decide(&number, SYSTEM, NEWSLETTER).await.0, "permit");
    // Using more data is material: the grant no longer permits, checks and queries say why.
    let more = [DataCategory::Contact, DataCategory::Location];
    let changes = revise_purpose_categories(pool, &system, &key, &more)
        .await
        .unwrap();
    assert_eq!(changes, Some(vec![MaterialChange::NewCategories]));
    assert_eq!(
        agency.decide(&number, SYSTEM, NEWSLETTER).await,
        ("deny".into(), "reconsent_required".into())
    );
    let queried = agency.query(&number, SYSTEM, NEWSLETTER).await;
    assert_eq!(
        (queried.status, queried.error().reason.as_deref()),
        (403, Some("reconsent_required"))
    );
    // /my says what changed.
    let newsletter = |systems: Vec<domain::consent::MySystem>| {
        systems
            .into_iter()
            .flat_map(|s| s.purposes)
            .find(|p| p.key == NEWSLETTER)
            .unwrap()
    };
    let shown = newsletter(me.my_systems().await.ok());
    assert_eq!(shown.changed_since_consent, [MaterialChange::NewCategories]);
    assert_eq!(shown.categories_added, [DataCategory::Location]);
    // The summary counts it as paused; the system's page says what changed.
    let (_, summary) = app.get_as("/my", &session).await;
    assert!(summary.contains("Paused until you choose again"), "{summary}");
    let (_, html) = app.get_as(&format!("/my/systems/{SYSTEM}"), &session).await;
    assert!(
        html.contains("data-testid=\"reconsent\"") && html.contains("data-state=\"stale\""),
        "{html}"
    );
    // Choosing again restores the permit.
    choose(&app, &session, SYSTEM, NEWSLETTER, "grant").await;
    assert_eq!(agency.decide(&number, SYSTEM, NEWSLETTER).await.0, "permit");
    assert!(
        newsletter(me.my_systems().await.ok())
            .changed_since_consent
            .is_empty()
    );
    // Using less data is not material.
    let fewer = [DataCategory::Location];
    assert_eq!(
        revise_purpose_categories(pool, &system, &key, &fewer)
            .await
            .unwrap(),
        Some(vec![])
    );
    assert_eq!(agency.decide(&number, SYSTEM, NEWSLETTER).await.0, "permit");
    // Keeping data longer is material for every purpose of the system.
    let found = store::register::system(pool, &system).await.unwrap().unwrap();
    let longer = SystemTerms {
        recipients: found.recipients.clone(),
        retention: serde_json::from_value(serde_json::json!({"en": "Ten years", "es": "Diez años"})).unwrap(),
        retention_days: Some(3650),
    };
    let changes = revise_system_terms(pool, &system, &longer).await.unwrap();
    assert_eq!(changes, Some(vec![MaterialChange::LongerRetention]));
    assert_eq!(
        agency.decide(&number, SYSTEM, NEWSLETTER).await.1,
        "reconsent_required"
    );
    // A purpose on another basis does not rest on consent: unaffected.
    assert_eq!(agency.decide(&number, SYSTEM, ACCOUNT).await.0, "permit");
}

async fn a_register_edit_makes_a_new_notice_version(backend: Backend) {
    let app = spawn_app(backend).await;
    let agency = all_scopes(&app).await;
    let (session, number) = resident(&app, "fay@example.org").await;
    let me = app.as_user(&session);
    let before = choose(&app, &session, SYSTEM, NEWSLETTER, "grant").await;
    let system = domain::register::Slug::parse(SYSTEM).unwrap();
    let key = domain::register::Slug::parse(NEWSLETTER).unwrap();
    let text = |en: &str| -> domain::text::LocalizedText {
        serde_json::from_value(serde_json::json!({"en": en, "es": en})).unwrap()
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
    let stale = me.record_consent_seen(SYSTEM, NEWSLETTER, "withdraw", 1).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(stale.error(), AppError::NoticeChanged);
    assert_eq!(agency.decide(&number, SYSTEM, NEWSLETTER).await.0, "permit");
    // The same text again is not a new version.
    assert_eq!(revise("City newsletter (weekly)").await, Some(2));
    let after = choose(&app, &session, SYSTEM, NEWSLETTER, "grant").await;
    assert_eq!((before.notice_version, after.notice_version), (1, 2));
    // The older consent keeps pointing at what was shown then.
    assert_eq!(before.purpose_name, "City newsletter");
    assert_eq!(after.purpose_name, "City newsletter (weekly)");
    let receipt = me.receipt_json(&before.id, None).await.ok();
    assert_eq!(receipt.notice.version, 1);
    assert_eq!(receipt.notice.title, "City newsletter");
    // The decision is unaffected by a text edit.
    assert_eq!(agency.decide(&number, SYSTEM, NEWSLETTER).await.0, "permit");
}

async fn residents_see_only_their_own_entries_and_receipts(backend: Backend) {
    let app = spawn_app(backend).await;
    let agency = all_scopes(&app).await;
    let (gil, gil_number) = resident(&app, "gil@example.org").await;
    let (hana, _) = resident(&app, "hana@example.org").await;
    let (gil, hana) = (app.as_user(&gil), app.as_user(&hana));
    let event = gil.record_consent(SYSTEM, NEWSLETTER, "grant").await.ok();
    agency.decide(&gil_number, SYSTEM, NEWSLETTER).await;
    agency.decide(&gil_number, SYSTEM, ACCOUNT).await;

    let transit = app.as_agency(&bearer(&app, "riverton-transit", &[ApiScope::ConsentCheck]).await);
    transit.decide(&gil_number, SYSTEM, NEWSLETTER).await;
    let mine = gil.access_log(&AccessLogQuery::default()).await.ok();
    let entries = &mine.entries;
    assert_eq!(
        entries.len(),
        3,
        "a refused question that named the resident is shown too"
    );
    assert_eq!(entries[0].reason, Reason::AgencyNotEntitled);
    let entries = &entries[1..];
    assert_eq!(entries[0].purpose_key, ACCOUNT, "newest first");
    assert_eq!(entries[1].reason, Reason::ConsentGiven);
    assert_eq!(entries[1].agency_name, "Department of Digital Services");
    let only = |decision| AccessLogQuery {
        decision: Some(decision),
        ..AccessLogQuery::default()
    };
    let permits = gil.access_log(&only("permit")).await.ok();
    assert_eq!(permits.entries.len(), 2);
    let denials = gil.access_log(&only("deny")).await.ok();
    assert_eq!(denials.entries.len(), 1);

    // Another resident sees none of it, and cannot open the receipt.
    let theirs = hana.access_log(&AccessLogQuery::default()).await.ok();
    assert!(theirs.entries.is_empty());
    assert!(theirs.agencies.is_empty());
    let id = event.id.as_str();
    assert_eq!(hana.receipt_json(id, None).await.status, 404);
    let anonymous = app.anonymous();
    assert_eq!(anonymous.receipt_json(id, None).await.status, 401);
    assert!(hana.consent_history().await.ok().items.is_empty());
    // The receipt's server function, like its download, does not know another's event.
    let called = hana.consent_receipt(id).await;
    assert_eq!(called.status, 404, "{}", called.body);
    // Signed out, every resident server function refuses before doing any work.
    for (name, called) in [
        ("my/systems", anonymous.my_systems().await.erased()),
        ("my/summary", anonymous.my_summary().await.erased()),
        ("my/system", anonymous.my_system(SYSTEM).await.erased()),
        ("my/access_log/recent", anonymous.recent_access().await.erased()),
        (
            "my/access_log",
            anonymous.access_log(&AccessLogQuery::default()).await.erased(),
        ),
        ("consent/history", anonymous.consent_history().await.erased()),
        ("consent/receipt", anonymous.consent_receipt(id).await.erased()),
        ("profile/get", anonymous.profile().await.erased()),
        (
            "profile/update",
            anonymous.update_profile("x", "", "").await.erased(),
        ),
        (
            "my/enrollments/history",
            anonymous.enrollment_history().await.erased(),
        ),
        (
            "my/enrollments/confirm",
            anonymous.confirm_enrollment("0000-0000-0000").await.erased(),
        ),
        ("my/ledger/proof", anonymous.entry_proof(0).await.erased()),
    ] {
        assert_eq!(called.status, 401, "{name}: {}", called.body);
        assert_eq!(
            called.error(),
            AppError::Auth(AuthError::NotSignedIn),
            "{name}: {}",
            called.body
        );
    }
}

/// A system in public space whose one consent purpose anyone passing may be asked about.
const WIFI: &str = "public-wifi";
const FOOTFALL: &str = "footfall-analytics";

async fn a_system_page_shows_only_a_system_that_holds_the_residents_data(backend: Backend) {
    let app = spawn_app(backend).await;
    let (kai, _) = enrolled_resident(&app, "kai@example.org", &[SYSTEM]).await;
    let (lou, _) = unenrolled_resident(&app, "lou@example.org").await;
    let (kai, lou) = (app.as_user(&kai), app.as_user(&lou));
    kai.record_consent(SYSTEM, NEWSLETTER, "grant").await.ok();
    kai.record_consent(WIFI, FOOTFALL, "grant").await.ok();

    let account = kai.my_system(SYSTEM).await.ok();
    assert!(account.enrolled);
    let newsletter = account.purposes.iter().find(|p| p.key == NEWSLETTER).unwrap();
    assert_eq!(newsletter.consent, ConsentState::Given);

    // Another resident, not enrolled with it, is told it is not found: never Kai's choices.
    for slug in [SYSTEM, "no-such-system", "Not a slug!"] {
        let refused = lou.my_system(slug).await;
        assert_eq!(
            (refused.status, refused.error()),
            (404, AppError::NotFound),
            "{slug}"
        );
    }
    let page = lou.page(&format!("/my/systems/{SYSTEM}")).await;
    assert_eq!(page.status, 404);
    assert!(
        page.body.contains("There is no such system among yours"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("City newsletter"), "{}", page.body);
    let own = kai.page(&format!("/my/systems/{SYSTEM}")).await;
    assert_eq!(own.status, 200);
    assert!(own.body.contains("City newsletter"), "{}", own.body);

    // A system in public space is anyone's to open, each with their own consent only.
    let wifi = lou.my_system(WIFI).await.ok();
    assert!(!wifi.enrolled);
    let footfall = wifi.purposes.iter().find(|p| p.key == FOOTFALL).unwrap();
    assert_eq!(footfall.consent, ConsentState::NeverAsked, "Kai's grant is Kai's");
    let theirs = kai.my_system(WIFI).await.ok();
    let footfall = theirs.purposes.iter().find(|p| p.key == FOOTFALL).unwrap();
    assert_eq!(footfall.consent, ConsentState::Given);

    // Signed out, the page sends the visitor to sign in and shows nothing.
    let anonymous = app.anonymous().page(&format!("/my/systems/{SYSTEM}")).await;
    assert_eq!(anonymous.status, 302, "{}", anonymous.body);
    assert_eq!(
        anonymous.header("location").map(str::to_owned),
        Some(format!("/login?next=/my/systems/{SYSTEM}"))
    );
    assert!(!anonymous.body.contains("City newsletter"));
}

async fn the_summary_counts_each_system_and_the_latest_questions(backend: Backend) {
    let app = spawn_app(backend).await;
    let agency = all_scopes(&app).await;
    let (mia, mia_number) = enrolled_resident(&app, "mia@example.org", &[SYSTEM]).await;
    let (ned, _) = unenrolled_resident(&app, "ned@example.org").await;
    let (mia, ned) = (app.as_user(&mia), app.as_user(&ned));
    mia.record_consent(SYSTEM, NEWSLETTER, "grant").await.ok();
    for _ in 0..4 {
        agency.decide(&mia_number, SYSTEM, NEWSLETTER).await;
    }
    agency.decide(&mia_number, SYSTEM, ACCOUNT).await;

    let summary = mia.my_summary().await.ok();
    let line = &summary.systems[0];
    assert_eq!(
        (line.slug.as_str(), line.enrolled),
        (SYSTEM, true),
        "enrolled systems first"
    );
    // The account: newsletter and analytics ask for consent, sign-in and logging do not.
    assert_eq!(
        (line.tally.choices, line.tally.allowed, line.tally.by_law),
        (2, 1, 2)
    );
    assert!(summary.systems[1..].iter().all(|s| !s.enrolled));
    assert_eq!(summary.overall.allowed, 1);
    assert_eq!(summary.allowed.len(), 1);
    assert_eq!(summary.allowed[0].system_slug, SYSTEM);
    assert_eq!(summary.allowed[0].purpose_name, "City newsletter");

    let recent = mia.recent_access().await.ok();
    assert_eq!(recent.len(), domain::decision::RECENT_ACCESS);
    assert_eq!(recent[0].purpose_key, ACCOUNT, "newest first");
    let full = mia.access_log(&AccessLogQuery::default()).await.ok();
    assert_eq!(full.entries.len(), 5);
    assert_eq!(recent, full.entries[..recent.len()]);

    // Another resident's summary holds nothing of Mia's.
    let theirs = ned.my_summary().await.ok();
    assert!(theirs.systems.iter().all(|s| !s.enrolled));
    assert_eq!(theirs.overall.allowed, 0);
    assert!(theirs.allowed.is_empty());
    assert!(ned.recent_access().await.ok().is_empty());
}

async fn an_agency_enrols_a_resident_only_with_a_code_they_enter(backend: Backend) {
    let app = spawn_app(backend).await;
    let agency = all_scopes(&app).await;
    let (session, number) = unenrolled_resident(&app, "ida@example.org").await;
    let me = app.as_user(&session);
    assert_eq!(
        agency.decide(&number, SYSTEM, ACCOUNT).await,
        ("deny".into(), "not_enrolled".into()),
        "a system of enrolled residents knows nothing of anyone else"
    );
    let issued = agency.enrollment_code(SYSTEM).await;
    assert_eq!(issued.status, 201, "{}", issued.body);
    let issued = issued.value();
    assert_eq!(
        (issued.state.as_str(), issued.subject.as_deref()),
        ("pending", None)
    );
    // The agency's say-so alone gives nothing: no enrollment, no data.
    assert_eq!(agency.decide(&number, SYSTEM, ACCOUNT).await.1, "not_enrolled");
    let queried = agency.query(&number, SYSTEM, ACCOUNT).await;
    assert_eq!(
        (queried.status, queried.error().reason.as_deref()),
        (403, Some("not_enrolled"))
    );
    assert!(me.enrollment_history().await.ok().is_empty());

    // The resident enters it (typed as people type: lower case, no hyphens).
    let typed = issued.code.replace('-', "").to_lowercase();
    let confirmed = me.confirm_enrollment(&typed).await.ok();
    assert_eq!(confirmed.action, EnrollmentAction::Confirmed);
    assert_eq!(confirmed.channel, EnrollmentChannel::Web);
    assert_eq!(confirmed.system_slug, SYSTEM);
    assert!(
        confirmed.requested_at.is_some(),
        "the history says when the agency asked"
    );
    assert_eq!(agency.decide(&number, SYSTEM, ACCOUNT).await.0, "permit");
    let status = agency.enrollment_code_status(&issued.code).await.ok();
    assert_eq!(
        (status.state.as_str(), status.subject.as_deref()),
        ("confirmed", Some(number.as_str()))
    );
    let systems = me.my_systems().await.ok();
    assert_eq!(systems[0].slug, SYSTEM, "enrolled systems come first");
    assert!(systems[0].enrolled);
    assert!(systems.iter().skip(1).all(|s| s.scope == Scope::PublicSpace));

    // A code works once, for one person.
    let (other, _) = unenrolled_resident(&app, "jo@example.org").await;
    let again = app.as_user(&other).confirm_enrollment(&issued.code).await;
    assert_eq!(
        (again.status, again.error()),
        (409, AppError::Enrollment(EnrollmentRefused::AlreadyUsed))
    );
    let unknown = me.confirm_enrollment("0000-0000-0000").await;
    assert_eq!(
        (unknown.status, unknown.error()),
        (422, AppError::Enrollment(EnrollmentRefused::UnknownCode))
    );
    let garbage = me.confirm_enrollment("not a code").await;
    assert_eq!(
        garbage.error(),
        AppError::Enrollment(EnrollmentRefused::UnknownCode)
    );
    let anonymous = app.anonymous().confirm_enrollment(&issued.code).await;
    assert_eq!(anonymous.status, 401);
    // Only the issuing agency can look a code up.
    let other_agency = app.as_agency(&bearer(&app, "riverton-transit", ApiScope::ALL).await);
    assert_eq!(
        other_agency.enrollment_code_status(&issued.code).await.status,
        404
    );

    // Ending it is recorded too, and the data stops at once.
    assert_eq!(agency.unenrol(&number, SYSTEM).await.status, 204);
    assert_eq!(agency.unenrol(&number, SYSTEM).await.status, 404);
    assert_eq!(agency.decide(&number, SYSTEM, ACCOUNT).await.1, "not_enrolled");
    let history = me.enrollment_history().await.ok();
    let steps: Vec<_> = history.iter().map(|e| (e.action, e.channel)).collect();
    assert_eq!(
        steps,
        [
            (EnrollmentAction::Ended, EnrollmentChannel::Api),
            (EnrollmentAction::Confirmed, EnrollmentChannel::Web)
        ],
        "newest first"
    );
    assert!(app.as_user(&other).enrollment_history().await.ok().is_empty());
}

async fn codes_are_issued_only_for_the_agencys_active_enrollment_systems(backend: Backend) {
    let app = spawn_app(backend).await;
    let agency = all_scopes(&app).await;
    for (system, status, code) in [
        ("riverpass-fare-card", 403, "agency_not_entitled"),
        ("public-wifi", 409, "not_enrollable"),
        ("no-such-system", 404, "not_found"),
        ("Not A Slug", 422, "invalid_input"),
    ] {
        let answer = agency.enrollment_code(system).await;
        assert_eq!(
            (answer.status, answer.error().error.as_str()),
            (status, code),
            "{system}"
        );
    }
    let (session, number) = unenrolled_resident(&app, "kim@example.org").await;
    let issued = agency.enrollment_code(SYSTEM).await.value();
    // The system is retired after the code was printed: the code no longer enrols, new codes
    // are refused, and checks about anyone already enrolled deny.
    let (_, enrolled) = resident(&app, "lee@example.org").await;
    sqlx::query("UPDATE systems SET status = 'retired' WHERE slug = $1")
        .bind(SYSTEM)
        .execute(&app.state.pool)
        .await
        .unwrap();
    let late = app.as_user(&session).confirm_enrollment(&issued.code).await;
    assert_eq!(
        (late.status, late.error()),
        (409, AppError::Enrollment(EnrollmentRefused::SystemNotActive))
    );
    let answer = agency.enrollment_code(SYSTEM).await;
    assert_eq!(
        (answer.status, answer.error().error.as_str()),
        (409, "system_not_active")
    );
    assert_eq!(
        agency.decide(&enrolled, SYSTEM, ACCOUNT).await,
        ("deny".into(), "system_not_active".into())
    );
    assert_eq!(
        agency.decide(&number, SYSTEM, ACCOUNT).await.1,
        "system_not_active"
    );
    // An expired code is refused with its own sentence.
    sqlx::query("UPDATE systems SET status = 'active' WHERE slug = $1")
        .bind(SYSTEM)
        .execute(&app.state.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE enrollment_codes SET expires_at_us = 0")
        .execute(&app.state.pool)
        .await
        .unwrap();
    let expired = app.as_user(&session).confirm_enrollment(&issued.code).await;
    assert_eq!(
        (expired.status, expired.error()),
        (422, AppError::Enrollment(EnrollmentRefused::Expired))
    );
    assert_eq!(
        agency.enrollment_code_status(&issued.code).await.ok().state,
        "expired"
    );
}

async fn bad_input_gets_a_clear_error_and_no_decision(backend: Backend) {
    let app = spawn_app(backend).await;
    let agency = all_scopes(&app).await;
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
        let answer = agency.check_raw(body, content_type).await;
        let error = answer.error();
        assert_eq!(
            (answer.status, error.error.as_str()),
            (status, code),
            "{body}: {}",
            answer.body
        );
        assert!(!error.message.is_empty());
    }
    assert_eq!(log_count(&app).await, 0, "malformed questions make no decision");
}

async fn a_broken_log_never_fails_open(backend: Backend) {
    let app = spawn_app(backend).await;
    let agency = all_scopes(&app).await;
    let (session, number) = resident(&app, "jo@example.org").await;
    choose(&app, &session, SYSTEM, NEWSLETTER, "grant").await;
    assert_eq!(agency.decide(&number, SYSTEM, NEWSLETTER).await.0, "permit");
    sqlx::query("DROP TABLE decision_log")
        .execute(&app.state.pool)
        .await
        .unwrap();
    let answer = agency.check(&number, SYSTEM, NEWSLETTER).await;
    assert_eq!(answer.status, 500, "{}", answer.body);
    // Read as an error body, which refuses unknown fields: no `decision` came with it.
    assert_eq!(answer.error().error, "internal_error");
    let answer = agency.query(&number, SYSTEM, NEWSLETTER).await;
    assert_eq!(answer.status, 500);
    // Read as an error body: no `data` came with it.
    answer.error();
}

async fn a_broken_read_never_fails_open(backend: Backend) {
    let app = spawn_app(backend).await;
    let agency = all_scopes(&app).await;
    let (_, number) = resident(&app, "lou@example.org").await;
    assert_eq!(agency.decide(&number, SYSTEM, ACCOUNT).await.0, "permit");
    // Decisions come from memory, but none is answered before the log has read the facts
    // version (whether the memory is current): when that read fails, nothing is answered.
    sqlx::query("DROP TABLE facts_head")
        .execute(&app.state.pool)
        .await
        .unwrap();
    let answer = agency.check(&number, SYSTEM, ACCOUNT).await;
    assert_eq!(answer.status, 500, "{}", answer.body);
    // Read as an error body, which refuses unknown fields: no `decision` came with it.
    answer.error();
}

/// A grant and a withdrawal sent at the same moment, again and again: whichever is
/// acknowledged last is the newest event in the history and decides the check.
async fn racing_choices_leave_the_latest_event_in_force(backend: Backend) {
    let app = spawn_app(backend).await;
    let agency = all_scopes(&app).await;
    let (session, number) = resident(&app, "max@example.org").await;
    let me = app.as_user(&session);
    for _ in 0..12 {
        tokio::join!(
            choose(&app, &session, SYSTEM, NEWSLETTER, "grant"),
            choose(&app, &session, SYSTEM, NEWSLETTER, "withdraw"),
        );
        let history = me.consent_history().await.ok().items;
        let expected = if history[0].action == ConsentAction::Grant {
            "permit"
        } else {
            "deny"
        };
        assert_eq!(agency.decide(&number, SYSTEM, NEWSLETTER).await.0, expected);
        let times: Vec<&str> = history.iter().map(|e| e.at.as_str()).collect();
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
    // Checks as fast as the server answers: the per-client quota is not what is tested here.
    let app =
        Arc::new(common::spawn_app_with(backend, &[("GLASSHOUSE_CLIENT_CALLS_PER_SECOND", "1000000")]).await);
    let agency = all_scopes(&app).await;
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
        let (agency, stop, people) = (agency.clone(), stop.clone(), people.clone());
        checkers.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut i = worker;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let who = i % RESIDENTS;
                let started = Instant::now();
                let (decision, _) = agency.decide(&people[who].1, SYSTEM, NEWSLETTER).await;
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
    let agency = all_scopes(&app).await;
    let transit = app.as_agency(&bearer(&app, "riverton-transit", &[ApiScope::ConsentCheck]).await);
    let (session, number) = resident(&app, "kim@example.org").await;
    let page_size = domain::decision::ACCESS_PAGE_SIZE;
    for _ in 0..page_size {
        agency.decide(&number, SYSTEM, ACCOUNT).await;
    }
    for _ in 0..3 {
        transit
            .decide(&number, "riverpass-fare-card", "service-alerts")
            .await;
    }
    let me = app.as_user(&session);
    let first = me.access_log(&AccessLogQuery::default()).await.ok();
    let entries = &first.entries;
    assert_eq!(entries.len(), page_size);
    assert_eq!(entries[0].agency_slug, "riverton-transit", "newest first");
    let seqs: Vec<i64> = entries.iter().map(|e| e.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] > w[1]));
    let before = first.next_before.expect("a second page");
    let second = me
        .access_log(&AccessLogQuery {
            before: Some(before),
            ..AccessLogQuery::default()
        })
        .await
        .ok();
    assert_eq!(second.entries.len(), 3);
    assert!(second.next_before.is_none());
    assert_eq!(first.agencies.len(), 2);
    let transit_only = me
        .access_log(&AccessLogQuery {
            agency: Some("riverton-transit"),
            ..AccessLogQuery::default()
        })
        .await
        .ok();
    let entries = &transit_only.entries;
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e.reason == Reason::ConsentNotGiven));
}

async fn a_batch_answers_as_single_checks_do_and_logs_every_item(backend: Backend) {
    let app = spawn_app(backend).await;
    let agency = all_scopes(&app).await;
    let (session, ana) = resident(&app, "ana@example.org").await;
    let (_, ben) = unenrolled_resident(&app, "ben@example.org").await;
    choose(&app, &session, SYSTEM, NEWSLETTER, "grant").await;
    // Every kind of answer: a permit, another basis, not enrolled, unknown subject, system
    // and purpose, another agency's system.
    let questions = [
        (ana.as_str(), SYSTEM, NEWSLETTER),
        (ana.as_str(), SYSTEM, ACCOUNT),
        (ben.as_str(), SYSTEM, NEWSLETTER),
        ("GH-2222-2222", SYSTEM, NEWSLETTER),
        (ana.as_str(), "no-such-system", NEWSLETTER),
        (ana.as_str(), SYSTEM, "no-such-purpose"),
        (ana.as_str(), "riverpass-fare-card", "service-alerts"),
        (ana.as_str(), SYSTEM, NEWSLETTER),
    ];
    let singles: Vec<(String, String, Option<String>)> = {
        let mut singles = Vec::new();
        for (subject, system, purpose) in questions {
            let answer = agency.check(subject, system, purpose).await.ok();
            singles.push((answer.decision, answer.reason, answer.legal_basis));
        }
        singles
    };
    let before = log_count(&app).await;
    let batch = agency.check_batch(&questions).await;
    assert_eq!(batch.status, 200, "{}", batch.body);
    let results = batch.ok()["results"].as_array().unwrap().clone();
    assert_eq!(results.len(), questions.len());
    for (i, (result, single)) in results.iter().zip(&singles).enumerate() {
        assert_eq!(result["correlation_id"], format!("q{i}"), "answered in order");
        assert_eq!(result["decision"], single.0.as_str(), "question {i}");
        assert_eq!(result["reason"], single.1.as_str(), "question {i}");
        assert_eq!(
            result["legal_basis"].as_str(),
            single.2.as_deref(),
            "question {i}"
        );
    }
    assert!(singles.iter().any(|s| s.0 == "permit") && singles.iter().any(|s| s.0 == "deny"));
    // Every item is logged, numbered in order, under the id the agency received.
    assert_eq!(
        log_count(&app).await,
        before + i64::try_from(questions.len()).unwrap()
    );
    let ids: Vec<String> = results
        .iter()
        .map(|r| r["decision_id"].as_str().unwrap().to_owned())
        .collect();
    let mut seqs = Vec::new();
    for id in &ids {
        let (seq,): (i64,) = sqlx::query_as("SELECT seq FROM decision_log WHERE id = $1")
            .bind(id)
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
        seqs.push(seq);
    }
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "one append, in order: {seqs:?}"
    );
    // The resident sees the batch's questions in their access log like any other.
    let mine = app
        .as_user(&session)
        .access_log(&AccessLogQuery::default())
        .await
        .ok();
    assert!(mine.entries.iter().any(|e| e.decision_id == ids[0]));
    // A withdrawal is in force for the next batch at once.
    choose(&app, &session, SYSTEM, NEWSLETTER, "withdraw").await;
    let after = agency.check_batch(&questions[..1]).await.ok();
    assert_eq!(after["results"][0]["reason"], "consent_withdrawn");
}

async fn a_bad_batch_is_refused_whole_and_logs_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let agency = all_scopes(&app).await;
    let (_, ana) = resident(&app, "ana@example.org").await;
    let item = |id: &str, subject: &str| serde_json::json!({"correlation_id": id, "subject": subject, "system": SYSTEM, "purpose": NEWSLETTER});
    let before = log_count(&app).await;
    let too_many: Vec<_> = (0..101).map(|i| item(&format!("q{i}"), &ana)).collect();
    let cases = [
        (serde_json::json!({"checks": []}), "1 to 100"),
        (serde_json::json!({ "checks": too_many }), "1 to 100"),
        (
            serde_json::json!({"checks": [item("a", &ana), item("b", "not a number")]}),
            "checks[1]",
        ),
        (
            serde_json::json!({"checks": [item("a b", &ana)]}),
            "correlation_id",
        ),
    ];
    for (body, says) in cases {
        let answer = agency.check_batch_raw(&body).await;
        assert_eq!(answer.status, 422, "{}", answer.body);
        assert!(answer.error().message.contains(says), "{}", answer.body);
    }
    // The same correlation id twice is the agency's own affair: answered in order.
    let twice = agency
        .check_batch_raw(&serde_json::json!({"checks": [item("a", &ana), item("a", &ana)]}))
        .await;
    assert_eq!(twice.status, 200, "{}", twice.body);
    assert_eq!(twice.ok()["results"].as_array().unwrap().len(), 2);
    let full: Vec<_> = (0..100).map(|i| item(&format!("q{i}"), &ana)).collect();
    let answer = agency
        .check_batch_raw(&serde_json::json!({ "checks": full }))
        .await;
    assert_eq!(answer.status, 200, "a batch of 100 is answered: {}", answer.body);
    // Without the scope: 403 before the body is read.
    let reader = app.as_agency(&bearer(&app, AGENCY, &[ApiScope::SubjectsRead]).await);
    let refused = reader.check_batch(&[(ana.as_str(), SYSTEM, NEWSLETTER)]).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(log_count(&app).await, before + 102);
}
