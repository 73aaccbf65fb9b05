//! The JSON API under `/api/v1`: one module per resource, each route registered together
//! with its OpenAPI description (utoipa), so the published document cannot miss a route.

pub mod caller;
pub mod changes;
pub mod codes;
pub mod consent;
pub mod enrollments;
pub mod error;
pub mod extract;
pub mod incidents;
pub mod json;
pub mod ledger;
pub mod oauth;
pub mod paging;
pub mod quota;
pub mod reference;
pub mod register;
pub mod requests;
pub mod stats;
pub mod status;
pub mod subjects;
pub mod whoami;

use crate::http::AppState;
use crate::http::state::MAX_BODY_BYTES;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa::openapi::security::{ClientCredentials, Flow, OAuth2, Scopes, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

/// The document's fixed parts; paths and schemas come from the routes themselves.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Glasshouse agency API",
        description = "How city agencies ask before they process residents' data. Every consent \
                       check and data query is recorded in a decision log the resident can read.\n\n\
                       Get a token with the OAuth 2.0 client-credentials grant at \
                       `POST /api/v1/oauth/token`, then send it as `Authorization: Bearer <token>`. \
                       Errors are JSON: `{\"error\": \"<code>\", \"message\": \"<text>\"}`.",
        license(name = "Open data: the register is public"),
    ),
    modifiers(&AgencyToken),
    // Query parameters refer to these by name; parameters do not collect schemas themselves.
    components(schemas(
        codes::LangCode,
        codes::TaskStatusFilter,
        paging::PageLimit,
        paging::TaskCursor,
        paging::CheckpointCursor,
        paging::SystemCursor,
        paging::ChangeCursor,
        paging::ConsentChangeCursor,
        stats::StatsTable,
        incidents::SystemSlug,
    )),
    tags(
        (name = "consent", description = "Consent checks, and the feed of residents' consent changes"),
        (name = "subjects", description = "Residents' data and enrollments"),
        (name = "privacy requests", description = "The agency's part of residents' privacy requests"),
        (name = "register", description = "The public register as open data"),
        (name = "incidents", description = "Agencies report incidents into the city's breach register"),
        (name = "statistics", description = "The city's statistics from its own logs, open data, small counts hidden"),
        (name = "ledger", description = "The verifiable log: signed checkpoints and Merkle proofs (RFC 9162), public"),
        (name = "auth", description = "Tokens for agency clients"),
        (name = "service", description = "The service itself"),
    )
)]
struct ApiDoc;

/// Adds the security scheme every protected route names.
struct AgencyToken;

impl utoipa::Modify for AgencyToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scopes = Scopes::from_iter([
            ("consent:check", "Ask for consent decisions"),
            (
                "subjects:read",
                "Read residents' data as consent and the register allow",
            ),
            (
                "enrollment:write",
                "Issue enrollment codes for the agency's systems and end enrollments",
            ),
            ("requests:work", "Work the agency's part of privacy requests"),
            (
                "consent:changes",
                "Follow the consent changes of residents enrolled with the agency's systems",
            ),
            (
                "incidents:write",
                "Report incidents into the city's breach register",
            ),
        ]);
        let flow = Flow::ClientCredentials(ClientCredentials::new("/api/v1/oauth/token", scopes));
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("agency_token", SecurityScheme::OAuth2(OAuth2::new([flow])));
    }
}

/// Every `/api/v1` route with its description.
pub fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(consent::router())
        .merge(changes::router())
        .merge(subjects::router())
        .merge(enrollments::router())
        .merge(ledger::router())
        .merge(register::router())
        .merge(stats::router())
        .merge(incidents::router())
        .merge(requests::router())
        .merge(oauth::router())
        .merge(whoami::router())
        .merge(status::router())
}

/// The OpenAPI document of the agency API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = documented().split_for_parts();
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete];
        for operation in operations.into_iter().flatten() {
            add_shared_refusals(path, operation);
        }
    }
    doc.paths.add_path_operation(
        "/api/v1/openapi.json",
        vec![utoipa::openapi::HttpMethod::Get],
        utoipa::openapi::path::OperationBuilder::new()
            .tag("service")
            .summary(Some("This document (OpenAPI 3.1)"))
            .response(
                "200",
                utoipa::openapi::ResponseBuilder::new()
                    .description("The OpenAPI document")
                    .content("application/json", utoipa::openapi::ContentBuilder::new().build()),
            )
            .build(),
    );
    doc
}

/// The refusals that come from the shared extractors and layers rather than a handler, so
/// that no route's list can miss them: 400 for a path parameter that is not UTF-8 once
/// decoded (`ApiPath`), 413 for a body over the limit, 500 for a storage failure (every
/// route but `/api/v1/status` reads the database or the ledger's key). A route that names
/// one of these itself keeps its own description.
fn add_shared_refusals(path: &str, operation: &mut utoipa::openapi::path::Operation) {
    let error = |description: &str| {
        utoipa::openapi::ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                utoipa::openapi::ContentBuilder::new()
                    .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
    };
    let responses = &mut operation.responses.responses;
    if path.contains('{') {
        responses
            .entry("400".to_owned())
            .or_insert_with(|| error("A path parameter is not UTF-8 once decoded").into());
    }
    if operation.request_body.is_some() {
        responses.entry("413".to_owned()).or_insert_with(|| {
            error(&format!("The body is larger than {} KiB", MAX_BODY_BYTES / 1024)).into()
        });
    }
    if path != "/api/v1/status" {
        responses
            .entry("500".to_owned())
            .or_insert_with(|| error("Something went wrong on our side (logged in full)").into());
    }
}

/// Every `/api/v1` route, plus `GET /api/v1/openapi.json` serving the document.
pub fn router() -> Router<AppState> {
    let (routes, _) = documented().split_for_parts();
    let document: Arc<str> = serde_json::to_string(&openapi())
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "could not serialise the OpenAPI document");
            "{}".to_owned()
        })
        .into();
    routes.route(
        "/api/v1/openapi.json",
        get(move || {
            let document = document.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], document.to_string()).into_response() }
        }),
    )
}
