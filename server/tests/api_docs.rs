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
    ("post", "/api/v1/consent/check-batch"),
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
    ("get", "/api/v1/stats"),
    ("get", "/api/v1/stats.csv"),
    ("post", "/api/v1/incidents"),
    ("get", "/api/v1/consent/changes"),
    ("get", "/api/v1/consent/changes/stream"),
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

/// The served document as JSON.
fn document() -> serde_json::Value {
    serde_json::to_value(server::api::openapi()).unwrap()
}

/// Every `$ref` in `value`.
fn refs<'a>(value: &'a serde_json::Value, found: &mut Vec<&'a str>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", serde_json::Value::String(target)) => found.push(target),
                    _ => refs(value, found),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| refs(item, found)),
        _ => {}
    }
}

#[test]
fn every_reference_of_the_document_resolves() {
    let doc = document();
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(!found.is_empty());
    for target in found {
        let pointer = target.strip_prefix('#').unwrap_or(target);
        assert!(doc.pointer(pointer).is_some(), "{target} does not resolve");
    }
}

/// The schema at `pointer` (a JSON pointer into the document), references followed.
fn schema<'a>(doc: &'a serde_json::Value, pointer: &str) -> &'a serde_json::Value {
    let mut value = doc
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{pointer} is not in the document"));
    while let Some(target) = value.get("$ref").and_then(|r| r.as_str()) {
        value = doc.pointer(target.trim_start_matches('#')).unwrap();
    }
    value
}

fn codes(value: &serde_json::Value) -> Vec<&str> {
    value["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("not an enum: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

/// The parameter `name` of an operation.
fn parameter<'a>(doc: &'a serde_json::Value, path: &str, method: &str, name: &str) -> &'a serde_json::Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))
}

#[test]
fn the_document_declares_the_vocabularies_the_api_reads_and_answers() {
    let doc = document();
    let lang = schema(&doc, "/components/schemas/LangCode");
    assert_eq!(codes(lang), ["en", "es", "ar"]);
    for path in [
        "/api/v1/register/systems",
        "/api/v1/register/systems.csv",
        "/api/v1/register/changes",
    ] {
        let lang = &parameter(&doc, path, "get", "lang")["schema"];
        let lang = lang
            .get("oneOf")
            .and_then(|o| o.as_array())
            .map_or(lang, |o| &o[0]);
        assert_eq!(lang["$ref"], "#/components/schemas/LangCode", "{path}");
    }
    let status = &parameter(&doc, "/api/v1/privacy-requests/tasks", "get", "status")["schema"];
    let status = status
        .get("oneOf")
        .and_then(|o| o.as_array())
        .map_or(status, |o| &o[0]);
    assert_eq!(
        codes(schema(
            &doc,
            status["$ref"].as_str().unwrap().trim_start_matches('#')
        )),
        ["open", "completed", "all"]
    );
    let reasons: Vec<&str> = domain::decision::Reason::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(codes(schema(&doc, "/components/schemas/ReasonCode")), reasons);
    let grant = schema(&doc, "/components/schemas/TokenRequest/properties/grant_type");
    assert_eq!(codes(grant), ["client_credentials"]);
    assert_eq!(
        doc["components"]["schemas"]["TokenRequest"]["required"],
        serde_json::json!(["grant_type"])
    );
    // The register's open data has its shape, with the register's vocabularies.
    let systems = &doc["paths"]["/api/v1/register/systems"]["get"]["responses"]["200"];
    assert_eq!(
        systems["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/RegisterDocument"
    );
    let technologies: Vec<&str> = domain::register::Technology::ALL
        .iter()
        .map(|t| t.code())
        .collect();
    assert_eq!(
        codes(schema(&doc, "/components/schemas/TechnologyCode")),
        technologies
    );
    let categories: Vec<&str> = domain::register::DataCategory::ALL
        .iter()
        .map(|c| c.code())
        .collect();
    assert_eq!(
        codes(schema(&doc, "/components/schemas/DataCategoryCode")),
        categories
    );
    // A refusal must carry a note; any other outcome may.
    let shapes = doc["components"]["schemas"]["CompleteTask"]["oneOf"]
        .as_array()
        .unwrap();
    let outcomes: Vec<Vec<&str>> = shapes
        .iter()
        .map(|s| codes(&s["properties"]["outcome"]))
        .collect();
    assert_eq!(outcomes, [vec!["done", "no_data"], vec!["refused"]]);
    assert_eq!(shapes[1]["required"], serde_json::json!(["outcome", "note"]));
}

#[test]
fn the_token_endpoint_documents_its_refusals_as_json() {
    let doc = document();
    let token = &doc["paths"]["/api/v1/oauth/token"]["post"];
    assert!(token["requestBody"]["content"]["application/x-www-form-urlencoded"].is_object());
    for status in ["400", "401", "413", "415", "429", "503"] {
        assert_eq!(
            token["responses"][status]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody",
            "{status}"
        );
    }
}

/// Strings near the shapes of resident numbers, slugs and enrollment codes: valid ones in
/// every form the parsers take, and each of them broken one character at a time.
fn candidates() -> Vec<String> {
    let seeds = [
        "GH-7K3M-Q9TX",
        "gh-7k3m-q9tx",
        "GH7K3MQ9TX",
        "7K3M-Q9TX",
        "7k3mq9tx",
        "GH-GH7K-Q9TX",
        "GHGH-7KQ9",
        "GH7KQ9TX",
        "gh-0000-0000",
        "GH-ABC",
        "0",
        "",
        "riverpass-fare-card",
        "a",
        "a-b",
        "a--b",
        "-a",
        "a-",
        "Ab",
        "7K3M-Q9TX-2B4D",
        "7k3mq9tx2b4d",
        "OIL0-1234-ABCD",
        "7K3M-Q9TX-2B4U",
        "7K3M Q9TX 2B4D",
    ];
    let replacements = ['-', 'G', 'H', 'u', 'U', '0', '1', 'O', 'I', 'L', 'z', ' ', 'é'];
    let mut out: Vec<String> = seeds.iter().map(|s| (*s).to_owned()).collect();
    for seed in seeds {
        let chars: Vec<char> = seed.chars().collect();
        for i in 0..chars.len() {
            for r in replacements {
                let mut changed = chars.clone();
                changed[i] = r;
                out.push(changed.iter().collect());
            }
            let mut shorter = chars.clone();
            shorter.remove(i);
            out.push(shorter.iter().collect());
        }
    }
    out.push("a".repeat(64));
    out.push("a".repeat(65));
    out
}

/// What the document allows, the API accepts: each pattern is checked against the parser
/// the API applies, over strings near the edge.
#[test]
fn every_value_the_documents_patterns_allow_the_api_accepts() {
    let doc = document();
    let request = &doc["components"]["schemas"]["DecisionRequest"]["properties"];
    let pattern =
        |schema: &serde_json::Value| regex::Regex::new(schema["pattern"].as_str().unwrap()).unwrap();
    let resident = pattern(&request["subject"]);
    let slug = pattern(&request["system"]);
    assert_eq!(request["system"]["pattern"], request["purpose"]["pattern"]);
    assert_eq!(request["system"]["maxLength"], 64);
    let code_path = &parameter(&doc, "/api/v1/enrollments/codes/{code}", "get", "code")["schema"];
    let code = pattern(code_path);
    let path_number = &parameter(
        &doc,
        "/api/v1/subjects/{resident_number}/enrollments/{system}",
        "delete",
        "resident_number",
    )["schema"];
    assert_eq!(path_number["pattern"], request["subject"]["pattern"]);
    let (mut numbers, mut slugs, mut codes) = (0, 0, 0);
    for s in candidates() {
        if resident.is_match(&s) {
            numbers += 1;
            assert!(
                domain::account::ResidentNumber::parse(&s).is_some(),
                "resident number {s:?}"
            );
        }
        if slug.is_match(&s) && s.chars().count() <= 64 {
            slugs += 1;
            assert!(domain::register::Slug::parse(&s).is_ok(), "slug {s:?}");
        } else {
            assert!(
                domain::register::Slug::parse(&s).is_err(),
                "slug {s:?} is accepted but not documented"
            );
        }
        if code.is_match(&s) {
            codes += 1;
            assert!(
                domain::consent::EnrollmentCode::parse(&s).is_some(),
                "enrollment code {s:?}"
            );
        }
    }
    // The candidates reach both sides of each pattern.
    assert!(
        numbers > 20 && slugs > 20 && codes > 20,
        "{numbers} {slugs} {codes}"
    );
}

/// Every cursor the document's patterns allow is one the API reads, and every one it reads
/// is allowed: each list's cursor schema is its shape's exact pattern, and each paged route
/// names its own list's cursor and the shared limit.
#[test]
fn every_cursor_the_document_allows_the_api_reads() {
    use domain::paging::{Cursor, Shape};
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let lists: [(&str, &str, Shape); 4] = [
        (
            "/api/v1/privacy-requests/tasks",
            "TaskCursor",
            domain::requests::TASK_CURSOR,
        ),
        (
            "/api/v1/ledger/checkpoints",
            "CheckpointCursor",
            domain::ledger::CHECKPOINT_CURSOR,
        ),
        (
            "/api/v1/register/systems",
            "SystemCursor",
            domain::register::SYSTEM_CURSOR,
        ),
        (
            "/api/v1/register/changes",
            "ChangeCursor",
            domain::register::CHANGE_CURSOR,
        ),
    ];
    let limit = &schemas["PageLimit"];
    assert_eq!(
        (limit["minimum"].as_u64(), limit["maximum"].as_u64()),
        (Some(1), Some(200))
    );
    for (path, name, shape) in lists {
        let cursor = &parameter(&doc, path, "get", "cursor")["schema"];
        assert_eq!(cursor["$ref"], format!("#/components/schemas/{name}"), "{path}");
        assert_eq!(
            parameter(&doc, path, "get", "limit")["schema"]["$ref"],
            "#/components/schemas/PageLimit"
        );
        let pattern = regex::Regex::new(schemas[name]["pattern"].as_str().unwrap()).unwrap();
        let mut matched = 0;
        let mut candidates = candidates();
        // Well-shaped cursors of each list, and near misses.
        for parts in [
            vec!["2026-12-01", "3f9c0aa1"],
            vec!["1042"],
            vec!["riverpass-fare-card"],
            vec!["1764230400000000", "riverpass-fare-card", "3"],
            vec!["1764230400000000", "riverpass-fare-card", "x"],
            vec!["12", "", "3"],
        ] {
            candidates.push(Cursor::after(&parts).encode());
        }
        for s in candidates {
            let accepted = shape.decode(&s).is_ok();
            assert_eq!(pattern.is_match(&s), accepted, "{name}: {s:?}");
            matched += usize::from(accepted);
        }
        assert!(matched > 0, "{name}: no candidate matches");
    }
}

/// Refusals that come from shared extractors and layers are listed on every route they reach.
#[test]
fn every_operation_lists_the_refusals_its_extractors_and_layers_make() {
    let doc = document();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = &operation["responses"];
            let json_error = |status: &str| {
                responses[status]["content"]["application/json"]["schema"]["$ref"]
                    == "#/components/schemas/ErrorBody"
            };
            if path.contains('{') {
                assert!(json_error("400"), "{method} {path}: 400");
            }
            if operation.get("requestBody").is_some() {
                assert!(json_error("413"), "{method} {path}: 413");
            }
            if path != "/api/v1/status" && path != "/api/v1/openapi.json" {
                assert!(json_error("500"), "{method} {path}: 500");
            }
        }
    }
}
