//! `/reports/{year}/{system}`: a system's yearly surveillance report, generated from the
//! logs and the register, with the sections register staff write (`domain::reports`). The
//! same report is downloadable as JSON (`/reports/{year}/{system}/report.json`).

pub mod report_page;

use crate::error::AppError;
use domain::lang::Lang;
use domain::reports::YearlyReport;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the report page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    pub report: YearlyReport,
    /// The reader keeps the register: the page shows the writing forms.
    pub editor: bool,
}

#[cfg(feature = "ssr")]
fn year_of(year: &str) -> Result<i32, AppError> {
    year.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| domain::stats::YEARS.contains(y))
        .ok_or(AppError::NotFound)
}

/// The report of `system` for `year`, in `lang`; `NotFound` for an unknown system or year.
#[server(prefix = "/fn", endpoint = "reports/yearly")]
pub async fn load_yearly_report(lang: Lang, year: String, system: String) -> Result<ReportView, AppError> {
    let year = year_of(&year)?;
    let slug = domain::register::Slug::parse(&system).map_err(|_| AppError::NotFound)?;
    let pool = crate::backend::backend()?.pool;
    let system = store::register::system(&pool, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let editor = match crate::backend::session() {
        Some(s) if s.user.role.is_staff() => store::register::may_edit_register(&pool, &s.user).await?,
        _ => false,
    };
    Ok(ReportView {
        report: store::reports::yearly_report(&pool, &system, year, lang).await?,
        editor,
    })
}

/// Register staff: writes one section of a report.
#[server(prefix = "/fn", endpoint = "reports/write")]
pub async fn write_report_section(
    year: String,
    system: String,
    section: String,
    body: String,
) -> Result<(), AppError> {
    let session = crate::reviews::require_register_editor().await?;
    let year = year_of(&year)?;
    let slug = domain::register::Slug::parse(&system).map_err(|_| AppError::NotFound)?;
    let section: domain::reports::WrittenSection = section
        .parse()
        .map_err(|_| AppError::InvalidInput("section".to_owned()))?;
    let body = domain::reports::section_text(&body)?;
    let pool = crate::backend::backend()?.pool;
    store::register::system(&pool, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    store::reports::save_section(&pool, &session.user, year, slug.as_str(), section, &body).await?;
    leptos_axum::redirect(&format!(
        "/reports/{year}/{slug}?saved={}#{}",
        crate::backend::action_stamp(),
        section.code()
    ));
    Ok(())
}
