//! The officer console's actions on a privacy request, as rules. Given the case as it
//! stands, each action is either allowed, with the change it makes, or refused with the
//! reason; storage only writes the change (with its timeline entry, the resident's
//! notification and the audit row, in one transaction).

use crate::calendar::Date;
use crate::requests::{
    Clock, ConsoleError, DeadlinePolicy, IllegalTransition, RequestKind, RequestStatus, TaskOutcome, reason,
};

/// A request as the rules see it: its status, its clock and what is still open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub status: RequestStatus,
    pub kind: RequestKind,
    /// The resident the request is about.
    pub user_id: String,
    /// The purpose an objection objects to.
    pub purpose_id: Option<String>,
    pub policy: DeadlinePolicy,
    pub clock: Clock,
    /// Since when the clock is paused, waiting for the resident.
    pub paused_since: Option<Date>,
    /// Tasks agencies have not completed yet.
    pub open_tasks: i64,
}

/// What an allowed action changes: the new status, the reason the resident reads, a new
/// due date, whether an objection is now upheld, and how the audit log names the action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub next: RequestStatus,
    pub reason: Option<String>,
    pub extended_due: Option<Date>,
    /// The resident's objection to the request's purpose is upheld from now on.
    pub uphold_objection: bool,
    /// The audit log's name for the action (`verify_identity`, `extend`...).
    pub action: &'static str,
    /// The audit log's account of it.
    pub detail: String,
}

impl Change {
    fn to(next: RequestStatus, action: &'static str, detail: String) -> Change {
        Change {
            next,
            reason: None,
            extended_due: None,
            uphold_objection: false,
            action,
            detail,
        }
    }
}

/// The resident's identity is verified: work starts.
pub fn verify(case: &Case) -> Result<Change, ConsoleError> {
    case.status.transition(RequestStatus::InProgress)?;
    Ok(Change::to(
        RequestStatus::InProgress,
        "verify_identity",
        "identity verified; work started".to_owned(),
    ))
}

/// The deadline is extended, once, before it has passed, with a reason the resident reads.
pub fn extend(case: &Case, why: &str, today: Date) -> Result<Change, ConsoleError> {
    let why = reason(why)?;
    case.status.transition(RequestStatus::Extended)?;
    case.policy.may_extend(case.clock, today)?;
    let due = case.policy.due(Clock {
        extended: true,
        ..case.clock
    });
    Ok(Change {
        reason: Some(why.clone()),
        extended_due: Some(due),
        ..Change::to(RequestStatus::Extended, "extend", why)
    })
}

/// The request is refused, with a reason the resident reads.
pub fn reject(case: &Case, why: &str) -> Result<Change, ConsoleError> {
    let why = reason(why)?;
    case.status.transition(RequestStatus::Rejected)?;
    Ok(Change {
        reason: Some(why.clone()),
        ..Change::to(RequestStatus::Rejected, "reject", why)
    })
}

/// The request is fulfilled, once every agency has completed its task; an objection is
/// upheld by it.
pub fn fulfil(case: &Case) -> Result<Change, ConsoleError> {
    case.status.transition(RequestStatus::Fulfilled)?;
    if case.open_tasks > 0 {
        return Err(ConsoleError::TasksOpen);
    }
    let uphold = case.kind == RequestKind::Objection && case.purpose_id.is_some();
    let detail = if uphold {
        "fulfilled; objection upheld"
    } else {
        "fulfilled"
    };
    Ok(Change {
        uphold_objection: uphold,
        ..Change::to(RequestStatus::Fulfilled, "fulfil", detail.to_owned())
    })
}

/// The resident withdraws their request.
pub fn withdraw(case: &Case) -> Result<Change, IllegalTransition> {
    case.status.transition(RequestStatus::Withdrawn)?;
    Ok(Change::to(
        RequestStatus::Withdrawn,
        "withdraw",
        "withdrawn by the resident".to_owned(),
    ))
}

/// A message on an open request (the office asks, or the resident answers): its text,
/// trimmed and bounded. A closed request takes no more messages.
pub fn message(case: &Case, text: &str) -> Result<String, ConsoleError> {
    if case.status.is_closed() {
        return Err(IllegalTransition {
            from: case.status,
            to: case.status,
        }
        .into());
    }
    reason(text)
}

/// An officer completes an agency's task on its behalf: a refusal needs a note saying why.
pub fn complete_task(outcome: TaskOutcome, note: &str) -> Result<String, ConsoleError> {
    let note = note.trim();
    if outcome == TaskOutcome::Refused && note.is_empty() {
        return Err(ConsoleError::ReasonRequired);
    }
    Ok(note.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(status: RequestStatus) -> Case {
        Case {
            status,
            kind: RequestKind::Access,
            user_id: "u1".to_owned(),
            purpose_id: None,
            policy: DeadlinePolicy::Gdpr,
            clock: Clock {
                received: Date::from_unix_seconds(1_764_000_000),
                paused_days: 0,
                extended: false,
            },
            paused_since: None,
            open_tasks: 0,
        }
    }

    #[test]
    fn fulfilling_waits_for_every_task() {
        let mut open = case(RequestStatus::InProgress);
        open.open_tasks = 1;
        assert_eq!(fulfil(&open), Err(ConsoleError::TasksOpen));
        open.open_tasks = 0;
        let change = fulfil(&open).map(|c| (c.next, c.uphold_objection));
        assert_eq!(change, Ok((RequestStatus::Fulfilled, false)));
    }

    #[test]
    fn fulfilling_an_objection_upholds_it() {
        let mut objection = case(RequestStatus::InProgress);
        objection.kind = RequestKind::Objection;
        objection.purpose_id = Some("p1".to_owned());
        let change = fulfil(&objection).map(|c| (c.uphold_objection, c.detail));
        assert_eq!(change, Ok((true, "fulfilled; objection upheld".to_owned())));
    }

    #[test]
    fn a_closed_request_refuses_every_action() {
        for closed in [
            RequestStatus::Fulfilled,
            RequestStatus::Rejected,
            RequestStatus::Withdrawn,
        ] {
            let c = case(closed);
            assert!(matches!(verify(&c), Err(ConsoleError::Illegal(_))), "{closed:?}");
            assert!(
                matches!(reject(&c, "no"), Err(ConsoleError::Illegal(_))),
                "{closed:?}"
            );
            assert!(matches!(fulfil(&c), Err(ConsoleError::Illegal(_))), "{closed:?}");
            assert!(
                matches!(message(&c, "hello"), Err(ConsoleError::Illegal(_))),
                "{closed:?}"
            );
            assert!(withdraw(&c).is_err(), "{closed:?}");
        }
    }

    #[test]
    fn reasons_are_required_before_anything_else() {
        let c = case(RequestStatus::InProgress);
        assert_eq!(reject(&c, "  "), Err(ConsoleError::ReasonRequired));
        assert_eq!(
            extend(&c, "", c.clock.received),
            Err(ConsoleError::ReasonRequired)
        );
        assert_eq!(
            complete_task(TaskOutcome::Refused, " "),
            Err(ConsoleError::ReasonRequired)
        );
        assert_eq!(
            complete_task(TaskOutcome::Refused, " held none "),
            Ok("held none".to_owned())
        );
    }

    #[test]
    fn extending_moves_the_due_date_once() {
        let c = case(RequestStatus::InProgress);
        let change = extend(&c, "complex", c.clock.received);
        let due = change.as_ref().ok().and_then(|c| c.extended_due);
        assert_eq!(
            due,
            Some(c.policy.due(Clock {
                extended: true,
                ..c.clock
            }))
        );
        let mut extended = case(RequestStatus::Extended);
        extended.clock.extended = true;
        assert!(extend(&extended, "again", c.clock.received).is_err());
    }
}
