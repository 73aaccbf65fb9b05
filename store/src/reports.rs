//! The yearly surveillance report of one system: its figures counted from the decision log,
//! the register's problem reports, privacy requests, upheld objections and incidents, and
//! the sections officers write (each save audited).

use crate::audit::{Actor, AuditEntry};
use crate::{StoreError, now_us};
use domain::account::CurrentUser;
use domain::lang::Lang;
use domain::register::System;
use domain::reports::{PurposeUse, WrittenSection, YearlyReport};
use domain::stats::{Shown, month_bounds_us};
use sqlx::AnyPool;

/// One count of the log for a system: agency, purpose, kind, decision, count.
type UseRow = (String, String, String, String, i64);

/// The report of `system` for `year`, texts in `lang`.
pub async fn yearly_report(
    pool: &AnyPool,
    system: &System,
    year: i32,
    lang: Lang,
) -> Result<YearlyReport, StoreError> {
    let bounds = month_bounds_us(year);
    let (from, to) = (bounds[0], bounds[12]);
    let slug = system.slug.as_str();
    let rows: Vec<UseRow> = sqlx::query_as(
        "SELECT agency, purpose, kind, decision, CAST(COUNT(*) AS BIGINT) FROM decision_log \
         WHERE system = $1 AND at_us >= $2 AND at_us < $3 GROUP BY agency, purpose, kind, decision",
    )
    .bind(slug)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    let sum = |f: &dyn Fn(&UseRow) -> bool| -> i64 { rows.iter().filter(|r| f(r)).map(|r| r.4).sum() };
    let mut purposes: Vec<String> = system.purposes.iter().map(|p| p.key.to_string()).collect();
    for (_, purpose, ..) in &rows {
        if !purposes.contains(purpose) {
            purposes.push(purpose.clone());
        }
    }
    let uses = purposes
        .iter()
        .map(|key| {
            let declared = system.purposes.iter().find(|p| p.key.as_str() == key);
            let count = |kind: &str, decision: &str| {
                Shown::of(sum(&|r| &r.1 == key && r.2 == kind && r.3 == decision))
            };
            PurposeUse {
                purpose: key.clone(),
                name: declared.map(|p| p.name.get(lang).to_owned()),
                legal_basis: declared.map(|p| p.legal_basis),
                checks_permitted: count("check", "permit"),
                checks_denied: count("check", "deny"),
                queries_permitted: count("query", "permit"),
                queries_denied: count("query", "deny"),
            }
        })
        .collect();
    let mut agencies: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    agencies.sort();
    agencies.dedup();
    let askers = agencies
        .into_iter()
        .map(|a| {
            let checks = Shown::of(sum(&|r| r.0 == a && r.2 == "check"));
            let queries = Shown::of(sum(&|r| r.0 == a && r.2 == "query"));
            (a, checks, queries)
        })
        .collect();
    let reasons: Vec<(String, i64)> = sqlx::query_as(
        "SELECT reason, CAST(COUNT(*) AS BIGINT) FROM decision_log WHERE system = $1 AND decision = 'deny' \
         AND at_us >= $2 AND at_us < $3 GROUP BY reason ORDER BY 2 DESC, reason",
    )
    .bind(slug)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    let one = |sql: &'static str, secs: bool| {
        let pool = pool.clone();
        async move {
            let (n,): (i64,) = sqlx::query_as(sql)
                .bind(slug)
                .bind(if secs { from / 1_000_000 } else { from })
                .bind(if secs { to / 1_000_000 } else { to })
                .fetch_one(&pool)
                .await?;
            Ok::<_, StoreError>(Shown::of(n))
        }
    };
    let problem_reports = one(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM register_reports WHERE system_slug = $1 AND created_at >= $2 AND created_at < $3",
        true,
    )
    .await?;
    let requests = one(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM request_tasks t JOIN systems s ON s.id = t.system_id \
         JOIN privacy_requests r ON r.id = t.request_id WHERE s.slug = $1 AND r.created_at_us >= $2 AND r.created_at_us < $3",
        false,
    )
    .await?;
    let objections_upheld = one(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM upheld_objections o JOIN purposes p ON p.id = o.purpose_id \
         JOIN systems s ON s.id = p.system_id WHERE s.slug = $1 AND o.at_us >= $2 AND o.at_us < $3",
        false,
    )
    .await?;
    let incidents = crate::breaches::all(pool)
        .await?
        .into_iter()
        .filter(|b| b.systems.contains(&system.slug) && b.detected_at_us >= from && b.detected_at_us < to)
        .map(|b| (b.title, b.status.code().to_owned()))
        .collect();
    let texts: Vec<(String, String)> =
        sqlx::query_as("SELECT section, body FROM yearly_report_texts WHERE year = $1 AND system_slug = $2")
            .bind(i64::from(year))
            .bind(slug)
            .fetch_all(pool)
            .await?;
    let written = WrittenSection::ALL
        .iter()
        .filter_map(|section| {
            texts
                .iter()
                .find(|(code, body)| code == section.code() && !body.is_empty())
                .map(|(_, body)| (*section, body.clone()))
        })
        .collect();
    Ok(YearlyReport {
        year,
        system: slug.to_owned(),
        system_name: system.name.get(lang).to_owned(),
        agency_name: system.agency.name.get(lang).to_owned(),
        uses,
        askers,
        denial_reasons: reasons.into_iter().map(|(r, n)| (r, Shown::of(n))).collect(),
        problem_reports,
        requests,
        objections_upheld,
        incidents,
        written,
    })
}

/// Register staff: saves one written section of a report (an empty text removes it), with
/// its audit row.
pub async fn save_section(
    pool: &AnyPool,
    officer: &CurrentUser,
    year: i32,
    system: &str,
    section: WrittenSection,
    body: &str,
) -> Result<(), StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    sqlx::query(
        "INSERT INTO yearly_report_texts (year, system_slug, section, body, updated_by, updated_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (year, system_slug, section) DO UPDATE SET \
         body = excluded.body, updated_by = excluded.updated_by, updated_at_us = excluded.updated_at_us",
    )
    .bind(i64::from(year))
    .bind(system)
    .bind(section.code())
    .bind(body)
    .bind(&officer.id)
    .bind(now_us())
    .execute(&mut *tx)
    .await?;
    let detail = format!("{system} {year} {}", section.code());
    let entry = AuditEntry {
        actor: Actor::Staff(officer),
        action: "write_yearly_report",
        request_id: None,
        detail: &detail,
    };
    crate::audit::record(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}
