//! Safe on the open internet: behind a reverse proxy and under abuse (whose bucket a request
//! counts in), and what caches may keep. The tests connect from 127.0.0.1; where that is a
//! trusted proxy, `X-Forwarded-For` says who each caller is, so two "visitors" are two
//! header values.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use app::error::AppError;
use common::{Backend, GOOD_PASSWORD, TestApp, api_client, sign_up, spawn_app, spawn_app_with};
use domain::account::{ApiScope, AuthError};

on_both_databases!(
    two_visitors_behind_a_trusted_proxy_get_separate_buckets,
    a_forwarding_header_from_an_untrusted_peer_is_ignored,
    an_ipv6_visitor_is_counted_by_their_64,
    the_token_endpoint_keeps_working_while_sign_in_is_flooded,
    a_stranger_cannot_lock_a_resident_out,
    wrong_passwords_make_the_next_try_wait_and_the_owner_is_told_once,
    guesses_from_many_addresses_are_held_back_but_never_the_owner,
    an_owner_who_mistyped_waits_from_their_own_try_not_the_strangers,
    streaks_over_a_day_old_are_forgotten_with_their_addresses,
    the_back_off_answers_alike_whether_or_not_the_email_has_an_account,
    signed_in_pages_and_the_api_are_never_cached,
    over_https_the_session_cookie_carries_the_host_prefix,
);

const BEHIND_A_PROXY: &[(&str, &str)] = &[
    ("GLASSHOUSE_AUTH_REQUESTS_PER_MINUTE", "5"),
    ("GLASSHOUSE_TRUSTED_PROXIES", "127.0.0.1, ::1"),
];

/// Failed sign-ins from `from` (as the proxy reports it), each for a different unknown email
/// so that only the per-address limit can refuse; sent at once, so the burst is exceeded
/// however long each answer takes. The statuses, sorted (401s before 429s).
async fn failed_sign_ins(app: &TestApp, from: Option<&str>, count: usize, tag: &str) -> Vec<u16> {
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..count {
        let mut api = app.anonymous();
        if let Some(from) = from {
            api = api.with_header("x-forwarded-for", from);
        }
        let email = format!("nobody-{tag}-{i}@example.org");
        requests.spawn(async move { api.sign_in(&email, "not the password!").await.status });
    }
    let mut statuses = requests.join_all().await;
    statuses.sort_unstable();
    statuses
}

async fn two_visitors_behind_a_trusted_proxy_get_separate_buckets(backend: Backend) {
    let app = spawn_app_with(backend, BEHIND_A_PROXY).await;
    // The first visitor writes a different fake first hop each time; the proxy appended their
    // real address. All six count in one bucket, sent at once: the sixth waits.
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..6 {
        let api = app
            .anonymous()
            .with_header("x-forwarded-for", &format!("198.51.100.{i}, 203.0.113.1"));
        requests.spawn(async move {
            api.sign_in(&format!("nobody-a{i}@example.org"), "not the password!")
                .await
                .status
        });
    }
    let mut first = requests.join_all().await;
    first.sort_unstable();
    assert_eq!(first, [401, 401, 401, 401, 401, 429], "{first:?}");
    // Another visitor through the same proxy has their own allowance.
    let second = failed_sign_ins(&app, Some("203.0.113.2"), 1, "b").await;
    assert_eq!(second, [401], "a second visitor is not limited by the first");
}

async fn a_forwarding_header_from_an_untrusted_peer_is_ignored(backend: Backend) {
    // No trusted proxies: a header each request fakes differently counts for nothing.
    let app = spawn_app_with(backend, &[("GLASSHOUSE_AUTH_REQUESTS_PER_MINUTE", "5")]).await;
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..6 {
        let api = app
            .anonymous()
            .with_header("x-forwarded-for", &format!("203.0.113.{}", 10 + i));
        requests.spawn(async move {
            api.sign_in(&format!("nobody-{i}@example.org"), "not the password!")
                .await
                .status
        });
    }
    let mut statuses = requests.join_all().await;
    statuses.sort_unstable();
    assert_eq!(statuses[..5], [401; 5], "{statuses:?}");
    assert_eq!(
        statuses[5], 429,
        "every request came from the same peer: {statuses:?}"
    );
}

async fn an_ipv6_visitor_is_counted_by_their_64(backend: Backend) {
    let app = spawn_app_with(backend, BEHIND_A_PROXY).await;
    // Six addresses of one /64: one bucket.
    let mut requests = tokio::task::JoinSet::new();
    for i in 1..=6 {
        let api = app
            .anonymous()
            .with_header("x-forwarded-for", &format!("2001:db8:1:2::{i:x}"));
        requests.spawn(async move {
            api.sign_in(&format!("nobody-v{i}@example.org"), "not the password!")
                .await
                .status
        });
    }
    let mut statuses = requests.join_all().await;
    statuses.sort_unstable();
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429], "{statuses:?}");
    // The next /64 is someone else.
    let other = failed_sign_ins(&app, Some("2001:db8:1:3::1"), 1, "w").await;
    assert_eq!(other, [401]);
}

async fn the_token_endpoint_keeps_working_while_sign_in_is_flooded(backend: Backend) {
    let app = spawn_app_with(backend, &[("GLASSHOUSE_AUTH_REQUESTS_PER_MINUTE", "5")]).await;
    let client = api_client(&app, "riverton-transit", &[ApiScope::ConsentCheck]).await;
    let flood = failed_sign_ins(&app, None, 8, "flood").await;
    assert_eq!(flood.last(), Some(&429), "sign-in is flooded: {flood:?}");
    // The agency behind the same address still gets its tokens.
    for _ in 0..3 {
        let token = app
            .anonymous()
            .token(&client.client_id, &client.client_secret)
            .await;
        assert_eq!(token.status, 200, "tokens are limited apart from sign-in");
    }
}

async fn a_stranger_cannot_lock_a_resident_out(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[
            ("GLASSHOUSE_AUTH_REQUESTS_PER_MINUTE", "1000"),
            ("GLASSHOUSE_TRUSTED_PROXIES", "127.0.0.1"),
        ],
    )
    .await;
    sign_up(&app, "ana@example.org").await;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let stranger = app.anonymous().with_header("x-forwarded-for", "203.0.113.66");
        requests.spawn(async move { stranger.sign_in("ana@example.org", "a wrong guess!").await.status });
    }
    let mut statuses = requests.join_all().await;
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [401, 401, 401, 401, 401, 429],
        "the stranger is slowed down: {statuses:?}"
    );
    // Ana, from her own address, signs in at once.
    let ana = app
        .anonymous()
        .with_header("x-forwarded-for", "198.51.100.20")
        .sign_in("ana@example.org", GOOD_PASSWORD)
        .await;
    assert_eq!(ana.status, 200, "the owner is not locked out");
}

/// Proxy settings under which each `X-Forwarded-For` value is its own caller and only the
/// per-account limits (not the per-address layer) can refuse a sign-in.
const MANY_CALLERS: &[(&str, &str)] = &[
    ("GLASSHOUSE_AUTH_REQUESTS_PER_MINUTE", "1000"),
    ("GLASSHOUSE_TRUSTED_PROXIES", "127.0.0.1"),
];

/// Signs in to Ana's account from `from`, one try.
async fn sign_in_from(app: &TestApp, from: &str, password: &str) -> common::client::Answer<()> {
    app.anonymous()
        .with_header("x-forwarded-for", from)
        .sign_in("ana@example.org", password)
        .await
}

/// The back-off's refusal: its wait, from the error and from `Retry-After`, which agree.
fn backing_off(answer: &common::client::Answer<()>) -> u64 {
    assert_eq!(answer.status, 429, "{}", answer.body);
    let AppError::Auth(AuthError::BackingOff { retry_after_secs }) = answer.error() else {
        panic!("not the back-off's refusal: {}", answer.body);
    };
    let header: u64 = answer.header("retry-after").unwrap().parse().unwrap();
    assert_eq!(header, retry_after_secs);
    retry_after_secs
}

async fn wrong_passwords_make_the_next_try_wait_and_the_owner_is_told_once(backend: Backend) {
    let app = spawn_app_with(backend, MANY_CALLERS).await;
    let session = sign_up(&app, "ana@example.org").await;
    // Seven wrong passwords, each from an address of its own: five are free, the sixth and
    // seventh set a wait that doubles (to four seconds).
    for i in 1..=7 {
        let wrong = sign_in_from(&app, &format!("203.0.113.{i}"), "a wrong guess!").await;
        assert_eq!(wrong.status, 401, "try {i}: {}", wrong.body);
    }
    // An address that failed waits, from its own last failure, even with the right password
    // (it is not even checked).
    let early = sign_in_from(&app, "203.0.113.7", GOOD_PASSWORD).await;
    let wait = backing_off(&early);
    assert!((1..=4).contains(&wait), "{wait}");
    // Tries during the wait are refused and do not make it longer.
    let again = sign_in_from(&app, "203.0.113.6", "another guess!").await;
    assert!(backing_off(&again) <= wait);
    // Once it has passed, the right password works and ends the streak.
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    let after = sign_in_from(&app, "203.0.113.7", GOOD_PASSWORD).await;
    assert_eq!(after.status, 200, "{}", after.body);
    for i in 2..=5 {
        let wrong = sign_in_from(&app, &format!("203.0.113.{i}"), "a wrong guess!").await;
        assert_eq!(wrong.status, 401, "a new streak's free try {i}: {}", wrong.body);
    }
    let free = sign_in_from(&app, "203.0.113.2", GOOD_PASSWORD).await;
    assert_eq!(free.status, 200, "four failures set no wait: {}", free.body);
    // One notice for the streak that reached the waits, none for the one that did not.
    let notices = app.as_user(&session).account_notices().await.ok();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].times, 5);
    assert_eq!(
        notices[0].kind,
        domain::account::AccountNoticeKind::SignInFailures
    );
    assert!(!notices[0].read);
    assert_eq!(app.as_user(&session).unread_notifications().await.ok(), 1);
    let (status, html) = app.get_as("/my/notifications", &session).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("wrong passwords in a row were tried for your account"),
        "{html}"
    );
    // The notice is Ana's alone: signed out it is refused, another resident does not see it
    // and marking theirs read leaves hers unread.
    assert_eq!(app.anonymous().account_notices().await.status, 401);
    let ben = sign_up(&app, "ben@example.org").await;
    assert!(app.as_user(&ben).account_notices().await.ok().is_empty());
    app.as_user(&ben).mark_notifications_read(None).await;
    assert_eq!(app.as_user(&session).unread_notifications().await.ok(), 1);
    app.as_user(&session).mark_notifications_read(None).await;
    assert_eq!(app.as_user(&session).unread_notifications().await.ok(), 0);
}

async fn guesses_from_many_addresses_are_held_back_but_never_the_owner(backend: Backend) {
    let app = spawn_app_with(backend, MANY_CALLERS).await;
    sign_up(&app, "ana@example.org").await;
    // A stranger guesses from twelve addresses: each address gets one try, then waits a wait
    // that has grown with every guess (over two minutes by now).
    for i in 1..=12 {
        let wrong = sign_in_from(&app, &format!("198.51.100.{i}"), "a wrong guess!").await;
        assert_eq!(wrong.status, 401, "{}", wrong.body);
    }
    for i in 1..=12 {
        let held = sign_in_from(&app, &format!("198.51.100.{i}"), GOOD_PASSWORD).await;
        assert!(backing_off(&held) > 60, "guess {i} waits");
    }
    // Ana, from an address that has not been failing, signs in at once.
    let ana = sign_in_from(&app, "192.0.2.10", GOOD_PASSWORD).await;
    assert_eq!(ana.status, 200, "the owner is never locked out: {}", ana.body);
}

async fn an_owner_who_mistyped_waits_from_their_own_try_not_the_strangers(backend: Backend) {
    let app = spawn_app_with(backend, MANY_CALLERS).await;
    sign_up(&app, "ana@example.org").await;
    // Ana mistypes once; then a stranger guesses from five other addresses, the last guess
    // well after hers. The streak is six: a wait of two seconds.
    let typo = sign_in_from(&app, "192.0.2.10", "a typo in it").await;
    assert_eq!(typo.status, 401);
    // Her failure is stored before the answer comes: it is at most this old.
    let ana_failed = std::time::Instant::now();
    for i in 1..=4 {
        let wrong = sign_in_from(&app, &format!("198.51.100.{i}"), "a wrong guess!").await;
        assert_eq!(wrong.status, 401, "{}", wrong.body);
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500).saturating_sub(ana_failed.elapsed())).await;
    let last = sign_in_from(&app, "198.51.100.5", "a wrong guess!").await;
    assert_eq!(last.status, 401);
    // Two seconds after her own try, Ana goes ahead, although the stranger's last guess was
    // under two seconds ago: her wait counts from her own failure, so a stranger who keeps
    // guessing cannot keep her out.
    tokio::time::sleep(std::time::Duration::from_millis(2100).saturating_sub(ana_failed.elapsed())).await;
    let ana = sign_in_from(&app, "192.0.2.10", GOOD_PASSWORD).await;
    assert_eq!(ana.status, 200, "{}", ana.body);
    // Her right password ended the streak: the stranger's addresses are not held any more.
    let after = sign_in_from(&app, "198.51.100.5", GOOD_PASSWORD).await;
    assert_eq!(after.status, 200, "{}", after.body);
}

async fn signed_in_pages_and_the_api_are_never_cached(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = sign_up(&app, "ana@example.org").await;
    let get = |path: &str, cookie: Option<String>| {
        let mut request = app.client.get(app.url(path));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        async move { request.send().await.unwrap() }
    };
    let header = |response: &reqwest::Response, name: &str| {
        response
            .headers()
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Signed in, a page is the resident's own: no cache may keep it, and it varies by cookie.
    let mine = get("/account", Some(format!("gh_session={session}"))).await;
    assert_eq!(mine.status(), 200);
    assert_eq!(header(&mine, "cache-control"), "no-store");
    assert!(
        header(&mine, "vary").contains("Cookie"),
        "{}",
        header(&mine, "vary")
    );
    // The agency API, whoever calls.
    let api = get("/api/v1/register/systems", None).await;
    assert_eq!(api.status(), 200);
    assert_eq!(header(&api, "cache-control"), "no-store");
    // A public page read signed out may be cached, but only for readers without cookies.
    let public = get("/systems", None).await;
    assert_eq!(public.status(), 200);
    assert_eq!(header(&public, "cache-control"), "");
    assert!(header(&public, "vary").contains("Cookie"));
    // The static bundle is everyone's: cacheable even for a signed-in reader.
    let bundle = get("/pkg/glasshouse.css", Some(format!("gh_session={session}"))).await;
    assert_ne!(header(&bundle, "cache-control"), "no-store");
}

async fn over_https_the_session_cookie_carries_the_host_prefix(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[("GLASSHOUSE_PUBLIC_URL", "https://privacy.riverton.example")],
    )
    .await;
    let signed_up = app
        .anonymous()
        .sign_up("ana@example.org", GOOD_PASSWORD, "Ana")
        .await;
    assert_eq!(signed_up.status, 200, "{}", signed_up.body);
    let answer = app.anonymous().sign_in("ana@example.org", GOOD_PASSWORD).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let set = answer.header("set-cookie").unwrap().to_owned();
    assert!(set.starts_with("__Host-gh_session="), "{set}");
    assert!(
        set.contains("; Secure") && set.contains("Path=/") && !set.contains("Domain"),
        "{set}"
    );
    let session = answer.set_cookie("__Host-gh_session").unwrap();
    // Read back under its prefixed name only: a plain `gh_session` (which a sibling subdomain
    // or a plain-HTTP page could have planted) is not a session here.
    let me = app
        .anonymous()
        .with_header("cookie", &format!("__Host-gh_session={session}"))
        .who_am_i()
        .await
        .ok();
    assert_eq!(me.map(|u| u.email).as_deref(), Some("ana@example.org"));
    let planted = app
        .anonymous()
        .with_header("cookie", &format!("gh_session={session}"))
        .who_am_i()
        .await
        .ok();
    assert_eq!(planted, None);
}

/// A stranger cannot learn from the back-off which emails have an account: an email with no
/// account gets the same answers, waits included; and the database keeps neither the
/// addresses nor the unknown email, only keyed digests of them.
async fn the_back_off_answers_alike_whether_or_not_the_email_has_an_account(backend: Backend) {
    let app = spawn_app_with(backend, MANY_CALLERS).await;
    sign_up(&app, "ana@example.org").await;
    let mut seen = Vec::new();
    for (email, net) in [
        ("ana@example.org", "203.0.113"),
        ("nobody@example.org", "198.51.100"),
    ] {
        let from = |i: u8| {
            app.anonymous()
                .with_header("x-forwarded-for", &format!("{net}.{i}"))
        };
        let mut statuses = Vec::new();
        for i in 1..=7 {
            statuses.push(from(i).sign_in(email, "a wrong guess!").await.status);
        }
        // The seventh address tries again at once: it waits, before any password is checked.
        let early = from(7).sign_in(email, GOOD_PASSWORD).await;
        let wait = backing_off(&early);
        // An address that has not been failing is not held back (and fails as usual).
        let fresh = from(99).sign_in(email, "one more guess!").await.status;
        seen.push((statuses, early.error(), (1..=4).contains(&wait), fresh));
    }
    assert_eq!(seen[0], seen[1], "the two emails were answered differently");
    assert_eq!(seen[0].0, [401; 7]);
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT subject, address FROM sign_in_failures")
        .fetch_all(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(rows.len(), 16, "{rows:?}");
    let plain_sha256 = auth::accounts::digest("203.0.113.1");
    for (subject, address) in &rows {
        assert!(!subject.contains("nobody") && !address.contains("203.0") && !address.contains("198.51"));
        assert_ne!(address, &plain_sha256);
        assert_eq!(address.len(), 64);
    }
}

async fn streaks_over_a_day_old_are_forgotten_with_their_addresses(backend: Backend) {
    let app = spawn_app(backend).await;
    sign_up(&app, "ana@example.org").await;
    sign_up(&app, "ben@example.org").await;
    let id = |email: &'static str| {
        let pool = app.state.pool.clone();
        async move {
            let (id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
                .bind(email)
                .fetch_one(&pool)
                .await
                .unwrap();
            id
        }
    };
    let (ana, ben) = (id("ana@example.org").await, id("ben@example.org").await);
    let now = store::now_us();
    let two_days_ago = now - 2 * 24 * 3600 * 1_000_000;
    for i in 0..3 {
        store::sign_in_failures::record_failure(
            &app.state.pool,
            &ana,
            Some(&ana),
            &format!("old-{i}"),
            two_days_ago,
        )
        .await
        .unwrap();
    }
    store::sign_in_failures::record_failure(&app.state.pool, &ben, Some(&ben), "recent", now)
        .await
        .unwrap();
    let removed = store::sign_in_failures::forget_old(&app.state.pool, now)
        .await
        .unwrap();
    assert_eq!(removed, 3, "only the old streak's addresses go");
    let streaks: Vec<(String, i64)> = sqlx::query_as("SELECT subject, failures FROM sign_in_streaks")
        .fetch_all(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(streaks, [(ben.clone(), 1)]);
    let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sign_in_failures")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(left, 1);
}
