//! The demo city's one closed breach: renewal letters of library cards sent to previous
//! addresses, five weeks ago — opened, decided (the regulator notified), the affected
//! residents (everyone enrolled with library cards) told, and closed with a public summary,
//! each step through the breach register's own functions.

use super::DemoError;
use domain::account::CurrentUser;
use domain::breaches::{IncidentInput, RegulatorDecision};
use domain::register::{DataCategory, Slug};
use sqlx::AnyPool;

fn refused(e: domain::breaches::BreachRefused) -> DemoError {
    DemoError::Invalid(format!("the demo breach: {e}"))
}

/// Loads the closed incident, `officer` working it; returns how many residents were told.
pub async fn load(pool: &AnyPool, officer: &CurrentUser, today_us: i64) -> Result<i64, DemoError> {
    let day = 86_400 * 1_000_000;
    let slug = Slug::parse("library-cards").map_err(|e| DemoError::Invalid(e.to_string()))?;
    let input = IncidentInput {
        title: "Library card renewal letters sent to previous addresses".to_owned(),
        description: "A mailing of card renewal letters used an address list from before residents' \
                      last moves, so some letters with names and card numbers reached the previous \
                      address."
            .to_owned(),
        detected_at_us: today_us - 37 * day,
        window_start_us: today_us - 40 * day,
        window_end_us: today_us - 38 * day,
        systems: vec![slug],
        data_categories: vec![DataCategory::Identity, DataCategory::Contact],
        containment: "The mailing was stopped the same day and the address list replaced.".to_owned(),
    }
    .check()
    .map_err(refused)?;
    let id = store::breaches::open(pool, &input, store::breaches::Opener::Officer(officer))
        .await?
        .map_err(refused)?;
    let decision = store::breaches::DecisionInput {
        decision: RegulatorDecision::Notify,
        reasons: String::new(),
        consequences: "Names and card numbers were seen by whoever lives at a previous address; \
                       borrowing history was not included."
            .to_owned(),
        measures: "Card numbers of the letters concerned were replaced; the mailing now reads \
                   addresses at the time of sending."
            .to_owned(),
        records_estimate: None,
    };
    store::breaches::decide(pool, officer, &id, &decision)
        .await?
        .map_err(refused)?;
    let affected = store::breaches::affected_of(pool, &id).await?.unwrap_or_default();
    let count = i64::try_from(affected.len()).unwrap_or(0);
    store::breaches::notify(pool, officer, &id, count)
        .await?
        .map_err(refused)?;
    let summary = "Renewal letters reached previous addresses. The regulator was notified within \
                   72 hours, every card holder was told in the app or by post, and the card \
                   numbers concerned were replaced.";
    store::breaches::close(pool, officer, &id, summary)
        .await?
        .map_err(refused)?;
    Ok(count)
}
