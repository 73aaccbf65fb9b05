//! The privacy office's work on requests: the queue, the case file, and the officers'
//! actions, each recorded in the admin audit log.

use super::audit::{self, AuditEntry};
use super::code;
use super::requests::{self as store, Actor, Completion, FileError, TaskError, today};
use crate::StoreError;
use domain::account::CurrentUser;
use domain::calendar::Date;
use domain::lang::Lang;
use domain::requests::{
    AUDIT_PAGE_SIZE, AssistedResident, AuditPage, AuditRow, DeadlinePolicy, NewRequest, RequestChannel,
    RequestRecord, RequestStats, weekly_counts,
};
use domain::requests::{
    CaseFile, CaseworkError, QUEUE_PAGE_SIZE, QueueFilter, QueuePage, QueueRow, RequestKind, RequestStatus,
    TaskOutcome,
};
use sqlx::AnyPool;

/// One page of the queue: open requests first, the earliest due first; `officer_id` is who
/// asks (for "mine").
pub async fn queue(pool: &AnyPool, officer_id: &str, filter: &QueueFilter) -> Result<QueuePage, StoreError> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        String,
        Option<String>,
        i64,
    );
    let today = today();
    let search = filter.search.trim();
    let limit = i64::from(QUEUE_PAGE_SIZE) + 1;
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "SELECT r.id, r.kind, r.status, r.received_on, r.due_on, r.closed_on, u.resident_number, r.channel, ",
        "au.display_name, (SELECT COUNT(*) FROM request_tasks t WHERE t.request_id = r.id AND t.outcome IS NULL) ",
        "FROM privacy_requests r JOIN users u ON u.id = r.user_id LEFT JOIN users au ON au.id = r.assigned_to ",
        "WHERE ($1 IS NULL OR r.status = $1) AND ($2 IS NULL OR r.kind = $2) ",
        "AND ($3 IS NULL OR EXISTS (SELECT 1 FROM request_tasks t JOIN agencies a ON a.id = t.agency_id ",
        "WHERE t.request_id = r.id AND a.slug = $3)) ",
        "AND ($4 = 0 OR (r.status NOT IN ('fulfilled', 'rejected', 'withdrawn') AND r.due_on < $5)) ",
        "AND ($6 IS NULL OR r.assigned_to = $6) ",
        "AND ($7 = '' OR r.id = $7 OR u.resident_number = $8) ",
        "ORDER BY CASE WHEN r.status IN ('fulfilled', 'rejected', 'withdrawn') THEN 1 ELSE 0 END, r.due_on, r.id ",
        "LIMIT $9 OFFSET $10"
    ))
    .bind(filter.status.map(RequestStatus::code))
    .bind(filter.kind.map(RequestKind::code))
    .bind(filter.agency.as_deref().filter(|a| !a.is_empty()))
    .bind(i64::from(filter.overdue))
    .bind(today.to_string())
    .bind(filter.mine.then_some(officer_id))
    .bind(search)
    .bind(search.to_uppercase())
    .bind(limit)
    .bind(i64::from(filter.page) * i64::from(QUEUE_PAGE_SIZE))
    .fetch_all(pool)
    .await?;
    let has_more = rows.len() > QUEUE_PAGE_SIZE as usize;
    let rows = rows
        .into_iter()
        .take(QUEUE_PAGE_SIZE as usize)
        .map(
            |(id, kind, status, received, due, closed, number, channel, assigned, open_tasks)| {
                Ok(QueueRow {
                    summary: store::summary((id, kind, status, received, due, closed), today)?,
                    resident_number: number,
                    channel: code("privacy_requests.channel", &channel)?,
                    assigned_to: assigned,
                    open_tasks,
                })
            },
        )
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(QueuePage {
        rows,
        page: filter.page,
        has_more,
    })
}

/// The office at a glance on `today`.
pub async fn stats(pool: &AnyPool, today: Date) -> Result<RequestStats, StoreError> {
    const OPEN: &str = "status NOT IN ('fulfilled', 'rejected', 'withdrawn')";
    let count = |sql: String, binds: Vec<String>| async move {
        let mut query = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql));
        for b in binds {
            query = query.bind(b);
        }
        query.fetch_one(pool).await.map(|(n,)| n)
    };
    let t = today.to_string();
    let open = count(
        format!("SELECT COUNT(*) FROM privacy_requests WHERE {OPEN}"),
        vec![],
    )
    .await?;
    let overdue = count(
        format!("SELECT COUNT(*) FROM privacy_requests WHERE {OPEN} AND due_on < $1"),
        vec![t.clone()],
    )
    .await?;
    let due_soon = count(
        format!("SELECT COUNT(*) FROM privacy_requests WHERE {OPEN} AND due_on >= $1 AND due_on < $2"),
        vec![t.clone(), today.add_days(5).to_string()],
    )
    .await?;
    let month_start = Date::new(today.year(), today.month(), 1).unwrap_or(today);
    let on_time = count(
        "SELECT COUNT(*) FROM privacy_requests WHERE status IN ('fulfilled', 'rejected') \
         AND closed_on >= $1 AND closed_on <= due_on"
            .to_owned(),
        vec![month_start.to_string()],
    )
    .await?;
    const WEEKS: usize = 12;
    let since = domain::requests::week_start(today).add_days(-7 * (WEEKS as i64 - 1));
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT received_on, closed_on FROM privacy_requests WHERE received_on >= $1 OR closed_on >= $1",
    )
    .bind(since.to_string())
    .fetch_all(pool)
    .await?;
    let mut received = Vec::new();
    let mut closed = Vec::new();
    for (r, c) in rows {
        received.push(code::<Date, _>("privacy_requests.received_on", &r)?);
        if let Some(c) = c {
            closed.push(code::<Date, _>("privacy_requests.closed_on", &c)?);
        }
    }
    Ok(RequestStats {
        open,
        due_soon,
        overdue,
        closed_on_time_this_month: on_time,
        weeks: weekly_counts(&received, &closed, today, WEEKS),
    })
}

/// The requests received from `from` to `to` (inclusive), oldest first.
pub async fn records(pool: &AnyPool, from: Date, to: Date) -> Result<Vec<RequestRecord>, StoreError> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "SELECT id, kind, channel, received_on, due_on, closed_on, status, extended FROM privacy_requests ",
        "WHERE received_on >= $1 AND received_on <= $2 ORDER BY received_on, id"
    ))
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, kind, channel, received, due, closed, status, extended)| {
            Ok(RequestRecord {
                id,
                kind: code("privacy_requests.kind", &kind)?,
                channel: code("privacy_requests.channel", &channel)?,
                received: code("privacy_requests.received_on", &received)?,
                due: code("privacy_requests.due_on", &due)?,
                closed: closed
                    .map(|c| code("privacy_requests.closed_on", &c))
                    .transpose()?,
                status: code("privacy_requests.status", &status)?,
                extended: extended == 1,
            })
        })
        .collect()
}

/// One page of the audit log, newest first, before `before` (an `at_us`).
pub async fn audit_page(pool: &AnyPool, before: Option<i64>) -> Result<AuditPage, StoreError> {
    type Row = (String, i64, String, String, Option<String>, String);
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "SELECT id, at_us, actor_name, action, request_id, detail FROM admin_audit ",
        "WHERE ($1 IS NULL OR at_us < $1) ORDER BY at_us DESC, id DESC LIMIT $2"
    ))
    .bind(before)
    .bind(i64::from(AUDIT_PAGE_SIZE) + 1)
    .fetch_all(pool)
    .await?;
    let more = rows.len() > AUDIT_PAGE_SIZE as usize;
    let rows: Vec<AuditRow> = rows
        .into_iter()
        .take(AUDIT_PAGE_SIZE as usize)
        .map(|(_, at, actor, action, request_id, detail)| AuditRow {
            seq_key: at,
            at: super::rfc3339_us(at),
            actor,
            action,
            request_id,
            detail,
        })
        .collect();
    let next_before = more.then(|| rows.last().map(|r| r.seq_key)).flatten();
    Ok(AuditPage { rows, next_before })
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
    use super::accounts::{InsertUserError, NewUser, UNVERIFIED_RECORD, insert_user};
    let placeholder = format!("unverified-{}@records.invalid", super::new_id());
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

/// Officers and admins, by name.
async fn staff(pool: &AnyPool) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, display_name FROM users WHERE role IN ('officer', 'admin') ORDER BY display_name, id",
    )
    .fetch_all(pool)
    .await
}

/// Everything about request `id`, for the officer console.
pub async fn case_file(pool: &AnyPool, id: &str, lang: Lang) -> Result<Option<CaseFile>, StoreError> {
    let today = today();
    let Some(detail) = store::detail(pool, None, id, today, lang).await? else {
        return Ok(None);
    };
    let Some(case) = store::case(pool, None, id).await? else {
        return Ok(None);
    };
    let row: CaseRow = sqlx::query_as(concat!(
        "SELECT u.resident_number, u.display_name, u.email, r.assigned_to, au.display_name AS assigned_name, ",
        "u.password_hash FROM privacy_requests r JOIN users u ON u.id = r.user_id ",
        "LEFT JOIN users au ON au.id = r.assigned_to WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_one(pool)
    .await?;
    let may_extend =
        case.status == RequestStatus::InProgress && case.policy.may_extend(case.clock, today).is_ok();
    Ok(Some(CaseFile {
        detail,
        resident_number: row.resident_number,
        resident_name: row.display_name,
        resident_email: row.email,
        assigned_to: row.assigned_to.zip(row.assigned_name),
        staff: staff(pool).await?,
        may_extend,
        resident_verified: row.password_hash != super::accounts::UNVERIFIED_RECORD,
    }))
}

/// The resident and assignee columns of a case file.
#[derive(sqlx::FromRow)]
struct CaseRow {
    resident_number: String,
    display_name: String,
    email: String,
    assigned_to: Option<String>,
    assigned_name: Option<String>,
    password_hash: String,
}

/// The name of officer or admin `id`, or `None` if no staff member has that id.
pub async fn staff_name(pool: &AnyPool, id: &str) -> Result<Option<String>, StoreError> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT display_name FROM users WHERE id = $1 AND role IN ('officer', 'admin')")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(found.map(|(name,)| name))
}

/// Assigns request `id` to the staff member `to` (id and name; `None`: nobody), with the
/// audit row, in one transaction.
pub async fn assign(
    pool: &AnyPool,
    officer: &CurrentUser,
    id: &str,
    to: Option<(&str, &str)>,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
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
        actor: officer,
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
) -> Result<Result<(), CaseworkError>, StoreError> {
    let owner: Option<(String,)> = sqlx::query_as("SELECT request_id FROM request_tasks WHERE id = $1")
        .bind(task)
        .fetch_optional(pool)
        .await?;
    if owner.is_none_or(|(request,)| request != id) {
        return Ok(Err(CaseworkError::TaskClosed));
    }
    let detail = format!("completed task {task} on the agency's behalf: {}", outcome.code());
    let by = format!("officer:{}", officer.id);
    let completion = Completion {
        outcome,
        note,
        data: None,
        by: &by,
        audit: Some(AuditEntry {
            actor: officer,
            action: "complete_task",
            request_id: Some(id),
            detail: &detail,
        }),
    };
    match store::complete_task(pool, None, task, &completion).await {
        Ok(()) => Ok(Ok(())),
        Err(TaskError::NotFound | TaskError::Closed) => Ok(Err(CaseworkError::TaskClosed)),
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
    let at = super::now_us();
    let mut tx = pool.begin().await?;
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
        actor: officer,
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
            let user = super::consent::user_by_number(pool, number)
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
