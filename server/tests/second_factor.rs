//! The staff second factor, through the server as a browser reaches it: a right password
//! alone opens nothing for staff; enrolment at the first sign-in, only with the operator's
//! one-time enrolment code; secrets sealed in the database; codes and pending sign-ins
//! accepted once; recovery codes; the operator's disable, reset and client rotation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use app::accounts::{PendingSignInView, PendingStepView};
use app::error::AppError;
use auth::accounts::{SECOND_FACTOR_COOKIE, current_code};
use common::client::ApiClient;
use common::{Backend, GOOD_PASSWORD, TEST_SECRET, TestApp, spawn_app, spawn_app_with};
use domain::account::{AuthError, Role};
use store::audit::Actor;

on_both_databases!(
    staff_enrol_at_first_sign_in_and_then_need_a_code_every_time,
    enrolment_needs_the_operators_code_and_it_works_once,
    an_expired_or_replaced_enrolment_code_is_refused,
    wrong_enrolment_codes_are_limited_per_account,
    the_secret_is_sealed_and_opens_only_in_its_own_row,
    plain_secrets_are_sealed_when_the_server_starts,
    a_pending_sign_in_starts_one_session_only,
    an_enrolment_code_makes_staff_enrol_where_it_is_optional,
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

async fn user_id(app: &TestApp, email: &str) -> String {
    store::accounts::find_user_by_email(&app.state.pool, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Issues `email` an enrolment code as the operator does: the code as shown.
async fn issue_code(app: &TestApp, email: &str) -> String {
    let id = user_id(app, email).await;
    app.state
        .accounts
        .issue_enrolment_code(&id, Actor::Operator)
        .await
        .unwrap()
        .unwrap()
        .code
}

/// A new staff member and the enrolment code the operator gave them.
async fn new_staff(app: &TestApp, email: &str) -> String {
    app.state
        .accounts
        .create_user(email, GOOD_PASSWORD, "Olu Officer", Role::Officer)
        .await
        .unwrap();
    issue_code(app, email).await
}

fn with_pending(app: &TestApp, pending: &str) -> ApiClient {
    app.anonymous()
        .with_header("cookie", &format!("{SECOND_FACTOR_COOKIE}={pending}"))
}

/// Signs in with the password: the client that carries the pending sign-in's cookie.
async fn password_step(app: &TestApp, email: &str) -> ApiClient {
    let answer = app.anonymous().sign_in(email, GOOD_PASSWORD).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.cookie(), None, "no session before the second factor");
    let pending = answer
        .set_cookie(SECOND_FACTOR_COOKIE)
        .expect("a pending sign-in");
    with_pending(app, &pending)
}

/// Enters the enrolment code: the pending sign-in's new token.
async fn redeemed_token(pending: &ApiClient, code: &str) -> String {
    let answer = pending.redeem_enrolment_code(code).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer
        .set_cookie(SECOND_FACTOR_COOKIE)
        .expect("a new pending sign-in")
}

/// Enters the enrolment code: the client with the pending sign-in's new cookie.
async fn redeem(app: &TestApp, pending: &ApiClient, code: &str) -> ApiClient {
    with_pending(app, &redeemed_token(pending, code).await)
}

fn secret_of(step: &PendingSignInView) -> String {
    match &step.step {
        PendingStepView::Enrol(enrolment) => enrolment.secret.replace(' ', ""),
        other => panic!("not enrolling: {other:?}"),
    }
}

fn recovery_codes_of(step: &PendingSignInView) -> Vec<String> {
    match &step.step {
        PendingStepView::Enrol(enrolment) => enrolment.recovery_codes.clone(),
        other => panic!("not enrolling: {other:?}"),
    }
}

fn code(secret: &str, offset_secs: i64) -> String {
    current_code(secret, store::now() + offset_secs).unwrap()
}

/// Enrols `email` (signing in the first time, with the operator's `enrolment_code`): the
/// secret, the recovery codes shown, and the session.
async fn enrol_with(app: &TestApp, email: &str, enrolment_code: &str) -> (String, Vec<String>, String) {
    let pending = password_step(app, email).await;
    let pending = redeem(app, &pending, enrolment_code).await;
    let step = pending.second_factor_step().await.ok();
    let secret = secret_of(&step);
    let codes = recovery_codes_of(&step);
    let session = pending.complete_sign_in(&code(&secret, 0)).await.session();
    assert_eq!(app.get_as("/admin", &session).await.0, 200);
    (secret, codes, session)
}

/// A new staff member, enrolled.
async fn enrolled_staff(app: &TestApp, email: &str) -> (String, Vec<String>, String) {
    let enrolment_code = new_staff(app, email).await;
    enrol_with(app, email, &enrolment_code).await
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM admin_audit WHERE action = $1")
        .bind(action)
        .fetch_one(&app.state.pool)
        .await
        .unwrap()
}

async fn staff_enrol_at_first_sign_in_and_then_need_a_code_every_time(backend: Backend) {
    let app = app(backend).await;
    let enrolment_code = new_staff(&app, "olu@riverton.example").await;
    let pending = password_step(&app, "olu@riverton.example").await;
    let step = pending.second_factor_step().await.ok();
    assert_eq!(step.email, "olu@riverton.example");
    assert_eq!(
        step.step,
        PendingStepView::EnrolmentCode,
        "no secret before the code"
    );
    let token = redeemed_token(&pending, &enrolment_code).await;
    let cookie = format!("{SECOND_FACTOR_COOKIE}={token}");
    let pending = with_pending(&app, &token);
    let step = pending.second_factor_step().await.ok();
    let PendingStepView::Enrol(enrolment) = step.step.clone() else {
        panic!("enrolling: {step:?}");
    };
    assert!(enrolment.qr_code.starts_with("data:image/svg+xml;base64,"));
    assert_eq!(enrolment.recovery_codes.len(), 10);
    let secret = secret_of(&step);
    assert_eq!(secret.len(), 32, "160 bits in base32");

    // Another password step (someone else who knows the password, or a second tab) sees
    // nothing of the secret: it is asked for the enrolment code (used up: see below).
    // (The account's five tries a minute are counted: each check here uses one.)
    let other = password_step(&app, "olu@riverton.example").await;
    assert_eq!(
        other.second_factor_step().await.ok().step,
        PendingStepView::EnrolmentCode
    );
    assert_eq!(
        other.complete_sign_in(&code(&secret, 0)).await.error(),
        AppError::Auth(AuthError::WrongCode),
        "the secret is not this sign-in's"
    );

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

    let first_code = code(&secret, 0);
    let right = pending.complete_sign_in(&first_code).await;
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
    assert_eq!(
        step.step,
        PendingStepView::Code,
        "the secret is shown only while enrolling"
    );
    // The enrolment's own code was used: the next one from the app is needed.
    assert_eq!(next.complete_sign_in(&first_code).await.status, 422);
    let session = next.complete_sign_in(&code(&secret, 30)).await.session();
    assert_eq!(app.get_as("/admin", &session).await.0, 200);

    // Every change is in the audit log.
    assert_eq!(audit_count(&app, "issue_enrolment_code").await, 1);
    assert_eq!(audit_count(&app, "redeem_enrolment_code").await, 1);
    assert_eq!(audit_count(&app, "enrol_second_factor").await, 1);
}

async fn enrolment_needs_the_operators_code_and_it_works_once(backend: Backend) {
    let app = app(backend).await;
    let enrolment_code = new_staff(&app, "ida@riverton.example").await;
    let pending = password_step(&app, "ida@riverton.example").await;
    // A wrong code (the account's five tries a minute are counted: each check here uses one).
    let wrong = pending.redeem_enrolment_code("ABCDE-FGHJK-MNPQR-STVWX").await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert_eq!(wrong.error(), AppError::Auth(AuthError::WrongEnrolmentCode));
    assert_eq!(
        pending.second_factor_step().await.ok().step,
        PendingStepView::EnrolmentCode,
        "still nothing shown"
    );
    let none: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM second_factors")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(none, 0, "a wrong code starts nothing");

    // The right code, typed loosely, works once.
    let typed = enrolment_code.to_lowercase().replace('-', " ");
    let enrolling = redeem(&app, &pending, &typed).await;
    assert!(matches!(
        enrolling.second_factor_step().await.ok().step,
        PendingStepView::Enrol(_)
    ));
    // The pending sign-in that redeemed it is used up (its successor carries the enrolment).
    assert_eq!(
        pending.second_factor_step().await.error(),
        AppError::Auth(AuthError::SignInExpired)
    );
    let again = password_step(&app, "ida@riverton.example").await;
    let spent = again.redeem_enrolment_code(&enrolment_code).await;
    assert_eq!(spent.status, 422, "{}", spent.body);
    assert_eq!(spent.error(), AppError::Auth(AuthError::EnrolmentCodeSpent));
    assert_eq!(
        enrolling.redeem_enrolment_code(&enrolment_code).await.error(),
        AppError::Auth(AuthError::EnrolmentCodeSpent),
        "not twice in one sign-in either"
    );
    let step = enrolling.second_factor_step().await.ok();
    enrolling
        .complete_sign_in(&code(&secret_of(&step), 0))
        .await
        .session();
}

async fn an_expired_or_replaced_enrolment_code_is_refused(backend: Backend) {
    let app = app(backend).await;
    let first = new_staff(&app, "ray@riverton.example").await;
    let id = user_id(&app, "ray@riverton.example").await;
    let row = store::second_factor::enrolment_code(&app.state.pool, &id)
        .await
        .unwrap()
        .unwrap();
    let hours = (row.expires_at - store::now()) as f64 / 3600.0;
    assert!((71.9..=72.0).contains(&hours), "good for 72 hours: {hours}");
    assert!(
        !row.code_hash.contains(&first.replace('-', "")),
        "only a digest is kept"
    );

    // Three days later.
    sqlx::query("UPDATE second_factor_enrolment_codes SET expires_at = $1 WHERE user_id = $2")
        .bind(store::now() - 1)
        .bind(&id)
        .execute(&app.state.pool)
        .await
        .unwrap();
    let pending = password_step(&app, "ray@riverton.example").await;
    let expired = pending.redeem_enrolment_code(&first).await;
    assert_eq!(expired.status, 422, "{}", expired.body);
    assert_eq!(expired.error(), AppError::Auth(AuthError::EnrolmentCodeSpent));

    // The operator issues a new one: it replaces the first, which stays refused.
    let second = issue_code(&app, "ray@riverton.example").await;
    assert_ne!(second, first);
    assert_eq!(
        pending.redeem_enrolment_code(&first).await.error(),
        AppError::Auth(AuthError::WrongEnrolmentCode)
    );
    redeem(&app, &pending, &second).await;
    assert_eq!(audit_count(&app, "issue_enrolment_code").await, 2);
}

async fn wrong_enrolment_codes_are_limited_per_account(backend: Backend) {
    let app = app(backend).await;
    let enrolment_code = new_staff(&app, "gus@riverton.example").await;
    let pending = password_step(&app, "gus@riverton.example").await;
    let mut statuses = Vec::new();
    for guess in ["22222", "33333", "44444", "55555", "66666", "77777"] {
        let guess = format!("{guess}-{guess}-{guess}-{guess}");
        statuses.push(pending.redeem_enrolment_code(&guess).await.status);
    }
    assert_eq!(statuses, [422, 422, 422, 422, 422, 429]);
    // Another pending sign-in of the account counts with them: even the right code waits.
    let other = password_step(&app, "gus@riverton.example").await;
    let limited = other.redeem_enrolment_code(&enrolment_code).await;
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert!(limited.header("retry-after").is_some());
}

async fn the_secret_is_sealed_and_opens_only_in_its_own_row(backend: Backend) {
    let app = app(backend).await;
    let (secret, recovery, _) = enrolled_staff(&app, "ana@riverton.example").await;
    let (_, _, _) = enrolled_staff(&app, "ben@riverton.example").await;
    let ana = user_id(&app, "ana@riverton.example").await;
    let ben = user_id(&app, "ben@riverton.example").await;
    let stored: String = sqlx::query_scalar("SELECT secret FROM second_factors WHERE user_id = $1")
        .bind(&ana)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    // What a database administrator reads is not the secret, nor anything that computes codes.
    assert_ne!(stored, secret);
    assert!(!stored.contains(&secret) && stored.starts_with(auth::sealing::SEALED_PREFIX));
    assert!(
        current_code(&stored, store::now()).is_none()
            || current_code(&stored, store::now()) != Some(code(&secret, 0))
    );
    let keys = auth::sealing::SealingKeys::from_secret(TEST_SECRET.as_bytes()).unwrap();
    use auth::sealing::Sealed;
    assert_eq!(keys.open(Sealed::Secret, &ana, &stored).unwrap(), secret);
    assert!(keys.open(Sealed::Secret, &ben, &stored).is_err());
    // Recovery codes are kept only as digests once confirmed.
    let pending: Option<String> =
        sqlx::query_scalar("SELECT pending_recovery_codes FROM second_factors WHERE user_id = $1")
            .bind(&ana)
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    assert_eq!(pending, None);
    let digests: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM recovery_codes WHERE user_id = $1")
        .bind(&ana)
        .fetch_all(&app.state.pool)
        .await
        .unwrap();
    assert!(
        digests
            .iter()
            .all(|d| !recovery.iter().any(|r| d.contains(&r.replace('-', ""))))
    );

    // A DBA copies Ana's sealed secret into Ben's row, hoping to sign in as Ben with the
    // authenticator they hold: it does not open there, and no session starts.
    sqlx::query("UPDATE second_factors SET secret = $1, last_step = 0 WHERE user_id = $2")
        .bind(&stored)
        .bind(&ben)
        .execute(&app.state.pool)
        .await
        .unwrap();
    let pending = password_step(&app, "ben@riverton.example").await;
    let refused = pending.complete_sign_in(&code(&secret, 30)).await;
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert_eq!(refused.cookie(), None);
    // Ana's own row still works.
    password_step(&app, "ana@riverton.example")
        .await
        .complete_sign_in(&code(&secret, 30))
        .await
        .session();
}

async fn plain_secrets_are_sealed_when_the_server_starts(backend: Backend) {
    let app = app(backend).await;
    app.state
        .accounts
        .create_user(
            "old@riverton.example",
            GOOD_PASSWORD,
            "Old Officer",
            Role::Officer,
        )
        .await
        .unwrap();
    let id = user_id(&app, "old@riverton.example").await;
    // An authenticator enrolled before secrets were sealed.
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    sqlx::query(
        "INSERT INTO second_factors (user_id, secret, confirmed_at, last_step, created_at) VALUES ($1, $2, 1, 0, 1)",
    )
    .bind(&id)
    .bind(secret)
    .execute(&app.state.pool)
    .await
    .unwrap();
    // The server starts again on the same database.
    let config = common::config_with(
        &app.database.url,
        &[("GLASSHOUSE_STAFF_SECOND_FACTOR", "required")],
    );
    let addr = "127.0.0.1:0".parse().unwrap();
    server::http::state(&config, app.state.pool.clone(), addr)
        .await
        .unwrap();
    let stored: String = sqlx::query_scalar("SELECT secret FROM second_factors WHERE user_id = $1")
        .bind(&id)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert!(stored.starts_with(auth::sealing::SEALED_PREFIX), "{stored}");
    assert!(!stored.contains(secret));
    assert_eq!(app.state.accounts.seal_stored_secrets().await.unwrap(), 0, "once");
    // The same authenticator still signs in.
    password_step(&app, "old@riverton.example")
        .await
        .complete_sign_in(&code(secret, 0))
        .await
        .session();
}

async fn a_pending_sign_in_starts_one_session_only(backend: Backend) {
    let app = app(backend).await;
    let (secret, recovery, _) = enrolled_staff(&app, "pat@riverton.example").await;
    // With the authenticator: once used, the same pending sign-in is refused, even with
    // another good code (a recovery code), and its page says the sign-in is over.
    let pending = password_step(&app, "pat@riverton.example").await;
    pending.complete_sign_in(&code(&secret, 30)).await.session();
    let replayed = pending.complete_sign_in(&recovery[0]).await;
    assert_eq!(replayed.status, 401, "{}", replayed.body);
    assert_eq!(replayed.error(), AppError::Auth(AuthError::SignInExpired));
    assert_eq!(replayed.cookie(), None);
    assert_eq!(
        pending.second_factor_step().await.error(),
        AppError::Auth(AuthError::SignInExpired)
    );
    // With a recovery code: the same.
    let pending = password_step(&app, "pat@riverton.example").await;
    pending.complete_sign_in(&recovery[1]).await.session();
    assert_eq!(
        pending.complete_sign_in(&recovery[2]).await.error(),
        AppError::Auth(AuthError::SignInExpired)
    );
    // The refused replays used nothing up: those recovery codes still work, once each.
    password_step(&app, "pat@riverton.example")
        .await
        .complete_sign_in(&recovery[0])
        .await
        .session();
    // The record is in the database, so every app server refuses the replay.
    let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM used_pending_sign_ins")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(
        used, 5,
        "the enrolment code's, the confirmation's, and three sign-ins'"
    );
    // Forgotten once the tokens would have expired anyway.
    let later = store::now() + 3600;
    assert_eq!(
        store::second_factor::forget_used_pending(&app.state.pool, later)
            .await
            .unwrap(),
        5
    );
}

async fn an_enrolment_code_makes_staff_enrol_where_it_is_optional(backend: Backend) {
    // As `make run` and the demo run: staff may sign in with a password alone...
    let app = spawn_app(backend).await;
    app.state
        .accounts
        .create_user(
            "dev@riverton.example",
            GOOD_PASSWORD,
            "Dev Officer",
            Role::Officer,
        )
        .await
        .unwrap();
    let signed_in = app
        .anonymous()
        .sign_in("dev@riverton.example", GOOD_PASSWORD)
        .await;
    signed_in.session();
    assert_eq!(signed_in.set_cookie(SECOND_FACTOR_COOKIE), None);
    // ...until an operator issues them an enrolment code: then they enrol at the next sign-in.
    let enrolment_code = issue_code(&app, "dev@riverton.example").await;
    let pending = password_step(&app, "dev@riverton.example").await;
    let enrolling = redeem(&app, &pending, &enrolment_code).await;
    // While that enrolment is under way, the password alone still opens nothing.
    let other = password_step(&app, "dev@riverton.example").await;
    assert_eq!(
        other.second_factor_step().await.ok().step,
        PendingStepView::EnrolmentCode
    );
    let secret = secret_of(&enrolling.second_factor_step().await.ok());
    enrolling.complete_sign_in(&code(&secret, 0)).await.session();
    // Enrolled, they need the authenticator from then on.
    let pending = password_step(&app, "dev@riverton.example").await;
    assert_eq!(
        pending.second_factor_step().await.ok().step,
        PendingStepView::Code
    );
    pending.complete_sign_in(&code(&secret, 30)).await.session();
}

async fn a_code_is_accepted_once(backend: Backend) {
    let app = app(backend).await;
    let (secret, _, _) = enrolled_staff(&app, "ada@riverton.example").await;
    // Two sign-ins racing with the same (new) code: one session, one refusal.
    let a = password_step(&app, "ada@riverton.example").await;
    let b = password_step(&app, "ada@riverton.example").await;
    let same = code(&secret, 30);
    let (a, b) = tokio::join!(a.complete_sign_in(&same), b.complete_sign_in(&same));
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 422]);
    // One pending sign-in racing itself with two good codes (two recovery codes): one session,
    // and the other refused as a sign-in already used.
    let (_, recovery, _) = enrolled_staff(&app, "bo@riverton.example").await;
    let pending = password_step(&app, "bo@riverton.example").await;
    let (a, b) = tokio::join!(
        pending.complete_sign_in(&recovery[0]),
        pending.complete_sign_in(&recovery[1])
    );
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 401], "{} / {}", a.body, b.body);
}

async fn a_recovery_code_signs_in_once(backend: Backend) {
    let app = app(backend).await;
    let (_, recovery, _) = enrolled_staff(&app, "lin@riverton.example").await;
    // Typed loosely: lower case, a space for the dash.
    let typed = recovery[0].to_lowercase().replace('-', " ");
    let pending = password_step(&app, "lin@riverton.example").await;
    let session = pending.complete_sign_in(&typed).await.session();
    assert_eq!(app.get_as("/admin", &session).await.0, 200);
    let pending = password_step(&app, "lin@riverton.example").await;
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
    assert_eq!(none.error(), AppError::Auth(AuthError::SignInExpired));
    let forged = app
        .anonymous()
        .with_header(
            "cookie",
            &format!("{SECOND_FACTOR_COOKIE}=eyJhbGciOiJIUzI1NiJ9.e30.x"),
        )
        .complete_sign_in("123456")
        .await;
    assert_eq!(forged.error(), AppError::Auth(AuthError::SignInExpired));
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
    enrolled_staff(&app, "kim@riverton.example").await;
    // A staff member disabled between the password and the code gets no session.
    let pending = password_step(&app, "kim@riverton.example").await;
    let kim = store::accounts::find_user_by_email(&app.state.pool, "kim@riverton.example")
        .await
        .unwrap()
        .unwrap();
    assert!(
        store::second_factor::set_disabled(&app.state.pool, &kim.id, true, Actor::Operator)
            .await
            .unwrap()
    );
    let disabled = AppError::Auth(AuthError::Disabled);
    assert_eq!(pending.second_factor_step().await.error(), disabled);
    assert_eq!(pending.complete_sign_in("123456").await.error(), disabled);
    let session = common::sign_up(&app, "res2@example.org").await;
    let user = store::accounts::find_user_by_email(&app.state.pool, "res2@example.org")
        .await
        .unwrap()
        .unwrap();
    let pool = &app.state.pool;
    assert!(
        store::second_factor::set_disabled(pool, &user.id, true, Actor::Operator)
            .await
            .unwrap()
    );
    assert_eq!(
        app.as_user(&session).who_am_i().await.ok(),
        None,
        "its session ended"
    );
    let refused = app.anonymous().sign_in("res2@example.org", GOOD_PASSWORD).await;
    assert_eq!(refused.error(), AppError::Auth(AuthError::Disabled));
    // A wrong password says only that: the account's state is not told to a guesser.
    let guess = app
        .anonymous()
        .sign_in("res2@example.org", "not the password!")
        .await;
    assert_eq!(guess.error(), AppError::Auth(AuthError::InvalidCredentials));
    assert!(
        !store::second_factor::set_disabled(pool, &user.id, true, Actor::Operator)
            .await
            .unwrap()
    );
    assert!(
        store::second_factor::set_disabled(pool, &user.id, false, Actor::Operator)
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
    let (old_secret, _, old_session) = enrolled_staff(&app, "max@riverton.example").await;
    let id = user_id(&app, "max@riverton.example").await;
    let issued = app
        .state
        .accounts
        .reset_second_factor(&id, Actor::Operator)
        .await
        .unwrap()
        .expect("a new enrolment code");
    assert_eq!(
        app.as_user(&old_session).who_am_i().await.ok(),
        None,
        "the reset ended the sessions"
    );
    let pending = password_step(&app, "max@riverton.example").await;
    assert_eq!(
        pending.second_factor_step().await.ok().step,
        PendingStepView::EnrolmentCode,
        "the password alone shows nothing"
    );
    let pending = redeem(&app, &pending, &issued.code).await;
    let step = pending.second_factor_step().await.ok();
    let secret = secret_of(&step);
    assert_ne!(secret, old_secret);
    assert_eq!(
        pending.complete_sign_in(&code(&old_secret, 60)).await.status,
        422,
        "the old phone is no key"
    );
    pending.complete_sign_in(&code(&secret, 0)).await.session();
    assert!(
        app.state
            .accounts
            .reset_second_factor("no-such-account", Actor::Operator)
            .await
            .unwrap()
            .is_none()
    );
}

/// Rotates `client_id`'s secret as the operator does: the new credentials.
async fn rotate(app: &TestApp, client_id: &str) -> auth::clients::NewClient {
    auth::clients::rotate(
        &app.state.pool,
        app.state.accounts.hashing(),
        client_id,
        Actor::Operator,
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
