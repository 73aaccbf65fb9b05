//! Public review of proposed systems (`domain::register::review`): the public pages
//! (`/reviews`, `/reviews/:id`), residents' comments, and the register staff's steps
//! (publish, close, answer, decide, activate, hide a comment). Staff steps refuse anyone
//! without the register role before any work.

pub mod preview_page;
pub mod review_page;
pub mod reviews_page;

use crate::error::AppError;
use domain::lang::Lang;
use domain::register::{ReviewListPage, ReviewView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::backend as ssr;

/// A review's page: the review, and what the reader may do on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewPage {
    pub review: ReviewView,
    pub signed_in: bool,
    /// The reader keeps the register: the page shows the office's steps.
    pub editor: bool,
    /// A draft's report, section by section, in every language (editors only).
    pub report_fields: Vec<(String, String)>,
}

/// The staff member, if they may edit the register; refused otherwise, before any work.
#[cfg(feature = "ssr")]
pub async fn require_register_editor() -> Result<auth::accounts::Session, AppError> {
    let session = ssr::require_staff()?;
    let pool = ssr::backend()?.pool;
    if store::register::may_edit_register(&pool, &session.user).await? {
        Ok(session)
    } else {
        tracing::warn!(user = %session.user.id, "refused: no register role");
        Err(AppError::denied(true))
    }
}

/// One page of the reviews the public may see (and drafts, for register staff), newest
/// first, after `cursor`.
#[server(prefix = "/fn", endpoint = "reviews/list")]
pub async fn list_reviews(lang: Lang, cursor: Option<String>) -> Result<ReviewListPage, AppError> {
    let after = domain::register::REVIEW_CURSOR
        .decode_opt(cursor.as_deref().filter(|c| !c.is_empty()))
        .map_err(|_| AppError::InvalidInput("cursor".to_owned()))?;
    let pool = ssr::backend()?.pool;
    let editor = match ssr::session() {
        Some(s) if s.user.role.is_staff() => store::register::may_edit_register(&pool, &s.user).await?,
        _ => false,
    };
    let page = store::register::reviews(&pool, editor, lang, after.as_ref()).await?;
    Ok(ReviewListPage {
        next_cursor: page.next_cursor(),
        reviews: page.items,
        later: after.is_some(),
    })
}

/// The latest public review of system `slug`, if it had one: its id and stage.
#[server(prefix = "/fn", endpoint = "reviews/of_system")]
pub async fn system_review(
    slug: String,
) -> Result<Option<(String, domain::register::ReviewStage)>, AppError> {
    let pool = ssr::backend()?.pool;
    Ok(store::register::system_review(&pool, &slug)
        .await?
        .map(|r| (r.id, r.stage)))
}

/// Review `id` as its page shows it; a draft is "not found" to anyone but register staff.
#[server(prefix = "/fn", endpoint = "reviews/get")]
pub async fn get_review(id: String, lang: Lang) -> Result<ReviewPage, AppError> {
    use domain::register::{ReportSection, SystemRecord};
    let pool = ssr::backend()?.pool;
    let session = ssr::session();
    let editor = match &session {
        Some(s) if s.user.role.is_staff() => store::register::may_edit_register(&pool, &s.user).await?,
        _ => false,
    };
    let review = store::register::review(&pool, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !review.stage.is_public() && !editor {
        return Err(AppError::NotFound);
    }
    let current = match domain::register::Slug::parse(&review.system_slug) {
        Ok(slug) => store::register::system(&pool, &slug).await?,
        Err(_) => None,
    };
    // What the proposal would change is worth listing only while it is still a proposal.
    let current = current
        .filter(|_| review.stage.is_open())
        .map(|s| SystemRecord::of(&s));
    let viewer = session.as_ref().map(|s| s.user.id.clone());
    let comments = store::register::review_comments(&pool, &id, viewer.as_deref()).await?;
    let report_fields = if editor {
        ReportSection::ALL
            .iter()
            .flat_map(|section| {
                let text = review.report.get(section).cloned().unwrap_or_default();
                Lang::ALL
                    .iter()
                    .map(|l| {
                        (
                            format!("{}.{}", section.code(), l.code()),
                            text.iter()
                                .find(|(tl, _)| tl == l)
                                .map(|(_, t)| t.to_owned())
                                .unwrap_or_default(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(ReviewPage {
        review: review.view(lang, store::requests::today(), current.as_ref(), comments),
        signed_in: session.is_some(),
        editor,
        report_fields,
    })
}

#[cfg(feature = "ssr")]
fn back_to(id: &str, anchor: &str) {
    leptos_axum::redirect(&format!("/reviews/{id}?done={}#{anchor}", ssr::action_stamp()));
}

/// A signed-in resident's comment on one section of the report (replacing their earlier
/// one), while the comment period is open.
#[server(prefix = "/fn", endpoint = "reviews/comment")]
pub async fn comment_on_review(id: String, section: String, body: String) -> Result<(), AppError> {
    let session = ssr::require_session()?;
    let section: domain::register::ReportSection = section
        .parse()
        .map_err(|_| AppError::InvalidInput("section".to_owned()))?;
    let pool = ssr::backend()?.pool;
    store::register::comment(
        &pool,
        &session.user.id,
        &id,
        section,
        &body,
        store::requests::today(),
    )
    .await??;
    back_to(&id, &format!("section-{}", section.code()));
    Ok(())
}

/// Writes a draft's impact report (`fields`: `{section}.{lang}`) and its comment period.
#[server(prefix = "/fn", endpoint = "reviews/report")]
pub async fn save_review_report(
    id: String,
    comment_days: String,
    fields: std::collections::BTreeMap<String, String>,
) -> Result<(), AppError> {
    use domain::register::{ImpactReport, ReportSection};
    use domain::text::LocalizedText;
    let session = require_register_editor().await?;
    let days: i64 = comment_days
        .trim()
        .parse()
        .map_err(|_| domain::register::ReviewRefused::PeriodLength)?;
    let report: ImpactReport = ReportSection::ALL
        .iter()
        .map(|section| {
            let text = LocalizedText::new(Lang::ALL.iter().map(|l| {
                let value = fields
                    .get(&format!("{}.{}", section.code(), l.code()))
                    .cloned()
                    .unwrap_or_default();
                (*l, value)
            }));
            (*section, text)
        })
        .filter(|(_, text)| !text.is_empty())
        .collect();
    if report
        .values()
        .flat_map(|t| t.iter())
        .any(|(_, t)| t.chars().count() > domain::register::MAX_REVIEW_TEXT)
    {
        return Err(domain::register::ReviewRefused::TextRequired.into());
    }
    let pool = ssr::backend()?.pool;
    store::register::edit_draft(&pool, &session.user, &id, &report, days).await??;
    back_to(&id, "report");
    Ok(())
}

/// One of the office's steps that needs no text: `publish`, `close` (the comment period,
/// once over) or `activate` (an approved proposal).
#[server(prefix = "/fn", endpoint = "reviews/step")]
pub async fn review_step(id: String, step: String) -> Result<(), AppError> {
    let session = require_register_editor().await?;
    let pool = ssr::backend()?.pool;
    let today = store::requests::today();
    match step.as_str() {
        "publish" => store::register::publish_review(&pool, &session.user, &id, today).await??,
        "close" => store::register::close_comments(&pool, &session.user, &id, today).await??,
        "activate" => store::register::activate_review(&pool, &session.user, &id).await??,
        _ => return Err(AppError::InvalidInput("step".to_owned())),
    }
    tracing::info!(officer = %session.user.id, review = %id, step = %step, "review step");
    back_to(&id, "stage");
    Ok(())
}

/// Publishes the office's answer to the comments.
#[server(prefix = "/fn", endpoint = "reviews/answer")]
pub async fn answer_comments(
    id: String,
    answer_en: String,
    answer_es: Option<String>,
    answer_ar: Option<String>,
) -> Result<(), AppError> {
    let session = require_register_editor().await?;
    let answer = domain::text::LocalizedText::new([
        (Lang::En, answer_en),
        (Lang::Es, answer_es.unwrap_or_default()),
        (Lang::Ar, answer_ar.unwrap_or_default()),
    ]);
    let pool = ssr::backend()?.pool;
    store::register::answer_review(&pool, &session.user, &id, &answer, store::requests::today()).await??;
    back_to(&id, "answer");
    Ok(())
}

/// Records the decision a body took (`outcome`: approved or rejected), on `on`, with its reasoning.
#[server(prefix = "/fn", endpoint = "reviews/decide")]
pub async fn decide_review(
    id: String,
    outcome: String,
    body: String,
    on: String,
    reasoning_en: String,
    reasoning_es: Option<String>,
    reasoning_ar: Option<String>,
) -> Result<(), AppError> {
    use domain::register::{Decision, Outcome};
    let session = require_register_editor().await?;
    let outcome: Outcome = outcome
        .parse()
        .map_err(|_| AppError::InvalidInput("outcome".to_owned()))?;
    let on = domain::calendar::Date::parse(on.trim()).map_err(|_| AppError::InvalidInput("on".to_owned()))?;
    let decision = Decision {
        outcome,
        body: body.trim().to_owned(),
        on,
        reasoning: domain::text::LocalizedText::new([
            (Lang::En, reasoning_en),
            (Lang::Es, reasoning_es.unwrap_or_default()),
            (Lang::Ar, reasoning_ar.unwrap_or_default()),
        ]),
    };
    let pool = ssr::backend()?.pool;
    store::register::decide_review(&pool, &session.user, &id, &decision, store::requests::today()).await??;
    back_to(&id, "decision");
    Ok(())
}

/// Hides a comment, with a reason the public reads in its place.
#[server(prefix = "/fn", endpoint = "reviews/hide")]
pub async fn hide_review_comment(id: String, comment: String, reason: String) -> Result<(), AppError> {
    let session = require_register_editor().await?;
    let pool = ssr::backend()?.pool;
    store::register::hide_comment(&pool, &session.user, &comment, &reason).await??;
    back_to(&id, "comments");
    Ok(())
}

/// The entry review `id` proposes, as its public page would read once in force; a draft's
/// preview is "not found" to anyone but register staff, like the draft itself.
#[server(prefix = "/fn", endpoint = "reviews/preview")]
pub async fn review_preview(id: String, lang: Lang) -> Result<domain::register::SystemView, AppError> {
    let pool = ssr::backend()?.pool;
    let review = store::register::review(&pool, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !review.stage.is_public() {
        let editor = match ssr::session() {
            Some(s) if s.user.role.is_staff() => store::register::may_edit_register(&pool, &s.user).await?,
            _ => false,
        };
        if !editor {
            return Err(AppError::NotFound);
        }
    }
    let agencies = store::register::agencies(&pool).await?;
    let system = review.entry_in_force().check_one(&agencies).map_err(|problems| {
        // The proposal was checked when saved; an agency removed since is the only way here.
        tracing::error!(review = %id, ?problems, "a stored proposal no longer checks");
        AppError::Unavailable
    })?;
    Ok(system.view(lang))
}
