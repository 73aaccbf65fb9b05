//! The demo city's public reviews (`server/demo/reviews.toml`): one open for comment, one
//! rejected, one approved and in force, and four whose comment period has ended and which
//! await the office's answer — each walked through the same store functions an officer's
//! clicks call, on dates counted back from today, with residents' comments.

use super::DemoError;
use auth::accounts::Accounts;
use domain::account::{CurrentUser, Role};
use domain::calendar::Date;
use domain::lang::Lang;
use domain::register::{Decision, ImpactReport, Outcome, ReportSection, ReviewRefused, SystemRecord};
use domain::text::LocalizedText;
use serde::Deserialize;
use sqlx::AnyPool;
use store::register::{self, Saved};

/// The reviews file, shipped in the binary.
pub const REVIEWS_TOML: &str = include_str!("../../demo/reviews.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewsFile {
    version: u32,
    reviews: Vec<DemoReview>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoReview {
    /// `comment`, `rejected` or `active`.
    stage: String,
    opened_days_ago: i64,
    comment_days: i64,
    decided_days_ago: Option<i64>,
    decided_by: Option<String>,
    answer: Option<LocalizedText>,
    reasoning: Option<LocalizedText>,
    /// A new system, proposed.
    system: Option<SystemRecord>,
    /// Or a planned system of the register, proposed to go live as it stands…
    goes_live: Option<String>,
    /// …under this name, once in force (a planned entry's name says "planned").
    name: Option<LocalizedText>,
    report: ImpactReport,
    #[serde(default)]
    comments: Vec<DemoComment>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoComment {
    section: ReportSection,
    by: usize,
    body: String,
    hidden: Option<String>,
}

impl ReviewsFile {
    /// Every text of the reviews missing a language the city declares, or given in one it
    /// does not, named by the review's system, the field and the language.
    fn translation_problems(&self, declared: &[Lang]) -> Vec<domain::register::Problem> {
        let mut problems = Vec::new();
        for (i, review) in self.reviews.iter().enumerate() {
            let slug = match (&review.system, &review.goes_live) {
                (Some(record), _) => record.slug.as_str(),
                (None, Some(slug)) => slug.as_str(),
                (None, None) => "(none)",
            };
            let owner = format!("review of system {slug}");
            let at = format!("reviews[{i}]");
            let mut texts: Vec<(String, &LocalizedText)> = Vec::new();
            texts.extend(review.name.as_ref().map(|t| ("name".to_owned(), t)));
            texts.extend(review.answer.as_ref().map(|t| ("answer".to_owned(), t)));
            texts.extend(review.reasoning.as_ref().map(|t| ("reasoning".to_owned(), t)));
            texts.extend(
                review
                    .report
                    .iter()
                    .map(|(section, t)| (format!("report.{}", section.code()), t)),
            );
            for (field, text) in texts {
                problems.extend(domain::register::text_problems(
                    &owner,
                    &field,
                    &format!("{at}.{field}"),
                    text,
                    declared,
                ));
            }
            if let Some(record) = &review.system {
                let file = domain::register::RegisterFile {
                    format: domain::register::REGISTER_FORMAT.to_owned(),
                    city: LocalizedText::default(),
                    languages: None,
                    agencies: Vec::new(),
                    systems: vec![record.clone()],
                    districts: Vec::new(),
                    devices: Vec::new(),
                };
                problems.extend(
                    domain::register::translation_gaps(&file, declared)
                        .into_iter()
                        .map(|p| domain::register::Problem {
                            path: p.path.replacen("systems[0]", &format!("{at}.system"), 1),
                            message: p.message,
                        }),
                );
            }
        }
        problems
    }
}

fn invalid(message: impl std::fmt::Display) -> DemoError {
    DemoError::Invalid(format!("demo reviews: {message}"))
}

fn refused(result: Result<Result<(), ReviewRefused>, store::StoreError>) -> Result<(), DemoError> {
    result.map_err(invalid)?.map_err(invalid)
}

/// Loads the reviews as `officer` (a register editor), with comments by demo residents
/// (created here with unusable random passwords). Returns how many reviews.
pub async fn load(
    pool: &AnyPool,
    accounts: &Accounts,
    officer: &CurrentUser,
    languages: &[Lang],
    today: Date,
) -> Result<usize, DemoError> {
    let file: ReviewsFile = toml::from_str(REVIEWS_TOML).map_err(invalid)?;
    if file.version != 1 {
        return Err(invalid(format!("version {} is not 1", file.version)));
    }
    let problems = file.translation_problems(languages);
    if !problems.is_empty() {
        let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
        return Err(invalid(listed.join("; ")));
    }
    let commenters = file
        .reviews
        .iter()
        .flat_map(|r| r.comments.iter().map(|c| c.by))
        .max()
        .unwrap_or(0);
    let mut residents = Vec::with_capacity(commenters);
    for n in 1..=commenters {
        let password = store::new_id();
        let user = accounts
            .create_user(
                &format!("commenter{n}@riverton.example"),
                &password,
                &format!("Riverton resident {n}"),
                Role::Resident,
            )
            .await
            .map_err(invalid)?;
        residents.push(user);
    }
    let agencies = register::agencies(pool).await?;
    for review in &file.reviews {
        let record = match (&review.system, &review.goes_live) {
            (Some(record), None) => record.clone(),
            (None, Some(slug)) => {
                let slug = domain::register::Slug::parse(slug).map_err(invalid)?;
                let stored = register::system(pool, &slug)
                    .await?
                    .ok_or_else(|| invalid(format!("no system {slug}")))?;
                let mut record = SystemRecord::of(&stored);
                record.status = domain::register::SystemStatus::Active.code().to_owned();
                if let Some(name) = &review.name {
                    record.name = name.clone();
                }
                record
            }
            _ => return Err(invalid("a review names either a new system or one going live")),
        };
        let system = record
            .check_one(&agencies)
            .map_err(|p| invalid(p.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")))?;
        let saved = register::save_system(pool, officer, &system, review.comment_days)
            .await?
            .map_err(invalid)?;
        let Saved::Review(id) = saved else {
            return Err(invalid(format!("{} needed no review", system.slug)));
        };
        refused(register::edit_draft(pool, officer, &id, &review.report, review.comment_days).await)?;
        let opened = today.add_days(-review.opened_days_ago);
        refused(register::publish_review(pool, officer, &id, opened).await)?;
        for comment in &review.comments {
            let author = residents
                .get(comment.by.wrapping_sub(1))
                .ok_or_else(|| invalid("no such commenter"))?;
            refused(
                register::comment(
                    pool,
                    &author.id,
                    &id,
                    comment.section,
                    &comment.body,
                    opened.add_days(1),
                )
                .await,
            )?;
            if let Some(reason) = &comment.hidden {
                let comments = register::review_comments(pool, &id, Some(&author.id)).await?;
                let mine = comments
                    .iter()
                    .find(|c| c.mine && c.section == comment.section)
                    .ok_or_else(|| invalid("the comment to hide is missing"))?;
                refused(register::hide_comment(pool, officer, &mine.id, reason).await)?;
            }
        }
        if review.stage == "comment" {
            continue;
        }
        let (Some(days), Some(body), Some(answer), Some(reasoning)) = (
            review.decided_days_ago,
            &review.decided_by,
            &review.answer,
            &review.reasoning,
        ) else {
            return Err(invalid(format!(
                "{}: a decided review needs its decision",
                system.slug
            )));
        };
        let decided = today.add_days(-days);
        refused(register::close_comments(pool, officer, &id, opened.add_days(review.comment_days)).await)?;
        refused(register::answer_review(pool, officer, &id, answer, decided.add_days(-1)).await)?;
        let outcome = match review.stage.as_str() {
            "rejected" => Outcome::Rejected,
            "active" => Outcome::Approved,
            other => return Err(invalid(format!("unknown stage {other:?}"))),
        };
        let decision = Decision {
            outcome,
            body: body.clone(),
            on: decided,
            reasoning: reasoning.clone(),
        };
        refused(register::decide_review(pool, officer, &id, &decision, today).await)?;
        if outcome == Outcome::Approved {
            refused(register::activate_review(pool, officer, &id).await)?;
        }
    }
    Ok(file.reviews.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_reviews_parse_with_one_of_each_stage_and_full_reports() {
        let file: ReviewsFile = toml::from_str(REVIEWS_TOML).expect("the demo reviews parse");
        let stages: Vec<&str> = file.reviews.iter().map(|r| r.stage.as_str()).collect();
        assert_eq!(
            stages,
            [
                "comment", "rejected", "active", "comment", "comment", "comment", "comment"
            ]
        );
        // The first is still open; the last four's periods are over, awaiting the office.
        let (open, ended) = file.reviews.split_at(1);
        assert!(open[0].opened_days_ago < open[0].comment_days);
        for review in ended.iter().filter(|r| r.stage == "comment") {
            assert!(
                review.opened_days_ago > review.comment_days,
                "the period has ended"
            );
        }
        for review in &file.reviews {
            assert_eq!(review.report.len(), ReportSection::ALL.len());
            assert!(
                review.system.is_some() != review.goes_live.is_some(),
                "a new system or one going live"
            );
        }
    }

    #[test]
    fn the_shipped_reviews_speak_every_language_the_city_declares() {
        let city = super::super::parse(super::super::CITY_TOML, super::super::STREETS_TOML)
            .expect("the demo city parses");
        let file: ReviewsFile = toml::from_str(REVIEWS_TOML).expect("the demo reviews parse");
        let problems = file.translation_problems(&city.languages);
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn a_review_text_without_a_declared_language_is_named() {
        let mut file: ReviewsFile = toml::from_str(REVIEWS_TOML).expect("the demo reviews parse");
        let review = &mut file.reviews[0];
        review.name = Some(LocalizedText::new([(Lang::En, "Pilot".to_owned())]));
        let problems = file.translation_problems(&[Lang::En, Lang::Ar]);
        assert_eq!(
            problems[0].to_string(),
            "reviews[0].name: review of system central-station-facial-recognition: \
             the name has no ar translation, and the city declares ar"
        );
    }
}
