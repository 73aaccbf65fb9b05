//! The API reference page's content, read from the generated OpenAPI document.

use domain::api_reference::{ApiReference, ApiResponse, Endpoint, Parameter};
use serde_json::Value;

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn paragraphs(v: &Value) -> Vec<String> {
    v.as_str()
        .unwrap_or_default()
        .split("\n\n")
        .map(|p| p.replace('\n', " ").trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Follows a `$ref` to `#/components/schemas/...` within `doc`.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix("#/")
            .map(|path| path.split('/').fold(doc, |node, key| &node[key]))
            .unwrap_or(schema),
        None => schema,
    }
}

fn body_fields(doc: &Value, schema: &Value) -> (Vec<Parameter>, Option<String>) {
    let schema = resolve(doc, schema);
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut example = serde_json::Map::new();
    let fields = schema["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .map(|(name, prop)| {
                    if let Some(e) = prop.get("example") {
                        example.insert(name.clone(), e.clone());
                    }
                    Parameter {
                        name: name.clone(),
                        location: "body".to_owned(),
                        required: required.contains(&name.as_str()),
                        description: paragraphs(&prop["description"]).join(" "),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let example = (!example.is_empty())
        .then(|| serde_json::to_string_pretty(&Value::Object(example)).ok())
        .flatten();
    (fields, example)
}

/// The reference page's content for the OpenAPI document `doc`.
pub fn from_openapi(doc: &Value) -> ApiReference {
    let mut endpoints = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                endpoints.push(endpoint(doc, path, method, op));
            }
        }
    }
    let order = ["consent", "subjects", "auth", "register", "service"];
    endpoints.sort_by_key(|e| {
        (
            order.iter().position(|t| *t == e.tag).unwrap_or(order.len()),
            e.path.clone(),
            e.method.clone(),
        )
    });
    ApiReference {
        title: text(&doc["info"]["title"]),
        version: text(&doc["info"]["version"]),
        description: paragraphs(&doc["info"]["description"]),
        endpoints,
    }
}

/// One operation of the document, as the reference page shows it.
fn endpoint(doc: &Value, path: &str, method: &str, op: &Value) -> Endpoint {
    let security = op["security"].as_array();
    let (body_fields, body_example) = op["requestBody"]["content"]
        .as_object()
        .and_then(|c| c.values().next())
        .map(|media| body_fields(doc, &media["schema"]))
        .unwrap_or_default();
    let anchor = format!("{method}{}", path.replace(['/', '{', '}', '.'], "-"))
        .trim_end_matches('-')
        .replace("--", "-");
    Endpoint {
        anchor,
        method: method.to_uppercase(),
        path: path.to_owned(),
        tag: op["tags"][0].as_str().unwrap_or("other").to_owned(),
        summary: text(&op["summary"]),
        description: paragraphs(&op["description"]),
        scopes: scopes(security),
        authenticated: security.is_some_and(|s| !s.is_empty()),
        parameters: parameters(op),
        body_fields,
        body_example,
        responses: responses(op),
    }
}

/// The OAuth scopes an operation's security requirements name.
fn scopes(security: Option<&Vec<Value>>) -> Vec<String> {
    security
        .into_iter()
        .flatten()
        .filter_map(|req| req.as_object())
        .flat_map(|req| req.values())
        .filter_map(Value::as_array)
        .flatten()
        .map(text)
        .collect()
}

/// An operation's path and query parameters.
fn parameters(op: &Value) -> Vec<Parameter> {
    op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| Parameter {
            name: text(&p["name"]),
            location: text(&p["in"]),
            required: p["required"].as_bool().unwrap_or(false),
            description: text(&p["description"]),
        })
        .collect()
}

/// An operation's answers, by status.
fn responses(op: &Value) -> Vec<ApiResponse> {
    op["responses"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(status, resp)| ApiResponse {
            status: status.clone(),
            description: text(&resp["description"]),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_lists_every_documented_operation_with_its_scope() {
        let doc = serde_json::to_value(super::super::openapi()).unwrap();
        let reference = from_openapi(&doc);
        let check = reference
            .endpoints
            .iter()
            .find(|e| e.path == "/api/v1/consent/check")
            .expect("the consent check is documented");
        assert_eq!(check.method, "POST");
        assert_eq!(check.scopes, ["consent:check"]);
        assert!(
            check
                .body_fields
                .iter()
                .any(|f| f.name == "subject" && f.required)
        );
        assert!(check.body_example.as_deref().unwrap_or("").contains("GH-"));
        assert!(check.responses.iter().any(|r| r.status == "403"));
        let status = reference
            .endpoints
            .iter()
            .find(|e| e.path == "/api/v1/status")
            .unwrap();
        assert!(!status.authenticated);
        let anchors: std::collections::HashSet<_> = reference.endpoints.iter().map(|e| &e.anchor).collect();
        assert_eq!(anchors.len(), reference.endpoints.len(), "anchors are unique");
    }
}
