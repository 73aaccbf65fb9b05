//! The breach register: officers open incidents and work them on the 72-hour clock
//! (`/admin/breaches`, `/admin/breaches/{id}`), affected residents find a card on `/my`,
//! and closed incidents are public on `/breaches`. Agencies report incidents through the
//! API (`POST /api/v1/incidents`, `server/src/api/incidents.rs`).

pub mod console_page;
pub mod public_page;

use crate::error::AppError;
use domain::breaches::{BreachClock, RegulatorDraft};
use domain::lang::Lang;
use domain::register::DataCategory;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// An incident as the pages show it, texts in the reader's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreachView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub status: domain::breaches::BreachStatus,
    /// `YYYY-MM-DD HH:MM` UTC.
    pub detected: String,
    pub window: (String, String),
    /// Names of the systems concerned.
    pub systems: Vec<String>,
    pub data_categories: Vec<DataCategory>,
    pub containment: String,
    pub agency: Option<String>,
    /// While open: the clock to the regulator.
    pub clock: Option<BreachClock>,
    pub regulator_decision: Option<domain::breaches::RegulatorDecision>,
    pub regulator_reasons: Option<String>,
    pub affected_count: Option<i64>,
    pub public_summary: Option<String>,
    pub closed: Option<String>,
}

/// `YYYY-MM-DD HH:MM` (UTC) of a time in microseconds.
pub fn minute(at_us: i64) -> String {
    let t = store_free_rfc3339(at_us);
    format!(
        "{} {}",
        t.get(..10).unwrap_or_default(),
        t.get(11..16).unwrap_or_default()
    )
}

/// RFC 3339 of a time in microseconds, computed without the store (the page may show it).
fn store_free_rfc3339(at_us: i64) -> String {
    let secs = at_us.div_euclid(1_000_000);
    let date = domain::calendar::Date::from_unix_seconds(secs);
    let in_day = secs.rem_euclid(86_400);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60
    )
}

/// Reads `YYYY-MM-DDTHH:MM` (a `datetime-local` field, taken as UTC) into microseconds.
pub fn parse_minute(field: &str, text: &str) -> Result<i64, AppError> {
    let text = text.trim();
    let bad = || AppError::InvalidInput(field.to_owned());
    let date = domain::calendar::Date::parse(text.get(..10).ok_or_else(bad)?).map_err(|_| bad())?;
    let time = text.get(11..16).unwrap_or("00:00");
    let (h, m) = time.split_once(':').ok_or_else(bad)?;
    let (h, m): (i64, i64) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    Ok((date.unix_days() * 86_400 + h * 3600 + m * 60) * 1_000_000)
}

#[cfg(feature = "ssr")]
fn view_of(
    b: &store::breaches::Breach,
    systems: &[domain::register::System],
    lang: Lang,
    now_us: i64,
) -> BreachView {
    use domain::breaches::BreachStatus;
    BreachView {
        id: b.id.clone(),
        title: b.title.clone(),
        description: b.description.clone(),
        status: b.status,
        detected: minute(b.detected_at_us),
        window: (minute(b.window_start_us), minute(b.window_end_us)),
        systems: b
            .systems
            .iter()
            .map(|slug| {
                systems
                    .iter()
                    .find(|s| &s.slug == slug)
                    .map_or_else(|| slug.to_string(), |s| s.name.get(lang).to_owned())
            })
            .collect(),
        data_categories: b.data_categories.clone(),
        containment: b.containment.clone(),
        agency: b.agency.clone(),
        clock: (b.status == BreachStatus::Open).then(|| BreachClock::of(b.detected_at_us, now_us)),
        regulator_decision: b.regulator_decision,
        regulator_reasons: b.regulator_reasons.clone(),
        affected_count: b.affected_count,
        public_summary: b.public_summary.clone(),
        closed: b.closed_at_us.map(minute),
    }
}

/// The officers' list of incidents, and what the form to open one offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreachDesk {
    pub breaches: Vec<BreachView>,
    /// Every system: slug and name.
    pub systems: Vec<(String, String)>,
}

/// Staff: every incident, open ones first.
#[server(prefix = "/fn", endpoint = "breaches/desk")]
pub async fn load_breach_desk(lang: Lang) -> Result<BreachDesk, AppError> {
    crate::backend::require_staff()?;
    let pool = crate::backend::backend()?.pool;
    let systems = store::register::systems(&pool).await?;
    let now = store::now_us();
    Ok(BreachDesk {
        breaches: store::breaches::all(&pool)
            .await?
            .iter()
            .map(|b| view_of(b, &systems, lang, now))
            .collect(),
        systems: systems
            .iter()
            .map(|s| (s.slug.to_string(), s.name.get(lang).to_owned()))
            .collect(),
    })
}

/// Staff: opens an incident from the form (`fields`: title, description, detected,
/// window_start, window_end, containment, and a `system.{slug}` / `category.{code}` per
/// ticked box; times are UTC).
#[server(prefix = "/fn", endpoint = "breaches/open")]
pub async fn open_breach(fields: HashMap<String, String>) -> Result<(), AppError> {
    let session = crate::backend::require_staff()?;
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let mut systems = Vec::new();
    let mut categories = Vec::new();
    for key in fields.keys() {
        if let Some(slug) = key.strip_prefix("system.") {
            systems.push(domain::register::Slug::parse(slug).map_err(|_| AppError::NotFound)?);
        } else if let Some(code) = key.strip_prefix("category.") {
            categories.push(
                code.parse::<DataCategory>()
                    .map_err(|_| AppError::InvalidInput("category".to_owned()))?,
            );
        }
    }
    let input = domain::breaches::IncidentInput {
        title: get("title"),
        description: get("description"),
        detected_at_us: parse_minute("detected", &get("detected"))?,
        window_start_us: parse_minute("window_start", &get("window_start"))?,
        window_end_us: parse_minute("window_end", &get("window_end"))?,
        systems,
        data_categories: categories,
        containment: get("containment"),
    }
    .check()?;
    let pool = crate::backend::backend()?.pool;
    let id = store::breaches::open(&pool, &input, store::breaches::Opener::Officer(&session.user)).await??;
    leptos_axum::redirect(&format!("/admin/breaches/{id}"));
    Ok(())
}

/// One incident for the officer: the facts, the residents it affects (computed now), and the
/// draft report to the regulator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreachCase {
    pub breach: BreachView,
    pub enrolled: i64,
    pub queried: i64,
    pub affected: i64,
    pub draft: RegulatorDraft,
}

/// Staff: incident `id`.
#[server(prefix = "/fn", endpoint = "breaches/case")]
pub async fn load_breach_case(lang: Lang, id: String) -> Result<BreachCase, AppError> {
    crate::backend::require_staff()?;
    let pool = crate::backend::backend()?.pool;
    let breach = store::breaches::get(&pool, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let affected = store::breaches::affected_of(&pool, &id)
        .await?
        .unwrap_or_default();
    let systems = store::register::systems(&pool).await?;
    let mut contacts: Vec<String> = breach
        .systems
        .iter()
        .filter_map(|slug| systems.iter().find(|s| &s.slug == slug))
        .map(|s| format!("{} <{}>", s.agency.name.get(lang), s.agency.dpo_email))
        .collect();
    contacts.dedup();
    let count = |f: fn(&store::breaches::Affected) -> bool| {
        i64::try_from(affected.iter().filter(|a| f(a)).count()).unwrap_or(0)
    };
    let people = i64::try_from(affected.len()).unwrap_or(0);
    let draft = RegulatorDraft {
        nature: breach.description.clone(),
        categories: breach.data_categories.clone(),
        people: breach.affected_count.unwrap_or(people),
        records: breach.records_estimate.unwrap_or(people),
        contacts,
        consequences: breach.consequences.clone().unwrap_or_default(),
        measures: [
            breach.containment.as_str(),
            breach.measures.as_deref().unwrap_or_default(),
        ]
        .iter()
        .filter(|t| !t.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("\n"),
    };
    Ok(BreachCase {
        breach: view_of(&breach, &systems, lang, store::now_us()),
        enrolled: count(|a| a.enrolled),
        queried: count(|a| a.queried),
        affected: people,
        draft,
    })
}

/// Staff: records the regulator decision.
#[server(prefix = "/fn", endpoint = "breaches/decide")]
pub async fn decide_breach(
    id: String,
    decision: String,
    reasons: String,
    consequences: String,
    measures: String,
    records: String,
) -> Result<(), AppError> {
    let session = crate::backend::require_staff()?;
    let decision = decision
        .parse()
        .map_err(|_| AppError::InvalidInput("decision".to_owned()))?;
    let records_estimate = match records.trim() {
        "" => None,
        n => Some(
            n.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| AppError::InvalidInput("records".to_owned()))?,
        ),
    };
    let input = store::breaches::DecisionInput {
        decision,
        reasons,
        consequences,
        measures,
        records_estimate,
    };
    let pool = crate::backend::backend()?.pool;
    store::breaches::decide(&pool, &session.user, &id, &input).await??;
    leptos_axum::redirect(&format!("/admin/breaches/{id}?done=decided"));
    Ok(())
}

/// Staff: notifies the affected residents, once the count the officer saw is confirmed.
#[server(prefix = "/fn", endpoint = "breaches/notify")]
pub async fn notify_breach(id: String, confirmed: String) -> Result<(), AppError> {
    let session = crate::backend::require_staff()?;
    let confirmed = confirmed
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::InvalidInput("confirmed".to_owned()))?;
    let pool = crate::backend::backend()?.pool;
    store::breaches::notify(&pool, &session.user, &id, confirmed).await??;
    leptos_axum::redirect(&format!("/admin/breaches/{id}?done=notified"));
    Ok(())
}

/// Staff: closes the incident with its public summary.
#[server(prefix = "/fn", endpoint = "breaches/close")]
pub async fn close_breach(id: String, summary: String) -> Result<(), AppError> {
    let session = crate::backend::require_staff()?;
    let pool = crate::backend::backend()?.pool;
    store::breaches::close(&pool, &session.user, &id, &summary).await??;
    leptos_axum::redirect(&format!("/admin/breaches/{id}?done=closed"));
    Ok(())
}

/// Anyone: the closed incidents.
#[server(prefix = "/fn", endpoint = "breaches/public")]
pub async fn load_closed_breaches(lang: Lang) -> Result<Vec<BreachView>, AppError> {
    let pool = crate::backend::backend()?.pool;
    let systems = store::register::systems(&pool).await?;
    let now = store::now_us();
    Ok(store::breaches::closed(&pool)
        .await?
        .iter()
        .map(|b| view_of(b, &systems, lang, now))
        .collect())
}

/// The signed-in resident: the incidents they were told of (their breach cards).
#[server(prefix = "/fn", endpoint = "breaches/mine")]
pub async fn my_breaches(lang: Lang) -> Result<Vec<BreachView>, AppError> {
    let session = crate::backend::require_session()?;
    let pool = crate::backend::backend()?.pool;
    let systems = store::register::systems(&pool).await?;
    let now = store::now_us();
    Ok(store::breaches::resident_notices(&pool, &session.user.id)
        .await?
        .iter()
        .map(|b| view_of(b, &systems, lang, now))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_minute_is_read_as_utc_and_shown_back() {
        let at = parse_minute("detected", "2026-03-04T05:06").unwrap();
        assert_eq!(minute(at), "2026-03-04 05:06");
        assert!(parse_minute("detected", "2026-02-30T05:06").is_err());
        assert!(parse_minute("detected", "2026-03-04T25:00").is_err());
        assert!(parse_minute("detected", "soon").is_err());
    }
}
