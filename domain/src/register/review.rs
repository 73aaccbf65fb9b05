//! Public review: before a new system goes live, or before a change that adds facial
//! recognition, biometrics, licence-plate reading, a purpose or a data category takes
//! effect, the proposal is published with an impact report, residents comment section by
//! section, the office answers, a body decides, and only an approved proposal is activated.
//!
//! ```text
//! draft ─publish→ comment ─close (period over)→ review ─decide→ approved ─activate→ active
//!                                                       └─────→ rejected
//! ```
//!
//! Every transition is a pure function of the review and today's date: the store applies
//! what it answers.

use super::{DataCategory, SystemRecord, Technology};
use crate::calendar::Date;
use crate::text::LocalizedText;
use crate::vocabulary;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The comment period when the city configures none (NYC's POST Act: 45 days).
pub const DEFAULT_COMMENT_DAYS: i64 = 45;
/// The longest comment, answer, reasoning or report section, in characters.
pub const MAX_REVIEW_TEXT: usize = 8000;
/// How many problem reports one person may send in a day (a flood is refused, not queued).
pub const MAX_REPORTS_PER_DAY: i64 = 5;

vocabulary! {
    /// Where a review stands.
    ReviewStage {
        /// Being written by the office; only staff see it.
        Draft => "draft",
        /// Published: residents read the report and comment until the period closes.
        Comment => "comment",
        /// The period is over: the office answers the comments, then a body decides.
        Review => "review",
        /// Approved: the proposal may be activated.
        Approved => "approved",
        /// Rejected: the proposal never takes effect.
        Rejected => "rejected",
        /// Approved and in force: the proposal is the register entry.
        Active => "active",
    }
}

impl ReviewStage {
    /// Whether the review is still running (the system may not be activated meanwhile).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ReviewStage::Draft | ReviewStage::Comment | ReviewStage::Review | ReviewStage::Approved
        )
    }

    /// Whether the public may see it (everything but a draft).
    pub fn is_public(self) -> bool {
        self != ReviewStage::Draft
    }
}

vocabulary! {
    /// The headings of the impact report (after Seattle's Surveillance Impact Report).
    ReportSection {
        Purpose => "purpose",
        Use => "use",
        Data => "data",
        Retention => "retention",
        Sharing => "sharing",
        LegalRisks => "legal_risks",
        Equity => "equity",
        Cost => "cost",
    }
}

vocabulary! {
    /// Why a proposal needs public review.
    ReviewReason {
        NewSystem => "new_system",
        FacialRecognition => "facial_recognition",
        Biometrics => "biometrics",
        LicencePlates => "licence_plates",
        NewPurpose => "new_purpose",
        NewCategory => "new_category",
    }
}

vocabulary! {
    /// What a body decided.
    Outcome {
        Approved => "approved",
        Rejected => "rejected",
    }
}

/// The impact report: each section's texts.
pub type ImpactReport = BTreeMap<ReportSection, LocalizedText>;

/// Why `proposed` needs review against the entry in force (`None`: a new system). Empty:
/// the change may be saved at once.
pub fn review_reasons(current: Option<&SystemRecord>, proposed: &SystemRecord) -> Vec<ReviewReason> {
    let Some(current) = current else {
        return vec![ReviewReason::NewSystem];
    };
    let mut reasons = Vec::new();
    let active = super::SystemStatus::Active.code();
    if proposed.status == active && current.status != active {
        // Going live (a planned, rejected or retired entry turned active) is a new system's review.
        reasons.push(ReviewReason::NewSystem);
    }
    let technology = |record: &SystemRecord, t: Technology| record.technology == t.code();
    if technology(proposed, Technology::FacialRecognition)
        && !technology(current, Technology::FacialRecognition)
    {
        reasons.push(ReviewReason::FacialRecognition);
    }
    if technology(proposed, Technology::LicencePlateReader)
        && !technology(current, Technology::LicencePlateReader)
    {
        reasons.push(ReviewReason::LicencePlates);
    }
    let categories = |record: &SystemRecord| -> Vec<String> {
        record
            .purposes
            .iter()
            .flat_map(|p| p.data_categories.iter().cloned())
            .collect()
    };
    let (before, after) = (categories(current), categories(proposed));
    let biometric = DataCategory::Biometric.code().to_owned();
    if after.contains(&biometric) && !before.contains(&biometric) {
        reasons.push(ReviewReason::Biometrics);
    }
    if proposed
        .purposes
        .iter()
        .any(|p| !current.purposes.iter().any(|c| c.key == p.key))
    {
        reasons.push(ReviewReason::NewPurpose);
    }
    let added_category = proposed.purposes.iter().any(|p| {
        let old = current.purposes.iter().find(|c| c.key == p.key);
        old.is_some_and(|old| p.data_categories.iter().any(|c| !old.data_categories.contains(c)))
    });
    if added_category {
        reasons.push(ReviewReason::NewCategory);
    }
    reasons
}

/// A review as the rules see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub id: String,
    pub system_slug: String,
    pub stage: ReviewStage,
    pub reasons: Vec<ReviewReason>,
    pub proposal: SystemRecord,
    pub report: ImpactReport,
    pub comment_days: i64,
    pub opens_on: Option<Date>,
    pub closes_on: Option<Date>,
    /// The office's answer to the comments, once published.
    pub answer: Option<LocalizedText>,
    pub answered_on: Option<Date>,
    pub decision: Option<Decision>,
}

/// What a body decided, when, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub outcome: Outcome,
    /// Who decided ("City Council", "Privacy Board").
    pub body: String,
    pub on: Date,
    pub reasoning: LocalizedText,
}

/// Why a step of a review was refused; nothing was stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ReviewRefused {
    #[error("a review in stage {from} cannot be {to}")]
    Stage { from: String, to: String },
    #[error("the impact report's section {0} needs a text in English")]
    ReportIncomplete(String),
    #[error("the comment period runs until {0}; it cannot close earlier")]
    PeriodOpen(Date),
    #[error("comments are taken only while the comment period is open")]
    CommentsClosed,
    #[error("the office answers the comments before a decision is recorded")]
    AnswerFirst,
    #[error("a text is required, and at most {MAX_REVIEW_TEXT} characters")]
    TextRequired,
    #[error("say which body decided")]
    BodyRequired,
    #[error("a decision cannot be dated after today")]
    FutureDecision,
    #[error("the comment period is between 1 and 365 days")]
    PeriodLength,
    #[error("no such review, comment or report")]
    NotFound,
    #[error("you have sent {MAX_REPORTS_PER_DAY} reports today; send more tomorrow")]
    TooManyReports,
    #[error("the proposal no longer fits the register: {0}")]
    Proposal(String),
    #[error("this system has a review under way: it cannot be activated or changed until that review ends")]
    ReviewOpen,
}

fn refuse(review: &Review, to: &str) -> ReviewRefused {
    ReviewRefused::Stage {
        from: review.stage.code().to_owned(),
        to: to.to_owned(),
    }
}

/// A text a reader must see: trimmed, present, bounded.
pub fn review_text(text: &str) -> Result<String, ReviewRefused> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_REVIEW_TEXT {
        return Err(ReviewRefused::TextRequired);
    }
    Ok(text.to_owned())
}

/// A comment period's length, in days.
pub fn comment_days(days: i64) -> Result<i64, ReviewRefused> {
    if (1..=365).contains(&days) {
        Ok(days)
    } else {
        Err(ReviewRefused::PeriodLength)
    }
}

/// The draft's report may be edited (and its proposal) only while it is a draft.
pub fn edit_draft(review: &Review) -> Result<(), ReviewRefused> {
    if review.stage == ReviewStage::Draft {
        Ok(())
    } else {
        Err(refuse(review, "edited"))
    }
}

/// Opens the comment period today: returns its first and last day.
pub fn publish(review: &Review, today: Date) -> Result<(Date, Date), ReviewRefused> {
    if review.stage != ReviewStage::Draft {
        return Err(refuse(review, "published"));
    }
    if let Some(section) = ReportSection::ALL.iter().find(|s| {
        !review
            .report
            .get(s)
            .is_some_and(|t| t.has(crate::lang::Lang::default()))
    }) {
        return Err(ReviewRefused::ReportIncomplete(section.code().to_owned()));
    }
    comment_days(review.comment_days)?;
    Ok((today, today.add_days(review.comment_days - 1)))
}

/// Whether a resident may comment today.
pub fn may_comment(review: &Review, today: Date) -> Result<(), ReviewRefused> {
    match (review.stage, review.closes_on) {
        (ReviewStage::Comment, Some(closes)) if today <= closes => Ok(()),
        _ => Err(ReviewRefused::CommentsClosed),
    }
}

/// Ends the comment period (once its last day has passed): the office reviews.
pub fn close_comments(review: &Review, today: Date) -> Result<(), ReviewRefused> {
    match (review.stage, review.closes_on) {
        (ReviewStage::Comment, Some(closes)) if today > closes => Ok(()),
        (ReviewStage::Comment, Some(closes)) => Err(ReviewRefused::PeriodOpen(closes)),
        _ => Err(refuse(review, "closed for comment")),
    }
}

/// Publishes (or corrects) the office's answer to the comments, before the decision.
pub fn answer(review: &Review, text: &LocalizedText) -> Result<(), ReviewRefused> {
    if review.stage != ReviewStage::Review {
        return Err(refuse(review, "answered"));
    }
    review_text(text.get(crate::lang::Lang::default()))?;
    Ok(())
}

/// Records a decision taken by `decision.body` on `decision.on`.
pub fn decide(review: &Review, decision: &Decision, today: Date) -> Result<ReviewStage, ReviewRefused> {
    if review.stage != ReviewStage::Review {
        return Err(refuse(review, "decided"));
    }
    if review.answer.is_none() {
        return Err(ReviewRefused::AnswerFirst);
    }
    if decision.body.trim().is_empty() || decision.body.chars().count() > 200 {
        return Err(ReviewRefused::BodyRequired);
    }
    if decision.on > today {
        return Err(ReviewRefused::FutureDecision);
    }
    review_text(decision.reasoning.get(crate::lang::Lang::default()))?;
    Ok(match decision.outcome {
        Outcome::Approved => ReviewStage::Approved,
        Outcome::Rejected => ReviewStage::Rejected,
    })
}

/// Puts an approved proposal in force.
pub fn activate(review: &Review) -> Result<(), ReviewRefused> {
    if review.stage == ReviewStage::Approved {
        Ok(())
    } else {
        Err(refuse(review, "activated"))
    }
}

/// A system's status may become active only when no review of it is running.
pub fn may_activate_system(open_review: Option<ReviewStage>) -> Result<(), ReviewRefused> {
    match open_review {
        Some(stage) if stage.is_open() => Err(ReviewRefused::ReviewOpen),
        _ => Ok(()),
    }
}

/// Whether someone who sent `sent_today` problem reports in the last day may send another.
pub fn may_report(sent_today: i64) -> Result<(), ReviewRefused> {
    if sent_today < MAX_REPORTS_PER_DAY {
        Ok(())
    } else {
        Err(ReviewRefused::TooManyReports)
    }
}

/// Reviews per page of the reviews list.
pub const REVIEWS_PAGE_SIZE: u32 = 50;

/// A page of reviews starts after a review's (creation time, id): newest first.
pub const REVIEW_CURSOR: crate::paging::Shape =
    crate::paging::Shape(&[crate::paging::Part::Number, crate::paging::Part::Text]);

/// One page of the reviews list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewListPage {
    pub reviews: Vec<ReviewSummary>,
    /// Where the next (older) page starts; `None` on the last page.
    pub next_cursor: Option<String>,
    /// Whether this is a later page (so the page offers a way back to the newest).
    pub later: bool,
}

/// Problem reports per page.
pub const PROBLEM_REPORTS_PAGE_SIZE: u32 = 50;

/// A page of problem reports starts after a report's (time in seconds, id): newest first.
pub const PROBLEM_REPORT_CURSOR: crate::paging::Shape =
    crate::paging::Shape(&[crate::paging::Part::Number, crate::paging::Part::Text]);

/// A problem reported about the register, as the public list shows it (no author).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemReport {
    pub id: String,
    /// The entry it is about, if the reporter named one: slug and name.
    pub system: Option<(String, String)>,
    /// The device it is about, if it was sent from a device's page: its code.
    pub device: Option<String>,
    pub body: String,
    pub at: String,
    pub answer: Option<String>,
    pub answered_at: Option<String>,
}

/// One comment as the public reads it (no author: comments are published without names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentView {
    pub id: String,
    pub section: ReportSection,
    pub at: String,
    /// The text, or `None` when an officer hid it.
    pub body: Option<String>,
    pub hidden_reason: Option<String>,
    /// Whether the reader wrote it.
    pub mine: bool,
}

/// A review as its public page shows it, in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewView {
    pub id: String,
    pub system_slug: String,
    pub system_name: String,
    pub stage: ReviewStage,
    pub reasons: Vec<ReviewReason>,
    pub report: Vec<(ReportSection, String)>,
    pub opens_on: Option<Date>,
    pub closes_on: Option<Date>,
    pub comment_days: i64,
    /// Whether comments are taken today.
    pub open_for_comment: bool,
    pub comments: Vec<CommentView>,
    pub answer: Option<String>,
    pub answered_on: Option<Date>,
    pub decision: Option<DecisionView>,
    /// What the proposal changes in the entry in force, field by field (empty for a new system).
    pub changes: Vec<super::FieldChange>,
}

/// A decision, in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionView {
    pub outcome: Outcome,
    pub body: String,
    pub on: Date,
    pub reasoning: String,
}

impl Review {
    /// The register entry the proposal puts in force once approved: the proposal itself,
    /// active (a new system is proposed while planned).
    pub fn entry_in_force(&self) -> SystemRecord {
        let mut record = self.proposal.clone();
        if self.reasons.contains(&ReviewReason::NewSystem) {
            record.status = super::SystemStatus::Active.code().to_owned();
        }
        record
    }

    /// The public page's view, for a reader of `lang` (whose comments are `mine`).
    pub fn view(
        &self,
        lang: crate::lang::Lang,
        today: Date,
        current: Option<&SystemRecord>,
        comments: Vec<CommentView>,
    ) -> ReviewView {
        ReviewView {
            id: self.id.clone(),
            system_slug: self.system_slug.clone(),
            system_name: self.proposal.name.get(lang).to_owned(),
            stage: self.stage,
            reasons: self.reasons.clone(),
            report: ReportSection::ALL
                .iter()
                .map(|s| {
                    (
                        *s,
                        self.report
                            .get(s)
                            .map(|t| t.get(lang).to_owned())
                            .unwrap_or_default(),
                    )
                })
                .collect(),
            opens_on: self.opens_on,
            closes_on: self.closes_on,
            comment_days: self.comment_days,
            open_for_comment: may_comment(self, today).is_ok(),
            comments,
            answer: self.answer.as_ref().map(|a| a.get(lang).to_owned()),
            answered_on: self.answered_on,
            decision: self.decision.as_ref().map(|d| DecisionView {
                outcome: d.outcome,
                body: d.body.clone(),
                on: d.on,
                reasoning: d.reasoning.get(lang).to_owned(),
            }),
            changes: current
                .map(|c| super::field_changes(c, &self.proposal, lang))
                .unwrap_or_default(),
        }
    }
}

/// A milestone of a public review for the change feed: its comment period opened, or a
/// decision was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewEvent {
    /// When it happened (RFC 3339).
    pub at: String,
    pub review_id: String,
    pub system_slug: String,
    pub system_name: String,
    /// `comment` (the period opened), `approved` or `rejected` (the decision).
    pub stage: ReviewStage,
    /// The period's last day, for an opening.
    pub closes_on: Option<Date>,
    /// Who decided, for a decision.
    pub decided_by: Option<String>,
}

/// A line of the reviews list (public: every review but drafts; staff: all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSummary {
    pub id: String,
    pub system_slug: String,
    pub system_name: String,
    pub stage: ReviewStage,
    pub reasons: Vec<ReviewReason>,
    pub closes_on: Option<Date>,
    pub comments: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    fn record() -> SystemRecord {
        serde_json::from_value(serde_json::json!({
            "slug": "tram-cameras", "name": {"en": "Tram cameras"}, "description": {"en": "Cameras."},
            "agency": "transit", "technology": "cctv", "status": "active", "scope": "public_space",
            "identifies_people": true, "algorithmic_decisions": false, "location": {"en": "Trams"},
            "data_subjects": {"en": "Riders"}, "retention_days": 30, "retention": {"en": "30 days"},
            "access": {}, "recipients": {}, "transfers": {}, "security": {}, "reviewed_on": "2026-01-01",
            "purposes": [{"key": "safety", "name": {"en": "Safety"}, "description": {"en": "Safety."},
                          "legal_basis": "public_task", "data_categories": ["images_video"]}]
        }))
        .unwrap()
    }

    fn text(s: &str) -> LocalizedText {
        LocalizedText::new([(Lang::En, s.to_owned())])
    }

    fn draft() -> Review {
        Review {
            id: "r1".into(),
            system_slug: "tram-cameras".into(),
            stage: ReviewStage::Draft,
            reasons: vec![ReviewReason::NewSystem],
            proposal: record(),
            report: ReportSection::ALL.iter().map(|s| (*s, text("Said."))).collect(),
            comment_days: 45,
            opens_on: None,
            closes_on: None,
            answer: None,
            answered_on: None,
            decision: None,
        }
    }

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn the_entry_in_force_is_the_proposal_and_a_new_system_goes_in_active() {
        let mut review = draft();
        review.proposal.status = "planned".into();
        let entry = review.entry_in_force();
        assert_eq!(entry.status, "active");
        assert_eq!(entry.purposes, review.proposal.purposes);
        // A change to an entry in force keeps the status it proposes.
        review.reasons = vec![ReviewReason::NewPurpose];
        assert_eq!(review.entry_in_force(), review.proposal);
    }

    #[test]
    fn a_new_system_always_needs_review_and_a_wording_change_never_does() {
        assert_eq!(review_reasons(None, &record()), [ReviewReason::NewSystem]);
        let mut reworded = record();
        reworded.description = text("Cameras on every tram.");
        reworded.retention_days = Some(14);
        assert!(review_reasons(Some(&record()), &reworded).is_empty());
    }

    #[test]
    fn facial_recognition_biometrics_plates_purposes_and_categories_need_review() {
        let current = record();
        let mut face = record();
        face.technology = "facial_recognition".into();
        face.purposes[0].data_categories.push("biometric".into());
        assert_eq!(
            review_reasons(Some(&current), &face),
            [
                ReviewReason::FacialRecognition,
                ReviewReason::Biometrics,
                ReviewReason::NewCategory
            ]
        );
        let mut plates = record();
        plates.technology = "licence_plate_reader".into();
        assert_eq!(
            review_reasons(Some(&current), &plates),
            [ReviewReason::LicencePlates]
        );
        let mut purpose = record();
        let mut extra = purpose.purposes[0].clone();
        extra.key = "planning".into();
        purpose.purposes.push(extra);
        assert_eq!(
            review_reasons(Some(&current), &purpose),
            [ReviewReason::NewPurpose]
        );
        let mut planned = record();
        planned.status = "planned".into();
        assert_eq!(
            review_reasons(Some(&planned), &record()),
            [ReviewReason::NewSystem]
        );
        assert!(review_reasons(Some(&record()), &planned).is_empty());
        // Already facial recognition: keeping it is no new reason.
        assert!(review_reasons(Some(&face), &face).is_empty());
    }

    #[test]
    fn the_stages_follow_one_path() {
        let today = day("2026-11-26");
        let mut r = draft();
        let (opens, closes) = publish(&r, today).unwrap();
        assert_eq!((opens, closes), (today, day("2027-01-09")));
        r.stage = ReviewStage::Comment;
        r.opens_on = Some(opens);
        r.closes_on = Some(closes);
        assert_eq!(publish(&r, today), Err(refuse(&r, "published")));
        assert!(may_comment(&r, closes).is_ok());
        assert_eq!(
            may_comment(&r, closes.add_days(1)),
            Err(ReviewRefused::CommentsClosed)
        );
        assert_eq!(close_comments(&r, closes), Err(ReviewRefused::PeriodOpen(closes)));
        assert!(close_comments(&r, closes.add_days(1)).is_ok());
        let decision = Decision {
            outcome: Outcome::Approved,
            body: "City Council".into(),
            on: closes.add_days(3),
            reasoning: text("Limited to two stations."),
        };
        assert_eq!(
            decide(&r, &decision, closes.add_days(3)),
            Err(refuse(&r, "decided"))
        );
        assert_eq!(activate(&r), Err(refuse(&r, "activated")));
        r.stage = ReviewStage::Review;
        assert_eq!(
            decide(&r, &decision, closes.add_days(3)),
            Err(ReviewRefused::AnswerFirst)
        );
        assert!(answer(&r, &text("We heard you.")).is_ok());
        assert_eq!(answer(&r, &text("  ")), Err(ReviewRefused::TextRequired));
        r.answer = Some(text("We heard you."));
        assert_eq!(
            decide(&r, &decision, closes.add_days(2)),
            Err(ReviewRefused::FutureDecision)
        );
        let nobody = Decision {
            body: " ".into(),
            ..decision.clone()
        };
        assert_eq!(
            decide(&r, &nobody, closes.add_days(3)),
            Err(ReviewRefused::BodyRequired)
        );
        assert_eq!(
            decide(&r, &decision, closes.add_days(3)),
            Ok(ReviewStage::Approved)
        );
        let rejected = Decision {
            outcome: Outcome::Rejected,
            ..decision.clone()
        };
        assert_eq!(
            decide(&r, &rejected, closes.add_days(3)),
            Ok(ReviewStage::Rejected)
        );
        r.stage = ReviewStage::Approved;
        assert!(may_comment(&r, today).is_err());
        assert!(activate(&r).is_ok());
        assert_eq!(
            may_activate_system(Some(ReviewStage::Approved)),
            Err(ReviewRefused::ReviewOpen)
        );
        assert!(may_activate_system(Some(ReviewStage::Rejected)).is_ok());
        assert!(may_activate_system(None).is_ok());
    }

    #[test]
    fn a_report_with_a_section_missing_is_not_published() {
        let mut r = draft();
        r.report.remove(&ReportSection::Equity);
        assert_eq!(
            publish(&r, day("2026-11-26")),
            Err(ReviewRefused::ReportIncomplete("equity".into()))
        );
        let mut r = draft();
        r.comment_days = 0;
        assert_eq!(publish(&r, day("2026-11-26")), Err(ReviewRefused::PeriodLength));
    }

    #[test]
    fn a_sixth_report_in_a_day_is_refused() {
        assert!(may_report(0).is_ok() && may_report(MAX_REPORTS_PER_DAY - 1).is_ok());
        assert_eq!(
            may_report(MAX_REPORTS_PER_DAY),
            Err(ReviewRefused::TooManyReports)
        );
    }

    #[test]
    fn a_draft_is_edited_only_as_a_draft() {
        let mut r = draft();
        assert!(edit_draft(&r).is_ok());
        r.stage = ReviewStage::Comment;
        assert!(edit_draft(&r).is_err());
        assert!(!ReviewStage::Draft.is_public() && ReviewStage::Comment.is_public());
    }
}
