//! Keeping the register from the console and reviewing proposals in public, through the
//! server functions a page calls and the agency API, on SQLite and PostgreSQL: who may edit,
//! what goes to review, each stage's allowed and refused steps, comments, and what an agency
//! gets for a system that is not active.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use app::error::AppError;
use common::{Backend, TestApp, bearer, spawn_app};
use domain::account::{ApiScope, AuthError, Role};
use domain::register::{ReviewRefused, ReviewStage, SystemRecord, form_from_record};

on_both_databases!(
    only_register_staff_edit_and_a_change_needing_no_review_is_a_version_at_once,
    a_proposal_goes_through_each_stage_and_every_other_step_is_refused,
    problems_reported_are_public_answered_by_register_staff_and_capped_per_day,
    admins_manage_agency_api_clients_in_the_console,
);

const AGENCY: &str = "riverton-police";

/// The form fields of a stored system.
async fn stored_fields(app: &TestApp, slug: &str) -> Vec<(String, String)> {
    let slug = domain::register::Slug::parse(slug).unwrap();
    let system = store::register::system(&app.state.pool, &slug)
        .await
        .unwrap()
        .unwrap();
    form_from_record(&SystemRecord::of(&system)).into_iter().collect()
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    fields.retain(|(k, _)| k != name);
    fields.push((name.to_owned(), value.to_owned()));
}

async fn versions(app: &TestApp, slug: &str) -> usize {
    let slug = domain::register::Slug::parse(slug).unwrap();
    store::register::history(&app.state.pool, &slug)
        .await
        .unwrap()
        .len()
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT action FROM admin_audit ORDER BY at_us")
        .fetch_all(&app.state.pool)
        .await
        .unwrap();
    rows.into_iter().map(|(a,)| a).collect()
}

/// An officer the admin has granted the register role: their session.
async fn register_officer(app: &TestApp, email: &str) -> String {
    let officer = common::officer(app, email, "Reg Officer").await;
    let admin = common::staff(app, &format!("admin-{email}"), "Ad Min", Role::Admin).await;
    let (id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    app.as_user(&admin).grant_register_role(&id, true).await.ok();
    officer
}

async fn only_register_staff_edit_and_a_change_needing_no_review_is_a_version_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let slug = "licence-plate-readers";
    let mut fields = stored_fields(&app, slug).await;
    set(&mut fields, "retention.en", "Reads are kept for 21 days.");
    let before = versions(&app, slug).await;

    // Nobody but register staff: visitors, residents, and officers without the role.
    let refused = app.anonymous().save_system_entry(&pairs(&fields)).await;
    assert_eq!(refused.error(), AppError::Auth(AuthError::NotSignedIn));
    let resident = common::sign_up(&app, "ana@example.org").await;
    let refused = app.as_user(&resident).save_system_entry(&pairs(&fields)).await;
    assert_eq!(refused.error(), AppError::Auth(AuthError::Forbidden));
    let plain = common::officer(&app, "plain@example.org", "Plain Officer").await;
    let refused = app.as_user(&plain).save_system_entry(&pairs(&fields)).await;
    assert_eq!(refused.parts().0, 403);
    let (plain_id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = 'plain@example.org'")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    // Only an admin grants the role.
    let refused = app.as_user(&plain).grant_register_role(&plain_id, true).await;
    assert_eq!(refused.error(), AppError::Auth(AuthError::Forbidden));
    assert_eq!(versions(&app, slug).await, before, "nothing was written");

    // A wording change by register staff is in force at once, as a version.
    let officer = register_officer(&app, "reg@example.org").await;
    app.as_user(&officer)
        .save_system_entry(&pairs(&fields))
        .await
        .ok();
    assert_eq!(versions(&app, slug).await, before + 1);
    let (_, feed) = app.get("/api/v1/register/changes?lang=en").await;
    assert!(
        feed.contains("Reads are kept for 21 days."),
        "the change feed has it"
    );
    let actions = audit_actions(&app).await;
    assert!(
        actions.contains(&"grant_register_role".to_owned()) && actions.contains(&"register_edit".to_owned())
    );

    // A form with problems: each beside its field, what was sent kept, nothing written.
    let mut bad = fields.clone();
    set(&mut bad, "name.en", "");
    set(&mut bad, "technology", "telepathy");
    let refused = app.as_user(&officer).save_system_entry(&pairs(&bad)).await;
    assert_eq!(refused.parts().0, 422);
    let refused = app.as_user(&officer).save_system_entry(&pairs(&bad)).await;
    match refused.error() {
        AppError::RegisterForm { problems, fields } => {
            let at: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
            assert!(at.contains(&"technology") && at.contains(&"name"), "{problems:?}");
            assert_eq!(
                fields.get("retention.en").map(String::as_str),
                Some("Reads are kept for 21 days.")
            );
        }
        other => panic!("expected the form's problems, got {other:?}"),
    }
    assert_eq!(versions(&app, slug).await, before + 1);

    // Agencies: added and edited from their form, a bad address named beside its field.
    let agency = [
        ("new", "yes"),
        ("slug", "riverton-lighting"),
        ("name.en", "Street Lighting Office"),
        ("name.es", "Oficina de Alumbrado"),
        ("description.en", "Runs the street lights."),
        ("public_authority", "on"),
        ("dpo_email", "dpo@lighting.example"),
        ("website", "https://lighting.example"),
    ];
    assert_eq!(
        app.as_user(&resident).save_agency_entry(&agency).await.error(),
        AppError::Auth(AuthError::Forbidden)
    );
    app.as_user(&officer).save_agency_entry(&agency).await.ok();
    match app.as_user(&officer).save_agency_entry(&agency).await.error() {
        AppError::RegisterForm { problems, .. } => assert_eq!(problems[0].0, "slug", "the slug is taken"),
        other => panic!("{other:?}"),
    }
    let mut bad = agency.to_vec();
    bad[0] = ("new", "no");
    bad[6] = ("dpo_email", "nobody");
    match app.as_user(&officer).save_agency_entry(&bad).await.error() {
        AppError::RegisterForm { problems, fields } => {
            assert_eq!(problems[0].0, "dpo_email");
            assert_eq!(
                fields.get("name.es").map(String::as_str),
                Some("Oficina de Alumbrado")
            );
        }
        other => panic!("{other:?}"),
    }
    bad[6] = ("dpo_email", "privacy@lighting.example");
    app.as_user(&officer).save_agency_entry(&bad).await.ok();
    let stored = store::register::agencies(&app.state.pool).await.unwrap();
    let lighting = stored
        .iter()
        .find(|a| a.slug.as_str() == "riverton-lighting")
        .unwrap();
    assert_eq!(lighting.dpo_email, "privacy@lighting.example");
    let actions = audit_actions(&app).await;
    assert!(
        actions.contains(&"register_add_agency".to_owned())
            && actions.contains(&"register_edit_agency".to_owned())
    );

    // A new data category needs review: a draft, and the entry stays as it is.
    let mut biometric = fields.clone();
    biometric.push(("p0.category.biometric".to_owned(), "on".to_owned()));
    app.as_user(&officer)
        .save_system_entry(&pairs(&biometric))
        .await
        .ok();
    assert_eq!(versions(&app, slug).await, before + 1);
    let drafts = store::register::reviews(&app.state.pool, true, domain::lang::Lang::En, None)
        .await
        .unwrap();
    let draft = drafts
        .items
        .iter()
        .find(|r| r.system_slug == slug)
        .expect("a draft review");
    assert_eq!(draft.stage, ReviewStage::Draft);
    assert!(
        draft
            .reasons
            .contains(&domain::register::ReviewReason::Biometrics)
    );
    // A draft is the office's: the public does not see it.
    assert!(
        app.anonymous()
            .review_page(None)
            .await
            .value()
            .reviews
            .iter()
            .all(|r| r.system_slug != slug)
    );
    assert_eq!(
        app.anonymous().get_review(&draft.id).await.error(),
        AppError::NotFound
    );
}

async fn a_proposal_goes_through_each_stage_and_every_other_step_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = register_officer(&app, "reg@example.org").await;
    let office = app.as_user(&officer);
    // A new facial-recognition system, from an existing entry's fields under a new slug.
    let slug = "plaza-face-matching";
    let mut fields = stored_fields(&app, "licence-plate-readers").await;
    fields.retain(|(k, _)| !k.starts_with("p1.") && !k.starts_with("p2."));
    set(&mut fields, "slug", slug);
    set(&mut fields, "new", "yes");
    set(&mut fields, "agency", AGENCY);
    set(&mut fields, "technology", "facial_recognition");
    set(&mut fields, "name.en", "Face matching on the plaza");
    office.save_system_entry(&pairs(&fields)).await.ok();
    // The same slug again is refused beside the slug field.
    match office.save_system_entry(&pairs(&fields)).await.error() {
        AppError::RegisterForm { problems, .. } => assert_eq!(problems[0].0, "slug"),
        other => panic!("{other:?}"),
    }
    let all = office.review_page(None).await.value().reviews;
    let id = all.iter().find(|r| r.system_slug == slug).unwrap().id.clone();
    let stage = |page: app::reviews::ReviewPage| page.review.stage;
    assert_eq!(stage(office.get_review(&id).await.value()), ReviewStage::Draft);
    // The draft's preview is the office's too: the entry as it would stand in force.
    let preview = office.review_preview(&id).await.value();
    assert_eq!(preview.summary.slug, slug);
    assert_eq!(preview.summary.status, domain::register::SystemStatus::Active);
    assert_eq!(
        app.anonymous().review_preview(&id).await.error(),
        AppError::NotFound
    );
    let without_role = common::staff(&app, "plain.officer@example.org", "Plain", Role::Officer).await;
    assert_eq!(
        app.as_user(&without_role).review_preview(&id).await.error(),
        AppError::NotFound
    );

    // Not in the register yet; publishing needs the whole report.
    let agency = app.as_agency(&bearer(&app, AGENCY, &[ApiScope::ConsentCheck]).await);
    let (_, number) = common::unenrolled_resident(&app, "ana@example.org").await;
    let purpose = fields.iter().find(|(k, _)| k == "p0.key").unwrap().1.clone();
    assert_eq!(agency.decide(&number, slug, &purpose).await.1, "unknown_system");
    assert_eq!(
        office.review_step(&id, "publish").await.error(),
        AppError::Review(ReviewRefused::ReportIncomplete("purpose".into()))
    );
    assert_eq!(
        office.save_review_report(&id, "0", "Said.").await.error(),
        AppError::Review(ReviewRefused::PeriodLength)
    );
    office
        .save_review_report(&id, "1", "What the office says.")
        .await
        .ok();
    for refused in ["close", "activate"] {
        assert!(matches!(
            office.review_step(&id, refused).await.error(),
            AppError::Review(ReviewRefused::Stage { .. })
        ));
    }
    office.review_step(&id, "publish").await.ok();
    assert_eq!(
        stage(app.anonymous().get_review(&id).await.value()),
        ReviewStage::Comment
    );
    // Published, anyone reads the preview.
    assert_eq!(
        app.anonymous().review_preview(&id).await.value().summary.slug,
        slug
    );
    // In the register as planned: an agency's check is refused, as for any system not active.
    assert_eq!(
        agency.decide(&number, slug, &purpose).await.1,
        "system_not_active"
    );
    // The draft is no longer editable; a change to the entry waits for the review.
    assert_eq!(
        office.save_review_report(&id, "1", "Again.").await.error(),
        AppError::Review(ReviewRefused::Stage {
            from: "comment".into(),
            to: "edited".into()
        })
    );
    let mut later = fields.clone();
    set(&mut later, "new", "no");
    assert_eq!(
        office.save_system_entry(&pairs(&later)).await.error(),
        AppError::Review(ReviewRefused::ReviewOpen)
    );

    // The office's steps refuse anyone without the register role, before any work.
    let outsider = app.as_user(&common::officer(&app, "plain@example.org", "Plain Officer").await);
    for refused in [
        outsider.review_step(&id, "close").await.parts().0,
        outsider.answer_comments(&id, "No.").await.parts().0,
        outsider
            .decide_review(&id, "approved", "Me", "2026-01-01", "No.")
            .await
            .parts()
            .0,
        outsider.save_review_report(&id, "1", "No.").await.parts().0,
    ] {
        assert_eq!(refused, 403);
    }
    assert_eq!(
        stage(app.anonymous().get_review(&id).await.value()),
        ReviewStage::Comment
    );

    // Comments: signed in, one per person per section (a second replaces the first).
    let ana = common::sign_up(&app, "ana2@example.org").await;
    let ben = common::sign_up(&app, "ben@example.org").await;
    assert_eq!(
        app.anonymous()
            .comment_on_review(&id, "equity", "No.")
            .await
            .error(),
        AppError::Auth(AuthError::NotSignedIn)
    );
    app.as_user(&ana)
        .comment_on_review(&id, "equity", "Who is on the watch list?")
        .await
        .ok();
    app.as_user(&ana)
        .comment_on_review(&id, "equity", "Who decides the watch list?")
        .await
        .ok();
    app.as_user(&ben)
        .comment_on_review(&id, "equity", "Not in my neighbourhood.")
        .await
        .ok();
    assert_eq!(
        app.as_user(&ben)
            .comment_on_review(&id, "cost", "  ")
            .await
            .error(),
        AppError::Review(ReviewRefused::TextRequired)
    );
    let page = app.as_user(&ana).get_review(&id).await.value();
    let equity: Vec<_> = page
        .review
        .comments
        .iter()
        .filter(|c| c.section.code() == "equity")
        .collect();
    assert_eq!(equity.len(), 2);
    let mine: Vec<_> = equity.iter().filter(|c| c.mine).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].body.as_deref(), Some("Who decides the watch list?"));
    // Hiding: staff only, with a public reason.
    let bens = equity.iter().find(|c| !c.mine).unwrap().id.clone();
    assert_eq!(
        app.as_user(&ana)
            .hide_review_comment(&id, &bens, "No.")
            .await
            .error(),
        AppError::Auth(AuthError::Forbidden)
    );
    office
        .hide_review_comment(&id, &bens, "It names a private person.")
        .await
        .ok();
    let page = app.anonymous().get_review(&id).await.value();
    let hidden = page.review.comments.iter().find(|c| c.id == bens).unwrap();
    assert_eq!(
        (hidden.body.clone(), hidden.hidden_reason.as_deref()),
        (None, Some("It names a private person."))
    );

    // The period (one day) is open today: it cannot be closed yet.
    assert!(matches!(
        office.review_step(&id, "close").await.error(),
        AppError::Review(ReviewRefused::PeriodOpen(_))
    ));
    // Time passes: the period ended yesterday.
    let yesterday = store::requests::today().add_days(-1).to_string();
    sqlx::query("UPDATE system_reviews SET closes_on = $1 WHERE id = $2")
        .bind(&yesterday)
        .bind(&id)
        .execute(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(
        app.as_user(&ben)
            .comment_on_review(&id, "cost", "Too late?")
            .await
            .error(),
        AppError::Review(ReviewRefused::CommentsClosed)
    );
    office.review_step(&id, "close").await.ok();
    let today = store::requests::today();
    assert_eq!(
        office
            .decide_review(&id, "approved", "City Council", &today.to_string(), "Limited.")
            .await
            .error(),
        AppError::Review(ReviewRefused::AnswerFirst)
    );
    office
        .answer_comments(&id, "We limited the watch list to warrants.")
        .await
        .ok();
    assert_eq!(
        office
            .decide_review(
                &id,
                "approved",
                "City Council",
                &today.add_days(1).to_string(),
                "Limited."
            )
            .await
            .error(),
        AppError::Review(ReviewRefused::FutureDecision)
    );
    office
        .decide_review(
            &id,
            "approved",
            "City Council",
            &today.to_string(),
            "Limited to warrants.",
        )
        .await
        .ok();
    assert_eq!(
        stage(app.anonymous().get_review(&id).await.value()),
        ReviewStage::Approved
    );
    assert_eq!(
        agency.decide(&number, slug, &purpose).await.1,
        "system_not_active",
        "approved is not yet active"
    );
    office.review_step(&id, "activate").await.ok();
    let page = app.anonymous().get_review(&id).await.value();
    assert_eq!(page.review.stage, ReviewStage::Active);
    assert_eq!(
        page.review.answer.as_deref(),
        Some("We limited the watch list to warrants.")
    );
    assert_ne!(
        agency.decide(&number, slug, &purpose).await.1,
        "system_not_active",
        "in force now"
    );
    // Its history: added as planned when published, then active.
    assert_eq!(versions(&app, slug).await, 2);
    let (_, feed) = app.get("/api/v1/register/changes?lang=en").await;
    assert!(feed.contains(slug));
    let actions = audit_actions(&app).await;
    for action in [
        "register_propose",
        "review_publish",
        "review_hide_comment",
        "review_answer",
        "review_decide",
        "review_activate",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action} is audited");
    }
    // Finished: every step is refused now.
    for step in ["publish", "close", "activate"] {
        assert!(office.review_step(&id, step).await.parts().0 == 409, "{step}");
    }
}

async fn problems_reported_are_public_answered_by_register_staff_and_capped_per_day(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(
        app.anonymous()
            .report_problem("", "A camera on Elm Street is not listed.")
            .await
            .error(),
        AppError::Auth(AuthError::NotSignedIn)
    );
    let ana = common::sign_up(&app, "ana@example.org").await;
    let resident = app.as_user(&ana);
    resident
        .report_problem("", "A camera on Elm Street is not listed.")
        .await
        .ok();
    resident
        .report_problem("licence-plate-readers", "The retention shown is wrong.")
        .await
        .ok();
    assert_eq!(
        resident.report_problem("no-such-system", "Wrong.").await.error(),
        AppError::Review(ReviewRefused::NotFound)
    );
    assert_eq!(
        resident.report_problem("", "   ").await.error(),
        AppError::Review(ReviewRefused::TextRequired)
    );
    for n in 0..3 {
        resident
            .report_problem("", &format!("Another problem {n}."))
            .await
            .ok();
    }
    let refused = resident.report_problem("", "One too many.").await;
    assert_eq!(refused.parts().0, 429, "a sixth report in a day is refused");
    // Public, without names, newest first.
    let desk = app.anonymous().register_reports().await.value();
    assert_eq!(desk.reports.len(), 5);
    assert!(!desk.editor && !desk.signed_in);
    let about = desk.reports.iter().find(|r| r.system.is_some()).unwrap();
    assert_eq!(about.system.as_ref().unwrap().0, "licence-plate-readers");
    let id = about.id.clone();
    // Only register staff answer.
    assert_eq!(
        resident.answer_problem_report(&id, "Fixed.").await.error(),
        AppError::Auth(AuthError::Forbidden)
    );
    let plain = common::officer(&app, "plain@example.org", "Plain Officer").await;
    assert_eq!(
        app.as_user(&plain)
            .answer_problem_report(&id, "Fixed.")
            .await
            .parts()
            .0,
        403
    );
    let officer = register_officer(&app, "reg@example.org").await;
    app.as_user(&officer)
        .answer_problem_report(&id, "Corrected to 30 days; thank you.")
        .await
        .ok();
    let desk = app.anonymous().register_reports().await.value();
    let answered = desk.reports.iter().find(|r| r.id == id).unwrap();
    assert_eq!(
        answered.answer.as_deref(),
        Some("Corrected to 30 days; thank you.")
    );
    assert!(
        audit_actions(&app)
            .await
            .contains(&"answer_register_report".to_owned())
    );
    let (status, page) = app.get("/register/reports").await;
    assert_eq!(status, 200);
    assert!(page.contains("Corrected to 30 days; thank you.") && !page.contains("ana@example.org"));
}

async fn admins_manage_agency_api_clients_in_the_console(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = common::officer(&app, "off@example.org", "Off Icer").await;
    assert_eq!(
        app.as_user(&officer).clients_desk().await.error(),
        AppError::Auth(AuthError::Forbidden)
    );
    assert_eq!(
        app.as_user(&officer)
            .create_api_client(AGENCY, &["consent:check"])
            .await
            .error(),
        AppError::Auth(AuthError::Forbidden)
    );
    let admin = common::staff(&app, "admin@example.org", "Ad Min", Role::Admin).await;
    let console = app.as_user(&admin);
    assert_eq!(
        console.create_api_client(AGENCY, &[]).await.error(),
        AppError::InvalidInput("scopes".into())
    );
    assert_eq!(
        console
            .create_api_client("no-such-agency", &["consent:check"])
            .await
            .error(),
        AppError::InvalidInput("agency".into())
    );
    let created = console.create_api_client(AGENCY, &["consent:check"]).await;
    let carried = created
        .set_cookie("gh_new_client")
        .expect("the new secret travels to the page once");
    let (client_id, secret) = carried.split_once('.').unwrap();
    // The page shows it once and clears it.
    let desk = app
        .as_user(&admin)
        .with_header("cookie", &format!("gh_new_client={carried}"))
        .clients_desk()
        .await;
    assert_eq!(desk.set_cookie("gh_new_client").as_deref(), Some(""));
    assert_eq!(
        desk.value().created,
        Some((client_id.to_owned(), secret.to_owned()))
    );
    let line = |desk: app::console::clients::ClientsDesk| {
        desk.clients
            .into_iter()
            .find(|c| c.client_id == client_id)
            .unwrap()
    };
    let listed = line(console.clients_desk().await.value());
    assert_eq!(
        (listed.scopes.as_str(), listed.last_used.is_none()),
        ("consent:check", true)
    );
    // The agency uses it; the console sees when.
    let token = app.anonymous().token(client_id, secret).await.ok().access_token;
    assert!(line(console.clients_desk().await.value()).last_used.is_some());
    assert_eq!(app.as_agency(&token).whoami().await.parts().0, 200);
    console.revoke_api_client(client_id).await.ok();
    assert_eq!(
        app.as_agency(&token).whoami().await.parts().0,
        401,
        "revoked: its tokens stop at once"
    );
    assert_eq!(
        console.revoke_api_client(client_id).await.error(),
        AppError::NotFound
    );
    let actions = audit_actions(&app).await;
    assert!(actions.contains(&"create_client".to_owned()) && actions.contains(&"revoke_client".to_owned()));
    let secrets: Vec<(String,)> = sqlx::query_as("SELECT detail FROM admin_audit")
        .fetch_all(&app.state.pool)
        .await
        .unwrap();
    assert!(
        secrets.iter().all(|(d,)| !d.contains(secret)),
        "the secret is never in the audit log"
    );
}
