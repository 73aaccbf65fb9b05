//! The privacy office's work on requests: the queue, the case file, and the officers'
//! actions, each recorded in the admin audit log.

use super::audit::{self, AuditEntry};
use super::code;
use super::requests::{self as store, Change, Completion, TaskError, today};
use app::domain::account::CurrentUser;
use app::domain::calendar::Date;
use app::domain::lang::Lang;
use app::domain::requests::{
    AUDIT_PAGE_SIZE, AssistedResident, AuditPage, AuditRow, DeadlinePolicy, NewRequest, RequestChannel,
    RequestRecord, RequestStats, weekly_counts,
};
use app::domain::requests::{
    CaseFile, CaseworkError, QUEUE_PAGE_SIZE, QueueFilter, QueuePage, QueueRow, RequestKind, RequestStatus,
    TaskOutcome, reason,
};
use app::ports::{Casework, CaseworkFailure, StoreError};
use sqlx::AnyPool;

/// The privacy office's work, over SQL.
#[derive(Clone)]
pub struct SqlCasework {
    pool: AnyPool,
    policy: DeadlinePolicy,
}

impl SqlCasework {
    pub fn new(pool: AnyPool, policy: DeadlinePolicy) -> Self {
        Self { pool, policy }
    }

    async fn state(&self, id: &str) -> Result<store::RequestState, CaseworkFailure> {
        store::load(&self.pool, None, id)
            .await
            .map_err(StoreError::backend)?
            .ok_or(CaseworkFailure::NotFound)
    }
}

fn officer_actor(officer: &CurrentUser) -> String {
    format!("officer:{}", officer.id)
}

/// One page of the queue: open requests first, the earliest due first.
pub async fn queue(pool: &AnyPool, officer_id: &str, filter: &QueueFilter) -> Result<QueuePage, sqlx::Error> {
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
pub async fn stats(pool: &AnyPool, today: Date) -> Result<RequestStats, sqlx::Error> {
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
    let since = app::domain::requests::week_start(today).add_days(-7 * (WEEKS as i64 - 1));
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
pub async fn records(pool: &AnyPool, from: Date, to: Date) -> Result<Vec<RequestRecord>, sqlx::Error> {
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
pub async fn audit_page(pool: &AnyPool, before: Option<i64>) -> Result<AuditPage, sqlx::Error> {
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
) -> Result<(String, String), CaseworkFailure> {
    use super::accounts::{InsertUserError, NewUser, UNVERIFIED_RECORD, insert_user};
    let placeholder = format!("unverified-{}@records.invalid", super::new_id());
    let email = email.unwrap_or(&placeholder);
    for _ in 0..5 {
        let number = app::domain::account::ResidentNumber::from_random(rand::random());
        let new = NewUser {
            email,
            password_hash: UNVERIFIED_RECORD,
            display_name: name,
            lang: app::domain::lang::Lang::default().code(),
            role: app::domain::account::Role::Resident.code(),
            resident_number: number.as_str(),
        };
        match insert_user(pool, &new).await {
            Ok(id) => {
                sqlx::query("UPDATE users SET phone = $1 WHERE id = $2")
                    .bind(phone)
                    .bind(&id)
                    .execute(pool)
                    .await
                    .map_err(StoreError::backend)?;
                return Ok((id, number.as_str().to_owned()));
            }
            Err(InsertUserError::EmailTaken) => {
                // Someone with an account: the officer should file by their resident number.
                return Err(CaseworkError::Contact(app::domain::account::AccountInputError::Email).into());
            }
            Err(InsertUserError::NumberTaken) => continue,
            Err(InsertUserError::Db(e)) => return Err(StoreError::backend(e).into()),
        }
    }
    Err(StoreError::backend(std::io::Error::other("no free resident number after five tries")).into())
}

/// Officers and admins, by name.
async fn staff(pool: &AnyPool) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, display_name FROM users WHERE role IN ('officer', 'admin') ORDER BY display_name, id",
    )
    .fetch_all(pool)
    .await
}

#[async_trait::async_trait]
impl Casework for SqlCasework {
    async fn queue(&self, officer: &CurrentUser, filter: &QueueFilter) -> Result<QueuePage, StoreError> {
        queue(&self.pool, &officer.id, filter)
            .await
            .map_err(StoreError::backend)
    }

    async fn case(&self, id: &str, lang: Lang) -> Result<Option<CaseFile>, StoreError> {
        let pool = &self.pool;
        let today = today();
        let Some(detail) = store::detail(pool, None, id, today, lang)
            .await
            .map_err(StoreError::backend)?
        else {
            return Ok(None);
        };
        let Some(state) = store::load(pool, None, id).await.map_err(StoreError::backend)? else {
            return Ok(None);
        };
        let (number, name, email, assigned_id, assigned_name, hash): (
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            String,
        ) = sqlx::query_as(concat!(
            "SELECT u.resident_number, u.display_name, u.email, r.assigned_to, au.display_name, u.password_hash ",
            "FROM privacy_requests r JOIN users u ON u.id = r.user_id ",
            "LEFT JOIN users au ON au.id = r.assigned_to WHERE r.id = $1"
        ))
        .bind(id)
        .fetch_one(pool)
        .await
        .map_err(StoreError::backend)?;
        let may_extend =
            state.status == RequestStatus::InProgress && state.policy.may_extend(state.clock, today).is_ok();
        Ok(Some(CaseFile {
            detail,
            resident_number: number,
            resident_name: name,
            resident_email: email,
            assigned_to: assigned_id.zip(assigned_name),
            staff: staff(pool).await.map_err(StoreError::backend)?,
            may_extend,
            resident_verified: hash != super::accounts::UNVERIFIED_RECORD,
        }))
    }

    async fn assign(&self, officer: &CurrentUser, id: &str, to: Option<&str>) -> Result<(), CaseworkFailure> {
        let pool = &self.pool;
        self.state(id).await?;
        let name = match to {
            Some(to) => {
                let found: Option<(String,)> = sqlx::query_as(
                    "SELECT display_name FROM users WHERE id = $1 AND role IN ('officer', 'admin')",
                )
                .bind(to)
                .fetch_optional(pool)
                .await
                .map_err(StoreError::backend)?;
                found.ok_or(CaseworkError::NoSuchOfficer)?.0
            }
            None => String::new(),
        };
        let mut tx = pool.begin().await.map_err(StoreError::backend)?;
        sqlx::query("UPDATE privacy_requests SET assigned_to = $1 WHERE id = $2")
            .bind(to)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        let detail = if name.is_empty() {
            "unassigned".to_owned()
        } else {
            format!("assigned to {name}")
        };
        audit::record(
            &mut tx,
            &AuditEntry {
                actor: officer,
                action: "assign",
                request_id: Some(id),
                detail: &detail,
            },
        )
        .await
        .map_err(StoreError::backend)?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(())
    }

    async fn verify(&self, officer: &CurrentUser, id: &str) -> Result<(), CaseworkFailure> {
        let state = self.state(id).await?;
        let actor = officer_actor(officer);
        let change = Change {
            next: RequestStatus::InProgress,
            reason: None,
            actor: &actor,
            audit: Some(AuditEntry {
                actor: officer,
                action: "verify_identity",
                request_id: Some(id),
                detail: "identity verified; work started",
            }),
            extended_due: None,
            uphold: None,
            notify: Some(&state.user_id),
        };
        Ok(store::apply(&self.pool, id, state.status, &change, today()).await?)
    }

    async fn extend(&self, officer: &CurrentUser, id: &str, why: &str) -> Result<(), CaseworkFailure> {
        let why = reason(why)?;
        let state = self.state(id).await?;
        state
            .policy
            .may_extend(state.clock, today())
            .map_err(CaseworkError::from)?;
        let due = state.policy.due(app::domain::requests::Clock {
            extended: true,
            ..state.clock
        });
        let actor = officer_actor(officer);
        let change = Change {
            next: RequestStatus::Extended,
            reason: Some(&why),
            actor: &actor,
            audit: Some(AuditEntry {
                actor: officer,
                action: "extend",
                request_id: Some(id),
                detail: &why,
            }),
            extended_due: Some(due),
            uphold: None,
            notify: Some(&state.user_id),
        };
        Ok(store::apply(&self.pool, id, state.status, &change, today()).await?)
    }

    async fn reject(&self, officer: &CurrentUser, id: &str, why: &str) -> Result<(), CaseworkFailure> {
        let why = reason(why)?;
        let state = self.state(id).await?;
        let actor = officer_actor(officer);
        let change = Change {
            next: RequestStatus::Rejected,
            reason: Some(&why),
            actor: &actor,
            audit: Some(AuditEntry {
                actor: officer,
                action: "reject",
                request_id: Some(id),
                detail: &why,
            }),
            extended_due: None,
            uphold: None,
            notify: Some(&state.user_id),
        };
        Ok(store::apply(&self.pool, id, state.status, &change, today()).await?)
    }

    async fn complete_task(
        &self,
        officer: &CurrentUser,
        id: &str,
        task: &str,
        outcome: TaskOutcome,
        note: &str,
    ) -> Result<(), CaseworkFailure> {
        let pool = &self.pool;
        let note = note.trim();
        if outcome == TaskOutcome::Refused && note.is_empty() {
            return Err(CaseworkError::ReasonRequired.into());
        }
        let owner: Option<(String,)> = sqlx::query_as("SELECT request_id FROM request_tasks WHERE id = $1")
            .bind(task)
            .fetch_optional(pool)
            .await
            .map_err(StoreError::backend)?;
        if owner.is_none_or(|(request,)| request != id) {
            return Err(CaseworkError::TaskClosed.into());
        }
        let by = officer_actor(officer);
        let completion = Completion {
            outcome,
            note,
            data: None,
            by: &by,
        };
        match store::complete_task(pool, None, task, &completion).await {
            Ok(()) => {}
            Err(TaskError::NotFound | TaskError::Closed) => return Err(CaseworkError::TaskClosed.into()),
            Err(TaskError::Store(e)) => return Err(StoreError::backend(e).into()),
        }
        let detail = format!("completed task {task} on the agency's behalf: {}", outcome.code());
        let mut conn = pool.acquire().await.map_err(StoreError::backend)?;
        audit::record(
            &mut conn,
            &AuditEntry {
                actor: officer,
                action: "complete_task",
                request_id: Some(id),
                detail: &detail,
            },
        )
        .await
        .map_err(StoreError::backend)?;
        Ok(())
    }

    async fn ask(&self, officer: &CurrentUser, id: &str, question: &str) -> Result<(), CaseworkFailure> {
        let question = reason(question)?;
        let state = self.state(id).await?;
        if state.status.is_closed() {
            return Err(CaseworkError::Illegal(app::domain::requests::IllegalTransition {
                from: state.status,
                to: state.status,
            })
            .into());
        }
        let pool = &self.pool;
        let at = super::now_us();
        let mut tx = pool.begin().await.map_err(StoreError::backend)?;
        store::add_message(
            &mut tx,
            id,
            at,
            &officer_actor(officer),
            &officer.display_name,
            &question,
        )
        .await?;
        // The clock stops until the resident answers (if it is not stopped already).
        sqlx::query("UPDATE privacy_requests SET paused_since = COALESCE(paused_since, $1), updated_at_us = $2 WHERE id = $3")
            .bind(today().to_string())
            .bind(at)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        store::notify(&mut tx, &state.user_id, id, at, "message", None).await?;
        audit::record(
            &mut tx,
            &AuditEntry {
                actor: officer,
                action: "ask_resident",
                request_id: Some(id),
                detail: &question,
            },
        )
        .await
        .map_err(StoreError::backend)?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(())
    }

    async fn stats(&self) -> Result<RequestStats, StoreError> {
        stats(&self.pool, today()).await.map_err(StoreError::backend)
    }

    async fn records(&self, from: Date, to: Date) -> Result<Vec<RequestRecord>, StoreError> {
        records(&self.pool, from, to).await.map_err(StoreError::backend)
    }

    async fn audit(&self, before: Option<i64>) -> Result<AuditPage, StoreError> {
        audit_page(&self.pool, before).await.map_err(StoreError::backend)
    }

    async fn file_assisted(
        &self,
        officer: &CurrentUser,
        resident: &AssistedResident,
        request: &NewRequest,
    ) -> Result<String, CaseworkFailure> {
        let (user, number, created) = match resident {
            AssistedResident::Number(number) => {
                let user = super::consent::user_by_number(&self.pool, number)
                    .await
                    .map_err(StoreError::backend)?
                    .ok_or(CaseworkError::NoSuchResident)?;
                (user, number.clone(), false)
            }
            AssistedResident::New { name, email, phone } => {
                let (user, number) = new_record(
                    &self.pool,
                    name.as_str(),
                    email.as_ref().map(|e| e.as_str()),
                    phone.as_deref(),
                )
                .await?;
                (user, number, true)
            }
        };
        let id = store::file(
            &self.pool,
            self.policy,
            &user,
            request,
            RequestChannel::Assisted,
            today(),
            &officer_actor(officer),
        )
        .await
        .map_err(|e| match e {
            app::ports::RequestError::Input(input) => CaseworkFailure::Refused(input.into()),
            other => other.into(),
        })?;
        let detail = if created {
            format!(
                "created an unverified record {number} and filed a {} request for it (assisted channel)",
                request.kind.code()
            )
        } else {
            format!(
                "filed a {} request for {number} (assisted channel)",
                request.kind.code()
            )
        };
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        audit::record(
            &mut conn,
            &AuditEntry {
                actor: officer,
                action: "file_assisted",
                request_id: Some(&id),
                detail: &detail,
            },
        )
        .await
        .map_err(StoreError::backend)?;
        Ok(id)
    }

    async fn fulfil(&self, officer: &CurrentUser, id: &str) -> Result<(), CaseworkFailure> {
        let state = self.state(id).await?;
        state
            .status
            .transition(RequestStatus::Fulfilled)
            .map_err(CaseworkError::from)?;
        if state.open_tasks > 0 {
            return Err(CaseworkError::TasksOpen.into());
        }
        let actor = officer_actor(officer);
        let uphold = match (state.kind, &state.purpose_id) {
            (RequestKind::Objection, Some(purpose)) => Some((state.user_id.as_str(), purpose.as_str())),
            _ => None,
        };
        let detail = if uphold.is_some() {
            "fulfilled; objection upheld"
        } else {
            "fulfilled"
        };
        let change = Change {
            next: RequestStatus::Fulfilled,
            reason: None,
            actor: &actor,
            audit: Some(AuditEntry {
                actor: officer,
                action: "fulfil",
                request_id: Some(id),
                detail,
            }),
            extended_due: None,
            uphold,
            notify: Some(&state.user_id),
        };
        Ok(store::apply(&self.pool, id, state.status, &change, today()).await?)
    }
}
