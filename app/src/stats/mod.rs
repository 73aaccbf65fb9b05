//! `/stats`: the city's statistics for a year, counted from its own logs — checks and data
//! queries per month, agency, system and purpose, denials by reason, enrolments, consents
//! given and withdrawn, privacy requests received and closed and the share answered on
//! time — each chart drawn on the server as SVG with its table beside it, small counts
//! hidden (`domain::stats`). The same figures are open data at `/api/v1/stats`.

pub mod stats_page;

use crate::error::AppError;
use domain::lang::Lang;
use domain::stats::YearStats;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What `/stats` shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatsView {
    pub stats: YearStats,
    /// The years one may choose, newest first.
    pub years: Vec<i32>,
    /// Systems' and agencies' names in the page's language, by slug.
    pub names: Vec<(String, String)>,
}

/// The statistics of `year` (this year when `None`), names in `lang`.
#[server(prefix = "/fn", endpoint = "stats/year")]
pub async fn load_stats(lang: Lang, year: Option<i32>) -> Result<StatsView, AppError> {
    let this_year = domain::calendar::Date::from_unix_seconds(store::now()).year();
    let year = year.unwrap_or(this_year);
    if !domain::stats::YEARS.contains(&year) {
        return Err(AppError::InvalidInput("year".to_owned()));
    }
    let pool = crate::backend::backend()?.pool;
    let stats = store::stats::year_stats(&pool, year).await?;
    let mut names: Vec<(String, String)> = Vec::new();
    for system in store::register::systems(&pool).await? {
        names.push((system.slug.to_string(), system.name.get(lang).to_owned()));
    }
    for agency in store::register::agencies(&pool).await? {
        names.push((agency.slug.to_string(), agency.name.get(lang).to_owned()));
    }
    Ok(StatsView {
        stats,
        years: (this_year - 4..=this_year).rev().collect(),
        names,
    })
}
