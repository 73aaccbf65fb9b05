//! The agency API as its reference page shows it: derived by the server from the OpenAPI
//! document the code generates, so the page and `/api/v1/openapi.json` never disagree.

use serde::{Deserialize, Serialize};

/// The whole reference.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApiReference {
    pub title: String,
    pub version: String,
    /// Markdown-free paragraphs.
    pub description: Vec<String>,
    pub endpoints: Vec<Endpoint>,
}

/// One operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    /// An id usable as an HTML anchor, e.g. `post-api-v1-consent-check`.
    pub anchor: String,
    pub method: String,
    pub path: String,
    pub tag: String,
    pub summary: String,
    pub description: Vec<String>,
    /// The scopes the token needs; empty for public routes.
    pub scopes: Vec<String>,
    /// Whether the route needs a bearer token at all.
    pub authenticated: bool,
    pub parameters: Vec<Parameter>,
    /// The request body's fields (name, type, description), when it has one.
    pub body_fields: Vec<Parameter>,
    /// An example request body, pretty JSON.
    pub body_example: Option<String>,
    pub responses: Vec<ApiResponse>,
}

/// A path or query parameter, or a body field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    pub name: String,
    /// `path`, `query` or `body`.
    pub location: String,
    pub required: bool,
    pub description: String,
}

/// One possible answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiResponse {
    pub status: String,
    pub description: String,
}
