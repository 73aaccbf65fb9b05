//! Agencies' part of privacy requests: each request creates one task per system it
//! concerns, addressed to the agency that runs the system. Agencies list their tasks and
//! complete each one, once. Another agency's task does not exist for them (404).

use super::caller::AgencyCaller;
use super::codes::{RequestKindCode, TaskOutcomeCode, TaskStatusFilter};
use super::error::{ApiError, ErrorBody};
use super::extract::{ApiPath, ApiQuery};
use super::json::ApiJson;
use super::paging::{PageLimit, TaskCursor, page};
use crate::http::AppState;
use axum::Json;
use axum::extract::State;
use domain::account::ApiScope;
use domain::requests::{TASK_CURSOR, TaskOutcome};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::requests::{self as requests, AgencyTask, Completion, TaskError, TaskFilter};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tasks))
        .routes(routes!(complete_task))
}

/// The most characters a task's note may have.
pub const MAX_NOTE_CHARS: usize = 4000;

/// Which tasks to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListQuery {
    /// `open` (the default), `completed` or `all`. Tasks of closed requests are never listed.
    #[param(example = "open", value_type = Option<TaskStatusFilter>)]
    pub status: Option<String>,
    /// The most tasks the page holds (1 to 200; 50 when absent).
    #[param(value_type = Option<PageLimit>)]
    pub limit: Option<u32>,
    /// Where the page starts: the `next_cursor` of the page before.
    #[param(value_type = Option<TaskCursor>)]
    pub cursor: Option<String>,
}

/// One task: what the agency must do for one of its systems.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TaskResponse {
    /// The task's id, for completing it.
    pub id: String,
    /// The privacy request it belongs to.
    pub request_id: String,
    /// The right the resident exercises: access, rectification, erasure, restriction,
    /// portability or objection.
    #[schema(example = "access", value_type = RequestKindCode)]
    pub kind: String,
    /// The resident number, for a system of enrolled residents. `null` for a system in public
    /// space (cameras, sensors): search your records by the request's details; the task's id
    /// is its handle.
    #[schema(example = "GH-7K3M-Q9TX")]
    pub subject: Option<String>,
    /// The agency's system it concerns.
    #[schema(example = "riverpass-fare-card")]
    pub system: String,
    /// For an objection: the purpose objected to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// What the resident wrote.
    pub details: String,
    /// When the request was received (YYYY-MM-DD).
    pub received: String,
    /// The legal due date of the whole request (YYYY-MM-DD).
    pub due: String,
    /// `null` while open; `done`, `no_data` or `refused` once completed.
    #[schema(value_type = Option<TaskOutcomeCode>)]
    pub outcome: Option<String>,
}

impl From<AgencyTask> for TaskResponse {
    fn from(t: AgencyTask) -> Self {
        TaskResponse {
            id: t.id,
            request_id: t.request_id,
            kind: t.kind.code().to_owned(),
            subject: t.subject,
            system: t.system,
            purpose: t.purpose,
            details: t.details,
            received: t.received.to_string(),
            due: t.due.to_string(),
            outcome: t.outcome.map(|o| o.code().to_owned()),
        }
    }
}

/// One page of the agency's tasks.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TaskList {
    pub tasks: Vec<TaskResponse>,
    /// Where the next page starts (pass it as `cursor`); `null` on the last page.
    #[schema(value_type = Option<TaskCursor>)]
    pub next_cursor: Option<String>,
}

/// Lists the calling agency's tasks of open privacy requests, the most urgent first, one
/// page at a time: follow `next_cursor` until it is `null`.
///
/// Needs the scope `requests:work`.
#[utoipa::path(
    get,
    path = "/api/v1/privacy-requests/tasks",
    tag = "privacy requests",
    params(TaskListQuery),
    security(("agency_token" = ["requests:work"])),
    responses(
        (status = 200, description = "The agency's tasks", body = TaskList),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 400, description = "The query string does not parse", body = ErrorBody),
        (status = 403, description = "The token lacks the scope", body = ErrorBody),
        (status = 422, description = "Unknown status filter, a limit out of range or a cursor of another shape", body = ErrorBody),
    )
)]
pub async fn list_tasks(
    caller: AgencyCaller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TaskListQuery>,
) -> Result<Json<TaskList>, ApiError> {
    caller.require(ApiScope::RequestsWork)?;
    let filter = match query.status.as_deref().unwrap_or("open") {
        "open" => TaskFilter::Open,
        "completed" => TaskFilter::Completed,
        "all" => TaskFilter::All,
        other => {
            return Err(ApiError::invalid(format!(
                "status {other:?}: use open, completed or all"
            )));
        }
    };
    let (limit, cursor) = page(TASK_CURSOR, query.limit, query.cursor.as_deref())?;
    let tasks = requests::agency_tasks(&state.pool, &caller.agency, filter, limit, cursor.as_ref())
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(TaskList {
        next_cursor: tasks.next_cursor(),
        tasks: tasks.items.into_iter().map(TaskResponse::from).collect(),
    }))
}

/// How the agency closes its task. Its schema is written by hand (below): a refusal needs a
/// note that says something, which a derived schema cannot tell.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompleteTask {
    /// `done`, `no_data` (the system holds nothing on the resident) or `refused`.
    pub outcome: TaskOutcome,
    /// What was done, or why it was refused (required when refused); the resident reads it.
    #[serde(default)]
    pub note: String,
    /// For access and portability: what the system holds on the resident, as a JSON object.
    #[serde(default)]
    pub data: Option<serde_json::Value>,
}

impl utoipa::PartialSchema for CompleteTask {
    /// One of two shapes: `done` or `no_data` with an optional note, or `refused` with a
    /// note holding at least one character that is not white space. The note is at most
    /// `MAX_NOTE_CHARS` characters; `data` an object or null; no other field.
    fn schema() -> RefOr<Schema> {
        let shape = |outcomes: &[TaskOutcome], refusal: bool| {
            let mut note = ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(MAX_NOTE_CHARS));
            note = if refusal {
                note.description(Some("Why it was refused; the resident reads it."))
                    .pattern(Some("\\S"))
            } else {
                note.description(Some("What was done; the resident reads it."))
            };
            let data = ObjectBuilder::new()
                .schema_type(SchemaType::Array(vec![Type::Object, Type::Null]))
                .description(Some(
                    "For access and portability: what the system holds on the resident, as a JSON object.",
                ))
                .examples([json!({"trips": [{"date": "2026-11-02", "from": "Central", "to": "Harbour"}]})]);
            let outcome = ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(outcomes.iter().map(|o| o.code())));
            let mut object = ObjectBuilder::new()
                .schema_type(Type::Object)
                .property("outcome", outcome)
                .required("outcome")
                .property("note", note)
                .property("data", data)
                .additional_properties(Some(AdditionalProperties::FreeForm(false)));
            if refusal {
                object = object.required("note");
            }
            object
        };
        OneOfBuilder::new()
            .item(shape(&[TaskOutcome::Done, TaskOutcome::NoData], false))
            .item(shape(&[TaskOutcome::Refused], true))
            .description(Some(
                "How the agency closes its task: `done`, `no_data` (the system holds nothing on the resident) or `refused` (with a note saying why).",
            ))
            .into()
    }
}

impl ToSchema for CompleteTask {}

/// The completed task.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CompletedTask {
    pub id: String,
    #[schema(value_type = TaskOutcomeCode)]
    pub outcome: String,
}

/// Completes one of the calling agency's tasks, once.
///
/// Needs the scope `requests:work`. Another agency's task is 404; a task already completed,
/// or of a request that is closed, is 409 and nothing changes.
#[utoipa::path(
    post,
    path = "/api/v1/privacy-requests/tasks/{id}/complete",
    tag = "privacy requests",
    params(("id" = String, Path, description = "The task's id")),
    request_body = CompleteTask,
    security(("agency_token" = ["requests:work"])),
    responses(
        (status = 200, description = "Completed", body = CompletedTask),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 403, description = "The token lacks the scope", body = ErrorBody),
        (status = 404, description = "No such task of this agency", body = ErrorBody),
        (status = 409, description = "Already completed, or the request is closed", body = ErrorBody),
        (status = 422, description = "A field is missing or malformed", body = ErrorBody),
    )
)]
pub async fn complete_task(
    caller: AgencyCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    body: Result<ApiJson<CompleteTask>, ApiError>,
) -> Result<Json<CompletedTask>, ApiError> {
    caller.require(ApiScope::RequestsWork)?;
    let ApiJson(body) = body?;
    let note = body.note.trim();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(ApiError::invalid(format!(
            "note: at most {MAX_NOTE_CHARS} characters"
        )));
    }
    if body.outcome == TaskOutcome::Refused && note.is_empty() {
        return Err(ApiError::invalid(
            "note: a refusal must say why; the resident reads it",
        ));
    }
    let data = match &body.data {
        None | Some(serde_json::Value::Null) => None,
        Some(object @ serde_json::Value::Object(_)) => Some(object.to_string()),
        Some(_) => return Err(ApiError::invalid("data: must be a JSON object")),
    };
    let by = format!("client:{}", caller.client_id);
    let completion = Completion {
        outcome: body.outcome,
        note,
        data: data.as_deref(),
        by: &by,
        audit: None,
    };
    match requests::complete_task(&state.pool, Some(&caller.agency), &id, &completion).await {
        Ok(()) => {
            tracing::info!(client = %caller.client_id, task = %id, outcome = body.outcome.code(), "an agency completed a task");
            Ok(Json(CompletedTask {
                id,
                outcome: body.outcome.code().to_owned(),
            }))
        }
        Err(TaskError::NotFound) => Err(ApiError::NotFound("No such task of your agency.".to_owned())),
        Err(TaskError::Closed) => Err(ApiError::Conflict {
            code: "task_closed",
            message: "This task is already completed, or its request is closed.".to_owned(),
        }),
        Err(TaskError::Store(e)) => Err(ApiError::internal(e)),
    }
}
