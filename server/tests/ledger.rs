//! The ledger on SQLite and PostgreSQL: every entry of the four logs gets its leaf in the
//! transaction that stores it; `audit verify` catches every kind of edit a database
//! administrator could make; proofs check out by RFC 9162's own algorithm (written here,
//! not the project's code); deleting an account keeps pseudonymous evidence that verifies.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use app::error::AppError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::client::Filing;
use common::{Backend, TestApp, bearer, enrolled_resident, filed, spawn_app, staff};
use domain::account::{ApiScope, Role};
use domain::ledger::{Finding, Frontier, from_hex, to_hex};
use sha2::{Digest, Sha256};
use store::ledger::VerifyError;

on_both_databases!(
    every_log_appends_its_leaf_and_the_ledger_verifies,
    an_edited_row_is_named,
    a_deleted_row_is_named,
    an_inserted_row_is_named,
    reordered_decisions_are_named,
    a_truncated_log_with_a_lowered_head_is_caught_by_checkpoints,
    a_rewritten_history_fails_the_consistency_proof,
    the_logs_refuse_updates_and_deletes,
    proofs_check_out_by_the_rfc_algorithm,
    residents_see_proofs_of_their_own_entries_only,
    deleting_an_account_keeps_pseudonymous_evidence_that_verifies,
    evidence_is_purged_when_its_retention_is_over_and_the_ledger_still_verifies,
);

const AGENCY: &str = "riverton-digital-services";
const SYSTEM: &str = "myriverton-account";
const NEWSLETTER: &str = "city-newsletter";

/// Entries in all four logs: a consent grant, an import enrollment, two agency decisions,
/// and an officer's action. Returns the resident's session and number.
async fn busy_ledger(app: &TestApp) -> (String, String) {
    let (session, number) = enrolled_resident(app, "ana@example.org", &[SYSTEM]).await;
    let me = app.as_user(&session);
    me.record_consent(SYSTEM, NEWSLETTER, "grant").await.ok();
    let agency = app.as_agency(&bearer(app, AGENCY, &[ApiScope::ConsentCheck]).await);
    assert_eq!(agency.decide(&number, SYSTEM, NEWSLETTER).await.0, "permit");
    let id = filed(app, &session, &Filing::new("access").systems(&[SYSTEM])).await;
    let officer = app.as_user(&staff(app, "officer@example.org", "Olu", Role::Officer).await);
    officer.verify(&id).await.ok();
    assert_eq!(agency.decide(&number, SYSTEM, NEWSLETTER).await.0, "permit");
    (session, number)
}

async fn verify(app: &TestApp, saved: Option<&str>) -> Result<domain::ledger::Verified, VerifyError> {
    store::ledger::verify_all(
        &app.state.pool,
        &app.state.backend.keeper,
        saved.map(|note| ("saved.note", note)),
    )
    .await
}

fn findings(result: Result<domain::ledger::Verified, VerifyError>) -> Vec<Finding> {
    match result {
        Err(VerifyError::Findings(findings)) => findings,
        other => panic!("expected findings, got {other:?}"),
    }
}

/// A signed checkpoint of everything so far (the test servers make one on every request).
async fn checkpoint(app: &TestApp) -> String {
    app.state
        .backend
        .keeper
        .latest(&app.state.pool)
        .await
        .unwrap()
        .unwrap()
        .note
}

/// What a database administrator does first: drop the triggers that keep the logs append-only.
async fn drop_guards(app: &TestApp, backend: Backend) {
    for table in [
        "consent_events",
        "enrollment_events",
        "admin_audit",
        "ledger",
        "ledger_checkpoints",
        "ledger_redactions",
        "decision_log",
    ] {
        for op in ["update", "delete", "unrecorded_delete"] {
            let sql = match backend {
                Backend::Sqlite => format!("DROP TRIGGER IF EXISTS {table}_no_{}", op.to_uppercase()),
                Backend::Postgres => format!("DROP TRIGGER IF EXISTS {table}_no_{op} ON {table}"),
            };
            run(app, &sql).await;
        }
    }
}

async fn run(app: &TestApp, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&app.state.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn one(app: &TestApp, sql: &str) -> String {
    let (value,): (String,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&app.state.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    value
}

async fn index_of(app: &TestApp, source: &str, id: &str) -> i64 {
    one(
        app,
        &format!("SELECT CAST(idx AS TEXT) FROM ledger WHERE source = '{source}' AND entry_id = '{id}'"),
    )
    .await
    .parse()
    .unwrap()
}

/// Recomputes the head from the ledger table as it now stands, as an attacker covering
/// their tracks would.
async fn rewrite_head(app: &TestApp) {
    let hashes = store::ledger::leaf_hashes(&app.state.pool, u64::MAX >> 2)
        .await
        .unwrap();
    let mut frontier = Frontier::new();
    for h in &hashes {
        frontier.push(*h);
    }
    let peaks: Vec<String> = frontier.peaks().iter().map(to_hex).collect();
    run(
        app,
        &format!(
            "UPDATE ledger_head SET size = {}, frontier = '{}', root = '{}'",
            frontier.size(),
            peaks.join(","),
            to_hex(&frontier.root())
        ),
    )
    .await;
}

async fn every_log_appends_its_leaf_and_the_ledger_verifies(backend: Backend) {
    let app = spawn_app(backend).await;
    busy_ledger(&app).await;
    let verified = verify(&app, None).await.unwrap();
    let count = |log: &str| {
        verified
            .counts
            .iter()
            .find(|(s, _)| s.code() == log)
            .map(|(_, n)| *n)
            .unwrap()
    };
    assert_eq!(count("decision"), 2);
    assert_eq!(count("consent"), 1);
    assert_eq!(count("enrollment"), 1);
    assert!(count("audit") >= 1);
    let head = store::ledger::head(&app.state.pool).await.unwrap();
    assert_eq!(head.size, verified.size);
    let (log_rows,): (i64,) = sqlx::query_as(concat!(
        "SELECT (SELECT COUNT(*) FROM decision_log) + (SELECT COUNT(*) FROM consent_events) + ",
        "(SELECT COUNT(*) FROM enrollment_events) + (SELECT COUNT(*) FROM admin_audit)"
    ))
    .fetch_one(&app.state.pool)
    .await
    .unwrap();
    assert_eq!(log_rows as u64, head.size, "one leaf per row, no more, no less");
}

async fn an_edited_row_is_named(backend: Backend) {
    let app = spawn_app(backend).await;
    busy_ledger(&app).await;
    drop_guards(&app, backend).await;
    let id = one(&app, "SELECT id FROM consent_events").await;
    run(&app, "UPDATE consent_events SET action = 'withdraw'").await;
    let found = findings(verify(&app, None).await);
    let idx = index_of(&app, "consent", &id).await;
    assert_eq!(
        found[0],
        Finding::Edited {
            idx,
            log: "consent".into(),
            id
        }
    );
}

async fn a_deleted_row_is_named(backend: Backend) {
    let app = spawn_app(backend).await;
    busy_ledger(&app).await;
    drop_guards(&app, backend).await;
    let id = one(&app, "SELECT id FROM admin_audit").await;
    let idx = index_of(&app, "audit", &id).await;
    run(&app, &format!("DELETE FROM admin_audit WHERE id = '{id}'")).await;
    let found = findings(verify(&app, None).await);
    assert_eq!(
        found[0],
        Finding::Deleted {
            idx,
            log: "audit".into(),
            id
        }
    );
}

async fn an_inserted_row_is_named(backend: Backend) {
    let app = spawn_app(backend).await;
    busy_ledger(&app).await;
    drop_guards(&app, backend).await;
    run(
        &app,
        concat!(
            "INSERT INTO consent_events (id, user_id, purpose_id, notice_version, action, channel, at_us) ",
            "SELECT 'forged', user_id, purpose_id, notice_version, 'grant', 'web', at_us + 1 FROM consent_events"
        ),
    )
    .await;
    let found = findings(verify(&app, None).await);
    assert_eq!(
        found,
        [Finding::Inserted {
            log: "consent".into(),
            id: "forged".into()
        }]
    );
}

async fn reordered_decisions_are_named(backend: Backend) {
    let app = spawn_app(backend).await;
    busy_ledger(&app).await;
    drop_guards(&app, backend).await;
    // Swap the numbers of the two decisions, as if the second had come first.
    run(&app, "UPDATE decision_log SET seq = -1 WHERE seq = 1").await;
    run(&app, "UPDATE decision_log SET seq = 1 WHERE seq = 2").await;
    run(&app, "UPDATE decision_log SET seq = 2 WHERE seq = -1").await;
    let found = findings(verify(&app, None).await);
    assert!(
        matches!(&found[0], Finding::Edited { log, .. } if log == "decision"),
        "{found:?}"
    );
    assert_eq!(found.len(), 2, "both decisions are named: {found:?}");
}

async fn a_truncated_log_with_a_lowered_head_is_caught_by_checkpoints(backend: Backend) {
    let app = spawn_app(backend).await;
    busy_ledger(&app).await;
    let saved = checkpoint(&app).await;
    drop_guards(&app, backend).await;
    // Remove the last decision and its leaf, and lower both heads to match: every row now
    // agrees with the ledger and the ledger with its head.
    let last = index_of(
        &app,
        "decision",
        &one(&app, "SELECT id FROM decision_log WHERE seq = 2").await,
    )
    .await;
    run(&app, "DELETE FROM decision_log WHERE seq = 2").await;
    run(&app, &format!("DELETE FROM ledger WHERE idx = {last}")).await;
    run(&app, "UPDATE decision_log_head SET seq = 1").await;
    rewrite_head(&app).await;
    // The checkpoint kept in the database still says how long the log was.
    let found = findings(verify(&app, None).await);
    assert!(matches!(found[0], Finding::Shorter { .. }), "{found:?}");
    // Delete the kept checkpoints too: alone, the database now looks whole...
    run(&app, "DELETE FROM ledger_checkpoints").await;
    verify(&app, None).await.unwrap();
    // ...but anyone who saved a checkpoint sees the history was cut.
    let found = findings(verify(&app, Some(&saved)).await);
    assert!(
        matches!(&found[0], Finding::Shorter { origin, .. } if origin.contains("saved.note")),
        "{found:?}"
    );
}

async fn a_rewritten_history_fails_the_consistency_proof(backend: Backend) {
    let app = spawn_app(backend).await;
    busy_ledger(&app).await;
    let saved = checkpoint(&app).await;
    drop_guards(&app, backend).await;
    // Rewrite a consent grant into a withdrawal and recompute its leaf and the head.
    let id = one(&app, "SELECT id FROM consent_events").await;
    run(&app, "UPDATE consent_events SET action = 'withdraw'").await;
    let entries = store::ledger::all_entries(&app.state.pool).await.unwrap();
    let forged = entries.iter().find(|e| e.id() == id).unwrap();
    run(
        &app,
        &format!(
            "UPDATE ledger SET leaf_hash = '{}' WHERE entry_id = '{id}'",
            to_hex(&forged.leaf_hash())
        ),
    )
    .await;
    rewrite_head(&app).await;
    run(&app, "DELETE FROM ledger_checkpoints").await;
    verify(&app, None).await.unwrap();
    let found = findings(verify(&app, Some(&saved)).await);
    assert!(matches!(found[0], Finding::Inconsistent { .. }), "{found:?}");
    // A note not signed by the city's key is refused, not trusted.
    let forged_note = saved.replace("time ", "time 1");
    assert!(matches!(
        verify(&app, Some(&forged_note)).await,
        Err(VerifyError::Checkpoint(_))
    ));
}

async fn the_logs_refuse_updates_and_deletes(backend: Backend) {
    let app = spawn_app(backend).await;
    busy_ledger(&app).await;
    checkpoint(&app).await;
    // A redaction row to try to change (of a staff action's entry, which no purge may
    // remove: it lets no row go).
    run(
        &app,
        "INSERT INTO ledger_redactions (idx, audit_id, at_us) \
         SELECT MIN(idx), 'none', 0 FROM ledger WHERE source = 'audit'",
    )
    .await;
    for sql in [
        "UPDATE consent_events SET action = 'withdraw'",
        "DELETE FROM consent_events",
        "UPDATE enrollment_events SET channel = 'api'",
        "DELETE FROM enrollment_events",
        "UPDATE admin_audit SET detail = 'nothing happened'",
        "DELETE FROM admin_audit",
        "UPDATE ledger SET leaf_hash = 'x'",
        "DELETE FROM ledger",
        "DELETE FROM ledger_checkpoints",
        "UPDATE ledger_redactions SET audit_id = 'x'",
        "DELETE FROM ledger_redactions",
        "UPDATE decision_log SET decision = 'deny'",
        "UPDATE decision_log SET subject = ''",
        "DELETE FROM decision_log",
    ] {
        let refused = sqlx::query(sql).execute(&app.state.pool).await;
        let message = refused.expect_err(sql).to_string();
        assert!(message.contains("append-only"), "{sql}: {message}");
    }
    verify(&app, None).await.unwrap();
}

/// RFC 9162 §2.1.3.2, written from the RFC for this test.
fn rfc_inclusion(leaf: [u8; 32], index: u64, size: u64, path: &[[u8; 32]], root: [u8; 32]) -> bool {
    let node = |l: &[u8; 32], r: &[u8; 32]| -> [u8; 32] {
        let mut h = Sha256::new();
        h.update([1u8]);
        h.update(l);
        h.update(r);
        h.finalize().into()
    };
    if index >= size {
        return false;
    }
    let (mut f, mut s, mut r) = (index, size - 1, leaf);
    for p in path {
        if s == 0 {
            return false;
        }
        if f % 2 == 1 || f == s {
            r = node(p, &r);
            while f % 2 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == root
}

/// RFC 9162 §2.1.4.2, written from the RFC for this test.
fn rfc_consistency(
    first: u64,
    second: u64,
    first_root: [u8; 32],
    second_root: [u8; 32],
    proof: &[[u8; 32]],
) -> bool {
    let node = |l: &[u8; 32], r: &[u8; 32]| -> [u8; 32] {
        let mut h = Sha256::new();
        h.update([1u8]);
        h.update(l);
        h.update(r);
        h.finalize().into()
    };
    let mut path = proof.to_vec();
    if first.is_power_of_two() {
        path.insert(0, first_root);
    }
    let (mut f, mut s) = (first - 1, second - 1);
    while f % 2 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if s == 0 {
            return false;
        }
        if f % 2 == 1 || f == s {
            fr = node(c, &fr);
            sr = node(c, &sr);
            while f % 2 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    fr == first_root && sr == second_root && s == 0
}

fn hash32(b64: &str) -> [u8; 32] {
    STANDARD.decode(b64).unwrap().try_into().unwrap()
}

/// Checks a checkpoint's C2SP signed note with the published key, with ed25519-dalek directly.
fn check_note(note: &str, origin: &str, public_key: &str) {
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};
    let (body, signature_line) = note.split_once("\n\n").unwrap();
    let encoded = signature_line
        .trim_end()
        .strip_prefix(&format!("\u{2014} {origin} "))
        .unwrap();
    let bytes = STANDARD.decode(encoded).unwrap();
    let key = VerifyingKey::from_bytes(&hash32(public_key)).unwrap();
    let signature = Signature::from_slice(&bytes[4..]).unwrap();
    key.verify(format!("{body}\n").as_bytes(), &signature)
        .expect("the checkpoint is signed by the published key");
}

async fn proofs_check_out_by_the_rfc_algorithm(backend: Backend) {
    let app = spawn_app(backend).await;
    let (session, number) = busy_ledger(&app).await;
    let public = app.anonymous();
    let first = public.ledger_checkpoint().await.ok();
    check_note(&first.note, &first.origin, &first.public_key);
    assert!(first.note.contains(&format!("\n{}\n", first.tree_size)));
    // The resident's latest decision is in the log: prove it against the checkpoint.
    let page = app.as_user(&session).access_log(&Default::default()).await.ok();
    let index = page.entries[0].ledger_index.expect("an entry number") as u64;
    let proof = public.inclusion_proof(index, first.tree_size).await.ok();
    let path: Vec<[u8; 32]> = proof.audit_path.iter().map(|h| hash32(h)).collect();
    assert!(rfc_inclusion(
        hash32(&proof.leaf_hash),
        index,
        first.tree_size,
        &path,
        hash32(&first.root_hash)
    ));
    // The leaf is the hash of the entry the resident's proof page shows.
    let shown = app.as_user(&session).entry_proof(index as i64).await.ok();
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(shown.entry.as_bytes());
    assert_eq!(to_hex(&h.finalize().into()), shown.leaf_hash);
    assert_eq!(from_hex(&shown.leaf_hash).unwrap(), hash32(&proof.leaf_hash));
    assert!(
        !shown.entry.contains(&number),
        "the resident number is not in the entry"
    );
    // A wrong index does not verify.
    assert!(!rfc_inclusion(
        hash32(&proof.leaf_hash),
        index ^ 1,
        first.tree_size,
        &path,
        hash32(&first.root_hash)
    ));

    // More entries, a newer checkpoint, and the proof that it extends the first.
    let agency = app.as_agency(&bearer(&app, AGENCY, &[ApiScope::ConsentCheck]).await);
    for _ in 0..3 {
        agency.decide(&number, SYSTEM, NEWSLETTER).await;
    }
    let second = public.ledger_checkpoint().await.ok();
    assert!(second.tree_size > first.tree_size);
    check_note(&second.note, &second.origin, &second.public_key);
    let consistency = public
        .consistency_proof(first.tree_size, second.tree_size)
        .await
        .ok();
    let proof: Vec<[u8; 32]> = consistency.proof.iter().map(|h| hash32(h)).collect();
    assert!(rfc_consistency(
        first.tree_size,
        second.tree_size,
        hash32(&first.root_hash),
        hash32(&second.root_hash),
        &proof
    ));
    assert!(!rfc_consistency(
        first.tree_size,
        second.tree_size,
        hash32(&second.root_hash),
        hash32(&first.root_hash),
        &proof
    ));
    let history = public.ledger_checkpoints().await.ok().checkpoints;
    assert!(history.len() >= 2, "checkpoints are kept");
    assert_eq!(
        public
            .inclusion_proof(second.tree_size, second.tree_size)
            .await
            .status,
        404
    );
}

async fn residents_see_proofs_of_their_own_entries_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let (session, _) = busy_ledger(&app).await;
    let (other, _) = enrolled_resident(&app, "bo@example.org", &[SYSTEM]).await;
    let mine = app.as_user(&session).consent_history().await.ok().items;
    let index = mine[0].ledger_index.unwrap();
    let proof = app.as_user(&session).entry_proof(index).await.ok();
    assert_eq!(proof.log.code(), "consent");
    let proven = proof.proven_in.expect("covered by a checkpoint");
    assert!(proven.verified);
    let theirs = app.as_user(&other).entry_proof(index).await;
    assert_eq!((theirs.status, theirs.error()), (404, AppError::NotFound));
    let audit = index_of(&app, "audit", &one(&app, "SELECT id FROM admin_audit").await).await;
    let staff_action = app.as_user(&session).entry_proof(audit).await;
    assert_eq!(
        staff_action.status, 404,
        "staff actions are not a resident's to read"
    );
    assert_eq!(app.anonymous().entry_proof(index).await.status, 401);
    // The page itself, without JavaScript.
    let (status, html) = app.get_as(&format!("/my/ledger/{index}"), &session).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-verified=\"yes\""), "{html}");
    let (status, _) = app.get_as(&format!("/my/ledger/{index}"), &other).await;
    assert_eq!(status, 404);
}

async fn deleting_an_account_keeps_pseudonymous_evidence_that_verifies(backend: Backend) {
    let app = spawn_app(backend).await;
    let (session, number) = busy_ledger(&app).await;
    let user_id = one(
        &app,
        &format!("SELECT id FROM users WHERE resident_number = '{number}'"),
    )
    .await;
    app.as_user(&session)
        .delete_account(common::GOOD_PASSWORD)
        .await
        .ok();
    // The person is gone...
    let (email, name, resident_number, phone): (String, String, String, Option<String>) =
        sqlx::query_as("SELECT email, display_name, resident_number, phone FROM users WHERE id = $1")
            .bind(&user_id)
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    assert!(
        !email.contains('@') && name.is_empty() && !resident_number.starts_with("GH-") && phone.is_none()
    );
    let named: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM decision_log WHERE subject = $1")
        .bind(&number)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(named.0, 0, "no decision names the resident number any more");
    // ...the evidence stays, under the pseudonymous id, and the ledger still verifies.
    let kept: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM consent_events WHERE user_id = $1")
        .bind(&user_id)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(kept.0, 1, "the proof of consent is kept");
    let ended: (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM enrollment_events WHERE user_id = $1 AND action = 'ended'")
            .bind(&user_id)
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    assert_eq!(ended.0, 1, "the enrollment ended, on the record");
    let statuses: Vec<(String,)> = sqlx::query_as("SELECT status FROM privacy_requests WHERE user_id = $1")
        .bind(&user_id)
        .fetch_all(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(
        statuses,
        [("withdrawn".to_owned(),)],
        "the open request was withdrawn, and kept"
    );
    verify(&app, None).await.unwrap();
    // Agencies asking about the old number learn nothing and get nothing.
    let agency = app.as_agency(&bearer(&app, AGENCY, &[ApiScope::ConsentCheck]).await);
    assert_eq!(
        agency.decide(&number, SYSTEM, NEWSLETTER).await,
        ("deny".into(), "unknown_subject".into())
    );
    // The same address can sign up again, as a new person.
    common::sign_up(&app, "ana@example.org").await;
}

async fn count(app: &TestApp, sql: &str, user_id: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(user_id)
        .fetch_one(&app.state.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    n
}

async fn evidence_is_purged_when_its_retention_is_over_and_the_ledger_still_verifies(backend: Backend) {
    use store::audit::Actor;
    use store::retention::{Purged, purge_expired};
    let app = spawn_app(backend).await;
    let (session, number) = busy_ledger(&app).await;
    let user_id = one(
        &app,
        &format!("SELECT id FROM users WHERE resident_number = '{number}'"),
    )
    .await;
    let (other, other_number) = enrolled_resident(&app, "ben@example.org", &[SYSTEM]).await;
    app.as_user(&other)
        .record_consent(SYSTEM, NEWSLETTER, "grant")
        .await
        .ok();
    let other_id = one(
        &app,
        &format!("SELECT id FROM users WHERE resident_number = '{other_number}'"),
    )
    .await;
    app.as_user(&session)
        .delete_account(common::GOOD_PASSWORD)
        .await
        .ok();
    let pool = &app.state.pool;
    let consents = "SELECT COUNT(*) FROM consent_events WHERE user_id = $1";
    let enrollments = "SELECT COUNT(*) FROM enrollment_events WHERE user_id = $1";
    let requests = "SELECT COUNT(*) FROM privacy_requests WHERE user_id = $1";

    // Within the retention period nothing goes.
    let now = store::now();
    let none = purge_expired(pool, Actor::Operator, 1095, now).await.unwrap();
    assert_eq!(none, Purged::default());
    let events = count(&app, consents, &user_id).await + count(&app, enrollments, &user_id).await;
    assert!(events >= 3, "grant, withdrawal on deletion, enrollment: {events}");

    // Once it is over, the erased account's evidence goes, on the record.
    let purged = purge_expired(pool, Actor::Operator, 0, now + 1).await.unwrap();
    assert_eq!(
        purged,
        Purged {
            accounts: 1,
            events: u64::try_from(events).unwrap(),
            requests: 1
        }
    );
    for sql in [consents, enrollments, requests] {
        assert_eq!(count(&app, sql, &user_id).await, 0, "{sql}");
    }
    assert_eq!(
        count(&app, consents, &other_id).await,
        1,
        "another resident's evidence stays"
    );
    let detail = one(
        &app,
        "SELECT detail FROM admin_audit WHERE action = 'purge_expired'",
    )
    .await;
    assert!(detail.contains(&user_id), "{detail}");
    let redacted = one(&app, "SELECT CAST(COUNT(*) AS TEXT) FROM ledger_redactions").await;
    assert_eq!(redacted, events.to_string());
    verify(&app, None).await.unwrap();
    // A second run finds nothing left.
    assert_eq!(
        purge_expired(pool, Actor::Operator, 0, now + 1).await.unwrap(),
        Purged::default()
    );

    // A database administrator who lists another resident's consent event as redacted, under
    // the purge's entry, can then delete the row; verify names it, since the purge never
    // listed it.
    let purge_id = one(&app, "SELECT id FROM admin_audit WHERE action = 'purge_expired'").await;
    let event = one(
        &app,
        &format!("SELECT id FROM consent_events WHERE user_id = '{other_id}'"),
    )
    .await;
    let idx = index_of(&app, "consent", &event).await;
    run(
        &app,
        &format!("INSERT INTO ledger_redactions (idx, audit_id, at_us) VALUES ({idx}, '{purge_id}', 0)"),
    )
    .await;
    run(&app, &format!("DELETE FROM consents WHERE event_id = '{event}'")).await;
    run(&app, &format!("DELETE FROM consent_events WHERE id = '{event}'")).await;
    let found = findings(verify(&app, None).await);
    assert!(
        matches!(&found[0], Finding::Deleted { idx: i, .. } if *i == idx),
        "{found:?}"
    );
}
