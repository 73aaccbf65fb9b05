//! Cursor paging of every list in the agency API, on SQLite and PostgreSQL: walking a list
//! page by page meets each item once, in the order of the whole list; a limit out of range
//! or a cursor of another shape is refused with a sentence; a cursor never reaches past the
//! caller's own rows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::client::{ApiClient, Filing, QueueQuery};
use common::{Backend, bearer, enrolled_resident, filed, officer, spawn_app, staff};
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
