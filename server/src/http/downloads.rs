//! Downloads beside the pages: a resident's consent receipt and data package as JSON, and
//! the officers' record of processing activities as CSV. Each checks who asks first.

use super::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::lang::Lang;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(super) struct ReceiptQuery {
    pub(super) lang: Option<String>,
}

/// `GET /my/consents/{id}/receipt.json`: the signed-in resident's receipt as a JSON download;
/// 401 when not signed in, 404 for any event that is not theirs.
pub(super) async fn receipt_json(
    State(state): State<AppState>,
    session: Option<axum::Extension<auth::accounts::Session>>,
    Path(id): Path<String>,
    Query(query): Query<ReceiptQuery>,
) -> Response {
    let Some(axum::Extension(session)) = session else {
        return (StatusCode::UNAUTHORIZED, "sign in to download your receipts").into_response();
    };
    let lang = query.lang_of(&session);
    let backend = &state.backend;
    let found =
        store::consent::receipt(&backend.pool, &backend.public_url, &session.user.id, &id, lang).await;
    let name = |r: &domain::consent::Receipt| format!("consent-receipt-{}.json", r.consent_receipt_id);
    download(found, name, "no such receipt among yours")
}

/// `GET /my/requests/{id}/package.json`: the package answering one of the signed-in
/// resident's fulfilled access or portability requests, as a download; 401 when not signed
/// in, 404 for any request that is not theirs or has no package.
pub(super) async fn package_json(
    State(state): State<AppState>,
    session: Option<axum::Extension<auth::accounts::Session>>,
    Path(id): Path<String>,
    Query(query): Query<ReceiptQuery>,
) -> Response {
    let Some(axum::Extension(session)) = session else {
        return (StatusCode::UNAUTHORIZED, "sign in to download your data").into_response();
    };
    let lang = query.lang_of(&session);
    let found = store::package::package(&state.pool, &session.user.id, &id, lang).await;
    download(
        found,
        |_| format!("glasshouse-data-{id}.json"),
        "no such package among yours",
    )
}

impl ReceiptQuery {
    /// The language asked for, or the resident's own.
    fn lang_of(&self, session: &auth::accounts::Session) -> Lang {
        self.lang
            .as_deref()
            .and_then(Lang::from_code)
            .unwrap_or(session.user.lang)
    }
}

/// A resident's JSON download, never cached: the document, 404 with `missing` when it is
/// not theirs, 503 when storage fails (logged).
fn download<T: serde::Serialize>(
    found: Result<Option<T>, store::StoreError>,
    file_name: impl FnOnce(&T) -> String,
    missing: &'static str,
) -> Response {
    match found {
        Ok(Some(document)) => {
            let disposition = format!("attachment; filename=\"{}\"", file_name(&document));
            let headers = [
                (header::CONTENT_DISPOSITION, disposition),
                (header::CACHE_CONTROL, "private, no-store".to_owned()),
            ];
            (headers, axum::Json(document)).into_response()
        }
        Ok(None) => (StatusCode::NOT_FOUND, missing).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "could not read a resident's download");
            (StatusCode::SERVICE_UNAVAILABLE, "temporarily unavailable").into_response()
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct PeriodQuery {
    pub(super) from: Option<String>,
    pub(super) to: Option<String>,
}

/// The columns of `/admin/requests.csv`.
pub const REQUESTS_CSV_HEADER: &str =
    "id,kind,channel,received,due,closed,status,days_taken,extended,on_time";

/// `GET /admin/requests.csv?from=YYYY-MM-DD&to=YYYY-MM-DD`: the requests received in the
/// period (by default this calendar year), for the record of processing activities. Staff
/// only: 401 signed out, 403 for residents, 422 for a malformed date.
pub(super) async fn requests_csv(
    State(state): State<AppState>,
    session: Option<axum::Extension<auth::accounts::Session>>,
    Query(query): Query<PeriodQuery>,
) -> Response {
    use domain::calendar::Date;
    let Some(axum::Extension(session)) = session else {
        return (StatusCode::UNAUTHORIZED, "sign in as a privacy officer").into_response();
    };
    if !session.user.role.is_staff() {
        return (StatusCode::FORBIDDEN, "privacy officers and administrators only").into_response();
    }
    let today = store::requests::today();
    let parse = |value: Option<&str>, default: Date| match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => Date::parse(v),
    };
    let year_start = Date::new(today.year(), 1, 1).unwrap_or(today);
    let (Ok(from), Ok(to)) = (
        parse(query.from.as_deref(), year_start),
        parse(query.to.as_deref(), today),
    ) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "from and to are dates written YYYY-MM-DD",
        )
            .into_response();
    };
    let read = store::audit::AuditEntry {
        actor: store::audit::Actor::Staff(&session.user),
        action: "export_records",
        request_id: None,
        detail: &format!("{from} to {to}"),
    };
    if let Err(e) = store::audit::record_now(&state.pool, &read).await {
        tracing::error!(error = %e, "could not record the export; refused");
        return (StatusCode::SERVICE_UNAVAILABLE, "temporarily unavailable").into_response();
    }
    let records = match store::console::records(&state.pool, from, to).await {
        Ok(records) => records,
        Err(e) => {
            tracing::error!(error = %e, "could not read the request records");
            return (StatusCode::SERVICE_UNAVAILABLE, "temporarily unavailable").into_response();
        }
    };
    let mut out = String::from(REQUESTS_CSV_HEADER);
    out.push('\n');
    for r in &records {
        let opt = |v: Option<String>| v.unwrap_or_default();
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            r.id,
            r.kind.code(),
            r.channel.code(),
            r.received,
            r.due,
            opt(r.closed.map(|c| c.to_string())),
            r.status.code(),
            opt(r.days_taken().map(|d| d.to_string())),
            r.extended,
            opt(r.on_time().map(|o| o.to_string())),
        ));
    }
    let disposition = format!("attachment; filename=\"privacy-requests-{from}-to-{to}.csv\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        out,
    )
        .into_response()
}
