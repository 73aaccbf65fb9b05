//! The package that answers a fulfilled access or portability request: what Glasshouse
//! holds about the resident (profile, enrollments and their history, consent history, the decision-log entries
//! that name them, their requests, their account notices) and what each agency reported.
//!
//! The decision log has no upper bound, so a package is read in two steps: its parts at once,
//! then its decisions page by page (`DecisionPages`), each page its own query, so that a
//! download holds one page at a time and no connection for longer than a query.

use super::requests::{self as store, today};
use super::{code, rfc3339_us, text};
use crate::StoreError;
use domain::decision::{ACCESS_PAGE_SIZE, AccessEntry, AccessFilter};
use domain::lang::Lang;
use domain::requests::{
    AgencyReport, EnrollmentRecord, PACKAGE_FORMAT, PackageParts, PackageSummary, RequestStatus, TaskOutcome,
};
use sqlx::AnyPool;

/// Decision-log entries read per query while a package is written.
pub const PACKAGE_PAGE_SIZE: usize = 100;

/// A package ready to be written: its parts, and its decisions still to be read.
#[derive(Debug)]
pub struct Package {
    pub parts: PackageParts,
    pub decisions: DecisionPages,
}

/// The decision-log entries that named the resident up to the moment the package was
/// generated (entries logged while it is read are left for the next package), newest first,
/// read one page at a time. Every entry is read, however long the log: it is the resident's.
#[derive(Debug)]
pub struct DecisionPages {
    user_id: String,
    lang: Lang,
    /// Where the next page starts; `None` once every entry was read.
    before: Option<i64>,
}

impl DecisionPages {
    /// The next page, newest first, from one query on `pool`; `None` once every entry was read.
    pub async fn next(&mut self, pool: &AnyPool) -> Result<Option<Vec<AccessEntry>>, StoreError> {
        let Some(before) = self.before else {
            return Ok(None);
        };
        let filter = AccessFilter {
            before: Some(before),
            ..AccessFilter::default()
        };
        let (entries, next_before) =
            super::decision_log::entries(pool, &self.user_id, &filter, PACKAGE_PAGE_SIZE, self.lang).await?;
        self.before = next_before;
        Ok((!entries.is_empty()).then_some(entries))
    }
}

/// The package of request `id`, if it is `user_id`'s, fulfilled, and of a kind that
/// delivers data; `None` otherwise. Its decisions are read afterwards, from `decisions`.
pub async fn package(
    pool: &AnyPool,
    user_id: &str,
    id: &str,
    lang: Lang,
) -> Result<Option<Package>, StoreError> {
    let Some(parts) = parts(pool, user_id, id, lang).await? else {
        return Ok(None);
    };
    // Read after the parts' checks, before any page: the package's decisions end here.
    let before = super::decision_log::last_seq(pool).await?.saturating_add(1);
    let decisions = DecisionPages {
        user_id: user_id.to_owned(),
        lang,
        before: Some(before),
    };
    Ok(Some(Package { parts, decisions }))
}

/// What the readable page of the package shows: its parts, its newest decisions (one page
/// of the access log) and how many decisions it holds; `None` as for `package`.
pub async fn summary(
    pool: &AnyPool,
    user_id: &str,
    id: &str,
    lang: Lang,
) -> Result<Option<PackageSummary>, StoreError> {
    let Some(parts) = parts(pool, user_id, id, lang).await? else {
        return Ok(None);
    };
    let before = super::decision_log::last_seq(pool).await?.saturating_add(1);
    let filter = AccessFilter {
        before: Some(before),
        ..AccessFilter::default()
    };
    let (newest_decisions, _) =
        super::decision_log::entries(pool, user_id, &filter, ACCESS_PAGE_SIZE, lang).await?;
    let decisions_total = super::decision_log::count_before(pool, user_id, before).await?;
    Ok(Some(PackageSummary {
        parts,
        newest_decisions,
        decisions_total,
    }))
}

/// Everything in the package of request `id` but its decisions; `None` as for `package`.
async fn parts(
    pool: &AnyPool,
    user_id: &str,
    id: &str,
    lang: Lang,
) -> Result<Option<PackageParts>, StoreError> {
    let Some(state) = store::case(pool, Some(user_id), id).await? else {
        return Ok(None);
    };
    if state.status != RequestStatus::Fulfilled || !state.kind.delivers_data() {
        return Ok(None);
    }
    let Some(profile) = super::accounts::find_profile(pool, user_id).await? else {
        return Ok(None);
    };
    Ok(Some(PackageParts {
        format: PACKAGE_FORMAT.to_owned(),
        request_id: id.to_owned(),
        kind: state.kind,
        generated_at: rfc3339_us(super::now_us()),
        profile,
        enrollments: enrollments(pool, user_id, lang).await?,
        enrollment_history: super::consent::enrollment_history(pool, user_id, lang).await?,
        consent_history: super::consent::history(pool, user_id, lang).await?,
        requests: store::mine(pool, user_id, today()).await?,
        agency_reports: agency_reports(pool, id, lang).await?,
        account_notices: super::account_notices::all(pool, user_id).await?,
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
