//! `GET /api/v1/whoami`: the calling client, so an agency can check its set-up.

use super::caller::AgencyCaller;
use crate::state::AppState;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

/// The route.
pub fn router() -> Router<AppState> {
    Router::new().route("/whoami", get(whoami))
}

/// Who is calling.
#[derive(Debug, Serialize, Deserialize)]
pub struct WhoAmI {
    pub client_id: String,
    pub agency: String,
    pub scopes: Vec<String>,
}

async fn whoami(caller: AgencyCaller) -> Json<WhoAmI> {
    Json(WhoAmI {
        client_id: caller.client_id,
        agency: caller.agency,
        scopes: caller.scopes.iter().map(|s| s.code().to_owned()).collect(),
    })
}
