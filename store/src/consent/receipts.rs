//! A resident's consent history and the receipt of each event.

use super::*;
use domain::paging::{Cursor, Page, fetch_limit};

/// Every consent event of the resident, newest first (for the package, which holds them all;
/// the history page reads `history_page`).
#[tracing::instrument(skip(pool))]
pub async fn history(pool: &AnyPool, user_id: &str, lang: Lang) -> Result<Vec<ConsentEventView>, StoreError> {
    let rows: Vec<EventRow> = sqlx::query_as(concat!(
        event_select!(),
        "WHERE e.user_id = $1 ORDER BY e.at_us DESC, e.id DESC"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    let events = rows
        .into_iter()
        .map(|r| r.into_view(lang))
        .collect::<Result<_, _>>()?;
    Ok(events)
}

/// One page of the resident's consent events, newest first: at most `limit`, after `after`
/// (a `HISTORY_CURSOR`) if given. Only `user_id`'s own events, whatever the cursor names.
#[tracing::instrument(skip(pool))]
pub async fn history_page(
    pool: &AnyPool,
    user_id: &str,
    lang: Lang,
    limit: u32,
    after: Option<&Cursor>,
) -> Result<Page<ConsentEventView>, StoreError> {
    let rows: Vec<EventRow> = sqlx::query_as(concat!(
        event_select!(),
        "WHERE e.user_id = $1 AND ($2 = 0 OR e.at_us < $3 OR (e.at_us = $3 AND e.id < $4)) ",
        "ORDER BY e.at_us DESC, e.id DESC LIMIT $5"
    ))
    .bind(user_id)
    .bind(i64::from(after.is_some()))
    .bind(after.map_or(0, |c| c.number(0)))
    .bind(after.map_or("", |c| c.part(1)))
    .bind(fetch_limit(limit))
    .fetch_all(pool)
    .await?;
    let page = Page::from_rows(rows, limit, |r| Cursor::after(&[&r.at_us.to_string(), &r.id]));
    let items = page
        .items
        .into_iter()
        .map(|r| r.into_view(lang))
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        next: page.next,
    })
}

#[derive(FromRow)]
struct ReceiptRow {
    id: String,
    at_us: i64,
    action: String,
    channel: String,
    notice_version: i64,
    notice_basis: String,
    notice_name: String,
    notice_description: String,
    notice_categories: String,
    resident_number: String,
    system_slug: String,
    system_name: String,
    transfers: String,
    retention: String,
    recipients: String,
    purpose_key: String,
    agency_name: String,
    dpo_email: String,
    website: String,
    ledger_index: Option<i64>,
}

/// The receipt of one of the resident's events; `None` for any event not theirs. Links
/// in it start with `base_url`, the site's public address (empty: site-relative links).
#[tracing::instrument(skip(pool))]
pub async fn receipt(
    pool: &AnyPool,
    base_url: &str,
    user_id: &str,
    event_id: &str,
    lang: Lang,
) -> Result<Option<Receipt>, StoreError> {
    let row: Option<ReceiptRow> = sqlx::query_as(concat!(
        "SELECT e.id, e.at_us, e.action, e.channel, e.notice_version, n.legal_basis AS notice_basis, ",
        "n.name AS notice_name, n.description AS notice_description, n.categories AS notice_categories, ",
        "u.resident_number, s.slug AS system_slug, s.name AS system_name, s.transfers, s.retention, ",
        "s.recipients, p.key AS purpose_key, a.name AS agency_name, a.dpo_email, a.website, ",
        "l.idx AS ledger_index FROM consent_events e ",
        "LEFT JOIN ledger l ON l.source = 'consent' AND l.entry_id = e.id ",
        "JOIN users u ON u.id = e.user_id ",
        "JOIN purposes p ON p.id = e.purpose_id ",
        "JOIN systems s ON s.id = p.system_id ",
        "JOIN agencies a ON a.id = s.agency_id ",
        "JOIN purpose_notices n ON n.purpose_id = e.purpose_id AND n.version = e.notice_version ",
        "WHERE e.id = $1 AND e.user_id = $2"
    ))
    .bind(event_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let city: Option<(String,)> = sqlx::query_as("SELECT name FROM city WHERE id = 'city'")
        .fetch_optional(pool)
        .await?;
    let city = match city {
        Some((name,)) => text("city.name", &name)?.get(lang).to_owned(),
        None => String::new(),
    };
    let categories = row
        .notice_categories
        .split_whitespace()
        .map(|c| code::<DataCategory, _>("purpose_notices.categories", c))
        .collect::<Result<Vec<_>, _>>()?;
    let get = |column: &str, s: &str| text(column, s).map(|t| t.get(lang).to_owned());
    Ok(Some(Receipt::build(ReceiptFacts {
        record_id: format!("{}/{}/{}", row.resident_number, row.system_slug, row.purpose_key),
        event_id: row.id,
        at_unix: row.at_us.div_euclid(1_000_000),
        at: rfc3339_us(row.at_us),
        action: code("consent_events.action", &row.action)?,
        channel: code("consent_events.channel", &row.channel)?,
        language: lang.code().to_owned(),
        resident_number: row.resident_number,
        city,
        agency_name: get("agencies.name", &row.agency_name)?,
        agency_email: row.dpo_email,
        agency_website: row.website,
        system_name: get("systems.name", &row.system_name)?,
        system_slug: row.system_slug,
        purpose_key: row.purpose_key,
        legal_basis: code("purpose_notices.legal_basis", &row.notice_basis)?,
        notice_version: row.notice_version,
        notice_title: get("purpose_notices.name", &row.notice_name)?,
        notice_text: get("purpose_notices.description", &row.notice_description)?,
        categories,
        storage_location: get("systems.transfers", &row.transfers)?,
        retention: get("systems.retention", &row.retention)?,
        recipients: get("systems.recipients", &row.recipients)?,
        base_url: base_url.to_owned(),
        ledger_index: row.ledger_index,
    })))
}
