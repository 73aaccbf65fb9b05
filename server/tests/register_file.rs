//! A city's own register, brought in and taken out as a file: `glasshouse register export`
//! and `import` as an operator runs them, and `GET /api/v1/register/export`, on SQLite and
//! PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, TestDatabase, glasshouse, spawn_app, text};
use serde_json::{Value, json};

on_both_databases!(
    export_then_import_into_an_empty_database_gives_the_same_file,
    a_bad_file_is_refused_whole_with_every_problem_listed_and_nothing_written,
    importing_again_updates_what_changed_and_only_a_material_change_makes_grants_stale,
    each_change_is_a_version_in_the_systems_history_and_the_public_change_feed,
    followers_and_residents_holding_data_hear_of_a_change_and_no_one_else,
    a_csv_in_the_shape_of_the_csv_export_updates_what_it_carries_and_a_bad_one_changes_nothing,
);

/// A database with the demo city, and its `DATABASE_URL`.
async fn demo_database(backend: Backend) -> TestDatabase {
    let db = TestDatabase::new(backend).await;
    let loaded = glasshouse(&["demo"], &[("DATABASE_URL", db.url.as_str())]);
    assert!(loaded.status.success(), "{}", text(&loaded.stderr));
    db
}

fn export(db: &TestDatabase) -> String {
    let out = glasshouse(&["register", "export"], &[("DATABASE_URL", db.url.as_str())]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// Imports `file` (written to a temporary file); returns the output.
fn import(db: &TestDatabase, file: &str) -> std::process::Output {
    import_named(db, "register.json", file, &[])
}

fn import_named(db: &TestDatabase, name: &str, file: &str, args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, file).unwrap();
    let mut all = vec!["register", "import", path.to_str().unwrap()];
    all.extend(args);
    glasshouse(&all, &[("DATABASE_URL", db.url.as_str())])
}

async fn export_then_import_into_an_empty_database_gives_the_same_file(backend: Backend) {
    let source = demo_database(backend).await;
    let exported = export(&source);
    let file: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(file["format"], "glasshouse-register/1");
    let systems = file["systems"].as_array().unwrap().len();
    assert!(
        file["devices"].as_array().unwrap().len() >= 40,
        "the devices travel with the register"
    );
    assert_eq!(
        file["districts"].as_array().unwrap().len(),
        7,
        "and the districts"
    );
    assert!(systems >= 30, "the demo city's systems: {systems}");
    assert!(
        file["systems"][0]["name"]["es"].is_string(),
        "every language is in the file"
    );
    // The API serves the same file as the command writes (the test server's own register).
    let app = spawn_app(backend).await;
    let (status, served) = app.get("/api/v1/register/export").await;
    assert_eq!(status, 200);
    assert_eq!(
        served,
        store::register::export(&app.state.pool).await.unwrap().to_json()
    );

    let target = TestDatabase::new(backend).await;
    let imported = import(&target, &exported);
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    let said = text(&imported.stdout);
    assert!(
        said.contains(&format!("systems: {systems} created, 0 updated, 0 unchanged")),
        "{said}"
    );
    assert_eq!(
        export(&target),
        exported,
        "export → import → export is the same file"
    );
    // The same file again changes nothing.
    let again = import(&target, &exported);
    assert!(
        text(&again.stdout).contains(&format!("systems: 0 created, 0 updated, {systems} unchanged")),
        "{}",
        text(&again.stdout)
    );
    // Both imports are on the record, and the ledger verifies.
    let env = [("DATABASE_URL", target.url.as_str())];
    let verified = glasshouse(&["audit", "verify"], &env);
    assert!(verified.status.success(), "{}", text(&verified.stderr));
}

async fn a_bad_file_is_refused_whole_with_every_problem_listed_and_nothing_written(backend: Backend) {
    let db = demo_database(backend).await;
    let before = export(&db);
    let mut file: Value = serde_json::from_str(&before).unwrap();
    // A valid change that must not be written, beside four problems.
    file["systems"][3]["name"]["en"] = json!("A renamed system");
    file["systems"][0]["technology"] = json!("teleportation");
    file["systems"][1]["purposes"][0]["legal_basis"] = json!("because");
    file["agencies"][0]["dpo_email"] = json!("nobody");
    file["systems"][2]["agency"] = json!("no-such-agency");
    let refused = import(&db, &file.to_string());
    assert_eq!(refused.status.code(), Some(1));
    let said = text(&refused.stderr);
    for path in [
        "agencies[0].dpo_email",
        "systems[0].technology: unknown Technology \"teleportation\"",
        "systems[1].purposes[0].legal_basis",
        "systems[2].agency",
        "4 problem(s) in the register file; nothing was written",
    ] {
        assert!(said.contains(path), "{path} in: {said}");
    }
    assert_eq!(export(&db), before, "nothing was written");

    // A file that is not JSON is refused at its line and column.
    let broken = import(&db, "{\n  \"format\": \"glasshouse-register/1\",\n  oops\n}");
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        text(&broken.stderr).contains("line 3, column"),
        "{}",
        text(&broken.stderr)
    );
    // An unknown field is a problem, not silently dropped.
    let mut extra: Value = serde_json::from_str(&before).unwrap();
    extra["systems"][0]["colour"] = json!("blue");
    let said = text(&import(&db, &extra.to_string()).stderr);
    assert!(said.contains("unknown field `colour`"), "{said}");
    assert_eq!(export(&db), before);
}

/// The notice and material versions of purpose `key` of `system`.
async fn versions(db: &TestDatabase, system: &str, key: &str) -> (i64, i64) {
    let pool = store::db::connect(&db.url).await.unwrap();
    sqlx::query_as(
        "SELECT p.notice_version, p.material_version FROM purposes p JOIN systems s ON s.id = p.system_id \
         WHERE s.slug = $1 AND p.key = $2",
    )
    .bind(system)
    .bind(key)
    .fetch_one(&pool)
    .await
    .unwrap()
}

async fn importing_again_updates_what_changed_and_only_a_material_change_makes_grants_stale(
    backend: Backend,
) {
    let db = demo_database(backend).await;
    let mut file: Value = serde_json::from_str(&export(&db)).unwrap();
    let agencies = file["agencies"].as_array().unwrap().len();
    let systems = file["systems"].as_array().unwrap().len();
    let slug = |i: usize, file: &Value| file["systems"][i]["slug"].as_str().unwrap().to_owned();
    let key = |i: usize, j: usize, file: &Value| {
        file["systems"][i]["purposes"][j]["key"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // System 0, purpose 0: a new data category (material). System 1, purpose 0: new wording only.
    let (material, worded) = (
        (slug(0, &file), key(0, 0, &file)),
        (slug(1, &file), key(1, 0, &file)),
    );
    let categories = file["systems"][0]["purposes"][0]["data_categories"]
        .as_array_mut()
        .unwrap();
    let added = ["contact", "financial", "identity", "location"]
        .into_iter()
        .find(|c| !categories.contains(&json!(c)))
        .unwrap();
    categories.push(json!(added));
    file["systems"][0]["purposes"][0]
        .as_object_mut()
        .unwrap()
        .remove("special_categories");
    file["systems"][1]["purposes"][0]["name"]["en"] = json!("A clearer name for the same thing");
    file["agencies"][0]["website"] = json!("https://city.example/new-site");
    let mut new_system = file["systems"][0].clone();
    new_system["slug"] = json!("imported-sensor-network");
    file["systems"].as_array_mut().unwrap().push(new_system);
    let before = (
        versions(&db, &material.0, &material.1).await,
        versions(&db, &worded.0, &worded.1).await,
    );

    let imported = import(&db, &file.to_string());
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    let said = text(&imported.stdout);
    assert!(
        said.contains(&format!(
            "agencies: 0 created, 1 updated, {} unchanged",
            agencies - 1
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "systems: 1 created, 2 updated, {} unchanged",
            systems - 2
        )),
        "{said}"
    );
    assert!(said.contains("purposes with a new notice version: 2"), "{said}");
    let (notice, material_version) = versions(&db, &material.0, &material.1).await;
    assert_eq!(
        (notice, material_version),
        (before.0.0 + 1, before.0.0 + 1),
        "a new category is material: grants on the old notice go stale"
    );
    let (notice, material_version) = versions(&db, &worded.0, &worded.1).await;
    assert_eq!(
        (notice, material_version),
        (before.1.0 + 1, before.1.1),
        "new wording is a new notice, not a material change"
    );
    let exported: Value = serde_json::from_str(&export(&db)).unwrap();
    assert_eq!(
        exported["agencies"][0]["website"],
        "https://city.example/new-site"
    );
    assert_eq!(exported["systems"].as_array().unwrap().len(), systems + 1);
}

async fn each_change_is_a_version_in_the_systems_history_and_the_public_change_feed(backend: Backend) {
    let app = spawn_app(backend).await;
    let pool = &app.state.pool;
    let mut file = store::register::export(pool).await.unwrap();
    let slug = file.systems[0].slug.clone();
    let old_days = file.systems[0].retention_days;
    file.systems[0].retention_days = Some(old_days.unwrap_or(30) + 365);
    file.systems[0].status = "retired".into();
    let register = file.check().unwrap();
    store::register::import(pool, &register, store::audit::Actor::Operator)
        .await
        .unwrap();

    // The system's history: the retirement first, then its entry into the register.
    let (status, html) = app.get(&format!("/systems/{slug}/history")).await;
    assert_eq!(status, 200);
    let html = html.replace("<!>", "");
    let retired = html.find("Retired").expect("the retirement is listed");
    let added = html
        .find("Added to the register")
        .expect("the first version is listed");
    assert!(retired < added, "newest first");
    assert!(html.contains("Retention period in days"), "the field, in words");
    assert!(
        html.contains(&format!("{}</ins>", old_days.unwrap_or(30) + 365)),
        "the new value"
    );
    // The system page links to it.
    let (_, page) = app.get(&format!("/systems/{slug}")).await;
    assert!(page.contains(&format!("href=\"/systems/{slug}/history\"")));
    // The public feed, as a page, as JSON and as Atom, has it first.
    let (status, feed) = app.get("/register/changes").await;
    assert_eq!(status, 200);
    assert!(feed.contains(&format!("/systems/{slug}/history")), "{feed}");
    let (status, json) = app.get("/api/v1/register/changes?lang=es").await;
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["changes"][0]["system_slug"], slug.as_str());
    assert_eq!(json["changes"][0]["kind"], "retired");
    let fields: Vec<&str> = json["changes"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["status", "retention_days"]);
    let (status, atom) = app.get("/register/changes.atom").await;
    assert_eq!(status, 200);
    assert!(atom.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
    assert!(
        atom.contains(&format!("/systems/{slug}/history#v2</id>")),
        "{atom}"
    );
    // Importing the same register again makes no new version.
    store::register::import(pool, &register, store::audit::Actor::Operator)
        .await
        .unwrap();
    let versions = store::register::history(pool, &domain::register::Slug::parse(&slug).unwrap())
        .await
        .unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(app.get("/systems/no-such-system/history").await.0, 404);
}

async fn followers_and_residents_holding_data_hear_of_a_change_and_no_one_else(backend: Backend) {
    let app = spawn_app(backend).await;
    let pool = &app.state.pool;
    let mut file = store::register::export(pool).await.unwrap();
    let held = file
        .systems
        .iter()
        .position(|s| s.scope == domain::register::Scope::Enrollment.code())
        .expect("an enrollment system");
    let followed = (0..file.systems.len()).find(|i| *i != held).unwrap();
    let (held_slug, followed_slug) = (
        file.systems[held].slug.clone(),
        file.systems[followed].slug.clone(),
    );
    let follower = common::sign_up(&app, "ana@example.org").await;
    let (holder, _) = common::enrolled_resident(&app, "ben@example.org", &[&held_slug]).await;
    let bystander = common::sign_up(&app, "cy@example.org").await;
    let ana = app.as_user(&follower);
    assert_eq!(ana.following(&followed_slug).await.value(), Some(false));
    ana.follow_system(&followed_slug, true).await.ok();
    assert_eq!(ana.following(&followed_slug).await.value(), Some(true));
    assert_eq!(app.anonymous().following(&followed_slug).await.value(), None);
    let refused = app.anonymous().follow_system(&followed_slug, true).await;
    assert_eq!(
        refused.error(),
        app::error::AppError::Auth(domain::account::AuthError::NotSignedIn)
    );
    assert_eq!(
        ana.follow_system("no-such-system", true).await.error(),
        app::error::AppError::NotFound
    );

    for i in [held, followed] {
        file.systems[i].retention_days = Some(file.systems[i].retention_days.unwrap_or(30) + 10);
    }
    let register = file.check().unwrap();
    store::register::import(pool, &register, store::audit::Actor::Operator)
        .await
        .unwrap();

    let heard = |notices: Vec<domain::register::SystemNotice>| {
        notices
            .into_iter()
            .map(|n| (n.system_slug, n.version, n.read))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        heard(ana.register_notices().await),
        [(followed_slug.clone(), 2, false)]
    );
    let ben = app.as_user(&holder);
    assert_eq!(
        heard(ben.register_notices().await),
        [(held_slug.clone(), 2, false)]
    );
    assert_eq!(ben.unread_notifications().await.value(), 1);
    assert!(app.as_user(&bystander).register_notices().await.is_empty());
    // The notifications page shows it, linking to what changed; marking all read clears it.
    let (_, page) = app.get_as("/my/notifications", &holder).await;
    assert!(
        page.contains(&format!("/systems/{held_slug}/history#v2")),
        "{page}"
    );
    ben.mark_notifications_read(None).await.ok();
    assert_eq!(ben.unread_notifications().await.value(), 0);
    // Unfollowing stops the notices.
    ana.follow_system(&followed_slug, false).await.ok();
    file.systems[followed].retention_days = Some(1);
    store::register::import(pool, &file.check().unwrap(), store::audit::Actor::Operator)
        .await
        .unwrap();
    assert_eq!(ana.register_notices().await.len(), 1);
}

async fn a_csv_in_the_shape_of_the_csv_export_updates_what_it_carries_and_a_bad_one_changes_nothing(
    backend: Backend,
) {
    let db = demo_database(backend).await;
    let app = spawn_app(backend).await;
    let (status, csv_text) = app.get("/api/v1/register/systems.csv?lang=es").await;
    assert_eq!(status, 200);
    let before = export(&db);
    // The export as it is changes nothing.
    let same = import_named(&db, "register.csv", &csv_text, &["--lang", "es"]);
    assert!(same.status.success(), "{}", text(&same.stderr));
    assert!(
        text(&same.stdout).contains("systems: 0 created, 0 updated"),
        "{}",
        text(&same.stdout)
    );
    assert_eq!(export(&db), before);

    // Every row of one system gets a new retention period and a new Spanish name.
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let slug_at = header.iter().position(|h| h == "system_slug").unwrap();
    let days_at = header.iter().position(|h| h == "retention_days").unwrap();
    let name_at = header.iter().position(|h| h == "system_name").unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let target = records[0][slug_at].to_owned();
    let write = |edit: &dyn Fn(usize, &csv::StringRecord) -> Vec<String>| {
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(&header).unwrap();
        for (i, r) in records.iter().enumerate() {
            out.write_record(edit(i, r)).unwrap();
        }
        String::from_utf8(out.into_inner().unwrap()).unwrap()
    };
    let changed = write(&|_, r| {
        let mut fields: Vec<String> = r.iter().map(str::to_owned).collect();
        if r[slug_at] == *target {
            fields[days_at] = "12".to_owned();
            fields[name_at] = "Nombre nuevo".to_owned();
        }
        fields
    });
    let done = import_named(&db, "register.csv", &changed, &["--lang", "es"]);
    assert!(done.status.success(), "{}", text(&done.stderr));
    assert!(
        text(&done.stdout).contains("systems: 0 created, 1 updated"),
        "{}",
        text(&done.stdout)
    );
    let file: Value = serde_json::from_str(&export(&db)).unwrap();
    let system = file["systems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["slug"] == *target)
        .unwrap();
    assert_eq!(system["retention_days"], 12);
    assert_eq!(system["name"]["es"], "Nombre nuevo");
    assert!(
        system["name"]["en"].is_string() && system["description"]["en"].is_string(),
        "what a CSV lacks stays"
    );
    let after = export(&db);

    // Bad cells and a system the register lacks: refused whole, each at its line, nothing written.
    let bad = write(&|i, r| {
        let mut fields: Vec<String> = r.iter().map(str::to_owned).collect();
        if i == 0 {
            fields[days_at] = "a month".to_owned();
        }
        if i == 1 {
            fields[slug_at] = "a-new-camera".to_owned();
        }
        fields
    });
    let refused = import_named(&db, "register.csv", &bad, &["--lang", "es"]);
    assert!(!refused.status.success());
    let said = text(&refused.stderr);
    assert!(
        said.contains("line 2, column retention_days") && said.contains("line 3, column system_slug"),
        "{said}"
    );
    assert_eq!(export(&db), after, "nothing was written");
    let no_column = import_named(&db, "register.csv", "system_slug\nx\n", &[]);
    assert!(text(&no_column.stderr).contains("the column \"system_name\" is missing"));
}
