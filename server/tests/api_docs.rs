//! The agency API's description: an OpenAPI 3.1 document generated from the routes, and a
//! reference page for agency developers built from it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, spawn_app};
use serde_json::Value;

on_both_databases!(every_api_route_is_in_the_document_and_answers);

/// Every route the API serves (method and path template).
const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/v1/consent/check"),
    ("post", "/api/v1/subjects/query"),
    ("put", "/api/v1/subjects/{resident_number}/enrollments/{system}"),
    (
        "delete",
        "/api/v1/subjects/{resident_number}/enrollments/{system}",
    ),
    ("post", "/api/v1/oauth/token"),
    ("get", "/api/v1/whoami"),
    ("get", "/api/v1/register/systems"),
    ("get", "/api/v1/register/systems.csv"),
    ("get", "/api/v1/privacy-requests/tasks"),
    ("post", "/api/v1/privacy-requests/tasks/{id}/complete"),
    ("get", "/api/v1/status"),
    ("get", "/api/v1/openapi.json"),
];

async fn every_api_route_is_in_the_document_and_answers(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = app.get("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = Vec::new();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    for (method, path) in ROUTES {
        assert!(
            documented.contains(&((*method).to_owned(), (*path).to_owned())),
            "{method} {path} is not in the document"
        );
    }
    assert_eq!(documented.len(), ROUTES.len(), "documented: {documented:?}");
    // Each documented operation exists on the server: never 404 for the route or 405.
    for (method, path) in &documented {
        let url = app.url(
            &path
                .replace("{resident_number}", "GH-2222-2222")
                .replace("{system}", "myriverton-account")
                .replace("{id}", "no-such-task"),
        );
        let method: reqwest::Method = method.to_uppercase().parse().unwrap();
        let response = app.client.request(method.clone(), url).send().await.unwrap();
        let status = response.status().as_u16();
        assert!(status != 405, "{method} {path}: {status}");
        if status == 404 {
            // Only a JSON "not found" of the resource itself is acceptable, never a missing route.
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert_eq!(body["error"], "not_found", "{method} {path} is not routed");
        }
    }
    // Protected routes name their scope; the security scheme is the token endpoint.
    let check = &doc["paths"]["/api/v1/consent/check"]["post"];
    assert_eq!(check["security"][0]["agency_token"][0], "consent:check");
    assert_eq!(
        doc["components"]["securitySchemes"]["agency_token"]["flows"]["clientCredentials"]["tokenUrl"],
        "/api/v1/oauth/token"
    );
    // The reference page shows them, and the footer links to it.
    let (status, html) = app.get("/developers/api").await;
    assert_eq!(status, 200);
    assert!(html.contains("/api/v1/consent/check"));
    assert!(html.contains("consent:check"));
    let (_, home) = app.get("/").await;
    assert!(home.contains("href=\"/developers/api\""));
}
