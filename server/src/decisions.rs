//! Answering an agency: decide from the facts held in memory with the one pure rule
//! (`domain::decision::decide`, through `FactsIndex::decide`), and record the decision
//! durably before answering. The decision log's append brings the facts up to date first and
//! decides again any question decided on older facts, so an answer never rests on facts older
//! than the question (ARCHITECTURE.md, "Deciding from memory"). Consent checks, batch checks
//! and data queries all come through here, so they can never disagree.

use domain::account::{ApiScope, ResidentNumber};
use domain::decision::index::{ClientRefusal, Outcome};
use domain::decision::{Decision, DecisionKind, Reason};
use domain::register::{LegalBasis, Slug};
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
    /// The secret generation the caller's token was issued under.
    pub secret_generation: i64,
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

/// Why no decision was given. Never a permit: the caller answers 4xx or 5xx.
#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
    #[error(transparent)]
    Log(LogError),
    /// The client was revoked, rotated or lost the scope before the question arrived.
    #[error("the API client may no longer make this call")]
    Refused(ClientRefusal),
}

impl From<LogError> for DecisionError {
    fn from(e: LogError) -> Self {
        match e {
            LogError::Refused(why) => DecisionError::Refused(why),
            other => DecisionError::Log(other),
        }
    }
}

/// The scope a kind of question needs.
pub fn scope_of(kind: DecisionKind) -> ApiScope {
    match kind {
        DecisionKind::Check => ApiScope::ConsentCheck,
        DecisionKind::Query => ApiScope::SubjectsRead,
    }
}

/// Decides `question` for `asker` and records the decision before returning it.
pub async fn evaluate(
    log: &DecisionLog,
    asker: &Asker<'_>,
    kind: DecisionKind,
    question: &Question,
) -> Result<Evaluation, DecisionError> {
    let mut all = evaluate_all(log, asker, kind, std::slice::from_ref(question)).await?;
    all.pop().ok_or(DecisionError::Log(LogError::Stopped))
}

/// Decides every one of `questions` for `asker` and records them together, in order, before
/// returning them in the same order.
pub async fn evaluate_all(
    log: &DecisionLog,
    asker: &Asker<'_>,
    kind: DecisionKind,
    questions: &[Question],
) -> Result<Vec<Evaluation>, DecisionError> {
    let entries: Vec<LogEntry> = {
        let index = log.facts().read();
        questions
            .iter()
            .map(|q| LogEntry {
                id: store::new_event_id(),
                request_id: asker.request_id.to_owned(),
                at_us: store::now_us(),
                kind,
                agency: asker.agency.to_owned(),
                client_id: asker.client_id.to_owned(),
                secret_generation: asker.secret_generation,
                scope: scope_of(kind),
                subject: q.subject.clone(),
                system: q.system.as_str().to_owned(),
                purpose: q.purpose.as_str().to_owned(),
                outcome: index.decide(asker.agency, &q.subject, q.system.as_str(), q.purpose.as_str()),
                facts_version: index.version,
            })
            .collect()
    };
    let stamps: Vec<(String, i64)> = entries.iter().map(|e| (e.id.clone(), e.at_us)).collect();
    let recorded = log.append_all(entries).await?;
    Ok(recorded
        .into_iter()
        .zip(stamps)
        .map(|(r, (decision_id, at_us))| evaluation(r.outcome, r.seq, decision_id, at_us))
        .collect())
}

fn evaluation(outcome: Outcome, seq: i64, decision_id: String, at_us: i64) -> Evaluation {
    Evaluation {
        decision: outcome.decision,
        reason: outcome.reason,
        legal_basis: outcome.legal_basis,
        decision_id,
        at_us,
        seq,
        user_id: outcome.user_id,
        purpose_id: outcome.purpose_id,
        by_enrollment: outcome.by_enrollment,
    }
}
