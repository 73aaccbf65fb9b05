//! Accounts and sessions through the running server: every denial has a test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, GOOD_PASSWORD, sign_in, sign_up, spawn_app};
use domain::account::Role;

on_both_databases!(
    a_new_resident_sees_their_resident_number,
    an_email_can_register_only_once,
    weak_passwords_are_refused_with_a_reason,
    a_wrong_password_and_an_unknown_email_get_the_same_answer,
    signing_out_ends_the_session_for_real,
    changing_the_password_ends_every_other_session,
    deleting_the_account_ends_its_sessions_and_sign_in,
    the_console_refuses_everyone_but_staff,
    server_functions_refuse_callers_without_a_session,
    staff_server_functions_refuse_residents_and_strangers,
    a_sign_in_that_raced_a_password_change_gets_no_session,
    sessions_that_can_no_longer_be_used_are_purged,
    cross_site_posts_are_refused,
    repeated_sign_in_attempts_are_limited_per_account,
    a_forged_or_tampered_session_cookie_is_ignored,
);

async fn a_new_resident_sees_their_resident_number(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = sign_up(&app, "ana@example.org").await;
    let (status, html) = app.get_as("/account", &session).await;
    assert_eq!(status, 200);
    let after = html.split("data-testid=\"resident-number\"").nth(1).unwrap();
    let number = after.split('>').nth(1).unwrap().split('<').next().unwrap();
    assert!(
        domain::account::ResidentNumber::parse(number).is_some(),
        "{number:?}"
    );
    assert!(html.contains("ana@example.org"));
}

async fn an_email_can_register_only_once(backend: Backend) {
    let app = spawn_app(backend).await;
    sign_up(&app, "ana@example.org").await;
    let again = app
        .call(
            "/fn/auth/sign_up",
            &[
                ("email", "ANA@example.org "),
                ("password", GOOD_PASSWORD),
                ("display_name", "A"),
                ("lang", "en"),
            ],
            None,
        )
        .await;
    assert_ne!(again.status, 200);
    assert!(again.body.contains("EmailTaken"), "{}", again.body);
    assert!(again.cookie.is_none());
}

async fn weak_passwords_are_refused_with_a_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    for (password, reason) in [
        ("short", "PasswordTooShort"),
        ("password1234", "PasswordTooCommon"),
    ] {
        let called = app
            .call(
                "/fn/auth/sign_up",
                &[
                    ("email", "bo@example.org"),
                    ("password", password),
                    ("display_name", "Bo"),
                    ("lang", "en"),
                ],
                None,
            )
            .await;
        assert!(called.body.contains(reason), "{password}: {}", called.body);
    }
}

async fn a_wrong_password_and_an_unknown_email_get_the_same_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    sign_up(&app, "ana@example.org").await;
    let wrong = sign_in(&app, "ana@example.org", "not the password!").await;
    let unknown = sign_in(&app, "nobody@example.org", "not the password!").await;
    assert_eq!((wrong.status, &wrong.body), (unknown.status, &unknown.body));
    assert!(wrong.body.contains("InvalidCredentials"));
    let right = sign_in(&app, "ana@example.org", GOOD_PASSWORD).await;
    assert_eq!(right.status, 200);
    assert!(right.cookie.is_some());
}

async fn signing_out_ends_the_session_for_real(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = sign_up(&app, "ana@example.org").await;
    let out = app.call("/fn/auth/sign_out", &[], Some(&session)).await;
    assert_eq!(out.status, 200, "{}", out.body);
    assert_eq!(out.cookie.as_deref(), Some(""), "the browser's cookie is cleared");
    // The old token, replayed, names a session that no longer exists.
    let (status, _) = app.get_as("/account", &session).await;
    assert_eq!(status, 302, "signed out: /account sends to /login");
}

async fn changing_the_password_ends_every_other_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = sign_up(&app, "ana@example.org").await;
    let second = sign_in(&app, "ana@example.org", GOOD_PASSWORD)
        .await
        .cookie
        .unwrap();
    let new_password = "another long passphrase 7";
    let wrong = app
        .call(
            "/fn/auth/change_password",
            &[
                ("current_password", "not it at all"),
                ("new_password", new_password),
            ],
            Some(&first),
        )
        .await;
    assert!(wrong.body.contains("WrongPassword"), "{}", wrong.body);
    let changed = app
        .call(
            "/fn/auth/change_password",
            &[
                ("current_password", GOOD_PASSWORD),
                ("new_password", new_password),
            ],
            Some(&first),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let renewed = changed.cookie.unwrap();
    assert_ne!(renewed, first, "a new session id after the change");
    assert_eq!(app.get_as("/account", &second).await.0, 302);
    assert_eq!(app.get_as("/account", &first).await.0, 302);
    assert_eq!(app.get_as("/account", &renewed).await.0, 200);
    let old = sign_in(&app, "ana@example.org", GOOD_PASSWORD).await;
    assert!(old.body.contains("InvalidCredentials"));
}

async fn deleting_the_account_ends_its_sessions_and_sign_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = sign_up(&app, "ana@example.org").await;
    let refused = app
        .call(
            "/fn/auth/delete_account",
            &[("password", "wrong password here")],
            Some(&session),
        )
        .await;
    assert!(refused.body.contains("WrongPassword"));
    assert_eq!(
        app.get_as("/account", &session).await.0,
        200,
        "a refused deletion changes nothing"
    );
    let deleted = app
        .call(
            "/fn/auth/delete_account",
            &[("password", GOOD_PASSWORD)],
            Some(&session),
        )
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(app.get_as("/account", &session).await.0, 302);
    let again = sign_in(&app, "ana@example.org", GOOD_PASSWORD).await;
    assert!(again.body.contains("InvalidCredentials"));
}

async fn the_console_refuses_everyone_but_staff(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, html) = app.get("/admin").await;
    assert_eq!(status, 403);
    assert!(html.contains("Not allowed"));
    let resident = sign_up(&app, "ana@example.org").await;
    assert_eq!(app.get_as("/admin", &resident).await.0, 403);
    for (email, role) in [
        ("officer@example.org", Role::Officer),
        ("admin@example.org", Role::Admin),
    ] {
        app.state
            .accounts
            .create_user(email, GOOD_PASSWORD, "Staff", role)
            .await
            .unwrap();
        let staff = sign_in(&app, email, GOOD_PASSWORD).await.cookie.unwrap();
        let (status, html) = app.get_as("/admin", &staff).await;
        assert_eq!(status, 200, "{role}");
        assert!(html.contains("Officer console"));
    }
}

async fn server_functions_refuse_callers_without_a_session(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in [
        "/fn/auth/sign_out",
        "/fn/auth/change_password",
        "/fn/auth/delete_account",
    ] {
        let form = [
            ("current_password", "x"),
            ("new_password", "y"),
            ("password", "z"),
        ];
        let called = app.call(path, &form, None).await;
        assert_ne!(called.status, 200, "{path}");
        assert!(called.body.contains("NotSignedIn"), "{path}: {}", called.body);
    }
}

async fn cross_site_posts_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    sign_up(&app, "ana@example.org").await;
    let form = [("email", "ana@example.org"), ("password", GOOD_PASSWORD)];
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let response = app
            .client
            .post(app.url("/fn/auth/sign_in"))
            .header(name, value)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{name}: {value}");
        assert!(response.headers().get("set-cookie").is_none());
        assert!(
            response.text().await.unwrap().contains("Forbidden"),
            "the page can explain it"
        );
    }
    let same = app
        .client
        .post(app.url("/fn/auth/sign_in"))
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 200);
}

async fn repeated_sign_in_attempts_are_limited_per_account(backend: Backend) {
    let app = spawn_app(backend).await;
    sign_up(&app, "ana@example.org").await;
    let mut limited = None;
    for _ in 0..12 {
        let called = sign_in(&app, "ana@example.org", "wrong guess again").await;
        if called.status == 429 {
            limited = Some(called);
            break;
        }
    }
    let limited = limited.expect("the sixth attempt within a minute is refused");
    assert!(limited.retry_after.unwrap().parse::<u64>().unwrap() >= 1);
    // Even the right password waits.
    let right = sign_in(&app, "ana@example.org", GOOD_PASSWORD).await;
    assert_eq!(right.status, 429);
}

async fn a_forged_or_tampered_session_cookie_is_ignored(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = sign_up(&app, "ana@example.org").await;
    let mut parts: Vec<String> = session.split('.').map(str::to_owned).collect();
    parts[1] = parts[1].chars().rev().collect();
    let tampered = parts.join(".");
    for token in [tampered.as_str(), "not-a-token", ""] {
        assert_eq!(app.get_as("/account", token).await.0, 302, "{token:?}");
    }
}

async fn staff_server_functions_refuse_residents_and_strangers(backend: Backend) {
    let app = spawn_app(backend).await;
    let anonymous = app.call("/fn/admin/overview", &[], None).await;
    assert_ne!(anonymous.status, 200);
    assert!(anonymous.body.contains("NotSignedIn"), "{}", anonymous.body);
    let resident = sign_up(&app, "ana@example.org").await;
    let refused = app.call("/fn/admin/overview", &[], Some(&resident)).await;
    assert_ne!(refused.status, 200);
    assert!(refused.body.contains("Forbidden"), "{}", refused.body);
    app.state
        .accounts
        .create_user("officer@example.org", GOOD_PASSWORD, "Officer", Role::Officer)
        .await
        .unwrap();
    let officer = sign_in(&app, "officer@example.org", GOOD_PASSWORD)
        .await
        .cookie
        .unwrap();
    let allowed = app.call("/fn/admin/overview", &[], Some(&officer)).await;
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    let overview: serde_json::Value = serde_json::from_str(&allowed.body).unwrap();
    assert_eq!(
        overview["systems"].as_u64().unwrap() as usize,
        common::city().systems.len()
    );
}

async fn a_sign_in_that_raced_a_password_change_gets_no_session(backend: Backend) {
    use store::accounts;
    let app = spawn_app(backend).await;
    let user = app
        .state
        .accounts
        .create_user("ana@example.org", GOOD_PASSWORD, "Ana", Role::Resident)
        .await
        .unwrap();
    let row = accounts::find_user(&app.state.pool, &user.id)
        .await
        .unwrap()
        .unwrap();
    let later = store::now() + 3600;
    // The hash the sign-in verified against is no longer the account's.
    assert!(
        !accounts::insert_session(&app.state.pool, "stale", &user.id, "$argon2id$stale", later)
            .await
            .unwrap()
    );
    assert!(
        accounts::find_session(&app.state.pool, "stale")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        accounts::insert_session(&app.state.pool, "fresh", &user.id, &row.password_hash, later)
            .await
            .unwrap()
    );
}

async fn sessions_that_can_no_longer_be_used_are_purged(backend: Backend) {
    use store::accounts;
    let app = spawn_app(backend).await;
    let live = sign_up(&app, "ana@example.org").await;
    let user = app
        .state
        .accounts
        .create_user("bo@example.org", GOOD_PASSWORD, "Bo", Role::Resident)
        .await
        .unwrap();
    let row = accounts::find_user(&app.state.pool, &user.id)
        .await
        .unwrap()
        .unwrap();
    let past = store::now() - 1;
    assert!(
        accounts::insert_session(&app.state.pool, "ended", &user.id, &row.password_hash, past)
            .await
            .unwrap()
    );
    assert_eq!(app.state.accounts.purge_expired_sessions().await.unwrap(), 1);
    assert!(
        accounts::find_session(&app.state.pool, "ended")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(app.get_as("/account", &live).await.0, 200, "a live session stays");
}
