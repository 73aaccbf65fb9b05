//! Open data: the city's statistics for a year, public and unauthenticated, as JSON and CSV.
//! Every count comes from the decision log, the consent and enrolment events and the privacy
//! requests; counts from 1 to 4 are published as `null` (JSON) or `<5` (CSV), and a total
//! is left out when one of its parts is hidden (`domain::stats`).

use super::error::ApiError;
use super::extract::ApiQuery;
use crate::http::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::stats::{Shown, YEARS, YearStats};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The statistics routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(stats_json))
        .routes(routes!(stats_csv))
}

/// `?year=2026`; the current year when absent.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// The calendar year (UTC) the figures cover.
    #[param(minimum = 2000, maximum = 2100, example = 2026)]
    year: Option<i32>,
}

/// `?year=` and which table the CSV holds.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatsCsvQuery {
    /// The calendar year (UTC) the figures cover.
    #[param(minimum = 2000, maximum = 2100, example = 2026)]
    year: Option<i32>,
    /// `decisions` (the default: one row per month, agency, system, purpose and kind),
    /// `months` (one row per month) or `reasons` (denials by reason).
    #[param(value_type = Option<StatsTable>)]
    table: Option<String>,
}

/// The tables of the CSV.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatsTable {
    Decisions,
    Months,
    Reasons,
}

/// A year's statistics.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatsDocument {
    pub year: i32,
    /// The rule every count follows.
    pub rule: String,
    pub months: Vec<MonthRow>,
    pub decisions: Vec<DecisionRow>,
    pub denial_reasons: Vec<ReasonRow>,
}

/// One month. A `null` count is from 1 to 4.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonthRow {
    /// `YYYY-MM`.
    pub month: String,
    pub checks_permitted: Option<i64>,
    pub checks_denied: Option<i64>,
    pub queries_permitted: Option<i64>,
    pub queries_denied: Option<i64>,
    pub enrolments: Option<i64>,
    pub enrolments_ended: Option<i64>,
    pub consents_given: Option<i64>,
    pub consents_withdrawn: Option<i64>,
    pub requests_received: Option<i64>,
    pub requests_closed: Option<i64>,
    /// The share of closed requests answered by their due date, in whole percent; `null`
    /// when fewer than 5 were closed.
    pub on_time_percent: Option<i64>,
    pub extended: Option<i64>,
}

/// The checks or queries of one month, agency, system and purpose. A `null` count is from
/// 1 to 4; `total` is `null` when a part is hidden.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DecisionRow {
    pub month: String,
    pub agency: String,
    pub system: String,
    pub purpose: String,
    /// `check` or `query`.
    pub kind: String,
    pub permits: Option<i64>,
    pub denials: Option<i64>,
    pub total: Option<i64>,
}

/// Denials for one reason over the year (`null`: from 1 to 4).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReasonRow {
    pub reason: String,
    pub denials: Option<i64>,
}

/// The rule, as the document states it.
pub const RULE: &str = "Counts from 1 to 4 are published as null (JSON) or <5 (CSV), so that no one can be singled out; a total is left out when one of its parts is hidden; the share answered on time is given only when at least 5 requests were closed.";

impl From<YearStats> for StatsDocument {
    fn from(s: YearStats) -> StatsDocument {
        StatsDocument {
            year: s.year,
            rule: RULE.to_owned(),
            months: s
                .months
                .into_iter()
                .map(|m| MonthRow {
                    month: m.month,
                    checks_permitted: m.checks_permitted.count(),
                    checks_denied: m.checks_denied.count(),
                    queries_permitted: m.queries_permitted.count(),
                    queries_denied: m.queries_denied.count(),
                    enrolments: m.enrolments.count(),
                    enrolments_ended: m.enrolments_ended.count(),
                    consents_given: m.consents_given.count(),
                    consents_withdrawn: m.consents_withdrawn.count(),
                    requests_received: m.requests_received.count(),
                    requests_closed: m.requests_closed.count(),
                    on_time_percent: m.on_time_percent,
                    extended: m.extended.count(),
                })
                .collect(),
            decisions: s
                .decisions
                .into_iter()
                .map(|d| DecisionRow {
                    month: d.month,
                    agency: d.agency,
                    system: d.system,
                    purpose: d.purpose,
                    kind: d.kind,
                    permits: d.permits.count(),
                    denials: d.denials.count(),
                    total: d.total.and_then(Shown::count),
                })
                .collect(),
            denial_reasons: s
                .denial_reasons
                .into_iter()
                .map(|r| ReasonRow {
                    reason: r.reason,
                    denials: r.denials.count(),
                })
                .collect(),
        }
    }
}

fn year_of(year: Option<i32>) -> Result<i32, ApiError> {
    let year = year.unwrap_or_else(|| domain::calendar::Date::from_unix_seconds(store::now()).year());
    if YEARS.contains(&year) {
        Ok(year)
    } else {
        Err(ApiError::invalid(format!(
            "year {year} is out of range: ask for a year from {} to {}",
            YEARS.start(),
            YEARS.end()
        )))
    }
}

/// A year's statistics: per month, per agency, system, purpose and kind, and denials by
/// reason, with small counts hidden.
#[utoipa::path(get, path = "/api/v1/stats", tag = "statistics", params(StatsQuery),
    responses(
        (status = 200, description = "The year's statistics", body = StatsDocument),
        (status = 400, description = "A query parameter other than year, or a year that is not a number", body = super::error::ErrorBody),
        (status = 422, description = "A year out of range", body = super::error::ErrorBody),
    ))]
pub async fn stats_json(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> Result<Json<StatsDocument>, ApiError> {
    let year = year_of(query.year)?;
    let stats = store::stats::year_stats(&state.pool, year)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(stats.into()))
}

/// The same statistics as CSV, one table at a time; `<5` stands for a count from 1 to 4.
#[utoipa::path(get, path = "/api/v1/stats.csv", tag = "statistics", params(StatsCsvQuery),
    responses(
        (status = 200, description = "One table of the year's statistics as CSV", content_type = "text/csv"),
        (status = 400, description = "An unknown parameter or table, or a year that is not a number", body = super::error::ErrorBody),
        (status = 422, description = "A year out of range", body = super::error::ErrorBody),
    ))]
pub async fn stats_csv(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<StatsCsvQuery>,
) -> Result<Response, ApiError> {
    let table = match query.table.as_deref() {
        None | Some("decisions") => StatsTable::Decisions,
        Some("months") => StatsTable::Months,
        Some("reasons") => StatsTable::Reasons,
        Some(other) => {
            return Err(ApiError::BadRequest {
                code: "unknown_table",
                message: format!("{other:?} is not a table: choose decisions, months or reasons"),
            });
        }
    };
    let year = year_of(query.year)?;
    let stats = store::stats::year_stats(&state.pool, year)
        .await
        .map_err(ApiError::internal)?;
    let body = csv_of(&stats, table).map_err(ApiError::internal)?;
    let name = format!(
        "attachment; filename=\"glasshouse-stats-{year}-{}.csv\"",
        match table {
            StatsTable::Decisions => "decisions",
            StatsTable::Months => "months",
            StatsTable::Reasons => "reasons",
        }
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        body,
    )
        .into_response())
}

/// One table of `stats` as CSV.
pub fn csv_of(stats: &YearStats, table: StatsTable) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let opt = |s: Option<Shown>| s.map(Shown::csv).unwrap_or_default();
    match table {
        StatsTable::Decisions => {
            out.write_record([
                "month", "agency", "system", "purpose", "kind", "permits", "denials", "total",
            ])?;
            for d in &stats.decisions {
                out.write_record([
                    &d.month,
                    &d.agency,
                    &d.system,
                    &d.purpose,
                    &d.kind,
                    &d.permits.csv(),
                    &d.denials.csv(),
                    &opt(d.total),
                ])?;
            }
        }
        StatsTable::Months => {
            out.write_record([
                "month",
                "checks_permitted",
                "checks_denied",
                "queries_permitted",
                "queries_denied",
                "enrolments",
                "enrolments_ended",
                "consents_given",
                "consents_withdrawn",
                "requests_received",
                "requests_closed",
                "on_time_percent",
                "extended",
            ])?;
            for m in &stats.months {
                out.write_record([
                    m.month.clone(),
                    m.checks_permitted.csv(),
                    m.checks_denied.csv(),
                    m.queries_permitted.csv(),
                    m.queries_denied.csv(),
                    m.enrolments.csv(),
                    m.enrolments_ended.csv(),
                    m.consents_given.csv(),
                    m.consents_withdrawn.csv(),
                    m.requests_received.csv(),
                    m.requests_closed.csv(),
                    m.on_time_percent.map(|p| p.to_string()).unwrap_or_default(),
                    m.extended.csv(),
                ])?;
            }
        }
        StatsTable::Reasons => {
            out.write_record(["reason", "denials"])?;
            for r in &stats.denial_reasons {
                out.write_record([&r.reason, &r.denials.csv()])?;
            }
        }
    }
    out.flush()?;
    out.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}
