//! What an officer does to a request besides moving its status: assign it, complete a
//! task on an agency's behalf, ask the resident, and file for a resident (assisted
//! channel). Each commits with its audit row.

use crate::audit::{self, AuditEntry};
use crate::requests::{self as store, Actor, Completion, FileError, TaskError, today};
use crate::{StoreError, accounts, consent, new_id, now_us};
use domain::account::CurrentUser;
use domain::requests::{
    AssistedResident, ConsoleError, DeadlinePolicy, NewRequest, RequestChannel, TaskOutcome,
};
use sqlx::AnyPool;

/// Assigns request `id` to the staff member `to` (id and name; `None`: nobody), with the
/// audit row, in one transaction.
pub async fn assign(
    pool: &AnyPool,
    officer: &CurrentUser,
    id: &str,
    to: Option<(&str, &str)>,
) -> Result<(), StoreError> {
    let mut tx = crate::db::begin(pool).await?;
    sqlx::query("UPDATE privacy_requests SET assigned_to = $1 WHERE id = $2")
        .bind(to.map(|(id, _)| id))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let detail = to.map_or_else(
        || "unassigned".to_owned(),
        |(_, name)| format!("assigned to {name}"),
    );
    let entry = AuditEntry {
        actor: audit::Actor::Staff(officer),
        action: "assign",
        request_id: Some(id),
        detail: &detail,
    };
    audit::record(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Completes task `task` of request `id` on its agency's behalf, with the audit row, in one
/// transaction. A task of another request, or one already completed, is `TaskClosed`.
pub async fn complete_task(
    pool: &AnyPool,
    officer: &CurrentUser,
    id: &str,
    task: &str,
    outcome: TaskOutcome,
    note: &str,
) -> Result<Result<(), ConsoleError>, StoreError> {
    let owner: Option<(String,)> = sqlx::query_as("SELECT request_id FROM request_tasks WHERE id = $1")
        .bind(task)
        .fetch_optional(pool)
        .await?;
    if owner.is_none_or(|(request,)| request != id) {
        return Ok(Err(ConsoleError::TaskClosed));
    }
    let detail = format!("completed task {task} on the agency's behalf: {}", outcome.code());
    let by = format!("officer:{}", officer.id);
    let completion = Completion {
        outcome,
        note,
        data: None,
        by: &by,
        audit: Some(AuditEntry {
            actor: audit::Actor::Staff(officer),
            action: "complete_task",
            request_id: Some(id),
            detail: &detail,
        }),
    };
    match store::complete_task(pool, None, task, &completion).await {
        Ok(()) => Ok(Ok(())),
        Err(TaskError::NotFound | TaskError::Closed) => Ok(Err(ConsoleError::TaskClosed)),
        Err(TaskError::Store(e)) => Err(e),
    }
}

/// The office writes `question` to the resident of `case` and the clock stops until they
/// answer (if it is not stopped already): message, pause, notification and audit row in one
/// transaction.
pub async fn ask(
    pool: &AnyPool,
    officer: &CurrentUser,
    id: &str,
    case: &domain::console::Case,
    question: &str,
) -> Result<(), StoreError> {
    let at = now_us();
    let mut tx = crate::db::begin(pool).await?;
    let author = format!("officer:{}", officer.id);
    store::add_message(&mut tx, id, at, &author, &officer.display_name, question).await?;
    sqlx::query(
        "UPDATE privacy_requests SET paused_since = COALESCE(paused_since, $1), updated_at_us = $2 WHERE id = $3",
    )
    .bind(today().to_string())
    .bind(at)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    store::notify(&mut tx, &case.user_id, id, at, "message", None).await?;
    let entry = AuditEntry {
        actor: audit::Actor::Staff(officer),
        action: "ask_resident",
        request_id: Some(id),
        detail: question,
    };
    audit::record(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Files `request` for a resident who came to a city office or phoned (assisted channel):
/// found by resident number, or recorded now as a new unverified resident. The request,
/// its tasks, its timeline entry and the audit row commit together; returns its id.
pub async fn file_assisted(
    pool: &AnyPool,
    policy: DeadlinePolicy,
    officer: &CurrentUser,
    resident: &AssistedResident,
    request: &NewRequest,
) -> Result<String, FileError> {
    let (user, number, created) = match resident {
        AssistedResident::Number(number) => {
            let user = consent::user_by_number(pool, number)
                .await?
                .ok_or(FileError::NoSuchResident)?;
            (user, number.clone(), false)
        }
        AssistedResident::New { name, email, phone } => {
            let email = email.as_ref().map(|e| e.as_str());
            let (user, number) = new_record(pool, name.as_str(), email, phone.as_deref()).await?;
            (user, number, true)
        }
    };
    let kind = request.kind.code();
    let detail = if created {
        format!("created an unverified record {number} and filed a {kind} request for it (assisted channel)")
    } else {
        format!("filed a {kind} request for {number} (assisted channel)")
    };
    let filing = store::Filing {
        channel: RequestChannel::Assisted,
        received: today(),
        actor: Actor::Officer(officer),
        audit_detail: Some(&detail),
    };
    store::file(pool, policy, &user, request, &filing).await
}

/// Records someone without an account as a resident (unverified, no password), with a new
/// resident number; returns the user id and the number. Without an email the record gets a
/// unique address under the reserved `.invalid` domain, which no mail ever reaches.
async fn new_record(
    pool: &AnyPool,
    name: &str,
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<(String, String), FileError> {
    use accounts::{InsertUserError, NewUser, UNVERIFIED_RECORD, insert_user};
    let placeholder = format!("unverified-{}@records.invalid", new_id());
    let email = email.unwrap_or(&placeholder);
    for _ in 0..5 {
        let number = domain::account::ResidentNumber::from_random(rand::random());
        let new = NewUser {
            email,
            password_hash: UNVERIFIED_RECORD,
            display_name: name,
            lang: domain::lang::Lang::default().code(),
            role: domain::account::Role::Resident.code(),
            resident_number: number.as_str(),
        };
        match insert_user(pool, &new).await {
            Ok(id) => {
                sqlx::query("UPDATE users SET phone = $1 WHERE id = $2")
                    .bind(phone)
                    .bind(&id)
                    .execute(pool)
                    .await?;
                return Ok((id, number.as_str().to_owned()));
            }
            Err(InsertUserError::EmailTaken) => {
                // Someone with an account: the officer should file by their resident number.
                return Err(FileError::Contact(domain::account::AccountInputError::Email));
            }
            Err(InsertUserError::NumberTaken) => continue,
            Err(InsertUserError::Db(e)) => return Err(e.into()),
        }
    }
    let exhausted = sqlx::Error::Protocol("no free resident number after five tries".to_owned());
    Err(StoreError::from(exhausted).into())
}
