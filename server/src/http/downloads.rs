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
    download(found, "no such receipt among yours", |receipt| {
        let name = format!("consent-receipt-{}.json", receipt.consent_receipt_id);
        let headers = [
            (header::CONTENT_DISPOSITION, attachment(&name)),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ];
        (headers, axum::Json(receipt)).into_response()
    })
}

/// `GET /my/requests/{id}/package.json`: the package answering one of the signed-in
/// resident's fulfilled access or portability requests, as a download; 401 when not signed
/// in, 404 for any request that is not theirs or has no package, 503 when storage fails —
/// all decided before the first byte.
///
/// The body is streamed: the package's parts, then its decisions a page at a time as they
/// are read, so a download holds one page however long the resident's log. Once the status
/// is sent a storage failure can no longer change it: it is logged and the body is aborted,
/// so the connection closes before the document's end and the client sees a broken
/// download, never a valid document with entries missing.
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
    download(found, "no such package among yours", |package| {
        let headers = [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                attachment(&format!("glasshouse-data-{id}.json")),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ];
        let body = axum::body::Body::from_stream(package_body(state.pool.clone(), package));
        (headers, body).into_response()
    })
}

/// Where the package's body is.
enum Written {
    Opening,
    Decisions,
    End,
}

/// The package document in chunks: the opening, one chunk per page of decisions read from
/// `pool` only once the previous chunk was taken (one page in flight), then the closing. A
/// failure ends the stream with an error, which aborts the response.
fn package_body(
    pool: sqlx::AnyPool,
    package: store::package::Package,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send {
    use domain::requests::PackageWriter;
    let start = (Written::Opening, package, PackageWriter::default());
    futures_util::stream::try_unfold(start, move |(at, mut package, mut writer)| {
        let pool = pool.clone();
        async move {
            let (chunk, next) = match at {
                Written::Opening => (
                    PackageWriter::opening(&package.parts).map_err(broken)?,
                    Written::Decisions,
                ),
                Written::Decisions => match package.decisions.next(&pool).await.map_err(broken)? {
                    Some(page) => (writer.decisions(&page).map_err(broken)?, Written::Decisions),
                    None => (
                        PackageWriter::closing(&package.parts).map_err(broken)?,
                        Written::End,
                    ),
                },
                Written::End => return Ok(None),
            };
            Ok(Some((chunk, (next, package, writer))))
        }
    })
}

/// Logs why a package's body broke off, and the error that aborts it.
fn broken(error: impl std::fmt::Display) -> std::io::Error {
    tracing::error!(%error, "a resident's package download broke off; its body is cut short");
    std::io::Error::other("the package could not be read to its end")
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

/// `attachment` with the file name `name`.
fn attachment(name: &str) -> String {
    format!("attachment; filename=\"{name}\"")
}

/// A resident's download: `respond` with what they asked for, 404 with `missing` when it is
/// not theirs, 503 when storage fails (logged).
fn download<T>(
    found: Result<Option<T>, store::StoreError>,
    missing: &'static str,
    respond: impl FnOnce(T) -> Response,
) -> Response {
    match found {
        Ok(Some(document)) => respond(document),
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

/// `GET /admin/breaches/{id}/letters.csv`: the residents an incident affects, ready for the
/// office to post a letter to those who do not use the app: resident number, name, postal
/// address, language and the notice in that language. Staff only; the read is recorded in
/// the staff log before anything is served.
pub(super) async fn breach_letters_csv(
    State(state): State<AppState>,
    session: Option<axum::Extension<auth::accounts::Session>>,
    Path(id): Path<String>,
) -> Response {
    use app::i18n::td_string;
    use app::i18n_support::locale_of;
    let Some(axum::Extension(session)) = session else {
        return (StatusCode::UNAUTHORIZED, "sign in as a privacy officer").into_response();
    };
    if !session.user.role.is_staff() {
        return (StatusCode::FORBIDDEN, "privacy officers and administrators only").into_response();
    }
    let (breach, affected) = match (
        store::breaches::get(&state.pool, &id).await,
        store::breaches::affected_of(&state.pool, &id).await,
    ) {
        (Ok(Some(breach)), Ok(Some(affected))) => (breach, affected),
        (Ok(None), _) | (_, Ok(None)) => return (StatusCode::NOT_FOUND, "no such incident").into_response(),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = %e, "could not compute an incident's residents");
            return (StatusCode::SERVICE_UNAVAILABLE, "temporarily unavailable").into_response();
        }
    };
    let read = store::audit::AuditEntry {
        actor: store::audit::Actor::Staff(&session.user),
        action: "breach_letters",
        request_id: None,
        detail: &format!("{id}: {} residents", affected.len()),
    };
    if let Err(e) = store::audit::record_now(&state.pool, &read).await {
        tracing::error!(error = %e, "could not record the letters' read; refused");
        return (StatusCode::SERVICE_UNAVAILABLE, "temporarily unavailable").into_response();
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut written = out.write_record(["resident_number", "name", "postal_address", "language", "notice"]);
    for resident in &affected {
        let lang = Lang::from_code(&resident.lang).unwrap_or_default();
        let l = locale_of(lang);
        let notice = format!(
            "{}: {} ({} UTC). {}",
            td_string!(l, breaches.card_title),
            breach.title,
            app::breaches::minute(breach.detected_at_us),
            td_string!(l, breaches.card_advice)
        );
        written = written.and_then(|()| {
            out.write_record([
                resident.resident_number.as_str(),
                resident.name.as_str(),
                resident.postal_address.as_deref().unwrap_or_default(),
                lang.code(),
                notice.as_str(),
            ])
        });
    }
    match written
        .map_err(|e| e.to_string())
        .and_then(|()| out.into_inner().map_err(|e| e.to_string()))
    {
        Ok(body) => {
            let headers = [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    attachment(&format!("breach-{id}-letters.csv")),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_owned()),
            ];
            (headers, body).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "could not write the letters");
            (StatusCode::INTERNAL_SERVER_ERROR, "could not write the letters").into_response()
        }
    }
}

/// `GET /reports/{year}/{system}/report.json`: a system's yearly surveillance report as a
/// JSON download (public, like the page), texts in `?lang=`.
pub(super) async fn yearly_report_json(
    State(state): State<AppState>,
    Path((year, system)): Path<(String, String)>,
    Query(query): Query<ReceiptQuery>,
) -> Response {
    let lang = query
        .lang
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or_default();
    let (Some(year), Ok(slug)) = (
        year.parse::<i32>()
            .ok()
            .filter(|y| domain::stats::YEARS.contains(y)),
        domain::register::Slug::parse(&system),
    ) else {
        return (StatusCode::NOT_FOUND, "no such report").into_response();
    };
    let pool = &state.backend.pool;
    let found = async {
        match store::register::system(pool, &slug).await? {
            Some(system) => Ok(Some(
                store::reports::yearly_report(pool, &system, year, lang).await?,
            )),
            None => Ok(None),
        }
    };
    download(found.await, "no such report", |report| {
        let name = format!("yearly-report-{year}-{slug}.json");
        (
            [(header::CONTENT_DISPOSITION, attachment(&name))],
            axum::Json(report),
        )
            .into_response()
    })
}
