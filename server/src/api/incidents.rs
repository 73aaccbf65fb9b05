//! Agencies report incidents into the city's breach register: `POST /api/v1/incidents`
//! (scope `incidents:write`), for the agency's own systems only. The officers' 72-hour clock
//! starts at the detection time the agency gives.

use super::caller::AgencyCaller;
use super::error::{ApiError, ErrorBody};
use super::json::ApiJson;
use crate::http::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::account::ApiScope;
use domain::breaches::{BreachClock, BreachRefused, IncidentInput};
use domain::register::{DataCategory, Slug};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(report_incident))
}

/// An incident as an agency reports it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentReport {
    #[schema(
        example = "Misdirected export of fare-card holders",
        min_length = 1,
        max_length = 200
    )]
    pub title: String,
    /// What happened.
    #[schema(min_length = 1, max_length = 8000)]
    pub description: String,
    /// When the agency became aware (RFC 3339).
    #[schema(example = "2026-11-27T09:30:00Z", format = DateTime)]
    pub detected_at: String,
    /// The stretch of time whose data may be exposed (RFC 3339).
    #[schema(example = "2026-11-20T00:00:00Z", format = DateTime)]
    pub window_start: String,
    #[schema(example = "2026-11-27T09:00:00Z", format = DateTime)]
    pub window_end: String,
    /// Slugs of the agency's own systems concerned.
    #[schema(value_type = Vec<SystemSlug>, min_items = 1, max_items = 50)]
    pub systems: Vec<String>,
    #[schema(value_type = Vec<super::codes::DataCategoryCode>, min_items = 1, max_items = 20)]
    pub data_categories: Vec<String>,
    /// What was done to contain it.
    #[serde(default)]
    #[schema(max_length = 8000)]
    pub containment: String,
}

/// A system's slug in the register.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[schema(
    example = "riverpass-fare-card",
    pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
    min_length = 1,
    max_length = 64
)]
pub struct SystemSlug(pub String);

/// The incident as opened.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct IncidentOpened {
    pub id: String,
    /// When the regulator must be notified at the latest (72 hours after detection, RFC 3339).
    pub notify_by: String,
}

fn time(field: &str, text: &str) -> Result<i64, ApiError> {
    chrono_free_rfc3339(text).ok_or_else(|| {
        ApiError::invalid(format!(
            "{field} must be a time written as RFC 3339, e.g. 2026-11-27T09:30:00Z"
        ))
    })
}

/// Reads `YYYY-MM-DDTHH:MM:SS(.fff)Z` or with an offset `±HH:MM` into microseconds.
fn chrono_free_rfc3339(text: &str) -> Option<i64> {
    let date = domain::calendar::Date::parse(text.get(..10)?).ok()?;
    if !matches!(text.as_bytes().get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let rest = text.get(11..)?;
    let (clock, offset) = match rest.find(['Z', 'z', '+', '-']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => return None,
    };
    let mut parts = clock.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let s: f64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(0..24).contains(&h) || !(0..60).contains(&m) || !(0.0..61.0).contains(&s) {
        return None;
    }
    let offset_secs = match offset {
        "Z" | "z" => 0,
        o if o.len() == 6 && &o[3..4] == ":" => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let (oh, om): (i64, i64) = (o[1..3].parse().ok()?, o[4..6].parse().ok()?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
        _ => return None,
    };
    let secs = date.unix_days() * 86_400 + h * 3600 + m * 60 - offset_secs;
    Some(secs * 1_000_000 + (s * 1_000_000.0).round() as i64)
}

/// Reports an incident about the agency's own systems into the city's breach register.
///
/// Needs the scope `incidents:write`. The city's privacy officers take it from there: the
/// 72-hour clock to the regulator starts at `detected_at`.
#[utoipa::path(
    post,
    path = "/api/v1/incidents",
    tag = "incidents",
    request_body = IncidentReport,
    security(("agency_token" = ["incidents:write"])),
    responses(
        (status = 201, description = "The incident is open", body = IncidentOpened),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 403, description = "The token lacks the scope incidents:write", body = ErrorBody),
        (status = 404, description = "A system is not one of the agency's", body = ErrorBody),
        (status = 422, description = "A field is missing or malformed, or the window is impossible", body = ErrorBody),
    )
)]
pub async fn report_incident(
    caller: AgencyCaller,
    State(state): State<AppState>,
    body: Result<ApiJson<IncidentReport>, ApiError>,
) -> Result<(StatusCode, Json<IncidentOpened>), ApiError> {
    caller.require(ApiScope::IncidentsWrite)?;
    let ApiJson(report) = body?;
    let systems = report
        .systems
        .iter()
        .map(|s| {
            Slug::parse(s).map_err(|_| ApiError::invalid("systems must be system slugs from the register"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let data_categories = report
        .data_categories
        .iter()
        .map(|c| {
            c.parse::<DataCategory>()
                .map_err(|_| ApiError::invalid(format!("{c:?} is not a data category")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let input = IncidentInput {
        title: report.title,
        description: report.description,
        detected_at_us: time("detected_at", &report.detected_at)?,
        window_start_us: time("window_start", &report.window_start)?,
        window_end_us: time("window_end", &report.window_end)?,
        systems,
        data_categories,
        containment: report.containment,
    }
    .check()
    .map_err(|refused| ApiError::invalid(refused.to_string()))?;
    let opener = store::breaches::Opener::Agency {
        client_id: &caller.client_id,
        agency: &caller.agency,
    };
    match store::breaches::open(&state.pool, &input, opener)
        .await
        .map_err(ApiError::internal)?
    {
        Ok(id) => {
            tracing::warn!(client = %caller.client_id, incident = %id, "an agency reported an incident");
            let due = BreachClock::of(input.detected_at_us, store::now_us()).due_at_us;
            Ok((
                StatusCode::CREATED,
                Json(IncidentOpened {
                    id,
                    notify_by: store::rfc3339_us(due),
                }),
            ))
        }
        Err(BreachRefused::NotFound) => Err(ApiError::NotFound(
            "A system named is not one of your agency's.".to_owned(),
        )),
        Err(refused) => Err(ApiError::invalid(refused.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::chrono_free_rfc3339;

    #[test]
    fn rfc3339_times_are_read_with_their_offset() {
        let z = chrono_free_rfc3339("2026-11-27T09:30:00Z").unwrap();
        assert_eq!(z, 1_795_771_800_000_000, "2026-11-27T09:30:00Z");
        assert_eq!(chrono_free_rfc3339("2026-11-27T10:30:00+01:00"), Some(z));
        assert_eq!(chrono_free_rfc3339("2026-11-27T09:30:00.5Z"), Some(z + 500_000));
        for wrong in [
            "2026-11-27",
            "2026-11-27T09:30Z",
            "2026-11-27T25:00:00Z",
            "2026-11-27T09:30:00",
            "yesterday",
        ] {
            assert_eq!(chrono_free_rfc3339(wrong), None, "{wrong}");
        }
    }
}
