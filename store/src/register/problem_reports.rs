//! Problems anyone signed in reports about the register, the officer queue they form, and
//! the public answers.

use super::*;
use crate::audit::{Actor, AuditEntry};
use domain::account::CurrentUser;
use domain::paging::{Cursor, Page, fetch_limit};
use domain::register::{PROBLEM_REPORTS_PAGE_SIZE, ProblemReport, ReviewRefused};

/// id, system slug, device code, body, created_at, answer, answered_at.
type ReportRow = (
    String,
    Option<String>,
    Option<String>,
    String,
    i64,
    Option<String>,
    Option<i64>,
);

type Refusable<T> = Result<Result<T, ReviewRefused>, StoreError>;

/// Files a report by `user_id` (about system `slug`, if named): refused past the day's cap,
/// for a blank or overlong text, or an unknown system. Returns its id.
pub async fn file_problem_report(
    pool: &AnyPool,
    user_id: &str,
    slug: Option<&Slug>,
    body: &str,
) -> Refusable<String> {
    let body = match domain::register::review_text(body) {
        Ok(body) if body.chars().count() <= 4000 => body,
        _ => return Ok(Err(ReviewRefused::TextRequired)),
    };
    let mut tx = crate::db::begin(pool).await?;
    if let Some(slug) = slug
        && load_systems(&mut tx, Some(slug)).await?.is_empty()
    {
        return Ok(Err(ReviewRefused::NotFound));
    }
    let (sent,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM register_reports WHERE user_id = $1 AND created_at > $2")
            .bind(user_id)
            .bind(now() - 86_400)
            .fetch_one(&mut *tx)
            .await?;
    if let Err(refused) = domain::register::may_report(sent) {
        return Ok(Err(refused));
    }
    let id = new_id();
    sqlx::query("INSERT INTO register_reports (id, system_slug, body, user_id, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(slug.map(Slug::as_str))
        .bind(&body)
        .bind(user_id)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// One page of the reports, newest first (by time, then id), in `lang` (no authors): at
/// most `PROBLEM_REPORTS_PAGE_SIZE`, after `after` (a `PROBLEM_REPORT_CURSOR`) if given.
pub async fn problem_reports(
    pool: &AnyPool,
    lang: domain::lang::Lang,
    after: Option<&Cursor>,
) -> Result<Page<ProblemReport>, StoreError> {
    let rows: Vec<ReportRow> = sqlx::query_as(
        "SELECT id, system_slug, device_code, body, created_at, answer, answered_at FROM register_reports \
         WHERE ($1 = 0 OR created_at < $2 OR (created_at = $2 AND id < $3)) \
         ORDER BY created_at DESC, id DESC LIMIT $4",
    )
    .bind(i64::from(after.is_some()))
    .bind(after.map_or(0, |c| c.number(0)))
    .bind(after.map_or("", |c| c.part(1)))
    .bind(fetch_limit(PROBLEM_REPORTS_PAGE_SIZE))
    .fetch_all(pool)
    .await?;
    let page = Page::from_rows(rows, PROBLEM_REPORTS_PAGE_SIZE, |(id, _, _, _, created, _, _)| {
        Cursor::after(&[&created.to_string(), id])
    });
    let systems = systems(pool).await?;
    let at = |secs: i64| crate::rfc3339_us(secs.saturating_mul(1_000_000));
    Ok(page.map(
        |(id, slug, device, body, created, answer, answered)| ProblemReport {
            id,
            system: slug.map(|slug| {
                let name = systems
                    .iter()
                    .find(|s| s.slug.as_str() == slug)
                    .map(|s| s.name.get(lang).to_owned())
                    .unwrap_or_else(|| slug.clone());
                (slug, name)
            }),
            device,
            body,
            at: at(created),
            answer,
            answered_at: answered.map(at),
        },
    ))
}

/// An officer's public answer to report `id` (replacing an earlier one), audited with it.
pub async fn answer_problem_report(
    pool: &AnyPool,
    officer: &CurrentUser,
    id: &str,
    answer: &str,
) -> Refusable<()> {
    let answer = match domain::register::review_text(answer) {
        Ok(answer) => answer,
        Err(refused) => return Ok(Err(refused)),
    };
    let mut tx = crate::db::begin(pool).await?;
    let done = sqlx::query(
        "UPDATE register_reports SET answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4",
    )
    .bind(&answer)
    .bind(&officer.id)
    .bind(now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(ReviewRefused::NotFound));
    }
    let entry = AuditEntry {
        actor: Actor::Staff(officer),
        action: "answer_register_report",
        request_id: None,
        detail: id,
    };
    crate::audit::record(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(Ok(()))
}
