//! Answering an agency: find what the question names, decide with the one pure rule
//! (`domain::decision::decide`), and record the decision durably before answering.
//! Consent checks and data queries both come through here, so they can never disagree.

use domain::account::ResidentNumber;
use domain::decision::{Decision, DecisionKind, Facts, Reason, decide};
use domain::register::{LegalBasis, Scope, Slug, SystemStatus};
use sqlx::AnyPool;
use store::consent;
use store::decision_log::{DecisionLog, LogEntry, LogError};

/// A well-formed question about one resident, system and purpose.
#[derive(Debug, Clone)]
pub struct Question {
    pub subject: ResidentNumber,
    pub system: Slug,
    pub purpose: Slug,
}

/// Who is asking.
#[derive(Debug, Clone)]
pub struct Asker<'a> {
    pub agency: &'a str,
    pub client_id: &'a str,
    pub request_id: &'a str,
}

/// A recorded decision.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub decision: Decision,
    pub reason: Reason,
    /// The purpose's legal basis, when the purpose exists.
    pub legal_basis: Option<LegalBasis>,
    pub decision_id: String,
    /// Unix microseconds.
    pub at_us: i64,
    pub seq: i64,
    /// The resident the subject named and the purpose, when both exist (for data queries).
    pub user_id: Option<String>,
    pub purpose_id: Option<String>,
    /// Whether the system holds residents' data by enrollment (not a public-space system).
    pub by_enrollment: bool,
}

/// Why no decision was given. Never a permit: the caller answers 5xx.
#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
    #[error("could not read the facts of a decision: {0}")]
    Storage(#[from] store::StoreError),
    #[error(transparent)]
    Log(#[from] LogError),
}

impl From<sqlx::Error> for DecisionError {
    fn from(e: sqlx::Error) -> Self {
        DecisionError::Storage(e.into())
    }
}

/// What the question names, before deciding.
struct Found {
    reason: Option<Reason>,
    facts: Option<Facts>,
    legal_basis: Option<LegalBasis>,
    user_id: Option<String>,
    purpose_id: Option<String>,
}

/// Looks up what `question` names. The order of the refusals matters: an agency not
/// entitled to a system learns nothing about its purposes or about the resident; a system
/// that is planned or retired permits nothing. The
/// resident is still looked up for the log, so they see every question that named them.
async fn find(pool: &AnyPool, asker: &Asker<'_>, q: &Question) -> Result<Found, DecisionError> {
    let refused = |reason, legal_basis, user_id| Found {
        reason: Some(reason),
        facts: None,
        legal_basis,
        user_id,
        purpose_id: None,
    };
    let Some(row) =
        consent::check_facts(pool, q.system.as_str(), q.purpose.as_str(), q.subject.as_str()).await?
    else {
        let user_id = consent::user_by_number(pool, q.subject.as_str()).await?;
        return Ok(refused(Reason::UnknownSystem, None, user_id));
    };
    if row.agency != asker.agency {
        return Ok(refused(Reason::AgencyNotEntitled, None, row.user_id));
    }
    if row.status != SystemStatus::Active.code() {
        return Ok(refused(Reason::SystemNotActive, None, row.user_id));
    }
    let (Some(purpose_id), Some(basis)) = (row.purpose_id, row.legal_basis) else {
        return Ok(refused(Reason::UnknownPurpose, None, row.user_id));
    };
    let legal_basis: LegalBasis = store::code("purposes.legal_basis", &basis)?;
    let Some(user_id) = row.user_id else {
        return Ok(refused(Reason::UnknownSubject, Some(legal_basis), None));
    };
    let by_enrollment = row.scope == Scope::Enrollment.code();
    Ok(Found {
        reason: None,
        facts: Some(Facts {
            legal_basis,
            consent: consent::consent_state(row.state.as_deref()),
            // An objection (GDPR Art. 21) the privacy office upheld decides, whatever the basis.
            objection_upheld: row.objected_purpose.is_some(),
            stale_grant: row.agreed_version.is_some_and(|agreed| {
                !domain::consent::grant_stands(agreed, row.material_version.unwrap_or(1))
            }),
            enrolled: by_enrollment.then_some(row.enrolled_system.is_some()),
        }),
        legal_basis: Some(legal_basis),
        user_id: Some(user_id),
        purpose_id: Some(purpose_id),
    })
}

/// Decides `question` for `asker` and records the decision before returning it.
pub async fn evaluate(
    pool: &AnyPool,
    log: &DecisionLog,
    asker: &Asker<'_>,
    kind: DecisionKind,
    question: &Question,
) -> Result<Evaluation, DecisionError> {
    let found = find(pool, asker, question).await?;
    let by_enrollment = found.facts.is_some_and(|f| f.enrolled.is_some());
    let (decision, reason) = match (found.reason, found.facts) {
        (None, Some(facts)) => decide(facts),
        (Some(reason), _) => (Decision::Deny, reason),
        // Unreachable by construction; deny rather than guess.
        (None, None) => (Decision::Deny, Reason::UnknownPurpose),
    };
    let entry = LogEntry {
        id: store::new_event_id(),
        request_id: asker.request_id.to_owned(),
        at_us: store::now_us(),
        kind,
        agency: asker.agency.to_owned(),
        client_id: asker.client_id.to_owned(),
        subject: question.subject.as_str().to_owned(),
        system: question.system.as_str().to_owned(),
        purpose: question.purpose.as_str().to_owned(),
        user_id: found.user_id.clone(),
        decision,
        reason,
        legal_basis: found.legal_basis,
    };
    let decision_id = entry.id.clone();
    let at_us = entry.at_us;
    let seq = log.append(entry).await?;
    Ok(Evaluation {
        decision,
        reason,
        legal_basis: found.legal_basis,
        decision_id,
        at_us,
        seq,
        user_id: found.user_id,
        purpose_id: found.purpose_id,
        by_enrollment,
    })
}
