//! The ledger in public, no token needed: signed checkpoints (the latest, and every one
//! ever made, so anyone can save them), and the proofs that check an entry is in the log
//! (inclusion) and that a later log extends an earlier one (consistency), as RFC 9162.

use super::error::{ApiError, ErrorBody};
use super::extract::ApiQuery;
use super::paging::{CheckpointCursor, PageLimit, page};
use crate::http::AppState;
use axum::Json;
use axum::extract::State;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::ledger::{CHECKPOINT_CURSOR, Checkpoint, Hash};
use serde::{Deserialize, Serialize};
use store::ledger::{self, StoredCheckpoint};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(checkpoint))
        .routes(routes!(checkpoints))
        .routes(routes!(inclusion))
        .routes(routes!(consistency))
}

/// A signed checkpoint of the ledger.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct CheckpointResponse {
    /// The log's name.
    #[schema(example = "glasshouse.example.org/ledger")]
    pub origin: String,
    /// How many entries the ledger held.
    pub tree_size: u64,
    /// The Merkle root (RFC 9162), base64.
    pub root_hash: String,
    /// When it was signed (RFC 3339, UTC).
    pub timestamp: String,
    /// The checkpoint as a C2SP signed note (what to save): body, blank line, signature.
    pub note: String,
    /// The log's Ed25519 public key, base64.
    pub public_key: String,
}

fn b64(hash: &Hash) -> String {
    STANDARD.encode(hash)
}

fn response(state: &AppState, stored: StoredCheckpoint) -> Result<CheckpointResponse, ApiError> {
    let keeper = &state.backend.keeper;
    let checkpoint: Checkpoint = keeper.open_note(&stored.note).ok_or_else(|| {
        ApiError::internal(std::io::Error::other(format!(
            "the checkpoint of size {} does not verify",
            stored.size
        )))
    })?;
    Ok(CheckpointResponse {
        origin: checkpoint.origin,
        tree_size: checkpoint.size,
        root_hash: b64(&checkpoint.root),
        timestamp: store::rfc3339_us(stored.at_us),
        note: stored.note,
        public_key: STANDARD.encode(keeper.public_key()),
    })
}

/// The latest signed checkpoint (a new one is made when the ledger has grown, at most once a minute).
#[utoipa::path(get, path = "/api/v1/ledger/checkpoint", tag = "ledger",
    responses(
        (status = 200, description = "The latest checkpoint", body = CheckpointResponse),
        (status = 404, description = "The ledger is still empty", body = ErrorBody),
    ))]
pub async fn checkpoint(State(state): State<AppState>) -> Result<Json<CheckpointResponse>, ApiError> {
    let latest = state
        .backend
        .keeper
        .latest(&state.pool)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::NotFound("The ledger is still empty.".to_owned()))?;
    Ok(Json(response(&state, latest)?))
}

/// Which page of checkpoints.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CheckpointsQuery {
    /// The most checkpoints the page holds (1 to 200; 50 when absent).
    #[param(value_type = Option<PageLimit>)]
    pub limit: Option<u32>,
    /// Where the page starts: the `next_cursor` of the page before.
    #[param(value_type = Option<CheckpointCursor>)]
    pub cursor: Option<String>,
}

/// One page of the checkpoints, oldest first.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct CheckpointList {
    pub checkpoints: Vec<CheckpointResponse>,
    /// Where the next page starts (pass it as `cursor`); `null` on the last page.
    #[schema(value_type = Option<CheckpointCursor>)]
    pub next_cursor: Option<String>,
}

/// Every checkpoint ever made, oldest first, one page at a time: follow `next_cursor`
/// until it is `null`.
#[utoipa::path(get, path = "/api/v1/ledger/checkpoints", tag = "ledger", params(CheckpointsQuery),
    responses(
        (status = 200, description = "A page of checkpoints, oldest first", body = CheckpointList),
        (status = 400, description = "The query string does not parse", body = ErrorBody),
        (status = 422, description = "A limit out of range or a cursor of another shape", body = ErrorBody),
    ))]
pub async fn checkpoints(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<CheckpointsQuery>,
) -> Result<Json<CheckpointList>, ApiError> {
    let (limit, cursor) = page(CHECKPOINT_CURSOR, query.limit, query.cursor.as_deref())?;
    let found = ledger::checkpoints(&state.pool, limit, cursor.as_ref())
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(CheckpointList {
        next_cursor: found.next_cursor(),
        checkpoints: found
            .items
            .into_iter()
            .map(|c| response(&state, c))
            .collect::<Result<_, _>>()?,
    }))
}

/// Which entry to prove, against which tree.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InclusionQuery {
    /// The entry number (from 0).
    pub index: u64,
    /// The size of the tree to prove against (a checkpoint's `tree_size`).
    pub tree_size: u64,
}

/// An inclusion proof (RFC 9162 §2.1.3).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct InclusionResponse {
    pub index: u64,
    pub tree_size: u64,
    /// `SHA-256(0x00 ‖ entry)`, base64.
    pub leaf_hash: String,
    /// The audit path, leaf to root, base64.
    pub audit_path: Vec<String>,
}

/// Proves that entry `index` is in the tree of `tree_size` entries.
#[utoipa::path(get, path = "/api/v1/ledger/proof/inclusion", tag = "ledger", params(InclusionQuery),
    responses(
        (status = 200, description = "The proof", body = InclusionResponse),
        (status = 400, description = "The query is malformed", body = ErrorBody),
        (status = 404, description = "No such entry or tree size", body = ErrorBody),
    ))]
pub async fn inclusion(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<InclusionQuery>,
) -> Result<Json<InclusionResponse>, ApiError> {
    let proof = ledger::prove_inclusion(&state.pool, q.index, q.tree_size)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::NotFound("No such entry in a tree of that size.".to_owned()))?;
    Ok(Json(InclusionResponse {
        index: q.index,
        tree_size: q.tree_size,
        leaf_hash: b64(&proof.leaf_hash),
        audit_path: proof.path.iter().map(b64).collect(),
    }))
}

/// Which two trees to prove consistent.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The size of the earlier tree (a checkpoint you saved).
    pub first: u64,
    /// The size of the later tree.
    pub second: u64,
}

/// A consistency proof (RFC 9162 §2.1.4).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct ConsistencyResponse {
    pub first: u64,
    pub second: u64,
    /// The proof's hashes, base64.
    pub proof: Vec<String>,
}

/// Proves that the tree of `second` entries extends the tree of `first` entries.
#[utoipa::path(get, path = "/api/v1/ledger/proof/consistency", tag = "ledger", params(ConsistencyQuery),
    responses(
        (status = 200, description = "The proof", body = ConsistencyResponse),
        (status = 400, description = "The query is malformed", body = ErrorBody),
        (status = 404, description = "No such tree sizes", body = ErrorBody),
    ))]
pub async fn consistency(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> Result<Json<ConsistencyResponse>, ApiError> {
    let proof = ledger::prove_consistency(&state.pool, q.first, q.second)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::NotFound("The ledger holds no trees of those sizes.".to_owned()))?;
    Ok(Json(ConsistencyResponse {
        first: q.first,
        second: q.second,
        proof: proof.iter().map(b64).collect(),
    }))
}
