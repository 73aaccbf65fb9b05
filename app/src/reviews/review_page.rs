//! `/reviews/:id`: a proposal under public review — why it is reviewed, the impact report
//! section by section with residents' comments and a comment form, the office's answer, the
//! decision. Register staff see the office's steps on the same page (a draft is theirs only).

use super::{
    AnswerComments, CommentOnReview, DecideReview, HideReviewComment, ReviewPage, ReviewStep,
    SaveReviewReport, get_review,
};
use crate::components::error_notice::ErrorNotice;
use crate::components::not_found::NotFound;
use crate::components::page_title::PageTitle;
use crate::components::reload_key::id_lang_done;
use crate::console::shared::action_error;
use crate::error::AppError;
use crate::i18n::{Locale, t, td_string, use_i18n};
use crate::register::history_page::ChangeItem;
use domain::register::{CommentView, Outcome, ReportSection, ReviewReason, ReviewStage, ReviewView};
use leptos::prelude::*;

/// The name of a review's stage.
pub fn stage_name(l: Locale, stage: ReviewStage) -> &'static str {
    match stage {
        ReviewStage::Draft => td_string!(l, reviews.stage_draft),
        ReviewStage::Comment => td_string!(l, reviews.stage_comment),
        ReviewStage::Review => td_string!(l, reviews.stage_review),
        ReviewStage::Approved => td_string!(l, reviews.stage_approved),
        ReviewStage::Rejected => td_string!(l, reviews.stage_rejected),
        ReviewStage::Active => td_string!(l, reviews.stage_active),
    }
}

/// Why a proposal is reviewed, in words.
pub fn reason_name(l: Locale, reason: ReviewReason) -> &'static str {
    match reason {
        ReviewReason::NewSystem => td_string!(l, reviews.reason_new_system),
        ReviewReason::FacialRecognition => td_string!(l, reviews.reason_facial_recognition),
        ReviewReason::Biometrics => td_string!(l, reviews.reason_biometrics),
        ReviewReason::LicencePlates => td_string!(l, reviews.reason_licence_plates),
        ReviewReason::NewPurpose => td_string!(l, reviews.reason_new_purpose),
        ReviewReason::NewCategory => td_string!(l, reviews.reason_new_category),
    }
}

/// The heading of a section of the impact report.
pub fn section_name(l: Locale, section: ReportSection) -> &'static str {
    match section {
        ReportSection::Purpose => td_string!(l, reviews.section_purpose),
        ReportSection::Use => td_string!(l, reviews.section_use),
        ReportSection::Data => td_string!(l, reviews.section_data),
        ReportSection::Retention => td_string!(l, reviews.section_retention),
        ReportSection::Sharing => td_string!(l, reviews.section_sharing),
        ReportSection::LegalRisks => td_string!(l, reviews.section_legal_risks),
        ReportSection::Equity => td_string!(l, reviews.section_equity),
        ReportSection::Cost => td_string!(l, reviews.section_cost),
    }
}

/// The review page; an unknown review (or someone else's draft) is a 404.
#[component]
pub fn ReviewPageView() -> impl IntoView {
    let i18n = use_i18n();
    let page = Resource::new(id_lang_done(), |(id, lang, _)| get_review(id, lang));
    view! {
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <Review page /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Review(page: ReviewPage) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let review = page.review.clone();
    let stage = review.stage;
    let name = review.system_name.clone();
    let reasons = review.reasons.clone();
    let open = review.open_for_comment;
    let signed_in = page.signed_in;
    let editor = page.editor;
    let id = review.id.clone();
    let comment_count = review.comments.iter().filter(|c| c.body.is_some()).count();
    view! {
        <PageTitle text=move |l| td_string!(l, reviews.title) />
        <p class="eyebrow"><a href="/reviews">{t!(i18n, reviews.all)}</a></p>
        <h1>{t!(i18n, reviews.review_of)} " " {name.clone()}</h1>
        <dl class="facts" id="stage" data-testid="review-facts" data-stage=stage.code()>
            <dt>{t!(i18n, reviews.stage)}</dt>
            <dd>{move || stage_name(l(), stage)}</dd>
            <dt>{t!(i18n, reviews.why)}</dt>
            <dd>{move || reasons.iter().map(|r| reason_name(l(), *r)).collect::<Vec<_>>().join(" · ")}</dd>
            {review.opens_on.map(|opens| view! {
                <dt>{t!(i18n, reviews.period)}</dt>
                <dd>{opens.to_string()} " – " {review.closes_on.map(|c| c.to_string()).unwrap_or_default()}</dd>
            })}
            <dt>{t!(i18n, reviews.comments)}</dt>
            <dd data-testid="comment-count">{comment_count}</dd>
            {review.stage.is_public().then(|| view! {
                <dt>{t!(i18n, reviews.entry)}</dt>
                <dd><a href=format!("/systems/{}", review.system_slug)>{name.clone()}</a></dd>
            })}
            <dt>{t!(i18n, reviews.proposed_entry)}</dt>
            <dd><a href=format!("/reviews/{id}/preview") data-testid="preview-link">{t!(i18n, reviews.preview)}</a></dd>
        </dl>
        {if open {
            view! { <p class="notice" data-testid="open-for-comment">{t!(i18n, reviews.open_intro)}</p> }.into_any()
        } else {
            ().into_any()
        }}
        {(!review.changes.is_empty()).then(|| view! {
            <h2>{t!(i18n, reviews.changes)}</h2>
            <dl class="changes">
                {review.changes.iter().cloned().map(|change| view! { <ChangeItem change /> }).collect_view()}
            </dl>
        })}
        <h2 id="report">{t!(i18n, reviews.report)}</h2>
        {review.report.iter().cloned().map(|(section, text)| {
            let comments: Vec<CommentView> = review.comments.iter().filter(|c| c.section == section).cloned().collect();
            view! { <Section review=id.clone() section text comments open signed_in editor /> }
        }).collect_view()}
        <h2 id="answer">{t!(i18n, reviews.answer)}</h2>
        {match review.answer.clone() {
            Some(answer) => view! {
                <p class="pre-wrap" data-testid="office-answer">{answer}</p>
                <p class="muted">{review.answered_on.map(|d| d.to_string()).unwrap_or_default()}</p>
            }.into_any(),
            None => view! { <p>{t!(i18n, reviews.no_answer)}</p> }.into_any(),
        }}
        <h2 id="decision">{t!(i18n, reviews.decision)}</h2>
        {match review.decision.clone() {
            Some(d) => {
                let outcome = d.outcome;
                view! {
                    <p data-testid="decision" data-outcome=outcome.code()>
                        <strong>{move || match outcome {
                            Outcome::Approved => td_string!(l(), reviews.stage_approved),
                            Outcome::Rejected => td_string!(l(), reviews.stage_rejected),
                        }}</strong>
                        " · " {d.body.clone()} " · " <time datetime=d.on.to_string()>{d.on.to_string()}</time>
                    </p>
                    <p class="pre-wrap">{d.reasoning.clone()}</p>
                }.into_any()
            }
            None => view! { <p>{t!(i18n, reviews.no_decision)}</p> }.into_any(),
        }}
        {editor.then(|| view! { <OfficeSteps page=page.clone() /> })}
    }
}

#[component]
fn Section(
    review: String,
    section: ReportSection,
    text: String,
    comments: Vec<CommentView>,
    open: bool,
    signed_in: bool,
    editor: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let mine = comments.iter().find(|c| c.mine).and_then(|c| c.body.clone());
    let comment = ServerAction::<CommentOnReview>::new();
    let field = format!("comment-{}", section.code());
    view! {
        <section class="card report-section" id=format!("section-{}", section.code()) data-section=section.code()>
            <h3>{move || section_name(l(), section)}</h3>
            <p class="pre-wrap">{text}</p>
            {(!comments.is_empty()).then(|| view! {
                <h4>{t!(i18n, reviews.comments)} " (" {comments.len()} ")"</h4>
                <ul class="comments plain-list">
                    {comments.into_iter().map(|c| view! { <Comment review=review.clone() comment=c editor /> }).collect_view()}
                </ul>
            })}
            {match (open, signed_in) {
                (true, true) => view! {
                    {action_error(comment)}
                    <ActionForm action=comment attr:class="stack-form">
                        <input type="hidden" name="id" value=review.clone() />
                        <input type="hidden" name="section" value=section.code() />
                        <label for=field.clone()>
                            {if mine.is_some() { t!(i18n, reviews.edit_comment).into_any() } else { t!(i18n, reviews.your_comment).into_any() }}
                        </label>
                        <textarea id=field.clone() name="body" rows="3" required=true maxlength="8000">{mine.clone().unwrap_or_default()}</textarea>
                        <button type="submit" class="button-secondary">{t!(i18n, reviews.send_comment)}</button>
                    </ActionForm>
                }.into_any(),
                (true, false) => view! {
                    <p><a href=format!("/login?next=/reviews/{review}")>{t!(i18n, reviews.sign_in_to_comment)}</a></p>
                }.into_any(),
                _ => ().into_any(),
            }}
        </section>
    }
}

#[component]
fn Comment(review: String, comment: CommentView, editor: bool) -> impl IntoView {
    let i18n = use_i18n();
    let hide = ServerAction::<HideReviewComment>::new();
    let field = format!("hide-{}", comment.id);
    let visible = comment.body.is_some();
    view! {
        <li class="comment" data-mine=comment.mine.to_string() data-hidden=(!visible).to_string()>
            {match (comment.body.clone(), comment.hidden_reason.clone()) {
                (Some(body), _) => view! { <p class="pre-wrap">{body}</p> }.into_any(),
                (None, reason) => view! {
                    <p class="muted">{t!(i18n, reviews.hidden)} " " {reason.unwrap_or_default()}</p>
                }.into_any(),
            }}
            <p class="muted"><time datetime=comment.at.clone()>{comment.at.get(..10).unwrap_or_default().to_owned()}</time>
                {comment.mine.then(|| view! { " · " {t!(i18n, reviews.yours)} })}
            </p>
            {(editor && visible).then(|| view! {
                {action_error(hide)}
                <ActionForm action=hide attr:class="inline-form">
                    <input type="hidden" name="id" value=review />
                    <input type="hidden" name="comment" value=comment.id.clone() />
                    <label for=field.clone()>{t!(i18n, reviews.hide_reason)}</label>
                    <input id=field name="reason" type="text" required=true maxlength="500" />
                    <button type="submit" class="button-secondary">{t!(i18n, reviews.hide)}</button>
                </ActionForm>
            })}
        </li>
    }
}

/// The office's steps, for register staff: each the one that fits the review's stage.
#[component]
fn OfficeSteps(page: ReviewPage) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let review: ReviewView = page.review.clone();
    let id = review.id.clone();
    let rid = review.id.clone();
    let step = ServerAction::<ReviewStep>::new();
    let report = ServerAction::<SaveReviewReport>::new();
    let answer = ServerAction::<AnswerComments>::new();
    let decide = ServerAction::<DecideReview>::new();
    let fields = page.report_fields.clone();
    let value = move |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let step_button = move |name: &'static str, label: AnyView| {
        let id = id.clone();
        view! {
            <ActionForm action=step attr:class="inline-form">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="step" value=name />
                <button type="submit" class="button-primary" data-step=name>{label}</button>
            </ActionForm>
        }
    };
    view! {
        <section class="card office-steps" aria-labelledby="office-steps">
            <h2 id="office-steps">{t!(i18n, reviews.office)}</h2>
            {action_error(step)}
            {match review.stage {
                ReviewStage::Draft => view! {
                    <p>{t!(i18n, reviews.draft_intro)}</p>
                    <p><a href=format!("/admin/register/systems/{}", review.system_slug)>{t!(i18n, reviews.edit_proposal)}</a></p>
                    {action_error(report)}
                    <ActionForm action=report attr:class="stack-form">
                        <input type="hidden" name="id" value=rid.clone() />
                        <label for="comment-days">{t!(i18n, reviews.comment_days)}</label>
                        <input id="comment-days" name="comment_days" type="number" min="1" max="365" required=true value=review.comment_days.to_string() />
                        {ReportSection::ALL.iter().map(|section| {
                            let section = *section;
                            domain::lang::Lang::ALL.iter().map(|lang| {
                                let name = format!("{}.{}", section.code(), lang.code());
                                let id = format!("report-{}-{}", section.code(), lang.code());
                                let current = value(&name);
                                let lang_code = lang.code();
                                let dir = lang.direction().code();
                                view! {
                                    <label for=id.clone()>{move || section_name(l(), section)} " (" {lang_code} ")"</label>
                                    <textarea id=id name=format!("fields[{name}]") rows="3" maxlength="8000" lang=lang_code dir=dir>{current}</textarea>
                                }
                            }).collect_view()
                        }).collect_view()}
                        <button type="submit" class="button-secondary">{t!(i18n, reviews.save_report)}</button>
                    </ActionForm>
                    {step_button("publish", t!(i18n, reviews.publish).into_any())}
                }.into_any(),
                ReviewStage::Comment => step_button("close", t!(i18n, reviews.close).into_any()).into_any(),
                ReviewStage::Review => { let (rid_answer, rid_decide) = (rid.clone(), rid.clone()); view! {
                    {action_error(answer)}
                    <ActionForm action=answer attr:class="stack-form">
                        <input type="hidden" name="id" value=rid_answer />
                        <label for="answer-en">{t!(i18n, reviews.answer)} " (en)"</label>
                        <textarea id="answer-en" name="answer_en" rows="4" required=true maxlength="8000" lang="en">{review.answer.clone().unwrap_or_default()}</textarea>
                        <label for="answer-es">{t!(i18n, reviews.answer)} " (es)"</label>
                        <textarea id="answer-es" name="answer_es" rows="4" maxlength="8000" lang="es"></textarea>
                        <label for="answer-ar">{t!(i18n, reviews.answer)} " (ar)"</label>
                        <textarea id="answer-ar" name="answer_ar" rows="4" maxlength="8000" lang="ar" dir="rtl"></textarea>
                        <button type="submit" class="button-secondary">{t!(i18n, reviews.publish_answer)}</button>
                    </ActionForm>
                    {action_error(decide)}
                    <ActionForm action=decide attr:class="stack-form">
                        <input type="hidden" name="id" value=rid_decide />
                        <fieldset>
                            <legend>{t!(i18n, reviews.decision)}</legend>
                            <label><input type="radio" name="outcome" value="approved" required=true /> {t!(i18n, reviews.stage_approved)}</label>
                            <label><input type="radio" name="outcome" value="rejected" /> {t!(i18n, reviews.stage_rejected)}</label>
                        </fieldset>
                        <label for="decided-by">{t!(i18n, reviews.decided_by)}</label>
                        <input id="decided-by" name="body" type="text" required=true maxlength="200" />
                        <label for="decided-on">{t!(i18n, reviews.decided_on)}</label>
                        <input id="decided-on" name="on" type="date" required=true />
                        <label for="reasoning-en">{t!(i18n, reviews.reasoning)} " (en)"</label>
                        <textarea id="reasoning-en" name="reasoning_en" rows="4" required=true maxlength="8000" lang="en"></textarea>
                        <label for="reasoning-es">{t!(i18n, reviews.reasoning)} " (es)"</label>
                        <textarea id="reasoning-es" name="reasoning_es" rows="4" maxlength="8000" lang="es"></textarea>
                        <label for="reasoning-ar">{t!(i18n, reviews.reasoning)} " (ar)"</label>
                        <textarea id="reasoning-ar" name="reasoning_ar" rows="4" maxlength="8000" lang="ar" dir="rtl"></textarea>
                        <button type="submit" class="button-primary">{t!(i18n, reviews.record_decision)}</button>
                    </ActionForm>
                }.into_any() },
                ReviewStage::Approved => step_button("activate", t!(i18n, reviews.activate).into_any()).into_any(),
                ReviewStage::Rejected | ReviewStage::Active => view! { <p>{t!(i18n, reviews.finished)}</p> }.into_any(),
            }}
        </section>
    }
}
