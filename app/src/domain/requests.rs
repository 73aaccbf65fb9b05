//! Privacy requests (data-subject rights, GDPR Arts. 15–21): their kinds, the statuses a
//! request moves through and the only transitions allowed, and the legal clock — the due
//! date is computed here and nowhere else.

use super::calendar::Date;
use super::register::Slug;
use crate::vocabulary;
use serde::{Deserialize, Serialize};

vocabulary! {
    /// The right a resident exercises.
    RequestKind {
        /// Art. 15: a copy of the data held about them.
        Access => "access",
        /// Art. 16: correct inaccurate data.
        Rectification => "rectification",
        /// Art. 17: delete data.
        Erasure => "erasure",
        /// Art. 18: keep data but stop using it.
        Restriction => "restriction",
        /// Art. 20: the data in a machine-readable form.
        Portability => "portability",
        /// Art. 21: stop a processing that rests on public task or legitimate interests.
        Objection => "objection",
    }
}

impl RequestKind {
    /// The GDPR article that grants the right.
    pub fn article(self) -> u8 {
        match self {
            RequestKind::Access => 15,
            RequestKind::Rectification => 16,
            RequestKind::Erasure => 17,
            RequestKind::Restriction => 18,
            RequestKind::Portability => 20,
            RequestKind::Objection => 21,
        }
    }

    /// Whether fulfilling it hands the resident a package of their data.
    pub fn delivers_data(self) -> bool {
        matches!(self, RequestKind::Access | RequestKind::Portability)
    }
}

vocabulary! {
    /// Where a request stands (W3C DPV / Data Rights Protocol).
    RequestStatus {
        Received => "received",
        /// Waiting for the resident to prove who they are (the clock is paused).
        IdentityCheck => "identity_check",
        InProgress => "in_progress",
        /// The deadline was extended, with a reason the resident sees.
        Extended => "extended",
        Fulfilled => "fulfilled",
        /// Refused, with a reason and the right to complain to the supervisory authority.
        Rejected => "rejected",
        /// Withdrawn by the resident.
        Withdrawn => "withdrawn",
    }
}

/// A transition the state machine does not allow; nothing is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[error("a request that is {from} cannot become {to}")]
pub struct IllegalTransition {
    pub from: RequestStatus,
    pub to: RequestStatus,
}

impl RequestStatus {
    /// Whether the request is over: nothing more happens to it.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            RequestStatus::Fulfilled | RequestStatus::Rejected | RequestStatus::Withdrawn
        )
    }

    /// Checks that a request in this status may move to `next`.
    pub fn transition(self, next: RequestStatus) -> Result<RequestStatus, IllegalTransition> {
        use RequestStatus::*;
        let allowed = match (self, next) {
            (_, Withdrawn) => !self.is_closed(),
            (Received, IdentityCheck | InProgress | Rejected) => true,
            (IdentityCheck, InProgress | Rejected) => true,
            (InProgress, Extended | Fulfilled | Rejected) => true,
            (Extended, Fulfilled | Rejected) => true,
            _ => false,
        };
        if allowed {
            Ok(next)
        } else {
            Err(IllegalTransition { from: self, to: next })
        }
    }
}

vocabulary! {
    /// Whose deadlines apply, chosen by configuration; GDPR by default.
    DeadlinePolicy {
        /// One calendar month, extendable once by two further months (Art. 12(3)).
        Gdpr => "gdpr",
        /// 45 days, extendable once by 45 more (CCPA §1798.130).
        Ccpa => "ccpa",
    }
}

/// Why a deadline may not be extended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
pub enum ExtensionRefused {
    #[error("the deadline was already extended once")]
    AlreadyExtended,
    #[error("the first deadline has passed; an extension must be announced before it")]
    TooLate,
}

/// What the clock of one request is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub received: Date,
    /// Whole days the clock was paused while waiting for the resident.
    pub paused_days: i64,
    pub extended: bool,
}

impl DeadlinePolicy {
    /// The first due date of a request received on `received`, before any pause.
    fn first_due(self, received: Date) -> Date {
        match self {
            DeadlinePolicy::Gdpr => received.add_months(1),
            DeadlinePolicy::Ccpa => received.add_days(45),
        }
    }

    /// The extended due date, before any pause.
    fn extended_due(self, received: Date) -> Date {
        match self {
            DeadlinePolicy::Gdpr => received.add_months(3),
            DeadlinePolicy::Ccpa => received.add_days(90),
        }
    }

    /// The due date: the first or extended deadline, moved by the paused days.
    pub fn due(self, clock: Clock) -> Date {
        let base = if clock.extended {
            self.extended_due(clock.received)
        } else {
            self.first_due(clock.received)
        };
        base.add_days(clock.paused_days.max(0))
    }

    /// Whether the deadline may be extended on `today`: once, and only until the first
    /// due date (moved by the pauses) has passed.
    pub fn may_extend(self, clock: Clock, today: Date) -> Result<(), ExtensionRefused> {
        if clock.extended {
            return Err(ExtensionRefused::AlreadyExtended);
        }
        let first = self.first_due(clock.received).add_days(clock.paused_days.max(0));
        if today > first {
            return Err(ExtensionRefused::TooLate);
        }
        Ok(())
    }
}

/// How urgent a request looks in the queue, as privacy teams read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Urgency {
    /// 10 days or more left.
    Green,
    /// Fewer than 10.
    Amber,
    /// Fewer than 5.
    Red,
    /// Past the due date.
    Overdue,
}

/// The urgency of a request with `days_left` until its due date.
pub fn urgency(days_left: i64) -> Urgency {
    match days_left {
        d if d < 0 => Urgency::Overdue,
        d if d < 5 => Urgency::Red,
        d if d < 10 => Urgency::Amber,
        _ => Urgency::Green,
    }
}

vocabulary! {
    /// How a request reached the privacy office.
    RequestChannel {
        /// Filed by the resident on the website.
        Web => "web",
        /// Filed by an officer for a resident who came to a city office or phoned.
        Assisted => "assisted",
    }
}

vocabulary! {
    /// How an agency closed its task for one system.
    TaskOutcome {
        /// Done as asked (data reported, corrected, erased, restricted...).
        Done => "done",
        /// The system holds no data on the resident.
        NoData => "no_data",
        /// Refused by the agency, with a note saying why.
        Refused => "refused",
    }
}

/// The most characters a request's details may have.
pub const MAX_DETAILS_CHARS: usize = 4000;

/// Which systems a new request concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemChoice {
    /// Every system that holds the resident's data.
    All,
    /// Only these.
    Some(Vec<Slug>),
}

/// A request as filed, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub kind: RequestKind,
    pub systems: SystemChoice,
    /// For an objection: the system and purpose objected to.
    pub objection: Option<(Slug, Slug)>,
    pub details: String,
}

/// Why a request could not be filed; nothing was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum RequestInputError {
    #[error("choose which right you want to use")]
    Kind,
    #[error("choose at least one system")]
    NoSystems,
    #[error("one of the chosen systems does not hold your data")]
    UnknownSystem,
    #[error("an objection needs the purpose you object to")]
    ObjectionNeedsPurpose,
    #[error("that purpose is not one of the systems that hold your data")]
    UnknownPurpose,
    #[error("the details are too long")]
    DetailsTooLong,
}

impl NewRequest {
    /// Checks a request as a form sends it: `kind` a kind code, `scope` "all" or "some"
    /// (with `systems` the chosen slugs), `purpose` "system/purpose" (objections only).
    pub fn parse(
        kind: &str,
        scope: &str,
        systems: &[String],
        purpose: Option<&str>,
        details: &str,
    ) -> Result<NewRequest, RequestInputError> {
        let kind: RequestKind = kind.parse().map_err(|_| RequestInputError::Kind)?;
        let systems = if scope == "some" || (scope.is_empty() && !systems.is_empty()) {
            let slugs = systems
                .iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| Slug::parse(s.trim()).map_err(|_| RequestInputError::UnknownSystem))
                .collect::<Result<Vec<_>, _>>()?;
            if slugs.is_empty() {
                return Err(RequestInputError::NoSystems);
            }
            SystemChoice::Some(slugs)
        } else {
            SystemChoice::All
        };
        let objection = match (kind, purpose.map(str::trim).filter(|p| !p.is_empty())) {
            (RequestKind::Objection, None) => return Err(RequestInputError::ObjectionNeedsPurpose),
            (RequestKind::Objection, Some(p)) => {
                let (system, key) = p.split_once('/').ok_or(RequestInputError::UnknownPurpose)?;
                let system = Slug::parse(system).map_err(|_| RequestInputError::UnknownPurpose)?;
                let key = Slug::parse(key).map_err(|_| RequestInputError::UnknownPurpose)?;
                Some((system, key))
            }
            _ => None,
        };
        let details = details.trim();
        if details.chars().count() > MAX_DETAILS_CHARS {
            return Err(RequestInputError::DetailsTooLong);
        }
        Ok(NewRequest {
            kind,
            systems,
            objection,
            details: details.to_owned(),
        })
    }
}

/// One request in its resident's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSummary {
    pub id: String,
    pub kind: RequestKind,
    pub status: RequestStatus,
    pub received: Date,
    pub due: Date,
    /// Days until the due date (negative once overdue); `None` once the request is closed.
    pub days_left: Option<i64>,
    pub closed: Option<Date>,
}

impl RequestSummary {
    /// Days left on `today` for a request due on `due`, unless it is closed.
    pub fn days_left(status: RequestStatus, due: Date, today: Date) -> Option<i64> {
        (!status.is_closed()).then(|| today.days_until(due))
    }
}

/// What one agency reported for one system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskView {
    pub id: String,
    pub system: String,
    pub system_name: String,
    pub agency_name: String,
    /// `None` while the agency is still working on it.
    pub outcome: Option<TaskOutcome>,
    pub note: Option<String>,
    /// When it was completed (RFC 3339).
    pub completed_at: Option<String>,
}

/// One step of a request's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// RFC 3339.
    pub at: String,
    pub status: RequestStatus,
    pub reason: Option<String>,
}

/// Everything a resident sees of one of their requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetail {
    pub summary: RequestSummary,
    pub channel: RequestChannel,
    pub details: String,
    /// For an objection: the system's and the purpose's names.
    pub objection: Option<(String, String)>,
    pub extended: bool,
    /// Whether the clock is paused, waiting for the resident.
    pub paused: bool,
    pub tasks: Vec<TaskView>,
    /// Oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// The conversation with the privacy office, oldest first.
    pub messages: Vec<MessageView>,
}

/// One message about a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    /// RFC 3339.
    pub at: String,
    /// Written by the privacy office (else by the resident).
    pub from_office: bool,
    pub author: String,
    pub body: String,
}

/// What a notification tells the resident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotificationKind {
    /// The request changed to this status.
    Status(RequestStatus),
    /// The privacy office wrote.
    Message,
}

/// One notification about one of the resident's requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: String,
    pub request_id: String,
    pub request_kind: RequestKind,
    /// RFC 3339.
    pub at: String,
    pub kind: NotificationKind,
    pub read: bool,
}

/// The whole days a clock paused on `since` stayed paused until `today`.
pub fn paused_days(since: Date, today: Date) -> i64 {
    since.days_until(today).max(0)
}

/// Requests per page of the officers' queue.
pub const QUEUE_PAGE_SIZE: u32 = 25;

/// Which requests the queue shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    pub status: Option<RequestStatus>,
    pub kind: Option<RequestKind>,
    /// An agency slug: requests with a task for it.
    pub agency: Option<String>,
    /// Only open requests past their due date.
    pub overdue: bool,
    /// Only requests assigned to the officer asking.
    pub mine: bool,
    /// A resident number or a request id.
    pub search: String,
    /// From 0.
    pub page: u32,
}

/// One request in the officers' queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub summary: RequestSummary,
    pub resident_number: String,
    pub channel: RequestChannel,
    /// The officer handling it.
    pub assigned_to: Option<String>,
    /// Tasks agencies have not completed yet.
    pub open_tasks: i64,
}

impl QueueRow {
    /// The urgency badge; `None` once closed.
    pub fn urgency(&self) -> Option<Urgency> {
        self.summary.days_left.map(urgency)
    }
}

/// One page of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    pub page: u32,
    pub has_more: bool,
}

/// Everything an officer sees of one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFile {
    pub detail: RequestDetail,
    pub resident_number: String,
    pub resident_name: String,
    pub resident_email: String,
    /// The officer handling it (id, name).
    pub assigned_to: Option<(String, String)>,
    /// Officers and admins it can be assigned to (id, name).
    pub staff: Vec<(String, String)>,
    /// Whether the deadline may still be extended today.
    pub may_extend: bool,
    /// False for a record an officer created for someone without an account.
    pub resident_verified: bool,
}

impl CaseFile {
    /// Whether every agency has completed its task, so the request can be fulfilled.
    pub fn tasks_complete(&self) -> bool {
        self.detail.tasks.iter().all(|t| t.outcome.is_some())
    }
}

/// Why an officer's action was refused; nothing was stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum CaseworkError {
    #[error("a reason is required, and at most 4000 characters")]
    ReasonRequired,
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    #[error(transparent)]
    Extension(#[from] ExtensionRefused),
    #[error("some agencies have not completed their tasks yet")]
    TasksOpen,
    #[error("no such task of this request, or it is already completed")]
    TaskClosed,
    #[error("no such officer")]
    NoSuchOfficer,
    #[error("no resident has that number")]
    NoSuchResident,
    /// A new resident record's name, email or phone is not acceptable.
    #[error(transparent)]
    Contact(#[from] crate::domain::account::AccountInputError),
    #[error(transparent)]
    Input(#[from] RequestInputError),
}

/// A reason an officer gives (extension, refusal, message): trimmed, required, bounded.
pub fn reason(text: &str) -> Result<String, CaseworkError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_DETAILS_CHARS {
        return Err(CaseworkError::ReasonRequired);
    }
    Ok(text.to_owned())
}

/// What one agency reported for one system, as the package carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgencyReport {
    pub system: String,
    pub system_name: String,
    pub agency_name: String,
    pub outcome: Option<TaskOutcome>,
    pub note: Option<String>,
    /// What the system holds on the resident, as the agency sent it.
    pub data: Option<serde_json::Value>,
}

/// An enrolment, as the package carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentRecord {
    pub system: String,
    pub system_name: String,
    /// YYYY-MM-DD.
    pub since: String,
}

/// The answer to a fulfilled access (Art. 15) or portability (Art. 20) request: what
/// Glasshouse holds about the resident and what each agency reported, machine-readable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessPackage {
    /// The version of this format.
    pub format: String,
    pub request_id: String,
    pub kind: RequestKind,
    /// RFC 3339.
    pub generated_at: String,
    pub profile: crate::domain::account::Profile,
    pub enrolments: Vec<EnrolmentRecord>,
    /// Every consent event, newest first; each one's receipt is at `receipt_url`.
    pub consent_history: Vec<crate::domain::consent::ConsentEventView>,
    /// Every agency check and data query that named the resident, newest first.
    pub decisions: Vec<crate::domain::decision::AccessEntry>,
    pub requests: Vec<RequestSummary>,
    pub agency_reports: Vec<AgencyReport>,
}

/// Requests received and closed in one week (Monday to Sunday).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekCount {
    /// The Monday.
    pub week_start: Date,
    pub received: i64,
    pub closed: i64,
}

/// The privacy office at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestStats {
    pub open: i64,
    /// Open, due in fewer than 5 days (not yet overdue).
    pub due_soon: i64,
    pub overdue: i64,
    /// Answered (fulfilled or refused) this calendar month by their due date.
    pub closed_on_time_this_month: i64,
    /// The last weeks, oldest first.
    pub weeks: Vec<WeekCount>,
}

/// The Monday of the week `d` falls in.
pub fn week_start(d: Date) -> Date {
    // 1970-01-01 was a Thursday: days since a Monday are (days + 3) mod 7.
    d.add_days(-(d.unix_days() + 3).rem_euclid(7))
}

/// How many of `received` and `closed` fall in each of the `weeks` weeks up to the one of
/// `today`, oldest first.
pub fn weekly_counts(received: &[Date], closed: &[Date], today: Date, weeks: usize) -> Vec<WeekCount> {
    let last = week_start(today);
    let weeks = i64::try_from(weeks).unwrap_or(0);
    (0..weeks)
        .rev()
        .map(|back| {
            let start = last.add_days(-7 * back);
            let end = start.add_days(7);
            let count = |dates: &[Date]| {
                let n = dates.iter().filter(|d| **d >= start && **d < end).count();
                i64::try_from(n).unwrap_or(i64::MAX)
            };
            WeekCount {
                week_start: start,
                received: count(received),
                closed: count(closed),
            }
        })
        .collect()
}

/// One line of the record of processing activities (`/admin/requests.csv`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub id: String,
    pub kind: RequestKind,
    pub channel: RequestChannel,
    pub received: Date,
    pub due: Date,
    pub closed: Option<Date>,
    pub status: RequestStatus,
    pub extended: bool,
}

impl RequestRecord {
    /// Calendar days from receipt to closing.
    pub fn days_taken(&self) -> Option<i64> {
        self.closed.map(|c| self.received.days_until(c))
    }

    /// Whether it was closed by its due date (`None` while open).
    pub fn on_time(&self) -> Option<bool> {
        self.closed.map(|c| c <= self.due)
    }
}

/// One action in the admin audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub seq_key: i64,
    /// RFC 3339.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub request_id: Option<String>,
    pub detail: String,
}

/// One page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    /// Where the next (older) page starts.
    pub next_before: Option<i64>,
}

/// Who an officer files an assisted request for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssistedResident {
    /// A resident with an account, by resident number.
    Number(String),
    /// Someone without an account: a new, unverified record with their contact details.
    New {
        name: crate::domain::account::DisplayName,
        email: Option<crate::domain::account::Email>,
        phone: Option<String>,
    },
}

impl AssistedResident {
    /// The resident number when given; otherwise a name and an email or phone (or both).
    pub fn parse(
        number: &str,
        name: &str,
        email: &str,
        phone: &str,
    ) -> Result<AssistedResident, CaseworkError> {
        use crate::domain::account::{DisplayName, Email, ProfileFields};
        let number = number.trim();
        if !number.is_empty() {
            return Ok(AssistedResident::Number(number.to_uppercase()));
        }
        if name.trim().is_empty() || (email.trim().is_empty() && phone.trim().is_empty()) {
            return Err(CaseworkError::NoSuchResident);
        }
        let name = DisplayName::parse(name)?;
        let email = (!email.trim().is_empty())
            .then(|| Email::parse(email))
            .transpose()?;
        // The profile's phone rule; no address or birth date here.
        let phone = ProfileFields::parse("", phone, "", "9999-12-31")?.phone;
        Ok(AssistedResident::New { name, email, phone })
    }
}

/// Rows per page of the audit log.
pub const AUDIT_PAGE_SIZE: u32 = 50;

#[cfg(test)]
mod tests {
    use super::*;
    use RequestStatus::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn clock(received: &str) -> Clock {
        Clock {
            received: d(received),
            paused_days: 0,
            extended: false,
        }
    }

    #[test]
    fn gdpr_gives_one_calendar_month_and_31_january_is_due_at_february_end() {
        let gdpr = DeadlinePolicy::Gdpr;
        assert_eq!(gdpr.due(clock("2026-03-10")), d("2026-04-10"));
        assert_eq!(gdpr.due(clock("2026-01-31")), d("2026-02-28"));
        assert_eq!(gdpr.due(clock("2028-01-31")), d("2028-02-29"));
        assert_eq!(gdpr.due(clock("2026-12-31")), d("2027-01-31"));
        assert_eq!(gdpr.due(clock("2026-08-31")), d("2026-09-30"));
    }

    #[test]
    fn an_extension_adds_two_further_months() {
        let extended = Clock {
            extended: true,
            ..clock("2026-11-30")
        };
        assert_eq!(DeadlinePolicy::Gdpr.due(extended), d("2027-02-28"));
        let leap = Clock {
            extended: true,
            ..clock("2027-11-30")
        };
        assert_eq!(DeadlinePolicy::Gdpr.due(leap), d("2028-02-29"));
    }

    #[test]
    fn ccpa_gives_45_days_and_45_more() {
        let ccpa = DeadlinePolicy::Ccpa;
        assert_eq!(ccpa.due(clock("2026-01-01")), d("2026-02-15"));
        let extended = Clock {
            extended: true,
            ..clock("2026-01-01")
        };
        assert_eq!(ccpa.due(extended), d("2026-04-01"));
    }

    #[test]
    fn paused_days_move_the_due_date() {
        let paused = Clock {
            paused_days: 6,
            ..clock("2026-01-31")
        };
        assert_eq!(DeadlinePolicy::Gdpr.due(paused), d("2026-03-06"));
        let extended = Clock {
            extended: true,
            ..paused
        };
        assert_eq!(DeadlinePolicy::Gdpr.due(extended), d("2026-05-06"));
    }

    #[test]
    fn an_extension_is_allowed_once_and_only_before_the_first_due_date_passes() {
        let gdpr = DeadlinePolicy::Gdpr;
        let c = clock("2026-01-31");
        assert_eq!(
            gdpr.may_extend(c, d("2026-02-28")),
            Ok(()),
            "on the due date itself"
        );
        assert_eq!(
            gdpr.may_extend(c, d("2026-03-01")),
            Err(ExtensionRefused::TooLate)
        );
        let paused = Clock { paused_days: 3, ..c };
        assert_eq!(gdpr.may_extend(paused, d("2026-03-03")), Ok(()), "pauses move it");
        let done = Clock { extended: true, ..c };
        assert_eq!(
            gdpr.may_extend(done, d("2026-02-01")),
            Err(ExtensionRefused::AlreadyExtended)
        );
    }

    /// Every transition the lifecycle allows, and no other.
    const ALLOWED: &[(RequestStatus, RequestStatus)] = &[
        (Received, IdentityCheck),
        (Received, InProgress),
        (Received, Rejected),
        (Received, Withdrawn),
        (IdentityCheck, InProgress),
        (IdentityCheck, Rejected),
        (IdentityCheck, Withdrawn),
        (InProgress, Extended),
        (InProgress, Fulfilled),
        (InProgress, Rejected),
        (InProgress, Withdrawn),
        (Extended, Fulfilled),
        (Extended, Rejected),
        (Extended, Withdrawn),
    ];

    #[test]
    fn the_allowed_transitions_follow_the_lifecycle() {
        for &(from, to) in ALLOWED {
            assert_eq!(from.transition(to), Ok(to), "{from} -> {to}");
        }
        // Every other pair of the 7 x 7 is refused.
        for &from in RequestStatus::ALL {
            for &to in RequestStatus::ALL {
                if !ALLOWED.contains(&(from, to)) {
                    assert_eq!(
                        from.transition(to),
                        Err(IllegalTransition { from, to }),
                        "{from} -> {to}"
                    );
                }
            }
        }
    }

    #[test]
    fn illegal_transitions_are_refused() {
        for (from, to) in [
            (Received, Fulfilled),
            (Received, Extended),
            (IdentityCheck, Fulfilled),
            (Extended, Extended),
            (Fulfilled, InProgress),
            (Rejected, Withdrawn),
            (Withdrawn, Received),
            (Fulfilled, Withdrawn),
        ] {
            let err = from.transition(to).unwrap_err();
            assert_eq!(err, IllegalTransition { from, to });
        }
        assert_eq!(
            Fulfilled.transition(Withdrawn).unwrap_err().to_string(),
            "a request that is fulfilled cannot become withdrawn"
        );
    }

    #[test]
    fn urgency_badges_follow_the_days_left() {
        assert_eq!(urgency(30), Urgency::Green);
        assert_eq!(urgency(10), Urgency::Green);
        assert_eq!(urgency(9), Urgency::Amber);
        assert_eq!(urgency(5), Urgency::Amber);
        assert_eq!(urgency(4), Urgency::Red);
        assert_eq!(urgency(0), Urgency::Red);
        assert_eq!(urgency(-1), Urgency::Overdue);
    }

    #[test]
    fn kinds_name_their_articles() {
        let articles: Vec<u8> = RequestKind::ALL.iter().map(|k| k.article()).collect();
        assert_eq!(articles, [15, 16, 17, 18, 20, 21]);
        assert!(RequestKind::Portability.delivers_data());
        assert!(!RequestKind::Erasure.delivers_data());
    }

    #[test]
    fn a_request_form_is_checked_before_anything_is_stored() {
        let ok = NewRequest::parse("access", "all", &[], None, "  my fare history ").unwrap();
        assert_eq!(ok.kind, RequestKind::Access);
        assert_eq!(ok.systems, SystemChoice::All);
        assert_eq!(ok.details, "my fare history");
        let some =
            NewRequest::parse("erasure", "some", &["library-cards".into(), "".into()], None, "").unwrap();
        assert_eq!(
            some.systems,
            SystemChoice::Some(vec![Slug::parse("library-cards").unwrap()])
        );
        assert_eq!(
            NewRequest::parse("nonsense", "all", &[], None, ""),
            Err(RequestInputError::Kind)
        );
        assert_eq!(
            NewRequest::parse("access", "some", &[], None, ""),
            Err(RequestInputError::NoSystems)
        );
        assert_eq!(
            NewRequest::parse("access", "some", &["Not A Slug!".into()], None, ""),
            Err(RequestInputError::UnknownSystem)
        );
        assert_eq!(
            NewRequest::parse("objection", "all", &[], None, ""),
            Err(RequestInputError::ObjectionNeedsPurpose)
        );
        assert_eq!(
            NewRequest::parse("objection", "all", &[], Some("no-slash"), ""),
            Err(RequestInputError::UnknownPurpose)
        );
        let objection = NewRequest::parse(
            "objection",
            "all",
            &[],
            Some("central-station-cctv/crime-prevention"),
            "",
        )
        .unwrap();
        assert_eq!(objection.objection.unwrap().1.as_str(), "crime-prevention");
        // A purpose sent with another kind is ignored, not an error.
        assert_eq!(
            NewRequest::parse("access", "all", &[], Some("a/b"), "")
                .unwrap()
                .objection,
            None
        );
        let long = "x".repeat(MAX_DETAILS_CHARS + 1);
        assert_eq!(
            NewRequest::parse("access", "all", &[], None, &long),
            Err(RequestInputError::DetailsTooLong)
        );
    }

    #[test]
    fn a_pause_counts_whole_days_and_never_less_than_none() {
        assert_eq!(paused_days(d("2026-02-27"), d("2026-03-02")), 3);
        assert_eq!(paused_days(d("2026-03-02"), d("2026-03-02")), 0);
        assert_eq!(paused_days(d("2026-03-05"), d("2026-03-02")), 0);
        // The paused days move the due date.
        let paused = Clock {
            received: d("2026-01-31"),
            paused_days: 3,
            extended: false,
        };
        assert_eq!(DeadlinePolicy::Gdpr.due(paused), d("2026-03-03"));
    }

    #[test]
    fn days_left_count_down_and_stop_when_closed() {
        let due = d("2026-12-10");
        assert_eq!(
            RequestSummary::days_left(InProgress, due, d("2026-12-01")),
            Some(9)
        );
        assert_eq!(
            RequestSummary::days_left(InProgress, due, d("2026-12-12")),
            Some(-2)
        );
        assert_eq!(RequestSummary::days_left(Fulfilled, due, d("2026-12-01")), None);
    }

    #[test]
    fn weeks_start_on_monday_and_count_what_falls_in_them() {
        // 2026-11-23 is a Monday, 2026-11-29 a Sunday.
        assert_eq!(week_start(d("2026-11-23")), d("2026-11-23"));
        assert_eq!(week_start(d("2026-11-29")), d("2026-11-23"));
        assert_eq!(week_start(d("2026-11-22")), d("2026-11-16"));
        assert_eq!(week_start(d("1970-01-01")), d("1969-12-29"));
        let weeks = weekly_counts(
            &[d("2026-11-16"), d("2026-11-22"), d("2026-11-24"), d("2026-10-01")],
            &[d("2026-11-25")],
            d("2026-11-26"),
            2,
        );
        assert_eq!(weeks.len(), 2);
        assert_eq!(
            (weeks[0].week_start, weeks[0].received, weeks[0].closed),
            (d("2026-11-16"), 2, 0)
        );
        assert_eq!(
            (weeks[1].week_start, weeks[1].received, weeks[1].closed),
            (d("2026-11-23"), 1, 1)
        );
    }

    #[test]
    fn a_record_knows_its_days_and_whether_it_was_on_time() {
        let mut r = RequestRecord {
            id: "r".into(),
            kind: RequestKind::Access,
            channel: RequestChannel::Web,
            received: d("2026-01-31"),
            due: d("2026-02-28"),
            closed: None,
            status: InProgress,
            extended: false,
        };
        assert_eq!((r.days_taken(), r.on_time()), (None, None));
        r.closed = Some(d("2026-02-28"));
        assert_eq!((r.days_taken(), r.on_time()), (Some(28), Some(true)));
        r.closed = Some(d("2026-03-01"));
        assert_eq!(r.on_time(), Some(false));
    }

    #[test]
    fn an_assisted_resident_is_a_number_or_a_name_with_a_way_to_reach_them() {
        assert_eq!(
            AssistedResident::parse(" gh-2345-6789 ", "", "", ""),
            Ok(AssistedResident::Number("GH-2345-6789".into()))
        );
        assert_eq!(
            AssistedResident::parse("", "Rosa", "", ""),
            Err(CaseworkError::NoSuchResident)
        );
        assert_eq!(
            AssistedResident::parse("", "", "rosa@example.org", ""),
            Err(CaseworkError::NoSuchResident)
        );
        assert!(matches!(
            AssistedResident::parse("", "Rosa", "not-an-email", ""),
            Err(CaseworkError::Contact(
                crate::domain::account::AccountInputError::Email
            ))
        ));
        assert!(matches!(
            AssistedResident::parse("", "Rosa", "", "12ab"),
            Err(CaseworkError::Contact(
                crate::domain::account::AccountInputError::Phone
            ))
        ));
        match AssistedResident::parse("", "Rosa Díaz", "", "+1 555 0199").unwrap() {
            AssistedResident::New { name, email, phone } => {
                assert_eq!(
                    (name.as_str(), email, phone.as_deref()),
                    ("Rosa Díaz", None, Some("+1 555 0199"))
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
