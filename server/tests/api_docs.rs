//! The agency API's description: an OpenAPI 3.1 document generated from the routes, and a
//! reference page for agency developers built from it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::client::ApiError;
use common::{Backend, spawn_app};

on_both_databases!(every_api_route_is_in_the_document_and_answers);

/// Every route the API serves (method and path template).
const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/v1/consent/check"),
    ("post", "/api/v1/subjects/query"),
    ("post", "/api/v1/enrollments/codes"),
    ("get", "/api/v1/enrollments/codes/{code}"),
    (
        "delete",
        "/api/v1/subjects/{resident_number}/enrollments/{system}",
    ),
    ("post", "/api/v1/oauth/token"),
    ("get", "/api/v1/whoami"),
    ("get", "/api/v1/register/systems"),
    ("get", "/api/v1/register/systems.csv"),
    ("get", "/api/v1/register/export"),
    ("get", "/api/v1/register/changes"),
    ("get", "/api/v1/privacy-requests/tasks"),
    ("post", "/api/v1/privacy-requests/tasks/{id}/complete"),
    ("get", "/api/v1/status"),
    ("get", "/api/v1/openapi.json"),
    ("get", "/api/v1/ledger/checkpoint"),
    ("get", "/api/v1/ledger/checkpoints"),
    ("get", "/api/v1/ledger/proof/inclusion"),
    ("get", "/api/v1/ledger/proof/consistency"),
];

async fn every_api_route_is_in_the_document_and_answers(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = app.anonymous();
    let doc = api.openapi().await.ok();
    assert!(doc.openapi.starts_with("3.1"), "{}", doc.openapi);
    let documented = doc.operations();
    for (method, path) in ROUTES {
        assert!(
            documented.contains(&((*method).to_owned(), (*path).to_owned())),
            "{method} {path} is not in the document"
        );
    }
    assert_eq!(documented.len(), ROUTES.len(), "documented: {documented:?}");
    // Each documented operation exists on the server: never 404 for the route or 405.
    for (method, path) in &documented {
        let route = path
            .replace("{resident_number}", "GH-2222-2222")
            .replace("{system}", "myriverton-account")
            .replace("{id}", "no-such-task")
            .replace("{code}", "0000-0000-0000");
        let method: reqwest::Method = method.to_uppercase().parse().unwrap();
        let response = api.api_route(method.clone(), &route).await;
        let status = response.status;
        assert!(status != 405, "{method} {path}: {status}");
        if status == 404 {
            // Only a JSON "not found" of the resource itself is acceptable, never a missing route.
            let body: Option<ApiError> = serde_json::from_str(&response.body).ok();
            assert_eq!(
                body.map(|e| e.error).as_deref(),
                Some("not_found"),
                "{method} {path} is not routed"
            );
        }
    }
    // Protected routes name their scope; the security scheme is the token endpoint.
    let check = doc.operation("post", "/api/v1/consent/check");
    assert_eq!(
        check.security[0].get("agency_token").map(|scopes| &scopes[0][..]),
        Some("consent:check")
    );
    let token_url = doc
        .components
        .security_schemes
        .get("agency_token")
        .and_then(|scheme| scheme.flows.as_ref())
        .and_then(|flows| flows.client_credentials.as_ref())
        .map(|flow| flow.token_url.as_str());
    assert_eq!(token_url, Some("/api/v1/oauth/token"));
    // The reference page shows them, and the footer links to it.
    let (status, html) = app.get("/developers/api").await;
    assert_eq!(status, 200);
    assert!(html.contains("/api/v1/consent/check"));
    assert!(html.contains("consent:check"));
    let (_, home) = app.get("/").await;
    assert!(home.contains("href=\"/developers/api\""));
}
