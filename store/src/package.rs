//! The package that answers a fulfilled access or portability request: what Glasshouse
//! holds about the resident (profile, enrollments and their history, consent history, the decision-log entries
//! that name them, their requests) and what each agency reported.

use super::requests::{self as store, today};
use super::{code, rfc3339_us, text};
use crate::StoreError;
use domain::decision::{AccessEntry, AccessFilter};
use domain::lang::Lang;
use domain::requests::{AccessPackage, AgencyReport, EnrollmentRecord, RequestStatus, TaskOutcome};
use sqlx::AnyPool;

/// The most decision-log pages a package gathers (25 entries each).
const MAX_LOG_PAGES: usize = 2000;

/// The package of request `id`, if it is `user_id`'s, fulfilled, and of a kind that
/// delivers data; `None` otherwise.
pub async fn package(
    pool: &AnyPool,
    user_id: &str,
    id: &str,
    lang: Lang,
) -> Result<Option<AccessPackage>, StoreError> {
    let Some(state) = store::case(pool, Some(user_id), id).await? else {
        return Ok(None);
    };
    if state.status != RequestStatus::Fulfilled || !state.kind.delivers_data() {
        return Ok(None);
    }
    let Some(profile) = super::accounts::find_profile(pool, user_id).await? else {
        return Ok(None);
    };
    let enrollments = enrollments(pool, user_id, lang).await?;
    let enrollment_history = super::consent::enrollment_history(pool, user_id, lang).await?;
    let consent_history = super::consent::history(pool, user_id, lang).await?;
    let decisions = decisions(pool, user_id, lang).await?;
    let requests = store::mine(pool, user_id, today()).await?;
    let agency_reports = agency_reports(pool, id, lang).await?;
    Ok(Some(AccessPackage {
        format: "glasshouse-access-package/2".to_owned(),
        request_id: id.to_owned(),
        kind: state.kind,
        generated_at: rfc3339_us(super::now_us()),
        profile,
        enrollments,
        enrollment_history,
        consent_history,
        decisions,
        requests,
        agency_reports,
    }))
}

/// The systems `user_id` is enrolled with, and since when.
async fn enrollments(
    pool: &AnyPool,
    user_id: &str,
    lang: Lang,
) -> Result<Vec<EnrollmentRecord>, sqlx::Error> {
    let enrollments: Vec<(String, String, i64)> = sqlx::query_as(concat!(
        "SELECT s.slug, s.name, e.created_at FROM enrollments e JOIN systems s ON s.id = e.system_id ",
        "WHERE e.user_id = $1 ORDER BY s.slug"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    enrollments
        .into_iter()
        .map(|(system, name, since)| {
            Ok(EnrollmentRecord {
                system,
                system_name: text("systems.name", &name)?.get(lang).to_owned(),
                since: domain::calendar::Date::from_unix_seconds(since).to_string(),
            })
        })
        .collect()
}

/// Every decision-log entry that names `user_id`, page by page (at most `MAX_LOG_PAGES`).
async fn decisions(pool: &AnyPool, user_id: &str, lang: Lang) -> Result<Vec<AccessEntry>, StoreError> {
    let mut decisions = Vec::new();
    let mut filter = AccessFilter::default();
    for _ in 0..MAX_LOG_PAGES {
        let page = super::decision_log::page(pool, user_id, &filter, lang).await?;
        decisions.extend(page.entries);
        match page.next_before {
            Some(before) => filter.before = Some(before),
            None => break,
        }
    }
    Ok(decisions)
}

/// What an agency reported on one task of the request.
#[derive(sqlx::FromRow)]
struct AgencyReportRow {
    slug: String,
    system_name: String,
    agency_name: String,
    outcome: Option<String>,
    note: Option<String>,
    data: Option<String>,
}

impl AgencyReportRow {
    /// The report, with names in `lang` and the data the system holds.
    fn into_report(self, lang: Lang) -> Result<AgencyReport, sqlx::Error> {
        Ok(AgencyReport {
            system: self.slug,
            system_name: text("systems.name", &self.system_name)?.get(lang).to_owned(),
            agency_name: text("agencies.name", &self.agency_name)?.get(lang).to_owned(),
            outcome: self
                .outcome
                .map(|o| code::<TaskOutcome, _>("request_tasks.outcome", &o))
                .transpose()?,
            note: self.note,
            data: self
                .data
                .map(|d| super::from_json("request_tasks.data", &d))
                .transpose()?,
        })
    }
}

/// What each agency reported on request `id`, by agency and system.
async fn agency_reports(pool: &AnyPool, id: &str, lang: Lang) -> Result<Vec<AgencyReport>, sqlx::Error> {
    let rows: Vec<AgencyReportRow> = sqlx::query_as(concat!(
        "SELECT s.slug, s.name AS system_name, a.name AS agency_name, t.outcome, t.note, t.data ",
        "FROM request_tasks t ",
        "JOIN systems s ON s.id = t.system_id JOIN agencies a ON a.id = t.agency_id ",
        "WHERE t.request_id = $1 ORDER BY a.slug, s.slug"
    ))
    .bind(id)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(|row| row.into_report(lang)).collect()
}
