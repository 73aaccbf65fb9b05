//! Accounts and sessions through the running server: every denial has a test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use app::error::AppError;
use common::{Backend, GOOD_PASSWORD, sign_up, spawn_app, staff};
use domain::account::{AccountInputError, AccountNoticeKind, AuthError, Role};

on_both_databases!(
    a_new_resident_sees_their_resident_number,
    an_email_can_register_only_once,
    sign_up_leads_to_sign_in_with_its_note,
    a_form_sent_in_place_gets_its_redirect_handed_over,
    sign_in_returns_to_a_page_of_this_site_and_nowhere_else,
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
    password_checks_of_a_signed_in_account_are_limited,
    a_forged_or_tampered_session_cookie_is_ignored,
    a_resident_sees_and_ends_their_sessions_and_only_theirs,
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
    let first = app
        .anonymous()
        .sign_up("ana@example.org", GOOD_PASSWORD, "Ana")
        .await;
    let again = app
        .anonymous()
        .sign_up("ANA@example.org ", "a different otter 77", "A")
        .await;
    // The same answer either way: a stranger cannot tell that the email has an account.
    assert_eq!((first.status, again.status), (200, 200), "{}", again.body);
    assert_eq!(first.body, again.body);
    assert_eq!(first.header("location"), again.header("location"));
    assert!(first.cookie().is_none() && again.cookie().is_none());
    // Nothing was created or changed: the first password opens the account, the second not.
    let wrong = app
        .anonymous()
        .sign_in("ana@example.org", "a different otter 77")
        .await;
    assert_eq!(wrong.status, 401);
    let session = app
        .anonymous()
        .sign_in("ana@example.org", GOOD_PASSWORD)
        .await
        .session();
    let me = app.as_user(&session).who_am_i().await.ok().unwrap();
    assert_eq!(me.display_name, "Ana");
    // The owner is told, and further attempts add up in the one unread notice.
    app.anonymous()
        .sign_up("ana@example.org", "yet another otter 78", "A")
        .await;
    let notices = app.as_user(&session).account_notices().await.ok();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].kind, AccountNoticeKind::SignUpAttempts);
    assert_eq!(notices[0].times, 2);
    assert!(!notices[0].read);
    let (status, html) = app.get_as("/my/notifications", &session).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-kind=\"sign_up_attempts\""), "{html}");
    assert!(html.contains("create a new account with your email"));
    // A new email gets no notice anywhere, and nobody else sees Ana's.
    let bo = sign_up(&app, "bo@example.org").await;
    assert!(app.as_user(&bo).account_notices().await.ok().is_empty());
}

/// The in-place island's sign-in: the redirect to the account page comes back as 204 with the
/// address, so the browser loads that page once; a wrong password is the sign-in page again,
/// as a plain form gets it; a plain form still gets its 302.
async fn a_form_sent_in_place_gets_its_redirect_handed_over(backend: Backend) {
    let app = spawn_app(backend).await;
    sign_up(&app, "ana@example.org").await;
    let in_place = app
        .anonymous()
        .with_header("accept", "text/html")
        .with_header("referer", &app.url("/login"))
        .with_header("glasshouse-in-place", "1");
    let answer = in_place.sign_in("ana@example.org", GOOD_PASSWORD).await;
    assert_eq!(answer.status, 204);
    assert_eq!(answer.header("glasshouse-location"), Some("/account"));
    assert_eq!(answer.header("location"), None);
    assert!(
        answer.cookie().is_some(),
        "the session cookie still comes with the answer"
    );
    let wrong = in_place
        .sign_in("ana@example.org", "not the password at all")
        .await;
    assert_eq!(wrong.status, 204);
    assert!(
        wrong
            .header("glasshouse-location")
            .is_some_and(|l| l.contains("/login")),
        "{:?}",
        wrong.header("glasshouse-location")
    );
    assert!(wrong.cookie().is_none());
    let plain = app
        .anonymous()
        .with_header("accept", "text/html")
        .with_header("referer", &app.url("/login"))
        .sign_in("ana@example.org", GOOD_PASSWORD)
        .await;
    assert_eq!(plain.status, 302);
    assert_eq!(plain.header("location"), Some("/account"));
}

/// `/login?next=` returns to the page that asked for a sign-in; a `next` naming another site
/// (an open redirect a phishing mail could use) lands on the account page instead.
async fn sign_in_returns_to_a_page_of_this_site_and_nowhere_else(backend: Backend) {
    let app = spawn_app(backend).await;
    sign_up(&app, "ana@example.org").await;
    let form = || {
        app.anonymous()
            .with_header("accept", "text/html")
            .with_header("referer", &app.url("/login?next=/s/dt-cam-01"))
    };
    let back = form()
        .sign_in_returning_to(
            "ana@example.org",
            GOOD_PASSWORD,
            "/my/access-log?system=downtown-cctv",
        )
        .await;
    assert_eq!(back.status, 302);
    assert_eq!(
        back.header("location"),
        Some("/my/access-log?system=downtown-cctv")
    );
    // Sign-in is limited to 5 attempts a minute per email: the other refused forms
    // (`/login`, `/fn/`, whitespace) are the unit tests' of `ReturnTo`.
    for elsewhere in ["https://evil.example/", "//evil.example", "/\\evil.example"] {
        let answer = form()
            .sign_in_returning_to("ana@example.org", GOOD_PASSWORD, elsewhere)
            .await;
        assert_eq!(answer.status, 302, "{elsewhere}");
        assert_eq!(answer.header("location"), Some("/account"), "{elsewhere}");
    }
    // The sign-in page carries `next` into its form; a signed-out visitor of a resident's
    // page is sent there with the page as `next`.
    let (_, login) = app.get("/login?next=/s/dt-cam-01").await;
    assert!(
        login.contains(r#"<input type="hidden" name="next" value="/s/dt-cam-01""#),
        "{login}"
    );
    let bounced = app.anonymous().page("/my/access-log").await;
    assert_eq!(bounced.status, 302);
    assert_eq!(bounced.header("location"), Some("/login?next=/my/access-log"));
}

/// Sign-up says where to go next: the sign-in page, with its note (in the resident's language).
async fn sign_up_leads_to_sign_in_with_its_note(backend: Backend) {
    let app = spawn_app(backend).await;
    // A plain form post (no JavaScript) is redirected to the sign-in page.
    let answer = app
        .anonymous()
        .with_header("accept", "text/html")
        .with_header("referer", &app.url("/signup"))
        .sign_up_in("ana@example.org", GOOD_PASSWORD, "Ana", "es")
        .await;
    assert!((300..400).contains(&answer.status), "{}", answer.status);
    assert_eq!(answer.header("location"), Some("/login?signed_up=1"));
    assert!(answer.cookie().is_none());
    let (status, html) = app.get("/login?signed_up=1").await;
    assert_eq!(status, 200);
    assert!(html.contains("data-testid=\"signed-up\""), "{html}");
    let (_, plain) = app.get("/login").await;
    assert!(!plain.contains("data-testid=\"signed-up\""));
    // The language chosen at sign-up is the account's.
    let session = app
        .anonymous()
        .sign_in("ana@example.org", GOOD_PASSWORD)
        .await
        .session();
    let me = app.as_user(&session).who_am_i().await.ok().unwrap();
    assert_eq!(me.lang, domain::lang::Lang::from_code("es").unwrap());
}

async fn weak_passwords_are_refused_with_a_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    for (password, reason) in [
        ("short", AccountInputError::PasswordTooShort),
        ("password1234", AccountInputError::PasswordTooCommon),
        // Long enough, but zxcvbn finds them easy to guess.
        ("qwertyuiop123", AccountInputError::PasswordGuessable),
        ("password123456", AccountInputError::PasswordGuessable),
    ] {
        let called = app.anonymous().sign_up("bo@example.org", password, "Bo").await;
        assert_eq!(
            called.error(),
            AppError::Auth(AuthError::Input(reason)),
            "{password}"
        );
    }
    // The person's own name and email count as words a guesser knows.
    let own = app
        .anonymous()
        .sign_up("ana.garcia@example.org", "ana.garcia1990", "Ana García")
        .await;
    assert_eq!(
        own.error(),
        AppError::Auth(AuthError::Input(AccountInputError::PasswordHasOwnDetails))
    );
    // A new password is held to the same estimate, and the old one keeps working.
    let session = sign_up(&app, "cy@example.org").await;
    let changed = app
        .as_user(&session)
        .change_password(GOOD_PASSWORD, "qwertyuiop123")
        .await;
    assert_eq!(changed.status, 422);
    assert_eq!(
        changed.error(),
        AppError::Auth(AuthError::Input(AccountInputError::PasswordGuessable))
    );
    let again = app.anonymous().sign_in("cy@example.org", GOOD_PASSWORD).await;
    assert_eq!(again.status, 200);
}

async fn a_wrong_password_and_an_unknown_email_get_the_same_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    sign_up(&app, "ana@example.org").await;
    let anonymous = app.anonymous();
    let wrong = anonymous.sign_in("ana@example.org", "not the password!").await;
    let unknown = anonymous.sign_in("nobody@example.org", "not the password!").await;
    assert_eq!((wrong.status, &wrong.body), (unknown.status, &unknown.body));
    assert_eq!(wrong.error(), AppError::Auth(AuthError::InvalidCredentials));
    let right = anonymous.sign_in("ana@example.org", GOOD_PASSWORD).await;
    assert_eq!(right.status, 200);
    assert!(right.cookie().is_some());
}

async fn signing_out_ends_the_session_for_real(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = sign_up(&app, "ana@example.org").await;
    let out = app.as_user(&session).sign_out().await;
    assert_eq!(out.status, 200, "{}", out.body);
    assert_eq!(
        out.cookie().as_deref(),
        Some(""),
        "the browser's cookie is cleared"
    );
    // The old token, replayed, names a session that no longer exists.
    let (status, _) = app.get_as("/account", &session).await;
    assert_eq!(status, 302, "signed out: /account sends to /login");
}

async fn changing_the_password_ends_every_other_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = sign_up(&app, "ana@example.org").await;
    let second = app
        .anonymous()
        .sign_in("ana@example.org", GOOD_PASSWORD)
        .await
        .cookie()
        .unwrap();
    let new_password = "another long passphrase 7";
    let wrong = app
        .as_user(&first)
        .change_password("not it at all", new_password)
        .await;
    assert_eq!(wrong.error(), AppError::Auth(AuthError::WrongPassword));
    let changed = app
        .as_user(&first)
        .change_password(GOOD_PASSWORD, new_password)
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let renewed = changed.cookie().unwrap();
    assert_ne!(renewed, first, "a new session id after the change");
    assert_eq!(app.get_as("/account", &second).await.0, 302);
    assert_eq!(app.get_as("/account", &first).await.0, 302);
    assert_eq!(app.get_as("/account", &renewed).await.0, 200);
    let old = app.anonymous().sign_in("ana@example.org", GOOD_PASSWORD).await;
    assert_eq!(old.error(), AppError::Auth(AuthError::InvalidCredentials));
}

async fn deleting_the_account_ends_its_sessions_and_sign_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = sign_up(&app, "ana@example.org").await;
    let refused = app.as_user(&session).delete_account("wrong password here").await;
    assert_eq!(refused.error(), AppError::Auth(AuthError::WrongPassword));
    let (status, page) = app.get_as("/account", &session).await;
    assert_eq!(status, 200, "a refused deletion changes nothing");
    assert!(
        page.replace("<!>", "")
            .contains("That record is kept for 1095 days after you leave"),
        "the page says how long the city keeps the record (the configured period)"
    );
    let deleted = app.as_user(&session).delete_account(GOOD_PASSWORD).await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(app.get_as("/account", &session).await.0, 302);
    let again = app.anonymous().sign_in("ana@example.org", GOOD_PASSWORD).await;
    assert_eq!(again.error(), AppError::Auth(AuthError::InvalidCredentials));
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
        let staff = staff(&app, email, "Staff", role).await;
        let (status, html) = app.get_as("/admin", &staff).await;
        assert_eq!(status, 200, "{role}");
        assert!(html.contains("Officer console"));
    }
}

async fn server_functions_refuse_callers_without_a_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let anonymous = app.anonymous();
    for (name, called) in [
        ("sign_out", anonymous.sign_out().await),
        ("change_password", anonymous.change_password("x", "y").await),
        ("delete_account", anonymous.delete_account("z").await),
    ] {
        assert_ne!(called.status, 200, "{name}");
        assert_eq!(called.error(), AppError::Auth(AuthError::NotSignedIn), "{name}");
    }
}

async fn cross_site_posts_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    sign_up(&app, "ana@example.org").await;
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let response = app
            .anonymous()
            .with_header(name, value)
            .sign_in("ana@example.org", GOOD_PASSWORD)
            .await;
        assert_eq!(response.status, 403, "{name}: {value}");
        assert!(response.header("set-cookie").is_none());
        assert_eq!(
            response.error(),
            AppError::Auth(AuthError::Forbidden),
            "the page can explain it"
        );
    }
    let same = app
        .anonymous()
        .with_header("sec-fetch-site", "same-origin")
        .sign_in("ana@example.org", GOOD_PASSWORD)
        .await;
    assert_eq!(same.status, 200);
}

async fn repeated_sign_in_attempts_are_limited_per_account(backend: Backend) {
    let app = spawn_app(backend).await;
    sign_up(&app, "ana@example.org").await;
    let mut limited = None;
    for _ in 0..12 {
        let called = app
            .anonymous()
            .sign_in("ana@example.org", "wrong guess again")
            .await;
        if called.status == 429 {
            limited = Some(called);
            break;
        }
    }
    let limited = limited.expect("the sixth attempt within a minute is refused");
    assert!(limited.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    // Even the right password waits.
    let right = app.anonymous().sign_in("ana@example.org", GOOD_PASSWORD).await;
    assert_eq!(right.status, 429);
}

async fn password_checks_of_a_signed_in_account_are_limited(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = sign_up(&app, "ana@example.org").await;
    // Sent at once, six password changes and one deletion, all with a wrong password: five a
    // minute reach the hasher, two wait — so the deletion counts in the same allowance.
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let me = app.as_user(&session);
        requests.spawn(async move {
            me.change_password("not my password!", "a new long passphrase")
                .await
                .status
        });
    }
    let me = app.as_user(&session);
    requests.spawn(async move { me.delete_account("not my password!").await.status });
    let mut statuses = requests.join_all().await;
    statuses.sort_unstable();
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 2, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == 429 || *s == 401 || *s == 403 || *s == 422),
        "{statuses:?}"
    );
    // The session still works: nothing was changed or deleted.
    assert_eq!(app.get_as("/account", &session).await.0, 200);
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
    let anonymous = app.anonymous().console_overview().await;
    assert_ne!(anonymous.status, 200);
    assert_eq!(anonymous.error(), AppError::Auth(AuthError::NotSignedIn));
    let resident = sign_up(&app, "ana@example.org").await;
    let refused = app.as_user(&resident).console_overview().await;
    assert_ne!(refused.status, 200);
    assert_eq!(refused.error(), AppError::Auth(AuthError::Forbidden));
    let officer = common::officer(&app, "officer@example.org", "Officer").await;
    let overview = app.as_user(&officer).console_overview().await.ok();
    assert_eq!(overview.systems, common::city().systems.len());
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

async fn a_resident_sees_and_ends_their_sessions_and_only_theirs(backend: Backend) {
    let app = spawn_app(backend).await;
    let phone = sign_up(&app, "ana@example.org").await;
    let laptop = app
        .anonymous()
        .sign_in("ana@example.org", GOOD_PASSWORD)
        .await
        .session();
    let library = app
        .anonymous()
        .sign_in("ana@example.org", GOOD_PASSWORD)
        .await
        .session();
    let ben = sign_up(&app, "ben@example.org").await;

    let listed = app.as_user(&laptop).my_sessions().await.ok();
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert_eq!(listed.iter().filter(|s| s.current).count(), 1);
    // The page lists them too, without JavaScript.
    let (status, html) = app.get_as("/account/sessions", &laptop).await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("name=\"id\"").count(), 3, "one end button each");

    // Ben cannot end Ana's sessions, even knowing an id: refused, and nothing ends.
    let ana_session = listed.iter().find(|s| !s.current).unwrap().id.clone();
    let refused = app.as_user(&ben).end_session(&ana_session).await;
    assert_eq!(refused.error(), AppError::Auth(AuthError::Forbidden));
    assert_eq!(app.as_user(&laptop).my_sessions().await.ok().len(), 3);

    // Ending one (the library's) ends it at once; ending the others leaves this one.
    let library_id = app
        .as_user(&library)
        .my_sessions()
        .await
        .ok()
        .into_iter()
        .find(|s| s.current)
        .unwrap()
        .id;
    assert_eq!(app.as_user(&laptop).end_session(&library_id).await.status, 200);
    assert_eq!(app.as_user(&library).who_am_i().await.ok(), None);
    assert_eq!(app.as_user(&laptop).end_other_sessions().await.status, 200);
    assert_eq!(app.as_user(&phone).who_am_i().await.ok(), None);
    let left = app.as_user(&laptop).my_sessions().await.ok();
    assert_eq!(left.len(), 1);
    assert!(left[0].current);
    // Ben's session is untouched.
    assert!(app.as_user(&ben).who_am_i().await.ok().is_some());
    // Signed out, nothing is listed.
    assert_eq!(
        app.anonymous().my_sessions().await.error(),
        AppError::Auth(AuthError::NotSignedIn)
    );
}
