//! The agencies' consent change feed, on SQLite and PostgreSQL: exactly the agency's own
//! residents' changes, in ledger order, paged by cursor; the scope first; the stream
//! delivering a withdrawal within seconds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::client::{ApiClient, Filing};
use common::{Backend, GOOD_PASSWORD, TestApp, bearer, enrolled_resident, filed, officer, spawn_app};
use domain::account::ApiScope;
use server::api::changes::{ConsentChangeRecord, MAX_STREAMS_PER_CLIENT};
use std::time::{Duration, Instant};

on_both_databases!(
    the_feed_lists_exactly_the_agencys_changes_in_order,
    paging_with_after_resumes_exactly,
    a_deleted_account_is_never_named,
    the_scope_is_checked_first_and_bad_cursors_are_refused,
    the_stream_delivers_a_withdrawal_made_after_it_opened,
);

const DIGITAL: &str = "riverton-digital-services";
const TRANSIT: &str = "riverton-transit";
/// Digital services' enrollment system, with a consent purpose and a public-task one.
const ACCOUNT: &str = "myriverton-account";
const NEWSLETTER: &str = "city-newsletter";
const SECURITY_LOGGING: &str = "security-logging";
/// Digital services' public-space system: anyone may choose, nobody enrols.
const WIFI: &str = "public-wifi";
const FOOTFALL: &str = "footfall-analytics";
/// Transit's enrollment system and a consent purpose of it.
const FARE_CARD: &str = "riverpass-fare-card";
const ALERTS: &str = "service-alerts";

/// A client of `agency` allowed to read the feed and end enrollments.
async fn feed_reader(app: &TestApp, agency: &str) -> ApiClient {
    let scopes = [ApiScope::ConsentChanges, ApiScope::EnrollmentWrite];
    app.as_agency(&bearer(app, agency, &scopes).await)
}

/// Every change from `after` to the feed's end, reading `limit` at a time; and the end.
async fn read_all(agency: &ApiClient, after: &str, limit: u32) -> (Vec<ConsentChangeRecord>, String) {
    let (mut changes, mut cursor) = (Vec::new(), after.to_owned());
    for _ in 0..1000 {
        let page = agency
            .consent_changes(&format!("after={cursor}&limit={limit}"))
            .await
            .ok();
        assert!(page.changes.len() <= limit as usize);
        if let Some(last) = page.changes.last().filter(|_| !page.caught_up) {
            assert_eq!(
                last.cursor, page.next_cursor,
                "a full page resumes after its last change"
            );
        }
        changes.extend(page.changes);
        cursor = page.next_cursor;
        if page.caught_up {
            return (changes, cursor);
        }
    }
    panic!("the feed never caught up");
}

/// Where the feed ends now (the demo city's own changes before it).
async fn end_of_feed(agency: &ApiClient) -> String {
    read_all(agency, "0", 200).await.1
}

/// `(kind, subject, system, purpose)` of each change.
fn summary(changes: &[ConsentChangeRecord]) -> Vec<(String, Option<String>, String, Option<String>)> {
    changes
        .iter()
        .map(|c| {
            (
                c.kind.clone(),
                c.subject.clone(),
                c.system.clone(),
                c.purpose.clone(),
            )
        })
        .collect()
}

fn change(
    kind: &str,
    subject: &str,
    system: &str,
    purpose: Option<&str>,
) -> (String, Option<String>, String, Option<String>) {
    (
        kind.to_owned(),
        Some(subject.to_owned()),
        system.to_owned(),
        purpose.map(str::to_owned),
    )
}

async fn choose(app: &TestApp, session: &str, system: &str, purpose: &str, action: &str) {
    let chosen = app.as_user(session).record_consent(system, purpose, action).await;
    assert_eq!(chosen.status, 200, "{system}/{purpose} {action}: {}", chosen.body);
}

/// Files `session`'s objection to `system/purpose` and has an officer uphold it.
async fn uphold_objection(app: &TestApp, session: &str, system: &str, purpose: &str) {
    let officer = officer(app, "olga@example.org", "Olga Officer").await;
    let console = app.as_user(&officer);
    let id = filed(
        app,
        session,
        &Filing::new("objection").purpose(&format!("{system}/{purpose}")),
    )
    .await;
    console.verify(&id).await;
    for task in console.case(&id).await.ok().detail.tasks {
        console
            .complete_task_for_agency(&id, &task.id, "done", None)
            .await;
    }
    let fulfilled = console.fulfil(&id).await;
    assert_eq!(fulfilled.status, 200, "{}", fulfilled.body);
}

async fn the_feed_lists_exactly_the_agencys_changes_in_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let digital = feed_reader(&app, DIGITAL).await;
    let transit = feed_reader(&app, TRANSIT).await;
    let (digital_start, transit_start) = (end_of_feed(&digital).await, end_of_feed(&transit).await);
    let (ana, ana_number) = enrolled_resident(&app, "ana@example.org", &[ACCOUNT, FARE_CARD]).await;
    // Ben never enrolled with any of digital services' systems: his choice on its public
    // Wi-Fi is none of the agency's business here.
    let (ben, _) = enrolled_resident(&app, "ben@example.org", &[FARE_CARD]).await;
    choose(&app, &ben, WIFI, FOOTFALL, "grant").await;
    choose(&app, &ana, ACCOUNT, NEWSLETTER, "grant").await;
    choose(&app, &ana, ACCOUNT, NEWSLETTER, "withdraw").await;
    choose(&app, &ana, FARE_CARD, ALERTS, "grant").await;
    choose(&app, &ana, ACCOUNT, NEWSLETTER, "grant").await;
    uphold_objection(&app, &ana, ACCOUNT, SECURITY_LOGGING).await;
    let ended = digital.unenrol(&ana_number, ACCOUNT).await;
    assert_eq!(ended.status, 204, "{}", ended.body);

    let (changes, _) = read_all(&digital, &digital_start, 50).await;
    assert_eq!(
        summary(&changes),
        [
            change("consent_granted", &ana_number, ACCOUNT, Some(NEWSLETTER)),
            change("consent_withdrawn", &ana_number, ACCOUNT, Some(NEWSLETTER)),
            change("consent_granted", &ana_number, ACCOUNT, Some(NEWSLETTER)),
            change("objection_upheld", &ana_number, ACCOUNT, Some(SECURITY_LOGGING)),
            change("enrollment_ended", &ana_number, ACCOUNT, None),
        ],
        "oldest first, nothing of another agency's systems or of a resident never enrolled"
    );
    let cursors: Vec<i64> = changes.iter().map(|c| c.cursor.parse().unwrap()).collect();
    assert!(cursors.windows(2).all(|w| w[0] < w[1]), "{cursors:?}");
    for c in &changes {
        assert!(
            c.at.ends_with('Z') && c.at.contains('T'),
            "RFC 3339 UTC: {}",
            c.at
        );
    }
    // Transit sees only its own system's change; ben's enrollment was never a change.
    let (changes, _) = read_all(&transit, &transit_start, 50).await;
    assert_eq!(
        summary(&changes),
        [change("consent_granted", &ana_number, FARE_CARD, Some(ALERTS))]
    );
}

async fn paging_with_after_resumes_exactly(backend: Backend) {
    let app = spawn_app(backend).await;
    let digital = feed_reader(&app, DIGITAL).await;
    let start = end_of_feed(&digital).await;
    let (ana, number) = enrolled_resident(&app, "ana@example.org", &[ACCOUNT]).await;
    for action in ["grant", "withdraw", "grant", "withdraw", "grant"] {
        choose(&app, &ana, ACCOUNT, NEWSLETTER, action).await;
    }
    let (whole, end) = read_all(&digital, &start, 200).await;
    assert_eq!(whole.len(), 5);
    assert!(
        whole
            .iter()
            .all(|c| c.subject.as_deref() == Some(number.as_str()))
    );
    // One at a time, then two at a time: the same changes, each once.
    for limit in [1, 2] {
        let (paged, paged_end) = read_all(&digital, &start, limit).await;
        assert_eq!(summary(&paged), summary(&whole), "limit {limit}");
        assert_eq!(paged_end, end);
    }
    // From any change's cursor, exactly the changes after it.
    let (rest, _) = read_all(&digital, &whole[2].cursor, 200).await;
    assert_eq!(summary(&rest), summary(&whole[3..]));
    // At the end: nothing, and the same place to come back to.
    let page = digital.consent_changes(&format!("after={end}")).await.ok();
    assert!(page.changes.is_empty() && page.caught_up);
    assert_eq!(page.next_cursor, end);
    // Another agency's cursor names a position, never another agency's changes.
    let transit = feed_reader(&app, TRANSIT).await;
    let (theirs, _) = read_all(&transit, &start, 200).await;
    assert!(theirs.is_empty(), "{theirs:?}");
}

async fn a_deleted_account_is_never_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let digital = feed_reader(&app, DIGITAL).await;
    let start = end_of_feed(&digital).await;
    let (ana, _) = enrolled_resident(&app, "ana@example.org", &[ACCOUNT]).await;
    choose(&app, &ana, ACCOUNT, NEWSLETTER, "withdraw").await;
    let deleted = app.as_user(&ana).delete_account(GOOD_PASSWORD).await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    let (changes, _) = read_all(&digital, &start, 50).await;
    assert_eq!(
        changes
            .iter()
            .map(|c| (c.kind.as_str(), c.subject.clone(), c.purpose.as_deref()))
            .collect::<Vec<_>>(),
        [
            ("consent_withdrawn", None, Some(NEWSLETTER)),
            ("enrollment_ended", None, None)
        ],
        "the deletion ends the enrollment; no change names the erased resident"
    );
    let raw = digital.consent_changes(&format!("after={start}")).await;
    assert!(!raw.body.contains("erased-"), "{}", raw.body);
}

async fn the_scope_is_checked_first_and_bad_cursors_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, _) = enrolled_resident(&app, "ana@example.org", &[ACCOUNT]).await;
    choose(&app, &ana, ACCOUNT, NEWSLETTER, "withdraw").await;
    let others: Vec<ApiScope> = ApiScope::ALL
        .iter()
        .copied()
        .filter(|s| *s != ApiScope::ConsentChanges)
        .collect();
    let without = app.as_agency(&bearer(&app, DIGITAL, &others).await);
    for query in ["", "after=0", "after=x&limit=0", "nonsense=1"] {
        let answer = without.consent_changes(query).await;
        assert_eq!(answer.status, 403, "{query}: {}", answer.body);
        assert_eq!(answer.error().error, "insufficient_scope");
        assert!(!answer.body.contains("next_cursor"), "no data: {}", answer.body);
        let stream = without.consent_change_stream(query, None).await;
        assert_eq!(stream.status().as_u16(), 403, "stream {query}");
    }
    assert_eq!(app.anonymous().consent_changes("").await.status, 401);

    let reader = feed_reader(&app, DIGITAL).await;
    for query in ["after=x", "after=-1", "after=1~2", "after=1234567890123456789"] {
        let answer = reader.consent_changes(query).await;
        assert_eq!(answer.status, 422, "{query}: {}", answer.body);
        let error = answer.error();
        assert_eq!(error.error, "invalid_input");
        assert!(
            error.message.contains("after must be a cursor"),
            "{}",
            error.message
        );
        let stream = reader.consent_change_stream(query, None).await;
        assert_eq!(stream.status().as_u16(), 422, "stream {query}");
    }
    let stream = reader.consent_change_stream("", Some("not-a-cursor")).await;
    assert_eq!(stream.status().as_u16(), 422, "a bad Last-Event-ID");
    for query in ["limit=0", "limit=201"] {
        let answer = reader.consent_changes(query).await;
        assert_eq!(answer.status, 422, "{query}: {}", answer.body);
    }
    assert_eq!(
        reader.consent_changes("cursor=1").await.status,
        400,
        "one name: after"
    );
    // A limit of 200 and a cursor far past the end are answered, cheaply, with nothing.
    let far = reader
        .consent_changes("after=999999999999999999&limit=200")
        .await
        .ok();
    assert!(far.changes.is_empty() && far.caught_up);
}

/// Reads the stream until its next event, for at most `wait`: the event's id and change.
async fn next_event(
    stream: &mut reqwest::Response,
    buffer: &mut String,
    wait: Duration,
) -> Option<(String, ConsentChangeRecord)> {
    let deadline = Instant::now() + wait;
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map(|v| v.trim_start().to_owned())
            };
            if let (Some(id), Some(data)) = (field("id:"), field("data:")) {
                return Some((id, serde_json::from_str(&data).unwrap()));
            }
        }
        let left = deadline.checked_duration_since(Instant::now())?;
        let chunk = tokio::time::timeout(left, stream.chunk()).await.ok()?.unwrap()?;
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

async fn the_stream_delivers_a_withdrawal_made_after_it_opened(backend: Backend) {
    let app = spawn_app(backend).await;
    let digital = feed_reader(&app, DIGITAL).await;
    let start = end_of_feed(&digital).await;
    let (ana, number) = enrolled_resident(&app, "ana@example.org", &[ACCOUNT]).await;
    choose(&app, &ana, ACCOUNT, NEWSLETTER, "grant").await;
    let mut stream = digital
        .consent_change_stream(&format!("after={start}"), None)
        .await;
    assert_eq!(stream.status().as_u16(), 200);
    let content_type = stream.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/event-stream"), "{content_type}");
    let mut buffer = String::new();
    let (first_id, first) = next_event(&mut stream, &mut buffer, Duration::from_secs(5))
        .await
        .expect("the grant made before the stream opened");
    assert_eq!(
        (first.kind.as_str(), first_id.as_str()),
        ("consent_granted", first.cursor.as_str())
    );

    // A withdrawal after the stream opened arrives within a few seconds.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let made = Instant::now();
    choose(&app, &ana, ACCOUNT, NEWSLETTER, "withdraw").await;
    let (id, withdrawn) = next_event(&mut stream, &mut buffer, Duration::from_secs(5))
        .await
        .expect("the withdrawal within five seconds");
    assert!(made.elapsed() < Duration::from_secs(5));
    assert_eq!(withdrawn.kind, "consent_withdrawn");
    assert_eq!(withdrawn.subject.as_deref(), Some(number.as_str()));
    assert_eq!(withdrawn.purpose.as_deref(), Some(NEWSLETTER));
    assert_eq!(id, withdrawn.cursor);
    // The same place by the JSON feed.
    let (changes, _) = read_all(&digital, &first_id, 50).await;
    assert_eq!(summary(&changes), summary(std::slice::from_ref(&withdrawn)));

    // Reconnecting with Last-Event-ID resumes after it: nothing repeats.
    let mut resumed = digital.consent_change_stream("after=0", Some(&first_id)).await;
    assert_eq!(resumed.status().as_u16(), 200);
    let mut buffer = String::new();
    let (again, _) = next_event(&mut resumed, &mut buffer, Duration::from_secs(5))
        .await
        .expect("the withdrawal again");
    assert_eq!(again, id);

    // A client holds a bounded number of streams; a closed one frees its place.
    let mut open = vec![stream, resumed];
    while open.len() < MAX_STREAMS_PER_CLIENT {
        let another = digital
            .consent_change_stream(&format!("after={start}"), None)
            .await;
        assert_eq!(another.status().as_u16(), 200);
        open.push(another);
    }
    let refused = digital.consent_change_stream("", None).await;
    assert_eq!(refused.status().as_u16(), 429);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "too_many_streams");
    drop(open);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let again = digital.consent_change_stream("", None).await;
        if again.status().as_u16() == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "closed streams never freed their places"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
