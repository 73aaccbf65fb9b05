//! Keeping the register from the console, and the public review of proposals
//! (`domain::register::review`): an officer's saved entry is applied at once, or, when it
//! needs review, becomes a draft review that is published for comment, answered, decided
//! and activated. Each step is one transaction with its audit row; each stage change is
//! guarded by the stage it was decided on.

use super::import::apply_system;
use super::*;
use crate::audit::{Actor, AuditEntry};
use crate::from_json;
use domain::account::{CurrentUser, Role};
use domain::calendar::Date;
use domain::register::{
    CommentView, Decision, ImpactReport, Outcome, REVIEWS_PAGE_SIZE, ReportSection, Review, ReviewReason,
    ReviewRefused, ReviewStage, ReviewSummary, SystemPlan, SystemRecord, SystemStatus, review_reasons,
};

/// What saving an officer's entry did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// The change is in the register (a new version).
    Applied,
    /// The change needs public review: it waits in this review, as a draft.
    Review(String),
}

/// id, slug, stage, reasons, proposal, closes_on, visible comments.
type SummaryRow = (String, String, String, String, String, Option<String>, i64, i64);
/// id, section, author, body, created_at, hidden_reason.
type CommentRow = (String, String, Option<String>, String, i64, Option<String>);

type Refusable<T> = Result<Result<T, ReviewRefused>, StoreError>;

#[derive(FromRow)]
struct ReviewRow {
    id: String,
    system_slug: String,
    stage: String,
    reasons: String,
    proposal: String,
    report: String,
    comment_days: i64,
    opens_on: Option<String>,
    closes_on: Option<String>,
    answer: Option<String>,
    answered_on: Option<String>,
    decided_by: Option<String>,
    decided_on: Option<String>,
    reasoning: Option<String>,
}

const REVIEW_COLUMNS: &str = "id, system_slug, stage, reasons, proposal, report, comment_days, opens_on, \
     closes_on, answer, answered_on, decided_by, decided_on, reasoning";

fn date(column: &str, value: Option<String>) -> Result<Option<Date>, sqlx::Error> {
    value
        .map(|v| Date::parse(&v).map_err(|e| decode_err(column, e)))
        .transpose()
}

impl ReviewRow {
    fn into_review(self) -> Result<Review, sqlx::Error> {
        let stage: ReviewStage = code("system_reviews.stage", &self.stage)?;
        let decision = match (
            self.decided_by,
            date("system_reviews.decided_on", self.decided_on)?,
            self.reasoning,
        ) {
            (Some(body), Some(on), Some(reasoning)) => Some(Decision {
                outcome: match stage {
                    ReviewStage::Rejected => Outcome::Rejected,
                    _ => Outcome::Approved,
                },
                body,
                on,
                reasoning: text("system_reviews.reasoning", &reasoning)?,
            }),
            _ => None,
        };
        Ok(Review {
            id: self.id,
            system_slug: self.system_slug,
            stage,
            reasons: from_json("system_reviews.reasons", &self.reasons)?,
            proposal: from_json("system_reviews.proposal", &self.proposal)?,
            report: from_json("system_reviews.report", &self.report)?,
            comment_days: self.comment_days,
            opens_on: date("system_reviews.opens_on", self.opens_on)?,
            closes_on: date("system_reviews.closes_on", self.closes_on)?,
            answer: self
                .answer
                .as_deref()
                .map(|a| text("system_reviews.answer", a))
                .transpose()?,
            answered_on: date("system_reviews.answered_on", self.answered_on)?,
            decision,
        })
    }
}

async fn load_review(conn: &mut AnyConnection, id: &str) -> Result<Option<Review>, StoreError> {
    let row: Option<ReviewRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {REVIEW_COLUMNS} FROM system_reviews WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(ReviewRow::into_review).transpose()?)
}

/// Review `id`, whatever its stage (callers decide who may see a draft).
pub async fn review(pool: &AnyPool, id: &str) -> Result<Option<Review>, StoreError> {
    let mut conn = pool.acquire().await?;
    load_review(&mut conn, id).await
}

/// The latest review of system `slug` the public may see, if any.
pub async fn system_review(pool: &AnyPool, slug: &str) -> Result<Option<Review>, StoreError> {
    let row: Option<ReviewRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {REVIEW_COLUMNS} FROM system_reviews WHERE system_slug = $1 AND stage <> 'draft' \
         ORDER BY created_at DESC, id DESC LIMIT 1"
    )))
    .bind(slug)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(ReviewRow::into_review).transpose()?)
}

/// The review of `slug` still running, if any (its id and stage).
async fn running_review(
    conn: &mut AnyConnection,
    slug: &str,
) -> Result<Option<(String, ReviewStage)>, StoreError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT id, stage FROM system_reviews WHERE system_slug = $1 \
         AND stage IN ('draft', 'comment', 'review', 'approved') ORDER BY created_at DESC LIMIT 1",
    )
    .bind(slug)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(id, stage)| Ok((id, code("system_reviews.stage", &stage)?)))
        .transpose()
}

/// The proposal of system `slug`'s draft review, if it has one (what its form edits), and
/// whether any review of it is running.
pub async fn pending_proposal(
    pool: &AnyPool,
    slug: &str,
) -> Result<(Option<SystemRecord>, bool), StoreError> {
    let mut conn = pool.acquire().await?;
    let Some((id, stage)) = running_review(&mut conn, slug).await? else {
        return Ok((None, false));
    };
    if stage != ReviewStage::Draft {
        return Ok((None, true));
    }
    Ok((load_review(&mut conn, &id).await?.map(|r| r.proposal), true))
}

/// One page of the reviews, newest first (by creation, then id), with their counts of
/// visible comments; drafts only for staff. At most `REVIEWS_PAGE_SIZE`, after `after` (a
/// `REVIEW_CURSOR`) if given.
pub async fn reviews(
    pool: &AnyPool,
    with_drafts: bool,
    lang: domain::lang::Lang,
    after: Option<&Cursor>,
) -> Result<Page<ReviewSummary>, StoreError> {
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "SELECT r.id, r.system_slug, r.stage, r.reasons, r.proposal, r.closes_on, \
         (SELECT COUNT(*) FROM review_comments c WHERE c.review_id = r.id AND c.hidden_reason IS NULL), \
         r.created_at \
         FROM system_reviews r WHERE ($1 = 1 OR r.stage <> 'draft') \
         AND ($2 = 0 OR r.created_at < $3 OR (r.created_at = $3 AND r.id < $4)) \
         ORDER BY r.created_at DESC, r.id DESC LIMIT $5",
    )
    .bind(i64::from(with_drafts))
    .bind(i64::from(after.is_some()))
    .bind(after.map_or(0, |c| c.number(0)))
    .bind(after.map_or("", |c| c.part(1)))
    .bind(fetch_limit(REVIEWS_PAGE_SIZE))
    .fetch_all(pool)
    .await?;
    let page = Page::from_rows(rows, REVIEWS_PAGE_SIZE, |row| {
        Cursor::after(&[&row.7.to_string(), &row.0])
    });
    let next = page.next.clone();
    let items = page
        .items
        .into_iter()
        .map(|(id, slug, stage, reasons, proposal, closes_on, comments, _)| {
            let proposal: SystemRecord = from_json("system_reviews.proposal", &proposal)?;
            Ok(ReviewSummary {
                id,
                system_slug: slug,
                system_name: proposal.name.get(lang).to_owned(),
                stage: code("system_reviews.stage", &stage)?,
                reasons: from_json("system_reviews.reasons", &reasons)?,
                closes_on: date("system_reviews.closes_on", closes_on)?,
                comments,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(Page { items, next })
}

/// id, slug, proposal, published_us, decided_us, stage, closes_on, decided_by.
type EventRow = (
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
);

/// The latest `limit` review milestones (periods opened, decisions taken), newest first.
pub async fn review_events(
    pool: &AnyPool,
    limit: usize,
    lang: domain::lang::Lang,
) -> Result<Vec<domain::register::ReviewEvent>, StoreError> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT id, system_slug, proposal, published_us, decided_us, stage, closes_on, decided_by \
         FROM system_reviews WHERE published_us IS NOT NULL ORDER BY published_us DESC LIMIT $1",
    )
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(pool)
    .await?;
    let mut events = events_of(rows, lang, |_| true)?;
    events.truncate(limit);
    Ok(events)
}

/// The review milestones from `from_us` (inclusive) to `before_us` (exclusive), newest
/// first; an open end is unbounded. Pages of the change feed carry the milestones of their
/// own stretch of time this way, so consecutive pages partition them.
pub async fn review_events_between(
    pool: &AnyPool,
    from_us: Option<i64>,
    before_us: Option<i64>,
    lang: domain::lang::Lang,
) -> Result<Vec<domain::register::ReviewEvent>, StoreError> {
    let (from, before) = (from_us.unwrap_or(i64::MIN), before_us.unwrap_or(i64::MAX));
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT id, system_slug, proposal, published_us, decided_us, stage, closes_on, decided_by \
         FROM system_reviews WHERE (published_us >= $1 AND published_us < $2) \
         OR (decided_us >= $1 AND decided_us < $2)",
    )
    .bind(from)
    .bind(before)
    .fetch_all(pool)
    .await?;
    events_of(rows, lang, |at| from <= at && at < before)
}

/// The milestones of `rows` whose time `keep` accepts, newest first.
fn events_of(
    rows: Vec<EventRow>,
    lang: domain::lang::Lang,
    keep: impl Fn(i64) -> bool,
) -> Result<Vec<domain::register::ReviewEvent>, StoreError> {
    let mut events = Vec::new();
    for (id, slug, proposal, published, decided, stage, closes_on, decided_by) in rows {
        let proposal: SystemRecord = from_json("system_reviews.proposal", &proposal)?;
        let stage: ReviewStage = code("system_reviews.stage", &stage)?;
        let event = |at: i64, stage: ReviewStage| domain::register::ReviewEvent {
            at: crate::rfc3339_us(at),
            review_id: id.clone(),
            system_slug: slug.clone(),
            system_name: proposal.name.get(lang).to_owned(),
            stage,
            closes_on: None,
            decided_by: None,
        };
        if let Some(at) = published.filter(|at| keep(*at)) {
            events.push(domain::register::ReviewEvent {
                closes_on: date("system_reviews.closes_on", closes_on.clone())?,
                ..event(at, ReviewStage::Comment)
            });
        }
        if let Some(at) = decided.filter(|at| keep(*at)) {
            let outcome = if stage == ReviewStage::Rejected {
                ReviewStage::Rejected
            } else {
                ReviewStage::Approved
            };
            events.push(domain::register::ReviewEvent {
                decided_by: decided_by.clone(),
                ..event(at, outcome)
            });
        }
    }
    events.sort_by(|a, b| b.at.cmp(&a.at));
    Ok(events)
}

/// The comments on review `id`, by section then age; `viewer`'s own are marked.
pub async fn review_comments(
    pool: &AnyPool,
    id: &str,
    viewer: Option<&str>,
) -> Result<Vec<CommentView>, StoreError> {
    let rows: Vec<CommentRow> = sqlx::query_as(
        "SELECT id, section, user_id, body, created_at, hidden_reason FROM review_comments \
         WHERE review_id = $1 ORDER BY section, created_at, id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let mut comments = rows
        .into_iter()
        .map(|(id, section, author, body, at, hidden)| {
            Ok(CommentView {
                id,
                section: code("review_comments.section", &section)?,
                at: crate::rfc3339_us(at.saturating_mul(1_000_000)),
                body: hidden.is_none().then_some(body),
                hidden_reason: hidden,
                mine: viewer.is_some() && author.as_deref() == viewer,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    comments.sort_by_key(|c| c.section);
    Ok(comments)
}

async fn audit(
    tx: &mut Transaction<'_, Any>,
    user: &CurrentUser,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    let entry = AuditEntry {
        actor: Actor::Staff(user),
        action,
        request_id: None,
        detail,
    };
    crate::audit::record(tx, &entry).await?;
    Ok(())
}

/// Moves review `id` from `from` to `to` with `set` (more `column = $n` pairs, from $3), or
/// reports that someone else moved it first.
async fn move_stage(
    tx: &mut Transaction<'_, Any>,
    review: &Review,
    to: ReviewStage,
    set: &str,
    values: &[Option<String>],
) -> Result<(), StoreError> {
    let sql = format!(
        "UPDATE system_reviews SET stage = $1, updated_at = $2{set} WHERE id = ${} AND stage = ${}",
        values.len() + 3,
        values.len() + 4
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(to.code()).bind(now());
    for value in values {
        query = query.bind(value.clone());
    }
    let done = query
        .bind(&review.id)
        .bind(review.stage.code())
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(decode_err(
            "system_reviews.stage",
            "the review changed meanwhile; reload and try again",
        )
        .into());
    }
    Ok(())
}

/// Records when a step happened (for the change feed), in microseconds.
async fn stamp(tx: &mut Transaction<'_, Any>, id: &str, column: &'static str) -> Result<(), StoreError> {
    let sql = match column {
        "published_us" => "UPDATE system_reviews SET published_us = $1 WHERE id = $2",
        _ => "UPDATE system_reviews SET decided_us = $1 WHERE id = $2",
    };
    sqlx::query(sql)
        .bind(crate::now_us())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Saves an officer's entry for one system (checked against the register): applied at once
/// when it needs no review; otherwise kept as (or added to) the system's draft review.
/// Refused while a published review of the system is running.
pub async fn save_system(
    pool: &AnyPool,
    user: &CurrentUser,
    system: &System,
    comment_days: i64,
) -> Refusable<Saved> {
    let mut tx = crate::db::begin(pool).await?;
    let current = load_systems(&mut tx, Some(&system.slug)).await?.pop();
    let current_record = current.as_ref().map(SystemRecord::of);
    let mut proposal = SystemRecord::of(system);
    let reasons = review_reasons(current_record.as_ref(), &proposal);
    let saved = match running_review(&mut tx, system.slug.as_str()).await? {
        Some((id, ReviewStage::Draft)) => {
            sqlx::query(
                "UPDATE system_reviews SET proposal = $1, reasons = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(to_json(&proposal)?)
            .bind(to_json(&reasons)?)
            .bind(now())
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            audit(&mut tx, user, "register_edit_draft", system.slug.as_str()).await?;
            Saved::Review(id)
        }
        Some(_) => return Ok(Err(ReviewRefused::ReviewOpen)),
        None if reasons.is_empty() => {
            apply_system(&mut tx, &SystemPlan::new(system, current.as_ref())).await?;
            audit(&mut tx, user, "register_edit", system.slug.as_str()).await?;
            Saved::Applied
        }
        None => {
            if current.is_none() {
                proposal.status = SystemStatus::Planned.code().to_owned();
            }
            let id = new_id();
            let report: ImpactReport = ImpactReport::new();
            sqlx::query(
                "INSERT INTO system_reviews (id, system_slug, stage, reasons, proposal, report, comment_days, \
                 proposed_by, created_at, updated_at) VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(&id)
            .bind(system.slug.as_str())
            .bind(to_json(&reasons)?)
            .bind(to_json(&proposal)?)
            .bind(to_json(&report)?)
            .bind(comment_days)
            .bind(&user.id)
            .bind(now())
            .execute(&mut *tx)
            .await?;
            let why = reasons.iter().map(|r| r.code()).collect::<Vec<_>>().join(", ");
            audit(
                &mut tx,
                user,
                "register_propose",
                &format!("{} ({why})", system.slug),
            )
            .await?;
            Saved::Review(id)
        }
    };
    tx.commit().await?;
    Ok(Ok(saved))
}

/// Writes the draft's impact report and comment period.
pub async fn edit_draft(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
    report: &ImpactReport,
    comment_days: i64,
) -> Refusable<()> {
    let mut tx = crate::db::begin(pool).await?;
    let Some(review) = load_review(&mut tx, id).await? else {
        return Ok(Err(ReviewRefused::NotFound));
    };
    if let Err(refused) =
        domain::register::edit_draft(&review).and(domain::register::comment_days(comment_days))
    {
        return Ok(Err(refused));
    }
    sqlx::query(
        "UPDATE system_reviews SET report = $1, comment_days = $2, updated_at = $3 WHERE id = $4 AND stage = 'draft'",
    )
    .bind(to_json(report)?)
    .bind(comment_days)
    .bind(now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit(&mut tx, user, "review_edit_report", &review.system_slug).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Checks the proposal against the register as it stands now.
async fn proposal_system(
    tx: &mut Transaction<'_, Any>,
    record: &SystemRecord,
) -> Result<Result<System, ReviewRefused>, StoreError> {
    let agencies = agency_rows(tx)
        .await?
        .into_iter()
        .map(AgencyRow::into_agency)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(record.check_one(&agencies).map_err(|problems| {
        ReviewRefused::Proposal(
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    }))
}

/// Opens the comment period today. A new system enters the register as `planned`.
pub async fn publish_review(pool: &AnyPool, user: &CurrentUser, id: &str, today: Date) -> Refusable<()> {
    let mut tx = crate::db::begin(pool).await?;
    let Some(review) = load_review(&mut tx, id).await? else {
        return Ok(Err(ReviewRefused::NotFound));
    };
    let (opens, closes) = match domain::register::publish(&review, today) {
        Ok(period) => period,
        Err(refused) => return Ok(Err(refused)),
    };
    let mut system = match proposal_system(&mut tx, &review.proposal).await? {
        Ok(system) => system,
        Err(refused) => return Ok(Err(refused)),
    };
    let current = load_systems(&mut tx, Some(&system.slug)).await?.pop();
    if current.is_none() {
        // Proposed, not running: only an approved review's activation makes it active.
        system.status = SystemStatus::Planned;
        apply_system(&mut tx, &SystemPlan::new(&system, None)).await?;
    }
    move_stage(
        &mut tx,
        &review,
        ReviewStage::Comment,
        ", opens_on = $3, closes_on = $4",
        &[Some(opens.to_string()), Some(closes.to_string())],
    )
    .await?;
    stamp(&mut tx, &review.id, "published_us").await?;
    audit(
        &mut tx,
        user,
        "review_publish",
        &format!("{} until {closes}", review.system_slug),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// A resident's comment on one section (replacing their earlier one) while the period is open.
pub async fn comment(
    pool: &AnyPool,
    user_id: &str,
    id: &str,
    section: ReportSection,
    body: &str,
    today: Date,
) -> Refusable<()> {
    let Some(review) = review(pool, id).await? else {
        return Ok(Err(ReviewRefused::NotFound));
    };
    if !review.stage.is_public() {
        return Ok(Err(ReviewRefused::NotFound));
    }
    let body = match domain::register::may_comment(&review, today)
        .and_then(|()| domain::register::review_text(body))
    {
        Ok(body) => body,
        Err(refused) => return Ok(Err(refused)),
    };
    sqlx::query(
        "INSERT INTO review_comments (id, review_id, section, user_id, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (review_id, section, user_id) \
         DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at \
         WHERE review_comments.hidden_reason IS NULL",
    )
    .bind(new_id())
    .bind(id)
    .bind(section.code())
    .bind(user_id)
    .bind(&body)
    .bind(now())
    .execute(pool)
    .await?;
    Ok(Ok(()))
}

/// Hides a comment, with a reason that stays public.
pub async fn hide_comment(
    pool: &AnyPool,
    user: &CurrentUser,
    comment_id: &str,
    reason: &str,
) -> Refusable<()> {
    let reason = match domain::register::review_text(reason) {
        Ok(reason) => reason,
        Err(refused) => return Ok(Err(refused)),
    };
    let mut tx = crate::db::begin(pool).await?;
    let done = sqlx::query("UPDATE review_comments SET hidden_reason = $1, hidden_by = $2 WHERE id = $3")
        .bind(&reason)
        .bind(&user.id)
        .bind(comment_id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(ReviewRefused::NotFound));
    }
    audit(
        &mut tx,
        user,
        "review_hide_comment",
        &format!("{comment_id}: {reason}"),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Ends the comment period after its last day.
pub async fn close_comments(pool: &AnyPool, user: &CurrentUser, id: &str, today: Date) -> Refusable<()> {
    step(pool, user, id, "review_close_comments", |review| {
        domain::register::close_comments(review, today)
            .map(|()| (ReviewStage::Review, String::new(), Vec::new()))
    })
    .await
}

/// Publishes the office's answer to the comments.
pub async fn answer_review(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
    answer: &LocalizedText,
    today: Date,
) -> Refusable<()> {
    let mut tx = crate::db::begin(pool).await?;
    let Some(review) = load_review(&mut tx, id).await? else {
        return Ok(Err(ReviewRefused::NotFound));
    };
    if let Err(refused) = domain::register::answer(&review, answer) {
        return Ok(Err(refused));
    }
    move_stage(
        &mut tx,
        &review,
        ReviewStage::Review,
        ", answer = $3, answered_on = $4",
        &[Some(to_json(answer)?), Some(today.to_string())],
    )
    .await?;
    audit(&mut tx, user, "review_answer", &review.system_slug).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Records the decision. A rejected new system is retired (it never ran; its page keeps the
/// review and the decision).
pub async fn decide_review(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
    decision: &Decision,
    today: Date,
) -> Refusable<()> {
    let mut tx = crate::db::begin(pool).await?;
    let Some(review) = load_review(&mut tx, id).await? else {
        return Ok(Err(ReviewRefused::NotFound));
    };
    let stage = match domain::register::decide(&review, decision, today) {
        Ok(stage) => stage,
        Err(refused) => return Ok(Err(refused)),
    };
    move_stage(
        &mut tx,
        &review,
        stage,
        ", decided_by = $3, decided_on = $4, reasoning = $5",
        &[
            Some(decision.body.trim().to_owned()),
            Some(decision.on.to_string()),
            Some(to_json(&decision.reasoning)?),
        ],
    )
    .await?;
    stamp(&mut tx, &review.id, "decided_us").await?;
    if stage == ReviewStage::Rejected && review.reasons.contains(&ReviewReason::NewSystem) {
        let slug =
            Slug::parse(&review.system_slug).map_err(|e| decode_err("system_reviews.system_slug", e))?;
        let done = sqlx::query(
            "UPDATE systems SET status = 'retired', updated_at = $1 WHERE slug = $2 AND status = 'planned'",
        )
        .bind(now())
        .bind(slug.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            record_version(&mut tx, &slug).await?;
        }
    }
    let detail = format!(
        "{}: {} by {} on {}",
        review.system_slug,
        stage.code(),
        decision.body.trim(),
        decision.on
    );
    audit(&mut tx, user, "review_decide", &detail).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Puts an approved proposal in force: the register entry becomes the proposal (active, for
/// a system going live), a new version.
pub async fn activate_review(pool: &AnyPool, user: &CurrentUser, id: &str) -> Refusable<()> {
    let mut tx = crate::db::begin(pool).await?;
    let Some(review) = load_review(&mut tx, id).await? else {
        return Ok(Err(ReviewRefused::NotFound));
    };
    if let Err(refused) = domain::register::activate(&review) {
        return Ok(Err(refused));
    }
    let record = review.entry_in_force();
    let system = match proposal_system(&mut tx, &record).await? {
        Ok(system) => system,
        Err(refused) => return Ok(Err(refused)),
    };
    let current = load_systems(&mut tx, Some(&system.slug)).await?.pop();
    apply_system(&mut tx, &SystemPlan::new(&system, current.as_ref())).await?;
    move_stage(&mut tx, &review, ReviewStage::Active, "", &[]).await?;
    audit(&mut tx, user, "review_activate", &review.system_slug).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// A step that only moves the stage (with optional extra columns).
async fn step(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
    action: &str,
    rule: impl FnOnce(&Review) -> Result<(ReviewStage, String, Vec<Option<String>>), ReviewRefused>,
) -> Refusable<()> {
    let mut tx = crate::db::begin(pool).await?;
    let Some(review) = load_review(&mut tx, id).await? else {
        return Ok(Err(ReviewRefused::NotFound));
    };
    let (to, set, values) = match rule(&review) {
        Ok(step) => step,
        Err(refused) => return Ok(Err(refused)),
    };
    move_stage(&mut tx, &review, to, &set, &values).await?;
    audit(&mut tx, user, action, &review.system_slug).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Saves an agency from the console: a new one (`false` if its slug is taken) or an update
/// (`false` if it does not exist), audited in the same transaction.
pub async fn save_agency(
    pool: &AnyPool,
    user: &CurrentUser,
    agency: &Agency,
    new: bool,
) -> Result<bool, StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    let exists = agency_rows(&mut tx)
        .await?
        .iter()
        .any(|a| a.slug == agency.slug.as_str());
    if exists == new {
        return Ok(false);
    }
    if new {
        super::writing::insert_agency(&mut tx, agency).await?;
    } else {
        super::import::update_agency(&mut tx, agency).await?;
    }
    audit(
        &mut tx,
        user,
        if new {
            "register_add_agency"
        } else {
            "register_edit_agency"
        },
        agency.slug.as_str(),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Whether `user` may edit the register: admins, and officers an admin granted it.
pub async fn may_edit_register(pool: &AnyPool, user: &CurrentUser) -> Result<bool, StoreError> {
    match user.role {
        Role::Admin => Ok(true),
        Role::Officer => {
            let row: Option<(String,)> =
                sqlx::query_as("SELECT user_id FROM register_editors WHERE user_id = $1")
                    .bind(&user.id)
                    .fetch_optional(pool)
                    .await?;
            Ok(row.is_some())
        }
        Role::Resident => Ok(false),
    }
}

/// A member of staff, and whether they may edit the register.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RegisterStaff {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub editor: bool,
}

/// Every officer and admin, with their register role.
pub async fn register_staff(pool: &AnyPool) -> Result<Vec<RegisterStaff>, StoreError> {
    let rows: Vec<(String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT u.id, u.display_name, u.email, u.role, e.user_id FROM users u \
         LEFT JOIN register_editors e ON e.user_id = u.id \
         WHERE u.role IN ('officer', 'admin') AND u.erased_at IS NULL ORDER BY u.display_name, u.id",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, name, email, role, editor)| {
            let role: Role = code("users.role", &role)?;
            Ok(RegisterStaff {
                editor: role == Role::Admin || editor.is_some(),
                id,
                name,
                email,
                role,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// An admin (or the operator) grants or withdraws an officer's register role. `false`: no
/// such officer.
pub async fn grant_register(
    pool: &AnyPool,
    by: Actor<'_>,
    officer_id: &str,
    grant: bool,
) -> Result<bool, StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    let officer: Option<(String,)> = sqlx::query_as(
        "SELECT display_name FROM users WHERE id = $1 AND role = 'officer' AND erased_at IS NULL",
    )
    .bind(officer_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((name,)) = officer else {
        return Ok(false);
    };
    if grant {
        sqlx::query(
            "INSERT INTO register_editors (user_id, granted_by, granted_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(officer_id)
        .bind(by.id_and_name().0)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query("DELETE FROM register_editors WHERE user_id = $1")
            .bind(officer_id)
            .execute(&mut *tx)
            .await?;
    }
    let entry = AuditEntry {
        actor: by,
        action: if grant {
            "grant_register_role"
        } else {
            "withdraw_register_role"
        },
        request_id: None,
        detail: &format!("{name} ({officer_id})"),
    };
    crate::audit::record(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(true)
}
