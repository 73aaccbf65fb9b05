//! The agency API's front door: client credentials, access tokens, and every way a token
//! can be wrong. Each refusal is a 401 with the JSON error shape.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use auth::clients::NewClient;
use auth::tokens::{AGENCY_AUDIENCE, AGENCY_TYP, AgencyClaims, ISSUER, TokenKeys};
use base64::Engine;
use common::{Backend, TEST_SECRET, TestApp, api_client, sign_up, spawn_app, spawn_app_with};
use domain::account::ApiScope;
use server::api::oauth::TokenResponse;

on_both_databases!(
    a_client_gets_a_token_and_whoami_names_it,
    the_token_endpoint_refuses_bad_credentials_and_grants,
    whoami_refuses_every_kind_of_bad_token,
    a_revoked_clients_tokens_stop_working,
    the_token_endpoint_is_rate_limited_per_ip,
    the_token_endpoint_is_rate_limited_per_client,
    a_scope_taken_from_a_client_is_refused_at_once,
    the_token_endpoint_answers_every_refusal_as_json,
    malformed_queries_and_paths_are_refused_as_json,
    each_client_quota_answers_429_with_retry_after_and_ratelimit_headers,
);

async fn client(app: &TestApp, scopes: &[ApiScope]) -> NewClient {
    api_client(app, "riverton-transit", scopes).await
}

/// A token for the client's own credentials, which must not be cached.
async fn token(app: &TestApp, client: &NewClient) -> TokenResponse {
    let answer = app
        .anonymous()
        .token(&client.client_id, &client.client_secret)
        .await;
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    answer.ok()
}

async fn expect_401(app: &TestApp, bearer: &str, what: &str) {
    let answer = app.as_agency(bearer).whoami().await;
    assert_eq!(answer.status, 401, "{what}");
    assert!(answer.header("www-authenticate").is_some(), "{what}");
    let error = answer.error();
    assert_eq!(error.error, "invalid_token", "{what}");
    assert!(error.message.contains("bearer token"), "{what}");
}

async fn a_client_gets_a_token_and_whoami_names_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = client(&app, &[ApiScope::ConsentCheck, ApiScope::SubjectsRead]).await;
    let token = token(&app, &client).await;
    assert_eq!(token.token_type, "Bearer");
    assert!(token.expires_in > 0 && token.expires_in <= 900);
    let me = app.as_agency(&token.access_token).whoami().await.ok();
    assert_eq!(me.client_id, client.client_id);
    assert_eq!(me.agency, "riverton-transit");
    assert_eq!(me.scopes, ["consent:check", "subjects:read"]);
}

async fn a_scope_taken_from_a_client_is_refused_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = client(&app, &[ApiScope::ConsentCheck, ApiScope::SubjectsRead]).await;
    let agency = app.as_agency(&token(&app, &client).await.access_token);
    assert_eq!(
        agency.whoami().await.ok().scopes,
        ["consent:check", "subjects:read"]
    );
    let operator = store::audit::Actor::Operator;
    let pool = &app.state.pool;
    assert!(
        store::accounts::set_client_scopes(pool, &client.client_id, "consent:check", operator)
            .await
            .unwrap()
    );
    // The same token, minutes from expiry: the scope is gone now, not in 15 minutes.
    assert_eq!(agency.whoami().await.ok().scopes, ["consent:check"]);
    let queried = agency.query("1", "city-wifi", "planning").await;
    assert_eq!(queried.status, 403);
    assert_eq!(queried.error().error, "insufficient_scope");
    // A revoked client's scopes cannot be changed.
    assert!(
        store::accounts::revoke_client(pool, &client.client_id, operator)
            .await
            .unwrap()
    );
    assert!(
        !store::accounts::set_client_scopes(pool, &client.client_id, "subjects:read", operator)
            .await
            .unwrap()
    );
}

async fn the_token_endpoint_refuses_bad_credentials_and_grants(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = client(&app, &[ApiScope::ConsentCheck]).await;
    let anonymous = app.anonymous();
    let wrong = anonymous.token(&client.client_id, "not-the-secret").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.error().error, "invalid_client");
    let missing = anonymous.token_form(&[("client_id", &client.client_id)]).await;
    assert_eq!(
        missing.status, 400,
        "a form without grant_type is a JSON error, not a bare 422"
    );
    assert_eq!(missing.error().error, "unsupported_grant_type");
    let grant = anonymous.token_form(&[("grant_type", "password")]).await;
    assert_eq!(grant.status, 400);
    assert_eq!(grant.error().error, "unsupported_grant_type");
    let scope = anonymous
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client.client_id),
            ("client_secret", &client.client_secret),
            ("scope", "subjects:read"),
        ])
        .await;
    assert_eq!(scope.status, 400);
    assert_eq!(scope.error().error, "invalid_scope");
    // HTTP Basic works as well as the form.
    let ok = anonymous
        .token_basic(&client.client_id, &client.client_secret)
        .await;
    assert_eq!(ok.status, 200);
}

fn claims(client: &NewClient) -> AgencyClaims {
    let now = store::now();
    AgencyClaims {
        iss: ISSUER.into(),
        aud: AGENCY_AUDIENCE.into(),
        sub: client.client_id.clone(),
        agency: "riverton-transit".into(),
        scope: "consent:check".into(),
        typ: AGENCY_TYP.into(),
        iat: now,
        exp: now + 600,
        jti: "test".into(),
        secret_generation: 0,
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

async fn whoami_refuses_every_kind_of_bad_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = client(&app, &[ApiScope::ConsentCheck]).await;
    let keys = TokenKeys::from_secret(TEST_SECRET.as_bytes()).unwrap();
    let good = keys.sign(&claims(&client)).unwrap();
    assert_eq!(
        app.as_agency(&good).whoami().await.status,
        200,
        "the forged-with-the-right-key control passes"
    );

    let response = app.anonymous().whoami().await;
    assert_eq!(response.status, 401, "no token");

    let payload = b64(&serde_json::to_vec(&claims(&client)).unwrap());
    expect_401(
        &app,
        &format!("{}.{payload}.", b64(br#"{"alg":"none","typ":"JWT"}"#)),
        "alg none",
    )
    .await;

    let other = TokenKeys::from_secret(b"another-secret-another-secret-0123456789").unwrap();
    expect_401(&app, &other.sign(&claims(&client)).unwrap(), "another key").await;

    let mut expired = claims(&client);
    expired.exp = store::now() - 120;
    expect_401(&app, &keys.sign(&expired).unwrap(), "expired").await;

    let mut audience = claims(&client);
    audience.aud = "glasshouse-web".into();
    expect_401(&app, &keys.sign(&audience).unwrap(), "wrong aud").await;

    let mut issuer = claims(&client);
    issuer.iss = "someone-else".into();
    expect_401(&app, &keys.sign(&issuer).unwrap(), "wrong iss").await;

    let mut other_agency = claims(&client);
    other_agency.agency = "riverton-police".into();
    let parts: Vec<&str> = good.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64(&serde_json::to_vec(&other_agency).unwrap()),
        parts[2]
    );
    expect_401(&app, &tampered, "tampered payload").await;

    let session = sign_up(&app, "ana@example.org").await;
    expect_401(&app, &session, "a resident's session token").await;
    expect_401(&app, "garbage", "garbage").await;
}

async fn a_revoked_clients_tokens_stop_working(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = client(&app, &[ApiScope::ConsentCheck]).await;
    let token = token(&app, &client).await;
    assert_eq!(app.as_agency(&token.access_token).whoami().await.status, 200);
    assert!(
        store::accounts::revoke_client(&app.state.pool, &client.client_id, store::audit::Actor::Operator)
            .await
            .unwrap()
    );
    expect_401(&app, &token.access_token, "revoked client").await;
    let again = app
        .anonymous()
        .token(&client.client_id, &client.client_secret)
        .await;
    assert_eq!(again.status, 401, "a revoked client gets no new token");
}

async fn the_token_endpoint_is_rate_limited_per_client(backend: Backend) {
    // Five token requests a minute per client and address; the test connects from 127.0.0.1,
    // a trusted proxy here, so X-Forwarded-For says who each caller is.
    let app = spawn_app_with(
        backend,
        &[
            ("GLASSHOUSE_AUTH_REQUESTS_PER_MINUTE", "5"),
            ("GLASSHOUSE_TRUSTED_PROXIES", "127.0.0.1"),
        ],
    )
    .await;
    let client = client(&app, &[ApiScope::ConsentCheck]).await;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (api, client_id) = (
            app.anonymous().with_header("x-forwarded-for", "203.0.113.66"),
            client.client_id.clone(),
        );
        requests.spawn(async move { api.token(&client_id, "guess").await.status });
    }
    let statuses: Vec<u16> = requests.join_all().await;
    let refused = statuses.iter().filter(|s| **s == 401).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(refused + limited, 10, "{statuses:?}");
    assert!(
        (4..=6).contains(&refused),
        "about five attempts a minute per client and address: {statuses:?}"
    );
    // The stranger who guessed at the agency's client id filled only their own bucket.
    let agency = app
        .anonymous()
        .with_header("x-forwarded-for", "198.51.100.20")
        .token(&client.client_id, &client.client_secret)
        .await;
    assert_eq!(agency.status, 200, "the agency still gets its token");
}

async fn the_token_endpoint_is_rate_limited_per_ip(backend: Backend) {
    let app = spawn_app_with(backend, &[("GLASSHOUSE_AUTH_REQUESTS_PER_MINUTE", "5")]).await;
    // Sent at once, so the burst exceeds the per-minute allowance however slow each answer
    // is; a different client each time, so only the per-address limit (4 × 5) can apply.
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..30 {
        let api = app.anonymous();
        requests.spawn(async move { api.token(&format!("nobody-{i}"), "x").await });
    }
    let mut limited = None;
    while let Some(response) = requests.join_next().await {
        let response = response.unwrap();
        if response.status == 429 {
            limited = Some(response);
        }
    }
    let limited = limited.expect("30 requests at once exceed the per-address allowance");
    let retry_after: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!(retry_after >= 1);
    assert_eq!(limited.error().error, "too_many_requests");
}

/// A refusal as the document promises it: the status, a JSON body of the error shape, and
/// the content type that says so.
fn expect_json_error<T>(answer: &common::client::ApiAnswer<T>, status: u16, code: &str, what: &str) {
    assert_eq!(answer.status, status, "{what}: {answer:?}");
    assert_eq!(
        answer.header("content-type"),
        Some("application/json"),
        "{what}: {answer:?}"
    );
    assert_eq!(answer.error().error, code, "{what}");
}

async fn the_token_endpoint_answers_every_refusal_as_json(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = client(&app, &[ApiScope::ConsentCheck]).await;
    let anonymous = app.anonymous();
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        client.client_id, client.client_secret
    );
    // A form is read only as a form: JSON, another type or none is 415, in JSON.
    let json = anonymous
        .token_raw(
            &serde_json::json!({"grant_type": "client_credentials"}).to_string(),
            Some("application/json"),
        )
        .await;
    expect_json_error(&json, 415, "unsupported_media_type", "a JSON body");
    assert!(json.error().message.contains("application/x-www-form-urlencoded"));
    let none = anonymous.token_raw(&form, None).await;
    expect_json_error(&none, 415, "unsupported_media_type", "no content type");
    let text = anonymous.token_raw(&form, Some("text/plain")).await;
    expect_json_error(&text, 415, "unsupported_media_type", "text/plain");
    // A form that does not parse (a field twice) is 400 invalid_request, not plain text.
    let twice = anonymous
        .token_raw(
            "grant_type=client_credentials&grant_type=client_credentials",
            Some("application/x-www-form-urlencoded"),
        )
        .await;
    expect_json_error(&twice, 400, "invalid_request", "a field twice");
    // The same form, well sent, is granted.
    let granted = anonymous
        .token_raw(&form, Some("application/x-www-form-urlencoded"))
        .await;
    assert_eq!(granted.status, 200, "{granted:?}");
}

async fn malformed_queries_and_paths_are_refused_as_json(backend: Backend) {
    let app = spawn_app(backend).await;
    let anonymous = app.anonymous();
    let get = |path: &'static str| anonymous.api_route(reqwest::Method::GET, path);
    let missing = get("/api/v1/ledger/proof/inclusion?index=0").await;
    expect_json_error(&missing, 400, "invalid_query", "a missing parameter");
    let negative = get("/api/v1/ledger/proof/consistency?first=-1&second=2").await;
    expect_json_error(&negative, 400, "invalid_query", "a negative size");
    let unknown = get("/api/v1/register/systems?language=es").await;
    expect_json_error(&unknown, 400, "invalid_query", "an unknown parameter");
    let lang = get("/api/v1/register/changes?lang=").await;
    expect_json_error(&lang, 400, "unsupported_language", "an empty language");
    let bearer = common::bearer(
        &app,
        "riverton-transit",
        &[ApiScope::EnrollmentWrite, ApiScope::RequestsWork],
    )
    .await;
    let agency = app.as_agency(&bearer);
    // A path segment that is not UTF-8 once decoded.
    let path = agency
        .api_route(reqwest::Method::GET, "/api/v1/enrollments/codes/%FF%FE")
        .await;
    expect_json_error(&path, 400, "invalid_path", "a path that is not UTF-8");
    let status = agency.tasks(Some("ok")).await;
    expect_json_error(&status, 422, "invalid_input", "an unknown task filter");
    // A body over the limit is refused before any API code runs, still in JSON.
    let big = format!("grant_type={}", "a".repeat(70 * 1024));
    let too_large = anonymous
        .token_raw(&big, Some("application/x-www-form-urlencoded"))
        .await;
    expect_json_error(&too_large, 413, "too_large", "a body over the limit");
}

async fn each_client_quota_answers_429_with_retry_after_and_ratelimit_headers(backend: Backend) {
    let scopes = [ApiScope::ConsentCheck, ApiScope::SubjectsRead];
    let ask = |agency: &common::client::ApiClient| {
        let agency = agency.clone();
        async move {
            agency
                .check("GH-2345-6789", "riverpass-fare-card", "fare-payment")
                .await
        }
    };

    // The second: a burst far beyond three a second is refused in part, with the headers.
    let app = spawn_app_with(
        backend,
        &[
            ("GLASSHOUSE_CLIENT_CALLS_PER_SECOND", "3"),
            ("GLASSHOUSE_CLIENT_CALLS_PER_DAY", "1000000"),
        ],
    )
    .await;
    let agency = app.as_agency(&token(&app, &client(&app, &scopes).await).await.access_token);
    let logged = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM decision_log")
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
        n
    };
    let before = logged().await;
    let mut burst = tokio::task::JoinSet::new();
    for _ in 0..20 {
        burst.spawn(ask(&agency));
    }
    let answers = burst.join_all().await;
    let refused: Vec<_> = answers.iter().filter(|a| a.status == 429).collect();
    let answered = answers.iter().filter(|a| a.status == 200).count();
    assert!(
        !refused.is_empty() && answered + refused.len() == 20,
        "{answers:?}"
    );
    let refusal = refused[0];
    assert_eq!(refusal.error().error, "quota_exceeded");
    assert_eq!(refusal.header("retry-after"), Some("1"));
    assert_eq!(refusal.header("ratelimit-limit"), Some("3"));
    assert_eq!(refusal.header("ratelimit-remaining"), Some("0"));
    assert_eq!(refusal.header("ratelimit-policy"), Some("3;w=1"));
    // A refused check is not a decision: only the answered ones are logged.
    assert_eq!(logged().await - before, i64::try_from(answered).unwrap());
    // Queries have buckets of their own, and another client is not held back.
    let query = agency
        .query("GH-2345-6789", "riverpass-fare-card", "fare-payment")
        .await;
    assert_ne!(query.status, 429, "{query:?}");
    let other = app.as_agency(&token(&app, &client(&app, &scopes).await).await.access_token);
    assert_eq!(ask(&other).await.status, 200);

    // The day: five checks one after another, then a wait of hours (one call comes back every
    // 17 280 seconds), whatever the load.
    let app = spawn_app_with(
        backend,
        &[
            ("GLASSHOUSE_CLIENT_CALLS_PER_SECOND", "1000000"),
            ("GLASSHOUSE_CLIENT_CALLS_PER_DAY", "5"),
        ],
    )
    .await;
    let agency = app.as_agency(&token(&app, &client(&app, &scopes).await).await.access_token);
    for n in 0..5 {
        assert_eq!(ask(&agency).await.status, 200, "check {n}");
    }
    let day = ask(&agency).await;
    assert_eq!(day.status, 429, "{day:?}");
    let wait: u64 = day.header("retry-after").unwrap().parse().unwrap();
    assert!(wait > 3600, "{wait}");
    assert_eq!(day.header("ratelimit-policy"), Some("5;w=86400"));
}
