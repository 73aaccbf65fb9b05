//! The staff second factor, through the server as a browser reaches it: a right password
//! alone opens nothing for staff; enrolment at the first sign-in; codes accepted once;
//! recovery codes; the operator's disable, reset and client rotation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use auth::accounts::{SECOND_FACTOR_COOKIE, current_code};
use common::client::ApiClient;
use common::{Backend, GOOD_PASSWORD, TestApp, spawn_app_with};
use domain::account::{AuthError, Role};

on_both_databases!(
    staff_enrol_at_first_sign_in_and_then_need_a_code_every_time,
    a_code_is_accepted_once,
    a_recovery_code_signs_in_once,
    a_password_alone_opens_nothing,
    residents_sign_in_with_their_password_alone,
    a_disabled_account_cannot_sign_in_and_its_sessions_end,
    a_reset_makes_the_next_sign_in_enrol_again,
    a_rotated_client_secret_and_its_tokens_stop_working_at_once,
);

/// A server whose staff must use a second factor, as production's are.
async fn app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[("GLASSHOUSE_STAFF_SECOND_FACTOR", "required")]).await
}

async fn new_staff(app: &TestApp, email: &str) {
    app.state
        .accounts
        .create_user(email, GOOD_PASSWORD, "Olu Officer", Role::Officer)
        .await
        .unwrap();
}

/// Signs in with the password: the client that carries the pending sign-in's cookie.
async fn password_step(app: &TestApp, email: &str) -> ApiClient {
    let answer = app.anonymous().sign_in(email, GOOD_PASSWORD).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.cookie(), None, "no session before the second factor");
    let pending = answer
        .set_cookie(SECOND_FACTOR_COOKIE)
        .expect("a pending sign-in");
    app.anonymous()
        .with_header("cookie", &format!("{SECOND_FACTOR_COOKIE}={pending}"))
}

fn secret_of(step: &app::accounts::PendingSignInView) -> String {
    step.enrolment
        .as_ref()
        .expect("an enrolment")
        .secret
        .replace(' ', "")
}

fn code(secret: &str, offset_secs: i64) -> String {
    current_code(secret, store::now() + offset_secs).unwrap()
}

/// Enrols `email` (signing in the first time): the secret, the recovery codes shown, and
/// the session.
async fn enrol(app: &TestApp, email: &str) -> (String, Vec<String>, String) {
    let pending = password_step(app, email).await;
    let step = pending.second_factor_step().await.ok();
    let secret = secret_of(&step);
    let codes = step.enrolment.unwrap().recovery_codes;
    let session = pending.complete_sign_in(&code(&secret, 0)).await.session();
    assert_eq!(app.get_as("/admin", &session).await.0, 200);
    (secret, codes, session)
}

async fn staff_enrol_at_first_sign_in_and_then_need_a_code_every_time(backend: Backend) {
    let app = app(backend).await;
    new_staff(&app, "olu@riverton.example").await;
    let pending = password_step(&app, "olu@riverton.example").await;
    let step = pending.second_factor_step().await.ok();
    assert_eq!(step.email, "olu@riverton.example");
    let enrolment = step.enrolment.clone().unwrap();
    assert!(enrolment.qr_code.starts_with("data:image/svg+xml;base64,"));
    assert_eq!(enrolment.recovery_codes.len(), 10);
    let secret = secret_of(&step);
    assert_eq!(secret.len(), 32, "160 bits in base32");

    // Another password step (someone else who knows the password, or a second tab) gets a
    // secret of its own, and the first sign-in ends: nobody else sees the secret being set up.
    let answer = app
        .anonymous()
        .sign_in("olu@riverton.example", GOOD_PASSWORD)
        .await;
    let cookie = format!(
        "{SECOND_FACTOR_COOKIE}={}",
        answer.set_cookie(SECOND_FACTOR_COOKIE).unwrap()
    );
    let current = app.anonymous().with_header("cookie", &cookie);
    let step = current.second_factor_step().await.ok();
    let enrolment = step.enrolment.clone().unwrap();
    assert_ne!(secret_of(&step), secret);
    let expired = app::error::AppError::Auth(AuthError::SignInExpired);
    assert_eq!(pending.second_factor_step().await.error(), expired);
    assert_eq!(pending.complete_sign_in(&code(&secret, 0)).await.error(), expired);
    let secret = secret_of(&step);

    // The page, rendered on the server (it works without JavaScript), and never cached.
    let page = app
        .client
        .get(app.url("/login/second-factor"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers().get("cache-control").unwrap(), "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains("src=\"data:image/svg+xml;base64,"), "the QR code");
    assert!(html.contains(&enrolment.recovery_codes[9]), "the recovery codes");
    assert!(html.contains("autocomplete=\"one-time-code\""));

    // A wrong code is refused, and changes nothing.
    let wrong = current.complete_sign_in("000000").await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert_eq!(wrong.error(), app::error::AppError::Auth(AuthError::WrongCode));
    let first_code = code(&secret, 0);
    let right = current.complete_sign_in(&first_code).await;
    let session = right.session();
    assert_eq!(
        right.set_cookie(SECOND_FACTOR_COOKIE).as_deref(),
        Some(""),
        "the pending sign-in is cleared"
    );
    assert_eq!(app.get_as("/admin", &session).await.0, 200);

    // Enrolled: the next sign-in asks for a code and no longer shows the secret.
    let next = password_step(&app, "olu@riverton.example").await;
    let step = next.second_factor_step().await.ok();
    assert_eq!(step.enrolment, None, "the secret is shown only while enrolling");
    // The enrolment's own code was used: the next one from the app is needed.
    assert_eq!(next.complete_sign_in(&first_code).await.status, 422);
    let session = next.complete_sign_in(&code(&secret, 30)).await.session();
    assert_eq!(app.get_as("/admin", &session).await.0, 200);

    // The enrolment is in the audit log.
    let audit: Vec<String> =
        sqlx::query_scalar("SELECT action FROM admin_audit WHERE action = 'enrol_second_factor'")
            .fetch_all(&app.state.pool)
            .await
            .unwrap();
    assert_eq!(audit.len(), 1);
}

async fn a_code_is_accepted_once(backend: Backend) {
    let app = app(backend).await;
    new_staff(&app, "ada@riverton.example").await;
    let (secret, _, _) = enrol(&app, "ada@riverton.example").await;
    // Two sign-ins racing with the same (new) code: one session, one refusal.
    let pending = password_step(&app, "ada@riverton.example").await;
    let code = code(&secret, 30);
    let (a, b) = tokio::join!(pending.complete_sign_in(&code), pending.complete_sign_in(&code));
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 422]);
}

async fn a_recovery_code_signs_in_once(backend: Backend) {
    let app = app(backend).await;
    new_staff(&app, "lin@riverton.example").await;
    let (_, recovery, _) = enrol(&app, "lin@riverton.example").await;
    // Typed loosely: lower case, a space for the dash.
    let typed = recovery[0].to_lowercase().replace('-', " ");
    let pending = password_step(&app, "lin@riverton.example").await;
    let session = pending.complete_sign_in(&typed).await.session();
    assert_eq!(app.get_as("/admin", &session).await.0, 200);
    assert_eq!(
        pending.complete_sign_in(&recovery[0]).await.status,
        422,
        "used up"
    );
    let session = pending.complete_sign_in(&recovery[1]).await.session();
    assert_eq!(app.get_as("/admin", &session).await.0, 200);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE used_at IS NULL")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(left, 8);
    let audit: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM admin_audit WHERE action = 'use_recovery_code'")
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    assert_eq!(audit, 2);
}

async fn a_password_alone_opens_nothing(backend: Backend) {
    let app = app(backend).await;
    new_staff(&app, "eve@riverton.example").await;
    let answer = app
        .anonymous()
        .sign_in("eve@riverton.example", GOOD_PASSWORD)
        .await;
    let pending = answer.set_cookie(SECOND_FACTOR_COOKIE).unwrap();
    // The pending token is no session, wherever it is put.
    for cookie in [
        format!("{SECOND_FACTOR_COOKIE}={pending}"),
        format!("gh_session={pending}"),
    ] {
        let me = app
            .anonymous()
            .with_header("cookie", &cookie)
            .who_am_i()
            .await
            .ok();
        assert_eq!(me, None, "{cookie}");
        let (status, _) = app.get_with("/admin", &[("cookie", &cookie)]).await;
        assert!(status != 200 && status < 500, "{cookie}: {status}");
    }
    // No pending sign-in, or a forged one: the step is refused.
    let none = app.anonymous().complete_sign_in("123456").await;
    assert_eq!(none.error(), app::error::AppError::Auth(AuthError::SignInExpired));
    let forged = app
        .anonymous()
        .with_header(
            "cookie",
            &format!("{SECOND_FACTOR_COOKIE}=eyJhbGciOiJIUzI1NiJ9.e30.x"),
        )
        .complete_sign_in("123456")
        .await;
    assert_eq!(
        forged.error(),
        app::error::AppError::Auth(AuthError::SignInExpired)
    );
    // Guessing is limited per account: five tries a minute.
    let client = app
        .anonymous()
        .with_header("cookie", &format!("{SECOND_FACTOR_COOKIE}={pending}"));
    let mut statuses = Vec::new();
    for guess in ["111111", "222222", "333333", "444444", "555555", "666666"] {
        statuses.push(client.complete_sign_in(guess).await.status);
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
}

async fn residents_sign_in_with_their_password_alone(backend: Backend) {
    let app = app(backend).await;
    let session = common::sign_up(&app, "res@example.org").await;
    assert!(app.as_user(&session).who_am_i().await.ok().is_some());
    let again = app.anonymous().sign_in("res@example.org", GOOD_PASSWORD).await;
    assert!(again.cookie().is_some_and(|c| !c.is_empty()));
    assert_eq!(again.set_cookie(SECOND_FACTOR_COOKIE), None);
}

async fn a_disabled_account_cannot_sign_in_and_its_sessions_end(backend: Backend) {
    let app = app(backend).await;
    new_staff(&app, "kim@riverton.example").await;
    enrol(&app, "kim@riverton.example").await;
    // A staff member disabled between the password and the code gets no session.
    let pending = password_step(&app, "kim@riverton.example").await;
    let kim = store::accounts::find_user_by_email(&app.state.pool, "kim@riverton.example")
        .await
        .unwrap()
        .unwrap();
    assert!(
        store::second_factor::set_disabled(&app.state.pool, &kim.id, true, store::audit::Actor::Operator)
            .await
            .unwrap()
    );
    let disabled = app::error::AppError::Auth(AuthError::Disabled);
    assert_eq!(pending.second_factor_step().await.error(), disabled);
    assert_eq!(pending.complete_sign_in("123456").await.error(), disabled);
    let session = common::sign_up(&app, "res2@example.org").await;
    let user = store::accounts::find_user_by_email(&app.state.pool, "res2@example.org")
        .await
        .unwrap()
        .unwrap();
    let pool = &app.state.pool;
    assert!(
        store::second_factor::set_disabled(pool, &user.id, true, store::audit::Actor::Operator)
            .await
            .unwrap()
    );
    assert_eq!(
        app.as_user(&session).who_am_i().await.ok(),
        None,
        "its session ended"
    );
    let refused = app.anonymous().sign_in("res2@example.org", GOOD_PASSWORD).await;
    assert_eq!(refused.error(), app::error::AppError::Auth(AuthError::Disabled));
    // A wrong password says only that: the account's state is not told to a guesser.
    let guess = app
        .anonymous()
        .sign_in("res2@example.org", "not the password!")
        .await;
    assert_eq!(
        guess.error(),
        app::error::AppError::Auth(AuthError::InvalidCredentials)
    );
    assert!(
        !store::second_factor::set_disabled(pool, &user.id, true, store::audit::Actor::Operator)
            .await
            .unwrap()
    );
    assert!(
        store::second_factor::set_disabled(pool, &user.id, false, store::audit::Actor::Operator)
            .await
            .unwrap()
    );
    app.anonymous()
        .sign_in("res2@example.org", GOOD_PASSWORD)
        .await
        .session();
}

async fn a_reset_makes_the_next_sign_in_enrol_again(backend: Backend) {
    let app = app(backend).await;
    new_staff(&app, "max@riverton.example").await;
    let (old_secret, _, old_session) = enrol(&app, "max@riverton.example").await;
    let user = store::accounts::find_user_by_email(&app.state.pool, "max@riverton.example")
        .await
        .unwrap()
        .unwrap();
    assert!(
        store::second_factor::reset(&app.state.pool, &user.id, store::audit::Actor::Operator)
            .await
            .unwrap()
    );
    assert_eq!(
        app.as_user(&old_session).who_am_i().await.ok(),
        None,
        "the reset ended the sessions"
    );
    let pending = password_step(&app, "max@riverton.example").await;
    let step = pending.second_factor_step().await.ok();
    let secret = secret_of(&step);
    assert_ne!(secret, old_secret);
    assert_eq!(
        pending.complete_sign_in(&code(&old_secret, 60)).await.status,
        422,
        "the old phone is no key"
    );
    pending.complete_sign_in(&code(&secret, 0)).await.session();
}

/// Rotates `client_id`'s secret as the operator does: the new credentials.
async fn rotate(app: &TestApp, client_id: &str) -> auth::clients::NewClient {
    auth::clients::rotate(
        &app.state.pool,
        app.state.accounts.hashing(),
        client_id,
        store::audit::Actor::Operator,
    )
    .await
    .unwrap()
}

async fn a_rotated_client_secret_and_its_tokens_stop_working_at_once(backend: Backend) {
    let app = app(backend).await;
    let old = common::api_client(
        &app,
        "riverton-transit",
        &[domain::account::ApiScope::ConsentCheck],
    )
    .await;
    let token = app
        .anonymous()
        .token(&old.client_id, &old.client_secret)
        .await
        .ok()
        .access_token;
    assert_eq!(app.as_agency(&token).whoami().await.status, 200);

    let new = rotate(&app, &old.client_id).await;
    assert_eq!(new.client_id, old.client_id);
    assert_ne!(new.client_secret, old.client_secret);
    assert_eq!(
        app.as_agency(&token).whoami().await.status,
        401,
        "a token of the old secret"
    );
    assert_eq!(
        app.anonymous()
            .token(&old.client_id, &old.client_secret)
            .await
            .status,
        401
    );
    let token = app
        .anonymous()
        .token(&new.client_id, &new.client_secret)
        .await
        .ok()
        .access_token;
    assert_eq!(app.as_agency(&token).whoami().await.status, 200);

    // Rotated again at once: the second rotation is told apart from the first.
    let newer = rotate(&app, &old.client_id).await;
    assert_eq!(app.as_agency(&token).whoami().await.status, 401);
    let token = app
        .anonymous()
        .token(&newer.client_id, &newer.client_secret)
        .await
        .ok()
        .access_token;
    assert_eq!(app.as_agency(&token).whoami().await.status, 200);
    let rotations: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM admin_audit WHERE action = 'rotate_client'")
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    assert_eq!(rotations, 2);
}
