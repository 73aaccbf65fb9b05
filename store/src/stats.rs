//! The public statistics of a year, counted from the decision log, consent and enrolment
//! events and privacy requests (`domain::stats` publishes them, hiding small counts).
//!
//! Months are told apart with the year's 13 bounds as parameters, so every statement is the
//! same portable SQL on SQLite and PostgreSQL.

use crate::StoreError;
use domain::stats::{DecisionTally, MonthTally, YearStats, month_bounds_us};
use sqlx::AnyPool;

/// `CASE` giving the month (1–12) of the column `$col` from the bounds `$2`…`$13`.
macro_rules! month_of {
    ($col:literal) => {
        concat!(
            "CAST(CASE WHEN ",
            $col,
            " < $2 THEN 1 WHEN ",
            $col,
            " < $3 THEN 2 WHEN ",
            $col,
            " < $4 THEN 3 WHEN ",
            $col,
            " < $5 THEN 4 WHEN ",
            $col,
            " < $6 THEN 5 WHEN ",
            $col,
            " < $7 THEN 6 WHEN ",
            $col,
            " < $8 THEN 7 WHEN ",
            $col,
            " < $9 THEN 8 WHEN ",
            $col,
            " < $10 THEN 9 WHEN ",
            $col,
            " < $11 THEN 10 WHEN ",
            $col,
            " < $12 THEN 11 ELSE 12 END AS BIGINT)"
        )
    };
}

fn bind_bounds<'q, O>(
    mut query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    bounds: &[i64; 13],
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
    for bound in bounds {
        query = query.bind(*bound);
    }
    query
}

/// The raw tallies of `year`'s decisions, by month, agency, system, purpose and kind.
pub async fn decision_tallies(pool: &AnyPool, year: i32) -> Result<Vec<DecisionTally>, StoreError> {
    let bounds = month_bounds_us(year);
    let rows: Vec<(i64, String, String, String, String, i64, i64)> = bind_bounds(
        sqlx::query_as(concat!(
            "SELECT ",
            month_of!("at_us"),
            " AS month, agency, system, purpose, kind, \
             CAST(SUM(CASE WHEN decision = 'permit' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN decision = 'deny' THEN 1 ELSE 0 END) AS BIGINT) \
             FROM decision_log WHERE at_us >= $1 AND at_us < $13 \
             GROUP BY 1, agency, system, purpose, kind ORDER BY 1, agency, system, purpose, kind"
        )),
        &bounds,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(month, agency, system, purpose, kind, permits, denials)| DecisionTally {
                month: u8::try_from(month).unwrap_or(12),
                agency,
                system,
                purpose,
                kind,
                permits,
                denials,
            },
        )
        .collect())
}

/// Two counts per month (1–12) from a grouped query's rows `(month, first, second)`.
fn per_month(rows: Vec<(i64, i64, i64)>) -> [(i64, i64); 12] {
    let mut months = [(0i64, 0i64); 12];
    for (month, first, second) in rows {
        if let Some(slot) = usize::try_from(month - 1).ok().and_then(|i| months.get_mut(i)) {
            slot.0 += first;
            slot.1 += second;
        }
    }
    months
}

/// `SELECT` of an event table's two actions counted per month of `year` (`$1`…`$13`).
macro_rules! two_actions_per_month {
    ($table:literal, $first:literal, $second:literal) => {
        concat!(
            "SELECT ",
            month_of!("at_us"),
            " AS month, CAST(SUM(CASE WHEN action = '",
            $first,
            "' THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(CASE WHEN action = '",
            $second,
            "' THEN 1 ELSE 0 END) AS BIGINT) FROM ",
            $table,
            " WHERE action IN ('",
            $first,
            "', '",
            $second,
            "') AND at_us >= $1 AND at_us < $13 GROUP BY 1"
        )
    };
}

/// `year`'s statistics, published (small counts hidden).
pub async fn year_stats(pool: &AnyPool, year: i32) -> Result<YearStats, StoreError> {
    let bounds = month_bounds_us(year);
    let tallies = decision_tallies(pool, year).await?;
    let per_month_of = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            let rows: Vec<(i64, i64, i64)> =
                bind_bounds(sqlx::query_as(sql), &bounds).fetch_all(&pool).await?;
            Ok::<_, StoreError>(per_month(rows))
        }
    };
    let enrolments = per_month_of(two_actions_per_month!("enrollment_events", "confirmed", "ended")).await?;
    let consents = per_month_of(two_actions_per_month!("consent_events", "grant", "withdraw")).await?;
    // Request dates are calendar days, `YYYY-MM-DD`: the month is the text's middle.
    let prefix = format!("{year:04}-");
    let received: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT substr(received_on, 6, 2), CAST(COUNT(*) AS BIGINT), \
         CAST(SUM(CASE WHEN extended = 1 THEN 1 ELSE 0 END) AS BIGINT) \
         FROM privacy_requests WHERE substr(received_on, 1, 5) = $1 GROUP BY 1",
    )
    .bind(&prefix)
    .fetch_all(pool)
    .await?;
    let closed: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT substr(closed_on, 6, 2), CAST(COUNT(*) AS BIGINT), \
         CAST(SUM(CASE WHEN closed_on <= due_on THEN 1 ELSE 0 END) AS BIGINT) \
         FROM privacy_requests WHERE closed_on IS NOT NULL AND substr(closed_on, 1, 5) = $1 GROUP BY 1",
    )
    .bind(&prefix)
    .fetch_all(pool)
    .await?;
    let mut months = [MonthTally::default(); 12];
    for (i, month) in months.iter_mut().enumerate() {
        (month.enrolments, month.enrolments_ended) = enrolments[i];
        (month.consents_given, month.consents_withdrawn) = consents[i];
    }
    let slot = |mm: &str| {
        mm.parse::<usize>()
            .ok()
            .filter(|m| (1..=12).contains(m))
            .map(|m| m - 1)
    };
    for (mm, n, extended) in received {
        if let Some(i) = slot(&mm) {
            months[i].requests_received += n;
            months[i].extended += extended;
        }
    }
    for (mm, n, on_time) in closed {
        if let Some(i) = slot(&mm) {
            months[i].requests_closed += n;
            months[i].closed_on_time += on_time;
        }
    }
    let reasons: Vec<(String, i64)> = sqlx::query_as(
        "SELECT reason, CAST(COUNT(*) AS BIGINT) FROM decision_log \
         WHERE decision = 'deny' AND at_us >= $1 AND at_us < $2 GROUP BY reason",
    )
    .bind(bounds[0])
    .bind(bounds[12])
    .fetch_all(pool)
    .await?;
    Ok(YearStats::publish(year, &tallies, &months, &reasons))
}
