//! Cursor paging of every list in the agency API, on SQLite and PostgreSQL: walking a list
//! page by page meets each item once, in the order of the whole list; a limit out of range
//! or a cursor of another shape is refused with a sentence; a cursor never reaches past the
//! caller's own rows. The residents' own lists (requests, consent history, notifications)
//! walk the same way, each only ever the resident's own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::client::{ApiClient, Filing, QueueQuery};
use common::{Backend, bearer, enrolled_resident, filed, officer, spawn_app, staff, unenrolled_resident};
use domain::account::ApiScope;
use domain::account::Role;
use domain::requests::QUEUE_PAGE_SIZE;
use serde::de::DeserializeOwned;
use server::api::ledger::CheckpointList;
use server::api::register::{ChangesDocument, RegisterDocument};
use server::api::requests::TaskList;

on_both_databases!(
    every_list_walks_page_by_page_to_the_whole_list,
    a_bad_limit_or_cursor_is_refused_with_a_sentence,
    a_cursor_does_not_reach_another_agencys_tasks,
    the_officers_queue_walks_by_cursor_open_requests_first,
    problem_reports_walk_by_cursor_newest_first,
    reviews_walk_by_cursor_newest_first,
    api_clients_walk_by_cursor_in_the_console,
    the_register_desk_reads_its_systems_from_the_cursor,
    a_residents_requests_walk_by_cursor_newest_first,
    consent_history_walks_by_cursor_newest_first,
    notifications_walk_by_cursor_merged_by_time,
);

const FARE_CARD: &str = "riverpass-fare-card";
const TRANSIT: &str = "riverton-transit";
const DIGITAL: &str = "riverton-digital-services";
const ACCOUNT: &str = "myriverton-account";
const NEWSLETTER: &str = "city-newsletter";

/// Every item of the list at `path` (a query string without `limit`/`cursor` may follow),
/// read `limit` at a time through `next_cursor`, with the number of pages it took. `items`
/// names a page's items and gives its `next_cursor`.
async fn walk<T: DeserializeOwned>(
    client: &ApiClient,
    path: &str,
    limit: u32,
    items: impl Fn(&T) -> (Vec<String>, Option<String>),
) -> (Vec<String>, usize) {
    let join = if path.contains('?') { '&' } else { '?' };
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    for pages in 1..=500 {
        let url = match &cursor {
            None => format!("{path}{join}limit={limit}"),
            Some(c) => format!("{path}{join}limit={limit}&cursor={c}"),
        };
        let page: T = client.api_get(&url).await.ok();
        let (found, next) = items(&page);
        assert!(found.len() <= limit as usize, "a page holds at most its limit");
        all.extend(found);
        match next {
            Some(next) => cursor = Some(next),
            None => return (all, pages),
        }
    }
    panic!("{path}: no last page after 500");
}

/// The whole list in one page, which must be the last.
async fn whole<T: DeserializeOwned>(
    client: &ApiClient,
    path: &str,
    items: impl Fn(&T) -> (Vec<String>, Option<String>),
) -> Vec<String> {
    let (all, pages) = walk(client, path, 200, items).await;
    assert_eq!(pages, 1, "{path}: the test's lists fit in one page of 200");
    all
}

fn tasks(page: &TaskList) -> (Vec<String>, Option<String>) {
    (
        page.tasks.iter().map(|t| t.id.clone()).collect(),
        page.next_cursor.clone(),
    )
}

fn checkpoints(page: &CheckpointList) -> (Vec<String>, Option<String>) {
    (
        page.checkpoints.iter().map(|c| c.tree_size.to_string()).collect(),
        page.next_cursor.clone(),
    )
}

fn systems(page: &RegisterDocument) -> (Vec<String>, Option<String>) {
    (
        page.systems.iter().map(|s| s.slug.clone()).collect(),
        page.next_cursor.clone(),
    )
}

/// A change and a review milestone are both items of the feed's pages.
fn changes(page: &ChangesDocument) -> (Vec<String>, Option<String>) {
    let mut items: Vec<String> = page
        .changes
        .iter()
        .map(|c| format!("change {} {}", c.system_slug, c.version))
        .collect();
    items.extend(
        page.reviews
            .iter()
            .map(|r| format!("review {} {:?} {}", r.review_id, r.stage, r.at)),
    );
    (items, page.next_cursor.clone())
}

/// Only the changes of a page (a page's milestones come beside them, not among them).
fn changes_only(page: &ChangesDocument) -> (Vec<String>, Option<String>) {
    let (mut items, next) = changes(page);
    items.retain(|i| i.starts_with("change "));
    (items, next)
}

async fn every_list_walks_page_by_page_to_the_whole_list(backend: Backend) {
    let app = spawn_app(backend).await;
    // Five open tasks for the transit agency, from two residents.
    for (email, filings) in [("ana@example.org", 3), ("ben@example.org", 2)] {
        let (session, _) = enrolled_resident(&app, email, &[FARE_CARD, ACCOUNT]).await;
        for _ in 0..filings {
            filed(&app, &session, &Filing::new("access").systems(&[FARE_CARD])).await;
        }
    }
    let transit = app.as_agency(&bearer(&app, TRANSIT, &[ApiScope::RequestsWork]).await);
    let all = whole(&transit, "/api/v1/privacy-requests/tasks", tasks).await;
    assert_eq!(all.len(), 5);
    let (paged, pages) = walk(&transit, "/api/v1/privacy-requests/tasks", 2, tasks).await;
    assert_eq!(paged, all, "pages of two meet every task once, in order");
    assert_eq!(pages, 3);
    let (paged, _) = walk(&transit, "/api/v1/privacy-requests/tasks?status=all", 1, tasks).await;
    assert_eq!(paged, all, "the filter holds across pages");

    // Three checkpoints: each made after more entries.
    let (_, number) = enrolled_resident(&app, "cy@example.org", &[ACCOUNT]).await;
    let digital = app.as_agency(&bearer(&app, DIGITAL, &[ApiScope::ConsentCheck]).await);
    let public = app.anonymous();
    for _ in 0..3 {
        digital.decide(&number, ACCOUNT, NEWSLETTER).await;
        public.ledger_checkpoint().await.ok();
    }
    let all = whole(&public, "/api/v1/ledger/checkpoints", checkpoints).await;
    assert!(all.len() >= 3, "{all:?}");
    let sizes: Vec<u64> = all.iter().map(|s| s.parse().unwrap()).collect();
    assert!(sizes.windows(2).all(|w| w[0] < w[1]), "oldest first: {sizes:?}");
    let (paged, pages) = walk(&public, "/api/v1/ledger/checkpoints", 1, checkpoints).await;
    assert_eq!(paged, all);
    assert_eq!(pages, all.len());

    // The register, by slug, in any language.
    let all = whole(&public, "/api/v1/register/systems?lang=es", systems).await;
    assert!(all.len() > 5, "{all:?}");
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted, "by slug");
    let (paged, pages) = walk(&public, "/api/v1/register/systems?lang=es", 4, systems).await;
    assert_eq!(paged, all);
    assert_eq!(pages, all.len().div_ceil(4));

    // The change feed: the changes in order, and each review milestone on exactly one page.
    let all = whole(&public, "/api/v1/register/changes", changes).await;
    let all_changes = whole(&public, "/api/v1/register/changes", changes_only).await;
    assert!(all_changes.len() > 5, "{all_changes:?}");
    for limit in [1, 3, 7] {
        let (paged, _) = walk(&public, "/api/v1/register/changes", limit, changes_only).await;
        assert_eq!(
            paged, all_changes,
            "pages of {limit}: every change once, in order"
        );
        let (mut paged, _) = walk(&public, "/api/v1/register/changes", limit, changes).await;
        let mut expected = all.clone();
        paged.sort();
        expected.sort();
        assert_eq!(paged, expected, "pages of {limit}: every milestone once");
    }
}

async fn a_bad_limit_or_cursor_is_refused_with_a_sentence(backend: Backend) {
    let app = spawn_app(backend).await;
    let transit = app.as_agency(&bearer(&app, TRANSIT, &[ApiScope::RequestsWork]).await);
    let public = app.anonymous();
    let lists = [
        (&transit, "/api/v1/privacy-requests/tasks", "2026-01-01"),
        (&public, "/api/v1/ledger/checkpoints", "twelve"),
        (&public, "/api/v1/register/systems", "a~b"),
        (&public, "/api/v1/register/changes", "12~cctv"),
    ];
    for (client, path, misshapen) in lists {
        for query in [
            "limit=0".to_owned(),
            "limit=201".to_owned(),
            format!("cursor={misshapen}"),
            "cursor=".to_owned(),
            "cursor=%20".to_owned(),
        ] {
            let answer = client
                .api_get::<serde_json::Value>(&format!("{path}?{query}"))
                .await;
            assert_eq!(answer.status, 422, "{path}?{query}: {}", answer.body);
            let refusal = answer.error();
            assert_eq!(refusal.error, "invalid_input");
            assert!(
                refusal.message.contains("limit") || refusal.message.contains("cursor"),
                "{}",
                refusal.message
            );
        }
        let answer = client
            .api_get::<serde_json::Value>(&format!("{path}?limit=ten"))
            .await;
        assert_eq!(answer.status, 400, "a limit that is not a number does not parse");
    }
    // A well-shaped cursor no page gave out is still a position: the rows after it.
    let page: RegisterDocument = public.api_get("/api/v1/register/systems?cursor=m").await.ok();
    assert!(page.systems.iter().all(|s| s.slug.as_str() > "m"));
    assert!(!page.systems.is_empty());
}

async fn a_cursor_does_not_reach_another_agencys_tasks(backend: Backend) {
    let app = spawn_app(backend).await;
    let (session, _) = enrolled_resident(&app, "ana@example.org", &[FARE_CARD, ACCOUNT]).await;
    for _ in 0..3 {
        filed(
            &app,
            &session,
            &Filing::new("access").systems(&[FARE_CARD, ACCOUNT]),
        )
        .await;
    }
    let transit = app.as_agency(&bearer(&app, TRANSIT, &[ApiScope::RequestsWork]).await);
    let digital = app.as_agency(&bearer(&app, DIGITAL, &[ApiScope::RequestsWork]).await);
    let theirs = whole(&transit, "/api/v1/privacy-requests/tasks", tasks).await;
    let mine = whole(&digital, "/api/v1/privacy-requests/tasks", tasks).await;
    assert_eq!((theirs.len(), mine.len()), (3, 3));
    // The transit agency's first-page cursor, used by the digital agency, reads only the
    // digital agency's tasks after that position.
    let first: TaskList = transit
        .api_get("/api/v1/privacy-requests/tasks?limit=1")
        .await
        .ok();
    let cursor = first.next_cursor.unwrap();
    let page: TaskList = digital
        .api_get(&format!("/api/v1/privacy-requests/tasks?cursor={cursor}"))
        .await
        .ok();
    assert!(page.tasks.iter().all(|t| mine.contains(&t.id)), "{page:?}");
    assert!(page.tasks.iter().all(|t| !theirs.contains(&t.id)));
}

async fn the_officers_queue_walks_by_cursor_open_requests_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut filed_ids = Vec::new();
    let mut withdrawn = Vec::new();
    for email in ["ana@example.org", "ben@example.org", "cy@example.org"] {
        let (session, _) = enrolled_resident(&app, email, &[FARE_CARD, ACCOUNT]).await;
        for i in 0..9 {
            let id = filed(&app, &session, &Filing::new("access").systems(&[FARE_CARD])).await;
            if i == 0 {
                // A closed request goes after every open one.
                let answer = app.as_user(&session).withdraw_request(&id).await;
                assert_eq!(answer.status, 200, "{}", answer.body);
                withdrawn.push(id.clone());
            }
            filed_ids.push(id);
        }
    }
    assert!(filed_ids.len() > QUEUE_PAGE_SIZE as usize);
    let session = officer(&app, "officer@example.org", "Olga Officer").await;
    let console = app.as_user(&session);
    let first = console.queue(&QueueQuery::default()).await.ok();
    assert_eq!(first.rows.len(), QUEUE_PAGE_SIZE as usize);
    assert!(!first.later);
    let mut seen: Vec<String> = first.rows.iter().map(|r| r.summary.id.clone()).collect();
    let mut cursor = first.next_cursor.clone();
    while let Some(c) = cursor {
        let query = QueueQuery {
            cursor: Some(&c),
            ..QueueQuery::default()
        };
        let page = console.queue(&query).await.ok();
        assert!(page.later);
        seen.extend(page.rows.iter().map(|r| r.summary.id.clone()));
        cursor = page.next_cursor;
    }
    let mut sorted_seen = seen.clone();
    sorted_seen.sort();
    sorted_seen.dedup();
    let mut expected = filed_ids.clone();
    expected.sort();
    assert_eq!(sorted_seen, expected, "every request once");
    assert_eq!(seen.len(), filed_ids.len(), "no request twice");
    let tail: Vec<&String> = seen.iter().rev().take(withdrawn.len()).collect();
    assert!(
        withdrawn.iter().all(|w| tail.contains(&w)),
        "closed requests come last"
    );
    // A filter holds across pages: only the open ones, still by cursor.
    let open = QueueQuery {
        status: Some("received"),
        ..QueueQuery::default()
    };
    let page = console.queue(&open).await.ok();
    assert!(page.rows.iter().all(|r| !withdrawn.contains(&r.summary.id)));
    // A misshapen cursor is refused, not read as the first page.
    let bad = QueueQuery {
        cursor: Some("page-2"),
        ..QueueQuery::default()
    };
    assert_eq!(console.queue(&bad).await.status, 422);
    // Without JavaScript the page links to the next page by its cursor, and back to the first.
    let (status, html) = app.get_as("/admin/requests", &session).await;
    assert_eq!(status, 200);
    let next = first.next_cursor.unwrap();
    assert!(
        html.contains(&format!("cursor={next}")),
        "a link to the next page"
    );
    let (_, later) = app
        .get_as(&format!("/admin/requests?cursor={next}"), &session)
        .await;
    assert!(
        later.contains("href=\"/admin/requests?\""),
        "a link back to the first page"
    );
}

async fn problem_reports_walk_by_cursor_newest_first(backend: Backend) {
    let app = spawn_app(backend).await;
    // More reports than a page, several filed in the same second (the id breaks the tie).
    let mut expected = Vec::new();
    for n in 0..(domain::register::PROBLEM_REPORTS_PAGE_SIZE + 13) {
        let id = format!("report-{n:03}");
        let created = 1_790_000_000 + i64::from(n / 4);
        sqlx::query("INSERT INTO register_reports (id, body, created_at) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(format!("Problem {n}."))
            .bind(created)
            .execute(&app.state.pool)
            .await
            .unwrap();
        expected.push((created, id));
    }
    expected.sort_by(|a, b| b.cmp(a));
    let expected: Vec<String> = expected.into_iter().map(|(_, id)| id).collect();
    let public = app.anonymous();
    let first = public.register_reports().await.ok();
    assert!(!first.later);
    let mut seen: Vec<String> = first.reports.iter().map(|r| r.id.clone()).collect();
    assert_eq!(seen.len(), domain::register::PROBLEM_REPORTS_PAGE_SIZE as usize);
    let mut cursor = first.next_cursor.clone();
    while let Some(c) = cursor {
        let page = public.register_reports_after(&c).await.ok();
        assert!(page.later);
        seen.extend(page.reports.iter().map(|r| r.id.clone()));
        cursor = page.next_cursor;
    }
    assert_eq!(seen, expected, "every report once, newest first");
    assert_eq!(public.register_reports_after("a~b").await.status, 422);
    // Without JavaScript: a link to the older reports, and from there back to the newest.
    let next = first.next_cursor.unwrap();
    let (_, html) = app.get("/register/reports").await;
    assert!(
        html.contains(&format!("/register/reports?cursor={next}#reports")),
        "older link"
    );
    let (status, html) = app.get(&format!("/register/reports?cursor={next}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("href=\"/register/reports#reports\""),
        "back to the newest"
    );
    assert!(html.contains(&expected[expected.len() - 1]));
}

async fn reviews_walk_by_cursor_newest_first(backend: Backend) {
    let app = spawn_app(backend).await;
    // More public reviews than a page, some created in the same second, and one draft the
    // public must not see on any page.
    let system = store::register::system(
        &app.state.pool,
        &domain::register::Slug::parse(FARE_CARD).unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    let proposal = serde_json::to_string(&domain::register::SystemRecord::of(&system)).unwrap();
    for n in 0..(domain::register::REVIEWS_PAGE_SIZE + 7) {
        let stage = if n == 3 { "draft" } else { "comment" };
        sqlx::query(
            "INSERT INTO system_reviews (id, system_slug, stage, reasons, proposal, report, comment_days, \
             proposed_by, created_at, updated_at) VALUES ($1, $2, $3, '[]', $4, '{}', 45, 'test', $5, $5)",
        )
        .bind(format!("copy-{n:03}"))
        .bind(FARE_CARD)
        .bind(stage)
        .bind(&proposal)
        .bind(1_790_000_000 + i64::from(n / 3))
        .execute(&app.state.pool)
        .await
        .unwrap();
    }
    let (public_count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM system_reviews WHERE stage <> 'draft'")
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    let public = app.anonymous();
    let first = public.review_page(None).await.ok();
    assert!(!first.later);
    assert_eq!(first.reviews.len(), domain::register::REVIEWS_PAGE_SIZE as usize);
    let mut seen: Vec<String> = first.reviews.iter().map(|r| r.id.clone()).collect();
    let mut cursor = first.next_cursor.clone();
    while let Some(c) = cursor {
        let page = public.review_page(Some(&c)).await.ok();
        assert!(page.later);
        seen.extend(page.reviews.iter().map(|r| r.id.clone()));
        cursor = page.next_cursor;
    }
    assert_eq!(seen.len() as i64, public_count, "every public review once");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len());
    assert!(!seen.contains(&"copy-003".to_owned()), "no draft for the public");
    let copies: Vec<&String> = seen.iter().filter(|id| id.starts_with("copy-")).collect();
    let mut newest_first = copies.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(copies, newest_first, "newest first, the id breaking ties");
    assert_eq!(public.review_page(Some("1~a~b")).await.status, 422);
    let next = first.next_cursor.unwrap();
    let (_, html) = app.get("/reviews").await;
    assert!(
        html.contains(&format!("/reviews?cursor={next}")),
        "a link to older reviews"
    );
}

async fn api_clients_walk_by_cursor_in_the_console(backend: Backend) {
    let app = spawn_app(backend).await;
    // More clients than a page, over two agencies, several created in the same second.
    for n in 0..(domain::account::CLIENTS_PAGE_SIZE + 9) {
        let agency = if n % 2 == 0 { TRANSIT } else { DIGITAL };
        sqlx::query(
            "INSERT INTO api_clients (id, client_id, secret_hash, agency_id, scopes, created_at) \
             SELECT $1, $2, 'not-a-hash', id, 'consent:check', $3 FROM agencies WHERE slug = $4",
        )
        .bind(format!("row-{n:03}"))
        .bind(format!("client-{n:03}"))
        .bind(1_790_000_000 + i64::from(n / 4))
        .bind(agency)
        .execute(&app.state.pool)
        .await
        .unwrap();
    }
    let expected: Vec<String> = store::accounts::clients(&app.state.pool)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.client_id)
        .collect();
    let session = staff(&app, "admin@example.org", "Ada Admin", Role::Admin).await;
    let admin = app.as_user(&session);
    let first = admin.clients_desk().await.ok();
    assert!(!first.later);
    assert_eq!(first.clients.len(), domain::account::CLIENTS_PAGE_SIZE as usize);
    let mut seen: Vec<String> = first.clients.iter().map(|c| c.client_id.clone()).collect();
    let mut cursor = first.next_cursor.clone();
    while let Some(c) = cursor {
        let page = admin.clients_desk_after(&c).await.ok();
        assert!(page.later);
        seen.extend(page.clients.iter().map(|c| c.client_id.clone()));
        cursor = page.next_cursor;
    }
    assert_eq!(seen, expected, "every client once, by agency, newest first");
    assert_eq!(admin.clients_desk_after("x").await.status, 422);
    let next = first.next_cursor.unwrap();
    let (status, html) = app.get_as("/admin/clients", &session).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("/admin/clients?cursor={next}#clients")),
        "a link to the next page"
    );
    // Officers do not reach it by cursor either.
    let officer = app.as_user(&officer(&app, "o@example.org", "Olga Officer").await);
    assert_eq!(officer.clients_desk_after(&next).await.status, 403);
}

async fn the_register_desk_reads_its_systems_from_the_cursor(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = staff(&app, "admin@example.org", "Ada Admin", Role::Admin).await;
    let (status, whole) = app.get_as("/admin/register", &session).await;
    assert_eq!(status, 200);
    assert!(whole.contains("data-system=\"central-station-cctv\""));
    assert!(whole.contains("data-system=\"riverpass-fare-card\""));
    assert!(
        !whole.contains("/admin/register?cursor="),
        "the test city fits in one page"
    );
    let (status, later) = app.get_as("/admin/register?cursor=m", &session).await;
    assert_eq!(status, 200);
    assert!(
        later.contains("data-system=\"riverpass-fare-card\""),
        "systems after the cursor"
    );
    assert!(
        !later.contains("data-system=\"central-station-cctv\""),
        "none before it"
    );
    assert!(
        later.contains("href=\"/admin/register#systems\""),
        "a link back to the first page"
    );
}

// --- The residents' own lists: their requests, consent history and notifications ---

/// The id of the account signed up with `email`.
async fn user_id(app: &common::TestApp, email: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    id
}

/// Stores a request of `user` created at `at_us` (no quota, no tasks: only the list reads it).
async fn stored_request(app: &common::TestApp, user: &str, id: &str, at_us: i64) {
    sqlx::query(concat!(
        "INSERT INTO privacy_requests (id, user_id, kind, status, channel, details, policy, ",
        "received_on, due_on, created_at_us, updated_at_us) ",
        "VALUES ($1, $2, 'access', 'received', 'web', '', 'gdpr', '2026-11-20', '2026-12-20', $3, $3)"
    ))
    .bind(id)
    .bind(user)
    .bind(at_us)
    .execute(&app.state.pool)
    .await
    .unwrap();
}

/// `rows` newest first, the id breaking ties: a list's order.
fn newest_first(mut rows: Vec<(i64, String)>) -> Vec<String> {
    rows.sort_by(|a, b| b.cmp(a));
    rows.into_iter().map(|(_, id)| id).collect()
}

/// Walks a resident's list through the store, `limit` at a time, from `first`.
async fn walk_store<T, F, Fut>(limit: u32, first: Option<domain::paging::Cursor>, read: F) -> Vec<T>
where
    F: Fn(Option<domain::paging::Cursor>) -> Fut,
    Fut: std::future::Future<Output = domain::paging::Page<T>>,
{
    let (mut all, mut cursor) = (Vec::new(), first);
    for _ in 0..500 {
        let page = read(cursor.clone()).await;
        assert!(
            page.items.len() <= limit as usize,
            "a page holds at most its limit"
        );
        all.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return all,
        }
    }
    panic!("no last page after 500");
}

async fn a_residents_requests_walk_by_cursor_newest_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, _) = unenrolled_resident(&app, "ana@example.org").await;
    let (ben, _) = unenrolled_resident(&app, "ben@example.org").await;
    let (ana_id, ben_id) = (
        user_id(&app, "ana@example.org").await,
        user_id(&app, "ben@example.org").await,
    );
    // More than a page, three at a time in the same microsecond (the id breaks the tie);
    // Ben's in between, at the same times.
    let size = domain::paging::RESIDENT_PAGE_SIZE;
    let (mut anas, mut bens) = (Vec::new(), Vec::new());
    for n in 0..(size + 7) {
        let at = 1_790_000_000_000_000 + i64::from(n / 3);
        let id = format!("req-a-{n:03}");
        stored_request(&app, &ana_id, &id, at).await;
        anas.push((at, id));
        if n % 5 == 0 {
            let id = format!("req-b-{n:03}");
            stored_request(&app, &ben_id, &id, at).await;
            bens.push((at, id));
        }
    }
    let (anas, bens) = (newest_first(anas), newest_first(bens));
    // Through the store, a few at a time: every request once, newest first.
    let today = store::requests::today();
    let pool = &app.state.pool;
    let user = ana_id.as_str();
    for limit in [1, 4, 7] {
        let read = |after: Option<domain::paging::Cursor>| async move {
            store::requests::mine_page(pool, user, today, limit, after.as_ref())
                .await
                .unwrap()
        };
        let seen: Vec<String> = walk_store(limit, None, read)
            .await
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(seen, anas, "limit {limit}");
    }
    // Through the server function, a page of `RESIDENT_PAGE_SIZE` at a time.
    let me = app.as_user(&ana);
    let first = me.my_requests().await.ok();
    assert!(!first.later);
    assert_eq!(first.items.len(), size as usize);
    let mut seen: Vec<String> = first.items.iter().map(|r| r.id.clone()).collect();
    let mut cursor = first.next_cursor.clone();
    while let Some(c) = cursor {
        let page = me.my_requests_after(&c).await.ok();
        assert!(page.later);
        seen.extend(page.items.iter().map(|r| r.id.clone()));
        cursor = page.next_cursor;
    }
    assert_eq!(seen, anas, "every request once, newest first");
    // Ana's cursor shows Ben only his own requests after it.
    let next = first.next_cursor.unwrap();
    let theirs = app.as_user(&ben).my_requests_after(&next).await.ok();
    let older: Vec<String> = theirs.items.iter().map(|r| r.id.clone()).collect();
    assert!(
        !older.is_empty() && older.iter().all(|id| bens.contains(id)),
        "{older:?}"
    );
    assert_eq!(
        older,
        bens[bens.len() - older.len()..],
        "his, after the cursor's place"
    );
    // A cursor of another shape is refused with a sentence, on the page too.
    let bad = me.my_requests_after("page-2").await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(bad.error(), app::error::AppError::BadCursor);
    let (status, html) = app.get_as("/my/requests?cursor=page-2", &ana).await;
    assert_eq!(status, 422);
    assert!(html.contains("This page link is out of date"), "{html}");
    assert!(
        html.contains("href=\"/my/requests\""),
        "the way back to the first page"
    );
    // Without JavaScript: a link to the next page, and from there back to the first.
    let (status, html) = app.get_as("/my/requests", &ana).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("href=\"/my/requests?cursor={next}\"")),
        "next link"
    );
    let (status, html) = app.get_as(&format!("/my/requests?cursor={next}"), &ana).await;
    assert_eq!(status, 200);
    assert!(html.contains(&anas[size as usize]));
    assert!(html.contains("href=\"/my/requests\""), "back to the first page");
    // A later page that came out empty keeps its way back.
    let (status, html) = app.get_as("/my/requests?cursor=1~a", &ana).await;
    assert_eq!(status, 200);
    assert!(html.contains("Nothing more here"), "{html}");
    assert!(html.contains("href=\"/my/requests\""));
}

/// Stores a consent event of `user` for the newsletter at `at_us` (a test's row: no ledger
/// leaf, which the history only links when there is one).
async fn stored_consent_event(app: &common::TestApp, user: &str, id: &str, at_us: i64) {
    sqlx::query(concat!(
        "INSERT INTO consent_events (id, user_id, purpose_id, notice_version, action, channel, at_us) ",
        "SELECT $1, $2, p.id, p.notice_version, 'grant', 'web', $3 FROM purposes p ",
        "JOIN systems s ON s.id = p.system_id WHERE s.slug = $4 AND p.key = $5"
    ))
    .bind(id)
    .bind(user)
    .bind(at_us)
    .bind(ACCOUNT)
    .bind(NEWSLETTER)
    .execute(&app.state.pool)
    .await
    .unwrap();
}

async fn consent_history_walks_by_cursor_newest_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, _) = unenrolled_resident(&app, "ana@example.org").await;
    let (ben, _) = unenrolled_resident(&app, "ben@example.org").await;
    let (ana_id, ben_id) = (
        user_id(&app, "ana@example.org").await,
        user_id(&app, "ben@example.org").await,
    );
    let size = domain::paging::RESIDENT_PAGE_SIZE;
    let (mut anas, mut bens) = (Vec::new(), Vec::new());
    for n in 0..(size + 4) {
        let at = 1_790_000_000_000_000 + i64::from(n / 2);
        let id = format!("ev-a-{n:03}");
        stored_consent_event(&app, &ana_id, &id, at).await;
        anas.push((at, id));
        if n % 4 == 0 {
            let id = format!("ev-b-{n:03}");
            stored_consent_event(&app, &ben_id, &id, at).await;
            bens.push((at, id));
        }
    }
    let (anas, bens) = (newest_first(anas), newest_first(bens));
    let pool = &app.state.pool;
    let user = ana_id.as_str();
    for limit in [1, 3, 10] {
        let read = |after: Option<domain::paging::Cursor>| async move {
            let lang = domain::lang::Lang::En;
            store::consent::history_page(pool, user, lang, limit, after.as_ref())
                .await
                .unwrap()
        };
        let seen: Vec<String> = walk_store(limit, None, read)
            .await
            .into_iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(seen, anas, "limit {limit}");
    }
    let me = app.as_user(&ana);
    let first = me.consent_history().await.ok();
    assert!(!first.later);
    assert_eq!(first.items.len(), size as usize);
    let mut seen: Vec<String> = first.items.iter().map(|e| e.id.clone()).collect();
    let mut cursor = first.next_cursor.clone();
    while let Some(c) = cursor {
        let page = me.consent_history_after(&c).await.ok();
        assert!(page.later);
        seen.extend(page.items.iter().map(|e| e.id.clone()));
        cursor = page.next_cursor;
    }
    assert_eq!(seen, anas, "every event once, newest first");
    // Ana's cursor shows Ben only his own events; a receipt id in it reveals nothing.
    let next = first.next_cursor.unwrap();
    let theirs = app.as_user(&ben).consent_history_after(&next).await.ok();
    assert!(theirs.items.iter().all(|e| bens.contains(&e.id)));
    let forged = format!("{}~{}", i64::MAX / 10, anas[0]);
    let all_his = app.as_user(&ben).consent_history_after(&forged).await.ok();
    let ids: Vec<String> = all_his.items.iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids, bens, "from a place after every event: all his, none of hers");
    let bad = me.consent_history_after("1~a~b").await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let (status, html) = app.get_as("/my/consents/history?cursor=%20", &ana).await;
    assert_eq!(status, 422);
    assert!(html.contains("href=\"/my/consents/history\""));
    let (_, html) = app.get_as("/my/consents/history", &ana).await;
    assert!(html.contains(&format!("href=\"/my/consents/history?cursor={next}\"")));
    let (_, html) = app
        .get_as(&format!("/my/consents/history?cursor={next}"), &ana)
        .await;
    assert!(html.contains(&format!("/my/consents/{}", anas[size as usize])));
    assert!(
        html.contains("href=\"/my/consents/history\""),
        "back to the first page"
    );
}

async fn notifications_walk_by_cursor_merged_by_time(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, _) = unenrolled_resident(&app, "ana@example.org").await;
    let (ben, _) = unenrolled_resident(&app, "ben@example.org").await;
    let (ana_id, ben_id) = (
        user_id(&app, "ana@example.org").await,
        user_id(&app, "ben@example.org").await,
    );
    let pool = &app.state.pool;
    stored_request(&app, &ana_id, "req-ana", 1).await;
    stored_request(&app, &ben_id, "req-ben", 1).await;
    let (system_id, version): (String, i64) = sqlx::query_as(
        "SELECT s.id, v.version FROM systems s JOIN system_versions v ON v.system_id = s.id WHERE s.slug = $1",
    )
    .bind(FARE_CARD)
    .fetch_one(pool)
    .await
    .unwrap();
    // Both lists, several at each instant, some instants shared by both: at the same
    // instant a request's notification comes first, then ids descending.
    let size = domain::paging::RESIDENT_PAGE_SIZE;
    let mut expected: Vec<(i64, i64, String)> = Vec::new();
    let mut bens = Vec::new();
    for n in 0..(size + 9) {
        let at = 1_790_000_000_000_000 + i64::from(n / 4);
        let (user, request, who) = if n % 6 == 1 {
            (&ben_id, "req-ben", "b")
        } else {
            (&ana_id, "req-ana", "a")
        };
        let id = format!("{who}-{n:03}");
        if n % 3 == 0 {
            sqlx::query(
                "INSERT INTO register_notifications (id, user_id, system_id, version, at_us) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&id)
            .bind(user)
            .bind(&system_id)
            .bind(version)
            .bind(at)
            .execute(pool)
            .await
            .unwrap();
        } else {
            sqlx::query(
                "INSERT INTO notifications (id, user_id, request_id, at_us, kind) VALUES ($1, $2, $3, $4, 'message')",
            )
            .bind(&id)
            .bind(user)
            .bind(request)
            .bind(at)
            .execute(pool)
            .await
            .unwrap();
        }
        let rank = i64::from(n % 3 != 0);
        if who == "a" {
            expected.push((at, rank, id));
        } else {
            bens.push(id);
        }
    }
    expected.sort_by(|a, b| b.cmp(a));
    let expected: Vec<String> = expected.into_iter().map(|(_, _, id)| id).collect();
    let id_of = |n: &domain::requests::Notice| match n {
        domain::requests::Notice::Request(n) => n.id.clone(),
        domain::requests::Notice::Register(n) => n.id.clone(),
    };
    let user = ana_id.as_str();
    for limit in [1, 2, 5, 11] {
        let read = |after: Option<domain::paging::Cursor>| async move {
            let lang = domain::lang::Lang::En;
            store::requests::notices_page(pool, user, lang, limit, after.as_ref())
                .await
                .unwrap()
        };
        let seen: Vec<String> = walk_store(limit, None, read).await.iter().map(id_of).collect();
        assert_eq!(seen, expected, "limit {limit}");
    }
    let me = app.as_user(&ana);
    let first = me.notifications().await.ok();
    assert!(!first.notices.later);
    assert_eq!(first.notices.items.len(), size as usize);
    assert_eq!(
        first.unread,
        expected.len() as i64,
        "every unread one counts, on any page"
    );
    let mut seen: Vec<String> = first.notices.items.iter().map(id_of).collect();
    let mut cursor = first.notices.next_cursor.clone();
    while let Some(c) = cursor {
        let page = me.notifications_after(&c).await.ok();
        assert!(page.notices.later);
        seen.extend(page.notices.items.iter().map(id_of));
        cursor = page.notices.next_cursor;
    }
    assert_eq!(seen, expected, "every notification once, newest first");
    // Ana's cursor shows Ben only his own.
    let next = first.notices.next_cursor.unwrap();
    let theirs = app.as_user(&ben).notifications_after(&next).await.ok();
    assert!(!theirs.notices.items.is_empty());
    assert!(theirs.notices.items.iter().all(|n| bens.contains(&id_of(n))));
    assert_eq!(me.notifications_after("1~a").await.status, 422);
    // Without JavaScript: the next page by its cursor, back to the first, and marking one
    // read on a later page comes back to that page.
    let (_, html) = app.get_as("/my/notifications", &ana).await;
    assert!(
        html.contains(&format!("href=\"/my/notifications?cursor={next}\"")),
        "next link"
    );
    let (status, html) = app
        .get_as(&format!("/my/notifications?cursor={next}"), &ana)
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("href=\"/my/notifications\""),
        "back to the first page"
    );
    let later_one = &expected[size as usize];
    assert!(
        html.contains(&format!("value=\"{later_one}\"")),
        "its mark-read form"
    );
    let marked = me.mark_notification_read_on_page(later_one, &next).await;
    assert!((300..400).contains(&marked.status), "{}", marked.status);
    assert_eq!(
        marked.header("location"),
        Some(format!("/my/notifications?cursor={next}").as_str())
    );
    assert_eq!(me.notifications().await.ok().unread, expected.len() as i64 - 1);
    // A cursor of another shape never reaches the address the mark form goes back to.
    let marked = me
        .mark_notification_read_on_page(&expected[0], "x\r\nSet-Cookie: a=b")
        .await;
    assert_eq!(marked.header("location"), Some("/my/notifications"));
    // Ben cannot mark Ana's notification read.
    app.as_user(&ben)
        .mark_notifications_read(Some(&expected[1]))
        .await
        .ok();
    assert_eq!(me.notifications().await.ok().unread, expected.len() as i64 - 2);
}
